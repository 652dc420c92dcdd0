//! `sluss import`: read a bundle twice. The first pass decrypts it and checks its framing
//! (format, versions, count, checksum) without touching the store; the second parses and
//! checks every change against the registry and applies them in one transaction, which a
//! bad change or a checksum that no longer matches rolls back. Memory stays bounded (one
//! line, a few batches in flight and the store's batch of pending values): the price is
//! decrypting twice (a passphrase bundle's key is derived once and kept for the second
//! pass).

use std::io::BufRead;
use std::path::Path;
use std::sync::mpsc;

use super::SyncError;
use super::bundle::{BundleReader, Header};
use super::crypto::{self, Decryption, FileKeyCache};
use crate::store::merge::CheckedChange;
use crate::store::{ImportReport, Store};

/// How to open the bundle.
#[derive(Default)]
pub struct ImportOptions {
    /// Keys.
    pub keys: Decryption,
}

/// Changes the reading thread parses before handing them to the store, and how many such
/// batches may wait: enough to keep both threads busy, few enough to keep memory flat.
const CHANGES_PER_HANDOFF: usize = 512;
const HANDOFFS_IN_FLIGHT: usize = 4;

/// Progress is reported every this many changes (a few times a second), and at the end of
/// each pass.
const PROGRESS_EVERY: u64 = 1 << 16;

/// How far an import is, in changes out of the bundle's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportProgress {
    /// The first pass: lines decrypted and hashed.
    Checked(u64, u64),
    /// The second pass: changes checked and written (the commit follows the last).
    Applied(u64, u64),
}

/// Checks a bundle's encryption and framing without a store: the header, the change count
/// and the checksum over every line. Returns its header and whether it was encrypted.
pub fn verify(path: &Path, keys: &Decryption) -> Result<(Header, bool), SyncError> {
    verify_with(path, keys, &FileKeyCache::default(), &mut |_| {})
}

fn verify_with(
    path: &Path,
    keys: &Decryption,
    cache: &FileKeyCache,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<(Header, bool), SyncError> {
    let (input, encrypted) = crypto::open(path, keys, cache)?;
    let mut reader = BundleReader::new(input, &path.display().to_string())?;
    let total = reader.header().count;
    let mut lines = 0;
    while reader.next_line()?.is_some() {
        lines += 1;
        if lines % PROGRESS_EVERY == 0 {
            progress(ImportProgress::Checked(lines, total));
        }
    }
    progress(ImportProgress::Checked(total, total));
    Ok((reader.header().clone(), encrypted))
}

/// Verifies, then imports a bundle. The store is unchanged by any refusal.
pub fn import(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<(Header, ImportReport), SyncError> {
    import_with_progress(store, path, opts, &mut |_| {})
}

/// [`import`], reporting how far it is as it goes.
pub fn import_with_progress(
    store: &mut Store,
    path: &Path,
    opts: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<(Header, ImportReport), SyncError> {
    let cache = FileKeyCache::default();
    let (header, _) = verify_with(path, &opts.keys, &cache, progress)?;
    let (input, _) = crypto::open(path, &opts.keys, &cache)?;
    let reader = BundleReader::new(input, &path.display().to_string())?;
    if reader.header() != &header {
        return Err(SyncError::Damaged("the file changed while it was read".to_owned()));
    }
    // Decrypting and parsing run on a thread of their own while this one writes the store:
    // on two cores the store's work no longer waits for the bundle's.
    let report = std::thread::scope(|scope| {
        let (send, receive) = mpsc::sync_channel(HANDOFFS_IN_FLIGHT);
        scope.spawn(move || read_changes(reader, &send));
        let mut batch = Vec::new().into_iter();
        let (mut applied, total) = (0, header.count);
        let report = store.import_changes(&header, &mut || {
            loop {
                if let Some(c) = batch.next() {
                    applied += 1;
                    if applied % PROGRESS_EVERY == 0 {
                        progress(ImportProgress::Applied(applied, total));
                    }
                    return Ok(Some(c));
                }
                match receive.recv() {
                    Ok(Handoff::Changes(next)) => batch = next.into_iter(),
                    Ok(Handoff::End) => {
                        progress(ImportProgress::Applied(total, total));
                        return Ok(None);
                    }
                    Ok(Handoff::Failed(e)) => return Err(e),
                    // Only a reader that died says nothing: never taken for the end, which
                    // would commit part of the bundle.
                    Err(mpsc::RecvError) => {
                        return Err(SyncError::Damaged("reading the bundle stopped unexpectedly".to_owned()));
                    }
                }
            }
        });
        // A store that stopped early drops the channel, so a reader waiting to send stops too.
        drop(receive);
        report
    })?;
    Ok((header, report))
}

/// What the reading thread hands the store's thread.
enum Handoff {
    Changes(Vec<CheckedChange>),
    /// The trailer checked out: every change was sent.
    End,
    /// The bundle or a change in it is refused; nothing follows.
    Failed(SyncError),
}

/// Parses and checks the bundle's changes and sends them in batches, then the end or the
/// reason it stopped.
fn read_changes<R: BufRead>(mut reader: BundleReader<R>, send: &mpsc::SyncSender<Handoff>) {
    let mut batch = Vec::with_capacity(CHANGES_PER_HANDOFF);
    loop {
        let last = match reader.next_change().and_then(|c| c.map(CheckedChange::new).transpose()) {
            Ok(Some(c)) => {
                batch.push(c);
                if batch.len() < CHANGES_PER_HANDOFF {
                    continue;
                }
                None
            }
            Ok(None) => Some(Handoff::End),
            Err(e) => Some(Handoff::Failed(e)),
        };
        let full = std::mem::replace(&mut batch, Vec::with_capacity(CHANGES_PER_HANDOFF));
        // A closed channel means the store stopped: nothing more to do.
        if !full.is_empty() && send.send(Handoff::Changes(full)).is_err() {
            return;
        }
        if let Some(last) = last {
            let _ = send.send(last);
            return;
        }
    }
}
