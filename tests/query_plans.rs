//! Every query the interface runs, captured while a user walks through every screen, must
//! be answered through an index: a full scan of a large table (clients, the change log,
//! meetings, notes…) is what makes a screen slow at 100 000 clients, so it fails here.

use std::sync::Mutex;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rusqlite::trace::{TraceEvent, TraceEventCodes};
use sluss::demo::{DemoOptions, generate};
use sluss::i18n::Lang;
use sluss::store::Store;
use sluss::tui::config::SavedView;
use sluss::tui::keymap::Keymap;
use sluss::tui::theme::{Theme, ThemeName};
use sluss::tui::{App, AppOptions};

static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record(event: TraceEvent<'_>) {
    if let TraceEvent::Stmt(stmt, _) = event
        && let Some(sql) = stmt.expanded_sql()
    {
        SEEN.lock().unwrap().push(sql);
    }
}

/// Tables that stay small whatever the number of clients: the directory, this machine's
/// own bookkeeping, and the open sync conflicts (fields two people edited offline, resolved
/// as they come). Everything else grows with the clients.
const SMALL: &[&str] = &[
    "organisation",
    "contact",
    "org_structure",
    "org_structure_member",
    "replica",
    "draft",
    "sync_conflict",
    "follow_up_state",
    "follow_up_stale",
];

/// Tables read whole by design: the Follow-up screen counts every client, one short cached
/// row each (issue 7); what must not happen is a scan of the tables behind it.
const READ_WHOLE: &[&str] = &["follow_up_fact"];

fn key(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.handle_key(KeyEvent::new(code, modifiers));
}

fn keys(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c), KeyModifiers::NONE);
    }
}

#[test]
fn no_screen_scans_a_large_table() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let mut store = Store::in_memory().unwrap();
    generate(&mut store, &DemoOptions { clients: 300, seed: 1, today }, &mut |_, _| {}).unwrap();
    // The follow-up cache is built, then one meeting changes: opening the Follow-up screen
    // catches up that client with the per-client queries, whose plans are checked below.
    store.follow_up_catch_up().unwrap();
    let meeting: String =
        store.conn().query_row("SELECT id FROM meeting WHERE status = 'genomfort' LIMIT 1", [], |r| r.get(0)).unwrap();
    let mut cs = sluss::store::ChangeSet::new();
    cs.update("meeting", &meeting).set("status", "installt");
    store.apply("test", &cs).unwrap();
    store.conn().trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(record));
    let opts = AppOptions {
        lang: Lang::Sv,
        today,
        theme: Theme::new(ThemeName::Default, true),
        keymap: Keymap::default(),
        views: SavedView::defaults(),
        user: Some("Andreas Låtsasmark".to_owned()),
        idle_lock: None,
        privacy_needs_passphrase: false,
    };
    let mut app = App::new(store, opts, (120, 40)).unwrap();
    // Every dashboard, with its horizons; the lists with filters, sorts, search and paging;
    // a client opened on every tab; the calendar's spans; the directory; conflicts.
    for path in ["2\t\t", "3\t", "4", "5", "6", "7", "9dwm", "0jj", "C", "1\tj\t"] {
        keys(&mut app, path);
        key(&mut app, KeyCode::PageDown, KeyModifiers::NONE);
    }
    // A search typed into dashboards and the calendar: a short one (many matches) and a
    // longer one (few).
    for screen in ["2", "4", "6", "7", "9"] {
        for search in ["/p", "/provl"] {
            keys(&mut app, screen);
            keys(&mut app, search);
            key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
            key(&mut app, KeyCode::PageDown, KeyModifiers::NONE);
            key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
        }
    }
    keys(&mut app, "8");
    for k in ["s", "S", "p", "r", "t", "o", "c", "x"] {
        keys(&mut app, k);
        key(&mut app, KeyCode::PageDown, KeyModifiers::NONE);
        key(&mut app, KeyCode::End, KeyModifiers::NONE);
        key(&mut app, KeyCode::PageUp, KeyModifiers::NONE);
    }
    keys(&mut app, "/skiss");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    keys(&mut app, "llllllll");
    key(&mut app, KeyCode::Char('k'), KeyModifiers::CONTROL);
    keys(&mut app, "prov");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    keys(&mut app, "F");
    app.tick().unwrap();
    keys(&mut app, "ps");
    app.store.conn().trace_v2(TraceEventCodes::empty(), None);

    let seen = std::mem::take(&mut *SEEN.lock().unwrap());
    assert!(seen.len() > 50, "the walk ran the screens' queries ({} seen)", seen.len());
    assert!(seen.iter().any(|s| s.contains("json_each")), "the Follow-up screen caught up one client");
    assert!(seen.iter().any(|s| s.contains("FROM follow_up_fact")), "the Follow-up screen read the cache");
    let mut problems = Vec::new();
    let mut checked = 0;
    for sql in seen.iter().filter(|s| s.trim_start().to_uppercase().starts_with("SELECT")) {
        checked += 1;
        problems.extend(full_scans(app.store.conn(), sql));
    }
    // The check itself catches a scan: a search inside note texts reads every note.
    assert_eq!(full_scans(app.store.conn(), "SELECT id FROM note WHERE text LIKE '%bostad%'").len(), 1);
    assert!(checked > 30, "only {checked} SELECTs were checked");
    println!("{checked} SELECTs checked, {} statements seen", seen.len());
    assert!(problems.is_empty(), "full scans of large tables:\n{}", problems.join("\n"));
}

/// The steps of a query's plan that read a large table from end to end.
fn full_scans(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let plan: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
    plan.iter()
        .filter_map(|step| {
            let rest = step.strip_prefix("SCAN ")?;
            let table = rest.split_whitespace().next().unwrap_or_default();
            let indexed = ["USING INDEX", "USING COVERING INDEX", "VIRTUAL TABLE"].iter().any(|u| rest.contains(u));
            let derived = table.starts_with('(') || table.starts_with("CONSTANT");
            (!indexed && !derived && !SMALL.contains(&table) && !READ_WHOLE.contains(&table))
                .then(|| format!("{step}\n    in: {}", sql.split_whitespace().collect::<Vec<_>>().join(" ")))
        })
        .collect()
}
