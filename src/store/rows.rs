//! Reads a form needs: one row's fields as change-log values, the child rows of a
//! one-to-many field, and the inverse of a change set for undo.

use rusqlite::{OptionalExtension, params};
use serde_json::{Map, Value};

use super::Store;
use super::entities;
use super::error::{Result, StoreError};
use super::write::{ChangeSet, DELETED, Op, sql_to_json};

/// A row of a picker: the stored value and what the user sees.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The id or code stored.
    pub value: String,
    /// The label shown.
    pub label: String,
}

/// A saved, unfinished form (replica-local, never synced).
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Draft id.
    pub id: String,
    /// Which form.
    pub form: String,
    /// The row being edited, if any.
    pub target_id: Option<String>,
    /// The form's state as JSON.
    pub payload: String,
    /// When it was last saved.
    pub updated_at: String,
}

impl Store {
    /// The fields of a row, as the change log holds them; `None` when there is no such row.
    pub fn row_values(&self, entity: &str, id: &str) -> Result<Option<Map<String, Value>>> {
        let ent = entities::entity(entity).ok_or_else(|| StoreError::UnknownEntity(entity.to_owned()))?;
        let columns: Vec<&str> = ent.fields.iter().map(|f| f.name).chain([DELETED]).collect();
        let sql = format!("SELECT {} FROM {} WHERE id = ?1", columns.join(", "), ent.name);
        self.conn()
            .prepare_cached(&sql)?
            .query_row([id], |r| {
                let mut map = Map::new();
                for (i, name) in columns.iter().enumerate() {
                    let kind = ent.field(name).map(|f| f.kind);
                    map.insert((*name).to_owned(), sql_to_json(r.get(i)?, kind));
                }
                Ok(map)
            })
            .optional()
            .map_err(Into::into)
    }

    /// Live child rows of `parent_id` in `table`: (child row id, value of `value_field`).
    pub fn child_values(
        &self,
        table: &str,
        parent_field: &str,
        parent_id: &str,
        value_field: &str,
    ) -> Result<Vec<(String, String)>> {
        let ent = entities::entity(table).ok_or_else(|| StoreError::UnknownEntity(table.to_owned()))?;
        if ent.field(parent_field).is_none() || ent.field(value_field).is_none() {
            return Err(StoreError::UnknownEntity(format!("{table}.{parent_field}/{value_field}")));
        }
        let sql = format!(
            "SELECT id, {value_field} FROM {table} WHERE {parent_field} = ?1 AND deleted = 0 AND {value_field} IS NOT NULL
             ORDER BY id"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([parent_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Another live client with this identity number, if any (a form refuses a second one).
    pub fn client_with_id_number(&self, digits: &str, except: Option<&str>) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT id FROM client WHERE id_number = ?1 AND deleted = 0 AND id IS NOT ?2 LIMIT 1")?
            .query_row(params![digits, except], |r| r.get(0))
            .optional()?)
    }

    /// Drafts of forms editing this row (an older draft is stale once the row is saved).
    pub fn delete_drafts_for(&mut self, target_id: &str) -> Result<()> {
        self.conn().execute("DELETE FROM draft WHERE target_id = ?1", [target_id])?;
        Ok(())
    }

    /// Every contact with the name of their organisation, for pickers.
    pub fn contact_choices(&self) -> Result<Vec<Choice>> {
        self.choices(
            "SELECT c.id, c.name || ifnull(' · ' || o.name, '') FROM contact c
             LEFT JOIN organisation o ON o.id = c.org_id WHERE c.deleted = 0 ORDER BY c.name, c.id",
            None,
        )
    }

    /// A client's needs (life-area code and status), for pickers; the caller labels the codes.
    pub fn need_choices(&self, client_id: &str) -> Result<Vec<Choice>> {
        self.choices("SELECT id, area FROM need WHERE client_id = ?1 AND deleted = 0 ORDER BY id", Some(client_id))
    }

    /// A client's plans (kind code and creation date), for pickers.
    pub fn plan_choices(&self, client_id: &str) -> Result<Vec<Choice>> {
        self.choices(
            "SELECT id, kind || ifnull(' ' || created_on, '') FROM plan WHERE client_id = ?1 AND deleted = 0 ORDER BY id",
            Some(client_id),
        )
    }

    fn choices(&self, sql: &str, arg: Option<&str>) -> Result<Vec<Choice>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let map = |r: &rusqlite::Row<'_>| Ok(Choice { value: r.get(0)?, label: r.get(1)? });
        let rows = match arg {
            Some(a) => stmt.query_map([a], map)?.collect::<rusqlite::Result<Vec<_>>>()?,
            None => stmt.query_map([], map)?.collect::<rusqlite::Result<Vec<_>>>()?,
        };
        Ok(rows)
    }

    /// The change set that takes the store back to how it is now, were `changes` applied:
    /// an insert is undone by a tombstone, an edit by the old values, a delete by a restore.
    /// Computed before applying; undo applies it as a new change, so it syncs like any other.
    pub fn inverse(&self, changes: &ChangeSet) -> Result<ChangeSet> {
        let mut inv = ChangeSet::new();
        for op in changes.ops().iter().rev() {
            match op {
                Op::Insert { entity, id, .. } => inv.delete(entity, id),
                Op::Update { entity, id, fields } => {
                    let old = self.row_values(entity, id)?.unwrap_or_default();
                    let mut row = inv.update(entity, id);
                    for (name, _) in fields {
                        row = row.set(name, old.get(name).cloned().unwrap_or(Value::Null));
                    }
                }
                Op::Resolve { entity, id, field, .. } => {
                    let old = self.row_values(entity, id)?.unwrap_or_default();
                    inv.update(entity, id).set(field, old.get(field).cloned().unwrap_or(Value::Null));
                }
                Op::SetDeleted { entity, id, deleted } => {
                    if *deleted {
                        inv.restore(entity, id)
                    } else {
                        inv.delete(entity, id)
                    }
                }
            }
        }
        Ok(inv)
    }

    /// Saves or replaces a draft. Drafts are this machine's own state, like the replica
    /// id: they live in the encrypted store but never in the change log or a bundle.
    pub fn save_draft(&mut self, id: &str, form: &str, target_id: Option<&str>, payload: &str) -> Result<()> {
        let now = chrono::Local::now().format("%Y-%m-%dT%H:%M:%S").to_string();
        self.conn().execute(
            "INSERT INTO draft (id, form, target_id, payload, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(id) DO UPDATE SET form = ?2, target_id = ?3, payload = ?4, updated_at = ?5",
            params![id, form, target_id, payload, now],
        )?;
        Ok(())
    }

    /// Drafts left by earlier sessions, newest first.
    pub fn drafts(&self) -> Result<Vec<Draft>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, form, target_id, payload, updated_at FROM draft ORDER BY updated_at DESC, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Draft {
                id: r.get(0)?,
                form: r.get(1)?,
                target_id: r.get(2)?,
                payload: r.get(3)?,
                updated_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A secret of this replica, made from `len` random bytes on first use. Like drafts it
    /// is local state: it lives in the encrypted store and never leaves it.
    pub fn local_secret(&mut self, name: &str, len: usize) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let found: Option<Vec<u8>> =
            self.conn().query_row("SELECT value FROM local_secret WHERE name = ?1", [name], |r| r.get(0)).optional()?;
        if let Some(bytes) = found {
            return Ok(zeroize::Zeroizing::new(bytes));
        }
        let mut bytes = zeroize::Zeroizing::new(vec![0u8; len]);
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::Migration(format!("no random numbers from the system: {e}")))?;
        let now = chrono::Utc::now().to_rfc3339();
        self.conn().execute(
            "INSERT INTO local_secret (name, value, created_at) VALUES (?1, ?2, ?3)",
            params![name, bytes.as_slice(), now],
        )?;
        Ok(bytes)
    }

    /// Removes a draft (saved or discarded).
    pub fn delete_draft(&mut self, id: &str) -> Result<()> {
        self.conn().execute("DELETE FROM draft WHERE id = ?1", [id])?;
        Ok(())
    }
}
