//! `sluss import`: read a bundle twice. The first pass decrypts and checks everything
//! (format, versions, every change against the registry, count, checksum) without touching
//! the store; the second applies it in one transaction. Memory stays bounded (one line, and
//! the store's batch of pending values): the price is decrypting twice (a passphrase
//! bundle's key is derived once and kept for the second pass).

use std::path::Path;

use super::SyncError;
use super::bundle::{BundleReader, Header};
use super::crypto::{self, Decryption, FileKeyCache};
use crate::store::merge::validate_change;
use crate::store::{ImportReport, Store};

/// How to open the bundle.
#[derive(Default)]
pub struct ImportOptions {
    /// Keys.
    pub keys: Decryption,
}

/// Checks a bundle completely without a store: returns its header and whether it was
/// encrypted.
pub fn verify(path: &Path, keys: &Decryption) -> Result<(Header, bool), SyncError> {
    verify_with(path, keys, &FileKeyCache::default())
}

fn verify_with(path: &Path, keys: &Decryption, cache: &FileKeyCache) -> Result<(Header, bool), SyncError> {
    let (input, encrypted) = crypto::open(path, keys, cache)?;
    let mut reader = BundleReader::new(input, &path.display().to_string())?;
    while let Some(c) = reader.next_change()? {
        validate_change(&c).map_err(|e| SyncError::BadChange(e.to_string()))?;
    }
    Ok((reader.header().clone(), encrypted))
}

/// Verifies, then imports a bundle. The store is unchanged by any refusal.
pub fn import(store: &mut Store, path: &Path, opts: &ImportOptions) -> Result<(Header, ImportReport), SyncError> {
    let cache = FileKeyCache::default();
    let (header, _) = verify_with(path, &opts.keys, &cache)?;
    let (input, _) = crypto::open(path, &opts.keys, &cache)?;
    let mut reader = BundleReader::new(input, &path.display().to_string())?;
    if reader.header() != &header {
        return Err(SyncError::Damaged("the file changed while it was read".to_owned()));
    }
    let report = store.import_changes(&header, &mut || reader.next_change())?;
    Ok((header, report))
}
