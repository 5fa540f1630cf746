//! Rendering records and batch answers as HubSpot's JSON: a record with the properties asked
//! for ([`Sel`]), its property history and associations; the batch envelope and the
//! per-input errors of a batch. It reads the store, never writes it, and knows nothing of
//! requests or routes.

use serde_json::{Map, Value, json};

use super::model::{self, Kind};
use super::store::{Hist, Record, Source, Store, get_prop, iso, now_ms};

/// Which properties to render.
pub enum Sel<'a> {
    Default,
    Some(&'a [String]),
    /// Everything with a value (create/update responses). Nothing was requested there, so no
    /// `null`s: HubSpot's create examples [D-obj] list only set values; whether an update's
    /// answer shows a property it just cleared (as `null`, `""` or not at all) is UNCONFIRMED,
    /// the sandbox leaves it out.
    All,
}

/// One record as HubSpot renders it: `id`, `properties` per `sel` (and those with
/// `history`), `propertiesWithHistory`, timestamps, `archived`, and `associations` of the
/// given kinds.
pub fn render(
    st: &Store,
    kind: Kind,
    rec: &Record,
    sel: &Sel,
    history: Option<&[String]>,
    assocs: Option<&[Kind]>,
) -> Value {
    let mut props = Map::new();
    match sel {
        Sel::Default => {
            for n in kind.default_props() {
                put_requested(st, &mut props, kind, rec, n);
            }
        }
        Sel::Some(list) => {
            for n in list.iter() {
                put_requested(st, &mut props, kind, rec, n);
            }
            for n in [kind.create_prop(), kind.modified_prop(), "hs_object_id"] {
                put_requested(st, &mut props, kind, rec, n);
            }
        }
        Sel::All => {
            for d in st.schema.props(kind) {
                if let Some(v) = get_prop(kind, rec, d.name()) {
                    props.insert(d.name().to_owned(), Value::String(v));
                }
            }
        }
    }
    // A property asked for only with history still shows in `properties` [O], `null` too.
    for n in history.unwrap_or_default() {
        put_requested(st, &mut props, kind, rec, n);
    }
    let mut o = Map::new();
    o.insert("id".into(), json!(rec.id.to_string()));
    o.insert("properties".into(), Value::Object(props));
    if let Some(h) = history {
        let mut ph = Map::new();
        for n in h {
            if st.schema.prop(kind, n).is_none() {
                continue;
            }
            let entries = history_json(kind, rec, n);
            if !entries.is_empty() {
                ph.insert(n.clone(), Value::Array(entries));
            }
        }
        o.insert("propertiesWithHistory".into(), Value::Object(ph));
    }
    o.insert("createdAt".into(), json!(iso(rec.created)));
    o.insert("updatedAt".into(), json!(iso(rec.updated)));
    o.insert("archived".into(), json!(rec.archived_at.is_some()));
    if let Some(a) = rec.archived_at {
        o.insert("archivedAt".into(), json!(iso(a)));
    }
    if let Some(kinds) = assocs {
        let mut am = Map::new();
        for k in kinds {
            let list = st.assocs((kind, rec.id), *k);
            if list.is_empty() {
                continue;
            }
            let mut results = Vec::new();
            for (id, types) in list {
                for t in types {
                    if let Some(at) = model::assoc_type(kind, *k, t) {
                        results.push(json!({"id": id.to_string(), "type": at.name}));
                    }
                }
            }
            am.insert(k.plural().to_owned(), json!({"results": results}));
        }
        if !am.is_empty() {
            o.insert("associations".into(), Value::Object(am));
        }
    }
    Value::Object(o)
}

/// Puts one requested property into `props`: its value, or `null` when the property is
/// defined but empty. HubSpot answers `null` for requested, defined, empty properties
/// (API-NOTES §1: the current tickets guide and observed answers; the spec types values as
/// strings, older guides said "will not appear"). Unknown names are ignored silently [S].
fn put_requested(st: &Store, props: &mut Map<String, Value>, kind: Kind, rec: &Record, name: &str) {
    if st.schema.prop(kind, name).is_none() {
        return;
    }
    let value = get_prop(kind, rec, name).map_or(Value::Null, Value::String);
    props.insert(name.to_owned(), value);
}

fn hist_json(h: &Hist) -> Value {
    let mut m = Map::new();
    m.insert("value".into(), json!(h.value));
    m.insert("timestamp".into(), json!(iso(h.ts)));
    m.insert("sourceType".into(), json!(h.source.source_type()));
    match h.source {
        Source::CrmUi(u) => {
            m.insert("sourceId".into(), json!(format!("userId:{u}")));
            m.insert("updatedByUserId".into(), json!(u));
        }
        Source::Workflow(w) => {
            m.insert("sourceId".into(), json!(w.to_string()));
            m.insert("sourceLabel".into(), json!("Workflow"));
        }
        Source::Import(i) => {
            m.insert("sourceId".into(), json!(i.to_string()));
        }
        Source::Api | Source::Conversations | Source::Calculated => {}
    }
    Value::Object(m)
}

fn history_json(kind: Kind, rec: &Record, name: &str) -> Vec<Value> {
    match rec.history.get(name) {
        Some(h) if !h.is_empty() => h.iter().rev().map(hist_json).collect(),
        _ => match get_prop(kind, rec, name) {
            // Values without recorded writes get one entry at creation: system properties
            // from CALCULATED, others from whoever created the record.
            Some(v) => {
                let system = name == "hs_object_id"
                    || name == kind.create_prop()
                    || name == kind.modified_prop()
                    || (kind == Kind::Ticket && name == "hs_ticket_id");
                let source = if system {
                    Source::Calculated
                } else {
                    rec.created_source
                };
                vec![hist_json(&Hist {
                    value: v,
                    ts: rec.created,
                    source,
                })]
            }
            None => Vec::new(),
        },
    }
}

/// The envelope of an object batch answer: 200 when every input succeeded, else 207 with
/// the errors and their count.
pub fn batch_envelope(results: Vec<Value>, errors: Vec<Value>, started: i64) -> (u16, Value) {
    let now = now_ms();
    let mut v = json!({
        "status": "COMPLETE",
        "results": results,
        "requestedAt": iso(started),
        "startedAt": iso(started),
        "completedAt": iso(now),
    });
    if errors.is_empty() {
        (200, v)
    } else {
        v["numErrors"] = json!(errors.len());
        v["errors"] = Value::Array(errors);
        (207, v)
    }
}

/// One entry of a batch answer's `errors`: HubSpot's StandardError.
pub fn standard_error(category: &str, message: String, context: Value) -> Value {
    json!({"status": "error", "category": category, "message": message, "context": context, "errors": [], "links": {}})
}

/// The batch error for IDs that don't exist: `OBJECT_NOT_FOUND` with them in `context.ids`
/// [O]. Object batch reads add "Check that ids are valid." (`check_ids`); association batch
/// reads don't.
pub fn objects_not_found(upper: &str, missing: Value, check_ids: bool) -> Value {
    let hint = if check_ids {
        " Check that ids are valid."
    } else {
        ""
    };
    standard_error(
        "OBJECT_NOT_FOUND",
        format!("Could not get some {upper} objects, they may be deleted or not exist.{hint}"),
        json!({ "ids": missing }),
    )
}
