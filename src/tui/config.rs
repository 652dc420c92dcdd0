//! The user's `config.toml`: language, theme, who "my" action items belong to, key
//! overrides and saved client-list views. Everything is optional; a missing file means
//! defaults. Mistakes are errors rather than ignored, so a typo never silently does nothing.

use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::i18n::Lang;
use crate::tui::action::Action;
use crate::tui::keymap::{Keymap, KeymapError};
use crate::tui::theme::ThemeName;

/// Environment variable naming the config file instead of the per-user default.
pub const CONFIG_ENV: &str = "SLUSS_CONFIG";

/// Number of saved-view slots (bound to `view_1` ... `view_5`).
pub const VIEW_SLOTS: u8 = 5;

/// Label used in errors for text that did not come from a file.
const DEFAULT_LABEL: &str = "config.toml";

/// What is wrong with the config file, naming the file, the key and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file exists but cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// Why reading failed.
        source: io::Error,
    },
    /// Not TOML, an unknown key, or a value of the wrong type.
    #[error("{file}: {source}")]
    Syntax {
        /// The config file.
        file: String,
        /// The parser's message, with line and column.
        source: toml::de::Error,
    },
    /// `lang` is not a known language.
    #[error("{file}: lang \"{value}\": use sv or en")]
    Lang {
        /// The config file.
        file: String,
        /// The value as written.
        value: String,
    },
    /// `theme` is not a known theme.
    #[error("{file}: theme \"{value}\": use default, high-contrast or monochrome")]
    Theme {
        /// The config file.
        file: String,
        /// The value as written.
        value: String,
    },
    /// Something in `[keys]` is wrong.
    #[error("{file}: {source}")]
    Keys {
        /// The config file.
        file: String,
        /// What the keymap rejected.
        source: KeymapError,
    },
    /// A setting has a value sluss does not know.
    #[error("{file}: {problem}")]
    Setting {
        /// The config file.
        file: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// A `[[views]]` entry is wrong.
    #[error("{file}: [[views]] {problem}")]
    View {
        /// The config file.
        file: String,
        /// What is wrong and how to fix it.
        problem: String,
    },
}

/// A saved filter set for the client list, recalled with `view_1` ... `view_5`. Filter
/// values are the codes stored in the database (`infor_frigivning`, `hog`, `aktiv`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedView {
    /// 1 to 5.
    pub slot: u8,
    /// Shown in the client list's title and in help.
    pub name: String,
    /// Phase code, e.g. `infor_frigivning`.
    #[serde(default)]
    pub phase: Option<String>,
    /// Risk level code, e.g. `hog`.
    #[serde(default)]
    pub risk: Option<String>,
    /// Enrolment status code, e.g. `aktiv`.
    #[serde(default)]
    pub status: Option<String>,
    /// Probation office name, as stored.
    #[serde(default)]
    pub office: Option<String>,
    /// Coordinator name, as stored.
    #[serde(default)]
    pub coordinator: Option<String>,
}

impl SavedView {
    /// A view of `slot` called `name` with no filters.
    fn unfiltered(slot: u8, name: &str) -> SavedView {
        SavedView {
            slot,
            name: name.to_owned(),
            phase: None,
            risk: None,
            status: None,
            office: None,
            coordinator: None,
        }
    }

    /// The built-in views, used for every slot the config does not fill.
    pub fn defaults() -> Vec<SavedView> {
        vec![
            SavedView { status: Some("aktiv".to_owned()), ..SavedView::unfiltered(1, "Aktiva") },
            SavedView { phase: Some("infor_frigivning".to_owned()), ..SavedView::unfiltered(2, "Inför frigivning") },
            SavedView { risk: Some("hog".to_owned()), ..SavedView::unfiltered(3, "Hög risk") },
            SavedView { phase: Some("forsta_veckorna".to_owned()), ..SavedView::unfiltered(4, "Första veckorna") },
            SavedView::unfiltered(5, "Alla"),
        ]
    }

    /// The slot an action recalls: `view_3` → 3.
    pub fn slot_for(action: Action) -> Option<u8> {
        match action {
            Action::View1 => Some(1),
            Action::View2 => Some(2),
            Action::View3 => Some(3),
            Action::View4 => Some(4),
            Action::View5 => Some(5),
            _ => None,
        }
    }
}

/// The settings sluss runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Interface language, if the file sets one. Optional so that a `--lang` flag can take
    /// precedence and the built-in default applies only when neither says anything.
    pub lang: Option<Lang>,
    /// Colour theme (NO_COLOR is applied on top, see `theme::no_color_from_env`).
    pub theme: ThemeName,
    /// The caseworker's own name as a contact, to find "My action items".
    pub user: Option<String>,
    /// Default bindings with the file's `[keys]` overrides applied.
    pub keymap: Keymap,
    /// Saved views for slots 1 to 5, sorted by slot, always all five.
    pub views: Vec<SavedView>,
    /// Minutes without a key before the screen locks (decimals allowed); 0 turns the lock off.
    pub idle_lock_minutes: f64,
    /// Whether the privacy key asks the passphrase to come back (`privacy_unlock = "passphrase"`).
    pub privacy_needs_passphrase: bool,
}

/// The idle lock when the config says nothing.
pub const DEFAULT_IDLE_LOCK_MINUTES: f64 = 10.0;

impl Default for Config {
    fn default() -> Self {
        Config {
            lang: None,
            theme: ThemeName::default(),
            user: None,
            keymap: Keymap::default(),
            views: SavedView::defaults(),
            idle_lock_minutes: DEFAULT_IDLE_LOCK_MINUTES,
            privacy_needs_passphrase: false,
        }
    }
}

/// The file as written, before validation.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    lang: Option<String>,
    theme: Option<String>,
    user: Option<String>,
    keys: Option<toml::Table>,
    #[serde(default)]
    views: Vec<SavedView>,
    idle_lock_minutes: Option<f64>,
    privacy_unlock: Option<String>,
    /// Read by `sluss purge` (retention); the interface has no use for it.
    #[serde(rename = "purge_after")]
    _purge_after: Option<toml::Value>,
}

impl Config {
    /// Reads the config file at [`Config::path`]; no file (or no home directory) gives defaults.
    pub fn load() -> Result<Config, ConfigError> {
        match Config::path() {
            Some(path) => Config::load_from(&path),
            None => Ok(Config::default()),
        }
    }

    /// Reads the config file at `path`; a missing file gives defaults.
    pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read { path: path.to_owned(), source }),
        }
    }

    /// Reads config text; errors call it `config.toml`.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, DEFAULT_LABEL)
    }

    /// Where the config lives: `$SLUSS_CONFIG` if set, else `config.toml` in the user's
    /// config directory (e.g. `~/.config/sluss/`); `None` without a home directory.
    pub fn path() -> Option<PathBuf> {
        path_from(std::env::var_os(CONFIG_ENV).map(PathBuf::from))
    }

    /// The saved view an action recalls, if it is one of `view_1` ... `view_5`.
    pub fn view_for(&self, action: Action) -> Option<&SavedView> {
        let slot = SavedView::slot_for(action)?;
        self.views.iter().find(|view| view.slot == slot)
    }

    fn parse(text: &str, file: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|source| ConfigError::Syntax { file: file.to_owned(), source })?;
        Ok(Config {
            lang: raw.lang.map(|value| parse_lang(value, file)).transpose()?,
            theme: raw.theme.map(|value| parse_theme(value, file)).transpose()?.unwrap_or_default(),
            user: raw.user.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()),
            keymap: parse_keys(raw.keys.as_ref(), file)?,
            views: merge_views(raw.views, file)?,
            idle_lock_minutes: match raw.idle_lock_minutes {
                None => DEFAULT_IDLE_LOCK_MINUTES,
                Some(m) if m.is_finite() && m >= 0.0 => m,
                Some(m) => {
                    return Err(ConfigError::Setting {
                        file: file.to_owned(),
                        problem: format!("idle_lock_minutes = {m}: write a number of minutes, or 0 for no lock"),
                    });
                }
            },
            privacy_needs_passphrase: match raw.privacy_unlock.as_deref() {
                None | Some("key") => false,
                Some("passphrase") => true,
                Some(other) => {
                    return Err(ConfigError::Setting {
                        file: file.to_owned(),
                        problem: format!("privacy_unlock = \"{other}\": write \"key\" or \"passphrase\""),
                    });
                }
            },
        })
    }
}

/// `$SLUSS_CONFIG` wins when set and not empty, so tests never read the real user's file.
fn path_from(env_override: Option<PathBuf>) -> Option<PathBuf> {
    match env_override {
        Some(path) if !path.as_os_str().is_empty() => Some(path),
        _ => directories::ProjectDirs::from("se", "sluss", "sluss").map(|dirs| dirs.config_dir().join("config.toml")),
    }
}

fn parse_lang(value: String, file: &str) -> Result<Lang, ConfigError> {
    value.parse().map_err(|_| ConfigError::Lang { file: file.to_owned(), value })
}

fn parse_theme(value: String, file: &str) -> Result<ThemeName, ConfigError> {
    value.parse().map_err(|_| ConfigError::Theme { file: file.to_owned(), value })
}

fn parse_keys(keys: Option<&toml::Table>, file: &str) -> Result<Keymap, ConfigError> {
    match keys {
        Some(table) => Keymap::with_overrides_in(table, "keys.")
            .map_err(|source| ConfigError::Keys { file: file.to_owned(), source }),
        None => Ok(Keymap::default()),
    }
}

/// Puts the file's views over the built-in ones, slot by slot.
fn merge_views(configured: Vec<SavedView>, file: &str) -> Result<Vec<SavedView>, ConfigError> {
    let mut views = SavedView::defaults();
    let mut seen = Vec::new();
    for view in configured {
        let problem = |problem: String| ConfigError::View { file: file.to_owned(), problem };
        if !(1..=VIEW_SLOTS).contains(&view.slot) {
            return Err(problem(format!("slot {}: use a slot from 1 to {VIEW_SLOTS}", view.slot)));
        }
        if seen.contains(&view.slot) {
            return Err(problem(format!("slot {}: listed twice; give each view its own slot", view.slot)));
        }
        if view.name.trim().is_empty() {
            return Err(problem(format!("slot {}: name is empty; give the view a name", view.slot)));
        }
        seen.push(view.slot);
        let index = usize::from(view.slot - 1);
        views[index] = view;
    }
    Ok(views)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::KeyBinding;

    fn err(text: &str) -> String {
        Config::from_toml(text).unwrap_err().to_string()
    }

    #[test]
    fn empty_config_gives_defaults() {
        assert_eq!(Config::from_toml("").unwrap(), Config::default());
    }

    #[test]
    fn missing_config_file_gives_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::load_from(&dir.path().join("config.toml")).unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn config_file_is_read_from_the_given_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "lang = \"en\"\ntheme = \"monochrome\"\n").unwrap();
        let config = Config::load_from(&path).unwrap();
        assert_eq!(config.lang, Some(Lang::En));
        assert_eq!(config.theme, ThemeName::Monochrome);
    }

    #[test]
    fn errors_from_a_file_name_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "theme = \"neon\"\n").unwrap();
        let err = Config::load_from(&path).unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
    }

    #[test]
    fn unreadable_config_path_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(Config::load_from(dir.path()), Err(ConfigError::Read { .. })));
    }

    #[test]
    fn env_override_wins_over_the_user_config_dir() {
        let custom = PathBuf::from("/tmp/sluss-test/config.toml");
        assert_eq!(path_from(Some(custom.clone())), Some(custom));
        let default = path_from(None);
        assert!(default.as_ref().is_none_or(|p| p.ends_with("config.toml")));
        assert_eq!(path_from(Some(PathBuf::new())), default);
    }

    #[test]
    fn full_example_is_read() {
        let config = Config::from_toml(
            r#"
            lang = "en"
            theme = "high-contrast"
            user = " Anna Provlund "
            [keys.list]
            down = ["j", "down", "n"]
            [[views]]
            slot = 1
            name = "Hög risk"
            phase = "infor_frigivning"
            risk = "hog"
            status = "aktiv"
            office = "Frivården Göteborg"
            "#,
        )
        .unwrap();
        assert_eq!(config.lang, Some(Lang::En));
        assert_eq!(config.theme, ThemeName::HighContrast);
        assert_eq!(config.user.as_deref(), Some("Anna Provlund"));
        assert_eq!(config.keymap.keys_for(Action::Down).last(), Some(&KeyBinding::parse("n").unwrap()));
        let view = config.view_for(Action::View1).unwrap();
        assert_eq!(view.name, "Hög risk");
        assert_eq!(view.office.as_deref(), Some("Frivården Göteborg"));
        assert_eq!(view.coordinator, None);
    }

    #[test]
    fn config_view_replaces_only_its_slot() {
        let config = Config::from_toml("[[views]]\nslot = 3\nname = \"Göteborg\"\noffice = \"Göteborg\"").unwrap();
        let names: Vec<_> = config.views.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["Aktiva", "Inför frigivning", "Göteborg", "Första veckorna", "Alla"]);
        assert_eq!(config.views[2].risk, None);
    }

    #[test]
    fn default_views_fill_all_slots_in_order() {
        let views = SavedView::defaults();
        let slots: Vec<_> = views.iter().map(|v| v.slot).collect();
        assert_eq!(slots, [1, 2, 3, 4, 5]);
        assert_eq!(views[1].phase.as_deref(), Some("infor_frigivning"));
        assert_eq!(views[2].risk.as_deref(), Some("hog"));
        assert_eq!(views[4], SavedView::unfiltered(5, "Alla"));
    }

    #[test]
    fn view_for_maps_view_actions_to_slots() {
        let config = Config::default();
        assert_eq!(config.view_for(Action::View5).map(|v| v.slot), Some(5));
        assert_eq!(config.view_for(Action::Quit), None);
    }

    #[test]
    fn unknown_theme_is_an_error_with_the_fix() {
        assert_eq!(err("theme = \"neon\""), "config.toml: theme \"neon\": use default, high-contrast or monochrome");
    }

    #[test]
    fn unknown_lang_is_an_error_with_the_fix() {
        assert_eq!(err("lang = \"de\""), "config.toml: lang \"de\": use sv or en");
    }

    #[test]
    fn unknown_top_level_key_is_an_error() {
        let err = err("thme = \"default\"");
        assert!(err.starts_with("config.toml: ") && err.contains("thme") && err.contains("theme"), "{err}");
    }

    #[test]
    fn unknown_view_field_is_an_error() {
        let err = err("[[views]]\nslot = 1\nname = \"x\"\nrisc = \"hog\"");
        assert!(err.contains("risc"), "{err}");
    }

    #[test]
    fn view_slot_out_of_range_is_an_error() {
        assert_eq!(err("[[views]]\nslot = 6\nname = \"x\""), "config.toml: [[views]] slot 6: use a slot from 1 to 5");
        assert!(err("[[views]]\nslot = 0\nname = \"x\"").contains("slot 0"));
    }

    #[test]
    fn duplicate_view_slot_is_an_error() {
        let err = err("[[views]]\nslot = 2\nname = \"a\"\n[[views]]\nslot = 2\nname = \"b\"");
        assert!(err.contains("slot 2: listed twice"), "{err}");
    }

    #[test]
    fn view_without_name_is_an_error() {
        assert!(err("[[views]]\nslot = 2").contains("name"));
        assert!(err("[[views]]\nslot = 2\nname = \" \"").contains("name is empty"));
    }

    #[test]
    fn key_error_names_the_config_table_and_action() {
        let err = err("[keys.list]\ndwn = [\"j\"]");
        assert!(err.starts_with("config.toml: keymap [keys.list] \"dwn\": unknown action; known: up, down"), "{err}");
    }

    #[test]
    fn key_override_in_config_keeps_other_defaults() {
        let config = Config::from_toml("[keys.global]\nquit = [\"ctrl-q\"]").unwrap();
        assert_eq!(config.keymap.first_key_label(Action::Quit).as_deref(), Some("C-q"));
        assert_eq!(config.keymap.keys_for(Action::Help), Keymap::default().keys_for(Action::Help));
    }

    #[test]
    fn blank_user_counts_as_unset() {
        assert_eq!(Config::from_toml("user = \"  \"").unwrap().user, None);
    }
}
