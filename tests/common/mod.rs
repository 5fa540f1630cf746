//! Shared helpers for the sandbox integration tests: start a sandbox, talk to it over real
//! HTTP with reqwest, validate bodies against HubSpot's OpenAPI schemas.
#![allow(dead_code, clippy::unwrap_used)]

pub mod client;
pub mod openapi;

use hubtix::sandbox::{self, SandboxConfig, SandboxHandle};
use reqwest::Method;
use serde_json::Value;

pub use openapi::assert_schema;

pub const TOKEN: &str = "test-token";

pub async fn start(tickets: usize) -> SandboxHandle {
    start_with(SandboxConfig {
        tickets,
        token: TOKEN.into(),
        ..SandboxConfig::default()
    })
    .await
}

/// A sandbox with HubSpot's limits off. Only for tests of what an endpoint answers that send
/// more requests than the limits let through in their windows (search allows 5 a second):
/// the caller says why where it calls this. The limits themselves are tested with them on.
pub async fn start_unlimited(tickets: usize) -> SandboxHandle {
    start_with(SandboxConfig {
        tickets,
        token: TOKEN.into(),
        rate_limit: None,
        ..SandboxConfig::default()
    })
    .await
}

pub async fn start_with(config: SandboxConfig) -> SandboxHandle {
    sandbox::spawn(config).await.expect("sandbox starts")
}

/// A response: status, headers and the JSON body (Null when empty).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Clone)]
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Api {
    pub fn new(h: &SandboxHandle) -> Api {
        Api {
            client: reqwest::Client::new(),
            base: h.base_url(),
            token: Some(TOKEN.into()),
        }
    }
    pub fn with_token(mut self, token: Option<&str>) -> Api {
        self.token = token.map(str::to_owned);
        self
    }
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request reaches the sandbox");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Resp {
            status,
            headers,
            body,
        }
    }
    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Option<Value>) -> Resp {
        self.call(Method::PUT, path, body).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, None).await
    }
}

/// Asserts a HubSpot error body with the given status and category.
pub fn assert_error(r: &Resp, status: u16, category: &str) {
    assert_eq!(r.status, status, "unexpected status, body: {}", r.body);
    assert_eq!(r.body["status"], "error", "{}", r.body);
    assert_eq!(r.body["category"], category, "{}", r.body);
    let cid = r.body["correlationId"].as_str().expect("correlationId");
    assert_eq!(cid.len(), 36, "uuid-shaped correlation id: {cid}");
    assert_eq!(r.header("x-hubspot-correlation-id"), Some(cid));
    assert_schema("tickets-v3.json", "Error", &r.body);
}
