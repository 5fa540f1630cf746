//! Re-reading config.toml without a restart. `R` reloads everything, and everything includes
//! the settings: it asks the runtime to read the file again ([`Effect::ReloadConfig`]); the
//! runtime parses it, builds the keymap and views and checks the macros against the portal,
//! exactly as at start, and answers with `Msg::ConfigReloaded`. Here the new [`Settings`]
//! replace the old ones and the status bar says what changed ("3 views, 2 macros reloaded;
//! theme light"), or, when the file is wrong, what is wrong, and the settings in force stay.
//!
//! Must not: read the file or talk to HubSpot (the runtime does).

use super::{App, Effect};
use crate::config::ThemeName;
use crate::keymap::Keymap;
use crate::macros::Macro;
use crate::views::View;

/// What config.toml sets that the running TUI can take without a restart.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub keymap: Keymap,
    /// The views, the defaults when config.toml has none.
    pub views: Vec<View>,
    /// The macros, checked against the portal.
    pub macros: Vec<Macro>,
    pub theme: ThemeName,
}

/// Asks for config.toml again, when the app has one (not in tests, nor headless).
pub fn reload(app: &App) -> Vec<Effect> {
    app.config_file
        .as_ref()
        .map(|path| Effect::ReloadConfig {
            path: path.clone(),
            me: app.me.clone(),
        })
        .into_iter()
        .collect()
}

/// Takes the settings read again, or says why not and keeps those in force.
pub fn reloaded(app: &mut App, result: Result<Box<Settings>, String>) -> Vec<Effect> {
    app.dirty = true;
    let settings = match result {
        Ok(s) => *s,
        Err(why) => {
            app.error(format!(
                "config.toml not reloaded, the settings in force stay: {why}"
            ));
            return Vec::new();
        }
    };
    let keys_changed = settings.keymap != app.keymap;
    let theme_changed = settings.theme != app.theme;
    let views_changed = settings.views != app.views;
    let mut said = format!(
        "config.toml reloaded: {}, {}",
        count(settings.views.len(), "view"),
        count(settings.macros.len(), "macro"),
    );
    if keys_changed {
        said.push_str("; keys changed");
    }
    if theme_changed {
        said.push_str(&format!("; theme {}", settings.theme.name()));
    }
    if !(keys_changed || theme_changed || views_changed) && settings.macros == app.macros.defined {
        said.push_str(" (nothing changed)");
    }
    app.keymap = settings.keymap;
    app.theme = settings.theme;
    app.set_macros(settings.macros);
    let fx = if views_changed {
        take_views(app, settings.views)
    } else {
        Vec::new()
    };
    app.info(said);
    fx
}

/// The new views, staying on the view on screen when it is still there (by name), and the
/// list loaded again by its new definition.
fn take_views(app: &mut App, views: Vec<View>) -> Vec<Effect> {
    let current = app.current_view().name.clone();
    let index = views.iter().position(|v| v.name == current).unwrap_or(0);
    app.set_views(views);
    app.view_index = index.min(app.views.len().saturating_sub(1));
    app.reload_view()
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
