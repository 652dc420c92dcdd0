//! Colours and text styles. Users work over SSH in terminals that may only have the 16 ANSI
//! colours, or none (NO_COLOR), so every theme must stay readable on those: the default uses
//! only the 16 named colours, and meaning never rests on colour alone in monochrome.

use std::ffi::OsStr;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

/// The themes a user can pick in `config.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeName {
    /// The 16 ANSI colours.
    #[default]
    Default,
    /// White, black and yellow with bold and reversed text, for low vision or glare.
    HighContrast,
    /// No colours, only bold, reversed, underlined and dim.
    Monochrome,
}

/// A theme name that is not one of [`ThemeName::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown theme \"{0}\": use default, high-contrast or monochrome")]
pub struct UnknownTheme(pub String);

impl ThemeName {
    /// Every theme, in the order they are offered.
    pub const ALL: &'static [ThemeName] = &[ThemeName::Default, ThemeName::HighContrast, ThemeName::Monochrome];

    /// The name used in `config.toml`.
    pub fn id(self) -> &'static str {
        match self {
            ThemeName::Default => "default",
            ThemeName::HighContrast => "high-contrast",
            ThemeName::Monochrome => "monochrome",
        }
    }
}

impl FromStr for ThemeName {
    type Err = UnknownTheme;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ThemeName::ALL
            .iter()
            .copied()
            .find(|name| name.id().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownTheme(s.to_owned()))
    }
}

/// Whether the NO_COLOR convention (<https://no-color.org>) asks for no colours: the
/// variable is set and not empty.
pub fn no_color_from_env() -> bool {
    no_color_from(std::env::var_os("NO_COLOR").as_deref())
}

/// [`no_color_from_env`] on a given value, so it can be tested without touching the
/// process environment.
fn no_color_from(value: Option<&OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

/// The styles every screen draws with. Paint the whole frame with `base` first; the other
/// styles only set what differs from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Ordinary text.
    pub base: Style,
    /// Secondary text: hints, empty-list notes, dates in the past.
    pub muted: Style,
    /// Screen and pane titles.
    pub title: Style,
    /// Table header rows.
    pub header: Style,
    /// The highlighted row of a list or table.
    pub selected: Style,
    /// Key labels in the footer and help (`q`, `C-k`).
    pub footer_key: Style,
    /// What the footer keys do.
    pub footer_text: Style,
    /// The current tab.
    pub tab_active: Style,
    /// The other tabs.
    pub tab_inactive: Style,
    /// Transient status-line messages ("Saved").
    pub status: Style,
    /// Error messages.
    pub error: Style,
    /// Flags that need attention (missing consent, overdue).
    pub warning: Style,
    /// Flags that are in order.
    pub ok: Style,
    /// Pane borders.
    pub border: Style,
    /// The border of the pane that has focus.
    pub border_focused: Style,
    /// Masked sensitive text (identity numbers shown as `••••`).
    pub masked: Style,
    name: ThemeName,
    no_color: bool,
}

impl Default for Theme {
    /// The default theme with colours.
    fn default() -> Self {
        Theme::new(ThemeName::Default, false)
    }
}

impl Theme {
    /// The styles of `name`; with `no_color` every theme falls back to monochrome, because
    /// the user's terminal or wish rules out colour whatever theme the config names.
    pub fn new(name: ThemeName, no_color: bool) -> Theme {
        let mut theme = match (name, no_color) {
            (_, true) | (ThemeName::Monochrome, _) => monochrome(),
            (ThemeName::Default, false) => default_colours(),
            (ThemeName::HighContrast, false) => high_contrast(),
        };
        theme.name = name;
        theme.no_color = no_color;
        theme
    }

    /// The theme that was asked for.
    pub fn name(&self) -> ThemeName {
        self.name
    }

    /// Whether styles carry colour; without it, screens must mark state with symbols or
    /// words too (e.g. `!` before a warning flag), since bold alone is easy to miss.
    pub fn uses_colour(&self) -> bool {
        !self.no_color && self.name != ThemeName::Monochrome
    }
}

fn fg(color: Color) -> Style {
    Style::new().fg(color)
}

fn bold() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}

/// Named ANSI colours only, so the terminal's own palette decides the shades; text keeps
/// the terminal's foreground and background so light and dark schemes both work.
fn default_colours() -> Theme {
    Theme {
        base: Style::new(),
        muted: fg(Color::DarkGray),
        title: fg(Color::Cyan).add_modifier(Modifier::BOLD),
        header: bold().add_modifier(Modifier::UNDERLINED),
        selected: fg(Color::White).bg(Color::Blue).add_modifier(Modifier::BOLD),
        footer_key: fg(Color::Cyan).add_modifier(Modifier::BOLD),
        footer_text: Style::new(),
        tab_active: fg(Color::Black).bg(Color::Cyan).add_modifier(Modifier::BOLD),
        tab_inactive: Style::new(),
        status: fg(Color::Green),
        error: fg(Color::Red).add_modifier(Modifier::BOLD),
        warning: fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ok: fg(Color::Green),
        border: fg(Color::DarkGray),
        border_focused: fg(Color::Cyan),
        masked: fg(Color::DarkGray),
        name: ThemeName::Default,
        no_color: false,
    }
}

/// White on black with yellow for what matters; nothing is dimmed, since low contrast is
/// exactly what this theme is for.
fn high_contrast() -> Theme {
    let white = fg(Color::White);
    let on_yellow = fg(Color::Black).bg(Color::Yellow).add_modifier(Modifier::BOLD);
    Theme {
        base: white.bg(Color::Black),
        muted: white,
        title: fg(Color::Yellow).add_modifier(Modifier::BOLD),
        header: white.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        selected: on_yellow,
        footer_key: on_yellow,
        footer_text: white,
        tab_active: fg(Color::Black).bg(Color::White).add_modifier(Modifier::BOLD),
        tab_inactive: white,
        status: fg(Color::Yellow).add_modifier(Modifier::BOLD),
        error: on_yellow,
        warning: fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ok: white.add_modifier(Modifier::BOLD),
        border: white,
        border_focused: fg(Color::Yellow).add_modifier(Modifier::BOLD),
        masked: white,
        name: ThemeName::HighContrast,
        no_color: false,
    }
}

/// Modifiers only: reversed marks selection and errors, bold marks titles and warnings.
fn monochrome() -> Theme {
    let dim = Style::new().add_modifier(Modifier::DIM);
    let reversed = Style::new().add_modifier(Modifier::REVERSED);
    Theme {
        base: Style::new(),
        muted: dim,
        title: bold(),
        header: bold().add_modifier(Modifier::UNDERLINED),
        selected: reversed,
        footer_key: bold(),
        footer_text: Style::new(),
        tab_active: reversed.add_modifier(Modifier::BOLD),
        tab_inactive: Style::new(),
        status: bold(),
        error: reversed.add_modifier(Modifier::BOLD),
        warning: bold(),
        ok: Style::new(),
        border: dim,
        border_focused: bold(),
        masked: dim,
        name: ThemeName::Monochrome,
        no_color: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles(theme: &Theme) -> [(&'static str, Style); 16] {
        [
            ("base", theme.base),
            ("muted", theme.muted),
            ("title", theme.title),
            ("header", theme.header),
            ("selected", theme.selected),
            ("footer_key", theme.footer_key),
            ("footer_text", theme.footer_text),
            ("tab_active", theme.tab_active),
            ("tab_inactive", theme.tab_inactive),
            ("status", theme.status),
            ("error", theme.error),
            ("warning", theme.warning),
            ("ok", theme.ok),
            ("border", theme.border),
            ("border_focused", theme.border_focused),
            ("masked", theme.masked),
        ]
    }

    fn assert_colourless(theme: &Theme) {
        for (field, style) in styles(theme) {
            assert_eq!((style.fg, style.bg), (None, None), "{:?} {field}", theme.name());
        }
    }

    #[test]
    fn monochrome_theme_has_no_colours() {
        assert_colourless(&Theme::new(ThemeName::Monochrome, false));
    }

    #[test]
    fn no_color_theme_has_no_colours() {
        for name in ThemeName::ALL {
            let theme = Theme::new(*name, true);
            assert_colourless(&theme);
            assert!(!theme.uses_colour());
            assert_eq!(theme.name(), *name);
        }
    }

    #[test]
    fn default_theme_uses_only_the_16_ansi_colours() {
        for (field, style) in styles(&Theme::new(ThemeName::Default, false)) {
            for color in [style.fg, style.bg].into_iter().flatten() {
                assert!(!matches!(color, Color::Rgb(..) | Color::Indexed(_)), "{field}: {color:?}");
            }
        }
    }

    #[test]
    fn high_contrast_uses_only_white_black_and_yellow() {
        for (field, style) in styles(&Theme::new(ThemeName::HighContrast, false)) {
            for color in [style.fg, style.bg].into_iter().flatten() {
                assert!(matches!(color, Color::White | Color::Black | Color::Yellow), "{field}: {color:?}");
            }
        }
    }

    #[test]
    fn selected_row_and_errors_stand_out_in_every_theme() {
        for name in ThemeName::ALL {
            for no_color in [false, true] {
                let theme = Theme::new(*name, no_color);
                assert_ne!(theme.selected, theme.base, "{name:?} {no_color}");
                assert_ne!(theme.error, theme.base, "{name:?} {no_color}");
                assert_ne!(theme.tab_active, theme.tab_inactive, "{name:?} {no_color}");
            }
        }
    }

    #[test]
    fn theme_names_parse_from_config_ids() {
        assert_eq!("default".parse(), Ok(ThemeName::Default));
        assert_eq!("high-contrast".parse(), Ok(ThemeName::HighContrast));
        assert_eq!("Monochrome".parse(), Ok(ThemeName::Monochrome));
        for name in ThemeName::ALL {
            assert_eq!(name.id().parse(), Ok(*name));
        }
    }

    #[test]
    fn unknown_theme_name_error_lists_the_choices() {
        let err = "neon".parse::<ThemeName>().unwrap_err().to_string();
        assert_eq!(err, "unknown theme \"neon\": use default, high-contrast or monochrome");
    }

    #[test]
    fn no_color_needs_a_non_empty_value() {
        assert!(!no_color_from(None));
        assert!(!no_color_from(Some(OsStr::new(""))));
        assert!(no_color_from(Some(OsStr::new("1"))));
        assert!(no_color_from(Some(OsStr::new("0"))));
    }
}
