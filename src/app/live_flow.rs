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
use crate::protocol::{ListSource, SearchSource};

use super::{App, Effect};

/// Tickets added or changed since the last sync, and the IDs gone.
pub(super) fn on_changed(app: &mut App, tickets: Vec<Ticket>, removed: &[String]) -> Vec<Effect> {
    let mut fx = Vec::new();
    let mut updated = Vec::new();
    let mut detail_changed = false;
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

/// Whether a ticket not among the rows newly matches the view: it matches, and it cannot be
/// on a page not yet loaded (every page is, or it was created after the list was loaded).
fn is_new(app: &App, ticket: &Ticket) -> bool {
    let created_since = || {
        let created = ticket.prop("createdate").parse::<jiff::Timestamp>();
        matches!((created, app.live_since), (Ok(c), Some(since)) if c >= since)
    };
    matches_view(&app.source, ticket) && (!app.list.has_more() || created_since())
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
