//! The sandbox writes notes, calls and tasks as HubSpot does, over real HTTP on 127.0.0.1:
//! required properties, enumerated values checked against the property definitions,
//! create-time associations (the type must fit the pair, the target must exist), the body
//! read back exactly as sent (by ID and through the ticket's v4 associations), batch create
//! with `objectWriteTraceId`, and the call outcomes from the Properties API. Requests and
//! answers are checked against HubSpot's OpenAPI schemas.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Api, assert_error, assert_schema, start};
use serde_json::{Value, json};

fn spec(kind: &str) -> String {
    format!("{kind}-v3.json")
}

fn assoc(to: &str, type_id: u32) -> Value {
    json!({"to": {"id": to}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]})
}

/// A create body, checked against the spec's create schema before it is sent.
fn create_body(kind: &str, properties: Value, associations: Vec<Value>) -> Value {
    let body = json!({"properties": properties, "associations": associations});
    assert_schema(&spec(kind), "SimplePublicObjectInputForCreate", &body);
    body
}

/// The first contact and company associated with `ticket`.
async fn contact_and_company(api: &Api, ticket: &str) -> (String, String) {
    let first = |r: common::Resp| {
        r.body["results"][0]["toObjectId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let contact = first(
        api.get(&format!(
            "/crm/v4/objects/tickets/{ticket}/associations/contacts"
        ))
        .await,
    );
    let company = first(
        api.get(&format!(
            "/crm/v4/objects/tickets/{ticket}/associations/companies"
        ))
        .await,
    );
    (contact, company)
}

/// The type IDs from `from` to `to`, as the v4 association read gives them.
async fn type_ids(api: &Api, from: (&str, &str), to: (&str, &str)) -> Vec<u64> {
    let r = api
        .get(&format!(
            "/crm/v4/objects/{}/{}/associations/{}",
            from.0, from.1, to.0
        ))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["toObjectId"] == to.1)
        .flat_map(|e| e["associationTypes"].as_array().unwrap().clone())
        .map(|t| t["typeId"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn notes_calls_and_tasks_are_created_with_their_associations_and_read_back_as_sent() {
    let h = start(30).await;
    let api = Api::new(&h);
    let (contact, company) = contact_and_company(&api, "1001").await;
    let body = "<p style=\"white-space: pre-wrap\">Tom &amp; Jerry  said:<br>「プリンター」😀</p>";
    let cases = [
        (
            "notes",
            "hs_note_body",
            json!({"hs_note_body": body, "hs_timestamp": "2026-11-02T10:00:00Z"}),
            [228, 202, 190],
        ),
        (
            "calls",
            "hs_call_body",
            json!({"hs_call_body": body, "hs_timestamp": "1793613600000",
                   "hs_call_title": "Called back", "hs_call_direction": "INBOUND",
                   "hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
                   "hs_call_duration": "95000", "hs_call_status": "COMPLETED"}),
            [220, 194, 182],
        ),
        (
            "tasks",
            "hs_task_body",
            json!({"hs_task_body": body, "hs_timestamp": "2026-11-09T00:00:00.000Z",
                   "hs_task_subject": "Follow up", "hs_task_status": "NOT_STARTED",
                   "hs_task_priority": "HIGH", "hs_task_type": "TODO"}),
            [230, 204, 192],
        ),
    ];
    for (kind, body_prop, props, [to_ticket, to_contact, to_company]) in cases {
        let r = api
            .post(
                &format!("/crm/v3/objects/{kind}"),
                create_body(
                    kind,
                    props.clone(),
                    vec![
                        assoc("1001", to_ticket),
                        assoc(&contact, to_contact),
                        assoc(&company, to_company),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, 201, "{kind}: {}", r.body);
        assert_schema(&spec(kind), "SimplePublicObject", &r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        // Read back by ID: the body byte for byte, the timestamp as an ISO instant.
        let r = api
            .get(&format!(
                "/crm/v3/objects/{kind}/{id}?properties={body_prop},hs_timestamp"
            ))
            .await;
        assert_eq!(r.status, 200);
        assert_schema(&spec(kind), "SimplePublicObjectWithAssociations", &r.body);
        assert_eq!(r.body["properties"][body_prop], body, "{kind}");
        assert!(
            r.body["properties"]["hs_timestamp"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
        // Through the ticket, as the worker's LoadActivities reads: v4 associations, then a
        // batch read of what they name.
        assert_eq!(
            type_ids(&api, ("tickets", "1001"), (kind, &id)).await,
            [u64::from(to_ticket) - 1],
            "the reverse type of {to_ticket}"
        );
        let r = api
            .post(
                &format!("/crm/v3/objects/{kind}/batch/read"),
                json!({"inputs": [{"id": id}], "properties": [body_prop], "propertiesWithHistory": []}),
            )
            .await;
        assert_schema(&spec(kind), "BatchResponseSimplePublicObject", &r.body);
        assert_eq!(r.body["results"][0]["properties"][body_prop], body);
        // And on the contact's and the company's timelines.
        assert_eq!(
            type_ids(&api, (kind, &id), ("contacts", &contact)).await,
            [u64::from(to_contact)]
        );
        assert_eq!(
            type_ids(&api, ("companies", &company), (kind, &id)).await,
            [u64::from(to_company) - 1]
        );
        for (name, value) in props.as_object().unwrap() {
            if name != body_prop && name != "hs_timestamp" {
                let r = api
                    .get(&format!("/crm/v3/objects/{kind}/{id}?properties={name}"))
                    .await;
                assert_eq!(r.body["properties"][name], *value, "{kind}.{name}");
            }
        }
    }
    h.shutdown().await;
}

#[tokio::test]
async fn a_create_without_hs_timestamp_is_a_validation_error_naming_it() {
    let h = start(10).await;
    let api = Api::new(&h);
    for (kind, props) in [
        ("notes", json!({"hs_note_body": "<p>no time</p>"})),
        ("calls", json!({"hs_call_title": "no time"})),
        ("tasks", json!({"hs_task_subject": "no time"})),
    ] {
        let r = api
            .post(
                &format!("/crm/v3/objects/{kind}"),
                create_body(kind, props, Vec::new()),
            )
            .await;
        assert_error(&r, 400, "VALIDATION_ERROR");
        assert_schema(&spec(kind), "Error", &r.body);
        assert_eq!(
            r.body["errors"][0]["context"]["propertyName"],
            json!(["hs_timestamp"]),
            "{kind}: {}",
            r.body
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn enumerated_values_are_checked_against_the_property_definitions() {
    let h = start(10).await;
    let api = Api::new(&h);
    let at = "2026-11-02T10:00:00Z";
    for (kind, name, bad) in [
        ("calls", "hs_call_direction", "SIDEWAYS"),
        ("calls", "hs_call_disposition", "connected"),
        ("calls", "hs_call_status", "DONE"),
        ("tasks", "hs_task_status", "DONE"),
        ("tasks", "hs_task_priority", "URGENT"),
        ("tasks", "hs_task_type", "MEETING"),
    ] {
        let r = api
            .post(
                &format!("/crm/v3/objects/{kind}"),
                create_body(kind, json!({"hs_timestamp": at, name: bad}), Vec::new()),
            )
            .await;
        assert_error(&r, 400, "VALIDATION_ERROR");
        assert_eq!(r.body["errors"][0]["code"], "INVALID_OPTION", "{name}");
        assert_eq!(
            r.body["errors"][0]["context"]["propertyName"],
            json!([name])
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn an_association_that_does_not_fit_or_names_no_record_fails_the_create() {
    let h = start(10).await;
    let api = Api::new(&h);
    let before = api
        .get("/crm/v4/objects/tickets/1002/associations/notes")
        .await;
    let note = json!({"hs_note_body": "<p>x</p>", "hs_timestamp": "2026-11-02T10:00:00Z"});
    // 227 is ticket → note, 16 ticket → contact: neither goes from a note.
    let r = api
        .post(
            "/crm/v3/objects/notes",
            create_body(
                "notes",
                note.clone(),
                vec![assoc("1002", 228), assoc("1002", 227), assoc("201", 16)],
            ),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert_eq!(r.body["message"], "One or more associations are invalid");
    assert_eq!(
        r.body["context"]["INVALID_ASSOCIATION_TYPE_IDS"],
        json!([
            "HUBSPOT_DEFINED 227 is not valid from NOTE",
            "HUBSPOT_DEFINED 16 is not valid from NOTE"
        ])
    );
    // A ticket that does not exist, named as HubSpot names it.
    let r = api
        .post(
            "/crm/v3/objects/notes",
            create_body("notes", note.clone(), vec![assoc("999999", 228)]),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert_eq!(
        r.body["context"],
        json!({"INVALID_OBJECT_IDS": ["TICKET=999999 is not valid"],
               "objectId": ["999999"], "objectType": ["TICKET"]})
    );
    // A category the type is not in.
    let mut user = assoc("1002", 228);
    user["types"][0]["associationCategory"] = json!("USER_DEFINED");
    let r = api
        .post(
            "/crm/v3/objects/notes",
            create_body("notes", note, vec![user]),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    // Nothing was created on the ticket.
    let after = api
        .get("/crm/v4/objects/tickets/1002/associations/notes")
        .await;
    assert_eq!(before.body, after.body);
    h.shutdown().await;
}

#[tokio::test]
async fn batch_create_traces_each_input_and_answers_207_per_input() {
    let h = start(10).await;
    let api = Api::new(&h);
    let input = |ticket: &str, trace: &str, body: &str| {
        json!({"properties": {"hs_note_body": body, "hs_timestamp": "2026-11-02T10:00:00Z"},
               "associations": [assoc(ticket, 228)], "objectWriteTraceId": trace})
    };
    let body = json!({"inputs": [
        input("1003", "ticket-1003-0", "<p>three</p>"),
        input("1004", "ticket-1004-1", "<p>four</p>"),
    ]});
    assert_schema(
        "notes-v3.json",
        "BatchInputSimplePublicObjectBatchInputForCreate",
        &body,
    );
    let r = api.post("/crm/v3/objects/notes/batch/create", body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_schema("notes-v3.json", "BatchResponseSimplePublicObject", &r.body);
    for result in r.body["results"].as_array().unwrap() {
        let trace = result["objectWriteTraceId"].as_str().unwrap();
        let ticket = &trace["ticket-".len().."ticket-".len() + 4];
        let id = result["id"].as_str().unwrap();
        assert_eq!(
            type_ids(&api, ("tickets", ticket), ("notes", id)).await,
            [227],
            "the note traced {trace} is on ticket {ticket}"
        );
    }
    // One bad input among good ones: 207, the good ones created, the bad one by its trace.
    let mut bad = input("1005", "bad", "<p>five</p>");
    bad["properties"]
        .as_object_mut()
        .unwrap()
        .remove("hs_timestamp");
    let missing = input("999999", "gone", "<p>nowhere</p>");
    let r = api
        .post(
            "/crm/v3/objects/notes/batch/create",
            json!({"inputs": [input("1005", "good", "<p>five</p>"), bad, missing]}),
        )
        .await;
    assert_eq!(r.status, 207, "{}", r.body);
    assert_schema(
        "notes-v3.json",
        "BatchResponseSimplePublicObjectWithErrors",
        &r.body,
    );
    assert_eq!(r.body["results"][0]["objectWriteTraceId"], "good");
    assert_eq!(r.body["numErrors"], 2);
    let traces: Vec<&Value> = r.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["context"]["objectWriteTraceId"])
        .collect();
    assert_eq!(traces, [&json!(["bad"]), &json!(["gone"])]);
    assert_eq!(
        r.body["errors"][1]["context"]["INVALID_OBJECT_IDS"],
        json!(["TICKET=999999 is not valid"])
    );
    // Without trace IDs a bad input fails the whole batch, and nothing is created.
    let before = api
        .get("/crm/v4/objects/tickets/1006/associations/notes")
        .await;
    let mut plain = input("1006", "", "<p>six</p>");
    plain.as_object_mut().unwrap().remove("objectWriteTraceId");
    let mut plain_bad = plain.clone();
    plain_bad["properties"]["hs_timestamp"] = json!("not a time");
    let r = api
        .post(
            "/crm/v3/objects/notes/batch/create",
            json!({"inputs": [plain, plain_bad]}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let after = api
        .get("/crm/v4/objects/tickets/1006/associations/notes")
        .await;
    assert_eq!(before.body, after.body);
    h.shutdown().await;
}

#[tokio::test]
async fn the_call_outcomes_are_the_disposition_property_options() {
    let h = start(10).await;
    let api = Api::new(&h);
    let r = api
        .get("/crm/v3/properties/calls/hs_call_disposition")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_schema("properties-v3.json", "Property", &r.body);
    assert_eq!(r.body["type"], "enumeration");
    let options: Vec<(&str, &str)> = r.body["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["label"].as_str().unwrap(), o["value"].as_str().unwrap()))
        .collect();
    assert_eq!(
        options,
        [
            ("Busy", "9d9162e7-6cf3-4944-bf63-4dff82258764"),
            ("Connected", "f240bbac-87c9-4f6e-bf70-924b57d47db7"),
            ("Left live message", "a4c4c377-d246-4b32-a13b-75a56a4cd0ff"),
            ("Left voicemail", "b2cf5968-551e-4856-9783-52b3da59a7d0"),
            ("No answer", "73a0d17f-1163-4015-bdd5-ec830791da20"),
            ("Wrong number", "17b47fee-58de-441e-a44c-c6300d46f273"),
        ]
    );
    // The whole list of call properties has it too, and the tasks' have their type.
    let r = api.get("/crm/v3/properties/calls").await;
    assert_schema(
        "properties-v3.json",
        "CollectionResponsePropertyNoPaging",
        &r.body,
    );
    let names: Vec<&str> = r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"hs_call_disposition"), "{names:?}");
    let r = api.get("/crm/v3/properties/tasks/hs_task_type").await;
    assert_eq!(r.status, 200);
    let values: Vec<&str> = r.body["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["EMAIL", "CALL", "TODO"]);
    // Seeded calls carry an outcome.
    let r = api
        .get("/crm/v3/objects/calls?limit=20&properties=hs_call_disposition")
        .await;
    assert!(
        r.body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["properties"]["hs_call_disposition"].is_string()),
        "{}",
        r.body
    );
    h.shutdown().await;
}

#[tokio::test]
async fn engagements_of_every_kind_share_one_id_space() {
    // A pin names an engagement by its ID alone: a note and a call must never share one.
    let h = start(10).await;
    let api = Api::new(&h);
    let seeded: Vec<String> = api.get("/crm/v3/objects/calls?limit=100").await.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let mut ids = std::collections::BTreeSet::new();
    for kind in ["notes", "calls", "tasks", "meetings", "notes", "calls"] {
        let r = api
            .post(
                &format!("/crm/v3/objects/{kind}"),
                create_body(
                    kind,
                    json!({"hs_timestamp": "2026-11-02T10:00:00Z"}),
                    Vec::new(),
                ),
            )
            .await;
        assert_eq!(r.status, 201, "{kind}: {}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        assert!(ids.insert(id.clone()), "{kind} got {id}, already taken");
    }
    assert!(!seeded.is_empty());
    assert!(
        seeded.iter().all(|id| !ids.contains(id)),
        "nor a seeded one"
    );
    h.shutdown().await;
}
