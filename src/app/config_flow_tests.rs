//! `R` re-reads config.toml: the effect asked for, the new settings taken and named, a
//! broken file refused with the settings in force kept.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::config_flow::Settings;
use super::tests::fixtures::*;
use super::{Effect, Level, Msg, update};
use crate::config::ThemeName;
use crate::keymap::Keymap;

fn toast(app: &super::App) -> (String, Level) {
    let t = app.toast.as_ref().expect("a message");
    (t.text.clone(), t.level)
}

#[test]
fn r_asks_for_config_toml_again_with_the_data() {
    let mut app = loaded(160, 48, 5, false);
    app.config_file = Some("/c/config.toml".into());
    app.me = Some("me@example.com".into());
    let fx = update(&mut app, key('R'));
    assert!(fx.contains(&Effect::ReloadConfig {
        path: "/c/config.toml".into(),
        me: Some("me@example.com".into()),
    }));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Api(_))),
        "the data too"
    );
    // Headless, without a config file: the data only.
    let mut app = loaded(160, 48, 5, false);
    let fx = update(&mut app, key('R'));
    assert!(!fx.iter().any(|e| matches!(e, Effect::ReloadConfig { .. })));
}

#[test]
fn reloaded_settings_replace_the_old_and_say_what_changed() {
    let mut app = loaded(160, 48, 5, false);
    let current = app.current_view().name.clone();
    let mut views = crate::views::defaults();
    views.retain(|v| v.name != current);
    views.truncate(2);
    views.push(app.current_view().clone());
    let keymap = Keymap::from_config("[keys.list]\nreload_all = \"F5\"\n", "config.toml").unwrap();
    let fx = update(
        &mut app,
        Msg::ConfigReloaded(Ok(Box::new(Settings {
            keymap: keymap.clone(),
            views: views.clone(),
            macros: Vec::new(),
            theme: ThemeName::Light,
        }))),
    );
    assert_eq!(
        toast(&app),
        (
            "config.toml reloaded: 3 views, 0 macros; keys changed; theme light".to_owned(),
            Level::Info
        )
    );
    assert_eq!(app.theme, ThemeName::Light);
    assert_eq!(app.keymap, keymap);
    assert_eq!(app.views, views);
    assert_eq!(app.current_view().name, current, "the view on screen stays");
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Api(_))),
        "the list is loaded by the view's new definition"
    );
    // The same again: nothing changed, nothing reloaded.
    let fx = update(
        &mut app,
        Msg::ConfigReloaded(Ok(Box::new(Settings {
            keymap,
            views,
            macros: Vec::new(),
            theme: ThemeName::Light,
        }))),
    );
    assert!(fx.is_empty(), "{fx:?}");
    assert!(
        toast(&app).0.ends_with("(nothing changed)"),
        "{:?}",
        toast(&app)
    );
}

#[test]
fn a_broken_config_is_named_and_the_settings_in_force_stay() {
    let mut app = loaded(160, 48, 5, false);
    app.theme = ThemeName::HighContrast;
    let views = app.views.clone();
    let fx = update(
        &mut app,
        Msg::ConfigReloaded(Err(
            "config.toml is not valid: theme: \"pink\" is not a theme".into(),
        )),
    );
    assert!(fx.is_empty());
    let (text, level) = toast(&app);
    assert_eq!(level, Level::Error);
    assert!(
        text.starts_with("config.toml not reloaded, the settings in force stay: ")
            && text.contains("\"pink\" is not a theme"),
        "{text}"
    );
    assert_eq!(app.theme, ThemeName::HighContrast);
    assert_eq!(app.views, views);
}
