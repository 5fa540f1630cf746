//! The write gate in the app: every write the app asks for passes [`Gate::refusal`] first,
//! read-only mode and offline reading, and going back online.
//!
//! Owns: holding the gate's state (`App::gate`: read-only from the start, offline from the
//! worker's [`Event::Reachability`]), refusing the write commands among `update`'s effects
//! (each refused one answered at once as a [`FailureKind::Refused`] failure, so the flow that
//! asked keeps its form and draft as on any failure, and the status bar says why), the top
//! bar's banner, and what coming back online does (the catalogue and the list read again).
//! Must not: send anything itself, or decide a refusal any other way than [`Gate::refusal`]
//! (the worker's client asks the same gate: a write that got past here is still not sent).
//!
//! [`FailureKind::Refused`]: crate::protocol::FailureKind::Refused

use crate::protocol::{Command, Event, Failure, Gate};

use super::{App, Effect};

impl App {
    /// Why no write may be sent now, on one line; `None` when the gate is open.
    pub fn write_refusal(&self) -> Option<String> {
        self.gate.refusal().map(|r| r.line(&self.catalog.tz))
    }

    /// The top bar's banner while offline: since when, and what the list shows.
    pub fn offline_banner(&self) -> Option<String> {
        let since = self.gate.offline_since?;
        let since = crate::protocol::clock(since, &self.catalog.tz);
        Some(match self.list_as_of_label() {
            Some(as_of) => format!("offline since {since} — showing the cache {as_of}"),
            None => format!("offline since {since} — showing the tickets as loaded"),
        })
    }

    /// Asks the gate before a write that starts with a read (an edit's conflict check):
    /// refused, the status bar says why and the caller keeps its form.
    pub(super) fn ask_gate(&mut self) -> Option<String> {
        let line = self.write_refusal()?;
        self.error(line.clone());
        Some(line)
    }
}

/// `update`'s effects with every write the gate refuses taken out: each is answered at once
/// with a refused failure, routed to the flow that asked as its worker answer would be, and
/// the reason shown in the status bar. What those answers ask for is gated the same way.
pub(super) fn gate_effects(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    let mut out = Vec::with_capacity(effects.len());
    let mut todo = effects;
    while !todo.is_empty() {
        let mut next = Vec::new();
        for effect in todo {
            match effect {
                Effect::Api(cmd) if cmd.is_write() => match app.write_refusal() {
                    None => out.push(Effect::Api(cmd)),
                    Some(line) => next.extend(refuse(app, &cmd, line)),
                },
                other => out.push(other),
            }
        }
        todo = next;
    }
    out
}

/// Answers a refused write as the worker would answer a failed one, then says why.
fn refuse(app: &mut App, cmd: &Command, line: String) -> Vec<Effect> {
    tracing::debug!(req = cmd.req(), "write refused: {line}");
    let failed = Event::Failed {
        req: cmd.req(),
        failure: Failure::refused(line.clone()),
    };
    let fx = super::on_worker(app, failed);
    super::activity_flow::follow_detail(app);
    // Last, so it is the status bar's one line whatever the flow said.
    app.error(line);
    app.dirty = true;
    fx
}

/// HubSpot went out of reach, or answers again. Back online, the catalogue (when it came
/// from the cache) and the list are read again: the cached rows give way to HubSpot's.
pub(super) fn on_reachability(
    app: &mut App,
    offline_since: Option<jiff::Timestamp>,
) -> Vec<Effect> {
    let was = app.gate;
    app.gate = Gate {
        offline_since,
        ..was
    };
    app.dirty = true;
    if was.offline_since.is_none() || offline_since.is_some() {
        return Vec::new();
    }
    app.info("back online: HubSpot answers again");
    let mut fx = Vec::new();
    if app.catalog_from_cache {
        app.catalog_from_cache = false;
        fx.extend(app.load_catalog());
    }
    if !app.list_load.is_loading() {
        fx.extend(app.load_list(None));
    }
    // The detail shown offline was the row, without its history.
    if !app.detail.ticket.is_loading() {
        fx.extend(app.fetch_detail());
    }
    fx
}

/// Whether a failure is HubSpot out of reach (no answer at all).
pub(super) fn unreachable(failure: &Failure) -> bool {
    use crate::protocol::FailureKind as K;
    matches!(failure.kind, K::Network | K::Timeout)
}
