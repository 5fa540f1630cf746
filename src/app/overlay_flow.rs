//! Keys in the overlay (help, a value read in full, an error the user must see): scrolling
//! and closing; the reader's own keys are `reader`'s. The overlay is the topmost layer (see
//! `modal`).

use crossterm::event::KeyEvent;

use super::*;

/// Keys in the overlay (`[keys.overlay]`): scroll, or close. `help` and `back` close it too,
/// wherever they are bound, so the key that opened it closes it.
pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let action = app.keymap.resolve(Context::Overlay, &key);
    on_action(app, action)
}

/// An action in the overlay, from its keys or the wheel (`mouse`).
pub(super) fn on_action(app: &mut App, action: Option<Action>) -> Vec<Effect> {
    if action == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    if let Some(Overlay::Reader(_)) = &app.overlay {
        return match action {
            Some(Action::Close | Action::Back | Action::Help) => {
                app.overlay = None;
                Vec::new()
            }
            Some(a) => reader::on_action(app, a),
            None => Vec::new(),
        };
    }
    let help_lines = app.keymap.bindings().len() + 2 * Context::ALL.len();
    if app
        .overlay
        .as_mut()
        .is_some_and(|o| on_overlay_action(action, o, help_lines))
    {
        app.overlay = None;
    }
    Vec::new()
}

/// An action in an overlay; returns whether it closes.
fn on_overlay_action(action: Option<Action>, overlay: &mut Overlay, help_lines: usize) -> bool {
    // Scrolling stops at the last line, so `k` comes back at once after overscrolling.
    let last = match overlay {
        Overlay::Help { .. } => help_lines,
        Overlay::Reader(_) | Overlay::Error { .. } => 0,
    }
    .saturating_sub(1);
    let scroll = match overlay {
        Overlay::Help { scroll } => Some(scroll),
        Overlay::Reader(_) | Overlay::Error { .. } => None,
    };
    let Some(action) = action else {
        return false;
    };
    if matches!(action, Action::Close | Action::Back | Action::Help) {
        return true;
    }
    if let Some(s) = scroll {
        let at = (*s).min(last);
        *s = match action {
            Action::Down => (at + 1).min(last),
            Action::Up => at.saturating_sub(1),
            Action::PageDown => (at + 10).min(last),
            Action::PageUp => at.saturating_sub(10),
            _ => at,
        };
    }
    false
}

/// A failure no retry can fix (the token refused, scopes missing) opens an error overlay.
pub(super) fn on_failure(app: &mut App, failure: &Failure) {
    if failure.auth {
        app.overlay = Some(Overlay::Error {
            title: "HubSpot refused the access token or service key".to_owned(),
            body: format!(
                "{}\n\nIt was revoked, rotated or has expired. Set HUBSPOT_ACCESS_TOKEN to a \
                 current service key or private-app access token and start hubtix again.",
                failure.summary
            ),
        });
    } else if !failure.missing_scopes.is_empty() {
        app.overlay = Some(Overlay::Error {
            title: "The service key or private app is missing scopes".to_owned(),
            body: format!(
                "{}\n\nAdd these scopes to the service key or private app in HubSpot: {}",
                failure.summary,
                failure.missing_scopes.join(", ")
            ),
        });
    }
}
