//! Unit tests of saved views in `update`: what the first page of a view waits for and asks,
//! switching views, sorting, the pipeline switch, the 10,000 cap, the command palette and
//! saving a view. Pure: no terminal, no server; time moves only with `Msg::Tick`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::tests::fixtures::*;
use super::views_flow::{self, PickerKind};
use super::*;
use crate::domain::search::{Filter, FilterGroup, Sort, SortDirection};
use crate::protocol::{Command, Event, ListSource, SearchSource};
use crate::views::{self, SortSpec, View};

/// The open stages of the fixture pipelines, in pipeline order.
fn open_stages() -> Vec<String> {
    ["1", "2", "3", "7458292", "7458293"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

/// The Open view's filter: every open stage of the fixture pipelines.
fn open_filter() -> Filter {
    Filter::in_values("hs_pipeline_stage", open_stages())
}

fn sort(property: &str, descending: bool) -> Option<Sort> {
    Some(Sort {
        property_name: property.to_owned(),
        direction: if descending {
            SortDirection::Descending
        } else {
            SortDirection::Ascending
        },
    })
}

fn search(filters: Vec<Filter>, sort: Option<Sort>) -> ListSource {
    ListSource::Search(SearchSource {
        filter_groups: vec![FilterGroup { filters }],
        sort,
        query: None,
        option_order: None,
    })
}

/// The only `ListTickets` among `fx`: (request, source, cursor).
fn list_request(fx: &[Effect]) -> (ReqId, ListSource, Option<String>) {
    let found: Vec<_> = commands(fx)
        .into_iter()
        .filter_map(|c| match c {
            Command::ListTickets {
                req, source, after, ..
            } => Some((req, source, after)),
            _ => None,
        })
        .collect();
    assert_eq!(found.len(), 1, "one list request in {fx:?}");
    found.into_iter().next().unwrap()
}

fn no_list_request(fx: &[Effect]) -> bool {
    !fx.iter()
        .any(|e| matches!(e, Effect::Api(Command::ListTickets { .. })))
}

/// An app with the default views, `me` the fixture owner 11, started with its catalogue
/// loaded; the request for the first page of "Open".
fn started() -> (App, ReqId) {
    let mut app = app(160, 48);
    app.set_views(views::defaults());
    app.me = Some("aiko@example.com".to_owned());
    let fx = app.start();
    let fx = answer_catalog(&mut app, &fx);
    let (req, _, _) = list_request(&fx);
    (app, req)
}

/// [`started`] with the first page of "Open" loaded.
fn loaded_open() -> App {
    let (mut app, req) = started();
    update(&mut app, listed(req, tickets(1001..=1020), None));
    app
}

fn page(
    req: ReqId,
    ids: std::ops::RangeInclusive<u32>,
    next: Option<&str>,
    total: Option<u64>,
    capped: bool,
) -> Msg {
    Msg::Worker(Event::TicketsListed {
        req,
        tickets: tickets(ids),
        next_after: next.map(str::to_owned),
        total,
        capped,
    })
}

fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
    terminal.draw(|f| crate::ui::draw(f, app)).unwrap();
    crate::ui::buffer_text(terminal.backend().buffer())
}

fn toast(app: &App) -> &str {
    app.toast.as_ref().map_or("", |t| t.text.as_str())
}

#[test]
fn a_view_naming_stages_waits_for_the_pipelines_then_asks_its_search() {
    let mut app = app(160, 48);
    app.set_views(views::defaults());
    let fx = app.start();
    assert!(no_list_request(&fx), "Open names @open: {fx:?}");
    let req = |pick: fn(&Command) -> bool| req_of(&fx, pick);
    let props = req(|c| matches!(c, Command::LoadProperties { .. }));
    let pipes = req(|c| matches!(c, Command::LoadPipelines { .. }));
    let fx = update(
        &mut app,
        Msg::Worker(Event::PropertiesLoaded {
            req: props,
            properties: properties(),
            groups: groups(),
        }),
    );
    assert!(no_list_request(&fx), "still waiting for the pipelines");
    assert!(screen(&app).contains("loading tickets…"));
    let fx = update(
        &mut app,
        Msg::Worker(Event::PipelinesLoaded {
            req: pipes,
            pipelines: pipelines(),
        }),
    );
    let (_, source, after) = list_request(&fx);
    assert_eq!(
        source,
        search(vec![open_filter()], sort("createdate", false))
    );
    assert_eq!(after, None);
    assert_eq!(app.source, source);
}

#[test]
fn next_and_previous_view_wrap_around() {
    let mut app = loaded_open();
    let fx = update(&mut app, key('{'));
    assert_eq!(app.view_index, 5);
    assert_eq!(app.current_view().name, "All tickets");
    assert!(app.list.is_empty(), "the old rows are gone");
    let (req, source, _) = list_request(&fx);
    assert_eq!(source, ListSource::All);
    update(&mut app, listed(req, tickets(1001..=1005), None));
    let fx = update(&mut app, key('}'));
    assert_eq!(app.view_index, 0);
    let (_, source, _) = list_request(&fx);
    assert!(matches!(source, ListSource::Search(_)));
    let fx = update(&mut app, key('}'));
    assert_eq!(app.current_view().name, "Unassigned");
    let (_, source, _) = list_request(&fx);
    let ListSource::Search(s) = source else {
        panic!("a search")
    };
    assert_eq!(
        s.filter_groups[0].filters[1].property_name, "hubspot_owner_id",
        "{s:?}"
    );
    assert!(screen(&app).contains("view: Unassigned"));
}

#[test]
fn the_sort_picker_asks_for_the_chosen_sort() {
    let mut app = loaded_open();
    update(&mut app, key('S'));
    assert_eq!(
        app.modals.picker().map(|p| &p.kind),
        Some(&PickerKind::SortProperty)
    );
    type_text(&mut app, "priority");
    update(&mut app, code(KeyCode::Enter));
    let kind = app.modals.picker().map(|p| p.kind.clone());
    assert_eq!(
        kind,
        Some(PickerKind::SortDirection {
            property: "hs_ticket_priority".to_owned()
        })
    );
    type_text(&mut app, "desc");
    let fx = update(&mut app, code(KeyCode::Enter));
    assert!(app.modals.picker().is_none());
    let (_, source, after) = list_request(&fx);
    assert_eq!(
        source,
        search(vec![open_filter()], sort("hs_ticket_priority", true))
    );
    assert_eq!(after, None);
    assert!(app.view_modified());
    assert_eq!(
        app.views[0].sort,
        Some(SortSpec {
            property: "createdate".to_owned(),
            descending: false
        }),
        "the saved view is untouched"
    );
    let s = screen(&app);
    assert!(s.contains("view: Open (modified)"), "{s}");
    assert!(s.contains(" Open* "), "{s}");
}

#[test]
fn esc_goes_back_to_the_saved_view() {
    let mut app = loaded_open();
    update(&mut app, key('S'));
    type_text(&mut app, "priority");
    update(&mut app, code(KeyCode::Enter));
    let fx = update(&mut app, code(KeyCode::Enter));
    let (req, _, _) = list_request(&fx);
    update(&mut app, listed(req, tickets(1001..=1010), None));
    assert!(app.view_modified());
    let fx = update(&mut app, code(KeyCode::Esc));
    assert!(!app.view_modified());
    assert!(!fx.contains(&Effect::Quit));
    let (_, source, _) = list_request(&fx);
    assert_eq!(
        source,
        search(vec![open_filter()], sort("createdate", false))
    );
    assert!(toast(&app).contains("back to the saved view Open"));
    // Esc again in the saved view quits nothing either (q does).
    let fx = update(&mut app, code(KeyCode::Esc));
    assert!(fx.is_empty(), "{fx:?}");
}

#[test]
fn the_pipeline_switch_cycles_over_the_view() {
    let mut app = loaded_open();
    let fx = update(&mut app, key('p'));
    let (_, source, _) = list_request(&fx);
    let stages = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        source,
        search(
            vec![
                Filter::eq("hs_pipeline", "0"),
                Filter::in_values("hs_pipeline_stage", stages(&["1", "2", "3"])),
            ],
            sort("createdate", false)
        )
    );
    assert!(screen(&app).contains("Support Pipeline · view: Open (modified)"));
    let fx = update(&mut app, key('p'));
    let (_, source, _) = list_request(&fx);
    assert_eq!(
        source,
        search(
            vec![
                Filter::eq("hs_pipeline", "7458291"),
                Filter::in_values("hs_pipeline_stage", stages(&["7458292", "7458293"])),
            ],
            sort("createdate", false)
        )
    );
    assert!(toast(&app).contains("showing Escalations"));
    let fx = update(&mut app, key('p'));
    let (_, source, _) = list_request(&fx);
    assert_eq!(
        source,
        search(vec![open_filter()], sort("createdate", false))
    );
    assert!(!app.view_modified(), "all pipelines again: the saved view");
    let s = screen(&app);
    assert!(
        s.lines()
            .next()
            .unwrap_or_default()
            .ends_with("All pipelines · view: Open"),
        "{s}"
    );
}

#[test]
fn the_cap_is_announced_once_and_stays_in_the_title() {
    let (mut app, req) = started();
    update(
        &mut app,
        page(req, 1001..=1200, Some("200"), Some(12_000), false),
    );
    assert!(!app.list_capped);
    assert!(screen(&app).contains("Tickets 200/12000 "));
    // To the last page HubSpot serves: no cursor past it, capped.
    let fx = update(&mut app, key('G'));
    let (req, _, after) = list_request(&fx);
    assert_eq!(after.as_deref(), Some("200"));
    let fx = update(&mut app, page(req, 1201..=1400, None, Some(12_000), true));
    assert!(no_list_request(&fx));
    assert!(app.list_capped);
    assert!(
        toast(&app).contains("HubSpot search stops at 10,000 of 12000 results"),
        "{}",
        toast(&app)
    );
    assert!(screen(&app).contains("Tickets 400/12000 · HubSpot stops at 10,000"));
    // A refresh reloads the first page, keeps the rest: still capped, not announced again.
    app.toast = None;
    let fx = update(&mut app, key('r'));
    let (req, _, after) = list_request(&fx);
    assert_eq!(after, None);
    let fx = update(
        &mut app,
        page(req, 1001..=1200, Some("200"), Some(12_000), false),
    );
    assert!(no_list_request(&fx), "nothing more to page: {fx:?}");
    assert_eq!(app.list.len(), 400);
    assert!(app.list_capped, "the later pages still stop at the cap");
    assert!(!toast(&app).contains("stops at"), "{}", toast(&app));
    assert!(screen(&app).contains("Tickets 400/12000 · HubSpot stops at 10,000"));
    // Another view starts afresh.
    update(&mut app, key('}'));
    assert!(!app.list_capped);
}

#[test]
fn a_later_page_without_a_total_keeps_the_first_total() {
    let (mut app, req) = started();
    update(
        &mut app,
        page(req, 1001..=1200, Some("k1200"), Some(10_050), false),
    );
    assert_eq!(app.list.total, Some(10_050));
    let fx = update(&mut app, key('G'));
    let (req, _, after) = list_request(&fx);
    assert_eq!(
        after.as_deref(),
        Some("k1200"),
        "the cursor is passed on as it is"
    );
    // Past the cap HubSpot counts only what is left: no total.
    update(&mut app, page(req, 1201..=1250, None, None, false));
    assert_eq!(app.list.total, Some(10_050));
    assert!(screen(&app).contains("Tickets 250/10050 "));
}

#[test]
fn the_command_palette_lists_actions_with_their_keys_and_runs_them() {
    let mut app = loaded_open();
    update(&mut app, key(':'));
    let modal = app.modals.picker().expect("the palette");
    assert!(matches!(modal.kind, PickerKind::Command { .. }));
    let labels: Vec<&str> = modal
        .picker
        .options
        .iter()
        .map(|o| o.label.as_str())
        .collect();
    for want in [
        "Choose the sort order  [S]",
        "Switch to the next saved view  [}]",
        "Choose the pipeline  [p]",
        "Refresh this pane  [r]",
        "View: Mine",
    ] {
        assert!(labels.contains(&want), "{want} in {labels:?}");
    }
    assert!(
        !labels
            .iter()
            .any(|l| l.starts_with("Open the command palette")),
        "not itself"
    );
    type_text(&mut app, "next saved view");
    let fx = update(&mut app, code(KeyCode::Enter));
    assert!(app.modals.picker().is_none());
    assert_eq!(app.current_view().name, "Unassigned");
    list_request(&fx);
    // A view by name.
    update(&mut app, key(':'));
    type_text(&mut app, "view: mine");
    let fx = update(&mut app, code(KeyCode::Enter));
    assert_eq!(app.current_view().name, "Mine");
    let (_, source, _) = list_request(&fx);
    let ListSource::Search(s) = source else {
        panic!("a search")
    };
    assert!(
        s.filter_groups[0]
            .filters
            .contains(&Filter::eq("hubspot_owner_id", "11")),
        "me is owner 11: {s:?}"
    );
    // Esc closes it without running anything.
    update(&mut app, key(':'));
    let fx = update(&mut app, code(KeyCode::Esc));
    assert!(fx.is_empty() && app.modals.picker().is_none());
}

#[test]
fn the_first_view_needing_me_asks_who_you_are_once_saves_it_and_loads() {
    let mut app = app(160, 48);
    app.set_views(vec![View {
        name: "Mine".to_owned(),
        owners: vec![views::ME.to_owned()],
        ..View::default()
    }]);
    let fx = app.start();
    let fx = answer_catalog(&mut app, &fx);
    assert!(no_list_request(&fx));
    let picker = app.modals.picker().expect("asked who you are");
    assert_eq!(picker.kind, PickerKind::Me);
    assert!(
        picker.title.contains("\"Mine\" needs @me"),
        "{}",
        picker.title
    );
    assert!(screen(&app).contains("Who are you?"), "{}", screen(&app));
    for c in "aiko".chars() {
        update(&mut app, key(c));
    }
    let fx = update(&mut app, code(KeyCode::Enter));
    assert_eq!(
        fx.first(),
        Some(&Effect::SaveMe("aiko@example.com".to_owned()))
    );
    assert_eq!(app.me.as_deref(), Some("aiko@example.com"));
    let (_, source, _) = list_request(&fx[1..]);
    let ListSource::Search(s) = source else {
        panic!("a search: {source:?}");
    };
    assert!(
        s.filter_groups[0]
            .filters
            .contains(&Filter::eq("hubspot_owner_id", "11")),
        "me is owner 11: {s:?}"
    );
    assert!(app.modals.picker().is_none());
    // A failed save says so; the view keeps working with the answer.
    update(&mut app, Msg::MeSaved(Err("disk full".to_owned())));
    assert!(toast(&app).contains("disk full"), "{}", toast(&app));
}

#[test]
fn without_owners_to_choose_from_a_view_needing_me_fails_instead_of_asking() {
    let mut app = app(160, 48);
    app.set_views(vec![View {
        name: "Mine".to_owned(),
        owners: vec![views::ME.to_owned()],
        ..View::default()
    }]);
    let fx = app.start();
    let owners_req = commands(&fx)
        .into_iter()
        .find_map(|c| match c {
            Command::LoadOwners { req } => Some(req),
            _ => None,
        })
        .expect("owners asked");
    update(
        &mut app,
        Msg::Worker(Event::Failed {
            req: owners_req,
            failure: Failure::local("HTTP 403 MISSING_SCOPES"),
        }),
    );
    let others: Vec<Effect> = fx
        .into_iter()
        .filter(|e| !matches!(e, Effect::Api(Command::LoadOwners { .. })))
        .collect();
    let fx = answer_catalog(&mut app, &others);
    assert!(no_list_request(&fx));
    assert!(app.modals.picker().is_none(), "no owners to pick from");
    assert!(
        matches!(&app.list_load, Loadable::Failed(e) if e.summary.contains("MISSING_SCOPES")),
        "{:?}",
        app.list_load
    );
}

#[test]
fn a_view_that_cannot_be_compiled_fails_the_list_with_the_reason() {
    let mine = View {
        name: "Mine".to_owned(),
        owners: vec![views::ME.to_owned()],
        ..View::default()
    };
    // No `me` at all: asked once (the owner picker); declined, the view says how to set it.
    let mut app = app(160, 48);
    app.set_views(vec![mine.clone(), View::all_tickets()]);
    let fx = app.start();
    assert!(no_list_request(&fx), "waits for the owners to ask");
    let fx = answer_catalog(&mut app, &fx);
    assert!(no_list_request(&fx));
    assert_eq!(app.modals.picker().map(|m| &m.kind), Some(&PickerKind::Me));
    let fx = update(&mut app, code(KeyCode::Esc));
    assert!(no_list_request(&fx));
    let msg = "\"me\" is not set";
    assert!(
        matches!(&app.list_load, Loadable::Failed(e) if e.summary.contains("view \"Mine\"") && e.summary.contains(msg))
    );
    assert!(toast(&app).contains(msg));
    assert!(screen(&app).contains(msg));
    // Not asked again this run.
    update(&mut app, key('}'));
    let fx = update(&mut app, key('{'));
    assert!(no_list_request(&fx) && app.modals.picker().is_none());
    // The other view still works.
    let fx = update(&mut app, key('}'));
    assert_eq!(list_request(&fx).1, ListSource::All);

    // `me` naming nobody: known once the owners are.
    let mut app = super::tests::fixtures::app(160, 48);
    app.set_views(vec![mine, View::all_tickets()]);
    app.me = Some("nobody@example.com".to_owned());
    let fx = app.start();
    assert!(no_list_request(&fx), "waits for the owners");
    assert_eq!(app.list_load, Loadable::Idle);
    let fx = answer_catalog(&mut app, &fx);
    assert!(no_list_request(&fx));
    let why = "me = \"nobody@example.com\" in config.toml is not the email of a HubSpot owner";
    assert_eq!(app.list_load, Loadable::Failed(Failure::local(why)));
    let s = screen(&app);
    let joined: String = s
        .lines()
        .filter_map(|l| l.strip_prefix('│'))
        .map(|l| l.split('│').next().unwrap_or_default().trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(joined.contains(why), "the whole reason in the list:\n{s}");
    // A blank `me` is no `me`: asked, and declined, the reason, not "loading" for ever.
    let mut app = super::tests::fixtures::app(160, 48);
    app.set_views(vec![View {
        name: "Mine".to_owned(),
        owners: vec![views::ME.to_owned()],
        ..View::default()
    }]);
    app.me = Some("  ".to_owned());
    let fx = app.start();
    answer_catalog(&mut app, &fx);
    assert_eq!(app.modals.picker().map(|m| &m.kind), Some(&PickerKind::Me));
    update(&mut app, code(KeyCode::Esc));
    assert!(
        matches!(&app.list_load, Loadable::Failed(e) if e.summary.contains(msg)),
        "{:?}",
        app.list_load
    );
    // `me` as an owner ID needs no owners.
    let mut app = super::tests::fixtures::app(160, 48);
    app.set_views(vec![View {
        name: "Mine".to_owned(),
        owners: vec![views::ME.to_owned()],
        ..View::default()
    }]);
    app.me = Some("12".to_owned());
    let fx = app.start();
    let (_, source, _) = list_request(&fx);
    assert_eq!(
        source,
        search(vec![Filter::eq("hubspot_owner_id", "12")], None)
    );
}

#[test]
fn saving_a_view_adds_its_tab_once_config_toml_is_written() {
    let mut app = loaded_open();
    let acme = View {
        name: " ACME ".to_owned(),
        query: "acme".to_owned(),
        ..View::default()
    };
    let fx = views_flow::save_view(&mut app, acme.clone());
    let mut expected = views::defaults();
    expected.push(View {
        name: "ACME".to_owned(),
        ..acme.clone()
    });
    assert_eq!(fx, vec![Effect::SaveViews(expected.clone())]);
    assert_eq!(app.views.len(), 6, "not before the file is written");
    let fx = update(
        &mut app,
        Msg::ViewsSaved(Ok("/home/me/.config/hubtix/config.toml".to_owned())),
    );
    assert_eq!(app.views, expected);
    assert_eq!(app.view_index, 6);
    assert!(!app.view_modified());
    let (_, source, _) = list_request(&fx);
    assert_eq!(
        source,
        ListSource::Search(SearchSource {
            filter_groups: Vec::new(),
            sort: None,
            query: Some("acme".to_owned()),
            option_order: None,
        })
    );
    assert!(toast(&app).contains("saved the view ACME in /home/me/.config/hubtix/config.toml"));
    let s = screen(&app);
    let tabs: Vec<&str> = s.lines().nth(1).unwrap_or_default().split("  ").collect();
    assert_eq!(tabs.last().map(|t| t.trim()), Some("ACME"), "{s}");

    // The same name (any case) replaces that view in place.
    let fx = views_flow::save_view(
        &mut app,
        View {
            name: "open".to_owned(),
            ..View::default()
        },
    );
    let Some(Effect::SaveViews(saved)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(saved.len(), 7);
    assert_eq!(saved[0].name, "open");
    assert!(saved[0].stages.is_empty());
    // Not written: nothing changes, the user is told why.
    update(&mut app, Msg::ViewsSaved(Err("disk full".to_owned())));
    assert_eq!(app.views, expected);
    assert_eq!(app.view_index, 6);
    assert!(toast(&app).contains("the view was not saved: disk full"));
    // A nameless view is refused before anything is written.
    let fx = views_flow::save_view(&mut app, View::default());
    assert!(fx.is_empty());
    assert!(toast(&app).contains("name the view"));
}

#[test]
fn switching_to_mine_among_the_default_views_asks_who_you_are() {
    let mut app = app(160, 48);
    app.set_views(views::defaults());
    let fx = app.start();
    let fx = answer_catalog(&mut app, &fx);
    let (req, _, _) = list_request(&fx);
    update(&mut app, listed(req, tickets(1001..=1005), None));
    update(&mut app, key('}'));
    let fx = update(&mut app, key('}'));
    assert_eq!(app.current_view().name, "Mine");
    assert!(no_list_request(&fx));
    assert_eq!(app.modals.picker().map(|m| &m.kind), Some(&PickerKind::Me));
}
