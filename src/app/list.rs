//! The ticket list's model: loaded tickets in server order, the rows on view (all, or the
//! matches of the `/` filter), selection and scroll, marks, and paging state; and the cached
//! rows of the view's pipeline that `/` matches too (see `cache_queue`), shown after the
//! loaded matches while a filter is on, never otherwise. Of the cached rows only the IDs are
//! held (compact), and the tickets of those on screen: [`TicketList::want_drawn`] says which
//! to read from the cache, [`TicketList::fill_drawn`] takes them.
//!
//! Pure data and transitions: no I/O, no clock, no rendering. Selection is kept by ticket ID
//! where it matters (refresh, filter) so that new data never moves the cursor under the user.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::domain::Ticket;

/// How close to the end of the loaded rows (in rows) the next page is requested.
pub const PREFETCH_MARGIN: usize = 50;

/// The list of tickets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TicketList {
    tickets: Vec<Ticket>,
    index: HashMap<String, usize>,
    /// Indices into `tickets` of the rows on view, in display order. `None`: all rows.
    view: Option<Vec<usize>>,
    /// Row (in view order) under the cursor.
    selected: usize,
    /// First row drawn.
    offset: usize,
    /// Rows that fit on screen, as last drawn.
    viewport: usize,
    /// Tickets marked for bulk actions, by ID.
    marked: BTreeSet<String>,
    /// Tickets that turned out deleted elsewhere (detail answered 404).
    gone: HashSet<String>,
    /// The selected ticket, when a refresh no longer found it in the view (closed by someone
    /// else, say): kept under the cursor until it moves off it.
    left: Option<String>,
    /// Cursor for the next page; `None` once the last page arrived.
    next_after: Option<String>,
    /// Whether at least one page arrived.
    loaded_once: bool,
    /// How many of `tickets` came with the first page (the rest are later pages).
    first_page: usize,
    /// Total on the server when the source reports one (search does; the list API doesn't).
    pub total: Option<u64>,
    /// The IDs of the cached rows of the view's pipeline (`/` over the cache), by position.
    cached: CachedIds,
    /// Per cached row: loaded too (its loaded row shows instead), or gone from HubSpot.
    cached_hidden: Vec<bool>,
    /// Indices into `cached` of the cached rows on view, after the loaded ones of `view`.
    view_cached: Vec<usize>,
    /// The tickets of cached rows on screen (by position in `cached`), read from the cache
    /// as they come into view; `pending` ones show their ID only until the answer.
    drawn: HashMap<usize, Drawn>,
}

/// A cached row's ticket, as drawn.
#[derive(Debug, Clone, PartialEq)]
struct Drawn {
    ticket: Ticket,
    /// Asked of the cache, not answered yet (the ticket has its ID only).
    pending: bool,
}

/// The cached rows' IDs: one text buffer and where each ends (the cache keys tickets by
/// numeric ID), with an index by number. About 20 bytes a row.
#[derive(Debug, Clone, Default, PartialEq)]
struct CachedIds {
    text: String,
    ends: Vec<u32>,
    index: HashMap<u64, u32>,
}

impl CachedIds {
    fn new(ids: &[u64]) -> CachedIds {
        let mut out = CachedIds {
            text: String::with_capacity(ids.len() * 7),
            ends: Vec::with_capacity(ids.len()),
            index: HashMap::with_capacity(ids.len()),
        };
        for &id in ids {
            out.push(id);
        }
        out
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Appends an ID (already there: its position); returns its position.
    fn push(&mut self, id: u64) -> usize {
        if let Some(j) = self.position_of(id) {
            return j;
        }
        use std::fmt::Write as _;
        let j = self.ends.len();
        let _ = write!(self.text, "{id}");
        self.ends
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
        self.index.insert(id, u32::try_from(j).unwrap_or(u32::MAX));
        j
    }

    fn get(&self, j: usize) -> Option<&str> {
        let end = *self.ends.get(j)? as usize;
        let start = match j {
            0 => 0,
            _ => *self.ends.get(j - 1)? as usize,
        };
        self.text.get(start..end)
    }

    fn position_of(&self, id: u64) -> Option<usize> {
        self.index.get(&id).map(|&j| j as usize)
    }

    fn position(&self, id: &str) -> Option<usize> {
        self.position_of(id.parse().ok()?)
    }
}

impl TicketList {
    pub fn len(&self) -> usize {
        self.tickets.len()
    }
    pub fn is_empty(&self) -> bool {
        self.tickets.is_empty()
    }
    pub fn loaded_once(&self) -> bool {
        self.loaded_once
    }
    pub fn has_more(&self) -> bool {
        !self.loaded_once || self.next_after.is_some()
    }
    /// Whether rows of later pages are loaded (a refresh of the first page keeps them).
    pub fn has_later_pages(&self) -> bool {
        self.tickets.len() > self.first_page
    }
    pub fn next_after(&self) -> Option<&str> {
        self.next_after.as_deref()
    }
    pub fn tickets(&self) -> &[Ticket] {
        &self.tickets
    }
    pub fn get(&self, id: &str) -> Option<&Ticket> {
        self.index.get(id).map(|&i| &self.tickets[i])
    }
    /// Where a ticket is among the loaded tickets (an index into [`Self::tickets`]).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Ticket> {
        self.index.get(id).map(|&i| &mut self.tickets[i])
    }

    /// Number of rows on view.
    pub fn rows(&self) -> usize {
        self.view
            .as_ref()
            .map_or(self.tickets.len(), |v| v.len() + self.view_cached.len())
    }

    /// The ticket shown at view row `row` (a cached row's only while on screen: see
    /// [`Self::want_drawn`]).
    pub fn row(&self, row: usize) -> Option<&Ticket> {
        let i = match &self.view {
            Some(v) if row >= v.len() => {
                let j = self.view_cached.get(row - v.len())?;
                return self.drawn.get(j).map(|d| &d.ticket);
            }
            Some(v) => v[row],
            None => row,
        };
        self.tickets.get(i)
    }

    /// The ID of the ticket at view row `row`, on screen or not.
    pub fn row_id(&self, row: usize) -> Option<&str> {
        let i = match &self.view {
            Some(v) if row >= v.len() => {
                return self.cached.get(*self.view_cached.get(row - v.len())?);
            }
            Some(v) => v[row],
            None => row,
        };
        self.tickets.get(i).map(|t| t.id.as_str())
    }

    /// Whether view row `row` is a cached row (not loaded from the view: from the cache).
    pub fn is_cached_row(&self, row: usize) -> bool {
        self.view.as_ref().is_some_and(|v| row >= v.len()) && row < self.rows()
    }

    /// How many cached rows are on view (the filter's matches from the cache).
    pub fn cached_rows(&self) -> usize {
        self.view_cached.len()
    }

    /// Cached row `j`'s ticket, when it is at hand (drawn, or fetched since).
    pub fn cached_ticket(&self, j: usize) -> Option<&Ticket> {
        self.drawn.get(&j).filter(|d| !d.pending).map(|d| &d.ticket)
    }
    pub fn cached_len(&self) -> usize {
        self.cached.len()
    }
    /// How many cached rows' tickets are held (a screenful at most).
    pub fn held_cached_tickets(&self) -> usize {
        self.drawn.len()
    }
    pub fn cached_position(&self, id: &str) -> Option<usize> {
        self.cached.position(id)
    }
    /// Whether cached row `j` may show: neither loaded too nor gone.
    pub fn cached_is_shown(&self, j: usize) -> bool {
        self.cached_hidden.get(j).is_some_and(|h| !h)
    }

    /// Replaces the cached rows (the IDs of the cache's answer). The filter shows them at
    /// its next run.
    pub fn set_cached(&mut self, ids: &[u64]) {
        self.view_cached.clear();
        self.drawn.clear();
        self.cached = CachedIds::new(ids);
        self.cached_hidden = vec![false; self.cached.len()];
        for t in &self.tickets {
            if let Some(j) = self.cached.position(&t.id) {
                self.cached_hidden[j] = true;
            }
        }
    }

    /// A ticket for the cached rows: replaces its cached row's ticket if drawn (hidden when
    /// it no longer `belongs` to them), or is appended when it belongs. Returns whether it
    /// was appended.
    pub fn put_cached(&mut self, ticket: Ticket, belongs: bool) -> bool {
        if let Some(j) = self.cached.position(&ticket.id) {
            if !belongs {
                self.cached_hidden[j] = true;
            }
            if let Some(d) = self.drawn.get_mut(&j) {
                *d = Drawn {
                    ticket,
                    pending: false,
                };
            }
            return false;
        }
        let Ok(id) = ticket.id.parse::<u64>() else {
            return false;
        };
        if !belongs {
            return false;
        }
        self.cached.push(id);
        self.cached_hidden.push(self.index.contains_key(&ticket.id));
        true
    }

    /// Hides a cached row for good (the ticket is gone from HubSpot).
    pub fn hide_cached(&mut self, id: &str) {
        if let Some(j) = self.cached.position(id) {
            self.cached_hidden[j] = true;
        }
    }

    /// Empties the list for a new first page, keeping the cached rows and the viewport.
    pub fn emptied(&mut self) -> TicketList {
        let mut fresh = TicketList::default();
        fresh.set_viewport(self.viewport);
        // Rows hidden because they were loaded show again; those gone stay hidden.
        self.unhide_cached();
        fresh.cached = std::mem::take(&mut self.cached);
        fresh.cached_hidden = std::mem::take(&mut self.cached_hidden);
        fresh
    }

    /// The cached rows on screen whose tickets are not at hand: marks them asked for and
    /// returns their IDs, to read from the cache. Tickets of cached rows gone off screen are
    /// let go, so only a screenful is ever held.
    pub fn want_drawn(&mut self) -> Vec<String> {
        let on_screen: HashSet<usize> = match &self.view {
            Some(v) if !self.view_cached.is_empty() => {
                let end = (self.offset + self.viewport.max(1)).min(self.rows());
                (self.offset.max(v.len())..end)
                    .filter_map(|r| self.view_cached.get(r - v.len()).copied())
                    .collect()
            }
            _ => HashSet::new(),
        };
        self.drawn.retain(|j, _| on_screen.contains(j));
        let mut wanted: Vec<usize> = on_screen
            .into_iter()
            .filter(|j| !self.drawn.contains_key(j))
            .collect();
        wanted.sort_unstable();
        let mut ids = Vec::with_capacity(wanted.len());
        for j in wanted {
            let Some(id) = self.cached.get(j) else {
                continue;
            };
            ids.push(id.to_owned());
            let ticket = Ticket {
                id: id.to_owned(),
                properties: Default::default(),
                created_at: None,
                updated_at: None,
                archived: false,
                history: None,
            };
            self.drawn.insert(
                j,
                Drawn {
                    ticket,
                    pending: true,
                },
            );
        }
        ids
    }

    /// Tickets read from the cache for rows on screen: each fills its row if still asked
    /// for (a newer copy, from HubSpot or the sync, is kept). Returns whether any did.
    pub fn fill_drawn(&mut self, tickets: Vec<Ticket>) -> bool {
        let mut filled = false;
        for ticket in tickets {
            let Some(j) = self.cached.position(&ticket.id) else {
                continue;
            };
            if let Some(d) = self.drawn.get_mut(&j)
                && d.pending
            {
                *d = Drawn {
                    ticket,
                    pending: false,
                };
                filled = true;
            }
        }
        filled
    }

    /// Rows `offset .. offset + viewport` as (row number, ticket): what a frame draws.
    pub fn visible(&self) -> impl Iterator<Item = (usize, &Ticket)> {
        let end = (self.offset + self.viewport.max(1)).min(self.rows());
        (self.offset..end).filter_map(|r| self.row(r).map(|t| (r, t)))
    }

    pub fn selected_row(&self) -> usize {
        self.selected
    }
    pub fn offset(&self) -> usize {
        self.offset
    }
    pub fn selected(&self) -> Option<&Ticket> {
        self.row(self.selected)
    }
    pub fn selected_id(&self) -> Option<&str> {
        self.row_id(self.selected)
    }

    /// Appends a page (a ticket already loaded is updated in place, not duplicated).
    pub fn append_page(&mut self, tickets: Vec<Ticket>, next_after: Option<String>) {
        for t in tickets {
            self.upsert_loaded(t);
        }
        self.next_after = next_after;
        self.loaded_once = true;
    }

    /// Replaces the first page with a fresh one, keeping the selection on the same ticket
    /// when it is still there (else on the same row number) and the scroll offset. Rows of
    /// later pages stay (a ticket that moved onto the first page is not shown twice) and
    /// paging goes on after the last page loaded, so a refresh never pulls the cursor back
    /// to the first page.
    pub fn replace_first_page(&mut self, tickets: Vec<Ticket>, next_after: Option<String>) {
        let keep = self.selected_id().map(str::to_owned);
        let (row, offset) = (self.selected, self.offset);
        // The selected ticket, if the fresh rows no longer have it: it left the view.
        let leaving = keep.as_ref().and_then(|id| {
            let i = *self.index.get(id)?;
            (i < self.first_page && !tickets.iter().any(|t| &t.id == id))
                .then(|| (self.tickets[i].clone(), self.view.is_none()))
        });
        let later = if self.tickets.len() > self.first_page {
            Some((
                self.tickets.split_off(self.first_page),
                self.next_after.take(),
            ))
        } else {
            None
        };
        self.tickets.clear();
        self.index.clear();
        self.unhide_cached();
        self.view = None;
        self.view_cached.clear();
        self.gone.clear();
        self.first_page = tickets.len();
        self.append_page(tickets, next_after);
        if let Some((later, later_after)) = later {
            for t in later {
                if !self.index.contains_key(&t.id) {
                    self.upsert_loaded(t);
                }
            }
            self.next_after = later_after;
        }
        self.left = None;
        if let Some((ticket, true)) = leaving
            && !self.index.contains_key(&ticket.id)
        {
            // Back where it was, flagged, so nothing moves under the cursor.
            let pos = row.min(self.tickets.len());
            self.left = Some(ticket.id.clone());
            if let Some(j) = self.cached.position(&ticket.id) {
                self.cached_hidden[j] = true;
            }
            self.tickets.insert(pos, ticket);
            if pos <= self.first_page {
                self.first_page += 1;
            }
            self.reindex();
        }
        self.marked.retain(|id| self.index.contains_key(id));
        self.selected = keep
            .and_then(|id| self.index.get(&id).copied())
            .unwrap_or(row)
            .min(self.rows().saturating_sub(1));
        self.offset = offset;
        self.clamp_scroll();
    }

    /// Shows again every cached row that was hidden because it was loaded (the loaded rows
    /// are about to be replaced).
    fn unhide_cached(&mut self) {
        for t in &self.tickets {
            if let Some(j) = self.cached.position(&t.id) {
                self.cached_hidden[j] = false;
            }
        }
    }

    fn reindex(&mut self) {
        self.index = self
            .tickets
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id.clone(), i))
            .collect();
    }

    /// Whether a refresh found this ticket no longer in the view.
    pub fn has_left(&self, id: &str) -> bool {
        self.left.as_deref() == Some(id)
    }

    fn selected_has_left(&self) -> bool {
        self.left.is_some() && self.left.as_deref() == self.selected_id()
    }

    /// Drops the ticket that left the view once the cursor is off it; the cursor stays on
    /// the ticket it is on.
    pub fn drop_left(&mut self) {
        if !self.selected_has_left()
            && let Some(id) = self.left.take()
        {
            self.remove(&id);
        }
    }

    /// Inserts or updates one ticket (an edit, a fetched detail).
    pub fn upsert(&mut self, ticket: Ticket) {
        if let Some(&i) = self.index.get(&ticket.id) {
            // Replace the properties wholesale: HubSpot omits empty values, so merging would
            // resurrect a value that was just cleared. History is kept if the new copy has none.
            let old = &mut self.tickets[i];
            let mut new = ticket;
            if new.history.is_none() {
                new.history = old.history.take();
            }
            *old = new;
        } else if let Some(j) = self.cached.position(&ticket.id) {
            // Not a row of the view: its cached row shows it (kept while on screen).
            self.drawn.insert(
                j,
                Drawn {
                    ticket,
                    pending: false,
                },
            );
        } else {
            self.push_loaded(ticket);
        }
    }

    /// Appends a loaded ticket. While filtered, it stays out of view until the filter runs
    /// again.
    fn push_loaded(&mut self, ticket: Ticket) {
        if let Some(j) = self.cached.position(&ticket.id) {
            self.cached_hidden[j] = true;
        }
        self.index.insert(ticket.id.clone(), self.tickets.len());
        self.tickets.push(ticket);
    }

    /// Inserts or updates a ticket of the view (a page's): loaded even when it is cached.
    fn upsert_loaded(&mut self, ticket: Ticket) {
        if self.index.contains_key(&ticket.id) {
            self.upsert(ticket);
        } else {
            self.push_loaded(ticket);
        }
    }

    /// Inserts a new ticket where HubSpot's ID order puts it among the loaded rows (the list
    /// and pipeline views are in record-ID order), or updates it if loaded. While filtered it
    /// stays out of view until the filter runs again.
    pub fn insert_in_id_order(&mut self, ticket: Ticket) {
        if self.index.contains_key(&ticket.id) {
            self.upsert(ticket);
            return;
        }
        let key = |id: &str| (id.len(), id.to_owned());
        let pos = self
            .tickets
            .partition_point(|t| key(&t.id) < key(&ticket.id));
        if let Some(j) = self.cached.position(&ticket.id) {
            self.cached_hidden[j] = true;
        }
        self.tickets.insert(pos, ticket);
        // A created ticket is shown, so it is counted: "32/31" would read as a bug.
        self.total = self.total.map(|t| t + 1);
        self.reindex();
        if let Some(view) = &mut self.view {
            for x in view.iter_mut() {
                if *x >= pos {
                    *x += 1;
                }
            }
        }
    }

    /// Removes a ticket (deleted) without moving the selection to another place: the cursor
    /// stays on the same row number, which now shows the next ticket. A row removed above the
    /// cursor leaves the cursor on the ticket it was on.
    pub fn remove(&mut self, id: &str) {
        let Some(i) = self.index.remove(id) else {
            return;
        };
        let row = match &self.view {
            Some(v) => v.iter().position(|&x| x == i),
            None => Some(i),
        };
        if let Some(r) = row
            && r < self.selected
        {
            self.selected -= 1;
            self.offset = self.offset.saturating_sub(usize::from(r < self.offset));
        }
        self.tickets.remove(i);
        if i < self.first_page {
            self.first_page -= 1;
        }
        for v in self.index.values_mut() {
            if *v > i {
                *v -= 1;
            }
        }
        if let Some(view) = &mut self.view {
            view.retain(|&x| x != i);
            for x in view.iter_mut() {
                if *x > i {
                    *x -= 1;
                }
            }
        }
        // The server's count of the view goes down with it (a deleted ticket left it).
        self.total = self.total.map(|t| t.saturating_sub(1));
        self.marked.remove(id);
        self.gone.remove(id);
        self.left.take_if(|l| l == id);
        self.selected = self.selected.min(self.rows().saturating_sub(1));
        self.clamp_scroll();
    }

    /// A merge's answer: the survivor takes the row of `primary` (else of `merged`, else
    /// HubSpot's ID order puts it), the other row goes, neither stays marked, and the
    /// selection is on the survivor. The survivor usually has a new ID.
    pub fn merged(&mut self, primary: &str, merged: &str, survivor: Ticket) {
        let keep = [primary, merged]
            .into_iter()
            .find(|id| self.index.contains_key(*id))
            .map(str::to_owned);
        for old in [primary, merged] {
            self.marked.remove(old);
            if keep.as_deref() != Some(old) && self.index.contains_key(old) {
                self.remove(old);
            }
        }
        let id = survivor.id.clone();
        match keep.and_then(|old| self.index.remove(&old)) {
            Some(i) => {
                self.index.insert(id.clone(), i);
                self.tickets[i] = survivor;
            }
            None => self.insert_in_id_order(survivor),
        }
        self.select_id(&id);
    }

    /// Marks a ticket as deleted elsewhere; it stays until the user moves on.
    pub fn mark_gone(&mut self, id: &str) {
        if self.index.contains_key(id) {
            self.gone.insert(id.to_owned());
        }
    }
    pub fn is_gone(&self, id: &str) -> bool {
        self.gone.contains(id)
    }

    /// Sets the rows that fit on screen (from the last draw).
    pub fn set_viewport(&mut self, rows: usize) {
        self.viewport = rows;
        self.clamp_scroll();
    }
    pub fn viewport(&self) -> usize {
        self.viewport
    }

    /// Moves the cursor by `delta` rows, clamped. Moving off a ticket that left the view drops
    /// it first: the next ticket takes its line, and nothing scrolls that need not (dropping
    /// it after the move would scroll when it was on the bottom line, then pull the cursor up).
    pub fn move_by(&mut self, mut delta: isize) {
        if delta != 0
            && self.selected_has_left()
            && let Some(id) = self.left.take()
        {
            // The cursor stays on its row number, which now shows the next ticket.
            self.remove(&id);
            if delta > 0 {
                delta -= 1;
            }
        }
        let last = self.rows().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.clamp_scroll();
    }
    pub fn select_row(&mut self, row: usize) {
        self.selected = row.min(self.rows().saturating_sub(1));
        self.clamp_scroll();
    }
    pub fn select_id(&mut self, id: &str) -> bool {
        let row = match (&self.view, self.index.get(id)) {
            (None, Some(&i)) => i,
            (Some(v), Some(&i)) => match v.iter().position(|&x| x == i) {
                Some(r) => r,
                None => return false,
            },
            (Some(v), None) => {
                let Some(j) = self.cached.position(id) else {
                    return false;
                };
                match self.view_cached.iter().position(|&x| x == j) {
                    Some(r) => v.len() + r,
                    None => return false,
                }
            }
            (None, None) => return false,
        };
        self.select_row(row);
        true
    }

    /// Whether the cursor is near enough to the end that the next page should be fetched.
    pub fn wants_next_page(&self) -> bool {
        self.next_after.is_some()
            && self.view.is_none()
            && self.selected + PREFETCH_MARGIN.max(self.viewport) >= self.rows()
    }

    /// Keeps the cursor on screen with as little scrolling as possible.
    fn clamp_scroll(&mut self) {
        let rows = self.rows();
        let vp = self.viewport.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + vp {
            self.offset = self.selected + 1 - vp;
        }
        self.offset = self.offset.min(rows.saturating_sub(vp));
        if self.selected < self.offset {
            self.offset = self.selected;
        }
    }

    /// Shows only `rows` (indices into the loaded tickets, in display order), or all rows.
    /// The cursor stays on the same ticket when it is on view, else goes to the first row.
    pub fn set_view(&mut self, rows: Option<Vec<usize>>) {
        self.set_view_with_cached(rows, Vec::new());
    }

    /// [`Self::set_view`] with cached rows (indices into [`Self::cached`]) after the loaded
    /// ones; ignored without a filter (`rows: None`).
    pub fn set_view_with_cached(&mut self, rows: Option<Vec<usize>>, cached: Vec<usize>) {
        let keep = self.selected_id().map(str::to_owned);
        self.view_cached = if rows.is_some() { cached } else { Vec::new() };
        self.view = rows;
        self.selected = 0;
        self.offset = 0;
        if let Some(id) = keep {
            self.select_id(&id);
        }
        self.clamp_scroll();
    }
    pub fn is_filtered(&self) -> bool {
        self.view.is_some()
    }

    pub fn toggle_mark(&mut self) {
        if let Some(id) = self.selected_id().map(str::to_owned)
            && !self.marked.remove(&id)
        {
            self.marked.insert(id);
        }
    }
    /// Marks every row on view, or clears all marks when some are set.
    pub fn mark_all_or_clear(&mut self) {
        if self.marked.is_empty() {
            self.mark_all();
        } else {
            self.marked.clear();
        }
    }
    /// Marks every row shown (keeping the marks already there).
    pub fn mark_all(&mut self) {
        let ids: Vec<String> = (0..self.rows())
            .filter_map(|r| self.row_id(r).map(str::to_owned))
            .collect();
        self.marked.extend(ids);
    }
    pub fn clear_marks(&mut self) {
        self.marked.clear();
    }
    /// Unmarks one ticket (a macro applied to it).
    pub fn unmark(&mut self, id: &str) {
        self.marked.remove(id);
    }
    pub fn marked(&self) -> &BTreeSet<String> {
        &self.marked
    }
    pub fn is_marked(&self, id: &str) -> bool {
        self.marked.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn t(id: u32) -> Ticket {
        let mut properties = BTreeMap::new();
        properties.insert("subject".to_owned(), format!("ticket {id}"));
        Ticket {
            id: id.to_string(),
            properties,
            created_at: None,
            updated_at: None,
            archived: false,
            history: None,
        }
    }

    fn list(n: u32, next: Option<&str>) -> TicketList {
        let mut l = TicketList::default();
        l.set_viewport(10);
        l.append_page((1..=n).map(t).collect(), next.map(str::to_owned));
        l
    }

    #[test]
    fn moving_scrolls_minimally_and_clamps() {
        let mut l = list(100, None);
        l.move_by(5);
        assert_eq!((l.selected_row(), l.offset()), (5, 0));
        l.move_by(10);
        assert_eq!((l.selected_row(), l.offset()), (15, 6));
        l.move_by(-3);
        assert_eq!((l.selected_row(), l.offset()), (12, 6));
        l.move_by(1000);
        assert_eq!((l.selected_row(), l.offset()), (99, 90));
        l.move_by(-1000);
        assert_eq!((l.selected_row(), l.offset()), (0, 0));
        assert_eq!(l.visible().count(), 10);
    }

    #[test]
    fn next_page_is_wanted_before_the_bottom() {
        let mut l = list(100, Some("101"));
        assert!(!l.wants_next_page(), "far from the end");
        l.select_row(60);
        assert!(l.wants_next_page(), "within the prefetch margin");
        l.append_page((101..=200).map(t).collect(), None);
        assert!(!l.wants_next_page(), "no more pages");
        assert_eq!(l.len(), 200);
    }

    #[test]
    fn refresh_keeps_selection_and_scroll() {
        let mut l = list(100, Some("101"));
        l.select_row(40);
        let offset = l.offset();
        // Fresh first page where ticket 41 moved up one row (ticket 1 was deleted).
        l.replace_first_page((2..=100).map(t).collect(), Some("101".into()));
        assert_eq!(l.selected_id(), Some("41"));
        assert_eq!(l.offset(), offset);
    }

    #[test]
    fn a_ticket_that_left_the_view_stays_under_the_cursor_until_it_moves() {
        let mut l = TicketList::default();
        l.set_viewport(10);
        l.replace_first_page((1..=20).map(t).collect(), None);
        l.select_row(5);
        let offset = l.offset();
        // Ticket 6 was closed elsewhere: the fresh page lacks it.
        let fresh: Vec<Ticket> = (1..=20).filter(|&i| i != 6).map(t).collect();
        l.replace_first_page(fresh, None);
        assert_eq!(l.selected_id(), Some("6"));
        assert!(l.has_left("6"));
        assert_eq!(l.offset(), offset);
        assert_eq!(l.len(), 20);
        l.drop_left();
        assert_eq!(l.len(), 20, "not while the cursor is on it");
        l.move_by(1);
        assert_eq!(l.selected_id(), Some("7"));
        l.drop_left();
        assert_eq!(l.len(), 19);
        assert_eq!(l.selected_id(), Some("7"), "the cursor stays on its ticket");
        assert!(!l.has_left("6"));
        // A ticket that left while the cursor was elsewhere just goes.
        let fresh: Vec<Ticket> = (1..=20).filter(|&i| i != 6 && i != 2).map(t).collect();
        l.replace_first_page(fresh, None);
        assert_eq!(l.len(), 18);
        assert_eq!(l.selected_id(), Some("7"));
    }

    #[test]
    fn moving_off_a_ticket_that_left_on_the_bottom_line_does_not_scroll() {
        let mut l = TicketList::default();
        l.set_viewport(10);
        l.replace_first_page((1..=30).map(t).collect(), None);
        l.select_row(14);
        assert_eq!(
            (l.selected_row(), l.offset()),
            (14, 5),
            "on the bottom line"
        );
        let fresh: Vec<Ticket> = (1..=30).filter(|&i| i != 15).map(t).collect();
        l.replace_first_page(fresh, None);
        assert!(l.has_left("15"));
        l.move_by(1);
        assert_eq!(l.selected_id(), Some("16"), "on to the next ticket");
        assert_eq!(
            (l.selected_row(), l.offset()),
            (14, 5),
            "on the line the ticket that left had; nothing scrolled"
        );
        assert_eq!(l.len(), 29);
        // Up off one: the ticket above it, nothing scrolled either.
        let fresh: Vec<Ticket> = (1..=30).filter(|&i| i != 15 && i != 16).map(t).collect();
        l.replace_first_page(fresh, None);
        assert!(l.has_left("16"));
        l.move_by(-1);
        assert_eq!(l.selected_id(), Some("14"));
        assert_eq!((l.selected_row(), l.offset()), (13, 5));
        // Off a ticket that left as the last row: the one before it.
        l.select_row(usize::MAX);
        let fresh: Vec<Ticket> = (1..=29).filter(|&i| i != 15 && i != 16).map(t).collect();
        l.replace_first_page(fresh, None);
        assert!(l.has_left("30"));
        l.move_by(1);
        assert_eq!(l.selected_id(), Some("29"));
        assert_eq!(l.len(), 27);
    }

    #[test]
    fn removal_keeps_row_number_and_drops_marks() {
        let mut l = list(20, None);
        l.select_row(5);
        l.toggle_mark();
        assert!(l.is_marked("6"));
        l.remove("6");
        assert_eq!(l.selected_row(), 5);
        assert_eq!(l.selected_id(), Some("7"));
        assert!(l.marked().is_empty());
        l.select_row(18);
        l.remove("20");
        assert_eq!(
            l.selected_id(),
            Some("19"),
            "last row removed: cursor on the new last row"
        );
    }

    #[test]
    fn filtered_view_keeps_cursor_on_same_ticket() {
        let mut l = list(20, None);
        l.select_id("7");
        l.set_view(Some(vec![2, 6, 9]));
        assert_eq!(l.rows(), 3);
        assert_eq!(l.selected_id(), Some("7"));
        assert_eq!(l.selected_row(), 1);
        l.set_view(None);
        assert_eq!(l.selected_id(), Some("7"));
        l.set_view(Some(vec![0]));
        assert_eq!(l.selected_id(), Some("1"), "not on view: first row");
    }

    #[test]
    fn mark_all_then_clear() {
        let mut l = list(5, None);
        l.mark_all_or_clear();
        assert_eq!(l.marked().len(), 5);
        l.mark_all_or_clear();
        assert!(l.marked().is_empty());
    }

    #[test]
    fn upsert_replaces_without_duplicating() {
        let mut l = list(3, None);
        let mut updated = t(2);
        updated
            .properties
            .insert("subject".into(), "new subject".into());
        l.upsert(updated);
        assert_eq!(l.len(), 3);
        assert_eq!(l.get("2").map(Ticket::subject), Some("new subject"));
        let mut cleared = t(2);
        cleared.properties.remove("subject");
        l.upsert(cleared);
        assert_eq!(
            l.get("2").map(Ticket::subject),
            Some(""),
            "a cleared value stays cleared"
        );
    }

    #[test]
    fn a_new_ticket_goes_where_its_id_belongs() {
        let mut l = list(3, None);
        l.upsert(t(10));
        l.insert_in_id_order(t(5));
        let ids: Vec<&str> = l.tickets().iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "5", "10"]);
        assert!(l.select_id("5"));
        assert_eq!(l.selected_row(), 3);
        l.insert_in_id_order(t(5));
        assert_eq!(l.len(), 5, "no duplicate");
    }

    #[test]
    fn gone_tickets_are_flagged() {
        let mut l = list(3, None);
        l.mark_gone("2");
        assert!(l.is_gone("2"));
        l.mark_gone("99");
        assert!(!l.is_gone("99"));
    }
}
