//! The real binary in a pseudo-terminal: open, move, open a client, search, quit.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

struct Session {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    /// Kept so the terminal stays open as long as the session.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Session {
    fn start(args: &[&str]) -> Session {
        let pty = native_pty_system();
        let pair = pty.openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sluss"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("SLUSS_CONFIG", "/nonexistent/sluss-test-config.toml");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
        let sink = Arc::clone(&parser);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        Session { parser, writer, child, _master: pair.master }
    }

    fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    fn wait_for(&self, text: &str) {
        let started = Instant::now();
        while !self.screen().contains(text) {
            assert!(started.elapsed() < Duration::from_secs(30), "never saw {text:?}; screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn send(&mut self, keys: &str) {
        for b in keys.bytes() {
            self.writer.write_all(&[b]).unwrap();
            self.writer.flush().unwrap();
            // One key at a time, as typed: Esc followed at once by a key would read as Alt+key.
            std::thread::sleep(Duration::from_millis(80));
        }
    }
}

#[test]
fn a_session_opens_moves_opens_a_client_searches_and_quits_cleanly() {
    let mut s = Session::start(&["--demo", "--today", "2026-11-23"]);
    s.wait_for("Möten idag och denna vecka");
    s.send("8");
    s.wait_for("Klienter · ↕namn");
    s.send("jj\r");
    s.wait_for("Översikt");
    s.wait_for("Planeringspunkter");
    s.send("l");
    s.wait_for("Behov │");
    s.send("\x1b");
    s.wait_for("Klienter · ↕namn");
    s.send("/demo");
    s.wait_for("/demo");
    s.send("\r");
    s.send("q");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "sluss did not quit");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    std::thread::sleep(Duration::from_millis(200));
    let parser = s.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen(), "the terminal is back on the normal screen");
    assert!(!parser.screen().hide_cursor(), "the cursor is visible again");
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut s = Session::start(&["--demo", "--today", "2026-11-23"]);
    s.wait_for("Möten idag och denna vecka");
    signal_and_wait(&mut s, "-TERM");
    let parser = s.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen());
    assert!(!parser.screen().hide_cursor());
}

/// Sends a signal to the session's process and waits for it to end.
fn signal_and_wait(s: &mut Session, signal: &str) {
    let pid = s.child.process_id().unwrap();
    std::process::Command::new("kill").args([signal, &pid.to_string()]).status().unwrap();
    let started = Instant::now();
    while s.child.try_wait().unwrap().is_none() {
        assert!(started.elapsed() < Duration::from_secs(10), "sluss ignored {signal}");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
}

#[test]
fn a_hang_up_ends_sluss_and_restores_the_terminal() {
    // An SSH disconnect sends SIGHUP; with the terminal gone sluss must end, not spin.
    let mut s = Session::start(&["--demo", "--today", "2026-11-23"]);
    s.wait_for("Möten idag och denna vecka");
    signal_and_wait(&mut s, "-HUP");
    let parser = s.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen());
    assert!(!parser.screen().hide_cursor());
}
