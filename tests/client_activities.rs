//! The HubSpot client writing notes, calls and tasks against the sandbox over real HTTP: the
//! creates `mapping::new_activity` builds (checked against HubSpot's specs), read back through
//! the ticket's v4 associations with their bodies; batch create traced per input, results and
//! 207 errors mapped back by `objectWriteTraceId`; HubSpot's refusals as typed errors; the
//! call outcomes from the Properties API.
#![allow(clippy::unwrap_used)]

mod common;

use common::assert_schema;
use common::client::*;
use hubtix::domain::{
    ActivityDetails, AssociationTarget, CallDirection, NewActivity, ObjectKind, TaskPriority,
};
use hubtix::hubspot::*;
use hubtix::mapping;

fn at(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn activity(ticket: &str, details: ActivityDetails, body: &str) -> NewActivity {
    NewActivity {
        ticket_id: ticket.into(),
        details,
        body: body.into(),
        timestamp: at("2026-11-02T10:15:30.123456Z"),
        also: Vec::new(),
        pin: false,
    }
}

/// The first contact and company of `ticket`.
async fn contact_and_company(c: &Client, ticket: &str) -> (String, String) {
    let first = |v: Vec<AssociatedObject>| v[0].to_object_id.clone();
    (
        first(c.associations("tickets", ticket, "contacts").await.unwrap()),
        first(
            c.associations("tickets", ticket, "companies")
                .await
                .unwrap(),
        ),
    )
}

const BODY: &str = "Called back  about the <printer>:\n\n\nit works & prints 日本語 😀\n  see https://example.com/kb?id=7&lang=ja";

#[tokio::test]
async fn new_activities_are_created_associated_and_read_back_through_the_ticket() {
    let (sb, c) = setup(20).await;
    let (contact, company) = contact_and_company(&c, "1001").await;
    let call = ActivityDetails::Call {
        title: "Follow-up call".into(),
        direction: CallDirection::Inbound,
        outcome: Some("b2cf5968-551e-4856-9783-52b3da59a7d0".into()),
        duration_ms: Some(95_000),
    };
    let task = ActivityDetails::Task {
        subject: "Check the fix".into(),
        owner_id: None,
        priority: TaskPriority::High,
    };
    for details in [ActivityDetails::Note, call, task] {
        let mut a = activity("1001", details, BODY);
        a.also = vec![
            (AssociationTarget::Contact, contact.clone()),
            (AssociationTarget::Company, company.clone()),
        ];
        let kind = a.kind().object();
        let spec = format!("{}-v3.json", kind.api_name());
        let input = mapping::new_activity(&a);
        assert_schema(&spec, "SimplePublicObjectInputForCreate", &json(&input));
        let created: SimplePublicObject = c.create_object(kind.api_name(), &input).await.unwrap();
        assert_schema(&spec, "SimplePublicObject", &json(&created));
        // Through the ticket, as LoadActivities reads it.
        let links = c
            .associations("tickets", "1001", kind.api_name())
            .await
            .unwrap();
        let link = links
            .iter()
            .find(|l| l.to_object_id == created.id)
            .expect("associated with the ticket");
        assert_eq!(
            link.association_types[0].type_id,
            kind.ticket_default_type_id()
        );
        let read = c
            .batch_read_objects::<SimplePublicObject>(
                kind.api_name(),
                &BatchReadQuery::new(vec![created.id.clone()], mapping::display_properties(kind)),
            )
            .await
            .unwrap()
            .into_results();
        let body = a.kind().body_property();
        assert_eq!(
            read[0].property(body),
            input.properties.get(body).map(String::as_str),
            "the body as sent"
        );
        let shown = mapping::activity(kind, &read[0].id, &read[0]);
        assert_eq!(shown.body, hubtix::text::normalize_typed(BODY));
        assert_eq!(shown.timestamp, Some(at("2026-11-02T10:15:30.123Z")));
        // On the contact's and the company's timelines too.
        for (to, id) in [("contacts", &contact), ("companies", &company)] {
            let links = c
                .associations(kind.api_name(), &created.id, to)
                .await
                .unwrap();
            assert!(
                links.iter().any(|l| l.to_object_id == *id),
                "{kind:?} → {to}"
            );
        }
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn a_batch_of_notes_maps_every_result_and_error_back_by_trace_id() {
    let (sb, c) = setup(20).await;
    let mut inputs: Vec<CreateInput> = ["1002", "1003", "1004"]
        .iter()
        .enumerate()
        .map(|(i, t)| CreateInput {
            object_write_trace_id: Some(format!("ticket-{t}-{i}")),
            ..mapping::new_activity(&activity(t, ActivityDetails::Note, &format!("note {t}")))
        })
        .collect();
    // The second names a ticket that does not exist.
    inputs[1].associations[0].to = ObjectId::new("999999");
    let out = c
        .batch_create_objects::<SimplePublicObject>("notes", &inputs)
        .await
        .unwrap();
    let traces: Vec<&str> = out
        .results()
        .map(|r| r.object_write_trace_id.as_deref().unwrap())
        .collect();
    assert_eq!(traces, ["ticket-1002-0", "ticket-1004-2"]);
    for r in out.results() {
        assert_schema("notes-v3.json", "SimplePublicObject", &json(r));
        let ticket = &r.object_write_trace_id.as_deref().unwrap()[7..11];
        let links = c.associations("notes", &r.id, "tickets").await.unwrap();
        assert_eq!(links[0].to_object_id, ticket);
    }
    let errors: Vec<&StandardError> = out.errors().collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].trace_ids(), ["ticket-1003-1"]);
    assert_eq!(errors[0].category, "VALIDATION_ERROR");
    assert_eq!(
        errors[0].context["INVALID_OBJECT_IDS"],
        ["TICKET=999999 is not valid"]
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn refused_creates_are_typed_errors_naming_what_is_wrong() {
    let (sb, c) = setup(10).await;
    let mut input = mapping::new_activity(&activity("1001", ActivityDetails::Note, "x"));
    input.properties.remove("hs_timestamp");
    let err = c
        .create_object::<SimplePublicObject>("notes", &input)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.category(), Some("VALIDATION_ERROR"));
    assert_eq!(err.field_errors()[0].0, "hs_timestamp");
    let mut input = mapping::new_activity(&activity("424242", ActivityDetails::Note, "x"));
    input.object_write_trace_id = None;
    let err = c
        .create_object::<SimplePublicObject>("notes", &input)
        .await
        .unwrap_err();
    assert_eq!(err.category(), Some("VALIDATION_ERROR"));
    assert!(err.summary().contains("associations are invalid"), "{err}");
    let ApiError::Http(h) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        h.context["INVALID_OBJECT_IDS"],
        ["TICKET=424242 is not valid"]
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn the_call_outcomes_come_from_the_properties_api() {
    let (sb, c) = setup(10).await;
    let property = c.property("calls", "hs_call_disposition").await.unwrap();
    assert_schema("properties-v3.json", "Property", &json(&property));
    let outcomes = mapping::call_outcomes(Some(property));
    let labels: Vec<&str> = outcomes.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Busy",
            "Connected",
            "Left live message",
            "Left voicemail",
            "No answer",
            "Wrong number"
        ]
    );
    assert_eq!(
        outcomes,
        mapping::call_outcomes(None),
        "the sandbox serves HubSpot's defaults"
    );
    // A call logged with one of them is accepted as is.
    let details = ActivityDetails::Call {
        title: String::new(),
        direction: CallDirection::Outbound,
        outcome: Some(outcomes[4].value.clone()),
        duration_ms: None,
    };
    let input = mapping::new_activity(&activity("1002", details, ""));
    let call: SimplePublicObject = c.create_object("calls", &input).await.unwrap();
    assert_eq!(
        call.property("hs_call_disposition"),
        Some(outcomes[4].value.as_str())
    );
    assert_eq!(ObjectKind::Call.api_name(), "calls");
    sb.shutdown().await;
}
