//! Audit entries: who did what, when, on which machine. They are ordinary append-only rows
//! written through the write path, so they sync like notes and cannot be edited.

use super::{ChangeSet, Result, Store};
use crate::domain::enums::AuditAction;

/// The person running sluss, as recorded in the change log and audit log.
pub fn current_user() -> String {
    std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "okänd".to_owned())
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
