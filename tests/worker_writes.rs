//! The worker's writes over real HTTP against the sandbox, through a loopback proxy that logs
//! every request and injects faults into writes (`support/write_faults.rs`):
//!
//! writes that share a ticket never overlap on the wire, a batch included, and go in the order
//! they were asked for; writes to other tickets still run at the same time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/write_faults.rs"]
mod write_faults;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, RetryPolicy};
use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use hubtix::worker::{Command, Event};
use tokio::sync::mpsc;
use write_faults::WriteFaults;

const TOKEN: &str = "worker-writes-token";
/// How long a wait may take before the test fails (CI runs suites in parallel on two cores).
const WAIT: Duration = Duration::from_secs(40);

struct Setup {
    sandbox: SandboxHandle,
    proxy: WriteFaults,
    /// The test's own reads, straight to the sandbox.
    direct: Client,
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<Event>,
}

fn client(base_url: String, timeout: Duration) -> Client {
    let mut config = ClientConfig::new(base_url, AccessToken::new(TOKEN));
    config.timeout = timeout;
    config.retry = RetryPolicy::fast();
    config.search_per_second = 0;
    Client::new(config).expect("client")
}

/// A sandbox of 40 tickets, the proxy in front of it, the worker talking through the proxy
/// (client timeout `timeout`).
async fn setup(timeout: Duration) -> Setup {
    setup_with(40, timeout).await
}

async fn setup_with(tickets: usize, timeout: Duration) -> Setup {
    let sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets,
        token: TOKEN.into(),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let proxy = WriteFaults::start(sandbox.base_url()).await;
    let (tx, events) = mpsc::channel(256);
    let commands = hubtix::worker::spawn(client(proxy.url(), timeout), tx);
    let direct = client(sandbox.base_url(), Duration::from_secs(10));
    Setup {
        sandbox,
        proxy,
        direct,
        commands,
        events,
    }
}

impl Setup {
    fn send(&self, cmd: Command) {
        self.commands.send(cmd).expect("the worker runs");
    }

    /// The answers to `reqs` (status events skipped), by request.
    async fn answers(&mut self, reqs: &[u64]) -> BTreeMap<u64, Event> {
        let deadline = Instant::now() + WAIT;
        let mut got = BTreeMap::new();
        while got.len() < reqs.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            let ev = tokio::time::timeout(left, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("no answer to all of {reqs:?}; got {got:?}"))
                .expect("the worker runs");
            if let Some(req) = ev.req()
                && reqs.contains(&req)
            {
                got.insert(req, ev);
            }
        }
        got
    }

    async fn prop(&self, id: &str, name: &str) -> String {
        let t = self
            .direct
            .get_ticket(id, &GetQuery::properties(&[name]))
            .await
            .expect("read the ticket");
        t.property(name).unwrap_or_default().to_owned()
    }

    async fn exists(&self, id: &str) -> bool {
        match self
            .direct
            .get_ticket(id, &GetQuery::properties(&["hs_object_id"]))
            .await
        {
            Ok(_) => true,
            Err(e) if e.is_not_found() => false,
            Err(e) => panic!("reading {id}: {e}"),
        }
    }
}

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

/// The tickets a logged write touches: by path, or by the `inputs` of a batch.
fn touched(w: &write_faults::Logged) -> Vec<String> {
    let path = w.path.split('?').next().unwrap_or(&w.path);
    if path.ends_with("/batch/update") || path.ends_with("/batch/archive") {
        let body: serde_json::Value = serde_json::from_str(&w.body).expect("batch body");
        return body["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_owned())
            .collect();
    }
    let rest = path
        .strip_prefix("/crm/v3/objects/tickets/")
        .or_else(|| path.strip_prefix("/crm/v4/objects/tickets/"));
    rest.and_then(|r| r.split('/').next())
        .map(|id| vec![id.to_owned()])
        .unwrap_or_default()
}

// ---- item 3: writes that share a ticket ------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_write_and_a_batch_on_the_same_ticket_never_overlap_and_keep_their_order() {
    let mut s = setup(Duration::from_secs(10)).await;
    // Every request takes a while at the sandbox: writes sent together would overlap there.
    s.sandbox.faults().set_latency(Duration::from_millis(150));
    let cmds = vec![
        Command::UpdateTicket {
            req: 1,
            id: "1007".into(),
            properties: props(&[("hs_ticket_priority", "LOW")]),
        },
        Command::BatchUpdate {
            req: 2,
            ids: ids(&["1006", "1007", "1008"]),
            properties: props(&[("hs_ticket_priority", "URGENT")]),
        },
        Command::UpdateTicket {
            req: 3,
            id: "1008".into(),
            properties: props(&[("hs_ticket_priority", "MEDIUM")]),
        },
        Command::BatchArchive {
            req: 4,
            ids: ids(&["1008", "1009"]),
        },
        Command::ArchiveTicket {
            req: 5,
            id: "1009".into(),
        },
    ];
    for c in cmds {
        s.send(c);
    }
    let answers = s.answers(&[1, 2, 3, 4, 5]).await;
    let writes = s.proxy.writes();
    assert_eq!(writes.len(), 5, "{writes:#?}");
    for (i, a) in writes.iter().enumerate() {
        for b in &writes[i + 1..] {
            let shared: Vec<String> = touched(a)
                .into_iter()
                .filter(|t| touched(b).contains(t))
                .collect();
            assert!(
                shared.is_empty() || !a.overlaps(b),
                "{} {} and {} {} both write {shared:?} and overlapped on the wire",
                a.method,
                a.path,
                b.method,
                b.path
            );
        }
    }
    // In the order asked for: the batch after the PATCH of 1007, the PATCH of 1008 after it.
    assert_eq!(s.prop("1007", "hs_ticket_priority").await, "URGENT");
    assert_eq!(s.prop("1006", "hs_ticket_priority").await, "URGENT");
    assert!(
        matches!(&answers[&3], Event::TicketUpdated { ticket, .. } if ticket.prop("hs_ticket_priority") == "MEDIUM")
    );
    assert!(!s.exists("1008").await && !s.exists("1009").await);
    // The single archive of 1009 came after the batch archived it.
    assert!(
        matches!(&answers[&5], Event::Failed { failure, .. } if failure.not_found),
        "{:?}",
        answers[&5]
    );
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_to_different_tickets_still_run_at_the_same_time() {
    let mut s = setup(Duration::from_secs(10)).await;
    // Held at the proxy until three writes are there at once: only if they run concurrently.
    s.proxy.barrier(3);
    s.send(Command::UpdateTicket {
        req: 1,
        id: "1011".into(),
        properties: props(&[("hs_ticket_priority", "LOW")]),
    });
    s.send(Command::BatchUpdate {
        req: 2,
        ids: ids(&["1012", "1013"]),
        properties: props(&[("hs_ticket_priority", "LOW")]),
    });
    s.send(Command::ArchiveTicket {
        req: 3,
        id: "1014".into(),
    });
    let answers = s.answers(&[1, 2, 3]).await;
    assert!(matches!(answers[&1], Event::TicketUpdated { .. }));
    assert!(
        matches!(&answers[&2], Event::BatchUpdated { updated, failed, .. } if updated.len() == 2 && failed.is_empty())
    );
    assert!(matches!(answers[&3], Event::TicketArchived { .. }));
    let w = s.proxy.writes();
    assert!(w[0].overlaps(&w[1]) && w[1].overlaps(&w[2]), "{w:#?}");
    s.sandbox.shutdown().await;
}
