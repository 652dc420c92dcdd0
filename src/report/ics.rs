//! Upcoming meetings as an iCalendar file (RFC 5545) for Outlook, Thunderbird or khal.
//!
//! A calendar leaves sluss's encrypted store for mail servers and phones, so an event says
//! as little as it can: the meeting kind, the client's initials (only the alias for a
//! protected identity, and then no place either), the mode and the place. Names, personnummer,
//! participants (an addiction clinic would tell a health fact) and minutes stay in sluss.

use std::path::Path;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use super::{Result, str_at, write_private};
use crate::domain::enums::{AuditAction, MeetingKind, MeetingMode, MeetingStatus};
use crate::domain::timeline::PlanningPoint;
use crate::i18n::Lang;
use crate::store::Store;

/// The time zone every stored meeting time is in (local Swedish time).
pub const TZID: &str = "Europe/Stockholm";

/// Length of a meeting without a recorded duration.
const DEFAULT_MINUTES: i64 = 60;

/// Which meetings go into the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct IcsOptions {
    /// First day (usually today).
    pub from: NaiveDate,
    /// Number of days from `from`, `from` included.
    pub days: u32,
    /// Only meetings of clients this contact coordinates, or that the contact takes part in.
    pub mine: Option<String>,
    /// The DTSTAMP of every event: when the file was made.
    pub stamp: DateTime<Utc>,
    /// Language of summaries and descriptions.
    pub lang: Lang,
}

/// One meeting as it goes into the calendar.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    id: String,
    starts: NaiveDateTime,
    minutes: i64,
    kind: MeetingKind,
    mode: MeetingMode,
    status: MeetingStatus,
    point: Option<u8>,
    location: Option<String>,
    who: Option<String>,
    protected: bool,
}

/// The initials of a name, "Anna Berg" → "A. B."; empty parts are skipped.
pub fn initials(first: &str, last: &str) -> String {
    [first, last]
        .iter()
        .filter_map(|p| p.trim().chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn entries(store: &Store, opts: &IcsOptions) -> Result<Vec<Entry>> {
    let to = opts.from + Duration::days(i64::from(opts.days));
    // Range on the meeting_starts_live index; "mine" filters the few rows of that range.
    let mut stmt = store.conn().prepare(
        "SELECT m.id, m.starts_at, m.duration_min, m.kind, m.mode, m.status, m.planning_point, m.location,
                c.first_name, c.last_name, c.alias, c.protected_identity
         FROM meeting m LEFT JOIN client c ON c.id = m.client_id AND c.deleted = 0
         WHERE m.deleted = 0 AND m.starts_at >= ?1 AND m.starts_at < ?2
           AND (?3 IS NULL
                OR EXISTS (SELECT 1 FROM meeting_participant p
                           WHERE p.meeting_id = m.id AND p.deleted = 0 AND p.contact_id = ?3)
                OR EXISTS (SELECT 1 FROM enrolment e
                           WHERE e.client_id = m.client_id AND e.deleted = 0 AND e.coordinator_id = ?3))
         ORDER BY m.starts_at, m.id",
    )?;
    let mut rows = stmt.query(rusqlite::params![opts.from.to_string(), to.to_string(), opts.mine])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let starts: String = r.get(1)?;
        let Ok(starts) = NaiveDateTime::parse_from_str(starts.get(..16).unwrap_or(""), "%Y-%m-%dT%H:%M") else {
            continue;
        };
        let protected: Option<bool> = r.get(11)?;
        let first: Option<String> = r.get(8)?;
        let who = match protected {
            None => None,
            Some(true) => Some(r.get::<_, Option<String>>(10)?.unwrap_or_else(|| "Skyddad identitet".to_owned())),
            Some(false) => {
                Some(initials(first.as_deref().unwrap_or(""), r.get::<_, Option<String>>(9)?.as_deref().unwrap_or("")))
            }
        };
        out.push(Entry {
            id: r.get(0)?,
            starts,
            minutes: r.get::<_, Option<i64>>(2)?.filter(|m| *m > 0).unwrap_or(DEFAULT_MINUTES),
            kind: str_at(r, 3)?.and_then(MeetingKind::from_code).unwrap_or(MeetingKind::Samverkansmote),
            mode: str_at(r, 4)?.and_then(MeetingMode::from_code).unwrap_or(MeetingMode::Fysiskt),
            status: str_at(r, 5)?.and_then(MeetingStatus::from_code).unwrap_or(MeetingStatus::Planerat),
            point: r.get::<_, Option<i64>>(6)?.and_then(|p| u8::try_from(p).ok()),
            location: r.get(7)?,
            who,
            protected: protected == Some(true),
        });
    }
    Ok(out)
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends a content line folded at 75 octets, never inside a UTF-8 character (§3.1).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn local(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// Europe/Stockholm as the EU has defined it since 1996: CEST from the last Sunday of March
/// 02:00, CET from the last Sunday of October 03:00.
const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Stockholm",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The calendar text and how many meetings it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// RFC 5545 text with CRLF line ends.
    pub text: String,
    /// Number of events.
    pub events: usize,
}

/// Builds the calendar of meetings from `opts.from` for `opts.days` days.
pub fn calendar(store: &Store, opts: &IcsOptions) -> Result<Calendar> {
    let entries = entries(store, opts)?;
    let lang = opts.lang;
    let mut out = String::new();
    for l in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//sluss//sluss//SV", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"] {
        line(&mut out, l);
    }
    for l in VTIMEZONE {
        line(&mut out, l);
    }
    let stamp = opts.stamp.format("%Y%m%dT%H%M%SZ").to_string();
    for e in &entries {
        let kind = e.kind.label(lang);
        let summary = match &e.who {
            Some(who) => format!("{kind} – {who}"),
            None => kind.to_owned(),
        };
        let mut description = vec![kind.to_owned()];
        if let Some(p) = e.point.and_then(PlanningPoint::from_number) {
            let word = if lang == Lang::En { "Planning point" } else { "Planeringspunkt" };
            description.push(format!("{word} {}: {}", p.number(), p.label(lang)));
        }
        if let Some(who) = &e.who {
            description.push(format!("{}: {who}", if lang == Lang::En { "Client" } else { "Klient" }));
        }
        description.push(format!("{}: {}", if lang == Lang::En { "Mode" } else { "Form" }, e.mode.label(lang)));
        description.push(if lang == Lang::En { "Details in sluss." } else { "Detaljer finns i sluss." }.to_owned());
        line(&mut out, "BEGIN:VEVENT");
        // The meeting's row id never changes, so a re-import updates the event instead of doubling it.
        line(&mut out, &format!("UID:{}@sluss", e.id));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(&mut out, &format!("DTSTART;TZID={TZID}:{}", local(e.starts)));
        line(&mut out, &format!("DTEND;TZID={TZID}:{}", local(e.starts + Duration::minutes(e.minutes))));
        line(&mut out, &format!("SUMMARY:{}", escape(&summary)));
        // A protected person's meeting place could lead to where they live.
        if let Some(loc) = e.location.as_deref().filter(|l| !l.trim().is_empty() && !e.protected) {
            line(&mut out, &format!("LOCATION:{}", escape(loc)));
        }
        line(&mut out, &format!("DESCRIPTION:{}", escape(&description.join("\n"))));
        line(&mut out, if e.status == MeetingStatus::Installt { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
        line(&mut out, "TRANSP:OPAQUE");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    Ok(Calendar { text: out, events: entries.len() })
}

/// Writes the calendar to `out` (a new file, mode 0600) and records the export in the audit
/// log; returns the number of meetings written. What the palette's "export calendar" calls.
pub fn write_ics(store: &mut Store, opts: &IcsOptions, out: &Path) -> Result<usize> {
    let cal = calendar(store, opts)?;
    write_private(out, cal.text.as_bytes())?;
    store.audit(AuditAction::Export, None, &crate::i18n::audit_detail::ICS.fill(&[&cal.events, &opts.days]))?;
    Ok(cal.events)
}
