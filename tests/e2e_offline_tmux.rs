//! Offline end to end: the real `hubtix` in tmux. The cache is filled once (`hubtix sync`),
//! the sandbox stopped: hubtix opens from the cache with the offline banner, an edit is
//! refused with its reason and the form keeps the value; the sandbox started again on the
//! same port: the banner goes by itself, and the kept value saves.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;

use tmux::{Api, Sandbox, Tmux, bin, detail_id, quoted, status_line, tmux_available};

/// The top bar: the first line.
fn top_bar(screen: &str) -> &str {
    screen.lines().next().unwrap_or_default()
}

#[test]
fn offline_opens_from_the_cache_refuses_an_edit_and_comes_back_by_itself() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(40);
    let (url, port) = (sandbox.url.clone(), sandbox.port());
    let t = Tmux::start("offline", 140, 32, &[]);
    std::fs::write(
        t.config_dir().join("config.toml"),
        "refresh_interval = \"2s\"\n",
    )
    .expect("config.toml");
    let env = format!("HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={url}");
    t.wait_text("$");
    t.line(&format!(
        "{env} {} sync 2>/dev/null && echo SYN''CED",
        quoted(&bin())
    ));
    t.wait_for("the sync's end", |s| {
        s.lines().any(|l| l.trim() == "SYNCED")
    });
    drop(sandbox);

    t.line(&format!("clear; {env} {}", quoted(&bin())));
    let screen = t.wait_for("the cached rows and the offline banner", |s| {
        top_bar(s).contains("offline since") && s.contains("Ticket name") && detail_id(s).is_some()
    });
    assert!(
        top_bar(&screen).contains("showing the cache as of"),
        "{screen}"
    );
    let id = detail_id(&screen).expect("a ticket");
    t.keys(&["Enter"]);
    t.edit_property("Ticket name");
    t.text(" relit offline");
    t.keys(&["C-s"]);
    let refused = t.wait_for("the refusal", |s| {
        status_line(s).contains("HubSpot can't be reached; nothing was sent (draft kept)")
    });
    assert!(
        status_line(&refused).starts_with("offline since")
            || status_line(&refused).contains(" offline since"),
        "{refused}"
    );
    assert!(
        refused.contains(" Edit Ticket name · #"),
        "the form stays:\n{refused}"
    );
    assert!(
        refused.contains("relit offline"),
        "with the value:\n{refused}"
    );

    // HubSpot is back on the same address: the banner goes without a key.
    let sandbox = Sandbox::start_at(40, port);
    let api = Api::new(&sandbox.url);
    let before = api.property(&id, "subject");
    assert!(
        !before.contains("relit offline"),
        "nothing was sent: {before}"
    );
    t.wait_for("back online", |s| !top_bar(s).contains("offline"));
    // The kept value now saves.
    t.keys(&["C-s"]);
    t.wait_for("the save", |s| status_line(s).contains("saved Ticket name"));
    assert_eq!(
        api.property(&id, "subject"),
        format!("{before} relit offline")
    );
}
