//! The command palette: every action and screen, ranked by fuzzy match on its description
//! (in the user's language) and its id.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};

use super::action::Action;
use crate::i18n::Lang;

/// Actions whose description or id matches `query`, best first; all actions for an empty query.
pub fn matches(query: &str, lang: Lang) -> Vec<Action> {
    // Screens first and quitting last, so Enter on an empty palette never ends the session.
    let mut actions: Vec<Action> = Action::ALL.to_vec();
    actions.sort_by_key(|a| (!a.id().starts_with("go_"), *a == Action::Quit));
    let entries: Vec<(Action, String)> =
        actions.iter().map(|a| (*a, format!("{} {}", a.describe(lang), a.id()))).collect();
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
        // Among equals a screen comes first: "kal" is the calendar, not the calendar file.
        (!text.starts_with(&needle), !text.contains(&needle), !text.contains(" go_"), std::cmp::Reverse(*score))
    });
    // Scattered letters count only inside one word: "sam" must not find "Show cAlendar_Month".
    ranked.retain(|(text, _)| text.to_lowercase().split([' ', '_']).any(|word| is_subsequence(&needle, word)));
    if ranked.iter().any(|(text, _)| text.to_lowercase().contains(&needle)) {
        ranked.retain(|(text, _)| text.to_lowercase().contains(&needle));
    }
    ranked.into_iter().filter_map(|(text, _)| entries.iter().find(|(_, t)| t == text).map(|(a, _)| *a)).collect()
}

/// Whether the letters of `needle` appear in `word` in order.
fn is_subsequence(needle: &str, word: &str) -> bool {
    let mut letters = word.chars();
    needle.chars().filter(|c| !c.is_whitespace()).all(|c| letters.any(|w| w == c))
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
    fn a_typed_word_hides_scattered_letter_matches() {
        let found = matches("sam", Lang::En);
        assert!(!found.contains(&Action::CalendarMonth), "'sam' is not 'Show month': {found:?}");
        let ante = matches("ante", Lang::Sv);
        assert!(!ante.contains(&Action::SortReverse), "'ante' is not 'Vänd sorteringen': {ante:?}");
        assert_eq!(matches("mnad", Lang::Sv).first(), Some(&Action::CalendarMonth), "letters within one word");
    }

    #[test]
    fn an_empty_query_lists_every_action_and_nonsense_lists_none() {
        assert_eq!(matches("", Lang::Sv).len(), Action::ALL.len());
        assert_eq!(matches("", Lang::Sv).first(), Some(&Action::GoToday), "screens come first");
        assert_eq!(matches("", Lang::Sv).last(), Some(&Action::Quit), "quitting comes last");
        assert!(matches("qqqqzzzz", Lang::En).is_empty());
    }
}
