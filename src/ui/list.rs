//! The ticket list pane: a header and the rows on screen (virtualized: cost follows the
//! viewport, not the number of loaded tickets).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::theme::Theme;
use crate::app::detail::Loadable;
use crate::app::{App, Focus};
use crate::domain::Ticket;
use crate::text::{pad_to_width, sanitize, truncate_to_width};

/// Column widths for a list `width` cells wide (inside borders).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    pub id: usize,
    pub subject: usize,
    pub stage: usize,
    pub priority: usize,
    pub owner: usize,
    pub modified: usize,
    /// 0 when hidden (narrow lists).
    pub pipeline: usize,
}

impl Columns {
    /// Fixed columns first; the subject takes the rest. Owner and date go when space is short.
    pub fn fit(width: usize, id_width: usize) -> Self {
        let id = id_width.clamp(2, 12);
        let (stage, priority) = (14, 6);
        let mut owner = 14;
        let mut modified = 16;
        // 2 cells of marker + 1 space between each column.
        let fixed = |o: usize, m: usize| {
            2 + id
                + 1
                + 1
                + stage
                + 1
                + priority
                + usize::from(o > 0) * (o + 1)
                + usize::from(m > 0) * (m + 1)
        };
        if width < fixed(owner, modified) + 20 {
            modified = 0;
        }
        if width < fixed(owner, modified) + 16 {
            owner = 0;
        }
        let mut pipeline = 16;
        if width < fixed(owner, modified) + pipeline + 1 + 40 {
            pipeline = 0;
        }
        let extra = usize::from(pipeline > 0) * (pipeline + 1);
        let subject = width.saturating_sub(fixed(owner, modified) + extra).max(8);
        Self {
            id,
            subject,
            stage,
            priority,
            owner,
            modified,
            pipeline,
        }
    }
}

pub fn render_list(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let focused = app.focus == Focus::List && app.overlay.is_none();
    let list = &app.list;
    let count = match (list.total, list.is_filtered()) {
        (_, true) => format!("{}/{} loaded", list.rows(), list.len()),
        (Some(t), false) => format!("{}/{}", list.len(), t),
        (None, false) if list.has_more() && list.loaded_once() => format!("{}+ loaded", list.len()),
        (None, false) => format!("{}", list.len()),
    };
    let mut title = vec![Span::styled(format!(" Tickets {count} "), theme.title())];
    if let Some(f) = &app.filter {
        title.push(Span::styled(
            format!(
                "/{}{} ",
                sanitize(&f.query),
                if f.editing { "▏" } else { "" }
            ),
            theme.key(),
        ));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Line::from(title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let id_width = list
        .visible()
        .map(|(_, t)| t.id.len())
        .max()
        .unwrap_or(4)
        .max(2);
    let cols = Columns::fit(width, id_width);
    let mut lines = Vec::with_capacity(usize::from(inner.height));
    lines.push(header(cols, theme));
    if list.is_empty() {
        let msg = match &app.list_load {
            Loadable::Loading(_) | Loadable::Idle => {
                Line::styled("  loading tickets…", theme.dim())
            }
            Loadable::Failed(e) => Line::styled(
                format!(
                    "  {} — press r to retry",
                    truncate_to_width(&sanitize(e), width.saturating_sub(24))
                ),
                theme.error(),
            ),
            Loadable::Ready(()) => Line::styled("  no tickets", theme.dim()),
        };
        lines.push(msg);
    } else if list.rows() == 0 {
        lines.push(Line::styled(
            "  no loaded ticket matches the filter",
            theme.dim(),
        ));
    }
    for (row, ticket) in list.visible() {
        lines.push(row_line(
            app,
            ticket,
            row == list.selected_row(),
            focused,
            cols,
            theme,
        ));
    }
    if let Loadable::Failed(e) = &app.list_load
        && !list.is_empty()
        && lines.len() < usize::from(inner.height)
    {
        lines.push(Line::styled(
            truncate_to_width(
                &format!("  more tickets failed to load: {} — r retries", sanitize(e)),
                width,
            ),
            theme.error(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn header(c: Columns, theme: Theme) -> Line<'static> {
    let mut s = String::from("  ");
    s.push_str(&pad_to_width("ID", c.id));
    s.push(' ');
    s.push_str(&pad_to_width("Subject", c.subject));
    s.push(' ');
    s.push_str(&pad_to_width("Stage", c.stage));
    if c.pipeline > 0 {
        s.push(' ');
        s.push_str(&pad_to_width("Pipeline", c.pipeline));
    }
    s.push(' ');
    s.push_str(&pad_to_width("Pri", c.priority));
    if c.owner > 0 {
        s.push(' ');
        s.push_str(&pad_to_width("Owner", c.owner));
    }
    if c.modified > 0 {
        s.push(' ');
        s.push_str(&pad_to_width("Modified", c.modified));
    }
    Line::styled(s, theme.header())
}

fn priority_label(p: &str) -> &str {
    match p {
        "URGENT" => "URGENT",
        "HIGH" => "HIGH",
        "MEDIUM" => "MED",
        "LOW" => "LOW",
        other => other,
    }
}

fn row_line(
    app: &App,
    t: &Ticket,
    selected: bool,
    focused: bool,
    c: Columns,
    theme: Theme,
) -> Line<'static> {
    let cat = &app.catalog;
    let marked = app.list.is_marked(&t.id);
    let gone = app.list.is_gone(&t.id);
    let marker = match (marked, gone) {
        (_, true) => "✗ ",
        (true, false) => "● ",
        _ => "  ",
    };
    let stage = cat.display_value(Some(t), "hs_pipeline_stage", t.stage());
    let owner = cat.display_value(Some(t), "hubspot_owner_id", t.owner_id());
    let modified = t
        .last_modified()
        .map(|ts| cat.local(ts))
        .unwrap_or_default();
    let subject = if gone {
        format!("(deleted) {}", t.subject())
    } else {
        t.subject().to_owned()
    };
    let mut spans = vec![
        Span::styled(marker, theme.marked()),
        Span::raw(pad_to_width(&sanitize(&t.id), c.id)),
        Span::raw(" "),
        Span::raw(pad_to_width(&sanitize(&subject), c.subject)),
        Span::raw(" "),
        Span::styled(pad_to_width(&sanitize(&stage), c.stage), theme.dim()),
    ];
    if c.pipeline > 0 {
        let pipeline = cat.display_value(Some(t), "hs_pipeline", t.pipeline());
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            pad_to_width(&sanitize(&pipeline), c.pipeline),
            theme.dim(),
        ));
    }
    spans.extend([
        Span::raw(" "),
        Span::styled(
            pad_to_width(priority_label(t.priority()), c.priority),
            theme.priority(t.priority()),
        ),
    ]);
    if c.owner > 0 {
        spans.push(Span::raw(" "));
        spans.push(Span::raw(pad_to_width(&sanitize(&owner), c.owner)));
    }
    if c.modified > 0 {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            pad_to_width(&modified, c.modified),
            theme.dim(),
        ));
    }
    let mut line = Line::from(spans);
    if gone {
        line = line.style(theme.gone());
    }
    if selected {
        line = line.style(theme.selected(focused));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fill_the_width_and_drop_extras_when_narrow() {
        let wide = Columns::fit(120, 4);
        assert!(wide.owner > 0 && wide.modified > 0);
        let total = 2
            + usize::from(wide.pipeline > 0) * (wide.pipeline + 1)
            + wide.id
            + 1
            + wide.subject
            + 1
            + wide.stage
            + 1
            + wide.priority
            + 1
            + wide.owner
            + 1
            + wide.modified;
        assert_eq!(total, 120);
        assert!(
            wide.pipeline > 0 && wide.subject >= 40,
            "120 cells: room for the pipeline"
        );
        assert_eq!(
            Columns::fit(100, 4).pipeline,
            0,
            "100 cells: the subject keeps the room"
        );
        let wider = Columns::fit(200, 4);
        assert!(wider.pipeline > 0 && wider.subject >= 40);
        let narrow = Columns::fit(58, 4);
        assert_eq!((narrow.owner, narrow.modified, narrow.pipeline), (0, 0, 0));
        assert!(narrow.subject >= 8);
    }
}
