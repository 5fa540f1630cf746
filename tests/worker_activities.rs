//! The worker writing notes, calls and tasks over real HTTP against the sandbox, through a
//! loopback proxy that logs every request and injects faults into writes
//! (`support/faults.rs`): command in, event out, and the record read back through the API —
//! associated with the ticket (and its contact and company), its body as sent, pinned when
//! asked. A create whose answer was lost is never sent again: the worker looks for it on the
//! ticket. Notes on many tickets go by batch create, each result mapped back to its ticket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/faults.rs"]
mod faults;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use faults::{Fault, FaultProxy, Scope};
use hubtix::domain::{
    ActivityDetails, AssociationTarget, CallDirection, NewActivity, ObjectKind, TaskPriority,
};
use hubtix::hubspot::{
    AccessToken, BatchReadQuery, Client, ClientConfig, GetQuery, RetryPolicy, SimplePublicObject,
};
use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use hubtix::text::normalize_typed;
use hubtix::worker::{Command, Event, Verdict};
use tokio::sync::mpsc;

const TOKEN: &str = "worker-activities-token";
/// How long a wait may take before the test fails (CI runs suites in parallel on two cores).
const WAIT: Duration = Duration::from_secs(40);

/// A sandbox, the fault proxy in front of it (writes only), the worker talking through the
/// proxy, and a client of the test's own straight to the sandbox.
struct Setup {
    sandbox: SandboxHandle,
    proxy: FaultProxy,
    direct: Client,
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<Event>,
}

fn client(base_url: String) -> Client {
    let mut config = ClientConfig::new(base_url, AccessToken::new(TOKEN));
    config.timeout = Duration::from_secs(10);
    config.retry = RetryPolicy::fast();
    Client::new(config).expect("client")
}

impl Setup {
    async fn new(tickets: usize) -> Setup {
        let sandbox = hubtix::sandbox::spawn(SandboxConfig {
            tickets,
            token: TOKEN.into(),
            ..SandboxConfig::default()
        })
        .await
        .expect("sandbox");
        let proxy = FaultProxy::start(sandbox.base_url(), Scope::Writes).await;
        let (tx, events) = mpsc::channel(256);
        let commands = hubtix::worker::spawn(client(proxy.url()), tx);
        let direct = client(sandbox.base_url());
        Setup {
            sandbox,
            proxy,
            direct,
            commands,
            events,
        }
    }

    /// Sends `cmd` with `faults` on its first writes, in order, and waits for its answer.
    async fn run(&mut self, faults: impl IntoIterator<Item = Fault>, cmd: Command) -> Event {
        self.proxy.push(faults);
        let req = cmd.req();
        self.commands.send(cmd).expect("the worker runs");
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let ev = tokio::time::timeout(left, self.events.recv())
                .await
                .unwrap_or_else(|_| panic!("no answer to {req}"))
                .expect("the worker runs");
            if ev.req() == Some(req) {
                return ev;
            }
        }
    }

    /// The records of `kind` associated with `ticket`, with `properties`.
    async fn on_ticket(
        &self,
        ticket: &str,
        kind: ObjectKind,
        properties: &[&str],
    ) -> Vec<SimplePublicObject> {
        let links = self
            .direct
            .associations("tickets", ticket, kind.api_name())
            .await
            .unwrap();
        let ids = links.into_iter().map(|l| l.to_object_id).collect();
        self.direct
            .batch_read_objects::<SimplePublicObject>(
                kind.api_name(),
                &BatchReadQuery::new(ids, properties),
            )
            .await
            .unwrap()
            .into_results()
    }

    async fn pinned(&self, ticket: &str) -> String {
        let q = GetQuery::properties(&["hs_pinned_engagement_id"]);
        let t = self.direct.get_ticket(ticket, &q).await.unwrap();
        t.property("hs_pinned_engagement_id")
            .unwrap_or_default()
            .to_owned()
    }

    /// Writes that reached the proxy with this method and path ending.
    fn posts(&self, path_end: &str) -> usize {
        self.proxy
            .writes()
            .iter()
            .filter(|w| w.method == "POST" && w.path.ends_with(path_end))
            .count()
    }

    async fn finish(self) {
        self.proxy.assert_no_write_forwarded_twice();
        self.sandbox.shutdown().await;
    }
}

const TYPED: &str = "Customer called back:  the printer works.\n\n\nKB: https://example.com/kb?id=7&lang=ja\n  日本語 😀 <ok> & done";

fn new_activity(ticket: &str, details: ActivityDetails, body: &str) -> NewActivity {
    NewActivity {
        ticket_id: ticket.into(),
        details,
        body: body.into(),
        timestamp: "2026-11-02T10:15:30.123Z".parse().unwrap(),
        also: Vec::new(),
        pin: false,
    }
}

fn call() -> ActivityDetails {
    ActivityDetails::Call {
        title: "Call back".into(),
        direction: CallDirection::Inbound,
        outcome: Some("f240bbac-87c9-4f6e-bf70-924b57d47db7".into()),
        duration_ms: Some(95_000),
    }
}

fn task() -> ActivityDetails {
    ActivityDetails::Task {
        subject: "Check the fix".into(),
        owner_id: None,
        priority: TaskPriority::Medium,
    }
}

/// The event inside a verified answer that took effect.
fn verified(ev: Event, ticket: &str) -> Event {
    match ev {
        Event::WriteVerified {
            tickets,
            verdict: Verdict::Answered(answer),
            ..
        } => {
            assert_eq!(tickets, [ticket]);
            *answer
        }
        other => panic!("expected a verified answer, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_calls_and_tasks_are_created_associated_and_pinned_when_asked() {
    let mut s = Setup::new(20).await;
    let contact = s
        .direct
        .associations("tickets", "1001", "contacts")
        .await
        .unwrap()[0]
        .to_object_id
        .clone();
    let company = s
        .direct
        .associations("tickets", "1001", "companies")
        .await
        .unwrap()[0]
        .to_object_id
        .clone();
    for (req, details) in [(1, ActivityDetails::Note), (2, call()), (3, task())] {
        let mut a = new_activity("1001", details, TYPED);
        a.also = vec![
            (AssociationTarget::Contact, contact.clone()),
            (AssociationTarget::Company, company.clone()),
        ];
        a.pin = true;
        let kind = a.kind();
        let ev = s
            .run([], Command::CreateActivity { req, activity: a })
            .await;
        let Event::ActivityCreated {
            ticket_id,
            activity,
            pinned,
            pin_failed,
            ..
        } = ev
        else {
            panic!("{ev:?}")
        };
        assert_eq!(ticket_id, "1001");
        assert!(pinned && pin_failed.is_none(), "{pin_failed:?}");
        assert_eq!(activity.body, normalize_typed(TYPED));
        // Read back through the API: on the ticket, its body as sent, pinned.
        let body = kind.body_property();
        let on_ticket = s.on_ticket("1001", kind.object(), &[body]).await;
        let record = on_ticket
            .iter()
            .find(|r| r.id == activity.id)
            .expect("associated with the ticket");
        assert_eq!(
            record.property(body).map(hubtix::text::html_to_text),
            Some(normalize_typed(TYPED))
        );
        assert_eq!(
            record.property(body),
            Some(hubtix::text::text_to_html(TYPED).as_str())
        );
        assert_eq!(s.pinned("1001").await, activity.id);
        for to in ["contacts", "companies"] {
            let links = s
                .direct
                .associations(kind.object().api_name(), &activity.id, to)
                .await
                .unwrap();
            assert_eq!(links.len(), 1, "{kind:?} → {to}");
        }
        // As the Activity tab loads it.
        let ev = s
            .run(
                [],
                Command::LoadActivities {
                    req: req + 10,
                    ticket_id: "1001".into(),
                },
            )
            .await;
        let Event::ActivitiesLoaded { items, .. } = ev else {
            panic!("{ev:?}")
        };
        let loaded = items.iter().find(|i| i.id == activity.id).unwrap();
        assert_eq!(loaded.body, normalize_typed(TYPED));
    }
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_was_lost_is_found_on_the_ticket_and_never_sent_again() {
    let mut s = Setup::new(20).await;
    // Lost after the sandbox created it: found, answered as verified, then pinned as asked.
    let mut a = new_activity("1002", ActivityDetails::Note, TYPED);
    a.pin = true;
    let ev = s
        .run(
            [Fault::ResetAfter],
            Command::CreateActivity {
                req: 1,
                activity: a,
            },
        )
        .await;
    let Event::ActivityCreated {
        req,
        activity,
        pinned,
        ..
    } = verified(ev, "1002")
    else {
        panic!("not an activity")
    };
    assert_eq!(req, 1);
    assert!(pinned);
    let notes = s
        .on_ticket("1002", ObjectKind::Note, &["hs_note_body"])
        .await;
    let ours: Vec<&SimplePublicObject> = notes
        .iter()
        .filter(|n| n.property("hs_note_body") == Some(&hubtix::text::text_to_html(TYPED)))
        .collect();
    assert_eq!(ours.len(), 1, "created once");
    assert_eq!(ours[0].id, activity.id);
    assert_eq!(s.pinned("1002").await, activity.id);
    assert_eq!(s.posts("/crm/v3/objects/notes"), 1);

    // Lost on the way there (a 503 without forwarding, a reset before): nothing on the
    // ticket, the outcome stays unknown, the text is not sent again.
    for (req, fault, details) in [
        (2, Fault::UnavailableBefore, call()),
        (3, Fault::ResetBefore, task()),
    ] {
        let a = new_activity("1003", details, "lost on the way");
        let kind = a.kind().object();
        let ev = s
            .run([fault], Command::CreateActivity { req, activity: a })
            .await;
        let Event::Failed { failure, .. } = ev else {
            panic!("{ev:?}")
        };
        assert!(failure.outcome_unknown, "{failure:?}");
        assert!(
            failure.message.contains("shows no such") && failure.message.contains("not sent"),
            "{}",
            failure.message
        );
        assert!(
            s.on_ticket("1003", kind, &["hs_timestamp"])
                .await
                .is_empty()
        );
        assert_eq!(s.posts(&format!("/crm/v3/objects/{}", kind.api_name())), 1);
    }
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pin_whose_answer_was_lost_is_read_back() {
    let mut s = Setup::new(20).await;
    let pin = |req, ticket: &str| {
        let mut a = new_activity(ticket, ActivityDetails::Note, &format!("pin {req}"));
        a.pin = true;
        Command::CreateActivity { req, activity: a }
    };
    // The create goes through; the pin's answer is lost after it took effect.
    let ev = s
        .run([Fault::None, Fault::UnavailableAfter], pin(1, "1004"))
        .await;
    let Event::ActivityCreated {
        activity,
        pinned,
        pin_failed,
        ..
    } = ev
    else {
        panic!("{ev:?}")
    };
    assert!(pinned && pin_failed.is_none(), "{pin_failed:?}");
    assert_eq!(s.pinned("1004").await, activity.id);
    // Lost before it reached the sandbox: created, not pinned, and why.
    let before = s.pinned("1005").await;
    let ev = s
        .run([Fault::None, Fault::ResetBefore], pin(2, "1005"))
        .await;
    let Event::ActivityCreated {
        pinned, pin_failed, ..
    } = ev
    else {
        panic!("{ev:?}")
    };
    assert!(!pinned);
    let why = pin_failed.expect("why not pinned");
    assert!(why.message.contains("not pinned"), "{}", why.message);
    assert_eq!(s.pinned("1005").await, before);
    s.finish().await;
}

/// One macro note per ticket, each naming its ticket in its body.
fn macro_notes(tickets: &[String]) -> Vec<NewActivity> {
    tickets
        .iter()
        .map(|t| {
            new_activity(
                t,
                ActivityDetails::Note,
                &format!("Escalated to tier 2 — #{t}"),
            )
        })
        .collect()
}

/// Checks every (ticket, note) created is that ticket's note, with that ticket's body.
async fn assert_each_on_its_ticket(s: &Setup, created: &[(String, String)]) {
    let ids: Vec<String> = created.iter().map(|(_, n)| n.clone()).collect();
    let notes: BTreeMap<String, SimplePublicObject> = s
        .direct
        .batch_read_objects::<SimplePublicObject>(
            "notes",
            &BatchReadQuery::new(ids, &["hs_note_body"]),
        )
        .await
        .unwrap()
        .into_results()
        .into_iter()
        .map(|n| (n.id.clone(), n))
        .collect();
    for (ticket, note) in created {
        let body = notes[note].property("hs_note_body").unwrap();
        assert_eq!(
            hubtix::text::html_to_text(body),
            format!("Escalated to tier 2 — #{ticket}")
        );
        let links = s
            .direct
            .associations("notes", note, "tickets")
            .await
            .unwrap();
        assert_eq!(links[0].to_object_id, *ticket, "note {note}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_on_many_tickets_go_by_batch_create_and_map_back_to_their_tickets() {
    let mut s = Setup::new(130).await;
    let mut tickets: Vec<String> = (1001..=1120).map(|n| n.to_string()).collect();
    // One ticket deleted meanwhile: its note is refused, the others are made.
    tickets.insert(50, "999999".into());
    let ev = s
        .run(
            [],
            Command::CreateNotes {
                req: 1,
                notes: macro_notes(&tickets),
            },
        )
        .await;
    let Event::NotesCreated {
        created, failed, ..
    } = ev
    else {
        panic!("{ev:?}")
    };
    assert_eq!(
        s.posts("/crm/v3/objects/notes/batch/create"),
        2,
        "chunks of 100"
    );
    assert_eq!(s.posts("/crm/v3/objects/notes"), 0, "no note one by one");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "999999");
    assert!(failed[0].1.contains("VALIDATION_ERROR"), "{}", failed[0].1);
    let mut expected = tickets.clone();
    expected.remove(50);
    let got: Vec<String> = created.iter().map(|(t, _)| t.clone()).collect();
    assert_eq!(got, expected, "in the order asked for");
    assert_each_on_its_ticket(&s, &created).await;
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_chunk_whose_answer_was_lost_is_looked_for_not_sent_again() {
    let mut s = Setup::new(130).await;
    let tickets: Vec<String> = (1001..=1120).map(|n| n.to_string()).collect();
    // The first chunk made it and its answer was lost; the second never arrived.
    let ev = s
        .run(
            [Fault::ResetAfter, Fault::ResetBefore],
            Command::CreateNotes {
                req: 1,
                notes: macro_notes(&tickets),
            },
        )
        .await;
    let Event::WriteVerified {
        tickets: lost,
        verdict: Verdict::Answered(answer),
        ..
    } = ev
    else {
        panic!("{ev:?}")
    };
    assert_eq!(lost, tickets, "both chunks were in doubt");
    let Event::NotesCreated {
        created, failed, ..
    } = *answer
    else {
        panic!("not the notes' answer")
    };
    let made: Vec<String> = created.iter().map(|(t, _)| t.clone()).collect();
    assert_eq!(made, tickets[..100].to_vec(), "the first chunk was found");
    assert_each_on_its_ticket(&s, &created).await;
    let unknown: Vec<String> = failed.iter().map(|(t, _)| t.clone()).collect();
    assert_eq!(unknown, tickets[100..].to_vec());
    assert!(
        failed
            .iter()
            .all(|(_, why)| why.starts_with("outcome unknown") && why.contains("not sent again")),
        "{failed:?}"
    );
    assert!(
        s.on_ticket("1101", ObjectKind::Note, &["hs_note_body"])
            .await
            .iter()
            .all(|n| n.property("hs_note_body") != Some("<p>Escalated to tier 2 — #1101</p>"))
    );
    assert_eq!(s.posts("/crm/v3/objects/notes/batch/create"), 2);
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_call_outcomes_load_from_the_properties_api() {
    let mut s = Setup::new(10).await;
    let ev = s.run([], Command::LoadActivityOptions { req: 1 }).await;
    let Event::ActivityOptionsLoaded { options, .. } = ev else {
        panic!("{ev:?}")
    };
    let labels: Vec<&str> = options
        .call_outcomes
        .iter()
        .map(|o| o.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "Busy",
            "Connected",
            "Left live message",
            "Left voicemail",
            "No answer",
            "Wrong number"
        ]
    );
    s.finish().await;
}
