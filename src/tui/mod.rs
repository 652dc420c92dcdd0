//! The full-screen interface. Never writes SQL: it reads through the store's views and will
//! write only through the store's write path.

pub mod action;
pub mod app;
pub mod config;
pub mod keymap;
pub mod palette;
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

/// Runs the interface until the user quits or the process is told to stop.
pub fn run(store: Store, opts: AppOptions) -> io::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let (width, height) = crossterm::terminal::size()?;
    let mut app = App::new(store, opts, (width, height)).map_err(io::Error::other)?;
    let mut terminal = setup_terminal()?;
    let result = event_loop(&mut terminal, &mut app, &stop);
    restore_terminal();
    result
}

fn event_loop(terminal: &mut Terminal<CrosstermBackend<Stdout>>, app: &mut App, stop: &AtomicBool) -> io::Result<()> {
    let mut dirty = true;
    while !app.quit && !stop.load(Ordering::Relaxed) {
        if dirty {
            terminal.draw(|frame| ui::render(app, frame))?;
            dirty = false;
        }
        if !event::poll(SIGNAL_POLL)? {
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
