//! Update tests of merging (`M`): the dialog needs two marked tickets, shows them side by
//! side with their contacts, has Cancel preselected and merges nothing on a bare `y`; the
//! survivor chosen is HubSpot's primary; the answer puts the survivor (new ID) in the list
//! where the kept ticket was and drops the other.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;

use super::confirm::{Button, PendingOp};
use super::tests::fixtures::*;
use super::{App, Effect, Msg, update};
use crate::domain::{Customer, ObjectKind};
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

fn merge_cmd(fx: &[Effect]) -> Option<(String, String)> {
    fx.iter().find_map(|e| match e {
        Effect::Api(Command::MergeTickets { merge, .. }) => {
            Some((merge.primary.clone(), merge.merged.clone()))
        }
        _ => None,
    })
}

/// Ten tickets, 1002 and 1004 marked, `M` pressed; the contacts answered.
fn dialog() -> App {
    let mut app = loaded(160, 48, 10, false);
    // Space marks and moves on: 1002, then 1004.
    update(&mut app, key('j'));
    update(&mut app, code(KeyCode::Char(' ')));
    update(&mut app, key('j'));
    update(&mut app, code(KeyCode::Char(' ')));
    let fx = update(&mut app, key('M'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadCustomers { .. }));
    assert!(
        merge_cmd(&fx).is_none(),
        "opening the dialog merges nothing"
    );
    let contact = |id: &str, name: &str| crate::domain::Associated {
        kind: ObjectKind::Contact,
        id: id.into(),
        title: name.into(),
        detail: String::new(),
        types: Vec::new(),
    };
    ev(
        &mut app,
        Event::CustomersLoaded {
            req,
            customers: vec![
                Customer {
                    ticket_id: "1002".into(),
                    contact: Some(contact("201", "Jane Doe")),
                    company: None,
                },
                Customer {
                    ticket_id: "1004".into(),
                    contact: None,
                    company: None,
                },
            ],
        },
    );
    app
}

#[test]
fn merge_needs_two_marked_tickets() {
    let mut app = loaded(160, 48, 10, false);
    let fx = update(&mut app, key('M'));
    assert!(fx.is_empty());
    assert!(app.confirm.is_none());
    assert!(
        toast(&app).contains("mark two tickets (Space)"),
        "{}",
        toast(&app)
    );
}

#[test]
fn the_dialog_shows_both_side_by_side_with_cancel_selected() {
    let app = dialog();
    let d = app.confirm.as_ref().expect("the dialog is open");
    assert_eq!(d.button, Button::Cancel);
    let PendingOp::MergeTickets { sides } = &d.op else {
        panic!("{:?}", d.op)
    };
    assert_eq!(sides[0].id, "1002");
    assert_eq!(sides[1].id, "1004");
    assert_eq!(sides[0].contact.as_deref(), Some("Jane Doe"));
    assert_eq!(sides[1].contact.as_deref(), Some(""));
    let body = d.body().join("\n");
    assert!(body.contains("Login fails on SSO"), "{body}");
    assert!(body.contains("Jane Doe"), "{body}");
    assert!(body.contains("cannot be undone"), "{body}");
    assert_eq!(d.confirm_label(), "Keep #1002");
    assert_eq!(d.alternative_label().as_deref(), Some("Keep #1004"));
}

#[test]
fn a_bare_y_or_enter_on_cancel_merges_nothing() {
    let mut app = dialog();
    assert!(update(&mut app, key('y')).is_empty());
    assert!(
        app.confirm.is_some(),
        "y without a survivor chosen keeps asking"
    );
    assert!(update(&mut app, code(KeyCode::Enter)).is_empty());
    assert!(app.confirm.is_none(), "Enter on Cancel cancels");
    let mut app = dialog();
    assert!(update(&mut app, code(KeyCode::Esc)).is_empty());
    assert!(app.confirm.is_none());
}

#[test]
fn the_button_chosen_is_the_survivor() {
    let mut app = dialog();
    update(&mut app, code(KeyCode::Right));
    let fx = update(&mut app, key('y'));
    assert_eq!(merge_cmd(&fx), Some(("1002".into(), "1004".into())));

    let mut app = dialog();
    update(&mut app, code(KeyCode::Right));
    update(&mut app, code(KeyCode::Right));
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Alternative);
    update(&mut app, code(KeyCode::Right));
    assert_eq!(app.confirm.as_ref().unwrap().button, Button::Alternative);
    let fx = update(&mut app, code(KeyCode::Enter));
    assert_eq!(merge_cmd(&fx), Some(("1004".into(), "1002".into())));
}

#[test]
fn the_survivor_takes_the_kept_row_under_its_new_id_and_the_other_goes() {
    let mut app = dialog();
    update(&mut app, code(KeyCode::Right));
    update(&mut app, code(KeyCode::Right));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::MergeTickets { .. }));
    let mut survivor = ticket(1004);
    survivor.id = "2001".into();
    let fx = ev(
        &mut app,
        Event::TicketsMerged {
            req,
            primary: "1004".into(),
            merged: "1002".into(),
            survivor,
        },
    );
    let ids: Vec<&str> = app.list.tickets().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "1001", "1003", "2001", "1005", "1006", "1007", "1008", "1009", "1010"
        ]
    );
    assert_eq!(app.list.selected_id(), Some("2001"));
    assert!(app.list.marked().is_empty());
    assert!(
        toast(&app).contains("merged #1002 into #1004, now #2001"),
        "{}",
        toast(&app)
    );
    // The detail follows the survivor.
    assert!(fx.is_empty(), "fetched once the selection rests: {fx:?}");
    assert_eq!(app.detail.ticket_id.as_deref(), Some("2001"));
}

#[test]
fn a_refused_merge_says_why_and_keeps_both() {
    let mut app = dialog();
    update(&mut app, code(KeyCode::Right));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::MergeTickets { .. }));
    ev(
        &mut app,
        Event::Failed {
            req,
            failure: crate::protocol::Failure {
                summary: "TICKET 1004 does not exist".into(),
                message: "TICKET 1004 does not exist".into(),
                ..crate::protocol::Failure::default()
            },
        },
    );
    assert!(toast(&app).starts_with("not merged: "), "{}", toast(&app));
    assert_eq!(app.list.tickets().len(), 10);
}
