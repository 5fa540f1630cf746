//! The single-object endpoints: `GET|POST /crm/v3/objects/{type}` (list with paging,
//! create), `GET|PATCH|DELETE /crm/v3/objects/{type}/{id}` and `POST
//! /crm/v3/objects/{type}/merge`. Handlers parse the request,
//! call `records` for writes and `render` for the answer; they own no write logic.

use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, no_content, object_field, ok, status};
use super::merge::{merge_records, resolve_merged};
use super::model::Kind;
use super::records::{archive_record, create_record, parse_id, resolve_id, update_record};
use super::render::{Sel, render};
use super::state::AppState;
use super::store::{Record, Store, now_ms};

/// What a list or get asks to see: `properties`, `propertiesWithHistory`, `associations`,
/// `archived`.
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

pub fn list(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
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

pub fn get_one(app: &AppState, kind: Kind, id: &str, r: &Req) -> ApiResult<Reply> {
    let o = read_opts(r)?;
    let st = app.read();
    let rid = resolve_id(&st, kind, id, r.q("idProperty"))?;
    // A merged-away ID answers with the record that absorbed it (see `merge`).
    let rid = rid.map(|rid| match o.archived {
        false => resolve_merged(&st, kind, rid).unwrap_or(rid),
        true => rid,
    });
    let rec = rid
        .and_then(|rid| st.map(kind)?.get(&rid))
        .filter(|rec| rec.archived_at.is_some() == o.archived)
        .ok_or_else(ApiError::not_found)?;
    ok(render_opts(&st, kind, rec, &o))
}

pub fn create(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let mut st = app.write();
    let id = create_record(&mut st, kind, &body, now_ms())?;
    let rec = st
        .map(kind)
        .and_then(|m| m.get(&id))
        .ok_or_else(ApiError::not_found)?;
    status(201, render(&st, kind, rec, &Sel::All, None, None))
}

pub fn update(app: &AppState, kind: Kind, id: &str, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let props = object_field(&body, "properties")?.clone();
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

pub fn archive_one(app: &AppState, kind: Kind, id: &str) -> ApiResult<Reply> {
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

/// `POST /crm/v3/objects/{type}/merge` `{primaryObjectId, objectIdToMerge}`: 200 with the
/// survivor (a new record, see `merge`), rendered as a create answers.
pub fn merge(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let id_field = |name: &str| -> ApiResult<u64> {
        let v = &body[name];
        let s = v
            .as_str()
            .map(str::to_owned)
            .or_else(|| v.as_u64().map(|n| n.to_string()))
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "Invalid input JSON: Some required fields were not set: [{name}]"
                ))
            })?;
        parse_id(&s).ok_or_else(|| {
            ApiError::new(
                404,
                "OBJECT_NOT_FOUND",
                format!("{} {s} does not exist", kind.upper()),
            )
        })
    };
    let primary = id_field("primaryObjectId")?;
    let other = id_field("objectIdToMerge")?;
    let mut st = app.write();
    let id = merge_records(&mut st, kind, primary, other, now_ms())?;
    let rec = st
        .map(kind)
        .and_then(|m| m.get(&id))
        .ok_or_else(ApiError::not_found)?;
    ok(render(&st, kind, rec, &Sel::All, None, None))
}
