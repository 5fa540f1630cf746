//! `b`: open exactly the tickets named by pasted record IDs, or by values of a unique
//! property (`idProperty`), through batch read. The list then shows those tickets in the
//! order given; values HubSpot doesn't know are reported by value.

use crossterm::event::{KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::{App, Effect, Focus};
use crate::action::Action;
use crate::keymap::Context;
use crate::protocol::ListSource;

/// At most this many values at once (10 batch reads).
pub const MAX_VALUES: usize = 1000;

/// The batch-open modal.
#[derive(Debug, Clone)]
pub struct BatchOpenForm {
    pub area: TextArea<'static>,
    /// `None` = record ID, else a unique-value property, with its label.
    pub id_properties: Vec<(Option<String>, String)>,
    pub chosen: usize,
    pub error: Option<String>,
}

impl BatchOpenForm {
    pub fn new(app: &App) -> Self {
        let mut id_properties = vec![(None, "Record ID".to_owned())];
        id_properties.extend(
            app.catalog
                .properties
                .iter()
                .filter(|p| p.has_unique_value)
                .map(|p| (Some(p.name.clone()), p.label.clone())),
        );
        let mut area = TextArea::default();
        area.set_placeholder_text("paste or type IDs, separated by spaces, commas or new lines");
        Self {
            area,
            id_properties,
            chosen: 0,
            error: None,
        }
    }

    /// The values typed, split on white space, commas and semicolons, duplicates dropped.
    pub fn values(&self) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        self.area
            .lines()
            .iter()
            .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == ',' || c == ';'))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .filter(|v| seen.insert((*v).to_owned()))
            .map(str::to_owned)
            .collect()
    }

    pub fn id_property(&self) -> Option<String> {
        self.id_properties
            .get(self.chosen)
            .and_then(|(p, _)| p.clone())
    }
}

/// `b` in the list.
pub(super) fn open(app: &mut App) -> Vec<Effect> {
    app.modals.open(BatchOpenForm::new(app));
    Vec::new()
}

/// Pasted text goes into the box.
pub(super) fn paste(app: &mut App, text: &str) {
    if let Some(f) = app.modals.batch_open_mut() {
        super::edit::paste_into(&mut f.area, text, true);
    }
}

pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let action = app.keymap.resolve(Context::Form, &key);
    if action == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    let Some(form) = app.modals.batch_open_mut() else {
        return Vec::new();
    };
    form.error = None;
    match (action, key.code) {
        (Some(Action::Cancel), _) => app.modals.close_batch_open(),
        (Some(Action::NextField), _) => form.chosen = (form.chosen + 1) % form.id_properties.len(),
        (Some(Action::PrevField), _) => {
            form.chosen = (form.chosen + form.id_properties.len() - 1) % form.id_properties.len();
        }
        (Some(Action::Save | Action::Open), _) if !key.modifiers.contains(KeyModifiers::ALT) => {
            return submit(app);
        }
        _ => {
            form.area.input(key);
        }
    }
    Vec::new()
}

fn submit(app: &mut App) -> Vec<Effect> {
    let Some(form) = app.modals.batch_open_mut() else {
        return Vec::new();
    };
    let values = form.values();
    if values.is_empty() {
        form.error = Some("type or paste at least one ID".into());
        return Vec::new();
    }
    if values.len() > MAX_VALUES {
        form.error = Some(format!(
            "at most {MAX_VALUES} at a time (got {})",
            values.len()
        ));
        return Vec::new();
    }
    let id_property = form.id_property();
    app.modals.close_batch_open();
    app.source = ListSource::Batch {
        values,
        id_property,
    };
    app.focus = Focus::List;
    app.reset_list()
}
