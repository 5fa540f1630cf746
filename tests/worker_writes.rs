//! The worker's writes over real HTTP against the sandbox, through a loopback proxy that logs
//! every request and injects faults into writes (`support/faults.rs`):
//!
//! - writes that share a ticket never overlap on the wire, a batch included, and go in the
//!   order they were asked for; writes to other tickets still run at the same time;
//! - a write whose answer was lost (reset, timeout, 5xx) is never sent again: the worker reads
//!   the tickets back and answers with what took effect.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/faults.rs"]
mod faults;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use faults::{Fault, FaultProxy, Scope};
use hubtix::domain::ObjectKind;
use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, RetryPolicy};
use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use hubtix::worker::{Command, Event, Verdict};
use tokio::sync::mpsc;

const TOKEN: &str = "worker-writes-token";
/// How long a wait may take before the test fails (CI runs suites in parallel on two cores).
const WAIT: Duration = Duration::from_secs(40);

/// A sandbox, the proxy in front of it (faulting writes only), the worker talking through the
/// proxy, and a client of the test's own straight to the sandbox.
struct Setup {
    sandbox: SandboxHandle,
    proxy: FaultProxy,
    /// The test's own reads, straight to the sandbox.
    direct: Client,
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<Event>,
}

fn client(base_url: String, timeout: Duration) -> Client {
    let mut config = ClientConfig::new(base_url, AccessToken::new(TOKEN));
    config.timeout = timeout;
    config.retry = RetryPolicy::fast();
    Client::new(config).expect("client")
}

impl Setup {
    /// 40 tickets; the worker's client gives up on an answer after 10 s.
    async fn new() -> Setup {
        Setup::with(40, Duration::from_secs(10)).await
    }

    /// `tickets` tickets; the worker's client gives up on an answer after `timeout`.
    async fn with(tickets: usize, timeout: Duration) -> Setup {
        let sandbox = hubtix::sandbox::spawn(SandboxConfig {
            tickets,
            token: TOKEN.into(),
            ..SandboxConfig::default()
        })
        .await
        .expect("sandbox");
        let proxy = FaultProxy::start(sandbox.base_url(), Scope::Writes).await;
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

    /// Sends `cmd` with `faults` on its writes (the first ones, in order), and waits for its
    /// answer.
    async fn faulted(&mut self, faults: impl IntoIterator<Item = Fault>, cmd: Command) -> Event {
        self.proxy.push(faults);
        let req = cmd.req();
        self.send(cmd);
        self.answer(req).await
    }

    /// The verdict of the verified answer to `cmd` sent with `faults`, checking it names
    /// `tickets`.
    async fn verdict(
        &mut self,
        faults: impl IntoIterator<Item = Fault>,
        cmd: Command,
        tickets: &[&str],
    ) -> Verdict {
        verdict(self.faulted(faults, cmd).await, tickets)
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

    /// Ends the test: no write reached the sandbox twice; the sandbox stops.
    async fn finish(self) {
        self.proxy.assert_no_write_forwarded_twice();
        self.sandbox.shutdown().await;
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

fn update(req: u64, id: &str, pairs: &[(&str, &str)]) -> Command {
    Command::UpdateTicket {
        req,
        id: id.into(),
        properties: props(pairs),
    }
}

fn batch_update(req: u64, tickets: &[String], pairs: &[(&str, &str)]) -> Command {
    Command::BatchUpdate {
        req,
        ids: tickets.to_vec(),
        properties: props(pairs),
    }
}

fn archive(req: u64, id: &str) -> Command {
    Command::ArchiveTicket { req, id: id.into() }
}

fn batch_archive(req: u64, tickets: &[&str]) -> Command {
    Command::BatchArchive {
        req,
        ids: ids(tickets),
    }
}

// ---- item 3: writes that share a ticket ------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_write_and_a_batch_on_the_same_ticket_never_overlap_and_keep_their_order() {
    let mut s = Setup::new().await;
    // Every request takes a while at the sandbox: writes sent together would overlap there.
    s.sandbox.faults().set_latency(Duration::from_millis(150));
    let priority = |value| [("hs_ticket_priority", value)];
    for c in [
        update(1, "1007", &priority("LOW")),
        batch_update(2, &ids(&["1006", "1007", "1008"]), &priority("URGENT")),
        update(3, "1008", &priority("MEDIUM")),
        batch_archive(4, &["1008", "1009"]),
        archive(5, "1009"),
    ] {
        s.send(c);
    }
    let answers = s.answers(&[1, 2, 3, 4, 5]).await;
    let writes = s.proxy.writes();
    assert_eq!(writes.len(), 5, "{writes:#?}");
    for (i, a) in writes.iter().enumerate() {
        for b in &writes[i + 1..] {
            let shared: Vec<String> = a
                .tickets()
                .into_iter()
                .filter(|t| b.tickets().contains(t))
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
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_to_different_tickets_still_run_at_the_same_time() {
    let mut s = Setup::new().await;
    // Held at the proxy until three writes are there at once: only if they run concurrently.
    s.proxy.barrier(3);
    let low = [("hs_ticket_priority", "LOW")];
    s.send(update(1, "1011", &low));
    s.send(batch_update(2, &ids(&["1012", "1013"]), &low));
    s.send(archive(3, "1014"));
    let answers = s.answers(&[1, 2, 3]).await;
    assert!(matches!(answers[&1], Event::TicketUpdated { .. }));
    assert!(
        matches!(&answers[&2], Event::BatchUpdated { updated, failed, .. } if updated.len() == 2 && failed.is_empty())
    );
    assert!(matches!(answers[&3], Event::TicketArchived { .. }));
    let w = s.proxy.writes();
    assert!(w[0].overlaps(&w[1]) && w[1].overlaps(&w[2]), "{w:#?}");
    s.finish().await;
}

// ---- item 4: a lost answer is verified, never re-sent -----------------------------------------

/// The verdict of a verified answer, checking it names `tickets`.
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

/// The event a verdict says took effect.
fn answered(v: Verdict) -> Event {
    match v {
        Verdict::Answered(answer) => *answer,
        other => panic!("expected the write to have taken effect: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_reset_after_the_server_deleted_is_verified_as_deleted() {
    let mut s = Setup::new().await;
    let v = s
        .verdict([Fault::ResetAfter], archive(1, "1021"), &["1021"])
        .await;
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
    let v = s
        .verdict([Fault::ResetBefore], archive(2, "1022"), &["1022"])
        .await;
    assert_eq!(v, Verdict::NotApplied);
    assert!(s.exists("1022").await);
    s.finish().await;
}

// On tokio's paused clock: the answer held past the client's timeout is given up on at
// exactly the timeout, without waiting for it.
#[tokio::test(start_paused = true)]
async fn an_update_whose_answer_was_lost_is_read_back_with_every_value() {
    let mut s = Setup::with(40, Duration::from_millis(1500)).await;
    let subject = s.prop("1023", "subject").await;
    for (req, fault, value, applied) in [
        (1, Fault::UnavailableAfter, "LOW", true),
        (2, Fault::BadGatewayBefore, "MEDIUM", false),
        (3, Fault::SlowAfter, "URGENT", true),
        (4, Fault::ResetBefore, "HIGH", false),
        (5, Fault::ResetAfter, "MEDIUM", true),
    ] {
        let before = s.prop("1023", "hs_ticket_priority").await;
        let cmd = update(req, "1023", &[("hs_ticket_priority", value)]);
        let v = s.verdict([fault.clone()], cmd, &["1023"]).await;
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
    assert_eq!(s.proxy.faulted().len(), 5);
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_reading_back_leaves_the_outcome_unknown_and_says_why() {
    let mut s = Setup::new().await;
    // The write is lost after it happened, and every read after it fails (retries included).
    s.proxy
        .fail_reads_after_fault(RetryPolicy::fast().max_retries as usize + 1);
    match s
        .verdict([Fault::ResetAfter], archive(1, "1024"), &["1024"])
        .await
    {
        Verdict::StillUnknown(why) => assert!(why.contains("503"), "{why}"),
        other => panic!("{other:?}"),
    }
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_sorts_its_lost_chunks_into_applied_and_not() {
    let mut s = Setup::with(160, Duration::from_secs(10)).await;
    // 150 updates in chunks of 100 and 50: the first reset before the server, the second
    // lost after the server applied it.
    let batch: Vec<String> = (1001..=1150).map(|n| n.to_string()).collect();
    let lost = [("subject", "set by a batch whose answer was lost")];
    let all: Vec<&str> = batch.iter().map(String::as_str).collect();
    let faults = [Fault::ResetBefore, Fault::UnavailableAfter];
    let v = s
        .verdict(faults, batch_update(1, &batch, &lost), &all)
        .await;
    let Event::BatchUpdated {
        updated, failed, ..
    } = answered(v)
    else {
        panic!("not a batch update's answer")
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

    let some = ids(&["1031", "1032", "1033"]);
    let second = batch_update(2, &some, &[("subject", "a second batch")]);
    let v = s
        .verdict([Fault::UnavailableAfter], second, &["1031", "1032", "1033"])
        .await;
    let Event::BatchUpdated {
        updated, failed, ..
    } = answered(v)
    else {
        panic!("not a batch update's answer")
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
    let v = s
        .verdict(
            [Fault::ResetAfter],
            batch_archive(3, &["1034", "1035"]),
            &["1034", "1035"],
        )
        .await;
    assert_eq!(
        v,
        Verdict::Answered(Box::new(Event::BatchArchived {
            req: 3,
            archived: ids(&["1034", "1035"]),
            failed: Vec::new(),
        }))
    );
    let v = s
        .verdict(
            [Fault::BadGatewayBefore],
            batch_archive(4, &["1037", "1038"]),
            &["1037", "1038"],
        )
        .await;
    let Event::BatchArchived {
        archived, failed, ..
    } = answered(v)
    else {
        panic!("not a batch archive's answer")
    };
    assert!(archived.is_empty());
    assert_eq!(
        failed.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["1037", "1038"]
    );
    assert!(failed.iter().all(|(_, why)| why.starts_with("not deleted")));
    assert!(s.exists("1037").await);
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn associations_whose_answer_was_lost_are_read_back() {
    let mut s = Setup::new().await;
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
    let associate = Command::Associate {
        req: 1,
        ticket_id: "1025".into(),
        kind: ObjectKind::Contact,
        to_id: contact.into(),
        category: "HUBSPOT_DEFINED".into(),
        type_id: ObjectKind::Contact.ticket_default_type_id(),
        keep: Vec::new(),
    };
    assert_eq!(
        s.verdict([Fault::UnavailableAfter], associate, &["1025"])
            .await,
        Verdict::Answered(Box::new(Event::AssociationChanged {
            req: 1,
            ticket_id: "1025".into()
        }))
    );
    let remove = Command::RemoveAssociation {
        req: 2,
        ticket_id: "1025".into(),
        kind: ObjectKind::Contact,
        to_id: contact.into(),
    };
    assert_eq!(
        s.verdict([Fault::ResetBefore], remove, &["1025"]).await,
        Verdict::NotApplied
    );
    let links = s
        .direct
        .associations("tickets", "1025", "contacts")
        .await
        .unwrap();
    assert!(links.iter().any(|l| l.to_object_id == contact));
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_was_lost_stays_unknown_and_is_not_sent_again() {
    let mut s = Setup::new().await;
    let create = Command::CreateTicket {
        req: 1,
        properties: props(&[("subject", "Lost create"), ("hs_pipeline_stage", "1")]),
        associations: Vec::new(),
    };
    match s.faulted([Fault::UnavailableAfter], create).await {
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
    s.finish().await;
}

fn merge(req: u64, primary: &str, merged: &str) -> Command {
    Command::MergeTickets {
        req,
        merge: hubtix::protocol::Merge {
            primary: primary.into(),
            merged: merged.into(),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_merge_whose_answer_was_lost_is_read_back_through_the_old_id_never_sent_again() {
    let mut s = Setup::new().await;
    let v = s
        .verdict(
            [Fault::ResetAfter],
            merge(1, "1031", "1032"),
            &["1031", "1032"],
        )
        .await;
    let Event::TicketsMerged {
        req,
        primary,
        merged,
        survivor,
    } = answered(v)
    else {
        panic!("expected the merge's answer")
    };
    assert_eq!(
        (req, primary.as_str(), merged.as_str()),
        (1, "1031", "1032")
    );
    assert_ne!(survivor.id, "1031", "the survivor's new ID, read back");
    assert_eq!(survivor.prop("hs_merged_object_ids"), "1031;1032");
    let merges = |s: &Setup| {
        s.proxy
            .log()
            .iter()
            .filter(|l| l.path.ends_with("/merge"))
            .count()
    };
    assert_eq!(merges(&s), 1, "sent once");

    // Reset before it reached the server: not merged, both still themselves.
    let v = s
        .verdict(
            [Fault::ResetBefore],
            merge(2, "1033", "1034"),
            &["1033", "1034"],
        )
        .await;
    assert_eq!(v, Verdict::NotApplied);
    assert_eq!(s.prop("1034", "hs_object_id").await, "1034");
    assert_eq!(merges(&s), 2);
    s.finish().await;
}
