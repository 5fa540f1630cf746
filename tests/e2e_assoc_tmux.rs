//! End-to-end: the real `hubtix` binary in tmux against `hubtix sandbox` run as a child
//! process, driven with `send-keys` and read with `capture-pane`: add and remove an
//! association, pin and unpin an activity, delete one ticket and bulk-delete three. Every
//! change is read back from the sandbox through a client built here.
//!
//! Without tmux the test says it was skipped and why; with `HUBTIX_REQUIRE_TMUX=1` a missing
//! tmux is a failure.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hubtix::hubspot::{AccessToken, Client, ClientConfig, GetQuery, ListQuery};

fn tmux_available() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("HUBTIX_REQUIRE_TMUX").is_none(),
            "tmux is required here (HUBTIX_REQUIRE_TMUX is set) but was not found"
        );
        eprintln!(
            "SKIPPED: tmux is not installed; the end-to-end tests need it (apt-get install tmux)"
        );
    }
    ok
}

/// `hubtix sandbox` as a child process; killed on drop.
struct Sandbox {
    child: Child,
    url: String,
}

impl Sandbox {
    fn start() -> Self {
        let mut child = Command::new(bin())
            .args(["sandbox", "--port", "0", "--tickets", "200"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("hubtix sandbox starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self { child, url }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One tmux server (its own socket) running a shell in a fixed-size window.
struct Tmux {
    socket: String,
    _dirs: tempfile::TempDir,
}

impl Tmux {
    fn start(name: &str, width: u16, height: u16, env: &[(&str, &str)]) -> Self {
        let dirs = tempfile::tempdir().expect("tempdir");
        let socket = format!("hubtix-{name}-{}", std::process::id());
        let home = dirs.path();
        for d in ["config", "data", "cache"] {
            std::fs::create_dir_all(home.join(d)).expect("mkdir");
        }
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "main",
            ])
            .args(["-x", &width.to_string(), "-y", &height.to_string()])
            .args([
                "env",
                "-i",
                "PS1=$ ",
                "TERM=xterm-256color",
                "LANG=C.UTF-8",
                "TZ=UTC",
            ])
            .arg(format!(
                "PATH={}",
                std::env::var("PATH").unwrap_or_default()
            ))
            .arg(format!("HOME={}", home.display()))
            .arg(format!(
                "HUBTIX_CONFIG_DIR={}",
                home.join("config").display()
            ))
            .arg(format!("HUBTIX_DATA_DIR={}", home.join("data").display()))
            .arg(format!("HUBTIX_CACHE_DIR={}", home.join("cache").display()))
            .args(env.iter().map(|(k, v)| format!("{k}={v}")))
            .args(["bash", "--norc", "--noprofile"])
            .status()
            .expect("tmux runs");
        assert!(status.success(), "tmux new-session failed");
        Self {
            socket,
            _dirs: dirs,
        }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types keys (tmux key names: `Enter`, `Escape`, `j`, `C-c` ...).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types text literally.
    fn text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "main", "-l", text]);
    }

    /// Types text literally, then Enter.
    fn line(&self, text: &str) {
        self.text(text);
        self.keys(&["Enter"]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "main"])
    }

    /// Waits until the screen satisfies `pred` (polling; no fixed sleeps in assertions).
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hubtix"))
}

fn quoted(p: &Path) -> String {
    format!("'{}'", p.display())
}

/// Whether nothing is in flight (the top bar shows no ⟳).
fn idle(s: &str) -> bool {
    s.lines().next().is_some_and(|top| !top.contains('⟳'))
}

const KINDS: [&str; 8] = [
    "Contact ", "Company ", "Deal ", "Note ", "Email ", "Call ", "Task ", "Meeting ",
];

/// The rows of the detail pane's Associations or Activity tab (right of the list).
fn detail_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter_map(|l| l.split_once("││").map(|(_, r)| r.to_owned()))
        .filter(|r| {
            let r = r.trim_start_matches(['★', ' ']);
            KINDS.iter().any(|k| r.starts_with(k))
        })
        .collect()
}

/// Reads the sandbox through the HubSpot client, outside the TUI.
struct Api {
    rt: tokio::runtime::Runtime,
    client: Client,
}

impl Api {
    fn new(url: &str) -> Self {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut config = ClientConfig::new(url, AccessToken::new("demo-token"));
        config.timeout = Duration::from_secs(5);
        let client = rt.block_on(async { Client::new(config) }).expect("client");
        Self { rt, client }
    }

    fn contacts_of(&self, ticket: &str) -> BTreeSet<String> {
        self.rt
            .block_on(self.client.associations("tickets", ticket, "contacts"))
            .expect("associations")
            .into_iter()
            .map(|a| a.to_object_id)
            .collect()
    }

    fn pinned(&self, ticket: &str) -> String {
        self.rt
            .block_on(
                self.client
                    .get_ticket(ticket, &GetQuery::properties(&["hs_pinned_engagement_id"])),
            )
            .expect("ticket")
            .property("hs_pinned_engagement_id")
            .unwrap_or_default()
            .to_owned()
    }

    /// Ticket ids in the recycle bin (`archived=true`), every page.
    fn archived(&self) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .rt
                .block_on(self.client.list_tickets(&ListQuery {
                    limit: Some(100),
                    after: after.clone(),
                    archived: true,
                    ..ListQuery::default()
                }))
                .expect("archived tickets");
            all.extend(page.results.into_iter().map(|t| t.id));
            match page.paging.and_then(|p| p.next).map(|n| n.after) {
                Some(a) if after.as_ref() != Some(&a) => after = Some(a),
                _ => return all,
            }
        }
    }

    fn is_live(&self, id: &str) -> bool {
        self.rt
            .block_on(self.client.get_ticket(id, &GetQuery::default()))
            .is_ok()
    }
}

#[test]
fn associate_pin_and_delete_against_the_sandbox() {
    if !tmux_available() {
        return;
    }
    let sandbox = Sandbox::start();
    let api = Api::new(&sandbox.url);
    let contacts_before = api.contacts_of("1001");
    let pin_before = api.pinned("1001");
    assert!(!pin_before.is_empty());

    let t = Tmux::start(
        "assoc",
        160,
        48,
        &[
            ("HUBSPOT_ACCESS_TOKEN", "demo-token"),
            ("HUBTIX_BASE_URL", &sandbox.url),
        ],
    );
    t.wait_text("$");
    t.line(&quoted(&bin()));
    t.wait_for("the list and 1001's detail", |s| {
        s.contains("1001 プリンターが燃えている") && s.contains("Ticket information") && idle(s)
    });

    // ---- add an association: Enter, 3, a, search, choose, default label.
    t.keys(&["Enter", "3"]);
    t.wait_for("the associations", |s| {
        s.contains("3 Associations (") && idle(s)
    });
    t.keys(&["a"]);
    t.wait_text("Add an association");
    t.text("grace");
    t.wait_text("Contact Grace Kim  grace");
    t.keys(&["Enter"]);
    t.wait_text("(unlabeled, the default)");
    t.keys(&["Enter"]);
    let s = t.wait_for("Grace Kim associated", |s| {
        s.contains("associations updated")
            && detail_rows(s).iter().any(|r| r.contains("Grace Kim"))
            && idle(s)
    });
    let added: Vec<String> = api
        .contacts_of("1001")
        .difference(&contacts_before)
        .cloned()
        .collect();
    assert_eq!(added.len(), 1, "one contact associated: {added:?}");

    // ---- remove it: onto its row, x, y.
    let row = detail_rows(&s)
        .iter()
        .position(|r| r.contains("Grace Kim"))
        .unwrap();
    t.keys(&["g"]);
    for _ in 0..row {
        t.keys(&["j"]);
    }
    t.keys(&["x"]);
    let s = t.wait_text("Remove the contact association?");
    assert!(s.contains("Contact: Grace Kim (unlabeled)"), "{s}");
    t.keys(&["y"]);
    t.wait_for("Grace Kim removed", |s| {
        s.contains("associations updated")
            && !s.contains("Remove the contact association?")
            && !detail_rows(s).iter().any(|r| r.contains("Grace Kim"))
            && idle(s)
    });
    assert_eq!(api.contacts_of("1001"), contacts_before);

    // ---- pin the newest activity (replacing the pin), then unpin.
    t.keys(&["4"]);
    t.wait_for("the activities", |s| s.contains("4 Activity (") && idle(s));
    t.keys(&["g", "p"]);
    let s = t.wait_text("Replace the pinned activity?");
    assert!(
        s.contains("It replaces the pinned activity (one pin per ticket):"),
        "{s}"
    );
    t.keys(&["y"]);
    t.wait_for("the first row pinned", |s| {
        s.contains("pinned “")
            && detail_rows(s).first().is_some_and(|r| r.starts_with('★'))
            && idle(s)
    });
    let pin = api.pinned("1001");
    assert!(!pin.is_empty() && pin != pin_before, "{pin_before} → {pin}");
    t.keys(&["P"]);
    t.wait_text("Unpin the activity?");
    t.keys(&["y"]);
    t.wait_for("no pin", |s| {
        s.contains("unpinned “") && !s.contains('★') && idle(s)
    });
    assert_eq!(api.pinned("1001"), "");

    // ---- back to the list (Escape alone), delete 1002.
    t.keys(&["Escape"]);
    t.wait_for("the list to have the focus", |s| {
        s.lines().last().is_some_and(|l| l.contains("/ filter"))
    });
    t.keys(&["j", "D"]);
    let s = t.wait_text("Delete ticket #1002?");
    assert!(s.contains("#1002 Login fails on SSO"), "{s}");
    t.keys(&["y"]);
    t.wait_for("1002 deleted", |s| {
        s.contains("deleted #1002") && !s.contains("1002 Login fails on SSO") && idle(s)
    });
    assert!(!api.is_live("1002"));
    assert!(api.archived().contains("1002"));

    // ---- bulk-delete 1003, 1004, 1005: mark, D, a bare y does nothing, type 3, y.
    t.keys(&["Space", "Space", "Space"]);
    t.wait_text("3 marked");
    t.keys(&["D"]);
    t.wait_text("Delete 3 tickets?");
    t.keys(&["y"]);
    t.keys(&["3"]);
    t.wait_text("Type 3 to confirm: 3");
    assert!(api.is_live("1003"), "a bare y deleted nothing");
    t.keys(&["y"]);
    t.wait_for("three deleted", |s| {
        s.contains("deleted 3 tickets") && idle(s)
    });
    let binned = api.archived();
    for id in ["1002", "1003", "1004", "1005"] {
        assert!(binned.contains(id), "{id} in the recycle bin: {binned:?}");
        assert!(!api.is_live(id));
    }
    assert!(api.is_live("1006"));

    t.keys(&["q"]);
    t.wait_for("the shell prompt after quitting", |s| {
        !s.contains("Tickets")
    });
}
