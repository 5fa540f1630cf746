//! `/` over the whole cached queue: besides the loaded rows, the filter matches every cached
//! ticket of the view's pipeline, listed after the loaded matches and marked as coming from
//! the cache (the view's own rows first: they are HubSpot's answer to the view; the others
//! are the pipeline's tickets as of the last sync, whatever the view's stages or owner).
//!
//! Owns: asking for the cached rows (once per pipeline and columns, when `/` opens; the live
//! task answers with [`Event::CachedQueue`]), their prepared haystacks (built once when they
//! arrive, then kept in step row by row as the background sync changes tickets), and matching
//! them per keystroke. The rows themselves live in the [`TicketList`](super::list::TicketList)
//! (its cached rows), so opening one works as for any row: the detail is fetched from
//! HubSpot. Must not: read the cache (the runtime's live task does, and speaks `protocol`).
//!
//! [`Event::CachedQueue`]: crate::protocol::Event::CachedQueue

use crate::domain::Ticket;
use crate::fuzzy::FuzzyFilter;
use crate::protocol::{CacheRequest, ReqId};

use super::{App, Effect};

/// The cached queue on hand: whose pipeline, with which properties, its haystacks.
#[derive(Debug, Default)]
pub struct CacheQueue {
    /// The pipeline asked for (`None`: every pipeline) and the properties kept per row.
    key: Option<(Option<String>, Vec<String>)>,
    /// The request on its way, and what it asked for.
    waiting: Option<(ReqId, Option<String>, Vec<String>)>,
    /// Haystacks of the list's cached rows, row for row.
    fuzzy: FuzzyFilter,
    /// When the rows were last synced (ms), if ever.
    pub as_of_ms: Option<i64>,
    /// Stage or owner names changed: every haystack is prepared again before the next match.
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

    /// What a cached row keeps: what `/` matches on (subject, stage, owner, priority) and
    /// the view's columns and sort, nothing else (100,000 rows stay small).
    fn queue_properties(&self) -> Vec<String> {
        let view = self.current_view();
        let mut props: Vec<String> = [
            "subject",
            "hs_pipeline",
            "hs_pipeline_stage",
            "hubspot_owner_id",
            "hs_ticket_priority",
        ]
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

    /// Asks for the cached rows of the view's pipeline unless they are on hand or on their
    /// way (the `/` line opened).
    pub(super) fn want_cache_queue(&mut self) -> Vec<Effect> {
        let pipeline = self.queue_pipeline();
        let properties = self.queue_properties();
        let wanted = (pipeline, properties);
        let on_hand = self.cache_queue.key.as_ref() == Some(&wanted);
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
        vec![Effect::ReadCache(CacheRequest::Queue {
            req,
            pipeline,
            properties,
        })]
    }

    /// The cached rows arrived: kept in the list, their haystacks prepared once.
    pub(super) fn on_cache_queue(
        &mut self,
        req: ReqId,
        tickets: Vec<Ticket>,
        as_of_ms: Option<i64>,
    ) {
        let Some((_, pipeline, properties)) =
            self.cache_queue.waiting.take_if(|(r, _, _)| *r == req)
        else {
            return;
        };
        let haystacks = tickets.iter().map(|t| self.haystack(t)).collect();
        self.list.set_cached(tickets);
        self.cache_queue.fuzzy.set_haystacks(haystacks);
        self.cache_queue.stale = false;
        self.cache_queue.key = Some((pipeline, properties));
        self.cache_queue.as_of_ms = as_of_ms;
        if self.filter.is_some() {
            self.apply_filter();
        }
        self.dirty = true;
    }

    /// The cached rows matching `query`, best first, leaving out those loaded too (their
    /// loaded row shows) and those gone from HubSpot.
    pub(super) fn cached_matches(&mut self, query: &str) -> Vec<usize> {
        if !self.cache_queue.is_ready() {
            return Vec::new();
        }
        if self.cache_queue.stale || self.cache_queue.fuzzy.len() != self.list.cached_len() {
            self.rebuild_cached_haystacks();
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
    /// detail, an edit, the background sync), or all of them after a catalogue change.
    pub(super) fn sync_cached_haystacks(&mut self, ids: &[String]) {
        if !self.cache_queue.is_ready() {
            return;
        }
        for id in ids {
            let Some(j) = self.list.cached_position(id) else {
                continue;
            };
            let hay = self.haystack(&self.list.cached()[j]);
            self.cache_queue.fuzzy.set(j, hay);
        }
    }

    /// Prepares every cached row's haystack again (stage and owner names changed).
    pub(super) fn rebuild_cached_haystacks(&mut self) {
        if !self.cache_queue.is_ready() {
            return;
        }
        let haystacks = self
            .list
            .cached()
            .iter()
            .map(|t| self.haystack(t))
            .collect();
        self.cache_queue.fuzzy.set_haystacks(haystacks);
        self.cache_queue.stale = false;
    }

    /// Tickets the background sync added, changed or removed, for the cached rows: a changed
    /// one is replaced, one new to the queue's pipeline is appended, a removed one hidden.
    pub(super) fn cache_queue_changed(&mut self, tickets: &[Ticket], removed: &[String]) {
        let Some((pipeline, _)) = self.cache_queue.key.clone() else {
            return;
        };
        let mut changed = Vec::new();
        for t in tickets {
            let belongs = pipeline.as_deref().is_none_or(|p| t.pipeline() == p);
            if self.list.cached_position(&t.id).is_some() || belongs {
                if self.list.put_cached(t.clone(), belongs) {
                    let hay = self.haystack(t);
                    self.cache_queue.fuzzy.push(hay);
                } else {
                    changed.push(t.id.clone());
                }
            }
        }
        for id in removed {
            self.list.hide_cached(id);
        }
        self.sync_cached_haystacks(&changed);
    }
}
