//! Update tests of editing, drafts and confirmations: keys in, exact effects out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

use super::edit::Phase;
use super::{App, Effect, Focus, Msg, Portal, update};
use crate::app::detail::Tab;
use crate::domain::{
    HistoryValue, Pipeline, PropertyDef, PropertyOption, PropertyType, Stage, Ticket,
};
use crate::keymap::Keymap;
use crate::protocol::{Command, Event, Failure, ReqId};

fn t0() -> Timestamp {
    "2026-11-01T00:00:00Z".parse().unwrap()
}

fn def(
    name: &str,
    label: &str,
    kind: PropertyType,
    field_type: &str,
    options: &[&str],
) -> PropertyDef {
    PropertyDef {
        name: name.into(),
        label: label.into(),
        kind,
        field_type: field_type.into(),
        group_name: "ticketinformation".into(),
        description: String::new(),
        options: options
            .iter()
            .enumerate()
            .map(|(i, v)| PropertyOption {
                label: v.to_string(),
                value: v.to_string(),
                hidden: false,
                display_order: i as i32,
            })
            .collect(),
        display_order: 0,
        hidden: false,
        calculated: false,
        read_only_value: false,
        has_unique_value: false,
        hubspot_defined: true,
        referenced_object_type: None,
        duration: false,
    }
}

fn hv(value: &str, at: &str) -> HistoryValue {
    HistoryValue {
        value: value.into(),
        timestamp: at.parse().unwrap(),
        source_type: "CRM_UI".into(),
        source_id: None,
        source_label: None,
        updated_by_user_id: Some(9),
    }
}

fn ticket(priority: &str, modified: &str) -> Ticket {
    let mut history = BTreeMap::new();
    history.insert(
        "hs_ticket_priority".to_owned(),
        vec![
            hv(priority, "2026-10-02T00:00:00Z"),
            hv("LOW", "2026-10-01T00:00:00Z"),
        ],
    );
    Ticket {
        id: "1001".into(),
        properties: [
            ("subject", "プリンター"),
            ("hs_ticket_priority", priority),
            ("hs_pipeline", "0"),
            ("hs_pipeline_stage", "1"),
            ("hs_lastmodifieddate", modified),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        created_at: None,
        updated_at: None,
        archived: false,
        history: Some(history),
    }
}

fn api(fx: &[Effect]) -> Vec<&Command> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Api(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

/// An app whose catalogue, list and detail (ticket 1001, Properties on Priority) are loaded.
fn loaded() -> App {
    let mut app = App::new(Portal::default(), Keymap::default(), t0(), (160, 48));
    app.catalog.tz = jiff::tz::TimeZone::UTC;
    let fx = app.start();
    for c in api(&fx).into_iter().cloned().collect::<Vec<_>>() {
        let ev = match c {
            Command::LoadProperties { req } => Event::PropertiesLoaded {
                req,
                properties: vec![
                    def("subject", "Ticket name", PropertyType::String, "text", &[]),
                    def(
                        "hs_ticket_priority",
                        "Priority",
                        PropertyType::Enumeration,
                        "select",
                        &["LOW", "MEDIUM", "HIGH"],
                    ),
                    def(
                        "hs_pipeline",
                        "Pipeline",
                        PropertyType::Enumeration,
                        "select",
                        &[],
                    ),
                    def(
                        "hs_pipeline_stage",
                        "Ticket status",
                        PropertyType::Enumeration,
                        "select",
                        &[],
                    ),
                ],
                groups: vec![],
            },
            Command::LoadPipelines { req } => Event::PipelinesLoaded {
                req,
                pipelines: vec![Pipeline {
                    id: "0".into(),
                    label: "Support Pipeline".into(),
                    display_order: 0,
                    stages: vec![
                        Stage {
                            id: "1".into(),
                            label: "New".into(),
                            display_order: 0,
                            closed: false,
                        },
                        Stage {
                            id: "4".into(),
                            label: "Closed".into(),
                            display_order: 1,
                            closed: true,
                        },
                    ],
                }],
            },
            Command::LoadOwners { req } => Event::OwnersLoaded {
                req,
                owners: vec![],
            },
            Command::ListTickets { req, .. } => Event::TicketsListed {
                req,
                tickets: vec![ticket("HIGH", "2026-10-02T00:00:00Z")],
                next_after: None,
                total: None,
                capped: false,
            },
            other => panic!("unexpected start command {other:?}"),
        };
        update(&mut app, Msg::Worker(ev));
    }
    let fx = update(
        &mut app,
        Msg::Tick(t0() + jiff::SignedDuration::from_secs(1)),
    );
    let req = api(&fx)
        .iter()
        .find_map(|c| match c {
            Command::GetTicket { req, .. } => Some(*req),
            _ => None,
        })
        .expect("the detail is fetched once the selection rests");
    update(
        &mut app,
        Msg::Worker(Event::TicketFetched {
            req,
            ticket: ticket("HIGH", "2026-10-02T00:00:00Z"),
        }),
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.focus, Focus::Detail);
    // Rows: group heading, Ticket name, Pipeline, Ticket status, Priority.
    while app.selected_property().map(|p| p.0) != Some("hs_ticket_priority".into()) {
        key(&mut app, KeyCode::Char('j'));
    }
    app
}

fn failure(summary: &str) -> Failure {
    Failure {
        message: summary.into(),
        summary: summary.into(),
        status: Some(400),
        not_found: false,
        auth: false,
        missing_scopes: vec![],
        field_errors: vec![],
        outcome_unknown: false,
        ..Failure::default()
    }
}

fn check_req(fx: &[Effect]) -> ReqId {
    match api(fx).as_slice() {
        [Command::CheckTicket { req, .. }] => *req,
        other => panic!("expected one CheckTicket, got {other:?}"),
    }
}

fn update_req(fx: &[Effect]) -> (ReqId, BTreeMap<String, String>) {
    match api(fx).as_slice() {
        [
            Command::UpdateTicket {
                req, properties, ..
            },
        ] => (*req, properties.clone()),
        other => panic!("expected one UpdateTicket, got {other:?}"),
    }
}

#[test]
fn picking_a_priority_checks_then_patches_only_that_property() {
    let mut app = loaded();
    assert!(key(&mut app, KeyCode::Char('e')).is_empty());
    assert!(app.modals.form().is_some());
    // Type to filter, Enter picks and saves.
    let fx: Vec<Effect> = "med"
        .chars()
        .flat_map(|c| key(&mut app, KeyCode::Char(c)))
        .collect();
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::SaveDraft(d) if d.value == "MEDIUM")),
        "{fx:?}"
    );
    let fx = key(&mut app, KeyCode::Enter);
    let req = check_req(&fx);
    // Nobody changed it: the PATCH carries only the priority.
    let fx = update(
        &mut app,
        Msg::Worker(Event::TicketChecked {
            req,
            ticket: ticket("HIGH", "2026-10-02T00:00:00Z"),
        }),
    );
    let (req, props) = update_req(&fx);
    assert_eq!(
        props,
        BTreeMap::from([("hs_ticket_priority".to_owned(), "MEDIUM".to_owned())])
    );
    let fx = update(
        &mut app,
        Msg::Worker(Event::TicketUpdated {
            req,
            ticket: ticket("MEDIUM", "2026-11-01T00:00:00Z"),
        }),
    );
    assert!(app.modals.form().is_none());
    assert!(fx.contains(&Effect::DeleteDraft {
        ticket_id: "1001".into(),
        property: "hs_ticket_priority".into()
    }));
    assert!(
        api(&fx)
            .iter()
            .any(|c| matches!(c, Command::GetTicket { .. })),
        "detail re-read for its history"
    );
    assert_eq!(app.list.get("1001").unwrap().priority(), "MEDIUM");
}

#[test]
fn a_rejected_save_keeps_the_draft_and_shows_hubspots_message() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('e'));
    key(&mut app, KeyCode::Char('l'));
    let req = check_req(&key(&mut app, KeyCode::Enter));
    let (req, _) = update_req(&update(
        &mut app,
        Msg::Worker(Event::TicketChecked {
            req,
            ticket: ticket("HIGH", "2026-10-02T00:00:00Z"),
        }),
    ));
    let mut f = failure("HTTP 400 VALIDATION_ERROR: Property values were not valid");
    f.field_errors = vec![(
        "hs_ticket_priority".into(),
        "LOW was not one of the allowed options".into(),
    )];
    let fx = update(&mut app, Msg::Worker(Event::Failed { req, failure: f }));
    assert!(fx.is_empty(), "nothing re-sent: {fx:?}");
    let form = app.modals.form().expect("the form stays open");
    assert_eq!(form.phase, Phase::Editing);
    assert_eq!(
        form.error.as_deref(),
        Some("LOW was not one of the allowed options")
    );
    assert_eq!(
        form.draft_value().as_deref(),
        Some("LOW"),
        "the user's choice is kept"
    );
}

#[test]
fn an_unknown_outcome_is_never_resent() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('e'));
    key(&mut app, KeyCode::Char('l'));
    let req = check_req(&key(&mut app, KeyCode::Enter));
    let (req, _) = update_req(&update(
        &mut app,
        Msg::Worker(Event::TicketChecked {
            req,
            ticket: ticket("HIGH", "2026-10-02T00:00:00Z"),
        }),
    ));
    let mut f = failure("timed out");
    f.outcome_unknown = true;
    let fx = update(&mut app, Msg::Worker(Event::Failed { req, failure: f }));
    assert!(
        !api(&fx)
            .iter()
            .any(|c| matches!(c, Command::UpdateTicket { .. })),
        "{fx:?}"
    );
    assert!(
        api(&fx)
            .iter()
            .any(|c| matches!(c, Command::GetTicket { .. })),
        "the ticket is re-read"
    );
    assert!(
        app.modals
            .form()
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("did not confirm")
    );
}

#[test]
fn a_colleagues_change_is_shown_before_overwriting() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('e'));
    key(&mut app, KeyCode::Char('l'));
    let req = check_req(&key(&mut app, KeyCode::Enter));
    // Someone set it to MEDIUM after the form opened.
    let mut theirs = ticket("MEDIUM", "2026-10-20T00:00:00Z");
    theirs
        .history
        .as_mut()
        .unwrap()
        .get_mut("hs_ticket_priority")
        .unwrap()
        .insert(0, hv("MEDIUM", "2026-10-20T00:00:00Z"));
    let fx = update(
        &mut app,
        Msg::Worker(Event::TicketChecked {
            req,
            ticket: theirs,
        }),
    );
    assert!(api(&fx).is_empty(), "nothing sent before the user decides");
    let Phase::Conflict { changes, .. } = &app.modals.form().unwrap().phase else {
        panic!("conflict expected")
    };
    assert_eq!(changes.len(), 1);
    assert_eq!(
        (changes[0].property.as_str(), changes[0].new.as_str()),
        ("hs_ticket_priority", "MEDIUM")
    );
    // Keep editing, then save again: the check now compares with their change.
    assert!(key(&mut app, KeyCode::Char('k')).is_empty());
    assert_eq!(app.modals.form().unwrap().phase, Phase::Editing);
    let req = check_req(&key(&mut app, KeyCode::Enter));
    let mut theirs = ticket("MEDIUM", "2026-10-20T00:00:00Z");
    theirs
        .properties
        .insert("hs_lastmodifieddate".into(), "2026-10-21T00:00:00Z".into());
    update(
        &mut app,
        Msg::Worker(Event::TicketChecked {
            req,
            ticket: theirs,
        }),
    );
    assert!(matches!(
        app.modals.form().unwrap().phase,
        Phase::Conflict { .. }
    ));
    // Overwrite: exactly one PATCH.
    let (_, props) = update_req(&key(&mut app, KeyCode::Char('o')));
    assert_eq!(props["hs_ticket_priority"], "LOW");
}

#[test]
fn escape_with_changes_asks_and_discard_forgets_the_draft() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('e'));
    key(&mut app, KeyCode::Char('l'));
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    assert_eq!(app.modals.form().unwrap().phase, Phase::ConfirmDiscard);
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert_eq!(app.modals.form().unwrap().phase, Phase::Editing);
    key(&mut app, KeyCode::Esc);
    let fx = key(&mut app, KeyCode::Char('y'));
    assert!(app.modals.form().is_none());
    assert_eq!(
        fx,
        vec![Effect::DeleteDraft {
            ticket_id: "1001".into(),
            property: "hs_ticket_priority".into()
        }]
    );
    // Ctrl-c while editing quits and keeps the draft (no DeleteDraft).
    key(&mut app, KeyCode::Char('e'));
    key(&mut app, KeyCode::Char('m'));
    assert_eq!(ctrl(&mut app, 'c'), vec![Effect::Quit]);
}

#[test]
fn restoring_a_past_value_confirms_first_and_cancel_is_the_default() {
    let mut app = loaded();
    key(&mut app, KeyCode::Char('2'));
    assert_eq!(app.detail.tab, Tab::History);
    // The newest entry is the current value; the one below is LOW.
    key(&mut app, KeyCode::Char('j'));
    assert!(key(&mut app, KeyCode::Char('u')).is_empty());
    let dialog = app.confirm.as_ref().expect("a confirmation");
    assert_eq!(dialog.button, super::confirm::Button::Cancel);
    assert!(
        dialog.body().iter().any(|l| l.contains("HIGH"))
            && dialog.body().iter().any(|l| l.contains("LOW"))
    );
    // Declining emits nothing.
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.confirm.is_none());
    // Moving to the action button is not remembered by the next dialog; Enter on Cancel does nothing.
    key(&mut app, KeyCode::Char('u'));
    key(&mut app, KeyCode::Right);
    assert!(key(&mut app, KeyCode::Esc).is_empty());
    key(&mut app, KeyCode::Char('u'));
    assert_eq!(
        app.confirm.as_ref().unwrap().button,
        super::confirm::Button::Cancel
    );
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(app.confirm.is_none());
    // Confirming emits exactly one command.
    key(&mut app, KeyCode::Char('u'));
    let (_, props) = update_req(&key(&mut app, KeyCode::Char('y')));
    assert_eq!(
        props,
        BTreeMap::from([("hs_ticket_priority".to_owned(), "LOW".to_owned())])
    );
}

#[test]
fn calculated_properties_say_why_they_cannot_be_edited() {
    let mut app = loaded();
    let mut props = app.catalog.properties.clone();
    for p in &mut props {
        if p.name == "hs_ticket_priority" {
            p.calculated = true;
        }
    }
    let groups = app.catalog.groups.clone();
    app.catalog.set_properties(props, groups);
    key(&mut app, KeyCode::Char('e'));
    assert!(app.modals.form().is_none());
    assert!(app.toast.as_ref().unwrap().text.contains("calculated"));
}

#[test]
fn bulk_edit_sends_one_batch_and_retries_only_the_failed() {
    let mut app = loaded();
    // Two more tickets in the list, then mark all three.
    let mut t2 = ticket("LOW", "2026-10-02T00:00:00Z");
    t2.id = "1002".into();
    let mut t3 = ticket("LOW", "2026-10-02T00:00:00Z");
    t3.id = "1003".into();
    app.list.upsert(t2);
    app.list.upsert(t3);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Focus::List);
    key(&mut app, KeyCode::Char('V'));
    assert_eq!(app.list.marked().len(), 3);
    assert!(key(&mut app, KeyCode::Char('e')).is_empty());
    assert!(app.modals.chooser().is_some(), "choose the property first");
    for c in "prio".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.modals.form().unwrap().bulk.len(), 3);
    for c in "med".chars() {
        assert!(
            !key(&mut app, KeyCode::Char(c))
                .iter()
                .any(|e| matches!(e, Effect::SaveDraft(_))),
            "no drafts for bulk"
        );
    }
    // Nothing is sent before the confirmation: property, old values, new value, count.
    assert!(api(&key(&mut app, KeyCode::Enter)).is_empty());
    let dialog = app.confirm.as_ref().expect("a bulk edit asks first");
    assert_eq!(dialog.title(), "Set Priority on 3 tickets?");
    assert_eq!(dialog.button, super::confirm::Button::Cancel);
    let body = dialog.body().join("\n");
    assert!(body.contains("Priority now:  LOW ×2 · HIGH ×1"), "{body}");
    assert!(body.contains("will be:  MEDIUM"), "{body}");
    assert!(
        body.contains("3 tickets, in one batch: #1001, #1002, #1003"),
        "{body}"
    );
    // Declining sends nothing and leaves the form as it was.
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.confirm.is_none());
    assert_eq!(app.modals.form().unwrap().phase, Phase::Editing);
    key(&mut app, KeyCode::Enter);
    let fx = key(&mut app, KeyCode::Char('y'));
    let (req, ids) = match api(&fx).as_slice() {
        [
            Command::BatchUpdate {
                req,
                ids,
                properties,
            },
        ] => {
            assert_eq!(properties["hs_ticket_priority"], "MEDIUM");
            (*req, ids.clone())
        }
        other => panic!("expected one BatchUpdate, got {other:?}"),
    };
    assert_eq!(ids, ["1001", "1002", "1003"]);
    // 207: one failed.
    let mut ok1 = ticket("MEDIUM", "2026-11-01T00:00:00Z");
    ok1.history = None;
    let mut ok2 = ok1.clone();
    ok2.id = "1002".into();
    update(
        &mut app,
        Msg::Worker(Event::BatchUpdated {
            req,
            updated: vec![ok1, ok2],
            failed: vec![("1003".into(), "OBJECT_NOT_FOUND: not found".into())],
        }),
    );
    let Phase::BulkResult { written, failed } = &app.modals.form().unwrap().phase else {
        panic!("result expected")
    };
    assert_eq!((*written, failed.len()), (2, 1));
    assert_eq!(app.list.get("1002").unwrap().priority(), "MEDIUM");
    // r retries just the failed one, confirmed like any batch write.
    assert!(api(&key(&mut app, KeyCode::Char('r'))).is_empty());
    assert_eq!(
        app.confirm
            .as_ref()
            .map(super::confirm::Confirm::title)
            .as_deref(),
        Some("Set Priority on 1 ticket?")
    );
    match api(&key(&mut app, KeyCode::Char('y'))).as_slice() {
        [Command::BatchUpdate { ids, .. }] => assert_eq!(ids, &["1003"]),
        other => panic!("expected a retry of 1003, got {other:?}"),
    }
}

#[test]
fn batch_open_lists_exactly_those_tickets_and_reports_missing_values() {
    let mut app = loaded();
    key(&mut app, KeyCode::Esc);
    assert!(key(&mut app, KeyCode::Char('b')).is_empty());
    update(
        &mut app,
        Msg::Paste("EXT-000002, EXT-000123\nEXT-000002 EXT-999999".into()),
    );
    key(&mut app, KeyCode::Tab); // by the unique property rather than record ID
    let form = app.modals.batch_open().unwrap();
    assert_eq!(
        form.values(),
        ["EXT-000002", "EXT-000123", "EXT-999999"],
        "split and de-duplicated"
    );
    let fx = key(&mut app, KeyCode::Enter);
    let req = match api(&fx).as_slice() {
        [
            Command::ListTickets {
                req,
                source:
                    crate::protocol::ListSource::Batch {
                        values,
                        id_property,
                    },
                ..
            },
        ] => {
            assert_eq!(values.len(), 3);
            assert_eq!(
                id_property, &None,
                "no unique property in this catalogue: record ID"
            );
            *req
        }
        other => panic!("expected a batch list, got {other:?}"),
    };
    let mut a = ticket("LOW", "x");
    a.id = "1002".into();
    update(
        &mut app,
        Msg::Worker(Event::BatchOpened {
            req,
            tickets: vec![a],
            missing: vec!["EXT-999999".into()],
        }),
    );
    assert_eq!(app.list.len(), 1);
    assert_eq!(app.list.selected_id(), Some("1002"));
    let toast = app.toast.as_ref().unwrap();
    assert!(toast.text.contains("EXT-999999"), "{}", toast.text);
    // q goes back to all tickets before it quits.
    let fx = key(&mut app, KeyCode::Char('q'));
    assert!(matches!(
        api(&fx).as_slice(),
        [Command::ListTickets {
            source: crate::protocol::ListSource::All,
            ..
        }]
    ));
}

#[test]
fn batch_open_refuses_nothing_and_too_much() {
    let mut app = loaded();
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('b'));
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(app.modals.batch_open().unwrap().error.is_some());
    let many: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
    update(&mut app, Msg::Paste(many.join(" ")));
    assert!(key(&mut app, KeyCode::Enter).is_empty());
    assert!(
        app.modals
            .batch_open()
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("1000")
    );
}

#[test]
fn create_enforces_required_fields_searches_after_typing_rests_and_selects_the_new_ticket() {
    let mut app = loaded();
    key(&mut app, KeyCode::Esc);
    assert!(key(&mut app, KeyCode::Char('n')).is_empty());
    assert!(app.modals.create().is_some());
    // Nothing typed: Ctrl-s sends nothing and marks the subject.
    assert!(ctrl(&mut app, 's').is_empty());
    let form = app.modals.create().unwrap();
    assert!(form.error.as_deref().unwrap().contains("Ticket name"));
    assert_eq!(form.fields[0].error.as_deref(), Some("required"));
    for c in "電話: 請求書".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    // To the Associations field (after the last field).
    let n = app.modals.create().unwrap().fields.len();
    for _ in 0..n {
        key(&mut app, KeyCode::Tab);
    }
    assert!(app.modals.create().unwrap().on_associations());
    let mut sent = Vec::new();
    for (i, c) in "grace".chars().enumerate() {
        key(&mut app, KeyCode::Char(c));
        // Typing faster than the debounce: no search yet.
        let at = t0() + jiff::SignedDuration::from_millis(100 * (i as i64 + 1));
        sent.extend(update(&mut app, Msg::Tick(at)));
    }
    assert!(api(&sent).is_empty(), "no search while typing: {sent:?}");
    let fx = update(
        &mut app,
        Msg::Tick(t0() + jiff::SignedDuration::from_secs(5)),
    );
    let req = match api(&fx).as_slice() {
        [Command::SearchRecords { req, query }] => {
            assert_eq!(query, "grace");
            *req
        }
        other => panic!("expected one search, got {other:?}"),
    };
    let grace = crate::domain::Associated {
        kind: crate::domain::ObjectKind::Contact,
        id: "201".into(),
        title: "Grace Kim".into(),
        detail: "grace@example.jp".into(),
        types: vec![],
    };
    update(
        &mut app,
        Msg::Worker(Event::RecordsFound {
            req,
            items: vec![grace],
        }),
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.modals.create().unwrap().associations.len(), 1);
    let fx = ctrl(&mut app, 's');
    let req = match api(&fx).as_slice() {
        [
            Command::CreateTicket {
                req,
                properties,
                associations,
            },
        ] => {
            assert_eq!(properties["subject"], "電話: 請求書");
            assert_eq!(properties["hs_pipeline"], "0");
            assert_eq!(
                properties["hs_pipeline_stage"], "1",
                "the pipeline's first stage by default"
            );
            assert_eq!(
                associations,
                &[(crate::domain::ObjectKind::Contact, "201".to_owned())]
            );
            *req
        }
        other => panic!("expected one create, got {other:?}"),
    };
    // A timeout after sending: not re-sent, the form stays with a warning.
    let mut f = failure("timed out");
    f.outcome_unknown = true;
    assert!(update(&mut app, Msg::Worker(Event::Failed { req, failure: f })).is_empty());
    assert!(
        app.modals
            .create()
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("Not sent again")
    );
    // Sent again on purpose; it lands: the new ticket is selected in the list.
    let req = match api(&ctrl(&mut app, 's')).as_slice() {
        [Command::CreateTicket { req, .. }] => *req,
        other => panic!("{other:?}"),
    };
    let mut created = ticket("HIGH", "2026-11-01T00:00:00Z");
    created.id = "1501".into();
    update(
        &mut app,
        Msg::Worker(Event::TicketCreated {
            req,
            ticket: created,
        }),
    );
    assert!(app.modals.create().is_none());
    assert_eq!(app.list.selected_id(), Some("1501"));
}

#[test]
fn esc_clears_an_accepted_filter_but_never_quits_and_overlays_stop_scrolling_at_the_end() {
    let mut app = loaded();
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Focus::List);
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Char('x'));
    key(&mut app, KeyCode::Enter);
    assert!(app.filter.is_some() && app.list.is_filtered());
    assert!(
        key(&mut app, KeyCode::Esc)
            .iter()
            .all(|e| *e != Effect::Quit)
    );
    assert!(app.filter.is_none() && !app.list.is_filtered());
    assert!(
        key(&mut app, KeyCode::Esc).is_empty(),
        "nothing to undo: Esc does nothing"
    );
    // A long text in the reader scrolls until its last line is at the bottom, no further.
    let text: Vec<String> = (1..=200).map(|i| format!("line {i}")).collect();
    app.overlay = Some(super::Overlay::Reader(Box::new(
        super::reader::Reader::new("t".into(), text.join("\n"), String::new(), &app.areas),
    )));
    let last = 200 - app.areas.reader_rows();
    for _ in 0..300 {
        key(&mut app, KeyCode::Char('j'));
    }
    let scroll = |app: &App| match &app.overlay {
        Some(super::Overlay::Reader(r)) => r.scroll,
        _ => usize::MAX,
    };
    assert_eq!(scroll(&app), last);
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(scroll(&app), last - 1, "k comes back at once");
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(scroll(&app), 0);
}

#[test]
fn paste_goes_into_the_edit_form_whatever_the_input() {
    let mut app = loaded();
    // A choice: the paste narrows the options as typing would.
    key(&mut app, KeyCode::Char('e'));
    update(&mut app, Msg::Paste("med".into()));
    match &app.modals.form().unwrap().input {
        super::edit::Input::Choice(p) => assert_eq!(p.query, "med"),
        other => panic!("expected a picker, got {other:?}"),
    }
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('y'));
    // A one-line text: Japanese kept, line breaks as spaces, escape sequences dropped.
    while app.selected_property().map(|p| p.0) != Some("subject".into()) {
        key(&mut app, KeyCode::Char('k'));
    }
    key(&mut app, KeyCode::Char('e'));
    let form = app.modals.form_mut().unwrap();
    if let super::edit::Input::Text { area, .. } = &mut form.input {
        area.select_all();
        area.cut();
    }
    update(
        &mut app,
        Msg::Paste("印刷できない\r\nprinter \u{1b}[31mjam".into()),
    );
    assert_eq!(
        app.modals.form().unwrap().input.text().as_deref(),
        Some("印刷できない printer jam")
    );
}

#[test]
fn paste_into_a_multi_line_text_keeps_its_lines() {
    let mut input = super::edit::Input::Text {
        area: ratatui_textarea::TextArea::default(),
        multiline: true,
    };
    input.paste("一行目\r\nsecond line\rthird");
    assert_eq!(input.text().as_deref(), Some("一行目\nsecond line\nthird"));
}

#[test]
fn a_restored_draft_opens_its_own_ticket_and_the_next_edit_stays_on_it() {
    let mut app = loaded();
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.detail.ticket_id.as_deref(), Some("1001"));
    update(
        &mut app,
        Msg::DraftsFound(vec![crate::drafts::Draft {
            ticket_id: "1051".into(),
            property: "hs_ticket_priority".into(),
            value: "LOW".into(),
            opened_modified: "2026-10-02T00:00:00Z".into(),
            subject: "Refund".into(),
            label: "Priority".into(),
            kind: crate::drafts::DraftKind::Property,
        }]),
    );
    let fx = key(&mut app, KeyCode::Enter);
    let req = match api(&fx).as_slice() {
        [Command::CheckTicket { req, id, .. }] => {
            assert_eq!(id, "1051");
            *req
        }
        other => panic!("expected the draft's ticket to be read, got {other:?}"),
    };
    let mut other = ticket("HIGH", "2026-10-02T00:00:00Z");
    other.id = "1051".into();
    let fx = update(
        &mut app,
        Msg::Worker(Event::TicketChecked {
            req,
            ticket: other.clone(),
        }),
    );
    // The form, the detail and the status bar all name #1051; the detail is fetched for it.
    assert_eq!(app.modals.form().unwrap().ticket_id, "1051");
    assert_eq!(app.detail.ticket_id.as_deref(), Some("1051"));
    assert!(app.toast.as_ref().unwrap().text.contains("#1051"));
    let detail_req = api(&fx)
        .iter()
        .find_map(|c| match c {
            Command::GetTicket { req, id, .. } if id == "1051" => Some(*req),
            _ => None,
        })
        .expect("the detail shows the draft's ticket");
    // Saving writes #1051 ...
    let req = check_req(&ctrl(&mut app, 's'));
    let fx = update(
        &mut app,
        Msg::Worker(Event::TicketChecked {
            req,
            ticket: other.clone(),
        }),
    );
    let req = match api(&fx).as_slice() {
        [Command::UpdateTicket { req, id, .. }] => {
            assert_eq!(id, "1051");
            *req
        }
        other => panic!("expected one UpdateTicket, got {other:?}"),
    };
    let saved = ticket("LOW", "2026-11-01T00:00:00Z");
    let saved = Ticket {
        id: "1051".into(),
        ..saved
    };
    let fx = update(
        &mut app,
        Msg::Worker(Event::TicketUpdated {
            req,
            ticket: saved.clone(),
        }),
    );
    assert!(app.toast.as_ref().unwrap().text.contains("#1051"));
    let detail_req = api(&fx)
        .iter()
        .find_map(|c| match c {
            Command::GetTicket { req, id, .. } if id == "1051" => Some(*req),
            _ => None,
        })
        .unwrap_or(detail_req);
    update(
        &mut app,
        Msg::Worker(Event::TicketFetched {
            req: detail_req,
            ticket: saved,
        }),
    );
    // ... and the next `e` edits #1051 too, not the ticket shown before the draft.
    assert_eq!(app.detail.ticket_id.as_deref(), Some("1051"));
    key(&mut app, KeyCode::Char('e'));
    assert_eq!(app.modals.form().unwrap().ticket_id, "1051");
}

#[test]
fn f1_opens_help_over_every_modal_and_closing_it_leaves_the_modal_as_it_was() {
    let mut app = loaded();
    while app.selected_property().map(|p| p.0) != Some("subject".into()) {
        key(&mut app, KeyCode::Char('k'));
    }
    key(&mut app, KeyCode::Char('e'));
    // A text input keeps `?` as text; help's other key, F1, falls through to global.
    key(&mut app, KeyCode::Char('?'));
    assert_eq!(app.overlay, None, "? is typed, not help");
    let typed = app.modals.form().unwrap().input.text();
    assert!(
        typed.as_deref().is_some_and(|t| t.ends_with('?')),
        "{typed:?}"
    );
    key(&mut app, KeyCode::F(1));
    assert_eq!(app.overlay, Some(super::Overlay::Help { scroll: 0 }));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, None);
    assert_eq!(
        app.modals.form().unwrap().input.text(),
        typed,
        "the form is untouched"
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('y'));
    assert!(app.modals.form().is_none());
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.focus, Focus::List);
    // The create form, a picker, batch open and the filter line: each stays open under help.
    type IsOpen = fn(&App) -> bool;
    let modals: [(char, IsOpen); 4] = [
        ('n', |a| a.modals.create().is_some()),
        ('v', |a| a.modals.picker().is_some()),
        ('b', |a| a.modals.batch_open().is_some()),
        ('/', |a| a.filter.as_ref().is_some_and(|f| f.editing)),
    ];
    for (opener, is_open) in modals {
        key(&mut app, KeyCode::Char(opener));
        assert!(is_open(&app), "{opener} opens its modal");
        key(&mut app, KeyCode::F(1));
        assert_eq!(
            app.overlay,
            Some(super::Overlay::Help { scroll: 0 }),
            "F1 over {opener}"
        );
        key(&mut app, KeyCode::Esc);
        assert!(
            app.overlay.is_none() && is_open(&app),
            "Esc closed only the help over {opener}"
        );
        key(&mut app, KeyCode::Esc);
        assert!(!is_open(&app), "{opener}'s modal closes with Esc");
    }
}
