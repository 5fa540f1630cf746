//! Property editors: the modal that `e` opens on a property, with an input fitting the
//! property's type from the Properties API, local validation, and the save flow
//! (check for a colleague's change → PATCH only what changed → HubSpot's field errors shown
//! next to the field, the draft kept).
//!
//! Pure model and transitions; the app's `update` routes keys and worker events here.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use ratatui_textarea::TextArea;

use crate::action::Action;
use crate::domain::{Catalog, HistoryEntry, PropertyDef, PropertyType, Ticket};
use crate::fuzzy::{FuzzyFilter, Haystack};

use super::detail::ReqId;

/// One option of a picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// A filterable list of options (enumerations, pipelines, stages, owners, properties): the
/// one picker of every "choose from a list".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Picker {
    pub options: Vec<Choice>,
    /// Typed to narrow the options (matched on label and value, case-insensitively).
    pub query: String,
    /// Row under the cursor among the visible options.
    pub cursor: usize,
    /// Several values may be chosen (`checkbox` enumerations), `;`-joined on the wire.
    pub multi: bool,
    pub chosen: BTreeSet<String>,
    /// The query is matched fuzzily ([`crate::fuzzy`]: scattered letters, best match first)
    /// instead of as a substring: for long lists such as every property.
    pub fuzzy: bool,
    /// The marks were changed by hand (toggled or cleared): [`Picker::picks`] takes them as
    /// they are, without the option under the cursor.
    pub touched: bool,
}

impl Picker {
    pub fn new(options: Vec<Choice>, multi: bool, current: &str) -> Self {
        let chosen: BTreeSet<String> = current
            .split(';')
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        let cursor = options
            .iter()
            .position(|o| chosen.contains(&o.value))
            .unwrap_or(0);
        Self {
            options,
            query: String::new(),
            cursor,
            multi,
            chosen,
            fuzzy: false,
            touched: false,
        }
    }

    /// A picker with `chosen` marked (values may hold `;`), the cursor on the first of them.
    pub fn with_chosen(options: Vec<Choice>, multi: bool, chosen: &[String]) -> Self {
        let mut picker = Self::new(options, multi, "");
        picker.chosen = chosen.iter().cloned().collect();
        if let Some(i) = picker
            .options
            .iter()
            .position(|o| chosen.contains(&o.value))
        {
            picker.cursor = i;
        }
        picker
    }

    /// This picker matching its query fuzzily (see [`Picker::fuzzy`]).
    pub fn with_fuzzy(mut self) -> Self {
        self.fuzzy = true;
        self
    }

    /// Indices of the options matching the query. Substring matching: each of the query's
    /// words is in the label or the value (so spaces around it, a pasted line's break say,
    /// change nothing); those whose label starts with it first, then the other matches, each
    /// in option order. Fuzzy matching: best first, ties in option order. An empty query
    /// shows every option in order.
    pub fn visible(&self) -> Vec<usize> {
        if self.fuzzy {
            return self.fuzzy_visible();
        }
        let q = self.query.trim().to_lowercase();
        let mut hits: Vec<(bool, usize)> = self
            .options
            .iter()
            .enumerate()
            .filter_map(|(i, o)| {
                let label = o.label.to_lowercase();
                let value = o.value.to_lowercase();
                let hit = q
                    .split_whitespace()
                    .all(|w| label.contains(w) || value.contains(w));
                hit.then(|| (!label.starts_with(&q), i))
            })
            .collect();
        hits.sort_unstable();
        hits.into_iter().map(|(_, i)| i).collect()
    }

    fn fuzzy_visible(&self) -> Vec<usize> {
        if self.query.trim().is_empty() {
            return (0..self.options.len()).collect();
        }
        let rows = self
            .options
            .iter()
            .map(|o| Haystack::from_fields([o.label.as_str(), o.value.as_str()]))
            .collect();
        FuzzyFilter::new(rows).filter(&self.query).to_vec()
    }

    /// The option under the cursor.
    pub fn current(&self) -> Option<&Choice> {
        self.visible().get(self.cursor).map(|&i| &self.options[i])
    }

    pub fn move_by(&mut self, delta: isize) {
        let n = self.visible().len();
        self.cursor = self
            .cursor
            .saturating_add_signed(delta)
            .min(n.saturating_sub(1));
    }

    pub fn set_query(&mut self, query: String) {
        self.query = query;
        self.cursor = 0;
    }

    /// Pasted text narrows the options as if typed (on one line).
    pub fn paste(&mut self, text: &str) {
        let q = format!("{}{}", self.query, crate::text::sanitize(text));
        self.set_query(q);
    }

    /// A key in the picker, with what it means in the `picker` context of the keymap: moving,
    /// choosing (several-value pickers), clearing, or typing into the filter (unbound plain
    /// characters are text; Backspace un-types a character). Whether it was used: accepting
    /// and cancelling are the caller's.
    pub fn on_key(&mut self, action: Option<Action>, key: crossterm::event::KeyEvent) -> bool {
        use crossterm::event::{KeyCode, KeyModifiers};
        match action {
            Some(Action::Up) => self.move_by(-1),
            Some(Action::Down) => self.move_by(1),
            Some(Action::PageUp) => self.move_by(-10),
            Some(Action::PageDown) => self.move_by(10),
            Some(Action::Toggle) if self.multi => self.toggle(),
            Some(Action::Clear) => self.clear(),
            _ => match key.code {
                KeyCode::Backspace => {
                    let mut q = self.query.clone();
                    pop_grapheme(&mut q);
                    self.set_query(q);
                }
                // Text inputs keep plain characters as text.
                KeyCode::Char(c)
                    if !key
                        .modifiers
                        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    let q = format!("{}{c}", self.query);
                    self.set_query(q);
                }
                _ => return false,
            },
        }
        true
    }

    /// The check box drawn before an option: `[x] ` / `[ ] ` in a multi-select, else nothing.
    pub fn check_mark(&self, value: &str) -> &'static str {
        match (self.multi, self.chosen.contains(value)) {
            (false, _) => "",
            (true, true) => "[x] ",
            (true, false) => "[ ] ",
        }
    }

    /// Multi-select: toggles the option under the cursor.
    pub fn toggle(&mut self) {
        self.touched = true;
        if let Some(v) = self.current().map(|c| c.value.clone())
            && !self.chosen.remove(&v)
        {
            self.chosen.insert(v);
        }
    }

    /// Clears the marks of a multi-select, else the typed filter.
    pub fn clear(&mut self) {
        if self.multi {
            self.chosen.clear();
            self.touched = true;
        } else {
            self.set_query(String::new());
        }
    }

    /// What choosing now picks, in option order: a multi-select's marks (with the option
    /// under the cursor too while the marks were never touched, so Enter alone picks it), or
    /// the option under the cursor. `None` when a single choice has nothing to pick.
    pub fn picks(&self) -> Option<Vec<String>> {
        if !self.multi {
            return self.current().map(|c| vec![c.value.clone()]);
        }
        let under_cursor = self
            .current()
            .filter(|_| !self.touched)
            .map(|c| c.value.as_str());
        Some(
            self.options
                .iter()
                .filter(|o| {
                    self.chosen.contains(&o.value) || Some(o.value.as_str()) == under_cursor
                })
                .map(|o| o.value.clone())
                .collect(),
        )
    }

    /// The value to send: the chosen set (`;`-joined, in option order) or the cursor's option.
    pub fn value(&self) -> Option<String> {
        if self.multi {
            Some(
                self.options
                    .iter()
                    .filter(|o| self.chosen.contains(&o.value))
                    .map(|o| o.value.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            )
        } else {
            self.current().map(|c| c.value.clone())
        }
    }
}

/// Removes the last character as the user sees it (a grapheme cluster: `が` typed as か + ゛
/// goes in one Backspace).
pub fn pop_grapheme(s: &mut String) {
    use unicode_segmentation::UnicodeSegmentation;
    if let Some((i, _)) = s.grapheme_indices(true).next_back() {
        s.truncate(i);
    }
}

/// The input of an editor.
#[derive(Debug, Clone)]
pub enum Input {
    /// Free text; `multiline` for textareas (`content`).
    Text {
        area: TextArea<'static>,
        multiline: bool,
    },
    Number(TextArea<'static>),
    /// `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM` in the user's time zone with `with_time`.
    Date {
        area: TextArea<'static>,
        with_time: bool,
    },
    Bool(bool),
    Choice(Picker),
}

impl Input {
    /// Pasted text goes where typing goes: a multi-line text keeps its line breaks, a one-line
    /// input gets them as spaces, a choice narrows its options; control characters and
    /// escape sequences are dropped either way.
    pub fn paste(&mut self, text: &str) {
        match self {
            Self::Text { area, multiline } => paste_into(area, text, *multiline),
            Self::Number(area) | Self::Date { area, .. } => paste_into(area, text, false),
            Self::Bool(_) => {}
            Self::Choice(p) => p.paste(text),
        }
    }

    /// The text typed so far (text-like inputs).
    pub fn text(&self) -> Option<String> {
        match self {
            Self::Text { area, .. } | Self::Number(area) | Self::Date { area, .. } => {
                Some(area.lines().join("\n"))
            }
            _ => None,
        }
    }
}

/// Pasted text into a text area: line breaks kept where it is `multiline`, else spaces;
/// control characters and escape sequences dropped either way.
pub fn paste_into(area: &mut TextArea<'static>, text: &str, multiline: bool) {
    if multiline {
        area.insert_str(crate::text::sanitize_multiline(text));
    } else {
        area.insert_str(crate::text::sanitize(text));
    }
}

/// Where the save stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Editing,
    /// Re-reading the ticket to see whether someone changed it since the form opened.
    Checking(ReqId),
    /// The PATCH is on its way.
    Saving(ReqId),
    /// Someone changed the ticket since the form opened: these changes; overwrite, reload or
    /// keep editing.
    Conflict {
        changes: Vec<HistoryEntry>,
        latest_modified: String,
    },
    /// Esc with changes: discard them?
    ConfirmDiscard,
    /// A bulk edit landed partly: how many were written, and which tickets failed and why.
    BulkResult {
        written: usize,
        failed: Vec<(String, String)>,
    },
}

/// The edit modal.
#[derive(Debug, Clone)]
pub struct EditForm {
    pub ticket_id: String,
    pub subject: String,
    pub property: PropertyDef,
    /// The raw value when the form opened.
    pub original: String,
    /// `hs_lastmodifieddate` when the form opened (the conflict check compares against it).
    pub opened_modified: String,
    pub input: Input,
    /// Changing the pipeline: the pipeline picked, now a stage of it must be picked.
    pub new_pipeline: Option<(String, String)>,
    /// Local validation or HubSpot's message for this field.
    pub error: Option<String>,
    pub phase: Phase,
    /// The draft value last written to disk (written again only when it changes).
    pub saved_draft: Option<String>,
    /// Bulk edit: the tickets that all get the value (empty for a single ticket).
    pub bulk: Vec<String>,
}

/// Why a property can't be edited, in words.
pub fn not_editable_reason(def: &PropertyDef) -> Option<String> {
    if def.calculated {
        Some(format!(
            "{} is calculated by HubSpot and can't be edited",
            def.label
        ))
    } else if def.read_only_value {
        Some(format!("{} is read-only", def.label))
    } else {
        None
    }
}

pub(super) fn area(text: &str) -> TextArea<'static> {
    let mut a = TextArea::new(text.split('\n').map(str::to_owned).collect());
    a.move_cursor(ratatui_textarea::CursorMove::Bottom);
    a.move_cursor(ratatui_textarea::CursorMove::End);
    a
}

/// The picker options of a property: stages of the ticket's pipeline, pipelines, owners by
/// name, or the enumeration's visible options.
pub fn choices(catalog: &Catalog, def: &PropertyDef, ticket: &Ticket) -> Option<Vec<Choice>> {
    match def.name.as_str() {
        "hs_pipeline_stage" => {
            let pipeline = catalog.pipeline(ticket.pipeline())?;
            return Some(stage_choices(pipeline));
        }
        "hs_pipeline" => {
            return Some(
                catalog
                    .pipelines
                    .iter()
                    .map(|p| Choice {
                        value: p.id.clone(),
                        label: p.label.clone(),
                    })
                    .collect(),
            );
        }
        _ => {}
    }
    if def.referenced_object_type.as_deref() == Some("OWNER") {
        let mut owners = owner_choices(catalog);
        // HubSpot clears a value with "".
        owners.insert(
            0,
            Choice {
                value: String::new(),
                label: "(unassigned)".into(),
            },
        );
        return Some(owners);
    }
    if def.kind == PropertyType::Enumeration {
        let mut opts: Vec<_> = def.options.iter().filter(|o| !o.hidden).collect();
        opts.sort_by_key(|o| o.display_order);
        let mut list: Vec<Choice> = opts
            .into_iter()
            .map(|o| Choice {
                value: o.value.clone(),
                label: o.label.clone(),
            })
            .collect();
        if def.field_type != "checkbox" {
            list.insert(
                0,
                Choice {
                    value: String::new(),
                    label: "(no value)".into(),
                },
            );
        }
        return Some(list);
    }
    None
}

/// The text a date input shows for a raw `value`: the day (date properties are midnight
/// UTC) or the local time to the minute.
fn date_text(value: &str, with_time: bool, tz: &jiff::tz::TimeZone) -> String {
    match crate::domain::parse_timestamp(value) {
        Some(t) if with_time => crate::domain::format_time(t, tz),
        Some(t) => t
            .to_zoned(jiff::tz::TimeZone::UTC)
            .strftime("%Y-%m-%d")
            .to_string(),
        None => value.to_owned(),
    }
}

/// The owners a ticket can have (archived ones left out), by name.
pub fn owner_choices(catalog: &Catalog) -> Vec<Choice> {
    let mut owners: Vec<Choice> = catalog
        .owners
        .iter()
        .filter(|o| !o.archived)
        .map(|o| Choice {
            value: o.id.clone(),
            label: o.display_name(),
        })
        .collect();
    owners.sort_by_key(|a| a.label.to_lowercase());
    owners
}

pub fn stage_choices(pipeline: &crate::domain::Pipeline) -> Vec<Choice> {
    pipeline
        .stages
        .iter()
        .map(|s| Choice {
            value: s.id.clone(),
            label: s.label.clone(),
        })
        .collect()
}

impl EditForm {
    /// Opens an editor for `def` on `ticket`; `Err` says why it can't be edited.
    pub fn open(catalog: &Catalog, ticket: &Ticket, def: &PropertyDef) -> Result<Self, String> {
        if let Some(why) = not_editable_reason(def) {
            return Err(why);
        }
        let value = ticket.prop(&def.name).to_owned();
        let input = if let Some(options) = choices(catalog, def, ticket) {
            if options.is_empty() {
                return Err(format!("{} has no options to choose from", def.label));
            }
            Input::Choice(Picker::new(options, def.field_type == "checkbox", &value))
        } else {
            match def.kind {
                PropertyType::Number => Input::Number(area(&value)),
                PropertyType::Bool => Input::Bool(value == "true"),
                PropertyType::Date => Input::Date {
                    area: area(&date_text(&value, false, &catalog.tz)),
                    with_time: false,
                },
                PropertyType::DateTime => Input::Date {
                    area: area(&date_text(&value, true, &catalog.tz)),
                    with_time: true,
                },
                _ => Input::Text {
                    area: area(&value),
                    multiline: def.field_type == "textarea" || def.name == "content",
                },
            }
        };
        Ok(Self {
            ticket_id: ticket.id.clone(),
            subject: ticket.subject().to_owned(),
            property: def.clone(),
            original: value,
            opened_modified: ticket.prop("hs_lastmodifieddate").to_owned(),
            input,
            new_pipeline: None,
            error: None,
            phase: Phase::Editing,
            saved_draft: None,
            bulk: Vec::new(),
        })
    }

    /// The properties to send, validated locally; `Err` is the message for the field.
    pub fn changes(&self, tz: &jiff::tz::TimeZone) -> Result<BTreeMap<String, String>, String> {
        let name = self.property.name.clone();
        let value = match &self.input {
            Input::Text { area, multiline } => {
                let text = area.lines().join("\n");
                if *multiline {
                    text
                } else {
                    text.trim().to_owned()
                }
            }
            Input::Number(area) => {
                let t = area.lines().join("").trim().to_owned();
                if t.is_empty() {
                    t
                } else {
                    match t.replace(['_', ','], "").parse::<f64>() {
                        Ok(n) if n.is_finite() => t.replace(['_', ','], ""),
                        _ => return Err(format!("{t:?} is not a number")),
                    }
                }
            }
            Input::Date { area, with_time } => {
                let t = area.lines().join("").trim().to_owned();
                // Shown to the minute (or day): the text as opened is the value as it was,
                // not a change that would drop its seconds.
                if self.bulk.is_empty() && t == date_text(&self.original, *with_time, tz) {
                    return Ok(BTreeMap::new());
                }
                if t.is_empty() {
                    t
                } else if *with_time {
                    parse_local_datetime(&t, tz)?
                } else {
                    jiff::civil::Date::strptime("%Y-%m-%d", &t)
                        .map_err(|_| format!("{t:?} is not a date like 2026-03-01"))?
                        .to_string()
                }
            }
            Input::Bool(b) => b.to_string(),
            Input::Choice(p) => {
                if let Some((pipeline, _)) = &self.new_pipeline {
                    let stage = p
                        .value()
                        .filter(|s| !s.is_empty())
                        .ok_or("choose a stage of the new pipeline")?;
                    return Ok(BTreeMap::from([
                        ("hs_pipeline".to_owned(), pipeline.clone()),
                        ("hs_pipeline_stage".to_owned(), stage),
                    ]));
                }
                p.value().ok_or("nothing matches; clear the filter")?
            }
        };
        if self.property.name == "subject" && value.is_empty() {
            return Err("a ticket needs a name".to_owned());
        }
        // In a bulk edit the tickets' current values differ: whatever is chosen is sent.
        if value == self.original && self.bulk.is_empty() {
            return Ok(BTreeMap::new());
        }
        Ok(BTreeMap::from([(name, value)]))
    }

    /// A bulk editor: `template` is one of the tickets (for its pipeline's stages); the value
    /// starts empty and is sent to every ticket in `ids`.
    pub fn open_bulk(
        catalog: &Catalog,
        template: &Ticket,
        def: &PropertyDef,
        ids: Vec<String>,
    ) -> Result<Self, String> {
        let mut blank = template.clone();
        blank.properties.remove(&def.name);
        let mut form = Self::open(catalog, &blank, def)?;
        form.subject = format!("{} tickets", ids.len());
        form.ticket_id = ids.first().cloned().unwrap_or_default();
        form.bulk = ids;
        Ok(form)
    }

    /// Whether the user changed anything (Esc then asks before discarding).
    pub fn is_dirty(&self, tz: &jiff::tz::TimeZone) -> bool {
        self.new_pipeline.is_some()
            || match self.changes(tz) {
                Ok(c) => !c.is_empty(),
                Err(_) => true,
            }
    }

    /// Text of the draft worth keeping if hubtix stops now.
    pub fn draft_value(&self) -> Option<String> {
        match &self.input {
            Input::Bool(b) => Some(b.to_string()),
            Input::Choice(p) => p.value(),
            other => other.text(),
        }
    }

    /// The draft to write to disk, when the value changed since the last one written.
    pub fn draft_to_save(&mut self, tz: &jiff::tz::TimeZone) -> Option<crate::drafts::Draft> {
        if !self.bulk.is_empty() {
            // A bulk edit is one choice away from done; it is not kept as a draft.
            return None;
        }
        let value = self.draft_value()?;
        if !self.is_dirty(tz) || self.saved_draft.as_deref() == Some(value.as_str()) {
            return None;
        }
        self.saved_draft = Some(value.clone());
        Some(crate::drafts::Draft {
            ticket_id: self.ticket_id.clone(),
            property: self.property.name.clone(),
            value,
            opened_modified: self.opened_modified.clone(),
            subject: self.subject.clone(),
            label: self.property.label.clone(),
            kind: crate::drafts::DraftKind::Property,
        })
    }

    /// Puts a draft's value back into the input.
    pub fn restore_draft(&mut self, value: &str) {
        match &mut self.input {
            Input::Text { area: a, .. } | Input::Number(a) | Input::Date { area: a, .. } => {
                *a = area(value);
            }
            Input::Bool(b) => *b = value == "true",
            Input::Choice(p) => {
                let options = std::mem::take(&mut p.options);
                *p = Picker::new(options, p.multi, value);
            }
        }
    }
}

/// `2026-03-01 14:05` (or with seconds, or ISO 8601) in `tz` → ISO 8601 UTC for HubSpot.
pub fn parse_local_datetime(text: &str, tz: &jiff::tz::TimeZone) -> Result<String, String> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t.to_string());
    }
    for fmt in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d",
    ] {
        let parsed = if fmt == "%Y-%m-%d" {
            jiff::civil::Date::strptime(fmt, text)
                .map(|d| d.to_datetime(jiff::civil::Time::midnight()))
        } else {
            jiff::civil::DateTime::strptime(fmt, text)
        };
        if let Ok(dt) = parsed {
            return dt
                .to_zoned(tz.clone())
                .map(|z| z.timestamp().to_string())
                .map_err(|e| format!("{text:?}: {e}"));
        }
    }
    Err(format!(
        "{text:?} is not a date and time like 2026-03-01 14:05"
    ))
}

/// The changes made by others since `opened_modified`: history entries newer than it.
pub fn changes_since(ticket: &Ticket, opened_modified: &str) -> Vec<HistoryEntry> {
    let since = crate::domain::parse_timestamp(opened_modified);
    let Some(h) = &ticket.history else {
        return Vec::new();
    };
    crate::domain::timeline(h)
        .into_iter()
        .filter(|e| since.is_none_or(|s| e.timestamp > s))
        .filter(|e| e.property != "hs_lastmodifieddate")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PropertyOption;

    fn def(name: &str, kind: PropertyType, field_type: &str) -> PropertyDef {
        PropertyDef {
            name: name.into(),
            label: name.into(),
            kind,
            field_type: field_type.into(),
            group_name: "g".into(),
            description: String::new(),
            options: vec![],
            display_order: 0,
            hidden: false,
            calculated: false,
            read_only_value: false,
            has_unique_value: false,
            hubspot_defined: true,
            referenced_object_type: None,
            duration: false,
        }
    }

    fn ticket(props: &[(&str, &str)]) -> Ticket {
        Ticket {
            id: "7".into(),
            properties: props
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            created_at: None,
            updated_at: None,
            archived: false,
            history: None,
        }
    }

    fn set_text(form: &mut EditForm, text: &str) {
        match &mut form.input {
            Input::Text { area: a, .. } | Input::Number(a) | Input::Date { area: a, .. } => {
                *a = area(text)
            }
            _ => panic!("not a text input"),
        }
    }

    #[test]
    fn only_changed_values_are_sent() {
        let c = Catalog::default();
        let t = ticket(&[("subject", "Printer")]);
        let mut f =
            EditForm::open(&c, &t, &def("subject", PropertyType::String, "text")).expect("open");
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(f.changes(&utc), Ok(BTreeMap::new()));
        assert!(!f.is_dirty(&utc));
        set_text(&mut f, "  Printer on fire ");
        assert_eq!(
            f.changes(&utc)
                .expect("valid")
                .get("subject")
                .map(String::as_str),
            Some("Printer on fire")
        );
        set_text(&mut f, "");
        assert!(f.changes(&utc).is_err(), "a ticket needs a name");
    }

    #[test]
    fn numbers_and_dates_are_validated() {
        let c = Catalog::default();
        let t = ticket(&[]);
        let utc = jiff::tz::TimeZone::UTC;
        let mut n =
            EditForm::open(&c, &t, &def("n", PropertyType::Number, "number")).expect("open");
        set_text(&mut n, "12x");
        assert!(n.changes(&utc).expect_err("bad").contains("not a number"));
        set_text(&mut n, "1,250.5");
        assert_eq!(n.changes(&utc).expect("ok")["n"], "1250.5");
        let mut d = EditForm::open(&c, &t, &def("d", PropertyType::Date, "date")).expect("open");
        set_text(&mut d, "2026-02-30");
        assert!(d.changes(&utc).is_err());
        set_text(&mut d, "2026-03-01");
        assert_eq!(d.changes(&utc).expect("ok")["d"], "2026-03-01");
        let mut dt =
            EditForm::open(&c, &t, &def("dt", PropertyType::DateTime, "date")).expect("open");
        set_text(&mut dt, "yesterday");
        assert!(dt.changes(&utc).is_err());
        set_text(&mut dt, "2026-03-01 14:05");
        assert_eq!(dt.changes(&utc).expect("ok")["dt"], "2026-03-01T14:05:00Z");
        let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").expect("tz");
        assert_eq!(
            parse_local_datetime("2026-03-01 14:05", &tokyo),
            Ok("2026-03-01T05:05:00Z".into())
        );
    }

    #[test]
    fn read_only_and_calculated_say_why() {
        let c = Catalog::default();
        let t = ticket(&[]);
        let mut d = def("hs_is_closed", PropertyType::Bool, "booleancheckbox");
        d.calculated = true;
        assert!(
            EditForm::open(&c, &t, &d)
                .expect_err("calculated")
                .contains("calculated")
        );
        let mut d = def("createdate", PropertyType::DateTime, "date");
        d.read_only_value = true;
        assert!(
            EditForm::open(&c, &t, &d)
                .expect_err("read-only")
                .contains("read-only")
        );
    }

    fn choice_list(pairs: &[(&str, &str)]) -> Vec<Choice> {
        pairs
            .iter()
            .map(|(label, value)| Choice {
                value: (*value).into(),
                label: (*label).into(),
            })
            .collect()
    }

    fn press(code: crossterm::event::KeyCode) -> crossterm::event::KeyEvent {
        crossterm::event::KeyEvent::new(code, crossterm::event::KeyModifiers::NONE)
    }

    #[test]
    fn fuzzy_pickers_match_scattered_letters_best_first() {
        let options = choice_list(&[
            ("Ticket description", "content"),
            ("Ticket name", "subject"),
            ("Category", "hs_ticket_category"),
            ("プリンターの型番", "printer_model"),
        ]);
        let mut p = Picker::new(options.clone(), false, "").with_fuzzy();
        assert_eq!(p.visible(), vec![0, 1, 2, 3], "no query: all, in order");
        p.set_query("tkname".into());
        assert_eq!(p.current().map(|c| c.value.as_str()), Some("subject"));
        // The value is matched too, and words in any order.
        p.set_query("categ hs".into());
        assert_eq!(p.visible(), vec![2]);
        p.set_query("型番 プリ".into());
        assert_eq!(p.visible(), vec![3]);
        // A substring picker does not match scattered letters.
        let mut plain = Picker::new(options, false, "");
        plain.set_query("tkname".into());
        assert!(plain.visible().is_empty());
    }

    #[test]
    fn picks_take_the_cursor_until_the_marks_are_touched() {
        let options = choice_list(&[("A", "a"), ("B", "b"), ("C", "c;d")]);
        // Values with `;` are kept whole.
        let mut p = Picker::with_chosen(options.clone(), true, &["c;d".to_owned()]);
        assert_eq!(p.current().map(|c| c.value.as_str()), Some("c;d"));
        assert_eq!(p.picks(), Some(vec!["c;d".to_owned()]));
        // Untouched, Enter alone picks the option under the cursor too, in option order.
        p.move_by(-2);
        assert_eq!(p.picks(), Some(vec!["a".to_owned(), "c;d".into()]));
        // Once the marks are touched they are taken as they are.
        p.move_by(1);
        p.toggle();
        p.move_by(-1);
        assert_eq!(p.picks(), Some(vec!["b".to_owned(), "c;d".into()]));
        p.clear();
        assert_eq!(p.picks(), Some(Vec::new()));
        // A single choice picks the cursor's option, none when nothing matches.
        let mut one = Picker::new(options, false, "");
        one.set_query("zzz".into());
        assert_eq!(one.picks(), None);
        assert!(one.on_key(Some(Action::Clear), press(crossterm::event::KeyCode::Esc)));
        assert_eq!(one.query, "");
        assert_eq!(one.picks(), Some(vec!["a".to_owned()]));
    }

    #[test]
    fn backspace_takes_back_what_was_seen_as_one_character() {
        use crossterm::event::KeyCode;
        let mut p = Picker::new(choice_list(&[("が", "ga")]), false, "");
        // か + the combining voiced mark: one character on screen.
        p.on_key(None, press(KeyCode::Char('a')));
        p.paste("か\u{3099}");
        assert_eq!(p.query, "aか\u{3099}");
        p.on_key(None, press(KeyCode::Backspace));
        assert_eq!(p.query, "a");
    }

    #[test]
    fn pickers_filter_and_multi_select_joins() {
        let c = Catalog::default();
        let t = ticket(&[("cat", "A")]);
        let mut d = def("cat", PropertyType::Enumeration, "checkbox");
        d.options = ["A", "B", "C"]
            .iter()
            .enumerate()
            .map(|(i, v)| PropertyOption {
                label: format!("Label {v}"),
                value: (*v).into(),
                hidden: false,
                display_order: i32::try_from(i).unwrap_or(0),
            })
            .collect();
        let mut f = EditForm::open(&c, &t, &d).expect("open");
        let Input::Choice(p) = &mut f.input else {
            panic!("picker")
        };
        assert!(p.multi);
        p.set_query("label c".into());
        assert_eq!(p.visible().len(), 1);
        p.toggle();
        assert_eq!(p.value().as_deref(), Some("A;C"));
        p.set_query("zzz".into());
        assert_eq!(p.current(), None);
        assert_eq!(
            f.changes(&jiff::tz::TimeZone::UTC).expect("ok")["cat"],
            "A;C"
        );
    }

    #[test]
    fn a_pasted_line_finds_its_option_whatever_line_breaks_come_with_it() {
        let options: Vec<Choice> = ["Low", "Medium", "High"]
            .iter()
            .map(|l| Choice {
                value: l.to_uppercase(),
                label: (*l).into(),
            })
            .collect();
        // A copied line usually ends with its line break, which a one-line input gets as a
        // space.
        let mut p = Picker::new(options.clone(), false, "");
        p.paste("low\n");
        assert_eq!(p.current().map(|c| c.value.as_str()), Some("LOW"));
        let mut p = Picker::new(options, false, "");
        p.paste("\r\nmed\r\n");
        assert_eq!(p.current().map(|c| c.value.as_str()), Some("MEDIUM"));
        // Not the longer option the space would have picked instead.
        let operators: Vec<Choice> = ["is", "is not"]
            .iter()
            .map(|o| Choice {
                value: (*o).into(),
                label: (*o).into(),
            })
            .collect();
        let mut p = Picker::new(operators, false, "");
        p.paste("is\n");
        assert_eq!(p.current().map(|c| c.value.as_str()), Some("is"));
    }
}
