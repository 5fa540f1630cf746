//! Writing activities on tickets: one note, call or task (associated at creation, pinned when
//! asked), one note on each of many tickets by batch create, and the portal's choices for
//! the activity forms.
//!
//! Owns: these writes and their answers, down to which ticket each created record belongs
//! to. Must not: send a create again whose answer was lost — it reads the ticket's
//! activities back instead (`verify::created`) — or touch UI state.

use std::collections::HashMap;

use super::{Event, Failure, Lost, ReqId, Verdict, convert, verify};
use crate::domain::{ActivityOptions, NewActivity, ObjectKind};
use crate::hubspot::{ApiError, BatchResponse, Client, CreateInput, SimplePublicObject};
use crate::protocol::FailureKind;

/// Creates a note, call or task with its associations, then pins it when asked. A create
/// whose answer was lost is looked for on the ticket: found, it is answered as verified (and
/// pinned when asked); not found, the outcome stays unknown and the text is not sent again.
/// A refused pin does not undo the activity: the event says it was created, and why it is
/// not pinned.
pub async fn create(
    client: &Client,
    req: ReqId,
    activity: &NewActivity,
) -> Result<Event, ApiError> {
    let object = activity.kind().object();
    let input = convert::new_activity(activity);
    let (created, lost) = match client.create_object(object.api_name(), &input).await {
        Ok(created) => (created, None),
        Err(e) if verify::lost_answer(&e) => {
            let sent = [(activity.ticket_id.as_str(), &input)];
            match verify::created(client, object.api_name(), &sent)
                .await
                .pop()
            {
                Some(verify::Created::Found(record)) => (*record, Some(verify::how_lost(&e))),
                found => {
                    return Ok(Event::Failed {
                        req,
                        failure: not_found(&e, object, found),
                    });
                }
            }
        }
        Err(e) => return Err(e),
    };
    let (pinned, pin_failed) = pin(client, activity, &created.id).await;
    let event = Event::ActivityCreated {
        req,
        ticket_id: activity.ticket_id.clone(),
        activity: convert::activity(object, &created.id, &created),
        pinned,
        pin_failed,
    };
    Ok(match lost {
        Some(lost) => Event::WriteVerified {
            req,
            tickets: vec![activity.ticket_id.clone()],
            lost,
            verdict: Verdict::Answered(Box::new(event)),
        },
        None => event,
    })
}

/// The failure of a create whose answer was lost and that reading back did not find: its
/// outcome is unknown (it may still show up), and it was not sent again.
fn not_found(lost: &ApiError, object: ObjectKind, found: Option<verify::Created>) -> Failure {
    let what = object.label().to_lowercase();
    let read = match found {
        Some(verify::Created::Unknown(why)) => format!("reading the ticket back failed ({why})"),
        _ => format!("the ticket shows no such {what} yet"),
    };
    let mut failure = Failure::from_api(lost).reworded(format!(
        "outcome unknown: HubSpot's answer was lost ({}) and {read}; the {what} was not sent \
         again — check the ticket's Activity tab before writing it again",
        verify::how_lost(lost)
    ));
    failure.kind = FailureKind::OutcomeUnknown;
    failure.outcome_unknown = true;
    failure
}

/// Pins the new activity on its ticket when asked: whether it is pinned, and why not. A pin
/// whose answer was lost is read back.
async fn pin(client: &Client, activity: &NewActivity, id: &str) -> (bool, Option<Box<Failure>>) {
    if !activity.pin {
        return (false, None);
    }
    let e = match client.pin_engagement(&activity.ticket_id, id).await {
        Ok(_) => return (true, None),
        Err(e) => e,
    };
    if !verify::lost_answer(&e) {
        return (false, Some(Box::new(Failure::from_api(&e))));
    }
    let query = crate::hubspot::GetQuery::properties(&[crate::hubspot::PINNED_ENGAGEMENT_PROPERTY]);
    let how = verify::how_lost(&e);
    let mut failure = Failure::from_api(&e);
    match client.get_ticket(&activity.ticket_id, &query).await {
        Ok(t) if t.property(crate::hubspot::PINNED_ENGAGEMENT_PROPERTY) == Some(id) => {
            return (true, None);
        }
        Ok(_) => {
            failure = failure.reworded(format!(
                "not pinned: HubSpot's answer was lost ({how}) and reading the ticket back \
                 shows it is not pinned"
            ));
            // As a write read back and found not applied is told (app::verified).
            failure.kind = FailureKind::Network;
            failure.outcome_unknown = false;
        }
        Err(read) => {
            failure = failure.reworded(format!(
                "pin unknown: HubSpot's answer was lost ({how}) and reading the ticket back \
                 failed ({})",
                read.summary()
            ));
            failure.kind = FailureKind::OutcomeUnknown;
            failure.outcome_unknown = true;
        }
    }
    (false, Some(Box::new(failure)))
}

/// One activity of a batch: its place in the command, the ticket and what is sent.
struct Input<'a> {
    index: usize,
    ticket: &'a str,
    create: CreateInput,
}

/// One note on each of several tickets (a macro on marked tickets) by batch create, in chunks
/// of 100, each input traced by an `objectWriteTraceId` naming its ticket so every result and
/// every per-input error (207) maps back to it. A chunk whose answer was lost is not sent
/// again: its tickets' notes are looked for (`verify::created`), and those not found are
/// reported with an unknown outcome. So are inputs a successful answer does not account for
/// (HubSpot's results carry `objectWriteTraceId` per the specs; that it always echoes it is
/// UNCONFIRMED). Notes are batched per kind, should a call or task be among them.
pub async fn create_notes(
    client: &Client,
    req: ReqId,
    notes: &[NewActivity],
) -> Result<Event, ApiError> {
    let mut created = Vec::new();
    let mut failed = Vec::new();
    let mut lost = Lost::default();
    for kind in [ObjectKind::Note, ObjectKind::Call, ObjectKind::Task] {
        let inputs: Vec<Input> = notes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind().object() == kind)
            .map(|(index, n)| {
                let mut create = convert::new_activity(n);
                create.object_write_trace_id = Some(trace_id(index, &n.ticket_id));
                Input {
                    index,
                    ticket: &n.ticket_id,
                    create,
                }
            })
            .collect();
        if inputs.is_empty() {
            continue;
        }
        let (mut yes, mut no) = create_batch(client, kind, &inputs, &mut lost).await?;
        created.append(&mut yes);
        failed.append(&mut no);
    }
    created.sort_unstable();
    failed.sort_unstable();
    let event = Event::NotesCreated {
        req,
        created: created.into_iter().map(|(_, t, id)| (t, id)).collect(),
        failed: failed.into_iter().map(|(_, t, why)| (t, why)).collect(),
    };
    Ok(lost.wrap(req, event))
}

/// The trace of the `index`th input, on `ticket`: unique within the command (a ticket may
/// come twice) and naming the ticket for whoever reads HubSpot's logs.
fn trace_id(index: usize, ticket: &str) -> String {
    format!("ticket-{ticket}-{index}")
}

/// Inputs by their place in the command: (place, ticket, note ID or why not).
type ByPlace = Vec<(usize, String, String)>;

/// The created (place, ticket, note ID) and the refused (place, ticket, why).
type Outcomes = (ByPlace, ByPlace);

/// One kind's inputs by batch create: what was created and what not, by ticket. Lost chunks
/// are added to `lost`.
async fn create_batch(
    client: &Client,
    kind: ObjectKind,
    inputs: &[Input<'_>],
    lost: &mut Lost,
) -> Result<Outcomes, ApiError> {
    let creates: Vec<CreateInput> = inputs.iter().map(|i| i.create.clone()).collect();
    let outcome = client
        .batch_create_objects::<SimplePublicObject>(kind.api_name(), &creates)
        .await?;
    let mut created = Vec::new();
    let mut failed = Vec::new();
    // Inputs to look for on their tickets, with why they have to be.
    let mut unaccounted: Vec<(&Input, String)> = Vec::new();
    for chunk in outcome.chunks {
        let chunk_inputs = &inputs[chunk.range.clone()];
        match chunk.result {
            Ok(answer) => {
                let ((mut yes, mut no), rest) = accounted(chunk_inputs, answer);
                created.append(&mut yes);
                failed.append(&mut no);
                let why = "HubSpot's answer did not say what became of it".to_owned();
                unaccounted.extend(rest.into_iter().map(|i| (i, why.clone())));
            }
            Err(e) if verify::lost_answer(&e) => {
                let tickets: Vec<String> =
                    chunk_inputs.iter().map(|i| i.ticket.to_owned()).collect();
                lost.add(&tickets, &e);
                let why = format!("HubSpot's answer was lost ({})", verify::how_lost(&e));
                unaccounted.extend(chunk_inputs.iter().map(|i| (i, why.clone())));
            }
            Err(e) => failed.extend(
                chunk_inputs
                    .iter()
                    .map(|i| (i.index, i.ticket.to_owned(), e.summary())),
            ),
        }
    }
    let (mut yes, mut no) = read_back(client, kind, &unaccounted).await;
    created.append(&mut yes);
    failed.append(&mut no);
    Ok((created, failed))
}

/// One chunk's answer mapped back to its inputs by `objectWriteTraceId`: the created, the
/// refused (per-input errors of a 207), and the inputs the answer does not account for.
fn accounted<'i, 'a>(
    inputs: &'i [Input<'a>],
    answer: BatchResponse<SimplePublicObject>,
) -> (Outcomes, Vec<&'i Input<'a>>) {
    let by_trace: HashMap<&str, &Input> = inputs
        .iter()
        .filter_map(|i| i.create.object_write_trace_id.as_deref().map(|t| (t, i)))
        .collect();
    let mut done: Vec<usize> = Vec::new();
    let mut created = Vec::new();
    let mut failed = Vec::new();
    for r in answer.results {
        if let Some(i) = r
            .object_write_trace_id
            .as_deref()
            .and_then(|t| by_trace.get(t))
        {
            done.push(i.index);
            created.push((i.index, i.ticket.to_owned(), r.id));
        }
    }
    for e in &answer.errors {
        let why = format!("{}: {}", e.category, e.message);
        for i in e
            .trace_ids()
            .iter()
            .filter_map(|t| by_trace.get(t.as_str()))
        {
            done.push(i.index);
            failed.push((i.index, i.ticket.to_owned(), why.clone()));
        }
    }
    let rest = inputs.iter().filter(|i| !done.contains(&i.index)).collect();
    ((created, failed), rest)
}

/// Looks for the notes whose fate the answers did not tell on their tickets: found, they were
/// created; else their outcome stays unknown, with `why` it had to be looked for.
async fn read_back(
    client: &Client,
    kind: ObjectKind,
    unaccounted: &[(&Input<'_>, String)],
) -> Outcomes {
    if unaccounted.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let sent: Vec<verify::Sent> = unaccounted
        .iter()
        .map(|(i, _)| (i.ticket, &i.create))
        .collect();
    let found = verify::created(client, kind.api_name(), &sent).await;
    let what = kind.label().to_lowercase();
    let mut created = Vec::new();
    let mut failed = Vec::new();
    for ((input, why), found) in unaccounted.iter().zip(found) {
        let ticket = input.ticket.to_owned();
        match found {
            verify::Created::Found(r) => created.push((input.index, ticket, r.id)),
            verify::Created::Missing => failed.push((
                input.index,
                ticket,
                format!(
                    "outcome unknown: {why} and the ticket shows no such {what} yet; not sent \
                     again — check its Activity tab"
                ),
            )),
            verify::Created::Unknown(read) => failed.push((
                input.index,
                ticket,
                format!("outcome unknown: {why} and reading back failed ({read}); not sent again"),
            )),
        }
    }
    (created, failed)
}

/// The portal's choices for the activity forms: the call outcomes (`hs_call_disposition`'s
/// options, HubSpot's defaults when it lists none).
pub async fn load_options(client: &Client, req: ReqId) -> Result<Event, ApiError> {
    let disposition = match client.property("calls", "hs_call_disposition").await {
        Ok(p) => Some(p),
        Err(e) if e.is_not_found() => None,
        Err(e) => return Err(e),
    };
    Ok(Event::ActivityOptionsLoaded {
        req,
        options: ActivityOptions {
            call_outcomes: convert::call_outcomes(disposition),
        },
    })
}
