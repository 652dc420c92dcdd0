//! `sluss check`: SQLite's own integrity and foreign-key checks, the search indexes, and a
//! replay of the change log that must reproduce every materialised table exactly.

use std::collections::BTreeMap;

use rusqlite::types::Value as SqlValue;
use serde_json::Value;

use super::Store;
use super::entities::{ENTITIES, Entity};
use super::error::Result;
use super::write::{DELETED, INSERT, json_to_sql};

/// What `check` found. Empty `problems` means the store is sound.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Rows compared with the change log.
    pub rows: u64,
    /// Change-log entries replayed.
    pub changes: u64,
    /// Everything that is wrong, one line each (ids and field names only, no values).
    pub problems: Vec<String>,
}

impl CheckReport {
    /// Whether nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// At most this many problems are listed; the rest are counted.
const MAX_LISTED: usize = 50;

impl CheckReport {
    fn problem(&mut self, p: String) {
        if self.problems.len() < MAX_LISTED {
            self.problems.push(p);
        } else if self.problems.len() == MAX_LISTED {
            self.problems.push("… more problems not listed".to_owned());
        }
    }
}

impl Store {
    /// Checks the store; reading only.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = CheckReport::default();
        let conn = self.conn();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        for line in stmt.query_map([], |r| r.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                report.problem(format!("integrity: {line}"));
            }
        }
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let table: String = row.get(0)?;
            let parent: String = row.get(2)?;
            report.problem(format!("foreign key: a row of {table} refers to a missing {parent}"));
        }
        for fts in ["client_fts", "note_fts"] {
            let sql = format!("INSERT INTO {fts}({fts}) VALUES ('integrity-check')");
            if let Err(e) = conn.execute(&sql, []) {
                report.problem(format!("search index {fts}: {e}"));
            }
        }
        for ent in ENTITIES {
            replay_entity(conn, ent, &mut report)?;
        }
        check_conflicts(conn, &mut report)?;
        for p in self.follow_up_cache_problems()? {
            report.problem(p);
        }
        Ok(report)
    }
}

/// The state of one row as the change log says it should be.
type RowState = BTreeMap<String, Value>;

/// Replays the log of one entity and compares it with the table. Both are read in row-id
/// order and merged, so memory stays at one row whatever the size of the store.
fn replay_entity(conn: &rusqlite::Connection, ent: &Entity, report: &mut CheckReport) -> Result<()> {
    // Within a row, fold in (hlc, replica) order: the order every replica applies changes in.
    let mut log_stmt =
        conn.prepare("SELECT row_id, field, value FROM change_log WHERE entity = ?1 ORDER BY row_id, hlc, replica")?;
    let mut log = log_stmt.query([ent.name])?;
    let columns: Vec<&str> = std::iter::once(DELETED).chain(ent.fields.iter().map(|f| f.name)).collect();
    let sql = format!("SELECT id, {} FROM {} ORDER BY id", columns.join(", "), ent.name);
    let mut table_stmt = conn.prepare(&sql)?;
    let mut table = table_stmt.query([])?;

    let mut pending: Option<(String, String, String)> = next_change(&mut log)?;
    let mut next_row = table.next()?;
    loop {
        // The next row id in either stream.
        let log_id = pending.as_ref().map(|p| p.0.clone());
        let table_id: Option<String> = match next_row {
            Some(row) => Some(row.get(0)?),
            None => None,
        };
        let id = match (&log_id, &table_id) {
            (None, None) => break,
            (Some(l), Some(t)) => l.min(t).clone(),
            (Some(l), None) => l.clone(),
            (None, Some(t)) => t.clone(),
        };
        let mut state: Option<RowState> = None;
        while pending.as_ref().is_some_and(|p| p.0 == id) {
            let (_, field, raw) = pending.take().expect("checked above");
            report.changes += 1;
            let st = state.get_or_insert_with(RowState::new);
            match serde_json::from_str::<Value>(&raw) {
                Ok(Value::Object(obj)) if field == INSERT => st.extend(obj),
                Ok(_) if field == INSERT => {
                    report.problem(format!("change log: insert of {} {id} is not an object", ent.name))
                }
                Ok(value) => {
                    st.insert(field, value);
                }
                Err(_) => report.problem(format!("change log: unreadable value for {}.{field} of {id}", ent.name)),
            }
            pending = next_change(&mut log)?;
        }
        if table_id.as_deref() == Some(id.as_str()) {
            let row = next_row.expect("table row present");
            report.rows += 1;
            match &state {
                None => report.problem(format!("{} {id} has no entry in the change log", ent.name)),
                Some(state) => {
                    for (i, col) in columns.iter().enumerate() {
                        let Some(want) = state.get(*col) else {
                            continue;
                        };
                        let have: SqlValue = row.get(i + 1)?;
                        if have != json_to_sql(want) {
                            report.problem(format!("{}.{col} of {id} differs from its change log", ent.name));
                        }
                    }
                }
            }
            next_row = table.next()?;
        } else {
            report.problem(format!("{} {id} is in the change log but missing from its table", ent.name));
        }
    }
    Ok(())
}

/// A field: entity, row id, field name.
type FieldKey = (String, String, String);

/// Recomputes the open conflicts from the change log and compares them with the conflict
/// table: a field is in conflict when its current values (its changes nobody supersedes)
/// differ. The log is read in (entity, row, field) order from its index and merged with the
/// table in the same order, so memory stays at one field's values.
fn check_conflicts(conn: &rusqlite::Connection, report: &mut CheckReport) -> Result<()> {
    // The extra "has seen" links are rare: without any, their lookup is left out.
    let has_links: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM change_supersedes)", [], |r| r.get(0))?;
    let links = if has_links {
        "AND NOT EXISTS (SELECT 1 FROM change_supersedes x WHERE x.superseded = c.change_id)"
    } else {
        ""
    };
    let mut leaves = conn.prepare(&format!(
        "SELECT entity, row_id, field, value FROM change_log c
         WHERE field != '*' AND NOT EXISTS (SELECT 1 FROM change_log s WHERE s.supersedes = c.change_id) {links}
         ORDER BY entity, row_id, field"
    ))?;
    let mut leaves = leaves.query([])?;
    let mut listed = conn.prepare("SELECT entity, row_id, field FROM sync_conflict ORDER BY entity, row_id, field")?;
    let mut listed = listed.query([])?;
    let mut pending = match leaves.next()? {
        Some(r) => Some((field_key(r)?, r.get::<_, String>(3)?)),
        None => None,
    };
    let mut in_log = next_open(&mut leaves, &mut pending)?;
    let mut in_table = match listed.next()? {
        Some(r) => Some(field_key(r)?),
        None => None,
    };
    loop {
        let (log_first, table_first) = match (&in_log, &in_table) {
            (None, None) => break,
            (Some(l), Some(t)) if l == t => (true, true),
            (Some(l), Some(t)) => (l < t, t < l),
            (Some(_), None) => (true, false),
            (None, Some(_)) => (false, true),
        };
        if log_first && !table_first {
            let (entity, row, field) = in_log.as_ref().expect("present");
            report
                .problem(format!("{entity}.{field} of {row} holds concurrent values but is not listed as a conflict"));
        }
        if table_first && !log_first {
            let (entity, row, field) = in_table.as_ref().expect("present");
            report.problem(format!("{entity}.{field} of {row} is listed as a conflict but the log holds one value"));
        }
        if log_first {
            in_log = next_open(&mut leaves, &mut pending)?;
        }
        if table_first {
            in_table = match listed.next()? {
                Some(r) => Some(field_key(r)?),
                None => None,
            };
        }
    }
    Ok(())
}

fn field_key(r: &rusqlite::Row<'_>) -> rusqlite::Result<FieldKey> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

/// The next field in the log whose current values differ (append-only entities never
/// conflict). `pending` holds the first current value of the next field, read ahead.
fn next_open(leaves: &mut rusqlite::Rows<'_>, pending: &mut Option<(FieldKey, String)>) -> Result<Option<FieldKey>> {
    while let Some((field, first)) = pending.take() {
        let mut differ = false;
        while let Some(r) = leaves.next()? {
            let k = field_key(r)?;
            if k != field {
                *pending = Some((k, r.get(3)?));
                break;
            }
            differ |= r.get_ref(3)?.as_str().map_err(rusqlite::Error::from)? != first;
        }
        if differ && !super::entities::entity(&field.0).is_some_and(|e| e.append_only) {
            return Ok(Some(field));
        }
    }
    Ok(None)
}

fn next_change(rows: &mut rusqlite::Rows<'_>) -> Result<Option<(String, String, String)>> {
    Ok(match rows.next()? {
        Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
        None => None,
    })
}
