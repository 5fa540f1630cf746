//! Modals over the panes: help (generated from the keymap in force), the reader (a value or
//! activity read in full, as the app laid it out) and errors the user must see.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::theme::Theme;
use crate::app::reader::Reader;
use crate::app::{App, Overlay};
use crate::keymap::Context;
use crate::text::{pad_to_width, sanitize, sanitize_multiline, truncate_to_width};

/// A rectangle `w`×`h` (at most the screen) centred on `area`: the app's layout's, which
/// the mouse hit-tests with.
pub use crate::app::layout::centered;

/// Draws an empty modal `w`×`h` centred on the screen (cleared, bordered, titled, with key
/// hints on its bottom border) and returns its inside.
pub fn modal(frame: &mut Frame, w: u16, h: u16, title: &str, footer: &str, theme: Theme) -> Rect {
    let area = centered(frame.area(), w, h);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()))
        .title_bottom(Span::styled(format!(" {footer} "), theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

/// Which overlay a footer is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keys {
    Help,
    Reader,
    Error,
}

/// " Esc/Enter closes · j/k scroll " (and "· y copy" in the reader, or "· Ctrl-c quits" under
/// an error nothing scrolls), from the bindings in force.
fn overlay_keys(app: &App, which: Keys) -> String {
    use crate::action::Action;
    use crate::keymap::Context;
    let parts: &[(Context, Action, &str)] = match which {
        Keys::Error => &[
            (Context::Overlay, Action::Close, "closes"),
            (Context::Global, Action::ForceQuit, "quits"),
        ],
        Keys::Help => &[
            (Context::Overlay, Action::Close, "closes"),
            (Context::Overlay, Action::Down, "scroll"),
            (Context::Overlay, Action::Up, "scroll"),
        ],
        Keys::Reader => &[
            (Context::Overlay, Action::Close, "closes"),
            (Context::Overlay, Action::Down, "scroll"),
            (Context::Overlay, Action::Up, "scroll"),
            (Context::Overlay, Action::CopyValue, "copy"),
        ],
    };
    super::edit::footer_from(&app.keymap, parts)
}

pub fn render_overlay(frame: &mut Frame, overlay: &Overlay, app: &App, theme: Theme) {
    let screen = frame.area();
    // Errors are a small box; help and text take most of the screen. Clear only what is
    // drawn over, or the panes around a small box are blanked.
    let area = match overlay {
        Overlay::Error { .. } => centered(screen, screen.width.saturating_sub(8).clamp(20, 80), 12),
        // Where the app laid the text out.
        Overlay::Reader(_) => app.areas.reader().intersection(screen),
        Overlay::Help { .. } => centered(
            screen,
            screen.width.saturating_sub(8).clamp(20, 100),
            screen.height.saturating_sub(4),
        ),
    };
    frame.render_widget(Clear, area);
    match overlay {
        Overlay::Help { scroll } => {
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(theme.border(true))
                .title(Span::styled(
                    format!(" Keys ({}) ", overlay_keys(app, Keys::Help).trim()),
                    theme.title(),
                ));
            let lines = help_lines(app, usize::from(area.width.saturating_sub(2)), theme);
            let inner_h = usize::from(area.height.saturating_sub(2));
            let start = (*scroll).min(lines.len().saturating_sub(inner_h));
            let lines: Vec<Line> = lines.into_iter().skip(start).collect();
            frame.render_widget(Paragraph::new(lines).block(block), area);
        }
        Overlay::Reader(r) => render_reader(frame, area, r, app, theme),
        Overlay::Error { title, body } => {
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(theme.error())
                .title(Span::styled(
                    format!(" {} ", sanitize(title)),
                    theme.error(),
                ))
                .title_bottom(Span::styled(overlay_keys(app, Keys::Error), theme.dim()));
            let text: Vec<Line> = sanitize_multiline(body)
                .lines()
                .map(|l| Line::raw(l.to_owned()))
                .collect();
            frame.render_widget(
                Paragraph::new(text).block(block).wrap(Wrap { trim: false }),
                area,
            );
        }
    }
}

/// The reader: its lines from the scroll position (laid out by the app to this width), and
/// where the view is in the text when it does not all fit.
fn render_reader(frame: &mut Frame, area: Rect, r: &Reader, app: &App, theme: Theme) {
    let rows = usize::from(area.height.saturating_sub(2));
    let total = r.lines.len();
    let start = r.scroll.min(total.saturating_sub(rows));
    let keys = overlay_keys(app, Keys::Reader);
    let footer = if total > rows {
        let end = (start + rows).min(total);
        format!("{} {}–{} of {} ", keys.trim_end(), start + 1, end, total)
    } else {
        keys
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            truncate_to_width(
                &format!(" {} ", sanitize(&r.title)),
                usize::from(area.width.saturating_sub(4)),
            ),
            theme.title(),
        ))
        .title_bottom(Span::styled(footer, theme.dim()));
    let lines: Vec<Line> = r
        .lines
        .iter()
        .skip(start)
        .take(rows)
        .map(|l| Line::raw(sanitize(l).into_owned()))
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

/// The help text: every context's bindings in force, as the keymap resolves them.
fn help_lines(app: &App, w: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for ctx in Context::ALL {
        let bindings = app.keymap.bindings_in(ctx);
        if bindings.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(ctx.name().to_owned(), theme.header()));
        for b in bindings {
            let keys: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
            lines.push(Line::from(vec![
                Span::styled(
                    pad_to_width(&format!("  {}", keys.join(" ")), 20),
                    theme.key(),
                ),
                Span::raw(truncate_to_width(
                    b.action.description(),
                    w.saturating_sub(21),
                )),
            ]));
        }
    }
    lines
}
