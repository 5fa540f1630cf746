//! The app's view of HubSpot data: tickets, the property catalogue, pipelines, owners,
//! history, associations and activities. Plain data with lookups; no I/O and no wire format
//! (the worker converts the client's DTOs into these).

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

pub mod search;

/// A ticket as the UI knows it. `properties` holds HubSpot's string values; absent or null
/// values are simply not in the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Ticket {
    pub id: String,
    pub properties: BTreeMap<String, String>,
    pub created_at: Option<Timestamp>,
    pub updated_at: Option<Timestamp>,
    pub archived: bool,
    /// Every property's past values, newest first, when fetched with history.
    pub history: Option<BTreeMap<String, Vec<HistoryValue>>>,
}

impl Ticket {
    /// The value of a property, `""` when it has none.
    pub fn prop(&self, name: &str) -> &str {
        self.properties.get(name).map_or("", String::as_str)
    }
    pub fn subject(&self) -> &str {
        self.prop("subject")
    }
    pub fn pipeline(&self) -> &str {
        self.prop("hs_pipeline")
    }
    pub fn stage(&self) -> &str {
        self.prop("hs_pipeline_stage")
    }
    pub fn owner_id(&self) -> &str {
        self.prop("hubspot_owner_id")
    }
    pub fn priority(&self) -> &str {
        self.prop("hs_ticket_priority")
    }
    /// `hs_lastmodifieddate`, falling back to `updatedAt`.
    pub fn last_modified(&self) -> Option<Timestamp> {
        parse_timestamp(self.prop("hs_lastmodifieddate")).or(self.updated_at)
    }
}

/// One past value of one property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryValue {
    pub value: String,
    pub timestamp: Timestamp,
    pub source_type: String,
    pub source_id: Option<String>,
    pub source_label: Option<String>,
    pub updated_by_user_id: Option<i64>,
}

/// A change in the unified timeline: property `name` went from `old` to `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub property: String,
    pub old: Option<String>,
    pub new: String,
    pub timestamp: Timestamp,
    pub source_type: String,
    pub source_id: Option<String>,
    pub source_label: Option<String>,
    pub updated_by_user_id: Option<i64>,
}

/// Flattens per-property histories (each newest first) into one timeline, newest first;
/// each entry knows the value it replaced. Ties keep property-name order for stability.
pub fn timeline(history: &BTreeMap<String, Vec<HistoryValue>>) -> Vec<HistoryEntry> {
    let mut out = Vec::new();
    for (name, values) in history {
        for (i, v) in values.iter().enumerate() {
            out.push(HistoryEntry {
                property: name.clone(),
                old: values.get(i + 1).map(|o| o.value.clone()),
                new: v.value.clone(),
                timestamp: v.timestamp,
                source_type: v.source_type.clone(),
                source_id: v.source_id.clone(),
                source_label: v.source_label.clone(),
                updated_by_user_id: v.updated_by_user_id,
            });
        }
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.timestamp));
    out
}

/// HubSpot's property `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    String,
    Number,
    Date,
    DateTime,
    Bool,
    Enumeration,
    PhoneNumber,
    Other,
}

impl PropertyType {
    pub fn parse(s: &str) -> Self {
        match s {
            "string" => Self::String,
            "number" => Self::Number,
            "date" => Self::Date,
            "datetime" => Self::DateTime,
            "bool" => Self::Bool,
            "enumeration" => Self::Enumeration,
            "phone_number" => Self::PhoneNumber,
            _ => Self::Other,
        }
    }
}

/// One option of an enumeration property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyOption {
    pub label: String,
    pub value: String,
    pub hidden: bool,
    pub display_order: i32,
}

/// A property definition from the Properties API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyDef {
    pub name: String,
    pub label: String,
    pub kind: PropertyType,
    /// HubSpot's `fieldType` (`text`, `textarea`, `select`, `checkbox`, `radio`, ...).
    pub field_type: String,
    pub group_name: String,
    pub description: String,
    pub options: Vec<PropertyOption>,
    pub display_order: i32,
    pub hidden: bool,
    pub calculated: bool,
    pub read_only_value: bool,
    pub has_unique_value: bool,
    pub hubspot_defined: bool,
    /// `OWNER` for `hubspot_owner_id`.
    pub referenced_object_type: Option<String>,
    /// A number of milliseconds shown as a duration ("8 d 10 h"): HubSpot's
    /// `numberDisplayHint: "duration"`, or a known duration property (see `mapping`).
    pub duration: bool,
}

impl PropertyDef {
    /// Whether a user may set this property.
    pub fn editable(&self) -> bool {
        !self.calculated && !self.read_only_value
    }
    /// The options in the order HubSpot shows them: by display order, then as listed.
    pub fn ordered_options(&self) -> impl Iterator<Item = &PropertyOption> {
        let mut opts: Vec<&PropertyOption> = self.options.iter().collect();
        opts.sort_by_key(|o| o.display_order);
        opts.into_iter()
    }
    /// The label of an option value (multi-select values are `;`-joined).
    pub fn option_label(&self, value: &str) -> Option<String> {
        if self.kind != PropertyType::Enumeration || self.options.is_empty() {
            return None;
        }
        let labels: Vec<&str> = value
            .split(';')
            .filter(|v| !v.is_empty())
            .map(|v| {
                self.options
                    .iter()
                    .find(|o| o.value == v)
                    .map_or(v, |o| o.label.as_str())
            })
            .collect();
        Some(labels.join(", "))
    }
}

/// A property group (for grouping the Properties tab).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyGroup {
    pub name: String,
    pub label: String,
    pub display_order: i32,
}

/// A pipeline and its stages, ordered by `display_order`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub id: String,
    pub label: String,
    pub display_order: i32,
    pub stages: Vec<Stage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub id: String,
    pub label: String,
    pub display_order: i32,
    /// `metadata.ticketState == "CLOSED"` (or `isClosed == "true"`).
    pub closed: bool,
}

/// A HubSpot user or queue that can own tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub user_id: Option<i64>,
    pub archived: bool,
}

impl Owner {
    /// "First Last", else the email, else the ID.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let name = name.trim();
        if !name.is_empty() {
            name.to_owned()
        } else if !self.email.is_empty() {
            self.email.clone()
        } else {
            self.id.clone()
        }
    }
}

/// Everything that turns IDs and values into labels: properties, groups, pipelines, owners,
/// and the time zone dates are shown in.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// The user's time zone (injected, so tests and snapshots are the same everywhere).
    pub tz: jiff::tz::TimeZone,
    pub properties: Vec<PropertyDef>,
    pub groups: Vec<PropertyGroup>,
    pub pipelines: Vec<Pipeline>,
    pub owners: Vec<Owner>,
    by_name: HashMap<String, usize>,
    owner_by_id: HashMap<String, usize>,
    owner_by_user: HashMap<i64, usize>,
}

impl Default for Catalog {
    fn default() -> Self {
        Self {
            tz: jiff::tz::TimeZone::system(),
            properties: Vec::new(),
            groups: Vec::new(),
            pipelines: Vec::new(),
            owners: Vec::new(),
            by_name: HashMap::new(),
            owner_by_id: HashMap::new(),
            owner_by_user: HashMap::new(),
        }
    }
}

impl Catalog {
    /// A timestamp in the user's time zone: `2026-03-01 14:05`.
    pub fn local(&self, t: Timestamp) -> String {
        format_time(t, &self.tz)
    }

    /// Whether the property catalogue has arrived (names can be checked against it).
    pub fn loaded(&self) -> bool {
        !self.properties.is_empty()
    }

    pub fn set_properties(&mut self, mut properties: Vec<PropertyDef>, groups: Vec<PropertyGroup>) {
        properties.sort_by(|a, b| (a.display_order, &a.label).cmp(&(b.display_order, &b.label)));
        self.by_name = properties
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.clone(), i))
            .collect();
        self.properties = properties;
        let mut groups = groups;
        groups.sort_by_key(|g| g.display_order);
        self.groups = groups;
    }

    pub fn set_pipelines(&mut self, mut pipelines: Vec<Pipeline>) {
        pipelines.sort_by_key(|p| p.display_order);
        for p in &mut pipelines {
            p.stages.sort_by_key(|s| s.display_order);
        }
        self.pipelines = pipelines;
    }

    pub fn set_owners(&mut self, owners: Vec<Owner>) {
        self.owner_by_id = owners
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        self.owner_by_user = owners
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.user_id.map(|u| (u, i)))
            .collect();
        self.owners = owners;
    }

    pub fn property(&self, name: &str) -> Option<&PropertyDef> {
        self.by_name.get(name).map(|&i| &self.properties[i])
    }

    /// The property's label, else its name.
    pub fn property_label<'a>(&'a self, name: &'a str) -> &'a str {
        self.property(name).map_or(name, |p| p.label.as_str())
    }

    pub fn pipeline(&self, id: &str) -> Option<&Pipeline> {
        self.pipelines.iter().find(|p| p.id == id)
    }

    pub fn stage(&self, pipeline: &str, stage: &str) -> Option<&Stage> {
        fn find<'p>(p: &'p Pipeline, stage: &str) -> Option<&'p Stage> {
            p.stages.iter().find(|s| s.id == stage)
        }
        // A stage ID is unique across a portal's pipelines; look in the named one first.
        self.pipeline(pipeline)
            .and_then(|p| find(p, stage))
            .or_else(|| self.pipelines.iter().find_map(|p| find(p, stage)))
    }

    pub fn owner(&self, id: &str) -> Option<&Owner> {
        self.owner_by_id.get(id).map(|&i| &self.owners[i])
    }

    pub fn owner_by_user_id(&self, user_id: i64) -> Option<&Owner> {
        self.owner_by_user.get(&user_id).map(|&i| &self.owners[i])
    }

    /// A property value as a person reads it: stage and pipeline labels, owner names,
    /// option labels, local dates, yes/no.
    pub fn display_value(&self, ticket: Option<&Ticket>, name: &str, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        match name {
            "hs_pipeline" => {
                return self
                    .pipeline(value)
                    .map_or_else(|| value.to_owned(), |p| p.label.clone());
            }
            "hs_pipeline_stage" => {
                let pipeline = ticket.map_or("", Ticket::pipeline);
                return self
                    .stage(pipeline, value)
                    .map_or_else(|| value.to_owned(), |s| s.label.clone());
            }
            _ => {}
        }
        let Some(def) = self.property(name) else {
            return value.to_owned();
        };
        if def.referenced_object_type.as_deref() == Some("OWNER") {
            return self
                .owner(value)
                .map_or_else(|| value.to_owned(), Owner::display_name);
        }
        match def.kind {
            PropertyType::Number if def.duration => {
                parse_millis(value).map_or_else(|| value.to_owned(), format_duration)
            }
            PropertyType::Enumeration => {
                def.option_label(value).unwrap_or_else(|| value.to_owned())
            }
            PropertyType::Bool => match value {
                "true" => "Yes".to_owned(),
                "false" => "No".to_owned(),
                other => other.to_owned(),
            },
            PropertyType::DateTime => {
                parse_timestamp(value).map_or_else(|| value.to_owned(), |t| self.local(t))
            }
            PropertyType::Date => parse_timestamp(value)
                .map_or_else(|| value.to_owned(), |t| t.to_string()[..10].to_owned()),
            _ => value.to_owned(),
        }
    }
}

/// A number of milliseconds as HubSpot writes it (`"30000"`, `"30000.0"`), rounded.
pub fn parse_millis(value: &str) -> Option<i64> {
    let v = value.trim();
    v.parse::<i64>().ok().or_else(|| {
        v.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && f.abs() < 9.0e15)
            // In range (checked above), so the cast is exact to the millisecond.
            .map(|f| f.round() as i64)
    })
}

/// A duration of `ms` milliseconds as a person reads it, to its two largest units:
/// "8 d 10 h", "3 h 12 min", "4 min 5 s", "45 s" (a zero second unit is left out: "8 d").
/// Under a second: "0 s". Negative durations read with a minus sign.
pub fn format_duration(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let secs = ms.unsigned_abs() / 1000;
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let two = |a: u64, ua: &str, b: u64, ub: &str| {
        if b == 0 {
            format!("{sign}{a} {ua}")
        } else {
            format!("{sign}{a} {ua} {b} {ub}")
        }
    };
    if d > 0 {
        two(d, "d", h, "h")
    } else if h > 0 {
        two(h, "h", m, "min")
    } else if m > 0 {
        two(m, "min", s, "s")
    } else {
        format!("{sign}{s} s")
    }
}

/// How long ago `t` was at `now` ("3 d 4 h"); a time in the future reads as "0 s".
pub fn time_since(now: Timestamp, t: Timestamp) -> String {
    let ms = now.duration_since(t).as_millis().max(0);
    format_duration(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// Parses HubSpot's datetime values: ISO 8601, or epoch milliseconds as a string.
pub fn parse_timestamp(value: &str) -> Option<Timestamp> {
    if value.is_empty() {
        return None;
    }
    if let Ok(t) = value.parse::<Timestamp>() {
        return Some(t);
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return value
            .parse::<i64>()
            .ok()
            .and_then(|ms| Timestamp::from_millisecond(ms).ok());
    }
    // Date-only values (`2026-03-01`) are midnight UTC.
    jiff::civil::Date::strptime("%Y-%m-%d", value)
        .ok()
        .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
}

/// `2026-03-01 14:05` in time zone `tz`.
pub fn format_time(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// A kind of record that can be associated with a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKind {
    Contact,
    Company,
    Deal,
    Note,
    Email,
    Call,
    Task,
    Meeting,
}

impl ObjectKind {
    pub const RECORDS: [Self; 3] = [Self::Contact, Self::Company, Self::Deal];
    pub const ACTIVITIES: [Self; 5] = [
        Self::Note,
        Self::Email,
        Self::Call,
        Self::Task,
        Self::Meeting,
    ];
    pub const ALL: [Self; 8] = [
        Self::Contact,
        Self::Company,
        Self::Deal,
        Self::Note,
        Self::Email,
        Self::Call,
        Self::Task,
        Self::Meeting,
    ];

    /// HubSpot's plural object type name used in paths.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Contact => "contacts",
            Self::Company => "companies",
            Self::Deal => "deals",
            Self::Note => "notes",
            Self::Email => "emails",
            Self::Call => "calls",
            Self::Task => "tasks",
            Self::Meeting => "meetings",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Contact => "Contact",
            Self::Company => "Company",
            Self::Deal => "Deal",
            Self::Note => "Note",
            Self::Email => "Email",
            Self::Call => "Call",
            Self::Task => "Task",
            Self::Meeting => "Meeting",
        }
    }

    pub fn is_activity(self) -> bool {
        Self::ACTIVITIES.contains(&self)
    }

    /// The HUBSPOT_DEFINED default association type from a ticket to this kind
    /// (API-NOTES §3).
    pub fn ticket_default_type_id(self) -> u32 {
        match self {
            Self::Contact => 16,
            Self::Company => 339,
            Self::Deal => 28,
            Self::Note => 227,
            Self::Email => 223,
            Self::Call => 219,
            Self::Task => 229,
            Self::Meeting => 225,
        }
    }
}

/// One association type between two records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssociationType {
    pub category: String,
    pub type_id: u32,
    pub label: Option<String>,
}

/// A record associated with a ticket, with what is needed to show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Associated {
    pub kind: ObjectKind,
    pub id: String,
    /// Contact name, company name, deal name, or an activity's title.
    pub title: String,
    /// Email, domain, amount, or an activity's preview.
    pub detail: String,
    pub types: Vec<AssociationType>,
}

impl Associated {
    /// The record of `kind` labelled Primary among `items`, else the first of that kind.
    pub fn primary(items: &[Associated], kind: ObjectKind) -> Option<&Associated> {
        let mut of_kind = items.iter().filter(|a| a.kind == kind);
        let first = of_kind.clone().next();
        of_kind
            .find(|a| {
                a.labels()
                    .iter()
                    .any(|l| l.trim().eq_ignore_ascii_case("primary"))
            })
            .or(first)
    }

    /// Labels to show ("Primary", ...); unlabeled types show nothing.
    pub fn labels(&self) -> Vec<&str> {
        self.types
            .iter()
            .filter_map(|t| t.label.as_deref())
            .collect()
    }
}

/// Whose ticket it is: its Primary contact and company (else its first of each), as read
/// through the ticket's associations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Customer {
    pub ticket_id: String,
    pub contact: Option<Associated>,
    pub company: Option<Associated>,
}

/// An activity (engagement) on a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub kind: ObjectKind,
    pub id: String,
    pub timestamp: Option<Timestamp>,
    pub title: String,
    /// Plain text (HTML already turned into text by the worker or the view).
    pub body: String,
    pub owner_id: Option<String>,
}

/// What kind of activity an agent writes on a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    Note,
    Call,
    Task,
}

impl ActivityKind {
    /// The CRM object it is stored as.
    pub fn object(self) -> ObjectKind {
        match self {
            Self::Note => ObjectKind::Note,
            Self::Call => ObjectKind::Call,
            Self::Task => ObjectKind::Task,
        }
    }

    /// Its HUBSPOT_DEFINED association type to a ticket, a contact and a company
    /// (API-NOTES §3, HubSpot's "Association type ID values" tables).
    pub fn association_type_to(self, to: AssociationTarget) -> u32 {
        match (self, to) {
            (Self::Note, AssociationTarget::Ticket) => 228,
            (Self::Note, AssociationTarget::Contact) => 202,
            (Self::Note, AssociationTarget::Company) => 190,
            (Self::Call, AssociationTarget::Ticket) => 220,
            (Self::Call, AssociationTarget::Contact) => 194,
            (Self::Call, AssociationTarget::Company) => 182,
            (Self::Task, AssociationTarget::Ticket) => 230,
            (Self::Task, AssociationTarget::Contact) => 204,
            (Self::Task, AssociationTarget::Company) => 192,
        }
    }

    /// Its property holding the body (HTML).
    pub fn body_property(self) -> &'static str {
        match self {
            Self::Note => "hs_note_body",
            Self::Call => "hs_call_body",
            Self::Task => "hs_task_body",
        }
    }
}

/// What a new activity can be associated with at creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AssociationTarget {
    Ticket,
    Contact,
    Company,
}

/// Which way a logged call went (`hs_call_direction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CallDirection {
    #[default]
    Outbound,
    Inbound,
}

impl CallDirection {
    pub fn api_value(self) -> &'static str {
        match self {
            Self::Outbound => "OUTBOUND",
            Self::Inbound => "INBOUND",
        }
    }
}

/// A task's priority (`hs_task_priority`); `None` sends nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TaskPriority {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl TaskPriority {
    pub fn api_value(self) -> Option<&'static str> {
        match self {
            Self::None => None,
            Self::Low => Some("LOW"),
            Self::Medium => Some("MEDIUM"),
            Self::High => Some("HIGH"),
        }
    }
}

/// What is particular to each kind of new activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityDetails {
    Note,
    Call {
        /// `hs_call_title`.
        title: String,
        direction: CallDirection,
        /// `hs_call_disposition`: the outcome's internal ID (HubSpot's default outcomes are
        /// GUIDs), none when not chosen.
        outcome: Option<String>,
        /// `hs_call_duration`, in milliseconds.
        duration_ms: Option<u64>,
    },
    Task {
        /// `hs_task_subject` (required).
        subject: String,
        /// `hubspot_owner_id`; the form defaults it to "me".
        owner_id: Option<String>,
        priority: TaskPriority,
    },
}

/// A note, call or task to create on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivity {
    /// The ticket it is written on (associated at creation).
    pub ticket_id: String,
    pub details: ActivityDetails,
    /// The body as the agent typed it: plain text, sent as escaped minimal HTML.
    pub body: String,
    /// `hs_timestamp`: when it happened (note, call) or when it is due (task).
    pub timestamp: Timestamp,
    /// Contacts and companies to associate it with too, so it shows on their timelines.
    pub also: Vec<(AssociationTarget, String)>,
    /// Pin it on the ticket once created (`hs_pinned_engagement_id`).
    pub pin: bool,
}

impl NewActivity {
    pub fn kind(&self) -> ActivityKind {
        match self.details {
            ActivityDetails::Note => ActivityKind::Note,
            ActivityDetails::Call { .. } => ActivityKind::Call,
            ActivityDetails::Task { .. } => ActivityKind::Task,
        }
    }
}

/// HubSpot's default call outcomes (`hs_call_disposition`), as (internal value, label): the
/// values are GUIDs, the same in every portal. HubSpot's calls guide lists them; the copies
/// available here cut that table, so these are as public integrations quote them,
/// identically — UNCONFIRMED from HubSpot's own text. Offered when the portal's property
/// lists no options of its own.
pub const DEFAULT_CALL_OUTCOMES: [(&str, &str); 6] = [
    ("9d9162e7-6cf3-4944-bf63-4dff82258764", "Busy"),
    ("f240bbac-87c9-4f6e-bf70-924b57d47db7", "Connected"),
    ("a4c4c377-d246-4b32-a13b-75a56a4cd0ff", "Left live message"),
    ("b2cf5968-551e-4856-9783-52b3da59a7d0", "Left voicemail"),
    ("73a0d17f-1163-4015-bdd5-ec830791da20", "No answer"),
    ("17b47fee-58de-441e-a44c-c6300d46f273", "Wrong number"),
];

/// The choices of the activity forms that come from the portal rather than from HubSpot's
/// fixed values: the call outcomes a call can be logged with, in the portal's order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ActivityOptions {
    /// `hs_call_disposition`'s visible options; [`DEFAULT_CALL_OUTCOMES`] when the portal
    /// lists none.
    pub call_outcomes: Vec<PropertyOption>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    fn hv(value: &str, at: &str) -> HistoryValue {
        HistoryValue {
            value: value.into(),
            timestamp: ts(at),
            source_type: "CRM_UI".into(),
            source_id: None,
            source_label: None,
            updated_by_user_id: Some(7),
        }
    }

    #[test]
    fn timeline_is_newest_first_with_old_values() {
        let mut h = BTreeMap::new();
        h.insert(
            "hs_pipeline_stage".to_owned(),
            vec![
                hv("4", "2026-02-03T10:00:00Z"),
                hv("1", "2026-02-01T09:00:00Z"),
            ],
        );
        h.insert(
            "subject".to_owned(),
            vec![hv("Printer", "2026-02-02T00:00:00Z")],
        );
        let t = timeline(&h);
        assert_eq!(t.len(), 3);
        assert_eq!(
            (
                t[0].property.as_str(),
                t[0].old.as_deref(),
                t[0].new.as_str()
            ),
            ("hs_pipeline_stage", Some("1"), "4")
        );
        assert_eq!(t[1].property, "subject");
        assert_eq!(t[1].old, None);
        assert_eq!(t[2].old, None);
    }

    #[test]
    fn timestamps_parse_iso_and_epoch_ms() {
        assert_eq!(
            parse_timestamp("2026-02-01T09:00:00.000Z"),
            Some(ts("2026-02-01T09:00:00Z"))
        );
        assert_eq!(
            parse_timestamp("1767225600000"),
            Some(ts("2026-01-01T00:00:00Z"))
        );
        assert_eq!(
            parse_timestamp("2026-03-01"),
            Some(ts("2026-03-01T00:00:00Z"))
        );
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    #[test]
    fn durations_read_in_their_two_largest_units() {
        const S: i64 = 1000;
        const MIN: i64 = 60 * S;
        const H: i64 = 60 * MIN;
        const D: i64 = 24 * H;
        assert_eq!(format_duration(8 * D + 10 * H + 5 * MIN), "8 d 10 h");
        assert_eq!(format_duration(8 * D), "8 d");
        assert_eq!(format_duration(3 * H + 12 * MIN + 40 * S), "3 h 12 min");
        assert_eq!(format_duration(4 * MIN + 5 * S), "4 min 5 s");
        assert_eq!(format_duration(45 * S + 999), "45 s");
        assert_eq!(format_duration(300), "0 s");
        assert_eq!(format_duration(-2 * H), "-2 h");
        assert_eq!(parse_millis("30000.0"), Some(30_000));
        assert_eq!(parse_millis(" 12 "), Some(12));
        assert_eq!(parse_millis("soon"), None);
        let now = ts("2026-11-01T12:00:00Z");
        assert_eq!(time_since(now, ts("2026-10-29T08:00:00Z")), "3 d 4 h");
        assert_eq!(time_since(now, ts("2026-11-02T00:00:00Z")), "0 s");
    }

    #[test]
    fn duration_properties_display_as_durations() {
        let mut c = catalog();
        let mut props = c.properties.clone();
        props.push(PropertyDef {
            name: "time_to_close".into(),
            label: "Time to close".into(),
            kind: PropertyType::Number,
            field_type: "number".into(),
            group_name: "ticketinformation".into(),
            description: String::new(),
            options: vec![],
            display_order: 3,
            hidden: false,
            calculated: true,
            read_only_value: true,
            has_unique_value: false,
            hubspot_defined: true,
            referenced_object_type: None,
            duration: true,
        });
        c.set_properties(props, vec![]);
        assert_eq!(
            c.display_value(None, "time_to_close", "727500000"),
            "8 d 10 h"
        );
        assert_eq!(c.display_value(None, "time_to_close", "n/a"), "n/a");
        assert_eq!(c.display_value(None, "time_to_close", ""), "");
    }

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        c.set_pipelines(vec![Pipeline {
            id: "0".into(),
            label: "Support Pipeline".into(),
            display_order: 0,
            stages: vec![
                Stage {
                    id: "2".into(),
                    label: "Waiting on contact".into(),
                    display_order: 1,
                    closed: false,
                },
                Stage {
                    id: "1".into(),
                    label: "New".into(),
                    display_order: 0,
                    closed: false,
                },
            ],
        }]);
        c.set_owners(vec![Owner {
            id: "11".into(),
            first_name: "Aiko".into(),
            last_name: "Tanaka".into(),
            email: "aiko@example.com".into(),
            user_id: Some(9),
            archived: false,
        }]);
        c.set_properties(
            vec![
                PropertyDef {
                    name: "hubspot_owner_id".into(),
                    label: "Ticket owner".into(),
                    kind: PropertyType::Enumeration,
                    field_type: "select".into(),
                    group_name: "ticketinformation".into(),
                    description: String::new(),
                    options: vec![],
                    display_order: 1,
                    hidden: false,
                    calculated: false,
                    read_only_value: false,
                    has_unique_value: false,
                    hubspot_defined: true,
                    referenced_object_type: Some("OWNER".into()),
                    duration: false,
                },
                PropertyDef {
                    name: "hs_ticket_category".into(),
                    label: "Category".into(),
                    kind: PropertyType::Enumeration,
                    field_type: "checkbox".into(),
                    group_name: "ticketinformation".into(),
                    description: String::new(),
                    options: vec![
                        PropertyOption {
                            label: "Billing issue".into(),
                            value: "BILLING_ISSUE".into(),
                            hidden: false,
                            display_order: 0,
                        },
                        PropertyOption {
                            label: "Product issue".into(),
                            value: "PRODUCT_ISSUE".into(),
                            hidden: false,
                            display_order: 1,
                        },
                    ],
                    display_order: 2,
                    hidden: false,
                    calculated: false,
                    read_only_value: false,
                    has_unique_value: false,
                    hubspot_defined: true,
                    referenced_object_type: None,
                    duration: false,
                },
            ],
            vec![],
        );
        c
    }

    #[test]
    fn display_values_use_labels_and_names() {
        let c = catalog();
        assert_eq!(
            c.pipelines[0].stages[0].id, "1",
            "stages sorted by display order"
        );
        assert_eq!(
            c.display_value(None, "hs_pipeline", "0"),
            "Support Pipeline"
        );
        assert_eq!(
            c.display_value(None, "hs_pipeline_stage", "2"),
            "Waiting on contact"
        );
        assert_eq!(c.display_value(None, "hs_pipeline_stage", "999"), "999");
        assert_eq!(
            c.display_value(None, "hubspot_owner_id", "11"),
            "Aiko Tanaka"
        );
        assert_eq!(
            c.display_value(None, "hs_ticket_category", "BILLING_ISSUE;PRODUCT_ISSUE"),
            "Billing issue, Product issue"
        );
        assert_eq!(
            c.owner_by_user_id(9).map(Owner::display_name).as_deref(),
            Some("Aiko Tanaka")
        );
        assert_eq!(c.property_label("nope"), "nope");
    }
}
