//! The local cache at 100,000 tickets: the warm start's read, `/` over the whole cached queue.
//!
//! Setup (untimed): an in-process sandbox with 100,000 tickets; every ticket listed through
//! the real client and written into a fresh cache file (one `apply`, as a first sync's pages
//! would); an app with the first page (100) loaded through the real worker.
//!
//! - `cache/open + newest 100`: opening the cache and reading the warm start's rows (the
//!   newest 100 of the first view's pipeline). Budget: part of "warm start to first rows
//!   under 100 ms".
//! - `cache/queue of 100,000`: the cache's reader answering `/` (every row of the pipeline,
//!   list properties only). Off the screen's thread; reported, no budget.
//! - `queue/arrives`: the app taking the 100,000 cached rows (their haystacks prepared once).
//!   On the screen's thread, once per pipeline.
//! - `keystroke/*`: one `/` key through `update` and the redraw with 100 loaded and 100,000
//!   cached: fresh and extended queries (`p` → `pr` is the widest narrowing), a backspace.
//!   Budget: under 16 ms each.
//!
//! Run with `cargo bench --bench cache_queue`.

#![allow(clippy::print_stderr, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures_util::StreamExt;
use hubtix::app::{self, App, Effect, Msg, Portal};
use hubtix::cache::{Batch, Cache};
use hubtix::domain::Ticket;
use hubtix::hubspot::{AccessToken, Client, ClientConfig, ListQuery};
use hubtix::keymap::Keymap;
use hubtix::protocol::{CacheRequest, Command, Event};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

const CACHED: usize = 100_000;

struct Env {
    rt: Runtime,
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::Receiver<Event>,
    tickets: Vec<Ticket>,
    _sandbox: hubtix::sandbox::SandboxHandle,
}

impl Env {
    fn new() -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let config = hubtix::sandbox::SandboxConfig {
            tickets: CACHED,
            ..hubtix::sandbox::SandboxConfig::default()
        };
        let token = config.token.clone();
        let (sandbox, client) = rt.block_on(async {
            let sandbox = hubtix::sandbox::spawn(config).await.expect("sandbox");
            let mut cc = ClientConfig::new(sandbox.base_url(), AccessToken::new(token));
            cc.timeout = Duration::from_secs(30);
            (sandbox, Client::new(cc).expect("client"))
        });
        let properties: Vec<String> = hubtix::sync::BASE_PROPERTIES
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let tickets = rt.block_on(async {
            let mut pages = Box::pin(client.list_all_tickets(ListQuery {
                properties,
                ..ListQuery::default()
            }));
            let mut out = Vec::new();
            while let Some(page) = pages.next().await {
                out.extend(
                    page.expect("page")
                        .results
                        .into_iter()
                        .map(hubtix::mapping::ticket),
                );
            }
            out
        });
        let (tx, rx) = mpsc::channel(256);
        let commands = rt.block_on(async { hubtix::worker::spawn(client, tx) });
        Self {
            rt,
            commands,
            events: rx,
            tickets,
            _sandbox: sandbox,
        }
    }

    /// Carries out the effects through the worker until no request is outstanding; the
    /// cache request is answered with `queue`.
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
            let ev = self.rt.block_on(self.events.recv()).expect("answers");
            if let Some(req) = ev.req() {
                waiting.remove(&req);
            }
            effects = app::update(app, Msg::Worker(ev));
        }
    }

    fn app(&mut self, size: (u16, u16)) -> App {
        let portal = Portal {
            demo: true,
            ..Portal::default()
        };
        let mut app = App::new(portal, Keymap::default(), jiff::Timestamp::now(), size);
        app.catalog.tz = jiff::tz::TimeZone::UTC;
        app::update(&mut app, Msg::Resize(size.0, size.1));
        let fx = app.start();
        self.pump(&mut app, fx);
        std::thread::sleep(Duration::from_millis(50));
        while let Ok(ev) = self.events.try_recv() {
            app::update(&mut app, Msg::Worker(ev));
        }
        app
    }
}

fn key(c: char) -> Msg {
    code(KeyCode::Char(c))
}

fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn draw(term: &mut Terminal<TestBackend>, app: &App) {
    term.draw(|f| hubtix::ui::draw(f, app)).expect("draw");
}

/// `/` opened on `app`: the queue request it sends, answered with `rows`.
fn open_with_queue(app: &mut App, rows: Vec<Ticket>) {
    let fx = app::update(app, key('/'));
    let Some(req) = fx.iter().find_map(|e| match e {
        Effect::ReadCache(CacheRequest::Queue { req, .. }) => Some(*req),
        _ => None,
    }) else {
        return;
    };
    app::update(
        app,
        Msg::Worker(Event::CachedQueue {
            req,
            tickets: rows,
            as_of_ms: Some(0),
        }),
    );
}

fn cache_reads(c: &mut Criterion, env: &Env, dir: &std::path::Path) -> Vec<Ticket> {
    let path = dir.join("bench.sqlite3");
    let mut cache = Cache::open(&path).expect("open").cache;
    cache
        .apply(&Batch {
            upserts: env.tickets.clone(),
            ..Batch::default()
        })
        .expect("write");
    drop(cache);
    c.bench_function("cache/open + newest 100 (warm start)", |b| {
        b.iter(|| {
            let cache = Cache::open(&path).expect("open").cache;
            black_box(cache.newest_in_pipeline(Some("0"), 100).expect("rows"))
        });
    });
    let cache = Cache::open(&path).expect("open").cache;
    let props: Vec<String> = app::LIST_PROPERTIES
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let mut group = c.benchmark_group("cache");
    group.sample_size(10);
    group.bench_function("queue of 100,000 (the reader's answer)", |b| {
        b.iter(|| black_box(cache.queue(None, &props).expect("rows")));
    });
    group.finish();
    cache.queue(None, &props).expect("rows")
}

fn keystrokes(c: &mut Criterion, env: &mut Env, rows: &[Ticket]) {
    let size = (160, 48);
    let mut app = env.app(size);
    let mut term = Terminal::new(TestBackend::new(size.0, size.1)).expect("terminal");
    let mut group = c.benchmark_group("queue");
    group.sample_size(10);
    group.bench_function("arrives (100,000 haystacks prepared)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut fresh = env.app(size);
                let rows = rows.to_vec();
                let start = Instant::now();
                open_with_queue(&mut fresh, rows);
                total += start.elapsed();
                black_box(&fresh);
            }
            total
        });
    });
    group.finish();
    open_with_queue(&mut app, rows.to_vec());
    app::update(&mut app, code(KeyCode::Esc));
    let cases: [(&str, &[&str], Msg); 5] = [
        ("fresh 'p'", &[], key('p')),
        ("extend 'p' -> 'pr'", &["p"], key('r')),
        ("extend 'printe' -> 'printer'", &["printe"], key('r')),
        ("fresh 'プ'", &[], key('プ')),
        (
            "backspace 'printer' -> 'printe'",
            &["printer"],
            code(KeyCode::Backspace),
        ),
    ];
    for (name, typed, k) in cases {
        let prepare = |app: &mut App, term: &mut Terminal<TestBackend>| {
            if app.filter.is_some() {
                app::update(app, code(KeyCode::Esc));
            }
            app::update(app, key('/'));
            for q in typed {
                for ch in q.chars() {
                    app::update(app, key(ch));
                }
            }
            draw(term, app);
        };
        prepare(&mut app, &mut term);
        app::update(&mut app, k.clone());
        let shown = (app.list.rows(), app.list.cached_rows());
        c.bench_function(
            &format!(
                "keystroke/{name} ({} rows on view, {} from the cache)",
                shown.0, shown.1
            ),
            |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        prepare(&mut app, &mut term);
                        let start = Instant::now();
                        let fx = app::update(&mut app, black_box(k.clone()));
                        draw(&mut term, &app);
                        total += start.elapsed();
                        black_box(fx);
                    }
                    total
                });
            },
        );
    }
}

fn bench(c: &mut Criterion) {
    let started = Instant::now();
    let mut env = Env::new();
    eprintln!(
        "sandbox with {CACHED} tickets, all listed, in {:?}",
        started.elapsed()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let rows = cache_reads(c, &env, dir.path());
    keystrokes(c, &mut env, &rows);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
