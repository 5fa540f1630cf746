//! Writing on a ticket: `n` a note, `c` a call, `t` a follow-up task (the Activity tab; `N`,
//! `c`, `t` from the list; `n`, `c`, `t` in triage; the command palette). How the form
//! (`activity_form`) reacts: opening it on the ticket in view, its keys (the `activity_form`
//! context, falling back to `form`; the `picker` context in its lists), pastes, the text's
//! round trip through `$VISUAL` / `$EDITOR`, its draft on disk (written as it changes,
//! offered back at start), the call outcomes' load, and the worker's answer to its create.
//!
//! The contacts and companies it may go on too are the ones the detail loads for the ticket
//! (`app.detail.associations`): the form asks the detail to load them and follows that slot.
//!
//! Must not: do I/O (the runtime runs the editor and writes drafts).

use crossterm::event::KeyEvent;

use super::activity_form::{
    ActivityForm, Also, Defaults, FieldId, FormError, Input, also_picker, kind_from_name,
    kind_name, outcome_choices,
};
use super::detail::Loadable;
use super::edit::{Picker, area, paste_into};
use super::views_flow::Me;
use super::{App, Effect, Focus};
use crate::action::Action;
use crate::domain::{ActivityKind, ActivityOptions, Associated};
use crate::drafts::{Draft, DraftKind};
use crate::keymap::Context;
use crate::protocol::{Command, Event, Failure};

/// The kind an action writes, if it is one of `n`, `c`, `t`.
pub(super) fn kind_of(action: Action) -> Option<ActivityKind> {
    match action {
        Action::NewNote => Some(ActivityKind::Note),
        Action::LogCall => Some(ActivityKind::Call),
        Action::NewTask => Some(ActivityKind::Task),
        _ => None,
    }
}

/// `n`, `c`, `t`: the form on the ticket in view (the detail's, or the list's selection).
pub(super) fn open(app: &mut App, kind: ActivityKind) -> Vec<Effect> {
    let id = match app.focus {
        Focus::Detail => app.detail.ticket_id.clone(),
        Focus::List => app.list.selected_id().map(str::to_owned),
    };
    let Some(id) = id else {
        app.info(format!(
            "choose a ticket to write the {} on",
            kind_name(kind)
        ));
        return Vec::new();
    };
    if kind == ActivityKind::Task && app.catalog_load.owners.ready().is_none() {
        app.info("the owners are still loading; try again in a moment");
        return Vec::new();
    }
    let (form, fx) = new_form(app, kind, &id);
    app.modals.open(form);
    fx
}

/// A blank form on ticket `id`, and the request for the ticket's associations when the
/// detail has none for it yet.
fn new_form(app: &mut App, kind: ActivityKind, id: &str) -> (ActivityForm, Vec<Effect>) {
    let subject = app
        .list
        .get(id)
        .map(|t| t.subject().to_owned())
        .or_else(|| app.detail.ticket.ready().map(|t| t.subject().to_owned()))
        .unwrap_or_default();
    let me = match app.me() {
        Me::Owner(owner) => Some(owner),
        Me::Unset | Me::OwnersLoading | Me::Unknown(_) => None,
    };
    let mut fx = Vec::new();
    let also = if app.detail.ticket_id.as_deref() != Some(id) {
        Also::Failed(Failure::local("the ticket's associations are not loaded"))
    } else {
        if matches!(app.detail.associations, Loadable::Idle) {
            fx.extend(app.load_associations());
        }
        also_from(&app.detail.associations).unwrap_or(Also::Loading)
    };
    if kind == ActivityKind::Call {
        fx.extend(load_options(app));
    }
    let defaults = Defaults {
        catalog: &app.catalog,
        options: app.activity_options.ready(),
        me,
        also,
    };
    (ActivityForm::new(kind, id, &subject, defaults), fx)
}

/// Asks for the call outcomes, unless they are here or on their way.
fn load_options(app: &mut App) -> Option<Effect> {
    if matches!(
        app.activity_options,
        Loadable::Ready(_) | Loadable::Loading(_)
    ) {
        return None;
    }
    let req = app.req();
    app.activity_options = Loadable::Loading(req);
    Some(Effect::Api(Command::LoadActivityOptions { req }))
}

/// The call outcomes arrived (or could not be loaded): an open call form offers them, the
/// outcome already chosen and the filter typed so far kept.
fn options_loaded(app: &mut App, loaded: Loadable<ActivityOptions>) {
    app.activity_options = loaded;
    let options = app.activity_options.ready();
    let failure = app.activity_options.failure();
    let Some(f) = app
        .modals
        .activity_mut()
        .and_then(|f| f.field_mut(FieldId::Outcome))
    else {
        return;
    };
    if let Input::Pick(p) = &mut f.input {
        let chosen = p.value().unwrap_or_default();
        let query = std::mem::take(&mut p.query);
        *p = Picker::new(outcome_choices(options), false, &chosen);
        if !query.is_empty() {
            p.set_query(query);
        }
    }
    f.error = failure.map(|e| e.said("HubSpot's call outcomes could not be loaded: ", ""));
}

/// The ticks a loaded (or failed) associations slot gives; `None` while it loads.
fn also_from(slot: &Loadable<Vec<Associated>>) -> Option<Also> {
    match slot {
        Loadable::Ready(items) => Some(Also::Ready(also_picker(items))),
        Loadable::Failed(f) => Some(Also::Failed(f.clone())),
        Loadable::Idle | Loadable::Loading(_) => None,
    }
}

/// After every worker answer: a form waiting for its ticket's contacts and companies takes
/// them once the detail has them (the detail's own flow handled the answer).
pub(super) fn follow_detail(app: &mut App) {
    let same = |f: &ActivityForm| app.detail.ticket_id.as_deref() == Some(f.ticket_id.as_str());
    let Some(form) = app.modals.activity() else {
        return;
    };
    if form.also() != Some(&Also::Loading) {
        return;
    }
    let also = if same(form) {
        also_from(&app.detail.associations)
    } else {
        Some(Also::Failed(Failure::local(
            "the ticket's associations are not loaded",
        )))
    };
    if let (Some(also), Some(form)) = (also, app.modals.activity_mut()) {
        form.set_also(also);
        app.dirty = true;
    }
}

/// The offered draft (the first) is an activity's, and the user restores it: its ticket in
/// view on the Activity tab, the form open with the draft's texts. A task waits for the
/// owners (its owner is one of them).
pub(super) fn restore_offered(app: &mut App) -> Vec<Effect> {
    let Some(DraftKind::Activity { activity, .. }) = app.drafts.first().map(|d| &d.kind) else {
        return Vec::new();
    };
    let Some(kind) = kind_from_name(activity) else {
        let d = app.drafts.remove(0);
        app.error(format!(
            "a draft of an unknown kind ({}) was kept on disk",
            d.label
        ));
        return Vec::new();
    };
    if kind == ActivityKind::Task && app.catalog_load.owners.ready().is_none() {
        app.info("the owners are still loading; try again in a moment");
        return Vec::new();
    }
    let draft = app.drafts.remove(0);
    restore_draft(app, kind, &draft)
}

fn restore_draft(app: &mut App, kind: ActivityKind, draft: &Draft) -> Vec<Effect> {
    let DraftKind::Activity { fields, .. } = &draft.kind else {
        return Vec::new();
    };
    let id = draft.ticket_id.clone();
    app.list.select_id(&id);
    app.detail.show(&id);
    app.detail.tab = super::detail::Tab::Activity;
    app.focus = Focus::Detail;
    let mut fx = app.fetch_detail();
    let (mut form, more) = new_form(app, kind, &id);
    fx.extend(more);
    if form.subject.is_empty() {
        form.subject.clone_from(&draft.subject);
    }
    form.restore(fields);
    let save = app.keymap.key_name(Context::ActivityForm, Action::Save);
    let cancel = app.keymap.key_name(Context::ActivityForm, Action::Cancel);
    app.info(format!(
        "draft of the {} on #{id} restored: {save} saves, {cancel} discards",
        kind_name(kind)
    ));
    app.modals.open(form);
    fx
}

/// Keys while the form is open; the draft goes to disk whenever it changes.
pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let mut fx = on_form_key(app, key);
    fx.extend(draft_effect(app));
    fx
}

fn draft_effect(app: &mut App) -> Option<Effect> {
    let form = app.modals.activity_mut()?;
    if form.saving.is_some() {
        return None;
    }
    form.draft_to_save().map(Effect::SaveDraft)
}

fn on_form_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let action = app.keymap.resolve(Context::ActivityForm, &key);
    if action == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    let Some(form) = app.modals.activity_mut() else {
        return Vec::new();
    };
    if form.saving.is_some() || form.external {
        return Vec::new();
    }
    if form.confirm_discard {
        return on_discard_key(app, key);
    }
    let n = form.fields.len();
    match action {
        Some(Action::Cancel) if form.is_dirty() => form.confirm_discard = true,
        Some(Action::Cancel) => return close(app, "not added"),
        Some(Action::Save) => return save(app),
        Some(Action::EditExternally) => return edit_externally(app),
        Some(Action::NextField) => form.focus = (form.focus + 1) % n,
        Some(Action::PrevField) => form.focus = (form.focus + n - 1) % n,
        _ => {
            let pick = app.keymap.resolve(Context::Picker, &key);
            on_field_key(app, action, pick, key);
        }
    }
    Vec::new()
}

/// A key on the focused field: text areas take it as text (`open` moves on from a one-line
/// field), lists move, filter and tick, the pin check box flips.
fn on_field_key(app: &mut App, action: Option<Action>, pick: Option<Action>, key: KeyEvent) {
    let Some(form) = app.modals.activity_mut() else {
        return;
    };
    let n = form.fields.len();
    let focus = form.focus;
    let Some(field) = form.fields.get_mut(focus) else {
        return;
    };
    field.error = None;
    let next = match &mut field.input {
        Input::Line(_) if action == Some(Action::Open) => true,
        Input::Line(a) | Input::Text(a) => {
            a.input(key);
            false
        }
        // A choice whose filter matches nothing stays, saying so: moving on would choose
        // nothing without a word.
        Input::Pick(p) if pick == Some(Action::Accept) && p.current().is_none() => {
            field.error = Some("nothing matches; clear the filter".to_owned());
            false
        }
        Input::Pick(p) | Input::Also(Also::Ready(p)) => {
            !p.on_key(pick, key) && pick == Some(Action::Accept)
        }
        Input::Check(b) => {
            if matches!(pick, Some(Action::Toggle | Action::Up | Action::Down)) {
                *b = !*b;
            }
            pick == Some(Action::Accept)
        }
        Input::Also(_) => pick == Some(Action::Accept),
    };
    if next {
        form.focus = (focus + 1) % n;
    }
}

/// "Discard this note?": yes closes (and forgets the draft), no goes back to it.
fn on_discard_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    match app.keymap.resolve(Context::Confirm, &key) {
        Some(Action::Confirm) => close(app, "discarded"),
        Some(Action::Decline) => {
            if let Some(form) = app.modals.activity_mut() {
                form.confirm_discard = false;
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Closes the form, forgetting its draft; the status bar says "note on #1051 not added".
fn close(app: &mut App, how: &str) -> Vec<Effect> {
    let Some(form) = app.modals.take_activity() else {
        return Vec::new();
    };
    app.info(format!(
        "{} on #{} {how}",
        kind_name(form.kind),
        form.ticket_id
    ));
    form.forget_draft().into_iter().collect()
}

/// Pasted text goes to the focused field: line breaks kept in the body, spaces in a line, a
/// list's filter narrowed.
pub(super) fn paste(app: &mut App, text: &str) -> Vec<Effect> {
    let Some(form) = app.modals.activity_mut() else {
        return Vec::new();
    };
    if form.saving.is_some() || form.confirm_discard || form.external {
        return Vec::new();
    }
    let focus = form.focus;
    match form.fields.get_mut(focus).map(|f| &mut f.input) {
        Some(Input::Line(a)) => paste_into(a, text, false),
        Some(Input::Text(a)) => paste_into(a, text, true),
        Some(Input::Pick(p) | Input::Also(Also::Ready(p))) => p.paste(text),
        Some(Input::Check(_) | Input::Also(_)) | None => {}
    }
    draft_effect(app).into_iter().collect()
}

/// `Ctrl-e`: the body goes to the external editor; the runtime hands back what it holds.
fn edit_externally(app: &mut App) -> Vec<Effect> {
    let Some(form) = app.modals.activity_mut() else {
        return Vec::new();
    };
    let Some(i) = form.index_of(FieldId::Body) else {
        return Vec::new();
    };
    form.focus = i;
    form.external = true;
    vec![Effect::EditExternally {
        text: form.text(FieldId::Body),
    }]
}

/// The external editor is done: its text becomes the body (without the line break editors
/// end a file with), or the bottom line says why it could not run.
pub(super) fn on_edited_externally(app: &mut App, result: Result<String, String>) -> Vec<Effect> {
    let key = app
        .keymap
        .key_name(Context::ActivityForm, Action::EditExternally);
    let Some(form) = app.modals.activity_mut() else {
        return Vec::new();
    };
    if !std::mem::take(&mut form.external) {
        return Vec::new();
    }
    match result {
        Ok(text) => {
            let text = crate::text::sanitize_multiline(text.trim_end_matches(['\n', '\r']));
            if let Some(f) = form.field_mut(FieldId::Body) {
                f.input = Input::Text(Box::new(area(&text)));
                f.error = None;
            }
            form.error = None;
        }
        Err(why) => {
            form.error = Some(FormError::Local(format!("{key}: {why}")));
        }
    }
    draft_effect(app).into_iter().collect()
}

/// `Ctrl-s`: validate, then create.
fn save(app: &mut App) -> Vec<Effect> {
    let tz = app.catalog.tz.clone();
    let now = app.now;
    let req = app.req();
    let Some(form) = app.modals.activity_mut() else {
        return Vec::new();
    };
    match form.activity(&tz, now) {
        Err(why) => {
            form.error = Some(FormError::Local(why));
            Vec::new()
        }
        Ok(activity) => {
            form.error = None;
            form.saving = Some(req);
            vec![Effect::Api(Command::CreateActivity { req, activity })]
        }
    }
}

/// The worker's answers to the form's create and to the call outcomes' load; `None` when
/// the event is neither.
pub(super) fn on_event(app: &mut App, event: &Event) -> Option<Vec<Effect>> {
    match event {
        Event::ActivityOptionsLoaded { req, options } if app.activity_options.waits_for(*req) => {
            options_loaded(app, Loadable::Ready(options.clone()));
            return Some(Vec::new());
        }
        Event::Failed { req, failure } if app.activity_options.waits_for(*req) => {
            options_loaded(app, Loadable::Failed(failure.clone()));
            return Some(Vec::new());
        }
        _ => {}
    }
    let saving = app.modals.activity()?.saving?;
    match event {
        Event::ActivityCreated {
            req,
            ticket_id,
            pinned,
            pin_failed,
            ..
        } if *req == saving => Some(created(app, ticket_id, *pinned, pin_failed.as_deref())),
        Event::Failed { req, failure } if *req == saving => {
            super::overlay_flow::on_failure(app, failure);
            let form = app.modals.activity_mut()?;
            form.saving = None;
            form.refused(failure);
            // A create whose answer was lost may be there: show the ticket's activities.
            if failure.outcome_unknown && app.detail.ticket_id.is_some() {
                return Some(app.load_activities());
            }
            Some(Vec::new())
        }
        _ => None,
    }
}

/// Created: close, say so, forget the draft, and show the ticket's activities again (and
/// the ticket, whose pin changed).
fn created(
    app: &mut App,
    ticket_id: &str,
    pinned: bool,
    pin_failed: Option<&Failure>,
) -> Vec<Effect> {
    let Some(form) = app.modals.take_activity() else {
        return Vec::new();
    };
    let kind = kind_name(form.kind);
    let done = match form.kind {
        ActivityKind::Call => format!("call logged on #{ticket_id}"),
        _ => format!("{kind} added to #{ticket_id}"),
    };
    match pin_failed {
        Some(f) => app.error(f.said(&format!("{done}, but not pinned: "), "")),
        None if pinned => app.info(format!("{done} (pinned)")),
        None => app.info(done),
    }
    let mut fx: Vec<Effect> = form.forget_draft().into_iter().collect();
    // In triage, writing on the ticket on screen moves on to the next one.
    let next = super::triage::acted(app, ticket_id, super::triage::Done::Activity(kind));
    if !next.is_empty() {
        fx.extend(next);
        return fx;
    }
    if app.detail.ticket_id.as_deref() == Some(ticket_id) {
        fx.extend(app.load_activities());
        if pinned {
            fx.extend(app.fetch_detail());
        }
    }
    fx
}
