//! Property validation for writes, modelled on HubSpot's 400 VALIDATION_ERROR details.

use serde_json::{Map, Value};

use super::errors::{ApiError, field_error, property_errors};
use super::model::{Kind, Opts, PType};
use super::schema::Prop;
use std::borrow::Cow;

use super::store::{Record, Store, iso, parse_time};

/// A validated change: property name and normalised value ("" clears).
pub type Change = (&'static str, String);

/// The longest property value HubSpot stores, in characters: 65,536 for text values
/// (`hs_note_body` ≤ 65,536 [D-notes], API-NOTES §4.5). That single-line text shares the
/// multi-line figure, and any limit for the other types (numbers, dates, enumerations), is
/// UNCONFIRMED: the docs available here are silent. The sandbox applies the same cap to every
/// value, so that no write can grow its memory without bound. Characters are Unicode scalar values; whether HubSpot counts UTF-16
/// code units instead (which differ only outside the Basic Multilingual Plane) is UNCONFIRMED.
pub const MAX_VALUE_CHARS: usize = 65_536;

/// The value's length in characters when it is over [`MAX_VALUE_CHARS`], without copying it.
fn too_long(raw: &Value) -> Option<usize> {
    let Value::String(s) = raw else {
        return None; // Numbers and booleans are short.
    };
    // A character is at least one byte: only a long string needs counting.
    if s.len() <= MAX_VALUE_CHARS {
        return None;
    }
    let chars = s.chars().count();
    (chars > MAX_VALUE_CHARS).then_some(chars)
}

fn value_to_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// Validates `input` (the `properties` object of a create/update) for `kind`.
/// `existing` is the record being updated (None on create).
pub fn validate(
    st: &Store,
    kind: Kind,
    input: &Map<String, Value>,
    existing: Option<&Record>,
) -> Result<Vec<Change>, ApiError> {
    let mut errors = Vec::new();
    let mut changes: Vec<Change> = Vec::new();
    for (name, raw) in input {
        match check_value(st, kind, name, raw) {
            Ok(change) => changes.push(change),
            Err(e) => errors.push(e),
        }
    }
    let view = Effective {
        changes: &changes,
        existing,
    };
    if existing.is_none() {
        check_required(kind, &view, &mut errors);
    }
    check_stage(st, kind, &view, &mut errors);
    if !errors.is_empty() {
        return Err(property_errors(errors));
    }
    check_unique(st, kind, &changes, existing)?;
    Ok(changes)
}

/// One property value: the change it makes, or its per-field error detail.
fn check_value(st: &Store, kind: Kind, name: &str, raw: &Value) -> Result<Change, Value> {
    let Some(prop) = st.schema.prop(kind, name) else {
        return Err(field_error(
            "PROPERTY_DOESNT_EXIST",
            format!("Property \"{name}\" does not exist"),
            name,
        ));
    };
    if let Some(chars) = too_long(raw) {
        // The detail code and wording of HubSpot's answer are UNCONFIRMED; the shape is
        // its 400 VALIDATION_ERROR with a per-property detail. The value is not echoed.
        return Err(field_error(
            "VALUE_TOO_LONG",
            format!(
                "The value of \"{name}\" is {chars} characters long; the maximum is {MAX_VALUE_CHARS}."
            ),
            name,
        ));
    }
    let Some(value) = value_to_string(raw) else {
        return Err(field_error(
            "INVALID_TYPE",
            format!("{raw} was not a valid value for property {name}"),
            name,
        ));
    };
    let def = &prop.def;
    if def.read_only {
        return Err(field_error(
            "READ_ONLY_VALUE",
            format!("\"{name}\" is a read only property; its value cannot be set."),
            name,
        ));
    }
    if value.is_empty() {
        return Ok((def.name, value));
    }
    normalise(st, prop, &value).map(|v| (def.name, v))
}

/// The record as it will be after the changes: a changed value, else the existing one.
struct Effective<'a> {
    changes: &'a [Change],
    existing: Option<&'a Record>,
}

impl Effective<'_> {
    /// The non-empty value of `name` after the changes.
    fn get(&self, n: &str) -> Option<String> {
        self.changes
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                self.existing
                    .and_then(|r| r.props.get(n).map(Cow::into_owned))
            })
            .filter(|v| !v.is_empty())
    }
    fn touches(&self, n: &str) -> bool {
        self.changes.iter().any(|(k, _)| *k == n)
    }
}

/// Whether `errors` already holds a detail about `property`.
fn has_error_for(errors: &[Value], property: &str) -> bool {
    errors
        .iter()
        .any(|e| e["context"]["propertyName"][0] == property)
}

/// On create, the properties HubSpot requires for `kind`.
fn check_required(kind: Kind, view: &Effective, errors: &mut Vec<Value>) {
    let required: &[&str] = match kind {
        Kind::Ticket => &["subject", "hs_pipeline_stage"],
        Kind::Deal => &["dealname", "dealstage"],
        Kind::Email => &["hs_timestamp", "hs_email_direction"],
        k if k.is_engagement() => &["hs_timestamp"],
        _ => &[],
    };
    for r in required {
        if view.get(r).is_none() && !has_error_for(errors, r) {
            // The detail code for a missing required property is UNCONFIRMED.
            errors.push(field_error(
                "REQUIRED_PROPERTY",
                format!("Property \"{r}\" is required"),
                r,
            ));
        }
    }
}

/// The stage must belong to the (effective) pipeline, when either is written.
fn check_stage(st: &Store, kind: Kind, view: &Effective, errors: &mut Vec<Value>) {
    let (pipe_prop, stage_prop) = match kind {
        Kind::Ticket => ("hs_pipeline", "hs_pipeline_stage"),
        Kind::Deal => ("pipeline", "dealstage"),
        _ => return,
    };
    if !view.touches(pipe_prop) && !view.touches(stage_prop) {
        return;
    }
    let default_pipe = st
        .schema
        .default_pipeline(kind)
        .map(|p| p.id.clone())
        .unwrap_or_else(|| "0".to_owned());
    let pipeline = view.get(pipe_prop).unwrap_or(default_pipe);
    let Some(stage) = view.get(stage_prop) else {
        return;
    };
    let ok = st
        .schema
        .pipeline(kind, &pipeline)
        .is_some_and(|p| p.stage(&stage).is_some());
    if !ok && !has_error_for(errors, stage_prop) {
        errors.push(field_error(
            "INVALID_OPTION",
            format!("{stage} was not one of the allowed options for pipeline {pipeline}"),
            stage_prop,
        ));
    }
}

/// Unique values must stay unique. HubSpot's status for a unique-value clash on tickets is
/// UNCONFIRMED; the sandbox answers 409 CONFLICT like the contacts API does for a duplicate
/// email ("... already exists. Existing ID: n").
fn check_unique(
    st: &Store,
    kind: Kind,
    changes: &[Change],
    existing: Option<&Record>,
) -> Result<(), ApiError> {
    for (name, v) in changes {
        let Some(def) = st.schema.prop(kind, name).map(|p| &p.def) else {
            continue;
        };
        if !def.unique || v.is_empty() {
            continue;
        }
        if let Some(other) = st.unique.get(&(def.name, v.clone()))
            && existing.map(|r| r.id) != Some(*other)
            && st.map(kind).and_then(|m| m.get(other)).is_some()
        {
            return Err(ApiError::new(
                409,
                "CONFLICT",
                format!(
                    "A {} with {name} \"{v}\" already exists. Existing ID: {other}",
                    kind.singular()
                ),
            )
            .with_context(
                serde_json::json!({"existingId": [other.to_string()], "propertyName": [name]}),
            ));
        }
    }
    Ok(())
}

fn normalise(st: &Store, prop: &Prop, value: &str) -> Result<String, Value> {
    let def = &prop.def;
    let name = def.name;
    match def.ptype {
        PType::String => Ok(value.to_owned()),
        PType::Number => {
            let ok = value.trim().parse::<f64>().is_ok_and(f64::is_finite);
            if ok {
                Ok(value.trim().to_owned())
            } else {
                Err(field_error(
                    "INVALID_INTEGER",
                    format!("{value} was not a valid number."),
                    name,
                ))
            }
        }
        PType::Bool => match value.to_ascii_lowercase().as_str() {
            v @ ("true" | "false") => Ok(v.to_owned()),
            _ => Err(field_error(
                "INVALID_BOOLEAN",
                format!("{value} was not a valid boolean (true or false)."),
                name,
            )),
        },
        PType::DateTime => match parse_time(value) {
            Some(ms) => Ok(iso(ms)),
            None => Err(field_error(
                "INVALID_DATE",
                format!("{value} was not a valid date-time."),
                name,
            )),
        },
        PType::Date => match parse_time(value) {
            Some(ms) if ms.rem_euclid(86_400_000) == 0 => Ok(iso(ms)[..10].to_owned()),
            Some(_) => Err(field_error(
                "INVALID_DATE",
                format!(
                    "{value} is at a time other than midnight UTC; date properties must be at midnight UTC."
                ),
                name,
            )),
            None => Err(field_error(
                "INVALID_DATE",
                format!("{value} was not a valid date."),
                name,
            )),
        },
        PType::Enum => {
            let parts: Vec<&str> = value.split(';').filter(|s| !s.is_empty()).collect();
            if def.field_type != "checkbox" && parts.len() > 1 {
                return Err(field_error(
                    "INVALID_OPTION",
                    format!("{value} was not one of the allowed options"),
                    name,
                ));
            }
            for part in &parts {
                if !option_allowed(st, prop, part) {
                    let allowed = allowed_options(st, prop);
                    let msg = if allowed.is_empty() {
                        format!("{part} was not one of the allowed options")
                    } else {
                        format!(
                            "{part} was not one of the allowed options: [{}]",
                            allowed.join(", ")
                        )
                    };
                    return Err(field_error("INVALID_OPTION", msg, name));
                }
            }
            Ok(parts.join(";"))
        }
    }
}

/// Whether `part` is one of the enumeration's options: its listed ones, or the live
/// pipelines, stages or owners it refers to. An enumeration without listed options takes any
/// value.
fn option_allowed(st: &Store, prop: &Prop, part: &str) -> bool {
    match prop.def.opts {
        Opts::Pipelines(k) => st.schema.pipeline(k, part).is_some(),
        Opts::Stages(k) => st.schema.find_stage(k, part).is_some(),
        Opts::Owners => part
            .parse::<u64>()
            .ok()
            .and_then(|id| st.owner(id))
            .is_some(),
        Opts::Fixed(_) | Opts::None => {
            !prop.has_listed_options() || prop.options.iter().any(|o| o.value == part)
        }
    }
}

/// The values an enumeration takes, for the error message (none for owners).
fn allowed_options(st: &Store, prop: &Prop) -> Vec<String> {
    match prop.def.opts {
        Opts::Pipelines(k) => st.schema.pipelines(k).map(|p| p.id.clone()).collect(),
        Opts::Stages(k) => st
            .schema
            .pipelines(k)
            .flat_map(|p| p.live_stages().map(|s| s.id.clone()))
            .collect(),
        Opts::Owners => Vec::new(),
        Opts::Fixed(_) | Opts::None => prop.options.iter().map(|o| o.value.clone()).collect(),
    }
}

/// `hs_pinned_engagement_id` must name an engagement associated with the ticket.
/// HubSpot's error shape for a non-associated engagement is UNCONFIRMED; the sandbox answers
/// 400 VALIDATION_ERROR with detail code `INVALID_PINNED_ENGAGEMENT`.
pub fn check_pin(
    st: &Store,
    ticket: Option<u64>,
    pending: &[(Kind, u64)],
    changes: &[Change],
) -> Result<(), ApiError> {
    let Some((_, v)) = changes
        .iter()
        .find(|(k, _)| *k == "hs_pinned_engagement_id")
    else {
        return Ok(());
    };
    if v.is_empty() {
        return Ok(());
    }
    let eid = v.parse::<u64>().ok();
    let associated = eid.is_some_and(|eid| {
        pending
            .iter()
            .any(|(k, id)| k.is_engagement() && *id == eid)
            || ticket.is_some_and(|tid| {
                st.edges
                    .get(&(Kind::Ticket, tid))
                    .is_some_and(|m| m.targets().any(|(k, id)| k.is_engagement() && id == eid))
            })
    });
    if associated {
        Ok(())
    } else {
        Err(property_errors(vec![field_error(
            "INVALID_PINNED_ENGAGEMENT",
            format!(
                "Engagement {v} is not associated with this ticket; associate it before pinning it."
            ),
            "hs_pinned_engagement_id",
        )]))
    }
}
