//! Snapshots of the note, call and task forms at 80×24 and 160×48: each filled in as a user
//! would, through `update` with the worker's answers (the ticket's contact and company
//! loaded), and a note HubSpot refused (its field error and correlation ID kept).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::tests::fixtures::*;
use crate::app::{App, Effect, Msg, update};
use crate::domain::{ActivityOptions, PropertyOption};
use crate::protocol::{Command, Event};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn screen(app: &App, (w, h): (u16, u16)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| super::draw(f, app)).unwrap();
    super::buffer_text(terminal.backend().buffer())
}

fn snap(name: &str, build: impl Fn((u16, u16)) -> App) {
    for size in SIZES {
        let app = build(size);
        insta::assert_snapshot!(format!("{name}_{}x{}", size.0, size.1), screen(&app, size));
    }
}

/// Ticket 1001 open on the Activity tab, the form of `k` open with the ticket's contact and
/// company ticked; `me` is Ben Carter; a call's outcomes loaded.
fn form(size: (u16, u16), k: char) -> App {
    let mut app = loaded(size.0, size.1, 10, false);
    app.me = Some("ben@example.com".into());
    update(&mut app, code(KeyCode::Enter));
    let fx = update(&mut app, key('4'));
    let req = req_of(&fx, |c| matches!(c, Command::LoadActivities { .. }));
    update(
        &mut app,
        Msg::Worker(Event::ActivitiesLoaded {
            req,
            ticket_id: "1001".into(),
            items: activities(),
        }),
    );
    let fx = update(&mut app, key(k));
    if k == 'c' {
        let req = req_of(&fx, |c| matches!(c, Command::LoadActivityOptions { .. }));
        let call_outcomes = ["Busy", "Connected", "Left live message", "Left voicemail"]
            .iter()
            .enumerate()
            .map(|(i, label)| PropertyOption {
                label: (*label).into(),
                value: format!("outcome-{i}"),
                hidden: false,
                display_order: i32::try_from(i).unwrap(),
            })
            .collect();
        update(
            &mut app,
            Msg::Worker(Event::ActivityOptionsLoaded {
                req,
                options: ActivityOptions { call_outcomes },
            }),
        );
    }
    let req = req_of(&fx, |c| matches!(c, Command::LoadAssociations { .. }));
    update(
        &mut app,
        Msg::Worker(Event::AssociationsLoaded {
            req,
            ticket_id: "1001".into(),
            items: associations(),
        }),
    );
    app
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        match c {
            '\n' => update(app, code(KeyCode::Enter)),
            c => update(app, key(c)),
        };
    }
}

#[test]
fn note_form() {
    snap("activity_note", |size| {
        let mut app = form(size, 'n');
        typed(
            &mut app,
            "3階のプリンターを確認しました。\nToner replaced; see https://example.com/kb?id=7&lang=ja",
        );
        update(&mut app, code(KeyCode::Tab));
        update(&mut app, code(KeyCode::Tab));
        update(&mut app, key(' '));
        app
    });
}

#[test]
fn call_form() {
    snap("activity_call", |size| {
        let mut app = form(size, 'c');
        typed(&mut app, "Callback about the smoke\n");
        update(&mut app, code(KeyCode::Down));
        update(&mut app, code(KeyCode::Enter));
        update(&mut app, code(KeyCode::Down));
        app
    });
}

#[test]
fn task_form() {
    snap("activity_task", |size| {
        let mut app = form(size, 't');
        typed(&mut app, "Check the printer again\n");
        for _ in 0..3 {
            update(&mut app, code(KeyCode::Tab));
        }
        typed(&mut app, "If it smokes again, call the vendor.");
        app
    });
}

#[test]
fn note_refused_by_hubspot() {
    snap("activity_note_refused", |size| {
        let mut app = form(size, 'n');
        typed(&mut app, "A note HubSpot will not take");
        let fx = update(&mut app, ctrl('s'));
        let req = fx
            .iter()
            .find_map(|e| match e {
                Effect::Api(c @ Command::CreateActivity { .. }) => Some(c.req()),
                _ => None,
            })
            .expect("sent");
        let mut refusal = failure(
            400,
            "HTTP 400 VALIDATION_ERROR: Property values were not valid",
        );
        refusal.field_errors = vec![(
            "hs_note_body".into(),
            "hs_note_body is longer than 65536 characters".into(),
        )];
        refusal.correlation_id = Some("4f1c9a2e-0b7d-4c55-9a61-3e2f8d7b1c04".into());
        update(
            &mut app,
            Msg::Worker(Event::Failed {
                req,
                failure: refusal,
            }),
        );
        app
    });
}
