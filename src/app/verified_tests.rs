//! Update tests of writes whose answer was lost and which the worker verified by reading back
//! ([`Event::WriteVerified`]): each flow reacts as to the write's own answer, the status line
//! says how that is known and names the ticket, and nothing is ever sent again by itself.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;

use super::edit::Phase;
use super::tests::fixtures::*;
use super::{App, Effect, Focus, Level, Msg, update};
use crate::protocol::{Command, Event, Verdict};

const LOST: &str = "connection closed before message completed";

fn ev(app: &mut App, e: Event) -> Vec<Effect> {
    update(app, Msg::Worker(e))
}

fn verified(req: u64, tickets: &[&str], verdict: Verdict) -> Event {
    Event::WriteVerified {
        req,
        tickets: tickets.iter().map(|s| (*s).to_owned()).collect(),
        lost: LOST.into(),
        verdict,
    }
}

fn toast(app: &App) -> (String, Level) {
    let t = app.toast.as_ref().expect("a status message");
    (t.text.clone(), t.level)
}

/// Nothing among `fx` writes: a lost write is never sent again by itself.
fn sends_no_write(fx: &[Effect]) {
    for e in fx {
        if let Effect::Api(c) = e {
            assert!(c.written_tickets().is_empty(), "a write was sent: {c:?}");
        }
    }
}

// ---- delete -----------------------------------------------------------------------------------

/// Ten tickets, `D` `y` on 1002: the archive's request.
fn deleting_1002() -> (App, u64) {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    update(&mut app, key('D'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::ArchiveTicket { .. }));
    (app, req)
}

#[test]
fn a_delete_that_took_effect_removes_the_row_and_says_it_was_verified() {
    let (mut app, req) = deleting_1002();
    let fx = ev(
        &mut app,
        verified(
            req,
            &["1002"],
            Verdict::Answered(Box::new(Event::TicketArchived {
                req,
                id: "1002".into(),
            })),
        ),
    );
    sends_no_write(&fx);
    assert!(app.list.get("1002").is_none(), "the deleted row goes");
    assert_eq!(app.list.selected_id(), Some("1003"));
    assert_eq!(
        toast(&app),
        (
            "verified after a lost answer: ticket #1002 was deleted (in HubSpot's recycle bin \
             for 90 days)"
                .to_owned(),
            Level::Info
        )
    );
}

#[test]
fn a_delete_that_did_not_take_effect_keeps_the_row_and_can_be_tried_again() {
    let (mut app, req) = deleting_1002();
    let fx = ev(&mut app, verified(req, &["1002"], Verdict::NotApplied));
    sends_no_write(&fx);
    assert!(app.list.get("1002").is_some(), "the row stays");
    assert_eq!(
        toast(&app),
        (
            "verified after a lost answer: ticket #1002 was not deleted (D tries again)".to_owned(),
            Level::Error
        )
    );
    // Nothing is left waiting: D asks again.
    update(&mut app, key('D'));
    assert!(app.confirm.is_some());
}

#[test]
fn a_delete_whose_reading_back_failed_says_still_unknown_naming_the_ticket() {
    let (mut app, req) = deleting_1002();
    let fx = ev(
        &mut app,
        verified(
            req,
            &["1002"],
            Verdict::StillUnknown("HTTP 503: Service Unavailable".into()),
        ),
    );
    sends_no_write(&fx);
    assert!(app.list.get("1002").is_some());
    let (text, level) = toast(&app);
    assert_eq!(level, Level::Error);
    assert!(
        text.starts_with("outcome still unknown for ticket #1002"),
        "{text}"
    );
    assert!(text.contains(LOST) && text.contains("HTTP 503"), "{text}");
    assert!(!text.contains("not deleted"), "{text}");
}

#[test]
fn a_bulk_delete_partly_verified_removes_what_went_and_keeps_the_rest_marked() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    for _ in 0..3 {
        update(&mut app, key(' '));
    }
    update(&mut app, key('D'));
    type_text(&mut app, "3");
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::BatchArchive { .. }));
    let fx = ev(
        &mut app,
        verified(
            req,
            &["1002", "1003", "1004"],
            Verdict::Answered(Box::new(Event::BatchArchived {
                req,
                archived: vec!["1002".into(), "1003".into()],
                failed: vec![(
                    "1004".into(),
                    "not deleted (verified after HubSpot's answer was lost)".into(),
                )],
            })),
        ),
    );
    sends_no_write(&fx);
    assert!(app.list.get("1002").is_none() && app.list.get("1003").is_none());
    assert!(
        app.list.is_marked("1004"),
        "the one not deleted stays marked"
    );
    let (text, level) = toast(&app);
    assert_eq!(level, Level::Error);
    assert!(
        text.starts_with("verified after a lost answer: deleted 2; 1 failed (1004): not deleted"),
        "{text}"
    );
}

// ---- edit -------------------------------------------------------------------------------------

/// 1001's Priority (HIGH) set to LOW in the form and saved: the PATCH's request.
fn saving_low() -> (App, u64) {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.focus, Focus::Detail);
    while app.selected_property().map(|p| p.0) != Some("hs_ticket_priority".into()) {
        update(&mut app, key('j'));
    }
    update(&mut app, key('e'));
    type_text(&mut app, "low");
    let fx = update(&mut app, code(KeyCode::Enter));
    let req = req_of(&fx, |c| matches!(c, Command::CheckTicket { .. }));
    let fx = ev(
        &mut app,
        Event::TicketChecked {
            req,
            ticket: full_ticket(1001),
        },
    );
    let req = req_of(&fx, |c| matches!(c, Command::UpdateTicket { .. }));
    (app, req)
}

fn low_1001() -> crate::domain::Ticket {
    let mut t = full_ticket(1001);
    t.properties
        .insert("hs_ticket_priority".into(), "LOW".into());
    t.history = None;
    t
}

#[test]
fn an_edit_that_took_effect_shows_the_value_and_says_it_was_verified() {
    let (mut app, req) = saving_low();
    let fx = ev(
        &mut app,
        verified(
            req,
            &["1001"],
            Verdict::Answered(Box::new(Event::TicketUpdated {
                req,
                ticket: low_1001(),
            })),
        ),
    );
    sends_no_write(&fx);
    assert!(app.modals.form().is_none(), "saved: the form closes");
    assert_eq!(app.list.get("1001").unwrap().priority(), "LOW");
    assert!(fx.contains(&Effect::DeleteDraft {
        ticket_id: "1001".into(),
        property: "hs_ticket_priority".into()
    }));
    assert!(fx.iter().any(|e| matches!(e, Effect::Api(c) if is_get(c))));
    assert_eq!(
        toast(&app),
        (
            "verified after a lost answer: saved Priority on #1001".to_owned(),
            Level::Info
        )
    );
}

#[test]
fn an_edit_that_did_not_take_effect_stays_in_the_form_with_the_value() {
    let (mut app, req) = saving_low();
    let fx = ev(&mut app, verified(req, &["1001"], Verdict::NotApplied));
    sends_no_write(&fx);
    let form = app.modals.form().expect("the form stays open");
    assert_eq!(form.phase, Phase::Editing);
    assert_eq!(form.draft_value().as_deref(), Some("LOW"));
    let error = form.error.clone().unwrap();
    assert!(error.starts_with("not applied"), "{error}");
    assert!(error.contains(LOST), "{error}");
    assert_eq!(
        toast(&app),
        (
            "verified after a lost answer: ticket #1001 was not changed: your edit stays in the \
             form"
                .to_owned(),
            Level::Error
        )
    );
    assert_eq!(app.list.get("1001").unwrap().priority(), "HIGH");
    // Sending it again is the user's choice, through the usual check.
    let fx = update(&mut app, ctrl('s'));
    req_of(&fx, |c| matches!(c, Command::CheckTicket { .. }));
}

#[test]
fn an_edit_whose_reading_back_failed_keeps_the_form_and_rereads_the_ticket() {
    let (mut app, req) = saving_low();
    let fx = ev(
        &mut app,
        verified(req, &["1001"], Verdict::StillUnknown("timed out".into())),
    );
    sends_no_write(&fx);
    assert!(fx.iter().any(|e| matches!(e, Effect::Api(c) if is_get(c))));
    let form = app.modals.form().expect("the form stays open");
    assert_eq!(form.phase, Phase::Editing);
    assert_eq!(form.draft_value().as_deref(), Some("LOW"));
    let (text, level) = toast(&app);
    assert_eq!(level, Level::Error);
    assert!(
        text.starts_with("outcome still unknown for ticket #1001"),
        "{text}"
    );
}

#[test]
fn a_bulk_edit_verified_after_a_lost_answer_sets_the_rows() {
    let mut app = loaded(160, 48, 10, false);
    for _ in 0..3 {
        update(&mut app, key(' '));
    }
    update(&mut app, key('e'));
    type_text(&mut app, "prio");
    update(&mut app, code(KeyCode::Enter));
    type_text(&mut app, "med");
    update(&mut app, code(KeyCode::Enter));
    // The bulk confirmation first.
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::BatchUpdate { .. }));
    let updated: Vec<crate::domain::Ticket> = (1001..=1003)
        .map(|id| {
            let mut t = ticket(id);
            t.properties
                .insert("hs_ticket_priority".into(), "MEDIUM".into());
            t
        })
        .collect();
    let fx = ev(
        &mut app,
        verified(
            req,
            &["1001", "1002", "1003"],
            Verdict::Answered(Box::new(Event::BatchUpdated {
                req,
                updated,
                failed: Vec::new(),
            })),
        ),
    );
    sends_no_write(&fx);
    assert!(app.modals.form().is_none());
    for id in ["1001", "1002", "1003"] {
        assert_eq!(app.list.get(id).unwrap().priority(), "MEDIUM");
    }
    assert_eq!(
        toast(&app),
        (
            "verified after a lost answer: set Priority on 3 tickets".to_owned(),
            Level::Info
        )
    );
}

// ---- pin, associations ------------------------------------------------------------------------

#[test]
fn an_unpin_that_did_not_take_effect_says_so_and_waits_for_nothing_more() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, code(KeyCode::Enter));
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
    update(&mut app, key('P'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::UpdateTicket { .. }));
    let fx = ev(&mut app, verified(req, &["1001"], Verdict::NotApplied));
    sends_no_write(&fx);
    assert_eq!(
        toast(&app),
        (
            "verified after a lost answer: ticket #1001 was not changed".to_owned(),
            Level::Error
        )
    );
}

#[test]
fn a_removed_association_verified_reloads_the_tab() {
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
    update(&mut app, key('x'));
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, |c| matches!(c, Command::RemoveAssociation { .. }));
    let fx = ev(
        &mut app,
        verified(
            req,
            &["1001"],
            Verdict::Answered(Box::new(Event::AssociationChanged {
                req,
                ticket_id: "1001".into(),
            })),
        ),
    );
    sends_no_write(&fx);
    req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    assert_eq!(
        toast(&app),
        (
            "verified after a lost answer: associations updated on #1001".to_owned(),
            Level::Info
        )
    );
}

#[test]
fn a_verified_answer_nobody_waits_for_still_updates_the_row() {
    let mut app = loaded(160, 48, 10, false);
    let before = app.toast.clone();
    let fx = ev(
        &mut app,
        verified(
            999,
            &["1001"],
            Verdict::Answered(Box::new(Event::TicketUpdated {
                req: 999,
                ticket: low_1001(),
            })),
        ),
    );
    sends_no_write(&fx);
    assert_eq!(app.list.get("1001").unwrap().priority(), "LOW");
    assert_eq!(app.toast, before);
    // One that did not happen is still told.
    let fx = ev(&mut app, verified(998, &["1002"], Verdict::NotApplied));
    sends_no_write(&fx);
    assert_eq!(
        toast(&app),
        (
            "verified after a lost answer: ticket #1002 was not changed".to_owned(),
            Level::Error
        )
    );
}
