//! Drawing: `draw(frame, &App)` renders the model and never changes it. Remote text goes
//! through `text::sanitize` before it reaches a span; widths are measured in terminal cells.
//! Lists draw only the rows on screen.

mod activity_form;
#[cfg(test)]
mod activity_form_tests;
mod bars;
mod confirm;
mod create;
mod detail;
#[cfg(test)]
mod dialog_tests;
mod edit;
pub mod failure;
#[cfg(test)]
mod form_tests;
mod list;
#[cfg(test)]
mod look_tests;
#[cfg(test)]
mod macro_tests;
#[cfg(test)]
mod mouse_tests;
mod overlay;
#[cfg(test)]
mod reading_tests;
pub mod search_form;
#[cfg(test)]
mod svg;
#[cfg(test)]
mod tests;
pub mod theme;
mod triage;
mod undo;
#[cfg(test)]
mod undo_tests;

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::app::layout::Areas;
use crate::app::{App, Focus, Layer, Modal};
use theme::Theme;

/// Draws one frame.
pub fn draw(frame: &mut Frame, app: &App) {
    let theme = Theme::new(app.theme, app.color);
    let areas = Areas::new(frame.area());
    bars::render_top_bar(frame, areas.top_bar, app, theme);
    bars::render_tabs(frame, areas.tabs, app, theme);
    if app.triage.is_some() {
        let body = Rect {
            height: areas.status_bar.y.saturating_sub(areas.list.y),
            ..areas.list
        }
        .union(areas.detail);
        triage::render_triage(frame, body, app, theme);
    } else if areas.narrow {
        match app.focus {
            Focus::List => list::render_list(frame, areas.list, app, theme),
            Focus::Detail => detail::render_detail(frame, areas.detail, app, theme),
        }
    } else {
        list::render_list(frame, areas.list, app, theme);
        detail::render_detail(frame, areas.detail, app, theme);
    }
    bars::render_status_bar(frame, areas.status_bar, app, theme);
    // Bottom to top, the same order that gives keys to the top one.
    for layer in app.layers() {
        draw_layer(frame, app, layer, theme);
    }
    cut_overlapped_wide(frame.buffer_mut());
}

/// Blanks each double-width character whose right half something drawn later covers (a
/// dialog's left border over a CJK subject, say). ratatui sends the terminal only what changed
/// and takes a wide character's next cell for its right half, so it would never send the
/// border there: the row would show the old character and lose its border. A blank in its
/// place is what the terminal would show anyway once the border is written over its half.
fn cut_overlapped_wide(buf: &mut ratatui::buffer::Buffer) {
    let area = buf.area;
    for y in area.y..area.y + area.height {
        for x in area.x..area.x + area.width {
            let symbol = buf[(x, y)].symbol();
            // ASCII is one cell wide: only longer symbols can be wide.
            if symbol.len() < 2 {
                continue;
            }
            let w = u16::try_from(unicode_width::UnicodeWidthStr::width(symbol)).unwrap_or(1);
            let end = x.saturating_add(w).min(area.x + area.width);
            let covered = (x + 1..end).any(|cx| !matches!(buf[(cx, y)].symbol(), " " | ""));
            if covered {
                buf[(x, y)].set_symbol(" ");
            }
        }
    }
}

fn draw_layer(frame: &mut Frame, app: &App, layer: Layer, theme: Theme) {
    match layer {
        Layer::Base => {}
        Layer::DraftOffer => {
            if let Some(draft) = app.drafts.first() {
                edit::render_draft_offer(frame, draft, app.drafts.len() - 1, &app.keymap, theme);
            }
        }
        Layer::Confirm => {
            if let Some(dialog) = &app.confirm {
                confirm::render_confirm(frame, dialog, &app.keymap, theme);
            }
        }
        Layer::Overlay => {
            if let Some(o) = &app.overlay {
                overlay::render_overlay(frame, o, app, theme);
            }
        }
        Layer::EditForm
        | Layer::Chooser
        | Layer::BatchOpen
        | Layer::Create
        | Layer::AddAssociation
        | Layer::Picker
        | Layer::SearchForm
        | Layer::Undo
        | Layer::Log
        | Layer::ActivityForm => {
            if let Some(m) = app.modals.iter().find(|m| m.layer() == layer) {
                draw_modal(frame, app, m, theme);
            }
        }
    }
}

fn draw_modal(frame: &mut Frame, app: &App, modal: &Modal, theme: Theme) {
    match modal {
        Modal::Edit(form) => edit::render_form(frame, form, app, theme),
        Modal::AddAssociation(a) => edit::render_add_association(frame, a, &app.keymap, theme),
        Modal::Create(c) => create::render_create(frame, c, &app.keymap, theme),
        Modal::BatchOpen(b) => edit::render_batch_open(frame, b, &app.keymap, theme),
        Modal::Chooser(c) => edit::render_chooser(frame, c, &app.keymap, theme),
        Modal::Search(f) => {
            search_form::render_search_form(frame, f, &app.catalog, &app.keymap, theme)
        }
        Modal::Picker(p) => edit::render_picker_modal(frame, p, &app.keymap, theme),
        Modal::Activity(f) => activity_form::render_activity_form(frame, f, app, theme),
        Modal::Undo(d) => undo::render_undo(frame, d, app, theme),
        Modal::Log(l) => undo::render_log(frame, l, app, theme),
    }
}

/// A drawn buffer as text, one line per row: a wide character appears once (its trailing
/// cell is skipped) and trailing blanks are trimmed. For tests and debugging.
pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            line.push_str(sym);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
