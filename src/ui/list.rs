//! The ticket list pane: a header and the rows on screen (virtualized: cost follows the
//! viewport, not the number of loaded tickets).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::theme::{ALERT_SYMBOL, Theme};
use crate::app::detail::Loadable;
use crate::app::layout::list_body;
use crate::app::{App, Focus};
use crate::domain::{Catalog, PropertyType, Ticket};
use crate::text::{pad_to_width, sanitize, width};
use crate::views::columns::{self, Column as Shown};

/// One column as laid out: the property, its header and its width in cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub property: String,
    pub header: String,
    pub width: usize,
}

/// How a column wants to be sized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Exactly this many cells.
    Fixed(usize),
    /// Shares what is left, at least this many cells, with this weight.
    Flex { min: usize, weight: usize },
}

/// The short header of the common columns and the time columns, else the property's label.
fn header_for(property: &str, catalog: &Catalog) -> String {
    if let Some(h) = columns::header(property, catalog) {
        return h;
    }
    match property {
        "hs_object_id" => "ID".to_owned(),
        "subject" => "Subject".to_owned(),
        "hs_pipeline_stage" => "Stage".to_owned(),
        "hs_pipeline" => "Pipeline".to_owned(),
        "hs_ticket_priority" => "Pri".to_owned(),
        "hubspot_owner_id" => "Owner".to_owned(),
        "hs_lastmodifieddate" => "Modified".to_owned(),
        "createdate" => "Created".to_owned(),
        "closed_date" => "Closed".to_owned(),
        "hs_ticket_category" => "Category".to_owned(),
        other => catalog.property_label(other).to_owned(),
    }
}

fn want(property: &str, header: &str, catalog: &Catalog, id_width: usize) -> Want {
    let hw = width(header);
    match columns::parse(property) {
        // "120 d 23 h"; "!late 12 d 23 h" (an alert starts with its symbol).
        Shown::Since(_) => return Want::Fixed(10.max(hw)),
        Shown::Until(_) => return Want::Fixed(15.max(hw)),
        Shown::Property(_) => {}
    }
    match property {
        "hs_object_id" => return Want::Fixed(id_width.clamp(2, 12)),
        "subject" => return Want::Flex { min: 16, weight: 3 },
        "hs_pipeline_stage" => return Want::Fixed(14),
        "hs_pipeline" => return Want::Fixed(16),
        "hs_ticket_priority" => return Want::Fixed(6),
        _ => {}
    }
    let Some(def) = catalog.property(property) else {
        return Want::Flex {
            min: 8.max(hw),
            weight: 1,
        };
    };
    if def.referenced_object_type.as_deref() == Some("OWNER") {
        return Want::Fixed(14.max(hw));
    }
    match def.kind {
        PropertyType::DateTime => Want::Fixed(16),
        PropertyType::Date => Want::Fixed(10.max(hw)),
        PropertyType::Number => Want::Fixed(hw.clamp(6, 12)),
        PropertyType::Bool => Want::Fixed(hw.clamp(3, 10)),
        PropertyType::Enumeration => {
            let longest = def
                .options
                .iter()
                .map(|o| width(&o.label))
                .max()
                .unwrap_or(8);
            Want::Fixed(longest.max(hw).clamp(4, 18))
        }
        _ => Want::Flex {
            min: 10.max(hw.min(16)),
            weight: 1,
        },
    }
}

/// Lays out `properties` in `width` cells (inside borders, after the 2-cell marker; one space
/// between columns). Fixed columns get their width, flexible ones (subject, free text) share
/// the rest by weight. When it doesn't fit, columns go from the right (never the ID or the
/// subject); the pipeline goes first, and only stays when the subject keeps 40 cells.
pub fn layout(
    properties: &[String],
    catalog: &Catalog,
    width: usize,
    id_width: usize,
) -> Vec<Column> {
    let mut cols: Vec<(String, String, Want)> = properties
        .iter()
        .map(|p| {
            let h = header_for(p, catalog);
            let w = want(p, &h, catalog, id_width);
            (p.clone(), h, w)
        })
        .collect();
    let need = |cols: &[(String, String, Want)]| -> usize {
        2 + cols
            .iter()
            .map(|(_, _, w)| match w {
                Want::Fixed(n) => *n,
                Want::Flex { min, .. } => *min,
            })
            .sum::<usize>()
            + cols.len().saturating_sub(1)
    };
    let keep = |p: &str| p == "hs_object_id" || p == "subject";
    if let Some(i) = cols.iter().position(|(p, _, _)| p == "hs_pipeline")
        && cols.iter().any(|(p, _, _)| p == "subject")
        && need(&cols) + 40 - 16 > width
    {
        cols.remove(i);
    }
    while need(&cols) > width {
        match cols.iter().rposition(|(p, _, _)| !keep(p)) {
            Some(i) if cols.len() > 1 => {
                cols.remove(i);
            }
            _ => break,
        }
    }
    let fixed: usize = 2
        + cols.len().saturating_sub(1)
        + cols
            .iter()
            .map(|(_, _, w)| if let Want::Fixed(n) = w { *n } else { 0 })
            .sum::<usize>();
    let weights: usize = cols
        .iter()
        .map(|(_, _, w)| {
            if let Want::Flex { weight, .. } = w {
                *weight
            } else {
                0
            }
        })
        .sum();
    let mut spare = width.saturating_sub(fixed);
    let mut out: Vec<Column> = Vec::with_capacity(cols.len());
    let flex_count = cols
        .iter()
        .filter(|(_, _, w)| matches!(w, Want::Flex { .. }))
        .count();
    let mut flex_seen = 0;
    let total_spare = spare;
    for (property, header, w) in cols {
        let width = match w {
            Want::Fixed(n) => n,
            Want::Flex { min, weight } => {
                flex_seen += 1;
                let share = if flex_seen == flex_count {
                    spare
                } else {
                    (total_spare * weight / weights.max(1)).min(spare)
                };
                spare -= share;
                share.max(min)
            }
        };
        out.push(Column {
            property,
            header,
            width,
        });
    }
    // No flexible column: the last one takes what is left.
    if flex_count == 0
        && let Some(last) = out.last_mut()
    {
        last.width += spare;
    }
    out
}

pub fn render_list(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let focused = app.focus == Focus::List && app.overlay.is_none();
    let list = &app.list;
    let count = match (list.total, list.is_filtered()) {
        (_, true) if app.cache_queue_ready() => format!(
            "{}/{} loaded · ≈ {} from the cache",
            list.rows() - list.cached_rows(),
            list.len(),
            crate::text::thousands(u64::try_from(list.cached_rows()).unwrap_or(u64::MAX))
        ),
        (_, true) => format!("{}/{} loaded", list.rows(), list.len()),
        (Some(t), false) if app.list_capped => {
            format!("{}/{} · HubSpot stops at 10,000", list.len(), t)
        }
        (Some(t), false) => format!("{}/{}", list.len(), t),
        (None, false) if list.has_more() && list.loaded_once() => format!("{}+ loaded", list.len()),
        (None, false) => format!("{}", list.len()),
    };
    let mut title = vec![Span::styled(format!(" Tickets {count} "), theme.title())];
    if let Some(as_of) = app.list_as_of_label() {
        title.push(Span::styled(format!("{as_of} "), theme.key()));
    }
    if !app.live_new.is_empty() {
        title.push(Span::styled(
            format!("{} new ", app.live_new.len()),
            theme.key(),
        ));
    }
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
    let cols = layout(
        &app.current_view().column_names(),
        &app.catalog,
        width,
        id_width,
    );
    frame.render_widget(
        Paragraph::new(header(&cols, theme)),
        Rect { height: 1, ..inner },
    );
    // The rows go where the app's layout says (the mouse selects the row drawn there).
    let body = list_body(area);
    let mut lines = Vec::with_capacity(usize::from(body.height));
    if list.is_empty() {
        match &app.list_load {
            Loadable::Loading(_) | Loadable::Idle => {
                lines.push(Line::styled("  loading tickets…", theme.dim()));
            }
            // Wrapped, not cut: the end of the message is often what says why.
            Loadable::Failed(e) => {
                let room = usize::from(body.height).max(1);
                let after = format!(" — {}", retry_hint(app, e));
                for line in super::failure::lines("", e, &after, width.saturating_sub(3), room) {
                    lines.push(Line::styled(format!("  {line}"), theme.error()));
                }
            }
            Loadable::Ready(()) => lines.push(Line::styled("  no tickets", theme.dim())),
        }
    } else if list.rows() == 0 {
        let what = if app.cache_queue_ready() {
            "  no ticket matches the filter, loaded or cached"
        } else {
            "  no loaded ticket matches the filter"
        };
        lines.push(Line::styled(what, theme.dim()));
    }
    for (row, ticket) in list.visible() {
        lines.push(row_line(
            app,
            ticket,
            (row == list.selected_row(), list.is_cached_row(row)),
            focused,
            &cols,
            theme,
        ));
    }
    if let Loadable::Failed(e) = &app.list_load
        && !list.is_empty()
        && lines.len() < usize::from(body.height)
    {
        let after = format!(" — {}", retry_hint(app, e));
        lines.push(Line::styled(
            super::failure::line("  more tickets failed to load: ", e, &after, width),
            theme.error(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), body);
}

/// What brings the list back: `r` reloads it, but a list that failed because the catalogue
/// it waited for failed (the only list failure the app words with a context, see
/// `catalog_flow`) needs the catalogue reloaded (`R`). Named by the keys in force.
fn retry_hint(app: &App, failure: &crate::protocol::Failure) -> String {
    use crate::action::Action;
    use crate::keymap::Context;
    if failure.context.is_some() {
        format!(
            "{} reloads",
            app.keymap.key_name(Context::Global, Action::ReloadAll)
        )
    } else {
        format!(
            "press {} to retry",
            app.keymap.key_name(Context::List, Action::Refresh)
        )
    }
}

fn header(cols: &[Column], theme: Theme) -> Line<'static> {
    let mut s = String::from(" ");
    for c in cols {
        s.push(' ');
        s.push_str(&pad_to_width(&sanitize(&c.header), c.width));
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

/// One row; `(selected, cached)`: a cached row (`/` over the cache, not a loaded row of the
/// view) is marked `≈` and dimmed.
fn row_line(
    app: &App,
    t: &Ticket,
    (selected, cached): (bool, bool),
    focused: bool,
    cols: &[Column],
    theme: Theme,
) -> Line<'static> {
    let cat = &app.catalog;
    let marked = app.list.is_marked(&t.id);
    let gone = app.list.is_gone(&t.id);
    let left = app.list.has_left(&t.id);
    let marker = match (marked, gone || left) {
        (_, true) => "✗",
        (true, false) => "●",
        _ if cached => "≈",
        _ => " ",
    };
    let mut spans = vec![Span::styled(marker, theme.marked())];
    for c in cols {
        spans.push(Span::raw(" "));
        let cell = match c.property.as_str() {
            "hs_object_id" => Span::raw(pad_to_width(&sanitize(&t.id), c.width)),
            "subject" => {
                let subject = if gone {
                    format!("(deleted) {}", t.subject())
                } else if left {
                    format!("(left this view) {}", t.subject())
                } else {
                    t.subject().to_owned()
                };
                Span::raw(pad_to_width(&sanitize(&subject), c.width))
            }
            "hs_ticket_priority" => Span::styled(
                pad_to_width(priority_label(t.priority()), c.width),
                theme.priority(t.priority()),
            ),
            p if let Some(cell) = columns::cell(p, t, cat, app.now) => {
                // An alert is a symbol and a style, never a colour alone.
                let (text, style) = if cell.alert {
                    (format!("{ALERT_SYMBOL}{}", cell.text), theme.alert())
                } else {
                    (cell.text, theme.text())
                };
                Span::styled(pad_to_width(&sanitize(&text), c.width), style)
            }
            p => {
                let shown = if p == "hs_lastmodifieddate" {
                    // Falls back to the record's `updatedAt`.
                    t.last_modified()
                        .map(|ts| cat.local(ts))
                        .unwrap_or_default()
                } else {
                    crate::app::detail::one_line(cat, t, p, t.prop(p))
                };
                let style = match p {
                    "hs_pipeline_stage" | "hs_pipeline" | "hs_lastmodifieddate" | "createdate" => {
                        theme.dim()
                    }
                    _ => theme.text(),
                };
                Span::styled(pad_to_width(&sanitize(&shown), c.width), style)
            }
        };
        spans.push(cell);
    }
    let mut line = Line::from(spans);
    if gone || left {
        line = line.style(theme.gone());
    } else if cached {
        line = line.style(theme.dim());
    }
    if selected {
        line = line.style(theme.selected(focused));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::tests::fixtures;

    fn names(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| (*s).to_owned()).collect()
    }

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        c.set_properties(fixtures::properties(), fixtures::groups());
        c
    }

    fn total(cols: &[Column]) -> usize {
        2 + cols.iter().map(|c| c.width).sum::<usize>() + cols.len() - 1
    }

    #[test]
    fn columns_fill_the_width_and_drop_from_the_right_when_narrow() {
        let cat = catalog();
        let default: Vec<String> = crate::views::DEFAULT_COLUMNS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let wide = layout(&default, &cat, 120, 4);
        assert_eq!(total(&wide), 120);
        let props: Vec<&str> = wide.iter().map(|c| c.property.as_str()).collect();
        assert!(
            props.contains(&"hs_pipeline"),
            "120 cells: room for the pipeline"
        );
        let subject = wide
            .iter()
            .find(|c| c.property == "subject")
            .map(|c| c.width);
        assert!(subject >= Some(40));
        let at100 = layout(&default, &cat, 100, 4);
        assert!(
            at100.iter().all(|c| c.property != "hs_pipeline"),
            "100 cells: the subject keeps the room"
        );
        assert_eq!(total(&at100), 100);
        let narrow = layout(&default, &cat, 58, 4);
        let props: Vec<&str> = narrow.iter().map(|c| c.property.as_str()).collect();
        assert_eq!(props[..2], ["hs_object_id", "subject"]);
        assert!(!props.contains(&"hs_lastmodifieddate"), "{props:?}");
        assert!(total(&narrow) <= 58);
        let tiny = layout(&default, &cat, 10, 4);
        assert_eq!(tiny.len(), 2, "ID and subject always stay");
    }

    #[test]
    fn any_property_is_a_column_sized_by_its_type() {
        let cat = catalog();
        let cols = layout(
            &names(&[
                "hs_object_id",
                "subject",
                "hs_ticket_category",
                "createdate",
                "content",
                "nope",
            ]),
            &cat,
            150,
            4,
        );
        let w = |p: &str| cols.iter().find(|c| c.property == p).map(|c| c.width);
        assert_eq!(
            w("hs_ticket_category"),
            Some(13),
            "its longest option label"
        );
        assert_eq!(w("createdate"), Some(16));
        assert!(
            w("subject") > w("content"),
            "the subject gets the larger share"
        );
        assert!(w("nope") >= Some(8));
        assert_eq!(total(&cols), 150);
        assert_eq!(cols[2].header, "Category");
    }
}
