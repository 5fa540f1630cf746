//! Helpers for the HubSpot client integration tests: a sandbox plus a [`Client`] pointed at
//! it over real HTTP on 127.0.0.1, with millisecond retries.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use hubtix::hubspot::{
    AccessToken, ApiError, Client, ClientConfig, PropertyValues, RetryPolicy, SimplePublicObject,
};
use hubtix::sandbox::{self, SandboxConfig, SandboxHandle};
use serde::Serialize;
use serde_json::Value;

/// The token the client tests give their sandboxes: distinctive, so a leak is easy to spot.
pub const SECRET: &str = "pat-na1-client-test-5ecret-0000";

/// A sandbox with `tickets` seeded tickets (seed 42) and a client for it.
pub async fn setup(tickets: usize) -> (SandboxHandle, Client) {
    setup_with(SandboxConfig {
        tickets,
        token: SECRET.into(),
        ..SandboxConfig::default()
    })
    .await
}

/// A sandbox with this config (its token is used) and a client for it.
pub async fn setup_with(config: SandboxConfig) -> (SandboxHandle, Client) {
    let token = config.token.clone();
    let sb = sandbox::spawn(config).await.expect("sandbox starts");
    let client = client(&sb, &token, Duration::from_secs(5));
    (sb, client)
}

/// A client for `sb` with this token and timeout, fast retries, no search pacing.
pub fn client(sb: &SandboxHandle, token: &str, timeout: Duration) -> Client {
    Client::new(config(sb, token, timeout)).expect("client")
}

/// The config [`client`] uses.
pub fn config(sb: &SandboxHandle, token: &str, timeout: Duration) -> ClientConfig {
    let mut cfg = ClientConfig::new(sb.base_url(), AccessToken::new(token));
    cfg.retry = RetryPolicy::fast();
    cfg.timeout = timeout;
    cfg
}

/// Property values from pairs.
pub fn props(pairs: &[(&str, &str)]) -> PropertyValues {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Owned strings.
pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// Ids `from..=to` as strings.
pub fn id_range(from: u64, to: u64) -> Vec<String> {
    (from..=to).map(|i| i.to_string()).collect()
}

/// JSON of something the client deserialized.
pub fn json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("re-serializes")
}

/// Asserts the token appears in neither the error's Display nor its Debug.
pub fn assert_no_token(err: &ApiError, token: &str) {
    assert!(!err.to_string().contains(token), "Display leaks: {err}");
    assert!(!format!("{err:?}").contains(token), "Debug leaks: {err:?}");
    assert!(!err.summary().contains(token));
}

/// Requests the sandbox received while running `f`.
pub async fn requests_during<T>(
    sb: &SandboxHandle,
    f: impl std::future::Future<Output = T>,
) -> (T, u64) {
    let before = sb.faults().request_count();
    let out = f.await;
    (out, sb.faults().request_count() - before)
}

/// Ids of records.
pub fn ids_of<'a>(records: impl IntoIterator<Item = &'a SimplePublicObject>) -> Vec<String> {
    records.into_iter().map(|r| r.id.clone()).collect()
}
