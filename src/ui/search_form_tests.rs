//! Snapshots of the search form at 80×24 and 120×40: pre-filled from a view with every field
//! set, each preview state (count, capped, error), a picker, the add-condition steps, Japanese
//! text with a date error, the discard question, and the scrolled form on a small screen.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;
use crate::app::search_form::search_form_tests::{catalog, full_view};
use crate::app::search_form::{Outcome, Preview, SearchForm};
use crate::keymap::Keymap;
use crate::views::{self, Condition, View};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn render(form: &SearchForm, cat: &Catalog, w: u16, h: u16) -> String {
    render_keys(form, cat, &Keymap::default(), w, h)
}

fn render_keys(form: &SearchForm, cat: &Catalog, km: &Keymap, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| {
        render_search_form(
            f,
            form,
            cat,
            km,
            Theme::new(crate::config::ThemeName::Dark, false),
        )
    })
    .unwrap();
    crate::ui::buffer_text(term.backend().buffer())
}

fn snap(name: &str, form: &SearchForm, cat: &Catalog) {
    for (w, h) in SIZES {
        insta::assert_snapshot!(
            format!("search_form_{name}_{w}x{h}"),
            render(form, cat, w, h)
        );
    }
}

fn keys(form: &mut SearchForm, cat: &Catalog, keys: &[KeyEvent]) {
    let km = Keymap::default();
    for k in keys {
        form.on_key(*k, &km, cat);
    }
}

fn k(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn typed(text: &str) -> Vec<KeyEvent> {
    text.chars().map(|c| k(KeyCode::Char(c))).collect()
}

#[test]
fn prefilled_with_a_count() {
    let cat = catalog();
    let mut f = SearchForm::new(&full_view(), &cat);
    f.set_preview(Preview::Count(1234));
    snap("prefilled_count", &f, &cat);
}

#[test]
fn capped_preview_and_focus_on_conditions() {
    let cat = catalog();
    let mut f = SearchForm::new(&full_view(), &cat);
    for _ in 0..10 {
        keys(&mut f, &cat, &[k(KeyCode::Tab)]);
    }
    keys(&mut f, &cat, &[k(KeyCode::Char('j'))]);
    f.set_preview(Preview::Capped(12_345));
    snap("capped_conditions", &f, &cat);
    let text = render(&f, &cat, 80, 24);
    assert!(text.contains("12,345 match"), "{text}");
    assert!(text.contains("first 10,000"), "{text}");
}

#[test]
fn error_preview_from_the_compiler() {
    let cat = catalog();
    // Six OR-groups: over HubSpot's five.
    let mut v = View::all_tickets();
    v.conditions = (1..=6u8)
        .map(|g| {
            let mut c = Condition::new("subject", crate::domain::search::FilterOperator::Eq, "x");
            c.group = g;
            c
        })
        .collect();
    let err = views::compile(
        &v,
        views::Context {
            catalog: &cat,
            me: None,
            now: "2026-11-01T09:00:00Z".parse().unwrap(),
        },
    )
    .expect_err("too big");
    let mut f = SearchForm::new(&View::all_tickets(), &cat);
    f.set_preview(Preview::Error(err.to_string()));
    snap("error_preview", &f, &cat);
    assert!(render(&f, &cat, 80, 24).contains("HubSpot allows 5"));
}

#[test]
fn stage_picker_open() {
    let cat = catalog();
    let mut f = SearchForm::new(&views::defaults()[3], &cat);
    keys(
        &mut f,
        &cat,
        &[k(KeyCode::Tab), k(KeyCode::Tab), k(KeyCode::Enter)],
    );
    f.set_preview(Preview::Counting);
    snap("stage_picker", &f, &cat);
}

#[test]
fn condition_property_step_then_between_values() {
    let cat = catalog();
    let mut f = SearchForm::new(&View::all_tickets(), &cat);
    let mut ks = vec![k(KeyCode::Tab); 10];
    ks.push(k(KeyCode::Enter));
    ks.extend(typed("ticket"));
    keys(&mut f, &cat, &ks);
    snap("condition_property", &f, &cat);
    let mut ks = vec![k(KeyCode::Char('u'))];
    ks[0].modifiers = KeyModifiers::CONTROL;
    ks.extend(typed("affected"));
    ks.push(k(KeyCode::Enter));
    ks.extend(vec![k(KeyCode::Down); 6]);
    ks.push(k(KeyCode::Enter));
    ks.extend(typed("10"));
    ks.push(k(KeyCode::Enter));
    ks.extend(typed("2x"));
    ks.push(k(KeyCode::Enter));
    keys(&mut f, &cat, &ks);
    snap("condition_between", &f, &cat);
    assert!(render(&f, &cat, 80, 24).contains("\"2x\" is not a number"));
}

#[test]
fn japanese_text_and_a_date_error() {
    let cat = catalog();
    let mut f = SearchForm::new(&View::all_tickets(), &cat);
    f.paste("プリンターが燃えている");
    let mut ks = vec![k(KeyCode::Tab); 6];
    ks.extend(typed("last fortnight"));
    keys(&mut f, &cat, &ks);
    snap("japanese_date_error", &f, &cat);
}

#[test]
fn discard_question() {
    let cat = catalog();
    let mut f = SearchForm::new(&views::defaults()[1], &cat);
    let km = Keymap::default();
    assert_eq!(f.on_key(k(KeyCode::Char('z')), &km, &cat), Outcome::Changed);
    assert_eq!(f.on_key(k(KeyCode::Esc), &km, &cat), Outcome::Nothing);
    snap("discard", &f, &cat);
}

#[test]
fn the_focused_field_stays_in_view_on_a_small_screen() {
    let cat = catalog();
    let mut v = full_view();
    for i in 0..8 {
        v.conditions.push(Condition::new(
            "subject",
            crate::domain::search::FilterOperator::Eq,
            &format!("w{i}"),
        ));
    }
    let mut f = SearchForm::new(&v, &cat);
    let km = Keymap::default();
    f.on_key(
        KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
        &km,
        &cat,
    );
    f.paste("My queue");
    let text = render(&f, &cat, 80, 24);
    assert!(text.contains("▸Save as"), "{text}");
    assert!(text.contains("My queue▏"), "{text}");
    insta::assert_snapshot!("search_form_scrolled_80x24", text);
    // At the top again, the Text row shows.
    f.on_key(k(KeyCode::Tab), &km, &cat);
    let text = render(&f, &cat, 80, 24);
    assert!(text.contains("▸Text"), "{text}");
}

/// Every key the form names on screen is the key bound now: rebinding in `[keys.search]`
/// and `[keys.picker]` changes the footer, the hints and the messages, and the keys act.
#[test]
fn footers_and_hints_show_the_bindings_in_force() {
    let cat = catalog();
    let km = Keymap::from_config(
        "[keys.search]\nsearch = \"F5\"\nsave_view = \"Ctrl-g\"\nadd = \"+\"\n\
         next_condition = \"Ctrl-n\"\n[keys.picker]\naccept = \"Ctrl-y\"\n",
        "config.toml",
    )
    .unwrap();
    let mut f = SearchForm::new(&full_view(), &cat);
    let text = render_keys(&f, &cat, &km, 120, 40);
    assert!(
        text.contains("F5 search · Ctrl-g save as view · Esc cancel"),
        "{text}"
    );
    assert!(!text.contains("Ctrl-s"), "{text}");
    assert!(!text.contains("Ctrl-w"), "{text}");
    // The key works and the old one does not.
    assert_eq!(
        f.on_key(
            KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL),
            &km,
            &cat
        ),
        Outcome::Nothing
    );
    assert!(matches!(
        f.on_key(k(KeyCode::F(5)), &km, &cat),
        Outcome::Apply(_)
    ));
    for _ in 0..10 {
        f.on_key(k(KeyCode::Tab), &km, &cat);
    }
    let text = render_keys(&f, &cat, &km, 120, 40);
    assert!(
        text.contains("Enter/+ add · Ctrl-n/k select · x/Delete remove · o new OR-group"),
        "{text}"
    );
    f.on_key(k(KeyCode::Char('+')), &km, &cat);
    let text = render_keys(&f, &cat, &km, 120, 40);
    assert!(
        text.contains("type to filter · Up/Down move · Ctrl-y choose · Esc back"),
        "{text}"
    );
    assert!(text.contains("which property?"), "{text}");
}

#[test]
fn thousands_and_wrap() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1000), "1,000");
    assert_eq!(thousands(1_234_567), "1,234,567");
    assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
    assert_eq!(
        tail_to_width("プリンター", 5),
        "…ンタ…".replace("…ンタ…", "…ター")
    );
}

/// Urgency columns read in the Columns row as the list heads them ("Age", "Close due"), never
/// as their specs ("since:createdate").
#[test]
fn urgency_columns_are_named_as_the_list_heads_them() {
    let cat = catalog();
    let view = View {
        columns: vec![
            "subject".to_owned(),
            "since:createdate".to_owned(),
            "until:hs_time_to_close_sla_at".to_owned(),
        ],
        ..full_view()
    };
    let f = SearchForm::new(&view, &cat);
    let screen = render(&f, &cat, 120, 40);
    let row = screen
        .lines()
        .find(|l| l.contains("Columns"))
        .unwrap_or_default();
    assert!(row.contains("Age, Close due"), "{row}");
    assert!(
        !screen.contains("since:") && !screen.contains("until:"),
        "{screen}"
    );
}
