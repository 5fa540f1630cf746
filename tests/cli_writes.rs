//! `hubtix tickets update|archive|merge`, run as a user runs them: the real binary against a
//! sandbox on 127.0.0.1 (in-process, so the test counts the requests it received), the
//! results read back through the API, the journal read from the data folder.

#![allow(clippy::unwrap_used)]

#[path = "support/proxy.rs"]
mod proxy;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use serde_json::Value;

/// Runs hubtix with its folders in `dirs`, `stdin` piped in (never a terminal).
fn hubtix(sandbox: &SandboxHandle, dirs: &Path, args: &[&str], stdin: &str) -> Output {
    hubtix_at(&sandbox.base_url(), dirs, args, stdin)
}

/// [`hubtix`] against `base_url` (a proxy in front of the sandbox).
fn hubtix_at(base_url: &str, dirs: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .args(args)
        .env_clear()
        .env("HUBSPOT_ACCESS_TOKEN", "demo-token")
        .env("HUBTIX_BASE_URL", base_url)
        .env("HUBTIX_CONFIG_DIR", dirs.join("c"))
        .env("HUBTIX_DATA_DIR", dirs.join("d"))
        .env("HUBTIX_CACHE_DIR", dirs.join("k"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn sandbox(tickets: usize) -> SandboxHandle {
    hubtix::sandbox::spawn(SandboxConfig {
        tickets,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

/// A ticket as the API has it now (`None`: not found).
async fn ticket(sb: &SandboxHandle, id: &str, props: &str) -> Option<Value> {
    let r = reqwest::Client::new()
        .get(format!(
            "{}/crm/v3/objects/tickets/{id}?properties={props}",
            sb.base_url()
        ))
        .bearer_auth("demo-token")
        .send()
        .await
        .unwrap();
    if r.status() == 404 {
        return None;
    }
    assert!(r.status().is_success(), "{}", r.status());
    Some(r.json().await.unwrap())
}

fn prop(t: &Value, name: &str) -> String {
    t["properties"][name].as_str().unwrap_or("").to_owned()
}

/// The journal's lines in the data folder.
fn journal(dirs: &Path) -> Vec<Value> {
    std::fs::read_to_string(dirs.join("d").join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn update_sets_labels_as_ids_lists_failures_and_is_journaled() {
    let sb = sandbox(30).await;
    let dirs = tempfile::tempdir().unwrap();
    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &[
                "tickets",
                "update",
                "1001",
                "1002",
                "999999",
                "--set",
                "hs_pipeline_stage=Waiting on contact",
                "--set",
                "hs_ticket_priority=label:Low",
                "--output",
                "jsonl",
            ],
            "",
        )
    });
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(!out.status.success(), "one ticket does not exist: {stderr}");
    assert!(stderr.contains("ticket 999999:"), "{stderr}");
    assert!(stderr.contains("1 of 3 ticket(s) failed"), "{stderr}");
    let printed: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = printed.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1001", "1002"], "{stdout}");
    for id in ["1001", "1002"] {
        let t = ticket(&sb, id, "hs_pipeline_stage,hs_ticket_priority,hs_pipeline")
            .await
            .unwrap();
        assert_eq!(
            prop(&t, "hs_pipeline_stage"),
            "2",
            "the label became its ID"
        );
        assert_eq!(prop(&t, "hs_ticket_priority"), "LOW");
        assert_eq!(prop(&t, "hs_pipeline"), "0");
    }
    // The TUI's journal has it: `z` and `L` read this file.
    let lines = journal(dirs.path());
    let pending = lines
        .iter()
        .find(|l| l["line"] == "pending")
        .expect("a pending line");
    assert_eq!(pending["entry"]["kind"], "bulk_edit");
    let tickets = pending["entry"]["tickets"].as_array().unwrap();
    assert!(tickets.iter().any(|t| t == "1001"), "{pending}");
    let outcome = lines
        .iter()
        .find(|l| l["line"] == "outcome")
        .expect("an outcome line");
    assert_eq!(outcome["outcome"]["status"], "applied");
    assert!(
        outcome["outcome"]["failed"].to_string().contains("999999"),
        "{outcome}"
    );

    // A value the portal cannot take is refused before anything is sent.
    let before = sb.faults().request_count();
    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &[
                "tickets",
                "update",
                "1003",
                "--set",
                "hs_pipeline_stage=Nope",
            ],
            "",
        )
    });
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is no stage"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        sb.faults().request_count() - before,
        3,
        "only the portal's pipelines, owners and properties were read"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn update_from_stdin_batches_by_100_and_dry_run_sends_nothing() {
    let sb = sandbox(300).await;
    let dirs = tempfile::tempdir().unwrap();
    let lines: String = (1001..1151)
        .map(|id| {
            format!("{{\"id\": \"{id}\", \"properties\": {{\"hs_ticket_priority\": \"HIGH\"}}}}\n")
        })
        .chain(std::iter::once(
            "{\"id\": 1200, \"properties\": {\"subject\": \"renamed\"}}\n".to_owned(),
        ))
        .collect();

    // Dry run: the requests, and none of them sent.
    let before = sb.faults().request_count();
    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &["tickets", "update", "--stdin", "--dry-run"],
            &lines,
        )
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        sb.faults().request_count() - before,
        3,
        "a dry run reads the portal's pipelines, owners and properties, and writes nothing"
    );
    let requests: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sizes: Vec<usize> = requests
        .iter()
        .map(|r| r["body"]["inputs"].as_array().unwrap().len())
        .collect();
    assert_eq!(
        sizes,
        [100, 50, 1],
        "150 alike in batches of 100, then the other"
    );
    assert!(
        requests
            .iter()
            .all(|r| r["path"] == "/crm/v3/objects/tickets/batch/update")
    );
    let untouched = ticket(&sb, "1200", "subject").await.unwrap();
    assert_ne!(prop(&untouched, "subject"), "renamed");
    assert!(journal(dirs.path()).is_empty(), "nothing journaled");

    // For real.
    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &["tickets", "update", "--stdin", "--output", "csv"],
            &lines,
        )
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).lines().count(),
        152,
        "header and 151 rows"
    );
    for id in ["1001", "1100", "1150"] {
        let t = ticket(&sb, id, "hs_ticket_priority").await.unwrap();
        assert_eq!(prop(&t, "hs_ticket_priority"), "HIGH", "ticket {id}");
    }
    let t = ticket(&sb, "1200", "subject").await.unwrap();
    assert_eq!(prop(&t, "subject"), "renamed");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn archive_needs_yes_without_a_terminal_then_archives() {
    let sb = sandbox(30).await;
    let dirs = tempfile::tempdir().unwrap();
    let before = sb.faults().request_count();
    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &["tickets", "archive", "1004", "1005"],
            "y\n",
        )
    });
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--yes"), "{}", text(&out.stderr));
    assert_eq!(sb.faults().request_count(), before, "nothing sent");
    assert!(ticket(&sb, "1004", "subject").await.is_some());
    let before = sb.faults().request_count();

    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &["tickets", "archive", "1004", "1005", "--dry-run"],
            "",
        )
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("/crm/v3/objects/tickets/batch/archive"));
    assert_eq!(
        sb.faults().request_count(),
        before,
        "a dry run sends nothing"
    );

    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &[
                "tickets", "archive", "1004", "1005", "--yes", "--output", "jsonl",
            ],
            "",
        )
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 2);
    assert!(ticket(&sb, "1004", "subject").await.is_none());
    assert!(ticket(&sb, "1005", "subject").await.is_none());
    let lines = journal(dirs.path());
    assert!(
        lines
            .iter()
            .any(|l| l["line"] == "pending" && l["entry"]["kind"] == "delete"),
        "{lines:?}"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn merge_needs_yes_and_prints_the_survivor() {
    let sb = sandbox(30).await;
    let dirs = tempfile::tempdir().unwrap();
    let merge = |extra: &[&str]| {
        let mut args = vec![
            "tickets", "merge", "1006", "--into", "1007", "--output", "json",
        ];
        args.extend_from_slice(extra);
        tokio::task::block_in_place(|| hubtix(&sb, dirs.path(), &args, ""))
    };
    let before = sb.faults().request_count();
    let out = merge(&[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--yes"), "{}", text(&out.stderr));
    let out = merge(&["--dry-run"]);
    assert!(out.status.success());
    let req: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(req["body"]["primaryObjectId"], "1007");
    assert_eq!(req["body"]["objectIdToMerge"], "1006");
    assert_eq!(sb.faults().request_count(), before, "nothing sent");

    let out = merge(&["--yes"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let survivor: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    let id = survivor[0]["id"].as_str().unwrap().to_owned();
    let t = ticket(&sb, &id, "hs_merged_object_ids").await.unwrap();
    let merged = prop(&t, "hs_merged_object_ids");
    assert!(
        merged.contains("1006") && merged.contains("1007"),
        "{merged}"
    );
    let lines = journal(dirs.path());
    assert!(
        lines
            .iter()
            .any(|l| l["line"] == "pending" && l["entry"]["kind"] == "merge"),
        "the merge is in the log of writes: {lines:?}"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn note_is_written_pinned_and_journaled_and_dry_run_sends_nothing() {
    let sb = sandbox(30).await;
    let dirs = tempfile::tempdir().unwrap();
    let before = sb.faults().request_count();
    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &[
                "tickets",
                "note",
                "1008",
                "--file",
                "-",
                "--pin",
                "--dry-run",
            ],
            "Called back <b>twice</b>",
        )
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        sb.faults().request_count(),
        before,
        "a dry run sends nothing"
    );
    let printed = text(&out.stdout);
    assert!(printed.contains("/crm/v3/objects/notes"), "{printed}");
    assert!(printed.contains("hs_pinned_engagement_id"), "{printed}");

    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &[
                "tickets", "note", "1008", "--file", "-", "--pin", "--output", "jsonl",
            ],
            "Called back <b>twice</b>",
        )
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    let note_id = v["id"].as_str().unwrap().to_owned();
    let t = ticket(&sb, "1008", "hs_pinned_engagement_id")
        .await
        .unwrap();
    assert_eq!(prop(&t, "hs_pinned_engagement_id"), note_id);
    let note: Value = reqwest::Client::new()
        .get(format!(
            "{}/crm/v3/objects/notes/{note_id}?properties=hs_note_body",
            sb.base_url()
        ))
        .bearer_auth("demo-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let body = prop(&note, "hs_note_body");
    assert!(
        body.contains("Called back &lt;b&gt;twice&lt;/b&gt;"),
        "{body}"
    );
    let lines = journal(dirs.path());
    assert!(
        lines
            .iter()
            .any(|l| l["line"] == "pending" && l["entry"]["kind"] == "activity"),
        "{lines:?}"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pin_sets_the_pinned_activity() {
    let sb = sandbox(30).await;
    let dirs = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| tokio::task::block_in_place(|| hubtix(&sb, dirs.path(), args, ""));
    let out = run(&[
        "tickets", "note", "1009", "--text", "first", "--output", "jsonl",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    let note_id = v["id"].as_str().unwrap().to_owned();
    let t = ticket(&sb, "1009", "hs_pinned_engagement_id")
        .await
        .unwrap();
    assert_ne!(
        prop(&t, "hs_pinned_engagement_id"),
        note_id,
        "not pinned yet"
    );

    let before = sb.faults().request_count();
    let out = run(&["tickets", "pin", "1009", &note_id, "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        sb.faults().request_count(),
        before,
        "a dry run sends nothing"
    );

    let out = run(&["tickets", "pin", "1009", &note_id]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = ticket(&sb, "1009", "hs_pinned_engagement_id")
        .await
        .unwrap();
    assert_eq!(prop(&t, "hs_pinned_engagement_id"), note_id);
    let lines = journal(dirs.path());
    assert!(
        lines.iter().any(|l| l["line"] == "pending"
            && l["entry"]["properties"]
                .to_string()
                .contains("hs_pinned_engagement_id")),
        "{lines:?}"
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_filters_by_label_sorts_and_matches_the_apis_total() {
    let sb = sandbox(300).await;
    let dirs = tempfile::tempdir().unwrap();
    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &[
                "tickets",
                "search",
                "--filter",
                "hs_pipeline_stage = label:Waiting on contact",
                "--sort",
                "hs_object_id desc",
                "--limit",
                "1000",
                "--output",
                "jsonl",
            ],
            "",
        )
    });
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| prop(r, "hs_pipeline_stage") == "2"));
    let ids: Vec<u64> = rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest ID first");
    let api: Value = reqwest::Client::new()
        .post(format!("{}/crm/v3/objects/tickets/search", sb.base_url()))
        .bearer_auth("demo-token")
        .json(&serde_json::json!({
            "filterGroups": [{"filters": [
                {"propertyName": "hs_pipeline_stage", "operator": "EQ", "value": "2"}
            ]}],
            "limit": 1
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["total"].as_u64().unwrap(), rows.len() as u64);

    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            dirs.path(),
            &["tickets", "search", "--filter", "subject ?? x"],
            "",
        )
    });
    assert_eq!(out.status.code(), Some(2), "a bad filter is a usage error");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_maps_labels_associates_and_is_journaled() {
    let sb = sandbox(30).await;
    let dirs = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| tokio::task::block_in_place(|| hubtix(&sb, dirs.path(), args, ""));
    let base = [
        "tickets",
        "create",
        "--subject",
        "Printer on fire again",
        "--pipeline",
        "Escalations",
        "--stage",
        "Fix scheduled",
        "--set",
        "hs_ticket_priority=HIGH",
        "--associate",
        "contacts:206",
        "--output",
        "jsonl",
    ];
    let before = sb.faults().request_count();
    let out = run(&[&base[..], &["--dry-run"]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        sb.faults().request_count() - before,
        3,
        "a dry run reads the portal's pipelines, owners and properties, and writes nothing"
    );
    assert!(text(&out.stdout).contains("\"hs_pipeline_stage\":\"7458294\""));

    let out = run(&base);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    let id = v["id"].as_str().unwrap().to_owned();
    let t = ticket(
        &sb,
        &id,
        "subject,hs_pipeline,hs_pipeline_stage,hs_ticket_priority&associations=contacts",
    )
    .await
    .unwrap();
    assert_eq!(prop(&t, "subject"), "Printer on fire again");
    assert_eq!(prop(&t, "hs_pipeline"), "7458291");
    assert_eq!(prop(&t, "hs_pipeline_stage"), "7458294");
    assert_eq!(prop(&t, "hs_ticket_priority"), "HIGH");
    assert!(
        t["associations"]["contacts"]
            .to_string()
            .contains("\"206\""),
        "{t}"
    );
    let lines = journal(dirs.path());
    assert!(
        lines
            .iter()
            .any(|l| l["line"] == "pending" && l["entry"]["kind"] == "create_ticket"),
        "{lines:?}"
    );
    sb.shutdown().await;
}

/// The types between a ticket and a record, as the API has them now (sorted; empty: none).
async fn pair_types(sb: &SandboxHandle, ticket: &str, kind: &str, to: &str) -> Vec<u64> {
    let v: Value = reqwest::Client::new()
        .get(format!(
            "{}/crm/v4/objects/tickets/{ticket}/associations/{kind}",
            sb.base_url()
        ))
        .bearer_auth("demo-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut types: Vec<u64> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["toObjectId"].to_string().trim_matches('"') == to)
        .flat_map(|r| r["associationTypes"].as_array().unwrap().clone())
        .map(|t| t["typeId"].as_u64().unwrap())
        .collect();
    types.sort_unstable();
    types
}

/// A company and a contact ticket `ticket` is not associated with.
async fn strangers(sb: &SandboxHandle, ticket: &str) -> (String, String) {
    let mut company = None;
    for id in 301..=325 {
        if pair_types(sb, ticket, "companies", &id.to_string())
            .await
            .is_empty()
        {
            company = Some(id.to_string());
            break;
        }
    }
    let mut contact = None;
    for id in 201..=260 {
        if pair_types(sb, ticket, "contacts", &id.to_string())
            .await
            .is_empty()
        {
            contact = Some(id.to_string());
            break;
        }
    }
    (company.unwrap(), contact.unwrap())
}

fn json_lines(b: &[u8]) -> Vec<Value> {
    text(b)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The outcome lines of the journal, by entry ID.
fn outcomes(dirs: &Path) -> Vec<Value> {
    journal(dirs)
        .into_iter()
        .filter(|l| l["line"] == "outcome")
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn associate_and_unassociate_by_label_journaled_with_the_requests_correlation_ids() {
    let sb = sandbox(30).await;
    let proxy = proxy::Proxy::start(sb.base_url()).await;
    let dirs = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        tokio::task::block_in_place(|| hubtix_at(&proxy.url(), dirs.path(), args, ""))
    };
    let (company, contact) = strangers(&sb, "1010").await;
    let primary = format!("companies:{company}:primary");
    let plain = format!("contacts:{contact}");

    // A dry run reads the labels and the pairs' types, prints the PUTs, writes nothing.
    let before = sb.faults().request_count();
    let out = run(&[
        "tickets",
        "associate",
        "1010",
        &primary,
        &plain,
        "--dry-run",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        sb.faults().request_count() - before,
        3,
        "the companies' labels, the ticket's companies and contacts; no write"
    );
    let requests = json_lines(&out.stdout);
    assert_eq!(requests.len(), 2, "{requests:?}");
    assert_eq!(requests[0]["method"], "PUT");
    assert_eq!(
        requests[0]["path"],
        format!("/crm/v4/objects/tickets/1010/associations/companies/{company}")
    );
    assert_eq!(requests[0]["body"][0]["associationTypeId"], 26);
    assert_eq!(requests[1]["body"][0]["associationTypeId"], 16);
    assert!(
        pair_types(&sb, "1010", "companies", &company)
            .await
            .is_empty()
    );

    // An unknown label names those there are, before any write.
    let out = run(&[
        "tickets",
        "associate",
        "1010",
        &format!("companies:{company}:Billing"),
    ]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("no association label \"Billing\""), "{err}");
    assert!(err.contains("Primary [HUBSPOT_DEFINED 26]"), "{err}");
    assert!(
        proxy.seen().iter().all(|s| s.method == "GET"),
        "nothing written"
    );

    // For real: each association its own journaled write, its correlation ID printed.
    let out = run(&[
        "tickets",
        "associate",
        "1010",
        &primary,
        &plain,
        "--output",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(
        pair_types(&sb, "1010", "companies", &company).await,
        [26, 339]
    );
    assert_eq!(pair_types(&sb, "1010", "contacts", &contact).await, [16]);
    let puts: Vec<proxy::Seen> = proxy
        .seen()
        .into_iter()
        .filter(|s| s.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 2);
    for (record, put) in printed.as_array().unwrap().iter().zip(&puts) {
        assert_eq!(
            record["correlation_ids"],
            serde_json::json!([put.correlation_id.clone().unwrap()]),
            "{record}"
        );
    }
    assert_eq!(printed[0]["properties"]["label"], "Primary");
    assert_eq!(
        printed[0]["properties"]["association_type"],
        "HUBSPOT_DEFINED 26"
    );
    let lines = journal(dirs.path());
    let added: Vec<&Value> = lines
        .iter()
        .filter(|l| l["line"] == "pending" && l["entry"]["kind"] == "associate")
        .collect();
    assert_eq!(added.len(), 2, "{lines:?}");
    let journaled_ids: Vec<Value> = outcomes(dirs.path())
        .iter()
        .map(|o| o["outcome"]["correlation_ids"][0].clone())
        .collect();
    for put in &puts {
        assert!(
            journaled_ids.contains(&Value::from(put.correlation_id.clone().unwrap())),
            "the journal has the PUT's correlation ID: {journaled_ids:?}"
        );
    }

    // One label off: only that label goes (v4 labels/archive).
    let out = run(&[
        "tickets",
        "unassociate",
        "1010",
        &format!("companies:{company}:26"),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(pair_types(&sb, "1010", "companies", &company).await, [339]);
    assert_eq!(proxy.count("POST", "/batch/labels/archive"), 1);
    let removal = journal(dirs.path())
        .into_iter()
        .rfind(|l| l["line"] == "pending" && l["entry"]["kind"] == "remove_association")
        .unwrap();
    assert_eq!(
        removal["entry"]["associations"][0]["after"],
        serde_json::json!([["HUBSPOT_DEFINED", 339]]),
        "{removal}"
    );

    // The whole association, and one that is not there: listed, exit code 1.
    let out = run(&["tickets", "unassociate", "1010", &plain, "deals:999999"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("deals 999999: not associated"), "{err}");
    assert!(err.contains("1 of 2 association(s) failed"), "{err}");
    assert!(
        pair_types(&sb, "1010", "contacts", &contact)
            .await
            .is_empty()
    );

    // The TUI's undo puts the label back from the CLI's journal entry.
    let reader = hubtix::journal::Journal::new(
        hubtix::journal::file_in(&dirs.path().join("d"), false),
        "tui",
    );
    let entry = reader
        .load()
        .unwrap()
        .into_iter()
        .rfind(|l| {
            l.entry
                .associations
                .first()
                .is_some_and(|a| a.kind == "companies")
                && l.entry.kind == hubtix::protocol::journal::WriteKind::RemoveAssociation
        })
        .unwrap()
        .entry;
    let plan = hubtix::protocol::journal::UndoPlan::new(&[entry], |_, _| None);
    let mut config = hubtix::hubspot::ClientConfig::new(
        sb.base_url(),
        hubtix::hubspot::AccessToken::new("demo-token"),
    );
    config.retry = hubtix::hubspot::RetryPolicy::fast();
    let (tx, mut events) = tokio::sync::mpsc::channel(16);
    let commands = hubtix::worker::spawn(hubtix::hubspot::Client::new(config).unwrap(), tx);
    commands
        .send(hubtix::worker::Command::Undo {
            req: 1,
            plan: Box::new(plan),
        })
        .unwrap();
    loop {
        match events.recv().await.unwrap() {
            hubtix::worker::Event::Undone { failed, .. } => {
                assert!(failed.is_empty(), "{failed:?}");
                break;
            }
            hubtix::worker::Event::Failed { failure, .. } => panic!("{failure:?}"),
            _ => {}
        }
    }
    assert_eq!(
        pair_types(&sb, "1010", "companies", &company).await,
        [26, 339]
    );
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn owners_by_name_and_labelled_associations_at_creation() {
    let sb = sandbox(30).await;
    let proxy = proxy::Proxy::start(sb.base_url()).await;
    let dirs = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        tokio::task::block_in_place(|| hubtix_at(&proxy.url(), dirs.path(), args, ""))
    };
    // By display name, as the TUI's picker shows it (any case), the JSON with the
    // batch request's correlation ID, as the journal has it.
    let out = run(&[
        "tickets",
        "update",
        "1011",
        "--set",
        "hubspot_owner_id=alice johnson",
        "--output",
        "jsonl",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = ticket(&sb, "1011", "hubspot_owner_id").await.unwrap();
    assert_eq!(prop(&t, "hubspot_owner_id"), "71000001");
    let printed = json_lines(&out.stdout);
    let sent = proxy
        .seen()
        .into_iter()
        .find(|s| s.path.contains("/batch/update"))
        .unwrap()
        .correlation_id
        .unwrap();
    assert_eq!(printed[0]["correlation_ids"], serde_json::json!([sent]));
    let outcome = outcomes(dirs.path()).pop().unwrap();
    assert_eq!(
        outcome["outcome"]["correlation_ids"],
        serde_json::json!([sent]),
        "{outcome}"
    );
    // Japanese names too; an archived owner's name is not offered.
    let out = run(&[
        "tickets",
        "update",
        "1012",
        "--set",
        "hubspot_owner_id=太郎 山田",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let t = ticket(&sb, "1012", "hubspot_owner_id").await.unwrap();
    assert_eq!(prop(&t, "hubspot_owner_id"), "71000002");
    let writes = proxy.seen().iter().filter(|s| s.method != "GET").count();
    let out = run(&[
        "tickets",
        "update",
        "1012",
        "--set",
        "hubspot_owner_id=Frank Rossi",
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is no owner"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        proxy.seen().iter().filter(|s| s.method != "GET").count(),
        writes,
        "nothing sent"
    );

    // A new ticket with a Primary company: created, then the label added as the TUI adds it.
    let (company, _) = strangers(&sb, "1013").await;
    let out = run(&[
        "tickets",
        "create",
        "--subject",
        "Labelled at birth",
        "--associate",
        &format!("companies:{company}:Primary"),
        "--output",
        "jsonl",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v = json_lines(&out.stdout).pop().unwrap();
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(pair_types(&sb, &id, "companies", &company).await, [26, 339]);
    assert_eq!(
        v["correlation_ids"].as_array().unwrap().len(),
        2,
        "the create's and the label's: {v}"
    );
    sb.shutdown().await;
}
