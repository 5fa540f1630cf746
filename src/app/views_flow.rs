//! Saved views in the app: which view is on (a tab across the top), what it asks HubSpot,
//! switching views (`{`/`}`, `v`), sorting (`S`), the pipeline on top of a view (`p`) and the
//! command palette (`:`). A search, sort or pipeline change edits a copy of the view (the tab
//! shows it modified) until it is saved or the view is switched or reset.

use crossterm::event::KeyEvent;
use jiff::{SignedDuration, Timestamp};

use super::edit::{Choice, Picker};
use super::search_form::{Outcome, Preview, SearchForm};
use super::{App, Effect, Focus};
use crate::action::Action;
use crate::domain::PropertyType;
use crate::keymap::Context;
use crate::protocol::{Command, Event, ListSource, SearchSource};
use crate::views::{self, SortSpec, View};

/// How long typing in the search form must pause before the matches are counted: HubSpot
/// allows 5 searches a second per account, and a count per keystroke would spend them all.
pub const COUNT_DEBOUNCE: SignedDuration = SignedDuration::from_millis(400);

/// What a picker modal chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerKind {
    View,
    SortProperty,
    SortDirection {
        property: String,
    },
    /// The command palette; the context it was opened from.
    Command {
        context: Context,
    },
    /// A macro to apply to these tickets (`m`, see `macro_flow`).
    Macro {
        ids: Vec<String>,
    },
    /// Who "me" is: asked once, the first time a view needs `@me` and config.toml has no
    /// `me`; the owner chosen is saved there.
    Me,
}

/// A one-question modal: a filterable list, Enter chooses, Esc closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerModal {
    pub kind: PickerKind,
    pub title: String,
    pub picker: Picker,
}

/// Whether the current view can be asked for now.
pub(super) enum Resolved {
    Ready(ListSource),
    /// It names stages by word, `@me` or typed conditions: the catalogue must arrive first.
    Wait,
    Failed(String),
    /// It needs `@me`, config.toml has no `me`, and the user was not asked yet.
    AskMe,
}

/// What `me` in config.toml stands for.
pub(super) enum Me {
    /// Not set (or blank).
    Unset,
    Owner(String),
    /// An email, to look up once the owners are here.
    OwnersLoading,
    /// An email no owner has.
    Unknown(String),
}

/// Sort value standing for "no sort rule" (HubSpot's default order).
const NO_SORT: &str = "";

impl App {
    /// The view on screen: the edited copy if the user searched, sorted or switched the
    /// pipeline, else the saved one.
    pub fn current_view(&self) -> &View {
        static ALL_TICKETS: std::sync::LazyLock<View> = std::sync::LazyLock::new(View::all_tickets);
        self.view_edit
            .as_ref()
            .or_else(|| self.views.get(self.view_index))
            .unwrap_or(&ALL_TICKETS)
    }

    /// Whether the current view differs from its saved form.
    pub fn view_modified(&self) -> bool {
        self.view_edit.is_some()
    }

    /// The views' tab labels as drawn (` name `, `*` on the current one when modified), the
    /// renderer's and the mouse's alike.
    pub fn view_tab_labels(&self) -> Vec<String> {
        use crate::text::{sanitize, truncate_to_width};
        self.views
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let star = if i == self.view_index && self.view_modified() {
                    "*"
                } else {
                    ""
                };
                format!(" {}{star} ", truncate_to_width(&sanitize(&v.name), 28))
            })
            .collect()
    }

    /// Replaces the views (from config.toml) and shows the first; call before `start`.
    pub fn set_views(&mut self, views: Vec<View>) {
        if !views.is_empty() {
            self.views = views;
        }
        self.view_index = 0;
        self.view_edit = None;
    }

    /// Loads the current view from its first page, leaving a batch open if one is shown.
    pub(super) fn reload_view(&mut self) -> Vec<Effect> {
        self.source = ListSource::All;
        self.reset_list()
    }

    /// Who `me` from config.toml is: an owner ID, or the email of an owner.
    pub(super) fn me(&self) -> Me {
        let Some(me) = self.me.as_deref().map(str::trim).filter(|m| !m.is_empty()) else {
            return Me::Unset;
        };
        if me.bytes().all(|b| b.is_ascii_digit()) {
            return Me::Owner(me.to_owned());
        }
        if self.catalog_load.owners.ready().is_none() {
            return Me::OwnersLoading;
        }
        self.catalog
            .owners
            .iter()
            .find(|o| o.email.eq_ignore_ascii_case(me))
            .map_or_else(
                || {
                    Me::Unknown(format!(
                        "me = \"{me}\" in config.toml is not the email of a HubSpot owner"
                    ))
                },
                |o| Me::Owner(o.id.clone()),
            )
    }

    /// What the current view asks HubSpot, once everything it refers to is known.
    pub(super) fn resolve_source(&self) -> Resolved {
        self.resolve(self.current_view())
    }

    /// What `view` asks HubSpot, once everything it refers to is known.
    pub(super) fn resolve(&self, view: &View) -> Resolved {
        if !view.is_search() {
            return Resolved::Ready(ListSource::All);
        }
        let loaded = |l: &super::detail::Loadable<()>| l.ready().is_some();
        if view.needs_pipelines() && !loaded(&self.catalog_load.pipelines) {
            return Resolved::Wait;
        }
        let needs_properties = !view.conditions.is_empty() || view.sort.is_some();
        if needs_properties && !loaded(&self.catalog_load.properties) {
            return Resolved::Wait;
        }
        let me = if view.uses_me() {
            match self.me() {
                Me::Owner(id) => Some(id),
                Me::Unset if !self.me_asked => match &self.catalog_load.owners {
                    crate::protocol::Loadable::Ready(()) => return Resolved::AskMe,
                    // No owners to choose from (a missing scope): say how to set `me`.
                    crate::protocol::Loadable::Failed(_) => None,
                    _ => return Resolved::Wait,
                },
                // Asked and not answered: `compile` says how to set it.
                Me::Unset => None,
                Me::OwnersLoading => return Resolved::Wait,
                Me::Unknown(why) => return Resolved::Failed(why),
            }
        } else {
            None
        };
        match self.compiled(view, me.as_deref()) {
            Ok(source) => Resolved::Ready(source),
            Err(why) => Resolved::Failed(why),
        }
    }

    /// `view` compiled against the catalogue the app holds now, as the search it asks.
    fn compiled(&self, view: &View, me: Option<&str>) -> Result<ListSource, String> {
        let ctx = views::Context {
            catalog: &self.catalog,
            me,
            now: self.now,
        };
        let c = views::compile(view, ctx).map_err(|e| format!("view \"{}\": {e}", view.name))?;
        Ok(ListSource::Search(SearchSource {
            option_order: views::option_order(&c, &self.catalog),
            filter_groups: c.filter_groups,
            sort: c.sort,
            query: c.query,
        }))
    }

    /// The current view compiled against the catalogue the app holds now, loaded or not (the
    /// cache's, on a warm start), for a first look at cached rows; `None` when it needs who
    /// "me" is and that is not known, or does not compile.
    pub(super) fn resolve_with_catalogue_at_hand(&self) -> Option<ListSource> {
        let view = self.current_view();
        if !view.is_search() {
            return Some(ListSource::All);
        }
        let me = match self.me() {
            Me::Owner(id) => Some(id),
            _ if view.uses_me() => return None,
            _ => None,
        };
        self.compiled(view, me.as_deref()).ok()
    }

    /// Properties the list asks for: what it always needs, the view's columns and sort.
    pub fn list_properties(&self) -> Vec<String> {
        let view = self.current_view();
        let mut props: Vec<String> = super::LIST_PROPERTIES
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let extra = view
            .column_names()
            .into_iter()
            .flat_map(|c| views::columns::properties(&c))
            .chain(view.sort.as_ref().map(|s| s.property.clone()));
        for p in extra {
            if !props.contains(&p) && p != "hs_object_id" {
                props.push(p);
            }
        }
        props
    }
}

/// Shows view `index` (its saved form) from its first page.
pub(super) fn switch_to(app: &mut App, index: usize) -> Vec<Effect> {
    let n = app.views.len().max(1);
    let index = index % n;
    if index == app.view_index && app.view_edit.is_none() && !app.list.is_empty() {
        return Vec::new();
    }
    app.view_index = index;
    app.view_edit = None;
    app.focus = Focus::List;
    let name = app.current_view().name.clone();
    app.info(format!("view: {name}"));
    app.reload_view()
}

/// `}` / `{`: the next or previous view.
pub(super) fn step(app: &mut App, forward: bool) -> Vec<Effect> {
    let n = app.views.len().max(1);
    let next = if forward {
        app.view_index + 1
    } else {
        app.view_index + n - 1
    };
    switch_to(app, next % n)
}

/// Shows `view` as an edit of the current one (search, sort, pipeline) from its first page.
pub(super) fn apply_edit(app: &mut App, view: View) -> Vec<Effect> {
    let saved = app.views.get(app.view_index);
    app.view_edit = if saved == Some(&view) {
        None
    } else {
        Some(view)
    };
    app.reload_view()
}

/// `p`: All pipelines → each pipeline → All, on top of the current view.
pub(super) fn switch_pipeline(app: &mut App) -> Vec<Effect> {
    let ids: Vec<String> = app.catalog.pipelines.iter().map(|p| p.id.clone()).collect();
    if ids.is_empty() {
        app.info("pipelines are still loading");
        return Vec::new();
    }
    let mut view = app.current_view().clone();
    view.pipeline = match &view.pipeline {
        None => Some(ids[0].clone()),
        Some(cur) => match ids.iter().position(|i| i == cur) {
            Some(i) if i + 1 < ids.len() => Some(ids[i + 1].clone()),
            _ => None,
        },
    };
    let label = match &view.pipeline {
        None => "all pipelines".to_owned(),
        Some(id) => app
            .catalog
            .pipeline(id)
            .map_or_else(|| id.clone(), |p| p.label.clone()),
    };
    app.info(format!("showing {label}"));
    apply_edit(app, view)
}

/// `v`: choose a view by name.
pub(super) fn open_view_picker(app: &mut App) -> Vec<Effect> {
    let options = app
        .views
        .iter()
        .enumerate()
        .map(|(i, v)| Choice {
            value: i.to_string(),
            label: v.name.clone(),
        })
        .collect();
    let current = app.view_index.to_string();
    app.modals.open(PickerModal {
        kind: PickerKind::View,
        title: "Switch view".to_owned(),
        picker: Picker::new(options, false, &current),
    });
    Vec::new()
}

/// Asks who "me" is with the owner picker (once a run): the first time a view needs `@me`
/// and config.toml has no `me`.
pub(super) fn open_me_picker(app: &mut App) {
    let view = format!("\"{}\"", app.current_view().name);
    ask_me(app, &view);
}

/// Asks who "me" is with the owner picker, for `what` (a view, a macro) that needs `@me`;
/// not again this run.
pub(super) fn ask_me(app: &mut App, what: &str) {
    app.me_asked = true;
    let mut owners: Vec<&crate::domain::Owner> =
        app.catalog.owners.iter().filter(|o| !o.archived).collect();
    owners.sort_by_key(|o| o.display_name().to_lowercase());
    let options = owners
        .into_iter()
        .map(|o| Choice {
            value: if o.email.is_empty() {
                o.id.clone()
            } else {
                o.email.clone()
            },
            label: if o.email.is_empty() {
                o.display_name()
            } else {
                format!("{} <{}>", o.display_name(), o.email)
            },
        })
        .collect();
    app.modals.open(PickerModal {
        kind: PickerKind::Me,
        title: format!("Who are you? {what} needs @me (saved as me in config.toml)"),
        picker: Picker::new(options, false, "").with_fuzzy(),
    });
}

/// The owner chosen as "me": kept, saved into config.toml, and the macro that asked run with
/// it, else the view loaded with it.
fn me_chosen(app: &mut App, me: String) -> Vec<Effect> {
    app.info(format!("you are {me}: saved as me in config.toml"));
    app.me = Some(me.clone());
    let mut effects = vec![Effect::SaveMe(me)];
    match super::macro_flow::me_answered(app, true) {
        Some(fx) => effects.extend(fx),
        None => effects.extend(app.reload_view()),
    }
    effects
}

/// `S`: choose the property to sort by (then the direction).
pub(super) fn open_sort_picker(app: &mut App) -> Vec<Effect> {
    if app.catalog.properties.is_empty() {
        app.info("the property catalogue is still loading");
        return Vec::new();
    }
    let mut options: Vec<Choice> = app
        .catalog
        .properties
        .iter()
        .filter(|p| !p.hidden || p.name == "hs_object_id")
        .map(|p| Choice {
            value: p.name.clone(),
            label: format!("{} ({})", p.label, p.name),
        })
        .collect();
    options.sort_by_key(|o| o.label.to_lowercase());
    if !options.iter().any(|o| o.value == "hs_object_id") {
        // HubSpot defines it on every object; the catalogue may hide it.
        options.insert(
            0,
            Choice {
                value: "hs_object_id".to_owned(),
                label: "Record ID (hs_object_id)".to_owned(),
            },
        );
    }
    options.insert(
        0,
        Choice {
            value: NO_SORT.to_owned(),
            label: "HubSpot's default order (created, oldest first)".to_owned(),
        },
    );
    let current = app
        .current_view()
        .sort
        .as_ref()
        .map(|s| s.property.clone())
        .unwrap_or_default();
    let mut picker = Picker::new(options, false, &current);
    picker.cursor = picker
        .visible()
        .iter()
        .position(|&i| picker.options[i].value == current)
        .unwrap_or(0);
    app.modals.open(PickerModal {
        kind: PickerKind::SortProperty,
        title: "Sort by".to_owned(),
        picker,
    });
    Vec::new()
}

fn open_direction_picker(app: &mut App, property: String) {
    let kind = app.catalog.property(&property).map(|p| p.kind);
    let (down, up) = match kind {
        Some(PropertyType::Date | PropertyType::DateTime) => ("newest first", "oldest first"),
        Some(PropertyType::Number) => ("largest first", "smallest first"),
        _ => ("Z → A", "A → Z"),
    };
    let current = app.current_view().sort.as_ref();
    let descending = match current {
        Some(s) if s.property == property => s.descending,
        _ => matches!(
            kind,
            Some(PropertyType::Date | PropertyType::DateTime | PropertyType::Number)
        ),
    };
    let options = vec![
        Choice {
            value: "desc".to_owned(),
            label: format!("↓ descending ({down})"),
        },
        Choice {
            value: "asc".to_owned(),
            label: format!("↑ ascending ({up})"),
        },
    ];
    let label = app.catalog.property_label(&property).to_owned();
    app.modals.open(PickerModal {
        kind: PickerKind::SortDirection { property },
        title: format!("Sort by {label}"),
        picker: Picker::new(options, false, if descending { "desc" } else { "asc" }),
    });
}

/// `:`: every action of the current context and every view, by name.
pub(super) fn open_palette(app: &mut App) -> Vec<Effect> {
    let context = app.context();
    let mut options: Vec<Choice> = Vec::new();
    let mut seen: Vec<Action> = Vec::new();
    let mut ctx = Some(context);
    while let Some(c) = ctx {
        for b in app.keymap.bindings_in(c) {
            if seen.contains(&b.action)
                || matches!(b.action, Action::CommandPalette | Action::ForceQuit)
                || app.keymap.resolve_key(context, b.keys[0]) != Some(b.action)
            {
                continue;
            }
            seen.push(b.action);
            let keys: Vec<String> = b.keys.iter().map(ToString::to_string).collect();
            options.push(Choice {
                value: format!("a:{}", b.action.name()),
                label: format!("{}  [{}]", b.action.description(), keys.join(" ")),
            });
        }
        ctx = c.parent();
    }
    for (i, v) in app.views.iter().enumerate() {
        options.push(Choice {
            value: format!("v:{i}"),
            label: format!("View: {}", v.name),
        });
    }
    app.modals.open(PickerModal {
        kind: PickerKind::Command { context },
        title: "Commands".to_owned(),
        picker: Picker::new(options, false, ""),
    });
    Vec::new()
}

/// Keys in a picker modal.
pub(super) fn on_picker_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.keymap.resolve(Context::Picker, &key) == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    let pick = app.keymap.resolve(Context::Picker, &key);
    let Some(modal) = app.modals.picker_mut() else {
        return Vec::new();
    };
    if modal.picker.on_key(pick, key) {
        return Vec::new();
    }
    match pick {
        Some(Action::Cancel) => {
            let was_me = matches!(app.modals.picker_mut(), Some(m) if m.kind == PickerKind::Me);
            app.modals.close_picker();
            if was_me {
                // Not asked again this run: the macro or the view says how to set `me`.
                return super::macro_flow::me_answered(app, false)
                    .unwrap_or_else(|| app.reload_view());
            }
            Vec::new()
        }
        Some(Action::Accept) => {
            let Some(modal) = app.modals.take_picker() else {
                return Vec::new();
            };
            let Some(value) = modal.picker.current().map(|c| c.value.clone()) else {
                return Vec::new();
            };
            chosen(app, modal.kind, value)
        }
        _ => Vec::new(),
    }
}

fn chosen(app: &mut App, kind: PickerKind, value: String) -> Vec<Effect> {
    match kind {
        PickerKind::View => match value.parse::<usize>() {
            Ok(i) => switch_to(app, i),
            Err(_) => Vec::new(),
        },
        PickerKind::SortProperty if value == NO_SORT => {
            let mut view = app.current_view().clone();
            view.sort = None;
            app.info("sorted in HubSpot's default order");
            apply_edit(app, view)
        }
        PickerKind::SortProperty => {
            open_direction_picker(app, value);
            Vec::new()
        }
        PickerKind::SortDirection { property } => {
            let descending = value == "desc";
            let mut view = app.current_view().clone();
            let label = app.catalog.property_label(&property).to_owned();
            view.sort = Some(SortSpec {
                property,
                descending,
            });
            app.info(format!(
                "sorted by {label} {}",
                if descending { "↓" } else { "↑" }
            ));
            apply_edit(app, view)
        }
        PickerKind::Macro { ids } => super::macro_flow::chosen(app, ids, &value),
        PickerKind::Me => me_chosen(app, value),
        PickerKind::Command { .. } => {
            if let Some(i) = value.strip_prefix("v:").and_then(|i| i.parse().ok()) {
                return switch_to(app, i);
            }
            let action = value
                .strip_prefix("a:")
                .and_then(|name| Action::ALL.iter().find(|a| a.name() == name).copied());
            match action {
                Some(a) => super::on_action(app, a),
                None => Vec::new(),
            }
        }
    }
}

/// Esc / `q` in a modified view: back to the saved view.
pub(super) fn reset_edit(app: &mut App) -> Vec<Effect> {
    app.view_edit = None;
    let name = app.current_view().name.clone();
    app.info(format!("back to the saved view {name}"));
    app.reload_view()
}

/// Saves `view` under its name: replaces the saved view of that name, or adds a tab.
/// config.toml is written by the runtime; the tab switches once it is.
pub(super) fn save_view(app: &mut App, view: View) -> Vec<Effect> {
    let name = view.name.trim().to_owned();
    if name.is_empty() {
        app.error("name the view to save it");
        return Vec::new();
    }
    let mut views = app.views.clone();
    let index = match views
        .iter()
        .position(|v| v.name.trim().eq_ignore_ascii_case(&name))
    {
        Some(i) => {
            views[i] = View { name, ..view };
            i
        }
        None => {
            views.push(View { name, ..view });
            views.len() - 1
        }
    };
    app.pending_views = Some((views.clone(), index));
    vec![Effect::SaveViews(views)]
}

/// config.toml was written (or not).
pub(super) fn on_saved(app: &mut App, result: Result<String, String>) -> Vec<Effect> {
    let Some((views, index)) = app.pending_views.take() else {
        return Vec::new();
    };
    match result {
        Ok(path) => {
            let name = views.get(index).map(|v| v.name.clone()).unwrap_or_default();
            // The search form shows what it saves first: then there is nothing to reload.
            let on_screen = views.get(index) == Some(app.current_view());
            app.views = views;
            app.view_index = index;
            app.view_edit = None;
            app.info(format!("saved the view {name} in {path}"));
            if on_screen {
                return Vec::new();
            }
            app.reload_view()
        }
        Err(e) => {
            app.error(format!(
                "the view was not saved: {e} (the search stays on screen; s then Ctrl-w retries)"
            ));
            Vec::new()
        }
    }
}

/// `s`: the search form, filled with the view on screen; its matches are counted at once.
pub(super) fn open_search(app: &mut App) -> Vec<Effect> {
    app.modals
        .open(SearchForm::new(app.current_view(), &app.catalog));
    app.count_due = Some(app.now);
    on_tick(app, app.now)
}

/// Keys in the search form.
pub(super) fn on_search_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if app.keymap.resolve(Context::Search, &key) == Some(Action::ForceQuit) {
        return vec![Effect::Quit];
    }
    let Some(form) = app.modals.search_mut() else {
        return Vec::new();
    };
    match form.on_key(key, &app.keymap, &app.catalog) {
        Outcome::Nothing => Vec::new(),
        Outcome::Changed => {
            app.count_due = Some(app.now + COUNT_DEBOUNCE);
            Vec::new()
        }
        Outcome::Cancel => {
            close_search(app);
            Vec::new()
        }
        Outcome::Apply(view) | Outcome::Save(view) if refused(app, &view) => Vec::new(),
        Outcome::Apply(view) => {
            close_search(app);
            apply_edit(app, view)
        }
        Outcome::Save(view) => {
            close_search(app);
            let mut fx = apply_edit(app, view.clone());
            fx.extend(save_view(app, view));
            fx
        }
    }
}

/// A search that can't be sent as it is: the reason goes into the form, which stays open
/// with everything typed.
fn refused(app: &mut App, view: &View) -> bool {
    let Resolved::Failed(why) = app.resolve(view) else {
        return false;
    };
    if let Some(f) = app.modals.search_mut() {
        f.set_preview(Preview::Error(why));
    }
    true
}

pub(super) fn on_search_paste(app: &mut App, text: &str) -> Vec<Effect> {
    if let Some(f) = app.modals.search_mut() {
        f.paste(text);
        app.count_due = Some(app.now + COUNT_DEBOUNCE);
        app.dirty = true;
    }
    Vec::new()
}

fn close_search(app: &mut App) {
    app.modals.close_search();
    app.count_due = None;
    app.count_req = None;
}

/// Counts the search form's matches once typing has paused.
pub(super) fn on_tick(app: &mut App, now: Timestamp) -> Vec<Effect> {
    if app.count_due.is_none_or(|due| due > now) || app.modals.search().is_none() {
        return Vec::new();
    }
    app.count_due = None;
    let Some(view) = app.modals.search().map(SearchForm::view) else {
        return Vec::new();
    };
    let preview = match app.resolve(&view) {
        // No terms (the list API's view): search counts every ticket just the same.
        Resolved::Ready(source) => {
            // The list API pages through every ticket; a search may stop at the cap.
            let (source, uncapped) = match source {
                ListSource::Search(s) => {
                    let uncapped = s.can_page_past_cap();
                    (s, uncapped)
                }
                _ => (SearchSource::default(), true),
            };
            let req = app.req();
            app.count_req = Some((req, uncapped));
            if let Some(f) = app.modals.search_mut() {
                f.set_preview(Preview::Counting);
            }
            app.dirty = true;
            return vec![Effect::Api(Command::CountTickets { req, source })];
        }
        // The catalogue it needs is on its way: count once it is here.
        Resolved::Wait => {
            app.count_due = Some(now + COUNT_DEBOUNCE);
            return Vec::new();
        }
        Resolved::Failed(why) => Preview::Error(why),
        // The list asks who "me" is; the count only says what is missing.
        Resolved::AskMe => Preview::Error(views::CompileError::NoMe.to_string()),
    };
    if let Some(f) = app.modals.search_mut() {
        f.set_preview(preview);
    }
    app.dirty = true;
    Vec::new()
}

/// The count (or its failure) for the search form.
pub(super) fn on_event(app: &mut App, event: &Event) -> Option<Vec<Effect>> {
    let req = event.req()?;
    let (_, uncapped) = app.count_req.take_if(|(r, _)| *r == req)?;
    let preview = match event {
        Event::TicketsCounted { total, .. } => {
            if *total > views::SEARCH_CAP && !uncapped {
                Preview::Capped(*total)
            } else {
                Preview::Count(*total)
            }
        }
        Event::Failed { failure, .. } => {
            Preview::Error(format!("HubSpot refused this search: {}", failure.summary))
        }
        _ => return Some(Vec::new()),
    };
    if let Some(f) = app.modals.search_mut() {
        f.set_preview(preview);
    }
    Some(Vec::new())
}
