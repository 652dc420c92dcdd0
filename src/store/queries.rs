//! Reads that turn stored rows into the domain's plain structs. Tombstoned rows are left
//! out here, so the rules never see them.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension, Row};

use super::{Result, Store};
use crate::domain::enums::*;
use crate::domain::model::*;

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn datetime(s: Option<String>) -> Option<NaiveDateTime> {
    s.and_then(|s| NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M").ok())
}

/// Parses a stored code, falling back to `default` for a code this build does not know
/// (a newer replica may have synced one).
fn code<T>(row: &Row<'_>, idx: usize, parse: fn(&str) -> Option<T>, default: T) -> rusqlite::Result<T> {
    let s: Option<String> = row.get(idx)?;
    Ok(s.as_deref().and_then(parse).unwrap_or(default))
}

fn list(store: &Store, sql: &str, id: &str) -> Result<Vec<String>> {
    let mut stmt = store.conn().prepare_cached(sql)?;
    let rows = stmt.query_map([id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Ids of all live clients, in creation order.
    pub fn client_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare("SELECT id FROM client WHERE deleted = 0 ORDER BY id")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Everything the rules need about one client, or `None` if there is no such live client.
    pub fn client_file(&self, id: &str) -> Result<Option<ClientFile>> {
        let conn = self.conn();
        let client = conn
            .prepare_cached(
                "SELECT id, first_name, last_name, alias, id_number, gender, protected_identity, home_municipality, closed_on
                 FROM client WHERE id = ?1 AND deleted = 0",
            )?
            .query_row([id], |r| {
                Ok(Client {
                    id: r.get(0)?,
                    first_name: r.get(1)?,
                    last_name: r.get(2)?,
                    alias: r.get(3)?,
                    id_number: r.get(4)?,
                    gender: code(r, 5, Gender::from_code, Gender::Okant)?,
                    protected_identity: r.get(6)?,
                    home_municipality: r.get(7)?,
                    closed_on: date(r.get(8)?),
                })
            })
            .optional()?;
        let Some(client) = client else {
            return Ok(None);
        };
        let sentence = conn
            .prepare_cached(
                "SELECT id, client_id, start_on, release_on, probation_end_on, release_measure FROM sentence
                 WHERE client_id = ?1 AND deleted = 0 ORDER BY release_on DESC LIMIT 1",
            )?
            .query_row([id], |r| {
                Ok(Sentence {
                    id: r.get(0)?,
                    client_id: r.get(1)?,
                    start_on: date(r.get(2)?),
                    release_on: date(r.get(3)?),
                    probation_end_on: date(r.get(4)?),
                    release_measure: code(r, 5, ReleaseMeasure::from_code, ReleaseMeasure::Ingen)?,
                })
            })
            .optional()?;
        let enrolment = conn
            .prepare_cached(
                "SELECT id, status, asked_on, decided_on, ended_on, handover_org_id, handover_on FROM enrolment
                 WHERE client_id = ?1 AND deleted = 0 ORDER BY id DESC LIMIT 1",
            )?
            .query_row([id], |r| {
                Ok(Enrolment {
                    id: r.get(0)?,
                    status: code(r, 1, EnrolmentStatus::from_code, EnrolmentStatus::Kandidat)?,
                    asked_on: date(r.get(2)?),
                    decided_on: date(r.get(3)?),
                    ended_on: date(r.get(4)?),
                    handover_org_id: r.get(5)?,
                    handover_on: date(r.get(6)?),
                })
            })
            .optional()?;
        let risk = conn
            .prepare_cached(
                "SELECT level, assessed_on FROM risk_assessment WHERE client_id = ?1 AND deleted = 0
                 ORDER BY assessed_on DESC LIMIT 1",
            )?
            .query_row([id], |r| {
                Ok(RiskAssessment {
                    level: code(r, 0, RiskLevel::from_code, RiskLevel::Medel)?,
                    assessed_on: date(r.get(1)?),
                })
            })
            .optional()?;

        let mut consents = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, given_on, form, documented_in_vsp, programme_description_given, right_to_withdraw_explained,
                        expires_on, revoked_on FROM consent WHERE client_id = ?1 AND deleted = 0 ORDER BY id",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok(Consent {
                    id: r.get(0)?,
                    given_on: date(r.get(1)?),
                    form: code(r, 2, ConsentForm::from_code, ConsentForm::Skriftligt)?,
                    documented_in_vsp: r.get(3)?,
                    programme_description_given: r.get(4)?,
                    right_to_withdraw_explained: r.get(5)?,
                    expires_on: date(r.get(6)?),
                    revoked_on: date(r.get(7)?),
                    scope_org_ids: Vec::new(),
                })
            })?;
            for c in rows {
                consents.push(c?);
            }
        }
        for c in &mut consents {
            c.scope_org_ids = list(
                self,
                "SELECT org_id FROM consent_scope WHERE consent_id = ?1 AND deleted = 0 ORDER BY id",
                &c.id,
            )?;
        }

        let mut needs = Vec::new();
        {
            let mut stmt = conn
                .prepare_cached("SELECT id, area, status FROM need WHERE client_id = ?1 AND deleted = 0 ORDER BY id")?;
            let rows = stmt.query_map([id], |r| {
                Ok(Need {
                    id: r.get(0)?,
                    area: code(r, 1, LifeArea::from_code, LifeArea::AdminContacts)?,
                    status: code(r, 2, NeedStatus::from_code, NeedStatus::Identifierad)?,
                })
            })?;
            for n in rows {
                needs.push(n?);
            }
        }

        let mut interventions = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT i.id, i.kind, i.title, i.provider_org_id, o.kind, i.phase, i.status, i.start_on, i.end_on, i.continues_id
                 FROM intervention i LEFT JOIN organisation o ON o.id = i.provider_org_id
                 WHERE i.client_id = ?1 AND i.deleted = 0 ORDER BY i.id",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok(Intervention {
                    id: r.get(0)?,
                    kind: code(r, 1, InterventionKind::from_code, InterventionKind::Annan)?,
                    title: r.get(2)?,
                    provider_org_id: r.get(3)?,
                    provider_kind: r.get::<_, Option<String>>(4)?.as_deref().and_then(OrgKind::from_code),
                    phase: r.get::<_, Option<String>>(5)?.as_deref().and_then(InterventionPhase::from_code),
                    status: code(r, 6, InterventionStatus::from_code, InterventionStatus::Planerad)?,
                    start_on: date(r.get(7)?),
                    end_on: date(r.get(8)?),
                    continues_id: r.get(9)?,
                    need_ids: Vec::new(),
                })
            })?;
            for i in rows {
                interventions.push(i?);
            }
        }
        for i in &mut interventions {
            i.need_ids = list(
                self,
                "SELECT need_id FROM intervention_need WHERE intervention_id = ?1 AND deleted = 0 ORDER BY id",
                &i.id,
            )?;
        }

        let mut plans = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, kind, status, next_follow_up_on FROM plan WHERE client_id = ?1 AND deleted = 0 ORDER BY id",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok(Plan {
                    id: r.get(0)?,
                    kind: code(r, 1, PlanKind::from_code, PlanKind::Inslussningsplan)?,
                    status: code(r, 2, PlanStatus::from_code, PlanStatus::Utkast)?,
                    next_follow_up_on: date(r.get(3)?),
                })
            })?;
            for p in rows {
                plans.push(p?);
            }
        }

        let mut meetings = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, kind, planning_point, starts_at, status FROM meeting
                 WHERE client_id = ?1 AND deleted = 0 ORDER BY starts_at",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok(Meeting {
                    id: r.get(0)?,
                    kind: code(r, 1, MeetingKind::from_code, MeetingKind::Samverkansmote)?,
                    planning_point: r.get::<_, Option<i64>>(2)?.and_then(|p| u8::try_from(p).ok()),
                    starts_at: datetime(r.get(3)?),
                    status: code(r, 4, MeetingStatus::from_code, MeetingStatus::Planerat)?,
                    participant_org_kinds: Vec::new(),
                    participant_org_ids: Vec::new(),
                })
            })?;
            for m in rows {
                meetings.push(m?);
            }
        }
        for m in &mut meetings {
            let mut stmt = conn.prepare_cached(
                "SELECT p.org_id, o.kind FROM meeting_participant p JOIN organisation o ON o.id = p.org_id
                 WHERE p.meeting_id = ?1 AND p.deleted = 0 ORDER BY p.id",
            )?;
            let rows = stmt.query_map([&m.id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (org, kind) = row?;
                m.participant_org_ids.push(org);
                m.participant_org_kinds.push(OrgKind::from_code(&kind).unwrap_or(OrgKind::Annan));
            }
        }

        let mut action_items = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, text, due_on, status, owner_contact_id, event_id FROM action_item
                 WHERE client_id = ?1 AND deleted = 0 ORDER BY due_on",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok(ActionItem {
                    id: r.get(0)?,
                    text: r.get(1)?,
                    due_on: date(r.get(2)?),
                    status: code(r, 3, ActionStatus::from_code, ActionStatus::Oppen)?,
                    owner_contact_id: r.get(4)?,
                    event_id: r.get(5)?,
                })
            })?;
            for a in rows {
                action_items.push(a?);
            }
        }

        let mut events = Vec::new();
        {
            let mut stmt = conn.prepare_cached(
                "SELECT id, kind, occurred_on, follow_up_on FROM event WHERE client_id = ?1 AND deleted = 0 ORDER BY occurred_on",
            )?;
            let rows = stmt.query_map([id], |r| {
                Ok(Event {
                    id: r.get(0)?,
                    kind: code(r, 1, EventKind::from_code, EventKind::Annat)?,
                    occurred_on: date(r.get(2)?),
                    follow_up_on: date(r.get(3)?),
                })
            })?;
            for e in rows {
                events.push(e?);
            }
        }

        Ok(Some(ClientFile {
            client,
            sentence,
            enrolment,
            risk,
            consents,
            needs,
            interventions,
            plans,
            meetings,
            action_items,
            events,
        }))
    }
}
