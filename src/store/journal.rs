//! Switching a store between its WAL and a rollback journal, for a large write that no other
//! connection needs to read meanwhile (see `Store::import_changes`).

use std::time::Duration;

use rusqlite::Connection;

use super::error::Result;

/// How long `configure` lets a connection wait for a lock; restored after the switch.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Leaves WAL mode for a rollback journal if no other connection has the store open; whether
/// it did. A store in memory, or one another process is reading, stays as it is.
pub(crate) fn leave_wal(conn: &Connection) -> Result<bool> {
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Ok(false);
    }
    // Not waiting: another process holding the store open is the answer, not a delay.
    conn.busy_timeout(Duration::ZERO)?;
    let switched = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0));
    conn.busy_timeout(BUSY_TIMEOUT)?;
    match switched {
        Ok(mode) => Ok(mode.eq_ignore_ascii_case("delete")),
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// Returns to WAL mode. Should another process have opened the store meanwhile, the switch
/// waits for it up to the busy timeout and otherwise leaves the store with its rollback
/// journal, which is as safe: the next open sets WAL again.
pub(crate) fn back_to_wal(conn: &Connection) {
    let _ = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
}
