//! Where the store passphrase comes from: `--key-file`, the `SLUSS_PASSPHRASE` variable
//! (for scripts), or a prompt on the terminal, in that order.

use std::fs;
use std::io::IsTerminal;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use zeroize::Zeroizing;

/// Environment variable scripts set instead of typing the passphrase.
pub const ENV_VAR: &str = "SLUSS_PASSPHRASE";
/// Shortest passphrase accepted for a new store.
pub const MIN_LEN: usize = 8;

/// Why no passphrase could be had.
#[derive(Debug, thiserror::Error)]
pub enum PassphraseError {
    /// The key file could not be read.
    #[error("cannot read key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The key file can be read by other users.
    #[error("key file {path} can be read by other users: fix it with `chmod 600 {path}`")]
    KeyFileOpen {
        /// The file.
        path: String,
    },
    /// Nothing to read a passphrase from.
    #[error("no passphrase: run in a terminal, set {ENV_VAR}, or pass --key-file PATH")]
    NoSource,
    /// The passphrase variable is set but empty: a script's mistake, not a passphrase to try.
    #[error("{ENV_VAR} is set but empty: put the passphrase in it, or unset it to be asked")]
    EmptyVariable,
    /// The key file named is a folder.
    #[error("key file {path} is a folder: give the file in it")]
    KeyFileIsFolder {
        /// The folder.
        path: String,
    },
    /// The two entries of a new passphrase differ.
    #[error("the two passphrases differ: nothing was created; try again")]
    Mismatch,
    /// Too short for a new store.
    #[error("the passphrase is too short: use at least {MIN_LEN} characters")]
    TooShort,
    /// Reading from the terminal failed.
    #[error("cannot read the passphrase from the terminal: {0}")]
    Prompt(std::io::Error),
}

/// Gets the passphrase. `new_store` asks twice and enforces [`MIN_LEN`].
pub fn obtain(key_file: Option<&Path>, new_store: bool) -> Result<Zeroizing<String>, PassphraseError> {
    let pass = if let Some(path) = key_file {
        read_key_file(path)?
    } else if let Ok(p) = std::env::var(ENV_VAR) {
        if p.is_empty() {
            return Err(PassphraseError::EmptyVariable);
        }
        Zeroizing::new(p)
    } else if std::io::stdin().is_terminal() {
        let first =
            Zeroizing::new(rpassword::prompt_password("Lösenfras / passphrase: ").map_err(PassphraseError::Prompt)?);
        if new_store {
            let again =
                Zeroizing::new(rpassword::prompt_password("Upprepa / repeat: ").map_err(PassphraseError::Prompt)?);
            if *first != *again {
                return Err(PassphraseError::Mismatch);
            }
        }
        first
    } else {
        return Err(PassphraseError::NoSource);
    };
    if new_store && pass.chars().count() < MIN_LEN {
        return Err(PassphraseError::TooShort);
    }
    Ok(pass)
}

fn read_key_file(path: &Path) -> Result<Zeroizing<String>, PassphraseError> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|source| PassphraseError::KeyFile { path: shown.clone(), source })?;
    if meta.is_dir() {
        return Err(PassphraseError::KeyFileIsFolder { path: shown });
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(PassphraseError::KeyFileOpen { path: shown });
    }
    let text =
        Zeroizing::new(fs::read_to_string(path).map_err(|source| PassphraseError::KeyFile { path: shown, source })?);
    Ok(Zeroizing::new(text.trim_end_matches(['\n', '\r']).to_owned()))
}
