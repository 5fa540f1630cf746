//! The sandbox's Properties and Pipelines API writes, over HTTP: a unique property created
//! through the API works for ticket writes and `idProperty` reads; validation of
//! definitions; groups; pipelines and stages that tickets then use; archiving what tickets
//! use; the audit trail; unknown paths; `batch/associate/default` on partial failure.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};

const PR: &str = "properties-v3.json";
const PL: &str = "pipelines-v3.json";
const T: &str = "tickets-v3.json";

fn unique_text(name: &str) -> Value {
    json!({"name": name, "label": "Order reference", "type": "string", "fieldType": "text",
           "groupName": "ticketinformation", "hasUniqueValue": true})
}

async fn new_ticket(api: &Api, props: Value) -> Resp {
    let mut p = json!({"subject": "unique test", "hs_pipeline_stage": "1"});
    p.as_object_mut()
        .unwrap()
        .extend(props.as_object().unwrap().clone());
    api.post("/crm/v3/objects/tickets", json!({"properties": p}))
        .await
}

/// The properties guide's flow: create a unique property, set it on a ticket, read the
/// ticket by it (single and batch), and HubSpot refuses a duplicate value.
#[tokio::test]
async fn a_unique_property_created_over_the_api_identifies_tickets() {
    let h = start(5).await;
    let api = Api::new(&h);
    let r = api
        .post("/crm/v3/properties/tickets", unique_text("order_ref"))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(PR, "Property", &r.body);
    assert_eq!(r.body["hasUniqueValue"], true);
    assert_eq!(r.body["hubspotDefined"], false);
    assert_eq!(r.body["modificationMetadata"]["archivable"], true);

    let a = new_ticket(&api, json!({"order_ref": "ORD-1"})).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["properties"]["order_ref"], "ORD-1");
    let id = a.body["id"].as_str().unwrap().to_owned();

    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/read",
            json!({"idProperty": "order_ref", "inputs": [{"id": "ORD-1"}], "properties": ["subject", "order_ref"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(T, "BatchResponseSimplePublicObject", &r.body);
    assert_eq!(r.body["results"][0]["id"], id.as_str());
    assert_eq!(r.body["results"][0]["properties"]["order_ref"], "ORD-1");

    let r = api
        .get("/crm/v3/objects/tickets/ORD-1?idProperty=order_ref&properties=order_ref")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["id"], id.as_str());

    // A duplicate on create, and on update of another ticket.
    let dup = new_ticket(&api, json!({"order_ref": "ORD-1"})).await;
    assert_error(&dup, 409, "CONFLICT");
    let b = new_ticket(&api, json!({"order_ref": "ORD-2"})).await;
    let b_id = b.body["id"].as_str().unwrap().to_owned();
    let r = api
        .patch(
            &format!("/crm/v3/objects/tickets/{b_id}"),
            json!({"properties": {"order_ref": "ORD-1"}}),
        )
        .await;
    assert_error(&r, 409, "CONFLICT");
    // Moving the value frees the old one.
    let r = api
        .patch(
            &format!("/crm/v3/objects/tickets/{id}"),
            json!({"properties": {"order_ref": "ORD-9"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = api
        .patch(
            &format!("/crm/v3/objects/tickets/{b_id}"),
            json!({"properties": {"order_ref": "ORD-1"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = api
        .get("/crm/v3/objects/tickets/ORD-1?idProperty=order_ref")
        .await;
    assert_eq!(r.body["id"], b_id.as_str());
    // Search knows the property too.
    let r = api
        .post(
            "/crm/v3/objects/tickets/search",
            json!({"filterGroups": [{"filters": [{"propertyName": "order_ref", "operator": "EQ", "value": "ORD-9"}]}], "properties": ["order_ref"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["total"], 1, "{}", r.body);
    h.shutdown().await;
}

#[tokio::test]
async fn property_definitions_are_validated() {
    let h = start(3).await;
    let api = Api::new(&h);
    let base = "/crm/v3/properties/tickets";
    let mut bad_combo = unique_text("combo");
    bad_combo["type"] = json!("number");
    bad_combo["fieldType"] = json!("textarea");
    assert_error(&api.post(base, bad_combo).await, 400, "VALIDATION_ERROR");
    let mut bad_type = unique_text("bad_type");
    bad_type["type"] = json!("integer");
    assert_error(&api.post(base, bad_type).await, 400, "VALIDATION_ERROR");
    let mut no_group = unique_text("no_group");
    no_group["groupName"] = json!("no_such_group");
    assert_error(&api.post(base, no_group).await, 400, "VALIDATION_ERROR");
    let mut unique_enum = unique_text("unique_enum");
    unique_enum["type"] = json!("enumeration");
    unique_enum["fieldType"] = json!("select");
    assert_error(&api.post(base, unique_enum).await, 400, "VALIDATION_ERROR");
    let r = api.post(base, json!({"name": "x", "label": "x"})).await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert!(
        r.body["message"].as_str().unwrap().contains("type"),
        "{}",
        r.body
    );
    // A name in use: the built-in subject, then a created one.
    let mut taken = unique_text("subject");
    taken["hasUniqueValue"] = json!(false);
    assert_error(&api.post(base, taken).await, 409, "CONFLICT");
    // HubSpot's own definitions are read-only.
    let r = api
        .patch(&format!("{base}/subject"), json!({"label": "x"}))
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert_error(
        &api.delete(&format!("{base}/subject")).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &api.delete(&format!("{base}/nope")).await,
        404,
        "OBJECT_NOT_FOUND",
    );
    h.shutdown().await;
}

/// An enumeration created over the API takes only its options; updating the options
/// changes what ticket writes accept; archiving hides the property from reads and writes.
#[tokio::test]
async fn an_enumeration_takes_its_options_and_archiving_hides_it() {
    let h = start(3).await;
    let api = Api::new(&h);
    let base = "/crm/v3/properties/tickets";
    let r = api
        .post(
            base,
            json!({"name": "tier", "label": "Tier", "type": "enumeration", "fieldType": "select",
                   "groupName": "ticketinformation",
                   "options": [{"label": "Gold", "value": "gold", "hidden": false, "displayOrder": 0},
                               {"label": "Silver", "value": "silver", "hidden": false, "displayOrder": 1}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["options"].as_array().unwrap().len(), 2);
    let ok = new_ticket(&api, json!({"tier": "gold"})).await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let id = ok.body["id"].as_str().unwrap().to_owned();
    assert_error(
        &new_ticket(&api, json!({"tier": "bronze"})).await,
        400,
        "VALIDATION_ERROR",
    );
    let r = api
        .patch(
            &format!("{base}/tier"),
            json!({"label": "Support tier", "options": [{"label": "Bronze", "value": "bronze", "hidden": false}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(PR, "Property", &r.body);
    assert_eq!(r.body["label"], "Support tier");
    assert_eq!(
        new_ticket(&api, json!({"tier": "bronze"})).await.status,
        201
    );
    assert_error(
        &new_ticket(&api, json!({"tier": "gold"})).await,
        400,
        "VALIDATION_ERROR",
    );

    assert_eq!(api.delete(&format!("{base}/tier")).await.status, 204);
    assert_error(
        &api.get(&format!("{base}/tier")).await,
        404,
        "OBJECT_NOT_FOUND",
    );
    let r = api.get(&format!("{base}/tier?archived=true")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["archived"], true);
    assert!(r.body["archivedAt"].is_string());
    let r = api.get(&format!("{base}?archived=true")).await;
    let names: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["tier"]);
    let r = api
        .get(&format!(
            "/crm/v3/objects/tickets/{id}?properties=tier,subject"
        ))
        .await;
    assert!(r.body["properties"].get("tier").is_none(), "{}", r.body);
    let r = new_ticket(&api, json!({"tier": "bronze"})).await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert_eq!(r.body["errors"][0]["code"], "PROPERTY_DOESNT_EXIST");
    h.shutdown().await;
}

#[tokio::test]
async fn property_batches_and_groups() {
    let h = start(3).await;
    let api = Api::new(&h);
    let base = "/crm/v3/properties/tickets";
    let r = api
        .post(
            &format!("{base}/groups"),
            json!({"name": "integration", "label": "Integration"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(PR, "PropertyGroup", &r.body);
    assert_error(
        &api.post(
            &format!("{base}/groups"),
            json!({"name": "integration", "label": "Again"}),
        )
        .await,
        409,
        "CONFLICT",
    );
    let text = |n: &str| json!({"name": n, "label": n, "type": "string", "fieldType": "text", "groupName": "integration"});
    let r = api
        .post(
            &format!("{base}/batch/create"),
            json!({"inputs": [text("sync_a"), text("sync_b")]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(PR, "BatchResponseProperty", &r.body);
    let r = api
        .post(
            &format!("{base}/batch/create"),
            json!({"inputs": [text("sync_c"), text("sync_a")]}),
        )
        .await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_schema(PR, "BatchResponsePropertyWithErrors", &r.body);
    assert_eq!(r.body["numErrors"], 1);
    assert_eq!(r.body["results"][0]["name"], "sync_c");
    let r = api
        .post(&format!("{base}/batch/read"), json!({"archived": false, "dataSensitivity": "non_sensitive", "inputs": [{"name": "sync_a"}, {"name": "nope"}]}))
        .await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_eq!(r.body["results"][0]["name"], "sync_a");
    // A group that holds properties is not archived; emptied, it is.
    assert_error(
        &api.delete(&format!("{base}/groups/integration")).await,
        400,
        "VALIDATION_ERROR",
    );
    let r = api
        .post(
            &format!("{base}/batch/archive"),
            json!({"inputs": [{"name": "sync_a"}, {"name": "sync_b"}, {"name": "sync_c"}]}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let r = api
        .patch(
            &format!("{base}/groups/integration"),
            json!({"label": "Renamed", "displayOrder": 4}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["label"], "Renamed");
    assert_eq!(
        api.delete(&format!("{base}/groups/integration"))
            .await
            .status,
        204
    );
    assert_error(
        &api.get(&format!("{base}/groups/integration")).await,
        404,
        "OBJECT_NOT_FOUND",
    );
    h.shutdown().await;
}

/// A pipeline created over the API is one tickets can use: its stages are valid
/// `hs_pipeline_stage` options, and a CLOSED stage closes the ticket.
#[tokio::test]
async fn a_created_pipeline_is_usable_by_tickets() {
    let h = start(3).await;
    let api = Api::new(&h);
    let r = api
        .post(
            "/crm/v3/pipelines/tickets",
            json!({"label": "Returns", "displayOrder": 3, "stages": [
                {"label": "Received", "displayOrder": 0, "metadata": {"ticketState": "OPEN"}},
                {"label": "Refunded", "displayOrder": 1, "metadata": {"ticketState": "CLOSED"}}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(PL, "Pipeline", &r.body);
    let pid = r.body["id"].as_str().unwrap().to_owned();
    let open = r.body["stages"][0]["id"].as_str().unwrap().to_owned();
    let closed = r.body["stages"][1]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["stages"][1]["metadata"]["isClosed"], "true");

    let t = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "r", "hs_pipeline": pid, "hs_pipeline_stage": open}}),
        )
        .await;
    assert_eq!(t.status, 201, "{}", t.body);
    let tid = t.body["id"].as_str().unwrap().to_owned();
    let r = api
        .patch(
            &format!("/crm/v3/objects/tickets/{tid}"),
            json!({"properties": {"hs_pipeline_stage": closed}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["properties"]["hs_is_closed"], "true", "{}", r.body);
    // A stage of another pipeline is refused.
    let r = api
        .patch(
            &format!("/crm/v3/objects/tickets/{tid}"),
            json!({"properties": {"hs_pipeline_stage": "1"}}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    // The pipeline's stages are the property's options.
    let r = api
        .get("/crm/v3/properties/tickets/hs_pipeline_stage")
        .await;
    assert!(
        r.body["options"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["value"] == closed.as_str())
    );

    // Labels: unique among pipelines, and among a pipeline's stages.
    let dup = api
        .post("/crm/v3/pipelines/tickets", json!({"label": "returns", "displayOrder": 4, "stages": [{"label": "A", "displayOrder": 0, "metadata": {}}]}))
        .await;
    assert_error(&dup, 400, "VALIDATION_ERROR");
    let r = api
        .post(
            &format!("/crm/v3/pipelines/tickets/{pid}/stages"),
            json!({"label": "Received", "displayOrder": 2, "metadata": {"ticketState": "OPEN"}}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = api
        .post(&format!("/crm/v3/pipelines/tickets/{pid}/stages"), json!({"label": "Checked", "displayOrder": 2, "metadata": {"ticketState": "SOMETIMES"}}))
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    // Deal stages need a probability.
    let r = api
        .post("/crm/v3/pipelines/deals", json!({"label": "Renewals", "displayOrder": 1, "stages": [{"label": "A", "displayOrder": 0, "metadata": {}}]}))
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    h.shutdown().await;
}

/// Archiving a stage or pipeline that tickets use: refused with
/// `validateReferencesBeforeDelete=true`, allowed by default (v3); the audit lists it.
#[tokio::test]
async fn archiving_what_tickets_use_and_the_audit() {
    let h = start(3).await;
    let api = Api::new(&h);
    let r = api
        .post(
            "/crm/v3/pipelines/tickets",
            json!({"label": "Billing", "displayOrder": 3, "stages": [
                {"label": "New", "displayOrder": 0, "metadata": {}},
                {"label": "Done", "displayOrder": 1, "metadata": {"ticketState": "CLOSED"}}]}),
        )
        .await;
    let pid = r.body["id"].as_str().unwrap().to_owned();
    let s0 = r.body["stages"][0]["id"].as_str().unwrap().to_owned();
    let s1 = r.body["stages"][1]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["stages"][0]["metadata"]["ticketState"], "OPEN");
    let t = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "b", "hs_pipeline": pid, "hs_pipeline_stage": s0}}),
        )
        .await;
    assert_eq!(t.status, 201, "{}", t.body);

    let stage = format!("/crm/v3/pipelines/tickets/{pid}/stages/{s0}");
    let r = api
        .delete(&format!("{stage}?validateReferencesBeforeDelete=true"))
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = api
        .delete(&format!(
            "/crm/v3/pipelines/tickets/{pid}?validateReferencesBeforeDelete=true"
        ))
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    // The unused stage goes; the last one stays.
    assert_eq!(
        api.delete(&format!("/crm/v3/pipelines/tickets/{pid}/stages/{s1}"))
            .await
            .status,
        204
    );
    assert_error(&api.delete(&stage).await, 400, "VALIDATION_ERROR");
    let r = api
        .patch(
            &stage,
            json!({"label": "Fresh", "metadata": {"ticketState": "OPEN"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(PL, "PipelineStage", &r.body);
    // v3's default: archived even though a ticket is in it.
    assert_eq!(
        api.delete(&format!("/crm/v3/pipelines/tickets/{pid}"))
            .await
            .status,
        204
    );
    assert_error(
        &api.get(&format!("/crm/v3/pipelines/tickets/{pid}")).await,
        404,
        "OBJECT_NOT_FOUND",
    );
    let r = api.get("/crm/v3/pipelines/tickets?archived=true").await;
    assert_eq!(r.body["results"][0]["id"], pid.as_str());

    let r = api
        .get(&format!("/crm/v3/pipelines/tickets/{pid}/audit"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(PL, "CollectionResponsePublicAuditInfoNoPaging", &r.body);
    let actions: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions.first(),
        Some(&"DELETE"),
        "newest first: {actions:?}"
    );
    assert_eq!(actions.last(), Some(&"CREATE"), "{actions:?}");
    let r = api
        .get(&format!(
            "/crm/v3/pipelines/tickets/{pid}/stages/{s1}/audit"
        ))
        .await;
    let ids: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["identifier"].as_str().unwrap())
        .collect();
    assert!(!ids.is_empty() && ids.iter().all(|i| *i == s1), "{ids:?}");
    h.shutdown().await;
}

/// A path no operation serves is a 404 that says so (`X-HubSpot-NotFound`), distinct from
/// a record that does not exist and from an unknown object type.
#[tokio::test]
async fn unknown_paths_are_not_mistaken_for_missing_records() {
    let h = start(3).await;
    let api = Api::new(&h);
    for path in [
        "/crm/v3/nothing/here",
        "/crm/v3/objects/tickets/1/unknown/segment/x/y/z",
        "/crm/v5/objects/tickets",
    ] {
        let r = api.get(path).await;
        assert_error(&r, 404, "RESOURCE_NOT_FOUND");
        assert_eq!(r.header("x-hubspot-notfound"), Some("true"), "{path}");
    }
    let r = api.get("/crm/v3/objects/tickets/999999999").await;
    assert_error(&r, 404, "OBJECT_NOT_FOUND");
    assert_eq!(r.header("x-hubspot-notfound"), None);
    assert_error(
        &api.get("/crm/v3/objects/no_such_type").await,
        400,
        "VALIDATION_ERROR",
    );
    h.shutdown().await;
}

/// `batch/associate/default` declares only 200 [S]: a partial failure is a 200 with the
/// errors inside, never a 207.
#[tokio::test]
async fn associate_default_reports_partial_failure_inside_a_200() {
    let h = start(3).await;
    let api = Api::new(&h);
    let t = api.get("/crm/v3/objects/tickets?limit=1").await.body["results"][0]["id"].clone();
    let c = api.get("/crm/v3/objects/contacts?limit=1").await.body["results"][0]["id"].clone();
    let r = api
        .post(
            "/crm/v4/associations/tickets/contacts/batch/associate/default",
            json!({"inputs": [{"from": {"id": t}, "to": {"id": c}}, {"from": {"id": "999999999"}, "to": {"id": c}}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(
        "associations-v4.json",
        "BatchResponsePublicDefaultAssociation",
        &r.body,
    );
    assert_eq!(r.body["numErrors"], 1);
    assert_eq!(r.body["errors"][0]["category"], "OBJECT_NOT_FOUND");
    assert!(!r.body["results"].as_array().unwrap().is_empty());
    h.shutdown().await;
}
