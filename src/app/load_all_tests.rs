//! `G` goes to the true bottom of the view: it loads the rest page after page with the
//! progress in the status bar, `Esc` stops it, and HubSpot's 10,000 cap ends it as it ends
//! `V`'s load-and-mark (one loader for both). Keys in, exact requests and state out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;

use super::tests::fixtures::*;
use super::*;

/// One page of `ids` out of `total`, more after it when `next` is given.
fn page(req: ReqId, ids: std::ops::RangeInclusive<u32>, next: Option<&str>, capped: bool) -> Msg {
    Msg::Worker(Event::TicketsListed {
        req,
        tickets: tickets(ids),
        next_after: next.map(str::to_owned),
        total: Some(2_431),
        capped,
    })
}

/// Loaded: the first 100 of 2,431, the detail of the first fetched.
fn partly_loaded() -> App {
    let mut app = loaded(160, 48, 100, true);
    app.list.total = Some(2_431);
    app
}

fn list_after(fx: &[Effect]) -> Option<(ReqId, Option<String>)> {
    fx.iter().find_map(|e| match e {
        Effect::Api(Command::ListTickets { req, after, .. }) => Some((*req, after.clone())),
        _ => None,
    })
}

fn toast(app: &App) -> String {
    app.toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default()
}

#[test]
fn g_loads_the_rest_of_the_view_with_progress_and_selects_the_last_ticket() {
    let mut app = partly_loaded();
    let fx = update(&mut app, key('G'));
    let (req, after) = list_after(&fx).expect("the next page is asked for");
    assert_eq!(after.as_deref(), Some("1101"));
    assert_eq!(toast(&app), "loading 100 of 2,431… (Esc stops)");
    assert_eq!(app.list.selected_id(), Some("1001"), "the cursor waits");
    let fx = update(&mut app, page(req, 1101..=1300, Some("1301"), false));
    let (req, after) = list_after(&fx).expect("and the next, by itself");
    assert_eq!(after.as_deref(), Some("1301"));
    assert_eq!(toast(&app), "loading 300 of 2,431… (Esc stops)");
    let fx = update(&mut app, page(req, 1301..=1400, None, false));
    assert_eq!(list_after(&fx), None, "the end of the view");
    assert_eq!(app.list.selected_id(), Some("1400"), "the true bottom");
    assert_eq!(toast(&app), "the bottom: all 400 tickets");
    assert!(app.load_all.is_none());
    // All loaded: G goes there at once.
    update(&mut app, key('g'));
    let fx = update(&mut app, key('G'));
    assert_eq!(list_after(&fx), None);
    assert_eq!(app.list.selected_id(), Some("1400"));
}

#[test]
fn esc_stops_loading_at_the_page_on_its_way() {
    let mut app = partly_loaded();
    let (req, _) = list_after(&update(&mut app, key('G'))).unwrap();
    let fx = update(&mut app, code(KeyCode::Esc));
    assert!(list_after(&fx).is_none());
    assert_eq!(toast(&app), "stopped at 100 of 2,431");
    assert_eq!(app.list.selected_id(), Some("1100"), "the last row loaded");
    assert_eq!(app.focus, Focus::List, "Esc did nothing else");
    let fx = update(&mut app, page(req, 1101..=1300, Some("1301"), false));
    assert!(
        list_after(&fx).is_none(),
        "no page after the one on its way: {fx:?}"
    );
    assert_eq!(app.list.len(), 300);
}

#[test]
fn hubspots_cap_ends_the_load_where_search_stops() {
    let mut app = partly_loaded();
    let (req, _) = list_after(&update(&mut app, key('G'))).unwrap();
    let fx = update(&mut app, page(req, 1101..=1300, None, true));
    assert!(list_after(&fx).is_none());
    assert!(app.list_capped && app.load_all.is_none());
    assert_eq!(
        app.list.selected_id(),
        Some("1300"),
        "the last ticket HubSpot serves"
    );
    assert!(
        toast(&app).contains("HubSpot search stops at 10,000 of 2431 results"),
        "{}",
        toast(&app)
    );
}

#[test]
fn a_failed_page_stops_the_load_and_a_retry_loads_one_page() {
    let mut app = partly_loaded();
    let (req, _) = list_after(&update(&mut app, key('G'))).unwrap();
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req,
            failure: failure(500, "HTTP 500"),
        }),
    );
    assert!(app.load_all.is_none());
    let fx = update(&mut app, key('r'));
    let (req, after) = list_after(&fx).unwrap();
    assert_eq!(after, None, "r reloads the first page");
    let fx = update(&mut app, page(req, 1001..=1100, Some("1101"), false));
    assert!(list_after(&fx).is_none(), "and loads no more by itself");
}

#[test]
fn the_keys_are_the_keymaps() {
    let mut app = partly_loaded();
    app.keymap = crate::keymap::Keymap::from_config(
        "[keys.list]\nbottom = \"E\"\nclear_narrowing = \"x\"\n",
        "config.toml",
    )
    .unwrap();
    assert!(list_after(&update(&mut app, key('G'))).is_none());
    assert!(list_after(&update(&mut app, key('E'))).is_some());
    assert_eq!(toast(&app), "loading 100 of 2,431… (x stops)");
    update(&mut app, key('x'));
    assert!(app.load_all.is_none());
}
