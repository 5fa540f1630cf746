//! Command-line definitions (clap). Parsing only: no I/O here.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// hubtix: triage HubSpot tickets from the terminal.
#[derive(Debug, Parser)]
#[command(name = "hubtix", version, about, long_about = None)]
pub struct Cli {
    /// Run against an embedded sandbox with realistic seeded data (no account, no network).
    #[arg(long, global = true)]
    pub demo: bool,

    /// HubSpot API base URL [default: https://api.hubapi.com, or `base_url` in config.toml].
    #[arg(long, env = "HUBTIX_BASE_URL", global = true)]
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
    /// HubSpot-like burst limit, e.g. `100/10` (100 requests per 10 seconds).
    #[arg(long, value_parser = parse_rate_limit)]
    pub rate_limit: Option<crate::sandbox::RateLimit>,
}

/// Parses `N/SECONDS` into a rate limit.
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
    })
}

#[derive(Debug, Subcommand)]
pub enum TicketsCommand {
    /// List tickets (one page, or every page with --all).
    List(ListArgs),
    /// Print one ticket.
    Get(GetArgs),
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
    #[arg(long)]
    pub limit: Option<usize>,
    /// Properties to fetch, comma separated.
    #[arg(long, value_delimiter = ',')]
    pub properties: Vec<String>,
    /// List archived tickets (in HubSpot's recycle bin) instead.
    #[arg(long)]
    pub archived: bool,
    #[arg(long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// Ticket ID (or a value of --id-property).
    pub id: String,
    /// Look the ticket up by this unique-value property instead of its record ID.
    #[arg(long)]
    pub id_property: Option<String>,
    /// Include property history.
    #[arg(long)]
    pub history: bool,
    /// Associated object types to include, comma separated (contacts,companies,deals,...).
    #[arg(long, value_delimiter = ',')]
    pub associations: Vec<String>,
    /// Properties to fetch, comma separated.
    #[arg(long, value_delimiter = ',')]
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
    }
}
