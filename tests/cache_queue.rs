//! `/` over the whole cached queue, headless: the real loop, worker and live task (with the
//! cache's reader) against the sandbox over HTTP on 127.0.0.1. With 600 tickets cached and
//! only the first page of 100 loaded, `/` finds a ticket that was never on a loaded page,
//! marks it as coming from the cache, and opens it (the detail fetched from HubSpot).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "support/tui.rs"]
mod tui;

use std::time::Duration;

use crossterm::event::KeyCode;
use hubtix::cache::Cache;
use hubtix::hubspot::Client;
use hubtix::sandbox::SandboxConfig;
use hubtix::sync::{self, SyncOptions};

use common::client::{SECRET, props};
use tui::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_finds_a_cached_ticket_never_loaded_and_opens_it() {
    let hour_ago = jiff::Timestamp::now().as_millisecond() - 3_600_000;
    let sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 600,
        token: SECRET.into(),
        reference_ms: Some(hour_ago),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let client = Client::new(common::client::config(
        &sandbox,
        SECRET,
        Duration::from_secs(10),
    ))
    .expect("client");
    // The last ticket: the list's first page (100, by ID) never has it.
    let far = "1600";
    client
        .update_ticket(far, &props(&[("subject", "Zebracorn anomaly")]), None)
        .await
        .expect("update");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.sqlite3");
    let mut cache = Cache::open(&path).expect("open").cache;
    sync::sync(&client, &mut cache, &SyncOptions::default(), &mut |_| {})
        .await
        .expect("first sync");
    assert_eq!(cache.stats().expect("stats").tickets, 600);

    let live = hubtix::live::Settings {
        cache,
        notice: None,
        interval: Duration::from_secs(3600),
        properties: Vec::new(),
        warm: None,
    };
    let mut h = Harness::attach_live(sandbox, client, 140, 30, live);
    h.wait_text("Tickets 100+ loaded").await;
    h.key(KeyCode::Char('/'));
    h.chars("zebracorn");
    let screen = h
        .wait_until("the cached match", |s| {
            s.contains("0/100 loaded · ≈ 1 from the cache") && s.contains("Zebracorn anomaly")
        })
        .await;
    let row = screen
        .lines()
        .find(|l| l.contains("Zebracorn anomaly") && l.contains(far))
        .unwrap_or_else(|| panic!("the row:\n{screen}"));
    assert!(row.contains('≈'), "marked as from the cache: {row}");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.wait_until("the detail fetched from HubSpot", |s| {
        s.contains(&format!("┐┌ #{far} Zebracorn anomaly"))
    })
    .await;
    let (_, _sandbox, app) = h.stop_app().await;
    assert_eq!(app.list.len(), 100, "only the first page was loaded");
    assert!(
        app.list.get(far).is_none(),
        "the ticket never was a loaded row"
    );
}
