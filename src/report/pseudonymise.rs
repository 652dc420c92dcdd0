//! The pseudonymised export for evaluators: one CSV row per client, keyed by a stable random
//! pseudonym, with no name, personnummer, free text or exact birth date.
//!
//! The pseudonym is HMAC-SHA256 of the client's row id under a 256-bit secret made at random
//! the first time this store exports, and kept in the store itself (encrypted with it). The
//! same store therefore gives the same pseudonym on every run, so evaluators can link exports
//! over time; without the secret nobody can compute it from an id, and no mapping table of
//! pseudonyms sits beside the data waiting to be leaked. The secret is replica-local: another
//! replica has its own, so exports from two machines do not link (see docs/follow-up.md).

use std::path::Path;

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::indicators::ClientFacts;
use super::{ReportError, Result, write_private};
use crate::domain::enums::{AuditAction, OutcomePoint};
use crate::store::Store;

/// Name of the pseudonym key among the replica's local secrets.
const SECRET: &str = "report.pseudonym";

/// The columns of `clients.csv`, in order. docs/follow-up.md describes each.
pub const FIELDS: &[&str] = &[
    "pseudonym",
    "birth_year",
    "gender",
    "home_municipality",
    "office",
    "risk_level",
    "sentence_months",
    "release_month",
    "probation_end_month",
    "enrolment_status",
    "decline_reason",
    "abort_reason",
    "consent_given",
    "consent_documented",
    "consent_written",
    "joint_meetings",
    "joint_meetings_before_release",
    "first_meeting_days_before_release",
    "interventions_planned",
    "interventions_completed",
    "actors_engaged",
    "housing_at_release",
    "occupation_at_release",
    "in_treatment_at_release",
    "housing_3m",
    "occupation_3m",
    "in_treatment_3m",
    "housing_end",
    "occupation_end",
    "in_treatment_end",
];

/// The store's pseudonym secret, made on first use.
fn secret(store: &mut Store) -> Result<Zeroizing<Vec<u8>>> {
    Ok(store.local_secret(SECRET, 32)?)
}

/// The pseudonym of a client id under `secret`: "P" and 16 hex digits (64 bits: no collision
/// to expect among millions of clients).
pub fn pseudonym(secret: &[u8], client_id: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else { unreachable!("HMAC takes keys of any length") };
    mac.update(client_id.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("P{}", tag[..8].iter().map(|x| format!("{x:02x}")).collect::<String>())
}

/// What `export` wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSummary {
    /// Clients written.
    pub clients: usize,
    /// Clients left out for lack of consent.
    pub without_consent: usize,
}

/// Extra columns not among the indicator facts.
struct Extra {
    birth_year: Option<i32>,
    municipality: Option<String>,
    office: Option<String>,
    risk: Option<String>,
    months: Option<i64>,
    probation_end: Option<NaiveDate>,
    consent_ok: bool,
}

fn extras(store: &Store, today: NaiveDate) -> Result<std::collections::HashMap<String, Extra>> {
    let conn = store.conn();
    let mut out = std::collections::HashMap::new();
    // Birth year from the first four digits of the personnummer or samordningsnummer
    // (YYYYMMDDNNNN; a samordningsnummer adds 60 to the day only).
    let mut stmt = conn.prepare(
        "SELECT c.id, substr(c.id_number, 1, 4), c.protected_identity, c.home_municipality, o.name,
                (SELECT level FROM risk_assessment r WHERE r.client_id = c.id AND r.deleted = 0
                 ORDER BY assessed_on DESC LIMIT 1),
                s.length_months, s.probation_end_on,
                EXISTS (SELECT 1 FROM consent k WHERE k.client_id = c.id AND k.deleted = 0
                        AND k.given_on <= ?1 AND (k.revoked_on IS NULL OR k.revoked_on > ?1))
         FROM client c
         LEFT JOIN sentence s ON s.id = (SELECT id FROM sentence WHERE client_id = c.id AND deleted = 0
                                         ORDER BY release_on DESC LIMIT 1)
         LEFT JOIN enrolment e ON e.id = (SELECT id FROM enrolment WHERE client_id = c.id AND deleted = 0
                                          ORDER BY id DESC LIMIT 1)
         LEFT JOIN organisation o ON o.id = e.office_id
         WHERE c.deleted = 0",
    )?;
    let mut rows = stmt.query([today.to_string()])?;
    while let Some(r) = rows.next()? {
        let protected: bool = r.get(2)?;
        out.insert(
            r.get::<_, String>(0)?,
            Extra {
                birth_year: r.get::<_, Option<String>>(1)?.and_then(|y| y.parse().ok()),
                // A protected person's municipality could lead to them; evaluators get none.
                municipality: if protected { None } else { r.get(3)? },
                office: r.get(4)?,
                risk: r.get(5)?,
                months: r.get(6)?,
                probation_end: r
                    .get::<_, Option<String>>(7)?
                    .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                consent_ok: r.get(8)?,
            },
        );
    }
    Ok(out)
}

fn month(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m").to_string()).unwrap_or_default()
}

fn flag(b: bool) -> String {
    if b { "1".to_owned() } else { "0".to_owned() }
}

fn row(secret: &[u8], c: &ClientFacts, x: &Extra) -> Vec<String> {
    let outcome = |p: OutcomePoint| c.outcomes.iter().find(|o| o.point == p);
    let mut v = vec![
        pseudonym(secret, &c.id),
        x.birth_year.map(|y| y.to_string()).unwrap_or_default(),
        c.gender.map(|g| g.code().to_owned()).unwrap_or_default(),
        x.municipality.clone().unwrap_or_default(),
        x.office.clone().unwrap_or_default(),
        x.risk.clone().unwrap_or_default(),
        x.months.map(|m| m.to_string()).unwrap_or_default(),
        month(c.release_on),
        month(x.probation_end),
        c.status.map(|s| s.code().to_owned()).unwrap_or_default(),
        c.decline_reason.map(|r| r.code().to_owned()).unwrap_or_default(),
        c.abort_reason.map(|r| r.code().to_owned()).unwrap_or_default(),
        flag(c.consent_given),
        flag(c.consent_documented),
        flag(c.consent_written),
        c.meetings.len().to_string(),
        c.meetings.iter().filter(|m| c.release_on.is_some_and(|r| m.day < r)).count().to_string(),
        c.lead_time().map(|d| d.to_string()).unwrap_or_default(),
        c.interventions
            .iter()
            .filter(|i| i.status != crate::domain::enums::InterventionStatus::EndastInformation)
            .count()
            .to_string(),
        c.interventions
            .iter()
            .filter(|i| i.status == crate::domain::enums::InterventionStatus::Avslutad)
            .count()
            .to_string(),
        c.actors.len().to_string(),
    ];
    for p in [OutcomePoint::VidVf, OutcomePoint::Plus3m, OutcomePoint::OvervakningSlut] {
        let o = outcome(p);
        v.push(o.and_then(|o| o.housing).map(|h| h.code().to_owned()).unwrap_or_default());
        v.push(o.and_then(|o| o.occupation).map(|h| h.code().to_owned()).unwrap_or_default());
        v.push(o.and_then(|o| o.in_treatment).map(flag).unwrap_or_default());
    }
    v
}

/// Writes `clients.csv` into the directory `dir`: one row per client who gave consent and has
/// not withdrawn it (R6, R7; a consent that merely expired at the end of the prövotid still
/// lets a finished case be evaluated). The directory is
/// made with mode 0700 if missing; the file gets 0600. The export is recorded in the audit log.
pub fn export(store: &mut Store, dir: &Path, today: NaiveDate) -> Result<ExportSummary> {
    let target = dir.join("clients.csv");
    if target.exists() {
        return Err(ReportError::Exists(target));
    }
    if !dir.exists() {
        crate::store::create_private_dir(dir).map_err(|source| ReportError::Write { path: dir.to_owned(), source })?;
        std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .map_err(|source| ReportError::Write { path: dir.to_owned(), source })?;
    }
    let secret = secret(store)?;
    let facts = store.follow_up_cached()?;
    let extra = extras(store, today)?;
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let csv_err = |e: ::csv::Error| ReportError::Csv(e.to_string());
    w.write_record(FIELDS).map_err(csv_err)?;
    let mut summary = ExportSummary { clients: 0, without_consent: 0 };
    let mut rows: Vec<Vec<String>> = Vec::new();
    for c in &facts.clients {
        let Some(x) = extra.get(&c.id) else { continue };
        if !x.consent_ok {
            summary.without_consent += 1;
            continue;
        }
        rows.push(row(&secret, c, x));
    }
    // Sorted by pseudonym, so row order says nothing about when a client was entered.
    rows.sort();
    for r in &rows {
        w.write_record(r).map_err(csv_err)?;
    }
    summary.clients = rows.len();
    let bytes = w.into_inner().map_err(|e| ReportError::Csv(e.to_string()))?;
    write_private(&target, &bytes)?;
    store.audit(
        AuditAction::Export,
        None,
        &crate::i18n::audit_detail::PSEUDONYMISED.fill(&[&summary.clients, &summary.without_consent]),
    )?;
    Ok(summary)
}
