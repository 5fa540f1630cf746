//! Render tests of the macros: the picker (`m`: each row its key, name and what it changes),
//! narrowed by typing, and the confirmation on marked tickets, at 80×24 and 160×48 as insta
//! snapshots (`snapshots/`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::tests::fixtures::*;
use crate::app::{App, update};
use crate::macros::{Check, from_config};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

const CONFIG: &str = r#"
[[macros]]
name = "Escalate"
key = "E"
set = { hs_ticket_priority = "URGENT", hs_pipeline_stage = "label:Waiting on us" }
note = "Escalated to tier 2 — {subject}"

[[macros]]
name = "Hand to billing"
key = "B"
set = { hubspot_owner_id = "ben@example.com", hs_ticket_category = "BILLING_ISSUE" }
note = "Hi {contact}, our billing team has your ticket #{id} now."
pin = true

[[macros]]
name = "Close as resolved"
set = { hs_pipeline_stage = "4" }
"#;

/// Tickets 1001..=1010 loaded at `w`×`h`, the macros of [`CONFIG`] in force.
fn app(w: u16, h: u16) -> App {
    let mut app = loaded(w, h, 10, false);
    let defs = crate::config::Config::parse(CONFIG, Path::new("config.toml"))
        .unwrap()
        .macros
        .unwrap();
    let check = Check {
        catalog: &app.catalog,
        me: None,
        keymap: &app.keymap,
        source_name: "config.toml",
    };
    let macros = from_config(Some(&defs), &check).unwrap();
    app.set_macros(macros);
    app
}

fn snap(name: &str, build: impl Fn(u16, u16) -> App) {
    for (w, h) in SIZES {
        let app = build(w, h);
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| super::draw(f, &app)).unwrap();
        let text = super::buffer_text(terminal.backend().buffer());
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

#[test]
fn macro_picker() {
    snap("macro_picker", |w, h| {
        let mut app = app(w, h);
        update(&mut app, key('m'));
        app
    });
}

#[test]
fn macro_picker_filtered() {
    snap("macro_picker_filtered", |w, h| {
        let mut app = app(w, h);
        update(&mut app, key('m'));
        type_text(&mut app, "bill");
        app
    });
}

#[test]
fn macro_confirmation_on_marked_tickets() {
    snap("macro_confirm_marked", |w, h| {
        let mut app = app(w, h);
        for _ in 0..4 {
            update(&mut app, code(KeyCode::Char(' ')));
        }
        update(&mut app, key('B'));
        app
    });
}
