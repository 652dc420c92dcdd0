//! The period a report covers: whole days, inclusive at both ends, open-ended when a bound
//! is missing.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

/// A span of days, `from` and `to` inclusive; `None` means no bound on that side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    /// First day, if bounded.
    pub from: Option<NaiveDate>,
    /// Last day, if bounded.
    pub to: Option<NaiveDate>,
}

impl Period {
    /// Every day: the whole store.
    pub const ALL: Period = Period { from: None, to: None };

    /// The days from `from` to `to` inclusive.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        Period { from: Some(from), to: Some(to) }
    }

    /// The twelve months up to and including `today`: the screen's default.
    pub fn last_year(today: NaiveDate) -> Self {
        let from = today.checked_sub_months(chrono::Months::new(12)).unwrap_or(today) + chrono::Days::new(1);
        Period::new(from, today)
    }

    /// Whether `day` lies in the period; a missing day lies in it only if the period is unbounded.
    pub fn contains(&self, day: Option<NaiveDate>) -> bool {
        match day {
            Some(d) => self.from.is_none_or(|f| f <= d) && self.to.is_none_or(|t| d <= t),
            None => self.from.is_none() && self.to.is_none(),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (None, None) => f.write_str("all"),
            (a, b) => write!(
                f,
                "{}..{}",
                a.map(|d| d.to_string()).unwrap_or_default(),
                b.map(|d| d.to_string()).unwrap_or_default()
            ),
        }
    }
}

const PERIOD_HELP: &str = "use YYYY, YYYY-MM, YYYY-Qn, FROM..TO (either side may be left out) or all";

impl FromStr for Period {
    type Err = String;

    /// Accepts `all`, `2025`, `2025-03`, `2025-Q2`, `2025-01-01..2025-06-30`, `2025-01-01..`
    /// and `..2025-06-30`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || format!("cannot read the period '{s}': {PERIOD_HELP}");
        if s.eq_ignore_ascii_case("all") || s.is_empty() {
            return Ok(Period::ALL);
        }
        if let Some((a, b)) = s.split_once("..") {
            let day = |x: &str| -> Result<Option<NaiveDate>, String> {
                if x.is_empty() { Ok(None) } else { x.parse::<NaiveDate>().map(Some).map_err(|_| bad()) }
            };
            let p = Period { from: day(a)?, to: day(b)? };
            if let (Some(f), Some(t)) = (p.from, p.to)
                && f > t
            {
                return Err(format!("the period '{s}' ends before it starts: put the earlier date first"));
            }
            return Ok(p);
        }
        if let Ok(day) = s.parse::<NaiveDate>() {
            return Ok(Period::new(day, day));
        }
        let (year, rest) = match s.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (s, None),
        };
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month_span = |first: u32, months: u32| -> Result<Period, String> {
            let from = NaiveDate::from_ymd_opt(year, first, 1).ok_or_else(bad)?;
            let next = from.checked_add_months(chrono::Months::new(months)).ok_or_else(bad)?;
            Ok(Period::new(from, next.pred_opt().ok_or_else(bad)?))
        };
        match rest {
            None => month_span(1, 12),
            Some(q) if q.len() == 2 && (q.starts_with('Q') || q.starts_with('q')) => {
                let n: u32 = q[1..].parse().map_err(|_| bad())?;
                if !(1..=4).contains(&n) {
                    return Err(bad());
                }
                month_span(3 * n - 2, 3)
            }
            Some(m) => {
                let m: u32 = m.parse().map_err(|_| bad())?;
                if !(1..=12).contains(&m) {
                    return Err(bad());
                }
                month_span(m, 1)
            }
        }
    }
}

/// First day of the month `day` falls in.
pub(crate) fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_read_in_every_documented_form() {
        assert_eq!("2025".parse::<Period>().unwrap(), Period::new(d("2025-01-01"), d("2025-12-31")));
        assert_eq!("2024-02".parse::<Period>().unwrap(), Period::new(d("2024-02-01"), d("2024-02-29")));
        assert_eq!("2025-Q2".parse::<Period>().unwrap(), Period::new(d("2025-04-01"), d("2025-06-30")));
        assert_eq!("2025-01-10..2025-03-01".parse::<Period>().unwrap(), Period::new(d("2025-01-10"), d("2025-03-01")));
        assert_eq!("..2025-03-01".parse::<Period>().unwrap(), Period { from: None, to: Some(d("2025-03-01")) });
        assert_eq!("all".parse::<Period>().unwrap(), Period::ALL);
    }

    #[test]
    fn a_bad_period_says_which_forms_work() {
        for bad in ["2025-13", "2025-Q5", "next year", "2025-02-30..2025-03-01"] {
            let err = bad.parse::<Period>().unwrap_err();
            assert!(err.contains("YYYY-Qn"), "{bad}: {err}");
        }
        assert!("2025-03-01..2025-01-01".parse::<Period>().unwrap_err().contains("ends before it starts"));
    }

    #[test]
    fn contains_is_inclusive_and_a_missing_day_only_counts_without_bounds() {
        let p = Period::new(d("2025-01-01"), d("2025-01-31"));
        assert!(p.contains(Some(d("2025-01-01"))) && p.contains(Some(d("2025-01-31"))));
        assert!(!p.contains(Some(d("2025-02-01"))));
        assert!(!p.contains(None));
        assert!(Period::ALL.contains(None));
    }
}
