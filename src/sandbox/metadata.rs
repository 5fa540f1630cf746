//! The metadata endpoints: property definitions and groups (`/crm/v3/properties`),
//! pipelines and stages (`/crm/v3/pipelines`), owners (`/crm/v3/owners`), with their JSON.
//! Definitions come from the store's schema, owners from the store; nothing here writes
//! (`property_writes` and `pipeline_writes` do); the JSON is `meta_json`'s.

use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, ok};
use super::meta_json::{
    find_pipeline, group_json, no_such_group, no_such_property, no_such_stage, pipeline_json,
    property_json, stage_json,
};
use super::model::Kind;
use super::state::AppState;
use super::store::{Owner, iso};

/// `GET /crm/v3/properties/{type}`: every definition, or those named in `properties`;
/// `archived=true`: only the archived ones.
pub fn properties(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    let archived = r.flag("archived")?;
    let wanted = r.csv("properties");
    let st = app.read();
    let results: Vec<Value> = st
        .schema
        .props_all(kind)
        .iter()
        .filter(|p| p.is_live() != archived)
        .filter(|p| {
            wanted
                .as_ref()
                .is_none_or(|w| w.iter().any(|n| n == p.name()))
        })
        .map(|p| property_json(&st.schema, p))
        .collect();
    ok(json!({"results": results}))
}

/// `GET /crm/v3/properties/{type}/{name}` (`archived=true`: an archived one).
pub fn property(app: &AppState, kind: Kind, name: &str, r: &Req) -> ApiResult<Reply> {
    let archived = r.flag("archived")?;
    let st = app.read();
    let p = st
        .schema
        .prop_any(kind, name)
        .filter(|p| p.is_live() != archived)
        .ok_or_else(|| no_such_property(kind, name))?;
    ok(property_json(&st.schema, p))
}

/// `GET /crm/v3/properties/{type}/groups`.
pub fn groups(app: &AppState, kind: Kind) -> ApiResult<Reply> {
    let st = app.read();
    let results: Vec<Value> = st
        .schema
        .groups_all(kind)
        .iter()
        .filter(|g| !g.archived)
        .map(group_json)
        .collect();
    ok(json!({"results": results}))
}

/// `GET /crm/v3/properties/{type}/groups/{groupName}`.
pub fn group(app: &AppState, kind: Kind, name: &str) -> ApiResult<Reply> {
    let st = app.read();
    let g = st
        .schema
        .group(kind, name)
        .ok_or_else(|| no_such_group(kind, name))?;
    ok(group_json(g))
}

/// `GET /crm/v3/pipelines/{type}` (`archived=true`: only archived pipelines).
pub fn pipelines(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    let archived = r.flag("archived")?;
    let st = app.read();
    let results: Vec<Value> = st
        .schema
        .pipelines_all(kind)
        .iter()
        .filter(|p| p.is_live() != archived)
        .map(pipeline_json)
        .collect();
    ok(json!({"results": results}))
}

/// `GET /crm/v3/pipelines/{type}/{id}`.
pub fn pipeline(app: &AppState, kind: Kind, id: &str) -> ApiResult<Reply> {
    let st = app.read();
    ok(pipeline_json(find_pipeline(&st.schema, kind, id)?))
}

/// `GET /crm/v3/pipelines/{type}/{id}/stages`.
pub fn stages(app: &AppState, kind: Kind, id: &str) -> ApiResult<Reply> {
    let st = app.read();
    let p = find_pipeline(&st.schema, kind, id)?;
    ok(json!({"results": p.live_stages().map(stage_json).collect::<Vec<_>>()}))
}

/// `GET /crm/v3/pipelines/{type}/{id}/stages/{stageId}`.
pub fn stage(app: &AppState, kind: Kind, id: &str, stage_id: &str) -> ApiResult<Reply> {
    let st = app.read();
    let p = find_pipeline(&st.schema, kind, id)?;
    let s = p
        .stage(stage_id)
        .ok_or_else(|| no_such_stage(stage_id, id))?;
    ok(stage_json(s))
}

fn owner_json(o: &Owner) -> Value {
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

/// `GET /crm/v3/owners`: paged, `archived`, by `email`.
pub fn owners(app: &AppState, r: &Req) -> ApiResult<Reply> {
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

/// `GET /crm/v3/owners/{id}` (or by `userId` with `idProperty=userId`).
pub fn owner_one(app: &AppState, id: &str, r: &Req) -> ApiResult<Reply> {
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
