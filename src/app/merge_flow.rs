//! Merging two marked tickets (`M` in the list): the dialog that shows them side by side and
//! asks which one survives (`confirm::PendingOp::MergeTickets`, Cancel selected), the one
//! `Command::MergeTickets` a choice sends, and its answer: the list shows the survivor —
//! under the ID HubSpot answered with, usually a new one — where the kept ticket was, and
//! drops the other.
//!
//! Owns: the merge's requests (the dialog's contacts, the merge itself) and their answers.
//! Must not: merge without the user choosing a survivor, or retry a merge whose answer was
//! lost (the worker reads it back; see `verified`).

use super::confirm::{Confirm, MergeSide, PendingOp};
use super::detail::ReqId;
use super::{App, Effect};
use crate::action::Action;
use crate::domain::{Customer, Ticket};
use crate::keymap::Context;
use crate::protocol::{Command, Event, Merge};

/// The merge's requests in flight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeFlow {
    /// The open dialog's contacts being read.
    pub customers: Option<ReqId>,
    /// A confirmed merge on its way.
    pub sending: Option<Merging>,
}

/// A confirmed merge: `merged` into `primary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merging {
    pub req: ReqId,
    pub primary: String,
    pub merged: String,
}

/// `M`: the dialog for the two marked tickets (lower ID on the left), and their contacts.
pub(super) fn ask(app: &mut App) -> Vec<Effect> {
    let mut marked: Vec<String> = app.list.marked().iter().cloned().collect();
    if marked.len() != 2 {
        let mark = app.keymap.key_name(Context::List, Action::Mark);
        app.info(format!(
            "mark two tickets ({mark}) to merge them: {} marked",
            marked.len()
        ));
        return Vec::new();
    }
    if app.merge.sending.is_some() {
        app.info("a merge is on its way: wait for its answer");
        return Vec::new();
    }
    marked.sort_by_key(|id| (id.len(), id.clone()));
    let sides = [side(app, &marked[0]), side(app, &marked[1])];
    app.confirm = Some(Confirm::new(PendingOp::MergeTickets { sides }));
    let req = app.req();
    app.merge.customers = Some(req);
    vec![Effect::Api(Command::LoadCustomers {
        req,
        ticket_ids: marked,
    })]
}

/// One ticket as the dialog shows it (the contact comes with `LoadCustomers`).
fn side(app: &App, id: &str) -> MergeSide {
    let ticket = app.list.get(id);
    let shown = |name: &str| {
        ticket.map_or(String::new(), |t| {
            app.catalog.display_value(Some(t), name, t.prop(name))
        })
    };
    MergeSide {
        id: id.to_owned(),
        subject: ticket.map_or(String::new(), |t| t.subject().to_owned()),
        stage: shown("hs_pipeline_stage"),
        owner: shown("hubspot_owner_id"),
        contact: None,
        created: shown("createdate"),
    }
}

/// A survivor chosen: `sides[0]` stays (HubSpot's primary), `sides[1]` is merged into it.
pub(super) fn send(app: &mut App, sides: [MergeSide; 2]) -> Vec<Effect> {
    let [keep, other] = sides;
    let req = app.req();
    app.merge.customers = None;
    app.info(format!("merging #{} into #{}…", other.id, keep.id));
    app.merge.sending = Some(Merging {
        req,
        primary: keep.id.clone(),
        merged: other.id.clone(),
    });
    vec![Effect::Api(Command::MergeTickets {
        req,
        merge: Merge {
            primary: keep.id,
            merged: other.id,
        },
    })]
}

/// The answers to the merge's requests; `None` for any other event.
pub(super) fn on_event(app: &mut App, event: &Event) -> Option<Vec<Effect>> {
    match event {
        Event::CustomersLoaded { req, customers } if app.merge.customers == Some(*req) => {
            app.merge.customers = None;
            fill_contacts(app, customers);
            Some(Vec::new())
        }
        Event::Failed { req, .. } if app.merge.customers == Some(*req) => {
            app.merge.customers = None;
            fill_contacts(app, &[]);
            Some(Vec::new())
        }
        Event::TicketsMerged {
            req,
            primary,
            merged,
            survivor,
        } if sending(app, *req) => {
            app.merge.sending = None;
            Some(merged_into(app, primary, merged, survivor.clone()))
        }
        Event::Failed { req, failure } if sending(app, *req) => {
            app.merge.sending = None;
            app.error(failure.said("not merged: ", ""));
            Some(Vec::new())
        }
        _ => None,
    }
}

/// Whether `req` is the merge on its way.
pub(super) fn sending(app: &App, req: ReqId) -> bool {
    app.merge.sending.as_ref().is_some_and(|m| m.req == req)
}

/// The dialog's contacts, from the customers read ("(none)" for a ticket without one, or
/// when they could not be read).
fn fill_contacts(app: &mut App, customers: &[Customer]) {
    let Some(Confirm {
        op: PendingOp::MergeTickets { sides },
        ..
    }) = app.confirm.as_mut()
    else {
        return;
    };
    for s in sides.iter_mut() {
        let name = customers
            .iter()
            .find(|c| c.ticket_id == s.id)
            .and_then(|c| c.contact.as_ref())
            .map(|c| c.title.clone());
        s.contact = Some(name.unwrap_or_default());
    }
}

/// The merge is done: the survivor in the list (where the kept ticket was), the other gone.
fn merged_into(app: &mut App, primary: &str, merged: &str, survivor: Ticket) -> Vec<Effect> {
    let id = survivor.id.clone();
    super::customer_flow::merged(app, primary, merged, &survivor);
    app.list.merged(primary, merged, survivor);
    app.fuzzy_stale = true;
    let now = if id == primary {
        String::new()
    } else {
        format!(", now #{id}")
    };
    app.info(format!(
        "merged #{merged} into #{primary}{now}: one ticket with both tickets' associations and activities"
    ));
    app.selection_changed()
}
