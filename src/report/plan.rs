//! "Min plan": a one-page plan for the client in plain Swedish (R25): their goals, what each
//! agency does and whom to call, the next meetings, and what happens on release day. Built
//! from the store as plain data ([`ClientPlan`]) and rendered as printable text or HTML.
//!
//! The page is for the client, so it carries no personnummer, risk level, needs wording or
//! notes; a protected identity is named by the alias only.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rusqlite::OptionalExtension;

use super::{ReportError, Result, write_private};
use crate::domain::enums::{AuditAction, MeetingKind, MeetingMode};
use crate::i18n::Lang;
use crate::store::Store;

/// One agency's part in the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct AgencyPart {
    /// The organisation's name.
    pub organisation: String,
    /// What it does for the client (intervention titles and plan items), in plan order.
    pub does: Vec<String>,
    /// Whom to call there: name and phone, as far as recorded.
    pub contact: Option<String>,
    /// The organisation's own phone.
    pub phone: Option<String>,
}

/// A meeting on the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanMeeting {
    /// When.
    pub starts: NaiveDateTime,
    /// What kind of meeting (Swedish label).
    pub kind: String,
    /// How it is held (Swedish label).
    pub mode: String,
    /// Where.
    pub place: Option<String>,
}

/// Everything the one-page plan shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientPlan {
    /// Whom the plan is for: the name, or the alias for a protected identity.
    pub name: String,
    /// The day the plan was made.
    pub made_on: NaiveDate,
    /// Conditional-release day (villkorlig frigivning).
    pub release_on: Option<NaiveDate>,
    /// Last day of the prövotid.
    pub probation_end_on: Option<NaiveDate>,
    /// The coordinator: name and phone.
    pub coordinator: Option<String>,
    /// The probation office: name and phone.
    pub office: Option<String>,
    /// Goals with target days.
    pub goals: Vec<(String, Option<NaiveDate>)>,
    /// What each agency does.
    pub agencies: Vec<AgencyPart>,
    /// Meetings from today on, earliest first (at most [`MAX_MEETINGS`]).
    pub meetings: Vec<PlanMeeting>,
    /// What happens on release day, one sentence each.
    pub release_day: Vec<String>,
}

/// Meetings listed on the page: enough for the first months, few enough for one page.
pub const MAX_MEETINGS: usize = 6;

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok())
}

fn name_phone(name: Option<String>, phone: Option<String>) -> Option<String> {
    match (name.filter(|n| !n.trim().is_empty()), phone.filter(|p| !p.trim().is_empty())) {
        (Some(n), Some(p)) => Some(format!("{n}, tel. {p}")),
        (Some(n), None) => Some(n),
        (None, Some(p)) => Some(format!("tel. {p}")),
        (None, None) => None,
    }
}

/// Reads a client's plan as of `today`. What the TUI's "print plan" calls before rendering.
pub fn client_plan(store: &Store, client_id: &str, today: NaiveDate) -> Result<ClientPlan> {
    let conn = store.conn();
    let client: Option<(String, String, Option<String>, bool)> = conn
        .query_row(
            "SELECT first_name, last_name, alias, protected_identity FROM client WHERE id = ?1 AND deleted = 0",
            [client_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let Some((first, last, alias, protected)) = client else {
        return Err(ReportError::NoSuchClient(client_id.to_owned()));
    };
    let name =
        if protected { alias.unwrap_or_else(|| "Skyddad identitet".to_owned()) } else { format!("{first} {last}") };
    let (release_on, probation_end_on) = conn
        .query_row(
            "SELECT release_on, probation_end_on FROM sentence WHERE client_id = ?1 AND deleted = 0
             ORDER BY release_on DESC LIMIT 1",
            [client_id],
            |r| Ok((date(r.get(0)?), date(r.get(1)?))),
        )
        .optional()?
        .unwrap_or((None, None));
    let (coordinator, office) = conn
        .query_row(
            "SELECT co.name, co.phone, o.name, o.phone FROM enrolment e
             LEFT JOIN contact co ON co.id = e.coordinator_id LEFT JOIN organisation o ON o.id = e.office_id
             WHERE e.client_id = ?1 AND e.deleted = 0 ORDER BY e.id DESC LIMIT 1",
            [client_id],
            |r| Ok((name_phone(r.get(0)?, r.get(1)?), name_phone(r.get(2)?, r.get(3)?))),
        )
        .optional()?
        .unwrap_or((None, None));
    // Goals of plans not closed.
    let mut stmt = conn.prepare_cached(
        "SELECT g.text, g.target_on FROM goal g JOIN plan p ON p.id = g.plan_id
         WHERE p.client_id = ?1 AND p.deleted = 0 AND p.status != 'avslutad' AND g.deleted = 0
           AND g.status NOT IN ('uppnatt', 'ej_uppnatt')
         ORDER BY g.target_on, g.id",
    )?;
    let goals = stmt
        .query_map([client_id], |r| Ok((r.get::<_, String>(0)?, date(r.get(1)?))))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // Live interventions and plan items, grouped by organisation.
    let mut agencies: Vec<AgencyPart> = Vec::new();
    let mut add = |org: String, org_phone: Option<String>, what: String, contact: Option<String>| {
        let i = match agencies.iter().position(|a| a.organisation == org) {
            Some(i) => i,
            None => {
                agencies.push(AgencyPart { organisation: org, does: Vec::new(), contact: None, phone: org_phone });
                agencies.len() - 1
            }
        };
        let a = &mut agencies[i];
        if !what.trim().is_empty() && !a.does.contains(&what) {
            a.does.push(what);
        }
        if a.contact.is_none() {
            a.contact = contact;
        }
    };
    let mut stmt = conn.prepare_cached(
        "SELECT o.name, o.phone, i.title, co.name, co.phone, i.start_on FROM intervention i
         JOIN organisation o ON o.id = i.provider_org_id LEFT JOIN contact co ON co.id = i.contact_id
         WHERE i.client_id = ?1 AND i.deleted = 0
           AND i.status IN ('planerad', 'erbjuden', 'ansokt', 'beviljad', 'pagaende')
           AND (i.phase IS NULL OR i.phase != 'anstalt')
         ORDER BY i.id",
    )?;
    let interventions = stmt
        .query_map([client_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                name_phone(r.get(3)?, r.get(4)?),
                date(r.get(5)?),
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut starting_on_release = Vec::new();
    for (org, phone, title, contact, start) in interventions {
        if start.is_some() && start == release_on {
            starting_on_release.push(format!("{title} ({org}) börjar."));
        }
        add(org, phone, title, contact);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT o.name, o.phone, pi.text FROM plan_item pi JOIN plan p ON p.id = pi.plan_id
         JOIN organisation o ON o.id = pi.responsible_org_id
         WHERE p.client_id = ?1 AND p.deleted = 0 AND p.status != 'avslutad' AND pi.deleted = 0
         ORDER BY pi.id",
    )?;
    let items = stmt
        .query_map([client_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (org, phone, text) in items {
        add(org, phone, text, None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT starts_at, kind, mode, location FROM meeting
         WHERE client_id = ?1 AND deleted = 0 AND status = 'planerat' AND starts_at >= ?2
         ORDER BY starts_at LIMIT ?3",
    )?;
    let meetings = stmt
        .query_map(rusqlite::params![client_id, today.to_string(), MAX_MEETINGS as i64], |r| {
            let starts: String = r.get(0)?;
            Ok((starts, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .filter_map(|(s, kind, mode, place)| {
            Some(PlanMeeting {
                starts: NaiveDateTime::parse_from_str(s.get(..16)?, "%Y-%m-%dT%H:%M").ok()?,
                kind: MeetingKind::from_code(&kind).map(|k| k.label(Lang::Sv)).unwrap_or("Möte").to_owned(),
                mode: MeetingMode::from_code(&mode).map(|m| m.label(Lang::Sv)).unwrap_or("").to_owned(),
                place,
            })
        })
        .collect::<Vec<_>>();
    let mut release_day = Vec::new();
    // Release day is news only until it has come.
    if let Some(r) = release_on.filter(|r| *r >= today) {
        release_day.push(format!("Du blir villkorligt frigiven {}.", swedish_date(r)));
        for m in meetings.iter().filter(|m| m.starts.date() == r) {
            let place = m.place.as_deref().map(|p| format!(", {p}")).unwrap_or_default();
            release_day.push(format!("Klockan {}: {}{place}.", m.starts.format("%H:%M"), m.kind.to_lowercase()));
        }
        release_day.extend(starting_on_release);
        release_day.push(
            "Samma dag börjar övervakningen. Håll kontakt med din övervakare på frivården som ni har kommit överens om."
                .to_owned(),
        );
    }
    Ok(ClientPlan {
        name,
        made_on: today,
        release_on,
        probation_end_on,
        coordinator,
        office,
        goals,
        agencies,
        meetings,
        release_day,
    })
}

const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
];
const WEEKDAYS: [&str; 7] = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"];

/// "måndag 2 juni 2025": dates written out, as plain Swedish asks.
pub fn swedish_date(d: NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

fn meeting_line(m: &PlanMeeting) -> String {
    // A phone meeting's place is often just "Telefon", which the mode already says.
    let place =
        m.place.as_deref().filter(|p| !p.eq_ignore_ascii_case(&m.mode)).map(|p| format!(", {p}")).unwrap_or_default();
    format!(
        "{} kl. {}: {} ({}){place}",
        swedish_date(m.starts.date()),
        m.starts.format("%H:%M"),
        m.kind,
        m.mode.to_lowercase()
    )
}

/// Sections of the page, shared by both renderings: (heading, lines).
fn sections(plan: &ClientPlan) -> Vec<(&'static str, Vec<String>)> {
    let mut out = Vec::new();
    let mut dates = Vec::new();
    if let Some(r) = plan.release_on {
        dates.push(format!("Villkorlig frigivning: {}", swedish_date(r)));
    }
    if let Some(e) = plan.probation_end_on {
        dates.push(format!("Prövotiden slutar: {}", swedish_date(e)));
    }
    if let Some(c) = &plan.coordinator {
        dates.push(format!("Din samordnare: {c}"));
    }
    if let Some(o) = &plan.office {
        dates.push(format!("Frivården: {o}"));
    }
    out.push(("Viktiga datum och kontakt", dates));
    out.push((
        "Dina mål",
        if plan.goals.is_empty() {
            vec!["Vi skriver in målen tillsammans på nästa möte.".to_owned()]
        } else {
            plan.goals
                .iter()
                .map(|(g, t)| match t {
                    Some(t) => format!("{g} (senast {})", swedish_date(*t)),
                    None => g.clone(),
                })
                .collect()
        },
    ));
    out.push((
        "Vem gör vad",
        plan.agencies
            .iter()
            .map(|a| {
                let mut s = format!("{}: {}.", a.organisation, a.does.join("; "));
                match (&a.contact, &a.phone) {
                    (Some(c), _) => s.push_str(&format!(" Ring {c}.")),
                    (None, Some(p)) => s.push_str(&format!(" Ring tel. {p}.")),
                    _ => {}
                }
                s
            })
            .collect(),
    ));
    out.push((
        "Dina nästa möten",
        if plan.meetings.is_empty() {
            vec!["Inga möten bokade än. Din samordnare hör av sig.".to_owned()]
        } else {
            plan.meetings.iter().map(meeting_line).collect()
        },
    ));
    if !plan.release_day.is_empty() {
        out.push(("Frigivningsdagen", plan.release_day.clone()));
    }
    out
}

const TITLE: &str = "Min plan";
const FOOTER: &str = "Om något inte stämmer eller om du behöver hjälp: ring din samordnare.";

/// The plan as plain text for printing: about 80 columns, no markup.
pub fn render_text(plan: &ClientPlan) -> String {
    let mut out = String::new();
    let heading = format!("{TITLE} – {}", plan.name);
    let _ = writeln!(out, "{heading}\n{}", "=".repeat(heading.chars().count()));
    let _ = writeln!(out, "Gjord {}\n", swedish_date(plan.made_on));
    for (h, lines) in sections(plan) {
        let _ = writeln!(out, "{h}\n{}", "-".repeat(h.chars().count()));
        for l in lines {
            let _ = writeln!(out, "* {l}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "{FOOTER}");
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// The plan as a self-contained HTML page (no scripts, no outside resources) that prints on
/// one A4 page.
pub fn render_html(plan: &ClientPlan) -> String {
    let mut out = String::new();
    let title = html_escape(&format!("{TITLE} – {}", plan.name));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>\nbody {{ font-family: sans-serif; font-size: 12pt; line-height: 1.4; max-width: 42em; margin: 2em auto; }}\n\
         h1 {{ font-size: 20pt; margin-bottom: 0; }}\nh2 {{ font-size: 14pt; border-bottom: 1px solid #888; margin-top: 1.2em; }}\n\
         ul {{ padding-left: 1.2em; }}\n.made {{ color: #444; margin-top: 0; }}\n\
         @page {{ size: A4; margin: 15mm; }}\n@media print {{ body {{ margin: 0; }} }}\n</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n<p class=\"made\">Gjord {}</p>\n",
        html_escape(&swedish_date(plan.made_on))
    );
    for (h, lines) in sections(plan) {
        let _ = writeln!(out, "<h2>{}</h2>\n<ul>", html_escape(h));
        for l in lines {
            let _ = writeln!(out, "<li>{}</li>", html_escape(&l));
        }
        out.push_str("</ul>\n");
    }
    let _ = write!(out, "<p>{}</p>\n</body>\n</html>\n", html_escape(FOOTER));
    out
}

/// Output format of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlanFormat {
    /// Plain text.
    #[default]
    Text,
    /// HTML page.
    Html,
}

impl std::str::FromStr for PlanFormat {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(PlanFormat::Text),
            "html" => Ok(PlanFormat::Html),
            other => Err(format!("unknown plan format '{other}': use text or html")),
        }
    }
}

/// Writes the client's plan to `out` (a new file, mode 0600) and records the export in the
/// audit log. What the TUI's "print plan" calls.
pub fn write_plan(store: &mut Store, client_id: &str, today: NaiveDate, format: PlanFormat, out: &Path) -> Result<()> {
    let plan = client_plan(store, client_id, today)?;
    let body = match format {
        PlanFormat::Text => render_text(&plan),
        PlanFormat::Html => render_html(&plan),
    };
    write_private(out, body.as_bytes())?;
    let kind = if format == PlanFormat::Html { "html" } else { "text" };
    store.audit(AuditAction::Export, Some(client_id), &crate::i18n::audit_detail::PLAN.fill(&[&kind]))?;
    Ok(())
}
