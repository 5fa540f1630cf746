//! Screen geometry shared by `update` (how many rows a page is) and the view (where to draw).
//! Pure arithmetic on the terminal size.

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
        usize::from(self.list.height.saturating_sub(3))
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
}
