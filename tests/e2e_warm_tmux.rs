//! The warm start end to end: the real `hubtix` in tmux over a cache filled by `hubtix sync`.
//! With HubSpot (the sandbox) slow to answer, the first screen is the cache's rows ("as of
//! …") before any answer; with the token revoked since the sync, the cached screen comes
//! first and then hubtix ends, the terminal restored, with the one-line message and exit 1.
//!
//! Without tmux the tests say they were skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a
//! missing tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Sandbox, Tmux, bin, quoted, tmux_available};

/// A ticket row of the list (`│▌ 1234 …` or `│  1234 …`).
fn has_ticket_row(screen: &str) -> bool {
    screen.lines().any(|l| {
        let mut chars = l.chars();
        chars.next() == Some('│')
            && chars.next().is_some()
            && chars.next() == Some(' ')
            && chars.next().is_some_and(|c| c.is_ascii_digit())
    })
}

/// Fills the cache of `sandbox` (token `demo-token`) with `hubtix sync` in the window.
fn sync(t: &Tmux, url: &str) {
    t.wait_text("$");
    t.line(&format!(
        "HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={url} {} sync 2>/dev/null && echo SYN''CED",
        quoted(&bin())
    ));
    t.wait_for("the sync's end", |s| {
        s.lines().any(|l| l.trim() == "SYNCED")
    });
}

#[test]
fn with_a_cache_the_first_screen_is_the_cached_rows_while_hubspot_is_slow() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(40);
    let (url, port) = (sandbox.url.clone(), sandbox.port());
    let t = Tmux::start("warm-slow", 140, 32, &[]);
    sync(&t, &url);
    drop(sandbox);
    // The same address, every answer 4 s late: token check, catalogue and first page alike.
    let _slow = Sandbox::start_at_with(40, port, &["--latency-ms", "4000"]);
    t.line(&format!(
        "clear; HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={url} {}",
        quoted(&bin())
    ));
    // "as of" marks the cache's rows: HubSpot's first page, had it come first, would be shown
    // without it and the cached rows ignored.
    let screen = t.wait_for("the cached rows", |s| {
        s.contains("as of ") && has_ticket_row(s)
    });
    assert!(t.alternate_screen(), "the TUI has the terminal:\n{screen}");
    // Then HubSpot's first page replaces them by itself.
    t.wait_for("HubSpot's first page", |s| {
        !s.contains("as of ") && has_ticket_row(s)
    });
    t.keys(&["q"]);
}

#[test]
fn a_token_revoked_since_the_sync_ends_a_warm_start_with_one_line_and_exit_1() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(40);
    let (url, port) = (sandbox.url.clone(), sandbox.port());
    let t = Tmux::start("warm-revoked", 140, 32, &[]);
    sync(&t, &url);
    drop(sandbox);
    // The same portal now accepts another token only; a little slow, so the cached screen is
    // drawn before the refusal arrives.
    let _revoked = Sandbox::start_at_with(
        40,
        port,
        &["--token", "another-token", "--latency-ms", "1500"],
    );
    let err = t.data_dir().join("stderr.txt");
    t.line(&format!(
        "clear; HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={url} {} 2>{}; echo EXIT=$?",
        quoted(&bin()),
        quoted(&err)
    ));
    t.wait_for("the cached rows", |s| {
        s.contains("as of ") && has_ticket_row(s)
    });
    let screen = t.wait_for("the exit", |s| s.lines().any(|l| l.starts_with("EXIT=")));
    assert!(
        screen.lines().any(|l| l.trim() == "EXIT=1"),
        "exit code 1:\n{screen}"
    );
    assert!(!t.alternate_screen(), "the terminal is restored");
    let printed = std::fs::read_to_string(&err).unwrap();
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines.len(), 1, "one line:\n{printed}");
    assert!(
        lines[0].contains("HubSpot rejected the access token or service key"),
        "{printed}"
    );
}
