//! The HubSpot client's search, generic-object and association calls against the sandbox
//! over real HTTP: ticket search (filters, sort, free text incl. Japanese, paging),
//! contacts/companies/deals search, get/batch read of every object type the app shows, and
//! associations v4 (pages, labels, labelled and default associate, removal, batch read).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::assert_schema;
use common::client::*;
use futures_util::TryStreamExt;
use hubtix::hubspot::*;
use serde_json::{Value, json};

const T: &str = "tickets-v3.json";
const A4: &str = "associations-v4.json";

fn filter_search(filters: Vec<Filter>, properties: &[&str]) -> SearchRequest {
    SearchRequest {
        filter_groups: vec![FilterGroup { filters }],
        properties: strings(properties),
        ..SearchRequest::default()
    }
}

#[tokio::test]
async fn search_tickets_filters_sorts_queries_and_pages() {
    let (sb, c) = setup(250).await;

    // EQ on the pipeline: ids ≡ 6 (mod 7) are in the escalation pipeline.
    let expected: Vec<String> = (1001..=1250u64)
        .filter(|id| id % 7 == 6)
        .map(|id| id.to_string())
        .collect();
    let mut req = filter_search(
        vec![Filter::eq("hs_pipeline", "7458291")],
        &["hs_pipeline", "subject"],
    );
    req.sorts = vec![Sort {
        property_name: "hs_object_id".into(),
        direction: SortDirection::Ascending,
    }];
    req.limit = Some(10);
    let page = c.search_tickets(&req).await.unwrap();
    assert_eq!(page.total, expected.len() as u64);
    assert_eq!(ids_of(&page.results), expected[..10]);
    assert!(
        page.results
            .iter()
            .all(|t| t.property("hs_pipeline") == Some("7458291"))
    );
    assert!(
        page.results
            .iter()
            .all(|t| t.associations.is_none() && t.properties_with_history.is_none())
    );
    assert_eq!(page.next_after(), Some("10"));
    assert_schema(
        T,
        "CollectionResponseWithTotalSimplePublicObject",
        &json(&page),
    );

    // Paging with the cursor, then the stream through everything.
    let second = c
        .search_tickets(&SearchRequest {
            after: Some("10".into()),
            ..req.clone()
        })
        .await
        .unwrap();
    assert_eq!(ids_of(&second.results), expected[10..20]);
    let (pages, n) = requests_during(&sb, async {
        c.search_object_pages::<SimplePublicObject>(
            object_type::TICKETS,
            SearchRequest {
                limit: None,
                ..req.clone()
            },
        )
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
    })
    .await;
    assert_eq!(n, 1, "{} results fit one page of 200", expected.len());
    assert_eq!(ids_of(pages.iter().flat_map(|p| &p.results)), expected);
    let all: Vec<SearchPage<Value>> = c
        .search_object_pages(
            object_type::TICKETS,
            SearchRequest {
                limit: Some(60),
                ..SearchRequest::default()
            },
        )
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = all.iter().map(|p| p.results.len()).collect();
    assert_eq!(sizes, [60, 60, 60, 60, 10]);
    let ids: BTreeSet<&str> = all
        .iter()
        .flat_map(|p| &p.results)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 250);
    // The page size is clamped to 200.
    let big = c
        .search_tickets(&SearchRequest {
            limit: Some(1000),
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(big.results.len(), 200);
    assert_eq!(big.total, 250);

    // Sort: newest first.
    let newest = c
        .search_tickets(&SearchRequest {
            sorts: vec![Sort {
                property_name: "createdate".into(),
                direction: SortDirection::Descending,
            }],
            limit: Some(20),
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(newest.results[0].id, "1250");
    assert!(
        newest
            .results
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at)
    );

    // IN, NOT_HAS_PROPERTY and ORed groups.
    let urgent = c
        .search_tickets(&filter_search(
            vec![Filter::in_values(
                "hs_ticket_priority",
                strings(&["HIGH", "URGENT"]),
            )],
            &["hs_ticket_priority"],
        ))
        .await
        .unwrap();
    assert!(urgent.total > 0);
    assert!(
        urgent
            .results
            .iter()
            .all(|t| matches!(t.property("hs_ticket_priority"), Some("HIGH" | "URGENT")))
    );
    let no_ref = c
        .search_tickets(&SearchRequest {
            limit: Some(100),
            ..filter_search(
                vec![Filter::has_property("external_ticket_ref", false)],
                &[],
            )
        })
        .await
        .unwrap();
    assert_eq!(no_ref.total, 25);
    assert!(no_ref.results.iter().all(|t| t.id.ends_with('0')));
    let either = c
        .search_tickets(&SearchRequest {
            filter_groups: vec![
                FilterGroup {
                    filters: vec![Filter::eq("hs_object_id", "1001")],
                },
                FilterGroup {
                    filters: vec![Filter::eq("hs_object_id", "1002")],
                },
            ],
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(either.total, 2);
    assert_eq!(
        BTreeSet::from_iter(ids_of(&either.results)),
        BTreeSet::from(["1001".to_owned(), "1002".to_owned()])
    );

    // Free text, Japanese and English.
    let ja = c
        .search_tickets(&SearchRequest {
            query: Some("プリンター".into()),
            properties: strings(&["subject", "content"]),
            limit: Some(200),
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert!(
        ja.results.iter().any(|t| t.id == "1001"),
        "{:?}",
        ids_of(&ja.results)
    );
    for t in &ja.results {
        let text = format!(
            "{} {}",
            t.property("subject").unwrap_or(""),
            t.property("content").unwrap_or("")
        );
        assert!(text.contains("プリンター"), "{}: {text}", t.id);
    }
    let sso = c
        .search_tickets(&SearchRequest {
            query: Some("login sso".into()),
            properties: strings(&["subject"]),
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert!(
        sso.results
            .iter()
            .any(|t| t.id == "1002" && t.property("subject") == Some("Login fails on SSO"))
    );
    let none = c
        .search_tickets(&SearchRequest {
            query: Some("zzqx-no-such-word".into()),
            ..SearchRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (none.total, none.results.len(), none.next_after()),
        (0, 0, None)
    );

    // Archived tickets never match.
    let archived = c
        .search_tickets(&filter_search(
            vec![Filter::eq("hs_object_id", "900001")],
            &[],
        ))
        .await
        .unwrap();
    assert_eq!(archived.total, 0);

    // An unknown property: 400 naming it.
    let err = c
        .search_tickets(&filter_search(vec![Filter::eq("no_such_prop", "x")], &[]))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    assert_eq!(err.field_errors()[0].0, "no_such_prop");
    sb.shutdown().await;
}

#[tokio::test]
async fn search_contacts_companies_and_deals() {
    let (sb, c) = setup(20).await;

    // Contacts by email (exact) and by name (free text).
    let contact: SimplePublicObject = c
        .get_object(
            object_type::CONTACTS,
            "201",
            &GetQuery::properties(&["email", "firstname", "lastname"]),
        )
        .await
        .unwrap();
    let email = contact.property("email").unwrap().to_owned();
    let firstname = contact.property("firstname").unwrap().to_owned();
    let by_email: SearchPage<SimplePublicObject> = c
        .search_objects(
            object_type::CONTACTS,
            &filter_search(vec![Filter::eq("email", &email)], &["email"]),
        )
        .await
        .unwrap();
    assert_eq!(by_email.total, 1);
    assert_eq!(by_email.results[0].id, "201");
    assert_eq!(by_email.results[0].property("email"), Some(email.as_str()));
    assert_schema(
        "contacts-v3.json",
        "CollectionResponseWithTotalSimplePublicObject",
        &json(&by_email),
    );
    let by_name: SearchPage<SimplePublicObject> = c
        .search_objects(
            object_type::CONTACTS,
            &SearchRequest {
                query: Some(firstname.clone()),
                properties: strings(&["firstname"]),
                limit: Some(100),
                ..SearchRequest::default()
            },
        )
        .await
        .unwrap();
    assert!(by_name.results.iter().any(|r| r.id == "201"));
    let all_contacts: SearchPage<Value> = c
        .search_objects(object_type::CONTACTS, &SearchRequest::default())
        .await
        .unwrap();
    assert_eq!(all_contacts.total, 60);

    // Companies by domain and name.
    let company: SimplePublicObject = c
        .get_object(
            object_type::COMPANIES,
            "301",
            &GetQuery::properties(&["name", "domain"]),
        )
        .await
        .unwrap();
    let domain = company.property("domain").unwrap();
    let name = company.property("name").unwrap();
    let by_domain: SearchPage<SimplePublicObject> = c
        .search_objects(
            object_type::COMPANIES,
            &filter_search(vec![Filter::eq("domain", domain)], &["domain"]),
        )
        .await
        .unwrap();
    assert_eq!(ids_of(&by_domain.results), ["301"]);
    let by_name: SearchPage<SimplePublicObject> = c
        .search_objects(
            object_type::COMPANIES,
            &SearchRequest {
                query: Some(name.to_owned()),
                ..SearchRequest::default()
            },
        )
        .await
        .unwrap();
    assert!(by_name.results.iter().any(|r| r.id == "301"));
    assert_schema(
        "companies-v3.json",
        "CollectionResponseWithTotalSimplePublicObject",
        &json(&by_name),
    );

    // Deals by name; every one of the 20.
    let deal: SimplePublicObject = c
        .get_object(
            object_type::DEALS,
            "401",
            &GetQuery::properties(&["dealname", "amount"]),
        )
        .await
        .unwrap();
    let dealname = deal.property("dealname").unwrap();
    let by_dealname: SearchPage<SimplePublicObject> = c
        .search_objects(
            object_type::DEALS,
            &filter_search(vec![Filter::eq("dealname", dealname)], &["dealname"]),
        )
        .await
        .unwrap();
    assert!(by_dealname.results.iter().any(|r| r.id == "401"));
    assert!(
        by_dealname
            .results
            .iter()
            .all(|r| r.property("dealname") == Some(dealname))
    );
    let deals: SearchPage<SimplePublicObject> = c
        .search_objects(
            object_type::DEALS,
            &SearchRequest {
                limit: Some(100),
                ..SearchRequest::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        BTreeSet::from_iter(ids_of(&deals.results)),
        id_range(401, 420).into_iter().collect()
    );
    assert_schema(
        "deals-v3.json",
        "CollectionResponseWithTotalSimplePublicObject",
        &json(&deals),
    );
    sb.shutdown().await;
}

#[tokio::test]
async fn objects_of_every_shown_type_can_be_listed_read_and_batch_read() {
    let (sb, c) = setup(50).await;
    let cases: [(&str, &str, &[&str]); 8] = [
        (
            object_type::CONTACTS,
            "contacts-v3.json",
            &["firstname", "email"],
        ),
        (
            object_type::COMPANIES,
            "companies-v3.json",
            &["name", "domain"],
        ),
        (
            object_type::DEALS,
            "deals-v3.json",
            &["dealname", "dealstage"],
        ),
        (
            object_type::NOTES,
            "notes-v3.json",
            &["hs_note_body", "hs_timestamp"],
        ),
        (
            object_type::EMAILS,
            "emails-v3.json",
            &["hs_email_subject", "hs_email_direction"],
        ),
        (
            object_type::CALLS,
            "calls-v3.json",
            &["hs_call_title", "hs_call_duration"],
        ),
        (
            object_type::TASKS,
            "tasks-v3.json",
            &["hs_task_subject", "hs_task_status"],
        ),
        (
            object_type::MEETINGS,
            "meetings-v3.json",
            &["hs_meeting_title", "hs_meeting_start_time"],
        ),
    ];
    for (kind, spec, props) in cases {
        let pages: Vec<Page<SimplePublicObject>> = c
            .list_object_pages(
                kind,
                ListQuery {
                    properties: strings(props),
                    ..ListQuery::default()
                },
            )
            .try_collect()
            .await
            .unwrap();
        let all: Vec<&SimplePublicObject> = pages.iter().flat_map(|p| &p.results).collect();
        match kind {
            object_type::CONTACTS => assert_eq!(ids_of(all.iter().copied()), id_range(201, 260)),
            object_type::COMPANIES => assert_eq!(ids_of(all.iter().copied()), id_range(301, 325)),
            object_type::DEALS => assert_eq!(ids_of(all.iter().copied()), id_range(401, 420)),
            _ => assert!(
                all.iter()
                    .all(|r| r.id.parse::<u64>().unwrap() >= 5_000_001),
                "{kind}"
            ),
        }
        assert!(!all.is_empty(), "{kind}");
        assert_schema(
            spec,
            "CollectionResponseSimplePublicObjectWithAssociationsForwardPaging",
            &json(&pages[0]),
        );

        let first = all[0];
        let one: SimplePublicObject = c
            .get_object(
                kind,
                &first.id,
                &GetQuery {
                    properties: strings(props),
                    associations: strings(&["tickets"]),
                    ..GetQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(one.id, first.id);
        assert_eq!(one.property(props[0]), first.property(props[0]));
        assert!(
            one.property(props[0]).is_some(),
            "{kind} {} has {}",
            one.id,
            props[0]
        );
        assert_schema(spec, "SimplePublicObjectWithAssociations", &json(&one));
        let raw: Value = c
            .get_object(kind, &first.id, &GetQuery::properties(props))
            .await
            .unwrap();
        assert_eq!(raw["properties"][props[0]], json!(first.property(props[0])));

        let mut ids: Vec<String> = all.iter().take(3).map(|r| r.id.clone()).collect();
        ids.push("99".into());
        let out = c
            .batch_read_objects::<SimplePublicObject>(
                kind,
                &BatchReadQuery::new(ids.clone(), props),
            )
            .await
            .unwrap();
        assert_eq!(ids_of(out.results()), ids[..ids.len() - 1]);
        assert_eq!(out.errors().next().unwrap().ids(), ["99"], "{kind}");
        assert_schema(
            spec,
            "BatchResponseSimplePublicObjectWithErrors",
            &json(out.chunks[0].result.as_ref().unwrap()),
        );

        let err = c
            .get_object::<SimplePublicObject>(kind, "99", &GetQuery::default())
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "{kind}: {err:?}");
    }

    // Engagement ids are unique across kinds: an email id is not a note.
    let email_id = c.associations("tickets", "1001", "emails").await.unwrap();
    if let Some(e) = email_id.first() {
        let err = c
            .get_object::<SimplePublicObject>(
                object_type::NOTES,
                &e.to_object_id,
                &GetQuery::default(),
            )
            .await
            .unwrap_err();
        assert!(err.is_not_found());
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn association_pages_labels_and_batch_read() {
    let (sb, c) = setup(250).await;

    let page = c
        .associations_page("tickets", "1001", "contacts", None)
        .await
        .unwrap();
    assert!(!page.results.is_empty());
    assert_eq!(page.next_after(), None);
    assert!(
        page.results
            .iter()
            .all(|a| a.association_types.iter().any(|t| t.type_id == 16))
    );
    assert_schema(
        A4,
        "CollectionResponseMultiAssociatedObjectWithLabelForwardPaging",
        &json(&page),
    );

    // Company → tickets, and `after` resumes at a record.
    let mut busiest = (String::new(), Vec::new());
    for company in id_range(301, 325) {
        let tickets = c
            .associations("companies", &company, "tickets")
            .await
            .unwrap();
        if tickets.len() > busiest.1.len() {
            busiest = (company, tickets);
        }
    }
    let (company, tickets) = busiest;
    assert!(tickets.len() >= 3, "{tickets:?}");
    let from_third = c
        .associations_page(
            "companies",
            &company,
            "tickets",
            Some(&tickets[2].to_object_id),
        )
        .await
        .unwrap();
    assert_eq!(from_third.results, tickets[2..]);
    for a in &tickets {
        let back = c
            .associations("tickets", &a.to_object_id, "companies")
            .await
            .unwrap();
        assert!(back.iter().any(|b| b.to_object_id == company));
    }

    // Labels between tickets and companies: unlabeled 339 and "Primary" 26.
    let labels = c.association_labels("tickets", "companies").await.unwrap();
    let by_id: Vec<(u32, Option<&str>)> = labels
        .iter()
        .map(|l| (l.type_id, l.label.as_deref()))
        .collect();
    assert!(by_id.contains(&(339, None)), "{by_id:?}");
    assert!(by_id.contains(&(26, Some("Primary"))), "{by_id:?}");
    assert!(
        labels
            .iter()
            .all(|l| l.category == AssociationCategory::HubspotDefined)
    );
    assert_schema(
        "associations-schema-v4.json",
        "CollectionResponseAssociationSpecWithLabelNoPaging",
        &json(&json!({"results": labels})),
    );
    let contact_labels = c.association_labels("tickets", "contacts").await.unwrap();
    assert_eq!(
        contact_labels.iter().map(|l| l.type_id).collect::<Vec<_>>(),
        [16]
    );

    // Batch read: 1,001 ids are two requests; missing ids are reported.
    let mut ids = id_range(1001, 1003);
    ids.push("999999".into());
    let out = c
        .batch_read_associations("tickets", "contacts", &ids)
        .await
        .unwrap();
    for r in out.results() {
        let single: Vec<String> = c
            .associations("tickets", &r.from.id, "contacts")
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.to_object_id)
            .collect();
        assert_eq!(
            r.to.iter()
                .map(|a| a.to_object_id.clone())
                .collect::<Vec<_>>(),
            single,
            "{}",
            r.from.id
        );
    }
    let from: Vec<&str> = out.results().map(|r| r.from.id.as_str()).collect();
    assert_eq!(from, ["1001", "1002", "1003"]);
    assert_eq!(out.errors().next().unwrap().ids(), ["999999"]);
    assert_schema(
        A4,
        "BatchResponsePublicAssociationMultiWithLabelWithErrors",
        &json(out.chunks[0].result.as_ref().unwrap()),
    );
    let many = id_range(1001, 2001);
    let (out, n) = requests_during(&sb, c.batch_read_associations("tickets", "notes", &many)).await;
    let out = out.unwrap();
    assert_eq!(n, 2);
    assert_eq!(out.chunks.len(), 2);
    assert_eq!(out.results().count(), 250);
    assert_eq!(out.errors().flat_map(|e| e.ids()).count(), 751);
    sb.shutdown().await;
}

#[tokio::test]
async fn associate_relabel_and_remove() {
    let (sb, c) = setup(20).await;
    let types_of = |v: &[AssociatedObject], id: &str| -> BTreeSet<u32> {
        v.iter()
            .filter(|a| a.to_object_id == id)
            .flat_map(|a| a.association_types.iter().map(|t| t.type_id))
            .collect()
    };

    // Labelled: primary company (201 Created), which implies the unlabeled type.
    let (pair, n) = requests_during(
        &sb,
        c.associate(
            "tickets",
            "1002",
            "companies",
            "325",
            &[AssociationSpec::hubspot(
                association_types::TICKET_TO_PRIMARY_COMPANY,
            )],
        ),
    )
    .await;
    let pair = pair.unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        (
            pair.from_object_type_id.as_str(),
            pair.from_object_id.as_str(),
            pair.to_object_type_id.as_str(),
            pair.to_object_id.as_str()
        ),
        ("0-5", "1002", "0-2", "325")
    );
    assert_eq!(pair.labels, ["Primary"]);
    assert_schema(A4, "LabelsBetweenObjectPair", &json(&pair));
    let now = c
        .associations("tickets", "1002", "companies")
        .await
        .unwrap();
    assert_eq!(types_of(&now, "325"), BTreeSet::from([26, 339]));
    let back = c.associations("companies", "325", "tickets").await.unwrap();
    assert_eq!(types_of(&back, "1002"), BTreeSet::from([25, 340]));

    // Removing just the label keeps the unlabeled association.
    let out = c
        .remove_association_labels(
            "tickets",
            "companies",
            &[labels_input(
                "1002",
                "325",
                vec![AssociationSpec::hubspot(26)],
            )],
        )
        .await
        .unwrap();
    assert!(out.first_error().is_none());
    assert_eq!(out.chunks[0].ids, ["1002"]);
    let now = c
        .associations("tickets", "1002", "companies")
        .await
        .unwrap();
    assert_eq!(types_of(&now, "325"), BTreeSet::from([339]));

    // PUT replaces labels: primary again, then only unlabeled.
    c.associate(
        "tickets",
        "1002",
        "companies",
        "325",
        &[AssociationSpec::hubspot(26)],
    )
    .await
    .unwrap();
    let pair = c
        .associate(
            "tickets",
            "1002",
            "companies",
            "325",
            &[AssociationSpec::hubspot(339)],
        )
        .await
        .unwrap();
    assert!(pair.labels.is_empty(), "{pair:?}");
    assert_eq!(
        types_of(
            &c.associations("tickets", "1002", "companies")
                .await
                .unwrap(),
            "325"
        ),
        BTreeSet::from([339])
    );

    // Default association with a deal: both directions come back.
    let d = c
        .associate_default("tickets", "1002", "deals", "420")
        .await
        .unwrap();
    let specs: Vec<(String, String, u32)> = d
        .results
        .iter()
        .map(|r| {
            (
                r.from.id.clone(),
                r.to.id.clone(),
                r.association_spec.association_type_id,
            )
        })
        .collect();
    assert!(
        specs.contains(&(
            "1002".into(),
            "420".into(),
            association_types::TICKET_TO_DEAL
        )),
        "{specs:?}"
    );
    assert!(
        specs.contains(&(
            "420".into(),
            "1002".into(),
            association_types::DEAL_TO_TICKET
        )),
        "{specs:?}"
    );
    assert_eq!(d.status, "COMPLETE");
    assert_schema(A4, "BatchResponsePublicDefaultAssociation", &json(&d));
    assert_eq!(
        types_of(
            &c.associations("deals", "420", "tickets").await.unwrap(),
            "1002"
        ),
        BTreeSet::from([27])
    );

    // Remove every type between a pair (204).
    c.remove_association("tickets", "1002", "deals", "420")
        .await
        .unwrap();
    assert!(
        types_of(
            &c.associations("tickets", "1002", "deals").await.unwrap(),
            "420"
        )
        .is_empty()
    );
    c.remove_association("tickets", "1002", "companies", "325")
        .await
        .unwrap();
    assert!(
        types_of(
            &c.associations("tickets", "1002", "companies")
                .await
                .unwrap(),
            "325"
        )
        .is_empty()
    );

    // Removing the unlabeled type removes the labels too.
    c.associate(
        "tickets",
        "1003",
        "companies",
        "324",
        &[AssociationSpec::hubspot(26)],
    )
    .await
    .unwrap();
    c.remove_association_labels(
        "tickets",
        "companies",
        &[labels_input(
            "1003",
            "324",
            vec![AssociationSpec::hubspot(339)],
        )],
    )
    .await
    .unwrap();
    assert!(
        types_of(
            &c.associations("tickets", "1003", "companies")
                .await
                .unwrap(),
            "324"
        )
        .is_empty()
    );

    // Typed failures: invalid type for the pair (400), missing record (404).
    let err = c
        .associate(
            "tickets",
            "1002",
            "contacts",
            "201",
            &[AssociationSpec::hubspot(26)],
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    assert_eq!(err.category(), Some("VALIDATION_ERROR"));
    let err = c
        .associate(
            "tickets",
            "1002",
            "contacts",
            "299",
            &[AssociationSpec::hubspot(16)],
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = c
        .associate_default("tickets", "4242", "contacts", "201")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = c
        .remove_association("tickets", "4242", "contacts", "201")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let out = c
        .remove_association_labels(
            "tickets",
            "contacts",
            &[labels_input(
                "1002",
                "201",
                vec![AssociationSpec::hubspot(26)],
            )],
        )
        .await
        .unwrap();
    assert_eq!(out.first_error().and_then(ApiError::status), Some(400));
    sb.shutdown().await;
}
