//! The text summary `sluss` prints until the full-screen interface exists.

use chrono::NaiveDate;

use crate::domain::enums::EnrolmentStatus;
use crate::i18n::Lang;
use crate::store::{Result, Store};

/// Prints counts a caseworker would look at first.
pub fn print(store: &Store, today: NaiveDate, lang: Lang) -> Result<()> {
    let conn = store.conn();
    let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
    let en = lang == Lang::En;
    println!("sluss — {}", store.path().map(|p| p.display().to_string()).unwrap_or_default());
    println!(
        "{}: {}",
        if en { "clients" } else { "klienter" },
        count("SELECT count(*) FROM client WHERE deleted = 0")?
    );
    let mut stmt = conn.prepare("SELECT status, count(*) FROM enrolment WHERE deleted = 0 GROUP BY status")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    for row in rows {
        let (code, n) = row?;
        let label = EnrolmentStatus::from_code(&code).map(|s| s.label(lang)).unwrap_or("?");
        println!("  {label}: {n}");
    }
    for days in [30, 90, 180] {
        let until = today + chrono::Days::new(days);
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM sentence WHERE deleted = 0 AND release_on BETWEEN ?1 AND ?2",
            [today.to_string(), until.to_string()],
            |r| r.get(0),
        )?;
        println!(
            "{} {days} {}: {n}",
            if en { "releases within" } else { "frigivningar inom" },
            if en { "days" } else { "dagar" }
        );
    }
    let week = today + chrono::Days::new(7);
    let meetings: i64 = conn.query_row(
        "SELECT count(*) FROM meeting WHERE deleted = 0 AND starts_at >= ?1 AND starts_at < ?2",
        [today.to_string(), week.to_string()],
        |r| r.get(0),
    )?;
    println!("{}: {meetings}", if en { "meetings in the next 7 days" } else { "möten kommande 7 dagar" });
    let overdue: i64 = conn.query_row(
        "SELECT count(*) FROM action_item WHERE deleted = 0 AND status = 'oppen' AND due_on < ?1",
        [today.to_string()],
        |r| r.get(0),
    )?;
    println!("{}: {overdue}", if en { "overdue action items" } else { "försenade åtgärder" });
    Ok(())
}
