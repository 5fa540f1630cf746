//! Triage mode's screen: the ticket on its own, full width. On top its subject and
//! description in full (wrapped; as much as fits in half the height) and the properties an
//! agent triages by; below, the detail pane (so `e`, `h` and the tabs work as usual) and, on a
//! wide screen, the latest activities beside it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::failure::wrap_words;
use super::theme::Theme;
use crate::app::App;
use crate::domain::Ticket;
use crate::text::{html_to_text, looks_like_html, pad_to_width, sanitize, truncate_to_width};

/// Properties shown on the header line, in this order, when the ticket has them.
const KEY_PROPERTIES: [&str; 5] = [
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "hubspot_owner_id",
    "hs_pipeline",
    "hs_ticket_category",
];

/// Below this width the latest activities are not drawn beside the detail (its Activity tab
/// shows them).
const SIDE_BY_SIDE: u16 = 120;

pub fn render_triage(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let Some(walk) = &app.triage else {
        return;
    };
    let ticket = app.detail.ticket.ready();
    let inner_w = usize::from(area.width.saturating_sub(2));
    let header = header_lines(app, ticket, inner_w, theme);
    let most = usize::from(area.height / 2).max(4);
    let header_h = u16::try_from(header.len().min(most) + 2).unwrap_or(u16::MAX);
    let top = Rect {
        height: header_h.min(area.height),
        ..area
    };
    let id = walk.current().unwrap_or("");
    let title = format!(
        " Triage · {} · #{} ",
        walk.position(app.list.total),
        sanitize(id)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(Span::styled(
            truncate_to_width(&title, inner_w),
            theme.title(),
        ));
    frame.render_widget(Paragraph::new(header).block(block), top);
    let rest = Rect {
        y: area.y + top.height,
        height: area.height.saturating_sub(top.height),
        ..area
    };
    if rest.height < 3 {
        return;
    }
    if area.width >= SIDE_BY_SIDE {
        let left_w = rest.width * 3 / 5;
        let left = Rect {
            width: left_w,
            ..rest
        };
        let right = Rect {
            x: rest.x + left_w,
            width: rest.width - left_w,
            ..rest
        };
        super::detail::render_detail(frame, left, app, theme);
        render_latest(frame, right, app, theme);
    } else {
        super::detail::render_detail(frame, rest, app, theme);
    }
}

/// Subject, the key properties, the description: what an agent reads first.
fn header_lines(app: &App, ticket: Option<&Ticket>, w: usize, theme: Theme) -> Vec<Line<'static>> {
    let Some(t) = ticket else {
        return vec![Line::styled("loading the ticket…", theme.dim())];
    };
    let mut lines: Vec<Line<'static>> = wrap_words(&sanitize(t.subject()), w)
        .into_iter()
        .map(|l| Line::styled(l, theme.title()))
        .collect();
    let props: Vec<String> = KEY_PROPERTIES
        .iter()
        .filter_map(|p| {
            let shown = app.catalog.display_value(Some(t), p, t.prop(p));
            (!shown.is_empty())
                .then(|| format!("{} {}", app.catalog.property_label(p), sanitize(&shown)))
        })
        .collect();
    for l in wrap_words(&props.join(" · "), w) {
        lines.push(Line::styled(l, theme.dim()));
    }
    lines.push(Line::raw(""));
    let description = t.prop("content");
    if description.trim().is_empty() {
        lines.push(Line::styled("(no description)", theme.dim()));
    } else {
        let text = if looks_like_html(description) {
            html_to_text(description)
        } else {
            description.to_owned()
        };
        for para in text.lines() {
            if para.trim().is_empty() {
                lines.push(Line::raw(""));
                continue;
            }
            for l in wrap_words(&sanitize(para), w) {
                lines.push(Line::raw(l));
            }
        }
    }
    lines
}

/// The newest activities, newest first, a few lines of each.
fn render_latest(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let w = usize::from(area.width.saturating_sub(2));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(false))
        .title(Span::styled(" Latest activity ", theme.title()));
    let mut lines: Vec<Line<'static>> = Vec::new();
    match &app.detail.activities {
        crate::protocol::Loadable::Ready(list) if list.is_empty() => {
            lines.push(Line::styled("no activity yet", theme.dim()));
        }
        crate::protocol::Loadable::Ready(list) => {
            let mut list: Vec<_> = list.iter().collect();
            list.sort_by_key(|a| std::cmp::Reverse(a.timestamp));
            for a in list {
                let when = a
                    .timestamp
                    .map(|t| app.catalog.local(t))
                    .unwrap_or_default();
                lines.push(Line::from(vec![
                    Span::styled(pad_to_width(a.kind.label(), 8), theme.dim()),
                    Span::styled(when, theme.dim()),
                ]));
                let mut body = wrap_words(&sanitize(&a.title), w.saturating_sub(2));
                body.extend(
                    a.body
                        .lines()
                        .filter(|l| !l.trim().is_empty() && l.trim() != a.title.trim())
                        .flat_map(|l| wrap_words(&sanitize(l), w.saturating_sub(2)))
                        .take(3),
                );
                lines.extend(body.into_iter().map(|l| Line::raw(format!("  {l}"))));
            }
        }
        crate::protocol::Loadable::Failed(f) => {
            lines.push(Line::styled(
                super::failure::line("loading activities failed: ", f, "", w),
                theme.error(),
            ));
        }
        _ => lines.push(Line::styled("loading activities…", theme.dim())),
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
