//! `POST /crm/v3/objects/{type}/batch/{read|create|update|upsert|archive}`, one handler per
//! operation. Inputs are parsed here; writes go through `records`, answers through `render`
//! (the batch envelope, 207 with per-input errors).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, no_content, no_route, object_field, status};
use super::model::Kind;
use super::records::{
    archive_record, create_record, parse_create_assocs, parse_id, resolve_id, update_record,
};
use super::render::{Sel, batch_envelope, objects_not_found, render, standard_error};
use super::state::AppState;
use super::store::{Store, now_ms};
use super::validate;

/// The `inputs` array, at most `max` of them (400 with `maxInputs` over it).
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

/// An input's `id`, given as a string or a number.
fn id_of(v: &Value) -> Option<String> {
    match v.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// A non-empty array of strings (`properties`, `propertiesWithHistory`).
fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
}

/// Routes a batch call to its operation. The body is parsed first: a malformed body is a
/// 400 even for an unknown operation.
pub fn batch(app: &AppState, kind: Kind, op: &str, r: &Req) -> ApiResult<Reply> {
    let started = now_ms();
    let body = r.json()?;
    match op {
        "read" => read(app, kind, r, &body, started),
        "create" => create(app, kind, &body, started),
        "update" => update(app, kind, &body, started),
        "upsert" => upsert(app, kind, r, &body, started),
        "archive" => archive(app, kind, &body),
        _ => Err(no_route(r)),
    }
}

/// Multi-status is opt-in through objectWriteTraceId [D-obj]: only when every input carries
/// one does a bad input become a per-input error instead of failing the whole batch.
fn multi_status(inputs: &[Value]) -> bool {
    !inputs.is_empty() && inputs.iter().all(|i| i.get("objectWriteTraceId").is_some())
}

/// A written record as create/update answers render it, with `extra` fields set.
fn rendered(st: &Store, kind: Kind, id: u64, extra: Option<(&str, Value)>) -> Option<Value> {
    let rec = st.map(kind).and_then(|m| m.get(&id))?;
    let mut v = render(st, kind, rec, &Sel::All, None, None);
    if let Some((field, value)) = extra {
        v[field] = value;
    }
    Some(v)
}

/// A per-input error of a multi-status write: HubSpot's StandardError with the failure's
/// details and `context`.
fn input_error(e: &ApiError, context: Value) -> Value {
    let mut se = standard_error(e.category, e.message.clone(), context);
    se["errors"] = Value::Array(e.errors.clone());
    se
}

/// `batch/read`: by id or a unique `idProperty`; duplicates answered once, unknown ids in
/// one OBJECT_NOT_FOUND error (207).
fn read(app: &AppState, kind: Kind, r: &Req, body: &Value, started: i64) -> ApiResult<Reply> {
    let history = strings(body.get("propertiesWithHistory"));
    let max = if history.is_some() { 50 } else { 100 };
    let inputs = inputs(body, max)?;
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

/// Without trace IDs a bad input fails the whole batch with 400 (UNCONFIRMED, inferred from
/// the docs) and nothing is created: every input is checked before any is written.
fn check_creates(st: &Store, kind: Kind, inputs: &[Value]) -> ApiResult<()> {
    for i in inputs {
        let props = match i.get("properties") {
            None | Some(Value::Null) => Map::new(),
            Some(_) => object_field(i, "properties")?.clone(),
        };
        validate::validate(st, kind, &props, None)?;
        parse_create_assocs(st, kind, i.get("associations"))?;
    }
    Ok(())
}

/// `batch/create`: 201, or 207 with per-input errors when multi-status was asked for.
fn create(app: &AppState, kind: Kind, body: &Value, started: i64) -> ApiResult<Reply> {
    let inputs = inputs(body, 100)?;
    let mut st = app.write();
    if !multi_status(&inputs) {
        check_creates(&st, kind, &inputs)?;
    }
    let now = now_ms();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for i in &inputs {
        match create_record(&mut st, kind, i, now) {
            Ok(id) => {
                let trace = i
                    .get("objectWriteTraceId")
                    .map(|t| ("objectWriteTraceId", t.clone()));
                results.extend(rendered(&st, kind, id, trace));
            }
            Err(e) => {
                let mut ctx = e.context.clone().unwrap_or_else(|| json!({}));
                ctx["objectWriteTraceId"] =
                    json!([i["objectWriteTraceId"].as_str().unwrap_or_default()]);
                errors.push(input_error(&e, ctx));
            }
        }
    }
    let (code, v) = batch_envelope(results, errors, started);
    status(if code == 200 { 201 } else { code }, v)
}

/// One update input, its id resolved (`None`: no such record).
struct UpdateInput {
    raw: String,
    id: Option<u64>,
    props: Map<String, Value>,
    trace: Option<Value>,
}

/// Resolves every update input; without multi-status also validates each against its
/// record, so that a bad input fails the whole batch before anything is written.
fn resolve_updates(
    st: &Store,
    kind: Kind,
    inputs: &[Value],
    multi: bool,
) -> ApiResult<Vec<UpdateInput>> {
    let mut resolved = Vec::new();
    for i in inputs {
        let raw = id_of(i)
            .ok_or_else(|| ApiError::validation("Invalid input JSON: input is missing 'id'"))?;
        let id = resolve_id(st, kind, &raw, i.get("idProperty").and_then(Value::as_str))?;
        let props = object_field(i, "properties")?.clone();
        if !multi && let Some(rec) = id.and_then(|id| st.live(kind, id)) {
            let ch = validate::validate(st, kind, &props, Some(rec))?;
            if kind == Kind::Ticket {
                validate::check_pin(st, Some(rec.id), &[], &ch)?;
            }
        }
        let trace = i.get("objectWriteTraceId").cloned();
        resolved.push(UpdateInput {
            raw,
            id,
            props,
            trace,
        });
    }
    Ok(resolved)
}

/// `batch/update`: unknown ids in one OBJECT_NOT_FOUND error first, then the per-input
/// errors (207).
fn update(app: &AppState, kind: Kind, body: &Value, started: i64) -> ApiResult<Reply> {
    let inputs = inputs(body, 100)?;
    let mut st = app.write();
    let resolved = resolve_updates(&st, kind, &inputs, multi_status(&inputs))?;
    let now = now_ms();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    let mut missing = Vec::new();
    for u in resolved {
        let res = match u.id {
            Some(id) => update_record(&mut st, kind, id, &u.props, now).map(|()| id),
            None => Err(None),
        };
        match res {
            Ok(id) => {
                let trace = u.trace.map(|t| ("objectWriteTraceId", t));
                results.extend(rendered(&st, kind, id, trace));
            }
            Err(None) => missing.push(u.raw),
            Err(Some(e)) => errors.push(input_error(&e, json!({"ids": [u.raw]}))),
        }
    }
    if !missing.is_empty() {
        errors.insert(0, objects_not_found(kind.upper(), json!(missing), true));
    }
    let (code, v) = batch_envelope(results, errors, started);
    status(code, v)
}

/// One upsert input: the record it updates, or `None` to create one keyed by `id_prop`.
struct UpsertInput {
    raw: String,
    id_prop: Option<String>,
    props: Map<String, Value>,
    existing: Option<u64>,
}

/// Plans every upsert input and validates it. Validate everything first: a bad input fails
/// the whole batch (UNCONFIRMED).
fn plan_upserts(st: &Store, kind: Kind, r: &Req, inputs: &[Value]) -> ApiResult<Vec<UpsertInput>> {
    let mut plan = Vec::new();
    for i in inputs {
        let raw = id_of(i)
            .ok_or_else(|| ApiError::validation("Invalid input JSON: input is missing 'id'"))?;
        let id_prop = i
            .get("idProperty")
            .and_then(Value::as_str)
            .or_else(|| r.q("idProperty"));
        let props = object_field(i, "properties")?.clone();
        let existing =
            resolve_id(st, kind, &raw, id_prop)?.filter(|id| st.live(kind, *id).is_some());
        match existing {
            Some(id) => {
                validate::validate(st, kind, &props, st.live(kind, id))?;
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
                validate::validate(st, kind, &with_key, None)?;
            }
        }
        plan.push(UpsertInput {
            raw,
            id_prop: id_prop.map(str::to_owned),
            props,
            existing,
        });
    }
    Ok(plan)
}

/// Carries out one planned upsert: the record's id, and whether it was created.
fn upsert_one(st: &mut Store, kind: Kind, u: UpsertInput, now: i64) -> ApiResult<(u64, bool)> {
    match u.existing {
        Some(id) => {
            update_record(st, kind, id, &u.props, now)
                .map_err(|e| e.unwrap_or_else(ApiError::not_found))?;
            Ok((id, false))
        }
        None => {
            let mut with_key = u.props;
            if let Some(p) = u.id_prop {
                with_key.insert(p, json!(u.raw));
            }
            let id = create_record(st, kind, &json!({"properties": with_key}), now)?;
            Ok((id, true))
        }
    }
}

/// `batch/upsert`: each result says whether it was created (`new`).
fn upsert(app: &AppState, kind: Kind, r: &Req, body: &Value, started: i64) -> ApiResult<Reply> {
    let inputs = inputs(body, 100)?;
    let mut st = app.write();
    let now = now_ms();
    let plan = plan_upserts(&st, kind, r, &inputs)?;
    let mut results = Vec::new();
    for u in plan {
        let (id, new) = upsert_one(&mut st, kind, u, now)?;
        results.extend(rendered(&st, kind, id, Some(("new", json!(new)))));
    }
    let (code, v) = batch_envelope(results, Vec::new(), started);
    status(code, v)
}

/// `batch/archive`: unknown ids are ignored (UNCONFIRMED); the call answers 204 regardless.
fn archive(app: &AppState, kind: Kind, body: &Value) -> ApiResult<Reply> {
    let inputs = inputs(body, 100)?;
    let mut st = app.write();
    let now = now_ms();
    for i in &inputs {
        if let Some(id) = id_of(i).and_then(|s| parse_id(&s)) {
            archive_record(&mut st, kind, id, now);
        }
    }
    no_content()
}
