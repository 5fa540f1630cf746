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
use super::store::now_ms;
use super::validate;

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

pub fn batch(app: &AppState, kind: Kind, op: &str, r: &Req) -> ApiResult<Reply> {
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
                        Some(_) => object_field(i, "properties")?.clone(),
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
                let props = object_field(i, "properties")?.clone();
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
                let props = object_field(i, "properties")?.clone();
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
