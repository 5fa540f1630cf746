//! Keys in the overlay (help, a value read in full, an error the user must see): scrolling
//! and closing. The overlay is the topmost layer (see `modal`).

use crossterm::event::{KeyCode, KeyEvent};

use super::*;

/// Keys in an overlay; returns whether it closes.
pub(super) fn on_overlay_key(
    action: Option<Action>,
    key: KeyEvent,
    overlay: &mut Overlay,
    help_lines: usize,
) -> bool {
    // Scrolling stops at the last line, so `k` comes back at once after overscrolling.
    let last = match overlay {
        Overlay::Help { .. } => help_lines,
        Overlay::Text { body, .. } => body.lines().count(),
        Overlay::Error { .. } => 0,
    }
    .saturating_sub(1);
    let scroll = match overlay {
        Overlay::Help { scroll } | Overlay::Text { scroll, .. } => Some(scroll),
        Overlay::Error { .. } => None,
    };
    let scroll = scroll.map(|s| {
        *s = (*s).min(last);
        s
    });
    on_overlay_scroll(action, key, scroll, last)
}

pub(super) fn on_overlay_scroll(
    action: Option<Action>,
    key: KeyEvent,
    scroll: Option<&mut usize>,
    last: usize,
) -> bool {
    match (key.code, action) {
        (KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?'), _) => true,
        (_, Some(Action::Back | Action::Help)) => true,
        (KeyCode::Char('j') | KeyCode::Down, _) => {
            if let Some(s) = scroll {
                *s = (*s + 1).min(last);
            }
            false
        }
        (KeyCode::Char('k') | KeyCode::Up, _) => {
            if let Some(s) = scroll {
                *s = s.saturating_sub(1);
            }
            false
        }
        (KeyCode::PageDown | KeyCode::Char(' '), _) => {
            if let Some(s) = scroll {
                *s = (*s + 10).min(last);
            }
            false
        }
        (KeyCode::PageUp, _) => {
            if let Some(s) = scroll {
                *s = s.saturating_sub(10);
            }
            false
        }
        _ => false,
    }
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
