//! The sync engine: keeps a portal's [`Cache`] equal to HubSpot's tickets.
//!
//! Owns: the order of requests (first sync, changes, removals), pacing them to a share of the
//! rate budget, mapping answers to domain tickets (through `mapping`) and writing them with
//! the cursor that follows, progress reports. Must not: know the UI or the app, print, or
//! hold the cache beyond one call (the caller owns it).
//!
//! One [`sync`] call does, in order:
//! 1. **First sync**, when the cache has never completed one (or a sync asks for a property
//!    the cached rows lack): `GET /crm/v3/objects/tickets?limit=100&properties=…` page after
//!    page. Each page is written with its `after` cursor in one transaction, so a sync killed
//!    at any point resumes at the next page. One search (`limit=1`) first gives the total for
//!    the progress bar's ETA.
//! 2. **Changes**: `POST …/tickets/search` for `hs_lastmodifieddate` after the watermark (the
//!    highest seen), sorted ascending, 200 a page, and again the changes at or before it that
//!    may not have been searchable when the last change search ran (search indexing lags
//!    writes, API-NOTES §9): those within a skew before that search's time (HubSpot's clock,
//!    its `Date` header; before the watermark when unknown). When the watermark is older
//!    than that, there is no such edge, however many tickets share its timestamp. Otherwise
//!    the edge's tickets already cached with that very timestamp are excluded by ID
//!    (`NOT_IN`, a second OR-group) so that an unchanged edge costs nothing: 1,000 changes
//!    cost exactly 5 pages. Past the 10,000-result cap the window starts again at the
//!    last timestamp seen (`GTE`: tickets of that millisecond come again, harmlessly); if one
//!    millisecond alone holds 10,000 tickets it is walked by `hs_object_id`. A ticket that
//!    changes again while the pages are read moves to the end of the order and shifts those
//!    after it: seeing it twice, or a total that drops between pages, rewinds to where a
//!    ticket may have been skipped.
//! 3. **Removals** (archived, merged, deleted elsewhere: none of these appear in search and
//!    archiving does not bump `hs_lastmodifieddate`, API-NOTES §7): one search counts the live
//!    tickets created up to the newest cached `createdate`; when it equals the cache's count
//!    nothing was removed (1 request). Otherwise ID ranges are bisected, each range one search
//!    (200 IDs sorted by `hs_object_id` with their total), comparing with the cache's IDs in
//!    that range, so `d` removals cost about `1 + d·log2(n/200)` searches; a range small
//!    enough is compared ID by ID, which also fetches a live ticket the cache lacks. This
//!    finds archived, merged-away and hard-deleted tickets alike. Listing `archived=true`
//!    instead would cost the whole recycle bin (up to 90 days of archives) every sync, since
//!    it can be neither filtered nor sorted by archive time, and would miss merges and GDPR
//!    deletions. IDs in a survivor's `hs_merged_object_ids` are removed as soon as the
//!    survivor is seen, for free.
//!
//! Requests per incremental sync: `ceil(changed / 200)` searches + 1 count, plus the
//! bisection only when something disappeared.
//!
//! Pacing: `budget_fraction` (0 < f ≤ 1) of the rate limit. List requests are spaced
//! `interval / (max · f)` apart (HubSpot's `X-HubSpot-RateLimit-Max` / `-Interval-Milliseconds`
//! as the client last saw them, 2 % under), a steady pace that beats bursting into the
//! rolling window and then waiting it out; searches `1.1 s / (5 · f)`. The client's own pacer
//! and retries stay underneath: a 429 is retried there, never returned.
//!
//! For the TUI: run [`sync`] in a task with `budget_fraction: 0.1` every refresh interval;
//! [`Progress`] comes through the callback, [`Summary`] at the end (its `changed_ids` say
//! which rows to refresh in place); then re-read the cache.

mod changes;
mod first;
mod pace;
mod removals;

use std::collections::BTreeSet;
use std::time::Duration;

use crate::cache::{Applied, Cache, CacheError, Stats, SyncState};
use crate::hubspot::{ApiError, Client};

pub use pace::Pacing;

/// Properties every cache holds, whatever the views show: what sync itself reads and what
/// the list always needs.
pub const BASE_PROPERTIES: [&str; 11] = [
    "subject",
    "hs_pipeline",
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "hubspot_owner_id",
    "hs_lastmodifieddate",
    "createdate",
    "hs_ticket_category",
    "hs_pinned_engagement_id",
    "hs_merged_object_ids",
    "content",
];

/// Catalogue entries the sync stores (the wire JSON of `GET /crm/v3/pipelines/tickets`,
/// `/crm/v3/owners`, `/crm/v3/properties/tickets`), for labels when offline.
pub const PIPELINES: &str = "pipelines";
pub const OWNERS: &str = "owners";
pub const PROPERTIES: &str = "properties";

/// What to sync and how fast.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Properties to cache besides [`BASE_PROPERTIES`] (the views' columns and sorts).
    pub properties: Vec<String>,
    /// Share of the rate budget to spend, in `(0, 1]`.
    pub budget_fraction: f64,
    /// How far before the watermark the change search starts.
    pub skew: Duration,
    /// Pages to read before stopping with [`SyncError::Stopped`] (tests of resuming; `None`:
    /// all).
    pub max_pages: Option<u64>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            properties: Vec::new(),
            budget_fraction: 1.0,
            // UNCONFIRMED: HubSpot says only that search results lag writes by "a few
            // moments" (API-NOTES §9); a minute is well past that.
            skew: Duration::from_secs(60),
            max_pages: None,
        }
    }
}

/// Which step is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    FirstSync,
    Changes,
    Removals,
}

/// Where a sync stands, after each request.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    pub phase: Phase,
    /// Pages (requests) done in this call.
    pub pages: u64,
    /// Tickets received in this call.
    pub tickets: u64,
    /// Tickets expected in this phase, when known (the first sync's total).
    pub total: Option<u64>,
    /// Tickets already cached when this phase began (a resumed first sync).
    pub done_before: u64,
    /// Estimated time left in this phase.
    pub eta: Option<Duration>,
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub added: u64,
    pub changed: u64,
    pub removed: u64,
    /// HTTP requests this call made (retries inside the client not counted).
    pub requests: u64,
    pub elapsed: Duration,
    /// Whether a first sync ran (or resumed).
    pub first_sync: bool,
    /// IDs added, changed or removed, for the TUI to refresh in place.
    pub changed_ids: BTreeSet<String>,
    /// The cache afterwards.
    pub stats: Stats,
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// [`SyncOptions::max_pages`] was reached; what was read is kept and the next sync
    /// resumes.
    #[error("stopped after {0} pages")]
    Stopped(u64),
}

/// The state one call carries through its steps.
pub(crate) struct Run<'a> {
    pub client: &'a Client,
    pub cache: &'a mut Cache,
    pub properties: Vec<String>,
    pub options: &'a SyncOptions,
    pub pacing: Pacing,
    pub progress: &'a mut (dyn FnMut(&Progress) + Send),
    pub requests: u64,
    pub tickets: u64,
    pub applied: Applied,
    pub changed_ids: BTreeSet<String>,
    pub started: tokio::time::Instant,
}

impl Run<'_> {
    /// Counts a request against the page limit; `Err(Stopped)` once it is reached.
    pub fn count_request(&mut self) -> Result<(), SyncError> {
        if let Some(max) = self.options.max_pages
            && self.requests >= max
        {
            return Err(SyncError::Stopped(self.requests));
        }
        self.requests += 1;
        Ok(())
    }

    /// Adds what one write did to the totals.
    pub fn add(&mut self, a: Applied, ids: impl IntoIterator<Item = String>) {
        self.applied.added += a.added;
        self.applied.changed += a.changed;
        self.applied.removed += a.removed;
        if a.added + a.changed + a.removed > 0 {
            self.changed_ids.extend(ids);
        }
    }

    pub fn report(&mut self, phase: Phase, total: Option<u64>, done_before: u64) {
        let elapsed = self.started.elapsed();
        let eta = total.filter(|_| self.tickets > 0).map(|t| {
            let done = self.tickets;
            let left = t.saturating_sub(done_before + self.tickets);
            let per = elapsed.as_secs_f64() / done as f64;
            Duration::from_secs_f64(per * left as f64)
        });
        let p = Progress {
            phase,
            pages: self.requests,
            tickets: self.tickets,
            total,
            done_before,
            eta,
        };
        (self.progress)(&p);
    }
}

/// The properties to cache: the base ones, the asked ones and those already cached, sorted.
fn wanted(options: &SyncOptions, state: &SyncState) -> Vec<String> {
    let mut all: BTreeSet<String> = BASE_PROPERTIES.iter().map(|s| (*s).to_owned()).collect();
    all.extend(options.properties.iter().cloned());
    all.extend(state.properties.iter().cloned());
    all.remove("hs_object_id");
    all.into_iter().collect()
}

/// Runs `task` on a thread of its own, on a single-threaded runtime, and waits for its
/// output: the cache's SQLite calls inside it block that thread, never a thread of the
/// caller's runtime (where the keys, the API worker and the progress bar run). `None` if
/// the thread could not start or its task panicked.
pub async fn on_own_thread<T, F>(name: &str, task: impl FnOnce() -> F + Send + 'static) -> Option<T>
where
    F: std::future::Future<Output = T>,
    T: Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    spawn_thread(name, move |runtime| {
        let _ = tx.send(runtime.block_on(task()));
    })?;
    rx.await.ok()
}

/// Starts `body` on a new thread with a single-threaded runtime of its own (`None`, logged:
/// the thread or its runtime could not start).
pub fn spawn_thread(
    name: &str,
    body: impl FnOnce(&tokio::runtime::Runtime) + Send + 'static,
) -> Option<std::thread::JoinHandle<()>> {
    let spawned = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => body(&runtime),
                Err(e) => tracing::warn!("no runtime for the cache's thread: {e}"),
            }
        });
    spawned
        .map_err(|e| tracing::warn!("cannot start the cache's thread: {e}"))
        .ok()
}

/// Brings the cache up to date: the first sync if needed (or its resumption), then changes,
/// then removals. See the module docs for the requests each step costs.
pub async fn sync(
    client: &Client,
    cache: &mut Cache,
    options: &SyncOptions,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<Summary, SyncError> {
    let mut state = cache.sync_state()?;
    let properties = wanted(options, &state);
    if state.first_sync_done && properties != state.properties {
        // The cached rows lack a property now asked for: list everything again.
        cache.reset_tickets()?;
        state = SyncState::default();
    }
    state.properties = properties.clone();
    let mut run = Run {
        client,
        cache,
        properties,
        options,
        pacing: Pacing::new(options.budget_fraction),
        progress,
        requests: 0,
        tickets: 0,
        applied: Applied::default(),
        changed_ids: BTreeSet::new(),
        started: tokio::time::Instant::now(),
    };
    let first_sync = !state.first_sync_done;
    if first_sync {
        first::catalogue(&mut run).await?;
        state = first::run(&mut run, state).await?;
    }
    state = changes::run(&mut run, state).await?;
    removals::run(&mut run).await?;
    state.last_sync_ms = Some(jiff::Timestamp::now().as_millisecond());
    run.cache.put_sync_state(&state)?;
    Ok(Summary {
        added: run.applied.added,
        changed: run.applied.changed,
        removed: run.applied.removed,
        requests: run.requests,
        elapsed: run.started.elapsed(),
        first_sync,
        changed_ids: run.changed_ids,
        stats: run.cache.stats()?,
    })
}
