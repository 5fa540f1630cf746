//! Command-line definitions (clap). Parsing only: no I/O here.
//!
//! Every argument is checked while parsing (an empty ID, `--limit 0`, an unknown association
//! type, a bad `--output`), so a mistake is a usage error before any request; [`usage_line`]
//! condenses clap's multi-line errors into the one line the CLI prints.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand, ValueEnum};

/// hubtix: triage HubSpot tickets from the terminal.
#[derive(Debug, Parser)]
#[command(name = "hubtix", version, about, long_about = None)]
pub struct Cli {
    /// Run against an embedded sandbox with realistic seeded data (no account, no network).
    #[arg(long, global = true)]
    pub demo: bool,

    /// Send no change to HubSpot: every write is refused with one line saying why (also
    /// `read_only = true` in config.toml).
    #[arg(long)]
    pub read_only: bool,

    /// HubSpot API base URL [default: https://api.hubapi.com, or `base_url` in config.toml].
    #[arg(long, env = "HUBTIX_BASE_URL", global = true, value_parser = parse_base_url)]
    pub base_url: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HubSpot-compatible sandbox server in the foreground.
    Sandbox(SandboxArgs),
    /// Print tickets.
    #[command(subcommand)]
    Tickets(TicketsCommand),
    /// Show where config, data, cache and logs live.
    Paths,
    /// Bring this portal's local cache up to date (the first time: every ticket).
    Sync(SyncArgs),
    /// The local cache: what it holds, or remove it.
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Print shell completions (bash, zsh, fish, powershell, elvish) to stdout.
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    Man,
    /// Check the credential, its scopes, the portal, the clock, config.toml, the cache and the
    /// terminal: one line each, ✓ or ✗ with the fix (exit code 1 on any ✗).
    Doctor,
    /// Store a service key or access token (read without echo, checked with HubSpot first).
    Login,
    /// Remove what `hubtix login` stored.
    Logout,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Share of the rate limit to spend, from 0.01 to 1 (a background sync uses 0.1).
    #[arg(long, default_value_t = 1.0, value_parser = parse_fraction)]
    pub budget: f64,
}

/// A share of the rate budget: a number in `[0.01, 1]`.
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if (0.01..=1.0).contains(&f) => Ok(f),
        _ => Err("expected a number from 0.01 to 1, e.g. 0.1".to_owned()),
    }
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Remove this portal's cache (the next sync lists every ticket again).
    Clear {
        /// Remove the caches of every portal.
        #[arg(long)]
        all: bool,
    },
    /// Where this portal's cache is, how many tickets it holds, its size, the last sync.
    Info,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Bearer token the sandbox accepts.
    #[arg(long, default_value = "demo-token")]
    pub token: String,
    /// Number of seeded tickets (up to 100,000 and more).
    #[arg(long, default_value_t = 500)]
    pub tickets: usize,
    /// Seed for the deterministic data.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Latency added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// HubSpot's limits: the burst as `N/SECONDS` (default a private app's 190 per 10
    /// seconds, with its daily limit and search's 5 per second), or `off` for none
    /// (benchmarks).
    #[arg(long, default_value = "190/10", value_parser = parse_sandbox_limits)]
    pub rate_limit: SandboxLimits,
    /// The daily request limit while limits are on.
    #[arg(long, default_value_t = crate::sandbox::RateLimit::PRIVATE_APP.daily)]
    pub daily_limit: u64,
    /// The scopes the token has, comma-separated (default: every scope hubtix uses); a
    /// request needing another answers 403 MISSING_SCOPES.
    #[arg(long, value_delimiter = ',')]
    pub scopes: Option<Vec<String>>,
}

/// `--rate-limit`: a burst limit, or `off` (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SandboxLimits(pub Option<crate::sandbox::RateLimit>);

impl SandboxArgs {
    /// The sandbox's limits: the burst from `--rate-limit` with `--daily-limit`, or none.
    pub fn limits(&self) -> Option<crate::sandbox::RateLimit> {
        self.rate_limit.0.map(|r| crate::sandbox::RateLimit {
            daily: self.daily_limit,
            ..r
        })
    }
}

/// Parses `off` or `N/SECONDS`.
pub fn parse_sandbox_limits(s: &str) -> Result<SandboxLimits, String> {
    if s.trim().eq_ignore_ascii_case("off") {
        return Ok(SandboxLimits(None));
    }
    parse_rate_limit(s).map(|r| SandboxLimits(Some(r)))
}

/// Parses `N/SECONDS` into a rate limit (a private app's daily limit).
pub fn parse_rate_limit(s: &str) -> Result<crate::sandbox::RateLimit, String> {
    let (n, secs) = s
        .split_once('/')
        .ok_or_else(|| format!("expected N/SECONDS, e.g. 100/10, got {s:?}"))?;
    let max: u32 = n
        .trim()
        .parse()
        .map_err(|_| format!("{n:?} is not a whole number of requests"))?;
    let secs: f64 = secs
        .trim()
        .parse()
        .map_err(|_| format!("{secs:?} is not a number of seconds"))?;
    if max == 0 || !secs.is_finite() || secs <= 0.0 {
        return Err(
            "the rate limit needs at least 1 request in a positive number of seconds".into(),
        );
    }
    Ok(crate::sandbox::RateLimit {
        max,
        window: std::time::Duration::from_secs_f64(secs),
        ..crate::sandbox::RateLimit::PRIVATE_APP
    })
}

/// An `http(s)://` URL. Empty (`HUBTIX_BASE_URL=`) stands for "not set", as for the other
/// environment variables.
pub fn parse_base_url(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Ok(String::new());
    }
    match reqwest::Url::parse(s.trim()) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
            Ok(s.trim().to_owned())
        }
        _ => Err("expected an http:// or https:// URL, e.g. https://api.hubapi.com".to_owned()),
    }
}

/// A ticket ID (or `--id-property` value): anything but blank.
pub fn parse_ticket_id(s: &str) -> Result<String, String> {
    non_blank(s, "a ticket ID cannot be empty")
}

/// A property name (`--properties`, `--id-property`): anything but blank.
pub fn parse_property_name(s: &str) -> Result<String, String> {
    non_blank(s, "a property name cannot be empty")
}

fn non_blank(s: &str, problem: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        Err(problem.to_owned())
    } else {
        Ok(s.to_owned())
    }
}

/// A number of tickets: a whole number, at least 1.
pub fn parse_limit(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected a whole number of tickets, at least 1".to_owned()),
    }
}

/// Object types a ticket can be associated with, by name (`--associations`).
pub const ASSOCIATION_TYPES: [&str; 9] = [
    "contacts",
    "companies",
    "deals",
    "tickets",
    "notes",
    "emails",
    "calls",
    "tasks",
    "meetings",
];

/// An associated object type: one of [`ASSOCIATION_TYPES`], or an object type ID such as
/// `0-1` (custom objects: `2-…`). HubSpot silently ignores types it does not know
/// (API-NOTES §1), so a typo is caught here instead of leaving the output without them.
pub fn parse_association_type(s: &str) -> Result<String, String> {
    let s = s.trim().to_ascii_lowercase();
    let is_type_id = s.split_once('-').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    });
    if ASSOCIATION_TYPES.contains(&s.as_str()) || is_type_id {
        Ok(s)
    } else {
        Err(format!(
            "not an object type; expected {}, or a type ID such as 0-1",
            ASSOCIATION_TYPES.join(", ")
        ))
    }
}

/// The one line to print for a command line clap refused, or `None` when clap is showing help
/// or the version (print those as clap does). `--output xml` gives
/// "invalid --output 'xml': expected table, json, jsonl or csv" instead of clap's four lines.
pub fn usage_line(error: &clap::Error) -> Option<String> {
    let strings = |kind: ContextKind| -> Vec<String> {
        match error.get(kind) {
            Some(ContextValue::String(s)) => vec![s.clone()],
            Some(ContextValue::Strings(v)) => v.clone(),
            Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
            Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect(),
            _ => Vec::new(),
        }
    };
    // `--output <OUTPUT>` → `--output`; a positional `<ID>` → `ID`.
    let arg = || {
        strings(ContextKind::InvalidArg)
            .first()
            .map(|a| match a.split_once(' ') {
                Some((flag, _)) if flag.starts_with('-') => flag.to_owned(),
                _ => a.trim_matches(['<', '>']).to_owned(),
            })
            .unwrap_or_else(|| "argument".to_owned())
    };
    let value = || strings(ContextKind::InvalidValue).join(" ");
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => None,
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // `hubtix tickets` alone: clap would print the whole help as the error.
            let rendered = error.render().to_string();
            let usage = rendered
                .lines()
                .find_map(|l| l.trim().strip_prefix("Usage: "))
                .unwrap_or("hubtix --help");
            Some(format!("incomplete command (usage: {usage}); see --help"))
        }
        ErrorKind::InvalidValue => {
            let valid = strings(ContextKind::ValidValue);
            let expected = match valid.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("expected {} or {last}", rest.join(", "))
                }
                Some((only, _)) => format!("expected {only}"),
                None => "a value is needed".to_owned(),
            };
            Some(format!("invalid {} '{}': {expected}", arg(), value()))
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(error)
                .map(ToString::to_string)
                .unwrap_or_else(|| "not valid".to_owned());
            Some(format!("invalid {} '{}': {why}", arg(), value()))
        }
        ErrorKind::MissingRequiredArgument => Some(format!(
            "missing {}; see --help",
            strings(ContextKind::InvalidArg)
                .iter()
                .map(|a| a.trim_matches(['<', '>']))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => {
            // Clap's own first line ("unexpected argument '--x' found"), its tip if any.
            let rendered = error.render().to_string();
            let first = rendered
                .lines()
                .next()
                .unwrap_or_default()
                .trim_start_matches("error: ")
                .trim();
            let suggestion = strings(ContextKind::SuggestedArg)
                .into_iter()
                .chain(strings(ContextKind::SuggestedSubcommand))
                .next()
                .map(|s| format!(" (did you mean '{s}'?)"))
                .unwrap_or_default();
            Some(format!("{first}{suggestion}; see --help"))
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum TicketsCommand {
    /// List tickets (one page, or every page with --all).
    List(ListArgs),
    /// Print one ticket.
    Get(GetArgs),
    /// Set properties on tickets (batches of 100), or on each ticket of JSON lines (--stdin).
    Update(UpdateArgs),
    /// Archive tickets (HubSpot's recycle bin; asks first on a terminal, else needs --yes).
    Archive(ArchiveArgs),
    /// Merge a ticket into another (cannot be undone; asks first on a terminal, else --yes).
    Merge(MergeArgs),
    /// Write a note on a ticket (the text from --text, or a file; `-` reads stdin).
    Note(NoteArgs),
    /// Pin an activity (note, call, task ...) on a ticket.
    Pin(PinArgs),
    /// Search tickets: a view of config.toml, free text, filters and a sort.
    Search(SearchArgs),
    /// Create a ticket.
    Create(CreateArgs),
    /// Associate a ticket with records (TYPE:ID[:label]), keeping the labels they have.
    Associate(AssociateArgs),
    /// Remove a ticket's associations (TYPE:ID), or one label of one (TYPE:ID:label).
    Unassociate(AssociateArgs),
}

#[derive(Debug, Args)]
pub struct AssociateArgs {
    /// The ticket.
    #[arg(value_parser = parse_ticket_id)]
    pub id: String,
    /// `TYPE:ID[:label]`: TYPE is contacts, companies, deals, notes, emails, calls, tasks or
    /// meetings; the label by its text as the TUI shows it (`Primary`) or its numeric
    /// association type ID; without one, the default (unlabeled) association.
    #[arg(required = true, value_name = "TYPE:ID[:LABEL]", value_parser = parse_association_target)]
    pub records: Vec<RecordRef>,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// A record to associate a ticket with: its kind, ID and the label asked for (`None`: the
/// default association).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    pub kind: crate::domain::ObjectKind,
    pub id: String,
    pub label: Option<String>,
}

/// `TYPE:ID[:label]` with TYPE any kind a ticket can be associated with.
pub fn parse_association_target(s: &str) -> Result<RecordRef, String> {
    parse_record_of(s, &crate::domain::ObjectKind::ALL)
}

/// `TYPE:ID[:label]` with TYPE one of `kinds` (by HubSpot's plural name); the label is the
/// rest after the second `:`, so it may hold colons itself.
fn parse_record_of(s: &str, kinds: &[crate::domain::ObjectKind]) -> Result<RecordRef, String> {
    let names: Vec<&str> = kinds.iter().map(|k| k.api_name()).collect();
    let mut parts = s.splitn(3, ':');
    let (Some(kind), Some(id)) = (parts.next(), parts.next()) else {
        return Err(format!(
            "expected TYPE:ID[:label], TYPE one of {}",
            names.join(", ")
        ));
    };
    let kind = kinds
        .iter()
        .copied()
        .find(|k| k.api_name() == kind.trim().to_ascii_lowercase())
        .ok_or_else(|| format!("\"{kind}\" is not one of {}", names.join(", ")))?;
    let id = id.trim();
    if id.is_empty() {
        return Err("the record ID cannot be empty".to_owned());
    }
    let label = match parts.next().map(str::trim) {
        None => None,
        Some("") => return Err("the label after the second ':' is empty".to_owned()),
        Some(label) => Some(label.to_owned()),
    };
    Ok(RecordRef {
        kind,
        id: id.to_owned(),
        label,
    })
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The ticket's name.
    #[arg(long, value_parser = parse_ticket_id)]
    pub subject: String,
    /// Pipeline by ID or label [default: the portal's first].
    #[arg(long)]
    pub pipeline: Option<String>,
    /// Stage by ID or label [default: the pipeline's first].
    #[arg(long)]
    pub stage: Option<String>,
    /// More properties, `property=value`, as update's --set.
    #[arg(long = "set", value_parser = parse_assignment)]
    pub set: Vec<(String, String)>,
    /// `contacts:ID[:label]`, `companies:ID[:label]` or `deals:ID[:label]`; the label by its
    /// text or type ID, without one the default association.
    #[arg(long = "associate", value_name = "TYPE:ID[:LABEL]", value_parser = parse_record)]
    pub associate: Vec<RecordRef>,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// `contacts:ID[:label]`, `companies:ID[:label]`, `deals:ID[:label]`.
pub fn parse_record(s: &str) -> Result<RecordRef, String> {
    parse_record_of(s, &crate::domain::ObjectKind::RECORDS)
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A view of config.toml by name; --query, --filter and --sort add to it.
    #[arg(long)]
    pub view: Option<String>,
    /// Free text (HubSpot's query: subject, content and a few more).
    #[arg(long)]
    pub query: Option<String>,
    /// `property OP value`, OP one of = != < <= > >= ~ (contains a word) in (a,b,c); values as
    /// views take them (`label:New`, `@me`). Filters are ANDed.
    #[arg(long = "filter", value_parser = parse_filter)]
    pub filters: Vec<crate::views::Condition>,
    /// `property [asc|desc]`.
    #[arg(long, value_parser = parse_sort)]
    pub sort: Option<crate::views::SortSpec>,
    /// Number of tickets (default 100).
    #[arg(long, value_parser = parse_limit)]
    pub limit: Option<usize>,
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// `property [asc|desc]`, as a view's `sort`.
pub fn parse_sort(s: &str) -> Result<crate::views::SortSpec, String> {
    s.parse()
}

/// `property OP value` into a view's condition.
pub fn parse_filter(s: &str) -> Result<crate::views::Condition, String> {
    use crate::domain::search::FilterOperator as Op;
    let mut parts = s.trim().splitn(3, char::is_whitespace);
    let (Some(property), Some(op)) = (parts.next(), parts.next()) else {
        return Err("expected 'property OP value', e.g. 'hs_ticket_priority = HIGH'".to_owned());
    };
    let value = parts.next().unwrap_or("").trim().to_owned();
    let operator = match op.to_ascii_lowercase().as_str() {
        "=" | "==" | "eq" => Op::Eq,
        "!=" | "neq" => Op::Neq,
        "<" | "lt" => Op::Lt,
        "<=" | "lte" => Op::Lte,
        ">" | "gt" => Op::Gt,
        ">=" | "gte" => Op::Gte,
        "~" | "contains" => Op::ContainsToken,
        "in" => Op::In,
        other => {
            return Err(format!("\"{other}\" is no operator (= != < <= > >= ~ in)"));
        }
    };
    if value.is_empty() {
        return Err(format!("'{property} {op}' needs a value"));
    }
    let (value, values) = if operator == Op::In {
        let v = value
            .split(',')
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        (String::new(), v)
    } else {
        (value, Vec::new())
    };
    Ok(crate::views::Condition {
        property: property.to_owned(),
        operator,
        value,
        high_value: String::new(),
        values,
        group: 1,
    })
}

#[derive(Debug, Args)]
pub struct PinArgs {
    /// The ticket.
    #[arg(value_parser = parse_ticket_id)]
    pub id: String,
    /// The activity's ID (an engagement already on the ticket).
    #[arg(value_parser = parse_ticket_id)]
    pub engagement_id: String,
    #[command(flatten)]
    pub write: WriteOptions,
}

#[derive(Debug, Args)]
pub struct NoteArgs {
    /// The ticket.
    #[arg(value_parser = parse_ticket_id)]
    pub id: String,
    /// The note's text (plain text: sent as HubSpot's minimal HTML, as the TUI's form sends it).
    #[arg(long, required_unless_present = "file", conflicts_with = "file")]
    pub text: Option<String>,
    /// A file with the note's text; `-` reads stdin.
    #[arg(long)]
    pub file: Option<std::path::PathBuf>,
    /// Pin the note on the ticket once it is created.
    #[arg(long)]
    pub pin: bool,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// What every write command takes: a dry run, a confirmation, the output format.
#[derive(Debug, Args)]
pub struct WriteOptions {
    /// Print the requests that would be sent and send none (the portal's pipelines, owners
    /// and properties are still read, to resolve labels).
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Ticket IDs to set the --set properties on.
    #[arg(value_parser = parse_ticket_id, required_unless_present = "stdin", conflicts_with = "stdin")]
    pub ids: Vec<String>,
    /// `property=value`; stage and pipeline by ID or label, owner by name, email, ID or @me.
    #[arg(long = "set", value_parser = parse_assignment, required_unless_present = "stdin", conflicts_with = "stdin")]
    pub set: Vec<(String, String)>,
    /// Read JSON lines `{"id": "…", "properties": {"prop": "value", …}}` from stdin.
    #[arg(long)]
    pub stdin: bool,
    #[command(flatten)]
    pub write: WriteOptions,
}

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// Ticket IDs.
    #[arg(required = true, value_parser = parse_ticket_id)]
    pub ids: Vec<String>,
    /// Archive without asking (needed when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub write: WriteOptions,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The ticket merged away.
    #[arg(value_parser = parse_ticket_id)]
    pub id: String,
    /// The ticket that survives (its values win where both have one).
    #[arg(long, value_parser = parse_ticket_id)]
    pub into: String,
    /// Merge without asking (needed when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub write: WriteOptions,
}

/// `property=value` (the value may be empty: the property is cleared).
pub fn parse_assignment(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err("expected property=value, e.g. hs_ticket_priority=HIGH".to_owned()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Jsonl,
    Csv,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Page through every ticket.
    #[arg(long)]
    pub all: bool,
    /// Number of tickets (without --all); page size with --all (at most 100).
    #[arg(long, value_parser = parse_limit)]
    pub limit: Option<usize>,
    /// Properties to fetch, comma separated.
    #[arg(long, value_delimiter = ',', value_parser = parse_property_name)]
    pub properties: Vec<String>,
    /// List archived tickets (in HubSpot's recycle bin) instead.
    #[arg(long, conflicts_with = "cached")]
    pub archived: bool,
    /// Read only the local cache (`hubtix sync` fills it): no request is made.
    #[arg(long)]
    pub cached: bool,
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// Ticket ID (or a value of --id-property).
    #[arg(value_parser = parse_ticket_id)]
    pub id: String,
    /// Look the ticket up by this unique-value property instead of its record ID.
    #[arg(long, value_parser = parse_property_name)]
    pub id_property: Option<String>,
    /// Include property history.
    #[arg(long)]
    pub history: bool,
    /// Associated object types to include, comma separated (contacts,companies,deals,...).
    #[arg(long, value_delimiter = ',', value_parser = parse_association_type)]
    pub associations: Vec<String>,
    /// Properties to fetch, comma separated.
    #[arg(long, value_delimiter = ',', value_parser = parse_property_name)]
    pub properties: Vec<String>,
    /// Read an archived ticket.
    #[arg(long)]
    pub archived: bool,
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn usage(args: &[&str]) -> Option<String> {
        usage_line(&Cli::try_parse_from(args).expect_err("refused"))
    }

    #[test]
    fn bad_values_are_one_usage_line_naming_the_problem() {
        let line = |args: &[&str]| usage(args).expect("a usage error");
        assert_eq!(
            line(&["hubtix", "tickets", "list", "--output", "xml"]),
            "invalid --output 'xml': expected table, json, jsonl or csv"
        );
        assert_eq!(
            line(&["hubtix", "tickets", "get", " "]),
            "invalid ID ' ': a ticket ID cannot be empty"
        );
        assert_eq!(
            line(&["hubtix", "tickets", "list", "--limit", "0"]),
            "invalid --limit '0': must be at least 1"
        );
        assert!(
            line(&[
                "hubtix",
                "tickets",
                "get",
                "1",
                "--associations",
                "deals,bogus"
            ])
            .starts_with("invalid --associations 'bogus': not an object type; expected contacts,")
        );
        assert_eq!(
            line(&["hubtix", "tickets", "lst"]),
            "unrecognized subcommand 'lst' (did you mean 'list'?); see --help"
        );
        assert_eq!(
            line(&["hubtix", "tickets", "get"]),
            "missing ID; see --help"
        );
        assert_eq!(
            line(&["hubtix", "tickets"]),
            "incomplete command (usage: hubtix tickets [OPTIONS] <COMMAND>); see --help"
        );
        assert_eq!(
            usage(&["hubtix", "--help"]),
            None,
            "help prints as clap prints it"
        );
        assert_eq!(usage(&["hubtix", "--version"]), None);
    }

    #[test]
    fn association_targets_take_a_type_an_id_and_a_label() {
        use crate::domain::ObjectKind;
        let t = parse_association_target("Companies:301:Primary").expect("valid");
        assert_eq!(
            t,
            RecordRef {
                kind: ObjectKind::Company,
                id: "301".into(),
                label: Some("Primary".into())
            }
        );
        assert_eq!(
            parse_association_target("notes:9").expect("valid").label,
            None
        );
        assert_eq!(
            parse_association_target("deals:401:Billing: EU")
                .expect("valid")
                .label
                .as_deref(),
            Some("Billing: EU"),
            "a label may hold colons"
        );
        for bad in ["contacts", "contacts:", "contacts:206:", "bogus:1"] {
            assert!(parse_association_target(bad).is_err(), "{bad}");
        }
        assert!(
            parse_record("notes:9").is_err(),
            "create takes records only"
        );
        let c = Cli::try_parse_from([
            "hubtix",
            "tickets",
            "unassociate",
            "1001",
            "contacts:206",
            "companies:301:26",
            "--dry-run",
        ])
        .expect("unassociate args");
        match c.command {
            Some(Command::Tickets(TicketsCommand::Unassociate(a))) => {
                assert_eq!(a.records.len(), 2);
                assert!(a.write.dry_run);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(
            usage(&["hubtix", "tickets", "associate", "1001"])
                .expect("refused")
                .starts_with("missing TYPE:ID[:LABEL]"),
        );
    }

    #[test]
    fn good_values_parse() {
        let c = Cli::try_parse_from([
            "hubtix",
            "--base-url",
            "",
            "tickets",
            "get",
            " 1001 ",
            "--associations",
            "Contacts,0-1,2-123",
        ])
        .expect("valid");
        assert_eq!(c.base_url.as_deref(), Some(""), "empty stands for not set");
        match c.command {
            Some(Command::Tickets(TicketsCommand::Get(a))) => {
                assert_eq!(a.id, "1001");
                assert_eq!(a.associations, ["contacts", "0-1", "2-123"]);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("api.hubapi.com").is_err());
        assert!(parse_association_type("-1").is_err());
    }

    #[test]
    fn rate_limit_parses_and_rejects() {
        let r = parse_rate_limit("100/10").expect("valid");
        assert_eq!(r.max, 100);
        assert_eq!(r.window, std::time::Duration::from_secs(10));
        assert!(parse_rate_limit("100").is_err());
        assert!(parse_rate_limit("0/10").is_err());
        assert!(parse_rate_limit("5/0").is_err());
        assert!(parse_rate_limit("x/10").is_err());
    }

    #[test]
    fn sandbox_limits_default_to_a_private_apps_and_turn_off() {
        let args = |extra: &[&str]| {
            let c = Cli::try_parse_from([&["hubtix", "sandbox"], extra].concat()).expect("valid");
            match c.command {
                Some(Command::Sandbox(a)) => a.limits(),
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_eq!(args(&[]), Some(crate::sandbox::RateLimit::PRIVATE_APP));
        assert_eq!(args(&["--rate-limit", "off"]), None);
        let r = args(&["--rate-limit", "100/10", "--daily-limit", "250000"]).expect("on");
        assert_eq!((r.max, r.daily), (100, 250_000));
    }

    #[test]
    fn ux_command_lines_parse() {
        let c = Cli::try_parse_from([
            "hubtix",
            "sandbox",
            "--port",
            "0",
            "--token",
            "t",
            "--tickets",
            "10000",
            "--seed",
            "7",
            "--latency-ms",
            "800",
            "--rate-limit",
            "190/10",
        ])
        .expect("sandbox args");
        assert!(
            matches!(c.command, Some(Command::Sandbox(ref a)) if a.tickets == 10000 && a.port == 0)
        );
        let c = Cli::try_parse_from([
            "hubtix",
            "tickets",
            "list",
            "--all",
            "--limit",
            "50",
            "--properties",
            "subject,content",
            "--output",
            "jsonl",
        ])
        .expect("list args");
        match c.command {
            Some(Command::Tickets(TicketsCommand::List(a))) => {
                assert!(a.all);
                assert_eq!(a.properties, ["subject", "content"]);
                assert_eq!(a.output, OutputFormat::Jsonl);
            }
            other => panic!("unexpected {other:?}"),
        }
        let c = Cli::try_parse_from([
            "hubtix",
            "tickets",
            "get",
            "42",
            "--history",
            "--associations",
            "contacts,companies",
        ])
        .expect("get args");
        assert!(
            matches!(c.command, Some(Command::Tickets(TicketsCommand::Get(ref a))) if a.history && a.associations.len() == 2)
        );
        assert!(
            Cli::try_parse_from(["hubtix", "--demo"])
                .expect("demo")
                .demo
        );
        let ro = Cli::try_parse_from(["hubtix", "--demo", "--read-only"]).expect("read-only");
        assert!(ro.read_only && ro.command.is_none());
    }
}
