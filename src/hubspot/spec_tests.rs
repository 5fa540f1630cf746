//! Checks the client's request bodies, and its re-serialized records (`--output json`), against
//! HubSpot's official OpenAPI schemas in `../shared/hubspot/openapi/` (ARCHITECTURE §2: both the
//! client and the sandbox are held to the specs, never to each other).
//!
//! Test-only. Known, deliberate deviations from the spec are listed where they occur.

use serde_json::{Value, json};

use super::associations::association_types::TICKET_TO_CONTACT;
use super::dto::*;
use super::objects::{BatchReadQuery, batch_read_requests};
use super::search::search_request;

fn spec(file: &str) -> Value {
    let path = format!(
        "{}/../shared/hubspot/openapi/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("OpenAPI spec {path} is needed for this test: {e}"));
    serde_json::from_str(&text).expect("spec is JSON")
}

/// Asserts `instance` is valid against `#/components/schemas/{schema}` of `file`.
fn assert_valid(file: &str, schema: &str, instance: &Value) {
    let doc = spec(file);
    let root = json!({
        "$ref": format!("#/components/schemas/{schema}"),
        "components": doc["components"],
    });
    let validator = jsonschema::validator_for(&root).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{schema} in {file}: {errors:#?}\ninstance: {instance:#}"
    );
}

fn is_valid(file: &str, schema: &str, instance: &Value) -> bool {
    let doc = spec(file);
    let root = json!({
        "$ref": format!("#/components/schemas/{schema}"),
        "components": doc["components"],
    });
    jsonschema::validator_for(&root)
        .expect("schema compiles")
        .is_valid(instance)
}

#[test]
fn the_validator_rejects_bad_shapes() {
    // Guards the checks below against a validator that accepts everything.
    assert!(!is_valid(
        A4,
        "AssociationSpec",
        &json!({"associationCategory": "HUBSPOT_DEFINED"})
    ));
    assert!(!is_valid(
        A4,
        "AssociationSpec",
        &json!({"associationCategory": "NOPE", "associationTypeId": 1})
    ));
    assert!(!is_valid(
        T3,
        "SimplePublicObjectInput",
        &json!({"properties": {"a": 1}})
    ));
    assert!(!is_valid(
        T3,
        "SimplePublicObjectWithAssociations",
        &json!({"id": "1"})
    ));
}

const T3: &str = "tickets-v3.json";
const A4: &str = "associations-v4.json";

fn props(pairs: &[(&str, &str)]) -> PropertyValues {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn write_bodies_match_the_tickets_spec() {
    let create = CreateInput {
        properties: props(&[("subject", "Printer on fire"), ("hs_pipeline_stage", "1")]),
        associations: vec![AssociationInput {
            to: ObjectId::new("201"),
            types: vec![AssociationSpec::hubspot(TICKET_TO_CONTACT)],
        }],
        object_write_trace_id: None,
    };
    let create = serde_json::to_value(&create).expect("ser");
    assert_valid(T3, "SimplePublicObjectInputForCreate", &create);
    assert_valid(
        T3,
        "BatchInputSimplePublicObjectBatchInputForCreate",
        &json!({ "inputs": [create] }),
    );
    // A create without associations still sends `associations: []` (the spec requires it).
    let bare = serde_json::to_value(CreateInput {
        properties: props(&[("subject", "x")]),
        ..CreateInput::default()
    })
    .expect("ser");
    assert_valid(T3, "SimplePublicObjectInputForCreate", &bare);
    assert_valid(
        T3,
        "SimplePublicObjectInput",
        &json!({ "properties": props(&[("hs_pinned_engagement_id", "")]) }),
    );
    let update = UpdateInput {
        id: "1".into(),
        properties: props(&[("hs_ticket_priority", "HIGH")]),
        id_property: None,
        object_write_trace_id: Some("t1".into()),
    };
    assert_valid(
        T3,
        "BatchInputSimplePublicObjectBatchInput",
        &json!({ "inputs": [update] }),
    );
    assert_valid(
        T3,
        "BatchInputSimplePublicObjectId",
        &json!({ "inputs": [ObjectId::new("1"), ObjectId::new("2")] }),
    );
}

#[test]
fn batch_read_body_matches_the_tickets_spec() {
    let q = BatchReadQuery {
        ids: vec!["1".into(), "2".into()],
        properties: vec!["subject".into()],
        properties_with_history: vec!["hs_pipeline_stage".into()],
        id_property: Some("hs_ticket_id".into()),
        archived: false,
    };
    for (_, req) in batch_read_requests("tickets", &q).expect("reqs") {
        assert_valid(
            T3,
            "BatchReadInputSimplePublicObjectId",
            &req.body_json().expect("body"),
        );
    }
}

#[test]
fn search_body_matches_the_tickets_spec_except_sorts() {
    // The spec marks filterGroups, sorts, properties, limit and after required and types
    // `sorts` as string[]; HubSpot accepts any subset and wants sort *objects* (API-NOTES §9).
    // So this checks a request with every field but sorts, with `sorts` emptied.
    let r = SearchRequest {
        filter_groups: vec![FilterGroup {
            filters: vec![
                Filter::eq("hs_pipeline", "0"),
                Filter::in_values("hs_pipeline_stage", vec!["1".into(), "2".into()]),
                Filter::has_property("hubspot_owner_id", false),
            ],
        }],
        sorts: Vec::new(),
        query: Some("printer".into()),
        properties: vec!["subject".into()],
        limit: Some(500),
        after: Some("0".into()),
    };
    let body = search_request("tickets", &r)
        .expect("req")
        .body_json()
        .expect("body");
    assert_valid(T3, "PublicObjectSearchRequest", &body);
}

#[test]
fn association_bodies_match_the_v4_spec() {
    let specs = vec![
        AssociationSpec::hubspot(26),
        AssociationSpec {
            association_category: AssociationCategory::UserDefined,
            association_type_id: 7,
        },
    ];
    let body = serde_json::to_value(&specs).expect("ser");
    let doc = spec(A4);
    let put = &doc["paths"]["/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}"]
        ["put"];
    assert_eq!(
        put["requestBody"]["content"]["application/json"]["schema"]["items"]["$ref"],
        "#/components/schemas/AssociationSpec"
    );
    for item in body.as_array().expect("array") {
        assert_valid(A4, "AssociationSpec", item);
    }
    let input = super::associations::labels_input("1", "2", specs);
    assert_valid(
        A4,
        "BatchInputPublicAssociationMultiPost",
        &json!({ "inputs": [input] }),
    );
    assert_valid(
        A4,
        "BatchInputPublicFetchAssociationsBatchRequest",
        &json!({ "inputs": [{"id": "1"}, {"id": "2"}] }),
    );
}

#[test]
fn re_serialized_records_match_the_response_schemas() {
    // Parsed from HubSpot-shaped JSON (ids as numbers, epoch-0 pipeline), printed back: what
    // `--output json` emits must still be spec-valid.
    let ticket: SimplePublicObject = serde_json::from_value(json!({
        "id": "1", "properties": {"subject": "x", "hs_pipeline": "0"},
        "propertiesWithHistory": {"hs_pipeline_stage": [
            {"value": "1", "timestamp": "2026-02-01T09:00:00.000Z", "sourceType": "API", "sourceId": "app"}]},
        "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-02T00:00:00Z",
        "archived": false,
        "associations": {"contacts": {"results": [{"id": 201, "type": "ticket_to_contact"}]}}
    }))
    .expect("ticket");
    assert_valid(
        T3,
        "SimplePublicObjectWithAssociations",
        &serde_json::to_value(&ticket).expect("ser"),
    );
    let assoc: Page<AssociatedObject> = serde_json::from_value(json!({"results": [
        {"toObjectId": 5790939450_u64, "associationTypes": [
            {"category": "HUBSPOT_DEFINED", "typeId": 339, "label": null},
            {"category": "HUBSPOT_DEFINED", "typeId": 26, "label": "Primary"}]}]}))
    .expect("assoc");
    let mut back = serde_json::to_value(&assoc).expect("ser");
    // `label: null` is what HubSpot sends for unlabeled types (API-NOTES §2.2) although the
    // spec types it as string; drop nulls before validating.
    if let Some(types) = back["results"][0]["associationTypes"].as_array_mut() {
        for t in types {
            if let Some(o) = t.as_object_mut() {
                o.retain(|_, v| !v.is_null());
            }
        }
    }
    assert_valid(
        A4,
        "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging",
        &back,
    );
    let pipeline: Pipeline = serde_json::from_value(json!({
        "id": "0", "label": "Support Pipeline", "displayOrder": 0, "createdAt": 0,
        "updatedAt": "2026-01-01T00:00:00Z", "archived": false,
        "stages": [{"id": "1", "label": "New", "displayOrder": 0,
            "metadata": {"ticketState": "OPEN", "isClosed": "false"},
            "createdAt": 0, "updatedAt": "2026-01-01T00:00:00Z", "archived": false}]
    }))
    .expect("pipeline");
    assert_valid(
        "pipelines-v3.json",
        "Pipeline",
        &serde_json::to_value(&pipeline).expect("ser"),
    );
    let owner: PublicOwner = serde_json::from_value(json!({
        "id": "7", "email": "a@b.c", "type": "PERSON", "userId": 9,
        "teams": [{"id": "1", "name": "Support", "primary": true}],
        "createdAt": "2020-01-01T00:00:00Z", "updatedAt": "2020-01-01T00:00:00Z", "archived": false
    }))
    .expect("owner");
    assert_valid(
        "owners-v3.json",
        "PublicOwner",
        &serde_json::to_value(&owner).expect("ser"),
    );
    let property: Property = serde_json::from_value(json!({
        "name": "hs_ticket_priority", "label": "Priority", "type": "enumeration",
        "fieldType": "select", "groupName": "ticketinformation", "description": "",
        "options": [{"label": "High", "value": "HIGH", "hidden": false, "displayOrder": 2}],
        "modificationMetadata": {"archivable": false, "readOnlyDefinition": true, "readOnlyValue": false}
    }))
    .expect("property");
    assert_valid(
        "properties-v3.json",
        "Property",
        &serde_json::to_value(&property).expect("ser"),
    );
}

#[test]
fn activity_writes_and_traced_results_match_the_engagement_specs() {
    let note = CreateInput {
        properties: props(&[
            ("hs_note_body", "<p>Called back</p>"),
            ("hs_timestamp", "2026-11-02T10:00:00.000Z"),
        ]),
        associations: vec![AssociationInput {
            to: ObjectId::new("1001"),
            types: vec![AssociationSpec::hubspot(
                super::associations::association_types::NOTE_TO_TICKET,
            )],
        }],
        object_write_trace_id: Some("ticket-1001-0".into()),
    };
    let batch = json!({ "inputs": [note] });
    for file in ["notes-v3.json", "calls-v3.json", "tasks-v3.json"] {
        assert_valid(
            file,
            "BatchInputSimplePublicObjectBatchInputForCreate",
            &batch,
        );
    }
    // A batch result carries the trace of its input; printed back, it still matches.
    let result: SimplePublicObject = serde_json::from_value(json!({
        "id": "5000123", "properties": {"hs_note_body": "<p>Called back</p>"},
        "createdAt": "2026-11-02T10:00:00.000Z", "updatedAt": "2026-11-02T10:00:00.000Z",
        "archived": false, "objectWriteTraceId": "ticket-1001-0"
    }))
    .expect("result");
    assert_eq!(
        result.object_write_trace_id.as_deref(),
        Some("ticket-1001-0")
    );
    let back = serde_json::to_value(&result).expect("ser");
    assert_eq!(back["objectWriteTraceId"], "ticket-1001-0");
    assert_valid("notes-v3.json", "SimplePublicObject", &back);
}
