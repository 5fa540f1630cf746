//! Bulk edit of 1,000 tickets, as the app does it: one `BatchUpdate` command to the API
//! worker (the client chunks it into 10 batch/update requests of 100), against the sandbox
//! over real HTTP on 127.0.0.1, until the worker's `BatchUpdated` answer.
//!
//! - `no_limit`: the sandbox without a rate limit (the work itself);
//! - `hubspot_100_per_10s`: HubSpot's burst limit, a fresh sandbox (fresh budget) per
//!   iteration, as a user's first bulk edit meets it;
//! - `tight_5_per_1s`: a limit the 10 requests exceed, so the client's pacing (not a 429)
//!   spreads them over a second window.
//!
//! Run with `cargo bench --bench bulk_edit`; results in `bench/BULK.md`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hubtix::hubspot::{AccessToken, Client, ClientConfig};
use hubtix::sandbox::{RateLimit, SandboxConfig, SandboxHandle};
use hubtix::worker::{Command, Event};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

const TICKETS: usize = 1000;

async fn sandbox(rate_limit: Option<RateLimit>) -> SandboxHandle {
    hubtix::sandbox::spawn(SandboxConfig {
        tickets: TICKETS,
        rate_limit,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox")
}

/// One bulk edit through a fresh worker; its wall time.
async fn bulk_edit(sandbox: &SandboxHandle, value: &str) -> Duration {
    let client = Client::new(ClientConfig::new(
        sandbox.base_url(),
        AccessToken::new("demo-token"),
    ))
    .expect("client");
    let (events_tx, mut events) = mpsc::channel(16);
    let commands = hubtix::worker::spawn(client, events_tx);
    let ids: Vec<String> = (1001..=1000 + TICKETS).map(|i| i.to_string()).collect();
    let started = Instant::now();
    commands
        .send(Command::BatchUpdate {
            req: 1,
            ids,
            properties: BTreeMap::from([("hs_ticket_priority".to_owned(), value.to_owned())]),
        })
        .expect("worker");
    loop {
        match events.recv().await.expect("an answer") {
            Event::BatchUpdated {
                updated, failed, ..
            } => {
                assert_eq!(updated.len(), TICKETS, "failed: {failed:?}");
                return started.elapsed();
            }
            Event::Failed { failure, .. } => panic!("bulk edit failed: {}", failure.summary),
            _ => {}
        }
    }
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("bulk_edit_1000");

    let open = rt.block_on(sandbox(None));
    let mut flip = false;
    group.bench_function("no_limit", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                flip = !flip;
                total += rt.block_on(bulk_edit(&open, if flip { "LOW" } else { "HIGH" }));
            }
            total
        });
    });

    for (name, limit) in [
        (
            "hubspot_100_per_10s",
            RateLimit {
                max: 100,
                window: Duration::from_secs(10),
                ..RateLimit::PRIVATE_APP
            },
        ),
        (
            "tight_5_per_1s",
            RateLimit {
                max: 5,
                window: Duration::from_secs(1),
                ..RateLimit::PRIVATE_APP
            },
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // A fresh sandbox: a fresh budget (setup not timed).
                    let s = rt.block_on(sandbox(Some(limit)));
                    total += rt.block_on(bulk_edit(&s, "URGENT"));
                    rt.block_on(s.shutdown());
                }
                total
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
