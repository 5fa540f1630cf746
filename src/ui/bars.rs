//! The top bar (portal, pipeline, requests in flight, rate-limit headroom) and the status bar
//! (messages, or key hints from the keymap in force).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::layout::{label_widths, view_tabs};
use crate::app::{App, Level};
use crate::protocol::ListSource;
use crate::text::{fit_keeping_correlation, sanitize, truncate_to_width, width};

pub fn render_top_bar(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let mut left = vec![Span::styled(" hubtix ", theme.title())];
    // First, so no width cuts them: whether writes are sent at all.
    if let Some(banner) = app.offline_banner() {
        left.push(Span::styled(format!(" {banner} "), theme.error()));
        left.push(Span::raw(" "));
    }
    if app.gate.read_only {
        left.push(Span::styled(" read-only ", theme.badge()));
        left.push(Span::raw(" "));
    }
    if app.portal.demo {
        left.push(Span::raw("· "));
        left.push(Span::styled(" DEMO ", theme.badge()));
        left.push(Span::raw(" "));
    } else if let Some(p) = &app.portal.portal_id {
        left.push(Span::raw(format!("· portal {} ", sanitize(p))));
    }
    let current = app.current_view();
    let pipeline = current.pipeline.as_deref().map_or_else(
        || "All pipelines".to_owned(),
        |id| {
            app.catalog
                .pipeline(id)
                .map_or_else(|| id.to_owned(), |p| sanitize(&p.label).into_owned())
        },
    );
    let view = match &app.source {
        _ if app.customer.view.is_some() => format!(
            "view: {}",
            sanitize(&crate::app::customer_flow::view_title(app).unwrap_or_default())
        ),
        ListSource::Batch {
            values,
            id_property,
        } => format!(
            "view: {} opened by {}",
            values.len(),
            id_property
                .as_deref()
                .map_or("record ID", |p| app.catalog.property_label(p))
        ),
        _ => format!(
            "{pipeline} · view: {}{}",
            sanitize(&current.name),
            if app.view_modified() {
                " (modified)"
            } else {
                ""
            }
        ),
    };
    left.push(Span::raw(format!("· {view}")));
    if let Some(walk) = &app.triage {
        left.push(Span::raw(" · "));
        left.push(Span::styled(
            format!(" triage {} ", walk.position(app.list.total)),
            theme.badge(),
        ));
    }
    let mut right = String::new();
    if let Some(until) = app.worker.backoff_until.filter(|u| *u > app.now) {
        let secs = (until - app.now).get_seconds().max(1);
        // Retries wait for the rate limit, or for HubSpot to answer at all (offline).
        let why = if app.gate.offline_since.is_some() {
            "no answer"
        } else {
            "rate limited"
        };
        right.push_str(&format!("{why}, retrying in {secs}s  "));
    }
    if app.worker.in_flight > 0 {
        right.push_str(&format!("⟳ {}  ", app.worker.in_flight));
    }
    if let (Some(rem), Some(max)) = (app.worker.remaining, app.worker.max) {
        right.push_str(&format!("{rem}/{max} "));
    }
    let used: usize = left.iter().map(|s| width(&s.content)).sum();
    let w = usize::from(area.width);
    let right = truncate_to_width(&right, w.saturating_sub(used));
    let gap = w.saturating_sub(used + width(&right));
    left.push(Span::raw(" ".repeat(gap)));
    left.push(Span::styled(right, theme.dim()));
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}

/// The saved views as tabs; the current one highlighted (`*` when modified), scrolled so
/// that it is always on screen. Each tab goes in the cells `layout::view_tabs` gives it (where
/// a click switches to it).
pub fn render_tabs(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    if area.height == 0 {
        return;
    }
    let labels = app.view_tab_labels();
    let at = view_tabs(area, &label_widths(&labels), app.view_index);
    let mut spans = Vec::new();
    if at.scrolled {
        spans.push(Span::styled("‹ ", theme.dim()));
    }
    for (i, _) in &at.tabs {
        spans.push(Span::styled(
            labels[*i].clone(),
            theme.tab(*i == app.view_index),
        ));
        spans.push(Span::raw(" "));
    }
    if at.more {
        spans.push(Span::styled("›", theme.dim()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn render_status_bar(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let w = usize::from(area.width);
    let marked = app.list.marked().len();
    let right = if marked > 0 {
        format!("{marked} marked ")
    } else {
        String::new()
    };
    let room = w.saturating_sub(width(&right) + 1);
    let mut spans = vec![Span::raw(" ")];
    if let Some(t) = &app.toast {
        let style = match t.level {
            Level::Info => theme.info(),
            Level::Error => theme.error(),
        };
        spans.push(Span::styled(
            fit_keeping_correlation(&sanitize(&t.text), room),
            style,
        ));
    } else {
        let mut used = 0;
        for (keys, label) in app.keymap.hints(app.context()) {
            let piece = format!("{keys} {label}  ");
            if used + width(&piece) > room {
                break;
            }
            used += width(&piece);
            spans.push(Span::styled(keys, theme.key()));
            spans.push(Span::raw(format!(" {label}  ")));
        }
    }
    let used: usize = spans.iter().map(|s| width(&s.content)).sum();
    spans.push(Span::raw(
        " ".repeat(w.saturating_sub(used + width(&right))),
    ));
    spans.push(Span::styled(right, theme.marked()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
