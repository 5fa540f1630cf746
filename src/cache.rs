//! The local ticket cache: one SQLite file per portal (base URL + portal ID) in the cache
//! folder, holding tickets with the properties the views and columns use, the catalogue
//! (properties, pipelines, owners as JSON with when they were fetched) and the sync state
//! (cursors, watermarks, the first sync's resume point).
//!
//! Owns: the file (its name, 0600 from creation, WAL), the schema and its migrations
//! (`PRAGMA user_version`), moving a corrupt, too-new or unreadable file aside and rebuilding
//! it (the caller gets a one-line [`Opened::notice`], never a panic), and every read and
//! write of the cache. Must not: do HTTP or know HubSpot's wire types (the sync engine,
//! `sync.rs`, maps them to [`Ticket`] first), know the UI, or decide what is fresh.
//!
//! Layout, and why: `tickets` has one row per ticket with the columns a query selects or
//! orders by — `id` (integer primary key: ranges for reconciliation), `pipeline`,
//! `modified_ms` (`hs_lastmodifieddate`), `created_ms` — and every cached property as one
//! JSON object. The `/` filter and a view evaluated locally read all the candidates of one
//! pipeline into memory once ([`Cache::tickets_in_pipeline`], an index range) and then match
//! in memory, which is faster per keystroke than any SQL over JSON and keeps any property a
//! view names (custom ones included) without a schema change. A column per property would
//! need a migration each time a view adds a column and would not make the in-memory match
//! faster.
//!
//! For the TUI: open once at start ([`Cache::open`]), show the notice if any, read the view's
//! candidates ([`Cache::tickets_in_pipeline`] or [`Cache::tickets`]) for the warm start and
//! `/`, [`Cache::sync_state`] for "as of …". `Cache` is `Send`, not `Sync`: keep it in one
//! task (the sync task), or open a second connection for reads (WAL lets reads run while a
//! sync writes).

pub mod portals;
mod schema;
mod store;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use schema::SCHEMA_VERSION;
pub use store::{Applied, Batch, Stats, SyncState, created_ms, modified_ms};

use crate::domain::Ticket;

/// What went wrong with the cache (after the rebuild a corrupt file gets; these are the
/// errors a rebuild cannot cure: no folder, no disk, a locked file).
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// SQLite refused.
    #[error("cache {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file or its folder could not be created, moved or removed.
    #[error("cache {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A stored value did not parse (JSON in a row).
    #[error("cache {path}: unreadable row: {message}")]
    Row { path: PathBuf, message: String },
}

/// An open cache.
#[derive(Debug)]
pub struct Cache {
    conn: rusqlite::Connection,
    path: PathBuf,
}

/// What [`Cache::open`] gives: the cache, and a one-line notice when the old file had to be
/// moved aside (corrupt, written by a newer hubtix, unreadable).
#[derive(Debug)]
pub struct Opened {
    pub cache: Cache,
    pub notice: Option<String>,
}

/// The cache file of a portal: `tickets-<host>-<portal>-<hash>.sqlite3` in `cache_dir`. The
/// host and portal are sanitised for reading; the hash (of the exact base URL and portal)
/// keeps two portals apart even when they sanitise alike.
pub fn file_for(cache_dir: &Path, base_url: &str, portal: Option<&str>) -> PathBuf {
    let base = base_url.trim().trim_end_matches('/');
    let portal = portal.unwrap_or("");
    named(cache_dir, base, portal, &format!("{base}\n{portal}"))
}

/// `tickets-<host>-<portal or any>-<hash of hashed>.sqlite3` in `cache_dir`.
fn named(cache_dir: &Path, base: &str, portal: &str, hashed: &str) -> PathBuf {
    let host = base
        .split_once("://")
        .map_or(base, |(_, rest)| rest)
        .to_ascii_lowercase();
    let hash = fnv1a(hashed.as_bytes());
    let name = format!(
        "tickets-{}-{}-{hash:016x}.sqlite3",
        sanitise(&host),
        if portal.is_empty() {
            "any".to_owned()
        } else {
            sanitise(portal)
        }
    );
    cache_dir.join(name)
}

/// Every cache file in `cache_dir` (for `hubtix cache clear --all`), with its WAL and
/// shared-memory companions and files moved aside.
pub fn all_files(cache_dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(cache_dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let is_cache = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("tickets-") && n.contains(".sqlite3"));
        if is_cache && path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Removes a cache file and its companions (`-wal`, `-shm`, files moved aside). Returns the
/// bytes freed. A missing file is not an error.
pub fn remove(path: &Path) -> Result<u64, CacheError> {
    let mut freed = 0;
    let dir = path.parent().unwrap_or(Path::new("."));
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return Ok(0);
    };
    for candidate in all_files(dir).map_err(|source| CacheError::Io {
        path: dir.to_path_buf(),
        source,
    })? {
        let matches = candidate
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(name));
        if !matches {
            continue;
        }
        freed += std::fs::metadata(&candidate).map_or(0, |m| m.len());
        std::fs::remove_file(&candidate).map_err(|source| CacheError::Io {
            path: candidate.clone(),
            source,
        })?;
    }
    Ok(freed)
}

fn sanitise(s: &str) -> String {
    let cut: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    cut.trim_matches('_').to_owned()
}

/// FNV-1a, 64 bits: stable across builds and platforms (the standard hasher is not).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Cache {
    /// Opens (creating when missing) the cache at `path`. A file that is not a database, is
    /// damaged, or has a schema this hubtix cannot migrate (written by a newer one) is moved
    /// aside to `<name>.unusable-<ms>` and a new one built; the notice says so in one line.
    pub fn open(path: &Path) -> Result<Opened, CacheError> {
        schema::open(path, schema::Check::Pages)
    }

    /// [`Cache::open`] without reading every page first: the header and the schema version
    /// are checked (a file that is no database, or a newer hubtix's, is still moved aside with
    /// the notice), damaged pages are not. For the TUI's start, which must not wait for a
    /// whole-file scan; it runs [`Cache::pages_ok`] once its first rows are on screen.
    pub fn open_quick(path: &Path) -> Result<Opened, CacheError> {
        schema::open(path, schema::Check::Header)
    }

    /// Whether every page of the file reads (`PRAGMA quick_check`); `Err` names the damage
    /// (or the error that stopped the check). Reopening with [`Cache::open`] then moves the
    /// file aside and starts a new one.
    pub fn pages_ok(&self) -> Result<(), String> {
        match schema::pages_ok(&self.conn) {
            Ok(result) => result,
            Err(e) => Err(e.to_string()),
        }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sqlite(&self) -> impl Fn(rusqlite::Error) -> CacheError + '_ {
        |source| CacheError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Every cached ticket of `pipeline` (all pipelines when `None`), newest change first.
    pub fn tickets_in_pipeline(&self, pipeline: Option<&str>) -> Result<Vec<Ticket>, CacheError> {
        store::tickets_in_pipeline(self, pipeline)
    }

    /// Every cached ticket, by ascending ID (what `hubtix tickets list --cached` prints).
    pub fn tickets(&self) -> Result<Vec<Ticket>, CacheError> {
        store::all_tickets(self)
    }

    /// The newest `limit` cached tickets of `pipeline` (all pipelines when `None`), newest
    /// change first: the warm start's screen, read without the rest.
    pub fn newest_in_pipeline(
        &self,
        pipeline: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Ticket>, CacheError> {
        store::newest_in_pipeline(self, pipeline, limit)
    }

    /// Calls `f` with every cached ticket of `pipeline` (all when `None`), newest change
    /// first, each read with only `properties` and handed over as SQLite yields it (the `/`
    /// filter's index is built this way: nothing is collected, the peak is the index).
    pub fn each_queued(
        &self,
        pipeline: Option<&str>,
        properties: &[String],
        f: &mut dyn FnMut(Ticket),
    ) -> Result<(), CacheError> {
        let keep: std::collections::HashSet<&str> = properties.iter().map(String::as_str).collect();
        store::each_in_pipeline(self, pipeline, Some(&keep), &mut |t| {
            f(t);
            Ok(())
        })
    }

    /// The cached tickets `ids` (those not cached are left out), in the order asked, keeping
    /// only `properties`: the rows of the queue on screen.
    pub fn queue_rows(
        &self,
        ids: &[String],
        properties: &[String],
    ) -> Result<Vec<Ticket>, CacheError> {
        let keep: std::collections::HashSet<&str> = properties.iter().map(String::as_str).collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let Ok(n) = id.parse::<i64>() else { continue };
            store::by_id(self, n, Some(&keep), &mut |t| {
                out.push(t);
                Ok(())
            })?;
        }
        Ok(out)
    }

    /// Calls `f` with every cached ticket by ascending ID, one row at a time (nothing is
    /// collected: `hubtix tickets list --cached --all` streams 100,000 rows this way). An
    /// error from `f` stops the walk and is returned.
    pub fn each_ticket<E: From<CacheError>>(
        &self,
        f: &mut dyn FnMut(Ticket) -> Result<(), E>,
    ) -> Result<(), E> {
        store::each_ticket(self, f)
    }
}
