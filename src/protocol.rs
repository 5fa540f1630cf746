//! The one vocabulary of the app, the worker and the UI: what the app asks for ([`Command`]),
//! what comes back ([`Event`]), request identities ([`ReqId`]), things loading
//! ([`Loadable`]), failures as data ([`Failure`]) and where the list comes from
//! ([`ListSource`]).
//!
//! Owns: these types and their plain-data helpers. Must not: depend on anything of ours but
//! `domain` (no HubSpot wire types, no UI, no tokio), so every layer can share it and the
//! arrows stay one way (`tests/architecture.rs`).

pub mod journal;

use crate::domain::search::{FilterGroup, Sort};
use crate::domain::{
    Activity, ActivityOptions, Associated, NewActivity, ObjectKind, Owner, Pipeline, PropertyDef,
    PropertyGroup, Ticket,
};

/// A request's identity, echoed by the worker, so stale answers can be dropped.
pub type ReqId = u64;

/// Something loaded from the API.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Loadable<T> {
    #[default]
    Idle,
    Loading(ReqId),
    Ready(T),
    /// Kept whole (not a string), so the UI lays it out: a message may be cut to fit, its
    /// correlation ID never.
    Failed(Failure),
}

impl<T> Loadable<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Self::Ready(t) => Some(t),
            _ => None,
        }
    }
    pub fn is_loading(&self) -> bool {
        matches!(self, Self::Loading(_))
    }
    /// Why it failed, when it did.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Self::Failed(f) => Some(f),
            _ => None,
        }
    }
    /// Whether an answer to `req` is the one this slot waits for.
    pub fn waits_for(&self, req: ReqId) -> bool {
        matches!(self, Self::Loading(r) if *r == req)
    }
}

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
    pub filter_groups: Vec<FilterGroup>,
    pub sort: Option<Sort>,
    pub query: Option<String>,
    /// Sorted by a choice property in its options' order, which hubtix gets itself: one
    /// search per option ([`SearchSource::segment`]). HubSpot's own order for choices (by
    /// internal value or by option order) is UNCONFIRMED.
    pub option_order: Option<OptionOrder>,
}

/// A sort by a choice property in the order of its options (see `views::option_order`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionOrder {
    pub property: String,
    /// The option values in the order wanted: their display order, reversed for descending.
    pub values: Vec<String>,
}

impl SearchSource {
    /// How many searches an option-ordered view is made of: one per option, then tickets with
    /// a value that is no option, then tickets without a value (last in both directions).
    pub fn segments(&self) -> usize {
        self.option_order.as_ref().map_or(1, |o| o.values.len() + 2)
    }

    /// The search for segment `i` of an option-ordered view: the view's terms and the
    /// segment's filters (one, two for "other values") in every group, in record-ID order (so a segment pages past the
    /// 10,000 cap when the filters leave room). `None` past the last segment, or when the
    /// view is not option-ordered.
    pub fn segment(&self, i: usize) -> Option<SearchSource> {
        use crate::domain::search::{Filter, FilterOperator, SortDirection};
        let order = self.option_order.as_ref()?;
        let p = order.property.as_str();
        let filters = match i.checked_sub(order.values.len()) {
            None => vec![Filter::eq(p, order.values[i].clone())],
            // Whether NOT_IN matches tickets without a value is UNCONFIRMED: say "has one".
            Some(0) => vec![
                Filter {
                    operator: FilterOperator::NotIn,
                    ..Filter::in_values(p, order.values.clone())
                },
                Filter::has_property(p, true),
            ],
            Some(1) => vec![Filter::has_property(p, false)],
            Some(_) => return None,
        };
        let mut filter_groups = self.filter_groups.clone();
        if filter_groups.is_empty() {
            filter_groups.push(FilterGroup {
                filters: Vec::new(),
            });
        }
        for g in &mut filter_groups {
            g.filters.extend(filters.iter().cloned());
        }
        Some(SearchSource {
            filter_groups,
            sort: Some(Sort {
                property_name: "hs_object_id".to_owned(),
                direction: SortDirection::Ascending,
            }),
            query: self.query.clone(),
            option_order: None,
        })
    }

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
                .all(|g| g.filters.len() < crate::domain::search::MAX_FILTERS_PER_GROUP)
            && filters + groups <= crate::domain::search::MAX_FILTERS
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
    /// Creates a note, call or task on a ticket (associated with it, and with the contacts and
    /// companies it names), then pins it when asked.
    CreateActivity {
        req: ReqId,
        activity: NewActivity,
    },
    /// Creates one note on each of several tickets (a macro on marked tickets), in batches.
    CreateNotes {
        req: ReqId,
        notes: Vec<NewActivity>,
    },
    /// The portal's choices for the activity forms (the call outcomes), from the calls'
    /// Properties API.
    LoadActivityOptions {
        req: ReqId,
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
    /// Removes one association type (a label) between the ticket and the record (v4
    /// `batch/labels/archive`); the pair's other labels stay. Removing the unlabeled default
    /// type removes the whole association (HubSpot: "deleting the unlabeled type also deletes
    /// all labels for the pair").
    RemoveAssociationLabel {
        req: ReqId,
        ticket_id: String,
        kind: ObjectKind,
        to_id: String,
        category: String,
        type_id: u32,
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
    /// Reads what undoing these journal entries (one user action, oldest first) would meet:
    /// each property's current value (answered by [`Event::UndoPrepared`]).
    PrepareUndo {
        req: ReqId,
        entries: Vec<journal::Entry>,
    },
    /// Carries out an undo the user confirmed; journaled (and undoable) like any write.
    Undo {
        req: ReqId,
        plan: Box<journal::UndoPlan>,
    },
    /// Each ticket's customer: its Primary contact and company (v4 associations, then batch
    /// reads of the records). A read; several may run at once.
    LoadCustomers {
        req: ReqId,
        ticket_ids: Vec<String>,
    },
    /// Every ticket of a contact or company (v4 associations, then a batch read with these
    /// properties), newest first. A read; several may run at once.
    LoadRecordTickets {
        req: ReqId,
        kind: ObjectKind,
        id: String,
        properties: Vec<String>,
    },
    /// Merges two tickets (HubSpot's merge; cannot be undone). The survivor usually has a
    /// new ID: [`Event::TicketsMerged`] carries it.
    MergeTickets {
        req: ReqId,
        merge: Merge,
    },
}

/// A merge of two tickets: `merged` into `primary`, whose values win where both have one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub primary: String,
    pub merged: String,
}

impl Command {
    pub fn req(&self) -> ReqId {
        match self {
            Self::ListTickets { req, .. }
            | Self::CountTickets { req, .. }
            | Self::LoadProperties { req }
            | Self::LoadPipelines { req }
            | Self::LoadOwners { req }
            | Self::LoadActivityOptions { req }
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
            | Self::RemoveAssociationLabel { req, .. }
            | Self::SearchRecords { req, .. }
            | Self::CreateTicket { req, .. }
            | Self::CreateActivity { req, .. }
            | Self::CreateNotes { req, .. }
            | Self::PrepareUndo { req, .. }
            | Self::Undo { req, .. }
            | Self::UpdateTicket { req, .. }
            | Self::MergeTickets { req, .. }
            | Self::LoadCustomers { req, .. }
            | Self::LoadRecordTickets { req, .. } => *req,
        }
    }

    /// Every existing ticket a command writes to, sorted, each once; empty for reads. Writes
    /// that share a ticket run one at a time, in the order they were asked for (see
    /// `write_queue`). Every command is listed: a new write must say what it touches.
    pub fn written_tickets(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = match self {
            Self::UpdateTicket { id, .. } | Self::ArchiveTicket { id, .. } => vec![id],
            Self::Associate { ticket_id, .. }
            | Self::RemoveAssociation { ticket_id, .. }
            | Self::RemoveAssociationLabel { ticket_id, .. } => vec![ticket_id],
            Self::BatchUpdate { ids, .. } | Self::BatchArchive { ids, .. } => {
                ids.iter().map(String::as_str).collect()
            }
            Self::MergeTickets { merge, .. } => vec![&merge.primary, &merge.merged],
            // An activity is a new record, but it is associated with the ticket and may pin
            // itself there: it waits for the ticket's other writes.
            Self::CreateActivity { activity, .. } => vec![activity.ticket_id.as_str()],
            Self::CreateNotes { notes, .. } => notes.iter().map(|n| n.ticket_id.as_str()).collect(),
            Self::Undo { plan, .. } => plan.tickets(),
            // A create writes a ticket nobody else can know yet; its associations link
            // contacts, companies and deals to it, never another ticket.
            Self::CreateTicket { .. }
            | Self::ListTickets { .. }
            | Self::CountTickets { .. }
            | Self::LoadProperties { .. }
            | Self::LoadPipelines { .. }
            | Self::LoadOwners { .. }
            | Self::LoadActivityOptions { .. }
            | Self::GetTicket { .. }
            | Self::LoadAssociations { .. }
            | Self::LoadActivities { .. }
            | Self::CheckTicket { .. }
            | Self::SearchRecords { .. }
            | Self::PrepareUndo { .. }
            | Self::LoadCustomers { .. }
            | Self::LoadRecordTickets { .. }
            | Self::LoadLabels { .. } => Vec::new(),
        };
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Whether the command changes HubSpot (creates, updates, archives, associates, pins):
    /// what the [`Gate`] must let through first. Every command is listed: a new one must say.
    pub fn is_write(&self) -> bool {
        match self {
            Self::CreateTicket { .. }
            | Self::CreateActivity { .. }
            | Self::CreateNotes { .. }
            | Self::ArchiveTicket { .. }
            | Self::BatchArchive { .. }
            | Self::Associate { .. }
            | Self::RemoveAssociation { .. }
            | Self::RemoveAssociationLabel { .. }
            | Self::BatchUpdate { .. }
            | Self::MergeTickets { .. }
            | Self::Undo { .. }
            | Self::UpdateTicket { .. } => true,
            Self::ListTickets { .. }
            | Self::PrepareUndo { .. }
            | Self::LoadCustomers { .. }
            | Self::LoadRecordTickets { .. }
            | Self::CountTickets { .. }
            | Self::LoadProperties { .. }
            | Self::LoadPipelines { .. }
            | Self::LoadOwners { .. }
            | Self::LoadActivityOptions { .. }
            | Self::GetTicket { .. }
            | Self::LoadAssociations { .. }
            | Self::LoadActivities { .. }
            | Self::CheckTicket { .. }
            | Self::SearchRecords { .. }
            | Self::LoadLabels { .. } => false,
        }
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
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Failure {
    /// What kind of failure: the UI and the flows decide by this, not by parsing text.
    pub kind: FailureKind,
    /// HubSpot's category (`VALIDATION_ERROR`, `OBJECT_NOT_FOUND` ...), when it sent one.
    pub category: Option<String>,
    /// HubSpot's message (or what went wrong on the way), on one line.
    pub message: String,
    /// HubSpot's correlation ID: what its support asks for. A layout that has to cut a
    /// failure cuts the message, never this.
    pub correlation_id: Option<String>,
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
    /// The app's words for what this failure stopped, when it added any (see `in_context`).
    pub context: Option<String>,
}

/// The kinds of [`Failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailureKind {
    /// HubSpot answered with an error status.
    #[default]
    Http,
    /// A rate limit that waiting did not get through.
    RateLimited,
    /// No answer: the connection failed or broke.
    Network,
    /// No answer in time.
    Timeout,
    /// An answer that was not what HubSpot promises.
    BadResponse,
    /// A write whose answer was lost: it may or may not have happened.
    OutcomeUnknown,
    /// hubtix is set up so that no request can succeed (base URL, token).
    Config,
    /// Found before asking HubSpot (a view that cannot be resolved): no request was sent.
    Local,
    /// A write the [`Gate`] refused (read-only, offline): nothing was sent.
    Refused,
}

impl Failure {
    /// A failure found before asking HubSpot: its message is all there is.
    pub fn local(message: impl Into<String>) -> Self {
        let message = message.into();
        Failure {
            kind: FailureKind::Local,
            summary: message.clone(),
            message,
            ..Failure::default()
        }
    }

    /// The same failure in the app's words instead of HubSpot's (when what it means is known,
    /// e.g. a 404 on a ticket is "deleted or merged"), keeping its kind and correlation ID.
    pub fn reworded(mut self, message: impl Into<String>) -> Self {
        let message = message.into();
        self.summary = message.clone();
        self.message = message;
        self
    }

    /// The app's words for what this failure stopped ("the view needs the owners"), shown
    /// before HubSpot's.
    pub fn in_context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// A one-line message around this failure, its correlation ID last (where the status bar
    /// and forms keep it when they cut): `"{before}{headline}{after} (correlation id …)"`.
    pub fn said(&self, before: &str, after: &str) -> String {
        let mut s = format!("{before}{}{after}", self.headline());
        if let Some(id) = &self.correlation_id {
            s.push_str(&format!(" (correlation id {id})"));
        }
        s
    }

    /// What went wrong on one line, without the correlation ID (the part a layout may cut):
    /// the app's context, then HTTP status, HubSpot's category and message.
    pub fn headline(&self) -> String {
        let summary = match &self.correlation_id {
            Some(id) => self
                .summary
                .strip_suffix(&format!(" (correlation id {id})"))
                .unwrap_or(&self.summary),
            None => &self.summary,
        };
        match &self.context {
            Some(c) => format!("{c}: {summary}"),
            None => summary.to_owned(),
        }
    }
}

/// What the app asks of the local cache (the live task reads it; answered with
/// [`Event::CachedQueue`] and [`Event::QueueRows`] through the worker's event channel).
#[derive(Debug, Clone, PartialEq)]
pub enum CacheRequest {
    /// The `/` filter's index of every cached ticket of `pipeline` (`None`: every pipeline),
    /// newest change first: each row read with only `properties` and pushed into a sink of
    /// `build`, never held as tickets, so 100,000 rows stay a few MB.
    Queue {
        req: ReqId,
        pipeline: Option<String>,
        properties: Vec<String>,
        build: QueueBuilder,
    },
    /// The cached tickets `ids` (rows of the queue about to be drawn), with `properties`
    /// (a list row's).
    Rows {
        req: ReqId,
        ids: Vec<String>,
        properties: Vec<String>,
    },
}

/// Builds the app's index of the cached queue from the rows as the cache's reader reads
/// them, one at a time, so no list of 100,000 tickets is ever collected. What the index keeps
/// is the app's business (IDs and prepared haystacks, see `app::cache_queue`): opaque here,
/// so the shared vocabulary depends only on the domain.
pub trait QueueSink: Send {
    /// Takes one row (with only the properties asked for).
    fn push(&mut self, ticket: &Ticket);
    /// The index of every row pushed.
    fn finish(self: Box<Self>) -> QueueIndex;
}

/// Makes a fresh [`QueueSink`] for each answer. Compared by identity.
#[derive(Clone)]
pub struct QueueBuilder(pub std::sync::Arc<dyn Fn() -> Box<dyn QueueSink> + Send + Sync>);

impl QueueBuilder {
    pub fn sink(&self) -> Box<dyn QueueSink> {
        (self.0)()
    }
}

impl std::fmt::Debug for QueueBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueueBuilder")
    }
}

impl PartialEq for QueueBuilder {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// A built index of the cached queue, handed over as it is (the app takes it out once, as
/// the type its sink built). Compared by identity.
#[derive(Clone)]
pub struct QueueIndex(std::sync::Arc<std::sync::Mutex<Option<Box<dyn std::any::Any + Send>>>>);

impl QueueIndex {
    pub fn new<T: std::any::Any + Send>(index: T) -> QueueIndex {
        QueueIndex(std::sync::Arc::new(std::sync::Mutex::new(Some(Box::new(
            index,
        )))))
    }

    /// The index, if it is a `T` and was not taken yet.
    pub fn take<T: std::any::Any>(&self) -> Option<T> {
        let boxed = self.0.lock().ok()?.take()?;
        boxed.downcast::<T>().ok().map(|b| *b)
    }
}

impl std::fmt::Debug for QueueIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueueIndex")
    }
}

impl PartialEq for QueueIndex {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
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
    /// An activity was created on `ticket_id`; `pinned` says whether pinning it (when asked)
    /// worked, and `pin_failed` why not.
    ActivityCreated {
        req: ReqId,
        ticket_id: String,
        activity: Activity,
        pinned: bool,
        pin_failed: Option<Box<Failure>>,
    },
    /// The notes of a `CreateNotes`: (ticket, note ID) created, and (ticket, why) not.
    NotesCreated {
        req: ReqId,
        created: Vec<(String, String)>,
        failed: Vec<(String, String)>,
    },
    /// The portal's choices for the activity forms (`LoadActivityOptions`).
    ActivityOptionsLoaded {
        req: ReqId,
        options: ActivityOptions,
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
    /// The customers of a `LoadCustomers`, one per ticket asked for, in that order.
    CustomersLoaded {
        req: ReqId,
        customers: Vec<crate::domain::Customer>,
    },
    /// The tickets of a contact or company (`LoadRecordTickets`), newest first.
    RecordTicketsLoaded {
        req: ReqId,
        kind: ObjectKind,
        id: String,
        tickets: Vec<Ticket>,
    },
    /// `merged` was merged into `primary`: both IDs are gone from lists and `survivor` (often
    /// under a new ID) holds both tickets' associations and activities.
    TicketsMerged {
        req: ReqId,
        primary: String,
        merged: String,
        survivor: Ticket,
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
    /// What undoing a user action would do, with the current values read fresh.
    UndoPrepared {
        req: ReqId,
        plan: Box<journal::UndoPlan>,
    },
    /// An undo was carried out; `failed` names what could not be put back, by ticket.
    Undone {
        req: ReqId,
        entry_ids: Vec<String>,
        failed: Vec<(String, String)>,
    },
    /// A write was journaled with its outcome (sent after the write's own answer).
    Journaled(Box<journal::Logged>),
    /// The journal at start: every entry, and the IDs of earlier runs' unanswered writes
    /// this start resolved by reading back.
    JournalLoaded {
        entries: Vec<journal::Logged>,
        resolved_now: Vec<String>,
    },
    /// Requests in flight and rate-limit state changed.
    Status(WorkerStatus),
    /// The background sync (the runtime's live task; no request asked for it) found these
    /// tickets added or changed since its last run, and these IDs gone (archived, merged,
    /// deleted elsewhere).
    LiveChanged {
        tickets: Vec<Ticket>,
        removed: Vec<String>,
    },
    /// A one-line notice about the local cache (a corrupt file moved aside and rebuilt).
    CacheNotice(String),
    /// HubSpot could not be reached since this time (`None`: it answers again). Sent when
    /// that changes: any request that ends in a network error, any answer from HubSpot.
    Reachability {
        offline_since: Option<jiff::Timestamp>,
    },
    /// The warm start: the cached tickets of the first view's pipeline, as of the last sync
    /// (`as_of_ms`), to show until HubSpot's first page replaces them.
    CachedRows {
        tickets: Vec<Ticket>,
        as_of_ms: i64,
    },
    /// The answer to [`CacheRequest::Queue`]: the cached rows' index, as of the last sync
    /// (`as_of_ms`, `None` before one completed).
    CachedQueue {
        req: ReqId,
        index: QueueIndex,
        as_of_ms: Option<i64>,
    },
    /// The answer to [`CacheRequest::Rows`]: those of the tickets still cached.
    QueueRows {
        req: ReqId,
        tickets: Vec<Ticket>,
    },
    /// What the start-up checks (`hubtix doctor`'s, run in the background) found: the portal
    /// HubSpot named, for ticket URLs, and one line on what is missing (none: nothing).
    Checked {
        portal: Option<CheckedPortal>,
        problem: Option<String>,
    },
}

/// The portal as HubSpot's account info gives it ([`Event::Checked`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPortal {
    /// The portal (hub) ID.
    pub portal_id: String,
    /// The web app's host (`app.hubspot.com`, `app-eu1.hubspot.com`), when HubSpot said.
    pub ui_domain: Option<String>,
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
            | Self::ActivityCreated { req, .. }
            | Self::NotesCreated { req, .. }
            | Self::ActivityOptionsLoaded { req, .. }
            | Self::BatchOpened { req, .. }
            | Self::BatchUpdated { req, .. }
            | Self::TicketsMerged { req, .. }
            | Self::CustomersLoaded { req, .. }
            | Self::RecordTicketsLoaded { req, .. }
            | Self::Failed { req, .. }
            | Self::UndoPrepared { req, .. }
            | Self::Undone { req, .. }
            | Self::WriteVerified { req, .. }
            | Self::CachedQueue { req, .. }
            | Self::QueueRows { req, .. } => Some(*req),
            Self::Status(_)
            | Self::Journaled(_)
            | Self::JournalLoaded { .. }
            | Self::LiveChanged { .. }
            | Self::CacheNotice(_)
            | Self::Reachability { .. }
            | Self::CachedRows { .. }
            | Self::Checked { .. } => None,
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

/// The one write gate: whether a write may be sent to HubSpot now, and if not, why. The app
/// asks it before it sends a write ([`Command::is_write`]) and the worker installs it in the
/// client, so a write that slips past the app is still not sent; both decide by
/// [`Gate::refusal`], and nothing else decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gate {
    /// `--read-only` or `read_only = true`: no write is ever sent.
    pub read_only: bool,
    /// HubSpot could not be reached (a network error, not an HTTP answer) since this time,
    /// and has not answered since.
    pub offline_since: Option<jiff::Timestamp>,
}

/// Why the [`Gate`] refuses a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Offline since this time.
    Offline { since: jiff::Timestamp },
    /// Read-only mode.
    ReadOnly,
}

impl Gate {
    /// `None` when a write may be sent; else why not (read-only first: it does not pass when
    /// HubSpot comes back).
    pub fn refusal(&self) -> Option<Refusal> {
        if self.read_only {
            return Some(Refusal::ReadOnly);
        }
        self.offline_since.map(|since| Refusal::Offline { since })
    }
}

impl Refusal {
    /// The one line that says why, with the time in `tz` (the status bar shows it).
    pub fn line(&self, tz: &jiff::tz::TimeZone) -> String {
        match self {
            Self::ReadOnly => "read-only mode (--read-only): no changes are sent".to_owned(),
            Self::Offline { since } => format!(
                "offline since {}: HubSpot can't be reached; nothing was sent (draft kept)",
                clock(*since, tz)
            ),
        }
    }
}

/// `HH:MM` of `t` in `tz`.
pub fn clock(t: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.to_zoned(tz.clone()).strftime("%H:%M").to_string()
}

impl Failure {
    /// A write the [`Gate`] refused: nothing was sent, and `line` says why.
    pub fn refused(line: impl Into<String>) -> Self {
        Failure {
            kind: FailureKind::Refused,
            ..Failure::local(line)
        }
    }
}

#[cfg(test)]
mod gate_tests {
    use super::*;

    fn at(hh_mm: &str) -> jiff::Timestamp {
        format!("2026-12-01T{hh_mm}:00Z").parse().expect("time")
    }

    #[test]
    fn the_gate_opens_only_online_and_not_read_only() {
        let utc = jiff::tz::TimeZone::UTC;
        let since = at("09:05");
        let cases = [
            (false, None, None),
            (
                true,
                None,
                Some("read-only mode (--read-only): no changes are sent"),
            ),
            (
                false,
                Some(since),
                Some(
                    "offline since 09:05: HubSpot can't be reached; nothing was sent \
                     (draft kept)",
                ),
            ),
            // Read-only is said even offline: it stays when HubSpot comes back.
            (
                true,
                Some(since),
                Some("read-only mode (--read-only): no changes are sent"),
            ),
        ];
        for (read_only, offline_since, want) in cases {
            let gate = Gate {
                read_only,
                offline_since,
            };
            let got = gate.refusal().map(|r| r.line(&utc));
            assert_eq!(got.as_deref(), want, "{gate:?}");
        }
    }

    #[test]
    fn the_offline_time_is_local() {
        let tz = jiff::tz::TimeZone::fixed(jiff::tz::offset(9));
        let r = Refusal::Offline { since: at("09:05") };
        assert!(
            r.line(&tz).starts_with("offline since 18:05:"),
            "{}",
            r.line(&tz)
        );
    }
}
