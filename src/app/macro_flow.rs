//! Macros in the app: the picker (`m`), a macro's own key, and applying a macro — to one
//! ticket at once, or to several after the bulk confirmation — with the worker's answers.
//! What a macro is and how it was checked at start: `crate::macros`.
//!
//! Applying, step by step (each step waits for the one before):
//! 1. The property changes: one `UpdateTicket` (one ticket) or one `BatchUpdate` (several).
//!    A ticket of another pipeline than the one of the stage the macro sets is left out and
//!    reported (a macro moves tickets between pipelines only when it sets `hs_pipeline`).
//! 2. When the note says `{contact}`: each changed ticket's contacts, one `LoadAssociations`
//!    at a time. Those reads share the worker's associations slot with the detail's
//!    Associations tab, where a newer read cancels an older one: so no read is sent while the
//!    detail's is on its way, an answer the detail asked for serves a macro waiting for that
//!    ticket, and a read of ours cancelled by the detail's is sent again once that one is in
//!    ([`on_event`] sees every associations answer).
//! 3. The note, only on the tickets the changes reached: `CreateActivity` (pinned when asked)
//!    on one ticket, `CreateNotes` on several.
//! 4. On several tickets with `pin = true`: one `UpdateTicket` per ticket setting
//!    `hs_pinned_engagement_id` to its note (`CreateNotes` does not pin).
//!
//! Then the status bar says what changed on which ID ("Escalate on #1051: Priority → Urgent,
//! Stage → Waiting on us; note added"). On several tickets, what failed is listed by ticket in
//! a text overlay; the tickets that got everything are unmarked and the others stay marked,
//! so the macro's key (or `m`) applies it to them again.
//!
//! **The entry point for triage mode, and its completion signal.** [`apply`]`(app,
//! macro_index, ticket_ids) -> Vec<Effect>` applies a macro: to one ticket at once, to
//! several through the confirmation. Every call ends with exactly one [`Finished`] pushed to
//! `app.macros.finished` (and the status message): when the last answer is in, at once when
//! nothing could be sent, or when the confirmation is declined (the last 16 are kept; take
//! them with [`take_finished`]; `Finished::done` lists the tickets acted on). Like every flow
//! that acts on a ticket, a finished macro tells triage mode itself (`triage::acted`), so
//! the walk moves on.
//! `{subject}` is the subject as the app knows it (the list row or the detail, then the
//! update's answer).
//!
//! Must not: do I/O (requests go out as effects), or check a macro (that was done at start).

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

use super::confirm::{BulkChange, Confirm, PendingOp};
use super::detail::{Loadable, ReqId};
use super::edit::{Choice, Picker};
use super::views_flow::{PickerKind, PickerModal};
use super::{App, Effect, Focus, views_flow};
use crate::action::Action;
use crate::domain::{ActivityDetails, Associated, NewActivity, ObjectKind, Ticket};
use crate::keymap::{Context, Key};
use crate::macros::{Macro, Vars, expand};
use crate::protocol::{Command, Event, Failure, FailureKind, Verdict};

/// The macros of the session and the applications under way.
#[derive(Debug, Default)]
pub struct Macros {
    /// The macros in force (config.toml's, or the defaults), checked at start.
    pub defined: Vec<Macro>,
    /// Applications waiting for answers.
    runs: Vec<Run>,
    /// The contacts read under way for `{contact}` (one at a time), or adopted from the
    /// detail's read of the same ticket.
    reading: Option<ContactRead>,
    /// Applications that ended, oldest first: see the module docs.
    pub finished: Vec<Finished>,
    /// A macro (its index) and its tickets waiting for the owner picker to say who "me" is.
    waiting_me: Option<(usize, Vec<String>)>,
    /// Checked at start against the cache's catalogue only (the warm start): checked again
    /// once HubSpot's own catalogue has arrived.
    to_confirm: Option<ToConfirm>,
}

/// What a second check of the macros needs: config.toml's definitions (`None`: the
/// defaults) and the file's name for the problems.
#[derive(Debug, Clone)]
struct ToConfirm {
    defs: Option<Vec<crate::macros::MacroDef>>,
    source_name: String,
}

/// An application of a macro that ended: the completion signal for triage mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub macro_name: String,
    /// The tickets it was applied to.
    pub tickets: Vec<String>,
    /// The tickets something failed on, and what (see the status message for the words).
    pub failed: Vec<(String, String)>,
    /// The confirmation was declined: nothing was sent.
    pub cancelled: bool,
}

impl Finished {
    /// The tickets that got every change and the note.
    pub fn done(&self) -> Vec<&str> {
        self.tickets
            .iter()
            .filter(|t| !self.failed.iter().any(|(f, _)| f == *t))
            .map(String::as_str)
            .collect()
    }
}

/// The finished applications, oldest first (they are gone from the app after this).
pub fn take_finished(app: &mut App) -> Vec<Finished> {
    std::mem::take(&mut app.macros.finished)
}

/// What did not happen to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Miss {
    /// Not sent: the ticket is in another pipeline than the macro's stage.
    LeftOut(String),
    NotChanged(String),
    /// Changed, but its note was not added.
    NoNote(String),
    /// Changed and noted, but the note is not pinned.
    NotPinned(String),
}

impl Miss {
    fn text(&self) -> String {
        match self {
            Miss::LeftOut(why) => format!("left out: {why}"),
            Miss::NotChanged(why) => format!("not changed: {why}"),
            Miss::NoNote(why) => format!("changed, but the note failed: {why}"),
            Miss::NotPinned(why) => format!("note added, but not pinned: {why}"),
        }
    }

    /// Whether applying the macro again is the remedy (the ticket stays marked).
    fn retry(&self) -> bool {
        !matches!(self, Miss::NotPinned(_))
    }
}

#[derive(Debug)]
struct Run {
    mac: Macro,
    /// Every ticket it was asked to change, left out ones included.
    asked: Vec<String>,
    /// Each ticket's subject as known, for `{subject}`.
    subjects: BTreeMap<String, String>,
    /// Each changed ticket's contact, once read, for `{contact}` ("" for none).
    contacts: BTreeMap<String, String>,
    /// The tickets the changes reached (they get the note).
    changed: Vec<String>,
    missed: Vec<(String, Miss)>,
    /// Notes added and pinned.
    noted: usize,
    pinned: usize,
    step: Step,
    /// The run's first write: its notes and pins join it, so one `z` undoes the macro.
    first_write: Option<ReqId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Update(ReqId),
    /// Reading the changed tickets' contacts (see [`pump_contacts`]).
    Contacts,
    Note(ReqId),
    /// Pinning each ticket's note: (request, ticket).
    Pins(Vec<(ReqId, String)>),
}

impl Run {
    fn waits_for(&self, req: ReqId) -> bool {
        match &self.step {
            Step::Update(r) | Step::Note(r) => *r == req,
            Step::Pins(pins) => pins.iter().any(|(r, _)| *r == req),
            Step::Contacts => false,
        }
    }

    /// Where the status line says it happened: "Escalate on #1051", "… on 12 tickets".
    fn head(&self) -> String {
        match self.asked.as_slice() {
            [one] => format!("{} on #{one}", self.mac.name),
            many => format!("{} on {} tickets", self.mac.name, many.len()),
        }
    }

    /// The changed tickets whose contact is still to be read.
    fn contact_wanted(&self) -> Option<&String> {
        self.changed
            .iter()
            .find(|t| !self.contacts.contains_key(*t))
    }
}

/// A contacts read for `{contact}`: ours, or the detail's of the same ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ContactRead {
    req: ReqId,
    ticket: String,
    /// Sent by us (else the detail's, which its own flow also takes).
    ours: bool,
}

impl App {
    /// The macros in force, checked at start (call before `start`).
    pub fn set_macros(&mut self, macros: Vec<Macro>) {
        self.macros.defined = macros;
    }

    /// The warm start: `macros` were checked against the cache's catalogue, which may be
    /// older than HubSpot's. They are in force at once, and checked again against HubSpot's
    /// catalogue when it has arrived (see [`confirm_against_fresh`]): a macro the fresh
    /// catalogue refuses is disabled with a notice saying why.
    pub fn set_macros_to_confirm(
        &mut self,
        macros: Vec<Macro>,
        defs: Option<Vec<crate::macros::MacroDef>>,
        source_name: String,
    ) {
        self.macros.defined = macros;
        self.macros.to_confirm = Some(ToConfirm { defs, source_name });
    }
}

/// HubSpot's catalogue has arrived in full (properties, pipelines and owners, each fresh):
/// the macros checked at start against the cache's are checked again against it. The
/// defaults are built anew; a macro of config.toml that no longer resolves (a stage,
/// property option or owner HubSpot no longer has) is taken out of the picker and its key,
/// and the status line says which and why (an error notice: it stays until dismissed). The
/// others are replaced by their fresh resolution (a renamed stage's label). Nothing happens
/// when nothing is waiting for this check (a cold start checked against HubSpot already).
pub(super) fn confirm_against_fresh(app: &mut App) {
    let Some(pending) = app.macros.to_confirm.take() else {
        return;
    };
    let check = crate::macros::Check {
        catalog: &app.catalog,
        me: app.me.as_deref(),
        keymap: &app.keymap,
        source_name: &pending.source_name,
    };
    let Some(defs) = pending.defs else {
        app.macros.defined = crate::macros::defaults(&app.catalog, app.me.as_deref());
        return;
    };
    let mut kept = Vec::new();
    let mut disabled = Vec::new();
    for def in &defs {
        let name = def.name.trim();
        // Only the macros in force: a definition refused at start stays out.
        if !app.macros.defined.iter().any(|m| m.name == name) {
            continue;
        }
        match crate::macros::resolve(def, &check) {
            Ok(m) => kept.push(m),
            Err(problems) => disabled.push(format!("\"{name}\" ({})", problems.join("; "))),
        }
    }
    app.macros.defined = kept;
    let reload = app.keymap.key_name(Context::Global, Action::ReloadAll);
    match disabled.as_slice() {
        [] => {}
        [one] => app.error(format!(
            "macro {one} disabled: HubSpot's catalogue differs from the cache's; fix {} ({reload} reloads)",
            pending.source_name
        )),
        [first, rest @ ..] => app.error(format!(
            "{} macros disabled, HubSpot's catalogue differs from the cache's: {first} and {} \
             more; fix {} ({reload} reloads)",
            rest.len() + 1,
            rest.len(),
            pending.source_name
        )),
    }
}

/// The tickets a macro acts on: the marked ones in the list, else the selected one; in the
/// detail, the ticket on view.
fn targets(app: &App) -> Vec<String> {
    match app.focus {
        Focus::List if !app.list.marked().is_empty() => app.list.marked().iter().cloned().collect(),
        Focus::List => app
            .list
            .selected_id()
            .map(str::to_owned)
            .into_iter()
            .collect(),
        Focus::Detail => app.detail.ticket_id.clone().into_iter().collect(),
    }
}

/// `m`: the macros, to apply one to the marked tickets (in the list) or the ticket on view.
pub(super) fn open_picker(app: &mut App) -> Vec<Effect> {
    if app.macros.defined.is_empty() {
        app.info("no macros: define [[macros]] in config.toml (see the README)");
        return Vec::new();
    }
    let ids = targets(app);
    let title = match ids.as_slice() {
        [] => {
            app.info("no ticket to apply a macro to");
            return Vec::new();
        }
        [one] => format!("Apply a macro to #{one}"),
        many => format!("Apply a macro to {} marked tickets", many.len()),
    };
    app.modals.open(PickerModal {
        kind: PickerKind::Macro { ids },
        title,
        picker: Picker::new(picker_rows(&app.macros.defined), false, ""),
    });
    Vec::new()
}

/// One row per macro: its key (when it has one), its name and what it changes.
fn picker_rows(macros: &[Macro]) -> Vec<Choice> {
    let key_width = macros
        .iter()
        .filter_map(|m| m.key.map(|k| crate::text::width(&k.to_string())))
        .max();
    let name_width = macros
        .iter()
        .map(|m| crate::text::width(&m.name))
        .max()
        .unwrap_or(0);
    macros
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let key = match key_width {
                Some(w) => {
                    let k = m.key.map(|k| k.to_string()).unwrap_or_default();
                    format!("{}  ", crate::text::pad_to_width(&k, w))
                }
                None => String::new(),
            };
            Choice {
                value: i.to_string(),
                label: format!(
                    "{key}{}  {}",
                    crate::text::pad_to_width(&m.name, name_width),
                    m.summary()
                ),
            }
        })
        .collect()
}

/// The picker chose a macro (`value` is its index) for `ids`.
pub(super) fn chosen(app: &mut App, ids: Vec<String>, value: &str) -> Vec<Effect> {
    match value.parse::<usize>() {
        Ok(index) => apply(app, index, ids),
        Err(_) => Vec::new(),
    }
}

/// A key the keymap leaves free in the list or the detail: a macro's, if one has it.
pub(super) fn on_unbound_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let key = Key::from_event(&key);
    let Some(index) = app.macros.defined.iter().position(|m| m.key == Some(key)) else {
        return Vec::new();
    };
    let ids = targets(app);
    apply(app, index, ids)
}

/// Applies macro `macro_index` to `ticket_ids`: one ticket at once, several after the bulk
/// confirmation (from 50 tickets on, the count typed). Ends with one [`Finished`] (see the
/// module docs); with no ticket or no such macro it does nothing and signals nothing.
pub fn apply(app: &mut App, macro_index: usize, ticket_ids: Vec<String>) -> Vec<Effect> {
    if app.macros.defined.get(macro_index).is_none() {
        return Vec::new();
    }
    if ticket_ids.is_empty() {
        app.info("no ticket to apply a macro to");
        return Vec::new();
    }
    if !fill_me(app, macro_index, &ticket_ids) {
        return Vec::new();
    }
    let Some(mac) = app.macros.defined.get(macro_index).cloned() else {
        return Vec::new();
    };
    let (ids, left_out) = split_by_pipeline(app, &mac, &ticket_ids);
    if ticket_ids.len() == 1 || ids.is_empty() {
        // One ticket: at once. None the macro can change: nothing to confirm.
        return start(app, mac, ids, left_out);
    }
    let changes = bulk_changes(app, &mac, &ids);
    app.confirm = Some(Confirm::new(PendingOp::ApplyMacro {
        index: macro_index,
        name: mac.name.clone(),
        ids,
        changes,
        note: mac.note.as_ref().map(|n| (n.template.clone(), n.pin)),
        skipped: left_out.into_iter().map(|(id, _)| id).collect(),
    }));
    Vec::new()
}

/// Fills macro `index`'s `@me` owners with who "me" is, once known; whether it can run now.
/// Not known yet: the first time, the owner picker asks (the macro runs on `ids` once it is
/// answered, see [`me_answered`]); after that, or with no owners to choose from, a message
/// says how to set `me`.
fn fill_me(app: &mut App, index: usize, ids: &[String]) -> bool {
    let Some(mac) = app.macros.defined.get(index) else {
        return false;
    };
    if mac.asks_me.is_empty() {
        return true;
    }
    let name = mac.name.clone();
    match app.me() {
        views_flow::Me::Owner(id) => {
            let shown = app
                .catalog
                .owners
                .iter()
                .find(|o| o.id == id)
                .map_or_else(|| id.clone(), crate::domain::Owner::display_name);
            if let Some(mac) = app.macros.defined.get_mut(index) {
                mac.set_me(&id, &shown);
            }
            true
        }
        views_flow::Me::Unset if !app.me_asked && app.catalog_load.owners.ready().is_some() => {
            app.macros.waiting_me = Some((index, ids.to_vec()));
            views_flow::ask_me(app, &format!("macro \"{name}\""));
            false
        }
        views_flow::Me::Unset | views_flow::Me::OwnersLoading
            if app.catalog_load.owners.is_loading() =>
        {
            app.info(format!(
                "\"{name}\" needs @me: the owners are still loading"
            ));
            false
        }
        views_flow::Me::Unset | views_flow::Me::OwnersLoading => {
            app.error(format!(
                "\"{name}\" needs @me: set me = \"you@company.com\" in config.toml"
            ));
            false
        }
        views_flow::Me::Unknown(why) => {
            app.error(format!("\"{name}\": {why}"));
            false
        }
    }
}

/// The owner picker asked for a macro answered (`chosen`) or was cancelled: the macro waiting
/// for it runs, or is dropped with a word. `None` when no macro was waiting.
pub(super) fn me_answered(app: &mut App, chosen: bool) -> Option<Vec<Effect>> {
    let (index, ids) = app.macros.waiting_me.take()?;
    if chosen {
        return Some(apply(app, index, ids));
    }
    let name = app
        .macros
        .defined
        .get(index)
        .map(|m| m.name.clone())
        .unwrap_or_default();
    app.info(format!(
        "\"{name}\" not applied: it needs @me (me = \"you@company.com\" in config.toml)"
    ));
    Some(Vec::new())
}

/// The confirmation said yes: apply it to `ids` (`skipped` were left out).
pub(super) fn confirmed(
    app: &mut App,
    index: usize,
    ids: Vec<String>,
    skipped: Vec<String>,
) -> Vec<Effect> {
    let Some(mac) = app.macros.defined.get(index).cloned() else {
        return Vec::new();
    };
    let (_, reasons) = split_by_pipeline(app, &mac, &skipped);
    let left_out = skipped
        .into_iter()
        .map(|id| {
            let why = reasons.iter().find(|(r, _)| *r == id).map_or_else(
                || Miss::LeftOut("it is in another pipeline than the macro's stage".into()),
                |(_, m)| m.clone(),
            );
            (id, why)
        })
        .collect();
    start(app, mac, ids, left_out)
}

/// The confirmation said no: nothing was sent, and that is the end of it.
pub(super) fn declined(app: &mut App, op: &PendingOp) {
    if let PendingOp::ApplyMacro {
        name, ids, skipped, ..
    } = op
    {
        signal(
            app,
            Finished {
                macro_name: name.clone(),
                tickets: ids.iter().chain(skipped).cloned().collect(),
                failed: Vec::new(),
                cancelled: true,
            },
        );
    }
}

/// The tickets the macro can change, and those of another pipeline than its stage's (with
/// why). A ticket whose pipeline is not known here is sent: HubSpot decides.
fn split_by_pipeline(app: &App, mac: &Macro, ids: &[String]) -> (Vec<String>, Vec<(String, Miss)>) {
    let Some(wanted) = &mac.stage_pipeline else {
        return (ids.to_vec(), Vec::new());
    };
    let label = |id: &str| {
        app.catalog
            .pipeline(id)
            .map_or_else(|| id.to_owned(), |p| p.label.clone())
    };
    let mut ok = Vec::new();
    let mut out = Vec::new();
    for id in ids {
        match known_ticket(app, id).map(Ticket::pipeline) {
            Some(p) if !p.is_empty() && p != wanted => out.push((
                id.clone(),
                Miss::LeftOut(format!(
                    "it is in {}, the macro's stage in {}",
                    label(p),
                    label(wanted)
                )),
            )),
            _ => ok.push(id.clone()),
        }
    }
    (ok, out)
}

/// A ticket as the app knows it: its list row, else the detail's.
fn known_ticket<'a>(app: &'a App, id: &str) -> Option<&'a Ticket> {
    app.list
        .get(id)
        .or_else(|| app.detail.ticket.ready().filter(|t| t.id == id))
}

/// What the confirmation shows per property: the tickets' current values and the new one.
fn bulk_changes(app: &App, mac: &Macro, ids: &[String]) -> Vec<BulkChange> {
    let tickets: Vec<&Ticket> = ids.iter().filter_map(|id| known_ticket(app, id)).collect();
    mac.changes
        .iter()
        .map(|c| {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for t in &tickets {
                let shown = app
                    .catalog
                    .display_value(Some(t), &c.property, t.prop(&c.property));
                *counts.entry(shown).or_default() += 1;
            }
            let unknown = ids.len() - tickets.len();
            if unknown > 0 {
                counts.insert("(not loaded)".to_owned(), unknown);
            }
            let mut old: Vec<(String, usize)> = counts.into_iter().collect();
            old.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            BulkChange {
                label: c.what.clone(),
                old,
                new: c.shown.clone(),
            }
        })
        .collect()
}

/// Starts an application on `ids` (`left_out` are reported with it).
fn start(
    app: &mut App,
    mac: Macro,
    ids: Vec<String>,
    left_out: Vec<(String, Miss)>,
) -> Vec<Effect> {
    let mut asked = ids.clone();
    asked.extend(left_out.iter().map(|(id, _)| id.clone()));
    let subjects = asked
        .iter()
        .filter_map(|id| known_ticket(app, id).map(|t| (id.clone(), t.subject().to_owned())))
        .collect();
    let mut run = Run {
        mac,
        asked,
        subjects,
        contacts: BTreeMap::new(),
        changed: Vec::new(),
        missed: left_out,
        noted: 0,
        pinned: 0,
        step: Step::Contacts,
        first_write: None,
    };
    if ids.is_empty() {
        return finish(app, run);
    }
    if run.mac.properties.is_empty() {
        run.changed = ids;
        return after_update(app, run);
    }
    let req = app.req();
    app.journal.same_action(&mut run.first_write, req);
    run.step = Step::Update(req);
    let properties = run.mac.properties.clone();
    let command = match ids.as_slice() {
        [id] => Command::UpdateTicket {
            req,
            id: id.clone(),
            properties,
        },
        _ => Command::BatchUpdate {
            req,
            ids,
            properties,
        },
    };
    app.info(format!("{}…", run.head()));
    app.macros.runs.push(run);
    vec![Effect::Api(command)]
}

/// The changes are in: the note next (after the contacts it names), or the end.
fn after_update(app: &mut App, mut run: Run) -> Vec<Effect> {
    let Some(note) = &run.mac.note else {
        return finish(app, run);
    };
    if run.changed.is_empty() {
        return finish(app, run);
    }
    if note.needs_contact() {
        run.step = Step::Contacts;
        app.macros.runs.push(run);
        return pump_contacts(app, None);
    }
    send_notes(app, run)
}

/// The note on every changed ticket, its placeholders filled for each.
fn send_notes(app: &mut App, mut run: Run) -> Vec<Effect> {
    let Some(note) = run.mac.note.clone() else {
        return finish(app, run);
    };
    let single = run.changed.len() == 1;
    let notes: Vec<NewActivity> = run
        .changed
        .iter()
        .map(|id| NewActivity {
            ticket_id: id.clone(),
            details: ActivityDetails::Note,
            body: expand(
                &note.template,
                &Vars {
                    id,
                    subject: run.subjects.get(id).map_or("", String::as_str),
                    contact: run.contacts.get(id).map(String::as_str),
                },
            ),
            timestamp: app.now,
            also: Vec::new(),
            // Several notes are pinned one by one once created (see the module docs).
            pin: note.pin && single,
        })
        .collect();
    let req = app.req();
    app.journal.same_action(&mut run.first_write, req);
    run.step = Step::Note(req);
    app.macros.runs.push(run);
    let command = match <[NewActivity; 1]>::try_from(notes) {
        Ok([activity]) => Command::CreateActivity { req, activity },
        Err(notes) => Command::CreateNotes { req, notes },
    };
    vec![Effect::Api(command)]
}

/// Moves the contact reads on: fills in what the detail already has, sends the next read
/// when none is under way and the detail's own read would not be cancelled by it, and sends
/// the notes of the runs that have all their contacts. `over` is a detail read whose answer
/// is being handled (the detail still shows it loading).
fn pump_contacts(app: &mut App, over: Option<ReqId>) -> Vec<Effect> {
    let shown = app.detail.ticket_id.clone().zip(
        app.detail
            .associations
            .ready()
            .map(|items| primary_contact(items)),
    );
    let mut fx = Vec::new();
    let mut i = 0;
    while i < app.macros.runs.len() {
        let run = &mut app.macros.runs[i];
        if run.step != Step::Contacts {
            i += 1;
            continue;
        }
        if let Some((id, name)) = &shown
            && run.changed.contains(id)
        {
            run.contacts
                .entry(id.clone())
                .or_insert_with(|| name.clone());
        }
        if run.contact_wanted().is_none() {
            let run = app.macros.runs.remove(i);
            fx.extend(send_notes(app, run));
            continue;
        }
        i += 1;
    }
    if app.macros.reading.is_some() {
        return fx;
    }
    let Some(wanted) = app
        .macros
        .runs
        .iter()
        .filter(|r| r.step == Step::Contacts)
        .find_map(Run::contact_wanted)
        .cloned()
    else {
        return fx;
    };
    let detail_reading = match app.detail.associations {
        Loadable::Loading(d) if Some(d) != over => Some(d),
        _ => None,
    };
    match detail_reading {
        Some(d) => {
            if app.detail.ticket_id.as_deref() == Some(wanted.as_str()) {
                app.macros.reading = Some(ContactRead {
                    req: d,
                    ticket: wanted,
                    ours: false,
                });
            }
            // Else: sending ours now would cancel the detail's; its answer moves us on.
        }
        None => {
            contacts_progress(app, &wanted);
            let req = app.req();
            app.macros.reading = Some(ContactRead {
                req,
                ticket: wanted.clone(),
                ours: true,
            });
            fx.push(Effect::Api(Command::LoadAssociations {
                req,
                ticket_id: wanted,
            }));
        }
    }
    fx
}

/// On several tickets the reads take a while: the status line counts them.
fn contacts_progress(app: &mut App, wanted: &str) {
    let Some(run) = app
        .macros
        .runs
        .iter()
        .find(|r| r.step == Step::Contacts && r.changed.iter().any(|t| t == wanted))
    else {
        return;
    };
    if run.changed.len() > 1 {
        let text = format!(
            "{}: reading the contacts for {{contact}}, {} of {}…",
            run.head(),
            run.contacts.len() + 1,
            run.changed.len()
        );
        app.info(text);
    }
}

/// The name `{contact}` stands for: the contact labelled Primary, else the first ("" for
/// none).
fn primary_contact(items: &[Associated]) -> String {
    Associated::primary(items, ObjectKind::Contact)
        .map(|c| c.title.trim().to_owned())
        .unwrap_or_default()
}

/// Records `name` as the contact of `ticket` for every run waiting for it.
fn contact_read(app: &mut App, ticket: &str, name: &str) {
    for run in &mut app.macros.runs {
        if run.step == Step::Contacts && run.changed.iter().any(|t| t == ticket) {
            run.contacts
                .entry(ticket.to_owned())
                .or_insert_with(|| name.to_owned());
        }
    }
}

/// Every worker answer passes here first: the macros take their own (the second value says
/// so) and watch every associations answer for `{contact}` (those go on to the detail).
pub(super) fn on_event(app: &mut App, event: &Event) -> (Vec<Effect>, bool) {
    if let Some(fx) = on_contacts_event(app, event) {
        return fx;
    }
    let Some(req) = event.req() else {
        return (Vec::new(), false);
    };
    let Some(i) = app.macros.runs.iter().position(|r| r.waits_for(req)) else {
        return (Vec::new(), false);
    };
    let run = app.macros.runs.remove(i);
    (answered(app, run, req, event), true)
}

/// An associations answer or failure, while a macro waits for contacts.
fn on_contacts_event(app: &mut App, event: &Event) -> Option<(Vec<Effect>, bool)> {
    let waiting = app.macros.runs.iter().any(|r| r.step == Step::Contacts);
    if !waiting {
        return None;
    }
    let reading = app.macros.reading.clone();
    let detail_read = event
        .req()
        .filter(|r| app.detail.associations.waits_for(*r));
    match event {
        Event::AssociationsLoaded {
            req,
            ticket_id,
            items,
        } => {
            contact_read(app, ticket_id, &primary_contact(items));
            let ours = reading.as_ref().is_some_and(|r| r.ours && r.req == *req);
            let done = reading
                .as_ref()
                .is_some_and(|r| r.req == *req || r.ticket == *ticket_id);
            // A later read of another ticket cancelled ours: it is sent again.
            let cancelled = reading.as_ref().is_some_and(|r| r.ours && *req > r.req);
            if done || cancelled {
                app.macros.reading = None;
            }
            Some((pump_contacts(app, detail_read), ours))
        }
        Event::Failed { req, .. } => {
            if let Some(r) = reading.as_ref().filter(|r| r.req == *req) {
                // Its contacts cannot be read: the note says "there".
                contact_read(app, &r.ticket.clone(), "");
                app.macros.reading = None;
                return Some((pump_contacts(app, detail_read), r.ours));
            }
            detail_read?;
            if reading.as_ref().is_some_and(|r| r.ours && *req > r.req) {
                app.macros.reading = None;
            }
            Some((pump_contacts(app, detail_read), false))
        }
        _ => None,
    }
}

/// An answer to one of a run's requests.
fn answered(app: &mut App, run: Run, req: ReqId, event: &Event) -> Vec<Effect> {
    match event {
        Event::WriteVerified { verdict, lost, .. } => match verdict {
            Verdict::Answered(answer) => answered(app, run, req, answer),
            Verdict::NotApplied => {
                let failure = lost_answer(format!(
                    "HubSpot's answer was lost ({lost}) and reading the ticket back shows no \
                     change"
                ));
                request_failed(app, run, req, &failure)
            }
            Verdict::StillUnknown(why) => {
                let failure = lost_answer(format!(
                    "outcome unknown: HubSpot's answer was lost ({lost}) and reading back \
                     failed too ({why}); check the ticket"
                ));
                request_failed(app, run, req, &failure)
            }
        },
        Event::Failed { failure, .. } => request_failed(app, run, req, failure),
        Event::TicketUpdated { ticket, .. } => ticket_updated(app, run, req, ticket),
        Event::BatchUpdated {
            updated, failed, ..
        } => batch_updated(app, run, updated, failed),
        Event::ActivityCreated {
            ticket_id,
            pinned,
            pin_failed,
            ..
        } => {
            let mut run = run;
            run.noted += 1;
            if *pinned {
                run.pinned += 1;
            }
            if let Some(f) = pin_failed {
                run.missed
                    .push((ticket_id.clone(), Miss::NotPinned(f.said("", ""))));
            }
            finish(app, run)
        }
        Event::NotesCreated {
            created, failed, ..
        } => notes_created(app, run, created, failed),
        _ => {
            app.macros.runs.push(run);
            Vec::new()
        }
    }
}

/// A failure from HubSpot for a write whose answer was lost.
fn lost_answer(message: String) -> Failure {
    Failure {
        kind: FailureKind::OutcomeUnknown,
        summary: message.clone(),
        message,
        outcome_unknown: true,
        ..Failure::default()
    }
}

/// A request of the run failed: what it stands for did not happen.
fn request_failed(app: &mut App, mut run: Run, req: ReqId, failure: &Failure) -> Vec<Effect> {
    let why = failure.said("", "");
    match run.step.clone() {
        Step::Update(_) => {
            let sent: Vec<String> = run
                .asked
                .iter()
                .filter(|t| !run.missed.iter().any(|(m, _)| m == *t))
                .cloned()
                .collect();
            for id in sent {
                run.missed.push((id, Miss::NotChanged(why.clone())));
            }
            finish(app, run)
        }
        Step::Note(_) => {
            for id in run.changed.clone() {
                run.missed.push((id, Miss::NoNote(why.clone())));
            }
            finish(app, run)
        }
        Step::Pins(mut pins) => {
            if let Some(i) = pins.iter().position(|(r, _)| *r == req) {
                let (_, ticket) = pins.remove(i);
                run.missed.push((ticket, Miss::NotPinned(why)));
            }
            pins_left(app, run, pins)
        }
        Step::Contacts => {
            app.macros.runs.push(run);
            Vec::new()
        }
    }
}

/// One ticket's update (or a pin) went through.
fn ticket_updated(app: &mut App, mut run: Run, req: ReqId, ticket: &Ticket) -> Vec<Effect> {
    keep_row(app, ticket);
    match run.step.clone() {
        Step::Pins(mut pins) => {
            pins.retain(|(r, _)| *r != req);
            run.pinned += 1;
            pins_left(app, run, pins)
        }
        _ => {
            run.subjects
                .insert(ticket.id.clone(), ticket.subject().to_owned());
            run.changed.push(ticket.id.clone());
            after_update(app, run)
        }
    }
}

/// The list row shows what the ticket holds now.
fn keep_row(app: &mut App, ticket: &Ticket) {
    let mut row = ticket.clone();
    row.history = None;
    if app.list.get(&row.id).is_some() {
        app.list.upsert(row);
        app.fuzzy_stale = true;
    }
}

/// The batch update's outcome: the note goes to the tickets it changed.
fn batch_updated(
    app: &mut App,
    mut run: Run,
    updated: &[Ticket],
    failures: &[(String, String)],
) -> Vec<Effect> {
    for t in updated {
        keep_row(app, t);
        run.subjects.insert(t.id.clone(), t.subject().to_owned());
        run.changed.push(t.id.clone());
    }
    // A failure without a ticket is the whole chunk's: it names every ticket not updated.
    let chunk = failures
        .iter()
        .find(|(id, _)| id.is_empty())
        .map(|(_, why)| why.clone());
    let missing: Vec<String> = run
        .asked
        .iter()
        .filter(|t| !run.changed.contains(t) && !run.missed.iter().any(|(m, _)| m == *t))
        .cloned()
        .collect();
    for id in missing {
        let why = failures
            .iter()
            .find(|(f, _)| *f == id)
            .map(|(_, w)| w.clone())
            .or_else(|| chunk.clone())
            .unwrap_or_else(|| "HubSpot did not say why".to_owned());
        run.missed.push((id, Miss::NotChanged(why)));
    }
    after_update(app, run)
}

/// The notes of several tickets: then their pins, when the macro pins.
fn notes_created(
    app: &mut App,
    mut run: Run,
    created: &[(String, String)],
    failures: &[(String, String)],
) -> Vec<Effect> {
    run.noted += created.len();
    for (ticket, why) in failures {
        run.missed.push((ticket.clone(), Miss::NoNote(why.clone())));
    }
    if !run.mac.note.as_ref().is_some_and(|n| n.pin) || created.is_empty() {
        return finish(app, run);
    }
    let mut fx = Vec::new();
    let mut pins = Vec::new();
    for (ticket, note_id) in created {
        let req = app.req();
        app.journal.same_action(&mut run.first_write, req);
        pins.push((req, ticket.clone()));
        fx.push(Effect::Api(Command::UpdateTicket {
            req,
            id: ticket.clone(),
            properties: BTreeMap::from([("hs_pinned_engagement_id".to_owned(), note_id.clone())]),
        }));
    }
    run.step = Step::Pins(pins);
    app.macros.runs.push(run);
    fx
}

/// A pin answered: the end once every pin has.
fn pins_left(app: &mut App, mut run: Run, pins: Vec<(ReqId, String)>) -> Vec<Effect> {
    if pins.is_empty() {
        return finish(app, run);
    }
    run.step = Step::Pins(pins);
    app.macros.runs.push(run);
    Vec::new()
}

/// The run is over: say what happened, keep the failed tickets marked, refresh the detail,
/// and signal it ([`Finished`]).
fn finish(app: &mut App, run: Run) -> Vec<Effect> {
    if run.asked.len() == 1 {
        report_one(app, &run);
    } else {
        report_many(app, &run);
        for id in &run.asked {
            let keep = run.missed.iter().any(|(t, m)| t == id && m.retry());
            if !keep {
                app.list.unmark(id);
            }
        }
    }
    let mut fx = Vec::new();
    if let Some(shown) = app.detail.ticket_id.clone()
        && run.changed.contains(&shown)
    {
        if run.noted > 0 {
            app.detail.activities = Loadable::Idle;
        }
        fx.extend(app.fetch_detail());
    }
    let done = Finished {
        macro_name: run.mac.name.clone(),
        tickets: run.asked.clone(),
        failed: run
            .missed
            .iter()
            .map(|(t, m)| (t.clone(), m.text()))
            .collect(),
        cancelled: false,
    };
    // In triage, each ticket the macro was applied to counts as acted on: the one on screen
    // gives way to the next.
    for id in done.done() {
        fx.extend(super::triage::acted(
            app,
            id,
            super::triage::Done::Macro(done.macro_name.clone()),
        ));
    }
    signal(app, done);
    fx
}

/// Keeps the last few signals for whoever asks ([`take_finished`]); older ones go.
fn signal(app: &mut App, done: Finished) {
    let kept = &mut app.macros.finished;
    kept.push(done);
    let n = kept.len();
    kept.drain(..n.saturating_sub(16));
}

/// "Escalate on #1051: Priority → Urgent, Stage → Waiting on us; note added".
fn report_one(app: &mut App, run: &Run) {
    let head = run.head();
    let changes = run.mac.changes_text();
    let with = |rest: &str| match (changes.is_empty(), rest.is_empty()) {
        (true, _) => format!("{head}: {rest}"),
        (false, true) => format!("{head}: {changes}"),
        (false, false) => format!("{head}: {changes}; {rest}"),
    };
    match run.missed.first().map(|(_, m)| m) {
        Some(Miss::LeftOut(why)) => app.error(format!("{head}: not applied: {why}")),
        Some(Miss::NotChanged(why)) => app.error(format!("{head} failed: {why}")),
        Some(Miss::NoNote(why)) => app.error(with(&format!("the note failed: {why}"))),
        Some(Miss::NotPinned(why)) => {
            app.error(with(&format!("note added, but not pinned: {why}")));
        }
        None => {
            let note = match (run.noted, run.pinned) {
                (0, _) => "",
                (_, 0) => "note added",
                _ => "note added and pinned",
            };
            app.info(with(note));
        }
    }
}

/// Several tickets: all done, or how many were not, each listed in an overlay.
fn report_many(app: &mut App, run: &Run) {
    let head = run.head();
    let changes = run.mac.changes_text();
    if run.missed.is_empty() {
        let notes = match (run.noted, run.pinned) {
            (0, _) => String::new(),
            (n, 0) => format!("{n} notes added"),
            (n, _) => format!("{n} notes added and pinned"),
        };
        let text = [changes, notes]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        app.info(format!("{head}: {text}"));
        return;
    }
    let done = run.asked.len() - count_tickets(&run.missed);
    let again = run.mac.key.map_or_else(
        || app.keymap.key_name(Context::List, Action::Macros),
        |k| k.to_string(),
    );
    app.error(format!(
        "{head}: {done} done, {} not (listed) — {again} applies it again to the marked ones",
        count_tickets(&run.missed)
    ));
    let body = run
        .missed
        .iter()
        .map(|(t, m)| format!("#{t}  {}", m.text()))
        .collect::<Vec<_>>()
        .join("\n");
    super::reader::show(app, format!("{}: what did not happen", run.mac.name), body);
}

/// How many tickets a list of misses names.
fn count_tickets(missed: &[(String, Miss)]) -> usize {
    let mut ids: Vec<&str> = missed.iter().map(|(t, _)| t.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}
