//! The background sync's changes in the app: rows in place, the detail re-read, "N new".

use super::tests::fixtures::*;
use super::*;
use crate::domain::search::{Filter, FilterGroup};
use crate::protocol::{Command, Event, ListSource, SearchSource};

fn changed(tickets: Vec<Ticket>, removed: &[&str]) -> Msg {
    Msg::Worker(Event::LiveChanged {
        tickets,
        removed: removed.iter().map(|s| (*s).to_owned()).collect(),
    })
}

fn renamed(id: u32, subject: &str) -> Ticket {
    let mut t = ticket(id);
    t.properties.insert("subject".into(), subject.into());
    t
}

fn pipeline_zero() -> ListSource {
    ListSource::Search(SearchSource {
        filter_groups: vec![FilterGroup {
            filters: vec![Filter::eq("hs_pipeline", "0")],
        }],
        ..SearchSource::default()
    })
}

#[test]
fn a_changed_row_updates_in_place_and_the_cursor_stays() {
    let mut app = loaded(160, 48, 10, false);
    update(&mut app, key('j'));
    update(&mut app, key('j'));
    let before = app.list.selected_row();
    let selected = app.list.selected_id().map(str::to_owned);
    let fx = update(
        &mut app,
        changed(vec![renamed(1002, "Printer on fire")], &[]),
    );
    assert_eq!(
        app.list.get("1002").map(Ticket::subject),
        Some("Printer on fire")
    );
    assert_eq!(app.list.selected_row(), before);
    assert_eq!(app.list.selected_id().map(str::to_owned), selected);
    assert_eq!(app.list.position("1002"), Some(1), "not moved");
    // The detail shows 1003: not re-read for a change to 1002.
    assert!(
        fx.iter()
            .all(|e| !matches!(e, Effect::Api(Command::GetTicket { .. })))
    );
    assert!(app.live_new.is_empty());
}

#[test]
fn the_open_detail_is_read_again_when_its_ticket_changed() {
    let mut app = loaded(160, 48, 10, false);
    let shown = app.detail.ticket_id.clone().expect("a detail");
    let id: u32 = shown.parse().expect("numeric id");
    let fx = update(
        &mut app,
        changed(vec![renamed(id, "Changed elsewhere")], &[]),
    );
    let gets: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Api(Command::GetTicket { id, .. }) => Some(id.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(gets, vec![shown]);
}

#[test]
fn tickets_newly_matching_the_view_are_counted_until_the_list_loads_again() {
    let mut app = loaded(160, 48, 10, false);
    app.source = pipeline_zero();
    // 2002 is in pipeline 0, 2001 in another (`ticket`: every 7th), 1004 is loaded already.
    let fx = update(
        &mut app,
        changed(vec![ticket(2002), ticket(2001), renamed(1004, "x")], &[]),
    );
    assert!(
        fx.iter()
            .all(|e| !matches!(e, Effect::Api(Command::ListTickets { .. })))
    );
    assert_eq!(app.live_new.iter().collect::<Vec<_>>(), ["2002"]);
    assert!(app.list.get("2002").is_none(), "joins on r, not before");
    // Gone again before `r`: no longer counted.
    update(&mut app, changed(Vec::new(), &["2002"]));
    assert!(app.live_new.is_empty());
    update(&mut app, changed(vec![ticket(2002)], &[]));
    let fx = update(&mut app, key('r'));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Api(Command::ListTickets { after: None, .. })))
    );
    assert!(app.live_new.is_empty());
}

#[test]
fn with_live_insert_new_tickets_load_the_list_at_once() {
    let mut app = loaded(160, 48, 10, false);
    app.live_insert = true;
    app.source = pipeline_zero();
    let fx = update(&mut app, changed(vec![ticket(2002)], &[]));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Api(Command::ListTickets { after: None, .. })))
    );
}

#[test]
fn a_free_text_view_or_an_unsure_operator_counts_nothing() {
    let mut app = loaded(160, 48, 10, false);
    app.source = ListSource::Search(SearchSource {
        query: Some("printer".into()),
        ..SearchSource::default()
    });
    update(&mut app, changed(vec![ticket(2002)], &[]));
    assert!(app.live_new.is_empty());
    app.source = ListSource::Search(SearchSource {
        filter_groups: vec![FilterGroup {
            filters: vec![Filter::new(
                "createdate",
                crate::domain::search::FilterOperator::Gte,
                "0",
            )],
        }],
        ..SearchSource::default()
    });
    update(&mut app, changed(vec![ticket(2002)], &[]));
    assert!(app.live_new.is_empty());
}

#[test]
fn a_cache_notice_shows_in_the_status_bar() {
    let mut app = loaded(160, 48, 10, false);
    update(
        &mut app,
        Msg::Worker(Event::CacheNotice("the cache was rebuilt".into())),
    );
    assert_eq!(
        app.toast.as_ref().map(|t| t.text.as_str()),
        Some("the cache was rebuilt")
    );
}

#[test]
fn with_pages_still_to_load_only_tickets_created_since_count_as_new() {
    let mut app = loaded(160, 48, 10, true);
    app.source = pipeline_zero();
    let since = app.live_since.expect("the first page was asked for");
    // Changed, matching, not loaded: it may be on a later page.
    update(&mut app, changed(vec![ticket(2002)], &[]));
    assert!(app.live_new.is_empty());
    let mut fresh = ticket(2003);
    fresh.properties.insert(
        "createdate".into(),
        (since + jiff::SignedDuration::from_secs(1)).to_string(),
    );
    update(&mut app, changed(vec![fresh], &[]));
    assert_eq!(app.live_new.iter().collect::<Vec<_>>(), ["2003"]);
}

#[test]
fn the_warm_start_shows_cached_rows_as_of_the_last_sync_until_hubspot_answers() {
    let mut app = app(160, 48);
    let fx = app.start();
    let list_req = req_of(&fx, is_list);
    answer_catalog(&mut app, &fx);
    let as_of = app.now - jiff::SignedDuration::from_mins(2);
    update(
        &mut app,
        Msg::Worker(Event::CachedRows {
            tickets: tickets(3001..=3005),
            as_of_ms: as_of.as_millisecond(),
        }),
    );
    assert_eq!(app.list.len(), 5);
    assert_eq!(app.list.selected_id(), Some("3001"));
    assert_eq!(app.list_as_of_label().as_deref(), Some("as of 2 min ago"));
    update(&mut app, listed(list_req, tickets(1001..=1003), None));
    assert_eq!(
        app.list
            .tickets()
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
        ["1001", "1002", "1003"],
        "HubSpot's page replaced every cached row"
    );
    assert_eq!(app.list_as_of_label(), None);
    // Cached rows arriving after HubSpot's page are not shown.
    update(
        &mut app,
        Msg::Worker(Event::CachedRows {
            tickets: tickets(3001..=3005),
            as_of_ms: as_of.as_millisecond(),
        }),
    );
    assert_eq!(app.list.len(), 3);
    assert_eq!(app.list_as_of_label(), None);
}

/// The warm start shows only the cached rows the view surely holds ("Open" shows no closed
/// ticket while HubSpot's page is on its way); a condition it cannot decide exactly (a
/// free-text query) shows them all, as before.
#[test]
fn the_warm_start_shows_only_the_cached_rows_the_view_holds() {
    let mut app = app(160, 48);
    let fx = app.start();
    answer_catalog(&mut app, &fx);
    app.source = ListSource::Search(SearchSource {
        filter_groups: vec![FilterGroup {
            filters: vec![Filter::eq("hs_pipeline_stage", "4")],
        }],
        ..SearchSource::default()
    });
    let as_of = app.now - jiff::SignedDuration::from_mins(2);
    let cached = |app: &mut App| {
        update(
            app,
            Msg::Worker(Event::CachedRows {
                tickets: tickets(3001..=3008),
                as_of_ms: as_of.as_millisecond(),
            }),
        )
    };
    cached(&mut app);
    let ids: Vec<&str> = app.list.tickets().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["3003", "3007"], "only the rows in stage 4");

    let mut app = self::app(160, 48);
    let fx = app.start();
    answer_catalog(&mut app, &fx);
    app.source = ListSource::Search(SearchSource {
        query: Some("printer".into()),
        ..SearchSource::default()
    });
    cached(&mut app);
    assert_eq!(
        app.list.len(),
        8,
        "a query is HubSpot's to decide: all shown"
    );
}

/// HubSpot's page puts the cursor on its first row when the agent has not moved it (the first
/// cached row is only where it started), and keeps it where the agent moved it.
#[test]
fn hubspots_page_keeps_the_cursor_only_where_the_agent_moved_it() {
    for (moves, expected) in [(0, "1001"), (1, "1003")] {
        let mut app = app(160, 48);
        let fx = app.start();
        let list_req = req_of(&fx, is_list);
        answer_catalog(&mut app, &fx);
        let as_of_ms = app.now.as_millisecond();
        update(
            &mut app,
            Msg::Worker(Event::CachedRows {
                tickets: tickets(1002..=1003),
                as_of_ms,
            }),
        );
        for _ in 0..moves {
            update(&mut app, key('j'));
        }
        update(&mut app, listed(list_req, tickets(1001..=1003), None));
        assert_eq!(
            app.list.selected_id(),
            Some(expected),
            "after {moves} moves"
        );
    }
}

/// `tickets` with `id` created a day before the others.
fn created_first(mut tickets: Vec<Ticket>, id: &str) -> Vec<Ticket> {
    for t in tickets.iter_mut().filter(|t| t.id == id) {
        t.properties
            .insert("createdate".into(), "2026-01-14T08:30:00Z".into());
    }
    tickets
}

/// The fixtures' catalogue, as the cache would hold it.
fn cached_catalog() -> crate::domain::Catalog {
    let mut c = crate::domain::Catalog::default();
    c.tz = jiff::tz::TimeZone::UTC;
    c.set_properties(properties(), groups());
    c.set_pipelines(pipelines());
    c.set_owners(owners());
    c
}

/// 3001..=3005 as cached: 3003 is in stage 4 (closed), 3005 was created first.
const OPEN_CACHED: [&str; 4] = ["3005", "3001", "3002", "3004"];

#[test]
fn the_warm_start_shows_cached_rows_while_the_first_page_waits_for_the_catalogue() {
    // The default views: the first ("Open") is a search by stage, sorted: its first page
    // waits for HubSpot's pipelines and properties.
    let mut app = app(160, 48);
    app.set_views(crate::views::defaults());
    app.cached_catalog = Some(cached_catalog());
    let fx = app.start();
    assert!(
        fx.iter()
            .all(|e| !matches!(e, Effect::Api(Command::ListTickets { .. }))),
        "the first page waits for the catalogue: {fx:?}"
    );
    assert_eq!(
        app.catalog.pipelines.len(),
        2,
        "the cache's catalogue labels the rows meanwhile"
    );
    let as_of = app.now - jiff::SignedDuration::from_mins(2);
    update(
        &mut app,
        Msg::Worker(Event::CachedRows {
            tickets: created_first(tickets(3001..=3005), "3005"),
            as_of_ms: as_of.as_millisecond(),
        }),
    );
    // Compiled against the cache's catalogue: only the open stages' rows, oldest created
    // first as the view sorts (the cache gives the newest changes first).
    let ids: Vec<&str> = app.list.tickets().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids, OPEN_CACHED,
        "the view's cached rows are on screen at once"
    );
    assert_eq!(app.list_as_of_label().as_deref(), Some("as of 2 min ago"));
    // HubSpot's catalogue, then its first page, which replaces the cached rows.
    let fx = answer_catalog(&mut app, &fx);
    let list_req = req_of(&fx, is_list);
    update(&mut app, listed(list_req, tickets(1001..=1003), None));
    assert_eq!(app.list.len(), 3);
    assert_eq!(app.list_as_of_label(), None);
}
