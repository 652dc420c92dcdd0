//! The command palette: every action and screen, ranked by fuzzy match on its description
//! (in the user's language) and its id.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use super::action::Action;
use crate::i18n::Lang;

/// Actions whose description or id matches `query`, best first; all actions for an empty query.
pub fn matches(query: &str, lang: Lang) -> Vec<Action> {
    let entries: Vec<(Action, String)> =
        Action::ALL.iter().map(|a| (*a, format!("{} {}", a.describe(lang), a.id()))).collect();
    if query.trim().is_empty() {
        return entries.into_iter().map(|(a, _)| a).collect();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let texts: Vec<&str> = entries.iter().map(|(_, t)| t.as_str()).collect();
    let mut ranked = pattern.match_list(texts, &mut matcher);
    // A name typed from its start beats a word inside, which beats letters found scattered:
    // "klient" is the client list before "Hoppa till klient"; "kal" the calendar, not "Kommandopalett".
    let needle = query.trim().to_lowercase();
    ranked.sort_by_key(|(text, score)| {
        let text = text.to_lowercase();
        (!text.starts_with(&needle), !text.contains(&needle), std::cmp::Reverse(*score))
    });
    ranked.into_iter().filter_map(|(text, _)| entries.iter().find(|(_, t)| t == text).map(|(a, _)| *a)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_letters_find_the_screen_in_either_language() {
        assert_eq!(matches("radar", Lang::Sv).first(), Some(&Action::GoRadar));
        assert_eq!(matches("samtyck", Lang::Sv).first(), Some(&Action::GoConsent));
        assert_eq!(matches("consent", Lang::En).first(), Some(&Action::GoConsent));
        assert_eq!(matches("kal", Lang::Sv).first(), Some(&Action::GoCalendar));
    }

    #[test]
    fn an_empty_query_lists_every_action_and_nonsense_lists_none() {
        assert_eq!(matches("", Lang::Sv).len(), Action::ALL.len());
        assert!(matches("qqqqzzzz", Lang::En).is_empty());
    }
}
