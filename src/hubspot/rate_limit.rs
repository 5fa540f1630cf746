//! HubSpot rate-limit bookkeeping: parses the `X-HubSpot-RateLimit-*` headers into
//! [`Headroom`] and paces requests (API-NOTES §6.2).
//!
//! Owns: header parsing, the "hold everything until the window passes" gate for non-search
//! requests, and spacing of search requests to HubSpot's 5 requests/second. Must not: decide
//! retries (see `retry.rs`), do HTTP, or know about the UI.

use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// HubSpot's burst window when no `Interval-Milliseconds` header says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

/// HubSpot's documented CRM-search limit (API-NOTES §9: 5 requests/second per account).
pub const SEARCH_REQUESTS_PER_SECOND: u32 = 5;

/// What the last rate-limited response said about the remaining budget. Search responses
/// carry no such headers (API-NOTES §6.2), so they never update it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headroom {
    /// `X-HubSpot-RateLimit-Remaining`: requests left in the current burst window.
    pub remaining: Option<u32>,
    /// `X-HubSpot-RateLimit-Max`: burst budget per window.
    pub max: Option<u32>,
    /// `X-HubSpot-RateLimit-Interval-Milliseconds`: window length.
    pub interval: Option<Duration>,
    /// `X-HubSpot-RateLimit-Daily` (absent for OAuth-authorised calls).
    pub daily: Option<u64>,
    /// `X-HubSpot-RateLimit-Daily-Remaining` (absent for OAuth-authorised calls).
    pub daily_remaining: Option<u64>,
    /// When the response carrying these headers arrived.
    pub updated_at: jiff::Timestamp,
}

/// Reads the rate-limit headers; `None` when none of them is present.
pub fn parse_headers(headers: &HeaderMap, now: jiff::Timestamp) -> Option<Headroom> {
    fn num<T: std::str::FromStr>(headers: &HeaderMap, name: &str) -> Option<T> {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|s| s.trim().parse().ok())
    }
    let h = Headroom {
        remaining: num(headers, "x-hubspot-ratelimit-remaining"),
        max: num(headers, "x-hubspot-ratelimit-max"),
        interval: num::<u64>(headers, "x-hubspot-ratelimit-interval-milliseconds")
            .map(Duration::from_millis),
        daily: num(headers, "x-hubspot-ratelimit-daily"),
        daily_remaining: num(headers, "x-hubspot-ratelimit-daily-remaining"),
        updated_at: now,
    };
    let any = h.remaining.is_some()
        || h.max.is_some()
        || h.interval.is_some()
        || h.daily.is_some()
        || h.daily_remaining.is_some();
    any.then_some(h)
}

/// Reads `Retry-After` as seconds. HubSpot documents it only for 477; whether it comes with
/// 429 is UNCONFIRMED (API-NOTES §6.2), so it is honoured when present. HTTP-date values are
/// ignored.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Shared pacing state for one client (all clones, all tasks).
#[derive(Debug)]
pub(crate) struct Pacer {
    state: Mutex<PacerState>,
    search_spacing: Duration,
    cap: Duration,
}

#[derive(Debug)]
struct PacerState {
    /// Non-search requests wait until this instant (burst budget used up, or a 429).
    blocked_until: Option<Instant>,
    /// Earliest instant the next search may start.
    next_search: Instant,
    /// Local estimate of requests left in the burst window: the last `Remaining` header,
    /// minus requests sent since. Without it, many concurrent tasks would all fire into an
    /// exhausted window and collect a 429 each (HubSpot asks to keep errors under 5 %).
    budget: Option<u32>,
    /// Last known `Max` (the budget after a full window has passed).
    max: Option<u32>,
    /// Window length to hold for (last `Interval-Milliseconds`, capped).
    window: Duration,
}

impl Pacer {
    /// `search_per_second` of 0 disables search spacing; no hold lasts longer than `cap`.
    pub(crate) fn new(search_per_second: u32, cap: Duration) -> Self {
        let search_spacing = if search_per_second == 0 {
            Duration::ZERO
        } else {
            // 10 % headroom: spaced at exactly the limit, arrival jitter (the first request
            // also opens the connection) lands the (n+1)-th inside the same rolling second.
            Duration::from_millis(1100) / search_per_second
        };
        Self {
            state: Mutex::new(PacerState {
                blocked_until: None,
                next_search: Instant::now(),
                budget: None,
                max: None,
                window: DEFAULT_INTERVAL.min(cap),
            }),
            search_spacing,
            cap,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PacerState> {
        // A poisoned lock only means another task panicked mid-update of two instants;
        // the data is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until a non-search request may go out, and takes one unit of the budget.
    /// Returns how long it waited (zero when it went straight through).
    pub(crate) async fn wait_general(&self) -> Duration {
        let mut waited = Duration::ZERO;
        loop {
            let until = {
                let mut s = self.lock();
                let now = Instant::now();
                match (s.blocked_until, s.budget) {
                    (Some(t), _) if t > now => t,
                    (_, Some(0)) => {
                        // Spent locally: hold one window (rolling, so its end is unknown),
                        // after which the whole budget is free again.
                        let t = now + s.window;
                        s.blocked_until = Some(t);
                        s.budget = s.max;
                        t
                    }
                    (_, budget) => {
                        s.budget = budget.map(|b| b - 1);
                        return waited;
                    }
                }
            };
            let before = Instant::now();
            tokio::time::sleep_until(until).await;
            waited += before.elapsed();
        }
    }

    /// Waits for this search's slot: searches are spaced `1 s / search_per_second` apart.
    /// Search is exempt from the burst window, so it ignores `blocked_until`.
    pub(crate) async fn wait_search(&self) {
        let slot = {
            let mut s = self.lock();
            let now = Instant::now();
            let slot = s.next_search.max(now);
            s.next_search = slot + self.search_spacing;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// Holds non-search requests for `wait` from now (never shortens an existing hold).
    pub(crate) fn block_general(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.lock();
        s.blocked_until = Some(s.blocked_until.map_or(until, |t| t.max(until)));
    }

    /// Pushes the next search slot out by `wait` (after a "secondly limit" 429).
    pub(crate) fn block_search(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut s = self.lock();
        s.next_search = s.next_search.max(until);
    }

    /// Reacts to fresh headers: adopts `Remaining` as the budget; when it is 0, holds
    /// non-search requests for one window, at most `cap`.
    pub(crate) fn observe(&self, h: &Headroom) {
        let mut s = self.lock();
        if let Some(interval) = h.interval {
            s.window = interval.min(self.cap);
        }
        if h.max.is_some() {
            s.max = h.max;
        }
        if let Some(remaining) = h.remaining {
            s.budget = Some(remaining);
            if remaining == 0 {
                let until = Instant::now() + s.window;
                s.blocked_until = Some(s.blocked_until.map_or(until, |t| t.max(until)));
                s.budget = s.max;
            }
        }
    }

    /// Remaining hold on non-search requests.
    pub(crate) fn general_hold(&self) -> Option<Duration> {
        let until = self.lock().blocked_until?;
        let now = Instant::now();
        (until > now).then(|| until - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn parses_rate_limit_headers() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let h = headers(&[
            ("X-HubSpot-RateLimit-Max", "190"),
            ("X-HubSpot-RateLimit-Remaining", "189"),
            ("X-HubSpot-RateLimit-Interval-Milliseconds", "10000"),
            ("X-HubSpot-RateLimit-Daily", "625000"),
            ("X-HubSpot-RateLimit-Daily-Remaining", "624999"),
            ("X-HubSpot-RateLimit-Secondly", "19"),
        ]);
        let r = parse_headers(&h, now).expect("headroom");
        assert_eq!(
            r,
            Headroom {
                remaining: Some(189),
                max: Some(190),
                interval: Some(Duration::from_secs(10)),
                daily: Some(625_000),
                daily_remaining: Some(624_999),
                updated_at: now,
            }
        );
    }

    #[test]
    fn oauth_and_search_headers() {
        let now = jiff::Timestamp::UNIX_EPOCH;
        // OAuth: no daily headers.
        let r = parse_headers(
            &headers(&[
                ("x-hubspot-ratelimit-max", "110"),
                ("x-hubspot-ratelimit-remaining", "0"),
            ]),
            now,
        )
        .expect("headroom");
        assert_eq!(r.daily_remaining, None);
        assert_eq!(r.remaining, Some(0));
        // Search: none at all.
        assert_eq!(parse_headers(&headers(&[("content-type", "x")]), now), None);
        // Garbage is ignored, not fatal.
        assert_eq!(
            parse_headers(&headers(&[("x-hubspot-ratelimit-max", "lots")]), now),
            None
        );
    }

    #[test]
    fn parses_retry_after_seconds_only() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")])),
            Some(Duration::from_secs(3))
        );
        assert_eq!(
            retry_after(&headers(&[(
                "retry-after",
                "Wed, 21 Oct 2015 07:28:00 GMT"
            )])),
            None
        );
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    // On tokio's paused clock: time moves only when every task waits, straight to the next
    // deadline, so what is asserted is when each request was let through, exactly.

    fn exhausted(remaining: u32, max: u32) -> Headroom {
        Headroom {
            remaining: Some(remaining),
            max: Some(max),
            interval: Some(Duration::from_secs(10)),
            daily: None,
            daily_remaining: None,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn searches_are_spaced() {
        // 5 a second, with 10 % headroom: one every 220 ms.
        let p = Pacer::new(5, Duration::from_secs(1));
        let start = Instant::now();
        let mut slots = Vec::new();
        for _ in 0..6 {
            p.wait_search().await;
            slots.push(Instant::now() - start);
        }
        let spacing = Duration::from_millis(220);
        let expected: Vec<Duration> = (0..6).map(|n| spacing * n).collect();
        assert_eq!(slots, expected, "the first at once, then one per spacing");
        // A secondly 429 pushes the next slot out; a shorter push never pulls it in.
        p.block_search(Duration::from_secs(1));
        p.block_search(Duration::from_millis(10));
        let before = Instant::now();
        p.wait_search().await;
        assert_eq!(Instant::now() - before, Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn exhausted_budget_holds_general_requests_until_the_window_frees() {
        // The cap shortens the 10 s window.
        let p = Pacer::new(5, Duration::from_secs(4));
        p.observe(&exhausted(0, 100));
        assert_eq!(p.general_hold(), Some(Duration::from_secs(4)));
        let p = std::sync::Arc::new(p);
        let waiting = tokio::spawn({
            let p = p.clone();
            async move { p.wait_general().await }
        });
        // It starts waiting now; the clock moves only when the test says.
        tokio::task::yield_now().await;
        tokio::time::advance(Duration::from_millis(3999)).await;
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "held until the window frees");
        assert_eq!(p.general_hold(), Some(Duration::from_millis(1)));
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(waiting.await.expect("the task"), Duration::from_secs(4));
        assert_eq!(p.general_hold(), None);
        // A shorter hold never shortens a longer one.
        p.block_general(Duration::from_secs(5));
        p.block_general(Duration::from_secs(1));
        assert_eq!(p.general_hold(), Some(Duration::from_secs(5)));
        // Remaining > 0 holds nothing new.
        let fresh = Pacer::new(5, Duration::from_secs(1));
        fresh.observe(&exhausted(3, 100));
        assert_eq!(fresh.general_hold(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn local_budget_holds_the_request_after_the_last_one() {
        let p = Pacer::new(5, Duration::from_secs(30));
        p.observe(&exhausted(2, 5));
        let start = Instant::now();
        assert_eq!(p.wait_general().await, Duration::ZERO);
        assert_eq!(p.wait_general().await, Duration::ZERO);
        assert_eq!(Instant::now(), start, "the budget's two went at once");
        assert_eq!(p.general_hold(), None);
        // The third waits one window (the 10 s interval), then the full `max` is available.
        assert_eq!(p.wait_general().await, Duration::from_secs(10));
        assert_eq!(Instant::now() - start, Duration::from_secs(10));
        for _ in 0..4 {
            assert_eq!(p.wait_general().await, Duration::ZERO);
        }
        // The window's five are spent: the next waits for another window.
        assert_eq!(p.wait_general().await, Duration::from_secs(10));
        assert_eq!(Instant::now() - start, Duration::from_secs(20));
    }

    #[tokio::test(start_paused = true)]
    async fn unknown_budget_never_waits() {
        let p = Pacer::new(5, Duration::from_secs(1));
        let start = Instant::now();
        for _ in 0..100 {
            assert_eq!(p.wait_general().await, Duration::ZERO);
        }
        assert_eq!(Instant::now(), start);
    }
}
