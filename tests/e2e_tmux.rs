//! End-to-end: the real `hubtix` binary in a real terminal (tmux), driven as a person would:
//! `send-keys` to type, `capture-pane` to read the screen.
//!
//! Without tmux these tests say they were skipped and why; with `HUBTIX_REQUIRE_TMUX=1`
//! (set by `.ci/run`) a missing tmux is a failure.

#![allow(clippy::print_stderr)]

#[path = "support/tmux.rs"]
mod tmux;
use tmux::{Tmux, bin, quoted, tmux_available};

#[test]
fn demo_browse_open_history_and_quit_restores_terminal() {
    if !tmux_available() {
        return;
    }
    let t = Tmux::start("browse", 140, 40, &[]);
    t.wait_text("$");
    t.line(&format!("{} --demo", quoted(&bin())));
    // The list and the badge appear, then the first ticket's detail.
    let s = t.wait_for("the ticket list", |s| {
        s.contains("DEMO") && s.contains("Tickets") && s.contains("Subject")
    });
    assert!(
        t.alternate_screen(),
        "the TUI uses the alternate screen:\n{s}"
    );
    t.wait_text("Properties");
    // Move down twice, open the ticket, switch to History.
    t.keys(&["j", "j", "Enter"]);
    t.keys(&["2"]);
    let s = t.wait_for("the history timeline", |s| {
        s.contains("→") && s.contains("History")
    });
    assert!(
        s.contains("Ticket status") || s.contains("Priority") || s.contains("Ticket name"),
        "history shows property labels:\n{s}"
    );
    // Help overlay lists the bindings in force.
    t.keys(&["?"]);
    t.wait_text("Keys (Esc/Enter closes");
    // Each Escape is sent alone and its effect awaited: Escape followed at once by another
    // key reads as an Alt chord, in tmux as in any terminal.
    t.keys(&["Escape"]);
    t.wait_for("the help overlay to close", |s| {
        !s.contains("Keys (Esc/Enter closes")
    });
    // Back to the list (its hints offer the filter), then quit.
    t.keys(&["Escape"]);
    t.wait_for("the list to have the focus", |s| {
        s.lines().last().is_some_and(|l| l.contains("/ filter"))
    });
    t.keys(&["q"]);
    let s = t.wait_for("the shell prompt after quitting", |s| {
        !s.contains("Tickets")
    });
    assert!(
        !t.alternate_screen(),
        "terminal restored (alternate screen off):\n{s}"
    );
    // The shell still works: the terminal is usable.
    t.line("echo still-$((20+22))");
    t.wait_text("still-42");
}

#[test]
fn missing_token_is_a_plain_message_before_the_tui() {
    if !tmux_available() {
        return;
    }
    let t = Tmux::start("notoken", 100, 20, &[]);
    t.wait_text("$");
    t.line(&format!("{} ; echo exit=$?", quoted(&bin())));
    let s = t.wait_text("exit=1");
    assert!(s.contains("HUBSPOT_ACCESS_TOKEN"), "{s}");
    assert!(!t.alternate_screen());
}
