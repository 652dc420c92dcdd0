//! Errors of the store. Messages name the table, field and row id, never a stored value,
//! so they can be shown and logged without leaking personal data.

use std::path::PathBuf;

/// Anything that can go wrong opening, reading or writing a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The passphrase does not open the file, or the file is not a sluss store.
    #[error("cannot open {path}: wrong passphrase, or the file is not a sluss store")]
    WrongPassphrase {
        /// The store file.
        path: PathBuf,
    },
    /// No store exists at the path.
    #[error("no store at {path}: create one with `sluss init --db {path}`")]
    NotFound {
        /// The store file.
        path: PathBuf,
    },
    /// The path is a folder, not a store file.
    #[error("{path} is a folder: give the store file in it, e.g. {path}/sluss.db")]
    IsFolder {
        /// The folder.
        path: PathBuf,
    },
    /// The file is an SQLite database without encryption: sluss keeps its stores encrypted
    /// and opens no other.
    #[error("{path} is an unencrypted SQLite file, not an encrypted sluss store: sluss opens encrypted stores only")]
    Unencrypted {
        /// The file.
        path: PathBuf,
    },
    /// A store already exists where a new one was to be created.
    #[error("{path} already exists: choose another path or remove the old store first")]
    AlreadyExists {
        /// The store file.
        path: PathBuf,
    },
    /// Other users could read the store.
    #[error("{path} can be read by other users (mode {mode:o}): fix it with `chmod 600 {path}`")]
    PermissionsTooOpen {
        /// The file.
        path: PathBuf,
        /// Its current mode bits.
        mode: u32,
    },
    /// The store was written by a newer sluss.
    #[error("the store has schema version {found}, newer than this sluss knows ({known}): upgrade sluss")]
    NewerSchema {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// Another process holds the store's write lock.
    #[error("the store is locked by another sluss process: close it and try again")]
    Locked,
    /// The file or its directory cannot be written.
    #[error("the store is read-only: check the permissions of the file and its directory")]
    ReadOnly,
    /// The disk is full; nothing of the current change was written.
    #[error("the disk is full: nothing was written; free some space and try again")]
    DiskFull,
    /// The entity is not a synced table.
    #[error("unknown entity '{0}'")]
    UnknownEntity(String),
    /// The entity has no such field.
    #[error("{entity} has no field '{field}'")]
    UnknownField {
        /// Table.
        entity: String,
        /// Field asked for.
        field: String,
    },
    /// A value does not fit its field.
    #[error("{entity}.{field}: {problem}")]
    InvalidValue {
        /// Table.
        entity: String,
        /// Field.
        field: String,
        /// What is wrong and how to fix it; never the value itself.
        problem: String,
    },
    /// An insert lacks a field the entity requires.
    #[error("{entity}.{field} is required")]
    MissingField {
        /// Table.
        entity: String,
        /// Field.
        field: String,
    },
    /// The row to change does not exist (or was deleted).
    #[error("{entity} {id} does not exist")]
    RowNotFound {
        /// Table.
        entity: String,
        /// Row id.
        id: String,
    },
    /// A row with that id exists already.
    #[error("{entity} {id} exists already")]
    RowExists {
        /// Table.
        entity: String,
        /// Row id.
        id: String,
    },
    /// Append-only rows are never edited; a correction is a new row.
    #[error("{entity} is append-only: add a new entry instead of editing")]
    AppendOnly {
        /// Table.
        entity: String,
    },
    /// A migration failed; the store was left at its old version.
    #[error("schema migration failed: {0}")]
    Migration(String),
    /// A file operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked,
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly,
            Some(ErrorCode::DiskFull) => StoreError::DiskFull,
            _ => StoreError::Sqlite(e),
        }
    }
}

impl StoreError {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        StoreError::Io { context: context.into(), source }
    }
}

/// Result of store operations.
pub type Result<T> = std::result::Result<T, StoreError>;
