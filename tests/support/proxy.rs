//! A counting HTTP proxy in front of a sandbox: forwards every request unchanged and records
//! its method, path and the status that came back, so a test can count exactly the PATCHes or
//! batch requests a flow sent (the sandbox's `request_count` counts everything).

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};

/// One forwarded request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// The `X-HubSpot-Correlation-Id` the sandbox answered with.
    pub correlation_id: Option<String>,
}

#[derive(Clone)]
struct Shared {
    upstream: String,
    http: reqwest::Client,
    seen: Arc<Mutex<Vec<Seen>>>,
}

pub struct Proxy {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Proxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream` (`http://127.0.0.1:P`).
    pub async fn start(upstream: String) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            upstream,
            http: reqwest::Client::new(),
            seen: seen.clone(),
        };
        let app = axum::Router::new().fallback(forward).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, seen }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    /// Requests so far whose method is `method` and whose path contains `path_part`.
    pub fn count(&self, method: &str, path_part: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.method == method && s.path.contains(path_part))
            .count()
    }
}

async fn forward(State(s): State<Shared>, req: Request) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let bytes = to_bytes(body, 64 * 1024 * 1024).await.unwrap_or_default();
    let method = reqwest::Method::from_bytes(parts.method.as_str().as_bytes()).expect("method");
    let mut out = s.http.request(method, format!("{}{path}", s.upstream));
    for (k, v) in &parts.headers {
        if k.as_str() != "host" && k.as_str() != "content-length" {
            out = out.header(k.as_str(), v.as_bytes());
        }
    }
    let answer = out.body(bytes.to_vec()).send().await;
    let (status, headers, body) = match answer {
        Ok(r) => {
            let status = r.status().as_u16();
            let headers: Vec<(String, Vec<u8>)> = r
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.as_bytes().to_vec()))
                .collect();
            (
                status,
                headers,
                r.bytes().await.unwrap_or_default().to_vec(),
            )
        }
        Err(_) => (599, Vec::new(), Vec::new()),
    };
    let correlation_id = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-hubspot-correlation-id"))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
    s.seen.lock().expect("lock").push(Seen {
        method: parts.method.as_str().to_owned(),
        path,
        status,
        correlation_id,
    });
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (k, v) in headers {
        if k == "content-length" || k == "transfer-encoding" || k == "connection" {
            continue;
        }
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_bytes(&v),
        ) {
            resp.headers_mut().append(k, v);
        }
    }
    resp
}
