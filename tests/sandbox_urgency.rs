//! What the sandbox serves for triage urgency: the reply-time and SLA properties HubSpot fills
//! in (seeded from the portal's conversations, read-only, kept up to date when a ticket
//! closes), durations marked with `numberDisplayHint`, over real HTTP and against the specs.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::{Value, json};

const SLA: [(&str, &str); 2] = [
    (
        "hs_time_to_first_response_sla_at",
        "hs_time_to_first_response_sla_status",
    ),
    ("hs_time_to_close_sla_at", "hs_time_to_close_sla_status"),
];

fn ms(v: &Value) -> i64 {
    let s = v.as_str().unwrap();
    s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
}

#[tokio::test]
async fn urgency_properties_are_defined_read_only_and_durations_hinted() {
    let h = start(20).await;
    let api = Api::new(&h);
    let r = api.get("/crm/v3/properties/tickets").await;
    assert_eq!(r.status, 200);
    let props = r.body["results"].as_array().unwrap();
    let def = |name: &str| {
        props
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is defined"))
    };
    for p in props {
        assert_schema("properties-v3.json", "Property", p);
    }
    for name in ["time_to_close", "time_to_first_agent_reply"] {
        assert_eq!(def(name)["numberDisplayHint"], "duration", "{name}");
        assert_eq!(def(name)["type"], "number");
    }
    assert!(def("affected_users").get("numberDisplayHint").is_none());
    for (due, status) in SLA {
        assert_eq!(def(due)["type"], "datetime");
        assert_eq!(def(status)["type"], "enumeration");
        assert_eq!(def(status)["modificationMetadata"]["readOnlyValue"], true);
        let labels: Vec<&str> = def(status)["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["label"].as_str().unwrap())
            .collect();
        assert!(labels.contains(&"Overdue"), "{labels:?}");
    }
    assert_eq!(def("last_reply_date")["label"], "Last customer reply date");
    let r = api
        .patch(
            "/crm/v3/objects/tickets/1001",
            json!({"properties": {"hs_time_to_close_sla_status": "3"}}),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    h.shutdown().await;
}

#[tokio::test]
async fn seeded_slas_follow_priority_and_the_replies() {
    let h = start(300).await;
    let api = Api::new(&h);
    let names = [
        "createdate",
        "hs_pipeline",
        "hs_ticket_priority",
        "closed_date",
        "first_agent_reply_date",
        "time_to_first_agent_reply",
        "last_reply_date",
        "hs_time_to_first_response_sla_at",
        "hs_time_to_first_response_sla_status",
        "hs_time_to_close_sla_at",
        "hs_time_to_close_sla_status",
    ]
    .join(",");
    let (mut with_sla, mut overdue, mut replied) = (0, 0, 0);
    let mut after = String::new();
    loop {
        let r = api
            .get(&format!(
                "/crm/v3/objects/tickets?limit=100&properties={names}{after}"
            ))
            .await;
        assert_eq!(r.status, 200);
        for t in r.body["results"].as_array().unwrap() {
            let p = &t["properties"];
            let created = ms(&p["createdate"]);
            if let Some(first) = p["first_agent_reply_date"].as_str() {
                replied += 1;
                let took = p["time_to_first_agent_reply"].as_str().unwrap();
                assert_eq!(
                    took.parse::<i64>().unwrap(),
                    ms(&json!(first)) - created,
                    "{t}"
                );
            }
            if p["hs_pipeline"] != "0" {
                assert!(p["hs_time_to_close_sla_at"].is_null(), "no SLA there: {t}");
                continue;
            }
            with_sla += 1;
            let hours = match p["hs_ticket_priority"].as_str() {
                Some("URGENT") => 24,
                Some("HIGH") => 72,
                Some("MEDIUM") => 120,
                _ => 240,
            };
            assert_eq!(
                ms(&p["hs_time_to_close_sla_at"]) - created,
                hours * 3_600_000,
                "{t}"
            );
            let status = p["hs_time_to_close_sla_status"].as_str().unwrap();
            match p["closed_date"].as_str() {
                Some(closed) => {
                    let on_time = ms(&json!(closed)) <= ms(&p["hs_time_to_close_sla_at"]);
                    assert_eq!(status, if on_time { "3" } else { "4" }, "{t}");
                }
                None => {
                    assert!(["0", "1", "2"].contains(&status), "{t}");
                    overdue += usize::from(status == "1");
                }
            }
            assert!(p["hs_time_to_first_response_sla_status"].is_string());
        }
        match r.body["paging"]["next"]["after"].as_str() {
            Some(a) => after = format!("&after={a}"),
            None => break,
        }
    }
    assert!(with_sla > 100, "{with_sla}");
    assert!(
        overdue > 0 && replied > 0,
        "{overdue} overdue, {replied} replied"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn closing_a_ticket_settles_its_close_sla() {
    let h = start(100).await;
    let api = Api::new(&h);
    let r = api
        .post(
            "/crm/v3/objects/tickets/search",
            json!({"filterGroups": [{"filters": [
                {"propertyName": "hs_is_closed", "operator": "EQ", "value": "false"},
                {"propertyName": "hs_time_to_close_sla_at", "operator": "HAS_PROPERTY"}]}],
                "properties": ["hs_time_to_close_sla_at", "hs_time_to_close_sla_status"],
                "limit": 1}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t = &r.body["results"][0];
    let id = t["id"].as_str().unwrap();
    let due = ms(&t["properties"]["hs_time_to_close_sla_at"]);
    let r = api
        .patch(
            &format!(
                "/crm/v3/objects/tickets/{id}?properties=closed_date,hs_time_to_close_sla_status"
            ),
            json!({"properties": {"hs_pipeline_stage": "4"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = api
        .get(&format!(
            "/crm/v3/objects/tickets/{id}?properties=closed_date,hs_time_to_close_sla_status"
        ))
        .await;
    let p = &r.body["properties"];
    let met = ms(&p["closed_date"]) <= due;
    assert_eq!(
        p["hs_time_to_close_sla_status"],
        if met { "3" } else { "4" },
        "{}",
        r.body
    );
    h.shutdown().await;
}
