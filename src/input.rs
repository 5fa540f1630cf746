//! Terminal input: one thread reads every key, paste and resize the terminal sends and hands
//! them to the event loop as a stream.
//!
//! Owns: reading the terminal. Must not: touch UI state (it only forwards events).
//!
//! Why not crossterm's `EventStream`: its default (mio) event source is edge-triggered and
//! reads the terminal 1,024 bytes at a time, so a burst longer than that (`tmux send-keys -N
//! 2000 j`, a long paste of keys) stalls after 1,024 events until the next key arrives: the
//! rest stays in the kernel's buffer with no new readiness edge. With crossterm's
//! `use-dev-tty` source (level-triggered `poll(2)`) every byte waiting is read, and a blocking
//! reader thread gets each event without the stream's thread-per-wakeup.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crossterm::event::Event as TermEvent;
use futures_util::Stream;
use tokio::sync::mpsc;

/// How long the reader waits for input before it checks whether it should stop.
const POLL: Duration = Duration::from_millis(100);

/// The terminal's events as a stream; the reader thread stops when this is dropped.
pub struct TerminalInput {
    rx: mpsc::UnboundedReceiver<io::Result<TermEvent>>,
    reader: InputControl,
}

/// Stops and starts the reader thread, so that another program (the external editor) reads
/// the terminal meanwhile: while paused nothing of hubtix's reads a byte of it.
#[derive(Clone)]
pub struct InputControl(Arc<Mutex<Reader>>);

struct Reader {
    tx: mpsc::UnboundedSender<io::Result<TermEvent>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Reader {
    /// Starts the reader thread, unless it runs.
    fn start(&mut self) -> io::Result<()> {
        if self.thread.is_some() {
            return Ok(());
        }
        let stop = Arc::new(AtomicBool::new(false));
        self.stop = stop.clone();
        let tx = self.tx.clone();
        self.thread = Some(
            std::thread::Builder::new()
                .name("hubtix-input".into())
                .spawn(move || read_until_stopped(&tx, &stop))?,
        );
        Ok(())
    }

    /// Stops the reader thread and waits for it (at most one poll interval).
    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl InputControl {
    /// Stops reading the terminal; returns once the reader has stopped.
    pub fn pause(&self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).stop();
    }

    /// Reads the terminal again.
    pub fn resume(&self) -> io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .start()
    }
}

impl TerminalInput {
    /// Starts the reader thread.
    pub fn start() -> io::Result<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        let reader = InputControl(Arc::new(Mutex::new(Reader {
            tx,
            stop: Arc::new(AtomicBool::new(false)),
            thread: None,
        })));
        reader.resume()?;
        Ok(Self { rx, reader })
    }

    /// A handle that pauses and resumes the reading (see [`InputControl`]).
    pub fn control(&self) -> InputControl {
        self.reader.clone()
    }
}

fn read_until_stopped(tx: &mpsc::UnboundedSender<io::Result<TermEvent>>, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        match crossterm::event::poll(POLL) {
            Ok(false) => {}
            // Stopped while waiting: the bytes are left for whoever reads the terminal next
            // (the shell, after quitting), not swallowed.
            Ok(true) if stop.load(Ordering::Relaxed) => return,
            Ok(true) => {
                // Everything already read is handed over before the next poll.
                let event = crossterm::event::read();
                let failed = event.is_err();
                if tx.send(event).is_err() || failed {
                    return;
                }
            }
            Err(e) => {
                // `poll` is retried on EINTR inside crossterm; anything else is final.
                let _ = tx.send(Err(e));
                return;
            }
        }
    }
}

impl Drop for TerminalInput {
    /// Stops the reader and waits for it (at most one poll interval), so nothing typed after
    /// hubtix's loop ends — the next shell command, say — is read by hubtix.
    fn drop(&mut self) {
        self.reader.pause();
    }
}

impl Stream for TerminalInput {
    type Item = io::Result<TermEvent>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}
