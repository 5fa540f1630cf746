//! Failure paths of the HubSpot client against the sandbox over real HTTP: 401 (no, wrong,
//! revoked token; the token never shows in errors), 403 missing scopes, 404, 429 retried and
//! exhausted, 423, 5xx on reads (retried) and writes (never re-sent), timeouts, garbled
//! success answers (HTML pages, JSON cut short: retried on reads, never re-sent on writes, through
//! the fault proxy of `support/faults.rs`), answers echoing the token (never in an error or a
//! log line), rate-limit headroom and pacing. Every failure is a typed error, never a panic.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "support/faults.rs"]
mod faults;

use std::time::Duration;

use common::client::*;
use faults::{Fault, FaultProxy, Scope, token_part_in};
use hubtix::hubspot::*;
use hubtix::sandbox::{RateLimit, SandboxConfig, SandboxHandle};
use tokio::time::Instant;

fn one() -> ListQuery {
    ListQuery {
        limit: Some(1),
        ..ListQuery::default()
    }
}

fn subject_of(t: &SimplePublicObject) -> Option<&str> {
    t.property("subject")
}

#[tokio::test]
async fn unauthorized_is_typed_not_retried_and_never_shows_the_token() {
    let (sb, good) = setup(20).await;
    for token in ["", "pat-na1-wrong-token-1234567"] {
        let c = client(&sb, token, Duration::from_secs(5));
        let (r, n) = requests_during(&sb, c.list_tickets(&one())).await;
        let err = r.unwrap_err();
        assert_eq!(n, 1, "401 is not retried");
        assert_eq!(err.status(), Some(401), "{err:?}");
        assert_eq!(err.category(), Some("INVALID_AUTHENTICATION"));
        assert!(err.is_auth());
        assert!(!err.is_retryable());
        assert_eq!(err.missing_scopes(), None);
        if !token.is_empty() {
            assert_no_token(&err, token);
        }
        assert!(!format!("{c:?}").contains("wrong-token"));
    }

    // Revoked: every kind of call fails with 401 until restored; the token never leaks.
    sb.faults().revoke_token();
    let errs = [
        good.get_ticket("1001", &GetQuery::default())
            .await
            .unwrap_err(),
        good.update_ticket("1001", &props(&[("subject", "x")]), None)
            .await
            .unwrap_err(),
        good.search_tickets(&SearchRequest::default())
            .await
            .unwrap_err(),
        good.owners().await.unwrap_err(),
        good.associations("tickets", "1001", "contacts")
            .await
            .unwrap_err(),
    ];
    for err in &errs {
        assert_eq!(err.status(), Some(401), "{err:?}");
        assert_no_token(err, SECRET);
    }
    let out = good
        .batch_read_tickets(&BatchReadQuery::new(strings(&["1001"]), &[]))
        .await
        .unwrap();
    let e = out.first_error().unwrap();
    assert!(e.is_auth());
    assert_no_token(e, SECRET);
    sb.faults().restore_token();
    let t = good
        .get_ticket("1002", &GetQuery::properties(&["subject"]))
        .await
        .unwrap();
    assert_eq!(subject_of(&t), Some("Login fails on SSO"));
    sb.shutdown().await;
}

#[tokio::test]
async fn forbidden_lists_missing_scopes_and_not_found_is_typed() {
    let (sb, c) = setup(20).await;
    sb.faults().fail_next(1, 403);
    let (r, n) = requests_during(&sb, c.list_tickets(&one())).await;
    let err = r.unwrap_err();
    assert_eq!(n, 1);
    assert_eq!(err.status(), Some(403));
    assert!(err.is_auth());
    assert_eq!(err.category(), Some("MISSING_SCOPES"));
    assert_eq!(
        err.missing_scopes(),
        Some(strings(&["tickets", "crm.objects.tickets.read"]))
    );
    assert!(
        err.to_string().starts_with("HTTP 403 MISSING_SCOPES: "),
        "{err}"
    );
    assert_no_token(&err, SECRET);

    let (r, n) = requests_during(&sb, c.get_ticket("31337", &GetQuery::default())).await;
    let err = r.unwrap_err();
    assert_eq!(n, 1, "404 is not retried");
    assert!(err.is_not_found());
    assert!(!err.is_auth() && !err.is_retryable());
    assert_eq!(err.category(), Some("OBJECT_NOT_FOUND"));
    assert_eq!(err.missing_scopes(), None);
    assert!(err.field_errors().is_empty());
    // 404s on other resources too.
    assert!(
        c.associations("tickets", "31337", "contacts")
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        c.pipeline("tickets", "nope")
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        c.property("tickets", "nope")
            .await
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        c.get_object::<SimplePublicObject>(object_type::CONTACTS, "9", &GetQuery::default())
            .await
            .unwrap_err()
            .is_not_found()
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn rate_limits_are_retried_then_reported() {
    let (sb, c) = setup(20).await;
    let mut events = c.events();

    // Two 429s, then success: three requests, two backoff events.
    sb.faults().fail_next(2, 429);
    let (r, n) = requests_during(&sb, c.list_tickets(&one())).await;
    assert_eq!(r.unwrap().results.len(), 1);
    assert_eq!(n, 3);
    for attempt in 1..=2 {
        match events.try_recv().unwrap() {
            ClientEvent::Backoff {
                reason,
                attempt: a,
                method,
                path,
                wait,
                ..
            } => {
                assert_eq!(reason, BackoffReason::RateLimited(LimitPolicy::TenSecondly));
                assert_eq!(a, attempt);
                assert_eq!(method, "GET");
                assert_eq!(path, "/crm/v3/objects/tickets");
                assert!(wait <= RetryPolicy::fast().cap);
            }
            other => panic!("{other:?}"),
        }
    }

    // A 429 on a write was rejected before processing: retried, applied once.
    sb.faults().fail_next(1, 429);
    let (r, n) = requests_during(
        &sb,
        c.update_ticket("1003", &props(&[("hs_ticket_priority", "URGENT")]), None),
    )
    .await;
    assert_eq!(r.unwrap().property("hs_ticket_priority"), Some("URGENT"));
    assert_eq!(n, 2);

    // Exhausted: 1 + max_retries requests, then RateLimited with the policy.
    let max = RetryPolicy::fast().max_retries;
    sb.faults().fail_next(max as usize + 1, 429);
    let (r, n) = requests_during(&sb, c.list_tickets(&one())).await;
    let err = r.unwrap_err();
    assert_eq!(n, u64::from(max) + 1);
    let ApiError::RateLimited {
        policy,
        message,
        correlation_id,
        retry_after,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(policy.as_deref(), Some("TEN_SECONDLY_ROLLING"));
    assert!(message.contains("ten_secondly_rolling"), "{message}");
    assert!(correlation_id.is_some());
    assert!(retry_after.is_some());
    assert_eq!(err.status(), Some(429));
    assert!(err.is_retryable());
    assert!(
        err.to_string()
            .starts_with("HTTP 429 rate limited (TEN_SECONDLY_ROLLING)"),
        "{err}"
    );
    // Nothing left over: the next call is clean.
    let (r, n) = requests_during(&sb, c.list_tickets(&one())).await;
    r.unwrap();
    assert_eq!(n, 1);

    // 423 Locked: retried (reads and writes alike).
    sb.faults().fail_next(1, 423);
    let (r, n) = requests_during(&sb, c.get_ticket("1001", &GetQuery::default())).await;
    r.unwrap();
    assert_eq!(n, 2);
    sb.faults().fail_next(2, 423);
    let (r, n) = requests_during(
        &sb,
        c.update_ticket("1004", &props(&[("hs_ticket_priority", "LOW")]), None),
    )
    .await;
    r.unwrap();
    assert_eq!(n, 3);
    sb.faults().fail_next(max as usize + 1, 423);
    let err = c.list_tickets(&one()).await.unwrap_err();
    assert_eq!(err.status(), Some(423), "{err:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn server_errors_retry_reads_but_never_resend_writes() {
    let (sb, c) = setup(20).await;
    let max = RetryPolicy::fast().max_retries;
    for status in [500u16, 502, 503] {
        // Reads: retried until success.
        sb.faults().fail_next(2, status);
        let (r, n) = requests_during(
            &sb,
            c.get_ticket("1002", &GetQuery::properties(&["subject"])),
        )
        .await;
        assert_eq!(subject_of(&r.unwrap()), Some("Login fails on SSO"));
        assert_eq!(n, 3, "{status}");
        // Batch reads are reads too.
        sb.faults().fail_next(1, status);
        let (r, n) = requests_during(
            &sb,
            c.batch_read_tickets(&BatchReadQuery::new(strings(&["1001", "1002"]), &[])),
        )
        .await;
        assert!(r.unwrap().is_complete_success());
        assert_eq!(n, 2);
        // Exhausted: the HTTP error.
        sb.faults().fail_next(max as usize + 1, status);
        let (r, n) = requests_during(&sb, c.list_tickets(&one())).await;
        let err = r.unwrap_err();
        assert_eq!(n, u64::from(max) + 1);
        assert_eq!(err.status(), Some(status), "{err:?}");
        assert!(err.is_retryable());

        // Writes: one request, WriteOutcomeUnknown, not re-sent.
        sb.faults().fail_next(1, status);
        let (r, n) = requests_during(
            &sb,
            c.update_ticket("1002", &props(&[("subject", "changed?")]), None),
        )
        .await;
        let err = r.unwrap_err();
        assert_eq!(n, 1, "{status}: a write is sent exactly once");
        let ApiError::WriteOutcomeUnknown {
            method,
            path,
            cause,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(method, "PATCH");
        assert_eq!(path, "/crm/v3/objects/tickets/1002");
        assert!(cause.contains(&status.to_string()), "{cause}");
        assert!(!err.is_retryable());
        assert_eq!(err.status(), None);
        assert_no_token(&err, SECRET);
    }
    // The sandbox failed those writes before applying them.
    let t = c
        .get_ticket("1002", &GetQuery::properties(&["subject"]))
        .await
        .unwrap();
    assert_eq!(subject_of(&t), Some("Login fails on SSO"));

    // Create, archive, associate and batch writes alike.
    sb.faults().fail_next(1, 502);
    let (r, n) = requests_during(
        &sb,
        c.create_ticket(&CreateInput {
            properties: props(&[("subject", "x"), ("hs_pipeline_stage", "1")]),
            ..CreateInput::default()
        }),
    )
    .await;
    assert!(
        matches!(r, Err(ApiError::WriteOutcomeUnknown { ref method, .. }) if method == "POST"),
        "{r:?}"
    );
    assert_eq!(n, 1);
    sb.faults().fail_next(1, 503);
    let (r, n) = requests_during(&sb, c.archive_ticket("1005")).await;
    assert!(
        matches!(r, Err(ApiError::WriteOutcomeUnknown { ref method, .. }) if method == "DELETE"),
        "{r:?}"
    );
    assert_eq!(n, 1);
    c.get_ticket("1005", &GetQuery::default()).await.unwrap();
    sb.faults().fail_next(1, 500);
    let (r, n) = requests_during(
        &sb,
        c.associate(
            "tickets",
            "1005",
            "contacts",
            "201",
            &[AssociationSpec::hubspot(16)],
        ),
    )
    .await;
    assert!(
        matches!(r, Err(ApiError::WriteOutcomeUnknown { ref method, .. }) if method == "PUT"),
        "{r:?}"
    );
    assert_eq!(n, 1);

    // Batch update of 150: the first chunk's outcome is unknown, the second goes through.
    let updates: Vec<UpdateInput> = id_range(1001, 1020)
        .into_iter()
        .cycle()
        .take(150)
        .map(|id| UpdateInput {
            id,
            properties: props(&[("hs_ticket_priority", "MEDIUM")]),
            ..UpdateInput::default()
        })
        .collect();
    sb.faults().fail_next(1, 502);
    let (r, n) = requests_during(&sb, c.batch_update_tickets(&updates)).await;
    let out = r.unwrap();
    assert_eq!(n, 2);
    let failed: Vec<_> = out
        .failed_chunks()
        .map(|(ch, _)| ch.range.clone())
        .collect();
    assert_eq!(failed, vec![(0..100)]);
    assert!(matches!(
        out.first_error(),
        Some(ApiError::WriteOutcomeUnknown { .. })
    ));
    assert_eq!(out.results().count(), 50);
    sb.shutdown().await;
}

/// The `wait` of every backoff event so far, checking each is for a timeout, in order.
fn timeout_backoffs(events: &mut tokio::sync::broadcast::Receiver<ClientEvent>) -> Vec<Duration> {
    let mut waits = Vec::new();
    while let Ok(ev) = events.try_recv() {
        match ev {
            ClientEvent::Backoff {
                reason: BackoffReason::Timeout,
                attempt,
                wait,
                ..
            } => {
                assert_eq!(attempt as usize, waits.len() + 1);
                waits.push(wait);
            }
            other => panic!("{other:?}"),
        }
    }
    waits
}

// On tokio's paused clock (the sandbox's latency, the client's timeout and its backoff all
// wait on it): each attempt ends exactly at the timeout, whatever the machine's speed.
#[tokio::test(start_paused = true)]
async fn timeouts_retry_reads_and_make_writes_unknown() {
    let (sb, _) = setup(20).await;
    let timeout = Duration::from_millis(100);
    let c = client(&sb, SECRET, timeout);
    let max = RetryPolicy::fast().max_retries;
    sb.faults().set_latency(Duration::from_millis(400));
    let mut events = c.events();

    let started = Instant::now();
    let (r, n) = requests_during(&sb, c.list_tickets(&one())).await;
    assert_eq!(r.unwrap_err(), ApiError::Timeout);
    assert_eq!(n, u64::from(max) + 1, "a read is retried after a timeout");
    // Each retry waited its (millisecond) backoff for a timeout...
    let waits = timeout_backoffs(&mut events);
    assert_eq!(waits.len(), max as usize, "{waits:?}");
    // ...and each attempt gave up at the timeout, not sooner, and not at the slow answer.
    let took = started.elapsed();
    assert!(took >= timeout * (max + 1), "{took:?}");
    assert!(took < timeout * (max + 2), "{took:?}");
    assert!(ApiError::Timeout.is_retryable());

    let (r, n) = requests_during(
        &sb,
        c.update_ticket("1003", &props(&[("subject", "slow")]), None),
    )
    .await;
    let err = r.unwrap_err();
    assert_eq!(n, 1, "a timed-out write is not re-sent");
    let ApiError::WriteOutcomeUnknown { method, cause, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(method, "PATCH");
    assert_eq!(cause, "timed out");
    assert!(err.to_string().contains("not re-sent"), "{err}");
    assert_no_token(&err, SECRET);

    // A read that recovers: slow once, then fast.
    sb.faults().set_latency(Duration::ZERO);
    let ok = c.get_ticket("1001", &GetQuery::default()).await.unwrap();
    assert_eq!(ok.id, "1001");
    sb.shutdown().await;
}

#[tokio::test]
async fn malformed_json_is_retried_on_reads_then_reported_and_never_resent_on_writes() {
    let (sb, c) = setup(20).await;
    let max = RetryPolicy::fast().max_retries;
    let mut events = c.events();
    // Once: the read is retried and gets through.
    sb.faults().malformed_next(1);
    let (r, n) = requests_during(&sb, c.list_tickets(&one())).await;
    assert_eq!(r.unwrap().results.len(), 1);
    assert_eq!(n, 2, "a garbled answer to a read is retried");
    assert!(matches!(
        events.try_recv().unwrap(),
        ClientEvent::Backoff {
            reason: BackoffReason::BadResponse,
            attempt: 1,
            ..
        }
    ));
    // Every attempt: reported once the retries are spent.
    sb.faults().malformed_next(max as usize + 1);
    let (r, n) = requests_during(&sb, c.list_tickets(&one())).await;
    let err = r.unwrap_err();
    assert_eq!(n, u64::from(max) + 1);
    let ApiError::Decode(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(msg.contains("body starts"), "{msg}");
    assert!(
        err.to_string()
            .starts_with("unexpected response from HubSpot: "),
        "{err}"
    );
    assert!(err.is_retryable());
    assert_no_token(&err, SECRET);
    // Every kind of safe request alike: single reads, searches (POST), metadata.
    for call in 0..3 {
        sb.faults().malformed_next(1);
        let (r, n) = requests_during(&sb, async {
            match call {
                0 => c.get_ticket("1001", &GetQuery::default()).await.map(|_| ()),
                1 => c
                    .search_tickets(&SearchRequest::default())
                    .await
                    .map(|_| ()),
                _ => c.pipelines("tickets").await.map(|_| ()),
            }
        })
        .await;
        r.unwrap();
        assert_eq!(n, 2, "call {call}");
    }
    // A garbled answer to a write: not re-sent, and the outcome is unknown.
    sb.faults().malformed_next(1);
    let (r, n) = requests_during(
        &sb,
        c.update_ticket("1002", &props(&[("hs_ticket_priority", "LOW")]), None),
    )
    .await;
    assert_eq!(n, 1, "a write is sent exactly once");
    let Err(ApiError::WriteOutcomeUnknown { method, cause, .. }) = &r else {
        panic!("{r:?}")
    };
    assert_eq!(method, "PATCH");
    assert!(cause.starts_with("unexpected response: "), "{cause}");
    // The client keeps working.
    assert_eq!(c.list_tickets(&one()).await.unwrap().results.len(), 1);
    sb.shutdown().await;
}

/// A sandbox, a fault proxy in front of it, and a client (fast retries) through the proxy.
async fn behind_faults(tickets: usize, token: &str) -> (SandboxHandle, FaultProxy, Client) {
    let sb = hubtix::sandbox::spawn(SandboxConfig {
        tickets,
        token: token.into(),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    let proxy = FaultProxy::start(sb.base_url(), Scope::All).await;
    let mut cfg = ClientConfig::new(proxy.url(), AccessToken::new(token));
    cfg.retry = RetryPolicy::fast();
    cfg.timeout = Duration::from_secs(5);
    (sb, proxy, Client::new(cfg).unwrap())
}

#[tokio::test]
async fn html_pages_and_json_cut_short_are_retried_on_reads() {
    let (sb, proxy, c) = behind_faults(20, SECRET).await;
    let max = RetryPolicy::fast().max_retries;
    let expected = c.list_tickets(&one()).await.unwrap();
    for fault in [Fault::HtmlOk, Fault::TruncatedJson] {
        let name = fault.name();
        // Twice, then through: the same page as without faults.
        proxy.push([fault.clone(), fault.clone()]);
        let before = proxy.requests();
        assert_eq!(c.list_tickets(&one()).await.unwrap(), expected, "{name}");
        assert_eq!(proxy.requests() - before, 3, "{name}");
        // A search is a POST but safe: retried too.
        proxy.push([fault.clone()]);
        let before = proxy.requests();
        c.search_tickets(&SearchRequest::default()).await.unwrap();
        assert_eq!(proxy.requests() - before, 2, "{name}");
        // Every attempt: one line naming what came back.
        proxy.push(std::iter::repeat_n(fault.clone(), max as usize + 1));
        let before = proxy.requests();
        let err = c.list_tickets(&one()).await.unwrap_err();
        assert_eq!(proxy.requests() - before, max as usize + 1, "{name}");
        assert!(matches!(err, ApiError::Decode(_)), "{name}: {err:?}");
        let line = err.to_string();
        assert_eq!(line.lines().count(), 1, "{line}");
        if matches!(fault, Fault::HtmlOk) {
            assert!(line.contains("body starts: <!DOCTYPE html>"), "{line}");
        } else {
            assert!(line.contains("EOF while parsing"), "{line}");
        }
        // A write answered so is sent once and reported as of unknown outcome.
        proxy.push([fault.clone()]);
        let before = proxy.requests();
        let r = c
            .update_ticket("1003", &props(&[("hs_ticket_priority", "HIGH")]), None)
            .await;
        assert_eq!(
            proxy.requests() - before,
            1,
            "{name}: a write is not re-sent"
        );
        assert!(
            matches!(r, Err(ApiError::WriteOutcomeUnknown { .. })),
            "{name}: {r:?}"
        );
    }
    sb.shutdown().await;
}

/// A buffer the test's log subscriber writes into.
#[derive(Clone, Default)]
struct LogBuffer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A token whose 4-character runs ordinary text (log lines, JSON, HTML) lacks.
const ECHOED: &str = "pat-na1-QZxKWvJq-YgMHrRf-TpLzVbNw";

#[tokio::test(flavor = "current_thread")]
async fn no_error_or_log_line_shows_the_token_wherever_an_answer_echoes_it() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // With one dispatcher registered, tracing works out whether a log line is wanted, and the
    // global level, from the default of whichever thread first reaches it: another test's
    // thread would turn these lines off for this one too. With a second one registered, it
    // asks every registered dispatcher, this test's included.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());

    let (sb, proxy, _) = behind_faults(20, ECHOED).await;
    let mut cfg = ClientConfig::new(proxy.url(), AccessToken::new(ECHOED));
    cfg.retry = RetryPolicy::none();
    let c = Client::new(cfg).unwrap();
    assert!(token_part_in(&format!("{c:?}"), ECHOED).is_none());

    let echo = |status: u16, content_type: &'static str, body: fn(&str, usize) -> String| {
        move |offset: usize| Fault::Echo {
            status,
            content_type,
            body: std::sync::Arc::new(move |token: &str| body(token, offset)),
        }
    };
    let html = |token: &str, offset: usize| {
        format!("<html>{}{token} and more text</html>", "x".repeat(offset))
    };
    let answers = [
        // A proxy's page echoing the request, as a 200 and as a 502.
        echo(200, "text/html", html),
        echo(502, "text/html", html),
        // HubSpot-shaped error bodies echoing it, plainly and JSON-escaped.
        echo(401, "application/json", |token, offset| {
            format!(
                r#"{{"status":"error","message":"{} bad token {token}","category":"INVALID_AUTHENTICATION","context":{{"token":["{token}"]}}}}"#,
                "x".repeat(offset)
            )
        }),
        echo(400, "application/json", |token, offset| {
            let escaped = token.replacen('p', "\\u0070", 1);
            format!(
                r#"{{"status":"error","message":"{}{escaped}","category":"VALIDATION_ERROR","errors":[{{"message":"{escaped}"}}]}}"#,
                "x".repeat(offset)
            )
        }),
    ];
    // Every position from before the 200-character excerpt cut to past it.
    for answer in &answers {
        for offset in 140..=240 {
            proxy.push([answer(offset)]);
            let err = c.list_tickets(&one()).await.unwrap_err();
            let shown = format!("{err} | {err:?} | {}", err.summary());
            if let Some(part) = token_part_in(&shown, ECHOED) {
                panic!("offset {offset}: {part:?} leaks in {shown}");
            }
        }
    }
    // A body cut short inside the token (a truncated answer ends with part of it).
    for keep in 4..ECHOED.len() {
        proxy.push([Fault::Echo {
            status: 200,
            content_type: "application/json",
            body: std::sync::Arc::new(move |token: &str| {
                format!(
                    r#"{{"results":[{{"id":"1","properties":{{"subject":"{}"#,
                    &token[..keep]
                )
            }),
        }]);
        let err = c.list_tickets(&one()).await.unwrap_err();
        assert!(matches!(err, ApiError::Decode(_)), "{err:?}");
        let shown = format!("{err} | {err:?}");
        if let Some(part) = token_part_in(&shown, ECHOED) {
            panic!("cut after {keep}: {part:?} leaks in {shown}");
        }
    }
    let logged = logs.text();
    assert!(logged.contains("hubspot request failed"), "logs captured");
    if let Some(part) = token_part_in(&logged, ECHOED) {
        let line = logged
            .lines()
            .find(|l| l.contains(&part))
            .unwrap_or_default();
        panic!("{part:?} leaks in a log line: {line}");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn headroom_follows_the_rate_limit_headers() {
    let (sb, c) = setup_with(SandboxConfig {
        tickets: 20,
        token: SECRET.into(),
        rate_limit: Some(RateLimit {
            max: 50,
            window: Duration::from_secs(10),
            ..RateLimit::PRIVATE_APP
        }),
        ..SandboxConfig::default()
    })
    .await;
    assert_eq!(c.headroom(), None, "nothing known before the first answer");
    c.list_tickets(&one()).await.unwrap();
    let h = c.headroom().unwrap();
    assert_eq!(h.max, Some(50));
    assert_eq!(h.remaining, Some(49));
    assert_eq!(h.interval, Some(Duration::from_secs(10)));
    assert_eq!(h.daily, Some(1_000_000));
    assert_eq!(h.daily_remaining, Some(999_999));
    c.get_ticket("1001", &GetQuery::default()).await.unwrap();
    let h2 = c.headroom().unwrap();
    assert_eq!(h2.remaining, Some(48));
    assert!(h2.updated_at >= h.updated_at);
    // Search answers carry no rate-limit headers: headroom unchanged.
    c.search_tickets(&SearchRequest::default()).await.unwrap();
    assert_eq!(c.headroom().unwrap(), h2);
    assert_eq!(*c.watch_headroom().borrow(), Some(h2));
    assert_eq!(c.rate_limit_hold(), None);
    sb.shutdown().await;
}

// On tokio's paused clock, which the sandbox's window also runs on: time passes only while
// every request waits, so the clock shows how long the client held them.
#[tokio::test(start_paused = true)]
async fn a_burst_over_the_window_is_paced_without_errors() {
    let (sb, _) = setup_with(SandboxConfig {
        tickets: 20,
        token: SECRET.into(),
        rate_limit: Some(RateLimit {
            max: 5,
            window: Duration::from_millis(300),
            ..RateLimit::PRIVATE_APP
        }),
        ..SandboxConfig::default()
    })
    .await;
    // Waits may last a whole window (300 ms) here; the fast policy caps them at 20 ms.
    let mut cfg = config(&sb, SECRET, Duration::from_secs(5));
    cfg.retry = RetryPolicy {
        cap: Duration::from_secs(1),
        ..RetryPolicy::fast()
    };
    let c = Client::new(cfg).unwrap();
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let c = c.clone();
        set.spawn(async move { c.list_tickets(&one()).await });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().unwrap().results.len(), 1);
    }
    // 20 requests at 5 per 300 ms: the last ones waited for three more windows to free.
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert!(sb.faults().request_count() >= 20);
    let h = c.headroom().unwrap();
    assert_eq!(h.max, Some(5));
    sb.shutdown().await;
}

// On tokio's paused clock, which the sandbox's window also runs on.
#[tokio::test(start_paused = true)]
async fn searches_are_paced_under_the_secondly_limit() {
    let sb = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 20,
        token: SECRET.into(),
        rate_limit: Some(RateLimit {
            max: 1000,
            window: Duration::from_secs(10),
            ..RateLimit::PRIVATE_APP
        }),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    // Default pacing: HubSpot's 5 searches per second.
    let cfg = config(&sb, SECRET, Duration::from_secs(5));
    assert_eq!(cfg.search_per_second, 5);
    let c = Client::new(cfg).unwrap();
    let mut events = c.events();
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..11 {
        let c = c.clone();
        set.spawn(async move {
            c.search_tickets(&SearchRequest {
                limit: Some(1),
                ..SearchRequest::default()
            })
            .await
        });
    }
    while let Some(r) = set.join_next().await {
        assert_eq!(r.unwrap().unwrap().total, 20);
    }
    // Eleven searches at 5 a second: the last went out ten spacings after the first.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // No 429 was needed, so none was retried.
    assert_eq!(sb.faults().request_count(), 11);
    assert!(events.try_recv().is_err(), "no backoff");

    // Without client pacing, the sandbox's limit answers 429 "secondly limit"; millisecond
    // retries cannot outwait a one-second window, so the excess surfaces as a typed error.
    let mut cfg = config(&sb, SECRET, Duration::from_secs(5));
    cfg.search_per_second = 0;
    let unpaced = Client::new(cfg).unwrap();
    // The sandbox's window rolls past the paced searches.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let c = unpaced.clone();
        set.spawn(async move { c.search_tickets(&SearchRequest::default()).await });
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(_) => ok += 1,
            Err(ApiError::RateLimited {
                policy, message, ..
            }) => {
                assert_eq!(policy.as_deref(), Some("SECONDLY"));
                assert!(message.contains("secondly limit"), "{message}");
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(ok, 5);
    sb.shutdown().await;
}
