//! The customer's context: under the detail's subject, the ticket's Primary contact and
//! company and how many other open tickets they have ("Jane Doe · Acme · 2 other open
//! tickets"), and a temporary view of all a contact's or company's tickets, newest first
//! (`C` in the detail, `Enter` on a contact or company in the Associations tab). `Esc` in
//! that view puts the list back as the agent left it (view, rows, selection, scroll).
//!
//! Everything is read lazily and never blocks the detail: the customer with
//! `Command::LoadCustomers` once the detail opens a ticket, their tickets with
//! `Command::LoadRecordTickets` (v4 associations, then one batch read), cached per contact or
//! company for the run. Owns: those requests, the cache and the saved list. Must not: write.

use std::collections::HashMap;

use super::detail::{Loadable, ReqId};
use super::list::TicketList;
use super::{App, Effect, Focus};
use crate::action::Action;
use crate::domain::{Associated, Customer, ObjectKind, Ticket};
use crate::keymap::Context;
use crate::protocol::{Command, Event, ListSource};

/// A contact or company, by kind and ID.
pub type Record = (ObjectKind, String);

/// The customer's requests, the tickets read per record, and the temporary view.
#[derive(Debug, Clone, Default)]
pub struct CustomerFlow {
    /// Tickets of each contact or company read in this run (newest first).
    pub tickets: HashMap<Record, Loadable<Vec<Ticket>>>,
    /// The record whose view opens once its tickets arrive, with its name.
    pub opening: Option<(Record, String)>,
    /// The temporary view on screen.
    pub view: Option<CustomerView>,
}

/// A contact's or company's tickets on screen, and what `Esc` puts back.
#[derive(Debug, Clone)]
pub struct CustomerView {
    pub record: Record,
    pub name: String,
    saved_list: TicketList,
    saved_source: ListSource,
    saved_focus: Focus,
}

/// The customer line for the detail's ticket, once its customer is read: "Jane Doe · Acme
/// · 2 other open tickets" (the count once their tickets are read). `None` before.
pub fn line(app: &App) -> Option<String> {
    let customer = app.detail.customer.ready()?;
    let mut parts: Vec<String> = [&customer.contact, &customer.company]
        .into_iter()
        .flatten()
        .map(|a| a.title.trim().to_owned())
        .collect();
    if parts.is_empty() {
        return Some("no contact or company".to_owned());
    }
    let Some(record) = whose(customer) else {
        return Some(parts.join(" · "));
    };
    match app.customer.tickets.get(&record) {
        Some(Loadable::Ready(tickets)) => {
            let n = other_open(app, tickets, &customer.ticket_id);
            let plural = if n == 1 { "" } else { "s" };
            parts.push(format!("{n} other open ticket{plural}"));
        }
        Some(Loadable::Failed(_)) => parts.push("their tickets could not be read".into()),
        _ => parts.push("…".into()),
    }
    Some(parts.join(" · "))
}

/// The record whose tickets count: the contact, else the company.
fn whose(customer: &Customer) -> Option<Record> {
    customer
        .contact
        .as_ref()
        .or(customer.company.as_ref())
        .map(|a| (a.kind, a.id.clone()))
}

/// Tickets other than `this` in a stage that is not closed (a stage the catalogue does not
/// know counts as open).
fn other_open(app: &App, tickets: &[Ticket], this: &str) -> usize {
    tickets
        .iter()
        .filter(|t| t.id != this)
        .filter(|t| {
            app.catalog
                .stage(t.pipeline(), t.stage())
                .is_none_or(|s| !s.closed)
        })
        .count()
}

/// The detail's ticket arrived: read its customer (once per ticket shown).
pub(super) fn load_customer(app: &mut App) -> Vec<Effect> {
    let Some(id) = app.detail.ticket_id.clone() else {
        return Vec::new();
    };
    if !matches!(app.detail.customer, Loadable::Idle) {
        return Vec::new();
    }
    let req = app.req();
    app.detail.customer = Loadable::Loading(req);
    vec![Effect::Api(Command::LoadCustomers {
        req,
        ticket_ids: vec![id],
    })]
}

/// Reads a record's tickets unless this run has them (or is reading them).
fn want_tickets(app: &mut App, record: &Record) -> Vec<Effect> {
    if matches!(
        app.customer.tickets.get(record),
        Some(Loadable::Ready(_) | Loadable::Loading(_))
    ) {
        return Vec::new();
    }
    let req = app.req();
    app.customer
        .tickets
        .insert(record.clone(), Loadable::Loading(req));
    vec![Effect::Api(Command::LoadRecordTickets {
        req,
        kind: record.0,
        id: record.1.clone(),
        properties: app.list_properties(),
    })]
}

/// `C` in the detail: the tickets of the ticket's contact (else company).
pub(super) fn open_for_detail(app: &mut App) -> Vec<Effect> {
    let Some(customer) = app.detail.customer.ready().cloned() else {
        app.info("the ticket's customer is still loading");
        return Vec::new();
    };
    let Some(who) = customer.contact.as_ref().or(customer.company.as_ref()) else {
        app.info("this ticket has no contact or company");
        return Vec::new();
    };
    open(app, who)
}

/// `Enter` on a contact or company (Associations tab), or `C`: its tickets, newest first.
pub(super) fn open(app: &mut App, who: &Associated) -> Vec<Effect> {
    let record = (who.kind, who.id.clone());
    let name = who.title.trim().to_owned();
    if let Some(Loadable::Ready(tickets)) = app.customer.tickets.get(&record) {
        let tickets = tickets.clone();
        return show(app, record, name, tickets);
    }
    app.info(format!("loading the tickets of {name}…"));
    app.customer.opening = Some((record.clone(), name));
    want_tickets(app, &record)
}

/// The temporary view: the list holds the record's tickets; what it held is kept for `Esc`
/// (from a view opened inside another, `Esc` still goes back to the first).
fn show(app: &mut App, record: Record, name: String, tickets: Vec<Ticket>) -> Vec<Effect> {
    let mut list = TicketList::default();
    list.set_viewport(app.areas.list_rows());
    let n = tickets.len();
    let values = tickets.iter().map(|t| t.id.clone()).collect();
    list.replace_first_page(tickets, None);
    list.total = Some(n as u64);
    let saved_list = std::mem::replace(&mut app.list, list);
    let saved_source = std::mem::replace(
        &mut app.source,
        ListSource::Batch {
            values,
            id_property: None,
        },
    );
    let view = match app.customer.view.take() {
        Some(first) => CustomerView {
            record,
            name: name.clone(),
            ..first
        },
        None => CustomerView {
            record,
            name: name.clone(),
            saved_list,
            saved_source,
            saved_focus: app.focus,
        },
    };
    app.customer.view = Some(view);
    app.filter = None;
    app.fuzzy_stale = true;
    app.focus = Focus::List;
    let back = app.keymap.key_name(Context::List, Action::ClearNarrowing);
    let plural = if n == 1 { "" } else { "s" };
    app.info(format!(
        "{n} ticket{plural} of {name}, newest first; {back} goes back"
    ));
    app.selection_changed()
}

/// `Esc` in the temporary view: the list as it was (rows, selection, scroll, source).
/// `None` when no such view is on screen.
pub(super) fn back(app: &mut App) -> Option<Vec<Effect>> {
    let view = app.customer.view.take()?;
    app.list = view.saved_list;
    app.list.set_viewport(app.areas.list_rows());
    // A refresh of the temporary view still on its way must not land on the saved list.
    app.list_load = Loadable::Ready(());
    app.source = view.saved_source;
    app.focus = view.saved_focus;
    app.fuzzy_stale = true;
    app.info(format!("back from the tickets of {}", view.name));
    Some(app.selection_changed())
}

/// The title of the temporary view ("Jane Doe's tickets"), when on screen.
pub fn view_title(app: &App) -> Option<String> {
    app.customer
        .view
        .as_ref()
        .map(|v| format!("tickets of {}, newest first", v.name))
}

/// A merge changed tickets: the saved list follows it, and the counts are read again.
pub(super) fn merged(app: &mut App, primary: &str, merged: &str, survivor: &Ticket) {
    app.customer.tickets.clear();
    if let Some(v) = app.customer.view.as_mut()
        && (v.saved_list.get(primary).is_some() || v.saved_list.get(merged).is_some())
    {
        let selected = v.saved_list.selected_id().map(str::to_owned);
        v.saved_list.merged(primary, merged, survivor.clone());
        if let Some(id) = selected.filter(|s| s != primary && s != merged) {
            v.saved_list.select_id(&id);
        }
    }
}

/// The answers to the customer's requests; `None` for any other event.
pub(super) fn on_event(app: &mut App, event: &Event) -> Option<Vec<Effect>> {
    match event {
        Event::CustomersLoaded { req, customers } if app.detail.customer.waits_for(*req) => {
            let customer = customers.first().cloned().unwrap_or_default();
            let record = whose(&customer);
            app.detail.customer = Loadable::Ready(customer);
            Some(record.map_or_else(Vec::new, |r| want_tickets(app, &r)))
        }
        Event::Failed { req, failure } if app.detail.customer.waits_for(*req) => {
            app.detail.customer = Loadable::Failed(failure.clone());
            Some(Vec::new())
        }
        Event::RecordTicketsLoaded {
            req,
            kind,
            id,
            tickets,
        } if waits(app, *req) => {
            let record = (*kind, id.clone());
            app.customer
                .tickets
                .insert(record.clone(), Loadable::Ready(tickets.clone()));
            match app.customer.opening.take() {
                Some((r, name)) if r == record => Some(show(app, record, name, tickets.clone())),
                other => {
                    app.customer.opening = other;
                    Some(Vec::new())
                }
            }
        }
        Event::Failed { req, failure } if waits(app, *req) => {
            let record = app
                .customer
                .tickets
                .iter()
                .find(|(_, l)| l.waits_for(*req))
                .map(|(r, _)| r.clone());
            if let Some(r) = record {
                app.customer
                    .tickets
                    .insert(r.clone(), Loadable::Failed(failure.clone()));
                if app.customer.opening.as_ref().is_some_and(|(o, _)| *o == r) {
                    app.customer.opening = None;
                    app.error(failure.said("their tickets could not be read: ", ""));
                }
            }
            Some(Vec::new())
        }
        _ => None,
    }
}

/// Whether `req` reads some record's tickets.
fn waits(app: &App, req: ReqId) -> bool {
    app.customer.tickets.values().any(|l| l.waits_for(req))
}
