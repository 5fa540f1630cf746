//! Record writes and lookups shared by the single-object and batch handlers: resolving an
//! id or unique `idProperty` value, creating (with create-time associations), updating and
//! archiving one record, applying validated changes with their closed-stage side effects,
//! and keeping the unique-value index in step. No request parsing and no rendering here.

use serde_json::{Map, Value, json};

use super::errors::{ApiError, ApiResult, field_error};
use super::http::object_field;
use super::model::{self, Kind};
use super::store::{Record, Source, Store, iso};
use super::validate::{self, Change};

/// Association with a record that does not exist, given in a request body (create-time
/// associations, batch create): 400 VALIDATION_ERROR. HubSpot's exact message is UNCONFIRMED.
pub fn missing_target(kind: Kind, id: u64) -> ApiError {
    ApiError::validation(format!(
        "Association target {} {id} does not exist or is archived; cannot create the association.",
        kind.upper()
    ))
    .with_context(json!({"toObjectType": [kind.plural()], "toObjectId": [id.to_string()]}))
}

/// A numeric record id (`None` for anything else).
pub fn parse_id(s: &str) -> Option<u64> {
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
                    field_error(
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
            close_sla(rec, now, true);
        } else if !closed && was_closed {
            // Reopening clears the close date (UNCONFIRMED; mirrors the UI).
            rec.write("hs_is_closed", "false".into(), now, Source::Calculated);
            rec.write("closed_date", String::new(), now, Source::Calculated);
            rec.write("time_to_close", String::new(), now, Source::Calculated);
            close_sla(rec, now, false);
        } else if !closed && !rec.props.contains_key("hs_is_closed") {
            rec.write("hs_is_closed", "false".into(), now, Source::Calculated);
        }
    }
    rec.updated = now;
}

/// The close SLA of a ticket that has one, as it closes (met on time or late) or reopens
/// (running again: overdue or active). The status codes are `model::SLA_STATUSES`
/// (UNCONFIRMED, like HubSpot's moment of recalculation).
fn close_sla(rec: &mut Record, now: i64, closing: bool) {
    let Some(due) = rec
        .props
        .get("hs_time_to_close_sla_at")
        .and_then(|v| super::store::parse_time(v))
    else {
        return;
    };
    let status = match (closing, now <= due) {
        (true, true) => "3",
        (true, false) => "4",
        (false, true) => "0",
        (false, false) => "1",
    };
    rec.write(
        "hs_time_to_close_sla_status",
        status.into(),
        now,
        Source::Calculated,
    );
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
pub fn parse_create_assocs(
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
                return Err(missing_target(at.to, to_id));
            }
            out.push((at.to, to_id, tid));
        }
    }
    Ok(out)
}

/// Creates one record (validated). Returns the new id.
pub fn create_record(st: &mut Store, kind: Kind, input: &Value, now: i64) -> ApiResult<u64> {
    let props = match input.get("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(_) => object_field(input, "properties")?.clone(),
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

/// Updates one live record. Returns Err(None) when not found.
pub fn update_record(
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

/// Archives one live record; `false` when it does not exist or is already archived.
pub fn archive_record(st: &mut Store, kind: Kind, id: u64, now: i64) -> bool {
    match st.map_mut(kind).get_mut(&id) {
        Some(rec) if rec.archived_at.is_none() => {
            // Archiving does not bump hs_lastmodifieddate [O].
            rec.archived_at = Some(now);
            true
        }
        _ => false,
    }
}
