//! The property, pipeline and owner catalogue: asking for it, and what its arrival (or
//! failure) sets going: the first page that waited for it, the detail, the haystacks.
//!
//! Must not: do I/O (requests go out as `Effect::Api`).

use super::*;

impl App {
    pub(super) fn load_catalog(&mut self) -> Vec<Effect> {
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

    /// The catalogue arrived: a first page that waited for it goes now. Once all of it is
    /// HubSpot's (the three answers in), a catalogue shown from the cache is replaced and the
    /// macros checked against the cache's are checked again (the warm start).
    pub(super) fn catalog_arrived(&mut self) -> Vec<Effect> {
        let load = &self.catalog_load;
        let all = [&load.properties, &load.pipelines, &load.owners];
        if all.iter().all(|l| l.ready().is_some()) {
            self.catalog_from_cache = false;
            super::macro_flow::confirm_against_fresh(self);
        }
        if self.list_waiting {
            self.load_list(None)
        } else {
            Vec::new()
        }
    }
}

/// The catalogue's answers (routed here by `on_worker`).
pub(super) fn on_event(app: &mut App, event: Event) -> Vec<Effect> {
    match event {
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
                app.cache_queue.labels_changed();
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
                app.cache_queue.labels_changed();
                return app.catalog_arrived();
            }
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// A catalogue request failed: `R` reloads; a first page that waited for it fails too.
/// `None` if it was none of the catalogue's; else what follows.
pub(super) fn on_failure(app: &mut App, req: ReqId, failure: &Failure) -> Option<Vec<Effect>> {
    let load = &mut app.catalog_load;
    let (slot, what) = if load.properties.waits_for(req) {
        (&mut load.properties, "properties")
    } else if load.pipelines.waits_for(req) {
        (&mut load.pipelines, "pipelines")
    } else if load.owners.waits_for(req) {
        (&mut load.owners, "owners")
    } else {
        return None;
    };
    *slot = Loadable::Failed(failure.clone());
    // Started from the cache and HubSpot out of reach: the cache's catalogue stands, whole,
    // as for an offline start (the offline banner says why), and is read again when HubSpot
    // answers (`catalog_from_cache`).
    if app.catalog_from_cache && super::write_gate::unreachable(failure) {
        return Some(keep_cached_catalog(app, failure));
    }
    let reload = app.keymap.key_name(Context::Global, Action::ReloadAll);
    app.error(failure.said(
        &format!("loading {what} failed: "),
        &format!(" ({reload} reloads)"),
    ));
    if app.list_waiting {
        app.list_waiting = false;
        app.list_load = Loadable::Failed(
            failure
                .clone()
                .in_context(format!("the view needs the {what}, which failed to load")),
        );
    }
    Some(Vec::new())
}

/// HubSpot could not be reached for the catalogue of a start from the cache: the cached one
/// counts as loaded (the other answers under way are then ignored, so the catalogue is never
/// half HubSpot's); a first page that waited fails as offline (the cached rows stay), and a
/// detail that waited is read (offline: its row).
fn keep_cached_catalog(app: &mut App, failure: &Failure) -> Vec<Effect> {
    app.catalog_load = CatalogLoad {
        properties: Loadable::Ready(()),
        pipelines: Loadable::Ready(()),
        owners: Loadable::Ready(()),
    };
    if app.list_waiting {
        app.list_waiting = false;
        app.list_load = Loadable::Failed(failure.clone());
    }
    app.dirty = true;
    if app.detail.ticket_id.is_some() && !app.detail.ticket.is_loading() {
        return app.fetch_detail();
    }
    Vec::new()
}
