//! The sandbox's ticket search over real HTTP: every operator on every property type tickets
//! use, OR-of-AND groups, limits and errors, paging and the 10,000-result cap with keyset
//! continuation, free-text `query`, sorts, and the 5-per-second search rate limit.
//!
//! Every expectation is computed independently from the full ticket list (`GET
//! /crm/v3/objects/tickets`, paged with `after`), never hard-coded; every 200 is validated
//! against `CollectionResponseWithTotalSimplePublicObject` and every error against `Error`.
//!
//! The semantics tests run with HubSpot's limits off (`start_unlimited`): each sends tens to
//! hundreds of searches back to back, which search's 5 per second would stretch to minutes
//! of waiting without testing anything more. The limit itself is tested here with limits on
//! (`search_is_limited_to_five_per_second_apart_from_the_burst_window`), and in
//! `sandbox_platform.rs` as the default.
#![allow(clippy::unwrap_used)]

mod common;

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use common::*;
use hubtix::sandbox::{RateLimit, SandboxConfig};
use serde_json::{Value, json};

const T: &str = "tickets-v3.json";
const PAGE: &str = "CollectionResponseWithTotalSimplePublicObject";
const DAY: i64 = 86_400_000;

/// Properties read by the independent listing.
const PROPS: &[&str] = &[
    "subject",
    "content",
    "hs_ticket_priority",
    "hs_pipeline",
    "hs_pipeline_stage",
    "hs_ticket_category",
    "hubspot_owner_id",
    "createdate",
    "hs_lastmodifieddate",
    "closed_date",
    "hs_is_closed",
    "affected_users",
    "affected_platforms",
    "is_vip",
    "hs_object_id",
    "hs_ticket_id",
];

// ------------------------------------------------------------------ helpers

#[derive(Debug, Clone)]
struct Ticket {
    id: u64,
    props: HashMap<String, String>,
    contacts: BTreeSet<u64>,
}

impl Ticket {
    fn p(&self, name: &str) -> Option<&str> {
        self.props.get(name).map(String::as_str)
    }
}

/// Every live ticket, from the list endpoint (not search), with its contacts.
async fn list_all(api: &Api, props: &[&str]) -> Vec<Ticket> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = format!(
            "/crm/v3/objects/tickets?limit=100&associations=contacts&properties={}",
            props.join(",")
        );
        if let Some(a) = &after {
            path.push_str(&format!("&after={a}"));
        }
        let r = api.get(&path).await;
        assert_eq!(r.status, 200, "{}", r.body);
        for t in r.body["results"].as_array().unwrap() {
            let props = t["properties"]
                .as_object()
                .unwrap()
                .iter()
                // Requested-but-empty properties are `null`: no value, as if absent.
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect();
            let contacts = t["associations"]["contacts"]["results"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|c| c["id"].as_str().unwrap().parse().unwrap())
                        .collect()
                })
                .unwrap_or_default();
            out.push(Ticket {
                id: t["id"].as_str().unwrap().parse().unwrap(),
                props,
                contacts,
            });
        }
        match r.body["paging"]["next"]["after"].as_str() {
            Some(a) => after = Some(a.to_owned()),
            None => break,
        }
    }
    out
}

/// One search call; a 200 is checked against the spec's page schema.
async fn search(api: &Api, body: Value) -> Resp {
    let r = api.post("/crm/v3/objects/tickets/search", body).await;
    if r.status == 200 {
        assert_schema(T, PAGE, &r.body);
        assert!(
            r.body["results"].as_array().unwrap().iter().all(
                |t| t.get("associations").is_none() && t.get("propertiesWithHistory").is_none()
            ),
            "search results carry no associations or history"
        );
    }
    r
}

/// A 400 VALIDATION_ERROR (shape checked against `Error`); returns its message.
async fn search_400(api: &Api, body: Value) -> String {
    let r = search(api, body.clone()).await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert!(
        r.header("x-hubspot-ratelimit-max").is_none(),
        "no rate-limit headers on search"
    );
    let msg = r.body["message"].as_str().unwrap().to_owned();
    assert!(!msg.is_empty(), "request {body}");
    msg
}

fn ids_of(r: &Resp) -> Vec<u64> {
    r.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// Pages through every result of `body` (limit 200) and returns (total, ids in order).
async fn all_ids(api: &Api, body: Value) -> (usize, Vec<u64>) {
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let mut b = body.clone();
        b["limit"] = json!(200);
        if let Some(a) = &after {
            b["after"] = json!(a);
        }
        let r = search(api, b).await;
        assert_eq!(r.status, 200, "request {body}: {}", r.body);
        let t = r.body["total"].as_u64().unwrap() as usize;
        assert_eq!(*total.get_or_insert(t), t, "total is stable across pages");
        ids.extend(ids_of(&r));
        match r.body["paging"]["next"]["after"].as_str() {
            Some(a) => {
                assert_eq!(a, ids.len().to_string(), "after is the offset");
                after = Some(a.to_owned());
            }
            None => break,
        }
    }
    let total = total.unwrap();
    assert_eq!(total, ids.len(), "total counts every result: {body}");
    (total, ids)
}

fn f(prop: &str, op: &str) -> Value {
    json!({"propertyName": prop, "operator": op})
}
fn fv(prop: &str, op: &str, value: &str) -> Value {
    json!({"propertyName": prop, "operator": op, "value": value})
}
fn fvs(prop: &str, op: &str, values: &[&str]) -> Value {
    json!({"propertyName": prop, "operator": op, "values": values})
}
fn fb(prop: &str, low: &str, high: &str) -> Value {
    json!({"propertyName": prop, "operator": "BETWEEN", "value": low, "highValue": high})
}
/// filterGroups with one group holding `filters`.
fn one(filters: &[Value]) -> Value {
    json!([{ "filters": filters }])
}

/// Searches with `groups` and asserts the result set is exactly the tickets `want` selects
/// from the independent listing. Returns how many matched.
async fn check(api: &Api, all: &[Ticket], groups: Value, want: impl Fn(&Ticket) -> bool) -> usize {
    let (_, got) = all_ids(api, json!({ "filterGroups": groups })).await;
    let got: BTreeSet<u64> = got.into_iter().collect();
    let expected: BTreeSet<u64> = all.iter().filter(|t| want(t)).map(|t| t.id).collect();
    let missing: Vec<_> = expected.difference(&got).take(5).collect();
    let extra: Vec<_> = got.difference(&expected).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "filterGroups {groups}: {} expected, {} returned; missing e.g. {missing:?}, unexpected e.g. {extra:?}",
        expected.len(),
        got.len()
    );
    expected.len()
}

/// [`check`] for a filter that must select some but not all tickets (so that it tests
/// something).
async fn check_some(
    api: &Api,
    all: &[Ticket],
    groups: Value,
    want: impl Fn(&Ticket) -> bool,
) -> usize {
    let n = check(api, all, groups.clone(), want).await;
    assert!(
        n > 0 && n < all.len(),
        "filterGroups {groups} should select some tickets, selected {n} of {}",
        all.len()
    );
    n
}

fn lc(s: &str) -> String {
    s.to_lowercase()
}
/// Epoch milliseconds of an epoch-ms string or an ISO timestamp.
fn ms(s: &str) -> i64 {
    s.parse::<i64>()
        .unwrap_or_else(|_| s.parse::<jiff::Timestamp>().unwrap().as_millisecond())
}
fn iso(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}
fn num(s: &str) -> f64 {
    s.parse().unwrap()
}
/// Values of a multi-select (checkbox) property.
fn parts(s: &str) -> Vec<&str> {
    s.split(';').collect()
}
/// Words of a text: lowercase runs of letters, digits and `_`.
fn words(s: &str) -> Vec<String> {
    s.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}
fn time_of(t: &Ticket, prop: &str) -> Option<i64> {
    t.p(prop).map(ms)
}
fn by_id(all: &[Ticket], id: u64) -> &Ticket {
    all.iter().find(|t| t.id == id).unwrap()
}

// ------------------------------------------------------------------ operators by type

#[tokio::test]
async fn string_operators_on_subject_and_content() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    assert_eq!(all.len(), 300);
    let subj = by_id(&all, 1002).p("subject").unwrap().to_owned();
    let other = all[150].p("subject").unwrap().to_owned();
    assert_ne!(subj, subj.to_lowercase(), "the subject has capitals");
    let s_eq = |t: &Ticket, v: &str| t.p("subject").is_some_and(|s| lc(s) == lc(v));

    // EQ / NEQ are case-insensitive on strings.
    let upper = subj.to_uppercase();
    let n = check_some(&api, &all, one(&[fv("subject", "EQ", &upper)]), |t| {
        s_eq(t, &upper)
    })
    .await;
    assert!(n >= 1 && s_eq(by_id(&all, 1002), &upper));
    check_some(&api, &all, one(&[fv("subject", "NEQ", &upper)]), |t| {
        !s_eq(t, &upper)
    })
    .await;
    // NEQ on content includes tickets without content (UNCONFIRMED choice, see search.rs).
    assert!(all.iter().any(|t| t.p("content").is_none()));
    let body = all
        .iter()
        .find_map(|t| t.p("content").filter(|c| c.is_ascii()))
        .unwrap()
        .to_owned();
    check_some(&api, &all, one(&[fv("content", "NEQ", &body)]), |t| {
        t.p("content").is_none_or(|c| lc(c) != lc(&body))
    })
    .await;

    // Ranges compare case-insensitively, character by character.
    let s = |t: &Ticket| t.p("subject").map(lc);
    check_some(&api, &all, one(&[fv("subject", "LT", "M")]), |t| {
        s(t).is_some_and(|v| v.as_str() < "m")
    })
    .await;
    check_some(&api, &all, one(&[fv("subject", "LTE", &other)]), |t| {
        s(t).is_some_and(|v| v <= lc(&other))
    })
    .await;
    check_some(&api, &all, one(&[fv("subject", "GT", "m")]), |t| {
        s(t).is_some_and(|v| v.as_str() > "m")
    })
    .await;
    check_some(&api, &all, one(&[fv("subject", "GTE", &other)]), |t| {
        s(t).is_some_and(|v| v >= lc(&other))
    })
    .await;
    check_some(&api, &all, one(&[fb("subject", "c", "P")]), |t| {
        s(t).is_some_and(|v| v.as_str() >= "c" && v.as_str() <= "p")
    })
    .await;

    // IN / NOT_IN: string values must be sent in lowercase (the record's value is
    // lowercased; the sent values are compared as they are).
    let lower = [lc(&subj), lc(&other)];
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let n = check_some(&api, &all, one(&[fvs("subject", "IN", &lower)]), |t| {
        t.p("subject")
            .is_some_and(|s| lower.contains(&lc(s).as_str()))
    })
    .await;
    assert!(n >= 2);
    let as_is = [subj.as_str()];
    let n = check(&api, &all, one(&[fvs("subject", "IN", &as_is)]), |t| {
        t.p("subject").is_some_and(|s| lc(s) == subj)
    })
    .await;
    assert_eq!(n, 0, "IN with capitals matches nothing");
    check_some(&api, &all, one(&[fvs("subject", "NOT_IN", &lower)]), |t| {
        t.p("subject")
            .is_none_or(|s| !lower.contains(&lc(s).as_str()))
    })
    .await;
    let lbody = [lc(&body)];
    let lbody: Vec<&str> = lbody.iter().map(String::as_str).collect();
    check_some(&api, &all, one(&[fvs("content", "NOT_IN", &lbody)]), |t| {
        t.p("content").is_none_or(|c| lc(c) != lbody[0])
    })
    .await;

    // HAS_PROPERTY / NOT_HAS_PROPERTY
    check_some(&api, &all, one(&[f("content", "HAS_PROPERTY")]), |t| {
        t.p("content").is_some()
    })
    .await;
    check_some(&api, &all, one(&[f("content", "NOT_HAS_PROPERTY")]), |t| {
        t.p("content").is_none()
    })
    .await;

    // CONTAINS_TOKEN: whole words, case-insensitive, `*` wildcards.
    let w = |t: &Ticket, p: &str| t.p(p).map(words).unwrap_or_default();
    check_some(
        &api,
        &all,
        one(&[fv("subject", "CONTAINS_TOKEN", "PRINTER")]),
        |t| w(t, "subject").iter().any(|x| x == "printer"),
    )
    .await;
    let n = check_some(
        &api,
        &all,
        one(&[fv("subject", "CONTAINS_TOKEN", "print*")]),
        |t| w(t, "subject").iter().any(|x| x.starts_with("print")),
    )
    .await;
    let exact = all
        .iter()
        .filter(|t| w(t, "subject").iter().any(|x| x == "print"))
        .count();
    assert!(n > exact, "the wildcard widens the match");
    check_some(
        &api,
        &all,
        one(&[fv("subject", "CONTAINS_TOKEN", "*port")]),
        |t| w(t, "subject").iter().any(|x| x.ends_with("port")),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fv("subject", "CONTAINS_TOKEN", "*OGI*")]),
        |t| w(t, "subject").iter().any(|x| x.contains("ogi")),
    )
    .await;
    // Hyphens separate words ("Two-factor codes arrive late").
    check_some(
        &api,
        &all,
        one(&[fv("subject", "CONTAINS_TOKEN", "factor")]),
        |t| w(t, "subject").iter().any(|x| x == "factor"),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fv("content", "CONTAINS_TOKEN", "sso")]),
        |t| w(t, "content").iter().any(|x| x == "sso"),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fv("subject", "NOT_CONTAINS_TOKEN", "login")]),
        |t| !w(t, "subject").iter().any(|x| x == "login"),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fv("content", "NOT_CONTAINS_TOKEN", "the")]),
        |t| !w(t, "content").iter().any(|x| x == "the"),
    )
    .await;
    // Japanese has no spaces between words: a Japanese token matches inside the text
    // (how HubSpot segments CJK text is UNCONFIRMED).
    let n = check_some(
        &api,
        &all,
        one(&[fv("subject", "CONTAINS_TOKEN", "プリンター")]),
        |t| t.p("subject").is_some_and(|s| s.contains("プリンター")),
    )
    .await;
    assert!(n >= 1);
    h.shutdown().await;
}

#[tokio::test]
async fn enumeration_operators_priority_stage_category_owner() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    let pr = |t: &Ticket| t.p("hs_ticket_priority").map(str::to_owned);
    assert!(all.iter().any(|t| pr(t).is_none()), "some have no priority");

    // EQ is case-sensitive on enumerations.
    check_some(
        &api,
        &all,
        one(&[fv("hs_ticket_priority", "EQ", "HIGH")]),
        |t| pr(t).as_deref() == Some("HIGH"),
    )
    .await;
    let n = check(
        &api,
        &all,
        one(&[fv("hs_ticket_priority", "EQ", "high")]),
        |t| pr(t).as_deref() == Some("high"),
    )
    .await;
    assert_eq!(n, 0);
    // NEQ / NOT_IN include tickets without a priority (UNCONFIRMED).
    check_some(
        &api,
        &all,
        one(&[fv("hs_ticket_priority", "NEQ", "HIGH")]),
        |t| pr(t).as_deref() != Some("HIGH"),
    )
    .await;
    let hu = ["HIGH", "URGENT"];
    check_some(
        &api,
        &all,
        one(&[fvs("hs_ticket_priority", "IN", &hu)]),
        |t| pr(t).is_some_and(|p| hu.contains(&p.as_str())),
    )
    .await;
    let n = check(
        &api,
        &all,
        one(&[fvs("hs_ticket_priority", "IN", &["high", "urgent"])]),
        |t| pr(t).is_some_and(|p| p == "high" || p == "urgent"),
    )
    .await;
    assert_eq!(n, 0, "enumeration IN is case-sensitive");
    check_some(
        &api,
        &all,
        one(&[fvs("hs_ticket_priority", "NOT_IN", &hu)]),
        |t| pr(t).is_none_or(|p| !hu.contains(&p.as_str())),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[f("hs_ticket_priority", "HAS_PROPERTY")]),
        |t| pr(t).is_some(),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[f("hs_ticket_priority", "NOT_HAS_PROPERTY")]),
        |t| pr(t).is_none(),
    )
    .await;

    // Pipeline stages.
    let st = |t: &Ticket| t.p("hs_pipeline_stage").unwrap().to_owned();
    check_some(
        &api,
        &all,
        one(&[fv("hs_pipeline_stage", "EQ", "1")]),
        |t| st(t) == "1",
    )
    .await;
    let open = ["1", "2", "3"];
    check_some(
        &api,
        &all,
        one(&[fvs("hs_pipeline_stage", "IN", &open)]),
        |t| open.contains(&st(t).as_str()),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fvs("hs_pipeline_stage", "NOT_IN", &open)]),
        |t| !open.contains(&st(t).as_str()),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fv("hs_pipeline_stage", "NEQ", "4")]),
        |t| st(t) != "4",
    )
    .await;

    // Category is a multi-select: EQ/IN match any of a ticket's values.
    let cat = |t: &Ticket| t.p("hs_ticket_category").map(str::to_owned);
    assert!(
        all.iter().any(|t| cat(t).is_some_and(|c| c.contains(';'))),
        "some tickets have two categories"
    );
    let has_cat = |t: &Ticket, v: &str| cat(t).is_some_and(|c| parts(&c).contains(&v));
    let n = check_some(
        &api,
        &all,
        one(&[fv("hs_ticket_category", "EQ", "BILLING_ISSUE")]),
        |t| has_cat(t, "BILLING_ISSUE"),
    )
    .await;
    let whole = all
        .iter()
        .filter(|t| cat(t).as_deref() == Some("BILLING_ISSUE"))
        .count();
    assert!(n > whole, "multi-valued tickets match too");
    check_some(
        &api,
        &all,
        one(&[fv("hs_ticket_category", "NEQ", "BILLING_ISSUE")]),
        |t| !has_cat(t, "BILLING_ISSUE"),
    )
    .await;
    let n = check(
        &api,
        &all,
        one(&[fv("hs_ticket_category", "EQ", "billing_issue")]),
        |t| has_cat(t, "billing_issue"),
    )
    .await;
    assert_eq!(n, 0);
    let bo = ["BILLING_ISSUE", "OTHER"];
    check_some(
        &api,
        &all,
        one(&[fvs("hs_ticket_category", "IN", &bo)]),
        |t| bo.iter().any(|v| has_cat(t, v)),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fvs("hs_ticket_category", "NOT_IN", &bo)]),
        |t| !bo.iter().any(|v| has_cat(t, v)),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[f("hs_ticket_category", "NOT_HAS_PROPERTY")]),
        |t| cat(t).is_none(),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fv("hs_ticket_category", "CONTAINS_TOKEN", "billing_issue")]),
        |t| has_cat(t, "BILLING_ISSUE"),
    )
    .await;
    // A custom checkbox property.
    let plat = |t: &Ticket, v: &str| {
        t.p("affected_platforms")
            .is_some_and(|c| parts(c).contains(&v))
    };
    check_some(
        &api,
        &all,
        one(&[fvs("affected_platforms", "IN", &["IOS", "ANDROID"])]),
        |t| plat(t, "IOS") || plat(t, "ANDROID"),
    )
    .await;

    // Owner: unassigned is NOT_HAS_PROPERTY.
    let owner = |t: &Ticket| t.p("hubspot_owner_id").map(str::to_owned);
    check_some(
        &api,
        &all,
        one(&[f("hubspot_owner_id", "NOT_HAS_PROPERTY")]),
        |t| owner(t).is_none(),
    )
    .await;
    let someone = all.iter().find_map(owner).unwrap();
    check_some(
        &api,
        &all,
        one(&[fv("hubspot_owner_id", "EQ", &someone)]),
        |t| owner(t).as_deref() == Some(someone.as_str()),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fv("hubspot_owner_id", "NEQ", &someone)]),
        |t| owner(t).as_deref() != Some(someone.as_str()),
    )
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn number_operators_compare_numerically() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    let au = |t: &Ticket| t.p("affected_users").map(num);
    // Values where text order and number order disagree ("99" > "100" as text).
    assert!(
        all.iter()
            .any(|t| au(t).is_some_and(|v| (11.0..100.0).contains(&v)))
    );
    assert!(all.iter().any(|t| t.p("affected_users").is_none()));
    let v = all
        .iter()
        .find_map(|t| t.p("affected_users"))
        .unwrap()
        .to_owned();
    let vn = num(&v);
    check_some(&api, &all, one(&[fv("affected_users", "EQ", &v)]), |t| {
        au(t) == Some(vn)
    })
    .await;
    check_some(&api, &all, one(&[fv("affected_users", "NEQ", &v)]), |t| {
        au(t) != Some(vn)
    })
    .await;
    for (op, cmp) in [
        ("LT", Ordering::is_lt as fn(Ordering) -> bool),
        ("LTE", Ordering::is_le),
        ("GT", Ordering::is_gt),
        ("GTE", Ordering::is_ge),
    ] {
        check_some(&api, &all, one(&[fv("affected_users", op, "100")]), |t| {
            au(t).is_some_and(|x| cmp(x.partial_cmp(&100.0).unwrap()))
        })
        .await;
    }
    check_some(&api, &all, one(&[fb("affected_users", "50", "150")]), |t| {
        au(t).is_some_and(|x| (50.0..=150.0).contains(&x))
    })
    .await;
    let two: Vec<String> = all
        .iter()
        .filter_map(|t| t.p("affected_users"))
        .take(2)
        .map(str::to_owned)
        .collect();
    let two: Vec<&str> = two.iter().map(String::as_str).collect();
    check_some(&api, &all, one(&[fvs("affected_users", "IN", &two)]), |t| {
        au(t).is_some_and(|x| two.iter().any(|w| num(w) == x))
    })
    .await;
    check_some(
        &api,
        &all,
        one(&[fvs("affected_users", "NOT_IN", &two)]),
        |t| au(t).is_none_or(|x| !two.iter().any(|w| num(w) == x)),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[f("affected_users", "HAS_PROPERTY")]),
        |t| au(t).is_some(),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[f("affected_users", "NOT_HAS_PROPERTY")]),
        |t| au(t).is_none(),
    )
    .await;

    // hs_object_id is a number: "999" < "1000" although not as text.
    let id = |t: &Ticket| num(t.p("hs_object_id").unwrap());
    let n = check(&api, &all, one(&[fv("hs_object_id", "LT", "999")]), |t| {
        id(t) < 999.0
    })
    .await;
    assert_eq!(n, 0, "no seeded ticket id is below 999");
    check_some(&api, &all, one(&[fv("hs_object_id", "GTE", "1100")]), |t| {
        id(t) >= 1100.0
    })
    .await;
    let n = check_some(
        &api,
        &all,
        one(&[fb("hs_object_id", "1010", "1019")]),
        |t| (1010.0..=1019.0).contains(&id(t)),
    )
    .await;
    assert_eq!(n, 10);
    check_some(
        &api,
        &all,
        one(&[fvs("hs_object_id", "IN", &["1001", "1300", "999"])]),
        |t| [1001.0, 1300.0].contains(&id(t)),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fvs("hs_object_id", "NOT_IN", &["1001", "1300"])]),
        |t| ![1001.0, 1300.0].contains(&id(t)),
    )
    .await;
    check_some(&api, &all, one(&[fv("hs_ticket_id", "EQ", "1042")]), |t| {
        t.p("hs_ticket_id") == Some("1042")
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn datetime_operators_take_epoch_ms_and_iso() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    let cd = |t: &Ticket| time_of(t, "createdate");
    let c = cd(&all[150]).unwrap();
    let c2 = cd(&all[40]).unwrap();
    // Each cut point in three spellings: epoch ms, ISO with ms, ISO without ms.
    let second = c / 1000 * 1000;
    for (value, at) in [(c.to_string(), c), (iso(c), c), (iso(second), second)] {
        let n = check(&api, &all, one(&[fv("createdate", "EQ", &value)]), |t| {
            cd(t) == Some(at)
        })
        .await;
        assert!(
            n >= 1 || at != c,
            "EQ {value} finds the ticket it was taken from"
        );
        check(&api, &all, one(&[fv("createdate", "NEQ", &value)]), |t| {
            cd(t) != Some(at)
        })
        .await;
        check_some(&api, &all, one(&[fv("createdate", "LT", &value)]), |t| {
            cd(t).is_some_and(|x| x < at)
        })
        .await;
        check_some(&api, &all, one(&[fv("createdate", "LTE", &value)]), |t| {
            cd(t).is_some_and(|x| x <= at)
        })
        .await;
        check_some(&api, &all, one(&[fv("createdate", "GT", &value)]), |t| {
            cd(t).is_some_and(|x| x > at)
        })
        .await;
        check_some(&api, &all, one(&[fv("createdate", "GTE", &value)]), |t| {
            cd(t).is_some_and(|x| x >= at)
        })
        .await;
    }
    // BETWEEN mixing spellings; a date-only ISO value is midnight UTC.
    let (lo, hi) = (c2.min(c), c2.max(c));
    check_some(
        &api,
        &all,
        one(&[fb("createdate", &lo.to_string(), &iso(hi))]),
        |t| cd(t).is_some_and(|x| (lo..=hi).contains(&x)),
    )
    .await;
    let day = iso(c)[..10].to_owned();
    let midnight = c / DAY * DAY;
    check_some(&api, &all, one(&[fv("createdate", "GTE", &day)]), |t| {
        cd(t).is_some_and(|x| x >= midnight)
    })
    .await;
    let pair = [c.to_string(), iso(c2)];
    let pair: Vec<&str> = pair.iter().map(String::as_str).collect();
    let n = check_some(&api, &all, one(&[fvs("createdate", "IN", &pair)]), |t| {
        cd(t).is_some_and(|x| x == c || x == c2)
    })
    .await;
    assert!(n >= 2);
    check_some(
        &api,
        &all,
        one(&[fvs("createdate", "NOT_IN", &pair)]),
        |t| cd(t).is_none_or(|x| x != c && x != c2),
    )
    .await;

    // hs_lastmodifieddate: "modified in the 7 days before the newest change".
    let lm = |t: &Ticket| time_of(t, "hs_lastmodifieddate");
    let newest = all.iter().filter_map(lm).max().unwrap();
    let week = newest - 7 * DAY;
    check_some(
        &api,
        &all,
        one(&[fv("hs_lastmodifieddate", "GTE", &week.to_string())]),
        |t| lm(t).is_some_and(|x| x >= week),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fb("hs_lastmodifieddate", &iso(week - 30 * DAY), &iso(week))]),
        |t| lm(t).is_some_and(|x| x >= week - 30 * DAY && x <= week),
    )
    .await;

    // closed_date: only closed tickets have one.
    let cl = |t: &Ticket| time_of(t, "closed_date");
    assert!(all.iter().any(|t| cl(t).is_none()));
    check_some(&api, &all, one(&[f("closed_date", "HAS_PROPERTY")]), |t| {
        cl(t).is_some()
    })
    .await;
    check_some(
        &api,
        &all,
        one(&[f("closed_date", "NOT_HAS_PROPERTY")]),
        |t| cl(t).is_none(),
    )
    .await;
    let mid = {
        let mut v: Vec<i64> = all.iter().filter_map(cl).collect();
        v.sort_unstable();
        v[v.len() / 2]
    };
    check_some(
        &api,
        &all,
        one(&[fv("closed_date", "GTE", &iso(mid))]),
        |t| cl(t).is_some_and(|x| x >= mid),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fv("closed_date", "LT", &mid.to_string())]),
        |t| cl(t).is_some_and(|x| x < mid),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fv("closed_date", "NEQ", &mid.to_string())]),
        |t| cl(t) != Some(mid),
    )
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn bool_operators() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    let closed = |t: &Ticket| t.p("hs_is_closed").map(str::to_owned);
    check_some(&api, &all, one(&[fv("hs_is_closed", "EQ", "true")]), |t| {
        closed(t).as_deref() == Some("true")
    })
    .await;
    check_some(&api, &all, one(&[fv("hs_is_closed", "EQ", "false")]), |t| {
        closed(t).as_deref() == Some("false")
    })
    .await;
    check_some(&api, &all, one(&[fv("hs_is_closed", "NEQ", "true")]), |t| {
        closed(t).as_deref() != Some("true")
    })
    .await;
    check_some(
        &api,
        &all,
        one(&[fvs("hs_is_closed", "IN", &["true"])]),
        |t| closed(t).as_deref() == Some("true"),
    )
    .await;
    // Closed tickets are the ones in a closed stage with a close date.
    check(
        &api,
        &all,
        one(&[
            fv("hs_is_closed", "EQ", "true"),
            f("closed_date", "NOT_HAS_PROPERTY"),
        ]),
        |t| closed(t).as_deref() == Some("true") && t.p("closed_date").is_none(),
    )
    .await;
    let vip = |t: &Ticket| t.p("is_vip").map(str::to_owned);
    assert!(all.iter().any(|t| vip(t).is_none()));
    check_some(&api, &all, one(&[fv("is_vip", "EQ", "true")]), |t| {
        vip(t).as_deref() == Some("true")
    })
    .await;
    check_some(&api, &all, one(&[fv("is_vip", "NEQ", "true")]), |t| {
        vip(t).as_deref() != Some("true")
    })
    .await;
    check_some(&api, &all, one(&[f("is_vip", "NOT_HAS_PROPERTY")]), |t| {
        vip(t).is_none()
    })
    .await;
    h.shutdown().await;
}

#[tokio::test]
async fn association_pseudo_property_contact() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    let x = *by_id(&all, 1001).contacts.iter().next().unwrap();
    let y = all
        .iter()
        .flat_map(|t| t.contacts.iter().copied())
        .find(|c| *c != x)
        .unwrap();
    let (xs, ys) = (x.to_string(), y.to_string());
    let n = check_some(
        &api,
        &all,
        one(&[fv("associations.contact", "EQ", &xs)]),
        |t| t.contacts.contains(&x),
    )
    .await;
    assert!(n >= 1);
    check_some(
        &api,
        &all,
        one(&[fv("associations.contact", "NEQ", &xs)]),
        |t| !t.contacts.contains(&x),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fvs("associations.contact", "IN", &[&xs, &ys])]),
        |t| t.contacts.contains(&x) || t.contacts.contains(&y),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[fvs("associations.contact", "NOT_IN", &[&xs, &ys])]),
        |t| !t.contacts.contains(&x) && !t.contacts.contains(&y),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[f("associations.contact", "HAS_PROPERTY")]),
        |t| !t.contacts.is_empty(),
    )
    .await;
    check_some(
        &api,
        &all,
        one(&[f("associations.contact", "NOT_HAS_PROPERTY")]),
        |t| t.contacts.is_empty(),
    )
    .await;
    // Combined with a property filter in the same group.
    check(
        &api,
        &all,
        one(&[
            fv("associations.contact", "EQ", &xs),
            fv("hs_ticket_priority", "EQ", "HIGH"),
        ]),
        |t| t.contacts.contains(&x) && t.p("hs_ticket_priority") == Some("HIGH"),
    )
    .await;
    h.shutdown().await;
}

// ------------------------------------------------------------------ groups

#[tokio::test]
async fn or_of_and_groups_and_empty_groups() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    let a = |t: &Ticket| {
        t.p("hs_ticket_priority")
            .is_some_and(|p| p == "HIGH" || p == "URGENT")
    };
    let b = |t: &Ticket| t.p("hs_pipeline_stage") == Some("1");
    let c = |t: &Ticket| t.p("hubspot_owner_id").is_none();
    let fa = fvs("hs_ticket_priority", "IN", &["HIGH", "URGENT"]);
    let fb_ = fv("hs_pipeline_stage", "EQ", "1");
    let fc = f("hubspot_owner_id", "NOT_HAS_PROPERTY");
    // (A AND B) OR C
    let groups = json!([{"filters": [fa, fb_]}, {"filters": [fc]}]);
    let n = check_some(&api, &all, groups, |t| (a(t) && b(t)) || c(t)).await;
    let ab = all.iter().filter(|t| a(t) && b(t)).count();
    let cc = all.iter().filter(|t| c(t)).count();
    assert!(n > ab && n > cc, "the union is larger than each group");
    // Five groups, one of them ANDing six filters.
    let six = json!([
        fv("hs_pipeline", "EQ", "0"),
        f("subject", "HAS_PROPERTY"),
        fv("hs_object_id", "GT", "1000"),
        fvs("hs_pipeline_stage", "NOT_IN", &["4"]),
        fv("hs_is_closed", "EQ", "false"),
        fv("hs_ticket_priority", "NEQ", "LOW"),
    ]);
    let groups = json!([
        {"filters": six},
        {"filters": [fv("hs_ticket_priority", "EQ", "URGENT")]},
        {"filters": [fv("affected_users", "GT", "400")]},
        {"filters": [fv("is_vip", "EQ", "true"), fv("hs_is_closed", "EQ", "true")]},
        {"filters": [fv("hs_ticket_category", "EQ", "OTHER")]},
    ]);
    check_some(&api, &all, groups, |t| {
        let p = |n: &str| t.p(n);
        (p("hs_pipeline") == Some("0")
            && p("subject").is_some()
            && t.id > 1000
            && p("hs_pipeline_stage") != Some("4")
            && p("hs_is_closed") == Some("false")
            && p("hs_ticket_priority") != Some("LOW"))
            || p("hs_ticket_priority") == Some("URGENT")
            || p("affected_users").is_some_and(|v| num(v) > 400.0)
            || (p("is_vip") == Some("true") && p("hs_is_closed") == Some("true"))
            || p("hs_ticket_category").is_some_and(|v| parts(v).contains(&"OTHER"))
    })
    .await;

    // No groups at all, or no filterGroups key: every ticket.
    assert_eq!(check(&api, &all, json!([]), |_| true).await, all.len());
    let (total, _) = all_ids(&api, json!({})).await;
    assert_eq!(total, all.len());
    // A group without filters matches everything (UNCONFIRMED, see search.rs) — also when
    // ORed with a narrower group, and in the `[{}]` spelling.
    assert_eq!(
        check(&api, &all, json!([{"filters": []}]), |_| true).await,
        all.len()
    );
    assert_eq!(check(&api, &all, json!([{}]), |_| true).await, all.len());
    assert_eq!(
        check(
            &api,
            &all,
            json!([{"filters": [fv("hs_ticket_priority", "EQ", "HIGH")]}, {"filters": []}]),
            |_| true
        )
        .await,
        all.len()
    );
    h.shutdown().await;
}

// ------------------------------------------------------------------ limits and errors

#[tokio::test]
async fn filter_limits_and_invalid_requests_are_400() {
    let h = start_unlimited(50).await;
    let api = Api::new(&h);
    let eq = fv("hs_object_id", "GT", "0");
    let group = |n: usize| json!({ "filters": vec![eq.clone(); n] });
    // 5 groups, 6 filters in a group and 18 in total are fine.
    for groups in [
        json!(vec![group(1); 5]),
        json!([group(6)]),
        json!(vec![group(6); 3]),
    ] {
        let r = search(&api, json!({ "filterGroups": groups })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["total"], 50);
    }
    // One more of each is a VALIDATION_ERROR naming the limit.
    let m = search_400(&api, json!({"filterGroups": vec![group(1); 6]})).await;
    assert!(m.contains("group") && m.contains('5'), "{m}");
    let m = search_400(&api, json!({"filterGroups": [group(7)]})).await;
    assert!(m.contains("filter") && m.contains('6'), "{m}");
    let m = search_400(
        &api,
        json!({"filterGroups": [group(6), group(6), group(6), group(1)]}),
    )
    .await;
    assert!(m.contains("18"), "{m}");

    // Unknown property: the message and the error detail name it.
    let r = search(
        &api,
        json!({"filterGroups": one(&[fv("no_such_prop", "EQ", "1")])}),
    )
    .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    assert!(r.body["message"].as_str().unwrap().contains("no_such_prop"));
    assert_eq!(r.body["errors"][0]["code"], "PROPERTY_DOESNT_EXIST");
    assert_eq!(
        r.body["errors"][0]["context"]["propertyName"],
        json!(["no_such_prop"])
    );
    let m = search_400(
        &api,
        json!({"sorts": [{"propertyName": "no_such_prop", "direction": "ASCENDING"}]}),
    )
    .await;
    assert!(m.contains("no_such_prop"), "{m}");
    // Unknown or misspelled operators (operators are case-sensitive), and no operator.
    for op in ["LIKE", "eq", "CONTAINS"] {
        let m = search_400(
            &api,
            json!({"filterGroups": one(&[fv("subject", op, "x")])}),
        )
        .await;
        assert!(m.contains(op), "{m}");
    }
    search_400(
        &api,
        json!({"filterGroups": [{"filters": [{"propertyName": "subject", "value": "x"}]}]}),
    )
    .await;
    search_400(
        &api,
        json!({"filterGroups": [{"filters": [{"operator": "EQ", "value": "x"}]}]}),
    )
    .await;
    // Operators without the values they need.
    for filter in [
        f("subject", "EQ"),
        f("createdate", "GT"),
        f("subject", "CONTAINS_TOKEN"),
        json!({"propertyName": "createdate", "operator": "BETWEEN", "value": "1"}),
        f("hs_ticket_priority", "IN"),
        fvs("hs_ticket_priority", "NOT_IN", &[]),
        f("associations.contact", "EQ"),
    ] {
        let m = search_400(
            &api,
            json!({"filterGroups": one(std::slice::from_ref(&filter))}),
        )
        .await;
        assert!(m.contains(filter["propertyName"].as_str().unwrap()), "{m}");
    }
    // Values that are not numbers or dates for number/date properties.
    for filter in [
        fv("affected_users", "GT", "many"),
        fv("createdate", "GTE", "last tuesday"),
        fb("hs_object_id", "1001", "x"),
        fvs("closed_date", "IN", &["soon"]),
    ] {
        search_400(
            &api,
            json!({"filterGroups": one(std::slice::from_ref(&filter))}),
        )
        .await;
    }
    // Association filters: unknown object type, operators that make no sense there.
    search_400(
        &api,
        json!({"filterGroups": one(&[fv("associations.widget", "EQ", "1")])}),
    )
    .await;
    search_400(
        &api,
        json!({"filterGroups": one(&[fv("associations.contact", "GT", "1")])}),
    )
    .await;
    // Query too long.
    let m = search_400(&api, json!({"query": "x".repeat(3001)})).await;
    assert!(m.contains("3000"), "{m}");
    let r = search(&api, json!({"query": "x".repeat(3000)})).await;
    assert_eq!(r.status, 200);
    h.shutdown().await;
}

// ------------------------------------------------------------------ paging

#[tokio::test]
async fn limit_and_offset_paging() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    // Default order: createdate ascending, ties by id.
    let mut by_created: Vec<&Ticket> = all.iter().collect();
    by_created.sort_by_key(|t| (time_of(t, "createdate"), t.id));
    let expected: Vec<u64> = by_created.iter().map(|t| t.id).collect();

    // Default limit is 10.
    let r = search(&api, json!({})).await;
    assert_eq!(ids_of(&r), expected[..10]);
    assert_eq!(r.body["total"], 300);
    assert_eq!(r.body["paging"]["next"]["after"], "10");
    // limit 0: only the total (UNCONFIRMED: HubSpot may reject 0).
    let r = search(&api, json!({"limit": 0})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["total"], 300);
    assert!(ids_of(&r).is_empty());
    assert!(r.body.get("paging").is_none());
    // limit 200 is the maximum.
    let r = search(&api, json!({"limit": 200})).await;
    assert_eq!(ids_of(&r), expected[..200]);
    assert_eq!(r.body["paging"]["next"]["after"], "200");
    for bad in [json!(201), json!(-1), json!("lots")] {
        let m = search_400(&api, json!({ "limit": bad })).await;
        assert!(m.contains("limit"), "{m}");
    }
    // Paging by 7: every `after` is the offset; no paging on the last page.
    let mut got = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut body = json!({"limit": 7, "properties": ["subject"]});
        if let Some(a) = &after {
            body["after"] = json!(a);
        }
        let r = search(&api, body).await;
        assert_eq!(r.status, 200);
        let page = ids_of(&r);
        got.extend(page.iter().copied());
        match r.body["paging"]["next"]["after"].as_str() {
            Some(a) => {
                assert_eq!(page.len(), 7);
                assert_eq!(a, got.len().to_string());
                assert!(
                    r.body["paging"]["next"]["link"]
                        .as_str()
                        .unwrap()
                        .contains(a)
                );
                after = Some(a.to_owned());
            }
            None => {
                assert_eq!(page.len(), 300 % 7);
                break;
            }
        }
    }
    assert_eq!(got, expected);
    // A numeric `after` works too; past the end is an empty page.
    let r = search(&api, json!({"limit": 5, "after": 295})).await;
    assert_eq!(ids_of(&r), expected[295..]);
    assert!(r.body.get("paging").is_none());
    let r = search(&api, json!({"limit": 5, "after": "300"})).await;
    assert!(ids_of(&r).is_empty());
    assert_eq!(r.body["total"], 300);
    assert!(r.body.get("paging").is_none());
    search_400(&api, json!({"after": "abc"})).await;
    search_400(&api, json!({"after": "-5"})).await;
    // The requested properties come back, plus the always-present ones.
    let r = search(
        &api,
        json!({"limit": 1, "properties": ["subject", "hs_ticket_priority"]}),
    )
    .await;
    let props = r.body["results"][0]["properties"].as_object().unwrap();
    let first = by_id(&all, expected[0]);
    assert_eq!(props["subject"].as_str(), first.p("subject"));
    assert!(!props.contains_key("content"), "not requested");
    for p in ["createdate", "hs_lastmodifieddate", "hs_object_id"] {
        assert!(props.contains_key(p), "{p}");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn ten_thousand_cap_and_keyset_continuation() {
    let h = start_unlimited(10_050).await;
    let api = Api::new(&h);
    let listed = list_all(&api, &["hs_object_id"]).await;
    assert_eq!(listed.len(), 10_050);
    let mut expected: Vec<u64> = listed.iter().map(|t| t.id).collect();
    expected.sort_unstable();
    let by_id_asc = json!([{"propertyName": "hs_object_id", "direction": "ASCENDING"}]);

    // Offset paging up to the cap; `total` stays the true count.
    let mut got = Vec::new();
    let mut after = "0".to_owned();
    let mut last_next = None;
    while got.len() < 10_000 {
        let r = search(
            &api,
            json!({"sorts": by_id_asc, "limit": 200, "after": after, "properties": ["subject"]}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["total"], 10_050);
        got.extend(ids_of(&r));
        last_next = r.body["paging"]["next"]["after"]
            .as_str()
            .map(str::to_owned);
        after = last_next.clone().unwrap();
    }
    assert_eq!(got.len(), 10_000);
    assert_eq!(last_next.as_deref(), Some("10000"));
    assert_eq!(got, expected[..10_000]);
    // The 10,001st result is out of reach by offset.
    let m = search_400(&api, json!({"sorts": by_id_asc, "after": "10000"})).await;
    assert!(m.contains("10000") || m.contains("10,000"), "{m}");
    // A page that would cross the cap stops at it.
    let r = search(
        &api,
        json!({"sorts": by_id_asc, "limit": 200, "after": "9990"}),
    )
    .await;
    assert_eq!(ids_of(&r), expected[9_990..10_000]);
    assert_eq!(r.body["paging"]["next"]["after"], "10000");
    assert_eq!(r.body["total"], 10_050);

    // Keyset continuation: same sort, plus hs_object_id GT the last id seen.
    let last = got.last().unwrap().to_string();
    let (total, rest) = all_ids(
        &api,
        json!({"sorts": by_id_asc, "filterGroups": one(&[fv("hs_object_id", "GT", &last)])}),
    )
    .await;
    assert_eq!(total, 50);
    got.extend(rest);
    assert_eq!(
        got, expected,
        "offset pages then keyset pages give every id once"
    );

    // Numeric order crosses 9999 → 10000 in both directions.
    assert!(expected.contains(&9_999) && expected.contains(&10_000));
    let r = search(
        &api,
        json!({"sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}],
               "limit": 3, "filterGroups": one(&[fb("hs_object_id", "9998", "10001")])}),
    )
    .await;
    let want: Vec<u64> = expected
        .iter()
        .rev()
        .copied()
        .filter(|id| (9_998..=10_001).contains(id))
        .take(3)
        .collect();
    assert_eq!(want.len(), 3);
    assert_eq!(ids_of(&r), want);
    let r = search(
        &api,
        json!({"sorts": [{"propertyName": "hs_object_id", "direction": "DESCENDING"}], "limit": 1}),
    )
    .await;
    assert_eq!(ids_of(&r), vec![*expected.last().unwrap()]);
    h.shutdown().await;
}

// ------------------------------------------------------------------ query

/// The tickets free-text `query` should find: every term occurs, case-insensitively, in one
/// of the default searchable properties.
fn query_hits(all: &[Ticket], query: &str) -> BTreeSet<u64> {
    let terms: Vec<String> = query.split_whitespace().map(lc).collect();
    all.iter()
        .filter(|t| {
            let vals: Vec<String> = [
                "subject",
                "content",
                "hs_pipeline_stage",
                "hs_ticket_category",
                "hs_ticket_id",
            ]
            .iter()
            .filter_map(|p| t.p(p).map(lc))
            .collect();
            terms
                .iter()
                .all(|term| vals.iter().any(|v| v.contains(term.as_str())))
        })
        .map(|t| t.id)
        .collect()
}

async fn query_ids(api: &Api, body: Value) -> BTreeSet<u64> {
    all_ids(api, body).await.1.into_iter().collect()
}

#[tokio::test]
async fn free_text_query() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    // Japanese.
    let got = query_ids(&api, json!({"query": "プリンター"})).await;
    assert!(got.contains(&1001));
    assert_eq!(got, query_hits(&all, "プリンター"));
    // Case-insensitive.
    let upper = query_ids(&api, json!({"query": "PRINTER"})).await;
    let lower = query_ids(&api, json!({"query": "printer"})).await;
    assert!(!upper.is_empty());
    assert_eq!(upper, lower);
    assert_eq!(upper, query_hits(&all, "printer"));
    // Several terms are ANDed.
    let both = query_ids(&api, json!({"query": "login  SSO"})).await;
    assert!(both.contains(&1002));
    assert_eq!(both, query_hits(&all, "login sso"));
    let both = query_ids(&api, json!({"query": "printer UPDATE"})).await;
    let printer = query_ids(&api, json!({"query": "printer"})).await;
    let update = query_ids(&api, json!({"query": "update"})).await;
    assert!(!both.is_empty());
    assert_eq!(both, query_hits(&all, "printer update"));
    assert_eq!(both, printer.intersection(&update).copied().collect());
    assert!(
        both.len() < printer.len() && both.len() < update.len(),
        "AND, not OR"
    );
    // query AND filterGroups.
    let hu = fvs("hs_ticket_priority", "IN", &["HIGH", "URGENT"]);
    let got = query_ids(
        &api,
        json!({"query": "printer", "filterGroups": one(std::slice::from_ref(&hu))}),
    )
    .await;
    let want: BTreeSet<u64> = query_hits(&all, "printer")
        .into_iter()
        .filter(|id| {
            by_id(&all, *id)
                .p("hs_ticket_priority")
                .is_some_and(|p| p == "HIGH" || p == "URGENT")
        })
        .collect();
    assert_eq!(got, want);
    assert!(!want.is_empty() && want.len() < upper.len());
    // Ticket id and category are searchable too; blank queries match everything.
    assert!(
        query_ids(&api, json!({"query": "1042"}))
            .await
            .contains(&1042)
    );
    assert_eq!(
        query_ids(&api, json!({"query": "billing_issue"})).await,
        query_hits(&all, "billing_issue")
    );
    assert_eq!(query_ids(&api, json!({"query": "  "})).await.len(), 300);
    let r = search(&api, json!({"query": "zzqqxxnothing"})).await;
    assert_eq!(r.body["total"], 0);
    assert!(r.body.get("paging").is_none());
    h.shutdown().await;
}

// ------------------------------------------------------------------ sorts

#[derive(Clone, Copy)]
enum Cmp {
    Time,
    Number,
    /// Case-insensitive text.
    Text,
    /// Internal values, alphabetically (enumerations).
    Raw,
}

/// The order the sandbox should give: by the property (missing values last in both
/// directions), ties by ascending id.
fn expected_order(all: &[Ticket], prop: &str, cmp: Cmp, desc: bool) -> Vec<u64> {
    let key = |t: &Ticket| t.p(prop).map(str::to_owned);
    let mut v: Vec<&Ticket> = all.iter().collect();
    v.sort_by(|a, b| {
        let o = match (key(a), key(b)) {
            (Some(x), Some(y)) => {
                let o = match cmp {
                    Cmp::Time => ms(&x).cmp(&ms(&y)),
                    Cmp::Number => num(&x).partial_cmp(&num(&y)).unwrap(),
                    Cmp::Text => lc(&x).cmp(&lc(&y)),
                    Cmp::Raw => x.cmp(&y),
                };
                if desc { o.reverse() } else { o }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        o.then(a.id.cmp(&b.id))
    });
    v.into_iter().map(|t| t.id).collect()
}

#[tokio::test]
async fn sorts_both_directions_missing_last_ties_by_id() {
    let h = start_unlimited(300).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    for (prop, cmp) in [
        ("createdate", Cmp::Time),
        ("hs_lastmodifieddate", Cmp::Time),
        ("closed_date", Cmp::Time),
        ("hs_ticket_priority", Cmp::Raw),
        ("hs_pipeline_stage", Cmp::Raw),
        ("subject", Cmp::Text),
        ("hs_object_id", Cmp::Number),
        ("affected_users", Cmp::Number),
    ] {
        for (dir, desc) in [("ASCENDING", false), ("DESCENDING", true)] {
            let (_, got) = all_ids(
                &api,
                json!({"sorts": [{"propertyName": prop, "direction": dir}]}),
            )
            .await;
            assert_eq!(
                got,
                expected_order(&all, prop, cmp, desc),
                "sorted by {prop} {dir}"
            );
        }
    }
    // The cases above matter: ties, and tickets without the sort value.
    for p in ["closed_date", "hs_ticket_priority", "affected_users"] {
        assert!(
            all.iter().any(|t| t.p(p).is_none()),
            "{p} missing somewhere"
        );
    }
    // Enumerations sort by internal value, alphabetically (UNCONFIRMED vs displayOrder):
    // HIGH, LOW, MEDIUM, URGENT, then tickets without a priority.
    let (_, got) = all_ids(
        &api,
        json!({"sorts": [{"propertyName": "hs_ticket_priority", "direction": "ASCENDING"}]}),
    )
    .await;
    let mut seen: Vec<Option<&str>> = got
        .iter()
        .map(|id| by_id(&all, *id).p("hs_ticket_priority"))
        .collect();
    seen.dedup();
    let mut values: Vec<&str> = all
        .iter()
        .filter_map(|t| t.p("hs_ticket_priority"))
        .collect();
    values.sort_unstable();
    values.dedup();
    let mut want: Vec<Option<&str>> = values.into_iter().map(Some).collect();
    want.push(None);
    assert_eq!(seen, want);
    // Without sorts: createdate ascending. A direction defaults to ASCENDING.
    let (_, got) = all_ids(&api, json!({})).await;
    assert_eq!(got, expected_order(&all, "createdate", Cmp::Time, false));
    let (_, got) = all_ids(&api, json!({"sorts": [{"propertyName": "subject"}]})).await;
    assert_eq!(got, expected_order(&all, "subject", Cmp::Text, false));
    // Only one sort rule applies: the first (UNCONFIRMED what HubSpot does with more).
    let (_, got) = all_ids(
        &api,
        json!({"sorts": [{"propertyName": "subject", "direction": "DESCENDING"},
                         {"propertyName": "createdate", "direction": "DESCENDING"}]}),
    )
    .await;
    assert_eq!(got, expected_order(&all, "subject", Cmp::Text, true));
    // Sorting and filtering together.
    let (_, got) = all_ids(
        &api,
        json!({"filterGroups": one(&[fv("hs_ticket_priority", "EQ", "HIGH")]),
               "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}]}),
    )
    .await;
    let high: Vec<Ticket> = all
        .iter()
        .filter(|t| t.p("hs_ticket_priority") == Some("HIGH"))
        .cloned()
        .collect();
    assert_eq!(
        got,
        expected_order(&high, "hs_lastmodifieddate", Cmp::Time, true)
    );
    h.shutdown().await;
}

#[tokio::test]
async fn sorts_given_as_strings_and_invalid_sorts() {
    let h = start_unlimited(120).await;
    let api = Api::new(&h);
    let all = list_all(&api, PROPS).await;
    // The spec types sorts as strings: a property name sorts ascending, "-name" descending
    // (UNCONFIRMED) …
    let (_, got) = all_ids(&api, json!({"sorts": ["subject"]})).await;
    assert_eq!(got, expected_order(&all, "subject", Cmp::Text, false));
    let (_, got) = all_ids(&api, json!({"sorts": ["-hs_lastmodifieddate"]})).await;
    assert_eq!(
        got,
        expected_order(&all, "hs_lastmodifieddate", Cmp::Time, true)
    );
    // … but a sort object sent as a JSON string (what SDKs typed `string[]` sent) is
    // ignored by HubSpot: default order.
    let stringified = json!({"propertyName": "subject", "direction": "DESCENDING"}).to_string();
    let (_, got) = all_ids(&api, json!({ "sorts": [stringified] })).await;
    assert_eq!(got, expected_order(&all, "createdate", Cmp::Time, false));
    // Invalid sort objects.
    for sorts in [
        json!([{"propertyName": "nope", "direction": "ASCENDING"}]),
        json!([{"propertyName": "subject", "direction": "DESC"}]),
        json!([{"direction": "DESCENDING"}]),
        json!([{"propertyName": "associations.contact"}]),
    ] {
        search_400(&api, json!({ "sorts": sorts })).await;
    }
    h.shutdown().await;
}

// ------------------------------------------------------------------ rate limit

// On tokio's paused clock, which the sandbox's windows run on: the six searches fall in the
// same second whatever the machine's speed, and the second passes without waiting for it.
#[tokio::test(start_paused = true)]
async fn search_is_limited_to_five_per_second_apart_from_the_burst_window() {
    let h = start_with(SandboxConfig {
        tickets: 20,
        token: TOKEN.into(),
        rate_limit: Some(RateLimit {
            max: 3,
            window: Duration::from_secs(10),
            ..RateLimit::PRIVATE_APP
        }),
        ..SandboxConfig::default()
    })
    .await;
    let api = Api::new(&h);
    let body = json!({"limit": 1});
    // Five searches pass, the sixth within the same second is refused.
    let mut refused = None;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = search(&api, body.clone()).await;
        assert!(
            r.header("x-hubspot-ratelimit-max").is_none()
                && r.header("x-hubspot-ratelimit-remaining").is_none(),
            "search responses carry no rate-limit headers"
        );
        statuses.push(r.status);
        if r.status == 429 {
            refused = Some(r);
        }
    }
    assert_eq!(statuses, vec![200, 200, 200, 200, 200, 429]);
    let r = refused.expect("the sixth search in a second is refused");
    assert_error(&r, 429, "RATE_LIMITS");
    assert_eq!(r.body["message"], "You have reached your secondly limit.");
    // Searches do not use the ten-secondly budget: 3 other requests still pass.
    for remaining in ["2", "1", "0"] {
        let r = api.get("/crm/v3/objects/tickets?limit=1").await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("x-hubspot-ratelimit-remaining"), Some(remaining));
    }
    let r = api.get("/crm/v3/objects/tickets?limit=1").await;
    assert_error(&r, 429, "RATE_LIMITS");
    assert_eq!(r.body["policyName"], "TEN_SECONDLY_ROLLING");
    // A second later searching works again (the burst window is still exhausted).
    tokio::time::sleep(Duration::from_millis(1050)).await;
    let r = search(&api, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    h.shutdown().await;
}

// ------------------------------------------------------------------ demo time

/// The views demo mode ships ("Closed in the last 7 days", "Modified in the last 7 days")
/// find data when the seed ends at a reference moment R; all data is shifted uniformly.
#[tokio::test]
async fn a_reference_moment_makes_the_seeded_data_recent() {
    const HOUR: i64 = 3_600_000;
    let fixed = start_unlimited(500).await;
    let base = list_all(&Api::new(&fixed), PROPS).await;
    for r in [
        1_900_000_000_000 / HOUR * HOUR,
        hubtix::sandbox::current_hour_ms(),
    ] {
        assert_eq!(r % HOUR, 0);
        let h = start_with(SandboxConfig {
            token: TOKEN.into(),
            reference_ms: Some(r),
            rate_limit: None, // back-to-back searches: see the module docs
            ..SandboxConfig::default()
        })
        .await;
        let api = Api::new(&h);
        let all = list_all(&api, PROPS).await;
        assert_eq!(all.len(), base.len());

        // Everything moved by one offset; nothing else changed.
        let off =
            time_of(&all[0], "createdate").unwrap() - time_of(&base[0], "createdate").unwrap();
        for (a, b) in base.iter().zip(&all) {
            assert_eq!(a.id, b.id);
            for p in PROPS {
                match (a.p(p), b.p(p)) {
                    (Some(x), Some(y))
                        if ["createdate", "hs_lastmodifieddate", "closed_date"].contains(p) =>
                    {
                        assert_eq!(ms(y) - ms(x), off, "{} {p}", a.id);
                    }
                    (x, y) => assert_eq!(x, y, "{} {p}", a.id),
                }
            }
        }

        // The data ends at R: the newest change is within the last day before it.
        let r_newest = search(
            &api,
            json!({"sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "DESCENDING"}],
                   "limit": 1}),
        )
        .await;
        let newest = ms(
            r_newest.body["results"][0]["properties"]["hs_lastmodifieddate"]
                .as_str()
                .unwrap(),
        );
        assert_eq!(
            Some(newest),
            all.iter()
                .filter_map(|t| time_of(t, "hs_lastmodifieddate"))
                .max()
        );
        assert!(
            newest <= r && newest >= r - DAY,
            "newest change {newest}, R {r}"
        );
        for p in ["createdate", "hs_lastmodifieddate", "closed_date"] {
            let n = check(&api, &all, one(&[fv(p, "GT", &r.to_string())]), |t| {
                time_of(t, p).is_some_and(|x| x > r)
            })
            .await;
            assert_eq!(n, 0, "nothing after R in {p}");
        }

        // "Modified in the last 7 days" and "Closed in the last 7 days / 2 days" have tickets,
        // so a "closed this week" view is empty at most early on Mondays.
        let week = (r - 7 * DAY).to_string();
        check_some(
            &api,
            &all,
            one(&[fv("hs_lastmodifieddate", "GTE", &week)]),
            |t| time_of(t, "hs_lastmodifieddate").is_some_and(|x| x >= r - 7 * DAY),
        )
        .await;
        for days in [7, 2] {
            let since = r - days * DAY;
            let n = check(
                &api,
                &all,
                one(&[
                    fv("hs_is_closed", "EQ", "true"),
                    fv("closed_date", "GTE", &iso(since)),
                ]),
                |t| {
                    t.p("hs_is_closed") == Some("true")
                        && time_of(t, "closed_date").is_some_and(|x| x >= since)
                },
            )
            .await;
            assert!(n > 0, "tickets closed in the {days} days before R");
        }
        h.shutdown().await;
    }
    fixed.shutdown().await;
}
