//! End-to-end mouse: the real `hubtix` binary in tmux against `hubtix sandbox`. tmux's own
//! mouse handling is off (`set -g mouse off`), so the SGR mouse reports typed with
//! `send-keys -l` (`ESC [ < 0 ; x ; y M`, then `m` for the release) reach the program as a
//! terminal would send them. With `mouse = true` in config.toml a click on a list row opens
//! that ticket in the detail, a click on a detail tab switches to it and a click on a saved
//! view's tab switches to that view; without it, the same click changes nothing.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` (set by
//! `.ci/run`) a missing tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;
use tmux::{Sandbox, Tmux, detail_id, idle, tmux_available};

/// The tickets of the list pane on screen, top to bottom: (ID, 0-based column of the ID,
/// 0-based screen line). The wide layout: the list left of the detail (`…││…`).
fn list_rows(screen: &str) -> Vec<(String, usize, usize)> {
    screen
        .lines()
        .enumerate()
        .filter_map(|(y, l)| {
            let (left, _) = l.split_once("││")?;
            let rest = left.strip_prefix('│')?;
            // A row: the 2-cell marker, then the ID.
            let id: String = rest
                .chars()
                .skip(2)
                .take_while(char::is_ascii_digit)
                .collect();
            (!id.is_empty()).then_some((id, 1 + 2, y))
        })
        .collect()
}

/// Where `label` is on screen: (0-based column in cells, 0-based line).
fn find(screen: &str, label: &str) -> Option<(usize, usize)> {
    screen.lines().enumerate().find_map(|(y, l)| {
        let i = l.find(label)?;
        Some((unicode_width::UnicodeWidthStr::width(&l[..i]), y))
    })
}

/// A left click at the 0-based cell (`x`, `y`): press and release, SGR-encoded (1-based).
fn click(t: &Tmux, x: usize, y: usize) {
    t.text(&format!("\x1b[<0;{};{}M", x + 1, y + 1));
    t.text(&format!("\x1b[<0;{};{}m", x + 1, y + 1));
}

/// tmux with its mouse off (the reports go through to the program), hubtix started with
/// `config` as its config.toml; returns the first screen with a ticket in the detail.
fn start(name: &str, sandbox: &Sandbox, config: &str) -> (Tmux, String) {
    let t = Tmux::start(name, 140, 40, &[]);
    t.tmux(&["set-option", "-g", "mouse", "off"]);
    assert_eq!(t.tmux(&["show-options", "-gv", "mouse"]).trim(), "off");
    std::fs::write(t.config_dir().join("config.toml"), config).expect("write config.toml");
    t.launch(sandbox);
    let s = t.wait_for("the list idle", |s| idle(s) && list_rows(s).len() > 5);
    (t, s)
}

#[test]
fn with_mouse_on_a_click_selects_a_row_and_a_tab() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(60);
    let (t, s) = start("mouse-on", &sandbox, "mouse = true\n");
    let first = detail_id(&s).expect("a ticket is shown");
    let rows = list_rows(&s);
    let (target, x, y) = rows[4].clone();
    assert_ne!(target, first);

    click(&t, x, y);
    let s = t.wait_for(&format!("#{target} in the detail"), |s| {
        detail_id(s).as_deref() == Some(target.as_str()) && s.contains("Ticket name")
    });

    // The Associations tab, clicked: it loads and shows its count.
    let (tx, ty) = find(&s, "3 Associations").expect("the tab bar");
    assert!(!s.contains("3 Associations ("), "not loaded before:\n{s}");
    click(&t, tx + 3, ty);
    let s = t.wait_for("the Associations tab", |s| {
        idle(s) && s.contains("3 Associations (")
    });
    assert_eq!(detail_id(&s).as_deref(), Some(target.as_str()));

    // A saved view's tab, clicked: that view is on, with its own columns (Unassigned shows
    // the category; Open, the first view, does not).
    let header = |s: &str| {
        s.lines()
            .find(|l| l.contains("Subject"))
            .map(|l| l.split_once("││").map_or(l, |(left, _)| left).to_owned())
            .unwrap_or_default()
    };
    assert!(!header(&s).contains("Category"), "{s}");
    let (vx, vy) = find(&s, " Unassigned ").expect("the views' tabs");
    assert_eq!(vy, 1, "the tab line, under the top bar");
    click(&t, vx + 3, vy);
    t.wait_for("the Unassigned view and its columns", |s| {
        idle(s) && header(s).contains("Category")
    });

    t.keys(&["C-c"]);
    t.wait_for("the shell back", |s| {
        !t.alternate_screen() && s.contains('$')
    });
}

#[test]
fn with_mouse_off_a_click_changes_nothing() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(60);
    let (t, s) = start("mouse-off", &sandbox, "");
    let rows = list_rows(&s);
    let first = detail_id(&s).expect("a ticket is shown");
    assert_eq!(rows[0].0, first, "the first row is selected");
    let (target, x, y) = rows[4].clone();

    click(&t, x, y);
    // Then a key that shows: once it has, the click before it was read too.
    t.keys(&["j"]);
    let second = rows[1].0.clone();
    let s = t.wait_for(
        &format!("#{second} in the detail (j from the first row)"),
        |s| detail_id(s).as_deref() == Some(second.as_str()),
    );
    assert_ne!(detail_id(&s), Some(target), "the click selected nothing");

    // Nor does a click on a tab switch to it.
    let (tx, ty) = find(&s, "3 Associations").expect("the tab bar");
    click(&t, tx + 3, ty);
    t.keys(&["Tab", "2"]);
    let s = t.wait_for("the History tab, from its key", |s| {
        idle(s) && s.contains('→')
    });
    assert!(!s.contains("3 Associations ("), "never loaded:\n{s}");
}
