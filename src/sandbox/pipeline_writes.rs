//! The Pipelines API writes and audits [S: P3]: create, replace (PUT), update (PATCH) and
//! archive (DELETE) a pipeline (`/crm/v3/pipelines/{type}[/{pipelineId}]`) and its stages
//! (`.../{pipelineId}/stages[/{stageId}]`), and the audit reads (`.../audit`). Each parses
//! and validates the request, changes the store's schema, records an audit entry and answers
//! with `meta_json`'s JSON; it never changes records.
//!
//! Rules, and where they come from:
//! - `label`, `displayOrder`, `stages` (pipelines) and `label`, `displayOrder`, `metadata`
//!   (stages) are required [S: PipelineInput, PipelineStageInput .required].
//! - A pipeline's label is unique among the object's pipelines [S: PipelineInput.label "A
//!   unique label"]; a stage's label is unique within its pipeline [S:
//!   PipelineStagePatchInput.label]. HubSpot's error for a clash is UNCONFIRMED: 400
//!   VALIDATION_ERROR here. Labels compare case-insensitively (UNCONFIRMED).
//! - Ticket stages: `metadata.ticketState` is `OPEN` or `CLOSED`, optional (OPEN when
//!   absent, UNCONFIRMED); deal stages: `metadata.probability` is required, 0.0 to 1.0 [S:
//!   PipelineStage.metadata description]. `isClosed` is added as real answers carry it [O]
//!   (for deals it is what the input says, else "false": UNCONFIRMED).
//! - Archiving a pipeline or stage that records use: allowed by default in v3, refused with a
//!   validation error when `validateReferencesBeforeDelete=true` (deals:
//!   `validateDealStageUsagesBeforeDelete=true`) — the behaviour that became the default in
//!   `/2026-09/` [D: changelog "pipeline-stage-validation-true"; 2026-09 pipelines guide].
//!   The error's message and context are UNCONFIRMED. Archiving a pipeline's last live stage,
//!   or an object's last live pipeline, is refused too (UNCONFIRMED).
//! - Only tickets and deals have pipelines in the sandbox; other object types answer 400
//!   (UNCONFIRMED wording).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, no_content, ok, status};
use super::meta_json::{find_pipeline, no_such_stage, pipeline_json, stage_json};
use super::model::Kind;
use super::schema::{Audit, PipelineDef, Schema, StageDef};
use super::state::AppState;
use super::store::{Store, get_prop, iso, now_ms};

/// The portal id the audit entries carry (`PublicAuditInfo.portalId` is required [S]).
pub const SANDBOX_PORTAL_ID: i64 = 20_261_101;

/// The properties holding a record's pipeline and stage.
fn pipeline_props(kind: Kind) -> ApiResult<(&'static str, &'static str)> {
    match kind {
        Kind::Ticket => Ok(("hs_pipeline", "hs_pipeline_stage")),
        Kind::Deal => Ok(("pipeline", "dealstage")),
        k => Err(ApiError::validation(format!(
            "Object type {} does not support pipelines",
            k.plural()
        ))),
    }
}

fn object(v: &Value) -> ApiResult<&Map<String, Value>> {
    v.as_object()
        .ok_or_else(|| ApiError::validation("Invalid input JSON: expected an object"))
}

fn missing_fields(fields: &[&str]) -> ApiError {
    ApiError::validation(format!(
        "Invalid input JSON: Some required fields were not set: [{}]",
        fields.join(", ")
    ))
}

fn label_of(o: &Map<String, Value>) -> ApiResult<Option<String>> {
    match o.get("label") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::validation(
            "Invalid input JSON: label must be a non-empty string",
        )),
    }
}

fn order_of(o: &Map<String, Value>) -> ApiResult<Option<i32>> {
    match o.get("displayOrder") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::validation("Invalid input JSON: displayOrder must be an integer")
            }),
    }
}

/// `metadata` as strings (numbers are accepted: the spec's own example sends
/// `{"probability": 0.5}`), checked for the object type.
fn parse_metadata(kind: Kind, v: Option<&Value>) -> ApiResult<BTreeMap<String, String>> {
    let Some(Value::Object(m)) = v else {
        return Err(missing_fields(&["metadata"]));
    };
    let mut out = BTreeMap::new();
    for (k, v) in m {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => {
                return Err(ApiError::validation(format!(
                    "Invalid stage metadata: {k} must be a string"
                )));
            }
        };
        out.insert(k.clone(), s);
    }
    if kind == Kind::Ticket {
        let state = out
            .entry("ticketState".to_owned())
            .or_insert_with(|| "OPEN".to_owned());
        if state != "OPEN" && state != "CLOSED" {
            return Err(ApiError::validation(format!(
                "Invalid ticketState '{state}': must be OPEN or CLOSED"
            )));
        }
        let closed = (state == "CLOSED").to_string();
        out.insert("isClosed".to_owned(), closed);
    } else if kind == Kind::Deal {
        let p = out.get("probability").cloned().unwrap_or_default();
        let ok = p.parse::<f64>().is_ok_and(|x| (0.0..=1.0).contains(&x));
        if !ok {
            return Err(ApiError::validation(format!(
                "Invalid probability '{p}': deal stages need metadata.probability between 0.0 and 1.0"
            )));
        }
        out.entry("isClosed".to_owned())
            .or_insert_with(|| "false".to_owned());
    }
    Ok(out)
}

/// A stage input: (asked-for stage id, label, displayOrder, metadata).
struct StageIn {
    id: Option<String>,
    label: String,
    display_order: i32,
    metadata: BTreeMap<String, String>,
}

fn parse_stage(kind: Kind, v: &Value) -> ApiResult<StageIn> {
    let o = object(v)?;
    let (label, order) = (label_of(o)?, order_of(o)?);
    let (Some(label), Some(display_order)) = (label, order) else {
        return Err(missing_fields(&["label", "displayOrder"]));
    };
    Ok(StageIn {
        id: o.get("stageId").and_then(Value::as_str).map(str::to_owned),
        label,
        display_order,
        metadata: parse_metadata(kind, o.get("metadata"))?,
    })
}

/// Stage labels must differ within a pipeline.
fn check_stage_labels<'a>(labels: impl Iterator<Item = &'a str>) -> ApiResult<()> {
    let mut seen: Vec<String> = Vec::new();
    for l in labels {
        let k = l.trim().to_lowercase();
        if seen.contains(&k) {
            return Err(ApiError::validation(format!(
                "Stage label '{l}' is used more than once; each stage's label must be unique within its pipeline"
            )));
        }
        seen.push(k);
    }
    Ok(())
}

/// A pipeline label must differ from the object's other live pipelines'.
fn check_pipeline_label(schema: &Schema, kind: Kind, label: &str, except: &str) -> ApiResult<()> {
    let k = label.trim().to_lowercase();
    if schema
        .pipelines(kind)
        .any(|p| p.id != except && p.label.trim().to_lowercase() == k)
    {
        return Err(ApiError::validation(format!(
            "A pipeline with label '{label}' already exists for object type {}",
            kind.plural()
        )));
    }
    Ok(())
}

/// The id for a new stage or pipeline: the one asked for (if free) or a fresh one.
fn new_id(schema: &mut Schema, asked: Option<String>) -> ApiResult<String> {
    match asked {
        Some(id) if schema.id_taken(&id) => Err(ApiError::new(
            409,
            "CONFLICT",
            format!("A pipeline or stage with id {id} already exists"),
        )),
        Some(id) if !id.is_empty() => Ok(id),
        _ => Ok(schema.next_id()),
    }
}

fn audit(
    schema: &mut Schema,
    kind: Kind,
    p: &str,
    s: Option<&str>,
    action: &'static str,
    raw: Value,
) {
    schema.record_audit(Audit {
        kind,
        pipeline: p.to_owned(),
        stage: s.map(str::to_owned),
        action,
        ts: now_ms(),
        raw,
    });
}

/// Whether to refuse archiving what records still use.
fn validate_references(kind: Kind, r: &Req) -> ApiResult<bool> {
    if kind == Kind::Deal {
        Ok(r.flag("validateDealStageUsagesBeforeDelete")?
            || r.flag("validateReferencesBeforeDelete")?)
    } else {
        r.flag("validateReferencesBeforeDelete")
    }
}

/// How many live records are in pipeline `pid` (and stage `sid`, when given).
fn usages(st: &Store, kind: Kind, pid: &str, sid: Option<&str>) -> usize {
    let Ok((pp, sp)) = pipeline_props(kind) else {
        return 0;
    };
    st.map(kind).map_or(0, |m| {
        m.values()
            .filter(|r| r.archived_at.is_none())
            .filter(|r| match sid {
                Some(s) => get_prop(kind, r, sp).as_deref() == Some(s),
                None => get_prop(kind, r, pp).as_deref() == Some(pid),
            })
            .count()
    })
}

fn in_use(what: String, n: usize) -> ApiError {
    ApiError::validation(format!(
        "{what} cannot be deleted: it is used by {n} record(s). Move them first, or pass validateReferencesBeforeDelete=false."
    ))
    .with_context(json!({"usages": [n.to_string()]}))
}

fn build_stages(
    schema: &mut Schema,
    inputs: Vec<StageIn>,
    keep: &[StageDef],
    now: i64,
) -> ApiResult<Vec<StageDef>> {
    let mut out = Vec::new();
    for s in inputs {
        let existing =
            s.id.as_ref()
                .and_then(|id| keep.iter().find(|k| &k.id == id));
        let (id, created) = match existing {
            Some(k) => (k.id.clone(), k.created_ms),
            None => (new_id(schema, s.id)?, now),
        };
        out.push(StageDef {
            id,
            label: s.label,
            display_order: s.display_order,
            metadata: s.metadata,
            created_ms: created,
            updated_ms: now,
            archived_ms: None,
        });
    }
    Ok(out)
}

fn parse_stages(kind: Kind, o: &Map<String, Value>) -> ApiResult<Vec<StageIn>> {
    let arr = o
        .get("stages")
        .and_then(Value::as_array)
        .ok_or_else(|| missing_fields(&["stages"]))?;
    if arr.is_empty() {
        return Err(ApiError::validation("A pipeline needs at least one stage"));
    }
    let stages: Vec<StageIn> = arr
        .iter()
        .map(|v| parse_stage(kind, v))
        .collect::<ApiResult<_>>()?;
    check_stage_labels(stages.iter().map(|s| s.label.as_str()))?;
    Ok(stages)
}

/// `POST /crm/v3/pipelines/{type}` (`PipelineInput`) → 201 `Pipeline`.
pub fn create(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    pipeline_props(kind)?;
    let body = r.json()?;
    let o = object(&body)?;
    let (Some(label), Some(order)) = (label_of(o)?, order_of(o)?) else {
        return Err(missing_fields(&["label", "displayOrder", "stages"]));
    };
    let stages = parse_stages(kind, o)?;
    let mut st = app.write();
    check_pipeline_label(&st.schema, kind, &label, "")?;
    let now = now_ms();
    let asked = o
        .get("pipelineId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let id = new_id(&mut st.schema, asked)?;
    let stages = build_stages(&mut st.schema, stages, &[], now)?;
    let p = PipelineDef {
        id: id.clone(),
        label,
        display_order: order,
        stages,
        created_ms: now,
        updated_ms: now,
        archived_ms: None,
    };
    let v = pipeline_json(&p);
    st.schema.add_pipeline(kind, p);
    audit(&mut st.schema, kind, &id, None, "CREATE", v.clone());
    status(201, v)
}

/// `PUT /crm/v3/pipelines/{type}/{pipelineId}` (`PipelineReplaceInput`) → 200 `Pipeline`.
/// Stages named by `stageId` keep their id; the others are new; stages left out are
/// archived (see the module doc on records that use them).
pub fn replace(app: &AppState, kind: Kind, pid: &str, r: &Req) -> ApiResult<Reply> {
    pipeline_props(kind)?;
    let body = r.json()?;
    let o = object(&body)?;
    let (Some(label), Some(order)) = (label_of(o)?, order_of(o)?) else {
        return Err(missing_fields(&["label", "displayOrder", "stages"]));
    };
    let stages = parse_stages(kind, o)?;
    let validate = validate_references(kind, r)?;
    let mut st = app.write();
    let current = find_pipeline(&st.schema, kind, pid)?.clone();
    check_pipeline_label(&st.schema, kind, &label, pid)?;
    let now = now_ms();
    let mut new_stages = build_stages(&mut st.schema, stages, &current.stages, now)?;
    for old in current.live_stages() {
        if new_stages.iter().any(|s| s.id == old.id) {
            continue;
        }
        let n = usages(&st, kind, pid, Some(&old.id));
        if validate && n > 0 {
            return Err(in_use(format!("Stage {}", old.id), n));
        }
        let mut gone = old.clone();
        gone.archived_ms = Some(now);
        new_stages.push(gone);
    }
    let p = st
        .schema
        .pipeline_any_mut(kind, pid)
        .ok_or_else(ApiError::not_found)?;
    p.label = label;
    p.display_order = order;
    p.stages = new_stages;
    p.updated_ms = now;
    let v = pipeline_json(p);
    audit(&mut st.schema, kind, pid, None, "UPDATE", v.clone());
    ok(v)
}

/// `PATCH /crm/v3/pipelines/{type}/{pipelineId}` (`PipelinePatchInput`: `label`,
/// `displayOrder`, `archived`) → 200 `Pipeline`. `archived: false` restores an archived one.
pub fn update(app: &AppState, kind: Kind, pid: &str, r: &Req) -> ApiResult<Reply> {
    pipeline_props(kind)?;
    let body = r.json()?;
    let o = object(&body)?;
    let (label, order) = (label_of(o)?, order_of(o)?);
    let archived = o.get("archived").and_then(Value::as_bool);
    let validate = validate_references(kind, r)?;
    let mut st = app.write();
    let exists = st
        .schema
        .pipelines_all(kind)
        .iter()
        .any(|p| p.id == pid && (p.is_live() || archived == Some(false)));
    if !exists {
        find_pipeline(&st.schema, kind, pid)?;
    }
    if let Some(l) = &label {
        check_pipeline_label(&st.schema, kind, l, pid)?;
    }
    if archived == Some(true) {
        check_archivable(&st, kind, pid, validate)?;
    }
    let now = now_ms();
    let p = st
        .schema
        .pipeline_any_mut(kind, pid)
        .ok_or_else(ApiError::not_found)?;
    if let Some(l) = label {
        p.label = l;
    }
    if let Some(n) = order {
        p.display_order = n;
    }
    match archived {
        Some(true) => p.archived_ms = Some(now),
        Some(false) => p.archived_ms = None,
        None => {}
    }
    p.updated_ms = now;
    let v = pipeline_json(p);
    audit(&mut st.schema, kind, pid, None, "UPDATE", v.clone());
    ok(v)
}

fn check_archivable(st: &Store, kind: Kind, pid: &str, validate: bool) -> ApiResult<()> {
    if st.schema.pipelines(kind).filter(|p| p.id != pid).count() == 0 {
        return Err(ApiError::validation(format!(
            "Pipeline {pid} is the last pipeline of object type {} and cannot be deleted",
            kind.plural()
        )));
    }
    let n = usages(st, kind, pid, None);
    if validate && n > 0 {
        return Err(in_use(format!("Pipeline {pid}"), n));
    }
    Ok(())
}

/// `DELETE /crm/v3/pipelines/{type}/{pipelineId}` → 204.
pub fn archive(app: &AppState, kind: Kind, pid: &str, r: &Req) -> ApiResult<Reply> {
    pipeline_props(kind)?;
    let validate = validate_references(kind, r)?;
    let mut st = app.write();
    find_pipeline(&st.schema, kind, pid)?;
    check_archivable(&st, kind, pid, validate)?;
    let now = now_ms();
    if let Some(p) = st.schema.pipeline_any_mut(kind, pid) {
        p.archived_ms = Some(now);
        p.updated_ms = now;
    }
    audit(
        &mut st.schema,
        kind,
        pid,
        None,
        "DELETE",
        json!({"id": pid}),
    );
    no_content()
}

/// `POST .../{pipelineId}/stages` (`PipelineStageInput`) → 201 `PipelineStage`.
pub fn create_stage(app: &AppState, kind: Kind, pid: &str, r: &Req) -> ApiResult<Reply> {
    pipeline_props(kind)?;
    let body = r.json()?;
    let s = parse_stage(kind, &body)?;
    let mut st = app.write();
    let p = find_pipeline(&st.schema, kind, pid)?;
    check_stage_labels(
        p.live_stages()
            .map(|x| x.label.as_str())
            .chain([s.label.as_str()]),
    )?;
    let now = now_ms();
    let mut built = build_stages(&mut st.schema, vec![s], &[], now)?;
    let stage = built.pop().ok_or_else(ApiError::not_found)?;
    let v = stage_json(&stage);
    let sid = stage.id.clone();
    if let Some(p) = st.schema.pipeline_any_mut(kind, pid) {
        p.stages.push(stage);
        p.updated_ms = now;
    }
    audit(&mut st.schema, kind, pid, Some(&sid), "CREATE", v.clone());
    status(201, v)
}

/// The changes of a stage PUT or PATCH: label, displayOrder, metadata, archived.
struct StagePatch {
    label: Option<String>,
    display_order: Option<i32>,
    metadata: BTreeMap<String, String>,
    archived: Option<bool>,
}

fn write_stage(
    app: &AppState,
    kind: Kind,
    pid: &str,
    sid: &str,
    patch: StagePatch,
    validate: bool,
) -> ApiResult<Reply> {
    let mut st = app.write();
    let p = find_pipeline(&st.schema, kind, pid)?;
    p.stages
        .iter()
        .find(|s| s.id == sid && (s.is_live() || patch.archived == Some(false)))
        .ok_or_else(|| no_such_stage(sid, pid))?;
    if let Some(l) = &patch.label {
        let others = p
            .live_stages()
            .filter(|s| s.id != sid)
            .map(|s| s.label.as_str());
        check_stage_labels(others.chain([l.as_str()]))?;
    }
    if patch.archived == Some(true) {
        check_stage_archivable(&st, kind, p, sid, validate)?;
    }
    let now = now_ms();
    let p = st
        .schema
        .pipeline_any_mut(kind, pid)
        .ok_or_else(ApiError::not_found)?;
    p.updated_ms = now;
    let s = p
        .stages
        .iter_mut()
        .find(|s| s.id == sid)
        .ok_or_else(|| no_such_stage(sid, pid))?;
    if let Some(l) = patch.label {
        s.label = l;
    }
    if let Some(n) = patch.display_order {
        s.display_order = n;
    }
    s.metadata = patch.metadata;
    match patch.archived {
        Some(true) => s.archived_ms = Some(now),
        Some(false) => s.archived_ms = None,
        None => {}
    }
    s.updated_ms = now;
    let v = stage_json(s);
    audit(&mut st.schema, kind, pid, Some(sid), "UPDATE", v.clone());
    ok(v)
}

/// `PUT .../stages/{stageId}` (`PipelineStageReplaceInput`) → 200 `PipelineStage`.
pub fn replace_stage(
    app: &AppState,
    kind: Kind,
    pid: &str,
    sid: &str,
    r: &Req,
) -> ApiResult<Reply> {
    pipeline_props(kind)?;
    let body = r.json()?;
    let s = parse_stage(kind, &body)?;
    let patch = StagePatch {
        label: Some(s.label),
        display_order: Some(s.display_order),
        metadata: s.metadata,
        archived: None,
    };
    write_stage(app, kind, pid, sid, patch, false)
}

/// `PATCH .../stages/{stageId}` (`PipelineStagePatchInput`: `metadata` required) → 200.
pub fn update_stage(app: &AppState, kind: Kind, pid: &str, sid: &str, r: &Req) -> ApiResult<Reply> {
    pipeline_props(kind)?;
    let body = r.json()?;
    let o = object(&body)?;
    let patch = StagePatch {
        label: label_of(o)?,
        display_order: order_of(o)?,
        metadata: parse_metadata(kind, o.get("metadata"))?,
        archived: o.get("archived").and_then(Value::as_bool),
    };
    let validate = validate_references(kind, r)?;
    write_stage(app, kind, pid, sid, patch, validate)
}

fn check_stage_archivable(
    st: &Store,
    kind: Kind,
    p: &PipelineDef,
    sid: &str,
    validate: bool,
) -> ApiResult<()> {
    if p.live_stages().filter(|s| s.id != sid).count() == 0 {
        return Err(ApiError::validation(format!(
            "Stage {sid} is the last stage of pipeline {} and cannot be deleted",
            p.id
        )));
    }
    let n = usages(st, kind, &p.id, Some(sid));
    if validate && n > 0 {
        return Err(in_use(format!("Stage {sid}"), n));
    }
    Ok(())
}

/// `DELETE .../stages/{stageId}` → 204.
pub fn archive_stage(
    app: &AppState,
    kind: Kind,
    pid: &str,
    sid: &str,
    r: &Req,
) -> ApiResult<Reply> {
    pipeline_props(kind)?;
    let validate = validate_references(kind, r)?;
    let mut st = app.write();
    let p = find_pipeline(&st.schema, kind, pid)?;
    p.stage(sid).ok_or_else(|| no_such_stage(sid, pid))?;
    check_stage_archivable(&st, kind, p, sid, validate)?;
    let now = now_ms();
    if let Some(p) = st.schema.pipeline_any_mut(kind, pid) {
        p.updated_ms = now;
        if let Some(s) = p.stages.iter_mut().find(|s| s.id == sid) {
            s.archived_ms = Some(now);
            s.updated_ms = now;
        }
    }
    audit(
        &mut st.schema,
        kind,
        pid,
        Some(sid),
        "DELETE",
        json!({"id": sid}),
    );
    no_content()
}

/// `GET .../{pipelineId}/audit` and `.../stages/{stageId}/audit` → 200
/// `{results: PublicAuditInfo[]}`, newest first [S: "reverse chronological"]. A pipeline's
/// audit lists its own mutations and its stages' (UNCONFIRMED); archived pipelines and stages
/// keep theirs. `action` names (CREATE, UPDATE, DELETE) and `identifier` (the pipeline or
/// stage id) are UNCONFIRMED.
pub fn audit_read(app: &AppState, kind: Kind, pid: &str, sid: Option<&str>) -> ApiResult<Reply> {
    pipeline_props(kind)?;
    let st = app.read();
    let p = st
        .schema
        .pipelines_all(kind)
        .iter()
        .find(|p| p.id == pid)
        .ok_or_else(|| {
            find_pipeline(&st.schema, kind, pid)
                .err()
                .unwrap_or_else(ApiError::not_found)
        })?;
    if let Some(s) = sid
        && !p.stages.iter().any(|x| x.id == s)
    {
        return Err(no_such_stage(s, pid));
    }
    let mut entries: Vec<&Audit> = st
        .schema
        .audit
        .iter()
        .filter(|a| a.kind == kind && a.pipeline == pid)
        .filter(|a| sid.is_none() || a.stage.as_deref() == sid)
        .collect();
    // Newest first; entries of the same millisecond in reverse order of writing.
    entries.reverse();
    entries.sort_by_key(|a| std::cmp::Reverse(a.ts));
    let results: Vec<Value> = entries
        .iter()
        .map(|a| {
            json!({
                "action": a.action,
                "identifier": a.stage.as_deref().unwrap_or(&a.pipeline),
                "portalId": SANDBOX_PORTAL_ID,
                "fromUserId": 9_000_001,
                "timestamp": iso(a.ts),
                "message": format!("{} {}", a.action, a.stage.as_deref().map_or("pipeline", |_| "stage")),
                "rawObject": a.raw,
            })
        })
        .collect();
    ok(json!({"results": results}))
}
