//! Offline sync: export, import and conflicts between stores, the refusals, and property
//! tests over 3–5 replicas with random edits and random exchange orders and relay paths.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sluss::store::{ChangeSet, Key, Resolution, Store};
use sluss::sync::{
    Decryption, Encryption, ExportOptions, ImportOptions, SyncError, crypto::Protection, crypto::parse_recipients,
    export, import,
};
use zeroize::Zeroizing;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

fn opts(to: Option<&str>, encryption: Encryption) -> ExportOptions {
    ExportOptions { to: to.map(str::to_owned), all: to.is_none(), for_org: None, encryption, today: today() }
}

/// Exports from `from` for `to` (plaintext, in `dir`) and returns the file.
fn bundle_for(dir: &Path, from: &mut Store, to: &Store, n: &mut usize) -> PathBuf {
    *n += 1;
    let path = dir.join(format!("b{n}.bundle"));
    export(from, &path, &opts(Some(to.replica_id()), Encryption::None)).unwrap();
    path
}

fn exchange(dir: &Path, from: &mut Store, to: &mut Store, n: &mut usize) -> PathBuf {
    let path = bundle_for(dir, from, to, n);
    import(to, &path, &ImportOptions::default()).unwrap();
    path
}

/// The synced tables' contents, row by row (audit entries left out: every exchange writes
/// one on the replica doing it).
fn dump(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for ent in sluss::store::entities::ENTITIES.iter().filter(|e| e.name != "audit_log") {
        let mut stmt = store.conn().prepare(&format!("SELECT * FROM {} ORDER BY id", ent.name)).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let vals: Vec<String> =
                    (0..n).map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap())).collect();
                Ok(format!("{}: {}", ent.name, vals.join("|")))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

/// A hash of every table of the store, replica-local state and change log included.
fn whole_store_hash(store: &Store) -> String {
    let mut hash = Sha256::new();
    let mut stmt = store
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%' ORDER BY name")
        .unwrap();
    let tables: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    for t in tables {
        let mut s = store.conn().prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = s.column_count();
        let mut rows: Vec<String> = s
            .query_map([], |r| {
                Ok((0..n).map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap())).collect::<String>())
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        hash.update(t.as_bytes());
        for r in rows {
            hash.update(r.as_bytes());
        }
    }
    format!("{:x}", hash.finalize())
}

fn new_client(store: &mut Store, last: &str) -> String {
    let mut cs = ChangeSet::new();
    let id = cs.insert("client").set("first_name", "Test").set("last_name", last).set("gender", "man").id();
    store.apply("tester", &cs).unwrap();
    id
}

fn set(store: &mut Store, id: &str, field: &str, value: Value) -> Result<(), sluss::store::StoreError> {
    let mut cs = ChangeSet::new();
    cs.update("client", id).set(field, value);
    store.apply("tester", &cs).map(|_| ())
}

fn field(store: &Store, id: &str, field: &str) -> Value {
    let v: rusqlite::types::Value =
        store.conn().query_row(&format!("SELECT {field} FROM client WHERE id = ?1"), [id], |r| r.get(0)).unwrap();
    match v {
        rusqlite::types::Value::Text(s) => Value::String(s),
        rusqlite::types::Value::Null => Value::Null,
        other => json!(format!("{other:?}")),
    }
}

fn file_store(dir: &Path, name: &str) -> Store {
    Store::create(&dir.join(name), Key::Plaintext).unwrap()
}

#[test]
fn two_stores_edited_and_exchanged_both_ways_hold_the_same_data_and_resolve_a_conflict_on_both() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (file_store(dir.path(), "a/a.db"), file_store(dir.path(), "b/b.db"));
    assert_ne!(a.replica_id(), b.replica_id());
    let mut n = 0;
    let id = new_client(&mut a, "Provlund");
    new_client(&mut b, "Annanström");
    exchange(dir.path(), &mut a, &mut b, &mut n);
    exchange(dir.path(), &mut b, &mut a, &mut n);
    assert_eq!(a.fingerprint().unwrap(), b.fingerprint().unwrap());

    // The same field edited on both without seeing each other.
    set(&mut a, &id, "home_municipality", json!("Umeå")).unwrap();
    set(&mut b, &id, "home_municipality", json!("Luleå")).unwrap();
    set(&mut b, &id, "alias", json!("Kim")).unwrap();
    exchange(dir.path(), &mut a, &mut b, &mut n);
    exchange(dir.path(), &mut b, &mut a, &mut n);
    assert_eq!(a.fingerprint().unwrap(), b.fingerprint().unwrap());
    assert_eq!(field(&a, &id, "alias"), json!("Kim"), "an edit of another field is simply merged");
    for s in [&a, &b] {
        assert_eq!(s.conflict_count().unwrap(), 1);
        let c = &s.open_conflicts(None).unwrap()[0];
        assert_eq!(c.id.field, "home_municipality");
        assert_eq!(c.client_id.as_deref(), Some(id.as_str()));
        assert_eq!(c.base, Some(Value::Null), "neither had a municipality before");
        let mut values: Vec<&Value> = c.values.iter().map(|v| &v.value).collect();
        values.sort_by_key(|v| v.to_string());
        assert_eq!(values, [&json!("Luleå"), &json!("Umeå")], "both values are kept");
        assert_eq!(field(s, &id, "home_municipality"), c.winner().value, "the tables show the provisional winner");
        assert!(c.mine().is_some() && c.theirs().is_some() && c.mine() != c.theirs());
        assert_eq!(s.open_conflicts(Some("no-such-client")).unwrap(), vec![]);
    }
    assert_eq!(
        a.open_conflicts(None).unwrap()[0].winner().change_id,
        b.open_conflicts(None).unwrap()[0].winner().change_id
    );

    // Resolved on A, keeping B's value.
    let c = a.open_conflicts(None).unwrap().remove(0);
    let lulea = c.values.iter().find(|v| v.value == json!("Luleå")).unwrap().change_id.clone();
    a.resolve_conflict("tester", &c.id, Resolution::Keep(lulea)).unwrap();
    assert_eq!(a.conflict_count().unwrap(), 0);
    assert_eq!(b.conflict_count().unwrap(), 1, "B has not heard of the resolution yet");
    exchange(dir.path(), &mut a, &mut b, &mut n);
    assert_eq!(b.conflict_count().unwrap(), 0);
    assert_eq!(field(&b, &id, "home_municipality"), json!("Luleå"));
    exchange(dir.path(), &mut b, &mut a, &mut n);
    assert_eq!(a.fingerprint().unwrap(), b.fingerprint().unwrap());
    assert!(a.check().unwrap().is_ok() && b.check().unwrap().is_ok());
    assert!(a.resolve_conflict("tester", &c.id, Resolution::Value(json!("Kiruna"))).is_err(), "already resolved");
}

#[test]
fn an_export_to_a_known_peer_holds_only_what_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (Store::in_memory().unwrap(), Store::in_memory().unwrap());
    let mut n = 0;
    for i in 0..5 {
        new_client(&mut a, &format!("Namn{i}"));
    }
    exchange(dir.path(), &mut a, &mut b, &mut n);
    exchange(dir.path(), &mut b, &mut a, &mut n);
    new_client(&mut a, "Senare");
    let path = dir.path().join("small.bundle");
    let r = export(&mut a, &path, &opts(Some(b.replica_id()), Encryption::None)).unwrap();
    assert!(r.target_known);
    // The new client, the audit entries of the exchanges since B's bundle: far fewer than all.
    assert!(r.changes < 6, "{} changes", r.changes);
    let (_, report) = import(&mut b, &path, &ImportOptions::default()).unwrap();
    assert_eq!(report.known, 0);
    assert_eq!(dump(&a), dump(&b));
}

#[test]
fn importing_the_same_bundle_twice_changes_nothing_the_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (Store::in_memory().unwrap(), Store::in_memory().unwrap());
    let id = new_client(&mut a, "Provlund");
    set(&mut a, &id, "alias", json!("X")).unwrap();
    let mut n = 0;
    let path = exchange(dir.path(), &mut a, &mut b, &mut n);
    let before = dump(&b);
    let log: i64 = b.conn().query_row("SELECT count(*) FROM change_log", [], |r| r.get(0)).unwrap();
    let (_, again) = import(&mut b, &path, &ImportOptions::default()).unwrap();
    assert_eq!((again.new, again.rows_touched), (0, 0));
    assert_eq!(dump(&b), before);
    let log_after: i64 = b.conn().query_row("SELECT count(*) FROM change_log", [], |r| r.get(0)).unwrap();
    assert_eq!(log_after, log + 1, "only the audit entry of the second import is new");
}

#[test]
fn a_delete_wins_over_an_older_edit_and_a_concurrent_delete_and_edit_keep_the_row_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (Store::in_memory().unwrap(), Store::in_memory().unwrap());
    let mut n = 0;
    let id = new_client(&mut a, "Provlund");
    exchange(dir.path(), &mut a, &mut b, &mut n);
    set(&mut b, &id, "alias", json!("Före")).unwrap();
    let mut cs = ChangeSet::new();
    cs.delete("client", &id);
    a.apply("tester", &cs).unwrap();
    exchange(dir.path(), &mut a, &mut b, &mut n);
    exchange(dir.path(), &mut b, &mut a, &mut n);
    for s in [&a, &b] {
        let deleted: bool =
            s.conn().query_row("SELECT deleted FROM client WHERE id = ?1", [&id], |r| r.get(0)).unwrap();
        assert!(deleted);
        assert_eq!(s.conflict_count().unwrap(), 0, "different fields: no conflict");
    }
    assert_eq!(dump(&a), dump(&b));
}

#[test]
fn notes_are_append_only_and_never_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (Store::in_memory().unwrap(), Store::in_memory().unwrap());
    let mut n = 0;
    let id = new_client(&mut a, "Provlund");
    exchange(dir.path(), &mut a, &mut b, &mut n);
    for (s, text) in [(&mut a, "från A"), (&mut b, "från B")] {
        let mut cs = ChangeSet::new();
        cs.insert("note").set("client_id", id.clone()).set("at", "2026-05-01T10:00").set("text", text);
        s.apply("tester", &cs).unwrap();
    }
    exchange(dir.path(), &mut a, &mut b, &mut n);
    exchange(dir.path(), &mut b, &mut a, &mut n);
    for s in [&a, &b] {
        let notes: i64 = s.conn().query_row("SELECT count(*) FROM note", [], |r| r.get(0)).unwrap();
        assert_eq!(notes, 2);
        assert_eq!(s.conflict_count().unwrap(), 0);
    }
}

// --- refusals -------------------------------------------------------------------------------

/// A store with data, an encrypted bundle from another store, and the key that opens it.
struct Refusal {
    dir: tempfile::TempDir,
    target: Store,
    bundle: Vec<u8>,
    identity: age::x25519::Identity,
}

fn refusal_setup() -> Refusal {
    let dir = tempfile::tempdir().unwrap();
    let mut source = Store::in_memory().unwrap();
    let mut target = Store::in_memory().unwrap();
    new_client(&mut target, "Redan");
    for i in 0..30 {
        new_client(&mut source, &format!("Namn{i}"));
    }
    let identity = age::x25519::Identity::generate();
    let recipients = parse_recipients(&[identity.to_public().to_string()]).unwrap();
    let path = dir.path().join("ok.bundle");
    export(&mut source, &path, &opts(None, Encryption::Recipients(recipients))).unwrap();
    let bundle = std::fs::read(&path).unwrap();
    Refusal { dir, target, bundle, identity }
}

fn refused(r: &mut Refusal, bytes: &[u8], keys: Decryption) -> SyncError {
    let before = whole_store_hash(&r.target);
    let path = r.dir.path().join("bad.bundle");
    std::fs::write(&path, bytes).unwrap();
    let err = import(&mut r.target, &path, &ImportOptions { keys }).unwrap_err();
    assert_eq!(whole_store_hash(&r.target), before, "the store changed after refusing: {err}");
    assert!(err.to_string().contains("nothing was imported") || matches!(err, SyncError::NeedKey(_)), "{err}");
    err
}

fn key(r: &Refusal) -> Decryption {
    Decryption { identities: vec![r.identity.clone()], passphrase: None }
}

#[test]
fn a_truncated_bundle_is_refused_and_the_store_is_unchanged() {
    let mut r = refusal_setup();
    for cut in [r.bundle.len() - 1, r.bundle.len() / 2, 200, 10] {
        let bytes = r.bundle[..cut].to_vec();
        let err = {
            let k = key(&r);
            refused(&mut r, &bytes, k)
        };
        assert!(matches!(err, SyncError::Damaged(_) | SyncError::NotABundle(_)), "cut {cut}: {err}");
    }
}

#[test]
fn a_corrupted_bundle_is_refused_and_the_store_is_unchanged() {
    let mut r = refusal_setup();
    let mut bytes = r.bundle.clone();
    let at = bytes.len() * 2 / 3;
    bytes[at] ^= 0x40;
    let err = {
        let k = key(&r);
        refused(&mut r, &bytes, k)
    };
    assert!(matches!(err, SyncError::Damaged(_)), "{err}");
}

#[test]
fn a_foreign_file_is_refused_and_the_store_is_unchanged() {
    let mut r = refusal_setup();
    let err = {
        let k = key(&r);
        refused(&mut r, b"PK\x03\x04 not a bundle at all\n", k)
    };
    assert!(matches!(err, SyncError::NotABundle(_)), "{err}");
    let err = {
        let k = key(&r);
        refused(&mut r, b"{\"some\":\"json\"}\n", k)
    };
    assert!(matches!(err, SyncError::NotABundle(_)), "{err}");
}

#[test]
fn a_bundle_for_another_key_or_without_a_key_is_refused() {
    let mut r = refusal_setup();
    let other = Decryption { identities: vec![age::x25519::Identity::generate()], passphrase: None };
    let bytes = r.bundle.clone();
    assert!(matches!(refused(&mut r, &bytes, other), SyncError::WrongKey));
    let err = refused(&mut r, &bytes, Decryption::default());
    assert!(matches!(err, SyncError::NeedKey(Protection::Recipients)), "{err}");
    assert!(err.to_string().contains("--identity"), "{err}");
    // A passphrase where the bundle wants an age key is the wrong kind of key, and said so.
    let passphrase =
        Decryption { identities: Vec::new(), passphrase: Some(Zeroizing::new("en lång lösenfras".to_owned())) };
    let err = refused(&mut r, &bytes, passphrase);
    assert!(matches!(err, SyncError::NeedKey(Protection::Recipients)), "{err}");
}

/// A plaintext bundle whose header or changes were edited, with a correct checksum.
fn forged(header: impl FnOnce(&mut Value), change: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut a = Store::in_memory().unwrap();
    new_client(&mut a, "Provlund");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.bundle");
    export(&mut a, &path, &opts(None, Encryption::None)).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    lines.pop();
    header(&mut lines[0]);
    change(&mut lines[1]);
    let mut body = String::new();
    for l in &lines {
        body.push_str(&l.to_string());
        body.push('\n');
    }
    let sum = format!("{:x}", Sha256::digest(body.as_bytes()));
    // The trailer is recognised by its first key, so it is written as sluss writes it.
    body.push_str(&format!(r#"{{"end":"sluss-bundle","count":{},"sha256":"{sum}"}}"#, lines.len() - 1));
    body.push('\n');
    body.into_bytes()
}

#[test]
fn a_newer_format_or_schema_is_refused_with_upgrade_advice() {
    let mut r = refusal_setup();
    let bytes = forged(|h| h["version"] = json!(99), |_| {});
    let err = refused(&mut r, &bytes, Decryption::default());
    assert!(matches!(err, SyncError::NewerFormat { found: 99, .. }) && err.to_string().contains("upgrade sluss"));
    let bytes = forged(|h| h["schema"] = json!(sluss::store::SCHEMA_VERSION + 1), |_| {});
    let err = refused(&mut r, &bytes, Decryption::default());
    assert!(matches!(err, SyncError::NewerSchema { .. }) && err.to_string().contains("upgrade sluss"));
}

#[test]
fn a_change_the_registry_refuses_is_refused_before_anything_is_written() {
    let mut r = refusal_setup();
    let bytes = forged(|_| {}, |c| c["entity"] = json!("no_such_table"));
    assert!(matches!(refused(&mut r, &bytes, Decryption::default()), SyncError::BadChange(_)));
    let bytes = forged(|_| {}, |c| c["value"]["gender"] = json!("not-a-gender"));
    assert!(matches!(refused(&mut r, &bytes, Decryption::default()), SyncError::BadChange(_)));
    // Each refusal names what is wrong with the change.
    type Forge = fn(&mut Value);
    let cases: [(Forge, &str); 4] = [
        (|c| c["value"] = json!("Provlund"), "an insert must hold an object of fields"),
        (|c| c["value"]["shoe_size"] = json!(44), "shoe_size"),
        (|c| (c["field"], c["value"]) = (json!("deleted"), json!("ja")), "must be yes or no"),
        (|c| (c["field"], c["value"]) = (json!("last_name"), Value::Null), "last_name"),
    ];
    for (change, problem) in cases {
        let err = refused(&mut r, &forged(|_| {}, change), Decryption::default());
        assert!(matches!(err, SyncError::BadChange(_)) && err.to_string().contains(problem), "{err}");
    }
}

#[test]
fn a_checksum_that_does_not_match_is_refused() {
    let mut r = refusal_setup();
    let mut bytes = forged(|_| {}, |_| {});
    let text = String::from_utf8(bytes.clone()).unwrap().replace("Provlund", "Provlunt");
    bytes = text.into_bytes();
    assert!(matches!(refused(&mut r, &bytes, Decryption::default()), SyncError::Damaged(_)));
}

#[test]
fn a_passphrase_bundle_opens_with_the_passphrase_only() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (Store::in_memory().unwrap(), Store::in_memory().unwrap());
    new_client(&mut a, "Provlund");
    let path = dir.path().join("p.bundle");
    let pass = || Zeroizing::new("correct horse battery".to_owned());
    export(&mut a, &path, &opts(None, Encryption::Passphrase { passphrase: pass(), work_factor: Some(10) })).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
    assert!(!String::from_utf8_lossy(&bytes).contains("Provlund"), "nothing readable in the file");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    let wrong = Decryption { identities: vec![], passphrase: Some(Zeroizing::new("wrong".to_owned())) };
    let before = whole_store_hash(&b);
    assert!(matches!(import(&mut b, &path, &ImportOptions { keys: wrong }), Err(SyncError::WrongKey)));
    assert_eq!(whole_store_hash(&b), before);
    let right = Decryption { identities: vec![], passphrase: Some(pass()) };
    import(&mut b, &path, &ImportOptions { keys: right }).unwrap();
    assert_eq!(dump(&a), dump(&b));
}

#[test]
fn a_passphrase_bundle_keeps_scrypt_within_the_memory_budget_and_a_costlier_one_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (Store::in_memory().unwrap(), Store::in_memory().unwrap());
    new_client(&mut a, "Provlund");
    let path = dir.path().join("p.bundle");
    let pass = || Zeroizing::new("correct horse battery".to_owned());
    export(&mut a, &path, &opts(None, Encryption::Passphrase { passphrase: pass(), work_factor: None })).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let header_end = bytes.windows(4).position(|w| w == b"\n---").unwrap();
    let header = String::from_utf8(bytes[..header_end].to_vec()).unwrap();
    let stanza = header.lines().find(|l| l.starts_with("-> scrypt ")).unwrap().to_owned();
    assert!(stanza.ends_with(&format!(" {}", sluss::sync::crypto::PASSPHRASE_WORK_FACTOR)), "{stanza}");
    assert_eq!(sluss::sync::crypto::PASSPHRASE_WORK_FACTOR, 16, "64 MiB: see docs/security.md before raising it");

    // The same file as an older sluss wrote it, with age's own (costlier) choice: refused
    // before any key is derived, naming the cost, and the store is unchanged.
    let costly = format!("{} 18", stanza.rsplit_once(' ').unwrap().0);
    let mut old = header.replacen(&stanza, &costly, 1).into_bytes();
    old.extend_from_slice(&bytes[header_end..]);
    let old_path = dir.path().join("old.bundle");
    std::fs::write(&old_path, &old).unwrap();
    let before = whole_store_hash(&b);
    let keys = || Decryption { identities: vec![], passphrase: Some(pass()) };
    let err = import(&mut b, &old_path, &ImportOptions { keys: keys() }).unwrap_err();
    assert!(matches!(err, SyncError::Key(_)), "{err:?}");
    assert!(err.to_string().contains("work factor 18 (256 MiB"), "{err}");
    assert!(err.is_refusal());
    assert_eq!(whole_store_hash(&b), before);

    import(&mut b, &path, &ImportOptions { keys: keys() }).unwrap();
    assert_eq!(dump(&a), dump(&b));
}

// --- partner export -------------------------------------------------------------------------

#[test]
fn a_partner_bundle_holds_only_clients_whose_consent_in_force_covers_the_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Store::in_memory().unwrap();
    let mut cs = ChangeSet::new();
    let soc = cs.insert("organisation").set("name", "Socialtjänsten").set("kind", "socialtjanst").id();
    let other = cs.insert("organisation").set("name", "Annan").set("kind", "annan").id();
    a.apply("t", &cs).unwrap();
    let with = new_client(&mut a, "Samtycker");
    let without = new_client(&mut a, "Utan");
    let revoked = new_client(&mut a, "Återkallad");
    let elsewhere = new_client(&mut a, "Annanstans");
    for (client, org, revoked_on) in
        [(&with, &soc, None), (&revoked, &soc, Some("2026-05-01")), (&elsewhere, &other, None)]
    {
        let mut cs = ChangeSet::new();
        let consent = cs
            .insert("consent")
            .set("client_id", client.clone())
            .set("given_on", "2026-01-01")
            .set_opt("revoked_on", revoked_on)
            .id();
        cs.insert("consent_scope").set("consent_id", consent).set("org_id", org.clone());
        a.apply("t", &cs).unwrap();
    }
    let path = dir.path().join("partner.bundle");
    let mut o = opts(None, Encryption::None);
    o.for_org = Some("socialtjänsten".to_owned());
    let report = export(&mut a, &path, &o).unwrap();
    assert_eq!(report.partner, Some((soc.clone(), 1)));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(&with) && text.contains("Samtycker"));
    for absent in [&without, &revoked, &elsewhere] {
        assert!(!text.contains(absent.as_str()), "a client without consent for the organisation was exported");
    }
    let mut partner = Store::in_memory().unwrap();
    let (header, _) = import(&mut partner, &path, &ImportOptions::default()).unwrap();
    assert!(header.partial);
    let clients: i64 = partner.conn().query_row("SELECT count(*) FROM client", [], |r| r.get(0)).unwrap();
    assert_eq!(clients, 1);
    assert!(partner.check().unwrap().is_ok());
    let audited: i64 = a
        .conn()
        .query_row("SELECT count(*) FROM audit_log WHERE action = 'export' AND client_id = ?1", [&with], |r| r.get(0))
        .unwrap();
    assert_eq!(audited, 1, "sharing a client with a partner is in the audit log");
}

// --- properties -----------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Step {
    /// Replica edits a field of a client.
    Edit { r: usize, client: usize, field: usize },
    /// Replica deletes (or restores) a client.
    Delete { r: usize, client: usize, restore: bool },
    /// Replica writes a note.
    Note { r: usize, client: usize },
    /// A bundle from one replica to another.
    Send { from: usize, to: usize },
    /// A bundle sent earlier is imported (again, or late) somewhere.
    Replay { bundle: usize, to: usize },
}

const FIELDS: &[&str] = &["alias", "home_municipality", "language"];

fn step(n: usize) -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..n, 0..3usize, 0..FIELDS.len()).prop_map(|(r, client, field)| Step::Edit { r, client, field }),
        1 => (0..n, 0..3usize, any::<bool>()).prop_map(|(r, client, restore)| Step::Delete { r, client, restore }),
        1 => (0..n, 0..3usize).prop_map(|(r, client)| Step::Note { r, client }),
        3 => (0..n, 0..n).prop_map(|(from, to)| Step::Send { from, to }),
        1 => (0..64usize, 0..n).prop_map(|(bundle, to)| Step::Replay { bundle, to }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Step>)> {
    (3..=5usize).prop_flat_map(|n| (Just(n), prop::collection::vec(step(n), 5..40)))
}

/// Runs a scenario and then exchanges until everything has reached everyone.
fn run(n: usize, steps: &[Step]) -> (tempfile::TempDir, Vec<Store>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut stores: Vec<Store> = (0..n).map(|_| Store::in_memory().unwrap()).collect();
    let mut count = 0;
    let clients: Vec<String> = (0..3).map(|i| new_client(&mut stores[0], &format!("Klient{i}"))).collect();
    for i in 1..n {
        send(dir.path(), &mut stores, 0, i, &mut count);
    }
    // Every replica's follow-up cache is built now, so what follows reaches it by catch-up.
    for s in &stores {
        s.follow_up_catch_up().unwrap();
    }
    let mut written = Vec::new();
    let mut bundles: Vec<PathBuf> = Vec::new();
    for (k, s) in steps.iter().enumerate() {
        match *s {
            Step::Edit { r, client, field } => {
                let mut cs = ChangeSet::new();
                cs.update("client", &clients[client]).set(FIELDS[field], format!("v{k}"));
                if let Ok(rep) = stores[r].apply("t", &cs) {
                    written.extend(rep.change_ids);
                }
            }
            Step::Delete { r, client, restore } => {
                let mut cs = ChangeSet::new();
                if restore {
                    cs.restore("client", &clients[client])
                } else {
                    cs.delete("client", &clients[client])
                }
                if let Ok(rep) = stores[r].apply("t", &cs) {
                    written.extend(rep.change_ids);
                }
            }
            Step::Note { r, client } => {
                let mut cs = ChangeSet::new();
                cs.insert("note")
                    .set("client_id", clients[client].clone())
                    .set("at", "2026-05-01T10:00")
                    .set("text", format!("n{k}"));
                written.extend(stores[r].apply("t", &cs).unwrap().change_ids);
            }
            Step::Send { from, to } if from != to => {
                bundles.push(send(dir.path(), &mut stores, from, to, &mut count));
            }
            Step::Send { .. } => {}
            Step::Replay { bundle, to } => {
                if !bundles.is_empty() {
                    let path = &bundles[bundle % bundles.len()];
                    import(&mut stores[to], path, &ImportOptions::default()).unwrap();
                }
            }
        }
    }
    converge(dir.path(), &mut stores, &mut count);
    (dir, stores, written)
}

/// Two rounds of every replica sending to the next: after them everyone has everything.
fn converge(dir: &Path, stores: &mut [Store], count: &mut usize) {
    let n = stores.len();
    for _ in 0..2 {
        for i in 0..n {
            let j = (i + 1) % n;
            send(dir, stores, i, j, count);
        }
    }
}

/// Exports from `stores[from]` for `stores[to]` and imports it there; returns the file.
fn send(dir: &Path, stores: &mut [Store], from: usize, to: usize, count: &mut usize) -> PathBuf {
    assert_ne!(from, to);
    let (a, b) = if from < to {
        let (x, y) = stores.split_at_mut(to);
        (&mut x[from], &mut y[0])
    } else {
        let (x, y) = stores.split_at_mut(from);
        (&mut y[0], &mut x[to])
    };
    exchange(dir, a, b, count)
}

fn change_ids(store: &Store) -> std::collections::HashSet<String> {
    let mut stmt = store.conn().prepare("SELECT change_id FROM change_log").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn any_edits_and_any_exchange_order_converge_without_losing_a_write((n, steps) in scenario()) {
        let (dir, mut stores, written) = run(n, &steps);
        let first = dump(&stores[0]);
        let conflicts: Vec<_> = stores[0].open_conflicts(None).unwrap().into_iter().map(|c| (c.id, c.values[0].change_id.clone())).collect();
        for s in &stores {
            prop_assert_eq!(&dump(s), &first);
            prop_assert_eq!(s.fingerprint().unwrap(), stores[0].fingerprint().unwrap());
            let ids = change_ids(s);
            prop_assert!(written.iter().all(|w| ids.contains(w)), "a written change is missing from a log");
            let mine: Vec<_> = s.open_conflicts(None).unwrap().into_iter().map(|c| (c.id, c.values[0].change_id.clone())).collect();
            prop_assert_eq!(&mine, &conflicts, "replicas disagree on conflicts or their provisional winners");
            let report = s.check().unwrap();
            prop_assert!(report.is_ok(), "{:?}", report.problems);
            prop_assert_eq!(s.follow_up_cached().unwrap().clients, s.follow_up_facts().unwrap().clients);
        }
        // Resolving every conflict on one replica closes it everywhere after an exchange.
        for c in stores[0].open_conflicts(None).unwrap() {
            let keep = c.values.last().unwrap().change_id.clone();
            stores[0].resolve_conflict("t", &c.id, Resolution::Keep(keep)).unwrap();
        }
        let mut count = 1000;
        converge(dir.path(), &mut stores, &mut count);
        for s in &stores {
            prop_assert_eq!(s.conflict_count().unwrap(), 0);
            prop_assert_eq!(&dump(s), &dump(&stores[0]));
        }
    }

    #[test]
    fn concurrent_edits_of_one_field_give_exactly_one_conflict_on_every_replica_until_resolved(
        editors in prop::sample::subsequence(vec![0usize, 1, 2, 3], 2..=4),
        order in Just(vec![0usize, 1, 2, 3]).prop_shuffle(),
        resolver in 0..4usize,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut stores: Vec<Store> = (0..4).map(|_| Store::in_memory().unwrap()).collect();
        let mut count = 0;
        let id = new_client(&mut stores[0], "Provlund");
        converge(dir.path(), &mut stores, &mut count);
        for &e in &editors {
            set(&mut stores[e], &id, "alias", json!(format!("från {e}"))).unwrap();
        }
        // Relay in a random order: each sends to the next in `order`, twice round.
        for _ in 0..2 {
            for w in order.windows(2) {
                send(dir.path(), &mut stores, w[0], w[1], &mut count);
            }
            let (last, first) = (order[3], order[0]);
            send(dir.path(), &mut stores, last, first, &mut count);
        }
        for s in &stores {
            prop_assert_eq!(s.conflict_count().unwrap(), 1);
            prop_assert_eq!(s.open_conflicts(None).unwrap()[0].values.len(), editors.len());
        }
        let cid = stores[resolver].open_conflicts(None).unwrap()[0].id.clone();
        stores[resolver].resolve_conflict("t", &cid, Resolution::Value(json!("enig"))).unwrap();
        converge(dir.path(), &mut stores, &mut count);
        for s in &stores {
            prop_assert_eq!(s.conflict_count().unwrap(), 0);
            prop_assert_eq!(field(s, &id, "alias"), json!("enig"));
        }
    }
}

#[test]
fn check_finds_a_conflict_list_that_differs_from_the_change_log() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (file_store(dir.path(), "a.db"), file_store(dir.path(), "b.db"));
    let mut n = 0;
    let id = new_client(&mut a, "Provlund");
    exchange(dir.path(), &mut a, &mut b, &mut n);
    set(&mut a, &id, "alias", json!("Kim")).unwrap();
    set(&mut b, &id, "alias", json!("Mika")).unwrap();
    exchange(dir.path(), &mut a, &mut b, &mut n);
    assert_eq!(b.conflict_count().unwrap(), 1);
    assert!(b.check().unwrap().is_ok(), "{:?}", b.check().unwrap().problems);

    // A conflict the list lost is found.
    b.conn().execute("DELETE FROM sync_conflict", []).unwrap();
    let problems = b.check().unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("client.alias") && problems[0].contains("not listed as a conflict"), "{problems:?}");

    // So is a listed conflict the log does not hold, and no value is named in either message.
    b.conn()
        .execute("INSERT INTO sync_conflict (entity, row_id, field) VALUES ('client', ?1, 'alias')", [&id])
        .unwrap();
    b.conn()
        .execute("INSERT INTO sync_conflict (entity, row_id, field) VALUES ('client', ?1, 'last_name')", [&id])
        .unwrap();
    let problems = b.check().unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("client.last_name") && problems[0].contains("log holds one value"), "{problems:?}");
    assert!(!problems.iter().any(|p| p.contains("Provlund") || p.contains("Kim") || p.contains("Mika")));
}

#[test]
fn the_bench_measures_export_and_import_without_changing_the_store() {
    let mut store = Store::in_memory().unwrap();
    for i in 0..20 {
        let id = new_client(&mut store, &format!("Namn{i}"));
        set(&mut store, &id, "alias", json!(format!("a{i}"))).unwrap();
    }
    let before = whole_store_hash(&store);
    let figures = sluss::bench::sync_throughput(&store, u64::MAX).unwrap();
    assert_eq!(whole_store_hash(&store), before, "the bench wrote to the store it measured");
    assert_eq!(figures.len(), 4);
    assert!(figures.iter().all(|f| f.changes == 40), "{figures:?}");

    // On a large store only the oldest changes are measured; the cut bundle still imports.
    let figures = sluss::bench::sync_throughput(&store, 15).unwrap();
    assert!(figures.iter().all(|f| f.changes == 15), "{figures:?}");
    assert_eq!(whole_store_hash(&store), before);
}

/// A purge travels like any change: the other replica erases the same client when it
/// imports it, an edit made elsewhere before the purge was seen is dropped, and importing an
/// old bundle again cannot bring the client back. Both replicas end with the same data.
#[test]
fn a_purge_erases_the_client_on_every_replica_and_old_changes_cannot_bring_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut a, mut b) = (file_store(dir.path(), "a.db"), file_store(dir.path(), "b.db"));
    let mut n = 0;
    let kept = new_client(&mut a, "Behållsson");
    let gone = new_client(&mut a, "Gallringsson");
    set(&mut a, &gone, "closed_on", json!("2020-01-31")).unwrap();
    let old = exchange(dir.path(), &mut a, &mut b, &mut n);
    assert_eq!(field(&b, &gone, "last_name"), json!("Gallringsson"));

    // B edits the client and writes a note about them while A purges them; B's changes
    // reach A first (the note refers to a purged row: A drops it), then both ways.
    set(&mut b, &gone, "language", json!("finska")).unwrap();
    let mut cs = ChangeSet::new();
    cs.insert("note").set("client_id", gone.clone()).set("at", "2026-11-23T10:00").set("text", "Ringt");
    b.apply("tester", &cs).unwrap();
    a.purge_client(&gone).unwrap();
    exchange(dir.path(), &mut b, &mut a, &mut n);
    exchange(dir.path(), &mut a, &mut b, &mut n);
    exchange(dir.path(), &mut b, &mut a, &mut n);
    for store in [&a, &b] {
        let left: i64 =
            store.conn().query_row("SELECT count(*) FROM client WHERE id = ?1", [&gone], |r| r.get(0)).unwrap();
        assert_eq!(left, 0, "the purged client's row is gone");
        let notes: i64 =
            store.conn().query_row("SELECT count(*) FROM note WHERE client_id = ?1", [&gone], |r| r.get(0)).unwrap();
        assert_eq!(notes, 0, "a note written elsewhere before the purge does not come back");
        let logged: i64 =
            store.conn().query_row("SELECT count(*) FROM change_log WHERE row_id = ?1", [&gone], |r| r.get(0)).unwrap();
        assert_eq!(logged, 0, "and so is its history");
        assert_eq!(field(store, &kept, "last_name"), json!("Behållsson"), "other clients stay");
        assert!(store.check().unwrap().is_ok());
    }
    // The first bundle, imported again, still holds the client: it must not come back.
    import(&mut b, &old, &ImportOptions::default()).unwrap();
    let back: i64 = b.conn().query_row("SELECT count(*) FROM client WHERE id = ?1", [&gone], |r| r.get(0)).unwrap();
    assert_eq!(back, 0, "an old bundle cannot bring a purged client back");
    assert_eq!(a.fingerprint().unwrap(), b.fingerprint().unwrap());
}

fn journal_mode(store: &Store) -> String {
    store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap()
}

/// An import into a store on disk leaves it in WAL mode with the data, whether or not
/// another process has it open (that one reads the rows), and a refused bundle leaves it
/// so too. (A large import's rollback journal is tested in src/store/merge.rs.)
#[test]
fn an_import_on_disk_leaves_the_store_in_wal_mode_whether_or_not_another_process_has_it_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Store::in_memory().unwrap();
    for name in ["Provlund", "Exempelsson", "Testberg"] {
        new_client(&mut a, name);
    }
    let bundle = dir.path().join("a.bundle");
    export(&mut a, &bundle, &opts(None, Encryption::None)).unwrap();
    let key = || Key::passphrase("korrekt häst batteri");

    let mut alone = Store::create(&dir.path().join("alone.db"), key()).unwrap();
    import(&mut alone, &bundle, &ImportOptions::default()).unwrap();
    assert_eq!(journal_mode(&alone), "wal");
    assert_eq!(dump(&alone), dump(&a));
    assert!(!dir.path().join("alone.db-journal").exists(), "the rollback journal is gone after the commit");

    let shared = dir.path().join("shared.db");
    let mut importing = Store::create(&shared, key()).unwrap();
    let reading = Store::open(&shared, key()).unwrap();
    assert_eq!(dump(&reading), Vec::<String>::new());
    import(&mut importing, &bundle, &ImportOptions::default()).unwrap();
    assert_eq!((journal_mode(&importing), journal_mode(&reading)), ("wal".to_owned(), "wal".to_owned()));
    assert_eq!(dump(&reading), dump(&a), "the other connection reads the imported rows");

    // Its framing checks out, so the change is refused inside the transaction.
    let damaged = dir.path().join("damaged.bundle");
    std::fs::write(&damaged, forged(|_| {}, |c| c["entity"] = json!("no_such_table"))).unwrap();
    let mut fresh = Store::create(&dir.path().join("fresh.db"), key()).unwrap();
    let before = whole_store_hash(&fresh);
    assert!(import(&mut fresh, &damaged, &ImportOptions::default()).is_err());
    assert_eq!((journal_mode(&fresh), whole_store_hash(&fresh)), ("wal".to_owned(), before));
}

/// An import says how far it is: the changes written, ending at the bundle's count.
#[test]
fn an_import_reports_its_progress() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = Store::in_memory().unwrap();
    for name in ["Provlund", "Exempelsson"] {
        new_client(&mut a, name);
    }
    let path = dir.path().join("a.bundle");
    let report = export(&mut a, &path, &opts(None, Encryption::None)).unwrap();
    let mut b = Store::in_memory().unwrap();
    let mut seen = Vec::new();
    sluss::sync::import_with_progress(&mut b, &path, &ImportOptions::default(), &mut |p| seen.push(p)).unwrap();
    let n = report.changes;
    assert_eq!(seen, vec![sluss::sync::ImportProgress(n, n)]);
    assert_eq!(dump(&b), dump(&a));
}
