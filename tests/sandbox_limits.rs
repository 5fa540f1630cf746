//! The sandbox keeps its memory bounded the way HubSpot does: property values are capped at
//! 65,536 characters on every write path, and a request body over the size limit is refused
//! before it is read whole.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MAX_CHARS: usize = 65_536;

/// `n` characters of three bytes each in UTF-8: the cap counts characters, not bytes.
fn text(n: usize) -> String {
    "あ".repeat(n)
}

/// The refusal of one over-long property: HubSpot's 400 VALIDATION_ERROR with a detail naming
/// the property, and no echo of the value.
fn assert_too_long(r: &Resp, property: &str) {
    assert_error(r, 400, "VALIDATION_ERROR");
    let errors = r.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{}", r.body);
    assert_eq!(errors[0]["code"], "VALUE_TOO_LONG", "{}", r.body);
    assert_eq!(errors[0]["context"]["propertyName"], json!([property]));
    let message = r.body["message"].as_str().unwrap();
    assert!(
        message.starts_with("Property values were not valid"),
        "{message}"
    );
    assert!(
        r.body.to_string().len() < 2_000,
        "the value is not echoed: {} bytes",
        r.body.to_string().len()
    );
}

fn ticket(subject: &str, content: &str) -> Value {
    json!({"properties": {"subject": subject, "hs_pipeline_stage": "1", "content": content}})
}

#[tokio::test]
async fn property_values_are_capped_at_65536_characters_on_every_write() {
    let h = start(5).await;
    let api = Api::new(&h);
    let at_cap = text(MAX_CHARS);
    let over = text(MAX_CHARS + 1);

    // Create: exactly the cap is stored whole; one more character is refused.
    let r = api
        .post("/crm/v3/objects/tickets", ticket("at the cap", &at_cap))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    let r = api
        .get(&format!("/crm/v3/objects/tickets/{id}?properties=content"))
        .await;
    assert_eq!(
        r.body["properties"]["content"].as_str(),
        Some(at_cap.as_str())
    );
    let r = api
        .post("/crm/v3/objects/tickets", ticket("over", &over))
        .await;
    assert_too_long(&r, "content");
    // Single-line text too.
    let r = api
        .post("/crm/v3/objects/tickets", ticket(&over, "short"))
        .await;
    assert_too_long(&r, "subject");

    // Update.
    let r = api
        .patch(
            &format!("/crm/v3/objects/tickets/{id}"),
            json!({"properties": {"content": over}}),
        )
        .await;
    assert_too_long(&r, "content");
    let r = api
        .get(&format!("/crm/v3/objects/tickets/{id}?properties=content"))
        .await;
    assert_eq!(
        r.body["properties"]["content"].as_str(),
        Some(at_cap.as_str()),
        "a refused update changes nothing"
    );

    // Batch create, update and upsert: the whole batch is refused.
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/create",
            json!({"inputs": [ticket("fine", "fine"), ticket("over", &over)]}),
        )
        .await;
    assert_too_long(&r, "content");
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/update",
            json!({"inputs": [{"id": id, "properties": {"content": over}}]}),
        )
        .await;
    assert_too_long(&r, "content");
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/upsert",
            json!({"inputs": [{"id": "EXT-OVER", "idProperty": "external_ticket_ref",
                               "properties": {"subject": "x", "hs_pipeline_stage": "1", "content": over}}]}),
        )
        .await;
    assert_too_long(&r, "content");
    // The upsert key is a property value as well.
    let long_key = "k".repeat(MAX_CHARS + 1);
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/upsert",
            json!({"inputs": [{"id": long_key, "idProperty": "external_ticket_ref",
                               "properties": {"subject": "x", "hs_pipeline_stage": "1"}}]}),
        )
        .await;
    assert_too_long(&r, "external_ticket_ref");

    // Batch create with multi-status: the over-long input fails alone, in a 207.
    let mut good = ticket("traced", "fine");
    good["objectWriteTraceId"] = json!("t1");
    let mut bad = ticket("traced", &over);
    bad["objectWriteTraceId"] = json!("t2");
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/create",
            json!({"inputs": [good, bad]}),
        )
        .await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 1);
    let e = &r.body["errors"][0];
    assert_eq!(e["category"], "VALIDATION_ERROR");
    assert_eq!(e["errors"][0]["code"], "VALUE_TOO_LONG");
    assert_eq!(e["context"]["objectWriteTraceId"], json!(["t2"]));

    // Other objects: a note body (documented at 65,536 characters).
    let note = |body: &str| json!({"properties": {"hs_timestamp": "2026-11-01T00:00:00Z", "hs_note_body": body}});
    let r = api.post("/crm/v3/objects/notes", note(&at_cap)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = api.post("/crm/v3/objects/notes", note(&over)).await;
    assert_too_long(&r, "hs_note_body");
    h.shutdown().await;
}

/// Reads one HTTP/1.1 response (head and a `Content-Length` body) from `stream`.
async fn read_response(stream: &mut (impl AsyncReadExt + Unpin)) -> (u16, Value) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed before a response");
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "connection closed in the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..head_end + length]).unwrap_or(Value::Null);
    (status, body)
}

fn assert_too_large(status: u16, body: &Value) {
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["status"], "error", "{body}");
    assert!(body["category"].is_string(), "{body}");
    assert!(body["correlationId"].is_string(), "{body}");
    assert_schema("tickets-v3.json", "Error", body);
}

/// A 30 MB create whose size is announced up front is refused from its headers: the sandbox
/// answers without waiting for a single byte of the body.
#[tokio::test]
async fn an_announced_oversized_body_is_refused_from_its_headers() {
    let h = start(1).await;
    let mut stream = tokio::net::TcpStream::connect(h.addr()).await.unwrap();
    let head = format!(
        "POST /crm/v3/objects/tickets HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {TOKEN}\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        h.addr(),
        30 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // No body is sent: the answer must come from the headers alone. (The grace period only
    // turns a server that waits for the body into a failure instead of a hang.)
    let (status, body) = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        read_response(&mut stream),
    )
    .await
    .expect("an answer without the body");
    assert_too_large(status, &body);
    h.shutdown().await;
}

/// A chunked body (no size announced) is read only up to the limit: the sandbox answers 413
/// while most of a 30 MB create has not even been sent.
#[tokio::test]
async fn a_streamed_oversized_body_is_refused_at_the_limit() {
    let h = start(1).await;
    let stream = tokio::net::TcpStream::connect(h.addr()).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let head = format!(
        "POST /crm/v3/objects/tickets HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {TOKEN}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        h.addr()
    );
    const MIB: usize = 1024 * 1024;
    const TOTAL_MIB: usize = 30;
    // Sent before waiting for the answer: just over the sandbox's limit (16 MiB).
    const FIRST_MIB: usize = 17;
    let (answered_tx, answered_rx) = tokio::sync::oneshot::channel::<()>();
    let sent_mib = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let sent = sent_mib.clone();
    let writer = tokio::spawn(async move {
        let chunk = |bytes: &[u8]| {
            let mut c = format!("{:x}\r\n", bytes.len()).into_bytes();
            c.extend_from_slice(bytes);
            c.extend_from_slice(b"\r\n");
            c
        };
        let filler = chunk(&vec![b'x'; MIB]);
        let prefix = br#"{"properties":{"subject":"huge","hs_pipeline_stage":"1","content":""#;
        wr.write_all(head.as_bytes()).await?;
        wr.write_all(&chunk(prefix)).await?;
        for _ in 0..FIRST_MIB {
            wr.write_all(&filler).await?;
            sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        // Wait for the answer. Only a server still waiting for the body gets the rest, after
        // a long grace period (so that such a server fails this test instead of hanging it).
        if tokio::time::timeout(std::time::Duration::from_secs(120), answered_rx)
            .await
            .is_ok()
        {
            return Ok(());
        }
        for _ in FIRST_MIB..TOTAL_MIB {
            wr.write_all(&filler).await?;
            sent.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        wr.write_all(&chunk(br#""}}"#)).await?;
        wr.write_all(b"0\r\n\r\n").await
    });
    let (status, body) = read_response(&mut rd).await;
    let sent_when_answered = sent_mib.load(std::sync::atomic::Ordering::SeqCst);
    let _ = answered_tx.send(());
    writer.abort();
    assert_too_large(status, &body);
    assert!(
        sent_when_answered <= FIRST_MIB,
        "answered only after {sent_when_answered} MiB: the whole body was read"
    );
    h.shutdown().await;
}
