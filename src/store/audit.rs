//! Audit entries: who did what, when, on which machine. They are ordinary append-only rows
//! written through the write path, so they sync like notes and cannot be edited.

use std::path::{Path, PathBuf};

use super::{ChangeSet, Result, Store};
use crate::domain::enums::AuditAction;

/// The person running sluss, as recorded in the change log and audit log.
pub fn current_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(user_from_passwd)
        .unwrap_or_else(|| "okänd".to_owned())
}

/// The login name of this process's user from /etc/passwd, for sessions without $USER.
fn user_from_passwd() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status.lines().find(|l| l.starts_with("Uid:"))?.split_whitespace().nth(1)?.to_owned();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.get(2) == Some(&uid.as_str()))?
        .first()
        .map(|n| (*n).to_owned())
}

impl Store {
    /// Records an audit entry. `detail` must not hold personal data: ids and counts only.
    pub fn audit(&mut self, action: AuditAction, client_id: Option<&str>, detail: &str) -> Result<()> {
        let mut cs = ChangeSet::new();
        let user = current_user();
        cs.insert("audit_log")
            .set("at", chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .set("actor", user.clone())
            .set("replica", self.replica_id().to_owned())
            .set("action", action.code())
            .set_opt("client_id", client_id)
            .set("detail", detail);
        self.apply(&user, &cs)?;
        Ok(())
    }
}

/// What the Audit screen and `sluss audit` ask for. Every part is optional; dates are whole
/// days in UTC, both ends included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries about this client (its id).
    pub client: Option<String>,
    /// Only entries by this person (the login name recorded as actor/author).
    pub actor: Option<String>,
    /// Only this kind. [`AuditAction::Change`] lists the change log's entries.
    pub kind: Option<AuditAction>,
    /// From this day on.
    pub from: Option<chrono::NaiveDate>,
    /// Up to and including this day.
    pub to: Option<chrono::NaiveDate>,
}

/// One line of the audit trail: who did what, when, on which machine, about which client.
/// `detail` never holds personal data: ids, counts and field names only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// The audit entry's id, or for a change, the change id.
    pub id: String,
    /// When, as RFC 3339 in UTC to the second (`2026-11-23T09:00:00Z`).
    pub at: String,
    /// Who (login name).
    pub actor: String,
    /// Which machine: the replica id of the store it was done in.
    pub replica: String,
    /// What kind of action.
    pub kind: AuditAction,
    /// About which client, if any.
    pub client_id: Option<String>,
    /// What exactly, without personal data (for a change: `entity.field`, never the value).
    pub detail: String,
    /// For a change: the entity and field changed (`*` a new row, `deleted` a delete or
    /// restore), so a screen can name them in the user's language.
    pub change: Option<(String, String)>,
}

/// Entities whose changes are not listed as changes: audit entries are listed themselves,
/// and a purge has its own audit entry.
const NOT_CHANGES: &str = "('audit_log', 'purge')";

impl Store {
    /// The audit trail, newest first: audit entries (views, reveals, exports, imports,
    /// backups, failed passphrases, purges, rekeys, locks) merged with the change log, which
    /// is where every change is recorded (not copied into the audit log). Paged by `offset`
    /// and `limit`; each source is read through an index in time order and only
    /// `offset + limit` rows of each are read.
    pub fn audit_entries(&self, filter: &AuditFilter, offset: usize, limit: usize) -> Result<Vec<AuditRow>> {
        let want = offset.saturating_add(limit);
        let mut rows = Vec::new();
        if filter.kind != Some(AuditAction::Change) {
            rows.extend(self.audit_log_rows(filter, want)?);
        }
        if filter.kind.is_none() || filter.kind == Some(AuditAction::Change) {
            rows.extend(self.change_rows(filter, want)?);
        }
        rows.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.id.cmp(&a.id)));
        Ok(rows.into_iter().skip(offset).take(limit).collect())
    }

    fn audit_log_rows(&self, filter: &AuditFilter, want: usize) -> Result<Vec<AuditRow>> {
        let mut sql =
            "SELECT id, at, coalesce(actor, ''), coalesce(replica, ''), action, client_id, coalesce(detail, '')
             FROM audit_log WHERE deleted = 0"
                .to_owned();
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        let mut add = |sql: &mut String, cond: &str, v: String| {
            args.push(v.into());
            sql.push_str(&format!(" AND {cond} ?{}", args.len()));
        };
        if let Some(c) = &filter.client {
            add(&mut sql, "client_id =", c.clone());
        }
        if let Some(a) = &filter.actor {
            add(&mut sql, "actor =", a.clone());
        }
        if let Some(k) = filter.kind {
            add(&mut sql, "action =", k.code().to_owned());
        }
        if let Some(d) = filter.from {
            add(&mut sql, "at >=", d.format("%Y-%m-%d").to_string());
        }
        if let Some(d) = filter.to.and_then(|d| d.succ_opt()) {
            add(&mut sql, "at <", d.format("%Y-%m-%d").to_string());
        }
        sql.push_str(&format!(" ORDER BY at DESC, id DESC LIMIT {want}"));
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            let code: String = r.get(4)?;
            Ok(AuditRow {
                id: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                replica: r.get(3)?,
                kind: AuditAction::from_code(&code).unwrap_or(AuditAction::Change),
                client_id: r.get(5)?,
                detail: r.get(6)?,
                change: None,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn change_rows(&self, filter: &AuditFilter, want: usize) -> Result<Vec<AuditRow>> {
        let day_hlc = |d: chrono::NaiveDate| -> i64 {
            let ms = d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0).max(0);
            super::hlc::from_millis(ms as u64) as i64
        };
        let lo = filter.from.map(day_hlc).unwrap_or(0);
        let hi = filter.to.and_then(|d| d.succ_opt()).map(day_hlc).unwrap_or(i64::MAX);
        let mut args: Vec<rusqlite::types::Value> = vec![lo.into(), hi.into()];
        let mut cond = "hlc >= ?1 AND hlc < ?2".to_owned();
        if let Some(a) = &filter.actor {
            args.push(a.clone().into());
            cond.push_str(" AND author = ?3");
        }
        let cols = "change_id, hlc, author, replica, entity, row_id, field";
        let sql = match &filter.client {
            None => format!(
                "SELECT {cols} FROM change_log WHERE entity NOT IN {NOT_CHANGES} AND {cond}
                 ORDER BY hlc DESC, replica DESC LIMIT {want}"
            ),
            Some(c) => {
                let n = args.len() + 1;
                args.push(c.clone().into());
                let parts: Vec<String> = super::purge::owned_tables()
                    .iter()
                    .map(|(table, ids)| {
                        let ids = ids.replace("?1", &format!("?{n}"));
                        format!(
                            "SELECT {cols} FROM change_log WHERE entity = '{table}' AND row_id IN ({ids}) AND {cond}"
                        )
                    })
                    .collect();
                format!("SELECT * FROM ({}) ORDER BY hlc DESC, replica DESC LIMIT {want}", parts.join(" UNION ALL "))
            }
        };
        let mut stmt = self.conn().prepare(&sql)?;
        let found = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in found {
            let (id, hlc, author, replica, entity, row_id, field) = row?;
            let ms = super::hlc::to_millis(hlc as u64) as i64;
            let at = chrono::DateTime::from_timestamp_millis(ms)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let client_id = match &filter.client {
                Some(c) => Some(c.clone()),
                None => match self.owner(&entity, &row_id)? {
                    super::merge::Owner::Client(c) => Some(c),
                    _ => None,
                },
            };
            let detail = match field.as_str() {
                super::write::INSERT => format!("{entity} {row_id}: new"),
                super::write::DELETED => format!("{entity} {row_id}: deleted or restored"),
                f => format!("{entity} {row_id}: {f}"),
            };
            out.push(AuditRow {
                id,
                at,
                actor: author,
                replica,
                kind: AuditAction::Change,
                client_id,
                detail,
                change: Some((entity, field)),
            });
        }
        Ok(out)
    }
}

/// The file beside a store that counts wrong passphrases until the next successful open
/// (`STORE-failed`, mode 0600). It holds one timestamp per failed attempt and nothing else.
pub fn failed_open_file(store: &Path) -> PathBuf {
    PathBuf::from(format!("{}-failed", store.display()))
}

/// Notes a wrong passphrase for `store`: it cannot go into the store it failed to open, so
/// it is appended to [`failed_open_file`] and moved into the audit log at the next
/// successful open. Best effort: a directory that cannot be written loses the note.
pub(crate) fn note_failed_open(store: &Path) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = failed_open_file(store);
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if let Ok(mut f) = std::fs::OpenOptions::new().append(true).create(true).mode(0o600).open(&path) {
        let _ = writeln!(f, "{at}");
    }
}

impl Store {
    /// Moves wrong passphrases noted since the last open into the audit log (one entry each,
    /// with the time of the attempt), then removes the note file. Called on every open.
    pub(crate) fn record_failed_opens(&mut self) -> Result<usize> {
        let Some(store) = self.path().map(Path::to_owned) else {
            return Ok(0);
        };
        let path = failed_open_file(&store);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(0);
        };
        let user = current_user();
        let mut cs = ChangeSet::new();
        let mut n = 0;
        for line in text.lines() {
            let Ok(at) = chrono::DateTime::parse_from_rfc3339(line.trim()) else {
                continue;
            };
            cs.insert("audit_log")
                .set("at", at.to_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .set("actor", user.clone())
                .set("replica", self.replica_id().to_owned())
                .set("action", AuditAction::FailedPassphrase.code())
                .set("detail", crate::i18n::audit_detail::FAILED_OPEN.fill(&[]));
            n += 1;
        }
        self.apply(&user, &cs)?;
        let _ = std::fs::remove_file(&path);
        Ok(n)
    }
}
