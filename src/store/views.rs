//! Read models for the screens: the client list with filters and keyset paging, the
//! dashboards, the calendar, the directory and a client's history. Every query returns at
//! most one page of rows, so its cost follows what is on screen, not the size of the store.

use chrono::{Duration, NaiveDate};
use rusqlite::types::Value as Sql;
use rusqlite::{Row, params_from_iter};

use super::{Result, Store};
use crate::domain::enums::*;
use crate::domain::model::Sentence;
use crate::domain::timeline::{self, Phase};

/// One client in a list: enough to show a row and to compute the phase.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRow {
    /// Client id.
    pub id: String,
    /// First name (never shown for protected identity unless revealed).
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// The key the list sorts by: the alias for a protected identity, else the name.
    pub sort_name: String,
    /// Alias shown for protected identity.
    pub alias: Option<String>,
    /// Whether the identity is protected.
    pub protected: bool,
    /// Identity number, 12 digits.
    pub id_number: Option<String>,
    /// Home municipality.
    pub municipality: Option<String>,
    /// Conditional-release date of the current sentence.
    pub release_on: Option<NaiveDate>,
    /// End of prövotid.
    pub probation_end_on: Option<NaiveDate>,
    /// Closing date: the earlier of the client's closing and the programme's end.
    pub closing_on: Option<NaiveDate>,
    /// Programme status.
    pub status: Option<EnrolmentStatus>,
    /// Latest risk level.
    pub risk: Option<RiskLevel>,
    /// Coordinator's name.
    pub coordinator: Option<String>,
    /// Probation office name.
    pub office: Option<String>,
}

impl ClientRow {
    /// The phase on `today`, by the same rule as the timeline engine.
    pub fn phase(&self, today: NaiveDate) -> Phase {
        let sentence = Sentence {
            id: String::new(),
            client_id: self.id.clone(),
            start_on: None,
            release_on: self.release_on,
            probation_end_on: self.probation_end_on,
            release_measure: ReleaseMeasure::Ingen,
        };
        timeline::phase(Some(&sentence), self.closing_on, today)
    }

    /// The name to show: the alias for a protected identity, else "Last, First".
    pub fn display_name(&self) -> String {
        display_name(&self.first_name, &self.last_name, self.alias.as_deref(), self.protected)
    }
}

/// The name to show for a client: the alias for a protected identity, else "Last, First".
pub fn display_name(first: &str, last: &str, alias: Option<&str>, protected: bool) -> String {
    if protected { alias.unwrap_or("Skyddad identitet").to_owned() } else { format!("{last}, {first}") }
}

/// How the client list is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientSort {
    /// By last name, first name.
    #[default]
    Name,
    /// By conditional-release date (clients without a sentence are left out).
    Release,
}

/// The client list's filters and order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientQuery {
    /// Words to find in name, alias, personnummer or municipality (prefix match).
    pub text: String,
    /// Only this phase.
    pub phase: Option<Phase>,
    /// Only this latest risk level.
    pub risk: Option<RiskLevel>,
    /// Only this probation office (organisation id).
    pub office_id: Option<String>,
    /// Only this coordinator (contact id).
    pub coordinator_id: Option<String>,
    /// Only this programme status.
    pub status: Option<EnrolmentStatus>,
    /// Order.
    pub sort: ClientSort,
    /// Descending instead of ascending.
    pub descending: bool,
}

/// Where a page starts: the sort key and id of the row before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    key: Vec<Sql>,
}

impl ClientRow {
    /// The keyset cursor just after this row for the given sort.
    pub fn cursor(&self, sort: ClientSort) -> Cursor {
        let key = match sort {
            ClientSort::Name => vec![Sql::Text(self.sort_name.clone()), Sql::Text(self.id.clone())],
            ClientSort::Release => {
                vec![self.release_on.map(|d| Sql::Text(d.to_string())).unwrap_or(Sql::Null), Sql::Text(self.id.clone())]
            }
        };
        Cursor { key }
    }
}

/// Shortest search that filters: one character matches most of a large store and costs a
/// scan, while two already narrow it (see docs/performance.md).
pub const MIN_SEARCH_CHARS: usize = 2;

/// Turns typed words into an FTS5 prefix query that cannot be a syntax error; `None` when
/// there is nothing to search for yet.
pub fn fts_query(text: &str) -> Option<String> {
    if text.trim().chars().count() < MIN_SEARCH_CHARS {
        return None;
    }
    let terms: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            // A personnummer typed with a dash is one token in the index.
            let w: String =
                if w.chars().all(|c| c.is_ascii_digit() || c == '-') { w.replace('-', "") } else { w.to_owned() };
            format!("\"{}\"*", w.replace('"', "\"\""))
        })
        .filter(|t| t != "\"\"*")
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

/// Up to this many search matches are fetched first and sorted; more are filtered while
/// walking the list in order.
const FEW_MATCHES: usize = 500;

/// Runs `sql` cached, unless it lists search matches inline: such a statement is used once
/// and caching it would evict the others.
fn query_rows<T>(
    conn: &rusqlite::Connection,
    sql: &str,
    inline: bool,
    params: Vec<Sql>,
    f: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let rows = if inline {
        conn.prepare(sql)?.query_map(params_from_iter(params), f)?.collect::<rusqlite::Result<_>>()?
    } else {
        conn.prepare_cached(sql)?.query_map(params_from_iter(params), f)?.collect::<rusqlite::Result<_>>()?
    };
    Ok(rows)
}

const CLIENT_COLUMNS: &str = "c.id, c.first_name, c.last_name, c.alias, c.protected_identity, c.id_number,
    c.home_municipality, s.release_on, s.probation_end_on, c.closed_on, e.ended_on, e.status, r.level, co.name, o.name,
    c.sort_name";

const CURRENT_JOINS: &str = "
    LEFT JOIN enrolment e ON e.id = (SELECT id FROM enrolment WHERE client_id = c.id AND deleted = 0 ORDER BY id DESC LIMIT 1)
    LEFT JOIN risk_assessment r ON r.id =
        (SELECT id FROM risk_assessment WHERE client_id = c.id AND deleted = 0 ORDER BY assessed_on DESC LIMIT 1)
    LEFT JOIN contact co ON co.id = e.coordinator_id
    LEFT JOIN organisation o ON o.id = e.office_id";

fn date_col(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    Ok(row.get::<_, Option<String>>(i)?.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()))
}

fn client_row(r: &Row<'_>) -> rusqlite::Result<ClientRow> {
    let closed: Option<NaiveDate> = date_col(r, 9)?;
    let ended: Option<NaiveDate> = date_col(r, 10)?;
    let closing_on = match (closed, ended) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Ok(ClientRow {
        id: r.get(0)?,
        first_name: r.get(1)?,
        last_name: r.get(2)?,
        alias: r.get(3)?,
        protected: r.get(4)?,
        id_number: r.get(5)?,
        municipality: r.get(6)?,
        release_on: date_col(r, 7)?,
        probation_end_on: date_col(r, 8)?,
        closing_on,
        status: r.get::<_, Option<String>>(11)?.as_deref().and_then(EnrolmentStatus::from_code),
        risk: r.get::<_, Option<String>>(12)?.as_deref().and_then(RiskLevel::from_code),
        coordinator: r.get(13)?,
        office: r.get(14)?,
        sort_name: r.get(15)?,
    })
}

/// SQL condition for a phase, mirroring `timeline::phase` on the current sentence and the
/// closing dates. Dates are bound as parameters.
fn phase_condition(phase: Phase, today: NaiveDate, params: &mut Vec<Sql>) -> String {
    let mut p = |d: NaiveDate| {
        params.push(Sql::Text(d.to_string()));
        format!("?{}", params.len())
    };
    let t = p(today);
    let closed = format!(
        "(ifnull(c.closed_on <= {t}, 0) OR ifnull(e.ended_on <= {t}, 0) OR ifnull(s.probation_end_on < {t}, 0))"
    );
    let open = format!("NOT {closed}");
    match phase {
        Phase::Avslutad => closed,
        Phase::IAnstalt => {
            let far = p(today + Duration::days(timeline::BEFORE_RELEASE_DAYS));
            format!("{open} AND (s.release_on IS NULL OR s.release_on > {far})")
        }
        Phase::InforFrigivning => {
            let far = p(today + Duration::days(timeline::BEFORE_RELEASE_DAYS));
            format!("{open} AND s.release_on > {t} AND s.release_on <= {far}")
        }
        Phase::Frigivning => {
            let from = p(today - Duration::days(timeline::RELEASE_PHASE_DAYS_AFTER));
            format!("{open} AND s.release_on <= {t} AND s.release_on >= {from}")
        }
        Phase::ForstaVeckorna => {
            let to = p(today - Duration::days(timeline::RELEASE_PHASE_DAYS_AFTER));
            let from = p(today - Duration::days(timeline::FIRST_WEEKS_DAYS));
            format!("{open} AND s.release_on < {to} AND s.release_on >= {from}")
        }
        Phase::Avslutning | Phase::Overvakning => {
            let before = p(today - Duration::days(timeline::FIRST_WEEKS_DAYS));
            let ending = p(today + Duration::days(timeline::ENDING_DAYS));
            let cond = if phase == Phase::Avslutning {
                format!("s.probation_end_on IS NOT NULL AND s.probation_end_on <= {ending}")
            } else {
                format!("(s.probation_end_on IS NULL OR s.probation_end_on > {ending})")
            };
            format!("{open} AND s.release_on < {before} AND {cond}")
        }
    }
}

impl Store {
    /// One page of the client list after `after` (or from the start), at most `limit` rows.
    pub fn client_page(
        &self,
        query: &ClientQuery,
        today: NaiveDate,
        after: Option<&Cursor>,
        limit: usize,
    ) -> Result<Vec<ClientRow>> {
        let mut params: Vec<Sql> = Vec::new();
        let mut conds: Vec<String> = vec!["c.deleted = 0".to_owned()];
        let sentence_join = match query.sort {
            // Driven from the sentence index so the first page needs no full sort.
            ClientSort::Release => {
                "JOIN sentence s ON s.client_id = c.id AND s.deleted = 0 AND s.release_on IS NOT NULL AND s.id =
                 (SELECT id FROM sentence WHERE client_id = c.id AND deleted = 0 ORDER BY release_on DESC LIMIT 1)"
            }
            ClientSort::Name => {
                "LEFT JOIN sentence s ON s.id =
                 (SELECT id FROM sentence WHERE client_id = c.id AND deleted = 0 ORDER BY release_on DESC LIMIT 1)"
            }
        };
        let Some((found, inline_matches)) = self.search(&query.text, &mut params)? else { return Ok(Vec::new()) };
        conds.push(found);
        if let Some(phase) = query.phase {
            conds.push(phase_condition(phase, today, &mut params));
        }
        let mut eq = |col: &str, v: Option<&str>, conds: &mut Vec<String>| {
            if let Some(v) = v {
                params.push(Sql::Text(v.to_owned()));
                conds.push(format!("{col} = ?{}", params.len()));
            }
        };
        eq("r.level", query.risk.map(RiskLevel::code), &mut conds);
        eq("e.office_id", query.office_id.as_deref(), &mut conds);
        eq("e.coordinator_id", query.coordinator_id.as_deref(), &mut conds);
        eq("e.status", query.status.map(EnrolmentStatus::code), &mut conds);
        let (cols, order) = match query.sort {
            ClientSort::Name => ("(c.sort_name, c.id)", "c.sort_name, c.id"),
            ClientSort::Release => ("(s.release_on, s.client_id)", "s.release_on, s.client_id"),
        };
        let dir = if query.descending { "DESC" } else { "ASC" };
        let order: Vec<String> = order.split(", ").map(|c| format!("{c} {dir}")).collect();
        if let Some(cursor) = after {
            let marks: Vec<String> = cursor
                .key
                .iter()
                .map(|v| {
                    params.push(v.clone());
                    format!("?{}", params.len())
                })
                .collect();
            let op = if query.descending { "<" } else { ">" };
            conds.push(format!("{cols} {op} ({})", marks.join(", ")));
        }
        params.push(Sql::Integer(limit as i64));
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM client c {sentence_join} {CURRENT_JOINS}
             WHERE {} ORDER BY {} LIMIT ?{}",
            conds.join(" AND "),
            order.join(", "),
            params.len()
        );
        query_rows(self.conn(), &sql, inline_matches, params, client_row)
    }

    /// How a typed search narrows a query over `client c`: a condition (`1` when nothing
    /// was typed) and whether it lists the matches inline (a statement used once, not worth
    /// caching); `None` when no client matches. Parameters go onto `params`.
    fn search(&self, text: &str, params: &mut Vec<Sql>) -> Result<Option<(String, bool)>> {
        let Some(fts) = fts_query(text) else { return Ok(Some(("1".to_owned(), false))) };
        // Few matches: start from them and sort. Many: walk the sort index and test each
        // row against the match set, which finds a screenful long before the end.
        Ok(match self.few_fts_matches(&fts)? {
            Some(rowids) if rowids.is_empty() => None,
            Some(rowids) => {
                let list: Vec<String> = rowids.iter().map(i64::to_string).collect();
                Some((format!("c.rowid IN ({})", list.join(",")), true))
            }
            None => {
                params.push(Sql::Text(fts));
                // The unary + keeps SQLite from starting at the match set and sorting it all.
                Some((
                    format!("+c.rowid IN (SELECT rowid FROM client_fts WHERE client_fts MATCH ?{})", params.len()),
                    false,
                ))
            }
        })
    }

    /// The rowids matching a search, if there are at most [`FEW_MATCHES`].
    fn few_fts_matches(&self, fts: &str) -> Result<Option<Vec<i64>>> {
        let mut stmt = self.conn().prepare_cached("SELECT rowid FROM client_fts WHERE client_fts MATCH ?1 LIMIT ?2")?;
        let rows: Vec<i64> = stmt
            .query_map(rusqlite::params![fts, FEW_MATCHES as i64 + 1], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok((rows.len() <= FEW_MATCHES).then_some(rows))
    }

    /// One client as a list row.
    pub fn client_row(&self, id: &str) -> Result<Option<ClientRow>> {
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} FROM client c
             LEFT JOIN sentence s ON s.id =
                (SELECT id FROM sentence WHERE client_id = c.id AND deleted = 0 ORDER BY release_on DESC LIMIT 1)
             {CURRENT_JOINS} WHERE c.id = ?1 AND c.deleted = 0"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let mut rows = stmt.query_map([id], client_row)?;
        Ok(rows.next().transpose()?)
    }
}

/// Which rows a dashboard starts from, before the rules decide which are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Candidates {
    /// Clients released (VF date) from..=to, nearest first (`descending` for latest first).
    ReleasedBetween(NaiveDate, NaiveDate, bool),
    /// Clients whose prövotid ends from..=to, soonest first.
    ProbationEndsBetween(NaiveDate, NaiveDate),
    /// Clients in an active programme.
    Active,
}

/// A meeting in a list or calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingRow {
    /// Meeting id.
    pub id: String,
    /// The client, if the meeting is about one.
    pub client_id: Option<String>,
    /// Name to show for the client.
    pub client_name: Option<String>,
    /// Local start time, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    /// Kind.
    pub kind: MeetingKind,
    /// Mode.
    pub mode: MeetingMode,
    /// Place.
    pub location: Option<String>,
    /// Whether a room is booked.
    pub room_booked: bool,
    /// Planned, held or cancelled.
    pub status: MeetingStatus,
    /// Planning point 1–5.
    pub planning_point: Option<i64>,
}

/// An action item in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRow {
    /// Action item id.
    pub id: String,
    /// The client, if any.
    pub client_id: Option<String>,
    /// Name to show for the client.
    pub client_name: Option<String>,
    /// What to do.
    pub text: String,
    /// Due date.
    pub due_on: Option<NaiveDate>,
    /// Who (contact name or organisation name).
    pub owner: Option<String>,
    /// Open or done.
    pub status: ActionStatus,
}

/// An overdue plan follow-up.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUpRow {
    /// The client.
    pub client_id: String,
    /// Name to show.
    pub client_name: String,
    /// Which plan.
    pub plan_kind: PlanKind,
    /// When it was due.
    pub due_on: Option<NaiveDate>,
}

/// The client's case is still open: not closed, and the programme not ended. Closed cases
/// keep their records but leave the daily lists.
const OPEN_CASE: &str = "(c.id IS NULL OR (c.closed_on IS NULL AND NOT EXISTS (SELECT 1 FROM enrolment x
    WHERE x.client_id = c.id AND x.deleted = 0 AND x.status IN ('avslutad', 'avbruten', 'avbojd'))))";

const CLIENT_NAME_SQL: &str = "CASE WHEN c.protected_identity THEN ifnull(c.alias, 'Skyddad identitet') ELSE c.last_name || ', ' || c.first_name END";

impl Store {
    /// One page of a dashboard's candidate clients.
    /// `search`: only clients a typed search finds, as in the client list.
    pub fn candidates(&self, which: Candidates, search: &str, offset: usize, limit: usize) -> Result<Vec<ClientRow>> {
        let (from, cond, order, params): (&str, &str, &str, Vec<Sql>) = match which {
            Candidates::ReleasedBetween(a, b, desc) => (
                "FROM sentence s0 JOIN client c ON c.id = s0.client_id",
                "s0.deleted = 0 AND s0.release_on BETWEEN ?1 AND ?2 AND s0.id = s.id",
                if desc { "s0.release_on DESC, s0.client_id DESC" } else { "s0.release_on, s0.client_id" },
                vec![Sql::Text(a.to_string()), Sql::Text(b.to_string())],
            ),
            Candidates::ProbationEndsBetween(a, b) => (
                "FROM sentence s0 JOIN client c ON c.id = s0.client_id",
                // Only an active programme without a handover can be listed: skip the rest here.
                "s0.deleted = 0 AND s0.probation_end_on BETWEEN ?1 AND ?2 AND s0.id = s.id
                 AND e.status = 'aktiv' AND e.handover_org_id IS NULL",
                "s0.probation_end_on, s0.client_id",
                vec![Sql::Text(a.to_string()), Sql::Text(b.to_string())],
            ),
            Candidates::Active => (
                "FROM enrolment e0 JOIN client c ON c.id = e0.client_id",
                "e0.deleted = 0 AND e0.status = 'aktiv' AND e0.id = e.id",
                "e0.client_id",
                vec![],
            ),
        };
        let mut params = params;
        let Some((found, inline)) = self.search(search, &mut params)? else { return Ok(Vec::new()) };
        let n = params.len();
        let sql = format!(
            "SELECT {CLIENT_COLUMNS} {from}
             LEFT JOIN sentence s ON s.id =
                (SELECT id FROM sentence WHERE client_id = c.id AND deleted = 0 ORDER BY release_on DESC LIMIT 1)
             {CURRENT_JOINS}
             WHERE c.deleted = 0 AND {cond} AND {found} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
            n + 1,
            n + 2
        );
        params.push(Sql::Integer(limit as i64));
        params.push(Sql::Integer(offset as i64));
        query_rows(self.conn(), &sql, inline, params, client_row)
    }

    /// How many meetings start from..to (`to` exclusive), counting at most `cap`.
    pub fn count_meetings_between(&self, from: &str, to: &str, cap: usize) -> Result<usize> {
        let n: i64 = self
            .conn()
            .prepare_cached(
                "SELECT count(*) FROM (SELECT 1 FROM meeting WHERE deleted = 0 AND starts_at >= ?1 AND starts_at < ?2
                 LIMIT ?3)",
            )?
            .query_row(rusqlite::params![from, to, cap as i64], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// Meetings starting from..to (local times `YYYY-MM-DDTHH:MM`, `to` exclusive), in time
    /// order, for clients a typed search finds (all for an empty search).
    pub fn meetings_between(
        &self,
        from: &str,
        to: &str,
        search: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<MeetingRow>> {
        let mut params = vec![Sql::Text(from.to_owned()), Sql::Text(to.to_owned())];
        let Some((found, inline)) = self.search(search, &mut params)? else { return Ok(Vec::new()) };
        params.push(Sql::Integer(limit as i64));
        params.push(Sql::Integer(offset as i64));
        let n = params.len();
        let sql = format!(
            "SELECT m.id, m.client_id, {CLIENT_NAME_SQL}, m.starts_at, m.kind, m.mode, m.location, m.room_booked,
                    m.status, m.planning_point
             FROM meeting m LEFT JOIN client c ON c.id = m.client_id
             WHERE m.deleted = 0 AND m.starts_at >= ?1 AND m.starts_at < ?2 AND {found}
             ORDER BY m.starts_at, m.id LIMIT ?{} OFFSET ?{n}",
            n - 1
        );
        query_rows(self.conn(), &sql, inline, params, |r| {
            Ok(MeetingRow {
                id: r.get(0)?,
                client_id: r.get(1)?,
                client_name: r.get(2)?,
                starts_at: r.get(3)?,
                kind: r
                    .get::<_, String>(4)
                    .map(|k| MeetingKind::from_code(&k).unwrap_or(MeetingKind::Samverkansmote))?,
                mode: r.get::<_, String>(5).map(|k| MeetingMode::from_code(&k).unwrap_or(MeetingMode::Fysiskt))?,
                location: r.get(6)?,
                room_booked: r.get(7)?,
                status: r
                    .get::<_, String>(8)
                    .map(|k| MeetingStatus::from_code(&k).unwrap_or(MeetingStatus::Planerat))?,
                planning_point: r.get(9)?,
            })
        })
    }

    /// Open action items, earliest due first: overdue ones only (`due_before`), and/or one
    /// owner's (contact id).
    /// `search`: only the items of clients a typed search finds.
    pub fn open_actions(
        &self,
        due_before: Option<NaiveDate>,
        owner_contact_id: Option<&str>,
        search: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<ActionRow>> {
        let text = |v: Option<String>| v.map(Sql::Text).unwrap_or(Sql::Null);
        let mut params = vec![text(due_before.map(|d| d.to_string())), text(owner_contact_id.map(str::to_owned))];
        let Some((found, inline)) = self.search(search, &mut params)? else { return Ok(Vec::new()) };
        params.push(Sql::Integer(limit as i64));
        params.push(Sql::Integer(offset as i64));
        let n = params.len();
        let sql = format!(
            "SELECT a.id, a.client_id, {CLIENT_NAME_SQL}, a.text, a.due_on, ifnull(co.name, o.name), a.status
             FROM action_item a
             LEFT JOIN client c ON c.id = a.client_id
             LEFT JOIN contact co ON co.id = a.owner_contact_id
             LEFT JOIN organisation o ON o.id = a.owner_org_id
             WHERE a.deleted = 0 AND a.status = 'oppen'
               AND (?1 IS NULL OR a.due_on < ?1) AND (?2 IS NULL OR a.owner_contact_id = ?2)
               AND {OPEN_CASE} AND {found}
             ORDER BY a.due_on, a.id LIMIT ?{} OFFSET ?{n}",
            n - 1
        );
        query_rows(self.conn(), &sql, inline, params, |r| {
            Ok(ActionRow {
                id: r.get(0)?,
                client_id: r.get(1)?,
                client_name: r.get(2)?,
                text: r.get(3)?,
                due_on: date_col(r, 4)?,
                owner: r.get(5)?,
                status: r.get::<_, String>(6).map(|k| ActionStatus::from_code(&k).unwrap_or(ActionStatus::Oppen))?,
            })
        })
    }

    /// Plans in force whose follow-up date has passed, most recently due first. (An event's
    /// follow-up is an action item, listed with the other overdue action items.)
    pub fn overdue_follow_ups(&self, today: NaiveDate, limit: usize) -> Result<Vec<FollowUpRow>> {
        // Walking the date index back from today reaches open cases first; long-closed
        // cases with stale plans are never walked.
        let sql = format!(
            "SELECT c.id, {CLIENT_NAME_SQL}, p.kind, p.next_follow_up_on
             FROM plan p JOIN client c ON c.id = p.client_id
             WHERE p.deleted = 0 AND c.deleted = 0 AND p.status = 'gallande' AND p.next_follow_up_on < ?1
               AND {OPEN_CASE}
             ORDER BY p.next_follow_up_on DESC LIMIT ?2"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params![today.to_string(), limit as i64], |r| {
            Ok(FollowUpRow {
                client_id: r.get(0)?,
                client_name: r.get(1)?,
                plan_kind: r
                    .get::<_, String>(2)
                    .map(|k| PlanKind::from_code(&k).unwrap_or(PlanKind::Inslussningsplan))?,
                due_on: date_col(r, 3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The contact whose name is `name` (the user's own entry, for "my action items").
    pub fn contact_by_name(&self, name: &str) -> Result<Option<String>> {
        let mut stmt = self.conn().prepare_cached("SELECT id FROM contact WHERE name = ?1 AND deleted = 0 LIMIT 1")?;
        let mut rows = stmt.query_map([name], |r| r.get(0))?;
        Ok(rows.next().transpose()?)
    }
}

/// An organisation in the directory.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind code.
    pub kind: String,
    /// Municipality.
    pub municipality: Option<String>,
}

/// A contact person in the directory.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role code.
    pub role: String,
    /// Phone.
    pub phone: Option<String>,
    /// Last verified.
    pub last_verified: Option<String>,
}

impl Store {
    /// All organisations, by name.
    pub fn organisations(&self) -> Result<Vec<OrgRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, name, kind, municipality FROM organisation WHERE deleted = 0 ORDER BY name, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(OrgRow { id: r.get(0)?, name: r.get(1)?, kind: r.get(2)?, municipality: r.get(3)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Contacts of an organisation, by name.
    pub fn contacts_of(&self, org_id: &str) -> Result<Vec<ContactRow>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, name, role, phone, last_verified FROM contact WHERE org_id = ?1 AND deleted = 0
             ORDER BY name, id",
        )?;
        let rows = stmt.query_map([org_id], |r| {
            Ok(ContactRow {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                phone: r.get(3)?,
                last_verified: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every contact person's organisation with the name and phone a directory search looks
    /// in (the directory is small: read whole).
    pub fn contact_search_terms(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT org_id, name || ' ' || ifnull(phone, '') FROM contact WHERE deleted = 0 AND org_id IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Ids of probation offices, by name.
    pub fn probation_offices(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM organisation WHERE kind = 'kv_frivard' AND deleted = 0 ORDER BY name, id",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Ids of probation officers (of one office, if given), by name.
    pub fn coordinators(&self, office_id: Option<&str>) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT id FROM contact WHERE role = 'frivardsinspektor' AND deleted = 0 AND (?1 IS NULL OR org_id = ?1)
             ORDER BY name, id",
        )?;
        let rows = stmt.query_map([office_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The name of an organisation or contact, for showing a filter.
    pub fn name_of(&self, table: &str, id: &str) -> Result<Option<String>> {
        let sql = match table {
            "organisation" => "SELECT name FROM organisation WHERE id = ?1",
            _ => "SELECT name FROM contact WHERE id = ?1",
        };
        let mut stmt = self.conn().prepare_cached(sql)?;
        let mut rows = stmt.query_map([id], |r| r.get(0))?;
        Ok(rows.next().transpose()?)
    }

    /// The id of the organisation with that name.
    pub fn organisation_by_name(&self, name: &str) -> Result<Option<String>> {
        let mut stmt =
            self.conn().prepare_cached("SELECT id FROM organisation WHERE name = ?1 AND deleted = 0 LIMIT 1")?;
        let mut rows = stmt.query_map([name], |r| r.get(0))?;
        Ok(rows.next().transpose()?)
    }
}
