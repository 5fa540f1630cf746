//! Opening the file: creating it private, WAL, the schema version and its migrations, and
//! moving an unusable file aside. Must not: read or write rows (that is `store.rs`).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::{Cache, CacheError, Opened};
use crate::config::{create_private_dir, private_file_options};

/// The schema this build writes. Versions below it are migrated step by step
/// ([`MIGRATIONS`]); a file with a higher one (a newer hubtix) is moved aside and rebuilt.
pub const SCHEMA_VERSION: i64 = 1;

/// `MIGRATIONS[n]` takes a file from version `n` to `n + 1` (version 0 is a new, empty file).
const MIGRATIONS: &[&str] = &[
    // 0 -> 1: the first schema.
    "CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        pipeline TEXT NOT NULL,
        modified_ms INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        body TEXT NOT NULL
     );
     CREATE INDEX tickets_by_pipeline ON tickets (pipeline, modified_ms);
     CREATE INDEX tickets_by_modified ON tickets (modified_ms);
     CREATE INDEX tickets_by_created ON tickets (created_ms);
     CREATE TABLE catalogue (
        kind TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        fetched_ms INTEGER NOT NULL
     );
     CREATE TABLE sync_state (
        key TEXT PRIMARY KEY,
        body TEXT NOT NULL
     );",
];

/// Why a file could not be used as it is.
enum Unusable {
    /// Not a database, or damaged.
    Corrupt(String),
    /// Written by a newer hubtix.
    TooNew(i64),
}

/// How much of the file [`open`] checks before using it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Check {
    /// The header, the schema version and every page (`PRAGMA quick_check`): hundreds of
    /// milliseconds on a 60 MB file.
    Pages,
    /// The header and the schema version only: a file that is not a database or is too new
    /// is still caught; damaged pages are found by [`pages_ok`] later (the TUI's start).
    Header,
}

pub(super) fn open(path: &Path, check: Check) -> Result<Opened, CacheError> {
    let io = |source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        create_private_dir(dir).map_err(io)?;
    }
    match try_open(path, check)? {
        Ok(cache) => Ok(Opened {
            cache,
            notice: None,
        }),
        Err(why) => {
            let aside = move_aside(path)?;
            let notice = match why {
                Unusable::Corrupt(e) => format!(
                    "the cache was unreadable ({e}); it was moved to {} and is rebuilt by the next sync",
                    aside.display()
                ),
                Unusable::TooNew(v) => format!(
                    "the cache was written by a newer hubtix (schema {v}, this one knows {SCHEMA_VERSION}); it was moved to {} and is rebuilt by the next sync",
                    aside.display()
                ),
            };
            match try_open(path, check)? {
                Ok(cache) => Ok(Opened {
                    cache,
                    notice: Some(notice),
                }),
                Err(Unusable::Corrupt(e)) => Err(CacheError::Io {
                    path: path.to_path_buf(),
                    source: std::io::Error::other(format!("a new cache is unusable too: {e}")),
                }),
                Err(Unusable::TooNew(v)) => Err(CacheError::Io {
                    path: path.to_path_buf(),
                    source: std::io::Error::other(format!("a new cache has schema {v}")),
                }),
            }
        }
    }
}

/// Opens and migrates; `Ok(Err(_))` when the file itself is the problem (move it aside),
/// `Err(_)` when something else is (no disk, no permission, locked).
fn try_open(path: &Path, check: Check) -> Result<Result<Cache, Unusable>, CacheError> {
    let sqlite = |source| CacheError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    // Created private before SQLite sees it; SQLite gives its -wal and -shm files the main
    // file's permissions.
    private_file_options()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| CacheError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
    match prepare(&conn, check) {
        Ok(()) => Ok(Ok(Cache {
            conn,
            path: path.to_path_buf(),
        })),
        Err(PrepareError::Unusable(why)) => Ok(Err(why)),
        Err(PrepareError::Sqlite(e)) => Err(sqlite(e)),
    }
}

enum PrepareError {
    Unusable(Unusable),
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for PrepareError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => {
                PrepareError::Unusable(Unusable::Corrupt(e.to_string()))
            }
            _ => PrepareError::Sqlite(e),
        }
    }
}

/// WAL, the version check, the migrations, and a quick look at the pages (a damaged file
/// fails here rather than in the middle of a sync).
fn prepare(conn: &Connection, check: Check) -> Result<(), PrepareError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(PrepareError::Unusable(Unusable::TooNew(version)));
    }
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    if check == Check::Pages
        && let Err(why) = pages_ok(conn)?
    {
        return Err(PrepareError::Unusable(Unusable::Corrupt(why)));
    }
    let from = usize::try_from(version).unwrap_or(0);
    for (n, sql) in MIGRATIONS.iter().enumerate().skip(from) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(
            None,
            "user_version",
            i64::try_from(n + 1).unwrap_or(i64::MAX),
        )?;
        tx.commit()?;
    }
    Ok(())
}

/// Every page readable (`PRAGMA quick_check(1)`): `Ok(Err(what))` names the first damage.
pub(super) fn pages_ok(conn: &Connection) -> Result<Result<(), String>, rusqlite::Error> {
    let check: String = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))?;
    Ok(if check == "ok" { Ok(()) } else { Err(check) })
}

/// Renames the file (and its -wal/-shm) to `<name>.unusable-<ms>`.
fn move_aside(path: &Path) -> Result<PathBuf, CacheError> {
    let stamp = jiff::Timestamp::now().as_millisecond();
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".unusable-{stamp}"));
    let aside = PathBuf::from(aside);
    std::fs::rename(path, &aside).map_err(|source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        // Stale companions of the old file would be replayed into the new one.
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    Ok(aside)
}
