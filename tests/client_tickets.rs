//! The HubSpot client's ticket calls against the sandbox over real HTTP: list and paging,
//! get (idProperty, history, associations), raw get, create, update, archive, batch
//! read/create/update/archive with chunking and 207 partial failures, pin/unpin, and the
//! 400/404/409 answers of writes. Records the client deserializes must re-serialize to JSON
//! that still matches HubSpot's OpenAPI schemas.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::assert_schema;
use common::client::*;
use futures_util::TryStreamExt;
use hubtix::hubspot::*;
use serde_json::Value;

const T: &str = "tickets-v3.json";

#[tokio::test]
async fn list_tickets_pages_through_everything_in_id_order() {
    let (sb, c) = setup(250).await;

    // One page with properties and associations.
    let q = ListQuery {
        limit: Some(5),
        properties: strings(&["subject", "hs_ticket_priority"]),
        associations: strings(&["contacts", "companies"]),
        ..ListQuery::default()
    };
    let page = c.list_tickets(&q).await.unwrap();
    assert_eq!(ids_of(&page.results), id_range(1001, 1005));
    assert_eq!(page.next_after(), Some("1006"));
    let first = &page.results[0];
    assert_eq!(first.property("subject"), Some("プリンターが燃えている"));
    assert_eq!(first.property("hs_ticket_priority"), Some("HIGH"));
    assert_eq!(first.property("content"), None, "not requested");
    assert!(!first.archived);
    let assoc = first.associations.as_ref().expect("associations requested");
    assert!(!assoc["contacts"].results.is_empty());
    assert!(
        assoc["companies"]
            .results
            .iter()
            .any(|a| a.type_ == "ticket_to_company"),
        "1001 has a primary company: {assoc:?}"
    );
    assert_schema(
        T,
        "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
        &json(&page),
    );

    // The next page continues at the cursor.
    let next = c
        .list_tickets(&ListQuery {
            after: page.next_after().map(str::to_owned),
            ..q.clone()
        })
        .await
        .unwrap();
    assert_eq!(ids_of(&next.results), id_range(1006, 1010));

    // Default page size is HubSpot's 10; a limit over 100 is clamped, not rejected.
    assert_eq!(
        c.list_tickets(&ListQuery::default())
            .await
            .unwrap()
            .results
            .len(),
        10
    );
    let big = c
        .list_tickets(&ListQuery {
            limit: Some(1000),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(big.results.len(), 100);

    // Everything: 100 + 100 + 50, three requests, every live ticket once, in order.
    let (pages, n) = requests_during(&sb, async {
        c.list_all_tickets(ListQuery::default())
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
    })
    .await;
    assert_eq!(n, 3);
    let sizes: Vec<usize> = pages.iter().map(|p| p.results.len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(pages[2].next_after(), None);
    let all: Vec<String> = pages.iter().flat_map(|p| ids_of(&p.results)).collect();
    assert_eq!(all, id_range(1001, 1250));

    // Raw JSON pages with history: 50 per page.
    let raw: Vec<Page<Value>> = c
        .list_object_pages(
            object_type::TICKETS,
            ListQuery {
                properties_with_history: strings(&["hs_pipeline_stage"]),
                ..ListQuery::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    assert_eq!(raw.len(), 5);
    assert!(raw.iter().all(|p| p.results.len() == 50));
    let r0 = &raw[0].results[0];
    assert_eq!(r0["id"], "1001");
    assert!(r0["propertiesWithHistory"]["hs_pipeline_stage"].is_array());
    assert_schema(
        T,
        "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
        &json(&raw[0]),
    );

    // Archived tickets only with archived=true: 250 / 100 = 2 of them.
    let archived = c
        .list_tickets(&ListQuery {
            archived: true,
            limit: Some(100),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(ids_of(&archived.results), ["900001", "900002"]);
    assert!(
        archived
            .results
            .iter()
            .all(|t| t.archived && t.archived_at.is_some())
    );
    assert_eq!(archived.next_after(), None);
    assert_schema(
        T,
        "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
        &json(&archived),
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn list_all_stops_at_the_first_error() {
    let (sb, c) = setup(250).await;
    let mut stream = Box::pin(c.list_all_tickets(ListQuery::default()));
    let first = stream.try_next().await.unwrap().expect("first page");
    assert_eq!(first.results.len(), 100);
    sb.faults().fail_next(1, 404);
    let err = stream.try_next().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(
        stream.try_next().await.unwrap().is_none(),
        "stream ends after an error"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn get_ticket_by_id_unique_property_with_history_and_associations() {
    let (sb, c) = setup(250).await;

    // idProperty: the unique external reference.
    let q = GetQuery {
        id_property: Some("external_ticket_ref".into()),
        properties: strings(&["subject", "external_ticket_ref"]),
        ..GetQuery::default()
    };
    let t = c.get_ticket("EXT-000123", &q).await.unwrap();
    assert_eq!(t.id, "1123");
    assert_eq!(t.property("external_ticket_ref"), Some("EXT-000123"));
    let err = c.get_ticket("EXT-999999", &q).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    // Ids ending in 0 have no reference.
    let err = c.get_ticket("EXT-000120", &q).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    // History, newest first, the head being the current value.
    let q = GetQuery {
        properties: strings(&["subject"]),
        properties_with_history: strings(&["hs_pipeline_stage", "hubspot_owner_id"]),
        associations: strings(&[
            "contacts",
            "companies",
            "notes",
            "emails",
            "calls",
            "tasks",
            "meetings",
        ]),
        ..GetQuery::default()
    };
    let mut saw_multi = false;
    for id in 1001..=1030 {
        let t = c.get_ticket(&id.to_string(), &q).await.unwrap();
        let hist = t
            .properties_with_history
            .as_ref()
            .expect("history requested");
        let stage = &hist["hs_pipeline_stage"];
        assert!(!stage.is_empty());
        assert_eq!(
            Some(stage[0].value.as_str()),
            t.property("hs_pipeline_stage")
        );
        assert!(
            stage.windows(2).all(|w| w[0].timestamp >= w[1].timestamp),
            "{id}: history not newest-first: {stage:?}"
        );
        saw_multi |= stage.len() > 1;
        assert!(stage.iter().all(|h| !h.source_type.is_empty()));
        assert_schema(T, "SimplePublicObjectWithAssociations", &json(&t));
    }
    assert!(saw_multi, "some ticket moved through stages");

    // Associations of 1001 agree with the v4 association reads: 4 engagements 5000001..=4.
    let t = c.get_ticket("1001", &q).await.unwrap();
    let assoc = t.associations.as_ref().expect("associations");
    let mut engagements = BTreeSet::new();
    for kind in ["notes", "emails", "calls", "tasks", "meetings"] {
        let v3: BTreeSet<String> = assoc
            .get(kind)
            .map(|a| a.results.iter().map(|r| r.id.clone()).collect())
            .unwrap_or_default();
        let v4: BTreeSet<String> = c
            .associations("tickets", "1001", kind)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.to_object_id)
            .collect();
        assert_eq!(v3, v4, "{kind}");
        engagements.extend(v4);
    }
    assert_eq!(
        engagements,
        id_range(5_000_001, 5_000_004).into_iter().collect()
    );
    assert_eq!(t.property("subject"), Some("プリンターが燃えている"));

    // Archived tickets: 404 unless archived=true.
    let err = c
        .get_ticket("900001", &GetQuery::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    let a = c
        .get_ticket(
            "900001",
            &GetQuery {
                archived: true,
                ..GetQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(a.archived);
    assert_schema(T, "SimplePublicObjectWithAssociations", &json(&a));
    sb.shutdown().await;
}

#[tokio::test]
async fn get_ticket_raw_is_what_the_sandbox_sent() {
    let (sb, c) = setup(20).await;
    let q = GetQuery {
        properties: strings(&["subject", "content"]),
        properties_with_history: strings(&["subject"]),
        associations: strings(&["contacts"]),
        ..GetQuery::default()
    };
    let raw = c.get_ticket_raw("1002", &q).await.unwrap();
    let typed = c.get_ticket("1002", &q).await.unwrap();
    assert_eq!(raw["id"], "1002");
    assert_eq!(raw["properties"]["subject"], "Login fails on SSO");
    assert_schema(T, "SimplePublicObjectWithAssociations", &raw);
    // Same record, both ways.
    let from_raw: SimplePublicObject = serde_json::from_value(raw.clone()).unwrap();
    assert_eq!(from_raw, typed);
    assert_eq!(raw["properties"], json(&typed)["properties"]);
    // Unusual ids are encoded into one path segment, not a different route.
    let err = c
        .get_ticket_raw("1002/associations", &GetQuery::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn create_update_archive_lifecycle() {
    let (sb, c) = setup(20).await;
    let input = CreateInput {
        properties: props(&[
            ("subject", "Client test: scanner jammed"),
            ("content", "It jams on every page."),
            ("hs_pipeline", "0"),
            ("hs_pipeline_stage", "1"),
            ("hs_ticket_priority", "MEDIUM"),
        ]),
        associations: vec![
            AssociationInput {
                to: ObjectId::new("201"),
                types: vec![AssociationSpec::hubspot(
                    association_types::TICKET_TO_CONTACT,
                )],
            },
            AssociationInput {
                to: ObjectId::new("301"),
                types: vec![AssociationSpec::hubspot(
                    association_types::TICKET_TO_PRIMARY_COMPANY,
                )],
            },
        ],
        object_write_trace_id: None,
    };
    let (created, n) = requests_during(&sb, c.create_ticket(&input)).await;
    let created = created.unwrap();
    assert_eq!(n, 1);
    assert_eq!(created.id, "1021", "next id after the seeded tickets");
    assert_eq!(
        created.property("subject"),
        Some("Client test: scanner jammed")
    );
    assert_eq!(created.property("hs_pipeline_stage"), Some("1"));
    assert_eq!(created.property("hs_object_source"), Some("API"));
    assert!(!created.archived);
    assert_schema(T, "SimplePublicObject", &json(&created));
    let id = created.id.clone();

    // Associations made at creation exist both ways.
    let contacts = c.associations("tickets", &id, "contacts").await.unwrap();
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].to_object_id, "201");
    assert_eq!(contacts[0].association_types[0].type_id, 16);
    let companies = c.associations("tickets", &id, "companies").await.unwrap();
    let types: BTreeSet<u32> = companies[0]
        .association_types
        .iter()
        .map(|t| t.type_id)
        .collect();
    assert_eq!(
        types,
        BTreeSet::from([26, 339]),
        "primary implies unlabeled"
    );
    let back = c.associations("contacts", "201", "tickets").await.unwrap();
    assert!(back.iter().any(|a| a.to_object_id == id));

    // PATCH only the given property; the history records the write as API.
    let hist_q = GetQuery {
        properties_with_history: strings(&["hs_ticket_priority", "subject"]),
        ..GetQuery::default()
    };
    let before = c.get_ticket(&id, &hist_q).await.unwrap();
    let updated = c
        .update_ticket(&id, &props(&[("hs_ticket_priority", "URGENT")]), None)
        .await
        .unwrap();
    assert_eq!(updated.property("hs_ticket_priority"), Some("URGENT"));
    assert_eq!(
        updated.property("subject"),
        Some("Client test: scanner jammed")
    );
    assert_eq!(updated.property("content"), Some("It jams on every page."));
    assert_schema(T, "SimplePublicObject", &json(&updated));
    let after = c.get_ticket(&id, &hist_q).await.unwrap();
    let h = &after.properties_with_history.as_ref().unwrap()["hs_ticket_priority"];
    assert_eq!(h.len(), 2, "{h:?}");
    assert_eq!(h[0].value, "URGENT");
    assert_eq!(h[0].source_type, "API");
    assert_eq!(h[1].value, "MEDIUM");
    assert!(h[0].timestamp >= h[1].timestamp);
    assert_eq!(
        after.properties_with_history.as_ref().unwrap()["subject"],
        before.properties_with_history.as_ref().unwrap()["subject"],
        "untouched properties gain no history"
    );
    assert!(after.updated_at >= before.updated_at);

    // Update by the unique property; "" clears a value.
    let by_ref = c
        .update_ticket(
            "EXT-000005",
            &props(&[("content", "")]),
            Some("external_ticket_ref"),
        )
        .await
        .unwrap();
    assert_eq!(by_ref.id, "1005");
    assert_eq!(by_ref.property("content"), None);

    // Archive: 204, then 404, visible with archived=true, a second archive is 404.
    let (r, n) = requests_during(&sb, c.archive_ticket(&id)).await;
    r.unwrap();
    assert_eq!(n, 1);
    let err = c.get_ticket(&id, &GetQuery::default()).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.category(), Some("OBJECT_NOT_FOUND"));
    let gone = c
        .get_ticket(
            &id,
            &GetQuery {
                archived: true,
                ..GetQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(gone.archived && gone.archived_at.is_some());
    let listed = c
        .list_tickets(&ListQuery {
            archived: true,
            limit: Some(100),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert!(listed.results.iter().any(|t| t.id == id));
    let err = c.archive_ticket(&id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = c
        .update_ticket(&id, &props(&[("subject", "x")]), None)
        .await
        .unwrap_err();
    assert!(
        err.is_not_found(),
        "archived tickets cannot be updated: {err:?}"
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn write_validation_errors_name_the_fields() {
    let (sb, c) = setup(20).await;

    // Unknown property and bad option in one PATCH: 400 with one field error each.
    let err = c
        .update_ticket(
            "1002",
            &props(&[
                ("no_such_prop", "x"),
                ("hs_ticket_priority", "SUPER_URGENT"),
            ]),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    assert_eq!(err.category(), Some("VALIDATION_ERROR"));
    assert!(!err.is_retryable());
    let fields = err.field_errors();
    let names: BTreeSet<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        BTreeSet::from(["hs_ticket_priority", "no_such_prop"])
    );
    let msg = &fields.iter().find(|(n, _)| n == "no_such_prop").unwrap().1;
    assert!(msg.contains("does not exist"), "{msg}");
    let ApiError::Http(h) = &err else {
        panic!("{err:?}")
    };
    assert!(h.correlation_id.as_deref().is_some_and(|c| c.len() == 36));
    assert!(
        h.errors
            .iter()
            .any(|e| e.code.as_deref() == Some("PROPERTY_DOESNT_EXIST"))
    );
    // Nothing was written.
    let t = c
        .get_ticket("1002", &GetQuery::properties(&["hs_ticket_priority"]))
        .await
        .unwrap();
    assert_ne!(t.property("hs_ticket_priority"), Some("SUPER_URGENT"));

    // Read-only and missing required properties on create.
    let err = c
        .create_ticket(&CreateInput {
            properties: props(&[("content", "no subject"), ("hs_object_id", "5")]),
            ..CreateInput::default()
        })
        .await
        .unwrap_err();
    let names: BTreeSet<String> = err.field_errors().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "hs_object_id".into(),
            "hs_pipeline_stage".into(),
            "subject".into()
        ]),
        "{err:?}"
    );

    // A stage of another pipeline.
    let err = c
        .update_ticket("1002", &props(&[("hs_pipeline_stage", "7458293")]), None)
        .await
        .unwrap_err();
    assert_eq!(err.field_errors()[0].0, "hs_pipeline_stage", "{err:?}");

    // Association to a missing record at creation: 400, nothing created.
    let err = c
        .create_ticket(&CreateInput {
            properties: props(&[("subject", "x"), ("hs_pipeline_stage", "1")]),
            associations: vec![AssociationInput {
                to: ObjectId::new("299"),
                types: vec![AssociationSpec::hubspot(16)],
            }],
            object_write_trace_id: None,
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    let list = c
        .list_tickets(&ListQuery {
            limit: Some(100),
            ..ListQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(list.results.len(), 20);

    // Unique clash: 409 naming the existing record.
    let err = c
        .update_ticket(
            "1124",
            &props(&[("external_ticket_ref", "EXT-000012")]),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        err.is_not_found(),
        "1124 does not exist with 20 tickets: {err:?}"
    );
    let err = c
        .update_ticket(
            "1013",
            &props(&[("external_ticket_ref", "EXT-000012")]),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409), "{err:?}");
    assert_eq!(err.category(), Some("CONFLICT"));
    assert!(err.to_string().contains("1012"), "{err}");
    let ApiError::Http(h) = &err else { panic!() };
    assert_eq!(h.context["existingId"], ["1012"]);
    // Setting its own value again is no clash.
    c.update_ticket(
        "1012",
        &props(&[("external_ticket_ref", "EXT-000012")]),
        None,
    )
    .await
    .unwrap();
    sb.shutdown().await;
}

#[tokio::test]
async fn batch_read_chunks_reports_missing_ids_and_reads_by_unique_property() {
    let (sb, c) = setup(250).await;
    let mut ids = id_range(1001, 1249);
    ids.push("424242".into());
    assert_eq!(ids.len(), 250);
    let q = BatchReadQuery::new(ids.clone(), &["subject"]);
    let (out, n) = requests_during(&sb, c.batch_read_tickets(&q)).await;
    let out = out.unwrap();
    assert_eq!(n, 3, "250 ids: 100 + 100 + 50");
    let ranges: Vec<_> = out.chunks.iter().map(|c| c.range.clone()).collect();
    assert_eq!(ranges, [0..100, 100..200, 200..250]);
    assert_eq!(out.chunks[2].ids, ids[200..250]);
    let got: BTreeSet<String> = out.results().map(|t| t.id.clone()).collect();
    assert_eq!(got, id_range(1001, 1249).into_iter().collect());
    assert!(out.results().all(|t| t.property("subject").is_some()));
    assert!(!out.is_complete_success());
    assert!(out.first_error().is_none());
    let errors: Vec<&StandardError> = out.errors().collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].category, "OBJECT_NOT_FOUND");
    assert_eq!(errors[0].ids(), ["424242"]);
    // The chunk with the missing id is the third (207), the others 200.
    let third = out.chunks[2].result.as_ref().unwrap();
    assert_eq!(third.num_errors, Some(1));
    assert_schema(T, "BatchResponseSimplePublicObjectWithErrors", &json(third));
    assert_schema(
        T,
        "BatchResponseSimplePublicObject",
        &json(out.chunks[0].result.as_ref().unwrap()),
    );

    // By unique property.
    let q = BatchReadQuery {
        id_property: Some("external_ticket_ref".into()),
        ..BatchReadQuery::new(
            strings(&["EXT-000123", "EXT-000124", "EXT-999999"]),
            &["external_ticket_ref"],
        )
    };
    let out = c.batch_read_tickets(&q).await.unwrap();
    let got: Vec<String> = out.results().map(|t| t.id.clone()).collect();
    assert_eq!(got, ["1123", "1124"]);
    assert_eq!(out.errors().next().unwrap().ids(), ["EXT-999999"]);

    // With history: chunks of 50.
    let q = BatchReadQuery {
        properties_with_history: strings(&["hs_pipeline_stage"]),
        ..BatchReadQuery::new(id_range(1001, 1120), &[])
    };
    let (out, n) = requests_during(&sb, c.batch_read_tickets(&q)).await;
    let out = out.unwrap();
    assert_eq!(n, 3);
    assert!(out.is_complete_success());
    assert_eq!(out.results().count(), 120);
    assert!(out.results().all(|t| t.properties_with_history.is_some()));

    // Archived records only with archived=true.
    let q = BatchReadQuery {
        archived: true,
        ..BatchReadQuery::new(strings(&["900001", "1001"]), &["subject"])
    };
    let out = c.batch_read_tickets(&q).await.unwrap();
    assert_eq!(ids_of(out.results()), ["900001"]);
    assert_eq!(out.errors().next().unwrap().ids(), ["1001"]);
    sb.shutdown().await;
}

fn new_ticket(subject: &str) -> CreateInput {
    CreateInput {
        properties: props(&[("subject", subject), ("hs_pipeline_stage", "1")]),
        ..CreateInput::default()
    }
}

#[tokio::test]
async fn batch_create_update_archive_chunk_by_100_and_map_partial_failures() {
    let (sb, c) = setup(20).await;

    // Create 150: two requests, 150 new tickets.
    let inputs: Vec<CreateInput> = (0..150).map(|i| new_ticket(&format!("bulk {i}"))).collect();
    let (out, n) = requests_during(&sb, c.batch_create_tickets(&inputs)).await;
    let out = out.unwrap();
    assert_eq!(n, 2);
    assert!(out.is_complete_success(), "{:?}", out.first_error());
    let ranges: Vec<_> = out.chunks.iter().map(|c| c.range.clone()).collect();
    assert_eq!(ranges, [0..100, 100..150]);
    let created: Vec<SimplePublicObject> = out.clone().into_results();
    assert_eq!(created.len(), 150);
    let new_ids: BTreeSet<String> = created.iter().map(|t| t.id.clone()).collect();
    assert_eq!(new_ids, id_range(1021, 1170).into_iter().collect());
    assert_schema(
        T,
        "BatchResponseSimplePublicObject",
        &json(out.chunks[0].result.as_ref().unwrap()),
    );

    // A bad input without trace ids fails its whole chunk (400), nothing of it is created;
    // the next chunk still goes.
    let mut inputs: Vec<CreateInput> = (0..101)
        .map(|i| new_ticket(&format!("second {i}")))
        .collect();
    inputs[7]
        .properties
        .insert("hs_ticket_priority".into(), "NOPE".into());
    let out = c.batch_create_tickets(&inputs).await.unwrap();
    assert_eq!(out.chunks.len(), 2);
    let (chunk, err) = out.failed_chunks().next().unwrap();
    assert_eq!(chunk.range, 0..100);
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.field_errors()[0].0, "hs_ticket_priority");
    assert_eq!(out.results().count(), 1);
    assert_eq!(
        out.results().next().unwrap().property("subject"),
        Some("second 100")
    );

    // With trace ids: 207, the failed input is identified by its trace id.
    let mut inputs: Vec<CreateInput> = (0..3)
        .map(|i| CreateInput {
            object_write_trace_id: Some(format!("trace-{i}")),
            ..new_ticket(&format!("traced {i}"))
        })
        .collect();
    inputs[1]
        .properties
        .insert("hs_ticket_priority".into(), "NOPE".into());
    let out = c.batch_create_tickets(&inputs).await.unwrap();
    assert!(out.first_error().is_none());
    assert_eq!(out.results().count(), 2);
    let errs: Vec<&StandardError> = out.errors().collect();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].category, "VALIDATION_ERROR");
    assert_eq!(errs[0].context["objectWriteTraceId"], ["trace-1"]);
    assert_eq!(
        errs[0].errors[0].context["propertyName"],
        ["hs_ticket_priority"]
    );
    let resp = out.chunks[0].result.as_ref().unwrap();
    assert_eq!(resp.num_errors, Some(1));
    assert_schema(T, "BatchResponseSimplePublicObjectWithErrors", &json(resp));

    // Update 120 (two requests), two of them missing: 207 naming exactly those.
    let mut ids = id_range(1001, 1118);
    ids.push("777777".into());
    ids.push("888888".into());
    let updates: Vec<UpdateInput> = ids
        .iter()
        .map(|id| UpdateInput {
            id: id.clone(),
            properties: props(&[("hs_ticket_priority", "LOW")]),
            ..UpdateInput::default()
        })
        .collect();
    let (out, n) = requests_during(&sb, c.batch_update_tickets(&updates)).await;
    let out = out.unwrap();
    assert_eq!(n, 2);
    assert_eq!(out.results().count(), 118);
    assert!(
        out.results()
            .all(|t| t.property("hs_ticket_priority") == Some("LOW"))
    );
    let missing: Vec<&str> = out
        .errors()
        .flat_map(|e| e.ids())
        .map(String::as_str)
        .collect();
    assert_eq!(missing, ["777777", "888888"]);
    assert_eq!(out.errors().next().unwrap().category, "OBJECT_NOT_FOUND");
    assert!(out.chunks[0].result.as_ref().unwrap().errors.is_empty());
    assert_eq!(out.chunks[1].ids, ids[100..]);
    assert_schema(
        T,
        "BatchResponseSimplePublicObjectWithErrors",
        &json(out.chunks[1].result.as_ref().unwrap()),
    );
    let t = c
        .get_ticket("1118", &GetQuery::properties(&["hs_ticket_priority"]))
        .await
        .unwrap();
    assert_eq!(t.property("hs_ticket_priority"), Some("LOW"));

    // Multi-status update: the invalid input is reported by id, the others are applied.
    let updates = vec![
        UpdateInput {
            id: "1001".into(),
            properties: props(&[("hs_ticket_priority", "MEDIUM")]),
            object_write_trace_id: Some("a".into()),
            ..UpdateInput::default()
        },
        UpdateInput {
            id: "1002".into(),
            properties: props(&[("hs_ticket_priority", "NOPE")]),
            object_write_trace_id: Some("b".into()),
            ..UpdateInput::default()
        },
    ];
    let out = c.batch_update_tickets(&updates).await.unwrap();
    assert_eq!(ids_of(out.results()), ["1001"]);
    let e = out.errors().next().unwrap();
    assert_eq!(e.ids(), ["1002"]);
    assert_eq!(e.category, "VALIDATION_ERROR");

    // Archive 120 (two requests, 204 each); then they are gone.
    let ids = id_range(1021, 1140);
    let (out, n) = requests_during(&sb, c.batch_archive_tickets(&ids)).await;
    let out = out.unwrap();
    assert_eq!(n, 2);
    assert!(out.first_error().is_none());
    assert_eq!(out.chunks.len(), 2);
    assert_eq!(out.chunks[1].ids, ids[100..]);
    for id in ["1021", "1100", "1140"] {
        let err = c.get_ticket(id, &GetQuery::default()).await.unwrap_err();
        assert!(err.is_not_found(), "{id}: {err:?}");
    }
    c.get_ticket("1141", &GetQuery::default()).await.unwrap();
    let all: Vec<Page<SimplePublicObject>> = c
        .list_all_tickets(ListQuery {
            archived: true,
            ..ListQuery::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.iter().map(|p| p.results.len()).sum::<usize>(), 120);
    sb.shutdown().await;
}

#[tokio::test]
async fn pin_an_associated_engagement_and_unpin() {
    let (sb, c) = setup(50).await;
    let q = GetQuery::properties(&[PINNED_ENGAGEMENT_PROPERTY]);
    let t = c.get_ticket("1001", &q).await.unwrap();
    assert_eq!(t.property(PINNED_ENGAGEMENT_PROPERTY), Some("5000001"));

    // Another engagement of 1001: fine.
    let pinned = c.pin_engagement("1001", "5000003").await.unwrap();
    assert_eq!(pinned.property(PINNED_ENGAGEMENT_PROPERTY), Some("5000003"));
    assert_eq!(
        c.get_ticket("1001", &q)
            .await
            .unwrap()
            .property(PINNED_ENGAGEMENT_PROPERTY),
        Some("5000003")
    );

    // 5000005 belongs to a later ticket: typed 400 naming the property; the pin is kept.
    let err = c.pin_engagement("1001", "5000005").await.unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    assert_eq!(err.category(), Some("VALIDATION_ERROR"));
    let fields = err.field_errors();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].0, PINNED_ENGAGEMENT_PROPERTY);
    assert!(fields[0].1.contains("not associated"), "{}", fields[0].1);
    let ApiError::Http(h) = &err else { panic!() };
    assert_eq!(
        h.errors[0].code.as_deref(),
        Some("INVALID_PINNED_ENGAGEMENT")
    );
    assert_eq!(
        c.get_ticket("1001", &q)
            .await
            .unwrap()
            .property(PINNED_ENGAGEMENT_PROPERTY),
        Some("5000003")
    );

    // Unpin clears it.
    let unpinned = c.unpin("1001").await.unwrap();
    assert_eq!(unpinned.property(PINNED_ENGAGEMENT_PROPERTY), None);
    let t = c
        .get_ticket(
            "1001",
            &GetQuery {
                properties_with_history: strings(&[PINNED_ENGAGEMENT_PROPERTY]),
                ..GetQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(t.property(PINNED_ENGAGEMENT_PROPERTY), None);
    let h = &t.properties_with_history.as_ref().unwrap()[PINNED_ENGAGEMENT_PROPERTY];
    let values: Vec<&str> = h.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(values, ["", "5000003", "5000001"]);
    assert_eq!(h[0].source_type, "API");
    let err = c.unpin("999999").await.unwrap_err();
    assert!(err.is_not_found());
    sb.shutdown().await;
}

#[tokio::test]
async fn merge_tickets_answers_with_the_survivor_under_its_new_id() {
    let (sb, c) = setup(5).await;
    let survivor = c.merge_tickets("1001", "1002").await.unwrap();
    assert_schema(T, "SimplePublicObject", &json(&survivor));
    assert!(
        survivor.id != "1001" && survivor.id != "1002",
        "{}",
        survivor.id
    );
    assert_eq!(survivor.property("hs_merged_object_ids"), Some("1001;1002"));
    // The old IDs read as the survivor.
    let read = c
        .get_ticket("1002", &GetQuery::properties(&["subject"]))
        .await
        .unwrap();
    assert_eq!(read.id, survivor.id);
    // Merging a ticket with itself, or one that no longer exists, is refused.
    let same = c.merge_tickets("1003", "1003").await.unwrap_err();
    assert_eq!(same.status(), Some(400), "{same:?}");
    let gone = c.merge_tickets("1003", "1002").await.unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
    sb.shutdown().await;
}
