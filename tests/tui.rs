//! The interface's update logic, driven by keys as a user would, on a fixed demo store.

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sluss::demo::{DemoOptions, generate};
use sluss::i18n::Lang;
use sluss::store::Store;
use sluss::store::views::{ClientQuery, ClientRow};
use sluss::tui::app::{Screen, Tab};
use sluss::tui::config::SavedView;
use sluss::tui::keymap::Keymap;
use sluss::tui::theme::{Theme, ThemeName};
use sluss::tui::{App, AppOptions};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn app_with(clients: usize, size: (u16, u16), lang: Lang) -> App {
    let mut store = Store::in_memory().unwrap();
    generate(&mut store, &DemoOptions { clients, seed: 1, today: today() }, &mut |_, _| {}).unwrap();
    let opts = AppOptions {
        lang,
        today: today(),
        theme: Theme::new(ThemeName::Default, true),
        keymap: Keymap::default(),
        views: SavedView::defaults(),
        user: None,
        idle_lock: None,
        privacy_needs_passphrase: false,
    };
    App::new(store, opts, size).unwrap()
}

fn app() -> App {
    app_with(60, (80, 24), Lang::Sv)
}

fn press(app: &mut App, keys: &str) {
    for c in keys.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn clients(app: &App) -> &sluss::tui::app::ClientsScreen {
    match &app.screen {
        Screen::Clients(s) => s,
        other => panic!("expected the client list, got {other:?}"),
    }
}

fn all_clients(app: &App, query: &ClientQuery) -> Vec<ClientRow> {
    app.store.client_page(query, today(), None, 100_000).unwrap()
}

#[test]
fn digits_switch_screens_and_esc_goes_back_to_where_a_client_was_opened_from() {
    let mut app = app();
    assert!(matches!(app.screen, Screen::Today(_)));
    press(&mut app, "8");
    assert!(matches!(app.screen, Screen::Clients(_)));
    press(&mut app, "2");
    assert!(matches!(app.screen, Screen::Dashboard(_)));
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Workspace(_)));
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Dashboard(_)), "Esc returns to where the client was opened from");
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Today(_)), "a top-level screen goes back to Today, not through history");
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Today(_)));
    press(&mut app, "q");
    assert!(app.quit);
}

#[test]
fn moving_through_the_client_list_pages_by_keyset_without_gaps_or_repeats() {
    // 24 rows of terminal leave 18 list rows; 150 clients need several pages.
    let mut app = app_with(150, (80, 24), Lang::Sv);
    press(&mut app, "8");
    let expected = all_clients(&app, &ClientQuery::default());
    let mut seen = Vec::new();
    for _ in 0..expected.len() + 5 {
        let s = clients(&app);
        let id = s.rows[s.selected].id.clone();
        if seen.last() != Some(&id) {
            seen.push(id);
        }
        press(&mut app, "j");
    }
    let want: Vec<String> = expected.iter().map(|r| r.id.clone()).collect();
    assert_eq!(seen, want, "walking down one row at a time visits every client once, in order");

    press(&mut app, "g");
    assert_eq!(clients(&app).rows[0].id, want[0], "g goes to the first row");
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::PageDown);
    key(&mut app, KeyCode::PageUp);
    let s = clients(&app);
    let first = want.iter().position(|id| *id == s.rows[0].id).unwrap();
    let window: Vec<String> = s.rows.iter().map(|r| r.id.clone()).collect();
    assert_eq!(window, want[first..first + window.len()], "a page window is contiguous");

    press(&mut app, "G");
    let s = clients(&app);
    assert_eq!(s.rows[s.selected].id, *want.last().unwrap(), "G selects the last client");
    press(&mut app, "k");
    let s = clients(&app);
    assert_eq!(s.rows[s.selected].id, want[want.len() - 2]);
}

#[test]
fn typing_a_filter_narrows_the_list_as_you_type_and_esc_clears_it() {
    let mut app = app();
    press(&mut app, "8");
    let total = clients(&app).rows.len();
    let target = clients(&app).rows.iter().find(|r| !r.protected).unwrap().clone();
    press(&mut app, "/");
    press(&mut app, &target.last_name[..4]);
    let narrowed = clients(&app).rows.clone();
    assert!(narrowed.len() < total, "fewer rows after typing");
    assert!(narrowed.iter().any(|r| r.id == target.id), "the client typed for is still there");
    assert!(narrowed.iter().all(|r| r.last_name.starts_with(&target.last_name[..4])
        || r.first_name.starts_with(&target.last_name[..4])
        || r.municipality.as_deref().is_some_and(|m| m.starts_with(&target.last_name[..4]))));
    key(&mut app, KeyCode::Esc);
    assert!(clients(&app).query.text.is_empty());
    assert_eq!(clients(&app).rows.len(), total);
    assert!(!clients(&app).editing, "Esc leaves the filter field");
}

#[test]
fn the_phase_filter_keeps_only_clients_in_that_phase() {
    let mut app = app_with(200, (80, 24), Lang::Sv);
    press(&mut app, "8");
    press(&mut app, "pp");
    let s = clients(&app);
    let phase = s.query.phase.expect("a phase filter is set");
    let expected: Vec<_> = all_clients(&app, &ClientQuery::default())
        .into_iter()
        .filter(|r| r.phase(today()) == phase)
        .map(|r| r.id)
        .collect();
    assert!(!expected.is_empty());
    let filtered: Vec<_> = all_clients(&app, &s.query.clone()).into_iter().map(|r| r.id).collect();
    assert_eq!(filtered, expected, "SQL phase filter agrees with the timeline engine");
    press(&mut app, "x");
    assert_eq!(clients(&app).query.phase, None);
}

#[test]
fn every_phase_filter_agrees_with_the_timeline_engine() {
    let app = app_with(300, (80, 24), Lang::Sv);
    let everyone = all_clients(&app, &ClientQuery::default());
    for phase in sluss::domain::timeline::Phase::ALL {
        let q = ClientQuery { phase: Some(*phase), ..ClientQuery::default() };
        let got: Vec<_> = all_clients(&app, &q).into_iter().map(|r| r.id).collect();
        let want: Vec<_> = everyone.iter().filter(|r| r.phase(today()) == *phase).map(|r| r.id.clone()).collect();
        assert_eq!(got, want, "{phase:?}");
    }
}

#[test]
fn enter_on_a_dashboard_row_opens_that_client_at_the_relevant_tab() {
    let mut app = app();
    press(&mut app, "4");
    let Screen::Dashboard(d) = &app.screen else { panic!() };
    let id = d.rows[0].client.id.clone();
    key(&mut app, KeyCode::Enter);
    let Screen::Workspace(w) = &app.screen else { panic!("expected the workspace") };
    assert_eq!(w.row.id, id);
    assert_eq!(w.tab, Tab::Consent);
    press(&mut app, "l");
    let Screen::Workspace(w) = &app.screen else { panic!() };
    assert_eq!(w.tab, Tab::Notes);
    press(&mut app, "l");
    let Screen::Workspace(w) = &app.screen else { panic!() };
    assert_eq!(w.tab, Tab::History);
    assert!(w.history.as_ref().is_some_and(|h| !h.is_empty()), "history is read from the change log");
}

#[test]
fn the_palette_runs_what_is_typed() {
    let mut app = app();
    press(&mut app, ":klient");
    key(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none());
    assert!(matches!(app.screen, Screen::Clients(_)));
}

#[test]
fn quick_jump_finds_a_client_by_a_few_letters_from_anywhere() {
    let mut app = app();
    press(&mut app, "9");
    let target = all_clients(&app, &ClientQuery::default()).into_iter().find(|r| !r.protected).unwrap();
    app.handle_key(KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL));
    press(&mut app, &format!("{} {}", &target.first_name, &target.last_name[..5]));
    key(&mut app, KeyCode::Enter);
    let Screen::Workspace(w) = &app.screen else { panic!("expected the workspace") };
    assert_eq!(w.row.id, target.id);
}

#[test]
fn a_number_typed_with_ten_digits_finds_the_client() {
    let app = app();
    let target = all_clients(&app, &ClientQuery::default()).into_iter().find(|r| !r.protected).unwrap();
    let d = target.id_number.clone().unwrap();
    let ten = format!("{}-{}", &d[2..8], &d[8..]);
    let found = all_clients(&app, &ClientQuery { text: ten, ..ClientQuery::default() });
    assert_eq!(found.iter().map(|r| &r.id).collect::<Vec<_>>(), [&target.id]);
}

#[test]
fn a_protected_identity_is_not_found_by_its_real_name() {
    let app = app_with(300, (80, 24), Lang::Sv);
    let protected: Vec<ClientRow> =
        all_clients(&app, &ClientQuery::default()).into_iter().filter(|r| r.protected).collect();
    assert!(!protected.is_empty(), "the demo has protected identities");
    for p in protected {
        let by_name = ClientQuery { text: format!("{} {}", p.first_name, p.last_name), ..ClientQuery::default() };
        assert!(all_clients(&app, &by_name).iter().all(|r| r.id != p.id), "found by real name");
        let by_alias = ClientQuery { text: p.alias.clone().unwrap(), ..ClientQuery::default() };
        assert!(all_clients(&app, &by_alias).iter().any(|r| r.id == p.id), "not found by alias");
        // Nor by where they live: a municipality would narrow a Skyddad client down.
        let town = p.municipality.clone().expect("demo clients have a municipality");
        let by_town = ClientQuery { text: town, ..ClientQuery::default() };
        assert!(all_clients(&app, &by_town).iter().all(|r| r.id != p.id), "found by municipality");
        let digits = p.id_number.clone().expect("demo clients have a number");
        let by_number = ClientQuery { text: digits[2..].to_owned(), ..ClientQuery::default() };
        assert!(all_clients(&app, &by_number).iter().all(|r| r.id != p.id), "found by number");
        assert_ne!(p.display_name(), format!("{}, {}", p.last_name, p.first_name));
    }
}

#[test]
fn an_unbound_key_says_how_to_get_help() {
    let mut app = app();
    press(&mut app, "Z");
    assert!(app.status.as_deref().is_some_and(|s| s.contains('?')), "{:?}", app.status);
}

#[test]
fn esc_and_a_key_arriving_together_close_the_overlay_and_run_the_key() {
    let mut app = app();
    press(&mut app, "?");
    assert!(app.overlay.is_some());
    app.handle_key(KeyEvent::new(KeyCode::Char('8'), KeyModifiers::ALT));
    assert!(app.overlay.is_none());
    assert!(matches!(app.screen, Screen::Clients(_)));
}

#[test]
fn saved_views_apply_their_filters() {
    let mut app = app();
    press(&mut app, "8");
    app.handle_key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT));
    let s = clients(&app);
    assert_eq!(s.view_name.as_deref(), Some("Hög risk"));
    assert!(s.rows.iter().all(|r| r.risk == Some(sluss::domain::enums::RiskLevel::Hog)));
    assert!(!s.rows.is_empty());
}

#[test]
fn the_radar_horizon_cycles_with_tab() {
    let mut app = app();
    press(&mut app, "2");
    let count = |app: &App| match &app.screen {
        Screen::Dashboard(d) => d.rows.len(),
        _ => panic!(),
    };
    let thirty = count(&app);
    key(&mut app, KeyCode::Tab);
    let ninety = count(&app);
    assert!(ninety >= thirty);
    let Screen::Dashboard(d) = &app.screen else { panic!() };
    assert_eq!(d.kind, sluss::dashboard::ClientDashboard::ReleaseRadar(90));
}

#[test]
fn the_directory_filters_organisations_as_you_type() {
    let mut app = app();
    press(&mut app, "0");
    let Screen::Directory(d) = &app.screen else { panic!("expected the directory") };
    let all = d.orgs.len();
    press(&mut app, "/krono");
    let Screen::Directory(d) = &app.screen else { panic!() };
    assert_eq!(d.orgs.len(), 1, "{:?}", d.orgs.iter().map(|o| &o.name).collect::<Vec<_>>());
    assert_eq!(d.orgs[0].name, "Kronofogden");
    assert!(!d.contacts.is_empty(), "the contacts of the organisation left are shown");
    key(&mut app, KeyCode::Esc);
    let Screen::Directory(d) = &app.screen else { panic!() };
    assert_eq!(d.orgs.len(), all);

    // A contact person's name or phone finds their organisation.
    let person = d.contacts[0].clone();
    let org = d.orgs[d.pager.selected].name.clone();
    let first = person.name.split(' ').next().unwrap().to_lowercase();
    press(&mut app, &format!("/{first}"));
    let Screen::Directory(d) = &app.screen else { panic!() };
    assert!(d.orgs.iter().any(|o| o.name == org), "{first} finds {org}");
    assert!(d.orgs.len() < all);
    key(&mut app, KeyCode::Esc);
    let phone = person.phone.clone().unwrap();
    press(&mut app, &format!("/{}", &phone[..7]));
    let Screen::Directory(d) = &app.screen else { panic!() };
    assert!(d.orgs.iter().any(|o| o.name == org), "{phone} finds {org}");
}

#[test]
fn y_copies_a_contacts_phone_from_the_directory_and_a_clients_number_with_an_audit_entry() {
    let mut app = app();
    press(&mut app, "0/krono");
    key(&mut app, KeyCode::Enter);
    press(&mut app, "y");
    assert!(app.clipboard.is_none(), "with the organisations focused there is nothing to copy");
    assert!(app.status.as_deref().unwrap_or_default().contains("Tab"), "{:?}", app.status);
    key(&mut app, KeyCode::Tab);
    press(&mut app, "y");
    let Screen::Directory(d) = &app.screen else { panic!("expected the directory") };
    let phone = d.contacts[0].phone.clone().expect("demo contacts have phones");
    assert_eq!(app.clipboard.take().map(|c| c.to_string()), Some(phone));
    key(&mut app, KeyCode::Enter);
    match &app.overlay {
        Some(sluss::tui::app::Overlay::Form(f)) => assert_eq!(f.form.kind, sluss::forms::FormKind::Contact),
        other => panic!("Enter on a contact edits it, got {other:?}"),
    }

    let mut app = sluss_app_on_client();
    let before = client_audit(&app).len();
    press(&mut app, "y");
    let Screen::Workspace(w) = &app.screen else { panic!("expected the workspace") };
    let digits = w.row.id_number.clone().unwrap();
    assert_eq!(app.clipboard.take().map(|c| c.to_string()), Some(format!("{}-{}", &digits[..8], &digits[8..])));
    let entries = client_audit(&app);
    assert_eq!(entries.len(), before + 1, "copying the number is logged like revealing it");
    assert_eq!(entries[0].kind, sluss::domain::enums::AuditAction::RevealId);

    // In the client list, the selected row's number.
    let mut app = self::app();
    press(&mut app, "8jy");
    let row = clients(&app).rows[1].clone();
    let digits = row.id_number.clone().unwrap();
    assert_eq!(app.clipboard.take().map(|c| c.to_string()), Some(format!("{}-{}", &digits[..8], &digits[8..])));
}

#[test]
fn esc_from_a_clients_audit_log_returns_to_the_client_and_p_shows_the_plan_before_writing_it() {
    let mut app = sluss_app_on_client();
    press(&mut app, "A");
    assert!(matches!(app.screen, Screen::Audit(_)));
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Workspace(_)), "back on the client, not {:?}", app.screen);
    // On another tab, p goes to the Plan tab and writes nothing yet.
    press(&mut app, "p");
    let Screen::Workspace(w) = &app.screen else { panic!() };
    assert_eq!(w.tab, Tab::Plan);
    assert!(app.status.as_deref().unwrap_or_default().contains("p igen"), "{:?}", app.status);
}

#[test]
fn slash_and_y_where_they_do_nothing_say_where_they_work() {
    let mut app = app();
    press(&mut app, "/");
    assert!(app.status.as_deref().unwrap_or_default().contains("2–9"), "{:?}", app.status);
    press(&mut app, "2y");
    assert!(app.status.as_deref().unwrap_or_default().contains("kopierar"), "{:?}", app.status);
    assert!(app.clipboard.is_none());
}

#[test]
fn esc_on_a_searched_list_clears_the_search_before_leaving() {
    let mut app = app();
    press(&mut app, "4");
    let Screen::Dashboard(d) = &app.screen else { panic!() };
    let everyone = d.rows.len();
    press(&mut app, "/zz");
    key(&mut app, KeyCode::Enter);
    let Screen::Dashboard(d) = &app.screen else { panic!() };
    assert!(d.rows.len() < everyone);
    key(&mut app, KeyCode::Esc);
    let Screen::Dashboard(d) = &app.screen else { panic!("the first Esc stays: {:?}", app.screen) };
    assert_eq!((d.rows.len(), d.filter.text.as_str()), (everyone, ""));
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Today(_)), "the second Esc leaves");
}

/// The app with the first unprotected client that has an identity number open.
fn sluss_app_on_client() -> App {
    let mut app = app();
    let client = all_clients(&app, &ClientQuery::default())
        .into_iter()
        .find(|c| !c.protected && c.id_number.is_some())
        .expect("the demo has such a client");
    app.open_client(&client.id, Tab::Overview).unwrap();
    app
}

fn client_audit(app: &App) -> Vec<sluss::store::audit::AuditRow> {
    let Some((id, _)) = &app.current_client else { panic!("no client open") };
    let filter = sluss::store::audit::AuditFilter { client: Some(id.clone()), ..Default::default() };
    app.store.audit_entries(&filter, 0, 100).unwrap().into_iter().filter(|r| r.change.is_none()).collect()
}

#[test]
fn slash_searches_a_dashboard_and_the_calendar_by_client_and_esc_brings_everyone_back() {
    let mut app = app_with(200, (80, 24), Lang::Sv);
    press(&mut app, "4");
    let Screen::Dashboard(d) = &app.screen else { panic!("expected the consent dashboard") };
    let everyone = d.rows.len();
    // Searched by real name: a protected identity is found by its alias only.
    let wanted = d.rows.iter().rev().find(|r| !r.client.protected).unwrap().client.last_name.clone();
    press(&mut app, &format!("/{wanted}"));
    let Screen::Dashboard(d) = &app.screen else { panic!() };
    assert!(!d.rows.is_empty() && d.rows.len() < everyone, "{} of {everyone}", d.rows.len());
    assert!(d.rows.iter().all(|r| r.client.last_name == wanted), "only clients the search finds");
    let found = d.rows.len();
    key(&mut app, KeyCode::Enter);
    press(&mut app, "j");
    let Screen::Dashboard(d) = &app.screen else { panic!() };
    assert_eq!(d.rows.len(), found, "Enter keeps the search while moving in the rows");
    press(&mut app, "/");
    key(&mut app, KeyCode::Esc);
    let Screen::Dashboard(d) = &app.screen else { panic!() };
    assert_eq!(d.rows.len(), everyone, "Esc while typing clears the search");

    press(&mut app, "9m");
    let Screen::Calendar(c) = &app.screen else { panic!("expected the calendar") };
    let everyone = c.meetings.len();
    let name = c.meetings.iter().find_map(|m| m.client_name.clone()).expect("a meeting this month");
    let last = name.split(',').next().unwrap().to_owned();
    press(&mut app, &format!("/{last}"));
    let Screen::Calendar(c) = &app.screen else { panic!() };
    assert!(!c.meetings.is_empty() && c.meetings.len() <= everyone);
    assert!(c.meetings.iter().all(|m| m.client_name.as_deref().is_some_and(|n| n.starts_with(&last))));
    key(&mut app, KeyCode::Esc);
    let Screen::Calendar(c) = &app.screen else { panic!() };
    assert_eq!(c.meetings.len(), everyone, "Esc while typing clears the search");
}

/// The app drawn into an off-screen terminal of `size`, line by line.
fn screen_lines(app: &App, (w, h): (u16, u16)) -> Vec<String> {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| sluss::tui::ui::render(app, f)).unwrap();
    let buffer = terminal.backend().buffer();
    (0..h).map(|y| (0..w).map(|x| buffer[(x, y)].symbol().to_owned()).collect()).collect()
}

/// Opens the first client of the release radar (`2`, Enter) and returns its row.
fn open_radar_client(app: &mut App) -> ClientRow {
    press(app, "2");
    key(app, KeyCode::Enter);
    let Screen::Workspace(w) = &app.screen else { panic!("expected a workspace") };
    w.row.clone()
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

#[test]
fn a_quick_note_is_two_keys_around_the_text_and_lands_in_the_journal() {
    let mut app = app();
    ctrl(&mut app, 'n');
    assert!(app.overlay.is_none(), "no client yet");
    assert!(app.status.as_deref().is_some_and(|s| s.contains("Ctrl-k")), "{:?}", app.status);

    press(&mut app, "8");
    key(&mut app, KeyCode::Enter);
    let Screen::Workspace(w) = &app.screen else { panic!() };
    let client = w.row.id.clone();
    press(&mut app, "1");
    ctrl(&mut app, 'n');
    assert!(app.overlay.is_some(), "the note opens from any screen for the client last opened");
    press(&mut app, "Ringde om bostaden");
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    press(&mut app, "Ny tid bokas");
    ctrl(&mut app, 's');
    assert!(app.overlay.is_none());
    let (text, author, at): (String, String, String) = app
        .store
        .conn()
        .query_row(
            "SELECT text, author, at FROM note WHERE client_id = ?1 ORDER BY rowid DESC LIMIT 1",
            [&client],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(text, "Ringde om bostaden\nNy tid bokas");
    assert_eq!(author, sluss::store::audit::current_user());
    assert_eq!(at.len(), 16, "timestamped to the minute: {at}");
    let logged: i64 = app
        .store
        .conn()
        .query_row("SELECT count(*) FROM change_log WHERE entity = 'note' AND value LIKE '%Ny tid bokas%'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(logged, 1, "the note went through the write path");
}

#[test]
fn a_note_is_not_lost_by_one_esc_and_an_empty_note_is_not_saved() {
    let mut app = app();
    press(&mut app, "8");
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'n');
    ctrl(&mut app, 's');
    assert!(app.overlay.is_some(), "an empty note is refused, the editor stays");
    press(&mut app, "Viktigt");
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_some(), "one Esc asks first");
    press(&mut app, "!");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none(), "two Esc discard");
}

#[test]
fn control_characters_are_stripped_from_notes() {
    assert_eq!(sluss::forms::clean_text("  a\u{1b}[31mb\nc\t "), "a[31mb\nc");
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

/// Export from the palette's prompt with a passphrase, import it on another replica the
/// same way, edit one field on both, exchange again: both show the conflict, one resolves it
/// with a key, and after the next exchange neither has it.
#[test]
fn export_import_prompts_and_a_conflict_resolved_on_one_replica_closes_on_both() {
    use sluss::store::ChangeSet;
    let dir = tempfile::tempdir().unwrap();
    let mut a = app_with(5, (100, 30), Lang::Sv);
    let store_b = Store::in_memory().unwrap();
    let mut b = App::new(store_b, a.opts.clone(), (100, 30)).unwrap();
    let mut n = 0;
    let mut exchange = |from: &mut App, to: &mut App| {
        n += 1;
        let file = dir.path().join(format!("b{n}.bundle"));
        let path = file.to_str().unwrap().to_owned();
        ctrl(from, 'e');
        ctrl(from, 'u');
        type_text(from, &path);
        key(from, KeyCode::Enter);
        type_text(from, "kort");
        key(from, KeyCode::Enter);
        assert!(from.overlay.is_some(), "a short passphrase is refused and the prompt stays");
        ctrl(from, 'u');
        type_text(from, "en lång lösenfras");
        key(from, KeyCode::Enter);
        type_text(from, "en lång lösenfras");
        key(from, KeyCode::Enter);
        from.tick().unwrap();
        assert!(from.status.as_deref().unwrap_or_default().starts_with("Exporterade"), "{:?}", from.status);
        assert!(file.exists());
        ctrl(to, 'o');
        type_text(to, &path);
        key(to, KeyCode::Enter);
        type_text(to, "en lång lösenfras");
        key(to, KeyCode::Enter);
        to.tick().unwrap();
        assert!(to.status.as_deref().unwrap_or_default().starts_with("Importerade"), "{:?}", to.status);
    };
    exchange(&mut a, &mut b);
    let client = a.store.client_ids().unwrap()[0].clone();
    for (app, language) in [(&mut a, "arabiska"), (&mut b, "somaliska")] {
        let mut cs = ChangeSet::new();
        cs.update("client", &client).set("language", language);
        app.store.apply("test", &cs).unwrap();
    }
    exchange(&mut a, &mut b);
    exchange(&mut b, &mut a);
    for app in [&mut a, &mut b] {
        press(app, "C");
        assert_eq!(app.conflict_count, 1, "the conflict shows on both replicas");
        let Screen::Conflicts(s) = &app.screen else { panic!("expected the Conflicts screen") };
        assert_eq!(s.rows.len(), 1);
        // Both replicas show the same value until it is resolved, and say which.
        let winner = match s.rows[0].0.winner().value.as_str() {
            Some(v) => v.to_owned(),
            None => panic!("a text value"),
        };
        let marked: Vec<String> =
            screen_lines(app, (120, 30)).into_iter().filter(|l| l.contains("← gäller nu")).collect();
        assert!(marked.len() == 1 && marked[0].contains(&winner), "{marked:?}");
    }
    press(&mut b, "m");
    assert_eq!(b.conflict_count, 0);
    assert_eq!(b.store.row_values("client", &client).unwrap().unwrap()["language"], "somaliska");
    exchange(&mut b, &mut a);
    assert_eq!(a.conflict_count, 0, "resolved on one, closed on both after the next exchange");
    assert_eq!(a.store.row_values("client", &client).unwrap().unwrap()["language"], "somaliska");
}

/// The import prompt asks only for what opens the file: a plain bundle is imported right
/// after its name, a file that is no bundle is refused at its name with nothing imported,
/// and one encrypted to an age key, with no key file configured, says what to set.
#[test]
fn the_import_prompt_asks_only_for_what_opens_the_bundle() {
    use sluss::sync::{Encryption, ExportOptions, export};
    use sluss::tui::app::Overlay;
    use sluss::tui::sync_prompt::SyncStage;
    let dir = tempfile::tempdir().unwrap();
    let mut from = app_with(3, (100, 30), Lang::Sv);
    let export_as = |from: &mut App, name: &str, encryption: Encryption| {
        let path = dir.path().join(name);
        let opts = ExportOptions { to: None, all: true, for_org: None, encryption, today: today() };
        export(&mut from.store, &path, &opts).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let plain = export_as(&mut from, "plain.bundle", Encryption::None);
    let to_key =
        export_as(&mut from, "key.bundle", Encryption::Recipients(vec![age::x25519::Identity::generate().to_public()]));
    let not_a_bundle = dir.path().join("notes.txt");
    std::fs::write(&not_a_bundle, "inköpslista\n").unwrap();

    let mut to = App::new(Store::in_memory().unwrap(), from.opts.clone(), (100, 30)).unwrap();
    let open_file = |to: &mut App, path: &str| {
        ctrl(to, 'o');
        ctrl(to, 'u');
        type_text(to, path);
        key(to, KeyCode::Enter);
    };
    let prompt = |to: &App| match &to.overlay {
        Some(Overlay::Sync(p)) => Some((p.stage.clone(), p.problem.clone().unwrap_or_default())),
        _ => None,
    };

    open_file(&mut to, not_a_bundle.to_str().unwrap());
    to.tick().unwrap();
    let (stage, problem) = prompt(&to).expect("the prompt comes back");
    assert_eq!(stage, SyncStage::Path, "{problem}");
    assert!(problem.starts_with("Inget importerades: "), "{problem}");
    assert!(problem.contains("notes.txt är ingen sluss-fil"), "in Swedish: {problem}");
    assert!(to.store.client_ids().unwrap().is_empty());
    key(&mut to, KeyCode::Esc);

    // A folder, or a file that is not there, is named in the refusal.
    let folder = dir.path().to_str().unwrap().to_owned();
    for (typed, said) in [
        (folder.clone(), format!("{folder} är en mapp")),
        (format!("{folder}/borta.bundle"), format!("Filen finns inte: {folder}/borta.bundle")),
    ] {
        open_file(&mut to, &typed);
        let (stage, problem) = prompt(&to).expect("the prompt stays");
        assert_eq!(stage, SyncStage::Path);
        assert!(problem.starts_with(&said), "{problem}");
        key(&mut to, KeyCode::Esc);
    }

    open_file(&mut to, &plain);
    assert!(prompt(&to).is_none(), "no passphrase is asked for a plain bundle");
    to.tick().unwrap();
    assert!(to.status.as_deref().unwrap_or_default().starts_with("Importerade"), "{:?}", to.status);
    assert_eq!(to.store.client_ids().unwrap(), from.store.client_ids().unwrap());

    // Only meaningful where this machine's sync.toml names no key file (as on CI).
    if sluss::sync::crypto::SyncConfig::load().is_ok_and(|c| c.identity.is_none()) {
        open_file(&mut to, &to_key);
        let (stage, problem) = prompt(&to).expect("the prompt stays");
        assert_eq!(stage, SyncStage::Path);
        assert!(problem.contains("identity i sync.toml"), "{problem}");
    }
}

/// Opening a client and revealing the identity number each leave an entry, found on the
/// Audit screen opened from that client; the reveal lasts until the client is left.
#[test]
fn opening_and_revealing_are_audited_and_shown_on_the_audit_screen() {
    use sluss::domain::enums::AuditAction;
    let mut app = app();
    press(&mut app, "2");
    key(&mut app, KeyCode::Enter);
    let Screen::Workspace(w) = &app.screen else { panic!("expected a workspace") };
    assert!(!w.revealed);
    let client = w.row.id.clone();
    press(&mut app, "r");
    let Screen::Workspace(w) = &app.screen else { panic!("expected a workspace") };
    assert!(w.revealed, "r reveals");
    press(&mut app, "A");
    let Screen::Audit(s) = &app.screen else { panic!("expected the Audit screen") };
    let kinds: Vec<AuditAction> = s.rows.iter().map(|(r, _)| r.kind).collect();
    assert_eq!(&kinds[..2], &[AuditAction::RevealId, AuditAction::OpenClient], "newest first");
    assert!(s.rows.iter().all(|(r, _)| r.client_id.as_deref() == Some(client.as_str())), "filtered on the client");
    key(&mut app, KeyCode::Enter);
    let Screen::Workspace(w) = &app.screen else { panic!("Enter opens the client") };
    assert!(!w.revealed, "opening the client again shows the number masked");
}

/// In a list that takes several values, a space is part of what is typed (organisation
/// names have spaces) and Enter ticks the highlighted one: typing a full name ticks that
/// organisation and no other.
#[test]
fn typing_a_name_with_a_space_in_a_multi_picker_ticks_that_organisation_only() {
    let mut app = app();
    press(&mut app, "2");
    key(&mut app, KeyCode::Enter);
    app.open_form(sluss::forms::FormKind::Consent, None, None).unwrap();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "Socialtjänsten Stockholm");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    let Some(sluss::tui::app::Overlay::Form(ui)) = &app.overlay else { panic!("the form is open") };
    let stockholm = app.store.organisation_by_name("Socialtjänsten Stockholm").unwrap().expect("demo organisation");
    assert_eq!(ui.form.values[2], stockholm);
}

/// The audit log stores its details in English (replicas sync it, and `sluss audit` prints
/// it); the Swedish Audit screen shows them in Swedish, the English one as stored. At 80
/// columns, where the Detail column is cut, the selected entry's is shown whole below.
#[test]
fn the_audit_screen_shows_an_exports_detail_in_the_interface_language() {
    use sluss::sync::{Encryption, ExportOptions, export};
    let dir = tempfile::tempdir().unwrap();
    for (lang, shown, hidden) in
        [(Lang::Sv, "export av", "changes for"), (Lang::En, "changes for all changes", "export av")]
    {
        let mut app = app_with(3, (140, 30), lang);
        let opts = ExportOptions { to: None, all: true, for_org: None, encryption: Encryption::None, today: today() };
        let changes = export(&mut app.store, &dir.path().join(format!("{lang:?}.bundle")), &opts).unwrap().changes;
        press(&mut app, "A");
        let expected = match lang {
            Lang::Sv => format!("export av {changes} ändringar: hela loggen"),
            Lang::En => format!("export of {changes} changes for all changes"),
        };
        for (w, h) in [(140, 30), (80, 24)] {
            let screen = screen_lines(&app, (w, h)).join("\n");
            assert!(screen.contains(&expected), "{lang:?} at {w}x{h}: no '{expected}' on the screen");
            assert!(screen.contains(shown) && !screen.contains(hidden), "{lang:?} at {w}x{h}");
        }
    }
}

/// A revealed personnummer hides again once its client is left, also when Esc comes back
/// to it; the client form, which shows the full number, logs a reveal when opened.
#[test]
fn leaving_a_client_hides_its_number_and_the_client_form_logs_a_reveal() {
    use sluss::domain::enums::AuditAction;
    let mut app = app();
    let row = open_radar_client(&mut app);
    assert!(row.id_number.is_some() && !row.protected, "the test needs a client with a number");
    let first = row.id;
    press(&mut app, "r");
    let other = all_clients(&app, &ClientQuery::default())
        .into_iter()
        .find(|c| c.id != first && !c.protected)
        .expect("another client");
    ctrl(&mut app, 'k');
    type_text(&mut app, &other.last_name);
    key(&mut app, KeyCode::Enter);
    let Screen::Workspace(w) = &app.screen else { panic!("Ctrl-k opens a client") };
    assert_ne!(w.row.id, first);
    key(&mut app, KeyCode::Esc);
    let Screen::Workspace(w) = &app.screen else { panic!("Esc goes back to the first client") };
    assert_eq!(w.row.id, first);
    assert!(!w.revealed, "the number is masked again after the client was left");
    ctrl(&mut app, 'n');
    let Some(sluss::tui::app::Overlay::Note { client_id, .. }) = &app.overlay else { panic!("Ctrl-n opens a note") };
    assert_eq!(client_id, &first, "a quick note goes to the client on screen");
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());

    let log = |app: &App| {
        let filter = sluss::store::audit::AuditFilter { client: Some(first.clone()), ..Default::default() };
        app.store.audit_entries(&filter, 0, 100).unwrap()
    };
    let reveals = |app: &App| log(app).iter().filter(|r| r.kind == AuditAction::RevealId).count();
    let before = reveals(&app);
    press(&mut app, "e");
    assert!(matches!(app.overlay, Some(sluss::tui::app::Overlay::Form(_))), "e opens the client form");
    let newest = log(&app).into_iter().next().expect("an entry");
    assert_eq!((newest.kind, newest.detail.as_str()), (AuditAction::RevealId, "shown in the client form"));
    assert_eq!(reveals(&app), before + 1);
}

/// A client's Needs tab marks as without a provider exactly the needs the need-gaps
/// dashboard counts: a need whose only intervention is finished is one of them.
#[test]
fn the_needs_tab_marks_the_needs_the_gaps_dashboard_counts() {
    let mut app = app_with(200, (120, 50), Lang::Sv);
    press(&mut app, "5");
    let Screen::Dashboard(d) = &app.screen else { panic!("expected the need-gaps dashboard") };
    let counted: Vec<(String, usize)> = d
        .rows
        .iter()
        .filter_map(|r| match &r.finding {
            sluss::dashboard::Finding::Gaps(g) if !g.without_provider.is_empty() => {
                Some((r.client.id.clone(), g.without_provider.len()))
            }
            _ => None,
        })
        .collect();
    assert!(counted.len() >= 3, "the demo has clients with needs without a provider");
    let mut with_earlier = 0;
    for (id, n) in counted {
        app.open_client(&id, Tab::Needs).unwrap();
        let lines = screen_lines(&app, (120, 50));
        let marked = lines.iter().filter(|l| l.contains("ingen utförare")).count();
        with_earlier += lines.iter().filter(|l| l.contains("ingen utförare (tidigare:")).count();
        assert_eq!(marked, n, "client {id}: the tab marks {marked} needs, the dashboard counts {n}");
    }
    assert!(with_earlier > 0, "some gap had a provider whose intervention finished");
}

/// The delete question's adjective agrees with the Swedish noun: "markerat behov",
/// "markerad insats".
#[test]
fn the_delete_question_agrees_with_the_noun() {
    let mut app = app();
    let id = open_radar_client(&mut app).id;
    for (tab, wanted) in [(Tab::Needs, "Radera markerat behov?"), (Tab::Interventions, "Radera markerad insats?")] {
        app.open_client(&id, tab).unwrap();
        press(&mut app, "d");
        let Some(sluss::tui::app::Overlay::Confirm { message, .. }) = &app.overlay else {
            panic!("d asks first on {tab:?}")
        };
        assert!(message.starts_with(wanted), "{message}");
        press(&mut app, "n");
        assert!(app.overlay.is_none());
    }
    // Deleted, then undone: the status line quotes what was undone.
    app.open_client(&id, Tab::Needs).unwrap();
    let needs = |app: &App| match &app.screen {
        Screen::Workspace(w) => w.details.needs.len(),
        _ => panic!("expected a workspace"),
    };
    let before = needs(&app);
    press(&mut app, "dj");
    assert_eq!(needs(&app), before - 1);
    press(&mut app, "u");
    assert_eq!(needs(&app), before);
    assert_eq!(app.status.as_deref(), Some("Ångrade ”Raderat: behov”"));
}

/// The help pages with the paging keys it lists, and its search finds an action by the
/// word the command bar shows for it ("pnr").
#[test]
fn the_help_pages_and_finds_actions_by_their_command_bar_word() {
    use sluss::tui::app::Overlay;
    let mut app = app();
    press(&mut app, "2");
    key(&mut app, KeyCode::Enter);
    press(&mut app, "?");
    let selected = |app: &App| match &app.overlay {
        Some(Overlay::Help { selected, .. }) => *selected,
        _ => panic!("the help is open"),
    };
    key(&mut app, KeyCode::PageDown);
    let page = selected(&app);
    assert!(page > 1, "PageDown moves a page");
    ctrl(&mut app, 'd');
    assert!(selected(&app) > page, "Ctrl-d too");
    ctrl(&mut app, 'u');
    key(&mut app, KeyCode::PageUp);
    assert_eq!(selected(&app), 0);
    type_text(&mut app, "pnr");
    let found = sluss::tui::ui::help_entries_matching(&app, "pnr");
    let reveal = sluss::tui::action::Action::Reveal.describe(Lang::Sv);
    assert!(found.iter().any(|(_, d)| *d == reveal), "{found:?}");
}

/// Under 80 columns the client list keeps the names: municipality and risk give way.
#[test]
fn a_narrow_client_list_keeps_the_names() {
    let mut app = app_with(20, (60, 20), Lang::Sv);
    press(&mut app, "8");
    let screen = screen_lines(&app, (60, 20)).join("\n");
    let Screen::Clients(s) = &app.screen else { panic!("expected the client list") };
    let first: String = s.rows[0].display_name().chars().take(12).collect();
    assert!(screen.contains("Namn") && screen.contains(&first), "{screen}");
    assert!(!screen.contains("Kommun"), "municipality gave way");
}

/// A new client with a personnummer another client has is refused beside the field, not
/// only in the status line, until the number is changed.
#[test]
fn a_taken_personnummer_is_refused_beside_its_field() {
    use sluss::tui::app::Overlay;
    let mut app = app();
    let taken = all_clients(&app, &ClientQuery::default())
        .into_iter()
        .find_map(|c| c.id_number.filter(|_| !c.protected))
        .expect("a demo client with a number");
    press(&mut app, "N");
    let Some(Overlay::Form(ui)) = &mut app.overlay else { panic!("N opens the client form") };
    let field = |key: &str| ui.form.fields().iter().position(|f| f.key == key).unwrap();
    let (first, last, number) = (field("first_name"), field("last_name"), field("id_number"));
    ui.form.values[first] = "Test".into();
    ui.form.values[last] = "Testsson".into();
    ui.form.values[number] = taken.clone();
    ctrl(&mut app, 's');
    let beside = |app: &App| {
        screen_lines(app, (100, 30)).iter().any(|l| l.contains(&taken) && l.contains("en annan klient har redan"))
    };
    assert!(beside(&app), "{}", screen_lines(&app, (100, 30)).join("\n"));
    let Some(Overlay::Form(ui)) = &mut app.overlay else { panic!("the form stays open") };
    ui.form.values[number] = "199001012380".into();
    assert!(!beside(&app), "a changed number is not refused for the old one");
}

/// The follow-up tables page through groups that do not fit at 80 columns (`l`, `h`), and
/// scrolling down stops with the last row at the bottom.
#[test]
fn the_follow_up_tables_page_through_groups_and_stop_at_the_last_row() {
    let mut app = app_with(200, (80, 24), Lang::Sv);
    press(&mut app, "F");
    app.tick().unwrap();
    press(&mut app, "s");
    let first_groups = screen_lines(&app, (80, 24)).join("\n");
    assert!(first_groups.contains("grupp 1–"), "{first_groups}");
    press(&mut app, "l");
    let next = screen_lines(&app, (80, 24)).join("\n");
    assert!(!next.contains("grupp 1–") && next.contains(" av "), "{next}");
    press(&mut app, "h");
    assert!(screen_lines(&app, (80, 24)).join("\n").contains("grupp 1–"));
    for _ in 0..200 {
        press(&mut app, "j");
    }
    let Screen::FollowUp(s) = &app.screen else { panic!("expected the follow-up screen") };
    let last = s.indicators.tables[s.table].rows.last().unwrap().label.clone();
    let lines = screen_lines(&app, (80, 24));
    let bottom = &lines[lines.len() - 3];
    assert!(bottom.contains(&last), "the last row {last:?} is at the bottom: {bottom:?}");
}

/// A draft of the client form, taken up again at the next start, shows the full number
/// too: restoring it is logged as a reveal, like opening the form.
#[test]
fn a_restored_client_form_draft_logs_a_reveal() {
    use sluss::domain::enums::AuditAction;
    use sluss::tui::app::Overlay;
    let mut app = app();
    let row = open_radar_client(&mut app);
    assert!(row.id_number.is_some(), "the test needs a client with a number");
    let client = row.id;
    press(&mut app, "e");
    type_text(&mut app, "x");
    key(&mut app, KeyCode::Esc);
    press(&mut app, "k");
    assert!(app.overlay.is_none(), "the draft is kept");
    let reveals = |app: &App| {
        let filter = sluss::store::audit::AuditFilter { client: Some(client.clone()), ..Default::default() };
        app.store.audit_entries(&filter, 0, 100).unwrap().iter().filter(|r| r.kind == AuditAction::RevealId).count()
    };
    let store = std::mem::replace(&mut app.store, Store::in_memory().unwrap());
    let mut again = App::new(store, app.opts.clone(), (80, 24)).unwrap();
    assert!(matches!(again.overlay, Some(Overlay::Drafts { .. })), "the next start offers the draft");
    let before = reveals(&again);
    key(&mut again, KeyCode::Enter);
    assert!(matches!(again.overlay, Some(Overlay::Form(_))), "the draft is restored");
    assert_eq!(reveals(&again), before + 1);
}
