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
mod row_filter;
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

/// The page size of a store created by this build, in bytes. SQLCipher encrypts and
/// authenticates every page on its own (an IV, AES, an HMAC and a write each), and a large
/// import writes hundreds of megabytes: 16 KiB pages make it a seventh faster than SQLite's
/// usual 4 KiB (docs/performance.md). SQLCipher cannot read the page size from the
/// encrypted file, so an open tries this one and then [`OLD_PAGE_SIZE`].
pub const PAGE_SIZE: u32 = 16384;
/// The page size of stores created before [`PAGE_SIZE`]; they keep it (a rekey copies a
/// store into the new size).
pub const OLD_PAGE_SIZE: u32 = 4096;

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
        if path.is_dir() {
            return Err(StoreError::IsFolder { path: path.to_owned() });
        }
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
        if path.is_dir() {
            return Err(StoreError::IsFolder { path: path.to_owned() });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match connect(path, flags, &key, page_sizes(path)) {
            Err(e @ StoreError::WrongPassphrase { .. }) => {
                audit::note_failed_open(path);
                return Err(e);
            }
            other => other?,
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let replica_id = conn.query_row("SELECT replica_id FROM replica", [], |r| r.get(0))?;
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
        let started = Instant::now();
        let sizes = if creating { &[PAGE_SIZE][..] } else { page_sizes(path) };
        let mut conn = connect(path, flags, &key, sizes)?;
        let key_derivation = started.elapsed();
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

    /// Whether the store was opened with this passphrase. Compared in time that does not
    /// depend on where the two first differ.
    pub fn opened_with(&self, passphrase: &str) -> bool {
        let Key::Passphrase(p) = &self.key else { return false };
        let (a, b) = (p.as_bytes(), passphrase.as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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

/// The page sizes to try when opening `path`, most likely first. A file whose length is no
/// multiple of [`PAGE_SIZE`] cannot have pages of that size, which spares an old store a
/// second key derivation (a tenth of a second) three times out of four.
fn page_sizes(path: &Path) -> &'static [u32] {
    match fs::metadata(path) {
        Ok(meta) if !meta.len().is_multiple_of(u64::from(PAGE_SIZE)) => &[OLD_PAGE_SIZE],
        _ => &[PAGE_SIZE, OLD_PAGE_SIZE],
    }
}

/// A connection to `path` whose key is proven by a first read, which also derives it;
/// nothing is written before. Each page size in `sizes` is tried in turn: SQLCipher must be
/// told it before that read, and a wrong one reads like a wrong passphrase. (A journal left
/// by a crash is rolled back before that read, by the page size its own header records.)
fn connect(path: &Path, flags: OpenFlags, key: &Key, sizes: &[u32]) -> Result<Connection> {
    // An encrypted file's first bytes are random; a plaintext SQLite file names its format.
    // Told apart here, it is neither opened as a store nor counted as a wrong passphrase.
    if matches!(key, Key::Passphrase(_)) && is_plain_sqlite(path) {
        return Err(StoreError::Unencrypted { path: path.to_owned() });
    }
    for &size in sizes {
        let conn = Connection::open_with_flags(path, flags)?;
        apply_key(&conn, key, size)?;
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
            Ok(_) => return Ok(conn),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::WrongPassphrase { path: path.to_owned() })
}

/// Whether the file begins with SQLite's own header, which an encrypted store never shows.
fn is_plain_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && &head == b"SQLite format 3\0"
}

/// Keys a connection (and sets the page size) before its first read; nothing for a plaintext store.
fn apply_key(conn: &Connection, key: &Key, page_size: u32) -> Result<()> {
    // SQLCipher would otherwise print its own errors to stderr on a wrong passphrase.
    conn.query_row("PRAGMA cipher_log_level = NONE", [], |_| Ok(())).optional()?;
    if let Key::Passphrase(p) = key {
        conn.pragma_update(None, "key", p.as_str())?;
        conn.query_row(&format!("PRAGMA cipher_page_size = {page_size}"), [], |_| Ok(())).optional()?;
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
    // The backup copies pages one for one, so the copy keeps the source's page size.
    apply_key(&dst, key, page_size(src)?)?;
    {
        let backup = rusqlite::backup::Backup::new(src, &mut dst)?;
        backup.run_to_completion(1024, Duration::ZERO, None)?;
    }
    drop(dst);
    fs::set_permissions(out, fs::Permissions::from_mode(FILE_MODE))
        .map_err(|e| StoreError::io(format!("cannot set permissions of {}", out.display()), e))
}

/// The page size of the store open on `conn` (SQLCipher answers the pragma itself, as text).
fn page_size(conn: &Connection) -> Result<u32> {
    Ok(conn.query_row("SELECT CAST(page_size AS INTEGER) FROM pragma_page_size()", [], |r| r.get(0))?)
}

/// Creates `dir`, and any folder missing above it, mode 0700.
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().recursive(true).mode(DIR_MODE).create(dir)
}

/// Creates the parent directory, and any missing above it, mode 0700, if it does not exist.
fn ensure_private_dir(path: &Path) -> Result<()> {
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Ok(());
    };
    if !dir.exists() {
        create_private_dir(dir).map_err(|e| StoreError::io(format!("cannot create {}", dir.display()), e))?;
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
            // The copy is written row by row, so it takes this build's page size whatever
            // the store had.
            self.conn
                .query_row(&format!("PRAGMA rekeyed.cipher_page_size = {PAGE_SIZE}"), [], |_| Ok(()))
                .optional()?;
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
            copy.audit(crate::domain::enums::AuditAction::Rekey, None, &crate::i18n::audit_detail::REKEY.fill(&[]))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "korrekt häst batteri";

    fn clients(store: &Store) -> i64 {
        store.conn().query_row("SELECT count(*) FROM client", [], |r| r.get(0)).unwrap()
    }

    fn add_client(store: &mut Store, name: &str) {
        let mut cs = ChangeSet::new();
        cs.insert("client").set("first_name", "Anna").set("last_name", name);
        store.apply("t", &cs).unwrap();
    }

    /// A store as builds before 16 KiB pages made them: `store`'s data copied by SQLCipher
    /// into a file with 4 KiB pages, schema version kept.
    fn old_store(dir: &Path) -> PathBuf {
        let mut store = Store::create(&dir.join("new.db"), Key::passphrase(PASS)).unwrap();
        add_client(&mut store, "Zyxwvutsson");
        assert_eq!(page_size(store.conn()).unwrap(), PAGE_SIZE);
        let old = dir.join("old.db");
        let version = store.schema_version().unwrap();
        // The store's connection may not create files (as `rekey` does, make it first).
        fs::File::create(&old).unwrap();
        store
            .conn()
            .execute("ATTACH DATABASE ?1 AS old KEY ?2", rusqlite::params![old.to_string_lossy(), PASS])
            .unwrap();
        store
            .conn()
            .execute_batch(&format!(
                "PRAGMA old.cipher_page_size = {OLD_PAGE_SIZE}; PRAGMA old.cipher_hmac_algorithm = HMAC_SHA256;
                 SELECT sqlcipher_export('old'); PRAGMA old.user_version = {version}; DETACH DATABASE old;"
            ))
            .unwrap();
        fs::set_permissions(&old, fs::Permissions::from_mode(FILE_MODE)).unwrap();
        assert_eq!(fs::metadata(&old).unwrap().len() % u64::from(OLD_PAGE_SIZE), 0);
        old
    }

    #[test]
    fn a_store_with_the_4_kib_pages_of_earlier_builds_opens_takes_writes_and_a_rekey_makes_it_16_kib() {
        let dir = tempfile::tempdir().unwrap();
        let old = old_store(dir.path());
        let mut store = Store::open(&old, Key::passphrase(PASS)).unwrap();
        assert_eq!((page_size(store.conn()).unwrap(), clients(&store)), (OLD_PAGE_SIZE, 1));
        add_client(&mut store, "Andersson");
        // A backup copies pages as they are, so it keeps them at 4 KiB.
        let backup = dir.path().join("backup.db");
        store.backup_to(&backup).unwrap();
        drop(store);
        let copy = Store::open(&backup, Key::passphrase(PASS)).unwrap();
        assert_eq!((page_size(copy.conn()).unwrap(), clients(&copy)), (OLD_PAGE_SIZE, 2));
        let reader = Store::open_read_only(&old, Key::passphrase(PASS)).unwrap();
        assert_eq!(clients(&reader), 2);
        drop(reader);
        let err = Store::open(&old, Key::passphrase("fel lösenfras")).unwrap_err();
        assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err}");
        let _ = fs::remove_file(audit::failed_open_file(&old));

        let rekeyed = Store::open(&old, Key::passphrase(PASS)).unwrap().rekey(Key::passphrase("ny lösenfras")).unwrap();
        assert_eq!((page_size(rekeyed.conn()).unwrap(), clients(&rekeyed)), (PAGE_SIZE, 2));
        assert!(rekeyed.check().unwrap().is_ok());
    }

    #[test]
    fn a_plaintext_sqlite_file_or_a_folder_is_refused_as_such_and_not_counted_as_a_wrong_passphrase() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.db");
        Connection::open(&plain).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
        fs::set_permissions(&plain, fs::Permissions::from_mode(0o600)).unwrap();
        for err in [
            Store::open(&plain, Key::passphrase(PASS)).unwrap_err(),
            Store::open_read_only(&plain, Key::passphrase(PASS)).unwrap_err(),
        ] {
            assert!(matches!(err, StoreError::Unencrypted { .. }), "{err}");
            assert!(err.to_string().contains("unencrypted SQLite file"), "{err}");
        }
        assert!(!audit::failed_open_file(&plain).exists(), "no wrong passphrase noted");
        let err = Store::open(dir.path(), Key::passphrase(PASS)).unwrap_err();
        assert!(matches!(err, StoreError::IsFolder { .. }), "{err}");
    }

    #[test]
    fn an_open_tries_the_old_page_size_after_the_new_one_and_only_it_for_a_file_that_cannot_have_16_kib_pages() {
        let dir = tempfile::tempdir().unwrap();
        let old = old_store(dir.path());
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY;
        let key = Key::passphrase(PASS);
        // Whatever the file's length, trying the new size first falls back to the old one.
        assert!(connect(&old, flags, &key, &[PAGE_SIZE, OLD_PAGE_SIZE]).is_ok());
        let err = connect(&old, flags, &key, &[PAGE_SIZE]).unwrap_err();
        assert!(matches!(err, StoreError::WrongPassphrase { .. }), "{err}");
        let len = fs::metadata(&old).unwrap().len();
        let expected: &[u32] =
            if len.is_multiple_of(u64::from(PAGE_SIZE)) { &[PAGE_SIZE, OLD_PAGE_SIZE] } else { &[OLD_PAGE_SIZE] };
        assert_eq!(page_sizes(&old), expected);
        assert_eq!(page_sizes(&dir.path().join("new.db")), &[PAGE_SIZE, OLD_PAGE_SIZE]);
    }
}
