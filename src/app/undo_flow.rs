//! Undo and the log of writes: the app's side of the journal (the worker writes it, see
//! `worker::journaled`).
//!
//! `z` undoes the last write of this run — one user action: a macro's update, its notes and
//! pins undo together — and `L` opens the log of every write, this run's and earlier ones',
//! newest first (`Enter` shows one in full, `z` undoes that one). Either way the worker first
//! reads the tickets fresh ([`Command::PrepareUndo`]); the dialog ([`UndoDialog`]) then shows
//! what will be put back, and per ticket where someone changed a value since (keep theirs,
//! the default, or put back mine). Confirmed, [`Command::Undo`] carries it out; the undo is
//! journaled like any write, so it can be undone in turn.
//!
//! Owns: the journal as the app knows it ([`JournalState`]), the undo dialog and the log
//! modal, their keys. Must not: do I/O or decide what HubSpot holds (the worker reads it).

use std::collections::HashMap;

use crossterm::event::KeyEvent;

use super::{App, Effect};
use crate::action::Action;
use crate::domain::Catalog;
use crate::keymap::Context;
use crate::protocol::journal::{Entry, Logged, Outcome, UndoPlan, norm};
use crate::protocol::{Command, Event, ReqId};

/// The journal as the app knows it.
#[derive(Debug, Default)]
pub struct JournalState {
    /// Every write journaled, earlier runs' and this one's, oldest first.
    pub entries: Vec<Logged>,
    /// This run's writes, in the order their outcomes came: (request, entry ID).
    this_run: Vec<(ReqId, String)>,
    /// A request that belongs to an earlier one's user action (a macro's notes and pins
    /// join its update), by the first request of that action.
    joined: HashMap<ReqId, ReqId>,
    /// The undo being read back or carried out.
    pending: Option<ReqId>,
}

impl JournalState {
    /// Records that `req` belongs to the same user action as the request in `first` (the
    /// first call of an action sets it).
    pub fn same_action(&mut self, first: &mut Option<ReqId>, req: ReqId) {
        match first {
            Some(f) => {
                self.joined.insert(req, *f);
            }
            None => *first = Some(req),
        }
    }

    /// The entries of this run's last user action, oldest first.
    fn last_action(&self) -> Vec<Entry> {
        let Some((last, _)) = self.this_run.last() else {
            return Vec::new();
        };
        let root = |r: &ReqId| self.joined.get(r).copied().unwrap_or(*r);
        let want = root(last);
        let ids: Vec<&String> = self
            .this_run
            .iter()
            .filter(|(r, _)| root(r) == want)
            .map(|(_, id)| id)
            .collect();
        ids.into_iter().filter_map(|id| self.entry(id)).collect()
    }

    fn entry(&self, id: &str) -> Option<Entry> {
        self.entries
            .iter()
            .find(|l| l.entry.id == id)
            .map(|l| l.entry.clone())
    }

    /// Newest first, for the log.
    pub fn newest_first(&self) -> impl Iterator<Item = &Logged> {
        self.entries.iter().rev()
    }

    /// Whether a later undo put this entry back.
    pub fn undone(&self, id: &str) -> bool {
        self.entries.iter().any(|l| {
            l.entry
                .undoes
                .as_deref()
                .is_some_and(|u| u.split(' ').any(|x| x == id))
                && l.outcome.as_ref().is_some_and(|o| o.took_effect())
        })
    }

    fn add(&mut self, logged: Logged) {
        match self
            .entries
            .iter_mut()
            .find(|l| l.entry.id == logged.entry.id)
        {
            Some(l) => *l = logged,
            None => self.entries.push(logged),
        }
    }
}

/// The dialog that shows what an undo will put back (a modal).
#[derive(Debug, Clone, PartialEq)]
pub struct UndoDialog {
    pub plan: UndoPlan,
    /// The tickets where someone changed a value since, in order; the cursor among them.
    pub conflicts: Vec<String>,
    pub cursor: usize,
}

impl UndoDialog {
    fn new(plan: UndoPlan) -> Self {
        let mut conflicts: Vec<String> = plan.conflicts().map(|r| r.ticket.clone()).collect();
        conflicts.dedup();
        UndoDialog {
            plan,
            conflicts,
            cursor: 0,
        }
    }

    /// Whether the ticket's conflicting values are put back (mine) or kept (theirs).
    pub fn puts_back(&self, ticket: &str) -> bool {
        self.plan
            .conflicts()
            .any(|r| r.ticket == ticket && r.put_back)
    }

    /// The dialog's lines: what will be put back, then each conflict with its choice;
    /// properties and values as the catalogue names them.
    pub fn body(&self, catalog: &Catalog) -> Vec<String> {
        let shown = |p: &str, v: &Option<String>| shown(catalog, p, v);
        let mut lines = Vec::new();
        let back: Vec<_> = self
            .plan
            .restores
            .iter()
            .filter(|r| r.put_back && !r.conflict())
            .collect();
        if !back.is_empty() {
            lines.push(format!(
                "Put back on {}:",
                count(back.iter().map(|r| &r.ticket))
            ));
            for r in back.iter().take(12) {
                lines.push(format!(
                    "  #{} {}: {} → {}",
                    r.ticket,
                    catalog.property_label(&r.property),
                    shown(&r.property, &r.wrote),
                    shown(&r.property, &r.back_to)
                ));
            }
            if back.len() > 12 {
                lines.push(format!("  … and {} more", back.len() - 12));
            }
        }
        for a in &self.plan.associations {
            let what = if a.after.is_empty() {
                "removed again"
            } else if a.before.is_empty() {
                "added back"
            } else {
                "labels put back"
            };
            lines.push(format!("  #{} {} {}: {what}", a.ticket, a.kind, a.to_id));
        }
        if !self.plan.archive.is_empty() {
            lines.push(format!(
                "Delete what it created: {}",
                self.plan
                    .archive
                    .iter()
                    .map(|o| format!("{} {}", o.kind.trim_end_matches('s'), o.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !self.conflicts.is_empty() {
            lines.push(String::new());
            lines.push("Changed by someone else since:".to_owned());
            for (i, t) in self.conflicts.iter().enumerate() {
                let mark = if i == self.cursor { ">" } else { " " };
                let choice = if self.puts_back(t) {
                    "put back mine"
                } else {
                    "keep theirs"
                };
                let what = self
                    .plan
                    .conflicts()
                    .filter(|r| &r.ticket == t)
                    .map(|r| {
                        format!(
                            "{}: now {} (hubtix wrote {}, was {})",
                            catalog.property_label(&r.property),
                            shown(&r.property, &r.current),
                            shown(&r.property, &r.wrote),
                            shown(&r.property, &r.back_to)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                lines.push(format!("{mark} #{t} [{choice}] {what}"));
            }
        }
        if lines.is_empty() {
            lines.push("Nothing left to put back.".to_owned());
        }
        lines
    }
}

/// A value as the catalogue shows it, quoted; `(empty)` for none.
fn shown(catalog: &Catalog, property: &str, v: &Option<String>) -> String {
    match norm(v) {
        "" => "(empty)".to_owned(),
        s => format!("\"{}\"", catalog.display_value(None, property, s)),
    }
}

fn count<'a>(tickets: impl Iterator<Item = &'a String>) -> String {
    let mut t: Vec<&String> = tickets.collect();
    t.sort();
    t.dedup();
    match t.as_slice() {
        [one] => format!("#{one}"),
        many => format!("{} tickets", many.len()),
    }
}

/// The log of writes (a modal): newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogModal {
    pub cursor: usize,
}

/// `z`: undoes this run's last write, after the dialog.
pub(super) fn undo_last(app: &mut App) -> Vec<Effect> {
    let entries = app.journal.last_action();
    if entries.is_empty() {
        let log = app.keymap.key_name(Context::List, Action::WriteLog);
        app.info(format!(
            "nothing to undo in this run ({log} lists earlier writes)"
        ));
        return Vec::new();
    }
    prepare(app, entries)
}

/// Asks the worker what undoing `entries` would meet, unless they cannot be undone.
fn prepare(app: &mut App, entries: Vec<Entry>) -> Vec<Effect> {
    if let Some(why) = entries.iter().find_map(Entry::cannot_undo) {
        let what = entries[0].summary_with(|p| app.catalog.property_label(p).to_owned());
        app.error(format!("{what}: {why}"));
        return Vec::new();
    }
    if app.journal.pending.is_some() {
        app.info("an undo is already on its way");
        return Vec::new();
    }
    let took: Vec<Entry> = entries
        .into_iter()
        .filter(|e| {
            app.journal
                .entries
                .iter()
                .find(|l| l.entry.id == e.id)
                .is_none_or(|l| l.outcome.as_ref().is_none_or(|o| o.took_effect()))
        })
        .collect();
    if took.is_empty() {
        app.info("nothing to undo: that write did not take effect");
        return Vec::new();
    }
    let req = app.req();
    app.journal.pending = Some(req);
    app.info("reading the tickets back to undo…");
    vec![Effect::Api(Command::PrepareUndo { req, entries: took })]
}

/// The journal's events and the undo's answers; `None` for the others.
pub(super) fn on_event(app: &mut App, event: &Event) -> Option<Vec<Effect>> {
    match event {
        Event::Journaled(logged) => {
            app.journal
                .this_run
                .push((req_of(&logged.entry.id), logged.entry.id.clone()));
            app.journal.add((**logged).clone());
            Some(Vec::new())
        }
        Event::JournalLoaded {
            entries,
            resolved_now,
        } => {
            loaded(app, entries, resolved_now);
            Some(Vec::new())
        }
        Event::UndoPrepared { req, plan } if app.journal.pending == Some(*req) => {
            app.journal.pending = None;
            app.toast = None;
            app.modals.open(UndoDialog::new((**plan).clone()));
            Some(Vec::new())
        }
        Event::Undone { req, failed, .. } if app.journal.pending == Some(*req) => {
            app.journal.pending = None;
            Some(undone(app, failed))
        }
        Event::Failed { req, failure } if app.journal.pending == Some(*req) => {
            app.journal.pending = None;
            app.error(failure.said("undo: ", ""));
            Some(Vec::new())
        }
        _ => None,
    }
}

/// The request of an entry of this run (`<run>-<req>`).
fn req_of(id: &str) -> ReqId {
    id.rsplit('-')
        .next()
        .and_then(|r| r.parse().ok())
        .unwrap_or_default()
}

/// The journal at start: says what reading back found of the writes an earlier run left
/// without answer (it was killed or crashed), and which stayed unknown.
fn loaded(app: &mut App, all: &[Logged], resolved_now: &[String]) {
    for l in all {
        if !app.journal.entries.iter().any(|e| e.entry.id == l.entry.id) {
            app.journal.entries.push(l.clone());
        }
    }
    if resolved_now.is_empty() {
        return;
    }
    let (mut done, mut not, mut unknown) = (0, 0, 0);
    for l in all.iter().filter(|l| resolved_now.contains(&l.entry.id)) {
        match l.outcome {
            Some(Outcome::Applied { .. }) => done += 1,
            Some(Outcome::NotApplied | Outcome::Failed { .. }) => not += 1,
            Some(Outcome::Unknown { .. }) | None => unknown += 1,
        }
    }
    let log = app.keymap.key_name(Context::List, Action::WriteLog);
    let text = format!(
        "{} write(s) cut short by an earlier run, read back: {done} applied, {not} not, \
         {unknown} unknown ({log} lists them)",
        resolved_now.len()
    );
    if unknown > 0 {
        app.error(text);
    } else {
        app.info(text);
    }
}

/// The undo is done: say so, read the detail again.
fn undone(app: &mut App, failed: &[(String, String)]) -> Vec<Effect> {
    if failed.is_empty() {
        app.info("undone: put back as it was");
    } else {
        app.error(format!(
            "undo: {} not put back: {}",
            failed.len(),
            failed
                .iter()
                .map(|(t, why)| format!("#{t} {why}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if app.detail.ticket_id.is_some() {
        app.detail.activities = crate::protocol::Loadable::Idle;
        return app.fetch_detail();
    }
    Vec::new()
}

/// Keys of the undo dialog.
pub(super) fn on_dialog_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(dialog) = app.modals.undo_mut() else {
        return Vec::new();
    };
    match app.keymap.resolve(Context::Undo, &key) {
        Some(Action::Down) => {
            dialog.cursor = (dialog.cursor + 1).min(dialog.conflicts.len().saturating_sub(1));
        }
        Some(Action::Up) => dialog.cursor = dialog.cursor.saturating_sub(1),
        Some(Action::Toggle) => {
            if let Some(t) = dialog.conflicts.get(dialog.cursor).cloned() {
                let now = dialog.puts_back(&t);
                dialog.plan.choose(&t, !now);
            }
        }
        Some(Action::Confirm) => {
            let Some(dialog) = app.modals.take_undo() else {
                return Vec::new();
            };
            if dialog.plan.is_empty() {
                app.info("nothing to put back");
                return Vec::new();
            }
            let req = app.req();
            app.journal.pending = Some(req);
            app.info("undoing…");
            return vec![Effect::Api(Command::Undo {
                req,
                plan: Box::new(dialog.plan),
            })];
        }
        Some(Action::Decline) => app.modals.close_undo(),
        _ => {}
    }
    Vec::new()
}

/// `L`: the log of writes.
pub(super) fn open_log(app: &mut App) -> Vec<Effect> {
    app.modals.open(LogModal::default());
    Vec::new()
}

/// Keys of the log.
pub(super) fn on_log_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let n = app.journal.entries.len();
    let action = app.keymap.resolve(Context::Log, &key);
    let Some(log) = app.modals.log_mut() else {
        return Vec::new();
    };
    match action {
        Some(Action::Down) => log.cursor = (log.cursor + 1).min(n.saturating_sub(1)),
        Some(Action::Up) => log.cursor = log.cursor.saturating_sub(1),
        Some(Action::Top) => log.cursor = 0,
        Some(Action::Bottom) => log.cursor = n.saturating_sub(1),
        Some(Action::ShowFull) => {
            let cursor = log.cursor;
            let chosen = app.journal.newest_first().nth(cursor).cloned();
            if let Some(l) = chosen {
                let text = details(&app.catalog, &l);
                let title = l
                    .entry
                    .summary_with(|p| app.catalog.property_label(p).to_owned());
                super::reader::show(app, title, text);
            }
        }
        Some(Action::Undo) => {
            let cursor = log.cursor;
            let chosen = app.journal.newest_first().nth(cursor).cloned();
            if let Some(l) = chosen {
                app.modals.close_log();
                return prepare(app, vec![l.entry]);
            }
        }
        Some(Action::Close) => app.modals.close_log(),
        _ => {}
    }
    Vec::new()
}

/// One log row: when, what, outcome.
pub fn row(app: &App, l: &Logged) -> String {
    let when = l
        .entry
        .at
        .parse::<jiff::Timestamp>()
        .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| l.entry.at.clone());
    let outcome = match &l.outcome {
        None => "no answer yet".to_owned(),
        Some(o) if l.resolved => format!("{} (read back later)", o.text()),
        Some(o) => o.text(),
    };
    let undone = if app.journal.undone(&l.entry.id) {
        " · undone"
    } else {
        ""
    };
    let what = l
        .entry
        .summary_with(|p| app.catalog.property_label(p).to_owned());
    format!("{when}  {outcome}{undone}  ·  {what}")
}

/// An entry in full: every value before and after.
pub fn details(catalog: &Catalog, l: &Logged) -> String {
    let e = &l.entry;
    let mut out = vec![
        format!("When: {}", e.at),
        format!("Run: {}", e.run),
        format!(
            "Outcome: {}",
            l.outcome
                .as_ref()
                .map_or("no answer".to_owned(), |o| o.text())
        ),
    ];
    match &l.outcome {
        Some(Outcome::Applied {
            correlation_ids, ..
        }) if !correlation_ids.is_empty() => {
            let label = if correlation_ids.len() == 1 {
                "Correlation ID"
            } else {
                "Correlation IDs"
            };
            out.push(format!("{label}: {}", correlation_ids.join(", ")));
        }
        Some(Outcome::Failed {
            correlation_id: Some(c),
            ..
        }) => out.push(format!("Correlation ID: {c}")),
        _ => {}
    }
    if let Some(u) = &e.undoes {
        out.push(format!("Undoes: {u}"));
    }
    if let Some(why) = e.cannot_undo() {
        out.push(format!("Undo: {why}"));
    }
    out.push(String::new());
    for p in &e.properties {
        out.push(format!(
            "#{} {} ({}): {} → {}",
            p.ticket,
            catalog.property_label(&p.property),
            p.property,
            shown(catalog, &p.property, &p.before),
            shown(catalog, &p.property, &p.after)
        ));
    }
    for a in &e.associations {
        out.push(format!(
            "#{} ↔ {} {}: labels {:?} → {:?}",
            a.ticket, a.kind, a.to_id, a.before, a.after
        ));
    }
    for o in &e.created {
        out.push(format!("created {} {}", o.kind, o.id));
    }
    for o in &e.deleted {
        out.push(format!("deleted {} {}", o.kind, o.id));
    }
    if let Some(Outcome::Applied { failed, .. }) = &l.outcome {
        for (t, why) in failed {
            out.push(format!("failed on #{t}: {why}"));
        }
    }
    out.join("\n")
}
