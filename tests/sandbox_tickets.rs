//! Tickets v3 over real HTTP: auth, list paging, limits, CRUD, validation, history,
//! archive visibility, batch endpoints.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{Value, json};

const T: &str = "tickets-v3.json";

#[tokio::test]
async fn auth_is_required_everywhere() {
    let h = start(20).await;
    let api = Api::new(&h);
    for token in [None, Some("wrong-token")] {
        let anon = api.clone().with_token(token);
        for path in [
            "/crm/v3/objects/tickets",
            "/crm/v3/owners",
            "/crm/v3/pipelines/tickets",
            "/no/such/route",
        ] {
            let r = anon.get(path).await;
            assert_error(&r, 401, "INVALID_AUTHENTICATION");
            assert!(
                r.body["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("Authentication credentials not found.")
            );
        }
    }
    // An unknown path is not a missing record: HubSpot marks it `X-HubSpot-NotFound`.
    let r = api.get("/crm/v3/no/such/route").await;
    assert_error(&r, 404, "RESOURCE_NOT_FOUND");
    assert_eq!(r.header("x-hubspot-notfound"), Some("true"));
    h.shutdown().await;
}

#[tokio::test]
async fn list_pages_through_everything() {
    let h = start(250).await;
    let api = Api::new(&h);
    let mut after: Option<String> = None;
    let mut ids = Vec::new();
    let mut pages = 0;
    loop {
        let path = match &after {
            Some(a) => format!("/crm/v3/objects/tickets?limit=100&after={a}"),
            None => "/crm/v3/objects/tickets?limit=100".to_owned(),
        };
        let r = api.get(&path).await;
        assert_eq!(r.status, 200);
        assert_schema(
            T,
            "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
            &r.body,
        );
        pages += 1;
        for t in r.body["results"].as_array().unwrap() {
            ids.push(t["id"].as_str().unwrap().parse::<u64>().unwrap());
            assert_eq!(t["properties"]["hs_object_id"], t["id"]);
            assert_eq!(t["archived"], false);
        }
        match r.body["paging"]["next"]["after"].as_str() {
            Some(a) => {
                assert!(
                    r.body["paging"]["next"]["link"]
                        .as_str()
                        .unwrap()
                        .contains(&format!("after={a}"))
                );
                after = Some(a.to_owned());
            }
            None => {
                assert!(r.body.get("paging").is_none(), "no paging on the last page");
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids.len(), 250);
    assert_eq!(ids, (1001..=1250).collect::<Vec<_>>());
    // default limit is 10
    let r = api.get("/crm/v3/objects/tickets").await;
    assert_eq!(r.body["results"].as_array().unwrap().len(), 10);
    // default properties
    let props = r.body["results"][0]["properties"].as_object().unwrap();
    for p in props.keys() {
        assert!(
            [
                "content",
                "hs_pipeline",
                "hs_pipeline_stage",
                "hs_ticket_category",
                "hs_ticket_priority",
                "subject",
                "createdate",
                "hs_lastmodifieddate",
                "hs_object_id"
            ]
            .contains(&p.as_str()),
            "unexpected default property {p}"
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn limits_are_enforced() {
    let h = start(120).await;
    let api = Api::new(&h);
    assert_error(
        &api.get("/crm/v3/objects/tickets?limit=101").await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        api.get("/crm/v3/objects/tickets?limit=100").await.status,
        200
    );
    let r = api
        .get("/crm/v3/objects/tickets?limit=51&propertiesWithHistory=subject")
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = api
        .get("/crm/v3/objects/tickets?limit=50&propertiesWithHistory=subject")
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 50);

    let inputs: Vec<Value> = (1001..=1101)
        .map(|i| json!({"id": i.to_string()}))
        .collect();
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/read",
            json!({"inputs": inputs}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/read",
            json!({"inputs": inputs[..51].to_vec(), "propertiesWithHistory": ["subject"]}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/read",
            json!({"inputs": inputs[..100].to_vec()}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["results"].as_array().unwrap().len(), 100);
    let creates: Vec<Value> = (0..101)
        .map(|i| json!({"properties": {"subject": format!("s{i}"), "hs_pipeline_stage": "1"}}))
        .collect();
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/create",
            json!({"inputs": creates}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    h.shutdown().await;
}

#[tokio::test]
async fn create_get_update_archive() {
    let h = start(30).await;
    let api = Api::new(&h);
    let r = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "Scanner jammed", "hs_pipeline_stage": "1", "hs_ticket_priority": "HIGH",
                    "hs_ticket_category": "PRODUCT_ISSUE;BILLING_ISSUE", "affected_users": 12, "is_vip": "TRUE",
                    "sla_due_date": "2026-12-01", "follow_up_at": "1796083200000"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(T, "SimplePublicObject", &r.body);
    let id = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(id, "1031");
    let p = &r.body["properties"];
    assert_eq!(p["hs_pipeline"], "0", "pipeline defaults to 0");
    assert_eq!(p["hs_ticket_id"], id.as_str());
    assert_eq!(p["hs_object_id"], id.as_str());
    assert_eq!(p["affected_users"], "12");
    assert_eq!(p["is_vip"], "true");
    assert_eq!(p["follow_up_at"], "2026-12-01T00:00:00.000Z");
    assert_eq!(p["hs_object_source"], "API");

    let r = api
        .get(&format!(
            "/crm/v3/objects/tickets/{id}?properties=subject,hs_ticket_priority,nonexistent,content"
        ))
        .await;
    assert_eq!(r.status, 200);
    assert_schema(T, "SimplePublicObjectWithAssociations", &r.body);
    assert_eq!(r.body["properties"]["subject"], "Scanner jammed");
    assert!(
        r.body["properties"].get("nonexistent").is_none(),
        "unknown properties are ignored"
    );
    assert_eq!(
        r.body["properties"].get("content"),
        Some(&Value::Null),
        "requested-but-empty properties are null"
    );

    // update: move to closed stage, clear priority
    let before = r.body["updatedAt"].as_str().unwrap().to_owned();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let r = api
        .patch(
            &format!("/crm/v3/objects/tickets/{id}"),
            json!({"properties": {"hs_pipeline_stage": "4", "hs_ticket_priority": ""}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(T, "SimplePublicObject", &r.body);
    // An update's answer lists the values the ticket has (nothing was requested): the
    // cleared one is not there.
    assert!(r.body["properties"].get("hs_ticket_priority").is_none());
    assert_eq!(r.body["properties"]["hs_is_closed"], "true");
    assert!(r.body["properties"]["closed_date"].is_string());
    assert_ne!(r.body["updatedAt"].as_str().unwrap(), before);
    assert_eq!(
        r.body["properties"]["hs_lastmodifieddate"],
        r.body["updatedAt"]
    );

    // history: newest first, API source
    let r = api.get(&format!("/crm/v3/objects/tickets/{id}?propertiesWithHistory=hs_pipeline_stage,hs_ticket_priority")).await;
    assert_schema(T, "SimplePublicObjectWithAssociations", &r.body);
    let h_stage = r.body["propertiesWithHistory"]["hs_pipeline_stage"]
        .as_array()
        .unwrap();
    assert_eq!(h_stage.len(), 2);
    assert_eq!(h_stage[0]["value"], "4");
    assert_eq!(h_stage[1]["value"], "1");
    assert_eq!(h_stage[0]["sourceType"], "API");
    assert_eq!(
        r.body["properties"]["hs_pipeline_stage"], "4",
        "history props appear in properties too"
    );
    let h_prio = r.body["propertiesWithHistory"]["hs_ticket_priority"]
        .as_array()
        .unwrap();
    assert_eq!(h_prio[0]["value"], "");

    // archive: 204, hidden from list/get/search, visible with archived=true
    let updated = api.get(&format!("/crm/v3/objects/tickets/{id}")).await.body["updatedAt"].clone();
    let r = api.delete(&format!("/crm/v3/objects/tickets/{id}")).await;
    assert_eq!(r.status, 204);
    assert_eq!(r.body, Value::Null);
    assert_error(
        &api.get(&format!("/crm/v3/objects/tickets/{id}")).await,
        404,
        "OBJECT_NOT_FOUND",
    );
    let r = api
        .get(&format!("/crm/v3/objects/tickets/{id}?archived=true"))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["archived"], true);
    assert!(r.body["archivedAt"].is_string());
    assert_eq!(
        r.body["updatedAt"], updated,
        "archiving does not bump hs_lastmodifieddate"
    );
    let r = api
        .get("/crm/v3/objects/tickets?archived=true&limit=100")
        .await;
    let archived: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        archived,
        vec![id.as_str()],
        "archived=true lists only archived tickets"
    );
    let r = api.get("/crm/v3/objects/tickets?limit=100").await;
    assert!(
        r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["id"] != id.as_str())
    );
    let r = api
        .post("/crm/v3/objects/tickets/search", json!({"filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": id}]}]}))
        .await;
    assert_eq!(r.body["total"], 0);
    assert_error(
        &api.delete(&format!("/crm/v3/objects/tickets/{id}")).await,
        404,
        "OBJECT_NOT_FOUND",
    );
    h.shutdown().await;
}

fn codes(r: &Resp) -> Vec<(String, String)> {
    r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap_or_default().to_owned(),
                e["context"]["propertyName"][0]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn validation_errors_have_field_details() {
    let h = start(30).await;
    let api = Api::new(&h);
    let r = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "x", "hs_pipeline_stage": "1", "bogus": "1", "hs_ticket_priority": "SUPER",
                   "affected_users": "many", "sla_due_date": "not a date", "is_vip": "maybe", "createdate": "2020-01-01",
                   "hs_object_id": "5", "product_area": "PRINTING;SSO"}}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let c = codes(&r);
    for want in [
        ("PROPERTY_DOESNT_EXIST", "bogus"),
        ("INVALID_OPTION", "hs_ticket_priority"),
        ("INVALID_INTEGER", "affected_users"),
        ("INVALID_DATE", "sla_due_date"),
        ("INVALID_BOOLEAN", "is_vip"),
        ("READ_ONLY_VALUE", "createdate"),
        ("READ_ONLY_VALUE", "hs_object_id"),
        ("INVALID_OPTION", "product_area"),
    ] {
        assert!(
            c.contains(&(want.0.into(), want.1.into())),
            "missing {want:?} in {c:?}"
        );
    }
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .starts_with("Property values were not valid")
    );
    assert!(
        r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"] == "Property \"bogus\" does not exist")
    );

    // required fields
    let r = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"content": "no subject"}}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let c = codes(&r);
    assert!(
        c.iter().any(|(_, p)| p == "subject") && c.iter().any(|(_, p)| p == "hs_pipeline_stage"),
        "{c:?}"
    );

    // stage must belong to the pipeline
    let r = api.post("/crm/v3/objects/tickets", json!({"properties": {"subject": "x", "hs_pipeline": "7458291", "hs_pipeline_stage": "1"}})).await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = api.post("/crm/v3/objects/tickets", json!({"properties": {"subject": "x", "hs_pipeline": "7458291", "hs_pipeline_stage": "7458292"}})).await;
    assert_eq!(r.status, 201);

    // unknown ticket
    assert_error(
        &api.patch(
            "/crm/v3/objects/tickets/999999",
            json!({"properties": {"subject": "x"}}),
        )
        .await,
        404,
        "OBJECT_NOT_FOUND",
    );
    // owner must exist
    let r = api
        .patch(
            "/crm/v3/objects/tickets/1002",
            json!({"properties": {"hubspot_owner_id": "123"}}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = api
        .patch(
            "/crm/v3/objects/tickets/1002",
            json!({"properties": {"hubspot_owner_id": "71000002"}}),
        )
        .await;
    assert_eq!(r.status, 200);
    // malformed JSON
    let r = api
        .client
        .post(format!("{}/crm/v3/objects/tickets", api.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    h.shutdown().await;
}

#[tokio::test]
async fn unique_property_and_id_property() {
    let h = start(200).await;
    let api = Api::new(&h);
    let r = api.get("/crm/v3/objects/tickets/EXT-000123?idProperty=external_ticket_ref&properties=external_ticket_ref").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["id"], "1123");
    let prop = api
        .get("/crm/v3/properties/tickets/external_ticket_ref")
        .await;
    assert_eq!(prop.body["hasUniqueValue"], true);
    // duplicate → 409 CONFLICT (sandbox decision)
    let r = api
        .patch(
            "/crm/v3/objects/tickets/1124",
            json!({"properties": {"external_ticket_ref": "EXT-000123"}}),
        )
        .await;
    assert_error(&r, 409, "CONFLICT");
    // patch by idProperty
    let r = api
        .patch(
            "/crm/v3/objects/tickets/EXT-000123?idProperty=external_ticket_ref",
            json!({"properties": {"subject": "renamed"}}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["id"], "1123");
    // non-unique idProperty → 400
    assert_error(
        &api.get("/crm/v3/objects/tickets/x?idProperty=subject")
            .await,
        400,
        "VALIDATION_ERROR",
    );
    // upsert: one existing, one new
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/upsert",
            json!({"inputs": [
                {"id": "EXT-000123", "idProperty": "external_ticket_ref", "properties": {"hs_ticket_priority": "LOW"}},
                {"id": "EXT-999999", "idProperty": "external_ticket_ref", "properties": {"subject": "new one", "hs_pipeline_stage": "1"}}
            ]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(T, "BatchResponseSimplePublicUpsertObject", &r.body);
    let res = r.body["results"].as_array().unwrap();
    assert_eq!(res[0]["new"], false);
    assert_eq!(res[0]["id"], "1123");
    assert_eq!(res[1]["new"], true);
    assert_eq!(res[1]["properties"]["external_ticket_ref"], "EXT-999999");
    let hist = api
        .get("/crm/v3/objects/tickets/1123?propertiesWithHistory=hs_ticket_priority")
        .await;
    assert_eq!(
        hist.body["propertiesWithHistory"]["hs_ticket_priority"][0]["value"],
        "LOW"
    );
    assert_eq!(
        hist.body["propertiesWithHistory"]["hs_ticket_priority"][0]["sourceType"],
        "API"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn batch_endpoints_status_codes() {
    let h = start(40).await;
    let api = Api::new(&h);
    // read with missing ids → 207
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/read",
            json!({"inputs": [{"id": "1001"}, {"id": "1002"}, {"id": "424242"}], "properties": ["subject"], "propertiesWithHistory": ["hs_pipeline_stage"]}),
        )
        .await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_schema(T, "BatchResponseSimplePublicObjectWithErrors", &r.body);
    assert_eq!(r.body["numErrors"], 1);
    assert_eq!(r.body["errors"][0]["category"], "OBJECT_NOT_FOUND");
    assert_eq!(r.body["errors"][0]["context"]["ids"], json!(["424242"]));
    assert_eq!(r.body["results"].as_array().unwrap().len(), 2);
    assert!(r.body["results"][0]["propertiesWithHistory"]["hs_pipeline_stage"].is_array());
    // read all present → 200
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/read",
            json!({"inputs": [{"id": "1001"}]}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_schema(T, "BatchResponseSimplePublicObject", &r.body);
    // create → 201
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/create",
            json!({"inputs": [{"properties": {"subject": "a", "hs_pipeline_stage": "1"}}, {"properties": {"subject": "b", "hs_pipeline_stage": "2"}, "associations": [{"to": {"id": "201"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}]}]}]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(T, "BatchResponseSimplePublicObject", &r.body);
    let new_ids: Vec<String> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(new_ids.len(), 2);
    // create with one invalid input and no trace ids → 400, nothing created
    let r = api
        .post("/crm/v3/objects/tickets/batch/create", json!({"inputs": [{"properties": {"subject": "ok", "hs_pipeline_stage": "1"}}, {"properties": {"bogus": "x"}}]}))
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    // with trace ids → 207
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/create",
            json!({"inputs": [{"objectWriteTraceId": "t1", "properties": {"subject": "ok", "hs_pipeline_stage": "1"}}, {"objectWriteTraceId": "t2", "properties": {"bogus": "x"}}]}),
        )
        .await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_schema(T, "BatchResponseSimplePublicObjectWithErrors", &r.body);
    assert_eq!(
        r.body["errors"][0]["context"]["objectWriteTraceId"],
        json!(["t2"])
    );
    // update → 200, with a missing id → 207
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/update",
            json!({"inputs": [{"id": new_ids[0], "properties": {"subject": "a2"}}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["results"][0]["properties"]["subject"], "a2");
    let r = api
        .post("/crm/v3/objects/tickets/batch/update", json!({"inputs": [{"id": new_ids[0], "properties": {"subject": "a3"}}, {"id": "777777", "properties": {"subject": "z"}}]}))
        .await;
    assert_eq!(r.status, 207);
    assert_schema(T, "BatchResponseSimplePublicObjectWithErrors", &r.body);
    // archive → 204
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/archive",
            json!({"inputs": [{"id": new_ids[0]}, {"id": new_ids[1]}]}),
        )
        .await;
    assert_eq!(r.status, 204);
    let r = api
        .get("/crm/v3/objects/tickets?archived=true&limit=100")
        .await;
    let ids: HashSet<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(new_ids[0].as_str()) && ids.contains(new_ids[1].as_str()));
    h.shutdown().await;
}

#[tokio::test]
async fn seeded_history_and_hostile_strings() {
    let h = start(100).await;
    let api = Api::new(&h);
    let r = api.get("/crm/v3/objects/tickets/1001?propertiesWithHistory=hs_pipeline_stage,hubspot_owner_id,subject&properties=hs_pinned_engagement_id,subject").await;
    assert_schema(T, "SimplePublicObjectWithAssociations", &r.body);
    assert_eq!(r.body["properties"]["subject"], "プリンターが燃えている");
    let stage = r.body["propertiesWithHistory"]["hs_pipeline_stage"]
        .as_array()
        .unwrap();
    assert!(stage.len() >= 2);
    let ts: Vec<&str> = stage
        .iter()
        .map(|e| e["timestamp"].as_str().unwrap())
        .collect();
    let mut sorted = ts.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ts, sorted, "newest first");
    assert!(r.body["properties"]["hs_pinned_engagement_id"].is_string());
    let subj = api
        .get("/crm/v3/objects/tickets/1003?properties=subject")
        .await;
    assert_eq!(
        subj.body["properties"]["subject"]
            .as_str()
            .unwrap()
            .chars()
            .count(),
        2000
    );
    let ansi = api
        .get("/crm/v3/objects/tickets/1004?properties=subject,content")
        .await;
    assert!(
        ansi.body["properties"]["subject"]
            .as_str()
            .unwrap()
            .contains("\u{1b}[2J")
    );
    // history sources vary across the seed
    let r = api.get("/crm/v3/objects/tickets?limit=50&propertiesWithHistory=hs_pipeline_stage,hubspot_owner_id").await;
    let mut sources = HashSet::new();
    for t in r.body["results"].as_array().unwrap() {
        for (_, hist) in t["propertiesWithHistory"].as_object().unwrap() {
            for e in hist.as_array().unwrap() {
                sources.insert(e["sourceType"].as_str().unwrap().to_owned());
            }
        }
    }
    assert!(
        sources.contains("CRM_UI") && sources.len() >= 3,
        "{sources:?}"
    );
    h.shutdown().await;
}

/// HubSpot answers a requested, defined property without a value as `null` (API-NOTES §1),
/// in every read that takes a property list: get (default and requested properties, and
/// properties asked for only with history), list, batch read and search. Unknown names stay
/// out; a create's answer (nothing requested) holds only values.
#[tokio::test]
async fn requested_but_empty_properties_are_null_in_every_read() {
    let h = start(5).await;
    let api = Api::new(&h);
    let r = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": "Only a subject", "hs_pipeline_stage": "1"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema(T, "SimplePublicObject", &r.body);
    let created = r.body["properties"].as_object().unwrap();
    assert!(
        created.values().all(Value::is_string) && !created.contains_key("content"),
        "a create's answer lists values only: {}",
        r.body
    );
    let id = r.body["id"].as_str().unwrap().to_owned();
    let empty = ["content", "hs_ticket_category", "hs_ticket_priority"];
    let assert_nulls = |record: &Value, names: &[&str], what: &str| {
        let props = record["properties"].as_object().unwrap();
        for name in names {
            assert_eq!(props.get(*name), Some(&Value::Null), "{what}: {name}");
        }
        assert_eq!(props["subject"], "Only a subject", "{what}");
        assert!(!props.contains_key("nonexistent"), "{what}: unknown names");
    };

    // get: HubSpot's default properties, then the ones asked for
    let r = api.get(&format!("/crm/v3/objects/tickets/{id}")).await;
    assert_schema(T, "SimplePublicObjectWithAssociations", &r.body);
    assert_nulls(&r.body, &empty, "get, default properties");
    let r = api
        .get(&format!(
            "/crm/v3/objects/tickets/{id}?properties=subject,content,nonexistent,hubspot_owner_id"
        ))
        .await;
    assert_schema(T, "SimplePublicObjectWithAssociations", &r.body);
    assert_nulls(&r.body, &["content", "hubspot_owner_id"], "get, requested");
    // asked for only with history: still in `properties` [O], null
    let r = api
        .get(&format!(
            "/crm/v3/objects/tickets/{id}?properties=subject&propertiesWithHistory=hs_ticket_priority"
        ))
        .await;
    assert_schema(T, "SimplePublicObjectWithAssociations", &r.body);
    assert_nulls(&r.body, &["hs_ticket_priority"], "get, with history");

    // list
    let r = api
        .get("/crm/v3/objects/tickets?limit=100&properties=subject,content,nonexistent")
        .await;
    assert_schema(
        T,
        "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
        &r.body,
    );
    let listed = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .cloned()
        .unwrap();
    assert_nulls(&listed, &["content"], "list");

    // batch read, with and without history
    let r = api
        .post(
            "/crm/v3/objects/tickets/batch/read",
            json!({"inputs": [{"id": id}], "properties": ["subject", "content", "nonexistent"],
                   "propertiesWithHistory": ["hs_ticket_category"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(T, "BatchResponseSimplePublicObject", &r.body);
    assert_nulls(
        &r.body["results"][0],
        &["content", "hs_ticket_category"],
        "batch read",
    );

    // search
    let r = api
        .post(
            "/crm/v3/objects/tickets/search",
            json!({"filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "EQ", "value": id}]}],
                   "properties": ["subject", "content", "nonexistent"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(T, "CollectionResponseWithTotalSimplePublicObject", &r.body);
    assert_nulls(&r.body["results"][0], &["content"], "search");
    h.shutdown().await;
}
