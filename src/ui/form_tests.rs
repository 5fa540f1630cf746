//! Snapshots of the edit modal for each input type and of the other modals (conflict view,
//! discard confirmation, bulk result, bulk property chooser, create form, batch open,
//! confirmation dialog, draft offer), each at 80×24 and 120×40. The app behind them is loaded
//! through `update` with worker answers, as at runtime; time and time zone are fixed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyModifiers};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::confirm::{Confirm, PendingOp};
use crate::app::edit::{EditForm, Phase};
use crate::app::{App, Effect, Msg, Portal, update};
use crate::domain::{
    HistoryEntry, Owner, Pipeline, PropertyDef, PropertyGroup, PropertyOption, PropertyType, Stage,
    Ticket,
};
use crate::keymap::Keymap;
use crate::protocol::{Command, Event};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn t0() -> Timestamp {
    "2026-11-01T09:00:00Z".parse().unwrap()
}

fn def(name: &str, label: &str, kind: PropertyType, field_type: &str) -> PropertyDef {
    PropertyDef {
        name: name.into(),
        label: label.into(),
        kind,
        field_type: field_type.into(),
        group_name: "ticketinformation".into(),
        description: String::new(),
        options: Vec::new(),
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

fn with_options(mut d: PropertyDef, options: &[(&str, &str)]) -> PropertyDef {
    d.options = options
        .iter()
        .enumerate()
        .map(|(i, (value, label))| PropertyOption {
            label: (*label).into(),
            value: (*value).into(),
            hidden: false,
            display_order: i32::try_from(i).unwrap(),
        })
        .collect();
    d
}

fn properties() -> Vec<PropertyDef> {
    let mut owner = def(
        "hubspot_owner_id",
        "Ticket owner",
        PropertyType::Enumeration,
        "select",
    );
    owner.referenced_object_type = Some("OWNER".into());
    let mut unique = def(
        "external_ticket_ref",
        "External ticket reference",
        PropertyType::String,
        "text",
    );
    unique.has_unique_value = true;
    vec![
        def("subject", "Ticket name", PropertyType::String, "text"),
        def(
            "content",
            "Ticket description",
            PropertyType::String,
            "textarea",
        ),
        def(
            "hs_pipeline",
            "Pipeline",
            PropertyType::Enumeration,
            "select",
        ),
        def(
            "hs_pipeline_stage",
            "Ticket status",
            PropertyType::Enumeration,
            "select",
        ),
        with_options(
            def(
                "hs_ticket_priority",
                "Priority",
                PropertyType::Enumeration,
                "select",
            ),
            &[
                ("LOW", "Low"),
                ("MEDIUM", "Medium"),
                ("HIGH", "High"),
                ("URGENT", "Urgent"),
            ],
        ),
        with_options(
            def(
                "hs_ticket_category",
                "Category",
                PropertyType::Enumeration,
                "checkbox",
            ),
            &[
                ("PRODUCT_ISSUE", "Product issue"),
                ("BILLING_ISSUE", "Billing issue"),
                ("FEATURE_REQUEST", "Feature request"),
                ("GENERAL_INQUIRY", "General inquiry"),
            ],
        ),
        owner,
        def(
            "affected_users",
            "Affected users",
            PropertyType::Number,
            "number",
        ),
        def("sla_due_date", "SLA due date", PropertyType::Date, "date"),
        def("closed_date", "Close date", PropertyType::DateTime, "date"),
        def(
            "vip_customer",
            "VIP customer",
            PropertyType::Bool,
            "booleancheckbox",
        ),
        unique,
    ]
}

fn stage(id: &str, label: &str, closed: bool) -> Stage {
    Stage {
        id: id.into(),
        label: label.into(),
        display_order: id.parse().unwrap_or(0),
        closed,
    }
}

fn pipelines() -> Vec<Pipeline> {
    vec![
        Pipeline {
            id: "0".into(),
            label: "Support Pipeline".into(),
            display_order: 0,
            stages: vec![
                stage("1", "New", false),
                stage("2", "Waiting on contact", false),
                stage("3", "Waiting on us", false),
                stage("4", "Closed", true),
            ],
        },
        Pipeline {
            id: "7458291".into(),
            label: "Escalations".into(),
            display_order: 1,
            stages: vec![stage("7458292", "Triage", false)],
        },
    ]
}

fn owners() -> Vec<Owner> {
    [
        ("11", "Aiko", "Tanaka", 9001),
        ("12", "Bob", "Martinez", 9002),
    ]
    .into_iter()
    .map(|(id, first, last, user)| Owner {
        id: id.into(),
        first_name: first.into(),
        last_name: last.into(),
        email: format!("{}@example.com", first.to_lowercase()),
        user_id: Some(user),
        archived: false,
    })
    .collect()
}

fn ticket(id: &str, subject: &str, priority: &str) -> Ticket {
    let properties: BTreeMap<String, String> = [
        ("subject", subject),
        (
            "content",
            "オフィスのプリンターから煙が出ています。\nPlease send help.",
        ),
        ("hs_pipeline", "0"),
        ("hs_pipeline_stage", "1"),
        ("hs_ticket_priority", priority),
        ("hs_ticket_category", "PRODUCT_ISSUE;BILLING_ISSUE"),
        ("hubspot_owner_id", "11"),
        ("affected_users", "42"),
        ("sla_due_date", "2026-12-01"),
        ("closed_date", "2026-10-30T14:05:09.123Z"),
        ("vip_customer", "true"),
        ("external_ticket_ref", "EXT-000001"),
        ("hs_lastmodifieddate", "2026-10-31T08:00:00Z"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    Ticket {
        id: id.into(),
        properties,
        created_at: None,
        updated_at: None,
        archived: false,
        history: None,
    }
}

fn tickets() -> Vec<Ticket> {
    vec![
        ticket("1001", "プリンターが燃えている", "HIGH"),
        ticket("1002", "Login fails on SSO", "LOW"),
        ticket("1003", "Refund not received", "MEDIUM"),
    ]
}

/// An app of `size` with the catalogue, the list and ticket 1001's detail loaded.
fn loaded(size: (u16, u16)) -> App {
    let mut app = App::new(Portal::default(), Keymap::default(), t0(), size);
    app.catalog.tz = jiff::tz::TimeZone::UTC;
    app.color = false;
    let fx = app.start();
    let commands: Vec<Command> = fx
        .into_iter()
        .filter_map(|e| match e {
            Effect::Api(c) => Some(c),
            _ => None,
        })
        .collect();
    for c in commands {
        let ev = match c {
            Command::LoadProperties { req } => Event::PropertiesLoaded {
                req,
                properties: properties(),
                groups: vec![PropertyGroup {
                    name: "ticketinformation".into(),
                    label: "Ticket information".into(),
                    display_order: 0,
                }],
            },
            Command::LoadPipelines { req } => Event::PipelinesLoaded {
                req,
                pipelines: pipelines(),
            },
            Command::LoadOwners { req } => Event::OwnersLoaded {
                req,
                owners: owners(),
            },
            Command::ListTickets { req, .. } => Event::TicketsListed {
                req,
                tickets: tickets(),
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
    for e in fx {
        if let Effect::Api(Command::GetTicket { req, .. }) = e {
            update(
                &mut app,
                Msg::Worker(Event::TicketFetched {
                    req,
                    ticket: ticket("1001", "プリンターが燃えている", "HIGH"),
                }),
            );
        }
    }
    app
}

use super::buffer_text;

fn screen(app: &App, (w, h): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| crate::ui::draw(f, app)).unwrap();
    buffer_text(terminal.backend().buffer())
}

/// Snapshots the app as `setup` leaves it, at both sizes.
fn snap(name: &str, setup: impl Fn(&mut App)) {
    for size in SIZES {
        let mut app = loaded(size);
        setup(&mut app);
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen(&app, size));
    }
}

fn editor(app: &mut App, property: &str) -> EditForm {
    let def = app.catalog.property(property).unwrap().clone();
    let t = ticket("1001", "プリンターが燃えている", "HIGH");
    EditForm::open(&app.catalog, &t, &def).unwrap()
}

#[test]
fn edit_single_line_text() {
    snap("edit_text", |app| {
        let modal = editor(app, "subject");
        app.modals.open(modal)
    });
}

#[test]
fn edit_textarea() {
    snap("edit_textarea", |app| {
        let modal = editor(app, "content");
        app.modals.open(modal)
    });
}

#[test]
fn edit_number_with_a_local_error() {
    snap("edit_number_error", |app| {
        let mut f = editor(app, "affected_users");
        f.input = crate::app::edit::Input::Number(ratatui_textarea::TextArea::new(vec![
            "1e999".to_owned(),
        ]));
        f.error = Some("\"1e999\" is not a number".into());
        app.modals.open(f);
    });
}

#[test]
fn edit_date() {
    snap("edit_date", |app| {
        let modal = editor(app, "sla_due_date");
        app.modals.open(modal)
    });
}

#[test]
fn edit_date_time() {
    snap("edit_datetime", |app| {
        let modal = editor(app, "closed_date");
        app.modals.open(modal)
    });
}

#[test]
fn edit_bool() {
    snap("edit_bool", |app| {
        let modal = editor(app, "vip_customer");
        app.modals.open(modal)
    });
}

#[test]
fn edit_select() {
    snap("edit_select", |app| {
        {
            let modal = editor(app, "hs_ticket_priority");
            app.modals.open(modal)
        };
    });
}

#[test]
fn edit_multi_select() {
    snap("edit_multi", |app| {
        {
            let modal = editor(app, "hs_ticket_category");
            app.modals.open(modal)
        };
    });
}

#[test]
fn edit_owner() {
    snap("edit_owner", |app| {
        {
            let modal = editor(app, "hubspot_owner_id");
            app.modals.open(modal)
        };
    });
}

#[test]
fn edit_stage() {
    snap("edit_stage", |app| {
        {
            let modal = editor(app, "hs_pipeline_stage");
            app.modals.open(modal)
        };
    });
}

#[test]
fn edit_with_hubspots_field_error() {
    snap("edit_hubspot_error", |app| {
        // HubSpot's refusal as the client parses it, through the app as the worker sends it.
        let mut f = editor(app, "external_ticket_ref");
        f.phase = Phase::Saving(77);
        app.modals.open(f);
        let refused = crate::hubspot::ApiError::Http(Box::new(crate::hubspot::HttpError {
            status: 409,
            category: Some("CONFLICT".into()),
            message: "A ticket with external_ticket_ref \"EXT-000002\" already exists. \
                      Existing ID: 1002"
                .into(),
            correlation_id: Some("8c1f2a9e-0b7d-4c1e-9a51-3f1b8e0c2d44".into()),
            ..Default::default()
        }));
        update(
            app,
            Msg::Worker(Event::Failed {
                req: 77,
                failure: crate::protocol::Failure::from_api(&refused),
            }),
        );
    });
}

#[test]
fn edit_saving() {
    snap("edit_saving", |app| {
        let mut f = editor(app, "subject");
        f.phase = Phase::Saving(7);
        app.modals.open(f);
    });
}

#[test]
fn conflict_view() {
    snap("conflict", |app| {
        let mut f = editor(app, "subject");
        f.phase = Phase::Conflict {
            changes: vec![
                HistoryEntry {
                    property: "hs_ticket_priority".into(),
                    old: Some("HIGH".into()),
                    new: "URGENT".into(),
                    timestamp: "2026-10-31T08:30:00Z".parse().unwrap(),
                    source_type: "CRM_UI".into(),
                    source_id: None,
                    source_label: None,
                    updated_by_user_id: Some(9002),
                },
                HistoryEntry {
                    property: "hs_pipeline_stage".into(),
                    old: Some("1".into()),
                    new: "3".into(),
                    timestamp: "2026-10-31T08:31:00Z".parse().unwrap(),
                    source_type: "INTEGRATION".into(),
                    source_id: Some("123".into()),
                    source_label: Some("Zendesk sync".into()),
                    updated_by_user_id: None,
                },
            ],
            latest_modified: "2026-10-31T08:31:00Z".into(),
        };
        app.modals.open(f);
    });
}

#[test]
fn discard_confirmation() {
    snap("discard", |app| {
        let mut f = editor(app, "subject");
        f.phase = Phase::ConfirmDiscard;
        app.modals.open(f);
    });
}

fn bulk(app: &App) -> EditForm {
    let def = app.catalog.property("hs_ticket_priority").unwrap().clone();
    let t = ticket("1001", "プリンターが燃えている", "HIGH");
    EditForm::open_bulk(
        &app.catalog,
        &t,
        &def,
        vec!["1001".into(), "1002".into(), "1003".into()],
    )
    .unwrap()
}

#[test]
fn bulk_editor() {
    snap("bulk_editor", |app| {
        let modal = bulk(app);
        app.modals.open(modal)
    });
}

#[test]
fn bulk_result_with_failures() {
    snap("bulk_result", |app| {
        let mut f = bulk(app);
        f.phase = Phase::BulkResult {
            written: 1,
            failed: vec![
                (
                    "1002".into(),
                    "VALIDATION_ERROR: URGENTE was not one of the allowed options".into(),
                ),
                (
                    "1003".into(),
                    "HTTP 429 rate limited (TEN_SECONDLY_ROLLING)".into(),
                ),
            ],
        };
        app.modals.open(f);
    });
}

#[test]
fn bulk_property_chooser() {
    snap("bulk_chooser", |app| {
        for _ in 0..3 {
            update(
                app,
                Msg::Key(crossterm::event::KeyEvent::new(
                    crossterm::event::KeyCode::Char(' '),
                    crossterm::event::KeyModifiers::NONE,
                )),
            );
        }
        update(
            app,
            Msg::Key(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Char('e'),
                crossterm::event::KeyModifiers::NONE,
            )),
        );
        assert!(app.modals.chooser().is_some());
    });
}

#[test]
fn create_form() {
    snap("create", |app| {
        {
            let modal = crate::app::create::CreateForm::new(app).unwrap();
            app.modals.open(modal)
        };
    });
}

#[test]
fn create_form_asks_before_discarding() {
    snap("create_discard", |app| {
        {
            let modal = crate::app::create::CreateForm::new(app).unwrap();
            app.modals.open(modal)
        };
        let key = |c| Msg::Key(crossterm::event::KeyEvent::from(c));
        for c in "Scanner jams".chars() {
            update(app, key(crossterm::event::KeyCode::Char(c)));
        }
        update(app, key(crossterm::event::KeyCode::Esc));
        assert!(app.modals.create().unwrap().confirm_discard);
    });
}

#[test]
fn batch_open_modal() {
    snap("batch_open", |app| {
        let mut b = crate::app::batch_open::BatchOpenForm::new(app);
        b.area.insert_str("1001 1002\n1999");
        app.modals.open(b);
    });
}

#[test]
fn confirmation_dialog() {
    snap("confirm_restore", |app| {
        app.confirm = Some(Confirm::new(PendingOp::RestoreValue {
            ticket_id: "1001".into(),
            subject: "プリンターが燃えている".into(),
            property: "hs_ticket_priority".into(),
            label: "Priority".into(),
            current: "HIGH".into(),
            restored: "LOW".into(),
            current_shown: "High".into(),
            restored_shown: "Low".into(),
        }));
    });
}

#[test]
fn draft_offer() {
    snap("draft_offer", |app| {
        app.drafts = vec![
            crate::drafts::Draft {
                ticket_id: "1001".into(),
                property: "subject".into(),
                value: "プリンターが燃えている (draft)".into(),
                opened_modified: "2026-10-31T08:00:00Z".into(),
                subject: "プリンターが燃えている".into(),
                label: "Ticket name".into(),
                kind: crate::drafts::DraftKind::Property,
            },
            crate::drafts::Draft {
                ticket_id: "1002".into(),
                property: "hs_ticket_priority".into(),
                value: "URGENT".into(),
                opened_modified: "2026-10-31T08:00:00Z".into(),
                subject: "Login fails on SSO".into(),
                label: "Priority".into(),
                kind: crate::drafts::DraftKind::Property,
            },
        ];
    });
}

#[test]
fn a_rebound_save_key_is_what_the_footer_and_help_show_and_what_saves() {
    let size = (120, 40);
    let mut app = loaded(size);
    app.keymap = Keymap::from_config("[keys.form]\nsave = \"Ctrl-g\"\n", "config.toml").unwrap();
    {
        let modal = editor(&mut app, "content");
        app.modals.open(modal)
    };
    let s = screen(&app, size);
    assert!(s.contains("Ctrl-g save"), "{s}");
    assert!(!s.contains("Ctrl-s"), "{s}");
    // Typing, then the new key saves (the check for a colleague's change goes first).
    let key =
        |c: char, m: KeyModifiers| Msg::Key(crossterm::event::KeyEvent::new(KeyCode::Char(c), m));
    update(&mut app, key('x', KeyModifiers::NONE));
    assert!(
        update(&mut app, key('s', KeyModifiers::CONTROL)).is_empty(),
        "Ctrl-s no longer saves"
    );
    let fx = update(&mut app, key('g', KeyModifiers::CONTROL));
    assert!(
        matches!(fx.as_slice(), [Effect::Api(Command::CheckTicket { .. })]),
        "{fx:?}"
    );
    // `?` lists the binding in force.
    app.modals.close_form();
    update(&mut app, key('?', KeyModifiers::NONE));
    let mut terminal = Terminal::new(TestBackend::new(120, 200)).unwrap();
    terminal.draw(|f| crate::ui::draw(f, &app)).unwrap();
    let help = buffer_text(terminal.backend().buffer());
    assert!(help.contains("Ctrl-g"), "{help}");
}
