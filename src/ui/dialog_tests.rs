//! Render tests of the association, pin and delete dialogs and the add-association modal, at
//! 80×24 and 120×40, as insta snapshots (`snapshots/`). States are reached with keys through
//! `update` from the shared fixtures; the selected button is checked cell by cell (snapshots
//! show text only).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;

use crate::app::tests::fixtures::*;
use crate::app::{App, Effect, Msg, update};
use crate::domain::{Associated, AssociationType, ObjectKind};
use crate::protocol::{Command, Event};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn render(app: &App, w: u16, h: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| super::draw(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    super::buffer_text(buf)
}

/// Snapshots the state `build` makes, at both sizes.
fn snap(name: &str, build: impl Fn(u16, u16) -> App) {
    for (w, h) in SIZES {
        let app = build(w, h);
        let buf = render(&app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&buf));
    }
}

fn ev(app: &mut App, e: Event) -> Vec<Effect> {
    update(app, Msg::Worker(e))
}

/// Tickets 1001..=1010 loaded; 1001's detail focused on tab `n` ('3' or '4'), loaded.
fn detail_on(w: u16, h: u16, n: char) -> App {
    let mut app = loaded(w, h, 10, false);
    update(&mut app, code(KeyCode::Enter));
    let fx = update(&mut app, key(n));
    let req = req_of(&fx, |_| true);
    let e = if n == '3' {
        Event::AssociationsLoaded {
            req,
            ticket_id: "1001".into(),
            items: associations(),
        }
    } else {
        Event::ActivitiesLoaded {
            req,
            ticket_id: "1001".into(),
            items: activities(),
        }
    };
    ev(&mut app, e);
    app
}

/// The cell of the first occurrence of `needle` on screen.
fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    let t = text(buf);
    for (y, line) in t.lines().enumerate() {
        if let Some(i) = line.find(needle) {
            let x = unicode_width::UnicodeWidthStr::width(&line[..i]);
            return (u16::try_from(x).unwrap(), u16::try_from(y).unwrap());
        }
    }
    panic!("{needle} not on screen:\n{t}");
}

fn highlighted(buf: &Buffer, needle: &str) -> bool {
    let (x, y) = find(buf, needle);
    buf[(x, y)].modifier.contains(Modifier::REVERSED)
}

// ---- confirmation dialogs ---------------------------------------------------------------------

#[test]
fn confirm_delete_one() {
    snap("confirm_delete_one", |w, h| {
        let mut app = loaded(w, h, 10, false);
        update(&mut app, key('j'));
        update(&mut app, key('D'));
        app
    });
}

#[test]
fn confirm_delete_bulk() {
    snap("confirm_delete_bulk", |w, h| {
        let mut app = loaded(w, h, 10, false);
        for _ in 0..3 {
            update(&mut app, key(' '));
        }
        update(&mut app, key('D'));
        app
    });
}

#[test]
fn confirm_delete_bulk_count_typed() {
    snap("confirm_delete_bulk_typed", |w, h| {
        let mut app = loaded(w, h, 10, false);
        update(&mut app, key('V'));
        update(&mut app, key('D'));
        type_text(&mut app, "1");
        app
    });
}

#[test]
fn confirm_delete_many_names_eight_and_counts_the_rest() {
    snap("confirm_delete_many", |w, h| {
        let mut app = loaded(w, h, 30, false);
        update(&mut app, key('V'));
        update(&mut app, key('D'));
        app
    });
}

#[test]
fn confirm_pin_replacing() {
    snap("confirm_pin_replacing", |w, h| {
        let mut app = detail_on(w, h, '4');
        update(&mut app, key('p'));
        app
    });
}

#[test]
fn confirm_pin_first() {
    snap("confirm_pin_first", |w, h| {
        let mut app = detail_on(w, h, '4');
        if let crate::app::detail::Loadable::Ready(t) = &mut app.detail.ticket {
            t.properties.remove("hs_pinned_engagement_id");
        }
        update(&mut app, key('j'));
        update(&mut app, key('j'));
        update(&mut app, key('p'));
        app
    });
}

#[test]
fn confirm_unpin() {
    snap("confirm_unpin", |w, h| {
        let mut app = detail_on(w, h, '4');
        update(&mut app, key('P'));
        app
    });
}

#[test]
fn confirm_remove_association() {
    snap("confirm_remove_association", |w, h| {
        let mut app = detail_on(w, h, '3');
        update(&mut app, key('j'));
        update(&mut app, key('x'));
        app
    });
}

#[test]
fn confirm_associate_then_pin() {
    snap("confirm_associate_then_pin", |w, h| {
        let mut app = detail_on(w, h, '4');
        update(&mut app, key('p'));
        let fx = update(&mut app, key('y'));
        let req = req_of(&fx, |_| true);
        let mut f = failure(400, "400 VALIDATION_ERROR: not associated");
        f.field_errors = vec![("hs_pinned_engagement_id".into(), "not associated".into())];
        ev(&mut app, Event::Failed { req, failure: f });
        assert!(app.confirm.is_some());
        app
    });
}

#[test]
fn cancel_is_drawn_selected_until_the_arrows_move() {
    for (w, h) in SIZES {
        let mut app = loaded(w, h, 10, false);
        update(&mut app, key('D'));
        let buf = render(&app, w, h);
        assert!(highlighted(&buf, "[ Cancel ]"));
        assert!(!highlighted(&buf, "[ Delete ]"));
        update(&mut app, code(KeyCode::Right));
        let buf = render(&app, w, h);
        assert!(!highlighted(&buf, "[ Cancel ]"));
        assert!(highlighted(&buf, "[ Delete ]"));
        update(&mut app, code(KeyCode::Left));
        let buf = render(&app, w, h);
        assert!(highlighted(&buf, "[ Cancel ]"));
    }
}

// ---- the add-association modal ----------------------------------------------------------------

fn found() -> Vec<Associated> {
    let c = |id: &str, title: &str, detail: &str, kind| Associated {
        kind,
        id: id.into(),
        title: title.into(),
        detail: detail.into(),
        types: Vec::new(),
    };
    vec![
        c(
            "233",
            "Grace Kim",
            "grace.kim@acme.example.com",
            ObjectKind::Contact,
        ),
        c(
            "301",
            "Acme Corporation",
            "acme.example.com",
            ObjectKind::Company,
        ),
        c("405", "Acme renewal", "12000", ObjectKind::Deal),
    ]
}

/// `a`, "acme" typed and searched; the results answered unless `answered` is false.
fn searching(w: u16, h: u16, answered: bool) -> App {
    let mut app = detail_on(w, h, '3');
    update(&mut app, key('a'));
    type_text(&mut app, "acme");
    let fx = tick(&mut app, 300);
    let req = req_of(&fx, |c| matches!(c, Command::SearchRecords { .. }));
    if answered {
        ev(
            &mut app,
            Event::RecordsFound {
                req,
                items: found(),
            },
        );
        update(&mut app, code(KeyCode::Down));
    }
    app
}

fn labelled(w: u16, h: u16) -> App {
    let mut app = searching(w, h, true);
    let fx = update(&mut app, code(KeyCode::Enter));
    let req = req_of(&fx, |_| true);
    let t = |category: &str, type_id, label: Option<&str>| AssociationType {
        category: category.into(),
        type_id,
        label: label.map(str::to_owned),
    };
    ev(
        &mut app,
        Event::LabelsLoaded {
            req,
            kind: ObjectKind::Company,
            labels: vec![
                t("HUBSPOT_DEFINED", 26, Some("Primary")),
                t("HUBSPOT_DEFINED", 339, None),
                t("USER_DEFINED", 81, Some("Reseller")),
            ],
        },
    );
    app
}

#[test]
fn add_association_search() {
    snap("add_association_search", |w, h| searching(w, h, true));
}

#[test]
fn add_association_searching() {
    snap("add_association_searching", |w, h| searching(w, h, false));
}

#[test]
fn add_association_label() {
    snap("add_association_label", labelled);
}

#[test]
fn add_association_saving() {
    snap("add_association_saving", |w, h| {
        let mut app = labelled(w, h);
        // The unlabeled default is listed first and preselected.
        let fx = update(&mut app, code(KeyCode::Enter));
        assert!(matches!(
            commands(&fx).as_slice(),
            [Command::Associate { type_id: 339, .. }]
        ));
        app
    });
}

#[test]
fn add_association_cursor_is_drawn() {
    let (w, h) = (120, 40);
    let app = searching(w, h, true);
    let buf = render(&app, w, h);
    assert!(highlighted(&buf, "Company Acme Corporation"));
    assert!(!highlighted(&buf, "Contact Grace Kim"));
}

#[test]
fn a_partial_bulk_delete_failure_is_readable_in_the_status_bar() {
    snap("bulk_delete_partial_failure", |w, h| {
        let mut app = loaded(w, h, 150, true);
        update(&mut app, key('V'));
        // Only the loaded rows: decline loading the rest.
        update(&mut app, key('n'));
        update(&mut app, key('D'));
        type_text(&mut app, "150");
        let fx = update(&mut app, key('y'));
        let req = req_of(&fx, |_| true);
        ev(
            &mut app,
            Event::BatchArchived {
                req,
                archived: (1101..=1150).map(|n| n.to_string()).collect(),
                failed: (1001..=1100)
                    .map(|n| {
                        (
                            n.to_string(),
                            "500 INTERNAL_ERROR: internal error".to_owned(),
                        )
                    })
                    .collect(),
            },
        );
        app
    });
}

#[test]
fn confirm_bulk_edit_shows_old_and_new_values_and_asks_for_the_count() {
    snap("confirm_bulk_edit_typed", |w, h| {
        let mut app = loaded(w, h, 60, false);
        update(&mut app, key('V'));
        update(&mut app, key('e'));
        for c in "prio".chars() {
            update(&mut app, key(c));
        }
        update(&mut app, code(KeyCode::Enter));
        type_text(&mut app, "high");
        update(&mut app, code(KeyCode::Enter));
        type_text(&mut app, "6");
        app
    });
}

#[test]
fn confirm_mark_all_offers_to_load_the_rest() {
    snap("confirm_mark_all_partial", |w, h| {
        let mut app = loaded(w, h, 100, true);
        update(&mut app, key('V'));
        app
    });
}

// ---- merging two tickets ----------------------------------------------------------------------

/// 1002 and 1004 marked, `M`, their contacts read (1004 has none).
fn merging(w: u16, h: u16) -> App {
    let mut app = loaded(w, h, 10, false);
    update(&mut app, key('j'));
    update(&mut app, code(KeyCode::Char(' ')));
    update(&mut app, key('j'));
    update(&mut app, code(KeyCode::Char(' ')));
    let fx = update(&mut app, key('M'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadCustomers { .. }));
    let contact = associations().into_iter().next();
    ev(
        &mut app,
        Event::CustomersLoaded {
            req,
            customers: vec![
                crate::domain::Customer {
                    ticket_id: "1002".into(),
                    contact,
                    company: None,
                },
                crate::domain::Customer {
                    ticket_id: "1004".into(),
                    ..Default::default()
                },
            ],
        },
    );
    app
}

#[test]
fn confirm_merge_side_by_side() {
    snap("confirm_merge", merging);
}

#[test]
fn a_merge_dialog_has_two_choices_and_cancel_is_drawn_selected() {
    for (w, h) in SIZES {
        let mut app = merging(w, h);
        let buf = render(&app, w, h);
        assert!(highlighted(&buf, "[ Cancel ]"));
        assert!(!highlighted(&buf, "[ Keep #1002 ]"));
        assert!(!highlighted(&buf, "[ Keep #1004 ]"));
        update(&mut app, code(KeyCode::Right));
        update(&mut app, code(KeyCode::Right));
        let buf = render(&app, w, h);
        assert!(!highlighted(&buf, "[ Cancel ]"));
        assert!(highlighted(&buf, "[ Keep #1004 ]"));
    }
}

/// The customer line under the detail's tabs, once the customer and their tickets are read:
/// 1001's contact has 1001, 1003 (Closed) and 1004 and 1005 (open): 2 other open tickets.
#[test]
fn detail_customer_line() {
    snap("detail_customer_line", |w, h| {
        let mut app = loaded(w, h, 10, false);
        let crate::protocol::Loadable::Loading(req) = app.detail.customer else {
            panic!("the customer is read once the ticket arrives")
        };
        let items = associations();
        let fx = ev(
            &mut app,
            Event::CustomersLoaded {
                req,
                customers: vec![crate::domain::Customer {
                    ticket_id: "1001".into(),
                    contact: items.first().cloned(),
                    company: items.get(1).cloned(),
                }],
            },
        );
        let req = req_of(&fx, |c| matches!(c, Command::LoadRecordTickets { .. }));
        ev(
            &mut app,
            Event::RecordTicketsLoaded {
                req,
                kind: ObjectKind::Contact,
                id: "201".into(),
                tickets: vec![ticket(1005), ticket(1004), ticket(1003), ticket(1001)],
            },
        );
        app
    });
}

/// A dialog opened over double-width text: the frame before it has a CJK subject where the
/// dialog's left border goes (a character's right half in the border's cell). What reaches
/// the terminal (the backend, fed only the differences between frames) must be what was
/// drawn: the border whole on every row, the cut character blanked.
#[test]
fn a_dialog_over_cjk_text_keeps_its_left_border() {
    // At 122 wide help's box starts at column 11; the subjects start at column 8, so the
    // second character of 1001's (プリンター…, two cells each) lies across it.
    for (w, h, open) in [(122, 40, '?')] {
        let mut app = loaded(w, h, 10, false);
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| super::draw(f, &app)).unwrap();
        update(&mut app, key(open));
        let drawn = terminal
            .draw(|f| super::draw(f, &app))
            .unwrap()
            .buffer
            .clone();
        let shown = terminal.backend().buffer().clone();
        assert_eq!(
            text(&shown),
            text(&drawn),
            "{w}x{h}: the terminal shows what was drawn"
        );
        let reader = app.areas.reader();
        for y in reader.y..reader.y + reader.height {
            let left = shown[(reader.x, y)].symbol();
            assert!(
                matches!(left, "│" | "┌" | "└"),
                "{w}x{h} row {y}: the left border, not {left:?}:\n{}",
                text(&shown)
            );
        }
        insta::assert_snapshot!(format!("dialog_over_cjk_{w}x{h}"), text(&shown));
    }
}
