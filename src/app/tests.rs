//! Unit tests of `update`: pure state transitions and the exact effects they ask for. No
//! terminal, no server, no clock: time moves only with `Msg::Tick`.
//!
//! [`fixtures`] is shared with the render tests (`ui/tests.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;
use jiff::SignedDuration;

use super::detail::{Loadable, Tab};
use super::*;
use crate::domain::Ticket;
use crate::protocol::{Command, Event, ListSource};
use fixtures::*;

/// Domain data and builders shared by the update and render tests.
pub(crate) mod fixtures {
    use std::collections::BTreeMap;

    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use jiff::{SignedDuration, Timestamp};

    use crate::app::detail::ReqId;
    use crate::app::{App, Effect, Msg, Portal, update};
    use crate::domain::{
        Activity, Associated, AssociationType, HistoryValue, ObjectKind, Owner, Pipeline,
        PropertyDef, PropertyGroup, PropertyOption, PropertyType, Stage, Ticket,
    };
    use crate::keymap::Keymap;
    use crate::protocol::{Command, Event, Failure};

    /// The fixed "now" of every test.
    pub fn t0() -> Timestamp {
        "2026-03-02T09:00:00Z".parse().unwrap()
    }

    pub fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    pub fn def(name: &str, label: &str, kind: PropertyType, order: i32) -> PropertyDef {
        PropertyDef {
            name: name.into(),
            label: label.into(),
            kind,
            field_type: "text".into(),
            group_name: "ticketinformation".into(),
            description: String::new(),
            options: Vec::new(),
            display_order: order,
            hidden: false,
            calculated: false,
            read_only_value: false,
            has_unique_value: false,
            hubspot_defined: true,
            referenced_object_type: None,
            duration: false,
        }
    }

    fn opt(value: &str, label: &str, order: i32) -> PropertyOption {
        PropertyOption {
            label: label.into(),
            value: value.into(),
            hidden: false,
            display_order: order,
        }
    }

    pub fn properties() -> Vec<PropertyDef> {
        let mut priority = def(
            "hs_ticket_priority",
            "Priority",
            PropertyType::Enumeration,
            4,
        );
        priority.options = vec![
            opt("LOW", "Low", 0),
            opt("MEDIUM", "Medium", 1),
            opt("HIGH", "High", 2),
            opt("URGENT", "Urgent", 3),
        ];
        let mut owner = def(
            "hubspot_owner_id",
            "Ticket owner",
            PropertyType::Enumeration,
            5,
        );
        owner.referenced_object_type = Some("OWNER".into());
        let mut category = def(
            "hs_ticket_category",
            "Category",
            PropertyType::Enumeration,
            6,
        );
        category.options = vec![
            opt("PRODUCT_ISSUE", "Product issue", 0),
            opt("BILLING_ISSUE", "Billing issue", 1),
        ];
        let mut modified = def(
            "hs_lastmodifieddate",
            "Last modified date",
            PropertyType::DateTime,
            8,
        );
        modified.group_name = "system".into();
        let mut created = def("createdate", "Create date", PropertyType::DateTime, 7);
        created.group_name = "system".into();
        let mut pinned = def(
            "hs_pinned_engagement_id",
            "Pinned engagement ID",
            PropertyType::Number,
            9,
        );
        pinned.hidden = true;
        vec![
            def("subject", "Ticket name", PropertyType::String, 0),
            def("content", "Ticket description", PropertyType::String, 1),
            def("hs_pipeline", "Pipeline", PropertyType::Enumeration, 2),
            def(
                "hs_pipeline_stage",
                "Ticket status",
                PropertyType::Enumeration,
                3,
            ),
            priority,
            owner,
            category,
            created,
            modified,
            pinned,
        ]
    }

    pub fn groups() -> Vec<PropertyGroup> {
        vec![
            PropertyGroup {
                name: "ticketinformation".into(),
                label: "Ticket information".into(),
                display_order: 0,
            },
            PropertyGroup {
                name: "system".into(),
                label: "System".into(),
                display_order: 1,
            },
        ]
    }

    fn stage(id: &str, label: &str, order: i32, closed: bool) -> Stage {
        Stage {
            id: id.into(),
            label: label.into(),
            display_order: order,
            closed,
        }
    }

    pub fn pipelines() -> Vec<Pipeline> {
        vec![
            Pipeline {
                id: "0".into(),
                label: "Support Pipeline".into(),
                display_order: 0,
                stages: vec![
                    stage("1", "New", 0, false),
                    stage("2", "Waiting on contact", 1, false),
                    stage("3", "Waiting on us", 2, false),
                    stage("4", "Closed", 3, true),
                ],
            },
            Pipeline {
                id: "7458291".into(),
                label: "Escalations".into(),
                display_order: 1,
                stages: vec![
                    stage("7458292", "Triage", 0, false),
                    stage("7458293", "Engineering investigating", 1, false),
                ],
            },
        ]
    }

    pub fn owners() -> Vec<Owner> {
        let o = |id: &str, first: &str, last: &str, user: i64| Owner {
            id: id.into(),
            first_name: first.into(),
            last_name: last.into(),
            email: format!("{}@example.com", first.to_lowercase()),
            user_id: Some(user),
            archived: false,
        };
        vec![
            o("11", "Aiko", "Tanaka", 9),
            o("12", "Ben", "Carter", 10),
            o("13", "Chloé", "Martin", 11),
        ]
    }

    /// Subjects of the fixture tickets 1001..; the rest are generic.
    pub fn subject(id: u32) -> String {
        match id {
            1001 => "プリンターが燃えている".into(),
            1002 => "Login fails on SSO".into(),
            1003 => "Invoice shows the wrong VAT rate".into(),
            1004 => "Hostile \u{1b}[2J\u{1b}]0;pwned\u{7} 🔥 subject\u{8}\r\n".into(),
            n => format!("Customer question number {n}"),
        }
    }

    /// A list row (no history), like the list API answers.
    pub fn ticket(id: u32) -> Ticket {
        let mut p = BTreeMap::new();
        let escalated = id % 7 == 6;
        p.insert("subject".into(), subject(id));
        p.insert(
            "hs_pipeline".into(),
            if escalated { "7458291" } else { "0" }.into(),
        );
        p.insert(
            "hs_pipeline_stage".into(),
            if escalated {
                "7458292".into()
            } else {
                ["1", "2", "3", "4"][(id % 4) as usize].to_owned()
            },
        );
        p.insert(
            "hs_ticket_priority".into(),
            if id == 1001 {
                "HIGH".to_owned()
            } else {
                ["LOW", "MEDIUM", "HIGH", "URGENT"][(id % 4) as usize].to_owned()
            },
        );
        p.insert(
            "hubspot_owner_id".into(),
            ["11", "12", "13"][(id % 3) as usize].into(),
        );
        p.insert(
            "hs_lastmodifieddate".into(),
            format!("2026-02-{:02}T10:{:02}:00Z", 1 + id % 28, id % 60),
        );
        p.insert("createdate".into(), "2026-01-15T08:30:00Z".into());
        if id == 1001 {
            p.insert("hs_pinned_engagement_id".into(), "5001".into());
        }
        Ticket {
            id: id.to_string(),
            properties: p,
            created_at: Some(ts("2026-01-15T08:30:00Z")),
            updated_at: Some(ts("2026-02-20T12:00:00Z")),
            archived: false,
            history: None,
        }
    }

    pub fn tickets(ids: std::ops::RangeInclusive<u32>) -> Vec<Ticket> {
        ids.map(ticket).collect()
    }

    fn hv(value: &str, at: &str, source: &str, user: Option<i64>) -> HistoryValue {
        HistoryValue {
            value: value.into(),
            timestamp: ts(at),
            source_type: source.into(),
            source_id: None,
            source_label: None,
            updated_by_user_id: user,
        }
    }

    /// The full ticket (every property, with history), like `GetTicket` answers.
    pub fn full_ticket(id: u32) -> Ticket {
        let mut t = ticket(id);
        t.properties.insert(
            "content".into(),
            if id == 1001 {
                "3階のプリンターから煙が出ています。至急対応をお願いします。".into()
            } else if id == 1004 {
                "body \u{1b}[31mred\u{1b}[0m and \u{1b}]52;c;AAAA\u{7} clipboard".into()
            } else {
                "A customer wrote in.".into()
            },
        );
        let mut h = BTreeMap::new();
        h.insert(
            "hs_pipeline_stage".to_owned(),
            vec![
                hv(t.stage(), "2026-02-03T10:00:00Z", "CRM_UI", Some(9)),
                hv(
                    if t.stage() == "2" { "3" } else { "2" },
                    "2026-02-02T09:30:00Z",
                    "AUTOMATION_PLATFORM",
                    None,
                ),
                hv("1", "2026-01-15T08:30:00Z", "CRM_UI", Some(10)),
            ],
        );
        h.insert(
            "hubspot_owner_id".to_owned(),
            vec![
                hv(t.owner_id(), "2026-02-01T11:00:00Z", "CRM_UI", Some(10)),
                hv("12", "2026-01-15T08:30:00Z", "CRM_UI", Some(10)),
            ],
        );
        let mut subject_change = hv(t.subject(), "2026-01-20T14:05:00Z", "INTEGRATION", None);
        subject_change.source_label = Some("Zendesk import".into());
        h.insert(
            "subject".to_owned(),
            vec![
                subject_change,
                hv("draft subject", "2026-01-15T08:30:00Z", "CRM_UI", Some(10)),
            ],
        );
        t.history = Some(h);
        t
    }

    pub fn associations() -> Vec<Associated> {
        let ty = |label: Option<&str>, id: u32| AssociationType {
            category: "HUBSPOT_DEFINED".into(),
            type_id: id,
            label: label.map(str::to_owned),
        };
        vec![
            Associated {
                kind: ObjectKind::Contact,
                id: "201".into(),
                title: "田中 愛子".into(),
                detail: "aiko.tanaka@example.co.jp".into(),
                types: vec![ty(None, 16)],
            },
            Associated {
                kind: ObjectKind::Company,
                id: "301".into(),
                title: "株式会社サンプル".into(),
                detail: "sample.co.jp".into(),
                types: vec![ty(None, 339), ty(Some("Primary"), 26)],
            },
            Associated {
                kind: ObjectKind::Deal,
                id: "401".into(),
                title: "Renewal 2026".into(),
                detail: "12000".into(),
                types: vec![ty(None, 28)],
            },
        ]
    }

    pub fn activities() -> Vec<Activity> {
        vec![
            Activity {
                kind: ObjectKind::Note,
                id: "5001".into(),
                timestamp: Some(ts("2026-02-03T10:15:00Z")),
                title: "煙の原因はトナー詰まり".into(),
                body: "煙の原因はトナー詰まり\n交換済み".into(),
                owner_id: Some("11".into()),
            },
            Activity {
                kind: ObjectKind::Email,
                id: "5002".into(),
                timestamp: Some(ts("2026-02-04T08:00:00Z")),
                title: "Re: printer on fire".into(),
                body: "We are on it.".into(),
                owner_id: Some("12".into()),
            },
            Activity {
                kind: ObjectKind::Task,
                id: "5003".into(),
                timestamp: Some(ts("2026-01-30T16:45:00Z")),
                title: "Call the facility manager [NOT_STARTED]".into(),
                body: String::new(),
                owner_id: None,
            },
        ]
    }

    pub fn failure(status: u16, summary: &str) -> Failure {
        Failure {
            message: summary.into(),
            summary: summary.into(),
            status: Some(status),
            not_found: status == 404,
            auth: status == 401,
            missing_scopes: Vec::new(),
            field_errors: Vec::new(),
            outcome_unknown: false,
            ..Failure::default()
        }
    }

    /// A fresh app at `w`×`h`, clock at [`t0`], dates in UTC.
    pub fn app(w: u16, h: u16) -> App {
        let mut app = App::new(Portal::default(), Keymap::default(), t0(), (w, h));
        app.catalog.tz = jiff::tz::TimeZone::UTC;
        app
    }

    pub fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }
    pub fn code(c: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
    }
    pub fn ctrl(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    }

    /// Feeds each character as a key press; returns the effects of all of them.
    pub fn type_text(app: &mut App, text: &str) -> Vec<Effect> {
        text.chars().flat_map(|c| update(app, key(c))).collect()
    }

    /// The clock moved on by `ms` from the app's current time.
    pub fn tick(app: &mut App, ms: i64) -> Vec<Effect> {
        let now = app.now + SignedDuration::from_millis(ms);
        update(app, Msg::Tick(now))
    }

    /// The commands among `fx` (panics on any other effect).
    pub fn commands(fx: &[Effect]) -> Vec<Command> {
        fx.iter()
            .map(|e| match e {
                Effect::Api(c) => c.clone(),
                other => panic!("expected only API effects, got {other:?}"),
            })
            .collect()
    }

    /// The request ID of the only command in `fx` matching `pred`.
    pub fn req_of(fx: &[Effect], pred: impl Fn(&Command) -> bool) -> ReqId {
        let found: Vec<ReqId> = fx
            .iter()
            .filter_map(|e| match e {
                Effect::Api(c) if pred(c) => Some(c.req()),
                _ => None,
            })
            .collect();
        assert_eq!(found.len(), 1, "one matching command in {fx:?}");
        found[0]
    }

    pub fn is_list(c: &Command) -> bool {
        matches!(c, Command::ListTickets { .. })
    }
    pub fn is_get(c: &Command) -> bool {
        matches!(c, Command::GetTicket { .. })
    }

    /// Answers the catalogue requests among `fx`.
    pub fn answer_catalog(app: &mut App, fx: &[Effect]) -> Vec<Effect> {
        let mut out = Vec::new();
        for c in commands_lenient(fx) {
            let ev = match c {
                Command::LoadProperties { req } => Event::PropertiesLoaded {
                    req,
                    properties: properties(),
                    groups: groups(),
                },
                Command::LoadPipelines { req } => Event::PipelinesLoaded {
                    req,
                    pipelines: pipelines(),
                },
                Command::LoadOwners { req } => Event::OwnersLoaded {
                    req,
                    owners: owners(),
                },
                _ => continue,
            };
            out.extend(update(app, Msg::Worker(ev)));
        }
        out
    }

    fn commands_lenient(fx: &[Effect]) -> Vec<Command> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Api(c) => Some(c.clone()),
                _ => None,
            })
            .collect()
    }

    pub fn listed(req: ReqId, tickets: Vec<Ticket>, next_after: Option<&str>) -> Msg {
        Msg::Worker(Event::TicketsListed {
            req,
            tickets,
            next_after: next_after.map(str::to_owned),
            total: None,
            capped: false,
        })
    }

    /// Started, catalogue loaded, first page of tickets `1001..=1000+n` loaded (more pages
    /// follow when `more`), the detail of the first ticket fetched. Returns the app.
    pub fn loaded(w: u16, h: u16, n: u32, more: bool) -> App {
        let mut app = app(w, h);
        let fx = app.start();
        let list_req = req_of(&fx, is_list);
        answer_catalog(&mut app, &fx);
        let next = more.then(|| (1001 + n).to_string());
        let fx = update(
            &mut app,
            listed(list_req, tickets(1001..=1000 + n), next.as_deref()),
        );
        assert!(fx.iter().all(|e| !matches!(e, Effect::Api(c) if is_get(c))));
        let fx = tick(&mut app, 200);
        let get = req_of(&fx, is_get);
        update(
            &mut app,
            Msg::Worker(Event::TicketFetched {
                req: get,
                ticket: full_ticket(1001),
            }),
        );
        app
    }
}

fn list_props() -> Vec<String> {
    LIST_PROPERTIES.iter().map(|s| (*s).to_owned()).collect()
}

fn all_props(app: &App) -> Vec<String> {
    app.catalog
        .properties
        .iter()
        .map(|p| p.name.clone())
        .collect()
}

fn selected(app: &App) -> &str {
    app.list.selected_id().unwrap_or("-")
}

/// Opens the detail of the selected ticket and answers its fetch.
fn open_and_fetch(app: &mut App) {
    let fx = update(app, code(KeyCode::Enter));
    assert_eq!(app.focus, Focus::Detail);
    if let Some(Effect::Api(Command::GetTicket { req, id, .. })) =
        fx.iter().find(|e| matches!(e, Effect::Api(c) if is_get(c)))
    {
        let ticket = full_ticket(id.parse().unwrap());
        update(app, Msg::Worker(Event::TicketFetched { req: *req, ticket }));
    }
}

#[test]
fn start_loads_the_first_page_and_the_catalogue() {
    let mut app = app(160, 48);
    let fx = app.start();
    assert_eq!(
        fx,
        vec![
            Effect::Api(Command::LoadProperties { req: 1 }),
            Effect::Api(Command::LoadPipelines { req: 2 }),
            Effect::Api(Command::LoadOwners { req: 3 }),
            Effect::Api(Command::ListTickets {
                req: 4,
                source: ListSource::All,
                after: None,
                properties: list_props(),
            }),
        ]
    );
    assert!(app.list_load.is_loading());
    assert!(app.catalog_load.properties.is_loading());
    assert_eq!(
        app.list.viewport(),
        42,
        "viewport set from the size before any draw"
    );
}

#[test]
fn first_page_selects_the_first_row_without_fetching_at_once() {
    let mut app = app(160, 48);
    let fx = app.start();
    answer_catalog(&mut app, &fx);
    let fx = update(&mut app, listed(4, tickets(1001..=1100), Some("1101")));
    assert_eq!(
        fx,
        vec![],
        "detail waits for the debounce, no second page yet"
    );
    assert_eq!(app.list.len(), 100);
    assert_eq!(selected(&app), "1001");
    assert_eq!(app.detail.ticket_id.as_deref(), Some("1001"));
    assert!(matches!(app.detail.ticket, Loadable::Idle));
    let fx = tick(&mut app, 50);
    assert_eq!(fx, vec![], "not rested long enough");
    let fx = tick(&mut app, 100);
    assert_eq!(
        fx,
        vec![Effect::Api(Command::GetTicket {
            req: 5,
            id: "1001".into(),
            properties: all_props(&app),
        })]
    );
}

#[test]
fn next_page_is_requested_before_the_bottom_once_with_the_cursor() {
    let mut app = loaded(160, 48, 100, true);
    // Viewport 43 rows, prefetch margin 50: the 51st row is the first to want more.
    for i in 1..50 {
        let fx = update(&mut app, key('j'));
        assert_eq!(fx, vec![], "row {i}: far from the end");
    }
    let fx = update(&mut app, key('j'));
    let req = req_of(&fx, is_list);
    assert_eq!(
        fx,
        vec![Effect::Api(Command::ListTickets {
            req,
            source: ListSource::All,
            after: Some("1101".into()),
            properties: list_props(),
        })]
    );
    assert_eq!(
        selected(&app),
        "1051",
        "requested before reaching the bottom"
    );
    // While the page is in flight, moving on never asks again.
    for _ in 0..60 {
        let fx = update(&mut app, key('j'));
        assert!(
            fx.iter()
                .all(|e| !matches!(e, Effect::Api(c) if is_list(c)))
        );
    }
    assert_eq!(selected(&app), "1100", "clamped at the last loaded row");
    let fx = update(&mut app, listed(req, tickets(1101..=1200), None));
    assert_eq!(fx, vec![], "last page: nothing more to ask");
    assert_eq!(app.list.len(), 200);
    assert_eq!(selected(&app), "1100", "appending never moves the cursor");
    let fx = update(&mut app, key('G'));
    assert_eq!(fx, vec![]);
    assert_eq!(selected(&app), "1200");
}

#[test]
fn a_failed_next_page_is_shown_and_r_reloads() {
    let mut app = loaded(160, 48, 100, true);
    let fx = update(&mut app, key('G'));
    let req = req_of(&fx, is_list);
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req,
            failure: failure(500, "500 INTERNAL_ERROR: internal error"),
        }),
    );
    assert!(matches!(app.list_load, Loadable::Failed(_)));
    assert_eq!(app.list.len(), 100, "loaded rows stay");
    assert!(app.toast.as_ref().unwrap().text.contains("r retries"));
}

#[test]
fn stale_list_answers_are_dropped() {
    let mut app = app(160, 48);
    let fx = app.start();
    answer_catalog(&mut app, &fx);
    let first = req_of(&fx, is_list);
    // The user refreshes before the first page arrived.
    let fx = update(&mut app, key('r'));
    let second = req_of(&fx, is_list);
    assert_ne!(first, second);
    let fx = update(&mut app, listed(first, tickets(1001..=1005), None));
    assert_eq!(fx, vec![]);
    assert!(app.list.is_empty(), "the superseded answer is dropped");
    assert!(app.list_load.waits_for(second));
    update(&mut app, listed(second, tickets(1001..=1003), None));
    assert_eq!(app.list.len(), 3);
}

#[test]
fn stale_detail_answers_are_dropped() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    let a = req_of(&tick(&mut app, 200), is_get);
    update(&mut app, key('j'));
    let b = req_of(&tick(&mut app, 200), is_get);
    assert_eq!(app.detail.ticket_id.as_deref(), Some("1003"));
    // 1002's answer arrives after the cursor moved to 1003.
    let fx = update(
        &mut app,
        Msg::Worker(Event::TicketFetched {
            req: a,
            ticket: full_ticket(1002),
        }),
    );
    assert_eq!(fx, vec![]);
    assert!(app.detail.ticket.waits_for(b), "still waiting for 1003");
    // Its failure is stale too.
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req: a,
            failure: failure(404, "404 OBJECT_NOT_FOUND"),
        }),
    );
    assert!(!app.list.is_gone("1002"), "a stale 404 marks nothing");
    update(
        &mut app,
        Msg::Worker(Event::TicketFetched {
            req: b,
            ticket: full_ticket(1003),
        }),
    );
    assert_eq!(
        app.detail.ticket.ready().map(|t| t.id.as_str()),
        Some("1003")
    );
}

#[test]
fn stale_associations_and_activities_are_dropped() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, code(KeyCode::Tab));
    let fx = update(&mut app, key('3'));
    let assoc_a = match commands(&fx).as_slice() {
        [Command::LoadAssociations { req, ticket_id }] => {
            assert_eq!(ticket_id, "1001");
            *req
        }
        other => panic!("expected one LoadAssociations, got {other:?}"),
    };
    // Back to the list, move on: the Associations tab stays, 1002's load replaces 1001's.
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, key('j'));
    let fx = tick(&mut app, 200);
    let assoc_b = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    let fx = update(
        &mut app,
        Msg::Worker(Event::AssociationsLoaded {
            req: assoc_a,
            ticket_id: "1001".into(),
            items: associations(),
        }),
    );
    assert_eq!(fx, vec![]);
    assert!(app.detail.associations.waits_for(assoc_b));
    update(
        &mut app,
        Msg::Worker(Event::AssociationsLoaded {
            req: assoc_b,
            ticket_id: "1002".into(),
            items: associations()[..1].to_vec(),
        }),
    );
    assert_eq!(app.detail.associations.ready().map(Vec::len), Some(1));

    // Same for activities.
    update(&mut app, code(KeyCode::Tab));
    let fx = update(&mut app, key('4'));
    let act_a = req_of(&fx, |c| matches!(c, Command::LoadActivities { .. }));
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, key('j'));
    let fx = tick(&mut app, 200);
    let act_b = req_of(&fx, |c| matches!(c, Command::LoadActivities { .. }));
    update(
        &mut app,
        Msg::Worker(Event::ActivitiesLoaded {
            req: act_a,
            ticket_id: "1002".into(),
            items: activities(),
        }),
    );
    assert!(
        app.detail.activities.waits_for(act_b),
        "stale activities dropped"
    );
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req: act_a,
            failure: failure(500, "boom"),
        }),
    );
    assert!(
        app.detail.activities.waits_for(act_b),
        "stale failure dropped"
    );
    update(
        &mut app,
        Msg::Worker(Event::ActivitiesLoaded {
            req: act_b,
            ticket_id: "1003".into(),
            items: activities(),
        }),
    );
    assert_eq!(app.detail.activities.ready().map(Vec::len), Some(3));
}

#[test]
fn moving_fast_fetches_one_detail_once_the_selection_rests() {
    let mut app = loaded(160, 48, 50, false);
    for _ in 0..10 {
        assert_eq!(update(&mut app, key('j')), vec![]);
        // Ticks while the key is held: never long enough to fetch.
        assert_eq!(tick(&mut app, 50), vec![]);
    }
    assert_eq!(app.detail.ticket_id.as_deref(), Some("1011"));
    assert!(
        matches!(app.detail.ticket, Loadable::Idle),
        "shown, not yet fetched"
    );
    let fx = tick(&mut app, DETAIL_DEBOUNCE.as_millis() as i64);
    let req = req_of(&fx, is_get);
    assert_eq!(
        fx,
        vec![Effect::Api(Command::GetTicket {
            req,
            id: "1011".into(),
            properties: all_props(&app),
        })]
    );
    assert_eq!(tick(&mut app, 500), vec![], "fetched once");
}

#[test]
fn the_detail_waits_for_the_property_catalogue() {
    let mut app = app(160, 48);
    let fx = app.start();
    let props_req = req_of(&fx, |c| matches!(c, Command::LoadProperties { .. }));
    update(
        &mut app,
        listed(req_of(&fx, is_list), tickets(1001..=1010), None),
    );
    assert_eq!(
        tick(&mut app, 1000),
        vec![],
        "no catalogue: the fetch waits"
    );
    // Enter does not fetch without it either.
    assert_eq!(update(&mut app, code(KeyCode::Enter)), vec![]);
    let fx = update(
        &mut app,
        Msg::Worker(Event::PropertiesLoaded {
            req: props_req,
            properties: properties(),
            groups: groups(),
        }),
    );
    assert_eq!(
        fx,
        vec![Effect::Api(Command::GetTicket {
            req: 5,
            id: "1001".into(),
            properties: all_props(&app),
        })]
    );
    assert_eq!(all_props(&app).len(), properties().len());
}

#[test]
fn filter_narrows_as_you_type_matches_japanese_and_esc_restores() {
    let mut app = loaded(160, 48, 30, false);
    update(&mut app, key('j'));
    update(&mut app, key('j'));
    assert_eq!(selected(&app), "1003");
    // `/` asks the local cache for the view's queue (`cache_queue`), never HubSpot.
    let fx = update(&mut app, key('/'));
    assert!(
        fx.iter().all(|e| matches!(e, Effect::ReadCache(_))),
        "{fx:?}"
    );
    assert_eq!(app.context(), crate::keymap::Context::Filter);
    type_text(&mut app, "Login");
    assert_eq!(app.filter.as_ref().unwrap().query, "Login");
    assert_eq!(app.list.rows(), 1);
    assert_eq!(
        selected(&app),
        "1002",
        "the selection follows the only match"
    );
    // q and j are text here, not quit and down.
    let fx = type_text(&mut app, "qj");
    assert!(!fx.contains(&Effect::Quit));
    assert_eq!(app.list.rows(), 0);
    update(&mut app, code(KeyCode::Backspace));
    update(&mut app, code(KeyCode::Backspace));
    assert_eq!(app.list.rows(), 1);
    update(&mut app, code(KeyCode::Esc));
    assert!(app.filter.is_none());
    assert_eq!(app.list.rows(), 30, "Esc restores every row");
    assert_eq!(
        selected(&app),
        "1002",
        "the selection stays on the same ticket"
    );
    assert_eq!(app.list.selected_row(), 1);

    // CJK query against the Japanese subject.
    update(&mut app, key('/'));
    type_text(&mut app, "プリンター");
    assert_eq!(app.list.rows(), 1);
    assert_eq!(selected(&app), "1001");
    // Enter keeps the filter applied and gives the keys back to the list.
    update(&mut app, code(KeyCode::Enter));
    assert!(app.filter.as_ref().is_some_and(|f| !f.editing));
    assert_eq!(app.list.rows(), 1);
    assert_eq!(app.context(), crate::keymap::Context::List);
    // q then clears the filter rather than quitting.
    assert_eq!(update(&mut app, key('q')), vec![]);
    assert!(app.filter.is_none());
    assert_eq!(app.list.rows(), 30);
    assert_eq!(selected(&app), "1001");
}

#[test]
fn filter_matches_stage_and_owner_labels() {
    let mut app = loaded(160, 48, 30, false);
    update(&mut app, key('/'));
    // Stage labels are in the haystack: the escalated tickets in "Triage" rank first.
    type_text(&mut app, "Triage");
    let ids: Vec<u32> = (0..app.list.rows())
        .filter_map(|r| app.list.row(r).map(|t| t.id.parse().unwrap()))
        .collect();
    let escalated: Vec<u32> = (1001..=1030).filter(|id| id % 7 == 6).collect();
    assert_eq!(ids[..escalated.len()], escalated[..], "{ids:?}");
    update(&mut app, ctrl('u'));
    type_text(&mut app, "Chloé Martin");
    assert!(app.list.rows() >= 5);
}

#[test]
fn focus_enter_esc_q_and_tab() {
    let mut app = loaded(160, 48, 10, false);
    assert!(!app.areas.narrow);
    update(&mut app, key('j'));
    // Enter on a ticket that has not rested yet fetches it at once.
    let fx = update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.focus, Focus::Detail);
    assert_eq!(
        commands(&fx),
        vec![Command::GetTicket {
            req: req_of(&fx, is_get),
            id: "1002".into(),
            properties: all_props(&app),
        }]
    );
    assert_eq!(tick(&mut app, 500), vec![], "not fetched twice");
    assert_eq!(update(&mut app, code(KeyCode::Esc)), vec![]);
    assert_eq!(app.focus, Focus::List);
    // Enter on the fetched ticket: no new request.
    assert_eq!(update(&mut app, code(KeyCode::Enter)), vec![]);
    assert_eq!(app.focus, Focus::Detail);
    assert_eq!(
        update(&mut app, key('q')),
        vec![],
        "q in the detail goes back"
    );
    assert_eq!(app.focus, Focus::List);
    update(&mut app, code(KeyCode::Tab));
    assert_eq!(app.focus, Focus::Detail);
    update(&mut app, code(KeyCode::BackTab));
    assert_eq!(app.focus, Focus::List);
}

#[test]
fn narrow_terminals_show_one_pane_at_a_time() {
    let mut app = loaded(80, 24, 10, false);
    assert!(app.areas.narrow);
    assert_eq!(app.areas.list, app.areas.detail);
    open_and_fetch(&mut app);
    assert_eq!(app.focus, Focus::Detail);
    update(&mut app, code(KeyCode::Esc));
    assert_eq!(app.focus, Focus::List);
    // Growing the terminal splits the screen again; shrinking stacks it.
    update(&mut app, Msg::Resize(120, 40));
    assert!(!app.areas.narrow);
    assert_eq!(app.list.viewport(), 34);
    update(&mut app, Msg::Resize(99, 40));
    assert!(app.areas.narrow);
}

#[test]
fn tabs_switch_with_numbers_and_brackets_and_load_lazily() {
    let mut app = loaded(160, 48, 10, false);
    open_and_fetch(&mut app);
    assert_eq!(app.detail.tab, Tab::Properties);
    assert_eq!(update(&mut app, key('2')), vec![]);
    assert_eq!(app.detail.tab, Tab::History);
    let fx = update(&mut app, key(']'));
    assert_eq!(app.detail.tab, Tab::Associations);
    let assoc = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    assert_eq!(
        commands(&fx),
        vec![Command::LoadAssociations {
            req: assoc,
            ticket_id: "1001".into()
        }]
    );
    let fx = update(&mut app, key(']'));
    assert_eq!(app.detail.tab, Tab::Activity);
    let act = req_of(&fx, |c| matches!(c, Command::LoadActivities { .. }));
    assert_eq!(
        commands(&fx),
        vec![Command::LoadActivities {
            req: act,
            ticket_id: "1001".into()
        }]
    );
    assert_eq!(update(&mut app, key(']')), vec![]);
    assert_eq!(app.detail.tab, Tab::Properties, "] wraps around");
    update(&mut app, key('['));
    assert_eq!(app.detail.tab, Tab::Activity, "[ wraps back");
    // Back to a tab whose load is in flight: no second request.
    assert_eq!(update(&mut app, key('3')), vec![]);
    update(
        &mut app,
        Msg::Worker(Event::AssociationsLoaded {
            req: assoc,
            ticket_id: "1001".into(),
            items: associations(),
        }),
    );
    assert_eq!(update(&mut app, key('1')), vec![]);
    assert_eq!(update(&mut app, key('3')), vec![], "loaded once, kept");
    assert_eq!(app.detail_rows(), 3);
    // r on the tab reloads the ticket and the tab.
    let fx = update(&mut app, key('r'));
    let cmds = commands(&fx);
    assert_eq!(cmds.len(), 2, "{cmds:?}");
    assert!(is_get(&cmds[0]));
    assert!(matches!(&cmds[1], Command::LoadAssociations { ticket_id, .. } if ticket_id == "1001"));
}

#[test]
fn associations_failure_is_kept_in_its_tab() {
    let mut app = loaded(160, 48, 10, false);
    open_and_fetch(&mut app);
    let fx = update(&mut app, key('3'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req,
            failure: failure(500, "500 INTERNAL_ERROR"),
        }),
    );
    assert_eq!(
        app.detail
            .associations
            .failure()
            .map(|f| f.summary.as_str()),
        Some("500 INTERNAL_ERROR")
    );
    assert!(app.detail.ticket.ready().is_some(), "the ticket stays");
    assert!(app.overlay.is_none());
}

#[test]
fn h_on_a_property_shows_its_history_and_f_toggles() {
    let mut app = loaded(160, 48, 10, false);
    open_and_fetch(&mut app);
    // Rows: [Ticket information], Ticket name, Ticket description, Pipeline, Ticket status...
    let rows = super::detail::property_rows(&app.catalog, app.detail.ticket.ready().unwrap());
    let status_row = rows
        .iter()
        .position(|r| {
            matches!(r, super::detail::PropertyRow::Property { name, .. } if name == "hs_pipeline_stage")
        })
        .unwrap();
    // The cursor starts on the first property, below the group heading.
    assert_eq!(app.detail.properties.row, 1);
    for _ in 1..status_row {
        update(&mut app, key('j'));
    }
    assert_eq!(app.detail.properties.row, status_row);
    assert_eq!(update(&mut app, key('h')), vec![]);
    assert_eq!(app.detail.tab, Tab::History);
    assert_eq!(
        app.detail.history_filter.as_deref(),
        Some("hs_pipeline_stage")
    );
    assert_eq!(app.detail_rows(), 3, "three stage changes");
    assert!(app.toast.as_ref().unwrap().text.contains("Ticket status"));
    // f shows every property again.
    update(&mut app, key('f'));
    assert_eq!(app.detail.history_filter, None);
    assert_eq!(app.detail_rows(), 7);
    // f on a row filters to that row's property: the newest change is the stage.
    update(&mut app, key('j'));
    let entry = &super::detail::history_rows(app.detail.ticket.ready().unwrap(), None)[1];
    update(&mut app, key('f'));
    assert_eq!(
        app.detail.history_filter.as_deref(),
        Some(entry.property.as_str())
    );
    assert_eq!(app.detail.history.row, 0, "cursor back at the top");
    // h outside the Properties tab does nothing.
    update(&mut app, key('h'));
    assert_eq!(app.detail.tab, Tab::History);
}

#[test]
fn history_is_newest_first_with_old_and_new_values() {
    let t = full_ticket(1001);
    let rows = super::detail::history_rows(&t, None);
    assert!(rows.windows(2).all(|w| w[0].timestamp >= w[1].timestamp));
    assert_eq!(rows[0].property, "hs_pipeline_stage");
    assert_eq!(rows[0].old.as_deref(), Some("3"));
    assert_eq!(
        rows[1].old.as_deref(),
        Some("1"),
        "each change knows what it replaced"
    );
    assert_eq!(rows[0].new, t.stage());
}

#[test]
fn space_marks_and_moves_v_marks_all_or_clears() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, code(KeyCode::Char(' ')));
    assert!(app.list.is_marked("1001"));
    assert_eq!(selected(&app), "1002", "Space moves on");
    update(&mut app, code(KeyCode::Char(' ')));
    assert_eq!(app.list.marked().len(), 2);
    update(&mut app, key('k'));
    update(&mut app, code(KeyCode::Char(' ')));
    assert!(!app.list.is_marked("1002"), "Space again unmarks");
    update(&mut app, key('V'));
    assert!(app.list.marked().is_empty(), "V clears existing marks");
    update(&mut app, key('V'));
    assert_eq!(app.list.marked().len(), 10, "V marks every row");
}

#[test]
fn refresh_keeps_the_selection_on_the_same_ticket() {
    let mut app = loaded(160, 48, 20, false);
    for _ in 0..5 {
        update(&mut app, key('j'));
    }
    assert_eq!(selected(&app), "1006");
    let fx = update(&mut app, key('r'));
    let req = req_of(&fx, is_list);
    assert_eq!(
        commands(&fx),
        vec![Command::ListTickets {
            req,
            source: ListSource::All,
            after: None,
            properties: list_props(),
        }]
    );
    // Meanwhile 1002 was deleted and 1021 created.
    let mut fresh = tickets(1001..=1021);
    fresh.remove(1);
    update(&mut app, listed(req, fresh, None));
    assert_eq!(app.list.len(), 20);
    assert_eq!(selected(&app), "1006", "the cursor stays on the ticket");
    assert_eq!(app.list.selected_row(), 4);
}

#[test]
fn a_404_on_the_detail_marks_the_row_gone() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    let req = req_of(&tick(&mut app, 200), is_get);
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req,
            failure: failure(404, "404 OBJECT_NOT_FOUND: resource not found"),
        }),
    );
    assert!(app.list.is_gone("1002"));
    assert!(
        matches!(&app.detail.ticket, Loadable::Failed(f) if f.headline().contains("1002") && f.headline().contains("no longer exists"))
    );
    assert!(app.overlay.is_none(), "a 404 is not a modal");
    assert_eq!(selected(&app), "1002", "no jump");
}

#[test]
fn a_401_shows_the_token_overlay_and_ctrl_c_still_quits() {
    let mut app = loaded(160, 48, 10, false);
    let fx = update(&mut app, key('R'));
    let req = req_of(&fx, is_list);
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req,
            failure: failure(401, "401 INVALID_AUTHENTICATION: token revoked"),
        }),
    );
    let Some(Overlay::Error { title, body }) = &app.overlay else {
        panic!("expected the token overlay, got {:?}", app.overlay);
    };
    assert!(title.contains("access token or service key"), "{title}");
    assert!(body.contains("HUBSPOT_ACCESS_TOKEN"));
    assert!(body.contains("service key"), "{body}");
    // Keys don't reach the panes under the overlay.
    assert_eq!(update(&mut app, key('j')), vec![]);
    assert_eq!(selected(&app), "1001");
    assert_eq!(update(&mut app, ctrl('c')), vec![Effect::Quit]);
}

#[test]
fn a_missing_scope_names_the_scope() {
    let mut app = loaded(160, 48, 10, false);
    let fx = update(&mut app, key('R'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadOwners { .. }));
    let mut f = failure(403, "403 MISSING_SCOPES");
    f.missing_scopes = vec!["crm.objects.owners.read".into()];
    update(&mut app, Msg::Worker(Event::Failed { req, failure: f }));
    let Some(Overlay::Error { body, .. }) = &app.overlay else {
        panic!("expected the scopes overlay");
    };
    assert!(body.contains("crm.objects.owners.read"));
    assert!(matches!(app.catalog_load.owners, Loadable::Failed(_)));
    update(&mut app, code(KeyCode::Esc));
    assert!(app.overlay.is_none(), "Esc closes");
}

#[test]
fn a_failed_list_load_is_retried_with_r() {
    let mut app = app(160, 48);
    let fx = app.start();
    answer_catalog(&mut app, &fx);
    let req = req_of(&fx, is_list);
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req,
            failure: failure(500, "500 INTERNAL_ERROR: internal error"),
        }),
    );
    assert_eq!(
        app.list_load.failure().map(|f| f.summary.as_str()),
        Some("500 INTERNAL_ERROR: internal error")
    );
    let toast = app.toast.clone().unwrap();
    assert_eq!(toast.level, Level::Error);
    assert!(toast.text.contains("r retries"), "{}", toast.text);
    let fx = update(&mut app, key('r'));
    let retry = req_of(&fx, is_list);
    assert!(
        app.toast.as_ref().is_none_or(|t| t.level != Level::Error),
        "a key clears the error"
    );
    update(&mut app, listed(retry, tickets(1001..=1005), None));
    assert_eq!(app.list.len(), 5);
    assert_eq!(app.list_load, Loadable::Ready(()));
}

#[test]
fn y_copies_the_ticket_id() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    assert_eq!(
        update(&mut app, key('y')),
        vec![Effect::Clipboard("1002".into())]
    );
    open_and_fetch(&mut app);
    assert_eq!(
        update(&mut app, key('y')),
        vec![Effect::Clipboard("1002".into())]
    );
    // Y needs a portal ID; the demo portal has none and says so.
    assert_eq!(update(&mut app, key('Y')), vec![]);
    assert_eq!(app.toast.as_ref().unwrap().level, Level::Error);
    app.portal.portal_id = Some("123".into());
    assert_eq!(
        update(&mut app, key('Y')),
        vec![Effect::Clipboard(
            "https://app.hubspot.com/contacts/123/record/0-5/1002".into()
        )]
    );
}

#[test]
fn the_start_up_checks_give_ticket_urls_their_portal_and_say_what_is_missing() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    assert_eq!(update(&mut app, key('Y')), vec![], "no portal ID yet");
    let checked = Event::Checked {
        portal: Some(crate::protocol::CheckedPortal {
            portal_id: "24681357".into(),
            ui_domain: Some("app-eu1.hubspot.com".into()),
        }),
        problem: Some("doctor: scopes: missing crm.objects.owners.read (owner names)".into()),
    };
    update(&mut app, Msg::Worker(checked.clone()));
    let toast = app.toast.as_ref().expect("said");
    assert_eq!(toast.level, Level::Error);
    assert!(
        toast.text.contains("crm.objects.owners.read"),
        "{}",
        toast.text
    );
    assert_eq!(
        update(&mut app, key('Y')),
        vec![Effect::Clipboard(
            "https://app-eu1.hubspot.com/contacts/24681357/record/0-5/1002".into()
        )]
    );
    // config.toml's portal_id and app_host win; the demo portal stays without URLs.
    let mut app = loaded(160, 48, 10, false);
    app.portal.portal_id = Some("123".into());
    update(&mut app, Msg::Worker(checked.clone()));
    assert_eq!(app.portal.portal_id.as_deref(), Some("123"));
    let mut app = loaded(160, 48, 10, false);
    app.portal.demo = true;
    update(&mut app, Msg::Worker(checked));
    assert_eq!(app.portal.portal_id, None);
}

#[test]
fn q_quits_at_the_top_level_and_ctrl_c_from_anywhere() {
    let mut app = loaded(160, 48, 10, false);
    assert_eq!(update(&mut app, key('q')), vec![Effect::Quit]);
    // Ctrl-c from the filter line.
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('/'));
    type_text(&mut app, "lo");
    assert_eq!(update(&mut app, ctrl('c')), vec![Effect::Quit]);
    // From the detail, from the help overlay.
    let mut app = loaded(160, 48, 10, false);
    open_and_fetch(&mut app);
    update(&mut app, key('2'));
    assert_eq!(update(&mut app, ctrl('c')), vec![Effect::Quit]);
    update(&mut app, key('?'));
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    assert_eq!(update(&mut app, ctrl('c')), vec![Effect::Quit]);
    // Before anything loaded.
    let mut app = fixtures::app(80, 24);
    app.start();
    assert_eq!(update(&mut app, ctrl('c')), vec![Effect::Quit]);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('?'));
    update(&mut app, key('j'));
    update(&mut app, key('j'));
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 2 }));
    update(&mut app, key('q'));
    assert_eq!(app.overlay, None, "q closes the overlay, not the app");
}

/// The overlay's, the `/` line's and the list's Esc keys come from the keymap: rebinding them
/// moves what they do, and the old key no longer does it.
#[test]
fn overlay_filter_and_list_escape_keys_follow_the_keymap() {
    let mut app = loaded(160, 48, 10, false);
    app.keymap = crate::keymap::Keymap::from_config(
        "[keys.overlay]\ndown = \"n\"\nclose = \"x\"\n\
         [keys.filter]\naccept = \"Ctrl-o\"\n\
         [keys.list]\nclear_narrowing = \"Ctrl-x\"\n",
        "config.toml",
    )
    .unwrap();
    update(&mut app, key('?'));
    update(&mut app, key('n'));
    update(&mut app, key('j'));
    assert_eq!(
        app.overlay,
        Some(Overlay::Help { scroll: 1 }),
        "n scrolls, j no more"
    );
    update(&mut app, key('q'));
    assert!(
        app.overlay.is_some(),
        "q is no longer a close key of the overlay"
    );
    update(&mut app, key('x'));
    assert_eq!(app.overlay, None);
    update(&mut app, key('/'));
    update(&mut app, key('7'));
    update(&mut app, code(KeyCode::Enter));
    assert!(
        app.filter.as_ref().unwrap().editing,
        "Enter is not accept any more"
    );
    update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('o'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    assert!(!app.filter.as_ref().unwrap().editing, "Ctrl-o accepts");
    update(&mut app, code(KeyCode::Esc));
    assert!(app.filter.is_some(), "Esc no longer clears the filter");
    update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('x'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    assert!(app.filter.is_none(), "Ctrl-x clears what narrowed the list");
    let fx = update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('x'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    assert!(!fx.contains(&Effect::Quit), "and never quits");
}

#[test]
fn toasts_fade_with_the_clock() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('y'));
    assert!(app.toast.is_some());
    tick(&mut app, 4_000);
    assert!(app.toast.is_some());
    tick(&mut app, 1_500);
    assert!(app.toast.is_none());
}

#[test]
fn reload_all_reloads_catalogue_list_and_detail() {
    let mut app = loaded(160, 48, 10, false);
    let fx = update(&mut app, key('R'));
    let cmds = commands(&fx);
    assert!(matches!(cmds[0], Command::LoadProperties { .. }));
    assert!(matches!(cmds[1], Command::LoadPipelines { .. }));
    assert!(matches!(cmds[2], Command::LoadOwners { .. }));
    assert!(matches!(cmds[3], Command::ListTickets { after: None, .. }));
    assert_eq!(cmds.len(), 4);
    // The detail is refetched once the catalogue is back.
    let fx2 = answer_catalog(&mut app, &fx);
    assert_eq!(commands(&fx2).iter().filter(|c| is_get(c)).count(), 1);
}

#[test]
fn refresh_keeps_the_selection_beyond_the_first_page() {
    let mut app = loaded(160, 48, 100, true);
    // `G` loads the rest of the view; `Esc` stops it after the page on its way.
    let fx = update(&mut app, key('G'));
    let page2 = req_of(&fx, is_list);
    let fx = update(&mut app, listed(page2, tickets(1101..=1200), Some("1201")));
    let page3 = req_of(&fx, is_list);
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, listed(page3, tickets(1201..=1250), Some("1251")));
    for _ in 0..30 {
        update(&mut app, key('k'));
    }
    let (id, row, offset) = (
        selected(&app).to_owned(),
        app.list.selected_row(),
        app.list.offset(),
    );
    assert_eq!(id, "1170");
    let fx = update(&mut app, key('r'));
    let req = req_of(&fx, is_list);
    // The fresh first page: 1001 deleted, 1101 moved up onto it.
    let mut fresh = tickets(1002..=1101);
    fresh[0]
        .properties
        .insert("subject".into(), "renamed".into());
    let fx = update(&mut app, listed(req, fresh, Some("1102")));
    assert_eq!(selected(&app), "1170", "the cursor stays on the ticket");
    assert_eq!(app.list.len(), 249, "later pages kept, no duplicates");
    assert_eq!(app.list.selected_row(), row - 1, "1001 went away above it");
    assert_eq!(app.list.offset(), offset, "the scroll position stays");
    assert_eq!(app.list.get("1002").map(Ticket::subject), Some("renamed"));
    assert!(app.list.get("1001").is_none());
    // Paging continues after the last page loaded, not after the fresh first page.
    assert!(
        fx.iter()
            .all(|e| !matches!(e, Effect::Api(c) if is_list(c)))
    );
    let fx = update(&mut app, key('G'));
    assert!(matches!(
        commands(&fx).as_slice(),
        [Command::ListTickets { after: Some(a), .. }] if a == "1251"
    ));
}

#[test]
fn the_backoff_countdown_redraws_as_the_clock_moves_and_only_then() {
    let mut app = loaded(160, 48, 10, false);
    let until = app.now + SignedDuration::from_millis(2_500);
    update(
        &mut app,
        Msg::Worker(Event::Status(crate::protocol::WorkerStatus {
            in_flight: 3,
            backoff_until: Some(until),
            ..Default::default()
        })),
    );
    app.dirty = false;
    tick(&mut app, 100);
    assert!(!app.dirty, "still 3s: nothing to redraw");
    tick(&mut app, 500);
    assert!(app.dirty, "3s -> 2s");
    app.dirty = false;
    tick(&mut app, 2_000);
    assert!(app.dirty, "over: the notice goes");
    app.dirty = false;
    tick(&mut app, 1_000);
    assert!(!app.dirty, "idle: no redraw at the tick rate");
}

#[test]
fn mark_all_in_a_partly_loaded_view_says_so_and_can_load_and_mark_the_rest() {
    let mut app = loaded(160, 48, 100, true);
    update(&mut app, key('V'));
    assert_eq!(app.list.marked().len(), 100);
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text == "100 marked: only loaded rows, the view has more"),
        "{:?}",
        app.toast
    );
    let dialog = app.confirm.as_ref().expect("the rest is offered");
    assert_eq!(dialog.button, confirm::Button::Cancel);
    // Yes: the next page is asked for and marked as it arrives, to the last page.
    let fx = update(&mut app, key('y'));
    let req = req_of(&fx, is_list);
    let fx = update(&mut app, listed(req, tickets(1101..=1200), Some("1201")));
    assert_eq!(app.list.marked().len(), 200);
    let req = req_of(&fx, is_list);
    let fx = update(&mut app, listed(req, tickets(1201..=1250), None));
    assert!(commands(&fx).iter().all(|c| !is_list(c)), "no more pages");
    assert_eq!(app.list.marked().len(), 250);
    assert_eq!(
        app.toast.as_ref().map(|t| t.text.as_str()),
        Some("all 250 tickets of the view marked")
    );
    // V clears them all.
    update(&mut app, key('V'));
    assert!(app.list.marked().is_empty());
}

#[test]
fn mark_all_declined_keeps_only_the_loaded_rows_marked_and_loads_nothing() {
    let mut app = loaded(160, 48, 100, true);
    update(&mut app, key('V'));
    let fx = update(&mut app, key('n'));
    assert!(commands(&fx).is_empty());
    assert_eq!(app.list.marked().len(), 100);
    assert!(app.confirm.is_none());
    assert_eq!(
        app.toast.as_ref().map(|t| t.text.as_str()),
        Some("100 marked: only loaded rows, the view has more")
    );
    // A fully loaded list is marked at once, with no offer.
    let mut app = loaded(160, 48, 30, false);
    update(&mut app, key('V'));
    assert_eq!(app.list.marked().len(), 30);
    assert!(app.confirm.is_none());
}

#[test]
fn a_bulk_edit_of_fifty_or_more_needs_the_count_typed() {
    let mut app = loaded(160, 48, 60, false);
    update(&mut app, key('V'));
    update(&mut app, key('e'));
    for c in "prio".chars() {
        update(&mut app, key(c));
    }
    update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.modals.form().map(|f| f.bulk.len()), Some(60));
    // Pick the first option and save: the dialog asks for 60 to be typed.
    let fx = update(&mut app, code(KeyCode::Enter));
    assert!(commands(&fx).is_empty());
    let dialog = app.confirm.as_ref().expect("confirmation");
    assert_eq!(dialog.must_type().as_deref(), Some("60"));
    assert!(
        commands(&update(&mut app, key('y'))).is_empty(),
        "a bare y is not enough"
    );
    for c in "59".chars() {
        update(&mut app, key(c));
    }
    assert!(
        commands(&update(&mut app, key('y'))).is_empty(),
        "59 is not 60"
    );
    update(&mut app, code(KeyCode::Backspace));
    update(&mut app, code(KeyCode::Backspace));
    for c in "60".chars() {
        update(&mut app, key(c));
    }
    match commands(&update(&mut app, key('y'))).as_slice() {
        [Command::BatchUpdate { ids, .. }] => assert_eq!(ids.len(), 60),
        other => panic!("expected one BatchUpdate, got {other:?}"),
    }
}

#[test]
fn a_browser_that_did_not_open_is_said_and_copying_the_url_is_offered() {
    let mut app = loaded(160, 48, 10, false);
    let fx = update(
        &mut app,
        Msg::OpenFailed {
            url: "https://app.hubspot.com/contacts/1/record/0-5/1001".into(),
            why: "cannot run xdg-open: No such file or directory".into(),
        },
    );
    assert!(fx.is_empty());
    let dialog = app.confirm.as_ref().expect("a dialog");
    assert_eq!(dialog.button, confirm::Button::Cancel);
    let body = dialog.body().join("\n");
    assert!(body.contains("cannot run xdg-open"), "{body}");
    assert!(body.contains("record/0-5/1001"), "{body}");
    let fx = update(&mut app, key('y'));
    assert_eq!(
        fx,
        vec![Effect::Clipboard(
            "https://app.hubspot.com/contacts/1/record/0-5/1001".into()
        )]
    );
}

/// Keys, pastes and drawing follow one stack: whatever opened last is drawn on top and gets
/// the next key; closing it hands both back to the one beneath.
#[test]
fn the_modal_opened_last_is_drawn_on_top_and_gets_keys_and_pastes() {
    let mut app = loaded(100, 30, 5, false);
    update(&mut app, key('s'));
    assert_eq!(app.top_layer(), Layer::SearchForm);
    app.modals.open(views_flow::PickerModal {
        kind: views_flow::PickerKind::View,
        title: "Switch view".to_owned(),
        picker: edit::Picker::new(
            vec![edit::Choice {
                value: "0".to_owned(),
                label: "All tickets".to_owned(),
            }],
            false,
            "0",
        ),
    });
    assert_eq!(
        app.layers(),
        vec![Layer::Base, Layer::SearchForm, Layer::Picker]
    );
    assert_eq!(app.top_layer(), Layer::Picker);
    let drawn = |app: &App| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
        t.draw(|f| crate::ui::draw(f, app)).unwrap();
        crate::ui::buffer_text(t.backend().buffer())
    };
    assert!(drawn(&app).contains("Switch view"), "{}", drawn(&app));
    // A paste filters the picker, not a field of the search form beneath.
    update(&mut app, Msg::Paste("All".to_owned()));
    assert_eq!(app.modals.picker().unwrap().picker.query, "All");
    update(&mut app, code(KeyCode::Esc));
    assert_eq!(
        app.top_layer(),
        Layer::SearchForm,
        "Esc closed the picker only"
    );
    assert!(!drawn(&app).contains("Switch view"));
    // A confirmation sits over every modal, and help over everything.
    update(
        &mut app,
        Msg::OpenFailed {
            url: "https://example.invalid/".to_owned(),
            why: "no browser".to_owned(),
        },
    );
    assert_eq!(app.top_layer(), Layer::Confirm);
    assert_eq!(app.context(), crate::keymap::Context::Confirm);
    app.overlay = Some(Overlay::Help { scroll: 0 });
    assert_eq!(
        app.layers(),
        vec![
            Layer::Base,
            Layer::SearchForm,
            Layer::Confirm,
            Layer::Overlay
        ]
    );
    assert_eq!(
        app.context(),
        crate::keymap::Context::Confirm,
        "help reads over it"
    );
}

/// `T` walks the view from the selected ticket: `x` skips to the next, `K` goes back, acting
/// on the ticket on screen opens the next, and `Esc` ends with a summary of what was done.
#[test]
fn triage_walks_the_view_and_sums_up_what_was_done() {
    let mut app = loaded(160, 48, 5, false);
    update(&mut app, key('j'));
    let fx = update(&mut app, key('T'));
    let walk = app.triage.as_ref().expect("walking");
    assert_eq!(walk.current(), Some("1002"), "from the selected ticket");
    assert_eq!(walk.ids.len(), 5);
    assert_eq!(app.context(), crate::keymap::Context::Triage);
    let cmds = commands(&fx);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::GetTicket { id, .. } if id == "1002")),
        "{cmds:?}"
    );
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::LoadActivities { ticket_id, .. } if ticket_id == "1002")),
        "the latest activities are read beside the properties: {cmds:?}"
    );
    // x skips.
    let fx = update(&mut app, key('x'));
    assert_eq!(app.triage.as_ref().unwrap().current(), Some("1003"));
    assert!(
        commands(&fx)
            .iter()
            .any(|c| matches!(c, Command::GetTicket { id, .. } if id == "1003"))
    );
    // K goes back; the list's selection follows the walk, never the other way round.
    update(&mut app, key('K'));
    assert_eq!(app.triage.as_ref().unwrap().current(), Some("1002"));
    assert_eq!(app.list.selected_id(), Some("1002"));
    assert_eq!(app.detail.ticket_id.as_deref(), Some("1002"));
    // Acting on the ticket on screen opens the next; acting on another only records it.
    triage::acted(&mut app, "1002", triage::Done::Macro("Escalate".to_owned()));
    assert_eq!(app.triage.as_ref().unwrap().current(), Some("1003"));
    triage::acted(&mut app, "1001", triage::Done::Activity("note"));
    assert_eq!(app.triage.as_ref().unwrap().current(), Some("1003"));
    // Keys of the detail still work in the walk (j moves the property cursor, not the walk).
    update(&mut app, key('j'));
    assert_eq!(app.triage.as_ref().unwrap().current(), Some("1003"));
    // A skipped ticket acted on later counts as acted on, not skipped.
    update(&mut app, key('x'));
    // Esc ends it: the summary, and the list again on the ticket where it stopped.
    update(&mut app, code(KeyCode::Esc));
    assert!(app.triage.is_none());
    assert_eq!(app.focus, Focus::List);
    let Some((title, body)) = (match &app.overlay {
        Some(Overlay::Reader(r)) => Some((&r.title, &r.text)),
        _ => None,
    }) else {
        panic!("a summary: {:?}", app.overlay);
    };
    assert!(title.contains("Triage of"), "{title}");
    assert!(body.contains("Acted on 2 tickets"), "{body}");
    assert!(body.contains("macro Escalate: 1 time"), "{body}");
    assert!(body.contains("note written: 1 time"), "{body}");
    assert!(body.contains("Skipped 1: #1003\n"), "{body}");
    assert_eq!(app.list.selected_id(), Some("1004"));
}

/// Past the last loaded ticket the walk asks for the view's next page and goes on there.
#[test]
fn triage_goes_on_into_the_next_page() {
    let mut app = loaded(160, 48, 3, true);
    let fx = update(&mut app, key('T'));
    let _ = fx;
    // Near the end of what is loaded, the next page is on its way.
    let Loadable::Loading(req) = app.list_load else {
        panic!("next page asked for: {:?}", app.list_load);
    };
    update(&mut app, listed(req, fixtures::tickets(1004..=1006), None));
    assert_eq!(app.triage.as_ref().unwrap().ids.len(), 6);
    for _ in 0..3 {
        update(&mut app, key('x'));
    }
    assert_eq!(app.triage.as_ref().unwrap().current(), Some("1004"));
}
