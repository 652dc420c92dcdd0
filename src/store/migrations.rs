//! Schema migrations, forward only. Each version's SQL is frozen once released; a change
//! is a new migration appended here, with a fixture of the old version in tests.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::error::{Result, StoreError};

/// Newest schema version this build knows.
pub const LATEST: i64 = 1;

fn all() -> Migrations<'static> {
    Migrations::new(vec![M::up(include_str!("sql/v1.sql"))])
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
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    all().to_version(conn, target).map_err(|e| StoreError::Migration(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        assert!(all().validate().is_ok());
    }
}
