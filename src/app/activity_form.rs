//! The note, call and task form's model: its fields for each kind (a call's title,
//! direction, outcome and duration; a task's subject, due date, owner and priority; the text;
//! the ticket's contacts and companies to tick; the pin), validation naming the field, the
//! [`NewActivity`] it sends, HubSpot's refusal laid on its fields, and its draft. The keys,
//! the external editor and the worker's answers are `activity_flow`'s.
//!
//! Pure model; must not do I/O or name a HubSpot call outcome itself (the outcomes are the
//! portal's `hs_call_disposition` options, `Command::LoadActivityOptions`).

use std::collections::BTreeMap;

use jiff::Timestamp;
use ratatui_textarea::TextArea;

use super::Effect;
use super::detail::ReqId;
use super::edit::{Choice, Picker, area, owner_choices};
use crate::domain::{
    ActivityDetails, ActivityKind, ActivityOptions, Associated, AssociationTarget, CallDirection,
    Catalog, NewActivity, ObjectKind, TaskPriority,
};
use crate::drafts::{Draft, DraftKind, activity_key};
use crate::protocol::Failure;

/// A field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldId {
    /// A call's title (`hs_call_title`).
    Title,
    /// A task's subject (`hs_task_subject`, required).
    Subject,
    Direction,
    /// The call's outcome (`hs_call_disposition`).
    Outcome,
    /// How long the call took: `5m`, `1h 20m`, `90s`.
    Duration,
    /// When the task is due, in the search form's date words.
    Due,
    /// Who the task is for (`hubspot_owner_id`).
    Owner,
    Priority,
    /// The text (`hs_note_body`, `hs_call_body`, `hs_task_body`).
    Body,
    /// The ticket's contacts and companies that get it too.
    Also,
    /// Pin the note on the ticket.
    Pin,
}

impl FieldId {
    /// The name its text is kept under in a draft.
    pub fn name(self) -> &'static str {
        match self {
            Self::Title => "title",
            Self::Subject => "subject",
            Self::Direction => "direction",
            Self::Outcome => "outcome",
            Self::Duration => "duration",
            Self::Due => "due",
            Self::Owner => "owner",
            Self::Priority => "priority",
            Self::Body => "body",
            Self::Also => "also",
            Self::Pin => "pin",
        }
    }

    /// Its label on screen.
    pub fn label(self, kind: ActivityKind) -> &'static str {
        match self {
            Self::Title => "Title",
            Self::Subject => "Subject",
            Self::Direction => "Direction",
            Self::Outcome => "Outcome",
            Self::Duration => "Duration",
            Self::Due => "Due",
            Self::Owner => "Assigned to",
            Self::Priority => "Priority",
            Self::Body if kind == ActivityKind::Note => "Note",
            Self::Body => "Notes",
            Self::Also => "Also on",
            Self::Pin => "Pin",
        }
    }

    /// The field a HubSpot property error is about, when it is one of the form's.
    fn for_property(kind: ActivityKind, property: &str) -> Option<Self> {
        Some(match property {
            p if p == kind.body_property() => Self::Body,
            "hs_call_title" => Self::Title,
            "hs_task_subject" => Self::Subject,
            "hs_call_direction" => Self::Direction,
            "hs_call_disposition" => Self::Outcome,
            "hs_call_duration" => Self::Duration,
            "hs_timestamp" if kind == ActivityKind::Task => Self::Due,
            "hubspot_owner_id" => Self::Owner,
            "hs_task_priority" => Self::Priority,
            _ => return None,
        })
    }
}

/// The fields of each kind, in order.
fn fields_of(kind: ActivityKind) -> &'static [FieldId] {
    use FieldId::*;
    match kind {
        ActivityKind::Note => &[Body, Also, Pin],
        ActivityKind::Call => &[Title, Direction, Outcome, Duration, Body, Also],
        ActivityKind::Task => &[Subject, Due, Owner, Priority, Body, Also],
    }
}

/// `note`, `call`, `task`: how drafts and messages name a kind.
pub fn kind_name(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Note => "note",
        ActivityKind::Call => "call",
        ActivityKind::Task => "task",
    }
}

pub(super) fn kind_from_name(name: &str) -> Option<ActivityKind> {
    [ActivityKind::Note, ActivityKind::Call, ActivityKind::Task]
        .into_iter()
        .find(|k| kind_name(*k) == name)
}

/// The contacts and companies of the ticket, which get the activity too where ticked.
#[derive(Debug, Clone, PartialEq)]
pub enum Also {
    /// The detail is loading the ticket's associations.
    Loading,
    /// Ticked by default; the values are `contact:<id>` / `company:<id>`.
    Ready(Picker),
    /// They could not be loaded: the activity goes on the ticket alone.
    Failed(Failure),
}

/// A field's input.
#[derive(Debug, Clone)]
pub enum Input {
    /// One line of text.
    Line(Box<TextArea<'static>>),
    /// Several lines (the body).
    Text(Box<TextArea<'static>>),
    Pick(Picker),
    Check(bool),
    Also(Also),
}

impl Input {
    /// The text a draft keeps of it (none for the contacts and companies: they are the
    /// ticket's, loaded again).
    fn draft_text(&self) -> Option<String> {
        match self {
            Self::Line(a) => Some(a.lines().join(" ")),
            Self::Text(a) => Some(a.lines().join("\n")),
            Self::Pick(p) => p.value(),
            Self::Check(b) => Some(b.to_string()),
            Self::Also(_) => None,
        }
    }
}

/// One field: what it is, its input, and the form's or HubSpot's word about it.
#[derive(Debug, Clone)]
pub struct Field {
    pub id: FieldId,
    pub input: Input,
    pub error: Option<String>,
}

/// What went wrong, on the form's bottom line.
#[derive(Debug, Clone, PartialEq)]
pub enum FormError {
    /// Found before sending (a required field, a bad date).
    Local(String),
    /// HubSpot's answer, laid out by `ui::failure` (its correlation ID never cut).
    Failed(Failure),
}

/// The note, call or task form.
#[derive(Debug, Clone)]
pub struct ActivityForm {
    pub kind: ActivityKind,
    pub ticket_id: String,
    /// The ticket's subject, for the title.
    pub subject: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub error: Option<FormError>,
    /// The create on its way.
    pub saving: Option<ReqId>,
    /// Esc with changes: asking whether to throw them away.
    pub confirm_discard: bool,
    /// The body is out in the external editor.
    pub external: bool,
    /// The fields' texts as the form opened (Esc asks only when they changed).
    initial: BTreeMap<String, String>,
    /// The fields' texts last written as a draft (written again only when they change).
    saved_draft: Option<BTreeMap<String, String>>,
}

/// A one-line input holding `text`.
fn line(text: &str) -> Input {
    Input::Line(Box::new(area(text)))
}

/// The call's directions, Outbound first.
fn direction_choices() -> Vec<Choice> {
    [
        (CallDirection::Outbound, "Outbound"),
        (CallDirection::Inbound, "Inbound"),
    ]
    .into_iter()
    .map(|(d, label)| Choice {
        value: d.api_value().to_owned(),
        label: label.to_owned(),
    })
    .collect()
}

fn direction_of(value: &str) -> CallDirection {
    if value == CallDirection::Inbound.api_value() {
        CallDirection::Inbound
    } else {
        CallDirection::Outbound
    }
}

const PRIORITIES: [(TaskPriority, &str); 4] = [
    (TaskPriority::None, "(none)"),
    (TaskPriority::Low, "Low"),
    (TaskPriority::Medium, "Medium"),
    (TaskPriority::High, "High"),
];

fn priority_choices() -> Vec<Choice> {
    PRIORITIES
        .iter()
        .map(|(p, label)| Choice {
            value: p.api_value().unwrap_or_default().to_owned(),
            label: (*label).to_owned(),
        })
        .collect()
}

fn priority_of(value: &str) -> TaskPriority {
    PRIORITIES
        .iter()
        .map(|(p, _)| *p)
        .find(|p| p.api_value().unwrap_or_default() == value)
        .unwrap_or_default()
}

/// HubSpot's call outcomes, after "(no outcome)": the portal's `hs_call_disposition`
/// options as the Properties API lists them (`Command::LoadActivityOptions`; the default
/// outcomes' values are GUIDs, never written here). Until they are loaded, "(no outcome)" is
/// all there is.
pub fn outcome_choices(options: Option<&ActivityOptions>) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: String::new(),
        label: "(no outcome)".to_owned(),
    }];
    if let Some(o) = options {
        out.extend(
            o.call_outcomes
                .iter()
                .filter(|o| !o.hidden)
                .map(|o| Choice {
                    value: o.value.clone(),
                    label: o.label.clone(),
                }),
        );
    }
    out
}

/// The owners a task can be for, "(unassigned)" first.
fn task_owner_choices(catalog: &Catalog) -> Vec<Choice> {
    let mut owners = owner_choices(catalog);
    owners.insert(
        0,
        Choice {
            value: String::new(),
            label: "(unassigned)".to_owned(),
        },
    );
    owners
}

/// The ticket's contacts and companies as ticked boxes (deals and activities are not
/// offered: HubSpot files activities on contact and company timelines).
pub(super) fn also_picker(items: &[Associated]) -> Picker {
    let options: Vec<Choice> = items
        .iter()
        .filter(|a| matches!(a.kind, ObjectKind::Contact | ObjectKind::Company))
        .map(|a| Choice {
            value: format!("{}:{}", a.kind.api_name(), a.id),
            label: format!("{:8} {}  {}", a.kind.label(), a.title, a.detail)
                .trim_end()
                .to_owned(),
        })
        .collect();
    let all: Vec<String> = options.iter().map(|o| o.value.clone()).collect();
    Picker::with_chosen(options, true, &all)
}

/// `contacts:201` → (Contact, "201").
fn also_target(value: &str) -> Option<(AssociationTarget, String)> {
    let (kind, id) = value.split_once(':')?;
    let target = if kind == ObjectKind::Contact.api_name() {
        AssociationTarget::Contact
    } else if kind == ObjectKind::Company.api_name() {
        AssociationTarget::Company
    } else {
        return None;
    };
    Some((target, id.to_owned()))
}

/// `5m`, `1h 20m`, `1h20m`, `90s`, `2 min`, or a bare number of minutes → milliseconds;
/// `None` when empty.
pub fn parse_duration(text: &str) -> Result<Option<u64>, String> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || {
        format!(
            "\"{}\" is not a duration (try 5m, 1h 20m, 90s)",
            text.trim()
        )
    };
    if t.bytes().all(|b| b.is_ascii_digit()) {
        let minutes: u64 = t.parse().map_err(|_| bad())?;
        return minutes.checked_mul(60_000).map(Some).ok_or_else(bad);
    }
    let mut total: u64 = 0;
    let mut rest = t.as_str();
    while !rest.trim_start().is_empty() {
        rest = rest.trim_start();
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = rest[digits..].trim_start();
        let letters = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let per: u64 = match &rest[..letters] {
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000,
            "m" | "min" | "mins" | "minute" | "minutes" => 60_000,
            "s" | "sec" | "secs" | "second" | "seconds" => 1_000,
            _ => return Err(bad()),
        };
        total = n
            .checked_mul(per)
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(bad)?;
        rest = &rest[letters..];
    }
    Ok(Some(total))
}

/// A due date in the search form's words, due at the end of a day given without a time
/// (a choice of hubtix's: what time HubSpot's own UI gives a task due "tomorrow" is
/// UNCONFIRMED).
pub fn parse_due(text: &str, tz: &jiff::tz::TimeZone, now: Timestamp) -> Result<Timestamp, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("a task needs a due date".to_owned());
    }
    crate::views::parse_when(t, crate::views::End::End, tz, now).ok_or_else(|| {
        format!("\"{t}\" is not a date (try tomorrow, in 3 days, 2026-12-24, 2026-12-24 15:00)")
    })
}

/// What the form opens with, beyond the kind and the ticket.
pub struct Defaults<'a> {
    pub catalog: &'a Catalog,
    /// The call outcomes, when loaded.
    pub options: Option<&'a ActivityOptions>,
    /// The owner ID `me` in config.toml stands for, when known.
    pub me: Option<String>,
    /// The ticket's associations, as the detail has them.
    pub also: Also,
}

impl ActivityForm {
    /// A blank form of `kind` on the ticket.
    pub fn new(kind: ActivityKind, ticket_id: &str, subject: &str, d: Defaults<'_>) -> Self {
        let fields: Vec<Field> = fields_of(kind)
            .iter()
            .map(|&id| Field {
                id,
                input: match id {
                    FieldId::Title | FieldId::Subject | FieldId::Duration => line(""),
                    FieldId::Due => line("tomorrow"),
                    FieldId::Direction => Input::Pick(Picker::new(direction_choices(), false, "")),
                    FieldId::Outcome => {
                        Input::Pick(Picker::new(outcome_choices(d.options), false, ""))
                    }
                    FieldId::Owner => Input::Pick(Picker::new(
                        task_owner_choices(d.catalog),
                        false,
                        d.me.as_deref().unwrap_or_default(),
                    )),
                    FieldId::Priority => Input::Pick(Picker::new(priority_choices(), false, "")),
                    FieldId::Body => Input::Text(Box::default()),
                    FieldId::Also => Input::Also(d.also.clone()),
                    FieldId::Pin => Input::Check(false),
                },
                error: None,
            })
            .collect();
        let mut form = Self {
            kind,
            ticket_id: ticket_id.to_owned(),
            subject: subject.to_owned(),
            fields,
            focus: 0,
            error: None,
            saving: None,
            confirm_discard: false,
            external: false,
            initial: BTreeMap::new(),
            saved_draft: None,
        };
        form.initial = form.draft_fields();
        form
    }

    pub fn field(&self, id: FieldId) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    pub(super) fn field_mut(&mut self, id: FieldId) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.id == id)
    }

    pub(super) fn index_of(&self, id: FieldId) -> Option<usize> {
        self.fields.iter().position(|f| f.id == id)
    }

    /// The text of a text field (`""` for others).
    pub fn text(&self, id: FieldId) -> String {
        match self.field(id).map(|f| &f.input) {
            Some(Input::Line(a)) => a.lines().join(" ").trim().to_owned(),
            Some(Input::Text(a)) => a.lines().join("\n"),
            _ => String::new(),
        }
    }

    /// The value chosen in a picker field (`""` when none).
    fn choice(&self, id: FieldId) -> String {
        match self.field(id).map(|f| &f.input) {
            Some(Input::Pick(p)) => p.value().unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Whether the note is to be pinned.
    pub fn pin(&self) -> bool {
        matches!(
            self.field(FieldId::Pin).map(|f| &f.input),
            Some(Input::Check(true))
        )
    }

    /// The contacts and companies field's state.
    pub fn also(&self) -> Option<&Also> {
        match self.field(FieldId::Also).map(|f| &f.input) {
            Some(Input::Also(a)) => Some(a),
            _ => None,
        }
    }

    /// Each field's text by its draft name.
    fn draft_fields(&self) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .filter_map(|f| Some((f.id.name().to_owned(), f.input.draft_text()?)))
            .collect()
    }

    /// Whether anything was typed or chosen since the form opened.
    pub fn is_dirty(&self) -> bool {
        self.draft_fields() != self.initial
    }

    /// The draft to write, when the form changed since it opened and since the last one.
    pub fn draft_to_save(&mut self) -> Option<Draft> {
        let fields = self.draft_fields();
        if fields == self.initial || self.saved_draft.as_ref() == Some(&fields) {
            return None;
        }
        self.saved_draft = Some(fields.clone());
        let kind = kind_name(self.kind);
        Some(Draft {
            ticket_id: self.ticket_id.clone(),
            property: activity_key(kind),
            value: self.text(FieldId::Body),
            opened_modified: String::new(),
            subject: self.subject.clone(),
            label: format!("New {kind}"),
            kind: DraftKind::Activity {
                activity: kind.to_owned(),
                fields,
            },
        })
    }

    /// The form is done with (saved or thrown away): its draft on disk goes, if it has one.
    pub(super) fn forget_draft(&self) -> Option<Effect> {
        self.saved_draft.as_ref()?;
        Some(Effect::DeleteDraft {
            ticket_id: self.ticket_id.clone(),
            property: activity_key(kind_name(self.kind)),
        })
    }

    /// Puts a draft's texts back in their fields (a choice no longer offered is left as is).
    pub fn restore(&mut self, fields: &BTreeMap<String, String>) {
        for f in &mut self.fields {
            let Some(text) = fields.get(f.id.name()) else {
                continue;
            };
            match &mut f.input {
                Input::Line(a) | Input::Text(a) => **a = area(text),
                Input::Pick(p) if p.options.iter().any(|o| &o.value == text) => {
                    let options = std::mem::take(&mut p.options);
                    *p = Picker::new(options, false, text);
                }
                Input::Check(b) => *b = text == "true",
                Input::Pick(_) | Input::Also(_) => {}
            }
        }
        self.saved_draft = Some(self.draft_fields());
    }

    /// The ticket's associations arrived (or failed): the ticks to offer.
    pub fn set_also(&mut self, also: Also) {
        if let Some(f) = self.field_mut(FieldId::Also) {
            f.input = Input::Also(also);
        }
    }

    /// The contacts and companies ticked; `Err` while they are loading.
    fn also_targets(&self) -> Result<Vec<(AssociationTarget, String)>, String> {
        match self.also() {
            None | Some(Also::Failed(_)) => Ok(Vec::new()),
            Some(Also::Loading) => Err(
                "the ticket's contacts and companies are still loading; save again in a moment"
                    .to_owned(),
            ),
            Some(Also::Ready(p)) => Ok(p
                .options
                .iter()
                .filter(|o| p.chosen.contains(&o.value))
                .filter_map(|o| also_target(&o.value))
                .collect()),
        }
    }

    /// What this kind needs beyond the body: a call's title, direction, outcome and
    /// duration, a task's subject, owner and priority. Errors are set on their fields.
    fn details(&mut self) -> ActivityDetails {
        match self.kind {
            ActivityKind::Note => ActivityDetails::Note,
            ActivityKind::Call => {
                let duration = parse_duration(&self.text(FieldId::Duration));
                let outcome = self.choice(FieldId::Outcome);
                if let (Err(e), Some(f)) = (&duration, self.field_mut(FieldId::Duration)) {
                    f.error = Some(e.clone());
                }
                ActivityDetails::Call {
                    title: self.text(FieldId::Title),
                    direction: direction_of(&self.choice(FieldId::Direction)),
                    outcome: (!outcome.is_empty()).then_some(outcome),
                    duration_ms: duration.ok().flatten(),
                }
            }
            ActivityKind::Task => {
                let subject = self.text(FieldId::Subject);
                if subject.is_empty()
                    && let Some(f) = self.field_mut(FieldId::Subject)
                {
                    f.error = Some("required".to_owned());
                }
                let owner = self.choice(FieldId::Owner);
                ActivityDetails::Task {
                    subject,
                    owner_id: (!owner.is_empty()).then_some(owner),
                    priority: priority_of(&self.choice(FieldId::Priority)),
                }
            }
        }
    }

    /// The activity to create, validated; `Err` is the bottom line (the fields in error
    /// carry their own word, and the focus goes to the first of them).
    pub fn activity(
        &mut self,
        tz: &jiff::tz::TimeZone,
        now: Timestamp,
    ) -> Result<NewActivity, String> {
        for f in &mut self.fields {
            f.error = None;
        }
        let details = self.details();
        let body = self.text(FieldId::Body).trim_end().to_owned();
        if self.kind == ActivityKind::Note
            && body.trim().is_empty()
            && let Some(f) = self.field_mut(FieldId::Body)
        {
            f.error = Some("required".to_owned());
        }
        let timestamp = if self.kind == ActivityKind::Task {
            let due = parse_due(&self.text(FieldId::Due), tz, now);
            if let (Err(e), Some(f)) = (&due, self.field_mut(FieldId::Due)) {
                f.error = Some(e.clone());
            }
            due.unwrap_or(now)
        } else {
            now
        };
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
            let wrong: Vec<String> = self
                .fields
                .iter()
                .filter_map(|f| {
                    let e = f.error.as_deref()?;
                    let label = f.id.label(self.kind);
                    Some(if e == "required" {
                        format!("fill in {label}")
                    } else {
                        format!("{label}: {e}")
                    })
                })
                .collect();
            return Err(wrong.join("; "));
        }
        Ok(NewActivity {
            ticket_id: self.ticket_id.clone(),
            details,
            body,
            timestamp,
            also: self.also_targets()?,
            pin: self.pin(),
        })
    }

    /// HubSpot refused the create: its field errors go next to their fields, and the
    /// bottom line names them.
    pub(super) fn refused(&mut self, failure: &Failure) {
        let kind = self.kind;
        let mut named = Vec::new();
        for (property, message) in &failure.field_errors {
            if let Some(f) = FieldId::for_property(kind, property)
                .and_then(|id| self.fields.iter_mut().find(|f| f.id == id))
            {
                f.error = Some(message.clone());
                named.push(f.id.label(kind));
            }
        }
        if let Some(i) = self.fields.iter().position(|f| f.error.is_some()) {
            self.focus = i;
        }
        let failure = if failure.outcome_unknown {
            failure.clone().in_context(format!(
                "HubSpot did not confirm the {}: it may exist already, so it was not sent again \
                 — look in the Activity tab before saving again",
                kind_name(kind)
            ))
        } else if named.is_empty() {
            failure.clone()
        } else {
            failure
                .clone()
                .in_context(format!("HubSpot refused {}", named.join(", ")))
        };
        self.error = Some(FormError::Failed(failure));
    }
}
