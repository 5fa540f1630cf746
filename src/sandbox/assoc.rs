//! Association endpoints: v4 per-object and batch routes (one function per batch
//! operation), labels, and the legacy v3 per-object and batch routes. Edges are stored per
//! direction; reverse edges are automatic. Records are rendered by `render`; this module
//! never writes record properties.

use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, no_content, no_route, ok, status};
use super::model::{self, Kind};
use super::render::{Sel, objects_not_found, render, standard_error};
use super::state::AppState;
use super::store::{Store, iso, now_ms};

/// A record named in the URL that does not exist: 404 OBJECT_NOT_FOUND (UNCONFIRMED which
/// of 400/404 HubSpot uses; a URL naming a missing resource is a 404 everywhere else).
fn missing_path(st: &Store, kind: Kind, id: &str) -> ApiResult<u64> {
    id.parse::<u64>()
        .ok()
        .filter(|n| st.live(kind, *n).is_some())
        .ok_or_else(|| {
            ApiError::new(
                404,
                "OBJECT_NOT_FOUND",
                format!("No {} with id {id} exists.", kind.singular()),
            )
            .with_context(json!({"id": [id], "objectType": [kind.plural()]}))
        })
}

fn spec_json(t: &model::AssocType) -> Value {
    // Unlabeled types carry `label: null`, as HubSpot sends them in every v4 answer and the
    // labels list [D-assoc examples; API-NOTES §2.2, §2.3], although the spec types `label` as
    // an optional string: a client that expects a string there breaks on real HubSpot.
    json!({"category": "HUBSPOT_DEFINED", "typeId": t.type_id, "label": t.label})
}

fn types_json(from: Kind, to: Kind, ids: &[u32]) -> Vec<Value> {
    ids.iter()
        .filter_map(|t| model::assoc_type(from, to, *t))
        .map(spec_json)
        .collect()
}

fn labels_between(st: &Store, from: (Kind, u64), to: (Kind, u64)) -> Vec<String> {
    st.edges
        .get(&from)
        .map(|m| {
            m.types(to)
                .into_iter()
                .filter_map(|t| model::assoc_type(from.0, to.0, t))
                .filter_map(|t| t.label.map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn pair_json(st: &Store, from: (Kind, u64), to: (Kind, u64)) -> Value {
    json!({
        "fromObjectTypeId": from.0.type_id(),
        "fromObjectId": from.1.to_string(),
        "toObjectTypeId": to.0.type_id(),
        "toObjectId": to.1.to_string(),
        "labels": labels_between(st, from, to),
    })
}

fn paged_limit(r: &Req) -> ApiResult<(usize, u64)> {
    let limit = r.int("limit")?.unwrap_or(500);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and 500, got {limit}"
        )));
    }
    let after = match r.q("after") {
        None | Some("") => 0,
        Some(a) => a
            .parse::<u64>()
            .map_err(|_| ApiError::validation(format!("Invalid paging cursor: {a}")))?,
    };
    Ok((usize::try_from(limit).unwrap_or(500), after))
}

pub fn v4_list(app: &AppState, kind: Kind, id: &str, to: Kind, r: &Req) -> ApiResult<Reply> {
    let (limit, after) = paged_limit(r)?;
    let st = app.read();
    let from = missing_path(&st, kind, id)?;
    let all = st.assocs((kind, from), to);
    let mut it = all.into_iter().filter(|(id, _)| *id >= after);
    let results: Vec<Value> = it
        .by_ref()
        .take(limit)
        .map(|(tid, types)| json!({"toObjectId": tid.to_string(), "associationTypes": types_json(kind, to, &types)}))
        .collect();
    let mut body = json!({"results": results});
    if let Some((n, _)) = it.next() {
        let a = n.to_string();
        body["paging"] = json!({"next": {"after": a, "link": r.next_link(&a)}});
    }
    ok(body)
}

fn parse_specs(from: Kind, to: Kind, body: &Value) -> ApiResult<Vec<&'static model::AssocType>> {
    let arr = body.as_array().ok_or_else(|| {
        ApiError::validation("Invalid input JSON: expected an array of AssociationSpec")
    })?;
    let mut out = Vec::new();
    for s in arr {
        let tid = s["associationTypeId"]
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                ApiError::validation("Invalid input JSON: associationTypeId is required")
            })?;
        let cat = s["associationCategory"]
            .as_str()
            .unwrap_or("HUBSPOT_DEFINED");
        let t = model::assoc_type(from, to, tid)
            .filter(|_| cat == "HUBSPOT_DEFINED")
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "association type {cat}/{tid} is not valid between {} and {}",
                    from.plural(),
                    to.plural()
                ))
            })?;
        out.push(t);
    }
    if out.is_empty() {
        return Err(ApiError::validation(
            "At least one association type is required",
        ));
    }
    Ok(out)
}

/// v4 PUT with labels: the given types replace the pair's labelled types.
fn put_labels(
    st: &mut Store,
    from: (Kind, u64),
    to: (Kind, u64),
    types: &[&'static model::AssocType],
) {
    let default = model::default_assoc(from.0, to.0).map(|d| d.type_id);
    let existing: Vec<u32> = st.edges.get(&from).map(|m| m.types(to)).unwrap_or_default();
    for t in existing {
        let keep = Some(t) == default || types.iter().any(|x| x.type_id == t);
        if !keep {
            st.dissociate_type(from, to, t);
        }
    }
    for t in types {
        st.associate(from, to, t.type_id);
    }
}

pub fn v4_put(
    app: &AppState,
    kind: Kind,
    id: &str,
    to: Kind,
    to_id: &str,
    r: &Req,
) -> ApiResult<Reply> {
    let body = r.json()?;
    let specs = parse_specs(kind, to, &body)?;
    let mut st = app.write();
    let from = missing_path(&st, kind, id)?;
    let target = missing_path(&st, to, to_id)?;
    put_labels(&mut st, (kind, from), (to, target), &specs);
    status(201, pair_json(&st, (kind, from), (to, target)))
}

fn default_results(st: &mut Store, from: (Kind, u64), to: (Kind, u64)) -> ApiResult<Vec<Value>> {
    let d = model::default_assoc(from.0, to.0).ok_or_else(|| {
        ApiError::validation(format!(
            "No default association type exists between {} and {}",
            from.0.plural(),
            to.0.plural()
        ))
    })?;
    st.associate(from, to, d.type_id);
    Ok(vec![
        json!({"from": {"id": from.1.to_string()}, "to": {"id": to.1.to_string()},
               "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": d.type_id}}),
        json!({"from": {"id": to.1.to_string()}, "to": {"id": from.1.to_string()},
               "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": d.reverse}}),
    ])
}

fn envelope(results: Vec<Value>, errors: Vec<Value>, started: i64) -> (u16, Value) {
    let mut v = json!({"status": "COMPLETE", "results": results, "startedAt": iso(started), "completedAt": iso(now_ms())});
    if errors.is_empty() {
        (200, v)
    } else {
        v["numErrors"] = json!(errors.len());
        v["errors"] = Value::Array(errors);
        (207, v)
    }
}

pub fn v4_put_default(
    app: &AppState,
    kind: Kind,
    id: &str,
    to: Kind,
    to_id: &str,
) -> ApiResult<Reply> {
    let started = now_ms();
    let mut st = app.write();
    let from = missing_path(&st, kind, id)?;
    let target = missing_path(&st, to, to_id)?;
    let results = default_results(&mut st, (kind, from), (to, target))?;
    ok(envelope(results, Vec::new(), started).1)
}

pub fn v4_delete(app: &AppState, kind: Kind, id: &str, to: Kind, to_id: &str) -> ApiResult<Reply> {
    let mut st = app.write();
    let from = missing_path(&st, kind, id)?;
    let target = to_id.parse::<u64>().map_err(|_| ApiError::not_found())?;
    st.dissociate_all((kind, from), (to, target));
    no_content()
}

fn batch_inputs(body: &Value, max: usize) -> ApiResult<Vec<Value>> {
    let arr = body
        .get("inputs")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::validation("Invalid input JSON: missing field 'inputs'"))?;
    if arr.len() > max {
        return Err(ApiError::validation(format!(
            "Too many inputs: {} provided, the maximum is {max}",
            arr.len()
        )));
    }
    Ok(arr.clone())
}

fn id_field(v: &Value) -> Option<u64> {
    match v.get("id") {
        Some(Value::String(s)) => s.parse().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    }
}

/// The v4 batch API [D-assoc]: read (≤ 1,000 inputs), create, associate/default, archive
/// and labels/archive (≤ 2,000 each).
pub fn v4_batch(app: &AppState, from: Kind, to: Kind, op: &str, r: &Req) -> ApiResult<Reply> {
    let started = now_ms();
    let body = r.json()?;
    match op {
        "read" => v4_batch_read(app, from, to, &body, started),
        "create" => v4_batch_create(app, from, to, &body, started),
        "associate/default" => v4_batch_default(app, from, to, &body, started),
        "archive" => v4_batch_archive(app, from, to, &body),
        "labels/archive" => v4_batch_archive_labels(app, from, to, &body),
        _ => Err(no_route(r)),
    }
}

/// The error of a batch input naming a record that does not exist.
fn pair_not_found(context: Value) -> Value {
    standard_error(
        "OBJECT_NOT_FOUND",
        "One or more objects of the association do not exist.".into(),
        context,
    )
}

fn v4_batch_read(
    app: &AppState,
    from: Kind,
    to: Kind,
    body: &Value,
    started: i64,
) -> ApiResult<Reply> {
    // Batch read ≤ 1,000 inputs [D-assoc].
    let inputs = batch_inputs(body, 1000)?;
    let st = app.read();
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for i in &inputs {
        match id_field(i).filter(|id| st.live(from, *id).is_some()) {
            Some(id) => {
                let to_list: Vec<Value> = st
                    .assocs((from, id), to)
                    .into_iter()
                    .map(|(tid, types)| json!({"toObjectId": tid.to_string(), "associationTypes": types_json(from, to, &types)}))
                    .collect();
                results.push(json!({"from": {"id": id.to_string()}, "to": to_list}));
            }
            None => missing.push(
                i.get("id")
                    .map(|v| v.to_string().trim_matches('"').to_owned())
                    .unwrap_or_default(),
            ),
        }
    }
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        vec![objects_not_found(from.upper(), json!(missing), false)]
    };
    let (code, v) = envelope(results, errors, started);
    status(code, v)
}

fn v4_batch_create(
    app: &AppState,
    from: Kind,
    to: Kind,
    body: &Value,
    started: i64,
) -> ApiResult<Reply> {
    // Batch create ≤ 2,000 inputs [D-assoc].
    let inputs = batch_inputs(body, 2000)?;
    let mut st = app.write();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for i in &inputs {
        let f = id_field(&i["from"]);
        let t = id_field(&i["to"]);
        let specs = parse_specs(from, to, &i["types"]);
        match (f, t, specs) {
            (Some(f), Some(t), Ok(specs))
                if st.live(from, f).is_some() && st.live(to, t).is_some() =>
            {
                put_labels(&mut st, (from, f), (to, t), &specs);
                results.push(pair_json(&st, (from, f), (to, t)));
            }
            (_, _, Err(e)) => errors.push(standard_error(e.category, e.message.clone(), json!({}))),
            (f, t, _) => errors.push(pair_not_found(
                json!({"fromId": [f.map(|x| x.to_string()).unwrap_or_default()], "toId": [t.map(|x| x.to_string()).unwrap_or_default()]}),
            )),
        }
    }
    let (code, v) = envelope(results, errors, started);
    status(if code == 200 { 201 } else { code }, v)
}

fn v4_batch_default(
    app: &AppState,
    from: Kind,
    to: Kind,
    body: &Value,
    started: i64,
) -> ApiResult<Reply> {
    let inputs = batch_inputs(body, 2000)?;
    let mut st = app.write();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for i in &inputs {
        match (id_field(&i["from"]), id_field(&i["to"])) {
            (Some(f), Some(t)) if st.live(from, f).is_some() && st.live(to, t).is_some() => {
                results.extend(default_results(&mut st, (from, f), (to, t))?);
            }
            _ => errors.push(pair_not_found(json!({}))),
        }
    }
    // Always 200, failures included: the spec declares only 200 for this operation, with
    // `errors` and `numErrors` inside `BatchResponsePublicDefaultAssociation` itself [S: A4
    // `/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default` post
    // responses; components/schemas/BatchResponsePublicDefaultAssociation], and HubSpot's
    // generated clients take any undeclared status as an error (the official Node client
    // threw on a 2xx it did not expect: HubSpot/hubspot-api-nodejs#656, "Error: HTTP-Code:
    // 200 ... An error occurred" when association batch create answered 200 instead of the
    // declared 201). That HubSpot itself answers a partial failure of this operation with
    // 200 is inferred from the spec (UNCONFIRMED by an observed answer).
    let (_, v) = envelope(results, errors, started);
    ok(v)
}

fn v4_batch_archive(app: &AppState, from: Kind, to: Kind, body: &Value) -> ApiResult<Reply> {
    let inputs = batch_inputs(body, 2000)?;
    let mut st = app.write();
    for i in &inputs {
        let Some(f) = id_field(&i["from"]) else {
            continue;
        };
        for t in i["to"].as_array().into_iter().flatten() {
            if let Some(t) = id_field(t) {
                st.dissociate_all((from, f), (to, t));
            }
        }
    }
    no_content()
}

fn v4_batch_archive_labels(app: &AppState, from: Kind, to: Kind, body: &Value) -> ApiResult<Reply> {
    let inputs = batch_inputs(body, 2000)?;
    let mut st = app.write();
    for i in &inputs {
        let (Some(f), Some(t)) = (id_field(&i["from"]), id_field(&i["to"])) else {
            continue;
        };
        for ty in parse_specs(from, to, &i["types"])? {
            st.dissociate_type((from, f), (to, t), ty.type_id);
        }
    }
    no_content()
}

pub fn labels(from: Kind, to: Kind) -> ApiResult<Reply> {
    let results: Vec<Value> = model::ASSOC_TYPES
        .iter()
        .filter(|t| t.from == from && t.to == to)
        .map(spec_json)
        .collect();
    ok(json!({"results": results}))
}

// ---------------------------------------------------------------- v3 per-object routes

fn v3_type(from: Kind, to: Kind, ty: &str) -> ApiResult<&'static model::AssocType> {
    // Both numeric type ids (what current docs use) and type names (old SDKs) are accepted;
    // whether HubSpot still accepts names is UNCONFIRMED.
    let t = match ty.parse::<u32>() {
        Ok(n) => model::assoc_type(from, to, n),
        Err(_) => model::assoc_type_by_name(from, to, ty),
    };
    t.ok_or_else(|| {
        ApiError::validation(format!(
            "{ty} is not a valid association type between {} and {}",
            from.plural(),
            to.plural()
        ))
    })
}

pub fn v3_put(
    app: &AppState,
    kind: Kind,
    id: &str,
    to: Kind,
    to_id: &str,
    ty: &str,
    _r: &Req,
) -> ApiResult<Reply> {
    let t = v3_type(kind, to, ty)?;
    let mut st = app.write();
    let from = missing_path(&st, kind, id)?;
    let target = missing_path(&st, to, to_id)?;
    st.associate((kind, from), (to, target), t.type_id);
    let rec = st.live(kind, from).ok_or_else(ApiError::not_found)?;
    ok(render(&st, kind, rec, &Sel::Default, None, Some(&[to])))
}

pub fn v3_delete(
    app: &AppState,
    kind: Kind,
    id: &str,
    to: Kind,
    to_id: &str,
    ty: &str,
) -> ApiResult<Reply> {
    let t = v3_type(kind, to, ty)?;
    let mut st = app.write();
    let from = missing_path(&st, kind, id)?;
    let target = to_id.parse::<u64>().map_err(|_| ApiError::not_found())?;
    st.dissociate_type((kind, from), (to, target), t.type_id);
    no_content()
}

pub fn v3_list(app: &AppState, kind: Kind, id: &str, to: Kind, r: &Req) -> ApiResult<Reply> {
    let (limit, after) = paged_limit(r)?;
    let st = app.read();
    let from = missing_path(&st, kind, id)?;
    let mut flat = Vec::new();
    for (tid, types) in st.assocs((kind, from), to) {
        for t in types {
            if let Some(at) = model::assoc_type(kind, to, t) {
                flat.push((tid, at.name));
            }
        }
    }
    let mut it = flat.into_iter().filter(|(id, _)| *id >= after).peekable();
    let mut results = Vec::new();
    while let Some((tid, name)) = it.next() {
        results.push(json!({"id": tid.to_string(), "type": name}));
        // Do not split one record's types across pages.
        if results.len() >= limit && it.peek().is_some_and(|(n, _)| *n != tid) {
            break;
        }
    }
    let mut body = json!({"results": results});
    if let Some((n, _)) = it.next() {
        let a = n.to_string();
        body["paging"] = json!({"next": {"after": a, "link": r.next_link(&a)}});
    }
    ok(body)
}

/// v3 batch API [S: A3]: inputs name the type as a string (`ticket_to_contact`) or id.
/// Every operation takes at most 1,000 inputs.
pub fn v3_batch(app: &AppState, from: Kind, to: Kind, op: &str, r: &Req) -> ApiResult<Reply> {
    let started = now_ms();
    let body = r.json()?;
    let inputs = batch_inputs(&body, 1000)?;
    match op {
        "read" => v3_batch_read(app, from, to, &inputs, started),
        "create" => v3_batch_create(app, from, to, &inputs, started),
        "archive" => v3_batch_archive(app, from, to, &inputs),
        _ => Err(no_route(r)),
    }
}

/// A v3 batch input's association type: its `type` (name or id), else the default type.
fn v3_input_type(from: Kind, to: Kind, i: &Value) -> ApiResult<&'static model::AssocType> {
    let ty = match &i["type"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => model::default_assoc(from, to)
            .map(|d| d.name.to_owned())
            .unwrap_or_default(),
    };
    v3_type(from, to, &ty)
}

fn v3_batch_read(
    app: &AppState,
    from: Kind,
    to: Kind,
    inputs: &[Value],
    started: i64,
) -> ApiResult<Reply> {
    let st = app.read();
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for i in inputs {
        match id_field(i).filter(|id| st.live(from, *id).is_some()) {
            Some(id) => {
                let mut to_list = Vec::new();
                for (tid, types) in st.assocs((from, id), to) {
                    for t in types.iter().filter_map(|t| model::assoc_type(from, to, *t)) {
                        to_list.push(json!({"id": tid.to_string(), "type": t.name}));
                    }
                }
                results.push(json!({"from": {"id": id.to_string()}, "to": to_list}));
            }
            None => missing.push(
                i["id"]
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| i["id"].to_string()),
            ),
        }
    }
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        vec![objects_not_found(from.upper(), json!(missing), false)]
    };
    let (code, v) = envelope(results, errors, started);
    status(code, v)
}

fn v3_batch_create(
    app: &AppState,
    from: Kind,
    to: Kind,
    inputs: &[Value],
    started: i64,
) -> ApiResult<Reply> {
    let mut st = app.write();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for i in inputs {
        let t = v3_input_type(from, to, i)?;
        match (id_field(&i["from"]), id_field(&i["to"])) {
            (Some(f), Some(to_id))
                if st.live(from, f).is_some() && st.live(to, to_id).is_some() =>
            {
                st.associate((from, f), (to, to_id), t.type_id);
                results.push(json!({"from": {"id": f.to_string()}, "to": {"id": to_id.to_string()}, "type": t.name}));
            }
            _ => errors.push(pair_not_found(json!({}))),
        }
    }
    let (code, v) = envelope(results, errors, started);
    status(if code == 200 { 201 } else { code }, v)
}

fn v3_batch_archive(app: &AppState, from: Kind, to: Kind, inputs: &[Value]) -> ApiResult<Reply> {
    let mut st = app.write();
    for i in inputs {
        let t = v3_input_type(from, to, i)?;
        if let (Some(f), Some(to_id)) = (id_field(&i["from"]), id_field(&i["to"])) {
            st.dissociate_type((from, f), (to, to_id), t.type_id);
        }
    }
    no_content()
}
