//! Demo data: deterministic per seed, valid, and spread so every phase and dashboard has cases.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sluss::demo::{DemoOptions, generate};
use sluss::domain::id_number::IdNumber;
use sluss::domain::{rules, timeline};
use sluss::store::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn demo(clients: usize, seed: u64) -> Store {
    let mut store = Store::in_memory().unwrap();
    generate(&mut store, &DemoOptions { clients, seed, today: today() }, &mut |_, _| {}).unwrap();
    store
}

fn clients(store: &Store) -> Vec<(String, String, String, String)> {
    let mut stmt = store.conn().prepare("SELECT id, first_name, last_name, id_number FROM client ORDER BY id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn the_same_seed_gives_the_same_clients_and_another_seed_does_not() {
    let a = clients(&demo(30, 7));
    assert_eq!(a, clients(&demo(30, 7)));
    assert_ne!(a, clients(&demo(30, 8)));
}

#[test]
fn demo_data_passes_check_and_every_identity_number_is_valid() {
    let store = demo(120, 1);
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    for (_, _, _, number) in clients(&store) {
        IdNumber::parse(&number).unwrap_or_else(|e| panic!("{number}: {e}"));
    }
    let unaliased: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM client WHERE protected_identity = 1 AND alias IS NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(unaliased, 0, "every protected identity has an alias to show instead");
}

#[test]
fn demo_clients_cover_every_phase_and_every_dashboard_has_cases() {
    let store = demo(400, 1);
    let files: Vec<_> = store.client_ids().unwrap().iter().map(|id| store.client_file(id).unwrap().unwrap()).collect();
    let phases: BTreeSet<_> = files.iter().map(|f| timeline::client_phase(f, today())).collect();
    for phase in timeline::Phase::ALL {
        assert!(phases.contains(phase), "no demo client in phase {phase:?}");
    }
    let active: Vec<_> = files
        .iter()
        .filter(|f| f.enrolment.as_ref().is_some_and(|e| e.status == sluss::domain::enums::EnrolmentStatus::Aktiv))
        .collect();
    let has = |pred: &dyn Fn(&sluss::domain::model::ClientFile) -> bool| active.iter().any(|f| pred(f));
    assert!(has(&|f| rules::consent_missing(f, today())), "missing consent");
    assert!(has(&|f| !rules::consent_missing(f, today())), "consent in force");
    assert!(has(&|f| rules::need_gaps(f).count() > 0), "need gaps");
    assert!(has(&|f| !rules::overdue_action_items(f, today()).is_empty()), "overdue action items");
    assert!(has(&|f| rules::readiness(f, today()).count() > 0), "release radar flags");
    assert!(has(&|f| rules::treatment_without_continuation(f)), "treatment without continuation");
    assert!(has(&|f| rules::supervision_ending_without_handover(f, today())), "supervision ending");
    assert!(
        has(&|f| !rules::meetings_in_range(f, today(), today() + chrono::Days::new(6)).is_empty()),
        "meetings this week"
    );
    let women = files.iter().filter(|f| f.client.gender == sluss::domain::enums::Gender::Kvinna).count();
    assert!(women > 0 && women < files.len() / 4, "a realistic minority of women: {women}");
}
