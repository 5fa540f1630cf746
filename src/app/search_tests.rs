//! The search form in the app: counting as the user types (debounced), searching, saving a
//! view, and what a refused search keeps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;

use super::search_form::Preview;
use super::tests::fixtures::*;
use super::*;
use crate::protocol::SearchSource;
use crate::views::View;

fn counts(fx: &[Effect]) -> Vec<(ReqId, SearchSource)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Api(Command::CountTickets { req, source }) => Some((*req, source.clone())),
            _ => None,
        })
        .collect()
}

fn searches(fx: &[Effect]) -> Vec<ListSource> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Api(Command::ListTickets { source, .. }) => Some(source.clone()),
            _ => None,
        })
        .collect()
}

/// An app with the default views, `me` = Aiko (owner 11), everything loaded.
fn app_with_views() -> App {
    let mut app = app(160, 48);
    app.set_views(crate::views::defaults());
    app.me = Some("aiko@example.com".into());
    let fx = app.start();
    assert!(searches(&fx).is_empty(), "Open waits for the pipelines");
    let fx = answer_catalog(&mut app, &fx);
    let req = req_of(&fx, is_list);
    update(&mut app, listed(req, tickets(1001..=1010), None));
    app
}

#[test]
fn typing_is_counted_once_it_pauses() {
    let mut app = app_with_views();
    let fx = update(&mut app, key('s'));
    assert!(app.modals.search().is_some());
    assert_eq!(app.context(), Context::Search);
    let first = counts(&fx);
    assert_eq!(first.len(), 1, "the view's matches are counted at once");
    update(
        &mut app,
        Msg::Worker(Event::TicketsCounted {
            req: first[0].0,
            total: 42,
        }),
    );
    assert_eq!(app.modals.search().unwrap().preview, Preview::Count(42));

    let mut fx = type_text(&mut app, "プリンター");
    fx.extend(tick(&mut app, 200));
    assert!(counts(&fx).is_empty(), "still typing: no search spent");
    let fx = tick(&mut app, 250);
    let sent = counts(&fx);
    assert_eq!(sent.len(), 1, "one count for the whole word");
    assert_eq!(sent[0].1.query.as_deref(), Some("プリンター"));
    assert_eq!(app.modals.search().unwrap().preview, Preview::Counting);
    // Over HubSpot's cap, sorted by creation date: the form says so.
    update(
        &mut app,
        Msg::Worker(Event::TicketsCounted {
            req: sent[0].0,
            total: 12_345,
        }),
    );
    assert_eq!(
        app.modals.search().unwrap().preview,
        Preview::Capped(12_345)
    );
    // A refused count is shown in the form.
    type_text(&mut app, "x");
    let fx = tick(&mut app, 500);
    let (req, _) = counts(&fx)[0].clone();
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req,
            failure: failure(400, "400 VALIDATION_ERROR: bad"),
        }),
    );
    let Preview::Error(e) = &app.modals.search().unwrap().preview else {
        panic!("an error preview")
    };
    assert!(e.contains("VALIDATION_ERROR"), "{e}");
    assert!(app.toast.is_none(), "the form shows it, not the status bar");
}

#[test]
fn ctrl_s_searches_the_edited_view_and_esc_goes_back_to_the_saved_one() {
    let mut app = app_with_views();
    update(&mut app, key('s'));
    type_text(&mut app, "printer");
    let fx = update(&mut app, ctrl('s'));
    assert!(app.modals.search().is_none());
    let sent = searches(&fx);
    let [ListSource::Search(src)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(src.query.as_deref(), Some("printer"));
    assert_eq!(src.filter_groups.len(), 1, "still the Open view's stages");
    assert!(app.view_modified());
    assert_eq!(app.current_view().name, "Open");
    let fx = update(&mut app, code(KeyCode::Esc));
    assert!(!app.view_modified());
    let sent = searches(&fx);
    let [ListSource::Search(src)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(src.query, None);
}

#[test]
fn a_search_hubspot_would_refuse_stays_in_the_form_with_the_reason() {
    let mut app = app_with_views();
    app.me = None;
    // Asked who "me" is earlier and declined.
    app.me_asked = true;
    // Mine needs `me`.
    update(&mut app, key('}'));
    update(&mut app, key('}'));
    assert_eq!(app.current_view().name, "Mine");
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("config.toml")),
        "{:?}",
        app.toast
    );
    update(&mut app, key('s'));
    type_text(&mut app, "abc");
    let fx = update(&mut app, ctrl('s'));
    assert!(searches(&fx).is_empty());
    let form = app.modals.search().expect("still open");
    let Preview::Error(e) = &form.preview else {
        panic!("{:?}", form.preview)
    };
    assert!(e.contains("me = "), "{e}");
    assert_eq!(form.view().query, "abc", "nothing typed is lost");
}

#[test]
fn saving_a_search_adds_a_tab_once_config_toml_is_written() {
    let mut app = app_with_views();
    update(&mut app, key('s'));
    type_text(&mut app, "acme");
    // To the Save-as field: it is the last one.
    update(&mut app, key_shift_tab());
    type_text(&mut app, "ACME");
    let fx = update(&mut app, ctrl('w'));
    let saved: Vec<Vec<View>> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::SaveViews(v) => Some(v.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].len(), 7);
    assert_eq!(saved[0][6].name, "ACME");
    assert_eq!(saved[0][6].query, "acme");
    assert_eq!(searches(&fx).len(), 1, "the search is shown meanwhile");
    let fx = update(&mut app, Msg::ViewsSaved(Ok("/c/config.toml".into())));
    assert!(fx.is_empty(), "the list already shows it");
    assert_eq!(app.views.len(), 7);
    assert_eq!(app.view_index, 6);
    assert!(!app.view_modified());
    assert!(app.toast.as_ref().unwrap().text.contains("/c/config.toml"));

    // A failed write keeps the search on screen and says how to retry.
    update(&mut app, key('s'));
    type_text(&mut app, " more");
    update(&mut app, key_shift_tab());
    type_text(&mut app, "ACME 2");
    update(&mut app, ctrl('w'));
    update(&mut app, Msg::ViewsSaved(Err("disk full".into())));
    assert_eq!(app.views.len(), 7);
    assert!(app.view_modified());
    assert_eq!(app.current_view().query, "acme more");
    let t = app.toast.as_ref().unwrap();
    assert_eq!(t.level, Level::Error);
    assert!(t.text.contains("disk full") && t.text.contains("Ctrl-w"));
}

fn key_shift_tab() -> Msg {
    Msg::Key(crossterm::event::KeyEvent::new(
        KeyCode::BackTab,
        crossterm::event::KeyModifiers::SHIFT,
    ))
}
