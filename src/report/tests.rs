//! Tests of the follow-up module on a small hand-built store whose every figure is worked
//! out by hand in the comments (see `fixture`).

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;

use chrono::{NaiveDate, TimeZone, Utc};

use super::csv::{HEADER, to_csv};
use super::ics::{IcsOptions, calendar};
use super::indicators::{By, Indicators, compute};
use super::period::Period;
use super::plan::{client_plan, render_html, render_text};
use super::pseudonymise;
use crate::i18n::Lang;
use crate::store::{ChangeSet, Store};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The ids of the fixture's rows.
struct Fixture {
    store: Store,
    ids: HashMap<&'static str, String>,
}

impl Fixture {
    fn id(&self, key: &str) -> &str {
        &self.ids[key]
    }
}

/// (client, office, coordinator, status, identified, decided, decline reason, abort reason)
type EnrolmentCase = (&'static str, &'static str, &'static str, &'static str, &'static str, Opt, Opt, Opt);
type Opt = Option<&'static str>;
/// (key, client, kind, planning point, start, status, participant organisations)
type MeetingCase =
    (&'static str, &'static str, &'static str, Option<i64>, &'static str, &'static str, &'static [&'static str]);

/// Inserts a row and remembers its id under `key`.
macro_rules! row {
    ($cs:expr, $ids:expr, $key:expr, $entity:expr, { $($field:expr => $value:expr),* $(,)? }) => {{
        let b = $cs.insert($entity)$(.set($field, $value))*;
        $ids.insert($key, b.id());
    }};
}

/// Offices A (Umeå) and B (Norrköping), social services S, Arbetsförmedlingen AF; coordinators
/// K1 (A) and K2 (B). Today is 2025-06-15; the period of most tests is 2025.
///
/// - c1 woman, A/K1: active; identified 2025-01-10, decided 2025-02-01, released 2025-05-01;
///   written documented consent; held joint meetings 02-15 (point 2), 04-25 (point 2),
///   05-01 (point 3, release day), 06-01 (no point); plus a cancelled joint meeting and a held
///   supervision talk that do not count; interventions: housing by S finished, employment by AF
///   ongoing, information only by S; outcome at release: supported housing, no occupation.
///   Lead time 75 days. Actors: A, S, AF.
/// - c2 man, A/K1: declined (client said no), identified 2025-03-01, release 2026.
/// - c3 man, B/K2: aborted (moved), identified 2024-12-01, decided 2025-01-05, released
///   2025-03-01, no consent; joint meetings 2024-12-20 (point 2) and 2025-03-05. Lead time 71.
///   Actors: B, S.
/// - c4 woman, B/K2: candidate identified 2025-05-01.
/// - c5 man: no programme.
/// - c6 man, A/K1: active, identified 2025-01-05, decided 2025-01-25, released 2025-06-01;
///   oral undocumented consent; no meetings.
/// - c7 protected identity (alias "Skyddad 7"), A/K1: active, a planned meeting 2025-06-20.
fn fixture() -> Fixture {
    let mut store = Store::in_memory().unwrap();
    let mut ids: HashMap<&'static str, String> = HashMap::new();
    let mut cs = ChangeSet::new();
    row!(cs, ids, "A", "organisation", {"name" => "Frivården Umeå", "kind" => "kv_frivard", "phone" => "090-100 00"});
    row!(cs, ids, "B", "organisation", {"name" => "Frivården Norrköping", "kind" => "kv_frivard"});
    row!(cs, ids, "S", "organisation", {"name" => "Socialtjänsten Umeå", "kind" => "socialtjanst"});
    row!(cs, ids, "AF", "organisation", {"name" => "Arbetsförmedlingen Umeå", "kind" => "arbetsformedlingen"});
    store.apply("test", &cs).unwrap();
    let mut cs = ChangeSet::new();
    row!(cs, ids, "K1", "contact", {"org_id" => ids["A"].clone(), "name" => "Karin Ek", "phone" => "070-111 11 11"});
    row!(cs, ids, "K2", "contact", {"org_id" => ids["B"].clone(), "name" => "Kalle Berg"});
    row!(cs, ids, "SK", "contact", {"org_id" => ids["S"].clone(), "name" => "Sara Lind", "phone" => "090-200 00"});
    row!(cs, ids, "AK", "contact", {"org_id" => ids["AF"].clone(), "name" => "Ali Khan", "phone" => "010-486 00 00"});
    store.apply("test", &cs).unwrap();

    let clients: [(&str, &str, &str, &str, bool); 7] = [
        ("c1", "Anna", "Andersson", "kvinna", false),
        ("c2", "Bo", "Bengtsson", "man", false),
        ("c3", "Carl", "Carlsson", "man", false),
        ("c4", "Dina", "Dahl", "kvinna", false),
        ("c5", "Erik", "Ek", "man", false),
        ("c6", "Filip", "Falk", "man", false),
        ("c7", "Gun", "Gren", "kvinna", true),
    ];
    let mut cs = ChangeSet::new();
    for (key, first, last, gender, protected) in clients {
        let birth = if key == "c1" { "199003151234" } else { "198501011234" };
        let b = cs
            .insert("client")
            .set("first_name", first)
            .set("last_name", last)
            .set("gender", gender)
            .set("id_number", birth)
            .set("home_municipality", "Umeå")
            .set("protected_identity", protected);
        let b = if protected { b.set("alias", "Skyddad 7") } else { b };
        ids.insert(key, b.id());
    }
    store.apply("test", &cs).unwrap();

    let mut cs = ChangeSet::new();
    for (c, release) in
        [("c1", "2025-05-01"), ("c2", "2026-01-01"), ("c3", "2025-03-01"), ("c6", "2025-06-01"), ("c7", "2025-09-01")]
    {
        cs.insert("sentence")
            .set("client_id", ids[c].clone())
            .set("release_on", release)
            .set("probation_end_on", "2026-12-31");
    }
    // (client, office, coordinator, status, identified, decided, decline, abort)
    let enrolments: [EnrolmentCase; 6] = [
        ("c1", "A", "K1", "aktiv", "2025-01-10", Some("2025-02-01"), None, None),
        ("c2", "A", "K1", "avbojd", "2025-03-01", Some("2025-03-15"), Some("tackat_nej"), None),
        ("c3", "B", "K2", "avbruten", "2024-12-01", Some("2025-01-05"), None, Some("flyttat")),
        ("c4", "B", "K2", "kandidat", "2025-05-01", None, None, None),
        ("c6", "A", "K1", "aktiv", "2025-01-05", Some("2025-01-25"), None, None),
        ("c7", "A", "K1", "aktiv", "2025-02-01", Some("2025-02-10"), None, None),
    ];
    for (c, office, coord, status, identified, decided, decline, abort) in enrolments {
        cs.insert("enrolment")
            .set("client_id", ids[c].clone())
            .set("office_id", ids[office].clone())
            .set("coordinator_id", ids[coord].clone())
            .set("status", status)
            .set("identified_on", identified)
            .set_opt("asked_on", decided)
            .set_opt("decided_on", decided)
            .set_opt("decline_reason", decline)
            .set_opt("abort_reason", abort);
    }
    cs.insert("consent")
        .set("client_id", ids["c1"].clone())
        .set("given_on", "2025-02-01")
        .set("form", "skriftligt")
        .set("documented_in_vsp", true)
        .set("programme_description_given", true)
        .set("right_to_withdraw_explained", true);
    cs.insert("consent").set("client_id", ids["c6"].clone()).set("given_on", "2025-01-25").set("form", "muntligt");
    cs.insert("consent")
        .set("client_id", ids["c7"].clone())
        .set("given_on", "2025-02-10")
        .set("documented_in_vsp", true);
    store.apply("test", &cs).unwrap();

    // Meetings: (key, client, kind, point, start, status, participant orgs)
    let meetings: [MeetingCase; 9] = [
        ("m1", "c1", "samverkansmote", Some(2), "2025-02-15T10:00", "genomfort", &["A", "S"]),
        ("m2", "c1", "sip", Some(2), "2025-04-25T10:00", "genomfort", &["A"]),
        ("m3", "c1", "frigivningsmote", Some(3), "2025-05-01T09:00", "genomfort", &["A", "S", "AF"]),
        ("m4", "c1", "samverkansmote", None, "2025-06-01T13:30", "genomfort", &["A"]),
        ("m5", "c1", "samverkansmote", None, "2025-03-01T10:00", "installt", &["A"]),
        ("m6", "c1", "overvakningssamtal", None, "2025-05-10T10:00", "genomfort", &["A"]),
        ("m7", "c3", "samverkansmote", Some(2), "2024-12-20T10:00", "genomfort", &["B", "S"]),
        ("m8", "c3", "natverksmote", None, "2025-03-05T10:00", "genomfort", &["B"]),
        ("m9", "c7", "samverkansmote", Some(3), "2025-06-20T10:00", "planerat", &["A"]),
    ];
    let mut cs = ChangeSet::new();
    for (key, c, kind, point, start, status, orgs) in meetings {
        let b = cs
            .insert("meeting")
            .set("client_id", ids[c].clone())
            .set("kind", kind)
            .set_opt("planning_point", point)
            .set("starts_at", start)
            .set("status", status)
            .set("mode", "video")
            .set("location", "Frivården Umeå, rum 3");
        let m = b.id();
        ids.insert(key, m.clone());
        for org in orgs {
            cs.insert("meeting_participant").set("meeting_id", m.clone()).set("org_id", ids[org].clone());
        }
    }
    // A planned meeting of c1 after today, for the plan and the calendar, with a comma to escape.
    row!(cs, ids, "m10", "meeting", {
        "client_id" => ids["c1"].clone(), "kind" => "samverkansmote", "starts_at" => "2025-06-18T14:15",
        "status" => "planerat", "mode" => "fysiskt", "location" => "Frivården Umeå, Storgatan 1", "duration_min" => 90,
    });
    store.apply("test", &cs).unwrap();

    let mut cs = ChangeSet::new();
    row!(cs, ids, "n_housing", "need", {"client_id" => ids["c1"].clone(), "area" => "housing"});
    row!(cs, ids, "n_work", "need", {"client_id" => ids["c1"].clone(), "area" => "employment"});
    row!(cs, ids, "plan", "plan", {"client_id" => ids["c1"].clone(), "status" => "gallande"});
    store.apply("test", &cs).unwrap();
    let mut cs = ChangeSet::new();
    row!(cs, ids, "i1", "intervention", {
        "client_id" => ids["c1"].clone(), "kind" => "boende", "title" => "Stödboende", "provider_org_id" => ids["S"].clone(),
        "contact_id" => ids["SK"].clone(), "status" => "avslutad", "start_on" => "2025-05-01",
    });
    row!(cs, ids, "i2", "intervention", {
        "client_id" => ids["c1"].clone(), "kind" => "sysselsattning", "title" => "Praktik via Krami",
        "provider_org_id" => ids["AF"].clone(), "contact_id" => ids["AK"].clone(), "status" => "pagaende",
    });
    row!(cs, ids, "i3", "intervention", {
        "client_id" => ids["c1"].clone(), "kind" => "information", "title" => "Information om skuldrådgivning",
        "provider_org_id" => ids["S"].clone(), "status" => "endast_information",
    });
    cs.insert("intervention_need").set("intervention_id", ids["i1"].clone()).set("need_id", ids["n_housing"].clone());
    cs.insert("intervention_need").set("intervention_id", ids["i2"].clone()).set("need_id", ids["n_work"].clone());
    cs.insert("outcome_snapshot")
        .set("client_id", ids["c1"].clone())
        .set("point", "vid_vf")
        .set("recorded_on", "2025-05-01")
        .set("housing", "stodboende")
        .set("occupation", "ingen")
        .set("in_treatment", false);
    cs.insert("goal")
        .set("plan_id", ids["plan"].clone())
        .set("text", "Ha en egen bostad <och> ett arbete")
        .set("target_on", "2025-09-01");
    cs.insert("plan_item")
        .set("plan_id", ids["plan"].clone())
        .set("text", "Samordnar och kallar till möten")
        .set("responsible_org_id", ids["A"].clone());
    store.apply("test", &cs).unwrap();
    Fixture { store, ids }
}

const TODAY: &str = "2025-06-15";

fn indicators(f: &Fixture, period: Period, by: By) -> Indicators {
    compute(&f.store.follow_up_facts().unwrap(), period, by, d(TODAY), Lang::En)
}

/// The total of a figure.
fn total(ind: &Indicators, table: &str, item: &str) -> Option<f64> {
    ind.table(table)
        .unwrap_or_else(|| panic!("no table {table}"))
        .row(item)
        .unwrap_or_else(|| panic!("no row {item}"))
        .total()
}

fn year_2025() -> Period {
    "2025".parse().unwrap()
}

#[test]
fn the_funnel_counts_programmes_identified_in_the_period_with_reasons() {
    let f = fixture();
    let ind = indicators(&f, year_2025(), By::None);
    // c1, c2, c4, c6, c7 were identified in 2025; c3 in 2024; c5 has no programme.
    for (item, want) in [
        ("candidates", 5.0),
        ("asked", 4.0),
        ("declined", 1.0),
        ("declined.tackat_nej", 1.0),
        ("declined.flyttar_annan_kommun", 0.0),
        ("accepted", 3.0),
        ("active", 3.0),
        ("aborted", 0.0),
        ("completed", 0.0),
        ("took_part", 1.0),
    ] {
        assert_eq!(total(&ind, "funnel", item), Some(want), "funnel {item}");
    }
    // Over all time c3 appears too, aborted because they moved.
    let all = indicators(&f, Period::ALL, By::None);
    assert_eq!(total(&all, "funnel", "candidates"), Some(6.0));
    assert_eq!(total(&all, "funnel", "aborted.flyttat"), Some(1.0));
    assert_eq!(total(&all, "funnel", "took_part"), Some(2.0));
}

#[test]
fn meetings_count_only_held_joint_meetings_in_the_period() {
    let f = fixture();
    let ind = indicators(&f, year_2025(), By::None);
    // c1: m1–m4 (m5 cancelled, m6 a supervision talk); c3: m8 (m7 is in 2024).
    for (item, want) in [
        ("joint_meetings", 5.0),
        ("before_release", 2.0),
        ("after_release", 3.0),
        ("point.2", 2.0),
        ("point.3", 1.0),
        ("point.1", 0.0),
        ("point.none", 2.0),
        ("clients", 2.0),
        ("clients_4_plus", 1.0),
        ("per_client", 2.5),
    ] {
        assert_eq!(total(&ind, "meetings", item), Some(want), "meetings {item}");
    }
}

#[test]
fn lead_time_runs_from_the_first_joint_meeting_to_release() {
    let f = fixture();
    let ind = indicators(&f, year_2025(), By::None);
    // Released in 2025 with an accepted programme: c1 (75 days), c3 (71 days), c6 (no meeting).
    assert_eq!(total(&ind, "lead_time", "released"), Some(3.0));
    assert_eq!(total(&ind, "lead_time", "1_to_3_months"), Some(2.0));
    assert_eq!(total(&ind, "lead_time", "no_meeting"), Some(1.0));
    assert_eq!(total(&ind, "lead_time", "under_1_month"), Some(0.0));
    assert_eq!(total(&ind, "lead_time", "median_days"), Some(71.0));
    let bars = ind.series("lead_time_buckets").unwrap();
    assert_eq!(bars.values, vec![0, 2, 0, 0, 0, 1]);
}

#[test]
fn consent_shares_are_of_participants_who_accepted_in_the_period() {
    let f = fixture();
    let ind = indicators(&f, year_2025(), By::None);
    // Accepted in 2025: c1 (documented, written), c3 (none), c6 (oral, undocumented), c7 (documented).
    assert_eq!(total(&ind, "consent", "accepted"), Some(4.0));
    assert_eq!(total(&ind, "consent", "documented"), Some(2.0));
    assert_eq!(total(&ind, "consent", "documented_share"), Some(50.0));
    assert_eq!(total(&ind, "consent", "given"), Some(3.0));
    assert_eq!(total(&ind, "consent", "given_share"), Some(75.0));
    assert_eq!(total(&ind, "consent", "written"), Some(2.0));
    assert_eq!(total(&ind, "consent", "description_given"), Some(1.0));
}

#[test]
fn interventions_planned_and_completed_per_life_area_and_provider() {
    let f = fixture();
    let ind = indicators(&f, year_2025(), By::None);
    // c1's housing (finished) and employment (ongoing); information only is not planned.
    for (item, want) in [
        ("planned", 2.0),
        ("completed", 1.0),
        ("completed_share", 50.0),
        ("status.endast_information", 1.0),
        ("status.pagaende", 1.0),
        ("area.housing.planned", 1.0),
        ("area.housing.completed", 1.0),
        ("area.employment.planned", 1.0),
        ("area.employment.completed", 0.0),
        ("provider.socialtjanst.planned", 1.0),
        ("provider.socialtjanst.completed", 1.0),
        ("provider.arbetsformedlingen.planned", 1.0),
    ] {
        assert_eq!(total(&ind, "interventions", item), Some(want), "interventions {item}");
    }
}

#[test]
fn outcomes_and_actors_of_participants_released_in_the_period() {
    let f = fixture();
    let ind = indicators(&f, year_2025(), By::None);
    assert_eq!(total(&ind, "outcomes", "vid_vf.recorded"), Some(1.0));
    assert_eq!(total(&ind, "outcomes", "vid_vf.housing.stodboende"), Some(1.0));
    assert_eq!(total(&ind, "outcomes", "vid_vf.occupation.ingen"), Some(1.0));
    assert_eq!(total(&ind, "outcomes", "vid_vf.in_treatment"), Some(0.0));
    assert_eq!(total(&ind, "outcomes", "plus_3m.recorded"), Some(0.0));
    // c1: A, S, AF (S's information-only does not add); c3: B, S; c6: none.
    assert_eq!(total(&ind, "actors", "clients"), Some(3.0));
    assert_eq!(total(&ind, "actors", "actors"), Some(5.0));
    assert_eq!(total(&ind, "actors", "count.3"), Some(1.0));
    assert_eq!(total(&ind, "actors", "count.2"), Some(1.0));
    assert_eq!(total(&ind, "actors", "count.0"), Some(1.0));
    assert_eq!(total(&ind, "actors", "kind.kv_frivard"), Some(2.0));
    assert_eq!(total(&ind, "actors", "kind.socialtjanst"), Some(2.0));
    assert_eq!(total(&ind, "actors", "kind.arbetsformedlingen"), Some(1.0));
    assert!(ind.table("actors").unwrap().row("kind.polis").is_none(), "kinds nobody engaged are left out");
}

#[test]
fn of_two_snapshots_the_same_day_the_one_made_later_counts_whatever_order_they_were_stored() {
    let mut f = fixture();
    let c1 = f.id("c1").to_owned();
    // Stored in the opposite order to the one they were made in, as an import may store them.
    apply(&mut f.store, |cs| {
        for (id, housing) in
            [("01ffffff-ffff-7fff-bfff-fffffffffff2", "egen"), ("01ffffff-ffff-7fff-bfff-fffffffffff1", "saknas")]
        {
            cs.insert_with_id("outcome_snapshot", id.to_owned())
                .set("client_id", c1.clone())
                .set("point", "vid_vf")
                .set("recorded_on", "2025-05-01")
                .set("housing", housing);
        }
    });
    let ind = indicators(&f, year_2025(), By::None);
    assert_eq!(total(&ind, "outcomes", "vid_vf.housing.egen"), Some(1.0));
    assert_eq!(total(&ind, "outcomes", "vid_vf.housing.saknas"), Some(0.0));
}

#[test]
fn every_figure_splits_by_office_gender_and_coordinator_and_the_groups_add_up() {
    let f = fixture();
    let by_office = indicators(&f, year_2025(), By::Office);
    let labels: Vec<&str> = by_office.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels, ["Frivården Norrköping", "Frivården Umeå", "Not recorded", "Total"]);
    let funnel = by_office.table("funnel").unwrap().row("candidates").unwrap();
    assert_eq!(funnel.values, vec![Some(1.0), Some(4.0), Some(0.0), Some(5.0)]);
    let by_gender = indicators(&f, year_2025(), By::Gender);
    let labels: Vec<&str> = by_gender.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels, ["Woman", "Man", "Total"]);
    let released = by_gender.table("lead_time").unwrap().row("released").unwrap();
    assert_eq!(released.values, vec![Some(1.0), Some(2.0), Some(3.0)]);
    let by_coordinator = indicators(&f, year_2025(), By::Coordinator);
    assert!(by_coordinator.groups.iter().any(|g| g.label == "Karin Ek"));
    // Counts of the groups add up to the total in every count row of every table.
    for ind in [&by_office, &by_gender, &by_coordinator] {
        for t in &ind.tables {
            for r in t.rows.iter().filter(|r| {
                !matches!(
                    r.unit,
                    super::indicators::Unit::Percent
                        | super::indicators::Unit::Days
                        | super::indicators::Unit::PerClient
                )
            }) {
                let parts: f64 = r.values[..r.values.len() - 1].iter().map(|v| v.unwrap()).sum();
                assert_eq!(Some(parts), r.total(), "{} {}", t.id, r.item);
            }
        }
    }
}

#[test]
fn the_csv_parses_back_with_one_number_per_value_cell() {
    let f = fixture();
    let ind = indicators(&f, year_2025(), By::Gender);
    let bytes = to_csv(&ind).unwrap();
    let mut r = ::csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
    let mut lines = 0;
    let mut found = None;
    for rec in r.records() {
        let rec = rec.unwrap();
        lines += 1;
        assert_eq!(rec.len(), HEADER.len());
        assert_eq!(&rec[0], "2025-01-01");
        assert_eq!(&rec[1], "2025-12-31");
        let value = &rec[10];
        assert!(value.is_empty() || value.parse::<f64>().is_ok(), "value '{value}' is not a number");
        if &rec[5] == "consent" && &rec[6] == "documented_share" && &rec[3] == "total" {
            found = Some(value.to_owned());
        }
    }
    let rows: usize = ind.tables.iter().map(|t| t.rows.len()).sum();
    assert_eq!(lines, rows * ind.groups.len());
    assert_eq!(found.as_deref(), Some("50"));
}

fn ics_opts(mine: Option<String>) -> IcsOptions {
    IcsOptions {
        from: d(TODAY),
        days: 30,
        mine,
        stamp: Utc.with_ymd_and_hms(2025, 6, 15, 8, 0, 0).unwrap(),
        lang: Lang::Sv,
    }
}

#[test]
fn the_calendar_parses_as_icalendar_with_stable_uids_and_no_names() {
    let f = fixture();
    let cal = calendar(&f.store, &ics_opts(None)).unwrap();
    assert_eq!(cal.events, 2, "m9 and m10 lie in the next 30 days");
    let mut parser = ical::IcalParser::new(cal.text.as_bytes());
    let parsed = parser.next().expect("one calendar").expect("parses");
    assert!(parser.next().is_none());
    assert_eq!(parsed.timezones.len(), 1);
    let prop = |e: &ical::parser::ical::component::IcalEvent, name: &str| {
        e.properties.iter().find(|p| p.name == name).cloned().unwrap_or_else(|| panic!("no {name}"))
    };
    let uids: Vec<String> = parsed.events.iter().map(|e| prop(e, "UID").value.unwrap()).collect();
    assert_eq!(uids, [format!("{}@sluss", f.id("m10")), format!("{}@sluss", f.id("m9"))]);
    let m10 = &parsed.events[0];
    let start = prop(m10, "DTSTART");
    assert_eq!(start.value.as_deref(), Some("20250618T141500"));
    assert_eq!(start.params.unwrap(), vec![("TZID".to_owned(), vec!["Europe/Stockholm".to_owned()])]);
    assert_eq!(prop(m10, "DTEND").value.as_deref(), Some("20250618T154500"));
    assert_eq!(prop(m10, "SUMMARY").value.as_deref(), Some("Samverkansmöte – A. A."));
    assert_eq!(prop(m10, "LOCATION").value.as_deref(), Some("Frivården Umeå\\, Storgatan 1"));
    // The protected client shows by alias and without a place.
    let m9 = &parsed.events[1];
    assert_eq!(prop(m9, "SUMMARY").value.as_deref(), Some("Samverkansmöte – Skyddad 7"));
    assert!(!m9.properties.iter().any(|p| p.name == "LOCATION"));
    for secret in ["Anna", "Andersson", "Gun", "Gren", "199003151234"] {
        assert!(!cal.text.contains(secret), "the calendar leaks '{secret}'");
    }
    assert!(cal.text.lines().all(|l| l.len() <= 75 + 1), "lines are folded at 75 octets");
    assert!(cal.text.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(calendar(&f.store, &ics_opts(None)).unwrap(), cal, "the same store gives the same file");
}

#[test]
fn mine_keeps_the_meetings_of_my_clients_only() {
    let f = fixture();
    assert_eq!(calendar(&f.store, &ics_opts(Some(f.id("K1").to_owned()))).unwrap().events, 2);
    assert_eq!(calendar(&f.store, &ics_opts(Some(f.id("K2").to_owned()))).unwrap().events, 0);
}

#[test]
fn write_ics_makes_a_private_file_and_audits_it() {
    let mut f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.ics");
    assert_eq!(super::ics::write_ics(&mut f.store, &ics_opts(None), &out).unwrap(), 2);
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let audits: i64 =
        f.store.conn().query_row("SELECT count(*) FROM audit_log WHERE action = 'export'", [], |r| r.get(0)).unwrap();
    assert_eq!(audits, 1);
    let again = super::ics::write_ics(&mut f.store, &ics_opts(None), &out).unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");
}

#[test]
fn the_plan_lists_goals_agencies_meetings_and_release_day_in_swedish() {
    let f = fixture();
    let plan = client_plan(&f.store, f.id("c1"), d(TODAY)).unwrap();
    let text = render_text(&plan);
    assert!(text.starts_with("Min plan – Anna Andersson\n"), "{text}");
    assert!(text.contains("Ha en egen bostad <och> ett arbete (senast måndag 1 september 2025)"), "{text}");
    assert!(text.contains("Arbetsförmedlingen Umeå: Praktik via Krami. Ring Ali Khan, tel. 010-486 00 00."), "{text}");
    assert!(text.contains("Frivården Umeå: Samordnar och kallar till möten. Ring tel. 090-100 00."), "{text}");
    assert!(!text.contains("Stödboende"), "a finished intervention is no longer on the plan");
    assert!(!text.contains("Information om skuldrådgivning"), "information only is no agency task");
    assert!(text.contains("onsdag 18 juni 2025 kl. 14:15: Samverkansmöte (fysiskt), Frivården Umeå, Storgatan 1"));
    assert!(text.contains("Din samordnare: Karin Ek, tel. 070-111 11 11"), "{text}");
    assert!(!text.contains("Frigivningsdagen"), "c1 was released in May: no release-day section");
    assert!(!text.contains("199003151234"));
    let html = render_html(&plan);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"));
    assert!(html.contains("<li>Ha en egen bostad &lt;och&gt; ett arbete"), "text is escaped in HTML");
    assert_eq!(html.matches("<ul>").count(), html.matches("</ul>").count());
    assert!(!html.contains("<script"));
}

#[test]
fn a_protected_client_s_plan_uses_the_alias_and_an_unknown_id_is_refused() {
    let f = fixture();
    let plan = client_plan(&f.store, f.id("c7"), d(TODAY)).unwrap();
    assert_eq!(plan.name, "Skyddad 7");
    let text = render_text(&plan);
    assert!(!text.contains("Gren") && !text.contains("Gun"));
    assert!(
        text.contains("Frigivningsdagen\n----------------\n* Du blir villkorligt frigiven måndag 1 september 2025."),
        "{text}"
    );
    let err = client_plan(&f.store, "no-such-id", d(TODAY)).unwrap_err();
    assert!(err.to_string().contains("no client with id no-such-id"), "{err}");
}

#[test]
fn the_pseudonymised_export_is_stable_and_holds_no_identity() {
    let mut f = fixture();
    let dir = tempfile::tempdir().unwrap();
    let first = pseudonymise::export(&mut f.store, &dir.path().join("a"), d(TODAY)).unwrap();
    // Consent given and not withdrawn: c1, c6, c7.
    assert_eq!(first.clients, 3);
    assert_eq!(first.without_consent, 4);
    pseudonymise::export(&mut f.store, &dir.path().join("b"), d(TODAY)).unwrap();
    let a = std::fs::read_to_string(dir.path().join("a/clients.csv")).unwrap();
    let b = std::fs::read_to_string(dir.path().join("b/clients.csv")).unwrap();
    assert_eq!(a, b, "the same store gives the same pseudonyms");
    let meta = std::fs::metadata(dir.path().join("a/clients.csv")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    for secret in ["Anna", "Andersson", "Filip", "Gren", "199003151234", "198501011234", "1990-03-15", "Stödboende"] {
        assert!(!a.contains(secret), "the export leaks '{secret}'");
    }
    for id in f.ids.values() {
        assert!(!a.contains(id.as_str()), "the export leaks a row id");
    }
    let mut r = ::csv::Reader::from_reader(a.as_bytes());
    assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), pseudonymise::FIELDS);
    let rows: Vec<::csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    let c1 = rows.iter().find(|r| &r[1] == "1990").expect("c1 by birth year");
    let col = |name: &str| pseudonymise::FIELDS.iter().position(|f| *f == name).unwrap();
    assert_eq!(&c1[col("gender")], "kvinna");
    assert_eq!(&c1[col("home_municipality")], "Umeå");
    assert_eq!(&c1[col("release_month")], "2025-05");
    assert_eq!(&c1[col("joint_meetings")], "4");
    assert_eq!(&c1[col("first_meeting_days_before_release")], "75");
    assert_eq!(&c1[col("interventions_planned")], "2");
    assert_eq!(&c1[col("housing_at_release")], "stodboende");
    // The protected client's municipality is withheld.
    assert!(rows.iter().any(|r| r[col("home_municipality")].is_empty()));
    // A new store's secret differs, so its pseudonyms differ.
    let mut other = fixture();
    pseudonymise::export(&mut other.store, &dir.path().join("c"), d(TODAY)).unwrap();
    let c = std::fs::read_to_string(dir.path().join("c/clients.csv")).unwrap();
    assert_ne!(a.lines().nth(1), c.lines().nth(1));
}

#[test]
fn follow_up_facts_read_covering_indexes_only() {
    // Issue 7: at 100k clients the facts must come from the small `follow_up_*` indexes of
    // schema v2, never from the full rows (docs/performance.md).
    let f = fixture();
    for sql in super::facts::QUERIES {
        let mut stmt = f.store.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
        let reads: Vec<&String> = plan.iter().filter(|l| l.starts_with("SCAN") || l.starts_with("SEARCH")).collect();
        assert!(!reads.is_empty(), "{sql}: {plan:?}");
        for line in reads {
            assert!(line.contains("USING COVERING INDEX follow_up_"), "{sql}: {line}");
        }
    }
}

#[test]
fn the_facts_are_the_same_without_the_covering_indexes() {
    // A store that lacks them (made by a development build at v2) reads the tables instead.
    let f = fixture();
    let with = f.store.follow_up_facts().unwrap();
    let names: Vec<String> = f
        .store
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'follow_up_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(names.len(), super::facts::QUERIES.len());
    for name in &names {
        f.store.conn().execute_batch(&format!("DROP INDEX {name}")).unwrap();
    }
    let without = f.store.follow_up_facts().unwrap();
    assert_eq!(with.names, without.names);
    let mut a = with.clients.clone();
    let mut b = without.clients.clone();
    for c in a.iter_mut().chain(b.iter_mut()) {
        // Order within a client's lists follows the scan and is not part of the facts.
        c.meetings.sort_by_key(|m| (m.day, m.point));
        for i in &mut c.interventions {
            i.areas.sort_by_key(|a| *a as usize);
        }
        c.interventions.sort_by_key(|i| format!("{i:?}"));
        c.actors.sort_by_key(|k| *k as usize);
    }
    a.sort_by(|x, y| x.id.cmp(&y.id));
    b.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(a, b);
    for by in [By::None, By::Office, By::Coordinator, By::Gender] {
        assert_eq!(
            compute(&with, year_2025(), by, d(TODAY), Lang::En),
            compute(&without, year_2025(), by, d(TODAY), Lang::En)
        );
    }
}

// --- the follow-up cache (issue 7) ----------------------------------------------------------------

use super::cache::CatchUp;
use crate::domain::enums::{EnrolmentStatus, LifeArea, OrgKind};
use proptest::prelude::*;

/// The cache, caught up, holds exactly the facts a fresh computation gives, the indicators
/// from both agree, and `sluss check` finds the cache sound.
fn assert_cache_fresh(store: &Store) {
    let cached = store.follow_up_cached().unwrap();
    let fresh = store.follow_up_facts().unwrap();
    let mut a = cached.clients.clone();
    let mut b = fresh.clients.clone();
    a.sort_by(|x, y| x.id.cmp(&y.id));
    b.sort_by(|x, y| x.id.cmp(&y.id));
    assert_eq!(a, b);
    assert_eq!(cached.names, fresh.names);
    for by in [By::None, By::Office, By::Gender] {
        for period in [year_2025(), Period::ALL] {
            let want = compute(&fresh, period, by, d(TODAY), Lang::En);
            assert_eq!(compute(&cached, period, by, d(TODAY), Lang::En), want);
            assert_eq!(store.follow_up_indicators(period, by, d(TODAY), Lang::En).unwrap(), want);
        }
    }
    let report = store.check().unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
}

fn apply(store: &mut Store, build: impl FnOnce(&mut ChangeSet)) -> ChangeSet {
    let mut cs = ChangeSet::new();
    build(&mut cs);
    store.apply("test", &cs).unwrap();
    cs
}

/// The ids of a table's rows (tombstoned ones too), in id order.
fn row_ids(store: &Store, table: &str) -> Vec<String> {
    let sql = format!("SELECT id FROM {table} ORDER BY id");
    store.conn().prepare(&sql).unwrap().query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

fn watermark(store: &Store) -> (i64, i64) {
    store
        .conn()
        .query_row("SELECT seq, (SELECT max(seq) FROM change_log) FROM follow_up_state", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap()
}

/// One edit of a test, written into a change set.
type Step<'a> = Box<dyn Fn(&mut ChangeSet) + 'a>;

#[test]
fn the_cache_follows_edits_deletes_restores_undo_and_an_organisation_kind() {
    let mut f = fixture();
    assert_eq!(f.store.follow_up_catch_up().unwrap(), CatchUp::Rebuilt(7));
    assert_eq!(f.store.follow_up_catch_up().unwrap(), CatchUp::Current);
    assert_cache_fresh(&f.store);
    let id = |k: &str| f.ids[k].clone();
    let (c1, c3, m1, m5, m8, i2, n_work, s) =
        (id("c1"), id("c3"), id("m1"), id("m5"), id("m8"), id("i2"), id("n_work"), id("S"));
    let mut steps: Vec<Step<'_>> = vec![
        Box::new(move |cs| drop(cs.update("meeting", &m5).set("status", "genomfort"))),
        Box::new(|cs| cs.delete("meeting", &m1)),
        Box::new(|cs| cs.restore("meeting", &m1)),
        // A meeting moved to another client leaves the first client's facts too.
        Box::new(move |cs| drop(cs.update("meeting", &m8).set("client_id", c1.clone()))),
        Box::new(move |cs| drop(cs.update("need", &n_work).set("area", "housing"))),
        Box::new(|cs| cs.delete("intervention", &i2)),
        Box::new(move |cs| drop(cs.update("organisation", &s).set("kind", "psykiatri"))),
        Box::new(|cs| cs.delete("client", &c3)),
        Box::new(|cs| cs.restore("client", &c3)),
    ];
    for step in steps.drain(..) {
        let cs = apply(&mut f.store, |cs| step(cs));
        assert!(matches!(f.store.follow_up_catch_up().unwrap(), CatchUp::Clients(1..=3)));
        assert_cache_fresh(&f.store);
        // Undo, as `u` does it: the inverse applied as a new change.
        let inverse = f.store.inverse(&cs).unwrap();
        f.store.apply("test", &inverse).unwrap();
        assert_cache_fresh(&f.store);
        f.store.apply("test", &cs).unwrap();
    }
    assert_cache_fresh(&f.store);
    let (seq, last) = watermark(&f.store);
    assert_eq!(seq, last);
}

#[test]
fn an_import_from_another_replica_reaches_the_cache() {
    use crate::sync::{Encryption, ExportOptions, ImportOptions, export, import};
    let dir = tempfile::tempdir().unwrap();
    let mut a = fixture();
    let mut b = Store::in_memory().unwrap();
    let opts = ExportOptions { to: None, all: true, for_org: None, encryption: Encryption::None, today: d(TODAY) };
    export(&mut a.store, &dir.path().join("1.bundle"), &opts).unwrap();
    import(&mut b, &dir.path().join("1.bundle"), &ImportOptions::default()).unwrap();
    assert_cache_fresh(&b);
    let c2 = a.ids["c2"].clone();
    apply(&mut a.store, |cs| {
        cs.update("client", &c2).set("gender", "kvinna");
        cs.insert("meeting")
            .set("client_id", c2.clone())
            .set("kind", "sip")
            .set("starts_at", "2025-04-01T10:00")
            .set("status", "genomfort");
    });
    apply(&mut a.store, |cs| cs.delete("meeting", &a.ids["m7"]));
    export(&mut a.store, &dir.path().join("2.bundle"), &opts).unwrap();
    import(&mut b, &dir.path().join("2.bundle"), &ImportOptions::default()).unwrap();
    assert!(matches!(b.follow_up_catch_up().unwrap(), CatchUp::Clients(_)));
    assert_cache_fresh(&b);
    assert_eq!(b.follow_up_cached().unwrap().clients, a.store.follow_up_facts().unwrap().clients);
}

#[test]
fn a_purge_leaves_nothing_of_the_client_in_the_cache_and_keeps_the_watermark_honest() {
    let mut f = fixture();
    let (c1, c5, i1) = (f.ids["c1"].clone(), f.ids["c5"].clone(), f.ids["i1"].clone());
    // c1's finished housing intervention also meets a need of c5's.
    let need = apply(&mut f.store, |cs| {
        let n = cs.insert("need").set("client_id", c5.clone()).set("area", "debt").id();
        cs.insert("intervention_need").set("intervention_id", i1.clone()).set("need_id", n);
        cs.update("client", &c5).set("closed_on", "2025-01-31");
    });
    assert!(!need.ops().is_empty());
    assert_cache_fresh(&f.store);
    let areas = |store: &Store| {
        let facts = store.follow_up_cached().unwrap();
        let c = facts.clients.iter().find(|c| c.id == c1).unwrap().clone();
        c.interventions.iter().flat_map(|i| i.areas.clone()).collect::<Vec<_>>()
    };
    assert!(areas(&f.store).contains(&LifeArea::Debt));
    f.store.purge_client(&c5).unwrap();
    let held: i64 = f
        .store
        .conn()
        .query_row("SELECT count(*) FROM follow_up_fact WHERE client_id = ?1", [&c5], |r| r.get(0))
        .unwrap();
    assert_eq!(held, 0, "the purge itself deletes the cached row");
    assert!(!areas(&f.store).contains(&LifeArea::Debt), "the other client's facts lost the erased need");
    assert_cache_fresh(&f.store);

    // A purge that erases the newest change-log entries: their `seq` values are handed out
    // again, and the next change must still reach the cache.
    let x = apply(&mut f.store, |cs| {
        cs.insert("client").set("first_name", "Xe").set("last_name", "Provlund").set("gender", "man");
    });
    let x = match &x.ops()[0] {
        crate::store::Op::Insert { id, .. } => id.clone(),
        _ => unreachable!(),
    };
    f.store.follow_up_catch_up().unwrap();
    let (before, _) = watermark(&f.store);
    {
        let tx = f.store.conn().unchecked_transaction().unwrap();
        crate::store::purge::apply_purge(&tx, &x).unwrap();
        tx.commit().unwrap();
    }
    let (after, last) = watermark(&f.store);
    assert!(after < before && after == last, "watermark {after} lowered to the newest entry left ({last})");
    let c2 = f.ids["c2"].clone();
    apply(&mut f.store, |cs| drop(cs.update("client", &c2).set("gender", "kvinna")));
    assert!(watermark(&f.store).1 <= before, "the new change reuses an erased seq");
    assert_cache_fresh(&f.store);
}

#[test]
fn the_cache_encoding_reads_back_every_fact() {
    let f = fixture();
    let fresh = f.store.follow_up_facts().unwrap();
    let mut buf = Vec::new();
    let mut back = super::indicators::ClientFacts::default();
    for c in &fresh.clients {
        super::cache::encode(c, &mut buf);
        super::cache::decode(&buf, &mut back).unwrap();
        back.id = c.id.clone();
        assert_eq!(&back, c);
        assert!(buf.len() < 200, "{} bytes", buf.len());
        assert!(super::cache::decode(&buf[..buf.len() - 1], &mut back).is_none(), "a cut row is refused");
    }
}

#[test]
fn a_cache_of_another_encoding_or_a_damaged_row_is_rebuilt() {
    let f = fixture();
    f.store.follow_up_catch_up().unwrap();
    f.store.conn().execute("UPDATE follow_up_state SET format = 0", []).unwrap();
    assert_eq!(f.store.follow_up_catch_up().unwrap(), CatchUp::Rebuilt(7));
    f.store.conn().execute("UPDATE follow_up_fact SET facts = x'00' WHERE client_id = ?1", [&f.ids["c1"]]).unwrap();
    let problems = f.store.check().unwrap().problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("unreadable"), "{problems:?}");
    assert_cache_fresh(&f.store);
}

#[test]
fn the_cache_s_per_client_queries_search_indexes() {
    let f = fixture();
    for sql in super::facts::scoped_queries() {
        let mut stmt = f.store.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let plan: Vec<String> =
            stmt.query_map(["[]"], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
        for line in plan.iter().filter(|l| l.starts_with("SCAN")) {
            assert!(line.starts_with("SCAN json_each"), "{sql}: {plan:?}");
        }
    }
}

/// One random edit of the property test, by positions in the fixture's rows.
#[derive(Debug, Clone)]
enum Edit {
    Status(usize, usize),
    MeetingHeld(usize, bool),
    MoveMeeting(usize, usize),
    MoveParticipant(usize, usize),
    Delete(usize, usize),
    Restore(usize, usize),
    Area(usize, usize),
    OrgKind(usize, usize),
    Link(usize, usize),
    AddMeeting(usize, u32),
    Undo,
    Read,
}

const EDITED: [&str; 7] =
    ["client", "meeting", "meeting_participant", "intervention", "intervention_need", "need", "consent"];

fn edit() -> impl Strategy<Value = Edit> {
    let n = 0usize..64;
    prop_oneof![
        (n.clone(), n.clone()).prop_map(|(a, b)| Edit::Status(a, b)),
        (n.clone(), any::<bool>()).prop_map(|(a, b)| Edit::MeetingHeld(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Edit::MoveMeeting(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Edit::MoveParticipant(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Edit::Delete(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Edit::Restore(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Edit::Area(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Edit::OrgKind(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Edit::Link(a, b)),
        (n, 0u32..400).prop_map(|(a, b)| Edit::AddMeeting(a, b)),
        Just(Edit::Undo),
        Just(Edit::Read),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn after_any_edits_the_cache_equals_a_fresh_computation(edits in prop::collection::vec(edit(), 1..14)) {
        let mut f = fixture();
        f.store.follow_up_catch_up().unwrap();
        let mut done: Vec<ChangeSet> = Vec::new();
        for e in edits {
            let pick = |store: &Store, table: &str, i: usize| {
                let ids = row_ids(store, table);
                ids[i % ids.len()].clone()
            };
            let s = &f.store;
            let mut cs = ChangeSet::new();
            match e {
                Edit::Status(c, st) => {
                    let id = pick(s, "enrolment", c);
                    cs.update("enrolment", &id).set("status", EnrolmentStatus::CODES[st % EnrolmentStatus::CODES.len()]);
                }
                Edit::MeetingHeld(m, held) => {
                    let id = pick(s, "meeting", m);
                    cs.update("meeting", &id).set("status", if held { "genomfort" } else { "installt" });
                }
                Edit::MoveMeeting(m, c) => {
                    let (id, to) = (pick(s, "meeting", m), pick(s, "client", c));
                    cs.update("meeting", &id).set("client_id", to);
                }
                Edit::MoveParticipant(p, m) => {
                    let (id, to) = (pick(s, "meeting_participant", p), pick(s, "meeting", m));
                    cs.update("meeting_participant", &id).set("meeting_id", to);
                }
                Edit::Delete(t, i) => {
                    let table = EDITED[t % EDITED.len()];
                    cs.delete(table, &pick(s, table, i));
                }
                Edit::Restore(t, i) => {
                    let table = EDITED[t % EDITED.len()];
                    cs.restore(table, &pick(s, table, i));
                }
                Edit::Area(n, a) => {
                    let id = pick(s, "need", n);
                    cs.update("need", &id).set("area", LifeArea::CODES[a % LifeArea::CODES.len()]);
                }
                Edit::OrgKind(o, k) => {
                    let id = pick(s, "organisation", o);
                    cs.update("organisation", &id).set("kind", OrgKind::CODES[k % OrgKind::CODES.len()]);
                }
                Edit::Link(i, n) => {
                    let (i, n) = (pick(s, "intervention", i), pick(s, "need", n));
                    cs.insert("intervention_need").set("intervention_id", i).set("need_id", n);
                }
                Edit::AddMeeting(c, days) => {
                    let day = d("2024-06-01") + chrono::Duration::days(i64::from(days));
                    let id = cs
                        .insert("meeting")
                        .set("client_id", pick(s, "client", c))
                        .set("kind", "samverkansmote")
                        .set("starts_at", format!("{day}T10:00"))
                        .set("status", "genomfort")
                        .id();
                    cs.insert("meeting_participant").set("meeting_id", id).set("org_id", pick(s, "organisation", c));
                }
                Edit::Undo => {
                    if let Some(last) = done.pop() {
                        cs = f.store.inverse(&last).unwrap();
                    }
                }
                Edit::Read => {
                    f.store.follow_up_catch_up().unwrap();
                }
            }
            // The write path refuses some random edits (a deleted row, a reference to one):
            // a refused change set leaves the store as it was.
            if !cs.ops().is_empty() && f.store.apply("test", &cs).is_ok() {
                done.push(cs);
            }
        }
        assert_cache_fresh(&f.store);
    }
}
