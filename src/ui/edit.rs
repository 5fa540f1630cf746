//! The edit modal: the input fitting the property's type, the field's error, and the save
//! flow's states (saving, a colleague's conflicting change, discard confirmation).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::overlay::centered;
use super::theme::Theme;
use crate::action::Action;
use crate::app::App;
use crate::app::edit::{EditForm, Input, Phase, Picker};
use crate::domain::{Owner, PropertyType};
use crate::keymap::{Context, Keymap};
use crate::text::{pad_to_width, sanitize, truncate_to_width};

pub fn render_form(frame: &mut Frame, form: &EditForm, app: &App, theme: Theme) {
    let screen = frame.area();
    let w = screen.width.saturating_sub(6).clamp(20, 90);
    let h = form_height(form, screen.height);
    let area = centered(screen, w, h);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            truncate_to_width(&form_title(form), usize::from(w.saturating_sub(4))),
            theme.title(),
        ))
        .title_bottom(Span::styled(footer(form, &app.keymap), theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || render_phase(frame, form, app, inner, theme) {
        return;
    }
    // Body, then the state or error at the bottom: one line, or two for an error too long
    // for one (the message, then HubSpot's correlation ID).
    let state_lines = state_lines(form, app, usize::from(inner.width), theme);
    let state_h = u16::try_from(state_lines.len()).unwrap_or(1);
    let body = Rect {
        height: inner.height.saturating_sub(1 + state_h),
        ..inner
    };
    let status = Rect {
        y: inner.y + inner.height.saturating_sub(state_h),
        height: state_h.min(inner.height),
        ..inner
    };
    render_input(frame, form, body, theme);
    frame.render_widget(Paragraph::new(state_lines), status);
}

/// The modal's height on a screen `screen_h` rows high: what its phase or input needs.
fn form_height(form: &EditForm, screen_h: u16) -> u16 {
    match (&form.input, &form.phase) {
        (_, Phase::Conflict { changes, .. }) => {
            u16::try_from(changes.len() + 9).unwrap_or(u16::MAX)
        }
        (
            Input::Text {
                multiline: true, ..
            },
            _,
        ) => screen_h.saturating_sub(4),
        (_, Phase::BulkResult { failed, .. }) => {
            u16::try_from(failed.len() + 6).unwrap_or(u16::MAX)
        }
        (Input::Choice(p), _) => u16::try_from(p.options.len() + 8).unwrap_or(u16::MAX),
        _ => 9,
    }
    .min(screen_h.saturating_sub(2))
    .max(5)
}

/// The property and the ticket (or how many tickets, for a bulk edit).
fn form_title(form: &EditForm) -> String {
    if form.bulk.is_empty() {
        format!(
            " Edit {} · #{} {} ",
            sanitize(&form.property.label),
            sanitize(&form.ticket_id),
            sanitize(&form.subject)
        )
    } else {
        format!(
            " Set {} on {} tickets ",
            sanitize(&form.property.label),
            form.bulk.len()
        )
    }
}

/// Renders the phases that replace the input (a conflict, a bulk edit's result, the discard
/// question); whether it did.
fn render_phase(frame: &mut Frame, form: &EditForm, app: &App, inner: Rect, theme: Theme) -> bool {
    match &form.phase {
        Phase::Conflict { changes, .. } => {
            let lines = conflict_lines(changes, app, usize::from(inner.width), theme);
            frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Phase::BulkResult { written, failed } => {
            let lines = bulk_result_lines(*written, failed, app, inner, theme);
            frame.render_widget(Paragraph::new(lines), inner);
        }
        Phase::ConfirmDiscard => {
            let lines = vec![
                Line::styled("Discard your changes?", theme.error()),
                Line::raw(""),
                Line::from(key_spans(&app.keymap, DISCARD_KEYS, theme)),
            ];
            frame.render_widget(Paragraph::new(lines), inner);
        }
        _ => return false,
    }
    true
}

/// The bottom lines: what the save is doing, the error (in two lines when it needs them),
/// or the hint.
fn state_lines(form: &EditForm, app: &App, width: usize, theme: Theme) -> Vec<Line<'static>> {
    match (&form.phase, &form.error) {
        (Phase::Checking(_), _) => {
            vec![Line::styled("checking for changes by others…", theme.dim())]
        }
        (Phase::Saving(_), _) => vec![Line::styled("saving…", theme.dim())],
        (_, Some(e)) => crate::text::fit_in_two(&sanitize(e), width)
            .into_iter()
            .map(|l| Line::styled(l, theme.error()))
            .collect(),
        _ => vec![Line::styled(hint(form, app), theme.dim())],
    }
}

/// The input fitting the property's type, in `body`.
fn render_input(frame: &mut Frame, form: &EditForm, body: Rect, theme: Theme) {
    match &form.input {
        Input::Text { area: a, .. } | Input::Number(a) | Input::Date { area: a, .. } => {
            let mut a = a.clone();
            a.set_block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border(true)),
            );
            a.set_cursor_line_style(ratatui::style::Style::new());
            frame.render_widget(&a, body);
        }
        Input::Bool(b) => {
            let mark = |on: bool| if on { "(•)" } else { "( )" };
            let lines = vec![
                Line::raw(""),
                Line::raw(format!("  {} Yes    {} No", mark(*b), mark(!*b))),
            ];
            frame.render_widget(Paragraph::new(lines), body);
        }
        Input::Choice(p) => {
            frame.render_widget(Paragraph::new(choice_lines(form, p, body, theme)), body);
        }
    }
}

/// A choice input: the filter, the stage prompt of a pipeline change, and the options that
/// fit in `body` around the cursor.
fn choice_lines<'a>(form: &'a EditForm, p: &'a Picker, body: Rect, theme: Theme) -> Vec<Line<'a>> {
    let iw = usize::from(body.width);
    let mut lines = vec![Line::from(vec![
        Span::styled("Filter: ", theme.dim()),
        Span::raw(format!("{}▏", sanitize(&p.query))),
    ])];
    if let Some((_, label)) = &form.new_pipeline {
        lines.push(Line::styled(
            format!(
                "Stage in {} (a new pipeline needs a stage):",
                sanitize(label)
            ),
            theme.header(),
        ));
    }
    let visible = p.visible();
    let rows = usize::from(body.height).saturating_sub(lines.len());
    let start = p.cursor.saturating_sub(rows.saturating_sub(1));
    for (row, &i) in visible.iter().enumerate().skip(start).take(rows) {
        let o = &p.options[i];
        let check = if p.multi {
            if p.chosen.contains(&o.value) {
                "[x] "
            } else {
                "[ ] "
            }
        } else if o.value == form.original
            && form.new_pipeline.is_none()
            // A bulk edit's tickets have differing values: none is "the current".
            && form.bulk.is_empty()
        {
            "• "
        } else {
            "  "
        };
        let line = Line::raw(pad_to_width(&format!("{check}{}", sanitize(&o.label)), iw));
        lines.push(if row == p.cursor {
            line.style(theme.selected(true))
        } else {
            line
        });
    }
    if visible.is_empty() {
        lines.push(Line::styled("  nothing matches", theme.dim()));
    }
    lines
}

fn conflict_lines<'a>(
    changes: &[crate::domain::HistoryEntry],
    app: &App,
    iw: usize,
    theme: Theme,
) -> Vec<Line<'a>> {
    let mut lines = vec![
        Line::styled(
            "Someone changed this ticket since you opened the form:",
            theme.error(),
        ),
        Line::raw(""),
    ];
    let ticket = app.detail.ticket.ready();
    for e in changes {
        let show =
            |v: &str| sanitize(&app.catalog.display_value(ticket, &e.property, v)).into_owned();
        let old = e.old.as_deref().map(show).unwrap_or_else(|| "—".into());
        let who = e.updated_by_user_id.map_or_else(
            || {
                e.source_label
                    .clone()
                    .or(e.source_id.clone())
                    .unwrap_or_default()
            },
            |u| {
                app.catalog
                    .owner_by_user_id(u)
                    .map_or_else(|| format!("user {u}"), Owner::display_name)
            },
        );
        lines.push(Line::raw(truncate_to_width(
            &format!(
                "{}  {}: {} → {}  ({} {})",
                app.catalog.local(e.timestamp),
                sanitize(app.catalog.property_label(&e.property)),
                old,
                show(&e.new),
                e.source_type,
                sanitize(&who)
            ),
            iw,
        )));
    }
    if changes.is_empty() {
        lines.push(Line::styled(
            "(HubSpot shows no property change; the ticket was touched)",
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(key_spans(
        &app.keymap,
        &[
            (
                Context::Conflict,
                Action::Overwrite,
                "overwrite with your value",
            ),
            (
                Context::Conflict,
                Action::ReloadTicket,
                "reload (drop your change)",
            ),
            (Context::Conflict, Action::KeepEditing, "keep editing"),
        ],
        theme,
    )));
    lines
}

/// A bulk write's result: how many were written, each failure, the choices.
fn bulk_result_lines<'a>(
    written: usize,
    failed: &[(String, String)],
    app: &App,
    inner: Rect,
    theme: Theme,
) -> Vec<Line<'a>> {
    let iw = usize::from(inner.width);
    let mut lines = vec![
        Line::styled(
            format!("{written} tickets updated; {} failed:", failed.len()),
            theme.error(),
        ),
        Line::raw(""),
    ];
    for (id, why) in failed
        .iter()
        .take(usize::from(inner.height).saturating_sub(4))
    {
        let who = if id.is_empty() {
            "(batch)".to_owned()
        } else {
            format!("#{id}")
        };
        lines.push(Line::raw(truncate_to_width(
            &format!("{who}  {}", sanitize(why)),
            iw,
        )));
    }
    lines.push(Line::from(key_spans(
        &app.keymap,
        &[
            (Context::Result, Action::Retry, "retry the failed ones"),
            (Context::Result, Action::Close, "close"),
        ],
        theme,
    )));
    lines
}

/// What the value should look like.
fn hint(form: &EditForm, app: &App) -> String {
    match (&form.input, form.property.kind) {
        (
            Input::Date {
                with_time: true, ..
            },
            _,
        ) => {
            let tz = app
                .catalog
                .tz
                .iana_name()
                .unwrap_or("local time")
                .to_owned();
            format!("YYYY-MM-DD HH:MM, in {tz}; empty clears")
        }
        (Input::Date { .. }, _) => "YYYY-MM-DD; empty clears".to_owned(),
        (Input::Number(_), _) => "a number; empty clears".to_owned(),
        (_, PropertyType::String) if form.property.name != "subject" => "empty clears".to_owned(),
        _ => String::new(),
    }
}

/// " Up/Down move · Enter/Ctrl-s save · Esc cancel ": each part from the bindings in force
/// (unbound ones left out). Actions sharing a label share it, each showing its first key; an
/// action alone under its label shows up to two keys (`k/Esc keep editing`).
pub fn footer_from(keymap: &Keymap, parts: &[(Context, Action, &str)]) -> String {
    let mut shown: Vec<(Vec<String>, &str)> = Vec::new();
    for (context, action, label) in parts {
        let keys = keymap.keys_for(*context, *action);
        if keys.is_empty() {
            continue;
        }
        let alone = parts.iter().filter(|(_, _, l)| l == label).count() == 1;
        let take = if alone { 2 } else { 1 };
        let keys = keys.iter().take(take).map(ToString::to_string);
        match shown.iter_mut().find(|(_, l)| l == label) {
            Some((k, _)) => k.extend(keys),
            None => shown.push((keys.collect(), label)),
        }
    }
    let parts: Vec<String> = shown
        .into_iter()
        .map(|(keys, label)| format!("{} {label}", keys.join("/")))
        .collect();
    format!(" {} ", parts.join(" · "))
}

fn footer(form: &EditForm, keymap: &Keymap) -> String {
    use Context::{Confirm, Conflict, Form, Picker, Result};
    // The keys of the view on screen: a conflict, a question or a result is not the input.
    let parts: &[(Context, Action, &str)] = match &form.phase {
        Phase::Conflict { .. } => &[
            (Conflict, Action::Overwrite, "overwrite"),
            (Conflict, Action::ReloadTicket, "reload"),
            (Conflict, Action::KeepEditing, "keep editing"),
        ],
        Phase::ConfirmDiscard => &[
            (Confirm, Action::Confirm, "discard"),
            (Confirm, Action::Decline, "keep editing"),
        ],
        Phase::BulkResult { .. } => &[
            (Result, Action::Retry, "retry the failed"),
            (Result, Action::Close, "close"),
        ],
        Phase::Checking(_) | Phase::Saving(_) => return " please wait ".into(),
        Phase::Editing => match &form.input {
            Input::Text {
                multiline: true, ..
            } => &[
                (Form, Action::Save, "save"),
                (Form, Action::Cancel, "cancel"),
            ],
            Input::Choice(p) if p.multi => &[
                (Picker, Action::Up, "move"),
                (Picker, Action::Down, "move"),
                (Picker, Action::Toggle, "choose"),
                (Picker, Action::Accept, "save"),
                (Form, Action::Cancel, "cancel"),
            ],
            Input::Choice(_) => &[
                (Picker, Action::Up, "move"),
                (Picker, Action::Down, "move"),
                (Picker, Action::Accept, "save"),
                (Form, Action::Cancel, "cancel"),
            ],
            Input::Bool(_) => &[
                (Picker, Action::Toggle, "toggles"),
                (Picker, Action::Accept, "save"),
                (Form, Action::Cancel, "cancel"),
            ],
            _ => &[
                (Form, Action::Open, "save"),
                (Form, Action::Save, "save"),
                (Form, Action::Cancel, "cancel"),
            ],
        },
    };
    let mut text = footer_from(keymap, parts);
    if matches!(form.input, Input::Choice(_)) && matches!(form.phase, Phase::Editing) {
        text.insert_str(0, " type to filter ·");
    }
    text
}

/// The keys of "discard your changes?" in a form.
pub const DISCARD_KEYS: &[(Context, Action, &str)] = &[
    (Context::Confirm, Action::Confirm, "discard"),
    (Context::Confirm, Action::Decline, "keep editing"),
];

/// `Enter restore and edit   d discard   Esc later`, keys styled, from the bindings in force.
pub fn key_spans<'a>(
    keymap: &Keymap,
    parts: &[(Context, Action, &'a str)],
    theme: Theme,
) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for (context, action, label) in parts {
        let keys = keymap.keys_for(*context, *action);
        let Some(key) = keys.first() else {
            continue;
        };
        if !spans.is_empty() {
            spans.push(Span::raw("   "));
        }
        spans.push(Span::styled(key.to_string(), theme.key()));
        if let Some(second) = keys.get(1) {
            spans.push(Span::raw(format!("/{second}")));
        }
        spans.push(Span::raw(format!(" {label}")));
    }
    spans
}

/// A draft left from an earlier run, offered back.
pub fn render_draft_offer(
    frame: &mut Frame,
    draft: &crate::drafts::Draft,
    more: usize,
    keymap: &Keymap,
    theme: Theme,
) {
    let screen = frame.area();
    let area = centered(screen, screen.width.saturating_sub(6).clamp(20, 80), 10);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            " Unsaved change from last time ",
            theme.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    // "Priority of #1051 …", "New note on #1051 …".
    let of = match draft.kind {
        crate::drafts::DraftKind::Property => "of",
        crate::drafts::DraftKind::Activity { .. } => "on",
    };
    let mut lines = vec![
        Line::raw(truncate_to_width(
            &format!(
                "{} {of} #{} {}",
                sanitize(&draft.label),
                sanitize(&draft.ticket_id),
                sanitize(&draft.subject)
            ),
            w,
        )),
        Line::styled(
            truncate_to_width(&format!("“{}”", sanitize(&draft.value)), w),
            theme.new_value(),
        ),
        Line::raw(""),
        Line::from(key_spans(
            keymap,
            &[
                (Context::Draft, Action::RestoreDraft, "restore and edit"),
                (Context::Draft, Action::DiscardDraft, "discard"),
                (Context::Draft, Action::Later, "later"),
            ],
            theme,
        )),
    ];
    if more > 0 {
        lines.push(Line::styled(
            format!("{more} more after this one"),
            theme.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// Choosing the property of a bulk edit.
pub fn render_chooser(
    frame: &mut Frame,
    chooser: &crate::app::PropertyChooser,
    keymap: &Keymap,
    theme: Theme,
) {
    let title = format!("Set a property on {} tickets", chooser.ids.len());
    let footer = picker_footer(keymap);
    picker_box(
        frame,
        &chooser.picker,
        &title,
        "Property: ",
        &footer,
        70,
        theme,
    );
}

/// " type to filter · Up/Down move · Enter choose · Esc cancel " from the bindings in force.
fn picker_footer(keymap: &Keymap) -> String {
    let keys = footer_from(keymap, PICKER_KEYS);
    format!(" type to filter ·{keys}")
}

const PICKER_KEYS: &[(Context, Action, &str)] = &[
    (Context::Picker, Action::Up, "move"),
    (Context::Picker, Action::Down, "move"),
    (Context::Picker, Action::Accept, "choose"),
    (Context::Picker, Action::Cancel, "cancel"),
];

/// A view, sort, command or macro picker: a filter line and the matching options.
pub fn render_picker_modal(
    frame: &mut Frame,
    modal: &crate::app::views_flow::PickerModal,
    keymap: &Keymap,
    theme: Theme,
) {
    let footer = picker_footer(keymap);
    // A macro's row says what it changes: wider, where the screen has room.
    let max_w = match modal.kind {
        crate::app::views_flow::PickerKind::Macro { .. } => 120,
        _ => 72,
    };
    picker_box(
        frame,
        &modal.picker,
        &modal.title,
        "› ",
        &footer,
        max_w,
        theme,
    );
}

/// A centered one-question modal: `prompt` and the typed filter, then the matching options
/// (at most 20 rows tall, scrolled to the cursor).
fn picker_box(
    frame: &mut Frame,
    p: &crate::app::edit::Picker,
    title: &str,
    prompt: &str,
    footer: &str,
    max_w: u16,
    theme: Theme,
) {
    let screen = frame.area();
    let h = u16::try_from(p.options.len().min(20) + 4)
        .unwrap_or(u16::MAX)
        .min(screen.height.saturating_sub(2))
        .max(5);
    let area = centered(screen, screen.width.saturating_sub(6).clamp(20, max_w), h);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            format!(" {} ", sanitize(title)),
            theme.title(),
        ))
        .title_bottom(Span::styled(footer.to_owned(), theme.dim()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let mut lines = vec![Line::from(vec![
        Span::styled(prompt.to_owned(), theme.dim()),
        Span::raw(format!("{}▏", sanitize(&p.query))),
    ])];
    let rows = usize::from(inner.height).saturating_sub(1);
    let start = p.cursor.saturating_sub(rows.saturating_sub(1));
    let visible = p.visible();
    if visible.is_empty() {
        lines.push(Line::styled("  nothing matches", theme.dim()));
    }
    for (row, &i) in visible.iter().enumerate().skip(start).take(rows) {
        let line = Line::raw(pad_to_width(&sanitize(&p.options[i].label), w));
        lines.push(if row == p.cursor {
            line.style(theme.selected(true))
        } else {
            line
        });
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The batch-open modal: the IDs box and which property they are.
pub fn render_batch_open(
    frame: &mut Frame,
    form: &crate::app::batch_open::BatchOpenForm,
    keymap: &Keymap,
    theme: Theme,
) {
    let footer = footer_from(
        keymap,
        &[
            (Context::Form, Action::NextField, "which property"),
            (Context::Form, Action::Open, "open"),
            (Context::Form, Action::Cancel, "cancel"),
        ],
    );
    let screen = frame.area();
    let inner = super::overlay::modal(
        frame,
        screen.width.saturating_sub(6).clamp(20, 80),
        screen.height.saturating_sub(6).clamp(5, 16),
        "Open tickets by ID",
        footer.trim(),
        theme,
    );
    if inner.height < 3 {
        return;
    }
    let mut kinds = vec![Span::styled("IDs are: ", theme.dim())];
    for (i, (_, label)) in form.id_properties.iter().enumerate() {
        let style = if i == form.chosen {
            theme.selected(true)
        } else {
            theme.dim()
        };
        kinds.push(Span::styled(format!(" {} ", sanitize(label)), style));
        kinds.push(Span::raw(" "));
    }
    frame.render_widget(
        Paragraph::new(Line::from(kinds)),
        Rect { height: 1, ..inner },
    );
    let body = Rect {
        y: inner.y + 1,
        height: inner.height - 2,
        ..inner
    };
    let mut a = form.area.clone();
    a.set_block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border(true)),
    );
    a.set_cursor_line_style(ratatui::style::Style::new());
    frame.render_widget(&a, body);
    let status = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    let n = form.values().len();
    let line = match &form.error {
        Some(e) => Line::styled(sanitize(e).into_owned(), theme.error()),
        None => Line::styled(format!("{n} distinct values"), theme.dim()),
    };
    frame.render_widget(Paragraph::new(line), status);
}

/// The add-association modal: find a record, then pick the association label.
pub fn render_add_association(
    frame: &mut Frame,
    state: &crate::app::actions::AddAssociation,
    keymap: &Keymap,
    theme: Theme,
) {
    let keys = footer_from(keymap, PICKER_KEYS);
    let footer = format!("type to search ·{}", keys.trim_end());
    use crate::app::actions::AddAssociation;
    use crate::app::detail::Loadable;
    let screen = frame.area();
    let inner = super::overlay::modal(
        frame,
        screen.width.saturating_sub(6).clamp(20, 80),
        screen.height.saturating_sub(4).clamp(6, 18),
        "Add an association",
        &footer,
        theme,
    );
    let w = usize::from(inner.width);
    let mut lines = Vec::new();
    let rows = usize::from(inner.height).saturating_sub(2);
    match state {
        AddAssociation::Search(s) => {
            lines.push(Line::from(vec![
                Span::styled("Contact, company or deal: ", theme.dim()),
                Span::raw(format!("{}▏", sanitize(&s.query))),
            ]));
            match &s.results {
                Loadable::Idle => lines.push(Line::styled(
                    "type 2+ letters of a name, email or domain",
                    theme.dim(),
                )),
                Loadable::Loading(_) => lines.push(Line::styled("searching HubSpot…", theme.dim())),
                Loadable::Failed(e) => lines.push(Line::styled(
                    super::failure::line("", e, "", w),
                    theme.error(),
                )),
                Loadable::Ready(items) if items.is_empty() => {
                    lines.push(Line::styled("no match", theme.dim()))
                }
                Loadable::Ready(items) => {
                    for (i, r) in items.iter().enumerate().take(rows) {
                        let line = Line::raw(pad_to_width(
                            &format!(
                                "{:8}{}  {}",
                                r.kind.label(),
                                sanitize(&r.title),
                                sanitize(&r.detail)
                            ),
                            w,
                        ));
                        lines.push(if i == s.cursor {
                            line.style(theme.selected(true))
                        } else {
                            line
                        });
                    }
                }
            }
        }
        AddAssociation::Label {
            record,
            labels,
            cursor,
            ..
        } => {
            lines.push(Line::raw(truncate_to_width(
                &format!(
                    "{} {}: choose the association label",
                    record.kind.label(),
                    sanitize(&record.title)
                ),
                w,
            )));
            match labels {
                Loadable::Ready(l) => {
                    for (i, t) in l.iter().enumerate().take(rows) {
                        let name = t
                            .label
                            .clone()
                            .unwrap_or_else(|| "(unlabeled, the default)".into());
                        let line = Line::raw(pad_to_width(
                            &format!("{}  [{} {}]", sanitize(&name), t.category, t.type_id),
                            w,
                        ));
                        lines.push(if i == *cursor {
                            line.style(theme.selected(true))
                        } else {
                            line
                        });
                    }
                }
                Loadable::Failed(e) => lines.push(Line::styled(
                    super::failure::line("", e, "", w),
                    theme.error(),
                )),
                _ => lines.push(Line::styled("loading the labels…", theme.dim())),
            }
        }
        AddAssociation::Saving { record, .. } => {
            lines.push(Line::styled(
                format!("associating {}…", sanitize(&record.title)),
                theme.dim(),
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
