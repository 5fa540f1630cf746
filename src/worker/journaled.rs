//! Journaling the worker's writes (see `journal`): before a write is sent, its entry — with
//! each property's value read fresh as "before" — is appended and synced as pending; once
//! answered, its outcome. At start, entries an earlier run left without outcome are resolved
//! by reading back. And undo: reading the current values for an [`UndoPlan`], then carrying
//! it out as a write of its own, journaled like any other.
//!
//! The outcome of a write that took effect carries the `X-HubSpot-Correlation-Id` of each of
//! its requests HubSpot answered with success (`Client::recording_writes` around the run).
//!
//! Owns: what each write command records (`pending`), what its answer means (`outcome`),
//! resolving, preparing and running undos. Must not: decide what the user sees (the app).

use std::collections::{BTreeMap, HashMap};

use super::{Command, Event, ReqId, Verdict, convert};
use crate::hubspot::{ApiError, AssociationSpec, BatchReadQuery, Client};
use crate::journal::{Journal, Line};
use crate::protocol::Failure;
use crate::protocol::journal::{
    AssociationChange, Entry, Logged, ObjectRef, Outcome, PropertyChange, UndoPlan, WriteKind,
};

/// The ticket property a pin is.
const PIN: &str = crate::hubspot::PINNED_ENGAGEMENT_PROPERTY;

/// Runs `cmd` through `run`, journaled when it is a write: the pending entry on disk before
/// the request, the outcome after. Returns the answer and, for a write, what the journal now
/// says of it. A journal that cannot be written is logged, never a reason not to write.
pub async fn around<F, Fut>(
    client: &Client,
    journal: Option<&Journal>,
    cmd: Command,
    run: F,
) -> (Event, Option<Logged>)
where
    F: FnOnce(Command) -> Fut,
    Fut: std::future::Future<Output = Event>,
{
    let Some(journal) = journal else {
        return (run(cmd).await, None);
    };
    let Some(mut entry) = pending(client, journal, &cmd).await else {
        return (run(cmd).await, None);
    };
    if let Err(e) = journal.append(&Line::Pending {
        entry: entry.clone(),
    }) {
        tracing::error!("journal: cannot append: {e}");
    }
    let (event, receipts) = client.recording_writes(run(cmd)).await;
    let (mut outcome, created, pinned) = outcome(&event);
    if let Outcome::Applied {
        correlation_ids, ..
    } = &mut outcome
    {
        *correlation_ids = receipts;
    }
    let mut properties = Vec::new();
    if entry.kind == WriteKind::Activity {
        // The pin is known once the activity is: kept when made, dropped when not.
        entry.properties.retain_mut(|p| match &pinned {
            Some(id) if p.property == PIN => {
                p.after = Some(id.clone());
                true
            }
            _ => false,
        });
        properties = entry.properties.clone();
    }
    let line = Line::Outcome {
        id: entry.id.clone(),
        outcome: outcome.clone(),
        created: created.clone(),
        properties,
    };
    if let Err(e) = journal.append(&line) {
        tracing::error!("journal: cannot append: {e}");
    }
    entry.created.extend(created);
    (
        event,
        Some(Logged {
            entry,
            outcome: Some(outcome),
            resolved: false,
        }),
    )
}

/// The entry of a write, "before" values read fresh; `None` for reads.
async fn pending(client: &Client, journal: &Journal, cmd: &Command) -> Option<Entry> {
    let mut entry = Entry {
        id: format!("{}-{}", journal.run(), cmd.req()),
        at: jiff::Timestamp::now().to_string(),
        run: journal.run().to_owned(),
        kind: WriteKind::Edit,
        tickets: cmd
            .written_tickets()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        properties: Vec::new(),
        associations: Vec::new(),
        created: Vec::new(),
        deleted: Vec::new(),
        undoes: None,
    };
    match cmd {
        Command::UpdateTicket { id, properties, .. } => {
            entry.properties = changes(client, std::slice::from_ref(id), properties).await;
        }
        Command::BatchUpdate {
            ids, properties, ..
        } => {
            entry.kind = WriteKind::BulkEdit;
            entry.properties = changes(client, ids, properties).await;
        }
        Command::CreateTicket { .. } => entry.kind = WriteKind::CreateTicket,
        Command::CreateActivity { activity, .. } => {
            entry.kind = WriteKind::Activity;
            if activity.pin {
                // Kept until the outcome names the new activity (see `around`).
                entry.properties.push(PropertyChange {
                    ticket: activity.ticket_id.clone(),
                    property: PIN.to_owned(),
                    before: current(client, &activity.ticket_id, PIN).await,
                    after: None,
                });
            }
        }
        Command::CreateNotes { .. } => entry.kind = WriteKind::Notes,
        Command::Associate {
            ticket_id,
            kind,
            to_id,
            category,
            type_id,
            keep,
            ..
        } => {
            entry.kind = WriteKind::Associate;
            let added = (category.clone(), *type_id);
            let mut after = vec![added.clone()];
            after.extend(keep.iter().filter(|k| **k != added).cloned());
            entry.associations.push(AssociationChange {
                ticket: ticket_id.clone(),
                kind: kind.api_name().to_owned(),
                to_id: to_id.clone(),
                before: keep.clone(),
                after,
            });
        }
        Command::RemoveAssociation {
            ticket_id,
            kind,
            to_id,
            ..
        } => {
            entry.kind = WriteKind::RemoveAssociation;
            entry.associations.push(AssociationChange {
                ticket: ticket_id.clone(),
                kind: kind.api_name().to_owned(),
                to_id: to_id.clone(),
                before: labels(client, ticket_id, kind.api_name(), to_id)
                    .await
                    .unwrap_or_default(),
                after: Vec::new(),
            });
        }
        Command::RemoveAssociationLabel {
            ticket_id,
            kind,
            to_id,
            category,
            type_id,
            ..
        } => {
            entry.kind = WriteKind::RemoveAssociation;
            entry
                .associations
                .push(label_removal(client, ticket_id, *kind, to_id, (category, *type_id)).await);
        }
        Command::ArchiveTicket { .. } | Command::BatchArchive { .. } => {
            entry.kind = WriteKind::Delete;
            entry.deleted = tickets_as_objects(&entry.tickets);
        }
        Command::MergeTickets { .. } => {
            // Cannot be undone (`MERGE_HINT`); the entry records which tickets went into the
            // survivor, whose (usually new) ID the outcome adds as created.
            entry.kind = WriteKind::Merge;
            entry.deleted = tickets_as_objects(&entry.tickets);
        }
        Command::Undo { plan, .. } => return Some(undo_entry(entry, plan)),
        _ => return None,
    }
    Some(entry)
}

/// A label's removal: the pair's labels now, and without that one after (none after the
/// unlabeled default type, which takes every label of the pair with it).
async fn label_removal(
    client: &Client,
    ticket_id: &str,
    kind: crate::domain::ObjectKind,
    to_id: &str,
    (category, type_id): (&str, u32),
) -> AssociationChange {
    let before = labels(client, ticket_id, kind.api_name(), to_id)
        .await
        .unwrap_or_default();
    let after = if type_id == kind.ticket_default_type_id() && category == "HUBSPOT_DEFINED" {
        Vec::new()
    } else {
        before
            .iter()
            .filter(|(c, t)| !(c == category && *t == type_id))
            .cloned()
            .collect()
    };
    AssociationChange {
        ticket: ticket_id.to_owned(),
        kind: kind.api_name().to_owned(),
        to_id: to_id.to_owned(),
        before,
        after,
    }
}

/// Tickets by ID as journal objects.
fn tickets_as_objects(ids: &[String]) -> Vec<ObjectRef> {
    ids.iter()
        .map(|id| ObjectRef {
            kind: "tickets".to_owned(),
            id: id.clone(),
            ticket: None,
        })
        .collect()
}

/// The journal entry of an undo: from the current values back to the ones before.
fn undo_entry(mut entry: Entry, plan: &UndoPlan) -> Entry {
    entry.kind = WriteKind::Undo;
    entry.undoes = Some(plan.entry_ids.join(" "));
    entry.properties = plan
        .restores
        .iter()
        .filter(|r| r.put_back)
        .map(|r| PropertyChange {
            ticket: r.ticket.clone(),
            property: r.property.clone(),
            before: r.current.clone(),
            after: r.back_to.clone(),
        })
        .collect();
    entry.associations = plan.associations.clone();
    entry.deleted = plan.archive.clone();
    let mut tickets: Vec<String> = entry
        .properties
        .iter()
        .map(|p| p.ticket.clone())
        .chain(entry.associations.iter().map(|a| a.ticket.clone()))
        .chain(plan.archive.iter().filter_map(|o| o.ticket.clone()))
        .collect();
    tickets.sort();
    tickets.dedup();
    entry.tickets = tickets;
    entry
}

/// Each (ticket, property) of a write, its current value as "before".
async fn changes(
    client: &Client,
    ids: &[String],
    properties: &BTreeMap<String, String>,
) -> Vec<PropertyChange> {
    let names: Vec<String> = properties.keys().cloned().collect();
    let now = read_values(client, ids, &names).await.unwrap_or_default();
    let mut out = Vec::new();
    for id in ids {
        for (name, value) in properties {
            out.push(PropertyChange {
                ticket: id.clone(),
                property: name.clone(),
                before: now.get(&(id.clone(), name.clone())).cloned(),
                after: Some(value.clone()).filter(|v| !v.is_empty()),
            });
        }
    }
    out
}

/// One property of one ticket as it is now (`None`: empty or unreadable).
async fn current(client: &Client, ticket: &str, property: &str) -> Option<String> {
    read_values(client, &[ticket.to_owned()], &[property.to_owned()])
        .await
        .ok()?
        .remove(&(ticket.to_owned(), property.to_owned()))
}

/// The non-empty values of `properties` on `ids`, by (ticket, property); a ticket not found
/// has none.
async fn read_values(
    client: &Client,
    ids: &[String],
    properties: &[String],
) -> Result<HashMap<(String, String), String>, ApiError> {
    let outcome = client
        .batch_read_tickets(&BatchReadQuery {
            ids: ids.to_vec(),
            properties: properties.to_vec(),
            properties_with_history: Vec::new(),
            id_property: None,
            archived: false,
        })
        .await?;
    if let Some((_, e)) = outcome.failed_chunks().next() {
        return Err(e.clone());
    }
    let mut out = HashMap::new();
    for t in outcome.into_results().into_iter().map(convert::ticket) {
        for p in properties {
            let v = t.prop(p);
            if !v.is_empty() {
                out.insert((t.id.clone(), p.clone()), v.to_owned());
            }
        }
    }
    Ok(out)
}

/// The labels between a ticket and a record now (empty: not associated).
async fn labels(
    client: &Client,
    ticket: &str,
    kind: &str,
    to_id: &str,
) -> Result<Vec<(String, u32)>, ApiError> {
    let links = client.associations("tickets", ticket, kind).await?;
    Ok(links
        .into_iter()
        .filter(|l| l.to_object_id == to_id)
        .flat_map(|l| l.association_types)
        .map(|t| (convert::category_name(t.category), t.type_id))
        .collect())
}

/// What an answer says of its write: the outcome, the records created, and the activity
/// pinned.
fn outcome(event: &Event) -> (Outcome, Vec<ObjectRef>, Option<String>) {
    let applied = |failed: &[(String, String)]| Outcome::Applied {
        failed: failed.to_vec(),
        correlation_ids: Vec::new(),
    };
    match event {
        Event::Failed { failure, .. } => (failed(failure), Vec::new(), None),
        Event::WriteVerified { verdict, lost, .. } => match verdict {
            Verdict::Answered(inner) => outcome(inner),
            Verdict::NotApplied => (Outcome::NotApplied, Vec::new(), None),
            Verdict::StillUnknown(why) => (
                Outcome::Unknown {
                    why: format!("{lost}; reading back: {why}"),
                },
                Vec::new(),
                None,
            ),
        },
        Event::BatchUpdated { failed, .. } | Event::BatchArchived { failed, .. } => {
            (applied(failed), Vec::new(), None)
        }
        Event::NotesCreated {
            created, failed, ..
        } => (
            applied(failed),
            created
                .iter()
                .map(|(ticket, id)| ObjectRef {
                    kind: "notes".to_owned(),
                    id: id.clone(),
                    ticket: Some(ticket.clone()),
                })
                .collect(),
            None,
        ),
        Event::TicketCreated { ticket, .. } => (
            applied(&[]),
            vec![ObjectRef {
                kind: "tickets".to_owned(),
                id: ticket.id.clone(),
                ticket: None,
            }],
            None,
        ),
        Event::ActivityCreated {
            ticket_id,
            activity,
            pinned,
            ..
        } => (
            applied(&[]),
            vec![ObjectRef {
                kind: activity.kind.api_name().to_owned(),
                id: activity.id.clone(),
                ticket: Some(ticket_id.clone()),
            }],
            pinned.then(|| activity.id.clone()),
        ),
        Event::Undone { failed, .. } => (applied(failed), Vec::new(), None),
        Event::TicketsMerged { survivor, .. } => (
            applied(&[]),
            tickets_as_objects(std::slice::from_ref(&survivor.id)),
            None,
        ),
        _ => (applied(&[]), Vec::new(), None),
    }
}

/// A refused write, or one whose outcome stayed unknown.
fn failed(failure: &Failure) -> Outcome {
    if failure.outcome_unknown {
        Outcome::Unknown {
            why: failure.headline(),
        }
    } else {
        Outcome::Failed {
            why: failure.headline(),
            correlation_id: failure.correlation_id.clone(),
        }
    }
}

/// Resolves the entries an earlier run left without outcome, appends what reading back
/// showed, and returns the whole journal for the log with the IDs resolved.
pub async fn resolve_all(client: &Client, journal: &Journal) -> (Vec<Logged>, Vec<String>) {
    let unresolved = journal.unresolved().unwrap_or_else(|e| {
        tracing::error!("journal: cannot read: {e}");
        Vec::new()
    });
    let ids: Vec<String> = unresolved.iter().map(|e| e.id.clone()).collect();
    for entry in unresolved {
        let outcome = resolve(client, &entry).await;
        if let Err(e) = journal.append(&Line::Resolved {
            id: entry.id.clone(),
            outcome,
        }) {
            tracing::error!("journal: cannot append: {e}");
        }
    }
    (journal.load().unwrap_or_default(), ids)
}

/// What reading back says of a write that had no answer: each property now equal to what
/// was written took effect, equal to what it was did not, anything else is unknown.
pub async fn resolve(client: &Client, entry: &Entry) -> Outcome {
    if matches!(
        entry.kind,
        WriteKind::Activity | WriteKind::Notes | WriteKind::CreateTicket
    ) {
        return Outcome::Unknown {
            why: "the records it created cannot be found by reading back".to_owned(),
        };
    }
    if !entry.properties.is_empty() {
        return resolve_properties(client, entry).await;
    }
    if !entry.associations.is_empty() {
        return resolve_associations(client, entry).await;
    }
    if !entry.deleted.is_empty() {
        let ids: Vec<String> = entry.deleted.iter().map(|o| o.id.clone()).collect();
        return match read_values(client, &ids, &["hs_object_id".to_owned()]).await {
            Ok(found) if found.is_empty() => applied(Vec::new()),
            Ok(found) if found.len() == ids.len() => Outcome::NotApplied,
            Ok(found) => applied(
                ids.iter()
                    .filter(|id| found.contains_key(&((*id).clone(), "hs_object_id".to_owned())))
                    .map(|id| (id.clone(), "not deleted".to_owned()))
                    .collect(),
            ),
            Err(e) => unknown(&e),
        };
    }
    Outcome::Unknown {
        why: "the records it created cannot be found by reading back".to_owned(),
    }
}

fn applied(failed: Vec<(String, String)>) -> Outcome {
    Outcome::Applied {
        failed,
        correlation_ids: Vec::new(),
    }
}

fn unknown(e: &ApiError) -> Outcome {
    Outcome::Unknown {
        why: format!("reading back failed: {}", e.summary()),
    }
}

async fn resolve_properties(client: &Client, entry: &Entry) -> Outcome {
    let mut ids: Vec<String> = entry.properties.iter().map(|p| p.ticket.clone()).collect();
    ids.sort();
    ids.dedup();
    let mut names: Vec<String> = entry
        .properties
        .iter()
        .map(|p| p.property.clone())
        .collect();
    names.sort();
    names.dedup();
    let now = match read_values(client, &ids, &names).await {
        Ok(now) => now,
        Err(e) => return unknown(&e),
    };
    let norm = crate::protocol::journal::norm;
    let (mut yes, mut no, mut neither) = (0, Vec::new(), Vec::new());
    for p in &entry.properties {
        let v = now.get(&(p.ticket.clone(), p.property.clone())).cloned();
        if norm(&v) == norm(&p.after) {
            yes += 1;
        } else if norm(&v) == norm(&p.before) {
            no.push((p.ticket.clone(), format!("{} not applied", p.property)));
        } else {
            neither.push(format!("#{} {}", p.ticket, p.property));
        }
    }
    match (yes, no.is_empty(), neither.is_empty()) {
        (_, _, false) => Outcome::Unknown {
            why: format!("changed since by someone else: {}", neither.join(", ")),
        },
        (0, false, true) => Outcome::NotApplied,
        _ => applied(no),
    }
}

async fn resolve_associations(client: &Client, entry: &Entry) -> Outcome {
    let (mut yes, mut no) = (0, 0);
    for a in &entry.associations {
        let mut now = match labels(client, &a.ticket, &a.kind, &a.to_id).await {
            Ok(now) => now,
            Err(e) => return unknown(&e),
        };
        now.sort();
        let (mut after, mut before) = (a.after.clone(), a.before.clone());
        after.sort();
        before.sort();
        if now == after {
            yes += 1;
        } else if now == before {
            no += 1;
        } else {
            return Outcome::Unknown {
                why: "the association changed since".to_owned(),
            };
        }
    }
    if yes == 0 && no > 0 {
        Outcome::NotApplied
    } else {
        applied(Vec::new())
    }
}

/// Reads what undoing `entries` (oldest first) would meet: each property's current value.
pub async fn prepare_undo(client: &Client, req: ReqId, entries: &[Entry]) -> Event {
    let mut ids: Vec<String> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for p in entries.iter().flat_map(|e| &e.properties) {
        ids.push(p.ticket.clone());
        names.push(p.property.clone());
    }
    ids.sort();
    ids.dedup();
    names.sort();
    names.dedup();
    let now = if ids.is_empty() {
        HashMap::new()
    } else {
        match read_values(client, &ids, &names).await {
            Ok(now) => now,
            Err(e) => {
                return Event::Failed {
                    req,
                    failure: Failure::from_api(&e).in_context("reading the tickets back for undo"),
                };
            }
        }
    };
    let plan = UndoPlan::new(entries, |t, p| {
        now.get(&(t.to_owned(), p.to_owned())).cloned()
    });
    Event::UndoPrepared {
        req,
        plan: Box::new(plan),
    }
}

/// Carries an undo out: properties in batches (tickets that get the same values together),
/// associations set back, created records archived. What failed is listed by ticket.
pub async fn undo(client: &Client, req: ReqId, plan: &UndoPlan) -> Result<Event, ApiError> {
    let mut failed: Vec<(String, String)> = Vec::new();
    let mut per_ticket: BTreeMap<&str, BTreeMap<String, String>> = BTreeMap::new();
    for r in plan.restores.iter().filter(|r| r.put_back) {
        per_ticket
            .entry(r.ticket.as_str())
            .or_default()
            .insert(r.property.clone(), r.back_to.clone().unwrap_or_default());
    }
    let mut batches: BTreeMap<BTreeMap<String, String>, Vec<String>> = BTreeMap::new();
    for (ticket, values) in per_ticket {
        batches.entry(values).or_default().push(ticket.to_owned());
    }
    for (properties, ids) in batches {
        match super::batch_update(client, req, &ids, &properties).await {
            Ok(Event::BatchUpdated { failed: f, .. }) => failed.extend(f),
            Ok(Event::WriteVerified { tickets, lost, .. }) => {
                failed.extend(tickets.into_iter().map(|t| (t, format!("unknown: {lost}"))));
            }
            Ok(_) => {}
            Err(e) => failed.extend(ids.into_iter().map(|t| (t, e.summary()))),
        }
    }
    for a in &plan.associations {
        if let Err(e) = set_labels(client, a).await {
            failed.push((a.ticket.clone(), format!("association: {}", e.summary())));
        }
    }
    for o in &plan.archive {
        if let Err(e) = client.archive_object(&o.kind, &o.id).await
            && !e.is_not_found()
        {
            let on = o.ticket.clone().unwrap_or_else(|| o.id.clone());
            failed.push((on, format!("{} {}: {}", o.kind, o.id, e.summary())));
        }
    }
    Ok(Event::Undone {
        req,
        entry_ids: plan.entry_ids.clone(),
        failed,
    })
}

/// Sets a ticket-record pair's labels to `a.after` (none: removes the association).
async fn set_labels(client: &Client, a: &AssociationChange) -> Result<(), ApiError> {
    if a.after.is_empty() {
        return client
            .remove_association("tickets", &a.ticket, &a.kind, &a.to_id)
            .await;
    }
    let mut specs: Vec<AssociationSpec> = Vec::new();
    for (category, type_id) in &a.after {
        let spec = super::association_specs(category, *type_id, &[])?;
        specs.extend(spec);
    }
    client
        .associate("tickets", &a.ticket, &a.kind, &a.to_id, &specs)
        .await
        .map(|_| ())
}
