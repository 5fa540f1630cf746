//! Confirmation dialogs: the op's words, then Cancel (selected by default) and the action
//! (two of them when the dialog offers a choice, as a merge does: which ticket to keep).

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Theme;
use crate::action::Action;
use crate::app::confirm::{Button, Confirm};
use crate::app::layout::{button_label, confirm_areas};
use crate::keymap::{Context, Keymap};
use crate::text::{sanitize, truncate_to_width};

pub fn render_confirm(frame: &mut Frame, dialog: &Confirm, keymap: &Keymap, theme: Theme) {
    let body = dialog.body();
    // The mouse presses the buttons where this layout puts them.
    let at = confirm_areas(
        frame.area(),
        body.len(),
        &dialog.confirm_label(),
        dialog.alternative_label().as_deref(),
    );
    let area = at.dialog;
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
    let inner = at.inner;
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let lines: Vec<Line> = body
        .iter()
        .map(|l| Line::raw(truncate_to_width(&sanitize(l), w)))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
    let mut button = |label: &str, on: bool, cell| {
        let style = if on {
            theme.selected(true)
        } else {
            theme.text()
        };
        frame.render_widget(
            Paragraph::new(Span::styled(button_label(label), style)),
            cell,
        );
    };
    button("Cancel", dialog.button == Button::Cancel, at.cancel);
    button(
        &dialog.confirm_label(),
        dialog.button == Button::Confirm,
        at.confirm,
    );
    if let Some(label) = dialog.alternative_label() {
        button(&label, dialog.button == Button::Alternative, at.alternative);
    }
}
