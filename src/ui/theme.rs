//! Every colour and text style hubtix draws with, in the three themes config.toml can name
//! (`theme = "dark" | "light" | "high-contrast"`, [`ThemeName`]).
//!
//! What needs attention never rests on colour alone, so it survives colour blindness and
//! `NO_COLOR`: marks have a symbol (`●`, `✗`) and bold, an alert ([`ALERT_SYMBOL`], bold, and
//! reverse video where there is no colour or in high contrast), the selection is reverse
//! video. `NO_COLOR` (any non-empty value) turns every colour off in any theme and keeps
//! that emphasis. No other module names a colour.

use ratatui::style::{Color, Modifier, Style};

pub use crate::config::ThemeName;

/// The symbol before an alert's text (an overdue SLA), in every theme.
pub const ALERT_SYMBOL: &str = "!";

/// The styles of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    pub color: bool,
}

impl Theme {
    pub fn new(name: ThemeName, color: bool) -> Self {
        Self { name, color }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The colour for the theme: `(dark, light, high contrast)`.
    fn pick(self, dark: Color, light: Color, high: Color) -> Color {
        match self.name {
            ThemeName::Dark => dark,
            ThemeName::Light => light,
            ThemeName::HighContrast => high,
        }
    }

    fn high_contrast(self) -> bool {
        self.name == ThemeName::HighContrast
    }

    /// The accent: headers, keys, the focused border, the active tab.
    fn accent(self) -> Color {
        self.pick(Color::Cyan, Color::Blue, Color::LightCyan)
    }

    /// What draws the eye without alarming: marks, the pinned activity.
    fn notice(self) -> Color {
        self.pick(Color::Yellow, Color::Magenta, Color::LightYellow)
    }

    pub fn text(self) -> Style {
        Style::new()
    }
    pub fn dim(self) -> Style {
        // High contrast keeps secondary text readable: grey, not dark grey.
        self.fg(self.pick(Color::DarkGray, Color::DarkGray, Color::Gray))
    }
    pub fn header(self) -> Style {
        let style = self.fg(self.accent()).add_modifier(Modifier::BOLD);
        if self.high_contrast() {
            style.add_modifier(Modifier::UNDERLINED)
        } else {
            style
        }
    }
    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn border(self, focused: bool) -> Style {
        match (focused, self.high_contrast()) {
            (true, true) => self.fg(Color::White).add_modifier(Modifier::BOLD),
            (true, false) => self.fg(self.accent()),
            (false, _) => self.dim(),
        }
    }
    pub fn selected(self, focused: bool) -> Style {
        if focused {
            let style = Style::new().add_modifier(Modifier::REVERSED);
            if self.high_contrast() {
                style.add_modifier(Modifier::BOLD)
            } else {
                style
            }
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }
    /// The mark column (`●` marked, `✗` gone): a symbol, bold, and the notice colour.
    pub fn marked(self) -> Style {
        self.fg(self.notice()).add_modifier(Modifier::BOLD)
    }
    pub fn gone(self) -> Style {
        self.dim().add_modifier(Modifier::CROSSED_OUT)
    }
    /// Something overdue (an SLA past its due date): what needs attention first. Its text
    /// starts with [`ALERT_SYMBOL`]; bold in colour, reverse video without colour and in
    /// high contrast, so neither red-green blindness nor `NO_COLOR` hides it.
    pub fn alert(self) -> Style {
        if !self.color {
            return Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        match self.name {
            ThemeName::HighContrast => Style::new()
                .fg(Color::Black)
                .bg(Color::LightYellow)
                .add_modifier(Modifier::BOLD),
            _ => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }
    pub fn error(self) -> Style {
        self.fg(self.pick(Color::Red, Color::Red, Color::LightRed))
            .add_modifier(Modifier::BOLD)
    }
    pub fn info(self) -> Style {
        self.fg(self.pick(Color::Green, Color::Blue, Color::LightCyan))
    }
    pub fn badge(self) -> Style {
        if !self.color {
            return Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        let (fg, bg) = match self.name {
            ThemeName::Dark => (Color::Black, Color::Yellow),
            ThemeName::Light => (Color::White, Color::Blue),
            ThemeName::HighContrast => (Color::Black, Color::LightYellow),
        };
        Style::new().fg(fg).bg(bg).add_modifier(Modifier::BOLD)
    }
    pub fn key(self) -> Style {
        self.fg(self.accent()).add_modifier(Modifier::BOLD)
    }
    pub fn tab(self, active: bool) -> Style {
        if active {
            self.fg(self.accent())
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            self.dim()
        }
    }
    /// A priority's label is its meaning; the colour only helps (high contrast: one bright
    /// scale, urgent in reverse video).
    pub fn priority(self, value: &str) -> Style {
        if self.high_contrast() {
            return match value {
                "URGENT" => self
                    .fg(Color::LightYellow)
                    .add_modifier(Modifier::BOLD | Modifier::REVERSED),
                "HIGH" => self.fg(Color::LightYellow).add_modifier(Modifier::BOLD),
                "MEDIUM" => self.fg(Color::White),
                "LOW" => self.fg(Color::Gray),
                _ => Style::new(),
            };
        }
        match value {
            "URGENT" => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            "HIGH" => self.fg(Color::Red),
            "MEDIUM" => self.fg(self.pick(Color::Yellow, Color::Yellow, Color::White)),
            "LOW" => self.fg(self.pick(Color::Green, Color::Green, Color::Gray)),
            _ => Style::new(),
        }
    }
    /// A value before a change (history: `old → new`; the arrow says which is which).
    pub fn old_value(self) -> Style {
        match self.name {
            ThemeName::HighContrast => self.dim().add_modifier(Modifier::CROSSED_OUT),
            _ => self.fg(Color::Red),
        }
    }
    pub fn new_value(self) -> Style {
        match self.name {
            ThemeName::HighContrast => self.fg(Color::White).add_modifier(Modifier::BOLD),
            ThemeName::Light => self.fg(Color::Blue),
            ThemeName::Dark => self.fg(Color::Green),
        }
    }
    /// The pinned activity (`★`).
    pub fn pinned(self) -> Style {
        self.fg(self.notice()).add_modifier(Modifier::BOLD)
    }
}
