//! `hubtix sync`, `hubtix cache clear|info` and `hubtix tickets list --cached`: the command
//! line over the local cache (`cache.rs`) and the sync engine (`sync.rs`).
//!
//! Owns: which file is this portal's ([`cache_path`]), the progress bar (indicatif on stderr
//! when it is a terminal, plain lines otherwise), the summaries. Must not: sync or read rows
//! itself (the engine and the cache do), or print on stdout anything but data.

use std::io::IsTerminal;
use std::path::PathBuf;

use serde_json::{Value, json};

use crate::cache::{self, Cache, portals};
use crate::cli::{CacheCommand, ListArgs, OutputFormat, SyncArgs};
use crate::config::Paths;
use crate::domain::{Catalog, Ticket};
use crate::output::{self, RecordWriter};
use crate::sync::{self, Phase, Progress, SyncOptions};
use crate::tickets_cmd::{Connection, DEFAULT_COLUMNS, connect, label_record};

/// This portal's cache file: by base URL and portal — config.toml's `portal_id`, else the
/// portal HubSpot's account info named for this base URL and credential (remembered in the
/// cache folder, `cache::portals`), else the credential's "any portal" file until then. A
/// cache kept as "any" is moved to the portal's name the first time the portal is known
/// here (its rows kept). The demo's sandbox listens on a new port each run, so it is one
/// portal named `demo`.
pub fn cache_path(paths: &Paths, conn: &Connection, demo: bool) -> PathBuf {
    portals::adopt(locate(paths, conn, demo)).path
}

/// [`cache_path`] without moving anything: which file, for which portal, and why.
pub fn locate(paths: &Paths, conn: &Connection, demo: bool) -> portals::Located {
    if demo {
        return portals::Located {
            path: cache::file_for(&paths.cache_dir, "demo", None),
            portal: None,
            from: portals::PortalFrom::Demo,
            adopt_from: None,
        };
    }
    portals::locate(
        &paths.cache_dir,
        conn.client.base_url(),
        &portals::fingerprint(conn.client.token().expose()),
        conn.config.portal_id.as_deref(),
    )
}

/// Remembers the portal HubSpot's account info named for this base URL and credential, so
/// that the next start finds the portal's cache without asking (see [`cache_path`]). A
/// failure to write is logged: the cache stays "any" meanwhile.
pub fn remember_portal(
    cache_dir: &std::path::Path,
    base_url: &str,
    token: &crate::hubspot::AccessToken,
    portal_id: &str,
) {
    let credential = portals::fingerprint(token.expose());
    match portals::remember(cache_dir, base_url, &credential, portal_id) {
        Ok(true) => tracing::info!("portal {portal_id} remembered for {base_url}"),
        Ok(false) => {}
        Err(e) => tracing::warn!("cannot remember the portal of {base_url}: {e}"),
    }
}

/// Before a sync: the portal, when neither config.toml nor an earlier read names it (one
/// account-info request, once per base URL and credential). Failing, the cache stays "any".
async fn learn_portal(paths: &Paths, conn: &Connection, demo: bool) {
    if demo || locate(paths, conn, demo).portal.is_some() {
        return;
    }
    match conn.client.account_details().await {
        Ok(account) => remember_portal(
            &paths.cache_dir,
            conn.client.base_url(),
            conn.client.token(),
            &account.portal_id.to_string(),
        ),
        Err(e) => tracing::warn!(
            "account info: {}; the cache stays \"any portal\"",
            e.summary()
        ),
    }
}

/// Opens the cache, printing the notice (a rebuilt file) on stderr.
fn open(path: &std::path::Path) -> Result<Cache, String> {
    let opened = Cache::open(path).map_err(|e| e.to_string())?;
    if let Some(notice) = opened.notice {
        output::note_line(&format!("hubtix: {notice}"));
    }
    Ok(opened.cache)
}

/// The properties to cache besides the engine's own: every view's columns and sort.
pub fn view_properties(conn: &Connection) -> Vec<String> {
    let views = conn
        .config
        .views
        .clone()
        .unwrap_or_else(crate::views::defaults);
    let mut props: Vec<String> = views
        .iter()
        .flat_map(|v| {
            v.column_names()
                .into_iter()
                .chain(v.sort.as_ref().map(|s| s.property.clone()))
        })
        .filter(|p| p != "hs_object_id")
        .collect();
    props.sort();
    props.dedup();
    props
}

/// `hubtix sync`.
pub async fn sync(
    args: SyncArgs,
    demo: bool,
    base_url: Option<String>,
    paths: &Paths,
) -> Result<(), String> {
    let conn = connect(demo, base_url, paths).await?;
    let result = sync_with(&conn, args, demo, paths).await;
    if let Some(sandbox) = conn.sandbox {
        sandbox.shutdown().await;
    }
    result
}

async fn sync_with(
    conn: &Connection,
    args: SyncArgs,
    demo: bool,
    paths: &Paths,
) -> Result<(), String> {
    learn_portal(paths, conn, demo).await;
    let mut cache = open(&cache_path(paths, conn, demo))?;
    let options = SyncOptions {
        properties: view_properties(conn),
        budget_fraction: args.budget,
        ..SyncOptions::default()
    };
    let client = conn.client.clone();
    // The sync, with its SQLite writes, on a thread of its own; the bar comes back with it.
    let synced = sync::on_own_thread("hubtix-sync", move || async move {
        let mut bar = Bar::new();
        let mut report = |p: &Progress| bar.update(p);
        let result = sync::sync(&client, &mut cache, &options, &mut report).await;
        bar.finish();
        result
    })
    .await;
    let result = synced.ok_or_else(|| "sync: the sync's thread stopped".to_owned())?;
    let summary = result.map_err(|e| match e {
        sync::SyncError::Api(e) => format!("sync: {} (what was read is kept)", e.summary()),
        other => format!("sync: {other}"),
    })?;
    output::note_line(&format!(
        "synced: {} added, {} changed, {} removed; {} requests in {:.1} s; cache {} tickets, {}",
        summary.added,
        summary.changed,
        summary.removed,
        summary.requests,
        summary.elapsed.as_secs_f64(),
        summary.stats.tickets,
        human_bytes(summary.stats.bytes),
    ));
    Ok(())
}

/// The progress display: an indicatif bar on a terminal, a plain line every 10 % otherwise.
struct Bar {
    bar: Option<indicatif::ProgressBar>,
    last_tenth: Option<u64>,
}

impl Bar {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            let style = indicatif::ProgressStyle::with_template(
                "{msg:12} [{bar:40}] {pos}/{len} tickets, ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Self {
            bar,
            last_tenth: None,
        }
    }

    fn update(&mut self, p: &Progress) {
        let label = match p.phase {
            Phase::FirstSync => "first sync",
            Phase::Changes => "changes",
            Phase::Removals => "removals",
        };
        let done = p.done_before + p.tickets;
        if let Some(bar) = &self.bar {
            bar.set_message(label);
            bar.set_length(p.total.unwrap_or(done).max(done));
            bar.set_position(done);
            return;
        }
        let Some(total) = p.total.filter(|t| *t > 0) else {
            return;
        };
        let tenth = done * 10 / total;
        if self.last_tenth != Some(tenth) {
            self.last_tenth = Some(tenth);
            let eta = p
                .eta
                .map_or(String::new(), |e| format!(", about {} s left", e.as_secs()));
            output::note_line(&format!("{label}: {done}/{total} tickets{eta}"));
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn human_bytes(n: u64) -> String {
    const MB: f64 = 1024.0 * 1024.0;
    if n as f64 >= MB {
        format!("{:.1} MB", n as f64 / MB)
    } else {
        format!("{:.1} kB", n as f64 / 1024.0)
    }
}

/// `hubtix cache clear|info`.
pub async fn cache(
    cmd: CacheCommand,
    demo: bool,
    base_url: Option<String>,
    paths: &Paths,
) -> Result<(), String> {
    if let CacheCommand::Clear { all: true } = cmd {
        let mut freed = 0;
        let files = cache::all_files(&paths.cache_dir).map_err(|e| e.to_string())?;
        for f in &files {
            freed += cache::remove(f).map_err(|e| e.to_string())?;
        }
        output::line(&format!(
            "removed {} cache files, {}",
            files.len(),
            human_bytes(freed)
        ));
        return Ok(());
    }
    let conn = connect(demo, base_url, paths).await?;
    let located = portals::adopt(locate(paths, &conn, demo));
    let path = located.path.clone();
    if let Some(sandbox) = conn.sandbox {
        sandbox.shutdown().await;
    }
    match cmd {
        CacheCommand::Clear { .. } => {
            let freed = cache::remove(&path).map_err(|e| e.to_string())?;
            output::line(&format!(
                "removed {} ({})",
                path.display(),
                human_bytes(freed)
            ));
            Ok(())
        }
        CacheCommand::Info => info(&located),
    }
}

/// Which portal a cache file is for, and how that is known (`hubtix cache info`).
fn portal_line(located: &portals::Located) -> String {
    let portal = located.portal.as_deref().unwrap_or("?");
    match &located.from {
        portals::PortalFrom::Config => format!("{portal} (portal_id in config.toml)"),
        portals::PortalFrom::AccountInfo { seen_ms } => {
            let when = jiff::Timestamp::from_millisecond(*seen_ms)
                .map_or_else(|_| "?".to_owned(), |t| t.to_string());
            format!("{portal} (HubSpot's account info, read {when})")
        }
        portals::PortalFrom::Unknown => "not known yet: any portal of this base URL and \
             credential (hubtix sync or hubtix doctor asks HubSpot)"
            .to_owned(),
        portals::PortalFrom::Demo => "the demo's sandbox".to_owned(),
    }
}

fn info(located: &portals::Located) -> Result<(), String> {
    let path = located.path.as_path();
    output::line(&format!("file      {}", path.display()));
    output::line(&format!("portal    {}", portal_line(located)));
    if !path.exists() {
        output::line("state     none yet (run hubtix sync)");
        return Ok(());
    }
    let cache = open(path)?;
    let stats = cache.stats().map_err(|e| e.to_string())?;
    let state = cache.sync_state().map_err(|e| e.to_string())?;
    output::line(&format!("tickets   {}", stats.tickets));
    output::line(&format!("size      {}", human_bytes(stats.bytes)));
    let when = |ms: Option<i64>| {
        ms.and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
            .map_or_else(|| "never".to_owned(), |t| t.to_string())
    };
    output::line(&format!("synced    {}", when(state.last_sync_ms)));
    let first = if state.first_sync_done {
        "done"
    } else if state.resume_after.is_some() {
        "under way (the next sync resumes it)"
    } else {
        "not yet"
    };
    output::line(&format!("first     {first}"));
    output::line(&format!("watermark {}", when(state.watermark_ms)));
    Ok(())
}

/// A cached ticket as HubSpot's list answers show it (`id`, `properties`, times), so the
/// output formats print it as they print a live one.
fn record(t: &Ticket) -> Value {
    json!({
        "id": t.id,
        "properties": t.properties,
        "createdAt": t.created_at.map(|t| t.to_string()),
        "updatedAt": t.updated_at.map(|t| t.to_string()),
        "archived": false,
    })
}

/// Keeps the requested properties, a requested one without a value as `null`: what HubSpot
/// answers a live listing with (the cache keeps values only).
fn only_columns(props: &mut serde_json::Map<String, Value>, columns: &[String]) {
    props.retain(|k, _| columns.contains(k));
    for c in columns {
        props.entry(c.clone()).or_insert(Value::Null);
    }
}

/// The catalogue as last synced, for labels in `table` output and the TUI offline.
pub fn cached_catalog(cache: &Cache) -> Result<Catalog, String> {
    use crate::hubspot as hs;
    let get = |kind: &str| -> Result<Value, String> {
        Ok(cache
            .catalogue(kind)
            .map_err(|e| e.to_string())?
            .map_or(Value::Array(Vec::new()), |(v, _)| v))
    };
    let parse = |kind: &str, v: Value| format!("cached {kind}: {v}");
    let pipelines: Vec<hs::Pipeline> = serde_json::from_value(get(sync::PIPELINES)?)
        .map_err(|e| parse(sync::PIPELINES, Value::String(e.to_string())))?;
    let owners: Vec<hs::PublicOwner> = serde_json::from_value(get(sync::OWNERS)?)
        .map_err(|e| parse(sync::OWNERS, Value::String(e.to_string())))?;
    let properties: Vec<hs::Property> = serde_json::from_value(get(sync::PROPERTIES)?)
        .map_err(|e| parse(sync::PROPERTIES, Value::String(e.to_string())))?;
    let mut catalog = Catalog::default();
    catalog.set_pipelines(
        pipelines
            .into_iter()
            .map(crate::mapping::pipeline)
            .collect(),
    );
    catalog.set_owners(owners.into_iter().map(crate::mapping::owner).collect());
    catalog.set_properties(
        properties
            .into_iter()
            .map(crate::mapping::property)
            .collect(),
        Vec::new(),
    );
    Ok(catalog)
}

/// `hubtix tickets list --cached`: the cache only, no request. Without `--all`, the first
/// `--limit` (default 10) by ID, like a live first page.
pub fn list_cached(
    conn: &Connection,
    args: &ListArgs,
    demo: bool,
    paths: &Paths,
) -> Result<(), String> {
    let path = cache_path(paths, conn, demo);
    if !path.exists() {
        return Err(format!(
            "no cache for this portal yet ({}): run hubtix sync first",
            path.display()
        ));
    }
    let cache = open(&path)?;
    let tabular = matches!(args.output, OutputFormat::Table | OutputFormat::Csv);
    let columns: Vec<String> = if !args.properties.is_empty() {
        args.properties.clone()
    } else if tabular {
        DEFAULT_COLUMNS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        Vec::new()
    };
    let wanted = if args.all {
        usize::MAX
    } else {
        args.limit.unwrap_or(10)
    };
    let catalog = if args.output == OutputFormat::Table {
        Some(cached_catalog(&cache)?)
    } else {
        None
    };
    let stdout = std::io::stdout();
    let mut writer = RecordWriter::new(stdout.lock(), args.output, columns.clone());
    let shape = Shape {
        columns: &columns,
        catalog: catalog.as_ref(),
    };
    match write_cached(&cache, &mut writer, wanted, &shape) {
        Ok(()) | Err(Written::Enough) => Ok(()),
        Err(Written::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(Written::Io(e)) => Err(format!("cannot write the output: {e}")),
        Err(Written::Cache(e)) => Err(e.to_string()),
    }
}

/// Records written to the output a chunk at a time.
const CHUNK: usize = 500;

/// How a cached ticket is printed: only `columns` (all properties when empty), labelled
/// with `catalog` (the `table` output).
struct Shape<'a> {
    columns: &'a [String],
    catalog: Option<&'a Catalog>,
}

/// Why writing the cached tickets stopped early.
enum Written {
    /// `--limit` reached (not a failure).
    Enough,
    Io(std::io::Error),
    Cache(crate::cache::CacheError),
}

impl From<crate::cache::CacheError> for Written {
    fn from(e: crate::cache::CacheError) -> Self {
        Self::Cache(e)
    }
}

/// Streams the cached tickets by ascending ID into `writer`, at most `wanted`: rows go from
/// SQLite to the output a chunk at a time, so 100,000 tickets print in the memory of one
/// chunk, not of every ticket.
fn write_cached<W: std::io::Write>(
    cache: &Cache,
    writer: &mut RecordWriter<W>,
    wanted: usize,
    shape: &Shape<'_>,
) -> Result<(), Written> {
    write_walked(|f| cache.each_ticket(f), writer, wanted, shape)
}

/// [`write_cached`] over any walk of tickets (the cache's, or a test's).
fn write_walked<W: std::io::Write>(
    walk: impl FnOnce(&mut dyn FnMut(Ticket) -> Result<(), Written>) -> Result<(), Written>,
    writer: &mut RecordWriter<W>,
    wanted: usize,
    shape: &Shape<'_>,
) -> Result<(), Written> {
    writer.begin().map_err(Written::Io)?;
    let mut chunk: Vec<Value> = Vec::with_capacity(CHUNK.min(wanted));
    let mut seen = 0;
    let walked = walk(&mut |t| {
        if seen == wanted {
            return Err(Written::Enough);
        }
        seen += 1;
        chunk.push(shaped(&t, shape));
        if chunk.len() == CHUNK {
            writer.page(&chunk).map_err(Written::Io)?;
            chunk.clear();
        }
        Ok(())
    });
    match walked {
        Ok(()) | Err(Written::Enough) => {}
        Err(e) => return Err(e),
    }
    writer.page(&chunk).map_err(Written::Io)?;
    writer.finish().map(|_| ()).map_err(Written::Io)
}

/// One cached ticket as a record, cut to the columns and labelled for a table.
fn shaped(t: &Ticket, shape: &Shape<'_>) -> Value {
    let mut r = record(t);
    if !shape.columns.is_empty()
        && let Some(props) = r.get_mut("properties").and_then(Value::as_object_mut)
    {
        only_columns(props, shape.columns);
    }
    if let Some(catalog) = shape.catalog {
        label_record(catalog, &mut r);
    }
    r
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;

    /// Output that notes how many tickets had been read when the first record reached it.
    struct Spy {
        read: Rc<Cell<usize>>,
        first_write_at: Rc<Cell<Option<usize>>>,
        lines: usize,
    }

    impl std::io::Write for Spy {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.first_write_at.get().is_none() {
                self.first_write_at.set(Some(self.read.get()));
            }
            self.lines += buf.iter().filter(|b| **b == b'\n').count();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn ticket(n: usize) -> Ticket {
        Ticket {
            id: (1001 + n).to_string(),
            properties: [("subject".to_owned(), format!("ticket {n}"))].into(),
            created_at: None,
            updated_at: None,
            archived: false,
            history: None,
        }
    }

    fn write(total: usize, wanted: usize) -> (Option<usize>, usize, usize) {
        let read = Rc::new(Cell::new(0));
        let first = Rc::new(Cell::new(None));
        let spy = Spy {
            read: Rc::clone(&read),
            first_write_at: Rc::clone(&first),
            lines: 0,
        };
        let mut writer = RecordWriter::new(spy, OutputFormat::Jsonl, Vec::new());
        let shape = Shape {
            columns: &[],
            catalog: None,
        };
        let walk = |f: &mut dyn FnMut(Ticket) -> Result<(), Written>| {
            for n in 0..total {
                read.set(read.get() + 1);
                f(ticket(n))?;
            }
            Ok(())
        };
        assert!(write_walked(walk, &mut writer, wanted, &shape).is_ok());
        let lines = writer.finish().expect("finish");
        (first.get(), read.get(), lines)
    }

    #[test]
    fn cached_tickets_stream_to_the_output_a_chunk_at_a_time() {
        let total = 10 * CHUNK + 7;
        let (first_write_at, read, written) = write(total, usize::MAX);
        assert_eq!(
            first_write_at,
            Some(CHUNK),
            "the first records went out after one chunk was read, not after all {total}"
        );
        assert_eq!((read, written), (total, total));
    }

    #[test]
    fn a_limit_stops_reading_the_cache() {
        let (_, read, written) = write(10 * CHUNK, 10);
        assert_eq!(written, 10);
        assert_eq!(read, 11, "one row past the limit, not the whole cache");
    }
}
