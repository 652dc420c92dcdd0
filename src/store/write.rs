//! The single write path. Every insert, update and delete of synced data goes through
//! [`Store::apply`], which in one transaction validates each value against the entity
//! registry, appends field-level changes to `change_log` and updates the materialised
//! tables. A delete is a tombstone: `deleted` set to true, recorded like any field.

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde_json::{Map, Value};

use super::entities::{self, Entity, Field, FieldKind};
use super::error::{Result, StoreError};
use super::{Store, hlc};

/// Field name of the tombstone flag, in tables and in the change log.
pub const DELETED: &str = "deleted";
/// Field name that marks a row insert in the change log; its value holds every field given.
pub const INSERT: &str = "*";

/// One operation on one row.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Create a row with these fields.
    Insert {
        /// Table.
        entity: String,
        /// New row id (UUIDv7).
        id: String,
        /// Field values.
        fields: Vec<(String, Value)>,
    },
    /// Change these fields of an existing row.
    Update {
        /// Table.
        entity: String,
        /// Row id.
        id: String,
        /// New field values.
        fields: Vec<(String, Value)>,
    },
    /// Set one field even if it holds that value already, superseding every concurrent
    /// value it holds: how a conflict is resolved (see [`Store::resolve_conflict`]).
    Resolve {
        /// Table.
        entity: String,
        /// Row id.
        id: String,
        /// Field.
        field: String,
        /// The chosen value.
        value: Value,
    },
    /// Tombstone a row, or bring a tombstoned row back.
    SetDeleted {
        /// Table.
        entity: String,
        /// Row id.
        id: String,
        /// True to delete, false to restore.
        deleted: bool,
    },
}

/// The operations of one user action, applied together or not at all.
#[derive(Debug, Default, Clone)]
pub struct ChangeSet {
    ops: Vec<Op>,
}

/// Adds field values to the operation just added to a [`ChangeSet`].
pub struct RowBuilder<'a> {
    fields: &'a mut Vec<(String, Value)>,
    id: String,
}

impl RowBuilder<'_> {
    /// Sets a field.
    pub fn set(self, field: &str, value: impl Into<Value>) -> Self {
        self.fields.push((field.to_owned(), value.into()));
        self
    }

    /// Sets a field when the value is present; leaves it out otherwise.
    pub fn set_opt<T: Into<Value>>(self, field: &str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.set(field, v),
            None => self,
        }
    }

    /// The id of the row.
    pub fn id(&self) -> String {
        self.id.clone()
    }
}

/// A new random UUIDv7, the id of every synced row and change.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl ChangeSet {
    /// An empty change set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts inserting a row with a fresh id.
    pub fn insert(&mut self, entity: &str) -> RowBuilder<'_> {
        self.insert_with_id(entity, new_id())
    }

    /// Starts inserting a row with a given id (demo data uses seeded ids).
    pub fn insert_with_id(&mut self, entity: &str, id: String) -> RowBuilder<'_> {
        self.ops.push(Op::Insert { entity: entity.to_owned(), id: id.clone(), fields: Vec::new() });
        match self.ops.last_mut() {
            Some(Op::Insert { fields, .. }) => RowBuilder { fields, id },
            _ => unreachable!("just pushed an insert"),
        }
    }

    /// Starts updating fields of an existing row.
    pub fn update(&mut self, entity: &str, id: &str) -> RowBuilder<'_> {
        self.ops.push(Op::Update { entity: entity.to_owned(), id: id.to_owned(), fields: Vec::new() });
        match self.ops.last_mut() {
            Some(Op::Update { fields, .. }) => RowBuilder { fields, id: id.to_owned() },
            _ => unreachable!("just pushed an update"),
        }
    }

    /// Tombstones a row.
    pub fn delete(&mut self, entity: &str, id: &str) {
        self.ops.push(Op::SetDeleted { entity: entity.to_owned(), id: id.to_owned(), deleted: true });
    }

    /// Brings a tombstoned row back (used by undo).
    pub fn restore(&mut self, entity: &str, id: &str) {
        self.ops.push(Op::SetDeleted { entity: entity.to_owned(), id: id.to_owned(), deleted: false });
    }

    /// Sets a field to the chosen value of a conflict (written even when unchanged).
    pub fn resolve(&mut self, entity: &str, id: &str, field: &str, value: Value) {
        self.ops.push(Op::Resolve { entity: entity.to_owned(), id: id.to_owned(), field: field.to_owned(), value });
    }

    /// The operations, in order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }
}

/// What [`Store::apply`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApplyReport {
    /// Change-log entries appended.
    pub changes: usize,
    /// Rows created.
    pub inserted: usize,
    /// Rows whose fields changed.
    pub updated: usize,
    /// Rows tombstoned or restored.
    pub deleted: usize,
    /// Ids of the changes appended, in order (undo and history use them).
    pub change_ids: Vec<String>,
}

/// One entry of the change log as written.
struct NewChange<'a> {
    entity: &'a str,
    row_id: &'a str,
    field: &'a str,
    value: String,
    supersedes: Option<String>,
    /// Further concurrent values of the field this change has seen (and so supersedes).
    also_supersedes: Vec<String>,
}

impl Store {
    /// Applies a change set in one transaction: all of it, or (on any error) none of it.
    pub fn apply(&mut self, author: &str, changes: &ChangeSet) -> Result<ApplyReport> {
        if changes.is_empty() {
            return Ok(ApplyReport::default());
        }
        let replica = self.replica_id.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let report = apply_in(&tx, &replica, author, changes)?;
        tx.commit()?;
        Ok(report)
    }
}

/// The body of [`Store::apply`], inside a transaction the caller commits (import uses it to
/// write its audit entry in the same transaction as the changes it imports).
pub(crate) fn apply_in(
    tx: &rusqlite::Connection,
    replica: &str,
    author: &str,
    changes: &ChangeSet,
) -> Result<ApplyReport> {
    let mut report = ApplyReport::default();
    {
        let mut clock: u64 = tx.query_row("SELECT hlc FROM replica", [], |r| r.get::<_, i64>(0))? as u64;
        let now = hlc::wall_millis();
        {
            let mut log = |c: NewChange<'_>| -> Result<()> {
                clock = hlc::tick(clock, now);
                let change_id = new_id();
                tx.prepare_cached(
                    "INSERT INTO change_log (change_id, entity, row_id, field, value, hlc, replica, author, supersedes)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![
                    change_id,
                    c.entity,
                    c.row_id,
                    c.field,
                    c.value,
                    clock as i64,
                    replica,
                    author,
                    c.supersedes
                ])?;
                for seen in &c.also_supersedes {
                    tx.prepare_cached("INSERT INTO change_supersedes (change_id, superseded) VALUES (?1, ?2)")?
                        .execute(params![change_id, seen])?;
                }
                if !c.also_supersedes.is_empty() {
                    // The new value has seen every concurrent one: the conflict is closed.
                    tx.prepare_cached("DELETE FROM sync_conflict WHERE entity = ?1 AND row_id = ?2 AND field = ?3")?
                        .execute(params![c.entity, c.row_id, c.field])?;
                }
                report.changes += 1;
                report.change_ids.push(change_id);
                Ok(())
            };
            for op in changes.ops() {
                match op {
                    Op::Insert { entity, id, fields } => {
                        let ent = lookup(entity)?;
                        validate_id(ent, id)?;
                        let mut obj = Map::new();
                        for (name, value) in fields {
                            let field = field_of(ent, name)?;
                            check_value(ent, field, value)?;
                            if !value.is_null() {
                                obj.insert(name.clone(), value.clone());
                            }
                        }
                        if let Some(missing) = ent.fields.iter().find(|f| f.required && !obj.contains_key(f.name)) {
                            return Err(StoreError::MissingField {
                                entity: ent.name.to_owned(),
                                field: missing.name.to_owned(),
                            });
                        }
                        // The primary key and foreign keys are checked by SQLite; only when it
                        // refuses do we look up which one, so the common case costs no extra reads.
                        if let Err(e) = materialise_insert(tx, ent, id, &obj) {
                            return Err(explain_insert_failure(tx, ent, id, &obj, e));
                        }
                        // A purge record erases its client's data in this same transaction.
                        let purged_client = (ent.name == super::purge::ENTITY)
                            .then(|| obj.get("client_id").and_then(Value::as_str).map(str::to_owned))
                            .flatten();
                        log(NewChange {
                            entity: ent.name,
                            row_id: id,
                            field: INSERT,
                            value: Value::Object(obj).to_string(),
                            supersedes: None,
                            also_supersedes: Vec::new(),
                        })?;
                        if let Some(client) = purged_client {
                            super::purge::apply_purge(tx, &client)?;
                        }
                        report.inserted += 1;
                    }
                    Op::Update { entity, id, fields } => {
                        let ent = lookup(entity)?;
                        if ent.append_only {
                            return Err(StoreError::AppendOnly { entity: entity.clone() });
                        }
                        match row_exists(tx, ent, id)? {
                            Some(false) => {}
                            _ => {
                                return Err(StoreError::RowNotFound { entity: entity.clone(), id: id.clone() });
                            }
                        }
                        let mut touched = false;
                        for (name, value) in fields {
                            let field = field_of(ent, name)?;
                            check_value(ent, field, value)?;
                            check_reference(tx, ent, field, value)?;
                            if field.required && value.is_null() {
                                return Err(StoreError::MissingField {
                                    entity: ent.name.to_owned(),
                                    field: field.name.to_owned(),
                                });
                            }
                            if current_value(tx, ent, id, name)? == *value {
                                continue;
                            }
                            write_field(tx, &mut log, ent, id, name, value)?;
                            touched = true;
                        }
                        report.updated += usize::from(touched);
                    }
                    Op::Resolve { entity, id, field: name, value } => {
                        let ent = lookup(entity)?;
                        if ent.append_only {
                            return Err(StoreError::AppendOnly { entity: entity.clone() });
                        }
                        if row_exists(tx, ent, id)?.is_none() {
                            return Err(StoreError::RowNotFound { entity: entity.clone(), id: id.clone() });
                        }
                        if name != DELETED {
                            let field = field_of(ent, name)?;
                            check_value(ent, field, value)?;
                            check_reference(tx, ent, field, value)?;
                        } else if !value.is_boolean() {
                            return Err(StoreError::InvalidValue {
                                entity: ent.name.to_owned(),
                                field: DELETED.to_owned(),
                                problem: "must be yes or no".to_owned(),
                            });
                        }
                        // Written even when it equals the current value: it must supersede every
                        // concurrent value, on every replica, to close the conflict.
                        write_field(tx, &mut log, ent, id, name, value)?;
                        tx.prepare_cached(
                            "DELETE FROM sync_conflict WHERE entity = ?1 AND row_id = ?2 AND field = ?3",
                        )?
                        .execute(params![ent.name, id, name])?;
                        report.updated += 1;
                    }
                    Op::SetDeleted { entity, id, deleted } => {
                        let ent = lookup(entity)?;
                        let Some(is_deleted) = row_exists(tx, ent, id)? else {
                            return Err(StoreError::RowNotFound { entity: entity.clone(), id: id.clone() });
                        };
                        if is_deleted == *deleted {
                            continue;
                        }
                        write_field(tx, &mut log, ent, id, DELETED, &Value::Bool(*deleted))?;
                        report.deleted += 1;
                    }
                }
            }
        }
        tx.execute("UPDATE replica SET hlc = ?1", [clock as i64])?;
    }
    Ok(report)
}

/// Writes one field of an existing row: the table, and the change log entry superseding
/// every value of the field this replica holds.
fn write_field(
    tx: &rusqlite::Connection,
    log: &mut impl FnMut(NewChange<'_>) -> Result<()>,
    ent: &Entity,
    id: &str,
    name: &str,
    value: &Value,
) -> Result<()> {
    let (supersedes, also_supersedes) = field_parents(tx, ent.name, id, name)?;
    materialise_field(tx, ent, id, name, value)?;
    log(NewChange { entity: ent.name, row_id: id, field: name, value: value.to_string(), supersedes, also_supersedes })
}

/// The changes a new local write of a field supersedes: every current value of the field
/// (its changes nobody has superseded yet), the last-writer-wins head first, or the row's
/// insert when the field was never changed on its own.
pub(crate) fn field_parents(
    conn: &rusqlite::Connection,
    entity: &str,
    row_id: &str,
    field: &str,
) -> Result<(Option<String>, Vec<String>)> {
    let mut leaves = field_leaves(conn, entity, row_id, field)?.into_iter().map(|l| l.0);
    match leaves.next() {
        Some(head) => Ok((Some(head), leaves.collect())),
        None => Ok((head_change(conn, entity, row_id, field)?, Vec::new())),
    }
}

/// The current values of a field: its changes that no other change supersedes, as
/// (change id, value as stored), newest first in merge order (hlc, then replica).
pub(crate) fn field_leaves(
    conn: &rusqlite::Connection,
    entity: &str,
    row_id: &str,
    field: &str,
) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT change_id, value FROM change_log c WHERE entity = ?1 AND row_id = ?2 AND field = ?3
           AND NOT EXISTS (SELECT 1 FROM change_log s WHERE s.supersedes = c.change_id)
           AND NOT EXISTS (SELECT 1 FROM change_supersedes x WHERE x.superseded = c.change_id)
         ORDER BY hlc DESC, replica DESC",
    )?;
    let rows = stmt.query_map(params![entity, row_id, field], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

pub(crate) fn lookup(name: &str) -> Result<&'static Entity> {
    entities::entity(name).ok_or_else(|| StoreError::UnknownEntity(name.to_owned()))
}

pub(crate) fn field_of(ent: &'static Entity, name: &str) -> Result<&'static Field> {
    ent.field(name).ok_or_else(|| StoreError::UnknownField { entity: ent.name.to_owned(), field: name.to_owned() })
}

pub(crate) fn validate_id(ent: &Entity, id: &str) -> Result<()> {
    if uuid::Uuid::parse_str(id).is_err() {
        return Err(StoreError::InvalidValue {
            entity: ent.name.to_owned(),
            field: "id".to_owned(),
            problem: "must be a UUID".to_owned(),
        });
    }
    Ok(())
}

/// `None` if the row does not exist, else whether it is tombstoned.
pub(crate) fn row_exists(conn: &rusqlite::Connection, ent: &Entity, id: &str) -> Result<Option<bool>> {
    let sql = format!("SELECT deleted FROM {} WHERE id = ?1", ent.name);
    Ok(conn.prepare_cached(&sql)?.query_row([id], |r| r.get::<_, bool>(0)).optional()?)
}

/// The change that currently decides a field's value: the newest field change or insert.
pub(crate) fn head_change(
    conn: &rusqlite::Connection,
    entity: &str,
    row_id: &str,
    field: &str,
) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT change_id FROM change_log WHERE entity = ?1 AND row_id = ?2 AND field IN (?3, '*')
             ORDER BY hlc DESC, replica DESC LIMIT 1",
        )?
        .query_row(params![entity, row_id, field], |r| r.get(0))
        .optional()?)
}

fn current_value(tx: &rusqlite::Connection, ent: &Entity, id: &str, field: &str) -> Result<Value> {
    let sql = format!("SELECT {field} FROM {} WHERE id = ?1", ent.name);
    let v: rusqlite::types::Value = tx.prepare_cached(&sql)?.query_row([id], |r| r.get(0))?;
    let kind = ent.field(field).map(|f| f.kind);
    Ok(sql_to_json(v, kind))
}

/// Converts a stored SQL value back to the JSON form used in the change log.
pub(crate) fn sql_to_json(v: rusqlite::types::Value, kind: Option<FieldKind>) -> Value {
    use rusqlite::types::Value as V;
    match (v, kind) {
        (V::Null, _) => Value::Null,
        (V::Integer(i), Some(FieldKind::Bool) | None) => Value::Bool(i != 0),
        (V::Integer(i), _) => Value::from(i),
        (V::Real(f), _) => Value::from(f),
        (V::Text(s), _) => Value::String(s),
        (V::Blob(_), _) => Value::Null,
    }
}

/// Converts a change-log JSON value to what the column stores.
pub(crate) fn json_to_sql(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Bool(b) => V::Integer(i64::from(*b)),
        Value::Number(n) => n.as_i64().map(V::Integer).unwrap_or(V::Null),
        Value::String(s) => V::Text(s.clone()),
        Value::Array(_) | Value::Object(_) => V::Null,
    }
}

pub(crate) fn materialise_insert(
    conn: &rusqlite::Connection,
    ent: &Entity,
    id: &str,
    obj: &Map<String, Value>,
) -> Result<()> {
    let cols: Vec<&str> = obj.keys().map(String::as_str).collect();
    let marks: Vec<String> = (2..=cols.len() + 1).map(|i| format!("?{i}")).collect();
    let sql = if cols.is_empty() {
        format!("INSERT INTO {} (id) VALUES (?1)", ent.name)
    } else {
        format!("INSERT INTO {} (id, {}) VALUES (?1, {})", ent.name, cols.join(", "), marks.join(", "))
    };
    let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(cols.len() + 1);
    values.push(rusqlite::types::Value::Text(id.to_owned()));
    values.extend(obj.values().map(json_to_sql));
    conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
    Ok(())
}

pub(crate) fn materialise_field(
    conn: &rusqlite::Connection,
    ent: &Entity,
    id: &str,
    field: &str,
    value: &Value,
) -> Result<()> {
    let sql = format!("UPDATE {} SET {field} = ?2 WHERE id = ?1", ent.name);
    conn.prepare_cached(&sql)?.execute(params![id, json_to_sql(value)])?;
    Ok(())
}

fn invalid(ent: &Entity, field: &Field, problem: impl Into<String>) -> StoreError {
    StoreError::InvalidValue { entity: ent.name.to_owned(), field: field.name.to_owned(), problem: problem.into() }
}

/// Checks a value against its field; the message says what would be valid.
pub(crate) fn check_value(ent: &Entity, field: &Field, value: &Value) -> Result<()> {
    if value.is_null() {
        return Ok(());
    }
    match field.kind {
        FieldKind::Text(max) => {
            let s = value.as_str().ok_or_else(|| invalid(ent, field, "must be text"))?;
            if s.chars().count() > max {
                return Err(invalid(ent, field, format!("is too long: at most {max} characters")));
            }
            if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                return Err(invalid(ent, field, "contains control characters: remove them"));
            }
        }
        FieldKind::Int(lo, hi) => match value.as_i64() {
            Some(i) if (lo..=hi).contains(&i) => {}
            _ => {
                return Err(invalid(ent, field, format!("must be a whole number from {lo} to {hi}")));
            }
        },
        FieldKind::Bool => {
            if !value.is_boolean() {
                return Err(invalid(ent, field, "must be yes or no"));
            }
        }
        FieldKind::Date => {
            let ok = value.as_str().is_some_and(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok());
            if !ok {
                return Err(invalid(ent, field, "must be a date written YYYY-MM-DD"));
            }
        }
        FieldKind::DateTime => {
            let ok = value.as_str().is_some_and(|s| {
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").is_ok()
                    || chrono::DateTime::parse_from_rfc3339(s).is_ok()
            });
            if !ok {
                return Err(invalid(ent, field, "must be a time written YYYY-MM-DDTHH:MM"));
            }
        }
        FieldKind::Enum(codes) => {
            let ok = value.as_str().is_some_and(|s| codes.contains(&s));
            if !ok {
                return Err(invalid(ent, field, format!("must be one of: {}", codes.join(", "))));
            }
        }
        FieldKind::Ref(_) => {
            if value.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok()).is_none() {
                return Err(invalid(ent, field, "must be a row id"));
            }
        }
    }
    Ok(())
}

/// Checks that a reference points at an existing row.
fn check_reference(conn: &rusqlite::Connection, ent: &Entity, field: &Field, value: &Value) -> Result<()> {
    let (FieldKind::Ref(table), Some(id)) = (field.kind, value.as_str()) else {
        return Ok(());
    };
    let sql = format!("SELECT 1 FROM {table} WHERE id = ?1");
    if conn.prepare_cached(&sql)?.query_row([id], |_| Ok(())).optional()?.is_none() {
        return Err(invalid(ent, field, format!("refers to a {table} that does not exist")));
    }
    Ok(())
}

/// Turns SQLite's refusal of an insert into a message naming the row or field at fault.
fn explain_insert_failure(
    conn: &rusqlite::Connection,
    ent: &'static Entity,
    id: &str,
    obj: &Map<String, Value>,
    err: StoreError,
) -> StoreError {
    let exists = row_exists(conn, ent, id);
    if matches!(exists, Ok(Some(_))) {
        return StoreError::RowExists { entity: ent.name.to_owned(), id: id.to_owned() };
    }
    for (name, value) in obj {
        if let Some(field) = ent.field(name)
            && let Err(e) = check_reference(conn, ent, field, value)
        {
            return e;
        }
    }
    err
}
