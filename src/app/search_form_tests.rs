//! The search form's keys: pre-filling from a view, each field's editing, the add-condition
//! flow, OR-groups, sort and columns, and the outcomes the app acts on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::tests::fixtures;
use crate::domain::{Owner, PropertyDef, PropertyType};
use crate::views::defaults;

/// A custom (not HubSpot-defined) property.
fn def(name: &str, label: &str, kind: PropertyType) -> PropertyDef {
    PropertyDef {
        hubspot_defined: false,
        ..fixtures::def(name, label, kind, 20)
    }
}

/// The app's fixture catalogue, plus a number, a date and a bool property and an archived
/// owner.
pub(crate) fn catalog() -> Catalog {
    let mut c = Catalog::default();
    c.tz = jiff::tz::TimeZone::UTC;
    let mut props = fixtures::properties();
    props.push(def(
        "affected_users",
        "Affected users",
        PropertyType::Number,
    ));
    props.push(def("closed_date", "Close date", PropertyType::DateTime));
    props.push(def("is_vip", "VIP customer", PropertyType::Bool));
    c.set_properties(props, fixtures::groups());
    c.set_pipelines(fixtures::pipelines());
    let mut owners = fixtures::owners();
    owners.push(Owner {
        id: "14".into(),
        first_name: "Olga".into(),
        last_name: "Former".into(),
        email: "olga@example.com".into(),
        user_id: Some(12),
        archived: true,
    });
    c.set_owners(owners);
    c
}

/// A view with every field set.
pub(crate) fn full_view() -> View {
    let mut between = Condition::new("affected_users", FilterOperator::Between, "10");
    between.high_value = "20".into();
    let mut vip = Condition::new("is_vip", FilterOperator::Eq, "true");
    vip.group = 2;
    let mut prio = Condition::new("hs_ticket_priority", FilterOperator::In, "");
    prio.values = vec!["HIGH".into(), "URGENT".into()];
    View {
        name: "Escalated printers".into(),
        query: "printer".into(),
        pipeline: Some("0".into()),
        stages: vec![OPEN.into(), "label:Waiting on us".into(), "4".into()],
        priorities: vec!["HIGH".into(), "URGENT".into()],
        owners: vec![ME.into(), UNASSIGNED.into(), "12".into()],
        categories: vec!["BILLING_ISSUE".into()],
        created: DateRange {
            from: "this week".into(),
            to: String::new(),
        },
        modified: DateRange {
            from: "-7d".into(),
            to: "2026-11-01".into(),
        },
        conditions: vec![between, vip, prio],
        sort: Some(SortSpec {
            property: "hs_lastmodifieddate".into(),
            descending: true,
        }),
        columns: vec![
            "id".into(),
            "subject".into(),
            "priority".into(),
            "affected_users".into(),
        ],
    }
}

fn k(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}
fn ch(c: char) -> KeyEvent {
    k(KeyCode::Char(c))
}
fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}
fn shift_tab() -> KeyEvent {
    KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)
}

/// A form and the keymap and catalogue its keys are resolved against.
struct T {
    form: SearchForm,
    keymap: Keymap,
    cat: Catalog,
}

impl T {
    fn new(view: &View) -> Self {
        let cat = catalog();
        Self {
            form: SearchForm::new(view, &cat),
            keymap: Keymap::default(),
            cat,
        }
    }
    fn blank() -> Self {
        Self::new(&View::all_tickets())
    }
    /// A blank form whose keys are the defaults with `config`'s `[keys.*]` over them.
    fn with_keys(config: &str) -> Self {
        Self {
            keymap: Keymap::from_config(config, "config.toml").expect("valid keys"),
            ..Self::blank()
        }
    }
    fn key(&mut self, key: KeyEvent) -> Outcome {
        self.form.on_key(key, &self.keymap, &self.cat)
    }
    fn keys(&mut self, keys: &[KeyEvent]) -> Vec<Outcome> {
        keys.iter().map(|k| self.key(*k)).collect()
    }
    fn typ(&mut self, text: &str) -> Vec<Outcome> {
        text.chars().map(|c| self.key(ch(c))).collect()
    }
    fn focus(&mut self, field: Field) {
        for _ in 0..Field::ALL.len() {
            if self.form.focus == field {
                return;
            }
            assert_eq!(self.key(k(KeyCode::Tab)), Outcome::Nothing);
        }
        panic!("{field:?} never got the focus");
    }
    fn list(&self) -> &Picker {
        match &self.form.popup {
            Some(Popup::Choose { list, .. } | Popup::SortBy(list) | Popup::AddColumn(list)) => list,
            Some(Popup::Condition(flow)) => match &flow.value {
                Some(ValueInput::Pick(l)) => l,
                Some(ValueInput::Text(_)) => panic!("a text input is open"),
                None => flow.operators.as_ref().unwrap_or(&flow.properties),
            },
            None => panic!("no picker is open"),
        }
    }
    fn current_label(&self) -> String {
        self.list().current().unwrap().label.clone()
    }
    fn visible_labels(&self) -> Vec<String> {
        let p = self.list();
        p.visible()
            .into_iter()
            .map(|i| p.options[i].label.clone())
            .collect()
    }
    /// Moves the picker's cursor to the option labelled `label`.
    fn down_to(&mut self, label: &str) {
        for _ in 0..50 {
            if self.current_label() == label {
                return;
            }
            assert_eq!(self.key(k(KeyCode::Down)), Outcome::Nothing);
        }
        panic!("no option {label:?} in {:?}", self.visible_labels());
    }
    /// The condition flow from the Conditions field: property typed, operator by label.
    fn start_condition(&mut self, property: &str, operator: &str) -> Outcome {
        self.focus(Field::Conditions);
        assert_eq!(self.key(k(KeyCode::Enter)), Outcome::Nothing);
        self.typ(property);
        assert_eq!(self.key(k(KeyCode::Enter)), Outcome::Nothing);
        self.down_to(operator);
        self.key(k(KeyCode::Enter))
    }
}

#[test]
fn opens_prefilled_and_round_trips_the_default_views() {
    for v in defaults() {
        let t = T::new(&v);
        assert_eq!(t.form.view(), v, "{}", v.name);
        assert!(!t.form.is_dirty(), "{}", v.name);
    }
}

#[test]
fn a_view_with_every_field_round_trips_and_navigation_changes_nothing() {
    let v = full_view();
    let mut t = T::new(&v);
    assert_eq!(t.form.view(), v);
    assert_eq!(t.form.query, "printer");
    assert_eq!(t.form.conditions.len(), 3);
    // Round the form both ways, up and down, in and out of a picker: nothing changes.
    for _ in 0..Field::ALL.len() {
        assert_eq!(t.key(k(KeyCode::Tab)), Outcome::Nothing);
    }
    for _ in 0..Field::ALL.len() {
        assert_eq!(t.key(shift_tab()), Outcome::Nothing);
    }
    t.focus(Field::Stages);
    assert_eq!(
        t.keys(&[
            k(KeyCode::Enter),
            k(KeyCode::Down),
            k(KeyCode::Up),
            k(KeyCode::Esc)
        ]),
        vec![Outcome::Nothing; 4]
    );
    t.focus(Field::Conditions);
    assert_eq!(
        t.keys(&[ch('j'), ch('j'), ch('k'), k(KeyCode::Down)]),
        vec![Outcome::Nothing; 4]
    );
    assert_eq!(t.form.view(), v);
    assert!(!t.form.is_dirty());
    assert!(t.form.popup.is_none());
}

#[test]
fn typing_text_changes_the_terms_and_ctrl_u_clears() {
    let mut t = T::blank();
    assert_eq!(t.form.focus, Field::Text);
    assert_eq!(t.typ("VAT"), vec![Outcome::Changed; 3]);
    assert_eq!(t.form.view().query, "VAT");
    assert_eq!(t.key(k(KeyCode::Backspace)), Outcome::Changed);
    assert_eq!(t.form.query, "VA");
    assert_eq!(t.key(ctrl('u')), Outcome::Changed);
    assert_eq!(t.form.query, "");
    // Nothing left to clear: not a change.
    assert_eq!(t.key(ctrl('u')), Outcome::Nothing);
    assert_eq!(t.key(k(KeyCode::Backspace)), Outcome::Nothing);
    // `q`, `j` and `?` are text here, not commands.
    assert_eq!(t.typ("qj?"), vec![Outcome::Changed; 3]);
    assert_eq!(t.form.query, "qj?");
}

#[test]
fn japanese_is_typed_and_pasted() {
    let mut t = T::blank();
    assert_eq!(t.typ("プリ"), vec![Outcome::Changed; 2]);
    t.form.paste("ンター\r\n燃え\u{1b}[2J");
    assert_eq!(t.form.query, "プリンター 燃え");
    assert_eq!(t.key(k(KeyCode::Backspace)), Outcome::Changed);
    assert_eq!(t.form.view().query, "プリンター 燃");
    // Pasting into a picker's filter narrows it.
    t.focus(Field::Owner);
    t.key(k(KeyCode::Enter));
    t.form.paste("Chlo");
    assert_eq!(t.visible_labels(), vec!["Chloé Martin"]);
}

#[test]
fn pipeline_picker_by_label_and_foreign_stages_dropped() {
    let mut v = View::all_tickets();
    v.stages = vec![OPEN.into(), "7458292".into(), "1".into()];
    let mut t = T::new(&v);
    t.focus(Field::Pipeline);
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Nothing);
    assert_eq!(
        t.visible_labels(),
        vec!["Any pipeline", "Support Pipeline", "Escalations"]
    );
    assert_eq!(t.current_label(), "Any pipeline");
    t.down_to("Support Pipeline");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(t.form.pipeline.as_deref(), Some("0"));
    // The Escalations stage went; the word and the Support stage stayed.
    assert_eq!(t.form.stages, vec![OPEN.to_owned(), "1".into()]);
    // Typing on a choice field opens its picker filtered.
    assert_eq!(t.typ("esc"), vec![Outcome::Nothing; 3]);
    assert_eq!(t.visible_labels(), vec!["Escalations"]);
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(t.form.pipeline.as_deref(), Some("7458291"));
    assert_eq!(t.form.stages, vec![OPEN.to_owned()]);
    // Delete: any pipeline.
    assert_eq!(t.key(k(KeyCode::Delete)), Outcome::Changed);
    assert_eq!(t.form.pipeline, None);
}

#[test]
fn stages_offer_words_then_stages_labelled_with_their_pipeline() {
    let mut v = View::all_tickets();
    v.stages = vec!["label:Waiting on us".into()];
    let mut t = T::new(&v);
    t.focus(Field::Stages);
    t.key(k(KeyCode::Enter));
    let labels = t.visible_labels();
    assert_eq!(
        &labels[..3],
        ["Open stages", "Closed stages", "New · Support Pipeline"]
    );
    assert!(labels.contains(&"Triage · Escalations".to_owned()));
    // The label from config is offered, by its text, and is chosen.
    assert_eq!(labels.last().map(String::as_str), Some("Waiting on us"));
    assert!(t.list().chosen.contains("label:Waiting on us"));
    // Space marks; Enter keeps the marks, in option order.
    t.key(ch(' ')); // unmarks the label (the cursor starts on it)
    t.key(ctrl('u')); // none
    assert!(t.list().chosen.is_empty());
    t.key(k(KeyCode::PageUp)); // to the top
    t.down_to("Closed stages");
    t.key(ch(' '));
    t.down_to("Engineering investigating · Escalations");
    t.key(ch(' '));
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(t.form.stages, vec![CLOSED.to_owned(), "7458293".into()]);
    // With a pipeline chosen, only its stages, by their own label.
    t.form.pipeline = Some("0".into());
    t.key(k(KeyCode::Enter));
    let labels = t.visible_labels();
    assert_eq!(
        labels,
        vec![
            "Open stages",
            "Closed stages",
            "New",
            "Waiting on contact",
            "Waiting on us",
            "Closed",
            "Engineering investigating · Escalations"
        ]
    );
    // Enter without Space takes the option under the cursor, adding it.
    t.key(k(KeyCode::Esc));
    assert!(t.form.popup.is_none());
    t.key(k(KeyCode::Enter));
    t.down_to("New");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(
        t.form.stages,
        vec![CLOSED.to_owned(), "1".into(), "7458293".into()]
    );
}

#[test]
fn priority_category_and_owner_are_chosen_by_label() {
    let mut t = T::blank();
    t.focus(Field::Priority);
    t.key(k(KeyCode::Enter));
    assert_eq!(t.visible_labels(), vec!["Low", "Medium", "High", "Urgent"]);
    t.key(ch(' '));
    t.down_to("High");
    t.key(ch(' '));
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(t.form.priorities, vec!["LOW".to_owned(), "HIGH".into()]);

    t.focus(Field::Category);
    t.key(k(KeyCode::Enter));
    assert_eq!(t.visible_labels(), vec!["Product issue", "Billing issue"]);
    t.down_to("Billing issue");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(t.form.categories, vec!["BILLING_ISSUE".to_owned()]);

    t.focus(Field::Owner);
    t.key(k(KeyCode::Enter));
    // Archived owners are not offered.
    assert_eq!(
        t.visible_labels(),
        vec![
            "Me",
            "Unassigned",
            "Aiko Tanaka",
            "Ben Carter",
            "Chloé Martin"
        ]
    );
    t.key(ch(' '));
    t.down_to("Unassigned");
    t.key(ch(' '));
    t.down_to("Ben Carter");
    t.key(ch(' '));
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(
        t.form.view().owners,
        vec![ME.to_owned(), UNASSIGNED.into(), "12".into()]
    );
    // Values read as labels.
    assert_eq!(value_label(Field::Owner, "12", &t.cat, None), "Ben Carter");
    assert_eq!(value_label(Field::Owner, "14", &t.cat, None), "Olga Former");
    assert_eq!(value_label(Field::Priority, "HIGH", &t.cat, None), "High");
    // Ctrl-u on the field clears it.
    assert_eq!(t.key(ctrl('u')), Outcome::Changed);
    assert!(t.form.owners.is_empty());
}

#[test]
fn dates_accept_words_and_flag_what_does_not_parse() {
    let mut t = T::blank();
    t.focus(Field::CreatedFrom);
    assert!(t.typ("this week").iter().all(|o| *o == Outcome::Changed));
    assert_eq!(t.form.field_error(Field::CreatedFrom), None);
    t.key(k(KeyCode::Tab));
    assert_eq!(t.form.focus, Field::CreatedTo);
    t.typ("2026-11-01");
    t.key(k(KeyCode::Tab));
    t.typ("-7d");
    t.key(k(KeyCode::Enter)); // Enter moves on, like Tab
    assert_eq!(t.form.focus, Field::ModifiedTo);
    t.typ("someday");
    assert!(
        t.form
            .field_error(Field::ModifiedTo)
            .unwrap()
            .contains("\"someday\" is not a date")
    );
    let v = t.form.view();
    assert_eq!(v.created.from, "this week");
    assert_eq!(v.created.to, "2026-11-01");
    assert_eq!(v.modified.from, "-7d");
    // Ctrl-s refuses while a date is wrong, and takes the user there.
    t.focus(Field::Text);
    assert_eq!(t.key(ctrl('s')), Outcome::Nothing);
    assert_eq!(t.form.focus, Field::ModifiedTo);
    assert!(t.form.message.is_some());
    t.key(ctrl('u'));
    t.typ("yesterday");
    assert_eq!(t.form.field_error(Field::ModifiedTo), None);
    assert!(matches!(t.key(ctrl('s')), Outcome::Apply(v) if v.modified.to == "yesterday"));
}

#[test]
fn condition_on_a_string_property() {
    let mut t = T::blank();
    t.focus(Field::Conditions);
    t.key(k(KeyCode::Enter));
    // All visible properties by label (the name shown too: see the snapshots); typed fuzzily.
    assert!(t.list().fuzzy);
    t.typ("tkname");
    assert_eq!(t.current_label(), "Ticket name");
    assert_eq!(t.list().current().unwrap().value, "subject");
    t.key(k(KeyCode::Enter));
    // String operators, the common one first.
    assert_eq!(t.visible_labels()[0], "contains word");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Nothing);
    // A text value.
    assert_eq!(t.typ("printer"), vec![Outcome::Nothing; 7]);
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert!(t.form.popup.is_none());
    assert_eq!(
        t.form.conditions,
        vec![Condition::new(
            "subject",
            FilterOperator::ContainsToken,
            "printer"
        )]
    );
    assert_eq!(
        condition_text(&t.form.conditions[0], &t.cat),
        "Ticket name contains word printer"
    );
}

#[test]
fn condition_number_between_checks_both_ends() {
    let mut t = T::blank();
    assert_eq!(t.start_condition("affected", "between"), Outcome::Nothing);
    t.typ("1O"); // a letter O
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Nothing);
    let Some(Popup::Condition(flow)) = &t.form.popup else {
        panic!("flow closed")
    };
    assert!(flow.error.as_deref().unwrap().contains("not a number"));
    t.key(k(KeyCode::Backspace));
    t.typ("0");
    // Enter on the low end moves to the high end.
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Nothing);
    t.typ("20");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    let mut want = Condition::new("affected_users", FilterOperator::Between, "10");
    want.high_value = "20".into();
    assert_eq!(t.form.conditions, vec![want]);
    assert_eq!(
        condition_text(&t.form.conditions[0], &t.cat),
        "Affected users between 10 and 20"
    );
    // A single number with ≥.
    assert_eq!(t.start_condition("affected", "≥"), Outcome::Nothing);
    t.typ("5");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(
        condition_text(&t.form.conditions[1], &t.cat),
        "Affected users ≥ 5"
    );
}

#[test]
fn condition_on_a_date_takes_words() {
    let mut t = T::blank();
    t.start_condition("close date", "≥");
    t.typ("last wek");
    t.key(k(KeyCode::Enter));
    assert!(t.form.conditions.is_empty());
    t.key(k(KeyCode::Backspace));
    t.key(k(KeyCode::Backspace));
    t.typ("eek");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(
        t.form.conditions,
        vec![Condition::new(
            "closed_date",
            FilterOperator::Gte,
            "last week"
        )]
    );
}

#[test]
fn condition_enumeration_in_uses_an_option_picker() {
    let mut t = T::blank();
    assert_eq!(t.start_condition("priority", "is any of"), Outcome::Nothing);
    assert!(t.list().multi);
    assert_eq!(t.visible_labels(), vec!["Low", "Medium", "High", "Urgent"]);
    t.down_to("High");
    t.key(ch(' '));
    t.down_to("Urgent");
    t.key(ch(' '));
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    let mut want = Condition::new("hs_ticket_priority", FilterOperator::In, "");
    want.values = vec!["HIGH".into(), "URGENT".into()];
    assert_eq!(t.form.conditions, vec![want]);
    assert_eq!(
        condition_text(&t.form.conditions[0], &t.cat),
        "Priority is any of High, Urgent"
    );
    // Owners by name, `is` a single choice.
    assert_eq!(t.start_condition("owner", "is"), Outcome::Nothing);
    assert!(!t.list().multi);
    t.down_to("Aiko Tanaka");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(t.form.conditions[1].value, "11");
    assert_eq!(
        condition_text(&t.form.conditions[1], &t.cat),
        "Ticket owner is Aiko Tanaka"
    );
}

#[test]
fn condition_has_property_needs_no_value_and_esc_steps_back() {
    let mut t = T::blank();
    t.focus(Field::Conditions);
    t.key(ch('a'));
    t.typ("category");
    t.key(k(KeyCode::Enter));
    // Esc goes back to the property step, with the filter kept.
    assert_eq!(t.key(k(KeyCode::Esc)), Outcome::Nothing);
    assert_eq!(t.list().query, "category");
    t.key(k(KeyCode::Enter));
    t.down_to("is known");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert!(t.form.popup.is_none());
    assert_eq!(
        t.form.conditions,
        vec![Condition::new(
            "hs_ticket_category",
            FilterOperator::HasProperty,
            ""
        )]
    );
    assert_eq!(
        condition_text(&t.form.conditions[0], &t.cat),
        "Category is known"
    );
    // Esc from the property step closes the flow; it never asks to discard the form.
    t.key(k(KeyCode::Enter));
    assert_eq!(t.key(k(KeyCode::Esc)), Outcome::Nothing);
    assert!(t.form.popup.is_none());
    assert!(!t.form.confirm_discard);
}

#[test]
fn or_groups_with_o_and_conditions_go_to_the_selected_group() {
    let mut t = T::blank();
    t.start_condition("ticket name", "contains word");
    t.typ("printer");
    t.key(k(KeyCode::Enter));
    // `o`: the next condition starts group 2. Not a change of terms by itself.
    assert_eq!(t.key(ch('o')), Outcome::Nothing);
    assert_eq!(t.form.target_group(), 2);
    t.start_condition("vip", "is");
    t.down_to("Yes");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(t.form.conditions[1].group, 2);
    assert_eq!(t.form.new_group, None);
    // Select the first condition (group 1): the next one joins it, listed after it.
    t.key(ch('k'));
    assert_eq!(t.form.target_group(), 1);
    t.start_condition("affected", "≥");
    t.typ("10");
    t.key(k(KeyCode::Enter));
    let groups: Vec<(String, u8)> = t
        .form
        .conditions
        .iter()
        .map(|c| (c.property.clone(), c.group))
        .collect();
    assert_eq!(
        groups,
        vec![
            ("subject".to_owned(), 1),
            ("affected_users".into(), 1),
            ("is_vip".into(), 2)
        ]
    );
    // The cursor is on the condition just added.
    assert_eq!(t.form.cond_cursor, 1);
    // Display order is by group, even when the list interleaves them.
    let mut v = View::all_tickets();
    let mut b = Condition::new("is_vip", FilterOperator::Eq, "true");
    b.group = 2;
    v.conditions = vec![
        Condition::new("subject", FilterOperator::Eq, "a"),
        b,
        Condition::new("subject", FilterOperator::Eq, "c"),
    ];
    let f = SearchForm::new(&v, &t.cat);
    assert_eq!(f.condition_order(), vec![0, 2, 1]);
    // `o` with no conditions explains instead.
    let mut e = T::blank();
    e.focus(Field::Conditions);
    assert_eq!(e.key(ch('o')), Outcome::Nothing);
    assert_eq!(e.form.new_group, None);
    assert!(e.form.message.is_some());
}

#[test]
fn x_and_delete_remove_the_selected_condition() {
    let mut t = T::new(&full_view());
    t.focus(Field::Conditions);
    // Display order: group 1 (between, priority) then group 2 (vip).
    t.key(ch('j'));
    assert_eq!(t.key(ch('x')), Outcome::Changed);
    let props: Vec<&str> = t
        .form
        .conditions
        .iter()
        .map(|c| c.property.as_str())
        .collect();
    assert_eq!(props, vec!["affected_users", "is_vip"]);
    t.key(ch('j'));
    t.key(ch('j'));
    assert_eq!(t.key(k(KeyCode::Delete)), Outcome::Changed);
    assert_eq!(t.form.conditions.len(), 1);
    assert_eq!(t.form.conditions[0].property, "affected_users");
    assert_eq!(t.key(ch('x')), Outcome::Changed);
    assert!(t.form.conditions.is_empty());
    assert_eq!(t.key(ch('x')), Outcome::Nothing);
}

#[test]
fn sort_property_and_direction() {
    let mut t = T::blank();
    t.focus(Field::Sort);
    assert_eq!(sort_text(t.form.sort.as_ref(), &t.cat), "HubSpot's order");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Nothing);
    t.typ("create");
    assert_eq!(t.current_label(), "Create date");
    // Sorting doesn't change which tickets match.
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Nothing);
    assert_eq!(
        t.form.sort,
        Some(SortSpec {
            property: "createdate".into(),
            descending: true
        })
    );
    assert_eq!(t.key(ch('d')), Outcome::Nothing);
    assert_eq!(sort_text(t.form.sort.as_ref(), &t.cat), "Create date ↑");
    assert!(t.form.is_dirty());
    let mut m = T::new(&defaults()[2]);
    assert_eq!(
        sort_text(m.form.sort.as_ref(), &m.cat),
        "Last modified date ↓"
    );
    m.focus(Field::Sort);
    m.key(k(KeyCode::Delete));
    assert_eq!(m.form.view().sort, None);
}

#[test]
fn columns_add_remove_and_move_keep_order() {
    let mut t = T::blank();
    t.focus(Field::Columns);
    assert!(t.form.columns.is_empty());
    // The cursor starts on the last column; x removes it (the defaults become explicit).
    assert_eq!(t.key(ch('x')), Outcome::Nothing);
    assert_eq!(
        t.form.columns,
        crate::views::DEFAULT_COLUMNS[..6]
            .iter()
            .map(|c| (*c).to_owned())
            .collect::<Vec<_>>()
    );
    // Enter adds at the end; columns shown already are not offered.
    t.key(k(KeyCode::Enter));
    assert!(!t.visible_labels().contains(&"Ticket name".to_owned()));
    t.typ("categ");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Nothing);
    assert_eq!(t.form.columns.last().unwrap(), "hs_ticket_category");
    assert_eq!(t.form.col_cursor, 6);
    // `<` moves the selected one left; ← ← ← then x removes the stage column.
    t.key(ch('<'));
    assert_eq!(t.form.columns[5], "hs_ticket_category");
    assert_eq!(t.form.col_cursor, 5);
    t.key(k(KeyCode::Left));
    t.key(k(KeyCode::Left));
    t.key(k(KeyCode::Left));
    t.key(ch('x'));
    assert_eq!(
        t.form.view().columns,
        vec![
            "hs_object_id".to_owned(),
            "subject".into(),
            "hs_pipeline".into(),
            "hs_ticket_priority".into(),
            "hs_ticket_category".into(),
            "hubspot_owner_id".into()
        ]
    );
    // Ctrl-u: back to the defaults.
    t.key(ctrl('u'));
    assert!(t.form.columns.is_empty());
    assert!(!t.form.is_dirty());
}

#[test]
fn ctrl_s_applies_and_ctrl_w_saves_under_the_name() {
    let v = defaults()[0].clone();
    let mut t = T::new(&v);
    t.typ("wifi");
    match t.key(ctrl('s')) {
        Outcome::Apply(a) => {
            assert_eq!(a.name, "Open");
            assert_eq!(a.query, "wifi");
            assert_eq!(a.stages, v.stages);
        }
        other => panic!("{other:?}"),
    }
    // Ctrl-w without a name: refused, with the reason, on the Save-as field.
    assert_eq!(t.key(ctrl('w')), Outcome::Nothing);
    assert_eq!(t.form.focus, Field::SaveAs);
    assert!(t.form.message.as_deref().unwrap().contains("name"));
    t.typ("  ");
    assert_eq!(t.key(ctrl('w')), Outcome::Nothing);
    // Typing the name is not a change of terms.
    assert_eq!(t.typ("Wifi"), vec![Outcome::Nothing; 4]);
    match t.key(ctrl('w')) {
        Outcome::Save(s) => {
            assert_eq!(s.name, "Wifi");
            assert_eq!(s.query, "wifi");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(t.form.view().name, "Wifi");
}

#[test]
fn esc_cancels_at_once_when_clean_and_asks_when_dirty() {
    let mut t = T::blank();
    t.focus(Field::Priority);
    assert_eq!(t.key(k(KeyCode::Esc)), Outcome::Cancel);

    let mut t = T::blank();
    t.typ("x");
    assert_eq!(t.key(k(KeyCode::Esc)), Outcome::Nothing);
    assert!(t.form.confirm_discard);
    // Any other key returns to the form (and is not typed).
    assert_eq!(t.key(ch('n')), Outcome::Nothing);
    assert!(!t.form.confirm_discard);
    assert_eq!(t.form.query, "x");
    // Esc again discards; so does y.
    t.key(k(KeyCode::Esc));
    assert_eq!(t.key(k(KeyCode::Esc)), Outcome::Cancel);
    t.form.confirm_discard = false;
    t.key(k(KeyCode::Esc));
    assert_eq!(t.key(ch('y')), Outcome::Cancel);
    // Undoing the change makes it clean again.
    let mut t = T::blank();
    t.typ("x");
    t.key(k(KeyCode::Backspace));
    assert_eq!(t.key(k(KeyCode::Esc)), Outcome::Cancel);
}

#[test]
fn changed_only_when_terms_change() {
    let mut t = T::new(&full_view());
    // Navigation, opening and leaving pickers, the sort, the columns, the name: Nothing.
    let mut quiet = vec![
        k(KeyCode::Tab),
        k(KeyCode::Down),
        k(KeyCode::Up),
        shift_tab(),
    ];
    quiet.extend([
        k(KeyCode::Tab),
        k(KeyCode::Enter),
        k(KeyCode::Down),
        k(KeyCode::Esc),
    ]);
    for key in quiet {
        assert_eq!(t.key(key), Outcome::Nothing, "{key:?}");
    }
    t.focus(Field::Sort);
    assert_eq!(t.key(ch('d')), Outcome::Nothing);
    t.focus(Field::Columns);
    assert_eq!(t.key(ch('x')), Outcome::Nothing);
    t.focus(Field::SaveAs);
    assert_eq!(t.key(ch('N')), Outcome::Nothing);
    // A picker confirmed with the same choice: Nothing.
    t.focus(Field::Category);
    t.key(k(KeyCode::Enter));
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Nothing);
    assert_eq!(t.form.categories, vec!["BILLING_ISSUE".to_owned()]);
    // Key releases are ignored.
    let mut release = ch('z');
    release.kind = crossterm::event::KeyEventKind::Release;
    t.focus(Field::Text);
    assert_eq!(t.key(release), Outcome::Nothing);
    assert_eq!(t.form.query, "printer");
    // The preview is the app's to set.
    t.form.set_preview(Preview::Count(3));
    assert_eq!(t.form.preview, Preview::Count(3));
}

#[test]
fn rebound_search_keys_act_and_the_old_ones_do_not() {
    let mut t = T::with_keys(
        "[keys.search]\nadd = \"+\"\nsave_view = \"Ctrl-g\"\nnew_or_group = \"|\"\n\
         remove = \"Ctrl-x\"\nsort_direction = \"r\"\n[keys.picker]\ntoggle = \"Ctrl-t\"\n",
    );
    t.focus(Field::Conditions);
    // `a` and `o` no longer do anything here; `+` and `|` do.
    assert_eq!(t.keys(&[ch('a'), ch('o')]), vec![Outcome::Nothing; 2]);
    assert!(t.form.popup.is_none());
    assert_eq!(t.form.message, None);
    t.key(ch('|'));
    assert_eq!(
        t.form.message.as_deref(),
        Some("add a condition first (Enter); | then starts an OR-group")
    );
    t.key(ch('+'));
    assert!(matches!(t.form.popup, Some(Popup::Condition(_))));
    t.key(k(KeyCode::Esc));
    // A value picker marks with the picker's rebound toggle; Space is typed into its filter.
    assert_eq!(t.start_condition("priority", "is any of"), Outcome::Nothing);
    t.key(ch(' '));
    assert!(t.list().chosen.is_empty());
    assert_eq!(t.list().query, " ");
    t.key(k(KeyCode::Backspace));
    t.key(ctrl('t'));
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(t.form.conditions[0].values, vec!["LOW".to_owned()]);
    // Removing: x is gone, Ctrl-x removes.
    assert_eq!(t.key(ch('x')), Outcome::Nothing);
    assert_eq!(t.key(ctrl('x')), Outcome::Changed);
    assert!(t.form.conditions.is_empty());
    // Sort direction on `r`, no longer on `d`.
    t.form.sort = Some(SortSpec {
        property: "createdate".into(),
        descending: true,
    });
    t.focus(Field::Sort);
    t.key(ch('d'));
    assert!(t.form.sort.as_ref().unwrap().descending);
    t.key(ch('r'));
    assert!(!t.form.sort.as_ref().unwrap().descending);
    // Columns add with `+` too.
    t.focus(Field::Columns);
    t.key(ch('a'));
    assert!(t.form.popup.is_none());
    t.key(ch('+'));
    assert!(matches!(t.form.popup, Some(Popup::AddColumn(_))));
    t.key(k(KeyCode::Esc));
    // Saving as a view: Ctrl-w does nothing, Ctrl-g asks for the name, naming its key.
    assert_eq!(t.key(ctrl('w')), Outcome::Nothing);
    assert_eq!(t.form.focus, Field::Columns);
    assert_eq!(t.key(ctrl('g')), Outcome::Nothing);
    assert_eq!(t.form.focus, Field::SaveAs);
    assert_eq!(
        t.form.message.as_deref(),
        Some("type a name in Save as, then Ctrl-g saves the view")
    );
    t.typ("Mine");
    assert!(matches!(t.key(ctrl('g')), Outcome::Save(v) if v.name == "Mine"));
}

#[test]
fn the_text_and_choice_fields_type_the_letters_the_other_fields_act_on() {
    let letters = "axjkohld<> ";
    let mut t = T::blank();
    t.typ(letters);
    assert_eq!(t.form.query, letters);
    t.focus(Field::CreatedFrom);
    t.typ("today");
    assert_eq!(t.form.created.from, "today");
    t.focus(Field::SaveAs);
    t.typ(letters);
    assert_eq!(t.form.save_as, letters);
    // On a choice field a letter opens the list, filtered by it; a space just opens it.
    t.focus(Field::Priority);
    assert_eq!(t.key(ch('x')), Outcome::Nothing);
    assert_eq!(t.list().query, "x");
    t.key(k(KeyCode::Esc));
    t.key(ch(' '));
    assert_eq!(t.list().query, "");
    assert_eq!(t.visible_labels(), vec!["Low", "Medium", "High", "Urgent"]);
    t.key(k(KeyCode::Esc));
    // A typed condition value takes them as text too.
    assert_eq!(
        t.start_condition("ticket name", "contains word"),
        Outcome::Nothing
    );
    t.typ("ax<");
    assert_eq!(t.key(k(KeyCode::Enter)), Outcome::Changed);
    assert_eq!(t.form.conditions[0].value, "ax<");
}
