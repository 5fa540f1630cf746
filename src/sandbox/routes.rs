//! The router: matches method and path segments and calls the handler; nothing else.
//! Routing is done by hand over path segments so that unknown routes and wrong methods
//! answer with HubSpot-style JSON errors. Handlers live in `objects`, `batch`, `search`,
//! `assoc` and `metadata`; request and reply types in `http`. Nothing may import from here
//! but `sandbox.rs`.

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, method_not_allowed, no_route, pct_decode};
use super::model::Kind;
use super::state::AppState;
use super::{assoc, batch, metadata, objects, pipeline_writes, property_writes, search};

/// The object type named in a path (`tickets`, `ticket`, `0-5`, ...), or 400.
fn kind(s: &str) -> ApiResult<Kind> {
    Kind::parse(s).ok_or_else(|| {
        ApiError::new(
            400,
            "VALIDATION_ERROR",
            format!("Unable to infer object type from: {s}"),
        )
    })
}

/// Routes one request to its handler.
pub fn dispatch(app: &AppState, r: &Req) -> ApiResult<Reply> {
    let segs_owned: Vec<String> = r
        .path
        .trim_matches('/')
        .split('/')
        .map(pct_decode)
        .collect();
    let segs: Vec<&str> = segs_owned.iter().map(String::as_str).collect();
    match segs.as_slice() {
        ["crm", "v3", "objects", ..] => objects_route(app, &segs[3..], r),
        ["crm", "v4", "objects", ..] => v4_objects_route(app, &segs[3..], r),
        ["crm", "v4" | "v3", "associations", ..] | ["crm", "associations", "v4", ..] => {
            associations_route(&segs, app, r)
        }
        ["crm", "v3", "properties", ..] => properties_route(app, &segs[3..], r),
        ["crm", "v3", "pipelines", ..] => pipelines_route(app, &segs[3..], r),
        ["crm", "v3", "owners", ..] => owners_route(app, &segs[3..], r),
        _ => Err(no_route(r)),
    }
}

/// `/crm/v3/objects/...`: records, batch, search and the v3 per-object associations.
fn objects_route(app: &AppState, segs: &[&str], r: &Req) -> ApiResult<Reply> {
    let m = r.method;
    match segs {
        [t] => match m {
            "GET" => objects::list(app, kind(t)?, r),
            "POST" => objects::create(app, kind(t)?, r),
            _ => Err(method_not_allowed(r)),
        },
        [t, "search"] if m == "POST" => search::search(app, kind(t)?, r),
        [t, "merge"] if m == "POST" => objects::merge(app, kind(t)?, r),
        [t, "batch", op] if m == "POST" => batch::batch(app, kind(t)?, op, r),
        [t, id] => match m {
            "GET" => objects::get_one(app, kind(t)?, id, r),
            "PATCH" => objects::update(app, kind(t)?, id, r),
            "DELETE" => objects::archive_one(app, kind(t)?, id),
            _ => Err(method_not_allowed(r)),
        },
        [t, id, "associations", to] if m == "GET" => {
            assoc::v3_list(app, kind(t)?, id, kind(to)?, r)
        }
        [t, id, "associations", to, to_id, ty] => match m {
            "PUT" => assoc::v3_put(app, kind(t)?, id, kind(to)?, to_id, ty, r),
            "DELETE" => assoc::v3_delete(app, kind(t)?, id, kind(to)?, to_id, ty),
            _ => Err(method_not_allowed(r)),
        },
        _ => Err(no_route(r)),
    }
}

/// `/crm/v4/objects/...`: the v4 per-object associations.
fn v4_objects_route(app: &AppState, segs: &[&str], r: &Req) -> ApiResult<Reply> {
    let m = r.method;
    match segs {
        [t, id, "associations", to] if m == "GET" => {
            assoc::v4_list(app, kind(t)?, id, kind(to)?, r)
        }
        [t, id, "associations", "default", to, to_id] if m == "PUT" => {
            assoc::v4_put_default(app, kind(t)?, id, kind(to)?, to_id)
        }
        [t, id, "associations", to, to_id] => match m {
            "PUT" => assoc::v4_put(app, kind(t)?, id, kind(to)?, to_id, r),
            "DELETE" => assoc::v4_delete(app, kind(t)?, id, kind(to)?, to_id),
            _ => Err(method_not_allowed(r)),
        },
        _ => Err(no_route(r)),
    }
}

/// `/crm/v4/associations/...`, `/crm/v3/associations/...` and
/// `/crm/associations/v4/...`: batch association operations and labels (full segments).
fn associations_route(segs: &[&str], app: &AppState, r: &Req) -> ApiResult<Reply> {
    let m = r.method;
    match segs {
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
        _ => Err(no_route(r)),
    }
}

/// `/crm/v3/properties/...`: definitions and groups, reads and writes.
fn properties_route(app: &AppState, segs: &[&str], r: &Req) -> ApiResult<Reply> {
    let m = r.method;
    match segs {
        [t] => match m {
            "GET" => metadata::properties(app, kind(t)?, r),
            "POST" => property_writes::create(app, kind(t)?, r),
            _ => Err(method_not_allowed(r)),
        },
        [t, "batch", op] if m == "POST" => property_writes::batch(app, kind(t)?, op, r),
        [t, "groups"] => match m {
            "GET" => metadata::groups(app, kind(t)?),
            "POST" => property_writes::create_group(app, kind(t)?, r),
            _ => Err(method_not_allowed(r)),
        },
        [t, "groups", name] => match m {
            "GET" => metadata::group(app, kind(t)?, name),
            "PATCH" => property_writes::update_group(app, kind(t)?, name, r),
            "DELETE" => property_writes::archive_group(app, kind(t)?, name),
            _ => Err(method_not_allowed(r)),
        },
        [t, name] => match m {
            "GET" => metadata::property(app, kind(t)?, name, r),
            "PATCH" => property_writes::update(app, kind(t)?, name, r),
            "DELETE" => property_writes::archive(app, kind(t)?, name),
            _ => Err(method_not_allowed(r)),
        },
        _ => Err(no_route(r)),
    }
}

/// `/crm/v3/pipelines/...`: pipelines and their stages, reads, writes and audits.
fn pipelines_route(app: &AppState, segs: &[&str], r: &Req) -> ApiResult<Reply> {
    let m = r.method;
    match segs {
        [t] => match m {
            "GET" => metadata::pipelines(app, kind(t)?, r),
            "POST" => pipeline_writes::create(app, kind(t)?, r),
            _ => Err(method_not_allowed(r)),
        },
        [t, pid] => match m {
            "GET" => metadata::pipeline(app, kind(t)?, pid),
            "PUT" => pipeline_writes::replace(app, kind(t)?, pid, r),
            "PATCH" => pipeline_writes::update(app, kind(t)?, pid, r),
            "DELETE" => pipeline_writes::archive(app, kind(t)?, pid, r),
            _ => Err(method_not_allowed(r)),
        },
        [t, pid, "audit"] if m == "GET" => pipeline_writes::audit_read(app, kind(t)?, pid, None),
        [t, pid, "stages"] => match m {
            "GET" => metadata::stages(app, kind(t)?, pid),
            "POST" => pipeline_writes::create_stage(app, kind(t)?, pid, r),
            _ => Err(method_not_allowed(r)),
        },
        [t, pid, "stages", sid] => match m {
            "GET" => metadata::stage(app, kind(t)?, pid, sid),
            "PUT" => pipeline_writes::replace_stage(app, kind(t)?, pid, sid, r),
            "PATCH" => pipeline_writes::update_stage(app, kind(t)?, pid, sid, r),
            "DELETE" => pipeline_writes::archive_stage(app, kind(t)?, pid, sid, r),
            _ => Err(method_not_allowed(r)),
        },
        [t, pid, "stages", sid, "audit"] if m == "GET" => {
            pipeline_writes::audit_read(app, kind(t)?, pid, Some(sid))
        }
        _ => Err(no_route(r)),
    }
}

/// `/crm/v3/owners` and `/crm/v3/owners/{id}`.
fn owners_route(app: &AppState, segs: &[&str], r: &Req) -> ApiResult<Reply> {
    match segs {
        [] | [""] if r.method == "GET" => metadata::owners(app, r),
        [id] if r.method == "GET" => metadata::owner_one(app, id, r),
        _ => Err(no_route(r)),
    }
}
