//! Timeline engine (product.md "What it must do" item 2): the phase of a client derived from
//! the sentence dates, the days to or since release, and the five critical planning points
//! (domain.md §2.1, §2.2 rule 5) with their expected windows and whether a meeting covered them.
//!
//! Every window is inclusive at both ends and counted in whole calendar days.

use chrono::{NaiveDate, TimeDelta};

use crate::domain::enums::{MeetingKind, MeetingStatus};
use crate::domain::model::{ClientFile, Meeting, Sentence};
use crate::i18n::Lang;

/// Days before the VF date at which the client counts as "before release". Staff judged 3–6
/// months before release the right time to start joint planning (domain.md §2.2 rule 6,
/// [002:815-827]); six months is 183 days.
pub const BEFORE_RELEASE_DAYS: i64 = 183;

/// Days after the VF date that still count as the release phase: the release week, matching the
/// after-release half of planning point 3's window. The release day itself is day 0.
pub const RELEASE_PHASE_DAYS_AFTER: i64 = 7;

/// Days after release that count as the first weeks: suicide risk peaks in the first 4 weeks
/// (domain.md §2.1 phase 7, [001:1422-1426]).
pub const FIRST_WEEKS_DAYS: i64 = 28;

/// Days before the end of the prövotid that count as the ending phase: time to sum up and hand
/// coordination over (domain.md §2.1 phase 9; dashboard "Supervision ending", §9.5).
pub const ENDING_DAYS: i64 = 60;

/// Days after the sentence start within which the sentence plan (VSP) should be made and other
/// bodies consulted (planning point 1). The sources give no figure; intake and the RBM-B
/// assessment normally take weeks, so a quarter-year is a generous inferred bound.
pub const SENTENCE_PLAN_WINDOW_DAYS: i64 = 90;

/// Days before release at which planning point 2 closes. Contact about one month before release
/// is ordinary practice and was judged too late ([002:186, 763, 829]); a point-2 meeting later
/// than this is counted as missed.
pub const BEFORE_RELEASE_POINT_CLOSES_DAYS: i64 = 30;

/// Days either side of the VF date that count as "at release" (planning point 3): the
/// coordinator checks the plan around the release day ([001:2497-2505]).
pub const RELEASE_POINT_HALF_WIDTH_DAYS: i64 = 7;

/// Days either side of the middle of the prövotid that count as "during supervision" (planning
/// point 4): mid-period, "while there is still room to adjust" ([001:2507-2517]). Three months
/// of a one-year prövotid.
pub const MID_SUPERVISION_HALF_WIDTH_DAYS: i64 = 45;

/// Meeting kinds that are joint (inter-agency, about the client). Supervision talks are
/// probation's own; managers', caseworkers', workshop and steering meetings have no client.
/// Participation is derived from these meetings, never typed in (domain.md §6 R4).
pub const JOINT_MEETING_KINDS: &[MeetingKind] = &[
    MeetingKind::Samverkansmote,
    MeetingKind::Sip,
    MeetingKind::SipUppfoljning,
    MeetingKind::Natverksmote,
    MeetingKind::Frigivningsmote,
];

labelled_enum! {
    /// Phase of the client's journey, derived from the dates (domain.md §2.1).
    Phase {
        IAnstalt => "i_anstalt", "I anstalt", "In prison";
        InforFrigivning => "infor_frigivning", "Inför frigivning", "Before release";
        Frigivning => "frigivning", "Frigivning", "Release";
        ForstaVeckorna => "forsta_veckorna", "Första veckorna", "First weeks";
        Overvakning => "overvakning", "Övervakning", "Supervision";
        Avslutning => "avslutning", "Avslutning", "Ending";
        Avslutad => "avslutad", "Avslutad", "Closed";
    }
}

labelled_enum! {
    /// The five critical planning and follow-up points (domain.md §2.2 rule 5, [001:2419-2530]).
    PlanningPoint {
        SentencePlan => "vsp", "Verkställighetsplan upprättas", "Sentence plan made";
        BeforeRelease => "infor_frigivning", "Inför frigivning", "Before release";
        AtRelease => "vid_frigivning", "Vid frigivning", "At release";
        DuringSupervision => "under_overvakning", "Under övervakningen", "During supervision";
        BeforeSupervisionEnds => "infor_provotidens_slut", "Inför prövotidens slut", "Before supervision ends";
    }
}

labelled_enum! {
    /// Whether a planning point has been met by a meeting.
    PointState {
        Covered => "genomford", "Genomförd", "Covered";
        Booked => "bokad", "Bokad", "Booked";
        DueNow => "aktuell", "Aktuell nu", "Due now";
        Missed => "missad", "Missad", "Missed";
        NotYetDue => "ej_aktuell", "Ej aktuell än", "Not yet due";
        Undated => "datum_saknas", "Datum saknas", "Dates missing";
    }
}

/// A planning point's window, the meetings that cover or are booked for it, and its state.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanningPointStatus {
    /// Which point.
    pub point: PlanningPoint,
    /// Expected window (first and last day), or `None` when the sentence dates it needs are
    /// missing.
    pub window: Option<(NaiveDate, NaiveDate)>,
    /// Held meetings that cover the point.
    pub covered_by: Vec<String>,
    /// Planned meetings, today or later, booked for the point.
    pub booked: Vec<String>,
    /// Summary state.
    pub state: PointState,
}

/// `date` moved by `days`, saturating at the calendar's ends so bad data cannot panic.
pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    let limit = if days < 0 { NaiveDate::MIN } else { NaiveDate::MAX };
    TimeDelta::try_days(days).and_then(|delta| date.checked_add_signed(delta)).unwrap_or(limit)
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

/// Whether `day` lies in the inclusive window.
pub fn in_window(day: NaiveDate, window: (NaiveDate, NaiveDate)) -> bool {
    window.0 <= day && day <= window.1
}

/// Days from `today` to the VF date: positive before release, 0 on the release day, negative
/// after. `None` when no release date is recorded.
pub fn days_to_release(sentence: Option<&Sentence>, today: NaiveDate) -> Option<i64> {
    sentence.and_then(|s| s.release_on).map(|release| days_between(today, release))
}

/// Human wording of a `days_to_release` value, e.g. "om 12 dagar" / "in 12 days", "i dag" /
/// "today", "för 3 dagar sedan" / "3 days ago".
pub fn release_distance_label(days: i64, lang: Lang) -> String {
    let n = days.unsigned_abs();
    match (days.signum(), lang) {
        (0, Lang::Sv) => "i dag".to_owned(),
        (0, Lang::En) => "today".to_owned(),
        (1, Lang::Sv) => format!("om {n} {}", sv_days(n)),
        (1, Lang::En) => format!("in {n} {}", en_days(n)),
        (_, Lang::Sv) => format!("för {n} {} sedan", sv_days(n)),
        (_, Lang::En) => format!("{n} {} ago", en_days(n)),
    }
}

/// Language-neutral short form of a `days_to_release` value for narrow list columns, counted
/// from the VF date: "VF-12" twelve days before, "VF" on the day, "VF+3" three days after.
pub fn release_offset_compact(days: i64) -> String {
    match days.signum() {
        0 => "VF".to_owned(),
        1 => format!("VF-{days}"),
        _ => format!("VF+{}", days.unsigned_abs()),
    }
}

fn sv_days(n: u64) -> &'static str {
    if n == 1 { "dag" } else { "dagar" }
}

fn en_days(n: u64) -> &'static str {
    if n == 1 { "day" } else { "days" }
}

/// Phase on `today`. A `closed_on` on or before today, or a prövotid that has ended, closes the
/// case. Without a release date the client is taken to be in prison: every client in the
/// register is serving a sentence, and the release dashboards key on `days_to_release`, which
/// stays `None`, so such a client is never mistaken for one about to be released. Without a
/// prövotid end the client stays in supervision after the first weeks: guessing an end could
/// close a case that is still running.
pub fn phase(sentence: Option<&Sentence>, closed_on: Option<NaiveDate>, today: NaiveDate) -> Phase {
    let probation_end = sentence.and_then(|s| s.probation_end_on);
    let closed = closed_on.is_some_and(|c| c <= today) || probation_end.is_some_and(|e| e < today);
    if closed {
        return Phase::Avslutad;
    }
    let Some(days) = days_to_release(sentence, today) else {
        return Phase::IAnstalt;
    };
    let since = -days;
    if days > BEFORE_RELEASE_DAYS {
        Phase::IAnstalt
    } else if days > 0 {
        Phase::InforFrigivning
    } else if since <= RELEASE_PHASE_DAYS_AFTER {
        Phase::Frigivning
    } else if since <= FIRST_WEEKS_DAYS {
        Phase::ForstaVeckorna
    } else if probation_end.is_some_and(|e| days_between(today, e) <= ENDING_DAYS) {
        Phase::Avslutning
    } else {
        Phase::Overvakning
    }
}

/// Phase of a whole file: the sentence dates, closed by the client's closing or the programme's
/// end, whichever came first.
pub fn client_phase(file: &ClientFile, today: NaiveDate) -> Phase {
    phase(file.sentence.as_ref(), file.closing_date(), today)
}

/// Whether a meeting is a joint meeting (see `JOINT_MEETING_KINDS`).
pub fn is_joint_meeting(meeting: &Meeting) -> bool {
    JOINT_MEETING_KINDS.contains(&meeting.kind)
}

impl PlanningPoint {
    /// The point's number, 1–5, as stored in `meeting.planning_point`.
    pub fn number(self) -> u8 {
        match self {
            PlanningPoint::SentencePlan => 1,
            PlanningPoint::BeforeRelease => 2,
            PlanningPoint::AtRelease => 3,
            PlanningPoint::DuringSupervision => 4,
            PlanningPoint::BeforeSupervisionEnds => 5,
        }
    }

    /// The point with this number, if it is 1–5.
    pub fn from_number(n: u8) -> Option<Self> {
        PlanningPoint::ALL.iter().copied().find(|p| p.number() == n)
    }

    /// Expected window computed from the sentence dates; `None` when a date it needs is missing.
    pub fn window(self, sentence: &Sentence) -> Option<(NaiveDate, NaiveDate)> {
        let release = sentence.release_on;
        let end = sentence.probation_end_on;
        match self {
            PlanningPoint::SentencePlan => sentence.start_on.map(|s| sentence_plan_window(s, release)),
            PlanningPoint::BeforeRelease => {
                release.map(|r| (add_days(r, -BEFORE_RELEASE_DAYS), add_days(r, -BEFORE_RELEASE_POINT_CLOSES_DAYS)))
            }
            PlanningPoint::AtRelease => release
                .map(|r| (add_days(r, -RELEASE_POINT_HALF_WIDTH_DAYS), add_days(r, RELEASE_POINT_HALF_WIDTH_DAYS))),
            PlanningPoint::DuringSupervision => mid_supervision_window(release?, end?),
            PlanningPoint::BeforeSupervisionEnds => end.map(|e| (add_days(e, -ENDING_DAYS), e)),
        }
    }
}

/// From the sentence start for `SENTENCE_PLAN_WINDOW_DAYS`, but never past the day before
/// release: in a short sentence the window shrinks, and may overlap point 2's, because planning
/// is compressed and one early meeting may honestly serve both points.
fn sentence_plan_window(start: NaiveDate, release: Option<NaiveDate>) -> (NaiveDate, NaiveDate) {
    let mut last = add_days(start, SENTENCE_PLAN_WINDOW_DAYS);
    if let Some(r) = release {
        last = last.min(add_days(r, -1));
    }
    (start, last.max(start))
}

/// `MID_SUPERVISION_HALF_WIDTH_DAYS` either side of the middle of the prövotid; `None` when the
/// dates are inverted (bad data has no middle).
fn mid_supervision_window(release: NaiveDate, end: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let length = days_between(release, end);
    if length <= 0 {
        return None;
    }
    let middle = add_days(release, length / 2);
    Some((add_days(middle, -MID_SUPERVISION_HALF_WIDTH_DAYS), add_days(middle, MID_SUPERVISION_HALF_WIDTH_DAYS)))
}

/// Status of all five planning points, in order.
pub fn planning_points(file: &ClientFile, today: NaiveDate) -> Vec<PlanningPointStatus> {
    PlanningPoint::ALL.iter().map(|&point| planning_point_status(file, point, today)).collect()
}

/// Status of one planning point. A meeting tagged with the point counts for it whatever its
/// kind or date (the caseworker said so); an untagged joint meeting counts for every point whose
/// window holds its date. A planned meeting counts as booked only if it is today or later, so a
/// meeting left "planned" after its day cannot hide a missed point.
pub fn planning_point_status(file: &ClientFile, point: PlanningPoint, today: NaiveDate) -> PlanningPointStatus {
    let window = file.sentence.as_ref().and_then(|s| point.window(s));
    let counts = |m: &&Meeting| meeting_counts_for(m, point, window);
    let covered_by: Vec<String> = file
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Genomfort)
        .filter(counts)
        .map(|m| m.id.clone())
        .collect();
    let booked: Vec<String> = file
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Planerat)
        .filter(|m| m.date().is_none_or(|day| day >= today))
        .filter(counts)
        .map(|m| m.id.clone())
        .collect();
    let state = point_state(&covered_by, &booked, window, today);
    PlanningPointStatus { point, window, covered_by, booked, state }
}

fn meeting_counts_for(meeting: &Meeting, point: PlanningPoint, window: Option<(NaiveDate, NaiveDate)>) -> bool {
    match meeting.planning_point {
        Some(n) => n == point.number(),
        None => {
            is_joint_meeting(meeting) && window.is_some_and(|w| meeting.date().is_some_and(|day| in_window(day, w)))
        }
    }
}

fn point_state(
    covered_by: &[String],
    booked: &[String],
    window: Option<(NaiveDate, NaiveDate)>,
    today: NaiveDate,
) -> PointState {
    if !covered_by.is_empty() {
        return PointState::Covered;
    }
    if !booked.is_empty() {
        return PointState::Booked;
    }
    match window {
        None => PointState::Undated,
        Some((first, _)) if today < first => PointState::NotYetDue,
        Some((_, last)) if today > last => PointState::Missed,
        Some(_) => PointState::DueNow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::test_support::*;

    const RELEASE: &str = "2025-06-01";

    fn released() -> Sentence {
        sentence(Some("2023-06-01"), Some(RELEASE), Some("2026-06-01"))
    }

    fn phase_on(s: &Sentence, today: &str) -> Phase {
        phase(Some(s), None, d(today))
    }

    // --- days to release ---

    #[test]
    fn days_to_release_is_positive_before_zero_on_and_negative_after() {
        let s = released();
        assert_eq!(days_to_release(Some(&s), d("2025-05-22")), Some(10));
        assert_eq!(days_to_release(Some(&s), d(RELEASE)), Some(0));
        assert_eq!(days_to_release(Some(&s), d("2025-06-04")), Some(-3));
    }

    #[test]
    fn days_to_release_is_none_without_sentence_or_release_date() {
        assert_eq!(days_to_release(None, d(RELEASE)), None);
        let s = sentence(Some("2024-01-01"), None, None);
        assert_eq!(days_to_release(Some(&s), d(RELEASE)), None);
    }

    #[test]
    fn release_distance_label_in_swedish() {
        assert_eq!(release_distance_label(12, Lang::Sv), "om 12 dagar");
        assert_eq!(release_distance_label(1, Lang::Sv), "om 1 dag");
        assert_eq!(release_distance_label(0, Lang::Sv), "i dag");
        assert_eq!(release_distance_label(-3, Lang::Sv), "för 3 dagar sedan");
        assert_eq!(release_distance_label(-1, Lang::Sv), "för 1 dag sedan");
    }

    #[test]
    fn release_distance_label_in_english() {
        assert_eq!(release_distance_label(12, Lang::En), "in 12 days");
        assert_eq!(release_distance_label(1, Lang::En), "in 1 day");
        assert_eq!(release_distance_label(0, Lang::En), "today");
        assert_eq!(release_distance_label(-3, Lang::En), "3 days ago");
    }

    #[test]
    fn release_offset_compact_counts_from_the_vf_date() {
        assert_eq!(release_offset_compact(12), "VF-12");
        assert_eq!(release_offset_compact(0), "VF");
        assert_eq!(release_offset_compact(-3), "VF+3");
    }

    // --- phase ---

    #[test]
    fn phase_without_sentence_is_in_prison() {
        assert_eq!(phase(None, None, d(RELEASE)), Phase::IAnstalt);
    }

    #[test]
    fn phase_without_release_date_is_in_prison() {
        let s = sentence(Some("2024-01-01"), None, None);
        assert_eq!(phase_on(&s, "2030-01-01"), Phase::IAnstalt);
    }

    #[test]
    fn phase_is_in_prison_184_days_before_release() {
        assert_eq!(phase_on(&released(), "2024-11-29"), Phase::IAnstalt);
    }

    #[test]
    fn phase_is_before_release_183_days_before_release() {
        assert_eq!(phase_on(&released(), "2024-11-30"), Phase::InforFrigivning);
    }

    #[test]
    fn phase_is_before_release_the_day_before_release() {
        assert_eq!(phase_on(&released(), "2025-05-31"), Phase::InforFrigivning);
    }

    #[test]
    fn phase_is_release_on_the_release_day() {
        assert_eq!(phase_on(&released(), RELEASE), Phase::Frigivning);
    }

    #[test]
    fn phase_is_release_seven_days_after_release() {
        assert_eq!(phase_on(&released(), "2025-06-08"), Phase::Frigivning);
    }

    #[test]
    fn phase_is_first_weeks_eight_days_after_release() {
        assert_eq!(phase_on(&released(), "2025-06-09"), Phase::ForstaVeckorna);
    }

    #[test]
    fn phase_is_first_weeks_ten_days_after_release() {
        assert_eq!(phase_on(&released(), "2025-06-11"), Phase::ForstaVeckorna);
    }

    #[test]
    fn phase_is_first_weeks_28_days_after_release() {
        assert_eq!(phase_on(&released(), "2025-06-29"), Phase::ForstaVeckorna);
    }

    #[test]
    fn phase_is_supervision_29_days_after_release() {
        assert_eq!(phase_on(&released(), "2025-06-30"), Phase::Overvakning);
    }

    #[test]
    fn phase_is_supervision_61_days_before_probation_end() {
        assert_eq!(phase_on(&released(), "2026-04-01"), Phase::Overvakning);
    }

    #[test]
    fn phase_is_ending_60_days_before_probation_end() {
        assert_eq!(phase_on(&released(), "2026-04-02"), Phase::Avslutning);
    }

    #[test]
    fn phase_is_ending_on_the_last_day_of_probation() {
        assert_eq!(phase_on(&released(), "2026-06-01"), Phase::Avslutning);
    }

    #[test]
    fn phase_is_closed_the_day_after_probation_ends() {
        assert_eq!(phase_on(&released(), "2026-06-02"), Phase::Avslutad);
    }

    #[test]
    fn phase_stays_supervision_without_probation_end() {
        let s = sentence(None, Some(RELEASE), None);
        assert_eq!(phase_on(&s, "2030-01-01"), Phase::Overvakning);
    }

    #[test]
    fn phase_is_closed_from_the_closing_day_even_in_prison() {
        let s = released();
        assert_eq!(phase(Some(&s), Some(d("2024-01-10")), d("2024-01-10")), Phase::Avslutad);
        assert_eq!(phase(Some(&s), Some(d("2024-01-10")), d("2024-01-09")), Phase::IAnstalt);
    }

    #[test]
    fn client_phase_is_closed_when_enrolment_ended() {
        let file = FileBuilder::released_on(RELEASE)
            .enrolment(crate::domain::model::Enrolment {
                ended_on: Some(d("2025-07-01")),
                ..enrolment(crate::domain::enums::EnrolmentStatus::Avbruten)
            })
            .build();
        assert_eq!(client_phase(&file, d("2025-06-30")), Phase::Overvakning);
        assert_eq!(client_phase(&file, d("2025-07-01")), Phase::Avslutad);
    }

    #[test]
    fn phase_labels_in_both_languages() {
        assert_eq!(Phase::ForstaVeckorna.label(Lang::Sv), "Första veckorna");
        assert_eq!(Phase::ForstaVeckorna.label(Lang::En), "First weeks");
        assert_eq!(Phase::from_code("infor_frigivning"), Some(Phase::InforFrigivning));
    }

    // --- planning point windows ---

    #[test]
    fn planning_point_numbers_round_trip() {
        for p in PlanningPoint::ALL {
            assert_eq!(PlanningPoint::from_number(p.number()), Some(*p));
        }
        assert_eq!(PlanningPoint::from_number(0), None);
        assert_eq!(PlanningPoint::from_number(6), None);
    }

    #[test]
    fn point_one_window_is_90_days_from_sentence_start() {
        let w = PlanningPoint::SentencePlan.window(&released());
        assert_eq!(w, Some((d("2023-06-01"), d("2023-08-30"))));
    }

    #[test]
    fn point_one_window_stops_the_day_before_release_in_a_short_sentence() {
        let s = sentence(Some("2025-04-01"), Some("2025-05-01"), None);
        let w = PlanningPoint::SentencePlan.window(&s);
        assert_eq!(w, Some((d("2025-04-01"), d("2025-04-30"))));
    }

    #[test]
    fn point_one_window_is_undated_without_sentence_start() {
        let s = sentence(None, Some(RELEASE), None);
        assert_eq!(PlanningPoint::SentencePlan.window(&s), None);
    }

    #[test]
    fn point_two_window_is_183_to_30_days_before_release() {
        let w = PlanningPoint::BeforeRelease.window(&released());
        assert_eq!(w, Some((d("2024-11-30"), d("2025-05-02"))));
    }

    #[test]
    fn point_three_window_is_a_week_either_side_of_release() {
        let w = PlanningPoint::AtRelease.window(&released());
        assert_eq!(w, Some((d("2025-05-25"), d("2025-06-08"))));
    }

    #[test]
    fn point_four_window_is_45_days_either_side_of_mid_probation() {
        // 365-day prövotid: middle is release + 182 days = 2025-11-30.
        let w = PlanningPoint::DuringSupervision.window(&released());
        assert_eq!(w, Some((d("2025-10-16"), d("2026-01-14"))));
    }

    #[test]
    fn point_four_window_is_undated_without_probation_end() {
        let s = sentence(None, Some(RELEASE), None);
        assert_eq!(PlanningPoint::DuringSupervision.window(&s), None);
    }

    #[test]
    fn point_four_window_is_undated_when_probation_ends_before_release() {
        let s = sentence(None, Some(RELEASE), Some("2025-05-01"));
        assert_eq!(PlanningPoint::DuringSupervision.window(&s), None);
    }

    #[test]
    fn point_five_window_is_60_days_before_probation_end() {
        let w = PlanningPoint::BeforeSupervisionEnds.window(&released());
        assert_eq!(w, Some((d("2026-04-02"), d("2026-06-01"))));
    }

    // --- planning point states ---

    fn state_of(file: &ClientFile, point: PlanningPoint, today: &str) -> PointState {
        planning_point_status(file, point, d(today)).state
    }

    #[test]
    fn point_two_is_covered_by_a_held_joint_meeting_in_its_window() {
        let file = FileBuilder::released_on(RELEASE)
            .meeting(meeting("m1", MeetingKind::Samverkansmote, MeetingStatus::Genomfort, "2025-03-01 10:00"))
            .build();
        let status = planning_point_status(&file, PlanningPoint::BeforeRelease, d("2025-04-01"));
        assert_eq!(status.state, PointState::Covered);
        assert_eq!(status.covered_by, vec!["m1".to_owned()]);
    }

    #[test]
    fn point_two_is_not_covered_by_a_held_supervision_talk_in_its_window() {
        let file = FileBuilder::released_on(RELEASE)
            .meeting(meeting("m1", MeetingKind::Overvakningssamtal, MeetingStatus::Genomfort, "2025-03-01 10:00"))
            .build();
        assert_eq!(state_of(&file, PlanningPoint::BeforeRelease, "2025-04-01"), PointState::DueNow);
    }

    #[test]
    fn point_two_is_covered_by_a_tagged_meeting_outside_its_window() {
        let file = FileBuilder::released_on(RELEASE)
            .meeting(Meeting {
                planning_point: Some(2),
                ..meeting("m1", MeetingKind::Overvakningssamtal, MeetingStatus::Genomfort, "2025-05-20 10:00")
            })
            .build();
        assert_eq!(state_of(&file, PlanningPoint::BeforeRelease, "2025-05-25"), PointState::Covered);
    }

    #[test]
    fn a_meeting_tagged_for_another_point_does_not_cover_by_date() {
        let file = FileBuilder::released_on(RELEASE)
            .meeting(Meeting {
                planning_point: Some(3),
                ..meeting("m1", MeetingKind::Samverkansmote, MeetingStatus::Genomfort, "2025-03-01 10:00")
            })
            .build();
        assert_eq!(state_of(&file, PlanningPoint::BeforeRelease, "2025-04-01"), PointState::DueNow);
        assert_eq!(state_of(&file, PlanningPoint::AtRelease, "2025-04-01"), PointState::Covered);
    }

    #[test]
    fn point_two_is_booked_by_a_planned_joint_meeting_in_its_window() {
        let file = FileBuilder::released_on(RELEASE)
            .meeting(meeting("m1", MeetingKind::Sip, MeetingStatus::Planerat, "2025-04-20 10:00"))
            .build();
        let status = planning_point_status(&file, PlanningPoint::BeforeRelease, d("2025-04-01"));
        assert_eq!(status.state, PointState::Booked);
        assert_eq!(status.booked, vec!["m1".to_owned()]);
    }

    #[test]
    fn a_planned_meeting_left_in_the_past_does_not_count_as_booked() {
        let file = FileBuilder::released_on(RELEASE)
            .meeting(meeting("m1", MeetingKind::Sip, MeetingStatus::Planerat, "2025-04-20 10:00"))
            .build();
        assert_eq!(state_of(&file, PlanningPoint::BeforeRelease, "2025-05-03"), PointState::Missed);
    }

    #[test]
    fn a_cancelled_meeting_neither_covers_nor_books() {
        let file = FileBuilder::released_on(RELEASE)
            .meeting(Meeting {
                planning_point: Some(2),
                ..meeting("m1", MeetingKind::Sip, MeetingStatus::Installt, "2025-04-20 10:00")
            })
            .build();
        assert_eq!(state_of(&file, PlanningPoint::BeforeRelease, "2025-04-01"), PointState::DueNow);
    }

    #[test]
    fn point_two_is_not_yet_due_the_day_before_its_window() {
        let file = FileBuilder::released_on(RELEASE).build();
        assert_eq!(state_of(&file, PlanningPoint::BeforeRelease, "2024-11-29"), PointState::NotYetDue);
    }

    #[test]
    fn point_two_is_due_now_on_the_first_day_of_its_window() {
        let file = FileBuilder::released_on(RELEASE).build();
        assert_eq!(state_of(&file, PlanningPoint::BeforeRelease, "2024-11-30"), PointState::DueNow);
    }

    #[test]
    fn point_two_is_due_now_on_the_last_day_of_its_window() {
        let file = FileBuilder::released_on(RELEASE).build();
        assert_eq!(state_of(&file, PlanningPoint::BeforeRelease, "2025-05-02"), PointState::DueNow);
    }

    #[test]
    fn point_two_is_missed_the_day_after_its_window() {
        let file = FileBuilder::released_on(RELEASE).build();
        assert_eq!(state_of(&file, PlanningPoint::BeforeRelease, "2025-05-03"), PointState::Missed);
    }

    #[test]
    fn points_without_sentence_are_undated_unless_a_tagged_meeting_covers_them() {
        let file = FileBuilder::new()
            .meeting(Meeting {
                planning_point: Some(1),
                ..meeting("m1", MeetingKind::Samverkansmote, MeetingStatus::Genomfort, "2025-03-01 10:00")
            })
            .build();
        let states: Vec<PointState> = planning_points(&file, d(RELEASE)).iter().map(|s| s.state).collect();
        assert_eq!(
            states,
            vec![
                PointState::Covered,
                PointState::Undated,
                PointState::Undated,
                PointState::Undated,
                PointState::Undated
            ]
        );
    }

    #[test]
    fn planning_points_lists_all_five_in_order() {
        let file = FileBuilder::released_on(RELEASE).build();
        let points: Vec<u8> = planning_points(&file, d(RELEASE)).iter().map(|s| s.point.number()).collect();
        assert_eq!(points, vec![1, 2, 3, 4, 5]);
    }

    #[test]
    fn one_untagged_meeting_in_release_window_covers_point_three_only() {
        let file = FileBuilder::released_on(RELEASE)
            .meeting(meeting("m1", MeetingKind::Frigivningsmote, MeetingStatus::Genomfort, "2025-06-01 09:00"))
            .build();
        let states: Vec<PointState> = planning_points(&file, d("2025-06-02")).iter().map(|s| s.state).collect();
        assert_eq!(
            states,
            vec![
                PointState::Missed,
                PointState::Missed,
                PointState::Covered,
                PointState::NotYetDue,
                PointState::NotYetDue
            ]
        );
    }

    #[test]
    fn add_days_saturates_instead_of_panicking() {
        assert_eq!(add_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(add_days(NaiveDate::MIN, -1), NaiveDate::MIN);
        assert_eq!(add_days(d("2025-01-31"), 1), d("2025-02-01"));
    }

    #[test]
    fn joint_meeting_kinds_exclude_supervision_and_organisational_meetings() {
        let joint = |kind| is_joint_meeting(&meeting("m", kind, MeetingStatus::Genomfort, "2025-01-01 10:00"));
        assert!(joint(MeetingKind::Samverkansmote));
        assert!(joint(MeetingKind::SipUppfoljning));
        assert!(!joint(MeetingKind::Overvakningssamtal));
        assert!(!joint(MeetingKind::Styrgrupp));
    }
}
