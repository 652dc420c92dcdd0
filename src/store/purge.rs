//! Retention (gallring): erasing a closed client's personal data from the tables **and** from
//! the change log, on every replica.
//!
//! A purge is a synced, append-only `purge` record (client id, time, who): ids only. Writing
//! it through [`Store::apply`] erases the client's rows and every change-log entry of them in
//! the same transaction ([`apply_purge`]); importing it does the same on every other replica.
//! Each replica remembers the ids of the rows it erased (`purged_row`, replica-local), so a
//! later import of old changes to them, or of rows that belong to them, is dropped
//! ([`is_purged`], [`skips_change`]) instead of bringing the data back. A purge is absorbing:
//! it wins over any concurrent edit of the client. See docs/security.md.
//!
//! Import (`Store::import_changes` in src/store/merge.rs) calls two hooks for each change.
//! Before adding it to the log, [`skips_change`] (when any purge ever erased anything
//! here): a skipped change counts as known and goes no further. After a purge record is
//! added, the batch of pending rows is written to the tables and [`apply_purge`] erases
//! the client it names, so rows the same import brought are erased too.
//! `merge::owner` must also treat `purge` rows as `Owner::Directory`, so partner bundles carry them.

use rusqlite::{Connection, OptionalExtension, params};

use super::entities::{ENTITIES, FieldKind};
use super::error::{Result, StoreError};
use super::write::INSERT;
use super::{ChangeSet, Store, audit};
use crate::domain::enums::AuditAction;

/// Entity name of the purge record.
pub const ENTITY: &str = "purge";

/// Tables whose rows belong to a client, and how to find them: (table, SQL selecting the
/// ids of the client `?1`'s rows). Children first, so the list is also a safe delete order.
const OWNED: &[(&str, &str)] = &[
    ("minute_entry", "SELECT x.id FROM minute_entry x JOIN meeting m ON m.id = x.meeting_id WHERE m.client_id = ?1"),
    (
        "meeting_participant",
        "SELECT x.id FROM meeting_participant x JOIN meeting m ON m.id = x.meeting_id WHERE m.client_id = ?1",
    ),
    (
        "action_item",
        "SELECT id FROM action_item WHERE client_id = ?1
         UNION SELECT x.id FROM action_item x JOIN meeting m ON m.id = x.meeting_id WHERE m.client_id = ?1
         UNION SELECT x.id FROM action_item x JOIN event e ON e.id = x.event_id WHERE e.client_id = ?1",
    ),
    ("need_update", "SELECT x.id FROM need_update x JOIN need n ON n.id = x.need_id WHERE n.client_id = ?1"),
    (
        "intervention_need",
        "SELECT x.id FROM intervention_need x JOIN intervention i ON i.id = x.intervention_id WHERE i.client_id = ?1
         UNION SELECT x.id FROM intervention_need x JOIN need n ON n.id = x.need_id WHERE n.client_id = ?1",
    ),
    ("goal", "SELECT x.id FROM goal x JOIN plan p ON p.id = x.plan_id WHERE p.client_id = ?1"),
    ("plan_item", "SELECT x.id FROM plan_item x JOIN plan p ON p.id = x.plan_id WHERE p.client_id = ?1"),
    (
        "eligibility_check",
        "SELECT x.id FROM eligibility_check x JOIN enrolment e ON e.id = x.enrolment_id WHERE e.client_id = ?1",
    ),
    ("consent_scope", "SELECT x.id FROM consent_scope x JOIN consent c ON c.id = x.consent_id WHERE c.client_id = ?1"),
    ("note", "SELECT id FROM note WHERE client_id = ?1"),
    ("event", "SELECT id FROM event WHERE client_id = ?1"),
    ("meeting", "SELECT id FROM meeting WHERE client_id = ?1"),
    ("outcome_snapshot", "SELECT id FROM outcome_snapshot WHERE client_id = ?1"),
    ("intervention", "SELECT id FROM intervention WHERE client_id = ?1"),
    ("plan", "SELECT id FROM plan WHERE client_id = ?1"),
    ("need", "SELECT id FROM need WHERE client_id = ?1"),
    ("consent", "SELECT id FROM consent WHERE client_id = ?1"),
    ("enrolment", "SELECT id FROM enrolment WHERE client_id = ?1"),
    ("risk_assessment", "SELECT id FROM risk_assessment WHERE client_id = ?1"),
    ("sentence", "SELECT id FROM sentence WHERE client_id = ?1"),
    ("client", "SELECT id FROM client WHERE id = ?1"),
];

/// The tables whose rows belong to a client, with the SQL finding a client's row ids (`?1`).
pub(crate) fn owned_tables() -> &'static [(&'static str, &'static str)] {
    OWNED
}

/// A client that may be purged: closed before the cut-off. Ids and dates only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeCandidate {
    /// Client id.
    pub client_id: String,
    /// When the client was closed.
    pub closed_on: String,
}

/// What a purge erased, counted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PurgeCounts {
    /// Rows deleted from the tables.
    pub rows: u64,
    /// Change-log entries deleted.
    pub changes: u64,
}

impl Store {
    /// Clients closed before `closed_before` (and not purged yet), oldest first.
    pub fn purge_candidates(&self, closed_before: chrono::NaiveDate) -> Result<Vec<PurgeCandidate>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, closed_on FROM client WHERE closed_on IS NOT NULL AND closed_on < ?1 ORDER BY closed_on, id",
        )?;
        let rows = stmt.query_map([closed_before.format("%Y-%m-%d").to_string()], |r| {
            Ok(PurgeCandidate { client_id: r.get(0)?, closed_on: r.get(1)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Purges one client: writes the synced purge record (which erases the client's rows
    /// and their change log) and an audit entry without personal data, in one transaction.
    /// Refuses a client that is not closed.
    pub fn purge_client(&mut self, client_id: &str) -> Result<PurgeCounts> {
        let closed: Option<Option<String>> = self
            .conn()
            .query_row("SELECT closed_on FROM client WHERE id = ?1", [client_id], |r| r.get(0))
            .optional()?;
        match closed {
            None => return Err(StoreError::RowNotFound { entity: "client".to_owned(), id: client_id.to_owned() }),
            Some(None) => {
                return Err(StoreError::InvalidValue {
                    entity: "client".to_owned(),
                    field: "closed_on".to_owned(),
                    problem: format!("client {client_id} is not closed: only a closed client can be purged"),
                });
            }
            Some(Some(_)) => {}
        }
        let counts = count_owned(self.conn(), client_id)?;
        let user = audit::current_user();
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let mut cs = ChangeSet::new();
        cs.insert(ENTITY).set("client_id", client_id).set("purged_at", now.clone()).set("by", user.clone());
        cs.insert("audit_log")
            .set("at", now)
            .set("actor", user.clone())
            .set("replica", self.replica_id().to_owned())
            .set("action", AuditAction::Purge.code())
            .set("client_id", client_id)
            .set("detail", crate::i18n::audit_detail::PURGED.fill(&[&counts.rows, &counts.changes]));
        self.apply(&user, &cs)?;
        Ok(counts)
    }

    /// After purging: writes the WAL back into the store file and truncates it, so no page
    /// image of erased data stays in the `-wal` file. (Freed pages are zeroed as they are
    /// freed: `secure_delete` is on, and the search indexes delete securely.)
    pub fn compact_after_purge(&self) -> Result<()> {
        self.conn().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).optional()?;
        Ok(())
    }

    /// Whether a purge record for this client exists.
    pub fn is_client_purged(&self, client_id: &str) -> Result<bool> {
        Ok(self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM purge WHERE client_id = ?1 AND deleted = 0)",
            [client_id],
            |r| r.get(0),
        )?)
    }
}

fn count_owned(conn: &Connection, client_id: &str) -> Result<PurgeCounts> {
    let mut counts = PurgeCounts::default();
    for (table, sql) in OWNED {
        let ids = ids_of(conn, sql, client_id)?;
        counts.rows += ids.len() as u64;
        for id in ids {
            counts.changes += conn
                .prepare_cached("SELECT count(*) FROM change_log WHERE entity = ?1 AND row_id = ?2")?
                .query_row(params![table, id], |r| r.get::<_, i64>(0))? as u64;
        }
    }
    Ok(counts)
}

fn ids_of(conn: &Connection, sql: &str, client_id: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map([client_id], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Erases every row of the client and every change-log entry of those rows, and remembers
/// their ids in `purged_row`. Runs inside the caller's transaction: the write path calls it
/// when it writes a purge record, import when a purge record arrives. A client this replica
/// never held is remembered too, so its rows are dropped if they arrive later.
pub(crate) fn apply_purge(tx: &Connection, client_id: &str) -> Result<PurgeCounts> {
    // Rows of one client refer to each other (a correction to a note, a continued
    // intervention): references are checked at commit, when they are all gone.
    tx.execute_batch("PRAGMA defer_foreign_keys = ON")?;
    // Another client's intervention may meet this client's need: its cached follow-up facts
    // list the need's area, and the change log will not say so once the link is erased.
    tx.prepare_cached(
        "INSERT OR IGNORE INTO follow_up_stale (client_id)
         SELECT i.client_id FROM intervention_need x JOIN need n ON n.id = x.need_id
         JOIN intervention i ON i.id = x.intervention_id
         WHERE n.client_id = ?1 AND i.client_id IS NOT NULL AND i.client_id != ?1",
    )?
    .execute([client_id])?;
    let mut counts = PurgeCounts::default();
    for (table, sql) in OWNED {
        for id in ids_of(tx, sql, client_id)? {
            counts.changes += erase_row(tx, table, &id)?;
            counts.rows += 1;
        }
    }
    tx.prepare_cached("INSERT OR IGNORE INTO purged_row (entity, row_id) VALUES ('client', ?1)")?
        .execute([client_id])?;
    forget_follow_up(tx, client_id)?;
    Ok(counts)
}

/// Removes the client's follow-up facts (docs/follow-up.md: nothing of a purged client
/// stays) and keeps the cache's watermark honest: the change-log entries just erased may have
/// been the newest, and `seq` (no AUTOINCREMENT) would then be handed out again, so a
/// watermark above the newest entry left would hide the next changes from the cache.
fn forget_follow_up(tx: &Connection, client_id: &str) -> Result<()> {
    let gone = tx.prepare_cached("DELETE FROM follow_up_fact WHERE client_id = ?1")?.execute([client_id])?;
    tx.prepare_cached("DELETE FROM follow_up_stale WHERE client_id = ?1")?.execute([client_id])?;
    tx.prepare_cached(
        "UPDATE follow_up_state SET clients = clients - ?1,
             seq = min(seq, (SELECT coalesce(max(seq), 0) FROM change_log))",
    )?
    .execute([gone as i64])?;
    Ok(())
}

/// Deletes one row, its change log and its conflicts, and remembers it. Returns the number
/// of change-log entries deleted.
fn erase_row(tx: &Connection, table: &str, id: &str) -> Result<u64> {
    tx.prepare_cached(
        "DELETE FROM change_supersedes WHERE change_id IN (SELECT change_id FROM change_log WHERE entity = ?1 AND row_id = ?2)
            OR superseded IN (SELECT change_id FROM change_log WHERE entity = ?1 AND row_id = ?2)",
    )?
    .execute(params![table, id])?;
    let changes =
        tx.prepare_cached("DELETE FROM change_log WHERE entity = ?1 AND row_id = ?2")?.execute(params![table, id])?;
    tx.prepare_cached("DELETE FROM sync_conflict WHERE entity = ?1 AND row_id = ?2")?.execute(params![table, id])?;
    tx.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?.execute([id])?;
    tx.prepare_cached("INSERT OR IGNORE INTO purged_row (entity, row_id) VALUES (?1, ?2)")?
        .execute(params![table, id])?;
    Ok(changes as u64)
}

/// Whether this replica erased the row in a purge. Any change to it must be dropped.
pub fn is_purged(conn: &Connection, entity: &str, row_id: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM purged_row WHERE entity = ?1 AND row_id = ?2)")?
        .query_row(params![entity, row_id], |r| r.get(0))?)
}

/// Whether any purge ever erased anything here: import can skip [`skips_change`] when not.
pub fn any_purged(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM purged_row)", [], |r| r.get(0))?)
}

/// Whether an incoming change (import) must be dropped because of a purge: it changes a
/// purged row, or it inserts a row that refers to one (a note a replica wrote for the client
/// before it saw the purge). Such a new row is remembered as purged too, so its later field
/// changes are dropped as well. Never drops a purge record or an audit entry. `text_of`
/// gives the text the change sets a field to (an insert's references).
pub fn skips_change<'v>(
    conn: &Connection,
    entity: &str,
    row_id: &str,
    field: &str,
    text_of: &dyn Fn(&str) -> Option<&'v str>,
) -> Result<bool> {
    if entity == ENTITY || entity == "audit_log" {
        return Ok(false);
    }
    if is_purged(conn, entity, row_id)? {
        return Ok(true);
    }
    if field != INSERT {
        return Ok(false);
    }
    let Some(ent) = ENTITIES.iter().find(|e| e.name == entity) else {
        return Ok(false);
    };
    for f in ent.fields {
        if let (FieldKind::Ref(table), Some(target)) = (f.kind, text_of(f.name))
            && is_purged(conn, table, target)?
        {
            conn.prepare_cached("INSERT OR IGNORE INTO purged_row (entity, row_id) VALUES (?1, ?2)")?
                .execute(params![entity, row_id])?;
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Erasing a client's row makes SQLite look, for every foreign key referring to its
    /// table, for rows that still refer to it. Without an index on the referring column
    /// that is a scan of the whole referring table for every row erased: a purge at 100 000
    /// clients took 0.29 s a client instead of 0.023 s (docs/performance.md).
    #[test]
    fn every_reference_to_a_purged_table_is_looked_up_through_an_index() {
        let store = Store::in_memory().unwrap();
        let conn = store.conn();
        let references: Vec<(String, String, String)> = conn
            .prepare(
                "SELECT m.name, f.\"table\", f.\"from\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
                 WHERE m.type = 'table'",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let erased: Vec<&str> = OWNED.iter().map(|(table, _)| *table).collect();
        let checked: Vec<_> = references.iter().filter(|(_, parent, _)| erased.contains(&parent.as_str())).collect();
        assert!(checked.len() > 20, "the registry's references were found: {checked:?}");
        for (child, _, column) in checked {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN SELECT 1 FROM {child} WHERE {column} = ?1"))
                .unwrap()
                .query_map(["x"], |r| r.get(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(plan.iter().all(|step| !step.starts_with("SCAN")), "{child}.{column}: {plan:?}");
        }
    }
}
