//! End-to-end input: the real `hubtix` binary in tmux against `hubtix sandbox`. A long burst
//! of keys moves exactly as far as it says, with no further key; a bracketed paste lands in
//! the property editor (Japanese and several lines) and is saved, read back through the API.
//!
//! Without tmux these tests say they were skipped and why; with `HUBTIX_REQUIRE_TMUX=1`
//! (set by `.ci/run`) a missing tmux is a failure.

#![allow(clippy::print_stderr)]

#[path = "support/tmux.rs"]
mod tmux;
use tmux::{Sandbox, Tmux, bin, quoted, tmux_available};

/// The ID in the detail pane's title (`┌ #1234 Subject ───`), if one is shown.
fn detail_id(screen: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let rest = &l[l.find("┐┌ #")? + "┐┌ #".len()..];
        let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (!id.is_empty()).then_some(id)
    })
}

/// A ticket property as the sandbox has it now, read over HTTP.
fn read_property(url: &str, id: &str, property: &str) -> String {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let body: serde_json::Value = reqwest::Client::new()
            .get(format!(
                "{url}/crm/v3/objects/tickets/{id}?properties={property}"
            ))
            .bearer_auth("demo-token")
            .send()
            .await
            .expect("the sandbox answers")
            .json()
            .await
            .expect("JSON");
        body["properties"][property]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    })
}

fn start_against(sandbox: &Sandbox, name: &str) -> Tmux {
    let t = Tmux::start(name, 140, 40, &[]);
    t.wait_text("$");
    t.line(&format!(
        "HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={} {}",
        sandbox.url,
        quoted(&bin())
    ));
    t.wait_for("the first ticket's detail", |s| {
        s.contains("Ticket name") && detail_id(s).is_some()
    });
    t
}

#[test]
fn a_burst_of_two_thousand_keys_moves_two_thousand_rows_with_no_further_key() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(2500);
    let t = start_against(&sandbox, "burst");
    // All tickets (the last tab) lists by record ID: 1001, 1002, ...
    t.keys(&["{"]);
    t.wait_text("view: All tickets");
    // Load every page (G at the bottom asks for the next one).
    for _ in 0..40 {
        if t.screen().contains("Tickets 2500 ─") {
            break;
        }
        let before = t.screen();
        t.keys(&["G"]);
        t.wait_for("the next page", |s| {
            s.contains("Tickets 2500 ─") || s.lines().nth(2) != before.lines().nth(2)
        });
    }
    t.wait_text("Tickets 2500 ─");
    t.keys(&["g"]);
    t.wait_for("the top row", |s| detail_id(s).as_deref() == Some("1001"));
    // 2,000 bytes at once: more than the 1,024 a terminal read takes.
    t.keys(&["-N", "2000", "j"]);
    let s = t.wait_for("the 2,001st ticket selected", |s| {
        detail_id(s).as_deref() == Some("3001")
    });
    assert!(s.contains("Tickets 2500"), "{s}");
    t.keys(&["q"]);
}

#[test]
fn a_bracketed_paste_lands_in_the_property_editor_and_is_saved() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(60);
    let t = start_against(&sandbox, "paste");
    let id = detail_id(&t.screen()).expect("a ticket is shown");
    let before = read_property(&sandbox.url, &id, "content");
    // Into the detail; the cursor starts on Ticket name, the description is next.
    t.keys(&["Enter"]);
    t.keys(&["j"]);
    t.keys(&["e"]);
    t.wait_text(&format!("Edit Ticket description · #{id}"));
    let pasted = "一行目 貼り付け\nsecond line, pasted";
    let file = tempfile::NamedTempFile::new().expect("temp file");
    std::fs::write(file.path(), pasted).expect("write");
    t.tmux(&["load-buffer", file.path().to_str().expect("utf-8 path")]);
    // -p: as a bracketed paste, which the TUI asked the terminal for.
    t.tmux(&["paste-buffer", "-p", "-t", "main"]);
    t.wait_text("second line, pasted");
    t.keys(&["C-s"]);
    t.wait_text(&format!("saved Ticket description on #{id}"));
    assert_eq!(
        read_property(&sandbox.url, &id, "content"),
        format!("{before}{pasted}"),
        "the paste went in at the end of the description, line break kept"
    );
    t.keys(&["q"]);
}

#[test]
fn o_without_a_working_browser_says_why_and_offers_to_copy_the_url() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(20);
    let config = tempfile::tempdir().expect("tempdir");
    std::fs::write(config.path().join("config.toml"), "portal_id = \"4242\"\n").expect("write");
    let config_dir = config.path().display().to_string();
    // `false` starts and exits 1, as xdg-open does when it finds no browser.
    let t = Tmux::start(
        "browser",
        140,
        40,
        &[("HUBTIX_CONFIG_DIR", &config_dir), ("BROWSER", "false")],
    );
    t.wait_text("$");
    t.line(&format!(
        "HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={} {}",
        sandbox.url,
        quoted(&bin())
    ));
    let s = t.wait_for("the first ticket's detail", |s| {
        s.contains("Ticket name") && detail_id(s).is_some()
    });
    let id = detail_id(&s).expect("a ticket");
    t.keys(&["o"]);
    let s = t.wait_text("The browser did not open");
    assert!(s.contains("false could not open it"), "{s}");
    assert!(s.contains(&format!("4242/record/0-5/{id}")), "{s}");
    t.keys(&["y"]);
    t.wait_text("copied the ticket URL");
    t.keys(&["q"]);
}
