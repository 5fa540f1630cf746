//! Render tests: each pane and tab in each state, drawn into a `TestBackend` at 80×24 (narrow:
//! one pane at a time) and 160×48, compared with insta snapshots (`snapshots/`). Snapshots show
//! text only, so colours are checked cell by cell, and a sweep over sizes proves no size panics.
//!
//! States are built directly from domain data (`app::tests::fixtures`): UTC dates and a fixed
//! clock, so the snapshots are the same on every machine.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use crate::app::detail::{Loadable, Tab};
use crate::app::tests::fixtures::*;
use crate::app::{App, Focus, Msg, Overlay, update};
use crate::protocol::{Command, Event};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

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
        assert_clean(&buf);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&buf));
    }
}

/// No cell holds a control character: remote text never reaches the terminal raw.
fn assert_clean(buf: &Buffer) {
    for cell in &buf.content {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "control character in cell {:?}",
            cell.symbol()
        );
    }
}

pub(super) fn fetched(app: &mut App, id: u32) {
    let fx = update(app, code(KeyCode::Enter));
    if let Some(req) = fx.iter().find_map(|e| match e {
        crate::app::Effect::Api(c @ Command::GetTicket { .. }) => Some(c.req()),
        _ => None,
    }) {
        update(
            app,
            Msg::Worker(Event::TicketFetched {
                req,
                ticket: full_ticket(id),
            }),
        );
    }
    app.focus = Focus::Detail;
}

/// Selects ticket `id` and opens its detail, fetched.
pub(super) fn open(w: u16, h: u16, n: u32, id: u32) -> App {
    let mut app = loaded(w, h, n, false);
    for _ in 1001..id {
        update(&mut app, key('j'));
    }
    assert_eq!(app.list.selected_id(), Some(id.to_string().as_str()));
    fetched(&mut app, id);
    app
}

pub(super) fn tab(app: &mut App, n: char) -> Vec<crate::app::Effect> {
    update(app, key(n))
}

// ---- the list ------------------------------------------------------------------------------

#[test]
fn list_loading() {
    snap("list_loading", |w, h| {
        let mut app = app(w, h);
        app.start();
        app
    });
}

#[test]
fn list_loaded() {
    snap("list_loaded", |w, h| {
        let mut app = loaded(w, h, 60, true);
        update(&mut app, key('j'));
        update(&mut app, key('j'));
        update(&mut app, code(KeyCode::Char(' ')));
        app
    });
}

#[test]
fn list_failed() {
    snap("list_failed", |w, h| {
        let mut app = app(w, h);
        let fx = app.start();
        answer_catalog(&mut app, &fx);
        let req = req_of(&fx, is_list);
        update(
            &mut app,
            Msg::Worker(Event::Failed {
                req,
                failure: failure(500, "500 INTERNAL_ERROR: internal error (correlation 7f3a)"),
            }),
        );
        app
    });
}

/// A failure too long for its place is cut before its correlation ID, never through it: in
/// the list (wrapped, when nothing loaded), under loaded rows (one line) and in the detail.
#[test]
fn failures_keep_their_correlation_id_wherever_they_are_cut() {
    let long = |req| {
        let mut f = failure(
            502,
            "HTTP 502: the upstream gateway did not answer in time while listing the tickets \
             of this portal, and nothing was returned to the caller at all (correlation id \
             9c1e-77aa)",
        );
        f.correlation_id = Some("9c1e-77aa".to_owned());
        Msg::Worker(Event::Failed { req, failure: f })
    };
    for (w, h) in [(80, 8), (80, 24), (160, 48)] {
        // Nothing loaded: the list's body says why, wrapped.
        let mut app = app(w, h);
        let fx = app.start();
        answer_catalog(&mut app, &fx);
        update(&mut app, long(req_of(&fx, is_list)));
        let screen = text(&render(&app, w, h));
        assert!(
            screen.contains("(correlation id 9c1e-77aa)"),
            "{w}x{h}\n{screen}"
        );
        // A later page failing under loaded rows: one line.
        let mut app = loaded(w, h, 3, true);
        update(&mut app, code(KeyCode::Char('G')));
        let Loadable::Loading(req) = app.list_load else {
            panic!("the next page is on its way: {:?}", app.list_load);
        };
        update(&mut app, long(req));
        let screen = text(&render(&app, w, h));
        // Under a full list the status bar says it (with its ID); with room, the list too.
        assert_eq!(
            screen.contains("more tickets failed"),
            h > 8,
            "{w}x{h}\n{screen}"
        );
        assert!(
            screen.contains("(correlation id 9c1e-77aa)"),
            "{w}x{h}\n{screen}"
        );
    }
}

#[test]
fn list_filter_line() {
    snap("list_filter", |w, h| {
        let mut app = loaded(w, h, 30, false);
        update(&mut app, key('/'));
        type_text(&mut app, "プリンター");
        app
    });
}

#[test]
fn list_gone_row() {
    snap("list_gone", |w, h| {
        let mut app = loaded(w, h, 10, false);
        update(&mut app, key('j'));
        let req = req_of(&tick(&mut app, 200), is_get);
        update(
            &mut app,
            Msg::Worker(Event::Failed {
                req,
                failure: failure(404, "404 OBJECT_NOT_FOUND"),
            }),
        );
        app
    });
}

// ---- the detail ----------------------------------------------------------------------------

#[test]
fn detail_properties_japanese() {
    snap("detail_properties_1001", |w, h| open(w, h, 10, 1001));
}

#[test]
fn detail_properties_loading() {
    snap("detail_properties_loading", |w, h| {
        let mut app = loaded(w, h, 10, false);
        update(&mut app, key('j'));
        tick(&mut app, 200);
        app.focus = Focus::Detail;
        assert!(app.detail.ticket.is_loading());
        app
    });
}

#[test]
fn detail_properties_failed() {
    snap("detail_properties_failed", |w, h| {
        let mut app = loaded(w, h, 10, false);
        update(&mut app, key('j'));
        let req = req_of(&tick(&mut app, 200), is_get);
        update(
            &mut app,
            Msg::Worker(Event::Failed {
                req,
                failure: failure(502, "502 BAD_GATEWAY: Bad Gateway"),
            }),
        );
        app.focus = Focus::Detail;
        app
    });
}

#[test]
fn detail_history() {
    snap("detail_history_1001", |w, h| {
        let mut app = open(w, h, 10, 1001);
        tab(&mut app, '2');
        app
    });
}

#[test]
fn detail_history_of_one_property() {
    snap("detail_history_filtered", |w, h| {
        let mut app = open(w, h, 10, 1002);
        app.detail.history_filter = Some("hs_pipeline_stage".into());
        tab(&mut app, '2');
        app
    });
}

fn with_associations(w: u16, h: u16, answer: Option<Event>) -> App {
    let mut app = open(w, h, 10, 1001);
    let fx = tab(&mut app, '3');
    let req = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    if let Some(ev) = answer {
        let ev = match ev {
            Event::AssociationsLoaded {
                ticket_id, items, ..
            } => Event::AssociationsLoaded {
                req,
                ticket_id,
                items,
            },
            Event::Failed { failure, .. } => Event::Failed { req, failure },
            other => other,
        };
        update(&mut app, Msg::Worker(ev));
    }
    app
}

#[test]
fn detail_associations() {
    snap("detail_associations_loaded", |w, h| {
        with_associations(
            w,
            h,
            Some(Event::AssociationsLoaded {
                req: 0,
                ticket_id: "1001".into(),
                items: associations(),
            }),
        )
    });
    snap("detail_associations_loading", |w, h| {
        with_associations(w, h, None)
    });
    snap("detail_associations_failed", |w, h| {
        with_associations(
            w,
            h,
            Some(Event::Failed {
                req: 0,
                failure: failure(
                    429,
                    "429 RATE_LIMITS: You have reached your ten_secondly_rolling limit.",
                ),
            }),
        )
    });
}

fn with_activities(w: u16, h: u16, answer: Option<Event>) -> App {
    let mut app = open(w, h, 10, 1001);
    let fx = tab(&mut app, '4');
    let req = req_of(&fx, |c| matches!(c, Command::LoadActivities { .. }));
    if let Some(ev) = answer {
        let ev = match ev {
            Event::ActivitiesLoaded {
                ticket_id, items, ..
            } => Event::ActivitiesLoaded {
                req,
                ticket_id,
                items,
            },
            Event::Failed { failure, .. } => Event::Failed { req, failure },
            other => other,
        };
        update(&mut app, Msg::Worker(ev));
    }
    app
}

#[test]
fn detail_activity() {
    snap("detail_activity_loaded", |w, h| {
        with_activities(
            w,
            h,
            Some(Event::ActivitiesLoaded {
                req: 0,
                ticket_id: "1001".into(),
                items: activities(),
            }),
        )
    });
    snap("detail_activity_loading", |w, h| {
        with_activities(w, h, None)
    });
    snap("detail_activity_failed", |w, h| {
        with_activities(
            w,
            h,
            Some(Event::Failed {
                req: 0,
                failure: failure(500, "500 INTERNAL_ERROR: internal error"),
            }),
        )
    });
}

#[test]
fn hostile_ticket_never_reaches_the_terminal_raw() {
    snap("detail_hostile_1004", |w, h| open(w, h, 10, 1004));
    snap("detail_hostile_1004_history", |w, h| {
        let mut app = open(w, h, 10, 1004);
        tab(&mut app, '2');
        app
    });
    // The description read in full, in the text overlay.
    snap("overlay_hostile_content", |w, h| {
        let mut app = open(w, h, 10, 1004);
        let reader = crate::app::reader::Reader::new(
            "Ticket description \u{1b}]0;x\u{7}".into(),
            full_ticket(1004).prop("content").to_owned(),
            String::new(),
            &app.areas,
        );
        app.overlay = Some(Overlay::Reader(Box::new(reader)));
        app
    });
}

#[test]
fn narrow_mode_shows_the_detail_alone() {
    let app = open(80, 24, 10, 1002);
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains("#1002 Login fails on SSO"));
    assert!(
        !screen.contains("Tickets 10"),
        "the list is hidden:\n{screen}"
    );
    insta::assert_snapshot!("narrow_detail_80x24", screen);
    let mut app = app;
    update(&mut app, code(KeyCode::Esc));
    let screen = text(&render(&app, 80, 24));
    assert!(screen.contains("Tickets 10"));
    assert!(
        !screen.contains("1 Properties"),
        "the detail is hidden:\n{screen}"
    );
}

// ---- overlays ------------------------------------------------------------------------------

#[test]
fn help_overlay() {
    snap("overlay_help", |w, h| {
        let mut app = loaded(w, h, 10, false);
        update(&mut app, key('?'));
        app
    });
}

#[test]
fn error_overlay() {
    snap("overlay_token_error", |w, h| {
        let mut app = loaded(w, h, 10, false);
        let req = req_of(&update(&mut app, key('R')), is_list);
        update(
            &mut app,
            Msg::Worker(Event::Failed {
                req,
                failure: failure(
                    401,
                    "401 INVALID_AUTHENTICATION: Authentication credentials not found (correlation 0c1d)",
                ),
            }),
        );
        app
    });
}

// ---- styles --------------------------------------------------------------------------------

/// Where `needle` first appears on screen (in cells).
fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    find_left_of(buf, needle, buf.area.width)
}

/// Where `needle` first appears left of column `right` (the list pane, say).
fn find_left_of(buf: &Buffer, needle: &str, right: u16) -> (u16, u16) {
    let mut left = buf.clone();
    left.resize(ratatui::layout::Rect::new(0, 0, right, buf.area.height));
    for y in 0..buf.area.height {
        for x in 0..right {
            left[(x, y)] = buf[(x, y)].clone();
        }
    }
    let screen = text(&left);
    for (y, line) in screen.lines().enumerate() {
        if let Some(byte) = line.find(needle) {
            // Column in cells (the lines here are ASCII up to the needle in these tests).
            let x = unicode_width::UnicodeWidthStr::width(&line[..byte]);
            return (u16::try_from(x).unwrap(), u16::try_from(y).unwrap());
        }
    }
    panic!("{needle:?} not on screen:\n{screen}");
}

#[test]
fn the_selected_row_is_reversed_when_the_list_has_focus() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    let list_w = app.areas.list.width;
    let buf = render(&app, 160, 48);
    let (x, y) = find_left_of(&buf, "1002", list_w);
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    assert!(
        buf[(x + 10, y)].modifier.contains(Modifier::REVERSED),
        "the whole row"
    );
    let (x, y) = find_left_of(&buf, "1003", list_w);
    assert!(!buf[(x, y)].modifier.contains(Modifier::REVERSED));
    // With the focus in the detail, the list's selection is underlined instead.
    app.focus = Focus::Detail;
    let buf = render(&app, 160, 48);
    let (x, y) = find_left_of(&buf, "1002", list_w);
    assert!(!buf[(x, y)].modifier.contains(Modifier::REVERSED));
    assert!(buf[(x, y)].modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn error_toasts_are_red_and_no_color_keeps_emphasis() {
    let mut app = app(160, 48);
    let fx = app.start();
    let req = req_of(&fx, is_list);
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req,
            failure: failure(500, "500 INTERNAL_ERROR: internal error"),
        }),
    );
    let buf = render(&app, 160, 48);
    let (x, y) = find(&buf, "loading tickets failed");
    assert_eq!(y, 47, "in the status bar");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    let (x, y) = find(&buf, "press r to retry");
    assert_eq!(buf[(x, y)].fg, Color::Red, "the inline error too");
    // NO_COLOR: no colours at all, the selection still reversed.
    let mut app = loaded(160, 48, 5, false);
    app.color = false;
    let buf = render(&app, 160, 48);
    assert!(
        buf.content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
    let (x, y) = find_left_of(&buf, "1001", app.areas.list.width);
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn the_pinned_activity_is_starred_in_yellow() {
    let app = with_activities(
        160,
        48,
        Some(Event::ActivitiesLoaded {
            req: 0,
            ticket_id: "1001".into(),
            items: activities(),
        }),
    );
    let buf = render(&app, 160, 48);
    let (x, y) = find(&buf, "★");
    assert_eq!(buf[(x, y)].fg, Color::Yellow);
    assert_eq!(text(&buf).matches('★').count(), 1, "one pinned activity");
}

// ---- every size ----------------------------------------------------------------------------

#[test]
fn every_size_draws_without_panicking() {
    type Build = Box<dyn Fn(u16, u16) -> App>;
    let states: Vec<(&str, Build)> = vec![
        (
            "loading",
            Box::new(|w, h| {
                let mut a = app(w, h);
                a.start();
                a
            }),
        ),
        ("list", Box::new(|w, h| loaded(w, h, 30, true))),
        (
            "history",
            Box::new(|w, h| {
                let mut a = open(w, h, 10, 1004);
                tab(&mut a, '2');
                a
            }),
        ),
        (
            "activity",
            Box::new(|w, h| {
                with_activities(
                    w,
                    h,
                    Some(Event::ActivitiesLoaded {
                        req: 0,
                        ticket_id: "1001".into(),
                        items: activities(),
                    }),
                )
            }),
        ),
        (
            "help",
            Box::new(|w, h| {
                let mut a = loaded(w, h, 10, false);
                update(&mut a, key('?'));
                a
            }),
        ),
        (
            "error",
            Box::new(|w, h| {
                let mut a = loaded(w, h, 10, false);
                a.overlay = Some(Overlay::Error {
                    title: "HubSpot refused the access token".into(),
                    body: "x ".repeat(300),
                });
                a
            }),
        ),
    ];
    let mut sizes: Vec<(u16, u16)> = Vec::new();
    for w in (60..=300).step_by(20) {
        for h in (15..=100).step_by(17) {
            sizes.push((w, h));
        }
    }
    sizes.extend([
        (1, 1),
        (2, 2),
        (20, 5),
        (5, 20),
        (99, 3),
        (100, 4),
        (300, 2),
        (1, 100),
    ]);
    for (name, build) in &states {
        for &(w, h) in &sizes {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let app = build(w, h);
                assert_clean(&render(&app, w, h));
            }));
            assert!(result.is_ok(), "state {name} panicked at {w}x{h}");
        }
    }
}

#[test]
fn a_resize_before_the_draw_never_panics() {
    // The model's idea of the size can lag the frame's (a resize event not yet handled).
    let mut app = loaded(160, 48, 30, false);
    update(&mut app, key('G'));
    for (w, h) in [(80, 24), (20, 5), (300, 100)] {
        render(&app, w, h);
    }
    assert_eq!(app.detail.tab, Tab::Properties);
    assert!(matches!(
        app.detail.ticket,
        Loadable::Idle | Loadable::Loading(_)
    ));
}

/// The default views as tabs, a modified view capped at HubSpot's 10,000, custom columns, and
/// a ticket that a refresh no longer found in the view.
#[test]
fn views_tabs_columns_cap_and_a_ticket_that_left() {
    snap("views_capped_left", |w, h| {
        let mut app = app(w, h);
        app.set_views(crate::views::defaults());
        app.me = Some("11".into());
        let fx = app.start();
        let fx = answer_catalog(&mut app, &fx);
        let req = req_of(&fx, is_list);
        update(
            &mut app,
            Msg::Worker(Event::TicketsListed {
                req,
                tickets: tickets(1001..=1030),
                next_after: None,
                total: Some(12_345),
                capped: true,
            }),
        );
        // Switch to Unassigned: its own columns.
        update(&mut app, key('}'));
        app.list = crate::app::list::TicketList::default();
        app.list.set_viewport(app.areas.list_rows());
        app.list.replace_first_page(tickets(1001..=1012), None);
        app.list.select_row(3);
        let fresh: Vec<_> = tickets(1001..=1012)
            .into_iter()
            .filter(|t| t.id != "1004")
            .collect();
        app.list.replace_first_page(fresh, None);
        app.list.total = Some(12_345);
        app.list_capped = true;
        // A sort makes it a modified view (tab starred, top bar says so).
        app.view_edit = Some(crate::views::View {
            sort: Some("hs_ticket_priority desc".parse().unwrap()),
            ..app.current_view().clone()
        });
        app.toast = None;
        app
    });
}

/// Triage mode: the ticket alone, its subject, key properties and description on top, the
/// detail below and (wide) the latest activities beside it; "2 of 10" in the top bar.
#[test]
fn triage_mode() {
    snap("triage", triage);
}

/// Triage mode on the second of ten tickets, its detail and activities loaded.
pub(super) fn triage(w: u16, h: u16) -> App {
    let mut app = loaded(w, h, 10, false);
    update(&mut app, key('j'));
    let fx = update(&mut app, key('T'));
    for e in &fx {
        let crate::app::Effect::Api(c) = e else {
            continue;
        };
        let ev = match c {
            Command::GetTicket { req, .. } => Event::TicketFetched {
                req: *req,
                ticket: full_ticket(1002),
            },
            Command::LoadActivities { req, ticket_id } => Event::ActivitiesLoaded {
                req: *req,
                ticket_id: ticket_id.clone(),
                items: activities(),
            },
            _ => continue,
        };
        update(&mut app, Msg::Worker(ev));
    }
    app
}

#[test]
fn the_list_title_says_how_many_are_new_and_as_of_when() {
    for (w, h) in SIZES {
        let mut app = loaded(w, h, 10, false);
        app.live_new = ["2002", "2003", "2004"].map(String::from).into();
        let title = |app: &App| {
            text(&render(app, w, h))
                .lines()
                .find(|l| l.contains("Tickets"))
                .unwrap_or_default()
                .to_owned()
        };
        assert!(title(&app).contains("3 new"), "{}", title(&app));
        assert!(!title(&app).contains("as of"), "{}", title(&app));
        app.live_new.clear();
        app.list_as_of = Some(app.now - jiff::SignedDuration::from_mins(2));
        assert!(title(&app).contains("as of 2 min ago"), "{}", title(&app));
        assert!(!title(&app).contains("new"), "{}", title(&app));
    }
}

#[test]
fn a_retry_while_offline_is_not_called_rate_limiting() {
    let mut app = loaded(160, 48, 10, false);
    let until = app.now + jiff::SignedDuration::from_secs(3);
    update(
        &mut app,
        Msg::Worker(Event::Status(crate::protocol::WorkerStatus {
            in_flight: 1,
            backoff_until: Some(until),
            ..Default::default()
        })),
    );
    let top = |app: &App| {
        text(&render(app, 160, 48))
            .lines()
            .next()
            .unwrap()
            .to_owned()
    };
    assert!(
        top(&app).contains("rate limited, retrying in 3s"),
        "{}",
        top(&app)
    );
    app.gate.offline_since = Some(app.now);
    let line = top(&app);
    assert!(line.contains("no answer, retrying in 3s"), "{line}");
    assert!(!line.contains("rate limited"), "{line}");
}
