//! What a write whose answer was lost did, found out by reading the tickets back.
//!
//! A write is never sent again when its answer is lost (the client returns
//! [`ApiError::WriteOutcomeUnknown`] after a reset or timeout once sent, or a 5xx; or
//! [`ApiError::Decode`] when a 2xx answer could not be read). Instead the worker, still
//! holding the write's turn on its tickets (so no later write of this session muddles the
//! reading), reads back with safe requests, retried as usual, and answers with an
//! [`Event::WriteVerified`].
//!
//! Owns: deciding from those reads whether an update, an archive, an association change,
//! the lost chunks of a batch, or a note, call or task took effect. Must not: send any write,
//! or touch UI state.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{Command, Event, ReqId, Verdict, convert};
use crate::domain::{ObjectKind, Ticket};
use crate::hubspot::{
    ApiError, AssociationSpec, BatchReadQuery, Client, CreateInput, GetQuery, SimplePublicObject,
};

/// Whether `e` means a write may have taken effect but its answer was lost.
pub fn lost_answer(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::WriteOutcomeUnknown { .. } | ApiError::Decode(_)
    )
}

/// How the answer was lost, in a few words (`timed out`, `HTTP 502 ...`, the reset).
pub fn how_lost(e: &ApiError) -> String {
    match e {
        // A transport error names the request's URL, then each error in its chain: the last
        // says what happened (`connection reset by peer`).
        ApiError::WriteOutcomeUnknown { cause, .. } if cause.starts_with("error sending") => {
            cause.rsplit(": ").next().unwrap_or(cause).to_owned()
        }
        ApiError::WriteOutcomeUnknown { cause, .. } => cause.clone(),
        ApiError::Decode(_) => "HubSpot's answer could not be read".to_owned(),
        other => other.summary(),
    }
}

/// Why a ticket's outcome is still unknown: reading it back failed too.
pub fn still_unknown(read: &ApiError) -> String {
    format!(
        "outcome still unknown: HubSpot's answer was lost and reading back failed ({})",
        read.summary()
    )
}

/// Whether [`single`] can verify this command: an update (a pin too), an archive, an
/// association added or removed. Batches verify their lost chunks themselves, and so do
/// activities (notes, calls, tasks: see [`created`]).
///
/// Not a ticket create: HubSpot keeps no key of the request to find the record by (whether
/// `objectWriteTraceId` is stored and searchable is UNCONFIRMED), and its search index lags
/// writes by seconds, so not finding the ticket would prove nothing. It stays an unknown
/// outcome the app asks the user to check in the list, never re-sent.
pub fn verifiable(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::UpdateTicket { .. }
            | Command::ArchiveTicket { .. }
            | Command::Associate { .. }
            | Command::RemoveAssociation { .. }
            | Command::RemoveAssociationLabel { .. }
            | Command::MergeTickets { .. }
    )
}

/// The verified outcome of a single write whose answer was lost (`lost`); `None` for a
/// command this cannot verify (see [`verifiable`]).
pub async fn single(client: &Client, cmd: &Command, lost: &ApiError) -> Option<Event> {
    let verdict = match cmd {
        Command::UpdateTicket {
            req,
            id,
            properties,
        } => update(client, *req, id, properties).await,
        Command::ArchiveTicket { req, id } => archive(client, *req, id).await,
        Command::Associate {
            req,
            ticket_id,
            kind,
            to_id,
            category,
            type_id,
            keep,
        } => {
            let Ok(specs) = super::association_specs(category, *type_id, keep) else {
                // Not sent at all: the specs are checked before sending.
                return None;
            };
            association(client, *req, ticket_id, *kind, to_id, Some(&specs)).await
        }
        Command::RemoveAssociation {
            req,
            ticket_id,
            kind,
            to_id,
        } => association(client, *req, ticket_id, *kind, to_id, None).await,
        Command::RemoveAssociationLabel {
            req,
            ticket_id,
            kind,
            to_id,
            category,
            type_id,
        } => label_removed(client, *req, ticket_id, *kind, to_id, (category, *type_id)).await,
        Command::MergeTickets { req, merge: m } => merge(client, *req, &m.primary, &m.merged).await,
        _ => return None,
    };
    Some(Event::WriteVerified {
        req: cmd.req(),
        tickets: cmd
            .written_tickets()
            .into_iter()
            .map(str::to_owned)
            .collect(),
        lost: how_lost(lost),
        verdict,
    })
}

/// Every ticket property's name (plus `also`): a read-back returns the ticket as an update's
/// answer does, with all its values, since the app replaces its row with it.
async fn all_properties(
    client: &Client,
    also: &BTreeMap<String, String>,
) -> Result<Vec<String>, ApiError> {
    let mut names: Vec<String> = client
        .properties("tickets")
        .await?
        .into_iter()
        .filter(|p| !p.archived)
        .map(|p| p.name)
        .collect();
    for name in also.keys() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    Ok(names)
}

/// An update took effect when the ticket holds every value sent. A colleague who set the
/// very same value meanwhile reads as applied: the ticket holds what was asked either way.
/// One who changed it again since reads as not applied: the user's value stays in the form,
/// and sending it again goes through the conflict check, which shows that change.
async fn update(client: &Client, req: ReqId, id: &str, sent: &BTreeMap<String, String>) -> Verdict {
    let read = async {
        let query = GetQuery {
            properties: all_properties(client, sent).await?,
            ..GetQuery::default()
        };
        client.get_ticket(id, &query).await
    };
    match read.await {
        Ok(t) if holds(&t, sent) => Verdict::Answered(Box::new(Event::TicketUpdated {
            req,
            ticket: convert::ticket(t),
        })),
        Ok(_) => Verdict::NotApplied,
        // Gone (deleted meanwhile): nothing of the update stands.
        Err(e) if e.is_not_found() => Verdict::NotApplied,
        Err(e) => Verdict::StillUnknown(e.summary()),
    }
}

/// An archive took effect when the ticket is no longer found (HubSpot answers 404 for an
/// archived ticket unless `archived=true` is asked for).
async fn archive(client: &Client, req: ReqId, id: &str) -> Verdict {
    match client
        .get_ticket(id, &GetQuery::properties(&["hs_object_id"]))
        .await
    {
        Err(e) if e.is_not_found() => Verdict::Answered(Box::new(Event::TicketArchived {
            req,
            id: id.to_owned(),
        })),
        Ok(_) => Verdict::NotApplied,
        Err(e) => Verdict::StillUnknown(e.summary()),
    }
}

/// A merge took effect when the primary's ID now reads as the survivor (HubSpot answers an
/// old ID with the record that absorbed it; under a new ID, or the same one in portals that
/// keep it) whose `hs_merged_object_ids` names the merged ticket; otherwise it did not. Reading a merged ID resolving to the
/// survivor is from HubSpot's changelog for contacts and companies ("both of the previous
/// IDs will point to the resulting merged record"); for tickets it is UNCONFIRMED.
async fn merge(client: &Client, req: ReqId, primary: &str, merged: &str) -> Verdict {
    let read = async {
        let query = GetQuery {
            properties: all_properties(client, &BTreeMap::new()).await?,
            ..GetQuery::default()
        };
        client.get_ticket(primary, &query).await
    };
    match read.await {
        Ok(t) => {
            let absorbed = t
                .properties
                .get("hs_merged_object_ids")
                .and_then(|v| v.as_deref())
                .unwrap_or("");
            let names = |id: &str| absorbed.split(';').any(|x| x.trim() == id);
            if names(merged) {
                Verdict::Answered(Box::new(Event::TicketsMerged {
                    req,
                    primary: primary.to_owned(),
                    merged: merged.to_owned(),
                    survivor: convert::ticket(t),
                }))
            } else {
                Verdict::NotApplied
            }
        }
        Err(e) if e.is_not_found() => Verdict::NotApplied,
        Err(e) => Verdict::StillUnknown(e.summary()),
    }
}

/// Associating took effect when the pair carries every type sent (`specs`); removing, when
/// the pair is no longer associated (`specs` is `None`).
async fn association(
    client: &Client,
    req: ReqId,
    ticket_id: &str,
    kind: ObjectKind,
    to_id: &str,
    specs: Option<&[AssociationSpec]>,
) -> Verdict {
    let links = match client
        .associations("tickets", ticket_id, kind.api_name())
        .await
    {
        Ok(links) => links,
        Err(e) if e.is_not_found() => return Verdict::NotApplied,
        Err(e) => return Verdict::StillUnknown(e.summary()),
    };
    let link = links.iter().find(|l| l.to_object_id == to_id);
    let applied = match specs {
        Some(specs) => link.is_some_and(|l| {
            specs.iter().all(|s| {
                l.association_types.iter().any(|t| {
                    t.category == s.association_category && t.type_id == s.association_type_id
                })
            })
        }),
        None => link.is_none(),
    };
    if applied {
        Verdict::Answered(Box::new(Event::AssociationChanged {
            req,
            ticket_id: ticket_id.to_owned(),
        }))
    } else {
        Verdict::NotApplied
    }
}

/// A label's removal took effect when the pair no longer has that type (nor, for the
/// unlabeled default type, any association at all).
async fn label_removed(
    client: &Client,
    req: ReqId,
    ticket_id: &str,
    kind: ObjectKind,
    to_id: &str,
    (category, type_id): (&str, u32),
) -> Verdict {
    let links = match client
        .associations("tickets", ticket_id, kind.api_name())
        .await
    {
        Ok(links) => links,
        Err(e) if e.is_not_found() => return Verdict::NotApplied,
        Err(e) => return Verdict::StillUnknown(e.summary()),
    };
    let still = links
        .iter()
        .filter(|l| l.to_object_id == to_id)
        .flat_map(|l| &l.association_types)
        .any(|t| t.type_id == type_id && convert::category_name(t.category) == category);
    if still {
        Verdict::NotApplied
    } else {
        Verdict::Answered(Box::new(Event::AssociationChanged {
            req,
            ticket_id: ticket_id.to_owned(),
        }))
    }
}

/// The tickets of a batch update's lost chunks (their answer lost as `how`), read back: those
/// holding the values sent (as the batch's answer would have returned them), and the others
/// with why.
pub async fn batch_update(
    client: &Client,
    ids: &[String],
    sent: &BTreeMap<String, String>,
    how: &str,
) -> (Vec<Ticket>, Vec<(String, String)>) {
    let properties = match all_properties(client, sent).await {
        Ok(p) => p,
        Err(e) => return (Vec::new(), all_unknown(ids, &e)),
    };
    let (found, mut failed) = batch_read(client, ids, properties).await;
    let mut updated = Vec::new();
    for id in ids {
        if failed.iter().any(|(f, _)| f == id) {
            continue;
        }
        match found.get(id) {
            Some(t) if holds(t, sent) => updated.push(convert::ticket(t.clone())),
            Some(_) => failed.push((
                id.clone(),
                format!(
                    "not changed: its answer was lost ({how}) and reading back found no change"
                ),
            )),
            None => failed.push((
                id.clone(),
                format!("not changed: its answer was lost ({how}) and the ticket no longer exists"),
            )),
        }
    }
    (updated, failed)
}

/// The tickets of a batch archive's lost chunks (their answer lost as `how`), read back: those
/// no longer found (archived), and the others with why.
pub async fn batch_archive(
    client: &Client,
    ids: &[String],
    how: &str,
) -> (Vec<String>, Vec<(String, String)>) {
    let (found, mut failed) = batch_read(client, ids, vec!["hs_object_id".to_owned()]).await;
    let mut archived = Vec::new();
    for id in ids {
        if failed.iter().any(|(f, _)| f == id) {
            continue;
        }
        if found.contains_key(id) {
            failed.push((
                id.clone(),
                format!("not deleted: its answer was lost ({how}) and reading back found it"),
            ));
        } else {
            archived.push(id.clone());
        }
    }
    (archived, failed)
}

/// Batch read of `ids` (chunks of 100): the tickets found by ID, and the IDs whose chunk could
/// not be read, with why. IDs in neither were not found (HubSpot's `OBJECT_NOT_FOUND`).
async fn batch_read(
    client: &Client,
    ids: &[String],
    properties: Vec<String>,
) -> (HashMap<String, SimplePublicObject>, Vec<(String, String)>) {
    let query = BatchReadQuery {
        ids: ids.to_vec(),
        properties,
        ..BatchReadQuery::default()
    };
    let outcome = match client.batch_read_tickets(&query).await {
        Ok(o) => o,
        Err(e) => return (HashMap::new(), all_unknown(ids, &e)),
    };
    let mut found = HashMap::new();
    let mut failed = Vec::new();
    for chunk in outcome.chunks {
        match chunk.result {
            Ok(answer) => found.extend(answer.results.into_iter().map(|t| (t.id.clone(), t))),
            Err(e) => failed.extend(chunk.ids.into_iter().map(|id| (id, still_unknown(&e)))),
        }
    }
    (found, failed)
}

/// What reading back showed about one activity whose create answer was lost, or did not say
/// which record it made.
#[derive(Debug, Clone, PartialEq)]
pub enum Created {
    /// The record holding every value sent, associated with the ticket.
    Found(Box<SimplePublicObject>),
    /// The ticket has no such record.
    Missing,
    /// Reading back failed: the error that stopped it.
    Unknown(String),
}

/// One activity sent: the ticket it was written on, and what was sent.
pub type Sent<'a> = (&'a str, &'a CreateInput);

/// Looks for the activities of `object_type` in `sent` among each ticket's associated records
/// of that type (v4 batch association read, then batch read of the records), in the order
/// given. The one holding every value sent — `hs_timestamp` as an instant, an HTML body by
/// its text — is the one created: HubSpot keeps no key of the request to find it by (see
/// [`verifiable`]), so this is the fingerprint, and a record answers for one input at most.
/// Associations are made with the record, so a create that took effect is associated by the
/// time its answer would have come; whether HubSpot's association reads can lag a create is
/// UNCONFIRMED, which is why `Missing` is reported as an unknown outcome, never as "not
/// created".
pub async fn created(client: &Client, object_type: &str, sent: &[Sent<'_>]) -> Vec<Created> {
    let tickets: Vec<String> = sent
        .iter()
        .map(|(t, _)| (*t).to_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let links = linked(client, object_type, &tickets).await;
    let ids: Vec<String> = links
        .values()
        .filter_map(|l| l.as_ref().ok())
        .flatten()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let properties: BTreeSet<&str> = sent
        .iter()
        .flat_map(|(_, input)| input.properties.keys().map(String::as_str))
        .collect();
    let (records, unreadable) = read_records(client, object_type, ids, &properties).await;
    let mut used: HashSet<String> = HashSet::new();
    sent.iter()
        .map(|(ticket, input)| {
            let ids = match links.get(*ticket) {
                Some(Ok(ids)) => ids,
                Some(Err(why)) => return Created::Unknown(why.clone()),
                None => return Created::Unknown("the ticket was not read back".to_owned()),
            };
            let found = ids
                .iter()
                .filter(|id| !used.contains(*id))
                .filter_map(|id| records.get(id))
                .find(|r| holds_sent(r, input));
            match (found, ids.iter().find_map(|id| unreadable.get(id))) {
                (Some(r), _) => {
                    used.insert(r.id.clone());
                    Created::Found(Box::new(r.clone()))
                }
                (None, Some(why)) => Created::Unknown(why.clone()),
                (None, None) => Created::Missing,
            }
        })
        .collect()
}

/// The IDs of each ticket's associated records of `object_type`, or why they could not be
/// read. A ticket the batch read does not answer for has none.
async fn linked(
    client: &Client,
    object_type: &str,
    tickets: &[String],
) -> HashMap<String, Result<Vec<String>, String>> {
    let mut out: HashMap<String, Result<Vec<String>, String>> = HashMap::new();
    let outcome = match client
        .batch_read_associations("tickets", object_type, tickets)
        .await
    {
        Ok(o) => o,
        Err(e) => {
            return tickets
                .iter()
                .map(|t| (t.clone(), Err(e.summary())))
                .collect();
        }
    };
    for chunk in outcome.chunks {
        let answer = match chunk.result {
            Ok(answer) => answer,
            Err(e) => {
                out.extend(chunk.ids.into_iter().map(|t| (t, Err(e.summary()))));
                continue;
            }
        };
        for t in chunk.ids {
            out.insert(t, Ok(Vec::new()));
        }
        for r in answer.results {
            let more = r.paging.as_ref().is_some_and(|p| p.next.is_some());
            let ids = if more {
                // More than one batch answer holds: read this ticket's in full.
                client
                    .associations("tickets", &r.from.id, object_type)
                    .await
                    .map(|all| all.into_iter().map(|l| l.to_object_id).collect())
                    .map_err(|e| e.summary())
            } else {
                Ok(r.to.into_iter().map(|l| l.to_object_id).collect())
            };
            out.insert(r.from.id, ids);
        }
    }
    out
}

/// Batch read of `ids` with `properties`: the records found by ID, and why the others could
/// not be read (a record in neither does not exist).
async fn read_records(
    client: &Client,
    object_type: &str,
    ids: Vec<String>,
    properties: &BTreeSet<&str>,
) -> (HashMap<String, SimplePublicObject>, HashMap<String, String>) {
    if ids.is_empty() {
        return (HashMap::new(), HashMap::new());
    }
    let query = BatchReadQuery {
        ids: ids.clone(),
        properties: properties.iter().map(|p| (*p).to_owned()).collect(),
        ..BatchReadQuery::default()
    };
    let outcome = match client
        .batch_read_objects::<SimplePublicObject>(object_type, &query)
        .await
    {
        Ok(o) => o,
        Err(e) => {
            return (
                HashMap::new(),
                ids.into_iter().map(|id| (id, e.summary())).collect(),
            );
        }
    };
    let mut found = HashMap::new();
    let mut unreadable = HashMap::new();
    for chunk in outcome.chunks {
        match chunk.result {
            Ok(answer) => found.extend(answer.results.into_iter().map(|r| (r.id.clone(), r))),
            Err(e) => unreadable.extend(chunk.ids.into_iter().map(|id| (id, e.summary()))),
        }
    }
    (found, unreadable)
}

/// Whether a record holds every value of a create: an HTML value (a body) by its text, as
/// HubSpot may store markup in its own form (UNCONFIRMED), the others by meaning.
fn holds_sent(r: &SimplePublicObject, input: &CreateInput) -> bool {
    input.properties.iter().all(|(name, sent)| {
        let read = r.property(name).unwrap_or("");
        if crate::text::looks_like_html(sent) || crate::text::looks_like_html(read) {
            crate::text::html_to_text(sent) == crate::text::html_to_text(read)
        } else {
            same_value(sent, read)
        }
    })
}

fn all_unknown(ids: &[String], e: &ApiError) -> Vec<(String, String)> {
    ids.iter()
        .map(|id| (id.clone(), still_unknown(e)))
        .collect()
}

/// Whether the ticket holds every value sent.
fn holds(t: &SimplePublicObject, sent: &BTreeMap<String, String>) -> bool {
    sent.iter()
        .all(|(name, value)| same_value(value, t.property(name).unwrap_or("")))
}

/// Whether a value read back is the value sent. HubSpot stores some values in its own form: a
/// date-time sent as `2026-03-01T10:00:00Z` reads back with milliseconds, a number or boolean
/// may be normalised, the options of a multiple choice reordered (exactly which, for every
/// property type, is UNCONFIRMED), so values are compared by what they mean. `""` clears.
pub fn same_value(sent: &str, read: &str) -> bool {
    let (sent, read) = (sent.trim(), read.trim());
    if sent == read {
        return true;
    }
    if sent.is_empty() || read.is_empty() {
        return false;
    }
    if let (Some(a), Some(b)) = (instant(sent), instant(read)) {
        return a == b;
    }
    if let (Ok(a), Ok(b)) = (sent.parse::<f64>(), read.parse::<f64>()) {
        return a == b;
    }
    if ["true", "false"].contains(&sent.to_ascii_lowercase().as_str()) {
        return sent.eq_ignore_ascii_case(read);
    }
    options(sent) == options(read)
}

/// The options of a multiple-choice value (`;`-separated), sorted.
fn options(value: &str) -> Vec<&str> {
    let mut v: Vec<&str> = value.split(';').filter(|o| !o.is_empty()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// A date-time as ISO 8601 or as epoch milliseconds (both are accepted on write).
fn instant(s: &str) -> Option<jiff::Timestamp> {
    s.parse::<jiff::Timestamp>().ok().or_else(|| {
        s.parse::<i64>()
            .ok()
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_compare_by_meaning() {
        assert!(same_value("HIGH", "HIGH"));
        assert!(!same_value("HIGH", "LOW"));
        assert!(same_value("", ""), "a cleared value reads back empty");
        assert!(!same_value("", "HIGH"));
        assert!(!same_value("HIGH", ""));
        assert!(same_value(
            "2026-03-01T10:00:00Z",
            "2026-03-01T10:00:00.000Z"
        ));
        assert!(same_value("1772359200000", "2026-03-01T10:00:00.000Z"));
        assert!(!same_value(
            "2026-03-01T10:00:00Z",
            "2026-03-01T10:01:00.000Z"
        ));
        assert!(same_value("1.50", "1.5"));
        assert!(!same_value("1.5", "1.25"));
        assert!(same_value("True", "true"));
        assert!(!same_value("true", "false"));
        assert!(same_value("A;B", "B;A"));
        assert!(!same_value("A;B", "A"));
        assert!(same_value(" text ", "text"));
    }

    #[test]
    fn only_lost_answers_are_verified() {
        let unknown = ApiError::WriteOutcomeUnknown {
            method: "DELETE".into(),
            path: "/crm/v3/objects/tickets/1051".into(),
            cause: "timed out".into(),
        };
        assert!(lost_answer(&unknown));
        assert_eq!(how_lost(&unknown), "timed out");
        let reset = ApiError::WriteOutcomeUnknown {
            method: "DELETE".into(),
            path: "/crm/v3/objects/tickets/1051".into(),
            cause: "error sending request for url (http://127.0.0.1:9/crm/v3/objects/tickets/\
                    1051): client error (SendRequest): connection error: Connection reset by \
                    peer (os error 104)"
                .into(),
        };
        assert_eq!(how_lost(&reset), "Connection reset by peer (os error 104)");
        assert!(lost_answer(&ApiError::Decode("eof".into())));
        assert!(
            !lost_answer(&ApiError::Timeout),
            "a read's timeout is just a failure"
        );
        assert!(!lost_answer(&ApiError::Network("refused".into())));
    }
}
