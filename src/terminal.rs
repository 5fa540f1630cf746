//! Entering the TUI terminal mode and leaving it on every exit path.
//!
//! Owns: raw mode, the alternate screen, bracketed paste, the hidden cursor and, when asked
//! for ([`set_mouse`]), mouse reporting; the
//! [`TerminalGuard`] that restores them on drop; a process-wide idempotent [`restore`] that
//! the panic hook and the runtime's signal handling (SIGTERM/SIGHUP tasks) can call; and the
//! panic hook that restores the terminal *before* the previous hook prints the panic, so the
//! message lands on the normal screen instead of vanishing with the alternate one.
//!
//! Must not: draw, read input, or print anything of its own. Enter the terminal late (after
//! config and token checks) so startup errors print plainly.

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal type hubtix draws on. Stdout behind a buffer as big as any frame: ratatui
/// flushes once per frame, so a frame leaves in one write instead of `Stdout`'s 1 KB line
/// buffer's dozens (fewer system calls, and the terminal is far less likely to show a frame
/// half written).
pub type Tui = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Bytes the frame buffer holds before it writes: a full 300×100 redraw in colour fits.
const FRAME_BUFFER: usize = 512 * 1024;

/// Whether the terminal is (possibly) in TUI mode and owes a restore. Only an atomic, so
/// [`restore`] takes no lock of ours and is safe from a panic hook or a signal-handling task.
#[derive(Debug)]
struct RestoreFlag(AtomicBool);

impl RestoreFlag {
    const fn new() -> Self {
        RestoreFlag(AtomicBool::new(false))
    }

    /// Marks the terminal as needing a restore.
    fn arm(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Returns true exactly once per [`RestoreFlag::arm`]: the caller that gets true restores.
    fn disarm(&self) -> bool {
        self.0.swap(false, Ordering::SeqCst)
    }

    fn is_armed(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

static ACTIVE: RestoreFlag = RestoreFlag::new();

/// Whether entering the TUI modes turns mouse reporting on (`mouse = true`).
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Asks for mouse reporting (clicks and the wheel) each time the TUI modes are entered, the
/// return from the external editor included. Off by default: the terminal's own text
/// selection works only without it.
pub fn set_mouse(on: bool) {
    MOUSE.store(on, Ordering::SeqCst);
}

/// Writes the escape sequences that set the TUI modes up (not raw mode, which is termios).
fn write_enter(out: &mut impl Write, mouse: bool) -> io::Result<()> {
    crossterm::queue!(out, EnterAlternateScreen, EnableBracketedPaste, Hide)?;
    if mouse {
        crossterm::queue!(out, EnableMouseCapture)?;
    }
    out.flush()
}

/// Writes the escape sequences that undo [`write_enter`]. Mouse reporting is always turned
/// off: harmless when it was not on, and a restore (the panic hook's) need not know.
fn write_leave(out: &mut impl Write) -> io::Result<()> {
    crossterm::queue!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    )?;
    out.flush()
}

/// Raw mode, alternate screen, bracketed paste, hidden cursor; arms [`restore`] first so a
/// failure half-way is still undone.
fn enter_modes() -> io::Result<()> {
    ACTIVE.arm();
    let mouse = MOUSE.load(Ordering::SeqCst);
    let result = enable_raw_mode().and_then(|()| write_enter(&mut io::stdout(), mouse));
    if let Err(e) = result {
        // Undo whatever part succeeded; the enter error is the one worth reporting.
        if let Err(restore_error) = restore() {
            tracing::warn!(%restore_error, "restoring the terminal after a failed enter");
        }
        return Err(e);
    }
    Ok(())
}

/// Puts the terminal back: leaves raw mode and the alternate screen, disables bracketed
/// paste and mouse reporting, shows the cursor. Idempotent: only the first call after entering does anything, so
/// the panic hook, a signal task and [`TerminalGuard`]'s drop may all call it. Every step is
/// attempted even if an earlier one fails; the first error is returned.
pub fn restore() -> io::Result<()> {
    if !ACTIVE.disarm() {
        return Ok(());
    }
    let raw = disable_raw_mode();
    let screen = write_leave(&mut io::stdout());
    raw.and(screen)
}

/// Gives the screen away for a while (the external editor): the terminal as it was before
/// hubtix, while the guard that entered it lives on. [`resume`] takes it back; the guard
/// still restores it on every way out, whichever of the two ran last.
pub fn suspend() -> io::Result<()> {
    restore()
}

/// Takes the screen back after [`suspend`]: raw mode, the alternate screen, bracketed paste,
/// the hidden cursor. The caller redraws everything (`Terminal::clear`).
pub fn resume() -> io::Result<()> {
    enter_modes()
}

/// Whether the terminal is currently in TUI mode (entered and not yet restored).
pub fn is_active() -> bool {
    ACTIVE.is_armed()
}

/// Installs (once per process) a panic hook that restores the terminal and then runs the
/// hook that was installed before, so the panic message is printed on the normal screen.
/// [`TerminalGuard::enter`] calls it; calling it again does nothing.
pub fn install_panic_hook() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        chain_panic_hook(|| {
            // Nothing useful can be done with a failure while panicking; the previous hook
            // still reports the panic itself.
            if let Err(error) = restore() {
                tracing::error!(%error, "could not restore the terminal while panicking");
            }
        });
    });
}

/// Sets a panic hook that runs `before` and then the previously installed hook.
fn chain_panic_hook(before: impl Fn() + Send + Sync + 'static) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        before();
        previous(info);
    }));
}

/// Owns the TUI terminal. Entering switches the terminal into TUI mode; dropping the guard
/// (normal return, `?` error, unwinding panic) restores it.
///
/// ```no_run
/// # fn main() -> std::io::Result<()> {
/// let mut guard = hubtix::terminal::TerminalGuard::enter()?;
/// guard.terminal().draw(|frame| { let _ = frame.area(); })?;
/// # Ok(()) }
/// ```
pub struct TerminalGuard {
    terminal: Tui,
}

impl TerminalGuard {
    /// Installs the panic hook, enters raw mode, the alternate screen, bracketed paste, hides
    /// the cursor, and wraps stdout in a ratatui terminal.
    pub fn enter() -> io::Result<TerminalGuard> {
        install_panic_hook();
        enter_modes()?;
        match Terminal::new(CrosstermBackend::new(BufWriter::with_capacity(
            FRAME_BUFFER,
            io::stdout(),
        ))) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(e) => {
                if let Err(restore_error) = restore() {
                    tracing::warn!(%restore_error, "restoring the terminal after a failed enter");
                }
                Err(e)
            }
        }
    }

    /// The terminal to draw on.
    pub fn terminal(&mut self) -> &mut Tui {
        &mut self.terminal
    }

    /// Gives the screen back temporarily (to run `$EDITOR` or a pager): restores the terminal
    /// but keeps the guard. Call [`TerminalGuard::resume`] afterwards.
    pub fn suspend(&mut self) -> io::Result<()> {
        suspend()
    }

    /// Re-enters TUI mode after [`TerminalGuard::suspend`] and forces a full redraw.
    pub fn resume(&mut self) -> io::Result<()> {
        resume()?;
        self.terminal.clear()
    }
}

impl std::fmt::Debug for TerminalGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TerminalGuard")
            .field("active", &is_active())
            .finish_non_exhaustive()
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        // Anything still in the frame buffer goes out before the modes are undone, not
        // after (onto the shell's screen).
        if let Err(error) = ratatui::backend::Backend::flush(self.terminal.backend_mut()) {
            tracing::warn!(%error, "flushing the last frame");
        }
        if let Err(error) = restore() {
            tracing::error!(%error, "could not restore the terminal");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn restore_flag_restores_once_per_enter() {
        let flag = RestoreFlag::new();
        assert!(!flag.disarm(), "nothing to restore before entering");
        flag.arm();
        assert!(flag.is_armed());
        assert!(flag.disarm(), "first restore does the work");
        assert!(!flag.disarm(), "second restore is a no-op");
        assert!(!flag.is_armed());
        flag.arm();
        flag.arm();
        assert!(flag.disarm(), "re-entering arms it again");
        assert!(!flag.disarm());
    }

    #[test]
    fn restore_without_enter_is_a_harmless_no_op() {
        // The global flag is never armed in tests (nothing enters the terminal).
        assert!(!is_active());
        restore().expect("no-op");
        restore().expect("still a no-op");
    }

    #[test]
    fn leave_undoes_enter() {
        let mut enter = Vec::new();
        write_enter(&mut enter, false).expect("write to a Vec");
        let enter = String::from_utf8(enter).expect("ascii");
        assert!(
            !enter.contains("\u{1b}[?1000h"),
            "no mouse unless asked: {enter:?}"
        );
        assert!(enter.contains("\u{1b}[?1049h"), "{enter:?}"); // alternate screen
        assert!(enter.contains("\u{1b}[?2004h"), "{enter:?}"); // bracketed paste
        assert!(enter.contains("\u{1b}[?25l"), "{enter:?}"); // hide cursor

        let mut leave = Vec::new();
        write_leave(&mut leave).expect("write to a Vec");
        let leave = String::from_utf8(leave).expect("ascii");
        assert!(leave.contains("\u{1b}[?1049l"), "{leave:?}");
        assert!(leave.contains("\u{1b}[?2004l"), "{leave:?}");
        assert!(leave.contains("\u{1b}[?25h"), "{leave:?}");
        // Mouse reporting (clicks, SGR coordinates) is turned off on every way out.
        assert!(leave.contains("\u{1b}[?1000l"), "{leave:?}");
        assert!(leave.contains("\u{1b}[?1006l"), "{leave:?}");
    }

    #[test]
    fn mouse_reporting_is_entered_only_when_asked_for() {
        let mut enter = Vec::new();
        write_enter(&mut enter, true).expect("write to a Vec");
        let enter = String::from_utf8(enter).expect("ascii");
        assert!(enter.contains("\u{1b}[?1000h"), "{enter:?}"); // clicks
        assert!(enter.contains("\u{1b}[?1006h"), "{enter:?}"); // SGR coordinates
    }

    #[test]
    fn panic_hook_restores_first_then_chains_to_the_previous_hook() {
        // Panic hooks are process-wide: record only this thread's panics, and put the
        // original hook back afterwards.
        let me = std::thread::current().id();
        let log: Arc<Mutex<Vec<&'static str>>> = Arc::default();
        let original = std::panic::take_hook();

        let prior_log = Arc::clone(&log);
        std::panic::set_hook(Box::new(move |_| {
            if std::thread::current().id() == me {
                prior_log.lock().expect("log").push("prior hook");
            }
        }));
        let restore_log = Arc::clone(&log);
        chain_panic_hook(move || {
            if std::thread::current().id() == me {
                restore_log.lock().expect("log").push("restore");
            }
        });

        let result = std::panic::catch_unwind(|| panic!("boom"));

        drop(std::panic::take_hook());
        std::panic::set_hook(original);
        assert!(result.is_err());
        assert_eq!(*log.lock().expect("log"), vec!["restore", "prior hook"]);
    }
}
