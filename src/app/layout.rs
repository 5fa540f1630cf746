//! Screen geometry shared by `update` (how many rows a page is, what a mouse click hits) and
//! the view (where to draw). Pure arithmetic on the terminal size: the renderer places the
//! list's rows, the detail's tabs and a confirmation's buttons with these functions, and the
//! mouse hit-tests with the same ones, so a click lands on what is drawn there.

use ratatui::layout::Rect;

/// Below this width the list and the detail are shown one at a time.
pub const NARROW_BELOW: u16 = 100;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub top_bar: Rect,
    /// The saved views, as tabs.
    pub tabs: Rect,
    pub list: Rect,
    pub detail: Rect,
    pub status_bar: Rect,
    pub narrow: bool,
    /// The whole screen.
    pub screen: Rect,
}

impl Areas {
    /// Splits the screen. In narrow mode `list` and `detail` are the same rectangle and the
    /// focus decides which is drawn.
    pub fn new(size: Rect) -> Self {
        let top_bar = Rect {
            height: size.height.min(1),
            ..size
        };
        let status_bar = Rect {
            y: size.y + size.height.saturating_sub(1),
            height: size.height.min(1),
            ..size
        };
        let tabs = Rect {
            y: size.y + top_bar.height,
            height: size.height.saturating_sub(2).min(1),
            ..size
        };
        let main = Rect {
            y: tabs.y + tabs.height,
            height: size
                .height
                .saturating_sub(top_bar.height + tabs.height + status_bar.height),
            ..size
        };
        let narrow = size.width < NARROW_BELOW;
        if narrow {
            return Self {
                top_bar,
                tabs,
                list: main,
                detail: main,
                status_bar,
                narrow,
                screen: size,
            };
        }
        let list_w = (u32::from(main.width) * 45 / 100) as u16;
        let list = Rect {
            width: list_w,
            ..main
        };
        let detail = Rect {
            x: main.x + list_w,
            width: main.width - list_w,
            ..main
        };
        Self {
            top_bar,
            tabs,
            list,
            detail,
            status_bar,
            narrow,
            screen: size,
        }
    }

    /// Ticket rows that fit in the list (inside borders, below the header line).
    pub fn list_rows(&self) -> usize {
        usize::from(list_body(self.list).height)
    }

    /// Body rows of a detail tab (inside borders, below the tab bar and a blank line).
    pub fn detail_rows(&self) -> usize {
        usize::from(self.detail.height.saturating_sub(4))
    }

    /// Where help and the reader are drawn: most of the screen (at most 100 cells wide), the
    /// top and status bars left showing.
    pub fn reader(&self) -> Rect {
        let s = self.screen;
        let w = s.width.saturating_sub(8).clamp(20, 100).min(s.width);
        let h = s.height.saturating_sub(4);
        Rect {
            x: s.x + (s.width - w) / 2,
            y: s.y + (s.height - h) / 2,
            width: w,
            height: h,
        }
    }

    /// Cells of text per line in the reader (inside its borders).
    pub fn reader_width(&self) -> usize {
        usize::from(self.reader().width.saturating_sub(2))
    }

    /// Lines of text the reader shows at once (inside its borders).
    pub fn reader_rows(&self) -> usize {
        usize::from(self.reader().height.saturating_sub(2))
    }
}

/// Inside a bordered pane.
pub fn inside_borders(area: Rect) -> Rect {
    Rect {
        x: area.x.saturating_add(1),
        y: area.y.saturating_add(1),
        width: area.width.saturating_sub(2),
        height: area.height.saturating_sub(2),
    }
}

/// Where the list's ticket rows go in the list pane `list`: inside its borders, below the
/// header line. Row `n` on screen is the line `y + n`.
pub fn list_body(list: Rect) -> Rect {
    let inner = inside_borders(list);
    Rect {
        y: inner.y.saturating_add(inner.height.min(1)),
        height: inner.height.saturating_sub(1),
        ..inner
    }
}

/// Cells between two detail tabs.
pub const TAB_GAP: u16 = 2;

/// Where the detail's tab bar goes in the detail pane `detail`: the first line inside its
/// borders.
pub fn detail_tab_bar(detail: Rect) -> Rect {
    let inner = inside_borders(detail);
    Rect {
        height: inner.height.min(1),
        ..inner
    }
}

/// Labels `widths` cells wide laid out left to right in `bar`, [`TAB_GAP`] apart, each cut
/// at the bar's right edge (one that starts past it is empty).
pub fn tab_rects(bar: Rect, widths: &[u16]) -> Vec<Rect> {
    let end = bar.x.saturating_add(bar.width);
    let mut x = bar.x;
    widths
        .iter()
        .map(|w| {
            let start = x.min(end);
            let r = Rect {
                x: start,
                width: (*w).min(end - start),
                ..bar
            };
            x = x.saturating_add(*w).saturating_add(TAB_GAP);
            r
        })
        .collect()
}

/// The saved views' tab line as drawn: which tabs are shown and where, and the scroll marks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewTabs {
    /// Tabs are scrolled off to the left: `‹ ` comes first.
    pub scrolled: bool,
    /// Each tab shown: the view's index and its label's cells.
    pub tabs: Vec<(usize, Rect)>,
    /// Tabs that do not fit on the right: `›` comes last.
    pub more: bool,
}

/// Cells of the `‹ ` drawn before tabs scrolled off to the left.
pub const SCROLL_MARK: u16 = 2;

/// The cells each label takes on screen.
pub fn label_widths(labels: &[String]) -> Vec<u16> {
    labels
        .iter()
        .map(|l| u16::try_from(crate::text::width(l)).unwrap_or(u16::MAX))
        .collect()
}

/// Lays the views' tabs out in `bar`: labels `widths` cells wide, one cell apart, scrolled so
/// that the `current` one is on screen (the first shown is the leftmost that still lets it
/// fit); a tab that does not fit whole is not shown.
pub fn view_tabs(bar: Rect, widths: &[u16], current: usize) -> ViewTabs {
    if widths.is_empty() || bar.height == 0 {
        return ViewTabs::default();
    }
    let w = u32::from(bar.width);
    let current = current.min(widths.len() - 1);
    let step = |lw: u16| u32::from(lw) + 1;
    let upto = |first: usize| -> u32 {
        widths[first..=current]
            .iter()
            .map(|lw| step(*lw))
            .sum::<u32>()
            + u32::from(first > 0) * u32::from(SCROLL_MARK)
    };
    let mut first = 0;
    while first < current && upto(first) > w.saturating_sub(2) {
        first += 1;
    }
    let mut out = ViewTabs {
        scrolled: first > 0,
        ..ViewTabs::default()
    };
    let mut used = if out.scrolled {
        u32::from(SCROLL_MARK)
    } else {
        0
    };
    for (i, lw) in widths.iter().enumerate().skip(first) {
        if used + step(*lw) > w {
            out.more = used < w;
            break;
        }
        // `used` + the label is within the bar's width, itself a u16.
        let x = bar
            .x
            .saturating_add(u16::try_from(used).unwrap_or(u16::MAX));
        out.tabs.push((
            i,
            Rect {
                x,
                width: *lw,
                ..bar
            },
        ));
        used += step(*lw);
    }
    out
}

/// A `w`×`h` rectangle centred in `area` (both cut to fit).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Cells between a confirmation's two buttons.
pub const BUTTON_GAP: u16 = 3;

/// Where a confirmation dialog goes: its box, and its two buttons' cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmAreas {
    /// The bordered box.
    pub dialog: Rect,
    /// Inside the borders: the body's lines from the top.
    pub inner: Rect,
    pub cancel: Rect,
    pub confirm: Rect,
    /// The second choice of a dialog that has one (a merge), else empty.
    pub alternative: Rect,
}

/// The label of a confirmation's button as drawn: `[ Cancel ]`.
pub fn button_label(label: &str) -> String {
    format!("[ {label} ]")
}

/// Lays a confirmation out on `screen`: `body_lines` lines of text, a blank line, then the
/// buttons Cancel, `confirm_label` and the `alternative` if any, [`BUTTON_GAP`] apart. A
/// button that does not fit on the screen is empty (nothing to click).
pub fn confirm_areas(
    screen: Rect,
    body_lines: usize,
    confirm_label: &str,
    alternative: Option<&str>,
) -> ConfirmAreas {
    let h = u16::try_from(body_lines + 6)
        .unwrap_or(u16::MAX)
        .min(screen.height);
    let dialog = centered(screen, screen.width.saturating_sub(6).clamp(20, 80), h);
    let inner = inside_borders(dialog);
    let row = u16::try_from(body_lines + 1).unwrap_or(u16::MAX);
    let line = Rect {
        y: inner.y.saturating_add(row),
        height: u16::from(row < inner.height),
        ..inner
    };
    let widths = [
        crate::text::width(&button_label("Cancel")),
        crate::text::width(&button_label(confirm_label)),
        alternative.map_or(0, |a| crate::text::width(&button_label(a))),
    ]
    .map(|w| u16::try_from(w).unwrap_or(u16::MAX));
    let end = line.x.saturating_add(line.width);
    let cancel_w = widths[0].min(line.width);
    let confirm_x = line
        .x
        .saturating_add(widths[0])
        .saturating_add(BUTTON_GAP)
        .min(end);
    let alternative_x = confirm_x
        .saturating_add(widths[1])
        .saturating_add(BUTTON_GAP)
        .min(end);
    ConfirmAreas {
        dialog,
        inner,
        cancel: Rect {
            width: cancel_w,
            ..line
        },
        confirm: Rect {
            x: confirm_x,
            width: widths[1].min(end - confirm_x),
            ..line
        },
        alternative: Rect {
            x: alternative_x,
            width: widths[2].min(end - alternative_x),
            ..line
        },
    }
}

/// Whether the cell at (`x`, `y`) is in `r`.
pub fn hits(r: Rect, x: u16, y: u16) -> bool {
    r.contains(ratatui::layout::Position { x, y })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_splits_and_narrow_stacks() {
        let a = Areas::new(Rect::new(0, 0, 160, 48));
        assert!(!a.narrow);
        assert_eq!(a.list.width + a.detail.width, 160);
        assert_eq!(a.tabs.y, 1);
        assert_eq!(a.list.height, 45);
        assert_eq!(a.list_rows(), 42);
        let n = Areas::new(Rect::new(0, 0, 80, 24));
        assert!(n.narrow);
        assert_eq!(n.list, n.detail);
        let tiny = Areas::new(Rect::new(0, 0, 1, 1));
        assert_eq!(tiny.list_rows(), 0);
        assert_eq!(tiny.reader_rows(), 0);
    }

    #[test]
    fn the_reader_takes_most_of_the_screen() {
        let a = Areas::new(Rect::new(0, 0, 80, 24));
        assert_eq!(a.reader(), Rect::new(4, 2, 72, 20));
        assert_eq!((a.reader_width(), a.reader_rows()), (70, 18));
        let wide = Areas::new(Rect::new(0, 0, 160, 48));
        assert_eq!(wide.reader(), Rect::new(30, 2, 100, 44));
    }

    #[test]
    fn tabs_are_cut_at_the_edge_and_none_starts_past_it() {
        let bar = Rect::new(10, 3, 20, 1);
        let r = tab_rects(bar, &[8, 9, 5]);
        assert_eq!(r[0], Rect::new(10, 3, 8, 1));
        assert_eq!(r[1], Rect::new(20, 3, 9, 1), "two cells apart");
        assert_eq!(
            r[2],
            Rect::new(30, 3, 0, 1),
            "past the edge: nothing to click"
        );
    }

    #[test]
    fn view_tabs_scroll_to_keep_the_current_one_and_mark_the_rest() {
        let bar = Rect::new(0, 1, 20, 1);
        let all = view_tabs(bar, &[5, 6, 4], 0);
        assert!(!all.scrolled && !all.more);
        assert_eq!(
            all.tabs,
            vec![
                (0, Rect::new(0, 1, 5, 1)),
                (1, Rect::new(6, 1, 6, 1)),
                (2, Rect::new(13, 1, 4, 1)),
            ],
            "one cell apart"
        );
        // Too many to fit: the last ones are left off and marked.
        let cut = view_tabs(bar, &[8, 8, 8], 0);
        assert_eq!(cut.tabs.iter().map(|t| t.0).collect::<Vec<_>>(), vec![0, 1]);
        assert!(cut.more && !cut.scrolled);
        // The current one past the edge: scrolled to it, after the `‹ ` mark.
        let end = view_tabs(bar, &[8, 8, 8], 2);
        assert!(end.scrolled);
        assert_eq!(end.tabs, vec![(2, Rect::new(SCROLL_MARK, 1, 8, 1))]);
        let middle = view_tabs(Rect::new(0, 1, 24, 1), &[8, 8, 8, 8], 2);
        assert!(middle.scrolled && middle.more);
        assert_eq!(
            middle.tabs,
            vec![
                (1, Rect::new(SCROLL_MARK, 1, 8, 1)),
                (2, Rect::new(SCROLL_MARK + 9, 1, 8, 1)),
            ]
        );
        assert_eq!(view_tabs(bar, &[], 0), ViewTabs::default());
    }

    #[test]
    fn a_confirmation_keeps_its_buttons_on_screen_or_has_none() {
        let a = confirm_areas(Rect::new(0, 0, 80, 24), 3, "Delete", None);
        assert_eq!(a.cancel.y, a.inner.y + 4, "after the body and a blank line");
        assert_eq!((a.cancel.x, a.cancel.width), (a.inner.x, 10));
        assert_eq!(a.confirm.x, a.inner.x + 10 + BUTTON_GAP);
        assert_eq!(a.confirm.width, 10);
        // Too little room: the buttons' line is not on screen, so nothing is hit there.
        let tiny = confirm_areas(Rect::new(0, 0, 12, 5), 3, "Load and mark all", None);
        assert_eq!(tiny.cancel.height, 0);
        assert!(!hits(tiny.cancel, tiny.cancel.x, tiny.cancel.y));
        assert!(tiny.confirm.x + tiny.confirm.width <= 12);
    }
}
