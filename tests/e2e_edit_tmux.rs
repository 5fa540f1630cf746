//! End-to-end editing in a real terminal: `hubtix sandbox` as a child process, the real
//! `hubtix` binary in tmux against it, driven by keys; every change read back from the
//! sandbox through the API (`hubtix::hubspot::Client`).
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};
use tmux::{Sandbox, Tmux, bin, quoted, tmux_available};

use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery};

/// Reads one ticket's properties through the API.
fn read(rt: &tokio::runtime::Runtime, client: &Client, id: &str, names: &[&str]) -> Vec<String> {
    let q = GetQuery {
        properties: names.iter().map(|s| (*s).to_owned()).collect(),
        ..GetQuery::default()
    };
    let t = rt
        .block_on(client.get_ticket(id, &q))
        .expect("read the ticket");
    names
        .iter()
        .map(|n| t.properties.get(*n).cloned().flatten().unwrap_or_default())
        .collect()
}

/// On the detail's Properties tab: `j` until `e` opens the editor of `label`.
fn open_editor(t: &Tmux, label: &str) -> String {
    let title = format!(" Edit {label} · #");
    for _ in 0..15 {
        t.keys(&["k"]);
    }
    for _ in 0..60 {
        let before = t.screen();
        t.keys(&["e"]);
        // The answer: the editor, or a new message on the status line saying why not (the
        // screen may also change for other reasons, a reload after a save say).
        let status = |s: &str| {
            s.lines()
                .rfind(|l| !l.trim().is_empty())
                .unwrap_or_default()
                .to_owned()
        };
        let was = status(&before);
        let deadline = Instant::now() + Duration::from_secs(3);
        let s = loop {
            let s = t.screen();
            if s.contains(" Edit ")
                || (says_why(&status(&s)) && status(&s) != was)
                || Instant::now() > deadline
            {
                break s;
            }
            std::thread::sleep(Duration::from_millis(30));
        };
        if !s.contains(" Edit ") && s.contains("still loading") {
            std::thread::sleep(Duration::from_millis(200));
            continue;
        }
        if s.contains(&title) {
            return s;
        }
        if s.contains(" Edit ") {
            // Escape alone, its effect awaited (Escape + key reads as an Alt chord).
            t.keys(&["Escape"]);
            t.wait_for("the editor to close", |s| !s.contains(" Edit "));
        }
        t.keys(&["j"]);
    }
    panic!("no editor for {label}:\n{}", t.screen());
}

/// IDs of the first `n` list rows on screen.
fn first_ids(screen: &str, n: usize) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| {
            let l = l.trim_start_matches(['│', ' ', '>', '●']);
            let id: String = l.chars().take_while(char::is_ascii_digit).collect();
            (id.len() == 4).then_some(id)
        })
        .take(n)
        .collect()
}

#[test]
fn create_edit_stage_and_subject_then_bulk_priority_verified_through_the_api() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(200);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let client = Client::new(ClientConfig::new(
        sandbox.url.clone(),
        AccessToken::new("demo-token"),
    ))
    .expect("client");

    let t = Tmux::start("edit", 140, 40, &[]);
    t.wait_text("$");
    t.line(&format!(
        "HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={} {}",
        sandbox.url,
        quoted(&bin())
    ));
    t.wait_for("the list and a ticket", |s| {
        s.contains("Tickets") && s.contains("Ticket name")
    });

    // Create.
    t.keys(&["n"]);
    t.wait_text(" New ticket ");
    t.tmux(&["send-keys", "-t", "main", "-l", "Scanner jams on page 2"]);
    t.keys(&["Tab", "Tab", "Tab"]);
    t.tmux(&["send-keys", "-t", "main", "-l", "Waiting on contact"]);
    t.wait_text("Waiting on contact");
    t.keys(&["C-s"]);
    let s = t.wait_text("created ticket #");
    let at = s.find("created ticket #").expect("message") + "created ticket #".len();
    let id: String = s[at..].chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(
        read(&rt, &client, &id, &["subject", "hs_pipeline_stage"]),
        ["Scanner jams on page 2", "2"]
    );

    // Edit its subject, then its stage.
    t.keys(&["Enter"]);
    open_editor(&t, "Ticket name");
    for _ in 0..30 {
        t.keys(&["BSpace"]);
    }
    t.tmux(&[
        "send-keys",
        "-t",
        "main",
        "-l",
        "Scanner jams on every page",
    ]);
    t.wait_text("Scanner jams on every page");
    t.keys(&["Enter"]);
    t.wait_text("saved Ticket name");
    open_editor(&t, "Ticket status");
    t.tmux(&["send-keys", "-t", "main", "-l", "Waiting on us"]);
    t.keys(&["Enter"]);
    t.wait_text("saved Ticket status");
    assert_eq!(
        read(&rt, &client, &id, &["subject", "hs_pipeline_stage"]),
        ["Scanner jams on every page", "3"]
    );

    // Bulk: the first three rows get priority Medium.
    t.keys(&["Escape"]);
    t.wait_for("the list to have the focus", |s| {
        s.lines().last().is_some_and(|l| l.contains("/ filter"))
    });
    t.keys(&["g"]);
    std::thread::sleep(Duration::from_millis(300));
    let ids = first_ids(&t.screen(), 3);
    assert_eq!(ids.len(), 3, "{}", t.screen());
    t.keys(&["Space", "Space", "Space"]);
    t.wait_text("3 marked");
    t.keys(&["e"]);
    t.wait_text("Set a property on 3 tickets");
    t.keys(&["Enter"]);
    t.wait_text("Set Priority on 3 tickets");
    t.tmux(&["send-keys", "-t", "main", "-l", "Medium"]);
    let before: Vec<Vec<String>> = ids
        .iter()
        .map(|i| read(&rt, &client, i, &["hs_ticket_priority"]))
        .collect();
    t.keys(&["Enter"]);
    // Nothing is written before the confirmation: old values, new value, count.
    let s = t.wait_text("Set Priority on 3 tickets?");
    assert!(s.contains("will be:  Medium"), "{s}");
    assert!(s.contains("Priority now:"), "{s}");
    let after_ask: Vec<Vec<String>> = ids
        .iter()
        .map(|i| read(&rt, &client, i, &["hs_ticket_priority"]))
        .collect();
    assert_eq!(before, after_ask, "nothing sent before the yes");
    t.keys(&["y"]);
    t.wait_text("set Priority on 3 tickets");
    for i in &ids {
        assert_eq!(
            read(&rt, &client, i, &["hs_ticket_priority"]),
            ["MEDIUM"],
            "#{i}"
        );
    }

    t.keys(&["q"]);
    let s = t.wait_for("the shell prompt after quitting", |s| {
        !s.contains("Tickets")
    });
    assert!(!t.alternate_screen(), "terminal restored:\n{s}");
}

/// The messages `e` answers with when the row under the cursor can't be edited.
fn says_why(screen: &str) -> bool {
    [
        "read-only",
        "can't be edited",
        "choose a property",
        "still loading",
        "not in the property catalogue",
        "no options to choose from",
    ]
    .iter()
    .any(|m| screen.contains(m))
}
