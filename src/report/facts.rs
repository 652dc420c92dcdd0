//! Reading what the follow-up indicators need from the store ([`Store::follow_up_facts`]).
//!
//! Issue 7: at 100 000 clients the facts are about two million rows, and every page SQLCipher
//! reads is decrypted and authenticated, so the cost is the number of pages read. Each query
//! below reads one covering index of schema v2 (`follow_up_*` in `sql/v2.sql`), which holds
//! exactly the columns the query needs and only live rows: 47 000 pages instead of the 98 000
//! pages of the full rows (docs/performance.md). Child rows are joined to their parents here,
//! in hash maps, after one sequential scan of each index: looking each child up through an
//! index costs a random b-tree descent per row, ten times slower at 100k clients.
//!
//! `follow_up_facts_read_covering_indexes_only` in tests checks every query's plan.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::NaiveDate;

use super::indicators::{ClientFacts, FactBase, InterventionFact, MeetingFact, OutcomeFact};
use super::str_at;
use crate::domain::enums::*;
use crate::domain::timeline::JOINT_MEETING_KINDS;
use crate::store::{Result, Store};

/// The queries, in the order they run. Each names the columns of its covering index and
/// filters on what the index's partial `WHERE` holds, so SQLite reads the index alone.
#[cfg(test)]
pub(crate) const QUERIES: [&str; 10] = [
    CLIENTS,
    ENROLMENTS,
    SENTENCES,
    CONSENTS,
    MEETINGS,
    PARTICIPANTS,
    NEEDS,
    INTERVENTIONS,
    INTERVENTION_NEEDS,
    OUTCOMES,
];

const CLIENTS: &str = "SELECT id, gender FROM client WHERE deleted = 0 /*scope*/";
const ENROLMENTS: &str = "SELECT client_id, id, status, coalesce(identified_on, asked_on, decided_on), decided_on,
        decline_reason, abort_reason, office_id, coordinator_id
 FROM enrolment WHERE deleted = 0 /*scope*/";
const SENTENCES: &str =
    "SELECT client_id, max(release_on) FROM sentence WHERE deleted = 0 /*scope*/ GROUP BY client_id";
const CONSENTS: &str = "SELECT client_id, max(documented_in_vsp), max(form = 'skriftligt'),
        max(programme_description_given), max(right_to_withdraw_explained)
 FROM consent WHERE deleted = 0 AND given_on IS NOT NULL /*scope*/ GROUP BY client_id";
const MEETINGS: &str = "SELECT client_id, id, starts_at, planning_point, kind FROM meeting
 WHERE deleted = 0 AND status = 'genomfort' AND client_id IS NOT NULL /*scope*/";
// `org_id IS NOT NULL` and `attended` are checked below, not here: with either in the query
// SQLite prefers the range of `participant_org` over the covering index.
const PARTICIPANTS: &str = "SELECT meeting_id, org_id, attended FROM meeting_participant WHERE deleted = 0 /*scope*/";
const NEEDS: &str = "SELECT id, area FROM need WHERE deleted = 0 /*scope*/";
const INTERVENTIONS: &str =
    "SELECT client_id, id, status, provider_org_id FROM intervention WHERE deleted = 0 /*scope*/";
const INTERVENTION_NEEDS: &str = "SELECT intervention_id, need_id FROM intervention_need WHERE deleted = 0 /*scope*/";
const OUTCOMES: &str = "SELECT client_id, point, housing, occupation, in_treatment, recorded_on, id
 FROM outcome_snapshot WHERE deleted = 0 /*scope*/";

fn date(s: Option<&str>) -> Option<NaiveDate> {
    s.and_then(|s| s.get(..10)).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// A map keyed by row id. Ids are UUIDs (`new_id`): the canonical lower-case text form is
/// kept as a 128-bit number, so the million lookups of a 100k store neither allocate nor
/// hash 36 bytes with SipHash (together half the time of reading the facts before). Any other
/// id, spelled differently, has its own map, so two different texts never share an entry.
struct IdMap<V> {
    uuids: HashMap<u128, V, BuildHasherDefault<U128Hasher>>,
    other: HashMap<String, V>,
}

impl<V> IdMap<V> {
    fn with_capacity(n: usize) -> Self {
        IdMap { uuids: HashMap::with_capacity_and_hasher(n, Default::default()), other: HashMap::new() }
    }

    fn insert(&mut self, id: &str, v: V) {
        match uuid_bits(id) {
            Some(k) => self.uuids.insert(k, v),
            None => self.other.insert(id.to_owned(), v),
        };
    }

    fn get(&self, id: &str) -> Option<&V> {
        match uuid_bits(id) {
            Some(k) => self.uuids.get(&k),
            None => self.other.get(id),
        }
    }
}

/// The 128 bits of a UUID in canonical form (`8-4-4-4-12` lower-case hex digits), else `None`.
fn uuid_bits(id: &str) -> Option<u128> {
    let b = id.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut v: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        let digit = match c {
            b'-' if matches!(i, 8 | 13 | 18 | 23) => continue,
            b'0'..=b'9' if !matches!(i, 8 | 13 | 18 | 23) => c - b'0',
            b'a'..=b'f' if !matches!(i, 8 | 13 | 18 | 23) => c - b'a' + 10,
            _ => return None,
        };
        v = (v << 4) | u128::from(digit);
    }
    Some(v)
}

/// Hashes a UUID's bits: they are random already (bar the time prefix of v7, which the
/// multiplication spreads), so one multiply-and-fold is enough.
#[derive(Default)]
struct U128Hasher(u64);

impl Hasher for U128Hasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }
}

/// Organisation ids as small numbers, so a client's engaged organisations are a short list of
/// numbers instead of a set of strings. Ids not in the directory (a deleted organisation) get
/// a number too and count as "other", as before.
#[derive(Default)]
struct Orgs {
    at: HashMap<String, u32>,
    kinds: Vec<Option<OrgKind>>,
}

impl Orgs {
    fn intern(&mut self, id: &str) -> u32 {
        if let Some(&n) = self.at.get(id) {
            return n;
        }
        let n = self.kinds.len() as u32;
        self.at.insert(id.to_owned(), n);
        self.kinds.push(None);
        n
    }
}

/// Which clients to read the facts of.
pub(crate) enum Scope<'a> {
    /// Every live client: one scan of each covering index.
    All,
    /// The live clients among these ids (a JSON array of strings): each query searches its
    /// covering index by client, so the cost follows the number of clients asked for.
    Clients(&'a str),
}

/// Subqueries limiting each query to the clients of [`Scope::Clients`] (`?1`).
const IN_SCOPE: &str = "(SELECT value FROM json_each(?1))";

impl Scope<'_> {
    /// The query for this scope: `sql` itself for every client, else with `filter` (which
    /// mentions `IN_SCOPE`) in place of its `/*scope*/` mark.
    fn sql(&self, sql: &str, filter: &str) -> String {
        match self {
            Scope::All => sql.to_owned(),
            Scope::Clients(_) => sql.replace("/*scope*/", &filter.replace("IN_SCOPE", IN_SCOPE)),
        }
    }

    fn params(&self) -> impl rusqlite::Params + '_ {
        rusqlite::params_from_iter(match self {
            Scope::All => None,
            Scope::Clients(ids) => Some(*ids),
        })
    }
}

/// Filters of [`Scope::Clients`], one per query. Rows reached through a parent (participants
/// through their meeting, needs and links through the intervention) are limited to the
/// parents of those clients: the same rows the scan of every client would join to them.
const BY_CLIENT: &str = "AND client_id IN IN_SCOPE";
const BY_ID: &str = "AND id IN IN_SCOPE";
const BY_MEETING: &str = "AND meeting_id IN (SELECT id FROM meeting
    WHERE deleted = 0 AND status = 'genomfort' AND client_id IN IN_SCOPE)";
const BY_NEED: &str =
    "AND id IN (SELECT x.need_id FROM intervention_need x JOIN intervention i ON i.id = x.intervention_id
    WHERE x.deleted = 0 AND i.deleted = 0 AND i.client_id IN IN_SCOPE)";
const BY_INTERVENTION: &str =
    "AND intervention_id IN (SELECT id FROM intervention WHERE deleted = 0 AND client_id IN IN_SCOPE)";

/// Every query with the filter [`Scope::Clients`] puts in, for the plan tests.
#[cfg(test)]
pub(crate) fn scoped_queries() -> Vec<String> {
    let s = Scope::Clients("[]");
    [
        (CLIENTS, BY_ID),
        (ENROLMENTS, BY_CLIENT),
        (SENTENCES, BY_CLIENT),
        (CONSENTS, BY_CLIENT),
        (MEETINGS, BY_CLIENT),
        (PARTICIPANTS, BY_MEETING),
        (NEEDS, BY_NEED),
        (INTERVENTIONS, BY_CLIENT),
        (INTERVENTION_NEEDS, BY_INTERVENTION),
        (OUTCOMES, BY_CLIENT),
    ]
    .iter()
    .map(|(q, f)| s.sql(q, f))
    .collect()
}

impl Store {
    /// Reads what the indicators need about every live client afresh, from the tables: one
    /// scan of one covering index per table, so the cost follows the size of those indexes,
    /// not a number of round trips (module docs). Screens and reports read the cache instead
    /// ([`Store::follow_up_cached`]); this is what the cache must always equal.
    pub fn follow_up_facts(&self) -> Result<FactBase> {
        read_facts(self.conn(), &Scope::All)
    }
}

/// Organisation and contact names by id, for group labels.
pub(crate) fn names(conn: &rusqlite::Connection) -> Result<HashMap<String, String>> {
    let mut names = HashMap::new();
    for sql in ["SELECT id, name FROM organisation WHERE deleted = 0", "SELECT id, name FROM contact WHERE deleted = 0"]
    {
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            names.insert(r.get(0)?, r.get(1)?);
        }
    }
    Ok(names)
}

/// The facts of the clients in `scope`, by the same rules whatever the scope: the cache's
/// per-client refresh and the full scan run this one function.
pub(crate) fn read_facts(conn: &rusqlite::Connection, scope: &Scope<'_>) -> Result<FactBase> {
    let mut index: IdMap<usize> = IdMap::with_capacity(0);
    let mut clients: Vec<ClientFacts> = Vec::new();
    {
        let mut stmt = conn.prepare(&scope.sql(CLIENTS, BY_ID))?;
        let mut rows = stmt.query(scope.params())?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            index.insert(&id, clients.len());
            let gender = str_at(r, 1)?.and_then(Gender::from_code);
            clients.push(ClientFacts { id, gender, ..ClientFacts::default() });
        }
    }
    let find = |r: &rusqlite::Row<'_>| -> rusqlite::Result<Option<usize>> {
        Ok(str_at(r, 0)?.and_then(|id| index.get(id).copied()))
    };
    // The current programme is the one with the highest id (ids are UUIDv7, so the latest).
    {
        let mut stmt = conn.prepare(&scope.sql(ENROLMENTS, BY_CLIENT))?;
        let mut rows = stmt.query(scope.params())?;
        let mut current: Vec<Option<String>> = vec![None; clients.len()];
        while let Some(r) = rows.next()? {
            let Some(i) = find(r)? else { continue };
            let id = str_at(r, 1)?.unwrap_or("");
            if current[i].as_deref().is_some_and(|c| c > id) {
                continue;
            }
            current[i] = Some(id.to_owned());
            let c = &mut clients[i];
            c.status = str_at(r, 2)?.and_then(EnrolmentStatus::from_code);
            c.identified_on = date(str_at(r, 3)?);
            c.decided_on = date(str_at(r, 4)?);
            c.decline_reason = str_at(r, 5)?.and_then(DeclineReason::from_code);
            c.abort_reason = str_at(r, 6)?.and_then(AbortReason::from_code);
            c.office_id = r.get(7)?;
            c.coordinator_id = r.get(8)?;
        }
    }
    // The current sentence is the one released last, as in `client_files`.
    {
        let mut stmt = conn.prepare(&scope.sql(SENTENCES, BY_CLIENT))?;
        let mut rows = stmt.query(scope.params())?;
        while let Some(r) = rows.next()? {
            if let Some(i) = find(r)? {
                clients[i].release_on = date(str_at(r, 1)?);
            }
        }
    }
    {
        let mut stmt = conn.prepare(&scope.sql(CONSENTS, BY_CLIENT))?;
        let mut rows = stmt.query(scope.params())?;
        while let Some(r) = rows.next()? {
            if let Some(i) = find(r)? {
                let c = &mut clients[i];
                c.consent_given = true;
                c.consent_documented = r.get(1)?;
                c.consent_written = r.get(2)?;
                c.consent_description_given = r.get(3)?;
                c.consent_withdraw_explained = r.get(4)?;
            }
        }
    }
    let mut meeting_client: IdMap<usize> = IdMap::with_capacity(clients.len() * 2);
    {
        let mut stmt = conn.prepare(&scope.sql(MEETINGS, BY_CLIENT))?;
        let mut rows = stmt.query(scope.params())?;
        while let Some(r) = rows.next()? {
            let Some(i) = find(r)? else { continue };
            meeting_client.insert(str_at(r, 1)?.unwrap_or(""), i);
            let joint =
                str_at(r, 4)?.and_then(MeetingKind::from_code).is_some_and(|k| JOINT_MEETING_KINDS.contains(&k));
            let Some(day) = date(str_at(r, 2)?) else { continue };
            if joint {
                let point = r.get::<_, Option<i64>>(3)?.and_then(|p| u8::try_from(p).ok());
                clients[i].meetings.push(MeetingFact { day, point });
            }
        }
    }
    let mut orgs = Orgs::default();
    let mut names: HashMap<String, String> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT id, kind, name FROM organisation WHERE deleted = 0")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let n = orgs.intern(&id);
            orgs.kinds[n as usize] = str_at(r, 1)?.and_then(OrgKind::from_code);
            names.insert(id, r.get(2)?);
        }
        let mut stmt = conn.prepare("SELECT id, name FROM contact WHERE deleted = 0")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            names.insert(r.get(0)?, r.get(1)?);
        }
    }
    // Distinct organisations engaged with each client, as interned numbers.
    let mut engaged: Vec<Vec<u32>> = vec![Vec::new(); clients.len()];
    let mut engage = |i: usize, org: u32| {
        if !engaged[i].contains(&org) {
            engaged[i].push(org);
        }
    };
    {
        // Organisations that took part in a held meeting (unless marked absent).
        let mut stmt = conn.prepare(&scope.sql(PARTICIPANTS, BY_MEETING))?;
        let mut rows = stmt.query(scope.params())?;
        while let Some(r) = rows.next()? {
            if r.get::<_, Option<i64>>(2)?.unwrap_or(1) != 1 {
                continue;
            }
            let Some(org) = str_at(r, 1)? else { continue };
            let Some(&i) = str_at(r, 0)?.and_then(|m| meeting_client.get(m)) else { continue };
            engage(i, orgs.intern(org));
        }
    }
    drop(meeting_client);
    let mut need_area: IdMap<LifeArea> = IdMap::with_capacity(clients.len() * 4);
    {
        let mut stmt = conn.prepare(&scope.sql(NEEDS, BY_NEED))?;
        let mut rows = stmt.query(scope.params())?;
        while let Some(r) = rows.next()? {
            if let Some(a) = str_at(r, 1)?.and_then(LifeArea::from_code) {
                need_area.insert(str_at(r, 0)?.unwrap_or(""), a);
            }
        }
    }
    // Interventions: where each sits in its client's list, to attach need areas after.
    let mut intervention_at: IdMap<(usize, usize)> = IdMap::with_capacity(clients.len() * 3);
    {
        let mut stmt = conn.prepare(&scope.sql(INTERVENTIONS, BY_CLIENT))?;
        let mut rows = stmt.query(scope.params())?;
        while let Some(r) = rows.next()? {
            let Some(i) = find(r)? else { continue };
            // A status code from a newer replica counts as planned, as in `client_files`.
            let status = str_at(r, 2)?.and_then(InterventionStatus::from_code).unwrap_or(InterventionStatus::Planerad);
            let provider_id = str_at(r, 3)?;
            let provider = provider_id.and_then(|p| orgs.at.get(p)).and_then(|&n| orgs.kinds[n as usize]);
            if let Some(p) = provider_id.filter(|_| engaged_status(status)) {
                engage(i, orgs.intern(p));
            }
            intervention_at.insert(str_at(r, 1)?.unwrap_or(""), (i, clients[i].interventions.len()));
            clients[i].interventions.push(InterventionFact { status, provider, areas: Vec::new() });
        }
        let mut stmt = conn.prepare(&scope.sql(INTERVENTION_NEEDS, BY_INTERVENTION))?;
        let mut rows = stmt.query(scope.params())?;
        while let Some(r) = rows.next()? {
            let (Some(&(c, k)), Some(&area)) =
                (str_at(r, 0)?.and_then(|x| intervention_at.get(x)), str_at(r, 1)?.and_then(|x| need_area.get(x)))
            else {
                continue;
            };
            clients[c].interventions[k].areas.push(area);
        }
    }
    for (c, orgs_of) in clients.iter_mut().zip(engaged) {
        c.actors = orgs_of.iter().map(|&n| orgs.kinds[n as usize].unwrap_or(OrgKind::Annan)).collect();
    }
    {
        let mut stmt = conn.prepare(&scope.sql(OUTCOMES, BY_CLIENT))?;
        let mut rows = stmt.query(scope.params())?;
        let mut found: Vec<(String, usize, OutcomeFact, Option<NaiveDate>)> = Vec::new();
        while let Some(r) = rows.next()? {
            let Some(i) = find(r)? else { continue };
            let Some(point) = str_at(r, 1)?.and_then(OutcomePoint::from_code) else { continue };
            let fact = OutcomeFact {
                point,
                housing: str_at(r, 2)?.and_then(HousingStatus::from_code),
                occupation: str_at(r, 3)?.and_then(OccupationStatus::from_code),
                in_treatment: r.get(4)?,
            };
            found.push((r.get(6)?, i, fact, date(str_at(r, 5)?)));
        }
        // In the order the snapshots were made (ids are UUIDv7, time first), so of two
        // recorded the same day the later one counts, and every replica picks the same one:
        // the rowid order a store happens to have differs after an import.
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut recorded: HashMap<(usize, OutcomePoint), Option<NaiveDate>> = HashMap::new();
        for (_, i, fact, on) in found {
            let point = fact.point;
            // The latest snapshot at a point counts.
            let outcomes = &mut clients[i].outcomes;
            match outcomes.iter_mut().find(|o| o.point == point) {
                Some(o) if recorded.get(&(i, point)).is_some_and(|&prev| on >= prev) => *o = fact,
                Some(_) => continue,
                None => outcomes.push(fact),
            }
            recorded.insert((i, point), on);
        }
    }
    // One order for every list, whatever order an index gave: the cache's per-client reads
    // and the full scan may walk different indexes, and their facts are compared.
    for c in &mut clients {
        c.meetings.sort_unstable_by_key(|m| (m.day, m.point));
        for i in &mut c.interventions {
            i.areas.sort_unstable();
        }
        c.interventions.sort_by(|a, b| (a.status, a.provider, &a.areas).cmp(&(b.status, b.provider, &b.areas)));
        c.actors.sort_unstable();
    }
    Ok(FactBase { clients, names })
}

/// The provider took part: the intervention is live or finished. Same rule as the need-gap
/// checks' "engaged" (`domain::rules`): aborted, declined and information-only do not count.
fn engaged_status(s: InterventionStatus) -> bool {
    !matches!(s, InterventionStatus::Avbruten | InterventionStatus::Avbojd | InterventionStatus::EndastInformation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_canonical_uuids_become_numbers_and_every_id_keeps_its_own_entry() {
        let id = "019b76da-a943-7a06-8906-05cb466e7bd3";
        assert_eq!(uuid_bits(id), Some(0x019b76da_a943_7a06_8906_05cb466e7bd3));
        assert_eq!(uuid_bits(&id.to_uppercase()), None);
        assert_eq!(uuid_bits("019b76daa-943-7a06-8906-05cb466e7bd3"), None);
        assert_eq!(uuid_bits("c1"), None);
        let mut m = IdMap::with_capacity(4);
        m.insert(id, 1);
        m.insert(&id.to_uppercase(), 2);
        m.insert("c1", 3);
        assert_eq!(
            (m.get(id), m.get(&id.to_uppercase()), m.get("c1"), m.get("c2")),
            (Some(&1), Some(&2), Some(&3), None)
        );
    }
}
