//! Retry decisions: which failures are retried, how long to wait, and when a write must not
//! be re-sent (API-NOTES §6).
//!
//! Owns: [`RetryPolicy`], backoff computation with jitter, and the pure decision functions the
//! client's send loop calls. Must not: sleep, do HTTP, or touch shared state.

use std::time::Duration;

use super::error::ApiError;

/// How hard the client retries. Every wait is capped by `cap`, so tests can use tiny values
/// (see [`RetryPolicy::fast`]) against the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 4).
    pub max_retries: u32,
    /// First backoff step for 5xx / timeouts / network errors; doubles per attempt (default 200 ms).
    pub base: Duration,
    /// Upper bound of any single wait, rate-limit waits included (default 30 s).
    pub cap: Duration,
    /// Minimum wait on 423 Locked: HubSpot says locks last 2 s (default 2 s).
    pub locked_wait: Duration,
    /// Wait per attempt on a `TEN_SECONDLY_ROLLING` 429 without better information (default 10 s,
    /// as HubSpot's Node SDK).
    pub ten_secondly_wait: Duration,
    /// Wait per attempt on search's "secondly limit" 429 (default 1 s, as HubSpot's Node SDK).
    pub secondly_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base: Duration::from_millis(200),
            cap: Duration::from_secs(30),
            locked_wait: Duration::from_secs(2),
            ten_secondly_wait: Duration::from_secs(10),
            secondly_wait: Duration::from_secs(1),
        }
    }
}

impl RetryPolicy {
    /// Same decisions, millisecond waits: for tests against the sandbox.
    pub fn fast() -> Self {
        Self {
            max_retries: 4,
            base: Duration::from_millis(1),
            cap: Duration::from_millis(20),
            locked_wait: Duration::from_millis(5),
            ten_secondly_wait: Duration::from_millis(10),
            secondly_wait: Duration::from_millis(5),
        }
    }

    /// No retries at all.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::fast()
        }
    }

    /// Exponential backoff for retry number `attempt` (1-based): `base × 2^(attempt-1)`, capped,
    /// then "equal jitter": a value uniformly in `[d/2, d]`. `unit` is a random number in `[0, 1)`.
    pub fn backoff(&self, attempt: u32, unit: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let d = self.base.saturating_mul(1u32 << exp).min(self.cap);
        let half = d / 2;
        half + half.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// Whether a request may be repeated without changing the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestKind {
    /// GET, batch read, labels: safe to repeat.
    Read,
    /// CRM search: safe, but paced client-side and not subject to the burst window.
    Search,
    /// Create, update, archive, associate: retried only when HubSpot surely did not process it.
    Write,
}

impl RequestKind {
    /// Safe to repeat after an unknown outcome.
    pub fn is_safe(self) -> bool {
        !matches!(self, Self::Write)
    }
}

/// Which rate limit a 429 hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LimitPolicy {
    /// `DAILY`: not retried (resets at midnight in the portal's time zone).
    Daily,
    /// `TEN_SECONDLY_ROLLING`: the burst window.
    TenSecondly,
    /// Search's per-second limit ("You have reached your secondly limit.").
    Secondly,
    /// Any other or missing policy name.
    Other(Option<String>),
}

impl LimitPolicy {
    /// Classifies from `policyName` and the message (search's secondly limit is recognised by
    /// its message, as HubSpot's Node SDK does).
    pub fn classify(policy_name: Option<&str>, message: &str) -> Self {
        let msg = message.to_ascii_lowercase();
        match policy_name.map(str::to_ascii_uppercase).as_deref() {
            Some("DAILY") => Self::Daily,
            Some("TEN_SECONDLY_ROLLING") => Self::TenSecondly,
            Some("SECONDLY") => Self::Secondly,
            _ if msg.contains("daily limit") => Self::Daily,
            _ if msg.contains("ten_secondly") => Self::TenSecondly,
            _ if msg.contains("secondly limit") => Self::Secondly,
            other => Self::Other(other.map(str::to_owned)),
        }
    }

    /// The policy name to report.
    pub fn name(&self) -> Option<String> {
        match self {
            Self::Daily => Some("DAILY".into()),
            Self::TenSecondly => Some("TEN_SECONDLY_ROLLING".into()),
            Self::Secondly => Some("SECONDLY".into()),
            Self::Other(n) => n.clone(),
        }
    }
}

/// Why the client is waiting before a retry (for the UI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackoffReason {
    /// 429 with this policy.
    RateLimited(LimitPolicy),
    /// 423 Locked.
    Locked,
    /// A retryable 5xx.
    ServerError(u16),
    /// No answer in time.
    Timeout,
    /// Connection failed.
    Network,
    /// A success answer whose body was not the JSON promised (an HTML page from a proxy,
    /// JSON cut short).
    BadResponse,
}

/// What the send loop should do next.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decision {
    /// Wait, then send again.
    Retry {
        /// How long.
        wait: Duration,
        /// Why.
        reason: BackoffReason,
    },
    /// Stop with this error.
    Fail(ApiError),
}

/// How a request failed without an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TransportFailure {
    /// Timed out (after the request may have been sent).
    Timeout,
    /// Could not connect: the request was never sent.
    Connect(String),
    /// Anything else (reset mid-request, broken body): it may have been sent.
    Other(String),
    /// The request cannot be built or sent at all (a base URL that is not http(s), a header
    /// value with a line break): nothing was sent, and trying again cannot help.
    Unsendable(String),
}

/// Context of one failed attempt.
#[derive(Debug, Clone)]
pub(crate) struct Attempt<'a> {
    pub kind: RequestKind,
    /// 1-based number of the retry that would follow.
    pub retry: u32,
    pub method: &'a str,
    pub path: &'a str,
    /// `Retry-After`, when present.
    pub retry_after: Option<Duration>,
    /// Burst window from the last headers, when known.
    pub interval: Option<Duration>,
    /// Random number in `[0, 1)` for jitter.
    pub unit: f64,
}

impl RetryPolicy {
    /// Decision after an HTTP error status; `err` is the [`ApiError::Http`] built from it.
    pub(crate) fn decide_status(&self, a: &Attempt<'_>, status: u16, err: ApiError) -> Decision {
        let exhausted = a.retry > self.max_retries;
        match status {
            429 => {
                let (policy_name, message, correlation_id) = match &err {
                    ApiError::Http(h) => (
                        h.policy_name.clone(),
                        h.message.clone(),
                        h.correlation_id.clone(),
                    ),
                    _ => (None, String::new(), None),
                };
                let policy = LimitPolicy::classify(policy_name.as_deref(), &message);
                let wait = self.rate_limit_wait(&policy, a);
                let rate_limited = |retry_after| ApiError::RateLimited {
                    policy: policy.name().or(policy_name.clone()),
                    retry_after,
                    message: message.clone(),
                    correlation_id: correlation_id.clone(),
                };
                match wait {
                    // DAILY: waiting minutes or hours inside one call helps nobody.
                    None => Decision::Fail(rate_limited(a.retry_after)),
                    Some(w) if exhausted => Decision::Fail(rate_limited(Some(w))),
                    // 429 means HubSpot rejected the request before processing it, so
                    // writes are retried too.
                    Some(wait) => Decision::Retry {
                        wait,
                        reason: BackoffReason::RateLimited(policy),
                    },
                }
            }
            423 if !exhausted => Decision::Retry {
                // Locked: rejected before processing; HubSpot says wait at least 2 s.
                wait: self
                    .backoff(a.retry, a.unit)
                    .max(self.locked_wait)
                    .min(self.cap),
                reason: BackoffReason::Locked,
            },
            500 | 502 | 503 | 504 | 521 if a.kind == RequestKind::Search && is_secondly(&err) => {
                // Search's secondly limit sometimes arrives as HTTP 500 [O] (API-NOTES §6.2).
                if exhausted {
                    return Decision::Fail(err);
                }
                Decision::Retry {
                    wait: self
                        .rate_limit_wait(&LimitPolicy::Secondly, a)
                        .unwrap_or(self.cap),
                    reason: BackoffReason::RateLimited(LimitPolicy::Secondly),
                }
            }
            500 | 502 | 503 | 504 | 521 if a.kind == RequestKind::Write => {
                Decision::Fail(self.unknown(a, err.summary()))
            }
            500 | 502 | 503 | 504 | 521 if !exhausted => Decision::Retry {
                wait: self.backoff(a.retry, a.unit),
                reason: BackoffReason::ServerError(status),
            },
            _ => Decision::Fail(err),
        }
    }

    /// Decision after a failure without a status.
    pub(crate) fn decide_transport(&self, a: &Attempt<'_>, failure: TransportFailure) -> Decision {
        let exhausted = a.retry > self.max_retries;
        let (reason, final_err) = match &failure {
            TransportFailure::Timeout => (BackoffReason::Timeout, ApiError::Timeout),
            TransportFailure::Connect(m) | TransportFailure::Other(m) => {
                (BackoffReason::Network, ApiError::Network(m.clone()))
            }
            TransportFailure::Unsendable(m) => {
                return Decision::Fail(ApiError::Config(format!("cannot send the request: {m}")));
            }
        };
        let sent_maybe = !matches!(failure, TransportFailure::Connect(_));
        if a.kind == RequestKind::Write && sent_maybe {
            let cause = match failure {
                TransportFailure::Timeout => "timed out".to_owned(),
                TransportFailure::Connect(m)
                | TransportFailure::Other(m)
                | TransportFailure::Unsendable(m) => m,
            };
            return Decision::Fail(self.unknown(a, cause));
        }
        if exhausted {
            return Decision::Fail(final_err);
        }
        Decision::Retry {
            wait: self.backoff(a.retry, a.unit),
            reason,
        }
    }

    /// Decision after a success status whose body was not the JSON promised; `what` says
    /// what was wrong (already redacted). A safe request is retried like any transient
    /// failure, then reported as [`ApiError::Decode`]. A write is not re-sent: the answer
    /// cannot tell whether HubSpot applied it (a proxy's page may stand in for HubSpot's).
    pub(crate) fn decide_undecodable(&self, a: &Attempt<'_>, what: String) -> Decision {
        if a.kind == RequestKind::Write {
            return Decision::Fail(self.unknown(a, format!("unexpected response: {what}")));
        }
        if a.retry > self.max_retries {
            return Decision::Fail(ApiError::Decode(what));
        }
        Decision::Retry {
            wait: self.backoff(a.retry, a.unit),
            reason: BackoffReason::BadResponse,
        }
    }

    /// Wait for a 429: `Retry-After` if sent; else per policy. `None` = do not retry.
    fn rate_limit_wait(&self, policy: &LimitPolicy, a: &Attempt<'_>) -> Option<Duration> {
        let per_attempt = |step: Duration| step.saturating_mul(a.retry.max(1));
        let wait = match policy {
            LimitPolicy::Daily => return None,
            _ if a.retry_after.is_some() => a.retry_after?,
            // The window is rolling: one full interval frees the whole budget.
            LimitPolicy::TenSecondly => a
                .interval
                .unwrap_or_else(|| per_attempt(self.ten_secondly_wait)),
            LimitPolicy::Secondly => per_attempt(self.secondly_wait),
            LimitPolicy::Other(_) => a
                .interval
                .unwrap_or_else(|| per_attempt(self.ten_secondly_wait)),
        };
        // Small jitter so concurrent tasks do not stampede at the same instant.
        let jitter = self.base.min(wait / 10).mul_f64(a.unit.clamp(0.0, 1.0));
        Some((wait + jitter).min(self.cap))
    }

    fn unknown(&self, a: &Attempt<'_>, cause: String) -> ApiError {
        ApiError::WriteOutcomeUnknown {
            method: a.method.to_owned(),
            path: a.path.to_owned(),
            cause,
        }
    }
}

fn is_secondly(err: &ApiError) -> bool {
    match err {
        ApiError::Http(h) => {
            LimitPolicy::classify(h.policy_name.as_deref(), &h.message) == LimitPolicy::Secondly
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(kind: RequestKind, retry: u32) -> Attempt<'static> {
        Attempt {
            kind,
            retry,
            method: "POST",
            path: "/crm/v3/objects/tickets",
            retry_after: None,
            interval: None,
            unit: 0.5,
        }
    }

    fn http(status: u16, body: &str) -> ApiError {
        ApiError::from_response(status, body.as_bytes(), None)
    }

    const TEN: &str = r#"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c","policyName":"TEN_SECONDLY_ROLLING"}"#;
    const DAILY: &str = r#"{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"c","policyName":"DAILY"}"#;
    const SECONDLY: &str = r#"{"status":"error","message":"You have reached your secondly limit.","category":"RATE_LIMITS","correlationId":"c"}"#;

    #[test]
    fn backoff_is_bounded_jittered_and_capped() {
        let p = RetryPolicy::default();
        for attempt in 1..=10 {
            let nominal = p.base.saturating_mul(1 << (attempt - 1)).min(p.cap);
            for unit in [0.0, 0.25, 0.5, 0.999] {
                let d = p.backoff(attempt, unit);
                assert!(d >= nominal / 2, "attempt {attempt}: {d:?} < {nominal:?}/2");
                assert!(d <= nominal, "attempt {attempt}: {d:?} > {nominal:?}");
                assert!(d <= p.cap);
            }
        }
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(100));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(200));
        assert_eq!(p.backoff(3, 1.0), Duration::from_millis(800));
        assert_eq!(p.backoff(40, 1.0), p.cap);
        // Random units stay in range.
        for _ in 0..100 {
            let d = p.backoff(2, fastrand::f64());
            assert!(d >= Duration::from_millis(200) && d <= Duration::from_millis(400));
        }
    }

    #[test]
    fn classifies_limits() {
        assert_eq!(LimitPolicy::classify(Some("DAILY"), ""), LimitPolicy::Daily);
        assert_eq!(
            LimitPolicy::classify(Some("TEN_SECONDLY_ROLLING"), ""),
            LimitPolicy::TenSecondly
        );
        assert_eq!(
            LimitPolicy::classify(None, "You have reached your secondly limit."),
            LimitPolicy::Secondly
        );
        assert_eq!(
            LimitPolicy::classify(None, "You have reached your ten_secondly_rolling limit."),
            LimitPolicy::TenSecondly
        );
        assert_eq!(
            LimitPolicy::classify(None, "slow down"),
            LimitPolicy::Other(None)
        );
    }

    #[test]
    fn reads_retry_5xx_423_429_timeouts_and_network() {
        let p = RetryPolicy::default();
        let a = attempt(RequestKind::Read, 1);
        for status in [500, 502, 503, 504, 521] {
            assert!(matches!(
                p.decide_status(&a, status, http(status, "")),
                Decision::Retry { reason: BackoffReason::ServerError(s), .. } if s == status
            ));
        }
        let Decision::Retry { wait, reason } = p.decide_status(&a, 423, http(423, "")) else {
            panic!()
        };
        assert_eq!(reason, BackoffReason::Locked);
        assert!(wait >= Duration::from_secs(2));
        assert!(matches!(
            p.decide_transport(&a, TransportFailure::Timeout),
            Decision::Retry {
                reason: BackoffReason::Timeout,
                ..
            }
        ));
        assert!(matches!(
            p.decide_transport(&a, TransportFailure::Other("reset".into())),
            Decision::Retry {
                reason: BackoffReason::Network,
                ..
            }
        ));
        for status in [400, 401, 403, 404, 409, 477] {
            assert!(matches!(
                p.decide_status(&a, status, http(status, "")),
                Decision::Fail(ApiError::Http(_))
            ));
        }
    }

    #[test]
    fn writes_are_not_resent_after_an_unknown_outcome() {
        let p = RetryPolicy::default();
        let a = attempt(RequestKind::Write, 1);
        for status in [500, 502, 503, 504, 521] {
            let Decision::Fail(ApiError::WriteOutcomeUnknown {
                method,
                path,
                cause,
            }) = p.decide_status(&a, status, http(status, "<html>bad gateway</html>"))
            else {
                panic!("{status}")
            };
            assert_eq!(method, "POST");
            assert_eq!(path, "/crm/v3/objects/tickets");
            assert!(cause.contains(&status.to_string()));
        }
        assert!(matches!(
            p.decide_transport(&a, TransportFailure::Timeout),
            Decision::Fail(ApiError::WriteOutcomeUnknown { .. })
        ));
        assert!(matches!(
            p.decide_transport(&a, TransportFailure::Other("connection reset".into())),
            Decision::Fail(ApiError::WriteOutcomeUnknown { .. })
        ));
        // Never sent: safe to retry.
        assert!(matches!(
            p.decide_transport(&a, TransportFailure::Connect("refused".into())),
            Decision::Retry { .. }
        ));
        // Rejected before processing: retried.
        assert!(matches!(
            p.decide_status(&a, 429, http(429, TEN)),
            Decision::Retry { .. }
        ));
        assert!(matches!(
            p.decide_status(&a, 423, http(423, "")),
            Decision::Retry { .. }
        ));
    }

    #[test]
    fn undecodable_answers_retry_safe_requests_then_report_and_never_resend_writes() {
        let p = RetryPolicy::default();
        for kind in [RequestKind::Read, RequestKind::Search] {
            for retry in 1..=p.max_retries {
                assert!(
                    matches!(
                        p.decide_undecodable(&attempt(kind, retry), "eof".into()),
                        Decision::Retry {
                            reason: BackoffReason::BadResponse,
                            ..
                        }
                    ),
                    "{kind:?} retry {retry}"
                );
            }
            assert_eq!(
                p.decide_undecodable(&attempt(kind, p.max_retries + 1), "eof".into()),
                Decision::Fail(ApiError::Decode("eof".into()))
            );
        }
        let Decision::Fail(ApiError::WriteOutcomeUnknown { method, cause, .. }) =
            p.decide_undecodable(&attempt(RequestKind::Write, 1), "eof".into())
        else {
            panic!("a write is not re-sent")
        };
        assert_eq!(method, "POST");
        assert_eq!(cause, "unexpected response: eof");
    }

    #[test]
    fn unsendable_requests_fail_at_the_first_attempt() {
        let p = RetryPolicy::default();
        for kind in [RequestKind::Read, RequestKind::Search, RequestKind::Write] {
            assert_eq!(
                p.decide_transport(
                    &attempt(kind, 1),
                    TransportFailure::Unsendable("URL scheme is not allowed".into())
                ),
                Decision::Fail(ApiError::Config(
                    "cannot send the request: URL scheme is not allowed".into()
                )),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn rate_limit_waits() {
        let p = RetryPolicy::default();
        let mut a = attempt(RequestKind::Read, 2);
        a.unit = 0.0;
        // TEN_SECONDLY without headers: 10 s × attempt.
        assert_eq!(
            p.decide_status(&a, 429, http(429, TEN)),
            Decision::Retry {
                wait: Duration::from_secs(20),
                reason: BackoffReason::RateLimited(LimitPolicy::TenSecondly)
            }
        );
        // With the interval header: one window.
        a.interval = Some(Duration::from_secs(10));
        assert!(matches!(
            p.decide_status(&a, 429, http(429, TEN)),
            Decision::Retry { wait, .. } if wait == Duration::from_secs(10)
        ));
        // Retry-After wins.
        a.retry_after = Some(Duration::from_secs(3));
        assert!(matches!(
            p.decide_status(&a, 429, http(429, TEN)),
            Decision::Retry { wait, .. } if wait == Duration::from_secs(3)
        ));
        // Capped.
        a.retry_after = Some(Duration::from_secs(3600));
        assert!(matches!(
            p.decide_status(&a, 429, http(429, TEN)),
            Decision::Retry { wait, .. } if wait == p.cap
        ));
        // Secondly: 1 s × attempt.
        let a = attempt(RequestKind::Search, 3);
        let Decision::Retry { wait, reason } = p.decide_status(&a, 429, http(429, SECONDLY)) else {
            panic!()
        };
        assert_eq!(reason, BackoffReason::RateLimited(LimitPolicy::Secondly));
        assert!(wait >= Duration::from_secs(3) && wait <= Duration::from_millis(3200));
        // Search's secondly limit disguised as 500.
        assert!(matches!(
            p.decide_status(&a, 500, http(500, SECONDLY)),
            Decision::Retry {
                reason: BackoffReason::RateLimited(LimitPolicy::Secondly),
                ..
            }
        ));
    }

    #[test]
    fn daily_is_not_retried_and_exhaustion_reports_rate_limited() {
        let p = RetryPolicy::default();
        let a = attempt(RequestKind::Read, 1);
        let Decision::Fail(ApiError::RateLimited { policy, .. }) =
            p.decide_status(&a, 429, http(429, DAILY))
        else {
            panic!()
        };
        assert_eq!(policy.as_deref(), Some("DAILY"));
        let a = attempt(RequestKind::Read, p.max_retries + 1);
        let Decision::Fail(ApiError::RateLimited {
            policy,
            retry_after,
            ..
        }) = p.decide_status(&a, 429, http(429, TEN))
        else {
            panic!()
        };
        assert_eq!(policy.as_deref(), Some("TEN_SECONDLY_ROLLING"));
        assert!(retry_after.is_some());
        // Exhausted 5xx on a read returns the HTTP error.
        assert!(matches!(
            p.decide_status(&a, 503, http(503, "")),
            Decision::Fail(ApiError::Http(h)) if h.status == 503
        ));
        assert!(matches!(
            p.decide_transport(&a, TransportFailure::Timeout),
            Decision::Fail(ApiError::Timeout)
        ));
    }

    #[test]
    fn fast_policy_keeps_every_wait_tiny() {
        let p = RetryPolicy::fast();
        let mut a = attempt(RequestKind::Read, 4);
        a.interval = Some(Duration::from_secs(10));
        for (status, body) in [(429, TEN), (429, SECONDLY), (423, ""), (503, "")] {
            let Decision::Retry { wait, .. } = p.decide_status(&a, status, http(status, body))
            else {
                panic!("{status}")
            };
            assert!(wait <= p.cap, "{status}: {wait:?}");
        }
    }
}
