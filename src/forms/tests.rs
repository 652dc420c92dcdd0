use chrono::NaiveDate;
use serde_json::json;

use super::*;
use crate::store::Op;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn now() -> NaiveDateTime {
    today().and_hms_opt(10, 5, 0).unwrap()
}

fn set(form: &mut Form, key: &str, value: &str) {
    let i = form.fields().iter().position(|f| f.key == key).unwrap_or_else(|| panic!("no field {key}"));
    form.values[i] = value.to_owned();
}

fn messages(form: &Form, lang: Lang) -> Vec<String> {
    form.errors(today(), lang).into_iter().map(|e| e.message).collect()
}

fn inserted(cs: &ChangeSet, entity: &str) -> Vec<serde_json::Map<String, Value>> {
    cs.ops()
        .iter()
        .filter_map(|op| match op {
            Op::Insert { entity: e, fields, .. } if e == entity => Some(fields.iter().cloned().collect()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_form_field_is_a_column_of_its_table_or_child_rows() {
    for kind in FormKind::ALL {
        let entity = crate::store::entities::entity(kind.entity()).expect("entity");
        for f in kind.fields() {
            match f.input {
                Input::Many(_, child) => {
                    let c = crate::store::entities::entity(child.table).expect("child table");
                    assert!(c.field(child.parent).is_some() && c.field(child.value).is_some(), "{kind:?}.{}", f.key);
                }
                _ => assert!(entity.field(f.key).is_some(), "{kind:?} has no column {}", f.key),
            }
        }
    }
}

#[test]
fn a_new_client_needs_both_names_and_says_so_in_either_language() {
    let form = Form::new(FormKind::Client, None, None, Lang::Sv);
    assert_eq!(messages(&form, Lang::Sv), ["Förnamn: måste fyllas i", "Efternamn: måste fyllas i"]);
    assert_eq!(messages(&form, Lang::En), ["First name: is required", "Last name: is required"]);
}

#[test]
fn identity_numbers_are_checked_and_stored_as_twelve_digits_with_their_kind() {
    let mut form = Form::new(FormKind::Client, None, None, Lang::Sv);
    set(&mut form, "first_name", "Test");
    set(&mut form, "last_name", "Testsson");
    set(&mut form, "id_number", "19800101-1234");
    assert_eq!(messages(&form, Lang::En), ["Identity number: the check digit is wrong: check the last four digits"]);
    set(&mut form, "id_number", "19801301-1234");
    assert_eq!(messages(&form, Lang::En), ["Identity number: the date part is not a real date"]);
    set(&mut form, "id_number", "8001011234");
    assert_eq!(messages(&form, Lang::Sv), ["Person-/samordningsnummer: skriv 12 siffror, ÅÅÅÅMMDD-NNNN"]);
    let nine = "800161123";
    let valid = format!("19{nine}{}", crate::domain::id_number::check_digit(nine));
    set(&mut form, "id_number", &valid);
    let (cs, _) = form.changeset("anna", now(), today(), Lang::En).unwrap();
    let row = &inserted(&cs, "client")[0];
    assert_eq!(row["id_number"], json!(valid));
    assert_eq!(row["id_kind"], json!("samordningsnummer"), "day 61 is a coordination number");
}

#[test]
fn a_protected_identity_needs_an_alias() {
    let mut form = Form::new(FormKind::Client, None, None, Lang::Sv);
    set(&mut form, "first_name", "A");
    set(&mut form, "last_name", "B");
    set(&mut form, "protected_identity", "1");
    assert_eq!(messages(&form, Lang::En), ["Alias (protected identity): required when protected identity is ticked"]);
    set(&mut form, "alias", "Klient K");
    assert!(messages(&form, Lang::En).is_empty());
}

#[test]
fn dates_resolve_and_must_come_in_order() {
    let mut form = Form::new(FormKind::Sentence, Some("c".into()), None, Lang::Sv);
    set(&mut form, "start_on", "2026-01-10");
    set(&mut form, "release_on", "2025-12-01");
    assert_eq!(messages(&form, Lang::En), ["Conditional release: cannot be before sentence start"]);
    set(&mut form, "release_on", "+14d");
    assert_eq!(form.resolved(4, today(), Lang::Sv), Some("2026-12-07 mån".to_owned()));
    set(&mut form, "probation_end_on", "snart");
    assert_eq!(
        messages(&form, Lang::Sv),
        ["Prövotid slut: ”snart” — skriv 2026-12-01, +14d, +2v, +1m, fre, idag eller imorgon"]
    );
    set(&mut form, "probation_end_on", "");
    let (cs, _) = form.changeset("anna", now(), today(), Lang::En).unwrap();
    let row = &inserted(&cs, "sentence")[0];
    assert_eq!(row["release_on"], json!("2026-12-07"));
    assert_eq!(row["client_id"], json!("c"));
    assert!(!row.contains_key("probation_end_on"), "empty fields are left to the column default");
}

#[test]
fn numbers_lengths_and_lines_are_checked() {
    let mut form = Form::new(FormKind::Meeting, Some("c".into()), None, Lang::Sv);
    set(&mut form, "starts_at", "fre 10");
    set(&mut form, "planning_point", "7");
    set(&mut form, "location", &"x".repeat(201));
    assert_eq!(
        messages(&form, Lang::En),
        ["Planning point (1–5): type a whole number 1–5", "Place: is 201 characters, at most 200 fit: shorten it"]
    );
    set(&mut form, "starts_at", "fre");
    set(&mut form, "planning_point", "2");
    set(&mut form, "location", "Rum\n2");
    assert_eq!(messages(&form, Lang::En), ["When: type a time such as 14:30, 1430 or 9", "Place: must be one line"]);
}

#[test]
fn control_characters_are_stripped_before_saving() {
    let mut form = Form::new(FormKind::Note, Some("c".into()), None, Lang::Sv);
    set(&mut form, "text", "  Ringde\u{1b}[31m om boende\u{7}  ");
    let (cs, _) = form.changeset("anna", now(), today(), Lang::En).unwrap();
    let row = &inserted(&cs, "note")[0];
    assert_eq!(row["text"], json!("Ringde[31m om boende"));
    assert_eq!(row["at"], json!("2026-11-23T10:05"));
    assert_eq!(row["author"], json!("anna"));
}

#[test]
fn declining_needs_a_reason() {
    let mut form = Form::new(FormKind::Enrolment, Some("c".into()), None, Lang::Sv);
    set(&mut form, "status", "avbojd");
    assert_eq!(messages(&form, Lang::En), ["Reason for declining: required when status is Declined"]);
    set(&mut form, "decline_reason", "not_a_code");
    assert_eq!(messages(&form, Lang::En), ["Reason for declining: pick from the list with Enter"]);
}

#[test]
fn a_declined_or_aborted_intervention_says_why() {
    let mut form = Form::new(FormKind::Intervention, Some("c".into()), None, Lang::Sv);
    set(&mut form, "title", "Boendestöd");
    assert!(messages(&form, Lang::En).is_empty(), "a planned intervention needs no reason");
    for (status, label) in [("avbojd", "Declined"), ("avbruten", "Aborted")] {
        set(&mut form, "status", status);
        assert_eq!(messages(&form, Lang::En), [format!("Outcome or reason: required when status is {label}")]);
    }
    assert_eq!(messages(&form, Lang::Sv), ["Resultat eller skäl: fyll i när status är Avbruten"]);
    set(&mut form, "outcome", "Vill bo hos sin syster");
    assert!(messages(&form, Lang::En).is_empty());
}

#[test]
fn consent_scope_becomes_one_row_per_organisation_and_edits_only_touch_the_difference() {
    let mut form = Form::new(FormKind::Consent, Some("c".into()), None, Lang::Sv);
    set(&mut form, "scope", "o1,o2,o3");
    let (cs, consent_id) = form.changeset("anna", now(), today(), Lang::En).unwrap();
    let scopes = inserted(&cs, "consent_scope");
    assert_eq!(scopes.len(), 3);
    assert!(scopes.iter().all(|s| s["consent_id"] == json!(consent_id)));

    // Reopened with two of them stored, the user drops o2 and adds o4.
    form.target = Some(consent_id.clone());
    form.children[2] = vec![("s1".into(), "o1".into()), ("s2".into(), "o2".into())];
    form.values[2] = "o1,o2".into();
    form.original = form.values.clone();
    set(&mut form, "scope", "o1,o4");
    let (cs, _) = form.changeset("anna", now(), today(), Lang::En).unwrap();
    assert_eq!(inserted(&cs, "consent_scope").len(), 1);
    assert!(cs.ops().iter().any(|op| matches!(op, Op::SetDeleted { id, deleted: true, .. } if id == "s2")));
    assert!(!cs.ops().iter().any(|op| matches!(op, Op::Update { .. })), "unchanged fields are not rewritten");
}

#[test]
fn minutes_turn_lines_into_action_items() {
    let mut form = Form::new(FormKind::Minutes, Some("c".into()), Some("m".into()), Lang::Sv);
    assert_eq!(messages(&form, Lang::En), ["Minutes: write a line or turn a line into an action item with Ctrl-t"]);
    form.actions.push("Boka tid hos BUS".into());
    let (cs, _) = form.changeset("anna", now(), today(), Lang::En).unwrap();
    assert!(inserted(&cs, "minute_entry").is_empty());
    let actions = inserted(&cs, "action_item");
    assert_eq!(actions[0]["meeting_id"], json!("m"));
    assert_eq!(actions[0]["client_id"], json!("c"));
    assert_eq!(actions[0]["due_on"], json!("2026-12-07"));
}

#[test]
fn a_need_status_change_keeps_the_comment_in_the_history() {
    let mut form = Form::new(FormKind::NeedStatus, Some("c".into()), Some("n".into()), Lang::Sv);
    set(&mut form, "status", "pagaende");
    assert_eq!(messages(&form, Lang::En), ["Comment: is required"]);
    set(&mut form, "comment", "Har fått lägenhet");
    let (cs, _) = form.changeset("anna", now(), today(), Lang::En).unwrap();
    let update = &inserted(&cs, "need_update")[0];
    assert_eq!(update["comment"], json!("Har fått lägenhet"));
    assert!(cs.ops().iter().any(|op| matches!(op, Op::Update { entity, id, .. } if entity == "need" && id == "n")));
}

#[test]
fn a_draft_is_the_typed_text_and_comes_back_whole() {
    let mut form = Form::new(FormKind::Meeting, Some("c".into()), None, Lang::Sv);
    set(&mut form, "starts_at", "fre 1");
    set(&mut form, "agenda", "1. Boende\n2. Arbete");
    let payload = serde_json::to_string(&form).unwrap();
    let back: Form = serde_json::from_str(&payload).unwrap();
    assert_eq!(back, form);
    assert!(back.is_dirty());
}

#[test]
fn english_forms_start_with_english_words_for_today() {
    let form = Form::new(FormKind::Consent, Some("c".into()), None, Lang::En);
    assert_eq!(form.values[0], "today");
    assert_eq!(form.resolved(0, today(), Lang::En), Some("2026-11-23 Mon".to_owned()));
    assert!(!form.is_dirty(), "defaults are not changes");
}

#[test]
fn phone_numbers_emails_and_days_that_have_not_come_are_checked() {
    let mut form = Form::new(FormKind::Contact, None, Some("org".into()), Lang::Sv);
    set(&mut form, "org_id", "org");
    set(&mut form, "name", "Karin Handläggare");
    set(&mut form, "phone", "ring mig");
    set(&mut form, "email", "foo");
    set(&mut form, "last_verified", "imorgon");
    assert_eq!(
        messages(&form, Lang::Sv),
        [
            "Telefon: skriv numret med siffror, t.ex. 08-123 456 78 eller +46 8 123 456 78",
            "E-post: skriv en e-postadress, t.ex. namn@kommun.se",
            "Senast kontrollerad: kan inte vara efter idag (2026-11-23)",
        ]
    );
    for (phone, ok) in
        [("010-123 45 67", true), ("+46 (0)8-123 456 78", true), ("1177", true), ("12", false), ("08+123", false)]
    {
        set(&mut form, "phone", phone);
        let i = form.fields().iter().position(|f| f.key == "phone").unwrap();
        assert_eq!(form.parse_field(i, today(), Lang::Sv).is_ok(), ok, "{phone}");
    }
    set(&mut form, "phone", "010-123 45 67");
    set(&mut form, "email", "karin.h@kommun.se");
    set(&mut form, "last_verified", "idag");
    assert!(messages(&form, Lang::Sv).is_empty(), "{:?}", messages(&form, Lang::Sv));

    // A row saved before these checks is not refused for fields the edit leaves alone.
    set(&mut form, "phone", "08-123 45 67 vx");
    set(&mut form, "last_verified", "2026-12-24");
    form.target = Some("contact-1".into());
    form.original = form.values.clone();
    assert!(messages(&form, Lang::Sv).is_empty(), "{:?}", messages(&form, Lang::Sv));
    set(&mut form, "phone", "08-123 45 67 ankn");
    assert_eq!(messages(&form, Lang::Sv).len(), 1, "an edited phone is checked");

    let mut need = Form::new(FormKind::Need, Some("c".into()), None, Lang::En);
    set(&mut need, "area", "housing");
    set(&mut need, "identified_on", "+3d");
    assert_eq!(messages(&need, Lang::En), ["Identified on: cannot be after today (2026-11-23)"]);
}
