//! The sandbox's memory per seeded ticket: `hubtix sandbox --tickets N` (the real binary)
//! once it listens, against the same with no tickets. A ticket brings its history, about
//! 2.5 engagements and its association edges both ways; held as plain maps of strings that
//! came to about 8 KB, which put 100,000 tickets near 800 MB. The store holds them compactly
//! (see `src/sandbox/store.rs`); this guards the budget: under 3 KB a ticket, the resident
//! memory high-water mark (seeding included), so 100,000 stay under 300 MB.
//! Linux only (it reads `/proc/PID/status`).
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// `hubtix sandbox --tickets n` started; returns once it listens (seeding done).
fn start(tickets: usize) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubtix"))
        .args(["sandbox", "--port", "0", "--rate-limit", "off", "--tickets"])
        .arg(tickets.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hubtix sandbox starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    assert!(line.starts_with("listening on "), "first line {line:?}");
    child
}

/// VmHWM of a process in KiB.
fn high_water_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

fn high_water_after_seeding(tickets: usize) -> u64 {
    let mut child = start(tickets);
    let kib = high_water_kib(child.id());
    let _ = child.kill();
    let _ = child.wait();
    kib
}

#[test]
fn sandbox_seeded_ticket_costs_under_3_kb_of_resident_memory() {
    const TICKETS: usize = 10_000;
    let empty = high_water_after_seeding(0);
    let seeded = high_water_after_seeding(TICKETS);
    let per_ticket = (seeded.saturating_sub(empty) * 1024) / TICKETS as u64;
    assert!(
        per_ticket < 3 * 1024,
        "{per_ticket} bytes a ticket (VmHWM {seeded} KiB with {TICKETS} tickets, {empty} KiB with none)"
    );
}
