//! The event loop: input, worker events, a tick and signals in; `update` in the middle;
//! effects out; a frame drawn only when something changed and no message is waiting.
//!
//! [`run_loop`] is generic over the terminal backend and the input stream so that headless
//! tests drive the real loop, worker and sandbox with a `TestBackend` and scripted keys.

use std::io;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, KeyEventKind, MouseButton, MouseEventKind};
use futures_util::{FutureExt, Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc;

use crate::app::{self, App, Effect, Msg};
use crate::hubspot::Client;
use crate::protocol::Event;
use crate::worker;

/// How often the clock ticks (debounce, toasts, backoff countdown).
pub const TICK: Duration = Duration::from_millis(50);

/// Why the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// The input stream ended or a signal arrived.
    Shutdown,
}

/// Turns a terminal event into a message; key releases and repeats are dropped here.
pub fn msg_from_terminal(ev: TermEvent) -> Option<Msg> {
    match ev {
        TermEvent::Key(k) if k.kind == KeyEventKind::Press => Some(Msg::Key(k)),
        TermEvent::Paste(s) => Some(Msg::Paste(s)),
        TermEvent::Resize(w, h) => Some(Msg::Resize(w, h)),
        // Clicks and the wheel; moves, drags and releases mean nothing to hubtix.
        TermEvent::Mouse(m)
            if matches!(
                m.kind,
                MouseEventKind::Down(MouseButton::Left)
                    | MouseEventKind::ScrollUp
                    | MouseEventKind::ScrollDown
            ) =>
        {
            Some(Msg::Mouse(m))
        }
        _ => None,
    }
}

/// Runs until the user quits, the input ends or `shutdown` resolves.
/// `on_draw` sees every frame drawn (tests read the screen through it). Drafts are not kept.
pub async fn run_loop<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    input: S,
    client: Client,
    shutdown: impl std::future::Future<Output = ()>,
    on_draw: impl FnMut(&Buffer),
) -> io::Result<Exit>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    S: Stream<Item = io::Result<TermEvent>> + Unpin,
{
    run_loop_with_drafts(terminal, app, input, client, shutdown, on_draw, None).await
}

/// [`run_loop`], keeping edit drafts in `drafts` and offering back the ones found at start.
pub async fn run_loop_with_drafts<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    input: S,
    client: Client,
    shutdown: impl std::future::Future<Output = ()>,
    on_draw: impl FnMut(&Buffer),
    drafts: Option<crate::drafts::DraftStore>,
) -> io::Result<Exit>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    S: Stream<Item = io::Result<TermEvent>> + Unpin,
{
    let extras = Extras {
        drafts,
        ..Extras::default()
    };
    run_loop_with(terminal, app, input, client, shutdown, on_draw, extras).await
}

/// What the binary's loop has that a headless one may leave out.
#[derive(Default)]
pub struct Extras {
    /// Where edit drafts are kept and found at start (none: not kept).
    pub drafts: Option<crate::drafts::DraftStore>,
    /// The external editor's command line (`$VISUAL`, else `$EDITOR`); none: `Ctrl-e` says
    /// how to set one.
    pub editor: Option<String>,
    /// The real terminal, handed to the editor while it runs (none: the screen does not
    /// change hands, as in a headless loop).
    pub console: Option<Box<dyn Console + Send>>,
    /// The live queue's background sync over this portal's cache (none: no cache, no sync).
    pub live: Option<crate::live::Settings>,
    /// The journal of writes (none: writes are not journaled, `z` has nothing to undo).
    pub journal: Option<std::sync::Arc<crate::journal::Journal>>,
    /// `hubtix doctor`'s checks, run in the background at start (none: not run); their
    /// answer is [`crate::protocol::Event::Checked`].
    pub checks: Option<crate::doctor::Setup>,
}

/// The terminal and keyboard the loop runs on, lent to another program (the external
/// editor) and taken back.
pub trait Console {
    /// Gives them away: stop reading keys, leave the TUI modes.
    fn release(&mut self) -> io::Result<()>;
    /// Takes them back: the TUI modes, then reading keys. Called after every release,
    /// whatever the program did.
    fn reclaim(&mut self) -> io::Result<()>;
}

/// The binary's console: the process's terminal (see `terminal`) and its key reader.
struct TuiConsole {
    input: crate::input::InputControl,
}

impl Console for TuiConsole {
    fn release(&mut self) -> io::Result<()> {
        self.input.pause();
        crate::terminal::suspend()
    }

    fn reclaim(&mut self) -> io::Result<()> {
        let modes = crate::terminal::resume();
        self.input.resume()?;
        modes
    }
}

/// [`run_loop`] with the [`Extras`] the binary gives it.
pub async fn run_loop_with<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut input: S,
    client: Client,
    shutdown: impl std::future::Future<Output = ()>,
    mut on_draw: impl FnMut(&Buffer),
    mut extras: Extras,
) -> io::Result<Exit>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    S: Stream<Item = io::Result<TermEvent>> + Unpin,
{
    let drafts = extras.drafts.take();
    // The one write gate (read-only as the app was set up), below the app too: the client
    // refuses whatever write the app would let through.
    worker::install_gate(&client, app.gate.read_only);
    app.gate.offline_since = client.unreachable_since();
    let (events_tx, mut events_rx) = mpsc::channel(256);
    // What the runtime's own effects report back (a browser that did not start).
    let (local_tx, mut local_rx) = mpsc::unbounded_channel::<Msg>();
    let live = extras
        .live
        .take()
        .map(|s| crate::live::spawn(client.clone(), s, events_tx.clone()));
    spawn_checks(extras.checks.take(), events_tx.clone());
    let settings_client = client.clone();
    let commands = worker::spawn_journaled(client, events_tx, extras.journal.take());
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    tokio::pin!(shutdown);

    let size = terminal.size().map_err(backend_error)?;
    let mut effects = app::update(app, Msg::Resize(size.width, size.height));
    effects.extend(app.start());
    if let Some(store) = &drafts {
        let found = store.load_all();
        if !found.is_empty() {
            effects.extend(app::update(app, Msg::DraftsFound(found)));
        }
    }
    let mut exit = None;
    loop {
        let mut followups = Vec::new();
        for effect in effects.drain(..) {
            match effect {
                Effect::SaveViews(views) => {
                    let result = save_views(app.config_file.as_deref(), &views);
                    followups.extend(app::update(app, Msg::ViewsSaved(result)));
                }
                Effect::SaveMe(me) => {
                    let result = save_me(app.config_file.as_deref(), &me);
                    followups.extend(app::update(app, Msg::MeSaved(result)));
                }
                Effect::Quit => exit = Some(Exit::Quit),
                Effect::Api(cmd) => {
                    if commands.send(cmd).is_err() {
                        tracing::error!("the API worker stopped");
                    }
                }
                Effect::ReadCache(request) => {
                    if let Some(live) = &live {
                        live.read(request);
                    }
                }
                Effect::Clipboard(text) => copy_osc52(terminal, &text),
                Effect::OpenUrl(url) => open_url(url, local_tx.clone()),
                Effect::SaveDraft(draft) => save_draft(drafts.as_ref(), &draft),
                Effect::DeleteDraft {
                    ticket_id,
                    property,
                } => delete_draft(drafts.as_ref(), &ticket_id, &property),
                Effect::ReloadConfig { path, me } => {
                    reload_config(settings_client.clone(), path, me, local_tx.clone());
                }
                Effect::EditExternally { text } => {
                    let result = edit_on(terminal, &mut extras, &text).await?;
                    followups.extend(app::update(app, Msg::EditedExternally(result)));
                }
            }
        }
        if let Some(exit) = exit {
            return Ok(exit);
        }
        if !followups.is_empty() {
            effects = followups;
            continue;
        }
        if app.dirty {
            app.dirty = false;
            let frame = terminal
                .draw(|f| crate::ui::draw(f, app))
                .map_err(backend_error)?;
            on_draw(frame.buffer);
        }
        let msg = tokio::select! {
            biased;
            () = &mut shutdown => return Ok(Exit::Shutdown),
            ev = input.next() => match ev {
                None => return Ok(Exit::Shutdown),
                Some(Err(e)) => return Err(e),
                Some(Ok(ev)) => msg_from_terminal(ev),
            },
            Some(ev) = events_rx.recv() => Some(Msg::Worker(ev)),
            Some(msg) = local_rx.recv() => Some(msg),
            _ = tick.tick() => Some(Msg::Tick(jiff::Timestamp::now())),
        };
        if let Some(msg) = msg {
            effects = app::update(app, msg);
        }
        if let Some(end) = drain_waiting(app, &mut input, &mut events_rx, &mut effects) {
            return end;
        }
    }
}

/// Drains every input event and worker answer already waiting before the next frame: a
/// burst of keys (held `j`, `send-keys -N 2000`) or of answers costs one frame, and none
/// waits for the next key. `Some` ends the loop (the input closed or failed).
fn drain_waiting<S>(
    app: &mut App,
    input: &mut S,
    events_rx: &mut mpsc::Receiver<Event>,
    effects: &mut Vec<Effect>,
) -> Option<io::Result<Exit>>
where
    S: Stream<Item = io::Result<TermEvent>> + Unpin,
{
    while !effects.iter().any(|e| matches!(e, Effect::Quit)) {
        match input.next().now_or_never() {
            None => break,
            Some(None) => return Some(Ok(Exit::Shutdown)),
            Some(Some(Err(e))) => return Some(Err(e)),
            Some(Some(Ok(ev))) => {
                if let Some(msg) = msg_from_terminal(ev) {
                    effects.extend(app::update(app, msg));
                }
            }
        }
    }
    while let Ok(ev) = events_rx.try_recv() {
        effects.extend(app::update(app, Msg::Worker(ev)));
    }
    None
}

fn save_draft(drafts: Option<&crate::drafts::DraftStore>, draft: &crate::drafts::Draft) {
    if let Some(store) = drafts
        && let Err(e) = store.save(draft)
    {
        tracing::error!("cannot save the draft in {}: {e}", store.dir().display());
    }
}

fn delete_draft(drafts: Option<&crate::drafts::DraftStore>, ticket_id: &str, property: &str) {
    if let Some(store) = drafts
        && let Err(e) = store.delete(ticket_id, property)
    {
        tracing::error!("cannot remove the draft: {e}");
    }
}

/// `Effect::EditExternally` on the loop's terminal: the editor gets the console meanwhile,
/// then the whole screen is drawn again.
async fn edit_on<B>(
    terminal: &mut Terminal<B>,
    extras: &mut Extras,
    text: &str,
) -> io::Result<Result<String, String>>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    let console = extras.console.as_deref_mut();
    let result = edit_externally(extras.editor.as_deref(), text, console).await;
    if extras.console.is_some() {
        // The editor drew over the screen.
        terminal.clear().map_err(backend_error)?;
    }
    Ok(result)
}

/// Runs `editor` on a private temporary file holding `text` and reads the file back. The
/// console is released before and reclaimed after, whatever the editor did; the file is
/// removed either way. `Err` says why the text is unchanged.
pub async fn edit_externally(
    editor: Option<&str>,
    text: &str,
    mut console: Option<&mut (dyn Console + Send + 'static)>,
) -> Result<String, String> {
    let editor = editor
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or("set $VISUAL or $EDITOR to the editor to use")?;
    let file = TempText::create(text).map_err(|e| format!("cannot write a temporary file: {e}"))?;
    let released = match console.as_deref_mut() {
        Some(c) => c.release(),
        None => Ok(()),
    };
    let status = match released {
        Ok(()) => {
            // Ctrl-c in the editor interrupts the editor, not hubtix (as git does).
            let _held = hold_interrupts();
            editor_command(editor, &file.path).status().await
        }
        Err(e) => Err(e),
    };
    let reclaimed = match console {
        Some(c) => c.reclaim(),
        None => Ok(()),
    };
    let name = program_name(editor);
    let status = status.map_err(|e| format!("cannot run {name}: {e}"))?;
    reclaimed.map_err(|e| format!("cannot take the terminal back: {e}"))?;
    if !status.success() {
        return Err(format!("{name} ended with {status}; the text is as it was"));
    }
    std::fs::read_to_string(&file.path)
        .map_err(|e| format!("cannot read the text back from {name}: {e}"))
}

/// How a message names the editor: its program's file name (`vim`, not `/usr/bin/vim -p`).
fn program_name(editor: &str) -> &str {
    let program = editor.split_whitespace().next().unwrap_or(editor);
    std::path::Path::new(program)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(program)
}

/// SIGINT and SIGQUIT (Ctrl-c, Ctrl-\\ typed to an editor that leaves them on) reach a
/// handler of hubtix's instead of ending it; the editor, in the same process group, still
/// gets them. Outside raw mode hubtix would otherwise die, the form with it. (tokio keeps
/// its handler once installed: from then on hubtix ignores both, as in raw mode, where they
/// are keys.)
fn hold_interrupts() -> Vec<impl Sized> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        [SignalKind::interrupt(), SignalKind::quit()]
            .into_iter()
            .filter_map(|k| signal(k).ok())
            .collect()
    }
    #[cfg(not(unix))]
    {
        Vec::<()>::new()
    }
}

/// The editor's command line on `path`: through `sh`, so `$EDITOR` may hold arguments
/// (`code --wait`), as git and others run it.
fn editor_command(editor: &str, path: &std::path::Path) -> tokio::process::Command {
    if cfg!(unix) {
        let mut c = tokio::process::Command::new("sh");
        c.arg("-c")
            .arg(format!("{editor} \"$@\""))
            .arg(editor)
            .arg(path);
        c
    } else {
        let mut words = editor.split_whitespace();
        let mut c = tokio::process::Command::new(words.next().unwrap_or(editor));
        c.args(words).arg(path);
        c
    }
}

/// A temporary file holding customer text: created new (never an existing file or link)
/// and private (0600), removed when dropped. The text ends with a line break, as a text
/// file does (the editor's next line starts on a line of its own).
struct TempText {
    path: std::path::PathBuf,
}

impl TempText {
    fn create(text: &str) -> io::Result<Self> {
        let text = if text.is_empty() || text.ends_with('\n') {
            text.to_owned()
        } else {
            format!("{text}\n")
        };
        use std::io::Write;
        let path = std::env::temp_dir().join(format!(
            "hubtix-{}-{:016x}.txt",
            std::process::id(),
            fastrand::u64(..)
        ));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path)?;
        let file_guard = Self { path };
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        Ok(file_guard)
    }
}

impl Drop for TempText {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.path) {
            tracing::warn!("cannot remove {}: {e}", self.path.display());
        }
    }
}

/// The external editor the user chose: `$VISUAL`, else `$EDITOR`.
fn editor_from_env() -> Option<String> {
    ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(std::env::var_os)
        .map(|v| v.to_string_lossy().trim().to_owned())
        .find(|v| !v.is_empty())
}

/// Writes `views` into config.toml (created if missing; other settings, comments and the
/// file's permissions kept), through a temporary file renamed over it.
fn save_views(
    path: Option<&std::path::Path>,
    views: &[crate::views::View],
) -> Result<String, String> {
    let path = path.ok_or("there is no config file to save views in")?;
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let new_text = crate::views::save_into_config(&text, views)?;
    crate::config::write_atomically(path, new_text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

/// Writes `me = "…"` into config.toml, the rest of the file (comments included) kept.
fn save_me(path: Option<&std::path::Path>, me: &str) -> Result<String, String> {
    let path = path.ok_or("there is no config file to save me in")?;
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let new_text = crate::config::set_me(&text, me)?;
    crate::config::write_atomically(path, new_text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path.display().to_string())
}

/// A backend's error as an `io::Error` (crossterm's already is one; `TestBackend`'s is
/// `Infallible`, which has no `Into<io::Error>`).
fn backend_error<E: std::error::Error + Send + Sync + 'static>(e: E) -> io::Error {
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
    match boxed.downcast::<io::Error>() {
        Ok(io) => *io,
        Err(other) => io::Error::other(other),
    }
}

/// Copies through the terminal (OSC 52), which works over SSH.
fn copy_osc52<B: Backend>(_terminal: &mut Terminal<B>, text: &str) {
    use std::io::Write;
    let seq = format!("\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()));
    let mut out = io::stdout();
    if let Err(e) = out.write_all(seq.as_bytes()).and_then(|()| out.flush()) {
        tracing::warn!("clipboard: {e}");
    }
}

/// Opens a URL with the desktop's opener, detached; failures are logged.
fn open_url(url: String, report: mpsc::UnboundedSender<Msg>) {
    let Some((program, args)) = opener(std::env::var("BROWSER").ok().as_deref()) else {
        let _ = report.send(Msg::OpenFailed {
            url,
            why: "$BROWSER names no program".into(),
        });
        return;
    };
    // `$BROWSER` may say where the URL goes (`firefox %s`); else it comes last.
    let has_slot = args.iter().any(|a| a.contains("%s"));
    let args: Vec<String> = if has_slot {
        args.iter().map(|a| a.replace("%s", &url)).collect()
    } else {
        args.into_iter().chain([url.clone()]).collect()
    };
    let child = tokio::process::Command::new(&program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("cannot run {program}: {e}");
            let _ = report.send(Msg::OpenFailed {
                url,
                why: format!("cannot run {program}: {e}"),
            });
            return;
        }
    };
    // An opener hands the URL over and exits; a failure shows as its exit status. One that
    // is still running after a while (a browser in the foreground) is taken as started.
    tokio::spawn(async move {
        match tokio::time::timeout(OPENER_GRACE, child.wait()).await {
            Ok(Ok(status)) if !status.success() => {
                tracing::warn!("{program} {url}: {status}");
                let _ = report.send(Msg::OpenFailed {
                    url,
                    why: format!("{program} could not open it ({status})"),
                });
            }
            Ok(Err(e)) => tracing::warn!("{program}: {e}"),
            Ok(Ok(_)) | Err(_) => {}
        }
    });
}

/// How long an opener may take to say it failed.
const OPENER_GRACE: Duration = Duration::from_secs(10);

/// The command that opens a URL: `$BROWSER` when set (its first `:`-separated entry, split on
/// spaces for arguments), else the platform's opener. `None` when `$BROWSER` names nothing.
pub fn opener(browser: Option<&str>) -> Option<(String, Vec<String>)> {
    match browser {
        Some(b) if !b.trim().is_empty() => {
            let first = b.split(':').map(str::trim).find(|s| !s.is_empty())?;
            let mut words = first.split_whitespace().map(str::to_owned);
            let program = words.next()?;
            Some((program, words.collect()))
        }
        Some(_) | None => Some((
            if cfg!(target_os = "macos") {
                "open"
            } else {
                "xdg-open"
            }
            .to_owned(),
            Vec::new(),
        )),
    }
}

/// Standard base64 (for OSC 52), to avoid a crate for twenty lines.
pub fn base64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Checks the token with one cheap read before the terminal is taken over, so that a missing
/// or rejected token is a plain message on the command line.
pub async fn preflight(client: &Client) -> Result<(), String> {
    read_one(client).await.map_err(Preflight::message)
}

/// Why the one cheap read failed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Preflight {
    /// HubSpot refused the credential (401) or it lacks a scope (403): hubtix cannot work.
    Refused(String),
    /// Anything else: no answer (offline), a 5xx, a timeout.
    Trouble(String),
}

impl Preflight {
    fn message(self) -> String {
        match self {
            Self::Refused(m) | Self::Trouble(m) => m,
        }
    }
}

async fn read_one(client: &Client) -> Result<(), Preflight> {
    let query = crate::hubspot::ListQuery {
        limit: Some(1),
        properties: vec!["subject".to_owned()],
        ..crate::hubspot::ListQuery::default()
    };
    match client.list_tickets(&query).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_auth() => Err(Preflight::Refused(format!(
            "HubSpot rejected the access token or service key ({}). Check HUBSPOT_ACCESS_TOKEN: \
             it must be a service key or a private app's access token of this portal",
            e.summary()
        ))),
        Err(e) => match e.missing_scopes() {
            Some(scopes) if !scopes.is_empty() => Err(Preflight::Refused(format!(
                "the service key or private app lacks scopes: {} — add them in HubSpot \
                 (Settings → Integrations → Service Keys, or Private Apps) and try again",
                scopes.join(", ")
            ))),
            _ => Err(Preflight::Trouble(format!(
                "cannot reach HubSpot: {}",
                e.summary()
            ))),
        },
    }
}

/// Runs the doctor's checks in a task and sends what they found; the first screen does not
/// wait for them.
fn spawn_checks(setup: Option<crate::doctor::Setup>, events: mpsc::Sender<crate::protocol::Event>) {
    let Some(setup) = setup else {
        return;
    };
    tokio::spawn(async move {
        let report = crate::doctor::diagnose(&setup, std::time::Duration::from_secs(30)).await;
        // The cache's file name at the next start (this run keeps the file it opened).
        crate::doctor::remember_portal(&setup, &report);
        let portal = report
            .account
            .as_ref()
            .map(|a| crate::protocol::CheckedPortal {
                portal_id: a.portal_id.to_string(),
                ui_domain: a.ui_domain.clone(),
            });
        let event = crate::protocol::Event::Checked {
            portal,
            problem: report.summary(),
        };
        // The loop may have ended meanwhile: nothing to tell.
        let _ = events.send(event).await;
    });
}

/// The doctor's setup for the TUI's background checks: this connection's base URL, config
/// and credential.
fn checks_setup(
    conn: &crate::tickets_cmd::Connection,
    paths: &crate::config::Paths,
) -> crate::doctor::Setup {
    let demo = conn.sandbox.is_some();
    let token = if demo {
        let token = crate::sandbox::SandboxConfig::default().token;
        Some((
            crate::hubspot::AccessToken::new(token),
            crate::doctor::Source::Demo,
        ))
    } else {
        let env = std::env::var("HUBSPOT_ACCESS_TOKEN").ok();
        crate::credentials::resolve(env, paths, &conn.config)
            .ok()
            .flatten()
    };
    crate::doctor::Setup {
        paths: paths.clone(),
        config: Ok(conn.config.clone()),
        token,
        base_url: conn.client.base_url().to_owned(),
        demo,
        // The start checked the macros (and the app checks them again when it started
        // from the cache): not a second catalogue read here.
        macros: false,
    }
}

/// Why the TUI did not start, or stopped on an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TuiError {
    /// config.toml asks for what the portal does not have (a macro's property, stage, owner
    /// or key): one line per problem, and exit code 2.
    Config(Vec<String>),
    /// Anything else: one line, exit code 1.
    Other(String),
}

impl From<String> for TuiError {
    fn from(message: String) -> Self {
        TuiError::Other(message)
    }
}

/// How the TUI starts, decided before the terminal is taken ([`start_plan`]).
#[derive(Debug)]
pub enum StartPlan {
    /// The cache has a completed sync and its catalogue, and config.toml's macros check
    /// against that catalogue: the terminal is taken at once and the cached rows drawn; the
    /// token, HubSpot's catalogue (the macros checked again: [`App::set_macros_to_confirm`])
    /// and the first page are confirmed in the background.
    Warm {
        catalog: Box<crate::domain::Catalog>,
        macros: Vec<crate::macros::Macro>,
    },
    /// No usable cache, or a macro the cache's catalogue refuses (it may be stale: HubSpot
    /// decides): the start waits for HubSpot as before (the token read, the macros checked
    /// against HubSpot's catalogue, a problem reported on the command line).
    Cold,
}

/// The start decision: [`StartPlan::Warm`] when `cached` (the cache's catalogue, when a sync
/// completed into it) accepts config.toml's macros (`defs`; the defaults when none), else
/// [`StartPlan::Cold`]. Reads nothing: the caller read the cache.
pub fn start_plan(
    cached: Option<crate::domain::Catalog>,
    defs: Option<&[crate::macros::MacroDef]>,
    me: Option<&str>,
    keymap: &crate::keymap::Keymap,
    source_name: &str,
) -> StartPlan {
    let Some(catalog) = cached else {
        return StartPlan::Cold;
    };
    let check = crate::macros::Check {
        catalog: &catalog,
        me,
        keymap,
        source_name,
    };
    match crate::macros::from_config(defs, &check) {
        Ok(macros) => StartPlan::Warm {
            catalog: Box::new(catalog),
            macros,
        },
        Err(problems) => {
            tracing::info!(
                "cold start: the cached catalogue refuses a macro ({})",
                problems.join("; ")
            );
            StartPlan::Cold
        }
    }
}

/// The cache's catalogue for a warm start: only when a sync has completed into the cache
/// (so it holds the portal's rows and catalogue) and the catalogue reads and names pipelines
/// and properties.
fn warm_catalog(live: Option<&crate::live::Settings>) -> Option<crate::domain::Catalog> {
    let cache = &live?.cache;
    cache.sync_state().ok()?.last_sync_ms?;
    let catalog = match crate::cache_cmd::cached_catalog(cache) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!("no warm start: {e}");
            return None;
        }
    };
    (!catalog.pipelines.is_empty() && !catalog.properties.is_empty()).then_some(catalog)
}

/// What the start-up found out before the terminal: the catalogue for the app (the cache's,
/// offline or warm), the macros, and since when HubSpot is out of reach (offline).
struct Prepared {
    cached_catalog: Option<crate::domain::Catalog>,
    macros: Vec<crate::macros::Macro>,
    /// A warm start: the macros to check again against HubSpot's catalogue, and the token to
    /// confirm in the background.
    warm: bool,
}

/// The cold start, as before the cache: the token read (preflight), offline from the cache
/// when HubSpot cannot be reached, the macros checked against HubSpot's catalogue.
async fn prepare_cold(
    conn: &crate::tickets_cmd::Connection,
    live: Option<&crate::live::Settings>,
    me: Option<&str>,
    keymap: &crate::keymap::Keymap,
    source_name: &str,
) -> Result<Prepared, TuiError> {
    // HubSpot out of reach (no answer at all; a refused token is not that): offline, from
    // the cache when there is one.
    let offline = match preflight(&conn.client).await {
        Ok(()) => None,
        Err(why) if conn.client.unreachable_since().is_some() => Some(why),
        Err(why) => return Err(why.into()),
    };
    let cached_catalog = match &offline {
        Some(why) => Some(offline_catalog(live, why)?),
        None => None,
    };
    let catalog = match &cached_catalog {
        Some(c) => Ok(c.clone()),
        None => load_catalog(&conn.client).await.map_err(|e| e.summary()),
    };
    let macros = macros_against(
        catalog,
        conn.config.macros.as_deref(),
        me,
        keymap,
        source_name,
    )?;
    Ok(Prepared {
        cached_catalog,
        macros,
        warm: false,
    })
}

/// The warm start's background token check: resolves with the one-line message when
/// HubSpot refuses the token or it lacks a scope (the TUI then ends and prints it); never
/// resolves otherwise (accepted; or out of reach, a 5xx: the app's banner and status line
/// say that, as for any request).
async fn token_refused(client: Client) -> String {
    match read_one(&client).await {
        Err(Preflight::Refused(why)) => why,
        Ok(()) | Err(Preflight::Trouble(_)) => std::future::pending().await,
    }
}

/// The interactive TUI: keymap, views, the cache, the start decision ([`start_plan`]), then
/// the terminal and the loop; the terminal is restored on every way out (quit, error, panic,
/// SIGTERM, SIGHUP, a token refused after a warm start) before anything is printed.
pub async fn run_tui(
    conn: crate::tickets_cmd::Connection,
    paths: &crate::config::Paths,
) -> Result<(), TuiError> {
    trace_start("start");
    let keymap = load_keymap(paths)?;
    // Checked before the terminal is taken, so a mistake is a plain message.
    let views = crate::views::from_config(conn.config.views.clone())?;
    let (live, live_mode) = live_settings(&conn, paths)?;
    trace_start("cache opened");
    let me = conn.config.me.clone().or_else(|| {
        // The demo portal's agent: an owner the sandbox seeds, so "Mine" shows tickets.
        conn.sandbox
            .is_some()
            .then(|| crate::sandbox::DEMO_ME.to_owned())
    });
    let source_name = paths.config_file().display().to_string();
    let plan = start_plan(
        warm_catalog(live.as_ref()),
        conn.config.macros.as_deref(),
        me.as_deref(),
        &keymap,
        &source_name,
    );
    trace_start("start decided");
    let prepared = match plan {
        StartPlan::Warm { catalog, macros } => Prepared {
            cached_catalog: Some(*catalog),
            macros,
            warm: true,
        },
        StartPlan::Cold => {
            prepare_cold(&conn, live.as_ref(), me.as_deref(), &keymap, &source_name).await?
        }
    };
    let portal = app::Portal {
        demo: conn.sandbox.is_some(),
        portal_id: conn.config.portal_id.clone(),
        app_host: conn.config.app_host.clone(),
    };
    crate::terminal::install_panic_hook();
    let mouse = conn.config.mouse.unwrap_or(false);
    crate::terminal::set_mouse(mouse);
    let mut guard = crate::terminal::TerminalGuard::enter()
        .map_err(|e| format!("cannot set up the terminal: {e}"))?;
    trace_start("terminal taken");
    let size = guard.terminal().size().map_err(|e| e.to_string())?;
    let mut app = App::new(
        portal,
        keymap,
        jiff::Timestamp::now(),
        (size.width, size.height),
    );
    app.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    app.theme = conn.config.theme().unwrap_or_default();
    app.mouse = mouse;
    app.set_views(views);
    if prepared.warm {
        app.set_macros_to_confirm(prepared.macros, conn.config.macros.clone(), source_name);
    } else {
        app.set_macros(prepared.macros);
    }
    app.me = me;
    app.config_file = Some(paths.config_file());
    app.live_insert = live_mode == crate::config::Live::Insert;
    app.cached_catalog = prepared.cached_catalog;
    app.gate.read_only = conn.config.read_only.unwrap_or(false);
    let input = crate::input::TerminalInput::start()
        .map_err(|e| format!("cannot read the terminal: {e}"))?;
    let extras = Extras {
        drafts: Some(crate::drafts::DraftStore::new(
            paths.data_dir.join("drafts"),
        )),
        editor: editor_from_env(),
        console: Some(Box::new(TuiConsole {
            input: input.control(),
        })),
        live,
        journal: Some(std::sync::Arc::new(crate::journal::Journal::new(
            crate::journal::file_in(&paths.data_dir, conn.sandbox.is_some()),
            run_name(),
        ))),
        checks: Some(checks_setup(&conn, paths)),
    };
    let refused = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let shutdown = signals_or_refusal(
        prepared.warm.then(|| conn.client.clone()),
        std::sync::Arc::clone(&refused),
    );
    let mut frames = 0u32;
    let result = run_loop_with(
        guard.terminal(),
        &mut app,
        input,
        conn.client.clone(),
        shutdown,
        |_| {
            // The first frames: the empty screen, then the cached rows (or HubSpot's).
            if frames < 3 {
                frames += 1;
                trace_start(&format!("frame {frames} drawn"));
            }
        },
        extras,
    )
    .await;
    drop(guard);
    if let Some(sandbox) = conn.sandbox {
        sandbox.shutdown().await;
    }
    if let Some(why) = refused.get() {
        return Err(TuiError::Other(why.clone()));
    }
    result
        .map(|_| ())
        .map_err(|e| TuiError::Other(format!("terminal error: {e}")))
}

/// What ends the loop besides the user: a signal, or (a warm start, `confirm` the client)
/// HubSpot refusing the token, whose one-line message is kept in `refused` to be printed
/// once the terminal is back.
async fn signals_or_refusal(
    confirm: Option<Client>,
    refused: std::sync::Arc<std::sync::OnceLock<String>>,
) {
    let refusal = async {
        match confirm {
            Some(client) => token_refused(client).await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        () = signals() => {}
        why = refusal => {
            let _ = refused.set(why);
        }
    }
}

/// `HUBTIX_TRACE_START=1`: the start's steps in the log (`hubtix.log`), each with the wall
/// clock in ms since the epoch (to compare with when the process was launched) and the ms
/// since the first step, to see where a slow start spends its time. Off, it costs a look at
/// one variable.
fn trace_start(step: &str) {
    static FIRST: std::sync::OnceLock<Option<std::time::Instant>> = std::sync::OnceLock::new();
    let first = FIRST.get_or_init(|| {
        std::env::var_os("HUBTIX_TRACE_START")
            .is_some_and(|v| v == "1")
            .then(std::time::Instant::now)
    });
    if let Some(first) = first {
        tracing::info!(
            "start: {step} at epoch {} ms, {:.1} ms after the first step",
            jiff::Timestamp::now().as_millisecond(),
            first.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// This start's name in the journal: when, and the process, so two at once differ.
pub(crate) fn run_name() -> String {
    format!(
        "{}p{}",
        jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S"),
        std::process::id()
    )
}

/// The background sync's settings: this portal's cache opened (a corrupt file is rebuilt and
/// its notice shown in the status bar), `refresh_interval` and `live` from config.toml. A
/// cache that cannot be opened at all (no folder, a locked file) leaves the TUI without a
/// live queue rather than without a TUI.
fn live_settings(
    conn: &crate::tickets_cmd::Connection,
    paths: &crate::config::Paths,
) -> Result<(Option<crate::live::Settings>, crate::config::Live), TuiError> {
    let interval = conn.config.refresh_interval()?;
    let mode = conn.config.live()?;
    let first_pipeline = conn
        .config
        .views
        .clone()
        .unwrap_or_else(crate::views::defaults)
        .first()
        .and_then(|v| v.pipeline.clone());
    let path = crate::cache_cmd::cache_path(paths, conn, conn.sandbox.is_some());
    // Without the page scan: the live task runs it once the first rows are on screen.
    let settings = match crate::cache::Cache::open_quick(&path) {
        Ok(opened) => Some(crate::live::Settings {
            cache: opened.cache,
            notice: opened.notice,
            interval,
            properties: crate::cache_cmd::view_properties(conn),
            warm: Some(first_pipeline),
        }),
        Err(e) => {
            tracing::warn!("no live queue: {e}");
            None
        }
    };
    Ok((settings, mode))
}

/// Offline at start (`why` HubSpot could not be reached): the catalogue the cache holds, when
/// a sync has completed into it; else hubtix cannot start, and says why on one line.
fn offline_catalog(
    live: Option<&crate::live::Settings>,
    why: &str,
) -> Result<crate::domain::Catalog, TuiError> {
    let no_cache = || {
        TuiError::Other(format!(
            "{why}; and there is no local cache to read offline (run hubtix sync once \
             HubSpot can be reached)"
        ))
    };
    let cache = &live.ok_or_else(no_cache)?.cache;
    let synced = cache.sync_state().ok().and_then(|s| s.last_sync_ms);
    if synced.is_none() {
        return Err(no_cache());
    }
    crate::cache_cmd::cached_catalog(cache)
        .map_err(|e| TuiError::Other(format!("{why}; and the cached catalogue: {e}")))
}

/// The macros of config.toml (`defs`; the defaults when it has none) checked against the
/// portal before the terminal is taken: its properties, pipelines and owners are read for
/// that (three cheap requests). A problem is [`TuiError::Config`], one line each naming the
/// macro and the field (`source_name` is the config file's path).
pub async fn check_macros(
    client: &Client,
    defs: Option<&[crate::macros::MacroDef]>,
    me: Option<&str>,
    keymap: &crate::keymap::Keymap,
    source_name: &str,
) -> Result<Vec<crate::macros::Macro>, TuiError> {
    let catalog = load_catalog(client).await.map_err(|e| e.summary());
    macros_against(catalog, defs, me, keymap, source_name)
}

/// [`check_macros`] against a catalogue read (HubSpot's, or the cache's offline), or why it
/// could not be.
fn macros_against(
    catalog: Result<crate::domain::Catalog, String>,
    defs: Option<&[crate::macros::MacroDef]>,
    me: Option<&str>,
    keymap: &crate::keymap::Keymap,
    source_name: &str,
) -> Result<Vec<crate::macros::Macro>, TuiError> {
    let catalog = match catalog {
        Ok(c) => c,
        Err(e) if defs.is_some() => {
            return Err(TuiError::Other(format!(
                "cannot check the macros of {source_name}: {e}"
            )));
        }
        Err(e) => {
            // The defaults are a convenience: hubtix starts without them.
            tracing::warn!("no default macros: {e}");
            return Ok(Vec::new());
        }
    };
    let check = crate::macros::Check {
        catalog: &catalog,
        me,
        keymap,
        source_name,
    };
    crate::macros::from_config(defs, &check).map_err(TuiError::Config)
}

/// The ticket properties, pipelines and owners, as the app's catalogue.
async fn load_catalog(client: &Client) -> Result<crate::domain::Catalog, crate::hubspot::ApiError> {
    let (properties, pipelines, owners) = tokio::try_join!(
        client.properties("tickets"),
        client.pipelines("tickets"),
        client.owners()
    )?;
    let mut catalog = crate::domain::Catalog::default();
    catalog.set_properties(
        properties
            .into_iter()
            .filter(|p| !p.archived)
            .map(crate::mapping::property)
            .collect(),
        Vec::new(),
    );
    catalog.set_pipelines(
        pipelines
            .into_iter()
            .filter(|p| !p.archived)
            .map(crate::mapping::pipeline)
            .collect(),
    );
    catalog.set_owners(owners.into_iter().map(crate::mapping::owner).collect());
    Ok(catalog)
}

/// Reads config.toml again in a task, as at start (keys, views, macros checked against the
/// portal, theme), and answers with `Msg::ConfigReloaded`.
fn reload_config(
    client: Client,
    path: std::path::PathBuf,
    me: Option<String>,
    answer: mpsc::UnboundedSender<Msg>,
) {
    tokio::spawn(async move {
        let result = read_settings(&client, &path, me).await.map(Box::new);
        // The loop may have ended meanwhile: nobody to tell.
        let _ = answer.send(Msg::ConfigReloaded(result));
    });
}

async fn read_settings(
    client: &Client,
    path: &std::path::Path,
    me: Option<String>,
) -> Result<app::config_flow::Settings, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let name = path.display().to_string();
    let config = crate::config::Config::parse(&text, path).map_err(|e| e.to_string())?;
    let keymap = crate::keymap::Keymap::from_config(&text, &name).map_err(|e| e.to_string())?;
    let views = crate::views::from_config(config.views.clone())?;
    let me = config.me.clone().or(me);
    let macros = check_macros(
        client,
        config.macros.as_deref(),
        me.as_deref(),
        &keymap,
        &name,
    )
    .await
    .map_err(|e| match e {
        TuiError::Config(problems) => problems.join("; "),
        TuiError::Other(message) => message,
    })?;
    Ok(app::config_flow::Settings {
        keymap,
        views,
        macros,
        theme: config.theme()?,
    })
}

/// The default keymap with the `[keys.*]` tables of config.toml over it.
fn load_keymap(paths: &crate::config::Paths) -> Result<crate::keymap::Keymap, String> {
    let path = paths.config_file();
    match std::fs::read_to_string(&path) {
        Ok(text) => crate::keymap::Keymap::from_config(&text, &path.display().to_string())
            .map_err(|e| e.to_string()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(crate::keymap::Keymap::default()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Resolves on SIGTERM or SIGHUP (and Ctrl-C outside raw mode).
async fn signals() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            std::future::pending::<()>().await;
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    /// The app fixtures' catalogue, as a cache would hold it.
    fn cached() -> crate::domain::Catalog {
        use crate::app::tests::fixtures as f;
        let mut c = crate::domain::Catalog::default();
        c.set_properties(f::properties(), f::groups());
        c.set_pipelines(f::pipelines());
        c.set_owners(f::owners());
        c
    }

    fn defs(text: &str) -> Vec<crate::macros::MacroDef> {
        crate::config::Config::parse(text, std::path::Path::new("config.toml"))
            .unwrap()
            .macros
            .unwrap()
    }

    fn plan(
        cached: Option<crate::domain::Catalog>,
        defs: Option<&[crate::macros::MacroDef]>,
    ) -> StartPlan {
        let keymap = crate::keymap::Keymap::default();
        start_plan(
            cached,
            defs,
            Some("aiko@example.com"),
            &keymap,
            "config.toml",
        )
    }

    #[test]
    fn without_a_cached_catalogue_the_start_waits_for_hubspot() {
        assert!(matches!(plan(None, None), StartPlan::Cold));
        let escalate =
            defs("[[macros]]\nname = \"Urgent\"\nset = { hs_ticket_priority = \"URGENT\" }\n");
        assert!(matches!(plan(None, Some(&escalate)), StartPlan::Cold));
    }

    #[test]
    fn a_cached_catalogue_that_accepts_the_macros_starts_warm_with_them() {
        let StartPlan::Warm { catalog, macros } = plan(Some(cached()), None) else {
            panic!("the defaults check against any catalogue: warm");
        };
        assert_eq!(catalog.pipelines.len(), 2);
        assert!(!macros.is_empty(), "the default macros");
        let mine = defs(
            "[[macros]]\nname = \"Escalate\"\nset = { hs_pipeline_stage = \"label:Waiting on us\" }\n",
        );
        let StartPlan::Warm { macros, .. } = plan(Some(cached()), Some(&mine)) else {
            panic!("the stage is in the cached catalogue: warm");
        };
        assert_eq!(macros.len(), 1);
        assert_eq!(
            macros[0]
                .properties
                .get("hs_pipeline_stage")
                .map(String::as_str),
            Some("3")
        );
    }

    #[test]
    fn a_macro_the_cached_catalogue_refuses_makes_the_start_ask_hubspot() {
        // Perhaps the stage was added since the last sync: HubSpot decides, before the
        // terminal is taken, as without a cache.
        let unknown = defs(
            "[[macros]]\nname = \"Later\"\nset = { hs_pipeline_stage = \"label:Added since\" }\n",
        );
        assert!(matches!(
            plan(Some(cached()), Some(&unknown)),
            StartPlan::Cold
        ));
    }

    #[test]
    fn the_browser_command_comes_from_browser_or_the_platform() {
        use super::opener;
        let platform = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        assert_eq!(opener(None), Some((platform.to_owned(), vec![])));
        assert_eq!(opener(Some("  ")), Some((platform.to_owned(), vec![])));
        assert_eq!(
            opener(Some("firefox --new-tab %s:chromium")),
            Some(("firefox".to_owned(), vec!["--new-tab".into(), "%s".into()]))
        );
        assert_eq!(opener(Some(":")), None);
    }

    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn saving_views_keeps_the_rest_of_config_toml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let text = "# hubtix settings\nme = \"alice@example.com\" # who I am\n\n\
                    # my keys\n[keys.list]\nsearch = \"/\"\nfilter = \"f\"\n";
        std::fs::write(&path, text).unwrap();
        let mut views = crate::views::defaults();
        views.push(crate::views::View {
            name: "ACME".to_owned(),
            query: "acme".to_owned(),
            sort: Some("modified desc".parse().unwrap()),
            ..crate::views::View::default()
        });
        let shown = save_views(Some(&path), &views).unwrap();
        assert_eq!(shown, path.display().to_string());
        let out = std::fs::read_to_string(&path).unwrap();
        assert!(out.starts_with("# hubtix settings\nme = \"alice@example.com\" # who I am\n"));
        assert!(out.contains("# my keys\n[keys.list]\nsearch = \"/\"\nfilter = \"f\"\n"));
        let config = crate::config::Config::parse(&out, &path).unwrap();
        assert_eq!(config.views.as_deref(), Some(&views[..]));
        assert_eq!(config.me.as_deref(), Some("alice@example.com"));
        let keymap = crate::keymap::Keymap::from_config(&out, "config.toml").unwrap();
        let key = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('f'));
        assert_eq!(
            keymap.resolve(crate::keymap::Context::List, &key),
            Some(crate::action::Action::Filter),
            "the keys still apply"
        );
        assert!(!path.with_extension("toml.tmp").exists());
        // No file yet: created. No config file at all: refused with a reason.
        let fresh = dir.path().join("sub").join("config.toml");
        save_views(Some(&fresh), &views[..1]).unwrap();
        let config =
            crate::config::Config::parse(&std::fs::read_to_string(&fresh).unwrap(), &fresh)
                .unwrap();
        assert_eq!(config.views.map(|v| v.len()), Some(1));
        assert!(save_views(None, &views).is_err());
        // A file that does not parse is left alone.
        std::fs::write(&path, "me = [").unwrap();
        assert!(save_views(Some(&path), &views).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "me = [");
    }

    /// A console that records what was done to it.
    struct Recorder(std::sync::Arc<std::sync::Mutex<Vec<&'static str>>>);

    impl Console for Recorder {
        fn release(&mut self) -> io::Result<()> {
            self.0.lock().unwrap().push("release");
            Ok(())
        }
        fn reclaim(&mut self) -> io::Result<()> {
            self.0.lock().unwrap().push("reclaim");
            Ok(())
        }
    }

    /// A fake `$EDITOR`: a script that records the file's path and mode, then runs `body`.
    /// It is called with `--wait` first and the file second (`$2`).
    #[cfg(unix)]
    fn fake_editor(dir: &std::path::Path, body: &str) -> String {
        use std::os::unix::fs::PermissionsExt;
        let script = dir.join("editor.sh");
        let seen = dir.join("seen");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nprintf '%s\\n' \"$2\" > '{seen}'\nstat -c %a \"$2\" >> '{seen}'\n{body}\n",
                seen = seen.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        // With an argument of its own: `$EDITOR` may hold several words.
        format!("{} --wait", script.display())
    }

    /// The file the fake editor was given, and its mode then.
    #[cfg(unix)]
    fn seen(dir: &std::path::Path) -> (std::path::PathBuf, String) {
        let text = std::fs::read_to_string(dir.join("seen")).unwrap();
        let mut lines = text.lines();
        let path = lines.next().unwrap().into();
        (path, lines.next().unwrap_or_default().to_owned())
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_editor_edits_a_private_temporary_file_and_the_console_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let editor = fake_editor(dir.path(), "printf 'added by the editor\\n' >> \"$2\"");
        let calls = std::sync::Arc::default();
        let mut console = Recorder(std::sync::Arc::clone(&calls));
        let text = edit_externally(Some(&editor), "línea 1\n二行目", Some(&mut console)).await;
        assert_eq!(
            text.as_deref(),
            Ok("línea 1\n二行目\nadded by the editor\n")
        );
        assert_eq!(*calls.lock().unwrap(), vec!["release", "reclaim"]);
        let (path, mode) = seen(dir.path());
        assert_eq!(mode, "600", "customer text is private to the user");
        assert!(!path.exists(), "the temporary file is removed");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_failing_editor_gives_the_console_back_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let editor = fake_editor(dir.path(), "echo garbage > \"$2\"; exit 3");
        let calls = std::sync::Arc::default();
        let mut console = Recorder(std::sync::Arc::clone(&calls));
        let err = edit_externally(Some(&editor), "kept", Some(&mut console))
            .await
            .unwrap_err();
        assert_eq!(
            err,
            "editor.sh ended with exit status: 3; the text is as it was"
        );
        assert_eq!(*calls.lock().unwrap(), vec!["release", "reclaim"]);
        assert!(!seen(dir.path()).0.exists());
        // An editor that is not there: the shell says so, the console still comes back.
        let err = edit_externally(Some("/nonexistent/editor"), "kept", Some(&mut console))
            .await
            .unwrap_err();
        assert!(err.contains("exit status: 127"), "{err}");
        assert_eq!(calls.lock().unwrap().len(), 4);
    }

    #[tokio::test]
    async fn without_an_editor_nothing_is_handed_over() {
        let calls = std::sync::Arc::default();
        let mut console = Recorder(std::sync::Arc::clone(&calls));
        for editor in [None, Some("  ")] {
            assert_eq!(
                edit_externally(editor, "x", Some(&mut console)).await,
                Err("set $VISUAL or $EDITOR to the editor to use".to_owned())
            );
        }
        assert!(calls.lock().unwrap().is_empty());
    }

    #[test]
    fn key_releases_are_dropped() {
        use crossterm::event::{KeyCode, KeyEvent, KeyEventState, KeyModifiers};
        let mut k = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
        assert!(matches!(
            msg_from_terminal(TermEvent::Key(k)),
            Some(Msg::Key(_))
        ));
        k.kind = KeyEventKind::Release;
        k.state = KeyEventState::NONE;
        assert_eq!(msg_from_terminal(TermEvent::Key(k)), None);
        assert_eq!(
            msg_from_terminal(TermEvent::Resize(80, 24)),
            Some(Msg::Resize(80, 24))
        );
    }

    #[test]
    fn clicks_and_the_wheel_are_messages_and_moves_are_not() {
        use crossterm::event::{KeyModifiers, MouseEvent};
        let at = |kind| {
            msg_from_terminal(TermEvent::Mouse(MouseEvent {
                kind,
                column: 3,
                row: 4,
                modifiers: KeyModifiers::NONE,
            }))
        };
        for kind in [
            MouseEventKind::Down(MouseButton::Left),
            MouseEventKind::ScrollDown,
            MouseEventKind::ScrollUp,
        ] {
            assert!(matches!(at(kind), Some(Msg::Mouse(m)) if m.kind == kind && m.column == 3));
        }
        for kind in [
            MouseEventKind::Moved,
            MouseEventKind::Up(MouseButton::Left),
            MouseEventKind::Drag(MouseButton::Left),
            MouseEventKind::Down(MouseButton::Right),
        ] {
            assert_eq!(at(kind), None, "{kind:?}");
        }
    }
}
