//! Open conflicts: fields that hold two or more values written without seeing each other.
//! A change that supersedes another has seen it; the values of a field nobody has
//! superseded yet are its current values, and when they differ the field is in conflict.
//! Every replica with the same changes lists the same conflicts and shows the same
//! provisional winner (last-writer-wins). Resolving writes a normal change through the
//! write path that supersedes every current value, so it closes the conflict wherever it
//! syncs to. Append-only entities never conflict.
//!
//! This is the API of the Conflicts screen: [`Store::open_conflicts`],
//! [`Store::conflict_count`], [`Store::conflict`] and [`Store::resolve_conflict`].

use rusqlite::{OptionalExtension, params};
use serde_json::Value;

use super::merge::Owner;
use super::write::{INSERT, field_leaves};
use super::{ApplyReport, ChangeSet, Result, Store, StoreError, hlc};

/// Which field is in conflict. The same on every replica.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConflictId {
    /// Entity (table).
    pub entity: String,
    /// Row id.
    pub row_id: String,
    /// Field name (`deleted` for a delete against a restore).
    pub field: String,
}

/// One of the concurrent values of a conflicted field.
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictValue {
    /// The change that wrote it; pass it to [`Resolution::Keep`] to keep this value.
    pub change_id: String,
    /// The value (JSON as in the change log: string, number, bool or null).
    pub value: Value,
    /// Who wrote it.
    pub author: String,
    /// On which replica.
    pub replica: String,
    /// When (the wall-clock part of its hybrid logical clock).
    pub at: chrono::DateTime<chrono::Utc>,
    /// Whether it was written on this replica ("mine").
    pub local: bool,
}

/// An open conflict, with everything a person needs to decide it.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// Which field.
    pub id: ConflictId,
    /// The client the row belongs to (`None` for the organisation directory).
    pub client_id: Option<String>,
    /// The value both sides started from, when known (the value the provisional winner replaced).
    pub base: Option<Value>,
    /// The concurrent values, the provisional winner (the one the tables show) first.
    pub values: Vec<ConflictValue>,
}

impl Conflict {
    /// The provisional winner: the value shown until someone resolves the conflict.
    pub fn winner(&self) -> &ConflictValue {
        &self.values[0]
    }

    /// The value written on this replica, if one was (the newest such).
    pub fn mine(&self) -> Option<&ConflictValue> {
        self.values.iter().find(|v| v.local)
    }

    /// The value from elsewhere: the newest not written here (or, when every value was
    /// written elsewhere, the newest other than the winner).
    pub fn theirs(&self) -> Option<&ConflictValue> {
        match self.mine() {
            Some(_) => self.values.iter().find(|v| !v.local),
            None => self.values.get(1),
        }
    }
}

/// How to resolve a conflict.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    /// Keep the value written by this change (one of [`Conflict::values`]).
    Keep(String),
    /// Write a new value (checked like any edit).
    Value(Value),
}

impl Store {
    /// Open conflicts, of one client or of all, ordered by entity, row and field.
    pub fn open_conflicts(&self, client: Option<&str>) -> Result<Vec<Conflict>> {
        let mut stmt = self.conn().prepare("SELECT entity, row_id, field FROM sync_conflict ORDER BY 1, 2, 3")?;
        let ids = stmt
            .query_map([], |r| Ok(ConflictId { entity: r.get(0)?, row_id: r.get(1)?, field: r.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(c) = self.conflict(&id)?
                && client.is_none_or(|want| c.client_id.as_deref() == Some(want))
            {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Number of open conflicts (cheap: for a badge or a dashboard line).
    pub fn conflict_count(&self) -> Result<usize> {
        Ok(self.conn().query_row("SELECT count(*) FROM sync_conflict", [], |r| r.get::<_, i64>(0))? as usize)
    }

    /// One open conflict, or `None` if that field is not (or no longer) in conflict.
    pub fn conflict(&self, id: &ConflictId) -> Result<Option<Conflict>> {
        let conn = self.conn();
        let open: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sync_conflict WHERE entity = ?1 AND row_id = ?2 AND field = ?3)",
            params![id.entity, id.row_id, id.field],
            |r| r.get(0),
        )?;
        if !open {
            return Ok(None);
        }
        let mut values = Vec::new();
        for (change_id, _) in field_leaves(conn, &id.entity, &id.row_id, &id.field)? {
            let (raw, author, replica, clock): (String, String, String, i64) = conn.query_row(
                "SELECT value, author, replica, hlc FROM change_log WHERE change_id = ?1",
                [&change_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
            let at = chrono::DateTime::from_timestamp_millis(hlc::to_millis(clock as u64) as i64).unwrap_or_default();
            let local = replica == self.replica_id();
            values.push(ConflictValue {
                change_id,
                value: serde_json::from_str(&raw).unwrap_or(Value::Null),
                author,
                replica,
                at,
                local,
            });
        }
        if values.is_empty() {
            return Ok(None);
        }
        let base = base_value(conn, &values[0].change_id, &id.field)?;
        let client_id = match self.owner(&id.entity, &id.row_id)? {
            Owner::Client(c) => Some(c),
            Owner::Directory | Owner::Nobody => None,
        };
        Ok(Some(Conflict { id: id.clone(), client_id, base, values }))
    }

    /// Resolves a conflict by writing the chosen value through the write path, as a change
    /// that supersedes every current value of the field: the conflict closes here now and on
    /// every replica this change reaches. Refuses a conflict that is no longer open and a
    /// change id that is not one of its values.
    pub fn resolve_conflict(&mut self, author: &str, id: &ConflictId, resolution: Resolution) -> Result<ApplyReport> {
        let Some(conflict) = self.conflict(id)? else {
            return Err(StoreError::InvalidValue {
                entity: id.entity.clone(),
                field: id.field.clone(),
                problem: format!("row {} has no open conflict here: it was resolved already", id.row_id),
            });
        };
        let value = match resolution {
            Resolution::Value(v) => v,
            Resolution::Keep(change) => match conflict.values.iter().find(|v| v.change_id == change) {
                Some(v) => v.value.clone(),
                None => {
                    return Err(StoreError::InvalidValue {
                        entity: id.entity.clone(),
                        field: id.field.clone(),
                        problem: "the value to keep is not one of the conflict's values".to_owned(),
                    });
                }
            },
        };
        let mut cs = ChangeSet::new();
        cs.resolve(&id.entity, &id.row_id, &id.field, value);
        self.apply(author, &cs)
    }
}

/// The value the change `head` replaced: the field's value in that change, or in the row's
/// insert when that is what it replaced.
fn base_value(conn: &rusqlite::Connection, head: &str, field: &str) -> Result<Option<Value>> {
    let parent: Option<(String, String)> = conn
        .query_row(
            "SELECT p.field, p.value FROM change_log c JOIN change_log p ON p.change_id = c.supersedes
             WHERE c.change_id = ?1",
            [head],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(parent.and_then(|(f, raw)| {
        let v: Value = serde_json::from_str(&raw).ok()?;
        if f == INSERT { Some(v.get(field).cloned().unwrap_or(Value::Null)) } else { Some(v) }
    }))
}
