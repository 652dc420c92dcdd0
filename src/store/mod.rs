//! The local store: an SQLCipher-encrypted SQLite file, its schema, the single write path
//! with its change log, and the queries the rest of the program reads through.

pub mod audit;
pub mod check;
pub mod conflicts;
pub mod details;
pub mod entities;
pub mod error;
pub mod hlc;
mod journal;
pub mod merge;
mod migrations;
pub mod purge;
mod queries;
pub mod rows;
pub mod views;
pub mod write;

use std::fs::{self, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use zeroize::Zeroizing;

pub use conflicts::{Conflict, ConflictId, ConflictValue, Resolution};
pub use error::{Result, StoreError};
pub use merge::ImportReport;
pub use write::{ApplyReport, ChangeSet, Op, new_id};

/// The schema version this build writes (bundles from a newer one are refused).
pub const SCHEMA_VERSION: i64 = migrations::LATEST;
/// The newest schema version that changed what a synced change may hold (entities, fields,
/// kinds). Bundles carry it as their `schema`, so a store whose newer schema changed only
/// local things (v3: the change log's indexes) still syncs with older builds.
pub const SYNC_SCHEMA_VERSION: i64 = 2;

/// How the store file is protected.
#[derive(Clone)]
pub enum Key {
    /// Encrypted with a key derived from this passphrase.
    Passphrase(Zeroizing<String>),
    /// Not encrypted: only for throwaway demo stores and tests.
    Plaintext,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Passphrase(_) => f.write_str("Key::Passphrase(..)"),
            Key::Plaintext => f.write_str("Key::Plaintext"),
        }
    }
}

impl Key {
    /// A passphrase key.
    pub fn passphrase(p: impl Into<String>) -> Self {
        Key::Passphrase(Zeroizing::new(p.into()))
    }
}

/// An open store.
pub struct Store {
    conn: Connection,
    replica_id: String,
    path: Option<PathBuf>,
    key: Key,
    key_derivation: Duration,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).field("replica_id", &self.replica_id).finish()
    }
}

const FILE_MODE: u32 = 0o600;
const DIR_MODE: u32 = 0o700;

impl Store {
    /// Creates a new, empty store with a new replica id. Refuses an existing file.
    pub fn create(path: &Path, key: Key) -> Result<Store> {
        if path.exists() {
            return Err(StoreError::AlreadyExists { path: path.to_owned() });
        }
        ensure_private_dir(path)?;
        // Create the file ourselves so it is never, even briefly, readable by others.
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(path)
            .map_err(|e| StoreError::io(format!("cannot create {}", path.display()), e))?;
        let result = Self::open_file(path, key, true);
        if result.is_err() {
            let _ = fs::remove_file(path);
        }
        result
    }

    /// Opens an existing store, migrating it (after a backup) if it is older than this build.
    pub fn open(path: &Path, key: Key) -> Result<Store> {
        if !path.is_file() {
            return Err(StoreError::NotFound { path: path.to_owned() });
        }
        check_private(path)?;
        let mut store = match Self::open_file(path, key, false) {
            Err(e @ StoreError::WrongPassphrase { .. }) => {
                audit::note_failed_open(path);
                return Err(e);
            }
            other => other?,
        };
        store.record_failed_opens()?;
        Ok(store)
    }

    /// Opens a store for reading only, beside a process that may be writing it: no
    /// migration, no replica set-up, nothing written.
    pub fn open_read_only(path: &Path, key: Key) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        apply_key(&conn, &key)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let replica_id = conn.query_row("SELECT replica_id FROM replica", [], |r| r.get(0)).map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
                audit::note_failed_open(path);
                StoreError::WrongPassphrase { path: path.to_owned() }
            } else {
                e.into()
            }
        })?;
        Ok(Store { conn, replica_id, path: Some(path.to_owned()), key, key_derivation: Duration::ZERO })
    }

    /// A plaintext store in memory, for tests.
    pub fn in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        configure(&conn)?;
        migrations::migrate(&mut conn)?;
        let replica_id = init_replica(&conn)?;
        Ok(Store { conn, replica_id, path: None, key: Key::Plaintext, key_derivation: Duration::ZERO })
    }

    fn open_file(path: &Path, key: Key, creating: bool) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags)?;
        let started = Instant::now();
        apply_key(&conn, &key)?;
        // The first read derives the key and proves the passphrase; nothing is written before it.
        let readable = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0));
        let key_derivation = started.elapsed();
        match readable {
            Ok(_) => {}
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {
                return Err(StoreError::WrongPassphrase { path: path.to_owned() });
            }
            Err(e) => return Err(e.into()),
        }
        configure(&conn)?;
        let version = migrations::version(&conn)?;
        if !creating && version == 0 {
            return Err(StoreError::WrongPassphrase { path: path.to_owned() });
        }
        if version > 0 && version < migrations::LATEST {
            let backup = path.with_extension(format!("v{version}.bak"));
            backup_connection(&conn, &key, &backup)?;
        }
        migrations::migrate(&mut conn)?;
        let replica_id = init_replica(&conn)?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", path.display()));
            if side.exists() {
                let _ = fs::set_permissions(&side, fs::Permissions::from_mode(FILE_MODE));
            }
        }
        Ok(Store { conn, replica_id, path: Some(path.to_owned()), key, key_derivation })
    }

    /// This replica's id, fixed when the store was created.
    pub fn replica_id(&self) -> &str {
        &self.replica_id
    }

    /// The store file, if it is not in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Whether the file is encrypted.
    pub fn is_encrypted(&self) -> bool {
        matches!(self.key, Key::Passphrase(_))
    }

    /// How long opening took to derive the key from the passphrase.
    pub fn key_derivation_time(&self) -> Duration {
        self.key_derivation
    }

    /// Read access for queries. Writes go through [`Store::apply`] only.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Schema version of the open store.
    pub fn schema_version(&self) -> Result<i64> {
        migrations::version(&self.conn)
    }

    /// Writes a consistent copy of the store, encrypted with the same passphrase, while it stays open.
    pub fn backup_to(&self, out: &Path) -> Result<()> {
        if out.exists() {
            return Err(StoreError::AlreadyExists { path: out.to_owned() });
        }
        ensure_private_dir(out)?;
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(out)
            .map_err(|e| StoreError::io(format!("cannot create {}", out.display()), e))?;
        let result = backup_connection(&self.conn, &self.key, out);
        if result.is_err() {
            let _ = fs::remove_file(out);
        }
        result
    }
}

fn apply_key(conn: &Connection, key: &Key) -> Result<()> {
    // SQLCipher would otherwise print its own errors to stderr on a wrong passphrase.
    conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(())).optional()?;
    if let Key::Passphrase(p) = key {
        conn.pragma_update(None, "key", p.as_str())?;
        // Every page read is authenticated. HMAC-SHA256 runs on the CPU's SHA instructions
        // where SHA-512 has none, so reading a cold page costs a fraction; it is part of the
        // file format, so every open sets it (see docs/security.md once it exists).
        conn.query_row("PRAGMA cipher_hmac_algorithm = HMAC_SHA256", [], |_| Ok(())).optional()?;
    }
    Ok(())
}

/// How long a connection waits for another process's lock before saying the store is busy.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn configure(conn: &Connection) -> Result<()> {
    conn.set_prepared_statement_cache_capacity(256);
    // WAL with synchronous=FULL: a commit survives power loss; temp data never touches disk;
    // freed space is zeroed, so erased data (a purge) does not linger in free pages.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;
         PRAGMA cache_size = -65536;",
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(())
}

fn init_replica(conn: &Connection) -> Result<String> {
    conn.execute(
        "INSERT OR IGNORE INTO replica (singleton, replica_id, hlc, created_at) VALUES (1, ?1, 0, ?2)",
        rusqlite::params![new_id(), chrono::Utc::now().to_rfc3339()],
    )?;
    Ok(conn.query_row("SELECT replica_id FROM replica", [], |r| r.get(0))?)
}

fn backup_connection(src: &Connection, key: &Key, out: &Path) -> Result<()> {
    // Private from the first byte: SQLite gives its journal the file's mode, so neither the
    // copy nor its journal is ever readable by others, even if the copy is interrupted.
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(out)
        .map_err(|e| StoreError::io(format!("cannot create {}", out.display()), e))?;
    fs::set_permissions(out, fs::Permissions::from_mode(FILE_MODE))
        .map_err(|e| StoreError::io(format!("cannot set permissions of {}", out.display()), e))?;
    let mut dst = Connection::open(out)?;
    apply_key(&dst, key)?;
    {
        let backup = rusqlite::backup::Backup::new(src, &mut dst)?;
        backup.run_to_completion(1024, Duration::ZERO, None)?;
    }
    drop(dst);
    fs::set_permissions(out, fs::Permissions::from_mode(FILE_MODE))
        .map_err(|e| StoreError::io(format!("cannot set permissions of {}", out.display()), e))
}

/// Creates the parent directory (mode 0700) if it does not exist.
fn ensure_private_dir(path: &Path) -> Result<()> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if !dir.exists() {
        fs::create_dir_all(dir).map_err(|e| StoreError::io(format!("cannot create {}", dir.display()), e))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(DIR_MODE))
            .map_err(|e| StoreError::io(format!("cannot set permissions of {}", dir.display()), e))?;
    }
    Ok(())
}

/// Refuses a store file that other users can read or write.
fn check_private(path: &Path) -> Result<()> {
    let meta = fs::metadata(path).map_err(|e| StoreError::io(format!("cannot read {}", path.display()), e))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(StoreError::PermissionsTooOpen { path: path.to_owned(), mode });
    }
    Ok(())
}

impl Store {
    /// Changes the passphrase. The data is copied into a new file encrypted with the new
    /// passphrase (`STORE.rekey`, mode 0600) while this store holds an exclusive lock, the
    /// copy is reopened with the new passphrase and compared with the original (same
    /// fingerprint, same change log), the rekey is audited in the copy, and only then is the
    /// copy renamed over the store: a crash at any point leaves either the old store with
    /// the old passphrase or the new one with the new passphrase. Returns the store, open
    /// with the new passphrase. Refuses while another process has the store open.
    pub fn rekey(self, new: Key) -> Result<Store> {
        let Some(path) = self.path.clone() else {
            return Err(StoreError::Migration("an in-memory store has no passphrase".to_owned()));
        };
        let Key::Passphrase(new_pass) = &new else {
            return Err(StoreError::Migration("a store cannot be rekeyed to plaintext".to_owned()));
        };
        let tmp = PathBuf::from(format!("{}.rekey", path.display()));
        if tmp.exists() {
            return Err(StoreError::AlreadyExists { path: tmp });
        }
        // Hold the store exclusively until the new file is in place: no other process can
        // write to the old file after it was copied.
        self.conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")?;
        let fingerprint = self.fingerprint()?;
        let changes: i64 = self.conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?;
        let version = self.schema_version()?;
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(FILE_MODE)
            .open(&tmp)
            .map_err(|e| StoreError::io(format!("cannot create {}", tmp.display()), e))?;
        let result = (|| -> Result<()> {
            self.conn.execute(
                "ATTACH DATABASE ?1 AS rekeyed KEY ?2",
                rusqlite::params![tmp.to_string_lossy(), new_pass.as_str()],
            )?;
            self.conn.query_row("PRAGMA rekeyed.cipher_hmac_algorithm = HMAC_SHA256", [], |_| Ok(())).optional()?;
            self.conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))?;
            self.conn.execute_batch(&format!("PRAGMA rekeyed.user_version = {version}"))?;
            self.conn.execute_batch("DETACH DATABASE rekeyed")?;
            let mut copy = Self::open_file(&tmp, new.clone(), false)?;
            let copied: i64 = copy.conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))?;
            if copy.fingerprint()? != fingerprint || copied != changes || copy.replica_id != self.replica_id {
                return Err(StoreError::Migration(
                    "the re-encrypted copy differs from the store: nothing changed".into(),
                ));
            }
            copy.audit(crate::domain::enums::AuditAction::Rekey, None, "passphrase changed")?;
            copy.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
            drop(copy);
            Ok(())
        })();
        if let Err(e) = result {
            let _ = self.conn.execute_batch("DETACH DATABASE rekeyed");
            let _ = fs::remove_file(&tmp);
            let _ = fs::remove_file(format!("{}-wal", tmp.display()));
            let _ = fs::remove_file(format!("{}-shm", tmp.display()));
            return Err(e);
        }
        // Nothing of the old store may stay in its WAL to be applied to the new file.
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        fs::rename(&tmp, &path).map_err(|e| StoreError::io(format!("cannot replace {}", path.display()), e))?;
        drop(self);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Store::open(&path, new)
    }
}
