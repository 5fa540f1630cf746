//! The detail pane's own update code: fetching the selected ticket (debounced), its tabs'
//! lazy loads (associations, activities), the property cursor, detail keys, history restore
//! (`u`), and the answers to those requests (reading a value in full is `reader`). `on_worker` routes
//! detail events here.
//!
//! Must not: do I/O (requests go out as `Effect::Api`) or reach into a modal.

use super::*;

impl App {
    /// Fetches the detail of the shown ticket now (the catalogue must be known, since the
    /// fetch asks for every property with its history).
    pub(super) fn fetch_detail(&mut self) -> Vec<Effect> {
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
    pub(super) fn load_tab_data(&mut self, force: bool) -> Vec<Effect> {
        match self.detail.tab {
            Tab::Associations if force || matches!(self.detail.associations, Loadable::Idle) => {
                self.load_associations()
            }
            Tab::Activity if force || matches!(self.detail.activities, Loadable::Idle) => {
                self.load_activities()
            }
            _ => Vec::new(),
        }
    }

    /// The detail ticket's associations, whatever the tab (the Associations tab, and the
    /// activity forms, which offer its contacts and companies).
    pub(super) fn load_associations(&mut self) -> Vec<Effect> {
        let Some(id) = self.detail.ticket_id.clone() else {
            return Vec::new();
        };
        let req = self.req();
        self.detail.associations = Loadable::Loading(req);
        vec![Effect::Api(Command::LoadAssociations {
            req,
            ticket_id: id,
        })]
    }

    /// The detail ticket's activities, whatever the tab (the Activity tab, and triage, which
    /// shows the latest beside the properties).
    pub(super) fn load_activities(&mut self) -> Vec<Effect> {
        let Some(id) = self.detail.ticket_id.clone() else {
            return Vec::new();
        };
        let req = self.req();
        self.detail.activities = Loadable::Loading(req);
        vec![Effect::Api(Command::LoadActivities { req, ticket_id: id })]
    }

    /// Keeps the Properties cursor off group headings: it moves on past one, in the direction
    /// it was going (down at the top).
    pub(super) fn settle_property_cursor(&mut self, up: bool) {
        if self.detail.ticket.ready().is_none() {
            return;
        }
        let rows = self.detail.property_rows(&self.catalog);
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
    pub(super) fn selected_property(&self) -> Option<(String, String, String)> {
        let rows = self.detail.property_rows(&self.catalog);
        match rows.get(self.detail.properties.row)? {
            detail::PropertyRow::Property { name, label, value } => {
                Some((name.clone(), label.clone(), value.clone()))
            }
            detail::PropertyRow::Group(_) => None,
        }
    }
}

/// `u` in History: confirm putting the selected entry's value back.
pub(super) fn ask_restore(app: &mut App) -> Vec<Effect> {
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
    let shown = |v: &str| detail::one_line(&app.catalog, t, &e.property, v);
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

pub(super) fn on_detail_action(app: &mut App, action: Action) -> Vec<Effect> {
    let fx = on_detail_action_inner(app, action);
    let up = matches!(action, Action::Up | Action::PageUp | Action::HalfPageUp);
    app.settle_property_cursor(up);
    fx
}

pub(super) fn on_detail_action_inner(app: &mut App, action: Action) -> Vec<Effect> {
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
        Action::CustomerTickets => customer_flow::open_for_detail(app),
        Action::Open if app.detail.tab == Tab::Associations && on_customer(app).is_some() => {
            let who = on_customer(app).cloned();
            who.map_or_else(Vec::new, |w| customer_flow::open(app, &w))
        }
        Action::ShowFull | Action::Open => {
            reader::open_from_detail(app);
            Vec::new()
        }
        Action::Edit if app.detail.tab == Tab::Properties => {
            edit_flow::open_for_selected_property(app)
        }
        Action::AllProperties => {
            toggle_all_properties(app);
            Vec::new()
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

/// `a`: the Properties tab lists every property, empty ones too, so any editable one can be
/// set with `e` — or again only those with values. The cursor stays on the property it was
/// on when that one is still listed.
fn toggle_all_properties(app: &mut App) {
    let on = app.selected_property().map(|(name, _, _)| name);
    app.detail.tab = Tab::Properties;
    app.detail.all_properties = !app.detail.all_properties;
    let rows = app.detail.property_rows(&app.catalog);
    let row = on.and_then(|name| {
        rows.iter()
            .position(|r| matches!(r, detail::PropertyRow::Property { name: n, .. } if *n == name))
    });
    let viewport = app.detail.viewport;
    app.detail
        .properties
        .to(row.unwrap_or(0), rows.len(), viewport);
    let key = app.keymap.key_name(Context::Detail, Action::AllProperties);
    app.info(if app.detail.all_properties {
        format!("every property, empty ones too; {key} shows only those with values")
    } else {
        format!("properties with values; {key} shows every property")
    });
}

/// The answers to the detail's requests, and to a write it confirmed (history restore, pin),
/// routed here by `on_worker`.
pub(super) fn on_event(app: &mut App, event: Event) -> Vec<Effect> {
    match event {
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
            // Whose ticket it is, once it is on screen: never before the ticket itself.
            customer_flow::load_customer(app)
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
        _ => Vec::new(),
    }
}

/// A confirmed write of the detail's (history restore, pin) failed: say so, naming the ticket.
/// Returns false when the failure is not one of its writes'.
pub(super) fn on_write_failed(app: &mut App, req: ReqId, failure: &Failure) -> bool {
    if app.pending_write.as_ref().is_none_or(|(r, _, _)| *r != req) {
        return false;
    }
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
    true
}

/// A detail request (the ticket, its associations or activities) failed: shown where it
/// would have been. A ticket that is gone is marked gone in the list. False if it was none
/// of the detail's.
pub(super) fn on_failure(app: &mut App, req: ReqId, failure: &Failure) -> bool {
    if app.detail.ticket.waits_for(req) {
        if failure.not_found {
            if let Some(id) = app.detail.ticket_id.clone() {
                app.list.mark_gone(&id);
                app.detail.ticket = Loadable::Failed(failure.clone().reworded(format!(
                    "ticket {id} no longer exists in HubSpot (deleted or merged elsewhere)"
                )));
            }
        } else {
            app.detail.ticket = Loadable::Failed(failure.clone());
        }
    } else if app.detail.associations.waits_for(req) {
        app.detail.associations = Loadable::Failed(failure.clone());
    } else if app.detail.activities.waits_for(req) {
        app.detail.activities = Loadable::Failed(failure.clone());
    } else {
        return false;
    }
    true
}

/// The contact or company selected in the Associations tab, if that is what is selected.
fn on_customer(app: &App) -> Option<&crate::domain::Associated> {
    let list = app.detail.associations.ready()?;
    let rows = super::detail::association_rows(list);
    let a = *rows.get(app.detail.assoc.row)?;
    matches!(
        a.kind,
        crate::domain::ObjectKind::Contact | crate::domain::ObjectKind::Company
    )
    .then_some(a)
}
