//! `hubtix tickets list|get`.

use crate::cli::TicketsCommand;
use crate::config::Paths;

pub async fn run(
    _cmd: TicketsCommand,
    _demo: bool,
    _base_url: String,
    _paths: &Paths,
) -> Result<(), String> {
    Err("not wired yet".into())
}
