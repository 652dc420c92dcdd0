//! A client's details for the workspace tabs: names resolved, codes kept typed, tombstones out.

use rusqlite::params;

use super::{Result, Store};

/// A need with the organisations providing for it.
#[derive(Debug, Clone, PartialEq)]
pub struct NeedDetail {
    /// Row id.
    pub id: String,
    /// Life area code.
    pub area: String,
    /// Status code.
    pub status: String,
    /// Names of organisations with a live intervention for it.
    pub providers: Vec<String>,
}

/// An intervention as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct InterventionDetail {
    /// Row id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// Status code.
    pub status: String,
    /// Provider name.
    pub provider: Option<String>,
    /// Start date.
    pub start_on: Option<String>,
    /// Whether it continues a prison intervention.
    pub continues: bool,
}

/// A plan with its items and goals.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDetail {
    /// Row id.
    pub id: String,
    /// Kind code.
    pub kind: String,
    /// Status code.
    pub status: String,
    /// Next follow-up.
    pub next_follow_up_on: Option<String>,
    /// Overall responsibility (organisation name).
    pub responsible: Option<String>,
    /// Items: (kind code, text, responsible organisation).
    pub items: Vec<(String, String, Option<String>)>,
    /// Goals: (id, text, target date, status code).
    pub goals: Vec<(String, String, Option<String>, String)>,
}

/// A meeting with participants, minutes and action items.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingDetail {
    /// Row id.
    pub id: String,
    /// Start time.
    pub starts_at: Option<String>,
    /// Kind code.
    pub kind: String,
    /// Mode code.
    pub mode: String,
    /// Status code.
    pub status: String,
    /// Planning point.
    pub planning_point: Option<i64>,
    /// Place.
    pub location: Option<String>,
    /// Participating organisations.
    pub participants: Vec<String>,
    /// Minute entries.
    pub minutes: Vec<String>,
    /// Action items: (id, text, due, status code).
    pub actions: Vec<(String, String, Option<String>, String)>,
}

/// A consent with its scope.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsentDetail {
    /// Row id.
    pub id: String,
    /// Given date.
    pub given_on: Option<String>,
    /// Form code.
    pub form: String,
    /// Documented in the sentence plan.
    pub documented: bool,
    /// Expiry.
    pub expires_on: Option<String>,
    /// Revocation.
    pub revoked_on: Option<String>,
    /// Organisations covered.
    pub scope: Vec<String>,
}

/// One entry of a client's history from the change log.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// Clock value (sortable; milliseconds in the high bits).
    pub hlc: i64,
    /// Entity.
    pub entity: String,
    /// Field (`*` for a new row).
    pub field: String,
    /// New value as JSON.
    pub value: String,
    /// Who.
    pub author: String,
    /// Which replica.
    pub replica: String,
}

/// Everything the workspace tabs show beyond the client file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClientDetails {
    /// Needs.
    pub needs: Vec<NeedDetail>,
    /// Interventions.
    pub interventions: Vec<InterventionDetail>,
    /// Plans.
    pub plans: Vec<PlanDetail>,
    /// Meetings, latest first.
    pub meetings: Vec<MeetingDetail>,
    /// Consents.
    pub consents: Vec<ConsentDetail>,
    /// Notes: (time, author, text), latest first.
    pub notes: Vec<(String, String, Option<String>, String)>,
    /// Events: (date, kind code, follow-up date).
    pub events: Vec<(String, Option<String>, String, Option<String>)>,
    /// Name of the coordinator.
    pub coordinator: Option<String>,
}

fn strings(store: &Store, sql: &str, id: &str) -> Result<Vec<String>> {
    let mut stmt = store.conn().prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Tables whose rows belong to a client through `client_id`; their changes form its history.
const CLIENT_TABLES: &[&str] = &[
    "sentence",
    "risk_assessment",
    "enrolment",
    "consent",
    "need",
    "plan",
    "intervention",
    "meeting",
    "event",
    "action_item",
    "outcome_snapshot",
    "note",
];

impl Store {
    /// The workspace details of one client.
    pub fn client_details(&self, id: &str) -> Result<ClientDetails> {
        let conn = self.conn();
        let mut d = ClientDetails::default();
        let mut stmt =
            conn.prepare_cached("SELECT id, area, status FROM need WHERE client_id = ?1 AND deleted = 0 ORDER BY id")?;
        let needs: Vec<(String, String, String)> =
            stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        for (need_id, area, status) in needs {
            let providers = strings(
                self,
                "SELECT DISTINCT o.name FROM intervention_need x JOIN intervention i ON i.id = x.intervention_id
                 JOIN organisation o ON o.id = i.provider_org_id
                 WHERE x.need_id = ?1 AND x.deleted = 0 AND i.deleted = 0 AND i.status NOT IN ('avbruten', 'avbojd')
                 ORDER BY o.name",
                &need_id,
            )?;
            d.needs.push(NeedDetail { id: need_id, area, status, providers });
        }
        let mut stmt = conn.prepare_cached(
            "SELECT i.title, i.kind, i.status, o.name, i.start_on, i.continues_id IS NOT NULL, i.id
             FROM intervention i LEFT JOIN organisation o ON o.id = i.provider_org_id
             WHERE i.client_id = ?1 AND i.deleted = 0 ORDER BY i.id",
        )?;
        d.interventions = stmt
            .query_map([id], |r| {
                Ok(InterventionDetail {
                    title: r.get(0)?,
                    kind: r.get(1)?,
                    status: r.get(2)?,
                    provider: r.get(3)?,
                    start_on: r.get(4)?,
                    continues: r.get(5)?,
                    id: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT p.id, p.kind, p.status, p.next_follow_up_on, o.name FROM plan p
             LEFT JOIN organisation o ON o.id = p.overall_responsible_org_id
             WHERE p.client_id = ?1 AND p.deleted = 0 ORDER BY p.id",
        )?;
        let plans: Vec<(String, PlanDetail)> = stmt
            .query_map([id], |r| {
                Ok((
                    r.get(0)?,
                    PlanDetail {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        status: r.get(2)?,
                        next_follow_up_on: r.get(3)?,
                        responsible: r.get(4)?,
                        items: Vec::new(),
                        goals: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (plan_id, mut plan) in plans {
            let mut stmt = conn.prepare_cached(
                "SELECT pi.kind, pi.text, o.name FROM plan_item pi LEFT JOIN organisation o ON o.id = pi.responsible_org_id
                 WHERE pi.plan_id = ?1 AND pi.deleted = 0 ORDER BY pi.id",
            )?;
            plan.items = stmt
                .query_map([&plan_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut stmt = conn.prepare_cached(
                "SELECT id, text, target_on, status FROM goal WHERE plan_id = ?1 AND deleted = 0 ORDER BY id",
            )?;
            plan.goals = stmt
                .query_map([&plan_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            d.plans.push(plan);
        }
        let mut stmt = conn.prepare_cached(
            "SELECT id, starts_at, kind, mode, status, planning_point, location FROM meeting
             WHERE client_id = ?1 AND deleted = 0 ORDER BY starts_at DESC",
        )?;
        let meetings: Vec<(String, MeetingDetail)> = stmt
            .query_map([id], |r| {
                Ok((
                    r.get(0)?,
                    MeetingDetail {
                        id: r.get(0)?,
                        starts_at: r.get(1)?,
                        kind: r.get(2)?,
                        mode: r.get(3)?,
                        status: r.get(4)?,
                        planning_point: r.get(5)?,
                        location: r.get(6)?,
                        participants: Vec::new(),
                        minutes: Vec::new(),
                        actions: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (meeting_id, mut m) in meetings {
            m.participants = strings(
                self,
                "SELECT ifnull(o.name, p.name) FROM meeting_participant p LEFT JOIN organisation o ON o.id = p.org_id
                 WHERE p.meeting_id = ?1 AND p.deleted = 0 ORDER BY p.id",
                &meeting_id,
            )?;
            m.minutes = strings(
                self,
                "SELECT text FROM minute_entry WHERE meeting_id = ?1 AND deleted = 0 ORDER BY at",
                &meeting_id,
            )?;
            let mut stmt = conn.prepare_cached(
                "SELECT id, text, due_on, status FROM action_item WHERE meeting_id = ?1 AND deleted = 0 ORDER BY due_on, id",
            )?;
            m.actions = stmt
                .query_map([&meeting_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
                .collect::<rusqlite::Result<_>>()?;
            d.meetings.push(m);
        }
        let mut stmt = conn.prepare_cached(
            "SELECT id, given_on, form, documented_in_vsp, expires_on, revoked_on FROM consent
             WHERE client_id = ?1 AND deleted = 0 ORDER BY id",
        )?;
        let consents: Vec<(String, ConsentDetail)> = stmt
            .query_map([id], |r| {
                Ok((
                    r.get(0)?,
                    ConsentDetail {
                        id: r.get(0)?,
                        given_on: r.get(1)?,
                        form: r.get(2)?,
                        documented: r.get(3)?,
                        expires_on: r.get(4)?,
                        revoked_on: r.get(5)?,
                        scope: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (consent_id, mut c) in consents {
            c.scope = strings(
                self,
                "SELECT o.name FROM consent_scope s JOIN organisation o ON o.id = s.org_id
                 WHERE s.consent_id = ?1 AND s.deleted = 0 ORDER BY o.name",
                &consent_id,
            )?;
            d.consents.push(c);
        }
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, author, text FROM note WHERE client_id = ?1 AND deleted = 0 ORDER BY at DESC, id DESC",
        )?;
        d.notes = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, occurred_on, kind, follow_up_on FROM event WHERE client_id = ?1 AND deleted = 0
             ORDER BY occurred_on DESC, id DESC",
        )?;
        d.events = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        d.coordinator = conn
            .prepare_cached(
                "SELECT co.name FROM enrolment e JOIN contact co ON co.id = e.coordinator_id
                 WHERE e.client_id = ?1 AND e.deleted = 0 ORDER BY e.id DESC LIMIT 1",
            )?
            .query_map([id], |r| r.get(0))?
            .next()
            .transpose()?;
        Ok(d)
    }

    /// The change log of a client's own row and the rows that belong to it, newest first.
    pub fn client_history(&self, id: &str, limit: usize) -> Result<Vec<HistoryEntry>> {
        let mut parts = vec![
            "SELECT hlc, entity, field, value, author, replica FROM change_log
             WHERE entity = 'client' AND row_id = ?1"
                .to_owned(),
        ];
        for table in CLIENT_TABLES {
            parts.push(format!(
                "SELECT hlc, entity, field, value, author, replica FROM change_log
                 WHERE entity = '{table}' AND row_id IN (SELECT id FROM {table} WHERE client_id = ?1)"
            ));
        }
        let sql = format!("SELECT * FROM ({}) ORDER BY hlc DESC LIMIT ?2", parts.join(" UNION ALL "));
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params![id, limit as i64], |r| {
            Ok(HistoryEntry {
                hlc: r.get(0)?,
                entity: r.get(1)?,
                field: r.get(2)?,
                value: r.get(3)?,
                author: r.get(4)?,
                replica: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
