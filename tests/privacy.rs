//! Protection of personal data (docs/security.md): the audit trail, rekey, file modes, no
//! personal data in any output of a failing run, and retention (purge).

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use chrono::NaiveDate;
use sluss::demo::{self, DemoOptions};
use sluss::domain::enums::AuditAction;
use sluss::store::audit::AuditFilter;
use sluss::store::{ChangeSet, Key, Store};

const PASS: &str = "korrekt häst batteri";
const FIRST: &str = "Zyxxelbert";
const LAST: &str = "Qwompsson";
/// A valid personnummer no demo client has.
const PNR: &str = "194711265218";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn sluss_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluss"));
    cmd.args(args)
        .args(["--today", "2026-11-23"])
        .stdin(Stdio::null())
        .env_remove("SLUSS_PASSPHRASE")
        .env_remove("SLUSS_NEW_PASSPHRASE")
        .env("SLUSS_CONFIG", "/nonexistent/sluss-config.toml")
        .env("RUST_BACKTRACE", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn sluss(args: &[&str], pass: &str) -> Output {
    sluss_env(args, &[("SLUSS_PASSPHRASE", pass)])
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Adds the distinctive client, closed on `closed_on`, with a note, a need with an update and
/// a meeting with minutes that name them. Returns the client id.
fn add_marked_client(store: &mut Store, closed_on: &str) -> String {
    let mut cs = ChangeSet::new();
    let id = cs
        .insert("client")
        .set("first_name", FIRST)
        .set("last_name", LAST)
        .set("id_number", PNR)
        .set("id_kind", "personnummer")
        .set("home_municipality", "Umeå")
        .set("closed_on", closed_on)
        .id();
    cs.insert("note")
        .set("client_id", id.clone())
        .set("at", "2024-01-10T09:00")
        .set("text", format!("Samtal med {FIRST} {LAST}"));
    let need = cs.insert("need").set("client_id", id.clone()).set("area", "housing").id();
    cs.insert("need_update")
        .set("need_id", need)
        .set("at", "2024-01-11T10:00")
        .set("comment", format!("{LAST} har fått lägenhet"));
    let meeting =
        cs.insert("meeting").set("client_id", id.clone()).set("agenda", format!("Planering för {FIRST}")).id();
    cs.insert("minute_entry")
        .set("meeting_id", meeting)
        .set("at", "2024-01-12T10:00")
        .set("text", format!("{FIRST} {LAST} närvarade"));
    store.apply("t", &cs).unwrap();
    let mut edit = ChangeSet::new();
    edit.update("client", &id).set("last_name", format!("{LAST}-Berg"));
    store.apply("t", &edit).unwrap();
    id
}

/// A store of demo clients plus the distinctive one; returns the client id.
fn seeded(path: &Path, key: Key, closed_on: &str) -> String {
    let mut store = Store::create(path, key).unwrap();
    demo::generate(&mut store, &DemoOptions { clients: 20, seed: 7, today: today() }, &mut |_, _| {}).unwrap();
    add_marked_client(&mut store, closed_on)
}

#[test]
fn no_failing_run_prints_the_name_or_number_of_a_client() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let dbs = db.display().to_string();
    let id = seeded(&db, Key::passphrase(PASS), "2025-01-01");
    let d = |name: &str| dir.path().join(name).display().to_string();

    // A plaintext bundle (it holds the name), then a damaged and a truncated copy of it.
    let bundle = d("all.bundle");
    let out = sluss(&["export", "--db", &dbs, "--all", "--unencrypted", "--out", &bundle], PASS);
    assert!(out.status.success(), "{}", text(&out));
    let mut bytes = fs::read(&bundle).unwrap();
    assert!(contains(&bytes, LAST), "the control: the plaintext bundle does hold the name");
    let at = bytes.windows(LAST.len()).position(|w| w == LAST.as_bytes()).unwrap();
    bytes[at + LAST.len()] = b'\x01';
    fs::write(d("damaged.bundle"), &bytes).unwrap();
    let mut garbled = fs::read(&bundle).unwrap();
    garbled[at - 3] = b'{';
    fs::write(d("garbled.bundle"), &garbled).unwrap();
    fs::write(d("truncated.bundle"), &bytes[..at + 4]).unwrap();
    // A second store that the bundle refers to nothing in; a damaged store file.
    let other = d("other.db");
    assert!(sluss(&["init", "--db", &other], PASS).status.success());
    let broken = d("broken.db");
    let mut store_bytes = fs::read(&db).unwrap();
    let len = store_bytes.len();
    for b in &mut store_bytes[len / 2..len / 2 + 8192] {
        *b ^= 0x5a;
    }
    fs::write(&broken, &store_bytes).unwrap();
    fs::set_permissions(&broken, fs::Permissions::from_mode(0o600)).unwrap();

    let runs: Vec<(Vec<String>, &str)> = vec![
        (vec!["check".into(), "--db".into(), dbs.clone()], "wrong passphrase"),
        (vec!["import".into(), "--db".into(), other.clone(), d("damaged.bundle")], PASS),
        (vec!["import".into(), "--db".into(), other.clone(), d("garbled.bundle")], PASS),
        (vec!["import".into(), "--db".into(), other.clone(), d("truncated.bundle")], PASS),
        (vec!["check".into(), "--db".into(), broken.clone()], PASS),
        (vec!["audit".into(), "--db".into(), broken.clone()], PASS),
        (vec!["report".into(), "--db".into(), dbs.clone(), "--period".into(), "2025-13".into()], PASS),
        (vec!["report".into(), "--db".into(), dbs.clone(), "--by".into(), "shoe-size".into()], PASS),
        (
            vec![
                "plan".into(),
                "--db".into(),
                dbs.clone(),
                "--client".into(),
                "no-such".into(),
                "--out".into(),
                d("p.txt"),
            ],
            PASS,
        ),
        (
            vec!["plan".into(), "--db".into(), dbs.clone(), "--client".into(), id.clone(), "--out".into(), d("p.txt")],
            PASS,
        ),
        (
            vec!["plan".into(), "--db".into(), dbs.clone(), "--client".into(), id.clone(), "--out".into(), d("p.txt")],
            PASS,
        ),
        (vec!["audit".into(), "--db".into(), dbs.clone(), "--kind".into(), "peek".into()], PASS),
        (vec!["audit".into(), "--db".into(), dbs.clone(), "--since".into(), "igår".into()], PASS),
        (vec!["purge".into(), "--db".into(), dbs.clone(), "--older-than".into(), "1y".into()], PASS),
        (vec!["purge".into(), "--db".into(), dbs.clone(), "--older-than".into(), "ett år".into()], PASS),
        (vec!["backup".into(), "--db".into(), dbs.clone(), "--out".into(), dbs.clone()], PASS),
        (vec!["demo".into(), "--db".into(), dbs.clone(), "--clients".into(), "3".into()], PASS),
        (vec!["rekey".into(), "--db".into(), dbs.clone()], PASS),
    ];
    let mut failures = 0;
    for (args, pass) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = sluss(&args, pass);
        let all = text(&out);
        failures += usize::from(!out.status.success());
        for secret in [FIRST, LAST, PNR, &PNR[2..], "Samtal med"] {
            assert!(!all.contains(secret), "`sluss {}` printed personal data:\n{all}", args.join(" "));
        }
    }
    // Every run but the first plan (and the listing purge) failed: the paths were exercised.
    assert!(failures >= runs.len() - 2, "only {failures} of {} runs failed", runs.len());
    // The successful plan is the one output that may and does hold the name.
    assert!(contains(&fs::read(d("p.txt")).unwrap(), FIRST));
}

#[test]
fn opening_changes_exports_backups_and_wrong_passphrases_are_in_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let dbs = db.display().to_string();
    let id = seeded(&db, Key::passphrase(PASS), "2025-01-01");
    let out = sluss(&["check", "--db", &dbs], "inte rätt lösenfras");
    assert_eq!(out.status.code(), Some(2));
    let note = sluss::store::audit::failed_open_file(&db);
    assert_eq!(mode(&note), 0o600, "the failed-attempt note is private");
    let backup = dir.path().join("b.db").display().to_string();
    assert!(sluss(&["backup", "--db", &dbs, "--out", &backup], PASS).status.success());
    assert!(!note.exists(), "the next open moved the note into the audit log");

    let mut store = Store::open(&db, Key::passphrase(PASS)).unwrap();
    store.audit(AuditAction::OpenClient, Some(&id), "workspace").unwrap();
    store.audit(AuditAction::RevealId, Some(&id), "personnummer").unwrap();
    let filter = |kind| AuditFilter { kind: Some(kind), ..AuditFilter::default() };
    assert_eq!(store.audit_entries(&filter(AuditAction::FailedPassphrase), 0, 10).unwrap().len(), 1);
    assert_eq!(store.audit_entries(&filter(AuditAction::Backup), 0, 10).unwrap().len(), 1);
    let mine = AuditFilter { client: Some(id.clone()), ..AuditFilter::default() };
    let rows = store.audit_entries(&mine, 0, 100).unwrap();
    let kinds: Vec<_> = rows.iter().map(|r| r.kind).collect();
    assert_eq!(&kinds[..2], &[AuditAction::RevealId, AuditAction::OpenClient], "newest first: {rows:?}");
    // Changes come from the change log: the client's insert and the edit of its name, with
    // who and which machine, but never the value.
    let changes: Vec<_> = rows.iter().filter(|r| r.kind == AuditAction::Change).collect();
    assert!(changes.iter().any(|r| r.detail.ends_with(": last_name")), "{changes:?}");
    assert!(changes.iter().all(|r| r.replica == store.replica_id() && r.client_id.as_deref() == Some(id.as_str())));
    assert!(rows.iter().all(|r| !r.detail.contains(LAST)));
    // Paging: the second page continues the first.
    let page1 = store.audit_entries(&mine, 0, 3).unwrap();
    let page2 = store.audit_entries(&mine, 3, 3).unwrap();
    assert_eq!([page1, page2].concat(), rows[..6].to_vec());
    // A period before anything happened is empty.
    let long_ago = NaiveDate::from_ymd_opt(2001, 1, 1);
    let old = AuditFilter { to: long_ago, ..AuditFilter::default() };
    assert!(store.audit_entries(&old, 0, 10).unwrap().is_empty());
    drop(store);

    let out = sluss(&["audit", "--db", &dbs, "--client", &id, "--lang", "en"], PASS);
    assert!(out.status.success(), "{}", text(&out));
    let t = text(&out);
    assert!(t.starts_with("When"), "{t}");
    assert!(t.contains("Revealed identity number") && t.contains("Opened client") && t.contains("Change"), "{t}");
    let out = sluss(&["audit", "--db", &dbs, "--kind", "backup", "--json"], PASS);
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["kind"], "backup");
    let out = sluss(&["audit", "--db", &dbs, "--kind", "peek"], PASS);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("unknown --kind 'peek': use one of open_client"), "{}", text(&out));
}

#[test]
fn rekey_changes_the_passphrase_and_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let dbs = db.display().to_string();
    seeded(&db, Key::passphrase(PASS), "2025-01-01");
    let fingerprint = |pass: &str| {
        let out = sluss(&["check", "--db", &dbs], pass);
        assert!(out.status.success(), "{}", text(&out));
        text(&out).lines().find(|l| l.starts_with("fingerprint")).unwrap().to_owned()
    };
    let before = fingerprint(PASS);
    const NEW: &str = "ett helt nytt lösenord";
    let out = sluss_env(&["rekey", "--db", &dbs], &[("SLUSS_PASSPHRASE", PASS), ("SLUSS_NEW_PASSPHRASE", "kort")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("too short"), "{}", text(&out));
    let out = sluss_env(&["rekey", "--db", &dbs], &[("SLUSS_PASSPHRASE", PASS), ("SLUSS_NEW_PASSPHRASE", PASS)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("the one the store has already"), "{}", text(&out));
    let out = sluss_env(&["rekey", "--db", &dbs], &[("SLUSS_PASSPHRASE", PASS), ("SLUSS_NEW_PASSPHRASE", NEW)]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(mode(&db), 0o600);
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("s.db")], "no temporary copy is left");

    let old = sluss(&["check", "--db", &dbs], PASS);
    assert_eq!(old.status.code(), Some(2), "{}", text(&old));
    assert!(text(&old).contains("wrong passphrase"));
    assert_eq!(fingerprint(NEW), before, "the data is unchanged");
    let out = sluss(&["audit", "--db", &dbs, "--kind", "rekey"], NEW);
    assert_eq!(text(&out).lines().count(), 2, "one rekey entry: {}", text(&out));

    // With a key file for the new passphrase, and refused while the key file is readable by others.
    let key_file = dir.path().join("new.key");
    fs::write(&key_file, "tredje lösenordet här\n").unwrap();
    fs::set_permissions(&key_file, fs::Permissions::from_mode(0o644)).unwrap();
    let kf = key_file.display().to_string();
    let out = sluss(&["rekey", "--db", &dbs, "--new-key-file", &kf], NEW);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains(&format!("chmod 600 {kf}")), "{}", text(&out));
    fs::set_permissions(&key_file, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(sluss(&["rekey", "--db", &dbs, "--new-key-file", &kf], NEW).status.success());
    assert_eq!(fingerprint("tredje lösenordet här"), before);
}

#[test]
fn stores_backups_exports_and_keys_are_private_and_temp_data_stays_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store").join("s.db");
    let dbs = db.display().to_string();
    seeded(&db, Key::passphrase(PASS), "2025-01-01");
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(db.parent().unwrap()), 0o700);
    let out_dir = dir.path().join("out");
    let p = |name: &str| out_dir.join(name).display().to_string();
    let runs: Vec<Vec<String>> = vec![
        vec!["backup".into(), "--out".into(), p("new/b.db")],
        vec!["export".into(), "--all".into(), "--unencrypted".into(), "--out".into(), p("x.bundle")],
        vec!["report".into(), "--out".into(), p("r.csv")],
        vec!["ics".into(), "--out".into(), p("m.ics")],
        vec!["keygen".into(), "--out".into(), p("bundle.key")],
    ];
    fs::create_dir(&out_dir).unwrap();
    for args in &runs {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend(["--db", &dbs]);
        let out = sluss(&all, PASS);
        assert!(out.status.success(), "{all:?}: {}", text(&out));
        let file = args.last().unwrap();
        assert_eq!(mode(Path::new(file)), 0o600, "{file}");
    }
    assert_eq!(mode(&out_dir.join("new")), 0o700, "a directory sluss creates is private");

    let out_of_reach = sluss(&["check", "--db", &dbs], PASS);
    assert!(out_of_reach.status.success());
    fs::set_permissions(&db, fs::Permissions::from_mode(0o640)).unwrap();
    let out = sluss(&["check", "--db", &dbs], PASS);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains(&format!("fix it with `chmod 600 {dbs}`")), "{}", text(&out));
    fs::set_permissions(&db, fs::Permissions::from_mode(0o600)).unwrap();

    let store = Store::open(&db, Key::passphrase(PASS)).unwrap();
    let pragma = |name: &str| store.conn().query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(pragma("temp_store"), 2, "temporary tables and indexes stay in memory");
    assert_eq!(pragma("secure_delete"), 1, "freed pages are zeroed");
}

#[test]
fn purge_erases_every_trace_of_a_closed_client_and_audits_it_without_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plain.db");
    let id = seeded(&db, Key::Plaintext, "2023-06-30");
    let mut store = Store::open(&db, Key::Plaintext).unwrap();
    // A recently closed client is not a candidate; the old one is.
    let cutoff = NaiveDate::from_ymd_opt(2024, 11, 23).unwrap();
    let candidates = store.purge_candidates(cutoff).unwrap();
    assert_eq!(candidates.iter().map(|c| c.client_id.as_str()).collect::<Vec<_>>(), vec![id.as_str()]);
    store.audit(AuditAction::OpenClient, Some(&id), "workspace").unwrap();
    store.compact_after_purge().unwrap();
    let bytes = fs::read(&db).unwrap();
    assert!(contains(&bytes, LAST) && contains(&bytes, PNR), "the control: the plaintext store holds them");

    let counts = store.purge_client(&id).unwrap();
    assert_eq!((counts.rows, counts.changes), (6, 7), "client, note, need and its update, meeting and its minutes");
    assert!(store.check().unwrap().is_ok(), "{:?}", store.check().unwrap().problems);
    assert!(store.is_client_purged(&id).unwrap());
    let entry =
        store.audit_entries(&AuditFilter { kind: Some(AuditAction::Purge), ..AuditFilter::default() }, 0, 10).unwrap();
    assert_eq!(entry.len(), 1);
    assert_eq!(entry[0].client_id.as_deref(), Some(id.as_str()));
    assert!(entry[0].detail.starts_with("purged: "), "{}", entry[0].detail);
    // The client's history is gone; the audit entries about it stay, without personal data.
    let rows =
        store.audit_entries(&AuditFilter { client: Some(id.clone()), ..AuditFilter::default() }, 0, 100).unwrap();
    assert!(rows.iter().all(|r| r.kind != AuditAction::Change), "{rows:?}");
    assert!(rows.iter().any(|r| r.kind == AuditAction::OpenClient));
    // A note written on another replica before it saw the purge is dropped on import.
    let late_note = serde_json::json!({"client_id": id, "at": "2026-11-20T10:00", "text": "sent"});
    let conn = store.conn();
    let skips = |entity: &str, row: &str, field: &str, value: &serde_json::Value| {
        let text_of = |f: &str| value.get(f).and_then(serde_json::Value::as_str);
        sluss::store::purge::skips_change(conn, entity, row, field, &text_of).unwrap()
    };
    assert!(skips("note", &sluss::store::new_id(), "*", &late_note));
    assert!(skips("client", &id, "last_name", &serde_json::json!("x")));
    let other = serde_json::json!({"name": "Ny organisation"});
    assert!(!skips("organisation", &sluss::store::new_id(), "*", &other));
    // Writing for the purged client is refused with a clear message.
    let mut cs = ChangeSet::new();
    cs.insert("note").set("client_id", id.clone()).set("at", "2026-11-23T10:00").set("text", "x");
    let err = store.apply("t", &cs).unwrap_err();
    assert!(err.to_string().contains("client that does not exist"), "{err}");
    store.compact_after_purge().unwrap();
    drop(store);

    let mut all = Vec::new();
    for entry in fs::read_dir(dir.path()).unwrap() {
        all.extend(fs::read(entry.unwrap().path()).unwrap());
    }
    for secret in [FIRST, LAST, PNR, "lägenhet", "närvarade"] {
        assert!(!contains(&all, secret), "{secret} is still in the store's files after the purge");
    }
    let store = Store::open(&db, Key::Plaintext).unwrap();
    assert!(store.check().unwrap().is_ok());
    assert!(store.purge_candidates(cutoff).unwrap().is_empty());
}

#[test]
fn purge_on_the_command_line_lists_then_asks_then_purges() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let dbs = db.display().to_string();
    let id = seeded(&db, Key::passphrase(PASS), "2023-06-30");
    let out = sluss(&["purge", "--db", &dbs, "--dry-run"], PASS);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&format!("{id}  closed 2023-06-30")), "{}", text(&out));
    let out = sluss(&["purge", "--db", &dbs], PASS);
    assert_eq!(out.status.code(), Some(2), "no --yes and no terminal to ask on");
    assert!(text(&out).contains("confirm with --yes"), "{}", text(&out));
    let out = sluss(&["purge", "--db", &dbs, "--older-than", "5y", "--yes"], PASS);
    assert!(text(&out).starts_with("0 client(s)"), "{}", text(&out));
    let out = sluss(&["purge", "--db", &dbs, "--yes"], PASS);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("purged 1 client(s)"), "{}", text(&out));
    let out = sluss(&["check", "--db", &dbs], PASS);
    assert!(out.status.success(), "{}", text(&out));
    let out = sluss(&["audit", "--db", &dbs, "--kind", "purge", "--json"], PASS);
    assert!(text(&out).contains(&id) && !text(&out).contains(LAST), "{}", text(&out));
}
