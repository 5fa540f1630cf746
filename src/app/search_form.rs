//! `s`: the search form. Refines the view being shown: free text, pipeline, stages, priority,
//! category, owner, created/modified ranges, conditions on any property (OR-groups), sort,
//! columns, and a name to save the search as a view.
//!
//! Pure model and transitions: no clock, no I/O. The app routes keys here and acts on the
//! [`Outcome`]: re-count on `Changed` (debounced, then [`SearchForm::set_preview`]), show the
//! results on `Apply`, write the view on `Save`, close on `Cancel`.
//!
//! Every key goes through the keymap: the form's own keys are the `search` context
//! (`[keys.search]`), its lists are the one [`Picker`] with the `picker` context, and the
//! discard question takes the `confirm` context's `confirm` too. What the default keys do:
//! - everywhere: Tab/Shift-Tab field, Ctrl-s search, Ctrl-w save as a view under the Save-as
//!   name (refused, with a message, when empty), Esc cancel (asks when changed), ↑/↓ field;
//! - text fields (Text, dates, Save as) take typing: Backspace, Ctrl-u clears, Enter next field;
//! - choice fields take typing too: Enter, Space or typing opens the picker (type to filter,
//!   ↑/↓, Space marks, Enter chooses, Ctrl-u clears the marks), Delete / Ctrl-u clear the field;
//! - Conditions: Enter or `a` adds (property → operator → value), `j`/`k` select, `x`/Delete
//!   remove, `o` starts a new OR-group;
//! - Sort: Enter picks the property, Space or `d` flips the direction, `x`/Delete/Ctrl-u clear;
//! - Columns: Enter or `a` adds one at the end, ←/→ or `h`/`l` select, `<`/`>` move,
//!   `x`/Delete remove, Ctrl-u back to the default columns.
//!
//! In the text and choice fields every plain character is typed (the letter keys act on
//! Conditions, Sort and Columns only). Every key is swallowed: a `q` typed in a field types a
//! q. Ctrl-c (force quit) is the app's to check before routing keys here.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use jiff::Timestamp;

use super::edit::{Choice, Picker, pop_grapheme};
use crate::action::Action;
use crate::domain::search::FilterOperator;
use crate::domain::{Catalog, PropertyDef, PropertyType};
use crate::keymap::{Context, Key, Keymap};
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

/// A property as the condition flow knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropInfo {
    pub name: String,
    pub label: String,
    pub kind: PropertyType,
}

/// A typed condition value: one value, two (`between`: `low` and `high`), or a
/// comma-separated list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextValue {
    pub low: String,
    pub high: String,
    pub two: bool,
    pub list: bool,
    /// Typing goes into `high`.
    pub on_high: bool,
}

impl TextValue {
    fn new(kind: Operand) -> Self {
        Self {
            two: kind == Operand::Two,
            list: kind == Operand::Many,
            ..Self::default()
        }
    }

    /// The input typing goes into.
    fn current_mut(&mut self) -> &mut String {
        if self.on_high {
            &mut self.high
        } else {
            &mut self.low
        }
    }

    /// `between`: typing moves to the other end.
    fn switch_end(&mut self) {
        if self.two {
            self.on_high = !self.on_high;
        }
    }

    /// A key, in the `search` context (plain characters are typed).
    fn on_key(&mut self, key: &KeyEvent, keymap: &Keymap) -> TextKey {
        match text_action(key, keymap) {
            Some(Action::Cancel) => TextKey::Back,
            Some(Action::Open) => TextKey::Enter,
            Some(Action::NextField | Action::PrevField) => {
                self.switch_end();
                TextKey::Stay
            }
            Some(Action::Clear) => {
                self.current_mut().clear();
                TextKey::Stay
            }
            _ => {
                edit_text(self.current_mut(), key);
                TextKey::Stay
            }
        }
    }

    /// Enter: the condition, or `None` when it moved from the low end to the empty high end;
    /// `Err` says what is wrong (and the focus goes to the end at fault).
    fn enter(&mut self, prop: &PropInfo, op: FilterOperator) -> Result<Option<Condition>, String> {
        if self.two && !self.on_high && self.high.trim().is_empty() {
            check_value(&self.low, prop.kind)?;
            self.on_high = true;
            return Ok(None);
        }
        let mut c = Condition::new(&prop.name, op, "");
        if self.list {
            c.values = self
                .low
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect();
            if c.values.is_empty() {
                return Err("type one or more values, comma-separated".into());
            }
            if let Some(e) = c
                .values
                .iter()
                .find_map(|v| check_value(v, prop.kind).err())
            {
                return Err(e);
            }
            return Ok(Some(c));
        }
        if let Err(e) = check_value(&self.low, prop.kind) {
            self.on_high = false;
            return Err(e);
        }
        if self.two
            && let Err(e) = check_value(&self.high, prop.kind)
        {
            self.on_high = true;
            return Err(e);
        }
        c.value = self.low.trim().to_owned();
        if self.two {
            c.high_value = self.high.trim().to_owned();
        }
        Ok(Some(c))
    }
}

/// What a key does in a typed condition value.
enum TextKey {
    Stay,
    /// Back to the operator.
    Back,
    /// Enter: take the value.
    Enter,
}

/// The value step of the condition flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueInput {
    Pick(Picker),
    Text(TextValue),
}

/// Adding a condition: property → operator → value. Each step's cancel goes back one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionFlow {
    /// Every visible property, matched fuzzily.
    pub properties: Picker,
    pub property: Option<PropInfo>,
    /// The operators of the property's type; an option's value is its index in
    /// [`operators_for`].
    pub operators: Option<Picker>,
    pub operator: Option<FilterOperator>,
    pub value: Option<ValueInput>,
    pub error: Option<String>,
}

/// Where a key leaves the condition flow.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Stay,
    Close,
    Add(Condition),
}

/// Where a key leaves a picker over the form.
enum PickKey {
    Stay,
    Cancel,
    Accept,
}

/// A key in a picker over the form, resolved in the `picker` context: accepting and
/// cancelling are the caller's, the rest the picker's.
fn pick_key(list: &mut Picker, key: KeyEvent, keymap: &Keymap) -> PickKey {
    match keymap.resolve(Context::Picker, &key) {
        Some(Action::Accept) => PickKey::Accept,
        Some(Action::Cancel) => PickKey::Cancel,
        action => {
            list.on_key(action, key);
            PickKey::Stay
        }
    }
}

impl ConditionFlow {
    fn new(catalog: &Catalog) -> Self {
        Self {
            properties: Picker::new(property_choices(catalog, &[]), false, "").with_fuzzy(),
            property: None,
            operators: None,
            operator: None,
            value: None,
            error: None,
        }
    }

    /// One key, in the step the flow is at.
    fn on_key(&mut self, key: KeyEvent, keymap: &Keymap, catalog: &Catalog) -> Step {
        self.error = None;
        if self.value.is_some() {
            self.value_key(key, keymap)
        } else if self.operators.is_some() {
            self.operator_key(key, keymap, catalog)
        } else {
            self.property_key(key, keymap, catalog)
        }
    }

    /// Pasted text goes where typing goes in the step the flow is at.
    fn paste(&mut self, clean: &str) {
        match &mut self.value {
            Some(ValueInput::Text(t)) => t.current_mut().push_str(clean),
            Some(ValueInput::Pick(list)) => list.paste(clean),
            None => match &mut self.operators {
                Some(list) => list.paste(clean),
                None => self.properties.paste(clean),
            },
        }
    }

    /// The property step: Enter goes on to its operators.
    fn property_key(&mut self, key: KeyEvent, keymap: &Keymap, catalog: &Catalog) -> Step {
        match pick_key(&mut self.properties, key, keymap) {
            PickKey::Stay => Step::Stay,
            PickKey::Cancel => Step::Close,
            PickKey::Accept => {
                let def = self
                    .properties
                    .picks()
                    .and_then(|v| v.into_iter().next())
                    .and_then(|name| catalog.property(&name));
                if let Some(def) = def {
                    let ops: Vec<Choice> = operators_for(def.kind)
                        .iter()
                        .enumerate()
                        .map(|(i, op)| Choice {
                            value: i.to_string(),
                            label: operator_label(*op).to_owned(),
                        })
                        .collect();
                    self.operators = Some(Picker::new(ops, false, ""));
                    self.property = Some(PropInfo {
                        name: def.name.clone(),
                        label: def.label.clone(),
                        kind: def.kind,
                    });
                }
                Step::Stay
            }
        }
    }

    /// The operator step: Enter goes on to the value (or adds a condition that needs none);
    /// cancel goes back to the property.
    fn operator_key(&mut self, key: KeyEvent, keymap: &Keymap, catalog: &Catalog) -> Step {
        let Some(ops) = &mut self.operators else {
            return Step::Stay;
        };
        match pick_key(ops, key, keymap) {
            PickKey::Stay => Step::Stay,
            PickKey::Cancel => {
                self.operators = None;
                self.property = None;
                Step::Stay
            }
            PickKey::Accept => {
                let Some(prop) = self.property.clone() else {
                    return Step::Close;
                };
                let all = operators_for(prop.kind);
                let op = ops
                    .picks()
                    .and_then(|v| v.first().and_then(|i| i.parse::<usize>().ok()))
                    .and_then(|i| all.get(i).copied());
                match op {
                    Some(op) => self.choose_operator(&prop, op, catalog),
                    None => Step::Stay,
                }
            }
        }
    }

    fn choose_operator(&mut self, prop: &PropInfo, op: FilterOperator, catalog: &Catalog) -> Step {
        self.operator = Some(op);
        let choices = catalog
            .property(&prop.name)
            .and_then(|d| condition_value_choices(catalog, d));
        self.value = Some(match (operand(op), choices) {
            (Operand::None, _) => return Step::Add(Condition::new(&prop.name, op, "")),
            (Operand::Many, Some(choices)) => ValueInput::Pick(Picker::new(choices, true, "")),
            (Operand::One, Some(choices)) => ValueInput::Pick(Picker::new(choices, false, "")),
            (kind, _) => ValueInput::Text(TextValue::new(kind)),
        });
        Step::Stay
    }

    /// The value step: a picker (`picker` context) or a text input (`search` context, plain
    /// characters typed); cancel goes back to the operator.
    fn value_key(&mut self, key: KeyEvent, keymap: &Keymap) -> Step {
        let (Some(prop), Some(op)) = (self.property.clone(), self.operator) else {
            return Step::Close;
        };
        let entered = match &mut self.value {
            Some(ValueInput::Pick(list)) => match pick_key(list, key, keymap) {
                PickKey::Stay => return Step::Stay,
                PickKey::Cancel => None,
                PickKey::Accept => Some(picked_condition(list, &prop, op, keymap).map(Some)),
            },
            Some(ValueInput::Text(text)) => match text.on_key(&key, keymap) {
                TextKey::Stay => return Step::Stay,
                TextKey::Back => None,
                TextKey::Enter => Some(text.enter(&prop, op)),
            },
            None => return Step::Stay,
        };
        match entered {
            None => {
                self.value = None;
                Step::Stay
            }
            Some(Ok(Some(c))) => Step::Add(c),
            Some(Ok(None)) => Step::Stay,
            Some(Err(e)) => {
                self.error = Some(e);
                Step::Stay
            }
        }
    }
}

/// The condition a value picker makes, or why there is none yet.
fn picked_condition(
    list: &Picker,
    prop: &PropInfo,
    op: FilterOperator,
    keymap: &Keymap,
) -> Result<Condition, String> {
    let vals = list.picks().unwrap_or_default();
    if vals.is_empty() {
        return Err(match keymap.key_for(Context::Picker, Action::Toggle) {
            Some(k) => format!("choose at least one ({k} marks)"),
            None => "choose at least one".into(),
        });
    }
    let mut c = Condition::new(&prop.name, op, "");
    if operand(op) == Operand::Many {
        c.values = vals;
    } else {
        c.value = vals.into_iter().next().unwrap_or_default();
    }
    Ok(c)
}

/// What is open over the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Choose { field: Field, list: Picker },
    Condition(Box<ConditionFlow>),
    SortBy(Picker),
    AddColumn(Picker),
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

/// The character a plain key types (no Ctrl or Alt): in a text input, text before any binding.
fn typed_char(key: &KeyEvent) -> Option<char> {
    match key.code {
        KeyCode::Char(c) if Key::from_event(key).is_plain_char() => Some(c),
        _ => None,
    }
}

/// A key's action in a text input of the form: none for a plain character (it is text),
/// else what the `search` context binds it to.
fn text_action(key: &KeyEvent, keymap: &Keymap) -> Option<Action> {
    if typed_char(key).is_some() {
        None
    } else {
        keymap.resolve(Context::Search, key)
    }
}

/// Typing into a text input: a plain character is added, Backspace takes the last one back.
fn edit_text(text: &mut String, key: &KeyEvent) {
    if key.code == KeyCode::Backspace {
        pop_grapheme(text);
    } else if let Some(c) = typed_char(key) {
        text.push(c);
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

    /// A key, resolved through the keymap: the `search` context for the form, `picker` for
    /// the lists over it (see the module docs).
    pub fn on_key(&mut self, key: KeyEvent, keymap: &Keymap, catalog: &Catalog) -> Outcome {
        if key.kind == KeyEventKind::Release {
            return Outcome::Nothing;
        }
        let before = self.terms();
        self.message = None;
        let out = if self.confirm_discard {
            self.discard_key(&key, keymap)
        } else if let Some(popup) = self.popup.take() {
            self.popup = self.popup_key(popup, key, keymap, catalog);
            Outcome::Nothing
        } else {
            self.form_key(key, keymap, catalog)
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
                list.paste(&clean);
            }
            Some(Popup::Condition(flow)) => flow.paste(&clean),
            None => {
                if let Some(t) = self.text_mut(self.focus) {
                    t.push_str(&clean);
                }
            }
        }
    }

    /// "Discard your changes?": cancel again or `confirm` discards, any other key goes back.
    fn discard_key(&mut self, key: &KeyEvent, keymap: &Keymap) -> Outcome {
        if keymap.resolve(Context::Search, key) == Some(Action::Cancel)
            || keymap.resolve(Context::Confirm, key) == Some(Action::Confirm)
        {
            return Outcome::Cancel;
        }
        self.confirm_discard = false;
        Outcome::Nothing
    }

    fn form_key(&mut self, key: KeyEvent, keymap: &Keymap, catalog: &Catalog) -> Outcome {
        let field = self.focus;
        // The text and choice fields take typing: there a plain character is never an action.
        let typed = typed_char(&key).filter(|_| field.is_text() || field.is_choice());
        let action = if typed.is_some() {
            None
        } else {
            keymap.resolve(Context::Search, &key)
        };
        match action {
            Some(Action::Cancel) => {
                if self.is_dirty() {
                    self.confirm_discard = true;
                    return Outcome::Nothing;
                }
                return Outcome::Cancel;
            }
            Some(Action::Search) => return self.checked(Outcome::Apply(self.view())),
            Some(Action::SaveView) => return self.save_as_view(&key),
            Some(Action::NextField) => self.focus = field.step(1),
            Some(Action::PrevField) => self.focus = field.step(-1),
            _ if field.is_text() => self.text_key(field, action, &key),
            _ if field.is_choice() => self.choice_key(field, action, typed, catalog),
            _ => match field {
                Field::Conditions => self.conditions_key(action, &key, keymap, catalog),
                Field::Sort => self.sort_key(action, catalog),
                Field::Columns => self.columns_key(action, catalog),
                _ => {}
            },
        }
        Outcome::Nothing
    }

    /// `outcome`, unless a date needs fixing first (the focus goes there, with a message).
    fn checked(&mut self, outcome: Outcome) -> Outcome {
        if let Some(f) = self.first_bad_date() {
            self.focus = f;
            self.message = Some("fix the date first".into());
            return Outcome::Nothing;
        }
        outcome
    }

    fn save_as_view(&mut self, key: &KeyEvent) -> Outcome {
        if self.save_as.trim().is_empty() {
            self.focus = Field::SaveAs;
            self.message = Some(format!(
                "type a name in Save as, then {} saves the view",
                Key::from_event(key)
            ));
            return Outcome::Nothing;
        }
        self.checked(Outcome::Save(self.view()))
    }

    /// Text, dates, Save as: typing, clearing, moving on.
    fn text_key(&mut self, field: Field, action: Option<Action>, key: &KeyEvent) {
        match action {
            Some(Action::Open | Action::Down) => self.focus = field.step(1),
            Some(Action::Up) => self.focus = field.step(-1),
            Some(Action::Clear) => {
                if let Some(t) = self.text_mut(field) {
                    t.clear();
                }
            }
            _ => {
                if let Some(t) = self.text_mut(field) {
                    edit_text(t, key);
                }
            }
        }
    }

    /// Opens a choice field's picker, with `typed` as its filter.
    fn open_choice(&mut self, field: Field, typed: Option<char>, catalog: &Catalog) {
        let current = self.values(field);
        let options = field_choices(field, catalog, self.pipeline.as_deref(), &current);
        let multi = field != Field::Pipeline;
        let current = if field == Field::Pipeline && current.is_empty() {
            vec![String::new()]
        } else {
            current
        };
        let mut list = Picker::with_chosen(options, multi, &current);
        if !multi {
            list.chosen.clear();
        }
        // A space filters nothing: it just opens the list.
        if let Some(c) = typed.filter(|c| !c.is_whitespace()) {
            list.set_query(c.to_string());
        }
        self.popup = Some(Popup::Choose { field, list });
    }

    /// Pipeline, stages, priority, category, owner: typing or Enter opens the picker.
    fn choice_key(
        &mut self,
        field: Field,
        action: Option<Action>,
        typed: Option<char>,
        catalog: &Catalog,
    ) {
        match action {
            _ if typed.is_some() => self.open_choice(field, typed, catalog),
            Some(Action::Open) => self.open_choice(field, None, catalog),
            Some(Action::Up) => self.focus = field.step(-1),
            Some(Action::Down) => self.focus = field.step(1),
            Some(Action::Remove | Action::Clear) => self.set_values(field, Vec::new(), catalog),
            _ => {}
        }
    }

    fn conditions_key(
        &mut self,
        action: Option<Action>,
        key: &KeyEvent,
        keymap: &Keymap,
        catalog: &Catalog,
    ) {
        let n = self.conditions.len();
        match action {
            Some(Action::Open | Action::Add) => self.start_condition(catalog),
            Some(Action::NextCondition) => {
                self.new_group = None;
                self.cond_cursor = (self.cond_cursor + 1).min(n.saturating_sub(1));
            }
            Some(Action::PrevCondition) => {
                self.new_group = None;
                self.cond_cursor = self.cond_cursor.saturating_sub(1);
            }
            // Through the conditions, then on to the next field.
            Some(Action::Down) => {
                if self.cond_cursor + 1 >= n {
                    self.focus = Field::Conditions.step(1);
                } else {
                    self.cond_cursor += 1;
                }
                self.new_group = None;
            }
            Some(Action::Up) => {
                if self.cond_cursor == 0 {
                    self.focus = Field::Conditions.step(-1);
                } else {
                    self.cond_cursor -= 1;
                }
                self.new_group = None;
            }
            Some(Action::Remove) => self.remove_condition(),
            Some(Action::NewOrGroup) => self.start_or_group(key, keymap),
            _ => {}
        }
    }

    /// Removes the selected condition, or forgets the OR-group about to be started.
    fn remove_condition(&mut self) {
        if self.new_group.is_some() {
            self.new_group = None;
        } else if let Some(i) = self.selected_condition() {
            self.conditions.remove(i);
            self.cond_cursor = self
                .cond_cursor
                .min(self.conditions.len().saturating_sub(1));
        }
    }

    /// The next condition starts a new OR-group (there must be one to be "or" to).
    fn start_or_group(&mut self, key: &KeyEvent, keymap: &Keymap) {
        if self.conditions.is_empty() {
            let add = keymap
                .key_for(Context::Search, Action::Open)
                .or_else(|| keymap.key_for(Context::Search, Action::Add))
                .map(|k| format!(" ({k})"))
                .unwrap_or_default();
            self.message = Some(format!(
                "add a condition first{add}; {} then starts an OR-group",
                Key::from_event(key)
            ));
        } else {
            let max = self.conditions.iter().map(|c| c.group).max().unwrap_or(1);
            self.new_group = Some(max.saturating_add(1));
        }
    }

    fn start_condition(&mut self, catalog: &Catalog) {
        if catalog.properties.is_empty() {
            self.message = Some("ticket properties are still loading".into());
            return;
        }
        self.popup = Some(Popup::Condition(Box::new(ConditionFlow::new(catalog))));
    }

    fn sort_key(&mut self, action: Option<Action>, catalog: &Catalog) {
        match action {
            Some(Action::Open) => self.open_sort(catalog),
            Some(Action::Up) => self.focus = Field::Sort.step(-1),
            Some(Action::Down) => self.focus = Field::Sort.step(1),
            Some(Action::SortDirection) => {
                if let Some(s) = &mut self.sort {
                    s.descending = !s.descending;
                }
            }
            Some(Action::Remove | Action::Clear) => self.sort = None,
            _ => {}
        }
    }

    /// The sort picker: "no sort", then every property, the cursor on the current sort.
    fn open_sort(&mut self, catalog: &Catalog) {
        let mut options = vec![Choice {
            value: String::new(),
            label: "(no sort: HubSpot's order)".into(),
        }];
        options.extend(property_choices(catalog, &[]));
        let mut list = Picker::new(options, false, "").with_fuzzy();
        if let Some(s) = &self.sort {
            let name = canonical_property(&s.property);
            if let Some(i) = list.options.iter().position(|o| o.value == name) {
                list.cursor = i;
            }
        }
        self.popup = Some(Popup::SortBy(list));
    }

    /// Sorts by `property` ("" for HubSpot's order), keeping the direction.
    fn choose_sort(&mut self, property: String) {
        self.sort = if property.is_empty() {
            None
        } else {
            let descending = self.sort.as_ref().is_none_or(|s| s.descending);
            Some(SortSpec {
                property,
                descending,
            })
        };
    }

    fn columns_key(&mut self, action: Option<Action>, catalog: &Catalog) {
        let n = self.shown_columns().len();
        match action {
            Some(Action::Open | Action::Add) => self.open_add_column(catalog),
            Some(Action::Up) => self.focus = Field::Columns.step(-1),
            Some(Action::Down) => self.focus = Field::Columns.step(1),
            Some(Action::PrevColumn) => self.col_cursor = self.col_cursor.saturating_sub(1),
            Some(Action::NextColumn) => {
                self.col_cursor = (self.col_cursor + 1).min(n.saturating_sub(1));
            }
            Some(Action::Remove) => self.remove_column(),
            Some(Action::MoveColumnLeft) => self.move_column(-1),
            Some(Action::MoveColumnRight) => self.move_column(1),
            Some(Action::Clear) => {
                self.columns.clear();
                self.col_cursor = self.shown_columns().len().saturating_sub(1);
            }
            _ => {}
        }
    }

    /// Removes the selected column; a view keeps at least one.
    fn remove_column(&mut self) {
        let mut cols = self.shown_columns();
        let n = cols.len();
        if n <= 1 {
            self.message = Some("a view needs at least one column".into());
        } else if self.col_cursor < n {
            cols.remove(self.col_cursor);
            self.columns = cols;
            self.col_cursor = self.col_cursor.min(n - 2);
        }
    }

    /// Swaps the selected column with its neighbour `delta` (±1) away; the selection follows.
    fn move_column(&mut self, delta: isize) {
        let mut cols = self.shown_columns();
        let i = self.col_cursor;
        if let Some(j) = i
            .checked_add_signed(delta)
            .filter(|&j| j < cols.len() && i < cols.len())
        {
            cols.swap(i, j);
            self.columns = cols;
            self.col_cursor = j;
        }
    }

    fn add_column(&mut self, column: String) {
        let mut cols = self.shown_columns();
        cols.push(column);
        self.col_cursor = cols.len() - 1;
        self.columns = cols;
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
        self.popup = Some(Popup::AddColumn(
            Picker::new(options, false, "").with_fuzzy(),
        ));
    }

    /// A key in the popup; what stays open.
    fn popup_key(
        &mut self,
        popup: Popup,
        key: KeyEvent,
        keymap: &Keymap,
        catalog: &Catalog,
    ) -> Option<Popup> {
        match popup {
            Popup::Condition(mut flow) => match flow.on_key(key, keymap, catalog) {
                Step::Stay => Some(Popup::Condition(flow)),
                Step::Close => None,
                Step::Add(c) => {
                    self.add_condition(c);
                    None
                }
            },
            Popup::Choose { field, mut list } => match pick_key(&mut list, key, keymap) {
                PickKey::Stay => Some(Popup::Choose { field, list }),
                PickKey::Cancel => None,
                PickKey::Accept => {
                    if let Some(values) = list.picks() {
                        self.set_values(field, values, catalog);
                    }
                    None
                }
            },
            Popup::SortBy(mut list) => match pick_key(&mut list, key, keymap) {
                PickKey::Stay => Some(Popup::SortBy(list)),
                PickKey::Cancel => None,
                PickKey::Accept => {
                    if let Some(v) = first_pick(&list) {
                        self.choose_sort(v);
                    }
                    None
                }
            },
            Popup::AddColumn(mut list) => match pick_key(&mut list, key, keymap) {
                PickKey::Stay => Some(Popup::AddColumn(list)),
                PickKey::Cancel => None,
                PickKey::Accept => {
                    if let Some(v) = first_pick(&list) {
                        self.add_column(v);
                    }
                    None
                }
            },
        }
    }
}

/// The value a single-choice picker picks.
fn first_pick(list: &Picker) -> Option<String> {
    list.picks().and_then(|v| v.into_iter().next())
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
