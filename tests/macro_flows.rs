//! Macros end to end, headless: the start-up check against the sandbox (the real requests),
//! then the real event loop, worker and client, keys in; every change read back from the
//! sandbox through the API (the ticket's properties, its notes and their bodies, the pin).
//! And the binary refusing a bad macro before it takes the terminal: one line each, exit 2.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tui.rs"]
mod tui;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};

use crossterm::event::KeyCode;
use hubtix::hubspot::{Client, GetQuery, SimplePublicObject};
use hubtix::keymap::Keymap;
use hubtix::macros::{Macro, MacroDef};
use hubtix::sandbox::SandboxConfig;
use tui::Harness;

const CONFIG: &str = r#"
[[macros]]
name = "Escalate"
key = "E"
set = { hs_ticket_priority = "URGENT", hs_pipeline_stage = "label:Waiting on us" }
note = "Escalated to tier 2 — {subject} (for {contact})"

[[macros]]
name = "Flag"
key = "F"
note = "Watching #{id}"
pin = true
"#;

fn defs(text: &str) -> Vec<MacroDef> {
    hubtix::config::Config::parse(text, Path::new("config.toml"))
        .expect("parses")
        .macros
        .expect("macros")
}

/// The macros of `defs` as the binary checks them at start (`None`: the defaults).
async fn checked(client: &Client, defs: Option<&[MacroDef]>, me: Option<&str>) -> Vec<Macro> {
    hubtix::runtime::check_macros(client, defs, me, &Keymap::default(), "config.toml")
        .await
        .expect("valid macros")
}

/// Puts tickets in the Support Pipeline, stage New, priority Low (as a colleague would).
async fn in_support_pipeline(client: &Client, ids: &[&str]) {
    for id in ids {
        let props = BTreeMap::from([
            ("hs_pipeline".to_owned(), "0".to_owned()),
            ("hs_pipeline_stage".to_owned(), "1".to_owned()),
            ("hs_ticket_priority".to_owned(), "LOW".to_owned()),
        ]);
        client
            .update_ticket(id, &props, None)
            .await
            .expect("set up");
    }
}

async fn props(client: &Client, id: &str, names: &[&str]) -> Vec<String> {
    let t = client
        .get_ticket(id, &GetQuery::properties(names))
        .await
        .expect("read the ticket");
    names
        .iter()
        .map(|n| t.property(n).unwrap_or_default().to_owned())
        .collect()
}

/// The ticket's notes as text, by note ID.
async fn notes(client: &Client, id: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for a in client
        .associations("tickets", id, "notes")
        .await
        .expect("the ticket's notes")
    {
        let note: SimplePublicObject = client
            .get_object(
                "notes",
                &a.to_object_id,
                &GetQuery::properties(&["hs_note_body"]),
            )
            .await
            .expect("read the note");
        let body = hubtix::text::html_to_text(note.property("hs_note_body").unwrap_or_default());
        out.insert(a.to_object_id, body);
    }
    out
}

/// The names `{contact}` may read for a ticket ("First Last" of each contact).
async fn contact_names(client: &Client, id: &str) -> Vec<String> {
    let mut names = Vec::new();
    for a in client
        .associations("tickets", id, "contacts")
        .await
        .expect("contacts")
    {
        let c: SimplePublicObject = client
            .get_object(
                "contacts",
                &a.to_object_id,
                &GetQuery::properties(&["firstname", "lastname"]),
            )
            .await
            .expect("contact");
        let part = |n: &str| c.property(n).unwrap_or_default().to_owned();
        names.push(format!("{} {}", part("firstname"), part("lastname")));
    }
    names
}

/// The TUI (160×48) against a sandbox of 30 tickets, 1001..=1003 in the Support Pipeline,
/// with the macros of [`CONFIG`] checked as at start.
async fn start() -> Harness {
    let sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 30,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let client = tui::client_for(&sandbox, "demo-token");
    in_support_pipeline(&client, &["1001", "1002", "1003"]).await;
    let macros = checked(&client, Some(&defs(CONFIG)), None).await;
    let mut h = Harness::attach_configured(sandbox, client, 160, 48, move |app| {
        app.set_macros(macros);
    });
    h.wait_until("ticket 1001's detail", |s| {
        s.contains("┌ #1001 ") && s.contains("Ticket name")
    })
    .await;
    h
}

/// The issue's example: a macro's key on the selected ticket changes it in one update and
/// adds its note, the placeholders filled; the status line says so.
#[tokio::test(flavor = "multi_thread")]
async fn a_macro_key_changes_the_ticket_and_adds_its_note() {
    let mut h = start().await;
    let before = notes(&h.client, "1001").await;
    h.key(KeyCode::Char('E'));
    h.wait_text("Escalate on #1001: Priority → Urgent, Stage → Waiting on us; note added")
        .await;
    assert_eq!(
        props(
            &h.client,
            "1001",
            &["hs_ticket_priority", "hs_pipeline_stage"]
        )
        .await,
        ["URGENT", "3"]
    );
    let after = notes(&h.client, "1001").await;
    let added: Vec<&String> = after
        .iter()
        .filter(|(id, _)| !before.contains_key(*id))
        .map(|(_, body)| body)
        .collect();
    assert_eq!(added.len(), 1, "one note: {after:?}");
    let contacts = contact_names(&h.client, "1001").await;
    assert!(!contacts.is_empty(), "the seed gives 1001 a contact");
    assert!(
        contacts
            .iter()
            .any(|c| *added[0] == format!("Escalated to tier 2 — プリンターが燃えている (for {c})")),
        "{added:?} names one of {contacts:?}"
    );
    h.quit().await;
}

/// On marked tickets: the confirmation, then one note per ticket, each pinned.
#[tokio::test(flavor = "multi_thread")]
async fn a_macro_on_marked_tickets_adds_and_pins_a_note_on_each() {
    let mut h = start().await;
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Char(' '));
    h.wait_text("2 marked").await;
    h.key(KeyCode::Char('F'));
    h.wait_text("Apply Flag to 2 tickets?").await;
    assert!(
        notes(&h.client, "1002")
            .await
            .values()
            .all(|b| !b.starts_with("Watching")),
        "nothing before the yes"
    );
    h.key(KeyCode::Char('y'));
    h.wait_text("Flag on 2 tickets: 2 notes added and pinned")
        .await;
    for id in ["1002", "1003"] {
        let notes = notes(&h.client, id).await;
        let (note_id, _) = notes
            .iter()
            .find(|(_, body)| **body == format!("Watching #{id}"))
            .unwrap_or_else(|| panic!("#{id}'s note: {notes:?}"));
        assert_eq!(
            props(&h.client, id, &["hs_pinned_engagement_id"]).await[0],
            *note_id,
            "#{id}: its note is pinned"
        );
    }
    h.quit().await;
}

/// The defaults fit the sandbox's (and the demo's) default pipeline.
#[tokio::test(flavor = "multi_thread")]
async fn the_defaults_fit_the_sandboxs_default_pipeline() {
    let sandbox = hubtix::sandbox::spawn(SandboxConfig::default())
        .await
        .expect("sandbox");
    let client = tui::client_for(&sandbox, "demo-token");
    let defaults = checked(&client, None, Some(hubtix::sandbox::DEMO_ME)).await;
    let summary: Vec<(String, String)> = defaults
        .iter()
        .map(|m| (m.name.clone(), m.summary()))
        .collect();
    assert_eq!(summary.len(), 3, "{summary:?}");
    assert_eq!(summary[0].0, "Assign to me");
    assert!(summary[0].1.starts_with("Owner → "), "{summary:?}");
    assert_eq!(
        summary[1..],
        [
            ("Close as resolved".to_owned(), "Stage → Closed".to_owned()),
            (
                "Waiting on contact".to_owned(),
                "Stage → Waiting on contact".to_owned()
            ),
        ]
    );
    sandbox.shutdown().await;
}

/// The macros shown in `assets/config.example.toml` pass the check against the sandbox.
#[tokio::test(flavor = "multi_thread")]
async fn the_example_macros_are_valid() {
    let example = include_str!("../assets/config.example.toml");
    let from = example.find("# [[macros]]").expect("an example macro");
    let text: String = example[from..]
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or("")))
        .collect();
    let sandbox = hubtix::sandbox::spawn(SandboxConfig::default())
        .await
        .expect("sandbox");
    let client = tui::client_for(&sandbox, "demo-token");
    let macros = checked(&client, Some(&defs(&text)), None).await;
    let names: Vec<&str> = macros.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Escalate", "Thank and close"]);
    sandbox.shutdown().await;
}

/// `hubtix --demo` with `config` in its config folder (stdin not a terminal).
fn demo_with_config(dir: &Path, config: &str) -> std::process::Output {
    std::fs::write(dir.join("config.toml"), config).unwrap();
    Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .arg("--demo")
        .env_clear()
        .env("HUBTIX_CONFIG_DIR", dir)
        .env("HUBTIX_DATA_DIR", dir)
        .env("HUBTIX_CACHE_DIR", dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A macro the portal cannot take stops the start before the terminal is taken: one line per
/// problem on stderr, naming the file, the line, the macro and the field; exit code 2.
#[test]
fn a_bad_macro_is_one_clear_line_and_exit_2_before_the_terminal() {
    let dirs = tempfile::tempdir().unwrap();
    let path = dirs.path().join("config.toml").display().to_string();
    let cases: [(&str, Vec<String>); 2] = [
        (
            "[[macros]]\nname = \"Escalate\"\nkey = \"E\"\nset = { hs_ticket_priority = \"urgent\" }\n",
            vec![format!(
                "hubtix: {path} line 1: macro \"Escalate\": set.hs_ticket_priority: \"urgent\" \
                 is not an option of Priority (options: LOW, MEDIUM, HIGH, URGENT)"
            )],
        ),
        (
            "me = \"nobody@example.com\"\n\n[[macros]]\nname = \"Mine\"\nkey = \"j\"\n\
             set = { hubspot_owner_id = \"@me\", hs_pipeline_stage = \"label:Solved\" }\n",
            vec![
                format!(
                    "hubtix: {path} line 3: macro \"Mine\": key: \"j\" already does `down` in \
                     the list (keys come first; choose another key, or unbind it in \
                     [keys.list])"
                ),
                format!(
                    "hubtix: {path} line 3: macro \"Mine\": set.hubspot_owner_id: \"@me\": me = \
                     \"nobody@example.com\" in config.toml is no owner of this portal (its \
                     email or owner ID)"
                ),
                format!(
                    "hubtix: {path} line 3: macro \"Mine\": set.hs_pipeline_stage: \
                     \"label:Solved\" is no stage of any pipeline (stages: New, Waiting on \
                     contact, Waiting on us, Closed, Triage, Engineering investigating, Fix \
                     scheduled, Resolved)"
                ),
            ],
        ),
    ];
    for (config, lines) in cases {
        let out = demo_with_config(dirs.path(), config);
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{config}: {err}");
        let shown: Vec<&str> = err.lines().collect();
        assert_eq!(shown, *lines, "one line per problem, in order");
        assert!(out.stdout.is_empty(), "the terminal was not touched");
        assert!(!err.contains("terminal"), "before the terminal: {err}");
    }
}
