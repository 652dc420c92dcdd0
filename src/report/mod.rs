//! Follow-up and evaluation (uppföljning, domain.md §7): the indicators computed from the
//! store, their CSV form, the pseudonymised export for evaluators, meetings as iCalendar and
//! the client's printable plan ("Min plan"). Core code: no terminal UI in here.
//!
//! A screen calls [`indicators::follow_up`] and draws the [`indicators::Indicators`] it gets
//! (tables of labelled rows and series for bars and sparklines); the palette calls
//! [`ics::write_ics`] and [`plan::client_plan`]. docs/follow-up.md defines every figure.

pub mod cache;
pub mod csv;
mod facts;
pub mod ics;
pub mod indicators;
pub mod period;
pub mod plan;
pub mod pseudonymise;

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub use indicators::{By, Indicators, follow_up};
pub use period::Period;

use crate::store::StoreError;

/// Anything that can go wrong producing a report, calendar or plan. Messages name files and
/// ids, never a stored value.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No live client has this id.
    #[error("no client with id {0}: copy the id from the client's workspace in sluss")]
    NoSuchClient(String),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The output file exists already and would be overwritten.
    #[error("{0} already exists: choose another path or remove it first")]
    Exists(PathBuf),
    /// CSV encoding failed.
    #[error("cannot write CSV: {0}")]
    Csv(String),
}

impl From<rusqlite::Error> for ReportError {
    fn from(e: rusqlite::Error) -> Self {
        ReportError::Store(e.into())
    }
}

/// Result of report functions.
pub type Result<T> = std::result::Result<T, ReportError>;

/// Writes `bytes` to a new file readable by its owner only (0600): exports hold personal or
/// evaluation data and must not be readable by other users of a shared machine.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| ReportError::Write { path: path.to_owned(), source };
    if path.exists() {
        return Err(ReportError::Exists(path.to_owned()));
    }
    let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)?;
    // The umask can only remove bits, but say so explicitly for files created by others' code.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests;

/// Column `i` as text without copying it (`None` for NULL).
pub(crate) fn str_at<'a>(r: &'a rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<&'a str>> {
    r.get_ref(i)?
        .as_str_or_null()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}
