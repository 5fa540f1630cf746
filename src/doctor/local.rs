//! The checks on this machine: config.toml (views, keys, `me`), the macros against the
//! portal, the cache, the terminal.

use super::{Check, Setup};
use crate::hubspot::{AccountDetails, Client};

/// config.toml, `me`, ticket URLs, the cache and the terminal.
pub(super) fn checks(setup: &Setup, account: Option<&AccountDetails>) -> Vec<Check> {
    vec![
        config_check(setup),
        me_check(setup),
        urls_check(setup, account),
        cache_check(setup),
        terminal_check(),
    ]
}

/// The file as read, its views and its `[keys.*]`.
fn config_check(setup: &Setup) -> Check {
    let file = setup.paths.config_file();
    let config = match &setup.config {
        Ok(c) => c,
        Err(why) => return Check::fail("config", format!("{why}: fix that line")),
    };
    if let Err(why) = crate::views::from_config(config.views.clone()) {
        return Check::fail("config", format!("{}: {why}", file.display()));
    }
    let text = match std::fs::read_to_string(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Check::ok(
                "config",
                format!("no {} (the defaults are used)", file.display()),
            );
        }
        Err(e) => return Check::fail("config", format!("cannot read {}: {e}", file.display())),
    };
    if let Err(e) = crate::keymap::Keymap::from_config(&text, &file.display().to_string()) {
        return Check::fail("config", format!("{e}"));
    }
    let views = config.views.as_ref().map_or(0, Vec::len);
    Check::ok(
        "config",
        format!("{} valid ({views} views of your own)", file.display()),
    )
}

fn me_check(setup: &Setup) -> Check {
    match setup.config.as_ref().ok().and_then(|c| c.me.as_deref()) {
        Some(me) => Check::ok("me", format!("you are {me} (Mine, @me)")),
        None => Check::ok(
            "me",
            "not set: the first view or macro that needs @me asks who you are and saves it \
             (the command line's --set …=@me needs me set in config.toml)",
        ),
    }
}

/// Ticket URLs (`y`/`Y`, `o`): config.toml's `portal_id`, else the account's.
fn urls_check(setup: &Setup, account: Option<&AccountDetails>) -> Check {
    if setup.demo {
        return Check::ok("urls", "the demo portal has no web app");
    }
    let config = setup.config.as_ref().ok();
    if let Some(portal) = config.and_then(|c| c.portal_id.as_deref()) {
        return Check::ok("urls", format!("portal {portal} from config.toml"));
    }
    match account {
        Some(a) => Check::ok(
            "urls",
            format!(
                "https://{}/contacts/{}/record/0-5/… (from HubSpot's account info)",
                a.ui_domain.as_deref().unwrap_or("app.hubspot.com"),
                a.portal_id
            ),
        ),
        None => Check::fail(
            "urls",
            "no portal ID: set portal_id in config.toml for ticket URLs",
        ),
    }
}

/// The macros (config.toml's or the defaults) against the portal's properties, pipelines
/// and owners, as the TUI checks them at start.
pub(super) async fn macro_check(client: &Client, setup: &Setup) -> Option<Check> {
    let config = setup.config.as_ref().ok()?;
    let file = setup.paths.config_file();
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let keymap = crate::keymap::Keymap::from_config(&text, &file.display().to_string()).ok()?;
    let me = config
        .me
        .clone()
        .or_else(|| setup.demo.then(|| crate::sandbox::DEMO_ME.to_owned()));
    let checked = crate::runtime::check_macros(
        client,
        config.macros.as_deref(),
        me.as_deref(),
        &keymap,
        &file.display().to_string(),
    )
    .await;
    Some(match checked {
        Ok(macros) => Check::ok(
            "macros",
            format!("{} fit the portal's properties and pipelines", macros.len()),
        ),
        Err(crate::runtime::TuiError::Config(problems)) => {
            Check::fail("macros", problems.join("; "))
        }
        Err(crate::runtime::TuiError::Other(why)) => Check::fail("macros", why),
    })
}

fn cache_check(setup: &Setup) -> Check {
    let file = super::cache_file(setup);
    if !file.exists() {
        return Check::ok(
            "cache",
            format!("{} not made yet (run hubtix sync)", file.display()),
        );
    }
    let opened = match crate::cache::Cache::open(&file) {
        Ok(o) => o,
        Err(e) => {
            return Check::fail(
                "cache",
                format!("{}: {e}; `hubtix cache clear` rebuilds it", file.display()),
            );
        }
    };
    let stats = opened.cache.stats();
    let state = opened.cache.sync_state();
    match (stats, state) {
        (Ok(stats), Ok(state)) => {
            let synced = state
                .last_sync_ms
                .and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
                .map_or_else(|| "never synced".to_owned(), |t| format!("synced {t}"));
            Check::ok(
                "cache",
                format!(
                    "{}: {} tickets, {} KiB, {synced}",
                    file.display(),
                    stats.tickets,
                    stats.bytes / 1024
                ),
            )
        }
        (Err(e), _) | (_, Err(e)) => Check::fail(
            "cache",
            format!("{}: {e}; `hubtix cache clear` rebuilds it", file.display()),
        ),
    }
}

/// The smallest terminal the TUI lays out (one pane at a time below 100 columns).
const MIN_SIZE: (u16, u16) = (60, 16);

/// TERM, colours and size. Only a terminal hubtix cannot draw on fails; output to a pipe
/// (a script, a test) is not a problem of the terminal.
fn terminal_check() -> Check {
    use std::io::IsTerminal;
    let term = std::env::var("TERM").unwrap_or_default();
    let colours = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        "no colour (NO_COLOR)"
    } else if std::env::var("COLORTERM").is_ok_and(|c| c == "truecolor" || c == "24bit") {
        "true colour"
    } else if term.contains("256color") {
        "256 colours"
    } else {
        "basic colours"
    };
    if !std::io::stdout().is_terminal() {
        let shown = if term.is_empty() { "unset" } else { &term };
        return Check::ok(
            "terminal",
            format!("not a terminal (TERM {shown}, {colours})"),
        );
    }
    if term.is_empty() || term == "dumb" {
        return Check::fail(
            "terminal",
            "TERM is unset or dumb: run hubtix in a terminal emulator (TERM=xterm-256color)",
        );
    }
    match crossterm::terminal::size() {
        Ok((w, h)) if w < MIN_SIZE.0 || h < MIN_SIZE.1 => Check::fail(
            "terminal",
            format!(
                "{w}×{h} is too small: make it at least {}×{}",
                MIN_SIZE.0, MIN_SIZE.1
            ),
        ),
        Ok((w, h)) => Check::ok("terminal", format!("{term}, {w}×{h}, {colours}")),
        Err(e) => Check::fail("terminal", format!("cannot read its size: {e}")),
    }
}
