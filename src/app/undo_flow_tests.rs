//! Update tests of undo and the log of writes: `z` asks the worker to read the tickets back
//! (nothing written yet), the dialog shows what will be put back and where a colleague
//! changed a value since (keep theirs by default, `Space` puts back mine), and only `y`
//! sends the undo; a macro's update, notes and pins undo as one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;

use super::tests::fixtures::*;
use super::{App, Effect, Layer, Msg, update};
use crate::protocol::journal::{
    Entry, Logged, ObjectRef, Outcome, PropertyChange, UndoPlan, WriteKind,
};
use crate::protocol::{Command, Event};

fn entry(req: u64, kind: WriteKind, changes: &[(&str, &str, &str, &str)]) -> Entry {
    Entry {
        id: format!("run-{req}"),
        at: "2026-12-01T10:00:00Z".to_owned(),
        run: "run".to_owned(),
        kind,
        tickets: changes.iter().map(|c| c.0.to_owned()).collect(),
        properties: changes
            .iter()
            .map(|(t, p, b, a)| PropertyChange {
                ticket: (*t).to_owned(),
                property: (*p).to_owned(),
                before: Some((*b).to_owned()).filter(|s| !s.is_empty()),
                after: Some((*a).to_owned()).filter(|s| !s.is_empty()),
            })
            .collect(),
        associations: Vec::new(),
        created: Vec::new(),
        deleted: Vec::new(),
        undoes: None,
    }
}

fn journaled(app: &mut App, e: Entry) {
    update(
        app,
        Msg::Worker(Event::Journaled(Box::new(Logged {
            entry: e,
            outcome: Some(Outcome::Applied {
                failed: Vec::new(),
                correlation_ids: Vec::new(),
            }),
            resolved: false,
        }))),
    );
}

fn commands(fx: &[Effect]) -> Vec<&Command> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Api(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn z_with_nothing_written_in_this_run_says_so_and_sends_nothing() {
    let mut app = loaded(160, 48, 5, false);
    let fx = update(&mut app, key('z'));
    assert!(commands(&fx).is_empty());
    assert!(app.toast.as_ref().unwrap().text.contains("nothing to undo"));
}

#[test]
fn z_reads_back_the_macros_update_notes_and_pins_as_one_action() {
    let mut app = loaded(160, 48, 5, false);
    // A macro on marked tickets: the update, then the notes, then the pins, as the macro
    // flow asks for them (their requests joined to the first).
    let mut first = None;
    for req in [100, 101, 102] {
        app.journal.same_action(&mut first, req);
    }
    journaled(
        &mut app,
        entry(99, WriteKind::Edit, &[("1001", "subject", "a", "b")]),
    );
    journaled(
        &mut app,
        entry(
            100,
            WriteKind::BulkEdit,
            &[("1002", "hs_ticket_priority", "LOW", "HIGH")],
        ),
    );
    let mut notes = entry(101, WriteKind::Notes, &[]);
    notes.created.push(ObjectRef {
        kind: "notes".into(),
        id: "900".into(),
        ticket: Some("1002".into()),
    });
    journaled(&mut app, notes);
    journaled(
        &mut app,
        entry(
            102,
            WriteKind::Edit,
            &[("1002", "hs_pinned_engagement_id", "", "900")],
        ),
    );
    let fx = update(&mut app, key('z'));
    match commands(&fx).as_slice() {
        [Command::PrepareUndo { entries, .. }] => {
            let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
            assert_eq!(
                ids,
                ["run-100", "run-101", "run-102"],
                "the macro, not the edit before"
            );
        }
        other => panic!("expected one PrepareUndo, got {other:?}"),
    }
}

/// The plan the worker would answer: 1001 still as written, 1002 changed by a colleague.
fn prepared(app: &mut App) -> u64 {
    let e = entry(
        7,
        WriteKind::BulkEdit,
        &[
            ("1001", "hs_ticket_priority", "LOW", "HIGH"),
            ("1002", "hs_ticket_priority", "MEDIUM", "HIGH"),
        ],
    );
    journaled(app, e.clone());
    let fx = update(app, key('z'));
    let req = match commands(&fx).as_slice() {
        [Command::PrepareUndo { req, .. }] => *req,
        other => panic!("expected one PrepareUndo, got {other:?}"),
    };
    let plan = UndoPlan::new(&[e], |t, _| {
        Some(if t == "1001" { "HIGH" } else { "URGENT" }.to_owned())
    });
    update(
        app,
        Msg::Worker(Event::UndoPrepared {
            req,
            plan: Box::new(plan),
        }),
    );
    req
}

#[test]
fn the_dialog_shows_what_is_put_back_and_keeps_a_colleagues_change_unless_told() {
    let mut app = loaded(160, 48, 5, false);
    prepared(&mut app);
    assert_eq!(app.top_layer(), Layer::Undo);
    let body = app.modals.undo().unwrap().body(&app.catalog).join("\n");
    assert!(
        body.contains("#1001 Priority: \"High\" → \"Low\""),
        "{body}"
    );
    assert!(body.contains("Changed by someone else since"), "{body}");
    assert!(
        body.contains("#1002 [keep theirs] Priority: now \"Urgent\""),
        "{body}"
    );
    let fx = update(&mut app, key('y'));
    match commands(&fx).as_slice() {
        [Command::Undo { plan, .. }] => {
            let back: Vec<(&str, bool)> = plan
                .restores
                .iter()
                .map(|r| (r.ticket.as_str(), r.put_back))
                .collect();
            assert_eq!(back, [("1001", true), ("1002", false)]);
        }
        other => panic!("expected one Undo, got {other:?}"),
    }
}

#[test]
fn space_puts_back_mine_on_the_chosen_ticket_and_esc_sends_nothing() {
    let mut app = loaded(160, 48, 5, false);
    prepared(&mut app);
    update(&mut app, key(' '));
    let body = app.modals.undo().unwrap().body(&app.catalog).join("\n");
    assert!(body.contains("#1002 [put back mine]"), "{body}");
    let fx = update(&mut app, Msg::Key(KeyCode::Enter.into()));
    match commands(&fx).as_slice() {
        [Command::Undo { plan, .. }] => assert!(plan.restores.iter().all(|r| r.put_back)),
        other => panic!("expected one Undo, got {other:?}"),
    }

    let mut app = loaded(160, 48, 5, false);
    prepared(&mut app);
    let fx = update(&mut app, Msg::Key(KeyCode::Esc.into()));
    assert!(commands(&fx).is_empty());
    assert_eq!(app.top_layer(), Layer::Base);
}

#[test]
fn a_delete_cannot_be_undone_and_says_where_to_restore_it() {
    let mut app = loaded(160, 48, 5, false);
    let mut e = entry(5, WriteKind::Delete, &[]);
    e.deleted.push(ObjectRef {
        kind: "tickets".into(),
        id: "1003".into(),
        ticket: None,
    });
    journaled(&mut app, e);
    let fx = update(&mut app, key('z'));
    assert!(commands(&fx).is_empty());
    let text = &app.toast.as_ref().unwrap().text;
    assert!(text.contains("recycle bin within 90 days"), "{text}");
}

#[test]
fn the_log_lists_writes_newest_first_and_z_there_undoes_that_one() {
    let mut app = loaded(160, 48, 5, false);
    journaled(
        &mut app,
        entry(1, WriteKind::Edit, &[("1001", "subject", "a", "b")]),
    );
    journaled(
        &mut app,
        entry(2, WriteKind::Edit, &[("1002", "subject", "c", "d")]),
    );
    update(&mut app, key('L'));
    assert_eq!(app.top_layer(), Layer::Log);
    update(&mut app, key('j'));
    let fx = update(&mut app, key('z'));
    match commands(&fx).as_slice() {
        [Command::PrepareUndo { entries, .. }] => assert_eq!(entries[0].id, "run-1"),
        other => panic!("expected one PrepareUndo, got {other:?}"),
    }
}

#[test]
fn a_plan_puts_back_only_what_still_holds_what_hubtix_wrote() {
    let e = entry(
        1,
        WriteKind::BulkEdit,
        &[
            ("1", "p", "old", "new"),
            ("2", "p", "old", "new"),
            ("3", "p", "old", "new"),
        ],
    );
    // 1 as written; 2 a colleague's value; 3 never changed (its write failed).
    let plan = UndoPlan::new(&[e], |t, _| {
        Some(
            match t {
                "1" => "new",
                "2" => "theirs",
                _ => "old",
            }
            .to_owned(),
        )
    });
    let got: Vec<(bool, bool)> = plan
        .restores
        .iter()
        .map(|r| (r.put_back, r.conflict()))
        .collect();
    assert_eq!(got, [(true, false), (false, true), (false, false)]);
    assert_eq!(plan.tickets(), ["1"]);
}

#[test]
fn an_entrys_summary_names_each_property_once() {
    let e = entry(
        1,
        WriteKind::BulkEdit,
        &[
            ("1", "hs_pipeline_stage", "1", "3"),
            ("1", "hs_ticket_priority", "LOW", "HIGH"),
            ("2", "hs_pipeline_stage", "1", "3"),
            ("2", "hs_ticket_priority", "LOW", "HIGH"),
        ],
    );
    assert_eq!(
        e.summary(),
        "bulk edit 4 tickets: hs_pipeline_stage, hs_ticket_priority"
    );
}

#[test]
fn an_entrys_details_show_the_correlation_ids_of_its_requests() {
    let catalog = crate::domain::Catalog::default();
    let e = entry(
        1,
        WriteKind::BulkEdit,
        &[("1", "hs_ticket_priority", "LOW", "HIGH")],
    );
    let logged = |ids: &[&str]| Logged {
        entry: e.clone(),
        outcome: Some(Outcome::Applied {
            failed: Vec::new(),
            correlation_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        }),
        resolved: false,
    };
    let one = super::undo_flow::details(&catalog, &logged(&["4f1c9a2e-0b7d"]));
    assert!(
        one.lines().any(|l| l == "Correlation ID: 4f1c9a2e-0b7d"),
        "{one}"
    );
    let two = super::undo_flow::details(&catalog, &logged(&["a1", "b2"]));
    assert!(two.lines().any(|l| l == "Correlation IDs: a1, b2"), "{two}");
    let none = super::undo_flow::details(&catalog, &logged(&[]));
    assert!(!none.contains("Correlation"), "{none}");
}
