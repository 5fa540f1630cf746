//! The live queue's background task: owns this portal's [`Cache`] in the TUI and runs an
//! incremental [`sync`](crate::sync::sync) every refresh interval, telling the app what
//! changed through the protocol ([`Event::LiveChanged`], [`Event::CacheNotice`]).
//!
//! Owns: the cache while the TUI runs (one task holds it: `Cache` is not `Sync`), the timing
//! of syncs, turning a sync's [`Summary`](crate::sync::Summary) into an event. Must not: know
//! the app or the UI (it speaks `protocol`, as the worker does), or show a failure to the
//! user: a sync that fails is logged and tried again at the next interval (the client's
//! pacer already absorbs 429s; the engine spends a tenth of the rate budget, so the user's
//! own requests keep the rest).

use std::time::Duration;

use tokio::sync::mpsc;

use crate::cache::Cache;
use crate::hubspot::Client;
use crate::protocol::Event;
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

/// The running task; dropping it stops the task (at its next await).
pub struct Handle(tokio::task::JoinHandle<()>);

impl Drop for Handle {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the task: a sync at once, then one every `interval` after the last one ended.
pub fn spawn(client: Client, settings: Settings, events: mpsc::Sender<Event>) -> Handle {
    Handle(tokio::spawn(run(client, settings, events)))
}

async fn run(client: Client, settings: Settings, events: mpsc::Sender<Event>) {
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
    let options = SyncOptions {
        properties,
        budget_fraction: BUDGET_FRACTION,
        ..SyncOptions::default()
    };
    let started_ms = jiff::Timestamp::now().as_millisecond();
    loop {
        match sync::sync(&client, &mut cache, &options, &mut |_| {}).await {
            Ok(summary) => {
                if let Some(event) = changes(&cache, &summary, started_ms - SKEW_MS)
                    && events.send(event).await.is_err()
                {
                    return;
                }
            }
            Err(e) => tracing::warn!("background sync: {e}"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// The cached rows of `pipeline`, newest change first, when a sync has completed once.
fn warm_rows(cache: &Cache, pipeline: Option<&str>) -> Option<Event> {
    let as_of_ms = cache.sync_state().ok()?.last_sync_ms?;
    let mut tickets = match cache.tickets_in_pipeline(pipeline) {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!("warm start: {e}");
            return None;
        }
    };
    tickets.truncate(WARM_ROWS);
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
