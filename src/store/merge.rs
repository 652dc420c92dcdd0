//! The store side of sync: reading the change log for export, applying foreign changes by
//! last-writer-wins in one transaction, the replica's knowledge, and the content fingerprint.
//! Import materialises through the same functions as the write path (src/store/write.rs).

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::entities::{ENTITIES, Entity, FieldKind};
use super::error::{Result, StoreError};
use super::row_filter::RowFilter;
use super::write::{DELETED, INSERT, apply_in, check_value, field_of, json_to_sql, lookup, new_id, row_exists};
use super::{ChangeSet, Store, audit};
use crate::domain::enums::AuditAction;
use crate::i18n::audit_detail;
use crate::sync::{Change, ChangeRef, Header, SyncError, VersionVector, wins};

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Replica that wrote the bundle.
    pub source: String,
    /// Changes this store did not have, now added to its log.
    pub new: u64,
    /// Changes it had already (from this bundle before, or by another path).
    pub known: u64,
    /// Rows whose materialised values changed or were created.
    pub rows_touched: u64,
    /// Conflicts this import opened.
    pub conflicts_opened: u64,
    /// Conflicts this import closed (a resolution arrived).
    pub conflicts_closed: u64,
    /// Conflicts open after the import.
    pub conflicts_open: u64,
    /// The bundle assumed this store held changes it does not hold (a restored backup?):
    /// its changes were applied, but this store's knowledge was not raised.
    pub gap: bool,
}

/// Whom a row belongs to, for partner exports and the conflict list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// The organisation directory: belongs to no client, shared with every partner.
    Directory,
    /// Data about this client.
    Client(String),
    /// Neither (an audit entry or meeting without a client): never shared with a partner.
    Nobody,
}

impl Store {
    /// This store's knowledge: per origin replica, the clock value up to which it holds every
    /// change (its own replica: its newest change).
    pub fn version_vector(&self) -> Result<VersionVector> {
        version_vector(self.conn(), self.replica_id())
    }

    /// What `peer` said it held in the last bundle it sent here, if it ever sent one.
    pub fn peer_knowledge(&self, peer: &str) -> Result<Option<VersionVector>> {
        let mut stmt = self.conn().prepare("SELECT replica, hlc FROM sync_peer WHERE peer = ?1")?;
        let rows = stmt.query_map([peer], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
        let vv = VersionVector(rows.collect::<rusqlite::Result<_>>()?);
        Ok(if vv.0.is_empty() { None } else { Some(vv) })
    }

    /// Streams the change log in merge order (hlc, then replica), skipping what `since`
    /// covers and rows `keep` refuses, to `out`, stopping after `limit`. Values are handed on
    /// as stored (JSON text, checked to be well-formed but not parsed into a tree). Returns
    /// the number of changes passed on.
    pub fn for_each_change(
        &self,
        since: &VersionVector,
        limit: u64,
        keep: &mut dyn FnMut(&rusqlite::Connection, &str, &str) -> Result<bool>,
        out: &mut dyn FnMut(&ChangeRef<'_>) -> std::result::Result<(), SyncError>,
    ) -> std::result::Result<u64, SyncError> {
        let conn = self.conn();
        let has_links: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM change_supersedes)", [], |r| r.get(0))?;
        // The extra "has seen" links of a change come with it, in id order (the primary key's
        // order), joined by commas (change ids are UUIDs: no commas in them).
        let links = if has_links {
            "(SELECT group_concat(superseded, ',') FROM
                (SELECT superseded FROM change_supersedes x WHERE x.change_id = c.change_id ORDER BY 1))"
        } else {
            "NULL"
        };
        let mut stmt = conn.prepare(&format!(
            "SELECT change_id, entity, row_id, field, value, hlc, replica, author, supersedes, {links}
             FROM change_log c ORDER BY hlc, replica"
        ))?;
        let mut rows = stmt.query([])?;
        let mut n = 0;
        while n < limit
            && let Some(r) = rows.next()?
        {
            let hlc = r.get::<_, i64>(5)? as u64;
            let replica = text(r, 6)?;
            if since.covers(replica, hlc) {
                continue;
            }
            let entity = text(r, 1)?;
            let row = text(r, 2)?;
            if !keep(conn, entity, row)? {
                continue;
            }
            let id = text(r, 0)?;
            let value = text(r, 4)?;
            if serde_json::from_str::<serde::de::IgnoredAny>(value).is_err() {
                return Err(
                    StoreError::Migration(format!("change {id} in the log is unreadable: run `sluss check`")).into()
                );
            }
            out(&ChangeRef {
                id,
                entity,
                row,
                field: text(r, 3)?,
                value,
                hlc,
                replica,
                author: text(r, 7)?,
                supersedes: opt_text(r, 8)?,
                also_supersedes: opt_text(r, 9)?,
            })?;
            n += 1;
        }
        Ok(n)
    }

    /// How many changes the log holds, counting at most `cap`: counting all of a large log
    /// reads a whole index (about a second at 4 million changes), and a bundle cut at a
    /// limit only needs to know whether there are more.
    pub fn count_changes_up_to(&self, cap: u64) -> Result<u64> {
        let cap = cap.min(i64::MAX as u64) as i64;
        let n: i64 =
            self.conn().query_row("SELECT count(*) FROM (SELECT 1 FROM change_log LIMIT ?1)", [cap], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// The number of changes [`Store::for_each_change`] passes on for `since` when it keeps
    /// every row, counted from the log's indexes without reading a change.
    pub fn count_changes(&self, since: &VersionVector) -> Result<u64> {
        let conn = self.conn();
        let mut n: i64 = conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?;
        let mut covered = conn.prepare("SELECT count(*) FROM change_log WHERE replica = ?1 AND hlc <= ?2")?;
        for (replica, &hlc) in &since.0 {
            let hlc = hlc.min(i64::MAX as u64) as i64;
            n -= covered.query_row(params![replica, hlc], |r| r.get::<_, i64>(0))?;
        }
        Ok(n as u64)
    }

    /// Applies foreign changes in one transaction: each new change is added to the log and
    /// materialised if it wins last-writer-wins for its field; conflicts are recomputed for
    /// every field touched; the clock moves past every change seen; the source's knowledge
    /// is recorded; an audit entry is written. Any error (including one from `next`, such as
    /// a checksum that does not match at the end) leaves the store as it was.
    pub fn import_changes(
        &mut self,
        header: &Header,
        next: &mut dyn FnMut() -> std::result::Result<Option<CheckedChange>, SyncError>,
    ) -> std::result::Result<ImportReport, SyncError> {
        self.import_in_batches(header, next, PENDING_BYTES, header.count >= ROLLBACK_JOURNAL_FROM)
    }

    /// [`Store::import_changes`], writing the tables whenever the pending values pass `batch`
    /// bytes (tests use tiny batches to write every row many times), with a rollback
    /// journal if `rollback_journal` and no other connection has the store open.
    ///
    /// A large import's transaction runs with a rollback journal when no other connection
    /// has the store open. In WAL mode every page of it is written twice (to the WAL, then
    /// into the file), and each page read searches a WAL index that grows with the import:
    /// a first sync of 4 million changes spent a quarter of its time there. A rollback
    /// journal keeps the commit atomic and, with the directory synced, durable; but while
    /// the import writes, a process that opens the store waits and then gives up, where
    /// with the WAL it could read. Small imports, the everyday exchange, keep the WAL.
    fn import_in_batches(
        &mut self,
        header: &Header,
        next: &mut dyn FnMut() -> std::result::Result<Option<CheckedChange>, SyncError>,
        batch: usize,
        rollback_journal: bool,
    ) -> std::result::Result<ImportReport, SyncError> {
        let left_wal = rollback_journal && super::journal::leave_wal(&self.conn)?;
        let report = self.import_in_one_transaction(header, next, batch);
        if left_wal {
            super::journal::back_to_wal(&self.conn);
        }
        report
    }

    fn import_in_one_transaction(
        &mut self,
        header: &Header,
        next: &mut dyn FnMut() -> std::result::Result<Option<CheckedChange>, SyncError>,
        batch: usize,
    ) -> std::result::Result<ImportReport, SyncError> {
        let replica = self.replica_id.clone();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(StoreError::from)?;
        // Rows may arrive before the rows they refer to (a relay delivers changes of several
        // origins); references are checked once, at commit.
        tx.execute_batch("PRAGMA defer_foreign_keys = ON").map_err(StoreError::from)?;
        let mut report = ImportReport { source: header.source.clone(), ..ImportReport::default() };
        let before = version_vector(&tx, &replica)?;
        report.gap = !header.since.le(&before);
        let mut max_hlc = 0u64;
        // Once a client is purged anywhere, no change for its rows may bring data back.
        let mut purges = super::purge::any_purged(&tx)?;
        let conflicts_before = conflict_keys(&tx)?;
        let mut pending = Pending::new(&tx, header.count)?;
        {
            let mut st = ImportStatements::new(&tx)?;
            while let Some(checked) = next()? {
                let c = &checked.change;
                if purges && super::purge::skips_change(&tx, &c.entity, &c.row, &c.field, &|f| checked.text(f))? {
                    report.known += 1;
                    continue;
                }
                if !append_change(&mut st, checked.ent, c, &checked.value_json).map_err(|e| clock_clash(e, c))? {
                    report.known += 1;
                    continue;
                }
                report.new += 1;
                max_hlc = max_hlc.max(c.hlc);
                let purged_client = (c.entity == super::purge::ENTITY && c.field == INSERT)
                    .then(|| checked.text("client_id").map(str::to_owned))
                    .flatten();
                pending.add(checked);
                if let Some(client) = purged_client {
                    // The purge finds the client's rows in the tables: they must be written first.
                    pending.flush(&tx, &mut st)?;
                    super::purge::apply_purge(&tx, &client)?;
                    pending.base_seq = max_seq(&tx)?;
                    purges = true;
                } else if pending.bytes > batch {
                    pending.flush(&tx, &mut st)?;
                }
            }
            pending.flush(&tx, &mut st)?;
        }
        if report.new + report.known != header.count {
            return Err(SyncError::Damaged("it ended before its last change".to_owned()));
        }
        report.rows_touched = pending.touched;
        // Counted from the table, not per batch: a conflict a batch opened and a later one
        // closed was never open as far as the user is concerned.
        let conflicts_after = conflict_keys(&tx)?;
        report.conflicts_opened = conflicts_after.difference(&conflicts_before).count() as u64;
        report.conflicts_closed = conflicts_before.difference(&conflicts_after).count() as u64;
        report.conflicts_open = conflicts_after.len() as u64;
        drop((conflicts_before, conflicts_after));
        tx.execute("UPDATE replica SET hlc = max(hlc, ?1)", [max_hlc as i64]).map_err(StoreError::from)?;
        if !header.partial && !report.gap {
            raise(
                &tx,
                "INSERT INTO sync_knowledge (replica, hlc) VALUES (?1, ?2)
                 ON CONFLICT(replica) DO UPDATE SET hlc = max(hlc, excluded.hlc)",
                None,
                &header.knowledge,
            )?;
        }
        raise(
            &tx,
            "INSERT INTO sync_peer (peer, replica, hlc) VALUES (?3, ?1, ?2)
             ON CONFLICT(peer, replica) DO UPDATE SET hlc = max(hlc, excluded.hlc)",
            Some(&header.source),
            &header.knowledge,
        )?;
        let user = audit::current_user();
        let mut cs = ChangeSet::new();
        cs.insert("audit_log")
            .set("at", chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .set("actor", user.clone())
            .set("replica", replica.clone())
            .set("action", AuditAction::Import.code())
            .set(
                "detail",
                if header.partial { audit_detail::IMPORT_PARTIAL } else { audit_detail::IMPORT }.fill(&[
                    &header.source,
                    &report.new,
                    &report.known,
                    &report.rows_touched,
                    &report.conflicts_opened,
                ]),
            );
        apply_in(&tx, &replica, &user, &cs)?;
        tx.commit().map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation) => SyncError::BadChange(
                "it refers to rows neither it nor this store holds; ask the sender for an export with --all".to_owned(),
            ),
            _ => StoreError::from(e).into(),
        })?;
        Ok(report)
    }

    /// A SHA-256 over every synced table's materialised content (rows in id order, every
    /// column but generated ones), not over replica-local state or the change log: two
    /// stores have the same fingerprint exactly when they hold the same data.
    ///
    /// The audit log is left out: every export and import writes an audit entry on the
    /// replica that does it, so two replicas that just exchanged always differ there.
    pub fn fingerprint(&self) -> Result<String> {
        let mut hash = Sha256::new();
        for ent in ENTITIES.iter().filter(|e| e.name != "audit_log") {
            hash_table(self.conn(), ent, &mut hash)?;
        }
        Ok(crate::sync::bundle::hex(&hash.finalize()))
    }

    /// Whom a row belongs to.
    pub fn owner(&self, entity: &str, row_id: &str) -> Result<Owner> {
        owner(self.conn(), entity, row_id)
    }

    /// Clients with a consent in force on `today` whose scope names `org_id`.
    pub fn clients_consenting_to(&self, org_id: &str, today: chrono::NaiveDate) -> Result<HashSet<String>> {
        let mut stmt = self.conn().prepare(
            "SELECT c.client_id, c.id, c.given_on, c.expires_on, c.revoked_on
             FROM consent c JOIN client k ON k.id = c.client_id
             WHERE c.deleted = 0 AND k.deleted = 0 AND EXISTS (
                 SELECT 1 FROM consent_scope s WHERE s.consent_id = c.id AND s.org_id = ?1 AND s.deleted = 0)",
        )?;
        let date = |s: Option<String>| s.and_then(|d| chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
        let rows = stmt.query_map([org_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?;
        let mut out = HashSet::new();
        for row in rows {
            let (client, id, given, expires, revoked) = row?;
            let consent = crate::domain::model::Consent {
                id,
                given_on: date(given),
                form: crate::domain::enums::ConsentForm::ALL[0],
                documented_in_vsp: false,
                programme_description_given: false,
                right_to_withdraw_explained: false,
                expires_on: date(expires),
                revoked_on: date(revoked),
                scope_org_ids: vec![org_id.to_owned()],
            };
            if crate::domain::rules::consent_in_force(&consent, today) {
                out.insert(client);
            }
        }
        Ok(out)
    }
}

/// A text column, borrowed.
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?
        .as_str()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

/// A text column that may be NULL, borrowed.
fn opt_text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'r str>> {
    r.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

/// Knowledge as recorded, with this replica's own newest change.
fn version_vector(conn: &rusqlite::Connection, me: &str) -> Result<VersionVector> {
    let mut stmt = conn.prepare_cached("SELECT replica, hlc FROM sync_knowledge")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?;
    let mut vv = VersionVector(rows.collect::<rusqlite::Result<_>>()?);
    // Newest first through the merge-order index: found at once after a local write.
    let own: Option<i64> = conn
        .query_row("SELECT hlc FROM change_log WHERE replica = ?1 ORDER BY hlc DESC LIMIT 1", [me], |r| r.get(0))
        .optional()?;
    if let Some(h) = own {
        vv.merge_max(&VersionVector([(me.to_owned(), h as u64)].into_iter().collect()));
    }
    Ok(vv)
}

fn raise(tx: &rusqlite::Connection, sql: &str, peer: Option<&str>, vv: &VersionVector) -> Result<()> {
    let mut stmt = tx.prepare(sql)?;
    for (r, &h) in &vv.0 {
        match peer {
            Some(p) => stmt.execute(params![r, h as i64, p])?,
            None => stmt.execute(params![r, h as i64])?,
        };
    }
    Ok(())
}

/// A foreign change checked against the entity registry, with its value as the log stores
/// it and as the tables take it. Import takes only these, so it cannot skip the check; making
/// them is a good part of the work per change besides the store's own, which `sluss import`
/// does on its reading thread.
#[derive(Debug)]
pub struct CheckedChange {
    /// The change, its value moved into `fields`.
    change: Change,
    ent: &'static Entity,
    value_json: String,
    /// The columns it sets (every field an insert gives, or the one it changes).
    fields: Vec<(&'static str, rusqlite::types::Value)>,
}

impl CheckedChange {
    /// Checks a foreign change against the entity registry, as the write path checks a
    /// local one, renders its value as the log stores it and resolves the columns it sets.
    pub fn new(change: Change) -> std::result::Result<Self, SyncError> {
        Self::check(change).map_err(|e| SyncError::BadChange(e.to_string()))
    }

    fn check(mut change: Change) -> Result<Self> {
        let ent = check_origin(&change)?;
        let bad = |field: &str, problem: &str| StoreError::InvalidValue {
            entity: ent.name.to_owned(),
            field: field.to_owned(),
            problem: problem.to_owned(),
        };
        let value_json = change.value.to_string();
        let fields = match (change.field.as_str(), std::mem::take(&mut change.value)) {
            (INSERT, Value::Object(obj)) => obj
                .into_iter()
                .map(|(name, value)| {
                    let field = field_of(ent, &name)?;
                    check_value(ent, field, &value)?;
                    Ok((field.name, json_into_sql(value)))
                })
                .collect::<Result<_>>()?,
            (INSERT, _) => return Err(bad(INSERT, "an insert must hold an object of fields")),
            (DELETED, value) if value.is_boolean() => vec![(DELETED, json_into_sql(value))],
            (DELETED, _) => return Err(bad(DELETED, "must be yes or no")),
            (_, _) if ent.append_only => return Err(StoreError::AppendOnly { entity: ent.name.to_owned() }),
            (name, value) => {
                let field = field_of(ent, name)?;
                if field.required && value.is_null() {
                    return Err(StoreError::MissingField { entity: ent.name.to_owned(), field: name.to_owned() });
                }
                check_value(ent, field, &value)?;
                vec![(field.name, json_into_sql(value))]
            }
        };
        Ok(CheckedChange { change, ent, value_json, fields })
    }

    /// The text a field is set to, if it sets it to a text.
    fn text(&self, field: &str) -> Option<&str> {
        self.fields.iter().find(|f| f.0 == field).and_then(|f| match &f.1 {
            rusqlite::types::Value::Text(t) => Some(t.as_str()),
            _ => None,
        })
    }
}

/// Checks what a foreign change says of itself (ids, clock, author) and finds its entity;
/// [`CheckedChange::new`] checks its value.
fn check_origin(c: &Change) -> Result<&'static Entity> {
    let bad = |field: &str, problem: &str| StoreError::InvalidValue {
        entity: c.entity.clone(),
        field: field.to_owned(),
        problem: problem.to_owned(),
    };
    let ent = lookup(&c.entity)?;
    for (what, id) in [("change id", &c.id), ("row id", &c.row), ("replica", &c.replica)] {
        if uuid::Uuid::parse_str(id).is_err() {
            return Err(bad(what, "must be a UUID"));
        }
    }
    if c.supersedes.iter().any(|s| uuid::Uuid::parse_str(s).is_err()) {
        return Err(bad("supersedes", "must list change ids"));
    }
    if c.hlc == 0 || c.hlc > i64::MAX as u64 {
        return Err(bad("hlc", "must be a positive clock value"));
    }
    if c.author.chars().count() > 200 || c.author.chars().any(char::is_control) {
        return Err(bad("author", "must be a short name"));
    }
    Ok(ent)
}

/// The statements import runs for every change, prepared once per import.
struct ImportStatements<'c> {
    /// Appends a change unless its id is in the log already.
    insert: rusqlite::CachedStatement<'c>,
    /// Adds an extra "has seen" link.
    link: rusqlite::CachedStatement<'c>,
    /// A row's changes logged before the pending ones: the field and clock of each (from
    /// the index alone), the origin and an insert's value only for those at or after a
    /// clock value (the only ones that can beat a pending change), and whether the import
    /// brought it.
    older: rusqlite::CachedStatement<'c>,
    /// Tables with triggers (the search indexes'), whose new rows are inserted several to a
    /// statement. Any other table takes them one by one: a statement of one row needs no
    /// statement journal, which copies every page the statement changes (16 KiB each).
    grouped: Vec<&'static str>,
}

impl<'c> ImportStatements<'c> {
    fn new(tx: &'c rusqlite::Connection) -> Result<Self> {
        Ok(ImportStatements {
            insert: tx.prepare_cached(
                "INSERT INTO change_log (change_id, entity, row_id, field, value, hlc, replica, author, supersedes)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(change_id) DO NOTHING",
            )?,
            link: tx
                .prepare_cached("INSERT OR IGNORE INTO change_supersedes (change_id, superseded) VALUES (?1, ?2)")?,
            grouped: {
                let mut stmt = tx.prepare("SELECT DISTINCT tbl_name FROM sqlite_schema WHERE type = 'trigger'")?;
                let tables: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
                ENTITIES.iter().map(|e| e.name).filter(|n| tables.iter().any(|t| t == n)).collect()
            },
            older: tx.prepare_cached(
                "SELECT field, hlc, CASE WHEN hlc >= ?4 THEN replica END,
                        CASE WHEN hlc >= ?4 AND field = '*' THEN value END, seq > ?5
                 FROM change_log WHERE entity = ?1 AND row_id = ?2 AND seq <= ?3",
            )?,
        })
    }
}

/// A change whose id is new but whose origin and clock another change has: no replica
/// writes two changes at one clock, so the bundle is broken or forged. Said as a refusal of
/// the bundle, not as a database error.
fn clock_clash(e: StoreError, c: &Change) -> SyncError {
    match &e {
        StoreError::Sqlite(err) if err.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            SyncError::BadChange(format!(
                "change {} has the origin replica and clock of another change; ask the sender to export again",
                c.id
            ))
        }
        _ => e.into(),
    }
}

/// Adds one foreign change to the log; whether it was new (false: the log held it already).
fn append_change(st: &mut ImportStatements<'_>, ent: &'static Entity, c: &Change, value_json: &str) -> Result<bool> {
    let added = st.insert.execute(params![
        c.id,
        ent.name,
        c.row,
        c.field,
        value_json,
        c.hlc as i64,
        c.replica,
        c.author,
        c.supersedes.first()
    ])?;
    if added == 0 {
        return Ok(false);
    }
    for seen in c.supersedes.iter().skip(1) {
        st.link.execute(params![c.id, seen])?;
    }
    Ok(true)
}

/// Imports of at least this many changes (a first sync, a long-separated machine) run with
/// a rollback journal (see `Store::import_in_batches`): from here on they take seconds, and
/// the journal saves a tenth to a fifth of them (200 000 changes, paired bench runs) and
/// far more at millions. The everyday exchange, smaller, keeps the WAL, so a process
/// opening the store meanwhile never waits.
const ROLLBACK_JOURNAL_FROM: u64 = 100_000;

/// How much of the pending values import keeps in memory before writing them to the tables
/// (bytes, roughly). Larger batches write a row changed many times once instead of once
/// per batch; the cost is memory beside the page cache.
const PENDING_BYTES: usize = 16 << 20;

/// A change's position in merge order (clock, origin replica).
type Order = (u64, std::rc::Rc<str>);

/// The newest value a pending batch holds for one field of a row.
struct Slot {
    field: &'static str,
    order: Order,
    value: rusqlite::types::Value,
    /// Field changes (not inserts) of this field in the batch; when there are any, the
    /// flush adds those the log held before, for the conflict check.
    changes: u32,
    /// A change already in the log is later in merge order: the table holds its value.
    covered: bool,
}

/// What a pending batch holds for one row: the newest value of each field it sets.
struct PendingRow {
    ent: &'static Entity,
    rank: usize,
    /// The smallest clock among the batch's changes to the row: an older change below it
    /// cannot beat any of them.
    min_hlc: u64,
    inserted: bool,
    slots: Vec<Slot>,
}

impl PendingRow {
    fn set(&mut self, field: &'static str, order: &Order, value: rusqlite::types::Value, change: bool) -> usize {
        let changes = u32::from(change);
        match self.slots.iter_mut().find(|s| s.field == field) {
            Some(slot) => {
                slot.changes += changes;
                if wins((order.0, &order.1), (slot.order.0, &slot.order.1)) {
                    slot.order = order.clone();
                    slot.value = value;
                }
                0
            }
            None => {
                let size = sql_size(&value) + std::mem::size_of::<Slot>();
                self.slots.push(Slot { field, order: order.clone(), value, changes, covered: false });
                size
            }
        }
    }
}

fn sql_size(v: &rusqlite::types::Value) -> usize {
    match v {
        rusqlite::types::Value::Text(s) => s.len(),
        rusqlite::types::Value::Blob(b) => b.len(),
        _ => 0,
    }
}

/// New changes already in the log but not yet in the tables, folded per row and field by
/// last-writer-wins. Materialising per row, in row order, writes each row once per batch
/// however many of its changes the batch holds, and a new row with one insert instead of
/// an insert and an update per later change; the tables' b-trees are written in key order.
///
/// Nothing but counters outlives a batch, so an import of millions of changes (a new
/// machine's first sync) needs no more memory than one of a thousand.
struct Pending {
    /// Changes in the log at or below this `seq` were there before the import.
    start_seq: i64,
    /// Changes in the log at or below this `seq` were there before the batch.
    base_seq: i64,
    rows: HashMap<(&'static str, Box<str>), PendingRow>,
    /// When the log was empty before the import: the rows earlier batches wrote, the only
    /// ones the log can hold anything of.
    written: Option<RowFilter>,
    replicas: HashSet<std::rc::Rc<str>>,
    bytes: usize,
    /// Rows whose materialised values were written, each counted in the batch that first
    /// brought changes of it (a row whose first changes all lost to newer ones already in
    /// the log, and that a later batch then wrote, is not counted).
    touched: u64,
}

impl Pending {
    /// Pending values for an import of `changes` changes.
    fn new(tx: &rusqlite::Connection, changes: u64) -> Result<Self> {
        let start_seq = max_seq(tx)?;
        Ok(Pending {
            start_seq,
            base_seq: start_seq,
            rows: HashMap::new(),
            written: (start_seq == 0).then(|| RowFilter::new(changes)),
            replicas: HashSet::new(),
            bytes: 0,
            touched: 0,
        })
    }

    /// Folds in a change just added to the log.
    fn add(&mut self, checked: CheckedChange) {
        let CheckedChange { change: c, ent, fields, .. } = checked;
        let replica = match self.replicas.get(c.replica.as_str()) {
            Some(r) => r.clone(),
            None => {
                let r: std::rc::Rc<str> = c.replica.as_str().into();
                self.replicas.insert(r.clone());
                r
            }
        };
        let order: Order = (c.hlc, replica);
        let key = (ent.name, c.row.into_boxed_str());
        let key_bytes = key.1.len() + 96;
        let row = self.rows.entry(key).or_insert_with(|| {
            self.bytes += key_bytes;
            PendingRow { ent, rank: rank(ent.name), min_hlc: c.hlc, inserted: false, slots: Vec::new() }
        });
        row.min_hlc = row.min_hlc.min(c.hlc);
        let insert = c.field == INSERT;
        row.inserted |= insert;
        row.slots.reserve(fields.len());
        for (field, value) in fields {
            // Only field changes can conflict; append-only entities never do (their only
            // field change is a tombstone).
            self.bytes += row.set(field, &order, value, !insert && !ent.append_only);
        }
    }

    /// Writes the batch to the tables, in row order, recomputes conflicts for the fields it
    /// changed, and starts a new one. A field changed again in a later batch is recomputed
    /// again then: the last batch leaves the state the whole log implies.
    fn flush(&mut self, tx: &rusqlite::Connection, st: &mut ImportStatements<'_>) -> Result<()> {
        // Parents before children (the registry's order), so a new parent row never has to
        // look for children waiting for it (a deferred foreign key scans the child table);
        // then by id, the tables' key order.
        let mut rows: Vec<_> = self.rows.drain().collect();
        rows.sort_unstable_by(|a, b| (a.1.rank, &a.0.1).cmp(&(b.1.rank, &b.0.1)));
        let mut new_rows = NewRows::default();
        // Fields whose current values may have changed, with the number of field changes the
        // log holds for each.
        let mut fields = Vec::new();
        for ((entity, row), mut p) in rows {
            if new_rows.entity.is_some_and(|e| e.name != entity) {
                new_rows.write(tx)?;
            }
            // Only a row an earlier batch wrote can have anything in a log that was empty.
            let logged = self.written.as_mut().is_none_or(|w| w.insert(entity, &row));
            let (older, seen_in_import) = if logged {
                fold_older(&mut st.older, &mut p, entity, &row, self.base_seq, self.start_seq)?
            } else {
                (false, false)
            };
            for slot in p.slots.iter().filter(|s| s.changes > 0) {
                fields.push((entity, row.clone(), slot.field, slot.changes));
            }
            let winning: Vec<(&'static str, rusqlite::types::Value)> =
                p.slots.into_iter().filter(|s| !s.covered).map(|s| (s.field, s.value)).collect();
            if winning.is_empty() && !p.inserted {
                continue;
            }
            // A new row of a table without triggers is inserted on its own (see `grouped`).
            if older || winning.is_empty() || !st.grouped.contains(&p.ent.name) {
                new_rows.make_way(tx, p.ent, &winning)?;
                write_row(tx, p.ent, &row, winning, older)?;
            } else {
                new_rows.add(tx, p.ent, &row, winning)?;
            }
            self.touched += u64::from(!seen_in_import);
        }
        new_rows.write(tx)?;
        let has_links: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM change_supersedes)", [], |r| r.get(0))?;
        for (entity, row, field, changes) in fields {
            refresh_conflict(tx, (entity, &row, field), changes, has_links)?;
        }
        // The emptied map keeps its room for the next batch, which would otherwise grow it
        // again by doubling, rehashing every row each time (a tenth of the pending work).
        // Its size is reached within every batch anyway, so the peak is no higher.
        self.bytes = 0;
        self.base_seq = max_seq(tx)?;
        Ok(())
    }
}

/// Reads what the log held of a row before the batch and marks the pending values it beats
/// (and counts the field changes it adds, for the conflict check). Returns whether the log
/// held anything of the row, and whether any of it came with this import.
fn fold_older(
    stmt: &mut rusqlite::CachedStatement<'_>,
    p: &mut PendingRow,
    entity: &str,
    row: &str,
    base_seq: i64,
    start_seq: i64,
) -> Result<(bool, bool)> {
    let (mut older, mut seen_in_import) = (false, false);
    let mut later = stmt.query(params![entity, row, base_seq, p.min_hlc as i64, start_seq])?;
    while let Some(r) = later.next()? {
        older = true;
        seen_in_import |= r.get::<_, bool>(4)?;
        let field = text(r, 0)?;
        let hlc = r.get::<_, i64>(1)? as u64;
        if field != INSERT
            && let Some(slot) = p.slots.iter_mut().find(|s| s.field == field)
            && slot.changes > 0
        {
            slot.changes += 1;
        }
        let Some(replica) = opt_text(r, 2)? else {
            continue;
        };
        let beats = |slot: &Slot| wins((hlc, replica), (slot.order.0, &slot.order.1));
        if field == INSERT {
            let raw = opt_text(r, 3)?.unwrap_or("{}");
            if let Ok(obj) = serde_json::from_str::<HashMap<String, serde::de::IgnoredAny>>(raw) {
                for slot in p.slots.iter_mut().filter(|s| obj.contains_key(s.field)) {
                    slot.covered |= beats(slot);
                }
            }
        } else if let Some(slot) = p.slots.iter_mut().find(|s| s.field == field) {
            slot.covered |= beats(slot);
        }
    }
    Ok((older, seen_in_import))
}

/// Rows of one entity with a search index that the log held no change of before the
/// batch: inserted several to a statement, grouped by the columns they set. FTS5 writes its
/// pending terms to disk at the end of every statement that touches it, so fewer
/// statements cost much less; their trigger needs a statement journal either way.
#[derive(Default)]
struct NewRows {
    entity: Option<&'static Entity>,
    groups: HashMap<Vec<&'static str>, RowGroup>,
}

/// Rows setting the same columns: their ids, and their values row after row (id first).
type RowGroup = (Vec<Box<str>>, Vec<rusqlite::types::Value>);

/// Rows per multi-row insert (and at most this many bound values, under SQLite's limit).
const ROWS_PER_INSERT: usize = 64;
const VALUES_PER_INSERT: usize = 4000;

impl NewRows {
    fn add(
        &mut self,
        tx: &rusqlite::Connection,
        ent: &'static Entity,
        row: &str,
        mut fields: Vec<(&'static str, rusqlite::types::Value)>,
    ) -> Result<()> {
        self.make_way(tx, ent, &fields)?;
        self.entity = Some(ent);
        fields.sort_unstable_by_key(|f| f.0);
        let cols: Vec<&'static str> = fields.iter().map(|f| f.0).collect();
        let (ids, values) = self.groups.entry(cols.clone()).or_default();
        ids.push(row.into());
        values.push(rusqlite::types::Value::Text(row.to_owned()));
        values.extend(fields.into_iter().map(|f| f.1));
        if ids.len() >= ROWS_PER_INSERT || values.len() >= VALUES_PER_INSERT {
            let (ids, values) = self.groups.remove(&cols).unwrap_or_default();
            insert_rows(tx, ent, &cols, &ids, values)?;
        }
        Ok(())
    }

    /// Writes the waiting rows first if a row of `ent` with these values refers to one of
    /// them (an intervention continuing another, a note correcting one). Written before its
    /// parent, it would leave SQLite counting a deferred violation until the parent comes,
    /// and while any is counted, every insert into a table others refer to searches those
    /// tables for rows waiting on it, by a full scan where the referring column has no
    /// index: a first sync of 4 million changes spent most of its time in such scans. Rows
    /// come in id order and ids grow with time, so a parent is normally already here.
    fn make_way(
        &mut self,
        tx: &rusqlite::Connection,
        ent: &Entity,
        fields: &[(&str, rusqlite::types::Value)],
    ) -> Result<()> {
        let waiting = self.entity.is_some_and(|e| e.name == ent.name)
            && fields.iter().any(|(name, value)| {
                let refers_to_own_table =
                    ent.field(name).is_some_and(|f| matches!(f.kind, FieldKind::Ref(t) if t == ent.name));
                matches!(value, rusqlite::types::Value::Text(id)
                    if refers_to_own_table && self.groups.values().any(|(ids, _)| ids.iter().any(|i| **i == **id)))
            });
        if waiting {
            self.write(tx)?;
        }
        Ok(())
    }

    fn write(&mut self, tx: &rusqlite::Connection) -> Result<()> {
        if let Some(ent) = self.entity.take() {
            for (cols, (ids, values)) in self.groups.drain() {
                insert_rows(tx, ent, &cols, &ids, values)?;
            }
        }
        Ok(())
    }
}

/// Inserts rows of one entity setting the same columns, in one statement. Should one of them
/// exist after all, the statement changes nothing and each row is written on its own.
fn insert_rows(
    tx: &rusqlite::Connection,
    ent: &Entity,
    cols: &[&str],
    ids: &[Box<str>],
    values: Vec<rusqlite::types::Value>,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let width = cols.len() + 1;
    let one = format!("({})", vec!["?"; width].join(", "));
    let sql = format!("INSERT INTO {} (id, {}) VALUES {}", ent.name, cols.join(", "), vec![one; ids.len()].join(", "));
    // A full batch's statement comes back for the next batch with the same columns; a
    // remainder's would only crowd the statement cache (a statement of many rows is large).
    let done = if ids.len() == ROWS_PER_INSERT {
        tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(&values))
    } else {
        tx.prepare(&sql)?.execute(rusqlite::params_from_iter(&values))
    };
    match done {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            let mut values = values.into_iter();
            for id in ids {
                let row: Vec<rusqlite::types::Value> = values.by_ref().take(width).skip(1).collect();
                write_row(tx, ent, id, cols.iter().copied().zip(row).collect(), false)?;
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// [`json_to_sql`] taking the value, so a text moves instead of being copied.
fn json_into_sql(v: Value) -> rusqlite::types::Value {
    match v {
        Value::String(s) => rusqlite::types::Value::Text(s),
        other => json_to_sql(&other),
    }
}

/// An entity's place in the registry, where every table comes after those it refers to.
fn rank(entity: &str) -> usize {
    ENTITIES.iter().position(|e| e.name == entity).unwrap_or(usize::MAX)
}

fn max_seq(tx: &rusqlite::Connection) -> Result<i64> {
    Ok(tx.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| r.get(0))?)
}

/// Sets fields of a row, creating it (other columns at their defaults) if it does not exist.
/// A row the log held no change of before the batch does not exist yet (every row is
/// written with its changes), so it is inserted without looking first; should it exist all
/// the same, its fields are updated.
fn write_row(
    tx: &rusqlite::Connection,
    ent: &Entity,
    row: &str,
    fields: Vec<(&str, rusqlite::types::Value)>,
    logged_before: bool,
) -> Result<()> {
    let cols: Vec<&str> = fields.iter().map(|f| f.0).collect();
    let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(fields.len() + 1);
    values.push(rusqlite::types::Value::Text(row.to_owned()));
    values.extend(fields.into_iter().map(|f| f.1));
    if cols.is_empty() {
        tx.prepare_cached(&format!("INSERT OR IGNORE INTO {} (id) VALUES (?1)", ent.name))?.execute([row])?;
        return Ok(());
    }
    let update = |values: &[rusqlite::types::Value]| -> Result<usize> {
        let sets: Vec<String> = cols.iter().enumerate().map(|(i, col)| format!("{col} = ?{}", i + 2)).collect();
        let sql = format!("UPDATE {} SET {} WHERE id = ?1", ent.name, sets.join(", "));
        Ok(tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?)
    };
    if logged_before && update(&values)? > 0 {
        return Ok(());
    }
    let marks: Vec<String> = (2..=cols.len() + 1).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO {} (id, {}) VALUES (?1, {})", ent.name, cols.join(", "), marks.join(", "));
    match tx.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(&values)) {
        Ok(_) => Ok(()),
        Err(e)
            if !logged_before
                && e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation)
                && row_exists(tx, ent, row)?.is_some() =>
        {
            update(&values).map(drop)
        }
        Err(e) => Err(e.into()),
    }
}

/// Recomputes whether a field holds concurrent values, given the number of field changes
/// the log holds for it and whether any change has extra "has seen" links.
fn refresh_conflict(
    tx: &rusqlite::Connection,
    (entity, row, field): (&str, &str, &str),
    changes: u32,
    has_links: bool,
) -> Result<()> {
    // A field changed at most once has one current value at most: no need to look for its
    // leaves (the usual case, and the costly query). Otherwise count the distinct values of
    // its leaves, as `field_leaves` finds them, without reading them out.
    let open = changes > 1 && {
        let links = if has_links {
            "AND NOT EXISTS (SELECT 1 FROM change_supersedes x WHERE x.superseded = c.change_id)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT count(DISTINCT value) FROM change_log c WHERE entity = ?1 AND row_id = ?2 AND field = ?3
               AND NOT EXISTS (SELECT 1 FROM change_log s WHERE s.supersedes = c.change_id) {links}"
        );
        tx.prepare_cached(&sql)?.query_row(params![entity, row, field], |r| r.get::<_, i64>(0))? > 1
    };
    let sql = if open {
        "INSERT OR IGNORE INTO sync_conflict (entity, row_id, field) VALUES (?1, ?2, ?3)"
    } else {
        "DELETE FROM sync_conflict WHERE entity = ?1 AND row_id = ?2 AND field = ?3"
    };
    tx.prepare_cached(sql)?.execute(params![entity, row, field])?;
    Ok(())
}

/// The fields in conflict, as keys.
fn conflict_keys(tx: &rusqlite::Connection) -> Result<HashSet<(String, String, String)>> {
    let mut stmt = tx.prepare_cached("SELECT entity, row_id, field FROM sync_conflict")?;
    let keys = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(keys)
}

fn hash_table(conn: &rusqlite::Connection, ent: &Entity, hash: &mut Sha256) -> Result<()> {
    use rusqlite::types::ValueRef;
    let cols: Vec<&str> = std::iter::once(DELETED).chain(ent.fields.iter().map(|f| f.name)).collect();
    let sql = format!("SELECT id, {} FROM {} ORDER BY id", cols.join(", "), ent.name);
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([])?;
    hash.update(ent.name.as_bytes());
    hash.update([0]);
    while let Some(r) = rows.next()? {
        hash.update([b'R']);
        for i in 0..=cols.len() {
            // Each value is tagged by type and length-prefixed, so no two tables hash alike.
            match r.get_ref(i)? {
                ValueRef::Null => hash.update([b'n']),
                ValueRef::Integer(v) => {
                    hash.update([b'i']);
                    hash.update(v.to_le_bytes());
                }
                ValueRef::Real(v) => {
                    hash.update([b'f']);
                    hash.update(v.to_le_bytes());
                }
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    hash.update([b't']);
                    hash.update((t.len() as u64).to_le_bytes());
                    hash.update(t);
                }
            }
        }
    }
    Ok(())
}

/// Whom a row belongs to: directly (a `client_id` column), through its parent row, or
/// the shared directory.
pub(crate) fn owner(conn: &rusqlite::Connection, entity: &str, row_id: &str) -> Result<Owner> {
    let via = |col: &str, parent: &str| -> Result<Option<String>> {
        let sql = format!("SELECT p.client_id FROM {entity} c JOIN {parent} p ON p.id = c.{col} WHERE c.id = ?1");
        Ok(conn.prepare_cached(&sql)?.query_row([row_id], |r| r.get::<_, Option<String>>(0)).optional()?.flatten())
    };
    let direct = || -> Result<Option<String>> {
        let sql = format!("SELECT client_id FROM {entity} WHERE id = ?1");
        Ok(conn.prepare_cached(&sql)?.query_row([row_id], |r| r.get::<_, Option<String>>(0)).optional()?.flatten())
    };
    let client = match entity {
        "organisation" | "contact" | "org_structure" | "org_structure_member" => return Ok(Owner::Directory),
        // Every replica that may hold the client must erase it, partners included.
        "purge" => return Ok(Owner::Directory),
        "client" => Some(row_id.to_owned()),
        "eligibility_check" => via("enrolment_id", "enrolment")?,
        "consent_scope" => via("consent_id", "consent")?,
        "need_update" => via("need_id", "need")?,
        "intervention_need" => via("intervention_id", "intervention")?,
        "plan_item" | "goal" => via("plan_id", "plan")?,
        "meeting_participant" | "minute_entry" => via("meeting_id", "meeting")?,
        "action_item" => match direct()? {
            Some(c) => Some(c),
            None => via("meeting_id", "meeting")?,
        },
        other => {
            lookup(other)?;
            direct()?
        }
    };
    Ok(client.map_or(Owner::Nobody, Owner::Client))
}

/// A cache of row owners for one export: each row is looked up once.
#[derive(Default)]
pub(crate) struct OwnerCache(HashMap<(String, String), Owner>);

impl OwnerCache {
    pub(crate) fn get(&mut self, conn: &rusqlite::Connection, entity: &str, row: &str) -> Result<&Owner> {
        let key = (entity.to_owned(), row.to_owned());
        if !self.0.contains_key(&key) {
            let o = owner(conn, entity, row)?;
            self.0.insert(key.clone(), o);
        }
        Ok(&self.0[&key])
    }
}

/// A new audit entry's change set (ids and counts only in `detail`).
pub(crate) fn audit_entries(replica: &str, entries: &[(AuditAction, Option<&str>, String)]) -> ChangeSet {
    let user = audit::current_user();
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut cs = ChangeSet::new();
    for (action, client, detail) in entries {
        cs.insert_with_id("audit_log", new_id())
            .set("at", at.clone())
            .set("actor", user.clone())
            .set("replica", replica.to_owned())
            .set("action", action.code())
            .set_opt("client_id", *client)
            .set("detail", detail.clone());
    }
    cs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DemoOptions, churn, generate};
    use crate::sync::bundle::BundleReader;
    use crate::sync::{Encryption, write_bundle};

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    /// A store in memory holding `clients` demo clients.
    fn demo_store(clients: usize, seed: u64) -> Store {
        let mut store = Store::in_memory().unwrap();
        generate(&mut store, &DemoOptions { clients, seed, today: today() }, &mut |_, _| {}).unwrap();
        store
    }

    fn bundle_of(store: &Store) -> Vec<u8> {
        write_bundle(store, u64::MAX, &Encryption::None, Vec::new()).unwrap().1
    }

    fn checked(
        next: std::result::Result<Option<Change>, SyncError>,
    ) -> std::result::Result<Option<CheckedChange>, SyncError> {
        next?.map(CheckedChange::new).transpose()
    }

    fn import_with(store: &mut Store, bytes: &[u8], batch: usize) -> ImportReport {
        let mut reader = BundleReader::new(bytes, "test").unwrap();
        let header = reader.header().clone();
        store.import_in_batches(&header, &mut || checked(reader.next_change()), batch, false).unwrap()
    }

    fn conflicts(store: &Store) -> Vec<(String, String, String)> {
        let mut stmt =
            store.conn().prepare("SELECT entity, row_id, field FROM sync_conflict ORDER BY 1, 2, 3").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(|r| r.unwrap()).collect()
    }

    #[test]
    fn a_bundle_cut_at_a_limit_says_it_is_partial_and_a_whole_one_does_not() {
        let store = demo_store(3, 1);
        let all = store.count_changes(&VersionVector::default()).unwrap();
        assert_eq!(store.count_changes_up_to(u64::MAX).unwrap(), all);
        assert_eq!(store.count_changes_up_to(5).unwrap(), 5);
        let header = |limit| {
            let bytes = write_bundle(&store, limit, &Encryption::None, Vec::new()).unwrap().1;
            BundleReader::new(bytes.as_slice(), "test").unwrap().header().clone()
        };
        let cut = header(5);
        assert_eq!((cut.count, cut.partial), (5, true));
        let whole = header(all);
        assert_eq!((whole.count, whole.partial), (all, false));
    }

    /// Writing the tables per row and batch must give what writing each change as it
    /// arrives gave: the source's data, whatever the batch size, into a new store or over
    /// rows that exist, with concurrent edits in conflict on both sides.
    #[test]
    fn any_batch_size_gives_the_same_tables_and_conflicts() {
        let mut a = demo_store(40, 7);
        let base = bundle_of(&a);
        churn(&mut a, 600, 7, today(), &mut |_, _| {}).unwrap();
        let all = bundle_of(&a);
        let mut reference = None;
        for batch in [0, 2_000, PENDING_BYTES] {
            let mut b = Store::in_memory().unwrap();
            let report = import_with(&mut b, &all, batch);
            assert_eq!(b.fingerprint().unwrap(), a.fingerprint().unwrap(), "batch {batch}");
            assert!(b.check().unwrap().is_ok(), "batch {batch}: {:?}", b.check().unwrap().problems);
            let again = import_with(&mut b, &all, batch);
            assert_eq!((again.new, again.rows_touched), (0, 0));

            let mut c = Store::in_memory().unwrap();
            import_with(&mut c, &base, batch);
            import_with(&mut c, &all, batch);
            assert_eq!(c.fingerprint().unwrap(), a.fingerprint().unwrap(), "batch {batch}, in two steps");
            assert!(c.check().unwrap().is_ok(), "batch {batch}: {:?}", c.check().unwrap().problems);

            // Concurrent edits of the same fields, each side unaware of the other.
            let clients: Vec<String> = {
                let mut stmt = b.conn().prepare("SELECT id FROM client ORDER BY id LIMIT 5").unwrap();
                stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
            };
            for (store, alias) in [(&mut b, "Från B"), (&mut c, "Från C")] {
                let mut cs = ChangeSet::new();
                for id in &clients {
                    cs.update("client", id).set("alias", alias);
                }
                store.apply("test", &cs).unwrap();
            }
            let (from_b, from_c) = (bundle_of(&b), bundle_of(&c));
            let into_c = import_with(&mut c, &from_b, batch);
            let into_b = import_with(&mut b, &from_c, batch);
            assert_eq!((into_b.conflicts_opened, into_c.conflicts_opened), (5, 5), "batch {batch}");
            assert_eq!(b.fingerprint().unwrap(), c.fingerprint().unwrap(), "batch {batch}");
            assert_eq!(conflicts(&b), conflicts(&c));
            assert!(b.check().unwrap().is_ok() && c.check().unwrap().is_ok());
            let seen = (report.new, report.rows_touched, conflicts(&b));
            assert_eq!(reference.get_or_insert_with(|| seen.clone()), &seen, "batch {batch}");
        }
    }

    /// A row continuing an older row of its table reaches the table after it, however the
    /// batch groups them: inserted first, it would leave SQLite counting a deferred
    /// violation, and every insert into a referenced table meanwhile scans the tables that
    /// refer to it. Rowids are handed out in insert order, so they show the order.
    #[test]
    fn a_row_referring_to_its_own_table_is_written_after_the_row_it_refers_to() {
        let mut a = Store::in_memory().unwrap();
        let mut cs = ChangeSet::new();
        let client = cs.insert("client").set("first_name", "Test").set("last_name", "Provlund").id();
        let first: Vec<String> = (0..10)
            .map(|_| cs.insert("intervention").set("client_id", client.clone()).set("title", "Boende").id())
            .collect();
        // More continuations than one multi-row insert holds, so their group is written
        // while the ten they continue (another set of columns, a group not yet full) wait.
        for i in 0..ROWS_PER_INSERT + 6 {
            cs.insert("intervention")
                .set("client_id", client.clone())
                .set("title", "Boende, fortsättning")
                .set("continues_id", first[i % first.len()].clone());
        }
        a.apply("test", &cs).unwrap();
        let mut b = Store::in_memory().unwrap();
        import_with(&mut b, &bundle_of(&a), PENDING_BYTES);
        let out_of_order: i64 = b
            .conn()
            .query_row(
                "SELECT count(*) FROM intervention c JOIN intervention p ON p.id = c.continues_id
                 WHERE c.rowid < p.rowid",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(out_of_order, 0);
        assert_eq!(b.fingerprint().unwrap(), a.fingerprint().unwrap());
    }

    /// A conflict that one batch of an import opens and a later one closes was never open
    /// for the user: every batch size reports none, and none is left.
    #[test]
    fn a_conflict_opened_and_closed_within_one_import_is_not_reported() {
        let mut a = Store::in_memory().unwrap();
        let mut cs = ChangeSet::new();
        let id = cs.insert("client").set("first_name", "Test").set("last_name", "Provlund").id();
        a.apply("test", &cs).unwrap();
        let mut b = Store::in_memory().unwrap();
        import_with(&mut b, &bundle_of(&a), PENDING_BYTES);
        for (store, alias) in [(&mut a, "Från A"), (&mut b, "Från B")] {
            let mut cs = ChangeSet::new();
            cs.update("client", &id).set("alias", alias);
            store.apply("test", &cs).unwrap();
        }
        assert_eq!(import_with(&mut a, &bundle_of(&b), PENDING_BYTES).conflicts_opened, 1);
        let mut cs = ChangeSet::new();
        cs.update("client", &id).set("alias", "Överens");
        a.apply("test", &cs).unwrap();
        assert!(conflicts(&a).is_empty());
        for batch in [0, PENDING_BYTES] {
            let mut c = Store::in_memory().unwrap();
            let r = import_with(&mut c, &bundle_of(&a), batch);
            assert_eq!((r.conflicts_opened, r.conflicts_closed, r.conflicts_open), (0, 0, 0), "batch {batch}");
            assert_eq!(c.fingerprint().unwrap(), a.fingerprint().unwrap());
        }
    }

    /// A large import on disk runs with a rollback journal. It commits whole, or, refused
    /// at its last change, leaves the store as it was; either way the store is back in WAL
    /// mode with no journal left beside it.
    #[test]
    fn an_import_with_a_rollback_journal_commits_whole_or_not_at_all() {
        let a = demo_store(20, 3);
        let good = bundle_of(&a);
        let mut reader = BundleReader::new(&good[..], "test").unwrap();
        let mut writer = crate::sync::bundle::BundleWriter::new(Vec::new(), reader.header()).unwrap();
        let mut changes = Vec::new();
        while let Some(c) = reader.next_change().unwrap() {
            changes.push(c);
        }
        changes.last_mut().unwrap().entity = "no_such_table".to_owned();
        for c in &changes {
            writer.push(c).unwrap();
        }
        let bad = writer.finish().unwrap();

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut b = Store::create(&path, crate::store::Key::passphrase("korrekt häst")).unwrap();
        let mode = |s: &Store| s.conn().query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0)).unwrap();
        let logged =
            |s: &Store| s.conn().query_row("SELECT count(*) FROM change_log", [], |r| r.get::<_, i64>(0)).unwrap();
        let journal = dir.path().join("s.db-journal");
        let import = |b: &mut Store, bytes: &[u8]| {
            let mut reader = BundleReader::new(bytes, "test").unwrap();
            let header = reader.header().clone();
            b.import_in_batches(&header, &mut || checked(reader.next_change()), 2_000, true)
        };

        let (before, before_log) = (b.fingerprint().unwrap(), logged(&b));
        assert!(matches!(import(&mut b, &bad), Err(SyncError::BadChange(_))));
        assert_eq!((b.fingerprint().unwrap(), logged(&b)), (before, before_log));
        assert_eq!(mode(&b), "wal");
        assert!(!journal.exists());

        import(&mut b, &good).unwrap();
        assert_eq!(b.fingerprint().unwrap(), a.fingerprint().unwrap());
        assert!(b.check().unwrap().is_ok());
        assert_eq!(mode(&b), "wal");
        assert!(!journal.exists());
    }

    /// The log holds one change per origin and clock: a change with a new id at a known
    /// origin and clock fails the import, which changes nothing.
    #[test]
    fn a_second_change_at_a_known_origin_and_clock_fails_the_import() {
        let a = demo_store(3, 1);
        let all = bundle_of(&a);
        let mut b = Store::in_memory().unwrap();
        import_with(&mut b, &all, PENDING_BYTES);
        let mut reader = BundleReader::new(&all[..], "test").unwrap();
        let header = reader.header().clone();
        let mut writer = crate::sync::bundle::BundleWriter::new(Vec::new(), &header).unwrap();
        let mut first = true;
        while let Some(mut c) = reader.next_change().unwrap() {
            if std::mem::take(&mut first) {
                c.id = crate::store::new_id();
            }
            writer.push(&c).unwrap();
        }
        let forged = writer.finish().unwrap();
        let before = b.fingerprint().unwrap();
        let changes = |s: &Store| s.conn().query_row("SELECT count(*) FROM change_log", [], |r| r.get::<_, i64>(0));
        let logged = changes(&b).unwrap();
        let mut reader = BundleReader::new(&forged[..], "test").unwrap();
        let header = reader.header().clone();
        let err = b.import_changes(&header, &mut || checked(reader.next_change())).unwrap_err();
        assert!(matches!(err, SyncError::BadChange(_)), "refused as a bad bundle, not a database error: {err}");
        assert!(err.to_string().contains("origin replica and clock of another change"), "{err}");
        assert_eq!((b.fingerprint().unwrap(), changes(&b).unwrap()), (before, logged));
    }
}
