//! The in-memory portal: records per kind (BTreeMap by numeric id, so list paging is a
//! range scan), typed association edges in both directions, owners and unique indexes.
//!
//! It is held compactly, so that 100,000 seeded tickets with their engagements, history and
//! associations stay well under 300 MB (`bash bench/memory.sh`): property names are
//! interned process-wide ([`Name`], 4 bytes); values are held inline when short, as
//! `&'static str`, shared (`Arc<str>`: the seed shares its repeated texts) or, for ISO
//! timestamps that print back identically, as epoch milliseconds ([`Val`]); a record's
//! properties are one sorted vector ([`Props`]), its history one flat vector ([`History`]),
//! and a node's association edges one sorted vector ([`Edges`]). Every form reads back
//! exactly the string it was given: how the store holds a value never shows in an answer.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, RwLock};

use super::model::{self, Kind};
use super::schema::Schema;

/// A property name interned process-wide, so a record holds 4 bytes per name. Names are
/// `&'static str` already (built-in ones are constants, created ones are leaked once per
/// distinct name by the schema), so the table only grows by names properties ever had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(u32);

#[derive(Default)]
struct Names {
    by_id: Vec<&'static str>,
    ids: HashMap<&'static str, u32>,
}

static NAMES: LazyLock<RwLock<Names>> = LazyLock::new(|| RwLock::new(Names::default()));

impl Name {
    pub fn intern(name: &'static str) -> Name {
        if let Some(n) = Name::lookup(name) {
            return n;
        }
        let mut names = NAMES.write().unwrap_or_else(|e| e.into_inner());
        if let Some(id) = names.ids.get(name) {
            return Name(*id);
        }
        let id = u32::try_from(names.by_id.len()).unwrap_or(u32::MAX);
        names.by_id.push(name);
        names.ids.insert(name, id);
        Name(id)
    }
    /// The id of a name that was ever interned (a name never interned has no value anywhere).
    pub fn lookup(name: &str) -> Option<Name> {
        let names = NAMES.read().unwrap_or_else(|e| e.into_inner());
        names.ids.get(name).copied().map(Name)
    }
    pub fn as_str(self) -> &'static str {
        let names = NAMES.read().unwrap_or_else(|e| e.into_inner());
        names.by_id.get(self.0 as usize).copied().unwrap_or("")
    }
}

/// How many bytes a value may have to be held inline (the enum stays 24 bytes, a `String`'s
/// size, without a heap block).
const INLINE: usize = 22;

/// A property value. Compare with `==` (by the string it reads as), read with [`Val::as_str`].
#[derive(Clone)]
pub enum Val {
    Inline {
        len: u8,
        buf: [u8; INLINE],
    },
    Static(&'static str),
    Shared(Arc<str>),
    /// An ISO-8601 UTC timestamp with milliseconds, exactly as [`iso`] prints `ms`.
    Time(i64),
}

impl Val {
    /// A value from any string: a timestamp [`iso`] prints back identically becomes
    /// [`Val::Time`], a short one is held inline, a long one on the heap.
    pub fn new(s: &str) -> Val {
        Val::short(s).unwrap_or_else(|| Val::Shared(Arc::from(s)))
    }
    /// The value without a heap block, when `s` has one: a timestamp or a short string.
    pub fn short(s: &str) -> Option<Val> {
        if let Some(ms) = iso_ms(s) {
            return Some(Val::Time(ms));
        }
        let len = u8::try_from(s.len())
            .ok()
            .filter(|l| usize::from(*l) <= INLINE)?;
        let mut buf = [0u8; INLINE];
        buf[..s.len()].copy_from_slice(s.as_bytes());
        Some(Val::Inline { len, buf })
    }
    pub fn as_str(&self) -> Cow<'_, str> {
        match self {
            Val::Inline { len, buf } => {
                Cow::Borrowed(std::str::from_utf8(&buf[..usize::from(*len)]).unwrap_or_default())
            }
            Val::Static(s) => Cow::Borrowed(s),
            Val::Shared(s) => Cow::Borrowed(s),
            Val::Time(ms) => Cow::Owned(iso(*ms)),
        }
    }
    pub fn is_empty(&self) -> bool {
        match self {
            Val::Inline { len, .. } => *len == 0,
            Val::Static(s) => s.is_empty(),
            Val::Shared(s) => s.is_empty(),
            Val::Time(_) => false,
        }
    }
}

/// The epoch milliseconds of `s` when it is a timestamp [`iso`] prints back byte for byte.
fn iso_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 24 || b[10] != b'T' || b[23] != b'Z' {
        return None;
    }
    let ms = s.parse::<jiff::Timestamp>().ok()?.as_millisecond();
    (iso(ms) == s).then_some(ms)
}

impl From<&'static str> for Val {
    fn from(s: &'static str) -> Val {
        Val::Static(s)
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::new(&s)
    }
}

impl From<Cow<'static, str>> for Val {
    fn from(s: Cow<'static, str>) -> Val {
        match s {
            Cow::Borrowed(s) => Val::Static(s),
            Cow::Owned(s) => Val::new(&s),
        }
    }
}

impl PartialEq for Val {
    fn eq(&self, other: &Val) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::fmt::Debug for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// A record's non-empty values, sorted by [`Name`] id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Props(Vec<(Name, Val)>);

impl Props {
    fn pos(&self, n: Name) -> Result<usize, usize> {
        self.0.binary_search_by_key(&n, |(k, _)| *k)
    }
    fn val_of(&self, n: Name) -> Option<&Val> {
        self.pos(n).ok().map(|i| &self.0[i].1)
    }
    pub fn val(&self, name: &str) -> Option<&Val> {
        self.val_of(Name::lookup(name)?)
    }
    pub fn get(&self, name: &str) -> Option<Cow<'_, str>> {
        self.val(name).map(Val::as_str)
    }
    pub fn contains(&self, name: &str) -> bool {
        self.val(name).is_some()
    }
    /// Sets a value (callers keep empty values out: an empty value is no value).
    pub fn set(&mut self, name: &'static str, v: Val) {
        self.set_name(Name::intern(name), v);
    }
    fn set_name(&mut self, n: Name, v: Val) {
        match self.pos(n) {
            Ok(i) => self.0[i].1 = v,
            Err(i) => self.0.insert(i, (n, v)),
        }
    }
    fn remove_name(&mut self, n: Name) {
        if let Ok(i) = self.pos(n) {
            self.0.remove(i);
        }
    }
    /// (name, value) in the order of the names' ids.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Val)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v))
    }
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&'static str, &mut Val)> {
        self.0.iter_mut().map(|(n, v)| (n.as_str(), v))
    }
}

/// One entry of a property's history. Stored oldest first; served newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Hist {
    pub value: Val,
    pub ts: i64,
    pub source: Source,
}

/// A record's written history: every entry of every property in one vector, each
/// property's entries oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History(Vec<(Name, Hist)>);

impl History {
    fn has_name(&self, n: Name) -> bool {
        self.0.iter().any(|(k, _)| *k == n)
    }
    /// The entries of `name`, oldest first (empty when it was never written).
    pub fn of(&self, name: &str) -> Vec<&Hist> {
        let Some(n) = Name::lookup(name) else {
            return Vec::new();
        };
        self.0
            .iter()
            .filter(|(k, _)| *k == n)
            .map(|(_, h)| h)
            .collect()
    }
    /// Replaces the entries of `name` with `entries` (oldest first).
    pub fn replace(&mut self, name: &'static str, entries: Vec<Hist>) {
        let n = Name::intern(name);
        self.0.retain(|(k, _)| *k != n);
        self.0.extend(entries.into_iter().map(|h| (n, h)));
    }
    /// The names with entries, each once, in the order first written.
    #[cfg(test)]
    pub fn names(&self) -> Vec<&'static str> {
        let mut seen: Vec<Name> = Vec::new();
        for (n, _) in &self.0 {
            if !seen.contains(n) {
                seen.push(*n);
            }
        }
        seen.into_iter().map(Name::as_str).collect()
    }
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&'static str, &mut Hist)> {
        self.0.iter_mut().map(|(n, h)| (n.as_str(), h))
    }
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
    pub props: Props,
    pub history: History,
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
            props: Props::default(),
            history: History::default(),
            created,
            updated: created,
            archived_at: None,
            created_source: Source::Api,
        }
    }
    /// Sets a value present since creation without a history entry (saves memory when
    /// seeding); reads synthesise its single history entry from `created`/`created_source`.
    pub fn init(&mut self, name: &'static str, value: impl Into<Val>) {
        let value = value.into();
        if !value.is_empty() {
            self.props.set(name, value);
        }
    }
    /// Sets (or clears with "") a value and records it in history.
    pub fn write(&mut self, name: &'static str, value: impl Into<Val>, ts: i64, source: Source) {
        let value = value.into();
        let n = Name::intern(name);
        if !self.history.has_name(n)
            && let Some(initial) = self.props.val_of(n)
        {
            let h = Hist {
                value: initial.clone(),
                ts: self.created,
                source: self.created_source,
            };
            self.history.0.push((n, h));
        }
        self.history.0.push((
            n,
            Hist {
                value: value.clone(),
                ts,
                source,
            },
        ));
        if value.is_empty() {
            self.props.remove_name(n);
        } else {
            self.props.set_name(n, value);
        }
    }
    /// Gives back the spare capacity of its vectors (once a seeded record is complete).
    pub fn shrink(&mut self) {
        self.props.0.shrink_to_fit();
        self.history.0.shrink_to_fit();
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
    r.props.get(name).map(Cow::into_owned)
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

/// One association type from a node to `(kind, id)`: 16 bytes. Ordered by target, then type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    kind: Kind,
    id: u64,
    type_id: u32,
}

/// A node's association types to other nodes, sorted by (target, type id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Edges(Vec<Edge>);

impl Edges {
    /// The index range of the edges to `to`.
    fn span(&self, to: Node) -> std::ops::Range<usize> {
        let start = self.0.partition_point(|e| (e.kind, e.id) < to);
        let end = start + self.0[start..].partition_point(|e| (e.kind, e.id) == to);
        start..end
    }
    /// The type ids to `to`, ascending (empty when not associated).
    pub fn types(&self, to: Node) -> Vec<u32> {
        self.0[self.span(to)].iter().map(|e| e.type_id).collect()
    }
    /// Every (target, type id), ordered by target then type.
    pub fn iter(&self) -> impl Iterator<Item = (Node, u32)> + '_ {
        self.0.iter().map(|e| ((e.kind, e.id), e.type_id))
    }
    /// Every target once, ordered.
    pub fn targets(&self) -> impl Iterator<Item = Node> + '_ {
        let mut last = None;
        self.0.iter().filter_map(move |e| {
            let n = (e.kind, e.id);
            (last.replace(n) != Some(n)).then_some(n)
        })
    }
    /// The targets of one kind, ordered by id, with their type ids.
    pub fn of_kind(&self, kind: Kind) -> Vec<(u64, Vec<u32>)> {
        let start = self.0.partition_point(|e| e.kind < kind);
        let end = start + self.0[start..].partition_point(|e| e.kind == kind);
        let mut out: Vec<(u64, Vec<u32>)> = Vec::new();
        for e in &self.0[start..end] {
            match out.last_mut() {
                Some((id, types)) if *id == e.id => types.push(e.type_id),
                _ => out.push((e.id, vec![e.type_id])),
            }
        }
        out
    }
    fn add(&mut self, to: Node, type_id: u32) {
        let e = Edge {
            kind: to.0,
            id: to.1,
            type_id,
        };
        if let Err(pos) = self.0.binary_search(&e) {
            self.0.insert(pos, e);
        }
    }
    fn remove(&mut self, to: Node, type_id: u32) {
        let e = Edge {
            kind: to.0,
            id: to.1,
            type_id,
        };
        if let Ok(pos) = self.0.binary_search(&e) {
            self.0.remove(pos);
        }
    }
    /// Removes every type to `to`.
    pub fn remove_all(&mut self, to: Node) {
        let span = self.span(to);
        self.0.drain(span);
    }
}

#[derive(Debug, Default)]
pub struct Store {
    pub objects: HashMap<Kind, BTreeMap<u64, Record>>,
    /// from → its association types to other nodes (for that direction).
    pub edges: HashMap<Node, Edges>,
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
                self.unique.insert((name, v.into_owned()), rec.id);
            }
        }
        let next = self.next_id.entry(id_space(kind)).or_insert(1);
        if rec.id >= *next {
            *next = rec.id + 1;
        }
        self.map_mut(kind).insert(rec.id, rec);
    }

    /// Inserts many records of one kind at once (seeding), in any order. Into an empty map
    /// the map is built in one go, with full nodes (one filled record by record in id order
    /// keeps its nodes about half full).
    pub fn insert_bulk(&mut self, kind: Kind, recs: Vec<(u64, Record)>) {
        let unique: Vec<&'static str> = self.schema.unique_props(kind).collect();
        for (id, rec) in &recs {
            for name in &unique {
                if let Some(v) = rec.props.get(name) {
                    self.unique.insert((name, v.into_owned()), *id);
                }
            }
        }
        let next = self.next_id.entry(id_space(kind)).or_insert(1);
        if let Some(max) = recs.iter().map(|(id, _)| *id).max()
            && max >= *next
        {
            *next = max + 1;
        }
        let map = self.map_mut(kind);
        if map.is_empty() {
            *map = recs.into_iter().collect();
        } else {
            map.extend(recs);
        }
    }

    /// Adds an association type (and the reverse edge, and the implied unlabeled type).
    pub fn associate(&mut self, from: Node, to: Node, type_id: u32) {
        let Some(t) = model::assoc_type(from.0, to.0, type_id) else {
            return;
        };
        self.edges.entry(from).or_default().add(to, t.type_id);
        self.edges.entry(to).or_default().add(from, t.reverse);
        if let Some(imp) = t.implies {
            self.associate(from, to, imp);
        }
    }

    /// Gives back the spare capacity of a node's edge vector (once a seeded node has all
    /// its edges).
    pub fn shrink_edges(&mut self, node: Node) {
        if let Some(e) = self.edges.get_mut(&node) {
            e.0.shrink_to_fit();
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
            if let Some(m) = self.edges.get_mut(&a) {
                m.remove(b, id);
            }
        }
    }

    pub fn dissociate_all(&mut self, from: Node, to: Node) {
        if let Some(m) = self.edges.get_mut(&from) {
            m.remove_all(to);
        }
        if let Some(m) = self.edges.get_mut(&to) {
            m.remove_all(from);
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
        let mut list = m.of_kind(to_kind);
        list.retain(|(id, _)| self.live(to_kind, *id).is_some());
        list
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
