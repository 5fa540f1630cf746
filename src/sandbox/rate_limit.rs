//! Rolling-window rate limiting like HubSpot's TEN_SECONDLY_ROLLING and the search
//! endpoints' 5 requests/second. The sandbox accepts one token, so "per token" is global.
//!
//! Windows are measured on tokio's clock (the real one outside tests), so a test on tokio's
//! paused clock can roll a window without waiting for it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A per-window request budget like HubSpot's `TEN_SECONDLY_ROLLING`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

/// Values advertised when no limit is configured (generous; never enforced).
pub const UNLIMITED_MAX: u32 = 10_000;
pub const DAILY: u64 = 1_000_000;
const SEARCH_PER_SECOND: usize = 5;

#[derive(Debug)]
pub struct Limiter {
    config: Option<RateLimit>,
    inner: Mutex<Windows>,
}

#[derive(Debug, Default)]
struct Windows {
    burst: VecDeque<Instant>,
    search: VecDeque<Instant>,
    daily: u64,
}

pub struct Headers {
    pub max: u32,
    pub remaining: u32,
    pub interval_ms: u128,
    pub daily: u64,
    pub daily_remaining: u64,
}

fn prune(q: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
        q.pop_front();
    }
}

impl Limiter {
    pub fn new(config: Option<RateLimit>) -> Limiter {
        Limiter {
            config,
            inner: Mutex::new(Windows::default()),
        }
    }

    fn limits(&self) -> (u32, Duration) {
        match self.config {
            Some(c) => (c.max, c.window),
            None => (UNLIMITED_MAX, Duration::from_secs(10)),
        }
    }

    /// Counts a non-search request. `Err` carries the headers for the 429 answer.
    /// `exempt` requests (v4 association batch ops) are not counted against the burst window.
    pub fn check(&self, exempt: bool) -> Result<Headers, Headers> {
        let (max, window) = self.limits();
        let now = Instant::now();
        let mut w = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        prune(&mut w.burst, now, window);
        let used = u32::try_from(w.burst.len()).unwrap_or(u32::MAX);
        let over = self.config.is_some() && !exempt && used >= max;
        if !over {
            if !exempt {
                w.burst.push_back(now);
            }
            w.daily += 1;
        }
        let used = u32::try_from(w.burst.len()).unwrap_or(u32::MAX);
        let h = Headers {
            max,
            remaining: max.saturating_sub(used),
            interval_ms: window.as_millis(),
            daily: DAILY,
            daily_remaining: DAILY.saturating_sub(w.daily),
        };
        if over { Err(h) } else { Ok(h) }
    }

    /// Counts a search request; `false` when over 5 per rolling second (only when a rate
    /// limit is configured).
    pub fn check_search(&self) -> bool {
        if self.config.is_none() {
            return true;
        }
        let now = Instant::now();
        let mut w = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        prune(&mut w.search, now, Duration::from_secs(1));
        if w.search.len() >= SEARCH_PER_SECOND {
            return false;
        }
        w.search.push_back(now);
        w.daily += 1;
        true
    }
}
