//! Swedish identity numbers: personnummer and samordningsnummer (day of birth + 60).
//! Stored as 12 digits `YYYYMMDDNNNC`; shown masked as the birth date plus `-****`.

use chrono::NaiveDate;

use super::enums::IdKind;

/// Why an identity number is not valid; each message says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 10 or 12 digits (with an optional `-` or `+`).
    #[error("write 12 digits, YYYYMMDD-NNNN")]
    Format,
    /// The date part is not a real date.
    #[error("the date part is not a real date")]
    Date,
    /// The last digit does not match the others.
    #[error("the check digit is wrong: check the last four digits")]
    CheckDigit,
}

/// A validated identity number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    digits: String,
    kind: IdKind,
    birth_date: NaiveDate,
}

impl IdNumber {
    /// Parses `YYYYMMDDNNNN` or `YYYYMMDD-NNNN`. Ten-digit forms are refused: the
    /// century cannot be known safely, and a caseworker can always type twelve.
    pub fn parse(input: &str) -> Result<IdNumber, IdNumberError> {
        let digits: String = input.chars().filter(|c| !matches!(c, '-' | '+' | ' ')).collect();
        if digits.len() != 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(IdNumberError::Format);
        }
        let num = |r: std::ops::Range<usize>| digits[r].parse::<u32>().map_err(|_| IdNumberError::Format);
        let (year, month, mut day) = (num(0..4)? as i32, num(4..6)?, num(6..8)?);
        let kind = if day > 60 {
            day -= 60;
            IdKind::Samordningsnummer
        } else {
            IdKind::Personnummer
        };
        let birth_date = NaiveDate::from_ymd_opt(year, month, day).ok_or(IdNumberError::Date)?;
        let expected = check_digit(&digits[2..11]);
        if digits.as_bytes()[11] - b'0' != expected {
            return Err(IdNumberError::CheckDigit);
        }
        Ok(IdNumber { digits, kind, birth_date })
    }

    /// The 12 digits as stored.
    pub fn digits(&self) -> &str {
        &self.digits
    }

    /// Personnummer or samordningsnummer.
    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// Date of birth.
    pub fn birth_date(&self) -> NaiveDate {
        self.birth_date
    }

    /// Full form, `YYYYMMDD-NNNN`.
    pub fn formatted(&self) -> String {
        format!("{}-{}", &self.digits[..8], &self.digits[8..])
    }
}

/// Masks a stored number for lists and headers: `YYYYMMDD-****`.
pub fn masked(digits: &str) -> String {
    match digits.get(..8) {
        Some(date) if digits.len() == 12 => format!("{date}-****"),
        _ => "********-****".to_owned(),
    }
}

/// The Luhn check digit over the nine digits `YYMMDDNNN`.
pub fn check_digit(nine: &str) -> u8 {
    let sum: u32 = nine
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_personnummer_with_or_without_dash() {
        // 19811218-9876 is Skatteverket's well-known example number.
        let id = IdNumber::parse("19811218-9876").unwrap();
        assert_eq!(id.kind(), IdKind::Personnummer);
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1981, 12, 18).unwrap());
        assert_eq!(IdNumber::parse("198112189876").unwrap().formatted(), "19811218-9876");
    }

    #[test]
    fn rejects_a_wrong_check_digit() {
        assert_eq!(IdNumber::parse("19811218-9875"), Err(IdNumberError::CheckDigit));
    }

    #[test]
    fn rejects_impossible_dates_and_short_forms() {
        assert_eq!(IdNumber::parse("19810230-0000"), Err(IdNumberError::Date));
        assert_eq!(IdNumber::parse("811218-9876"), Err(IdNumberError::Format));
        assert_eq!(IdNumber::parse("1981121x9876"), Err(IdNumberError::Format));
    }

    #[test]
    fn day_plus_sixty_is_a_samordningsnummer() {
        let nine = "811278987";
        let full = format!("19{nine}{}", check_digit(nine));
        let id = IdNumber::parse(&full).unwrap();
        assert_eq!(id.kind(), IdKind::Samordningsnummer);
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1981, 12, 18).unwrap());
    }

    #[test]
    fn masking_keeps_only_the_birth_date() {
        assert_eq!(masked("198112189876"), "19811218-****");
        assert_eq!(masked("garbage"), "********-****");
    }
}
