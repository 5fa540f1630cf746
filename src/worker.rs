//! The async API worker: owns the HubSpot client, takes [`Command`]s from the event loop and
//! answers with [`Event`]s carrying data in the app's own types.
//!
//! Every command carries a [`ReqId`] that its answer echoes, so the app drops stale answers.
//! Commands run as sub-tasks bounded by a semaphore; a command in a [`Slot`] aborts the one
//! before it in the same slot (a superseded detail fetch is cancelled, not just ignored).
//! Writes that share a ticket — single writes and batches alike — run one at a time, in the
//! order they were asked for (`write_queue`); reads and writes to other tickets run in
//! parallel. A write whose answer was lost is never re-sent: the worker reads the tickets back
//! and says what took effect (`verify`, [`Event::WriteVerified`]). Notes, calls and tasks
//! (`activities`) are looked for on their ticket the same way. With a journal, every write
//! is journaled before it is sent and its outcome after (`journaled`, [`Event::Journaled`]),
//! earlier runs' unanswered writes are resolved at start ([`Event::JournalLoaded`]), and
//! undos are prepared and carried out there.
//! The worker never touches UI state: it only sends events.

mod activities;
mod journaled;
mod ordered;
mod verify;
mod write_queue;

use crate::domain::{Activity, Associated, Ticket};

pub use crate::mapping as convert;
pub use crate::protocol::{
    Command, Event, Failure, ListSource, ReqId, SearchSource, Slot, Verdict, WorkerStatus,
};

/// The search request for one page of a view (HubSpot's wire types, from the protocol's).
impl SearchSource {
    /// The request for one page: from `offset`, and past the cap after record ID `keyset`
    /// (see [`parse_cursor`]).
    fn request(
        &self,
        keyset: Option<&str>,
        offset: Option<&str>,
        properties: Vec<String>,
    ) -> SearchRequest {
        use crate::domain::search::{Filter, FilterGroup, FilterOperator, SortDirection};
        let mut filter_groups = self.filter_groups.clone();
        if let Some(id) = keyset {
            let desc = self
                .sort
                .as_ref()
                .is_some_and(|s| s.direction == SortDirection::Descending);
            let op = if desc {
                FilterOperator::Lt
            } else {
                FilterOperator::Gt
            };
            let f = Filter::new("hs_object_id", op, id);
            if filter_groups.is_empty() {
                filter_groups.push(FilterGroup { filters: vec![f] });
            } else {
                for g in &mut filter_groups {
                    g.filters.push(f.clone());
                }
            }
        }
        SearchRequest {
            filter_groups: filter_groups
                .iter()
                .map(crate::mapping::search::group)
                .collect(),
            sorts: self.sort.iter().map(crate::mapping::search::sort).collect(),
            query: self.query.clone(),
            properties,
            limit: Some(SEARCH_PAGE),
            after: offset.map(str::to_owned),
        }
    }
}

/// Splits a search cursor — what [`Event::TicketsListed`] gave as `next_after`: an offset
/// (`"200"`), or `k<id>` / `k<id>+<offset>` past the cap — into (keyset ID, offset).
fn parse_cursor(cursor: Option<&str>) -> (Option<&str>, Option<&str>) {
    match cursor {
        None => (None, None),
        Some(c) => match c.strip_prefix('k') {
            Some(rest) => match rest.split_once('+') {
                Some((id, offset)) => (Some(id), Some(offset)),
                None => (Some(rest), None),
            },
            None => (None, Some(c)),
        },
    }
}

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Semaphore, mpsc};
use tokio::task::{AbortHandle, JoinSet};

use crate::domain::ObjectKind;
use crate::hubspot::{
    ApiError, BatchReadQuery, Client, ClientEvent, GetQuery, ListQuery, SearchRequest,
    SimplePublicObject,
};

/// Requests the worker runs at once. HubSpot's burst budget is per 10 seconds, so a handful
/// in parallel is plenty; the client paces them against the rate-limit headers.
pub const MAX_CONCURRENT: usize = 6;

/// Tickets per list page: HubSpot's maximum.
pub const LIST_PAGE: u32 = 100;
/// Tickets per search page: HubSpot's maximum (search is limited to 5 requests a second).
pub const SEARCH_PAGE: u32 = 200;

/// Installs the one write gate ([`crate::protocol::Gate`]) in `client` and every clone of
/// it: `read_only`, and offline while the client cannot reach HubSpot. A write it refuses is
/// never sent (the client answers [`ApiError::Refused`] without a request).
pub fn install_gate(client: &Client, read_only: bool) {
    let reach = client.watch_reachability();
    let tz = jiff::tz::TimeZone::system();
    client.set_write_gate(Arc::new(move || {
        let gate = crate::protocol::Gate {
            read_only,
            offline_since: *reach.borrow(),
        };
        gate.refusal().map(|r| r.line(&tz))
    }));
}

/// Starts the worker on the current runtime. Send commands on the returned sender; events
/// arrive on `events`. The worker stops when the command sender is dropped.
pub fn spawn(client: Client, events: mpsc::Sender<Event>) -> mpsc::UnboundedSender<Command> {
    spawn_journaled(client, events, None)
}

/// [`spawn`], journaling every write in `journal` (see `crate::journal`): at once, the
/// entries an earlier run left without outcome are resolved by reading back, and the whole
/// journal is sent as [`Event::JournalLoaded`].
pub fn spawn_journaled(
    client: Client,
    events: mpsc::Sender<Event>,
    journal: Option<Arc<crate::journal::Journal>>,
) -> mpsc::UnboundedSender<Command> {
    let (tx, rx) = mpsc::unbounded_channel();
    if let Some(j) = journal.clone() {
        let (client, events) = (client.clone(), events.clone());
        tokio::spawn(async move {
            let (entries, resolved_now) = journaled::resolve_all(&client, &j).await;
            let _ = events
                .send(Event::JournalLoaded {
                    entries,
                    resolved_now,
                })
                .await;
        });
    }
    tokio::spawn(run(client, rx, events, journal));
    tx
}

async fn run(
    client: Client,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::Sender<Event>,
    journal: Option<Arc<crate::journal::Journal>>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENT));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut slots: HashMap<Slot, AbortHandle> = HashMap::new();
    // Writes sharing a ticket can't race: their order on the wire is the order the user made
    // them, a batch included.
    let mut writes = write_queue::WriteQueue::default();
    let mut tasks = JoinSet::new();
    let mut client_events = client.events();
    let mut reach = client.watch_reachability();
    // Offline already (the start's first request could not reach HubSpot): say so at once.
    reach.mark_changed();
    let mut backoff_until: Option<jiff::Timestamp> = None;
    let status = |in_flight: usize, backoff_until| {
        let h = client.headroom();
        Event::Status(WorkerStatus {
            in_flight,
            remaining: h.as_ref().and_then(|h| h.remaining),
            max: h.as_ref().and_then(|h| h.max),
            backoff_until,
        })
    };
    loop {
        tokio::select! {
            cmd = commands.recv() => {
                let Some(cmd) = cmd else { break };
                if cmd.is_write()
                    && let Some(why) = client.refuses_writes()
                {
                    // The gate is closed: nothing is sent, and the app hears why.
                    let refused = Event::Failed { req: cmd.req(), failure: Failure::refused(why) };
                    let _ = events.send(refused).await;
                    continue;
                }
                if let Some(slot) = cmd.slot()
                    && let Some(previous) = slots.remove(&slot)
                {
                    // Superseded: its answer would be dropped anyway; don't spend the budget.
                    previous.abort();
                }
                let slot = cmd.slot();
                // Taken here, in the order commands arrive, not when the task first runs.
                let turn = writes.enter(&cmd.written_tickets());
                let client = client.clone();
                let events_tx = events.clone();
                let permits = permits.clone();
                let counter = in_flight.clone();
                let journal = journal.clone();
                let handle = tasks.spawn(async move {
                    turn.ready().await;
                    let Ok(_permit) = permits.acquire_owned().await else { return };
                    // Counted down on drop: a superseded command is aborted mid-request.
                    let in_flight = InFlight::enter(counter);
                    // A lost answer is read back within the turn: no later write to these
                    // tickets can change them before the reading.
                    let (event, logged) = journaled::around(
                        &client,
                        journal.as_deref(),
                        cmd,
                        |cmd| answer(&client, cmd),
                    )
                    .await;
                    drop(in_flight);
                    drop(turn);
                    // The UI may be gone (quitting): nothing left to tell.
                    let _ = events_tx.send(event).await;
                    if let Some(logged) = logged {
                        let _ = events_tx.send(Event::Journaled(Box::new(logged))).await;
                    }
                });
                if let Some(slot) = slot {
                    slots.insert(slot, handle);
                }
                let _ = events.try_send(status(in_flight.load(Ordering::SeqCst) + 1, backoff_until));
            }
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {
                writes.prune();
                if backoff_until.is_some_and(|u| u <= jiff::Timestamp::now()) {
                    backoff_until = None;
                }
                let _ = events.try_send(status(in_flight.load(Ordering::SeqCst), backoff_until));
            }
            Ok(()) = reach.changed() => {
                let offline_since = *reach.borrow_and_update();
                let _ = events.send(Event::Reachability { offline_since }).await;
            }
            ev = client_events.recv() => {
                if let Ok(ClientEvent::Backoff { until, .. }) = ev {
                    backoff_until = Some(until);
                    let _ = events.try_send(status(in_flight.load(Ordering::SeqCst), backoff_until));
                }
            }
        }
    }
    tasks.abort_all();
}

/// One request counted in flight until dropped, however its task ends (aborted included).
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(counter: Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(counter)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One page of a search view. Offsets run up to HubSpot's 10,000 cap; past it, a view sorted
/// by record ID goes on from the last ID seen (`k<id>` cursors); any other stops, `capped`.
async fn search_page(
    client: &Client,
    req: ReqId,
    src: &SearchSource,
    cursor: Option<&str>,
    properties: Vec<String>,
) -> Result<Event, ApiError> {
    let (keyset, offset) = parse_cursor(cursor);
    let page = client
        .search_tickets(&src.request(keyset, offset, properties))
        .await?;
    let offset: u64 = offset.and_then(|o| o.parse().ok()).unwrap_or(0);
    let reached = offset + page.results.len() as u64;
    let last_id = page.results.last().map(|t| t.id.clone());
    let next = page.next_after().and_then(|a| a.parse::<u64>().ok());
    let more = next.is_some() || reached < page.total;
    let at_cap = more && next.is_none_or(|n| n >= crate::domain::search::SEARCH_CAP);
    let (next_after, capped) = match (next, at_cap) {
        (_, true) if src.can_page_past_cap() => (last_id.map(|id| format!("k{id}")), false),
        (_, true) => (None, true),
        (Some(n), false) => (
            Some(match &keyset {
                Some(id) => format!("k{id}+{n}"),
                None => n.to_string(),
            }),
            false,
        ),
        (None, false) => (None, false),
    };
    Ok(Event::TicketsListed {
        req,
        // Past the cap HubSpot counts only what is left: the first page's total stands.
        total: keyset.is_none().then_some(page.total),
        tickets: page.results.into_iter().map(convert::ticket).collect(),
        next_after,
        capped,
    })
}

/// Runs one command into the event that answers it. A single write whose answer was lost is
/// verified by reading back, never sent again (batches verify their lost chunks themselves).
async fn answer(client: &Client, cmd: Command) -> Event {
    let req = cmd.req();
    let write = verify::verifiable(&cmd).then(|| cmd.clone());
    match execute(client, cmd).await {
        Ok(event) => event,
        Err(e) => {
            let verified = match &write {
                Some(w) if verify::lost_answer(&e) => verify::single(client, w, &e).await,
                _ => None,
            };
            verified.unwrap_or_else(|| Event::Failed {
                req,
                failure: Failure::from_api(&e),
            })
        }
    }
}

/// The association types of an associate command: the one added, then those kept, each once.
fn association_specs(
    category: &str,
    type_id: u32,
    keep: &[(String, u32)],
) -> Result<Vec<crate::hubspot::AssociationSpec>, ApiError> {
    let mut specs = Vec::new();
    for (category, type_id) in
        std::iter::once((category, type_id)).chain(keep.iter().map(|(c, t)| (c.as_str(), *t)))
    {
        let category = serde_json::from_value(serde_json::Value::String(category.to_owned()))
            .map_err(|e| ApiError::Decode(format!("association category: {e}")))?;
        let spec = crate::hubspot::AssociationSpec {
            association_category: category,
            association_type_id: type_id,
        };
        if !specs.contains(&spec) {
            specs.push(spec);
        }
    }
    Ok(specs)
}

/// Removes one association type (a label) between a ticket and a record (v4
/// `batch/labels/archive`, one input).
async fn remove_label(
    client: &Client,
    req: ReqId,
    ticket_id: String,
    kind: ObjectKind,
    to_id: &str,
    (category, type_id): (&str, u32),
) -> Result<Event, ApiError> {
    let specs = association_specs(category, type_id, &[])?;
    let input = crate::hubspot::labels_input(&ticket_id, to_id, specs);
    let outcome = client
        .remove_association_labels("tickets", kind.api_name(), &[input])
        .await?;
    if let Some((_, e)) = outcome.failed_chunks().next() {
        return Err(e.clone());
    }
    Ok(Event::AssociationChanged { req, ticket_id })
}

/// Batch archive; the tickets of chunks whose answer was lost are read back.
async fn batch_archive(client: &Client, req: ReqId, ids: Vec<String>) -> Result<Event, ApiError> {
    let outcome = client.batch_archive_tickets(&ids).await?;
    let mut failed = Vec::new();
    let mut archived = Vec::new();
    let mut lost = Lost::default();
    for chunk in &outcome.chunks {
        match &chunk.result {
            Ok(()) => archived.extend(chunk.ids.iter().cloned()),
            Err(e) if verify::lost_answer(e) => lost.add(&chunk.ids, e),
            Err(e) => failed.extend(chunk.ids.iter().map(|id| (id.clone(), e.summary()))),
        }
    }
    if !lost.ids.is_empty() {
        let how = lost.how.as_deref().unwrap_or_default();
        let (yes, no) = verify::batch_archive(client, &lost.ids, how).await;
        archived.extend(yes);
        failed.extend(no);
    }
    Ok(lost.wrap(
        req,
        Event::BatchArchived {
            req,
            archived,
            failed,
        },
    ))
}

/// Batch update; the tickets of chunks whose answer was lost are read back.
async fn batch_update(
    client: &Client,
    req: ReqId,
    ids: &[String],
    properties: &std::collections::BTreeMap<String, String>,
) -> Result<Event, ApiError> {
    let inputs: Vec<crate::hubspot::UpdateInput> = ids
        .iter()
        .map(|id| crate::hubspot::UpdateInput {
            id: id.clone(),
            properties: properties.clone(),
            id_property: None,
            object_write_trace_id: None,
        })
        .collect();
    let outcome = client.batch_update_tickets(&inputs).await?;
    let mut failed: Vec<(String, String)> = Vec::new();
    let mut lost = Lost::default();
    for (chunk, e) in outcome.failed_chunks() {
        if verify::lost_answer(e) {
            lost.add(&chunk.ids, e);
        } else {
            failed.extend(chunk.ids.iter().map(|id| (id.clone(), e.summary())));
        }
    }
    for e in outcome.errors() {
        let why = format!("{}: {}", e.category, e.message);
        if e.ids().is_empty() {
            failed.push((String::new(), why.clone()));
        }
        failed.extend(e.ids().iter().map(|id| (id.clone(), why.clone())));
    }
    let mut updated: Vec<Ticket> = outcome
        .into_results()
        .into_iter()
        .map(convert::ticket)
        .collect();
    if !lost.ids.is_empty() {
        let how = lost.how.as_deref().unwrap_or_default();
        let (yes, no) = verify::batch_update(client, &lost.ids, properties, how).await;
        updated.extend(yes);
        failed.extend(no);
    }
    Ok(lost.wrap(
        req,
        Event::BatchUpdated {
            req,
            updated,
            failed,
        },
    ))
}

/// The chunks of a batch whose answer was lost: their tickets and how the first was lost.
#[derive(Default)]
struct Lost {
    ids: Vec<String>,
    how: Option<String>,
}

impl Lost {
    fn add(&mut self, ids: &[String], e: &ApiError) {
        self.ids.extend(ids.iter().cloned());
        self.how.get_or_insert_with(|| verify::how_lost(e));
    }

    /// The batch's event, as verified when some of it had to be read back.
    fn wrap(self, req: ReqId, event: Event) -> Event {
        match self.how {
            Some(lost) => Event::WriteVerified {
                req,
                tickets: self.ids,
                lost,
                verdict: Verdict::Answered(Box::new(event)),
            },
            None => event,
        }
    }
}

/// Runs one command: a dispatcher, one function per command.
async fn execute(client: &Client, cmd: Command) -> Result<Event, ApiError> {
    match cmd {
        Command::ListTickets {
            req,
            source,
            after,
            properties,
        } => list_tickets(client, req, source, after, properties).await,
        Command::CountTickets { req, source } => count(client, req, &source).await,
        Command::LoadProperties { req } => load_properties(client, req).await,
        Command::LoadPipelines { req } => load_pipelines(client, req).await,
        Command::LoadOwners { req } => load_owners(client, req).await,
        Command::GetTicket {
            req,
            id,
            properties,
        } => Ok(Event::TicketFetched {
            req,
            ticket: full_ticket(client, &id, properties).await?,
        }),
        Command::CheckTicket {
            req,
            id,
            properties,
        } => Ok(Event::TicketChecked {
            req,
            ticket: full_ticket(client, &id, properties).await?,
        }),
        Command::SearchRecords { req, query } => Ok(Event::RecordsFound {
            req,
            items: search_records(client, &query).await?,
        }),
        Command::CreateTicket {
            req,
            properties,
            associations,
        } => create_ticket(client, req, properties, associations).await,
        Command::ArchiveTicket { req, id } => {
            client.archive_ticket(&id).await?;
            Ok(Event::TicketArchived { req, id })
        }
        Command::BatchArchive { req, ids } => batch_archive(client, req, ids).await,
        Command::LoadLabels { req, kind } => load_labels(client, req, kind).await,
        Command::Associate {
            req,
            ticket_id,
            kind,
            to_id,
            category,
            type_id,
            keep,
        } => {
            let specs = association_specs(&category, type_id, &keep)?;
            client
                .associate("tickets", &ticket_id, kind.api_name(), &to_id, &specs)
                .await?;
            Ok(Event::AssociationChanged { req, ticket_id })
        }
        Command::RemoveAssociation {
            req,
            ticket_id,
            kind,
            to_id,
        } => {
            client
                .remove_association("tickets", &ticket_id, kind.api_name(), &to_id)
                .await?;
            Ok(Event::AssociationChanged { req, ticket_id })
        }
        Command::RemoveAssociationLabel {
            req,
            ticket_id,
            kind,
            to_id,
            category,
            type_id,
        } => remove_label(client, req, ticket_id, kind, &to_id, (&category, type_id)).await,
        Command::BatchUpdate {
            req,
            ids,
            properties,
        } => batch_update(client, req, &ids, &properties).await,
        Command::UpdateTicket {
            req,
            id,
            properties,
        } => {
            let ticket = client.update_ticket(&id, &properties, None).await?;
            Ok(Event::TicketUpdated {
                req,
                ticket: convert::ticket(ticket),
            })
        }
        Command::LoadCustomers { req, ticket_ids } => customers(client, req, ticket_ids).await,
        Command::LoadRecordTickets {
            req,
            kind,
            id,
            properties,
        } => record_tickets(client, req, kind, id, properties).await,
        Command::MergeTickets { req, merge: m } => merge(client, req, m).await,
        Command::LoadAssociations { req, ticket_id } => Ok(Event::AssociationsLoaded {
            req,
            items: load_associated(client, &ticket_id, &ObjectKind::ALL).await?,
            ticket_id,
        }),
        Command::LoadActivities { req, ticket_id } => load_activities(client, req, ticket_id).await,
        Command::CreateActivity { req, activity } => {
            activities::create(client, req, &activity).await
        }
        Command::CreateNotes { req, notes } => activities::create_notes(client, req, &notes).await,
        Command::LoadActivityOptions { req } => activities::load_options(client, req).await,
        Command::PrepareUndo { req, entries } => {
            Ok(journaled::prepare_undo(client, req, &entries).await)
        }
        Command::Undo { req, plan } => journaled::undo(client, req, &plan).await,
    }
}

/// One page of a list: a batch open, every ticket, or a search (by option order or not).
async fn list_tickets(
    client: &Client,
    req: ReqId,
    source: ListSource,
    after: Option<String>,
    properties: Vec<String>,
) -> Result<Event, ApiError> {
    match source {
        ListSource::Batch {
            values,
            id_property,
        } => batch_open(client, req, values, id_property, properties).await,
        ListSource::All => list_page(client, req, after, properties).await,
        ListSource::Search(src) if src.option_order.is_some() => {
            ordered::page(client, req, &src, after.as_deref(), properties).await
        }
        ListSource::Search(src) => {
            search_page(client, req, &src, after.as_deref(), properties).await
        }
    }
}

/// One page of every ticket, in HubSpot's list order.
async fn list_page(
    client: &Client,
    req: ReqId,
    after: Option<String>,
    properties: Vec<String>,
) -> Result<Event, ApiError> {
    let page = client
        .list_tickets(&ListQuery {
            limit: Some(LIST_PAGE),
            after,
            properties,
            ..ListQuery::default()
        })
        .await?;
    let next_after = page.next_after().map(str::to_owned);
    Ok(Event::TicketsListed {
        req,
        tickets: page.results.into_iter().map(convert::ticket).collect(),
        next_after,
        total: None,
        capped: false,
    })
}

/// How many tickets a search finds (one result asked for, the total read).
async fn count(client: &Client, req: ReqId, source: &SearchSource) -> Result<Event, ApiError> {
    let page = client
        .search_tickets(&SearchRequest {
            limit: Some(1),
            ..source.request(None, None, vec!["hs_object_id".to_owned()])
        })
        .await?;
    Ok(Event::TicketsCounted {
        req,
        total: page.total,
    })
}

/// The ticket property catalogue and its groups (archived properties left out).
async fn load_properties(client: &Client, req: ReqId) -> Result<Event, ApiError> {
    let (properties, groups) = tokio::try_join!(
        client.properties("tickets"),
        client.property_groups("tickets")
    )?;
    Ok(Event::PropertiesLoaded {
        req,
        properties: properties
            .into_iter()
            .filter(|p| !p.archived)
            .map(convert::property)
            .collect(),
        groups: groups.into_iter().map(convert::group).collect(),
    })
}

async fn load_pipelines(client: &Client, req: ReqId) -> Result<Event, ApiError> {
    Ok(Event::PipelinesLoaded {
        req,
        pipelines: client
            .pipelines("tickets")
            .await?
            .into_iter()
            .filter(|p| !p.archived)
            .map(convert::pipeline)
            .collect(),
    })
}

async fn load_owners(client: &Client, req: ReqId) -> Result<Event, ApiError> {
    Ok(Event::OwnersLoaded {
        req,
        owners: client
            .owners()
            .await?
            .into_iter()
            .map(convert::owner)
            .collect(),
    })
}

/// A new ticket, associated at creation with HubSpot's default type for each record.
async fn create_ticket(
    client: &Client,
    req: ReqId,
    properties: std::collections::BTreeMap<String, String>,
    associations: Vec<(ObjectKind, String)>,
) -> Result<Event, ApiError> {
    let input = crate::hubspot::CreateInput {
        properties,
        associations: associations
            .into_iter()
            .map(|(kind, id)| crate::hubspot::AssociationInput {
                to: crate::hubspot::ObjectId::new(id),
                types: vec![crate::hubspot::AssociationSpec::hubspot(
                    kind.ticket_default_type_id(),
                )],
            })
            .collect(),
        object_write_trace_id: None,
    };
    Ok(Event::TicketCreated {
        req,
        ticket: convert::ticket(client.create_ticket(&input).await?),
    })
}

/// The association types (labels) between tickets and `kind`.
async fn load_labels(client: &Client, req: ReqId, kind: ObjectKind) -> Result<Event, ApiError> {
    let labels = client
        .association_labels("tickets", kind.api_name())
        .await?;
    Ok(Event::LabelsLoaded {
        req,
        kind,
        labels: labels
            .into_iter()
            .map(|t| crate::domain::AssociationType {
                category: convert::category_name(t.category),
                type_id: t.type_id,
                label: t.label,
            })
            .collect(),
    })
}

/// The ticket's notes, emails, calls, tasks and meetings.
async fn load_activities(
    client: &Client,
    req: ReqId,
    ticket_id: String,
) -> Result<Event, ApiError> {
    let associated = load_associated::<Loaded>(client, &ticket_id, &ObjectKind::ACTIVITIES).await?;
    Ok(Event::ActivitiesLoaded {
        req,
        items: associated.into_iter().filter_map(|a| a.activity).collect(),
        ticket_id,
    })
}

/// A ticket with every given property and each one's history.
async fn full_ticket(
    client: &Client,
    id: &str,
    properties: Vec<String>,
) -> Result<Ticket, ApiError> {
    let query = GetQuery {
        properties_with_history: properties.clone(),
        properties,
        ..GetQuery::default()
    };
    Ok(convert::ticket(client.get_ticket(id, &query).await?))
}

/// Batch read of exactly `values` (record IDs, or values of `id_property`), in that order;
/// values HubSpot doesn't know come back as `missing`.
async fn batch_open(
    client: &Client,
    req: ReqId,
    values: Vec<String>,
    id_property: Option<String>,
    mut properties: Vec<String>,
) -> Result<Event, ApiError> {
    if let Some(p) = &id_property
        && !properties.contains(p)
    {
        properties.push(p.clone());
    }
    let outcome = client
        .batch_read_tickets(&BatchReadQuery {
            ids: values.clone(),
            properties,
            properties_with_history: Vec::new(),
            id_property: id_property.clone(),
            archived: false,
        })
        .await?;
    if let Some(e) = outcome.first_error() {
        return Err(e.clone());
    }
    let key = |t: &Ticket| match &id_property {
        Some(p) => t.prop(p).to_owned(),
        None => t.id.clone(),
    };
    let mut found: HashMap<String, Ticket> = outcome
        .into_results()
        .into_iter()
        .map(convert::ticket)
        .map(|t| (key(&t), t))
        .collect();
    let mut tickets = Vec::new();
    let mut missing = Vec::new();
    for v in &values {
        match found.remove(v) {
            Some(t) => tickets.push(t),
            None => missing.push(v.clone()),
        }
    }
    Ok(Event::BatchOpened {
        req,
        tickets,
        missing,
    })
}

/// Contacts, companies and deals matching `query` (HubSpot's free-text search over names,
/// emails and domains), a few of each, searched in parallel.
async fn search_records(client: &Client, query: &str) -> Result<Vec<Associated>, ApiError> {
    let one = |kind: ObjectKind| async move {
        let page = client
            .search_objects::<SimplePublicObject>(
                kind.api_name(),
                &SearchRequest {
                    query: Some(query.to_owned()),
                    properties: convert::display_properties(kind)
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect(),
                    limit: Some(5),
                    ..SearchRequest::default()
                },
            )
            .await?;
        Ok::<_, ApiError>(
            page.results
                .iter()
                .map(|r| {
                    let link = crate::hubspot::AssociatedObject {
                        to_object_id: r.id.clone(),
                        association_types: Vec::new(),
                    };
                    convert::associated(kind, &link, Some(r))
                })
                .collect::<Vec<_>>(),
        )
    };
    let (c, co, d) = tokio::try_join!(
        one(ObjectKind::Contact),
        one(ObjectKind::Company),
        one(ObjectKind::Deal)
    )?;
    Ok(c.into_iter().chain(co).chain(d).collect())
}

/// An associated record read in full: for display, and as an activity when it is one.
struct Loaded {
    activity: Option<Activity>,
}

/// Each ticket's Primary contact and company (else its first), every ticket in parallel.
async fn customers(
    client: &Client,
    req: ReqId,
    ticket_ids: Vec<String>,
) -> Result<Event, ApiError> {
    let kinds = [ObjectKind::Contact, ObjectKind::Company];
    let each = ticket_ids.into_iter().map(|ticket_id| async move {
        let items: Vec<Associated> = load_associated(client, &ticket_id, &kinds).await?;
        Ok::<_, ApiError>(crate::domain::Customer {
            contact: Associated::primary(&items, ObjectKind::Contact).cloned(),
            company: Associated::primary(&items, ObjectKind::Company).cloned(),
            ticket_id,
        })
    });
    let customers = futures_util::future::join_all(each)
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    Ok(Event::CustomersLoaded { req, customers })
}

/// Merges `merged` into `primary`; the survivor as HubSpot answered it (often a new ID).
async fn merge(client: &Client, req: ReqId, m: crate::protocol::Merge) -> Result<Event, ApiError> {
    let survivor = client.merge_tickets(&m.primary, &m.merged).await?;
    Ok(Event::TicketsMerged {
        req,
        primary: m.primary,
        merged: m.merged,
        survivor: convert::ticket(survivor),
    })
}

/// Every ticket of a contact or company, newest first (by creation, then ID). A ticket the
/// batch read does not find (archived meanwhile) is left out.
async fn record_tickets(
    client: &Client,
    req: ReqId,
    kind: ObjectKind,
    id: String,
    properties: Vec<String>,
) -> Result<Event, ApiError> {
    let links = client.associations(kind.api_name(), &id, "tickets").await?;
    let answer = |tickets| Event::RecordTicketsLoaded {
        req,
        kind,
        id: id.clone(),
        tickets,
    };
    if links.is_empty() {
        return Ok(answer(Vec::new()));
    }
    let ids: Vec<String> = links.into_iter().map(|l| l.to_object_id).collect();
    let outcome = client
        .batch_read_tickets(&BatchReadQuery {
            ids,
            properties,
            ..BatchReadQuery::default()
        })
        .await?;
    let mut tickets: Vec<Ticket> = outcome
        .into_results()
        .into_iter()
        .map(convert::ticket)
        .collect();
    let id_num = |t: &Ticket| (t.id.len(), t.id.clone());
    tickets.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| id_num(b).cmp(&id_num(a)))
    });
    Ok(answer(tickets))
}

/// Associations of a ticket to `kinds` (v4, with labels), then the records themselves by batch
/// read, all kinds in parallel.
async fn load_associated<T: FromRecord>(
    client: &Client,
    ticket_id: &str,
    kinds: &[ObjectKind],
) -> Result<Vec<T>, ApiError> {
    let per_kind = kinds.iter().map(|&kind| async move {
        let links = client
            .associations("tickets", ticket_id, kind.api_name())
            .await?;
        if links.is_empty() {
            return Ok::<_, ApiError>(Vec::new());
        }
        let ids: Vec<String> = links.iter().map(|l| l.to_object_id.clone()).collect();
        let outcome = client
            .batch_read_objects::<SimplePublicObject>(
                kind.api_name(),
                &BatchReadQuery::new(ids, convert::display_properties(kind)),
            )
            .await?;
        if let Some(e) = outcome.first_error() {
            return Err(e.clone());
        }
        let records: HashMap<String, SimplePublicObject> = outcome
            .into_results()
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect();
        // A link to a record that no longer exists is shown by ID rather than dropped.
        Ok(links
            .into_iter()
            .map(|l| T::from_record(kind, &l, records.get(&l.to_object_id)))
            .collect())
    });
    let mut out = Vec::new();
    for r in futures_util::future::join_all(per_kind).await {
        out.extend(r?);
    }
    Ok(out)
}

/// Builds the app's view of an associated record.
trait FromRecord: Sized {
    fn from_record(
        kind: ObjectKind,
        link: &crate::hubspot::AssociatedObject,
        record: Option<&SimplePublicObject>,
    ) -> Self;
}

impl FromRecord for Associated {
    fn from_record(
        kind: ObjectKind,
        link: &crate::hubspot::AssociatedObject,
        record: Option<&SimplePublicObject>,
    ) -> Self {
        convert::associated(kind, link, record)
    }
}

impl FromRecord for Loaded {
    fn from_record(
        kind: ObjectKind,
        link: &crate::hubspot::AssociatedObject,
        record: Option<&SimplePublicObject>,
    ) -> Self {
        Loaded {
            activity: record.map(|r| convert::activity(kind, &link.to_object_id, r)),
        }
    }
}
