//! The detail pane's model: which ticket, which tab, the cursor of each tab, and what has
//! been loaded for it (the full ticket with history, associations, activities).
//!
//! Pure data: rows shown in each tab are derived from the ticket and the catalogue by the
//! functions here, so the view and `update` agree on what row `n` is.

use crate::domain::{Activity, Associated, Catalog, HistoryEntry, ObjectKind, Ticket, timeline};

pub use crate::protocol::{Loadable, ReqId};

/// The tabs of the detail pane, in order (`1`–`4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Properties,
    History,
    Associations,
    Activity,
}

impl Tab {
    pub const ALL: [Self; 4] = [
        Self::Properties,
        Self::History,
        Self::Associations,
        Self::Activity,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Properties => "Properties",
            Self::History => "History",
            Self::Associations => "Associations",
            Self::Activity => "Activity",
        }
    }
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
    pub fn from_index(i: usize) -> Self {
        Self::ALL[i % Self::ALL.len()]
    }
}

/// A cursor over a list of rows with a scroll offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cursor {
    pub row: usize,
    pub offset: usize,
}

impl Cursor {
    pub fn move_by(&mut self, delta: isize, rows: usize, viewport: usize) {
        self.row = self
            .row
            .saturating_add_signed(delta)
            .min(rows.saturating_sub(1));
        self.scroll(viewport);
    }
    pub fn to(&mut self, row: usize, rows: usize, viewport: usize) {
        self.row = row.min(rows.saturating_sub(1));
        self.scroll(viewport);
    }
    pub fn scroll(&mut self, viewport: usize) {
        let vp = viewport.max(1);
        if self.row < self.offset {
            self.offset = self.row;
        } else if self.row >= self.offset + vp {
            self.offset = self.row + 1 - vp;
        }
    }
}

/// The detail pane.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetailPane {
    /// The ticket shown (the list's selection once it settles).
    pub ticket_id: Option<String>,
    /// The ticket with every property and its history.
    pub ticket: Loadable<Ticket>,
    pub associations: Loadable<Vec<Associated>>,
    pub activities: Loadable<Vec<Activity>>,
    /// Whose ticket it is (the line under the subject), read lazily.
    pub customer: Loadable<crate::domain::Customer>,
    pub tab: Tab,
    pub properties: Cursor,
    pub history: Cursor,
    pub assoc: Cursor,
    pub activity: Cursor,
    /// Show only this property's history (`h` on a property, `f` in History).
    pub history_filter: Option<String>,
    /// The Properties tab lists every property, the empty ones too (`a`); kept from ticket
    /// to ticket.
    pub all_properties: bool,
    /// Rows that fit in the tab body, as last drawn.
    pub viewport: usize,
}

impl DetailPane {
    /// Switches to another ticket: everything loaded for the previous one is dropped, the tab
    /// is kept.
    pub fn show(&mut self, id: &str) {
        if self.ticket_id.as_deref() == Some(id) {
            return;
        }
        *self = Self {
            ticket_id: Some(id.to_owned()),
            tab: self.tab,
            viewport: self.viewport,
            all_properties: self.all_properties,
            ..Self::default()
        };
    }

    pub fn clear(&mut self) {
        *self = Self {
            tab: self.tab,
            viewport: self.viewport,
            all_properties: self.all_properties,
            ..Self::default()
        };
    }

    /// The Properties tab's rows as shown now (with values, or all of them).
    pub fn property_rows(&self, catalog: &Catalog) -> Vec<PropertyRow> {
        self.ticket.ready().map_or_else(Vec::new, |t| {
            property_rows_in(catalog, t, self.all_properties)
        })
    }

    /// The cursor of the tab on view.
    pub fn cursor_mut(&mut self) -> &mut Cursor {
        match self.tab {
            Tab::Properties => &mut self.properties,
            Tab::History => &mut self.history,
            Tab::Associations => &mut self.assoc,
            Tab::Activity => &mut self.activity,
        }
    }
}

/// One row of the Properties tab: a group heading or a property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyRow {
    Group(String),
    Property {
        name: String,
        label: String,
        value: String,
    },
}

/// Properties that are always listed, even empty, because agents set them all day.
pub const KEY_PROPERTIES: [&str; 7] = [
    "subject",
    "content",
    "hs_pipeline",
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "hubspot_owner_id",
    "hs_ticket_category",
];

/// The Properties tab's rows with values (see [`property_rows_in`]).
pub fn property_rows(catalog: &Catalog, ticket: &Ticket) -> Vec<PropertyRow> {
    property_rows_in(catalog, ticket, false)
}

/// A value on one line as the Properties tab and the list show it: as a person reads it
/// ([`Catalog::display_value`]: labels, names, local dates, durations), rich text as its
/// text (never tags), line breaks as spaces.
pub fn one_line(catalog: &Catalog, ticket: &Ticket, name: &str, raw: &str) -> String {
    if crate::text::looks_like_html(raw) {
        let text = crate::text::html_to_text(raw);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        return lines.join(" ");
    }
    catalog.display_value(Some(ticket), name, raw)
}

/// The Properties tab's rows: grouped by property group (in the catalogue's order), labelled,
/// values shown as a person reads them ([`one_line`]). With `all`, every property the
/// portal shows (not hidden) has a row, so any editable one can be set; else empty
/// properties are left out except the key ones and editable custom ones.
/// Properties the catalogue doesn't know go last under "Other".
pub fn property_rows_in(catalog: &Catalog, ticket: &Ticket, all: bool) -> Vec<PropertyRow> {
    let mut rows = Vec::new();
    // Empty properties are listed when agents set them: the key ones, and the portal's own
    // (custom) editable properties, so `e` has a row to act on.
    let shown = |name: &str| {
        all || !ticket.prop(name).is_empty()
            || KEY_PROPERTIES.contains(&name)
            || catalog
                .property(name)
                .is_some_and(|p| !p.hubspot_defined && p.editable())
    };
    let mut seen = std::collections::HashSet::new();
    let mut group_names: Vec<(&str, &str)> = catalog
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.label.as_str()))
        .collect();
    // Groups that properties name but the groups list lacks.
    for p in &catalog.properties {
        if !group_names.iter().any(|(n, _)| *n == p.group_name) {
            group_names.push((p.group_name.as_str(), p.group_name.as_str()));
        }
    }
    for (group, label) in group_names {
        let mut props: Vec<_> = catalog
            .properties
            .iter()
            .filter(|p| p.group_name == group && !p.hidden && shown(&p.name))
            .collect();
        if props.is_empty() {
            continue;
        }
        // Key properties first, in their fixed order; then the group's own order.
        props.sort_by_key(|p| {
            KEY_PROPERTIES
                .iter()
                .position(|k| *k == p.name)
                .unwrap_or(KEY_PROPERTIES.len())
        });
        rows.push(PropertyRow::Group(label.to_owned()));
        for p in props {
            seen.insert(p.name.as_str());
            rows.push(PropertyRow::Property {
                name: p.name.clone(),
                label: p.label.clone(),
                value: one_line(catalog, ticket, &p.name, ticket.prop(&p.name)),
            });
        }
    }
    let others: Vec<_> = ticket
        .properties
        .iter()
        .filter(|(k, v)| {
            !v.is_empty()
                && !seen.contains(k.as_str())
                && catalog.property(k).is_none_or(|p| !p.hidden)
        })
        .collect();
    if !others.is_empty() {
        rows.push(PropertyRow::Group("Other".to_owned()));
        for (k, v) in others {
            rows.push(PropertyRow::Property {
                name: k.clone(),
                label: catalog.property_label(k).to_owned(),
                value: one_line(catalog, ticket, k, v),
            });
        }
    }
    rows
}

/// The History tab's rows: the unified timeline, newest first, optionally of one property.
pub fn history_rows(ticket: &Ticket, only: Option<&str>) -> Vec<HistoryEntry> {
    let Some(h) = &ticket.history else {
        return Vec::new();
    };
    let mut rows = timeline(h);
    if let Some(p) = only {
        rows.retain(|e| e.property == p);
    }
    rows
}

/// The Associations tab's rows: records grouped by kind (contacts, companies, deals, then
/// activities), each group in a stable order.
pub fn association_rows(list: &[Associated]) -> Vec<&Associated> {
    let mut rows: Vec<&Associated> = list.iter().collect();
    rows.sort_by(|a, b| (a.kind, &a.title, &a.id).cmp(&(b.kind, &b.title, &b.id)));
    rows
}

/// The Activity tab's rows: newest first.
pub fn activity_rows(list: &[Activity]) -> Vec<&Activity> {
    let mut rows: Vec<&Activity> = list.iter().collect();
    rows.sort_by(|a, b| b.timestamp.cmp(&a.timestamp).then_with(|| a.id.cmp(&b.id)));
    rows
}

/// Whether `kind` is shown in the Activity tab rather than as a record.
pub fn is_activity(kind: ObjectKind) -> bool {
    kind.is_activity()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PropertyDef, PropertyType};

    fn def(name: &str, hubspot_defined: bool, calculated: bool) -> PropertyDef {
        PropertyDef {
            name: name.into(),
            label: name.into(),
            kind: PropertyType::String,
            field_type: "text".into(),
            group_name: "g".into(),
            description: String::new(),
            options: vec![],
            display_order: 0,
            hidden: false,
            calculated,
            read_only_value: false,
            has_unique_value: false,
            hubspot_defined,
            referenced_object_type: None,
            duration: false,
        }
    }

    #[test]
    fn empty_custom_editable_properties_get_a_row_to_edit() {
        let mut catalog = Catalog::default();
        catalog.set_properties(
            vec![
                def("vip_note", false, false),
                def("custom_score", false, true),
                def("hs_resolution", true, false),
                def("subject", true, false),
            ],
            vec![],
        );
        let ticket = Ticket {
            id: "1".into(),
            properties: std::collections::BTreeMap::new(),
            created_at: None,
            updated_at: None,
            archived: false,
            history: None,
        };
        let names: Vec<String> = property_rows(&catalog, &ticket)
            .into_iter()
            .filter_map(|r| match r {
                PropertyRow::Property { name, .. } => Some(name),
                PropertyRow::Group(_) => None,
            })
            .collect();
        assert!(names.contains(&"vip_note".to_owned()), "{names:?}");
        assert!(
            names.contains(&"subject".to_owned()),
            "key properties always"
        );
        assert!(
            !names.contains(&"custom_score".to_owned()),
            "calculated: nothing to edit"
        );
        assert!(
            !names.contains(&"hs_resolution".to_owned()),
            "empty HubSpot-defined: hidden"
        );
        let all: Vec<String> = property_rows_in(&catalog, &ticket, true)
            .into_iter()
            .filter_map(|r| match r {
                PropertyRow::Property { name, .. } => Some(name),
                PropertyRow::Group(_) => None,
            })
            .collect();
        for name in ["vip_note", "custom_score", "hs_resolution", "subject"] {
            assert!(all.contains(&name.to_owned()), "all: {name} in {all:?}");
        }
    }

    #[test]
    fn rich_text_shows_as_text_on_one_line() {
        let mut catalog = Catalog::default();
        catalog.set_properties(vec![def("content", true, false)], vec![]);
        let ticket = Ticket {
            id: "1".into(),
            properties: [(
                "content".to_owned(),
                "<p>Hello,</p><ol><li>Open <b>Settings</b></li></ol>".to_owned(),
            )]
            .into(),
            created_at: None,
            updated_at: None,
            archived: false,
            history: None,
        };
        let rows = property_rows(&catalog, &ticket);
        assert!(
            rows.contains(&PropertyRow::Property {
                name: "content".into(),
                label: "content".into(),
                value: "Hello, • Open Settings".into(),
            }),
            "{rows:?}"
        );
    }
}
