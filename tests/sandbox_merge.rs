//! `POST /crm/v3/objects/{type}/merge` over real HTTP: the survivor is a new record with both
//! tickets' associations and activities, the primary's values, `hs_merged_object_ids`; the
//! old IDs leave lists and resolve to the survivor on GET; HubSpot-style errors.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};

const T: &str = "tickets-v3.json";

fn assoc(to: &str, type_id: u32) -> Value {
    json!({"to": {"id": to}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]})
}

async fn create(api: &Api, props: Value, assocs: Vec<Value>) -> String {
    let r = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": props, "associations": assocs}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

async fn assoc_ids(api: &Api, id: &str, to: &str) -> Vec<String> {
    let r = api
        .get(&format!("/crm/v4/objects/tickets/{id}/associations/{to}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut ids: Vec<String> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["toObjectId"].to_string().trim_matches('"').to_owned())
        .collect();
    ids.sort();
    ids
}

async fn a_note(api: &Api, body: &str) -> String {
    let r = api
        .post(
            "/crm/v3/objects/notes",
            json!({"properties": {"hs_note_body": body, "hs_timestamp": "2026-11-01T00:00:00Z"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn merge_combines_both_tickets_into_a_new_one() {
    let h = start(5).await;
    let api = Api::new(&h);
    let note_a = a_note(&api, "first").await;
    let note_b = a_note(&api, "second").await;
    let a = create(
        &api,
        json!({"subject": "Printer on fire", "hs_pipeline_stage": "1"}),
        vec![assoc("201", 16), assoc(&note_a, 227)],
    )
    .await;
    let b = create(
        &api,
        json!({"subject": "Printer burning", "hs_pipeline_stage": "2", "hs_ticket_priority": "HIGH"}),
        vec![assoc("202", 16), assoc(&note_b, 227)],
    )
    .await;
    let r = api
        .post(
            "/crm/v3/objects/tickets/merge",
            json!({"primaryObjectId": a, "objectIdToMerge": b}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema(T, "SimplePublicObject", &r.body);
    let survivor = r.body["id"].as_str().unwrap().to_owned();
    assert_ne!(survivor, a);
    assert_ne!(survivor, b);
    let p = &r.body["properties"];
    assert_eq!(
        p["subject"], "Printer on fire",
        "the primary's value is kept"
    );
    assert_eq!(p["hs_pipeline_stage"], "1");
    assert_eq!(
        p["hs_ticket_priority"], "HIGH",
        "filled from the merged one"
    );
    assert_eq!(p["hs_merged_object_ids"], format!("{a};{b}"));
    assert_eq!(p["hs_object_id"], survivor.as_str());

    let mut contacts = vec!["201".to_owned(), "202".to_owned()];
    contacts.sort();
    assert_eq!(assoc_ids(&api, &survivor, "contacts").await, contacts);
    let mut notes = vec![note_a, note_b];
    notes.sort();
    assert_eq!(assoc_ids(&api, &survivor, "notes").await, notes);
    // The contacts' side sees the survivor, not the old tickets.
    let r = api
        .get("/crm/v4/objects/contacts/202/associations/tickets")
        .await;
    let back: Vec<String> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["toObjectId"].to_string().trim_matches('"').to_owned())
        .collect();
    assert!(back.contains(&survivor), "{back:?}");
    assert!(!back.contains(&b), "{back:?}");

    // Both old IDs answer with the survivor; lists no longer have them.
    for old in [&a, &b] {
        let r = api.get(&format!("/crm/v3/objects/tickets/{old}")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["id"], survivor.as_str());
        let r = api
            .get(&format!("/crm/v3/objects/tickets/{old}?archived=true"))
            .await;
        assert_error(&r, 404, "OBJECT_NOT_FOUND");
    }
    let r = api.get("/crm/v3/objects/tickets?limit=100").await;
    let ids: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&survivor.as_str()));
    assert!(!ids.contains(&a.as_str()) && !ids.contains(&b.as_str()));
    h.shutdown().await;
}

#[tokio::test]
async fn merged_primary_labels_yield_to_the_primary_record() {
    let h = start(5).await;
    let api = Api::new(&h);
    // 26: ticket → company, labelled Primary.
    let props = |s: &str| json!({"subject": s, "hs_pipeline_stage": "1"});
    let a = create(&api, props("a"), vec![assoc("301", 26)]).await;
    let b = create(&api, props("b"), vec![assoc("302", 26)]).await;
    let r = api
        .post(
            "/crm/v3/objects/tickets/merge",
            json!({"primaryObjectId": a, "objectIdToMerge": b}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let survivor = r.body["id"].as_str().unwrap();
    let r = api
        .get(&format!(
            "/crm/v4/objects/tickets/{survivor}/associations/companies"
        ))
        .await;
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{results:?}");
    for row in results {
        let labelled = row["associationTypes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["label"] == "Primary");
        let company = row["toObjectId"].to_string();
        assert_eq!(labelled, company.contains("301"), "{row}");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn merge_errors() {
    let h = start(5).await;
    let api = Api::new(&h);
    let path = "/crm/v3/objects/tickets/merge";
    let r = api
        .post(
            path,
            json!({"primaryObjectId": "1001", "objectIdToMerge": "1001"}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = api
        .post(
            path,
            json!({"primaryObjectId": "1001", "objectIdToMerge": "9999"}),
        )
        .await;
    assert_error(&r, 404, "OBJECT_NOT_FOUND");
    assert!(r.body["message"].as_str().unwrap().contains("9999"));
    let r = api.post(path, json!({"primaryObjectId": "1001"})).await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert_eq!(api.delete("/crm/v3/objects/tickets/1002").await.status, 204);
    let r = api
        .post(
            path,
            json!({"primaryObjectId": "1001", "objectIdToMerge": "1002"}),
        )
        .await;
    assert_error(&r, 404, "OBJECT_NOT_FOUND");
    // A merged-away ID cannot be merged again.
    let r = api
        .post(
            path,
            json!({"primaryObjectId": "1003", "objectIdToMerge": "1004"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = api
        .post(
            path,
            json!({"primaryObjectId": "1001", "objectIdToMerge": "1004"}),
        )
        .await;
    assert_error(&r, 404, "OBJECT_NOT_FOUND");
    // The generic objects route merges too; engagements cannot be merged.
    let r = api
        .post(
            "/crm/v3/objects/0-5/merge",
            json!({"primaryObjectId": "1001", "objectIdToMerge": "1005"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = api
        .post(
            "/crm/v3/objects/notes/merge",
            json!({"primaryObjectId": "1001", "objectIdToMerge": "1002"}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    h.shutdown().await;
}
