//! One synthetic client with everything around them, arranged so each phase, readiness
//! flag and dashboard has cases: missing and expired consent, needs without provider,
//! overdue action items, meetings today and this week.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::domain::enums::*;
use crate::domain::id_number;
use crate::store::ChangeSet;

use super::directory::{Directory, Local, MUNICIPALITIES, Org};
use super::{Gen, NAMES};

/// Where a client is in the journey, which decides what has happened to them so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    FarInPrison,
    BeforeRelease,
    JustReleased,
    Supervision,
    Ending,
    Closed,
}

const STAGES: &[(Stage, u32)] = &[
    (Stage::FarInPrison, 18),
    (Stage::BeforeRelease, 22),
    (Stage::JustReleased, 8),
    (Stage::Supervision, 30),
    (Stage::Ending, 7),
    (Stage::Closed, 15),
];

/// Minimum prövotid after release (BrB 26:10 since 2020): one year.
const MIN_PROBATION_DAYS: i64 = 365;

/// The dates of one sentence.
struct Dates {
    start: NaiveDate,
    release: NaiveDate,
    probation_end: NaiveDate,
    months: i64,
}

/// What every part of one client's demo record is written against.
#[derive(Clone, Copy)]
struct Case<'a> {
    client: &'a str,
    local: &'a Local,
    prison: &'a Org,
    stage: Stage,
    dates: &'a Dates,
}

/// A meeting written for a client, so action items and notes can refer to it.
struct MeetingRef {
    id: String,
    day: NaiveDate,
    held: bool,
}

impl Gen {
    fn dates(&mut self, stage: Stage) -> Dates {
        let months =
            [5, 6, 8, 10, 12, 14, 18, 24, 30, 36, 48, 72][self.weighted(&[4, 8, 8, 8, 14, 10, 12, 12, 8, 8, 5, 3])];
        let length_days = months * 30;
        let prison_days = length_days * 2 / 3;
        let probation_days = (length_days - prison_days).max(MIN_PROBATION_DAYS);
        let release = match stage {
            Stage::FarInPrison => self.day_between(184, 500),
            Stage::BeforeRelease => self.day_between(1, 183),
            Stage::JustReleased => self.day_between(-28, -0),
            Stage::Supervision => self.day_between(-290, -29),
            Stage::Ending => self.day_between(1 - probation_days, 60 - probation_days),
            Stage::Closed => self.day_between(-700 - probation_days, -1 - probation_days),
        };
        Dates {
            start: release - Duration::days(prison_days),
            release,
            probation_end: release + Duration::days(probation_days),
            months,
        }
    }

    fn id_number(&mut self, birth: NaiveDate, woman: bool, coordination: bool) -> String {
        let day = birth.day() + if coordination { 60 } else { 0 };
        // Serials 980-999 only; the third serial digit is even for women, odd for men.
        let second = self.rng_range(8, 9);
        let sex = 2 * self.rng_range(0, 4) + i64::from(!woman);
        let nine = format!("{:02}{:02}{:02}9{second}{sex}", birth.year() % 100, birth.month(), day);
        format!("{}{nine}{}", birth.year() / 100, id_number::check_digit(&nine))
    }

    /// A weekday at office hours on or after `day`.
    fn meeting_time(&mut self, day: NaiveDate) -> String {
        let day = match day.weekday() {
            Weekday::Sat => day + Duration::days(2),
            Weekday::Sun => day + Duration::days(1),
            _ => day,
        };
        let hour = self.rng_range(9, 15);
        let minute = [0, 15, 30, 45][self.rng_range(0, 3) as usize];
        format!("{day}T{hour:02}:{minute:02}")
    }

    /// Writes one client and everything around them.
    pub(super) fn client(&mut self, cs: &mut ChangeSet, dir: &Directory, index: usize) {
        let stage = STAGES[self.weighted(&STAGES.iter().map(|s| s.1).collect::<Vec<_>>())].0;
        let woman = self.rng_bool(0.08);
        let muni_idx = self.weighted(&MUNICIPALITIES.iter().map(|m| m.1).collect::<Vec<_>>());
        let (muni, _, districts) = MUNICIPALITIES[muni_idx];
        let local = &dir.local[muni];
        let age = self.rng_range(20, 60);
        let birth = self.day_between(-age * 365 - 364, -age * 365);
        let coordination = self.rng_bool(0.04);
        let protected = self.rng_bool(0.02);
        let gang_exit = self.rng_bool(0.04);
        let first = *self.pick(if woman { &NAMES.women } else { &NAMES.men });
        let last = self.surname();
        let id_number = self.id_number(birth, woman, coordination);
        let district = if districts.is_empty() { None } else { Some(*self.pick(districts)) };
        let client = self.id();
        let dates = self.dates(stage);
        cs.insert_with_id("client", client.clone())
            .set("first_name", first)
            .set("last_name", last)
            .set_opt("alias", protected.then(|| format!("Skyddad {:05}", index + 1)))
            .set("id_number", id_number)
            .set("id_kind", if coordination { IdKind::Samordningsnummer } else { IdKind::Personnummer }.code())
            .set("gender", if woman { Gender::Kvinna } else { Gender::Man }.code())
            .set("protected_identity", protected)
            .set("home_municipality", muni)
            .set_opt("district", district)
            .set("registration_municipality", muni)
            .set("gang_exit", gang_exit)
            .set("ipv_conviction", self.rng_bool(0.06))
            .set_opt(
                "closed_on",
                (stage == Stage::Closed && self.rng_bool(0.5))
                    .then(|| (dates.probation_end + Duration::days(7)).to_string()),
            );

        let (prison, class) = dir.prisons[self.rng_range(0, dir.prisons.len() as i64 - 1) as usize].clone();
        let sentence = self.id();
        let measure = [
            ReleaseMeasure::Ingen,
            ReleaseMeasure::Frigang,
            ReleaseMeasure::UtokadFrigang,
            ReleaseMeasure::Halvvagshus,
            ReleaseMeasure::Vardvistelse,
        ][self.weighted(&[80, 6, 6, 4, 4])];
        let offences = ["Narkotikabrott", "Rån", "Misshandel", "Stöld", "Bedrägeri", "Vapenbrott", "Olaga hot"];
        cs.insert_with_id("sentence", sentence.clone())
            .set("client_id", client.clone())
            .set("offence", *self.pick(&offences))
            .set("length_months", dates.months)
            .set("prison_id", prison.id.clone())
            .set("security_class", class)
            .set("start_on", dates.start.to_string())
            .set("release_on", dates.release.to_string())
            .set("probation_end_on", dates.probation_end.to_string())
            .set("supervision_decided", true)
            .set("supervision_decided_on", (dates.start + Duration::days(30)).to_string())
            .set("release_measure", measure.code())
            .set(
                "supervisor_kind",
                if self.rng_bool(0.2) { SupervisorKind::Lekman } else { SupervisorKind::Frivard }.code(),
            )
            .set("contact_frequency", *self.pick(&["En gång i veckan", "Varannan vecka", "En gång i månaden"]))
            .set("prison_informed", self.rng_bool(0.8));

        let risk = [RiskLevel::Hog, RiskLevel::Medel, RiskLevel::Lag][self.weighted(&[50, 40, 10])];
        cs.insert_with_id("risk_assessment", self.id())
            .set("client_id", client.clone())
            .set("instrument", RiskInstrument::RbmB.code())
            .set("assessed_on", (dates.start + Duration::days(14)).to_string())
            .set("level", risk.code())
            .set("c8_attitudes", self.rng_bool(0.9))
            .set("c8_substance", self.rng_bool(0.6))
            .set("c8_associates", self.rng_bool(0.5))
            .set("c8_school_work", self.rng_bool(0.7));

        let status = self.enrolment_status(stage);
        let coordinator = self.pick(&local.frivard.contacts).id.clone();
        let enrolment = self.id();
        let asked = dates.release - Duration::days(self.rng_range(60, 200));
        let engaged = matches!(status, EnrolmentStatus::Aktiv | EnrolmentStatus::Avbruten | EnrolmentStatus::Avslutad);
        let mut e = cs
            .insert_with_id("enrolment", enrolment.clone())
            .set("client_id", client.clone())
            .set("sentence_id", sentence.clone())
            .set("office_id", local.frivard.id.clone())
            .set("coordinator_org_id", local.frivard.id.clone())
            .set("coordinator_id", coordinator.clone())
            .set("status", status.code())
            .set("identified_on", (asked - Duration::days(30)).min(self.today).to_string());
        if status != EnrolmentStatus::Kandidat {
            e = e
                .set("asked_on", asked.min(self.today).to_string())
                .set("decided_on", (asked + Duration::days(7)).min(self.today).to_string());
        }
        match status {
            EnrolmentStatus::Avbojd => {
                let reason = *self.pick(DeclineReason::ALL);
                e.set("decline_reason", reason.code());
            }
            EnrolmentStatus::Avbruten => {
                let reason = *self.pick(AbortReason::ALL);
                let ended = (dates.release + Duration::days(self.rng_range(10, 200))).min(self.today);
                e.set("abort_reason", reason.code()).set("ended_on", ended.to_string());
            }
            EnrolmentStatus::Avslutad => {
                let handover = self.pick(&[&local.social, &local.addiction, &local.af]).id.clone();
                e.set("ended_on", dates.probation_end.to_string())
                    .set("handover_org_id", handover)
                    .set("handover_on", (dates.probation_end - Duration::days(20)).to_string());
            }
            _ => {}
        }
        if status != EnrolmentStatus::Kandidat {
            for criterion in EligibilityCriterion::ALL {
                let met = self.rng_bool(0.93);
                cs.insert_with_id("eligibility_check", self.id())
                    .set("enrolment_id", enrolment.clone())
                    .set("criterion", criterion.code())
                    .set("met", met)
                    .set_opt("override_reason", (!met).then_some("Bedömd lämplig trots avsteg"));
            }
        }

        let needs = self.needs(cs, &client, stage, gang_exit, dates.release);
        if !engaged {
            return;
        }
        let case = Case { client: &client, local, prison: &prison, stage, dates: &dates };
        let providers = self.interventions(cs, &case, &needs, dir);
        self.consent(cs, &case, &enrolment, &providers, asked);
        self.plan(cs, &case, &needs);
        let meetings = self.meetings(cs, &case, &providers);
        self.follow_up(cs, &case, &meetings, &coordinator);
    }

    fn enrolment_status(&mut self, stage: Stage) -> EnrolmentStatus {
        use EnrolmentStatus as S;
        let (options, weights): (&[S], &[u32]) = match stage {
            Stage::FarInPrison => (&[S::Kandidat, S::Tillfragad, S::Aktiv], &[55, 25, 20]),
            Stage::BeforeRelease => (&[S::Aktiv, S::Tillfragad, S::Avbojd, S::Kandidat], &[70, 10, 12, 8]),
            Stage::JustReleased | Stage::Supervision | Stage::Ending => {
                (&[S::Aktiv, S::Avbruten, S::Avbojd], &[80, 12, 8])
            }
            Stage::Closed => (&[S::Avslutad, S::Avbruten, S::Avbojd], &[70, 20, 10]),
        };
        options[self.weighted(weights)]
    }

    fn needs(
        &mut self,
        cs: &mut ChangeSet,
        client: &str,
        stage: Stage,
        gang_exit: bool,
        release: NaiveDate,
    ) -> Vec<(String, LifeArea)> {
        use LifeArea as A;
        let odds: &[(A, f64)] = &[
            (A::Debt, 0.6),
            (A::SubstanceAbuse, 0.55),
            (A::Employment, 0.55),
            (A::Housing, 0.45),
            (A::MentalHealth, 0.35),
            (A::Income, 0.3),
            (A::SupportPerson, 0.25),
            (A::TreatmentContinuity, 0.2),
            (A::Education, 0.15),
            (A::IdDocuments, 0.12),
            (A::BankAccount, 0.08),
            (A::Family, 0.1),
        ];
        let mut areas: Vec<A> = odds.iter().filter(|(_, p)| self.rng_bool(*p)).map(|(a, _)| *a).collect();
        if gang_exit {
            areas.push(A::Protection);
        }
        if areas.is_empty() {
            areas.push(A::Employment);
        }
        areas.truncate(5);
        let mut out = Vec::new();
        for area in areas {
            use NeedStatus as N;
            let status = match stage {
                Stage::FarInPrison => [N::Identifierad, N::Planerad][self.weighted(&[70, 30])],
                Stage::BeforeRelease => [N::Identifierad, N::Planerad, N::Pagaende][self.weighted(&[25, 45, 30])],
                Stage::JustReleased | Stage::Supervision | Stage::Ending => {
                    [N::Identifierad, N::Pagaende, N::Tillgodosedd, N::EjTillgodosedd][self.weighted(&[15, 45, 30, 10])]
                }
                Stage::Closed => [N::Tillgodosedd, N::EjTillgodosedd, N::Avbojd][self.weighted(&[60, 30, 10])],
            };
            let id = self.id();
            cs.insert_with_id("need", id.clone())
                .set("client_id", client.to_owned())
                .set("area", area.code())
                .set("identified_phase", NeedPhase::Anstalt.code())
                .set("source", *self.pick(&["rbm_b", "vsp", "klient"]))
                .set("severity", *self.pick(&["lag", "medel", "hog"]))
                .set("status", status.code())
                .set("identified_on", (release - Duration::days(150)).min(self.today).to_string());
            if status != N::Identifierad && self.rng_bool(0.5) {
                cs.insert_with_id("need_update", self.id())
                    .set("need_id", id.clone())
                    .set("at", format!("{}T10:00", (release - Duration::days(40)).min(self.today)))
                    .set("status", status.code())
                    .set("comment", "Status uppdaterad efter samverkansmöte")
                    .set("author_name", "Demo");
            }
            out.push((id, area));
        }
        out
    }

    /// Writes interventions for most needs and returns the organisations that provide them.
    fn interventions(
        &mut self,
        cs: &mut ChangeSet,
        case: &Case<'_>,
        needs: &[(String, LifeArea)],
        dir: &Directory,
    ) -> Vec<Org> {
        let Case { client, local, prison, stage, dates } = *case;
        use InterventionKind as K;
        use LifeArea as A;
        let mut providers: Vec<Org> = Vec::new();
        for (need_id, area) in needs {
            // About one need in five is left without a provider: the need-gap dashboard's cases.
            if !self.rng_bool(0.8) {
                continue;
            }
            let (kind, org, title): (K, &Org, &str) = match area {
                A::Housing => (K::Boende, &local.social, "Stödboende med trepartsavtal"),
                A::Employment => (K::Sysselsattning, &local.af, "Krami – vägledning och praktik"),
                A::Education => (K::Utbildning, &local.komvux, "Komvux, fortsatta studier"),
                A::Income => (K::Forsorjning, &local.social, "Ansökan om ekonomiskt bistånd"),
                A::Debt => {
                    if self.rng_bool(0.5) {
                        (K::Skuldradgivning, &dir.kronofogden, "Skuldsanering, vägledning")
                    } else {
                        (K::Skuldradgivning, &local.bus, "Budget- och skuldrådgivning")
                    }
                }
                A::SubstanceAbuse => (K::Missbruksbehandling, &local.addiction, "Öppenvård, beroende"),
                A::MentalHealth => (K::Psykiatri, &local.psychiatry, "Psykiatrisk uppföljning"),
                A::SupportPerson => {
                    (K::Stodperson, if self.rng_bool(0.5) { &local.kris } else { &dir.rfs }, "Stödperson")
                }
                A::IdDocuments | A::BankAccount => (K::PraktiskHjalp, &local.social, "Id-kort och bankkonto"),
                A::Protection => {
                    (K::Skydd, if self.rng_bool(0.5) { &local.police } else { &dir.passus }, "Avhopparstöd")
                }
                A::Family => (K::Annan, &local.social, "Familjestöd"),
                A::TreatmentContinuity => {
                    (K::Missbruksbehandling, &local.addiction, "Fortsatt behandling efter frigivning")
                }
                _ => (K::Annan, &local.social, "Insats"),
            };
            let status = self.intervention_status(stage);
            let phase = match stage {
                Stage::FarInPrison | Stage::BeforeRelease => InterventionPhase::VidVf,
                _ => InterventionPhase::Overvakning,
            };
            let mut prison_part = None;
            if *area == A::TreatmentContinuity || (*area == A::SubstanceAbuse && self.rng_bool(0.3)) {
                // Treatment begun in prison; most get a continuation outside, some do not.
                let pid = self.id();
                cs.insert_with_id("intervention", pid.clone())
                    .set("client_id", client.to_owned())
                    .set("kind", K::Missbruksbehandling.code())
                    .set("title", "Behandling på anstalt")
                    .set("provider_org_id", prison.id.clone())
                    .set("phase", InterventionPhase::Anstalt.code())
                    .set("status", InterventionStatus::Pagaende.code())
                    .set("start_on", (dates.start + Duration::days(40)).to_string());
                cs.insert_with_id("intervention_need", self.id())
                    .set("intervention_id", pid.clone())
                    .set("need_id", need_id.clone());
                if !self.rng_bool(0.7) {
                    continue;
                }
                prison_part = Some(pid);
            }
            let id = self.id();
            let contact = org.contacts.first().map(|c| c.id.clone());
            cs.insert_with_id("intervention", id.clone())
                .set("client_id", client.to_owned())
                .set("kind", kind.code())
                .set("title", title)
                .set("provider_org_id", org.id.clone())
                .set_opt("contact_id", contact)
                .set("phase", phase.code())
                .set("status", status.code())
                .set("applied_on", (dates.release - Duration::days(45)).min(self.today).to_string())
                .set_opt(
                    "decided_on",
                    matches!(
                        status,
                        InterventionStatus::Beviljad | InterventionStatus::Pagaende | InterventionStatus::Avslutad
                    )
                    .then(|| (dates.release - Duration::days(20)).min(self.today).to_string()),
                )
                .set("start_on", dates.release.to_string())
                .set_opt(
                    "end_on",
                    (status == InterventionStatus::Avslutad).then(|| dates.probation_end.min(self.today).to_string()),
                )
                .set_opt("continues_id", prison_part);
            cs.insert_with_id("intervention_need", self.id())
                .set("intervention_id", id)
                .set("need_id", need_id.clone());
            if !providers.iter().any(|p| p.id == org.id) {
                providers.push(org.clone());
            }
        }
        providers
    }

    fn intervention_status(&mut self, stage: Stage) -> InterventionStatus {
        use InterventionStatus as S;
        match stage {
            Stage::FarInPrison => [S::Planerad, S::Erbjuden][self.weighted(&[80, 20])],
            Stage::BeforeRelease => {
                [S::Planerad, S::Ansokt, S::Beviljad, S::EndastInformation][self.weighted(&[30, 35, 30, 5])]
            }
            Stage::JustReleased | Stage::Supervision | Stage::Ending => {
                [S::Pagaende, S::Beviljad, S::Avbruten, S::Avslutad, S::EndastInformation]
                    [self.weighted(&[55, 15, 10, 15, 5])]
            }
            Stage::Closed => [S::Avslutad, S::Avbruten][self.weighted(&[75, 25])],
        }
    }

    fn consent(&mut self, cs: &mut ChangeSet, case: &Case<'_>, enrolment: &str, providers: &[Org], asked: NaiveDate) {
        let Case { client, local, dates, .. } = *case;
        // One engaged client in eight has no consent recorded: the consent dashboard's cases.
        if !self.rng_bool(0.875) {
            return;
        }
        let given = (asked + Duration::days(7)).min(self.today);
        let expires = if self.rng_bool(0.05) { self.day_between(-30, -1) } else { dates.probation_end };
        let revoked = self.rng_bool(0.03).then(|| self.day_between(-60, -1).max(given));
        let id = self.id();
        cs.insert_with_id("consent", id.clone())
            .set("client_id", client.to_owned())
            .set("enrolment_id", enrolment.to_owned())
            .set("given_on", given.to_string())
            .set("form", if self.rng_bool(0.6) { ConsentForm::Skriftligt } else { ConsentForm::Muntligt }.code())
            .set("obtained_by", "Frivårdsinspektör")
            .set("documented_in_vsp", self.rng_bool(0.8))
            .set("programme_description_given", self.rng_bool(0.7))
            .set("right_to_withdraw_explained", self.rng_bool(0.75))
            .set("covers_sip", self.rng_bool(0.4))
            .set("expires_on", expires.to_string())
            .set_opt("revoked_on", revoked.map(|d| d.to_string()));
        let mut scope: Vec<&Org> = vec![&local.frivard, &local.social];
        // Sometimes a provider is left out of the scope: adding it to a meeting must warn.
        for p in providers {
            if self.rng_bool(0.85) && !scope.iter().any(|o| o.id == p.id) {
                scope.push(p);
            }
        }
        for org in scope {
            cs.insert_with_id("consent_scope", self.id()).set("consent_id", id.clone()).set("org_id", org.id.clone());
        }
    }

    fn plan(&mut self, cs: &mut ChangeSet, case: &Case<'_>, needs: &[(String, LifeArea)]) {
        let Case { client, local, stage, dates, .. } = *case;
        if stage == Stage::FarInPrison && self.rng_bool(0.6) {
            return;
        }
        let has = |a: LifeArea| needs.iter().any(|(_, x)| *x == a);
        let sip = has(LifeArea::SubstanceAbuse) && has(LifeArea::MentalHealth) && self.rng_bool(0.5);
        let created = (dates.release - Duration::days(90)).min(self.today);
        let id = self.id();
        cs.insert_with_id("plan", id.clone())
            .set("client_id", client.to_owned())
            .set("kind", if sip { PlanKind::Sip } else { PlanKind::Inslussningsplan }.code())
            .set("status", if stage == Stage::Closed { PlanStatus::Avslutad } else { PlanStatus::Gallande }.code())
            .set("created_on", created.to_string())
            .set("initiator_org_id", if sip { &local.social } else { &local.frivard }.id.clone())
            .set("overall_responsible_org_id", local.frivard.id.clone())
            .set("next_follow_up_on", (created + Duration::days(180)).to_string());
        cs.insert_with_id("plan_item", self.id())
            .set("plan_id", id.clone())
            .set("kind", PlanItemKind::Helhetsansvar.code())
            .set("text", "Frivården samordnar och kallar till möten")
            .set("responsible_org_id", local.frivard.id.clone());
        cs.insert_with_id("plan_item", self.id())
            .set("plan_id", id.clone())
            .set("kind", PlanItemKind::BehovdInsats.code())
            .set("text", "Boende och försörjning ordnade före frigivningen")
            .set("responsible_org_id", local.social.id.clone());
        if let Some((need, area)) = needs.first() {
            cs.insert_with_id("goal", self.id())
                .set("plan_id", id)
                .set("need_id", need.clone())
                .set("text", format!("Mål inom området {}", area.label(crate::i18n::Lang::Sv).to_lowercase()))
                .set("target_on", (dates.release + Duration::days(90)).to_string())
                .set("verification", "Följs upp på samverkansmöte")
                .set(
                    "status",
                    if dates.release < self.today { GoalStatus::Pagaende } else { GoalStatus::EjPaborjat }.code(),
                );
        }
    }

    fn meetings(&mut self, cs: &mut ChangeSet, case: &Case<'_>, providers: &[Org]) -> Vec<MeetingRef> {
        let Case { stage, dates, .. } = *case;
        let mid_probation = dates.release + (dates.probation_end - dates.release) / 2;
        let points = [
            (1, dates.start + Duration::days(60)),
            (2, dates.release - Duration::days(self.rng_range(30, 150))),
            (3, dates.release),
            (4, mid_probation),
            (5, dates.probation_end - Duration::days(45)),
        ];
        let mut out = Vec::new();
        for (point, day) in points {
            let past = day < self.today;
            let soon = !past && day <= self.day(45);
            let write =
                if past { stage != Stage::FarInPrison && self.rng_bool(0.7) } else { soon && self.rng_bool(0.6) };
            if write {
                out.push(self.meeting(cs, case, providers, Some(point), day));
            }
        }
        // A few extra meetings land today and this week, so the Today dashboard has content.
        if stage != Stage::Closed && self.rng_bool(0.06) {
            let day = self.day_between(0, 6);
            out.push(self.meeting(cs, case, providers, None, day));
        }
        out
    }

    fn meeting(
        &mut self,
        cs: &mut ChangeSet,
        case: &Case<'_>,
        providers: &[Org],
        point: Option<i64>,
        day: NaiveDate,
    ) -> MeetingRef {
        let Case { client, local, prison, dates, .. } = *case;
        let release = dates.release;
        let held = day < self.today;
        let in_prison = day < release;
        let mode = if in_prison {
            [MeetingMode::Video, MeetingMode::Telefon][self.weighted(&[75, 25])]
        } else {
            [MeetingMode::Fysiskt, MeetingMode::Telefon, MeetingMode::Video][self.weighted(&[70, 15, 15])]
        };
        let kind = match point {
            Some(3) => MeetingKind::Frigivningsmote,
            _ if self.rng_bool(0.1) => MeetingKind::Sip,
            _ => MeetingKind::Samverkansmote,
        };
        let location = match (mode, in_prison) {
            (MeetingMode::Telefon, _) => "Telefon".to_owned(),
            (MeetingMode::Video, true) => format!("{} (video)", prison.name),
            (MeetingMode::Video, false) => format!("{} (video)", local.frivard.name),
            (MeetingMode::Fysiskt, _) => local.frivard.name.clone(),
        };
        let id = self.id();
        let starts = self.meeting_time(day);
        cs.insert_with_id("meeting", id.clone())
            .set("client_id", client.to_owned())
            .set("kind", kind.code())
            .set_opt("planning_point", point)
            .set("starts_at", starts)
            .set("duration_min", 60)
            .set("mode", mode.code())
            .set("location", location)
            .set("room_booked", held || self.rng_bool(0.7))
            .set("convener_org_id", local.frivard.id.clone())
            .set_opt("client_present", held.then_some(true))
            .set("status", if held { MeetingStatus::Genomfort } else { MeetingStatus::Planerat }.code())
            .set("agenda", "Genomgång av planen, boende, sysselsättning och nästa steg");
        let mut orgs: Vec<&Org> = vec![&local.frivard, &local.social];
        if in_prison {
            orgs.push(prison);
        }
        for p in providers.iter().take(2) {
            if !orgs.iter().any(|o| o.id == p.id) {
                orgs.push(p);
            }
        }
        for org in orgs {
            cs.insert_with_id("meeting_participant", self.id())
                .set("meeting_id", id.clone())
                .set("org_id", org.id.clone())
                .set_opt("contact_id", org.contacts.first().map(|c| c.id.clone()))
                .set_opt("attended", held.then(|| self.rng_bool(0.9)));
        }
        if held {
            cs.insert_with_id("minute_entry", self.id())
                .set("meeting_id", id.clone())
                .set("at", format!("{day}T16:00"))
                .set("author", "Demo")
                .set("text", "Planen gicks igenom med klienten. Roller och ansvar fördelades på plats.");
        }
        MeetingRef { id, day, held }
    }

    fn follow_up(&mut self, cs: &mut ChangeSet, case: &Case<'_>, meetings: &[MeetingRef], coordinator: &str) {
        let Case { client, local, stage, dates, .. } = *case;
        let tasks = [
            "Boka tid hos socialtjänsten",
            "Skicka remiss till beroendemottagningen",
            "Kontakta Kronofogden om skuldsanering",
            "Ordna id-kort",
            "Boka videorum till nästa möte",
        ];
        for m in meetings.iter().filter(|m| m.held).take(2) {
            let due = m.day + Duration::days(self.rng_range(7, 30));
            // A closed case has no open action items left; elsewhere some are overdue.
            let done = due < self.today && (stage == Stage::Closed || self.rng_bool(0.7));
            let owner_org = if self.rng_bool(0.5) { &local.frivard } else { &local.social };
            let owner = if owner_org.id == local.frivard.id {
                coordinator.to_owned()
            } else {
                owner_org.contacts[0].id.clone()
            };
            cs.insert_with_id("action_item", self.id())
                .set("client_id", client.to_owned())
                .set("meeting_id", m.id.clone())
                .set("text", *self.pick(&tasks))
                .set("owner_org_id", owner_org.id.clone())
                .set("owner_contact_id", owner)
                .set("due_on", due.to_string())
                .set("status", if done { ActionStatus::Klar } else { ActionStatus::Oppen }.code())
                .set_opt("done_on", done.then(|| due.to_string()));
        }
        let notes = self.rng_range(1, 3);
        for _ in 0..notes {
            let day = self.day_between(-120, -1).max(dates.start);
            let text = *self.pick(&NAMES.notes);
            cs.insert_with_id("note", self.id())
                .set("client_id", client.to_owned())
                .set("at", format!("{day}T{:02}:{:02}", self.rng_range(8, 16), self.rng_range(0, 59)))
                .set("author", "Demo")
                .set("category", *self.pick(&["samtal", "telefon", "mote", "ovrigt"]))
                .set("text", text);
        }
        let released = dates.release <= self.today;
        if released && stage != Stage::Closed && self.rng_bool(0.12) {
            let kind = *self.pick(&[
                EventKind::AterfallMissbruk,
                EventKind::AvbrutitBehandling,
                EventKind::Hot,
                EventKind::Flytt,
                EventKind::NyttBrott,
            ]);
            let occurred = self.day_between(-20, -1).max(dates.release);
            let follow = occurred + Duration::days(7);
            let id = self.id();
            cs.insert_with_id("event", id.clone())
                .set("client_id", client.to_owned())
                .set("kind", kind.code())
                .set("occurred_on", occurred.to_string())
                .set("follow_up_on", follow.to_string());
            cs.insert_with_id("action_item", self.id())
                .set("client_id", client.to_owned())
                .set("event_id", id)
                .set("text", format!("Följ upp händelse: {}", kind.label(crate::i18n::Lang::Sv).to_lowercase()))
                .set("owner_contact_id", coordinator.to_owned())
                .set("due_on", follow.to_string())
                .set("status", ActionStatus::Oppen.code());
        }
        if released {
            use HousingStatus as H;
            use OccupationStatus as O;
            let housing =
                [H::Egen, H::Stodboende, H::Behandlingshem, H::Familj, H::Saknas][self.weighted(&[30, 25, 10, 20, 15])];
            let occupation = [O::Arbete, O::Utbildning, O::Arbetstraning, O::Ingen][self.weighted(&[20, 15, 15, 50])];
            cs.insert_with_id("outcome_snapshot", self.id())
                .set("client_id", client.to_owned())
                .set("point", OutcomePoint::VidVf.code())
                .set("recorded_on", dates.release.to_string())
                .set("housing", housing.code())
                .set("occupation", occupation.code())
                .set("in_treatment", self.rng_bool(0.4))
                .set("reoffended", false);
        }
    }
}
