//! The follow-up cache (issue 7): every live client's [`ClientFacts`], kept in the store's
//! replica-local `follow_up_fact` table (schema v3) so the indicators read 100 000 short rows
//! instead of joining two million.
//!
//! Nothing in the write paths keeps it current. Every change to data (local writes, imports,
//! undo, demo) is appended to the change log with a rising `seq`; `follow_up_state.seq` says
//! up to which entry the cache is current. Before the cache is read, [`Store::follow_up_catch_up`]
//! maps the entries after that watermark to the clients whose facts they can change, reads
//! those clients' facts afresh with the very function the full scan uses
//! (`facts::read_facts` with `Scope::Clients`) and rewrites their rows, all in one
//! transaction. When too many clients are touched, or there is no cache yet, everything is
//! recomputed with the full scan. A purge deletes its client's row itself and lowers the
//! watermark (`store::purge`), since it deletes change-log entries whose `seq` may be reused.
//! `sluss check` compares the cache with a fresh computation.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde_json::Value;

use super::facts::{self, Scope};
use super::indicators::{By, ClientFacts, FactBase, Fold, Indicators, InterventionFact, MeetingFact, OutcomeFact};
use super::period::Period;
use crate::domain::enums::*;
use crate::i18n::Lang;
use crate::store::{Result, Store, StoreError};

/// A refresh touching more than this share of the cached clients (1 in N) rescans everything:
/// searching the indexes client by client costs about as much as one scan from there on (at
/// 100 000 clients, 8 500 clients took 1.6–3.0 s, the full scan 3.0 s; docs/performance.md).
const FULL_SCAN_SHARE: usize = 10;

/// What [`Store::follow_up_catch_up`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// The cache was current.
    Current,
    /// These many clients' facts were read afresh and rewritten.
    Clients(usize),
    /// The cache was rebuilt from a full scan (no cache yet, another encoding, or many changes).
    Rebuilt(usize),
}

/// The encoding of the cached rows: a version of the layout below and every enum code it
/// stores as a position, so a build whose enums differ rebuilds the cache instead of
/// misreading it.
pub(crate) fn format() -> i64 {
    const LAYOUT: &str = "follow-up facts v1";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0xff]) {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    };
    eat(LAYOUT);
    for codes in [
        Gender::CODES,
        EnrolmentStatus::CODES,
        DeclineReason::CODES,
        AbortReason::CODES,
        InterventionStatus::CODES,
        OrgKind::CODES,
        LifeArea::CODES,
        OutcomePoint::CODES,
        HousingStatus::CODES,
        OccupationStatus::CODES,
    ] {
        codes.iter().for_each(|c| eat(c));
        eat("");
    }
    (h >> 1) as i64
}

// --- encoding ------------------------------------------------------------------------------------
//
// Little-endian, no field names: flags (u16), gender, status, decline and abort reasons (u8
// each, 0 for none, else position + 1), the dates present (i32 days from the common era),
// office and coordinator ids (length-prefixed), then the counted lists of meetings (day,
// point + 1 as u16), interventions (status, provider, areas), outcomes (point, housing,
// occupation, in treatment 0/1/2) and actor kinds. About 60–150 bytes per client.

const IDENTIFIED: u16 = 1;
const DECIDED: u16 = 1 << 1;
const RELEASED: u16 = 1 << 2;
const GIVEN: u16 = 1 << 3;
const DOCUMENTED: u16 = 1 << 4;
const WRITTEN: u16 = 1 << 5;
const DESCRIPTION: u16 = 1 << 6;
const WITHDRAW: u16 = 1 << 7;
const OFFICE: u16 = 1 << 8;
const COORDINATOR: u16 = 1 << 9;

fn opt_pos<T: Copy + PartialEq>(v: Option<T>, all: &[T]) -> u8 {
    v.and_then(|v| all.iter().position(|x| *x == v)).map_or(0, |p| p as u8 + 1)
}

fn pos<T: Copy + PartialEq>(v: T, all: &[T]) -> u8 {
    all.iter().position(|x| *x == v).unwrap_or(0) as u8
}

fn put_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_date(out: &mut Vec<u8>, d: NaiveDate) {
    use chrono::Datelike;
    out.extend_from_slice(&d.num_days_from_ce().to_le_bytes());
}

/// Encodes one client's facts (all but the id, which is the row's key).
pub(crate) fn encode(c: &ClientFacts, out: &mut Vec<u8>) {
    out.clear();
    let mut flags = 0u16;
    for (on, bit) in [
        (c.identified_on.is_some(), IDENTIFIED),
        (c.decided_on.is_some(), DECIDED),
        (c.release_on.is_some(), RELEASED),
        (c.consent_given, GIVEN),
        (c.consent_documented, DOCUMENTED),
        (c.consent_written, WRITTEN),
        (c.consent_description_given, DESCRIPTION),
        (c.consent_withdraw_explained, WITHDRAW),
        (c.office_id.is_some(), OFFICE),
        (c.coordinator_id.is_some(), COORDINATOR),
    ] {
        if on {
            flags |= bit;
        }
    }
    out.extend_from_slice(&flags.to_le_bytes());
    out.push(opt_pos(c.gender, Gender::ALL));
    out.push(opt_pos(c.status, EnrolmentStatus::ALL));
    out.push(opt_pos(c.decline_reason, DeclineReason::ALL));
    out.push(opt_pos(c.abort_reason, AbortReason::ALL));
    for d in [c.identified_on, c.decided_on, c.release_on].into_iter().flatten() {
        put_date(out, d);
    }
    for id in [&c.office_id, &c.coordinator_id].into_iter().flatten() {
        put_len(out, id.len());
        out.extend_from_slice(id.as_bytes());
    }
    put_len(out, c.meetings.len());
    for m in &c.meetings {
        put_date(out, m.day);
        out.extend_from_slice(&m.point.map_or(0u16, |p| u16::from(p) + 1).to_le_bytes());
    }
    put_len(out, c.interventions.len());
    for i in &c.interventions {
        out.push(pos(i.status, InterventionStatus::ALL));
        out.push(opt_pos(i.provider, OrgKind::ALL));
        put_len(out, i.areas.len());
        out.extend(i.areas.iter().map(|a| pos(*a, LifeArea::ALL)));
    }
    put_len(out, c.outcomes.len());
    for o in &c.outcomes {
        out.push(pos(o.point, OutcomePoint::ALL));
        out.push(opt_pos(o.housing, HousingStatus::ALL));
        out.push(opt_pos(o.occupation, OccupationStatus::ALL));
        out.push(o.in_treatment.map_or(0, |t| u8::from(t) + 1));
    }
    put_len(out, c.actors.len());
    out.extend(c.actors.iter().map(|k| pos(*k, OrgKind::ALL)));
}

/// Reads an encoded row; `None` when it is cut short or holds a position no enum has.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn bytes(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.bytes(1).map(|b| b[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.bytes(2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }

    fn len(&mut self) -> Option<usize> {
        let mut n = 0usize;
        for shift in (0..35).step_by(7) {
            let b = self.u8()?;
            n |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn date(&mut self) -> Option<NaiveDate> {
        let b = self.bytes(4)?;
        NaiveDate::from_num_days_from_ce_opt(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn opt<T: Copy>(&mut self, all: &[T]) -> Option<Option<T>> {
        match self.u8()? {
            0 => Some(None),
            p => all.get(usize::from(p) - 1).map(|v| Some(*v)),
        }
    }

    fn one<T: Copy>(&mut self, all: &[T]) -> Option<T> {
        all.get(usize::from(self.u8()?)).copied()
    }

    fn string(&mut self, into: &mut Option<String>) -> Option<()> {
        let n = self.len()?;
        let s = std::str::from_utf8(self.bytes(n)?).ok()?;
        let buf = into.get_or_insert_with(String::new);
        buf.clear();
        buf.push_str(s);
        Some(())
    }
}

/// Decodes a row into `c`, reusing its allocations (the lists are cleared first).
pub(crate) fn decode(bytes: &[u8], c: &mut ClientFacts) -> Option<()> {
    let mut r = Reader(bytes);
    let flags = r.u16()?;
    let has = |bit: u16| flags & bit != 0;
    c.gender = r.opt(Gender::ALL)?;
    c.status = r.opt(EnrolmentStatus::ALL)?;
    c.decline_reason = r.opt(DeclineReason::ALL)?;
    c.abort_reason = r.opt(AbortReason::ALL)?;
    c.identified_on = if has(IDENTIFIED) { Some(r.date()?) } else { None };
    c.decided_on = if has(DECIDED) { Some(r.date()?) } else { None };
    c.release_on = if has(RELEASED) { Some(r.date()?) } else { None };
    c.consent_given = has(GIVEN);
    c.consent_documented = has(DOCUMENTED);
    c.consent_written = has(WRITTEN);
    c.consent_description_given = has(DESCRIPTION);
    c.consent_withdraw_explained = has(WITHDRAW);
    if has(OFFICE) {
        r.string(&mut c.office_id)?;
    } else {
        c.office_id = None;
    }
    if has(COORDINATOR) {
        r.string(&mut c.coordinator_id)?;
    } else {
        c.coordinator_id = None;
    }
    c.meetings.clear();
    for _ in 0..r.len()? {
        let day = r.date()?;
        let point = match r.u16()? {
            0 => None,
            p => Some(u8::try_from(p - 1).ok()?),
        };
        c.meetings.push(MeetingFact { day, point });
    }
    let n = r.len()?;
    c.interventions.truncate(n);
    for k in 0..n {
        let status = r.one(InterventionStatus::ALL)?;
        let provider = r.opt(OrgKind::ALL)?;
        if k == c.interventions.len() {
            c.interventions.push(InterventionFact { status, provider, areas: Vec::new() });
        }
        let i = &mut c.interventions[k];
        i.status = status;
        i.provider = provider;
        i.areas.clear();
        for _ in 0..r.len()? {
            i.areas.push(r.one(LifeArea::ALL)?);
        }
    }
    c.outcomes.clear();
    for _ in 0..r.len()? {
        c.outcomes.push(OutcomeFact {
            point: r.one(OutcomePoint::ALL)?,
            housing: r.opt(HousingStatus::ALL)?,
            occupation: r.opt(OccupationStatus::ALL)?,
            in_treatment: match r.u8()? {
                0 => None,
                1 => Some(false),
                2 => Some(true),
                _ => return None,
            },
        });
    }
    c.actors.clear();
    for _ in 0..r.len()? {
        c.actors.push(r.one(OrgKind::ALL)?);
    }
    r.0.is_empty().then_some(())
}

// --- keeping it current ----------------------------------------------------------------------------

/// The watermark, encoding and number of rows of the cache, if it was built.
fn state(conn: &Connection) -> Result<Option<(i64, i64, i64)>> {
    Ok(conn
        .query_row("SELECT seq, format, clients FROM follow_up_state WHERE singleton = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

fn last_seq(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| r.get(0))?)
}

/// Whether the cache reflects every change: built with this encoding, nothing logged after
/// its watermark, no client marked stale.
fn is_current(conn: &Connection) -> Result<bool> {
    let Some((seq, fmt, _)) = state(conn)? else { return Ok(false) };
    let stale: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM follow_up_stale)", [], |r| r.get(0))?;
    Ok(fmt == format() && seq == last_seq(conn)? && !stale)
}

/// The clients whose cached facts may differ from fresh ones, or `None` when the cache must
/// be rebuilt (none yet, another encoding, a watermark past the log, or too many changes).
pub(crate) fn stale_clients(conn: &Connection) -> Result<Option<BTreeSet<String>>> {
    let Some((seq, fmt, cached)) = state(conn)? else { return Ok(None) };
    let last = last_seq(conn)?;
    if fmt != format() || seq > last {
        return Ok(None);
    }
    let limit = (cached as usize / FULL_SCAN_SHARE).max(64);
    let changes: i64 = conn.query_row("SELECT count(*) FROM change_log WHERE seq > ?1", [seq], |r| r.get(0))?;
    // Each change touches at most a few clients; so many changes would mean a rescan anyway.
    if changes as usize > limit * 4 {
        return Ok(None);
    }
    let mut dirty = BTreeSet::new();
    {
        let mut stmt = conn.prepare("SELECT client_id FROM follow_up_stale")?;
        for id in stmt.query_map([], |r| r.get::<_, String>(0))? {
            dirty.insert(id?);
        }
    }
    let mut stmt = conn.prepare("SELECT entity, row_id, field FROM change_log WHERE seq > ?1")?;
    let mut rows = stmt.query([seq])?;
    while let Some(r) = rows.next()? {
        let entity = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let row = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let field = r.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?;
        touched(conn, entity, row, field, &mut dirty)?;
        if dirty.len() > limit {
            return Ok(None);
        }
    }
    Ok(Some(dirty))
}

/// Adds the clients whose facts a change to `entity.field` of `row` can alter: the row's
/// client now and, when the change is to the field naming its client (or parent), every
/// client (or parent) the row ever named, found in the row's change log.
fn touched(conn: &Connection, entity: &str, row: &str, field: &str, dirty: &mut BTreeSet<String>) -> Result<()> {
    let relinked = field == "*" || field.ends_with("_id");
    match entity {
        "client" => {
            dirty.insert(row.to_owned());
        }
        "enrolment" | "sentence" | "consent" | "meeting" | "intervention" | "outcome_snapshot" => {
            let mut ids = current(conn, entity, "client_id", row)?;
            if relinked {
                ids.extend(named(conn, entity, row, "client_id")?);
            }
            dirty.extend(ids);
        }
        "meeting_participant" => {
            let mut meetings = current(conn, entity, "meeting_id", row)?;
            if relinked {
                meetings.extend(named(conn, entity, row, "meeting_id")?);
            }
            for m in meetings {
                dirty.extend(current(conn, "meeting", "client_id", &m)?);
            }
        }
        "intervention_need" => {
            let mut interventions = current(conn, entity, "intervention_id", row)?;
            if relinked {
                interventions.extend(named(conn, entity, row, "intervention_id")?);
            }
            for i in interventions {
                dirty.extend(current(conn, "intervention", "client_id", &i)?);
            }
        }
        // A need's area reaches the clients of the interventions linked to it.
        "need" if matches!(field, "*" | "area" | "deleted") => {
            let mut stmt = conn.prepare_cached(
                "SELECT i.client_id FROM intervention_need x JOIN intervention i ON i.id = x.intervention_id
                 WHERE x.need_id = ?1 AND i.client_id IS NOT NULL",
            )?;
            for id in stmt.query_map([row], |r| r.get::<_, String>(0))? {
                dirty.insert(id?);
            }
        }
        // An organisation's kind is every engaged client's actor kind and provider kind.
        "organisation" if matches!(field, "*" | "kind" | "deleted") => {
            let mut stmt = conn.prepare_cached(
                "SELECT client_id FROM intervention WHERE provider_org_id = ?1 AND client_id IS NOT NULL
                 UNION SELECT m.client_id FROM meeting_participant p JOIN meeting m ON m.id = p.meeting_id
                 WHERE p.org_id = ?1 AND m.client_id IS NOT NULL",
            )?;
            for id in stmt.query_map([row], |r| r.get::<_, String>(0))? {
                dirty.insert(id?);
            }
        }
        _ => {}
    }
    Ok(())
}

/// The value of a link column of a row, if the row and the value exist.
fn current(conn: &Connection, table: &str, column: &str, id: &str) -> Result<Vec<String>> {
    let sql = format!("SELECT {column} FROM {table} WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .into_iter()
        .collect())
}

/// Every value the change log ever gave `column` of a row (its insert and its updates).
fn named(conn: &Connection, entity: &str, row: &str, column: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT field, value FROM change_log WHERE entity = ?1 AND row_id = ?2 AND field IN ('*', ?3)",
    )?;
    let mut out = Vec::new();
    let mut rows = stmt.query(params![entity, row, column])?;
    while let Some(r) = rows.next()? {
        let field: String = r.get(0)?;
        let value: String = r.get(1)?;
        let Ok(v) = serde_json::from_str::<Value>(&value) else { continue };
        let v = if field == "*" { v.get(column).cloned() } else { Some(v) };
        if let Some(Value::String(s)) = v {
            out.push(s);
        }
    }
    Ok(out)
}

/// Writes the facts of `base` and deletes the rows of `gone`.
fn write_rows(conn: &Connection, base: &FactBase, gone: &BTreeSet<String>) -> Result<()> {
    let mut del = conn.prepare_cached("DELETE FROM follow_up_fact WHERE client_id = ?1")?;
    for id in gone {
        del.execute([id])?;
    }
    let mut put = conn.prepare_cached(
        "INSERT INTO follow_up_fact (client_id, facts) VALUES (?1, ?2)
         ON CONFLICT(client_id) DO UPDATE SET facts = excluded.facts",
    )?;
    let mut buf = Vec::with_capacity(256);
    for c in &base.clients {
        encode(c, &mut buf);
        put.execute(params![c.id, buf])?;
    }
    Ok(())
}

impl Store {
    /// Brings the follow-up cache up to date with the change log, in one transaction (module
    /// docs); does nothing but three small reads when it is current. Only derived,
    /// replica-local rows are written: no data, no change-log entry, no audit entry.
    pub fn follow_up_catch_up(&self) -> Result<CatchUp> {
        let conn = self.conn();
        if is_current(conn)? {
            return Ok(CatchUp::Current);
        }
        // Immediate: the watermark read below must still be the newest change at commit.
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let last = last_seq(&tx)?;
        let (done, clients) = match stale_clients(&tx)? {
            Some(dirty) if dirty.is_empty() => (CatchUp::Clients(0), state(&tx)?.map_or(0, |s| s.2)),
            Some(dirty) => {
                let ids = serde_json::to_string(&dirty).map_err(|e| StoreError::Migration(e.to_string()))?;
                let held = |tx: &Connection| -> Result<i64> {
                    Ok(tx.query_row(
                        "SELECT count(*) FROM follow_up_fact WHERE client_id IN (SELECT value FROM json_each(?1))",
                        [&ids],
                        |r| r.get(0),
                    )?)
                };
                let before = held(&tx)?;
                let fresh = facts::read_facts(&tx, &Scope::Clients(&ids))?;
                let live: BTreeSet<&str> = fresh.clients.iter().map(|c| c.id.as_str()).collect();
                let gone: BTreeSet<String> = dirty.iter().filter(|id| !live.contains(id.as_str())).cloned().collect();
                write_rows(&tx, &fresh, &gone)?;
                let cached = state(&tx)?.map_or(0, |s| s.2);
                (CatchUp::Clients(dirty.len()), cached - before + held(&tx)?)
            }
            None => {
                // The scan reads each page once: a small page cache loses nothing and leaves
                // its memory to the facts, which are all held until the last join (at 100 000
                // clients the peak drops by about the cache's 64 MiB).
                let cache: i64 = tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
                tx.execute_batch("PRAGMA cache_size = -4096")?;
                let rebuilt = (|| -> Result<usize> {
                    tx.execute("DELETE FROM follow_up_fact", [])?;
                    let fresh = facts::read_facts(&tx, &Scope::All)?;
                    write_rows(&tx, &fresh, &BTreeSet::new())?;
                    Ok(fresh.clients.len())
                })();
                tx.execute_batch(&format!("PRAGMA cache_size = {cache}"))?;
                let n = rebuilt?;
                (CatchUp::Rebuilt(n), n as i64)
            }
        };
        tx.execute("DELETE FROM follow_up_stale", [])?;
        tx.execute(
            "INSERT INTO follow_up_state (singleton, seq, format, clients) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT(singleton) DO UPDATE SET seq = excluded.seq, format = excluded.format,
                 clients = excluded.clients",
            params![last, format(), clients],
        )?;
        tx.commit()?;
        Ok(done)
    }

    /// The indicators, folded over the cache's rows one client at a time (caught up first):
    /// what the Follow-up screen, `sluss report` and `sluss bench` compute. Memory stays at
    /// one client's facts plus the counts, whatever the number of clients.
    pub fn follow_up_indicators(&self, period: Period, by: By, today: NaiveDate, lang: Lang) -> Result<Indicators> {
        self.follow_up_catch_up()?;
        let conn = self.conn();
        let fold = |conn: &Connection| -> Result<Fold> {
            let mut fold = Fold::new(period, by, today);
            for_each_cached(conn, &mut |c| {
                fold.add(c);
                Ok(())
            })?;
            Ok(fold)
        };
        let fold = match fold(conn) {
            Ok(f) => f,
            // A row this build cannot read: rebuilt, as in `follow_up_cached`, and counted again.
            Err(StoreError::Migration(_)) => {
                conn.execute("DELETE FROM follow_up_state", [])?;
                self.follow_up_catch_up()?;
                fold(conn)?
            }
            Err(e) => return Err(e),
        };
        Ok(fold.finish(&facts::names(conn)?, lang))
    }

    /// Every live client's facts, from the cache (caught up first), with the names groups are
    /// shown with: what the Follow-up screen, `sluss report` and the pseudonymised export read.
    pub fn follow_up_cached(&self) -> Result<FactBase> {
        self.follow_up_catch_up()?;
        let conn = self.conn();
        let clients = match read_all(conn) {
            Ok(clients) => clients,
            // A row this build cannot read (a damaged file, a hand edit): the cache is only
            // derived, so it is rebuilt rather than the screen refused.
            Err(StoreError::Migration(_)) => {
                conn.execute("DELETE FROM follow_up_state", [])?;
                self.follow_up_catch_up()?;
                read_all(conn)?
            }
            Err(e) => return Err(e),
        };
        Ok(FactBase { clients, names: facts::names(conn)? })
    }
}

impl Store {
    /// What `sluss check` reports about the follow-up cache: a watermark past the newest
    /// change, or a cached client whose facts differ from a fresh computation (clients with
    /// changes the cache has not caught up with yet are left out). Ids only.
    pub(crate) fn follow_up_cache_problems(&self) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut problems = Vec::new();
        let Some((seq, fmt, cached)) = state(conn)? else { return Ok(problems) };
        let last = last_seq(conn)?;
        if seq > last {
            problems.push(format!("follow-up cache: its watermark {seq} is past the newest change {last}"));
            return Ok(problems);
        }
        // Another encoding, or so many changes since that the next read rebuilds it.
        let Some(pending) = stale_clients(conn)?.filter(|_| fmt == format()) else { return Ok(problems) };
        let fresh = facts::read_facts(conn, &Scope::All)?;
        let mut by_id: std::collections::HashMap<&str, &ClientFacts> =
            fresh.clients.iter().map(|c| (c.id.as_str(), c)).collect();
        let read = for_each_cached(conn, &mut |c| {
            if pending.contains(&c.id) {
                by_id.remove(c.id.as_str());
                return Ok(());
            }
            match by_id.remove(c.id.as_str()) {
                None => problems.push(format!("follow-up cache: client {} is cached but not a live client", c.id)),
                Some(f) if f != c => problems.push(format!("follow-up cache: the facts of client {} are stale", c.id)),
                Some(_) => {}
            }
            Ok(())
        });
        match read {
            // The next read rebuilds the cache; `check` says so and goes on.
            Err(StoreError::Migration(m)) => {
                problems.push(format!("follow-up cache: {m} (the next read rebuilds it)"));
                return Ok(problems);
            }
            other => other?,
        }
        if pending.is_empty() && cached as usize != fresh.clients.len() {
            problems
                .push(format!("follow-up cache: it counts {cached} clients, the store holds {}", fresh.clients.len()));
        }
        let mut missing: Vec<&str> = by_id.into_keys().filter(|id| !pending.contains(*id)).collect();
        missing.sort_unstable();
        for id in missing {
            problems.push(format!("follow-up cache: client {id} is missing"));
        }
        Ok(problems)
    }
}

fn read_all(conn: &Connection) -> Result<Vec<ClientFacts>> {
    let n = state(conn)?.map_or(0, |s| s.2.max(0) as usize);
    let mut clients = Vec::with_capacity(n);
    for_each_cached(conn, &mut |c| {
        clients.push(c.clone());
        Ok(())
    })?;
    Ok(clients)
}

/// Decodes every cached row in client-id order, reusing one [`ClientFacts`]. A row that
/// does not decode is a `Migration` error naming the client (ids only).
pub(crate) fn for_each_cached(conn: &Connection, f: &mut dyn FnMut(&ClientFacts) -> Result<()>) -> Result<()> {
    let mut stmt = conn.prepare("SELECT client_id, facts FROM follow_up_fact ORDER BY client_id")?;
    let mut rows = stmt.query([])?;
    let mut c = ClientFacts::default();
    while let Some(r) = rows.next()? {
        let id = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        let blob = r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
        if decode(blob, &mut c).is_none() {
            return Err(StoreError::Migration(format!("the follow-up cache row of client {id} is unreadable")));
        }
        c.id.clear();
        c.id.push_str(id);
        f(&c)?;
    }
    Ok(())
}
