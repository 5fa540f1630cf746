//! Frame and keystroke cost of the TUI with many tickets loaded.
//!
//! The app is filled the way the TUI fills it: an in-process sandbox (100 or 100,000
//! tickets), the real API worker and client, and every answer fed back through
//! `app::update`. The 100,000-ticket app pages to the end (`G` until the last page). In
//! both the selection sits in the middle of the loaded rows and the detail shows that ticket
//! with all its properties (fetched with history).
//!
//! - `frame/*`: one full `terminal.draw(ui::draw)` into a `TestBackend`. Budget: the frame
//!   with 100,000 loaded within 1.5x of the frame with 100 loaded (draw cost follows the
//!   rows on screen, not the rows loaded).
//! - `keystroke/*`: one key through `update` and then the redraw, with 100,000 loaded:
//!   `j`, fresh and extended `/` queries, a backspace, and the first query after the list
//!   changed (a fetched detail updated its row). Budget: under 16 ms each.
//!
//! Run with `cargo bench --bench render` (setup takes a few seconds: seeding 100,000
//! tickets and paging through them).

#![allow(clippy::print_stderr)] // setup time, beside criterion's own output

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use hubtix::app::{self, App, Effect, Msg, Portal};
use hubtix::hubspot::{AccessToken, Client, ClientConfig};
use hubtix::keymap::Keymap;
use hubtix::sandbox::{SandboxConfig, SandboxHandle};
use hubtix::worker::{self, Command, Event, ReqId};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

const LOADED_MIN: usize = 100;
const LOADED_MAX: usize = 100_000;

/// The sandbox, the worker and a runtime to drive them; the app is fed synchronously.
struct Env {
    rt: Runtime,
    sandbox: Option<SandboxHandle>,
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<Event>,
}

fn answered(ev: &Event) -> Option<ReqId> {
    ev.req()
}

impl Env {
    fn new(tickets: usize) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        // Limits off: loading 100,000 tickets (1,000 pages) is set-up, not what is measured.
        let config = SandboxConfig {
            tickets,
            rate_limit: None,
            ..SandboxConfig::default()
        };
        let token = config.token.clone();
        let (sandbox, commands, events) = rt.block_on(async {
            let sandbox = hubtix::sandbox::spawn(config).await.expect("sandbox");
            let mut cc = ClientConfig::new(sandbox.base_url(), AccessToken::new(token));
            cc.timeout = Duration::from_secs(30);
            let client = Client::new(cc).expect("client");
            let (tx, rx) = mpsc::channel(256);
            let commands = worker::spawn(client, tx);
            (sandbox, commands, rx)
        });
        Self {
            rt,
            sandbox: Some(sandbox),
            commands,
            events,
        }
    }

    /// Carries out the effects through the worker and feeds every answer to `update`, until
    /// no request is outstanding.
    fn pump(&mut self, app: &mut App, mut effects: Vec<Effect>) {
        let mut waiting = HashSet::new();
        loop {
            for e in effects.drain(..) {
                if let Effect::Api(cmd) = e {
                    waiting.insert(cmd.req());
                    self.commands.send(cmd).expect("worker running");
                }
            }
            if waiting.is_empty() {
                break;
            }
            let ev = self
                .rt
                .block_on(self.events.recv())
                .expect("worker answers");
            if let Some(req) = answered(&ev) {
                assert!(
                    !matches!(ev, Event::Failed { .. }),
                    "request failed: {ev:?}"
                );
                waiting.remove(&req);
            }
            effects = app::update(app, Msg::Worker(ev));
        }
        assert!(effects.is_empty(), "no further requests: {effects:?}");
    }

    /// Applies the status events that arrive after the last answer (requests in flight back
    /// to 0), so that the top bar is the same in every measured frame.
    fn settle(&mut self, app: &mut App) {
        std::thread::sleep(Duration::from_millis(20));
        while let Ok(ev) = self.events.try_recv() {
            let fx = app::update(app, Msg::Worker(ev));
            assert!(fx.is_empty(), "no further requests: {fx:?}");
        }
    }

    /// An app with `loaded` tickets (rounded up to whole pages), the selection in the middle
    /// and the detail of the selected ticket loaded.
    fn app(&mut self, loaded: usize, size: (u16, u16)) -> App {
        let portal = Portal {
            demo: true,
            ..Portal::default()
        };
        let mut app = App::new(portal, Keymap::default(), jiff::Timestamp::now(), size);
        app.catalog.tz = jiff::tz::TimeZone::UTC;
        let fx = app::update(&mut app, Msg::Resize(size.0, size.1));
        assert!(fx.is_empty());
        let fx = app.start();
        self.pump(&mut app, fx);
        while app.list.len() < loaded {
            let before = app.list.len();
            let fx = app::update(&mut app, key('G'));
            self.pump(&mut app, fx);
            assert!(app.list.len() > before, "no more pages at {before}");
        }
        let middle = app.list.len() / 2;
        select_and_open(self, &mut app, middle);
        self.settle(&mut app);
        assert_eq!(app.worker.in_flight, 0);
        app
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            self.rt.block_on(s.shutdown());
        }
    }
}

fn key(c: char) -> Msg {
    code(KeyCode::Char(c))
}

fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Moves the selection to `row` (with one `j` from the row above, as a user would arrive)
/// and lets the detail debounce expire so that the ticket is fetched.
fn select_and_open(env: &mut Env, app: &mut App, row: usize) {
    app.list.select_row(row.saturating_sub(1));
    let fx = app::update(app, key('j'));
    env.pump(app, fx);
    assert_eq!(app.list.selected_row(), row);
    let later = app.now + jiff::SignedDuration::from_secs(1);
    let fx = app::update(app, Msg::Tick(later));
    assert!(!fx.is_empty(), "the detail is fetched");
    env.pump(app, fx);
    assert!(
        app.detail.ticket.ready().is_some(),
        "detail loaded: {:?}",
        app.detail.ticket
    );
}

fn terminal(size: (u16, u16)) -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(size.0, size.1)).expect("terminal")
}

fn draw(term: &mut Terminal<TestBackend>, app: &App) {
    term.draw(|f| hubtix::ui::draw(f, app)).expect("draw");
}

fn frames(c: &mut Criterion, small: &mut Env, big: &mut Env) {
    let mut group = c.benchmark_group("frame");
    for (loaded, size) in [
        (LOADED_MIN, (160, 48)),
        (LOADED_MAX, (160, 48)),
        (LOADED_MAX, (300, 100)),
    ] {
        let env = if loaded == LOADED_MIN {
            &mut *small
        } else {
            &mut *big
        };
        let app = env.app(loaded, size);
        assert_eq!(app.list.len(), loaded);
        let mut term = terminal(size);
        draw(&mut term, &app);
        let name = format!(
            "{}x{} {} loaded, row {} selected",
            size.0,
            size.1,
            app.list.len(),
            app.list.selected_row()
        );
        group.bench_function(name, |b| {
            b.iter(|| {
                // A full frame: the previous one is forgotten, so every cell is diffed
                // against an empty buffer and written to the backend.
                term.swap_buffers();
                draw(&mut term, black_box(&app));
            });
        });
    }
    group.finish();
}

/// Times `key` plus the redraw, after `prepare` (untimed) put the app in the state it needs.
fn keystroke(
    c: &mut Criterion,
    app: &mut App,
    term: &mut Terminal<TestBackend>,
    name: &str,
    mut prepare: impl FnMut(&mut App, &mut Terminal<TestBackend>),
    key: &Msg,
) {
    prepare(app, term);
    let fx = app::update(app, key.clone());
    draw(term, app);
    let rows = app.list.rows();
    let _ = fx;
    c.bench_function(&format!("keystroke/{name} ({rows} rows on view)"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                prepare(app, term);
                let start = Instant::now();
                let fx = app::update(app, black_box(key.clone()));
                draw(term, app);
                total += start.elapsed();
                black_box(fx);
            }
            total
        });
    });
}

fn keystrokes(c: &mut Criterion, env: &mut Env) {
    let size = (160, 48);
    let mut app = env.app(LOADED_MAX, size);
    let mut term = terminal(size);
    draw(&mut term, &app);
    let middle = app.list.selected_row();

    // `j`: one row down (the detail switches to the next ticket, fetched after the debounce).
    keystroke(
        c,
        &mut app,
        &mut term,
        "j",
        |app, term| {
            if app.list.selected_row() > middle + 10_000 {
                app.list.select_row(middle);
            }
            draw(term, app);
        },
        &key('j'),
    );

    // `/` then typed queries: the filter line is reset and re-typed before each timed key.
    let retype = |typed: &'static [&'static str]| {
        move |app: &mut App, term: &mut Terminal<TestBackend>| {
            if app.filter.is_some() {
                app::update(app, code(KeyCode::Esc));
            }
            app::update(app, key('/'));
            for q in typed {
                for c in q.chars() {
                    app::update(app, key(c));
                }
            }
            draw(term, app);
        }
    };
    keystroke(
        c,
        &mut app,
        &mut term,
        "filter fresh 'p'",
        retype(&[]),
        &key('p'),
    );
    keystroke(
        c,
        &mut app,
        &mut term,
        "filter extend 'p' -> 'pr'",
        retype(&["p"]),
        &key('r'),
    );
    keystroke(
        c,
        &mut app,
        &mut term,
        "filter extend 'printe' -> 'printer'",
        retype(&["printe"]),
        &key('r'),
    );
    keystroke(
        c,
        &mut app,
        &mut term,
        "filter fresh 'プ'",
        retype(&[]),
        &key('プ'),
    );
    keystroke(
        c,
        &mut app,
        &mut term,
        "filter backspace 'printer' -> 'printe'",
        retype(&["printer"]),
        &code(KeyCode::Backspace),
    );

    // The first filter key after the list changed: the detail was refreshed and its list row
    // updated from it. (Until 579d70f this rebuilt every row's haystack: ~300 ms.)
    let prepare = |app: &mut App, term: &mut Terminal<TestBackend>| {
        if app.filter.is_some() {
            app::update(app, code(KeyCode::Esc));
        }
        let fx = app::update(app, code(KeyCode::Enter));
        env.pump(app, fx);
        let fx = app::update(app, key('r'));
        env.pump(app, fx);
        env.settle(app);
        app::update(app, code(KeyCode::Esc));
        app::update(app, key('/'));
        draw(term, app);
    };
    keystroke(
        c,
        &mut app,
        &mut term,
        "filter fresh 'p' after the list changed",
        prepare,
        &key('p'),
    );
}

fn bench(c: &mut Criterion) {
    let started = Instant::now();
    let mut big = Env::new(LOADED_MAX);
    eprintln!(
        "sandbox with {LOADED_MAX} tickets in {:?}",
        started.elapsed()
    );
    // A sandbox with exactly one page, so that selecting the middle row loads no more.
    let mut small = Env::new(LOADED_MIN);
    frames(c, &mut small, &mut big);
    keystrokes(c, &mut big);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
