//! The search form: one row per field (Created and Modified with their from/to inputs on one
//! row, Conditions one line per condition with "or" between OR-groups), the match-count
//! preview and the focused field's key hints at the bottom. Pickers and the add-condition
//! steps open as a smaller box over it. The field list scrolls to keep the focused field in
//! view.
//!
//! Every key named on screen (footer, hints, the discard question) comes from the bindings in
//! force (`[keys.search]`, `[keys.picker]`), never a literal: a rebound key shows as rebound.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::edit::footer_from;
use super::overlay::{centered, modal};
use super::theme::Theme;
use crate::action::Action;
use crate::app::edit::Picker;
use crate::app::search_form::{
    ConditionFlow, Field, Popup, Preview, SearchForm, TextValue, ValueInput, condition_text,
    sort_text, value_label,
};
use crate::domain::{Catalog, PropertyType};
use crate::keymap::{Context, Keymap};
use crate::text::{pad_to_width, sanitize, thousands, truncate_to_width, width};
use crate::views::{SEARCH_CAP, canonical_property, operator_label};

const LABEL_W: usize = 12;

/// The keys of the form as a whole, under its box.
const FOOTER_KEYS: &[(Context, Action, &str)] = &[
    (Context::Search, Action::Search, "search"),
    (Context::Search, Action::SaveView, "save as view"),
    (Context::Search, Action::Cancel, "cancel"),
];

/// The keys of "discard your changes?".
const DISCARD_KEYS: &[(Context, Action, &str)] = &[
    (Context::Search, Action::Cancel, "discard"),
    (Context::Confirm, Action::Confirm, "discard"),
];

/// A hint line: its words (`type to filter`), then its keys from the bindings in force.
pub struct Hint {
    lead: &'static str,
    keys: String,
}

impl Hint {
    /// `lead · keys` in `w` cells; the words give way to the keys when both don't fit.
    pub fn fit(&self, w: usize) -> String {
        let text = if self.lead.is_empty() || self.keys.is_empty() {
            format!("{}{}", self.lead, self.keys)
        } else {
            format!("{} · {}", self.lead, self.keys)
        };
        if width(&text) > w && !self.keys.is_empty() {
            truncate_to_width(&self.keys, w)
        } else {
            truncate_to_width(&text, w)
        }
    }
}

/// A hint of `lead` and the keys of `parts` (unbound ones left out).
fn hint(lead: &'static str, keymap: &Keymap, parts: &[(Context, Action, &str)]) -> Hint {
    Hint {
        lead,
        keys: footer_from(keymap, parts).trim().to_owned(),
    }
}

/// The preview line's text and whether it is an error.
pub fn preview_text(p: &Preview, keymap: &Keymap) -> Option<(String, bool)> {
    match p {
        Preview::Idle => None,
        Preview::Counting => Some(("counting…".into(), false)),
        Preview::Count(1) => Some(("1 ticket matches".into(), false)),
        Preview::Count(n) => Some((format!("{} tickets match", thousands(*n)), false)),
        Preview::Capped(n) => {
            let sort_key = keymap
                .key_for(Context::List, Action::Sort)
                .map(|k| format!(" ({k})"))
                .unwrap_or_default();
            Some((
                format!(
                    "{} match — HubSpot search shows the first {}; sort by ID{sort_key} pages through all, or narrow the search",
                    thousands(*n),
                    thousands(SEARCH_CAP)
                ),
                false,
            ))
        }
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

/// Key hints for the focused field (or the open popup), from the bindings in force.
pub fn field_hints(form: &SearchForm, keymap: &Keymap) -> Hint {
    use Action::*;
    use Context::Search as S;
    if form.confirm_discard {
        return hint("", keymap, &[]);
    }
    if let Some(p) = &form.popup {
        return popup_hints(p, keymap);
    }
    match form.focus {
        Field::Text => hint(
            "type words to find",
            keymap,
            &[(S, Clear, "clear"), (S, NextField, "next field")],
        ),
        Field::CreatedFrom | Field::CreatedTo | Field::ModifiedFrom | Field::ModifiedTo => hint(
            "2026-11-01, today, yesterday, this week, last month, -7d",
            keymap,
            &[(S, Clear, "clear")],
        ),
        Field::Pipeline | Field::Stages | Field::Priority | Field::Category | Field::Owner => hint(
            "",
            keymap,
            &[
                (S, Open, "choose"),
                (S, Clear, "clear"),
                (S, NextField, "next field"),
            ],
        ),
        Field::Conditions => hint(
            "",
            keymap,
            &[
                (S, Open, "add"),
                (S, Add, "add"),
                (S, NextCondition, "select"),
                (S, PrevCondition, "select"),
                (S, Remove, "remove"),
                (S, NewOrGroup, "new OR-group"),
            ],
        ),
        Field::Sort => hint(
            "",
            keymap,
            &[
                (S, Open, "property"),
                (S, SortDirection, "direction"),
                (S, Remove, "none"),
            ],
        ),
        Field::Columns => hint(
            "",
            keymap,
            &[
                (S, Open, "add"),
                (S, Add, "add"),
                (S, PrevColumn, "select"),
                (S, NextColumn, "select"),
                (S, MoveColumnLeft, "move"),
                (S, MoveColumnRight, "move"),
                (S, Remove, "remove"),
                (S, Clear, "default"),
            ],
        ),
        Field::SaveAs => hint("type a name", keymap, &[(S, SaveView, "saves as a view")]),
    }
}

/// The hints of a popup: a picker's keys, or the value input's.
fn popup_hints(popup: &Popup, keymap: &Keymap) -> Hint {
    use Action::*;
    use Context::{Picker as P, Search as S};
    let moving = [(P, Up, "move"), (P, Down, "move")];
    let pick = |lead: &'static str, rest: &[(Context, Action, &str)]| {
        let parts: Vec<(Context, Action, &str)> = moving.iter().chain(rest).copied().collect();
        hint(lead, keymap, &parts)
    };
    match popup {
        Popup::Choose { list, .. } if list.multi => pick(
            "type to filter",
            &[
                (P, Toggle, "mark"),
                (P, Accept, "done"),
                (P, Clear, "none"),
                (P, Cancel, "back"),
            ],
        ),
        Popup::Condition(flow) => match &flow.value {
            Some(ValueInput::Text(TextValue { two: true, .. })) => hint(
                "type the value",
                keymap,
                &[
                    (S, NextField, "from/to"),
                    (S, Open, "next/add"),
                    (S, Cancel, "back"),
                ],
            ),
            Some(ValueInput::Text(TextValue { list: true, .. })) => hint(
                "type values, comma-separated",
                keymap,
                &[(S, Open, "add"), (S, Cancel, "back")],
            ),
            Some(ValueInput::Text(_)) => hint(
                "type the value",
                keymap,
                &[(S, Open, "add"), (S, Cancel, "back")],
            ),
            Some(ValueInput::Pick(l)) if l.multi => pick(
                "",
                &[(P, Toggle, "mark"), (P, Accept, "add"), (P, Cancel, "back")],
            ),
            _ => pick(
                "type to filter",
                &[(P, Accept, "choose"), (P, Cancel, "back")],
            ),
        },
        _ => pick(
            "type to filter",
            &[(P, Accept, "choose"), (P, Cancel, "back")],
        ),
    }
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

/// What every row is drawn with.
struct Rows<'a> {
    form: &'a SearchForm,
    catalog: &'a Catalog,
    keymap: &'a Keymap,
    /// Cells for the value, right of the label.
    value_w: usize,
    theme: Theme,
}

/// The body lines and the range of lines of the focused field.
fn body_lines(rows: &Rows) -> (Vec<Line<'static>>, (usize, usize)) {
    let form = rows.form;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut focus_range = (0, 0);
    // The "to" ends share the line of their "from".
    let shown = Field::ALL
        .into_iter()
        .filter(|f| !matches!(f, Field::CreatedTo | Field::ModifiedTo));
    for row in shown {
        let start = lines.len();
        let focused = form.focus == row || pair_of(row) == Some(form.focus);
        let label = label_span(row, focused, rows.theme);
        match row {
            Field::Text | Field::SaveAs => lines.push(text_row(rows, row, label, focused)),
            Field::CreatedFrom | Field::ModifiedFrom => lines.extend(date_rows(rows, row, label)),
            Field::Conditions => lines.extend(condition_rows(rows, label, focused)),
            Field::Sort => lines.push(sort_row(rows, label)),
            Field::Columns => lines.push(columns_row(rows, label, focused)),
            _ if row.is_choice() => lines.push(choice_row(rows, row, label)),
            _ => {}
        }
        if focused {
            focus_range = (start, lines.len());
        }
    }
    (lines, focus_range)
}

/// The "to" input drawn on the row of a "from".
fn pair_of(row: Field) -> Option<Field> {
    match row {
        Field::CreatedFrom => Some(Field::CreatedTo),
        Field::ModifiedFrom => Some(Field::ModifiedTo),
        _ => None,
    }
}

/// Text and Save as: the text typed, or a dim placeholder.
fn text_row(rows: &Rows, row: Field, label: Span<'static>, focused: bool) -> Line<'static> {
    let t = rows.form.text(row);
    let shown = if t.is_empty() && !focused {
        let placeholder = if row == Field::Text {
            "—"
        } else {
            "— (a name, to save this search as a view)"
        };
        Span::styled(placeholder, rows.theme.dim())
    } else {
        Span::raw(input_text(t, focused, rows.value_w))
    };
    Line::from(vec![label, Span::raw(" "), shown])
}

/// Created / Modified: from and to on one line, then a line per date that does not parse.
fn date_rows(rows: &Rows, row: Field, label: Span<'static>) -> Vec<Line<'static>> {
    let (form, theme) = (rows.form, rows.theme);
    let to = pair_of(row).unwrap_or(row);
    let half = rows.value_w.saturating_sub(10) / 2;
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
    let mut lines = vec![Line::from(spans)];
    let indent = " ".repeat(LABEL_W + 1);
    for f in [row, to] {
        if let Some(e) = form.field_error(f) {
            lines.push(Line::styled(
                format!("{indent}{}", truncate_to_width(&sanitize(&e), rows.value_w)),
                theme.error(),
            ));
        }
    }
    lines
}

/// Pipeline, stages, priority, category, owner: the chosen values by label, or "any".
fn choice_row(rows: &Rows, row: Field, label: Span<'static>) -> Line<'static> {
    let form = rows.form;
    let labels: Vec<String> = form
        .values(row)
        .iter()
        .map(|v| {
            sanitize(&value_label(row, v, rows.catalog, form.pipeline.as_deref())).into_owned()
        })
        .collect();
    let shown = if labels.is_empty() {
        let any = if row == Field::Pipeline {
            "Any pipeline"
        } else {
            "any"
        };
        Span::styled(any, rows.theme.dim())
    } else {
        Span::raw(truncate_to_width(&labels.join(", "), rows.value_w))
    };
    Line::from(vec![label, Span::raw(" "), shown])
}

/// One line per condition, "or" between OR-groups, and the OR-group about to start.
fn condition_rows(rows: &Rows, label: Span<'static>, focused: bool) -> Vec<Line<'static>> {
    let (form, theme, value_w) = (rows.form, rows.theme, rows.value_w);
    let order = form.condition_order();
    let mut entries: Vec<Span<'static>> = Vec::new();
    let mut last_group = None;
    for (pos, &i) in order.iter().enumerate() {
        let c = &form.conditions[i];
        if last_group.is_some_and(|g| g != c.group) {
            entries.push(Span::styled("or", theme.header()));
        }
        last_group = Some(c.group);
        let text = truncate_to_width(&sanitize(&condition_text(c, rows.catalog)), value_w);
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
        let next = match rows
            .keymap
            .key_for(Context::Search, Action::Open)
            .or_else(|| rows.keymap.key_for(Context::Search, Action::Add))
        {
            Some(k) => format!("(new OR-group: {k} adds its first condition)"),
            None => "(new OR-group: its first condition comes next)".to_owned(),
        };
        entries.push(Span::styled(
            truncate_to_width(&next, value_w),
            theme.selected(focused),
        ));
    }
    if entries.is_empty() {
        entries.push(Span::styled("none", theme.dim()));
    }
    let mut label = Some(label);
    entries
        .into_iter()
        .map(|e| {
            let head = label
                .take()
                .unwrap_or_else(|| Span::raw(" ".repeat(LABEL_W)));
            Line::from(vec![head, Span::raw(" "), e])
        })
        .collect()
}

fn sort_row(rows: &Rows, label: Span<'static>) -> Line<'static> {
    let sort = rows.form.sort.as_ref();
    let text = sanitize(&sort_text(sort, rows.catalog)).into_owned();
    let span = if sort.is_none() {
        Span::styled(text, rows.theme.dim())
    } else {
        Span::raw(truncate_to_width(&text, rows.value_w))
    };
    Line::from(vec![label, Span::raw(" "), span])
}

/// The columns by label, the selected one highlighted, cut with "…" where they don't fit.
fn columns_row(rows: &Rows, label: Span<'static>, focused: bool) -> Line<'static> {
    let (form, catalog, theme) = (rows.form, rows.catalog, rows.theme);
    let cols = form.shown_columns();
    let mut spans = vec![label, Span::raw(" ")];
    if form.columns.is_empty() {
        spans.push(Span::styled("(default) ", theme.dim()));
    }
    let mut used = if form.columns.is_empty() { 10 } else { 0 };
    for (i, c) in cols.iter().enumerate() {
        let name = canonical_property(c);
        // Urgency columns (`since:…`, `until:…`) by the header the list gives them.
        let text = if let Some(h) = crate::views::columns::header(c, catalog) {
            sanitize(&h).into_owned()
        } else if name == "hs_object_id" && catalog.property(&name).is_none() {
            "ID".to_owned()
        } else {
            sanitize(catalog.property_label(&name)).into_owned()
        };
        let sep = if i + 1 < cols.len() { ", " } else { "" };
        let cell = width(&text) + sep.len();
        if used + cell > rows.value_w {
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
    Line::from(spans)
}

/// Under the fields: the discard question, or a message, the preview (wrapped) and the hints.
fn bottom_lines(form: &SearchForm, keymap: &Keymap, w: usize, theme: Theme) -> Vec<Line<'static>> {
    if form.confirm_discard {
        let keys = footer_from(keymap, DISCARD_KEYS);
        return vec![Line::from(vec![
            Span::styled("Discard your changes?  ", theme.error()),
            Span::raw(format!("{} · other keys keep editing", keys.trim())),
        ])];
    }
    let mut bottom = Vec::new();
    if let Some(m) = &form.message {
        for l in wrap(&sanitize(m), w) {
            bottom.push(Line::styled(l, theme.error()));
        }
    }
    if let Some((text, error)) = preview_text(&form.preview, keymap) {
        let style = if error { theme.error() } else { theme.info() };
        for l in wrap(&text, w).into_iter().take(3) {
            bottom.push(Line::styled(l, style));
        }
    }
    bottom.push(Line::styled(field_hints(form, keymap).fit(w), theme.dim()));
    bottom
}

/// Draws the search form (and its open picker) centred on the screen.
pub fn render_search_form(
    frame: &mut Frame,
    form: &SearchForm,
    catalog: &Catalog,
    keymap: &Keymap,
    theme: Theme,
) {
    let screen = frame.area();
    let w = screen.width.saturating_sub(4).clamp(40, 110);
    let inner_w = usize::from(w.saturating_sub(2));
    let rows = Rows {
        form,
        catalog,
        keymap,
        value_w: inner_w.saturating_sub(LABEL_W + 1),
        theme,
    };
    let (lines, (f_start, f_end)) = body_lines(&rows);
    let bottom = bottom_lines(form, keymap, inner_w, theme);

    let wanted = lines.len() + 1 + bottom.len() + 2;
    let h = u16::try_from(wanted)
        .unwrap_or(u16::MAX)
        .min(screen.height.saturating_sub(2))
        .max(8);
    let title = format!("Search · {}", sanitize(form.original_name()));
    let footer = footer_from(keymap, FOOTER_KEYS);
    let inner = modal(
        frame,
        w,
        h,
        &truncate_to_width(&title, inner_w.saturating_sub(2)),
        footer.trim(),
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

/// What a popup shows: its title, lines above the list (the condition's steps so far, a
/// value input), an error, and the list with whether it shows each option's value too.
struct PopupView<'a> {
    title: String,
    head: Vec<Line<'static>>,
    error: Option<String>,
    list: Option<(&'a Picker, bool)>,
}

fn popup_view(popup: &Popup, iw: usize, theme: Theme) -> PopupView<'_> {
    let plain = |title: &str, list, show_values| PopupView {
        title: title.to_owned(),
        head: Vec::new(),
        error: None,
        list: Some((list, show_values)),
    };
    match popup {
        Popup::Choose { field, list } => plain(field.label(), list, false),
        Popup::SortBy(list) => plain("Sort by", list, true),
        Popup::AddColumn(list) => plain("Add column", list, true),
        Popup::Condition(flow) => condition_view(flow, iw, theme),
    }
}

/// The add-condition popup: the steps taken so far, then the step at hand.
fn condition_view(flow: &ConditionFlow, iw: usize, theme: Theme) -> PopupView<'_> {
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
        Some(ValueInput::Pick(l)) => Some((l, false)),
        Some(ValueInput::Text(t)) => {
            let kind = flow.property.as_ref().map(|p| p.kind);
            head.extend(value_input_lines(t, kind, iw, theme));
            None
        }
        None => match &flow.operators {
            Some(l) => Some((l, false)),
            None => Some((&flow.properties, true)),
        },
    };
    PopupView {
        title: "Add condition".into(),
        head,
        error: flow.error.clone(),
        list,
    }
}

/// A typed condition value: one input, or from/and for `between`; date words under a date.
fn value_input_lines(
    t: &TextValue,
    kind: Option<PropertyType>,
    iw: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    // Both ends of `between` line up after "from "/"and  "; one value gets 7 cells of label.
    let cells = iw.saturating_sub(if t.two { 5 } else { 7 });
    let input = |label: &'static str, text: &str, here: bool| {
        Line::from(vec![
            Span::styled(label, theme.dim()),
            Span::styled(
                pad_to_width(&input_text(text, here, cells), cells),
                if here {
                    theme.selected(true)
                } else {
                    theme.text()
                },
            ),
        ])
    };
    let mut lines = if t.two {
        vec![
            input("from ", &t.low, !t.on_high),
            input("and  ", &t.high, t.on_high),
        ]
    } else {
        vec![input(
            if t.list { "values " } else { "value " },
            &t.low,
            true,
        )]
    };
    if matches!(kind, Some(PropertyType::Date | PropertyType::DateTime)) {
        lines.push(Line::styled(
            "2026-11-01, 2026-11-01 14:30, today, this week, -7d",
            theme.dim(),
        ));
    }
    lines
}

/// The filter line and the options that fit `room` lines, scrolled to the cursor.
fn list_lines(
    p: &Picker,
    show_values: bool,
    iw: usize,
    room: usize,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled("filter ", theme.dim()),
        Span::raw(input_text(&p.query, true, iw.saturating_sub(7))),
    ])];
    let room = room.saturating_sub(1);
    let visible = p.visible();
    if visible.is_empty() {
        lines.push(Line::styled("no match", theme.dim()));
    }
    let start = (p.cursor + 1).saturating_sub(room);
    for (row, &oi) in visible.iter().enumerate().skip(start).take(room) {
        let o = &p.options[oi];
        let label = format!("{}{}", p.check_mark(&o.value), sanitize(&o.label));
        let mut spans = vec![Span::raw(label.clone())];
        if show_values && !o.value.is_empty() {
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
    lines
}

fn render_popup(frame: &mut Frame, popup: &Popup, over: Rect, theme: Theme) {
    let w = over.width.saturating_sub(4).min(64);
    let h = over.height.saturating_sub(2).min(16);
    let area = centered(over, w, h);
    frame.render_widget(Clear, area);
    let view = popup_view(popup, usize::from(w.saturating_sub(4)), theme);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(format!(" {} ", view.title), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let iw = usize::from(inner.width);
    let mut lines = view.head;
    if let Some(e) = view.error {
        lines.push(Line::styled(
            truncate_to_width(&sanitize(&e), iw),
            theme.error(),
        ));
    }
    if let Some((list, show_values)) = view.list {
        let room = usize::from(inner.height).saturating_sub(lines.len());
        lines.extend(list_lines(list, show_values, iw, room, theme));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
#[path = "search_form_tests.rs"]
mod search_form_tests;
