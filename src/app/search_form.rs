//! `s`: the search form. Refines the view being shown: free text, pipeline, stages, priority,
//! category, owner, created/modified ranges, conditions on any property (OR-groups), sort,
//! columns, and a name to save the search as a view.
//!
//! Pure model and transitions: no clock, no I/O. The app routes keys here and acts on the
//! [`Outcome`]: re-count on `Changed` (debounced, then [`SearchForm::set_preview`]), show the
//! results on `Apply`, write the view on `Save`, close on `Cancel`.
//!
//! Keys (besides the `form` context's Tab/Shift-Tab, Ctrl-s, Esc, Enter):
//! - text fields (Text, dates, Save as): type, Backspace, Ctrl-u clears, Enter next field;
//! - choice fields: Enter, Space or typing opens the picker (type to filter, ↑/↓, Space
//!   toggles, Enter chooses, Ctrl-u clears the picks), Delete / Ctrl-u clear the field;
//! - Conditions: Enter or `a` adds (property → operator → value), `j`/`k` select, `x`/Delete
//!   remove, `o` starts a new OR-group;
//! - Sort: Enter picks the property, Space or `d` flips the direction, Delete clears;
//! - Columns: Enter or `a` adds one at the end, ←/→ or `h`/`l` select, `<`/`>` move,
//!   `x`/Delete remove, Ctrl-u back to the default columns;
//! - Ctrl-w saves as a view under the Save-as name (refused, with a message, when empty).
//!
//! Every key is swallowed: a `q` typed in a field types a q. Ctrl-c (force quit) is the app's
//! to check before routing keys here.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use jiff::Timestamp;
use unicode_segmentation::UnicodeSegmentation;

use super::edit::{Choice, Picker};
use crate::action::Action;
use crate::domain::search::FilterOperator;
use crate::domain::{Catalog, PropertyDef, PropertyType};
use crate::keymap::{Context, Keymap};
use crate::views::{
    self, CLOSED, Condition, DateRange, End, ME, OPEN, Operand, SortSpec, UNASSIGNED, View,
    canonical_property, operand, operator_label, operators_for, parse_when,
};

/// What the app does after a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing for the app to do but redraw (navigation, sort, columns, the save-as name).
    Nothing,
    /// The search terms changed: count the matches again (debounced).
    Changed,
    /// Ctrl-s: search now and show the results as the current view (modified).
    Apply(View),
    /// Ctrl-w: save as a view named by the Save-as field.
    Save(View),
    /// Esc (confirmed when there were changes): close the form, keep the current view.
    Cancel,
}

/// The match count shown under the form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Preview {
    #[default]
    Idle,
    Counting,
    Count(u64),
    /// More than HubSpot search reaches (10,000).
    Capped(u64),
    /// The search can't run as it is (compile error, HubSpot's message).
    Error(String),
}

/// The form's fields, in focus order. Created and Modified have two inputs each (from, to),
/// drawn on one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Text,
    Pipeline,
    Stages,
    Priority,
    Category,
    Owner,
    CreatedFrom,
    CreatedTo,
    ModifiedFrom,
    ModifiedTo,
    Conditions,
    Sort,
    Columns,
    SaveAs,
}

impl Field {
    pub const ALL: [Field; 14] = [
        Field::Text,
        Field::Pipeline,
        Field::Stages,
        Field::Priority,
        Field::Category,
        Field::Owner,
        Field::CreatedFrom,
        Field::CreatedTo,
        Field::ModifiedFrom,
        Field::ModifiedTo,
        Field::Conditions,
        Field::Sort,
        Field::Columns,
        Field::SaveAs,
    ];

    fn index(self) -> usize {
        Self::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    fn step(self, delta: isize) -> Field {
        let n = Self::ALL.len();
        let i = (self.index() as isize + delta).rem_euclid(n as isize) as usize;
        Self::ALL[i]
    }

    /// The row's label.
    pub fn label(self) -> &'static str {
        match self {
            Field::Text => "Text",
            Field::Pipeline => "Pipeline",
            Field::Stages => "Stages",
            Field::Priority => "Priority",
            Field::Category => "Category",
            Field::Owner => "Owner",
            Field::CreatedFrom | Field::CreatedTo => "Created",
            Field::ModifiedFrom | Field::ModifiedTo => "Modified",
            Field::Conditions => "Conditions",
            Field::Sort => "Sort",
            Field::Columns => "Columns",
            Field::SaveAs => "Save as",
        }
    }

    /// Typed into as text.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Field::Text
                | Field::CreatedFrom
                | Field::CreatedTo
                | Field::ModifiedFrom
                | Field::ModifiedTo
                | Field::SaveAs
        )
    }

    /// Chosen with a picker.
    pub fn is_choice(self) -> bool {
        matches!(
            self,
            Field::Pipeline | Field::Stages | Field::Priority | Field::Category | Field::Owner
        )
    }

    pub fn is_date(self) -> bool {
        matches!(
            self,
            Field::CreatedFrom | Field::CreatedTo | Field::ModifiedFrom | Field::ModifiedTo
        )
    }
}

/// A picker in a popup: a [`Picker`], optionally fuzzy-filtered over `all` by `query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPick {
    pub title: String,
    pub picker: Picker,
    /// Fuzzy pickers: every option; `picker.options` holds the matches, best first.
    pub all: Option<Vec<Choice>>,
    /// The fuzzy query (plain pickers filter with `picker.query`).
    pub query: String,
    /// Show each option's value next to its label (property names).
    pub show_values: bool,
    /// Space was used: Enter confirms the picks as they are.
    pub touched: bool,
}

impl ListPick {
    fn new(title: &str, options: Vec<Choice>, multi: bool, chosen: &[String]) -> Self {
        let mut picker = Picker::new(options, multi, "");
        picker.chosen = chosen.iter().cloned().collect();
        if let Some(i) = picker
            .options
            .iter()
            .position(|o| chosen.contains(&o.value))
        {
            picker.cursor = i;
        }
        Self {
            title: title.to_owned(),
            picker,
            all: None,
            query: String::new(),
            show_values: false,
            touched: false,
        }
    }

    fn fuzzy(title: &str, options: Vec<Choice>) -> Self {
        let mut p = Self::new(title, options.clone(), false, &[]);
        p.all = Some(options);
        p.show_values = true;
        p
    }

    /// The filter text as typed.
    pub fn filter(&self) -> &str {
        if self.all.is_some() {
            &self.query
        } else {
            &self.picker.query
        }
    }

    fn set_fuzzy_query(&mut self, q: String) {
        if let Some(all) = &self.all {
            self.picker.options = fuzzy_filter(all, &q);
            self.picker.cursor = 0;
            self.query = q;
        }
    }

    fn type_text(&mut self, text: &str) {
        if self.all.is_some() {
            let q = format!("{}{text}", self.query);
            self.set_fuzzy_query(q);
        } else {
            let q = format!("{}{text}", self.picker.query);
            self.picker.set_query(q);
        }
    }

    /// Moving, filtering, toggling. Enter, Esc and chords are the caller's.
    fn on_key(&mut self, pick: Option<Action>, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                if self.picker.multi {
                    self.picker.chosen.clear();
                    self.touched = true;
                } else if self.all.is_some() {
                    self.set_fuzzy_query(String::new());
                } else {
                    self.picker.set_query(String::new());
                }
            }
            KeyCode::Char(' ') if self.picker.multi => {
                self.picker.toggle();
                self.touched = true;
            }
            KeyCode::Backspace if self.all.is_some() => {
                let mut q = self.query.clone();
                pop_grapheme(&mut q);
                self.set_fuzzy_query(q);
            }
            KeyCode::Char(c) if self.all.is_some() && !ctrl && !alt(key) => {
                self.type_text(&c.to_string());
            }
            _ => {
                self.picker.on_key(pick, key);
            }
        }
    }

    /// Enter: the picks (multi) or the option under the cursor. In a multi-select where
    /// Space was never used, Enter also picks the option under the cursor.
    fn confirm(&mut self) -> Option<Vec<String>> {
        if self.picker.multi {
            if !self.touched
                && let Some(c) = self.picker.current()
            {
                let v = c.value.clone();
                self.picker.chosen.insert(v);
            }
            Some(
                self.picker
                    .options
                    .iter()
                    .filter(|o| self.picker.chosen.contains(&o.value))
                    .map(|o| o.value.clone())
                    .collect(),
            )
        } else {
            self.picker.current().map(|c| vec![c.value.clone()])
        }
    }
}

/// Case-insensitive subsequence match of `query` against label and value; best first (label
/// prefix, then substring, then scattered), then in option order. Words must all match.
fn fuzzy_filter(all: &[Choice], query: &str) -> Vec<Choice> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return all.to_vec();
    }
    let subseq = |hay: &str, needle: &str| {
        let mut hay = hay.chars();
        needle.chars().all(|n| hay.any(|h| h == n))
    };
    let mut hits: Vec<(u8, usize)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let label = c.label.to_lowercase();
            let value = c.value.to_lowercase();
            let mut score = 0u8;
            for w in &words {
                let s = if label.starts_with(w.as_str()) || value.starts_with(w.as_str()) {
                    0
                } else if label.contains(w.as_str()) || value.contains(w.as_str()) {
                    1
                } else if subseq(&label, w) || subseq(&value, w) {
                    2
                } else {
                    return None;
                };
                score = score.max(s);
            }
            Some((score, i))
        })
        .collect();
    hits.sort_unstable();
    hits.into_iter().map(|(_, i)| all[i].clone()).collect()
}

/// A property as the condition flow knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropInfo {
    pub name: String,
    pub label: String,
    pub kind: PropertyType,
}

/// The value step of the condition flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueInput {
    Pick(ListPick),
    /// Text: one value, two (`between`: `low` and `high`), or a comma-separated list.
    Text {
        low: String,
        high: String,
        two: bool,
        list: bool,
        on_high: bool,
    },
}

/// Adding a condition: property → operator → value. Each step's `Esc` goes back one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionFlow {
    pub properties: ListPick,
    pub property: Option<PropInfo>,
    pub operators: Option<ListPick>,
    pub operator: Option<FilterOperator>,
    pub value: Option<ValueInput>,
    pub error: Option<String>,
}

/// What is open over the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Choose { field: Field, list: ListPick },
    Condition(Box<ConditionFlow>),
    SortBy(ListPick),
    AddColumn(ListPick),
}

/// The search form (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchForm {
    original: View,
    pub query: String,
    pub pipeline: Option<String>,
    pub stages: Vec<String>,
    pub priorities: Vec<String>,
    pub owners: Vec<String>,
    pub categories: Vec<String>,
    pub created: DateRange,
    pub modified: DateRange,
    pub conditions: Vec<Condition>,
    pub sort: Option<SortSpec>,
    pub columns: Vec<String>,
    pub save_as: String,
    pub focus: Field,
    /// Selected condition, in display order (see [`SearchForm::condition_order`]).
    pub cond_cursor: usize,
    /// `o` was pressed: the next condition starts this OR-group.
    pub new_group: Option<u8>,
    /// Selected column (an index into [`SearchForm::shown_columns`]).
    pub col_cursor: usize,
    pub popup: Option<Popup>,
    /// Esc with changes: asking whether to discard them.
    pub confirm_discard: bool,
    /// A message for the user (a refused save, a date to fix).
    pub message: Option<String>,
    pub preview: Preview,
    /// Dates are checked in this zone (the catalogue's).
    tz: jiff::tz::TimeZone,
}

/// A fixed instant to check date words against: whether a word parses doesn't depend on when.
fn check_time() -> Timestamp {
    Timestamp::from_second(1_767_225_600).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn alt(key: KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::ALT)
}

fn ctrl(key: KeyEvent) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL)
}

fn plain_char(key: KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c) if !ctrl(key) && !alt(key) => Some(c),
        _ => None,
    }
}

fn pop_grapheme(s: &mut String) {
    if let Some((i, _)) = s.grapheme_indices(true).next_back() {
        s.truncate(i);
    }
}

/// Whether a date input's text is a date `parse_when` reads (empty is fine).
pub fn date_error(text: &str, tz: &jiff::tz::TimeZone) -> Option<String> {
    let t = text.trim();
    if t.is_empty() || parse_when(t, End::Start, tz, check_time()).is_some() {
        None
    } else {
        Some(format!(
            "\"{t}\" is not a date (try 2026-11-01, today, this week, -7d)"
        ))
    }
}

/// The visible properties by label (with the name shown too), for property pickers.
fn property_choices(catalog: &Catalog, skip: &[String]) -> Vec<Choice> {
    let mut props: Vec<&PropertyDef> = catalog
        .properties
        .iter()
        .filter(|p| !p.hidden && !skip.contains(&p.name))
        .collect();
    props.sort_by_key(|p| p.label.to_lowercase());
    props
        .into_iter()
        .map(|p| Choice {
            value: p.name.clone(),
            label: p.label.clone(),
        })
        .collect()
}

/// The options of an enumeration property, visible ones in display order.
fn option_choices(def: &PropertyDef) -> Vec<Choice> {
    let mut opts: Vec<_> = def.options.iter().filter(|o| !o.hidden).collect();
    opts.sort_by_key(|o| o.display_order);
    opts.into_iter()
        .map(|o| Choice {
            value: o.value.clone(),
            label: o.label.clone(),
        })
        .collect()
}

fn owner_choices(catalog: &Catalog) -> Vec<Choice> {
    super::edit::owner_choices(catalog)
}

/// Every stage of the pipeline (or of all pipelines, labelled "Stage · Pipeline").
fn stage_choices(catalog: &Catalog, pipeline: Option<&str>) -> Vec<Choice> {
    match pipeline.and_then(|id| catalog.pipeline(id)) {
        Some(p) => super::edit::stage_choices(p),
        None => catalog
            .pipelines
            .iter()
            .flat_map(|p| {
                p.stages.iter().map(|s| Choice {
                    value: s.id.clone(),
                    label: if catalog.pipelines.len() > 1 {
                        format!("{} · {}", s.label, p.label)
                    } else {
                        s.label.clone()
                    },
                })
            })
            .collect(),
    }
}

/// The options a field's picker offers, current values not among them kept at the end.
pub fn field_choices(
    field: Field,
    catalog: &Catalog,
    pipeline: Option<&str>,
    current: &[String],
) -> Vec<Choice> {
    let mut list = match field {
        Field::Pipeline => {
            let mut l = vec![Choice {
                value: String::new(),
                label: "Any pipeline".into(),
            }];
            l.extend(catalog.pipelines.iter().map(|p| Choice {
                value: p.id.clone(),
                label: p.label.clone(),
            }));
            l
        }
        Field::Stages => {
            let mut l = vec![
                Choice {
                    value: OPEN.into(),
                    label: "Open stages".into(),
                },
                Choice {
                    value: CLOSED.into(),
                    label: "Closed stages".into(),
                },
            ];
            l.extend(stage_choices(catalog, pipeline));
            l
        }
        Field::Priority | Field::Category => {
            let name = if field == Field::Priority {
                "hs_ticket_priority"
            } else {
                "hs_ticket_category"
            };
            catalog
                .property(name)
                .map(option_choices)
                .unwrap_or_default()
        }
        Field::Owner => {
            let mut l = vec![
                Choice {
                    value: ME.into(),
                    label: "Me".into(),
                },
                Choice {
                    value: UNASSIGNED.into(),
                    label: "Unassigned".into(),
                },
            ];
            l.extend(owner_choices(catalog));
            l
        }
        _ => Vec::new(),
    };
    for v in current {
        if !list.iter().any(|c| &c.value == v) {
            let label = value_label(field, v, catalog, pipeline);
            list.push(Choice {
                value: v.clone(),
                label,
            });
        }
    }
    list
}

/// How a field's value reads: stage, pipeline and option labels, owner names.
pub fn value_label(field: Field, value: &str, catalog: &Catalog, pipeline: Option<&str>) -> String {
    match field {
        Field::Pipeline => catalog
            .pipeline(value)
            .map_or_else(|| value.to_owned(), |p| p.label.clone()),
        Field::Stages => match value {
            OPEN => "Open stages".into(),
            CLOSED => "Closed stages".into(),
            v => {
                if let Some(label) = v.strip_prefix("label:") {
                    return label.trim().to_owned();
                }
                if let Some(p) = pipeline.and_then(|id| catalog.pipeline(id))
                    && let Some(s) = p.stages.iter().find(|s| s.id == v)
                {
                    return s.label.clone();
                }
                for p in &catalog.pipelines {
                    if let Some(s) = p.stages.iter().find(|s| s.id == v) {
                        return if catalog.pipelines.len() > 1 {
                            format!("{} · {}", s.label, p.label)
                        } else {
                            s.label.clone()
                        };
                    }
                }
                v.to_owned()
            }
        },
        Field::Priority => catalog
            .property("hs_ticket_priority")
            .and_then(|d| d.option_label(value))
            .unwrap_or_else(|| value.to_owned()),
        Field::Category => catalog
            .property("hs_ticket_category")
            .and_then(|d| d.option_label(value))
            .unwrap_or_else(|| value.to_owned()),
        Field::Owner => match value {
            ME => "Me".into(),
            UNASSIGNED => "Unassigned".into(),
            id => catalog
                .owner(id)
                .map_or_else(|| id.to_owned(), |o| o.display_name()),
        },
        _ => value.to_owned(),
    }
}

/// The choices a condition's value can take, when it has a fixed set.
fn condition_value_choices(catalog: &Catalog, def: &PropertyDef) -> Option<Vec<Choice>> {
    match def.name.as_str() {
        "hs_pipeline" => {
            return Some(field_choices(Field::Pipeline, catalog, None, &[])).map(|mut l| {
                l.remove(0);
                l
            });
        }
        "hs_pipeline_stage" => return Some(stage_choices(catalog, None)),
        _ => {}
    }
    if def.referenced_object_type.as_deref() == Some("OWNER") {
        let mut l = vec![Choice {
            value: ME.into(),
            label: "Me".into(),
        }];
        l.extend(owner_choices(catalog));
        return Some(l);
    }
    match def.kind {
        PropertyType::Enumeration if !def.options.is_empty() => Some(option_choices(def)),
        PropertyType::Bool => Some(vec![
            Choice {
                value: "true".into(),
                label: "Yes".into(),
            },
            Choice {
                value: "false".into(),
                label: "No".into(),
            },
        ]),
        _ => None,
    }
}

/// How a condition value reads: option labels, owner names, stage labels.
fn condition_value_label(catalog: &Catalog, property: &str, value: &str) -> String {
    let name = canonical_property(property);
    catalog
        .property(&name)
        .and_then(|def| condition_value_choices(catalog, def))
        .and_then(|l| l.into_iter().find(|c| c.value == value).map(|c| c.label))
        .unwrap_or_else(|| value.to_owned())
}

/// "Affected users ≥ 10", "Priority is any of High, Urgent", "Category is known".
pub fn condition_text(c: &Condition, catalog: &Catalog) -> String {
    let name = canonical_property(&c.property);
    let label = catalog.property_label(&name);
    let op = operator_label(c.operator);
    let v = |s: &str| condition_value_label(catalog, &name, s);
    match operand(c.operator) {
        Operand::None => format!("{label} {op}"),
        Operand::One => format!("{label} {op} {}", v(&c.value)),
        Operand::Two => format!("{label} {op} {} and {}", v(&c.value), v(&c.high_value)),
        Operand::Many => {
            let vals: Vec<String> = c.values.iter().map(|s| v(s)).collect();
            format!("{label} {op} {}", vals.join(", "))
        }
    }
}

/// "Last modified date ↓".
pub fn sort_text(sort: Option<&SortSpec>, catalog: &Catalog) -> String {
    match sort {
        None => "HubSpot's order".into(),
        Some(s) => {
            let name = canonical_property(&s.property);
            format!(
                "{} {}",
                catalog.property_label(&name),
                if s.descending { "↓" } else { "↑" }
            )
        }
    }
}

impl SearchForm {
    /// Pre-filled with the view being shown (the user refines the current view).
    pub fn new(view: &View, catalog: &Catalog) -> Self {
        let mut f = Self {
            original: view.clone(),
            query: view.query.clone(),
            pipeline: view.pipeline.clone(),
            stages: view.stages.clone(),
            priorities: view.priorities.clone(),
            owners: view.owners.clone(),
            categories: view.categories.clone(),
            created: view.created.clone(),
            modified: view.modified.clone(),
            conditions: view.conditions.clone(),
            sort: view.sort.clone(),
            columns: view.columns.clone(),
            save_as: String::new(),
            focus: Field::Text,
            cond_cursor: 0,
            new_group: None,
            col_cursor: 0,
            popup: None,
            confirm_discard: false,
            message: None,
            preview: Preview::Idle,
            tz: catalog.tz.clone(),
        };
        f.col_cursor = f.shown_columns().len().saturating_sub(1);
        f
    }

    /// The name of the view the form was opened on.
    pub fn original_name(&self) -> &str {
        &self.original.name
    }

    /// The view as edited now (name: the save-as name if given, else the original name).
    pub fn view(&self) -> View {
        let name = self.save_as.trim();
        View {
            name: if name.is_empty() {
                self.original.name.clone()
            } else {
                name.to_owned()
            },
            query: self.query.clone(),
            pipeline: self.pipeline.clone(),
            stages: self.stages.clone(),
            priorities: self.priorities.clone(),
            owners: self.owners.clone(),
            categories: self.categories.clone(),
            created: self.created.clone(),
            modified: self.modified.clone(),
            conditions: self.conditions.clone(),
            sort: self.sort.clone(),
            columns: self.columns.clone(),
        }
    }

    pub fn set_preview(&mut self, p: Preview) {
        self.preview = p;
    }

    /// Differs from the view it was opened with.
    pub fn is_dirty(&self) -> bool {
        self.view() != self.original
    }

    /// What decides which tickets match (not the name, sort or columns).
    fn terms(&self) -> View {
        View {
            name: String::new(),
            sort: None,
            columns: Vec::new(),
            ..self.view()
        }
    }

    /// The text of a text field.
    pub fn text(&self, field: Field) -> &str {
        match field {
            Field::Text => &self.query,
            Field::CreatedFrom => &self.created.from,
            Field::CreatedTo => &self.created.to,
            Field::ModifiedFrom => &self.modified.from,
            Field::ModifiedTo => &self.modified.to,
            Field::SaveAs => &self.save_as,
            _ => "",
        }
    }

    fn text_mut(&mut self, field: Field) -> Option<&mut String> {
        match field {
            Field::Text => Some(&mut self.query),
            Field::CreatedFrom => Some(&mut self.created.from),
            Field::CreatedTo => Some(&mut self.created.to),
            Field::ModifiedFrom => Some(&mut self.modified.from),
            Field::ModifiedTo => Some(&mut self.modified.to),
            Field::SaveAs => Some(&mut self.save_as),
            _ => None,
        }
    }

    /// The values of a multi-choice field (the pipeline as a one-element list).
    pub fn values(&self, field: Field) -> Vec<String> {
        match field {
            Field::Pipeline => self.pipeline.iter().cloned().collect(),
            Field::Stages => self.stages.clone(),
            Field::Priority => self.priorities.clone(),
            Field::Category => self.categories.clone(),
            Field::Owner => self.owners.clone(),
            _ => Vec::new(),
        }
    }

    fn set_values(&mut self, field: Field, values: Vec<String>, catalog: &Catalog) {
        match field {
            Field::Pipeline => {
                let p = values.into_iter().next().filter(|v| !v.is_empty());
                if p != self.pipeline {
                    self.pipeline = p;
                    // Stage IDs of other pipelines no longer apply; words and labels do.
                    if let Some(pl) = self.pipeline.as_deref().and_then(|id| catalog.pipeline(id)) {
                        self.stages.retain(|s| {
                            s.starts_with('@')
                                || s.starts_with("label:")
                                || pl.stages.iter().any(|st| &st.id == s)
                        });
                    }
                }
            }
            Field::Stages => self.stages = values,
            Field::Priority => self.priorities = values,
            Field::Category => self.categories = values,
            Field::Owner => self.owners = values,
            _ => {}
        }
    }

    /// The inline error of a date input, if its text isn't a date.
    pub fn field_error(&self, field: Field) -> Option<String> {
        if field.is_date() {
            date_error(self.text(field), &self.tz)
        } else {
            None
        }
    }

    fn first_bad_date(&self) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|f| f.is_date() && self.field_error(*f).is_some())
    }

    /// Condition indices in display order: by OR-group, in list order within a group.
    pub fn condition_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.conditions.len()).collect();
        order.sort_by_key(|&i| self.conditions[i].group);
        order
    }

    fn selected_condition(&self) -> Option<usize> {
        self.condition_order().get(self.cond_cursor).copied()
    }

    /// The group the next condition goes to.
    pub fn target_group(&self) -> u8 {
        self.new_group
            .or_else(|| self.selected_condition().map(|i| self.conditions[i].group))
            .unwrap_or(1)
    }

    fn add_condition(&mut self, mut c: Condition) {
        c.group = self.target_group();
        let at = self
            .conditions
            .iter()
            .rposition(|x| x.group == c.group)
            .map_or(self.conditions.len(), |i| i + 1);
        self.conditions.insert(at, c);
        self.new_group = None;
        let order = self.condition_order();
        self.cond_cursor = order.iter().position(|&i| i == at).unwrap_or(0);
    }

    /// The columns as shown: the view's, or the defaults when it names none.
    pub fn shown_columns(&self) -> Vec<String> {
        if self.columns.is_empty() {
            views::DEFAULT_COLUMNS
                .iter()
                .map(|c| (*c).to_owned())
                .collect()
        } else {
            self.columns.clone()
        }
    }

    /// Keys; `keymap.resolve(Context::Form, &key)` for Tab/Shift-Tab/Ctrl-s/Esc/Enter.
    pub fn on_key(&mut self, key: KeyEvent, keymap: &Keymap, catalog: &Catalog) -> Outcome {
        if key.kind == KeyEventKind::Release {
            return Outcome::Nothing;
        }
        let action = keymap.resolve(Context::Form, &key);
        let before = self.terms();
        self.message = None;
        let out = if self.confirm_discard {
            if action == Some(Action::Cancel) || plain_char(key) == Some('y') {
                return Outcome::Cancel;
            }
            self.confirm_discard = false;
            Outcome::Nothing
        } else if self.popup.is_some() {
            let pick = keymap.resolve(Context::Picker, &key);
            self.popup_key(key, action, pick, catalog);
            Outcome::Nothing
        } else {
            self.form_key(key, action, catalog)
        };
        if out == Outcome::Nothing && self.terms() != before {
            Outcome::Changed
        } else {
            out
        }
    }

    /// Pasted text goes where typing goes (line breaks become spaces).
    pub fn paste(&mut self, text: &str) {
        let clean = crate::text::sanitize(text).into_owned();
        if self.confirm_discard {
            return;
        }
        match &mut self.popup {
            Some(Popup::Choose { list, .. } | Popup::SortBy(list) | Popup::AddColumn(list)) => {
                list.type_text(&clean);
            }
            Some(Popup::Condition(flow)) => match &mut flow.value {
                Some(ValueInput::Text {
                    low, high, on_high, ..
                }) => {
                    if *on_high {
                        high.push_str(&clean);
                    } else {
                        low.push_str(&clean);
                    }
                }
                Some(ValueInput::Pick(list)) => list.type_text(&clean),
                None => match &mut flow.operators {
                    Some(list) => list.type_text(&clean),
                    None => flow.properties.type_text(&clean),
                },
            },
            None => {
                if let Some(t) = self.text_mut(self.focus) {
                    t.push_str(&clean);
                }
            }
        }
    }

    fn form_key(&mut self, key: KeyEvent, action: Option<Action>, catalog: &Catalog) -> Outcome {
        match action {
            Some(Action::Cancel) => {
                if self.is_dirty() {
                    self.confirm_discard = true;
                    return Outcome::Nothing;
                }
                return Outcome::Cancel;
            }
            Some(Action::Save) => {
                if let Some(f) = self.first_bad_date() {
                    self.focus = f;
                    self.message = Some("fix the date first".into());
                    return Outcome::Nothing;
                }
                return Outcome::Apply(self.view());
            }
            Some(Action::NextField) => {
                self.focus = self.focus.step(1);
                return Outcome::Nothing;
            }
            Some(Action::PrevField) => {
                self.focus = self.focus.step(-1);
                return Outcome::Nothing;
            }
            _ => {}
        }
        if ctrl(key) && key.code == KeyCode::Char('w') {
            return self.save_as_view();
        }
        let open = action == Some(Action::Open);
        let field = self.focus;
        if field.is_text() {
            self.text_key(field, key, open);
        } else if field.is_choice() {
            self.choice_key(field, key, open, catalog);
        } else {
            match field {
                Field::Conditions => self.conditions_key(key, open, catalog),
                Field::Sort => self.sort_key(key, open, catalog),
                Field::Columns => self.columns_key(key, open, catalog),
                _ => {}
            }
        }
        Outcome::Nothing
    }

    fn save_as_view(&mut self) -> Outcome {
        if self.save_as.trim().is_empty() {
            self.focus = Field::SaveAs;
            self.message = Some("type a name in Save as, then Ctrl-w saves the view".into());
            return Outcome::Nothing;
        }
        if let Some(f) = self.first_bad_date() {
            self.focus = f;
            self.message = Some("fix the date first".into());
            return Outcome::Nothing;
        }
        Outcome::Save(self.view())
    }

    fn text_key(&mut self, field: Field, key: KeyEvent, open: bool) {
        if open {
            self.focus = field.step(1);
            return;
        }
        match key.code {
            KeyCode::Up => self.focus = field.step(-1),
            KeyCode::Down => self.focus = field.step(1),
            _ => {}
        }
        let Some(t) = self.text_mut(field) else {
            return;
        };
        match key.code {
            KeyCode::Backspace => pop_grapheme(t),
            KeyCode::Char('u') if ctrl(key) => t.clear(),
            KeyCode::Char(c) if !ctrl(key) && !alt(key) => t.push(c),
            _ => {}
        }
    }

    fn open_choice(&mut self, field: Field, catalog: &Catalog) -> &mut ListPick {
        let current = self.values(field);
        let options = field_choices(field, catalog, self.pipeline.as_deref(), &current);
        let multi = field != Field::Pipeline;
        let current = if field == Field::Pipeline && current.is_empty() {
            vec![String::new()]
        } else {
            current
        };
        let mut list = ListPick::new(field.label(), options, multi, &current);
        if !multi {
            list.picker.chosen.clear();
        }
        self.popup = Some(Popup::Choose { field, list });
        match &mut self.popup {
            Some(Popup::Choose { list, .. }) => list,
            _ => unreachable!("just set"),
        }
    }

    fn choice_key(&mut self, field: Field, key: KeyEvent, open: bool, catalog: &Catalog) {
        match key.code {
            _ if open => {
                self.open_choice(field, catalog);
            }
            KeyCode::Up => self.focus = field.step(-1),
            KeyCode::Down => self.focus = field.step(1),
            KeyCode::Delete => self.set_values(field, Vec::new(), catalog),
            KeyCode::Char('u') if ctrl(key) => self.set_values(field, Vec::new(), catalog),
            KeyCode::Char(' ') => {
                self.open_choice(field, catalog);
            }
            KeyCode::Char(c) if !ctrl(key) && !alt(key) => {
                self.open_choice(field, catalog).type_text(&c.to_string());
            }
            _ => {}
        }
    }

    fn conditions_key(&mut self, key: KeyEvent, open: bool, catalog: &Catalog) {
        let n = self.conditions.len();
        match key.code {
            _ if open => self.start_condition(catalog),
            KeyCode::Char('a') if plain_char(key).is_some() => self.start_condition(catalog),
            KeyCode::Char('j') if plain_char(key).is_some() => {
                self.new_group = None;
                self.cond_cursor = (self.cond_cursor + 1).min(n.saturating_sub(1));
            }
            KeyCode::Char('k') if plain_char(key).is_some() => {
                self.new_group = None;
                self.cond_cursor = self.cond_cursor.saturating_sub(1);
            }
            KeyCode::Down => {
                if self.cond_cursor + 1 >= n {
                    self.focus = Field::Conditions.step(1);
                } else {
                    self.cond_cursor += 1;
                }
                self.new_group = None;
            }
            KeyCode::Up => {
                if self.cond_cursor == 0 {
                    self.focus = Field::Conditions.step(-1);
                } else {
                    self.cond_cursor -= 1;
                }
                self.new_group = None;
            }
            KeyCode::Char('x') | KeyCode::Delete
                if key.code == KeyCode::Delete || plain_char(key).is_some() =>
            {
                if self.new_group.is_some() {
                    self.new_group = None;
                } else if let Some(i) = self.selected_condition() {
                    self.conditions.remove(i);
                    self.cond_cursor = self
                        .cond_cursor
                        .min(self.conditions.len().saturating_sub(1));
                }
            }
            KeyCode::Char('o') if plain_char(key).is_some() => {
                if self.conditions.is_empty() {
                    self.message =
                        Some("add a condition first (Enter); o then starts an OR-group".into());
                } else {
                    let max = self.conditions.iter().map(|c| c.group).max().unwrap_or(1);
                    self.new_group = Some(max.saturating_add(1));
                }
            }
            _ => {}
        }
    }

    fn start_condition(&mut self, catalog: &Catalog) {
        if catalog.properties.is_empty() {
            self.message = Some("ticket properties are still loading".into());
            return;
        }
        self.popup = Some(Popup::Condition(Box::new(ConditionFlow {
            properties: ListPick::fuzzy("Add condition: property", property_choices(catalog, &[])),
            property: None,
            operators: None,
            operator: None,
            value: None,
            error: None,
        })));
    }

    fn sort_key(&mut self, key: KeyEvent, open: bool, catalog: &Catalog) {
        match key.code {
            _ if open => {
                let mut options = vec![Choice {
                    value: String::new(),
                    label: "(no sort: HubSpot's order)".into(),
                }];
                options.extend(property_choices(catalog, &[]));
                let mut list = ListPick::fuzzy("Sort by", options);
                if let Some(s) = &self.sort {
                    let name = canonical_property(&s.property);
                    if let Some(i) = list.picker.options.iter().position(|o| o.value == name) {
                        list.picker.cursor = i;
                    }
                }
                self.popup = Some(Popup::SortBy(list));
            }
            KeyCode::Up => self.focus = Field::Sort.step(-1),
            KeyCode::Down => self.focus = Field::Sort.step(1),
            KeyCode::Char(' ' | 'd') if plain_char(key).is_some() => {
                if let Some(s) = &mut self.sort {
                    s.descending = !s.descending;
                }
            }
            KeyCode::Delete => self.sort = None,
            KeyCode::Char('u') if ctrl(key) => self.sort = None,
            _ => {}
        }
    }

    fn columns_key(&mut self, key: KeyEvent, open: bool, catalog: &Catalog) {
        let shown = self.shown_columns();
        let n = shown.len();
        match key.code {
            _ if open => self.open_add_column(catalog),
            KeyCode::Char('a') if plain_char(key).is_some() => self.open_add_column(catalog),
            KeyCode::Up => self.focus = Field::Columns.step(-1),
            KeyCode::Down => self.focus = Field::Columns.step(1),
            KeyCode::Left => self.col_cursor = self.col_cursor.saturating_sub(1),
            KeyCode::Char('h') if plain_char(key).is_some() => {
                self.col_cursor = self.col_cursor.saturating_sub(1);
            }
            KeyCode::Right => self.col_cursor = (self.col_cursor + 1).min(n.saturating_sub(1)),
            KeyCode::Char('l') if plain_char(key).is_some() => {
                self.col_cursor = (self.col_cursor + 1).min(n.saturating_sub(1));
            }
            KeyCode::Char('x') | KeyCode::Delete
                if key.code == KeyCode::Delete || plain_char(key).is_some() =>
            {
                if n <= 1 {
                    self.message = Some("a view needs at least one column".into());
                } else if self.col_cursor < n {
                    let mut cols = shown;
                    cols.remove(self.col_cursor);
                    self.columns = cols;
                    self.col_cursor = self.col_cursor.min(n - 2);
                }
            }
            KeyCode::Char(c @ ('<' | '>')) if !ctrl(key) && !alt(key) => {
                let i = self.col_cursor;
                let j = if c == '<' {
                    i.checked_sub(1)
                } else {
                    Some(i + 1)
                };
                if let Some(j) = j.filter(|&j| j < n && i < n) {
                    let mut cols = shown;
                    cols.swap(i, j);
                    self.columns = cols;
                    self.col_cursor = j;
                }
            }
            KeyCode::Char('u') if ctrl(key) => {
                self.columns.clear();
                self.col_cursor = self.shown_columns().len().saturating_sub(1);
            }
            _ => {}
        }
    }

    fn open_add_column(&mut self, catalog: &Catalog) {
        let shown: Vec<String> = self
            .shown_columns()
            .iter()
            .map(|c| canonical_property(c))
            .collect();
        let options = property_choices(catalog, &shown);
        if options.is_empty() {
            self.message = Some("every property is a column already".into());
            return;
        }
        self.popup = Some(Popup::AddColumn(ListPick::fuzzy("Add column", options)));
    }

    fn popup_key(
        &mut self,
        key: KeyEvent,
        action: Option<Action>,
        pick: Option<Action>,
        catalog: &Catalog,
    ) {
        let Some(popup) = self.popup.take() else {
            return;
        };
        let open = action == Some(Action::Open);
        let cancel = action == Some(Action::Cancel);
        match popup {
            Popup::Choose { field, mut list } => {
                if cancel {
                    return;
                }
                if open {
                    if let Some(values) = list.confirm() {
                        self.set_values(field, values, catalog);
                    }
                    return;
                }
                list.on_key(pick, key);
                self.popup = Some(Popup::Choose { field, list });
            }
            Popup::SortBy(mut list) => {
                if cancel {
                    return;
                }
                if open {
                    if let Some(v) = list.confirm().and_then(|v| v.into_iter().next()) {
                        self.sort = if v.is_empty() {
                            None
                        } else {
                            let descending = self.sort.as_ref().is_none_or(|s| s.descending);
                            Some(SortSpec {
                                property: v,
                                descending,
                            })
                        };
                    }
                    return;
                }
                list.on_key(pick, key);
                self.popup = Some(Popup::SortBy(list));
            }
            Popup::AddColumn(mut list) => {
                if cancel {
                    return;
                }
                if open {
                    if let Some(v) = list.confirm().and_then(|v| v.into_iter().next()) {
                        let mut cols = self.shown_columns();
                        cols.push(v);
                        self.col_cursor = cols.len() - 1;
                        self.columns = cols;
                    }
                    return;
                }
                list.on_key(pick, key);
                self.popup = Some(Popup::AddColumn(list));
            }
            Popup::Condition(mut flow) => {
                match self.condition_key(&mut flow, key, action, pick, catalog) {
                    Some(Some(c)) => self.add_condition(c),
                    Some(None) => {} // cancelled
                    None => self.popup = Some(Popup::Condition(flow)),
                }
            }
        }
    }

    /// One key in the condition flow: `Some(Some(c))` adds `c`, `Some(None)` closes the
    /// flow, `None` keeps it open.
    fn condition_key(
        &self,
        flow: &mut ConditionFlow,
        key: KeyEvent,
        action: Option<Action>,
        pick: Option<Action>,
        catalog: &Catalog,
    ) -> Option<Option<Condition>> {
        let open = action == Some(Action::Open);
        let cancel = action == Some(Action::Cancel);
        flow.error = None;
        // Value step.
        if let Some(value) = &mut flow.value {
            if cancel {
                flow.value = None;
                return None;
            }
            let (Some(prop), Some(op)) = (flow.property.clone(), flow.operator) else {
                return Some(None);
            };
            match value {
                ValueInput::Pick(list) => {
                    if open {
                        let vals = list.confirm().unwrap_or_default();
                        if vals.is_empty() {
                            flow.error = Some("choose at least one (Space marks)".into());
                            return None;
                        }
                        let mut c = Condition::new(&prop.name, op, "");
                        if operand(op) == Operand::Many {
                            c.values = vals;
                        } else {
                            c.value = vals.into_iter().next().unwrap_or_default();
                        }
                        return Some(Some(c));
                    }
                    list.on_key(pick, key);
                }
                ValueInput::Text {
                    low,
                    high,
                    two,
                    list,
                    on_high,
                } => {
                    if action == Some(Action::NextField) || action == Some(Action::PrevField) {
                        if *two {
                            *on_high = !*on_high;
                        }
                        return None;
                    }
                    if open {
                        if *two && !*on_high && high.trim().is_empty() {
                            if let Err(e) = check_value(low, prop.kind) {
                                flow.error = Some(e);
                            } else {
                                *on_high = true;
                            }
                            return None;
                        }
                        let mut c = Condition::new(&prop.name, op, "");
                        if *list {
                            c.values = low
                                .split(',')
                                .map(str::trim)
                                .filter(|v| !v.is_empty())
                                .map(str::to_owned)
                                .collect();
                            if c.values.is_empty() {
                                flow.error =
                                    Some("type one or more values, comma-separated".into());
                                return None;
                            }
                            if let Some(e) = c
                                .values
                                .iter()
                                .find_map(|v| check_value(v, prop.kind).err())
                            {
                                flow.error = Some(e);
                                return None;
                            }
                        } else {
                            if let Err(e) = check_value(low, prop.kind) {
                                flow.error = Some(e);
                                *on_high = false;
                                return None;
                            }
                            if *two && let Err(e) = check_value(high, prop.kind) {
                                flow.error = Some(e);
                                *on_high = true;
                                return None;
                            }
                            c.value = low.trim().to_owned();
                            if *two {
                                c.high_value = high.trim().to_owned();
                            }
                        }
                        return Some(Some(c));
                    }
                    let t = if *on_high { high } else { low };
                    match key.code {
                        KeyCode::Backspace => pop_grapheme(t),
                        KeyCode::Char('u') if ctrl(key) => t.clear(),
                        KeyCode::Char(c) if !ctrl(key) && !alt(key) => t.push(c),
                        _ => {}
                    }
                }
            }
            return None;
        }
        // Operator step.
        if let Some(ops) = &mut flow.operators {
            if cancel {
                flow.operators = None;
                flow.property = None;
                return None;
            }
            let Some(prop) = flow.property.clone() else {
                return Some(None);
            };
            if open {
                let all = operators_for(prop.kind);
                let op = ops
                    .confirm()
                    .and_then(|v| v.first().and_then(|i| i.parse::<usize>().ok()))
                    .and_then(|i| all.get(i).copied())?;
                flow.operator = Some(op);
                let choices = catalog
                    .property(&prop.name)
                    .and_then(|d| condition_value_choices(catalog, d));
                match (operand(op), choices) {
                    (Operand::None, _) => {
                        return Some(Some(Condition::new(&prop.name, op, "")));
                    }
                    (Operand::Many, Some(choices)) => {
                        flow.value = Some(ValueInput::Pick(ListPick::new(
                            &format!("{} {}", prop.label, operator_label(op)),
                            choices,
                            true,
                            &[],
                        )));
                    }
                    (Operand::One, Some(choices)) => {
                        flow.value = Some(ValueInput::Pick(ListPick::new(
                            &format!("{} {}", prop.label, operator_label(op)),
                            choices,
                            false,
                            &[],
                        )));
                    }
                    (kind, _) => {
                        flow.value = Some(ValueInput::Text {
                            low: String::new(),
                            high: String::new(),
                            two: kind == Operand::Two,
                            list: kind == Operand::Many,
                            on_high: false,
                        });
                    }
                }
                return None;
            }
            ops.on_key(pick, key);
            return None;
        }
        // Property step.
        if cancel {
            return Some(None);
        }
        if open {
            let name = flow
                .properties
                .confirm()
                .and_then(|v| v.into_iter().next())?;
            let def = catalog.property(&name)?;
            let ops: Vec<Choice> = operators_for(def.kind)
                .iter()
                .enumerate()
                .map(|(i, op)| Choice {
                    value: i.to_string(),
                    label: operator_label(*op).to_owned(),
                })
                .collect();
            flow.operators = Some(ListPick::new(
                &format!("{}: operator", def.label),
                ops,
                false,
                &[],
            ));
            flow.property = Some(PropInfo {
                name: def.name.clone(),
                label: def.label.clone(),
                kind: def.kind,
            });
            return None;
        }
        flow.properties.on_key(pick, key);
        None
    }
}

/// Whether a typed condition value fits the property's type.
fn check_value(text: &str, kind: PropertyType) -> Result<(), String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("type a value".into());
    }
    match kind {
        PropertyType::Number => t
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|_| ())
            .ok_or_else(|| format!("\"{t}\" is not a number")),
        PropertyType::Date | PropertyType::DateTime => {
            match date_error(t, &jiff::tz::TimeZone::UTC) {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
#[path = "search_form_tests.rs"]
pub(crate) mod search_form_tests;
