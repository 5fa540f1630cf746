//! Reading every value: the reader (`Enter` on anything in the detail) and the Properties
//! tab's "all properties" toggle (`a`). Keys in, exact effects and state out. Rich text reads
//! as text with link references, durations and choices as the Properties tab shows them, long
//! paragraphs scroll to their last line, `y` copies; every editable property can be set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;

use super::detail::Loadable;
use super::reader::Reader;
use super::tests::fixtures::*;
use super::*;
use crate::domain::PropertyType;

/// The app on ticket 1001's Properties tab, its description set to `content`, with a
/// duration property `time_to_close` of 8 d 10 h.
fn on_detail(w: u16, h: u16, content: &str) -> App {
    let mut app = loaded(w, h, 5, false);
    let mut props = properties();
    let mut ttc = def("time_to_close", "Time to close", PropertyType::Number, 10);
    ttc.duration = true;
    ttc.calculated = true;
    props.push(ttc);
    app.catalog.set_properties(props, groups());
    let mut t = full_ticket(1001);
    t.properties.insert("content".into(), content.into());
    t.properties
        .insert("time_to_close".into(), "727500000".into());
    app.detail.ticket = Loadable::Ready(t);
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.focus, Focus::Detail);
    app
}

/// Moves the Properties cursor onto the property labelled `label`.
fn select(app: &mut App, label: &str) {
    update(app, key('g'));
    for _ in 0..40 {
        if app.selected_property().is_some_and(|(_, l, _)| l == label) {
            return;
        }
        update(app, key('j'));
    }
    panic!("no property {label}");
}

fn reader(app: &App) -> &Reader {
    match &app.overlay {
        Some(Overlay::Reader(r)) => r,
        other => panic!("no reader: {other:?}"),
    }
}

const HTML: &str = "<p>Hello,</p><p>The printer on floor 3 is on fire. See \
    <a href=\"https://example.com/kb/printers\">the printer guide</a>.</p>\
    <ol><li>Unplug it</li><li>Call <a href=\"tel:+81-3-0000\">facilities</a></li></ol>";

#[test]
fn enter_reads_a_description_as_text_with_link_references_and_y_copies_it() {
    let mut app = on_detail(160, 48, HTML);
    select(&mut app, "Ticket description");
    let fx = update(&mut app, code(KeyCode::Enter));
    assert!(fx.is_empty(), "{fx:?}");
    let r = reader(&app);
    assert_eq!(r.title, "Ticket description");
    let expected = "Hello,\n\nThe printer on floor 3 is on fire. See the printer guide [1].\n\n\
                    1. Unplug it\n2. Call facilities [2]\n\n\
                    [1] https://example.com/kb/printers\n[2] tel:+81-3-0000";
    assert_eq!(r.text, expected);
    assert!(!r.lines.iter().any(|l| l.contains('<')), "{:?}", r.lines);
    let fx = update(&mut app, key('y'));
    assert_eq!(fx, vec![Effect::Clipboard(expected.to_owned())]);
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("copied"))
    );
    update(&mut app, code(KeyCode::Esc));
    assert!(app.overlay.is_none(), "Esc closes the reader");
}

#[test]
fn every_property_opens_in_the_reader_as_the_tab_shows_it() {
    let mut app = on_detail(160, 48, "plain\ntext");
    select(&mut app, "Time to close");
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(reader(&app).text, "8 d 10 h\n\nStored value: 727500000");
    let fx = update(&mut app, key('y'));
    assert_eq!(fx, vec![Effect::Clipboard("8 d 10 h".into())]);
    update(&mut app, key('q'));
    select(&mut app, "Priority");
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(reader(&app).text, "High\n\nStored value: HIGH");
    update(&mut app, key('q'));
    select(&mut app, "Ticket description");
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(
        reader(&app).text,
        "plain\ntext",
        "plain text keeps its lines"
    );
}

#[test]
fn a_long_paragraph_scrolls_to_its_last_line() {
    let long = format!("<p>{}</p>", "word ".repeat(600));
    let mut app = on_detail(80, 24, &long);
    select(&mut app, "Ticket description");
    update(&mut app, code(KeyCode::Enter));
    let rows = app.areas.reader_rows();
    let lines = reader(&app).lines.len();
    assert!(lines > rows, "one paragraph, {lines} lines laid out");
    assert!(
        reader(&app)
            .lines
            .iter()
            .all(|l| crate::text::width(l) <= app.areas.reader_width())
    );
    update(&mut app, key('G'));
    assert_eq!(
        reader(&app).scroll,
        lines - rows,
        "the last line at the bottom"
    );
    update(&mut app, key('j'));
    assert_eq!(reader(&app).scroll, lines - rows, "and no further");
    // A narrower terminal lays it out again, the scroll kept in range.
    update(&mut app, Msg::Resize(60, 20));
    let r = reader(&app);
    assert!(r.lines.len() > lines);
    assert!(r.scroll <= r.lines.len() - app.areas.reader_rows());
}

#[test]
fn history_entries_and_activities_read_in_full_too() {
    let mut app = on_detail(160, 48, "x");
    update(&mut app, key('2'));
    update(&mut app, code(KeyCode::Enter));
    let r = reader(&app);
    assert!(r.title.starts_with("Ticket status · "), "{}", r.title);
    assert!(r.text.starts_with("Before:\n"), "{}", r.text);
    let after = r.copy.clone();
    assert!(r.text.ends_with(&format!("After:\n{after}")), "{}", r.text);
    update(&mut app, code(KeyCode::Esc));
    let fx = update(&mut app, key('4'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadActivities { .. }));
    update(
        &mut app,
        Msg::Worker(Event::ActivitiesLoaded {
            req,
            ticket_id: "1001".into(),
            items: activities(),
        }),
    );
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(reader(&app).text, "Re: printer on fire\n\nWe are on it.");
    assert_eq!(
        update(&mut app, key('y')),
        vec![Effect::Clipboard("We are on it.".into())]
    );
}

#[test]
fn reader_keys_come_from_the_keymap() {
    let keymap = crate::keymap::Keymap::from_config(
        "[keys.overlay]\ncopy_value = \"c\"\n[keys.detail]\nshow_full = \"v\"\n",
        "config.toml",
    )
    .unwrap();
    let mut app = on_detail(160, 48, HTML);
    app.keymap = keymap;
    select(&mut app, "Ticket name");
    update(&mut app, code(KeyCode::Enter));
    assert!(
        app.overlay.is_none(),
        "Enter is no longer bound to show_full"
    );
    update(&mut app, key('v'));
    assert_eq!(reader(&app).copy, full_ticket(1001).subject());
    assert!(update(&mut app, key('y')).is_empty());
    assert_eq!(
        update(&mut app, key('c')),
        vec![Effect::Clipboard(full_ticket(1001).subject().to_owned())]
    );
}

#[test]
fn a_lists_every_property_so_an_empty_one_can_be_set() {
    let mut app = loaded(160, 48, 5, false);
    let mut props = properties();
    let mut resolution = def("hs_resolution", "Resolution", PropertyType::Enumeration, 11);
    resolution.options = vec![crate::domain::PropertyOption {
        label: "Issue fixed".into(),
        value: "ISSUE_FIXED".into(),
        hidden: false,
        display_order: 0,
    }];
    props.push(resolution);
    props.push(def("closed_date", "Close date", PropertyType::DateTime, 12));
    app.catalog.set_properties(props, groups());
    app.detail.ticket = Loadable::Ready(full_ticket(1001));
    update(&mut app, code(KeyCode::Enter));
    let labels = |app: &App| -> Vec<String> {
        app.detail
            .property_rows(&app.catalog)
            .into_iter()
            .filter_map(|r| match r {
                super::detail::PropertyRow::Property { label, .. } => Some(label),
                super::detail::PropertyRow::Group(_) => None,
            })
            .collect()
    };
    assert!(!labels(&app).contains(&"Resolution".to_owned()));
    select(&mut app, "Priority");
    update(&mut app, key('a'));
    assert!(app.detail.all_properties);
    assert!(labels(&app).contains(&"Resolution".to_owned()));
    assert!(labels(&app).contains(&"Close date".to_owned()));
    assert_eq!(
        app.selected_property().map(|(_, l, _)| l).as_deref(),
        Some("Priority"),
        "the cursor stays on its property"
    );
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("a shows only"))
    );
    select(&mut app, "Resolution");
    let fx = update(&mut app, key('e'));
    assert!(fx.is_empty(), "{fx:?}");
    let form = app.modals.form().expect("the edit form opens");
    assert_eq!(form.property.name, "hs_resolution");
    app.modals.close_form();
    // The mode stays from ticket to ticket, and `a` again lists only values.
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, key('j'));
    assert!(app.detail.all_properties);
    update(&mut app, code(KeyCode::Enter));
    update(&mut app, key('a'));
    assert!(!app.detail.all_properties);
}
