//! The Properties API writes [S: PR3]: create, update and archive a property
//! (`POST /crm/v3/properties/{type}`, `PATCH|DELETE .../{propertyName}`), their batch forms
//! (`POST .../batch/{create|read|archive}`) and property groups (`POST .../groups`,
//! `PATCH|DELETE .../groups/{groupName}`). Each parses and validates the request, changes
//! the store's schema and answers with `meta_json`'s JSON; reading records is not its business.
//!
//! Validation follows HubSpot's documented rules: `name`, `label`, `type`, `fieldType` and
//! `groupName` are required [S: PropertyCreate.required]; `type` and `fieldType` must be one
//! of the spec's values and go together as the properties guide's table says (enforced for
//! v3 since 2021 [D: changelog "crm-object-property-validattion"]); the group must exist; a
//! name already used answers 409 CONFLICT [D: contacts properties v2 docs "Returns a 409
//! Conflict error if there is already a property with the 'name' you used"]. HubSpot-defined
//! properties cannot be changed or archived (`modificationMetadata.readOnlyDefinition`,
//! `archivable: false`); HubSpot's exact error for trying is UNCONFIRMED (400 here).

use serde_json::{Map, Value, json};

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, no_content, ok, status};
use super::meta_json::{group_json, no_such_group, no_such_property, property_json};
use super::model::{Kind, Opts, PType, PropDef};
use super::render::{batch_envelope, standard_error};
use super::schema::{Group, Prop, PropOption, Schema, intern};
use super::state::AppState;
use super::store::now_ms;

/// The spec's `type` values [S: PropertyCreate.type.enum] with the sandbox's type. HubSpot's
/// `phone_number` type is stored as text.
fn ptype_of(t: &str) -> Option<PType> {
    Some(match t {
        "bool" => PType::Bool,
        "date" => PType::Date,
        "datetime" => PType::DateTime,
        "enumeration" => PType::Enum,
        "number" => PType::Number,
        "string" | "phone_number" => PType::String,
        _ => return None,
    })
}

/// The spec's `fieldType` values [S: PropertyCreate.fieldType.enum].
const FIELD_TYPES: &[&str] = &[
    "booleancheckbox",
    "calculation_equation",
    "checkbox",
    "date",
    "file",
    "html",
    "number",
    "phonenumber",
    "radio",
    "select",
    "text",
    "textarea",
];

/// The field types each type takes, from the properties guide's "Property type and
/// fieldType values" table [D: /docs/api-reference/crm-properties-v3/guide]:
/// bool → booleancheckbox; enumeration → booleancheckbox, checkbox, radio, select,
/// calculation_equation; date and datetime → date; string → text, textarea, file, html,
/// phonenumber, calculation_equation; number → number, calculation_equation; phone_number →
/// phonenumber.
fn field_types_for(t: &str) -> &'static [&'static str] {
    match t {
        "bool" => &["booleancheckbox"],
        "enumeration" => &[
            "booleancheckbox",
            "checkbox",
            "radio",
            "select",
            "calculation_equation",
        ],
        "date" | "datetime" => &["date"],
        "string" => &[
            "text",
            "textarea",
            "file",
            "html",
            "phonenumber",
            "calculation_equation",
        ],
        "number" => &["number", "calculation_equation"],
        "phone_number" => &["phonenumber"],
        _ => &[],
    }
}

/// The spec's `numberDisplayHint` values [S: PropertyCreate.numberDisplayHint.enum].
const NUMBER_HINTS: &[&str] = &[
    "currency",
    "duration",
    "formatted",
    "percentage",
    "probability",
    "unformatted",
];

/// How many unique-value properties one object may have: 10 per object in HubSpot's
/// knowledge base ("Create unique identifier properties"); the error when over it is
/// UNCONFIRMED.
pub const MAX_UNIQUE_PROPERTIES: usize = 10;

fn invalid(message: String, property: &str) -> ApiError {
    ApiError::validation(message).with_context(json!({"propertyName": [property]}))
}

fn str_field<'a>(body: &'a Map<String, Value>, field: &str) -> ApiResult<Option<&'a str>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::validation(format!(
            "Invalid input JSON: field '{field}' must be a string"
        ))),
    }
}

fn bool_field(body: &Map<String, Value>, field: &str) -> ApiResult<Option<bool>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::validation(format!(
            "Invalid input JSON: field '{field}' must be a boolean"
        ))),
    }
}

fn int_field(body: &Map<String, Value>, field: &str) -> ApiResult<Option<i32>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .and_then(|n| i32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "Invalid input JSON: field '{field}' must be an integer"
                ))
            }),
    }
}

fn required<'a>(body: &'a Map<String, Value>, fields: &[&str]) -> ApiResult<Vec<&'a str>> {
    let mut missing = Vec::new();
    let mut out = Vec::new();
    for f in fields {
        match str_field(body, f)? {
            Some(v) if !v.is_empty() => out.push(v),
            _ => missing.push(*f),
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::validation(format!(
            "Invalid input JSON: Some required fields were not set: [{}]",
            missing.join(", ")
        )))
    }
}

/// A property name HubSpot accepts: starts with a lowercase letter, then lowercase letters,
/// digits and underscores, at most 100 characters (the rule and its message are UNCONFIRMED
/// beyond the docs' examples, which all look like this).
fn check_name(name: &str) -> ApiResult<()> {
    let mut chars = name.chars();
    let ok = name.len() <= 100
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            format!(
                "Property name '{name}' is invalid: it must start with a lowercase letter and contain only lowercase letters, numbers and underscores"
            ),
            name,
        ))
    }
}

/// `type` and `fieldType` must be known and go together.
fn check_types(name: &str, ptype: &str, field_type: &str) -> ApiResult<(PType, &'static str)> {
    let Some(t) = ptype_of(ptype) else {
        return Err(invalid(
            format!(
                "'{ptype}' is not a valid property type for {name}; use one of [bool, date, datetime, enumeration, number, phone_number, string]"
            ),
            name,
        ));
    };
    let Some(ft) = FIELD_TYPES.iter().find(|f| **f == field_type) else {
        return Err(invalid(
            format!(
                "'{field_type}' is not a valid fieldType for {name}; use one of [{}]",
                FIELD_TYPES.join(", ")
            ),
            name,
        ));
    };
    if !field_types_for(ptype).contains(ft) {
        return Err(invalid(
            format!(
                "fieldType '{field_type}' is not valid for property type '{ptype}' ({name}); use one of [{}]",
                field_types_for(ptype).join(", ")
            ),
            name,
        ));
    }
    Ok((t, ft))
}

/// `options` ([`OptionInput`]: `label`, `value`, `hidden` required [S]); values unique.
fn parse_options(name: &str, v: Option<&Value>) -> ApiResult<Vec<PropOption>> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let arr = v.as_array().ok_or_else(|| {
        ApiError::validation("Invalid input JSON: field 'options' must be an array")
    })?;
    let mut out: Vec<PropOption> = Vec::new();
    for (i, o) in arr.iter().enumerate() {
        let o = o.as_object().ok_or_else(|| {
            ApiError::validation("Invalid input JSON: each option must be an object")
        })?;
        let fields = required(o, &["label", "value"])?;
        let value = fields[1].to_owned();
        if out.iter().any(|x| x.value == value) {
            return Err(invalid(
                format!("Option value '{value}' appears more than once in {name}'s options"),
                name,
            ));
        }
        out.push(PropOption {
            label: fields[0].to_owned(),
            value,
            description: str_field(o, "description")?.map(str::to_owned),
            display_order: int_field(o, "displayOrder")?
                .unwrap_or(i32::try_from(i).unwrap_or(i32::MAX)),
            // `hidden` is required by the spec; absent reads as false here (UNCONFIRMED).
            hidden: bool_field(o, "hidden")?.unwrap_or(false),
        });
    }
    Ok(out)
}

fn number_hint(body: &Map<String, Value>) -> ApiResult<Option<&'static str>> {
    match str_field(body, "numberDisplayHint")? {
        None => Ok(None),
        Some(h) => NUMBER_HINTS
            .iter()
            .find(|x| **x == h)
            .map(|x| Some(*x))
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "'{h}' is not a valid numberDisplayHint; use one of [{}]",
                    NUMBER_HINTS.join(", ")
                ))
            }),
    }
}

/// Parses and validates a `PropertyCreate` against the schema; the property to add.
fn parse_create(schema: &Schema, kind: Kind, body: &Value, now: i64) -> ApiResult<Prop> {
    let body = body
        .as_object()
        .ok_or_else(|| ApiError::validation("Invalid input JSON: expected an object"))?;
    let f = required(body, &["name", "label", "type", "fieldType", "groupName"])?;
    let (name, label, ptype, field_type, group) = (f[0], f[1], f[2], f[3], f[4]);
    check_name(name)?;
    if let Some(existing) = schema.prop_any(kind, name) {
        // An archived property's name stays taken (UNCONFIRMED: HubSpot may restore it).
        let what = if existing.is_live() {
            ""
        } else {
            " (archived)"
        };
        return Err(ApiError::new(
            409,
            "CONFLICT",
            format!(
                "A property named '{name}' already exists{what} for object type {}",
                kind.plural()
            ),
        )
        .with_context(json!({"propertyName": [name]})));
    }
    let (t, ft) = check_types(name, ptype, field_type)?;
    if schema.group(kind, group).is_none() {
        return Err(invalid(
            format!(
                "Property group '{group}' does not exist for object type {}",
                kind.plural()
            ),
            name,
        ));
    }
    let unique = bool_field(body, "hasUniqueValue")?.unwrap_or(false);
    if unique {
        check_unique_allowed(schema, kind, name, t, ft)?;
    }
    let options = parse_options(name, body.get("options"))?;
    if t == PType::Bool && options.len() > 2 {
        return Err(invalid(
            format!("A bool property has at most two options ({name})"),
            name,
        ));
    }
    let mut def = PropDef {
        name: intern(name),
        label: "",
        ptype: t,
        field_type: ft,
        group: "",
        description: "",
        opts: Opts::None,
        read_only: false,
        calculated: ft == "calculation_equation",
        custom: true,
        unique,
        number_hint: number_hint(body)?,
    };
    def.read_only = def.calculated;
    Ok(Prop {
        def,
        label: label.to_owned(),
        description: str_field(body, "description")?.unwrap_or("").to_owned(),
        group: group.to_owned(),
        options: if t == PType::Enum || t == PType::Bool {
            options
        } else {
            Vec::new()
        },
        display_order: int_field(body, "displayOrder")?.unwrap_or(-1),
        hidden: bool_field(body, "hidden")?.unwrap_or(false),
        form_field: bool_field(body, "formField")?.unwrap_or(false),
        created_ms: now,
        updated_ms: now,
        archived_ms: None,
    })
}

/// A unique-value property must be single-line text or a number, and an object has at most
/// [`MAX_UNIQUE_PROPERTIES`] [D: knowledge base "Create unique identifier properties"]. The
/// errors' wording is UNCONFIRMED.
fn check_unique_allowed(
    schema: &Schema,
    kind: Kind,
    name: &str,
    t: PType,
    ft: &str,
) -> ApiResult<()> {
    check_unique_type(name, t, ft)?;
    if schema.unique_props(kind).count() >= MAX_UNIQUE_PROPERTIES {
        return Err(invalid(
            format!(
                "An object can have at most {MAX_UNIQUE_PROPERTIES} properties with unique values; {} has reached it",
                kind.plural()
            ),
            name,
        ));
    }
    Ok(())
}

fn check_unique_type(name: &str, t: PType, ft: &str) -> ApiResult<()> {
    let text_or_number =
        (t == PType::String && ft == "text") || (t == PType::Number && ft == "number");
    if text_or_number {
        Ok(())
    } else {
        Err(invalid(
            format!(
                "hasUniqueValue is only allowed for single-line text and number properties ({name})"
            ),
            name,
        ))
    }
}

/// `POST /crm/v3/properties/{type}` → 201 `Property`.
pub fn create(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let mut st = app.write();
    let p = parse_create(&st.schema, kind, &body, now_ms())?;
    let v = property_json(&st.schema, &p);
    st.schema.add_prop(kind, p);
    status(201, v)
}

/// A custom, live property that may be changed, or the error.
fn editable<'a>(schema: &'a mut Schema, kind: Kind, name: &str) -> ApiResult<&'a mut Prop> {
    let p = schema
        .prop_any_mut(kind, name)
        .filter(|p| p.is_live())
        .ok_or_else(|| no_such_property(kind, name))?;
    if p.hubspot_defined() {
        return Err(invalid(
            format!("{name} is a HubSpot-defined property; its definition is read-only"),
            name,
        ));
    }
    Ok(p)
}

/// `PATCH /crm/v3/properties/{type}/{propertyName}` (`PropertyUpdate`) → 200 `Property`.
/// `hasUniqueValue` and `name` cannot change (not in `PropertyUpdate` [S]).
pub fn update(app: &AppState, kind: Kind, name: &str, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let body = body
        .as_object()
        .ok_or_else(|| ApiError::validation("Invalid input JSON: expected an object"))?;
    let mut st = app.write();
    if let Some(g) = str_field(body, "groupName")?
        && st.schema.group(kind, g).is_none()
    {
        return Err(invalid(
            format!(
                "Property group '{g}' does not exist for object type {}",
                kind.plural()
            ),
            name,
        ));
    }
    let current = editable(&mut st.schema, kind, name)?.clone();
    let ptype_s = str_field(body, "type")?.unwrap_or(current.def.ptype.as_str());
    let field_s = str_field(body, "fieldType")?.unwrap_or(current.def.field_type);
    let (t, ft) = check_types(name, ptype_s, field_s)?;
    if current.def.unique && (t, ft) != (current.def.ptype, current.def.field_type) {
        check_unique_type(name, t, ft)?;
    }
    let options = match body.get("options") {
        None | Some(Value::Null) => None,
        v => Some(parse_options(name, v)?),
    };
    let hint = number_hint(body)?;
    let p = editable(&mut st.schema, kind, name)?;
    p.def.ptype = t;
    p.def.field_type = ft;
    if let Some(o) = options {
        p.options = o;
    }
    if let Some(h) = hint {
        p.def.number_hint = Some(h);
    }
    if let Some(v) = str_field(body, "label")? {
        p.label = v.to_owned();
    }
    if let Some(v) = str_field(body, "description")? {
        p.description = v.to_owned();
    }
    if let Some(v) = str_field(body, "groupName")? {
        p.group = v.to_owned();
    }
    if let Some(v) = int_field(body, "displayOrder")? {
        p.display_order = v;
    }
    if let Some(v) = bool_field(body, "hidden")? {
        p.hidden = v;
    }
    if let Some(v) = bool_field(body, "formField")? {
        p.form_field = v;
    }
    p.updated_ms = now_ms();
    let p = p.clone();
    ok(property_json(&st.schema, &p))
}

/// Archives one custom property (values stay on the records but are no longer served).
fn archive_one(schema: &mut Schema, kind: Kind, name: &str, now: i64) -> ApiResult<()> {
    let p = editable(schema, kind, name)?;
    p.archived_ms = Some(now);
    p.updated_ms = now;
    Ok(())
}

/// `DELETE /crm/v3/properties/{type}/{propertyName}` → 204.
pub fn archive(app: &AppState, kind: Kind, name: &str) -> ApiResult<Reply> {
    let mut st = app.write();
    archive_one(&mut st.schema, kind, name, now_ms())?;
    no_content()
}

fn inputs(body: &Value) -> ApiResult<&Vec<Value>> {
    body.get("inputs").and_then(Value::as_array).ok_or_else(|| {
        ApiError::validation("Invalid input JSON: Some required fields were not set: [inputs]")
    })
}

/// `POST /crm/v3/properties/{type}/batch/{create|read|archive}`.
pub fn batch(app: &AppState, kind: Kind, op: &str, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let started = now_ms();
    match op {
        "create" => batch_create(app, kind, inputs(&body)?, started),
        "read" => batch_read(app, kind, &body, started),
        "archive" => batch_archive(app, kind, inputs(&body)?),
        _ => Err(super::http::no_route(r)),
    }
}

/// Batch create: 201 with every created property, or 207 with the ones that failed (each
/// input is created or refused on its own; UNCONFIRMED whether HubSpot instead refuses the
/// whole batch).
fn batch_create(app: &AppState, kind: Kind, inputs: &[Value], started: i64) -> ApiResult<Reply> {
    let mut st = app.write();
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        match parse_create(&st.schema, kind, input, now_ms()) {
            Ok(p) => {
                results.push(property_json(&st.schema, &p));
                st.schema.add_prop(kind, p);
            }
            Err(e) => errors.push(standard_error(
                e.category,
                e.message.clone(),
                json!({"name": [input.get("name").and_then(Value::as_str).unwrap_or("")]}),
            )),
        }
    }
    let (code, v) = batch_envelope(results, errors, started);
    status(if code == 200 { 201 } else { code }, v)
}

/// Batch read by name: 200, or 207 naming the properties that do not exist.
fn batch_read(app: &AppState, kind: Kind, body: &Value, started: i64) -> ApiResult<Reply> {
    let archived = body
        .get("archived")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let st = app.read();
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for input in inputs(body)? {
        let name = input.get("name").and_then(Value::as_str).unwrap_or("");
        match st
            .schema
            .prop_any(kind, name)
            .filter(|p| p.is_live() != archived)
        {
            Some(p) => results.push(property_json(&st.schema, p)),
            None => missing.push(name.to_owned()),
        }
    }
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        // The category and message are UNCONFIRMED (modelled on the object batch read's).
        vec![standard_error(
            "OBJECT_NOT_FOUND",
            format!(
                "Could not find some properties of object type {}: {}",
                kind.plural(),
                missing.join(", ")
            ),
            json!({"names": missing}),
        )]
    };
    let (code, v) = batch_envelope(results, errors, started);
    status(code, v)
}

/// Batch archive: 204. Names that do not exist are skipped, as object batch archive skips
/// unknown IDs (UNCONFIRMED for properties); a HubSpot-defined one refuses the batch before
/// anything is archived.
fn batch_archive(app: &AppState, kind: Kind, inputs: &[Value]) -> ApiResult<Reply> {
    let mut st = app.write();
    let names: Vec<&str> = inputs
        .iter()
        .filter_map(|i| i.get("name").and_then(Value::as_str))
        .collect();
    if let Some(p) = names
        .iter()
        .find_map(|n| st.schema.prop(kind, n).filter(|p| p.hubspot_defined()))
    {
        let n = p.name();
        return Err(invalid(
            format!("{n} is a HubSpot-defined property and cannot be archived"),
            n,
        ));
    }
    let now = now_ms();
    for n in names {
        if st.schema.prop(kind, n).is_some() {
            archive_one(&mut st.schema, kind, n, now)?;
        }
    }
    no_content()
}

/// `POST /crm/v3/properties/{type}/groups` (`PropertyGroupCreate`) → 201 `PropertyGroup`.
pub fn create_group(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let body = body
        .as_object()
        .ok_or_else(|| ApiError::validation("Invalid input JSON: expected an object"))?;
    let f = required(body, &["name", "label"])?;
    let (name, label) = (f[0], f[1]);
    check_name(name)?;
    let mut st = app.write();
    if st.schema.groups_all(kind).iter().any(|g| g.name == name) {
        return Err(ApiError::new(
            409,
            "CONFLICT",
            format!(
                "A property group named '{name}' already exists for object type {}",
                kind.plural()
            ),
        ));
    }
    let g = Group {
        name: name.to_owned(),
        label: label.to_owned(),
        display_order: int_field(body, "displayOrder")?.unwrap_or(-1),
        archived: false,
    };
    let v = group_json(&g);
    st.schema.add_group(kind, g);
    status(201, v)
}

/// `PATCH /crm/v3/properties/{type}/groups/{groupName}` (`label`, `displayOrder`) → 200.
pub fn update_group(app: &AppState, kind: Kind, name: &str, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let body = body
        .as_object()
        .ok_or_else(|| ApiError::validation("Invalid input JSON: expected an object"))?;
    let label = str_field(body, "label")?.map(str::to_owned);
    let order = int_field(body, "displayOrder")?;
    let mut st = app.write();
    let g = st
        .schema
        .group_any_mut(kind, name)
        .filter(|g| !g.archived)
        .ok_or_else(|| no_such_group(kind, name))?;
    if let Some(l) = label {
        g.label = l;
    }
    if let Some(o) = order {
        g.display_order = o;
    }
    ok(group_json(g))
}

/// `DELETE /crm/v3/properties/{type}/groups/{groupName}` → 204. A group that still holds
/// live properties is refused (400; HubSpot's answer is UNCONFIRMED), and so is one of
/// HubSpot's own groups.
pub fn archive_group(app: &AppState, kind: Kind, name: &str) -> ApiResult<Reply> {
    let mut st = app.write();
    if st.schema.group(kind, name).is_none() {
        return Err(no_such_group(kind, name));
    }
    if super::model::groups_of(kind)
        .iter()
        .any(|(n, _)| *n == name)
    {
        return Err(ApiError::validation(format!(
            "{name} is a HubSpot-defined property group and cannot be archived"
        )));
    }
    let used: Vec<&str> = st
        .schema
        .props(kind)
        .filter(|p| p.group == name)
        .map(Prop::name)
        .collect();
    if !used.is_empty() {
        return Err(ApiError::validation(format!(
            "Property group {name} still has properties ({}); move or archive them first",
            used.join(", ")
        )));
    }
    if let Some(g) = st.schema.group_any_mut(kind, name) {
        g.archived = true;
    }
    no_content()
}
