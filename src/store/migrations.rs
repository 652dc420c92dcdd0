//! Schema migrations, forward only. Each version's SQL is frozen once released; a change
//! is a new migration appended here, with a fixture of the old version in tests.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::error::{Result, StoreError};

/// Newest schema version this build knows.
pub const LATEST: i64 = 4;

fn all() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("sql/v1.sql")),
        M::up(include_str!("sql/v2.sql")),
        M::up(include_str!("sql/v3.sql")),
        M::up(include_str!("sql/v4.sql")),
    ])
}

/// The schema version recorded in the file (0 for an empty file).
pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the schema to [`LATEST`]; refuses a store newer than this build.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(StoreError::NewerSchema { found, known: LATEST });
    }
    all().to_latest(conn).map_err(|e| StoreError::Migration(e.to_string()))
}

/// Brings the schema to exactly `target` (tests build old stores with it).
#[cfg(test)]
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    all().to_version(conn, target).map_err(|e| StoreError::Migration(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Key, Store};

    /// A fixture per released schema version: (version, SQL that fills a store of it).
    const FIXTURES: &[(usize, &str)] = &[
        (1, include_str!("../../tests/fixtures/v1_store.sql")),
        (2, include_str!("../../tests/fixtures/v2_store.sql")),
        (3, include_str!("../../tests/fixtures/v3_store.sql")),
        // v4 only added indexes: a v3 store's rows are a v4 store's rows.
        (4, include_str!("../../tests/fixtures/v3_store.sql")),
    ];

    #[test]
    fn every_released_version_opens_after_all_later_migrations() {
        assert_eq!(FIXTURES.len() as i64, LATEST, "add a fixture for each new schema version");
        for &(version, fixture) in FIXTURES {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("old.db");
            {
                let mut conn = Connection::open(&path).unwrap();
                migrate_to(&mut conn, version).unwrap();
                conn.execute_batch(fixture).unwrap();
            }
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
            let store = Store::open(&path, Key::Plaintext).unwrap();
            assert_eq!(store.schema_version().unwrap(), LATEST);
            assert_eq!(store.replica_id(), "019ab000-0000-7000-8000-000000000001");
            let report = store.check().unwrap();
            assert!(report.is_ok(), "v{version}: {:?}", report.problems);
            assert_eq!(report.rows, 2);
            let backup = path.with_extension(format!("v{version}.bak"));
            assert_eq!(backup.exists(), (version as i64) < LATEST, "a backup is taken before migrating");
            if backup.exists() {
                let mode =
                    std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&backup).unwrap().permissions()) & 0o777;
                assert_eq!(mode, 0o600, "the backup is private like the store");
            }
        }
    }

    /// The v2 fixture written by schema v2, then opened (and so migrated) by this build.
    fn opened_v2_store(dir: &tempfile::TempDir) -> Store {
        let path = dir.path().join("v2.db");
        {
            let mut conn = Connection::open(&path).unwrap();
            migrate_to(&mut conn, 2).unwrap();
            conn.execute_batch(FIXTURES[1].1).unwrap();
        }
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
        Store::open(&path, Key::Plaintext).unwrap()
    }

    #[test]
    fn a_v2_store_gains_an_empty_follow_up_cache_that_the_first_read_builds() {
        let dir = tempfile::tempdir().unwrap();
        let store = opened_v2_store(&dir);
        let cached: i64 = store.conn().query_row("SELECT count(*) FROM follow_up_fact", [], |r| r.get(0)).unwrap();
        assert_eq!(cached, 0, "the migration only makes the tables");
        assert_eq!(store.follow_up_catch_up().unwrap(), crate::report::cache::CatchUp::Rebuilt(1));
        let facts = store.follow_up_cached().unwrap();
        assert_eq!(facts.clients, store.follow_up_facts().unwrap().clients);
        assert_eq!(facts.clients[0].id, "019ab000-0000-7000-8000-0000000000c1");
        assert!(store.check().unwrap().is_ok());
    }

    #[test]
    fn v3_keeps_a_v2_change_log_and_its_rules_with_fewer_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let store = opened_v2_store(&dir);
        let conn = store.conn();
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'change_log' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            indexes,
            ["change_log_field", "change_log_order", "change_log_supersedes", "sqlite_autoindex_change_log_1"]
        );
        let changes: i64 = conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0)).unwrap();
        assert_eq!(changes, 2);
        // A second change at the same origin and clock is refused, as the (replica, hlc)
        // index refused it; so is a second change with the same id.
        let insert = "INSERT INTO change_log (change_id, entity, row_id, field, value, hlc, replica, author)
                      VALUES (?1, 'client', '019ab000-0000-7000-8000-0000000000c1', 'alias', '\"x\"', ?2, ?3, 't')";
        let origin = "019ab000-0000-7000-8000-000000000001";
        assert!(
            conn.execute(
                insert,
                rusqlite::params!["019ab000-0000-7000-8000-0000000000f9", 116127171215360001_i64, origin]
            )
            .is_err()
        );
        assert!(
            conn.execute(
                insert,
                rusqlite::params!["019ab000-0000-7000-8000-0000000000f1", 116127171215360009_i64, origin]
            )
            .is_err()
        );
        assert_eq!(store.version_vector().unwrap().get(origin), 116127171215360001);
        assert!(store.check().unwrap().is_ok());
    }

    #[test]
    fn a_store_from_a_newer_sluss_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        drop(Store::create(&path, Key::Plaintext).unwrap());
        Connection::open(&path).unwrap().execute_batch(&format!("PRAGMA user_version = {}", LATEST + 1)).unwrap();
        let err = Store::open(&path, Key::Plaintext).unwrap_err();
        assert!(err.to_string().contains("newer than this sluss knows"), "{err}");
    }

    #[test]
    fn migrations_are_valid() {
        assert!(all().validate().is_ok());
    }
}
