//! The user's language. Labels of domain values live with their enums (`domain::enums`);
//! screen texts join them here as the TUI grows.

use std::str::FromStr;

/// Language of the interface: Swedish by default, English by flag or config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Svenska.
    #[default]
    Sv,
    /// English.
    En,
}

impl Lang {
    /// The Swedish or the English of a text written inline.
    pub fn pick<'a>(self, sv: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "sv" | "svenska" | "swedish" => Ok(Lang::Sv),
            "en" | "english" | "engelska" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}': use 'sv' or 'en'")),
        }
    }
}

pub mod audit_detail;
pub mod ui;
