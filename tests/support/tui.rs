//! Headless harness: the real event loop, worker and client against a sandbox on 127.0.0.1,
//! drawing into a `TestBackend`. Keys in, screen text out. Every frame drawn is kept in order,
//! so a wait sees short-lived states (a backoff notice) too; waits are on conditions, never on
//! sleeps.

#![allow(dead_code)]

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use hubtix::app::{App, Portal};
use hubtix::hubspot::{AccessToken, Client, ClientConfig, RetryPolicy};
use hubtix::keymap::Keymap;
use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::{mpsc, watch};

/// How long a wait may take before the test fails: generous, because CI runs the suites in
/// parallel on two cores; a real hang still fails.
pub const WAIT_SECS: u64 = 40;

pub struct Harness {
    keys: mpsc::UnboundedSender<io::Result<TermEvent>>,
    screen: watch::Receiver<String>,
    frames: mpsc::UnboundedReceiver<String>,
    /// The frame the last wait stopped at (still the screen if nothing was drawn since).
    last: String,
    /// Waits look at the latest screen only, not at every frame in order (the edit flows were
    /// written that way: a stale frame that matched must not end their waits).
    latest_only: bool,
    pub sandbox: SandboxHandle,
    pub client: Client,
    /// The loop, handing the app back when it ends.
    task: tokio::task::JoinHandle<(io::Result<hubtix::runtime::Exit>, App)>,
}

/// Sets the app up before the loop starts it (views, `me`, the config file..).
pub type Configure = Box<dyn FnOnce(&mut App) + Send>;

pub use hubtix::ui::buffer_text;

pub fn client_for(sandbox: &SandboxHandle, token: &str) -> Client {
    client_with(sandbox, token, RetryPolicy::fast())
}

pub fn client_with(sandbox: &SandboxHandle, token: &str, retry: RetryPolicy) -> Client {
    let mut config = ClientConfig::new(sandbox.base_url(), AccessToken::new(token));
    config.timeout = Duration::from_secs(5);
    config.retry = retry;
    Client::new(config).expect("client")
}

impl Harness {
    pub async fn start(config: SandboxConfig, width: u16, height: u16) -> Self {
        Self::start_with(config, width, height, RetryPolicy::fast()).await
    }

    /// Like [`Harness::start`], with the client's retry policy.
    pub async fn start_with(
        config: SandboxConfig,
        width: u16,
        height: u16,
        retry: RetryPolicy,
    ) -> Self {
        let token = config.token.clone();
        let sandbox = hubtix::sandbox::spawn(config).await.expect("sandbox");
        Self::start_on(sandbox, &token, width, height, retry)
    }

    /// The loop against a sandbox already running (faults can be set before the first request).
    pub fn start_on(
        sandbox: SandboxHandle,
        token: &str,
        width: u16,
        height: u16,
        retry: RetryPolicy,
    ) -> Self {
        let client = client_with(&sandbox, token, retry);
        Self::spawn_loop(
            sandbox,
            client,
            width,
            height,
            None,
            false,
            Box::new(|_| {}),
        )
    }

    /// Like [`Harness::start`], with the app set up by `configure` before the loop starts it
    /// (as `run_tui` does with config.toml: `set_views`, `me`, `config_file`).
    pub async fn start_configured(
        config: SandboxConfig,
        width: u16,
        height: u16,
        configure: impl FnOnce(&mut App) + Send + 'static,
    ) -> Self {
        let token = config.token.clone();
        let sandbox = hubtix::sandbox::spawn(config).await.expect("sandbox");
        let client = client_for(&sandbox, &token);
        Self::attach_configured(sandbox, client, width, height, configure)
    }

    /// [`Harness::start_configured`] against a running sandbox with a client of the test's
    /// making. Its waits look at every frame in order.
    pub fn attach_configured(
        sandbox: SandboxHandle,
        client: Client,
        width: u16,
        height: u16,
        configure: impl FnOnce(&mut App) + Send + 'static,
    ) -> Self {
        Self::spawn_loop(
            sandbox,
            client,
            width,
            height,
            None,
            false,
            Box::new(configure),
        )
    }

    /// The TUI against an already running sandbox, keeping drafts in `drafts` when given
    /// (`run_loop_with_drafts`, as the binary does).
    pub fn attach(
        sandbox: SandboxHandle,
        token: &str,
        width: u16,
        height: u16,
        drafts: Option<hubtix::drafts::DraftStore>,
    ) -> Self {
        let url = sandbox.base_url();
        Self::attach_via(sandbox, &url, token, width, height, drafts)
    }

    /// [`Harness::attach`], the app and `client` talking to `base_url` (a proxy in front of
    /// the sandbox, say).
    pub fn attach_via(
        sandbox: SandboxHandle,
        base_url: &str,
        token: &str,
        width: u16,
        height: u16,
        drafts: Option<hubtix::drafts::DraftStore>,
    ) -> Self {
        let mut config = ClientConfig::new(base_url.to_owned(), AccessToken::new(token));
        config.timeout = Duration::from_secs(5);
        config.retry = RetryPolicy::fast();
        let client = Client::new(config).expect("client");
        Self::attach_client(sandbox, client, width, height, drafts)
    }

    /// [`Harness::attach`] with a client of the test's making (its base URL, retry policy..).
    /// Its waits look at the latest screen only.
    pub fn attach_client(
        sandbox: SandboxHandle,
        client: Client,
        width: u16,
        height: u16,
        drafts: Option<hubtix::drafts::DraftStore>,
    ) -> Self {
        Self::spawn_loop(
            sandbox,
            client,
            width,
            height,
            drafts,
            true,
            Box::new(|_| {}),
        )
    }

    /// [`Harness::attach_configured`], every write journaled in `journal` (as the binary
    /// does).
    #[allow(dead_code)]
    pub fn attach_journaled(
        sandbox: SandboxHandle,
        client: Client,
        width: u16,
        height: u16,
        journal: std::sync::Arc<hubtix::journal::Journal>,
        configure: impl FnOnce(&mut App) + Send + 'static,
    ) -> Self {
        Self::spawn_loop_with(
            sandbox,
            client,
            (width, height),
            hubtix::runtime::Extras {
                journal: Some(journal),
                ..hubtix::runtime::Extras::default()
            },
            false,
            Box::new(configure),
        )
    }

    fn spawn_loop(
        sandbox: SandboxHandle,
        client: Client,
        width: u16,
        height: u16,
        drafts: Option<hubtix::drafts::DraftStore>,
        latest_only: bool,
        configure: Configure,
    ) -> Self {
        let extras = hubtix::runtime::Extras {
            drafts,
            ..hubtix::runtime::Extras::default()
        };
        Self::spawn_loop_with(
            sandbox,
            client,
            (width, height),
            extras,
            latest_only,
            configure,
        )
    }

    fn spawn_loop_with(
        sandbox: SandboxHandle,
        client: Client,
        (width, height): (u16, u16),
        extras: hubtix::runtime::Extras,
        latest_only: bool,
        configure: Configure,
    ) -> Self {
        let (keys, rx) = mpsc::unbounded_channel();
        let (screen_tx, screen) = watch::channel(String::new());
        let (frames_tx, frames) = mpsc::unbounded_channel();
        let input = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|e| (e, rx))
        }));
        let loop_client = client.clone();
        let task = tokio::spawn(async move {
            let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
            let portal = Portal {
                demo: true,
                ..Portal::default()
            };
            let mut app = App::new(
                portal,
                Keymap::default(),
                jiff::Timestamp::now(),
                (width, height),
            );
            app.catalog.tz = jiff::tz::TimeZone::UTC;
            configure(&mut app);
            let exit = hubtix::runtime::run_loop_with(
                &mut terminal,
                &mut app,
                input,
                loop_client,
                std::future::pending(),
                move |buf| {
                    let text = buffer_text(buf);
                    // The latest screen first: a wait that stopped at this frame then never
                    // reads an older screen through `screen()` or `screen_has`.
                    let _ = screen_tx.send(text.clone());
                    let _ = frames_tx.send(text);
                },
                extras,
            )
            .await;
            (exit, app)
        });
        Self {
            keys,
            screen,
            frames,
            last: String::new(),
            latest_only,
            sandbox,
            client,
            task,
        }
    }

    pub fn key(&self, code: KeyCode) {
        self.key_mod(code, KeyModifiers::NONE);
    }

    pub fn key_mod(&self, code: KeyCode, mods: KeyModifiers) {
        let _ = self
            .keys
            .send(Ok(TermEvent::Key(KeyEvent::new(code, mods))));
    }

    pub fn chars(&self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub fn screen(&self) -> String {
        self.screen.borrow().clone()
    }

    /// Waits (up to `WAIT_SECS`) until the frame the last wait stopped at, or one drawn since,
    /// satisfies `pred`, looking at every frame in order; returns that frame. Frames before it
    /// are consumed.
    pub async fn wait_until(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        if self.latest_only {
            return self.wait_latest(what, pred).await;
        }
        if pred(&self.last) {
            return self.last.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(WAIT_SECS);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; screen:\n{}",
                self.screen()
            );
            match tokio::time::timeout(left, self.frames.recv()).await {
                Ok(Some(frame)) if pred(&frame) => {
                    self.last.clone_from(&frame);
                    return frame;
                }
                Ok(Some(frame)) => self.last = frame,
                Ok(None) => panic!(
                    "the loop ended while waiting for {what}:\n{}",
                    self.screen()
                ),
                Err(_) => {}
            }
        }
    }

    /// Waits (up to `WAIT_SECS`) until the latest screen satisfies `pred`.
    async fn wait_latest(&mut self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(WAIT_SECS);
        loop {
            {
                let s = self.screen.borrow_and_update();
                if pred(&s) {
                    return s.clone();
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; screen:\n{}",
                self.screen()
            );
            let _ = tokio::time::timeout(left, self.screen.changed()).await;
        }
    }

    /// Whether the current screen (the last frame drawn) satisfies `pred`.
    pub fn screen_has(&self, pred: impl Fn(&str) -> bool) -> bool {
        pred(&self.screen.borrow())
    }

    pub async fn wait_text(&mut self, text: &str) -> String {
        self.wait_until(text, |s| s.contains(text)).await
    }

    /// Sends `Ctrl-c` and waits for the loop to end; the sandbox stops too.
    pub async fn quit(self) -> hubtix::runtime::Exit {
        let (exit, sandbox) = self.stop().await;
        sandbox.shutdown().await;
        exit
    }

    /// Sends `Ctrl-c` and waits for the loop to end; the sandbox keeps running (to start the
    /// TUI again against it with [`Harness::attach`]).
    pub async fn stop(self) -> (hubtix::runtime::Exit, SandboxHandle) {
        let (exit, sandbox, _) = self.stop_app().await;
        (exit, sandbox)
    }

    /// [`Harness::stop`], also handing back the app as the loop left it (its loaded rows..).
    pub async fn stop_app(self) -> (hubtix::runtime::Exit, SandboxHandle, App) {
        self.key_mod(KeyCode::Char('c'), KeyModifiers::CONTROL);
        let (exit, app) = tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("loop ends")
            .expect("loop task");
        (exit.expect("no terminal error"), self.sandbox, app)
    }
}
