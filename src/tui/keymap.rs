//! Key bindings: which key runs which [`Action`] in which [`Context`]. The defaults live in
//! `assets/keymap.toml` (compiled in, and the documentation of the format); the user's
//! config overrides them one action at a time.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::tui::action::{Action, Context};

/// The documented default bindings, in the same format users write.
const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Named keys accepted by [`KeyBinding::parse`], listed in error messages.
const KEY_NAMES: &str = "enter, esc, tab, backtab, space, up, down, left, right, pageup, \
                         pagedown, home, end, backspace, delete, insert, f1 ... f12";

/// Pairs (specific, underneath) of contexts that are active together, so a key bound in
/// both makes the lower binding unreachable. Clients is a list, so it sits on List too.
const LAYERS: &[(Context, Context)] = &[
    (Context::List, Context::Global),
    (Context::Clients, Context::Global),
    (Context::Workspace, Context::Global),
    (Context::Calendar, Context::Global),
    (Context::Conflicts, Context::Global),
    (Context::Conflicts, Context::List),
    (Context::FollowUp, Context::Global),
    (Context::FollowUp, Context::List),
    (Context::Audit, Context::Global),
    (Context::Audit, Context::List),
    (Context::Clients, Context::List),
];

/// What went wrong reading a key or a keymap table.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// A key string that is not a key.
    #[error("key \"{key}\": {reason}")]
    InvalidKey {
        /// The string as written.
        key: String,
        /// Why it was rejected and what to write instead.
        reason: String,
    },
    /// The keymap text is not TOML.
    #[error("keymap: {0}")]
    Syntax(#[from] toml::de::Error),
    /// A table that is not a context.
    #[error("keymap [{table}]: unknown context; known: {known}")]
    UnknownContext {
        /// The table as written.
        table: String,
        /// The valid context ids.
        known: String,
    },
    /// A context entry that is not a table of actions.
    #[error("keymap [{table}]: expected a table of action = [\"key\", ...]")]
    NotATable {
        /// The table as written.
        table: String,
    },
    /// An action id that does not exist in that context or any other.
    #[error("keymap [{table}] \"{action}\": unknown action; known: {known}")]
    UnknownAction {
        /// The table it was found in.
        table: String,
        /// The action as written.
        action: String,
        /// The actions of that context.
        known: String,
    },
    /// An action placed under the wrong context.
    #[error("keymap [{table}] \"{action}\": belongs in [{belongs}]")]
    WrongContext {
        /// The table it was found in.
        table: String,
        /// The action id.
        action: String,
        /// The table it must go in.
        belongs: String,
    },
    /// An action's value is not a list of strings.
    #[error("keymap [{table}] \"{action}\": expected a list of keys, e.g. [\"j\", \"down\"]")]
    NotAKeyList {
        /// The table it was found in.
        table: String,
        /// The action id.
        action: String,
    },
    /// One of an action's keys does not parse.
    #[error("keymap [{table}] \"{action}\": key \"{key}\": {reason}")]
    BadKey {
        /// The table it was found in.
        table: String,
        /// The action id.
        action: String,
        /// The key as written.
        key: String,
        /// Why it was rejected.
        reason: String,
    },
}

/// One key with its modifiers, normalised so that what a terminal sends for it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl KeyBinding {
    /// A binding for `code` with `modifiers`, normalised like key events are.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> KeyBinding {
        let (code, modifiers) = normalise(code, modifiers);
        KeyBinding { code, modifiers }
    }

    /// Reads a key as written in the keymap: `"q"`, `"G"`, `"enter"`, `"ctrl-k"`, `"alt-1"`,
    /// `"shift-tab"`, `"f12"`. The labels [`display`](Self::display) gives are accepted too.
    pub fn parse(text: &str) -> Result<KeyBinding, KeymapError> {
        let invalid = |reason: String| KeymapError::InvalidKey { key: text.to_owned(), reason };
        if text.is_empty() {
            return Err(invalid("empty key; write e.g. \"q\" or \"enter\"".to_owned()));
        }
        let (modifiers, rest) = split_modifiers(text);
        let code = parse_code(rest).ok_or_else(|| {
            invalid(format!(
                "unknown key \"{rest}\"; use one character or one of {KEY_NAMES}, \
                 with ctrl-, alt- or shift- in front"
            ))
        })?;
        if let (true, KeyCode::Char(c)) = (modifiers.contains(KeyModifiers::SHIFT), code) {
            return Err(invalid(shift_char_hint(c)));
        }
        Ok(KeyBinding::new(code, modifiers))
    }

    /// The binding a key event stands for, or `None` for key releases (which some
    /// terminals report and which must not trigger an action a second time).
    pub fn from_event(ev: &KeyEvent) -> Option<KeyBinding> {
        (ev.kind != KeyEventKind::Release).then(|| KeyBinding::new(ev.code, ev.modifiers))
    }

    /// Whether the event is a press (or repeat) of this key.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        KeyBinding::from_event(ev).is_some_and(|pressed| pressed == *self)
    }

    /// The key without modifiers.
    pub fn code(&self) -> KeyCode {
        self.code
    }

    /// The modifiers, without Shift on characters (the character already says it).
    pub fn modifiers(&self) -> KeyModifiers {
        self.modifiers
    }

    /// Short label for footer and help: `q`, `Enter`, `S-Tab`, `↑`, `C-k`, `A-1`, `F12`.
    pub fn display(&self) -> String {
        let mut label = String::new();
        for (modifier, prefix) in
            [(KeyModifiers::CONTROL, "C-"), (KeyModifiers::ALT, "A-"), (KeyModifiers::SHIFT, "S-")]
        {
            if self.modifiers.contains(modifier) {
                label.push_str(prefix);
            }
        }
        label.push_str(&code_label(self.code));
        label
    }
}

impl fmt::Display for KeyBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl FromStr for KeyBinding {
    type Err = KeymapError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        KeyBinding::parse(s)
    }
}

/// Makes equal what terminals report differently for the same key press: Shift comes with
/// or without uppercase letters and symbols like `?`, Shift+Tab arrives as Tab+SHIFT or
/// BackTab, and legacy terminals cannot send ctrl-K apart from ctrl-k.
fn normalise(code: KeyCode, mut modifiers: KeyModifiers) -> (KeyCode, KeyModifiers) {
    match code {
        KeyCode::Char(c) => {
            modifiers.remove(KeyModifiers::SHIFT);
            let c = if modifiers.contains(KeyModifiers::CONTROL) { c.to_ascii_lowercase() } else { c };
            (KeyCode::Char(c), modifiers)
        }
        KeyCode::BackTab => (KeyCode::BackTab, modifiers - KeyModifiers::SHIFT),
        KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => (KeyCode::BackTab, modifiers - KeyModifiers::SHIFT),
        other => (other, modifiers),
    }
}

/// Shift on a character is ambiguous across keyboard layouts ("shift-1" is "!" only on
/// some), so users write the character they get; letters have an obvious one to suggest.
fn shift_char_hint(c: char) -> String {
    if c.is_ascii_alphabetic() {
        format!("write \"{}\" instead of shift-{c}", c.to_ascii_uppercase())
    } else {
        format!("write the character Shift gives (e.g. \"!\" for shift-1), not shift-{c}")
    }
}

/// Strips `ctrl-`, `alt-`, `shift-` (and the short `C-`, `A-`, `S-`) prefixes.
fn split_modifiers(text: &str) -> (KeyModifiers, &str) {
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = text;
    while let Some((head, tail)) = rest.split_once('-') {
        // An empty tail means the key itself is "-" (as in "ctrl--" or "-").
        if tail.is_empty() {
            break;
        }
        let modifier = match head.to_ascii_lowercase().as_str() {
            "ctrl" | "control" | "c" => KeyModifiers::CONTROL,
            "alt" | "meta" | "a" | "m" => KeyModifiers::ALT,
            "shift" | "s" => KeyModifiers::SHIFT,
            _ => break,
        };
        modifiers |= modifier;
        rest = tail;
    }
    (modifiers, rest)
}

/// The key a name or single character stands for.
fn parse_code(text: &str) -> Option<KeyCode> {
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(arrow_glyph(c).unwrap_or(KeyCode::Char(c)));
    }
    let lower = text.to_ascii_lowercase();
    let code = match lower.as_str() {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "space" => KeyCode::Char(' '),
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "pageup" | "pgup" => KeyCode::PageUp,
        "pagedown" | "pgdn" | "pgdown" => KeyCode::PageDown,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "backspace" | "bksp" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        _ => return function_key(&lower),
    };
    Some(code)
}

/// Lets the arrow labels shown in help be typed back into a keymap.
fn arrow_glyph(c: char) -> Option<KeyCode> {
    match c {
        '↑' => Some(KeyCode::Up),
        '↓' => Some(KeyCode::Down),
        '←' => Some(KeyCode::Left),
        '→' => Some(KeyCode::Right),
        _ => None,
    }
}

/// `f1` ... `f12`; higher numbers are rejected because most keyboards lack them and a
/// typo like `f111` should not bind silently to nothing.
fn function_key(lower: &str) -> Option<KeyCode> {
    let n: u8 = lower.strip_prefix('f')?.parse().ok()?;
    (1..=12).contains(&n).then_some(KeyCode::F(n))
}

/// Footer label of a key without modifiers.
fn code_label(code: KeyCode) -> String {
    let label = match code {
        KeyCode::Char(' ') => "Space",
        KeyCode::Char(c) => return c.to_string(),
        KeyCode::F(n) => return format!("F{n}"),
        KeyCode::Enter => "Enter",
        KeyCode::Esc => "Esc",
        KeyCode::Tab => "Tab",
        KeyCode::BackTab => "S-Tab",
        KeyCode::Up => "↑",
        KeyCode::Down => "↓",
        KeyCode::Left => "←",
        KeyCode::Right => "→",
        KeyCode::PageUp => "PgUp",
        KeyCode::PageDown => "PgDn",
        KeyCode::Home => "Home",
        KeyCode::End => "End",
        KeyCode::Backspace => "Bksp",
        KeyCode::Delete => "Del",
        KeyCode::Insert => "Ins",
        other => return format!("{other:?}"),
    };
    label.to_owned()
}

/// Key bindings per context: for each context, each of its actions and the keys that run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<Context, BTreeMap<Action, Vec<KeyBinding>>>,
}

impl Default for Keymap {
    /// The bindings of `assets/keymap.toml`.
    fn default() -> Self {
        let table: toml::Table = match DEFAULT_KEYMAP.parse() {
            Ok(table) => table,
            Err(e) => unreachable!("assets/keymap.toml is not TOML (tests check this): {e}"),
        };
        match Keymap::empty().apply(&table, "") {
            Ok(keymap) => keymap,
            Err(e) => unreachable!("assets/keymap.toml is invalid (tests check this): {e}"),
        }
    }
}

impl Keymap {
    /// The defaults with the actions listed in `toml_text` rebound; see `assets/keymap.toml`.
    pub fn with_overrides(toml_text: &str) -> Result<Keymap, KeymapError> {
        let table: toml::Table = toml_text.parse()?;
        Keymap::with_overrides_table(&table)
    }

    /// Like [`with_overrides`](Self::with_overrides), from an already parsed table.
    pub fn with_overrides_table(table: &toml::Table) -> Result<Keymap, KeymapError> {
        Keymap::default().apply(table, "")
    }

    /// Like [`with_overrides_table`](Self::with_overrides_table) for a table nested in a
    /// bigger file; `section` (e.g. `"keys."`) is put before context names in errors so
    /// they point at the table the user actually wrote.
    pub(crate) fn with_overrides_in(table: &toml::Table, section: &str) -> Result<Keymap, KeymapError> {
        Keymap::default().apply(table, section)
    }

    /// The action `ev` runs: the first of `contexts` (most specific first, e.g.
    /// `[Clients, List, Global]`) that binds the key wins.
    pub fn action_for(&self, contexts: &[Context], ev: &KeyEvent) -> Option<Action> {
        let pressed = KeyBinding::from_event(ev)?;
        contexts.iter().find_map(|context| self.action_in(*context, pressed))
    }

    /// The keys bound to `action`, in the order the keymap lists them (first = preferred).
    pub fn keys_for(&self, action: Action) -> &[KeyBinding] {
        self.bindings.get(&action.context()).and_then(|actions| actions.get(&action)).map_or(&[], Vec::as_slice)
    }

    /// Label of the first key of `action` for the footer, `None` if it is unbound.
    pub fn first_key_label(&self, action: Action) -> Option<String> {
        self.keys_for(action).first().map(KeyBinding::display)
    }

    /// Keys bound to two actions that can be active at once (the same context, or a
    /// context and one it is layered on, such as Global), as lines to show the user.
    pub fn conflicts(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for context in Context::ALL {
            lines.extend(self.conflicts_within(*context));
        }
        for (upper, lower) in LAYERS {
            lines.extend(self.conflicts_between(*upper, *lower));
        }
        lines
    }

    fn empty() -> Keymap {
        Keymap { bindings: BTreeMap::new() }
    }

    /// Within one context, the first action in help order wins a shared key.
    fn action_in(&self, context: Context, pressed: KeyBinding) -> Option<Action> {
        self.pairs(context).find(|(_, key)| *key == pressed).map(|(action, _)| action)
    }

    fn pairs(&self, context: Context) -> impl Iterator<Item = (Action, KeyBinding)> + '_ {
        self.bindings
            .get(&context)
            .into_iter()
            .flatten()
            .flat_map(|(action, keys)| keys.iter().map(|key| (*action, *key)))
    }

    fn conflicts_within(&self, context: Context) -> Vec<String> {
        let pairs: Vec<_> = self.pairs(context).collect();
        let mut lines = Vec::new();
        for (i, (first, key)) in pairs.iter().enumerate() {
            for (second, _) in pairs[i + 1..].iter().filter(|(a, k)| k == key && a != first) {
                lines.push(format!("[{}] {key} is bound to both {} and {}", context.id(), first.id(), second.id()));
            }
        }
        lines
    }

    fn conflicts_between(&self, upper: Context, lower: Context) -> Vec<String> {
        let mut lines = Vec::new();
        for (action, key) in self.pairs(upper) {
            for (hidden, _) in self.pairs(lower).filter(|(_, k)| *k == key) {
                lines.push(format!(
                    "{key} is bound to {} in [{}] and to {} in [{}]; {} cannot be reached there",
                    action.id(),
                    upper.id(),
                    hidden.id(),
                    lower.id(),
                    hidden.id()
                ));
            }
        }
        lines
    }

    /// Replaces the bindings of every action `table` lists; all or nothing.
    fn apply(mut self, table: &toml::Table, section: &str) -> Result<Keymap, KeymapError> {
        for (context_id, actions) in table {
            let table_name = format!("{section}{context_id}");
            let context = context_from_id(context_id).ok_or_else(|| KeymapError::UnknownContext {
                table: table_name.clone(),
                known: Context::ALL.iter().map(|c| c.id()).collect::<Vec<_>>().join(", "),
            })?;
            let actions = actions.as_table().ok_or_else(|| KeymapError::NotATable { table: table_name.clone() })?;
            for (action_id, keys) in actions {
                let action = action_in_context(context, action_id, &table_name, section)?;
                let keys = parse_key_list(keys, &table_name, action_id)?;
                self.bindings.entry(context).or_default().insert(action, keys);
            }
        }
        Ok(self)
    }
}

fn context_from_id(id: &str) -> Option<Context> {
    Context::ALL.iter().copied().find(|c| c.id() == id)
}

/// Resolves an action id, telling apart a typo from an action put in the wrong table.
fn action_in_context(context: Context, action_id: &str, table: &str, section: &str) -> Result<Action, KeymapError> {
    match Action::from_id(action_id) {
        Some(action) if action.context() == context => Ok(action),
        Some(action) => Err(KeymapError::WrongContext {
            table: table.to_owned(),
            action: action_id.to_owned(),
            belongs: format!("{section}{}", action.context().id()),
        }),
        None => Err(KeymapError::UnknownAction {
            table: table.to_owned(),
            action: action_id.to_owned(),
            known: Action::ALL.iter().filter(|a| a.context() == context).map(|a| a.id()).collect::<Vec<_>>().join(", "),
        }),
    }
}

/// Parses `["j", "down"]`, dropping repeats so the footer never shows a key twice.
fn parse_key_list(value: &toml::Value, table: &str, action: &str) -> Result<Vec<KeyBinding>, KeymapError> {
    let not_a_list = || KeymapError::NotAKeyList { table: table.to_owned(), action: action.to_owned() };
    let mut keys: Vec<KeyBinding> = Vec::new();
    for item in value.as_array().ok_or_else(not_a_list)? {
        let text = item.as_str().ok_or_else(not_a_list)?;
        let key = KeyBinding::parse(text).map_err(|e| KeymapError::BadKey {
            table: table.to_owned(),
            action: action.to_owned(),
            key: text.to_owned(),
            reason: match e {
                KeymapError::InvalidKey { reason, .. } => reason,
                other => other.to_string(),
            },
        })?;
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyEventKind, KeyEventState};

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn ch(c: char) -> KeyEvent {
        press(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn key(text: &str) -> KeyBinding {
        KeyBinding::parse(text).unwrap()
    }

    const STACK: &[Context] = &[Context::Clients, Context::List, Context::Global];

    #[test]
    fn embedded_default_keymap_parses() {
        let table: toml::Table = DEFAULT_KEYMAP.parse().unwrap();
        Keymap::empty().apply(&table, "").unwrap();
    }

    #[test]
    fn every_action_has_a_default_key() {
        let keymap = Keymap::default();
        for action in Action::ALL {
            assert!(!keymap.keys_for(*action).is_empty(), "{} has no default key", action.id());
        }
    }

    #[test]
    fn default_keymap_has_no_conflicts() {
        assert_eq!(Keymap::default().conflicts(), Vec::<String>::new());
    }

    #[test]
    fn defaults_match_the_documented_table() {
        let keymap = Keymap::default();
        let expect = |action: Action, keys: &[&str]| {
            let want: Vec<_> = keys.iter().map(|k| key(k)).collect();
            assert_eq!(keymap.keys_for(action), want.as_slice(), "{}", action.id());
        };
        expect(Action::Quit, &["q"]);
        expect(Action::Palette, &[":"]);
        expect(Action::JumpToClient, &["ctrl-k"]);
        expect(Action::GoDirectory, &["0"]);
        expect(Action::PrevPane, &["backtab"]);
        expect(Action::PageDown, &["ctrl-d", "pagedown"]);
        expect(Action::Bottom, &["G", "end"]);
        expect(Action::View5, &["alt-5"]);
        expect(Action::CalendarToday, &["T"]);
    }

    #[test]
    fn parses_plain_named_and_modified_keys() {
        assert_eq!(key("q"), KeyBinding::new(KeyCode::Char('q'), KeyModifiers::NONE));
        assert_eq!(key("?"), KeyBinding::new(KeyCode::Char('?'), KeyModifiers::NONE));
        assert_eq!(key("enter").code(), KeyCode::Enter);
        assert_eq!(key("Esc").code(), KeyCode::Esc);
        assert_eq!(key("space").code(), KeyCode::Char(' '));
        assert_eq!(key("pagedown").code(), KeyCode::PageDown);
        assert_eq!(key("f12").code(), KeyCode::F(12));
        assert_eq!(key("ctrl-k"), KeyBinding::new(KeyCode::Char('k'), KeyModifiers::CONTROL));
        assert_eq!(key("alt-1"), KeyBinding::new(KeyCode::Char('1'), KeyModifiers::ALT));
        assert_eq!(key("-"), KeyBinding::new(KeyCode::Char('-'), KeyModifiers::NONE));
        assert_eq!(key("ctrl--"), KeyBinding::new(KeyCode::Char('-'), KeyModifiers::CONTROL));
    }

    #[test]
    fn shift_tab_and_backtab_are_the_same_key() {
        assert_eq!(key("shift-tab"), key("backtab"));
        assert!(key("backtab").matches(&press(KeyCode::BackTab, KeyModifiers::SHIFT)));
        assert!(key("backtab").matches(&press(KeyCode::BackTab, KeyModifiers::NONE)));
        assert!(key("backtab").matches(&press(KeyCode::Tab, KeyModifiers::SHIFT)));
        assert!(!key("tab").matches(&press(KeyCode::Tab, KeyModifiers::SHIFT)));
    }

    #[test]
    fn uppercase_g_matches_with_or_without_shift() {
        let g = key("G");
        assert!(g.matches(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert!(g.matches(&press(KeyCode::Char('G'), KeyModifiers::NONE)));
        assert!(!g.matches(&ch('g')));
        assert!(!key("g").matches(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)));
    }

    #[test]
    fn question_mark_matches_when_terminal_adds_shift() {
        assert!(key("?").matches(&press(KeyCode::Char('?'), KeyModifiers::SHIFT)));
    }

    #[test]
    fn ctrl_letter_ignores_case() {
        assert_eq!(key("ctrl-K"), key("ctrl-k"));
        let ev = press(KeyCode::Char('K'), KeyModifiers::CONTROL | KeyModifiers::SHIFT);
        assert!(key("ctrl-k").matches(&ev));
        assert!(!key("k").matches(&press(KeyCode::Char('k'), KeyModifiers::CONTROL)));
    }

    #[test]
    fn key_release_does_not_match() {
        let release = KeyEvent::new_with_kind_and_state(
            KeyCode::Char('q'),
            KeyModifiers::NONE,
            KeyEventKind::Release,
            KeyEventState::NONE,
        );
        assert!(!key("q").matches(&release));
        assert_eq!(Keymap::default().action_for(STACK, &release), None);
    }

    #[test]
    fn display_gives_short_footer_labels() {
        let labels: Vec<_> = ["q", "enter", "esc", "tab", "backtab", "up", "ctrl-k", "alt-1", "f12", "space", "pageup"]
            .iter()
            .map(|k| key(k).display())
            .collect();
        assert_eq!(labels, ["q", "Enter", "Esc", "Tab", "S-Tab", "↑", "C-k", "A-1", "F12", "Space", "PgUp"]);
    }

    #[test]
    fn display_labels_parse_back_to_the_same_key() {
        let keymap = Keymap::default();
        for action in Action::ALL {
            for binding in keymap.keys_for(*action) {
                assert_eq!(key(&binding.display()), *binding, "{}", binding.display());
            }
        }
    }

    #[test]
    fn unknown_key_is_an_error_listing_the_names() {
        let err = KeyBinding::parse("pgae-down").unwrap_err().to_string();
        assert!(err.contains("\"pgae-down\"") && err.contains("pagedown"), "{err}");
        assert!(KeyBinding::parse("").is_err());
        assert!(KeyBinding::parse("f13").is_err());
        assert!(KeyBinding::parse("super-x").is_err());
    }

    #[test]
    fn shift_with_a_character_is_rejected_with_a_hint() {
        let err = KeyBinding::parse("shift-g").unwrap_err().to_string();
        assert_eq!(err, "key \"shift-g\": write \"G\" instead of shift-g");
        assert!(KeyBinding::parse("ctrl-shift-1").is_err());
    }

    #[test]
    fn action_for_prefers_the_first_context() {
        let keymap = Keymap::with_overrides("[clients]\nsort = [\"j\"]").unwrap();
        assert_eq!(keymap.action_for(STACK, &ch('j')), Some(Action::SortNext));
        assert_eq!(keymap.action_for(&[Context::List, Context::Global], &ch('j')), Some(Action::Down));
    }

    #[test]
    fn action_for_falls_through_to_global() {
        let keymap = Keymap::default();
        assert_eq!(keymap.action_for(STACK, &ch('q')), Some(Action::Quit));
        assert_eq!(keymap.action_for(STACK, &ch('j')), Some(Action::Down));
        assert_eq!(keymap.action_for(STACK, &ch('s')), Some(Action::SortNext));
        assert_eq!(keymap.action_for(&[Context::Global], &ch('j')), None);
        let alt1 = press(KeyCode::Char('1'), KeyModifiers::ALT);
        assert_eq!(keymap.action_for(STACK, &alt1), Some(Action::View1));
        assert_eq!(keymap.action_for(STACK, &ch('1')), Some(Action::GoToday));
    }

    #[test]
    fn override_replaces_only_the_listed_action() {
        let keymap = Keymap::with_overrides("[list]\ndown = [\"j\", \"down\", \"n\"]").unwrap();
        assert_eq!(keymap.keys_for(Action::Down), &[key("j"), key("down"), key("n")]);
        assert_eq!(keymap.keys_for(Action::Up), Keymap::default().keys_for(Action::Up));
        assert_eq!(keymap.keys_for(Action::Quit), &[key("q")]);
    }

    #[test]
    fn empty_list_unbinds_the_action() {
        let keymap = Keymap::with_overrides("[global]\nquit = []").unwrap();
        assert!(keymap.keys_for(Action::Quit).is_empty());
        assert_eq!(keymap.first_key_label(Action::Quit), None);
        assert_eq!(keymap.action_for(STACK, &ch('q')), None);
    }

    #[test]
    fn repeated_keys_in_a_list_are_kept_once() {
        let keymap = Keymap::with_overrides("[list]\ndown = [\"j\", \"j\"]").unwrap();
        assert_eq!(keymap.keys_for(Action::Down), &[key("j")]);
    }

    #[test]
    fn first_key_label_shows_the_first_binding() {
        let keymap = Keymap::default();
        assert_eq!(keymap.first_key_label(Action::JumpToClient).as_deref(), Some("C-k"));
        assert_eq!(keymap.first_key_label(Action::Down).as_deref(), Some("j"));
    }

    #[test]
    fn unknown_action_is_an_error_naming_it() {
        let err = Keymap::with_overrides("[list]\ndwn = [\"j\"]").unwrap_err().to_string();
        assert!(err.starts_with("keymap [list] \"dwn\": unknown action; known: up, down,"), "{err}");
    }

    #[test]
    fn unknown_context_is_an_error_naming_it() {
        let err = Keymap::with_overrides("[lists]\ndown = [\"j\"]").unwrap_err().to_string();
        assert!(err.contains("[lists]") && err.contains("global, list, clients"), "{err}");
    }

    #[test]
    fn action_in_the_wrong_context_is_an_error_naming_the_right_one() {
        let err = Keymap::with_overrides("[list]\nquit = [\"x\"]").unwrap_err().to_string();
        assert_eq!(err, "keymap [list] \"quit\": belongs in [global]");
    }

    #[test]
    fn unparseable_key_is_an_error_naming_action_and_key() {
        let err = Keymap::with_overrides("[list]\ndown = [\"j\", \"dowm\"]").unwrap_err().to_string();
        assert!(err.starts_with("keymap [list] \"down\": key \"dowm\": unknown key"), "{err}");
    }

    #[test]
    fn non_list_value_is_an_error() {
        let err = Keymap::with_overrides("[list]\ndown = \"j\"").unwrap_err().to_string();
        assert!(err.contains("expected a list of keys"), "{err}");
        assert!(Keymap::with_overrides("list = 3").is_err());
        assert!(Keymap::with_overrides("[list]\ndown = [1]").is_err());
    }

    #[test]
    fn section_prefix_appears_in_errors() {
        let table: toml::Table = "[list]\nquit = [\"x\"]".parse().unwrap();
        let err = Keymap::with_overrides_in(&table, "keys.").unwrap_err().to_string();
        assert_eq!(err, "keymap [keys.list] \"quit\": belongs in [keys.global]");
    }

    #[test]
    fn conflict_within_a_context_is_reported() {
        let keymap = Keymap::with_overrides("[list]\nopen = [\"j\"]").unwrap();
        assert_eq!(keymap.conflicts(), ["[list] j is bound to both down and open"]);
    }

    #[test]
    fn conflict_with_global_is_reported() {
        let keymap = Keymap::with_overrides("[calendar]\ncalendar_day = [\"q\"]").unwrap();
        let conflicts = keymap.conflicts();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert!(conflicts[0].contains("calendar_day in [calendar]") && conflicts[0].contains("quit"));
    }

    #[test]
    fn same_key_in_sibling_contexts_is_not_a_conflict() {
        // Workspace and calendar both use h/l by default; they are never active together.
        let keymap = Keymap::default();
        assert_eq!(keymap.keys_for(Action::PrevTab)[0], keymap.keys_for(Action::CalendarPrev)[0]);
        assert!(keymap.conflicts().is_empty());
    }
}
