//! The full-screen interface. Never writes SQL: it reads through the store's views and will
//! write only through the store's write path.

pub mod action;
pub mod app;
pub mod audit;
pub mod config;
pub mod conflicts;
mod editing;
pub(crate) mod fit;
pub mod follow_up;
pub mod form;
mod form_view;
mod handouts;
pub mod keymap;
pub mod palette;
pub mod privacy;
pub mod sync_prompt;
pub mod theme;
pub mod ui;

use std::io::{self, Stdout};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
use crossterm::execute;
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub use app::{App, AppOptions};

use crate::store::Store;

/// How often the loop looks for a termination signal while no key comes.
const SIGNAL_POLL: Duration = Duration::from_millis(200);

/// Puts the terminal back as it was. Safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, crossterm::cursor::Show);
}

fn setup_terminal() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, crossterm::cursor::Hide)?;
    // A panic must not leave the caseworker's terminal in raw mode on the alternate screen.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// How long the interface gets to finish by itself after a termination signal.
const STOP_GRACE: Duration = Duration::from_millis(500);

/// On SIGTERM, SIGHUP (the SSH link dropped) or SIGINT, asks the loop to stop, and if it
/// has not within [`STOP_GRACE`] restores the terminal and exits. The grace matters when the
/// terminal is gone: the input reader can then spin on end-of-file and never return.
/// Every store write is one transaction, so exiting here loses nothing that was saved.
fn watch_signals(stop: Arc<AtomicBool>) -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            stop.store(true, Ordering::Relaxed);
            std::thread::sleep(STOP_GRACE);
            restore_terminal();
            std::process::exit(128 + signal);
        }
    });
    Ok(())
}

/// Runs the interface until the user quits or the process is told to stop.
pub fn run(store: Store, opts: AppOptions) -> io::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    watch_signals(Arc::clone(&stop))?;
    let (width, height) = crossterm::terminal::size()?;
    let mut app = App::new(store, opts, (width, height)).map_err(io::Error::other)?;
    let mut terminal = setup_terminal()?;
    let result = event_loop(&mut terminal, &mut app, &stop);
    // A signal or Ctrl-C with a form open keeps what was typed for the next start.
    let _ = app.keep_open_form();
    restore_terminal();
    result
}

/// Puts `text` on the clipboard of the user's own terminal with OSC 52, which travels over
/// SSH: the machine sluss runs on may have no clipboard or display at all.
fn copy_to_clipboard(out: &mut impl io::Write, text: &str) -> io::Result<()> {
    use base64::Engine;
    let encoded = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text));
    write!(out, "\x1b]52;c;{}\x07", encoded.as_str())?;
    out.flush()
}

fn event_loop(terminal: &mut Terminal<CrosstermBackend<Stdout>>, app: &mut App, stop: &AtomicBool) -> io::Result<()> {
    let mut dirty = true;
    while !app.quit && !stop.load(Ordering::Relaxed) {
        if dirty {
            terminal.draw(|frame| ui::render(app, frame))?;
            dirty = false;
        }
        // Queued work runs right after the frame that announces it.
        let wait = if app.busy() { Duration::ZERO } else { SIGNAL_POLL };
        if !event::poll(wait)? {
            // A long import draws its progress alone: the app is busy with it.
            let mut progress = |text: &str| {
                let _ = terminal.draw(|frame| ui::render_progress(frame, text));
            };
            match app.tick_with_progress(&mut progress) {
                Ok(changed) => dirty |= changed,
                Err(e) => {
                    app.status = Some(e.to_string());
                    dirty = true;
                }
            }
            continue;
        }
        match event::read()? {
            Event::Key(key) if key.kind == KeyEventKind::Press => {
                // Raw mode swallows the interrupt signal; Ctrl-C still quits.
                if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
                    app.quit = true;
                } else {
                    app.handle_key(key);
                }
                if let Some(text) = app.clipboard.take() {
                    copy_to_clipboard(terminal.backend_mut(), &text)?;
                }
                dirty = true;
            }
            Event::Resize(w, h) => {
                app.size = (w, h);
                if let Err(e) = app.refresh() {
                    app.status = Some(e.to_string());
                }
                dirty = true;
            }
            _ => {}
        }
    }
    Ok(())
}
