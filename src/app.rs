//! The TUI's model and its update (The Elm Architecture): [`App`] holds all UI state,
//! [`update`] is the only place it changes, and it returns [`Effect`]s for the runtime to
//! carry out. No I/O, no clock reads, no `.await` here: the time comes in with `Msg::Tick`.

pub mod actions;
#[cfg(test)]
mod actions_tests;
mod activity_flow;
pub mod activity_form;
#[cfg(test)]
mod activity_form_tests;
pub mod batch_open;
pub mod cache_queue;
#[cfg(test)]
mod cache_queue_tests;
mod catalog_flow;
pub mod config_flow;
#[cfg(test)]
mod config_flow_tests;
pub mod confirm;
mod confirm_flow;
pub mod create;
pub mod customer_flow;
pub mod detail;
mod detail_flow;
pub mod edit;
mod edit_flow;
#[cfg(test)]
mod edit_tests;
pub mod layout;
pub mod list;
mod list_flow;
mod live_flow;
#[cfg(test)]
mod live_flow_tests;
#[cfg(test)]
mod load_all_tests;
pub mod macro_flow;
#[cfg(test)]
mod macro_flow_tests;
pub mod merge_flow;
#[cfg(test)]
mod merge_flow_tests;
pub mod modal;
mod mouse;
#[cfg(test)]
mod mouse_tests;
mod overlay_flow;
pub mod reader;
#[cfg(test)]
mod reader_tests;
pub mod search_form;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
pub(crate) mod tests;
pub mod triage;
pub mod undo_flow;
#[cfg(test)]
mod undo_flow_tests;
mod verified;
#[cfg(test)]
mod verified_tests;
pub mod views_flow;
#[cfg(test)]
mod views_tests;
mod write_gate;
#[cfg(test)]
mod write_gate_tests;

use crossterm::event::KeyEvent;
use jiff::{SignedDuration, Timestamp};
use ratatui::layout::Rect;

use crate::action::Action;
use crate::domain::{Catalog, Ticket};
use crate::keymap::{Context, Keymap};
use crate::protocol::{CacheRequest, Command, Event, Failure, ListSource, WorkerStatus};
use detail::{DetailPane, Loadable, ReqId, Tab};
use layout::Areas;
use list::TicketList;
pub use modal::{Layer, Modal};

/// Properties the list needs for its columns.
pub const LIST_PROPERTIES: [&str; 9] = [
    "subject",
    "hs_pipeline",
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "hubspot_owner_id",
    "hs_lastmodifieddate",
    "createdate",
    "hs_ticket_category",
    "hs_pinned_engagement_id",
];

/// How long the selection must rest before the detail is fetched (holding `j` fetches once).
pub const DETAIL_DEBOUNCE: SignedDuration = SignedDuration::from_millis(120);
/// How long an informational message stays in the status bar.
pub const TOAST_FOR: SignedDuration = SignedDuration::from_secs(5);

/// Everything that reaches `update`.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// Unsaved drafts found on disk at start.
    DraftsFound(Vec<crate::drafts::Draft>),
    /// A key press (release and repeat kinds are dropped before this).
    Key(KeyEvent),
    /// Text pasted into the terminal.
    Paste(String),
    /// A click or a turn of the wheel (only acted on when [`App::mouse`] is on).
    Mouse(crossterm::event::MouseEvent),
    /// The terminal's new size.
    Resize(u16, u16),
    Worker(Event),
    /// The clock moved on.
    Tick(Timestamp),
    /// The views were written to config.toml (its path), or why not.
    ViewsSaved(Result<String, String>),
    /// Where `me` was saved (`Effect::SaveMe`), or why it could not be.
    MeSaved(Result<String, String>),
    /// The browser could not be started for this URL, and why.
    OpenFailed {
        url: String,
        why: String,
    },
    /// The text as the external editor left it (`Effect::EditExternally`), or why it could
    /// not be edited there.
    EditedExternally(Result<String, String>),
    /// config.toml read again (`Effect::ReloadConfig`), checked against the portal, or why
    /// not.
    ConfigReloaded(Result<Box<config_flow::Settings>, String>),
}

/// What `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Api(Command),
    /// Copy to the clipboard (OSC 52).
    Clipboard(String),
    OpenUrl(String),
    /// Write the edit in progress to disk (it survives a crash or `Ctrl-c`).
    SaveDraft(crate::drafts::Draft),
    /// Write these views to config.toml (the rest of the file kept).
    SaveViews(Vec<crate::views::View>),
    /// Write `me = "…"` to config.toml (the rest of the file kept); answered by
    /// `Msg::MeSaved`.
    SaveMe(String),
    /// The edit was saved or discarded: forget its draft.
    DeleteDraft {
        ticket_id: String,
        property: String,
    },
    /// Ask the local cache (the runtime's live task; none: no answer, `/` matches the loaded
    /// rows only).
    ReadCache(CacheRequest),
    /// Hand `text` to `$VISUAL` / `$EDITOR` (the screen given to it meanwhile) and answer
    /// with `Msg::EditedExternally`.
    EditExternally {
        text: String,
    },
    /// Read config.toml again (this path; `me` when it names none) and answer with
    /// `Msg::ConfigReloaded`.
    ReloadConfig {
        path: std::path::PathBuf,
        me: Option<String>,
    },
    Quit,
}

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    List,
    Detail,
}

/// A modal drawn over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    /// A value, history entry or activity read in full (see [`reader`]).
    Reader(Box<reader::Reader>),
    /// A problem the user must see (token revoked, missing scopes).
    Error {
        title: String,
        body: String,
    },
}

/// Why the whole view is being loaded, page after page, until its end (or HubSpot's cap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadAll {
    /// `V`: to mark every ticket of it.
    Mark,
    /// `G`: to go to its bottom.
    Bottom,
}

/// How serious a status-bar message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

/// A status-bar message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub level: Level,
    /// Errors stay until the next key; information fades at this time.
    pub until: Option<Timestamp>,
}

/// The `/` filter line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilterLine {
    pub query: String,
    /// Whether keys go to the line (false once accepted with Enter: the filter stays applied).
    pub editing: bool,
}

/// Where the catalogue stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CatalogLoad {
    pub properties: Loadable<()>,
    pub pipelines: Loadable<()>,
    pub owners: Loadable<()>,
}

/// Who the app talks to, for the top bar and ticket URLs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Portal {
    pub demo: bool,
    pub portal_id: Option<String>,
    pub app_host: Option<String>,
}

impl Portal {
    pub fn ticket_url(&self, id: &str) -> Option<String> {
        let portal = self.portal_id.as_deref()?;
        let host = self.app_host.as_deref().unwrap_or("app.hubspot.com");
        Some(format!("https://{host}/contacts/{portal}/record/0-5/{id}"))
    }
}

/// The start-up checks' answer: the portal HubSpot named fills in what config.toml left out
/// (so `Y`/`o` build ticket URLs without `portal_id`), and what is missing is said once.
fn on_checked(
    app: &mut App,
    portal: Option<crate::protocol::CheckedPortal>,
    problem: Option<String>,
) {
    if let Some(found) = portal.filter(|_| !app.portal.demo) {
        if app.portal.portal_id.is_none() {
            app.portal.portal_id = Some(found.portal_id);
        }
        if app.portal.app_host.is_none() {
            app.portal.app_host = found.ui_domain;
        }
    }
    if let Some(problem) = problem {
        app.error(problem);
    }
}

/// The property chooser of a bulk edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyChooser {
    pub picker: edit::Picker,
    /// The marked tickets.
    pub ids: Vec<String>,
}

/// The whole UI state.
#[derive(Debug)]
pub struct App {
    pub now: Timestamp,
    pub portal: Portal,
    pub keymap: Keymap,
    pub catalog: Catalog,
    pub catalog_load: CatalogLoad,
    pub list: TicketList,
    /// The outstanding list request, or the list's failure.
    pub list_load: Loadable<()>,
    /// Whether the outstanding list request is for the first page (a refresh once loaded).
    list_first_page: bool,
    pub source: ListSource,
    pub detail: DetailPane,
    pub focus: Focus,
    pub areas: Areas,
    pub overlay: Option<Overlay>,
    /// Every open form, picker and dialog, bottom to top (see [`modal`]).
    pub modals: modal::Modals,
    /// A confirmation dialog, when open: over every modal.
    pub confirm: Option<confirm::Confirm>,
    /// A confirmed write on its way, and the toast to show when it lands.
    pending_write: Option<(ReqId, String, String)>,
    /// A pin on its way (request, ticket, activity): HubSpot may refuse an unassociated one.
    pending_pin: Option<(ReqId, String, String)>,
    /// Confirmed deletes and association changes on their way (several may be).
    in_flight: Vec<actions::InFlight>,
    /// A merge's requests on their way (the dialog's contacts, the merge).
    merge: merge_flow::MergeFlow,
    /// The customer's context: tickets per contact or company, the temporary view.
    pub customer: customer_flow::CustomerFlow,
    /// Drafts left from an earlier run, offered back one at a time.
    pub drafts: Vec<crate::drafts::Draft>,
    /// A draft being restored: waiting for this re-read of its ticket.
    draft_restore: Option<(crate::drafts::Draft, ReqId)>,
    pub filter: Option<FilterLine>,
    /// The journal of writes, for `z` and `L` (`undo_flow`).
    pub journal: undo_flow::JournalState,
    /// The macros (`[[macros]]` or the defaults) and the ones being applied (`macro_flow`).
    pub macros: macro_flow::Macros,
    /// Saved views (tabs); the one on view; its edited copy (search, sort, pipeline).
    pub views: Vec<crate::views::View>,
    pub view_index: usize,
    pub view_edit: Option<crate::views::View>,
    /// `me` from config.toml (an owner's email or ID), for `@me` in views.
    pub me: Option<String>,
    /// The first page waits for the catalogue the view refers to.
    list_waiting: bool,
    /// Whether "who are you?" (the `@me` owner picker) was asked this run: it is asked once.
    pub me_asked: bool,
    /// HubSpot's 10,000-result cap stopped the paging before the end of the view.
    pub list_capped: bool,
    /// Tickets the background sync found newly matching the view, not yet loaded: "N new"
    /// in the list's title until the list is loaded again (`r`).
    pub live_new: std::collections::BTreeSet<String>,
    /// `live = "insert"` in config.toml: newly matching tickets join at once.
    pub live_insert: bool,
    /// When the list's first page was last asked for: tickets created since cannot be on a
    /// later page loaded before (the live queue's "new").
    pub live_since: Option<Timestamp>,
    /// The list shows the cache's rows as of this time (the warm start), until HubSpot's
    /// first page replaces them.
    pub list_as_of: Option<Timestamp>,
    /// When the search form's match count is due (typing debounced), and the count asked
    /// (with whether its search can page past HubSpot's 10,000 cap).
    count_due: Option<Timestamp>,
    count_req: Option<(ReqId, bool)>,
    /// Where saved views are written (config.toml); none in tests.
    pub config_file: Option<std::path::PathBuf>,
    /// Views being written to config.toml, and the index of the one saved.
    pending_views: Option<(Vec<crate::views::View>, usize)>,
    /// Prepared haystacks of the loaded tickets for `/`, kept in step row by row as pages and
    /// fetched tickets arrive; all rebuilt only when `fuzzy_stale` (first page, catalogue).
    fuzzy: crate::fuzzy::FuzzyFilter,
    fuzzy_stale: bool,
    /// `/` over the cached queue of the view's pipeline (its haystacks; the rows are the
    /// list's cached rows).
    cache_queue: cache_queue::CacheQueue,
    pub toast: Option<Toast>,
    /// A walk through the view (`T`), when on.
    pub triage: Option<triage::Triage>,
    /// The rest of the view is loading, and why (`V` marks it all, `G` goes to its bottom).
    pub load_all: Option<LoadAll>,
    /// The portal's choices for the note, call and task forms (call outcomes), loaded when
    /// a call form first opens.
    pub activity_options: Loadable<crate::domain::ActivityOptions>,
    pub worker: WorkerStatus,
    /// Fetch this ticket's detail once the selection has rested until then.
    pending_detail: Option<(String, Timestamp)>,
    next_req: ReqId,
    /// Something on screen changed since the last draw.
    pub dirty: bool,
    /// Draw in colour (off with `NO_COLOR`).
    pub color: bool,
    /// The colours (`theme` in config.toml).
    pub theme: crate::config::ThemeName,
    /// The write gate: read-only mode, and since when HubSpot is out of reach (see
    /// [`write_gate`]).
    pub gate: crate::protocol::Gate,
    /// The catalogue as the cache holds it: offline at start, used instead of asking for it;
    /// at a warm start, shown until HubSpot's arrives.
    pub cached_catalog: Option<Catalog>,
    /// The catalogue on screen came from the cache: read again once back online.
    catalog_from_cache: bool,
    /// Clicks and the wheel act (`mouse = true` in config.toml); off, they change nothing.
    pub mouse: bool,
    pub quit: bool,
}

impl App {
    pub fn new(portal: Portal, keymap: Keymap, now: Timestamp, size: (u16, u16)) -> Self {
        Self {
            now,
            portal,
            keymap,
            catalog: Catalog::default(),
            catalog_load: CatalogLoad::default(),
            list: TicketList::default(),
            list_load: Loadable::Idle,
            list_first_page: true,
            source: ListSource::All,
            detail: DetailPane::default(),
            focus: Focus::List,
            areas: Areas::new(Rect::new(0, 0, size.0, size.1)),
            overlay: None,
            modals: modal::Modals::default(),
            confirm: None,
            pending_write: None,
            pending_pin: None,
            in_flight: Vec::new(),
            merge: merge_flow::MergeFlow::default(),
            customer: customer_flow::CustomerFlow::default(),
            drafts: Vec::new(),
            draft_restore: None,
            filter: None,
            journal: undo_flow::JournalState::default(),
            macros: macro_flow::Macros::default(),
            views: vec![crate::views::View::all_tickets()],
            view_index: 0,
            view_edit: None,
            me: None,
            list_waiting: false,
            me_asked: false,
            list_capped: false,
            live_new: std::collections::BTreeSet::new(),
            live_insert: false,
            live_since: None,
            list_as_of: None,
            count_due: None,
            count_req: None,
            pending_views: None,
            config_file: None,
            fuzzy: crate::fuzzy::FuzzyFilter::default(),
            fuzzy_stale: true,
            cache_queue: cache_queue::CacheQueue::default(),
            toast: None,
            load_all: None,
            activity_options: Loadable::Idle,
            triage: None,
            worker: WorkerStatus::default(),
            pending_detail: None,
            next_req: 1,
            dirty: true,
            color: true,
            theme: crate::config::ThemeName::Dark,
            gate: crate::protocol::Gate::default(),
            cached_catalog: None,
            catalog_from_cache: false,
            mouse: false,
            quit: false,
        }
    }

    /// The first effects: the first page, the catalogue, pipelines and owners, in parallel.
    pub fn start(&mut self) -> Vec<Effect> {
        self.list.set_viewport(self.areas.list_rows());
        self.detail.viewport = self.areas.detail_rows();
        let mut fx = match self.cached_catalog.take() {
            // Offline at start: the cache's catalogue, until HubSpot answers again.
            Some(catalog) if self.gate.offline_since.is_some() => {
                self.catalog = catalog;
                self.catalog_from_cache = true;
                self.catalog_load = CatalogLoad {
                    properties: Loadable::Ready(()),
                    pipelines: Loadable::Ready(()),
                    owners: Loadable::Ready(()),
                };
                self.fuzzy_stale = true;
                Vec::new()
            }
            // The warm start: the cache's catalogue labels the cached rows at once, and
            // HubSpot's replaces it when it comes.
            Some(catalog) => {
                self.catalog = catalog;
                self.catalog_from_cache = true;
                self.fuzzy_stale = true;
                self.load_catalog()
            }
            None => self.load_catalog(),
        };
        fx.extend(self.load_list(None));
        fx
    }

    fn req(&mut self) -> ReqId {
        let r = self.next_req;
        self.next_req += 1;
        r
    }

    /// The keymap context of the bare panes: the `/` line being typed, the list, or the
    /// detail's tab.
    fn base_context(&self) -> Context {
        if self.filter.as_ref().is_some_and(|f| f.editing) {
            return Context::Filter;
        }
        if self.triage.is_some() {
            return Context::Triage;
        }
        self.pane_context()
    }

    /// The keymap context of the focused pane (the list, or the detail's tab).
    fn pane_context(&self) -> Context {
        match self.focus {
            Focus::List => Context::List,
            Focus::Detail => match self.detail.tab {
                Tab::Properties => Context::Detail,
                Tab::History => Context::History,
                Tab::Associations => Context::Associations,
                Tab::Activity => Context::Activity,
            },
        }
    }

    fn info(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: text.into(),
            level: Level::Info,
            until: Some(self.now + TOAST_FOR),
        });
    }

    fn error(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: text.into(),
            level: Level::Error,
            until: None,
        });
    }

    /// The selection moved: show that ticket, fetch it once the cursor rests.
    fn selection_changed(&mut self) -> Vec<Effect> {
        if self.triage.is_some() {
            // The walk owns the detail; the list only follows it.
            return Vec::new();
        }
        self.list.drop_left();
        let Some(id) = self.list.selected_id().map(str::to_owned) else {
            self.detail.clear();
            self.pending_detail = None;
            return Vec::new();
        };
        if self.detail.ticket_id.as_deref() != Some(id.as_str()) {
            self.detail.show(&id);
            self.pending_detail = Some((id, self.now + DETAIL_DEBOUNCE));
        }
        self.maybe_next_page()
    }

    /// Rows in the detail tab on view.
    pub fn detail_rows(&self) -> usize {
        match self.detail.tab {
            Tab::Properties => self.detail.property_rows(&self.catalog).len(),
            Tab::History => self.detail.ticket.ready().map_or(0, |t| {
                detail::history_rows(t, self.detail.history_filter.as_deref()).len()
            }),
            Tab::Associations => self.detail.associations.ready().map_or(0, Vec::len),
            Tab::Activity => self.detail.activities.ready().map_or(0, Vec::len),
        }
    }
}

/// The one place state changes. Every write among the effects has passed the write gate
/// (`write_gate`): a refused one is not among them, and its flow heard why.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut effects = update_state(app, msg);
    effects.extend(app.cache_queue_effects());
    write_gate::gate_effects(app, effects)
}

fn update_state(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::DraftsFound(drafts) => {
            app.drafts = drafts;
            app.dirty = true;
            Vec::new()
        }
        Msg::Tick(now) => on_tick(app, now),
        Msg::OpenFailed { url, why } => {
            app.dirty = true;
            // Offered as a dialog (Cancel selected): copying is the way to the ticket now.
            app.confirm = Some(confirm::Confirm::new(confirm::PendingOp::CopyUrlInstead {
                url,
                why,
            }));
            Vec::new()
        }
        Msg::ViewsSaved(result) => {
            app.dirty = true;
            views_flow::on_saved(app, result)
        }
        Msg::ConfigReloaded(result) => config_flow::reloaded(app, result),
        Msg::MeSaved(result) => {
            app.dirty = true;
            if let Err(why) = result {
                app.error(format!("me was not saved in config.toml: {why}"));
            }
            Vec::new()
        }
        Msg::Resize(w, h) => {
            app.areas = Areas::new(Rect::new(0, 0, w, h));
            app.list.set_viewport(app.areas.list_rows());
            app.detail.viewport = app.areas.detail_rows();
            if let Some(Overlay::Reader(r)) = app.overlay.as_mut() {
                r.layout(&app.areas);
            }
            app.dirty = true;
            app.maybe_next_page()
        }
        Msg::Paste(text) => {
            app.dirty = true;
            on_paste(app, &text)
        }
        Msg::Mouse(ev) => {
            app.dirty |= app.mouse;
            mouse::on_mouse(app, ev)
        }
        Msg::Key(key) => {
            app.dirty = true;
            if app.toast.as_ref().is_some_and(|t| t.level == Level::Error) {
                app.toast = None;
            }
            on_key(app, key)
        }
        Msg::Worker(event) => {
            app.dirty = true;
            let fx = on_worker(app, event);
            activity_flow::follow_detail(app);
            fx
        }
        Msg::EditedExternally(result) => {
            app.dirty = true;
            activity_flow::on_edited_externally(app, result)
        }
    }
}

fn on_tick(app: &mut App, now: Timestamp) -> Vec<Effect> {
    // The top bar counts a rate-limit backoff down in whole seconds and drops it when over:
    // redraw when what it shows changes, and only then (no redraws at the tick rate).
    let backoff_shown = |t: Timestamp| {
        app.worker
            .backoff_until
            .filter(|u| *u > t)
            .map(|u| (u - t).get_seconds().max(1))
    };
    if backoff_shown(app.now) != backoff_shown(now) {
        app.dirty = true;
    }
    app.now = now;
    let mut fx = create::on_tick(app, now);
    fx.extend(actions::on_tick(app, now));
    fx.extend(views_flow::on_tick(app, now));
    if app
        .toast
        .as_ref()
        .and_then(|t| t.until)
        .is_some_and(|u| u <= now)
    {
        app.toast = None;
        app.dirty = true;
    }
    if let Some((id, due)) = &app.pending_detail
        && *due <= now
        && app.detail.ticket_id.as_deref() == Some(id)
    {
        app.dirty = true;
        fx.extend(app.fetch_detail());
    }
    fx
}

/// Bracketed paste goes where typing would go on the top layer; a layer without a text input
/// (a confirmation, an overlay) ignores it, as it would ignore typed letters there.
fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    let now = app.now;
    match app.top_layer() {
        Layer::Overlay | Layer::Confirm | Layer::DraftOffer | Layer::Undo | Layer::Log => {}
        Layer::EditForm => {
            if let Some(f) = app.modals.form_mut()
                && matches!(f.phase, edit::Phase::Editing)
            {
                f.input.paste(text);
            }
        }
        Layer::Chooser => {
            if let Some(c) = app.modals.chooser_mut() {
                c.picker.paste(text);
            }
        }
        Layer::BatchOpen => batch_open::paste(app, text),
        Layer::Create => create::paste(app, text),
        Layer::AddAssociation => {
            if let Some(actions::AddAssociation::Search(s)) = app.modals.add_assoc_mut() {
                s.paste(text, now);
            }
        }
        Layer::Picker => {
            if let Some(p) = app.modals.picker_mut() {
                p.picker.paste(text);
            }
        }
        Layer::SearchForm => return views_flow::on_search_paste(app, text),
        Layer::ActivityForm => return activity_flow::paste(app, text),
        Layer::Base => {
            if let Some(f) = app.filter.as_mut().filter(|f| f.editing) {
                f.query.push_str(&crate::text::sanitize(text));
                app.apply_filter();
            }
        }
    }
    Vec::new()
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let layer = app.top_layer();
    // Help is a fixed upper layer: its key opens it over every other layer. In a text input
    // a plain `?` stays text, and help's F1 falls through to global.
    if layer != Layer::Overlay && app.keymap.resolve(app.context(), &key) == Some(Action::Help) {
        app.overlay = Some(Overlay::Help { scroll: 0 });
        return Vec::new();
    }
    match layer {
        Layer::Overlay => return overlay_flow::on_key(app, key),
        Layer::Confirm => return confirm_flow::on_confirm_key(app, key),
        Layer::EditForm => return edit_flow::on_key(app, key),
        Layer::Chooser => return edit_flow::on_chooser_key(app, key),
        Layer::BatchOpen => return batch_open::on_key(app, key),
        Layer::Create => return create::on_key(app, key),
        Layer::AddAssociation => return actions::on_add_key(app, key),
        Layer::Picker => return views_flow::on_picker_key(app, key),
        Layer::SearchForm => return views_flow::on_search_key(app, key),
        Layer::ActivityForm => return activity_flow::on_key(app, key),
        Layer::DraftOffer => return edit_flow::on_draft_offer_key(app, key),
        Layer::Undo => return undo_flow::on_dialog_key(app, key),
        Layer::Log => return undo_flow::on_log_key(app, key),
        Layer::Base => {}
    }
    if app.context() == Context::Filter {
        return list_flow::on_filter_key(app, key);
    }
    let context = app.context();
    // In triage its own keys come first, then the detail tab's (e, h, tabs…).
    let action = app.keymap.resolve(context, &key).or_else(|| {
        (context == Context::Triage)
            .then(|| app.keymap.resolve(app.pane_context(), &key))
            .flatten()
    });
    let Some(action) = action else {
        // A key the keymap leaves free in the list or the detail may be a macro's.
        return macro_flow::on_unbound_key(app, key);
    };
    on_action(app, action)
}

fn half_page(app: &App) -> isize {
    let rows = match app.focus {
        Focus::List => app.list.viewport(),
        Focus::Detail => app.detail.viewport,
    };
    isize::try_from((rows / 2).max(1)).unwrap_or(1)
}

fn full_page(app: &App) -> isize {
    half_page(app) * 2
}

fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    if let Some(fx) = triage::on_action(app, action) {
        return fx;
    }
    // Everywhere.
    match action {
        Action::ForceQuit => return vec![Effect::Quit],
        Action::Quit => return vec![Effect::Quit],
        Action::Help => {
            app.overlay = Some(Overlay::Help { scroll: 0 });
            return Vec::new();
        }
        Action::CommandPalette => return views_flow::open_palette(app),
        Action::Macros => return macro_flow::open_picker(app),
        Action::Undo => return undo_flow::undo_last(app),
        Action::WriteLog => return undo_flow::open_log(app),
        Action::ReloadAll => {
            let mut fx = app.load_catalog();
            fx.extend(app.load_list(None));
            app.detail.ticket_id = None;
            fx.extend(app.selection_changed());
            app.info("reloading everything");
            fx.extend(config_flow::reload(app));
            return fx;
        }
        Action::NextPane | Action::PrevPane => {
            app.focus = match app.focus {
                Focus::List if app.list.selected_id().is_some() => Focus::Detail,
                _ => Focus::List,
            };
            return Vec::new();
        }
        Action::CopyId => {
            return match current_ticket_id(app) {
                Some(id) => {
                    app.info(format!("copied ticket ID {id}"));
                    vec![Effect::Clipboard(id)]
                }
                None => Vec::new(),
            };
        }
        Action::CopyUrl | Action::OpenInBrowser => {
            let Some(id) = current_ticket_id(app) else {
                return Vec::new();
            };
            let Some(url) = app.portal.ticket_url(&id) else {
                app.error(if app.portal.demo {
                    "the demo portal has no web app URL".to_owned()
                } else {
                    "set portal_id in config.toml to build ticket URLs (see `hubtix paths`)"
                        .to_owned()
                });
                return Vec::new();
            };
            return if action == Action::CopyUrl {
                app.info("copied the ticket URL");
                vec![Effect::Clipboard(url)]
            } else {
                app.info(format!("opening {url}"));
                vec![Effect::OpenUrl(url)]
            };
        }
        _ => {}
    }
    // A note, a call or a task on the ticket in view, from the list or the Activity tab.
    if let Some(kind) = activity_flow::kind_of(action) {
        return activity_flow::open(app, kind);
    }
    match app.focus {
        Focus::List => list_flow::on_list_action(app, action),
        Focus::Detail => detail_flow::on_detail_action(app, action),
    }
}

fn current_ticket_id(app: &App) -> Option<String> {
    match app.focus {
        Focus::Detail => app.detail.ticket_id.clone(),
        Focus::List => app.list.selected_id().map(str::to_owned),
    }
}

impl App {}

fn on_worker(app: &mut App, event: Event) -> Vec<Effect> {
    if let Some(fx) = undo_flow::on_event(app, &event) {
        return fx;
    }
    // Macros take their own answers, and watch the associations answers (for `{contact}`).
    let (mut fx, taken) = macro_flow::on_event(app, &event);
    if !taken {
        fx.extend(route_worker(app, event));
    }
    fx
}

fn route_worker(app: &mut App, event: Event) -> Vec<Effect> {
    // The modals' flows take the answers to their own requests first.
    if let Some(fx) = edit_flow::on_event(app, &event) {
        return fx;
    }
    if let Some(fx) = create::on_event(app, &event) {
        return fx;
    }
    if let Some(fx) = activity_flow::on_event(app, &event) {
        return fx;
    }
    if let Some(fx) = actions::on_event(app, &event) {
        return fx;
    }
    if let Some(fx) = views_flow::on_event(app, &event) {
        return fx;
    }
    if let Some(fx) = merge_flow::on_event(app, &event) {
        return fx;
    }
    if let Some(fx) = customer_flow::on_event(app, &event) {
        return fx;
    }
    live_flow::confirm_cached(app, &event);
    match event {
        // Answers to a form that was closed meanwhile.
        Event::TicketChecked { .. }
        | Event::TicketsCounted { .. }
        | Event::BatchUpdated { .. }
        | Event::RecordsFound { .. }
        | Event::TicketCreated { .. }
        | Event::LabelsLoaded { .. }
        | Event::TicketArchived { .. }
        | Event::BatchArchived { .. }
        | Event::AssociationChanged { .. }
        | Event::ActivityCreated { .. }
        | Event::NotesCreated { .. }
        | Event::UndoPrepared { .. }
        | Event::Undone { .. }
        | Event::Journaled(_)
        | Event::JournalLoaded { .. }
        | Event::CustomersLoaded { .. }
        | Event::RecordTicketsLoaded { .. }
        | Event::TicketsMerged { .. }
        | Event::ActivityOptionsLoaded { .. } => Vec::new(),
        Event::Status(s) => {
            app.worker = s;
            Vec::new()
        }
        Event::LiveChanged { tickets, removed } => live_flow::on_changed(app, tickets, &removed),
        Event::CachedRows { tickets, as_of_ms } => live_flow::on_cached(app, tickets, as_of_ms),
        Event::CachedQueue {
            req,
            index,
            as_of_ms,
        } => {
            app.on_cache_queue(req, index, as_of_ms);
            Vec::new()
        }
        Event::QueueRows { tickets, .. } => {
            app.on_queue_rows(tickets);
            Vec::new()
        }
        Event::CacheNotice(notice) => {
            app.info(notice);
            Vec::new()
        }
        Event::Reachability { offline_since } => write_gate::on_reachability(app, offline_since),
        Event::Checked { portal, problem } => {
            on_checked(app, portal, problem);
            Vec::new()
        }
        e @ (Event::TicketsListed { .. } | Event::BatchOpened { .. }) => {
            list_flow::on_event(app, e)
        }
        e @ (Event::TicketFetched { .. }
        | Event::AssociationsLoaded { .. }
        | Event::ActivitiesLoaded { .. }
        | Event::TicketUpdated { .. }) => detail_flow::on_event(app, e),
        e @ (Event::PropertiesLoaded { .. }
        | Event::PipelinesLoaded { .. }
        | Event::OwnersLoaded { .. }) => catalog_flow::on_event(app, e),
        Event::Failed { req, failure } => on_failure(app, req, &failure),
        Event::WriteVerified {
            req,
            tickets,
            lost,
            verdict,
        } => verified::on_event(app, req, &tickets, &lost, verdict),
    }
}

/// A failed request: the write it belonged to, else the overlay a token or scope problem
/// needs, and the slot that waited for it (list, detail, catalogue) shows it.
fn on_failure(app: &mut App, req: ReqId, failure: &Failure) -> Vec<Effect> {
    if detail_flow::on_write_failed(app, req, failure) {
        return Vec::new();
    }
    overlay_flow::on_failure(app, failure);
    if list_flow::on_failure(app, req, failure) || detail_flow::on_failure(app, req, failure) {
        return Vec::new();
    }
    catalog_flow::on_failure(app, req, failure).unwrap_or_default()
}

#[cfg(test)]
mod filter_tests {
    use std::collections::BTreeMap;

    use super::*;
    use crossterm::event::KeyCode;

    fn ticket(id: u32, subject: &str) -> Ticket {
        Ticket {
            id: id.to_string(),
            properties: BTreeMap::from([("subject".to_owned(), subject.to_owned())]),
            created_at: None,
            updated_at: None,
            archived: false,
            history: None,
        }
    }

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        ))
    }

    fn request(fx: &[Effect], pick: impl Fn(&Command) -> bool) -> ReqId {
        fx.iter()
            .find_map(|e| match e {
                Effect::Api(c) if pick(c) => Some(c.req()),
                _ => None,
            })
            .expect("request")
    }

    fn listed(req: ReqId, ids: std::ops::RangeInclusive<u32>, subject: &str, more: bool) -> Msg {
        let next_after = more.then(|| (ids.end() + 1).to_string());
        Msg::Worker(Event::TicketsListed {
            req,
            tickets: ids.map(|i| ticket(i, subject)).collect(),
            next_after,
            total: None,
            capped: false,
        })
    }

    #[test]
    fn filter_sees_appended_pages_and_fetched_tickets() {
        let now = Timestamp::UNIX_EPOCH;
        let mut app = App::new(Portal::default(), Keymap::default(), now, (160, 48));
        let fx = app.start();
        let props = request(&fx, |c| matches!(c, Command::LoadProperties { .. }));
        let req = request(&fx, |c| matches!(c, Command::ListTickets { .. }));
        update(
            &mut app,
            Msg::Worker(Event::PropertiesLoaded {
                req: props,
                properties: Vec::new(),
                groups: Vec::new(),
            }),
        );
        update(&mut app, listed(req, 1..=100, "printer jam", true));
        let fx = update(&mut app, key('G'));
        let req = request(&fx, |c| matches!(c, Command::ListTickets { .. }));
        update(&mut app, listed(req, 101..=200, "login fails", false));

        update(&mut app, key('/'));
        for c in "login".chars() {
            update(&mut app, key(c));
        }
        assert_eq!(app.list.rows(), 100, "the second page is searched");
        assert_eq!(
            app.list.selected_id(),
            Some("200"),
            "G went to the bottom, which matches"
        );

        // The selected ticket is fetched and its subject changed meanwhile.
        let fx = update(&mut app, Msg::Tick(now + SignedDuration::from_secs(1)));
        let req = request(&fx, |c| matches!(c, Command::GetTicket { .. }));
        update(
            &mut app,
            Msg::Worker(Event::TicketFetched {
                req,
                ticket: ticket(200, "printer on fire"),
            }),
        );
        assert_eq!(
            app.list.rows(),
            99,
            "the fetched ticket's new subject is searched"
        );
        update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Esc)));
        update(&mut app, key('/'));
        for c in "fire".chars() {
            update(&mut app, key(c));
        }
        assert_eq!(app.list.rows(), 1);
        assert_eq!(app.list.selected_id(), Some("200"));
    }
}
