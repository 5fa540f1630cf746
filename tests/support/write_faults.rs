//! A loopback HTTP/1.1 proxy in front of a sandbox that injects faults into **writes** (POST,
//! PATCH, PUT, DELETE other than batch reads and searches) the way networks and HubSpot lose
//! answers: the connection reset before forwarding (the write never arrives) or after HubSpot
//! answered (it happened, the answer is lost), a 5xx without forwarding or in place of
//! HubSpot's answer, or an answer held until the client gives up (its timeout; the write
//! happened). Reads pass through untouched unless told to fail after a fault.
//!
//! Faults come from a script (the next writes, in order) and then, optionally, from a seeded
//! generator at a given rate. Every request is logged with what the proxy did and two points
//! on one sequence: when it arrived whole, and when its fate was settled (HubSpot answered,
//! or the proxy decided not to forward) — before anything is written back, so a request the
//! client sends after reading an answer always arrives after that answer settled. A barrier
//! can hold writes until several are at the proxy at once (to show they run concurrently).
//!
//! Raw TCP rather than an HTTP server: a reset must be a reset, with no answer at all.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// What the proxy does to one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Forwarded, HubSpot's answer passed back.
    None,
    /// The connection is reset before forwarding: the write never reaches HubSpot.
    ResetBefore,
    /// Forwarded; once HubSpot answered, the connection is reset: it happened, answer lost.
    ResetAfter,
    /// A 502 without forwarding: the write never reaches HubSpot.
    BadGatewayBefore,
    /// Forwarded; a 503 instead of HubSpot's answer: it happened.
    UnavailableAfter,
    /// Forwarded; the answer is held until the client gives up waiting (its timeout) and
    /// closes the connection: it happened.
    SlowAfter,
}

impl Fault {
    /// Every fault that is one.
    pub const ALL: [Fault; 5] = [
        Fault::ResetBefore,
        Fault::ResetAfter,
        Fault::BadGatewayBefore,
        Fault::UnavailableAfter,
        Fault::SlowAfter,
    ];

    /// Whether the write reaches HubSpot.
    pub fn forwards(self) -> bool {
        !matches!(self, Fault::ResetBefore | Fault::BadGatewayBefore)
    }
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
}

#[derive(Default)]
struct Plan {
    script: std::collections::VecDeque<Fault>,
    /// Seeded faults after the script: the generator and the chance in percent.
    seeded: Option<(fastrand::Rng, u32)>,
    /// Reads to fail (503, not forwarded) after each injected fault.
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
    plan: Mutex<Plan>,
    barrier: Notify,
    log: Mutex<Vec<Logged>>,
}

pub struct WriteFaults {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl WriteFaults {
    /// Listens on 127.0.0.1 (a free port), forwarding to `upstream` (`http://127.0.0.1:P`);
    /// no faults until told.
    pub async fn start(upstream: String) -> Self {
        let shared = Arc::new(Shared {
            upstream,
            http: reqwest::Client::new(),
            seq: AtomicU64::new(0),
            plan: Mutex::new(Plan::default()),
            barrier: Notify::new(),
            log: Mutex::new(Vec::new()),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                tokio::spawn(serve(s.clone(), conn));
            }
        });
        Self { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The next writes get these faults, in order (then the seeded ones, if any).
    pub fn script(&self, faults: impl IntoIterator<Item = Fault>) {
        self.shared.plan.lock().unwrap().script.extend(faults);
    }

    /// After the script, each write gets a fault with `percent` chance, the kind drawn from
    /// [`Fault::ALL`], all from `seed`.
    pub fn seeded(&self, seed: u64, percent: u32) {
        self.shared.plan.lock().unwrap().seeded = Some((fastrand::Rng::with_seed(seed), percent));
    }

    /// After each injected fault, the next `n` reads answer 503 without forwarding.
    pub fn fail_reads_after_fault(&self, n: usize) {
        self.shared.plan.lock().unwrap().reads_after_fault = n;
    }

    /// Holds writes until `n` are at the proxy at once; then lets them all go (once).
    pub fn barrier(&self, n: usize) {
        self.shared.plan.lock().unwrap().barrier = Some(n);
    }

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
            .filter(|l| l.fault != Fault::None)
            .collect()
    }

    /// Panics if any write (same method, path and body) reached the sandbox twice.
    pub fn assert_no_write_forwarded_twice(&self) {
        let mut seen = std::collections::HashSet::new();
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

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Reads one request; `None` when the client closed the connection.
async fn read_request(conn: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 8192];
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
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
        let mut chunk = [0u8; 8192];
        let n = conn.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
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

/// What to do with a request, decided when it arrives.
fn decide(s: &Shared, write: bool) -> Fault {
    let mut plan = s.plan.lock().unwrap();
    if !write {
        if plan.reads_to_fail > 0 {
            plan.reads_to_fail -= 1;
            // Reads failed this way answer 503 unforwarded.
            return Fault::BadGatewayBefore;
        }
        return Fault::None;
    }
    let fault = match plan.script.pop_front() {
        Some(f) => f,
        None => match &mut plan.seeded {
            Some((rng, percent)) => {
                if rng.u32(0..100) < *percent {
                    Fault::ALL[rng.usize(0..Fault::ALL.len())]
                } else {
                    Fault::None
                }
            }
            None => Fault::None,
        },
    };
    if fault != Fault::None {
        plan.reads_to_fail = plan.reads_after_fault;
    }
    fault
}

/// Waits at the barrier, if one is up, until enough writes are at the proxy at once.
async fn barrier(s: &Shared) {
    {
        let mut plan = s.plan.lock().unwrap();
        let Some(n) = plan.barrier else { return };
        plan.at_proxy += 1;
        if plan.at_proxy >= n {
            plan.barrier = None;
            s.barrier.notify_waiters();
            return;
        }
    }
    loop {
        let notified = s.barrier.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if s.plan.lock().unwrap().barrier.is_none() {
            return;
        }
        notified.await;
    }
}

async fn serve(s: Arc<Shared>, mut conn: TcpStream) {
    let mut buf = Vec::new();
    while let Some(req) = read_request(&mut conn, &mut buf).await {
        let arrived = s.seq.fetch_add(1, Ordering::SeqCst);
        let write = is_write(&req.method, &req.path);
        let fault = decide(&s, write);
        if write {
            barrier(&s).await;
        }
        let read_failure = !write && fault != Fault::None;
        let forwarded = if read_failure {
            false
        } else {
            fault.forwards()
        };
        let upstream = if forwarded {
            Some(forward(&s, &req).await)
        } else {
            None
        };
        let settled = s.seq.fetch_add(1, Ordering::SeqCst);
        s.log.lock().unwrap().push(Logged {
            method: req.method.clone(),
            path: req.path.clone(),
            body: String::from_utf8_lossy(&req.body).into_owned(),
            write,
            fault: if write { fault } else { Fault::None },
            forwarded,
            upstream_status: upstream.as_ref().map(|u| u.0),
            arrived,
            settled,
        });
        let keep = match (fault, upstream) {
            (Fault::None, Some((status, headers, body))) => {
                respond(&mut conn, status, &headers, &body).await
            }
            (Fault::BadGatewayBefore, _) => {
                let status = if read_failure { 503 } else { 502 };
                respond(&mut conn, status, &[], &error_body(status)).await
            }
            (Fault::UnavailableAfter, _) => respond(&mut conn, 503, &[], &error_body(503)).await,
            (Fault::ResetBefore | Fault::ResetAfter, _) => {
                // A reset, not a polite close: no answer at all.
                let _ = conn.set_zero_linger();
                false
            }
            (Fault::SlowAfter, _) => {
                // Held until the client gives up: it closes the connection on its timeout.
                let mut sink = [0u8; 1024];
                while matches!(conn.read(&mut sink).await, Ok(n) if n > 0) {}
                false
            }
            (Fault::None, None) => false,
        };
        if !keep {
            return;
        }
    }
}

type Answer = (u16, Vec<(String, String)>, Vec<u8>);

async fn forward(s: &Shared, req: &Request) -> Answer {
    let method = reqwest::Method::from_bytes(req.method.as_bytes()).expect("method");
    let mut out = s
        .http
        .request(method, format!("{}{}", s.upstream, req.path));
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
                .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect();
            (
                status,
                headers,
                r.bytes().await.unwrap_or_default().to_vec(),
            )
        }
        Err(e) => (599, Vec::new(), e.to_string().into_bytes()),
    }
}

/// Writes an answer; whether the connection stays usable.
async fn respond(
    conn: &mut TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> bool {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (k, v) in headers {
        if matches!(
            k.as_str(),
            "content-length" | "transfer-encoding" | "connection"
        ) {
            continue;
        }
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if !headers.iter().any(|(k, _)| k == "content-type") && !body.is_empty() {
        head.push_str("content-type: application/json;charset=utf-8\r\n");
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    conn.write_all(head.as_bytes()).await.is_ok() && conn.write_all(body).await.is_ok()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        207 => "Multi-Status",
        400 => "Bad Request",
        404 => "Not Found",
        409 => "Conflict",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A HubSpot-shaped error body for an injected 5xx.
fn error_body(status: u16) -> Vec<u8> {
    serde_json::json!({
        "status": "error",
        "message": format!("injected {status} by the test proxy"),
        "correlationId": "00000000-0000-4000-8000-00000000fa17",
        "category": "INTERNAL_ERROR",
    })
    .to_string()
    .into_bytes()
}
