//! Tickets archived, merged away or deleted elsewhere: a count, then a bisection of ID ranges
//! only when the count differs (see `sync.rs` for the cost).

use std::collections::BTreeSet;

use crate::cache::Batch;
use crate::domain::Ticket;
use crate::hubspot::{
    Filter, FilterGroup, FilterOperator, SEARCH_LIMIT_MAX, SearchRequest, Sort, SortDirection,
};
use crate::mapping;

use super::{Phase, Run, SyncError};

const ID: &str = "hs_object_id";
const CREATED: &str = "createdate";

/// A range of IDs, inclusive.
#[derive(Debug, Clone, Copy)]
struct Range {
    lo: i64,
    hi: i64,
}

fn request(
    properties: &[String],
    created_max: i64,
    range: Option<Range>,
    limit: u32,
) -> SearchRequest {
    let mut filters = vec![Filter::new(
        CREATED,
        FilterOperator::Lte,
        created_max.to_string(),
    )];
    if let Some(r) = range {
        if r.lo > 0 {
            filters.push(Filter::new(ID, FilterOperator::Gte, r.lo.to_string()));
        }
        if r.hi < i64::MAX {
            filters.push(Filter::new(ID, FilterOperator::Lte, r.hi.to_string()));
        }
    }
    SearchRequest {
        filter_groups: vec![FilterGroup { filters }],
        sorts: vec![Sort {
            property_name: ID.into(),
            direction: SortDirection::Ascending,
        }],
        query: None,
        properties: properties.to_vec(),
        limit: Some(limit),
        after: None,
    }
}

/// Compares the live count with the cache's and, when they differ, finds the difference.
pub(super) async fn run(run: &mut Run<'_>) -> Result<(), SyncError> {
    let Some(created_max) = run.cache.max_created_ms()? else {
        return Ok(());
    };
    let local = run.cache.count_created_up_to(created_max)?;
    run.pacing.search().await;
    run.count_request()?;
    let remote = run
        .client
        .search_tickets(&request(&["hs_object_id".to_owned()], created_max, None, 1))
        .await?
        .total;
    run.report(Phase::Removals, None, 0);
    if remote == local {
        return Ok(());
    }
    let mut ranges = vec![Range {
        lo: 0,
        hi: i64::MAX,
    }];
    while let Some(range) = ranges.pop() {
        ranges.extend(compare(run, created_max, range).await?);
    }
    Ok(())
}

/// One range: the first 200 live IDs (and the range's total) against the cached ones. The
/// part those 200 cover is settled exactly; the rest is settled by count or split in two.
async fn compare(
    run: &mut Run<'_>,
    created_max: i64,
    range: Range,
) -> Result<Vec<Range>, SyncError> {
    run.pacing.search().await;
    run.count_request()?;
    let page = run
        .client
        .search_tickets(&request(
            &run.properties,
            created_max,
            Some(range),
            SEARCH_LIMIT_MAX,
        ))
        .await?;
    let live: Vec<Ticket> = page.results.into_iter().map(mapping::ticket).collect();
    run.tickets += live.len() as u64;
    let all_here = page.total <= live.len() as u64;
    let covered_hi = match live.last() {
        Some(t) if !all_here => t.id.parse().unwrap_or(range.hi),
        _ => range.hi,
    };
    settle(
        run,
        created_max,
        Range {
            lo: range.lo,
            hi: covered_hi,
        },
        live,
    )?;
    run.report(Phase::Removals, None, 0);
    if all_here || covered_hi >= range.hi {
        return Ok(Vec::new());
    }
    let rest = Range {
        lo: covered_hi + 1,
        hi: range.hi,
    };
    let remote_rest = page.total - SEARCH_LIMIT_MAX.min(page.total as u32) as u64;
    let local_rest = run.cache.ids_in_range(rest.lo, rest.hi, created_max)?;
    if remote_rest == local_rest.len() as u64 {
        return Ok(Vec::new());
    }
    // Split where half the cached IDs fall, or halfway when too few are cached to say.
    let mid = match local_rest.len() {
        n if n >= 2 => local_rest[n / 2 - 1],
        _ => rest.lo + (rest.hi - rest.lo) / 2,
    };
    Ok(vec![
        Range {
            lo: mid.saturating_add(1),
            hi: rest.hi,
        },
        Range {
            lo: rest.lo,
            hi: mid,
        },
    ])
}

/// Makes the cache's IDs in `range` equal to `live`: removes the ones not live, writes the
/// live ones (a live ticket the cache lacked is added).
fn settle(
    run: &mut Run<'_>,
    created_max: i64,
    range: Range,
    live: Vec<Ticket>,
) -> Result<(), SyncError> {
    let live_ids: BTreeSet<String> = live.iter().map(|t| t.id.clone()).collect();
    let deletes: Vec<String> = run
        .cache
        .ids_in_range(range.lo, range.hi, created_max)?
        .into_iter()
        .map(|id| id.to_string())
        .filter(|id| !live_ids.contains(id))
        .collect();
    let ids: Vec<String> = live_ids
        .into_iter()
        .chain(deletes.iter().cloned())
        .collect();
    let applied = run.cache.apply(&Batch {
        upserts: live,
        deletes,
        state: None,
    })?;
    run.add(applied, ids);
    Ok(())
}
