#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::app::tests::fixtures;
use crate::domain::PropertyDef;

fn catalog() -> Catalog {
    let mut c = Catalog::default();
    c.tz = TimeZone::UTC;
    let mut props = fixtures::properties();
    let mut closed: PropertyDef = props
        .iter()
        .find(|p| p.name == "createdate")
        .cloned()
        .unwrap();
    closed.name = "closed_date".into();
    closed.label = "Close date".into();
    props.push(closed);
    c.set_properties(props, fixtures::groups());
    c.set_pipelines(fixtures::pipelines());
    c.set_owners(fixtures::owners());
    c
}

/// A Wednesday.
fn now() -> Timestamp {
    "2026-11-25T15:30:00Z".parse().unwrap()
}

fn ctx(c: &Catalog) -> Context<'_> {
    Context {
        catalog: c,
        me: Some("11"),
        now: now(),
    }
}

fn ms(s: &str) -> String {
    s.parse::<Timestamp>().unwrap().as_millisecond().to_string()
}

fn json(c: &Compiled) -> serde_json::Value {
    serde_json::to_value(&c.filter_groups).unwrap()
}

#[test]
fn default_views_compile_to_the_queues_agents_work() {
    let c = catalog();
    let views = defaults();
    let names: Vec<&str> = views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Open",
            "Unassigned",
            "Mine",
            "Waiting on us",
            "Closed this week",
            "All tickets"
        ]
    );
    let open = compile(&views[0], ctx(&c)).unwrap();
    assert_eq!(
        json(&open),
        serde_json::json!([{"filters": [{"propertyName": "hs_pipeline_stage", "operator": "IN",
            "values": ["1", "2", "3", "7458292", "7458293"]}]}])
    );
    assert_eq!(
        serde_json::to_value(&open.sort).unwrap(),
        serde_json::json!({"propertyName": "createdate", "direction": "ASCENDING"})
    );
    let unassigned = compile(&views[1], ctx(&c)).unwrap();
    assert_eq!(
        json(&unassigned)[0]["filters"][1],
        serde_json::json!({"propertyName": "hubspot_owner_id", "operator": "NOT_HAS_PROPERTY"})
    );
    let mine = compile(&views[2], ctx(&c)).unwrap();
    assert_eq!(
        json(&mine)[0]["filters"][1],
        serde_json::json!({"propertyName": "hubspot_owner_id", "operator": "EQ", "value": "11"})
    );
    let waiting = compile(&views[3], ctx(&c)).unwrap();
    assert_eq!(
        json(&waiting)[0]["filters"][0]["values"],
        serde_json::json!(["3"])
    );
    let closed = compile(&views[4], ctx(&c)).unwrap();
    assert_eq!(
        json(&closed),
        serde_json::json!([{"filters": [
            {"propertyName": "hs_pipeline_stage", "operator": "IN", "values": ["4"]},
            {"propertyName": "closed_date", "operator": "GTE", "value": ms("2026-11-23T00:00:00Z")},
        ]}])
    );
    assert!(!views[5].is_search());
    assert!(views[..5].iter().all(View::is_search));
}

#[test]
fn me_without_config_is_explained() {
    let c = catalog();
    let mut cx = ctx(&c);
    cx.me = None;
    let err = compile(&defaults()[2], cx).unwrap_err();
    assert_eq!(err, CompileError::NoMe);
    assert!(err.to_string().contains("config.toml"));
}

#[test]
fn owner_me_or_unassigned_becomes_two_groups_with_the_rest_repeated() {
    let c = catalog();
    let v = View {
        name: "x".into(),
        pipeline: Some("0".into()),
        owners: vec![ME.into(), "12".into(), UNASSIGNED.into()],
        priorities: vec!["HIGH".into()],
        ..View::default()
    };
    let out = compile(&v, ctx(&c)).unwrap();
    assert_eq!(
        json(&out),
        serde_json::json!([
            {"filters": [
                {"propertyName": "hs_pipeline", "operator": "EQ", "value": "0"},
                {"propertyName": "hs_ticket_priority", "operator": "IN", "values": ["HIGH"]},
                {"propertyName": "hubspot_owner_id", "operator": "IN", "values": ["11", "12"]},
            ]},
            {"filters": [
                {"propertyName": "hs_pipeline", "operator": "EQ", "value": "0"},
                {"propertyName": "hs_ticket_priority", "operator": "IN", "values": ["HIGH"]},
                {"propertyName": "hubspot_owner_id", "operator": "NOT_HAS_PROPERTY"},
            ]},
        ])
    );
}

#[test]
fn stages_resolve_within_the_chosen_pipeline_and_unknown_ones_are_named() {
    let c = catalog();
    let mut v = View {
        name: "x".into(),
        pipeline: Some("7458291".into()),
        stages: vec![OPEN.into()],
        ..View::default()
    };
    let out = compile(&v, ctx(&c)).unwrap();
    assert_eq!(
        json(&out)[0]["filters"][1]["values"],
        serde_json::json!(["7458292", "7458293"])
    );
    v.stages = vec!["label:No such stage".into()];
    assert_eq!(
        compile(&v, ctx(&c)).unwrap_err(),
        CompileError::UnknownStage("label:No such stage".into())
    );
}

#[test]
fn conditions_by_group_are_ored_and_limits_are_explained() {
    let c = catalog();
    let cond = |p: &str, op, v: &str, g| Condition {
        group: g,
        ..Condition::new(p, op, v)
    };
    let mut v = View {
        name: "x".into(),
        query: "  printer  ".into(),
        conditions: vec![
            cond("subject", FilterOperator::ContainsToken, "fire", 1),
            cond("createdate", FilterOperator::Lte, "2026-11-01", 2),
        ],
        ..View::default()
    };
    let out = compile(&v, ctx(&c)).unwrap();
    assert_eq!(out.query.as_deref(), Some("printer"));
    assert_eq!(
        json(&out),
        serde_json::json!([
            {"filters": [{"propertyName": "subject", "operator": "CONTAINS_TOKEN", "value": "fire"}]},
            // "up to 2026-11-01" includes that whole day
            {"filters": [{"propertyName": "createdate", "operator": "LTE", "value": ms("2026-11-01T23:59:59.999Z")}]},
        ])
    );
    // 3 owner ways × 2 condition groups = 6 groups: one over HubSpot's 5.
    v.owners = vec!["12".into(), UNASSIGNED.into()];
    v.conditions
        .push(cond("subject", FilterOperator::HasProperty, "", 3));
    let err = compile(&v, ctx(&c)).unwrap_err();
    let CompileError::TooBig { groups, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*groups, 6);
    let msg = err.to_string();
    assert!(msg.contains("6 OR-groups (HubSpot allows 5)"), "{msg}");
    assert!(
        msg.contains("owner is someone or unassigned (2 ways)"),
        "{msg}"
    );
    assert!(msg.contains("3 condition OR-groups (3 ways)"), "{msg}");

    // Seven filters in one group.
    let mut wide = View {
        name: "w".into(),
        ..View::default()
    };
    for i in 0..7 {
        wide.conditions.push(cond(
            "subject",
            FilterOperator::NotContainsToken,
            &format!("w{i}"),
            1,
        ));
    }
    let msg = compile(&wide, ctx(&c)).unwrap_err().to_string();
    assert!(
        msg.contains("7 filters in one group (HubSpot allows 6)"),
        "{msg}"
    );
    wide.conditions.pop();
    assert!(compile(&wide, ctx(&c)).is_ok(), "6 in a group is fine");
}

#[test]
fn unknown_properties_missing_values_and_bad_dates_are_refused() {
    let c = catalog();
    let mut v = View {
        name: "x".into(),
        conditions: vec![Condition::new("no_such", FilterOperator::Eq, "1")],
        ..View::default()
    };
    assert_eq!(
        compile(&v, ctx(&c)).unwrap_err(),
        CompileError::UnknownProperty("no_such".into())
    );
    v.conditions = vec![Condition::new("subject", FilterOperator::Eq, " ")];
    assert_eq!(
        compile(&v, ctx(&c)).unwrap_err(),
        CompileError::MissingValue("subject".into())
    );
    v.conditions = vec![];
    v.modified.from = "last tuesday".into();
    assert!(matches!(
        compile(&v, ctx(&c)).unwrap_err(),
        CompileError::BadDate { .. }
    ));
    v.modified.from = String::new();
    v.sort = Some("nope desc".parse().unwrap());
    assert_eq!(
        compile(&v, ctx(&c)).unwrap_err(),
        CompileError::UnknownProperty("nope".into())
    );
}

#[test]
fn in_values_of_text_properties_are_lowercased_but_enumerations_are_not() {
    let c = catalog();
    let v = View {
        name: "x".into(),
        conditions: vec![
            Condition {
                values: vec!["Printer".into()],
                ..Condition::new("subject", FilterOperator::In, "")
            },
            Condition {
                values: vec!["BILLING_ISSUE".into()],
                ..Condition::new("hs_ticket_category", FilterOperator::NotIn, "")
            },
        ],
        ..View::default()
    };
    let out = json(&compile(&v, ctx(&c)).unwrap());
    assert_eq!(
        out[0]["filters"][0]["values"],
        serde_json::json!(["printer"])
    );
    assert_eq!(
        out[0]["filters"][1]["values"],
        serde_json::json!(["BILLING_ISSUE"])
    );
}

#[test]
fn dates_read_like_people_write_them() {
    let tz = TimeZone::get("Asia/Tokyo").unwrap();
    let n = now(); // 2026-11-26 00:30 in Tokyo (a Thursday)
    let at = |s: &str, e| parse_when(s, e, &tz, n).map(|t| t.to_string());
    assert_eq!(at("today", End::Start).unwrap(), "2026-11-25T15:00:00Z");
    assert_eq!(at("today", End::End).unwrap(), "2026-11-26T14:59:59.999Z");
    assert_eq!(at("this week", End::Start).unwrap(), "2026-11-22T15:00:00Z");
    assert_eq!(at("last week", End::Start).unwrap(), "2026-11-15T15:00:00Z");
    assert_eq!(
        at("this month", End::Start).unwrap(),
        "2026-10-31T15:00:00Z"
    );
    assert_eq!(
        at("last month", End::End).unwrap(),
        "2026-10-31T14:59:59.999Z"
    );
    assert_eq!(at("-7d", End::Start).unwrap(), "2026-11-18T15:30:00Z");
    assert_eq!(at("-2h", End::Start).unwrap(), "2026-11-25T13:30:00Z");
    assert_eq!(
        at("2026-11-01", End::Start).unwrap(),
        "2026-10-31T15:00:00Z"
    );
    assert_eq!(
        at("2026-11-01 09:15", End::Start).unwrap(),
        "2026-11-01T00:15:00Z"
    );
    assert_eq!(
        at("2026-11-01T09:15:00Z", End::End).unwrap(),
        "2026-11-01T09:15:00Z"
    );
    assert_eq!(
        at("1793491200000", End::Start).unwrap(),
        "2026-11-01T00:00:00Z"
    );
    // Ahead, for due dates.
    assert_eq!(at("tomorrow", End::Start).unwrap(), "2026-11-26T15:00:00Z");
    assert_eq!(
        at("tomorrow", End::End).unwrap(),
        "2026-11-27T14:59:59.999Z"
    );
    assert_eq!(at("in 3 days", End::End).unwrap(), "2026-11-28T15:30:00Z");
    assert_eq!(at("+3d", End::Start).unwrap(), "2026-11-28T15:30:00Z");
    assert_eq!(at("in 1 week", End::Start).unwrap(), "2026-12-02T15:30:00Z");
    assert_eq!(at("in 90 min", End::Start).unwrap(), "2026-11-25T17:00:00Z");
    for bad in [
        "",
        "soon",
        "-7",
        "-7y",
        "2026-13-01",
        "in",
        "in 3",
        "+3y",
        "in three days",
    ] {
        assert_eq!(at(bad, End::Start), None, "{bad}");
    }
}

#[test]
fn sort_reads_and_writes_as_one_string() {
    let s: SortSpec = "priority DESC".parse().unwrap();
    assert_eq!(
        s,
        SortSpec {
            property: "hs_ticket_priority".into(),
            descending: true
        }
    );
    assert_eq!(s.to_string(), "hs_ticket_priority desc");
    assert!("createdate sideways".parse::<SortSpec>().is_err());
    assert!("".parse::<SortSpec>().is_err());
}

#[test]
fn views_come_from_config_or_the_defaults_and_are_checked() {
    assert_eq!(from_config(None).unwrap(), defaults());
    let text = r#"
me = "alice@example.com"

[[views]]
name = "Billing, urgent first"
categories = ["BILLING_ISSUE"]
sort = "priority desc"
columns = ["id", "subject", "owner", "affected_users"]
modified = { from = "-7d" }

[[views.conditions]]
property = "affected_users"
operator = "GTE"
value = "10"
group = 2
"#;
    #[derive(Deserialize)]
    struct C {
        #[allow(dead_code)]
        me: String,
        views: Vec<View>,
    }
    let c: C = toml::from_str(text).unwrap();
    let views = from_config(Some(c.views)).unwrap();
    assert_eq!(views.len(), 1);
    let v = &views[0];
    assert_eq!(
        v.sort.as_ref().unwrap().to_string(),
        "hs_ticket_priority desc"
    );
    assert_eq!(v.modified.from, "-7d");
    assert_eq!(v.conditions[0].group, 2);
    assert_eq!(
        v.column_names(),
        [
            "hs_object_id",
            "subject",
            "hubspot_owner_id",
            "affected_users"
        ]
    );
    let dup = vec![View::all_tickets(), View::all_tickets()];
    assert!(from_config(Some(dup)).unwrap_err().contains("two views"));
    assert!(from_config(Some(vec![])).is_err());
    let typo: Result<View, _> = toml::from_str("name = \"x\"\nowner = [\"@me\"]");
    assert!(typo.is_err(), "unknown keys are refused");
}

#[test]
fn saving_keeps_the_rest_of_config_toml() {
    let text = "# my settings\nportal_id = \"42\" # the portal\n\n[keys.list]\nsearch = \"s\"\n";
    let mut views = defaults();
    views.push(View {
        name: "ACME".into(),
        query: "acme".into(),
        sort: Some("modified desc".parse().unwrap()),
        ..View::default()
    });
    let out = save_into_config(text, &views).unwrap();
    assert!(out.starts_with("# my settings\nportal_id = \"42\" # the portal\n"));
    assert!(out.contains("[keys.list]\nsearch = \"s\""));
    #[derive(Deserialize)]
    struct C {
        views: Vec<View>,
        portal_id: String,
    }
    let back: C = toml::from_str(&out).unwrap();
    assert_eq!(back.views, views);
    assert_eq!(back.portal_id, "42");
    // Saving again replaces, never duplicates.
    let again = save_into_config(&out, &views[..2]).unwrap();
    let back: C = toml::from_str(&again).unwrap();
    assert_eq!(back.views.len(), 2);
    assert!(save_into_config("not = [toml", &views).is_err());
}
