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
        Session::start_with(args, &[])
    }

    fn start_with(args: &[&str], env: &[(&str, &str)]) -> Session {
        let pty = native_pty_system();
        let pair = pty.openpty(PtySize { rows: 24, cols: 80, pixel_width: 0, pixel_height: 0 }).unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_sluss"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("SLUSS_CONFIG", "/nonexistent/sluss-test-config.toml");
        for (k, v) in env {
            cmd.env(k, v);
        }
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
    s.wait_for("Möten de närmaste 7 dagarna");
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
    s.wait_for("Möten de närmaste 7 dagarna");
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
    s.wait_for("Möten de närmaste 7 dagarna");
    signal_and_wait(&mut s, "-HUP");
    let parser = s.parser.lock().unwrap();
    assert!(!parser.screen().alternate_screen());
    assert!(!parser.screen().hide_cursor());
}

/// The draft of an open form survives a kill: enrol a client, plan a meeting, start an action
/// item, kill sluss with SIGKILL mid-form, start again and restore and save the draft.
#[test]
fn a_form_killed_mid_typing_comes_back_as_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    let env = [("SLUSS_PASSPHRASE", "pty-test-pass")];
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_sluss"))
        .args(["--db", db, "--today", "2026-11-23", "demo", "--clients", "10"])
        .env("SLUSS_PASSPHRASE", "pty-test-pass")
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let args = ["--db", db, "--today", "2026-11-23"];

    let mut s = Session::start_with(&args, &env);
    s.wait_for("Möten de närmaste 7 dagarna");
    s.send("N");
    s.wait_for("Ny: Klient");
    s.send("Draftina\tUtkastsson\x13");
    s.wait_for("Sparat: klient");
    s.send("llll");
    s.wait_for("m protokoll");
    s.send("a");
    s.wait_for("Lägg till");
    s.send("\r");
    s.wait_for("Ny: Möte");
    s.send("fre 10\x13");
    s.wait_for("Sparat: möte");
    s.send("t");
    s.wait_for("Ny: Åtgärd");
    s.send("Ring hyresvärden");
    // Typing pauses; the draft is saved; then the machine loses the session.
    std::thread::sleep(Duration::from_millis(1500));
    signal_and_wait(&mut s, "-KILL");

    let mut s = Session::start_with(&args, &env);
    s.wait_for("Osparade utkast");
    s.wait_for("Åtgärd");
    s.send("\r");
    s.wait_for("Utkastet är återställt");
    s.wait_for("Ring hyresvärden");
    s.send("\x13");
    s.wait_for("Sparat: åtgärd");
    s.wait_for("[ ] Ring hyresvärden");
    s.send("q");
    s.send("q");

    // The draft is gone once saved: a third start offers nothing.
    let mut s = Session::start_with(&args, &env);
    s.wait_for("Möten de närmaste 7 dagarna");
    assert!(!s.screen().contains("Osparade utkast"));
    s.send("q");
}

/// The privacy key blanks the screen and brings it back; the idle lock (here 3 seconds)
/// hides an open form, refuses a wrong passphrase and gives the form back whole.
#[test]
fn the_privacy_key_and_the_idle_lock_keep_the_screen_and_the_form() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "idle_lock_minutes = 0.05\n").unwrap();
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_sluss"))
        .args(["--db", db, "--today", "2026-11-23", "demo", "--clients", "10"])
        .env("SLUSS_PASSPHRASE", "pty-lock-pass")
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let mut s = Session::start_with(
        &["--db", db, "--today", "2026-11-23"],
        &[("SLUSS_PASSPHRASE", "pty-lock-pass"), ("SLUSS_CONFIG", config.to_str().unwrap())],
    );
    s.wait_for("Möten de närmaste 7 dagarna");
    s.send("\x02"); // Ctrl-b
    let started = Instant::now();
    while s.screen().contains("Möten") {
        assert!(started.elapsed() < Duration::from_secs(5), "the privacy key did not blank the screen");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(s.screen().trim().is_empty(), "nothing shows while blanked:\n{}", s.screen());
    s.send("8"); // keys do nothing while blanked
    s.send("\x02");
    s.wait_for("Möten de närmaste 7 dagarna");

    s.send("N");
    s.wait_for("Ny: Klient");
    s.send("Låsprov");
    s.wait_for("Låst efter en stund utan tangenttryck");
    assert!(!s.screen().contains("Låsprov"), "the form is hidden while locked");
    s.send("fel lösen\r");
    s.wait_for("Fel lösenfras (1 gånger)");
    s.send("pty-lock-pass\r");
    s.wait_for("Upplåst efter 1 fel");
    s.wait_for("Låsprov");
    s.send("\x1bd"); // Esc, then d: discard the form
    s.send("q");
}
