//! Audit entries: who did what, when, on which machine. They are ordinary append-only rows
//! written through the write path, so they sync like notes and cannot be edited.

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
