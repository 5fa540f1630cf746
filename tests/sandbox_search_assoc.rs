//! Search and associations over real HTTP.
//!
//! The tests of what search answers run with HubSpot's limits off (`start_unlimited`): they
//! send searches back to back, more than search's 5 per second; the limit is tested in
//! `sandbox_search.rs` and `sandbox_platform.rs`.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};

const T: &str = "tickets-v3.json";
const A4: &str = "associations-v4.json";
const AS4: &str = "associations-schema-v4.json";

async fn search(api: &Api, kind: &str, body: Value) -> Resp {
    api.post(&format!("/crm/v3/objects/{kind}/search"), body)
        .await
}

fn filter(prop: &str, op: &str, value: Value) -> Value {
    let mut f = json!({"propertyName": prop, "operator": op});
    match value {
        Value::Array(_) => f["values"] = value,
        Value::Null => {}
        v => f["value"] = v,
    }
    json!({"filterGroups": [{"filters": [f]}], "limit": 200, "properties": ["subject", "hs_ticket_priority", "hs_pipeline_stage", "hs_ticket_category", "affected_users", "hubspot_owner_id"]})
}

async fn all_ids(api: &Api, body: Value) -> (u64, Vec<u64>) {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    let total;
    loop {
        let mut b = body.clone();
        if let Some(a) = &after {
            b["after"] = json!(a);
        }
        let r = search(api, "tickets", b).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let t = r.body["total"].as_u64().unwrap();
        ids.extend(
            r.body["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().parse::<u64>().unwrap()),
        );
        match r.body["paging"]["next"]["after"].as_str() {
            Some(a) => after = Some(a.to_owned()),
            None => {
                total = t;
                break;
            }
        }
    }
    (total, ids)
}

#[tokio::test]
async fn search_operators_sorts_and_query() {
    let h = start_unlimited(300).await; // searches back to back: see the module docs
    let api = Api::new(&h);
    // no filters: everything, default order createdate ascending
    let r = search(&api, "tickets", json!({})).await;
    assert_eq!(r.status, 200);
    assert_schema(T, "CollectionResponseWithTotalSimplePublicObject", &r.body);
    assert_eq!(r.body["total"], 300);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 10);
    assert_eq!(r.body["paging"]["next"]["after"], "10");
    assert!(r.body["results"][0].get("associations").is_none());
    assert!(
        r.header("x-hubspot-ratelimit-max").is_none(),
        "search carries no rate-limit headers"
    );
    let (total, ids) = all_ids(&api, json!({"limit": 200})).await;
    assert_eq!(total, 300);
    assert_eq!(ids, (1001..=1300).collect::<Vec<_>>());

    // EQ on enumeration is case-sensitive; on strings case-insensitive
    let (high, _) = all_ids(&api, filter("hs_ticket_priority", "EQ", json!("HIGH"))).await;
    assert!(high > 0);
    let (lower, _) = all_ids(&api, filter("hs_ticket_priority", "EQ", json!("high"))).await;
    assert_eq!(lower, 0);
    let (neq, _) = all_ids(&api, filter("hs_ticket_priority", "NEQ", json!("HIGH"))).await;
    assert_eq!(high + neq, 300);
    let (subj, _) = all_ids(&api, filter("subject", "EQ", json!("login fails on sso"))).await;
    assert!(subj >= 1);
    // IN / NOT_IN
    let (open, _) = all_ids(
        &api,
        filter("hs_pipeline_stage", "IN", json!(["1", "2", "3"])),
    )
    .await;
    let (not_open, _) = all_ids(
        &api,
        filter("hs_pipeline_stage", "NOT_IN", json!(["1", "2", "3"])),
    )
    .await;
    assert_eq!(open + not_open, 300);
    // HAS_PROPERTY / NOT_HAS_PROPERTY
    let (has, _) = all_ids(
        &api,
        filter("hubspot_owner_id", "HAS_PROPERTY", Value::Null),
    )
    .await;
    let (has_not, _) = all_ids(
        &api,
        filter("hubspot_owner_id", "NOT_HAS_PROPERTY", Value::Null),
    )
    .await;
    assert_eq!(has + has_not, 300);
    assert!(has_not > 0, "some tickets are unassigned");
    // numeric compare
    let (gt, _) = all_ids(&api, filter("affected_users", "GT", json!("100"))).await;
    let (lte, _) = all_ids(&api, filter("affected_users", "LTE", json!("100"))).await;
    let (has_users, _) = all_ids(&api, filter("affected_users", "HAS_PROPERTY", Value::Null)).await;
    assert_eq!(gt + lte, has_users);
    let (btw, ids) = all_ids(&api, json!({"filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "BETWEEN", "value": "1010", "highValue": "1019"}]}]})).await;
    assert_eq!(btw, 10);
    assert_eq!(ids, (1010..=1019).collect::<Vec<_>>());
    // dates: epoch ms and ISO
    let (lt_ms, _) = all_ids(&api, filter("createdate", "LT", json!("1780000000000"))).await;
    let (lt_iso, _) = all_ids(
        &api,
        filter("createdate", "LT", json!("2026-05-28T20:26:40Z")),
    )
    .await;
    assert_eq!(lt_ms, lt_iso);
    assert!(lt_ms > 0 && lt_ms < 300);
    // CONTAINS_TOKEN with wildcard, NOT_CONTAINS_TOKEN
    let (tok, _) = all_ids(&api, filter("subject", "CONTAINS_TOKEN", json!("login"))).await;
    let (wild, _) = all_ids(&api, filter("subject", "CONTAINS_TOKEN", json!("log*"))).await;
    let (not_tok, _) = all_ids(
        &api,
        filter("subject", "NOT_CONTAINS_TOKEN", json!("login")),
    )
    .await;
    assert!(tok >= 1 && wild >= tok);
    assert_eq!(tok + not_tok, 300);
    // multi-select EQ matches one of the values
    let (billing, _) = all_ids(
        &api,
        filter("hs_ticket_category", "EQ", json!("BILLING_ISSUE")),
    )
    .await;
    assert!(billing > 0);
    // OR of groups
    let (or, _) = all_ids(
        &api,
        json!({"filterGroups": [
        {"filters": [{"propertyName": "hs_pipeline_stage", "operator": "EQ", "value": "1"}]},
        {"filters": [{"propertyName": "hs_pipeline_stage", "operator": "EQ", "value": "2"}]}]}),
    )
    .await;
    let (s1, _) = all_ids(&api, filter("hs_pipeline_stage", "EQ", json!("1"))).await;
    let (s2, _) = all_ids(&api, filter("hs_pipeline_stage", "EQ", json!("2"))).await;
    assert_eq!(or, s1 + s2);
    // query in Japanese and English
    let r = search(
        &api,
        "tickets",
        json!({"query": "プリンター", "limit": 200}),
    )
    .await;
    assert!(
        r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "1001"),
        "{}",
        r.body
    );
    let r = search(&api, "tickets", json!({"query": "sso", "limit": 200})).await;
    assert!(
        r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "1002")
    );
    // sort descending by subject / hs_lastmodifieddate
    let r = search(&api, "tickets", json!({"sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}], "limit": 50})).await;
    let mods: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["properties"]["hs_lastmodifieddate"].as_str().unwrap())
        .collect();
    let mut sorted = mods.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(mods, sorted);
    let r = search(
        &api,
        "tickets",
        json!({"sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}], "limit": 1}),
    )
    .await;
    assert_eq!(r.body["results"][0]["id"], "1300");
    // association pseudo-property
    let r = api
        .get("/crm/v4/objects/tickets/1001/associations/contacts")
        .await;
    let contact = r.body["results"][0]["toObjectId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (n, ids) = all_ids(&api, filter("associations.contact", "EQ", json!(contact))).await;
    assert!(n >= 1 && ids.contains(&1001));
    h.shutdown().await;
}

#[tokio::test]
async fn search_limits() {
    let h = start_unlimited(10_050).await; // searches back to back: see the module docs
    let api = Api::new(&h);
    let f = json!({"propertyName": "hs_pipeline", "operator": "EQ", "value": "0"});
    let r = search(
        &api,
        "tickets",
        json!({"filterGroups": vec![json!({"filters": [f.clone()]}); 6]}),
    )
    .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = search(
        &api,
        "tickets",
        json!({"filterGroups": [{"filters": vec![f.clone(); 7]}]}),
    )
    .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = search(
        &api,
        "tickets",
        json!({"filterGroups": vec![json!({"filters": vec![f.clone(); 4]}); 5]}),
    )
    .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = search(
        &api,
        "tickets",
        json!({"filterGroups": vec![json!({"filters": vec![f.clone(); 6]}); 3]}),
    )
    .await;
    assert_eq!(r.status, 200, "18 filters are fine");
    let r = search(&api, "tickets", json!({"filterGroups": [{"filters": [{"propertyName": "nope", "operator": "EQ", "value": "1"}]}]})).await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = search(&api, "tickets", json!({"query": "x".repeat(3001)})).await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert_error(
        &search(&api, "tickets", json!({"limit": 201})).await,
        400,
        "VALIDATION_ERROR",
    );
    let r = search(&api, "tickets", json!({"limit": 200, "after": "9800"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["total"], 10_050);
    assert_eq!(r.body["paging"]["next"]["after"], "10000");
    // the 10,001st result is out of reach
    let r = search(&api, "tickets", json!({"limit": 1, "after": "10000"})).await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    h.shutdown().await;
}

#[tokio::test]
async fn associations_v4_v3_and_reverse_edges() {
    let h = start(30).await;
    let api = Api::new(&h);
    // labels on both paths
    for path in [
        "/crm/v4/associations/tickets/companies/labels",
        "/crm/associations/v4/0-5/0-2/labels",
    ] {
        let r = api.get(path).await;
        assert_eq!(r.status, 200);
        assert_schema(
            AS4,
            "CollectionResponseAssociationSpecWithLabelNoPaging",
            &r.body,
        );
        let ids: Vec<u64> = r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["typeId"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, vec![339, 26]);
        // Unlabeled types say so with `label: null`, as HubSpot does (API-NOTES §2.3).
        assert_eq!(
            r.body["results"][0],
            json!({"category": "HUBSPOT_DEFINED", "typeId": 339, "label": null})
        );
        assert_eq!(r.body["results"][1]["label"], "Primary");
    }
    // v4 PUT labelled (primary company) → 201 LabelsBetweenObjectPair; reverse edge exists
    let r = api
        .put(
            "/crm/v4/objects/ticket/1010/associations/company/305",
            Some(json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 26}])),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(A4, "LabelsBetweenObjectPair", &r.body);
    assert_eq!(r.body["fromObjectTypeId"], "0-5");
    assert_eq!(r.body["toObjectTypeId"], "0-2");
    assert_eq!(r.body["labels"], json!(["Primary"]));
    let r = api
        .get("/crm/v4/objects/companies/305/associations/tickets")
        .await;
    assert_schema(
        A4,
        "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging",
        &r.body,
    );
    let entry = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["toObjectId"] == "1010")
        .cloned()
        .unwrap();
    let types: Vec<u64> = entry["associationTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["typeId"].as_u64().unwrap())
        .collect();
    assert_eq!(
        types,
        vec![25, 340],
        "primary implies the unlabeled type, reverse edges exist"
    );
    // v3 associations on ticket GET: primary company appears twice
    let r = api
        .get("/crm/v3/objects/tickets/1010?associations=companies")
        .await;
    assert_schema(T, "SimplePublicObjectWithAssociations", &r.body);
    let types: Vec<&str> = r.body["associations"]["companies"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["id"] == "305")
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        vec!["ticket_to_company", "ticket_to_company_unlabeled"]
    );
    // default PUT → 200
    let r = api
        .put(
            "/crm/v4/objects/tickets/1010/associations/default/contacts/250",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(A4, "BatchResponsePublicDefaultAssociation", &r.body);
    let r = api.get("/crm/v4/objects/0-1/250/associations/0-5").await;
    assert!(
        r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["toObjectId"] == "1010" && e["associationTypes"][0]["typeId"] == 15)
    );
    // DELETE → 204 removes both directions
    assert_eq!(
        api.delete("/crm/v4/objects/tickets/1010/associations/contacts/250")
            .await
            .status,
        204
    );
    let r = api
        .get("/crm/v4/objects/contacts/250/associations/tickets")
        .await;
    assert!(
        !r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["toObjectId"] == "1010")
    );
    // v3 per-object routes with numeric type and type name
    let r = api
        .put(
            "/crm/v3/objects/tickets/1011/associations/contacts/251/16",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(T, "SimplePublicObjectWithAssociations", &r.body);
    let r = api
        .put(
            "/crm/v3/objects/tickets/1011/associations/deals/401/ticket_to_deal",
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = api
        .get("/crm/v3/objects/tickets/1011/associations/contacts")
        .await;
    assert_schema(T, "CollectionResponseAssociatedId", &r.body);
    assert!(
        r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "251" && a["type"] == "ticket_to_contact")
    );
    assert_eq!(
        api.delete("/crm/v3/objects/tickets/1011/associations/contacts/251/16")
            .await
            .status,
        204
    );
    let r = api
        .get("/crm/v3/objects/contacts/251/associations/tickets")
        .await;
    assert!(
        !r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == "1011")
    );
    // non-existent targets
    assert_error(
        &api.put(
            "/crm/v3/objects/tickets/1011/associations/contacts/99999/16",
            None,
        )
        .await,
        404,
        "OBJECT_NOT_FOUND",
    );
    assert_error(
        &api.put(
            "/crm/v4/objects/tickets/1011/associations/contacts/201",
            Some(json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 999}])),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    // batch: create 201, read 200, archive 204, labels/archive 204
    let r = api
        .post(
            "/crm/v4/associations/tickets/contacts/batch/create",
            json!({"inputs": [{"from": {"id": "1012"}, "to": {"id": "252"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}]}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(A4, "BatchResponseLabelsBetweenObjectPair", &r.body);
    let r = api
        .post(
            "/crm/v4/associations/tickets/contacts/batch/read",
            json!({"inputs": [{"id": "1012"}]}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_schema(A4, "BatchResponsePublicAssociationMultiWithLabel", &r.body);
    assert!(
        r.body["results"][0]["to"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["toObjectId"] == "252")
    );
    let r = api
        .post(
            "/crm/v4/associations/tickets/contacts/batch/read",
            json!({"inputs": [{"id": "1012"}, {"id": "55555"}]}),
        )
        .await;
    assert_eq!(r.status, 207);
    assert_schema(
        A4,
        "BatchResponsePublicAssociationMultiWithLabelWithErrors",
        &r.body,
    );
    let r = api
        .post(
            "/crm/v4/associations/tickets/contacts/batch/archive",
            json!({"inputs": [{"from": {"id": "1012"}, "to": [{"id": "252"}]}]}),
        )
        .await;
    assert_eq!(r.status, 204);
    api.put(
        "/crm/v4/objects/tickets/1012/associations/companies/310",
        Some(json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 26}])),
    )
    .await;
    let r = api
        .post(
            "/crm/v4/associations/tickets/companies/batch/labels/archive",
            json!({"inputs": [{"from": {"id": "1012"}, "to": {"id": "310"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 26}]}]}),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = api
        .get("/crm/v4/objects/tickets/1012/associations/companies")
        .await;
    let e = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["toObjectId"] == "310")
        .cloned()
        .unwrap();
    assert_eq!(
        e["associationTypes"],
        json!([{"category": "HUBSPOT_DEFINED", "typeId": 339, "label": null}]),
        "label removed, unlabeled stays (with `label: null`, as HubSpot sends it)"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn associations_v3_batch_api() {
    let h = start(30).await;
    let api = Api::new(&h);
    let a3 = "associations-v3.json";
    let r = api
        .post(
            "/crm/v3/associations/tickets/contacts/batch/create",
            json!({"inputs": [{"from": {"id": "1020"}, "to": {"id": "240"}, "type": "ticket_to_contact"}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(a3, "BatchResponsePublicAssociation", &r.body);
    let r = api
        .post(
            "/crm/v3/associations/tickets/contacts/batch/read",
            json!({"inputs": [{"id": "1020"}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(a3, "BatchResponsePublicAssociationMulti", &r.body);
    assert!(
        r.body["results"][0]["to"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "240" && t["type"] == "ticket_to_contact")
    );
    let r = api
        .post(
            "/crm/v3/associations/contacts/tickets/batch/read",
            json!({"inputs": [{"id": "240"}, {"id": "1"}]}),
        )
        .await;
    assert_eq!(r.status, 207);
    assert_schema(a3, "BatchResponsePublicAssociationMultiWithErrors", &r.body);
    assert!(
        r.body["results"][0]["to"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "1020" && t["type"] == "contact_to_ticket")
    );
    let r = api
        .post(
            "/crm/v3/associations/tickets/contacts/batch/archive",
            json!({"inputs": [{"from": {"id": "1020"}, "to": {"id": "240"}, "type": "ticket_to_contact"}]}),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = api
        .get("/crm/v4/objects/contacts/240/associations/tickets")
        .await;
    assert!(
        !r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["toObjectId"] == "1020")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn pinning_requires_an_associated_engagement() {
    let h = start(30).await;
    let api = Api::new(&h);
    // create note, pin without association → 400
    let r = api.post("/crm/v3/objects/notes", json!({"properties": {"hs_note_body": "hello", "hs_timestamp": "2026-11-02T10:00:00Z"}})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let note = r.body["id"].as_str().unwrap().to_owned();
    let r = api
        .patch(
            "/crm/v3/objects/tickets/1015",
            json!({"properties": {"hs_pinned_engagement_id": note}}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert_eq!(
        r.body["errors"][0]["context"]["propertyName"][0],
        "hs_pinned_engagement_id"
    );
    // associate (227), then pin works and is in history
    let r = api
        .put(
            &format!("/crm/v4/objects/tickets/1015/associations/notes/{note}"),
            Some(json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 227}])),
        )
        .await;
    assert_eq!(r.status, 201);
    let r = api
        .patch(
            "/crm/v3/objects/tickets/1015",
            json!({"properties": {"hs_pinned_engagement_id": note}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = api
        .get("/crm/v3/objects/tickets/1015?propertiesWithHistory=hs_pinned_engagement_id")
        .await;
    assert_eq!(
        r.body["propertiesWithHistory"]["hs_pinned_engagement_id"][0]["value"],
        note.as_str()
    );
    // create + associate + pin in one request
    let r = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "pinned at birth", "hs_pipeline_stage": "1", "hs_pinned_engagement_id": note},
                   "associations": [{"to": {"id": note}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 227}]}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    // removing the association of the pinned engagement is allowed
    assert_eq!(
        api.delete(&format!(
            "/crm/v4/objects/tickets/1015/associations/notes/{note}"
        ))
        .await
        .status,
        204
    );
    // create with association to a missing record → 400
    let r = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "x", "hs_pipeline_stage": "1"}, "associations": [{"to": {"id": "99999"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}]}]}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    h.shutdown().await;
}

#[tokio::test]
async fn other_objects_list_get_search() {
    let h = start_unlimited(30).await; // searches back to back: see the module docs
    let api = Api::new(&h);
    for (kind, spec, total) in [
        ("contacts", "contacts-v3.json", 60),
        ("companies", "companies-v3.json", 25),
        ("deals", "deals-v3.json", 20),
    ] {
        let r = api.get(&format!("/crm/v3/objects/{kind}?limit=100")).await;
        assert_eq!(r.status, 200);
        assert_schema(
            spec,
            "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
            &r.body,
        );
        assert_eq!(r.body["results"].as_array().unwrap().len(), total);
        let r = search(&api, kind, json!({})).await;
        assert_schema(
            spec,
            "CollectionResponseWithTotalSimplePublicObject",
            &r.body,
        );
        assert_eq!(r.body["total"], total);
    }
    let r = search(
        &api,
        "contacts",
        json!({"query": "yamada", "properties": ["firstname", "lastname", "email"]}),
    )
    .await;
    assert!(r.body["total"].as_u64().unwrap() >= 1, "{}", r.body);
    assert!(
        r.body["results"][0]["properties"]["email"]
            .as_str()
            .unwrap()
            .contains("yamada")
    );
    let r = search(&api, "contacts", json!({"query": "山田"})).await;
    assert!(r.body["total"].as_u64().unwrap() >= 1);
    let r = search(&api, "companies", json!({"query": "acme"})).await;
    assert_eq!(
        r.body["results"][0]["properties"]["domain"],
        "acme.example.com"
    );
    let r = search(&api, "deals", json!({"filterGroups": [{"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"}]}]})).await;
    assert!(r.body["total"].as_u64().unwrap() >= 1);
    let r = api.get("/crm/v3/objects/contacts/201").await;
    assert_schema(
        "contacts-v3.json",
        "SimplePublicObjectWithAssociations",
        &r.body,
    );
    assert!(r.body["properties"]["email"].is_string());
    // engagements of a ticket: v4 list, then batch read per type
    for (kind, spec, prop) in [
        ("notes", "notes-v3.json", "hs_note_body"),
        ("emails", "emails-v3.json", "hs_email_subject"),
        ("calls", "calls-v3.json", "hs_call_title"),
        ("tasks", "tasks-v3.json", "hs_task_subject"),
        ("meetings", "meetings-v3.json", "hs_meeting_title"),
    ] {
        let r = api
            .get(&format!(
                "/crm/v3/objects/{kind}?limit=5&properties={prop},hs_timestamp"
            ))
            .await;
        assert_eq!(r.status, 200);
        assert_schema(
            spec,
            "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
            &r.body,
        );
        let first = &r.body["results"][0];
        assert!(first["properties"][prop].is_string(), "{kind}: {first}");
        let id = first["id"].as_str().unwrap();
        let r = api
            .post(
                &format!("/crm/v3/objects/{kind}/batch/read"),
                json!({"inputs": [{"id": id}], "properties": [prop]}),
            )
            .await;
        assert_eq!(r.status, 200);
        assert_schema(spec, "BatchResponseSimplePublicObject", &r.body);
        let r = search(&api, kind, json!({"limit": 1})).await;
        assert_schema(
            spec,
            "CollectionResponseWithTotalSimplePublicObject",
            &r.body,
        );
    }
    let r = api
        .get("/crm/v4/objects/tickets/1001/associations/notes")
        .await;
    assert_eq!(r.status, 200);
    let r = api.get("/crm/v3/objects/tickets/1001?associations=notes,emails,calls,tasks,meetings,contacts,companies,deals&properties=hs_pinned_engagement_id").await;
    let pinned = r.body["properties"]["hs_pinned_engagement_id"]
        .as_str()
        .unwrap();
    let assoc = r.body["associations"].as_object().unwrap();
    assert!(
        assoc.values().any(|a| a["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == pinned)),
        "ticket 1001's pinned engagement is associated"
    );
    h.shutdown().await;
}
