//! The `sluss` binary as a user runs it: exit codes, messages, and a writer killed mid-way.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PASS: &str = "korrekt häst batteri";

fn sluss(args: &[&str], pass: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluss"));
    cmd.args(args).args(["--today", "2026-11-23"]).stdin(Stdio::null()).env_remove("SLUSS_PASSPHRASE");
    if let Some(p) = pass {
        cmd.env("SLUSS_PASSPHRASE", p);
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn db(dir: &Path) -> String {
    dir.join("s.db").display().to_string()
}

#[test]
fn version_and_help_work_without_a_store() {
    let out = sluss(&["--version"], None);
    assert!(out.status.success());
    assert!(text(&out).starts_with("sluss "));
    let out = sluss(&["--help"], None);
    assert!(text(&out).contains("demo"), "{}", text(&out));
}

#[test]
fn init_creates_a_private_store_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = sluss(&["init", "--db", &db(dir.path())], Some(PASS));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(std::fs::metadata(db(dir.path())).unwrap().permissions().mode() & 0o777, 0o600);
    let again = sluss(&["init", "--db", &db(dir.path())], Some(PASS));
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("already exists"), "{}", text(&again));
    // Folders it makes on the way are private too, not only the last.
    let deep = dir.path().join("a/b/s.db");
    assert!(sluss(&["init", "--db", &deep.display().to_string()], Some(PASS)).status.success());
    for folder in [dir.path().join("a"), dir.path().join("a/b")] {
        assert_eq!(std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777, 0o700, "{folder:?}");
    }
}

#[test]
fn a_short_passphrase_or_none_at_all_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let out = sluss(&["init", "--db", &db(dir.path())], Some("kort"));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("at least 8 characters"), "{}", text(&out));
    assert!(!dir.path().join("s.db").exists(), "nothing created");
    let out = sluss(&["init", "--db", &db(dir.path())], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("set SLUSS_PASSPHRASE, or pass --key-file"), "{}", text(&out));
}

#[test]
fn a_wrong_passphrase_exits_with_code_2_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    assert!(sluss(&["init", "--db", &db(dir.path())], Some(PASS)).status.success());
    let out = sluss(&["check", "--db", &db(dir.path())], Some("fel fel fel"));
    assert_eq!(out.status.code(), Some(2));
    let msg = text(&out);
    assert!(msg.contains("wrong passphrase"), "{msg}");
    assert!(!msg.contains("ERROR"), "no library noise: {msg}");
}

#[test]
fn a_key_file_opens_the_store_and_must_be_private() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, format!("{PASS}\n")).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let key_arg = key.display().to_string();
    assert!(sluss(&["init", "--db", &db(dir.path()), "--key-file", &key_arg], None).status.success());
    assert!(sluss(&["check", "--db", &db(dir.path())], Some(PASS)).status.success(), "same passphrase via env");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = sluss(&["check", "--db", &db(dir.path()), "--key-file", &key_arg], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("chmod 600"));
}

#[test]
fn a_missing_store_names_the_command_that_creates_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = sluss(&["check", "--db", &db(dir.path())], Some(PASS));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("sluss init --db"), "{}", text(&out));
}

#[test]
fn a_folder_or_an_unencrypted_file_as_the_store_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    assert!(sluss(&["init", "--db", &db(dir.path())], Some(PASS)).status.success());
    // An empty passphrase variable is a mistake to name, not a passphrase to try.
    let out = sluss(&["check", "--db", &db(dir.path())], Some(""));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("SLUSS_PASSPHRASE is set but empty"), "{}", text(&out));
    let folder_key = dir.path().display().to_string();
    let out = sluss(&["check", "--db", &db(dir.path()), "--key-file", &folder_key], None);
    assert!(text(&out).contains("is a folder"), "{}", text(&out));
    let folder = dir.path().display().to_string();
    let out = sluss(&["check", "--db", &folder], Some(PASS));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("is a folder"), "{}", text(&out));
    let plain = dir.path().join("plain.db");
    std::fs::write(&plain, b"SQLite format 3\0").unwrap();
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = sluss(&["check", "--db", &plain.display().to_string()], Some(PASS));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("unencrypted SQLite file"), "{}", text(&out));
}

#[test]
fn a_report_or_audit_piped_into_a_reader_that_stops_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    assert!(sluss(&["init", "--db", &db(dir.path())], Some(PASS)).status.success());
    for command in ["report", "audit"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sluss"))
            .args([command, "--db", &db(dir.path()), "--today", "2026-11-23"])
            .env("SLUSS_PASSPHRASE", PASS)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // As `| head -0`: the reader is gone before anything is written (the key takes longer).
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{command}: {}", text(&out));
        assert!(!text(&out).contains("Broken pipe") && !text(&out).contains("panicked"), "{command}: {}", text(&out));
    }
}

#[test]
fn an_export_to_a_replica_needs_another_replicas_id() {
    let dir = tempfile::tempdir().unwrap();
    let created = sluss(&["init", "--db", &db(dir.path())], Some(PASS));
    let own = text(&created).split("(replica ").nth(1).unwrap().trim_end().trim_end_matches(')').to_owned();
    let out_file = dir.path().join("b.bundle").display().to_string();
    let own_upper = own.to_uppercase();
    for (to, said) in
        [("nonsense", "is no replica id"), (own.as_str(), "this store's own replica"), (&own_upper, "own replica")]
    {
        let out =
            sluss(&["export", "--db", &db(dir.path()), "--to", to, "--out", &out_file, "--unencrypted"], Some(PASS));
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(text(&out).contains(said), "{}", text(&out));
        assert!(!Path::new(&out_file).exists());
    }
}

#[test]
fn a_day_that_cannot_be_read_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    for (day, said) in [("2026-13-01", "there is no month 13"), ("yesterday", "YYYY-MM-DD, e.g. 2026-11-23")] {
        let out = sluss(&["audit", "--db", &db(dir.path()), "--since", day], Some(PASS));
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out).contains(said), "{}", text(&out));
    }
}

#[test]
fn a_bundle_passphrase_shorter_than_a_stores_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(sluss(&["init", "--db", &db(dir.path())], Some(PASS)).status.success());
    let out_file = dir.path().join("b.bundle").display().to_string();
    let export = |value: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluss"));
        cmd.args(["export", "--db", &db(dir.path()), "--all", "--out", &out_file, "--passphrase-env", "BP"])
            .env("SLUSS_PASSPHRASE", PASS)
            .env("BP", value)
            .stdin(Stdio::null());
        cmd.output().unwrap()
    };
    let out = export("kort");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("needs at least 8"), "{}", text(&out));
    assert!(!Path::new(&out_file).exists(), "nothing written");
    let out = export("");
    assert!(text(&out).contains("BP named by --passphrase-env is empty"), "{}", text(&out));
    assert!(export("lång nog lösenfras").status.success());
}

#[test]
fn demo_churn_backup_and_check_work_together() {
    let dir = tempfile::tempdir().unwrap();
    let out = sluss(&["demo", "--db", &db(dir.path()), "--clients", "40"], Some(PASS));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("generated 40 clients"));
    let out = sluss(&["demo", "--db", &db(dir.path()), "--churn", "300"], Some(PASS));
    assert!(out.status.success(), "{}", text(&out));
    let backup = dir.path().join("b.db").display().to_string();
    assert!(sluss(&["backup", "--db", &db(dir.path()), "--out", &backup], Some(PASS)).status.success());
    for store in [db(dir.path()), backup] {
        let out = sluss(&["check", "--db", &store], Some(PASS));
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).ends_with("ok\n"));
    }
}

/// Clients committed so far, read through a separate connection while the writer runs.
fn committed_clients(path: &str) -> i64 {
    // Read-only and never creating: an empty file made here would make the writer refuse to start.
    let Ok(store) = sluss::store::Store::open_read_only(Path::new(path), sluss::store::Key::passphrase(PASS)) else {
        return 0;
    };
    store.conn().query_row("SELECT count(*) FROM client", [], |r| r.get(0)).unwrap_or(0)
}

#[test]
fn a_writer_killed_mid_transaction_leaves_a_store_that_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let path = db(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluss"))
        .args(["demo", "--db", &path, "--clients", "200000", "--today", "2026-11-23"])
        .env("SLUSS_PASSPHRASE", PASS)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until a batch has committed, let the writer get into the next one, then kill it.
    let started = Instant::now();
    while committed_clients(&path) == 0 {
        assert!(started.elapsed() < Duration::from_secs(300), "demo never got going");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(700));
    child.kill().unwrap();
    child.wait().unwrap();
    let out = sluss(&["check", "--db", &path], Some(PASS));
    assert!(out.status.success(), "{}", text(&out));
    // Each batch of 500 clients is one transaction: a kill leaves whole batches only.
    let store = sluss::store::Store::open(Path::new(&path), sluss::store::Key::passphrase(PASS)).unwrap();
    let n: i64 = store.conn().query_row("SELECT count(*) FROM client", [], |r| r.get(0)).unwrap();
    assert!(n > 0, "some batches committed before the kill");
    assert_eq!(n % 500, 0, "a half-written batch survived: {n} clients");
}
