//! Test control: injected failures, latency, token revocation and request counting.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Default)]
struct Pending {
    fail: Vec<u16>,
    malformed: usize,
}

/// Runtime fault injection; every method takes `&self` and affects subsequent requests.
#[derive(Debug, Default)]
pub struct Faults {
    latency_ms: AtomicU64,
    pending: Mutex<Pending>,
    revoked: AtomicBool,
    requests: AtomicU64,
}

/// What the next request should do instead of being served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    Fail(u16),
    Malformed,
}

impl Faults {
    pub(crate) fn with_latency(d: Duration) -> Faults {
        let f = Faults::default();
        f.set_latency(d);
        f
    }
    /// Latency added before every response.
    pub fn set_latency(&self, d: Duration) {
        self.latency_ms.store(
            u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            Ordering::SeqCst,
        );
    }
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::SeqCst))
    }
    /// The next `n` requests answer `status` with HubSpot's body for that status.
    pub fn fail_next(&self, n: usize, status: u16) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.fail.extend(std::iter::repeat_n(status, n));
    }
    /// The next `n` requests answer 200 with a truncated JSON body.
    pub fn malformed_next(&self, n: usize) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.malformed += n;
    }
    /// The configured token stops working (401) until [`Faults::restore_token`].
    pub fn revoke_token(&self) {
        self.revoked.store(true, Ordering::SeqCst);
    }
    pub fn restore_token(&self) {
        self.revoked.store(false, Ordering::SeqCst);
    }
    pub fn token_revoked(&self) -> bool {
        self.revoked.load(Ordering::SeqCst)
    }
    /// Requests received so far (every request, including failed ones).
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
    pub(crate) fn count_request(&self) {
        self.requests.fetch_add(1, Ordering::SeqCst);
    }
    /// Takes the injected behaviour for this request, if any (failures before malformed).
    pub(crate) fn take(&self) -> Option<Injected> {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        if !p.fail.is_empty() {
            return Some(Injected::Fail(p.fail.remove(0)));
        }
        if p.malformed > 0 {
            p.malformed -= 1;
            return Some(Injected::Malformed);
        }
        None
    }
}
