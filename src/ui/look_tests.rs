//! How hubtix looks: the list with detail in each theme and with `NO_COLOR`, snapshotted WITH
//! styles (the text, then each row's runs of non-default style), and the README's
//! screenshots (`assets/screenshots/*.svg`) drawn through `ui::draw` from fixed data (the
//! fixtures' fixed clock and tickets) and compared with the committed files: a stale
//! screenshot fails here; `HUBTIX_UPDATE_SCREENSHOTS=1 cargo test --lib look_tests` rewrites
//! them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Write as _;
use std::path::PathBuf;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use super::reading_tests::{urgency_list, urgent};
use super::tests::{open, tab, triage};
use crate::app::tests::fixtures::*;
use crate::app::{App, Effect, Focus, Msg, update};
use crate::config::ThemeName;
use crate::protocol::{Command, Event};
use crossterm::event::KeyCode;

const W: u16 = 160;
const H: u16 = 40;

fn render(app: &App) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(W, H)).unwrap();
    terminal.draw(|f| super::draw(f, app)).unwrap();
    terminal.backend().buffer().clone()
}

/// The text, then per row the runs of cells whose style is not the default:
/// `y x0..x1 fg bg MODIFIERS`.
fn styled(buf: &Buffer) -> String {
    let mut out = super::buffer_text(buf);
    out.push_str("\n---- styles: row columns fg bg modifiers ----\n");
    let style_of = |x: u16, y: u16| {
        let c = &buf[(x, y)];
        (c.fg, c.bg, c.modifier)
    };
    for y in 0..buf.area.height {
        let mut x = 0;
        while x < buf.area.width {
            let s = style_of(x, y);
            let start = x;
            while x < buf.area.width && style_of(x, y) == s {
                x += 1;
            }
            if s != (Color::Reset, Color::Reset, Modifier::empty()) {
                let _ = writeln!(
                    out,
                    "{y:>2} {start:>3}..{x:<3} {:?} {:?} {:?}",
                    s.0, s.1, s.2
                );
            }
        }
    }
    out
}

/// The list with its urgency columns (alerts), two tickets marked, the selection on a third
/// and its detail open beside it.
fn list_with_detail() -> App {
    let mut app = urgency_list(W, H);
    update(&mut app, key('j'));
    update(&mut app, key(' ')); // marks 1002, moves on
    update(&mut app, key(' ')); // marks 1003
    update(&mut app, key('j'));
    update(&mut app, key('j'));
    assert_eq!(app.list.selected_id(), Some("1006"));
    let fx = update(&mut app, code(KeyCode::Enter));
    let mut ticket = full_ticket(1006);
    ticket.properties.extend(urgent(1006).properties);
    for e in fx {
        if let Effect::Api(c @ Command::GetTicket { .. }) = e {
            update(
                &mut app,
                Msg::Worker(Event::TicketFetched {
                    req: c.req(),
                    ticket: ticket.clone(),
                }),
            );
        }
    }
    app.focus = Focus::List;
    assert_eq!(app.list.marked().len(), 2, "two marked");
    app
}

fn themed(theme: ThemeName, color: bool) -> App {
    let mut app = list_with_detail();
    app.theme = theme;
    app.color = color;
    app
}

#[test]
fn list_and_detail_in_every_theme_and_without_colour() {
    for (theme, name) in ThemeName::ALL {
        let buf = render(&themed(theme, true));
        insta::assert_snapshot!(format!("look_{name}"), styled(&buf));
    }
    let buf = render(&themed(ThemeName::Dark, false));
    insta::assert_snapshot!("look_no_color", styled(&buf));
}

/// Where the first cell of `needle` is.
fn find(buf: &Buffer, needle: &str) -> (u16, u16) {
    let text = super::buffer_text(buf);
    for (y, line) in text.lines().enumerate() {
        if let Some(i) = line.find(needle) {
            let x = crate::text::width(&line[..i]);
            return (u16::try_from(x).unwrap(), u16::try_from(y).unwrap());
        }
    }
    panic!("{needle} not on screen:\n{text}");
}

/// Without colour, and in every theme, a mark is a symbol and an alert a symbol in bold or
/// reverse video: neither rests on colour alone.
#[test]
fn marks_alerts_and_the_selection_never_rest_on_colour_alone() {
    for (theme, color) in ThemeName::ALL
        .iter()
        .map(|(t, _)| (*t, true))
        .chain([(ThemeName::Dark, false), (ThemeName::HighContrast, false)])
    {
        let buf = render(&themed(theme, color));
        let text = super::buffer_text(&buf);
        assert_eq!(
            text.matches('●').count(),
            2,
            "{theme:?}: marks have a symbol"
        );
        let (x, y) = find(&buf, "●");
        assert!(buf[(x, y)].modifier.contains(Modifier::BOLD), "{theme:?}");
        let (x, y) = find(&buf, "!late");
        let alert = buf[(x, y)].modifier;
        assert!(alert.contains(Modifier::BOLD), "{theme:?} {color}");
        if !color {
            assert!(
                alert.contains(Modifier::REVERSED),
                "no colour: reverse video"
            );
            assert!(
                buf.content
                    .iter()
                    .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
                "NO_COLOR: no colour at all"
            );
        }
        let list = list_with_detail();
        let selected = list.list.selected_id().unwrap().to_owned();
        // The mark column and a space before the ID: the list's row, not the detail's title.
        let (x, y) = find(&buf, &format!("  {selected} "));
        assert!(
            buf[(x + 2, y)].modifier.contains(Modifier::REVERSED),
            "{theme:?}: the selection is reverse video"
        );
    }
}

/// The list keeps its columns aligned with an alert's symbol: every row's column starts in
/// the same cell.
#[test]
fn alert_symbols_keep_the_columns_aligned() {
    let buf = render(&themed(ThemeName::Dark, true));
    let text = super::buffer_text(&buf);
    let starts: Vec<usize> = text
        .lines()
        .filter(|l| l.contains("!Overdue") || l.contains("Active SLA"))
        .map(|l| {
            let i = l.find("!Overdue").or_else(|| l.find("Active SLA")).unwrap();
            crate::text::width(&l[..i])
        })
        .collect();
    assert!(starts.len() > 3, "{text}");
    assert!(
        starts.windows(2).all(|w| w[0] == w[1]),
        "{starts:?}\n{text}"
    );
}

// ---- the README's screenshots ----------------------------------------------------------

fn screenshots() -> Vec<(&'static str, &'static str, App)> {
    let mut history = open(W, H, 10, 1001);
    tab(&mut history, '2');
    let mut search = loaded(W, H, 10, false);
    update(&mut search, key('s'));
    vec![
        (
            "list-detail",
            "hubtix: the ticket list with urgency columns and the detail",
            list_with_detail(),
        ),
        ("history", "hubtix: a ticket's history timeline", history),
        ("search", "hubtix: the search form", search),
        ("triage", "hubtix: triage mode", triage(W, H)),
    ]
}

fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/screenshots")
}

#[test]
fn readme_screenshots_are_current() {
    let update_them = std::env::var_os("HUBTIX_UPDATE_SCREENSHOTS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, title, app) in screenshots() {
        let svg = super::svg::to_svg(&render(&app), title);
        let path = screenshot_dir().join(format!("{name}.svg"));
        if update_them {
            std::fs::create_dir_all(screenshot_dir()).unwrap();
            std::fs::write(&path, &svg).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(svg.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale screenshots {stale:?}: run HUBTIX_UPDATE_SCREENSHOTS=1 cargo test --lib look_tests, \
         look at them and commit them"
    );
}
