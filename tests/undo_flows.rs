//! Undo and the journal end to end, headless: the real loop, worker and client against the
//! sandbox, every write journaled in a temporary data dir; every outcome read back through
//! the API. An edit then `z` restores the old value; a macro on 3 marked tickets then `z`
//! restores all 3 and removes their notes; after a colleague's change `z` asks instead of
//! overwriting; and writes a killed run left without outcome are resolved at the next start.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tui.rs"]
mod tui;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crossterm::event::KeyCode;
use hubtix::hubspot::{Client, GetQuery};
use hubtix::journal::{Journal, Line};
use hubtix::keymap::Keymap;
use hubtix::protocol::journal::{Entry, Outcome, PropertyChange, WriteKind};
use hubtix::sandbox::SandboxConfig;
use tui::Harness;

const CONFIG: &str = r#"
[[macros]]
name = "Escalate"
key = "E"
set = { hs_ticket_priority = "URGENT", hs_pipeline_stage = "label:Waiting on us" }
note = "Escalated — {subject}"
"#;

async fn set(client: &Client, id: &str, values: &[(&str, &str)]) {
    let props: BTreeMap<String, String> = values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    client.update_ticket(id, &props, None).await.expect("set");
}

async fn prop(client: &Client, id: &str, name: &str) -> String {
    client
        .get_ticket(id, &GetQuery::properties(&[name]))
        .await
        .expect("read")
        .property(name)
        .unwrap_or_default()
        .to_owned()
}

async fn note_ids(client: &Client, id: &str) -> Vec<String> {
    client
        .associations("tickets", id, "notes")
        .await
        .expect("notes")
        .into_iter()
        .map(|a| a.to_object_id)
        .collect()
}

/// The TUI (160×48) against 30 tickets, 1001..=1003 in the Support Pipeline at stage New,
/// priority Low; the journal in `dir`.
async fn start(dir: &Path) -> Harness {
    let sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 30,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let client = tui::client_for(&sandbox, "demo-token");
    for id in ["1001", "1002", "1003"] {
        set(
            &client,
            id,
            &[
                ("hs_pipeline", "0"),
                ("hs_pipeline_stage", "1"),
                ("hs_ticket_priority", "LOW"),
            ],
        )
        .await;
    }
    start_on(sandbox, client, dir, "run-a").await
}

async fn start_on(
    sandbox: hubtix::sandbox::SandboxHandle,
    client: Client,
    dir: &Path,
    run: &str,
) -> Harness {
    let defs = hubtix::config::Config::parse(CONFIG, Path::new("config.toml"))
        .expect("parses")
        .macros;
    let macros = hubtix::runtime::check_macros(
        &client,
        defs.as_deref(),
        None,
        &Keymap::default(),
        "config.toml",
    )
    .await
    .expect("valid");
    let journal = Arc::new(Journal::new(hubtix::journal::file_in(dir, false), run));
    let mut h = Harness::attach_journaled(sandbox, client, 160, 48, journal, move |app| {
        app.set_macros(macros);
    });
    h.wait_until("ticket 1001's detail", |s| {
        s.contains("┌ #1001 ") && s.contains("Ticket name")
    })
    .await;
    h
}

#[tokio::test(flavor = "multi_thread")]
async fn an_edit_then_z_restores_the_old_value() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path()).await;
    let before = prop(&h.client, "1001", "subject").await;
    // Edit the subject in the detail.
    h.key(KeyCode::Enter);
    h.wait_until("the detail focused", |s| {
        s.lines().last().is_some_and(|l| !l.contains("/ filter"))
    })
    .await;
    for _ in 0..40 {
        h.key(KeyCode::Char('k'));
    }
    let mut opened = false;
    for _ in 0..40 {
        h.key(KeyCode::Char('e'));
        let s = h
            .wait_until("an editor or a reason", |s| {
                s.contains(" Edit ") || s.lines().last().is_some_and(|l| l.contains("cannot"))
            })
            .await;
        if s.contains(" Edit Ticket name") {
            opened = true;
            break;
        }
        if s.contains(" Edit ") {
            h.key(KeyCode::Esc);
            h.wait_until("the editor closed", |s| !s.contains(" Edit "))
                .await;
        }
        h.key(KeyCode::Char('j'));
    }
    assert!(opened, "no editor for the subject:\n{}", h.screen());
    for _ in 0..40 {
        h.key(KeyCode::Backspace);
    }
    h.chars("Edited by mistake");
    h.key(KeyCode::Enter);
    h.wait_text("saved Ticket name").await;
    assert_eq!(
        prop(&h.client, "1001", "subject").await,
        "Edited by mistake"
    );

    h.key(KeyCode::Char('z'));
    h.wait_text("Undo?").await;
    h.wait_text("\"Edited by mistake\" →").await;
    assert_eq!(
        prop(&h.client, "1001", "subject").await,
        "Edited by mistake",
        "nothing put back before the yes"
    );
    h.key(KeyCode::Char('y'));
    h.wait_text("undone").await;
    assert_eq!(prop(&h.client, "1001", "subject").await, before);
    h.quit().await;
}

/// Marks 1001..=1003 and applies Escalate to them.
async fn escalate_three(h: &mut Harness) {
    for _ in 0..3 {
        h.key(KeyCode::Char(' '));
    }
    h.wait_text("3 marked").await;
    h.key(KeyCode::Char('E'));
    h.wait_text("Apply Escalate to 3 tickets?").await;
    h.key(KeyCode::Char('y'));
    h.wait_text("Escalate on 3 tickets: Priority → Urgent, Stage → Waiting on us; 3 notes added")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_macro_then_z_restores_all_three_and_removes_their_notes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path()).await;
    let ids = ["1001", "1002", "1003"];
    let mut notes_before = Vec::new();
    for id in ids {
        notes_before.push(note_ids(&h.client, id).await);
    }
    escalate_three(&mut h).await;
    for id in ids {
        assert_eq!(prop(&h.client, id, "hs_ticket_priority").await, "URGENT");
    }
    h.key(KeyCode::Char('z'));
    let s = h.wait_text("Undo?").await;
    assert!(s.contains("Put back on 3 tickets"), "{s}");
    assert!(s.contains("Delete what it created"), "{s}");
    h.key(KeyCode::Char('y'));
    h.wait_text("undone").await;
    for (id, before) in ids.iter().zip(&notes_before) {
        assert_eq!(
            prop(&h.client, id, "hs_ticket_priority").await,
            "LOW",
            "#{id}"
        );
        assert_eq!(prop(&h.client, id, "hs_pipeline_stage").await, "1", "#{id}");
        assert_eq!(
            &note_ids(&h.client, id).await,
            before,
            "#{id}: its note is gone"
        );
    }
    // The undo is journaled too: the log shows it first.
    h.key(KeyCode::Char('L'));
    let s = h.wait_text("Writes (").await;
    let undo = s.find("undo 3 tickets").expect("the undo in the log");
    let notes = s.find("notes 3 tickets").expect("the notes in the log");
    assert!(undo < notes, "newest first:\n{s}");
    h.key(KeyCode::Esc);
    h.wait_until("the log closed", |s| !s.contains("Writes ("))
        .await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn undo_after_a_colleagues_change_asks_instead_of_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(dir.path()).await;
    escalate_three(&mut h).await;
    // A colleague raises 1002's priority meanwhile.
    set(&h.client, "1002", &[("hs_ticket_priority", "HIGH")]).await;
    h.key(KeyCode::Char('z'));
    let s = h.wait_text("Changed by someone else since").await;
    assert!(
        s.contains("#1002 [keep theirs] Priority: now \"High\""),
        "{s}"
    );
    h.key(KeyCode::Char('y'));
    h.wait_text("undone").await;
    assert_eq!(
        prop(&h.client, "1002", "hs_ticket_priority").await,
        "HIGH",
        "theirs kept"
    );
    assert_eq!(
        prop(&h.client, "1002", "hs_pipeline_stage").await,
        "1",
        "the rest put back"
    );
    assert_eq!(prop(&h.client, "1001", "hs_ticket_priority").await, "LOW");
    h.quit().await;
}

fn pending(id: &str, ticket: &str, before: &str, after: &str) -> Line {
    Line::Pending {
        entry: Entry {
            id: id.to_owned(),
            at: "2026-12-01T10:00:00Z".to_owned(),
            run: "killed".to_owned(),
            kind: WriteKind::BulkEdit,
            tickets: vec![ticket.to_owned()],
            properties: vec![PropertyChange {
                ticket: ticket.to_owned(),
                property: "hs_ticket_priority".to_owned(),
                before: Some(before.to_owned()),
                after: Some(after.to_owned()),
            }],
            associations: Vec::new(),
            created: Vec::new(),
            deleted: Vec::new(),
            undoes: None,
        },
    }
}

/// A run killed after journaling three writes and before their answers: one reached
/// HubSpot, one did not, one was overwritten by a colleague since. The next start reads them
/// back, journals what it found and says which stayed unknown.
#[tokio::test(flavor = "multi_thread")]
async fn writes_a_killed_run_left_without_outcome_are_resolved_at_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 30,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let client = tui::client_for(&sandbox, "demo-token");
    for id in ["1001", "1002", "1003"] {
        set(&client, id, &[("hs_ticket_priority", "LOW")]).await;
    }
    let killed = Journal::new(hubtix::journal::file_in(dir.path(), false), "killed");
    killed
        .append(&pending("killed-1", "1001", "LOW", "HIGH"))
        .unwrap();
    killed
        .append(&pending("killed-2", "1002", "LOW", "HIGH"))
        .unwrap();
    killed
        .append(&pending("killed-3", "1003", "LOW", "HIGH"))
        .unwrap();
    drop(killed);
    set(&client, "1001", &[("hs_ticket_priority", "HIGH")]).await; // it reached HubSpot
    set(&client, "1003", &[("hs_ticket_priority", "MEDIUM")]).await; // a colleague since

    let mut h = start_on(sandbox, client, dir.path(), "next").await;
    h.wait_text("3 write(s) cut short by an earlier run, read back: 1 applied, 1 not, 1 unknown")
        .await;
    let logged = Journal::new(hubtix::journal::file_in(dir.path(), false), "check")
        .load()
        .unwrap();
    let outcome = |id: &str| {
        let l = logged.iter().find(|l| l.entry.id == id).expect("entry");
        assert!(l.resolved, "{id} resolved by reading back");
        l.outcome.clone().expect("an outcome")
    };
    assert!(matches!(outcome("killed-1"), Outcome::Applied { failed, .. } if failed.is_empty()));
    assert_eq!(outcome("killed-2"), Outcome::NotApplied);
    assert!(matches!(outcome("killed-3"), Outcome::Unknown { .. }));
    h.key(KeyCode::Char('L'));
    let s = h.wait_text("Writes (3)").await;
    assert!(
        s.contains("unknown: changed since by someone else: #1003"),
        "{s}"
    );
    h.key(KeyCode::Esc);
    h.wait_until("the log closed", |s| !s.contains("Writes ("))
        .await;
    h.quit().await;
}
