//! `/` over the whole cached queue: besides the loaded rows, the filter matches every cached
//! ticket of the view's pipeline, listed after the loaded matches and marked as coming from
//! the cache (the view's own rows first: they are HubSpot's answer to the view; the others
//! are the pipeline's tickets as of the last sync, whatever the view's stages or owner).
//!
//! Owns: asking for the cached queue's index (once per pipeline and columns, when `/` opens;
//! the live task answers with [`Event::CachedQueue`]: IDs and prepared haystacks, compact,
//! built by the cache's reader as it reads the rows, so 100,000 cached tickets cost a few MB
//! and never sit in memory as tickets), keeping the haystacks in step row by row as the
//! background sync changes tickets, matching them per keystroke, and asking for the tickets
//! of the cached rows on screen ([`Event::QueueRows`]; the list holds a screenful). Opening
//! a cached row works as for any row: the detail is fetched from HubSpot. Must not: read the
//! cache (the runtime's live task does, and speaks `protocol`).
//!
//! [`Event::CachedQueue`]: crate::protocol::Event::CachedQueue
//! [`Event::QueueRows`]: crate::protocol::Event::QueueRows

use std::sync::Arc;

use crate::domain::Catalog;
use crate::domain::Ticket;
use crate::fuzzy::FuzzyFilter;
use crate::fuzzy::Haystacks;
use crate::protocol::{CacheRequest, QueueBuilder, QueueIndex, QueueSink, ReqId};

use super::{App, Effect};

/// The cached queue on hand: whose pipeline, with which properties, its haystacks.
#[derive(Debug, Default)]
pub struct CacheQueue {
    /// The pipeline asked for (`None`: every pipeline) and the properties of a drawn row.
    key: Option<(Option<String>, Vec<String>)>,
    /// The request on its way, and what it asked for.
    waiting: Option<(ReqId, Option<String>, Vec<String>)>,
    /// Haystacks of the list's cached rows, row for row.
    fuzzy: FuzzyFilter,
    /// When the rows were last synced (ms), if ever.
    pub as_of_ms: Option<i64>,
    /// Stage or owner names changed: the index is read again (with the new labels) at the
    /// next `/`, or at once while `/` is open; the old one serves meanwhile.
    stale: bool,
}

impl CacheQueue {
    /// Whether rows are on hand.
    pub fn is_ready(&self) -> bool {
        self.key.is_some()
    }

    /// Stage or owner names changed (the catalogue arrived again).
    pub fn labels_changed(&mut self) {
        self.stale = true;
    }
}

/// The cached queue as `/` holds it, row for row: the ticket's ID (the cache keys tickets by
/// their numeric ID) and its prepared haystack. Built by the cache's reader through an
/// [`IndexSink`].
#[derive(Debug, Default)]
pub struct CachedIndex {
    pub ids: Vec<u64>,
    pub haystacks: Haystacks,
}

impl CachedIndex {
    /// The heap it holds, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.ids.capacity() * std::mem::size_of::<u64>() + self.haystacks.heap_bytes()
    }
}

/// Builds a [`CachedIndex`] row by row on the cache's reader thread.
struct IndexSink {
    catalog: Arc<Catalog>,
    index: CachedIndex,
}

impl QueueSink for IndexSink {
    fn push(&mut self, ticket: &Ticket) {
        // A ticket whose ID is not numeric is not a cached one: left out.
        if let Ok(id) = ticket.id.parse::<u64>() {
            self.index.ids.push(id);
            let hay = super::list_flow::haystack_of(&self.catalog, ticket);
            self.index.haystacks.push(&hay);
        }
    }

    fn finish(self: Box<Self>) -> QueueIndex {
        let mut index = self.index;
        index.ids.shrink_to_fit();
        index.haystacks.shrink_to_fit();
        QueueIndex::new(index)
    }
}

/// What a cached row's haystack needs besides its ID: what `/` matches on (subject, stage,
/// owner, priority) and the pipeline the stage's label is looked up in.
const HAYSTACK_PROPERTIES: [&str; 5] = [
    "subject",
    "hs_pipeline",
    "hs_pipeline_stage",
    "hubspot_owner_id",
    "hs_ticket_priority",
];

impl App {
    /// Whether `/` matches cached rows too (they arrived from the cache).
    pub fn cache_queue_ready(&self) -> bool {
        self.cache_queue.is_ready()
    }

    /// The pipeline whose cached tickets `/` matches: the current view's (`None`: all).
    fn queue_pipeline(&self) -> Option<String> {
        self.current_view()
            .pipeline
            .clone()
            .filter(|p| !p.trim().is_empty())
    }

    /// What a drawn cached row is read with: what `/` matches on and the view's columns and
    /// sort, nothing else.
    fn queue_properties(&self) -> Vec<String> {
        let view = self.current_view();
        let mut props: Vec<String> = HAYSTACK_PROPERTIES
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let extra = view
            .column_names()
            .into_iter()
            .flat_map(|c| crate::views::columns::properties(&c))
            .chain(view.sort.as_ref().map(|s| s.property.clone()));
        for p in extra {
            if !props.contains(&p) && p != "hs_object_id" {
                props.push(p);
            }
        }
        props
    }

    /// How the cache's reader builds the index: each row's haystack as a loaded row's, with
    /// the catalogue as it is now.
    pub fn queue_builder(&self) -> QueueBuilder {
        let catalog = Arc::new(self.catalog.clone());
        QueueBuilder(Arc::new(move || {
            Box::new(IndexSink {
                catalog: Arc::clone(&catalog),
                index: CachedIndex::default(),
            })
        }))
    }

    /// Asks for the cached queue's index of the view's pipeline unless it is on hand (with
    /// today's labels) or on its way (the `/` line opened).
    pub(super) fn want_cache_queue(&mut self) -> Vec<Effect> {
        let pipeline = self.queue_pipeline();
        let properties = self.queue_properties();
        let wanted = (pipeline, properties);
        let on_hand = !self.cache_queue.stale && self.cache_queue.key.as_ref() == Some(&wanted);
        let on_way = self
            .cache_queue
            .waiting
            .as_ref()
            .is_some_and(|(_, p, props)| (p, props) == (&wanted.0, &wanted.1));
        if on_hand || on_way {
            return Vec::new();
        }
        let req = self.req();
        let (pipeline, properties) = wanted;
        self.cache_queue.waiting = Some((req, pipeline.clone(), properties.clone()));
        self.cache_queue.stale = false;
        vec![Effect::ReadCache(CacheRequest::Queue {
            req,
            pipeline,
            properties: HAYSTACK_PROPERTIES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            build: self.queue_builder(),
        })]
    }

    /// The cached queue's index arrived: its IDs kept in the list, its haystacks matched.
    pub(super) fn on_cache_queue(&mut self, req: ReqId, index: QueueIndex, as_of_ms: Option<i64>) {
        let Some((_, pipeline, properties)) =
            self.cache_queue.waiting.take_if(|(r, _, _)| *r == req)
        else {
            return;
        };
        let index: CachedIndex = index.take().unwrap_or_default();
        self.list.set_cached(&index.ids);
        self.cache_queue.fuzzy.set_store(index.haystacks);
        self.cache_queue.key = Some((pipeline, properties));
        self.cache_queue.as_of_ms = as_of_ms;
        if self.filter.is_some() {
            self.apply_filter();
        }
        self.dirty = true;
    }

    /// After every update: the index again while `/` is open if its labels changed, and the
    /// tickets of the cached rows that came on screen.
    pub(super) fn cache_queue_effects(&mut self) -> Vec<Effect> {
        let mut fx = Vec::new();
        if self.cache_queue.stale && self.filter.is_some() && self.cache_queue.waiting.is_none() {
            fx.extend(self.want_cache_queue());
        }
        let ids = self.list.want_drawn();
        if !ids.is_empty() {
            let properties = match &self.cache_queue.key {
                Some((_, props)) => props.clone(),
                None => self.queue_properties(),
            };
            let req = self.req();
            fx.push(Effect::ReadCache(CacheRequest::Rows {
                req,
                ids,
                properties,
            }));
        }
        fx
    }

    /// Tickets of cached rows on screen, read from the cache.
    pub(super) fn on_queue_rows(&mut self, tickets: Vec<Ticket>) {
        if self.list.fill_drawn(tickets) {
            self.dirty = true;
        }
    }

    /// The cached rows matching `query`, best first, leaving out those loaded too (their
    /// loaded row shows) and those gone from HubSpot.
    pub(super) fn cached_matches(&mut self, query: &str) -> Vec<usize> {
        if !self.cache_queue.is_ready() {
            return Vec::new();
        }
        let list = &self.list;
        self.cache_queue
            .fuzzy
            .filter(query)
            .iter()
            .copied()
            .filter(|&j| list.cached_is_shown(j))
            .collect()
    }

    /// Keeps the haystacks of cached rows in step with tickets that changed (a fetched
    /// detail, an edit) and are at hand.
    pub(super) fn sync_cached_haystacks(&mut self, ids: &[String]) {
        if !self.cache_queue.is_ready() {
            return;
        }
        for id in ids {
            let Some(j) = self.list.cached_position(id) else {
                continue;
            };
            let Some(ticket) = self.list.cached_ticket(j) else {
                continue;
            };
            let hay = self.haystack(ticket);
            self.cache_queue.fuzzy.set(j, hay);
        }
    }

    /// Tickets the background sync added, changed or removed, for the cached rows: a changed
    /// one gets its haystack (and its drawn row) replaced, one new to the queue's pipeline is
    /// appended, a removed one hidden.
    pub(super) fn cache_queue_changed(&mut self, tickets: &[Ticket], removed: &[String]) {
        let Some((pipeline, _)) = self.cache_queue.key.clone() else {
            return;
        };
        for t in tickets {
            let belongs = pipeline.as_deref().is_none_or(|p| t.pipeline() == p);
            let known = self.list.cached_position(&t.id);
            if known.is_none() && !belongs {
                continue;
            }
            let hay = self.haystack(t);
            let appended = self.list.put_cached(t.clone(), belongs);
            match known {
                Some(j) => self.cache_queue.fuzzy.set(j, hay),
                None if appended => self.cache_queue.fuzzy.push(hay),
                None => {}
            }
        }
        for id in removed {
            self.list.hide_cached(id);
        }
    }
}
