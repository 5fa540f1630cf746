//! The metadata endpoints: property definitions and groups (`/crm/v3/properties`),
//! pipelines and stages (`/crm/v3/pipelines`), owners (`/crm/v3/owners`), with their JSON.
//! Definitions come from `model`, owners from the store; nothing here writes.

use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, ok};
use super::model::{self, Kind, Opts};
use super::state::AppState;
use super::store::{Owner, iso};

fn property_json(d: &model::PropDef) -> Value {
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
    if let Some(hint) = d.number_hint {
        v["numberDisplayHint"] = json!(hint);
    }
    if d.custom {
        v["createdUserId"] = json!("9000001");
        v["updatedUserId"] = json!("9000001");
    }
    v
}

/// `GET /crm/v3/properties/{type}`: every definition, or those named in `properties`.
pub fn properties(kind: Kind, r: &Req) -> ApiResult<Reply> {
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
        .map(property_json)
        .collect();
    ok(json!({"results": results}))
}

/// `GET /crm/v3/properties/{type}/{name}`.
pub fn property(kind: Kind, name: &str) -> ApiResult<Reply> {
    let d = model::prop(kind, name).ok_or_else(|| {
        let mut e = ApiError::not_found();
        e.message = format!(
            "Unable to find property {name} for object type {}",
            kind.plural()
        );
        e
    })?;
    ok(property_json(d))
}

/// `GET /crm/v3/properties/{type}/groups`.
pub fn groups(kind: Kind) -> ApiResult<Reply> {
    let results: Vec<Value> = model::groups_of(kind)
        .iter()
        .enumerate()
        .map(|(i, (n, l))| json!({"name": n, "label": l, "displayOrder": i, "archived": false}))
        .collect();
    ok(json!({"results": results}))
}

/// `GET /crm/v3/pipelines/{type}`.
pub fn pipelines(kind: Kind) -> ApiResult<Reply> {
    ok(
        json!({"results": model::pipelines_of(kind).iter().map(|p| pipeline_json(kind, p)).collect::<Vec<_>>()}),
    )
}

/// `GET /crm/v3/pipelines/{type}/{id}`.
pub fn pipeline(kind: Kind, id: &str) -> ApiResult<Reply> {
    ok(pipeline_json(kind, find_pipeline(kind, id)?))
}

/// `GET /crm/v3/pipelines/{type}/{id}/stages`.
pub fn stages(kind: Kind, id: &str) -> ApiResult<Reply> {
    let p = find_pipeline(kind, id)?;
    ok(json!({"results": p.stages.iter().map(|s| stage_json(kind, p, s)).collect::<Vec<_>>()}))
}

/// `GET /crm/v3/pipelines/{type}/{id}/stages/{stageId}`.
pub fn stage(kind: Kind, id: &str, stage_id: &str) -> ApiResult<Reply> {
    let p = find_pipeline(kind, id)?;
    let s = p
        .stages
        .iter()
        .find(|s| s.id == stage_id)
        .ok_or_else(ApiError::not_found)?;
    ok(stage_json(kind, p, s))
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
