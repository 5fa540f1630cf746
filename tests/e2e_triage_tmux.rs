//! Triage mode end to end: the real `hubtix` binary in tmux against `hubtix sandbox`. `T`
//! walks the view; changing the ticket's stage saves it (read back through the API) and
//! opens the next ticket by itself; `x` skips; `K` goes back to a ticket that left the view;
//! `Esc` ends with a summary that counts what was done and names the skipped.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` (set by
//! `.ci/run`) a missing tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;
use tmux::{Api, Sandbox, Tmux, idle, tmux_available};

/// The ticket on screen in triage, from the box's title (`┌ Triage · 2 of 40 · #1051 ─`).
fn walked(screen: &str) -> Option<(usize, String)> {
    screen.lines().find_map(|l| {
        let rest = &l[l.find("┌ Triage · ")? + "┌ Triage · ".len()..];
        let at: usize = rest.split(' ').next()?.parse().ok()?;
        let id = &rest[rest.find(" · #")? + " · #".len()..];
        let id: String = id.chars().take_while(char::is_ascii_digit).collect();
        Some((at, id))
    })
}

/// The row of `label` in the detail's Properties tab (full width below the triage box),
/// counting property rows from the first.
fn row_of(screen: &str, label: &str) -> Option<usize> {
    screen
        .lines()
        .skip_while(|l| !l.contains("1 Properties"))
        .filter_map(|l| l.strip_prefix("│ "))
        .filter(|r| !r.trim_end_matches([' ', '│']).is_empty())
        .position(|r| r.starts_with(&format!("{label} ")))
}

/// The stage named on the triage box's property line (`Ticket status Waiting on us · …`).
fn header_stage(screen: &str) -> String {
    screen
        .lines()
        .find_map(|l| l.strip_prefix("│Ticket status "))
        .and_then(|r| r.split(" · ").next())
        .unwrap_or_default()
        .trim_end_matches([' ', '│'])
        .to_owned()
}

#[test]
fn triage_walks_the_view_moves_on_after_a_stage_change_and_sums_up() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(40);
    let api = Api::new(&sandbox.url);
    // Narrower than the side-by-side layout: the detail takes the full width.
    let t = Tmux::start("triage", 100, 40, &[]);
    t.launch(&sandbox);
    t.keys(&["T"]);
    let s = t.wait_for("triage on the first ticket", |s| {
        walked(s).is_some_and(|(at, _)| at == 1) && idle(s) && row_of(s, "Ticket status").is_some()
    });
    let (_, first) = walked(&s).unwrap();
    assert!(s.lines().next().unwrap().contains("triage 1 of"), "{s}");
    let before = api.property(&first, "hs_pipeline_stage");

    // Change the stage: the save is read back, and the next ticket opens by itself.
    let row = row_of(&s, "Ticket status").unwrap();
    let stage_before = header_stage(&s);
    t.keys(&["g"]);
    if row > 0 {
        t.keys(&["-N", &row.to_string(), "j"]);
    }
    t.keys(&["e"]);
    t.wait_text(&format!(" Edit Ticket status · #{first}"));
    // The option below the current one: another stage of the same pipeline.
    t.keys(&["Down", "Enter"]);
    let s = t.wait_for("the second ticket", |s| {
        walked(s).is_some_and(|(at, _)| at == 2)
    });
    let (_, second) = walked(&s).unwrap();
    assert_ne!(second, first);
    let after = api.property(&first, "hs_pipeline_stage");
    assert_ne!(after, before, "the stage was written");
    assert!(!after.is_empty());

    // x skips to the third; K twice goes back to the first, which left the "Open" view but
    // stays walkable and shows its new stage.
    t.keys(&["x"]);
    t.wait_for("the third ticket", |s| {
        walked(s).is_some_and(|(at, _)| at == 3)
    });
    t.keys(&["K", "K"]);
    t.wait_for("the first ticket again, at its new stage", |s| {
        walked(s).is_some_and(|(at, id)| at == 1 && id == first)
            && idle(s)
            && !header_stage(s).is_empty()
            && header_stage(s) != stage_before
    });

    // Esc ends the walk with its summary.
    t.keys(&["Escape"]);
    // Waited for whole: a capture can catch a frame half drawn.
    let skipped = format!("Skipped 1: #{second}");
    let s = t.wait_for("the summary", |s| {
        s.contains("Triage of") && s.contains(&skipped) && s.contains("Ticket status changed")
    });
    assert!(s.contains("Acted on 1 ticket:"), "{s}");
    assert!(s.contains("Ticket status changed: 1 time"), "{s}");
    assert!(s.contains(&format!("Skipped 1: #{second}")), "{s}");
    t.keys(&["Escape"]);
    t.wait_for("the list again", |s| {
        !s.contains("Triage of") && !s.contains("┌ Triage")
    });
    t.keys(&["q"]);
}
