//! Dates and times as caseworkers type them: `2026-12-01`, `+14d`, `+2v`, `fre`, `idag`,
//! `14:30`. Parsing is relative to a given day so it is testable and matches `--today`.

use chrono::{Datelike, Duration, Months, NaiveDate, NaiveTime, Weekday};

use crate::i18n::Lang;

/// Weekday names accepted, Swedish and English, full and short.
const WEEKDAYS: &[(&str, Weekday)] = &[
    ("måndag", Weekday::Mon),
    ("mån", Weekday::Mon),
    ("monday", Weekday::Mon),
    ("mon", Weekday::Mon),
    ("tisdag", Weekday::Tue),
    ("tis", Weekday::Tue),
    ("tuesday", Weekday::Tue),
    ("tue", Weekday::Tue),
    ("onsdag", Weekday::Wed),
    ("ons", Weekday::Wed),
    ("wednesday", Weekday::Wed),
    ("wed", Weekday::Wed),
    ("torsdag", Weekday::Thu),
    ("tor", Weekday::Thu),
    ("tors", Weekday::Thu),
    ("thursday", Weekday::Thu),
    ("thu", Weekday::Thu),
    ("fredag", Weekday::Fri),
    ("fre", Weekday::Fri),
    ("friday", Weekday::Fri),
    ("fri", Weekday::Fri),
    ("lördag", Weekday::Sat),
    ("lör", Weekday::Sat),
    ("saturday", Weekday::Sat),
    ("sat", Weekday::Sat),
    ("söndag", Weekday::Sun),
    ("sön", Weekday::Sun),
    ("sunday", Weekday::Sun),
    ("sun", Weekday::Sun),
];

/// A day's weekday, short: "fre", "Fri".
pub fn weekday(d: NaiveDate, lang: Lang) -> &'static str {
    let names = match lang {
        Lang::Sv => ["mån", "tis", "ons", "tor", "fre", "lör", "sön"],
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    };
    names[d.weekday().num_days_from_monday() as usize]
}

/// The message shown when a date cannot be read, naming the forms that work.
pub fn date_hint(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => "skriv 2026-12-01, +14d, +2v, +1m, fre, idag eller imorgon",
        Lang::En => "type 2026-12-01, +14d, +2w, +1m, fri, today or tomorrow",
    }
}

/// The message shown when a date and time cannot be read, naming the forms that work.
pub fn datetime_hint(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => "skriv datum och tid: 2026-12-01 14:30, fre 10 eller imorgon 9",
        Lang::En => "type a date and a time: 2026-12-01 14:30, fri 10 or tomorrow 9",
    }
}

/// Why a date that cannot be read is wrong, when it is written as a date that does not
/// exist (`2026-13-45`, `2026-02-30`), and how to write one; else [`date_hint`].
pub fn date_problem(text: &str, lang: Lang) -> String {
    no_such_day(text, lang).unwrap_or_else(|| date_hint(lang).to_owned())
}

/// What is wrong with a year-month-day that names no day of the calendar (`2026-13-45`),
/// if that is what `text` is.
pub fn no_such_day(text: &str, lang: Lang) -> Option<String> {
    calendar_problem(text).map(|p| p.say(lang))
}

/// [`date_problem`] for a date and a time: the date part is judged alone, else
/// [`datetime_hint`].
pub fn datetime_problem(text: &str, lang: Lang) -> String {
    let date = text.trim().replace('T', " ");
    let date = date.split_whitespace().next().unwrap_or_default();
    calendar_problem(date).map_or_else(|| datetime_hint(lang).to_owned(), |p| p.say(lang))
}

/// A year-month-day that names no day of the calendar.
enum CalendarProblem {
    Month(u32),
    Day { year: i32, month: u32, days: u32 },
}

impl CalendarProblem {
    fn say(&self, lang: Lang) -> String {
        match (self, lang) {
            (CalendarProblem::Month(m), Lang::Sv) => format!("månad {m} finns inte: skriv 01–12, t.ex. 2026-12-01"),
            (CalendarProblem::Month(m), Lang::En) => format!("there is no month {m}: type 01–12, e.g. 2026-12-01"),
            (CalendarProblem::Day { year, month, days }, Lang::Sv) => {
                format!("{year}-{month:02} har {days} dagar: skriv en dag 01–{days}")
            }
            (CalendarProblem::Day { year, month, days }, Lang::En) => {
                format!("{year}-{month:02} has {days} days: type a day 01–{days}")
            }
        }
    }
}

fn calendar_problem(text: &str) -> Option<CalendarProblem> {
    let t = text.trim();
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        (n.contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit())).then(|| s.parse::<u32>().ok()).flatten()
    };
    let (y, m, d) = match t.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] => (digits(y, 4..=4)?, digits(m, 1..=2)?, digits(d, 1..=2)?),
        // Eight ASCII digits; checked first, so the slices fall on character boundaries.
        [ymd] if ymd.len() == 8 && ymd.is_ascii() => {
            (digits(&ymd[..4], 4..=4)?, digits(&ymd[4..6], 2..=2)?, digits(&ymd[6..], 2..=2)?)
        }
        _ => return None,
    };
    let year = i32::try_from(y).ok()?;
    if !(1..=12).contains(&m) {
        return Some(CalendarProblem::Month(m));
    }
    let first = NaiveDate::from_ymd_opt(year, m, 1)?;
    let days = first.checked_add_months(Months::new(1))?.signed_duration_since(first).num_days() as u32;
    (NaiveDate::from_ymd_opt(year, m, d).is_none()).then_some(CalendarProblem::Day { year, month: m, days })
}

/// The message shown when a time cannot be read.
pub fn time_hint(lang: Lang) -> &'static str {
    match lang {
        Lang::Sv => "skriv en tid som 14:30, 1430 eller 9",
        Lang::En => "type a time such as 14:30, 1430 or 9",
    }
}

/// Reads a date. A weekday name means the next such day after `today` (a caseworker who
/// says "fre" on a Friday means next week's). `None` when the text is not a date.
pub fn parse_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let t = text.trim().to_lowercase();
    match t.as_str() {
        "idag" | "i dag" | "today" => return Some(today),
        "imorgon" | "i morgon" | "tomorrow" => return Some(today + Duration::days(1)),
        "igår" | "i går" | "yesterday" => return Some(today - Duration::days(1)),
        _ => {}
    }
    if let Some((_, day)) = WEEKDAYS.iter().find(|(name, _)| *name == t) {
        let ahead = (7 + day.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
        return Some(today + Duration::days(if ahead == 0 { 7 } else { ahead }));
    }
    if let Some(sign) = t.chars().next().filter(|c| *c == '+' || *c == '-') {
        return relative(&t[1..], sign == '-', today);
    }
    NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok().or_else(|| NaiveDate::parse_from_str(&t, "%Y%m%d").ok())
}

/// `14d`, `14`, `2v`/`2w`, `3m` after (or before) today.
fn relative(rest: &str, back: bool, today: NaiveDate) -> Option<NaiveDate> {
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let n: u32 = digits.parse().ok()?;
    match rest[digits.len()..].trim() {
        "" | "d" => {
            let days = Duration::days(i64::from(n));
            Some(if back { today - days } else { today + days })
        }
        "v" | "w" => {
            let days = Duration::days(7 * i64::from(n));
            Some(if back { today - days } else { today + days })
        }
        "m" => {
            if back {
                today.checked_sub_months(Months::new(n))
            } else {
                today.checked_add_months(Months::new(n))
            }
        }
        _ => None,
    }
}

/// Reads a time of day: `14:30`, `14.30`, `1430`, `9`.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let t = text.trim().replace('.', ":");
    if let Ok(time) = NaiveTime::parse_from_str(&t, "%H:%M") {
        return Some(time);
    }
    if !t.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match t.len() {
        1 | 2 => NaiveTime::from_hms_opt(t.parse().ok()?, 0, 0),
        3 | 4 => {
            let (h, m) = t.split_at(t.len() - 2);
            NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
        }
        _ => None,
    }
}

/// Why a date and time could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTimeError {
    /// The date part is not a date.
    Date,
    /// There is no time, or it is not a time.
    Time,
}

/// Reads a date and a time separated by a space or `T`: `2026-12-01 14:30`, `fre 10`,
/// `+7d 13:00`.
pub fn parse_datetime(text: &str, today: NaiveDate) -> Result<chrono::NaiveDateTime, DateTimeError> {
    let t = text.trim().replace('T', " ");
    let Some((date, time)) = t.rsplit_once(' ') else {
        return Err(if parse_date(&t, today).is_some() { DateTimeError::Time } else { DateTimeError::Date });
    };
    let date = parse_date(date, today).ok_or(DateTimeError::Date)?;
    let time = parse_time(time).ok_or(DateTimeError::Time)?;
    Ok(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Monday.
    fn monday() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn a_date_that_does_not_exist_is_told_what_is_wrong_with_it() {
        assert_eq!(date_problem("2026-13-45", Lang::Sv), "månad 13 finns inte: skriv 01–12, t.ex. 2026-12-01");
        assert_eq!(date_problem("2026-02-30", Lang::Sv), "2026-02 har 28 dagar: skriv en dag 01–28");
        assert_eq!(date_problem("20280230", Lang::En), "2028-02 has 29 days: type a day 01–29");
        assert_eq!(date_problem("2026-12-00", Lang::Sv), "2026-12 har 31 dagar: skriv en dag 01–31");
        // Anything else gets the forms that work.
        assert_eq!(date_problem("snart", Lang::Sv), date_hint(Lang::Sv));
        assert_eq!(date_problem("2026-12-01x", Lang::Sv), date_hint(Lang::Sv));
        // An en dash makes eight bytes of six characters: no panic, just the hint.
        assert_eq!(date_problem("2026–1", Lang::Sv), date_hint(Lang::Sv));
        assert_eq!(datetime_problem("2026-04-31 10:00", Lang::Sv), "2026-04 har 30 dagar: skriv en dag 01–30");
        assert_eq!(datetime_problem("snart 10", Lang::Sv), datetime_hint(Lang::Sv));
        assert!(datetime_hint(Lang::Sv).contains("14:30"), "a date-time field's hint shows a time");
    }

    #[test]
    fn iso_and_compact_dates() {
        assert_eq!(parse_date("2026-12-01", monday()), day(2026, 12, 1));
        assert_eq!(parse_date(" 20261201 ", monday()), day(2026, 12, 1));
        assert_eq!(parse_date("2026-02-30", monday()), None, "no such day");
        assert_eq!(parse_date("1/12", monday()), None);
    }

    #[test]
    fn words_for_today_and_neighbours() {
        assert_eq!(parse_date("idag", monday()), Some(monday()));
        assert_eq!(parse_date("Today", monday()), Some(monday()));
        assert_eq!(parse_date("imorgon", monday()), day(2026, 11, 24));
        assert_eq!(parse_date("igår", monday()), day(2026, 11, 22));
    }

    #[test]
    fn offsets_in_days_weeks_and_months() {
        assert_eq!(parse_date("+14d", monday()), day(2026, 12, 7));
        assert_eq!(parse_date("+14", monday()), day(2026, 12, 7));
        assert_eq!(parse_date("-3d", monday()), day(2026, 11, 20));
        assert_eq!(parse_date("+2v", monday()), day(2026, 12, 7));
        assert_eq!(parse_date("+2w", monday()), day(2026, 12, 7));
        assert_eq!(parse_date("+3m", monday()), day(2027, 2, 23));
        assert_eq!(parse_date("+x", monday()), None);
        assert_eq!(parse_date("+3y", monday()), None);
    }

    #[test]
    fn weekday_names_mean_the_next_one() {
        assert_eq!(parse_date("fre", monday()), day(2026, 11, 27));
        assert_eq!(parse_date("fredag", monday()), day(2026, 11, 27));
        assert_eq!(parse_date("fri", monday()), day(2026, 11, 27));
        assert_eq!(parse_date("mån", monday()), day(2026, 11, 30), "a Monday's 'mån' is next week's");
        assert_eq!(parse_date("sön", monday()), day(2026, 11, 29));
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("14:30"), NaiveTime::from_hms_opt(14, 30, 0));
        assert_eq!(parse_time("14.30"), NaiveTime::from_hms_opt(14, 30, 0));
        assert_eq!(parse_time("1430"), NaiveTime::from_hms_opt(14, 30, 0));
        assert_eq!(parse_time("930"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(parse_time("9"), NaiveTime::from_hms_opt(9, 0, 0));
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("9am"), None);
    }

    #[test]
    fn date_and_time_together() {
        let at = |h, m| monday().and_hms_opt(h, m, 0).unwrap();
        assert_eq!(parse_datetime("2026-11-23 14:30", monday()), Ok(at(14, 30)));
        assert_eq!(parse_datetime("2026-11-23T14:30", monday()), Ok(at(14, 30)));
        assert_eq!(parse_datetime("+7d 9", monday()), Ok(at(9, 0) + Duration::days(7)));
        assert_eq!(parse_datetime("fre 10:15", monday()), Ok(at(10, 15) + Duration::days(4)));
        assert_eq!(parse_datetime("fre", monday()), Err(DateTimeError::Time), "a date alone needs a time");
        assert_eq!(parse_datetime("fre 27:00", monday()), Err(DateTimeError::Time));
        assert_eq!(parse_datetime("snart 10", monday()), Err(DateTimeError::Date));
    }
}
