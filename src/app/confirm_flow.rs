//! Keys in a confirmation dialog and what a confirmed operation sets going. The dialog
//! itself (its text, buttons, typed count) is `confirm`; this is its update code.

use crossterm::event::{KeyCode, KeyEvent};

use super::*;

/// Keys in a confirmation dialog: `y` confirms, `n`/Esc cancels, ←/→ move between the
/// buttons, Enter presses the selected one (Cancel unless moved).
pub(super) fn on_confirm_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(dialog) = app.confirm.as_mut() else {
        return Vec::new();
    };
    if dialog.must_type().is_some() {
        match key.code {
            KeyCode::Char(c) if c.is_ascii_digit() => {
                dialog.typed.push(c);
                return Vec::new();
            }
            KeyCode::Backspace => {
                dialog.typed.pop();
                return Vec::new();
            }
            _ => {}
        }
    }
    let confirmed = match app.keymap.resolve(Context::Confirm, &key) {
        Some(Action::ForceQuit) => return vec![Effect::Quit],
        Some(Action::Confirm) => true,
        Some(Action::Decline) => false,
        Some(Action::ButtonLeft) => {
            dialog.button = dialog.left();
            return Vec::new();
        }
        Some(Action::ButtonRight) => {
            dialog.button = dialog.right();
            return Vec::new();
        }
        Some(Action::PressButton) => dialog.button != confirm::Button::Cancel,
        _ => return Vec::new(),
    };
    if confirmed && !dialog.can_confirm() {
        // A bulk delete needs its count typed first, a merge its survivor chosen: a bare `y`
        // is not enough.
        return Vec::new();
    }
    let Some(dialog) = app.confirm.take() else {
        return Vec::new();
    };
    if !confirmed {
        app.info(dialog.declined());
        macro_flow::declined(app, &dialog.op);
        return Vec::new();
    }
    run_confirmed(app, dialog.chosen())
}

/// The one command a confirmed op stands for.
pub(super) fn run_confirmed(app: &mut App, op: confirm::PendingOp) -> Vec<Effect> {
    match op {
        op @ (confirm::PendingOp::ArchiveTickets { .. }
        | confirm::PendingOp::PinActivity { .. }
        | confirm::PendingOp::Unpin { .. }
        | confirm::PendingOp::RemoveAssociation { .. }
        | confirm::PendingOp::AssociateThenPin { .. }) => actions::run(app, op),
        confirm::PendingOp::BulkUpdate {
            ids, properties, ..
        } => edit_flow::send_bulk(app, ids, properties),
        confirm::PendingOp::ApplyMacro {
            index,
            ids,
            skipped,
            ..
        } => macro_flow::confirmed(app, index, ids, skipped),
        confirm::PendingOp::MergeTickets { sides } => merge_flow::send(app, sides),
        confirm::PendingOp::CopyUrlInstead { url, .. } => {
            app.info("copied the ticket URL");
            vec![Effect::Clipboard(url)]
        }
        confirm::PendingOp::LoadAllThenMark { .. } => {
            app.load_all = Some(LoadAll::Mark);
            app.info("loading the rest of the view to mark it…");
            let mut fx = app.continue_load_all();
            fx.extend(app.maybe_next_page());
            fx
        }
        confirm::PendingOp::RestoreValue {
            ticket_id,
            property,
            label,
            restored,
            ..
        } => {
            let req = app.req();
            app.pending_write = Some((
                req,
                format!("restored {label} on #{ticket_id}"),
                ticket_id.clone(),
            ));
            vec![Effect::Api(Command::UpdateTicket {
                req,
                id: ticket_id,
                properties: std::collections::BTreeMap::from([(property, restored)]),
            })]
        }
    }
}
