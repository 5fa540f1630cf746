//! The `hubtix` binary: parse the command line and hand over to a command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match hubtix::cli::Cli::try_parse() {
        Ok(cli) => hubtix::commands::run(cli),
        Err(e) => hubtix::commands::usage(&e),
    }
}
