//! A macro end to end in a real terminal: `hubtix sandbox` as a child process, the real
//! `hubtix` binary in tmux with a `[[macros]]` in its config.toml, the macro's key pressed;
//! the ticket's properties and its new note read back from the sandbox through the API.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use std::collections::{BTreeMap, BTreeSet};

use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, SimplePublicObject};
use tmux::{Sandbox, Tmux, detail_id, tmux_available};

const CONFIG: &str = r#"
[[macros]]
name = "Escalate"
key = "E"
set = { hs_ticket_priority = "URGENT", hs_pipeline_stage = "label:Waiting on us" }
note = "Escalated to tier 2 — {subject}"
"#;

/// The IDs of a ticket's notes.
fn notes(rt: &tokio::runtime::Runtime, client: &Client, id: &str) -> BTreeSet<String> {
    rt.block_on(client.associations("tickets", id, "notes"))
        .expect("the ticket's notes")
        .into_iter()
        .map(|a| a.to_object_id)
        .collect()
}

#[test]
fn a_macro_key_in_config_toml_changes_the_ticket_and_adds_its_note() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(50);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = Client::new(ClientConfig::new(
        sandbox.url.clone(),
        AccessToken::new("demo-token"),
    ))
    .expect("client");
    // The first ticket in the Support Pipeline, where the macro's stage is.
    let setup = BTreeMap::from([
        ("hs_pipeline".to_owned(), "0".to_owned()),
        ("hs_pipeline_stage".to_owned(), "1".to_owned()),
        ("hs_ticket_priority".to_owned(), "LOW".to_owned()),
    ]);
    rt.block_on(client.update_ticket("1001", &setup, None))
        .expect("set up");
    let before = notes(&rt, &client, "1001");

    let t = Tmux::start("macro", 140, 40, &[]);
    std::fs::write(t.config_dir().join("config.toml"), CONFIG).expect("config.toml");
    let s = t.launch(&sandbox);
    assert_eq!(detail_id(&s).as_deref(), Some("1001"), "{s}");
    t.keys(&["E"]);
    t.wait_text("Escalate on #1001: Priority → Urgent, Stage → Waiting on us; note added");

    let q = GetQuery::properties(&["hs_ticket_priority", "hs_pipeline_stage", "subject"]);
    let ticket = rt
        .block_on(client.get_ticket("1001", &q))
        .expect("read the ticket");
    assert_eq!(ticket.property("hs_ticket_priority"), Some("URGENT"));
    assert_eq!(ticket.property("hs_pipeline_stage"), Some("3"));
    let added: Vec<String> = notes(&rt, &client, "1001")
        .difference(&before)
        .cloned()
        .collect();
    assert_eq!(added.len(), 1, "one note added");
    let note: SimplePublicObject = rt
        .block_on(client.get_object("notes", &added[0], &GetQuery::properties(&["hs_note_body"])))
        .expect("read the note");
    assert_eq!(
        hubtix::text::html_to_text(note.property("hs_note_body").unwrap_or_default()),
        format!(
            "Escalated to tier 2 — {}",
            ticket.property("subject").unwrap_or_default()
        )
    );

    t.keys(&["q"]);
    t.wait_for("the shell prompt after quitting", |s| {
        !s.contains("Tickets")
    });
    assert!(!t.alternate_screen(), "the terminal is given back");
}

/// A macro with `@me` and no `me` in config.toml: hubtix starts; the first time the macro's key
/// is pressed the owner picker asks who "me" is; the answer is saved into config.toml and the
/// macro runs with it: the ticket's owner, read back through the API, is the one chosen.
#[test]
fn a_macro_with_at_me_and_no_me_asks_once_saves_it_and_runs() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(50);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = Client::new(ClientConfig::new(
        sandbox.url.clone(),
        AccessToken::new("demo-token"),
    ))
    .expect("client");
    let email = "david.okafor@hubtix-demo.example.com";
    let david = rt
        .block_on(client.owners())
        .expect("the owners")
        .into_iter()
        .find(|o| o.email.as_deref() == Some(email))
        .expect("David is an owner")
        .id;

    let t = Tmux::start("macro-me", 140, 40, &[]);
    let config = t.config_dir().join("config.toml");
    std::fs::write(
        &config,
        "[[macros]]\nname = \"Take\"\nkey = \"X\"\nset = { hubspot_owner_id = \"@me\" }\n",
    )
    .expect("config.toml");
    let s = t.launch(&sandbox);
    let id = detail_id(&s).expect("a ticket on view");
    let owner = |rt: &tokio::runtime::Runtime| {
        let q = GetQuery::properties(&["hubspot_owner_id"]);
        rt.block_on(client.get_ticket(&id, &q))
            .expect("read the ticket")
            .property("hubspot_owner_id")
            .map(str::to_owned)
    };
    assert_ne!(
        owner(&rt).as_deref(),
        Some(david.as_str()),
        "not David's yet"
    );
    t.keys(&["X"]);
    t.wait_text("macro \"Take\" needs @me");
    t.text("okafor");
    t.wait_text(email);
    t.keys(&["Enter"]);
    t.wait_text(&format!("Take on #{id}: Owner → David Okafor"));
    assert_eq!(owner(&rt).as_deref(), Some(david.as_str()));
    let saved = std::fs::read_to_string(&config).expect("config.toml");
    assert!(saved.contains(&format!("me = \"{email}\"")), "{saved}");

    t.keys(&["q"]);
    t.wait_for("the shell prompt after quitting", |s| {
        !s.contains("Tickets")
    });
}
