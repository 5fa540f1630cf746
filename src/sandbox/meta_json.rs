//! The JSON of the schema's definitions, as the Properties and Pipelines APIs serve them
//! (`Property`, `Option`, `PropertyGroup`, `Pipeline`, `PipelineStage` [S: PR3, P3]), and
//! the 404s for a property, group, pipeline or stage that does not exist. Shared by the
//! metadata reads and the property and pipeline writes; it reads the schema, never writes it.

use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult};
use super::model::{Kind, Opts};
use super::schema::{Group, PipelineDef, Prop, PropOption, Schema, StageDef};
use super::store::iso;

/// A property definition as `Property` [S: PR3#/components/schemas/Property]. Pipeline,
/// stage and owner options come from the schema as it is now.
pub fn property_json(schema: &Schema, p: &Prop) -> Value {
    let d = &p.def;
    let options: Vec<Value> = match d.opts {
        Opts::Pipelines(k) => schema
            .pipelines(k)
            .map(|p| json!({"label": p.label, "value": p.id, "displayOrder": p.display_order, "hidden": false}))
            .collect(),
        Opts::Stages(k) => schema
            .pipelines(k)
            .flat_map(|p| p.live_stages())
            .enumerate()
            .map(|(i, s)| json!({"label": s.label, "value": s.id, "displayOrder": i, "hidden": false}))
            .collect(),
        Opts::Owners => Vec::new(),
        Opts::Fixed(_) | Opts::None => p.options.iter().map(option_json).collect(),
    };
    let custom = !p.hubspot_defined();
    let mut v = json!({
        "name": d.name,
        "label": p.label,
        "type": d.ptype.as_str(),
        "fieldType": d.field_type,
        "groupName": p.group,
        "description": p.description,
        "options": options,
        "displayOrder": p.display_order,
        "hidden": p.hidden,
        "formField": p.form_field,
        "calculated": d.calculated,
        "externalOptions": matches!(d.opts, Opts::Owners),
        "hasUniqueValue": d.unique,
        "hubspotDefined": !custom,
        "archived": !p.is_live(),
        "createdAt": iso(p.created_ms),
        "updatedAt": iso(p.updated_ms),
        "modificationMetadata": {
            "archivable": custom,
            "readOnlyDefinition": !custom,
            "readOnlyValue": d.read_only,
        },
    });
    if let Some(at) = p.archived_ms {
        v["archivedAt"] = json!(iso(at));
    }
    if matches!(d.opts, Opts::Owners) {
        v["referencedObjectType"] = json!("OWNER");
    }
    if let Some(hint) = d.number_hint {
        v["numberDisplayHint"] = json!(hint);
    }
    if custom {
        v["createdUserId"] = json!("9000001");
        v["updatedUserId"] = json!("9000001");
    }
    v
}

pub fn option_json(o: &PropOption) -> Value {
    let mut v = json!({"label": o.label, "value": o.value, "displayOrder": o.display_order, "hidden": o.hidden});
    if let Some(d) = &o.description {
        v["description"] = json!(d);
    }
    v
}

/// The 404 for a property that does not exist (or is archived, unless `archived=true`).
pub fn no_such_property(kind: Kind, name: &str) -> ApiError {
    let mut e = ApiError::not_found();
    e.message = format!(
        "Unable to find property {name} for object type {}",
        kind.plural()
    );
    e
}

/// A group as `PropertyGroup`.
pub fn group_json(g: &Group) -> Value {
    json!({"name": g.name, "label": g.label, "displayOrder": g.display_order, "archived": g.archived})
}

/// The 404 for an unknown property group. The message is UNCONFIRMED.
pub fn no_such_group(kind: Kind, name: &str) -> ApiError {
    let mut e = ApiError::not_found();
    e.message = format!(
        "Unable to find property group {name} for object type {}",
        kind.plural()
    );
    e
}

/// A live pipeline, or 404. The message is UNCONFIRMED.
pub fn find_pipeline<'a>(schema: &'a Schema, kind: Kind, id: &str) -> ApiResult<&'a PipelineDef> {
    schema.pipeline(kind, id).ok_or_else(|| {
        let mut e = ApiError::not_found();
        e.message = format!(
            "Unable to find pipeline {id} for object type {}",
            kind.plural()
        );
        e
    })
}

/// The 404 for a stage that is not in the pipeline. The message is UNCONFIRMED.
pub fn no_such_stage(stage_id: &str, pipeline_id: &str) -> ApiError {
    let mut e = ApiError::not_found();
    e.message = format!("Unable to find stage {stage_id} in pipeline {pipeline_id}");
    e
}

/// A stage as `PipelineStage`.
pub fn stage_json(s: &StageDef) -> Value {
    let mut v = json!({
        "id": s.id,
        "label": s.label,
        "displayOrder": s.display_order,
        "metadata": s.metadata,
        "createdAt": iso(s.created_ms),
        "updatedAt": iso(s.updated_ms),
        "archived": !s.is_live(),
        "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
    });
    if let Some(at) = s.archived_ms {
        v["archivedAt"] = json!(iso(at));
    }
    v
}

/// A pipeline as `Pipeline`, with its live stages.
pub fn pipeline_json(p: &PipelineDef) -> Value {
    let mut v = json!({
        "id": p.id,
        "label": p.label,
        "displayOrder": p.display_order,
        "stages": p.live_stages().map(stage_json).collect::<Vec<_>>(),
        "createdAt": iso(p.created_ms),
        "updatedAt": iso(p.updated_ms),
        "archived": !p.is_live(),
    });
    if let Some(at) = p.archived_ms {
        v["archivedAt"] = json!(iso(at));
    }
    v
}
