//! Editing and creating tickets end to end, headless: the real event loop, worker and client
//! against the sandbox, keys in, screen text out, every change verified by reading the sandbox
//! through the API. A counting proxy in front of the sandbox tells exactly which writes were
//! sent (nothing sent twice).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

#[path = "support/proxy.rs"]
mod proxy;
#[path = "support/tui.rs"]
mod tui;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyModifiers};
use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, RetryPolicy};
use hubtix::sandbox::{RateLimit, SandboxConfig};
use proxy::Proxy;
use tui::Harness;

fn config(tickets: usize) -> SandboxConfig {
    SandboxConfig {
        tickets,
        ..SandboxConfig::default()
    }
}

/// The TUI (160×60) against a sandbox behind a counting proxy.
async fn start(config: SandboxConfig) -> (Harness, Proxy) {
    start_with(config, "", &[]).await
}

/// [`start`], after setting `values` on ticket `id` (the detail hides empty properties other
/// than the key ones, so a property to edit needs a value).
async fn start_with(config: SandboxConfig, id: &str, values: &[(&str, &str)]) -> (Harness, Proxy) {
    let token = config.token.clone();
    let sandbox = hubtix::sandbox::spawn(config).await.expect("sandbox");
    if !values.is_empty() {
        colleague_sets(&tui::client_for(&sandbox, &token), id, values).await;
    }
    let proxy = Proxy::start(sandbox.base_url()).await;
    let mut h = Harness::attach_via(sandbox, &proxy.url(), &token, 160, 60, None);
    // The test's own reads and the colleague's writes go straight to the sandbox: the proxy
    // sees only what the app sends.
    h.client = tui::client_for(&h.sandbox, &token);
    (h, proxy)
}

/// Polls the screen for up to `ms`; `None` when `pred` never held.
async fn poll(h: &Harness, ms: u64, pred: impl Fn(&str) -> bool) -> Option<String> {
    let deadline = Instant::now() + Duration::from_millis(ms);
    loop {
        let s = h.screen();
        if pred(&s) {
            return Some(s);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn ctrl(h: &Harness, c: char) {
    h.key_mod(KeyCode::Char(c), KeyModifiers::CONTROL);
}

fn backspaces(h: &Harness, n: usize) {
    for _ in 0..n {
        h.key(KeyCode::Backspace);
    }
}

/// Waits for the list and the selected ticket's detail, then moves the focus to the detail.
async fn open_selected(h: &mut Harness) {
    h.wait_until("the list and the ticket's properties", |s| {
        s.contains("Tickets") && s.contains("Ticket name")
    })
    .await;
    h.key(KeyCode::Enter);
    h.wait_until("the detail to have the focus", |s| {
        s.lines().last().is_some_and(|l| !l.contains("/ filter"))
    })
    .await;
}

/// Walks the Properties tab (`j`) until `e` opens the editor of `label`; returns the screen
/// and the ticket's id (from the modal's title).
async fn open_editor(h: &mut Harness, label: &str) -> (String, String) {
    let title = format!(" Edit {label} · #");
    // From the top of the Properties tab.
    for _ in 0..80 {
        h.key(KeyCode::Char('k'));
    }
    for _ in 0..150 {
        // `e` either opens an editor or says why not (a message naming the property): wait
        // for the screen to change, so no later key lands in a slow-to-open editor.
        let before = h.screen();
        h.key(KeyCode::Char('e'));
        // The answer: the editor, or a new message on the status line saying why not (the
        // screen may also change for other reasons, a reload after a save say).
        let status = |s: &str| s.lines().last().unwrap_or_default().to_owned();
        let was = status(&before);
        let s = poll(h, 3000, |s| {
            s.contains(" Edit ") || (says_why(&status(s)) && status(s) != was)
        })
        .await
        .unwrap_or_else(|| h.screen());
        let s = if s.contains(" Edit ") {
            s
        } else {
            poll(h, 100, |s| s.contains(" Edit ")).await.unwrap_or(s)
        };
        if !s.contains(" Edit ") && s.contains("still loading") {
            // The detail is being re-read (after a save or a create): the cursor stays put.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        if s.contains(" Edit ") {
            if let Some(at) = s.find(&title) {
                let id: String = s[at + title.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                return (s, id);
            }
            h.key(KeyCode::Esc);
            h.wait_until("the editor to close", |s| !s.contains(" Edit "))
                .await;
        }
        h.key(KeyCode::Char('j'));
    }
    panic!("no editor for {label}; screen:\n{}", h.screen());
}

async fn props(client: &Client, id: &str, names: &[&str]) -> BTreeMap<String, String> {
    let q = GetQuery {
        properties: names.iter().map(|s| (*s).to_owned()).collect(),
        ..GetQuery::default()
    };
    let t = client.get_ticket(id, &q).await.expect("read the ticket");
    names
        .iter()
        .map(|n| {
            let v = t.properties.get(*n).cloned().flatten().unwrap_or_default();
            ((*n).to_owned(), v)
        })
        .collect()
}

async fn prop(client: &Client, id: &str, name: &str) -> String {
    props(client, id, &[name])
        .await
        .remove(name)
        .unwrap_or_default()
}

/// Values `name` took, newest first (from the property history).
async fn history(client: &Client, id: &str, name: &str) -> Vec<String> {
    let q = GetQuery {
        properties_with_history: vec![name.to_owned()],
        ..GetQuery::default()
    };
    let t = client.get_ticket(id, &q).await.expect("read the history");
    t.properties_with_history
        .and_then(|mut h| h.remove(name))
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.value)
        .collect()
}

/// A colleague's change through the API while the form is open.
async fn colleague_sets(client: &Client, id: &str, values: &[(&str, &str)]) {
    let values: BTreeMap<String, String> = values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    client
        .update_ticket(id, &values, None)
        .await
        .expect("the colleague's change");
}

/// Esc on a changed form asks; `y` discards.
async fn discard(h: &mut Harness) {
    h.key(KeyCode::Esc);
    h.wait_text("Discard your changes?").await;
    h.key(KeyCode::Char('y'));
    h.wait_until("the editor to close", |s| !s.contains(" Edit "))
        .await;
}

/// Waits until nothing is sent for a while: the requests so far are all there will be.
async fn quiet(proxy: &Proxy) -> usize {
    let mut n = proxy.seen().len();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let m = proxy.seen().len();
        if m == n {
            return n;
        }
        n = m;
    }
}

fn patches(proxy: &Proxy, id: &str) -> usize {
    proxy.count("PATCH", &format!("/crm/v3/objects/tickets/{id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_number_date_and_option_stay_in_the_form_and_nothing_is_sent() {
    let (mut h, proxy) = start_with(
        config(30),
        "1001",
        &[("affected_users", "42"), ("sla_due_date", "2026-12-01")],
    )
    .await;
    open_selected(&mut h).await;

    // Number: not a number, then out of f64's range.
    let (_, id) = open_editor(&mut h, "Affected users").await;
    let before = prop(&h.client, &id, "affected_users").await;
    for bad in ["12 users", "1e999"] {
        backspaces(&h, 30);
        h.chars(bad);
        h.wait_text(bad).await;
        let sent = quiet(&proxy).await;
        h.key(KeyCode::Enter);
        let s = h.wait_text("is not a number").await;
        assert!(
            s.contains(" Edit Affected users"),
            "the form stays open:\n{s}"
        );
        assert!(s.contains(bad), "the typed value is kept:\n{s}");
        assert_eq!(quiet(&proxy).await, sent, "nothing sent for {bad:?}");
    }
    discard(&mut h).await;

    // Date: an impossible day.
    open_editor(&mut h, "SLA due date").await;
    backspaces(&h, 30);
    h.chars("2026-13-45");
    h.wait_text("2026-13-45").await;
    let sent = quiet(&proxy).await;
    h.key(KeyCode::Enter);
    let s = h.wait_text("is not a date like 2026-03-01").await;
    assert!(s.contains("2026-13-45"), "{s}");
    assert_eq!(quiet(&proxy).await, sent, "nothing sent for a bad date");
    discard(&mut h).await;

    // Option: a filter that matches no option cannot be saved.
    open_editor(&mut h, "Priority").await;
    h.chars("zzz");
    h.wait_text("nothing matches").await;
    let sent = quiet(&proxy).await;
    h.key(KeyCode::Enter);
    h.wait_text("nothing matches; clear the filter").await;
    assert_eq!(
        quiet(&proxy).await,
        sent,
        "nothing sent for an unknown option"
    );
    h.key(KeyCode::Esc);
    h.wait_until("the editor to close or ask", |s| {
        !s.contains(" Edit ") || s.contains("Discard")
    })
    .await;

    assert_eq!(patches(&proxy, &id), 0);
    assert_eq!(prop(&h.client, &id, "affected_users").await, before);
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_date_time_opened_and_saved_unchanged_sends_nothing() {
    // Shown to the minute: the seconds HubSpot keeps must not count as a change.
    let (mut h, proxy) = start(config(30)).await;
    open_selected(&mut h).await;
    let (s, id) = open_editor(&mut h, "Close date").await;
    let before = prop(&h.client, &id, "closed_date").await;
    assert!(
        before.len() > 16,
        "a close date with seconds: {before:?}\n{s}"
    );
    h.key(KeyCode::Esc);
    let s = h
        .wait_until("the editor to close without asking", |s| {
            !s.contains(" Edit ")
        })
        .await;
    assert!(!s.contains("Discard your changes?"), "{s}");
    open_editor(&mut h, "Close date").await;
    h.key(KeyCode::Enter);
    h.wait_text("nothing changed").await;
    quiet(&proxy).await;
    assert_eq!(patches(&proxy, &id), 0);
    assert_eq!(prop(&h.client, &id, "closed_date").await, before);
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unique_value_clash_is_hubspots_409_shown_in_the_form_with_the_value_kept() {
    let (mut h, proxy) = start(config(30)).await;
    open_selected(&mut h).await;
    let (_, id) = open_editor(&mut h, "External ticket reference").await;
    let mine = prop(&h.client, &id, "external_ticket_ref").await;
    let other_id = if id == "1001" { "1002" } else { "1001" };
    let taken = prop(&h.client, other_id, "external_ticket_ref").await;
    assert!(!taken.is_empty(), "seeded tickets carry a reference");
    backspaces(&h, 40);
    h.chars(&taken);
    h.key(KeyCode::Enter);
    let s = h.wait_text("already exists").await;
    assert!(s.contains(" Edit External ticket reference"), "{s}");
    assert!(s.contains(&taken), "the typed value stays:\n{s}");
    quiet(&proxy).await;
    assert_eq!(patches(&proxy, &id), 1, "sent once, not retried");
    assert_eq!(prop(&h.client, &id, "external_ticket_ref").await, mine);
    discard(&mut h).await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_colleagues_change_is_named_before_overwriting_and_the_overwrite_lands() {
    let (mut h, proxy) = start(config(30)).await;
    open_selected(&mut h).await;
    let (_, id) = open_editor(&mut h, "Ticket name").await;
    let before = props(&h.client, &id, &["subject", "hs_ticket_priority"]).await;
    let theirs = if before["hs_ticket_priority"] == "URGENT" {
        "LOW"
    } else {
        "URGENT"
    };
    colleague_sets(&h.client, &id, &[("hs_ticket_priority", theirs)]).await;
    h.chars(" (edited)");
    h.key(KeyCode::Enter);
    let s = h.wait_text("Someone changed this ticket").await;
    assert!(
        s.contains("Priority:"),
        "the conflict names the property:\n{s}"
    );
    assert!(s.contains('→'), "old → new:\n{s}");
    assert!(
        s.contains("INTEGRATION") || s.contains("API") || s.contains("user "),
        "and who/what changed it:\n{s}"
    );
    assert_eq!(
        patches(&proxy, &id),
        0,
        "nothing sent before the user decides"
    );
    h.key(KeyCode::Char('o'));
    h.wait_text("saved Ticket name").await;
    let after = props(&h.client, &id, &["subject", "hs_ticket_priority"]).await;
    assert_eq!(after["subject"], format!("{} (edited)", before["subject"]));
    assert_eq!(
        after["hs_ticket_priority"], theirs,
        "only what changed is sent: the colleague's priority stays"
    );
    quiet(&proxy).await;
    assert_eq!(patches(&proxy, &id), 1);
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stage_hubspot_rejects_shows_its_field_error_in_the_form() {
    let (mut h, proxy) = start(config(30)).await;
    open_selected(&mut h).await;
    let (_, id) = open_editor(&mut h, "Ticket status").await;
    let now = props(&h.client, &id, &["hs_pipeline", "hs_pipeline_stage"]).await;
    // Pick another stage of the ticket's pipeline, while a colleague moves the ticket to the
    // other pipeline: the stage no longer belongs to it.
    let (pick, to) = if now["hs_pipeline"] == "0" {
        (
            if now["hs_pipeline_stage"] == "3" {
                "New"
            } else {
                "Waiting on us"
            },
            [("hs_pipeline", "7458291"), ("hs_pipeline_stage", "7458292")],
        )
    } else {
        (
            if now["hs_pipeline_stage"] == "7458294" {
                "Triage"
            } else {
                "Fix scheduled"
            },
            [("hs_pipeline", "0"), ("hs_pipeline_stage", "1")],
        )
    };
    colleague_sets(&h.client, &id, &to).await;
    h.chars(pick);
    h.key(KeyCode::Enter);
    h.wait_text("Someone changed this ticket").await;
    h.key(KeyCode::Char('o'));
    let s = h.wait_text("was not one of the allowed options").await;
    assert!(
        s.contains(" Edit Ticket status"),
        "the form stays open:\n{s}"
    );
    quiet(&proxy).await;
    assert_eq!(patches(&proxy, &id), 1, "sent once");
    let after = props(&h.client, &id, &["hs_pipeline", "hs_pipeline_stage"]).await;
    assert_eq!(after["hs_pipeline"], to[0].1);
    assert_eq!(after["hs_pipeline_stage"], to[1].1);
    discard(&mut h).await;
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_failure_mid_save_is_reported_and_not_sent_again() {
    let (mut h, proxy) = start(config(30)).await;
    open_selected(&mut h).await;
    let (_, id) = open_editor(&mut h, "Ticket name").await;
    let subject = prop(&h.client, &id, "subject").await;
    // The colleague's change holds the save at the conflict view: no request is in flight
    // when the fault is armed, so the PATCH (not the conflict check) meets it.
    colleague_sets(&h.client, &id, &[("hs_ticket_priority", "LOW")]).await;
    h.chars(" v2");
    h.key(KeyCode::Enter);
    h.wait_text("Someone changed this ticket").await;
    quiet(&proxy).await;
    h.sandbox.faults().fail_next(1, 502);
    h.key(KeyCode::Char('o'));
    // The 502 lost the answer: the ticket is read back, which shows the save did not happen.
    let s = h
        .wait_text(&format!(
            "verified after a lost answer: ticket #{id} was not changed: your edit stays in the form"
        ))
        .await;
    assert!(s.contains(" Edit Ticket name"), "the form stays open:\n{s}");
    assert!(s.contains(" v2"), "the value is kept:\n{s}");
    quiet(&proxy).await;
    let after_patch: Vec<_> = proxy
        .seen()
        .into_iter()
        .skip_while(|r| r.method != "PATCH")
        .collect();
    assert!(
        after_patch.iter().any(|r| r.method == "GET"
            && r.path
                .starts_with(&format!("/crm/v3/objects/tickets/{id}?"))),
        "read back: {after_patch:?}"
    );
    let sent: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .collect();
    assert_eq!(sent.len(), 1, "one PATCH, not re-sent: {sent:?}");
    assert_eq!(sent[0].status, 502);
    assert_eq!(prop(&h.client, &id, "subject").await, subject);
    // The user sends it again, once.
    ctrl(&h, 's');
    h.wait_text("saved Ticket name").await;
    quiet(&proxy).await;
    assert_eq!(patches(&proxy, &id), 2);
    let want = format!("{subject} v2");
    assert_eq!(prop(&h.client, &id, "subject").await, want);
    let written = history(&h.client, &id, "subject").await;
    assert_eq!(
        written.iter().filter(|v| **v == want).count(),
        1,
        "{written:?}"
    );
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_draft_survives_quitting_and_is_offered_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = || Some(hubtix::drafts::DraftStore::new(dir.path()));
    let cfg = config(30);
    let token = cfg.token.clone();
    let sandbox = hubtix::sandbox::spawn(cfg).await.expect("sandbox");
    let mut h = Harness::attach(sandbox, &token, 160, 60, store());
    open_selected(&mut h).await;
    let (_, id) = open_editor(&mut h, "Ticket name").await;
    let subject = prop(&h.client, &id, "subject").await;
    h.chars(" (draft)");
    h.wait_text("(draft)").await;
    let (_, sandbox) = h.stop().await;
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("drafts dir").count(),
        1,
        "one draft on disk"
    );
    assert_eq!(
        prop(&tui::client_for(&sandbox, &token), &id, "subject").await,
        subject
    );

    let mut h = Harness::attach(sandbox, &token, 160, 60, store());
    let s = h.wait_text("Unsaved change from last time").await;
    assert!(
        s.contains(&format!("#{id}")) && s.contains("(draft)"),
        "{s}"
    );
    h.wait_text("Ticket name").await;
    let mut opened = None;
    for _ in 0..50 {
        h.key(KeyCode::Enter);
        opened = poll(&h, 500, |s| s.contains(" Edit Ticket name")).await;
        if opened.is_some() {
            break;
        }
    }
    let s = opened.expect("the draft opens in the editor");
    assert!(s.contains("(draft)"), "{s}");
    h.key(KeyCode::Enter);
    h.wait_text("saved Ticket name").await;
    assert_eq!(
        prop(&h.client, &id, "subject").await,
        format!("{subject} (draft)")
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("drafts dir").count(),
        0,
        "the draft is gone once saved"
    );
    h.quit().await;
}

/// The list's rows: ids of the first `n` rows on screen.
fn first_ids(screen: &str, n: usize) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| {
            let l = l.trim_start_matches(['│', ' ', '>', '●']);
            let id: String = l.chars().take_while(char::is_ascii_digit).collect();
            (id.len() == 4).then_some(id)
        })
        .take(n)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_then_edit_stage_and_subject_then_bulk_priority_all_verified_in_hubspot() {
    let (mut h, proxy) = start(config(40)).await;
    h.wait_until("the list", |s| {
        s.contains("Tickets") && s.contains("Ticket name")
    })
    .await;

    // Create: subject, a stage, a contact found by search.
    h.key(KeyCode::Char('n'));
    h.wait_text(" New ticket ").await;
    h.chars("Scanner jams on page 2");
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.chars("Waiting on contact");
    // Tab to the Associations field (the last one).
    let fields_after_stage = 3;
    for _ in 0..=fields_after_stage {
        h.key(KeyCode::Tab);
    }
    h.chars("Grace");
    h.wait_text("Grace Kim").await;
    h.key(KeyCode::Enter);
    ctrl(&h, 's');
    let s = h.wait_text("created ticket #").await;
    let at = s.find("created ticket #").expect("message") + "created ticket #".len();
    let id: String = s[at..].chars().take_while(char::is_ascii_digit).collect();
    let created = props(
        &h.client,
        &id,
        &["subject", "hs_pipeline", "hs_pipeline_stage"],
    )
    .await;
    assert_eq!(created["subject"], "Scanner jams on page 2");
    assert_eq!(created["hs_pipeline"], "0");
    assert_eq!(created["hs_pipeline_stage"], "2");
    let contacts = h
        .client
        .get_ticket(
            &id,
            &GetQuery {
                associations: vec!["contacts".into()],
                ..GetQuery::default()
            },
        )
        .await
        .expect("associations");
    let assoc = serde_json::to_string(&contacts.associations).expect("json");
    assert!(assoc.contains("\"2"), "a contact is associated: {assoc}");

    // Edit its subject and its stage (the new ticket is selected).
    h.wait_until("the new ticket's detail", |s| {
        s.contains("Scanner jams on page 2")
    })
    .await;
    h.key(KeyCode::Enter);
    let (_, edited) = open_editor(&mut h, "Ticket name").await;
    assert_eq!(edited, id);
    backspaces(&h, 40);
    h.chars("Scanner jams on every page");
    h.key(KeyCode::Enter);
    h.wait_text("saved Ticket name").await;
    open_editor(&mut h, "Ticket status").await;
    h.chars("Waiting on us");
    h.key(KeyCode::Enter);
    h.wait_text("saved Ticket status").await;
    let now = props(&h.client, &id, &["subject", "hs_pipeline_stage"]).await;
    assert_eq!(now["subject"], "Scanner jams on every page");
    assert_eq!(now["hs_pipeline_stage"], "3");

    // Bulk: mark three tickets from the top, set their priority.
    h.key(KeyCode::Esc);
    let s = h
        .wait_until("the list focused", |s| {
            s.lines().last().is_some_and(|l| l.contains("/ filter"))
        })
        .await;
    h.key(KeyCode::Char('g'));
    let _ = s;
    let s = poll(&h, 300, |_| false).await.unwrap_or_else(|| h.screen());
    let ids = first_ids(&s, 3);
    assert_eq!(ids.len(), 3, "three rows:\n{s}");
    for _ in 0..3 {
        h.key(KeyCode::Char(' '));
    }
    h.wait_text("3 marked").await;
    let batches = proxy.count("POST", "/batch/update");
    h.key(KeyCode::Char('e'));
    h.wait_text("Set a property on 3 tickets").await;
    h.key(KeyCode::Enter);
    h.wait_text("Set Priority on 3 tickets").await;
    h.chars("Medium");
    h.key(KeyCode::Enter);
    h.wait_text("Set Priority on 3 tickets?").await;
    assert_eq!(
        proxy.count("POST", "/batch/update"),
        batches,
        "nothing sent before the confirmation"
    );
    h.key(KeyCode::Char('y'));
    h.wait_text("set Priority on 3 tickets").await;
    assert_eq!(
        proxy.count("POST", "/batch/update"),
        batches + 1,
        "one batch"
    );
    for t in &ids {
        assert_eq!(
            prop(&h.client, t, "hs_ticket_priority").await,
            "MEDIUM",
            "#{t}"
        );
    }
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_edit_of_1000_tickets_is_10_batches_without_a_visible_429() {
    let cfg = SandboxConfig {
        tickets: 1000,
        // Tighter than HubSpot's 100 per 10 s, so the client has to pace.
        rate_limit: Some(RateLimit {
            max: 10,
            window: Duration::from_secs(1),
            ..RateLimit::PRIVATE_APP
        }),
        ..SandboxConfig::default()
    };
    let token = cfg.token.clone();
    let sandbox = hubtix::sandbox::spawn(cfg).await.expect("sandbox");
    let proxy = Proxy::start(sandbox.base_url()).await;
    // The retry policy the binary uses: its pacer keeps HubSpot's window (the tests' fast
    // policy caps every wait, the pacer's hold included, at 20 ms).
    let mut client_config = ClientConfig::new(proxy.url(), AccessToken::new(&token));
    client_config.retry = RetryPolicy::default();
    let client = Client::new(client_config).expect("client");
    let mut h = Harness::attach_client(sandbox, client, 160, 60, None);
    let mut direct = ClientConfig::new(h.sandbox.base_url(), AccessToken::new(&token));
    direct.retry = RetryPolicy::default();
    h.client = Client::new(direct).expect("client");
    h.wait_until("the list", |s| {
        s.contains("Tickets") && s.contains("Ticket name")
    })
    .await;
    // Load every page (G to the bottom until all 1000 rows are in), then mark all.
    for _ in 0..40 {
        h.key(KeyCode::Char('G'));
        if poll(&h, 500, |s| s.contains("┌ Tickets 1000 ─"))
            .await
            .is_some()
        {
            break;
        }
    }
    h.wait_text("┌ Tickets 1000 ─").await;
    h.key(KeyCode::Char('V'));
    h.wait_text("1000 marked").await;
    h.key(KeyCode::Char('e'));
    h.wait_text("Set a property on 1000 tickets").await;
    h.key(KeyCode::Enter);
    h.wait_text("Set Priority on 1000 tickets").await;
    h.chars("Urgent");
    h.key(KeyCode::Enter);
    // 1,000 tickets: the count is typed before the yes counts.
    h.wait_text("Set Priority on 1000 tickets?").await;
    h.chars("1000");
    h.wait_text("Type 1000 to confirm: 1000").await;
    let before = quiet(&proxy).await;
    let started = Instant::now();
    h.key(KeyCode::Char('y'));
    let s = h
        .wait_until("the bulk edit to finish", |s| {
            s.contains("set Priority on 1000 tickets") || s.contains("failed")
        })
        .await;
    let took = started.elapsed();
    assert!(
        s.contains("set Priority on 1000 tickets"),
        "{s}\n{during:#?}",
        during = proxy.seen().split_off(before)
    );
    assert!(!s.contains("429"), "no 429 shown:\n{s}");
    let during: Vec<_> = proxy.seen().split_off(before);
    let batches: Vec<_> = during
        .iter()
        .filter(|r| r.method == "POST" && r.path.contains("/tickets/batch/update"))
        .collect();
    assert_eq!(batches.len(), 10, "10 batch requests: {during:#?}");
    assert!(batches.iter().all(|r| r.status == 200), "{batches:?}");
    assert!(took < Duration::from_secs(30), "took {took:?}");
    eprintln!("bulk edit of 1000 tickets (10/s limit): {took:?} from Enter to done");
    // Every ticket has the value, read back through the API.
    let mut n = 0;
    let mut after = None;
    loop {
        let page = h
            .client
            .list_tickets(&hubtix::hubspot::ListQuery {
                limit: Some(100),
                after: after.clone(),
                properties: vec!["hs_ticket_priority".into()],
                ..Default::default()
            })
            .await
            .expect("list");
        for t in &page.results {
            assert_eq!(
                t.properties
                    .get("hs_ticket_priority")
                    .cloned()
                    .flatten()
                    .as_deref(),
                Some("URGENT"),
                "#{}",
                t.id
            );
            n += 1;
        }
        after = page.paging.and_then(|p| p.next).map(|n| n.after);
        if after.is_none() {
            break;
        }
    }
    assert_eq!(n, 1000);
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escape_on_a_new_ticket_asks_only_when_something_was_typed() {
    let (mut h, proxy) = start(config(10)).await;
    h.wait_until("the list", |s| {
        s.contains("Tickets") && s.contains("Ticket name")
    })
    .await;
    h.key(KeyCode::Char('n'));
    h.wait_text(" New ticket ").await;
    h.key(KeyCode::Esc);
    h.wait_until("the untouched form to close", |s| {
        !s.contains(" New ticket ")
    })
    .await;

    h.key(KeyCode::Char('n'));
    h.wait_text(" New ticket ").await;
    h.chars("Half-typed");
    h.wait_text("Half-typed").await;
    h.key(KeyCode::Esc);
    h.wait_text("Discard this new ticket?").await;
    h.key(KeyCode::Char('n'));
    let s = h
        .wait_until("the question to go", |s| {
            !s.contains("Discard this new ticket?")
        })
        .await;
    assert!(
        s.contains(" New ticket ") && s.contains("Half-typed"),
        "{s}"
    );
    h.key(KeyCode::Esc);
    h.wait_text("Discard this new ticket?").await;
    h.key(KeyCode::Char('y'));
    h.wait_until("the form to close", |s| !s.contains(" New ticket "))
        .await;
    quiet(&proxy).await;
    assert_eq!(
        proxy
            .seen()
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/crm/v3/objects/tickets")
            .count(),
        0,
        "nothing created"
    );
    h.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_is_lost_is_not_sent_again() {
    let (mut h, proxy) = start(config(10)).await;
    h.wait_until("the list", |s| {
        s.contains("Tickets") && s.contains("Ticket name")
    })
    .await;
    h.key(KeyCode::Char('n'));
    h.wait_text(" New ticket ").await;
    h.chars("Lost in transit");
    h.wait_text("Lost in transit").await;
    quiet(&proxy).await;
    h.sandbox.faults().fail_next(1, 502);
    ctrl(&h, 's');
    let s = h.wait_text("did not confirm the create").await;
    assert!(s.contains(" New ticket "), "the form stays open:\n{s}");
    quiet(&proxy).await;
    let creates: Vec<_> = proxy
        .seen()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/crm/v3/objects/tickets")
        .collect();
    assert_eq!(creates.len(), 1, "one POST, not re-sent: {creates:?}");
    assert_eq!(creates[0].status, 502);
    // The sandbox never saw it through: the next id does not exist.
    let next = h.client.get_ticket("1011", &GetQuery::default()).await;
    assert!(next.is_err(), "{next:?}");
    h.quit().await;
}

/// The messages `e` answers with when the row under the cursor can't be edited.
fn says_why(screen: &str) -> bool {
    [
        "read-only",
        "can't be edited",
        "choose a property",
        "still loading",
        "not in the property catalogue",
        "no options to choose from",
    ]
    .iter()
    .any(|m| screen.contains(m))
}
