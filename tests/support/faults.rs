//! A fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of a sandbox, for the client's reads
//! and the worker's writes alike. It forwards most requests unchanged and, on others, does
//! what a bad network, a meddling proxy or HubSpot losing an answer does: resets the
//! connection before forwarding (nothing arrives) or after the sandbox answered (it happened,
//! the answer is lost), answers 502 or 503 without forwarding or 503 in place of the
//! sandbox's answer, answers 429, answers 200 with an HTML page or with JSON cut short (and a
//! `Content-Length` matching the cut), holds the answer until the client gives up (its
//! timeout), or echoes the request's bearer token in a body.
//!
//! Which requests it faults is its [`Scope`]: every request, or only writes (POST, PATCH,
//! PUT, DELETE but batch reads and searches), reads then passing untouched unless told to fail
//! after a fault ([`FaultProxy::fail_reads_after_fault`]). Faults come from a queue
//! ([`FaultProxy::push`]: the next requests in scope, in order) and then from a seeded
//! [`Plan`]: deterministic, the kinds taken in turn, never more than a bounded number in a row
//! for the same request.
//!
//! Every request is logged ([`Logged`]) with what the proxy did and two points on one
//! sequence: when it arrived whole, and when its fate was settled (the sandbox answered, or
//! the proxy decided not to forward) — before anything is written back, so a request the
//! client sends after reading an answer always arrives after that answer settled. A barrier
//! can hold writes until several are at the proxy at once (to show they run concurrently).
//!
//! Raw TCP rather than an HTTP server: a reset must be a reset, with no answer at all. It
//! speaks just enough HTTP/1.1 for the client: keep-alive, bodies by `Content-Length`.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// Longest a [`Fault::SlowAfter`] answer is held when the client does not hang up first.
const SLOW_MAX: Duration = Duration::from_secs(20);
/// Largest request head the proxy reads.
const HEAD_MAX: usize = 64 * 1024;

/// Builds a body from the request's bearer token (for [`Fault::Echo`]).
pub type EchoBody = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// What the proxy does to one request.
#[derive(Clone)]
pub enum Fault {
    /// Forwarded, the sandbox's answer passed back.
    None,
    /// The connection is reset before forwarding: the request never reaches the sandbox.
    ResetBefore,
    /// Forwarded; once the sandbox answered, the connection is reset: it happened, the answer
    /// is lost.
    ResetAfter,
    /// A 502 page, as a gateway says it, without forwarding.
    BadGatewayBefore,
    /// A HubSpot-shaped 503 without forwarding.
    UnavailableBefore,
    /// Forwarded; a HubSpot-shaped 503 instead of the sandbox's answer: it happened.
    UnavailableAfter,
    /// 429 `TEN_SECONDLY_ROLLING` with `Retry-After: 1`, without forwarding.
    RateLimited,
    /// 200 with an HTML page (a captive portal, a proxy's login page), without forwarding.
    HtmlOk,
    /// Forwarded; the answer's body cut in half, `Content-Length` matching the cut.
    TruncatedJson,
    /// Forwarded; the answer is held until the client gives up waiting (its timeout) and
    /// hangs up, or for [`SLOW_MAX`]: it happened.
    SlowAfter,
    /// Answers `status` with `content_type` and the body `body(token)` builds from the
    /// request's bearer token, without forwarding.
    Echo {
        status: u16,
        content_type: &'static str,
        body: EchoBody,
    },
}

impl Fault {
    /// What the read path meets, in the order a [`Plan`] of them cycles through them.
    pub const READS: [Fault; 7] = [
        Fault::ResetBefore,
        Fault::ResetAfter,
        Fault::BadGatewayBefore,
        Fault::RateLimited,
        Fault::HtmlOk,
        Fault::TruncatedJson,
        Fault::SlowAfter,
    ];

    /// The ways a write's answer is lost (before or after it took effect), in the order a
    /// [`Plan`] of them cycles through them.
    pub const WRITES: [Fault; 5] = [
        Fault::ResetBefore,
        Fault::ResetAfter,
        Fault::BadGatewayBefore,
        Fault::UnavailableAfter,
        Fault::SlowAfter,
    ];

    /// A short name, for counting.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::None => "none",
            Fault::ResetBefore => "reset before forwarding",
            Fault::ResetAfter => "reset after processing",
            Fault::BadGatewayBefore => "502",
            Fault::UnavailableBefore => "503 before forwarding",
            Fault::UnavailableAfter => "503 after processing",
            Fault::RateLimited => "429 with Retry-After",
            Fault::HtmlOk => "200 with HTML",
            Fault::TruncatedJson => "200 with JSON cut short",
            Fault::SlowAfter => "slow past the timeout",
            Fault::Echo { .. } => "echo",
        }
    }

    /// Whether the request reaches the sandbox.
    pub fn forwards(&self) -> bool {
        matches!(
            self,
            Fault::None
                | Fault::ResetAfter
                | Fault::UnavailableAfter
                | Fault::TruncatedJson
                | Fault::SlowAfter
        )
    }

    pub fn is_none(&self) -> bool {
        matches!(self, Fault::None)
    }
}

impl fmt::Debug for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Echo {
                status,
                content_type,
                ..
            } => write!(f, "Echo({status}, {content_type})"),
            other => f.write_str(match other {
                Fault::None => "None",
                Fault::ResetBefore => "ResetBefore",
                Fault::ResetAfter => "ResetAfter",
                Fault::BadGatewayBefore => "BadGatewayBefore",
                Fault::UnavailableBefore => "UnavailableBefore",
                Fault::UnavailableAfter => "UnavailableAfter",
                Fault::RateLimited => "RateLimited",
                Fault::HtmlOk => "HtmlOk",
                Fault::TruncatedJson => "TruncatedJson",
                Fault::SlowAfter => "SlowAfter",
                Fault::Echo { .. } => "Echo",
            }),
        }
    }
}

/// Which requests the queued and planned faults go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every request.
    All,
    /// Writes only: reads pass (see [`FaultProxy::fail_reads_after_fault`]).
    Writes,
}

/// Seeded faults: each request in scope is faulted with probability `percent`/100, the kinds
/// taken in turn from `kinds`, and never more than `max_in_a_row` times running for the same
/// method and target.
#[derive(Clone)]
pub struct Plan {
    pub seed: u64,
    pub percent: u8,
    pub kinds: Vec<Fault>,
    pub max_in_a_row: u32,
}

/// One request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    /// Path and query.
    pub path: String,
    pub body: String,
    pub write: bool,
    pub fault: Fault,
    /// Whether it reached the sandbox.
    pub forwarded: bool,
    /// The status the sandbox answered (when forwarded) — not necessarily what the client got.
    pub upstream_status: Option<u16>,
    /// Points on the proxy's one sequence: arrived whole, fate settled.
    pub arrived: u64,
    pub settled: u64,
}

impl Logged {
    /// Whether this request's time at the sandbox overlapped `other`'s.
    pub fn overlaps(&self, other: &Logged) -> bool {
        self.arrived < other.settled && other.arrived < self.settled
    }

    /// The tickets a write touches: by path (`/crm/v3|v4/objects/tickets/{id}/...`), or by
    /// the `inputs` of a batch update or archive.
    pub fn tickets(&self) -> Vec<String> {
        let path = self.path.split('?').next().unwrap_or(&self.path);
        if path.ends_with("/batch/update") || path.ends_with("/batch/archive") {
            let body: serde_json::Value = serde_json::from_str(&self.body).expect("batch body");
            return body["inputs"]
                .as_array()
                .expect("inputs")
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned())
                .collect();
        }
        let rest = path
            .strip_prefix("/crm/v3/objects/tickets/")
            .or_else(|| path.strip_prefix("/crm/v4/objects/tickets/"));
        rest.and_then(|r| r.split('/').next())
            .map(|id| vec![id.to_owned()])
            .unwrap_or_default()
    }
}

struct State {
    scope: Scope,
    queue: VecDeque<Fault>,
    plan: Option<Plan>,
    rng: fastrand::Rng,
    next_kind: usize,
    in_a_row: HashMap<String, u32>,
    injected: BTreeMap<&'static str, usize>,
    requests: usize,
    /// Reads to fail (503, not forwarded) after each injected fault, and those still to fail.
    reads_after_fault: usize,
    reads_to_fail: usize,
    /// Writes are held until this many are at the proxy at once (then the barrier lifts).
    barrier: Option<usize>,
    at_proxy: usize,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    seq: AtomicU64,
    state: Mutex<State>,
    barrier: Notify,
    log: Mutex<Vec<Logged>>,
}

/// The proxy; it runs until the test's runtime ends.
pub struct FaultProxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream` (`http://127.0.0.1:P`);
    /// no faults until told, then only on the requests `scope` says.
    pub async fn start(upstream: String, scope: Scope) -> Self {
        let shared = Arc::new(Shared {
            upstream,
            http: reqwest::Client::new(),
            seq: AtomicU64::new(0),
            state: Mutex::new(State {
                scope,
                queue: VecDeque::new(),
                plan: None,
                rng: fastrand::Rng::with_seed(0),
                next_kind: 0,
                in_a_row: HashMap::new(),
                injected: BTreeMap::new(),
                requests: 0,
                reads_after_fault: 0,
                reads_to_fail: 0,
                barrier: None,
                at_proxy: 0,
            }),
            barrier: Notify::new(),
            log: Mutex::new(Vec::new()),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let _ = conn.set_nodelay(true);
                tokio::spawn(serve(s.clone(), conn));
            }
        });
        Self { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next requests in scope get these faults, in order (before any planned ones).
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().queue.extend(faults);
    }

    /// After the queue, requests in scope are faulted as `plan` says.
    pub fn plan(&self, plan: Plan) {
        let mut st = self.state();
        st.rng = fastrand::Rng::with_seed(plan.seed);
        st.next_kind = 0;
        st.plan = Some(plan);
    }

    /// After each injected fault, the next `n` reads answer 503 without forwarding.
    pub fn fail_reads_after_fault(&self, n: usize) {
        self.state().reads_after_fault = n;
    }

    /// Holds writes until `n` are at the proxy at once; then lets them all go (once).
    pub fn barrier(&self, n: usize) {
        self.state().barrier = Some(n);
    }

    /// Faults injected so far, by [`Fault::name`].
    pub fn injected(&self) -> BTreeMap<&'static str, usize> {
        self.state().injected.clone()
    }

    /// Requests received so far (faulted or not).
    pub fn requests(&self) -> usize {
        self.state().requests
    }

    /// Every request settled so far, in the order they settled.
    pub fn log(&self) -> Vec<Logged> {
        self.shared.log.lock().unwrap().clone()
    }

    pub fn writes(&self) -> Vec<Logged> {
        self.log().into_iter().filter(|l| l.write).collect()
    }

    /// Writes that carried a fault.
    pub fn faulted(&self) -> Vec<Logged> {
        self.writes()
            .into_iter()
            .filter(|l| !l.fault.is_none())
            .collect()
    }

    /// Panics if any write (same method, path and body) reached the sandbox twice.
    pub fn assert_no_write_forwarded_twice(&self) {
        let mut seen = HashSet::new();
        for w in self.writes().into_iter().filter(|w| w.forwarded) {
            let key = (w.method.clone(), w.path.clone(), w.body.clone());
            assert!(
                seen.insert(key),
                "sent twice: {} {} {}",
                w.method,
                w.path,
                w.body
            );
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.state.lock().expect("lock")
    }
}

/// Whether a request changes something: reads by POST (batch read, search) are reads.
fn is_write(method: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    match method {
        "GET" | "HEAD" | "OPTIONS" => false,
        "POST" => !(path.ends_with("/batch/read") || path.ends_with("/search")),
        _ => true,
    }
}

// ---------------------------------------------------------------- choosing the fault

impl State {
    /// The fault for one request, counted.
    fn decide(&mut self, method: &str, path: &str, write: bool) -> Fault {
        self.requests += 1;
        if !write && self.reads_to_fail > 0 {
            self.reads_to_fail -= 1;
            self.count(&Fault::UnavailableBefore);
            return Fault::UnavailableBefore;
        }
        if !write && self.scope == Scope::Writes {
            return Fault::None;
        }
        let key = format!("{method} {path}");
        let fault = match self.queue.pop_front() {
            Some(f) => f,
            None => self.planned(&key),
        };
        if fault.is_none() {
            self.in_a_row.remove(&key);
        } else {
            *self.in_a_row.entry(key).or_insert(0) += 1;
            self.count(&fault);
            self.reads_to_fail = self.reads_after_fault;
        }
        fault
    }

    /// The seeded plan's choice for a request to `key`.
    fn planned(&mut self, key: &str) -> Fault {
        let Some(p) = &self.plan else {
            return Fault::None;
        };
        let running = self.in_a_row.get(key).copied().unwrap_or(0);
        let roll = self.rng.u8(0..100);
        if running < p.max_in_a_row && roll < p.percent && !p.kinds.is_empty() {
            let f = p.kinds[self.next_kind % p.kinds.len()].clone();
            self.next_kind += 1;
            f
        } else {
            Fault::None
        }
    }

    fn count(&mut self, fault: &Fault) {
        *self.injected.entry(fault.name()).or_insert(0) += 1;
    }
}

/// Waits at the barrier, if one is up, until enough writes are at the proxy at once.
async fn barrier(s: &Shared) {
    {
        let mut st = s.state.lock().unwrap();
        let Some(n) = st.barrier else { return };
        st.at_proxy += 1;
        if st.at_proxy >= n {
            st.barrier = None;
            s.barrier.notify_waiters();
            return;
        }
    }
    loop {
        let notified = s.barrier.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if s.state.lock().unwrap().barrier.is_none() {
            return;
        }
        notified.await;
    }
}

// ---------------------------------------------------------------- one connection

/// One request as read from the client.
struct Request {
    method: String,
    /// Path and query.
    path: String,
    /// Names in lower case.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn bearer(&self) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .and_then(|(_, v)| v.strip_prefix("Bearer "))
            .unwrap_or_default()
            .to_owned()
    }
}

/// One answer to write back.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// A gateway's 502 page.
    fn bad_gateway() -> Self {
        let page = "<html><head><title>502 Bad Gateway</title></head>\
                    <body><h1>502 Bad Gateway</h1></body></html>";
        Self::new(502, "text/html", page)
    }

    /// A HubSpot-shaped 503.
    fn unavailable() -> Self {
        let body = serde_json::json!({
            "status": "error",
            "message": "injected 503 by the test proxy",
            "correlationId": "00000000-0000-4000-8000-00000000fa17",
            "category": "INTERNAL_ERROR",
        });
        Self::new(503, "application/json;charset=utf-8", body.to_string())
    }

    /// HubSpot's burst-window 429.
    fn rate_limited() -> Self {
        let body = r#"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"fault-proxy-429","policyName":"TEN_SECONDLY_ROLLING"}"#;
        let mut answer = Self::new(429, "application/json;charset=utf-8", body);
        answer.headers.push(("retry-after".into(), "1".into()));
        answer
    }

    /// A login page where JSON was expected.
    fn html_ok() -> Self {
        let page = "<!DOCTYPE html><html><head><title>Sign in to continue</title></head>\
                    <body><form action=\"/login\">Network login required</form></body></html>";
        Self::new(200, "text/html", page)
    }
}

async fn serve(s: Arc<Shared>, mut conn: TcpStream) {
    let mut buf = Vec::new();
    while let Some(req) = read_request(&mut conn, &mut buf).await {
        let arrived = s.seq.fetch_add(1, Ordering::SeqCst);
        let write = is_write(&req.method, &req.path);
        let fault = s
            .state
            .lock()
            .unwrap()
            .decide(&req.method, &req.path, write);
        if write {
            barrier(&s).await;
        }
        let upstream = if fault.forwards() {
            Some(s.forward(&req).await)
        } else {
            None
        };
        let settled = s.seq.fetch_add(1, Ordering::SeqCst);
        s.log.lock().unwrap().push(Logged {
            method: req.method.clone(),
            path: req.path.clone(),
            body: String::from_utf8_lossy(&req.body).into_owned(),
            write,
            fault: fault.clone(),
            forwarded: upstream.is_some(),
            upstream_status: upstream.as_ref().map(|u| u.status),
            arrived,
            settled,
        });
        if !carry_out(&mut conn, &req, fault, upstream).await {
            return;
        }
    }
}

/// Answers as `fault` says (`upstream`: the sandbox's answer, when forwarded); whether the
/// connection stays usable.
async fn carry_out(
    conn: &mut TcpStream,
    req: &Request,
    fault: Fault,
    upstream: Option<Answer>,
) -> bool {
    let upstream =
        || upstream.unwrap_or_else(|| Answer::new(502, "text/plain", "upstream unreachable"));
    match fault {
        Fault::None => respond(conn, &upstream()).await,
        Fault::ResetBefore | Fault::ResetAfter => {
            // A reset, not a polite close: no answer at all.
            let _ = conn.set_zero_linger();
            false
        }
        Fault::BadGatewayBefore => respond(conn, &Answer::bad_gateway()).await,
        Fault::UnavailableBefore | Fault::UnavailableAfter => {
            respond(conn, &Answer::unavailable()).await
        }
        Fault::RateLimited => respond(conn, &Answer::rate_limited()).await,
        Fault::HtmlOk => respond(conn, &Answer::html_ok()).await,
        Fault::TruncatedJson => {
            let mut answer = upstream();
            let cut = answer.body.len() / 2;
            answer.body.truncate(cut);
            respond(conn, &answer).await
        }
        Fault::SlowAfter => {
            // Held until the client gives up (it hangs up on its timeout), bounded; if it is
            // still there, it gets the answer, and the connection closes.
            let mut sink = [0u8; 1024];
            let hung_up = async { while matches!(conn.read(&mut sink).await, Ok(n) if n > 0) {} };
            let _ = tokio::time::timeout(SLOW_MAX, hung_up).await;
            respond(conn, &upstream()).await;
            false
        }
        Fault::Echo {
            status,
            content_type,
            body,
        } => {
            respond(
                conn,
                &Answer::new(status, content_type, body(&req.bearer())),
            )
            .await
        }
    }
}

impl Shared {
    /// The sandbox's answer to `req` (502 when it cannot be reached).
    async fn forward(&self, req: &Request) -> Answer {
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("method");
        let mut out = self
            .http
            .request(method, format!("{}{}", self.upstream, req.path));
        for (k, v) in &req.headers {
            if !matches!(k.as_str(), "host" | "content-length" | "connection") {
                out = out.header(k.as_str(), v.as_str());
            }
        }
        match out.body(req.body.clone()).send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                let headers = r
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                let body = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                Answer {
                    status,
                    headers,
                    body,
                }
            }
            Err(e) => Answer::new(502, "text/plain", format!("upstream unreachable: {e}")),
        }
    }
}

/// Reads one request from `conn` (what is left of the last read in `buf`): the head up to
/// the blank line, then `Content-Length` bytes of body. `None` when the client closed the
/// connection or sent something this proxy does not read.
async fn read_request(conn: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > HEAD_MAX {
            return None;
        }
        read_more(conn, buf).await?;
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    assert!(
        !headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked")),
        "chunked request bodies are not supported by this proxy"
    );
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        read_more(conn, buf).await?;
    }
    let body = buf[head_end..head_end + len].to_vec();
    buf.drain(..head_end + len);
    Some(Request {
        method,
        path,
        headers,
        body,
    })
}

/// Appends what the client sent next; `None` when it closed the connection.
async fn read_more(conn: &mut TcpStream, buf: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 8192];
    let n = conn.read(&mut chunk).await.ok()?;
    if n == 0 {
        return None;
    }
    buf.extend_from_slice(&chunk[..n]);
    Some(())
}

/// Writes `answer` with a `Content-Length` matching its body; whether the connection stays
/// usable (the client may be gone: nothing to do about it).
async fn respond(conn: &mut TcpStream, answer: &Answer) -> bool {
    let reason = StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", answer.status);
    for (k, v) in &answer.headers {
        if !matches!(
            k.to_ascii_lowercase().as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", answer.body.len()));
    // One write: a head and a body written apart would wait out Nagle and a delayed ACK.
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&answer.body);
    conn.write_all(&bytes).await.is_ok()
}

/// The first run of 4 or more characters of `token` that shows in `text`, if any: a leak of
/// part of a token is a leak. (Pick test tokens whose 4-character runs ordinary text lacks.)
pub fn token_part_in(text: &str, token: &str) -> Option<String> {
    let chars: Vec<char> = token.chars().collect();
    chars
        .windows(4)
        .map(|w| w.iter().collect::<String>())
        .find(|part| text.contains(part.as_str()))
}
