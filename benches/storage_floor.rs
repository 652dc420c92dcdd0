//! `cargo bench --bench storage_floor`: how close import comes to what the storage alone
//! costs. A demo store's whole log is imported into a new encrypted store, as a new
//! machine's first sync does; then the same rows (the log and every table) are copied into
//! another new encrypted store by SQL alone (`INSERT … SELECT` from an unencrypted copy, in
//! one transaction, no JSON, no bundle, no merge). That copy is a floor no import can beat
//! with this schema on this machine. Import and copy alternate, so a machine whose speed
//! drifts slows both alike and their ratio stays meaningful.
//!
//! The copy writes with SQL of its own into throwaway stores in a temporary directory: it
//! measures SQLite and SQLCipher, not sluss, and is no way into a store anyone uses.
//! SLUSS_FLOOR_CLIENTS sets the demo store's size (default 5 000 clients, about 195 000
//! changes: a rollback-journal import, as a first sync is).

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rusqlite::Connection;
use sluss::demo::{DemoOptions, generate};
use sluss::store::entities::ENTITIES;
use sluss::store::{Key, PAGE_SIZE, Store};
use sluss::sync::{Decryption, Encryption, ImportOptions};

const PASSPHRASE: &str = "floor-bench-passphrase";
const ROUNDS: usize = 3;

fn main() {
    sluss::alloc::tune();
    let clients = std::env::var("SLUSS_FLOOR_CLIENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date");
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = |name: &str| dir.path().join(name);

    let mut source = Store::create(&path("source.db"), Key::passphrase(PASSPHRASE)).expect("create");
    generate(&mut source, &DemoOptions { clients, seed: 1, today }, &mut |_, _| {}).expect("demo");
    let identity = age::x25519::Identity::generate();
    let bundle = std::fs::File::create_new(path("all.bundle")).expect("bundle file");
    let enc = Encryption::Recipients(vec![identity.to_public()]);
    let (changes, _) =
        sluss::sync::write_bundle(&source, u64::MAX, &enc, std::io::BufWriter::new(bundle)).expect("export");
    // Reading only: sqlcipher_export writes the attached plaintext copy, not the store. The
    // store opens files without creating them, so the copy's file is made first.
    std::fs::File::create_new(path("plain.db")).expect("plaintext copy's file");
    source
        .conn()
        .execute_batch(&format!(
            "ATTACH DATABASE '{}' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;",
            path("plain.db").display()
        ))
        .expect("plaintext copy");
    drop(source);
    // Below 100 000 changes import keeps the WAL (src/store/merge.rs), and the copy below
    // always uses a rollback journal: they would no longer compare like with like.
    assert!(changes >= 100_000, "{changes} changes: give SLUSS_FLOOR_CLIENTS 2 600 or more");

    println!("{clients} clients, {changes} changes; import vs the same rows copied by SQL alone");
    println!(
        "{:>5} {:>12} {:>14} {:>12} {:>14} {:>6}",
        "round", "import s", "import ch/s", "floor s", "floor ch/s", "ratio"
    );
    for round in 1..=ROUNDS {
        let imported = time_import(&path(&format!("import{round}.db")), &path("all.bundle"), &identity, changes);
        let floor = time_copy(&path(&format!("floor{round}.db")), &path("plain.db"), changes);
        let rate = |d: Duration| changes as f64 / d.as_secs_f64();
        println!(
            "{round:>5} {:>12.2} {:>14.0} {:>12.2} {:>14.0} {:>6.2}",
            imported.as_secs_f64(),
            rate(imported),
            floor.as_secs_f64(),
            rate(floor),
            imported.as_secs_f64() / floor.as_secs_f64()
        );
    }
}

fn time_import(db: &Path, bundle: &Path, identity: &age::x25519::Identity, changes: u64) -> Duration {
    let mut store = Store::create(db, Key::passphrase(PASSPHRASE)).expect("create");
    let keys = Decryption { identities: vec![identity.clone()], passphrase: None };
    let started = Instant::now();
    let (_, report) = sluss::sync::import(&mut store, bundle, &ImportOptions { keys }).expect("import");
    let elapsed = started.elapsed();
    assert_eq!(report.new, changes, "the import must bring the whole log");
    drop(store);
    remove_store(db);
    elapsed
}

/// Copies the log and every entity table from the plaintext copy into a new store (its
/// schema made by `Store::create`), with the settings a large import runs under: rollback
/// journal, `synchronous = EXTRA`, deferred foreign keys, the same page cache.
fn time_copy(db: &Path, plain: &Path, changes: u64) -> Duration {
    drop(Store::create(db, Key::passphrase(PASSPHRASE)).expect("create"));
    let conn = Connection::open(db).expect("open");
    // The store's cipher settings and pragmas, as src/store/mod.rs sets them (`apply_key`,
    // `configure`) and a large import changes them (src/store/journal.rs). A cipher
    // mismatch fails to open, loudly; keep the rest in step by hand.
    conn.pragma_update(None, "key", PASSPHRASE).expect("key");
    conn.execute_batch(&format!("PRAGMA cipher_page_size = {PAGE_SIZE}")).expect("page size");
    conn.execute_batch("PRAGMA cipher_hmac_algorithm = HMAC_SHA256").expect("hmac");
    conn.execute_batch(
        "PRAGMA journal_mode = DELETE; PRAGMA synchronous = EXTRA; PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY; PRAGMA secure_delete = ON; PRAGMA cache_size = -65536;",
    )
    .expect("settings");
    let mut sql =
        format!("ATTACH DATABASE '{}' AS plain KEY ''; BEGIN; PRAGMA defer_foreign_keys = ON;", plain.display());
    for table in std::iter::once("change_log").chain(ENTITIES.iter().map(|e| e.name)) {
        // Generated columns are computed, not inserted.
        let mut stmt =
            conn.prepare(&format!("SELECT name FROM pragma_table_xinfo('{table}') WHERE hidden = 0")).expect("columns");
        let cols: Vec<String> =
            stmt.query_map([], |r| r.get(0)).expect("columns").map(|c| c.expect("column")).collect();
        let cols = cols.join(", ");
        sql.push_str(&format!("INSERT INTO main.{table} ({cols}) SELECT {cols} FROM plain.{table};"));
    }
    sql.push_str("COMMIT;");
    let started = Instant::now();
    conn.execute_batch(&sql).expect("copy");
    let elapsed = started.elapsed();
    let copied: i64 = conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0)).expect("count");
    assert_eq!(copied as u64, changes, "the copy must hold the whole log");
    drop(conn);
    remove_store(db);
    elapsed
}

fn remove_store(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}
