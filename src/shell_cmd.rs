//! `hubtix completions SHELL` and `hubtix man`: shell completions (clap_complete) and the
//! man page (clap_mangen), generated from the same clap definition the parser uses, so a new
//! subcommand or flag is in both without anyone remembering to add it.
//!
//! Writes to any `io::Write` (the command hands it stdout); no other I/O.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;
use roff::{Roff, bold, roman};

use crate::cli::Cli;

/// The binary's name, as shells complete it.
const BIN: &str = "hubtix";

/// The environment variables hubtix reads, for the man page.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "HUBSPOT_ACCESS_TOKEN",
        "The HubSpot access token (wins over a stored one and over config.toml).",
    ),
    (
        "HUBTIX_BASE_URL",
        "The HubSpot API base URL (default https://api.hubapi.com).",
    ),
    (
        "HUBTIX_CONFIG_DIR",
        "Where config.toml is read from (see hubtix paths).",
    ),
    ("HUBTIX_DATA_DIR", "Where drafts and other data are kept."),
    (
        "HUBTIX_CACHE_DIR",
        "Where the local cache and the logs are kept.",
    ),
    ("HUBTIX_LOG", "The log filter (default hubtix=info)."),
    (
        "NO_COLOR",
        "Any non-empty value: a monochrome UI (selection, marks and alerts by reverse video and symbols).",
    ),
];

/// Writes the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    // `generate` panics on a broken writer: render into memory, then write.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, BIN, &mut script);
    out.write_all(&script)
}

/// Writes the man page (roff, section 1): the top command as clap_mangen renders it, then
/// every subcommand at any depth with its usage and options, and the environment.
pub fn man(out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    cmd.build();
    let page = clap_mangen::Man::new(cmd.clone());
    page.render_title(out)?;
    page.render_name_section(out)?;
    page.render_synopsis_section(out)?;
    page.render_description_section(out)?;
    page.render_options_section(out)?;
    commands_section(&cmd).to_writer(out)?;
    environment_section().to_writer(out)?;
    page.render_version_section(out)
}

/// Every subcommand below `root` (depth first, clap's own `help` left out), with the words
/// that run it: `["tickets", "list"]`.
pub fn subcommand_paths(root: &clap::Command) -> Vec<(Vec<String>, clap::Command)> {
    let mut paths = Vec::new();
    walk(root, &mut Vec::new(), &mut paths);
    paths
}

fn walk(
    cmd: &clap::Command,
    prefix: &mut Vec<String>,
    paths: &mut Vec<(Vec<String>, clap::Command)>,
) {
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        prefix.push(sub.get_name().to_owned());
        paths.push((prefix.clone(), sub.clone()));
        walk(sub, prefix, paths);
        prefix.pop();
    }
}

fn commands_section(root: &clap::Command) -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["COMMANDS"]);
    for (path, mut sub) in subcommand_paths(root) {
        let words = format!("{BIN} {}", path.join(" "));
        // "Usage: hubtix tickets list [OPTIONS]" → "[OPTIONS]".
        let usage = sub.render_usage().to_string();
        let args = usage
            .trim_start_matches("Usage:")
            .trim()
            .trim_start_matches(words.as_str())
            .trim()
            .to_owned();
        roff.control("TP", []);
        roff.text([bold(words), roman(format!(" {args}"))]);
        roff.text([roman(about(&sub))]);
        let args: Vec<&clap::Arg> = sub.get_arguments().filter(|a| shown(a)).collect();
        if !args.is_empty() {
            roff.control("RS", []);
            for arg in args {
                roff.control("TP", []);
                roff.text([bold(arg_name(arg))]);
                roff.text([roman(
                    arg.get_help().map(ToString::to_string).unwrap_or_default(),
                )]);
            }
            roff.control("RE", []);
        }
    }
    roff
}

fn environment_section() -> Roff {
    let mut roff = Roff::new();
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, what) in ENVIRONMENT {
        roff.control("TP", []);
        roff.text([bold(*name)]);
        roff.text([roman(*what)]);
    }
    roff
}

fn about(cmd: &clap::Command) -> String {
    cmd.get_about().map(ToString::to_string).unwrap_or_default()
}

/// An argument of the subcommand itself: not `--help`, not hidden, not a global inherited
/// from the top (those are in OPTIONS already).
fn shown(arg: &clap::Arg) -> bool {
    !arg.is_hide_set() && !arg.is_global_set() && arg.get_id() != "help"
}

fn arg_name(arg: &clap::Arg) -> String {
    let value = arg
        .get_value_names()
        .and_then(|v| v.first())
        .map(|v| format!(" <{v}>"))
        .unwrap_or_default();
    match (arg.get_long(), arg.get_short()) {
        (Some(long), _) if arg.get_action().takes_values() => format!("--{long}{value}"),
        (Some(long), _) => format!("--{long}"),
        (None, Some(short)) => format!("-{short}"),
        (None, None) => format!("<{}>", arg.get_id().as_str().to_ascii_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> clap::Command {
        let mut cmd = Cli::command();
        cmd.build();
        cmd
    }

    #[test]
    fn the_walk_reaches_nested_subcommands() {
        let paths: Vec<String> = subcommand_paths(&root())
            .into_iter()
            .map(|(p, _)| p.join(" "))
            .collect();
        for expected in ["tickets", "tickets list", "tickets get", "cache clear"] {
            assert!(paths.iter().any(|p| p == expected), "{expected}: {paths:?}");
        }
        assert!(!paths.iter().any(|p| p.ends_with("help")), "{paths:?}");
    }
}
