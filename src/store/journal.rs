//! Switching a store between its WAL and a rollback journal, for a large write that no other
//! connection needs to read meanwhile (see `Store::import_changes`).

use rusqlite::Connection;

use super::BUSY_TIMEOUT;
use super::error::Result;

/// Leaves WAL mode for a rollback journal if no other connection has the store open; whether
/// it did. A store in memory, or one another process has open, stays as it is.
///
/// With a rollback journal the commit is complete once the journal file is deleted, so the
/// directory is synced too (`synchronous = EXTRA`): otherwise a power cut just after a
/// reported import could bring the journal back and roll the import back.
pub(crate) fn leave_wal(conn: &Connection) -> Result<bool> {
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Ok(false);
    }
    // Not waiting: another process holding the store open is the answer, not a delay.
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let switched = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0));
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let left = match switched {
        Ok(mode) => mode.eq_ignore_ascii_case("delete"),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ) =>
        {
            false
        }
        Err(e) => return Err(e.into()),
    };
    if left {
        conn.execute_batch("PRAGMA synchronous = EXTRA")?;
    }
    Ok(left)
}

/// Returns to WAL mode with the usual `synchronous = FULL`. Should another process have
/// opened the store meanwhile and hold it past the busy timeout, the store keeps its
/// rollback journal, which is as safe; the next open sets WAL again.
pub(crate) fn back_to_wal(conn: &Connection) {
    let _ = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
    let _ = conn.execute_batch("PRAGMA synchronous = FULL");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Key, Store};

    fn pragma(conn: &Connection, name: &str) -> String {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| match v {
                rusqlite::types::Value::Text(t) => t,
                rusqlite::types::Value::Integer(i) => i.to_string(),
                other => format!("{other:?}"),
            })
            .unwrap()
    }

    /// The journal mode and the synchronous level (2 is FULL, 3 EXTRA).
    fn modes(conn: &Connection) -> (String, String) {
        (pragma(conn, "journal_mode"), pragma(conn, "synchronous"))
    }

    #[test]
    fn a_store_nobody_else_has_open_leaves_wal_and_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("s.db"), Key::passphrase("korrekt häst")).unwrap();
        assert!(leave_wal(store.conn()).unwrap());
        // EXTRA is 3: the directory is synced after the journal is deleted.
        assert_eq!(modes(store.conn()), ("delete".into(), "3".into()));
        back_to_wal(store.conn());
        assert_eq!(modes(store.conn()), ("wal".into(), "2".into()));
    }

    #[test]
    fn a_store_another_connection_has_open_keeps_its_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let store = Store::create(&path, Key::passphrase("korrekt häst")).unwrap();
        let other = Store::open(&path, Key::passphrase("korrekt häst")).unwrap();
        assert!(!leave_wal(store.conn()).unwrap());
        assert_eq!(
            (pragma(store.conn(), "journal_mode"), pragma(other.conn(), "journal_mode")),
            ("wal".into(), "wal".into())
        );
    }

    #[test]
    fn a_store_in_memory_is_left_alone() {
        let store = Store::in_memory().unwrap();
        assert!(!leave_wal(store.conn()).unwrap());
    }
}
