//! The live queue's background task: owns this portal's [`Cache`] in the TUI and runs an
//! incremental [`sync`](crate::sync::sync) every refresh interval, telling the app what
//! changed through the protocol ([`Event::LiveChanged`], [`Event::CacheNotice`]).
//!
//! Owns: the cache while the TUI runs (one task holds it: `Cache` is not `Sync`), the timing
//! of syncs, turning a sync's [`Summary`](crate::sync::Summary) into an event, and the
//! cache's reader: a thread of its own with a second connection (WAL lets it read while a
//! sync writes) answering the app's [`CacheRequest`]s (`/` over the cached queue) with
//! [`Event::CachedQueue`] (the queue's compact index, built row by row as SQLite yields them)
//! and [`Event::QueueRows`] (the rows on screen), so reading 100,000 rows never waits for a
//! sync nor blocks a tokio thread. Must not: know
//! the app or the UI (it speaks `protocol`, as the worker does), or show a failure to the
//! user: a sync that fails is logged and tried again at the next interval (the client's
//! pacer already absorbs 429s; the engine spends a tenth of the rate budget, so the user's
//! own requests keep the rest).

use std::time::Duration;

use tokio::sync::mpsc;

use crate::cache::Cache;
use crate::hubspot::Client;
use crate::protocol::{CacheRequest, Event};
use crate::sync::{self, Summary, SyncOptions};

/// The share of HubSpot's rate budget a background sync may spend.
pub const BUDGET_FRACTION: f64 = 0.1;

/// What the live task needs.
pub struct Settings {
    /// This portal's cache, opened (see `cache_cmd::cache_path`).
    pub cache: Cache,
    /// The notice of a rebuilt cache file, shown once in the status bar.
    pub notice: Option<String>,
    /// Time between the end of one sync and the start of the next.
    pub interval: Duration,
    /// Properties to cache besides the engine's own (the views' columns and sorts).
    pub properties: Vec<String>,
    /// The warm start: the first view's pipeline (`None`: every pipeline), whose cached rows
    /// are sent before the first sync; `None` sends none.
    pub warm: Option<Option<String>>,
}

/// At most this many cached rows make the warm start's screen (a first page's worth).
pub const WARM_ROWS: usize = 100;

/// The running task and the cache's reader; dropping it stops both (the task at its next
/// await, the reader once its request at hand is answered).
pub struct Handle {
    /// Dropped with the handle: the task's thread sees it and ends.
    _stop: tokio::sync::oneshot::Sender<()>,
    reader: Option<std::sync::mpsc::Sender<CacheRequest>>,
}

impl Handle {
    /// Hands a request to the cache's reader; its answer comes as an event.
    pub fn read(&self, request: CacheRequest) {
        if let Some(reader) = &self.reader
            && reader.send(request).is_err()
        {
            tracing::warn!("the cache reader stopped");
        }
    }
}

/// Starts the task: a sync at once, then one every `interval` after the last one ended; and
/// the cache's reader. The task runs on a thread of its own (with a single-threaded
/// runtime), so the sync's SQLite writes never block a thread of the TUI's runtime.
pub fn spawn(client: Client, settings: Settings, events: mpsc::Sender<Event>) -> Handle {
    let reader = spawn_reader(settings.cache.path().to_path_buf(), events.clone());
    let (stop, stopped) = tokio::sync::oneshot::channel();
    crate::sync::spawn_thread("hubtix-live", move |runtime| {
        runtime.block_on(run(client, settings, events, stopped));
    });
    Handle {
        _stop: stop,
        reader,
    }
}

/// The cache's reader: a thread owning a second connection to the cache file, answering
/// requests one after the other until the handle is dropped (`None`: no thread).
fn spawn_reader(
    path: std::path::PathBuf,
    events: mpsc::Sender<Event>,
) -> Option<std::sync::mpsc::Sender<CacheRequest>> {
    let (tx, rx) = std::sync::mpsc::channel::<CacheRequest>();
    let spawned = std::thread::Builder::new()
        .name("hubtix-cache-reader".into())
        .spawn(move || {
            // Opened at the first request, without the page scan: the live task runs that
            // (hundreds of milliseconds at 100,000 tickets) once, after the first rows.
            let mut cache: Option<Cache> = None;
            while let Ok(request) = rx.recv() {
                if cache.is_none() {
                    match Cache::open_quick(&path) {
                        Ok(opened) => cache = Some(opened.cache),
                        Err(e) => tracing::warn!("cache reader: {e}"),
                    }
                }
                let Some(open) = &cache else { continue };
                if events.blocking_send(answer(open, request)).is_err() {
                    return;
                }
            }
        });
    match spawned {
        Ok(_) => Some(tx),
        Err(e) => {
            tracing::warn!("cache reader: {e}");
            None
        }
    }
}

/// One request's answer (a read that fails is logged and answered with no rows: `/` then
/// matches the loaded rows only). Public for the benchmark, which answers as the reader does.
pub fn answer(cache: &Cache, request: CacheRequest) -> Event {
    match request {
        CacheRequest::Queue {
            req,
            pipeline,
            properties,
            build,
        } => {
            let mut sink = build.sink();
            let read = cache.each_queued(pipeline.as_deref(), &properties, &mut |t| sink.push(&t));
            if let Err(e) = read {
                tracing::warn!("cache reader: {e}");
                sink = build.sink();
            }
            let as_of_ms = cache.sync_state().ok().and_then(|s| s.last_sync_ms);
            Event::CachedQueue {
                req,
                index: sink.finish(),
                as_of_ms,
            }
        }
        CacheRequest::Rows {
            req,
            ids,
            properties,
        } => {
            let tickets = cache.queue_rows(&ids, &properties).unwrap_or_else(|e| {
                tracing::warn!("cache reader: {e}");
                Vec::new()
            });
            Event::QueueRows { req, tickets }
        }
    }
}

async fn run(
    client: Client,
    settings: Settings,
    events: mpsc::Sender<Event>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let Settings {
        mut cache,
        notice,
        interval,
        properties,
        warm,
    } = settings;
    if let Some(n) = notice
        && events.send(Event::CacheNotice(n)).await.is_err()
    {
        return;
    }
    if let Some(event) = warm.and_then(|pipeline| warm_rows(&cache, pipeline.as_deref()))
        && events.send(event).await.is_err()
    {
        return;
    }
    // The start opened the cache without reading every page (`Cache::open_quick`); that
    // check runs now, after the first rows, and a damaged file is rebuilt with the notice.
    if let Err(why) = cache.pages_ok() {
        tracing::warn!("the cache is damaged: {why}");
        let path = cache.path().to_path_buf();
        drop(cache);
        cache = match Cache::open(&path) {
            Ok(opened) => {
                if let Some(n) = opened.notice
                    && events.send(Event::CacheNotice(n)).await.is_err()
                {
                    return;
                }
                opened.cache
            }
            Err(e) => {
                tracing::warn!("no live queue: {e}");
                return;
            }
        };
    }
    let options = SyncOptions {
        properties,
        budget_fraction: BUDGET_FRACTION,
        ..SyncOptions::default()
    };
    let started_ms = jiff::Timestamp::now().as_millisecond();
    loop {
        let mut quiet = |_: &sync::Progress| {};
        let synced = tokio::select! {
            _ = &mut stop => return,
            r = sync::sync(&client, &mut cache, &options, &mut quiet) => r,
        };
        match synced {
            Ok(summary) => {
                if let Some(event) = changes(&cache, &summary, started_ms - SKEW_MS)
                    && events.send(event).await.is_err()
                {
                    return;
                }
            }
            Err(e) => tracing::warn!("background sync: {e}"),
        }
        tokio::select! {
            _ = &mut stop => return,
            () = tokio::time::sleep(interval) => {}
        }
    }
}

/// The cached rows of `pipeline`, newest change first, when a sync has completed once.
fn warm_rows(cache: &Cache, pipeline: Option<&str>) -> Option<Event> {
    let as_of_ms = cache.sync_state().ok()?.last_sync_ms?;
    let tickets = match cache.newest_in_pipeline(pipeline, WARM_ROWS) {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!("warm start: {e}");
            return None;
        }
    };
    (!tickets.is_empty()).then_some(Event::CachedRows { tickets, as_of_ms })
}

/// How long before the task started a first sync's tickets count as changed (search and
/// list answers lag writes by moments, API-NOTES §9).
const SKEW_MS: i64 = 60_000;

/// At most this many tickets of a first sync are reported as changed.
const FIRST_SYNC_CHANGES: usize = 1_000;

/// The event for what a sync changed, read back from the cache; `None` when nothing did. A
/// first sync fills the cache with the whole portal, which the list read from HubSpot at the
/// same time: only the tickets changed since `since_ms` (the task's start less a skew) are
/// news, the ones that may have changed after the list read them.
fn changes(cache: &Cache, summary: &Summary, since_ms: i64) -> Option<Event> {
    let ids: Vec<String> = if summary.first_sync {
        match cache.ids_modified_between(since_ms, i64::MAX, FIRST_SYNC_CHANGES) {
            Ok(mut ids) => {
                ids.truncate(FIRST_SYNC_CHANGES);
                ids
            }
            Err(e) => {
                tracing::warn!("background sync: reading the changes back: {e}");
                return None;
            }
        }
    } else {
        summary.changed_ids.iter().cloned().collect()
    };
    if ids.is_empty() {
        return None;
    }
    let tickets = match cache.tickets_by_id(&ids) {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!("background sync: reading the changes back: {e}");
            return None;
        }
    };
    if summary.first_sync {
        // Nothing is removed by a first sync as far as the list knows.
        return Some(Event::LiveChanged {
            tickets,
            removed: Vec::new(),
        });
    }
    let present: std::collections::HashSet<&str> = tickets.iter().map(|t| t.id.as_str()).collect();
    let removed = ids
        .iter()
        .filter(|id| !present.contains(id.as_str()))
        .cloned()
        .collect();
    Some(Event::LiveChanged { tickets, removed })
}
