//! Request routing and the HubSpot endpoints. Routing is done by hand over path segments
//! so that unknown routes and wrong methods answer with HubSpot-style JSON errors.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::assoc;
use super::errors::{ApiError, ApiResult};
use super::model::{self, Kind, Opts};
use super::search;
use super::state::AppState;
use super::store::{Hist, Record, Source, Store, get_prop, iso, now_ms};
use super::validate::{self, Change};

/// A successful answer: status and optional JSON body.
pub struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

pub fn ok(v: Value) -> ApiResult<Reply> {
    Ok(Reply {
        status: 200,
        body: Some(v),
    })
}
pub fn status(status: u16, v: Value) -> ApiResult<Reply> {
    Ok(Reply {
        status,
        body: Some(v),
    })
}
pub fn no_content() -> ApiResult<Reply> {
    Ok(Reply {
        status: 204,
        body: None,
    })
}

/// Parsed request.
pub struct Req<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub raw_query: &'a str,
    pub query: Vec<(String, String)>,
    pub body: &'a [u8],
    pub base_url: &'a str,
}

impl Req<'_> {
    pub fn q(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// Comma-separated and/or repeated list parameter.
    pub fn csv(&self, name: &str) -> Option<Vec<String>> {
        let vals: Vec<String> = self
            .query
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            })
            .collect();
        if self.query.iter().any(|(k, _)| k == name) {
            Some(vals)
        } else {
            None
        }
    }
    pub fn flag(&self, name: &str) -> ApiResult<bool> {
        match self.q(name) {
            None => Ok(false),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::validation(format!(
                "Invalid boolean value '{v}' for query parameter {name}"
            ))),
        }
    }
    pub fn int(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.q(name) {
            None => Ok(None),
            Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
                ApiError::validation(format!(
                    "Invalid integer value '{v}' for query parameter {name}"
                ))
            }),
        }
    }
    pub fn json(&self) -> ApiResult<Value> {
        if self.body.is_empty() {
            return Err(ApiError::validation(
                "Invalid input JSON: request body is empty",
            ));
        }
        serde_json::from_slice(self.body).map_err(|e| {
            ApiError::validation(format!(
                "Invalid input JSON on line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        })
    }
    /// `link` for the next page: this URL with `after` replaced.
    pub fn next_link(&self, after: &str) -> String {
        let mut parts: Vec<&str> = self
            .raw_query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("after="))
            .collect();
        let a = format!("after={after}");
        parts.push(&a);
        format!("{}{}?{}", self.base_url, self.path, parts.join("&"))
    }
}

fn pct_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn kind(s: &str) -> ApiResult<Kind> {
    Kind::parse(s).ok_or_else(|| {
        ApiError::new(
            400,
            "VALIDATION_ERROR",
            format!("Unable to infer object type from: {s}"),
        )
    })
}

fn method_not_allowed(r: &Req) -> ApiError {
    ApiError::new(
        405,
        "METHOD_NOT_ALLOWED",
        format!("HTTP method {} is not supported by this resource", r.method),
    )
}

/// Unknown routes: HubSpot's exact body for an unroutable path is UNCONFIRMED; the sandbox
/// answers 404 with the generic Error body.
fn no_route(r: &Req) -> ApiError {
    ApiError::new(
        404,
        "OBJECT_NOT_FOUND",
        format!("Unable to route {} request to {}", r.method, r.path),
    )
}

pub fn dispatch(app: &AppState, r: &Req) -> ApiResult<Reply> {
    let segs_owned: Vec<String> = r
        .path
        .trim_matches('/')
        .split('/')
        .map(pct_decode)
        .collect();
    let segs: Vec<&str> = segs_owned.iter().map(String::as_str).collect();
    let m = r.method;
    match segs.as_slice() {
        ["crm", "v3", "objects", t] => match m {
            "GET" => list(app, kind(t)?, r),
            "POST" => create(app, kind(t)?, r),
            _ => Err(method_not_allowed(r)),
        },
        ["crm", "v3", "objects", t, "search"] if m == "POST" => search::search(app, kind(t)?, r),
        ["crm", "v3", "objects", t, "batch", op] if m == "POST" => batch(app, kind(t)?, op, r),
        ["crm", "v3", "objects", t, id] => match m {
            "GET" => get_one(app, kind(t)?, id, r),
            "PATCH" => update(app, kind(t)?, id, r),
            "DELETE" => archive_one(app, kind(t)?, id),
            _ => Err(method_not_allowed(r)),
        },
        ["crm", "v3", "objects", t, id, "associations", to] if m == "GET" => {
            assoc::v3_list(app, kind(t)?, id, kind(to)?, r)
        }
        ["crm", "v3", "objects", t, id, "associations", to, to_id, ty] => match m {
            "PUT" => assoc::v3_put(app, kind(t)?, id, kind(to)?, to_id, ty, r),
            "DELETE" => assoc::v3_delete(app, kind(t)?, id, kind(to)?, to_id, ty),
            _ => Err(method_not_allowed(r)),
        },
        ["crm", "v4", "objects", t, id, "associations", to] if m == "GET" => {
            assoc::v4_list(app, kind(t)?, id, kind(to)?, r)
        }
        [
            "crm",
            "v4",
            "objects",
            t,
            id,
            "associations",
            "default",
            to,
            to_id,
        ] if m == "PUT" => assoc::v4_put_default(app, kind(t)?, id, kind(to)?, to_id),
        ["crm", "v4", "objects", t, id, "associations", to, to_id] => match m {
            "PUT" => assoc::v4_put(app, kind(t)?, id, kind(to)?, to_id, r),
            "DELETE" => assoc::v4_delete(app, kind(t)?, id, kind(to)?, to_id),
            _ => Err(method_not_allowed(r)),
        },
        ["crm", "v4", "associations", f, t, "batch", rest @ ..] if m == "POST" => {
            assoc::v4_batch(app, kind(f)?, kind(t)?, &rest.join("/"), r)
        }
        ["crm", "v3", "associations", f, t, "batch", op] if m == "POST" => {
            assoc::v3_batch(app, kind(f)?, kind(t)?, op, r)
        }
        ["crm", "v4", "associations", f, t, "labels"]
        | ["crm", "associations", "v4", f, t, "labels"]
            if m == "GET" =>
        {
            assoc::labels(kind(f)?, kind(t)?)
        }
        ["crm", "v3", "properties", t] if m == "GET" => properties(app, kind(t)?, r),
        ["crm", "v3", "properties", t, "groups"] if m == "GET" => groups(kind(t)?),
        ["crm", "v3", "properties", t, name] if m == "GET" => {
            let k = kind(t)?;
            let d = model::prop(k, name).ok_or_else(|| {
                ApiError::not_found().tap_msg(format!(
                    "Unable to find property {name} for object type {}",
                    k.plural()
                ))
            })?;
            ok(property_json(app, k, d))
        }
        ["crm", "v3", "pipelines", t] if m == "GET" => {
            let k = kind(t)?;
            ok(
                json!({"results": model::pipelines_of(k).iter().map(|p| pipeline_json(k, p)).collect::<Vec<_>>()}),
            )
        }
        ["crm", "v3", "pipelines", t, pid] if m == "GET" => {
            ok(pipeline_json(kind(t)?, find_pipeline(kind(t)?, pid)?))
        }
        ["crm", "v3", "pipelines", t, pid, "stages"] if m == "GET" => {
            let k = kind(t)?;
            let p = find_pipeline(k, pid)?;
            ok(json!({"results": p.stages.iter().map(|s| stage_json(k, p, s)).collect::<Vec<_>>()}))
        }
        ["crm", "v3", "pipelines", t, pid, "stages", sid] if m == "GET" => {
            let k = kind(t)?;
            let p = find_pipeline(k, pid)?;
            let s = p
                .stages
                .iter()
                .find(|s| s.id == *sid)
                .ok_or_else(ApiError::not_found)?;
            ok(stage_json(k, p, s))
        }
        ["crm", "v3", "owners"] | ["crm", "v3", "owners", ""] if m == "GET" => owners(app, r),
        ["crm", "v3", "owners", id] if m == "GET" => owner_one(app, id, r),
        _ => Err(no_route(r)),
    }
}

trait TapMsg {
    fn tap_msg(self, m: String) -> Self;
}
impl TapMsg for ApiError {
    fn tap_msg(mut self, m: String) -> Self {
        self.message = m;
        self
    }
}

// ---------------------------------------------------------------- records

/// Which properties to render.
pub enum Sel<'a> {
    Default,
    Some(&'a [String]),
    /// Everything with a value (create/update responses).
    All,
}

pub fn render(
    st: &Store,
    kind: Kind,
    rec: &Record,
    sel: &Sel,
    history: Option<&[String]>,
    assocs: Option<&[Kind]>,
) -> Value {
    // Requested-but-empty properties are OMITTED (decision: the spec types property values as
    // non-null strings; HubSpot's docs conflict — some editions say `null`, others "will not
    // appear"). Unknown requested names are ignored silently.
    let mut props = Map::new();
    let mut put = |name: &str| {
        if let Some(v) = get_prop(kind, rec, name) {
            props.insert(name.to_owned(), Value::String(v));
        }
    };
    match sel {
        Sel::Default => kind.default_props().iter().for_each(|n| put(n)),
        Sel::Some(list) => {
            for n in list.iter() {
                if model::prop(kind, n).is_some() {
                    put(n);
                }
            }
            for n in [kind.create_prop(), kind.modified_prop(), "hs_object_id"] {
                put(n);
            }
        }
        Sel::All => {
            for d in model::props_of(kind) {
                put(d.name);
            }
        }
    }
    if let Some(h) = history {
        for n in h {
            if model::prop(kind, n).is_some() {
                put(n);
            }
        }
    }
    let mut o = Map::new();
    o.insert("id".into(), json!(rec.id.to_string()));
    o.insert("properties".into(), Value::Object(props));
    if let Some(h) = history {
        let mut ph = Map::new();
        for n in h {
            if model::prop(kind, n).is_none() {
                continue;
            }
            let entries = history_json(kind, rec, n);
            if !entries.is_empty() {
                ph.insert(n.clone(), Value::Array(entries));
            }
        }
        o.insert("propertiesWithHistory".into(), Value::Object(ph));
    }
    o.insert("createdAt".into(), json!(iso(rec.created)));
    o.insert("updatedAt".into(), json!(iso(rec.updated)));
    o.insert("archived".into(), json!(rec.archived_at.is_some()));
    if let Some(a) = rec.archived_at {
        o.insert("archivedAt".into(), json!(iso(a)));
    }
    if let Some(kinds) = assocs {
        let mut am = Map::new();
        for k in kinds {
            let list = st.assocs((kind, rec.id), *k);
            if list.is_empty() {
                continue;
            }
            let mut results = Vec::new();
            for (id, types) in list {
                for t in types {
                    if let Some(at) = model::assoc_type(kind, *k, t) {
                        results.push(json!({"id": id.to_string(), "type": at.name}));
                    }
                }
            }
            am.insert(k.plural().to_owned(), json!({"results": results}));
        }
        if !am.is_empty() {
            o.insert("associations".into(), Value::Object(am));
        }
    }
    Value::Object(o)
}

fn hist_json(h: &Hist) -> Value {
    let mut m = Map::new();
    m.insert("value".into(), json!(h.value));
    m.insert("timestamp".into(), json!(iso(h.ts)));
    m.insert("sourceType".into(), json!(h.source.source_type()));
    match h.source {
        Source::CrmUi(u) => {
            m.insert("sourceId".into(), json!(format!("userId:{u}")));
            m.insert("updatedByUserId".into(), json!(u));
        }
        Source::Workflow(w) => {
            m.insert("sourceId".into(), json!(w.to_string()));
            m.insert("sourceLabel".into(), json!("Workflow"));
        }
        Source::Import(i) => {
            m.insert("sourceId".into(), json!(i.to_string()));
        }
        Source::Api | Source::Conversations | Source::Calculated => {}
    }
    Value::Object(m)
}

fn history_json(kind: Kind, rec: &Record, name: &str) -> Vec<Value> {
    match rec.history.get(name) {
        Some(h) if !h.is_empty() => h.iter().rev().map(hist_json).collect(),
        _ => match get_prop(kind, rec, name) {
            // Values without recorded writes get one entry at creation: system properties
            // from CALCULATED, others from whoever created the record.
            Some(v) => {
                let system = name == "hs_object_id"
                    || name == kind.create_prop()
                    || name == kind.modified_prop()
                    || (kind == Kind::Ticket && name == "hs_ticket_id");
                let source = if system {
                    Source::Calculated
                } else {
                    rec.created_source
                };
                vec![hist_json(&Hist {
                    value: v,
                    ts: rec.created,
                    source,
                })]
            }
            None => Vec::new(),
        },
    }
}

fn parse_id(s: &str) -> Option<u64> {
    s.parse::<u64>().ok()
}

/// Resolves a path id (or `idProperty` value) to a record id.
pub fn resolve_id(
    st: &Store,
    kind: Kind,
    id: &str,
    id_property: Option<&str>,
) -> ApiResult<Option<u64>> {
    match id_property {
        None | Some("hs_object_id") | Some("") => Ok(parse_id(id)),
        Some(p) => {
            let def = model::prop(kind, p).ok_or_else(|| {
                ApiError::validation(format!("Property \"{p}\" does not exist")).with_errors(vec![
                    super::errors::field_error(
                        "PROPERTY_DOESNT_EXIST",
                        format!("Property \"{p}\" does not exist"),
                        p,
                    ),
                ])
            })?;
            if !def.unique {
                return Err(ApiError::validation(format!(
                    "Property \"{p}\" is not a unique identifier property; idProperty must name a property with unique values"
                )));
            }
            Ok(st.unique.get(&(def.name, id.to_owned())).copied())
        }
    }
}

struct ReadOpts {
    props: Option<Vec<String>>,
    history: Option<Vec<String>>,
    assocs: Option<Vec<Kind>>,
    archived: bool,
}

fn read_opts(r: &Req) -> ApiResult<ReadOpts> {
    Ok(ReadOpts {
        props: r.csv("properties"),
        history: r.csv("propertiesWithHistory").filter(|v| !v.is_empty()),
        // Unknown association types are ignored [S].
        assocs: r.csv("associations").map(|v| {
            let mut ks: Vec<Kind> = v.iter().filter_map(|s| Kind::parse(s)).collect();
            ks.dedup();
            ks
        }),
        archived: r.flag("archived")?,
    })
}

fn render_opts(st: &Store, kind: Kind, rec: &Record, o: &ReadOpts) -> Value {
    let sel = match &o.props {
        Some(p) => Sel::Some(p),
        None => Sel::Default,
    };
    render(
        st,
        kind,
        rec,
        &sel,
        o.history.as_deref(),
        o.assocs.as_deref(),
    )
}

fn list(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    let o = read_opts(r)?;
    // Max 100 per page, 50 with propertiesWithHistory. What HubSpot does over the maximum
    // (400 vs clamp) is UNCONFIRMED; the sandbox answers 400 VALIDATION_ERROR so that clients
    // that rely on clamping are caught.
    let max = if o.history.is_some() { 50 } else { 100 };
    let limit = r.int("limit")?.unwrap_or(10);
    if limit < 1 || limit > max {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and {max}, got {limit}"
        ))
        .with_errors(vec![
            json!({"message": format!("limit must be between 1 and {max}"), "in": "limit"}),
        ]));
    }
    let limit = usize::try_from(limit).unwrap_or(10);
    // `after` is the id of the next record (as HubSpot's docs describe); clients must treat
    // it as opaque.
    let after = match r.q("after") {
        None | Some("") => 0,
        Some(a) => a
            .parse::<u64>()
            .map_err(|_| ApiError::validation(format!("Invalid paging cursor: {a}")))?,
    };
    let st = app.read();
    let mut results = Vec::with_capacity(limit);
    let mut next = None;
    if let Some(map) = st.map(kind) {
        for rec in map
            .range(after..)
            .map(|(_, r)| r)
            .filter(|rec| rec.archived_at.is_some() == o.archived)
        {
            if results.len() == limit {
                next = Some(rec.id);
                break;
            }
            results.push(render_opts(&st, kind, rec, &o));
        }
    }
    let mut body = json!({"results": results});
    if let Some(n) = next {
        let a = n.to_string();
        body["paging"] = json!({"next": {"after": a, "link": r.next_link(&a)}});
    }
    ok(body)
}

fn get_one(app: &AppState, kind: Kind, id: &str, r: &Req) -> ApiResult<Reply> {
    let o = read_opts(r)?;
    let st = app.read();
    let rid = resolve_id(&st, kind, id, r.q("idProperty"))?;
    let rec = rid
        .and_then(|rid| st.map(kind)?.get(&rid))
        .filter(|rec| rec.archived_at.is_some() == o.archived)
        .ok_or_else(ApiError::not_found)?;
    ok(render_opts(&st, kind, rec, &o))
}

fn obj<'a>(v: &'a Value, field: &str) -> ApiResult<&'a Map<String, Value>> {
    v.get(field).and_then(Value::as_object).ok_or_else(|| {
        ApiError::validation(format!(
            "Invalid input JSON: missing or invalid field '{field}'"
        ))
    })
}

/// Applies validated changes; handles the closed-stage side effects.
pub fn apply(rec: &mut Record, kind: Kind, changes: &[Change], now: i64, source: Source) {
    let mut stage_changed = None;
    for (name, v) in changes {
        let current = rec.props.get(name).map(String::as_str).unwrap_or("");
        if current == v {
            continue;
        }
        rec.write(name, v.clone(), now, source);
        if *name == "hs_pipeline_stage" && kind == Kind::Ticket {
            stage_changed = Some(v.clone());
        }
    }
    if let Some(stage) = stage_changed {
        let closed = model::find_stage(Kind::Ticket, &stage).is_some_and(|(_, s)| s.closed);
        let was_closed = rec.props.get("hs_is_closed").is_some_and(|v| v == "true");
        if closed && !was_closed {
            rec.write("hs_is_closed", "true".into(), now, Source::Calculated);
            if !changes.iter().any(|(k, _)| *k == "closed_date") {
                rec.write("closed_date", iso(now), now, Source::Calculated);
            }
            rec.write(
                "time_to_close",
                (now - rec.created).max(0).to_string(),
                now,
                Source::Calculated,
            );
        } else if !closed && was_closed {
            // Reopening clears the close date (UNCONFIRMED; mirrors the UI).
            rec.write("hs_is_closed", "false".into(), now, Source::Calculated);
            rec.write("closed_date", String::new(), now, Source::Calculated);
            rec.write("time_to_close", String::new(), now, Source::Calculated);
        } else if !closed && !rec.props.contains_key("hs_is_closed") {
            rec.write("hs_is_closed", "false".into(), now, Source::Calculated);
        }
    }
    rec.updated = now;
}

fn reindex_unique(st: &mut Store, kind: Kind, id: u64, before: &[(&'static str, Option<String>)]) {
    for (name, old) in before {
        if let Some(o) = old
            && st.unique.get(&(*name, o.clone())) == Some(&id)
        {
            st.unique.remove(&(*name, o.clone()));
        }
        if let Some(v) = st
            .map(kind)
            .and_then(|m| m.get(&id))
            .and_then(|r| r.props.get(name))
            .cloned()
        {
            st.unique.insert((name, v), id);
        }
    }
}

fn unique_snapshot(kind: Kind, rec: Option<&Record>) -> Vec<(&'static str, Option<String>)> {
    model::props_of(kind)
        .iter()
        .filter(|d| d.unique)
        .map(|d| (d.name, rec.and_then(|r| r.props.get(d.name).cloned())))
        .collect()
}

/// Parses and validates create-time associations `[{to:{id}, types:[{associationCategory, associationTypeId}]}]`.
fn parse_create_assocs(
    st: &Store,
    kind: Kind,
    v: Option<&Value>,
) -> ApiResult<Vec<(Kind, u64, u32)>> {
    let mut out = Vec::new();
    let Some(arr) = v.and_then(Value::as_array) else {
        return Ok(out);
    };
    for a in arr {
        let to_id = a["to"]["id"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| a["to"]["id"].as_u64().map(|n| n.to_string()))
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| ApiError::validation("Invalid association: to.id is required"))?;
        let types = a["types"].as_array().cloned().unwrap_or_default();
        if types.is_empty() {
            return Err(ApiError::validation(
                "Invalid association: at least one type is required",
            ));
        }
        for t in types {
            let tid = t["associationTypeId"]
                .as_u64()
                .or_else(|| t["associationTypeId"].as_str().and_then(|s| s.parse().ok()))
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    ApiError::validation("Invalid association: associationTypeId is required")
                })?;
            let at = model::ASSOC_TYPES
                .iter()
                .find(|at| at.from == kind && at.type_id == tid)
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "{tid} is not a valid association type id for {}",
                        kind.plural()
                    ))
                })?;
            if st.live(at.to, to_id).is_none() {
                return Err(assoc::missing_target(at.to, to_id));
            }
            out.push((at.to, to_id, tid));
        }
    }
    Ok(out)
}

/// Creates one record (validated). Returns the new id.
fn create_record(st: &mut Store, kind: Kind, input: &Value, now: i64) -> ApiResult<u64> {
    let props = match input.get("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(_) => obj(input, "properties")?.clone(),
    };
    let mut changes = validate::validate(st, kind, &props, None)?;
    let pending = parse_create_assocs(st, kind, input.get("associations"))?;
    if kind == Kind::Ticket {
        let pend: Vec<(Kind, u64)> = pending.iter().map(|(k, id, _)| (*k, *id)).collect();
        validate::check_pin(st, None, &pend, &changes)?;
        if !changes
            .iter()
            .any(|(k, v)| *k == "hs_pipeline" && !v.is_empty())
        {
            changes.push(("hs_pipeline", "0".into()));
        }
    }
    if kind == Kind::Deal
        && !changes
            .iter()
            .any(|(k, v)| *k == "pipeline" && !v.is_empty())
    {
        changes.push(("pipeline", "default".into()));
    }
    let id = st.alloc_id(kind);
    let mut rec = Record::new(id, now);
    changes.retain(|(_, v)| !v.is_empty());
    apply(&mut rec, kind, &changes, now, Source::Api);
    if kind == Kind::Ticket {
        rec.write("hs_object_source", "API".into(), now, Source::Calculated);
        rec.write(
            "hs_object_source_label",
            "INTERNAL_PROCESSING".into(),
            now,
            Source::Calculated,
        );
        if !rec.props.contains_key("hs_is_closed") {
            rec.write("hs_is_closed", "false".into(), now, Source::Calculated);
        }
    }
    st.insert(kind, rec);
    for (k, to, tid) in pending {
        st.associate((kind, id), (k, to), tid);
    }
    Ok(id)
}

fn create(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let mut st = app.write();
    let id = create_record(&mut st, kind, &body, now_ms())?;
    let rec = st
        .map(kind)
        .and_then(|m| m.get(&id))
        .ok_or_else(ApiError::not_found)?;
    status(201, render(&st, kind, rec, &Sel::All, None, None))
}

/// Updates one live record. Returns Err(None) when not found.
fn update_record(
    st: &mut Store,
    kind: Kind,
    id: u64,
    props: &Map<String, Value>,
    now: i64,
) -> Result<(), Option<ApiError>> {
    let rec = st.live(kind, id).ok_or(None)?;
    let changes = validate::validate(st, kind, props, Some(rec)).map_err(Some)?;
    if kind == Kind::Ticket {
        validate::check_pin(st, Some(id), &[], &changes).map_err(Some)?;
    }
    let before = unique_snapshot(kind, Some(rec));
    if let Some(rec) = st.map_mut(kind).get_mut(&id) {
        apply(rec, kind, &changes, now, Source::Api);
    }
    reindex_unique(st, kind, id, &before);
    Ok(())
}

fn update(app: &AppState, kind: Kind, id: &str, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let props = obj(&body, "properties")?.clone();
    let mut st = app.write();
    let rid = resolve_id(&st, kind, id, r.q("idProperty"))?.ok_or_else(ApiError::not_found)?;
    update_record(&mut st, kind, rid, &props, now_ms())
        .map_err(|e| e.unwrap_or_else(ApiError::not_found))?;
    let rec = st
        .map(kind)
        .and_then(|m| m.get(&rid))
        .ok_or_else(ApiError::not_found)?;
    ok(render(&st, kind, rec, &Sel::All, None, None))
}

fn archive_record(st: &mut Store, kind: Kind, id: u64, now: i64) -> bool {
    match st.map_mut(kind).get_mut(&id) {
        Some(rec) if rec.archived_at.is_none() => {
            // Archiving does not bump hs_lastmodifieddate [O].
            rec.archived_at = Some(now);
            true
        }
        _ => false,
    }
}

fn archive_one(app: &AppState, kind: Kind, id: &str) -> ApiResult<Reply> {
    let mut st = app.write();
    // DELETE of an unknown or already archived id: HubSpot's status is UNCONFIRMED; the
    // sandbox answers 404 OBJECT_NOT_FOUND.
    let rid = parse_id(id).ok_or_else(ApiError::not_found)?;
    if archive_record(&mut st, kind, rid, now_ms()) {
        no_content()
    } else {
        Err(ApiError::not_found())
    }
}

// ---------------------------------------------------------------- batch

fn batch_envelope(results: Vec<Value>, errors: Vec<Value>, started: i64) -> (u16, Value) {
    let now = now_ms();
    let mut v = json!({
        "status": "COMPLETE",
        "results": results,
        "requestedAt": iso(started),
        "startedAt": iso(started),
        "completedAt": iso(now),
    });
    if errors.is_empty() {
        (200, v)
    } else {
        v["numErrors"] = json!(errors.len());
        v["errors"] = Value::Array(errors);
        (207, v)
    }
}

pub fn standard_error(category: &str, message: String, context: Value) -> Value {
    json!({"status": "error", "category": category, "message": message, "context": context, "errors": [], "links": {}})
}

/// The batch error for IDs that don't exist: `OBJECT_NOT_FOUND` with them in `context.ids`
/// [O]. Object batch reads add "Check that ids are valid." (`check_ids`); association batch
/// reads don't.
pub fn objects_not_found(upper: &str, missing: Value, check_ids: bool) -> Value {
    let hint = if check_ids {
        " Check that ids are valid."
    } else {
        ""
    };
    standard_error(
        "OBJECT_NOT_FOUND",
        format!("Could not get some {upper} objects, they may be deleted or not exist.{hint}"),
        json!({ "ids": missing }),
    )
}

fn inputs(body: &Value, max: usize) -> ApiResult<Vec<Value>> {
    let arr = body
        .get("inputs")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::validation("Invalid input JSON: missing field 'inputs'"))?;
    if arr.len() > max {
        return Err(ApiError::validation(format!(
            "Too many inputs: {} provided, the maximum is {max} per batch request",
            arr.len()
        ))
        .with_context(json!({"maxInputs": [max.to_string()]})));
    }
    Ok(arr.clone())
}

fn id_of(v: &Value) -> Option<String> {
    match v.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
}

fn batch(app: &AppState, kind: Kind, op: &str, r: &Req) -> ApiResult<Reply> {
    let started = now_ms();
    let body = r.json()?;
    match op {
        "read" => {
            let history = strings(body.get("propertiesWithHistory"));
            let max = if history.is_some() { 50 } else { 100 };
            let inputs = inputs(&body, max)?;
            let props = strings(body.get("properties"));
            let archived = r.flag("archived")?;
            let id_prop = body.get("idProperty").and_then(Value::as_str);
            let st = app.read();
            let mut results = Vec::new();
            let mut missing = Vec::new();
            let mut seen = BTreeSet::new();
            for i in &inputs {
                let Some(raw) = id_of(i) else { continue };
                if !seen.insert(raw.clone()) {
                    continue;
                }
                let rec = resolve_id(&st, kind, &raw, id_prop)?
                    .and_then(|id| st.map(kind)?.get(&id))
                    .filter(|rec| rec.archived_at.is_some() == archived);
                match rec {
                    Some(rec) => {
                        let sel = props.as_deref().map_or(Sel::Default, Sel::Some);
                        results.push(render(&st, kind, rec, &sel, history.as_deref(), None));
                    }
                    None => missing.push(raw),
                }
            }
            let errors = if missing.is_empty() {
                Vec::new()
            } else {
                vec![objects_not_found(kind.upper(), json!(missing), true)]
            };
            let (code, v) = batch_envelope(results, errors, started);
            status(code, v)
        }
        "create" => {
            let inputs = inputs(&body, 100)?;
            let mut st = app.write();
            // Multi-status is opt-in through objectWriteTraceId [D-obj]. Without trace IDs a bad
            // input fails the whole batch with 400 (UNCONFIRMED, inferred from the docs) and
            // nothing is created.
            let multi =
                !inputs.is_empty() && inputs.iter().all(|i| i.get("objectWriteTraceId").is_some());
            if !multi {
                for i in &inputs {
                    let props = match i.get("properties") {
                        None | Some(Value::Null) => Map::new(),
                        Some(_) => obj(i, "properties")?.clone(),
                    };
                    validate::validate(&st, kind, &props, None)?;
                    parse_create_assocs(&st, kind, i.get("associations"))?;
                }
            }
            let now = now_ms();
            let mut results = Vec::new();
            let mut errors = Vec::new();
            for i in &inputs {
                match create_record(&mut st, kind, i, now) {
                    Ok(id) => {
                        if let Some(rec) = st.map(kind).and_then(|m| m.get(&id)) {
                            let mut v = render(&st, kind, rec, &Sel::All, None, None);
                            if let Some(t) = i.get("objectWriteTraceId") {
                                v["objectWriteTraceId"] = t.clone();
                            }
                            results.push(v);
                        }
                    }
                    Err(e) => {
                        let mut ctx = e.context.clone().unwrap_or_else(|| json!({}));
                        ctx["objectWriteTraceId"] =
                            json!([i["objectWriteTraceId"].as_str().unwrap_or_default()]);
                        let mut se = standard_error(e.category, e.message.clone(), ctx);
                        se["errors"] = Value::Array(e.errors.clone());
                        errors.push(se);
                    }
                }
            }
            let (code, v) = batch_envelope(results, errors, started);
            status(if code == 200 { 201 } else { code }, v)
        }
        "update" => {
            let inputs = inputs(&body, 100)?;
            let mut st = app.write();
            let multi =
                !inputs.is_empty() && inputs.iter().all(|i| i.get("objectWriteTraceId").is_some());
            let mut resolved = Vec::new();
            for i in &inputs {
                let raw = id_of(i).ok_or_else(|| {
                    ApiError::validation("Invalid input JSON: input is missing 'id'")
                })?;
                let id = resolve_id(&st, kind, &raw, i.get("idProperty").and_then(Value::as_str))?;
                let props = obj(i, "properties")?.clone();
                if !multi && let Some(rec) = id.and_then(|id| st.live(kind, id)) {
                    let ch = validate::validate(&st, kind, &props, Some(rec))?;
                    if kind == Kind::Ticket {
                        validate::check_pin(&st, Some(rec.id), &[], &ch)?;
                    }
                }
                resolved.push((raw, id, props, i.get("objectWriteTraceId").cloned()));
            }
            let now = now_ms();
            let mut results = Vec::new();
            let mut errors = Vec::new();
            let mut missing = Vec::new();
            for (raw, id, props, trace) in resolved {
                let res = match id {
                    Some(id) => update_record(&mut st, kind, id, &props, now).map(|()| id),
                    None => Err(None),
                };
                match res {
                    Ok(id) => {
                        if let Some(rec) = st.map(kind).and_then(|m| m.get(&id)) {
                            let mut v = render(&st, kind, rec, &Sel::All, None, None);
                            if let Some(t) = trace {
                                v["objectWriteTraceId"] = t;
                            }
                            results.push(v);
                        }
                    }
                    Err(None) => missing.push(raw),
                    Err(Some(e)) => {
                        let mut se =
                            standard_error(e.category, e.message.clone(), json!({"ids": [raw]}));
                        se["errors"] = Value::Array(e.errors.clone());
                        errors.push(se);
                    }
                }
            }
            if !missing.is_empty() {
                errors.insert(0, objects_not_found(kind.upper(), json!(missing), true));
            }
            let (code, v) = batch_envelope(results, errors, started);
            status(code, v)
        }
        "upsert" => {
            let inputs = inputs(&body, 100)?;
            let mut st = app.write();
            let now = now_ms();
            let mut plan = Vec::new();
            // Validate everything first: a bad input fails the whole batch (UNCONFIRMED).
            for i in &inputs {
                let raw = id_of(i).ok_or_else(|| {
                    ApiError::validation("Invalid input JSON: input is missing 'id'")
                })?;
                let id_prop = i
                    .get("idProperty")
                    .and_then(Value::as_str)
                    .or_else(|| r.q("idProperty"));
                let props = obj(i, "properties")?.clone();
                let existing =
                    resolve_id(&st, kind, &raw, id_prop)?.filter(|id| st.live(kind, *id).is_some());
                match existing {
                    Some(id) => {
                        validate::validate(&st, kind, &props, st.live(kind, id))?;
                    }
                    None => {
                        let Some(p) = id_prop.filter(|p| *p != "hs_object_id") else {
                            return Err(ApiError::validation(format!(
                                "Cannot upsert {} {raw}: no record with this id exists and no unique idProperty was given",
                                kind.singular()
                            )));
                        };
                        let mut with_key = props.clone();
                        with_key.insert(p.to_owned(), json!(raw));
                        validate::validate(&st, kind, &with_key, None)?;
                    }
                }
                plan.push((raw, id_prop.map(str::to_owned), props, existing));
            }
            let mut results = Vec::new();
            for (raw, id_prop, props, existing) in plan {
                let (id, new) = match existing {
                    Some(id) => {
                        update_record(&mut st, kind, id, &props, now)
                            .map_err(|e| e.unwrap_or_else(ApiError::not_found))?;
                        (id, false)
                    }
                    None => {
                        let mut with_key = props.clone();
                        if let Some(p) = &id_prop {
                            with_key.insert(p.clone(), json!(raw));
                        }
                        (
                            create_record(&mut st, kind, &json!({"properties": with_key}), now)?,
                            true,
                        )
                    }
                };
                if let Some(rec) = st.map(kind).and_then(|m| m.get(&id)) {
                    let mut v = render(&st, kind, rec, &Sel::All, None, None);
                    v["new"] = json!(new);
                    results.push(v);
                }
            }
            let (code, v) = batch_envelope(results, Vec::new(), started);
            status(code, v)
        }
        "archive" => {
            let inputs = inputs(&body, 100)?;
            let mut st = app.write();
            let now = now_ms();
            // Unknown ids are ignored (UNCONFIRMED); the call answers 204 regardless.
            for i in &inputs {
                if let Some(id) = id_of(i).and_then(|s| parse_id(&s)) {
                    archive_record(&mut st, kind, id, now);
                }
            }
            no_content()
        }
        _ => Err(no_route(r)),
    }
}

// ---------------------------------------------------------------- properties, pipelines, owners

fn property_json(app: &AppState, kind: Kind, d: &model::PropDef) -> Value {
    let options: Vec<Value> = match d.opts {
        Opts::Fixed(o) => o
            .iter()
            .enumerate()
            .map(|(i, (v, l))| json!({"label": l, "value": v, "displayOrder": i, "hidden": false}))
            .collect(),
        Opts::Pipelines(k) => model::pipelines_of(k)
            .iter()
            .map(|p| json!({"label": p.label, "value": p.id, "displayOrder": p.display_order, "hidden": false}))
            .collect(),
        Opts::Stages(k) => model::pipelines_of(k)
            .iter()
            .flat_map(|p| p.stages.iter())
            .enumerate()
            .map(|(i, s)| json!({"label": s.label, "value": s.id, "displayOrder": i, "hidden": false}))
            .collect(),
        Opts::Owners | Opts::None => Vec::new(),
    };
    let created = if d.custom {
        "2026-01-15T09:30:00.000Z"
    } else {
        "2019-08-06T02:41:08.062Z"
    };
    let mut v = json!({
        "name": d.name,
        "label": d.label,
        "type": d.ptype.as_str(),
        "fieldType": d.field_type,
        "groupName": d.group,
        "description": d.description,
        "options": options,
        "displayOrder": if d.custom { 0 } else { -1 },
        "hidden": false,
        "formField": !d.read_only,
        "calculated": d.calculated,
        "externalOptions": matches!(d.opts, Opts::Owners),
        "hasUniqueValue": d.unique,
        "hubspotDefined": !d.custom,
        "archived": false,
        "createdAt": created,
        "updatedAt": created,
        "modificationMetadata": {
            "archivable": d.custom,
            "readOnlyDefinition": !d.custom,
            "readOnlyValue": d.read_only,
        },
    });
    if matches!(d.opts, Opts::Owners) {
        v["referencedObjectType"] = json!("OWNER");
    }
    if d.custom {
        v["createdUserId"] = json!("9000001");
        v["updatedUserId"] = json!("9000001");
    }
    let _ = app;
    let _ = kind;
    v
}

fn properties(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    if r.flag("archived")? {
        return ok(json!({"results": []}));
    }
    let wanted = r.csv("properties");
    let results: Vec<Value> = model::props_of(kind)
        .iter()
        .filter(|d| {
            wanted
                .as_ref()
                .is_none_or(|w| w.iter().any(|n| n == d.name))
        })
        .map(|d| property_json(app, kind, d))
        .collect();
    ok(json!({"results": results}))
}

fn groups(kind: Kind) -> ApiResult<Reply> {
    let results: Vec<Value> = model::groups_of(kind)
        .iter()
        .enumerate()
        .map(|(i, (n, l))| json!({"name": n, "label": l, "displayOrder": i, "archived": false}))
        .collect();
    ok(json!({"results": results}))
}

fn find_pipeline(kind: Kind, id: &str) -> ApiResult<&'static model::Pipeline> {
    model::pipelines_of(kind)
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(ApiError::not_found)
}

fn stage_json(kind: Kind, p: &model::Pipeline, s: &model::Stage) -> Value {
    let idx = p.stages.iter().position(|x| x.id == s.id).unwrap_or(0);
    let metadata = if kind == Kind::Deal {
        json!({"isClosed": s.closed.to_string(), "probability": s.probability.unwrap_or("0.0")})
    } else {
        json!({"ticketState": if s.closed { "CLOSED" } else { "OPEN" }, "isClosed": s.closed.to_string()})
    };
    json!({
        "id": s.id,
        "label": s.label,
        "displayOrder": idx,
        "metadata": metadata,
        "createdAt": iso(p.created_ms),
        "updatedAt": iso(p.created_ms),
        "archived": false,
        "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
    })
}

fn pipeline_json(kind: Kind, p: &model::Pipeline) -> Value {
    json!({
        "id": p.id,
        "label": p.label,
        "displayOrder": p.display_order,
        "stages": p.stages.iter().map(|s| stage_json(kind, p, s)).collect::<Vec<_>>(),
        "createdAt": iso(p.created_ms),
        "updatedAt": iso(p.created_ms),
        "archived": false,
    })
}

fn owner_json(o: &super::store::Owner) -> Value {
    let mut v = json!({
        "id": o.id.to_string(),
        "type": o.owner_type,
        "createdAt": iso(o.created),
        "updatedAt": iso(o.created + 86_400_000),
        "archived": o.archived,
        "userIdIncludingInactive": o.user_id,
        "teams": o.team.map(|(id, name)| vec![json!({"id": id.to_string(), "name": name, "primary": true})]).unwrap_or_default(),
    });
    if !o.email.is_empty() {
        v["email"] = json!(o.email);
    }
    if !o.first.is_empty() {
        v["firstName"] = json!(o.first);
    }
    if !o.last.is_empty() {
        v["lastName"] = json!(o.last);
    }
    // Archived owners have no userId (HubSpot: `userId: null`; omitted here since the
    // spec types it as a non-null integer).
    if !o.archived && o.owner_type == "PERSON" {
        v["userId"] = json!(o.user_id);
    }
    v
}

fn owners(app: &AppState, r: &Req) -> ApiResult<Reply> {
    let limit = r.int("limit")?.unwrap_or(100);
    // Max 500 [O]; over the maximum is clamped here (UNCONFIRMED).
    let limit = usize::try_from(limit.clamp(1, 500)).unwrap_or(100);
    let archived = r.flag("archived")?;
    let email = r.q("email").map(str::to_ascii_lowercase);
    let after = match r.q("after") {
        None | Some("") => 0,
        Some(a) => a
            .parse::<u64>()
            .map_err(|_| ApiError::validation(format!("Invalid paging cursor: {a}")))?,
    };
    let st = app.read();
    let mut matching = st
        .owners
        .iter()
        .filter(|o| o.archived == archived && o.id >= after)
        .filter(|o| {
            email
                .as_ref()
                .is_none_or(|e| o.email.eq_ignore_ascii_case(e))
        });
    let page: Vec<Value> = matching.by_ref().take(limit).map(owner_json).collect();
    let mut body = json!({"results": page});
    if let Some(n) = matching.next() {
        let a = n.id.to_string();
        body["paging"] = json!({"next": {"after": a, "link": r.next_link(&a)}});
    }
    ok(body)
}

fn owner_one(app: &AppState, id: &str, r: &Req) -> ApiResult<Reply> {
    let by_user = match r.q("idProperty") {
        None | Some("id") => false,
        Some("userId") => true,
        Some(p) => {
            return Err(ApiError::validation(format!(
                "Invalid idProperty '{p}'; must be one of [id, userId]"
            )));
        }
    };
    let archived = r.flag("archived")?;
    let n = id.parse::<u64>().map_err(|_| ApiError::not_found())?;
    let st = app.read();
    let o = st
        .owners
        .iter()
        .find(|o| if by_user { o.user_id == n } else { o.id == n })
        .filter(|o| !archived || o.archived)
        .filter(|o| archived || !o.archived)
        .ok_or_else(ApiError::not_found)?;
    ok(owner_json(o))
}
