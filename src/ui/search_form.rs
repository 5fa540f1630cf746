//! The search form: one row per field (Created and Modified with their from/to inputs on one
//! row, Conditions one line per condition with "or" between OR-groups), the match-count
//! preview and the focused field's key hints at the bottom. Pickers and the add-condition
//! steps open as a smaller box over it. The field list scrolls to keep the focused field in
//! view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::overlay::{centered, modal};
use super::theme::Theme;
use crate::app::search_form::{
    Field, ListPick, Popup, Preview, SearchForm, ValueInput, condition_text, sort_text, value_label,
};
use crate::domain::{Catalog, PropertyType};
use crate::text::{pad_to_width, sanitize, truncate_to_width, width};
use crate::views::{SEARCH_CAP, canonical_property, operator_label};

const LABEL_W: usize = 12;
const FOOTER: &str = "Ctrl-s search · Ctrl-w save as view · Esc cancel";

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The preview line's text and whether it is an error.
pub fn preview_text(p: &Preview) -> Option<(String, bool)> {
    match p {
        Preview::Idle => None,
        Preview::Counting => Some(("counting…".into(), false)),
        Preview::Count(1) => Some(("1 ticket matches".into(), false)),
        Preview::Count(n) => Some((format!("{} tickets match", thousands(*n)), false)),
        Preview::Capped(n) => Some((
            format!(
                "{} match — HubSpot search shows the first {}; sort by ID (S) pages through all, or narrow the search",
                thousands(*n),
                thousands(SEARCH_CAP)
            ),
            false,
        )),
        Preview::Error(e) => Some((sanitize(e).into_owned(), true)),
    }
}

/// Greedy word wrap to `w` cells (a word wider than `w` is cut).
fn wrap(text: &str, w: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!cur.is_empty());
        if !cur.is_empty() && width(&cur) + sep + width(word) > w {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
        .into_iter()
        .map(|l| truncate_to_width(&l, w))
        .collect()
}

/// The end of `text` that fits `cells` cells (where typing happens), measured in cells.
fn tail_to_width(text: &str, cells: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    if width(text) <= cells {
        return text.to_owned();
    }
    let mut used = 1; // the leading ellipsis
    let mut parts: Vec<&str> = Vec::new();
    for g in text.graphemes(true).rev() {
        let w = width(g);
        if used + w > cells {
            break;
        }
        used += w;
        parts.push(g);
    }
    parts.reverse();
    format!("…{}", parts.concat())
}

/// Key hints for the focused field (or the open popup).
pub fn field_hints(form: &SearchForm) -> String {
    if form.confirm_discard {
        return String::new();
    }
    if let Some(p) = &form.popup {
        return match p {
            Popup::Choose { list, .. } if list.picker.multi => {
                "type to filter · ↑/↓ · Space mark · Enter done · Ctrl-u none · Esc back"
            }
            Popup::Condition(flow) => match &flow.value {
                Some(ValueInput::Text { two: true, .. }) => {
                    "type the value · Tab from/to · Enter next/add · Esc back"
                }
                Some(ValueInput::Text { list: true, .. }) => {
                    "type values, comma-separated · Enter add · Esc back"
                }
                Some(ValueInput::Text { .. }) => "type the value · Enter add · Esc back",
                Some(ValueInput::Pick(l)) if l.picker.multi => {
                    "↑/↓ move · Space mark · Enter add · Esc back"
                }
                _ => "type to filter · ↑/↓ move · Enter choose · Esc back",
            },
            _ => "type to filter · ↑/↓ move · Enter choose · Esc back",
        }
        .into();
    }
    match form.focus {
        Field::Text => "type words to find · Ctrl-u clear · Tab next field",
        Field::CreatedFrom | Field::CreatedTo | Field::ModifiedFrom | Field::ModifiedTo => {
            "2026-11-01, today, yesterday, this week, last month, -7d · Ctrl-u clear"
        }
        Field::Pipeline | Field::Stages | Field::Priority | Field::Category | Field::Owner => {
            "Enter choose · Delete clear · Tab next field"
        }
        Field::Conditions => "Enter/a add · j/k select · x remove · o new OR-group",
        Field::Sort => "Enter property · d/Space direction · Delete none",
        Field::Columns => "Enter/a add · ←/→ select · </> move · x remove · Ctrl-u default",
        Field::SaveAs => "type a name · Ctrl-w saves as a view",
    }
    .into()
}

fn label_span(field: Field, focused: bool, theme: Theme) -> Span<'static> {
    let mark = if focused { "▸" } else { " " };
    Span::styled(
        pad_to_width(&format!("{mark}{}", field.label()), LABEL_W),
        if focused { theme.key() } else { theme.dim() },
    )
}

/// A text input's shown value: the tail with a cursor when focused.
fn input_text(text: &str, focused: bool, cells: usize) -> String {
    let t = sanitize(text);
    if focused {
        format!("{}▏", tail_to_width(&t, cells.saturating_sub(1)))
    } else {
        truncate_to_width(&t, cells)
    }
}

/// The body lines and the range of lines of the focused field.
fn body_lines(
    form: &SearchForm,
    catalog: &Catalog,
    w: usize,
    theme: Theme,
) -> (Vec<Line<'static>>, (usize, usize)) {
    let value_w = w.saturating_sub(LABEL_W + 1);
    let indent = " ".repeat(LABEL_W + 1);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut focus_range = (0, 0);
    // The "to" ends share the line of their "from".
    let rows = Field::ALL
        .into_iter()
        .filter(|f| !matches!(f, Field::CreatedTo | Field::ModifiedTo));
    for row in rows {
        let start = lines.len();
        let pair = match row {
            Field::CreatedFrom => Some(Field::CreatedTo),
            Field::ModifiedFrom => Some(Field::ModifiedTo),
            _ => None,
        };
        let focused = form.focus == row || pair == Some(form.focus);
        let label = label_span(row, focused, theme);
        match row {
            Field::Text | Field::SaveAs => {
                let t = form.text(row);
                let shown = if t.is_empty() && !focused {
                    Span::styled(
                        if row == Field::Text {
                            "—".to_owned()
                        } else {
                            "— (a name, to save this search as a view)".to_owned()
                        },
                        theme.dim(),
                    )
                } else {
                    Span::raw(input_text(t, focused, value_w))
                };
                lines.push(Line::from(vec![label, Span::raw(" "), shown]));
            }
            Field::CreatedFrom | Field::ModifiedFrom => {
                let to = pair.unwrap_or(row);
                let half = value_w.saturating_sub(10) / 2;
                let mut spans = vec![label, Span::raw(" ")];
                for (i, f) in [row, to].into_iter().enumerate() {
                    let here = form.focus == f;
                    spans.push(Span::styled(
                        if i == 0 { "from " } else { "  to " },
                        theme.dim(),
                    ));
                    let t = input_text(form.text(f), here, half);
                    let style = if here {
                        theme.selected(true)
                    } else if form.field_error(f).is_some() {
                        theme.error()
                    } else {
                        theme.text()
                    };
                    spans.push(Span::styled(pad_to_width(&t, half), style));
                }
                lines.push(Line::from(spans));
                for f in [row, to] {
                    if let Some(e) = form.field_error(f) {
                        lines.push(Line::styled(
                            format!("{indent}{}", truncate_to_width(&sanitize(&e), value_w)),
                            theme.error(),
                        ));
                    }
                }
            }
            Field::Pipeline | Field::Stages | Field::Priority | Field::Category | Field::Owner => {
                let values = form.values(row);
                let labels: Vec<String> = values
                    .iter()
                    .map(|v| {
                        sanitize(&value_label(row, v, catalog, form.pipeline.as_deref()))
                            .into_owned()
                    })
                    .collect();
                let shown = if labels.is_empty() {
                    Span::styled(
                        if row == Field::Pipeline {
                            "Any pipeline"
                        } else {
                            "any"
                        },
                        theme.dim(),
                    )
                } else {
                    Span::raw(truncate_to_width(&labels.join(", "), value_w))
                };
                lines.push(Line::from(vec![label, Span::raw(" "), shown]));
            }
            Field::Conditions => {
                let order = form.condition_order();
                // One entry per line: conditions, "or" between OR-groups, the new group.
                let mut entries: Vec<Span<'static>> = Vec::new();
                let mut last_group = None;
                for (pos, &i) in order.iter().enumerate() {
                    let c = &form.conditions[i];
                    if last_group.is_some_and(|g| g != c.group) {
                        entries.push(Span::styled("or", theme.header()));
                    }
                    last_group = Some(c.group);
                    let text = truncate_to_width(&sanitize(&condition_text(c, catalog)), value_w);
                    let selected = focused && form.new_group.is_none() && pos == form.cond_cursor;
                    entries.push(if selected {
                        Span::styled(text, theme.selected(true))
                    } else {
                        Span::raw(text)
                    });
                }
                if form.new_group.is_some() {
                    if !order.is_empty() {
                        entries.push(Span::styled("or", theme.header()));
                    }
                    entries.push(Span::styled(
                        truncate_to_width(
                            "(new OR-group: Enter adds its first condition)",
                            value_w,
                        ),
                        theme.selected(focused),
                    ));
                }
                let mut label = Some(label);
                for e in entries {
                    let head = label
                        .take()
                        .unwrap_or_else(|| Span::raw(" ".repeat(LABEL_W)));
                    lines.push(Line::from(vec![head, Span::raw(" "), e]));
                }
                if let Some(label) = label {
                    lines.push(Line::from(vec![
                        label,
                        Span::raw(" "),
                        Span::styled("none", theme.dim()),
                    ]));
                }
            }
            Field::Sort => {
                let text = sanitize(&sort_text(form.sort.as_ref(), catalog)).into_owned();
                let span = if form.sort.is_none() {
                    Span::styled(text, theme.dim())
                } else {
                    Span::raw(truncate_to_width(&text, value_w))
                };
                lines.push(Line::from(vec![label, Span::raw(" "), span]));
            }
            Field::Columns => {
                let cols = form.shown_columns();
                let mut spans = vec![label, Span::raw(" ")];
                if form.columns.is_empty() {
                    spans.push(Span::styled("(default) ", theme.dim()));
                }
                let mut used = if form.columns.is_empty() { 10 } else { 0 };
                for (i, c) in cols.iter().enumerate() {
                    let name = canonical_property(c);
                    let text = if name == "hs_object_id" && catalog.property(&name).is_none() {
                        "ID".to_owned()
                    } else {
                        sanitize(catalog.property_label(&name)).into_owned()
                    };
                    let sep = if i + 1 < cols.len() { ", " } else { "" };
                    let cell = width(&text) + sep.len();
                    if used + cell > value_w {
                        spans.push(Span::styled("…", theme.dim()));
                        break;
                    }
                    used += cell;
                    let style = if focused && i == form.col_cursor {
                        theme.selected(true)
                    } else {
                        Style::new()
                    };
                    spans.push(Span::styled(text, style));
                    spans.push(Span::raw(sep));
                }
                lines.push(Line::from(spans));
            }
            _ => {}
        }
        if focused {
            focus_range = (start, lines.len());
        }
    }
    (lines, focus_range)
}

/// Draws the search form (and its open picker) centred on the screen.
pub fn render_search_form(frame: &mut Frame, form: &SearchForm, catalog: &Catalog, theme: Theme) {
    let screen = frame.area();
    let w = screen.width.saturating_sub(4).clamp(40, 110);
    let inner_w = usize::from(w.saturating_sub(2));
    let (lines, (f_start, f_end)) = body_lines(form, catalog, inner_w, theme);

    // Bottom: a message, the preview (wrapped), the hints.
    let mut bottom: Vec<Line<'static>> = Vec::new();
    if form.confirm_discard {
        bottom.push(Line::from(vec![
            Span::styled("Discard your changes?  ", theme.error()),
            Span::styled("Esc", theme.key()),
            Span::raw("/"),
            Span::styled("y", theme.key()),
            Span::raw(" discard · other keys keep editing"),
        ]));
    } else {
        if let Some(m) = &form.message {
            for l in wrap(&sanitize(m), inner_w) {
                bottom.push(Line::styled(l, theme.error()));
            }
        }
        if let Some((text, error)) = preview_text(&form.preview) {
            let style = if error { theme.error() } else { theme.info() };
            for l in wrap(&text, inner_w).into_iter().take(3) {
                bottom.push(Line::styled(l, style));
            }
        }
        bottom.push(Line::styled(
            truncate_to_width(&field_hints(form), inner_w),
            theme.dim(),
        ));
    }

    let wanted = lines.len() + 1 + bottom.len() + 2;
    let h = u16::try_from(wanted)
        .unwrap_or(u16::MAX)
        .min(screen.height.saturating_sub(2))
        .max(8);
    let title = format!("Search · {}", sanitize(form.original_name()));
    let inner = modal(
        frame,
        w,
        h,
        &truncate_to_width(&title, inner_w.saturating_sub(2)),
        FOOTER,
        theme,
    );
    let bottom_h = u16::try_from(bottom.len()).unwrap_or(0).min(inner.height);
    let body = Rect {
        height: inner.height.saturating_sub(bottom_h + 1),
        ..inner
    };
    let body_h = usize::from(body.height);
    // Scroll so the focused field is in view (its first line at least).
    let start = if f_end > body_h {
        (f_end - body_h).min(f_start)
    } else {
        0
    };
    let shown: Vec<Line> = lines.into_iter().skip(start).take(body_h).collect();
    frame.render_widget(Paragraph::new(shown), body);
    let status = Rect {
        y: inner.y + inner.height - bottom_h,
        height: bottom_h,
        ..inner
    };
    frame.render_widget(Paragraph::new(bottom), status);

    if let Some(p) = &form.popup {
        render_popup(frame, p, inner, theme);
    }
}

fn render_popup(frame: &mut Frame, popup: &Popup, over: Rect, theme: Theme) {
    let w = over.width.saturating_sub(4).min(64);
    let h = over.height.saturating_sub(2).min(16);
    let area = centered(over, w, h);
    frame.render_widget(Clear, area);
    let (title, list, head, error): (
        String,
        Option<&ListPick>,
        Vec<Line<'static>>,
        Option<String>,
    ) = match popup {
        Popup::Choose { field, list } => (field.label().to_owned(), Some(list), Vec::new(), None),
        Popup::SortBy(list) => ("Sort by".into(), Some(list), Vec::new(), None),
        Popup::AddColumn(list) => ("Add column".into(), Some(list), Vec::new(), None),
        Popup::Condition(flow) => {
            let mut crumb = String::new();
            if let Some(p) = &flow.property {
                crumb.push_str(&sanitize(&p.label));
            }
            if let Some(op) = flow.operator {
                crumb.push(' ');
                crumb.push_str(operator_label(op));
            }
            let mut head = vec![Line::styled(
                if crumb.is_empty() {
                    "which property?".to_owned()
                } else {
                    format!("{crumb} …")
                },
                theme.header(),
            )];
            let list = match &flow.value {
                Some(ValueInput::Pick(l)) => Some(l),
                Some(ValueInput::Text {
                    low,
                    high,
                    two,
                    list,
                    on_high,
                }) => {
                    let iw = usize::from(w.saturating_sub(4));
                    let kind = flow.property.as_ref().map(|p| p.kind);
                    if *two {
                        for (label, t, here) in
                            [("from ", low, !*on_high), ("and  ", high, *on_high)]
                        {
                            head.push(Line::from(vec![
                                Span::styled(label, theme.dim()),
                                Span::styled(
                                    pad_to_width(
                                        &input_text(t, here, iw.saturating_sub(5)),
                                        iw.saturating_sub(5),
                                    ),
                                    if here {
                                        theme.selected(true)
                                    } else {
                                        theme.text()
                                    },
                                ),
                            ]));
                        }
                    } else {
                        head.push(Line::from(vec![
                            Span::styled(if *list { "values " } else { "value " }, theme.dim()),
                            Span::styled(
                                pad_to_width(
                                    &input_text(low, true, iw.saturating_sub(7)),
                                    iw.saturating_sub(7),
                                ),
                                theme.selected(true),
                            ),
                        ]));
                    }
                    if matches!(kind, Some(PropertyType::Date | PropertyType::DateTime)) {
                        head.push(Line::styled(
                            "2026-11-01, 2026-11-01 14:30, today, this week, -7d",
                            theme.dim(),
                        ));
                    }
                    None
                }
                None => match &flow.operators {
                    Some(l) => Some(l),
                    None => Some(&flow.properties),
                },
            };
            ("Add condition".into(), list, head, flow.error.clone())
        }
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let iw = usize::from(inner.width);
    let mut lines = head;
    if let Some(e) = error {
        lines.push(Line::styled(
            truncate_to_width(&sanitize(&e), iw),
            theme.error(),
        ));
    }
    if let Some(list) = list {
        lines.push(Line::from(vec![
            Span::styled("filter ", theme.dim()),
            Span::raw(input_text(list.filter(), true, iw.saturating_sub(7))),
        ]));
        let room = usize::from(inner.height).saturating_sub(lines.len());
        let p = &list.picker;
        let visible = p.visible();
        if visible.is_empty() {
            lines.push(Line::styled("no match", theme.dim()));
        }
        let start = (p.cursor + 1).saturating_sub(room);
        for (row, &oi) in visible.iter().enumerate().skip(start).take(room) {
            let o = &p.options[oi];
            let check = p.check_mark(&o.value);
            let label = format!("{check}{}", sanitize(&o.label));
            let mut spans = vec![Span::raw(label.clone())];
            if list.show_values && !o.value.is_empty() {
                let rest = iw.saturating_sub(width(&label) + 2);
                spans.push(Span::styled(
                    format!("  {}", truncate_to_width(&sanitize(&o.value), rest)),
                    theme.dim(),
                ));
            }
            let used: usize = spans.iter().map(|s| width(&s.content)).sum();
            spans.push(Span::raw(" ".repeat(iw.saturating_sub(used))));
            let line = Line::from(spans);
            lines.push(if row == p.cursor {
                line.style(theme.selected(true))
            } else {
                line
            });
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
#[path = "search_form_tests.rs"]
mod search_form_tests;
