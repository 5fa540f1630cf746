//! The in-memory portal: records per kind (BTreeMap by numeric id, so list paging is a
//! range scan), typed association edges in both directions, owners and unique indexes.

use std::collections::{BTreeMap, HashMap};

use super::model::{self, Kind};
use super::schema::Schema;

/// One entry of a property's history. Stored oldest first; served newest first.
#[derive(Debug, Clone)]
pub struct Hist {
    pub value: String,
    pub ts: i64,
    pub source: Source,
}

/// Who wrote a value. `sourceType` values beyond CRM_UI/API/CALCULATED are UNCONFIRMED;
/// `AUTOMATION_PLATFORM` is what HubSpot portals are commonly seen to use for workflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Api,
    CrmUi(u32),
    Workflow(u32),
    Conversations,
    Import(u32),
    Calculated,
}

impl Source {
    pub fn source_type(self) -> &'static str {
        match self {
            Source::Api => "API",
            Source::CrmUi(_) => "CRM_UI",
            Source::Workflow(_) => "AUTOMATION_PLATFORM",
            Source::Conversations => "CONVERSATIONS",
            Source::Import(_) => "IMPORT",
            Source::Calculated => "CALCULATED",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Record {
    pub id: u64,
    pub props: BTreeMap<&'static str, String>,
    pub history: HashMap<&'static str, Vec<Hist>>,
    pub created: i64,
    pub updated: i64,
    pub archived_at: Option<i64>,
    /// Who created the record: the source of initial values that have no history entries.
    pub created_source: Source,
}

impl Record {
    pub fn new(id: u64, created: i64) -> Record {
        Record {
            id,
            props: BTreeMap::new(),
            history: HashMap::new(),
            created,
            updated: created,
            archived_at: None,
            created_source: Source::Api,
        }
    }
    /// Sets a value present since creation without a history entry (saves memory when
    /// seeding); reads synthesise its single history entry from `created`/`created_source`.
    pub fn init(&mut self, name: &'static str, value: String) {
        if !value.is_empty() {
            self.props.insert(name, value);
        }
    }
    /// Sets (or clears with "") a value and records it in history.
    pub fn write(&mut self, name: &'static str, value: String, ts: i64, source: Source) {
        if !self.history.contains_key(name)
            && let Some(initial) = self.props.get(name)
        {
            let h = Hist {
                value: initial.clone(),
                ts: self.created,
                source: self.created_source,
            };
            self.history.insert(name, vec![h]);
        }
        self.history.entry(name).or_default().push(Hist {
            value: value.clone(),
            ts,
            source,
        });
        if value.is_empty() {
            self.props.remove(name);
        } else {
            self.props.insert(name, value);
        }
    }
}

/// Reads a property, including the ones synthesised from record metadata.
pub fn get_prop(kind: Kind, r: &Record, name: &str) -> Option<String> {
    if name == "hs_object_id" || (kind == Kind::Ticket && name == "hs_ticket_id") {
        return Some(r.id.to_string());
    }
    if name == kind.create_prop() {
        return Some(iso(r.created));
    }
    if name == kind.modified_prop() {
        return Some(iso(r.updated));
    }
    r.props.get(name).cloned()
}

#[derive(Debug, Clone)]
pub struct Owner {
    pub id: u64,
    pub user_id: u64,
    pub email: String,
    pub first: String,
    pub last: String,
    pub owner_type: &'static str,
    pub archived: bool,
    pub team: Option<(u64, &'static str)>,
    pub created: i64,
}

pub type Node = (Kind, u64);

#[derive(Debug, Default)]
pub struct Store {
    pub objects: HashMap<Kind, BTreeMap<u64, Record>>,
    /// from → to → set of type ids (for that direction).
    /// The type-id list is kept sorted (a small Vec is much cheaper than a set when seeding).
    pub edges: HashMap<Node, BTreeMap<Node, Vec<u32>>>,
    pub owners: Vec<Owner>,
    /// The next record ID per kind; engagements share one (see [`id_space`]).
    pub next_id: HashMap<Kind, u64>,
    /// Unique-value index: (property, value) → record id, for every unique-value property
    /// (seeded `external_ticket_ref`, and those created with `hasUniqueValue`).
    pub unique: HashMap<(&'static str, String), u64>,
    /// Property definitions, groups and pipelines (writable through the API).
    pub schema: Schema,
    /// Merged-away records: old node → the ID of the record that absorbed it (see `merge`).
    pub merged: BTreeMap<Node, u64>,
}

impl Store {
    pub fn map(&self, kind: Kind) -> Option<&BTreeMap<u64, Record>> {
        self.objects.get(&kind)
    }
    pub fn map_mut(&mut self, kind: Kind) -> &mut BTreeMap<u64, Record> {
        self.objects.entry(kind).or_default()
    }
    /// A live (not archived) record.
    pub fn live(&self, kind: Kind, id: u64) -> Option<&Record> {
        self.map(kind)?.get(&id).filter(|r| r.archived_at.is_none())
    }
    pub fn alloc_id(&mut self, kind: Kind) -> u64 {
        let next = self.next_id.entry(id_space(kind)).or_insert(1);
        let id = *next;
        *next += 1;
        id
    }
    pub fn insert(&mut self, kind: Kind, rec: Record) {
        let unique: Vec<&'static str> = self.schema.unique_props(kind).collect();
        for name in unique {
            if let Some(v) = rec.props.get(name) {
                self.unique.insert((name, v.clone()), rec.id);
            }
        }
        let next = self.next_id.entry(id_space(kind)).or_insert(1);
        if rec.id >= *next {
            *next = rec.id + 1;
        }
        self.map_mut(kind).insert(rec.id, rec);
    }

    /// Adds an association type (and the reverse edge, and the implied unlabeled type).
    pub fn associate(&mut self, from: Node, to: Node, type_id: u32) {
        let Some(t) = model::assoc_type(from.0, to.0, type_id) else {
            return;
        };
        add_sorted(
            self.edges.entry(from).or_default().entry(to).or_default(),
            t.type_id,
        );
        add_sorted(
            self.edges.entry(to).or_default().entry(from).or_default(),
            t.reverse,
        );
        if let Some(imp) = t.implies {
            self.associate(from, to, imp);
        }
    }

    /// Removes one association type. Removing an unlabeled type removes every type
    /// between the pair (HubSpot: "deleting the unlabeled type also deletes all labels").
    pub fn dissociate_type(&mut self, from: Node, to: Node, type_id: u32) {
        let Some(t) = model::assoc_type(from.0, to.0, type_id) else {
            return;
        };
        let is_default = model::default_assoc(from.0, to.0).is_some_and(|d| d.type_id == type_id);
        if is_default {
            self.dissociate_all(from, to);
            return;
        }
        for (a, b, id) in [(from, to, t.type_id), (to, from, t.reverse)] {
            if let Some(m) = self.edges.get_mut(&a)
                && let Some(set) = m.get_mut(&b)
            {
                set.retain(|x| *x != id);
                if set.is_empty() {
                    m.remove(&b);
                }
            }
        }
    }

    pub fn dissociate_all(&mut self, from: Node, to: Node) {
        if let Some(m) = self.edges.get_mut(&from) {
            m.remove(&to);
        }
        if let Some(m) = self.edges.get_mut(&to) {
            m.remove(&from);
        }
        // Removing the association of a pinned engagement is allowed. What HubSpot does to
        // the pin is UNCONFIRMED; the sandbox leaves `hs_pinned_engagement_id` as it is (the
        // value is just a number), so a client must tolerate a pin that is no longer associated.
    }

    /// Associated records of one kind, ordered by id, with their type ids; skips archived targets.
    pub fn assocs(&self, from: Node, to_kind: Kind) -> Vec<(u64, Vec<u32>)> {
        let Some(m) = self.edges.get(&from) else {
            return Vec::new();
        };
        m.range((to_kind, 0)..=(to_kind, u64::MAX))
            .filter(|((k, id), _)| self.live(*k, *id).is_some())
            .map(|((_, id), set)| (*id, set.to_vec()))
            .collect()
    }

    pub fn owner(&self, id: u64) -> Option<&Owner> {
        self.owners.iter().find(|o| o.id == id)
    }
}

/// The kind whose counter gives `kind`'s record IDs: notes, emails, calls, tasks and
/// meetings share one, so no two engagements have the same ID (a pin names an engagement by
/// its ID alone, `hs_pinned_engagement_id`).
pub fn id_space(kind: Kind) -> Kind {
    if kind.is_engagement() {
        Kind::Note
    } else {
        kind
    }
}

fn add_sorted(v: &mut Vec<u32>, id: u32) {
    if let Err(pos) = v.binary_search(&id) {
        v.insert(pos, id);
    }
}

/// ISO-8601 UTC with milliseconds, as HubSpot prints timestamps.
pub fn iso(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => {
            let z = ts.to_zoned(jiff::tz::TimeZone::UTC);
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                z.year(),
                z.month(),
                z.day(),
                z.hour(),
                z.minute(),
                z.second(),
                z.millisecond()
            )
        }
        Err(_) => "1970-01-01T00:00:00.000Z".to_owned(),
    }
}

/// Parses epoch milliseconds or an ISO date/datetime to epoch milliseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts.as_millisecond());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp().as_millisecond());
    }
    None
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
