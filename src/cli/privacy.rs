//! `sluss audit`, `sluss rekey` and `sluss purge` (docs/security.md).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Args;

use super::{Failure, exit};
use crate::domain::enums::AuditAction;
use crate::i18n::Lang;
use crate::passphrase;
use crate::store::audit::{AuditFilter, AuditRow};
use crate::store::{Key, Store};

/// Arguments of `sluss audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries about this client (its id).
    #[arg(long, value_name = "ID")]
    pub client: Option<String>,
    /// Only entries from this day on (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = super::parse_day)]
    pub since: Option<NaiveDate>,
    /// Only entries up to and including this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = super::parse_day)]
    pub until: Option<NaiveDate>,
    /// Only entries by this person (login name).
    #[arg(long, value_name = "NAME")]
    pub actor: Option<String>,
    /// Only this kind: open_client, reveal_id, reveal_protected, change, export, import,
    /// backup, failed_passphrase, purge, rekey, lock, unlock, failed_unlock.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// At most this many entries, newest first.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// Print JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `sluss rekey`.
#[derive(Debug, Args)]
pub struct RekeyArgs {
    /// Read the new passphrase from this file (mode 0600) instead of asking twice.
    #[arg(long, value_name = "PATH")]
    pub new_key_file: Option<PathBuf>,
}

/// Arguments of `sluss purge`.
#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Purge clients closed longer ago than this: `2y`, `18m` (months) or `400d`.
    /// Default: `purge_after` in config.toml, else 2y.
    #[arg(long, value_name = "AGE")]
    pub older_than: Option<String>,
    /// Only list the candidates.
    #[arg(long)]
    pub dry_run: bool,
    /// Purge without asking.
    #[arg(long)]
    pub yes: bool,
}

/// Environment variable scripts set for the new passphrase of `sluss rekey`.
pub const NEW_ENV_VAR: &str = "SLUSS_NEW_PASSPHRASE";

/// Default retention after a client is closed.
pub const DEFAULT_PURGE_AFTER: &str = "2y";

pub(super) fn audit(store: &Store, args: &AuditArgs, lang: Lang) -> Result<ExitCode, Failure> {
    let kind = match &args.kind {
        None => None,
        Some(k) => Some(AuditAction::from_code(k).ok_or_else(|| {
            Failure::refused(format!("unknown --kind '{k}': use one of {}", AuditAction::CODES.join(", ")))
        })?),
    };
    if let (Some(a), Some(b)) = (args.since, args.until)
        && a > b
    {
        return Err(Failure::refused("--since is after --until: swap them"));
    }
    let filter =
        AuditFilter { client: args.client.clone(), actor: args.actor.clone(), kind, from: args.since, to: args.until };
    let rows = store.audit_entries(&filter, 0, args.limit)?;
    let text = if args.json { rows.iter().map(|r| format!("{}\n", row_json(r))).collect() } else { table(&rows, lang) };
    super::write_stdout(text.as_bytes(), "the audit log")?;
    Ok(ExitCode::SUCCESS)
}

fn row_json(r: &AuditRow) -> serde_json::Value {
    serde_json::json!({
        "id": r.id, "at": r.at, "actor": r.actor, "replica": r.replica, "kind": r.kind.code(),
        "client_id": r.client_id, "detail": r.detail,
    })
}

/// The audit rows as an aligned text table.
fn table(rows: &[AuditRow], lang: Lang) -> String {
    let head = match lang {
        Lang::Sv => ["Tid", "Vem", "Vad", "Klient", "Maskin", "Detalj"],
        Lang::En => ["When", "Who", "What", "Client", "Machine", "Detail"],
    };
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            [
                r.at.clone(),
                r.actor.clone(),
                r.kind.label(lang).to_owned(),
                r.client_id.clone().unwrap_or_default(),
                r.replica.clone(),
                r.detail.clone(),
            ]
        })
        .collect();
    let mut widths = head.map(|h| h.chars().count());
    for c in &cells {
        for (w, v) in widths.iter_mut().zip(c) {
            *w = (*w).max(v.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |vals: Vec<&str>| {
        let mut l = String::new();
        for (i, v) in vals.iter().enumerate() {
            if i + 1 == vals.len() {
                l.push_str(v);
            } else {
                l.push_str(&format!("{v:<w$}  ", w = widths[i]));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(head.to_vec());
    for c in &cells {
        line(c.iter().map(String::as_str).collect());
    }
    if rows.is_empty() {
        out.push_str(match lang {
            Lang::Sv => "(inga händelser)\n",
            Lang::En => "(no entries)\n",
        });
    }
    out
}

pub(super) fn rekey(store: Store, args: &RekeyArgs) -> Result<ExitCode, Failure> {
    if !store.is_encrypted() {
        return Err(Failure::refused("the store is not encrypted (a demo store): there is no passphrase to change"));
    }
    let new = match &args.new_key_file {
        Some(path) => passphrase::obtain(Some(path), true)?,
        None => match std::env::var(NEW_ENV_VAR) {
            Ok(p) if !p.is_empty() => {
                if p.chars().count() < passphrase::MIN_LEN {
                    return Err(passphrase::PassphraseError::TooShort.into());
                }
                zeroize::Zeroizing::new(p)
            }
            _ if std::io::stdin().is_terminal() => {
                eprintln!("Ny lösenfras / new passphrase:");
                prompt_new()?
            }
            _ => {
                return Err(Failure::refused(format!(
                    "no new passphrase: run in a terminal, set {NEW_ENV_VAR}, or pass --new-key-file PATH"
                )));
            }
        },
    };
    if store.opened_with(&new) {
        return Err(Failure::refused("the new passphrase is the one the store has already: choose another"));
    }
    let path = store.path().map(Path::to_owned).unwrap_or_default();
    let store = store.rekey(Key::Passphrase(new))?;
    println!("passphrase of {} changed (replica {})", path.display(), store.replica_id());
    Ok(ExitCode::SUCCESS)
}

fn prompt_new() -> Result<zeroize::Zeroizing<String>, Failure> {
    let read = |label: &str| {
        rpassword::prompt_password(label).map(zeroize::Zeroizing::new).map_err(passphrase::PassphraseError::Prompt)
    };
    let first = read("Lösenfras / passphrase: ")?;
    let again = read("Upprepa / repeat: ")?;
    if *first != *again {
        return Err(Failure::refused("the two new passphrases differ: nothing was changed; try again"));
    }
    if first.chars().count() < passphrase::MIN_LEN {
        return Err(passphrase::PassphraseError::TooShort.into());
    }
    Ok(first)
}

/// Parses a retention age (`2y`, `18m`, `400d`) into the cut-off date before `today`.
pub fn cutoff(age: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let bad = || format!("cannot read the age '{age}': write it like 2y (years), 18m (months) or 400d (days)");
    let age = age.trim();
    let (num, unit) = age.split_at(age.len().saturating_sub(1));
    let n: u32 = num.parse().map_err(|_| bad())?;
    let date = match unit {
        "y" => today.checked_sub_months(chrono::Months::new(n.checked_mul(12).ok_or_else(bad)?)),
        "m" => today.checked_sub_months(chrono::Months::new(n)),
        "d" => today.checked_sub_days(chrono::Days::new(u64::from(n))),
        _ => None,
    };
    date.ok_or_else(bad)
}

/// `purge_after` from config.toml, if set. Read on its own so that this one key does not
/// depend on the interface's settings.
fn configured_age() -> Result<Option<String>, Failure> {
    let Some(path) = crate::tui::config::Config::path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Failure::refused(format!("cannot read {}: {e}", path.display()))),
    };
    let table: toml::Table = text
        .parse()
        .map_err(|_| Failure::refused(format!("{} is not valid TOML: fix it or pass --older-than", path.display())))?;
    match table.get("purge_after") {
        None => Ok(None),
        Some(toml::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Failure::refused(format!(
            "purge_after in {} must be text such as \"2y\": fix it or pass --older-than",
            path.display()
        ))),
    }
}

pub(super) fn purge(mut store: Store, args: &PurgeArgs, today: NaiveDate) -> Result<ExitCode, Failure> {
    let age = match &args.older_than {
        Some(a) => a.clone(),
        None => configured_age()?.unwrap_or_else(|| DEFAULT_PURGE_AFTER.to_owned()),
    };
    let before = cutoff(&age, today).map_err(Failure::refused)?;
    let candidates = store.purge_candidates(before)?;
    println!("{} client(s) closed before {before} (older than {age}):", candidates.len());
    for c in &candidates {
        println!("  {}  closed {}", c.client_id, c.closed_on);
    }
    if candidates.is_empty() || args.dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::refused("purging erases data on every replica: confirm with --yes"));
        }
        eprint!("Erase these clients' data on every replica? Type yes: ");
        let mut answer = String::new();
        std::io::stdin()
            .read_line(&mut answer)
            .map_err(|e| Failure { code: exit::FAILED, message: format!("cannot read the answer: {e}") })?;
        if answer.trim() != "yes" {
            println!("nothing purged");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let (mut rows, mut changes) = (0, 0);
    for c in &candidates {
        let counts = store.purge_client(&c.client_id)?;
        rows += counts.rows;
        changes += counts.changes;
    }
    store.compact_after_purge()?;
    println!(
        "purged {} client(s): {rows} rows and {changes} changes erased; export to the other replicas so they erase them too",
        candidates.len()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_ages_are_read_in_years_months_and_days() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(cutoff("2y", today), Ok(NaiveDate::from_ymd_opt(2024, 11, 23).unwrap()));
        assert_eq!(cutoff("18m", today), Ok(NaiveDate::from_ymd_opt(2025, 5, 23).unwrap()));
        assert_eq!(cutoff("10d", today), Ok(NaiveDate::from_ymd_opt(2026, 11, 13).unwrap()));
        assert!(cutoff("two years", today).unwrap_err().contains("2y (years)"));
        assert!(cutoff("", today).is_err());
    }
}
