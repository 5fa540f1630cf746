//! Rate limiting like HubSpot's for a private app: the `TEN_SECONDLY_ROLLING` burst window,
//! the daily limit and the search endpoints' 5 requests per second, each answered with
//! HubSpot's 429 body (API-NOTES §6.2). On by default ([`RateLimit::PRIVATE_APP`]); off only
//! when configured off (benchmarks). The sandbox accepts one token, so "per app" and "per
//! account" are both global.
//!
//! Windows are measured on tokio's clock (the real one outside tests), so a test on tokio's
//! paused clock can roll a window without waiting for it. The day is the wall clock's UTC day
//! (the sandbox portal's time zone), as HubSpot resets the daily limit at the portal's
//! midnight.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A private app's limits: `max` requests per rolling `window` (HubSpot's
/// `TEN_SECONDLY_ROLLING`) and `daily` requests per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
    pub daily: u64,
}

impl RateLimit {
    /// A private app (or service key) on a Professional or Enterprise portal: 190 per 10 s;
    /// the daily limit is Enterprise's 1,000,000 (Professional: 625,000) [D-usage].
    pub const PRIVATE_APP: RateLimit = RateLimit {
        max: 190,
        window: Duration::from_secs(10),
        daily: 1_000_000,
    };
}

/// Values advertised when limits are off (generous; never enforced).
pub const UNLIMITED_MAX: u32 = 10_000;
const UNLIMITED_DAILY: u64 = 1_000_000;
/// CRM search: 5 requests per second per account [D-search].
const SEARCH_PER_SECOND: usize = 5;
const DAY_MS: i64 = 86_400_000;

/// Which limit refused a request (its `policyName` and message in the 429 body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    TenSecondly,
    Daily,
    Secondly,
}

#[derive(Debug)]
pub struct Limiter {
    config: Option<RateLimit>,
    inner: Mutex<Windows>,
}

#[derive(Debug, Default)]
struct Windows {
    burst: VecDeque<Instant>,
    search: VecDeque<Instant>,
    /// The UTC day (days since the epoch) `daily` counts.
    day: i64,
    daily: u64,
}

impl Windows {
    /// Starts a new count at the first request of a new day.
    fn roll_day(&mut self, today: i64) {
        if self.day != today {
            self.day = today;
            self.daily = 0;
        }
    }
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

fn today() -> i64 {
    super::store::now_ms().div_euclid(DAY_MS)
}

impl Limiter {
    /// `None`: limits off (headers still advertised, nothing refused).
    pub fn new(config: Option<RateLimit>) -> Limiter {
        Limiter {
            config,
            inner: Mutex::new(Windows::default()),
        }
    }

    fn limits(&self) -> RateLimit {
        self.config.unwrap_or(RateLimit {
            max: UNLIMITED_MAX,
            window: Duration::from_secs(10),
            daily: UNLIMITED_DAILY,
        })
    }

    /// Counts a non-search request. `Err` names the limit and carries the headers for the
    /// 429 answer. `exempt` requests (v4 association batch ops) are not counted against the
    /// burst window [S], only against the day.
    pub fn check(&self, exempt: bool) -> Result<Headers, (Policy, Headers)> {
        let l = self.limits();
        let enforced = self.config.is_some();
        let now = Instant::now();
        let mut w = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        w.roll_day(today());
        prune(&mut w.burst, now, l.window);
        let used = u32::try_from(w.burst.len()).unwrap_or(u32::MAX);
        let refused = if enforced && w.daily >= l.daily {
            Some(Policy::Daily)
        } else if enforced && !exempt && used >= l.max {
            Some(Policy::TenSecondly)
        } else {
            None
        };
        if refused.is_none() {
            if !exempt {
                w.burst.push_back(now);
            }
            w.daily += 1;
        }
        let used = u32::try_from(w.burst.len()).unwrap_or(u32::MAX);
        let h = Headers {
            max: l.max,
            remaining: l.max.saturating_sub(used),
            interval_ms: l.window.as_millis(),
            daily: l.daily,
            daily_remaining: l.daily.saturating_sub(w.daily),
        };
        match refused {
            Some(p) => Err((p, h)),
            None => Ok(h),
        }
    }

    /// Counts a search request against the 5 per rolling second and the day. Whether
    /// searches count against the daily limit is UNCONFIRMED (HubSpot says the daily limit
    /// covers the account's API calls; the sandbox counts them).
    pub fn check_search(&self) -> Result<(), Policy> {
        let Some(l) = self.config else {
            return Ok(());
        };
        let now = Instant::now();
        let mut w = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        w.roll_day(today());
        if w.daily >= l.daily {
            return Err(Policy::Daily);
        }
        prune(&mut w.search, now, Duration::from_secs(1));
        if w.search.len() >= SEARCH_PER_SECOND {
            return Err(Policy::Secondly);
        }
        w.search.push_back(now);
        w.daily += 1;
        Ok(())
    }
}
