//! The live queue in the app: what the background sync's [`Event::LiveChanged`] does to the
//! list and the detail.
//!
//! Owns: updating loaded rows in place (the cursor stays on its ticket and row), re-reading
//! the open detail when its ticket changed, counting the tickets that newly match the view
//! ("N new" until the list is loaded again, or loading it at once with `live = "insert"`).
//! Must not: read the cache or sync (the runtime's live task does, and speaks `protocol`).
//!
//! [`Event::LiveChanged`]: crate::protocol::Event::LiveChanged

use crate::domain::Ticket;
use crate::domain::search::{Filter, FilterOperator};
use crate::protocol::{Event, ListSource, SearchSource};

use super::{App, Effect};

/// Tickets added or changed since the last sync, and the IDs gone.
pub(super) fn on_changed(app: &mut App, tickets: Vec<Ticket>, removed: &[String]) -> Vec<Effect> {
    let mut fx = Vec::new();
    let mut updated = Vec::new();
    let mut detail_changed = false;
    app.cache_queue_changed(&tickets, removed);
    for ticket in tickets {
        detail_changed |= app.detail.ticket_id.as_deref() == Some(ticket.id.as_str());
        if app.list.get(&ticket.id).is_some() {
            updated.push(ticket.id.clone());
            app.list.upsert(ticket);
        } else if is_new(app, &ticket) {
            app.live_new.insert(ticket.id);
        }
    }
    for id in removed {
        app.live_new.remove(id);
        app.list.remove(id);
    }
    if !removed.is_empty() {
        app.fuzzy_stale = true;
    }
    app.sync_haystacks(&updated);
    if detail_changed && !app.detail.ticket.is_loading() {
        fx.extend(app.fetch_detail());
    }
    if app.live_insert && !app.live_new.is_empty() && !app.list_load.is_loading() {
        fx.extend(app.load_list(None));
    }
    app.dirty = true;
    fx
}

/// The warm start: the cached rows of the view's pipeline, shown marked "as of …" while the
/// first page from HubSpot is on its way (ignored once a page has come).
pub(super) fn on_cached(app: &mut App, tickets: Vec<Ticket>, as_of_ms: i64) -> Vec<Effect> {
    // Offline, the first page may have failed before the cached rows came: they are shown.
    let offline_failed = app
        .list_load
        .failure()
        .is_some_and(super::write_gate::unreachable);
    // The first page may also wait for the catalogue (a view by stage or sort): the cached
    // rows show meanwhile.
    let first_page_due = app.list_load.is_loading() || app.list_waiting;
    if app.list.loaded_once() || !(first_page_due || offline_failed) {
        return Vec::new();
    }
    let Ok(as_of) = jiff::Timestamp::from_millisecond(as_of_ms) else {
        return Vec::new();
    };
    let tickets = surely_in_view(app, tickets);
    if tickets.is_empty() {
        return Vec::new();
    }
    app.list.replace_first_page(tickets, None);
    app.fuzzy_stale = true;
    app.list_as_of = Some(as_of);
    app.dirty = true;
    app.selection_changed()
}

/// HubSpot's first page replaces the cached rows, all of them (none is kept as a row that
/// "left the view"); the cursor goes back to the first row, unless the agent moved it to a
/// ticket the page has (`replace_first_page` keeps it there).
pub(super) fn confirm_cached(app: &mut App, event: &Event) {
    if let Event::TicketsListed { req, tickets, .. } = event
        && app.list_as_of.is_some()
        && app.list_first_page
        && app.list_load.waits_for(*req)
    {
        app.list_as_of = None;
        // Kept only where the agent moved to it: the first cached row is just where the
        // cursor started, and HubSpot's first row is the view's real first.
        let moved = app.list.selected_row() > 0;
        let keep = moved
            && app
                .list
                .selected_id()
                .is_some_and(|id| tickets.iter().any(|t| t.id == id));
        if !keep {
            app.list = app.list.emptied();
        }
    }
}

impl App {
    /// "as of 2 min ago" while the list shows cached rows.
    pub fn list_as_of_label(&self) -> Option<String> {
        let as_of = self.list_as_of?;
        let secs = (self.now - as_of).get_seconds().max(0);
        let ago = match secs {
            0..60 => "just now".to_owned(),
            60..3600 => format!("{} min ago", secs / 60),
            3600..86_400 => format!("{} h ago", secs / 3600),
            _ => format!("{} d ago", secs / 86_400),
        };
        Some(format!("as of {ago}"))
    }
}

/// Whether a ticket not among the rows newly matches the view: it matches, and it cannot be
/// on a page not yet loaded (every page is, or it was created after the list was loaded).
fn is_new(app: &App, ticket: &Ticket) -> bool {
    let created_since = || {
        let created = ticket.prop("createdate").parse::<jiff::Timestamp>();
        matches!((created, app.live_since), (Ok(c), Some(since)) if c >= since)
    };
    matches_view(&app.source, ticket) && (!app.list.has_more() || created_since())
}

/// The cached rows the view surely holds, when its conditions can be checked here (stage,
/// owner, choices, set or not: what [`filter_matches`] evaluates exactly); otherwise, all of
/// them, as before (a free-text query or a date range: HubSpot's page sorts it out a moment
/// later, and offline they are all there is to show). The view is compiled against the
/// catalogue at hand (the cache's, on a warm start) when its first page still waits for
/// HubSpot's.
fn surely_in_view(app: &App, mut tickets: Vec<Ticket>) -> Vec<Ticket> {
    let source = if app.list_waiting {
        match app.resolve_with_catalogue_at_hand() {
            Some(source) => source,
            None => return tickets,
        }
    } else {
        app.source.clone()
    };
    if let ListSource::Search(s) = &source
        && evaluable(s)
    {
        tickets.retain(|t| search_matches(s, t));
        if let Some(sort) = &s.sort {
            sort_by_time(&mut tickets, sort);
        }
    }
    tickets
}

/// The view's order, when it sorts by a date every row has (`createdate`, say): the cache
/// gives the newest changes first. Any other sort (a choice, a number, a row without the
/// date) keeps the cache's order; HubSpot's page puts it right.
fn sort_by_time(tickets: &mut [Ticket], sort: &crate::domain::search::Sort) {
    let at = |t: &Ticket| {
        t.properties
            .get(&sort.property_name)
            .and_then(|v| v.parse::<jiff::Timestamp>().ok())
    };
    if tickets.iter().any(|t| at(t).is_none()) {
        return;
    }
    tickets.sort_by_key(|t| (at(t), t.id.parse::<u64>().unwrap_or(u64::MAX)));
    if sort.direction == crate::domain::search::SortDirection::Descending {
        tickets.reverse();
    }
}

/// Whether every condition of `source` is one [`filter_matches`] decides exactly.
fn evaluable(source: &SearchSource) -> bool {
    source.query.as_deref().is_none_or(|q| q.trim().is_empty())
        && source.filter_groups.iter().all(|g| {
            g.filters.iter().all(|f| {
                matches!(
                    f.operator,
                    FilterOperator::Eq
                        | FilterOperator::In
                        | FilterOperator::HasProperty
                        | FilterOperator::NotHasProperty
                )
            })
        })
}

/// Whether a ticket surely belongs to the list's source. Only what is certain counts: a
/// free-text query, or an operator whose exact HubSpot semantics the app does not repeat
/// (ranges, tokens), says no, so "N new" may undercount but never invents a ticket.
fn matches_view(source: &ListSource, ticket: &Ticket) -> bool {
    match source {
        ListSource::All => true,
        ListSource::Batch { .. } => false,
        ListSource::Search(s) => search_matches(s, ticket),
    }
}

fn search_matches(source: &SearchSource, ticket: &Ticket) -> bool {
    if source
        .query
        .as_deref()
        .is_some_and(|q| !q.trim().is_empty())
    {
        return false;
    }
    source.filter_groups.is_empty()
        || source
            .filter_groups
            .iter()
            .any(|g| g.filters.iter().all(|f| filter_matches(f, ticket)))
}

/// One filter on a cached ticket. UNCONFIRMED: that HubSpot compares EQ/IN on these
/// (enumeration, ID) properties case-insensitively; the values the views compile are IDs and
/// internal option names, where case does not differ.
fn filter_matches(filter: &Filter, ticket: &Ticket) -> bool {
    let value = ticket.properties.get(&filter.property_name);
    let is = |v: &str| value.is_some_and(|x| x.eq_ignore_ascii_case(v));
    let values = filter.values.as_deref().unwrap_or_default();
    match filter.operator {
        FilterOperator::Eq => filter.value.as_deref().is_some_and(is),
        FilterOperator::In => values.iter().any(|v| is(v)),
        // Set and different: whether HubSpot's NEQ / NOT_IN include tickets without the
        // property is UNCONFIRMED, so those are not counted.
        FilterOperator::Neq => {
            value.is_some_and(|x| !x.is_empty()) && !filter.value.as_deref().is_some_and(is)
        }
        FilterOperator::NotIn => {
            value.is_some_and(|x| !x.is_empty()) && !values.iter().any(|v| is(v))
        }
        FilterOperator::HasProperty => value.is_some_and(|x| !x.is_empty()),
        FilterOperator::NotHasProperty => value.is_none_or(String::is_empty),
        _ => false,
    }
}
