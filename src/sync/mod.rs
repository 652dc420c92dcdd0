//! Offline sync between replicas: the bundle format (header, changes, checksum), version
//! vectors, the merge order, and export/import of encrypted bundle files. docs/sync.md
//! describes the format and the merge rules for anyone writing a compatible reader.
//!
//! The store layer (src/store/merge.rs) applies what this module reads; this module never
//! writes a table itself.

pub mod bundle;
pub mod crypto;
pub mod export;
pub mod import;

use std::collections::BTreeMap;

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

pub use bundle::{FORMAT, FORMAT_VERSION, Header};
pub use crypto::{Decryption, Encryption};
pub use export::{ExportOptions, ExportReport, export, write_bundle};
pub use import::{ImportOptions, ImportProgress, import, import_with_progress, verify};

/// One field-level change as it travels between replicas (one line of a bundle).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Change id (UUIDv7), unique across all replicas.
    pub id: String,
    /// Entity (table) name.
    pub entity: String,
    /// Row id (UUIDv7).
    pub row: String,
    /// Field name; `*` for a row insert (the value is an object of every field given),
    /// `deleted` for a tombstone or restore.
    pub field: String,
    /// The new value.
    pub value: serde_json::Value,
    /// Hybrid logical clock of the change (ms << 16 | counter).
    pub hlc: u64,
    /// Origin replica id.
    pub replica: String,
    /// Who made it.
    pub author: String,
    /// Ids of the changes this one has seen and replaces, the field's previous head first.
    #[serde(default)]
    pub supersedes: Vec<String>,
}

impl Change {
    /// The change's position in merge order: clock first, origin replica on a tie.
    pub fn order(&self) -> (u64, &str) {
        (self.hlc, self.replica.as_str())
    }
}

/// A change as export reads it from the log: borrowed text, the value as stored (JSON text),
/// so writing it costs no parsing and no allocation.
#[derive(Debug, Clone, Copy)]
pub struct ChangeRef<'a> {
    /// Change id.
    pub id: &'a str,
    /// Entity (table) name.
    pub entity: &'a str,
    /// Row id.
    pub row: &'a str,
    /// Field name (`*`, `deleted` or a column).
    pub field: &'a str,
    /// The value as JSON text, as stored in the log.
    pub value: &'a str,
    /// Hybrid logical clock.
    pub hlc: u64,
    /// Origin replica id.
    pub replica: &'a str,
    /// Who made it.
    pub author: &'a str,
    /// The field's previous head this change replaced.
    pub supersedes: Option<&'a str>,
    /// Further changes it has seen, comma-separated.
    pub also_supersedes: Option<&'a str>,
}

impl ChangeRef<'_> {
    /// Every change it supersedes, the previous head first.
    pub fn supersedes(&self) -> impl Iterator<Item = &str> {
        self.supersedes.into_iter().chain(self.also_supersedes.into_iter().flat_map(|s| s.split(',')))
    }
}

/// Whether a change at position `a` wins over one at `b` under last-writer-wins: the later
/// clock, and on equal clocks the greater replica id (compared as bytes).
pub fn wins(a: (u64, &str), b: (u64, &str)) -> bool {
    a > b
}

/// A replica's knowledge: for each origin replica, the clock value up to which it holds
/// every change of that origin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VersionVector(pub BTreeMap<String, u64>);

impl VersionVector {
    /// The clock value known for an origin (0: nothing).
    pub fn get(&self, replica: &str) -> u64 {
        self.0.get(replica).copied().unwrap_or(0)
    }

    /// Whether a change of `replica` at `hlc` is already covered.
    pub fn covers(&self, replica: &str, hlc: u64) -> bool {
        hlc <= self.get(replica)
    }

    /// Raises each entry to the other's where that is higher.
    pub fn merge_max(&mut self, other: &VersionVector) {
        for (r, &h) in &other.0 {
            let e = self.0.entry(r.clone()).or_insert(0);
            *e = (*e).max(h);
        }
    }

    /// Whether every entry of `self` is at most the same entry of `other`.
    pub fn le(&self, other: &VersionVector) -> bool {
        self.0.iter().all(|(r, &h)| h <= other.get(r))
    }
}

/// Anything that can go wrong exporting or importing a bundle. Messages name what is wrong
/// and what to do, never a stored value.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The file is not a sluss bundle at all.
    #[error("{0} is not a sluss bundle: nothing was imported; check that you picked the right file")]
    NotABundle(String),
    /// The bundle ends early or a part of it is damaged.
    #[error("the bundle is damaged or incomplete ({0}): nothing was imported; ask the sender to export it again")]
    Damaged(String),
    /// The bundle was written in a newer format than this build reads.
    #[error(
        "the bundle uses format version {found}, newer than this sluss knows ({known}): nothing was imported; upgrade sluss"
    )]
    NewerFormat {
        /// Version in the bundle.
        found: u32,
        /// Newest version this build reads.
        known: u32,
    },
    /// The bundle comes from a store with a newer schema.
    #[error(
        "the bundle comes from a store with schema version {found}, newer than this sluss knows ({known}): nothing was imported; upgrade sluss"
    )]
    NewerSchema {
        /// Schema version in the bundle.
        found: i64,
        /// Newest schema this build knows.
        known: i64,
    },
    /// The bundle holds a change the registry refuses.
    #[error("the bundle holds a change this sluss refuses ({0}): nothing was imported")]
    BadChange(String),
    /// The bundle is encrypted and no key of the kind that opens it was given.
    #[error("{}", match .0 {
        crypto::Protection::Passphrase => "the bundle is protected by a passphrase: pass --passphrase-env VAR, VAR holding it",
        _ => "the bundle is encrypted to an age key: pass --identity FILE, the age identity file that matches it",
    })]
    NeedKey(crypto::Protection),
    /// None of the keys given opens the bundle.
    #[error("none of the keys given opens the bundle: check --identity / the passphrase; nothing was imported")]
    WrongKey,
    /// A recipient, identity or passphrase is unusable.
    #[error("{0}")]
    Key(String),
    /// The arguments do not make sense together.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl From<rusqlite::Error> for SyncError {
    fn from(e: rusqlite::Error) -> Self {
        SyncError::Store(e.into())
    }
}

impl SyncError {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        SyncError::Io { context: context.into(), source }
    }

    /// The message for the interface, in its language: the facts the command line's message
    /// gives, with advice that fits a prompt (no command-line options). The interface says
    /// before it that nothing was imported or exported.
    pub fn on_screen(&self, lang: Lang) -> String {
        let sv = lang == Lang::Sv;
        match self {
            SyncError::NotABundle(file) if sv => {
                format!("{file} är ingen sluss-fil: kontrollera att du valde rätt fil")
            }
            SyncError::NotABundle(file) => {
                format!("{file} is not a sluss bundle: check that you picked the right file")
            }
            SyncError::Damaged(what) if sv => {
                // The detail is the program's own words, kept for whoever helps.
                format!("filen är skadad eller ofullständig: be avsändaren exportera den igen (teknisk detalj: {what})")
            }
            SyncError::Damaged(what) => {
                format!("the file is damaged or incomplete ({what}): ask the sender to export it again")
            }
            SyncError::NewerFormat { found, known } if sv => {
                format!("filen har formatversion {found}, nyare än den här sluss kan läsa ({known}): uppdatera sluss")
            }
            SyncError::NewerFormat { found, known } => {
                format!("the file has format version {found}, newer than this sluss reads ({known}): upgrade sluss")
            }
            SyncError::NewerSchema { found, known } if sv => format!(
                "filen kommer från ett register med schemaversion {found}, nyare än den här sluss känner ({known}): uppdatera sluss"
            ),
            SyncError::NewerSchema { found, known } => format!(
                "the file comes from a store with schema version {found}, newer than this sluss knows ({known}): upgrade sluss"
            ),
            SyncError::BadChange(what) if sv => {
                format!("filen innehåller en ändring som sluss inte godtar (teknisk detalj: {what})")
            }
            SyncError::BadChange(what) => format!("the file holds a change sluss refuses ({what})"),
            SyncError::NeedKey(crypto::Protection::Passphrase) if sv => {
                "filen skyddas av en lösenfras: skriv den".to_owned()
            }
            SyncError::NeedKey(crypto::Protection::Passphrase) => {
                "the file is protected by a passphrase: type it".to_owned()
            }
            SyncError::NeedKey(_) if sv => {
                "filen är krypterad till en age-nyckel: ange din nyckelfil som identity i sync.toml".to_owned()
            }
            SyncError::NeedKey(_) => {
                "the file is encrypted to an age key: set your key file as identity in sync.toml".to_owned()
            }
            SyncError::WrongKey if sv => {
                "ingen av nycklarna öppnar filen: kontrollera lösenfrasen eller nyckelfilen i sync.toml".to_owned()
            }
            SyncError::WrongKey => {
                "none of the keys opens the file: check the passphrase or the key file in sync.toml".to_owned()
            }
            other => other.to_string(),
        }
    }

    /// Whether this is a refusal (bad input, wrong key) rather than a failure.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, SyncError::Io { .. } | SyncError::Store(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vv(entries: &[(&str, u64)]) -> VersionVector {
        VersionVector(entries.iter().map(|(r, h)| ((*r).to_owned(), *h)).collect())
    }

    /// The interface's messages are in its language and give no command-line advice.
    #[test]
    fn refusals_on_screen_speak_the_interface_language_without_command_line_options() {
        let refusals = [
            SyncError::NotABundle("/tmp/lista.txt".to_owned()),
            SyncError::Damaged("it ended before its last change".to_owned()),
            SyncError::NewerFormat { found: 2, known: 1 },
            SyncError::NewerSchema { found: 9, known: 3 },
            SyncError::BadChange("no such table".to_owned()),
            SyncError::NeedKey(crypto::Protection::Passphrase),
            SyncError::NeedKey(crypto::Protection::Recipients),
            SyncError::WrongKey,
        ];
        for e in &refusals {
            let (sv, en) = (e.on_screen(Lang::Sv), e.on_screen(Lang::En));
            assert!(!sv.contains("--") && !en.contains("--"), "{sv} / {en}");
            assert!(!sv.contains("nothing") && !sv.contains("bundle"), "English left in: {sv}");
            assert_ne!(sv, en);
        }
        assert!(SyncError::NotABundle("/tmp/lista.txt".to_owned()).on_screen(Lang::Sv).starts_with("/tmp/lista.txt"));
    }

    #[test]
    fn the_later_clock_wins_and_the_greater_replica_breaks_a_tie() {
        assert!(wins((5, "a"), (4, "z")));
        assert!(!wins((4, "z"), (5, "a")));
        assert!(wins((5, "b"), (5, "a")));
        assert!(!wins((5, "a"), (5, "a")), "a change does not beat itself");
    }

    #[test]
    fn version_vectors_merge_by_maximum_and_compare_entrywise() {
        let mut a = vv(&[("a", 3), ("b", 7)]);
        a.merge_max(&vv(&[("b", 5), ("c", 2)]));
        assert_eq!(a, vv(&[("a", 3), ("b", 7), ("c", 2)]));
        assert!(a.covers("b", 7) && !a.covers("b", 8) && !a.covers("d", 1));
        assert!(vv(&[("a", 3)]).le(&a));
        assert!(!vv(&[("a", 4)]).le(&a));
        assert!(VersionVector::default().le(&a));
    }
}
