//! Update tests of the write gate: every write path of the app, driven by its keys, sends its
//! write with the gate open and none with it closed (read-only, offline), says why in the
//! status bar and keeps what the user typed; reads are never refused; going back online
//! reads the list again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;

use super::tests::fixtures::*;
use super::{App, Effect, Level, Msg, update};
use crate::protocol::{Command, Event, FailureKind, Gate};

const READ_ONLY: &str = "read-only mode (--read-only): no changes are sent";

fn offline_at() -> jiff::Timestamp {
    ts("2026-03-01T09:05:00Z")
}

const OFFLINE: &str =
    "offline since 09:05: HubSpot can't be reached; nothing was sent (draft kept)";

fn closed_gates() -> [(Gate, &'static str); 2] {
    [
        (
            Gate {
                read_only: true,
                offline_since: None,
            },
            READ_ONLY,
        ),
        (
            Gate {
                read_only: false,
                offline_since: Some(offline_at()),
            },
            OFFLINE,
        ),
    ]
}

/// A key, or moving the detail's cursor to a property (by name).
#[derive(Clone)]
enum Step {
    M(Msg),
    To(&'static str),
}

fn keys(text: &str) -> Vec<Step> {
    text.chars().map(|c| Step::M(key(c))).collect()
}

/// Sends `steps` one after the other, answering every read they ask for as HubSpot would
/// (fixtures), until one is refused by the gate; returns every command the app sent,
/// writes included (unanswered).
fn drive(app: &mut App, steps: &[Step]) -> Vec<Command> {
    let mut sent = Vec::new();
    for step in steps {
        let msg = match step {
            Step::M(msg) => msg.clone(),
            Step::To(name) => {
                for _ in 0..40 {
                    if app.selected_property().is_some_and(|p| p.0 == *name) {
                        break;
                    }
                    update(app, key('j'));
                }
                assert_eq!(app.selected_property().map(|p| p.0).as_deref(), Some(*name));
                continue;
            }
        };
        let mut todo = update(app, msg);
        while !todo.is_empty() {
            let mut next = Vec::new();
            for effect in todo {
                let Effect::Api(cmd) = effect else { continue };
                if let Some(answer) = answer(&cmd) {
                    next.extend(update(app, Msg::Worker(answer)));
                }
                sent.push(cmd);
            }
            todo = next;
        }
        // Refused: the path ends here (later keys would go into the form kept open).
        let refused = app.write_refusal();
        if refused.is_some() && app.toast.as_ref().map(|t| &t.text) == refused.as_ref() {
            break;
        }
    }
    sent
}

/// HubSpot's answer to a read, from the fixtures; `None` for writes.
fn answer(cmd: &Command) -> Option<Event> {
    Some(match cmd.clone() {
        Command::LoadAssociations { req, ticket_id } => Event::AssociationsLoaded {
            req,
            ticket_id,
            items: associations(),
        },
        Command::LoadActivities { req, ticket_id } => Event::ActivitiesLoaded {
            req,
            ticket_id,
            items: activities(),
        },
        Command::CheckTicket { req, id, .. } => Event::TicketChecked {
            req,
            ticket: full_ticket(id.parse().ok()?),
        },
        Command::GetTicket { req, id, .. } => Event::TicketFetched {
            req,
            ticket: full_ticket(id.parse().ok()?),
        },
        Command::LoadActivityOptions { req } => Event::ActivityOptionsLoaded {
            req,
            options: crate::domain::ActivityOptions::default(),
        },
        _ => return None,
    })
}

fn ctrl_s() -> Msg {
    ctrl('s')
}

/// Ten loaded tickets (1001 selected, its detail loaded) and the default macros (`me` set,
/// so the first, "Assign to me", writes at once instead of asking who "me" is).
fn ready() -> App {
    let mut app = loaded(160, 48, 10, false);
    let macros = crate::macros::defaults(&app.catalog, Some("aiko@example.com"));
    assert!(!macros.is_empty());
    app.set_macros(macros);
    app
}

/// Every write path, as the keys that lead to it from [`ready`].
fn write_paths() -> Vec<(&'static str, Vec<Step>)> {
    let enter = || Step::M(code(KeyCode::Enter));
    let then = |mut a: Vec<Step>, b: Vec<Step>| {
        a.extend(b);
        a
    };
    vec![
        ("delete one", keys("Dy")),
        ("bulk delete", keys("VD10y")),
        (
            "edit a property",
            then(
                vec![enter(), Step::To("hs_ticket_priority")],
                then(keys("elow"), vec![enter()]),
            ),
        ),
        (
            "bulk edit",
            then(
                keys("Veprio"),
                then(
                    vec![enter()],
                    then(keys("low"), vec![enter(), Step::M(key('y'))]),
                ),
            ),
        ),
        ("note", then(keys("Nhi"), vec![Step::M(ctrl_s())])),
        ("call", then(keys("chi"), vec![Step::M(ctrl_s())])),
        ("task", then(keys("thi"), vec![Step::M(ctrl_s())])),
        ("new ticket", then(keys("nGate"), vec![Step::M(ctrl_s())])),
        ("macro", then(keys("m"), vec![enter()])),
        ("pin", then(vec![enter()], keys("4py"))),
        ("unpin", then(vec![enter()], keys("4Py"))),
        ("remove an association", then(vec![enter()], keys("3xy"))),
    ]
}

fn writes(sent: &[Command]) -> Vec<&Command> {
    sent.iter().filter(|c| c.is_write()).collect()
}

#[test]
fn every_write_path_sends_its_write_with_the_gate_open() {
    for (name, keys) in write_paths() {
        let mut app = ready();
        let sent = drive(&mut app, &keys);
        assert!(
            !writes(&sent).is_empty(),
            "{name}: the keys reach a write ({sent:?})"
        );
    }
}

#[test]
fn no_write_path_sends_anything_with_the_gate_closed_and_each_says_why() {
    for (gate, line) in closed_gates() {
        for (name, keys) in write_paths() {
            let mut app = ready();
            app.gate = gate;
            let sent = drive(&mut app, &keys);
            assert_eq!(
                writes(&sent),
                Vec::<&Command>::new(),
                "{name}: nothing sent"
            );
            let toast = app
                .toast
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: the status bar says why ({sent:?})"));
            assert_eq!(
                (toast.text.as_str(), toast.level),
                (line, Level::Error),
                "{name}"
            );
        }
    }
}

#[test]
fn a_refused_edit_keeps_its_form_and_value() {
    for (gate, line) in closed_gates() {
        let mut app = loaded(160, 48, 10, false);
        app.gate = gate;
        let mut steps = vec![
            Step::M(code(KeyCode::Enter)),
            Step::To("hs_ticket_priority"),
        ];
        steps.extend(keys("elow"));
        let sent = drive(&mut app, &steps);
        assert!(writes(&sent).is_empty());
        let utc = jiff::tz::TimeZone::UTC;
        let typed = app
            .modals
            .form()
            .expect("the edit form opens")
            .changes(&utc);
        assert!(matches!(&typed, Ok(c) if !c.is_empty()), "{typed:?}");
        let sent = drive(&mut app, &[Step::M(code(KeyCode::Enter))]);
        let form = app.modals.form().expect("the form stays open");
        assert_eq!(form.changes(&utc), typed, "the typed value is kept");
        assert_eq!(form.error.as_deref(), Some(line));
        assert!(matches!(form.phase, super::edit::Phase::Editing));
        // Not even the conflict check went out: nothing would follow it.
        assert!(
            sent.iter()
                .all(|c| !matches!(c, Command::CheckTicket { .. }))
        );
    }
}

#[test]
fn the_gate_takes_out_every_write_command_and_no_read() {
    use std::collections::BTreeMap;
    let note = || crate::domain::NewActivity {
        ticket_id: "1001".into(),
        details: crate::domain::ActivityDetails::Note,
        body: "called back".into(),
        timestamp: t0(),
        also: Vec::new(),
        pin: false,
    };
    let writes = [
        Command::UpdateTicket {
            req: 90,
            id: "1001".into(),
            properties: BTreeMap::new(),
        },
        Command::BatchUpdate {
            req: 91,
            ids: vec!["1001".into()],
            properties: BTreeMap::new(),
        },
        Command::CreateTicket {
            req: 92,
            properties: BTreeMap::new(),
            associations: Vec::new(),
        },
        Command::CreateActivity {
            req: 93,
            activity: note(),
        },
        Command::CreateNotes {
            req: 94,
            notes: vec![note()],
        },
        Command::ArchiveTicket {
            req: 95,
            id: "1001".into(),
        },
        Command::BatchArchive {
            req: 96,
            ids: vec!["1001".into()],
        },
        Command::Associate {
            req: 97,
            ticket_id: "1001".into(),
            kind: crate::domain::ObjectKind::Contact,
            to_id: "201".into(),
            category: "HUBSPOT_DEFINED".into(),
            type_id: 16,
            keep: Vec::new(),
        },
        Command::RemoveAssociation {
            req: 98,
            ticket_id: "1001".into(),
            kind: crate::domain::ObjectKind::Contact,
            to_id: "201".into(),
        },
    ];
    let reads = [
        Command::GetTicket {
            req: 80,
            id: "1001".into(),
            properties: Vec::new(),
        },
        Command::LoadOwners { req: 81 },
    ];
    for cmd in &writes {
        assert!(cmd.is_write(), "{cmd:?}");
        let mut app = loaded(160, 48, 10, false);
        let fx = vec![Effect::Api(cmd.clone())];
        assert_eq!(super::write_gate::gate_effects(&mut app, fx.clone()), fx);
        for (gate, line) in closed_gates() {
            app.gate = gate;
            let out = super::write_gate::gate_effects(&mut app, fx.clone());
            assert!(
                out.iter()
                    .all(|e| !matches!(e, Effect::Api(c) if c.is_write()))
            );
            assert_eq!(app.toast.as_ref().map(|t| t.text.as_str()), Some(line));
        }
    }
    let mut app = loaded(160, 48, 10, false);
    app.gate = closed_gates()[0].0;
    for cmd in reads {
        assert!(!cmd.is_write());
        let fx = vec![Effect::Api(cmd)];
        assert_eq!(super::write_gate::gate_effects(&mut app, fx.clone()), fx);
    }
}

#[test]
fn offline_keeps_the_rows_shows_the_banner_and_back_online_reads_the_list_again() {
    let mut app = loaded(160, 48, 10, false);
    assert_eq!(app.offline_banner(), None);
    update(
        &mut app,
        Msg::Worker(Event::Reachability {
            offline_since: Some(offline_at()),
        }),
    );
    assert_eq!(
        app.offline_banner().as_deref(),
        Some("offline since 09:05 — showing the tickets as loaded")
    );
    // `r` fails for want of a network: the rows stay, and no error replaces them.
    let fx = update(&mut app, key('r'));
    let req = req_of(&fx, |c| matches!(c, Command::ListTickets { .. }));
    let failure = crate::protocol::Failure {
        kind: FailureKind::Network,
        ..failure(0, "network error: connection refused")
    };
    update(&mut app, Msg::Worker(Event::Failed { req, failure }));
    assert_eq!(app.list.len(), 10);
    assert!(app.list_load.failure().is_none());
    // Back online: the banner goes, writes pass, the list is read again.
    let fx = update(
        &mut app,
        Msg::Worker(Event::Reachability {
            offline_since: None,
        }),
    );
    assert_eq!(app.offline_banner(), None);
    assert_eq!(app.write_refusal(), None);
    req_of(&fx, |c| matches!(c, Command::ListTickets { .. }));
}
