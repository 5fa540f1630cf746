//! The portal's writable schema: property definitions and groups, pipelines and their
//! stages, and the pipelines' audit trail. It starts as a copy of `model`'s built-in
//! definitions (so every sandbox has HubSpot's defaults) and is then changed only by the
//! Properties and Pipelines API writes (`property_writes`, `pipeline_writes`). Reads of
//! "does this property exist", "which options", "is this stage closed" go through here, never
//! to `model` directly, so a property or stage created over the API behaves like a built-in
//! one. It knows nothing of HTTP or JSON bodies beyond the audit entries' raw objects.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use super::model::{self, ALL_KINDS, Kind, Opts, PType, PropDef};

/// One option of an enumeration.
#[derive(Debug, Clone, PartialEq)]
pub struct PropOption {
    pub value: String,
    pub label: String,
    pub description: Option<String>,
    pub display_order: i32,
    pub hidden: bool,
}

/// A property definition as the Properties API serves it.
#[derive(Debug, Clone)]
pub struct Prop {
    /// The name, type and behaviour flags. For a property created over the API, `def.opts`
    /// is `Opts::None` and its options are in `options`; `def.label`, `def.description` and
    /// `def.group` are unused (the owned fields below win).
    pub def: PropDef,
    pub label: String,
    pub description: String,
    pub group: String,
    /// Listed options (built-in fixed options are copied here; pipeline, stage and owner
    /// options are computed from the schema and the store when served).
    pub options: Vec<PropOption>,
    pub display_order: i32,
    pub hidden: bool,
    pub form_field: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub archived_ms: Option<i64>,
}

impl Prop {
    pub fn name(&self) -> &'static str {
        self.def.name
    }
    pub fn is_live(&self) -> bool {
        self.archived_ms.is_none()
    }
    /// HubSpot's own definition (not the portal's custom property).
    pub fn hubspot_defined(&self) -> bool {
        !self.def.custom
    }
    /// Whether a value must be one of `options` (a listed enumeration).
    pub fn has_listed_options(&self) -> bool {
        self.def.ptype == PType::Enum
            && matches!(self.def.opts, Opts::Fixed(_) | Opts::None)
            && !self.options.is_empty()
    }
}

/// A property group.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub label: String,
    pub display_order: i32,
    pub archived: bool,
}

/// A pipeline stage.
#[derive(Debug, Clone)]
pub struct StageDef {
    pub id: String,
    pub label: String,
    pub display_order: i32,
    pub metadata: BTreeMap<String, String>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub archived_ms: Option<i64>,
}

impl StageDef {
    /// A closed stage: `ticketState: CLOSED` (tickets) or `isClosed: "true"` (deals).
    pub fn closed(&self) -> bool {
        self.metadata.get("ticketState").map(String::as_str) == Some("CLOSED")
            || self.metadata.get("isClosed").map(String::as_str) == Some("true")
    }
    pub fn is_live(&self) -> bool {
        self.archived_ms.is_none()
    }
}

/// A pipeline with its stages (archived ones kept, for `archived=true` reads).
#[derive(Debug, Clone)]
pub struct PipelineDef {
    pub id: String,
    pub label: String,
    pub display_order: i32,
    pub stages: Vec<StageDef>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub archived_ms: Option<i64>,
}

impl PipelineDef {
    pub fn is_live(&self) -> bool {
        self.archived_ms.is_none()
    }
    /// The live stages.
    pub fn live_stages(&self) -> impl Iterator<Item = &StageDef> {
        self.stages.iter().filter(|s| s.is_live())
    }
    pub fn stage(&self, id: &str) -> Option<&StageDef> {
        self.live_stages().find(|s| s.id == id)
    }
}

/// One mutation of a pipeline or stage, for the audit reads.
#[derive(Debug, Clone)]
pub struct Audit {
    pub kind: Kind,
    /// The pipeline, and the stage when the mutation was of a stage.
    pub pipeline: String,
    pub stage: Option<String>,
    /// `CREATE`, `UPDATE` or `DELETE` (HubSpot's action names are UNCONFIRMED).
    pub action: &'static str,
    pub ts: i64,
    pub raw: Value,
}

/// The writable schema of one sandbox portal.
#[derive(Debug, Clone)]
pub struct Schema {
    props: HashMap<Kind, Vec<Prop>>,
    groups: HashMap<Kind, Vec<Group>>,
    pipelines: HashMap<Kind, Vec<PipelineDef>>,
    pub audit: Vec<Audit>,
    /// The next ID for a created pipeline or stage (HubSpot's are large numbers).
    next_id: u64,
}

impl Default for Schema {
    fn default() -> Self {
        Schema::builtin()
    }
}

/// When built-in HubSpot-defined properties were "created" (as served before).
const HUBSPOT_DEFINED_MS: i64 = 1_565_059_268_062; // 2019-08-06T02:41:08.062Z
/// When the seeded custom properties were created.
const CUSTOM_MS: i64 = 1_768_469_400_000; // 2026-01-15T09:30:00.000Z

fn builtin_prop(d: &PropDef) -> Prop {
    let options = match d.opts {
        Opts::Fixed(o) => o
            .iter()
            .enumerate()
            .map(|(i, (v, l))| PropOption {
                value: (*v).to_owned(),
                label: (*l).to_owned(),
                description: None,
                display_order: i32::try_from(i).unwrap_or(i32::MAX),
                hidden: false,
            })
            .collect(),
        _ => Vec::new(),
    };
    let created = if d.custom {
        CUSTOM_MS
    } else {
        HUBSPOT_DEFINED_MS
    };
    Prop {
        def: *d,
        label: d.label.to_owned(),
        description: d.description.to_owned(),
        group: d.group.to_owned(),
        options,
        display_order: if d.custom { 0 } else { -1 },
        hidden: false,
        form_field: !d.read_only,
        created_ms: created,
        updated_ms: created,
        archived_ms: None,
    }
}

fn builtin_pipeline(kind: Kind, p: &model::Pipeline) -> PipelineDef {
    let stages = p
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut metadata = BTreeMap::new();
            metadata.insert("isClosed".to_owned(), s.closed.to_string());
            if kind == Kind::Deal {
                metadata.insert(
                    "probability".to_owned(),
                    s.probability.unwrap_or("0.0").to_owned(),
                );
            } else {
                let state = if s.closed { "CLOSED" } else { "OPEN" };
                metadata.insert("ticketState".to_owned(), state.to_owned());
            }
            StageDef {
                id: s.id.to_owned(),
                label: s.label.to_owned(),
                display_order: i32::try_from(i).unwrap_or(i32::MAX),
                metadata,
                created_ms: p.created_ms,
                updated_ms: p.created_ms,
                archived_ms: None,
            }
        })
        .collect();
    PipelineDef {
        id: p.id.to_owned(),
        label: p.label.to_owned(),
        display_order: p.display_order,
        stages,
        created_ms: p.created_ms,
        updated_ms: p.created_ms,
        archived_ms: None,
    }
}

/// Interns a property name created over the API: record values are keyed by `&'static str`
/// names, so a created name is leaked once per distinct name (re-creating it reuses it).
pub fn intern(name: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let set = NAMES.get_or_init(|| Mutex::new(HashSet::new()));
    let mut set = set.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = set.get(name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_owned().into_boxed_str());
    set.insert(leaked);
    leaked
}

impl Schema {
    /// HubSpot's defaults as `model` defines them.
    pub fn builtin() -> Schema {
        let mut s = Schema {
            props: HashMap::new(),
            groups: HashMap::new(),
            pipelines: HashMap::new(),
            audit: Vec::new(),
            next_id: 90_000_001,
        };
        for kind in ALL_KINDS {
            s.props.insert(
                kind,
                model::props_of(kind).iter().map(builtin_prop).collect(),
            );
            let groups = model::groups_of(kind)
                .iter()
                .enumerate()
                .map(|(i, (n, l))| Group {
                    name: (*n).to_owned(),
                    label: (*l).to_owned(),
                    display_order: i32::try_from(i).unwrap_or(i32::MAX),
                    archived: false,
                })
                .collect();
            s.groups.insert(kind, groups);
            let pipes: Vec<PipelineDef> = model::pipelines_of(kind)
                .iter()
                .map(|p| builtin_pipeline(kind, p))
                .collect();
            for p in &pipes {
                s.audit.push(Audit {
                    kind,
                    pipeline: p.id.clone(),
                    stage: None,
                    action: "CREATE",
                    ts: p.created_ms,
                    raw: serde_json::json!({"label": p.label, "displayOrder": p.display_order}),
                });
            }
            s.pipelines.insert(kind, pipes);
        }
        s
    }

    // ---- properties ----

    /// A live property of `kind`.
    pub fn prop(&self, kind: Kind, name: &str) -> Option<&Prop> {
        self.props
            .get(&kind)?
            .iter()
            .find(|p| p.def.name == name && p.is_live())
    }
    /// A property of `kind`, live or archived.
    pub fn prop_any(&self, kind: Kind, name: &str) -> Option<&Prop> {
        self.props.get(&kind)?.iter().find(|p| p.def.name == name)
    }
    pub fn prop_any_mut(&mut self, kind: Kind, name: &str) -> Option<&mut Prop> {
        self.props
            .get_mut(&kind)?
            .iter_mut()
            .find(|p| p.def.name == name)
    }
    /// Every property of `kind`, live or archived, in definition order.
    pub fn props_all(&self, kind: Kind) -> &[Prop] {
        self.props.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }
    /// The live properties of `kind`.
    pub fn props(&self, kind: Kind) -> impl Iterator<Item = &Prop> {
        self.props_all(kind).iter().filter(|p| p.is_live())
    }
    /// The live unique-value properties of `kind`.
    pub fn unique_props(&self, kind: Kind) -> impl Iterator<Item = &'static str> + '_ {
        self.props(kind).filter(|p| p.def.unique).map(Prop::name)
    }
    /// Adds a property (its name must be new: see [`Schema::prop_any`]).
    pub fn add_prop(&mut self, kind: Kind, p: Prop) {
        let list = self.props.entry(kind).or_default();
        list.retain(|x| x.def.name != p.def.name);
        list.push(p);
    }

    // ---- groups ----

    pub fn groups_all(&self, kind: Kind) -> &[Group] {
        self.groups.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }
    pub fn group(&self, kind: Kind, name: &str) -> Option<&Group> {
        self.groups_all(kind)
            .iter()
            .find(|g| g.name == name && !g.archived)
    }
    pub fn group_any_mut(&mut self, kind: Kind, name: &str) -> Option<&mut Group> {
        self.groups
            .get_mut(&kind)?
            .iter_mut()
            .find(|g| g.name == name)
    }
    pub fn add_group(&mut self, kind: Kind, g: Group) {
        let list = self.groups.entry(kind).or_default();
        list.retain(|x| x.name != g.name);
        list.push(g);
    }

    // ---- pipelines ----

    /// Every pipeline of `kind`, live or archived.
    pub fn pipelines_all(&self, kind: Kind) -> &[PipelineDef] {
        self.pipelines.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }
    /// The live pipelines of `kind`, in stored order.
    pub fn pipelines(&self, kind: Kind) -> impl Iterator<Item = &PipelineDef> {
        self.pipelines_all(kind).iter().filter(|p| p.is_live())
    }
    pub fn pipeline(&self, kind: Kind, id: &str) -> Option<&PipelineDef> {
        self.pipelines(kind).find(|p| p.id == id)
    }
    pub fn pipeline_any_mut(&mut self, kind: Kind, id: &str) -> Option<&mut PipelineDef> {
        self.pipelines
            .get_mut(&kind)?
            .iter_mut()
            .find(|p| p.id == id)
    }
    pub fn add_pipeline(&mut self, kind: Kind, p: PipelineDef) {
        self.pipelines.entry(kind).or_default().push(p);
    }
    /// The default pipeline's id: the first live one by display order.
    pub fn default_pipeline(&self, kind: Kind) -> Option<&PipelineDef> {
        self.pipelines(kind).min_by_key(|p| p.display_order)
    }
    /// A live stage of a live pipeline of `kind`, by stage id.
    pub fn find_stage(&self, kind: Kind, stage_id: &str) -> Option<(&PipelineDef, &StageDef)> {
        self.pipelines(kind)
            .find_map(|p| p.stage(stage_id).map(|s| (p, s)))
    }
    /// The ids of the closed stages of `kind`.
    pub fn closed_stages(&self, kind: Kind) -> Vec<String> {
        self.pipelines(kind)
            .flat_map(|p| p.live_stages().filter(|s| s.closed()).map(|s| s.id.clone()))
            .collect()
    }
    /// A fresh id for a created pipeline or stage.
    pub fn next_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }
    /// Whether `id` names a pipeline or stage of any kind (ids are portal-wide here).
    pub fn id_taken(&self, id: &str) -> bool {
        self.pipelines
            .values()
            .flatten()
            .any(|p| p.id == id || p.stages.iter().any(|s| s.id == id))
    }
    pub fn record_audit(&mut self, a: Audit) {
        self.audit.push(a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_matches_model() {
        let s = Schema::builtin();
        assert!(s.prop(Kind::Ticket, "subject").is_some());
        assert!(s.prop(Kind::Ticket, "no_such").is_none());
        let (p, st) = s.find_stage(Kind::Ticket, "4").expect("stage 4");
        assert_eq!(p.id, "0");
        assert!(st.closed());
        assert!(!s.find_stage(Kind::Ticket, "1").expect("stage 1").1.closed());
        assert_eq!(
            s.default_pipeline(Kind::Ticket).map(|p| p.id.as_str()),
            Some("0")
        );
    }

    #[test]
    fn intern_reuses_names() {
        let a = intern("custom_x_name");
        let b = intern(&String::from("custom_x_name"));
        assert!(std::ptr::eq(a, b));
    }
}
