//! A fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of a sandbox, for the client's read
//! path: it forwards most requests unchanged and, on others, does what a bad network or a
//! meddling proxy does — resets the connection before or after the sandbox processed the
//! request, answers 502 or 429, answers 200 with an HTML page or with JSON cut short (and a
//! `Content-Length` matching the cut), holds the answer past the client's timeout, or echoes
//! the request's bearer token in a body. Faults come from a queue ([`FaultProxy::push`]) or
//! a seeded plan ([`Plan`]): deterministic, and never more than a bounded number in a row for
//! the same request, so a client that retries enough always gets through.
//!
//! It speaks just enough HTTP/1.1 for the client: one request per connection (every answer
//! says `connection: close`), bodies by `Content-Length`. Loopback only.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Longest a [`Fault::Slow`] answer is held when the client does not hang up first.
const SLOW_MAX: Duration = Duration::from_secs(20);
/// Largest request head the proxy reads.
const HEAD_MAX: usize = 64 * 1024;

/// Builds a body from the request's bearer token (for [`Fault::Echo`]).
pub type EchoBody = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// What to do with one request instead of forwarding it plainly.
#[derive(Clone)]
pub enum Fault {
    /// Read the request, then reset the connection: nothing forwarded, no answer.
    ResetBeforeAnswer,
    /// Forward the request and read the whole answer (the sandbox processed it), then reset.
    ResetAfterProcessing,
    /// 502 with an HTML page, as a gateway says it; not forwarded.
    ServerError,
    /// 429 `TEN_SECONDLY_ROLLING` with `Retry-After: 1`; not forwarded.
    RateLimited,
    /// 200 with an HTML page (a captive portal, a proxy's login page); not forwarded.
    HtmlOk,
    /// Forwarded; the answer's body cut in half, `Content-Length` matching the cut.
    TruncatedJson,
    /// Forwarded; the answer held until the client hangs up (its timeout) or [`SLOW_MAX`].
    Slow,
    /// Answers `status` with `content_type` and the body `body(token)` builds from the
    /// request's bearer token; not forwarded.
    Echo {
        status: u16,
        content_type: &'static str,
        body: EchoBody,
    },
}

impl Fault {
    /// Every kind the seeded plan can inject, in the order it cycles through them.
    pub fn every_kind() -> Vec<Fault> {
        vec![
            Fault::ResetBeforeAnswer,
            Fault::ResetAfterProcessing,
            Fault::ServerError,
            Fault::RateLimited,
            Fault::HtmlOk,
            Fault::TruncatedJson,
            Fault::Slow,
        ]
    }

    /// A short name, for counting.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::ResetBeforeAnswer => "reset before answer",
            Fault::ResetAfterProcessing => "reset after processing",
            Fault::ServerError => "502",
            Fault::RateLimited => "429 with Retry-After",
            Fault::HtmlOk => "200 with HTML",
            Fault::TruncatedJson => "200 with JSON cut short",
            Fault::Slow => "slow past the timeout",
            Fault::Echo { .. } => "echo",
        }
    }
}

/// Seeded random faults: each request is faulted with probability `percent`/100, the kinds
/// taken in turn from `kinds`, and never more than `max_in_a_row` times running for the same
/// method and target.
#[derive(Clone)]
pub struct Plan {
    pub seed: u64,
    pub percent: u8,
    pub kinds: Vec<Fault>,
    pub max_in_a_row: u32,
}

struct State {
    plan: Option<Plan>,
    rng: fastrand::Rng,
    next_kind: usize,
    queue: VecDeque<Fault>,
    in_a_row: HashMap<String, u32>,
    injected: BTreeMap<&'static str, usize>,
    requests: usize,
}

struct Shared {
    upstream: String,
    http: reqwest::Client,
    state: Mutex<State>,
}

/// The proxy; it runs until the test's runtime ends.
pub struct FaultProxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream` (`http://127.0.0.1:P`),
    /// faulting per `plan` (none: only queued faults).
    pub async fn start(upstream: String, plan: Option<Plan>) -> Self {
        let shared = Arc::new(Shared {
            upstream,
            http: reqwest::Client::new(),
            state: Mutex::new(State {
                rng: fastrand::Rng::with_seed(plan.as_ref().map_or(0, |p| p.seed)),
                plan,
                next_kind: 0,
                queue: VecDeque::new(),
                in_a_row: HashMap::new(),
                injected: BTreeMap::new(),
                requests: 0,
            }),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, s.clone()));
            }
        });
        Self { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Queues faults for the next requests (before any planned ones).
    pub fn push(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().queue.extend(faults);
    }

    /// Faults injected so far, by [`Fault::name`].
    pub fn injected(&self) -> BTreeMap<&'static str, usize> {
        self.state().injected.clone()
    }

    /// Requests received so far (faulted or not).
    pub fn requests(&self) -> usize {
        self.state().requests
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().expect("lock")
    }
}

/// One request as read from the client.
struct Req {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    fn bearer(&self) -> String {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
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
}

impl Shared {
    /// The fault for this request, if any.
    fn decide(&self, req: &Req) -> Option<Fault> {
        let mut st = self.state.lock().expect("lock");
        st.requests += 1;
        let key = format!("{} {}", req.method, req.target);
        let fault = match st.queue.pop_front() {
            Some(f) => Some(f),
            None => {
                let State {
                    plan,
                    rng,
                    next_kind,
                    in_a_row,
                    ..
                } = &mut *st;
                plan.as_ref().and_then(|p| {
                    let running = in_a_row.get(&key).copied().unwrap_or(0);
                    let roll = rng.u8(0..100);
                    if running < p.max_in_a_row && roll < p.percent && !p.kinds.is_empty() {
                        let f = p.kinds[*next_kind % p.kinds.len()].clone();
                        *next_kind += 1;
                        Some(f)
                    } else {
                        None
                    }
                })
            }
        };
        match &fault {
            Some(f) => {
                *st.in_a_row.entry(key).or_insert(0) += 1;
                *st.injected.entry(f.name()).or_insert(0) += 1;
            }
            None => {
                st.in_a_row.remove(&key);
            }
        }
        fault
    }

    /// The sandbox's answer to `req` (502 when it cannot be reached).
    async fn forward(&self, req: &Req) -> Answer {
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("method");
        let mut out = self
            .http
            .request(method, format!("{}{}", self.upstream, req.target));
        for (k, v) in &req.headers {
            if !matches!(
                k.to_ascii_lowercase().as_str(),
                "host" | "content-length" | "connection"
            ) {
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
            Err(_) => Answer::new(502, "text/plain", "upstream unreachable"),
        }
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    match shared.decide(&req) {
        None => {
            let answer = shared.forward(&req).await;
            write_answer(&mut stream, &answer).await;
        }
        Some(Fault::ResetBeforeAnswer) => reset(stream),
        Some(Fault::ResetAfterProcessing) => {
            shared.forward(&req).await;
            reset(stream);
        }
        Some(Fault::ServerError) => {
            let page = "<html><head><title>502 Bad Gateway</title></head>\
                        <body><h1>502 Bad Gateway</h1></body></html>";
            write_answer(&mut stream, &Answer::new(502, "text/html", page)).await;
        }
        Some(Fault::RateLimited) => {
            let body = r#"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"fault-proxy-429","policyName":"TEN_SECONDLY_ROLLING"}"#;
            let mut answer = Answer::new(429, "application/json;charset=utf-8", body);
            answer.headers.push(("retry-after".into(), "1".into()));
            write_answer(&mut stream, &answer).await;
        }
        Some(Fault::HtmlOk) => {
            let page = "<!DOCTYPE html><html><head><title>Sign in to continue</title></head>\
                        <body><form action=\"/login\">Network login required</form></body></html>";
            write_answer(&mut stream, &Answer::new(200, "text/html", page)).await;
        }
        Some(Fault::TruncatedJson) => {
            let mut answer = shared.forward(&req).await;
            let cut = answer.body.len() / 2;
            answer.body.truncate(cut);
            write_answer(&mut stream, &answer).await;
        }
        Some(Fault::Slow) => {
            let answer = shared.forward(&req).await;
            // Wait for the client to hang up (its timeout), bounded.
            let mut byte = [0u8; 1];
            let _ = tokio::time::timeout(SLOW_MAX, stream.read(&mut byte)).await;
            write_answer(&mut stream, &answer).await;
        }
        Some(Fault::Echo {
            status,
            content_type,
            body,
        }) => {
            let answer = Answer::new(status, content_type, body(&req.bearer()));
            write_answer(&mut stream, &answer).await;
        }
    }
}

/// Reads one request: head up to the blank line, then `Content-Length` bytes of body.
async fn read_request(stream: &mut TcpStream) -> Option<Req> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > HEAD_MAX {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Req {
        method,
        target,
        headers,
        body,
    })
}

/// Writes `answer` with a `Content-Length` matching its body, and `connection: close`.
async fn write_answer(stream: &mut TcpStream, answer: &Answer) {
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
    head.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        answer.body.len()
    ));
    // The client may be gone (a slow answer past its timeout): nothing to do about it.
    if stream.write_all(head.as_bytes()).await.is_ok()
        && stream.write_all(&answer.body).await.is_ok()
    {
        let _ = stream.shutdown().await;
    }
}

/// Drops the connection with a TCP reset instead of a clean close.
fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
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
