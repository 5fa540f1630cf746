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

/// The cache's 300 tickets (1001..=1300), one never loaded with a subject of its own.
fn cache_rows() -> Vec<Ticket> {
    let mut cached: Vec<Ticket> = (1001..=1300).map(ticket).collect();
    cached[250] = renamed(1251, "Zebracorn anomaly");
    cached
}

/// Answers the cache requests among `fx` from `cache` as the cache's reader does (the index
/// built row by row with the app's haystacks; the rows on screen by ID, with only the
/// properties asked), and the requests those answers lead to. Returns the other effects.
fn serve(app: &mut App, cache: &[Ticket], mut fx: Vec<Effect>) -> Vec<Effect> {
    let mut rest = Vec::new();
    while !fx.is_empty() {
        let mut next = Vec::new();
        for e in fx {
            let answer = match e {
                Effect::ReadCache(CacheRequest::Queue {
                    req,
                    pipeline,
                    build,
                    ..
                }) => {
                    let mut sink = build.sink();
                    for t in cache
                        .iter()
                        .filter(|t| pipeline.as_deref().is_none_or(|p| t.pipeline() == p))
                    {
                        sink.push(t);
                    }
                    Event::CachedQueue {
                        req,
                        index: sink.finish(),
                        as_of_ms: Some(0),
                    }
                }
                Effect::ReadCache(CacheRequest::Rows {
                    req,
                    ids,
                    properties,
                }) => {
                    let tickets = ids
                        .iter()
                        .filter_map(|id| cache.iter().find(|t| &t.id == id))
                        .map(|t| {
                            let mut t = t.clone();
                            t.properties.retain(|k, _| properties.contains(k));
                            t
                        })
                        .collect();
                    Event::QueueRows { req, tickets }
                }
                other => {
                    rest.push(other);
                    continue;
                }
            };
            next.extend(update(app, Msg::Worker(answer)));
        }
        fx = next;
    }
    rest
}

/// Types `text` into the `/` line, the cache answering.
fn type_in(app: &mut App, cache: &[Ticket], text: &str) {
    for c in text.chars() {
        let fx = update(app, key(c));
        serve(app, cache, fx);
    }
}

/// 10 loaded rows (1001..=1010, more to load), `/` open, and the cache's 300 (see
/// [`cache_rows`]) on hand.
fn with_queue() -> (App, Vec<Ticket>) {
    let mut app = loaded(160, 48, 10, true);
    let fx = update(&mut app, key('/'));
    let (_, pipeline) = queue_request(&fx).expect("the cached queue asked for");
    assert_eq!(pipeline, None, "the view's pipeline: every pipeline");
    let cache = cache_rows();
    serve(&mut app, &cache, fx);
    assert!(app.cache_queue_ready());
    (app, cache)
}

/// The IDs of every row on view, in order.
fn ids_on_view(app: &App) -> Vec<&str> {
    (0..app.list.rows())
        .filter_map(|r| app.list.row_id(r))
        .collect()
}

#[test]
fn slash_matches_cached_tickets_never_loaded_after_the_loaded_ones() {
    let (mut app, cache) = with_queue();
    type_in(&mut app, &cache, "zebracorn");
    assert_eq!(app.list.rows(), 1);
    assert!(app.list.is_cached_row(0), "from the cache");
    assert_eq!(app.list.selected_id(), Some("1251"));
    assert!(app.list.get("1251").is_none(), "not a loaded row");

    // A word every row has: the loaded matches first, then the cached ones without the
    // loaded tickets again.
    update(&mut app, ctrl('u'));
    type_in(&mut app, &cache, "customer question");
    let ids = ids_on_view(&app);
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
    let (mut app, cache) = with_queue();
    type_in(&mut app, &cache, "zebracorn");
    assert_eq!(
        app.list.selected().map(Ticket::subject),
        Some("Zebracorn anomaly"),
        "the row on screen read from the cache"
    );
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
    let (mut app, cache) = with_queue();
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
    type_in(&mut app, &cache, "quokka");
    // Fuzzy: other rows may match scattered letters; the two with the word rank first.
    let cached: Vec<&str> = (0..app.list.rows())
        .filter(|&r| app.list.is_cached_row(r))
        .filter_map(|r| app.list.row_id(r))
        .collect();
    let mut best = cached[..2].to_vec();
    best.sort_unstable();
    assert_eq!(best, ["1290", "1400"], "changed and new: {cached:?}");
    update(&mut app, ctrl('u'));
    type_in(&mut app, &cache, "zebracorn");
    assert_eq!(
        app.list.rows(),
        0,
        "a ticket gone from HubSpot is gone from `/`"
    );
}

#[test]
fn the_list_title_counts_the_cached_matches_and_rows_are_marked() {
    let (mut app, cache) = with_queue();
    type_in(&mut app, &cache, "zebracorn");
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

#[test]
fn only_the_cached_rows_on_screen_are_held_as_tickets_and_read_as_they_come_into_view() {
    let (mut app, cache) = with_queue();
    type_in(&mut app, &cache, "customer question");
    let rows = app.list.rows();
    assert!(app.list.cached_rows() > 250, "{}", app.list.cached_rows());
    let screenful = app.areas.list_rows();
    assert!(
        app.list.held_cached_tickets() <= screenful,
        "{} cached tickets held for {screenful} rows on screen",
        app.list.held_cached_tickets()
    );
    // The bottom: its rows are asked of the cache as they come on screen, the others let go.
    let fx = update(&mut app, code(KeyCode::Enter));
    serve(&mut app, &cache, fx);
    let fx = update(&mut app, key('G'));
    assert_eq!(app.list.selected_row(), rows - 1);
    let last = app.list.row_id(rows - 1).map(str::to_owned);
    let asked: Vec<String> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::ReadCache(CacheRequest::Rows { ids, .. }) => Some(ids.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    assert!(
        asked.contains(last.as_ref().expect("a last row")),
        "{asked:?}"
    );
    // Until the cache answers, the row shows its ID; then its subject.
    assert_eq!(app.list.selected().map(Ticket::subject), Some(""));
    serve(&mut app, &cache, fx);
    let want = cache
        .iter()
        .find(|t| Some(&t.id) == last.as_ref())
        .map(|t| t.subject().to_owned());
    assert_eq!(app.list.selected().map(|t| t.subject().to_owned()), want);
    assert!(app.list.held_cached_tickets() <= screenful);
}
