//! Saved views: named searches with their columns and sort, and how one becomes a HubSpot
//! search request.
//!
//! A [`View`] is what the user wrote (in `config.toml` or from the search form): a free-text
//! query, the common triage fields (pipeline, stages, priority, owner, category, created and
//! modified ranges), conditions on any other property, a sort and columns. [`compile`] turns it
//! into HubSpot's `filterGroups` (an OR of AND-groups) against the catalogue and the clock:
//! symbolic values (`@me`, `@unassigned`, `@open`, `@closed`, `label:Waiting on us`, `today`,
//! `this week`, `-7d`) are resolved there, and HubSpot's limits (5 groups, 6 filters per
//! group, 18 filters in all) are checked with an explanation of what made the request grow.
//! Pure: no I/O, the time comes in as an argument.

use std::fmt;

use jiff::{Timestamp, ToSpan, tz::TimeZone};
use serde::{Deserialize, Serialize};

use crate::domain::search::{Filter, FilterGroup, FilterOperator, Sort, SortDirection};
pub use crate::domain::search::{MAX_FILTERS, MAX_FILTERS_PER_GROUP, MAX_GROUPS, SEARCH_CAP};
use crate::domain::{Catalog, PropertyType};

/// Columns when a view names none (UX.md: ID, subject, stage, priority, owner, modified; the
/// pipeline too when the terminal is wide enough).
pub const DEFAULT_COLUMNS: [&str; 7] = [
    "hs_object_id",
    "subject",
    "hs_pipeline_stage",
    "hs_pipeline",
    "hs_ticket_priority",
    "hubspot_owner_id",
    "hs_lastmodifieddate",
];

/// A condition on any property. Conditions with the same `group` are ANDed; different groups
/// are ORed (each OR-group also carries the view's other fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub property: String,
    pub operator: FilterOperator,
    /// `EQ`, `NEQ`, `LT`.. `GTE`, `CONTAINS_TOKEN`; the low end of `BETWEEN`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    /// The high end of `BETWEEN`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub high_value: String,
    /// `IN` / `NOT_IN`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// OR-group number (1 when omitted).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub group: u8,
}

fn one() -> u8 {
    1
}
fn is_one(g: &u8) -> bool {
    *g == 1
}

impl Condition {
    pub fn new(property: &str, operator: FilterOperator, value: &str) -> Self {
        Self {
            property: property.to_owned(),
            operator,
            value: value.to_owned(),
            high_value: String::new(),
            values: Vec::new(),
            group: 1,
        }
    }
}

/// A date range; each end is a date, a date and time, or a relative word (see [`parse_when`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
}

impl DateRange {
    pub fn is_empty(&self) -> bool {
        self.from.trim().is_empty() && self.to.trim().is_empty()
    }
}

/// How a view is sorted: one property, server side (HubSpot honours one sort rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortSpec {
    pub property: String,
    pub descending: bool,
}

impl fmt::Display for SortSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            self.property,
            if self.descending { "desc" } else { "asc" }
        )
    }
}

impl std::str::FromStr for SortSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let mut words = s.split_whitespace();
        let property = words
            .next()
            .ok_or_else(|| "sort: name a property, e.g. \"createdate desc\"".to_owned())?;
        let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc" | "ascending") => false,
            Some("desc" | "descending") => true,
            Some(other) => {
                return Err(format!(
                    "sort: \"{other}\" is not a direction (asc or desc)"
                ));
            }
        };
        if words.next().is_some() {
            return Err(format!(
                "sort: \"{s}\" has extra words; write \"property asc\" or \"property desc\""
            ));
        }
        Ok(Self {
            property: canonical_property(property),
            descending,
        })
    }
}

impl Serialize for SortSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for SortSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A named search with its columns and sort: a tab across the top of the list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub name: String,
    /// Free text (HubSpot's `query`: subject, content and a few more default properties).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// Pipeline ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// Stage IDs, or `@open`, `@closed`, `label:<stage label>`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<String>,
    /// Priority values (`HIGH`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priorities: Vec<String>,
    /// Owner IDs, or `@me`, `@unassigned`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// Category values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(default, skip_serializing_if = "DateRange::is_empty")]
    pub created: DateRange,
    #[serde(default, skip_serializing_if = "DateRange::is_empty")]
    pub modified: DateRange,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<SortSpec>,
    /// Property names (or the short names `id`, `stage`, `priority`, `owner`, `created`,
    /// `modified`, `category`, `pipeline`, `closed`), or time columns (`age`,
    /// `customer_wrote`, `idle`, `response_due`, `close_due`, `since:<property>`,
    /// `until:<property>`: see [`columns`]); the defaults when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

impl View {
    /// Every ticket in HubSpot's list order: the plain list API (no search, no 10,000 cap).
    pub fn all_tickets() -> Self {
        Self {
            name: "All tickets".to_owned(),
            ..Self::default()
        }
    }

    /// Whether the view filters or sorts (else the list API serves it).
    pub fn is_search(&self) -> bool {
        !self.query.trim().is_empty()
            || self.pipeline.is_some()
            || !self.stages.is_empty()
            || !self.priorities.is_empty()
            || !self.owners.is_empty()
            || !self.categories.is_empty()
            || !self.created.is_empty()
            || !self.modified.is_empty()
            || !self.conditions.is_empty()
            || self.sort.is_some()
    }

    /// The columns to show, as property names or time columns (see [`columns`]).
    pub fn column_names(&self) -> Vec<String> {
        if self.columns.is_empty() {
            DEFAULT_COLUMNS.iter().map(|c| (*c).to_owned()).collect()
        } else {
            self.columns.iter().map(|c| columns::canonical(c)).collect()
        }
    }

    /// Whether the view refers to the user (`@me`).
    pub fn uses_me(&self) -> bool {
        self.owners.iter().any(|o| o == ME)
            || self
                .conditions
                .iter()
                .any(|c| c.value == ME || c.values.iter().any(|v| v == ME))
    }

    /// Whether resolving the view needs the pipelines (symbolic stages).
    pub fn needs_pipelines(&self) -> bool {
        self.stages
            .iter()
            .any(|s| s.starts_with('@') || s.starts_with("label:"))
    }
}

/// The owner value standing for the user (`me` in config.toml).
pub const ME: &str = "@me";
/// The owner value standing for "no owner".
pub const UNASSIGNED: &str = "@unassigned";
/// Stage values standing for every open / closed stage.
pub const OPEN: &str = "@open";
pub const CLOSED: &str = "@closed";

/// The views that ship: the queues agents work.
pub fn defaults() -> Vec<View> {
    let cols = |c: &[&str]| c.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let sort = |p: &str, descending: bool| {
        Some(SortSpec {
            property: p.to_owned(),
            descending,
        })
    };
    vec![
        View {
            name: "Open".to_owned(),
            stages: vec![OPEN.to_owned()],
            sort: sort("createdate", false),
            // Urgency first; the subject keeps its room in the list's half of a wide screen.
            columns: cols(&["id", "subject", "priority", "close_due", "age"]),
            ..View::default()
        },
        View {
            name: "Unassigned".to_owned(),
            stages: vec![OPEN.to_owned()],
            owners: vec![UNASSIGNED.to_owned()],
            sort: sort("createdate", false),
            columns: cols(&["id", "subject", "stage", "priority", "category", "created"]),
            ..View::default()
        },
        View {
            name: "Mine".to_owned(),
            stages: vec![OPEN.to_owned()],
            owners: vec![ME.to_owned()],
            sort: sort("hs_lastmodifieddate", true),
            ..View::default()
        },
        View {
            name: "Waiting on us".to_owned(),
            stages: vec!["label:Waiting on us".to_owned()],
            sort: sort("hs_lastmodifieddate", false),
            columns: cols(&[
                "id",
                "subject",
                "priority",
                "customer_wrote",
                "response_due",
            ]),
            ..View::default()
        },
        View {
            name: "Closed this week".to_owned(),
            stages: vec![CLOSED.to_owned()],
            conditions: vec![Condition::new(
                "closed_date",
                FilterOperator::Gte,
                "this week",
            )],
            sort: sort("closed_date", true),
            columns: cols(&["id", "subject", "priority", "owner", "closed"]),
            ..View::default()
        },
        View::all_tickets(),
    ]
}

/// Short column and sort names for the common properties.
pub fn canonical_property(name: &str) -> String {
    let name = name.trim();
    match name.to_ascii_lowercase().as_str() {
        "id" => "hs_object_id",
        "stage" => "hs_pipeline_stage",
        "pipeline" => "hs_pipeline",
        "priority" => "hs_ticket_priority",
        "owner" => "hubspot_owner_id",
        "created" => "createdate",
        "modified" => "hs_lastmodifieddate",
        "category" => "hs_ticket_category",
        "closed" => "closed_date",
        _ => name,
    }
    .to_owned()
}

/// The operators a property of this type can be searched with, the common one first.
pub fn operators_for(kind: PropertyType) -> &'static [FilterOperator] {
    use FilterOperator as O;
    match kind {
        PropertyType::Number | PropertyType::Date | PropertyType::DateTime => &[
            O::Eq,
            O::Neq,
            O::Gt,
            O::Gte,
            O::Lt,
            O::Lte,
            O::Between,
            O::HasProperty,
            O::NotHasProperty,
        ],
        PropertyType::Enumeration => &[
            O::In,
            O::NotIn,
            O::Eq,
            O::Neq,
            O::HasProperty,
            O::NotHasProperty,
        ],
        PropertyType::Bool => &[O::Eq, O::Neq, O::HasProperty, O::NotHasProperty],
        PropertyType::String | PropertyType::PhoneNumber | PropertyType::Other => &[
            O::ContainsToken,
            O::NotContainsToken,
            O::Eq,
            O::Neq,
            O::In,
            O::NotIn,
            O::HasProperty,
            O::NotHasProperty,
        ],
    }
}

/// How an operator reads in the UI.
pub fn operator_label(op: FilterOperator) -> &'static str {
    use FilterOperator as O;
    match op {
        O::Eq => "is",
        O::Neq => "is not",
        O::Lt => "<",
        O::Lte => "≤",
        O::Gt => ">",
        O::Gte => "≥",
        O::Between => "between",
        O::In => "is any of",
        O::NotIn => "is none of",
        O::HasProperty => "is known",
        O::NotHasProperty => "is unknown",
        O::ContainsToken => "contains word",
        O::NotContainsToken => "lacks word",
    }
}

/// What an operator needs besides the property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operand {
    None,
    One,
    Two,
    Many,
}

pub fn operand(op: FilterOperator) -> Operand {
    use FilterOperator as O;
    match op {
        O::HasProperty | O::NotHasProperty => Operand::None,
        O::Between => Operand::Two,
        O::In | O::NotIn => Operand::Many,
        _ => Operand::One,
    }
}

/// What [`compile`] resolves against.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    /// The user's owner ID (from `me` in config.toml), when known.
    pub me: Option<&'a str>,
    pub now: Timestamp,
}

/// A view as HubSpot search terms.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Compiled {
    pub filter_groups: Vec<FilterGroup>,
    pub sort: Option<Sort>,
    pub query: Option<String>,
}

impl Compiled {
    pub fn filters(&self) -> usize {
        self.filter_groups.iter().map(|g| g.filters.len()).sum()
    }
}

/// Why a view can't be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompileError {
    /// `@me` without `me` in config.toml (or `me` names no owner).
    NoMe,
    UnknownProperty(String),
    /// A stage word or label that matches no stage.
    UnknownStage(String),
    BadDate {
        field: String,
        value: String,
    },
    /// A condition misses its value(s).
    MissingValue(String),
    /// Over HubSpot's limits; `why` says what multiplied the groups.
    TooBig {
        groups: usize,
        largest_group: usize,
        filters: usize,
        why: String,
    },
    /// Over 3,000 characters of free text.
    QueryTooLong(usize),
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoMe => write!(
                f,
                "\"me\" is not set: put me = \"you@company.com\" (your HubSpot user's email) in config.toml"
            ),
            Self::UnknownProperty(p) => write!(f, "there is no ticket property \"{p}\""),
            Self::UnknownStage(s) => write!(f, "no pipeline has a stage \"{s}\""),
            Self::BadDate { field, value } => write!(
                f,
                "{field}: \"{value}\" is not a date (try 2026-11-01, today, this week, -7d)"
            ),
            Self::MissingValue(p) => write!(f, "the condition on {p} needs a value"),
            Self::TooBig {
                groups,
                largest_group,
                filters,
                why,
            } => {
                let mut over = Vec::new();
                if *groups > MAX_GROUPS {
                    over.push(format!("{groups} OR-groups (HubSpot allows {MAX_GROUPS})"));
                }
                if *largest_group > MAX_FILTERS_PER_GROUP {
                    over.push(format!(
                        "{largest_group} filters in one group (HubSpot allows {MAX_FILTERS_PER_GROUP})"
                    ));
                }
                if *filters > MAX_FILTERS {
                    over.push(format!(
                        "{filters} filters in all (HubSpot allows {MAX_FILTERS})"
                    ));
                }
                write!(f, "too big for HubSpot search: {}", over.join(", "))?;
                if !why.is_empty() {
                    write!(f, "; {why}")?;
                }
                Ok(())
            }
            Self::QueryTooLong(n) => write!(
                f,
                "the text is {n} characters; HubSpot searches at most 3,000"
            ),
        }
    }
}

/// One alternative of an OR: the filters that stand for one choice.
type Alternative = Vec<Filter>;

/// Turns a view into HubSpot search terms (see the module docs).
pub fn compile(view: &View, ctx: Context<'_>) -> Result<Compiled, CompileError> {
    let query = view.query.trim();
    if query.chars().count() > 3000 {
        return Err(CompileError::QueryTooLong(query.chars().count()));
    }
    let cat = ctx.catalog;
    // Filters every group carries.
    let mut common = choice_filters(view, cat)?;
    // Fields that need an OR (owner "me or unassigned"): each is a set of alternatives.
    let mut ors: Vec<(String, Vec<Alternative>)> = Vec::new();
    let mut owners = owner_alternatives(&view.owners, ctx.me)?;
    if owners.len() == 1 {
        common.extend(owners.remove(0));
    } else if !owners.is_empty() {
        ors.push(("owner is someone or unassigned".to_owned(), owners));
    }
    for (name, label, range) in [
        ("createdate", "created", &view.created),
        ("hs_lastmodifieddate", "modified", &view.modified),
    ] {
        common.extend(range_filters(name, label, range, cat, ctx.now)?);
    }
    let groups = condition_groups(&view.conditions, ctx)?;
    if groups.len() > 1 {
        ors.push((format!("{} condition OR-groups", groups.len()), groups));
    } else {
        common.extend(groups.into_iter().flatten());
    }
    let compiled = Compiled {
        filter_groups: or_of_combinations(common, &ors),
        sort: view.sort.as_ref().map(|s| Sort {
            property_name: canonical_property(&s.property),
            direction: if s.descending {
                SortDirection::Descending
            } else {
                SortDirection::Ascending
            },
        }),
        query: (!query.is_empty()).then(|| query.to_owned()),
    };
    if let Some(s) = &compiled.sort
        && cat.loaded()
        && cat.property(&s.property_name).is_none()
    {
        return Err(CompileError::UnknownProperty(s.property_name.clone()));
    }
    check_limits(&compiled, &ors)?;
    Ok(compiled)
}

/// The filters of the view's choice fields: pipeline, stages, priorities, categories.
fn choice_filters(view: &View, cat: &Catalog) -> Result<Vec<Filter>, CompileError> {
    let mut out = Vec::new();
    if let Some(p) = view.pipeline.as_deref().filter(|p| !p.is_empty()) {
        out.push(Filter::eq("hs_pipeline", p));
    }
    if !view.stages.is_empty() {
        let ids = resolve_stages(&view.stages, view.pipeline.as_deref(), cat)?;
        out.push(Filter::in_values("hs_pipeline_stage", ids));
    }
    if !view.priorities.is_empty() {
        out.push(Filter::in_values(
            "hs_ticket_priority",
            view.priorities.clone(),
        ));
    }
    if !view.categories.is_empty() {
        out.push(Filter::in_values(
            "hs_ticket_category",
            view.categories.clone(),
        ));
    }
    Ok(out)
}

/// The owner field as alternatives: the owners named (`@me` resolved), and "unassigned".
/// None when the view does not filter by owner.
fn owner_alternatives(
    owners: &[String],
    me: Option<&str>,
) -> Result<Vec<Alternative>, CompileError> {
    let mut ids = Vec::new();
    let mut unassigned = false;
    for o in owners {
        match o.as_str() {
            ME => ids.push(me.ok_or(CompileError::NoMe)?.to_owned()),
            UNASSIGNED => unassigned = true,
            id => ids.push(id.to_owned()),
        }
    }
    ids.dedup();
    let mut alts: Vec<Alternative> = Vec::new();
    match ids.len() {
        0 => {}
        1 => alts.push(vec![Filter::eq("hubspot_owner_id", ids.remove(0))]),
        _ => alts.push(vec![Filter::in_values("hubspot_owner_id", ids)]),
    }
    if unassigned {
        alts.push(vec![Filter {
            property_name: "hubspot_owner_id".to_owned(),
            operator: FilterOperator::NotHasProperty,
            value: None,
            high_value: None,
            values: None,
        }]);
    }
    Ok(alts)
}

/// The conditions' filters, one list per OR-group, by group number.
fn condition_groups(
    conditions: &[Condition],
    ctx: Context<'_>,
) -> Result<Vec<Alternative>, CompileError> {
    let mut groups: std::collections::BTreeMap<u8, Vec<Filter>> = Default::default();
    for c in conditions {
        let f = condition_filter(c, ctx)?;
        groups.entry(c.group).or_default().push(f);
    }
    Ok(groups.into_values().collect())
}

/// The OR of every combination of alternatives, each with the common filters.
fn or_of_combinations(common: Vec<Filter>, ors: &[(String, Vec<Alternative>)]) -> Vec<FilterGroup> {
    let mut combos: Vec<Vec<Filter>> = vec![common];
    for (_, alts) in ors {
        let mut next = Vec::with_capacity(combos.len() * alts.len());
        for c in &combos {
            for a in alts {
                let mut g = c.clone();
                g.extend(a.iter().cloned());
                next.push(g);
            }
        }
        combos = next;
    }
    combos
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|filters| FilterGroup { filters })
        .collect()
}

fn check_limits(c: &Compiled, ors: &[(String, Vec<Alternative>)]) -> Result<(), CompileError> {
    let groups = c.filter_groups.len();
    let largest_group = c
        .filter_groups
        .iter()
        .map(|g| g.filters.len())
        .max()
        .unwrap_or(0);
    let filters = c.filters();
    if groups <= MAX_GROUPS && largest_group <= MAX_FILTERS_PER_GROUP && filters <= MAX_FILTERS {
        return Ok(());
    }
    let why = if ors.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = ors
            .iter()
            .map(|(what, alts)| format!("{what} ({} ways)", alts.len()))
            .collect();
        format!(
            "every OR-group repeats the other fields, and {} multiply the groups",
            parts.join(" × ")
        )
    };
    Err(CompileError::TooBig {
        groups,
        largest_group,
        filters,
        why,
    })
}

fn resolve_stages(
    stages: &[String],
    pipeline: Option<&str>,
    cat: &Catalog,
) -> Result<Vec<String>, CompileError> {
    let pipelines = cat
        .pipelines
        .iter()
        .filter(|p| pipeline.is_none_or(|id| id.is_empty() || p.id == id));
    let all: Vec<&crate::domain::Stage> = pipelines.flat_map(|p| p.stages.iter()).collect();
    let mut ids: Vec<String> = Vec::new();
    for s in stages {
        let found: Vec<String> = if s == OPEN || s == CLOSED {
            let want = s == CLOSED;
            all.iter()
                .filter(|st| st.closed == want)
                .map(|st| st.id.clone())
                .collect()
        } else if let Some(label) = s.strip_prefix("label:") {
            let label = label.trim();
            all.iter()
                .filter(|st| st.label.eq_ignore_ascii_case(label))
                .map(|st| st.id.clone())
                .collect()
        } else {
            vec![s.clone()]
        };
        if found.is_empty() {
            return Err(CompileError::UnknownStage(s.clone()));
        }
        for id in found {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

fn range_filters(
    property: &str,
    label: &str,
    range: &DateRange,
    cat: &Catalog,
    now: Timestamp,
) -> Result<Vec<Filter>, CompileError> {
    let mut out = Vec::new();
    for (text, end, op) in [
        (&range.from, End::Start, FilterOperator::Gte),
        (&range.to, End::End, FilterOperator::Lte),
    ] {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let t = parse_when(text, end, &cat.tz, now).ok_or_else(|| CompileError::BadDate {
            field: label.to_owned(),
            value: text.to_owned(),
        })?;
        out.push(Filter::new(property, op, t.as_millisecond().to_string()));
    }
    Ok(out)
}

fn condition_filter(c: &Condition, ctx: Context<'_>) -> Result<Filter, CompileError> {
    let property = canonical_property(&c.property);
    let assoc = property.starts_with("associations.");
    let kind = if assoc {
        PropertyType::Number
    } else if ctx.catalog.loaded() {
        ctx.catalog
            .property(&property)
            .ok_or_else(|| CompileError::UnknownProperty(property.clone()))?
            .kind
    } else {
        PropertyType::String
    };
    let value = |v: &str, end: End| -> Result<String, CompileError> {
        let v = v.trim();
        if v == ME && property == "hubspot_owner_id" {
            return Ok(ctx.me.ok_or(CompileError::NoMe)?.to_owned());
        }
        if matches!(kind, PropertyType::Date | PropertyType::DateTime) {
            return parse_when(v, end, &ctx.catalog.tz, ctx.now)
                .map(|t| t.as_millisecond().to_string())
                .ok_or_else(|| CompileError::BadDate {
                    field: property.clone(),
                    value: v.to_owned(),
                });
        }
        Ok(v.to_owned())
    };
    let missing = || CompileError::MissingValue(property.clone());
    let mut f = Filter {
        property_name: property.clone(),
        operator: c.operator,
        value: None,
        high_value: None,
        values: None,
    };
    // `LTE 2026-11-01` means "up to the end of that day"; `GT` a date means after it.
    let end_for = |op: FilterOperator| match op {
        FilterOperator::Lte | FilterOperator::Gt => End::End,
        _ => End::Start,
    };
    match operand(c.operator) {
        Operand::None => {}
        Operand::One => {
            if c.value.trim().is_empty() {
                return Err(missing());
            }
            f.value = Some(value(&c.value, end_for(c.operator))?);
        }
        Operand::Two => {
            if c.value.trim().is_empty() || c.high_value.trim().is_empty() {
                return Err(missing());
            }
            f.value = Some(value(&c.value, End::Start)?);
            f.high_value = Some(value(&c.high_value, End::End)?);
        }
        Operand::Many => {
            let vals: Vec<String> = c
                .values
                .iter()
                .filter(|v| !v.trim().is_empty())
                .map(|v| value(v, End::Start))
                .collect::<Result<_, _>>()?;
            if vals.is_empty() {
                return Err(missing());
            }
            // HubSpot wants IN/NOT_IN string values in lowercase (API-NOTES §9); enumeration
            // values are compared as they are (case-sensitive).
            let vals = if matches!(kind, PropertyType::String | PropertyType::PhoneNumber) {
                vals.into_iter().map(|v| v.to_lowercase()).collect()
            } else {
                vals
            };
            f.values = Some(vals);
        }
    }
    Ok(f)
}

/// Most options a choice property may have to be sorted in their order: each option is a
/// search of its own (an empty one costs a request, at HubSpot's 5 searches a second).
pub const MAX_ORDERED_OPTIONS: usize = 12;

/// How a view sorted by a single-choice property (priority, stage, any `select` or `radio`)
/// gets its options' order — URGENT, HIGH, MEDIUM, LOW, not the internal values' alphabet,
/// whatever HubSpot's own order for choices is (UNCONFIRMED): the option values in display
/// order (reversed when descending), searched one after the other
/// (`protocol::SearchSource::segment`). `None` when the sort is by anything else, the
/// property has no options of its own (owners) or more than [`MAX_ORDERED_OPTIONS`], or the
/// search has no room left for two more filters in every group: HubSpot's order then stands.
pub fn option_order(c: &Compiled, catalog: &Catalog) -> Option<crate::protocol::OptionOrder> {
    let sort = c.sort.as_ref()?;
    let def = catalog.property(&sort.property_name)?;
    let single = matches!(def.field_type.as_str(), "select" | "radio");
    if def.kind != PropertyType::Enumeration || !single || def.options.is_empty() {
        return None;
    }
    if def.options.len() > MAX_ORDERED_OPTIONS {
        return None;
    }
    // A segment adds up to two filters to every group.
    let groups = c.filter_groups.len().max(1);
    let fits = c
        .filter_groups
        .iter()
        .all(|g| g.filters.len() + 2 <= MAX_FILTERS_PER_GROUP)
        && c.filters() + 2 * groups <= MAX_FILTERS;
    if !fits {
        return None;
    }
    let mut values: Vec<String> = def.ordered_options().map(|o| o.value.clone()).collect();
    if sort.direction == SortDirection::Descending {
        values.reverse();
    }
    Some(crate::protocol::OptionOrder {
        property: def.name.clone(),
        values,
    })
}

/// Which end of a day or period a date stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Start,
    End,
}

/// Reads a point in time as a person writes it, in time zone `tz` relative to `now`:
/// `2026-11-01` (that day: its start, or its end for [`End::End`]), `2026-11-01 14:30`,
/// an ISO timestamp, epoch milliseconds, `now`, `today`, `yesterday`, `tomorrow`, `this week`
/// (from Monday), `last week`, `this month`, `last month`, `-7d`, `-12h`, `-2w` (ago), and
/// `+3d`, `in 3 days`, `in 2 hours` (ahead: a task's due date).
pub fn parse_when(text: &str, end: End, tz: &TimeZone, now: Timestamp) -> Option<Timestamp> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    let today = now.to_zoned(tz.clone()).date();
    let day_span = |d: jiff::civil::Date, days: i64| -> Option<Timestamp> {
        let start = d.to_zoned(tz.clone()).ok()?;
        match end {
            End::Start => Some(start.timestamp()),
            End::End => {
                let next = d.checked_add(days.days()).ok()?.to_zoned(tz.clone()).ok()?;
                Some(next.timestamp() - jiff::SignedDuration::from_millis(1))
            }
        }
    };
    match t.as_str() {
        "now" => return Some(now),
        "today" => return day_span(today, 1),
        "yesterday" => return day_span(today.yesterday().ok()?, 1),
        "tomorrow" => return day_span(today.tomorrow().ok()?, 1),
        "this week" | "this_week" => {
            let monday = today
                .checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days())
                .ok()?;
            return day_span(monday, 7);
        }
        "last week" | "last_week" => {
            let monday = today
                .checked_sub((i64::from(today.weekday().to_monday_zero_offset()) + 7).days())
                .ok()?;
            return day_span(monday, 7);
        }
        "this month" | "this_month" => {
            let first = today.first_of_month();
            return day_span(first, i64::from(first.days_in_month()));
        }
        "last month" | "last_month" => {
            let first = today.first_of_month().checked_sub(1.month()).ok()?;
            return day_span(first, i64::from(first.days_in_month()));
        }
        _ => {}
    }
    if let Some(rest) = t.strip_prefix('-') {
        return now.checked_sub(relative_span(rest)?).ok();
    }
    if let Some(rest) = t.strip_prefix('+').or_else(|| t.strip_prefix("in ")) {
        return now.checked_add(relative_span(rest.trim())?).ok();
    }
    if t.len() == 10
        && let Ok(d) = jiff::civil::Date::strptime("%Y-%m-%d", &t)
    {
        return day_span(d, 1);
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t
            .parse::<i64>()
            .ok()
            .and_then(|ms| Timestamp::from_millisecond(ms).ok());
    }
    if let Ok(ts) = text.trim().parse::<Timestamp>() {
        return Some(ts);
    }
    for fmt in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(dt) = jiff::civil::DateTime::strptime(fmt, &t) {
            return dt.to_zoned(tz.clone()).ok().map(|z| z.timestamp());
        }
    }
    None
}

/// `7d`, `12h`, `2w`, `30m`, `3 days`: a count and a unit, as the relative dates of
/// [`parse_when`] write them.
fn relative_span(text: &str) -> Option<jiff::SignedDuration> {
    let (num, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok()?;
    let hours = match unit.trim() {
        "m" | "min" | "mins" | "minute" | "minutes" => {
            return Some(jiff::SignedDuration::from_mins(n));
        }
        "h" | "hour" | "hours" => n,
        "d" | "day" | "days" => n.checked_mul(24)?,
        "w" | "week" | "weeks" => n.checked_mul(24 * 7)?,
        _ => return None,
    };
    Some(jiff::SignedDuration::from_hours(hours))
}

/// The views in force: those of config.toml, else the defaults. Names must be unique and
/// non-empty; every problem is reported with the view's name.
pub fn from_config(views: Option<Vec<View>>) -> Result<Vec<View>, String> {
    let Some(views) = views else {
        return Ok(defaults());
    };
    if views.is_empty() {
        return Err("config.toml: `views` is empty; remove it to get the default views, or define at least one [[views]]".to_owned());
    }
    let mut seen = std::collections::HashSet::new();
    for (i, v) in views.iter().enumerate() {
        if v.name.trim().is_empty() {
            return Err(format!("config.toml: view #{} has no name", i + 1));
        }
        if !seen.insert(v.name.trim().to_lowercase()) {
            return Err(format!(
                "config.toml: two views are named \"{}\"",
                v.name.trim()
            ));
        }
        for c in &v.conditions {
            if c.group == 0 {
                return Err(format!(
                    "config.toml: view \"{}\": condition groups are numbered from 1",
                    v.name
                ));
            }
        }
    }
    Ok(views)
}

/// `config.toml`'s text with `views` set to these views (other settings and comments kept).
/// A view of the same name is replaced in place; a new one is added at the end.
pub fn save_into_config(text: &str, views: &[View]) -> Result<String, String> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| format!("config.toml does not parse: {e}"))?;
    #[derive(Serialize)]
    struct Wrapper<'a> {
        views: &'a [View],
    }
    let rendered =
        toml::to_string(&Wrapper { views }).map_err(|e| format!("cannot write the views: {e}"))?;
    let fresh: toml_edit::DocumentMut = rendered
        .parse()
        .map_err(|e| format!("cannot write the views: {e}"))?;
    let Some(item) = fresh.get("views") else {
        return Err("cannot write the views".to_owned());
    };
    doc.insert("views", item.clone());
    Ok(doc.to_string())
}

pub mod columns;
#[cfg(test)]
mod tests;
