//! The reader: one value, history entry or activity read in full over the panes (`Enter` in
//! the detail). Rich text reads as text — paragraphs, lists, links as numbered references —
//! never as tags; durations, dates, choices and owners read as the Properties tab shows them,
//! with the stored value below when it differs. The text is laid out to the reader's width
//! (`Areas::reader`), so scrolling reaches the last line of a long paragraph; `y` copies the
//! value (`[keys.overlay]`).
//!
//! Must not: do I/O (copying is `Effect::Clipboard`) or draw (`ui::overlay` does).

use super::*;
use crate::domain::Catalog;

/// A value read in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub title: String,
    /// The text as read: sanitized, rich text already readable.
    pub text: String,
    /// What `y` copies: the value itself, without the reader's notes.
    pub copy: String,
    /// `text` laid out to the reader's width, as drawn.
    pub lines: Vec<String>,
    /// The first line shown.
    pub scroll: usize,
}

impl Reader {
    pub fn new(title: String, text: String, copy: String, areas: &Areas) -> Self {
        let mut r = Self {
            title,
            text,
            copy,
            lines: Vec::new(),
            scroll: 0,
        };
        r.layout(areas);
        r
    }

    /// Lays the text out again (the terminal was resized), keeping the scroll in range.
    pub fn layout(&mut self, areas: &Areas) {
        self.lines = crate::text::wrap(&self.text, areas.reader_width());
        self.scroll = self.scroll.min(self.last_scroll(areas));
    }

    /// The furthest the text scrolls: its last line at the bottom of the reader.
    pub fn last_scroll(&self, areas: &Areas) -> usize {
        self.lines.len().saturating_sub(areas.reader_rows().max(1))
    }
}

/// Shows `text` (a summary, a list of what went wrong) in the reader; `y` copies all of it.
pub fn show(app: &mut App, title: String, text: String) {
    let text = crate::text::sanitize_multiline(&text).into_owned();
    app.overlay = Some(Overlay::Reader(Box::new(Reader::new(
        title,
        text.clone(),
        text,
        &app.areas,
    ))));
}

/// A property's value as the reader shows it: rich text readable, anything else as the
/// Properties tab shows it (a duration, a date, a label).
pub fn readable_value(catalog: &Catalog, ticket: &Ticket, name: &str, raw: &str) -> String {
    if crate::text::looks_like_html(raw) {
        crate::text::html_to_readable(raw)
    } else {
        crate::text::readable(&catalog.display_value(Some(ticket), name, raw))
    }
}

/// The property's reader: its value, and the stored value when what is shown differs.
fn property_text(app: &App, name: &str, label: &str) -> Option<(String, String, String)> {
    let t = app.detail.ticket.ready()?;
    let raw = t.prop(name);
    if raw.is_empty() {
        return Some((label.to_owned(), "(no value)".to_owned(), String::new()));
    }
    let shown = readable_value(&app.catalog, t, name, raw);
    let text = if crate::text::looks_like_html(raw) || shown == raw {
        shown.clone()
    } else {
        format!("{shown}\n\nStored value: {}", crate::text::sanitize(raw))
    };
    Some((label.to_owned(), text, shown))
}

/// The history entry's reader: the value before and after, each readable.
fn history_text(app: &App) -> Option<(String, String, String)> {
    let t = app.detail.ticket.ready()?;
    let rows = detail::history_rows(t, app.detail.history_filter.as_deref());
    let e = rows.get(app.detail.history.row)?;
    let label = app.catalog.property_label(&e.property).to_owned();
    let show = |v: &str| readable_value(&app.catalog, t, &e.property, v);
    let old = e
        .old
        .as_deref()
        .filter(|v| !v.is_empty())
        .map_or_else(|| "(no value)".to_owned(), show);
    let new = show(&e.new);
    let new_shown = if new.is_empty() {
        "(cleared)".to_owned()
    } else {
        new.clone()
    };
    Some((
        format!("{label} · {}", app.catalog.local(e.timestamp)),
        format!("Before:\n{old}\n\nAfter:\n{new_shown}"),
        new,
    ))
}

/// `Enter` in the detail: the selected property, history entry, association or activity in
/// the reader.
pub(super) fn open_from_detail(app: &mut App) {
    let text = match app.detail.tab {
        Tab::Properties => app
            .selected_property()
            .and_then(|(name, label, _)| property_text(app, &name, &label)),
        Tab::History => history_text(app),
        Tab::Associations => app.detail.associations.ready().and_then(|list| {
            let rows = detail::association_rows(list);
            let a = rows.get(app.detail.assoc.row)?;
            let labels = a.labels().join(", ");
            let text = format!("{}\n{}\n{}", a.title, a.detail, labels);
            Some((
                format!("{} {}", a.kind.label(), a.id),
                text.trim_end().to_owned(),
                a.title.clone(),
            ))
        }),
        Tab::Activity => app.detail.activities.ready().and_then(|list| {
            let rows = detail::activity_rows(list);
            let a = rows.get(app.detail.activity.row)?;
            let when = a
                .timestamp
                .map(|t| app.catalog.local(t))
                .unwrap_or_default();
            let text = if a.title.is_empty() || a.body.starts_with(&a.title) {
                a.body.clone()
            } else {
                format!("{}\n\n{}", a.title, a.body)
            };
            Some((format!("{} · {when}", a.kind.label()), text, a.body.clone()))
        }),
    };
    if let Some((title, text, copy)) = text {
        let text = crate::text::sanitize_multiline(&text).into_owned();
        app.overlay = Some(Overlay::Reader(Box::new(Reader::new(
            title, text, copy, &app.areas,
        ))));
    }
}

/// A key in the reader (`[keys.overlay]`): scroll, copy; the caller closes it on close keys.
pub(super) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    let areas = app.areas;
    let Some(Overlay::Reader(r)) = app.overlay.as_mut() else {
        return Vec::new();
    };
    let last = r.last_scroll(&areas);
    let page = areas.reader_rows().saturating_sub(1).max(1);
    let at = r.scroll.min(last);
    r.scroll = match action {
        Action::Down => (at + 1).min(last),
        Action::Up => at.saturating_sub(1),
        Action::PageDown | Action::HalfPageDown => (at + page).min(last),
        Action::PageUp | Action::HalfPageUp => at.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => last,
        _ => at,
    };
    if action != Action::CopyValue {
        return Vec::new();
    }
    let copy = r.copy.clone();
    let title = r.title.clone();
    if copy.is_empty() {
        app.info(format!("{title}: nothing to copy"));
        return Vec::new();
    }
    app.info(format!("copied {title}"));
    vec![Effect::Clipboard(copy)]
}
