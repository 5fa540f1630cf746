//! Every colour and text style hubtix draws with. `NO_COLOR` turns colours off and keeps
//! emphasis (bold, reverse) so the selection stays visible.

use ratatui::style::{Color, Modifier, Style};

/// The styles of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn text(self) -> Style {
        Style::new()
    }
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray)
    }
    pub fn header(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn border(self, focused: bool) -> Style {
        if focused {
            self.fg(Color::Cyan)
        } else {
            self.fg(Color::DarkGray)
        }
    }
    pub fn selected(self, focused: bool) -> Style {
        if focused {
            Style::new().add_modifier(Modifier::REVERSED)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED)
        }
    }
    pub fn marked(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    pub fn gone(self) -> Style {
        self.fg(Color::DarkGray).add_modifier(Modifier::CROSSED_OUT)
    }
    /// Something overdue (an SLA past its due date): what needs attention first. Bold
    /// without colour too.
    pub fn alert(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn info(self) -> Style {
        self.fg(Color::Green)
    }
    pub fn badge(self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
    pub fn key(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn tab(self, active: bool) -> Style {
        if active {
            self.fg(Color::Cyan)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        } else {
            self.dim()
        }
    }
    pub fn priority(self, value: &str) -> Style {
        match value {
            "URGENT" => self.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            "HIGH" => self.fg(Color::Red),
            "MEDIUM" => self.fg(Color::Yellow),
            "LOW" => self.fg(Color::Green),
            _ => Style::new(),
        }
    }
    pub fn old_value(self) -> Style {
        self.fg(Color::Red)
    }
    pub fn new_value(self) -> Style {
        self.fg(Color::Green)
    }
    pub fn pinned(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
}
