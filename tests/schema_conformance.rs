//! Schema conformance: every operation of HubSpot's specs for tickets, objects, properties,
//! pipelines and associations v4 (`../shared/hubspot/openapi/`) is called against the
//! sandbox over HTTP, with a valid request and its main error cases. Each answer's status
//! must be one the operation declares (an error status may fall to its `default` response),
//! and its body must match that response's schema ($refs resolved; 204 has no body).
//!
//! The test prints which operations it covered. It fails when an operation of the specs has
//! no case here, when a served operation answers outside its spec, when an operation's valid
//! request never succeeds (2xx), or when an operation answers "no such endpoint" (404
//! `RESOURCE_NOT_FOUND` or 405) without being listed in [`NOT_SERVED`] with the reason.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod common;

use std::collections::BTreeSet;

use common::openapi::{schema_errors, spec};
use common::*;
use reqwest::Method;
use serde_json::{Value, json};

const T: &str = "tickets-v3.json";
const O: &str = "objects-v3.json";
const PR: &str = "properties-v3.json";
const PL: &str = "pipelines-v3.json";
const A4: &str = "associations-v4.json";
const AS4: &str = "associations-schema-v4.json";
const FILES: [&str; 6] = [T, O, PR, PL, A4, AS4];

/// Operations the sandbox does not serve, and why. An operation listed here may still be
/// served (its answers are then checked like any other).
const NOT_SERVED: &[(&str, &str, &str)] = &[
    (
        T,
        "POST /crm/v3/objects/tickets/merge",
        "ticket merge is another part of issue 15 (i15-merge); checked here once served",
    ),
    (
        A4,
        "POST /crm/v4/associations/usage/high-usage-report/{userId}",
        "a usage report for portal admins; nothing a ticket browser sends",
    ),
    (
        AS4,
        "GET /crm/associations/v4/definitions/configurations/all",
        "association limit configurations: not modelled",
    ),
    (
        AS4,
        "GET /crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}",
        "association limit configurations: not modelled",
    ),
    (
        AS4,
        "POST /crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}/batch/create",
        "association limit configurations: not modelled",
    ),
    (
        AS4,
        "POST /crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}/batch/purge",
        "association limit configurations: not modelled",
    ),
    (
        AS4,
        "POST /crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}/batch/update",
        "association limit configurations: not modelled",
    ),
    (
        AS4,
        "POST /crm/associations/v4/{fromObjectType}/{toObjectType}/labels",
        "custom association labels: the sandbox's labels are HubSpot-defined only",
    ),
    (
        AS4,
        "PUT /crm/associations/v4/{fromObjectType}/{toObjectType}/labels",
        "custom association labels: the sandbox's labels are HubSpot-defined only",
    ),
    (
        AS4,
        "DELETE /crm/associations/v4/{fromObjectType}/{toObjectType}/labels/{associationTypeId}",
        "custom association labels: the sandbox's labels are HubSpot-defined only",
    ),
];

/// One call: the operation (spec file, `METHOD template`), the concrete path and body.
struct Case {
    file: &'static str,
    op: String,
    path: String,
    body: Option<Value>,
}

fn case(file: &'static str, op: &str, path: impl Into<String>, body: Option<Value>) -> Case {
    Case {
        file,
        op: op.to_owned(),
        path: path.into(),
        body,
    }
}

/// Every `METHOD template` of a spec file.
fn operations(file: &str) -> Vec<String> {
    let s = spec(file);
    let mut out = Vec::new();
    for (path, item) in s["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if ["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                out.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    out
}

/// The schema name a response object refers to (resolving `#/components/responses/...`).
fn response_schema(spec: &Value, resp: &Value) -> Option<String> {
    let resp = match resp.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap();
            spec["components"]["responses"][name].clone()
        }
        None => resp.clone(),
    };
    let content = resp.get("content")?.as_object()?;
    let (_, media) = content.iter().next()?;
    let r = media["schema"]["$ref"].as_str().expect("schemas are $refs");
    Some(r.rsplit('/').next().unwrap().to_owned())
}

/// Checks one answer against its operation; `Err` says how it breaks the spec.
fn check(file: &str, op: &str, status: u16, body: &Value) -> Result<(), String> {
    let s = spec(file);
    let (method, path) = op.split_once(' ').unwrap();
    let responses = &s["paths"][path][method.to_lowercase()]["responses"];
    let declared = responses.get(status.to_string());
    let resp = match declared {
        Some(r) => r,
        None if status >= 400 => responses
            .get("default")
            .ok_or_else(|| format!("{status} is not declared and there is no default"))?,
        None => return Err(format!("status {status} is not declared")),
    };
    match response_schema(&s, resp) {
        None if body.is_null() => Ok(()),
        None => Err(format!("{status} declares no body, got {body}")),
        Some(name) => {
            let errors = schema_errors(file, &name, body);
            if errors.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{status} body breaks {name}:\n  {}\n  body: {}",
                    errors.join("\n  "),
                    body.to_string().chars().take(1500).collect::<String>()
                ))
            }
        }
    }
}

fn is_unserved(status: u16, body: &Value) -> bool {
    status == 405 || (status == 404 && body["category"] == "RESOURCE_NOT_FOUND")
}

async fn first_id(api: &Api, kind: &str) -> String {
    let r = api.get(&format!("/crm/v3/objects/{kind}?limit=1")).await;
    r.body["results"][0]["id"].as_str().unwrap().to_owned()
}

async fn create_ticket(api: &Api, subject: &str) -> String {
    let r = api
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": subject, "hs_pipeline_stage": "1"}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

fn ticket_cases(t1: &str, t2: &str, gone: &str, gone2: &str, merge: (&str, &str)) -> Vec<Case> {
    let base = "/crm/v3/objects/tickets";
    let by_id = "GET /crm/v3/objects/tickets/{ticketId}";
    let patch = "PATCH /crm/v3/objects/tickets/{ticketId}";
    let del = "DELETE /crm/v3/objects/tickets/{ticketId}";
    let b = |op: &str| format!("POST /crm/v3/objects/tickets/batch/{op}");
    vec![
        case(
            T,
            "GET /crm/v3/objects/tickets",
            format!("{base}?limit=3&properties=subject,content&associations=contacts"),
            None,
        ),
        case(
            T,
            "GET /crm/v3/objects/tickets",
            format!("{base}?limit=0"),
            None,
        ),
        case(
            T,
            "POST /crm/v3/objects/tickets",
            base,
            Some(json!({"properties": {"subject": "conformance", "hs_pipeline_stage": "1"}})),
        ),
        case(
            T,
            "POST /crm/v3/objects/tickets",
            base,
            Some(json!({"properties": {"subject": "x", "no_such_property": "1"}})),
        ),
        case(
            T,
            by_id,
            format!("{base}/{t1}?propertiesWithHistory=hs_pipeline_stage&associations=companies"),
            None,
        ),
        case(T, by_id, format!("{base}/999999999"), None),
        case(
            T,
            patch,
            format!("{base}/{t1}"),
            Some(json!({"properties": {"hs_ticket_priority": "HIGH"}})),
        ),
        case(
            T,
            patch,
            format!("{base}/{t1}"),
            Some(json!({"properties": {"hs_ticket_priority": "NOPE"}})),
        ),
        case(
            T,
            patch,
            format!("{base}/999999999"),
            Some(json!({"properties": {"subject": "x"}})),
        ),
        case(T, del, format!("{base}/{gone}"), None),
        case(T, del, format!("{base}/999999999"), None),
        case(
            T,
            &b("read"),
            format!("{base}/batch/read"),
            Some(json!({"inputs": [{"id": t1}], "properties": ["subject"]})),
        ),
        case(
            T,
            &b("read"),
            format!("{base}/batch/read"),
            Some(json!({"inputs": [{"id": t1}, {"id": "999999999"}], "properties": ["subject"]})),
        ),
        case(
            T,
            &b("create"),
            format!("{base}/batch/create"),
            Some(json!({"inputs": [{"properties": {"subject": "b1", "hs_pipeline_stage": "1"}}]})),
        ),
        case(
            T,
            &b("create"),
            format!("{base}/batch/create"),
            Some(json!({"inputs": [
            {"properties": {"subject": "b2", "hs_pipeline_stage": "1"}, "objectWriteTraceId": "a"},
            {"properties": {"subject": "b3", "hs_pipeline_stage": "nope"}, "objectWriteTraceId": "b"}]})),
        ),
        case(
            T,
            &b("create"),
            format!("{base}/batch/create"),
            Some(
                json!({"inputs": [{"properties": {"subject": "b4", "hs_pipeline_stage": "nope"}}]}),
            ),
        ),
        case(
            T,
            &b("update"),
            format!("{base}/batch/update"),
            Some(json!({"inputs": [{"id": t2, "properties": {"hs_ticket_priority": "LOW"}}]})),
        ),
        case(
            T,
            &b("update"),
            format!("{base}/batch/update"),
            Some(
                json!({"inputs": [{"id": t2, "properties": {"hs_ticket_priority": "LOW"}}, {"id": "999999999", "properties": {"subject": "x"}}]}),
            ),
        ),
        case(
            T,
            &b("upsert"),
            format!("{base}/batch/upsert"),
            Some(
                json!({"inputs": [{"id": "CONF-UPSERT-1", "idProperty": "external_ticket_ref", "properties": {"subject": "up", "hs_pipeline_stage": "1"}}]}),
            ),
        ),
        case(
            T,
            &b("archive"),
            format!("{base}/batch/archive"),
            Some(json!({"inputs": [{"id": gone2}]})),
        ),
        case(
            T,
            &b("archive"),
            format!("{base}/batch/archive"),
            Some(json!({})),
        ),
        case(
            T,
            "POST /crm/v3/objects/tickets/merge",
            format!("{base}/merge"),
            Some(json!({"objectIdToMerge": merge.1, "primaryObjectId": merge.0})),
        ),
        case(
            T,
            "POST /crm/v3/objects/tickets/search",
            format!("{base}/search"),
            Some(
                json!({"filterGroups": [{"filters": [{"propertyName": "hs_pipeline", "operator": "EQ", "value": "0"}]}], "limit": 5}),
            ),
        ),
        case(
            T,
            "POST /crm/v3/objects/tickets/search",
            format!("{base}/search"),
            Some(
                json!({"filterGroups": [{"filters": [{"propertyName": "no_such_property", "operator": "EQ", "value": "0"}]}]}),
            ),
        ),
    ]
}

fn object_cases(c1: &str, c2: &str) -> Vec<Case> {
    let base = "/crm/v3/objects/contacts";
    let list = "GET /crm/v3/objects/{objectType}";
    let create = "POST /crm/v3/objects/{objectType}";
    let by_id = "GET /crm/v3/objects/{objectType}/{objectId}";
    let b = |op: &str| format!("POST /crm/v3/objects/{{objectType}}/batch/{op}");
    vec![
        case(O, list, format!("{base}?limit=2"), None),
        case(O, list, "/crm/v3/objects/no_such_type?limit=2", None),
        case(
            O,
            create,
            base,
            Some(json!({"properties": {"email": "conformance@example.com", "firstname": "Con"}})),
        ),
        case(
            O,
            create,
            base,
            Some(json!({"properties": {"no_such_property": "1"}})),
        ),
        case(O, by_id, format!("{base}/{c1}"), None),
        case(O, by_id, format!("{base}/999999999"), None),
        case(
            O,
            "PATCH /crm/v3/objects/{objectType}/{objectId}",
            format!("{base}/{c1}"),
            Some(json!({"properties": {"firstname": "Renamed"}})),
        ),
        case(
            O,
            "PATCH /crm/v3/objects/{objectType}/{objectId}",
            format!("{base}/999999999"),
            Some(json!({"properties": {"firstname": "x"}})),
        ),
        case(
            O,
            &b("read"),
            format!("{base}/batch/read"),
            Some(json!({"inputs": [{"id": c1}, {"id": "999999999"}], "properties": ["email"]})),
        ),
        case(
            O,
            &b("read"),
            format!("{base}/batch/read"),
            Some(json!({"inputs": [{"id": c1}], "properties": ["email"]})),
        ),
        case(
            O,
            &b("create"),
            format!("{base}/batch/create"),
            Some(json!({"inputs": [{"properties": {"email": "b1@example.com"}}]})),
        ),
        case(
            O,
            &b("update"),
            format!("{base}/batch/update"),
            Some(json!({"inputs": [{"id": c1, "properties": {"lastname": "B"}}]})),
        ),
        case(
            O,
            &b("upsert"),
            format!("{base}/batch/upsert"),
            Some(
                json!({"inputs": [{"id": "upsert@example.com", "idProperty": "email", "properties": {"firstname": "Up"}}]}),
            ),
        ),
        case(
            O,
            &b("archive"),
            format!("{base}/batch/archive"),
            // c2 is deleted by the DELETE case below; archiving an unknown id is a 204 too.
            Some(json!({"inputs": [{"id": "999999998"}]})),
        ),
        case(
            O,
            "POST /crm/v3/objects/{objectType}/search",
            format!("{base}/search"),
            Some(json!({"query": "a", "limit": 3})),
        ),
        case(
            O,
            "DELETE /crm/v3/objects/{objectType}/{objectId}",
            format!("{base}/{c2}"),
            None,
        ),
    ]
}

fn property_cases() -> Vec<Case> {
    let base = "/crm/v3/properties/tickets";
    let create = "POST /crm/v3/properties/{objectType}";
    let by_name = "GET /crm/v3/properties/{objectType}/{propertyName}";
    let group = "/crm/v3/properties/{objectType}/groups/{groupName}";
    let prop = |name: &str, extra: Value| {
        let mut v = json!({"name": name, "label": name, "type": "string", "fieldType": "text", "groupName": "ticketinformation"});
        v.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        v
    };
    vec![
        case(PR, "GET /crm/v3/properties/{objectType}", base, None),
        case(
            PR,
            "GET /crm/v3/properties/{objectType}",
            "/crm/v3/properties/no_such_type",
            None,
        ),
        case(
            PR,
            "POST /crm/v3/properties/{objectType}/groups",
            format!("{base}/groups"),
            Some(json!({"name": "conf_group", "label": "Conformance", "displayOrder": 3})),
        ),
        case(
            PR,
            "POST /crm/v3/properties/{objectType}/groups",
            format!("{base}/groups"),
            Some(json!({"name": "conf_group", "label": "Again"})),
        ),
        case(
            PR,
            create,
            base,
            Some(prop(
                "conf_ref",
                json!({"hasUniqueValue": true, "groupName": "conf_group"}),
            )),
        ),
        case(PR, create, base, Some(prop("conf_ref", json!({})))),
        case(
            PR,
            create,
            base,
            Some(prop(
                "conf_bad",
                json!({"type": "number", "fieldType": "select"}),
            )),
        ),
        case(
            PR,
            create,
            base,
            Some(
                json!({"name": "conf_enum", "label": "Enum", "type": "enumeration", "fieldType": "select", "groupName": "conf_group",
            "options": [{"label": "A", "value": "a", "hidden": false, "displayOrder": 0}, {"label": "B", "value": "b", "hidden": false, "displayOrder": 1}]}),
            ),
        ),
        case(PR, by_name, format!("{base}/conf_enum"), None),
        case(PR, by_name, format!("{base}/no_such_property"), None),
        case(
            PR,
            "PATCH /crm/v3/properties/{objectType}/{propertyName}",
            format!("{base}/conf_enum"),
            Some(
                json!({"label": "Enum renamed", "options": [{"label": "C", "value": "c", "hidden": false}]}),
            ),
        ),
        case(
            PR,
            "PATCH /crm/v3/properties/{objectType}/{propertyName}",
            format!("{base}/subject"),
            Some(json!({"label": "Nope"})),
        ),
        case(
            PR,
            "POST /crm/v3/properties/{objectType}/batch/create",
            format!("{base}/batch/create"),
            Some(json!({"inputs": [prop("conf_b1", json!({})), prop("conf_b2", json!({}))]})),
        ),
        case(
            PR,
            "POST /crm/v3/properties/{objectType}/batch/create",
            format!("{base}/batch/create"),
            Some(json!({"inputs": [prop("conf_b3", json!({})), prop("conf_b1", json!({}))]})),
        ),
        case(
            PR,
            "POST /crm/v3/properties/{objectType}/batch/read",
            format!("{base}/batch/read"),
            Some(
                json!({"archived": false, "dataSensitivity": "non_sensitive", "inputs": [{"name": "subject"}, {"name": "conf_b1"}]}),
            ),
        ),
        case(
            PR,
            "POST /crm/v3/properties/{objectType}/batch/read",
            format!("{base}/batch/read"),
            Some(
                json!({"archived": false, "dataSensitivity": "non_sensitive", "inputs": [{"name": "subject"}, {"name": "no_such_property"}]}),
            ),
        ),
        case(
            PR,
            "POST /crm/v3/properties/{objectType}/batch/archive",
            format!("{base}/batch/archive"),
            Some(json!({"inputs": [{"name": "conf_b2"}]})),
        ),
        case(
            PR,
            "POST /crm/v3/properties/{objectType}/batch/archive",
            format!("{base}/batch/archive"),
            Some(json!({"inputs": [{"name": "subject"}]})),
        ),
        case(
            PR,
            "DELETE /crm/v3/properties/{objectType}/{propertyName}",
            format!("{base}/conf_b1"),
            None,
        ),
        case(
            PR,
            "DELETE /crm/v3/properties/{objectType}/{propertyName}",
            format!("{base}/subject"),
            None,
        ),
        case(
            PR,
            "GET /crm/v3/properties/{objectType}/groups",
            format!("{base}/groups"),
            None,
        ),
        case(
            PR,
            &format!("GET {group}"),
            format!("{base}/groups/conf_group"),
            None,
        ),
        case(
            PR,
            &format!("GET {group}"),
            format!("{base}/groups/no_such_group"),
            None,
        ),
        case(
            PR,
            &format!("PATCH {group}"),
            format!("{base}/groups/conf_group"),
            Some(json!({"label": "Renamed"})),
        ),
        case(
            PR,
            &format!("DELETE {group}"),
            format!("{base}/groups/conf_group"),
            None,
        ),
        case(
            PR,
            &format!("POST {}", "/crm/v3/properties/{objectType}/groups"),
            format!("{base}/groups"),
            Some(json!({"name": "conf_empty", "label": "Empty"})),
        ),
        case(
            PR,
            &format!("DELETE {group}"),
            format!("{base}/groups/conf_empty"),
            None,
        ),
    ]
}

fn pipeline_cases() -> Vec<Case> {
    let base = "/crm/v3/pipelines/tickets";
    let one = "/crm/v3/pipelines/{objectType}/{pipelineId}";
    let stage = "/crm/v3/pipelines/{objectType}/{pipelineId}/stages/{stageId}";
    let input = |label: &str| {
        json!({"label": label, "displayOrder": 5, "pipelineId": "conf-pipe", "stages": [
        {"label": "Open", "displayOrder": 0, "metadata": {"ticketState": "OPEN"}, "stageId": "conf-open"},
        {"label": "Done", "displayOrder": 1, "metadata": {"ticketState": "CLOSED"}, "stageId": "conf-done"}]})
    };
    vec![
        case(PL, "GET /crm/v3/pipelines/{objectType}", base, None),
        case(
            PL,
            "POST /crm/v3/pipelines/{objectType}",
            base,
            Some(input("Conformance")),
        ),
        case(
            PL,
            "POST /crm/v3/pipelines/{objectType}",
            base,
            Some(
                json!({"label": "Support Pipeline", "displayOrder": 1, "stages": [{"label": "A", "displayOrder": 0, "metadata": {}}]}),
            ),
        ),
        case(PL, &format!("GET {one}"), format!("{base}/conf-pipe"), None),
        case(
            PL,
            &format!("GET {one}"),
            format!("{base}/no-such-pipeline"),
            None,
        ),
        case(
            PL,
            &format!("PUT {one}"),
            format!("{base}/conf-pipe"),
            Some(
                json!({"label": "Conformance 2", "displayOrder": 6, "stages": [
            {"label": "Open", "displayOrder": 0, "metadata": {"ticketState": "OPEN"}, "stageId": "conf-open"},
            {"label": "Done", "displayOrder": 1, "metadata": {"ticketState": "CLOSED"}, "stageId": "conf-done"},
            {"label": "Later", "displayOrder": 2, "metadata": {"ticketState": "OPEN"}}]}),
            ),
        ),
        case(
            PL,
            &format!("PUT {one}"),
            format!("{base}/conf-pipe"),
            Some(json!({"label": "X", "displayOrder": 1, "stages": [
            {"label": "Same", "displayOrder": 0, "metadata": {}}, {"label": "same", "displayOrder": 1, "metadata": {}}]})),
        ),
        case(
            PL,
            &format!("PATCH {one}"),
            format!("{base}/conf-pipe"),
            Some(json!({"label": "Conformance 3"})),
        ),
        case(
            PL,
            &format!("PATCH {one}"),
            format!("{base}/no-such-pipeline"),
            Some(json!({"label": "x"})),
        ),
        case(
            PL,
            &format!("GET {one}/audit"),
            format!("{base}/conf-pipe/audit"),
            None,
        ),
        case(
            PL,
            &format!("GET {one}/stages"),
            format!("{base}/conf-pipe/stages"),
            None,
        ),
        case(
            PL,
            &format!("POST {one}/stages"),
            format!("{base}/conf-pipe/stages"),
            Some(json!({"label": "Extra", "displayOrder": 3, "metadata": {"ticketState": "OPEN"}})),
        ),
        case(
            PL,
            &format!("POST {one}/stages"),
            format!("{base}/conf-pipe/stages"),
            Some(json!({"label": "Bad", "displayOrder": 4, "metadata": {"ticketState": "MAYBE"}})),
        ),
        case(
            PL,
            &format!("GET {stage}"),
            format!("{base}/conf-pipe/stages/conf-open"),
            None,
        ),
        case(
            PL,
            &format!("GET {stage}"),
            format!("{base}/conf-pipe/stages/nope"),
            None,
        ),
        case(
            PL,
            &format!("PUT {stage}"),
            format!("{base}/conf-pipe/stages/conf-open"),
            Some(
                json!({"label": "Opened", "displayOrder": 0, "metadata": {"ticketState": "OPEN"}}),
            ),
        ),
        case(
            PL,
            &format!("PATCH {stage}"),
            format!("{base}/conf-pipe/stages/conf-done"),
            Some(json!({"label": "Finished", "metadata": {"ticketState": "CLOSED"}})),
        ),
        case(
            PL,
            &format!("GET {stage}/audit"),
            format!("{base}/conf-pipe/stages/conf-done/audit"),
            None,
        ),
        case(
            PL,
            &format!("DELETE {stage}"),
            format!("{base}/0/stages/1?validateReferencesBeforeDelete=true"),
            None,
        ),
        case(
            PL,
            &format!("DELETE {stage}"),
            format!("{base}/conf-pipe/stages/conf-open"),
            None,
        ),
        case(
            PL,
            &format!("DELETE {one}"),
            format!("{base}/0?validateReferencesBeforeDelete=true"),
            None,
        ),
        case(
            PL,
            &format!("DELETE {one}"),
            format!("{base}/conf-pipe"),
            None,
        ),
    ]
}

fn association_cases(t1: &str, t2: &str, c1: &str) -> Vec<Case> {
    let b = |op: &str| {
        format!("POST /crm/v4/associations/{{fromObjectType}}/{{toObjectType}}/batch/{op}")
    };
    let base = "/crm/v4/associations/tickets/contacts/batch";
    let obj = "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}";
    let spec16 = json!([{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}]);
    vec![
        case(
            A4,
            &b("associate/default"),
            format!("{base}/associate/default"),
            Some(json!({"inputs": [{"from": {"id": t1}, "to": {"id": c1}}]})),
        ),
        // A partial failure: one pair does not exist.
        case(
            A4,
            &b("associate/default"),
            format!("{base}/associate/default"),
            Some(
                json!({"inputs": [{"from": {"id": t1}, "to": {"id": c1}}, {"from": {"id": "999999999"}, "to": {"id": c1}}]}),
            ),
        ),
        case(
            A4,
            &b("create"),
            format!("{base}/create"),
            Some(json!({"inputs": [{"from": {"id": t2}, "to": {"id": c1}, "types": spec16}]})),
        ),
        case(
            A4,
            &b("create"),
            format!("{base}/create"),
            Some(
                json!({"inputs": [{"from": {"id": t2}, "to": {"id": c1}, "types": spec16}, {"from": {"id": "999999999"}, "to": {"id": c1}, "types": spec16}]}),
            ),
        ),
        case(
            A4,
            &b("read"),
            format!("{base}/read"),
            Some(json!({"inputs": [{"id": t1}]})),
        ),
        case(
            A4,
            &b("read"),
            format!("{base}/read"),
            Some(json!({"inputs": [{"id": t1}, {"id": "999999999"}]})),
        ),
        case(
            A4,
            &b("labels/archive"),
            format!("{base}/labels/archive"),
            Some(json!({"inputs": [{"from": {"id": t2}, "to": {"id": c1}, "types": spec16}]})),
        ),
        case(
            A4,
            &b("archive"),
            format!("{base}/archive"),
            Some(json!({"inputs": [{"from": {"id": t2}, "to": [{"id": c1}]}]})),
        ),
        case(
            A4,
            &b("archive"),
            format!("{base}/archive"),
            Some(json!({})),
        ),
        case(
            A4,
            "PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
            format!("/crm/v4/objects/tickets/{t2}/associations/default/contacts/{c1}"),
            None,
        ),
        case(
            A4,
            "PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}",
            format!("/crm/v4/objects/tickets/999999999/associations/default/contacts/{c1}"),
            None,
        ),
        case(
            A4,
            &format!("GET {obj}"),
            format!("/crm/v4/objects/tickets/{t1}/associations/contacts"),
            None,
        ),
        case(
            A4,
            &format!("PUT {obj}/{{toObjectId}}"),
            format!("/crm/v4/objects/tickets/{t1}/associations/contacts/{c1}"),
            Some(spec16.clone()),
        ),
        case(
            A4,
            &format!("PUT {obj}/{{toObjectId}}"),
            format!("/crm/v4/objects/tickets/{t1}/associations/contacts/999999999"),
            Some(spec16.clone()),
        ),
        case(
            A4,
            &format!("DELETE {obj}/{{toObjectId}}"),
            format!("/crm/v4/objects/tickets/{t2}/associations/contacts/{c1}"),
            None,
        ),
        case(
            A4,
            "POST /crm/v4/associations/usage/high-usage-report/{userId}",
            "/crm/v4/associations/usage/high-usage-report/1",
            None,
        ),
        case(
            AS4,
            "GET /crm/associations/v4/{fromObjectType}/{toObjectType}/labels",
            "/crm/associations/v4/tickets/companies/labels",
            None,
        ),
        case(
            AS4,
            "GET /crm/associations/v4/definitions/configurations/all",
            "/crm/associations/v4/definitions/configurations/all",
            None,
        ),
        case(
            AS4,
            "GET /crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}",
            "/crm/associations/v4/definitions/configurations/tickets/contacts",
            None,
        ),
        case(
            AS4,
            "POST /crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}/batch/create",
            "/crm/associations/v4/definitions/configurations/tickets/contacts/batch/create",
            Some(json!({"inputs": []})),
        ),
        case(
            AS4,
            "POST /crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}/batch/purge",
            "/crm/associations/v4/definitions/configurations/tickets/contacts/batch/purge",
            Some(json!({"inputs": []})),
        ),
        case(
            AS4,
            "POST /crm/associations/v4/definitions/configurations/{fromObjectType}/{toObjectType}/batch/update",
            "/crm/associations/v4/definitions/configurations/tickets/contacts/batch/update",
            Some(json!({"inputs": []})),
        ),
        case(
            AS4,
            "POST /crm/associations/v4/{fromObjectType}/{toObjectType}/labels",
            "/crm/associations/v4/tickets/contacts/labels",
            Some(json!({"label": "X", "name": "x"})),
        ),
        case(
            AS4,
            "PUT /crm/associations/v4/{fromObjectType}/{toObjectType}/labels",
            "/crm/associations/v4/tickets/contacts/labels",
            Some(json!({"associationTypeId": 16, "label": "X"})),
        ),
        case(
            AS4,
            "DELETE /crm/associations/v4/{fromObjectType}/{toObjectType}/labels/{associationTypeId}",
            "/crm/associations/v4/tickets/contacts/labels/16",
            None,
        ),
    ]
}

fn method_of(op: &str) -> Method {
    Method::from_bytes(op.split(' ').next().unwrap().as_bytes()).unwrap()
}

#[tokio::test]
async fn every_served_operation_answers_as_its_spec_says() {
    let h = start(30).await;
    let api = Api::new(&h);
    let t1 = first_id(&api, "tickets").await;
    let t2 = create_ticket(&api, "conformance two").await;
    let gone = create_ticket(&api, "conformance archived").await;
    let gone2 = create_ticket(&api, "conformance batch archived").await;
    let c1 = first_id(&api, "contacts").await;
    let c2 = {
        let r = api
            .post(
                "/crm/v3/objects/contacts",
                json!({"properties": {"email": "gone@example.com"}}),
            )
            .await;
        r.body["id"].as_str().unwrap().to_owned()
    };
    let m1 = create_ticket(&api, "conformance merge primary").await;
    let m2 = create_ticket(&api, "conformance merge absorbed").await;
    let mut cases = ticket_cases(&t1, &t2, &gone, &gone2, (&m1, &m2));
    cases.extend(object_cases(&c1, &c2));
    cases.extend(property_cases());
    cases.extend(pipeline_cases());
    cases.extend(association_cases(&t1, &t2, &c1));

    let mut failures = Vec::new();
    let mut covered: BTreeSet<(String, String)> = BTreeSet::new();
    let mut unserved: BTreeSet<(String, String)> = BTreeSet::new();
    let mut statuses: BTreeSet<(String, String, u16)> = BTreeSet::new();
    for c in &cases {
        let r = api.call(method_of(&c.op), &c.path, c.body.clone()).await;
        let key = (c.file.to_owned(), c.op.clone());
        if is_unserved(r.status, &r.body) {
            unserved.insert(key);
            continue;
        }
        covered.insert(key);
        statuses.insert((c.file.to_owned(), c.op.clone(), r.status));
        if let Err(e) = check(c.file, &c.op, r.status, &r.body) {
            failures.push(format!("{} {} ({}): {e}", c.op, c.path, c.file));
        }
    }
    for file in FILES {
        for op in operations(file) {
            let key = (file.to_owned(), op.clone());
            let excused = NOT_SERVED.iter().any(|(f, o, _)| *f == file && *o == op);
            if covered.contains(&key) {
                // Its valid request succeeded: an operation that only ever answers errors is
                // not served, whatever its status says.
                let succeeded = statuses
                    .iter()
                    .any(|(f, o, s)| f == file && *o == op && (200..300).contains(s));
                if !succeeded && !excused {
                    failures.push(format!("{op} ({file}) never succeeded"));
                }
                continue;
            }
            if unserved.contains(&key) && excused {
                continue;
            }
            if unserved.contains(&key) {
                failures.push(format!(
                    "{op} ({file}) is not served and not listed in NOT_SERVED"
                ));
            } else {
                failures.push(format!("{op} ({file}) has no case in this test"));
            }
        }
    }
    println!("covered operations and the statuses seen:");
    for (file, op) in &covered {
        let seen: Vec<String> = statuses
            .iter()
            .filter(|(f, o, _)| f == file && o == op)
            .map(|(_, _, s)| s.to_string())
            .collect();
        println!("  {file}  {op}  [{}]", seen.join(", "));
    }
    println!("not served:");
    for (file, op, why) in NOT_SERVED {
        if unserved.contains(&((*file).to_owned(), (*op).to_owned())) {
            println!("  {file}  {op}: {why}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every spec file was exercised.
    for file in FILES {
        assert!(
            covered.iter().any(|(f, _)| f == file),
            "nothing of {file} was covered"
        );
    }
    h.shutdown().await;
}

/// The checker itself: an undeclared status and a body that breaks the schema are caught.
#[test]
fn the_checker_rejects_what_breaks_the_spec() {
    let op = "POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default";
    let body = json!({"status": "COMPLETE", "results": [], "startedAt": "2026-01-01T00:00:00.000Z", "completedAt": "2026-01-01T00:00:00.000Z"});
    assert!(check(A4, op, 200, &body).is_ok());
    assert!(check(A4, op, 207, &body).is_err(), "207 is not declared");
    assert!(
        check(A4, op, 200, &json!({"results": []})).is_err(),
        "missing required fields"
    );
    let del = "DELETE /crm/v3/objects/tickets/{ticketId}";
    assert!(check(T, del, 204, &Value::Null).is_ok());
    assert!(
        check(T, del, 204, &json!({"x": 1})).is_err(),
        "204 has no body"
    );
    let err = json!({"status": "error", "message": "m", "correlationId": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "category": "X"});
    assert!(check(T, del, 404, &err).is_ok(), "errors fall to default");
    assert!(check(T, del, 404, &json!({"message": "m"})).is_err());
}
