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
        Ok(report)
    }
}

/// The state of one row as the change log says it should be.
type RowState = BTreeMap<String, Value>;

fn replay_entity(conn: &rusqlite::Connection, ent: &Entity, report: &mut CheckReport) -> Result<()> {
    // Fold the log per row in (hlc, replica) order: the same order every replica applies.
    let mut expected: BTreeMap<String, RowState> = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT row_id, field, value FROM change_log WHERE entity = ?1 ORDER BY row_id, hlc, replica",
    )?;
    let mut rows = stmt.query([ent.name])?;
    while let Some(row) = rows.next()? {
        report.changes += 1;
        let row_id: String = row.get(0)?;
        let field: String = row.get(1)?;
        let raw: String = row.get(2)?;
        let Ok(value) = serde_json::from_str::<Value>(&raw) else {
            report.problem(format!("change log: unreadable value for {}.{field} of {row_id}", ent.name));
            continue;
        };
        let state = expected.entry(row_id).or_default();
        if field == INSERT {
            match value {
                Value::Object(obj) => state.extend(obj),
                _ => report.problem(format!("change log: insert of {} is not an object", ent.name)),
            }
        } else {
            state.insert(field, value);
        }
    }
    drop(rows);

    let columns: Vec<&str> = std::iter::once(DELETED).chain(ent.fields.iter().map(|f| f.name)).collect();
    let sql = format!("SELECT id, {} FROM {}", columns.join(", "), ent.name);
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        report.rows += 1;
        let id: String = row.get(0)?;
        let Some(state) = expected.remove(&id) else {
            report.problem(format!("{} {id} has no entry in the change log", ent.name));
            continue;
        };
        for (i, col) in columns.iter().enumerate() {
            let Some(want) = state.get(*col) else { continue };
            let have: SqlValue = row.get(i + 1)?;
            if have != json_to_sql(want) {
                report.problem(format!("{}.{col} of {id} differs from its change log", ent.name));
            }
        }
    }
    for id in expected.keys() {
        report.problem(format!("{} {id} is in the change log but missing from its table", ent.name));
    }
    Ok(())
}
