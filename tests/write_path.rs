//! The single write path: what it records, what it refuses, and that a refused change
//! leaves nothing behind.

use serde_json::Value;
use sluss::store::{ChangeSet, Store, StoreError};

fn count(store: &Store, sql: &str) -> i64 {
    store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn new_client(store: &mut Store) -> String {
    let mut cs = ChangeSet::new();
    let id = cs.insert("client").set("first_name", "Test").set("last_name", "Provström").set("gender", "man").id();
    store.apply("tester", &cs).unwrap();
    id
}

#[test]
fn insert_records_one_change_holding_every_field_and_creates_the_row() {
    let mut store = Store::in_memory().unwrap();
    let id = new_client(&mut store);
    let (field, value, author, replica, supersedes): (String, String, String, String, Option<String>) = store
        .conn()
        .query_row("SELECT field, value, author, replica, supersedes FROM change_log WHERE row_id = ?1", [&id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap();
    assert_eq!(field, "*");
    let v: Value = serde_json::from_str(&value).unwrap();
    assert_eq!(v["last_name"], "Provström");
    assert_eq!(author, "tester");
    assert_eq!(replica, store.replica_id());
    assert_eq!(supersedes, None);
    let name: String =
        store.conn().query_row("SELECT last_name FROM client WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
    assert_eq!(name, "Provström");
}

#[test]
fn update_records_a_field_change_that_supersedes_the_previous_one() {
    let mut store = Store::in_memory().unwrap();
    let id = new_client(&mut store);
    let insert_change: String =
        store.conn().query_row("SELECT change_id FROM change_log WHERE row_id = ?1", [&id], |r| r.get(0)).unwrap();
    let mut cs = ChangeSet::new();
    cs.update("client", &id).set("home_municipality", "Umeå");
    store.apply("tester", &cs).unwrap();
    let mut cs = ChangeSet::new();
    cs.update("client", &id).set("home_municipality", "Malmö");
    let report = store.apply("tester", &cs).unwrap();
    assert_eq!(report.changes, 1);

    let mut stmt = store
        .conn()
        .prepare(
            "SELECT change_id, value, supersedes, hlc FROM change_log WHERE field = 'home_municipality' ORDER BY hlc",
        )
        .unwrap();
    let rows: Vec<(String, String, Option<String>, i64)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].1, "\"Umeå\"");
    assert_eq!(rows[0].2.as_deref(), Some(insert_change.as_str()), "first edit supersedes the insert");
    assert_eq!(rows[1].2.as_deref(), Some(rows[0].0.as_str()), "second edit supersedes the first");
    assert!(rows[1].3 > rows[0].3, "the clock moves forward");
    let muni: String = store.conn().query_row("SELECT home_municipality FROM client", [], |r| r.get(0)).unwrap();
    assert_eq!(muni, "Malmö");
}

#[test]
fn setting_a_field_to_its_current_value_records_nothing() {
    let mut store = Store::in_memory().unwrap();
    let id = new_client(&mut store);
    let mut cs = ChangeSet::new();
    cs.update("client", &id).set("last_name", "Provström");
    assert_eq!(store.apply("tester", &cs).unwrap().changes, 0);
    assert_eq!(count(&store, "SELECT count(*) FROM change_log"), 1);
}

#[test]
fn delete_is_a_tombstone_and_a_deleted_row_cannot_be_edited() {
    let mut store = Store::in_memory().unwrap();
    let id = new_client(&mut store);
    let mut cs = ChangeSet::new();
    cs.delete("client", &id);
    store.apply("tester", &cs).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM client WHERE deleted = 1"), 1, "row kept as tombstone");
    assert_eq!(count(&store, "SELECT count(*) FROM change_log WHERE field = 'deleted' AND value = 'true'"), 1);

    let mut cs = ChangeSet::new();
    cs.update("client", &id).set("alias", "X");
    assert!(matches!(store.apply("tester", &cs), Err(StoreError::RowNotFound { .. })));

    let mut cs = ChangeSet::new();
    cs.restore("client", &id);
    store.apply("tester", &cs).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM client WHERE deleted = 0"), 1, "restore brings it back");
}

#[test]
fn a_refused_change_set_leaves_nothing_behind() {
    let mut store = Store::in_memory().unwrap();
    let id = new_client(&mut store);
    let before = count(&store, "SELECT count(*) FROM change_log");
    let mut cs = ChangeSet::new();
    cs.update("client", &id).set("home_municipality", "Umeå");
    cs.insert("need").set("client_id", id.clone()).set("area", "housing");
    cs.insert("need").set("client_id", id.clone()).set("area", "not_an_area");
    let err = store.apply("tester", &cs).unwrap_err();
    assert!(err.to_string().contains("need.area: must be one of: housing"), "{err}");
    assert_eq!(count(&store, "SELECT count(*) FROM change_log"), before);
    assert_eq!(count(&store, "SELECT count(*) FROM need"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM client WHERE home_municipality IS NOT NULL"), 0);
}

#[test]
fn invalid_values_are_refused_with_a_message_naming_the_field_and_not_the_value() {
    let mut store = Store::in_memory().unwrap();
    let id = new_client(&mut store);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("closed_on", Value::from("2026-02-30"), "client.closed_on: must be a date written YYYY-MM-DD"),
        ("alias", Value::from("a\u{7}b"), "client.alias: contains control characters"),
        ("first_name", Value::from("x".repeat(201)), "client.first_name: is too long: at most 200 characters"),
        ("protected_identity", Value::from("ja"), "client.protected_identity: must be yes or no"),
        ("first_name", Value::Null, "client.first_name is required"),
    ];
    for (field, value, expected) in cases {
        let mut cs = ChangeSet::new();
        cs.update("client", &id).set(field, value.clone());
        let err = store.apply("tester", &cs).unwrap_err().to_string();
        assert!(err.starts_with(expected), "{field}: {err}");
        if let Value::String(s) = &value {
            assert!(s.is_empty() || !err.contains(s.as_str()), "message must not echo the value");
        }
    }
}

#[test]
fn references_must_point_at_existing_rows() {
    let mut store = Store::in_memory().unwrap();
    let mut cs = ChangeSet::new();
    cs.insert("need").set("client_id", sluss::store::new_id()).set("area", "debt");
    let err = store.apply("tester", &cs).unwrap_err().to_string();
    assert_eq!(err, "need.client_id: refers to a client that does not exist");
}

#[test]
fn unknown_entities_and_fields_and_missing_required_fields_are_refused() {
    let mut store = Store::in_memory().unwrap();
    let mut cs = ChangeSet::new();
    cs.insert("prisoner").set("name", "x");
    assert_eq!(store.apply("t", &cs).unwrap_err().to_string(), "unknown entity 'prisoner'");
    let mut cs = ChangeSet::new();
    cs.insert("client").set("first_name", "A").set("last_name", "B").set("shoe_size", 44);
    assert_eq!(store.apply("t", &cs).unwrap_err().to_string(), "client has no field 'shoe_size'");
    let mut cs = ChangeSet::new();
    cs.insert("client").set("first_name", "A");
    assert_eq!(store.apply("t", &cs).unwrap_err().to_string(), "client.last_name is required");
}

#[test]
fn append_only_entries_cannot_be_edited() {
    let mut store = Store::in_memory().unwrap();
    let client = new_client(&mut store);
    let mut cs = ChangeSet::new();
    let note = cs.insert("note").set("client_id", client).set("at", "2026-11-23T10:00").set("text", "Samtal").id();
    store.apply("t", &cs).unwrap();
    let mut cs = ChangeSet::new();
    cs.update("note", &note).set("text", "Ändrad");
    assert_eq!(
        store.apply("t", &cs).unwrap_err().to_string(),
        "note is append-only: add a new entry instead of editing"
    );
}

#[test]
fn inserting_an_existing_id_is_refused() {
    let mut store = Store::in_memory().unwrap();
    let id = new_client(&mut store);
    let mut cs = ChangeSet::new();
    cs.insert_with_id("client", id).set("first_name", "A").set("last_name", "B");
    assert!(matches!(store.apply("t", &cs), Err(StoreError::RowExists { .. })));
}

#[test]
fn check_passes_on_written_data_and_finds_a_table_edited_behind_the_write_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::create(&path, sluss::store::Key::Plaintext).unwrap();
    let id = new_client(&mut store);
    let mut cs = ChangeSet::new();
    cs.update("client", &id).set("home_municipality", "Umeå");
    store.apply("t", &cs).unwrap();
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.rows, 1);
    drop(store);

    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("UPDATE client SET home_municipality = 'Malmö'", []).unwrap();
    drop(raw);
    let store = Store::open(&path, sluss::store::Key::Plaintext).unwrap();
    let report = store.check().unwrap();
    assert_eq!(report.problems, vec![format!("client.home_municipality of {id} differs from its change log")]);
}

#[test]
fn the_clock_survives_reopening_and_the_replica_id_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::create(&path, sluss::store::Key::Plaintext).unwrap();
    let replica = store.replica_id().to_owned();
    new_client(&mut store);
    let first: i64 = store.conn().query_row("SELECT max(hlc) FROM change_log", [], |r| r.get(0)).unwrap();
    drop(store);
    let mut store = Store::open(&path, sluss::store::Key::Plaintext).unwrap();
    assert_eq!(store.replica_id(), replica);
    new_client(&mut store);
    let second: i64 = store.conn().query_row("SELECT max(hlc) FROM change_log", [], |r| r.get(0)).unwrap();
    assert!(second > first);
    let other = Store::in_memory().unwrap();
    assert_ne!(other.replica_id(), replica, "each store has its own replica id");
}
