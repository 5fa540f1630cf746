//! The worker's writes over real HTTP against the sandbox, through a loopback proxy that logs
//! every request and injects faults into writes (`support/write_faults.rs`):
//!
//! - writes that share a ticket never overlap on the wire, a batch included, and go in the
//!   order they were asked for; writes to other tickets still run at the same time;
//! - a write whose answer was lost (reset, timeout, 5xx) is never sent again: the worker reads
//!   the tickets back and answers with what took effect.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/write_faults.rs"]
mod write_faults;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hubtix::domain::ObjectKind;
use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, RetryPolicy};
use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use hubtix::worker::{Command, Event, Verdict};
use tokio::sync::mpsc;
use write_faults::{Fault, WriteFaults};

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

    async fn answer(&mut self, req: u64) -> Event {
        self.answers(&[req]).await.remove(&req).expect("answer")
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

// ---- item 4: a lost answer is verified, never re-sent -----------------------------------------

/// The verdict of a verified answer to `req`, checking it names `tickets`.
fn verdict(ev: Event, tickets: &[&str]) -> Verdict {
    match ev {
        Event::WriteVerified {
            tickets: t,
            verdict,
            lost,
            ..
        } => {
            assert_eq!(t, ids(tickets));
            assert!(!lost.is_empty());
            verdict
        }
        other => panic!("expected a verified answer, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_reset_after_the_server_deleted_is_verified_as_deleted() {
    let mut s = setup(Duration::from_secs(10)).await;
    s.proxy.script([Fault::ResetAfter]);
    s.send(Command::ArchiveTicket {
        req: 1,
        id: "1021".into(),
    });
    let v = verdict(s.answer(1).await, &["1021"]);
    assert_eq!(
        v,
        Verdict::Answered(Box::new(Event::TicketArchived {
            req: 1,
            id: "1021".into()
        }))
    );
    assert!(!s.exists("1021").await);
    // Read back after the write, never sent again.
    let log = s.proxy.log();
    let deletes = log.iter().filter(|l| l.method == "DELETE").count();
    assert_eq!(deletes, 1, "{log:#?}");
    let last = log.last().unwrap();
    assert_eq!(last.method, "GET");
    assert!(last.path.starts_with("/crm/v3/objects/tickets/1021"));

    // Reset before it reached the server: not deleted, and the ticket is still there.
    s.proxy.script([Fault::ResetBefore]);
    s.send(Command::ArchiveTicket {
        req: 2,
        id: "1022".into(),
    });
    assert_eq!(verdict(s.answer(2).await, &["1022"]), Verdict::NotApplied);
    assert!(s.exists("1022").await);
    s.proxy.assert_no_write_forwarded_twice();
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_whose_answer_was_lost_is_read_back_with_every_value() {
    let mut s = setup(Duration::from_millis(1500)).await;
    let subject = s.prop("1023", "subject").await;
    for (req, fault, value, applied) in [
        (1, Fault::UnavailableAfter, "LOW", true),
        (2, Fault::BadGatewayBefore, "MEDIUM", false),
        (3, Fault::SlowAfter, "URGENT", true),
        (4, Fault::ResetBefore, "HIGH", false),
        (5, Fault::ResetAfter, "MEDIUM", true),
    ] {
        s.proxy.script([fault]);
        let before = s.prop("1023", "hs_ticket_priority").await;
        s.send(Command::UpdateTicket {
            req,
            id: "1023".into(),
            properties: props(&[("hs_ticket_priority", value)]),
        });
        let v = verdict(s.answer(req).await, &["1023"]);
        let now = s.prop("1023", "hs_ticket_priority").await;
        if applied {
            assert_eq!(now, value, "{fault:?}");
            let Verdict::Answered(answer) = v else {
                panic!("{fault:?}: {v:?}")
            };
            let Event::TicketUpdated { req: r, ticket } = *answer else {
                panic!("{fault:?}: {answer:?}")
            };
            assert_eq!(r, req);
            assert_eq!(ticket.prop("hs_ticket_priority"), value);
            // The whole ticket, as an update's answer: the app replaces its row with it.
            assert_eq!(ticket.prop("subject"), subject);
        } else {
            assert_eq!(now, before, "{fault:?}");
            assert_eq!(v, Verdict::NotApplied, "{fault:?}");
        }
    }
    s.proxy.assert_no_write_forwarded_twice();
    assert_eq!(s.proxy.faulted().len(), 5);
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_reading_back_leaves_the_outcome_unknown_and_says_why() {
    let mut s = setup(Duration::from_secs(10)).await;
    // The write is lost after it happened, and every read after it fails (retries included).
    s.proxy
        .fail_reads_after_fault(RetryPolicy::fast().max_retries as usize + 1);
    s.proxy.script([Fault::ResetAfter]);
    s.send(Command::ArchiveTicket {
        req: 1,
        id: "1024".into(),
    });
    match verdict(s.answer(1).await, &["1024"]) {
        Verdict::StillUnknown(why) => assert!(why.contains("503"), "{why}"),
        other => panic!("{other:?}"),
    }
    s.proxy.assert_no_write_forwarded_twice();
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_sorts_its_lost_chunks_into_applied_and_not() {
    let mut s = setup_with(160, Duration::from_secs(10)).await;
    // 150 updates in chunks of 100 and 50: the first reset before the server, the second
    // lost after the server applied it.
    let batch: Vec<String> = (1001..=1150).map(|n| n.to_string()).collect();
    s.proxy
        .script([Fault::ResetBefore, Fault::UnavailableAfter]);
    s.send(Command::BatchUpdate {
        req: 1,
        ids: batch.clone(),
        properties: props(&[("subject", "set by a batch whose answer was lost")]),
    });
    let v = verdict(
        s.answer(1).await,
        &batch.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let Verdict::Answered(answer) = v else {
        panic!("{v:?}")
    };
    let Event::BatchUpdated {
        updated, failed, ..
    } = *answer
    else {
        panic!("{answer:?}")
    };
    let applied: Vec<String> = updated.iter().map(|t| t.id.clone()).collect();
    assert_eq!(
        applied,
        batch[100..].to_vec(),
        "the second chunk took effect"
    );
    let not: Vec<String> = failed.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(not, batch[..100].to_vec(), "the first did not");
    assert!(failed.iter().all(|(_, why)| why.starts_with("not changed")));
    assert_eq!(
        s.prop("1150", "subject").await,
        "set by a batch whose answer was lost"
    );
    assert_ne!(
        s.prop("1001", "subject").await,
        "set by a batch whose answer was lost"
    );

    s.proxy.script([Fault::UnavailableAfter]);
    let some = ids(&["1031", "1032", "1033"]);
    s.send(Command::BatchUpdate {
        req: 2,
        ids: some.clone(),
        properties: props(&[("subject", "a second batch")]),
    });
    let v = verdict(s.answer(2).await, &["1031", "1032", "1033"]);
    let Verdict::Answered(answer) = v else {
        panic!("{v:?}")
    };
    let Event::BatchUpdated {
        updated, failed, ..
    } = *answer
    else {
        panic!("{answer:?}")
    };
    assert!(failed.is_empty(), "{failed:?}");
    let mut got: Vec<String> = updated.iter().map(|t| t.id.clone()).collect();
    got.sort();
    assert_eq!(got, some);
    assert!(
        updated
            .iter()
            .all(|t| t.subject() == "a second batch" && !t.prop("hs_pipeline").is_empty())
    );

    // Batch archive, lost after the server archived two of three (one was already gone).
    s.direct.archive_ticket("1036").await.expect("archive 1036");
    s.proxy.script([Fault::ResetAfter]);
    s.send(Command::BatchArchive {
        req: 3,
        ids: ids(&["1034", "1035"]),
    });
    let v = verdict(s.answer(3).await, &["1034", "1035"]);
    assert_eq!(
        v,
        Verdict::Answered(Box::new(Event::BatchArchived {
            req: 3,
            archived: ids(&["1034", "1035"]),
            failed: Vec::new(),
        }))
    );
    s.proxy.script([Fault::BadGatewayBefore]);
    s.send(Command::BatchArchive {
        req: 4,
        ids: ids(&["1037", "1038"]),
    });
    match verdict(s.answer(4).await, &["1037", "1038"]) {
        Verdict::Answered(a) => match *a {
            Event::BatchArchived {
                archived, failed, ..
            } => {
                assert!(archived.is_empty());
                assert_eq!(
                    failed.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
                    ["1037", "1038"]
                );
                assert!(failed.iter().all(|(_, why)| why.starts_with("not deleted")));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert!(s.exists("1037").await);
    s.proxy.assert_no_write_forwarded_twice();
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associations_whose_answer_was_lost_are_read_back() {
    let mut s = setup(Duration::from_secs(10)).await;
    let linked = s
        .direct
        .associations("tickets", "1025", "contacts")
        .await
        .unwrap();
    let contact = (201..=260)
        .map(|n: u32| n.to_string())
        .find(|c| !linked.iter().any(|l| &l.to_object_id == c))
        .expect("a contact not yet associated");
    let contact = contact.as_str();
    s.proxy.script([Fault::UnavailableAfter]);
    s.send(Command::Associate {
        req: 1,
        ticket_id: "1025".into(),
        kind: ObjectKind::Contact,
        to_id: contact.into(),
        category: "HUBSPOT_DEFINED".into(),
        type_id: ObjectKind::Contact.ticket_default_type_id(),
        keep: Vec::new(),
    });
    assert_eq!(
        verdict(s.answer(1).await, &["1025"]),
        Verdict::Answered(Box::new(Event::AssociationChanged {
            req: 1,
            ticket_id: "1025".into()
        }))
    );
    s.proxy.script([Fault::ResetBefore]);
    s.send(Command::RemoveAssociation {
        req: 2,
        ticket_id: "1025".into(),
        kind: ObjectKind::Contact,
        to_id: contact.into(),
    });
    assert_eq!(verdict(s.answer(2).await, &["1025"]), Verdict::NotApplied);
    let links = s
        .direct
        .associations("tickets", "1025", "contacts")
        .await
        .unwrap();
    assert!(links.iter().any(|l| l.to_object_id == contact));
    s.proxy.assert_no_write_forwarded_twice();
    s.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_was_lost_stays_unknown_and_is_not_sent_again() {
    let mut s = setup(Duration::from_secs(10)).await;
    s.proxy.script([Fault::UnavailableAfter]);
    s.send(Command::CreateTicket {
        req: 1,
        properties: props(&[("subject", "Lost create"), ("hs_pipeline_stage", "1")]),
        associations: Vec::new(),
    });
    match s.answer(1).await {
        Event::Failed { failure, .. } => assert!(failure.outcome_unknown, "{failure:?}"),
        other => panic!("{other:?}"),
    }
    let posts = s
        .proxy
        .writes()
        .into_iter()
        .filter(|w| w.method == "POST")
        .count();
    assert_eq!(posts, 1);
    s.sandbox.shutdown().await;
}
