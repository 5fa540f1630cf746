//! Rows: tickets (read, upsert, delete, ranges for reconciliation), the catalogue, the sync
//! state, stats. Every write goes through [`Cache::apply`] so a page of tickets and the sync
//! cursor that follows it land in one transaction: a sync killed at any point resumes from a
//! cursor that matches the rows.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Cache, CacheError};
use crate::domain::{Ticket, parse_timestamp};

/// Where the sync engine stands for this portal. Stored as one JSON row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SyncState {
    /// The properties the cached tickets hold. A sync asking for one more starts a new first
    /// sync (the cached rows lack it).
    pub properties: Vec<String>,
    /// Whether a first sync (the full listing) has completed.
    pub first_sync_done: bool,
    /// The first sync's next list cursor (`after`): where a killed first sync resumes.
    pub resume_after: Option<String>,
    /// The highest `hs_lastmodifieddate` seen (ms, HubSpot's clock): the next incremental
    /// search starts a skew before it.
    pub watermark_ms: Option<i64>,
    /// When the last complete sync ended (ms, this machine's clock): "as of …".
    pub last_sync_ms: Option<i64>,
    /// When the first sync under way began (ms, this machine's clock), kept across a resume:
    /// the change search after it starts there.
    pub first_sync_started_ms: Option<i64>,
    /// HubSpot's clock (its `Date` header, ms) when the last change search ran: every
    /// change older than it less the skew was searchable then, so the next change search
    /// re-reads only the skew before it, not the skew before the watermark.
    pub searched_ms: Option<i64>,
}

/// One transaction's worth of changes.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Tickets to insert or replace (by ID).
    pub upserts: Vec<Ticket>,
    /// Ticket IDs to remove (archived, merged, deleted in HubSpot).
    pub deletes: Vec<String>,
    /// The sync state to store with them.
    pub state: Option<SyncState>,
}

/// How big the cache is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Cached tickets.
    pub tickets: u64,
    /// Bytes on disk: the file and its write-ahead log.
    pub bytes: u64,
}

/// What one [`Cache::apply`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Tickets that were not cached before.
    pub added: u64,
    /// Cached tickets replaced by a different version.
    pub changed: u64,
    /// Cached tickets removed.
    pub removed: u64,
}

fn ms(t: Option<jiff::Timestamp>) -> Option<i64> {
    t.map(|t| t.as_millisecond())
}

fn body(t: &Ticket) -> String {
    serde_json::json!({
        "properties": t.properties,
        "createdAt": ms(t.created_at),
        "updatedAt": ms(t.updated_at),
    })
    .to_string()
}

/// A stored row's body, read straight into its parts (no JSON tree, no copy of it).
#[derive(Deserialize)]
struct Row {
    properties: BTreeMap<String, String>,
    #[serde(rename = "createdAt")]
    created_at: Option<i64>,
    #[serde(rename = "updatedAt")]
    updated_at: Option<i64>,
}

/// Which properties a read keeps (`None`: all of them).
pub(super) type Keep<'k> = Option<&'k std::collections::HashSet<&'k str>>;

fn ticket_from_row(id: i64, body: &str, keep: Keep<'_>) -> Result<Ticket, String> {
    let row: Row = serde_json::from_str(body).map_err(|e| format!("ticket {id}: {e}"))?;
    let mut properties = row.properties;
    if let Some(keep) = keep {
        properties.retain(|k, _| keep.contains(k.as_str()));
    }
    let at = |ms: Option<i64>| ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok());
    Ok(Ticket {
        id: id.to_string(),
        properties,
        created_at: at(row.created_at),
        updated_at: at(row.updated_at),
        archived: false,
        history: None,
    })
}

/// The ticket's `hs_lastmodifieddate` in ms (its `updatedAt` when the property is missing).
pub fn modified_ms(t: &Ticket) -> i64 {
    t.last_modified().map_or(0, |t| t.as_millisecond())
}

/// The ticket's `createdate` in ms (its `createdAt` when the property is missing).
pub fn created_ms(t: &Ticket) -> i64 {
    parse_timestamp(t.prop("createdate"))
        .or(t.created_at)
        .map_or(0, |t| t.as_millisecond())
}

impl Cache {
    fn row_error(&self, message: String) -> CacheError {
        CacheError::Row {
            path: self.path.clone(),
            message,
        }
    }

    fn read_tickets(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<Ticket>, CacheError> {
        let mut out = Vec::new();
        self.walk_tickets(sql, args, None, &mut |t| {
            out.push(t);
            Ok::<(), CacheError>(())
        })?;
        Ok(out)
    }

    /// Calls `f` with each ticket the query selects (`id, body`), one row at a time.
    fn walk_tickets<E: From<CacheError>>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
        keep: Keep<'_>,
        f: &mut dyn FnMut(Ticket) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(self.sqlite())?;
        let mut rows = stmt.query(args).map_err(self.sqlite())?;
        while let Some(row) = rows.next().map_err(self.sqlite())? {
            let id: i64 = row.get(0).map_err(self.sqlite())?;
            let body: String = row.get(1).map_err(self.sqlite())?;
            f(ticket_from_row(id, &body, keep).map_err(|m| self.row_error(m))?)?;
        }
        Ok(())
    }

    /// Cached tickets by ID (those not cached are left out), by ascending ID.
    pub fn tickets_by_id(&self, ids: &[String]) -> Result<Vec<Ticket>, CacheError> {
        let mut out = Vec::new();
        for id in ids {
            let Ok(n) = id.parse::<i64>() else { continue };
            out.extend(self.read_tickets("SELECT id, body FROM tickets WHERE id = ?1", [n])?);
        }
        out.sort_by_key(|t| t.id.parse::<i64>().unwrap_or(0));
        Ok(out)
    }

    /// Writes a batch in one transaction: upserts, deletes and the sync state together.
    pub fn apply(&mut self, batch: &Batch) -> Result<Applied, CacheError> {
        let path = self.path.clone();
        let sqlite = |source| CacheError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sqlite)?;
        let mut applied = Applied::default();
        {
            let mut old = tx
                .prepare_cached("SELECT body FROM tickets WHERE id = ?1")
                .map_err(sqlite)?;
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO tickets (id, pipeline, modified_ms, created_ms, body)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sqlite)?;
            for t in &batch.upserts {
                let Ok(id) = t.id.parse::<i64>() else {
                    continue;
                };
                let new = body(t);
                let before: Option<String> = old
                    .query_row([id], |r| r.get(0))
                    .optional()
                    .map_err(sqlite)?;
                match before {
                    None => applied.added += 1,
                    Some(b) if b != new => applied.changed += 1,
                    Some(_) => {}
                }
                put.execute(params![
                    id,
                    t.pipeline(),
                    modified_ms(t),
                    created_ms(t),
                    new
                ])
                .map_err(sqlite)?;
            }
            let mut del = tx
                .prepare_cached("DELETE FROM tickets WHERE id = ?1")
                .map_err(sqlite)?;
            for id in &batch.deletes {
                let Ok(id) = id.parse::<i64>() else { continue };
                applied.removed += u64::try_from(del.execute([id]).map_err(sqlite)?).unwrap_or(0);
            }
        }
        if let Some(state) = &batch.state {
            let text = serde_json::to_string(state).map_err(|e| CacheError::Row {
                path: path.clone(),
                message: e.to_string(),
            })?;
            tx.execute(
                "INSERT OR REPLACE INTO sync_state (key, body) VALUES ('sync', ?1)",
                [text],
            )
            .map_err(sqlite)?;
        }
        tx.commit().map_err(sqlite)?;
        Ok(applied)
    }

    /// Removes every ticket and the sync state (the catalogue stays): the next sync is a
    /// first sync.
    pub fn reset_tickets(&mut self) -> Result<(), CacheError> {
        self.conn
            .execute_batch("DELETE FROM tickets; DELETE FROM sync_state;")
            .map_err(self.sqlite())
    }

    /// The sync state (the default, "never synced", when none is stored).
    pub fn sync_state(&self) -> Result<SyncState, CacheError> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT body FROM sync_state WHERE key = 'sync'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.sqlite())?;
        match text {
            None => Ok(SyncState::default()),
            Some(t) => serde_json::from_str(&t).map_err(|e| self.row_error(e.to_string())),
        }
    }

    /// Stores the sync state alone.
    pub fn put_sync_state(&mut self, state: &SyncState) -> Result<(), CacheError> {
        self.apply(&Batch {
            state: Some(state.clone()),
            ..Batch::default()
        })
        .map(|_| ())
    }

    /// A catalogue entry (`"properties"`, `"pipelines"`, `"owners"`) and when it was
    /// fetched (ms).
    pub fn catalogue(&self, kind: &str) -> Result<Option<(Value, i64)>, CacheError> {
        let row: Option<(String, i64)> = self
            .conn
            .query_row(
                "SELECT body, fetched_ms FROM catalogue WHERE kind = ?1",
                [kind],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.sqlite())?;
        row.map(|(body, at)| {
            serde_json::from_str(&body)
                .map(|v| (v, at))
                .map_err(|e| self.row_error(format!("catalogue {kind}: {e}")))
        })
        .transpose()
    }

    /// Stores a catalogue entry fetched at `fetched_ms`.
    pub fn put_catalogue(
        &mut self,
        kind: &str,
        value: &Value,
        fetched_ms: i64,
    ) -> Result<(), CacheError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO catalogue (kind, body, fetched_ms) VALUES (?1, ?2, ?3)",
                params![kind, value.to_string(), fetched_ms],
            )
            .map(|_| ())
            .map_err(self.sqlite())
    }

    /// Row count and bytes on disk.
    pub fn stats(&self) -> Result<Stats, CacheError> {
        let tickets: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM tickets", [], |r| r.get(0))
            .map_err(self.sqlite())?;
        let mut bytes = std::fs::metadata(&self.path).map_or(0, |m| m.len());
        let mut wal = self.path.as_os_str().to_owned();
        wal.push("-wal");
        bytes += std::fs::metadata(std::path::PathBuf::from(wal)).map_or(0, |m| m.len());
        Ok(Stats {
            tickets: u64::try_from(tickets).unwrap_or(0),
            bytes,
        })
    }

    /// IDs (ascending) of cached tickets with `lo <= id <= hi` created at or before
    /// `created_max_ms`: the local side of a reconciliation range.
    pub fn ids_in_range(
        &self,
        lo: i64,
        hi: i64,
        created_max_ms: i64,
    ) -> Result<Vec<i64>, CacheError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM tickets WHERE id BETWEEN ?1 AND ?2 AND created_ms <= ?3 ORDER BY id",
            )
            .map_err(self.sqlite())?;
        let rows = stmt
            .query_map(params![lo, hi, created_max_ms], |r| r.get(0))
            .map_err(self.sqlite())?;
        rows.collect::<Result<Vec<i64>, _>>().map_err(self.sqlite())
    }

    /// How many cached tickets were created at or before `created_max_ms`.
    pub fn count_created_up_to(&self, created_max_ms: i64) -> Result<u64, CacheError> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM tickets WHERE created_ms <= ?1",
                [created_max_ms],
                |r| r.get(0),
            )
            .map_err(self.sqlite())?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The newest `createdate` cached (ms), if any ticket is.
    pub fn max_created_ms(&self) -> Result<Option<i64>, CacheError> {
        self.conn
            .query_row("SELECT MAX(created_ms) FROM tickets", [], |r| r.get(0))
            .map_err(self.sqlite())
    }

    /// IDs of cached tickets whose `hs_lastmodifieddate` is in `from..=to` (ms), at most
    /// `limit` + 1 of them (so the caller sees whether there were more than `limit`).
    pub fn ids_modified_between(
        &self,
        from: i64,
        to: i64,
        limit: usize,
    ) -> Result<Vec<String>, CacheError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM tickets WHERE modified_ms BETWEEN ?1 AND ?2 ORDER BY id LIMIT ?3",
            )
            .map_err(self.sqlite())?;
        let take = i64::try_from(limit + 1).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![from, to, take], |r| r.get::<_, i64>(0))
            .map_err(self.sqlite())?;
        rows.map(|r| r.map(|id| id.to_string()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.sqlite())
    }
}

pub(super) fn tickets_in_pipeline(
    cache: &Cache,
    pipeline: Option<&str>,
) -> Result<Vec<Ticket>, CacheError> {
    match pipeline {
        Some(p) => cache.read_tickets(
            "SELECT id, body FROM tickets WHERE pipeline = ?1 ORDER BY modified_ms DESC",
            [p],
        ),
        None => cache.read_tickets("SELECT id, body FROM tickets ORDER BY modified_ms DESC", []),
    }
}

pub(super) fn all_tickets(cache: &Cache) -> Result<Vec<Ticket>, CacheError> {
    cache.read_tickets("SELECT id, body FROM tickets ORDER BY id", [])
}

pub(super) fn newest_in_pipeline(
    cache: &Cache,
    pipeline: Option<&str>,
    limit: usize,
) -> Result<Vec<Ticket>, CacheError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    match pipeline {
        Some(p) => cache.read_tickets(
            "SELECT id, body FROM tickets WHERE pipeline = ?1 ORDER BY modified_ms DESC LIMIT ?2",
            params![p, limit],
        ),
        None => cache.read_tickets(
            "SELECT id, body FROM tickets ORDER BY modified_ms DESC LIMIT ?1",
            [limit],
        ),
    }
}

pub(super) fn each_in_pipeline(
    cache: &Cache,
    pipeline: Option<&str>,
    keep: Keep<'_>,
    f: &mut dyn FnMut(Ticket) -> Result<(), CacheError>,
) -> Result<(), CacheError> {
    match pipeline {
        Some(p) => cache.walk_tickets(
            "SELECT id, body FROM tickets WHERE pipeline = ?1 ORDER BY modified_ms DESC",
            [p],
            keep,
            f,
        ),
        None => cache.walk_tickets(
            "SELECT id, body FROM tickets ORDER BY modified_ms DESC",
            [],
            keep,
            f,
        ),
    }
}

/// Calls `f` with the cached ticket `id`, if cached.
pub(super) fn by_id(
    cache: &Cache,
    id: i64,
    keep: Keep<'_>,
    f: &mut dyn FnMut(Ticket) -> Result<(), CacheError>,
) -> Result<(), CacheError> {
    cache.walk_tickets("SELECT id, body FROM tickets WHERE id = ?1", [id], keep, f)
}

pub(super) fn each_ticket<E: From<CacheError>>(
    cache: &Cache,
    f: &mut dyn FnMut(Ticket) -> Result<(), E>,
) -> Result<(), E> {
    cache.walk_tickets("SELECT id, body FROM tickets ORDER BY id", [], None, f)
}
