//! Every screen, drawn into a test terminal at 80x24 and 120x40 in both languages, from a
//! fixed-seed demo store on a fixed day. Review a changed snapshot by reading it before
//! accepting it; CI runs with INSTA_UPDATE=no.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use sluss::demo::{DemoOptions, generate};
use sluss::i18n::Lang;
use sluss::store::Store;
use sluss::tui::config::SavedView;
use sluss::tui::keymap::Keymap;
use sluss::tui::theme::{Theme, ThemeName};
use sluss::tui::{App, AppOptions, ui};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];
const LANGS: [(Lang, &str); 2] = [(Lang::Sv, "sv"), (Lang::En, "en")];

fn app(lang: Lang, size: (u16, u16)) -> App {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let mut store = Store::in_memory().unwrap();
    generate(&mut store, &DemoOptions { clients: 60, seed: 1, today }, &mut |_, _| {}).unwrap();
    let opts = AppOptions {
        lang,
        today,
        theme: Theme::new(ThemeName::Default, true),
        keymap: Keymap::default(),
        views: SavedView::defaults(),
        user: None,
        idle_lock: None,
        privacy_needs_passphrase: false,
    };
    App::new(store, opts, size).unwrap()
}

fn keys(app: &mut App, keys: &[KeyEvent]) {
    for k in keys {
        app.handle_key(*k);
    }
}

fn ch(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn text(s: &str) -> Vec<KeyEvent> {
    s.chars().map(ch).collect()
}

fn draw(app: &App) -> String {
    let (w, h) = app.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::render(app, f)).unwrap();
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..h {
        let line: String = (0..w).map(|x| buffer[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The screens, each as the keys that lead to it from the start.
fn screens() -> Vec<(&'static str, Vec<KeyEvent>)> {
    let mut jump = vec![KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL)];
    jump.extend(text("demo"));
    let mut v: Vec<(&'static str, Vec<KeyEvent>)> = vec![
        ("today", vec![]),
        ("radar", text("2")),
        ("first_weeks", text("3")),
        ("consent", text("4")),
        ("need_gaps", text("5")),
        ("supervision_ending", text("6")),
        ("my_actions", text("7")),
        ("clients", text("8")),
        ("clients_filtered", [text("8/demo"), vec![code(KeyCode::Enter)]].concat()),
        ("calendar", text("9")),
        ("calendar_month", text("9m")),
        ("directory", text("0")),
        ("follow_up", text("F")),
        ("follow_up_by_office", text("Fs")),
        ("conflicts_none", text("C")),
        ("help", text("8?")),
        ("palette", text(":sam")),
        ("jump", jump),
        (
            "quick_note",
            [
                text("8"),
                vec![code(KeyCode::Enter), KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)],
                text("Ringde om bostaden"),
            ]
            .concat(),
        ),
    ];
    let tabs = ["ws_overview", "ws_needs", "ws_interventions", "ws_plan", "ws_meetings", "ws_consent", "ws_notes"];
    for (i, name) in tabs.iter().enumerate() {
        let mut k = text("2");
        k.push(code(KeyCode::Enter));
        k.extend(std::iter::repeat_n(ch('l'), i));
        v.push((name, k));
    }
    v
}

#[test]
fn every_screen_in_both_languages_and_sizes() {
    for (lang, lang_name) in LANGS {
        for size in SIZES {
            for (name, path) in screens() {
                let mut app = app(lang, size);
                keys(&mut app, &path);
                // What waits for the next idle moment (the Follow-up screen's reading) runs.
                app.tick().unwrap();
                let snapshot = format!("{name}_{lang_name}_{}x{}", size.0, size.1);
                insta::assert_snapshot!(snapshot, draw(&app));
            }
        }
    }
}

#[test]
fn the_history_tab_with_times_and_machines_masked() {
    let mut app = app(Lang::Sv, (80, 24));
    let mut k = text("2");
    k.push(code(KeyCode::Enter));
    k.extend(text("h"));
    keys(&mut app, &k);
    insta::with_settings!({filters => vec![
        // Change times are wall-clock times; lines start with them.
        (r"(?m)^\d{4}-\d{2}-\d{2} \d{2}:\d{2} ", "[tid] "),
        (r"@[0-9a-f]{6}", "@[dator]"),
    ]}, {
        insta::assert_snapshot!("ws_history_sv_80x24", draw(&app));
    });
}

/// Every form, new and empty, on a client from the radar: what a caseworker sees first.
#[test]
fn every_form_in_both_languages() {
    for (lang, lang_name) in LANGS {
        for size in SIZES {
            for kind in sluss::forms::FormKind::ALL {
                let mut app = app(lang, size);
                keys(&mut app, &[ch('2'), code(KeyCode::Enter)]);
                app.open_form(*kind, None, Some("parent".to_owned())).unwrap();
                let name = serde_json::to_value(kind).unwrap().as_str().unwrap().to_owned();
                insta::assert_snapshot!(format!("form_{name}_{lang_name}_{}x{}", size.0, size.1), draw(&app));
            }
        }
    }
}

/// A refused save shows every problem, names the field and says how to fix it.
#[test]
fn a_refused_client_form_and_an_open_picker() {
    let mut app = app(Lang::Sv, (80, 24));
    keys(&mut app, &[ch('N')]);
    keys(&mut app, &text("Test"));
    keys(&mut app, &[code(KeyCode::Tab), code(KeyCode::Tab)]);
    keys(&mut app, &text("19800101-1234"));
    keys(&mut app, &[KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)]);
    insta::assert_snapshot!("form_client_refused_sv_80x24", draw(&app));
    keys(&mut app, &[code(KeyCode::Tab), code(KeyCode::Enter)]);
    insta::assert_snapshot!("form_client_picker_sv_80x24", draw(&app));
}

/// The Audit screen on one client, with clock times, the user and the machine masked.
#[test]
fn the_audit_screen_on_a_client() {
    let mut app = app(Lang::Sv, (80, 24));
    keys(&mut app, &[text("2"), vec![code(KeyCode::Enter)], text("rA")].concat());
    let user = regex_escape(&sluss::store::audit::current_user());
    insta::with_settings!({filters => vec![
        (r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[tid]           "),
        (r"…[0-9a-f]{6}", "…[dator]"),
        // The user's name fills its column whatever its length, so the snapshot is the same for everyone.
        (&format!(r"\b{user} *") as &str, "[jag]        "),
    ]}, {
        insta::assert_snapshot!("audit_client_sv_80x24", draw(&app));
    });
}

fn regex_escape(text: &str) -> String {
    text.chars().map(|c| if c.is_alphanumeric() { c.to_string() } else { format!("\\{c}") }).collect()
}
