//! `sluss export`: the changes a peer lacks (or all, or a partner's share) as an encrypted
//! bundle file. The file appears under its name only once complete: it is written to a
//! private temporary file beside it and renamed.

use std::collections::HashSet;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::bundle::{BundleWriter, FORMAT, FORMAT_VERSION, Header};
use super::crypto::{Encryption, Sink};
use super::{SyncError, VersionVector};
use crate::domain::enums::AuditAction;
use crate::i18n::audit_detail;
use crate::store::merge::{Owner, OwnerCache, audit_entries};
use crate::store::{SYNC_SCHEMA_VERSION, Store};

/// What to export, and how.
#[derive(Debug)]
pub struct ExportOptions {
    /// The replica the bundle is for: leave out what it said it holds.
    pub to: Option<String>,
    /// Everything, whatever the target holds.
    pub all: bool,
    /// Only clients whose consent in force covers this organisation (id or exact name), plus
    /// the organisation directory.
    pub for_org: Option<String>,
    /// How the file is protected.
    pub encryption: Encryption,
    /// The day consent is judged on.
    pub today: chrono::NaiveDate,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    /// The file.
    pub path: PathBuf,
    /// Changes in it.
    pub changes: u64,
    /// Whether the target's knowledge was known (`--to` a replica that sent a bundle before).
    pub target_known: bool,
    /// For a partner export: the organisation id and how many clients it covers.
    pub partner: Option<(String, usize)>,
}

/// Writes a bundle to `out` (which must not exist) and records the export in the audit log.
pub fn export(store: &mut Store, out: &Path, opts: &ExportOptions) -> Result<ExportReport, SyncError> {
    if out.exists() {
        return Err(SyncError::Usage(format!("{} exists already: choose another file name", out.display())));
    }
    let (since, target_known) = match (&opts.to, opts.all) {
        (_, true) => (VersionVector::default(), false),
        (Some(peer), false) => match store.peer_knowledge(peer)? {
            Some(vv) => (vv, true),
            None => (VersionVector::default(), false),
        },
        (None, false) => {
            return Err(SyncError::Usage(
                "say what to export: --to REPLICA (what that replica lacks) or --all (everything)".to_owned(),
            ));
        }
    };
    let partner = match &opts.for_org {
        None => None,
        Some(org) => {
            let id = find_org(store, org)?;
            let clients = store.clients_consenting_to(&id, opts.today)?;
            Some((id, clients))
        }
    };
    let header = |count| new_header(store, &since, count, partner.is_some(), partner.as_ref().map(|p| p.0.clone()));
    let allowed: Option<&HashSet<String>> = partner.as_ref().map(|p| &p.1);
    let mut owners = OwnerCache::default();
    let mut keep = |conn: &rusqlite::Connection, entity: &str, row: &str| -> crate::store::Result<bool> {
        let Some(allowed) = allowed else {
            return Ok(true);
        };
        Ok(match owners.get(conn, entity, row)? {
            Owner::Directory => true,
            Owner::Client(c) => allowed.contains(c),
            Owner::Nobody => false,
        })
    };

    // One read transaction: the count in the header and the changes written agree even if
    // another sluss writes the store meanwhile.
    let changes = {
        let read = store.conn().unchecked_transaction().map_err(crate::store::StoreError::from)?;
        // Without a partner filter the count comes from the log's indexes; a partner export
        // counts what it keeps in a first pass (which also fills the owner cache).
        let count = if allowed.is_none() {
            store.count_changes(&since)?
        } else {
            store.for_each_change(&since, u64::MAX, &mut keep, &mut |_| Ok(()))?
        };
        let header = header(count)?;
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        // NamedTempFile is created 0600 and removed if anything below fails.
        let tmp = tempfile::Builder::new()
            .prefix(".sluss-export-")
            .tempfile_in(&dir)
            .map_err(|e| SyncError::io(format!("cannot create a file in {}", dir.display()), e))?;
        let file = tmp.as_file().try_clone().map_err(|e| SyncError::io("cannot write the bundle", e))?;
        let sink = Sink::new(BufWriter::with_capacity(256 * 1024, file), &opts.encryption)?;
        let mut writer = BundleWriter::new(sink, &header)?;
        let written = store.for_each_change(&since, u64::MAX, &mut keep, &mut |c| writer.push_ref(c))?;
        if written != count {
            // Cannot happen inside one read transaction; refuse rather than write a bad bundle.
            return Err(SyncError::Usage("the change log changed while it was exported: export again".to_owned()));
        }
        let sink = writer.finish()?;
        let mut buffered = sink.finish().map_err(|e| SyncError::io("cannot write the bundle", e))?;
        buffered.flush().map_err(|e| SyncError::io("cannot write the bundle", e))?;
        tmp.as_file().sync_all().map_err(|e| SyncError::io("cannot write the bundle", e))?;
        tmp.persist_noclobber(out).map_err(|e| SyncError::io(format!("cannot write {}", out.display()), e.error))?;
        drop(read);
        count
    };

    let mut entries = Vec::new();
    match &partner {
        None => entries.push((
            AuditAction::Export,
            None,
            match (&opts.to, opts.all) {
                (Some(peer), false) => audit_detail::EXPORT_FOR_REPLICA.fill(&[&changes, peer]),
                _ => audit_detail::EXPORT_ALL.fill(&[&changes]),
            },
        )),
        Some((org, clients)) => {
            entries.push((
                AuditAction::Export,
                None,
                audit_detail::PARTNER_EXPORT.fill(&[&changes, &clients.len(), org]),
            ));
            let mut sorted: Vec<&String> = clients.iter().collect();
            sorted.sort();
            for c in sorted {
                entries.push((AuditAction::Export, Some(c.as_str()), audit_detail::SHARED_WITH.fill(&[org])));
            }
        }
    }
    let entries: Vec<(AuditAction, Option<&str>, String)> = entries;
    let cs = audit_entries(store.replica_id(), &entries);
    store.apply(&crate::store::audit::current_user(), &cs)?;
    Ok(ExportReport {
        path: out.to_owned(),
        changes,
        target_known,
        partner: partner.map(|(org, clients)| (org, clients.len())),
    })
}

/// The header of a bundle this store writes now.
fn new_header(
    store: &Store,
    since: &VersionVector,
    count: u64,
    partial: bool,
    for_org: Option<String>,
) -> Result<Header, SyncError> {
    Ok(Header {
        format: FORMAT.to_owned(),
        version: FORMAT_VERSION,
        schema: SYNC_SCHEMA_VERSION,
        source: store.replica_id().to_owned(),
        created_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        count,
        knowledge: store.version_vector()?,
        since: since.clone(),
        partial,
        for_org,
    })
}

/// Writes a bundle of this store's first `limit` changes in merge order (all of them, as
/// `--all` does, when there are fewer) to `out`, in one read transaction, and records
/// nothing: `sluss bench` measures export with it without changing the store. A bundle cut
/// short by `limit` is marked partial, so a store importing it does not take the source's
/// knowledge as its own. Returns the number of changes and the output.
pub fn write_bundle<W: Write>(
    store: &Store,
    limit: u64,
    encryption: &Encryption,
    out: W,
) -> Result<(u64, W), SyncError> {
    let read = store.conn().unchecked_transaction().map_err(crate::store::StoreError::from)?;
    let since = VersionVector::default();
    let seen = store.count_changes_up_to(limit.saturating_add(1))?;
    let count = seen.min(limit);
    let header = new_header(store, &since, count, count < seen, None)?;
    let mut writer = BundleWriter::new(Sink::new(out, encryption)?, &header)?;
    let written = store.for_each_change(&since, count, &mut |_, _, _| Ok(true), &mut |c| writer.push_ref(c))?;
    if written != count {
        return Err(SyncError::Usage("the change log changed while it was exported: export again".to_owned()));
    }
    let out = writer.finish()?.finish().map_err(|e| SyncError::io("cannot write the bundle", e))?;
    drop(read);
    Ok((count, out))
}

/// The organisation named by id or by exact name (case aside).
fn find_org(store: &Store, org: &str) -> Result<String, SyncError> {
    let mut stmt = store
        .conn()
        .prepare("SELECT id FROM organisation WHERE deleted = 0 AND (id = ?1 OR lower(name) = lower(?1))")
        .map_err(crate::store::StoreError::from)?;
    let ids: Vec<String> =
        stmt.query_map([org], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(crate::store::StoreError::from)?;
    match ids.len() {
        1 => Ok(ids.into_iter().next().expect("one")),
        0 => Err(SyncError::Usage(format!("no organisation '{org}': give its id or its exact name"))),
        n => Err(SyncError::Usage(format!("{n} organisations are called '{org}': give the id instead"))),
    }
}
