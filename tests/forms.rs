//! Every form, filled in with the least a caseworker must give, saves into a real store
//! through the write path, and reopens with what was saved.

use chrono::NaiveDate;
use sluss::demo::{DemoOptions, generate};
use sluss::forms::{Form, FormKind, Input, options};
use sluss::i18n::Lang;
use sluss::store::Store;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// The first id of a table's live rows for this client (or any, for the directory).
fn first(store: &Store, sql: &str, client: &str) -> String {
    store.conn().query_row(sql, [client], |r| r.get(0)).unwrap()
}

#[test]
fn every_form_saves_with_its_required_fields_and_reopens_filled() {
    let mut store = Store::in_memory().unwrap();
    generate(&mut store, &DemoOptions { clients: 20, seed: 3, today: today() }, &mut |_, _| {}).unwrap();
    let client: String = store.conn().query_row("SELECT id FROM client LIMIT 1", [], |r| r.get(0)).unwrap();
    let need = first(&store, "SELECT id FROM need WHERE client_id = ?1 OR ?1 <> '' LIMIT 1", &client);
    let meeting = first(&store, "SELECT id FROM meeting WHERE client_id = ?1 OR ?1 <> '' LIMIT 1", &client);
    for kind in FormKind::ALL {
        let parent = match kind {
            FormKind::NeedStatus => Some(need.clone()),
            FormKind::Minutes => Some(meeting.clone()),
            _ => None,
        };
        let client_id = kind.needs_client().then(|| client.clone());
        let mut form = Form::new(*kind, client_id.clone(), parent, Lang::Sv);
        if *kind == FormKind::Minutes {
            form.values[0] = "Prov".to_owned(); // minutes need a line, though no one field is required
        }
        for (i, spec) in kind.fields().iter().enumerate() {
            if !spec.required || !form.values[i].is_empty() {
                continue;
            }
            form.values[i] = match spec.input {
                Input::Text(_) | Input::Long(_) => "Prov".to_owned(),
                Input::Int(min, _) => min.to_string(),
                Input::Date => "idag".to_owned(),
                Input::DateTime => "fre 10".to_owned(),
                Input::Phone => "010-123 45 67".to_owned(),
                Input::Email => "prov@kommun.se".to_owned(),
                Input::IdNumber | Input::Bool => String::new(),
                Input::One(c) | Input::Many(c, _) => options(&store, c, client_id.as_deref(), Lang::Sv)
                    .unwrap()
                    .first()
                    .expect("an option")
                    .value
                    .clone(),
            };
        }
        let (changes, row) = form
            .changeset("prov", today().and_hms_opt(9, 0, 0).unwrap(), today(), Lang::Sv)
            .unwrap_or_else(|e| panic!("{kind:?}: {e:?}"));
        store.apply("prov", &changes).unwrap_or_else(|e| panic!("{kind:?} does not save: {e}"));
        if !matches!(kind, FormKind::NeedStatus | FormKind::Minutes) {
            let back = Form::edit(&store, *kind, &row, client_id).unwrap().expect("the saved row");
            assert_eq!(
                back.values.iter().filter(|v| v.as_str() == "Prov").count(),
                form.values.iter().filter(|v| v.as_str() == "Prov").count(),
                "{kind:?}"
            );
        }
    }
    assert!(store.check().unwrap().is_ok());
}
