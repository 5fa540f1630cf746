//! The TUI's model and its update: all UI state, changed only by `update`.

pub mod detail;
pub mod list;
