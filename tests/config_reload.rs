//! `R` re-reads config.toml without a restart, headless: the real loop, worker and client
//! against the sandbox on 127.0.0.1. The new views, keys and theme take effect and the status
//! bar names them; a broken file is named and the settings in force stay.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "support/tui.rs"]
mod tui;

use common::TOKEN;
use crossterm::event::KeyCode;
use hubtix::config::ThemeName;
use hubtix::sandbox::{DEMO_ME, SandboxConfig};
use tui::Harness;

const W: u16 = 160;
const H: u16 = 48;

fn config(tickets: usize) -> SandboxConfig {
    SandboxConfig {
        tickets,
        token: TOKEN.into(),
        ..SandboxConfig::default()
    }
}

const NEW_CONFIG: &str = r#"theme = "light"

[keys.list]
reload_all = ["R", "F5"]

[[views]]
name = "Urgent first"
sort = "hs_ticket_priority desc"

[[views]]
name = "All tickets"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rereads_config_toml_and_keeps_the_old_one_when_it_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(&file, "").unwrap();
    let path = file.clone();
    let mut h = Harness::start_configured(config(40), W, H, move |app| {
        app.set_views(hubtix::views::defaults());
        app.me = Some(DEMO_ME.to_owned());
        app.config_file = Some(path);
    })
    .await;
    h.wait_until("the first rows", |s| s.contains("│  10"))
        .await;

    // Edited while hubtix runs: R takes it.
    std::fs::write(&file, NEW_CONFIG).unwrap();
    h.key(KeyCode::Char('R'));
    let screen = h.wait_text("config.toml reloaded: 2 views").await;
    assert!(
        screen.contains("keys changed; theme light"),
        "says what changed:\n{screen}"
    );
    h.wait_text("Urgent first").await;
    // The new key works at once.
    h.key(KeyCode::F(5));
    h.wait_text("reloading everything").await;
    // F5 re-reads config.toml too, on its own task: wait for that read before the file is
    // rewritten, or it may read the file half-written (this raced once: theme Dark).
    h.wait_text("(nothing changed)").await;

    // A mistake: named, and the settings in force stay.
    std::fs::write(&file, "theme = \"pink\"\n").unwrap();
    h.key(KeyCode::Char('R'));
    let screen = h.wait_text("config.toml not reloaded").await;
    assert!(screen.contains("\"pink\" is not a theme"), "{screen}");
    let (_, _, app) = h.stop_app().await;
    assert_eq!(app.theme, ThemeName::Light, "the theme in force stays");
    let names: Vec<&str> = app.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Urgent first", "All tickets"]);
}
