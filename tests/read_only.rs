//! Read-only mode end to end, headless: the real loop, worker and client against the sandbox
//! through a counting proxy; every write key pressed (edit, bulk edit, new ticket, note,
//! delete, macro by its key and from the picker, pin, remove an association) says
//! "read-only mode" in the status bar, and the proxy proves that not one write reached
//! HubSpot. And below the app: a write command given to the worker directly, or a write
//! asked of the client, is not sent either.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/proxy.rs"]
mod proxy;
#[path = "support/tui.rs"]
mod tui;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyModifiers};
use hubtix::hubspot::{AccessToken, Client, ClientConfig, RetryPolicy};
use hubtix::keymap::Keymap;
use hubtix::protocol::{Command, Event, FailureKind};
use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use proxy::Proxy;
use tui::Harness;

const REFUSED: &str = "read-only mode (--read-only): no changes are sent";

const MACROS: &str = r#"
[[macros]]
name = "Escalate"
key = "E"
set = { hs_ticket_priority = "URGENT" }
note = "Escalated — {subject}"
"#;

fn client_via(proxy: &Proxy) -> Client {
    let mut config = ClientConfig::new(proxy.url(), AccessToken::new("demo-token"));
    config.timeout = Duration::from_secs(5);
    config.retry = RetryPolicy::fast();
    Client::new(config).expect("client")
}

/// Whether a request changes HubSpot: anything but a GET and the read POSTs.
fn is_write(s: &proxy::Seen) -> bool {
    match s.method.as_str() {
        "GET" => false,
        "POST" => !(s.path.contains("/search") || s.path.contains("/batch/read")),
        _ => true,
    }
}

/// One step of a write path: keys, or a wait for text on screen.
enum Step {
    Keys(&'static str),
    Key(KeyCode),
    Ctrl(char),
    Wait(&'static str),
}

use Step::{Ctrl, Key, Keys, Wait};

/// The write paths, each from the list with ticket 1001's detail loaded.
fn write_paths() -> Vec<(&'static str, Vec<Step>)> {
    vec![
        ("macro key", vec![Keys("E")]),
        (
            "macro picker",
            vec![Keys("m"), Wait("Escalate"), Key(KeyCode::Enter)],
        ),
        ("delete", vec![Keys("D"), Wait("Delete ticket"), Keys("y")]),
        (
            "bulk edit",
            vec![
                Keys(" j "),
                Wait("2 marked"),
                Keys("e"),
                Keys("priority"),
                Key(KeyCode::Enter),
                Key(KeyCode::Enter),
            ],
        ),
        (
            "bulk delete",
            vec![
                Keys(" j "),
                Wait("2 marked"),
                Keys("D"),
                Wait("Delete 2"),
                Keys("2y"),
            ],
        ),
        (
            "edit a property",
            vec![
                Key(KeyCode::Enter),
                Keys("je"),
                Wait("Ctrl-s"),
                Keys(" relit"),
                Ctrl('s'),
            ],
        ),
        (
            "new ticket",
            vec![Keys("n"), Wait("New ticket"), Keys("Gate test"), Ctrl('s')],
        ),
        (
            "note",
            vec![Keys("N"), Wait(" ticked"), Keys("gate test"), Ctrl('s')],
        ),
        (
            "pin",
            vec![
                Key(KeyCode::Enter),
                Keys("4"),
                Wait("★"),
                Keys("jp"),
                Wait("?"),
                Keys("y"),
            ],
        ),
        (
            "remove an association",
            vec![
                Key(KeyCode::Enter),
                Keys("3"),
                Wait("Contact"),
                Keys("x"),
                Wait("Remove the"),
                Keys("y"),
            ],
        ),
    ]
}

async fn run(h: &mut Harness, steps: &[Step]) {
    for step in steps {
        match step {
            Keys(text) => h.chars(text),
            Key(code) => h.key(*code),
            Ctrl(c) => h.key_mod(KeyCode::Char(*c), KeyModifiers::CONTROL),
            Wait(text) => {
                h.wait_text(text).await;
            }
        }
    }
}

async fn start(sandbox: SandboxHandle, proxy: &Proxy) -> Harness {
    let client = client_via(proxy);
    let defs = hubtix::config::Config::parse(MACROS, Path::new("config.toml"))
        .expect("parses")
        .macros;
    let macros = hubtix::runtime::check_macros(
        &client,
        defs.as_deref(),
        None,
        &Keymap::default(),
        "config.toml",
    )
    .await
    .expect("macros");
    let mut h = Harness::attach_configured(sandbox, client, 160, 48, move |app| {
        app.set_macros(macros);
        app.gate.read_only = true;
    });
    h.wait_until("ticket 1001's detail", |s| {
        s.contains("┌ #1001 ") && s.contains("Ticket name")
    })
    .await;
    h
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_sends_no_write_whatever_keys_are_pressed() {
    let mut sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 30,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let proxy = Proxy::start(sandbox.base_url()).await;
    for (name, steps) in write_paths() {
        let mut h = start(sandbox, &proxy).await;
        assert!(
            h.screen().contains(" read-only "),
            "{name}: the top bar says so"
        );
        run(&mut h, &steps).await;
        h.wait_text(REFUSED).await;
        let (_, back) = h.stop().await;
        sandbox = back;
        let writes: Vec<_> = proxy.seen().into_iter().filter(is_write).collect();
        assert!(
            writes.is_empty(),
            "{name}: writes reached HubSpot: {writes:?}"
        );
    }
    assert!(
        proxy.count("GET", "/crm/v3/objects/tickets/1001") > 0,
        "the app read through the proxy"
    );
    sandbox.shutdown().await;
}

/// Below the app: the worker's client refuses a write command with the gate's reason, and
/// nothing reaches HubSpot; a read still goes through.
#[tokio::test(flavor = "multi_thread")]
async fn the_worker_refuses_a_write_command_that_got_past_the_app() {
    let sandbox = hubtix::sandbox::spawn(SandboxConfig {
        tickets: 5,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let proxy = Proxy::start(sandbox.base_url()).await;
    let client = client_via(&proxy);
    hubtix::worker::install_gate(&client, true);
    let (events_tx, mut events) = tokio::sync::mpsc::channel(16);
    let commands = hubtix::worker::spawn(client.clone(), events_tx);
    commands
        .send(Command::UpdateTicket {
            req: 7,
            id: "1001".into(),
            properties: BTreeMap::from([("subject".to_owned(), "sent?".to_owned())]),
        })
        .expect("send");
    let answer = async {
        loop {
            match events.recv().await.expect("an answer") {
                Event::Failed { req: 7, failure } => break failure,
                _ => continue,
            }
        }
    };
    // A bound on the wait, not a timing: an answer that never comes fails the test.
    let failure = tokio::time::timeout(Duration::from_secs(tui::WAIT_SECS), answer)
        .await
        .expect("the write is answered as refused");
    assert_eq!(failure.kind, FailureKind::Refused);
    assert_eq!(failure.summary, REFUSED);
    // The client itself, asked directly: refused, not sent.
    let err = client
        .update_ticket(
            "1001",
            &BTreeMap::from([("subject".into(), "x".into())]),
            None,
        )
        .await
        .expect_err("refused");
    assert_eq!(err.summary(), REFUSED);
    assert!(
        proxy.seen().iter().all(|s| !is_write(s)),
        "{:?}",
        proxy.seen()
    );
    // Reads are never refused.
    client
        .get_ticket("1001", &hubtix::hubspot::GetQuery::properties(&["subject"]))
        .await
        .expect("a read passes");
    assert_eq!(proxy.count("GET", "/crm/v3/objects/tickets/1001"), 1);
    sandbox.shutdown().await;
}
