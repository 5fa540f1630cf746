//! `POST /crm/v3/objects/{type}/search`: filter groups (OR of ANDs), operators, query,
//! one sort, offset paging with the 10,000-result cap. Scans the live records.
//!
//! Behaviour chosen where HubSpot's is not documented (each marked UNCONFIRMED below):
//! - an empty `filterGroups` and a group without filters (`[{}]`, `{"filters": []}`) match
//!   every record;
//! - NEQ / NOT_IN / NOT_CONTAINS_TOKEN also match records without a value;
//! - values that are not numbers/dates for number/date properties, a filter without an
//!   operator, and range/token operators on `associations.*` are 400 VALIDATION_ERROR;
//! - CONTAINS_TOKEN splits text on anything but letters, digits and `_`; a non-ASCII token
//!   also matches inside a word (CJK text has no spaces);
//! - `query` terms are ANDed and match as case-insensitive substrings;
//! - sorts: the first rule applies; records without the value come last in both directions;
//!   ties are broken by ascending id; enumerations sort by internal value alphabetically,
//!   strings case-insensitively; a sort given as a string is a property name (`-name` for
//!   descending) and any other string is ignored; an unknown property or direction is 400;
//! - `limit` 0 returns only `total`.

use std::cmp::Ordering;

use serde_json::{Value, json};

use super::errors::{ApiError, ApiResult};
use super::http::{Reply, Req, ok};
use super::model::{Kind, PType, PropDef};
use super::render::{Sel, render};
use super::schema::Schema;
use super::state::AppState;
use super::store::{Record, Store, get_prop, parse_time};

const MAX_GROUPS: usize = 5;
const MAX_FILTERS_PER_GROUP: usize = 6;
const MAX_FILTERS: usize = 18;
const MAX_LIMIT: i64 = 200;
const MAX_RESULTS: usize = 10_000;
const MAX_QUERY: usize = 3000;

#[derive(Debug)]
struct Filter {
    prop: String,
    op: String,
    value: Option<String>,
    high: Option<String>,
    values: Vec<String>,
    assoc: Option<Kind>,
    ptype: PType,
    multi: bool,
}

fn s(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn validation(msg: String) -> ApiError {
    ApiError::validation(msg.clone()).with_errors(vec![json!({"message": msg})])
}

const OPS: &[&str] = &[
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
];

/// The 400 for a property the object type does not have (same shape as HubSpot's
/// `PROPERTY_DOESNT_EXIST` detail on record writes).
fn no_such_property(prop: &str) -> ApiError {
    ApiError::validation(format!(
        "There was a problem with the request: Property \"{prop}\" does not exist"
    ))
    .with_errors(vec![json!({
        "message": format!("Property \"{prop}\" does not exist"),
        "code": "PROPERTY_DOESNT_EXIST",
        "context": {"propertyName": [prop]}
    })])
}

/// Operators that make sense on `associations.{type}` (the value is a record id).
const ASSOC_OPS: &[&str] = &[
    "EQ",
    "NEQ",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
];

fn parse_filter(schema: &Schema, kind: Kind, f: &Value) -> ApiResult<Filter> {
    let prop = f["propertyName"]
        .as_str()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| validation("Filter is missing propertyName".into()))?
        .to_owned();
    // `operator` is required in the spec's Filter; a filter without one is a 400 rather than a
    // silent EQ (UNCONFIRMED). Operators are case-sensitive like the spec's enum.
    let op = match f.get("operator") {
        None | Some(Value::Null) => {
            return Err(validation(format!("Filter on {prop} is missing operator")));
        }
        Some(v) => v.as_str().unwrap_or_default().to_owned(),
    };
    if !OPS.contains(&op.as_str()) {
        return Err(validation(format!(
            "Unsupported filter operator: {op} (on {prop}); expected one of {}",
            OPS.join(", ")
        )));
    }
    let (assoc, ptype, multi) = if let Some(t) = prop.strip_prefix("associations.") {
        let k = Kind::parse(t)
            .ok_or_else(|| validation(format!("Unknown association type in filter: {prop}")))?;
        // Range and token operators on associations: 400 (UNCONFIRMED).
        if !ASSOC_OPS.contains(&op.as_str()) {
            return Err(validation(format!(
                "Operator {op} is not supported on {prop}; use one of {}",
                ASSOC_OPS.join(", ")
            )));
        }
        (Some(k), PType::Number, false)
    } else {
        let d = schema
            .prop(kind, &prop)
            .map(|p| p.def)
            .ok_or_else(|| no_such_property(&prop))?;
        // Multi-select (checkbox) enumerations hold `;`-joined values; EQ/IN match any of them.
        (
            None,
            d.ptype,
            d.ptype == PType::Enum && d.field_type == "checkbox",
        )
    };
    let value = f.get("value").and_then(s);
    let high = f.get("highValue").and_then(s);
    let values: Vec<String> = f["values"]
        .as_array()
        .map(|a| a.iter().filter_map(s).collect())
        .unwrap_or_default();
    match op.as_str() {
        "BETWEEN" if value.is_none() || high.is_none() => {
            return Err(validation(format!(
                "BETWEEN on {prop} requires value and highValue"
            )));
        }
        "IN" | "NOT_IN" if values.is_empty() => {
            return Err(validation(format!("{op} on {prop} requires values")));
        }
        "EQ" | "NEQ" | "LT" | "LTE" | "GT" | "GTE" | "CONTAINS_TOKEN" | "NOT_CONTAINS_TOKEN"
            if value.is_none() =>
        {
            return Err(validation(format!("{op} on {prop} requires a value")));
        }
        _ => {}
    }
    // Number and date comparisons need values of that type: a 400 rather than matching
    // nothing (UNCONFIRMED). Dates are epoch milliseconds or ISO 8601.
    if assoc.is_none() && numeric(ptype) && !op.contains("TOKEN") {
        let compared = value.iter().chain(high.iter()).chain(values.iter());
        if let Some(bad) = compared.into_iter().find(|v| num(ptype, v).is_none()) {
            let what = if ptype == PType::Number {
                "a number"
            } else {
                "a date (epoch milliseconds or ISO 8601)"
            };
            return Err(validation(format!(
                "{op} on {prop}: \"{bad}\" is not {what}"
            )));
        }
    }
    Ok(Filter {
        prop,
        op,
        value,
        high,
        values,
        assoc,
        ptype,
        multi,
    })
}

fn numeric(t: PType) -> bool {
    matches!(t, PType::Number | PType::Date | PType::DateTime)
}

fn num(t: PType, v: &str) -> Option<f64> {
    match t {
        PType::Number => v.trim().parse().ok().filter(|n: &f64| n.is_finite()),
        // Dates accept epoch milliseconds or ISO strings.
        PType::Date | PType::DateTime => parse_time(v).map(|ms| ms as f64),
        _ => None,
    }
}

fn cmp_values(t: PType, a: &str, b: &str) -> Option<Ordering> {
    if numeric(t) {
        num(t, a)?.partial_cmp(&num(t, b)?)
    } else {
        Some(a.to_lowercase().cmp(&b.to_lowercase()))
    }
}

/// Equality: enumerations are case-sensitive, everything else case-insensitive [D-search].
fn eq(f: &Filter, actual: &str, want: &str) -> bool {
    match f.ptype {
        PType::Enum if f.multi => actual.split(';').any(|p| p == want) || actual == want,
        PType::Enum => actual == want,
        t if numeric(t) => cmp_values(t, actual, want) == Some(Ordering::Equal),
        _ => actual.to_lowercase() == want.to_lowercase(),
    }
}

fn glob(pat: &str, text: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Token match, case-insensitive, `*` matching any run of characters within a word. Words
/// are runs of letters, digits and `_` (so "Two-factor" holds "two" and "factor"; enumeration
/// values like `BILLING_ISSUE` stay whole) — HubSpot's tokeniser is UNCONFIRMED. Its
/// segmentation of CJK text is unknown too, so a non-ASCII token also matches by substring
/// (a Japanese word inside a sentence matches).
fn contains_token(actual: &str, token: &str) -> bool {
    let a = actual.to_lowercase();
    let t = token.to_lowercase();
    if a.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| !w.is_empty() && glob(&t, w))
    {
        return true;
    }
    if !t.is_ascii() {
        let bare = t.replace('*', "");
        return !bare.is_empty() && a.contains(&bare);
    }
    false
}

fn matches(st: &Store, kind: Kind, rec: &Record, f: &Filter) -> bool {
    if let Some(k) = f.assoc {
        let ids: Vec<String> = st
            .assocs((kind, rec.id), k)
            .into_iter()
            .map(|(id, _)| id.to_string())
            .collect();
        return match f.op.as_str() {
            "EQ" => f.value.as_ref().is_some_and(|v| ids.contains(v)),
            "NEQ" => f.value.as_ref().is_some_and(|v| !ids.contains(v)),
            "IN" => f.values.iter().any(|v| ids.contains(v)),
            "NOT_IN" => !f.values.iter().any(|v| ids.contains(v)),
            "HAS_PROPERTY" => !ids.is_empty(),
            "NOT_HAS_PROPERTY" => ids.is_empty(),
            _ => false,
        };
    }
    let actual = get_prop(kind, rec, &f.prop);
    let v = f.value.as_deref().unwrap_or("");
    match (f.op.as_str(), actual.as_deref()) {
        ("HAS_PROPERTY", a) => a.is_some(),
        ("NOT_HAS_PROPERTY", a) => a.is_none(),
        ("EQ", Some(a)) => eq(f, a, v),
        // NEQ / NOT_IN / NOT_CONTAINS_TOKEN include records without a value (UNCONFIRMED).
        ("NEQ", a) => a.is_none_or(|a| !eq(f, a, v)),
        ("LT", Some(a)) => cmp_values(f.ptype, a, v) == Some(Ordering::Less),
        ("LTE", Some(a)) => matches!(
            cmp_values(f.ptype, a, v),
            Some(Ordering::Less | Ordering::Equal)
        ),
        ("GT", Some(a)) => cmp_values(f.ptype, a, v) == Some(Ordering::Greater),
        ("GTE", Some(a)) => matches!(
            cmp_values(f.ptype, a, v),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        ("BETWEEN", Some(a)) => {
            let hi = f.high.as_deref().unwrap_or("");
            matches!(
                cmp_values(f.ptype, a, v),
                Some(Ordering::Greater | Ordering::Equal)
            ) && matches!(
                cmp_values(f.ptype, a, hi),
                Some(Ordering::Less | Ordering::Equal)
            )
        }
        // IN/NOT_IN: string values must be given in lowercase [D-search]: the record's
        // value is lowercased, the filter's values are compared as sent.
        ("IN", Some(a)) => f.values.iter().any(|w| in_eq(f, a, w)),
        ("NOT_IN", a) => a.is_none_or(|a| !f.values.iter().any(|w| in_eq(f, a, w))),
        ("CONTAINS_TOKEN", Some(a)) => contains_token(a, v),
        ("NOT_CONTAINS_TOKEN", a) => a.is_none_or(|a| !contains_token(a, v)),
        _ => false,
    }
}

fn in_eq(f: &Filter, actual: &str, want: &str) -> bool {
    match f.ptype {
        PType::String => actual.to_lowercase() == want,
        _ => eq(f, actual, want),
    }
}

/// `query`: every whitespace-separated term must occur (case-insensitive substring) in one
/// of the kind's default searchable properties. Substring rather than HubSpot's token
/// prefix match, which also makes CJK text searchable; that several terms are ANDed is
/// UNCONFIRMED.
fn query_matches(kind: Kind, rec: &Record, terms: &[String]) -> bool {
    let vals: Vec<String> = kind
        .query_props()
        .iter()
        .filter_map(|p| get_prop(kind, rec, p))
        .map(|v| v.to_lowercase())
        .collect();
    terms
        .iter()
        .all(|t| vals.iter().any(|v| v.contains(t.as_str())))
}

/// The filter groups of a search body (an OR of ANDs), within HubSpot's limits: 5 groups,
/// 6 filters per group, 18 in all.
fn parse_groups(schema: &Schema, kind: Kind, body: &Value) -> ApiResult<Vec<Vec<Filter>>> {
    let mut groups_json: Vec<Value> = body
        .get("filterGroups")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // The docs once showed a top-level `filters` array; treat it as one more group.
    if let Some(fs) = body.get("filters").and_then(Value::as_array)
        && !fs.is_empty()
    {
        groups_json.push(json!({"filters": fs}));
    }
    if groups_json.len() > MAX_GROUPS {
        return Err(validation(format!(
            "Too many filter groups: {} (maximum is {MAX_GROUPS})",
            groups_json.len()
        )));
    }
    let mut groups = Vec::new();
    let mut total_filters = 0;
    for g in &groups_json {
        let fs = g["filters"].as_array().cloned().unwrap_or_default();
        if fs.len() > MAX_FILTERS_PER_GROUP {
            return Err(validation(format!(
                "Too many filters in a filter group: {} (maximum is {MAX_FILTERS_PER_GROUP})",
                fs.len()
            )));
        }
        total_filters += fs.len();
        groups.push(
            fs.iter()
                .map(|f| parse_filter(schema, kind, f))
                .collect::<ApiResult<Vec<_>>>()?,
        );
    }
    if total_filters > MAX_FILTERS {
        return Err(validation(format!(
            "Too many filters: {total_filters} (maximum is {MAX_FILTERS} in total)"
        )));
    }
    Ok(groups)
}

/// `limit` (default 10, at most 200) and the `after` offset (below the 10,000 cap).
fn parse_paging(body: &Value) -> ApiResult<(usize, usize)> {
    let limit = match body.get("limit") {
        None | Some(Value::Null) => 10,
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| validation(format!("Invalid limit: {v}")))?,
    };
    // Over the maximum: 400 (UNCONFIRMED whether HubSpot clamps instead).
    if !(0..=MAX_LIMIT).contains(&limit) {
        return Err(validation(format!(
            "limit must be between 0 and {MAX_LIMIT}"
        )));
    }
    let limit = usize::try_from(limit).unwrap_or(10);
    let after = match body.get("after") {
        None | Some(Value::Null) => 0,
        Some(v) => {
            let s = s(v).unwrap_or_default();
            if s.is_empty() {
                0
            } else {
                s.parse::<usize>()
                    .map_err(|_| validation(format!("Invalid after: {s}")))?
            }
        }
    };
    if after >= MAX_RESULTS {
        return Err(validation(format!(
            "Paging beyond {MAX_RESULTS} results is not supported; narrow the search (after={after})"
        )));
    }
    Ok((limit, after))
}

/// `POST /crm/v3/objects/{type}/search`.
pub fn search(app: &AppState, kind: Kind, r: &Req) -> ApiResult<Reply> {
    let body = r.json()?;
    let query = body.get("query").and_then(Value::as_str).unwrap_or("");
    if query.chars().count() > MAX_QUERY {
        return Err(validation(format!(
            "Query string exceeds the maximum length of {MAX_QUERY} characters"
        )));
    }
    let st = app.read();
    let groups = parse_groups(&st.schema, kind, &body)?;
    let (limit, after) = parse_paging(&body)?;
    let sort = parse_sort(&st.schema, kind, &body)?;
    let props: Option<Vec<String>> = body
        .get("properties")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .filter(|v: &Vec<String>| !v.is_empty());
    let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();

    let Some(map) = st.map(kind) else {
        return ok(json!({"total": 0, "results": []}));
    };
    let hits: Vec<&Record> = map
        .values()
        .filter(|rec| rec.archived_at.is_none())
        .filter(|rec| {
            // A group without filters matches everything (UNCONFIRMED; a third-party report
            // says `[{}]` reached HubSpot "as an unfiltered match"), as do no groups at all.
            groups.is_empty()
                || groups
                    .iter()
                    .any(|g| g.iter().all(|f| matches(&st, kind, rec, f)))
        })
        .filter(|rec| terms.is_empty() || query_matches(kind, rec, &terms))
        .collect();
    let hits = sorted(&st.schema, kind, hits, sort);
    let total = hits.len();
    // Only the first 10,000 results can be reached: a page stops at the cap, and its
    // `paging.next.after` is then "10000", which is refused above [D-search].
    let end = total.min(MAX_RESULTS).min(after.saturating_add(limit));
    let page = hits.get(after..end).unwrap_or_default();
    let sel = props.as_deref().map_or(Sel::Default, Sel::Some);
    let results: Vec<Value> = page
        .iter()
        .map(|rec| render(&st, kind, rec, &sel, None, None))
        .collect();
    let mut out = json!({"total": total, "results": results});
    let next = after.saturating_add(limit).min(MAX_RESULTS);
    if next < total && limit > 0 {
        out["paging"] =
            json!({"next": {"after": next.to_string(), "link": format!("?after={next}")}});
    }
    ok(out)
}

/// The sort rule: property and descending. `None`: the default order (creation date,
/// oldest first [D-search]).
type SortRule = Option<(PropDef, bool)>;

/// Reads `sorts`. HubSpot honours one sort rule [D-search]; with several, the first applies
/// and the rest are ignored (UNCONFIRMED).
fn parse_sort(schema: &Schema, kind: Kind, body: &Value) -> ApiResult<SortRule> {
    let first = match body.get("sorts") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(a)) => match a.first() {
            None => return Ok(None),
            Some(v) => v,
        },
        Some(other) => {
            return Err(validation(format!(
                "sorts must be an array of sort rules, got {other}"
            )));
        }
    };
    match first {
        // The spec types `sorts` as string[], but sort objects JSON-encoded as strings (what
        // SDKs following the spec sent) were silently ignored by HubSpot [O: hubspot-api-nodejs
        // #14, hubspot-api-ruby #257]. A bare property name (`-name` for descending) is
        // honoured here (UNCONFIRMED); any other string is ignored the same way.
        Value::String(name) => {
            let (name, desc) = match name.strip_prefix('-') {
                Some(n) => (n, true),
                None => (name.as_str(), false),
            };
            Ok(schema.prop(kind, name).map(|p| (p.def, desc)))
        }
        Value::Object(o) => {
            let name = o
                .get("propertyName")
                .and_then(Value::as_str)
                .ok_or_else(|| validation("Sort is missing propertyName".into()))?;
            // An unknown sort property is a 400 like an unknown filter property (UNCONFIRMED).
            let d = schema
                .prop(kind, name)
                .map(|p| p.def)
                .ok_or_else(|| no_such_property(name))?;
            let desc = match o.get("direction") {
                None | Some(Value::Null) => false,
                Some(v) => match v.as_str() {
                    Some("ASCENDING") => false,
                    Some("DESCENDING") => true,
                    // Directions are case-sensitive like the spec's enums (UNCONFIRMED).
                    _ => {
                        return Err(validation(format!(
                            "Invalid sort direction {v} for {name}: use ASCENDING or DESCENDING"
                        )));
                    }
                },
            };
            Ok(Some((d, desc)))
        }
        other => Err(validation(format!("Invalid sort rule: {other}"))),
    }
}

/// A record's sort key: numbers and dates by value, strings case-insensitively,
/// enumerations and booleans by internal value. HubSpot's order for enumerations (internal
/// value vs the options' displayOrder) is UNCONFIRMED: alphabetical by internal value here.
/// A value that does not parse counts as missing.
#[derive(Debug, PartialEq, PartialOrd)]
enum Key {
    Num(f64),
    Text(String),
}

fn sort_key(kind: Kind, rec: &Record, d: &PropDef) -> Option<Key> {
    if d.name == kind.create_prop() {
        return Some(Key::Num(rec.created as f64));
    }
    if d.name == kind.modified_prop() {
        return Some(Key::Num(rec.updated as f64));
    }
    let v = get_prop(kind, rec, d.name)?;
    match d.ptype {
        t if numeric(t) => num(t, &v).map(Key::Num),
        PType::String => Some(Key::Text(v.to_lowercase())),
        _ => Some(Key::Text(v)),
    }
}

/// Sorts the hits. Records without the sort value come last in both directions
/// (UNCONFIRMED); ties are broken by ascending id in both directions (UNCONFIRMED), so paging
/// is stable and `hs_object_id` keyset paging works for any sort.
fn sorted<'a>(
    schema: &Schema,
    kind: Kind,
    hits: Vec<&'a Record>,
    sort: SortRule,
) -> Vec<&'a Record> {
    let (d, desc) = match sort {
        Some(s) => s,
        None => match schema.prop(kind, kind.create_prop()) {
            Some(p) => (p.def, false),
            None => return hits,
        },
    };
    let mut keyed: Vec<(Option<Key>, &Record)> = hits
        .into_iter()
        .map(|r| (sort_key(kind, r, &d), r))
        .collect();
    keyed.sort_by(|(a, ra), (b, rb)| {
        let o = match (a, b) {
            (Some(a), Some(b)) => {
                let o = a.partial_cmp(b).unwrap_or(Ordering::Equal);
                if desc { o.reverse() } else { o }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        o.then(ra.id.cmp(&rb.id))
    });
    keyed.into_iter().map(|(_, r)| r).collect()
}
