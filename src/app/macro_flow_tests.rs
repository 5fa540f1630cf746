//! Update tests of macros: keys in, exact effects out, answers in, the status line and the
//! completion signal ([`Finished`]) out. No terminal, no server, no clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use crossterm::event::KeyCode;

use super::confirm::PendingOp;
use super::macro_flow::{Finished, take_finished};
use super::tests::fixtures::*;
use super::*;
use crate::domain::{ActivityDetails, NewActivity};
use crate::macros::{Check, Macro, from_config};

const ESCALATE: &str = r#"
[[macros]]
name = "Escalate"
key = "E"
set = { hs_ticket_priority = "URGENT", hs_pipeline_stage = "label:Waiting on us" }
note = "Escalated to tier 2 — {subject}"
"#;

/// `config` checked against the app's catalogue and keymap (`me` is Aiko, owner 11); `None`
/// gives the defaults.
fn macros_of(app: &App, config: Option<&str>) -> Vec<Macro> {
    let defs = config.map(|text| {
        crate::config::Config::parse(text, Path::new("config.toml"))
            .unwrap()
            .macros
            .unwrap()
    });
    let check = Check {
        catalog: &app.catalog,
        me: Some("aiko@example.com"),
        keymap: &app.keymap,
        source_name: "config.toml",
    };
    from_config(defs.as_deref(), &check).unwrap()
}

/// Tickets 1001..=1000+n loaded, 1001's detail fetched, the macros of `config` in force.
fn app_with(n: u32, config: Option<&str>) -> App {
    let mut app = loaded(160, 48, n, false);
    let macros = macros_of(&app, config);
    app.set_macros(macros);
    app
}

fn ev(app: &mut App, e: Event) -> Vec<Effect> {
    update(app, Msg::Worker(e))
}

fn toast(app: &App) -> (String, Level) {
    let t = app.toast.as_ref().expect("a status message");
    (t.text.clone(), t.level)
}

/// The ticket as HubSpot answers an update: `changes` over its list row.
fn updated(id: u32, changes: &[(&str, &str)]) -> Ticket {
    let mut t = ticket(id);
    for (k, v) in changes {
        t.properties.insert((*k).to_owned(), (*v).to_owned());
    }
    t
}

fn escalated(id: u32) -> Ticket {
    updated(
        id,
        &[("hs_ticket_priority", "URGENT"), ("hs_pipeline_stage", "3")],
    )
}

fn escalate_props() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("hs_pipeline_stage".to_owned(), "3".to_owned()),
        ("hs_ticket_priority".to_owned(), "URGENT".to_owned()),
    ])
}

/// The note the app sends (written "now": the fixtures' clock after the detail's debounce).
fn note(id: u32, body: &str, pin: bool) -> NewActivity {
    NewActivity {
        ticket_id: id.to_string(),
        details: ActivityDetails::Note,
        body: body.to_owned(),
        timestamp: t0() + jiff::SignedDuration::from_millis(200),
        also: Vec::new(),
        pin,
    }
}

fn created(req: ReqId, id: u32, note_id: &str, pinned: bool) -> Event {
    Event::ActivityCreated {
        req,
        ticket_id: id.to_string(),
        activity: crate::domain::Activity {
            kind: crate::domain::ObjectKind::Note,
            id: note_id.to_owned(),
            timestamp: Some(t0()),
            title: String::new(),
            body: String::new(),
            owner_id: None,
        },
        pinned,
        pin_failed: None,
    }
}

fn finished(name: &str, tickets: &[&str], failed: &[(&str, &str)]) -> Finished {
    Finished {
        macro_name: name.to_owned(),
        tickets: tickets.iter().map(|t| (*t).to_owned()).collect(),
        failed: failed
            .iter()
            .map(|(t, w)| ((*t).to_owned(), (*w).to_owned()))
            .collect(),
        cancelled: false,
    }
}

/// The issue's example on the selected ticket: its key sends one update with both changes,
/// then the note with the subject filled in; the status line says what changed on which ID,
/// and the run signals its end.
#[test]
fn a_macro_key_applies_it_to_the_selected_ticket_at_once() {
    let mut app = app_with(10, Some(ESCALATE));
    let fx = update(&mut app, key('E'));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        fx,
        [Effect::Api(Command::UpdateTicket {
            req,
            id: "1001".into(),
            properties: escalate_props(),
        })]
    );
    assert!(app.confirm.is_none(), "one ticket: no confirmation");
    assert!(take_finished(&mut app).is_empty(), "not over yet");
    let fx = ev(
        &mut app,
        Event::TicketUpdated {
            req,
            ticket: escalated(1001),
        },
    );
    let req = req_of(&fx, |_| true);
    assert_eq!(
        fx,
        [Effect::Api(Command::CreateActivity {
            req,
            activity: note(1001, "Escalated to tier 2 — プリンターが燃えている", false),
        })]
    );
    assert_eq!(
        app.list.get("1001").unwrap().priority(),
        "URGENT",
        "the row shows the change"
    );
    let fx = ev(&mut app, created(req, 1001, "9001", false));
    // The detail on view is that ticket: it is read again (its activities too).
    assert!(
        commands(&fx)
            .iter()
            .all(|c| matches!(c, Command::GetTicket { id, .. } if id == "1001")),
        "{fx:?}"
    );
    assert_eq!(app.detail.activities, Loadable::Idle);
    assert_eq!(
        toast(&app),
        (
            "Escalate on #1001: Priority → Urgent, Stage → Waiting on us; note added".into(),
            Level::Info
        )
    );
    assert_eq!(
        take_finished(&mut app),
        [finished("Escalate", &["1001"], &[])]
    );
}

/// From the detail, on any tab, the key acts on the ticket on view.
#[test]
fn a_macro_key_works_in_the_detail() {
    let mut app = app_with(10, Some(ESCALATE));
    update(&mut app, code(KeyCode::Enter));
    update(&mut app, key('4'));
    assert_eq!(app.context(), Context::Activity);
    let fx = update(&mut app, key('E'));
    assert!(
        matches!(&commands(&fx)[..], [Command::UpdateTicket { id, .. }] if id == "1001"),
        "{fx:?}"
    );
}

/// `m` opens the macros (each row: key, name, what it changes); typing filters; Enter applies
/// the chosen one. A macro without a note ends with the update.
#[test]
fn m_picks_a_macro_by_typing() {
    let mut app = loaded(160, 48, 10, false);
    let mut macros = macros_of(&app, None);
    macros.extend(macros_of(&app, Some(ESCALATE)));
    app.set_macros(macros);
    assert!(update(&mut app, key('m')).is_empty());
    let picker = app.modals.picker().expect("the macro picker");
    assert_eq!(picker.title, "Apply a macro to #1001");
    let rows: Vec<&str> = picker
        .picker
        .options
        .iter()
        .map(|o| o.label.as_str())
        .collect();
    assert_eq!(
        rows,
        [
            "   Assign to me        Owner → Aiko Tanaka",
            "   Close as resolved   Stage → Closed",
            "   Waiting on contact  Stage → Waiting on contact",
            "E  Escalate            Priority → Urgent, Stage → Waiting on us; note",
        ]
    );
    type_text(&mut app, "close");
    let p = &app.modals.picker().unwrap().picker;
    assert_eq!(p.visible(), [1]);
    let fx = update(&mut app, code(KeyCode::Enter));
    assert!(app.modals.picker().is_none());
    let req = req_of(&fx, |_| true);
    assert_eq!(
        fx,
        [Effect::Api(Command::UpdateTicket {
            req,
            id: "1001".into(),
            properties: BTreeMap::from([("hs_pipeline_stage".into(), "4".into())]),
        })]
    );
    let fx = ev(
        &mut app,
        Event::TicketUpdated {
            req,
            ticket: updated(1001, &[("hs_pipeline_stage", "4")]),
        },
    );
    assert!(
        commands(&fx)
            .iter()
            .all(|c| matches!(c, Command::GetTicket { .. })),
        "no note: {fx:?}"
    );
    assert_eq!(
        toast(&app),
        (
            "Close as resolved on #1001: Stage → Closed".into(),
            Level::Info
        )
    );
    assert_eq!(take_finished(&mut app).len(), 1);
}

/// Marked tickets: the bulk confirmation first (Cancel selected; `n` sends nothing and ends
/// the run as cancelled), then one batch update and one note per ticket, each with its own
/// subject; the marks go once done.
#[test]
fn marked_tickets_get_one_batch_and_a_note_each_after_the_confirmation() {
    let mut app = app_with(10, Some(ESCALATE));
    for _ in 0..3 {
        update(&mut app, code(KeyCode::Char(' ')));
    }
    assert!(update(&mut app, key('E')).is_empty());
    let dialog = app.confirm.as_ref().expect("asks first");
    assert_eq!(dialog.button, confirm::Button::Cancel);
    assert_eq!(dialog.title(), "Apply Escalate to 3 tickets?");
    assert_eq!(
        dialog.body(),
        [
            "Priority now:  High ×2 · Urgent ×1",
            "will be:  Urgent",
            "",
            "Stage now:  Closed ×1 · Waiting on contact ×1 · Waiting on us ×1",
            "will be:  Waiting on us",
            "",
            "and a note on each: “Escalated to tier 2 — {subject}”",
            "",
            "3 tickets, in one batch: #1001, #1002, #1003",
        ]
    );
    assert!(update(&mut app, key('n')).is_empty());
    assert_eq!(
        take_finished(&mut app),
        [Finished {
            cancelled: true,
            ..finished("Escalate", &["1001", "1002", "1003"], &[])
        }]
    );
    update(&mut app, key('E'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        fx,
        [Effect::Api(Command::BatchUpdate {
            req,
            ids: vec!["1001".into(), "1002".into(), "1003".into()],
            properties: escalate_props(),
        })]
    );
    let fx = ev(
        &mut app,
        Event::BatchUpdated {
            req,
            updated: vec![escalated(1001), escalated(1002), escalated(1003)],
            failed: Vec::new(),
        },
    );
    let req = req_of(&fx, |_| true);
    assert_eq!(
        fx,
        [Effect::Api(Command::CreateNotes {
            req,
            notes: vec![
                note(1001, "Escalated to tier 2 — プリンターが燃えている", false),
                note(1002, "Escalated to tier 2 — Login fails on SSO", false),
                note(
                    1003,
                    "Escalated to tier 2 — Invoice shows the wrong VAT rate",
                    false
                ),
            ],
        })]
    );
    ev(
        &mut app,
        Event::NotesCreated {
            req,
            created: vec![
                ("1001".into(), "9001".into()),
                ("1002".into(), "9002".into()),
                ("1003".into(), "9003".into()),
            ],
            failed: Vec::new(),
        },
    );
    assert_eq!(
        toast(&app),
        (
            "Escalate on 3 tickets: Priority → Urgent, Stage → Waiting on us; 3 notes added".into(),
            Level::Info
        )
    );
    assert!(app.list.marked().is_empty());
    assert!(app.overlay.is_none());
    assert_eq!(
        take_finished(&mut app),
        [finished("Escalate", &["1001", "1002", "1003"], &[])]
    );
}

/// From 50 tickets the count must be typed; tickets of another pipeline than the stage's are
/// left out (and said so); what failed is listed by ticket and stays marked.
#[test]
fn fifty_tickets_need_the_count_and_failures_are_listed_and_stay_marked() {
    let mut app = app_with(60, Some(ESCALATE));
    update(&mut app, key('V'));
    assert_eq!(app.list.marked().len(), 60);
    assert!(update(&mut app, key('E')).is_empty());
    let escalations: Vec<String> = (1001..=1060)
        .filter(|i| i % 7 == 6)
        .map(|i| i.to_string())
        .collect();
    assert_eq!(escalations.len(), 8);
    let Some(PendingOp::ApplyMacro { ids, skipped, .. }) = app.confirm.as_ref().map(|c| &c.op)
    else {
        panic!("the macro's confirmation");
    };
    assert_eq!(ids.len(), 52);
    assert_eq!(skipped, &escalations);
    let body = app.confirm.as_ref().unwrap().body();
    assert!(
        body.contains(
            &"8 marked tickets are in another pipeline, left out: #1007, #1014, #1021, #1028, \
              #1035, #1042 … and 2 more"
                .to_owned()
        ),
        "{body:?}"
    );
    assert!(update(&mut app, key('y')).is_empty(), "the count first");
    type_text(&mut app, "52");
    let fx = update(&mut app, key('y'));
    let req = req_of(
        &fx,
        |c| matches!(c, Command::BatchUpdate { ids, .. } if ids.len() == 52),
    );
    let sent: Vec<u32> = (1001..=1060).filter(|i| i % 7 != 6).collect();
    let fx = ev(
        &mut app,
        Event::BatchUpdated {
            req,
            updated: sent
                .iter()
                .filter(|i| ![1002, 1003].contains(*i))
                .map(|i| escalated(*i))
                .collect(),
            failed: vec![("1002".into(), "HTTP 400 VALIDATION_ERROR: no".into())],
        },
    );
    let Some(Command::CreateNotes { req, notes }) = commands(&fx).into_iter().next() else {
        panic!("notes: {fx:?}");
    };
    assert_eq!(notes.len(), 50, "only on the tickets changed");
    ev(
        &mut app,
        Event::NotesCreated {
            req,
            created: notes
                .iter()
                .filter(|n| n.ticket_id != "1004")
                .map(|n| (n.ticket_id.clone(), format!("n{}", n.ticket_id)))
                .collect(),
            failed: vec![("1004".into(), "outcome unknown (timed out)".into())],
        },
    );
    assert_eq!(
        toast(&app),
        (
            "Escalate on 60 tickets: 49 done, 11 not (listed) — E applies it again to the \
             marked ones"
                .into(),
            Level::Error
        )
    );
    let Some((title, body)) = (match &app.overlay {
        Some(Overlay::Reader(r)) => Some((&r.title, &r.text)),
        _ => None,
    }) else {
        panic!("the failures, by ticket");
    };
    assert_eq!(title, "Escalate: what did not happen");
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 11);
    assert_eq!(
        lines[0],
        "#1007  left out: it is in Escalations, the macro's stage in Support Pipeline"
    );
    assert!(lines.contains(&"#1002  not changed: HTTP 400 VALIDATION_ERROR: no"));
    assert!(lines.contains(&"#1003  not changed: HubSpot did not say why"));
    assert!(lines.contains(&"#1004  changed, but the note failed: outcome unknown (timed out)"));
    let mut still: Vec<String> = app.list.marked().iter().cloned().collect();
    still.sort();
    let mut expected = escalations.clone();
    expected.extend(["1002".into(), "1003".into(), "1004".into()]);
    expected.sort();
    assert_eq!(still, expected);
    let done = take_finished(&mut app);
    assert_eq!(done[0].tickets.len(), 60);
    assert_eq!(done[0].done().len(), 49);
}

/// `pin = true` on several tickets: each note is pinned with its own update once created.
#[test]
fn several_notes_are_pinned_one_by_one() {
    let config = "[[macros]]\nname = \"Flag\"\nnote = \"Watch #{id}\"\npin = true\n";
    let mut app = app_with(10, Some(config));
    update(&mut app, code(KeyCode::Char(' ')));
    update(&mut app, code(KeyCode::Char(' ')));
    update(&mut app, key('m'));
    update(&mut app, code(KeyCode::Enter));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        fx,
        [Effect::Api(Command::CreateNotes {
            req,
            notes: vec![
                note(1001, "Watch #1001", false),
                note(1002, "Watch #1002", false)
            ],
        })],
        "no property to change: the notes at once"
    );
    let fx = ev(
        &mut app,
        Event::NotesCreated {
            req,
            created: vec![
                ("1001".into(), "9001".into()),
                ("1002".into(), "9002".into()),
            ],
            failed: Vec::new(),
        },
    );
    let pins = commands(&fx);
    assert_eq!(pins.len(), 2);
    let pin = |i: usize, id: &str, note: &str| Command::UpdateTicket {
        req: pins[i].req(),
        id: id.into(),
        properties: BTreeMap::from([("hs_pinned_engagement_id".into(), note.into())]),
    };
    assert_eq!(pins, [pin(0, "1001", "9001"), pin(1, "1002", "9002")]);
    ev(
        &mut app,
        Event::TicketUpdated {
            req: pins[0].req(),
            ticket: updated(1001, &[("hs_pinned_engagement_id", "9001")]),
        },
    );
    assert!(take_finished(&mut app).is_empty());
    ev(
        &mut app,
        Event::Failed {
            req: pins[1].req(),
            failure: failure(400, "HTTP 400 not associated"),
        },
    );
    assert_eq!(
        take_finished(&mut app),
        [finished(
            "Flag",
            &["1001", "1002"],
            &[(
                "1002",
                "note added, but not pinned: HTTP 400 not associated"
            )]
        )]
    );
    assert!(
        app.list.marked().is_empty(),
        "applying it again would add a second note: not kept marked"
    );
}

/// A failed update sends no note, and says why.
#[test]
fn a_failed_update_sends_no_note() {
    let mut app = app_with(10, Some(ESCALATE));
    let fx = update(&mut app, key('E'));
    let fx = ev(
        &mut app,
        Event::Failed {
            req: req_of(&fx, |_| true),
            failure: failure(400, "HTTP 400 VALIDATION_ERROR: stage"),
        },
    );
    assert!(fx.is_empty());
    assert_eq!(
        toast(&app),
        (
            "Escalate on #1001 failed: HTTP 400 VALIDATION_ERROR: stage".into(),
            Level::Error
        )
    );
    assert_eq!(
        take_finished(&mut app),
        [finished(
            "Escalate",
            &["1001"],
            &[("1001", "not changed: HTTP 400 VALIDATION_ERROR: stage")]
        )]
    );
}

/// A lost answer that reading back shows applied goes on like the answer itself.
#[test]
fn a_verified_update_goes_on_to_the_note() {
    let mut app = app_with(10, Some(ESCALATE));
    let fx = update(&mut app, key('E'));
    let req = req_of(&fx, |_| true);
    let fx = ev(
        &mut app,
        Event::WriteVerified {
            req,
            tickets: vec!["1001".into()],
            lost: "timed out".into(),
            verdict: crate::protocol::Verdict::Answered(Box::new(Event::TicketUpdated {
                req,
                ticket: escalated(1001),
            })),
        },
    );
    assert!(
        matches!(&commands(&fx)[..], [Command::CreateActivity { .. }]),
        "{fx:?}"
    );
}

/// A stage belongs to one pipeline: a ticket of another is left alone, and told.
#[test]
fn a_ticket_of_another_pipeline_is_not_changed() {
    let mut app = app_with(10, Some(ESCALATE));
    for _ in 0..6 {
        update(&mut app, key('j'));
    }
    assert_eq!(app.list.selected_id(), Some("1007"));
    assert!(update(&mut app, key('E')).is_empty());
    assert_eq!(
        toast(&app),
        (
            "Escalate on #1007: not applied: it is in Escalations, the macro's stage in \
             Support Pipeline"
                .into(),
            Level::Error
        )
    );
    assert_eq!(take_finished(&mut app)[0].done(), Vec::<&str>::new());
}

const HELLO: &str = "[[macros]]\nname = \"Hello\"\nkey = \"H\"\nset = { hs_ticket_priority = \"LOW\" }\nnote = \"Hi {contact}, about {subject}\"\n";

/// Steps the run on ticket 1002 (selected) to its contacts read: returns the read's request.
fn hello_on_1002(app: &mut App) -> Vec<Effect> {
    update(app, key('j'));
    let fx = update(app, key('H'));
    let req = req_of(&fx, |_| true);
    ev(
        app,
        Event::TicketUpdated {
            req,
            ticket: updated(1002, &[("hs_ticket_priority", "LOW")]),
        },
    )
}

/// `{contact}`: the ticket's contacts are read, and the note names the contact.
#[test]
fn a_note_naming_the_contact_reads_it_first() {
    let mut app = app_with(10, Some(HELLO));
    let fx = hello_on_1002(&mut app);
    let req = req_of(&fx, |_| true);
    assert_eq!(
        fx,
        [Effect::Api(Command::LoadAssociations {
            req,
            ticket_id: "1002".into()
        })]
    );
    let fx = ev(
        &mut app,
        Event::AssociationsLoaded {
            req,
            ticket_id: "1002".into(),
            items: associations(),
        },
    );
    let Some(Command::CreateActivity { activity, .. }) = commands(&fx).into_iter().next() else {
        panic!("the note: {fx:?}");
    };
    assert_eq!(activity.body, "Hi 田中 愛子, about Login fails on SSO");
}

/// No contact reads "there"; so does a ticket whose contacts cannot be read.
#[test]
fn without_a_contact_the_note_says_there() {
    let mut app = app_with(10, Some(HELLO));
    let fx = hello_on_1002(&mut app);
    let fx = ev(
        &mut app,
        Event::Failed {
            req: req_of(&fx, |_| true),
            failure: failure(500, "HTTP 500"),
        },
    );
    let Some(Command::CreateActivity { activity, .. }) = commands(&fx).into_iter().next() else {
        panic!("the note: {fx:?}");
    };
    assert_eq!(activity.body, "Hi there, about Login fails on SSO");
}

/// The detail's Associations tab and the macro share the worker's associations slot (a newer
/// read cancels an older): the macro uses what the detail has or is reading, never cancels
/// the detail's read, and sends its own again when the detail's cancelled it.
#[test]
fn contact_reads_share_the_associations_slot_with_the_detail() {
    // The detail shows 1001's associations: nothing to read.
    let mut app = app_with(10, Some(HELLO));
    update(&mut app, code(KeyCode::Enter));
    let fx = update(&mut app, key('3'));
    let detail_req = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    let fx = update(&mut app, key('H'));
    let fx = ev(
        &mut app,
        Event::TicketUpdated {
            req: req_of(&fx, |_| true),
            ticket: updated(1001, &[("hs_ticket_priority", "LOW")]),
        },
    );
    assert!(fx.is_empty(), "the detail is reading them: no second read");
    let fx = ev(
        &mut app,
        Event::AssociationsLoaded {
            req: detail_req,
            ticket_id: "1001".into(),
            items: associations(),
        },
    );
    assert!(
        matches!(&commands(&fx)[..], [Command::CreateActivity { activity, .. }]
            if activity.body.starts_with("Hi 田中 愛子")),
        "{fx:?}"
    );
    assert!(
        app.detail.associations.ready().is_some(),
        "the detail got its answer too"
    );

    // Ours under way; the user opens another ticket's Associations tab, which cancels ours:
    // once the detail's answer is in, ours is sent again.
    let mut app = app_with(10, Some(HELLO));
    let fx = hello_on_1002(&mut app);
    let ours = req_of(&fx, |_| true);
    update(&mut app, key('k'));
    tick(&mut app, 200);
    update(&mut app, code(KeyCode::Enter));
    let fx = update(&mut app, key('3'));
    let detail_req = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    assert!(detail_req > ours);
    let fx = ev(
        &mut app,
        Event::AssociationsLoaded {
            req: detail_req,
            ticket_id: "1001".into(),
            items: Vec::new(),
        },
    );
    let again = req_of(&fx, |_| true);
    assert_eq!(
        fx,
        [Effect::Api(Command::LoadAssociations {
            req: again,
            ticket_id: "1002".into()
        })]
    );
    let fx = ev(
        &mut app,
        Event::AssociationsLoaded {
            req: again,
            ticket_id: "1002".into(),
            items: associations(),
        },
    );
    assert!(matches!(
        &commands(&fx)[..],
        [Command::CreateActivity { .. }]
    ));
}

/// The keymap comes first: a macro given a key the keymap binds (which the start-up check
/// refuses) never takes it; and no macro key acts while typing in the `/` line.
#[test]
fn the_keymap_comes_first_and_typing_is_typing() {
    let mut app = app_with(10, Some(ESCALATE));
    let mut on_j = app.macros.defined[0].clone();
    on_j.key = Some(crate::keymap::Key::parse("j").unwrap());
    app.macros.defined.push(on_j);
    assert!(
        update(&mut app, key('j'))
            .iter()
            .all(|e| !matches!(e, Effect::Api(Command::UpdateTicket { .. })))
    );
    assert_eq!(app.list.selected_id(), Some("1002"), "j moved down");
    update(&mut app, key('/'));
    assert!(update(&mut app, key('E')).is_empty());
    assert_eq!(app.filter.as_ref().unwrap().query, "E");
}

/// Without macros, `m` says where they come from.
#[test]
fn without_macros_m_says_how_to_define_them() {
    let mut app = loaded(160, 48, 3, false);
    assert!(update(&mut app, key('m')).is_empty());
    assert!(app.modals.picker().is_none());
    assert!(toast(&app).0.contains("[[macros]] in config.toml"));
}

/// On several tickets the contacts are read one at a time (the worker keeps only the newest
/// associations read), counted on the status line, then one note each names its contact.
#[test]
fn contacts_of_several_tickets_are_read_one_at_a_time() {
    let mut app = app_with(10, Some(HELLO));
    update(&mut app, code(KeyCode::Char(' ')));
    update(&mut app, code(KeyCode::Char(' ')));
    update(&mut app, key('H'));
    let fx = update(&mut app, key('y'));
    let fx = ev(
        &mut app,
        Event::BatchUpdated {
            req: req_of(&fx, |_| true),
            updated: vec![
                updated(1001, &[("hs_ticket_priority", "LOW")]),
                updated(1002, &[("hs_ticket_priority", "LOW")]),
            ],
            failed: Vec::new(),
        },
    );
    let read = |fx: &[Effect], id: &str| {
        let req = req_of(fx, |_| true);
        assert_eq!(
            fx,
            [Effect::Api(Command::LoadAssociations {
                req,
                ticket_id: id.into()
            })]
        );
        req
    };
    let first = read(&fx, "1001");
    assert_eq!(
        toast(&app).0,
        "Hello on 2 tickets: reading the contacts for {contact}, 1 of 2…"
    );
    let fx = ev(
        &mut app,
        Event::AssociationsLoaded {
            req: first,
            ticket_id: "1001".into(),
            items: Vec::new(),
        },
    );
    let second = read(&fx, "1002");
    assert_eq!(
        toast(&app).0,
        "Hello on 2 tickets: reading the contacts for {contact}, 2 of 2…"
    );
    let fx = ev(
        &mut app,
        Event::AssociationsLoaded {
            req: second,
            ticket_id: "1002".into(),
            items: associations(),
        },
    );
    let Some(Command::CreateNotes { notes, .. }) = commands(&fx).into_iter().next() else {
        panic!("the notes: {fx:?}");
    };
    let bodies: Vec<&str> = notes.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(
        bodies,
        [
            "Hi there, about プリンターが燃えている",
            "Hi 田中 愛子, about Login fails on SSO"
        ]
    );
}

/// In triage, a macro's key acts on the ticket on screen and, once it is done, the next ticket
/// opens by itself; the summary counts it.
#[test]
fn in_triage_a_macro_moves_on_to_the_next_ticket() {
    let mut app = app_with(5, Some(ESCALATE));
    update(&mut app, key('T'));
    assert_eq!(app.triage.as_ref().unwrap().current(), Some("1001"));
    let fx = update(&mut app, key('E'));
    let req = req_of(
        &fx,
        |c| matches!(c, Command::UpdateTicket { id, .. } if id == "1001"),
    );
    let fx = ev(
        &mut app,
        Event::TicketUpdated {
            req,
            ticket: escalated(1001),
        },
    );
    assert_eq!(
        app.triage.as_ref().unwrap().current(),
        Some("1001"),
        "the note is still to come"
    );
    let req = req_of(&fx, |c| matches!(c, Command::CreateActivity { .. }));
    let fx = ev(&mut app, created(req, 1001, "9001", false));
    assert_eq!(app.triage.as_ref().unwrap().current(), Some("1002"));
    assert!(
        commands(&fx)
            .iter()
            .any(|c| matches!(c, Command::GetTicket { id, .. } if id == "1002")),
        "{fx:?}"
    );
    update(&mut app, code(KeyCode::Esc));
    let Some(body) = (match &app.overlay {
        Some(Overlay::Reader(r)) => Some(&r.text),
        _ => None,
    }) else {
        panic!("summary");
    };
    assert!(body.contains("macro Escalate: 1 time"), "{body}");
}

const TAKE: &str = r#"
[[macros]]
name = "Take"
key = "X"
set = { hubspot_owner_id = "@me", hs_ticket_priority = "HIGH" }
"#;

/// `TAKE` checked with no `me` in config.toml: it starts (its owner asked when run).
fn app_without_me() -> App {
    let mut app = loaded(160, 48, 10, false);
    let defs = crate::config::Config::parse(TAKE, Path::new("config.toml"))
        .unwrap()
        .macros
        .unwrap();
    let check = Check {
        catalog: &app.catalog,
        me: None,
        keymap: &app.keymap,
        source_name: "config.toml",
    };
    let macros = from_config(Some(&defs), &check).expect("starts without me");
    app.set_macros(macros);
    app
}

/// A macro with `@me` and no `me`: the first run asks who "me" is with the owner picker,
/// saves the answer, then sends the macro's update with that owner; the next run asks nothing.
#[test]
fn a_macro_needing_me_asks_once_saves_it_then_runs() {
    let mut app = app_without_me();
    assert!(app.me.is_none());
    let fx = update(&mut app, key('X'));
    assert!(
        commands(&fx).is_empty(),
        "nothing sent before the answer: {fx:?}"
    );
    let picker = app.modals.picker().expect("asked who you are");
    assert_eq!(picker.kind, views_flow::PickerKind::Me);
    assert!(
        picker.title.contains("macro \"Take\" needs @me"),
        "{}",
        picker.title
    );
    for c in "aiko".chars() {
        update(&mut app, key(c));
    }
    let fx = update(&mut app, code(KeyCode::Enter));
    assert_eq!(
        fx.first(),
        Some(&Effect::SaveMe("aiko@example.com".to_owned()))
    );
    let req = req_of(&fx, |c| matches!(c, Command::UpdateTicket { .. }));
    assert_eq!(
        fx[1..],
        [Effect::Api(Command::UpdateTicket {
            req,
            id: "1001".into(),
            properties: BTreeMap::from([
                ("hs_ticket_priority".to_owned(), "HIGH".to_owned()),
                ("hubspot_owner_id".to_owned(), "11".to_owned()),
            ]),
        })],
        "the macro's update, with me as the owner (and the list not reloaded)"
    );
    assert!(app.modals.picker().is_none());
    ev(
        &mut app,
        Event::TicketUpdated {
            req,
            ticket: updated(
                1001,
                &[("hs_ticket_priority", "HIGH"), ("hubspot_owner_id", "11")],
            ),
        },
    );
    assert_eq!(
        toast(&app),
        (
            "Take on #1001: Owner → Aiko Tanaka, Priority → High".into(),
            Level::Info
        )
    );
    // Asked once: the next run goes straight out.
    update(&mut app, key('j'));
    let fx = update(&mut app, key('X'));
    assert!(
        matches!(&commands(&fx)[..], [Command::UpdateTicket { id, properties, .. }]
            if id == "1002" && properties["hubspot_owner_id"] == "11"),
        "{fx:?}"
    );
}

/// Esc on the owner picker: the macro is not applied, the status line says why, and it is
/// not asked again this run (the next try says how to set `me`).
#[test]
fn a_macro_needing_me_cancelled_sends_nothing_and_says_how_to_set_me() {
    let mut app = app_without_me();
    update(&mut app, key('X'));
    assert!(app.modals.picker().is_some());
    let fx = update(&mut app, code(KeyCode::Esc));
    assert_eq!(fx, [], "nothing sent, the list not reloaded");
    assert!(app.modals.picker().is_none());
    assert!(toast(&app).0.contains("\"Take\" not applied: it needs @me"));
    let fx = update(&mut app, key('X'));
    assert_eq!(fx, []);
    assert!(app.modals.picker().is_none(), "asked once");
    assert_eq!(
        toast(&app),
        (
            "\"Take\" needs @me: set me = \"you@company.com\" in config.toml".into(),
            Level::Error
        )
    );
}

/// A warm start: `config`'s macros checked against the fixtures' catalogue (the cache's),
/// then HubSpot's catalogue answered with `fresh_pipelines`.
fn warm_then_fresh(config: &str, fresh_pipelines: Vec<crate::domain::Pipeline>) -> App {
    let mut app = app(160, 48);
    let mut cached = crate::domain::Catalog::default();
    cached.tz = jiff::tz::TimeZone::UTC;
    cached.set_properties(properties(), groups());
    cached.set_pipelines(pipelines());
    cached.set_owners(owners());
    app.catalog = cached.clone();
    let macros = macros_of(&app, Some(config));
    let defs = crate::config::Config::parse(config, Path::new("config.toml"))
        .unwrap()
        .macros;
    app.set_macros_to_confirm(macros, defs, "config.toml".to_owned());
    app.cached_catalog = Some(cached);
    let fx = app.start();
    assert_eq!(app.macros.defined.len(), 2, "in force at once");
    for c in fx.iter().filter_map(|e| match e {
        Effect::Api(c) => Some(c.clone()),
        _ => None,
    }) {
        let event = match c {
            Command::LoadProperties { req } => Event::PropertiesLoaded {
                req,
                properties: properties(),
                groups: groups(),
            },
            Command::LoadPipelines { req } => Event::PipelinesLoaded {
                req,
                pipelines: fresh_pipelines.clone(),
            },
            Command::LoadOwners { req } => Event::OwnersLoaded {
                req,
                owners: owners(),
            },
            _ => continue,
        };
        ev(&mut app, event);
    }
    app
}

const TWO_MACROS: &str = r#"
[[macros]]
name = "Escalate"
key = "E"
set = { hs_ticket_priority = "URGENT", hs_pipeline_stage = "label:Waiting on us" }

[[macros]]
name = "Urgent"
set = { hs_ticket_priority = "URGENT" }
"#;

#[test]
fn a_macro_the_fresh_catalogue_refuses_after_a_warm_start_is_disabled_with_a_notice() {
    // HubSpot's pipelines no longer have the stage "Waiting on us".
    let mut fresh = pipelines();
    fresh[0].stages.retain(|s| s.label != "Waiting on us");
    let app = warm_then_fresh(TWO_MACROS, fresh);
    let names: Vec<&str> = app.macros.defined.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Urgent"], "Escalate is disabled, the other kept");
    let (text, level) = toast(&app);
    assert_eq!(level, Level::Error);
    assert!(
        text.starts_with("macro \"Escalate\" (")
            && text.contains("Waiting on us")
            && text.contains(
                "disabled: HubSpot's catalogue differs from the cache's; fix config.toml"
            ),
        "{text}"
    );
}

#[test]
fn macros_the_fresh_catalogue_accepts_after_a_warm_start_stay_without_a_notice() {
    let app = warm_then_fresh(TWO_MACROS, pipelines());
    let names: Vec<&str> = app.macros.defined.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Escalate", "Urgent"]);
    assert!(app.toast.is_none(), "{:?}", app.toast);
}
