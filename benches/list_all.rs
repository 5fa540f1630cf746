//! `hubtix tickets list --all --output jsonl` against a sandbox with 10,000 tickets.
//!
//! - `list_all/process`: the release binary, run as a user runs it (stdout to a file),
//!   against an in-process sandbox. Each run must make exactly 100 requests (checked with the
//!   sandbox's request counter) and print 10,000 lines.
//! - `list_all/in-process`: the same paging loop as the command (`list_object_pages` into
//!   `serde_json::Value`, the JSONL `RecordWriter`) writing to memory: the client's share.
//!
//! The comparison with HubSpot's official Python client is `bash bench/list_all.sh`.
//! Run with `cargo bench --bench list_all`.

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::StreamExt;
use hubtix::cli::OutputFormat;
use hubtix::hubspot::{AccessToken, Client, ClientConfig, LIST_LIMIT_MAX, ListQuery};
use hubtix::output::RecordWriter;
use hubtix::sandbox::SandboxConfig;
use serde_json::Value;

const TICKETS: usize = 10_000;
const REQUESTS: u64 = (TICKETS / LIST_LIMIT_MAX as usize) as u64;

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // Limits off: this measures the listing itself, not HubSpot's pacing (100 pages of a
    // 10,000-ticket listing fit in a private app's 190 per 10 s only once per window).
    let config = SandboxConfig {
        tickets: TICKETS,
        rate_limit: None,
        ..SandboxConfig::default()
    };
    let token = config.token.clone();
    let sandbox = rt
        .block_on(hubtix::sandbox::spawn(config))
        .expect("sandbox");
    let base_url = sandbox.base_url();
    let dirs = tempfile::tempdir().expect("temp dir");
    let out_path = dirs.path().join("tickets.jsonl");

    let run_binary = || {
        let out = std::fs::File::create(&out_path).expect("output file");
        let before = sandbox.faults().request_count();
        let status = Command::new(env!("CARGO_BIN_EXE_hubtix"))
            .args(["tickets", "list", "--all", "--output", "jsonl"])
            .env("HUBSPOT_ACCESS_TOKEN", &token)
            .env("HUBTIX_BASE_URL", &base_url)
            .env("HUBTIX_CONFIG_DIR", dirs.path().join("config"))
            .env("HUBTIX_DATA_DIR", dirs.path().join("data"))
            .env("HUBTIX_CACHE_DIR", dirs.path().join("cache"))
            .stdin(Stdio::null())
            .stdout(out)
            .status()
            .expect("hubtix runs");
        assert!(status.success(), "hubtix failed: {status}");
        let requests = sandbox.faults().request_count() - before;
        assert_eq!(requests, REQUESTS, "requests for {TICKETS} tickets");
    };

    // Once, checked in full: every ticket, once each, in exactly 100 requests.
    run_binary();
    let file = std::fs::File::open(&out_path).expect("output");
    let mut ids = std::collections::HashSet::new();
    for line in std::io::BufReader::new(file).lines() {
        let v: Value = serde_json::from_str(&line.expect("line")).expect("JSON line");
        let id = v.get("id").and_then(Value::as_str).expect("id").to_owned();
        assert!(ids.insert(id), "a ticket listed twice");
    }
    assert_eq!(ids.len(), TICKETS);

    let mut group = c.benchmark_group("list_all");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function(
        format!("process: hubtix tickets list --all --output jsonl ({TICKETS} tickets, {REQUESTS} requests)"),
        |b| b.iter(run_binary),
    );

    let mut cc = ClientConfig::new(base_url.clone(), AccessToken::new(token.clone()));
    cc.timeout = Duration::from_secs(30);
    let client = Client::new(cc).expect("client");
    group.bench_function(
        format!("in-process: pages into Value + JSONL writer ({TICKETS} tickets)"),
        |b| {
            b.iter(|| {
                rt.block_on(async {
                    let before = sandbox.faults().request_count();
                    let query = ListQuery {
                        limit: Some(LIST_LIMIT_MAX),
                        ..ListQuery::default()
                    };
                    let mut out = Vec::with_capacity(8 << 20);
                    let mut w = RecordWriter::new(&mut out, OutputFormat::Jsonl, Vec::new());
                    w.begin().expect("begin");
                    let mut pages = Box::pin(client.list_object_pages::<Value>("tickets", query));
                    let mut n = 0;
                    while let Some(page) = pages.next().await {
                        let page = page.expect("page");
                        n += page.results.len();
                        w.page(&page.results).expect("write");
                    }
                    w.finish().expect("finish");
                    assert_eq!(n, TICKETS);
                    assert_eq!(sandbox.faults().request_count() - before, REQUESTS);
                    out
                })
            });
        },
    );
    group.finish();
    rt.block_on(sandbox.shutdown());
}

criterion_group!(benches, bench);
criterion_main!(benches);
