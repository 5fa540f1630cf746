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

/// `/` finds a ticket that was never on a loaded page: closed (so no page of the first
/// view, Open, ever has it) and renamed through the API, then synced into the cache with
/// `hubtix sync`; the TUI shows it marked `≈`, and Enter opens its detail from HubSpot.
#[test]
fn slash_finds_a_ticket_never_on_a_loaded_page() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(600);
    let api = Api::new(&sandbox.url);
    let far = "1600";
    api.set_property(far, "hs_pipeline_stage", "4");
    api.set_property(far, "subject", "Zebracorn anomaly");
    let t = Tmux::start("slash-cache", 140, 32, &[]);
    t.wait_text("$");
    t.line(&format!(
        "HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={} {} sync",
        sandbox.url,
        tmux::quoted(&tmux::bin())
    ));
    t.wait_text("synced: 600 added");
    t.line("clear");
    t.launch(&sandbox);
    // The warm start shows the pipeline's newest cached rows first ("as of …"), this one
    // among them; HubSpot's first page of the view replaces them.
    let screen = t.wait_for("HubSpot's first page", |s| {
        !s.contains(" as of ") && detail_id(s).is_some()
    });
    assert!(
        !screen.contains("Zebracorn"),
        "not on the first page:\n{screen}"
    );
    t.keys(&["/"]);
    t.text("zebracorn");
    let found = t.wait_for("the cached match", |s| {
        s.contains("≈ 1 from the cache") && s.contains("Zebracorn anomaly")
    });
    let row = found
        .lines()
        .find(|l| l.contains("Zebracorn anomaly") && l.contains(far))
        .unwrap_or_else(|| panic!("the row:\n{found}"));
    assert!(row.contains('≈'), "marked as from the cache: {row}");
    t.keys(&["Enter", "Enter"]);
    let opened = t.wait_for("its detail", |s| detail_id(s).as_deref() == Some(far));
    assert!(opened.contains("Zebracorn anomaly"), "{opened}");
}
