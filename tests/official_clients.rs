//! HubSpot's official clients against `hubtix sandbox`: the Python client's
//! (`hubspot-api-client`) full ticket scenario and the Node client's (`@hubspot/api-client`),
//! each through the client's own methods (tests/clients/python/scenario.py,
//! tests/clients/node/scenario.mjs). The real `hubtix sandbox` binary serves on 127.0.0.1 with
//! its default limits (a private app's), so the scenarios meet real 429s and the clients' own
//! retries absorb them.
//!
//! The clients are installed by `.ci/run` (`npm ci` in tests/clients/node, a venv with
//! tests/clients/python/requirements.txt under target/clients/python-venv). Where one is not
//! installed its test says SKIPPED and why; with `CI=true` or `HUBTIX_REQUIRE_CLIENTS=1` a
//! missing client is a failure.

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const TOKEN: &str = "official-clients-token";
/// Far above a scenario's few seconds: only a hung client reaches it.
const SCENARIO_DEADLINE: Duration = Duration::from_secs(120);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether a missing client fails the test instead of skipping it.
fn clients_required() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
        || std::env::var_os("HUBTIX_REQUIRE_CLIENTS").is_some()
}

/// `Some(())` when the client is there; otherwise skips (or fails where clients are required).
fn require(available: Result<(), String>, client: &str) -> Option<()> {
    match available {
        Ok(()) => Some(()),
        Err(why) => {
            assert!(
                !clients_required(),
                "{client} is required here (CI=true or HUBTIX_REQUIRE_CLIENTS is set): {why}"
            );
            eprintln!("SKIPPED: {client}: {why} (bash .ci/run installs it)");
            None
        }
    }
}

/// `hubtix sandbox` on 127.0.0.1 with its default limits; killed on drop.
struct Sandbox {
    child: Child,
    url: String,
}

impl Sandbox {
    fn start() -> Sandbox {
        let cache = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_hubtix"))
            .args([
                "sandbox",
                "--port",
                "0",
                "--tickets",
                "40",
                "--token",
                TOKEN,
            ])
            .env("HUBTIX_CACHE_DIR", cache.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("hubtix sandbox starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Sandbox { child, url }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a scenario to its end (or kills it at the deadline) and returns its output.
fn run(mut cmd: Command) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the scenario starts");
    let id = child.id();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let (tx, rx) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let mut stdout = Vec::new();
        let _ = out.read_to_end(&mut stdout);
        let status = child.wait();
        let _ = tx.send(());
        (status, stdout)
    });
    if rx.recv_timeout(SCENARIO_DEADLINE).is_err() {
        // Only this scenario's own process, by its id.
        let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
        panic!("the scenario did not finish within {SCENARIO_DEADLINE:?}");
    }
    let (status, stdout) = waiter.join().unwrap();
    Output {
        status: status.unwrap(),
        stdout,
        stderr: err_reader.join().unwrap(),
    }
}

/// Fails with the scenario's whole output unless it ran every step and exited 0.
fn assert_clean(client: &str, out: &Output, last_step: &str) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success() && stdout.lines().last() == Some(last_step),
        "{client} scenario failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    assert!(
        !stdout.contains("FAILED"),
        "{client}: a failed step\n{stdout}"
    );
    stderr
}

// ------------------------------------------------------------------------ Python

fn python() -> PathBuf {
    std::env::var_os("HUBTIX_CLIENTS_PYTHON").map_or_else(
        || repo().join("target/clients/python-venv/bin/python"),
        PathBuf::from,
    )
}

fn python_client(python: &Path) -> Result<(), String> {
    let ok = Command::new(python)
        .args(["-c", "import hubspot"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "hubspot-api-client is not installed for {} (python3 -m venv target/clients/python-venv && target/clients/python-venv/bin/pip install -r tests/clients/python/requirements.txt)",
            python.display()
        ))
    }
}

#[test]
fn official_python_client_runs_the_full_ticket_scenario_clean() {
    let python = python();
    if require(python_client(&python), "the official Python client").is_none() {
        return;
    }
    let sandbox = Sandbox::start();
    let mut cmd = Command::new(&python);
    cmd.arg(repo().join("tests/clients/python/scenario.py"))
        .args([&sandbox.url, TOKEN]);
    let out = run(cmd);
    assert_clean(
        "Python",
        &out,
        "ok errors: 429 on search, absorbed by the client retry",
    );
}

// ------------------------------------------------------------------------ Node

fn node_dir() -> PathBuf {
    repo().join("tests/clients/node")
}

fn node_client() -> Result<(), String> {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !node {
        return Err("node is not installed".into());
    }
    if !node_dir()
        .join("node_modules/@hubspot/api-client/package.json")
        .is_file()
    {
        return Err(
            "@hubspot/api-client is not installed (cd tests/clients/node && npm ci)".into(),
        );
    }
    Ok(())
}

#[test]
fn official_node_client_runs_the_ticket_scenario_clean() {
    if require(node_client(), "the official Node client").is_none() {
        return;
    }
    let sandbox = Sandbox::start();
    let mut cmd = Command::new("node");
    cmd.current_dir(node_dir())
        .arg("scenario.mjs")
        .args([&sandbox.url, TOKEN]);
    let out = run(cmd);
    let stderr = assert_clean(
        "Node",
        &out,
        "ok errors: 429 on search, absorbed by the client retry",
    );
    // The client's RetryDecorator says when it retries: the sandbox answered 429 with the
    // search limit's message and the client took it as the retryable "secondly limit".
    assert!(
        stderr.contains("Request failed with status code [429], will retry"),
        "no 429 was met and retried:\n{stderr}"
    );
}
