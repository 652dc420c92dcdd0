//! Encryption of bundle files with age: to X25519 recipients (`age1…` public keys) or to a
//! passphrase (scrypt). Plaintext only when the caller asks for it by name.

use std::fs;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::secrecy::SecretString;
use zeroize::Zeroizing;

use super::SyncError;

/// The first bytes of every age file (binary, not armoured).
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";

/// How an export is protected.
pub enum Encryption {
    /// To these age public keys (`age1…`); any one of their secret keys opens it.
    Recipients(Vec<age::x25519::Recipient>),
    /// To a passphrase. `work_factor` (log2 of scrypt's N) is for tests only: `None` is
    /// [`PASSPHRASE_WORK_FACTOR`].
    Passphrase {
        /// The passphrase.
        passphrase: Zeroizing<String>,
        /// scrypt work factor override.
        work_factor: Option<u8>,
    },
    /// Not encrypted (`--unencrypted`).
    None,
}

impl std::fmt::Debug for Encryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Encryption::Recipients(r) => write!(f, "Recipients({})", r.len()),
            Encryption::Passphrase { .. } => f.write_str("Passphrase(..)"),
            Encryption::None => f.write_str("None"),
        }
    }
}

/// The scrypt work factor (log2 of N, with age's r = 8) a passphrase bundle is written with,
/// and the most an import accepts. scrypt needs 128 · r · N bytes: 2^16 takes 64 MiB and
/// about a fifth of a second, which keeps import within its 150 MB memory budget. age's own
/// choice (about a second of work on the writing machine) took 256–512 MiB, and a bundle
/// made that way is refused with a message saying so (see docs/security.md).
pub const PASSPHRASE_WORK_FACTOR: u8 = 16;

/// How an import may open a bundle.
#[derive(Default)]
pub struct Decryption {
    /// Age secret keys.
    pub identities: Vec<age::x25519::Identity>,
    /// A passphrase.
    pub passphrase: Option<Zeroizing<String>>,
}

/// Parses age public keys.
pub fn parse_recipients(keys: &[String]) -> Result<Vec<age::x25519::Recipient>, SyncError> {
    keys.iter()
        .map(|k| {
            age::x25519::Recipient::from_str(k.trim())
                .map_err(|_| SyncError::Key(format!("'{k}' is not an age public key: it should start with age1")))
        })
        .collect()
}

/// Reads age secret keys from an identity file (as written by `age-keygen`), which must be
/// private to its owner.
pub fn read_identity_file(path: &Path) -> Result<Vec<age::x25519::Identity>, SyncError> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| SyncError::io(format!("cannot read identity file {shown}"), e))?;
    if meta.is_dir() {
        return Err(SyncError::Key(format!("identity file {shown} is a folder: give the key file in it")));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(SyncError::Key(format!(
            "identity file {shown} can be read by other users: fix it with `chmod 600 {shown}`"
        )));
    }
    let text = Zeroizing::new(
        fs::read_to_string(path).map_err(|e| SyncError::io(format!("cannot read identity file {shown}"), e))?,
    );
    let keys: Vec<age::x25519::Identity> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            age::x25519::Identity::from_str(l).map_err(|_| {
                SyncError::Key(format!("identity file {shown} holds a line that is not an age secret key"))
            })
        })
        .collect::<Result<_, _>>()?;
    if keys.is_empty() {
        return Err(SyncError::Key(format!("identity file {shown} holds no age secret key (AGE-SECRET-KEY-1…)")));
    }
    Ok(keys)
}

/// A passphrase from an environment variable.
pub fn passphrase_from_env(var: &str) -> Result<Zeroizing<String>, SyncError> {
    match std::env::var(var) {
        Ok(p) if !p.is_empty() => Ok(Zeroizing::new(p)),
        Ok(_) => Err(SyncError::Usage(format!("the environment variable {var} named by --passphrase-env is empty"))),
        Err(_) => Err(SyncError::Usage(format!("the environment variable {var} named by --passphrase-env is not set"))),
    }
}

/// A passphrase to encrypt a new bundle with, from `var`: refused when shorter than a new
/// store's ([`crate::passphrase::MIN_LEN`]); opening an existing bundle takes whatever it was
/// made with.
pub fn new_passphrase_from_env(var: &str) -> Result<Zeroizing<String>, SyncError> {
    let p = passphrase_from_env(var)?;
    let min = crate::passphrase::MIN_LEN;
    if p.chars().count() < min {
        return Err(SyncError::Usage(format!(
            "the passphrase in {var} has {} characters: a bundle's needs at least {min}",
            p.chars().count()
        )));
    }
    Ok(p)
}

/// Where a bundle is written: straight through, or through age.
pub(crate) enum Sink<W: Write> {
    Plain(W),
    Age(age::stream::StreamWriter<W>),
}

impl<W: Write> Sink<W> {
    pub(crate) fn new(out: W, enc: &Encryption) -> Result<Sink<W>, SyncError> {
        let encryptor = match enc {
            Encryption::None => return Ok(Sink::Plain(out)),
            Encryption::Recipients(rs) => {
                if rs.is_empty() {
                    return Err(SyncError::Usage(
                        "no recipient: pass --recipient AGE_PUBLIC_KEY, --passphrase-env VAR or --unencrypted"
                            .to_owned(),
                    ));
                }
                age::Encryptor::with_recipients(rs.iter().map(|r| r as &dyn age::Recipient))
                    .map_err(|e| SyncError::Key(format!("cannot encrypt to these recipients: {e}")))?
            }
            Encryption::Passphrase { passphrase, work_factor } => {
                let mut r = age::scrypt::Recipient::new(SecretString::from(passphrase.as_str().to_owned()));
                r.set_work_factor(work_factor.unwrap_or(PASSPHRASE_WORK_FACTOR));
                age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
                    .map_err(|e| SyncError::Key(format!("cannot encrypt: {e}")))?
            }
        };
        let w = encryptor.wrap_output(out).map_err(|e| SyncError::io("cannot write the bundle", e))?;
        Ok(Sink::Age(w))
    }

    pub(crate) fn finish(self) -> io::Result<W> {
        match self {
            Sink::Plain(w) => Ok(w),
            Sink::Age(w) => w.finish(),
        }
    }
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Age(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Age(w) => w.flush(),
        }
    }
}

/// How a bundle file is protected, as its first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// Not encrypted (or not a bundle at all, which reading it then says).
    None,
    /// Encrypted to a passphrase.
    Passphrase,
    /// Encrypted to age public keys: opening it needs one of their identity files.
    Recipients,
}

/// A bundle file opened up to its encryption header, if it has one.
enum Opened {
    Plain(BufReader<fs::File>),
    Age(age::Decryptor<BufReader<fs::File>>),
}

fn open_file(path: &Path) -> Result<Opened, SyncError> {
    let shown = path.display().to_string();
    let file = fs::File::open(path).map_err(|e| SyncError::io(format!("cannot read {shown}"), e))?;
    let mut input = BufReader::with_capacity(64 * 1024, file);
    let head = input.fill_buf().map_err(|e| SyncError::io(format!("cannot read {shown}"), e))?;
    if !head.starts_with(AGE_MAGIC) {
        return Ok(Opened::Plain(input));
    }
    age::Decryptor::new_buffered(input).map(Opened::Age).map_err(|e| match e {
        age::DecryptError::UnknownFormat => SyncError::NotABundle(shown),
        other => SyncError::Damaged(format!("unreadable encryption header: {other}")),
    })
}

/// Reads how a bundle file is protected, so an interface asks for a passphrase only when
/// one opens it.
pub fn protection(path: &Path) -> Result<Protection, SyncError> {
    Ok(match open_file(path)? {
        Opened::Plain(_) => Protection::None,
        Opened::Age(d) if d.is_scrypt() => Protection::Passphrase,
        Opened::Age(_) => Protection::Recipients,
    })
}

/// Opens a bundle file for reading its plaintext: decrypts an age file with the keys given,
/// passes anything else through for the bundle reader to judge. Returns whether it was
/// encrypted.
pub(crate) fn open(path: &Path, keys: &Decryption) -> Result<(Box<dyn BufRead + Send>, bool), SyncError> {
    let decryptor = match open_file(path)? {
        Opened::Plain(input) => return Ok((Box::new(input), false)),
        Opened::Age(decryptor) => decryptor,
    };
    let reader = if decryptor.is_scrypt() {
        let Some(p) = &keys.passphrase else {
            return Err(SyncError::NeedKey(Protection::Passphrase));
        };
        let mut identity = age::scrypt::Identity::new(SecretString::from(p.as_str().to_owned()));
        identity.set_max_work_factor(PASSPHRASE_WORK_FACTOR);
        decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
    } else {
        if keys.identities.is_empty() {
            return Err(SyncError::NeedKey(Protection::Recipients));
        }
        decryptor.decrypt(keys.identities.iter().map(|i| i as &dyn age::Identity))
    }
    .map_err(|e| match e {
        age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed => SyncError::WrongKey,
        age::DecryptError::ExcessiveWork { required, .. } => SyncError::Key(format!(
            "the bundle's passphrase protection needs scrypt work factor {required} ({} MiB of memory), more than \
             sluss allows ({PASSPHRASE_WORK_FACTOR}, {} MiB): nothing was imported; ask the sender to export it again \
             with this version of sluss, or to your age public key",
            scrypt_mib(required),
            scrypt_mib(PASSPHRASE_WORK_FACTOR)
        )),
        other => SyncError::Damaged(other.to_string()),
    })?;
    Ok((Box::new(BufReader::with_capacity(64 * 1024, reader)), true))
}

/// Memory scrypt needs at a work factor, in MiB (128 · r · N bytes, r = 8).
fn scrypt_mib(log_n: u8) -> u64 {
    1u64.checked_shl(u32::from(log_n)).map_or(u64::MAX, |n| n / 1024)
}

/// Export keys kept in `sync.toml` beside config.toml (or at `$SLUSS_SYNC_CONFIG`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// Age public keys every export is encrypted to when no `--recipient` is given.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Age identity file imports use when no `--identity` is given.
    pub identity: Option<PathBuf>,
}

/// Environment variable naming another sync config file.
pub const CONFIG_ENV: &str = "SLUSS_SYNC_CONFIG";

impl SyncConfig {
    /// Loads the sync config; a missing file is an empty config.
    pub fn load() -> Result<SyncConfig, SyncError> {
        let path = match std::env::var_os(CONFIG_ENV) {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => match directories::ProjectDirs::from("se", "sluss", "sluss") {
                Some(d) => d.config_dir().join("sync.toml"),
                None => return Ok(SyncConfig::default()),
            },
        };
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(SyncConfig::default()),
            Err(e) => return Err(SyncError::io(format!("cannot read {}", path.display()), e)),
        };
        toml::from_str(&text).map_err(|e| SyncError::Usage(format!("{}: {}", path.display(), e.message())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identity_file_must_be_a_private_file_of_age_keys() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_identity_file(dir.path()).err().expect("a folder is refused");
        assert!(err.to_string().contains("is a folder"), "{err}");
        let file = dir.path().join("k");
        let key = age::x25519::Identity::generate();
        fs::write(&file, format!("# key\n{}\n", age::secrecy::ExposeSecret::expose_secret(&key.to_string()))).unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_identity_file(&file).err().expect("a readable key file is refused");
        assert!(err.to_string().contains("chmod 600"), "{err}");
        fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(read_identity_file(&file).unwrap().len(), 1);
    }
}
