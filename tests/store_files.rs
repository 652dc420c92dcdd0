//! The store on disk: encryption, passphrases, file modes, backups, schema registry.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use sluss::store::entities::ENTITIES;
use sluss::store::{ChangeSet, Key, Store, StoreError};

/// A surname no demo list contains, so finding it in a file means plaintext leaked.
const MARKER: &str = "Zyxwvutsson";

fn key() -> Key {
    Key::passphrase("korrekt häst batteri")
}

fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        out.extend(fs::read(entry.unwrap().path()).unwrap());
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn add_marked_client(store: &mut Store) {
    let mut cs = ChangeSet::new();
    let id = cs.insert("client").set("first_name", "Anna").set("last_name", MARKER).id();
    cs.insert("note").set("client_id", id).set("at", "2026-11-23T09:00").set("text", format!("Samtal med {MARKER}"));
    store.apply("t", &cs).unwrap();
}

#[test]
fn an_encrypted_store_holds_no_plaintext_names_in_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::create(&path, key()).unwrap();
    add_marked_client(&mut store);
    // While open, the WAL holds the data: it must be encrypted too.
    assert!(!contains(&all_bytes(dir.path()), MARKER), "plaintext in the open store's files");
    drop(store);
    assert!(!contains(&all_bytes(dir.path()), MARKER), "plaintext in the closed store's files");

    // The control: a plaintext store does show the name, so the check above can fail.
    let plain_dir = tempfile::tempdir().unwrap();
    let mut plain = Store::create(&plain_dir.path().join("p.db"), Key::Plaintext).unwrap();
    add_marked_client(&mut plain);
    drop(plain);
    assert!(contains(&all_bytes(plain_dir.path()), MARKER));
}

#[test]
fn a_wrong_passphrase_is_refused_and_leaves_the_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::create(&path, key()).unwrap();
    add_marked_client(&mut store);
    drop(store);
    let before = all_bytes(dir.path());
    let names_before: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    let err = Store::open(&path, Key::passphrase("fel lösenfras")).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err}");
    assert!(err.to_string().contains("wrong passphrase"));
    // The one new file is the note of the failed attempt (a timestamp, mode 0600), which the
    // next successful open moves into the audit log.
    let note = sluss::store::audit::failed_open_file(&path);
    let note_text = fs::read_to_string(&note).unwrap();
    assert_eq!(fs::metadata(&note).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(chrono::DateTime::parse_from_rfc3339(note_text.trim()).is_ok(), "only a timestamp: {note_text}");
    fs::remove_file(&note).unwrap();
    assert_eq!(all_bytes(dir.path()), before, "store changed by a failed open");
    let names_after: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names_before, names_after, "a failed open created other files");
    assert!(Store::open(&path, key()).is_ok(), "the right passphrase still opens it");
}

#[test]
fn new_stores_are_private_to_their_owner_and_open_stores_must_stay_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub").join("s.db");
    drop(Store::create(&path, key()).unwrap());
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let err = Store::open(&path, key()).unwrap_err();
    assert!(err.to_string().contains("chmod 600"), "{err}");
}

#[test]
fn creating_over_an_existing_file_is_refused_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    fs::write(&path, b"precious").unwrap();
    assert!(matches!(Store::create(&path, key()), Err(StoreError::AlreadyExists { .. })));
    assert_eq!(fs::read(&path).unwrap(), b"precious");
}

#[test]
fn a_backup_is_encrypted_with_the_same_passphrase_and_holds_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::create(&dir.path().join("s.db"), key()).unwrap();
    add_marked_client(&mut store);
    let out = dir.path().join("backup").join("copy.db");
    store.backup_to(&out).unwrap();
    assert_eq!(fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    assert!(!contains(&fs::read(&out).unwrap(), MARKER), "backup holds plaintext");
    let copy = Store::open(&out, key()).unwrap();
    let n: i64 = copy.conn().query_row("SELECT count(*) FROM client", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
    assert!(copy.check().unwrap().is_ok());
    assert!(matches!(store.backup_to(&out), Err(StoreError::AlreadyExists { .. })));
}

#[test]
fn the_registry_matches_the_schema_column_for_column() {
    let store = Store::in_memory().unwrap();
    for entity in ENTITIES {
        let mut stmt = store.conn().prepare(&format!("PRAGMA table_info({})", entity.name)).unwrap();
        let mut columns: Vec<String> = stmt.query_map([], |r| r.get(1)).unwrap().map(Result::unwrap).collect();
        columns.sort();
        let mut expected: Vec<String> = ["id", "deleted"].into_iter().map(String::from).collect();
        expected.extend(entity.fields.iter().map(|f| f.name.to_owned()));
        expected.sort();
        assert_eq!(columns, expected, "table {}", entity.name);
    }
}

#[test]
fn full_text_search_finds_clients_and_notes_by_prefix_without_diacritics() {
    let mut store = Store::in_memory().unwrap();
    add_marked_client(&mut store);
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM client_fts WHERE client_fts MATCH 'zyxw*'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    let mut cs = ChangeSet::new();
    cs.insert("client").set("first_name", "Åsa").set("last_name", "Provström");
    store.apply("t", &cs).unwrap();
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM client_fts WHERE client_fts MATCH 'provstro*'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "ö matches o");
    let n: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM note_fts WHERE note_fts MATCH 'samtal'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}
