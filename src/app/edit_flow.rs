//! How the edit modal reacts: keys while it is open, the save flow's worker answers, and
//! opening it from the detail pane. Kept apart from `edit.rs`, which is the form's model.

use crossterm::event::KeyEvent;

use std::collections::{BTreeMap, HashMap};

use super::confirm::{BulkChange, Confirm, PendingOp};
use super::detail::Tab;
use super::edit::{EditForm, Input, Phase, changes_since, stage_choices};
use super::{App, Effect, Focus};
use crate::action::Action;
use crate::keymap::Context;
use crate::protocol::{Command, Event, Failure};

/// `e` on the Properties tab: an editor for the property under the cursor.
pub(super) fn open_for_selected_property(app: &mut App) -> Vec<Effect> {
    let Some(ticket) = app.detail.ticket.ready() else {
        app.info("the ticket is still loading");
        return Vec::new();
    };
    let Some((name, _, _)) = app.selected_property() else {
        app.info("choose a property (j/k), then e");
        return Vec::new();
    };
    let Some(def) = app.catalog.property(&name) else {
        app.error(format!(
            "{name} is not in the property catalogue; r reloads it"
        ));
        return Vec::new();
    };
    match EditForm::open(&app.catalog, ticket, def) {
        Ok(form) => app.modals.open(form),
        Err(why) => app.error(why),
    }
    Vec::new()
}

/// `e` in the list with tickets marked: choose the property to set on all of them.
pub(super) fn open_bulk_chooser(app: &mut App) -> Vec<Effect> {
    let ids: Vec<String> = app.list.marked().iter().cloned().collect();
    let mut options: Vec<super::edit::Choice> = app
        .catalog
        .properties
        .iter()
        .filter(|p| p.editable() && !p.hidden && !p.has_unique_value && p.name != "subject")
        .map(|p| super::edit::Choice {
            value: p.name.clone(),
            label: p.label.clone(),
        })
        .collect();
    options.sort_by(|a, b| a.label.cmp(&b.label));
    if options.is_empty() {
        app.info("the property catalogue is still loading");
        return Vec::new();
    }
    app.modals.open(super::PropertyChooser {
        picker: super::edit::Picker::new(options, false, "hs_ticket_priority"),
        ids,
    });
    Vec::new()
}

/// Keys in the property chooser of a bulk edit.
pub(super) fn on_chooser_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.keymap.resolve(Context::Form, &key) == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    let pick = app.keymap.resolve(Context::Picker, &key);
    let Some(chooser) = app.modals.chooser_mut() else {
        return Vec::new();
    };
    let p = &mut chooser.picker;
    if p.on_key(pick, key) {
        return Vec::new();
    }
    match pick {
        Some(Action::Cancel) => app.modals.close_chooser(),
        Some(Action::Accept) => {
            let Some(name) = p.current().map(|c| c.value.clone()) else {
                return Vec::new();
            };
            let Some(chooser) = app.modals.take_chooser() else {
                return Vec::new();
            };
            let Some(def) = app.catalog.property(&name) else {
                return Vec::new();
            };
            let tickets: Vec<&crate::domain::Ticket> = chooser
                .ids
                .iter()
                .filter_map(|id| app.list.get(id))
                .collect();
            let Some(template) = tickets.first() else {
                return Vec::new();
            };
            if name == "hs_pipeline_stage"
                && tickets.iter().any(|t| t.pipeline() != template.pipeline())
            {
                app.error(
                    "the marked tickets are in different pipelines: set the pipeline instead, \
                     or mark tickets of one pipeline",
                );
                return Vec::new();
            }
            match EditForm::open_bulk(&app.catalog, template, def, chooser.ids.clone()) {
                Ok(form) => app.modals.open(form),
                Err(why) => app.error(why),
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Keys while the form is open; the draft goes to disk whenever it changes.
pub(super) fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let mut fx = on_form_key(app, key);
    let tz = app.catalog.tz.clone();
    if let Some(draft) = app.modals.form_mut().and_then(|f| f.draft_to_save(&tz)) {
        fx.push(Effect::SaveDraft(draft));
    }
    fx
}

/// Closes the form; its draft is no longer needed.
fn close(app: &mut App) -> Vec<Effect> {
    match app.modals.take_form() {
        Some(f) => vec![Effect::DeleteDraft {
            ticket_id: f.ticket_id,
            property: f.property.name,
        }],
        None => Vec::new(),
    }
}

fn on_form_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let action = app.keymap.resolve(Context::Form, &key);
    if action == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    let Some(form) = app.modals.form() else {
        return Vec::new();
    };
    // Each view of the form has its keys in its own keymap context: the question, the
    // conflict and the result are not the input.
    match &form.phase {
        Phase::Checking(_) | Phase::Saving(_) => Vec::new(),
        Phase::BulkResult { .. } => {
            let act = app.keymap.resolve(Context::Result, &key);
            on_result_key(app, act)
        }
        Phase::ConfirmDiscard => {
            let act = app.keymap.resolve(Context::Confirm, &key);
            on_discard_key(app, act)
        }
        Phase::Conflict { .. } => {
            let act = app.keymap.resolve(Context::Conflict, &key);
            on_conflict_key(app, act)
        }
        Phase::Editing => on_input_key(app, action, key),
    }
}

/// The result of a bulk write: retry the failed ones (confirmed again) or close.
fn on_result_key(app: &mut App, action: Option<Action>) -> Vec<Effect> {
    let Some(form) = app.modals.form_mut() else {
        return Vec::new();
    };
    let Phase::BulkResult { failed, .. } = &form.phase else {
        return Vec::new();
    };
    let retry: Vec<String> = failed
        .iter()
        .map(|(id, _)| id.clone())
        .filter(|id| !id.is_empty())
        .collect();
    match action {
        Some(Action::Retry) if !retry.is_empty() => {
            form.bulk = retry;
            send_update(app)
        }
        Some(Action::Close) => close(app),
        _ => Vec::new(),
    }
}

/// "Discard your changes?"
fn on_discard_key(app: &mut App, action: Option<Action>) -> Vec<Effect> {
    match action {
        Some(Action::Confirm) => {
            let what = form_target(app);
            app.info(format!("changes to {what} discarded"));
            close(app)
        }
        Some(Action::Decline) => {
            if let Some(form) = app.modals.form_mut() {
                form.phase = Phase::Editing;
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A colleague changed the ticket since the form opened: overwrite, reload or keep editing.
fn on_conflict_key(app: &mut App, action: Option<Action>) -> Vec<Effect> {
    let Some(form) = app.modals.form_mut() else {
        return Vec::new();
    };
    let Phase::Conflict {
        latest_modified, ..
    } = &form.phase
    else {
        return Vec::new();
    };
    let latest = latest_modified.clone();
    match action {
        Some(Action::Overwrite) => {
            form.opened_modified = latest;
            send_update(app)
        }
        Some(Action::ReloadTicket) => reload(app),
        Some(Action::KeepEditing) => {
            form.opened_modified = latest;
            form.phase = Phase::Editing;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Keys on the input itself: save, cancel, and what the input type does with the rest
/// (text areas take plain characters as text; pickers move, choose and filter).
fn on_input_key(app: &mut App, action: Option<Action>, key: KeyEvent) -> Vec<Effect> {
    let pick = app.keymap.resolve(Context::Picker, &key);
    let tz = app.catalog.tz.clone();
    let Some(form) = app.modals.form_mut() else {
        return Vec::new();
    };
    match action {
        Some(Action::Save) => return save(app),
        Some(Action::Cancel) => {
            if form.is_dirty(&tz) {
                form.phase = Phase::ConfirmDiscard;
                return Vec::new();
            }
            return close(app);
        }
        _ => {}
    }
    form.error = None;
    // `open` (Enter) saves a one-line input; in a text area it is a line break.
    let submit = action == Some(Action::Open);
    match &mut form.input {
        Input::Text { area, multiline } => {
            if submit && !*multiline {
                return save(app);
            }
            area.input(key);
        }
        Input::Number(area) | Input::Date { area, .. } => {
            if submit {
                return save(app);
            }
            area.input(key);
        }
        // A yes/no value answers like a confirmation: its keys say yes, no, or move between
        // the two.
        Input::Bool(b) => match (pick, app.keymap.resolve(Context::Confirm, &key)) {
            (Some(Action::Accept), _) => return save(app),
            (Some(Action::Toggle | Action::Up | Action::Down), _) => *b = !*b,
            (_, Some(Action::ButtonLeft | Action::ButtonRight)) => *b = !*b,
            (_, Some(Action::Confirm)) => *b = true,
            (_, Some(Action::Decline)) => *b = false,
            _ => {}
        },
        Input::Choice(p) => {
            if !p.on_key(pick, key) && pick == Some(Action::Accept) {
                if form.property.name == "hs_pipeline" && form.new_pipeline.is_none() {
                    return choose_pipeline(app);
                }
                return save(app);
            }
        }
    }
    Vec::new()
}

/// Picked a new pipeline: now a stage of it must be picked (HubSpot needs both).
fn choose_pipeline(app: &mut App) -> Vec<Effect> {
    let Some(form) = app.modals.form_mut() else {
        return Vec::new();
    };
    let Input::Choice(p) = &form.input else {
        return Vec::new();
    };
    let Some(choice) = p.current().cloned() else {
        form.error = Some("nothing matches; clear the filter".into());
        return Vec::new();
    };
    if choice.value == form.original {
        app.modals.close_form();
        app.info("the ticket is already in that pipeline");
        return Vec::new();
    }
    let Some(pipeline) = app.catalog.pipeline(&choice.value) else {
        return Vec::new();
    };
    form.input = Input::Choice(super::edit::Picker::new(stage_choices(pipeline), false, ""));
    form.new_pipeline = Some((choice.value, choice.label));
    Vec::new()
}

/// Ctrl-s (or Enter on single-line inputs and pickers): validate, then check for a
/// colleague's change before sending.
fn save(app: &mut App) -> Vec<Effect> {
    let tz = app.catalog.tz.clone();
    let properties: Vec<String> = app
        .catalog
        .properties
        .iter()
        .map(|p| p.name.clone())
        .collect();
    let req = app.req();
    let refusal = app.write_refusal();
    let Some(form) = app.modals.form_mut() else {
        return Vec::new();
    };
    match form.changes(&tz) {
        Err(msg) => {
            form.error = Some(msg);
            Vec::new()
        }
        Ok(changes) if changes.is_empty() => {
            let what = form_target(app);
            app.info(format!("{what}: nothing changed"));
            close(app)
        }
        Ok(_) if refusal.is_some() => {
            // Not even the conflict check: nothing would be sent after it. The form keeps
            // its value, and says why (the status bar too).
            form.error.clone_from(&refusal);
            app.ask_gate();
            Vec::new()
        }
        Ok(changes) if !form.bulk.is_empty() => ask_bulk(app, changes),
        Ok(_) => {
            form.phase = Phase::Checking(req);
            vec![Effect::Api(Command::CheckTicket {
                req,
                id: form.ticket_id.clone(),
                properties,
            })]
        }
    }
}

/// A bulk save asks first: each property's current values on the marked tickets (summarised),
/// the new value, the count; Cancel is selected, and from 50 tickets on the count is typed.
fn ask_bulk(app: &mut App, properties: BTreeMap<String, String>) -> Vec<Effect> {
    let Some(form) = app.modals.form() else {
        return Vec::new();
    };
    let ids = form.bulk.clone();
    let tickets: Vec<&crate::domain::Ticket> =
        ids.iter().filter_map(|id| app.list.get(id)).collect();
    // The new values as they will read: a stage by its label in the (new) pipeline.
    let after = tickets.first().map(|t| {
        let mut t = (*t).clone();
        t.properties
            .extend(properties.iter().map(|(k, v)| (k.clone(), v.clone())));
        t
    });
    let changes = properties
        .iter()
        .map(|(name, new)| {
            let mut counts: HashMap<String, usize> = HashMap::new();
            for t in &tickets {
                let shown = app.catalog.display_value(Some(t), name, t.prop(name));
                *counts.entry(shown).or_default() += 1;
            }
            let unloaded = ids.len() - tickets.len();
            if unloaded > 0 {
                counts.insert("(not loaded)".to_owned(), unloaded);
            }
            let mut old: Vec<(String, usize)> = counts.into_iter().collect();
            old.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            BulkChange {
                label: app
                    .catalog
                    .property(name)
                    .map_or_else(|| name.clone(), |d| d.label.clone()),
                old,
                new: app.catalog.display_value(after.as_ref(), name, new),
            }
        })
        .collect();
    app.confirm = Some(Confirm::new(PendingOp::BulkUpdate {
        ids,
        properties,
        changes,
    }));
    Vec::new()
}

/// The bulk edit was confirmed: send exactly what the dialog showed, in one batch.
pub(super) fn send_bulk(
    app: &mut App,
    ids: Vec<String>,
    properties: BTreeMap<String, String>,
) -> Vec<Effect> {
    let req = app.req();
    let Some(form) = app.modals.form_mut() else {
        return Vec::new();
    };
    // Bulk: no per-ticket conflict check (a GET per ticket would cost more than the write).
    form.phase = Phase::Saving(req);
    vec![Effect::Api(Command::BatchUpdate {
        req,
        ids,
        properties,
    })]
}

fn send_update(app: &mut App) -> Vec<Effect> {
    let tz = app.catalog.tz.clone();
    let req = app.req();
    let Some(form) = app.modals.form_mut() else {
        return Vec::new();
    };
    match form.changes(&tz) {
        Ok(properties) if !properties.is_empty() && !form.bulk.is_empty() => {
            // Never without the bulk confirmation.
            ask_bulk(app, properties)
        }
        Ok(properties) if !properties.is_empty() => {
            form.phase = Phase::Saving(req);
            vec![Effect::Api(Command::UpdateTicket {
                req,
                id: form.ticket_id.clone(),
                properties,
            })]
        }
        Ok(_) => close(app),
        Err(msg) => {
            form.error = Some(msg);
            form.phase = Phase::Editing;
            Vec::new()
        }
    }
}

/// What the open form edits, as status messages name it: "Priority on #1051" (or "on 12
/// tickets" in a bulk edit).
fn form_target(app: &App) -> String {
    match app.modals.form() {
        Some(f) if f.bulk.is_empty() => format!("{} on #{}", f.property.label, f.ticket_id),
        Some(f) => format!("{} on {} tickets", f.property.label, f.bulk.len()),
        None => "the ticket".to_owned(),
    }
}

/// Conflict → reload: drop the draft, show the ticket as it is now.
fn reload(app: &mut App) -> Vec<Effect> {
    let what = form_target(app);
    let mut fx = close(app);
    app.info(format!("reloaded; your change to {what} was not saved"));
    app.focus = Focus::Detail;
    fx.extend(app.fetch_detail());
    fx
}

/// The offer of a draft left from an earlier run (keys of the `draft` context): restore it,
/// discard it, or keep it for later (offered again at the next start).
pub(super) fn on_draft_offer_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.keymap.resolve(Context::Form, &key) == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    match app.keymap.resolve(Context::Draft, &key) {
        Some(Action::RestoreDraft)
            if matches!(
                app.drafts.first().map(|d| &d.kind),
                Some(crate::drafts::DraftKind::Activity { .. })
            ) =>
        {
            // A note, call or task: no property to check, its form opens on its ticket.
            super::activity_flow::restore_offered(app)
        }
        Some(Action::RestoreDraft) => {
            if app.catalog_load.properties.ready().is_none() {
                app.info("the property catalogue is still loading; try again in a moment");
                return Vec::new();
            }
            let draft = app.drafts.remove(0);
            let req = app.req();
            let properties = app
                .catalog
                .properties
                .iter()
                .map(|p| p.name.clone())
                .collect();
            let id = draft.ticket_id.clone();
            app.draft_restore = Some((draft, req));
            vec![Effect::Api(Command::CheckTicket {
                req,
                id,
                properties,
            })]
        }
        Some(Action::DiscardDraft) => {
            let d = app.drafts.remove(0);
            app.info(format!("discarded the draft of {}", d.label));
            vec![Effect::DeleteDraft {
                ticket_id: d.ticket_id,
                property: d.property,
            }]
        }
        Some(Action::Later) => {
            app.drafts.remove(0);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The ticket of a draft being restored arrived: open the editor with the draft's value.
fn restore_draft(app: &mut App, ticket: &crate::domain::Ticket) -> Vec<Effect> {
    let Some((draft, _)) = app.draft_restore.take() else {
        return Vec::new();
    };
    let Some(def) = app.catalog.property(&draft.property) else {
        app.error(format!(
            "{} no longer exists; the draft was kept on disk",
            draft.label
        ));
        return Vec::new();
    };
    match EditForm::open(&app.catalog, ticket, def) {
        Ok(mut form) => {
            form.restore_draft(&draft.value);
            // A colleague's change since the draft began must still be caught.
            form.opened_modified = draft.opened_modified;
            form.saved_draft = Some(draft.value);
            // The form, the detail and the list's cursor all name the draft's ticket, so
            // what is saved, what is shown and the next `e` act on the same one (the list
            // may not hold it: the detail shows it all the same).
            app.list.select_id(&ticket.id);
            app.detail.show(&ticket.id);
            app.detail.tab = Tab::Properties;
            app.focus = Focus::Detail;
            let save = app.keymap.key_name(Context::Form, Action::Save);
            let cancel = app.keymap.key_name(Context::Form, Action::Cancel);
            app.info(format!(
                "draft of {} on #{} restored: {save} saves, {cancel} discards",
                form.property.label, ticket.id
            ));
            app.modals.open(form);
            app.fetch_detail()
        }
        Err(why) => {
            app.error(why);
            vec![Effect::DeleteDraft {
                ticket_id: draft.ticket_id,
                property: draft.property,
            }]
        }
    }
}

/// Worker answers that belong to the form; `None` when the event is not the form's.
pub(super) fn on_event(app: &mut App, event: &Event) -> Option<Vec<Effect>> {
    if let Some((_, r)) = &app.draft_restore {
        match event {
            Event::TicketChecked { req, ticket } if req == r => {
                return Some(restore_draft(app, ticket));
            }
            Event::Failed { req, failure } if req == r => {
                let (d, _) = app.draft_restore.take()?;
                app.error(format!(
                    "cannot restore the draft of {}: {}",
                    d.label, failure.summary
                ));
                return Some(Vec::new());
            }
            _ => {}
        }
    }
    let form = app.modals.form_mut()?;
    match (event, &form.phase) {
        (Event::TicketChecked { req, ticket }, Phase::Checking(r)) if req == r => {
            let latest = ticket.prop("hs_lastmodifieddate").to_owned();
            if latest != form.opened_modified && !form.opened_modified.is_empty() {
                let changes = changes_since(ticket, &form.opened_modified);
                form.phase = Phase::Conflict {
                    changes,
                    latest_modified: latest,
                };
                Some(Vec::new())
            } else {
                Some(send_update(app))
            }
        }
        (Event::TicketUpdated { req, ticket }, Phase::Saving(r)) if req == r => {
            let label = form.property.label.clone();
            let moves_on = super::triage::MOVING_PROPERTIES.contains(&form.property.name.as_str());
            let mut fx = close(app);
            let mut row = ticket.clone();
            row.history = None;
            app.list.upsert(row);
            app.info(format!("saved {label} on #{}", ticket.id));
            // The detail re-reads the ticket for its new history.
            if app.detail.ticket_id.as_deref() == Some(ticket.id.as_str()) {
                fx.extend(app.fetch_detail());
            }
            // In triage, a change of stage, pipeline or owner moves on to the next ticket.
            if moves_on {
                fx.extend(super::triage::acted(
                    app,
                    &ticket.id,
                    super::triage::Done::Edited(label),
                ));
            }
            Some(fx)
        }
        (
            Event::BatchUpdated {
                req,
                updated,
                failed,
            },
            Phase::Saving(r),
        ) if req == r => {
            let label = form.property.label.clone();
            let written = updated.len();
            for t in updated {
                let mut row = t.clone();
                row.history = None;
                app.list.upsert(row);
            }
            app.fuzzy_stale = true;
            if failed.is_empty() {
                app.list.clear_marks();
                app.info(format!("set {label} on {written} tickets"));
                let mut fx = close(app);
                if app.detail.ticket_id.is_some() {
                    fx.extend(app.fetch_detail());
                }
                return Some(fx);
            }
            if let Some(form) = app.modals.form_mut() {
                form.phase = Phase::BulkResult {
                    written,
                    failed: failed.clone(),
                };
            }
            Some(Vec::new())
        }
        (Event::Failed { req, failure }, Phase::Checking(r) | Phase::Saving(r)) if req == r => {
            Some(on_failure(app, failure))
        }
        _ => None,
    }
}

fn on_failure(app: &mut App, failure: &Failure) -> Vec<Effect> {
    let app_keys = &app.keymap;
    let Some(form) = app.modals.form_mut() else {
        return Vec::new();
    };
    form.phase = Phase::Editing;
    let mine: Vec<&str> = failure
        .field_errors
        .iter()
        .filter(|(p, _)| *p == form.property.name || form.new_pipeline.is_some())
        .map(|(_, m)| m.as_str())
        .collect();
    form.error = Some(if !mine.is_empty() {
        // HubSpot's words about this field, and the ID its support would ask for.
        match &failure.correlation_id {
            Some(id) => format!("{} (correlation id {id})", mine.join("; ")),
            None => mine.join("; "),
        }
    } else if failure.outcome_unknown {
        // Not re-sent: HubSpot may have applied it. Re-read and let the user decide.
        failure.said(
            "HubSpot did not confirm the save (",
            &format!(
                "); your value is kept here — check the ticket's History, then {} to send it \
                 again",
                app_keys.key_name(Context::Form, Action::Save)
            ),
        )
    } else if failure.not_found {
        "this ticket no longer exists in HubSpot (deleted or merged elsewhere)".to_owned()
    } else {
        failure.summary.clone()
    });
    if failure.outcome_unknown && app.detail.ticket_id.is_some() {
        return app.fetch_detail();
    }
    Vec::new()
}
