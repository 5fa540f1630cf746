//! Headless flows of writing on a ticket: the real event loop, worker and client against the
//! sandbox over HTTP, keys in, screen text out. A note (pinned), a call and a task are written
//! from the keyboard, and each is read back through the API: its properties, its body, and its
//! associations to the ticket and to the ticket's contacts and companies.
//!
//! Waits are on what the screen shows, never on sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyModifiers};
use hubtix::hubspot::{Client, GetQuery, SimplePublicObject};
use hubtix::sandbox::SandboxConfig;

#[path = "support/tui.rs"]
mod tui;

use tui::Harness;

const W: u16 = 160;
const H: u16 = 48;

fn config() -> SandboxConfig {
    SandboxConfig {
        tickets: 200,
        ..SandboxConfig::default()
    }
}

/// Whether nothing is in flight (the top bar shows no ⟳).
fn idle(s: &str) -> bool {
    s.lines().next().is_some_and(|top| !top.contains('⟳'))
}

async fn assoc_ids(client: &Client, from: &str, id: &str, to: &str) -> BTreeSet<String> {
    client
        .associations(from, id, to)
        .await
        .expect("associations")
        .into_iter()
        .map(|a| a.to_object_id)
        .collect()
}

/// What the ticket's new activity of `kind` is linked to and holds, read back from HubSpot.
struct Written {
    record: SimplePublicObject,
    tickets: BTreeSet<String>,
    contacts: BTreeSet<String>,
    companies: BTreeSet<String>,
}

/// The one activity of `kind` on ticket 1001 that was not there `before`, read back with
/// `properties` and its associations.
async fn written(
    client: &Client,
    kind: &str,
    before: &BTreeSet<String>,
    properties: &[&str],
) -> Written {
    let after = assoc_ids(client, "tickets", "1001", kind).await;
    let new: Vec<&String> = after.difference(before).collect();
    assert_eq!(new.len(), 1, "one new {kind}: {before:?} → {after:?}");
    let id = new[0].clone();
    let record: SimplePublicObject = client
        .get_object(kind, &id, &GetQuery::properties(properties))
        .await
        .expect("the activity reads back");
    Written {
        tickets: assoc_ids(client, kind, &id, "tickets").await,
        contacts: assoc_ids(client, kind, &id, "contacts").await,
        companies: assoc_ids(client, kind, &id, "companies").await,
        record,
    }
}

fn prop<'a>(w: &'a Written, name: &str) -> &'a str {
    w.record.property(name).unwrap_or_default()
}

fn ctrl(h: &Harness, c: char) {
    h.key_mod(KeyCode::Char(c), KeyModifiers::CONTROL);
}

/// Types text into the form; `\n` is Enter.
fn typed(h: &Harness, text: &str) {
    for c in text.chars() {
        match c {
            '\n' => h.key(KeyCode::Enter),
            c => h.key(KeyCode::Char(c)),
        }
    }
}

/// Opens the form of `key` and waits until the ticket's contacts and companies are ticked.
async fn open_form(h: &mut Harness, key: char, title: &str) {
    h.key(KeyCode::Char(key));
    h.wait_until(title, |s| s.contains(title) && s.contains("3 of 3 ticked"))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_a_call_and_a_task_from_the_keyboard_exist_with_their_associations_and_bodies() {
    let mut h = Harness::start_configured(config(), W, H, |app| {
        app.me = Some(hubtix::sandbox::DEMO_ME.to_owned());
    })
    .await;
    h.wait_until("the first page and 1001's detail", |s| {
        s.contains("1001 プリンターが燃えている") && s.contains("Ticket information")
    })
    .await;
    let contacts = assoc_ids(&h.client, "tickets", "1001", "contacts").await;
    let companies = assoc_ids(&h.client, "tickets", "1001", "companies").await;
    assert_eq!((contacts.len(), companies.len()), (2, 1), "the seed's 1001");
    let tickets = BTreeSet::from(["1001".to_owned()]);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('4'));
    h.wait_until("the Activity tab", |s| {
        s.contains("4 Activity (") && idle(s)
    })
    .await;

    // A note on two lines, pinned.
    let notes = assoc_ids(&h.client, "tickets", "1001", "notes").await;
    open_form(&mut h, 'n', "New note · #1001").await;
    let note = "3階のプリンター: toner & drum replaced\nsee https://example.com/kb?id=7&lang=ja";
    typed(&h, note);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char(' '));
    ctrl(&h, 's');
    h.wait_until("the note added and the tab reloaded", |s| {
        s.contains("note added to #1001 (pinned)") && !s.contains("New note") && idle(s)
    })
    .await;
    let w = written(
        &h.client,
        "notes",
        &notes,
        &["hs_note_body", "hs_timestamp"],
    )
    .await;
    assert_eq!(hubtix::text::html_to_text(prop(&w, "hs_note_body")), note);
    assert!(!prop(&w, "hs_timestamp").is_empty());
    assert_eq!(
        (&w.tickets, &w.contacts, &w.companies),
        (&tickets, &contacts, &companies)
    );
    let pinned: SimplePublicObject = h
        .client
        .get_object(
            "tickets",
            "1001",
            &GetQuery::properties(&["hs_pinned_engagement_id"]),
        )
        .await
        .expect("ticket");
    assert_eq!(
        pinned.property("hs_pinned_engagement_id"),
        Some(w.record.id.as_str())
    );

    // A call: title, inbound, HubSpot's "Connected" outcome, 5 minutes, notes.
    let disposition = h
        .client
        .property("calls", "hs_call_disposition")
        .await
        .expect("the calls' outcome property");
    let connected = disposition
        .options
        .iter()
        .find(|o| o.label == "Connected")
        .expect("a Connected outcome")
        .value
        .clone();
    let calls = assoc_ids(&h.client, "tickets", "1001", "calls").await;
    open_form(&mut h, 'c', "Log a call · #1001").await;
    typed(&h, "Callback about the smoke\n");
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    h.wait_until("HubSpot's call outcomes", |s| s.contains("Left voicemail"))
        .await;
    typed(&h, "connected\n");
    typed(&h, "5m\nThe customer confirmed it works.");
    ctrl(&h, 's');
    h.wait_until("the call logged", |s| {
        s.contains("call logged on #1001") && !s.contains("Log a call") && idle(s)
    })
    .await;
    let w = written(
        &h.client,
        "calls",
        &calls,
        &[
            "hs_call_title",
            "hs_call_direction",
            "hs_call_duration",
            "hs_call_disposition",
            "hs_call_body",
        ],
    )
    .await;
    assert_eq!(prop(&w, "hs_call_disposition"), connected);
    assert_eq!(prop(&w, "hs_call_title"), "Callback about the smoke");
    assert_eq!(prop(&w, "hs_call_direction"), "INBOUND");
    assert_eq!(prop(&w, "hs_call_duration"), "300000");
    assert_eq!(
        hubtix::text::html_to_text(prop(&w, "hs_call_body")),
        "The customer confirmed it works."
    );
    assert_eq!(
        (&w.tickets, &w.contacts, &w.companies),
        (&tickets, &contacts, &companies)
    );

    // A task: subject, a due date and time, me as the owner, high priority, notes.
    let tasks = assoc_ids(&h.client, "tickets", "1001", "tasks").await;
    open_form(&mut h, 't', "New task · #1001").await;
    typed(&h, "Call the vendor\n");
    for _ in 0.."tomorrow".len() {
        h.key(KeyCode::Backspace);
    }
    typed(&h, "2026-12-24 15:00");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    typed(&h, "hi");
    h.key(KeyCode::Enter);
    typed(&h, "If it smokes again.");
    ctrl(&h, 's');
    h.wait_until("the task added", |s| {
        s.contains("task added to #1001") && !s.contains("New task") && idle(s)
    })
    .await;
    let w = written(
        &h.client,
        "tasks",
        &tasks,
        &[
            "hs_task_subject",
            "hs_task_body",
            "hs_task_priority",
            "hubspot_owner_id",
            "hs_timestamp",
        ],
    )
    .await;
    assert_eq!(prop(&w, "hs_task_subject"), "Call the vendor");
    assert_eq!(prop(&w, "hs_task_priority"), "HIGH");
    assert_eq!(
        hubtix::text::html_to_text(prop(&w, "hs_task_body")),
        "If it smokes again."
    );
    assert_eq!(
        prop(&w, "hs_timestamp").parse::<jiff::Timestamp>().ok(),
        Some("2026-12-24T15:00:00Z".parse().unwrap())
    );
    let owners = h.client.owners().await.expect("owners");
    let me = owners
        .iter()
        .find(|o| o.email.as_deref() == Some(hubtix::sandbox::DEMO_ME))
        .expect("the demo agent is an owner");
    assert_eq!(prop(&w, "hubspot_owner_id"), me.id);
    assert_eq!(
        (&w.tickets, &w.contacts, &w.companies),
        (&tickets, &contacts, &companies)
    );
    h.quit().await;
}

/// Files in the drafts folder.
fn drafts_in(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_note_stays_as_a_draft_and_is_offered_back_after_quitting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = || Some(hubtix::drafts::DraftStore::new(dir.path()));
    let cfg = config();
    let token = cfg.token.clone();
    let sandbox = hubtix::sandbox::spawn(cfg).await.expect("sandbox");
    let mut h = Harness::attach(sandbox, &token, W, H, store());
    h.wait_until("the first page and 1001's detail", |s| {
        s.contains("1001 プリンターが燃えている") && s.contains("Ticket information") && idle(s)
    })
    .await;
    let notes = assoc_ids(&h.client, "tickets", "1001", "notes").await;
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('4'));
    h.wait_until("the Activity tab", |s| {
        s.contains("4 Activity (") && idle(s)
    })
    .await;
    open_form(&mut h, 'n', "New note · #1001").await;
    typed(&h, "Written while HubSpot refused");
    h.wait_text("Written while HubSpot refused").await;
    h.sandbox.faults().fail_next(1, 400);
    ctrl(&h, 's');
    let s = h
        .wait_until("HubSpot's refusal in the form", |s| {
            s.contains("HTTP 400") && idle(s)
        })
        .await;
    assert!(
        s.contains("Written while HubSpot refused"),
        "the text stays:\n{s}"
    );
    assert_eq!(
        assoc_ids(&h.client, "tickets", "1001", "notes").await,
        notes
    );
    let (_, sandbox) = h.stop().await;
    let on_disk = drafts_in(dir.path());
    assert_eq!(on_disk.len(), 1, "one draft on disk: {on_disk:?}");
    assert!(on_disk[0].contains("Written while HubSpot refused"));

    let mut h = Harness::attach(sandbox, &token, W, H, store());
    let s = h
        .wait_until("the draft offered once everything is loaded", |s| {
            s.contains("Unsaved change from last time") && idle(s)
        })
        .await;
    assert!(s.contains("New note on #1001"), "{s}");
    h.key(KeyCode::Enter);
    h.wait_until("the note form with the draft", |s| {
        s.contains("New note · #1001")
            && s.contains("Written while HubSpot refused")
            && s.contains("3 of 3 ticked")
    })
    .await;
    ctrl(&h, 's');
    h.wait_until("the note added", |s| {
        s.contains("note added to #1001") && idle(s)
    })
    .await;
    let w = written(&h.client, "notes", &notes, &["hs_note_body"]).await;
    assert_eq!(
        hubtix::text::html_to_text(prop(&w, "hs_note_body")),
        "Written while HubSpot refused"
    );
    assert_eq!(w.contacts.len(), 2);
    assert!(
        drafts_in(dir.path()).is_empty(),
        "the draft is gone once saved"
    );
    h.quit().await;
}
