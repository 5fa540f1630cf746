//! The `hubtix` binary: parse the command line and hand over to a command.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = hubtix::cli::Cli::parse();
    hubtix::commands::run(cli)
}
