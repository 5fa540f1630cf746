//! Spending only a share of the rate budget: a steady spacing between this sync's requests,
//! on top of the client's own pacer (which still holds everything when a window runs out).

use std::time::Duration;

use tokio::time::Instant;

use crate::hubspot::Client;

/// HubSpot's burst budget when the client has not yet seen a rate-limit header
/// (API-NOTES §6.2: 190 per 10 s for private apps on paid tiers; 100 on free ones).
const DEFAULT_MAX: u32 = 100;
const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// Searches a second (API-NOTES §9), and the client's 10 % margin on it.
const SEARCHES_PER_SECOND: f64 = 5.0;

/// When this sync's next list request and next search may go.
#[derive(Debug)]
pub struct Pacing {
    fraction: f64,
    next_list: Option<Instant>,
    next_search: Option<Instant>,
}

impl Pacing {
    /// `fraction` of the budget, clamped into `(0, 1]` (0.01 at least).
    pub fn new(fraction: f64) -> Self {
        let fraction = if fraction.is_finite() {
            fraction.clamp(0.01, 1.0)
        } else {
            1.0
        };
        Self {
            fraction,
            next_list: None,
            next_search: None,
        }
    }

    /// The gap between list requests: the window over its budget's share, 2 % under so a
    /// rolling window never sees one too many.
    pub fn list_gap(&self, client: &Client) -> Duration {
        let (max, interval) = client
            .headroom()
            .map_or((DEFAULT_MAX, DEFAULT_INTERVAL), |h| {
                (
                    h.max.unwrap_or(DEFAULT_MAX).max(1),
                    h.interval.unwrap_or(DEFAULT_INTERVAL),
                )
            });
        interval.mul_f64(1.02 / (f64::from(max) * self.fraction))
    }

    /// The gap between searches; zero at the full budget (the client spaces them itself).
    pub fn search_gap(&self) -> Duration {
        if self.fraction >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(1.1 / (SEARCHES_PER_SECOND * self.fraction))
        }
    }

    /// Waits for the next list request's turn.
    pub async fn list(&mut self, client: &Client) {
        let gap = self.list_gap(client);
        wait(&mut self.next_list, gap).await;
    }

    /// Waits for the next search's turn.
    pub async fn search(&mut self) {
        let gap = self.search_gap();
        wait(&mut self.next_search, gap).await;
    }
}

async fn wait(next: &mut Option<Instant>, gap: Duration) {
    if let Some(at) = *next {
        tokio::time::sleep_until(at).await;
    }
    *next = Some(Instant::now() + gap);
}
