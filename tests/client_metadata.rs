//! The HubSpot client's metadata calls against the sandbox over real HTTP: property
//! definitions and groups, pipelines and stages, owners (paging, archived, by email).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::assert_schema;
use common::client::*;
use hubtix::hubspot::*;
use serde_json::json;

#[tokio::test]
async fn properties_and_groups() {
    let (sb, c) = setup(10).await;
    let props = c.properties("tickets").await.unwrap();
    let names: BTreeSet<&str> = props.iter().map(|p| p.name.as_str()).collect();
    for n in [
        "subject",
        "content",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hs_ticket_priority",
        "hubspot_owner_id",
        "external_ticket_ref",
        PINNED_ENGAGEMENT_PROPERTY,
    ] {
        assert!(names.contains(n), "{n} missing");
    }
    assert_eq!(names.len(), props.len(), "no duplicates");
    let prio = props
        .iter()
        .find(|p| p.name == "hs_ticket_priority")
        .unwrap();
    assert_eq!(prio.type_, "enumeration");
    let values: Vec<&str> = prio.options.iter().map(|o| o.value.as_str()).collect();
    assert!(
        values.contains(&"HIGH") && values.contains(&"LOW"),
        "{values:?}"
    );
    assert!(prio.is_writable());
    let id = props.iter().find(|p| p.name == "hs_object_id").unwrap();
    assert!(!id.is_writable(), "{id:?}");
    let ext = props
        .iter()
        .find(|p| p.name == "external_ticket_ref")
        .unwrap();
    assert!(ext.has_unique_value);
    assert!(
        !props
            .iter()
            .find(|p| p.name == "subject")
            .unwrap()
            .has_unique_value
    );
    assert_schema(
        "properties-v3.json",
        "CollectionResponsePropertyNoPaging",
        &json(&json!({"results": props})),
    );

    // One definition equals its entry in the list.
    let one = c.property("tickets", "hs_ticket_priority").await.unwrap();
    assert_eq!(&one, prio);
    assert_schema("properties-v3.json", "Property", &json(&one));
    let err = c.property("tickets", "no_such_prop").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    // Groups: every property's group exists.
    let groups = c.property_groups("tickets").await.unwrap();
    let gnames: BTreeSet<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    assert!(
        props.iter().all(|p| gnames.contains(p.group_name.as_str())),
        "{gnames:?}"
    );
    assert!(groups.iter().any(|g| g.label == "Ticket information"));
    assert_schema(
        "properties-v3.json",
        "CollectionResponsePropertyGroupNoPaging",
        &json(&json!({"results": groups})),
    );

    // Other object types, by name and by type id.
    let contact_props = c.properties("contacts").await.unwrap();
    assert!(contact_props.iter().any(|p| p.name == "email"));
    let by_type_id = c.properties("0-5").await.unwrap();
    assert_eq!(by_type_id, props);
    let err = c.properties("widgets").await.unwrap_err();
    assert!(matches!(err.status(), Some(400 | 404)), "{err:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn pipelines_and_stages() {
    let (sb, c) = setup(10).await;
    let pipelines = c.pipelines("tickets").await.unwrap();
    let ids: Vec<&str> = pipelines.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["0", "7458291"]);
    let support = &pipelines[0];
    assert_eq!(support.label, "Support Pipeline");
    assert_eq!(
        support.created_at,
        jiff::Timestamp::UNIX_EPOCH,
        "default pipelines: epoch 0"
    );
    let stages: Vec<(&str, bool)> = support
        .stages
        .iter()
        .map(|s| (s.id.as_str(), s.is_closed()))
        .collect();
    assert_eq!(
        stages,
        [("1", false), ("2", false), ("3", false), ("4", true)]
    );
    let esc = &pipelines[1];
    assert_eq!(esc.label, "Escalations");
    assert_eq!(esc.stages.len(), 4);
    assert!(esc.stages[3].is_closed());
    assert_eq!(
        esc.created_at,
        "2026-01-01T00:00:00Z".parse::<jiff::Timestamp>().unwrap()
    );
    assert_schema(
        "pipelines-v3.json",
        "CollectionResponsePipelineNoPaging",
        &json(&json!({"results": pipelines})),
    );

    let one = c.pipeline("tickets", "7458291").await.unwrap();
    assert_eq!(&one, esc);
    assert_schema("pipelines-v3.json", "Pipeline", &json(&one));
    let err = c.pipeline("tickets", "123").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");

    let deals = c.pipelines("deals").await.unwrap();
    assert_eq!(
        deals.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["default"]
    );
    assert!(deals[0].stages.iter().any(|s| s.id == "closedwon"));
    sb.shutdown().await;
}

#[tokio::test]
async fn owners_active_archived_and_by_email() {
    let (sb, c) = setup(10).await;
    let (owners, n) = requests_during(&sb, c.owners()).await;
    let owners = owners.unwrap();
    assert_eq!(n, 1, "12 owners fit one page of {OWNERS_PAGE_MAX}");
    let ids: Vec<String> = owners.iter().map(|o| o.id.clone()).collect();
    let mut expected = id_range(71_000_001, 71_000_012);
    expected.retain(|id| id != "71000010");
    assert_eq!(ids, expected, "Frank Rossi (71000010) is archived");
    assert!(owners.iter().all(|o| !o.archived));
    let queue = owners.iter().find(|o| o.type_ == "QUEUE").unwrap();
    assert_eq!(queue.id, "71000011");
    assert_eq!(queue.display_name(), "Tier 2 Queue");
    assert_schema(
        "owners-v3.json",
        "CollectionResponsePublicOwnerForwardPaging",
        &json(&json!({"results": owners})),
    );

    let archived = c.owners_page(None, true).await.unwrap();
    assert_eq!(archived.results.len(), 1);
    let frank = &archived.results[0];
    assert_eq!((frank.id.as_str(), frank.archived), ("71000010", true));
    assert_eq!(frank.display_name(), "Frank Rossi");
    assert_schema(
        "owners-v3.json",
        "CollectionResponsePublicOwnerForwardPaging",
        &json(&archived),
    );

    let taro = c
        .owners_by_email("taro.yamada@hubtix-demo.example.com")
        .await
        .unwrap();
    assert_eq!(taro.len(), 1);
    assert_eq!(taro[0].id, "71000002");
    assert_eq!(taro[0].display_name(), "太郎 山田");
    assert_eq!(taro[0].user_id, Some(9_000_002));
    assert!(!taro[0].teams.is_empty());
    assert_schema("owners-v3.json", "PublicOwner", &json(&taro[0]));
    assert!(
        c.owners_by_email("nobody@example.com")
            .await
            .unwrap()
            .is_empty()
    );

    // Owner ids are what tickets carry in hubspot_owner_id.
    let t = c
        .get_ticket("1001", &GetQuery::properties(&["hubspot_owner_id"]))
        .await
        .unwrap();
    let owner = t.property("hubspot_owner_id").unwrap();
    assert!(owners.iter().any(|o| o.id == owner), "{owner}");
    sb.shutdown().await;
}
