//! Associations, pinning and deleting: the dialogs that guard them (as [`PendingOp`] data),
//! the one command each confirmed op sends, and what their answers change on screen.
//! Also the add-association modal (`a`): find a record, pick the association label, save.

use crossterm::event::KeyEvent;
use jiff::Timestamp;

use super::confirm::{Confirm, PendingOp};
use super::create::{RecordSearch, SearchKey};
use super::detail::{Loadable, activity_rows, association_rows};
use super::{App, Effect, Focus};
use crate::action::Action;
use crate::domain::{Associated, AssociationType, ObjectKind};
use crate::keymap::Context;
use crate::protocol::{Command, Event};

/// What a confirmed op is waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InFlight {
    Archive {
        req: u64,
        ids: Vec<String>,
    },
    Association {
        req: u64,
        then_pin: Option<(String, String)>,
    },
}

impl InFlight {
    pub fn req(&self) -> u64 {
        match self {
            Self::Archive { req, .. } | Self::Association { req, .. } => *req,
        }
    }
}

/// The add-association modal.
#[derive(Debug, Clone)]
pub enum AddAssociation {
    /// Type to find a contact, company or deal.
    Search(RecordSearch),
    /// Pick the association type (label) for the chosen record.
    Label {
        record: Associated,
        labels: Loadable<Vec<AssociationType>>,
        cursor: usize,
        req: u64,
    },
    /// The association is being written.
    Saving { record: Associated, req: u64 },
}

/// `D`: delete the marked tickets, or the selected/shown one.
pub(super) fn ask_delete(app: &mut App) -> Vec<Effect> {
    let ids: Vec<String> = if app.focus == Focus::List && !app.list.marked().is_empty() {
        app.list.marked().iter().cloned().collect()
    } else {
        let id = match app.focus {
            Focus::Detail => app.detail.ticket_id.clone(),
            Focus::List => app.list.selected_id().map(str::to_owned),
        };
        id.into_iter().collect()
    };
    if ids.is_empty() {
        return Vec::new();
    }
    let subjects = ids
        .iter()
        .map(|id| {
            app.list
                .get(id)
                .map(|t| t.subject().to_owned())
                .unwrap_or_default()
        })
        .collect();
    app.confirm = Some(Confirm::new(PendingOp::ArchiveTickets { ids, subjects }));
    Vec::new()
}

fn shown_ticket(app: &App) -> Option<(String, String)> {
    let id = app.detail.ticket_id.clone()?;
    let subject = app
        .detail
        .ticket
        .ready()
        .map(|t| t.subject().to_owned())
        .or_else(|| app.list.get(&id).map(|t| t.subject().to_owned()))
        .unwrap_or_default();
    Some((id, subject))
}

/// The pinned activity of the shown ticket; from its list row while the detail reloads
/// (it does after every pin), so the pin is never forgotten in between.
pub(crate) fn pinned_id(app: &App) -> String {
    let id = app.detail.ticket_id.as_deref().unwrap_or_default();
    app.detail
        .ticket
        .ready()
        .or_else(|| app.list.get(id))
        .map(|t| t.prop("hs_pinned_engagement_id").to_owned())
        .unwrap_or_default()
}

/// `p` on an activity.
pub(super) fn ask_pin(app: &mut App) -> Vec<Effect> {
    let Some((ticket_id, subject)) = shown_ticket(app) else {
        return Vec::new();
    };
    let Some(list) = app.detail.activities.ready() else {
        return Vec::new();
    };
    let rows = activity_rows(list);
    let Some(a) = rows.get(app.detail.activity.row) else {
        return Vec::new();
    };
    let pinned = pinned_id(app);
    if a.id == pinned {
        app.info("that activity is already pinned");
        return Vec::new();
    }
    // Kind and time too: a ticket's activities often share a title ("Re: <subject>").
    let named = |r: &crate::domain::Activity| match r.timestamp {
        Some(t) => format!("{} ({}, {})", r.title, r.kind.label(), app.catalog.local(t)),
        None => format!("{} ({})", r.title, r.kind.label()),
    };
    let replaces = (!pinned.is_empty()).then(|| {
        rows.iter()
            .find(|r| r.id == pinned)
            .map_or_else(|| format!("activity {pinned}"), |r| named(r))
    });
    let op = PendingOp::PinActivity {
        ticket_id,
        subject,
        activity_id: a.id.clone(),
        title: named(a),
        replaces,
    };
    app.confirm = Some(Confirm::new(op));
    Vec::new()
}

/// `P`.
pub(super) fn ask_unpin(app: &mut App) -> Vec<Effect> {
    let Some((ticket_id, subject)) = shown_ticket(app) else {
        return Vec::new();
    };
    let pinned = pinned_id(app);
    if pinned.is_empty() {
        app.info("no activity is pinned on this ticket");
        return Vec::new();
    }
    let title = app
        .detail
        .activities
        .ready()
        .and_then(|l| l.iter().find(|a| a.id == pinned).map(|a| a.title.clone()))
        .unwrap_or_else(|| format!("activity {pinned}"));
    app.confirm = Some(Confirm::new(PendingOp::Unpin {
        ticket_id,
        subject,
        activity_id: pinned,
        title,
    }));
    Vec::new()
}

/// `x` on an association.
pub(super) fn ask_remove(app: &mut App) -> Vec<Effect> {
    let Some((ticket_id, subject)) = shown_ticket(app) else {
        return Vec::new();
    };
    let Some(list) = app.detail.associations.ready() else {
        return Vec::new();
    };
    let rows = association_rows(list);
    let Some(a) = rows.get(app.detail.assoc.row) else {
        return Vec::new();
    };
    let op = PendingOp::RemoveAssociation {
        ticket_id,
        subject,
        kind: a.kind,
        to_id: a.id.clone(),
        title: a.title.clone(),
        labels: a.labels().into_iter().map(str::to_owned).collect(),
    };
    app.confirm = Some(Confirm::new(op));
    Vec::new()
}

/// The one command a confirmed op stands for.
pub(super) fn run(app: &mut App, op: PendingOp) -> Vec<Effect> {
    let req = app.req();
    match op {
        // Run by their own flows (edit, list), never here.
        PendingOp::RestoreValue { .. }
        | PendingOp::BulkUpdate { .. }
        | PendingOp::ApplyMacro { .. }
        | PendingOp::MergeTickets { .. }
        | PendingOp::LoadAllThenMark { .. }
        | PendingOp::CopyUrlInstead { .. } => Vec::new(),
        PendingOp::ArchiveTickets { ids, .. } => {
            app.in_flight.push(InFlight::Archive {
                req,
                ids: ids.clone(),
            });
            let cmd = if ids.len() == 1 {
                Command::ArchiveTicket {
                    req,
                    id: ids[0].clone(),
                }
            } else {
                Command::BatchArchive { req, ids }
            };
            vec![Effect::Api(cmd)]
        }
        PendingOp::PinActivity {
            ticket_id,
            activity_id,
            title,
            ..
        } => {
            app.pending_write = Some((
                req,
                format!("pinned “{title}” on #{ticket_id}"),
                ticket_id.clone(),
            ));
            app.pending_pin = Some((req, ticket_id.clone(), activity_id.clone()));
            vec![pin(req, ticket_id, activity_id)]
        }
        PendingOp::Unpin {
            ticket_id, title, ..
        } => {
            app.pending_write = Some((
                req,
                format!("unpinned “{title}” on #{ticket_id}"),
                ticket_id.clone(),
            ));
            vec![pin(req, ticket_id, String::new())]
        }
        PendingOp::RemoveAssociation {
            ticket_id,
            kind,
            to_id,
            ..
        } => {
            app.in_flight.push(InFlight::Association {
                req,
                then_pin: None,
            });
            vec![Effect::Api(Command::RemoveAssociation {
                req,
                ticket_id,
                kind,
                to_id,
            })]
        }
        PendingOp::AssociateThenPin {
            ticket_id,
            kind,
            activity_id,
            ..
        } => {
            app.in_flight.push(InFlight::Association {
                req,
                then_pin: Some((ticket_id.clone(), activity_id.clone())),
            });
            vec![Effect::Api(Command::Associate {
                req,
                ticket_id,
                kind,
                to_id: activity_id,
                category: "HUBSPOT_DEFINED".into(),
                type_id: kind.ticket_default_type_id(),
                keep: Vec::new(),
            })]
        }
    }
}

fn pin(req: u64, ticket_id: String, engagement: String) -> Effect {
    Effect::Api(Command::UpdateTicket {
        req,
        id: ticket_id,
        properties: std::collections::BTreeMap::from([(
            "hs_pinned_engagement_id".to_owned(),
            engagement,
        )]),
    })
}

/// Answers for the ops above; `None` when not theirs.
pub(super) fn on_event(app: &mut App, event: &Event) -> Option<Vec<Effect>> {
    let answered = match event {
        Event::TicketArchived { req, .. }
        | Event::BatchArchived { req, .. }
        | Event::AssociationChanged { req, .. }
        | Event::Failed { req, .. } => Some(*req),
        _ => None,
    };
    let flight = answered
        .and_then(|req| app.in_flight.iter().position(|f| f.req() == req))
        .map(|i| app.in_flight.remove(i));
    match flight {
        Some(InFlight::Archive { ids, .. }) => Some(archive_answered(app, event, &ids)),
        Some(InFlight::Association { then_pin, .. }) => {
            Some(association_answered(app, event, then_pin))
        }
        None => modal_read_answered(app, event),
    }
}

/// A confirmed delete (of `ids`) answered.
fn archive_answered(app: &mut App, event: &Event, ids: &[String]) -> Vec<Effect> {
    match event {
        Event::TicketArchived { id, .. } => {
            app.list.remove(id);
            app.fuzzy_stale = true;
            app.info(format!(
                "deleted #{id}: in HubSpot's recycle bin for 90 days"
            ));
            if app.focus == Focus::Detail && app.areas.narrow {
                app.focus = Focus::List;
            }
            app.selection_changed()
        }
        Event::BatchArchived {
            archived, failed, ..
        } => batch_archived(app, archived, failed),
        Event::Failed { failure, .. } => {
            if failure.not_found && ids.len() == 1 {
                app.list.remove(&ids[0]);
                app.error(format!(
                    "#{} was already deleted (HubSpot: {})",
                    ids[0], failure.summary
                ));
                return app.selection_changed();
            }
            let which: Vec<String> = ids.iter().take(5).map(|id| format!("#{id}")).collect();
            app.error(format!(
                "{} not deleted: {}",
                which.join(", "),
                failure.summary
            ));
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A confirmed association change answered (then pinning, when it was "associate and pin").
fn association_answered(
    app: &mut App,
    event: &Event,
    then_pin: Option<(String, String)>,
) -> Vec<Effect> {
    match event {
        Event::AssociationChanged { ticket_id, .. } => {
            app.modals.close_add_assoc();
            let mut fx = Vec::new();
            if let Some((ticket, activity)) = then_pin {
                let req = app.req();
                app.pending_write = Some((
                    req,
                    format!("associated and pinned on #{ticket}"),
                    ticket.clone(),
                ));
                fx.push(pin(req, ticket, activity));
            } else {
                app.info(format!("associations updated on #{ticket_id}"));
            }
            if app.detail.ticket_id.as_deref() == Some(ticket_id.as_str()) {
                app.detail.associations = Loadable::Idle;
                app.detail.activities = Loadable::Idle;
                fx.extend(app.load_tab_data(true));
            }
            fx
        }
        Event::Failed { failure, .. } => {
            let msg = if failure.not_found {
                format!(
                    "that record no longer exists in HubSpot ({})",
                    failure.summary
                )
            } else {
                failure.summary.clone()
            };
            match app.modals.add_assoc_mut() {
                Some(AddAssociation::Saving { record, .. }) => {
                    let record = record.clone();
                    app.modals.close_add_assoc();
                    app.error(format!("{} was not associated: {msg}", record.title));
                }
                _ => app.error(format!("association not changed: {msg}")),
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// The add-association modal's own reads (records found, labels): shown where the user waits
/// for them. None when the answer is not the modal's.
fn modal_read_answered(app: &mut App, event: &Event) -> Option<Vec<Effect>> {
    match event {
        Event::LabelsLoaded { req, labels, .. } => {
            if let Some(AddAssociation::Label {
                labels: slot,
                req: r,
                ..
            }) = app.modals.add_assoc_mut()
                && r == req
            {
                let mut l = labels.clone();
                // Unlabeled (the default) first.
                l.sort_by_key(|t| (t.label.is_some(), t.type_id));
                *slot = Loadable::Ready(l);
                return Some(Vec::new());
            }
            None
        }
        // The modal's own reads failing: shown where the user waits for them.
        Event::Failed { req, failure } => {
            match app.modals.add_assoc_mut() {
                Some(AddAssociation::Search(s)) if s.results.waits_for(*req) => {
                    s.results = Loadable::Failed(failure.clone());
                }
                Some(AddAssociation::Label { labels, req: r, .. })
                    if r == req && labels.waits_for(*req) =>
                {
                    *labels = Loadable::Failed(failure.clone());
                }
                _ => return None,
            }
            Some(Vec::new())
        }
        Event::RecordsFound { req, items } => {
            if let Some(AddAssociation::Search(s)) = app.modals.add_assoc_mut()
                && s.results.waits_for(*req)
            {
                s.results = Loadable::Ready(items.clone());
                return Some(Vec::new());
            }
            None
        }
        _ => None,
    }
}

/// A bulk delete answered: the deleted rows go; the failed stay marked, a few named.
fn batch_archived(app: &mut App, archived: &[String], failed: &[(String, String)]) -> Vec<Effect> {
    for id in archived {
        app.list.remove(id);
    }
    app.fuzzy_stale = true;
    if failed.is_empty() {
        app.list.clear_marks();
        app.info(format!(
            "deleted {} tickets: in HubSpot's recycle bin for 90 days",
            archived.len()
        ));
    } else {
        // A few IDs, then the reason: the whole list would push the reason off the
        // status bar (the failed rows stay marked in the list, so all are on screen).
        let ids: Vec<&str> = failed.iter().take(5).map(|(id, _)| id.as_str()).collect();
        let more = failed.len().saturating_sub(ids.len());
        app.error(format!(
            "deleted {}; {} failed ({}{}): {} — they stay marked, D tries again",
            archived.len(),
            failed.len(),
            ids.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            failed[0].1,
        ));
    }
    app.selection_changed()
}

/// A pin HubSpot refused because the activity isn't associated: explain and offer to
/// associate it first — only while that ticket is still shown (the offer must never write to
/// the ticket the user moved on to).
pub(super) fn on_pin_refused(app: &mut App, ticket: &str, activity_id: &str, why: &str) {
    let Some((ticket_id, subject)) = shown_ticket(app).filter(|(id, _)| id == ticket) else {
        app.error(format!(
            "#{ticket} was not pinned: {why} (open it and pin again to associate the activity first)"
        ));
        return;
    };
    let found = app.detail.activities.ready().and_then(|l| {
        l.iter()
            .find(|a| a.id == activity_id)
            .map(|a| (a.kind, a.title.clone()))
    });
    let (kind, title) = found.unwrap_or((ObjectKind::Note, format!("activity {activity_id}")));
    app.confirm = Some(Confirm::new(PendingOp::AssociateThenPin {
        ticket_id,
        subject,
        kind,
        activity_id: activity_id.to_owned(),
        title,
    }));
}

/// `a` in the Associations tab.
pub(super) fn open_add(app: &mut App) -> Vec<Effect> {
    if app.detail.ticket_id.is_none() {
        return Vec::new();
    }
    app.modals
        .open(AddAssociation::Search(RecordSearch::default()));
    Vec::new()
}

pub(super) fn on_add_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.keymap.resolve(Context::Form, &key) == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    let now = app.now;
    let next = app.next_req;
    let Some(state) = app.modals.add_assoc_mut() else {
        return Vec::new();
    };
    let pick = app.keymap.resolve(Context::Picker, &key);
    if pick == Some(Action::Cancel) {
        app.modals.close_add_assoc();
        return Vec::new();
    }
    match state {
        AddAssociation::Search(s) => {
            if let SearchKey::Chosen(record) = s.on_key(pick, key, now) {
                app.next_req += 1;
                let kind = record.kind;
                *state = AddAssociation::Label {
                    record,
                    labels: Loadable::Loading(next),
                    cursor: 0,
                    req: next,
                };
                return vec![Effect::Api(Command::LoadLabels { req: next, kind })];
            }
        }
        AddAssociation::Label {
            record,
            labels,
            cursor,
            ..
        } => match pick {
            Some(Action::Up) => *cursor = cursor.saturating_sub(1),
            Some(Action::Down) => {
                *cursor = (*cursor + 1).min(labels.ready().map_or(0, Vec::len).saturating_sub(1))
            }
            Some(Action::Accept) => {
                let Some(t) = labels.ready().and_then(|l| l.get(*cursor)).cloned() else {
                    return Vec::new();
                };
                let Some(ticket_id) = app.detail.ticket_id.clone() else {
                    return Vec::new();
                };
                let record = record.clone();
                // HubSpot replaces the pair's labels with the ones sent: keep those it has.
                let keep = app
                    .detail
                    .associations
                    .ready()
                    .and_then(|l| {
                        l.iter()
                            .find(|a| a.kind == record.kind && a.id == record.id)
                    })
                    .map(|a| {
                        a.types
                            .iter()
                            .filter(|x| x.type_id != t.type_id || x.category != t.category)
                            .map(|x| (x.category.clone(), x.type_id))
                            .collect()
                    })
                    .unwrap_or_default();
                app.next_req += 1;
                app.in_flight.push(InFlight::Association {
                    req: next,
                    then_pin: None,
                });
                let cmd = Command::Associate {
                    req: next,
                    ticket_id,
                    kind: record.kind,
                    to_id: record.id.clone(),
                    category: t.category.clone(),
                    type_id: t.type_id,
                    keep,
                };
                app.modals
                    .open(AddAssociation::Saving { record, req: next });
                return vec![Effect::Api(cmd)];
            }
            _ => {}
        },
        AddAssociation::Saving { .. } => {}
    }
    Vec::new()
}

/// The record search of the add-association modal, once typing rests.
pub(super) fn on_tick(app: &mut App, now: Timestamp) -> Vec<Effect> {
    super::create::tick_search(app, now, |app| match app.modals.add_assoc_mut() {
        Some(AddAssociation::Search(s)) => Some(s),
        _ => None,
    })
}
