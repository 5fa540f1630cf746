//! Drawing: `draw(frame, &App)` renders the model and never changes it. Remote text goes
//! through `text::sanitize` before it reaches a span; widths are measured in terminal cells.
//! Lists draw only the rows on screen.

mod bars;
mod detail;
mod list;
mod overlay;
#[cfg(test)]
mod tests;
pub mod theme;

use ratatui::Frame;

use crate::app::layout::Areas;
use crate::app::{App, Focus};
use theme::Theme;

/// Draws one frame.
pub fn draw(frame: &mut Frame, app: &App) {
    let theme = Theme::new(app.color);
    let areas = Areas::new(frame.area());
    bars::render_top_bar(frame, areas.top_bar, app, theme);
    if areas.narrow {
        match app.focus {
            Focus::List => list::render_list(frame, areas.list, app, theme),
            Focus::Detail => detail::render_detail(frame, areas.detail, app, theme),
        }
    } else {
        list::render_list(frame, areas.list, app, theme);
        detail::render_detail(frame, areas.detail, app, theme);
    }
    bars::render_status_bar(frame, areas.status_bar, app, theme);
    if let Some(o) = &app.overlay {
        overlay::render_overlay(frame, o, app, theme);
    }
}
