//! The async API worker: owns the HubSpot client, takes [`Command`]s from the event loop and
//! answers with [`Event`]s carrying data in the app's own types.
//!
//! Every command carries a [`ReqId`] that its answer echoes, so the app drops stale answers.
//! Commands run as sub-tasks bounded by a semaphore; a command in a [`Slot`] aborts the one
//! before it in the same slot (a superseded detail fetch is cancelled, not just ignored).
//! Writes that share a ticket — single writes and batches alike — run one at a time, in the
//! order they were asked for (`write_queue`); reads and writes to other tickets run in
//! parallel. A write whose answer was lost is never re-sent: the worker reads the tickets back
//! and says what took effect (`verify`, [`Event::WriteVerified`]).
//! The worker never touches UI state: it only sends events.

mod verify;
mod write_queue;

use crate::domain::{Activity, Associated, Owner, Pipeline, PropertyDef, PropertyGroup, Ticket};

pub use crate::app::detail::ReqId;

/// Where the list's tickets come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListSource {
    /// Every ticket, in HubSpot's list order (`GET /crm/v3/objects/tickets`).
    All,
    /// A view's search (HubSpot's list API cannot filter or sort): OR of AND-groups, one sort,
    /// free text. Pages through the 10,000-result cap by record ID when sorted by ID.
    Search(SearchSource),
    /// Exactly these tickets, by record ID or by a unique property's values (batch read).
    Batch {
        values: Vec<String>,
        id_property: Option<String>,
    },
}

/// The terms of a search view, compiled (see `views::compile`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchSource {
    pub filter_groups: Vec<crate::hubspot::FilterGroup>,
    pub sort: Option<crate::hubspot::Sort>,
    pub query: Option<String>,
}

impl SearchSource {
    /// Whether results past HubSpot's 10,000 cap can be reached: sorted by record ID, a
    /// filter `hs_object_id > last seen` (or `<` descending) continues where offsets stop.
    /// It is ANDed into every group, so each group needs room for one more filter.
    pub fn can_page_past_cap(&self) -> bool {
        let by_id = self
            .sort
            .as_ref()
            .is_some_and(|s| s.property_name == "hs_object_id");
        let groups = self.filter_groups.len().max(1);
        let filters: usize = self.filter_groups.iter().map(|g| g.filters.len()).sum();
        by_id
            && self
                .filter_groups
                .iter()
                .all(|g| g.filters.len() < crate::views::MAX_FILTERS_PER_GROUP)
            && filters + groups <= crate::views::MAX_FILTERS
    }

    /// The request for one page: from `offset`, and past the cap after record ID `keyset`
    /// (see [`parse_cursor`]).
    fn request(
        &self,
        keyset: Option<&str>,
        offset: Option<&str>,
        properties: Vec<String>,
    ) -> SearchRequest {
        use crate::hubspot::{Filter, FilterGroup, FilterOperator, SortDirection};
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
            filter_groups,
            sorts: self.sort.iter().cloned().collect(),
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

/// What the app asks of the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    ListTickets {
        req: ReqId,
        source: ListSource,
        after: Option<String>,
        properties: Vec<String>,
    },
    /// Counts a search's matches (one ticket asked for, `total` read).
    CountTickets {
        req: ReqId,
        source: SearchSource,
    },
    LoadProperties {
        req: ReqId,
    },
    LoadPipelines {
        req: ReqId,
    },
    LoadOwners {
        req: ReqId,
    },
    /// The full ticket: the given properties, each with its history.
    GetTicket {
        req: ReqId,
        id: String,
        properties: Vec<String>,
    },
    /// Contacts, companies and deals associated with a ticket, with names and labels.
    LoadAssociations {
        req: ReqId,
        ticket_id: String,
    },
    /// Notes, emails, calls, tasks and meetings on a ticket.
    LoadActivities {
        req: ReqId,
        ticket_id: String,
    },
    /// Re-reads a ticket (every given property with history) before a save, to see whether
    /// someone changed it; not in a slot, so it never cancels the detail fetch.
    CheckTicket {
        req: ReqId,
        id: String,
        properties: Vec<String>,
    },
    /// Finds contacts, companies and deals by name, email or domain (HubSpot search).
    SearchRecords {
        req: ReqId,
        query: String,
    },
    /// Creates a ticket with these properties and associations (default types).
    CreateTicket {
        req: ReqId,
        properties: std::collections::BTreeMap<String, String>,
        associations: Vec<(ObjectKind, String)>,
    },
    /// Archives (deletes to HubSpot's recycle bin) one ticket.
    ArchiveTicket {
        req: ReqId,
        id: String,
    },
    /// Archives many tickets through batch archive (chunks of 100).
    BatchArchive {
        req: ReqId,
        ids: Vec<String>,
    },
    /// Association types (and labels) from tickets to `kind`.
    LoadLabels {
        req: ReqId,
        kind: ObjectKind,
    },
    /// Associates the ticket with a record using one association type (v4, labelled PUT).
    /// HubSpot replaces the pair's labels with the ones sent: `keep` are the pair's current
    /// types (category, type id), sent along so that adding a label removes none.
    Associate {
        req: ReqId,
        ticket_id: String,
        kind: ObjectKind,
        to_id: String,
        category: String,
        type_id: u32,
        keep: Vec<(String, u32)>,
    },
    /// Removes every association between the ticket and the record (v4 DELETE).
    RemoveAssociation {
        req: ReqId,
        ticket_id: String,
        kind: ObjectKind,
        to_id: String,
    },
    /// Sets the same properties on many tickets through batch update (chunks of 100).
    BatchUpdate {
        req: ReqId,
        ids: Vec<String>,
        properties: std::collections::BTreeMap<String, String>,
    },
    /// PATCHes only these properties. Writes to one ticket run one at a time.
    UpdateTicket {
        req: ReqId,
        id: String,
        properties: std::collections::BTreeMap<String, String>,
    },
}

impl Command {
    pub fn req(&self) -> ReqId {
        match self {
            Self::ListTickets { req, .. }
            | Self::CountTickets { req, .. }
            | Self::LoadProperties { req }
            | Self::LoadPipelines { req }
            | Self::LoadOwners { req }
            | Self::GetTicket { req, .. }
            | Self::LoadAssociations { req, .. }
            | Self::LoadActivities { req, .. }
            | Self::CheckTicket { req, .. }
            | Self::BatchUpdate { req, .. }
            | Self::ArchiveTicket { req, .. }
            | Self::BatchArchive { req, .. }
            | Self::LoadLabels { req, .. }
            | Self::Associate { req, .. }
            | Self::RemoveAssociation { req, .. }
            | Self::SearchRecords { req, .. }
            | Self::CreateTicket { req, .. }
            | Self::UpdateTicket { req, .. } => *req,
        }
    }

    /// Every existing ticket a command writes to, sorted, each once; empty for reads. Writes
    /// that share a ticket run one at a time, in the order they were asked for (see
    /// `write_queue`). Every command is listed: a new write must say what it touches.
    pub fn written_tickets(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = match self {
            Self::UpdateTicket { id, .. } | Self::ArchiveTicket { id, .. } => vec![id],
            Self::Associate { ticket_id, .. } | Self::RemoveAssociation { ticket_id, .. } => {
                vec![ticket_id]
            }
            Self::BatchUpdate { ids, .. } | Self::BatchArchive { ids, .. } => {
                ids.iter().map(String::as_str).collect()
            }
            // A create writes a ticket nobody else can know yet; its associations link
            // contacts, companies and deals to it, never another ticket.
            Self::CreateTicket { .. }
            | Self::ListTickets { .. }
            | Self::CountTickets { .. }
            | Self::LoadProperties { .. }
            | Self::LoadPipelines { .. }
            | Self::LoadOwners { .. }
            | Self::GetTicket { .. }
            | Self::LoadAssociations { .. }
            | Self::LoadActivities { .. }
            | Self::CheckTicket { .. }
            | Self::SearchRecords { .. }
            | Self::LoadLabels { .. } => Vec::new(),
        };
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Commands in the same slot supersede each other: starting one aborts the previous.
    pub fn slot(&self) -> Option<Slot> {
        match self {
            Self::GetTicket { .. } => Some(Slot::Detail),
            Self::LoadAssociations { .. } => Some(Slot::Associations),
            Self::LoadActivities { .. } => Some(Slot::Activities),
            Self::SearchRecords { .. } => Some(Slot::RecordSearch),
            Self::CountTickets { .. } => Some(Slot::Count),
            _ => None,
        }
    }
}

/// A family of commands where only the newest matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Detail,
    Associations,
    Activities,
    RecordSearch,
    Count,
}

/// A failure, as the app shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// One line: HTTP status, HubSpot category and message, correlation ID.
    pub summary: String,
    pub status: Option<u16>,
    pub not_found: bool,
    pub auth: bool,
    pub missing_scopes: Vec<String>,
    pub field_errors: Vec<(String, String)>,
    /// A write that may or may not have happened (timeout or 5xx after sending): not re-sent;
    /// the app re-reads to find out.
    pub outcome_unknown: bool,
}

/// What the worker tells the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    TicketsListed {
        req: ReqId,
        tickets: Vec<Ticket>,
        next_after: Option<String>,
        /// Tickets on the server for this source (search reports it; the list API doesn't).
        /// `None` on pages past the 10,000 cap: keep the first page's count.
        total: Option<u64>,
        /// HubSpot's 10,000-result cap stops the paging before `total` is reached.
        capped: bool,
    },
    /// How many tickets a search would find (the search form's live count).
    TicketsCounted {
        req: ReqId,
        total: u64,
    },
    PropertiesLoaded {
        req: ReqId,
        properties: Vec<PropertyDef>,
        groups: Vec<PropertyGroup>,
    },
    PipelinesLoaded {
        req: ReqId,
        pipelines: Vec<Pipeline>,
    },
    OwnersLoaded {
        req: ReqId,
        owners: Vec<Owner>,
    },
    TicketFetched {
        req: ReqId,
        ticket: Ticket,
    },
    AssociationsLoaded {
        req: ReqId,
        ticket_id: String,
        items: Vec<Associated>,
    },
    ActivitiesLoaded {
        req: ReqId,
        ticket_id: String,
        items: Vec<Activity>,
    },
    TicketChecked {
        req: ReqId,
        ticket: Ticket,
    },
    TicketUpdated {
        req: ReqId,
        ticket: Ticket,
    },
    RecordsFound {
        req: ReqId,
        items: Vec<Associated>,
    },
    TicketArchived {
        req: ReqId,
        id: String,
    },
    /// A batch archive's outcome: archived IDs, and the ones that failed with why.
    BatchArchived {
        req: ReqId,
        archived: Vec<String>,
        failed: Vec<(String, String)>,
    },
    LabelsLoaded {
        req: ReqId,
        kind: ObjectKind,
        labels: Vec<crate::domain::AssociationType>,
    },
    /// An association was added or removed.
    AssociationChanged {
        req: ReqId,
        ticket_id: String,
    },
    TicketCreated {
        req: ReqId,
        ticket: Ticket,
    },
    /// The tickets of a batch open, in the order asked for, and the values not found.
    BatchOpened {
        req: ReqId,
        tickets: Vec<Ticket>,
        missing: Vec<String>,
    },
    /// A batch write's outcome: tickets written, and the ones that failed with why.
    BatchUpdated {
        req: ReqId,
        updated: Vec<Ticket>,
        failed: Vec<(String, String)>,
    },
    Failed {
        req: ReqId,
        failure: Failure,
    },
    /// A write whose answer was lost (connection reset or timeout after sending, a 5xx, an
    /// unreadable answer) was not sent again: the worker read the tickets back, and `verdict`
    /// is what that showed.
    WriteVerified {
        req: ReqId,
        /// The tickets whose outcome was in doubt.
        tickets: Vec<String>,
        /// How the answer was lost, e.g. `timed out` or `HTTP 502 ...`.
        lost: String,
        verdict: Verdict,
    },
    /// Requests in flight and rate-limit state changed.
    Status(WorkerStatus),
}

impl Event {
    /// The request this event answers (`None` for status updates).
    pub fn req(&self) -> Option<ReqId> {
        match self {
            Self::TicketsListed { req, .. }
            | Self::TicketsCounted { req, .. }
            | Self::PropertiesLoaded { req, .. }
            | Self::PipelinesLoaded { req, .. }
            | Self::OwnersLoaded { req, .. }
            | Self::TicketFetched { req, .. }
            | Self::AssociationsLoaded { req, .. }
            | Self::ActivitiesLoaded { req, .. }
            | Self::TicketChecked { req, .. }
            | Self::TicketUpdated { req, .. }
            | Self::RecordsFound { req, .. }
            | Self::TicketArchived { req, .. }
            | Self::BatchArchived { req, .. }
            | Self::LabelsLoaded { req, .. }
            | Self::AssociationChanged { req, .. }
            | Self::TicketCreated { req, .. }
            | Self::BatchOpened { req, .. }
            | Self::BatchUpdated { req, .. }
            | Self::Failed { req, .. }
            | Self::WriteVerified { req, .. } => Some(*req),
            Self::Status(_) => None,
        }
    }
}

/// What reading back showed about a write whose answer was lost ([`Event::WriteVerified`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The records answered for the write: the event its own answer would have been. A
    /// single write took effect; a batch lists what took effect and, in its `failed`, what
    /// did not or is still unknown, each with why.
    Answered(Box<Event>),
    /// The write did not take effect: the ticket does not hold what was sent (or is gone).
    NotApplied,
    /// Reading back failed as well: the outcome is still unknown, and why.
    StillUnknown(String),
}

/// What the status bar shows about the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WorkerStatus {
    pub in_flight: usize,
    /// Requests left in HubSpot's current 10-second window, and its size.
    pub remaining: Option<u32>,
    pub max: Option<u32>,
    /// Waiting for the rate limit to free up until this time.
    pub backoff_until: Option<jiff::Timestamp>,
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

impl Failure {
    pub fn from_api(e: &ApiError) -> Self {
        Self {
            summary: e.summary(),
            status: e.status(),
            not_found: e.is_not_found(),
            auth: e.is_auth(),
            missing_scopes: e.missing_scopes().unwrap_or_default(),
            field_errors: e.field_errors(),
            outcome_unknown: matches!(e, ApiError::WriteOutcomeUnknown { .. }),
        }
    }
}

/// Starts the worker on the current runtime. Send commands on the returned sender; events
/// arrive on `events`. The worker stops when the command sender is dropped.
pub fn spawn(client: Client, events: mpsc::Sender<Event>) -> mpsc::UnboundedSender<Command> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(client, rx, events));
    tx
}

async fn run(
    client: Client,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::Sender<Event>,
) {
    let permits = Arc::new(Semaphore::new(MAX_CONCURRENT));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut slots: HashMap<Slot, AbortHandle> = HashMap::new();
    // Writes sharing a ticket can't race: their order on the wire is the order the user made
    // them, a batch included.
    let mut writes = write_queue::WriteQueue::default();
    let mut tasks = JoinSet::new();
    let mut client_events = client.events();
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
                let handle = tasks.spawn(async move {
                    turn.ready().await;
                    let Ok(_permit) = permits.acquire_owned().await else { return };
                    // Counted down on drop: a superseded command is aborted mid-request.
                    let in_flight = InFlight::enter(counter);
                    // A lost answer is read back within the turn: no later write to these
                    // tickets can change them before the reading.
                    let event = answer(&client, cmd).await;
                    drop(in_flight);
                    drop(turn);
                    // The UI may be gone (quitting): nothing left to tell.
                    let _ = events_tx.send(event).await;
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
    let at_cap = more && next.is_none_or(|n| n >= crate::views::SEARCH_CAP);
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

async fn execute(client: &Client, cmd: Command) -> Result<Event, ApiError> {
    Ok(match cmd {
        Command::ListTickets {
            req,
            source:
                ListSource::Batch {
                    values,
                    id_property,
                },
            properties,
            ..
        } => batch_open(client, req, values, id_property, properties).await?,
        Command::ListTickets {
            req,
            source: ListSource::All,
            after,
            properties,
        } => {
            let page = client
                .list_tickets(&ListQuery {
                    limit: Some(LIST_PAGE),
                    after,
                    properties,
                    ..ListQuery::default()
                })
                .await?;
            let next_after = page.next_after().map(str::to_owned);
            Event::TicketsListed {
                req,
                tickets: page.results.into_iter().map(convert::ticket).collect(),
                next_after,
                total: None,
                capped: false,
            }
        }
        Command::ListTickets {
            req,
            source: ListSource::Search(src),
            after,
            properties,
        } => search_page(client, req, &src, after.as_deref(), properties).await?,
        Command::CountTickets { req, source } => {
            let page = client
                .search_tickets(&SearchRequest {
                    limit: Some(1),
                    ..source.request(None, None, vec!["hs_object_id".to_owned()])
                })
                .await?;
            Event::TicketsCounted {
                req,
                total: page.total,
            }
        }
        Command::LoadProperties { req } => {
            let (properties, groups) = tokio::try_join!(
                client.properties("tickets"),
                client.property_groups("tickets")
            )?;
            Event::PropertiesLoaded {
                req,
                properties: properties
                    .into_iter()
                    .filter(|p| !p.archived)
                    .map(convert::property)
                    .collect(),
                groups: groups.into_iter().map(convert::group).collect(),
            }
        }
        Command::LoadPipelines { req } => Event::PipelinesLoaded {
            req,
            pipelines: client
                .pipelines("tickets")
                .await?
                .into_iter()
                .filter(|p| !p.archived)
                .map(convert::pipeline)
                .collect(),
        },
        Command::LoadOwners { req } => Event::OwnersLoaded {
            req,
            owners: client
                .owners()
                .await?
                .into_iter()
                .map(convert::owner)
                .collect(),
        },
        Command::GetTicket {
            req,
            id,
            properties,
        } => Event::TicketFetched {
            req,
            ticket: full_ticket(client, &id, properties).await?,
        },
        Command::CheckTicket {
            req,
            id,
            properties,
        } => Event::TicketChecked {
            req,
            ticket: full_ticket(client, &id, properties).await?,
        },
        Command::SearchRecords { req, query } => Event::RecordsFound {
            req,
            items: search_records(client, &query).await?,
        },
        Command::CreateTicket {
            req,
            properties,
            associations,
        } => {
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
            Event::TicketCreated {
                req,
                ticket: convert::ticket(client.create_ticket(&input).await?),
            }
        }
        Command::ArchiveTicket { req, id } => {
            client.archive_ticket(&id).await?;
            Event::TicketArchived { req, id }
        }
        Command::BatchArchive { req, ids } => batch_archive(client, req, ids).await?,
        Command::LoadLabels { req, kind } => {
            let labels = client
                .association_labels("tickets", kind.api_name())
                .await?;
            Event::LabelsLoaded {
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
            }
        }
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
            Event::AssociationChanged { req, ticket_id }
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
            Event::AssociationChanged { req, ticket_id }
        }
        Command::BatchUpdate {
            req,
            ids,
            properties,
        } => batch_update(client, req, &ids, &properties).await?,
        Command::UpdateTicket {
            req,
            id,
            properties,
        } => {
            let ticket = client.update_ticket(&id, &properties, None).await?;
            Event::TicketUpdated {
                req,
                ticket: convert::ticket(ticket),
            }
        }
        Command::LoadAssociations { req, ticket_id } => Event::AssociationsLoaded {
            req,
            items: load_associated(client, &ticket_id, &ObjectKind::ALL).await?,
            ticket_id,
        },
        Command::LoadActivities { req, ticket_id } => {
            let associated =
                load_associated::<Loaded>(client, &ticket_id, &ObjectKind::ACTIVITIES).await?;
            Event::ActivitiesLoaded {
                req,
                items: associated.into_iter().filter_map(|a| a.activity).collect(),
                ticket_id,
            }
        }
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

/// Conversions from the client's wire types to the app's domain types.
pub mod convert {
    use std::collections::BTreeMap;

    use serde_json::Value;

    use crate::domain::{
        Activity, Associated, AssociationType, HistoryValue, ObjectKind, Owner, Pipeline,
        PropertyDef, PropertyGroup, PropertyOption, PropertyType, Stage, Ticket, parse_timestamp,
    };
    use crate::hubspot as hs;

    fn order(n: Option<i64>) -> i32 {
        n.and_then(|n| i32::try_from(n).ok()).unwrap_or(i32::MAX)
    }

    pub fn ticket(o: hs::SimplePublicObject) -> Ticket {
        let properties = o
            .properties
            .into_iter()
            .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v)))
            .collect();
        let history = o.properties_with_history.map(|h| {
            h.into_iter()
                .map(|(k, values)| (k, values.into_iter().map(history_value).collect()))
                .collect::<BTreeMap<_, _>>()
        });
        Ticket {
            id: o.id,
            properties,
            created_at: Some(o.created_at),
            updated_at: Some(o.updated_at),
            archived: o.archived,
            history,
        }
    }

    pub fn history_value(v: hs::ValueWithTimestamp) -> HistoryValue {
        HistoryValue {
            value: v.value,
            timestamp: v.timestamp,
            source_type: v.source_type,
            source_id: v.source_id,
            source_label: v.source_label,
            updated_by_user_id: v.updated_by_user_id,
        }
    }

    /// A history value from raw JSON (the CLI keeps records as HubSpot sent them).
    pub fn history_value_json(v: &Value) -> Option<HistoryValue> {
        serde_json::from_value::<hs::ValueWithTimestamp>(v.clone())
            .ok()
            .map(history_value)
    }

    pub fn property(p: hs::Property) -> PropertyDef {
        let read_only_value = p
            .modification_metadata
            .as_ref()
            .is_some_and(|m| m.read_only_value);
        PropertyDef {
            kind: PropertyType::parse(&p.type_),
            options: p
                .options
                .into_iter()
                .map(|o| PropertyOption {
                    label: o.label,
                    value: o.value,
                    hidden: o.hidden,
                    display_order: order(o.display_order),
                })
                .collect(),
            name: p.name,
            label: p.label,
            field_type: p.field_type,
            group_name: p.group_name,
            description: p.description,
            display_order: order(p.display_order),
            hidden: p.hidden,
            calculated: p.calculated,
            read_only_value,
            has_unique_value: p.has_unique_value,
            hubspot_defined: p.hubspot_defined,
            referenced_object_type: p.referenced_object_type,
        }
    }

    pub fn group(g: hs::PropertyGroup) -> PropertyGroup {
        PropertyGroup {
            name: g.name,
            label: g.label,
            display_order: order(Some(g.display_order)),
        }
    }

    pub fn pipeline(p: hs::Pipeline) -> Pipeline {
        Pipeline {
            stages: p
                .stages
                .iter()
                .filter(|s| !s.archived)
                .map(|s| Stage {
                    closed: s.is_closed(),
                    id: s.id.clone(),
                    label: s.label.clone(),
                    display_order: order(Some(s.display_order)),
                })
                .collect(),
            id: p.id,
            label: p.label,
            display_order: order(Some(p.display_order)),
        }
    }

    pub fn owner(o: hs::PublicOwner) -> Owner {
        Owner {
            // History names the editing user; archived owners keep theirs here.
            user_id: o.user_id.or(o.user_id_including_inactive),
            id: o.id,
            first_name: o.first_name.unwrap_or_default(),
            last_name: o.last_name.unwrap_or_default(),
            email: o.email.unwrap_or_default(),
            archived: o.archived,
        }
    }

    /// Properties read to show an associated record or activity.
    pub fn display_properties(kind: ObjectKind) -> &'static [&'static str] {
        match kind {
            ObjectKind::Contact => &["firstname", "lastname", "email"],
            ObjectKind::Company => &["name", "domain"],
            ObjectKind::Deal => &["dealname", "amount", "dealstage"],
            ObjectKind::Note => &["hs_note_body", "hs_timestamp", "hubspot_owner_id"],
            ObjectKind::Email => &[
                "hs_email_subject",
                "hs_email_text",
                "hs_email_direction",
                "hs_timestamp",
                "hubspot_owner_id",
            ],
            ObjectKind::Call => &[
                "hs_call_title",
                "hs_call_body",
                "hs_timestamp",
                "hubspot_owner_id",
            ],
            ObjectKind::Task => &[
                "hs_task_subject",
                "hs_task_body",
                "hs_task_status",
                "hs_timestamp",
                "hubspot_owner_id",
            ],
            ObjectKind::Meeting => &[
                "hs_meeting_title",
                "hs_meeting_body",
                "hs_timestamp",
                "hubspot_owner_id",
            ],
        }
    }

    fn prop<'a>(r: Option<&'a hs::SimplePublicObject>, name: &str) -> &'a str {
        r.and_then(|r| r.property(name)).unwrap_or("")
    }

    /// HubSpot's name of an association category (`HUBSPOT_DEFINED`, `USER_DEFINED`, ...).
    pub fn category_name(c: hs::AssociationCategory) -> String {
        serde_json::to_value(c)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    pub fn associated(
        kind: ObjectKind,
        link: &hs::AssociatedObject,
        r: Option<&hs::SimplePublicObject>,
    ) -> Associated {
        let (title, detail) = match kind {
            ObjectKind::Contact => {
                let name = format!("{} {}", prop(r, "firstname"), prop(r, "lastname"));
                let name = name.trim();
                let email = prop(r, "email");
                (
                    if name.is_empty() { email } else { name }.to_owned(),
                    email.to_owned(),
                )
            }
            ObjectKind::Company => (prop(r, "name").to_owned(), prop(r, "domain").to_owned()),
            ObjectKind::Deal => (prop(r, "dealname").to_owned(), prop(r, "amount").to_owned()),
            _ => {
                let a = r.map(|r| activity(kind, &link.to_object_id, r));
                (
                    a.as_ref().map(|a| a.title.clone()).unwrap_or_default(),
                    a.map(|a| a.body.lines().next().unwrap_or("").to_owned())
                        .unwrap_or_default(),
                )
            }
        };
        let title = if r.is_none() {
            format!("{} {} (not found)", kind.label(), link.to_object_id)
        } else if title.is_empty() {
            format!("{} {}", kind.label(), link.to_object_id)
        } else {
            title
        };
        Associated {
            kind,
            id: link.to_object_id.clone(),
            title,
            detail,
            types: link
                .association_types
                .iter()
                .map(|t| AssociationType {
                    category: category_name(t.category),
                    type_id: t.type_id,
                    label: t.label.clone(),
                })
                .collect(),
        }
    }

    pub fn activity(kind: ObjectKind, id: &str, r: &hs::SimplePublicObject) -> Activity {
        let p = |n: &str| r.property(n).unwrap_or("");
        let (title, body) = match kind {
            ObjectKind::Note => (String::new(), p("hs_note_body")),
            ObjectKind::Email => (p("hs_email_subject").to_owned(), p("hs_email_text")),
            ObjectKind::Call => (p("hs_call_title").to_owned(), p("hs_call_body")),
            ObjectKind::Task => {
                let status = p("hs_task_status");
                let subject = p("hs_task_subject");
                (
                    if status.is_empty() {
                        subject.to_owned()
                    } else {
                        format!("{subject} [{status}]")
                    },
                    p("hs_task_body"),
                )
            }
            ObjectKind::Meeting => (p("hs_meeting_title").to_owned(), p("hs_meeting_body")),
            _ => (String::new(), ""),
        };
        let body = crate::text::html_to_text(body);
        let title = if title.trim().is_empty() {
            body.lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim()
                .to_owned()
        } else {
            title
        };
        Activity {
            kind,
            id: id.to_owned(),
            timestamp: parse_timestamp(p("hs_timestamp")).or(Some(r.created_at)),
            title,
            body,
            owner_id: r.property("hubspot_owner_id").map(str::to_owned),
        }
    }
}
