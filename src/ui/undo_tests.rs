//! Render tests of the undo dialog (what is put back, a colleague's change with its choice)
//! and the log of writes, at 80×24 and 120×40, as insta snapshots (`snapshots/`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::app::tests::fixtures::*;
use crate::app::{App, Effect, Msg, update};
use crate::protocol::journal::{
    Entry, Logged, ObjectRef, Outcome, PropertyChange, UndoPlan, WriteKind,
};
use crate::protocol::{Command, Event};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn snap(name: &str, build: impl Fn(u16, u16) -> App) {
    for (w, h) in SIZES {
        let app = build(w, h);
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| super::draw(f, &app)).unwrap();
        let text = super::buffer_text(terminal.backend().buffer());
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), text);
    }
}

/// A macro's bulk edit of 1001..=1003 (priority Low → High) and its notes.
fn macro_entries() -> Vec<Entry> {
    let change = |t: &str| PropertyChange {
        ticket: t.to_owned(),
        property: "hs_ticket_priority".to_owned(),
        before: Some("LOW".to_owned()),
        after: Some("HIGH".to_owned()),
    };
    let base = |req: u64, kind| Entry {
        id: format!("20261201T100000p1-{req}"),
        at: "2026-12-01T10:00:00Z".to_owned(),
        run: "20261201T100000p1".to_owned(),
        kind,
        tickets: vec!["1001".into(), "1002".into(), "1003".into()],
        properties: Vec::new(),
        associations: Vec::new(),
        created: Vec::new(),
        deleted: Vec::new(),
        undoes: None,
    };
    let mut update = base(100, WriteKind::BulkEdit);
    update.properties = ["1001", "1002", "1003"].map(change).to_vec();
    let mut notes = base(101, WriteKind::Notes);
    notes.created = ["1001", "1002", "1003"]
        .iter()
        .enumerate()
        .map(|(i, t)| ObjectRef {
            kind: "notes".into(),
            id: format!("90{i}"),
            ticket: Some((*t).to_owned()),
        })
        .collect();
    vec![update, notes]
}

fn with_journal(w: u16, h: u16) -> App {
    let mut app = loaded(w, h, 10, false);
    let mut first = None;
    for req in [100, 101] {
        app.journal.same_action(&mut first, req);
    }
    for (i, e) in macro_entries().into_iter().enumerate() {
        let outcome = if i == 0 {
            Outcome::Applied {
                failed: Vec::new(),
                correlation_ids: Vec::new(),
            }
        } else {
            Outcome::Unknown {
                why: "timed out; reading back: HTTP 502".into(),
            }
        };
        update(
            &mut app,
            Msg::Worker(Event::Journaled(Box::new(Logged {
                entry: e,
                outcome: Some(outcome),
                resolved: i == 1,
            }))),
        );
    }
    app
}

#[test]
fn undo_dialog_with_a_colleagues_change() {
    snap("undo_dialog", |w, h| {
        let mut app = with_journal(w, h);
        let fx = update(&mut app, key('z'));
        let req = match fx.as_slice() {
            [Effect::Api(Command::PrepareUndo { req, .. })] => *req,
            other => panic!("{other:?}"),
        };
        let plan = UndoPlan::new(&macro_entries(), |t, _| {
            Some(if t == "1002" { "URGENT" } else { "HIGH" }.to_owned())
        });
        update(
            &mut app,
            Msg::Worker(Event::UndoPrepared {
                req,
                plan: Box::new(plan),
            }),
        );
        app
    });
}

#[test]
fn the_log_of_writes() {
    snap("write_log", |w, h| {
        let mut app = with_journal(w, h);
        update(&mut app, key('L'));
        app
    });
}
