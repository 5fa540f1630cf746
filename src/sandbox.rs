//! The HubSpot-compatible sandbox server (axum). It serves the demo mode, `hubtix sandbox`
//! and every integration test over real HTTP on 127.0.0.1.
//!
//! It builds its JSON from its own store with `serde_json`, never from the client's types
//! (see `../shared/ARCHITECTURE.md` §2). This file is the front door: configuration,
//! spawning, and per request the latency, injected faults, body limit, token check and rate
//! limits, before the router. Modules, by layer (top first):
//! - `routes`: the router only (method + path segments -> handler)
//! - handlers: `objects` (list, get, create, update, archive), `batch` (one function per
//!   batch operation), `search`, `assoc` (v3/v4 association routes, labels), `metadata`
//!   (properties, pipelines, owners: reads), `property_writes` (properties and groups:
//!   create, update, archive, batch), `pipeline_writes` (pipelines and stages: create,
//!   replace, update, archive, audits)
//! - `records` (record writes and lookups: create, update, archive, apply changes, unique
//!   index, `idProperty`), `render` (record, history and batch JSON, batch errors), `merge`
//!   (two records into a new one; old IDs resolving to it), `meta_json` (property, group,
//!   pipeline and stage JSON and their 404s)
//! - foundations: `http` (`Req`, `Reply`, query/body helpers, routing errors), `errors`
//!   (HubSpot error bodies), `state` (`AppState`), `store` (records, history, edges,
//!   owners, the schema), `schema` (the writable property definitions, groups, pipelines
//!   and audit trail), `model` (object kinds, association types, built-in property
//!   definitions and pipelines),
//!   `validate` (property validation), `seed` (deterministic data for (seed, tickets)),
//!   `faults` (test control), `rate_limit` (a private app's limits: ten-secondly, daily, search)
//!
//! Dependencies run one way, down the layers, never up:
//! ```text
//! sandbox.rs -> routes -> objects | batch | search | assoc | metadata | property_writes | pipeline_writes
//!            -> records | render | meta_json | merge
//!            -> http | errors | state | store | schema | model | validate | seed | faults | rate_limit
//! ```
//! A module may also use one of its own layer as long as no cycle forms (the foundations
//! do: `validate -> store -> model`). Nothing imports from `routes` or from `sandbox.rs`
//! (a `super::Item` that is not a module reaches into the root and counts as an upward
//! arrow). What two handlers share moves down into `records`, `render` or `http` rather
//! than one handler importing another. No function outside tests is longer than 120 lines.
//! `tests/architecture_sandbox.rs` checks the layers, the absence of cycles and the function
//! length; a new module goes into its layer table there and into this list.
//!
//! Routes (all require `Authorization: Bearer <token>`; `{type}` accepts singular/plural
//! names and type ids such as `0-5`; objects: tickets, contacts, companies, deals, notes,
//! emails, calls, tasks, meetings):
//! - `GET|POST /crm/v3/objects/{type}`, `GET|PATCH|DELETE /crm/v3/objects/{type}/{id}`
//! - `POST /crm/v3/objects/{type}/batch/{read|create|update|upsert|archive}`
//! - `POST /crm/v3/objects/{type}/search`, `POST /crm/v3/objects/{type}/merge`
//! - `GET /crm/v3/objects/{type}/{id}/associations/{toType}`,
//!   `PUT|DELETE /crm/v3/objects/{type}/{id}/associations/{toType}/{toId}/{typeIdOrName}`
//! - `GET /crm/v4/objects/{type}/{id}/associations/{toType}`,
//!   `PUT|DELETE /crm/v4/objects/{type}/{id}/associations/{toType}/{toId}`,
//!   `PUT /crm/v4/objects/{type}/{id}/associations/default/{toType}/{toId}`
//! - `POST /crm/v4/associations/{from}/{to}/batch/{read|create|archive|associate/default|labels/archive}`
//! - `GET /crm/v4/associations/{from}/{to}/labels` and `GET /crm/associations/v4/{from}/{to}/labels`
//! - `POST /crm/v3/associations/{from}/{to}/batch/{read|create|archive}`
//! - `GET|POST /crm/v3/properties/{type}`, `GET|PATCH|DELETE /crm/v3/properties/{type}/{name}`,
//!   `POST /crm/v3/properties/{type}/batch/{create|read|archive}`,
//!   `GET|POST /crm/v3/properties/{type}/groups`, `GET|PATCH|DELETE .../groups/{groupName}`
//! - `GET|POST /crm/v3/pipelines/{type}`, `GET|PUT|PATCH|DELETE /crm/v3/pipelines/{type}/{id}`,
//!   `GET|POST .../{id}/stages`, `GET|PUT|PATCH|DELETE .../{id}/stages/{stageId}`,
//!   `GET .../{id}/audit`, `GET .../{id}/stages/{stageId}/audit`
//! - `GET /crm/v3/owners`, `GET /crm/v3/owners/{id}`

mod assoc;
mod batch;
mod errors;
mod faults;
mod http;
mod merge;
mod meta_json;
mod metadata;
mod model;
mod objects;
mod pipeline_writes;
mod property_writes;
mod rate_limit;
mod records;
mod render;
mod routes;
mod schema;
mod search;
mod seed;
mod state;
mod store;
mod validate;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Response, StatusCode, header};
use futures_util::StreamExt;

pub use faults::Faults;
pub use rate_limit::RateLimit;
use state::AppState;

/// The email of the seeded owner `--demo` treats as "me" (views with `@me`).
pub const DEMO_ME: &str = "alice.johnson@hubtix-demo.example.com";

/// How a sandbox is started.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// 0 picks a free port.
    pub port: u16,
    /// The bearer token the sandbox accepts.
    pub token: String,
    /// Number of seeded (live) tickets.
    pub tickets: usize,
    /// Seed for the deterministic data.
    pub seed: u64,
    /// Latency added to every response.
    pub latency: Duration,
    /// HubSpot's limits: a private app's by default ([`RateLimit::PRIVATE_APP`]); `None`
    /// turns them off (benchmarks).
    pub rate_limit: Option<RateLimit>,
    /// When the seeded data ends, in epoch milliseconds: every seeded timestamp is shifted by
    /// `reference_ms - 2026-11-01T00:00:00Z`, so the data looks recent at that moment (demo
    /// mode passes the current hour). `None`: the fixed reference 2026-11-01T00:00:00Z, for
    /// reproducible tests. The data is deterministic for a given (seed, tickets, reference).
    pub reference_ms: Option<i64>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            token: "demo-token".to_owned(),
            tickets: 500,
            seed: 42,
            latency: Duration::ZERO,
            rate_limit: Some(RateLimit::PRIVATE_APP),
            reference_ms: None,
        }
    }
}

/// The current time rounded down to the hour, in epoch milliseconds: the `reference_ms` demo
/// mode gives its sandbox (stable within the hour, so restarting the demo shows the same data).
pub fn current_hour_ms() -> i64 {
    const HOUR: i64 = 3_600_000;
    jiff::Timestamp::now().as_millisecond().div_euclid(HOUR) * HOUR
}

/// A running sandbox.
pub struct SandboxHandle {
    addr: SocketAddr,
    faults: Arc<Faults>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl SandboxHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Test control (in-process).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }
    /// Graceful stop: in-flight requests finish, then the server task ends.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Binds 127.0.0.1:`config.port` and serves in a background task on the current runtime.
pub async fn spawn(config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port)).await?;
    let addr = listener.local_addr()?;
    let (seed, tickets, reference) = (config.seed, config.tickets, config.reference_ms);
    let store = tokio::task::spawn_blocking(move || seed::build(seed, tickets, reference))
        .await
        .map_err(std::io::Error::other)?;
    let faults = Arc::new(Faults::with_latency(config.latency));
    let state = Arc::new(AppState {
        store: RwLock::new(store),
        faults: faults.clone(),
        limiter: rate_limit::Limiter::new(config.rate_limit),
        token: config.token,
        base_url: format!("http://{addr}"),
    });
    let app = Router::new().fallback(handle).with_state(state);
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    tracing::debug!(%addr, "sandbox listening");
    Ok(SandboxHandle {
        addr,
        faults,
        stop,
        task,
    })
}

/// Runs a sandbox in the foreground until Ctrl-C or SIGTERM. `on_ready` is called once the
/// socket is bound (the CLI prints `listening on http://127.0.0.1:PORT` there).
pub async fn serve_until_shutdown(
    config: SandboxConfig,
    on_ready: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let handle = spawn(config).await?;
    on_ready(handle.addr());
    shutdown_signal().await;
    handle.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The largest request body the sandbox reads: 16 MiB, room for a batch of 100 inputs with
/// long text values, far below what would let a few requests exhaust memory. HubSpot's own
/// request size limit is UNCONFIRMED (not in the docs available here); so is its answer to a
/// body over it. The sandbox answers the most plausible way, 413 Payload Too Large with
/// HubSpot's error body, without reading the body whole.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

fn body_too_large() -> errors::ApiError {
    errors::ApiError::new(
        413,
        "PAYLOAD_TOO_LARGE",
        format!("The request body is larger than the limit of {MAX_BODY_BYTES} bytes."),
    )
}

/// Reads the request body up to [`MAX_BODY_BYTES`]. A body announced larger is refused from
/// its `Content-Length` before any of it is read; a streamed one as soon as it passes the
/// limit, so memory never holds more than the limit.
async fn read_body(
    headers: &axum::http::HeaderMap,
    body: Body,
) -> Result<axum::body::Bytes, errors::ApiError> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(body_too_large());
    }
    let mut buf = Vec::with_capacity(
        announced.map_or(0, |n| usize::try_from(n).unwrap_or(0).min(MAX_BODY_BYTES)),
    );
    let mut frames = body.into_data_stream();
    while let Some(frame) = frames.next().await {
        let bytes = frame.map_err(|e| {
            errors::ApiError::validation(format!("The request body could not be read: {e}"))
        })?;
        if buf.len() + bytes.len() > MAX_BODY_BYTES {
            return Err(body_too_large());
        }
        buf.extend_from_slice(&bytes);
    }
    Ok(buf.into())
}

fn respond(status: u16, body: Option<&serde_json::Value>, correlation: &str) -> Response<Body> {
    let mut resp = match body {
        Some(v) => {
            let mut r = Response::new(Body::from(v.to_string()));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=utf-8"),
            );
            r
        }
        None => Response::new(Body::empty()),
    };
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(correlation) {
        resp.headers_mut().insert("x-hubspot-correlation-id", v);
    }
    resp
}

fn error_response(e: &errors::ApiError, correlation: &str) -> Response<Body> {
    let mut r = respond(e.status, Some(&e.body(correlation)), correlation);
    for (k, v) in &e.headers {
        r.headers_mut().insert(*k, HeaderValue::from_static(v));
    }
    r
}

fn add_rate_headers(resp: &mut Response<Body>, h: &rate_limit::Headers) {
    let hs = resp.headers_mut();
    let pairs = [
        ("x-hubspot-ratelimit-max", h.max.to_string()),
        ("x-hubspot-ratelimit-remaining", h.remaining.to_string()),
        (
            "x-hubspot-ratelimit-interval-milliseconds",
            h.interval_ms.to_string(),
        ),
        ("x-hubspot-ratelimit-daily", h.daily.to_string()),
        (
            "x-hubspot-ratelimit-daily-remaining",
            h.daily_remaining.to_string(),
        ),
    ];
    for (k, v) in pairs {
        if let Ok(v) = HeaderValue::from_str(&v) {
            hs.insert(k, v);
        }
    }
}

/// Every request: latency, body limit, injected faults, token, rate limits, then the router.
async fn handle(State(app): State<Arc<AppState>>, req: Request) -> Response<Body> {
    app.faults.count_request();
    let latency = app.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let correlation = errors::uuid();
    let (parts, body) = req.into_parts();
    let bytes = match read_body(&parts.headers, body).await {
        Ok(bytes) => bytes,
        Err(e) => return error_response(&e, &correlation),
    };
    if let Some(resp) = injected_fault(&app, &correlation) {
        return resp;
    }
    if !authorized(&app, &parts.headers) {
        return error_response(&errors::ApiError::unauthorized(), &correlation);
    }

    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let rate_headers = match rate_limit(&app, &method, &path) {
        Ok(h) => h,
        Err((e, h)) => {
            let mut r = error_response(&e, &correlation);
            if let Some(h) = h {
                add_rate_headers(&mut r, &h);
            }
            return r;
        }
    };

    let query: Vec<(String, String)> =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map(|q| q.0)
            .unwrap_or_default();
    let r = http::Req {
        method: &method,
        path: &path,
        raw_query: &raw_query,
        query,
        body: &bytes,
        base_url: &app.base_url,
    };
    let mut resp = match routes::dispatch(&app, &r) {
        Ok(reply) => respond(reply.status, reply.body.as_ref(), &correlation),
        Err(e) => error_response(&e, &correlation),
    };
    if let Some(h) = rate_headers {
        add_rate_headers(&mut resp, &h);
    }
    resp
}

/// The answer of an injected fault, if one is pending (test control).
fn injected_fault(app: &AppState, correlation: &str) -> Option<Response<Body>> {
    match app.faults.take()? {
        faults::Injected::Fail(code) => Some(error_response(
            &errors::ApiError::for_status(code),
            correlation,
        )),
        faults::Injected::Malformed => {
            let mut r = Response::new(Body::from(
                r#"{"results":[{"id":"1001","properties":{"subject":"Trunc"#,
            ));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json;charset=utf-8"),
            );
            Some(r)
        }
    }
}

/// Whether the request carries the sandbox's bearer token (and it was not revoked).
fn authorized(app: &AppState, headers: &axum::http::HeaderMap) -> bool {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    token == Some(app.token.as_str()) && !app.faults.token_revoked()
}

/// Counts the request against its limits. `Ok`: the rate-limit headers to send (none for
/// search); `Err`: the 429 and the headers it carries. Search has its own 5/s limit and
/// carries no rate-limit headers; the v4 association batch endpoints are exempt from the
/// ten-secondly window [S]; every request counts against the day.
fn rate_limit(
    app: &AppState,
    method: &str,
    path: &str,
) -> Result<Option<rate_limit::Headers>, (errors::ApiError, Option<rate_limit::Headers>)> {
    let is_search = method == "POST"
        && path.starts_with("/crm/v3/objects/")
        && path.trim_end_matches('/').ends_with("/search");
    if is_search {
        return match app.limiter.check_search() {
            Ok(()) => Ok(None),
            Err(policy) => Err((rate_limited(policy), None)),
        };
    }
    let exempt = path.starts_with("/crm/v4/associations/") && path.contains("/batch/");
    app.limiter
        .check(exempt)
        .map(Some)
        .map_err(|(policy, h)| (rate_limited(policy), Some(h)))
}

/// HubSpot's 429 body for the limit that refused a request [D-usage]. The search limit's
/// message is HubSpot's (Node SDK); its policyName is UNCONFIRMED.
fn rate_limited(policy: rate_limit::Policy) -> errors::ApiError {
    let (message, name) = match policy {
        rate_limit::Policy::TenSecondly => (
            "You have reached your ten_secondly_rolling limit.",
            "TEN_SECONDLY_ROLLING",
        ),
        rate_limit::Policy::Daily => ("You have reached your daily limit.", "DAILY"),
        rate_limit::Policy::Secondly => ("You have reached your secondly limit.", "SECONDLY"),
    };
    errors::ApiError::rate_limited(message, name)
}
