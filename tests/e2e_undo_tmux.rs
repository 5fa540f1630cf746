//! Undo and the journal in a real terminal: `hubtix sandbox` as a child process, the real
//! `hubtix` binary in tmux; every outcome read back from the sandbox through the API.
//!
//! - An edit then `z`: the dialog, `y`, and the old value is back.
//! - A macro on 3 marked tickets then `z`: all 3 restored, their notes gone.
//! - Crash survival: `kill -9` of hubtix while its bulk write is on the wire (the sandbox
//!   answers slowly), after the journal's pending line and before its outcome; the next
//!   start reads the tickets back, journals what it found and says so.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};

use tmux::{Api, Sandbox, Tmux, detail_id, tmux_available};

const CONFIG: &str = r#"
[[macros]]
name = "Escalate"
key = "E"
set = { hs_ticket_priority = "URGENT", hs_pipeline_stage = "label:Waiting on us" }
note = "Escalated — {subject}"
"#;

const IDS: [&str; 3] = ["1001", "1002", "1003"];

/// 1001..=1003 in the Support Pipeline at stage New, priority Low.
fn set_up(api: &Api) {
    for id in IDS {
        api.set_property(id, "hs_pipeline", "0");
        api.set_property(id, "hs_pipeline_stage", "1");
        api.set_property(id, "hs_ticket_priority", "LOW");
    }
}

fn start(name: &str, sandbox: &Sandbox) -> Tmux {
    let t = Tmux::start(name, 150, 42, &[]);
    std::fs::write(t.config_dir().join("config.toml"), CONFIG).expect("config.toml");
    let s = t.launch(sandbox);
    assert_eq!(detail_id(&s).as_deref(), Some("1001"), "{s}");
    t
}

fn escalate_three(t: &Tmux) {
    t.keys(&["Space", "Space", "Space"]);
    t.wait_text("3 marked");
    t.keys(&["E"]);
    t.wait_text("Apply Escalate to 3 tickets?");
    t.keys(&["y"]);
}

#[test]
fn an_edit_then_z_and_a_macro_on_three_then_z_put_everything_back() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(50);
    let api = Api::new(&sandbox.url);
    set_up(&api);
    let subject = api.property("1001", "subject");
    let t = start("undo", &sandbox);

    // An edit of the subject, then z.
    t.keys(&["Enter"]);
    t.edit_property("Ticket name");
    t.keys(&["-N", "40", "BSpace"]);
    t.text("Typed on the wrong ticket");
    t.keys(&["Enter"]);
    t.wait_text("saved Ticket name");
    assert_eq!(api.property("1001", "subject"), "Typed on the wrong ticket");
    t.keys(&["z"]);
    t.wait_text("Undo?");
    t.keys(&["y"]);
    t.wait_text("undone");
    assert_eq!(api.property("1001", "subject"), subject);

    // A macro on three marked tickets, then z.
    t.keys(&["Escape"]);
    t.wait_for("the list focused", |s| {
        tmux::status_line(s).contains("/ filter")
    });
    t.keys(&["g"]);
    let notes: Vec<_> = IDS.iter().map(|id| api.notes_of(id)).collect();
    escalate_three(&t);
    t.wait_text("3 notes added");
    for id in IDS {
        assert_eq!(api.property(id, "hs_ticket_priority"), "URGENT");
    }
    t.keys(&["z"]);
    t.wait_text("Put back on 3 tickets");
    t.keys(&["y"]);
    t.wait_text("undone");
    for (id, before) in IDS.iter().zip(&notes) {
        assert_eq!(api.property(id, "hs_ticket_priority"), "LOW", "#{id}");
        assert_eq!(api.property(id, "hs_pipeline_stage"), "1", "#{id}");
        assert_eq!(&api.notes_of(id), before, "#{id}: the macro's note is gone");
    }
    t.keys(&["q"]);
}

/// The journal's text once `pred` holds (polling the file: a condition, not a sleep).
fn journal_when(path: &std::path::Path, what: &str, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if pred(&text) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}:\n{text}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_kill_9_during_a_bulk_write_is_resolved_by_reading_back_at_the_next_start() {
    if !tmux_available() {
        return;
    }
    // Every answer takes 700 ms: the bulk write is on the wire long enough to kill hubtix.
    let sandbox = Sandbox::start_with(50, &["--latency-ms", "700"]);
    let api = Api::new(&sandbox.url);
    set_up(&api);
    let t = start("crash", &sandbox);
    let journal = t.data_dir().join("journal.jsonl");
    escalate_three(&t);
    let text = journal_when(&journal, "the bulk write's pending line", |j| {
        j.contains("\"line\":\"pending\"") && j.contains("\"kind\":\"bulk_edit\"")
    });
    let pids = t.children();
    assert!(!pids.is_empty(), "hubtix runs in the window");
    for pid in &pids {
        let status = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }
    t.wait_for("hubtix gone", |_| t.children().is_empty());
    let after_kill = std::fs::read_to_string(&journal).expect("journal");
    assert!(
        !after_kill.contains("\"line\":\"outcome\""),
        "killed before the write's answer:\n{after_kill}\n(first seen:\n{text})"
    );

    // The next start.
    t.line("clear");
    t.launch(&sandbox);
    let s = t.wait_text("1 write(s) cut short by an earlier run, read back:");
    let line = tmux::status_line(&s).to_owned();
    let resolved = journal_when(&journal, "the resolution", |j| {
        j.contains("\"line\":\"resolved\"")
    });
    let priorities: Vec<String> = IDS
        .iter()
        .map(|id| api.property(id, "hs_ticket_priority"))
        .collect();
    // What the journal says is what HubSpot holds.
    if priorities.iter().all(|p| p == "URGENT") {
        assert!(resolved.contains("\"status\":\"applied\""), "{resolved}");
        assert!(line.contains("1 applied"), "{line}");
    } else if priorities.iter().all(|p| p == "LOW") {
        assert!(
            resolved.contains("\"status\":\"not_applied\""),
            "{resolved}"
        );
        assert!(line.contains("1 not"), "{line}");
    } else {
        panic!("a batch is all or nothing here: {priorities:?}");
    }
    t.keys(&["L"]);
    t.wait_text("(read back later)");
    t.keys(&["Escape", "q"]);
}
