//! The detail pane: the ticket's title, the tab bar, the customer line (whose ticket it is:
//! contact · company · their other open tickets, once read) and the tab on view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::theme::Theme;
use crate::app::detail::{
    Cursor, Loadable, PropertyRow, Tab, activity_rows, association_rows, history_rows, one_line,
};
use crate::app::{App, Focus};
use crate::domain::Owner;
use crate::text::{pad_to_width, sanitize, truncate_to_width, width};

pub fn render_detail(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let focused = app.focus == Focus::Detail && app.overlay.is_none();
    let d = &app.detail;
    let subject = d
        .ticket
        .ready()
        .map(|t| t.subject().to_owned())
        .or_else(|| {
            d.ticket_id
                .as_deref()
                .and_then(|id| app.list.get(id))
                .map(|t| t.subject().to_owned())
        })
        .unwrap_or_default();
    let title = match &d.ticket_id {
        Some(id) => format!(" #{} {} ", sanitize(id), sanitize(&subject)),
        None => " No ticket selected ".to_owned(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(focused))
        .title(Span::styled(
            truncate_to_width(&title, usize::from(area.width.saturating_sub(4))),
            theme.title(),
        ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 || d.ticket_id.is_none() {
        return;
    }
    let w = usize::from(inner.width);
    // The customer line takes the row under the tabs, empty until the customer is read, so
    // nothing moves when it arrives.
    let customer = crate::app::customer_flow::line(app)
        .map(|l| truncate_to_width(&sanitize(&l), w))
        .unwrap_or_default();
    let mut lines = vec![tab_bar(app, theme), Line::styled(customer, theme.dim())];
    let body_rows = usize::from(inner.height).saturating_sub(2);
    let body = match &d.ticket {
        Loadable::Idle | Loadable::Loading(_)
            if d.tab != Tab::Associations && d.tab != Tab::Activity =>
        {
            vec![Line::styled("loading the ticket…", theme.dim())]
        }
        Loadable::Failed(e) if d.tab == Tab::Properties || d.tab == Tab::History => vec![
            Line::styled(super::failure::line("", e, "", w), theme.error()),
            Line::styled("r retries", theme.dim()),
        ],
        _ => match d.tab {
            Tab::Properties => properties(app, w, body_rows, focused, theme),
            Tab::History => history(app, w, body_rows, focused, theme),
            Tab::Associations => associations(app, w, body_rows, focused, theme),
            Tab::Activity => activity(app, w, body_rows, focused, theme),
        },
    };
    lines.extend(body);
    frame.render_widget(Paragraph::new(lines), inner);
}

fn tab_bar(app: &App, theme: Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, tab) in Tab::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw("  "));
        }
        let count = match tab {
            Tab::Associations => app.detail.associations.ready().map(Vec::len),
            Tab::Activity => app.detail.activities.ready().map(Vec::len),
            _ => None,
        };
        let label = match count {
            Some(n) => format!("{} {} ({n})", i + 1, tab.title()),
            None if *tab == Tab::Properties && app.detail.all_properties => {
                format!("{} {} (all)", i + 1, tab.title())
            }
            None => format!("{} {}", i + 1, tab.title()),
        };
        spans.push(Span::styled(label, theme.tab(*tab == app.detail.tab)));
    }
    Line::from(spans)
}

/// The rows of a tab between `cursor.offset` and the bottom of the body.
fn window<T>(rows: &[T], cursor: Cursor, height: usize) -> impl Iterator<Item = (usize, &T)> {
    let start = cursor.offset.min(rows.len());
    rows.iter().enumerate().skip(start).take(height)
}

fn loading_or_failed<T>(
    l: &Loadable<T>,
    what: &str,
    w: usize,
    theme: Theme,
) -> Option<Vec<Line<'static>>> {
    match l {
        Loadable::Idle | Loadable::Loading(_) => {
            Some(vec![Line::styled(format!("loading {what}…"), theme.dim())])
        }
        Loadable::Failed(e) => Some(vec![
            Line::styled(
                super::failure::line(&format!("loading {what} failed: "), e, "", w),
                theme.error(),
            ),
            Line::styled("r retries", theme.dim()),
        ]),
        Loadable::Ready(_) => None,
    }
}

fn properties(
    app: &App,
    w: usize,
    height: usize,
    focused: bool,
    theme: Theme,
) -> Vec<Line<'static>> {
    let rows = app.detail.property_rows(&app.catalog);
    let label_w = (w / 3).clamp(10, 26);
    let cursor = app.detail.properties;
    window(&rows, cursor, height)
        .map(|(i, row)| match row {
            PropertyRow::Group(g) => {
                Line::styled(truncate_to_width(&sanitize(g), w), theme.header())
            }
            PropertyRow::Property { label, value, .. } => {
                let v = if value.is_empty() {
                    "—".to_owned()
                } else {
                    sanitize(value).into_owned()
                };
                let line = Line::from(vec![
                    Span::styled(
                        pad_to_width(&format!(" {}", sanitize(label)), label_w),
                        theme.dim(),
                    ),
                    Span::raw(" "),
                    Span::raw(truncate_to_width(&v, w.saturating_sub(label_w + 1))),
                ]);
                if i == cursor.row {
                    line.style(theme.selected(focused))
                } else {
                    line
                }
            }
        })
        .collect()
}

fn who(
    app: &App,
    user: Option<i64>,
    source_label: Option<&str>,
    source_id: Option<&str>,
) -> String {
    match user {
        Some(u) => app
            .catalog
            .owner_by_user_id(u)
            .map_or_else(|| format!("user {u}"), Owner::display_name),
        None => source_label.or(source_id).unwrap_or("").to_owned(),
    }
}

fn history(app: &App, w: usize, height: usize, focused: bool, theme: Theme) -> Vec<Line<'static>> {
    let Some(t) = app.detail.ticket.ready() else {
        return Vec::new();
    };
    let rows = history_rows(t, app.detail.history_filter.as_deref());
    let mut out = Vec::new();
    let mut height = height;
    if let Some(p) = &app.detail.history_filter {
        out.push(Line::styled(
            format!(
                "only {} · f shows all",
                sanitize(app.catalog.property_label(p))
            ),
            theme.key(),
        ));
        height = height.saturating_sub(1);
    }
    if rows.is_empty() {
        out.push(Line::styled("no history", theme.dim()));
        return out;
    }
    let cursor = app.detail.history;
    let (time_w, prop_w) = (16, (w / 5).clamp(8, 20));
    let source_w = (w / 5).clamp(8, 24);
    let values_w = w.saturating_sub(time_w + prop_w + source_w + 3);
    for (i, e) in window(&rows, cursor, height) {
        let show = |v: &str| sanitize(&one_line(&app.catalog, t, &e.property, v)).into_owned();
        let old = e
            .old
            .as_deref()
            .map(show)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "—".into());
        let new = show(&e.new);
        let new = if new.is_empty() {
            "(cleared)".to_owned()
        } else {
            new
        };
        let half = values_w.saturating_sub(3) / 2;
        let who = who(
            app,
            e.updated_by_user_id,
            e.source_label.as_deref(),
            e.source_id.as_deref(),
        );
        let source = if who.is_empty() {
            e.source_type.clone()
        } else {
            format!("{} {}", e.source_type, who)
        };
        let line = Line::from(vec![
            Span::styled(
                pad_to_width(&app.catalog.local(e.timestamp), time_w),
                theme.dim(),
            ),
            Span::raw(" "),
            Span::raw(pad_to_width(
                &sanitize(app.catalog.property_label(&e.property)),
                prop_w,
            )),
            Span::raw(" "),
            Span::styled(truncate_to_width(&old, half), theme.old_value()),
            Span::raw(" → "),
            Span::styled(
                pad_to_width(
                    &new,
                    values_w.saturating_sub(3 + width(&truncate_to_width(&old, half))),
                ),
                theme.new_value(),
            ),
            Span::raw(" "),
            Span::styled(truncate_to_width(&sanitize(&source), source_w), theme.dim()),
        ]);
        out.push(if i == cursor.row {
            line.style(theme.selected(focused))
        } else {
            line
        });
    }
    out
}

fn associations(
    app: &App,
    w: usize,
    height: usize,
    focused: bool,
    theme: Theme,
) -> Vec<Line<'static>> {
    if let Some(lines) = loading_or_failed(&app.detail.associations, "associations", w, theme) {
        return lines;
    }
    let list = app
        .detail
        .associations
        .ready()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if list.is_empty() {
        return vec![Line::styled(
            "no associated contacts, companies or deals",
            theme.dim(),
        )];
    }
    let rows = association_rows(list);
    let cursor = app.detail.assoc;
    let title_w = (w * 2 / 5).max(10);
    window(&rows, cursor, height)
        .map(|(i, a)| {
            let labels = a.labels().join(", ");
            let labels = if labels.is_empty() {
                String::new()
            } else {
                format!(" [{labels}]")
            };
            let line = Line::from(vec![
                Span::styled(pad_to_width(a.kind.label(), 8), theme.dim()),
                Span::raw(pad_to_width(&sanitize(&a.title), title_w)),
                Span::raw(" "),
                Span::styled(
                    truncate_to_width(
                        &format!("{}{labels}", sanitize(&a.detail)),
                        w.saturating_sub(title_w + 9),
                    ),
                    theme.dim(),
                ),
            ]);
            if i == cursor.row {
                line.style(theme.selected(focused))
            } else {
                line
            }
        })
        .collect()
}

fn activity(app: &App, w: usize, height: usize, focused: bool, theme: Theme) -> Vec<Line<'static>> {
    if let Some(lines) = loading_or_failed(&app.detail.activities, "activities", w, theme) {
        return lines;
    }
    let list = app
        .detail
        .activities
        .ready()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if list.is_empty() {
        return vec![Line::styled(
            "no notes, emails, calls, tasks or meetings",
            theme.dim(),
        )];
    }
    let pinned = crate::app::actions::pinned_id(app);
    let rows = activity_rows(list);
    let cursor = app.detail.activity;
    window(&rows, cursor, height)
        .map(|(i, a)| {
            let is_pinned = !pinned.is_empty() && a.id == pinned;
            let when = a
                .timestamp
                .map(|t| app.catalog.local(t))
                .unwrap_or_default();
            let title = if a.title.is_empty() {
                a.body.lines().next().unwrap_or("").to_owned()
            } else {
                a.title.clone()
            };
            let line = Line::from(vec![
                Span::styled(if is_pinned { "★ " } else { "  " }, theme.pinned()),
                Span::styled(pad_to_width(a.kind.label(), 8), theme.dim()),
                Span::styled(pad_to_width(&when, 17), theme.dim()),
                Span::raw(truncate_to_width(&sanitize(&title), w.saturating_sub(27))),
            ]);
            if i == cursor.row {
                line.style(theme.selected(focused))
            } else {
                line
            }
        })
        .collect()
}
