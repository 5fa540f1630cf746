//! The live queue end to end: the real `hubtix` in tmux against `hubtix sandbox`, a change
//! made through the API by "a colleague" reaching the screen without a key (the background
//! sync every `refresh_interval`).
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Api, Sandbox, Tmux, detail_id, tmux_available};

/// IDs of the list rows on screen, top to bottom.
fn row_ids(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| {
            let l = l.trim_start_matches(['│', ' ', '>', '●']);
            let id: String = l.chars().take_while(char::is_ascii_digit).collect();
            (id.len() == 4).then_some(id)
        })
        .collect()
}

#[test]
fn a_subject_changed_through_the_api_appears_without_a_key() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(40);
    let api = Api::new(&sandbox.url);
    let t = Tmux::start("live", 140, 32, &[]);
    std::fs::write(
        t.config_dir().join("config.toml"),
        "refresh_interval = \"2s\"\n",
    )
    .expect("config.toml");
    let screen = t.launch(&sandbox);
    let shown = detail_id(&screen).expect("a detail");
    // A row that is not the detail's: the list itself must change.
    let other = row_ids(&screen)
        .into_iter()
        .find(|id| *id != shown)
        .unwrap_or_else(|| panic!("another row:\n{screen}"));
    api.set_property(&other, "subject", "Printer 7Q relit");
    let after = t.wait_text("Printer 7Q relit");
    let row = after
        .lines()
        .find(|l| l.contains("Printer 7Q relit"))
        .expect("the row");
    assert!(row.contains(&other), "the changed row is {other}'s: {row}");
    assert_eq!(detail_id(&after), Some(shown), "the selection did not move");
}
