//! Confirmation dialogs: the op's words, then Cancel (selected by default) and the action
//! (two of them when the dialog offers a choice, as a merge does: which ticket to keep).

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::overlay::centered;
use super::theme::Theme;
use crate::action::Action;
use crate::app::confirm::{Button, Confirm};
use crate::keymap::{Context, Keymap};
use crate::text::{sanitize, truncate_to_width};

pub fn render_confirm(frame: &mut Frame, dialog: &Confirm, keymap: &Keymap, theme: Theme) {
    let screen = frame.area();
    let body = dialog.body();
    let h = u16::try_from(body.len() + 6)
        .unwrap_or(u16::MAX)
        .min(screen.height);
    let area = centered(screen, screen.width.saturating_sub(6).clamp(20, 80), h);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.error())
        .title(Span::styled(
            format!(" {} ", sanitize(&dialog.title())),
            theme.title(),
        ))
        .title_bottom(Span::styled(
            super::edit::footer_from(
                keymap,
                &[
                    (Context::Confirm, Action::Confirm, "confirms"),
                    (Context::Confirm, Action::Decline, "cancels"),
                    (Context::Confirm, Action::ButtonLeft, "buttons"),
                    (Context::Confirm, Action::ButtonRight, "buttons"),
                    (Context::Confirm, Action::PressButton, "press"),
                ],
            ),
            theme.dim(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let mut lines: Vec<Line> = body
        .iter()
        .map(|l| Line::raw(truncate_to_width(&sanitize(l), w)))
        .collect();
    lines.push(Line::raw(""));
    let button = |label: &str, on: bool| {
        let style = if on {
            theme.selected(true)
        } else {
            theme.text()
        };
        Span::styled(format!("[ {label} ]"), style)
    };
    let mut buttons = vec![
        button("Cancel", dialog.button == Button::Cancel),
        Span::raw("   "),
        button(&dialog.confirm_label(), dialog.button == Button::Confirm),
    ];
    if let Some(label) = dialog.alternative_label() {
        buttons.push(Span::raw("   "));
        buttons.push(button(&label, dialog.button == Button::Alternative));
    }
    lines.push(Line::from(buttons));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
