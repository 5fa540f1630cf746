//! Render tests of reading every value and seeing what is urgent: the reader (rich text as
//! text, link references, where it is in a long text), the Properties tab with every property
//! and durations, the list's urgency columns (overdue in the alert colour, checked cell by
//! cell: snapshots show text only) and `G`'s progress. At 80×24 and 160×48, insta snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::app::detail::Loadable;
use crate::app::tests::fixtures::*;
use crate::app::{App, Msg, update};
use crate::domain::{PropertyDef, PropertyOption, PropertyType, Ticket};
use crate::protocol::Event;

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn render(app: &App, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| super::draw(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    super::buffer_text(buf)
}

/// Snapshots the state `build` makes, at both sizes; no control character reaches a cell.
fn snap(name: &str, build: impl Fn(u16, u16) -> App) {
    for (w, h) in SIZES {
        let app = build(w, h);
        let buf = render(&app, w, h);
        assert!(
            buf.content
                .iter()
                .all(|c| !c.symbol().chars().any(char::is_control))
        );
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&buf));
    }
}

fn defn(name: &str, label: &str, kind: PropertyType) -> PropertyDef {
    let mut d = def(name, label, kind, 20);
    d.calculated = true;
    d.read_only_value = true;
    d
}

/// The fixture catalogue with durations, reply times and SLAs as HubSpot defines them.
fn urgency_properties() -> Vec<PropertyDef> {
    let mut props = properties();
    let mut ttc = defn("time_to_close", "Time to close", PropertyType::Number);
    ttc.duration = true;
    let mut first = defn(
        "time_to_first_agent_reply",
        "Time to first agent email reply",
        PropertyType::Number,
    );
    first.duration = true;
    let mut status = defn(
        "hs_time_to_close_sla_status",
        "Time to Close SLA Ticket Status",
        PropertyType::Enumeration,
    );
    status.options = [
        "Active SLA",
        "Overdue",
        "Due soon",
        "Completed on time",
        "Completed late",
    ]
    .iter()
    .enumerate()
    .map(|(i, l)| PropertyOption {
        label: (*l).into(),
        value: i.to_string(),
        hidden: false,
        display_order: i32::try_from(i).unwrap(),
    })
    .collect();
    let mut resolution = def("hs_resolution", "Resolution", PropertyType::Enumeration, 21);
    resolution.options = vec![PropertyOption {
        label: "Issue fixed".into(),
        value: "ISSUE_FIXED".into(),
        hidden: false,
        display_order: 0,
    }];
    props.extend([
        ttc,
        first,
        defn(
            "last_reply_date",
            "Last customer reply date",
            PropertyType::DateTime,
        ),
        defn(
            "hs_time_to_first_response_sla_at",
            "Time to First Response SLA Due Date",
            PropertyType::DateTime,
        ),
        defn(
            "hs_time_to_close_sla_at",
            "Time to Close SLA Due Date",
            PropertyType::DateTime,
        ),
        status,
        resolution,
        def("closed_date", "Close date", PropertyType::DateTime, 22),
    ]);
    props
}

/// Ticket `id` with reply and SLA values: the close SLA late on every third ticket, met on
/// every fifth, else due in a few hours; the customer wrote hours ago.
pub(super) fn urgent(id: u32) -> Ticket {
    let mut t = ticket(id);
    let p = &mut t.properties;
    let n = i64::from(id % 7);
    let at = |minutes: i64| (t0() + jiff::SignedDuration::from_mins(minutes)).to_string();
    p.insert("last_reply_date".into(), at(-(95 + 60 * n)));
    p.insert("hs_time_to_first_response_sla_at".into(), at(30 - 50 * n));
    p.insert(
        "hs_time_to_close_sla_at".into(),
        at(if id.is_multiple_of(3) {
            -(3000 + n)
        } else {
            192 + 60 * n
        }),
    );
    let status = match (id % 5, id % 3) {
        (0, 0) => "4",
        (0, _) => "3",
        (_, 0) => "1",
        _ => "0",
    };
    p.insert("hs_time_to_close_sla_status".into(), status.into());
    t
}

/// The list of tickets with the urgency columns of a triage view.
pub(super) fn urgency_list(w: u16, h: u16) -> App {
    let mut app = loaded(w, h, 1, false);
    app.catalog.set_properties(urgency_properties(), groups());
    app.list = Default::default();
    app.list.set_viewport(app.areas.list_rows());
    app.list
        .append_page((1001..=1030).map(urgent).collect(), None);
    app.views[0].columns = [
        "id",
        "subject",
        "priority",
        "close_due",
        "hs_time_to_close_sla_status",
        "customer_wrote",
        "age",
    ]
    .map(str::to_owned)
    .to_vec();
    app
}

#[test]
fn the_list_shows_urgency_and_overdue_in_the_alert_colour() {
    snap("list_urgency_columns", urgency_list);
    // Narrow: the list alone, every column shown.
    let app = urgency_list(80, 24);
    let buf = render(&app, 80, 24);
    let screen = text(&buf);
    // 1002: the close SLA late and overdue; 1003: due in a few hours.
    let row = |id: &str| {
        screen
            .lines()
            .position(|l| l.contains(&format!(" {id} ")))
            .unwrap()
    };
    let cell_style = |y: usize, needle: &str| {
        let line = screen.lines().nth(y).unwrap();
        let x = line
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} in {line}"));
        let x = crate::text::width(&line[..x]);
        buf[(u16::try_from(x).unwrap(), u16::try_from(y).unwrap())].style()
    };
    let late = cell_style(row("1002"), "late ");
    assert_eq!(late.fg, Some(Color::Red));
    assert!(late.add_modifier.contains(Modifier::BOLD));
    let overdue = cell_style(row("1002"), "Overdue");
    assert_eq!(overdue.fg, Some(Color::Red));
    let in_time = cell_style(row("1003"), "in ");
    assert_ne!(in_time.fg, Some(Color::Red));
    // Without colour, overdue stays bold.
    let mut plain = urgency_list(80, 24);
    plain.color = false;
    let buf = render(&plain, 80, 24);
    let y = u16::try_from(row("1002")).unwrap();
    let line = screen.lines().nth(usize::from(y)).unwrap();
    let x = u16::try_from(crate::text::width(&line[..line.find("late ").unwrap()])).unwrap();
    assert!(buf[(x, y)].style().add_modifier.contains(Modifier::BOLD));
    assert_ne!(buf[(x, y)].style().fg, Some(Color::Red));
}

/// Ticket 1001's detail with its description in HTML, durations and SLA values.
fn detail(w: u16, h: u16) -> App {
    let mut app = loaded(w, h, 5, false);
    app.catalog.set_properties(urgency_properties(), groups());
    let mut t = full_ticket(1001);
    let u = urgent(1003);
    for (k, v) in u
        .properties
        .iter()
        .filter(|(k, _)| k.contains("sla") || k.contains("reply"))
    {
        t.properties.insert(k.clone(), v.clone());
    }
    t.properties.insert(
        "content".into(),
        "<p>Hello,</p><p>The printer on floor 3 is on fire. See \
         <a href=\"https://support.example.com/kb/printers/fire-safety\">the printer guide</a> \
         and <a href=\"https://status.example.com\">our status page</a>.</p>\
         <ol><li>Unplug it</li><li>Call facilities</li></ol><p>Thanks,<br>Aiko</p>"
            .into(),
    );
    t.properties
        .insert("time_to_close".into(), "727500000".into());
    t.properties
        .insert("time_to_first_agent_reply".into(), "11520000".into());
    app.detail.ticket = Loadable::Ready(t);
    update(&mut app, code(KeyCode::Enter));
    app
}

#[test]
fn the_reader_shows_rich_text_as_text_with_references() {
    snap("reader_description", |w, h| {
        let mut app = detail(w, h);
        update(&mut app, key('j'));
        update(&mut app, code(KeyCode::Enter));
        app
    });
}

#[test]
fn a_long_value_in_the_reader_says_where_it_is() {
    snap("reader_long_scrolled", |w, h| {
        let mut app = detail(w, h);
        let mut t = app.detail.ticket.ready().unwrap().clone();
        let paragraphs: Vec<String> = (1..=30)
            .map(|i| format!("<p>Paragraph {i}: the printer on floor 3 still smokes when the tray is opened.</p>"))
            .collect();
        t.properties.insert("content".into(), paragraphs.concat());
        app.detail.ticket = Loadable::Ready(t);
        update(&mut app, key('j'));
        update(&mut app, code(KeyCode::Enter));
        for _ in 0..5 {
            update(&mut app, key('j'));
        }
        app
    });
}

#[test]
fn every_property_durations_included() {
    snap("detail_all_properties", |w, h| {
        let mut app = detail(w, h);
        update(&mut app, key('a'));
        for _ in 0..6 {
            update(&mut app, key('j'));
        }
        app
    });
    let mut app = detail(160, 48);
    update(&mut app, key('a'));
    let screen = text(&render(&app, 160, 48));
    for shown in ["8 d 10 h", "3 h 12 min", "1 Properties (all)", "Resolution"] {
        assert!(screen.contains(shown), "{shown}\n{screen}");
    }
    assert!(!screen.contains("<p>"), "{screen}");
}

#[test]
fn g_shows_its_progress() {
    snap("list_loading_to_the_bottom", |w, h| {
        let mut app = loaded(w, h, 100, true);
        app.list.total = Some(2_431);
        update(&mut app, key('G'));
        let _ = Msg::Worker(Event::Status(Default::default()));
        app
    });
}

#[test]
fn rich_text_in_history_shows_as_text() {
    let mut app = detail(160, 48);
    let mut t = app.detail.ticket.ready().unwrap().clone();
    let hv = |value: &str, at: &str| crate::domain::HistoryValue {
        value: value.into(),
        timestamp: ts(at),
        source_type: "CRM_UI".into(),
        source_id: None,
        source_label: None,
        updated_by_user_id: Some(9),
    };
    t.history.as_mut().unwrap().insert(
        "content".into(),
        vec![
            hv("<p>Now <b>smoking</b></p>", "2026-02-28T10:00:00Z"),
            hv("<p>Printer <i>jammed</i></p>", "2026-01-15T08:30:00Z"),
        ],
    );
    app.detail.ticket = Loadable::Ready(t);
    update(&mut app, key('2'));
    let screen = text(&render(&app, 160, 48));
    assert!(screen.contains("Printer jammed → Now smoking"), "{screen}");
    assert!(
        !screen.contains("<p>") && !screen.contains("<b>"),
        "{screen}"
    );
}
