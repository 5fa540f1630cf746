//! The [`Client`] itself: configuration, the access token, and the one send loop every
//! endpoint goes through (pacing, rate-limit headers, retries, error mapping).
//!
//! Owns: building URLs and requests, attaching the bearer token, observing
//! `X-HubSpot-RateLimit-*`, decoding answers (a garbled one is retried like a transient
//! failure), backoff events. Every error it returns has been through the token's redaction,
//! whole texts before any cut. Must not: know endpoint shapes beyond paths (those live in the
//! per-resource modules), log or expose the token, or know about the UI.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{broadcast, watch};

use super::error::{ApiError, excerpt};
use super::rate_limit::{self, Headroom, Pacer, SEARCH_REQUESTS_PER_SECOND};
use super::retry::{Attempt, BackoffReason, Decision, RequestKind, RetryPolicy, TransportFailure};
use super::token::AccessToken;

tokio::task_local! {
    /// Where [`Client::recording_writes`] collects the correlation IDs of successful writes.
    static WRITE_RECEIPTS: Arc<std::sync::Mutex<Vec<String>>>;
}

/// HubSpot's production API host.
pub const HUBSPOT_BASE_URL: &str = "https://api.hubapi.com";

/// How to build a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `https://api.hubapi.com` or a sandbox's `http://127.0.0.1:PORT`. No trailing path.
    pub base_url: String,
    /// The access token.
    pub token: AccessToken,
    /// Per-request timeout (default 30 s).
    pub timeout: Duration,
    /// Retries and backoff (default: 4 retries, 200 ms base, 30 s cap).
    pub retry: RetryPolicy,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Client-side limit on CRM search requests per second (HubSpot: 5; 0 = unlimited).
    pub search_per_second: u32,
}

impl ClientConfig {
    /// Defaults for `base_url` and `token`.
    pub fn new(base_url: impl Into<String>, token: AccessToken) -> Self {
        Self {
            base_url: base_url.into(),
            token,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            user_agent: concat!("hubtix/", env!("CARGO_PKG_VERSION")).to_owned(),
            search_per_second: SEARCH_REQUESTS_PER_SECOND,
        }
    }

    /// Defaults against real HubSpot.
    pub fn hubspot(token: AccessToken) -> Self {
        Self::new(HUBSPOT_BASE_URL, token)
    }
}

/// Something the UI may want to show: the client is waiting before a retry.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// Waiting `wait` (until about `until`) before retry `attempt` of `method path`.
    Backoff {
        /// Wall-clock end of the wait.
        until: jiff::Timestamp,
        /// Length of the wait.
        wait: Duration,
        /// Why.
        reason: BackoffReason,
        /// 1-based retry number.
        attempt: u32,
        /// HTTP method.
        method: String,
        /// Path (no host, no query).
        path: String,
    },
    /// A request was held `waited` because the burst budget (`X-HubSpot-RateLimit-Remaining`)
    /// ran out or a 429 told every request to wait. Sent after the wait.
    Paced {
        /// How long it was held.
        waited: Duration,
        /// HTTP method.
        method: String,
        /// Path (no host, no query).
        path: String,
    },
}

/// The HubSpot CRM client. Cheap to clone (an `Arc` inside); safe to use from many tasks at
/// once, all clones sharing one rate-limit state.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    token: AccessToken,
    retry: RetryPolicy,
    pacer: Pacer,
    headroom: watch::Sender<Option<Headroom>>,
    clock: watch::Sender<Option<ServerClock>>,
    events: broadcast::Sender<ClientEvent>,
    /// Since when HubSpot could not be reached (`None`: its last answer came).
    unreachable_since: watch::Sender<Option<jiff::Timestamp>>,
    /// Asked before every write is sent (see [`Client::set_write_gate`]).
    write_gate: std::sync::RwLock<Option<WriteGate>>,
}

/// Asked before a write is sent: `Some(why)` refuses it (see [`Client::set_write_gate`]).
pub type WriteGate = Arc<dyn Fn() -> Option<String> + Send + Sync>;
/// HubSpot's clock as the last answer's `Date` header gave it, against ours when it arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerClock {
    /// The answer's `Date` (whole seconds).
    pub server: jiff::Timestamp,
    /// Our clock when the answer arrived.
    pub local: jiff::Timestamp,
}

impl ServerClock {
    /// How far our clock is ahead of HubSpot's (negative: behind). `Date` has whole seconds,
    /// so anything under a second or two is noise.
    pub fn skew(&self) -> jiff::SignedDuration {
        self.local.duration_since(self.server)
    }
}

/// The `Date` header (RFC 9110's IMF-fixdate, which RFC 2822 parsing accepts).
fn server_date(headers: &reqwest::header::HeaderMap) -> Option<jiff::Timestamp> {
    let text = headers.get(reqwest::header::DATE)?.to_str().ok()?;
    jiff::fmt::rfc2822::parse(text.trim())
        .ok()
        .map(|z| z.timestamp())
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("token", &self.inner.token)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// One request, described before sending so it can be re-sent on retry.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    kind: RequestKind,
}

impl Request {
    pub(crate) fn new(method: Method, path: String, kind: RequestKind) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            body: None,
            kind,
        }
    }

    pub(crate) fn get(path: String) -> Self {
        Self::new(Method::GET, path, RequestKind::Read)
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    /// Adds `key=a,b,c` unless `values` is empty. HubSpot's docs pass multi-valued params
    /// (`properties`, `associations`, `propertiesWithHistory`) comma-separated; the spec's
    /// `explode: true` would repeat the key instead, and both work on HubSpot [O].
    pub(crate) fn csv(self, key: &'static str, values: &[String]) -> Self {
        if values.is_empty() {
            self
        } else {
            self.query(key, values.join(","))
        }
    }

    /// Adds `key=value` when present.
    pub(crate) fn opt(self, key: &'static str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Adds `archived=true` when set (false is HubSpot's default; not sent).
    pub(crate) fn archived(self, archived: bool) -> Self {
        if archived {
            self.query("archived", "true")
        } else {
            self
        }
    }

    /// Sets a JSON body.
    pub(crate) fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, ApiError> {
        self.body = Some(
            serde_json::to_vec(body)
                .map_err(|e| ApiError::Config(format!("encoding body: {e}")))?,
        );
        Ok(self)
    }

    #[cfg(test)]
    pub(crate) fn query_pairs(&self) -> &[(&'static str, String)] {
        &self.query
    }

    #[cfg(test)]
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    #[cfg(test)]
    pub(crate) fn body_json(&self) -> Option<serde_json::Value> {
        self.body
            .as_deref()
            .and_then(|b| serde_json::from_slice(b).ok())
    }

    /// Whether sending it changes HubSpot: every PATCH, PUT and DELETE, and a POST that is
    /// not one of the read POSTs (search, batch read, which are built as reads).
    pub(crate) fn changes_hubspot(&self) -> bool {
        match self.method {
            Method::GET | Method::HEAD | Method::OPTIONS => false,
            Method::POST => self.kind == RequestKind::Write,
            _ => true,
        }
    }

    #[cfg(test)]
    pub(crate) fn kind(&self) -> RequestKind {
        self.kind
    }
}

/// Percent-encodes one path segment (ids are user input: `{ticketId}` has pattern `.+`).
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Client {
    /// Builds a client. Fails, naming what is wrong and never the token, when no request could
    /// ever be sent: a base URL that is not `http://` or `https://`, a token with a line break
    /// or another character a header cannot carry, an unusable user agent.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let token = config.token;
        let config_error = |m: String| ApiError::Config(token.redact(&m));
        let base_url = config.base_url.trim().trim_end_matches('/').to_owned();
        check_base_url(&base_url).map_err(config_error)?;
        if let Some(why) = token.unsendable() {
            return Err(ApiError::Config(why.to_owned()));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| config_error(error_chain(&e)))?;
        let (events, _) = broadcast::channel(64);
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                token,
                pacer: Pacer::new(config.search_per_second, config.retry.cap),
                retry: config.retry,
                headroom: watch::Sender::new(None),
                clock: watch::Sender::new(None),
                events,
                unreachable_since: watch::Sender::new(None),
                write_gate: std::sync::RwLock::new(None),
            }),
        })
    }

    /// The base URL in use.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The latest rate-limit headroom (cheap; `None` until a response carried the headers).
    pub fn headroom(&self) -> Option<Headroom> {
        self.inner.headroom.borrow().clone()
    }

    /// HubSpot's clock from the latest answer that carried a `Date` header.
    pub fn server_clock(&self) -> Option<ServerClock> {
        *self.inner.clock.borrow()
    }

    /// The token, for the one request that sends it in a body (token info).
    pub(crate) fn token(&self) -> &AccessToken {
        &self.inner.token
    }

    /// HubSpot's clock as the latest answer's `Date` header gave it (whole seconds, rounded
    /// down; `None` until an answer carried one). The sync engine bounds its re-read of
    /// recent changes with it, so it never mixes this machine's clock with HubSpot's.
    pub fn server_time(&self) -> Option<jiff::Timestamp> {
        self.server_clock().map(|c| c.server)
    }

    /// Follows headroom changes.
    pub fn watch_headroom(&self) -> watch::Receiver<Option<Headroom>> {
        self.inner.headroom.subscribe()
    }

    /// How long non-search requests are currently held because the burst budget ran out
    /// or a 429 arrived (`None` when not held).
    pub fn rate_limit_hold(&self) -> Option<Duration> {
        self.inner.pacer.general_hold()
    }

    /// Backoff notifications (lossy: a slow receiver misses old ones).
    pub fn events(&self) -> broadcast::Receiver<ClientEvent> {
        self.inner.events.subscribe()
    }

    /// Since when HubSpot could not be reached: the last request ended in a network error
    /// (connection refused, DNS, timeout), and no answer has come since. `None` once any
    /// answer comes, an error status included.
    pub fn unreachable_since(&self) -> Option<jiff::Timestamp> {
        *self.inner.unreachable_since.borrow()
    }

    /// Follows [`Client::unreachable_since`].
    pub fn watch_reachability(&self) -> watch::Receiver<Option<jiff::Timestamp>> {
        self.inner.unreachable_since.subscribe()
    }

    /// Every clone of this client asks `gate` before it sends a write (any request that
    /// changes HubSpot: see [`Request::changes_hubspot`]); when it answers `Some(why)`,
    /// nothing is sent and the write fails with [`ApiError::Refused`]. Reads are never asked.
    pub fn set_write_gate(&self, gate: WriteGate) {
        let mut slot = match self.inner.write_gate.write() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = Some(gate);
    }

    /// Why a write may not be sent now, if the gate says so.
    fn write_refused(&self, req: &Request) -> Option<String> {
        if !req.changes_hubspot() {
            return None;
        }
        self.refuses_writes()
    }

    /// Why no write may be sent now (the write gate's answer), or `None`.
    pub fn refuses_writes(&self) -> Option<String> {
        let slot = match self.inner.write_gate.read() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        slot.as_ref().and_then(|gate| gate())
    }

    /// Notes what a request's outcome says about reaching HubSpot: a network error or a
    /// timeout means it could not be reached (since the first such, kept); any answer from
    /// it means it can. A lost write's answer or a refused one says nothing either way.
    fn observe_reach<T>(&self, outcome: &Result<T, ApiError>) {
        let reached = match outcome {
            Ok(_) | Err(ApiError::Http(_) | ApiError::RateLimited { .. } | ApiError::Decode(_)) => {
                true
            }
            Err(ApiError::Network(_) | ApiError::Timeout) => false,
            Err(
                ApiError::WriteOutcomeUnknown { .. } | ApiError::Config(_) | ApiError::Refused(_),
            ) => return,
        };
        self.inner.unreachable_since.send_if_modified(|since| {
            match (reached, since.is_some()) {
                (true, true) => *since = None,
                (false, false) => *since = Some(jiff::Timestamp::now()),
                _ => return false,
            }
            true
        });
    }

    /// Runs `work` and returns, with its value, the `X-HubSpot-Correlation-Id` of every write
    /// (a request that changes HubSpot, see [`Request::changes_hubspot`]) that was answered
    /// with success while it ran, in the order the answers came. An error carries its own in
    /// [`ApiError`], so only successes are listed here. That HubSpot sends the header on
    /// successful answers too is UNCONFIRMED (API-NOTES §5 shows it on errors; the sandbox
    /// sends it on every answer); an answer without it records nothing. The write methods keep their signatures: a write of several requests (batch
    /// chunks, a create then a pin, an undo) lists each of its requests' IDs. Requests sent
    /// by tasks that `work` spawns are not seen, nor those of other tasks meanwhile.
    pub async fn recording_writes<F: std::future::Future>(
        &self,
        work: F,
    ) -> (F::Output, Vec<String>) {
        let receipts = Arc::new(std::sync::Mutex::new(Vec::new()));
        let value = WRITE_RECEIPTS.scope(receipts.clone(), work).await;
        let ids = match receipts.lock() {
            Ok(mut ids) => std::mem::take(&mut *ids),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        };
        (value, ids)
    }

    /// Notes a successful write's correlation ID for [`Client::recording_writes`], if one
    /// is recording in this task.
    fn note_write(req: &Request, correlation: Option<String>) {
        let Some(id) = correlation.filter(|_| req.changes_hubspot()) else {
            return;
        };
        // Outside a recording scope there is nobody to tell.
        let _ = WRITE_RECEIPTS.try_with(|r| match r.lock() {
            Ok(mut ids) => ids.push(id),
            Err(poisoned) => poisoned.into_inner().push(id),
        });
    }

    /// Sends and decodes a JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(&self, req: Request) -> Result<T, ApiError> {
        self.send(req, |body| serde_json::from_slice(body)).await
    }

    /// Sends and ignores the body (204 answers).
    pub(crate) async fn no_content(&self, req: Request) -> Result<(), ApiError> {
        self.send(req, |_| Ok(())).await
    }

    /// Sends `req` and decodes its success answer with `decode`; every error it returns has
    /// the token redacted from all its texts.
    async fn send<T>(
        &self,
        req: Request,
        decode: impl Fn(&[u8]) -> Result<T, serde_json::Error>,
    ) -> Result<T, ApiError> {
        let token = &self.inner.token;
        if let Some(why) = self.write_refused(&req) {
            tracing::debug!(method = %req.method, path = req.path, "write refused: {why}");
            return Err(ApiError::Refused(why));
        }
        let outcome = self
            .send_loop(req, decode)
            .await
            .map_err(|e| e.map_text(&|s| token.redact(s)));
        self.observe_reach(&outcome);
        outcome
    }

    /// The send loop: pace, send, observe headers, decode, retry per [`RetryPolicy`].
    async fn send_loop<T>(
        &self,
        req: Request,
        decode: impl Fn(&[u8]) -> Result<T, serde_json::Error>,
    ) -> Result<T, ApiError> {
        let url = self.url_for(&req)?;
        let method = req.method.as_str().to_owned();
        let mut retry = 0u32;
        loop {
            self.pace(&req, &method).await;
            retry += 1;
            tracing::debug!(method, path = req.path, attempt = retry, "hubspot request");
            let outcome = self.attempt(&req, &url).await;
            let correlation = outcome.as_ref().ok().and_then(|(_, headers, _)| {
                headers
                    .get("x-hubspot-correlation-id")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            });
            let a = Attempt {
                kind: req.kind,
                retry,
                method: &method,
                path: &req.path,
                retry_after: None,
                interval: None,
                unit: fastrand::f64(),
            };
            match self.judge(a, outcome, &decode) {
                Ok(value) => {
                    Self::note_write(&req, correlation);
                    return Ok(value);
                }
                Err(Decision::Fail(err)) => {
                    let err = err.map_text(&|s| self.inner.token.redact(s));
                    tracing::debug!(method, path = req.path, error = %err, "hubspot request failed");
                    return Err(err);
                }
                Err(Decision::Retry { wait, reason }) => {
                    self.back_off(&req, &method, retry, wait, reason).await;
                }
            }
        }
    }

    /// The request's URL: the base, its checked path and its query.
    fn url_for(&self, req: &Request) -> Result<reqwest::Url, ApiError> {
        check_path(&req.path).map_err(ApiError::Config)?;
        let mut url = reqwest::Url::parse(&format!("{}{}", self.inner.base_url, req.path))
            .map_err(|e| ApiError::Config(format!("URL for {}: {e}", req.path)))?;
        if !req.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &req.query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Waits for the request's turn: a search's slot, or the burst window's budget (saying
    /// so with [`ClientEvent::Paced`] when that took a while).
    async fn pace(&self, req: &Request, method: &str) {
        let inner = &*self.inner;
        if req.kind == RequestKind::Search {
            inner.pacer.wait_search().await;
            return;
        }
        let waited = inner.pacer.wait_general().await;
        if !waited.is_zero() {
            // No receivers is fine: events are optional.
            let _ = inner.events.send(ClientEvent::Paced {
                waited,
                method: method.to_owned(),
                path: req.path.clone(),
            });
        }
    }

    /// One attempt on the wire: the status, headers and body, or how the transport failed.
    async fn attempt(
        &self,
        req: &Request,
        url: &reqwest::Url,
    ) -> Result<(u16, reqwest::header::HeaderMap, impl AsRef<[u8]>), TransportFailure> {
        let inner = &*self.inner;
        // Every credential goes in `Authorization: Bearer`: OAuth and private-app tokens
        // [D-auth]; service keys too, UNCONFIRMED (API-NOTES §8a: HubSpot describes them as
        // REST credentials like private-app tokens without saying how they are sent).
        let mut builder = inner
            .http
            .request(req.method.clone(), url.clone())
            .bearer_auth(inner.token.expose());
        if let Some(body) = &req.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let resp = builder
            .send()
            .await
            .map_err(|e| transport_failure(&e, &inner.token))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp
            .bytes()
            .await
            .map_err(|e| transport_failure(&e, &inner.token))?;
        Ok((status, headers, body))
    }

    /// What an attempt's outcome means: the decoded value, or the retry policy's decision.
    /// A response's rate-limit headers are taken in first, whatever its status.
    fn judge<T>(
        &self,
        mut a: Attempt<'_>,
        outcome: Result<(u16, reqwest::header::HeaderMap, impl AsRef<[u8]>), TransportFailure>,
        decode: &impl Fn(&[u8]) -> Result<T, serde_json::Error>,
    ) -> Result<T, Decision> {
        let inner = &*self.inner;
        let (status, headers, body) = match outcome {
            Ok(answer) => answer,
            Err(failure) => return Err(inner.retry.decide_transport(&a, failure)),
        };
        let body = body.as_ref();
        if let Some(server) = server_date(&headers) {
            let local = jiff::Timestamp::now();
            inner
                .clock
                .send_replace(Some(ServerClock { server, local }));
        }
        if let Some(h) = rate_limit::parse_headers(&headers, jiff::Timestamp::now()) {
            inner.pacer.observe(&h);
            inner.headroom.send_replace(Some(h));
        }
        tracing::debug!(method = a.method, path = a.path, status, "hubspot response");
        if (200..300).contains(&status) {
            return decode(body).map_err(|e| {
                inner
                    .retry
                    .decide_undecodable(&a, undecodable(&e, body, &inner.token))
            });
        }
        let correlation = headers
            .get("x-hubspot-correlation-id")
            .and_then(|v| v.to_str().ok());
        let err = error_from_body(status, body, correlation, &inner.token);
        a.retry_after = rate_limit::retry_after(&headers);
        a.interval = inner.headroom.borrow().as_ref().and_then(|h| h.interval);
        Err(inner.retry.decide_status(&a, status, err))
    }

    /// Waits `wait` before retry number `retry`, saying so (log and [`ClientEvent::Backoff`]);
    /// a 429 holds every task's requests of its kind, not just this one.
    async fn back_off(
        &self,
        req: &Request,
        method: &str,
        retry: u32,
        wait: Duration,
        reason: BackoffReason,
    ) {
        let inner = &*self.inner;
        match &reason {
            BackoffReason::RateLimited(super::retry::LimitPolicy::Secondly) => {
                inner.pacer.block_search(wait);
            }
            BackoffReason::RateLimited(_) if req.kind != RequestKind::Search => {
                inner.pacer.block_general(wait);
            }
            _ => {}
        }
        tracing::warn!(
            method,
            path = req.path,
            ?reason,
            ?wait,
            attempt = retry,
            "hubspot backoff"
        );
        let until = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::try_from(wait).unwrap_or_default())
            .unwrap_or_else(|_| jiff::Timestamp::now());
        // No receivers is fine: events are optional.
        let _ = inner.events.send(ClientEvent::Backoff {
            until,
            wait,
            reason,
            attempt: retry,
            method: method.to_owned(),
            path: req.path.clone(),
        });
        tokio::time::sleep(wait).await;
    }
}

/// Why a request path would reach another endpoint than the one meant, if it would: an empty
/// segment (an empty record ID turns `tickets/{id}` into the list) or a dot segment (`.` and
/// `..`, also percent-encoded, are resolved away by URL parsing: `tickets/..` is `objects/`).
/// IDs are user input, so this is checked for every request, not trusted to each caller.
fn check_path(path: &str) -> Result<(), String> {
    let bad = path.split('/').skip(1).find_map(|segment| {
        let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
        match decoded.as_str() {
            "" => Some("an empty"),
            "." | ".." => Some("a dot"),
            _ => None,
        }
    });
    match bad {
        Some(what) => Err(format!(
            "not sent: {path} has {what} path segment (an empty or dot record ID or name)"
        )),
        None => Ok(()),
    }
}

/// Why `base_url` can never work, if it cannot.
fn check_base_url(base_url: &str) -> Result<(), String> {
    let scheme = base_url
        .split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("http" | "https")) {
        return Err(format!(
            "base URL must start with http:// or https://: {base_url}"
        ));
    }
    let url = reqwest::Url::parse(base_url).map_err(|e| format!("base URL {base_url}: {e}"))?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("base URL has no host: {base_url}"));
    }
    Ok(())
}

/// Classifies a failure without an answer. reqwest errors name the URL, never headers; the
/// text is redacted anyway (defence in depth).
fn transport_failure(e: &reqwest::Error, token: &AccessToken) -> TransportFailure {
    let text = token.redact(&error_chain(e));
    if e.is_builder() {
        // Refused before anything was sent (bad scheme, bad header value): never retried.
        TransportFailure::Unsendable(text)
    } else if e.is_connect() {
        // Connection never established: the request was not sent.
        TransportFailure::Connect(text)
    } else if e.is_timeout() {
        TransportFailure::Timeout
    } else {
        TransportFailure::Other(text)
    }
}

/// Builds the error for a non-success answer, scrubbing the token should the body echo it.
fn error_from_body(
    status: u16,
    body: &[u8],
    correlation: Option<&str>,
    token: &AccessToken,
) -> ApiError {
    // Redacted whole, before the parse and before any excerpt cuts it.
    let body = token.redact(&String::from_utf8_lossy(body));
    ApiError::from_response(status, body.as_bytes(), correlation)
}

/// What to say about a success answer whose body was not the expected JSON: the parse error
/// and the start of the body, the token redacted from the whole body before it is cut.
fn undecodable(e: &serde_json::Error, body: &[u8], token: &AccessToken) -> String {
    let start = excerpt(token.redact(&String::from_utf8_lossy(body)).as_bytes());
    token.redact(&format!("{e}; body starts: {start}"))
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod clock_tests {
    use super::*;

    #[test]
    fn reads_http_dates() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            reqwest::header::DATE,
            reqwest::header::HeaderValue::from_static("Tue, 01 Dec 2026 13:45:07 GMT"),
        );
        let t = server_date(&h).expect("parsed");
        assert_eq!(t.to_string(), "2026-12-01T13:45:07Z");
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const SECRET: &str = "pat-na1-00000000-1111-2222-3333-444444444444";

    pub(crate) fn client() -> Client {
        let mut cfg = ClientConfig::new("http://127.0.0.1:9", AccessToken::new(SECRET));
        cfg.retry = RetryPolicy::none();
        cfg.timeout = Duration::from_millis(500);
        Client::new(cfg).expect("client")
    }

    #[test]
    fn only_requests_that_change_hubspot_are_writes() {
        let path = || "/crm/v3/objects/tickets".to_owned();
        let cases = [
            (Method::GET, RequestKind::Read, false),
            (Method::POST, RequestKind::Search, false),
            (Method::POST, RequestKind::Read, false),
            (Method::POST, RequestKind::Write, true),
            (Method::PATCH, RequestKind::Write, true),
            (Method::PUT, RequestKind::Write, true),
            (Method::DELETE, RequestKind::Write, true),
            // Whatever it is tagged, a DELETE or PATCH changes HubSpot.
            (Method::DELETE, RequestKind::Read, true),
            (Method::PATCH, RequestKind::Search, true),
        ];
        for (method, kind, write) in cases {
            let r = Request::new(method.clone(), path(), kind);
            assert_eq!(r.changes_hubspot(), write, "{method} {kind:?}");
        }
    }

    #[tokio::test]
    async fn a_closed_gate_sends_no_write_and_no_answer_means_unreachable() {
        let c = client();
        assert_eq!(c.unreachable_since(), None);
        c.set_write_gate(Arc::new(|| Some("closed".to_owned())));
        let write = Request::new(
            Method::PATCH,
            "/crm/v3/objects/tickets/1".into(),
            RequestKind::Write,
        );
        let err = c.no_content(write).await.expect_err("refused");
        assert!(
            matches!(&err, ApiError::Refused(m) if m == "closed"),
            "{err:?}"
        );
        assert_eq!(
            c.unreachable_since(),
            None,
            "a refused write was never sent"
        );
        // A read is sent (nothing listens on port 9): no answer at all.
        let err = c
            .no_content(Request::get("/crm/v3/objects/tickets".into()))
            .await;
        assert!(matches!(err, Err(ApiError::Network(_))), "{err:?}");
        assert!(c.unreachable_since().is_some());
    }

    #[test]
    fn token_is_redacted_everywhere() {
        let t = AccessToken::new(SECRET);
        assert!(!format!("{t:?}").contains(SECRET));
        assert!(!format!("{t}").contains(SECRET));
        let cfg = ClientConfig::new("http://127.0.0.1:9", t);
        assert!(!format!("{cfg:?}").contains(SECRET));
        let c = client();
        assert!(!format!("{c:?}").contains(SECRET));
        assert!(format!("{c:?}").contains("127.0.0.1"));
    }

    #[tokio::test]
    async fn connection_errors_do_not_leak_the_token() {
        // Port 9 (discard) on loopback: nothing listens, so this fails fast without leaving
        // the machine.
        let c = client();
        let err = c
            .json::<serde_json::Value>(Request::get("/crm/v3/owners".into()))
            .await
            .expect_err("nothing listens");
        assert!(matches!(err, ApiError::Network(_)), "{err:?}");
        assert!(!format!("{err:?}").contains(SECRET));
        assert!(!err.to_string().contains(SECRET));
    }

    #[tokio::test]
    async fn writes_that_never_connected_are_retried_then_report_network() {
        let mut cfg = ClientConfig::new("http://127.0.0.1:9", AccessToken::new(SECRET));
        cfg.retry = RetryPolicy::fast();
        let c = Client::new(cfg).expect("client");
        let mut events = c.events();
        let req = Request::new(
            Method::POST,
            "/crm/v3/objects/tickets".into(),
            RequestKind::Write,
        )
        .json(&serde_json::json!({"properties": {}}))
        .expect("body");
        let err = c.no_content(req).await.expect_err("refused");
        assert!(matches!(err, ApiError::Network(_)), "{err:?}");
        let ev = events.try_recv().expect("a backoff event");
        assert!(matches!(
            ev,
            ClientEvent::Backoff {
                attempt: 1,
                reason: BackoffReason::Network,
                ..
            }
        ));
    }

    #[test]
    fn error_bodies_echoing_the_token_are_scrubbed() {
        let token = AccessToken::new(SECRET);
        let body = format!(
            r#"{{"status":"error","message":"Authentication credentials not found: {SECRET}","correlationId":"c","category":"INVALID_AUTHENTICATION"}}"#
        );
        let e = error_from_body(401, body.as_bytes(), None, &token);
        assert!(e.is_auth());
        assert!(!format!("{e:?}").contains(SECRET));
        assert!(!e.summary().contains(SECRET));
        let e = error_from_body(502, format!("<p>{SECRET}</p>").as_bytes(), None, &token);
        assert!(!format!("{e:?}").contains(SECRET));
    }

    /// Whether any run of 4 or more characters of `token` shows in `text`.
    pub(crate) fn shows_part_of(text: &str, token: &str) -> Option<String> {
        let chars: Vec<char> = token.chars().collect();
        (0..chars.len().saturating_sub(3)).find_map(|i| {
            let part: String = chars[i..i + 4].iter().collect();
            text.contains(&part).then_some(part)
        })
    }

    #[test]
    fn an_undecodable_body_never_shows_the_token_wherever_it_sits() {
        let token = AccessToken::new(SECRET);
        let json_err = serde_json::from_slice::<serde_json::Value>(b"<").expect_err("not JSON");
        // Every position from well before the 200-character excerpt cut to well after it.
        for offset in 0..=260 {
            let body = format!("<html>{}{SECRET} trailing text</html>", "x".repeat(offset));
            let text = undecodable(&json_err, body.as_bytes(), &token);
            if let Some(part) = shows_part_of(&text, SECRET) {
                panic!("offset {offset}: {part:?} leaks in {text:?}");
            }
            assert!(text.contains("body starts: <html>"), "{text}");
        }
    }

    #[test]
    fn client_is_shareable_across_tasks() {
        fn assert_traits<T: Send + Sync + Clone + 'static>() {}
        assert_traits::<Client>();
        fn assert_send<T: Send>(_: &T) {}
        let c = client();
        assert_send(&c.list_all_tickets(crate::hubspot::ListQuery::default()));
        assert_send(&c.get_ticket("1", &crate::hubspot::GetQuery::default()));
    }

    #[test]
    fn bad_base_url_is_a_config_error() {
        let err = Client::new(ClientConfig::new("not a url", AccessToken::new(SECRET)))
            .expect_err("bad url");
        assert!(matches!(err, ApiError::Config(_)));
        assert!(!err.to_string().contains(SECRET));
    }

    #[test]
    fn a_base_url_that_is_not_http_is_refused_by_name() {
        for url in [
            "ftp://127.0.0.1:9",
            "file:///tmp/x",
            "mailto:x@y.com",
            "127.0.0.1:9",
        ] {
            let err = Client::new(ClientConfig::new(url, AccessToken::new(SECRET))).expect_err(url);
            assert_eq!(
                err.to_string(),
                format!(
                    "client configuration: base URL must start with http:// or https://: {url}"
                )
            );
        }
        // A token pasted into the URL is not echoed back.
        let err = Client::new(ClientConfig::new(
            format!("ftp://{SECRET}@127.0.0.1"),
            AccessToken::new(SECRET),
        ))
        .expect_err("ftp");
        assert!(
            shows_part_of(&format!("{err:?}"), SECRET).is_none(),
            "{err:?}"
        );
        for url in [
            "http://127.0.0.1:9",
            "https://api.hubapi.com",
            "HTTP://127.0.0.1:9/",
        ] {
            Client::new(ClientConfig::new(url, AccessToken::new(SECRET))).expect(url);
        }
    }

    #[test]
    fn a_token_that_cannot_be_sent_is_refused_by_name_without_echoing_it() {
        for (token, why) in [
            (
                "pat-na1-abc\ndef",
                "the access token or service key contains a line break",
            ),
            (
                "pat-na1-abc\r\ndef",
                "the access token or service key contains a line break",
            ),
            (
                "pat-na1-abc\u{1b}def",
                "the access token or service key contains a control character",
            ),
        ] {
            let err = Client::new(ClientConfig::new(
                "http://127.0.0.1:9",
                AccessToken::new(token),
            ))
            .expect_err("refused");
            assert_eq!(err, ApiError::Config(why.to_owned()));
            assert_eq!(err.to_string(), format!("client configuration: {why}"));
            assert!(!err.to_string().contains("abc"));
        }
    }

    #[tokio::test]
    async fn a_request_that_cannot_be_built_fails_at_the_first_attempt() {
        // Client::new refuses what it can foresee; anything else reqwest refuses to build
        // (here a scheme it cannot send) is classified as unsendable, never retried.
        let e = reqwest::Client::new()
            .get("ftp://127.0.0.1:9/x")
            .send()
            .await
            .expect_err("ftp is not sent");
        let token = AccessToken::new(SECRET);
        assert!(
            matches!(
                transport_failure(&e, &token),
                TransportFailure::Unsendable(_)
            ),
            "{e:?}"
        );
        let e = reqwest::Client::new()
            .get("http://127.0.0.1:9/x")
            .header("x-h", "a\nb")
            .send()
            .await
            .expect_err("a line break in a header is not sent");
        assert!(matches!(
            transport_failure(&e, &token),
            TransportFailure::Unsendable(_)
        ));
    }

    #[test]
    fn an_error_body_echoing_the_token_escaped_in_json_is_scrubbed_after_parsing() {
        let token = AccessToken::new(SECRET);
        // `\u0070` is "p": the raw body does not contain the token, the parsed message does.
        let escaped = SECRET.replacen('p', "\\u0070", 1);
        let body = format!(
            r#"{{"status":"error","message":"bad token {escaped}","category":"INVALID_AUTHENTICATION","errors":[{{"message":"{escaped}","context":{{"token":["{escaped}"]}}}}]}}"#
        );
        assert!(!body.contains(SECRET));
        let err =
            error_from_body(401, body.as_bytes(), None, &token).map_text(&|s| token.redact(s));
        assert!(!format!("{err:?}").contains(SECRET), "{err:?}");
        assert!(err.to_string().contains("bad token [redacted]"), "{err}");
    }

    #[test]
    fn paths_that_would_reach_another_endpoint_are_refused() {
        for good in [
            "/crm/v3/objects/tickets",
            "/crm/v3/objects/tickets/1001",
            "/a/%2E%2Ex",
        ] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
        for bad in [
            "/crm/v3/objects/tickets/",
            "/crm/v3/objects/tickets/.",
            "/crm/v3/objects/tickets/..",
            "/crm/v3/objects/tickets/%2E%2e",
            "/crm/v3/objects/tickets//associations",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(seg("123"), "123");
        assert_eq!(seg("a/b c?d"), "a%2Fb%20c%3Fd");
        assert_eq!(seg("x@y.com"), "x%40y.com");
    }

    #[test]
    fn trailing_slash_in_base_url_is_dropped() {
        let c = Client::new(ClientConfig::new(
            "http://127.0.0.1:9/",
            AccessToken::new("t"),
        ))
        .expect("client");
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
    }

    #[test]
    fn the_date_header_is_hubspots_clock() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(server_date(&h), None);
        h.insert(
            reqwest::header::DATE,
            reqwest::header::HeaderValue::from_static("Tue, 01 Dec 2026 13:24:35 GMT"),
        );
        assert_eq!(
            server_date(&h),
            Some("2026-12-01T13:24:35Z".parse().expect("ts"))
        );
        h.insert(
            reqwest::header::DATE,
            reqwest::header::HeaderValue::from_static("yesterday"),
        );
        assert_eq!(server_date(&h), None);
    }
}
