//! hubtix: a keyboard-driven terminal UI for triaging HubSpot CRM tickets.
//!
//! Module map (dependencies run one way, see `../shared/ARCHITECTURE.md`):
//! - [`hubspot`]: typed async HubSpot HTTP client. No UI, no app knowledge.
//! - [`sandbox`]: the HubSpot-compatible server used by `--demo`, `hubtix sandbox` and tests.
//!   Builds its JSON from its own store, never from the client's types.
//! - [`app`] (model + update, pure), [`ui`] (draw, read-only), [`worker`] (async API worker),
//!   [`runtime`] (the event loop), [`domain`] (the app's data types).
//! - [`action`], [`keymap`]: user intents and the keys bound to them.
//! - [`macros`]: `[[macros]]`, checked against the portal at start (applied by `app`).
//! - [`terminal`]: entering and always restoring the terminal.
//! - [`text`]: terminal-safe text from remote strings, widths, HTML to text; [`fuzzy`]: `/`.
//! - [`cache`] (the local SQLite copy of a portal's tickets), [`sync`] (keeps it equal to
//!   HubSpot).
//! - [`cli`], [`config`], [`output`], [`commands`], [`tickets_cmd`], [`cache_cmd`],
//!   [`shell_cmd`] (completions, man page): the command line.

pub mod action;
pub mod app;
pub mod cache;
pub mod cache_cmd;
pub mod cli;
pub mod commands;
pub mod config;
pub mod credentials;
pub mod doctor;
pub mod domain;
pub mod drafts;
pub mod fuzzy;
pub mod hubspot;
pub mod input;
pub mod journal;
pub mod keymap;
pub mod live;
pub mod macros;
pub mod mapping;
pub mod output;
pub mod protocol;
pub mod runtime;
pub mod sandbox;
pub mod shell_cmd;
pub mod sync;
pub mod terminal;
pub mod text;
pub mod tickets_cmd;
pub mod ui;
pub mod views;
pub mod worker;
pub mod write_cmd;
