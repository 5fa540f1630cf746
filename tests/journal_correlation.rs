//! The correlation ID of successful writes (issue 14): HubSpot answers every request with
//! `X-HubSpot-Correlation-Id`; the client hands those of successful writes to whoever records
//! them, and the TUI's worker puts them in the journal entry of the write. Checked against
//! what the sandbox sent, as a counting proxy in front of it saw it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/proxy.rs"]
mod proxy;

use std::collections::BTreeMap;
use std::time::Duration;

use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, RetryPolicy};
use hubtix::journal::Journal;
use hubtix::protocol::journal::Outcome;
use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use hubtix::worker::{Command, Event};
use proxy::Proxy;
use tokio::sync::mpsc;

/// A failing test's bound on waiting for the worker (never a pacing of the test).
const WAIT: Duration = Duration::from_secs(40);

async fn sandbox(tickets: usize) -> SandboxHandle {
    hubtix::sandbox::spawn(SandboxConfig {
        tickets,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn client(base_url: String) -> Client {
    let mut config = ClientConfig::new(base_url, AccessToken::new("demo-token"));
    config.retry = RetryPolicy::fast();
    Client::new(config).unwrap()
}

/// The correlation IDs the sandbox sent for the requests `method` to a path containing `part`.
fn sent(proxy: &Proxy, method: &str, part: &str) -> Vec<String> {
    proxy
        .seen()
        .into_iter()
        .filter(|s| s.method == method && s.path.contains(part))
        .map(|s| {
            s.correlation_id
                .expect("the sandbox sends one on every answer")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_client_hands_over_the_correlation_ids_of_successful_writes_only() {
    let sb = sandbox(30).await;
    let proxy = Proxy::start(sb.base_url()).await;
    let c = client(proxy.url());
    let props = BTreeMap::from([("hs_ticket_priority".to_owned(), "HIGH".to_owned())]);
    let ((), ids) = c
        .recording_writes(async {
            c.get_ticket("1001", &GetQuery::properties(&["subject"]))
                .await
                .unwrap();
            c.update_ticket("1001", &props, None).await.unwrap();
            c.update_ticket("1002", &props, None).await.unwrap();
            // Refused by HubSpot: its ID is in the error, not among the successes.
            let refused = c.update_ticket("99999", &props, None).await.unwrap_err();
            assert!(refused.correlation_id().is_some());
        })
        .await;
    let patches = sent(&proxy, "PATCH", "/crm/v3/objects/tickets/100");
    assert_eq!(patches.len(), 2);
    assert_eq!(ids, patches, "the writes' own IDs, in order; no read's");
    assert_ne!(ids[0], ids[1]);
    // Outside a recording nothing is kept for later.
    c.update_ticket("1003", &props, None).await.unwrap();
    let ((), later) = c.recording_writes(async {}).await;
    assert!(later.is_empty());
    sb.shutdown().await;
}

/// The TUI's worker, journaled in `dir`, through `proxy`.
fn worker(
    proxy: &Proxy,
    dir: &std::path::Path,
) -> (
    mpsc::UnboundedSender<Command>,
    mpsc::Receiver<Event>,
    Journal,
) {
    let path = hubtix::journal::file_in(dir, false);
    let journal = std::sync::Arc::new(Journal::new(path.clone(), "tui-run"));
    let (tx, rx) = mpsc::channel(64);
    let commands = hubtix::worker::spawn_journaled(client(proxy.url()), tx, Some(journal));
    (commands, rx, Journal::new(path, "reader"))
}

/// Waits for the journal entry of request `req`.
async fn journaled(events: &mut mpsc::Receiver<Event>, req: u64) -> hubtix::journal::Logged {
    tokio::time::timeout(WAIT, async {
        while let Some(e) = events.recv().await {
            if let Event::Journaled(l) = e
                && l.entry.id == format!("tui-run-{req}")
            {
                return *l;
            }
        }
        panic!("the worker stopped");
    })
    .await
    .expect("journaled in time")
}

fn ids_of(outcome: &Option<Outcome>) -> Vec<String> {
    match outcome {
        Some(Outcome::Applied {
            correlation_ids, ..
        }) => correlation_ids.clone(),
        other => panic!("not applied: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_worker_journals_each_writes_correlation_ids_as_the_sandbox_sent_them() {
    let sb = sandbox(150).await;
    let proxy = Proxy::start(sb.base_url()).await;
    let dir = tempfile::tempdir().unwrap();
    let (commands, mut events, reader) = worker(&proxy, dir.path());

    // An edit: one PATCH.
    commands
        .send(Command::UpdateTicket {
            req: 1,
            id: "1004".into(),
            properties: BTreeMap::from([("subject".to_owned(), "Renamed".to_owned())]),
        })
        .unwrap();
    let edit = journaled(&mut events, 1).await;
    let patch = sent(&proxy, "PATCH", "/crm/v3/objects/tickets/1004");
    assert_eq!(ids_of(&edit.outcome), patch);

    // A bulk edit of 150 tickets: two batch requests, both IDs, in order.
    let ids: Vec<String> = (1001..=1150).map(|i| i.to_string()).collect();
    commands
        .send(Command::BatchUpdate {
            req: 2,
            ids,
            properties: BTreeMap::from([("hs_ticket_priority".to_owned(), "LOW".to_owned())]),
        })
        .unwrap();
    let bulk = journaled(&mut events, 2).await;
    let batches = sent(&proxy, "POST", "/crm/v3/objects/tickets/batch/update");
    assert_eq!(batches.len(), 2);
    assert_eq!(ids_of(&bulk.outcome), batches);

    // An association added: the labelled PUT's ID.
    commands
        .send(Command::Associate {
            req: 3,
            ticket_id: "1005".into(),
            kind: hubtix::domain::ObjectKind::Contact,
            to_id: "201".into(),
            category: "HUBSPOT_DEFINED".into(),
            type_id: 16,
            keep: Vec::new(),
        })
        .unwrap();
    let assoc = journaled(&mut events, 3).await;
    assert_eq!(
        ids_of(&assoc.outcome),
        sent(
            &proxy,
            "PUT",
            "/crm/v4/objects/tickets/1005/associations/contacts/201"
        )
    );

    // The journal file says the same as the events did: `L` reads it there.
    let on_disk = reader.load().unwrap();
    for (req, want) in [(1, &edit), (2, &bulk), (3, &assoc)] {
        let l = on_disk
            .iter()
            .find(|l| l.entry.id == format!("tui-run-{req}"))
            .expect("on disk");
        assert_eq!(ids_of(&l.outcome), ids_of(&want.outcome));
        assert!(!ids_of(&l.outcome).is_empty());
    }
    sb.shutdown().await;
}
