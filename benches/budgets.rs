//! `cargo bench`: the budgets of product.md on a demo store. Uses the store named by
//! SLUSS_BENCH_DB (with SLUSS_PASSPHRASE) if set, else a fresh 1000-client demo store.

use chrono::NaiveDate;
use sluss::demo::{DemoOptions, generate};
use sluss::store::{Key, Store};
use sluss::tui::AppOptions;
use sluss::tui::config::SavedView;
use sluss::tui::keymap::Keymap;
use sluss::tui::theme::{Theme, ThemeName};

fn main() {
    sluss::alloc::tune();
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("valid date");
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = match std::env::var("SLUSS_BENCH_DB") {
        Ok(path) => {
            let key = std::env::var("SLUSS_PASSPHRASE").map(Key::passphrase).unwrap_or(Key::Plaintext);
            Store::open(std::path::Path::new(&path), key).expect("open the bench store")
        }
        Err(_) => {
            let path = dir.path().join("bench.db");
            let mut store = Store::create(&path, Key::passphrase("bench-passphrase")).expect("create");
            generate(&mut store, &DemoOptions { clients: 1000, seed: 1, today }, &mut |_, _| {}).expect("demo");
            store
        }
    };
    println!("key derivation: {:.1} ms", store.key_derivation_time().as_secs_f64() * 1000.0);
    let opts = AppOptions {
        lang: sluss::i18n::Lang::Sv,
        today,
        theme: Theme::new(ThemeName::Default, false),
        keymap: Keymap::default(),
        views: SavedView::defaults(),
        user: None,
        idle_lock: None,
        privacy_needs_passphrase: false,
    };
    let report = sluss::bench::run(store, opts, (80, 24)).expect("bench");
    print!("{}", report.table());
}
