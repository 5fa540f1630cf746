//! The mouse: a click or the wheel does what the key for it does (same state, same effects),
//! at the places the shared layout puts things, and nothing at all when `mouse` is off.

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::detail::Tab;
use super::layout::{confirm_areas, list_body};
use super::tests::fixtures::*;
use super::*;

fn mouse(kind: MouseEventKind, x: u16, y: u16) -> Msg {
    Msg::Mouse(MouseEvent {
        kind,
        column: x,
        row: y,
        modifiers: KeyModifiers::NONE,
    })
}

fn click(x: u16, y: u16) -> Msg {
    mouse(MouseEventKind::Down(MouseButton::Left), x, y)
}

/// A loaded app (ten tickets, the first fetched) with the mouse on.
fn with_mouse(w: u16, h: u16) -> App {
    let mut app = loaded(w, h, 10, false);
    app.mouse = true;
    app
}

/// [`with_mouse`] with the default views as tabs (the first on), or `loaded` with the
/// mouse off.
fn with_views(mouse: bool) -> App {
    let mut app = loaded(160, 48, 10, false);
    app.mouse = mouse;
    app.set_views(crate::views::defaults());
    app
}

/// What an app shows and asks for, to compare a click with keys.
fn seen(app: &App) -> (Option<String>, Focus, Tab, Option<String>) {
    (
        app.list.selected_id().map(str::to_owned),
        app.focus,
        app.detail.tab,
        app.detail.ticket_id.clone(),
    )
}

/// The screen cell of the list's `n`th row on screen.
fn row_cell(app: &App, n: u16) -> (u16, u16) {
    let body = list_body(app.areas.list);
    (body.x + 4, body.y + n)
}

fn tab_cell(app: &App, tab: Tab) -> (u16, u16) {
    let (_, r) = app
        .detail
        .tab_areas(app.areas.detail)
        .into_iter()
        .find(|(t, _)| *t == tab)
        .expect("every tab has an area");
    (r.x + r.width / 2, r.y)
}

#[test]
fn a_click_on_a_row_selects_it_as_moving_there_with_keys_does() {
    let mut clicked = with_mouse(160, 48);
    let (x, y) = row_cell(&clicked, 3);
    let by_click = update(&mut clicked, click(x, y));

    let mut keyed = with_mouse(160, 48);
    update(&mut keyed, key('j'));
    update(&mut keyed, key('j'));
    let by_keys = update(&mut keyed, key('j'));

    assert_eq!(clicked.list.selected_id(), Some("1004"));
    assert_eq!(seen(&clicked), seen(&keyed));
    assert_eq!(by_click, by_keys);
    // The detail is fetched once the selection rests, as after keys.
    assert_eq!(tick(&mut clicked, 200), tick(&mut keyed, 200));
}

#[test]
fn a_click_on_the_selected_row_opens_it_as_enter_does() {
    let mut clicked = with_mouse(160, 48);
    let (x, y) = row_cell(&clicked, 0);
    let by_click = update(&mut clicked, click(x, y));
    let mut keyed = with_mouse(160, 48);
    let by_key = update(&mut keyed, code(KeyCode::Enter));
    assert_eq!(clicked.focus, Focus::Detail);
    assert_eq!(seen(&clicked), seen(&keyed));
    assert_eq!(by_click, by_key);
}

#[test]
fn a_click_below_the_last_row_or_on_the_header_selects_nothing() {
    let mut app = with_mouse(160, 48);
    let body = list_body(app.areas.list);
    for y in [body.y - 1, body.y + 10, body.y + 20] {
        assert_eq!(update(&mut app, click(body.x + 4, y)), vec![]);
        assert_eq!(app.list.selected_id(), Some("1001"), "row {y}");
    }
}

#[test]
fn a_click_on_a_tab_switches_to_it_as_its_number_does() {
    for (tab, n) in [
        (Tab::History, '2'),
        (Tab::Associations, '3'),
        (Tab::Activity, '4'),
    ] {
        let mut clicked = with_mouse(160, 48);
        let (x, y) = tab_cell(&clicked, tab);
        let by_click = update(&mut clicked, click(x, y));
        let mut keyed = with_mouse(160, 48);
        update(&mut keyed, code(KeyCode::Tab));
        let by_key = update(&mut keyed, key(n));
        assert_eq!(clicked.detail.tab, tab);
        assert_eq!(clicked.focus, Focus::Detail, "the detail takes the focus");
        assert_eq!(seen(&clicked), seen(&keyed));
        assert_eq!(by_click, by_key, "{tab:?}");
    }
}

#[test]
fn the_gap_between_two_tabs_is_no_tab() {
    let mut app = with_mouse(160, 48);
    let areas = app.detail.tab_areas(app.areas.detail);
    let (_, first) = areas[0];
    let gap = first.x + first.width;
    assert_eq!(areas[1].1.x, gap + layout::TAB_GAP);
    update(&mut app, click(gap, first.y));
    assert_eq!(app.detail.tab, Tab::Properties);
}

#[test]
fn the_buttons_of_a_confirmation_press_as_arrow_and_enter_do() {
    let mut app = with_mouse(160, 48);
    update(&mut app, key('D'));
    let dialog = app.confirm.as_ref().expect("D asks");
    let at = confirm_areas(
        app.areas.screen,
        dialog.body().len(),
        &dialog.confirm_label(),
        None,
    );

    // Cancel: the dialog closes, nothing is sent.
    assert_eq!(update(&mut app, click(at.cancel.x, at.cancel.y)), vec![]);
    assert!(app.confirm.is_none());

    // Beside the buttons: nothing.
    update(&mut app, key('D'));
    let between = at.cancel.x + at.cancel.width + 1;
    assert_eq!(update(&mut app, click(between, at.cancel.y)), vec![]);
    assert!(app.confirm.is_some());

    let by_click = update(&mut app, click(at.confirm.x + 2, at.confirm.y));
    let mut keyed = with_mouse(160, 48);
    update(&mut keyed, key('D'));
    update(&mut keyed, code(KeyCode::Right));
    let by_keys = update(&mut keyed, code(KeyCode::Enter));
    assert!(matches!(
        commands(&by_click).as_slice(),
        [Command::ArchiveTicket { id, .. }] if id == "1001"
    ));
    assert_eq!(by_click, by_keys);
    assert!(app.confirm.is_none());
}

#[test]
fn the_wheel_moves_the_pane_under_the_pointer_and_scrolls_help() {
    let mut app = with_mouse(160, 48);
    // Over the detail, its cursor moves (the list's stays), as `j` there does.
    let (dx, dy) = tab_cell(&app, Tab::Properties);
    update(&mut app, mouse(MouseEventKind::ScrollDown, dx, dy + 5));
    let mut keyed = with_mouse(160, 48);
    update(&mut keyed, code(KeyCode::Tab));
    for _ in 0..mouse::WHEEL_LINES {
        update(&mut keyed, key('j'));
    }
    assert_eq!(app.detail.properties, keyed.detail.properties);
    assert_ne!(app.detail.properties.row, 0);
    assert_eq!(app.list.selected_id(), Some("1001"));
    assert_eq!(app.focus, Focus::List, "the wheel does not move the focus");

    // Over the list, the selection moves.
    let (x, y) = row_cell(&app, 0);
    update(&mut app, mouse(MouseEventKind::ScrollDown, x, y));
    assert_eq!(app.list.selected_id(), Some("1004"));
    update(&mut app, mouse(MouseEventKind::ScrollUp, x, y));
    assert_eq!(app.list.selected_id(), Some("1001"));

    update(&mut app, key('?'));
    update(&mut app, mouse(MouseEventKind::ScrollDown, 0, 0));
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 3 }));
    update(&mut app, mouse(MouseEventKind::ScrollUp, 0, 0));
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 0 }));
}

#[test]
fn with_the_mouse_off_a_click_or_the_wheel_changes_nothing() {
    let mut app = loaded(160, 48, 10, false);
    assert!(!app.mouse, "off by default");
    app.dirty = false;
    let before = seen(&app);
    let (x, y) = row_cell(&app, 3);
    assert_eq!(update(&mut app, click(x, y)), vec![]);
    let (tx, ty) = tab_cell(&app, Tab::History);
    assert_eq!(update(&mut app, click(tx, ty)), vec![]);
    assert_eq!(
        update(&mut app, mouse(MouseEventKind::ScrollDown, x, y)),
        vec![]
    );
    assert_eq!(seen(&app), before);
    assert!(!app.dirty, "nothing to redraw");
}

#[test]
fn under_a_form_or_a_picker_the_panes_take_no_clicks() {
    let mut app = with_mouse(160, 48);
    update(&mut app, key('v'));
    assert_ne!(app.top_layer(), Layer::Base, "the view picker is open");
    let (x, y) = row_cell(&app, 3);
    assert_eq!(update(&mut app, click(x, y)), vec![]);
    update(&mut app, mouse(MouseEventKind::ScrollDown, x, y));
    assert_eq!(app.list.selected_id(), Some("1001"));
}

#[test]
fn narrow_a_click_goes_to_the_pane_on_screen() {
    let mut app = with_mouse(80, 24);
    assert!(app.areas.narrow);
    // The list is on screen: the detail's tab bar is not there to click.
    let (x, y) = row_cell(&app, 2);
    update(&mut app, click(x, y));
    assert_eq!(app.list.selected_id(), Some("1003"));
    assert_eq!(app.focus, Focus::List);
    // Clicking it again opens it; then the tabs are on screen.
    update(&mut app, click(x, y));
    assert_eq!(app.focus, Focus::Detail);
    let (tx, ty) = tab_cell(&app, Tab::History);
    update(&mut app, click(tx, ty));
    assert_eq!(app.detail.tab, Tab::History);
}

#[test]
fn the_wheel_scrolls_the_reader_as_its_keys_do() {
    let long: String = (1..=100).map(|n| format!("line {n}\n")).collect();
    let open = |app: &mut App| {
        app.overlay = Some(Overlay::Reader(Box::new(reader::Reader::new(
            "Description".into(),
            long.clone(),
            long.clone(),
            &app.areas,
        ))));
    };
    let mut wheeled = with_mouse(160, 48);
    open(&mut wheeled);
    update(&mut wheeled, mouse(MouseEventKind::ScrollDown, 50, 10));
    update(&mut wheeled, mouse(MouseEventKind::ScrollDown, 50, 10));
    update(&mut wheeled, mouse(MouseEventKind::ScrollUp, 50, 10));
    let mut keyed = with_mouse(160, 48);
    open(&mut keyed);
    for _ in 0..mouse::WHEEL_LINES {
        update(&mut keyed, key('j'));
    }
    assert_eq!(wheeled.overlay, keyed.overlay);
    assert!(matches!(&wheeled.overlay, Some(Overlay::Reader(r)) if r.scroll == 3));
}

/// The screen cell in the middle of saved view `index`'s tab, where the renderer draws it.
fn view_tab_cell(app: &App, index: usize) -> (u16, u16) {
    let at = layout::view_tabs(
        app.areas.tabs,
        &layout::label_widths(&app.view_tab_labels()),
        app.view_index,
    );
    let (_, r) = at
        .tabs
        .into_iter()
        .find(|(i, _)| *i == index)
        .expect("the tab is on screen");
    (r.x + r.width / 2, r.y)
}

#[test]
fn a_click_on_a_view_tab_switches_to_that_view_as_its_keys_do() {
    let mut clicked = with_views(true);
    assert!(clicked.views.len() >= 2, "the default views");
    let (x, y) = view_tab_cell(&clicked, 1);
    let by_click = update(&mut clicked, click(x, y));
    let mut keyed = with_views(true);
    let by_keys = update(&mut keyed, key('}'));
    assert_eq!(clicked.view_index, 1);
    assert_eq!(clicked.view_index, keyed.view_index);
    assert_eq!(by_click, by_keys, "the same effects as the keys");
    assert_eq!(clicked.toast, keyed.toast, "view: Unassigned");

    // Back to the first, and the current tab or the gap after it does nothing.
    let (x, y) = view_tab_cell(&clicked, 0);
    update(&mut clicked, click(x, y));
    assert_eq!(clicked.view_index, 0);
    assert_eq!(update(&mut clicked, click(x, y)), vec![]);
    let label = layout::label_widths(&clicked.view_tab_labels())[0];
    assert_eq!(update(&mut clicked, click(label, y)), vec![]);
    assert_eq!(clicked.view_index, 0);
}

#[test]
fn a_view_tab_is_no_click_target_with_the_mouse_off_or_under_a_picker() {
    let mut off = with_views(false);
    let (x, y) = view_tab_cell(&off, 1);
    assert_eq!(update(&mut off, click(x, y)), vec![]);
    assert_eq!(off.view_index, 0);
    let mut picker = with_views(true);
    update(&mut picker, key('v'));
    assert_eq!(update(&mut picker, click(x, y)), vec![]);
    assert_eq!(picker.view_index, 0);
}
