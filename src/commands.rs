//! The commands behind the command line: `sandbox`, `tickets list|get`, `paths`, `sync`,
//! `cache clear|info` (in `cache_cmd`), `completions`/`man` (in `shell_cmd`), and the
//! hand-over to the TUI. Each non-interactive command exits non-zero with a one-line error on
//! stderr (HTTP status, HubSpot category and message, correlation ID), never a token: exit
//! code 2 for a mistake on the command line ([`usage`]) or a macro in config.toml the portal
//! cannot take, 1 for everything else.

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::config::Paths;
use crate::output;

/// Runs the parsed command line to completion.
pub fn run(cli: Cli) -> ExitCode {
    let paths = match Paths::resolve() {
        Ok(p) => p,
        Err(e) => return fail(&e.to_string()),
    };
    init_logging(&paths);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    let result = match cli.command {
        Some(Command::Paths) => print_paths(&paths),
        Some(Command::Completions { shell }) => printed(
            crate::shell_cmd::completions(shell, &mut std::io::stdout().lock()),
            "the completions",
        ),
        Some(Command::Man) => printed(
            crate::shell_cmd::man(&mut std::io::stdout().lock()),
            "the man page",
        ),
        Some(Command::Sandbox(args)) => runtime.block_on(run_sandbox(args)),
        Some(Command::Sync(args)) => {
            runtime.block_on(crate::cache_cmd::sync(args, cli.demo, cli.base_url, &paths))
        }
        Some(Command::Cache(cmd)) => {
            runtime.block_on(crate::cache_cmd::cache(cmd, cli.demo, cli.base_url, &paths))
        }
        Some(Command::Doctor) => {
            runtime.block_on(crate::doctor::command(cli.demo, cli.base_url, &paths))
        }
        Some(Command::Login) => runtime.block_on(crate::credentials::login(cli.base_url, &paths)),
        Some(Command::Logout) => crate::credentials::logout(&paths),
        Some(Command::Tickets(cmd)) => {
            runtime.block_on(crate::tickets_cmd::run(cmd, cli.demo, cli.base_url, &paths))
        }
        None => {
            let outcome = runtime.block_on(async {
                let mut conn = crate::tickets_cmd::connect(cli.demo, cli.base_url, &paths).await?;
                if cli.read_only {
                    conn.config.read_only = Some(true);
                }
                crate::runtime::run_tui(conn, &paths).await
            });
            return tui_exit(outcome);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => fail(&msg),
    }
}

/// How the TUI ended: a config.toml that asks for what the portal does not have (a bad
/// macro) is one line per problem and exit code 2, like a command line that cannot run.
fn tui_exit(outcome: Result<(), crate::runtime::TuiError>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(crate::runtime::TuiError::Config(problems)) => {
            for problem in &problems {
                output::error_line(problem);
            }
            ExitCode::from(USAGE_EXIT)
        }
        Err(crate::runtime::TuiError::Other(message)) => fail(&message),
    }
}

/// Exit code of a command line that cannot be run as written.
pub const USAGE_EXIT: u8 = 2;

/// Answers a command line clap refused: one line and exit code 2, or clap's help and
/// version text as clap prints them.
pub fn usage(error: &clap::Error) -> ExitCode {
    match crate::cli::usage_line(error) {
        Some(line) => {
            output::error_line(&line);
            ExitCode::from(USAGE_EXIT)
        }
        None => {
            if let Err(e) = error.print() {
                tracing::debug!("printing help: {e}");
            }
            ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(USAGE_EXIT))
        }
    }
}

/// What printing `what` to stdout came to; a reader that stopped early (`| head`) is no
/// failure.
fn printed(result: std::io::Result<()>, what: &str) -> Result<(), String> {
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("writing {what}: {e}")),
        _ => Ok(()),
    }
}

fn fail(msg: &str) -> ExitCode {
    output::error_line(msg);
    ExitCode::FAILURE
}

fn print_paths(paths: &Paths) -> Result<(), String> {
    output::line(&format!("config  {}", paths.config_file().display()));
    output::line(&format!("data    {}", paths.data_dir.display()));
    output::line(&format!("cache   {}", paths.cache_dir.display()));
    output::line(&format!("logs    {}", paths.log_dir().display()));
    Ok(())
}

async fn run_sandbox(args: crate::cli::SandboxArgs) -> Result<(), String> {
    let rate_limit = args.limits();
    let config = crate::sandbox::SandboxConfig {
        port: args.port,
        token: args.token,
        tickets: args.tickets,
        seed: args.seed,
        latency: std::time::Duration::from_millis(args.latency_ms),
        rate_limit,
        reference_ms: None,
        scopes: args.scopes,
    };
    crate::sandbox::serve_until_shutdown(config, |addr| {
        output::line(&format!("listening on http://{addr}"));
    })
    .await
    .map_err(|e| format!("sandbox: {e}"))
}

/// Logs go to `<cache>/logs/hubtix.log`, never to the terminal (the TUI owns it). They hold
/// customer text: the folders are created 0700 and the file 0600.
/// `HUBTIX_LOG` sets the filter (default `hubtix=info`).
fn init_logging(paths: &Paths) {
    let dir = paths.log_dir();
    if crate::config::create_private_dir(&dir).is_err() {
        return;
    }
    let Ok(file) = crate::config::private_file_options()
        .create(true)
        .append(true)
        .open(dir.join("hubtix.log"))
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HUBTIX_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("hubtix=info"));
    // A second initialisation (tests calling run twice) is harmless: keep the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}
