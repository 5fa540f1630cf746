//! The first sync: every ticket through the list endpoint, each page written with the cursor
//! that follows it, so a killed sync resumes at the next page.

use crate::cache::{Batch, SyncState, modified_ms};
use crate::hubspot::{ListQuery, SearchRequest};
use crate::mapping;

use super::{Phase, Run, SyncError};

/// How many tickets a list page holds (HubSpot's maximum).
const PAGE: u32 = 100;

/// Lists every ticket from the stored cursor on; returns the state with the first sync done
/// and the watermark set to when it began (changes made while it listed come next).
pub(super) async fn run(run: &mut Run<'_>, mut state: SyncState) -> Result<SyncState, SyncError> {
    let began = *state
        .first_sync_started_ms
        .get_or_insert_with(|| jiff::Timestamp::now().as_millisecond());
    let done_before = run.cache.stats()?.tickets;
    let total = count_all(run).await?;
    run.report(Phase::FirstSync, total, done_before);
    let mut after = state.resume_after.clone();
    let mut highest = state.watermark_ms.unwrap_or(0);
    loop {
        run.pacing.list(run.client).await;
        run.count_request()?;
        let query = ListQuery {
            limit: Some(PAGE),
            after: after.clone(),
            properties: run.properties.clone(),
            ..ListQuery::default()
        };
        let page = run.client.list_tickets(&query).await?;
        after = page.next_after().map(str::to_owned);
        let tickets: Vec<_> = page.results.into_iter().map(mapping::ticket).collect();
        run.tickets += tickets.len() as u64;
        highest = tickets.iter().map(modified_ms).fold(highest, i64::max);
        state.resume_after = after.clone();
        state.watermark_ms = Some(highest);
        let ids: Vec<String> = tickets.iter().map(|t| t.id.clone()).collect();
        let applied = run.cache.apply(&Batch {
            upserts: tickets,
            deletes: Vec::new(),
            state: Some(state.clone()),
        })?;
        run.add(applied, ids);
        run.report(Phase::FirstSync, total, done_before);
        if after.is_none() {
            break;
        }
    }
    state.first_sync_done = true;
    state.resume_after = None;
    state.first_sync_started_ms = None;
    // Tickets changed while the listing ran may have been listed before their change: the
    // change search starts from when the listing began (less the skew), not from the newest
    // timestamp seen.
    state.watermark_ms = Some(highest.min(began));
    run.cache.put_sync_state(&state)?;
    Ok(state)
}

/// The number of live tickets (one search, one result), for the progress bar's ETA.
async fn count_all(run: &mut Run<'_>) -> Result<Option<u64>, SyncError> {
    run.pacing.search().await;
    run.count_request()?;
    let request = SearchRequest {
        properties: vec!["hs_object_id".into()],
        limit: Some(1),
        ..SearchRequest::default()
    };
    Ok(Some(run.client.search_tickets(&request).await?.total))
}

/// Fetches and stores the catalogue (pipelines, owners, properties): 3 requests or more
/// (owners page), once per first sync. A part that fails (a scope the token lacks) is left
/// out with a warning in the log: the tickets matter more than their labels.
pub(super) async fn catalogue(run: &mut Run<'_>) -> Result<(), SyncError> {
    let now = jiff::Timestamp::now().as_millisecond();
    run.pacing.list(run.client).await;
    run.count_request()?;
    match run.client.pipelines("tickets").await {
        Ok(v) => put(run, super::PIPELINES, &v, now)?,
        Err(e) => tracing::warn!("sync: pipelines not cached: {}", e.summary()),
    }
    run.pacing.list(run.client).await;
    run.count_request()?;
    match run.client.owners().await {
        Ok(v) => put(run, super::OWNERS, &v, now)?,
        Err(e) => tracing::warn!("sync: owners not cached: {}", e.summary()),
    }
    run.pacing.list(run.client).await;
    run.count_request()?;
    match run.client.properties("tickets").await {
        Ok(v) => put(run, super::PROPERTIES, &v, now)?,
        Err(e) => tracing::warn!("sync: properties not cached: {}", e.summary()),
    }
    Ok(())
}

fn put<T: serde::Serialize>(
    run: &mut Run<'_>,
    kind: &str,
    value: &T,
    now: i64,
) -> Result<(), SyncError> {
    let json = serde_json::to_value(value).map_err(|e| {
        SyncError::Cache(crate::cache::CacheError::Row {
            path: run.cache.path().to_path_buf(),
            message: format!("{kind}: {e}"),
        })
    })?;
    run.cache.put_catalogue(kind, &json, now)?;
    Ok(())
}
