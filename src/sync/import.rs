//! `sluss import`: read a bundle once. A reading thread decrypts it, checks its framing
//! (format, versions, count, checksum) and every change against the registry, while this
//! one applies the changes in one transaction, which a bad change, a count or checksum that
//! does not match, or a file that ends early rolls back: the store is unchanged by any
//! refusal. Memory stays bounded (one line, a few batches in flight and the store's batch
//! of pending values).
//!
//! Earlier builds read the file twice, checking it whole before touching the store. That
//! refused a damaged bundle sooner (seconds rather than a minute for a first sync of
//! millions of changes) at a twentieth of every import's time; the transaction already
//! keeps the store safe, so the second reading went.

use std::io::BufRead;
use std::path::Path;
use std::sync::mpsc;

use super::SyncError;
use super::bundle::{BundleReader, Header};
use super::crypto::{self, Decryption};
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

/// Progress is reported every this many changes (a few times a second), and at the end.
const PROGRESS_EVERY: u64 = 1 << 16;

/// How far an import is: changes checked and written out of the bundle's count (the
/// commit follows the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress(pub u64, pub u64);

/// Checks a bundle's encryption and framing without a store: the header, the change count
/// and the checksum over every line. Returns its header and whether it was encrypted.
pub fn verify(path: &Path, keys: &Decryption) -> Result<(Header, bool), SyncError> {
    let (input, encrypted) = crypto::open(path, keys)?;
    let mut reader = BundleReader::new(input, &path.display().to_string())?;
    while reader.next_line()?.is_some() {}
    Ok((reader.header().clone(), encrypted))
}

/// Imports a bundle. The store is unchanged by any refusal.
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
    let (input, _) = crypto::open(path, &opts.keys)?;
    let reader = BundleReader::new(input, &path.display().to_string())?;
    let header = reader.header().clone();
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
                        progress(ImportProgress(applied, total));
                    }
                    return Ok(Some(c));
                }
                match receive.recv() {
                    Ok(Handoff::Changes(next)) => batch = next.into_iter(),
                    Ok(Handoff::End) => {
                        progress(ImportProgress(total, total));
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
