//! The TUI's model and its update (The Elm Architecture): [`App`] holds all UI state,
//! [`update`] is the only place it changes, and it returns [`Effect`]s for the runtime to
//! carry out. No I/O, no clock reads, no `.await` here: the time comes in with `Msg::Tick`.

pub mod actions;
#[cfg(test)]
mod actions_tests;
pub mod batch_open;
pub mod confirm;
pub mod create;
pub mod detail;
pub mod edit;
mod edit_flow;
#[cfg(test)]
mod edit_tests;
pub mod layout;
pub mod list;
pub mod search_form;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
pub(crate) mod tests;
mod verified;
#[cfg(test)]
mod verified_tests;
pub mod views_flow;
#[cfg(test)]
mod views_tests;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::{SignedDuration, Timestamp};
use ratatui::layout::Rect;

use crate::action::Action;
use crate::domain::{Catalog, Ticket};
use crate::keymap::{Context, Keymap};
use crate::protocol::{Command, Event, Failure, ListSource, WorkerStatus};
use detail::{DetailPane, Loadable, ReqId, Tab};
use layout::Areas;
use list::TicketList;

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
    /// The terminal's new size.
    Resize(u16, u16),
    Worker(Event),
    /// The clock moved on.
    Tick(Timestamp),
    /// The views were written to config.toml (its path), or why not.
    ViewsSaved(Result<String, String>),
    /// The browser could not be started for this URL, and why.
    OpenFailed {
        url: String,
        why: String,
    },
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
    /// The edit was saved or discarded: forget its draft.
    DeleteDraft {
        ticket_id: String,
        property: String,
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
    /// A long value or activity body, read in full.
    Text {
        title: String,
        body: String,
        scroll: usize,
    },
    /// A problem the user must see (token revoked, missing scopes).
    Error {
        title: String,
        body: String,
    },
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
    /// The edit modal, when open.
    pub form: Option<edit::EditForm>,
    /// A confirmation dialog, when open.
    pub confirm: Option<confirm::Confirm>,
    /// Choosing the property of a bulk edit.
    pub chooser: Option<PropertyChooser>,
    /// The batch-open modal (`b`).
    pub batch_open: Option<batch_open::BatchOpenForm>,
    /// The create form (`n`).
    pub create: Option<create::CreateForm>,
    /// A confirmed write on its way, and the toast to show when it lands.
    pending_write: Option<(ReqId, String, String)>,
    /// A pin on its way (request, ticket, activity): HubSpot may refuse an unassociated one.
    pending_pin: Option<(ReqId, String, String)>,
    /// Confirmed deletes and association changes on their way (several may be).
    in_flight: Vec<actions::InFlight>,
    /// The add-association modal (`a`).
    pub add_assoc: Option<actions::AddAssociation>,
    /// Drafts left from an earlier run, offered back one at a time.
    pub drafts: Vec<crate::drafts::Draft>,
    /// A draft being restored: waiting for this re-read of its ticket.
    draft_restore: Option<(crate::drafts::Draft, ReqId)>,
    pub filter: Option<FilterLine>,
    /// Saved views (tabs); the one on view; its edited copy (search, sort, pipeline).
    pub views: Vec<crate::views::View>,
    pub view_index: usize,
    pub view_edit: Option<crate::views::View>,
    /// `me` from config.toml (an owner's email or ID), for `@me` in views.
    pub me: Option<String>,
    /// The first page waits for the catalogue the view refers to.
    list_waiting: bool,
    /// HubSpot's 10,000-result cap stopped the paging before the end of the view.
    pub list_capped: bool,
    /// A view, sort or command picker.
    pub picker: Option<views_flow::PickerModal>,
    /// The search form (`s`).
    pub search: Option<search_form::SearchForm>,
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
    pub toast: Option<Toast>,
    /// `V` is loading the rest of the view to mark every ticket of it.
    pub mark_all_loading: bool,
    pub worker: WorkerStatus,
    /// Fetch this ticket's detail once the selection has rested until then.
    pending_detail: Option<(String, Timestamp)>,
    next_req: ReqId,
    /// Something on screen changed since the last draw.
    pub dirty: bool,
    /// Draw in colour (off with `NO_COLOR`).
    pub color: bool,
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
            form: None,
            confirm: None,
            chooser: None,
            batch_open: None,
            create: None,
            pending_write: None,
            pending_pin: None,
            in_flight: Vec::new(),
            add_assoc: None,
            drafts: Vec::new(),
            draft_restore: None,
            filter: None,
            views: vec![crate::views::View::all_tickets()],
            view_index: 0,
            view_edit: None,
            me: None,
            list_waiting: false,
            list_capped: false,
            picker: None,
            search: None,
            count_due: None,
            count_req: None,
            pending_views: None,
            config_file: None,
            fuzzy: crate::fuzzy::FuzzyFilter::default(),
            fuzzy_stale: true,
            toast: None,
            mark_all_loading: false,
            worker: WorkerStatus::default(),
            pending_detail: None,
            next_req: 1,
            dirty: true,
            color: true,
            quit: false,
        }
    }

    /// The first effects: the first page, the catalogue, pipelines and owners, in parallel.
    pub fn start(&mut self) -> Vec<Effect> {
        self.list.set_viewport(self.areas.list_rows());
        self.detail.viewport = self.areas.detail_rows();
        let mut fx = self.load_catalog();
        fx.extend(self.load_list(None));
        fx
    }

    fn req(&mut self) -> ReqId {
        let r = self.next_req;
        self.next_req += 1;
        r
    }

    /// The key context in force (what `?` and the status bar describe).
    pub fn context(&self) -> Context {
        if self.confirm.is_some() {
            return Context::Confirm;
        }
        if self.form.is_some()
            || self.chooser.is_some()
            || self.picker.is_some()
            || self.search.is_some()
            || self.batch_open.is_some()
            || self.create.is_some()
            || self.add_assoc.is_some()
            || (!self.drafts.is_empty() && self.overlay.is_none())
        {
            return Context::Form;
        }
        if self.filter.as_ref().is_some_and(|f| f.editing) {
            return Context::Filter;
        }
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

    fn load_catalog(&mut self) -> Vec<Effect> {
        let (p, l, o) = (self.req(), self.req(), self.req());
        self.catalog_load = CatalogLoad {
            properties: Loadable::Loading(p),
            pipelines: Loadable::Loading(l),
            owners: Loadable::Loading(o),
        };
        vec![
            Effect::Api(Command::LoadProperties { req: p }),
            Effect::Api(Command::LoadPipelines { req: l }),
            Effect::Api(Command::LoadOwners { req: o }),
        ]
    }

    /// Requests a page: the first (`after == None`, a refresh when rows are loaded) or the next.
    /// A first page resolves the current view again (its relative dates, `@me`); later pages
    /// page through what the first one asked.
    fn load_list(&mut self, after: Option<String>) -> Vec<Effect> {
        self.list_waiting = false;
        if after.is_none() && !matches!(self.source, ListSource::Batch { .. }) {
            match self.resolve_source() {
                views_flow::Resolved::Ready(source) => self.source = source,
                views_flow::Resolved::Wait => {
                    self.list_waiting = true;
                    self.list_load = Loadable::Idle;
                    return Vec::new();
                }
                views_flow::Resolved::Failed(why) => {
                    self.list_load = Loadable::Failed(why.clone());
                    self.error(why);
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

    /// The catalogue arrived: a first page that waited for it goes now.
    fn catalog_arrived(&mut self) -> Vec<Effect> {
        if self.list_waiting {
            self.load_list(None)
        } else {
            Vec::new()
        }
    }

    fn maybe_next_page(&mut self) -> Vec<Effect> {
        if self.list.wants_next_page() && !self.list_load.is_loading() {
            let after = self.list.next_after().map(str::to_owned);
            return self.load_list(after);
        }
        Vec::new()
    }

    /// The selection moved: show that ticket, fetch it once the cursor rests.
    fn selection_changed(&mut self) -> Vec<Effect> {
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

    /// Fetches the detail of the shown ticket now (the catalogue must be known, since the
    /// fetch asks for every property with its history).
    fn fetch_detail(&mut self) -> Vec<Effect> {
        let Some(id) = self.detail.ticket_id.clone() else {
            return Vec::new();
        };
        if self.catalog_load.properties.ready().is_none() {
            // Fetched when the catalogue arrives.
            return Vec::new();
        }
        self.pending_detail = None;
        let req = self.req();
        self.detail.ticket = Loadable::Loading(req);
        let properties = self
            .catalog
            .properties
            .iter()
            .map(|p| p.name.clone())
            .collect();
        let mut fx = vec![Effect::Api(Command::GetTicket {
            req,
            id,
            properties,
        })];
        fx.extend(self.load_tab_data(false));
        fx
    }

    /// Loads what the tab on view needs, lazily (or again with `force`).
    fn load_tab_data(&mut self, force: bool) -> Vec<Effect> {
        let Some(id) = self.detail.ticket_id.clone() else {
            return Vec::new();
        };
        match self.detail.tab {
            Tab::Associations if force || matches!(self.detail.associations, Loadable::Idle) => {
                let req = self.req();
                self.detail.associations = Loadable::Loading(req);
                vec![Effect::Api(Command::LoadAssociations {
                    req,
                    ticket_id: id,
                })]
            }
            Tab::Activity if force || matches!(self.detail.activities, Loadable::Idle) => {
                let req = self.req();
                self.detail.activities = Loadable::Loading(req);
                vec![Effect::Api(Command::LoadActivities { req, ticket_id: id })]
            }
            _ => Vec::new(),
        }
    }

    /// Rows in the detail tab on view.
    pub fn detail_rows(&self) -> usize {
        match self.detail.tab {
            Tab::Properties => self
                .detail
                .ticket
                .ready()
                .map_or(0, |t| detail::property_rows(&self.catalog, t).len()),
            Tab::History => self.detail.ticket.ready().map_or(0, |t| {
                detail::history_rows(t, self.detail.history_filter.as_deref()).len()
            }),
            Tab::Associations => self.detail.associations.ready().map_or(0, Vec::len),
            Tab::Activity => self.detail.activities.ready().map_or(0, Vec::len),
        }
    }

    /// Empties the list and loads the first page of the current source.
    fn reset_list(&mut self) -> Vec<Effect> {
        self.list = TicketList::default();
        self.list.set_viewport(self.areas.list_rows());
        self.filter = None;
        self.fuzzy_stale = true;
        self.list_capped = false;
        self.detail.clear();
        self.pending_detail = None;
        self.load_list(None)
    }

    /// Keeps the Properties cursor off group headings: it moves on past one, in the direction
    /// it was going (down at the top).
    fn settle_property_cursor(&mut self, up: bool) {
        let Some(t) = self.detail.ticket.ready() else {
            return;
        };
        let rows = detail::property_rows(&self.catalog, t);
        let is_group = |r: usize| matches!(rows.get(r), Some(detail::PropertyRow::Group(_)));
        let c = &mut self.detail.properties;
        if !is_group(c.row) {
            return;
        }
        if up && c.row > 0 && !is_group(c.row - 1) {
            c.row -= 1;
        } else if c.row + 1 < rows.len() {
            c.row += 1;
        } else if c.row > 0 {
            c.row -= 1;
        }
        c.scroll(self.detail.viewport);
        // Show the heading above the first row rather than scrolling it away.
        if c.row == 1 {
            c.offset = 0;
        }
    }

    /// The property under the cursor in the Properties tab.
    fn selected_property(&self) -> Option<(String, String, String)> {
        let t = self.detail.ticket.ready()?;
        let rows = detail::property_rows(&self.catalog, t);
        match rows.get(self.detail.properties.row)? {
            detail::PropertyRow::Property { name, label, value } => {
                Some((name.clone(), label.clone(), value.clone()))
            }
            detail::PropertyRow::Group(_) => None,
        }
    }

    /// Recomputes the rows on view for the filter query.
    fn apply_filter(&mut self) {
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
        self.list.set_view(Some(matches));
    }

    fn rebuild_haystacks(&mut self) {
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
    fn sync_haystacks(&mut self, ids: &[String]) {
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
    }

    /// What `/` matches a ticket on: ID, subject, stage, owner, priority.
    fn haystack(&self, t: &Ticket) -> crate::fuzzy::Haystack {
        let stage = self
            .catalog
            .display_value(Some(t), "hs_pipeline_stage", t.stage());
        let owner = self
            .catalog
            .display_value(Some(t), "hubspot_owner_id", t.owner_id());
        crate::fuzzy::Haystack::from_fields([
            t.id.as_str(),
            t.subject(),
            stage.as_str(),
            owner.as_str(),
            t.priority(),
        ])
    }
}

/// The one place state changes.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
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
        Msg::Resize(w, h) => {
            app.areas = Areas::new(Rect::new(0, 0, w, h));
            app.list.set_viewport(app.areas.list_rows());
            app.detail.viewport = app.areas.detail_rows();
            app.dirty = true;
            app.maybe_next_page()
        }
        Msg::Paste(text) => {
            app.dirty = true;
            on_paste(app, &text)
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
            on_worker(app, event)
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

/// What takes keys and pasted text, top first: one order for both, so a layer cannot get
/// keys but lose pastes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Overlay,
    Confirm,
    EditForm,
    Chooser,
    BatchOpen,
    Create,
    AddAssociation,
    Picker,
    SearchForm,
    DraftOffer,
    /// The list or the detail (with the `/` filter line when it is being typed).
    Base,
}

impl App {
    /// The layer on top, which gets the next key or paste.
    pub fn top_layer(&self) -> Layer {
        if self.overlay.is_some() {
            Layer::Overlay
        } else if self.confirm.is_some() {
            Layer::Confirm
        } else if self.form.is_some() {
            Layer::EditForm
        } else if self.chooser.is_some() {
            Layer::Chooser
        } else if self.batch_open.is_some() {
            Layer::BatchOpen
        } else if self.create.is_some() {
            Layer::Create
        } else if self.add_assoc.is_some() {
            Layer::AddAssociation
        } else if self.picker.is_some() {
            Layer::Picker
        } else if self.search.is_some() {
            Layer::SearchForm
        } else if !self.drafts.is_empty() && self.draft_restore.is_none() {
            Layer::DraftOffer
        } else {
            Layer::Base
        }
    }
}

/// Bracketed paste goes where typing would go on the top layer; a layer without a text input
/// (a confirmation, an overlay) ignores it, as it would ignore typed letters there.
fn on_paste(app: &mut App, text: &str) -> Vec<Effect> {
    let now = app.now;
    match app.top_layer() {
        Layer::Overlay | Layer::Confirm | Layer::DraftOffer => {}
        Layer::EditForm => {
            if let Some(f) = app.form.as_mut()
                && matches!(f.phase, edit::Phase::Editing)
            {
                f.input.paste(text);
            }
        }
        Layer::Chooser => {
            if let Some(c) = app.chooser.as_mut() {
                c.picker.paste(text);
            }
        }
        Layer::BatchOpen => batch_open::paste(app, text),
        Layer::Create => create::paste(app, text),
        Layer::AddAssociation => {
            if let Some(actions::AddAssociation::Search(s)) = app.add_assoc.as_mut() {
                s.paste(text, now);
            }
        }
        Layer::Picker => {
            if let Some(p) = app.picker.as_mut() {
                p.picker.paste(text);
            }
        }
        Layer::SearchForm => return views_flow::on_search_paste(app, text),
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
        Layer::Overlay => {
            let action = app.keymap.resolve(Context::Global, &key);
            if action == Some(Action::ForceQuit) {
                return vec![Effect::Quit];
            }
            let help_lines = app.keymap.bindings().len() + 2 * crate::keymap::Context::ALL.len();
            if app
                .overlay
                .as_mut()
                .is_some_and(|o| on_overlay_key(action, key, o, help_lines))
            {
                app.overlay = None;
            }
            return Vec::new();
        }
        Layer::Confirm => return on_confirm_key(app, key),
        Layer::EditForm => return edit_flow::on_key(app, key),
        Layer::Chooser => return edit_flow::on_chooser_key(app, key),
        Layer::BatchOpen => return batch_open::on_key(app, key),
        Layer::Create => return create::on_key(app, key),
        Layer::AddAssociation => return actions::on_add_key(app, key),
        Layer::Picker => return views_flow::on_picker_key(app, key),
        Layer::SearchForm => return views_flow::on_search_key(app, key),
        Layer::DraftOffer => return edit_flow::on_draft_offer_key(app, key),
        Layer::Base => {}
    }
    if app.context() == Context::Filter {
        return on_filter_key(app, key);
    }
    let context = app.context();
    // Esc in the list undoes what narrowed it (an accepted filter, a batch open) the way `q`
    // does, but never quits.
    if context == Context::List
        && key.code == KeyCode::Esc
        && (app.filter.is_some()
            || matches!(app.source, ListSource::Batch { .. })
            || app.view_modified())
    {
        return on_action(app, Action::Back);
    }
    let Some(action) = app.keymap.resolve(context, &key) else {
        return Vec::new();
    };
    on_action(app, action)
}

/// Keys in an overlay; returns whether it closes.
fn on_overlay_key(
    action: Option<Action>,
    key: KeyEvent,
    overlay: &mut Overlay,
    help_lines: usize,
) -> bool {
    // Scrolling stops at the last line, so `k` comes back at once after overscrolling.
    let last = match overlay {
        Overlay::Help { .. } => help_lines,
        Overlay::Text { body, .. } => body.lines().count(),
        Overlay::Error { .. } => 0,
    }
    .saturating_sub(1);
    let scroll = match overlay {
        Overlay::Help { scroll } | Overlay::Text { scroll, .. } => Some(scroll),
        Overlay::Error { .. } => None,
    };
    let scroll = scroll.map(|s| {
        *s = (*s).min(last);
        s
    });
    on_overlay_scroll(action, key, scroll, last)
}

fn on_overlay_scroll(
    action: Option<Action>,
    key: KeyEvent,
    scroll: Option<&mut usize>,
    last: usize,
) -> bool {
    match (key.code, action) {
        (KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?'), _) => true,
        (_, Some(Action::Back | Action::Help)) => true,
        (KeyCode::Char('j') | KeyCode::Down, _) => {
            if let Some(s) = scroll {
                *s = (*s + 1).min(last);
            }
            false
        }
        (KeyCode::Char('k') | KeyCode::Up, _) => {
            if let Some(s) = scroll {
                *s = s.saturating_sub(1);
            }
            false
        }
        (KeyCode::PageDown | KeyCode::Char(' '), _) => {
            if let Some(s) = scroll {
                *s = (*s + 10).min(last);
            }
            false
        }
        (KeyCode::PageUp, _) => {
            if let Some(s) = scroll {
                *s = s.saturating_sub(10);
            }
            false
        }
        _ => false,
    }
}

/// Keys in a confirmation dialog: `y` confirms, `n`/Esc cancels, ←/→ move between the
/// buttons, Enter presses the selected one (Cancel unless moved).
fn on_confirm_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let Some(dialog) = app.confirm.as_mut() else {
        return Vec::new();
    };
    if dialog.must_type().is_some() {
        match key.code {
            KeyCode::Char(c) if c.is_ascii_digit() => {
                dialog.typed.push(c);
                return Vec::new();
            }
            KeyCode::Backspace => {
                dialog.typed.pop();
                return Vec::new();
            }
            _ => {}
        }
    }
    let confirmed = match app.keymap.resolve(Context::Confirm, &key) {
        Some(Action::ForceQuit) => return vec![Effect::Quit],
        Some(Action::Confirm) => true,
        Some(Action::Decline) => false,
        Some(Action::ButtonLeft) => {
            dialog.button = confirm::Button::Cancel;
            return Vec::new();
        }
        Some(Action::ButtonRight) => {
            dialog.button = confirm::Button::Confirm;
            return Vec::new();
        }
        Some(Action::PressButton) => dialog.button == confirm::Button::Confirm,
        _ => return Vec::new(),
    };
    if confirmed && !dialog.can_confirm() {
        // A bulk delete needs its count typed first; a bare `y` is not enough.
        return Vec::new();
    }
    let Some(dialog) = app.confirm.take() else {
        return Vec::new();
    };
    if !confirmed {
        app.info(dialog.declined());
        return Vec::new();
    }
    run_confirmed(app, dialog.op)
}

/// The one command a confirmed op stands for.
fn run_confirmed(app: &mut App, op: confirm::PendingOp) -> Vec<Effect> {
    match op {
        op @ (confirm::PendingOp::ArchiveTickets { .. }
        | confirm::PendingOp::PinActivity { .. }
        | confirm::PendingOp::Unpin { .. }
        | confirm::PendingOp::RemoveAssociation { .. }
        | confirm::PendingOp::AssociateThenPin { .. }) => actions::run(app, op),
        confirm::PendingOp::BulkUpdate {
            ids, properties, ..
        } => edit_flow::send_bulk(app, ids, properties),
        confirm::PendingOp::CopyUrlInstead { url, .. } => {
            app.info("copied the ticket URL");
            vec![Effect::Clipboard(url)]
        }
        confirm::PendingOp::LoadAllThenMark { .. } => {
            app.mark_all_loading = true;
            app.info("loading the rest of the view to mark it…");
            let mut fx = app.continue_mark_all();
            fx.extend(app.maybe_next_page());
            fx
        }
        confirm::PendingOp::RestoreValue {
            ticket_id,
            property,
            label,
            restored,
            ..
        } => {
            let req = app.req();
            app.pending_write = Some((
                req,
                format!("restored {label} on #{ticket_id}"),
                ticket_id.clone(),
            ));
            vec![Effect::Api(Command::UpdateTicket {
                req,
                id: ticket_id,
                properties: std::collections::BTreeMap::from([(property, restored)]),
            })]
        }
    }
}

/// `u` in History: confirm putting the selected entry's value back.
fn ask_restore(app: &mut App) -> Vec<Effect> {
    let Some(t) = app.detail.ticket.ready() else {
        return Vec::new();
    };
    let rows = detail::history_rows(t, app.detail.history_filter.as_deref());
    let Some(e) = rows.get(app.detail.history.row) else {
        return Vec::new();
    };
    let Some(def) = app.catalog.property(&e.property) else {
        app.error(format!(
            "{} is not in the property catalogue; #{} was not changed",
            e.property, t.id
        ));
        return Vec::new();
    };
    if let Some(why) = edit::not_editable_reason(def) {
        app.error(why);
        return Vec::new();
    }
    let current = t.prop(&e.property).to_owned();
    if current == e.new {
        app.info(format!("{} of #{} already has that value", def.label, t.id));
        return Vec::new();
    }
    let shown = |v: &str| app.catalog.display_value(Some(t), &e.property, v);
    app.confirm = Some(confirm::Confirm::new(confirm::PendingOp::RestoreValue {
        ticket_id: t.id.clone(),
        subject: t.subject().to_owned(),
        property: e.property.clone(),
        label: def.label.clone(),
        current_shown: shown(&current),
        restored_shown: shown(&e.new),
        current,
        restored: e.new.clone(),
    }));
    Vec::new()
}

fn on_filter_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return vec![Effect::Quit];
    }
    let Some(f) = app.filter.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            app.filter = None;
            app.list.set_view(None);
            return app.selection_changed();
        }
        KeyCode::Enter => {
            f.editing = false;
            if f.query.is_empty() {
                app.filter = None;
            }
            return app.selection_changed();
        }
        KeyCode::Backspace => {
            f.query.pop();
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => f.query.clear(),
        KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            f.query.push(c);
        }
        KeyCode::Up | KeyCode::Down => {
            app.list
                .move_by(if key.code == KeyCode::Up { -1 } else { 1 });
            return app.selection_changed();
        }
        _ => return Vec::new(),
    }
    app.apply_filter();
    app.selection_changed()
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
    // Everywhere.
    match action {
        Action::ForceQuit => return vec![Effect::Quit],
        Action::Quit => return vec![Effect::Quit],
        Action::Help => {
            app.overlay = Some(Overlay::Help { scroll: 0 });
            return Vec::new();
        }
        Action::CommandPalette => return views_flow::open_palette(app),
        Action::ReloadAll => {
            let mut fx = app.load_catalog();
            fx.extend(app.load_list(None));
            app.detail.ticket_id = None;
            fx.extend(app.selection_changed());
            app.info("reloading everything");
            return fx;
        }
        Action::NextPane | Action::PrevPane => {
            app.focus = match app.focus {
                Focus::List if app.list.selected().is_some() => Focus::Detail,
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
    match app.focus {
        Focus::List => on_list_action(app, action),
        Focus::Detail => on_detail_action(app, action),
    }
}

fn current_ticket_id(app: &App) -> Option<String> {
    match app.focus {
        Focus::Detail => app.detail.ticket_id.clone(),
        Focus::List => app.list.selected_id().map(str::to_owned),
    }
}

fn on_list_action(app: &mut App, action: Action) -> Vec<Effect> {
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
        Action::Bottom => {
            app.list.select_row(usize::MAX);
            app.selection_changed()
        }
        Action::Open => {
            if app.list.selected().is_some() {
                app.focus = Focus::Detail;
                if app.pending_detail.is_some() {
                    return app.fetch_detail();
                }
            }
            Vec::new()
        }
        Action::Back => {
            if app.filter.is_some() {
                app.filter = None;
                app.list.set_view(None);
                return app.selection_changed();
            }
            if matches!(app.source, ListSource::Batch { .. }) {
                let name = app.current_view().name.clone();
                app.info(format!("back to the view {name}"));
                return app.reload_view();
            }
            if app.view_modified() {
                return views_flow::reset_edit(app);
            }
            vec![Effect::Quit]
        }
        Action::BatchOpen => batch_open::open(app),
        Action::NewTicket => create::open(app),
        Action::Filter => {
            let query = app.filter.take().map(|f| f.query).unwrap_or_default();
            app.filter = Some(FilterLine {
                query,
                editing: true,
            });
            Vec::new()
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
            if app.list.selected().is_some() {
                app.focus = Focus::Detail;
                app.detail.tab = Tab::Properties;
                app.info("choose a property (j/k), then e to edit it");
            }
            Vec::new()
        }
        Action::Delete => actions::ask_delete(app),
        Action::Search => views_flow::open_search(app),
        _ => Vec::new(),
    }
}

/// `V`: mark every row shown, or clear the marks. In a view with more tickets than are
/// loaded it says how many of how many it marked and offers to load and mark the rest.
fn mark_all(app: &mut App) -> Vec<Effect> {
    app.mark_all_loading = false;
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

impl App {
    /// While `V` loads the whole view: mark what arrived, ask for the next page, and say
    /// when the view is all marked (or where HubSpot's cap stopped it).
    fn continue_mark_all(&mut self) -> Vec<Effect> {
        if !self.mark_all_loading {
            return Vec::new();
        }
        self.list.mark_all();
        let marked = self.list.marked().len();
        if self.list_capped {
            self.mark_all_loading = false;
            self.error(format!(
                "{marked} marked: HubSpot search stops at 10,000; narrow the view to reach the rest"
            ));
            return Vec::new();
        }
        if !self.list.has_more() {
            self.mark_all_loading = false;
            self.info(format!("all {marked} tickets of the view marked"));
            return Vec::new();
        }
        self.info(format!("{marked} marked, loading more…"));
        if self.list_load.is_loading() {
            return Vec::new();
        }
        let after = self.list.next_after().map(str::to_owned);
        self.load_list(after)
    }
}

fn on_detail_action(app: &mut App, action: Action) -> Vec<Effect> {
    let fx = on_detail_action_inner(app, action);
    let up = matches!(action, Action::Up | Action::PageUp | Action::HalfPageUp);
    app.settle_property_cursor(up);
    fx
}

fn on_detail_action_inner(app: &mut App, action: Action) -> Vec<Effect> {
    let rows = app.detail_rows();
    let viewport = app.detail.viewport;
    let switch_tab = |app: &mut App, tab: Tab| {
        app.detail.tab = tab;
        app.load_tab_data(false)
    };
    match action {
        Action::Back => {
            app.focus = Focus::List;
            Vec::new()
        }
        Action::Down => {
            app.detail.cursor_mut().move_by(1, rows, viewport);
            Vec::new()
        }
        Action::Up => {
            app.detail.cursor_mut().move_by(-1, rows, viewport);
            Vec::new()
        }
        Action::HalfPageDown | Action::PageDown => {
            let d = if action == Action::PageDown {
                full_page(app)
            } else {
                half_page(app)
            };
            app.detail.cursor_mut().move_by(d, rows, viewport);
            Vec::new()
        }
        Action::HalfPageUp | Action::PageUp => {
            let d = if action == Action::PageUp {
                full_page(app)
            } else {
                half_page(app)
            };
            app.detail.cursor_mut().move_by(-d, rows, viewport);
            Vec::new()
        }
        Action::Top => {
            app.detail.cursor_mut().to(0, rows, viewport);
            Vec::new()
        }
        Action::Bottom => {
            app.detail.cursor_mut().to(usize::MAX, rows, viewport);
            Vec::new()
        }
        Action::NextTab => {
            let t = Tab::from_index(app.detail.tab.index() + 1);
            switch_tab(app, t)
        }
        Action::PrevTab => {
            let t = Tab::from_index(app.detail.tab.index() + Tab::ALL.len() - 1);
            switch_tab(app, t)
        }
        a if a.tab_number().is_some() => {
            let n = usize::from(a.tab_number().unwrap_or(1));
            switch_tab(app, Tab::from_index(n - 1))
        }
        Action::Refresh => {
            app.info("refreshing the ticket");
            let mut fx = app.fetch_detail();
            fx.extend(app.load_tab_data(true));
            fx
        }
        Action::HistoryOfProperty if app.detail.tab == Tab::Properties => {
            if let Some((name, label, _)) = app.selected_property() {
                app.detail.history_filter = Some(name);
                app.detail.history = detail::Cursor::default();
                app.detail.tab = Tab::History;
                app.info(format!("history of {label}; f shows every property"));
            }
            Vec::new()
        }
        Action::HistoryFilter if app.detail.tab == Tab::History => {
            if app.detail.history_filter.take().is_none() {
                let entry = app.detail.ticket.ready().and_then(|t| {
                    detail::history_rows(t, None)
                        .into_iter()
                        .nth(app.detail.history.row)
                });
                app.detail.history_filter = entry.map(|e| e.property);
            }
            app.detail.history = detail::Cursor::default();
            Vec::new()
        }
        Action::ShowFull | Action::Open => {
            show_full(app);
            Vec::new()
        }
        Action::Edit if app.detail.tab == Tab::Properties => {
            edit_flow::open_for_selected_property(app)
        }
        Action::RestoreValue if app.detail.tab == Tab::History => ask_restore(app),
        Action::AddAssociation if app.detail.tab == Tab::Associations => actions::open_add(app),
        Action::RemoveAssociation if app.detail.tab == Tab::Associations => {
            actions::ask_remove(app)
        }
        Action::Pin if app.detail.tab == Tab::Activity => actions::ask_pin(app),
        Action::Unpin if app.detail.tab == Tab::Activity => actions::ask_unpin(app),
        Action::Delete => actions::ask_delete(app),
        _ => Vec::new(),
    }
}

/// `Enter` in the detail: the whole value, history entry or activity in a scrollable overlay.
fn show_full(app: &mut App) {
    let text = match app.detail.tab {
        Tab::Properties => app.selected_property().map(|(name, label, value)| {
            let raw = app
                .detail
                .ticket
                .ready()
                .map(|t| t.prop(&name).to_owned())
                .unwrap_or_default();
            let body = if name == "content" {
                crate::text::html_to_text(&raw)
            } else if raw == value {
                value
            } else {
                format!("{value}\n\n(stored value: {raw})")
            };
            (label, body)
        }),
        Tab::History => app.detail.ticket.ready().and_then(|t| {
            let rows = detail::history_rows(t, app.detail.history_filter.as_deref());
            let e = rows.get(app.detail.history.row)?;
            let label = app.catalog.property_label(&e.property).to_owned();
            let show = |v: &str| app.catalog.display_value(Some(t), &e.property, v);
            let old = e
                .old
                .as_deref()
                .map_or_else(|| "(no value)".to_owned(), show);
            Some((
                format!("{label} · {}", app.catalog.local(e.timestamp)),
                format!("Before:\n{old}\n\nAfter:\n{}", show(&e.new)),
            ))
        }),
        Tab::Associations => app.detail.associations.ready().and_then(|list| {
            let rows = detail::association_rows(list);
            let a = rows.get(app.detail.assoc.row)?;
            let labels = a.labels().join(", ");
            Some((
                format!("{} {}", a.kind.label(), a.id),
                format!("{}\n{}\n{}", a.title, a.detail, labels),
            ))
        }),
        Tab::Activity => app.detail.activities.ready().and_then(|list| {
            let rows = detail::activity_rows(list);
            let a = rows.get(app.detail.activity.row)?;
            let when = a
                .timestamp
                .map(|t| app.catalog.local(t))
                .unwrap_or_default();
            Some((
                format!("{} · {when}", a.kind.label()),
                format!("{}\n\n{}", a.title, a.body),
            ))
        }),
    };
    if let Some((title, body)) = text {
        app.overlay = Some(Overlay::Text {
            title,
            body,
            scroll: 0,
        });
    }
}

fn on_worker(app: &mut App, event: Event) -> Vec<Effect> {
    if let Some(fx) = edit_flow::on_event(app, &event) {
        return fx;
    }
    if let Some(fx) = create::on_event(app, &event) {
        return fx;
    }
    if let Some(fx) = actions::on_event(app, &event) {
        return fx;
    }
    if let Some(fx) = views_flow::on_event(app, &event) {
        return fx;
    }
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
        | Event::AssociationChanged { .. } => Vec::new(),
        Event::TicketUpdated { req, ticket } => {
            let mut row = ticket.clone();
            row.history = None;
            app.list.upsert(row);
            if let Some((_, done, _)) = app.pending_write.take_if(|(r, _, _)| *r == req) {
                app.info(done);
                if app.detail.ticket_id.as_deref() == Some(ticket.id.as_str()) {
                    return app.fetch_detail();
                }
            }
            Vec::new()
        }
        Event::Failed { req, failure }
            if app
                .pending_write
                .as_ref()
                .is_some_and(|(r, _, _)| *r == req) =>
        {
            let ticket = app
                .pending_write
                .take()
                .map(|(_, _, t)| t)
                .unwrap_or_default();
            let pin = app.pending_pin.take_if(|(r, _, _)| *r == req);
            let refused = failure
                .field_errors
                .iter()
                .any(|(p, _)| p == "hs_pinned_engagement_id");
            match pin {
                Some((_, ticket, activity)) if refused => {
                    actions::on_pin_refused(app, &ticket, &activity, &failure.summary);
                }
                _ => app.error(format!(
                    "the change to #{ticket} was not saved: {}",
                    failure.summary
                )),
            }
            Vec::new()
        }
        Event::Status(s) => {
            app.worker = s;
            Vec::new()
        }
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
                app.info(format!("opened {n} tickets; Esc goes back to all tickets"));
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
            if app.filter.is_some() {
                app.apply_filter();
            }
            let mut fx = app.selection_changed();
            fx.extend(app.maybe_next_page());
            fx.extend(app.continue_mark_all());
            fx
        }
        Event::PropertiesLoaded {
            req,
            properties,
            groups,
        } => {
            if !app.catalog_load.properties.waits_for(req) {
                return Vec::new();
            }
            app.catalog.set_properties(properties, groups);
            app.catalog_load.properties = Loadable::Ready(());
            let mut fx = app.catalog_arrived();
            // The detail waited for the catalogue.
            if app.detail.ticket_id.is_some() && !app.detail.ticket.is_loading() {
                fx.extend(app.fetch_detail());
            }
            fx
        }
        Event::PipelinesLoaded { req, pipelines } => {
            if app.catalog_load.pipelines.waits_for(req) {
                app.catalog.set_pipelines(pipelines);
                app.catalog_load.pipelines = Loadable::Ready(());
                // Stage labels changed.
                app.fuzzy_stale = true;
                return app.catalog_arrived();
            }
            Vec::new()
        }
        Event::OwnersLoaded { req, owners } => {
            if app.catalog_load.owners.waits_for(req) {
                app.catalog.set_owners(owners);
                app.catalog_load.owners = Loadable::Ready(());
                // Owner names changed.
                app.fuzzy_stale = true;
                return app.catalog_arrived();
            }
            Vec::new()
        }
        Event::TicketFetched { req, ticket } => {
            if !app.detail.ticket.waits_for(req) {
                return Vec::new();
            }
            let mut row = ticket.clone();
            row.history = None;
            app.list.upsert(row);
            app.sync_haystacks(std::slice::from_ref(&ticket.id));
            if app.filter.is_some() {
                app.apply_filter();
            }
            app.detail.ticket = Loadable::Ready(ticket);
            app.settle_property_cursor(false);
            Vec::new()
        }
        Event::AssociationsLoaded {
            req,
            ticket_id,
            items,
        } => {
            if app.detail.associations.waits_for(req)
                && app.detail.ticket_id.as_deref() == Some(ticket_id.as_str())
            {
                app.detail.associations = Loadable::Ready(items);
            }
            Vec::new()
        }
        Event::ActivitiesLoaded {
            req,
            ticket_id,
            items,
        } => {
            if app.detail.activities.waits_for(req)
                && app.detail.ticket_id.as_deref() == Some(ticket_id.as_str())
            {
                app.detail.activities = Loadable::Ready(items);
            }
            Vec::new()
        }
        Event::Failed { req, failure } => on_failure(app, req, &failure),
        Event::WriteVerified {
            req,
            tickets,
            lost,
            verdict,
        } => verified::on_event(app, req, &tickets, &lost, verdict),
    }
}

fn on_failure(app: &mut App, req: ReqId, failure: &Failure) -> Vec<Effect> {
    if failure.auth {
        app.overlay = Some(Overlay::Error {
            title: "HubSpot refused the access token or service key".to_owned(),
            body: format!(
                "{}\n\nIt was revoked, rotated or has expired. Set HUBSPOT_ACCESS_TOKEN to a \
                 current service key or private-app access token and start hubtix again.",
                failure.summary
            ),
        });
    } else if !failure.missing_scopes.is_empty() {
        app.overlay = Some(Overlay::Error {
            title: "The service key or private app is missing scopes".to_owned(),
            body: format!(
                "{}\n\nAdd these scopes to the service key or private app in HubSpot: {}",
                failure.summary,
                failure.missing_scopes.join(", ")
            ),
        });
    }
    let slot = |l: &Loadable<()>| l.waits_for(req);
    if app.list_load.waits_for(req) {
        app.list_load = Loadable::Failed(failure.summary.clone());
        app.error(format!(
            "loading tickets failed: {} (r retries)",
            failure.summary
        ));
    } else if app.detail.ticket.waits_for(req) {
        if failure.not_found {
            if let Some(id) = app.detail.ticket_id.clone() {
                app.list.mark_gone(&id);
                app.detail.ticket = Loadable::Failed(format!(
                    "ticket {id} no longer exists in HubSpot (deleted or merged elsewhere)"
                ));
            }
        } else {
            app.detail.ticket = Loadable::Failed(failure.summary.clone());
        }
    } else if app.detail.associations.waits_for(req) {
        app.detail.associations = Loadable::Failed(failure.summary.clone());
    } else if app.detail.activities.waits_for(req) {
        app.detail.activities = Loadable::Failed(failure.summary.clone());
    } else if slot(&app.catalog_load.properties)
        || slot(&app.catalog_load.pipelines)
        || slot(&app.catalog_load.owners)
    {
        let what = if slot(&app.catalog_load.properties) {
            app.catalog_load.properties = Loadable::Failed(failure.summary.clone());
            "properties"
        } else if slot(&app.catalog_load.pipelines) {
            app.catalog_load.pipelines = Loadable::Failed(failure.summary.clone());
            "pipelines"
        } else {
            app.catalog_load.owners = Loadable::Failed(failure.summary.clone());
            "owners"
        };
        app.error(format!(
            "loading {what} failed: {} (R reloads)",
            failure.summary
        ));
        if app.list_waiting {
            app.list_waiting = false;
            app.list_load = Loadable::Failed(format!(
                "the view needs the {what}, which failed to load: {} (R reloads)",
                failure.summary
            ));
        }
    }
    Vec::new()
}

#[cfg(test)]
mod filter_tests {
    use std::collections::BTreeMap;

    use super::*;

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
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
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
        assert_eq!(app.list.selected_id(), Some("101"));

        // The selected ticket is fetched and its subject changed meanwhile.
        let fx = update(&mut app, Msg::Tick(now + SignedDuration::from_secs(1)));
        let req = request(&fx, |c| matches!(c, Command::GetTicket { .. }));
        update(
            &mut app,
            Msg::Worker(Event::TicketFetched {
                req,
                ticket: ticket(101, "printer on fire"),
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
        assert_eq!(app.list.selected_id(), Some("101"));
    }
}
