//! Record writes and lookups shared by the single-object and batch handlers: resolving an
//! id or unique `idProperty` value, creating (with create-time associations), updating and
//! archiving one record, applying validated changes with their closed-stage side effects,
//! and keeping the unique-value index in step. No request parsing and no rendering here.

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use super::errors::{ApiError, ApiResult, field_error};
use super::http::object_field;
use super::model::{self, Kind};
use super::store::{Record, Source, Store, Val, iso};
use super::validate::{self, Change};

/// Create-time associations that cannot be made (a type that does not go from the record's
/// kind, a target that does not exist or is archived): 400 VALIDATION_ERROR "One or more
/// associations are invalid", every bad one in `context`. The message and
/// `INVALID_OBJECT_IDS` (`TICKET=999 is not valid`, with `objectId` and `objectType`) are
/// HubSpot's answer to a v4 association with a record that does not exist [O:
/// hubspot-api-nodejs#646]; that create-time associations answer alike is UNCONFIRMED, and so
/// is the context of a type that does not fit (`INVALID_ASSOCIATION_TYPE_IDS` here). Nothing
/// is created when any association is invalid.
pub fn invalid_associations(bad_types: &[String], missing: &[(Kind, u64)]) -> ApiError {
    let mut context = Map::new();
    if !bad_types.is_empty() {
        context.insert("INVALID_ASSOCIATION_TYPE_IDS".into(), json!(bad_types));
    }
    if !missing.is_empty() {
        let ids: Vec<String> = missing
            .iter()
            .map(|(k, id)| format!("{}={id} is not valid", k.upper()))
            .collect();
        context.insert("INVALID_OBJECT_IDS".into(), json!(ids));
        context.insert(
            "objectId".into(),
            json!(
                missing
                    .iter()
                    .map(|(_, id)| id.to_string())
                    .collect::<Vec<_>>()
            ),
        );
        context.insert(
            "objectType".into(),
            json!(missing.iter().map(|(k, _)| k.upper()).collect::<Vec<_>>()),
        );
    }
    ApiError::validation("One or more associations are invalid")
        .with_context(Value::Object(context))
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
            let def = st.schema.prop(kind, p).map(|p| &p.def).ok_or_else(|| {
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

/// Applies validated changes; handles the closed-stage side effects (`closed_stages`: the
/// ids of the tickets' closed stages, from the schema).
pub fn apply(
    rec: &mut Record,
    kind: Kind,
    changes: &[Change],
    now: i64,
    source: Source,
    closed_stages: &[String],
) {
    let mut stage_changed = None;
    for (name, v) in changes {
        let current = rec.props.get(name).unwrap_or_default();
        if current == v.as_str() {
            continue;
        }
        rec.write(name, Val::new(v), now, source);
        if *name == "hs_pipeline_stage" && kind == Kind::Ticket {
            stage_changed = Some(v.clone());
        }
    }
    if let Some(stage) = stage_changed {
        let closed = closed_stages.contains(&stage);
        let was_closed = rec.props.get("hs_is_closed").is_some_and(|v| v == "true");
        if closed && !was_closed {
            rec.write("hs_is_closed", "true", now, Source::Calculated);
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
            rec.write("hs_is_closed", "false", now, Source::Calculated);
            rec.write("closed_date", "", now, Source::Calculated);
            rec.write("time_to_close", "", now, Source::Calculated);
            close_sla(rec, now, false);
        } else if !closed && !rec.props.contains("hs_is_closed") {
            rec.write("hs_is_closed", "false", now, Source::Calculated);
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
        .and_then(|v| super::store::parse_time(&v))
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
        status,
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
            .map(Cow::into_owned)
        {
            st.unique.insert((name, v), id);
        }
    }
}

fn unique_snapshot(
    st: &Store,
    kind: Kind,
    rec: Option<&Record>,
) -> Vec<(&'static str, Option<String>)> {
    st.schema
        .unique_props(kind)
        .map(|name| {
            (
                name,
                rec.and_then(|r| r.props.get(name).map(Cow::into_owned)),
            )
        })
        .collect()
}

/// An association input's `to.id` (a string or a number).
fn to_id(a: &Value) -> ApiResult<u64> {
    a["to"]["id"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| a["to"]["id"].as_u64().map(|n| n.to_string()))
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or_else(|| ApiError::validation("Invalid input JSON: association to.id is required"))
}

/// One `AssociationSpec` of a create-time association: its category and type id. Both are
/// required by the spec; the message is the one HubSpot gives a v4 PUT without them [O].
fn spec_of(t: &Value) -> ApiResult<(&str, u32)> {
    let category = t["associationCategory"].as_str();
    let type_id = t["associationTypeId"]
        .as_u64()
        .or_else(|| t["associationTypeId"].as_str().and_then(|s| s.parse().ok()))
        .and_then(|n| u32::try_from(n).ok());
    match (category, type_id) {
        (Some(c), Some(id)) => Ok((c, id)),
        _ => Err(ApiError::validation(
            "Invalid input JSON: Some required fields were not set: [associationCategory, associationTypeId]",
        )),
    }
}

/// Parses and validates create-time associations `[{to:{id}, types:[{associationCategory,
/// associationTypeId}]}]`: the type decides the kind of the target (HubSpot's types are
/// per pair), which must exist and be live. Every invalid one is reported in one error.
pub fn parse_create_assocs(
    st: &Store,
    kind: Kind,
    v: Option<&Value>,
) -> ApiResult<Vec<(Kind, u64, u32)>> {
    let mut out = Vec::new();
    let Some(arr) = v.and_then(Value::as_array) else {
        return Ok(out);
    };
    let mut bad_types = Vec::new();
    let mut missing = Vec::new();
    for a in arr {
        let to_id = to_id(a)?;
        let types = a["types"].as_array().cloned().unwrap_or_default();
        if types.is_empty() {
            return Err(ApiError::validation(
                "Invalid input JSON: an association needs at least one type",
            ));
        }
        for t in &types {
            let (category, tid) = spec_of(t)?;
            // Every type the sandbox knows is HUBSPOT_DEFINED (labels included).
            let at = model::ASSOC_TYPES
                .iter()
                .find(|at| at.from == kind && at.type_id == tid)
                .filter(|_| category == "HUBSPOT_DEFINED");
            let Some(at) = at else {
                bad_types.push(format!(
                    "{category} {tid} is not valid from {}",
                    kind.upper()
                ));
                continue;
            };
            if st.live(at.to, to_id).is_none() {
                if !missing.contains(&(at.to, to_id)) {
                    missing.push((at.to, to_id));
                }
                continue;
            }
            out.push((at.to, to_id, tid));
        }
    }
    if bad_types.is_empty() && missing.is_empty() {
        Ok(out)
    } else {
        Err(invalid_associations(&bad_types, &missing))
    }
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
            let default = st.schema.default_pipeline(kind).map(|p| p.id.clone());
            changes.push(("hs_pipeline", default.unwrap_or_else(|| "0".into())));
        }
    }
    if kind == Kind::Deal
        && !changes
            .iter()
            .any(|(k, v)| *k == "pipeline" && !v.is_empty())
    {
        let default = st.schema.default_pipeline(kind).map(|p| p.id.clone());
        changes.push(("pipeline", default.unwrap_or_else(|| "default".into())));
    }
    let id = st.alloc_id(kind);
    let mut rec = Record::new(id, now);
    changes.retain(|(_, v)| !v.is_empty());
    let closed = st.schema.closed_stages(Kind::Ticket);
    apply(&mut rec, kind, &changes, now, Source::Api, &closed);
    if kind == Kind::Ticket {
        rec.write("hs_object_source", "API", now, Source::Calculated);
        rec.write(
            "hs_object_source_label",
            "INTERNAL_PROCESSING",
            now,
            Source::Calculated,
        );
        if !rec.props.contains("hs_is_closed") {
            rec.write("hs_is_closed", "false", now, Source::Calculated);
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
    let before = unique_snapshot(st, kind, Some(rec));
    let closed = st.schema.closed_stages(Kind::Ticket);
    if let Some(rec) = st.map_mut(kind).get_mut(&id) {
        apply(rec, kind, &changes, now, Source::Api, &closed);
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
