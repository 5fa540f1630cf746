//! The command line, run as a user runs it: the real `hubtix` binary against a sandbox on
//! 127.0.0.1 (in-process here, so the test can count the requests it received).

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use serde_json::Value;

fn hubtix(sandbox: &SandboxHandle, token: &str, args: &[&str]) -> Output {
    let dirs = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .args(args)
        .env_clear()
        .env("HUBSPOT_ACCESS_TOKEN", token)
        .env("HUBTIX_BASE_URL", sandbox.base_url())
        .env("HUBTIX_CONFIG_DIR", dirs.path().join("c"))
        .env("HUBTIX_DATA_DIR", dirs.path().join("d"))
        .env("HUBTIX_CACHE_DIR", dirs.path().join("k"))
        .output()
        .unwrap()
}

async fn sandbox(tickets: usize) -> SandboxHandle {
    hubtix::sandbox::spawn(SandboxConfig {
        tickets,
        ..SandboxConfig::default()
    })
    .await
    .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}
fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn list_all_jsonl_returns_every_ticket_in_100_requests() {
    let sb = sandbox(10_000).await;
    let before = sb.faults().request_count();
    let out = tokio::task::block_in_place(|| {
        hubtix(
            &sb,
            "demo-token",
            &["tickets", "list", "--all", "--output", "jsonl"],
        )
    });
    assert!(out.status.success(), "{}", stderr(&out));
    let requests = sb.faults().request_count() - before;
    let text = stdout(&out);
    let ids: Vec<u64> = text
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            assert!(
                v["properties"]["subject"].is_string() || v["properties"].get("subject").is_none()
            );
            v["id"].as_str().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 10_000);
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 10_000, "no ticket twice");
    assert_eq!(requests, 100, "100 pages of HubSpot's maximum 100");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn list_formats_and_limits() {
    let sb = sandbox(250).await;
    let run = |args: &[&str]| tokio::task::block_in_place(|| hubtix(&sb, "demo-token", args));

    // Default: a table of 10, with stage labels and owner names rather than IDs.
    let out = run(&["tickets", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert_eq!(table.lines().count(), 11, "header + 10 rows:\n{table}");
    assert!(
        table.lines().nth(1).unwrap().starts_with("1001 "),
        "{table}"
    );
    assert!(table.contains("プリンターが燃えている"), "{table}");
    assert!(
        !table.contains('\u{1b}'),
        "escape sequences never reach the terminal"
    );

    // --limit above one page pages through.
    let out = run(&["tickets", "list", "--limit", "120", "--output", "jsonl"]);
    assert_eq!(stdout(&out).lines().count(), 120);

    // JSON is one valid array with the requested properties.
    let out = run(&[
        "tickets",
        "list",
        "--limit",
        "3",
        "--properties",
        "subject,hs_ticket_priority",
        "--output",
        "json",
    ]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 3);
    assert_eq!(arr[0]["properties"]["subject"], "プリンターが燃えている");
    assert_eq!(arr[0]["properties"]["hs_ticket_priority"], "HIGH");

    // CSV has a header and quotes what needs quoting.
    let out = run(&[
        "tickets",
        "list",
        "--limit",
        "5",
        "--properties",
        "subject",
        "--output",
        "csv",
    ]);
    let csv = stdout(&out);
    assert!(
        csv.starts_with("id,subject\n1001,プリンターが燃えている\n"),
        "{csv}"
    );
    assert_eq!(
        csv.lines()
            .filter(|l| l.starts_with(char::is_numeric))
            .count(),
        5
    );

    // Archived tickets are listed only with --archived.
    let out = run(&[
        "tickets",
        "list",
        "--all",
        "--archived",
        "--output",
        "jsonl",
    ]);
    let archived: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!archived.is_empty());
    assert!(archived.iter().all(|r| r["archived"] == true));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn get_prints_history_and_associations() {
    let sb = sandbox(50).await;
    let run = |args: &[&str]| tokio::task::block_in_place(|| hubtix(&sb, "demo-token", args));

    let out = run(&[
        "tickets",
        "get",
        "1001",
        "--history",
        "--associations",
        "contacts,companies",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("Ticket 1001  プリンターが燃えている"),
        "{text}"
    );
    assert!(text.contains("History ("), "{text}");
    assert!(
        text.contains("Ticket status"),
        "labels from the Properties API:\n{text}"
    );
    assert!(text.contains(" → "), "{text}");
    assert!(
        text.contains("Associations") && text.contains("contacts:"),
        "{text}"
    );

    let out = run(&["tickets", "get", "1001", "--history", "--output", "json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let stages = v["propertiesWithHistory"]["hs_pipeline_stage"]
        .as_array()
        .unwrap();
    assert!(stages.len() >= 2);
    let times: Vec<&str> = stages
        .iter()
        .map(|s| s["timestamp"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "history newest first");

    // By a unique property instead of the record ID.
    let out = run(&[
        "tickets",
        "get",
        "EXT-000023",
        "--id-property",
        "external_ticket_ref",
        "--output",
        "jsonl",
    ]);
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["id"], "1023");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_are_one_line_with_status_category_and_correlation_id_never_the_token() {
    let sb = sandbox(20).await;
    let run = |token: &str, args: &[&str]| tokio::task::block_in_place(|| hubtix(&sb, token, args));

    let out = run("pat-na1-secret-token-value", &["tickets", "list"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("401") && err.contains("INVALID_AUTHENTICATION"),
        "{err}"
    );
    assert!(err.contains("correlation id"), "{err}");
    assert!(!err.contains("secret-token"), "token leaked: {err}");
    assert!(stdout(&out).is_empty());

    let out = run("demo-token", &["tickets", "get", "999999"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("404") && err.contains("OBJECT_NOT_FOUND"),
        "{err}"
    );

    sb.faults().fail_next(1, 403);
    let out = run("demo-token", &["tickets", "list", "--output", "jsonl"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("403") && err.contains("MISSING_SCOPES"),
        "{err}"
    );
    sb.shutdown().await;
}

#[test]
fn missing_token_says_how_to_fix_it() {
    let dirs = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .args(["tickets", "list"])
        .env_clear()
        .env("HUBTIX_CONFIG_DIR", dirs.path())
        .env("HUBTIX_DATA_DIR", dirs.path())
        .env("HUBTIX_CACHE_DIR", dirs.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("HUBSPOT_ACCESS_TOKEN") && err.contains("--demo"),
        "{err}"
    );
    assert!(
        err.contains("access token or service key") && err.contains("private app"),
        "names both credentials HubSpot offers: {err}"
    );
}

#[test]
fn demo_lists_without_any_account() {
    let dirs = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .args([
            "--demo", "tickets", "list", "--limit", "3", "--output", "jsonl",
        ])
        .env_clear()
        .env("HUBTIX_CONFIG_DIR", dirs.path())
        .env("HUBTIX_DATA_DIR", dirs.path())
        .env("HUBTIX_CACHE_DIR", dirs.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 3);
}

#[test]
fn sandbox_command_announces_its_address_and_serves() {
    let dirs = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .args([
            "sandbox",
            "--port",
            "0",
            "--tickets",
            "30",
            "--token",
            "t0k",
        ])
        .env("HUBTIX_CACHE_DIR", dirs.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let out = Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .args(["tickets", "list", "--all", "--output", "jsonl"])
        .env_clear()
        .env("HUBSPOT_ACCESS_TOKEN", "t0k")
        .env("HUBTIX_BASE_URL", &url)
        .env("HUBTIX_CACHE_DIR", dirs.path())
        .env("HUBTIX_CONFIG_DIR", dirs.path())
        .env("HUBTIX_DATA_DIR", dirs.path())
        .output()
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 30);
}

#[test]
fn paths_lists_the_folders() {
    let out = Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .arg("paths")
        .env("HUBTIX_CONFIG_DIR", "/tmp/hx-conf")
        .env("HUBTIX_DATA_DIR", "/tmp/hx-data")
        .env("HUBTIX_CACHE_DIR", "/tmp/hx-cache")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("/tmp/hx-conf/config.toml"), "{text}");
    assert!(
        text.contains("/tmp/hx-data") && text.contains("/tmp/hx-cache/logs"),
        "{text}"
    );
}

/// `hubtix --demo` with this config.toml in `dir` (also its data and cache folder), no
/// terminal and no other environment.
fn demo_with_config(dir: &std::path::Path, config: &str) -> Output {
    std::fs::write(dir.join("config.toml"), config).unwrap();
    Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .arg("--demo")
        .env_clear()
        .env("HUBTIX_CONFIG_DIR", dir)
        .env("HUBTIX_DATA_DIR", dir)
        .env("HUBTIX_CACHE_DIR", dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn a_bad_key_binding_is_reported_before_the_terminal_is_taken() {
    let dirs = tempfile::tempdir().unwrap();
    let out = demo_with_config(
        dirs.path(),
        "portal_id = \"1\"\n\n[keys.list]\nfrobnicate = \"x\"\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("config.toml") && err.contains("frobnicate"),
        "{err}"
    );
    assert!(err.contains("line 4"), "names the line: {err}");
}

#[test]
fn bad_views_are_reported_before_the_terminal_is_taken() {
    let dirs = tempfile::tempdir().unwrap();
    for (config, says) in [
        (
            "[[views]]\nname = \"Queue\"\n\n[[views]]\nname = \"queue\"\n",
            "two views are named \"queue\"",
        ),
        (
            "[[views]]\nname = \"Queue\"\nowner = [\"@me\"]\n",
            "unknown field `owner`",
        ),
        (
            "[[views]]\nname = \"Queue\"\nsort = \"priority sideways\"\n",
            "not a direction",
        ),
    ] {
        let out = demo_with_config(dirs.path(), config);
        assert_eq!(out.status.code(), Some(1), "{config}");
        let err = stderr(&out);
        assert!(err.contains(says), "{config}: {err}");
        assert!(!err.contains("terminal"), "before the terminal: {err}");
    }
}

/// A config.toml that does not parse is reported on one short line naming the file, the line
/// and the column, and never with the file's text: whatever the mistake, a token written in
/// the file does not reach the terminal, and a 2 MB line does not either.
#[test]
fn config_errors_never_echo_a_token_and_stay_on_one_short_line() {
    let dirs = tempfile::tempdir().unwrap();
    let secret = "pat-na1-5ec7e7aa-1b2c-4d3e-8f90-0123456789ab";
    // A credential of no known shape, written where it does not belong.
    let other_secret = "zq81KXV2mT0pWcL7Hs9dEe4R";
    let huge = "x".repeat(2 * 1024 * 1024);
    let cases = [
        // The case: the token unquoted.
        (format!("token = {secret}\n"), 1),
        // Quoted, with a syntax error after it on the same line.
        (
            format!("token = \"{secret}\" # fine\nme = \"a\" \"b\"\n"),
            2,
        ),
        (format!("token = \"{secret}\" trailing\n"), 1),
        // A 2 MB line, the token valid on the line before.
        (
            format!("portal_id = \"1\"\ntoken = \"{secret}\"\nme = {huge}\n"),
            3,
        ),
        (format!("token = \"{secret}\"\nme = \"{huge}\n"), 2),
        (format!("token = \"{secret}\"\nme = [\"{huge}\"]\n"), 2),
        // Parsed, but not what the settings are.
        (format!("tokne = \"{secret}\"\n"), 1),
        (format!("token = \"{secret}\"\nkeys = \"{secret}\"\n"), 2),
        (format!("keys = \"{other_secret}\"\n"), 1),
        (format!("me = [\"{other_secret}\"]\n"), 1),
        // Key bindings are read from the same file by the keymap.
        (format!("[keys]\nlist = \"{other_secret}\"\n"), 2),
        (
            format!("[[views]]\nname = \"Queue\"\ntoken = \"{secret}\"\n"),
            3,
        ),
        (
            format!("token = \"{secret}\"\n[[views]]\nname = \"Queue\"\nsort = \"x {secret}\"\n"),
            4,
        ),
    ];
    for (config, line) in cases {
        let out = demo_with_config(dirs.path(), &config);
        let shown = &config[..config.len().min(80)];
        assert_eq!(out.status.code(), Some(1), "{shown}");
        let err = stderr(&out);
        assert!(
            !err.contains("5ec7e7aa") && !err.contains("0123456789ab"),
            "{shown}: the token leaked: {err}"
        );
        assert!(!err.contains("zq81KXV2"), "{shown}: a secret leaked: {err}");
        assert!(err.len() <= 400, "{shown}: {} bytes: {err:.400}", err.len());
        assert_eq!(err.lines().count(), 1, "{shown}: {err}");
        assert!(
            err.contains("config.toml") && err.contains(&format!("line {line}")),
            "{shown}: names the file and line {line}: {err}"
        );
        assert!(stdout(&out).is_empty());
    }
}

/// The log holds customer text (subjects, IDs, errors): its folder is created 0700 and the
/// file 0600, and so is the cache folder that holds them.
#[cfg(unix)]
#[test]
fn the_log_and_its_folders_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dirs = tempfile::tempdir().unwrap();
    let cache = dirs.path().join("cache");
    let out = Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .arg("paths")
        .env_clear()
        .env("HUBTIX_CONFIG_DIR", dirs.path().join("config"))
        .env("HUBTIX_DATA_DIR", dirs.path().join("data"))
        .env("HUBTIX_CACHE_DIR", &cache)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&cache), 0o700);
    assert_eq!(mode(&cache.join("logs")), 0o700);
    assert_eq!(mode(&cache.join("logs").join("hubtix.log")), 0o600);
}

/// A mistake on the command line is one line on stderr naming the problem, exit code 2, and
/// no request at all.
#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_are_one_line_naming_the_problem_with_exit_code_2() {
    let sb = sandbox(20).await;
    let run = |args: &[&str]| tokio::task::block_in_place(|| hubtix(&sb, "demo-token", args));
    let before = sb.faults().request_count();
    let cases: [(&[&str], &str); 13] = [
        (
            &["tickets", "get", ""],
            "invalid ID '': a ticket ID cannot be empty",
        ),
        (&["tickets", "get", "  "], "a ticket ID cannot be empty"),
        (
            &["tickets", "list", "--limit", "0"],
            "invalid --limit '0': must be at least 1",
        ),
        (&["tickets", "list", "--all", "--limit", "0"], "--limit '0'"),
        (
            &["tickets", "list", "--limit", "ten"],
            "invalid --limit 'ten'",
        ),
        (
            &["tickets", "get", "1001", "--associations", "contacts,bogus"],
            "invalid --associations 'bogus': not an object type",
        ),
        (
            &["tickets", "list", "--output", "xml"],
            "invalid --output 'xml': expected table, json, jsonl or csv",
        ),
        (
            &["tickets", "get", "1001", "--output", "XML"],
            "invalid --output 'XML': expected table, json, jsonl or csv",
        ),
        (
            &["tickets", "list", "--properties", "subject,"],
            "invalid --properties '': a property name cannot be empty",
        ),
        (
            &["tickets", "get", "1", "--id-property", ""],
            "invalid --id-property ''",
        ),
        (&["tickets", "list", "--frobnicate"], "'--frobnicate'"),
        (&["tickets", "get"], "ID"),
        (&["tickets"], "see --help"),
    ];
    for (args, says) in cases {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("hubtix: "), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: expected {says:?} in {err}");
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
    assert_eq!(
        sb.faults().request_count(),
        before,
        "usage errors are found before any request"
    );

    // Help and version still print as clap prints them.
    let out = run(&["tickets", "get", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("--associations"), "{}", stdout(&out));
    assert!(stdout(&out).lines().count() > 5);
    let out = run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("hubtix "), "{}", stdout(&out));
    sb.shutdown().await;
}

/// A ticket that does not exist is named in the error, with HubSpot's status, category and
/// correlation ID; exit code 1.
#[tokio::test(flavor = "multi_thread")]
async fn a_missing_ticket_is_named() {
    let sb = sandbox(20).await;
    let run = |args: &[&str]| tokio::task::block_in_place(|| hubtix(&sb, "demo-token", args));
    for (args, says) in [
        (&["tickets", "get", "99999"][..], "ticket 99999 not found"),
        (
            &["tickets", "get", "99999", "--output", "json"],
            "ticket 99999 not found",
        ),
        (
            &[
                "tickets",
                "get",
                "EXT-NOPE",
                "--id-property",
                "external_ticket_ref",
            ],
            "no ticket with external_ticket_ref EXT-NOPE",
        ),
        (
            &["tickets", "get", "1001", "--archived"],
            "archived ticket 1001 not found",
        ),
    ] {
        let out = run(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: expected {says:?} in {err}");
        assert!(
            err.contains("404")
                && err.contains("OBJECT_NOT_FOUND")
                && err.contains("correlation id"),
            "{args:?}: {err}"
        );
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
    sb.shutdown().await;
}

/// Runs `hubtix` with its folders in `dirs` (kept between runs: the cache outlives a command).
fn hubtix_in(sandbox: &SandboxHandle, dirs: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .args(args)
        .env_clear()
        .env("HUBSPOT_ACCESS_TOKEN", "demo-token")
        .env("HUBTIX_BASE_URL", sandbox.base_url())
        .env("HUBTIX_CONFIG_DIR", dirs.join("c"))
        .env("HUBTIX_DATA_DIR", dirs.join("d"))
        .env("HUBTIX_CACHE_DIR", dirs.join("k"))
        .output()
        .unwrap()
}

/// HubSpot answers a requested property without a value as `null`: the JSON outputs keep the
/// `null`, CSV and the table show an empty cell (never "null"), exactly as for a property
/// that is absent, and `--cached` prints what a live listing prints.
#[tokio::test(flavor = "multi_thread")]
async fn requested_but_empty_properties_print_as_empty_in_every_format() {
    let sb = sandbox(60).await;
    let dirs = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = tokio::task::block_in_place(|| hubtix_in(&sb, dirs.path(), args));
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stdout(&out)
    };
    let list = |format: &str| {
        run(&[
            "tickets",
            "list",
            "--all",
            "--properties",
            "hs_ticket_category,subject",
            "--output",
            format,
        ])
    };
    let json: Vec<Value> = serde_json::from_str(&list("json")).unwrap();
    let empty: Vec<&str> = json
        .iter()
        .filter(|r| r["properties"]["hs_ticket_category"].is_null())
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        !empty.is_empty() && empty.len() < json.len(),
        "some without a category"
    );
    for r in &json {
        assert!(
            r["properties"].get("hs_ticket_category").is_some(),
            "requested, so there, null or not: {r}"
        );
    }
    let jsonl: Vec<Value> = list("jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(jsonl, json);

    let csv = list("csv");
    for id in &empty {
        assert!(
            csv.lines().any(|l| l.starts_with(&format!("{id},,"))),
            "{id}'s category cell is empty:\n{csv}"
        );
    }
    let table = list("table");
    assert!(!table.contains("null"), "{table}");
    assert!(!csv.contains("null"), "{csv}");

    // The cache keeps values only; its listing names the requested ones as a live one does.
    run(&["sync"]);
    let cached: Vec<Value> = serde_json::from_str(&run(&[
        "tickets",
        "list",
        "--cached",
        "--all",
        "--properties",
        "hs_ticket_category,subject",
        "--output",
        "json",
    ]))
    .unwrap();
    let props = |records: &[Value]| -> Vec<(Value, Option<Value>, Option<Value>)> {
        let p = |r: &Value, name: &str| r["properties"].get(name).cloned();
        records
            .iter()
            .map(|r| (r["id"].clone(), p(r, "hs_ticket_category"), p(r, "subject")))
            .collect()
    };
    assert_eq!(props(&cached), props(&json));
    sb.shutdown().await;
}
