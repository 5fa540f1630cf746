//! The mouse, when `mouse = true` in config.toml (off by default, so the terminal's own text
//! selection keeps working): a click or a turn of the wheel becomes the action a key would
//! give, and goes the way that key goes.
//!
//! - a click on a list row selects it (on the selected row: opens it, as `Enter`);
//! - a click on a detail tab switches to it (as `1`–`4`);
//! - a click on a saved view's tab switches to that view (as `{`/`}` until it is on);
//! - a click on a confirmation's button presses it (as `←`/`→` then `Enter`);
//! - the wheel moves through the list or the detail under the pointer (as `j`/`k`), and
//!   scrolls help and the reader when they are open.
//!
//! Like keys, the mouse goes to the top layer only: forms and pickers are for the keyboard,
//! and triage mode has no clickable parts. Owns: hit-testing. Must not: keep geometry of its
//! own: every area comes from `layout` and `DetailPane::tab_areas`, which the renderer draws
//! with.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::confirm::Button;
use super::layout::{confirm_areas, hits, label_widths, list_body, view_tabs};
use super::*;

/// Lines one notch of the wheel moves.
pub const WHEEL_LINES: usize = 3;

/// A mouse event: what it hits, as the key that would do the same.
pub(super) fn on_mouse(app: &mut App, ev: MouseEvent) -> Vec<Effect> {
    if !app.mouse {
        return Vec::new();
    }
    let (x, y) = (ev.column, ev.row);
    match ev.kind {
        MouseEventKind::Down(MouseButton::Left) => click(app, x, y),
        MouseEventKind::ScrollDown => wheel(app, x, y, Action::Down),
        MouseEventKind::ScrollUp => wheel(app, x, y, Action::Up),
        _ => Vec::new(),
    }
}

/// Which pane, if any, is drawn under (`x`, `y`) (narrow: the focused one only).
fn pane_at(app: &App, x: u16, y: u16) -> Option<Focus> {
    let a = &app.areas;
    if (!a.narrow || app.focus == Focus::List) && hits(a.list, x, y) {
        Some(Focus::List)
    } else if (!a.narrow || app.focus == Focus::Detail) && hits(a.detail, x, y) {
        Some(Focus::Detail)
    } else {
        None
    }
}

/// Whether the bare panes are on top and clickable (not under a modal, not in triage).
fn panes_on_top(app: &App) -> bool {
    app.top_layer() == Layer::Base && app.triage.is_none()
}

fn click(app: &mut App, x: u16, y: u16) -> Vec<Effect> {
    if app.top_layer() == Layer::Confirm {
        return press_button(app, x, y);
    }
    if !panes_on_top(app) {
        return Vec::new();
    }
    if hits(app.areas.tabs, x, y) {
        return click_view_tab(app, x, y);
    }
    match pane_at(app, x, y) {
        Some(Focus::List) => click_list(app, x, y),
        Some(Focus::Detail) => click_detail(app, x, y),
        None => Vec::new(),
    }
}

/// A row of the list: the list takes the focus and the row the selection.
fn click_list(app: &mut App, x: u16, y: u16) -> Vec<Effect> {
    app.focus = Focus::List;
    let body = list_body(app.areas.list);
    if !hits(body, x, y) {
        return Vec::new();
    }
    let row = app.list.offset() + usize::from(y - body.y);
    if row >= app.list.rows() || row >= app.list.offset() + app.list.viewport().max(1) {
        return Vec::new();
    }
    if row == app.list.selected_row() {
        return on_action(app, Action::Open);
    }
    app.list.select_row(row);
    app.selection_changed()
}

/// A saved view's tab switches to that view; the current one's tab (which would drop an edit
/// of it), the gaps and the scroll marks do nothing.
fn click_view_tab(app: &mut App, x: u16, y: u16) -> Vec<Effect> {
    let at = view_tabs(
        app.areas.tabs,
        &label_widths(&app.view_tab_labels()),
        app.view_index,
    );
    match at.tabs.into_iter().find(|(_, r)| hits(*r, x, y)) {
        Some((index, _)) if index != app.view_index => views_flow::switch_to(app, index),
        _ => Vec::new(),
    }
}

/// A tab of the detail switches to it; anywhere else in the detail focuses it.
fn click_detail(app: &mut App, x: u16, y: u16) -> Vec<Effect> {
    if app.detail.ticket_id.is_none() {
        return Vec::new();
    }
    app.focus = Focus::Detail;
    let tab = app
        .detail
        .tab_areas(app.areas.detail)
        .into_iter()
        .find(|(_, r)| hits(*r, x, y));
    match tab {
        Some((tab, _)) => on_action(app, tab_action(tab)),
        None => Vec::new(),
    }
}

/// The key action that selects `tab`.
fn tab_action(tab: Tab) -> Action {
    match tab {
        Tab::Properties => Action::Tab1,
        Tab::History => Action::Tab2,
        Tab::Associations => Action::Tab3,
        Tab::Activity => Action::Tab4,
    }
}

/// A confirmation's button: selected, then pressed, as the arrow keys and Enter do (a bulk
/// delete still wants its count typed first).
fn press_button(app: &mut App, x: u16, y: u16) -> Vec<Effect> {
    let Some(dialog) = app.confirm.as_mut() else {
        return Vec::new();
    };
    let alternative = dialog.alternative_label();
    let at = confirm_areas(
        app.areas.screen,
        dialog.body().len(),
        &dialog.confirm_label(),
        alternative.as_deref(),
    );
    dialog.button = if hits(at.cancel, x, y) {
        Button::Cancel
    } else if hits(at.confirm, x, y) {
        Button::Confirm
    } else if alternative.is_some() && hits(at.alternative, x, y) {
        Button::Alternative
    } else {
        return Vec::new();
    };
    confirm_flow::on_confirm_action(app, Action::PressButton)
}

/// The wheel: the overlay on top scrolls, else the pane under the pointer moves.
fn wheel(app: &mut App, x: u16, y: u16, action: Action) -> Vec<Effect> {
    let mut fx = Vec::new();
    if app.top_layer() == Layer::Overlay {
        for _ in 0..WHEEL_LINES {
            fx.extend(overlay_flow::on_action(app, Some(action)));
        }
        return fx;
    }
    if !panes_on_top(app) {
        return fx;
    }
    match pane_at(app, x, y) {
        Some(Focus::List) => {
            for _ in 0..WHEEL_LINES {
                fx.extend(list_flow::on_list_action(app, action));
            }
        }
        Some(Focus::Detail) if app.detail.ticket_id.is_some() => {
            for _ in 0..WHEEL_LINES {
                fx.extend(detail_flow::on_detail_action(app, action));
            }
        }
        _ => {}
    }
    fx
}
