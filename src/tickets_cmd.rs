//! `hubtix tickets list|get`: the non-interactive ticket commands, and the connection set-up
//! they share with the TUI (`--demo` sandbox, or a token and base URL for HubSpot).

use std::collections::BTreeMap;
use std::io::Write;

use futures_util::StreamExt;
use serde_json::Value;

use crate::cli::{GetArgs, ListArgs, OutputFormat, TicketsCommand};
use crate::config::{Config, Paths};
use crate::domain::{Catalog, HistoryValue, Owner};
use crate::hubspot::{
    AccessToken, Client, ClientConfig, GetQuery, HUBSPOT_BASE_URL, LIST_LIMIT_MAX, ListQuery,
};
use crate::output::{self, RecordWriter};
use crate::sandbox::{SandboxConfig, SandboxHandle};

/// Columns of `table` and `csv` output when `--properties` is not given.
pub const DEFAULT_COLUMNS: [&str; 5] = [
    "subject",
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "hubspot_owner_id",
    "hs_lastmodifieddate",
];

/// A client ready to use, and the sandbox behind it in demo mode (kept alive as long as this).
pub struct Connection {
    pub client: Client,
    pub sandbox: Option<SandboxHandle>,
    pub config: Config,
}

/// Connects to the embedded sandbox (`--demo`) or to HubSpot with the user's token.
pub async fn connect(
    demo: bool,
    base_url: Option<String>,
    paths: &Paths,
) -> Result<Connection, String> {
    let config = Config::load(paths).map_err(|e| e.to_string())?;
    if demo {
        // The demo data ends at the current hour, so views relative to today have data.
        let sandbox = crate::sandbox::spawn(SandboxConfig {
            reference_ms: Some(crate::sandbox::current_hour_ms()),
            ..SandboxConfig::default()
        })
        .await
        .map_err(|e| format!("cannot start the demo sandbox: {e}"))?;
        let token = AccessToken::new(SandboxConfig::default().token);
        let client =
            Client::new(client_config(sandbox.base_url(), token)?).map_err(|e| e.summary())?;
        return Ok(Connection {
            client,
            sandbox: Some(sandbox),
            config,
        });
    }
    let env_token = std::env::var("HUBSPOT_ACCESS_TOKEN").ok();
    let Some((token, _source)) = crate::credentials::resolve(env_token, paths, &config)? else {
        return Err(
            "no HubSpot access token or service key: run `hubtix login`, or set \
             HUBSPOT_ACCESS_TOKEN to a service key or a private app's access token (see the \
             README), or try the demo with --demo"
                .into(),
        );
    };
    let base = base_url
        .filter(|u| !u.is_empty())
        .or_else(|| config.base_url.clone())
        .unwrap_or_else(|| HUBSPOT_BASE_URL.to_owned());
    let client = Client::new(client_config(base, token)?).map_err(|e| e.summary())?;
    Ok(Connection {
        client,
        sandbox: None,
        config,
    })
}

/// The client's settings: defaults, and `HUBTIX_TIMEOUT` (seconds per request, e.g. `30` or
/// `2.5`; default 30) when set.
fn client_config(base_url: String, token: AccessToken) -> Result<ClientConfig, String> {
    let mut config = ClientConfig::new(base_url, token);
    if let Some(value) = std::env::var_os("HUBTIX_TIMEOUT").filter(|v| !v.is_empty()) {
        config.timeout = parse_timeout(&value.to_string_lossy())?;
    }
    Ok(config)
}

/// `HUBTIX_TIMEOUT`'s value: a positive number of seconds.
fn parse_timeout(value: &str) -> Result<std::time::Duration, String> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| (0.001..=3600.0).contains(s))
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| {
            let shown: String = value.chars().take(40).collect();
            format!("HUBTIX_TIMEOUT must be a number of seconds from 0.001 to 3600, e.g. 30 or 2.5: {shown:?}")
        })
}

/// Runs `hubtix tickets ...`.
pub async fn run(
    cmd: TicketsCommand,
    demo: bool,
    base_url: Option<String>,
    paths: &Paths,
) -> Result<(), String> {
    let conn = connect(demo, base_url, paths).await?;
    let result = match cmd {
        TicketsCommand::List(args) if args.cached => {
            crate::cache_cmd::list_cached(&conn, &args, demo, paths)
        }
        TicketsCommand::List(args) => list(&conn.client, args).await,
        TicketsCommand::Get(args) => get(&conn.client, args).await,
        TicketsCommand::Update(args) => crate::write_cmd::update(&conn, args, paths, demo).await,
        TicketsCommand::Archive(args) => crate::write_cmd::archive(&conn, args, paths, demo).await,
        TicketsCommand::Merge(args) => crate::write_cmd::merge(&conn, args, paths, demo).await,
        TicketsCommand::Note(args) => crate::write_cmd::note(&conn, args, paths, demo).await,
        TicketsCommand::Pin(args) => crate::write_cmd::pin(&conn, args, paths, demo).await,
        TicketsCommand::Search(args) => crate::write_cmd::search(&conn, args, paths, demo).await,
        TicketsCommand::Create(args) => crate::write_cmd::create(&conn, args, paths, demo).await,
        TicketsCommand::Associate(args) => {
            crate::write_cmd::associate(&conn, args, paths, demo).await
        }
        TicketsCommand::Unassociate(args) => {
            crate::write_cmd::unassociate(&conn, args, paths, demo).await
        }
    };
    if let Some(sandbox) = conn.sandbox {
        sandbox.shutdown().await;
    }
    result
}

fn broken_pipe(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

/// Output errors: a reader that went away (`| head`) ends the listing quietly.
fn io_result(r: std::io::Result<()>) -> Result<bool, String> {
    match r {
        Ok(()) => Ok(true),
        Err(e) if broken_pipe(&e) => Ok(false),
        Err(e) => Err(format!("cannot write the output: {e}")),
    }
}

async fn list(client: &Client, args: ListArgs) -> Result<(), String> {
    let tabular = matches!(args.output, OutputFormat::Table | OutputFormat::Csv);
    let columns: Vec<String> = if args.properties.is_empty() {
        if tabular {
            DEFAULT_COLUMNS.iter().map(|s| (*s).to_owned()).collect()
        } else {
            Vec::new() // HubSpot's default properties, as its own clients get them.
        }
    } else {
        args.properties.clone()
    };
    let labels = if args.output == OutputFormat::Table {
        Some(load_labels(client).await?)
    } else {
        None
    };
    let stdout = std::io::stdout();
    let mut writer = RecordWriter::new(stdout.lock(), args.output, columns.clone());
    if !io_result(writer.begin())? {
        return Ok(());
    }
    let wanted = if args.all {
        usize::MAX
    } else {
        args.limit.unwrap_or(10)
    };
    let page_size = if args.all {
        args.limit.map_or(LIST_LIMIT_MAX, |l| {
            l.clamp(1, LIST_LIMIT_MAX as usize) as u32
        })
    } else {
        wanted.clamp(1, LIST_LIMIT_MAX as usize) as u32
    };
    let query = ListQuery {
        limit: Some(page_size),
        properties: columns,
        archived: args.archived,
        ..ListQuery::default()
    };
    let mut pages = Box::pin(client.list_object_pages::<Value>("tickets", query));
    let mut written = 0usize;
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| e.summary())?;
        let take = (wanted - written).min(page.results.len());
        let mut records = page.results;
        records.truncate(take);
        if let Some(catalog) = &labels {
            for r in &mut records {
                label_record(catalog, r);
            }
        }
        if !io_result(writer.page(&records))? {
            return Ok(());
        }
        written += records.len();
        if written >= wanted {
            break;
        }
    }
    match writer.finish() {
        Ok(_) => Ok(()),
        Err(e) if broken_pipe(&e) => Ok(()),
        Err(e) => Err(format!("cannot write the output: {e}")),
    }
}

async fn get(client: &Client, args: GetArgs) -> Result<(), String> {
    let mut properties = args.properties.clone();
    let mut with_history = Vec::new();
    if args.history {
        if properties.is_empty() {
            // Every property, each with its history.
            properties = client
                .properties("tickets")
                .await
                .map_err(|e| e.summary())?
                .into_iter()
                .map(|p| p.name)
                .collect();
        }
        with_history.clone_from(&properties);
    }
    let query = GetQuery {
        id_property: args.id_property.clone(),
        properties,
        properties_with_history: with_history,
        associations: args.associations.clone(),
        archived: args.archived,
    };
    let record = client
        .get_object::<Value>("tickets", &args.id, &query)
        .await
        .map_err(|e| {
            if e.is_not_found() {
                format!("{}: {}", not_found(&args), e.summary())
            } else {
                e.summary()
            }
        })?;
    let out = std::io::stdout();
    let mut out = out.lock();
    let written = match args.output {
        OutputFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&record).map_err(|e| e.to_string())?
        ),
        OutputFormat::Jsonl => writeln!(out, "{record}"),
        OutputFormat::Csv => {
            let mut w = RecordWriter::new(&mut out, OutputFormat::Csv, property_names(&record));
            w.begin()
                .and_then(|()| w.page(std::slice::from_ref(&record)))
                .and_then(|()| w.finish().map(|_| ()))
        }
        OutputFormat::Table => {
            let catalog = load_labels(client).await?;
            write_ticket_table(&mut out, &catalog, &record)
        }
    };
    io_result(written).map(|_| ())
}

/// What `tickets get` did not find, by the ID or property value it was given.
fn not_found(args: &GetArgs) -> String {
    let archived = if args.archived { "archived " } else { "" };
    match &args.id_property {
        Some(property) => format!("no {archived}ticket with {property} {}", args.id),
        None => format!("{archived}ticket {} not found", args.id),
    }
}

fn property_names(record: &Value) -> Vec<String> {
    record
        .get("properties")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Pipelines, properties and owners, to show labels and names in `table` output.
pub(crate) async fn load_labels(client: &Client) -> Result<Catalog, String> {
    let (pipelines, owners, properties) = tokio::join!(
        client.pipelines("tickets"),
        client.owners(),
        client.properties("tickets")
    );
    let mut catalog = Catalog::default();
    catalog.set_pipelines(
        pipelines
            .map_err(|e| e.summary())?
            .into_iter()
            .map(crate::mapping::pipeline)
            .collect(),
    );
    catalog.set_owners(
        owners
            .map_err(|e| e.summary())?
            .into_iter()
            .map(crate::mapping::owner)
            .collect::<Vec<Owner>>(),
    );
    catalog.set_properties(
        properties
            .map_err(|e| e.summary())?
            .into_iter()
            .map(crate::mapping::property)
            .collect(),
        Vec::new(),
    );
    Ok(catalog)
}

/// Replaces IDs and raw values with what a person reads (table output only).
pub(crate) fn label_record(catalog: &Catalog, record: &mut Value) {
    let pipeline = output::property(record, "hs_pipeline").to_owned();
    let Some(props) = record.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    let mut ticket = crate::domain::Ticket {
        id: String::new(),
        properties: BTreeMap::new(),
        created_at: None,
        updated_at: None,
        archived: false,
        history: None,
    };
    ticket.properties.insert("hs_pipeline".into(), pipeline);
    for (name, value) in props.iter_mut() {
        if let Some(v) = value.as_str() {
            *value = Value::String(catalog.display_value(Some(&ticket), name, v));
        }
    }
}

fn write_ticket_table(
    out: &mut impl Write,
    catalog: &Catalog,
    record: &Value,
) -> std::io::Result<()> {
    let id = output::record_id(record);
    let mut labelled = record.clone();
    label_record(catalog, &mut labelled);
    writeln!(
        out,
        "Ticket {}  {}",
        output::sanitize(id),
        output::sanitize(output::property(&labelled, "subject"))
    )?;
    let names = property_names(record);
    let width = names
        .iter()
        .map(|n| crate::text::width(catalog.property_label(n)))
        .max()
        .unwrap_or(0)
        .min(32);
    for name in &names {
        let value = output::property(&labelled, name);
        if value.is_empty() {
            continue;
        }
        writeln!(
            out,
            "  {}  {}",
            crate::text::pad_to_width(catalog.property_label(name), width),
            output::sanitize(value)
        )?;
    }
    if let Some(history) = record
        .get("propertiesWithHistory")
        .and_then(Value::as_object)
    {
        let mut per_property = BTreeMap::new();
        for (name, values) in history {
            let parsed: Vec<HistoryValue> = values
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(crate::mapping::history_value_json)
                        .collect()
                })
                .unwrap_or_default();
            per_property.insert(name.clone(), parsed);
        }
        let timeline = crate::domain::timeline(&per_property);
        writeln!(out, "\nHistory ({} changes, newest first)", timeline.len())?;
        let ticket = crate::domain::Ticket {
            id: id.to_owned(),
            properties: BTreeMap::from([(
                "hs_pipeline".to_owned(),
                output::property(record, "hs_pipeline").to_owned(),
            )]),
            created_at: None,
            updated_at: None,
            archived: false,
            history: None,
        };
        for e in timeline {
            let show = |v: &str| catalog.display_value(Some(&ticket), &e.property, v);
            let old = e.old.as_deref().map(show).unwrap_or_else(|| "—".to_owned());
            let who = match e.updated_by_user_id {
                Some(u) => catalog
                    .owner_by_user_id(u)
                    .map_or_else(|| format!("user {u}"), Owner::display_name),
                None => e
                    .source_label
                    .clone()
                    .or(e.source_id.clone())
                    .unwrap_or_default(),
            };
            writeln!(
                out,
                "  {}  {}  {} → {}  ({} {})",
                catalog.local(e.timestamp),
                output::sanitize(catalog.property_label(&e.property)),
                crate::text::truncate_to_width(&output::sanitize(&old), 40),
                crate::text::truncate_to_width(&output::sanitize(&show(&e.new)), 40),
                output::sanitize(&e.source_type),
                output::sanitize(&who),
            )?;
        }
    }
    if let Some(assoc) = record.get("associations").and_then(Value::as_object) {
        writeln!(out, "\nAssociations")?;
        for (kind, list) in assoc {
            let items: Vec<String> = list
                .get("results")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|r| {
                            format!(
                                "{} ({})",
                                r.get("id").and_then(Value::as_str).unwrap_or(""),
                                r.get("type").and_then(Value::as_str).unwrap_or("")
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            writeln!(out, "  {kind}: {}", output::sanitize(&items.join(", ")))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_is_a_positive_number_of_seconds() {
        use std::time::Duration;
        assert_eq!(parse_timeout("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_timeout(" 2.5 "), Ok(Duration::from_millis(2500)));
        for bad in ["0", "-1", "abc", "NaN", "inf", "1e9", ""] {
            let err = parse_timeout(bad).expect_err(bad);
            assert!(err.starts_with("HUBTIX_TIMEOUT must be"), "{err}");
        }
    }
}
