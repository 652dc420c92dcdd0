//! Reads that turn stored rows into the domain's plain structs. Tombstoned rows are left
//! out here, so the rules never see them. Files are read for a page of clients at a time:
//! one query per table for the whole page, not one per client.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::types::Value as Sql;
use rusqlite::{Row, params_from_iter};

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

/// Runs `sql` (whose `IN (…)` is written `IN ({ids})`) for a list of keys and groups the
/// rows by the key in column 0; the rest of each row goes to `map`.
fn grouped<T>(
    store: &Store,
    sql: &str,
    keys: &[String],
    map: impl Fn(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<HashMap<String, Vec<T>>> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    if keys.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; keys.len()].join(",");
    let sql = sql.replace("{ids}", &marks);
    let mut stmt = store.conn().prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(keys.iter().map(|k| Sql::Text(k.clone()))))?;
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        out.entry(key).or_default().push(map(row)?);
    }
    Ok(out)
}

/// The first of a client's rows, which the query's order makes the current one.
fn first<T>(rows: Option<Vec<T>>) -> Option<T> {
    rows.and_then(|v| v.into_iter().next())
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
        Ok(self.client_files(&[id.to_owned()])?.pop())
    }

    /// The files of several clients, in the order given; ids of missing clients are skipped.
    pub fn client_files(&self, ids: &[String]) -> Result<Vec<ClientFile>> {
        let mut clients = grouped(
            self,
            "SELECT id, id, first_name, last_name, alias, id_number, gender, protected_identity, home_municipality,
                    closed_on
             FROM client WHERE id IN ({ids}) AND deleted = 0",
            ids,
            |r| {
                Ok(Client {
                    id: r.get(1)?,
                    first_name: r.get(2)?,
                    last_name: r.get(3)?,
                    alias: r.get(4)?,
                    id_number: r.get(5)?,
                    gender: code(r, 6, Gender::from_code, Gender::Okant)?,
                    protected_identity: r.get(7)?,
                    home_municipality: r.get(8)?,
                    closed_on: date(r.get(9)?),
                })
            },
        )?;
        // The latest sentence, enrolment and risk assessment are the current ones.
        let mut sentences = grouped(
            self,
            "SELECT client_id, id, start_on, release_on, probation_end_on, release_measure FROM sentence
             WHERE client_id IN ({ids}) AND deleted = 0 ORDER BY release_on DESC",
            ids,
            |r| {
                Ok(Sentence {
                    client_id: r.get(0)?,
                    id: r.get(1)?,
                    start_on: date(r.get(2)?),
                    release_on: date(r.get(3)?),
                    probation_end_on: date(r.get(4)?),
                    release_measure: code(r, 5, ReleaseMeasure::from_code, ReleaseMeasure::Ingen)?,
                })
            },
        )?;
        let mut enrolments = grouped(
            self,
            "SELECT client_id, id, status, asked_on, decided_on, ended_on, handover_org_id, handover_on FROM enrolment
             WHERE client_id IN ({ids}) AND deleted = 0 ORDER BY id DESC",
            ids,
            |r| {
                Ok(Enrolment {
                    id: r.get(1)?,
                    status: code(r, 2, EnrolmentStatus::from_code, EnrolmentStatus::Kandidat)?,
                    asked_on: date(r.get(3)?),
                    decided_on: date(r.get(4)?),
                    ended_on: date(r.get(5)?),
                    handover_org_id: r.get(6)?,
                    handover_on: date(r.get(7)?),
                })
            },
        )?;
        let mut risks = grouped(
            self,
            "SELECT client_id, level, assessed_on, id FROM risk_assessment
             WHERE client_id IN ({ids}) AND deleted = 0 ORDER BY assessed_on DESC, id DESC",
            ids,
            |r| {
                Ok(RiskAssessment {
                    level: code(r, 1, RiskLevel::from_code, RiskLevel::Medel)?,
                    assessed_on: date(r.get(2)?),
                    id: r.get(3)?,
                })
            },
        )?;
        let mut consents = grouped(
            self,
            "SELECT client_id, id, given_on, form, documented_in_vsp, programme_description_given,
                    right_to_withdraw_explained, expires_on, revoked_on
             FROM consent WHERE client_id IN ({ids}) AND deleted = 0 ORDER BY id",
            ids,
            |r| {
                Ok(Consent {
                    id: r.get(1)?,
                    given_on: date(r.get(2)?),
                    form: code(r, 3, ConsentForm::from_code, ConsentForm::Skriftligt)?,
                    documented_in_vsp: r.get(4)?,
                    programme_description_given: r.get(5)?,
                    right_to_withdraw_explained: r.get(6)?,
                    expires_on: date(r.get(7)?),
                    revoked_on: date(r.get(8)?),
                    scope_org_ids: Vec::new(),
                })
            },
        )?;
        let consent_ids: Vec<String> = consents.values().flatten().map(|c| c.id.clone()).collect();
        let scopes = grouped(
            self,
            "SELECT consent_id, org_id FROM consent_scope WHERE consent_id IN ({ids}) AND deleted = 0 ORDER BY id",
            &consent_ids,
            |r| r.get::<_, String>(1),
        )?;
        let mut needs = grouped(
            self,
            "SELECT client_id, id, area, status FROM need WHERE client_id IN ({ids}) AND deleted = 0 ORDER BY id",
            ids,
            |r| {
                Ok(Need {
                    id: r.get(1)?,
                    area: code(r, 2, LifeArea::from_code, LifeArea::AdminContacts)?,
                    status: code(r, 3, NeedStatus::from_code, NeedStatus::Identifierad)?,
                })
            },
        )?;
        let mut interventions = grouped(
            self,
            "SELECT i.client_id, i.id, i.kind, i.title, i.provider_org_id, o.kind, i.phase, i.status, i.start_on,
                    i.end_on, i.continues_id
             FROM intervention i LEFT JOIN organisation o ON o.id = i.provider_org_id
             WHERE i.client_id IN ({ids}) AND i.deleted = 0 ORDER BY i.id",
            ids,
            |r| {
                Ok(Intervention {
                    id: r.get(1)?,
                    kind: code(r, 2, InterventionKind::from_code, InterventionKind::Annan)?,
                    title: r.get(3)?,
                    provider_org_id: r.get(4)?,
                    provider_kind: r.get::<_, Option<String>>(5)?.as_deref().and_then(OrgKind::from_code),
                    phase: r.get::<_, Option<String>>(6)?.as_deref().and_then(InterventionPhase::from_code),
                    status: code(r, 7, InterventionStatus::from_code, InterventionStatus::Planerad)?,
                    start_on: date(r.get(8)?),
                    end_on: date(r.get(9)?),
                    continues_id: r.get(10)?,
                    need_ids: Vec::new(),
                })
            },
        )?;
        let intervention_ids: Vec<String> = interventions.values().flatten().map(|i| i.id.clone()).collect();
        let links = grouped(
            self,
            "SELECT intervention_id, need_id FROM intervention_need
             WHERE intervention_id IN ({ids}) AND deleted = 0 ORDER BY id",
            &intervention_ids,
            |r| r.get::<_, String>(1),
        )?;
        let mut plans = grouped(
            self,
            "SELECT client_id, id, kind, status, next_follow_up_on FROM plan
             WHERE client_id IN ({ids}) AND deleted = 0 ORDER BY id",
            ids,
            |r| {
                Ok(Plan {
                    id: r.get(1)?,
                    kind: code(r, 2, PlanKind::from_code, PlanKind::Inslussningsplan)?,
                    status: code(r, 3, PlanStatus::from_code, PlanStatus::Utkast)?,
                    next_follow_up_on: date(r.get(4)?),
                })
            },
        )?;
        let mut meetings = grouped(
            self,
            "SELECT client_id, id, kind, planning_point, starts_at, status FROM meeting
             WHERE client_id IN ({ids}) AND deleted = 0 ORDER BY starts_at",
            ids,
            |r| {
                Ok(Meeting {
                    id: r.get(1)?,
                    kind: code(r, 2, MeetingKind::from_code, MeetingKind::Samverkansmote)?,
                    planning_point: r.get::<_, Option<i64>>(3)?.and_then(|p| u8::try_from(p).ok()),
                    starts_at: datetime(r.get(4)?),
                    status: code(r, 5, MeetingStatus::from_code, MeetingStatus::Planerat)?,
                    participant_org_kinds: Vec::new(),
                    participant_org_ids: Vec::new(),
                })
            },
        )?;
        let meeting_ids: Vec<String> = meetings.values().flatten().map(|m| m.id.clone()).collect();
        let participants = grouped(
            self,
            "SELECT p.meeting_id, p.org_id, o.kind FROM meeting_participant p JOIN organisation o ON o.id = p.org_id
             WHERE p.meeting_id IN ({ids}) AND p.deleted = 0 ORDER BY p.id",
            &meeting_ids,
            |r| Ok((r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
        )?;
        let mut actions = grouped(
            self,
            "SELECT client_id, id, text, due_on, status, owner_contact_id, event_id FROM action_item
             WHERE client_id IN ({ids}) AND deleted = 0 ORDER BY due_on",
            ids,
            |r| {
                Ok(ActionItem {
                    id: r.get(1)?,
                    text: r.get(2)?,
                    due_on: date(r.get(3)?),
                    status: code(r, 4, ActionStatus::from_code, ActionStatus::Oppen)?,
                    owner_contact_id: r.get(5)?,
                    event_id: r.get(6)?,
                })
            },
        )?;
        let mut events = grouped(
            self,
            "SELECT client_id, id, kind, occurred_on, follow_up_on FROM event
             WHERE client_id IN ({ids}) AND deleted = 0 ORDER BY occurred_on",
            ids,
            |r| {
                Ok(Event {
                    id: r.get(1)?,
                    kind: code(r, 2, EventKind::from_code, EventKind::Annat)?,
                    occurred_on: date(r.get(3)?),
                    follow_up_on: date(r.get(4)?),
                })
            },
        )?;

        let mut files = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(client) = clients.remove(id).and_then(|mut v| v.pop()) else { continue };
            let mut consents = consents.remove(id).unwrap_or_default();
            for c in &mut consents {
                c.scope_org_ids = scopes.get(&c.id).cloned().unwrap_or_default();
            }
            let mut interventions = interventions.remove(id).unwrap_or_default();
            for i in &mut interventions {
                i.need_ids = links.get(&i.id).cloned().unwrap_or_default();
            }
            let mut meetings = meetings.remove(id).unwrap_or_default();
            for m in &mut meetings {
                for (org, kind) in participants.get(&m.id).into_iter().flatten() {
                    m.participant_org_ids.push(org.clone());
                    m.participant_org_kinds.push(OrgKind::from_code(kind).unwrap_or(OrgKind::Annan));
                }
            }
            files.push(ClientFile {
                client,
                sentence: first(sentences.remove(id)),
                enrolment: first(enrolments.remove(id)),
                risk: first(risks.remove(id)),
                consents,
                needs: needs.remove(id).unwrap_or_default(),
                interventions,
                plans: plans.remove(id).unwrap_or_default(),
                meetings,
                action_items: actions.remove(id).unwrap_or_default(),
                events: events.remove(id).unwrap_or_default(),
            });
        }
        Ok(files)
    }
}
