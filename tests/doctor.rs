//! `hubtix doctor`, run as a user runs it: the real binary against a sandbox on 127.0.0.1.
//! Against a sound setup every line is ✓; a bad token, a missing scope, a wrong base URL and
//! no token at all are each named on a ✗ line, with exit code 1.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

use hubtix::sandbox::{DEFAULT_SCOPES, SANDBOX_PORTAL_ID, SandboxConfig, SandboxHandle};

fn doctor(base_url: &str, token: Option<&str>) -> Output {
    let dirs = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubtix"));
    cmd.arg("doctor")
        .env_clear()
        .env("HUBTIX_BASE_URL", base_url)
        .env("HUBTIX_CONFIG_DIR", dirs.path().join("c"))
        .env("HUBTIX_DATA_DIR", dirs.path().join("d"))
        .env("HUBTIX_CACHE_DIR", dirs.path().join("k"))
        .env("HUBTIX_TIMEOUT", "5");
    if let Some(token) = token {
        cmd.env("HUBSPOT_ACCESS_TOKEN", token);
    }
    cmd.output().unwrap()
}

async fn sandbox(scopes: Option<Vec<String>>) -> SandboxHandle {
    hubtix::sandbox::spawn(SandboxConfig {
        tickets: 20,
        scopes,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The line of check `name` (`✓ name …` or `✗ name …`).
fn line<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find(|l| {
            l.chars()
                .skip(2)
                .collect::<String>()
                .starts_with(&format!("{name} "))
        })
        .unwrap_or_else(|| panic!("no {name} line in:\n{text}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_check_passes_against_the_sandbox() {
    let sb = sandbox(None).await;
    let out = tokio::task::block_in_place(|| doctor(&sb.base_url(), Some("demo-token")));
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains('✗'), "{text}");
    for name in [
        "token",
        "format",
        "accepted",
        "kind",
        "scopes",
        "portal",
        "rate limit",
        "clock",
        "macros",
        "config",
        "me",
        "urls",
        "cache",
        "terminal",
    ] {
        assert!(line(&text, name).starts_with('✓'), "{name}: {text}");
    }
    assert!(
        line(&text, "token").contains("service key or OAuth"),
        "{text}"
    );
    assert!(line(&text, "kind").contains("private app"), "{text}");
    let portal = line(&text, "portal");
    assert!(portal.contains(&SANDBOX_PORTAL_ID.to_string()), "{portal}");
    assert!(
        portal.contains("app.hubspot.com") && portal.contains("na1"),
        "{portal}"
    );
    assert!(portal.contains("US/Eastern"), "{portal}");
    // The ticket URLs use the account's portal ID: config.toml has none.
    assert!(
        line(&text, "urls").contains(&format!("app.hubspot.com/contacts/{SANDBOX_PORTAL_ID}/")),
        "{text}"
    );
    assert!(line(&text, "rate limit").contains("per 10 s"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_token_is_named() {
    let sb = sandbox(None).await;
    let out = tokio::task::block_in_place(|| doctor(&sb.base_url(), Some("pat-na1-wrong-0000")));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let accepted = line(&text, "accepted");
    assert!(accepted.starts_with('✗'), "{text}");
    assert!(accepted.contains("refused the credential"), "{accepted}");
    assert!(line(&text, "token").contains("pat-na1-…"), "{text}");
    assert!(
        !text.contains("wrong-0000"),
        "the token is never printed: {text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_scope_is_named_with_its_feature() {
    let scopes = DEFAULT_SCOPES
        .iter()
        .filter(|s| **s != "crm.objects.owners.read")
        .map(|s| (*s).to_owned())
        .collect();
    let sb = sandbox(Some(scopes)).await;
    let out = tokio::task::block_in_place(|| doctor(&sb.base_url(), Some("demo-token")));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let scopes = line(&text, "scopes");
    assert!(scopes.starts_with('✗'), "{text}");
    assert!(
        scopes.contains("crm.objects.owners.read (owner names)"),
        "{scopes}"
    );
    assert_eq!(
        text.matches('✗').count(),
        1,
        "only the scope is wrong: {text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_base_url_is_named() {
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let out = tokio::task::block_in_place(|| doctor(&base, Some("demo-token")));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let accepted = line(&text, "accepted");
    assert!(accepted.starts_with('✗'), "{text}");
    assert!(
        accepted.contains(&format!("cannot reach HubSpot at {base}")),
        "{accepted}"
    );
    assert!(accepted.contains("HUBTIX_BASE_URL"), "{accepted}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_is_named_with_the_fix() {
    let sb = sandbox(None).await;
    let out = tokio::task::block_in_place(|| doctor(&sb.base_url(), None));
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let token = line(&text, "token");
    assert!(
        token.starts_with('✗') && token.contains("hubtix login"),
        "{token}"
    );
}
