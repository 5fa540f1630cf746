//! Rendering records and batch answers as HubSpot's JSON: a record with the properties asked
//! for ([`Sel`]), its property history and associations; the batch envelope and the
//! per-input errors of a batch. It reads the store, never writes it, and knows nothing of
//! requests or routes.

use serde_json::{Map, Value, json};

use super::model::{self, Kind};
use super::store::{Hist, Record, Source, Store, Val, get_prop, iso, now_ms};

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
    m.insert("value".into(), json!(h.value.as_str()));
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
    let written = rec.history.of(name);
    if !written.is_empty() {
        return written.into_iter().rev().map(hist_json).collect();
    }
    match get_prop(kind, rec, name) {
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
                value: Val::new(&v),
                ts: rec.created,
                source,
            })]
        }
        None => Vec::new(),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use serde_json::json;

    use super::super::merge::merge_records;
    use super::super::model::ALL_KINDS;
    use super::super::records::{archive_record, create_record, update_record};
    use super::super::seed::{REFERENCE_MS, build};
    use super::*;

    /// Every property of `kind` with a history, and the associations to every kind.
    fn full(st: &Store, kind: Kind, id: u64) -> Value {
        let Some(rec) = st.map(kind).and_then(|m| m.get(&id)) else {
            return json!({ "missing": format!("{kind:?} {id}") });
        };
        let names: Vec<String> = st.schema.props(kind).map(|p| p.name().to_owned()).collect();
        render(st, kind, rec, &Sel::All, Some(&names), Some(&ALL_KINDS))
    }

    fn patch(st: &mut Store, id: u64, props: Value, now: i64) {
        let Value::Object(m) = props else {
            panic!("props must be an object")
        };
        update_record(st, Kind::Ticket, id, &m, now).unwrap();
    }

    /// A sample of seeded records (tickets, a contact, a company, a deal, engagements) and
    /// what a representative write sequence makes of them, rendered with every property, its
    /// history and every association: how the store holds values, history and edges must
    /// not change a byte of it.
    #[test]
    fn sandbox_store_sample_renders_the_same_after_writes() {
        let mut st = build(42, 400, None);
        let t = REFERENCE_MS + 60_000;
        let created = create_record(
            &mut st,
            Kind::Ticket,
            &json!({
                "properties": {
                    "subject": "Created through the API with a subject longer than inline",
                    "hs_pipeline": "0",
                    "hs_pipeline_stage": "1",
                    "hs_ticket_priority": "HIGH",
                    "sla_due_date": "2026-11-20",
                },
                "associations": [
                    {"to": {"id": "201"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}]}
                ]
            }),
            t,
        )
        .unwrap();
        patch(&mut st, 1008, json!({"hs_pipeline_stage": "4"}), t + 1);
        patch(&mut st, 1008, json!({"hs_pipeline_stage": "2"}), t + 2);
        patch(
            &mut st,
            1009,
            json!({"subject": "x", "content": "", "closed_date": "2026-10-02T03:04:05.006Z"}),
            t + 3,
        );
        patch(&mut st, 1010, json!({"hs_ticket_priority": ""}), t + 4);
        patch(&mut st, 1010, json!({"hs_ticket_priority": "LOW"}), t + 5);
        st.associate((Kind::Ticket, 1011), (Kind::Company, 302), 26);
        st.associate((Kind::Ticket, 1011), (Kind::Contact, 202), 16);
        st.dissociate_type((Kind::Ticket, 1012), (Kind::Contact, 203), 16);
        let merged = merge_records(&mut st, Kind::Ticket, 1013, 1014, t + 6).unwrap();
        assert!(archive_record(&mut st, Kind::Ticket, 1015, t + 7));
        let mut sample = Vec::new();
        for id in (1001..=1016).chain([900_001, created, merged]) {
            sample.push(full(&st, Kind::Ticket, id));
        }
        for (kind, id) in [
            (Kind::Contact, 201),
            (Kind::Contact, 202),
            (Kind::Company, 302),
            (Kind::Deal, 401),
        ] {
            sample.push(full(&st, kind, id));
        }
        for kind in [
            Kind::Note,
            Kind::Email,
            Kind::Call,
            Kind::Task,
            Kind::Meeting,
        ] {
            let first = st.map(kind).and_then(|m| m.keys().next().copied()).unwrap();
            sample.push(full(&st, kind, first));
        }
        // Kept out of `src/sandbox/` (no directories there: tests/architecture_sandbox.rs).
        insta::with_settings!({ snapshot_path => "../../tests/snapshots" }, {
            insta::assert_snapshot!(serde_json::to_string_pretty(&sample).unwrap());
        });
    }
}
