//! The real `hubtix` binary's read path through a faulty network: a loopback proxy
//! (`support/faults.rs`) in front of a sandbox resets connections, answers 502 and 429, answers
//! 200 with HTML or with JSON cut short, holds answers past the timeout, and echoes the token.
//! `tickets list --all` must print exactly what it prints without the faults; errors that can
//! never succeed fail at once, on one line; the token reaches neither stderr nor the log.

#![allow(clippy::unwrap_used)]

#[path = "support/faults.rs"]
mod faults;

use std::path::Path;
use std::process::{Command, Output};

use faults::{Fault, FaultProxy, Plan, Scope, token_part_in};
use hubtix::sandbox::{SandboxConfig, SandboxHandle};

/// A token whose 4-character runs ordinary text (log lines, JSON, HTML) lacks.
const TOKEN: &str = "pat-na1-QZxKWvJq-YgMHrRf-TpLzVbNw";

/// Runs the binary with `base_url`, `token` and extra environment, its folders in `dir`.
fn hubtix(dir: &Path, base_url: &str, token: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hubtix"));
    cmd.args(args)
        .env_clear()
        .env("HUBSPOT_ACCESS_TOKEN", token)
        .env("HUBTIX_BASE_URL", base_url)
        .env("HUBTIX_CONFIG_DIR", dir.join("c"))
        .env("HUBTIX_DATA_DIR", dir.join("d"))
        .env("HUBTIX_CACHE_DIR", dir.join("k"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Everything the run logged (`<cache>/logs/*`).
fn logs(dir: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(dir.join("k").join("logs")) else {
        return String::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect()
}

async fn sandbox(tickets: usize) -> SandboxHandle {
    hubtix::sandbox::spawn(SandboxConfig {
        tickets,
        token: TOKEN.into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_all_through_faults_of_every_kind_prints_exactly_the_direct_output() {
    let sb = sandbox(2_000).await;
    // Pages of 20: 100 pages, so a 20 % fault rate injects every kind several times.
    let args = [
        "tickets", "list", "--all", "--limit", "20", "--output", "jsonl",
    ];
    let dir = tempfile::tempdir().unwrap();
    let direct =
        tokio::task::block_in_place(|| hubtix(dir.path(), &sb.base_url(), TOKEN, &[], &args));
    assert!(direct.status.success(), "{}", stderr(&direct));
    assert_eq!(direct.stdout.iter().filter(|b| **b == b'\n').count(), 2_000);

    let proxy = FaultProxy::start(sb.base_url(), Scope::All).await;
    proxy.plan(Plan {
        seed: 20,
        percent: 20,
        kinds: Fault::READS.to_vec(),
        // Fewer than the client's 4 retries: every page gets through.
        max_in_a_row: 2,
    });
    let dir = tempfile::tempdir().unwrap();
    // A short timeout keeps the slow answers quick; it is the user's knob for slow networks.
    let faulty = tokio::task::block_in_place(|| {
        hubtix(
            dir.path(),
            &proxy.url(),
            TOKEN,
            &[("HUBTIX_TIMEOUT", "2"), ("HUBTIX_LOG", "hubtix=debug")],
            &args,
        )
    });
    assert!(faulty.status.success(), "{}", stderr(&faulty));
    assert_eq!(stderr(&faulty), "");
    assert!(
        faulty.stdout == direct.stdout,
        "the output through faults differs from the direct output"
    );

    let injected = proxy.injected();
    for kind in Fault::READS {
        assert!(
            injected.get(kind.name()).copied().unwrap_or(0) >= 1,
            "{} was never injected: {injected:?}",
            kind.name()
        );
    }
    let total: usize = injected.values().sum();
    assert!(total >= 15, "{injected:?}");
    assert!(proxy.requests() >= 100 + total);
    let logged = logs(dir.path());
    // The client saw each kind for what it is (the slow answers as timeouts, say).
    for reason in [
        "reason=Network",
        "reason=ServerError(502)",
        "reason=RateLimited(TenSecondly)",
        "reason=BadResponse",
        "reason=Timeout",
    ] {
        assert!(
            logged.contains(reason),
            "no backoff with {reason}:\n{logged}"
        );
    }
    assert!(token_part_in(&logged, TOKEN).is_none());
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_echoed_across_the_cut_reaches_neither_stderr_nor_the_log() {
    let sb = sandbox(20).await;
    let proxy = FaultProxy::start(sb.base_url(), Scope::All).await;
    // Every attempt (the first and 4 retries) gets a 200 page echoing the token so that it
    // straddles the 200-character excerpt: "body starts: <html>" and 190 characters precede it.
    proxy.push((0..5).map(|_| Fault::Echo {
        status: 200,
        content_type: "text/html",
        body: std::sync::Arc::new(|token: &str| {
            format!("<html>{}{token} more</html>", "x".repeat(190))
        }),
    }));
    let dir = tempfile::tempdir().unwrap();
    let out = tokio::task::block_in_place(|| {
        hubtix(
            dir.path(),
            &proxy.url(),
            TOKEN,
            &[("HUBTIX_LOG", "trace")],
            &["tickets", "list", "--output", "jsonl"],
        )
    });
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("unexpected response from HubSpot") && err.contains("body starts: <html>x"),
        "{err}"
    );
    assert_eq!(token_part_in(&err, TOKEN), None, "{err}");
    assert_eq!(
        proxy.requests(),
        5,
        "retried like any transient failure, then reported"
    );
    let logged = logs(dir.path());
    assert!(logged.contains("hubspot request failed"), "{logged}");
    if let Some(part) = token_part_in(&logged, TOKEN) {
        let line = logged
            .lines()
            .find(|l| l.contains(&part))
            .unwrap_or_default();
        panic!("{part:?} leaks in a log line: {line}");
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_that_can_never_succeed_fail_at_once_on_one_line() {
    let sb = sandbox(20).await;
    let dir = tempfile::tempdir().unwrap();
    let run = |base: &str, token: &str| {
        tokio::task::block_in_place(|| {
            hubtix(
                dir.path(),
                base,
                token,
                &[("HUBTIX_LOG", "hubtix=debug")],
                &["tickets", "list"],
            )
        })
    };
    let ftp = sb.base_url().replacen("http://", "ftp://", 1);
    // The command line refuses it before a client is built (a usage error: exit 2); the
    // client's own check (`Client::new`) is unit-tested in src/hubspot.
    let out = run(&ftp, TOKEN);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out).trim_end(),
        format!(
            "hubtix: invalid --base-url '{ftp}': expected an http:// or https:// URL, e.g. https://api.hubapi.com"
        )
    );

    let out = run(&sb.base_url(), "pat-na1-QZxKWvJq\nYgMHrRf-TpLzVbNw");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out).trim_end(),
        "hubtix: client configuration: the access token or service key contains a line break"
    );

    assert_eq!(sb.faults().request_count(), 0, "nothing was sent");
    assert!(
        !logs(dir.path()).contains("hubspot backoff"),
        "nothing was retried"
    );
    sb.shutdown().await;
}
