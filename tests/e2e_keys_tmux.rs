//! End-to-end key bindings: the real `hubtix` binary in tmux against `hubtix sandbox`, with a
//! `config.toml` that rebinds `save` in `[keys.form]` to `Ctrl-g`. The edit and create forms'
//! footers, the status bar and the help overlay show the new key and no longer the default;
//! the default no longer saves and the new key does, read back through the API.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` (set by
//! `.ci/run`) a missing tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

#[path = "support/tmux.rs"]
mod tmux;
use tmux::{Api, Sandbox, Tmux, detail_id, status_line, tmux_available};

/// The line of a modal's bottom border (` … save · Esc cancel ─┘`) below `title`.
/// The screen may be caught mid-frame: callers wait for it.
fn footer_below<'a>(screen: &'a str, title: &str) -> Option<&'a str> {
    screen
        .lines()
        .skip_while(|l| !l.contains(title))
        .find(|l| l.contains('└') && l.contains(" · "))
}

/// Waits for the modal titled `title` with its footer drawn; returns the footer.
fn wait_footer(t: &Tmux, title: &str) -> String {
    let s = t.wait_for(&format!("the footer of {title:?}"), |s| {
        footer_below(s, title).is_some()
    });
    footer_below(&s, title).unwrap_or_default().to_owned()
}

/// The help overlay's section for one context: its bindings, from below its heading to the
/// blank line that ends it, if all of it is on screen.
fn help_section(screen: &str, context: &str) -> Option<Vec<String>> {
    // The overlay covers the middle of the panes: `│ list… │ help text │ …detail │`.
    let inner: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("┌ Keys ("))
        .skip(1)
        .take_while(|l| !l.contains("└─"))
        .filter_map(|l| l.split('│').nth(2))
        .map(str::trim_end)
        .collect();
    let start = inner.iter().position(|l| *l == context)?;
    let rest = &inner[start + 1..];
    let end = rest.iter().position(|l| l.is_empty())?;
    Some(rest[..end].iter().map(|l| l.trim().to_owned()).collect())
}

#[test]
fn rebinding_save_in_keys_form_changes_the_footers_and_help_and_the_new_key_saves() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start(60);
    let api = Api::new(&sandbox.url);
    // Tall enough for the help to show the form's section without scrolling.
    let t = Tmux::start("keys", 140, 110, &[]);
    std::fs::write(
        t.config_dir().join("config.toml"),
        "[keys.form]\nsave = \"Ctrl-g\"\n",
    )
    .expect("write config.toml");
    let s = t.launch(&sandbox);
    let id = detail_id(&s).expect("a ticket is shown");

    // The edit form of a one-line property: its footer and the status bar show Ctrl-g.
    t.keys(&["Enter"]);
    t.edit_property("Ticket name");
    let title = format!(" Edit Ticket name · #{id}");
    let footer = wait_footer(&t, &title);
    assert!(footer.contains("Ctrl-g save"), "{footer}");
    assert!(!footer.contains("Ctrl-s"), "{footer}");
    let s = t.wait_for("the form's keys in the status bar", |s| {
        status_line(s).contains(" save")
    });
    let status = status_line(&s);
    assert!(status.contains("Ctrl-g save"), "{status}");
    assert!(!status.contains("Ctrl-s"), "{status}");

    // In a text input `?` is text: help is F1 there (it falls through to global). The form's
    // section lists Ctrl-g for save, not Ctrl-s.
    t.keys(&["F1"]);
    let s = t.wait_for("the help's form section", |s| {
        help_section(s, "form").is_some_and(|f| f.iter().any(|l| l.ends_with(" Save")))
    });
    let form = help_section(&s, "form").unwrap_or_default();
    let save: Vec<&String> = form.iter().filter(|l| l.ends_with(" Save")).collect();
    assert_eq!(save.len(), 1, "{form:#?}");
    assert!(save[0].starts_with("Ctrl-g "), "{form:#?}");
    assert!(!form.iter().any(|l| l.contains("Ctrl-s")), "{form:#?}");
    // Escape alone, its effect awaited (Escape + key reads as an Alt chord).
    t.keys(&["Escape"]);
    t.wait_for("the help to close over the form", |s| {
        !s.contains("┌ Keys (") && s.contains(&title)
    });

    // Ctrl-s is no longer save: the form stays open and takes the next key as text (a form
    // that saves takes no key, and then closes). `?` is text too.
    let before = api.property(&id, "subject");
    t.text(" (edited?)");
    t.keys(&["C-s"]);
    t.text("!");
    t.wait_text(&format!("{before} (edited?)!"));
    assert_eq!(api.property(&id, "subject"), before, "Ctrl-s wrote nothing");
    // Ctrl-g saves.
    t.keys(&["C-g"]);
    t.wait_text(&format!("saved Ticket name on #{id}"));
    assert_eq!(api.property(&id, "subject"), format!("{before} (edited?)!"));

    // The create form (`n` in the list; Tab goes there): the same binding creates.
    t.keys(&["Tab", "n"]);
    let footer = wait_footer(&t, " New ticket ");
    assert!(footer.contains("Ctrl-g create"), "{footer}");
    assert!(!footer.contains("Ctrl-s"), "{footer}");
    t.text("Rebound save");
    t.keys(&["C-s"]);
    t.text("!");
    t.wait_text("Rebound save!");
    t.keys(&["C-g"]);
    let s = t.wait_text("created ticket #");
    let at = s.find("created ticket #").expect("message") + "created ticket #".len();
    let created: String = s[at..].chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(api.property(&created, "subject"), "Rebound save!");
    t.keys(&["q"]);
}
