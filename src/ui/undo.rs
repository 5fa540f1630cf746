//! The undo dialog (what will be put back, per-ticket choices where someone changed a value
//! since) and the log of writes (`L`). Only reads the app.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::overlay::centered;
use super::theme::Theme;
use crate::action::Action;
use crate::app::App;
use crate::app::undo_flow::{LogModal, UndoDialog};
use crate::keymap::{Context, Keymap};
use crate::text::{sanitize, truncate_to_width};

pub fn render_undo(frame: &mut Frame, dialog: &UndoDialog, app: &App, theme: Theme) {
    let keymap: &Keymap = &app.keymap;
    let screen = frame.area();
    let body = dialog.body(&app.catalog);
    let h = u16::try_from(body.len() + 2)
        .unwrap_or(u16::MAX)
        .min(screen.height);
    let area = centered(screen, screen.width.saturating_sub(4).clamp(20, 110), h);
    frame.render_widget(Clear, area);
    let mut keys = vec![
        (Context::Undo, Action::Confirm, "undo"),
        (Context::Undo, Action::Decline, "cancel"),
    ];
    if !dialog.conflicts.is_empty() {
        keys.push((Context::Undo, Action::Toggle, "keep theirs / put back mine"));
        keys.push((Context::Undo, Action::Down, "ticket"));
        keys.push((Context::Undo, Action::Up, "ticket"));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.error())
        .title(Span::styled(" Undo? ", theme.title()))
        .title_bottom(Span::styled(
            super::edit::footer_from(keymap, &keys),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let lines: Vec<Line> = body
        .iter()
        .map(|l| {
            let style = if l.starts_with('>') {
                theme.selected(true)
            } else {
                theme.text()
            };
            Line::styled(truncate_to_width(&sanitize(l), w), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

pub fn render_log(frame: &mut Frame, log: &LogModal, app: &App, theme: Theme) {
    let screen = frame.area();
    let area = centered(
        screen,
        screen.width.saturating_sub(4),
        screen.height.saturating_sub(2),
    );
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(
            format!(" Writes ({}), newest first ", app.journal.entries.len()),
            theme.title(),
        ))
        .title_bottom(Span::styled(
            super::edit::footer_from(
                &app.keymap,
                &[
                    (Context::Log, Action::ShowFull, "before/after"),
                    (Context::Log, Action::Undo, "undo it"),
                    (Context::Log, Action::Close, "close"),
                ],
            ),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let rows = usize::from(inner.height);
    if app.journal.entries.is_empty() {
        frame.render_widget(Paragraph::new("No writes yet."), inner);
        return;
    }
    let top = log.cursor.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = app
        .journal
        .newest_first()
        .enumerate()
        .skip(top)
        .take(rows)
        .map(|(i, l)| {
            let text = truncate_to_width(&sanitize(&crate::app::undo_flow::row(app, l)), w);
            let style = if i == log.cursor {
                theme.selected(true)
            } else {
                theme.text()
            };
            Line::styled(text, style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
