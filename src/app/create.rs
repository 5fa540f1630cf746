//! `n`: create a ticket. Subject, content, pipeline, stage, priority, owner, category, and
//! contacts/companies/deals to associate at creation (found by typing a name, email or domain;
//! the search runs against HubSpot). Required fields are enforced before anything is sent;
//! HubSpot's field errors come back next to their fields; a create whose outcome is unknown is
//! never re-sent.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::{SignedDuration, Timestamp};
use ratatui_textarea::TextArea;

use super::detail::{Loadable, ReqId};
use super::edit::{Choice, Picker, choices, stage_choices};
use super::{App, Effect, Focus};
use crate::action::Action;
use crate::domain::{Associated, ObjectKind, Ticket};
use crate::keymap::Context;
use crate::protocol::{Command, Event};

/// How long typing must pause before the record search runs (HubSpot allows 5 searches/s).
pub const SEARCH_DEBOUNCE: SignedDuration = SignedDuration::from_millis(300);

/// A field's input.
#[derive(Debug, Clone)]
pub enum FieldInput {
    Text {
        area: Box<TextArea<'static>>,
        multiline: bool,
    },
    Pick(Picker),
}

/// One field of the form.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: String,
    pub required: bool,
    pub input: FieldInput,
    /// HubSpot's or the form's message for this field.
    pub error: Option<String>,
}

impl Field {
    pub fn value(&self) -> String {
        match &self.input {
            FieldInput::Text { area, multiline } => {
                let t = area.lines().join("\n");
                if *multiline { t } else { t.trim().to_owned() }
            }
            FieldInput::Pick(p) => p.value().unwrap_or_default(),
        }
    }
}

/// The record search of the Associations field.
#[derive(Debug, Clone, Default)]
pub struct RecordSearch {
    pub query: String,
    pub results: Loadable<Vec<Associated>>,
    pub cursor: usize,
    /// Search once typing rests until then.
    pub due: Option<Timestamp>,
}

/// What a key did in a record search.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchKey {
    /// Moved, typed or nothing: the search handled it.
    Handled,
    /// `accept` on a result.
    Chosen(Associated),
    /// Backspace with nothing typed (the create form removes the last record added).
    EmptyBackspace,
}

impl RecordSearch {
    /// A key, with what it means in the `picker` context: move through the results, accept
    /// one, or type (the search runs once typing rests).
    pub fn on_key(&mut self, pick: Option<Action>, key: KeyEvent, now: Timestamp) -> SearchKey {
        let last = self.results.ready().map_or(0, Vec::len).saturating_sub(1);
        match pick {
            Some(Action::Up) => self.cursor = self.cursor.saturating_sub(1),
            Some(Action::Down) => self.cursor = (self.cursor + 1).min(last),
            Some(Action::PageUp) => self.cursor = self.cursor.saturating_sub(10),
            Some(Action::PageDown) => self.cursor = (self.cursor + 10).min(last),
            Some(Action::Accept) => {
                if let Some(r) = self.results.ready().and_then(|r| r.get(self.cursor)) {
                    return SearchKey::Chosen(r.clone());
                }
            }
            _ => match key.code {
                KeyCode::Backspace if self.query.is_empty() => return SearchKey::EmptyBackspace,
                KeyCode::Backspace => {
                    self.query.pop();
                    self.due = Some(now + SEARCH_DEBOUNCE);
                }
                KeyCode::Char(c)
                    if !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    self.query.push(c);
                    self.due = Some(now + SEARCH_DEBOUNCE);
                }
                _ => {}
            },
        }
        SearchKey::Handled
    }

    /// Pasted text is typed into the query (on one line); the search runs once typing rests.
    pub fn paste(&mut self, text: &str, now: Timestamp) {
        self.query.push_str(&crate::text::sanitize(text));
        self.due = Some(now + SEARCH_DEBOUNCE);
    }
}

/// The create form.
#[derive(Debug, Clone)]
pub struct CreateForm {
    pub fields: Vec<Field>,
    /// Index into `fields`, or `fields.len()` for the Associations field.
    pub focus: usize,
    pub associations: Vec<Associated>,
    pub search: RecordSearch,
    pub error: Option<String>,
    pub saving: Option<ReqId>,
    /// Esc with changes: asking whether to discard them.
    pub confirm_discard: bool,
    /// The field values as the form opened (Esc asks only when they changed).
    initial: Vec<String>,
}

fn text(multiline: bool) -> FieldInput {
    FieldInput::Text {
        area: Box::default(),
        multiline,
    }
}

impl CreateForm {
    /// A blank form; pipeline defaults to the first one and stage to its first stage.
    pub fn new(app: &App) -> Result<Self, String> {
        let cat = &app.catalog;
        let first = cat.pipelines.first().ok_or("pipelines are still loading")?;
        let blank = Ticket {
            id: String::new(),
            properties: BTreeMap::from([("hs_pipeline".to_owned(), first.id.clone())]),
            created_at: None,
            updated_at: None,
            archived: false,
            history: None,
        };
        let label = |name: &str, fallback: &str| {
            cat.property(name)
                .map_or_else(|| fallback.to_owned(), |p| p.label.clone())
        };
        let pick = |name: &str, current: &str| -> Option<FieldInput> {
            let def = cat.property(name)?;
            let opts = choices(cat, def, &blank)?;
            Some(FieldInput::Pick(Picker::new(
                opts,
                def.field_type == "checkbox",
                current,
            )))
        };
        let pipelines: Vec<Choice> = cat
            .pipelines
            .iter()
            .map(|p| Choice {
                value: p.id.clone(),
                label: p.label.clone(),
            })
            .collect();
        let mut fields = vec![
            Field {
                name: "subject",
                label: label("subject", "Ticket name"),
                required: true,
                input: text(false),
                error: None,
            },
            Field {
                name: "content",
                label: label("content", "Ticket description"),
                required: false,
                input: text(true),
                error: None,
            },
            Field {
                name: "hs_pipeline",
                label: label("hs_pipeline", "Pipeline"),
                required: true,
                input: FieldInput::Pick(Picker::new(pipelines, false, &first.id)),
                error: None,
            },
            Field {
                name: "hs_pipeline_stage",
                label: label("hs_pipeline_stage", "Ticket status"),
                required: true,
                input: FieldInput::Pick(Picker::new(stage_choices(first), false, "")),
                error: None,
            },
        ];
        for (name, fallback) in [
            ("hs_ticket_priority", "Priority"),
            ("hubspot_owner_id", "Ticket owner"),
            ("hs_ticket_category", "Category"),
        ] {
            if let Some(input) = pick(name, "") {
                fields.push(Field {
                    name,
                    label: label(name, fallback),
                    required: false,
                    input,
                    error: None,
                });
            }
        }
        let mut form = Self {
            fields,
            focus: 0,
            associations: Vec::new(),
            search: RecordSearch::default(),
            error: None,
            saving: None,
            confirm_discard: false,
            initial: Vec::new(),
        };
        form.initial = form.fields.iter().map(Field::value).collect();
        Ok(form)
    }

    /// Whether anything was typed, chosen or added since the form opened.
    pub fn is_dirty(&self) -> bool {
        !self.associations.is_empty()
            || !self.search.query.is_empty()
            || self
                .fields
                .iter()
                .map(Field::value)
                .ne(self.initial.iter().cloned())
    }

    pub fn on_associations(&self) -> bool {
        self.focus == self.fields.len()
    }

    fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The properties to send; `Err` marks the required fields left empty.
    pub fn properties(&mut self) -> Result<BTreeMap<String, String>, String> {
        let mut missing = Vec::new();
        for f in &mut self.fields {
            f.error = None;
            if f.required && f.value().is_empty() {
                f.error = Some("required".into());
                missing.push(f.label.clone());
            }
        }
        if !missing.is_empty() {
            return Err(format!("fill in: {}", missing.join(", ")));
        }
        Ok(self
            .fields
            .iter()
            .map(|f| (f.name.to_owned(), f.value()))
            .filter(|(_, v)| !v.is_empty())
            .collect())
    }

    /// The pipeline changed: the stage must be one of the new pipeline's.
    fn pipeline_changed(&mut self, catalog: &crate::domain::Catalog) {
        let Some(id) = self.field("hs_pipeline").map(Field::value) else {
            return;
        };
        let Some(p) = catalog.pipeline(&id) else {
            return;
        };
        if let Some(f) = self
            .fields
            .iter_mut()
            .find(|f| f.name == "hs_pipeline_stage")
        {
            f.input = FieldInput::Pick(Picker::new(stage_choices(p), false, ""));
        }
    }
}

/// `n`.
pub(super) fn open(app: &mut App) -> Vec<Effect> {
    match CreateForm::new(app) {
        Ok(f) => app.modals.open(f),
        Err(why) => app.info(why),
    }
    Vec::new()
}

/// Pasted text goes to the field with the focus: a text field (line breaks kept only where
/// it is multi-line), a choice's filter, or the association search.
pub(super) fn paste(app: &mut App, text: &str) {
    let now = app.now;
    let Some(f) = app.modals.create_mut() else {
        return;
    };
    if f.saving.is_some() || f.confirm_discard {
        return;
    }
    match f.fields.get_mut(f.focus).map(|f| &mut f.input) {
        Some(FieldInput::Text { area, multiline }) => {
            super::edit::paste_into(area, text, *multiline);
        }
        Some(FieldInput::Pick(p)) => p.paste(text),
        None => f.search.paste(text, now),
    }
}

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let action = app.keymap.resolve(Context::Form, &key);
    let pick = app.keymap.resolve(Context::Picker, &key);
    if action == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    let now = app.now;
    let catalog = app.catalog.clone();
    let Some(form) = app.modals.create_mut() else {
        return Vec::new();
    };
    if form.saving.is_some() {
        return Vec::new();
    }
    if form.confirm_discard {
        match app.keymap.resolve(Context::Confirm, &key) {
            Some(Action::Confirm) => {
                app.modals.close_create();
                app.info("not created");
            }
            Some(Action::Decline) => form.confirm_discard = false,
            _ => {}
        }
        return Vec::new();
    }
    form.error = None;
    let n = form.fields.len() + 1;
    match action {
        Some(Action::Cancel) if form.is_dirty() => {
            form.confirm_discard = true;
            return Vec::new();
        }
        Some(Action::Cancel) => {
            app.modals.close_create();
            app.info("not created");
            return Vec::new();
        }
        Some(Action::Save) => return submit(app),
        Some(Action::NextField) => {
            form.focus = (form.focus + 1) % n;
            return Vec::new();
        }
        Some(Action::PrevField) => {
            form.focus = (form.focus + n - 1) % n;
            return Vec::new();
        }
        _ => {}
    }
    if form.on_associations() {
        return on_search_key(app, pick, key, now);
    }
    let focus = form.focus;
    let field = &mut form.fields[focus];
    field.error = None;
    match &mut field.input {
        FieldInput::Text { area, multiline } => {
            if action == Some(Action::Open) && !*multiline {
                form.focus = (focus + 1) % n;
            } else {
                area.input(key);
            }
        }
        FieldInput::Pick(p) => {
            if !p.on_key(pick, key) && pick == Some(Action::Accept) {
                form.focus = (focus + 1) % n;
            }
            if field.name == "hs_pipeline" {
                form.pipeline_changed(&catalog);
            }
        }
    }
    Vec::new()
}

/// Keys in the Associations field: type to search, move, `accept` adds, Backspace on an
/// empty query removes the last one added.
fn on_search_key(
    app: &mut App,
    pick: Option<Action>,
    key: KeyEvent,
    now: Timestamp,
) -> Vec<Effect> {
    let Some(form) = app.modals.create_mut() else {
        return Vec::new();
    };
    match form.search.on_key(pick, key, now) {
        SearchKey::Chosen(r) => {
            if !form
                .associations
                .iter()
                .any(|a| a.kind == r.kind && a.id == r.id)
            {
                form.associations.push(r);
            }
            form.search = RecordSearch::default();
        }
        SearchKey::EmptyBackspace => {
            form.associations.pop();
        }
        SearchKey::Handled => {}
    }
    Vec::new()
}

/// The clock moved: run the record search once typing has rested.
pub(super) fn on_tick(app: &mut App, now: Timestamp) -> Vec<Effect> {
    tick_search(app, now, |app| {
        app.modals.create_mut().map(|f| &mut f.search)
    })
}

/// Runs the record search that `search` picks out of the app once its typing has rested
/// (shared by the create form and the add-association modal).
pub(super) fn tick_search(
    app: &mut App,
    now: Timestamp,
    search: impl Fn(&mut App) -> Option<&mut RecordSearch>,
) -> Vec<Effect> {
    let req = app.next_req;
    let Some(s) = search(app) else {
        return Vec::new();
    };
    if s.due.is_none_or(|due| due > now) {
        return Vec::new();
    }
    s.due = None;
    let query = s.query.trim().to_owned();
    let fx = if query.chars().count() < 2 {
        s.results = Loadable::Idle;
        Vec::new()
    } else {
        s.results = Loadable::Loading(req);
        s.cursor = 0;
        vec![Effect::Api(Command::SearchRecords { req, query })]
    };
    if !fx.is_empty() {
        app.next_req += 1;
    }
    app.dirty = true;
    fx
}

fn submit(app: &mut App) -> Vec<Effect> {
    let req = app.req();
    let Some(form) = app.modals.create_mut() else {
        return Vec::new();
    };
    match form.properties() {
        Err(msg) => {
            form.error = Some(msg);
            if let Some(i) = form.fields.iter().position(|f| f.error.is_some()) {
                form.focus = i;
            }
            Vec::new()
        }
        Ok(properties) => {
            form.saving = Some(req);
            let associations = form
                .associations
                .iter()
                .map(|a| (a.kind, a.id.clone()))
                .collect();
            vec![Effect::Api(Command::CreateTicket {
                req,
                properties,
                associations,
            })]
        }
    }
}

/// Worker answers for the form; `None` when not the form's.
pub(super) fn on_event(app: &mut App, event: &Event) -> Option<Vec<Effect>> {
    let form = app.modals.create_mut()?;
    match event {
        Event::RecordsFound { req, items } if form.search.results.waits_for(*req) => {
            form.search.results = Loadable::Ready(items.clone());
            Some(Vec::new())
        }
        Event::TicketCreated { req, ticket } if form.saving == Some(*req) => {
            app.modals.close_create();
            let id = ticket.id.clone();
            app.list.insert_in_id_order(ticket.clone());
            app.fuzzy_stale = true;
            app.filter = None;
            app.list.set_view(None);
            app.list.select_id(&id);
            app.focus = Focus::List;
            app.info(format!("created ticket #{id}"));
            Some(app.selection_changed())
        }
        Event::Failed { req, failure } if form.search.results.waits_for(*req) => {
            form.search.results = Loadable::Failed(failure.clone());
            Some(Vec::new())
        }
        Event::Failed { req, failure } if form.saving == Some(*req) => {
            form.saving = None;
            for (name, msg) in &failure.field_errors {
                if let Some(f) = form.fields.iter_mut().find(|f| f.name == name) {
                    f.error = Some(msg.clone());
                }
            }
            form.error = Some(if failure.outcome_unknown {
                "HubSpot did not confirm the create: it may exist already. Not sent again — press \
                 Esc, then r to refresh the list and look for it before trying again"
                    .to_owned()
            } else {
                failure.summary.clone()
            });
            Some(Vec::new())
        }
        _ => None,
    }
}

/// The kinds the Associations field finds.
pub const SEARCHED: [ObjectKind; 3] = ObjectKind::RECORDS;
