//! End-to-end: the real `hubtix` binary in a real terminal (tmux), driven as a person would:
//! `send-keys` to type, `capture-pane` to read the screen.
//!
//! Without tmux these tests say they were skipped and why; with `HUBTIX_REQUIRE_TMUX=1`
//! (set by `.ci/run`) a missing tmux is a failure.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One tmux server (its own socket) running a shell in a fixed-size window.
struct Tmux {
    socket: String,
    _dirs: tempfile::TempDir,
}

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

impl Tmux {
    fn start(name: &str, width: u16, height: u16) -> Self {
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

    /// Types text literally, then Enter.
    fn line(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "main", "-l", text]);
        self.keys(&["Enter"]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "main"])
    }

    fn alternate_screen(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "main", "#{alternate_on}"])
            .trim()
            == "1"
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

#[test]
fn demo_browse_open_history_and_quit_restores_terminal() {
    if !tmux_available() {
        return;
    }
    let t = Tmux::start("browse", 140, 40);
    t.wait_text("$");
    t.line(&format!("{} --demo", quoted(&bin())));
    // The list and the badge appear, then the first ticket's detail.
    let s = t.wait_for("the ticket list", |s| {
        s.contains("DEMO") && s.contains("Tickets") && s.contains("Subject")
    });
    assert!(
        t.alternate_screen(),
        "the TUI uses the alternate screen:\n{s}"
    );
    t.wait_text("Properties");
    // Move down twice, open the ticket, switch to History.
    t.keys(&["j", "j", "Enter"]);
    t.keys(&["2"]);
    let s = t.wait_for("the history timeline", |s| {
        s.contains("→") && s.contains("History")
    });
    assert!(
        s.contains("Ticket status") || s.contains("Priority") || s.contains("Ticket name"),
        "history shows property labels:\n{s}"
    );
    // Help overlay lists the bindings in force.
    t.keys(&["?"]);
    t.wait_text("Keys (Esc closes");
    // Each Escape is sent alone and its effect awaited: Escape followed at once by another
    // key reads as an Alt chord, in tmux as in any terminal.
    t.keys(&["Escape"]);
    t.wait_for("the help overlay to close", |s| {
        !s.contains("Keys (Esc closes")
    });
    // Back to the list (its hints offer the filter), then quit.
    t.keys(&["Escape"]);
    t.wait_for("the list to have the focus", |s| {
        s.lines().last().is_some_and(|l| l.contains("/ filter"))
    });
    t.keys(&["q"]);
    let s = t.wait_for("the shell prompt after quitting", |s| {
        !s.contains("Tickets")
    });
    assert!(
        !t.alternate_screen(),
        "terminal restored (alternate screen off):\n{s}"
    );
    // The shell still works: the terminal is usable.
    t.line("echo still-$((20+22))");
    t.wait_text("still-42");
}

#[test]
fn missing_token_is_a_plain_message_before_the_tui() {
    if !tmux_available() {
        return;
    }
    let t = Tmux::start("notoken", 100, 20);
    t.wait_text("$");
    t.line(&format!("{} ; echo exit=$?", quoted(&bin())));
    let s = t.wait_text("exit=1");
    assert!(s.contains("HUBSPOT_ACCESS_TOKEN"), "{s}");
    assert!(!t.alternate_screen());
}
