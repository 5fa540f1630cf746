//! The TUI's background sync task (`live`) against the sandbox over HTTP on 127.0.0.1: the
//! warm start's rows come from the cache first, then a change made through the API arrives
//! as `Event::LiveChanged` at the next interval, read back from the cache.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use hubtix::cache::Cache;
use hubtix::hubspot::Client;
use hubtix::protocol::Event;
use hubtix::sandbox::SandboxConfig;
use hubtix::sync::{self, SyncOptions};

use common::client::SECRET;

/// The next event, waiting at most long enough for a paced sync (a deadline against a hang,
/// not a timing assertion).
async fn next(rx: &mut tokio::sync::mpsc::Receiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("an event before the deadline")
        .expect("the task is running")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_rows_first_then_a_change_made_elsewhere() {
    let hour_ago = jiff::Timestamp::now().as_millisecond() - 3_600_000;
    let sb = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 30,
        token: SECRET.into(),
        reference_ms: Some(hour_ago),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let client =
        Client::new(common::client::config(&sb, SECRET, Duration::from_secs(10))).expect("client");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.sqlite3");
    let mut cache = Cache::open(&path).expect("open").cache;
    sync::sync(&client, &mut cache, &SyncOptions::default(), &mut |_| {})
        .await
        .expect("first sync");
    let cached = cache.tickets_in_pipeline(None).expect("rows");

    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    let settings = hubtix::live::Settings {
        cache,
        notice: Some("rebuilt".into()),
        interval: Duration::from_millis(200),
        properties: Vec::new(),
        warm: Some(None),
    };
    let _live = hubtix::live::spawn(client.clone(), settings, tx);
    assert_eq!(next(&mut rx).await, Event::CacheNotice("rebuilt".into()));
    match next(&mut rx).await {
        Event::CachedRows { tickets, as_of_ms } => {
            assert_eq!(tickets, cached, "the cache's rows, newest change first");
            assert!(as_of_ms > 0);
        }
        other => panic!("expected the cached rows, got {other:?}"),
    }

    let id = cached[3].id.clone();
    let properties = [("subject".to_owned(), "Changed elsewhere".to_owned())]
        .into_iter()
        .collect();
    client
        .update_ticket(&id, &properties, None)
        .await
        .expect("update");
    match next(&mut rx).await {
        Event::LiveChanged { tickets, removed } => {
            assert!(removed.is_empty());
            let t = tickets.iter().find(|t| t.id == id).expect("the ticket");
            assert_eq!(t.subject(), "Changed elsewhere");
        }
        other => panic!("expected the change, got {other:?}"),
    }
}
