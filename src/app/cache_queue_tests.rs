//! `/` over the cached queue in the app: asked for once when `/` opens, matched after the
//! loaded rows, marked, opened like any row, kept in step with the background sync.

use super::tests::fixtures::*;
use super::*;
use crate::protocol::{CacheRequest, Command, Event, ReqId};
use crossterm::event::KeyCode;

/// The request `/` sends to the cache, if any.
fn queue_request(fx: &[Effect]) -> Option<(ReqId, Option<String>)> {
    fx.iter().find_map(|e| match e {
        Effect::ReadCache(CacheRequest::Queue { req, pipeline, .. }) => {
            Some((*req, pipeline.clone()))
        }
        _ => None,
    })
}

fn renamed(id: u32, subject: &str) -> Ticket {
    let mut t = ticket(id);
    t.properties.insert("subject".into(), subject.into());
    t
}

/// 10 loaded rows (1001..=1010, more to load), and the cache's 300 (1001..=1300), one of them
/// never loaded with a subject of its own.
fn with_queue() -> App {
    let mut app = loaded(160, 48, 10, true);
    let fx = update(&mut app, key('/'));
    let (req, pipeline) = queue_request(&fx).expect("the cached queue asked for");
    assert_eq!(pipeline, None, "the view's pipeline: every pipeline");
    let mut cached: Vec<Ticket> = (1001..=1300).map(ticket).collect();
    cached[250] = renamed(1251, "Zebracorn anomaly");
    update(
        &mut app,
        Msg::Worker(Event::CachedQueue {
            req,
            tickets: cached,
            as_of_ms: Some(0),
        }),
    );
    app
}

#[test]
fn slash_matches_cached_tickets_never_loaded_after_the_loaded_ones() {
    let mut app = with_queue();
    type_text(&mut app, "zebracorn");
    assert_eq!(app.list.rows(), 1);
    assert!(app.list.is_cached_row(0), "from the cache");
    assert_eq!(app.list.selected_id(), Some("1251"));
    assert!(app.list.get("1251").is_none(), "not a loaded row");

    // A word every row has: the loaded matches first, then the cached ones without the
    // loaded tickets again.
    update(&mut app, ctrl('u'));
    type_text(&mut app, "customer question");
    let ids: Vec<&str> = (0..app.list.rows())
        .filter_map(|r| app.list.row(r).map(|t| t.id.as_str()))
        .collect();
    let first_cached = (0..app.list.rows())
        .position(|r| app.list.is_cached_row(r))
        .unwrap_or(ids.len());
    assert!(
        ids[..first_cached]
            .iter()
            .all(|id| app.list.get(id).is_some())
    );
    assert!(
        ids[first_cached..]
            .iter()
            .all(|id| app.list.get(id).is_none())
    );
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no ticket twice");
}

#[test]
fn a_cached_row_opens_with_its_detail_fetched_and_stays_out_of_the_view() {
    let mut app = with_queue();
    type_text(&mut app, "zebracorn");
    update(&mut app, code(KeyCode::Enter));
    let fx = update(&mut app, code(KeyCode::Enter));
    let mut fx = fx;
    fx.extend(tick(&mut app, 400));
    let get = fx.iter().find_map(|e| match e {
        Effect::Api(Command::GetTicket { req, id, .. }) => Some((*req, id.clone())),
        _ => None,
    });
    let (req, id) = get.expect("the detail fetched from HubSpot");
    assert_eq!(id, "1251");
    let mut fresh = renamed(1251, "Zebracorn anomaly, fixed");
    fresh.history = None;
    update(
        &mut app,
        Msg::Worker(Event::TicketFetched { req, ticket: fresh }),
    );
    assert!(
        app.list.get("1251").is_none(),
        "still not a row of the view"
    );
    assert_eq!(app.list.len(), 10);
    assert_eq!(
        app.list.selected().map(Ticket::subject),
        Some("Zebracorn anomaly, fixed"),
        "the cached row shows what HubSpot said"
    );
    // Without the filter only the view's rows show.
    update(&mut app, code(KeyCode::Esc));
    update(&mut app, code(KeyCode::Esc));
    assert_eq!(app.list.rows(), 10);
}

#[test]
fn the_cache_is_asked_once_per_pipeline_and_kept_in_step_with_the_sync() {
    let mut app = with_queue();
    update(&mut app, code(KeyCode::Esc));
    let fx = update(&mut app, key('/'));
    assert_eq!(queue_request(&fx), None, "on hand already");
    update(
        &mut app,
        Msg::Worker(Event::LiveChanged {
            tickets: vec![
                renamed(1290, "Quokka outage"),
                renamed(1400, "Quokka again"),
            ],
            removed: vec!["1251".into()],
        }),
    );
    type_text(&mut app, "quokka");
    // Fuzzy: other rows may match scattered letters; the two with the word rank first.
    let cached: Vec<&str> = (0..app.list.rows())
        .filter(|&r| app.list.is_cached_row(r))
        .filter_map(|r| app.list.row(r).map(|t| t.id.as_str()))
        .collect();
    let mut best = cached[..2].to_vec();
    best.sort_unstable();
    assert_eq!(best, ["1290", "1400"], "changed and new: {cached:?}");
    update(&mut app, ctrl('u'));
    type_text(&mut app, "zebracorn");
    assert_eq!(
        app.list.rows(),
        0,
        "a ticket gone from HubSpot is gone from `/`"
    );
}

#[test]
fn the_list_title_counts_the_cached_matches_and_rows_are_marked() {
    let mut app = with_queue();
    type_text(&mut app, "zebracorn");
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).expect("terminal");
    terminal.draw(|f| crate::ui::draw(f, &app)).expect("draw");
    let screen = crate::ui::buffer_text(terminal.backend().buffer());
    assert!(
        screen.contains("0/10 loaded · ≈ 1 from the cache"),
        "{screen}"
    );
    let row = screen
        .lines()
        .find(|l| l.contains("Zebracorn anomaly"))
        .expect("the row");
    assert!(row.contains('≈'), "{row}");
}
