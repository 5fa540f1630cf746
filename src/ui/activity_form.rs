//! The note, call and task form: the one-line fields above the text (the focused list drops
//! its options down), the text in a framed area taking the room left, the contacts and
//! companies to tick and the pin below it, and the bottom line (the discard question, the
//! create in flight, what went wrong, or the legend).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::create::{LABEL_W, indent, label_span, pick_lines, text_value};
use super::overlay::centered;
use super::theme::Theme;
use crate::action::Action;
use crate::app::App;
use crate::app::activity_form::{ActivityForm, Also, Field, FieldId, FormError, Input, parse_due};
use crate::app::edit::Picker;
use crate::domain::ActivityKind;
use crate::keymap::{Context, Keymap};
use crate::text::{pad_to_width, sanitize, truncate_to_width};

/// Rows of a list shown at once.
const LIST_ROWS: usize = 6;

pub fn render_activity_form(frame: &mut Frame, form: &ActivityForm, app: &App, theme: Theme) {
    let screen = frame.area();
    let area = centered(
        screen,
        screen.width.saturating_sub(6).clamp(30, 100),
        screen.height.saturating_sub(2).clamp(10, 40),
    );
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            truncate_to_width(&title(form), usize::from(area.width.saturating_sub(4))),
            theme.title(),
        ))
        .title_bottom(Span::styled(footer(&app.keymap), theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let value_w = w.saturating_sub(LABEL_W + 1);
    let body_at = form
        .fields
        .iter()
        .position(|f| f.id == FieldId::Body)
        .unwrap_or(form.fields.len());
    let lines_of = |fields: &[Field], from: usize| -> Vec<Line<'static>> {
        fields
            .iter()
            .enumerate()
            .flat_map(|(i, f)| field_lines(form, f, form.focus == from + i, app, value_w, theme))
            .collect()
    };
    let above = lines_of(&form.fields[..body_at], 0);
    let below = lines_of(form.fields.get(body_at + 1..).unwrap_or(&[]), body_at + 1);
    let status = status_lines(form, &app.keymap, w, theme);
    let fixed = above.len() + below.len() + status.len();
    let body_h = usize::from(inner.height).saturating_sub(fixed).max(3);
    let mut y = inner.y;
    let mut place = |frame: &mut Frame, rows: usize, what: &dyn Fn(&mut Frame, Rect)| {
        let bottom = inner.y + inner.height;
        let h = u16::try_from(rows)
            .unwrap_or(u16::MAX)
            .min(bottom.saturating_sub(y));
        what(
            frame,
            Rect {
                y,
                height: h,
                ..inner
            },
        );
        y += h;
    };
    place(frame, above.len(), &|f, r| {
        f.render_widget(Paragraph::new(above.clone()), r);
    });
    if let Some(body) = form.field(FieldId::Body) {
        place(frame, body_h, &|f, r| {
            render_body(f, form, body, form.focus == body_at, r, theme);
        });
    }
    place(frame, below.len(), &|f, r| {
        f.render_widget(Paragraph::new(below.clone()), r);
    });
    let bottom = Rect {
        y: (inner.y + inner.height).saturating_sub(u16::try_from(status.len()).unwrap_or(1)),
        height: u16::try_from(status.len()).unwrap_or(1).min(inner.height),
        ..inner
    };
    frame.render_widget(Paragraph::new(status), bottom);
}

/// " New note · #1051 Printer on fire ".
fn title(form: &ActivityForm) -> String {
    let what = match form.kind {
        ActivityKind::Note => "New note",
        ActivityKind::Call => "Log a call",
        ActivityKind::Task => "New task",
    };
    format!(
        " {what} · #{} {} ",
        sanitize(&form.ticket_id),
        sanitize(&form.subject)
    )
}

/// The keys of the form, from the bindings in force: its own, else the `form` context's.
fn footer(keymap: &Keymap) -> String {
    let part = |action: Action, label: &'static str| {
        let own = !keymap.keys_for(Context::ActivityForm, action).is_empty();
        let context = if own {
            Context::ActivityForm
        } else {
            Context::Form
        };
        (context, action, label)
    };
    super::edit::footer_from(
        keymap,
        &[
            part(Action::NextField, "field"),
            part(Action::PrevField, "field"),
            part(Action::Save, "save"),
            part(Action::EditExternally, "$EDITOR"),
            part(Action::Cancel, "cancel"),
        ],
    )
}

fn required(form: &ActivityForm, id: FieldId) -> bool {
    matches!(
        (form.kind, id),
        (ActivityKind::Note, FieldId::Body) | (ActivityKind::Task, FieldId::Subject | FieldId::Due)
    )
}

/// One field above or below the text: its line (and the focused list's options), then its
/// error.
fn field_lines(
    form: &ActivityForm,
    f: &Field,
    focused: bool,
    app: &App,
    value_w: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mark = if required(form, f.id) { "*" } else { " " };
    let label = label_span(&format!("{mark}{}", f.id.label(form.kind)), focused, theme);
    let mut lines: Vec<Line<'static>> = match &f.input {
        Input::Line(a) => {
            let text = a.lines().join(" ");
            let mut spans = vec![label, Span::raw(" ")];
            spans.push(Span::raw(text_value(&text, focused, value_w)));
            if f.id == FieldId::Due && f.error.is_none() {
                spans.push(Span::styled(due_preview(&text, app), theme.dim()));
            }
            vec![Line::from(spans)]
        }
        Input::Pick(p) => owned(pick_lines(p, label, focused, value_w, theme)),
        Input::Check(on) => vec![Line::from(vec![
            label,
            Span::raw(format!(
                " [{}] pin it on the ticket",
                if *on { "x" } else { " " }
            )),
        ])],
        Input::Also(also) => also_lines(also, label, focused, value_w, theme),
        Input::Text(_) => Vec::new(),
    };
    if let Some(e) = &f.error {
        lines.push(Line::styled(
            format!("{}{}", indent(), truncate_to_width(&sanitize(e), value_w)),
            theme.error(),
        ));
    }
    lines
}

/// Lines that no longer borrow the picker they were drawn from.
fn owned(lines: Vec<Line<'_>>) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .map(|l| {
            let spans: Vec<Span<'static>> = l
                .spans
                .into_iter()
                .map(|s| Span::styled(s.content.into_owned(), s.style))
                .collect();
            Line::from(spans).style(l.style)
        })
        .collect()
}

/// When a due date is, as the user reads it: "  → 2026-03-03 23:59".
fn due_preview(text: &str, app: &App) -> String {
    match parse_due(text, &app.catalog.tz, app.now) {
        Ok(t) => format!("  → {}", app.catalog.local(t)),
        Err(_) if text.trim().is_empty() => String::new(),
        Err(_) => "  (not a date yet)".to_owned(),
    }
}

/// The contacts and companies to tick, or why there are none.
fn also_lines(
    also: &Also,
    label: Span<'static>,
    focused: bool,
    value_w: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let head = |text: String, style: Style| {
        Line::from(vec![
            label.clone(),
            Span::raw(" "),
            Span::styled(truncate_to_width(&text, value_w), style),
        ])
    };
    match also {
        Also::Loading => vec![head(
            "loading the ticket's contacts and companies…".to_owned(),
            theme.dim(),
        )],
        Also::Failed(f) => vec![head(
            super::failure::line("not loaded (the ticket only): ", f, "", value_w),
            theme.error(),
        )],
        Also::Ready(p) if p.options.is_empty() => vec![head(
            "no contacts or companies on this ticket".to_owned(),
            theme.dim(),
        )],
        Also::Ready(p) => {
            let ticked = p.chosen.len();
            let mut lines = vec![head(
                format!("{ticked} of {} ticked", p.options.len()),
                theme.dim(),
            )];
            lines.extend(tick_rows(p, focused, value_w, theme));
            lines
        }
    }
}

/// The rows of the contacts and companies around the cursor, each with its tick.
fn tick_rows(p: &Picker, focused: bool, value_w: usize, theme: Theme) -> Vec<Line<'static>> {
    let visible = p.visible();
    let start = if focused {
        p.cursor.saturating_sub(LIST_ROWS - 1)
    } else {
        0
    };
    let mut lines: Vec<Line<'static>> = visible
        .iter()
        .enumerate()
        .skip(start)
        .take(LIST_ROWS)
        .map(|(row, &i)| {
            let o = &p.options[i];
            let text = format!("{}{}", p.check_mark(&o.value), sanitize(&o.label));
            let line = Line::raw(format!("{}{}", indent(), pad_to_width(&text, value_w)));
            if focused && row == p.cursor {
                line.style(theme.selected(true))
            } else {
                line
            }
        })
        .collect();
    let more = visible.len().saturating_sub(start + LIST_ROWS);
    if more > 0 {
        lines.push(Line::styled(
            format!("{}… {more} more", indent()),
            theme.dim(),
        ));
    }
    lines
}

/// The text, framed, titled with its label; its error on the bottom border.
fn render_body(
    frame: &mut Frame,
    form: &ActivityForm,
    f: &Field,
    focused: bool,
    r: Rect,
    theme: Theme,
) {
    let Input::Text(a) = &f.input else {
        return;
    };
    let mark = if required(form, f.id) { "*" } else { "" };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(
            format!(" {mark}{} ", f.id.label(form.kind)),
            if focused { theme.key() } else { theme.dim() },
        ));
    if let Some(e) = &f.error {
        block = block.title_bottom(Span::styled(format!(" {} ", sanitize(e)), theme.error()));
    }
    let mut a = (**a).clone();
    a.set_block(block);
    a.set_cursor_line_style(Style::new());
    if !focused {
        a.set_cursor_style(Style::new());
    }
    frame.render_widget(&a, r);
}

/// The bottom line: the discard question, the create in flight, what went wrong (a failure
/// in up to two lines, its correlation ID kept), or the legend.
fn status_lines(
    form: &ActivityForm,
    keymap: &Keymap,
    w: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    if form.confirm_discard {
        let what = match form.kind {
            ActivityKind::Note => "Discard this note?  ",
            ActivityKind::Call => "Discard this call?  ",
            ActivityKind::Task => "Discard this task?  ",
        };
        let mut spans = vec![Span::styled(what, theme.error())];
        spans.extend(super::edit::key_spans(
            keymap,
            super::edit::DISCARD_KEYS,
            theme,
        ));
        return vec![Line::from(spans)];
    }
    if form.saving.is_some() {
        return vec![Line::styled("saving…", theme.dim())];
    }
    if form.external {
        return vec![Line::styled("editing in your editor…", theme.dim())];
    }
    match &form.error {
        Some(FormError::Local(e)) => {
            super::failure::lines("", &crate::protocol::Failure::local(e.clone()), "", w, 2)
                .into_iter()
                .map(|l| Line::styled(l, theme.error()))
                .collect()
        }
        Some(FormError::Failed(f)) => super::failure::lines("", f, "", w, 2)
            .into_iter()
            .map(|l| Line::styled(l, theme.error()))
            .collect(),
        None => vec![Line::styled(legend(form, keymap), theme.dim())],
    }
}

/// What the focused field takes, and the editor key.
fn legend(form: &ActivityForm, keymap: &Keymap) -> String {
    let picker = |a: Action| keymap.key_name(Context::Picker, a);
    let editor = keymap.key_name(Context::ActivityForm, Action::EditExternally);
    let field = form.fields.get(form.focus).map(|f| &f.input);
    match field {
        Some(Input::Also(Also::Ready(p))) if !p.options.is_empty() => format!(
            "{} ticks or unticks · {}/{} move",
            picker(Action::Toggle),
            picker(Action::Up),
            picker(Action::Down)
        ),
        Some(Input::Check(_)) => format!("{} ticks or unticks", picker(Action::Toggle)),
        Some(Input::Pick(_)) => format!(
            "type to filter · {}/{} move · {} picks",
            picker(Action::Up),
            picker(Action::Down),
            picker(Action::Accept)
        ),
        _ => format!("* required · {editor} writes the text in your $EDITOR"),
    }
}
