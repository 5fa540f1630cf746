//! The ticket list's own update code: paging (first page, next pages, the 10,000 cap),
//! loading the whole view (`V` to mark it, `G` to reach its bottom; `Esc` stops), the `/`
//! filter line and its haystacks, list keys, marking (`Space`, `V`), and the answers to list
//! requests. `on_worker` routes list events here.
//!
//! Must not: do I/O (requests go out as `Effect::Api`) or reach into a modal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

impl App {
    /// Requests a page: the first (`after == None`, a refresh when rows are loaded) or the next.
    /// A first page resolves the current view again (its relative dates, `@me`); later pages
    /// page through what the first one asked.
    pub(super) fn load_list(&mut self, after: Option<String>) -> Vec<Effect> {
        self.list_waiting = false;
        if after.is_none() {
            // The first page brings the tickets the background sync counted as new.
            self.live_new.clear();
            self.live_since = Some(self.now);
        }
        if after.is_none() && !matches!(self.source, ListSource::Batch { .. }) {
            match self.resolve_source() {
                views_flow::Resolved::Ready(source) => self.source = source,
                views_flow::Resolved::Wait => {
                    self.list_waiting = true;
                    self.list_load = Loadable::Idle;
                    return Vec::new();
                }
                views_flow::Resolved::Failed(why) => {
                    self.list_load = Loadable::Failed(Failure::local(why.clone()));
                    self.error(why);
                    return Vec::new();
                }
                views_flow::Resolved::AskMe => {
                    self.list_load = Loadable::Idle;
                    views_flow::open_me_picker(self);
                    return Vec::new();
                }
            }
        }
        let req = self.req();
        self.list_load = Loadable::Loading(req);
        self.list_first_page = after.is_none();
        vec![Effect::Api(Command::ListTickets {
            req,
            source: self.source.clone(),
            after,
            properties: self.list_properties(),
        })]
    }

    pub(super) fn maybe_next_page(&mut self) -> Vec<Effect> {
        if self.list.wants_next_page() && !self.list_load.is_loading() {
            let after = self.list.next_after().map(str::to_owned);
            return self.load_list(after);
        }
        Vec::new()
    }

    /// Empties the list and loads the first page of the current source.
    pub(super) fn reset_list(&mut self) -> Vec<Effect> {
        self.list = self.list.emptied();
        self.list.set_viewport(self.areas.list_rows());
        self.filter = None;
        self.fuzzy_stale = true;
        self.list_capped = false;
        self.load_all = None;
        self.detail.clear();
        self.pending_detail = None;
        self.load_list(None)
    }

    /// Recomputes the rows on view for the filter query.
    pub(super) fn apply_filter(&mut self) {
        let query = self
            .filter
            .as_ref()
            .map(|f| f.query.clone())
            .unwrap_or_default();
        if query.is_empty() {
            self.list.set_view(None);
            return;
        }
        if self.fuzzy_stale || self.fuzzy.len() != self.list.len() {
            self.rebuild_haystacks();
        }
        let matches = self.fuzzy.filter(&query).to_vec();
        let cached = self.cached_matches(&query);
        self.list.set_view_with_cached(Some(matches), cached);
    }

    pub(super) fn rebuild_haystacks(&mut self) {
        let haystacks = self
            .list
            .tickets()
            .iter()
            .map(|t| self.haystack(t))
            .collect();
        self.fuzzy.set_haystacks(haystacks);
        self.fuzzy_stale = false;
    }

    /// Prepares the haystacks of these tickets, just loaded or changed: a page costs its own
    /// rows, not every loaded row (100,000 rows take a few hundred milliseconds, too long
    /// for a keystroke). Everything is prepared again when a full change made them stale.
    pub(super) fn sync_haystacks(&mut self, ids: &[String]) {
        if !self.fuzzy_stale {
            for id in ids {
                let Some(i) = self.list.position(id) else {
                    continue;
                };
                let hay = self.haystack(&self.list.tickets()[i]);
                if i < self.fuzzy.len() {
                    self.fuzzy.set(i, hay);
                } else if i == self.fuzzy.len() {
                    self.fuzzy.push(hay);
                } else {
                    self.fuzzy_stale = true;
                    break;
                }
            }
        }
        if self.fuzzy_stale || self.fuzzy.len() != self.list.len() {
            self.rebuild_haystacks();
        }
        self.sync_cached_haystacks(ids);
    }

    /// What `/` matches a ticket on: ID, subject, stage, owner, priority.
    pub(super) fn haystack(&self, t: &Ticket) -> crate::fuzzy::Haystack {
        haystack_of(&self.catalog, t)
    }

    /// While `V` or `G` loads the whole view: mark what arrived (`V`), ask for the next page
    /// with the progress in the status bar, and finish at the view's end or where HubSpot's
    /// 10,000 cap stopped it (`G` then selects the last row).
    pub(super) fn continue_load_all(&mut self) -> Vec<Effect> {
        let Some(purpose) = self.load_all else {
            return Vec::new();
        };
        if purpose == LoadAll::Mark {
            self.list.mark_all();
        }
        if self.list_capped || !self.list.has_more() {
            self.load_all = None;
            return self.load_all_done(purpose);
        }
        let stop = self.keymap.key_name(Context::List, Action::ClearNarrowing);
        let loaded = crate::text::thousands(self.list.len() as u64);
        self.info(match (purpose, self.list.total) {
            (LoadAll::Mark, _) => format!(
                "{} marked, loading more… ({stop} stops)",
                self.list.marked().len()
            ),
            (LoadAll::Bottom, Some(t)) => format!(
                "loading {loaded} of {}… ({stop} stops)",
                crate::text::thousands(t)
            ),
            (LoadAll::Bottom, None) => format!("loading {loaded}… ({stop} stops)"),
        });
        if self.list_load.is_loading() {
            return Vec::new();
        }
        let after = self.list.next_after().map(str::to_owned);
        self.load_list(after)
    }

    /// The whole view is loaded, or HubSpot's cap stopped it: say so; `G` selects the last row.
    fn load_all_done(&mut self, purpose: LoadAll) -> Vec<Effect> {
        let capped = self.list_capped;
        let n = match purpose {
            LoadAll::Mark => self.list.marked().len(),
            LoadAll::Bottom => self.list.len(),
        };
        let n_text = crate::text::thousands(n as u64);
        match (purpose, capped) {
            (LoadAll::Mark, true) => self.error(format!(
                "{n_text} marked: HubSpot search stops at 10,000; narrow the view to reach the rest"
            )),
            (LoadAll::Mark, false) => self.info(format!("all {n_text} tickets of the view marked")),
            // The page that reached the cap said so (`on_event`).
            (LoadAll::Bottom, true) => {}
            (LoadAll::Bottom, false) => self.info(format!("the bottom: all {n_text} tickets")),
        }
        if purpose == LoadAll::Mark {
            return Vec::new();
        }
        self.list.select_row(usize::MAX);
        self.selection_changed()
    }

    /// `Esc` while the view loads: stop where it is (`G` selects the last row loaded).
    fn stop_load_all(&mut self) -> Vec<Effect> {
        let Some(purpose) = self.load_all.take() else {
            return Vec::new();
        };
        let n = crate::text::thousands(self.list.len() as u64);
        let of = self
            .list
            .total
            .map(|t| format!(" of {}", crate::text::thousands(t)))
            .unwrap_or_default();
        match purpose {
            LoadAll::Mark => {
                let marked = self.list.marked().len();
                self.info(format!("stopped: {marked} marked, {n}{of} loaded"));
                Vec::new()
            }
            LoadAll::Bottom => {
                self.info(format!("stopped at {n}{of}"));
                self.list.select_row(usize::MAX);
                self.selection_changed()
            }
        }
    }

    /// `G`: the bottom of the view — at once when it is all loaded (or filtered, or capped),
    /// else once the rest is loaded (`continue_load_all`).
    fn go_to_bottom(&mut self) -> Vec<Effect> {
        if self.list.has_more() && self.filter.is_none() && !self.list_capped {
            self.load_all = Some(LoadAll::Bottom);
            let mut fx = self.continue_load_all();
            fx.extend(self.maybe_next_page());
            return fx;
        }
        self.list.select_row(usize::MAX);
        self.selection_changed()
    }
}

/// Keys on the `/` line (`[keys.filter]`): accept, cancel, move the selection; the rest edits
/// the query (plain characters type, Backspace deletes, Ctrl-u clears).
pub(super) fn on_filter_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let action = app.keymap.resolve(Context::Filter, &key);
    let Some(f) = app.filter.as_mut() else {
        return Vec::new();
    };
    match action {
        Some(Action::ForceQuit) => return vec![Effect::Quit],
        Some(Action::Cancel) => {
            app.filter = None;
            app.list.set_view(None);
            return app.selection_changed();
        }
        Some(Action::Accept) => {
            f.editing = false;
            if f.query.is_empty() {
                app.filter = None;
            }
            return app.selection_changed();
        }
        Some(a @ (Action::Up | Action::Down)) => {
            app.list.move_by(if a == Action::Up { -1 } else { 1 });
            return app.selection_changed();
        }
        _ => {}
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Backspace => {
            f.query.pop();
        }
        KeyCode::Char('u') if ctrl => f.query.clear(),
        KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
            f.query.push(c);
        }
        _ => return Vec::new(),
    }
    app.apply_filter();
    app.selection_changed()
}

pub(super) fn on_list_action(app: &mut App, action: Action) -> Vec<Effect> {
    let moved = |app: &mut App, delta: isize| {
        app.list.move_by(delta);
        app.selection_changed()
    };
    match action {
        Action::Down => moved(app, 1),
        Action::Up => moved(app, -1),
        Action::HalfPageDown => moved(app, half_page(app)),
        Action::HalfPageUp => moved(app, -half_page(app)),
        Action::PageDown => moved(app, full_page(app)),
        Action::PageUp => moved(app, -full_page(app)),
        Action::Top => {
            app.list.select_row(0);
            app.selection_changed()
        }
        Action::Bottom => app.go_to_bottom(),
        Action::Open => {
            if app.list.selected_id().is_some() {
                app.focus = Focus::Detail;
                if app.pending_detail.is_some() {
                    return app.fetch_detail();
                }
            }
            Vec::new()
        }
        Action::Back | Action::ClearNarrowing if app.load_all.is_some() => app.stop_load_all(),
        Action::Back | Action::ClearNarrowing => {
            if app.filter.is_some() {
                app.filter = None;
                app.list.set_view(None);
                return app.selection_changed();
            }
            if let Some(fx) = customer_flow::back(app) {
                return fx;
            }
            if matches!(app.source, ListSource::Batch { .. }) {
                let name = app.current_view().name.clone();
                app.info(format!("back to the view {name}"));
                return app.reload_view();
            }
            if app.view_modified() {
                return views_flow::reset_edit(app);
            }
            if action == Action::ClearNarrowing {
                return Vec::new();
            }
            vec![Effect::Quit]
        }
        Action::BatchOpen => batch_open::open(app),
        Action::StartTriage => triage::start(app),
        Action::NewTicket => create::open(app),
        Action::Filter => {
            let query = app.filter.take().map(|f| f.query).unwrap_or_default();
            app.filter = Some(FilterLine {
                query,
                editing: true,
            });
            app.want_cache_queue()
        }
        Action::Refresh => {
            app.info("refreshing the list");
            app.load_list(None)
        }
        Action::Mark => {
            app.list.toggle_mark();
            app.list.move_by(1);
            app.selection_changed()
        }
        Action::MarkAll => mark_all(app),
        Action::SwitchPipeline => views_flow::switch_pipeline(app),
        Action::Sort => views_flow::open_sort_picker(app),
        Action::SwitchView => views_flow::open_view_picker(app),
        Action::NextView => views_flow::step(app, true),
        Action::PrevView => views_flow::step(app, false),
        Action::Edit if !app.list.marked().is_empty() => edit_flow::open_bulk_chooser(app),
        Action::Edit if app.list.marked().is_empty() => {
            if app.list.selected_id().is_some() {
                app.focus = Focus::Detail;
                app.detail.tab = Tab::Properties;
                app.info("choose a property (j/k), then e to edit it");
            }
            Vec::new()
        }
        Action::Delete => actions::ask_delete(app),
        Action::Merge => merge_flow::ask(app),
        Action::Search => views_flow::open_search(app),
        _ => Vec::new(),
    }
}

/// `V`: mark every row shown, or clear the marks. In a view with more tickets than are
/// loaded it says how many of how many it marked and offers to load and mark the rest.
pub(super) fn mark_all(app: &mut App) -> Vec<Effect> {
    app.load_all = None;
    let had_marks = !app.list.marked().is_empty();
    app.list.mark_all_or_clear();
    if had_marks {
        return Vec::new();
    }
    let marked = app.list.marked().len();
    if app.list.has_more() && app.filter.is_none() && !app.list_capped {
        let total = app.list.total;
        app.info(confirm::marked_of(marked, total));
        app.confirm = Some(confirm::Confirm::new(confirm::PendingOp::LoadAllThenMark {
            marked,
            total,
        }));
    }
    // Otherwise the status bar's count says it all.
    Vec::new()
}

/// The answers to list requests (routed here by `on_worker`).
pub(super) fn on_event(app: &mut App, event: Event) -> Vec<Effect> {
    match event {
        Event::BatchOpened {
            req,
            tickets,
            missing,
        } => {
            if !app.list_load.waits_for(req) {
                return Vec::new();
            }
            app.list_load = Loadable::Ready(());
            let n = tickets.len();
            app.list.replace_first_page(tickets, None);
            app.list.total = Some(n as u64);
            app.fuzzy_stale = true;
            if missing.is_empty() {
                let back = app.keymap.key_name(Context::List, Action::ClearNarrowing);
                let view = app.current_view().name.clone();
                app.info(format!(
                    "opened {n} tickets; {back} goes back to the view {view}"
                ));
            } else {
                let shown: Vec<&str> = missing.iter().take(10).map(String::as_str).collect();
                let more = missing.len().saturating_sub(10);
                app.error(format!(
                    "opened {n}; not found ({}): {}{}",
                    missing.len(),
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ));
            }
            app.selection_changed()
        }
        Event::TicketsListed {
            req,
            tickets,
            next_after,
            total,
            capped,
        } => {
            if !app.list_load.waits_for(req) {
                return Vec::new();
            }
            app.list_load = Loadable::Ready(());
            let ids: Vec<String> = tickets.iter().map(|t| t.id.clone()).collect();
            // A refresh keeps the later pages and their paging, so where they stopped stands.
            let keeps_later = app.list_first_page && app.list.has_later_pages();
            if app.list_first_page {
                app.list.replace_first_page(tickets, next_after);
                app.fuzzy_stale = true;
            } else {
                app.list.append_page(tickets, next_after);
            }
            // Pages past the 10,000 cap carry no total: the first page's count stands.
            if total.is_some() || app.list_first_page {
                app.list.total = total;
            }
            if capped && !app.list_capped {
                app.info(format!(
                    "HubSpot search stops at 10,000 of {} results: sort by Record ID (S) to page \
                     through all, or narrow the search (s)",
                    app.list.total.unwrap_or(0)
                ));
            }
            if !keeps_later {
                app.list_capped = capped;
            }
            app.sync_haystacks(&ids);
            triage::on_page(app, &ids);
            if app.filter.is_some() {
                app.apply_filter();
            }
            let mut fx = app.selection_changed();
            fx.extend(app.maybe_next_page());
            fx.extend(app.continue_load_all());
            fx
        }
        _ => Vec::new(),
    }
}

/// The list request `req` failed: shown in the list, `r` retries. False if it was not the
/// list's.
pub(super) fn on_failure(app: &mut App, req: ReqId, failure: &Failure) -> bool {
    if !app.list_load.waits_for(req) {
        return false;
    }
    app.load_all = None;
    if write_gate::unreachable(failure) && !app.list.is_empty() {
        // Offline: the rows shown (the cache's, or those loaded) stay, and the top bar's
        // banner says why nothing newer comes; back online, the list is read again.
        app.list_load = Loadable::Idle;
        return true;
    }
    app.list_load = Loadable::Failed(failure.clone());
    // Loading the whole view stops with it (a retry loads one page, not the rest).
    let retry = app.keymap.key_name(Context::List, Action::Refresh);
    app.error(failure.said("loading tickets failed: ", &format!(" ({retry} retries)")));
    true
}

/// What `/` matches a ticket on: ID, subject, stage, owner, priority, labelled by `catalog`
/// (loaded rows here; cached rows by the cache's reader, see `cache_queue`).
pub(super) fn haystack_of(catalog: &crate::domain::Catalog, t: &Ticket) -> crate::fuzzy::Haystack {
    let stage = catalog.display_value(Some(t), "hs_pipeline_stage", t.stage());
    let owner = catalog.display_value(Some(t), "hubspot_owner_id", t.owner_id());
    crate::fuzzy::Haystack::from_fields([
        t.id.as_str(),
        t.subject(),
        stage.as_str(),
        owner.as_str(),
        t.priority(),
    ])
}
