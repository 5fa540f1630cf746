//! tmux helpers shared by the end-to-end tests: one tmux server per test (its own socket)
//! running a clean shell in a fixed-size window, `send-keys` to type, `paste-buffer -p` to
//! paste and `capture-pane` to read; `hubtix sandbox` run as a child process; reading the
//! screen (the detail's ticket, its property rows) and the sandbox (through the client)
//! back.
//!
//! Without tmux the tests say they were skipped and why; with `HUBTIX_REQUIRE_TMUX=1` (set by
//! `.ci/run`) a missing tmux is a failure.

#![allow(dead_code, clippy::print_stderr)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn tmux_available() -> bool {
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
pub struct Sandbox {
    child: Child,
    pub url: String,
}

impl Sandbox {
    pub fn start(tickets: usize) -> Self {
        Self::start_on(tickets, 0, &[])
    }

    /// [`Sandbox::start`] with more of `hubtix sandbox`'s options (`--latency-ms 800`).
    pub fn start_with(tickets: usize, more: &[&str]) -> Self {
        Self::start_on(tickets, 0, more)
    }

    /// [`Sandbox::start`] on `port` (0: a free one), e.g. the port of one stopped before:
    /// the same seed, so the same tickets.
    pub fn start_at(tickets: usize, port: u16) -> Self {
        Self::start_on(tickets, port, &[])
    }

    /// [`Sandbox::start_at`] with more of `hubtix sandbox`'s options (a slower or a
    /// different token on the address of one stopped before).
    pub fn start_at_with(tickets: usize, port: u16, more: &[&str]) -> Self {
        Self::start_on(tickets, port, more)
    }

    fn start_on(tickets: usize, port: u16, more: &[&str]) -> Self {
        let mut child = Command::new(bin())
            .args([
                "sandbox",
                "--port",
                &port.to_string(),
                "--tickets",
                &tickets.to_string(),
            ])
            .args(more)
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

impl Sandbox {
    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port in the URL")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One tmux server (its own socket) running a shell in a fixed-size window.
pub struct Tmux {
    socket: String,
    dirs: tempfile::TempDir,
}

impl Tmux {
    pub fn start(name: &str, width: u16, height: u16, env: &[(&str, &str)]) -> Self {
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
        Self { socket, dirs }
    }

    /// The data directory hubtix runs with (`HUBTIX_DATA_DIR`: drafts, the journal).
    pub fn data_dir(&self) -> PathBuf {
        self.dirs.path().join("data")
    }

    /// The process IDs of what the shell in the window runs (hubtix, once launched).
    pub fn children(&self) -> Vec<u32> {
        let shell = self.tmux(&["list-panes", "-F", "#{pane_pid}"]);
        let out = Command::new("pgrep")
            .args(["-P", shell.trim()])
            .output()
            .expect("pgrep runs");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect()
    }

    /// The directory hubtix reads its `config.toml` from (`HUBTIX_CONFIG_DIR`), empty at
    /// the start: write a config there before [`Tmux::launch`].
    pub fn config_dir(&self) -> PathBuf {
        self.dirs.path().join("config")
    }

    /// Runs `hubtix` against `sandbox` in the shell and waits for the first ticket's detail.
    pub fn launch(&self, sandbox: &Sandbox) -> String {
        self.wait_text("$");
        self.line(&format!(
            "HUBSPOT_ACCESS_TOKEN=demo-token HUBTIX_BASE_URL={} {}",
            sandbox.url,
            quoted(&bin())
        ));
        self.wait_for("the first ticket's detail", |s| {
            s.contains("Ticket name") && detail_id(s).is_some()
        })
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Types keys (tmux key names: `Enter`, `Escape`, `j`, `C-c` ...).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types text literally.
    pub fn text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "main", "-l", text]);
    }

    /// Pastes `text` as one bracketed paste (`paste-buffer -p`; hubtix asks the terminal for
    /// bracketed paste). Like most terminals, tmux sends each line break as a CR.
    pub fn paste(&self, text: &str) {
        self.tmux(&["set-buffer", "-b", "hubtix-paste", "--", text]);
        self.tmux(&[
            "paste-buffer",
            "-p",
            "-d",
            "-b",
            "hubtix-paste",
            "-t",
            "main",
        ]);
    }

    /// Types text literally, then Enter.
    pub fn line(&self, text: &str) {
        self.text(text);
        self.keys(&["Enter"]);
    }

    pub fn alternate_screen(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "main", "#{alternate_on}"])
            .trim()
            == "1"
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "main"])
    }

    /// Waits until the screen satisfies `pred` (polling; no fixed sleeps in assertions).
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
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

    pub fn wait_text(&self, text: &str) -> String {
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

/// The ID in the detail pane's title (`┐┌ #1234 Subject ───`), if one is shown.
pub fn detail_id(screen: &str) -> Option<String> {
    screen.lines().find_map(|l| {
        let rest = &l[l.find("┐┌ #")? + "┐┌ #".len()..];
        let id: String = rest.chars().take_while(char::is_ascii_digit).collect();
        (!id.is_empty()).then_some(id)
    })
}

/// Whether nothing is in flight (the top bar shows no ⟳).
pub fn idle(screen: &str) -> bool {
    screen.lines().next().is_some_and(|top| !top.contains('⟳'))
}

/// The status bar: the last line with something on it.
pub fn status_line(screen: &str) -> &str {
    screen
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default()
}

/// Where `label` is among the property rows of the detail's Properties tab (the wide layout:
/// the detail right of the list), counting from the first row (group headings are not
/// rows).
pub fn property_row(screen: &str, label: &str) -> Option<usize> {
    screen
        .lines()
        .filter_map(|l| l.split_once("││").map(|(_, r)| r))
        .filter(|r| r.starts_with(' ') && !r.trim_end_matches([' ', '│']).is_empty())
        .position(|r| r[1..].starts_with(&format!("{label} ")))
}

impl Tmux {
    /// With the detail's Properties tab focused: moves to `label` and opens its editor (`e`);
    /// returns the screen with the editor open.
    pub fn edit_property(&self, label: &str) -> String {
        let s = self.wait_for(&format!("the row {label}"), |s| {
            idle(s) && property_row(s, label).is_some()
        });
        let row = property_row(&s, label).unwrap_or_default();
        self.keys(&["g"]);
        if row > 0 {
            self.keys(&["-N", &row.to_string(), "j"]);
        }
        self.keys(&["e"]);
        self.wait_text(&format!(" Edit {label} · #"))
    }
}

/// Reads the sandbox through the HubSpot client, outside the TUI.
pub struct Api {
    rt: tokio::runtime::Runtime,
    client: hubtix::hubspot::Client,
}

impl Api {
    pub fn new(url: &str) -> Self {
        use hubtix::hubspot::{AccessToken, Client, ClientConfig};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut config = ClientConfig::new(url, AccessToken::new("demo-token"));
        config.timeout = Duration::from_secs(5);
        let client = rt.block_on(async { Client::new(config) }).expect("client");
        Self { rt, client }
    }

    /// One property of a ticket as the sandbox has it now ("" when empty).
    pub fn property(&self, ticket: &str, name: &str) -> String {
        let query = hubtix::hubspot::GetQuery::properties(&[name]);
        self.rt
            .block_on(self.client.get_ticket(ticket, &query))
            .expect("read the ticket")
            .property(name)
            .unwrap_or_default()
            .to_owned()
    }

    /// Changes one property of a ticket, as a colleague would (outside the TUI).
    pub fn set_property(&self, ticket: &str, name: &str, value: &str) {
        let properties = [(name.to_owned(), value.to_owned())].into_iter().collect();
        self.rt
            .block_on(self.client.update_ticket(ticket, &properties, None))
            .expect("update the ticket");
    }

    /// The IDs of the notes associated with a ticket.
    pub fn notes_of(&self, ticket: &str) -> std::collections::BTreeSet<String> {
        self.rt
            .block_on(self.client.associations("tickets", ticket, "notes"))
            .expect("the ticket's notes")
            .into_iter()
            .map(|a| a.to_object_id)
            .collect()
    }

    /// The IDs of the contacts associated with a ticket.
    pub fn contacts_of(&self, ticket: &str) -> std::collections::BTreeSet<String> {
        self.rt
            .block_on(self.client.associations("tickets", ticket, "contacts"))
            .expect("associations")
            .into_iter()
            .map(|a| a.to_object_id)
            .collect()
    }

    /// A contact's first and last name, as hubtix shows it.
    pub fn contact_name(&self, id: &str) -> String {
        let query = hubtix::hubspot::GetQuery::properties(&["firstname", "lastname"]);
        let c: hubtix::hubspot::SimplePublicObject = self
            .rt
            .block_on(self.client.get_object("contacts", id, &query))
            .expect("read the contact");
        let part = |n: &str| c.property(n).unwrap_or_default().to_owned();
        format!("{} {}", part("firstname"), part("lastname"))
    }
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hubtix"))
}

pub fn quoted(p: &Path) -> String {
    format!("'{}'", p.display())
}
