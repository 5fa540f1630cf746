//! The sync engine against the sandbox over HTTP on 127.0.0.1: a first sync equals a full
//! listing; after edits, creates and archives through the API an incremental sync makes it
//! equal again, in few requests; a sync stopped halfway resumes; a corrupt file is rebuilt.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "support/proxy.rs"]
mod proxy;

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use hubtix::cache::{self, Cache};
use hubtix::domain::Ticket;
use hubtix::hubspot::{Client, CreateInput, ListQuery, UpdateInput};
use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use hubtix::sync::{self, Progress, SyncError, SyncOptions};

use common::client::{SECRET, props};
use proxy::Proxy;

/// A sandbox whose data ends an hour ago (HubSpot never has timestamps in the future), a
/// counting proxy in front of it, and a client through the proxy.
async fn setup(tickets: usize) -> (SandboxHandle, Proxy, Client) {
    let hour_ago = jiff::Timestamp::now().as_millisecond() - 3_600_000;
    let sb = hubtix::sandbox::spawn(SandboxConfig {
        tickets,
        token: SECRET.into(),
        reference_ms: Some(hour_ago),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let proxy = Proxy::start(sb.base_url()).await;
    let mut config = common::client::config(&sb, SECRET, Duration::from_secs(10));
    config.base_url = proxy.url();
    let client = Client::new(config).expect("client");
    (sb, proxy, client)
}

fn open(dir: &tempfile::TempDir) -> Cache {
    Cache::open(&dir.path().join("t.sqlite3"))
        .expect("open")
        .cache
}

async fn run(
    client: &Client,
    cache: &mut Cache,
    options: &SyncOptions,
) -> Result<sync::Summary, SyncError> {
    let mut ignore = |_: &Progress| {};
    sync::sync(client, cache, options, &mut ignore).await
}

/// Every live ticket by a full listing, with the properties the cache holds.
async fn full_listing(
    client: &Client,
    cache: &Cache,
) -> BTreeMap<String, BTreeMap<String, String>> {
    let properties = cache.sync_state().expect("state").properties;
    let mut pages = Box::pin(client.list_all_tickets(ListQuery {
        properties,
        ..ListQuery::default()
    }));
    let mut out = BTreeMap::new();
    while let Some(page) = pages.next().await {
        for t in page.expect("page").results {
            let t = hubtix::mapping::ticket(t);
            out.insert(t.id.clone(), t.properties);
        }
    }
    out
}

fn cached(cache: &Cache) -> BTreeMap<String, BTreeMap<String, String>> {
    cache
        .tickets()
        .expect("tickets")
        .into_iter()
        .map(|t: Ticket| (t.id, t.properties))
        .collect()
}

async fn assert_equal(client: &Client, cache: &Cache) {
    let live = full_listing(client, cache).await;
    let local = cached(cache);
    assert_eq!(local.len(), live.len(), "as many tickets as HubSpot lists");
    assert!(local == live, "the cache equals a full listing");
}

async fn update(client: &Client, ids: impl Iterator<Item = u64>, subject: &str) {
    let inputs: Vec<UpdateInput> = ids
        .map(|id| UpdateInput {
            id: id.to_string(),
            properties: props(&[("subject", &format!("{subject} {id}"))]),
            ..UpdateInput::default()
        })
        .collect();
    let out = client.batch_update_tickets(&inputs).await.expect("update");
    assert!(out.is_complete_success());
}

#[tokio::test]
async fn first_sync_equals_a_full_listing_and_a_second_costs_two_searches() {
    let (_sb, proxy, client) = setup(450).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut cache = open(&dir);
    let summary = run(&client, &mut cache, &SyncOptions::default())
        .await
        .expect("sync");
    assert!(summary.first_sync);
    assert_eq!(summary.added, 450);
    assert_eq!(
        proxy.count("GET", "/crm/v3/objects/tickets"),
        5,
        "450 tickets in 5 pages"
    );
    assert_equal(&client, &cache).await;
    // Nothing changed: one change search, one count.
    let before = proxy.seen().len();
    let summary = run(&client, &mut cache, &SyncOptions::default())
        .await
        .expect("sync");
    assert!(!summary.first_sync);
    assert_eq!((summary.added, summary.changed, summary.removed), (0, 0, 0));
    assert_eq!(
        proxy.seen().len() - before,
        2,
        "{:?}",
        &proxy.seen()[before..]
    );
}

#[tokio::test]
async fn after_edits_creates_and_archives_an_incremental_sync_equals_a_full_listing() {
    let (_sb, proxy, client) = setup(600).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut cache = open(&dir);
    run(&client, &mut cache, &SyncOptions::default())
        .await
        .expect("first");
    let ids: Vec<u64> = cached(&cache).keys().map(|k| k.parse().unwrap()).collect();
    update(&client, ids[10..60].iter().copied(), "edited").await;
    let creates: Vec<CreateInput> = (0..7)
        .map(|n| CreateInput {
            properties: props(&[
                ("subject", &format!("new {n}")),
                ("hs_pipeline", "0"),
                ("hs_pipeline_stage", "1"),
            ]),
            ..CreateInput::default()
        })
        .collect();
    assert!(
        client
            .batch_create_tickets(&creates)
            .await
            .expect("create")
            .is_complete_success()
    );
    let archived: Vec<String> = [ids[0], ids[300], ids[301], ids[599], ids[20]]
        .iter()
        .map(u64::to_string)
        .collect();
    let out = client
        .batch_archive_tickets(&archived)
        .await
        .expect("archive");
    assert!(out.first_error().is_none());
    let before = proxy.seen().len();
    let summary = run(&client, &mut cache, &SyncOptions::default())
        .await
        .expect("sync");
    assert_eq!(summary.added, 7);
    assert_eq!(summary.removed, 5);
    assert_eq!(summary.changed, 49, "50 edited, one of them archived");
    assert_equal(&client, &cache).await;
    let requests = proxy.seen().len() - before;
    // 1 change search, 1 count, and the bisection over 606 live tickets.
    assert!(
        requests <= 12,
        "{requests} requests: {:?}",
        &proxy.seen()[before..]
    );
}

/// The seeded data's last moment holds 161 of 5,000 tickets (changes clamped to its end),
/// more than one `NOT_IN` excludes: the change search must not read them again when they
/// were searchable long before the last sync.
#[tokio::test]
async fn a_thousand_changes_cost_at_most_six_requests() {
    let (_sb, proxy, client) = setup(5_000).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut cache = open(&dir);
    run(&client, &mut cache, &SyncOptions::default())
        .await
        .expect("first");
    let ids: Vec<u64> = cached(&cache).keys().map(|k| k.parse().unwrap()).collect();
    for chunk in ids[2_000..3_000].chunks(100) {
        update(&client, chunk.iter().copied(), "changed").await;
    }
    let before = proxy.seen().len();
    let summary = run(&client, &mut cache, &SyncOptions::default())
        .await
        .expect("sync");
    assert_eq!(summary.changed, 1_000);
    let requests = proxy.seen().len() - before;
    assert!(
        requests <= 6,
        "{requests} requests: {:?}",
        &proxy.seen()[before..]
    );
    assert_eq!(summary.requests as usize, requests);
    assert_equal(&client, &cache).await;
}

#[tokio::test]
async fn past_the_search_cap_the_window_steps_on() {
    let (_sb, _proxy, client) = setup(10_450).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut cache = open(&dir);
    // As if the first sync had ended before any of these tickets changed: every ticket is
    // a change, more than one search reaches.
    let mut options = SyncOptions::default();
    run(&client, &mut cache, &options).await.expect("first");
    let mut state = cache.sync_state().expect("state");
    state.watermark_ms = Some(0);
    cache.put_sync_state(&state).expect("put");
    cache.reset_tickets().expect("reset");
    cache.put_sync_state(&state).expect("put");
    options.skew = Duration::ZERO;
    let summary = run(&client, &mut cache, &options).await.expect("sync");
    assert_eq!(summary.added, 10_450);
    assert_equal(&client, &cache).await;
}

#[tokio::test]
async fn a_first_sync_stopped_halfway_resumes_where_it_stopped() {
    let (_sb, proxy, client) = setup(950).await;
    let dir = tempfile::tempdir().expect("dir");
    let mut cache = open(&dir);
    // 3 catalogue requests, the count, then 4 pages of 100.
    let stopped = SyncOptions {
        max_pages: Some(8),
        ..SyncOptions::default()
    };
    let err = run(&client, &mut cache, &stopped)
        .await
        .expect_err("stopped");
    assert!(matches!(err, SyncError::Stopped(8)), "{err}");
    assert_eq!(cache.stats().expect("stats").tickets, 400);
    let state = cache.sync_state().expect("state");
    assert!(!state.first_sync_done);
    assert!(state.resume_after.is_some());
    drop(cache);
    // A new process: the file reopened.
    let mut cache = open(&dir);
    let lists_before = proxy.count("GET", "/crm/v3/objects/tickets");
    let summary = run(&client, &mut cache, &SyncOptions::default())
        .await
        .expect("resume");
    assert_eq!(summary.added, 550);
    assert_eq!(
        proxy.count("GET", "/crm/v3/objects/tickets") - lists_before,
        6,
        "only the pages not yet read"
    );
    assert_equal(&client, &cache).await;
}

#[tokio::test]
async fn a_corrupt_cache_file_is_rebuilt_by_the_next_sync() {
    let (_sb, _proxy, client) = setup(120).await;
    let dir = tempfile::tempdir().expect("dir");
    let path = cache::file_for(dir.path(), client.base_url(), None);
    std::fs::write(
        &path,
        b"this is not a database, just garbage bytes".repeat(200),
    )
    .expect("w");
    let opened = Cache::open(&path).expect("open");
    assert!(opened.notice.expect("notice").contains("unreadable"));
    let mut cache = opened.cache;
    run(&client, &mut cache, &SyncOptions::default())
        .await
        .expect("sync");
    assert_equal(&client, &cache).await;
}
