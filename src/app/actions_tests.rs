//! Update tests of associations, pinning and deleting: every dialog declines with no effect
//! and confirms with exactly one command; Cancel is preselected and never remembered; the
//! answers (and failures) of each command change what the user sees.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crossterm::event::KeyCode;

use super::actions::AddAssociation;
use super::confirm::{Button, PendingOp};
use super::detail::Loadable;
use super::tests::fixtures::*;
use super::{App, Effect, Focus, Level, Msg, update};
use crate::domain::{Associated, AssociationType, ObjectKind};
use crate::protocol::{Command, Event};

fn ev(app: &mut App, e: Event) -> Vec<Effect> {
    update(app, Msg::Worker(e))
}

fn toast(app: &App) -> String {
    app.toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

fn toast_is_error(app: &App) -> bool {
    app.toast.as_ref().is_some_and(|t| t.level == Level::Error)
}

/// Ten tickets loaded, 1001's detail open (focused) on the Activity tab, its activities loaded.
fn on_activity() -> App {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.focus, Focus::Detail);
    let fx = update(&mut app, key('4'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadActivities { .. }));
    ev(
        &mut app,
        Event::ActivitiesLoaded {
            req,
            ticket_id: "1001".into(),
            items: activities(),
        },
    );
    app
}

/// Ten tickets loaded, 1001's detail open (focused) on the Associations tab, loaded.
fn on_associations() -> App {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, code(KeyCode::Enter));
    let fx = update(&mut app, key('3'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    ev(
        &mut app,
        Event::AssociationsLoaded {
            req,
            ticket_id: "1001".into(),
            items: associations(),
        },
    );
    app
}

fn op(app: &App) -> PendingOp {
    app.confirm.as_ref().expect("a dialog is open").op.clone()
}

/// Every way of declining the dialog `open` opens emits nothing and closes it; moving to the
/// action button and cancelling is forgotten: the next dialog has Cancel selected again.
fn declines_with_no_effect(app: &mut App, open: impl Fn(&mut App) -> Vec<Effect>) {
    let declines: [&[Msg]; 6] = [
        &[key('n')],
        &[code(KeyCode::Esc)],
        &[code(KeyCode::Enter)],
        &[code(KeyCode::Right), code(KeyCode::Esc)],
        &[code(KeyCode::Right), key('n')],
        &[
            code(KeyCode::Right),
            code(KeyCode::Left),
            code(KeyCode::Enter),
        ],
    ];
    for keys in declines {
        let fx = open(app);
        assert!(fx.is_empty(), "opening the dialog sends nothing: {fx:?}");
        let dialog = app.confirm.as_ref().expect("dialog opens");
        assert_eq!(dialog.button, Button::Cancel, "Cancel is preselected");
        for k in keys {
            let fx = update(app, k.clone());
            assert!(fx.is_empty(), "{k:?} in the dialog emitted {fx:?}");
        }
        assert!(app.confirm.is_none(), "{keys:?} closes the dialog");
    }
}

/// Opens the dialog and checks ←/→ move the selection (and nothing is sent).
fn arrows_switch(app: &mut App) {
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Cancel);
    assert!(update(app, code(KeyCode::Right)).is_empty());
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Confirm);
    assert!(update(app, code(KeyCode::Right)).is_empty());
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Confirm);
    assert!(update(app, code(KeyCode::Left)).is_empty());
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Cancel);
    assert!(update(app, key('l')).is_empty());
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Confirm);
    assert!(update(app, key('h')).is_empty());
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Cancel);
}

// ---- delete one -------------------------------------------------------------------------------

#[test]
fn delete_one_declines_then_confirms_exactly_one_archive() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    declines_with_no_effect(&mut app, |a| update(a, key('D')));
    update(&mut app, key('D'));
    assert_eq!(
        op(&app),
        PendingOp::ArchiveTickets {
            ids: vec!["1002".into()],
            subjects: vec!["Login fails on SSO".into()],
        }
    );
    let dialog = app.confirm.as_ref().unwrap();
    assert_eq!(dialog.title(), "Delete ticket #1002?");
    assert!(
        dialog
            .body()
            .iter()
            .any(|l| l == "#1002 Login fails on SSO")
    );
    assert!(dialog.body().iter().any(|l| l.contains("90 days")));
    assert_eq!(dialog.must_type(), None, "one ticket: no count to type");
    arrows_switch(&mut app);
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        commands(&fx),
        vec![Command::ArchiveTicket {
            req,
            id: "1002".into()
        }]
    );
    assert!(app.confirm.is_none());
    // The answer: the row goes, the cursor stays on the same row (now 1003).
    ev(
        &mut app,
        Event::TicketArchived {
            req,
            id: "1002".into(),
        },
    );
    assert!(app.list.get("1002").is_none());
    assert_eq!(app.list.selected_id(), Some("1003"));
    assert!(toast(&app).contains("deleted #1002"), "{}", toast(&app));
}

#[test]
fn enter_on_the_action_button_confirms() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('D'));
    assert!(
        update(&mut app, code(KeyCode::Enter)).is_empty(),
        "Enter on Cancel"
    );
    assert!(app.confirm.is_none());
    update(&mut app, key('D'));
    update(&mut app, code(KeyCode::Right));
    let fx = update(&mut app, code(KeyCode::Enter));
    assert!(matches!(
        commands(&fx).as_slice(),
        [Command::ArchiveTicket { id, .. }] if id == "1001"
    ));
}

#[test]
fn cancel_is_never_remembered() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('D'));
    update(&mut app, code(KeyCode::Right));
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Confirm);
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, key('D'));
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Cancel);
    // And Enter right away presses Cancel.
    assert!(update(&mut app, code(KeyCode::Enter)).is_empty());
    assert!(app.confirm.is_none());
    assert!(app.list.get("1001").is_some());
}

#[test]
fn two_deletes_in_flight_are_both_answered() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('D'));
    let first = req_of(&update(&mut app, key('y')), |_| true);
    // Before HubSpot answers, the next ticket is deleted too.
    update(&mut app, key('j'));
    update(&mut app, key('D'));
    let fx = update(&mut app, key('y'));
    let second = req_of(&fx, |_| true);
    assert!(
        matches!(commands(&fx).as_slice(), [Command::ArchiveTicket { id, .. }] if id == "1002")
    );
    ev(
        &mut app,
        Event::TicketArchived {
            req: first,
            id: "1001".into(),
        },
    );
    ev(
        &mut app,
        Event::TicketArchived {
            req: second,
            id: "1002".into(),
        },
    );
    assert!(
        app.list.get("1001").is_none(),
        "the first answer was not dropped"
    );
    assert!(app.list.get("1002").is_none());
    assert_eq!(app.list.selected_id(), Some("1003"));
}

#[test]
fn deleting_an_already_deleted_ticket_says_so_and_the_row_goes() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('D'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::ArchiveTicket { .. }));
    ev(
        &mut app,
        Event::Failed {
            req,
            failure: failure(404, "404 OBJECT_NOT_FOUND: resource not found"),
        },
    );
    assert!(app.list.get("1001").is_none());
    assert_eq!(app.list.selected_id(), Some("1002"));
    assert!(
        toast(&app).contains("#1001 was already deleted"),
        "{}",
        toast(&app)
    );
    assert!(toast_is_error(&app));
}

#[test]
fn a_failed_delete_keeps_the_row_and_says_why() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('D'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::ArchiveTicket { .. }));
    ev(
        &mut app,
        Event::Failed {
            req,
            failure: failure(500, "500 INTERNAL_ERROR: boom"),
        },
    );
    assert!(app.list.get("1001").is_some());
    assert!(toast(&app).contains("not deleted: 500 INTERNAL_ERROR"));
}

// ---- bulk delete ------------------------------------------------------------------------------

/// Ten tickets, 1002..=1004 marked (Space marks and moves on): the cursor is on 1005.
fn three_marked() -> App {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    for _ in 0..3 {
        update(&mut app, key(' '));
    }
    assert_eq!(app.list.marked().len(), 3);
    assert_eq!(app.list.selected_id(), Some("1005"));
    app
}

#[test]
fn bulk_delete_needs_the_count_typed() {
    let mut app = three_marked();
    declines_with_no_effect(&mut app, |a| update(a, key('D')));
    update(&mut app, key('D'));
    let dialog = app.confirm.as_ref().unwrap();
    assert_eq!(dialog.title(), "Delete 3 tickets?");
    assert_eq!(dialog.must_type().as_deref(), Some("3"));
    let body = dialog.body();
    for (id, s) in [
        ("1002", "Login fails on SSO"),
        ("1003", "Invoice shows the wrong VAT rate"),
    ] {
        assert!(body.contains(&format!("#{id} {s}")), "{body:?}");
    }
    assert!(body.iter().any(|l| l.starts_with("Type 3 to confirm")));
    // A bare y (and Enter on the action button) does nothing yet; the dialog stays.
    assert!(update(&mut app, key('y')).is_empty());
    update(&mut app, code(KeyCode::Right));
    assert!(update(&mut app, code(KeyCode::Enter)).is_empty());
    assert!(app.confirm.is_some());
    // A wrong count is refused.
    update(&mut app, key('4'));
    assert_eq!(app.confirm.as_ref().unwrap().typed, "4");
    assert!(update(&mut app, key('y')).is_empty());
    assert!(app.confirm.is_some());
    update(&mut app, key('3'));
    assert!(update(&mut app, key('y')).is_empty(), "43 is not 3");
    // Backspace edits.
    update(&mut app, code(KeyCode::Backspace));
    update(&mut app, code(KeyCode::Backspace));
    assert_eq!(app.confirm.as_ref().unwrap().typed, "");
    update(&mut app, key('3'));
    assert!(app.confirm.as_ref().unwrap().can_confirm());
    assert!(
        app.confirm
            .as_ref()
            .unwrap()
            .body()
            .iter()
            .any(|l| l == "Type 3 to confirm: 3▏"),
        "the typed count is shown"
    );
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        commands(&fx),
        vec![Command::BatchArchive {
            req,
            ids: vec!["1002".into(), "1003".into(), "1004".into()],
        }]
    );
    assert!(app.confirm.is_none());
}

#[test]
fn a_typed_count_is_not_remembered_either() {
    let mut app = three_marked();
    update(&mut app, key('D'));
    update(&mut app, key('3'));
    update(&mut app, code(KeyCode::Right));
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, key('D'));
    let dialog = app.confirm.as_ref().unwrap();
    assert_eq!(dialog.typed, "");
    assert_eq!(dialog.button, Button::Cancel);
    assert!(update(&mut app, key('y')).is_empty());
}

#[test]
fn bulk_delete_removes_the_rows_without_moving_the_cursor_off_its_ticket() {
    let mut app = three_marked();
    update(&mut app, key('D'));
    update(&mut app, key('3'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::BatchArchive { .. }));
    ev(
        &mut app,
        Event::BatchArchived {
            req,
            archived: vec!["1002".into(), "1003".into(), "1004".into()],
            failed: Vec::new(),
        },
    );
    for id in ["1002", "1003", "1004"] {
        assert!(app.list.get(id).is_none());
    }
    assert!(app.list.marked().is_empty());
    assert_eq!(
        app.list.selected_id(),
        Some("1005"),
        "the cursor stays on the ticket it was on"
    );
    assert!(toast(&app).contains("deleted 3 tickets"), "{}", toast(&app));
}

#[test]
fn a_partial_batch_failure_lists_the_failed_ones_and_they_stay_marked() {
    let mut app = loaded(160, 48, 150, true);
    update(&mut app, key('V'));
    // Only the loaded rows: decline loading the rest.
    update(&mut app, key('n'));
    assert_eq!(app.list.marked().len(), 150);
    update(&mut app, key('D'));
    assert_eq!(
        app.confirm
            .as_ref()
            .unwrap()
            .body()
            .iter()
            .filter(|l| l.starts_with('#'))
            .count(),
        8,
        "the first eight are named"
    );
    assert!(
        app.confirm
            .as_ref()
            .unwrap()
            .body()
            .contains(&"… and 142 more".to_owned())
    );
    type_text(&mut app, "150");
    let fx = update(&mut app, key('y'));
    let req = req_of(
        &fx,
        |c| matches!(c, Command::BatchArchive { ids, .. } if ids.len() == 150),
    );
    let failed: Vec<(String, String)> = (1101..=1150)
        .map(|n| (n.to_string(), "500 INTERNAL_ERROR: boom".to_owned()))
        .collect();
    ev(
        &mut app,
        Event::BatchArchived {
            req,
            archived: (1001..=1100).map(|n| n.to_string()).collect(),
            failed,
        },
    );
    assert_eq!(app.list.len(), 50);
    assert_eq!(app.list.marked().len(), 50, "the failed ones stay marked");
    assert!(app.list.is_marked("1101") && app.list.is_marked("1150"));
    let t = toast(&app);
    assert!(toast_is_error(&app));
    assert!(t.contains("deleted 100; 50 failed"), "{t}");
    assert!(
        t.contains("1101") && t.contains("500 INTERNAL_ERROR"),
        "{t}"
    );
    assert!(t.chars().count() < 200, "readable on one line: {t}");
    // D again offers the failed ones.
    update(&mut app, key('D'));
    assert!(matches!(op(&app), PendingOp::ArchiveTickets { ids, .. } if ids.len() == 50));
}

// ---- pin and unpin ----------------------------------------------------------------------------

#[test]
fn pin_names_the_activity_and_the_one_it_replaces() {
    let mut app = on_activity();
    // Newest first: 5002 (the email), 5001 (the pinned note), 5003.
    declines_with_no_effect(&mut app, |a| update(a, key('p')));
    update(&mut app, key('p'));
    assert_eq!(
        op(&app),
        PendingOp::PinActivity {
            ticket_id: "1001".into(),
            subject: "プリンターが燃えている".into(),
            activity_id: "5002".into(),
            title: "Re: printer on fire (Email, 2026-02-04 08:00)".into(),
            replaces: Some("煙の原因はトナー詰まり (Note, 2026-02-03 10:15)".into()),
        }
    );
    let dialog = app.confirm.as_ref().unwrap();
    assert_eq!(dialog.title(), "Replace the pinned activity?");
    let body = dialog.body().join("\n");
    // Kind and time name them apart even when titles repeat ("Re: ...").
    assert!(
        body.contains("Pin “Re: printer on fire (Email, 2026-02-04 08:00)”"),
        "{body}"
    );
    assert!(body.contains("on #1001 プリンターが燃えている"), "{body}");
    assert!(
        body.contains(
            "It replaces the pinned activity (one pin per ticket):\n\
             “煙の原因はトナー詰まり (Note, 2026-02-03 10:15)”"
        ),
        "{body}"
    );
    arrows_switch(&mut app);
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        commands(&fx),
        vec![Command::UpdateTicket {
            req,
            id: "1001".into(),
            properties: BTreeMap::from([("hs_pinned_engagement_id".into(), "5002".into())]),
        }]
    );
    let mut updated = full_ticket(1001);
    updated
        .properties
        .insert("hs_pinned_engagement_id".into(), "5002".into());
    let fx = ev(
        &mut app,
        Event::TicketUpdated {
            req,
            ticket: updated,
        },
    );
    assert!(toast(&app).contains("pinned “Re: printer on fire (Email, 2026-02-04 08:00)”"));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Api(c) if is_get(c))),
        "re-read: {fx:?}"
    );
}

#[test]
fn pin_without_a_pin_names_no_replacement_and_the_pinned_one_is_refused() {
    let mut app = on_activity();
    update(&mut app, key('j'));
    // 5001 is the pinned one already.
    assert!(update(&mut app, key('p')).is_empty());
    assert!(app.confirm.is_none());
    assert!(toast(&app).contains("already pinned"));
    // Without a pin the dialog asks plainly.
    if let Loadable::Ready(t) = &mut app.detail.ticket {
        t.properties.remove("hs_pinned_engagement_id");
    }
    update(&mut app, key('p'));
    let dialog = app.confirm.as_ref().unwrap();
    assert_eq!(dialog.title(), "Pin this activity?");
    assert!(!dialog.body().join(" ").contains("replaces"));
    assert!(matches!(
        op(&app),
        PendingOp::PinActivity { replaces: None, .. }
    ));
}

#[test]
fn unpin_declines_then_confirms_one_update() {
    let mut app = on_activity();
    declines_with_no_effect(&mut app, |a| update(a, key('P')));
    update(&mut app, key('P'));
    assert_eq!(
        op(&app),
        PendingOp::Unpin {
            ticket_id: "1001".into(),
            subject: "プリンターが燃えている".into(),
            activity_id: "5001".into(),
            title: "煙の原因はトナー詰まり".into(),
        }
    );
    let dialog = app.confirm.as_ref().unwrap();
    assert_eq!(dialog.title(), "Unpin the activity?");
    assert!(
        dialog
            .body()
            .contains(&"Unpin “煙の原因はトナー詰まり”".to_owned())
    );
    arrows_switch(&mut app);
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        commands(&fx),
        vec![Command::UpdateTicket {
            req,
            id: "1001".into(),
            properties: BTreeMap::from([("hs_pinned_engagement_id".into(), String::new())]),
        }]
    );
    let mut t = full_ticket(1001);
    t.properties.remove("hs_pinned_engagement_id");
    ev(&mut app, Event::TicketUpdated { req, ticket: t });
    assert!(toast(&app).contains("unpinned"));
}

#[test]
fn the_pin_is_known_while_the_detail_reloads_after_a_pin() {
    let mut app = on_activity();
    update(&mut app, key('p'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    let mut updated = full_ticket(1001);
    updated
        .properties
        .insert("hs_pinned_engagement_id".into(), "5002".into());
    let fx = ev(
        &mut app,
        Event::TicketUpdated {
            req,
            ticket: updated,
        },
    );
    // The detail is re-read; until it lands, the list row knows the new pin.
    assert!(fx.iter().any(|e| matches!(e, Effect::Api(c) if is_get(c))));
    assert!(app.detail.ticket.is_loading());
    update(&mut app, key('j'));
    update(&mut app, key('p'));
    assert!(
        matches!(op(&app), PendingOp::PinActivity { replaces: Some(r), .. } if r.starts_with("Re: printer on fire")),
        "{:?}",
        op(&app)
    );
    update(&mut app, key('n'));
    update(&mut app, key('P'));
    assert!(matches!(op(&app), PendingOp::Unpin { activity_id, .. } if activity_id == "5002"));
}

#[test]
fn unpin_without_a_pin_says_so() {
    let mut app = on_activity();
    if let Loadable::Ready(t) = &mut app.detail.ticket {
        t.properties.remove("hs_pinned_engagement_id");
    }
    assert!(update(&mut app, key('P')).is_empty());
    assert!(app.confirm.is_none());
    assert!(toast(&app).contains("no activity is pinned"));
}

/// `p` on the email, confirmed, and HubSpot refusing it as not associated.
fn pin_refused(app: &mut App) {
    update(app, key('p'));
    let fx = update(app, key('y'));
    let req = req_of(&fx, |_| true);
    let mut f = failure(
        400,
        "400 VALIDATION_ERROR: Engagement 5002 is not associated",
    );
    f.field_errors = vec![(
        "hs_pinned_engagement_id".into(),
        "Engagement 5002 is not associated with this ticket".into(),
    )];
    assert!(ev(app, Event::Failed { req, failure: f }).is_empty());
}

#[test]
fn a_refused_pin_offers_to_associate_first() {
    let mut app = on_activity();
    pin_refused(&mut app);
    assert_eq!(
        op(&app),
        PendingOp::AssociateThenPin {
            ticket_id: "1001".into(),
            subject: "プリンターが燃えている".into(),
            kind: ObjectKind::Email,
            activity_id: "5002".into(),
            title: "Re: printer on fire".into(),
        }
    );
    let dialog = app.confirm.as_ref().unwrap();
    assert_eq!(dialog.button, Button::Cancel);
    assert_eq!(dialog.title(), "Associate the activity first?");
    assert!(
        dialog
            .body()
            .join(" ")
            .contains("email “Re: printer on fire” with #1001")
    );
    // Declining: nothing sent (each way).
    for decline in [key('n'), code(KeyCode::Esc), code(KeyCode::Enter)] {
        if app.confirm.is_none() {
            pin_refused(&mut app);
        }
        assert!(update(&mut app, decline).is_empty());
        assert!(app.confirm.is_none());
    }
    // Confirming: one association, then (once it lands) the pin and a reload of the tab.
    pin_refused(&mut app);
    arrows_switch(&mut app);
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        commands(&fx),
        vec![Command::Associate {
            req,
            ticket_id: "1001".into(),
            kind: ObjectKind::Email,
            to_id: "5002".into(),
            category: "HUBSPOT_DEFINED".into(),
            type_id: 223,
            keep: Vec::new(),
        }]
    );
    let fx = ev(
        &mut app,
        Event::AssociationChanged {
            req,
            ticket_id: "1001".into(),
        },
    );
    let cmds = commands(&fx);
    assert_eq!(cmds.len(), 2, "{cmds:?}");
    assert!(matches!(&cmds[0], Command::UpdateTicket { properties, .. }
        if properties["hs_pinned_engagement_id"] == "5002"));
    assert!(matches!(&cmds[1], Command::LoadActivities { ticket_id, .. } if ticket_id == "1001"));
}

#[test]
fn a_refused_pin_never_offers_to_write_to_another_ticket() {
    let mut app = on_activity();
    update(&mut app, key('p'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    // The user moves on to 1002 before HubSpot answers.
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, key('j'));
    assert_eq!(app.detail.ticket_id.as_deref(), Some("1002"));
    let mut f = failure(400, "400 VALIDATION_ERROR: not associated");
    f.field_errors = vec![("hs_pinned_engagement_id".into(), "not associated".into())];
    assert!(ev(&mut app, Event::Failed { req, failure: f }).is_empty());
    assert!(
        app.confirm.is_none(),
        "no offer for #1002: {:?}",
        app.confirm
    );
    assert!(toast_is_error(&app));
    assert!(
        toast(&app).contains("#1001 was not pinned"),
        "{}",
        toast(&app)
    );
}

#[test]
fn any_other_refusal_of_a_pin_is_shown_not_offered() {
    let mut app = on_activity();
    update(&mut app, key('p'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    ev(
        &mut app,
        Event::Failed {
            req,
            failure: failure(500, "500 INTERNAL_ERROR: boom"),
        },
    );
    assert!(app.confirm.is_none());
    assert!(toast(&app).contains("not saved: 500 INTERNAL_ERROR"));
}

// ---- remove an association --------------------------------------------------------------------

#[test]
fn remove_names_both_records_and_the_label() {
    let mut app = on_associations();
    // Sorted by kind: contact 201, company 301 (Primary), deal 401.
    update(&mut app, key('j'));
    declines_with_no_effect(&mut app, |a| update(a, key('x')));
    update(&mut app, key('x'));
    assert_eq!(
        op(&app),
        PendingOp::RemoveAssociation {
            ticket_id: "1001".into(),
            subject: "プリンターが燃えている".into(),
            kind: ObjectKind::Company,
            to_id: "301".into(),
            title: "株式会社サンプル".into(),
            labels: vec!["Primary".into()],
        }
    );
    let dialog = app.confirm.as_ref().unwrap();
    assert_eq!(dialog.title(), "Remove the company association?");
    let body = dialog.body();
    assert!(
        body.contains(&"Ticket #1001 プリンターが燃えている".to_owned()),
        "{body:?}"
    );
    assert!(
        body.contains(&"Company: 株式会社サンプル (Primary)".to_owned()),
        "{body:?}"
    );
    arrows_switch(&mut app);
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        commands(&fx),
        vec![Command::RemoveAssociation {
            req,
            ticket_id: "1001".into(),
            kind: ObjectKind::Company,
            to_id: "301".into(),
        }]
    );
    let fx = ev(
        &mut app,
        Event::AssociationChanged {
            req,
            ticket_id: "1001".into(),
        },
    );
    assert!(matches!(
        commands(&fx).as_slice(),
        [Command::LoadAssociations { .. }]
    ));
    assert!(app.detail.associations.is_loading());
    assert!(toast(&app).contains("associations updated on #1001"));
}

#[test]
fn remove_of_an_unlabeled_association_says_unlabeled() {
    let mut app = on_associations();
    update(&mut app, key('x'));
    assert!(
        app.confirm
            .as_ref()
            .unwrap()
            .body()
            .contains(&"Contact: 田中 愛子 (unlabeled)".to_owned())
    );
}

#[test]
fn a_failed_removal_is_shown_and_nothing_reloads() {
    let mut app = on_associations();
    update(&mut app, key('x'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |_| true);
    let fx = ev(
        &mut app,
        Event::Failed {
            req,
            failure: failure(404, "404 OBJECT_NOT_FOUND: No contact with id 201 exists."),
        },
    );
    assert!(fx.is_empty());
    assert!(toast_is_error(&app));
    assert!(
        toast(&app).contains("association not changed: that record no longer exists"),
        "{}",
        toast(&app)
    );
    assert!(app.detail.associations.ready().is_some());
}

// ---- add an association -----------------------------------------------------------------------

fn grace() -> Associated {
    Associated {
        kind: ObjectKind::Contact,
        id: "233".into(),
        title: "Grace Kim".into(),
        detail: "grace.kim@acme.example.com".into(),
        types: Vec::new(),
    }
}

fn contact_labels() -> Vec<AssociationType> {
    vec![
        AssociationType {
            category: "USER_DEFINED".into(),
            type_id: 77,
            label: Some("Billing contact".into()),
        },
        AssociationType {
            category: "HUBSPOT_DEFINED".into(),
            type_id: 16,
            label: None,
        },
    ]
}

/// `a`, "grace" typed, the search answered with Grace Kim and Alice Johnson.
fn searched(app: &mut App) {
    assert!(update(app, key('a')).is_empty());
    assert!(matches!(
        app.modals.add_assoc(),
        Some(AddAssociation::Search(_))
    ));
    assert!(type_text(app, "grace").is_empty(), "no search while typing");
    let fx = tick(app, 300);
    let req = req_of(&fx, |_| true);
    assert_eq!(
        commands(&fx),
        vec![Command::SearchRecords {
            req,
            query: "grace".into()
        }]
    );
    let mut alice = grace();
    alice.id = "201".into();
    alice.title = "Alice Johnson".into();
    ev(
        app,
        Event::RecordsFound {
            req,
            items: vec![grace(), alice],
        },
    );
}

#[test]
fn add_association_search_label_save() {
    let mut app = on_associations();
    searched(&mut app);
    // ↓ then ↑: back on Grace; Enter loads the labels for contacts.
    update(&mut app, code(KeyCode::Down));
    update(&mut app, code(KeyCode::Up));
    let fx = update(&mut app, code(KeyCode::Enter));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        commands(&fx),
        vec![Command::LoadLabels {
            req,
            kind: ObjectKind::Contact
        }]
    );
    assert!(
        matches!(app.modals.add_assoc(), Some(AddAssociation::Label { record, .. }) if record.id == "233")
    );
    ev(
        &mut app,
        Event::LabelsLoaded {
            req,
            kind: ObjectKind::Contact,
            labels: contact_labels(),
        },
    );
    // The unlabeled default comes first; ↓ picks the label.
    update(&mut app, code(KeyCode::Down));
    let fx = update(&mut app, code(KeyCode::Enter));
    let req = req_of(&fx, |_| true);
    assert_eq!(
        commands(&fx),
        vec![Command::Associate {
            req,
            ticket_id: "1001".into(),
            kind: ObjectKind::Contact,
            to_id: "233".into(),
            category: "USER_DEFINED".into(),
            type_id: 77,
            keep: Vec::new(),
        }]
    );
    assert!(matches!(
        app.modals.add_assoc(),
        Some(AddAssociation::Saving { .. })
    ));
    // Keys while saving send nothing more.
    assert!(update(&mut app, code(KeyCode::Enter)).is_empty());
    let fx = ev(
        &mut app,
        Event::AssociationChanged {
            req,
            ticket_id: "1001".into(),
        },
    );
    assert!(app.modals.add_assoc().is_none());
    assert!(matches!(
        commands(&fx).as_slice(),
        [Command::LoadAssociations { .. }]
    ));
}

#[test]
fn adding_a_label_to_an_associated_record_keeps_its_labels() {
    let mut app = on_associations();
    // 株式会社サンプル (301) is associated already: unlabeled (339) and Primary (26).
    update(&mut app, key('a'));
    type_text(&mut app, "sample");
    let req = req_of(&tick(&mut app, 300), |_| true);
    let company = associations()[1].clone();
    ev(
        &mut app,
        Event::RecordsFound {
            req,
            items: vec![company],
        },
    );
    let req = req_of(&update(&mut app, code(KeyCode::Enter)), |_| true);
    let t = |type_id, label: Option<&str>| AssociationType {
        category: "HUBSPOT_DEFINED".into(),
        type_id,
        label: label.map(str::to_owned),
    };
    ev(
        &mut app,
        Event::LabelsLoaded {
            req,
            kind: ObjectKind::Company,
            labels: vec![
                t(339, None),
                t(26, Some("Primary")),
                t(81, Some("Reseller")),
            ],
        },
    );
    update(&mut app, code(KeyCode::Down));
    update(&mut app, code(KeyCode::Down));
    let fx = update(&mut app, code(KeyCode::Enter));
    let cmds = commands(&fx);
    let [Command::Associate { type_id, keep, .. }] = cmds.as_slice() else {
        panic!("one association: {fx:?}");
    };
    assert_eq!(*type_id, 81);
    assert_eq!(
        keep,
        &vec![
            ("HUBSPOT_DEFINED".to_owned(), 339),
            ("HUBSPOT_DEFINED".to_owned(), 26)
        ],
        "Primary is sent along, not dropped"
    );
}

#[test]
fn add_association_esc_at_any_stage_sends_nothing() {
    let mut app = on_associations();
    searched(&mut app);
    assert!(update(&mut app, code(KeyCode::Esc)).is_empty());
    assert!(app.modals.add_assoc().is_none());
    searched(&mut app);
    let fx = update(&mut app, code(KeyCode::Enter));
    let req = req_of(&fx, |_| true);
    ev(
        &mut app,
        Event::LabelsLoaded {
            req,
            kind: ObjectKind::Contact,
            labels: contact_labels(),
        },
    );
    assert!(update(&mut app, code(KeyCode::Esc)).is_empty());
    assert!(app.modals.add_assoc().is_none());
}

#[test]
fn associating_a_record_that_no_longer_exists_says_so_and_changes_nothing() {
    let mut app = on_associations();
    searched(&mut app);
    let fx = update(&mut app, code(KeyCode::Enter));
    let req = req_of(&fx, |_| true);
    ev(
        &mut app,
        Event::LabelsLoaded {
            req,
            kind: ObjectKind::Contact,
            labels: contact_labels(),
        },
    );
    let fx = update(&mut app, code(KeyCode::Enter));
    let req = req_of(&fx, |_| true);
    let fx = ev(
        &mut app,
        Event::Failed {
            req,
            failure: failure(404, "404 OBJECT_NOT_FOUND: No contact with id 233 exists."),
        },
    );
    assert!(fx.is_empty(), "nothing reloads");
    assert!(app.modals.add_assoc().is_none());
    assert!(toast_is_error(&app));
    assert!(
        toast(&app).contains("Grace Kim was not associated: that record no longer exists"),
        "{}",
        toast(&app)
    );
    assert_eq!(app.detail.associations.ready().map(Vec::len), Some(3));
}

#[test]
fn a_failed_record_search_is_shown_in_the_modal() {
    let mut app = on_associations();
    update(&mut app, key('a'));
    type_text(&mut app, "grace");
    let fx = tick(&mut app, 300);
    let req = req_of(&fx, |_| true);
    ev(
        &mut app,
        Event::Failed {
            req,
            failure: failure(500, "500 INTERNAL_ERROR: search is down"),
        },
    );
    let Some(AddAssociation::Search(s)) = app.modals.add_assoc() else {
        panic!("still searching");
    };
    assert_eq!(
        s.results.failure().map(|f| f.summary.as_str()),
        Some("500 INTERNAL_ERROR: search is down")
    );
}

#[test]
fn failed_labels_are_shown_in_the_modal() {
    let mut app = on_associations();
    searched(&mut app);
    let fx = update(&mut app, code(KeyCode::Enter));
    let req = req_of(&fx, |_| true);
    ev(
        &mut app,
        Event::Failed {
            req,
            failure: failure(403, "403 MISSING_SCOPES: crm.schemas.contacts.read"),
        },
    );
    let Some(AddAssociation::Label { labels, .. }) = app.modals.add_assoc() else {
        panic!("still choosing the label");
    };
    assert_eq!(
        labels.failure().map(|f| f.summary.as_str()),
        Some("403 MISSING_SCOPES: crm.schemas.contacts.read")
    );
    // Enter with no labels sends nothing.
    assert!(update(&mut app, code(KeyCode::Enter)).is_empty());
}

#[test]
fn keys_route_only_in_their_tab() {
    let mut app = on_activity();
    // x and a mean nothing in Activity; p and P mean nothing in Associations.
    assert!(update(&mut app, key('x')).is_empty());
    assert!(app.confirm.is_none());
    update(&mut app, key('a'));
    assert!(app.modals.add_assoc().is_none());
    let mut app = on_associations();
    update(&mut app, key('p'));
    update(&mut app, key('P'));
    assert!(app.confirm.is_none());
}
