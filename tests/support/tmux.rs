//! tmux helpers shared by the end-to-end tests: one tmux server per test (its own socket)
//! running a clean shell in a fixed-size window, `send-keys` to type and `capture-pane` to
//! read; and `hubtix sandbox` run as a child process.
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
        let mut child = Command::new(bin())
            .args(["sandbox", "--port", "0", "--tickets", &tickets.to_string()])
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
pub struct Tmux {
    socket: String,
    _dirs: tempfile::TempDir,
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
        Self {
            socket,
            _dirs: dirs,
        }
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

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hubtix"))
}

pub fn quoted(p: &Path) -> String {
    format!("'{}'", p.display())
}
