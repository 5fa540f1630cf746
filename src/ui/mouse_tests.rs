//! What the mouse hits is what is drawn there: the cells the app's layout gives a list row,
//! a detail tab and a confirmation's buttons hold that row, that tab and that button in a
//! drawn frame (the renderer places them with the same functions).

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::app::layout::{confirm_areas, list_body};
use crate::app::tests::fixtures::*;
use crate::app::{App, update};

fn render(app: &App) -> Buffer {
    let s = app.areas.screen;
    let mut term = Terminal::new(TestBackend::new(s.width, s.height)).expect("terminal");
    term.draw(|f| super::draw(f, app)).expect("draw");
    term.backend().buffer().clone()
}

/// The text drawn in `r` (one line).
fn cells(buf: &Buffer, r: Rect) -> String {
    (r.x..r.x + r.width)
        .map(|x| buf[(x, r.y)].symbol())
        .collect()
}

#[test]
fn the_cells_hit_tested_hold_what_is_drawn_there() {
    for (w, h) in [(160, 48), (120, 30)] {
        let mut app = loaded(w, h, 10, false);
        update(&mut app, key('j'));
        update(&mut app, key('j'));
        let buf = render(&app);
        let body = list_body(app.areas.list);
        for n in 0..10u16 {
            let line = cells(
                &buf,
                Rect {
                    y: body.y + n,
                    height: 1,
                    ..body
                },
            );
            let id = 1001 + app.list.offset() + usize::from(n);
            assert!(line.contains(&id.to_string()), "row {n} is #{id}: {line:?}");
        }
        for (tab, r) in app.detail.tab_areas(app.areas.detail) {
            let drawn = cells(&buf, r);
            assert!(
                drawn.starts_with(&format!("{} {}", tab.index() + 1, tab.title())),
                "{tab:?} at {r:?}: {drawn:?}"
            );
        }

        update(&mut app, key('D'));
        let buf = render(&app);
        let dialog = app.confirm.as_ref().expect("D asks");
        let at = confirm_areas(
            app.areas.screen,
            dialog.body().len(),
            &dialog.confirm_label(),
            None,
        );
        assert_eq!(cells(&buf, at.cancel), "[ Cancel ]");
        assert_eq!(cells(&buf, at.confirm), "[ Delete ]");
    }
}
