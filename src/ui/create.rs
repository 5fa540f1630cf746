//! The create form: one line per field (the focused choice field drops down its options),
//! then the associations to make, with the record search when that field has the focus.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::overlay::centered;
use super::theme::Theme;
use crate::action::Action;
use crate::app::create::{CreateForm, Field, FieldInput, RecordSearch};
use crate::app::detail::Loadable;
use crate::app::edit::Picker;
use crate::keymap::{Context, Keymap};
use crate::text::{fit_keeping_correlation, pad_to_width, sanitize, truncate_to_width};

pub(super) const LABEL_W: usize = 20;
const DROPDOWN: usize = 6;

pub fn render_create(frame: &mut Frame, form: &CreateForm, keymap: &Keymap, theme: Theme) {
    let screen = frame.area();
    let area = centered(
        screen,
        screen.width.saturating_sub(6).clamp(30, 100),
        screen.height.saturating_sub(2).clamp(8, 34),
    );
    frame.render_widget(Clear, area);
    let block = form_block(keymap, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let value_w = w.saturating_sub(LABEL_W + 1);
    let mut lines: Vec<Line> = Vec::new();
    for (i, f) in form.fields.iter().enumerate() {
        lines.extend(field_lines(f, form.focus == i, value_w, theme));
    }
    let accept = keymap.key_name(
        crate::keymap::Context::Picker,
        crate::action::Action::Accept,
    );
    lines.extend(association_lines(form, &accept, w, value_w, theme));
    let body = Rect {
        height: inner.height.saturating_sub(1),
        ..inner
    };
    // Keep the focused field in view on small screens: drop lines from the top if needed.
    let overflow = lines.len().saturating_sub(usize::from(body.height));
    let lines: Vec<Line> = lines.into_iter().skip(overflow).collect();
    frame.render_widget(Paragraph::new(lines), body);
    let status = Rect {
        y: inner.y + inner.height.saturating_sub(1),
        height: 1.min(inner.height),
        ..inner
    };
    frame.render_widget(Paragraph::new(status_line(form, keymap, w, theme)), status);
}

/// The frame: title, and the footer built from the bindings in force.
fn form_block(keymap: &Keymap, theme: Theme) -> Block<'static> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(" New ticket ", theme.title()))
        .title_bottom(Span::styled(
            super::edit::footer_from(
                keymap,
                &[
                    (Context::Form, Action::NextField, "field"),
                    (Context::Form, Action::PrevField, "field"),
                    (Context::Form, Action::Save, "create"),
                    (Context::Form, Action::Cancel, "cancel"),
                ],
            ),
            theme.dim(),
        ))
}

/// The blank left of a value: where the label column ends.
pub(super) fn indent() -> String {
    " ".repeat(LABEL_W + 1)
}

/// A field's label, marked when required, highlighted when focused.
pub(super) fn label_span(text: &str, focused: bool, theme: Theme) -> Span<'static> {
    Span::styled(
        pad_to_width(text, LABEL_W),
        if focused { theme.key() } else { theme.dim() },
    )
}

/// One field: its line, the focused choice field's options below it, and its error.
fn field_lines(f: &Field, focused: bool, value_w: usize, theme: Theme) -> Vec<Line<'_>> {
    let mark = if f.required { "*" } else { " " };
    let label = label_span(&format!("{mark}{}", sanitize(&f.label)), focused, theme);
    let mut lines = match &f.input {
        FieldInput::Text { area, multiline } => {
            let shown = text_value(
                &area.lines().join(if *multiline { " ⏎ " } else { " " }),
                focused,
                value_w,
            );
            vec![Line::from(vec![label, Span::raw(" "), Span::raw(shown)])]
        }
        FieldInput::Pick(p) => pick_lines(p, label, focused, value_w, theme),
    };
    if let Some(e) = &f.error {
        lines.push(Line::styled(
            format!("{}{}", indent(), sanitize(e)),
            theme.error(),
        ));
    }
    lines
}

/// A text field's value: the focused one shows its end (where typing happens) and a cursor.
pub(super) fn text_value(text: &str, focused: bool, value_w: usize) -> String {
    if focused {
        let t = sanitize(text).into_owned();
        let tail: String = t
            .chars()
            .rev()
            .take(value_w.saturating_sub(2))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        format!("{tail}▏")
    } else {
        truncate_to_width(&sanitize(text), value_w)
    }
}

/// A choice field: what is chosen (and, focused, the filter), then the focused field's
/// options as a drop-down.
pub(super) fn pick_lines<'a>(
    p: &'a Picker,
    label: Span<'static>,
    focused: bool,
    value_w: usize,
    theme: Theme,
) -> Vec<Line<'a>> {
    let chosen = if p.multi {
        p.options
            .iter()
            .filter(|o| p.chosen.contains(&o.value))
            .map(|o| o.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        p.current().map(|c| c.label.clone()).unwrap_or_default()
    };
    let value = if focused {
        format!("{}  (filter: {}▏)", sanitize(&chosen), sanitize(&p.query))
    } else {
        sanitize(&chosen).into_owned()
    };
    let mut lines = vec![Line::from(vec![
        label,
        Span::raw(" "),
        Span::raw(truncate_to_width(&value, value_w)),
    ])];
    if !focused {
        return lines;
    }
    let visible = p.visible();
    let start = p.cursor.saturating_sub(DROPDOWN - 1);
    for (row, &oi) in visible.iter().enumerate().skip(start).take(DROPDOWN) {
        let o = &p.options[oi];
        let check = p.check_mark(&o.value);
        let line = Line::raw(format!(
            "{}{}",
            indent(),
            pad_to_width(&format!("{check}{}", sanitize(&o.label)), value_w)
        ));
        lines.push(if row == p.cursor {
            line.style(theme.selected(true))
        } else {
            line
        });
    }
    lines
}

/// The associations to make, and the record search when that field has the focus.
fn association_lines<'a>(
    form: &'a CreateForm,
    accept: &str,
    w: usize,
    value_w: usize,
    theme: Theme,
) -> Vec<Line<'a>> {
    let focused = form.on_associations();
    let label = label_span(" Associate with", focused, theme);
    let added: Vec<String> = form
        .associations
        .iter()
        .map(|a| format!("{} {}", a.kind.label(), sanitize(&a.title)))
        .collect();
    let mut lines = vec![Line::from(vec![
        label,
        Span::raw(" "),
        Span::raw(truncate_to_width(
            if added.is_empty() { "—" } else { "" },
            value_w,
        )),
    ])];
    for a in &added {
        lines.push(Line::raw(format!(
            "{}• {}",
            indent(),
            truncate_to_width(a, value_w.saturating_sub(2))
        )));
    }
    if focused {
        lines.extend(search_lines(&form.search, accept, w, value_w, theme));
    }
    lines
}

/// The record search: its query, then what it found (or why not).
fn search_lines<'a>(
    s: &'a RecordSearch,
    accept: &str,
    w: usize,
    value_w: usize,
    theme: Theme,
) -> Vec<Line<'a>> {
    let mut lines = vec![Line::raw(format!(
        "{}search contacts, companies, deals: {}▏",
        indent(),
        sanitize(&s.query)
    ))];
    match &s.results {
        Loadable::Loading(_) => {
            lines.push(Line::styled(format!("{}searching…", indent()), theme.dim()))
        }
        Loadable::Failed(e) => lines.push(Line::styled(
            super::failure::line(&indent(), e, "", w),
            theme.error(),
        )),
        Loadable::Ready(items) if items.is_empty() => {
            lines.push(Line::styled(format!("{}no match", indent()), theme.dim()));
        }
        Loadable::Ready(items) => {
            for (i, r) in items.iter().enumerate().take(DROPDOWN * 2) {
                let line = Line::raw(format!(
                    "{}{}",
                    indent(),
                    pad_to_width(
                        &format!(
                            "{:8}{}  {}",
                            r.kind.label(),
                            sanitize(&r.title),
                            sanitize(&r.detail)
                        ),
                        value_w
                    )
                ));
                lines.push(if i == s.cursor {
                    line.style(theme.selected(true))
                } else {
                    line
                });
            }
        }
        Loadable::Idle => lines.push(Line::styled(
            format!(
                "{}type 2+ letters of a name, email or domain; {accept} adds; Backspace removes",
                indent()
            ),
            theme.dim(),
        )),
    }
    lines
}

/// The bottom line: the discard question, the save in flight, the form's error or the legend.
fn status_line<'a>(form: &CreateForm, keymap: &'a Keymap, w: usize, theme: Theme) -> Line<'a> {
    match (&form.error, form.saving) {
        _ if form.confirm_discard => {
            let mut spans = vec![Span::styled("Discard this new ticket?  ", theme.error())];
            spans.extend(super::edit::key_spans(
                keymap,
                super::edit::DISCARD_KEYS,
                theme,
            ));
            Line::from(spans)
        }
        (_, Some(_)) => Line::styled("creating…", theme.dim()),
        (Some(e), _) => Line::styled(fit_keeping_correlation(&sanitize(e), w), theme.error()),
        _ => Line::styled("* required", theme.dim()),
    }
}
