//! Merging two records of one kind (`POST /crm/v3/objects/{type}/merge`): the survivor is a
//! new record with a new ID that combines both; the two old IDs go away (from lists, search,
//! batch reads and the recycle bin) but a GET of either keeps answering with the survivor.
//! No request parsing and no rendering here (the handler is `objects::merge`).
//!
//! What HubSpot documents [D-tix, D-obj, API-NOTES §7] and the changelog "Updated merge
//! functionality for contacts and companies" (developers.hubspot.com/changelog) says, and
//! what the sandbox does:
//! - "a new record with a new ID will be created for the resulting merged record, with both
//!   records merged into the new one" (unless the portal is in the ID-preservation beta): the
//!   sandbox always allocates a new ID.
//! - "both of the previous IDs will point to the resulting merged record, so fetching any
//!   records using the original IDs will return the new merged record with the new ID": a
//!   GET of an old ID answers 200 with the survivor (see [`resolve_merged`]). Whether batch
//!   reads, PATCH and search do the same is UNCONFIRMED; the sandbox resolves only the GET.
//! - "the property values of the resulting merged record will use the latest property values
//!   of the primary record": the primary's values (and their history) are kept where set; a
//!   property only the merged record has is filled from it, with its history (UNCONFIRMED
//!   for tickets: the changelog is about contacts and companies and calls itself consistent
//!   with the other objects). The creation date stays the primary's (UNCONFIRMED).
//! - associations and activities are combined; "associations from the primary record will be
//!   prioritized": a Primary-labelled association of the merged record is dropped (its
//!   unlabeled one kept) when the primary already has a Primary one to that kind.
//! - `hs_merged_object_ids` holds both old IDs and whatever either had absorbed before, `;`
//!   separated like any multiple-checkbox value [O].
//!
//! Errors (HubSpot's bodies for these are UNCONFIRMED): a record merged with itself, or an
//! engagement (notes, calls … have no merge route in the specs): 400 VALIDATION_ERROR; an ID
//! that does not exist, is archived or was merged away: 404 OBJECT_NOT_FOUND naming it.

use super::errors::{ApiError, ApiResult};
use super::model::{self, Kind};
use super::store::{Hist, Node, Record, Source, Store};

/// The live record an ID names now: itself, or the survivor of the merges that absorbed it
/// (followed to the end; merges form no cycle since every survivor is new).
pub fn resolve_merged(st: &Store, kind: Kind, id: u64) -> Option<u64> {
    let mut cur = id;
    for _ in 0..64 {
        if st.live(kind, cur).is_some() {
            return Some(cur);
        }
        cur = *st.merged.get(&(kind, cur))?;
    }
    None
}

/// Merges `other` into `primary` (both live records of `kind`); returns the survivor's new ID.
pub fn merge_records(
    st: &mut Store,
    kind: Kind,
    primary: u64,
    other: u64,
    now: i64,
) -> ApiResult<u64> {
    if kind.is_engagement() {
        return Err(ApiError::validation(format!(
            "Merging is not supported for {}",
            kind.plural()
        )));
    }
    if primary == other {
        return Err(ApiError::validation(format!(
            "Cannot merge an object with itself: primaryObjectId and objectIdToMerge are both {primary}"
        )));
    }
    let (Some(p), Some(o)) = (live(st, kind, primary)?, live(st, kind, other)?) else {
        return Err(ApiError::not_found());
    };
    let new_id = st.alloc_id(kind);
    let merged_ids = st
        .schema
        .prop(kind, "hs_merged_object_ids")
        .map(|d| d.def.name);
    let survivor = combined(merged_ids, p, o, new_id, now);
    let edges = combined_edges(st, kind, primary, other);
    for old in [primary, other] {
        remove_record(st, kind, old);
        st.merged.insert((kind, old), new_id);
    }
    st.insert(kind, survivor);
    for (to, type_id) in edges {
        st.associate((kind, new_id), to, type_id);
    }
    Ok(new_id)
}

/// A clone of the live record `id`, or 404 naming it.
fn live(st: &Store, kind: Kind, id: u64) -> ApiResult<Option<Record>> {
    match st.live(kind, id) {
        Some(r) => Ok(Some(r.clone())),
        None => Err(ApiError::new(
            404,
            "OBJECT_NOT_FOUND",
            format!("{} {id} does not exist", kind.upper()),
        )),
    }
}

/// The survivor: the primary's values and history, the other's where the primary has none,
/// `hs_merged_object_ids` naming both and what they had absorbed.
fn combined(
    merged_ids: Option<&'static str>,
    p: Record,
    o: Record,
    new_id: u64,
    now: i64,
) -> Record {
    let mut rec = p.clone();
    rec.id = new_id;
    for (name, value) in o.props.iter() {
        if rec.props.contains(name) {
            continue;
        }
        rec.props.set(name, value.clone());
        let mut hist: Vec<Hist> = o.history.of(name).into_iter().cloned().collect();
        if hist.is_empty() {
            hist.push(Hist {
                value: value.clone(),
                ts: o.created,
                source: o.created_source,
            });
        }
        rec.history.replace(name, hist);
    }
    if let Some(name) = merged_ids {
        let mut ids: Vec<String> = [&p, &o]
            .iter()
            .flat_map(|r| {
                let absorbed = r.props.get(name).unwrap_or_default();
                let mut v: Vec<String> = absorbed
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                v.push(r.id.to_string());
                v
            })
            .collect();
        ids.sort_by_key(|s| s.parse::<u64>().unwrap_or(u64::MAX));
        ids.dedup();
        rec.write(name, ids.join(";"), now, Source::Calculated);
    }
    rec.updated = now;
    rec
}

/// Every association type of both records (to live or archived targets alike), the primary's
/// first; the other's Primary-labelled types are left out for a kind the primary already
/// has a Primary association with.
fn combined_edges(st: &Store, kind: Kind, primary: u64, other: u64) -> Vec<(Node, u32)> {
    let edges_of = |id: u64| -> Vec<(Node, u32)> {
        st.edges
            .get(&(kind, id))
            .map(|m| {
                m.iter()
                    .filter(|(to, _)| *to != (kind, primary) && *to != (kind, other))
                    .collect()
            })
            .unwrap_or_default()
    };
    let is_primary_label = |to: Kind, t: u32| {
        model::assoc_type(kind, to, t).is_some_and(|a| a.label == Some("Primary"))
    };
    let mine = edges_of(primary);
    let theirs: Vec<(Node, u32)> = edges_of(other)
        .into_iter()
        .filter(|(to, t)| {
            !(is_primary_label(to.0, *t)
                && mine
                    .iter()
                    .any(|(n, mt)| n.0 == to.0 && is_primary_label(n.0, *mt)))
        })
        .collect();
    mine.into_iter().chain(theirs).collect()
}

/// Takes a merged-away record out of the store: the record, its edges both ways and its
/// unique-index entries.
fn remove_record(st: &mut Store, kind: Kind, id: u64) {
    let node = (kind, id);
    if let Some(out) = st.edges.remove(&node) {
        for to in out.targets() {
            if let Some(m) = st.edges.get_mut(&to) {
                m.remove_all(node);
            }
        }
    }
    // Every unique-value property in force, those created over the API too.
    let unique: Vec<&'static str> = st.schema.unique_props(kind).collect();
    if let Some(rec) = st.map_mut(kind).remove(&id) {
        for name in unique {
            if let Some(v) = rec.props.get(name)
                && st.unique.get(&(name, v.to_string())) == Some(&id)
            {
                st.unique.remove(&(name, v.into_owned()));
            }
        }
    }
}
