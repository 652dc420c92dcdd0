//! Readiness and gap rules behind the dashboards (product.md "What it must do" item 10,
//! domain.md §9). Each rule is one function over a `ClientFile`; dashboards pick the clients
//! (release range, office, enrolment status) and call the rules per client.
//!
//! Two readings of "not met" recur, on purpose:
//! - readiness rules ask "is it in place?", so any need not yet met counts, declined included
//!   (a client who declined housing help still has no home on release day);
//! - gap rules ask "is someone working on it?", so only open needs count (not met and not
//!   declined): nobody should be assigned to a need the client declined.

use chrono::NaiveDate;

use crate::domain::enums::{
    ActionStatus, EnrolmentStatus, EventKind, InterventionKind, InterventionPhase, InterventionStatus, LifeArea,
    MeetingKind, MeetingStatus, NeedStatus, OrgKind, PlanKind, PlanStatus,
};
use crate::domain::model::{ActionItem, ClientFile, Consent, Intervention, Meeting, Need};
use crate::domain::timeline::{self, add_days, days_between, in_window, is_joint_meeting};
use crate::i18n::Lang;

/// Days before the VF date from which a meeting counts as "in the release week".
pub const RELEASE_WEEK_BEFORE_DAYS: i64 = 7;

/// Days after the VF date up to which a meeting counts as "in the release week": the release
/// week and the first weeks after it, when the detailed schedule must be kept
/// ([001:2244-2246]; domain.md §9.1 "no booked meeting for release week or the first weeks").
pub const RELEASE_WEEK_AFTER_DAYS: i64 = 14;

/// Days before the VF date from which a missing release-week meeting is flagged. Half a year
/// out nobody books it yet; a month before, the meetings and the first period's schedule
/// should be in the calendar ([001:2483-2495]).
pub const RELEASE_WEEK_BOOKING_DAYS: i64 = 30;

/// Days before expiry from which a consent is "expiring soon": a month leaves time to meet the
/// client and renew it before sharing has to stop.
pub const CONSENT_EXPIRY_WARNING_DAYS: i64 = 30;

/// Days after release that make the "first 4 months" window: half of all reoffending happens
/// within just over 4 months ([001:248]). Four months is 122 days.
pub const FIRST_MONTHS_DAYS: i64 = 122;

/// Days before the end of the prövotid from which a missing handover is flagged
/// (domain.md §9.5, [001:2519-2530], [002:1636]).
pub const SUPERVISION_ENDING_DAYS: i64 = timeline::ENDING_DAYS;

/// Intervention kinds that are treatment which must continue after release without gaps
/// ("inga oönskade glapp", [001:2060-2066]; domain.md §4.1 item 4).
pub const TREATMENT_KINDS: &[InterventionKind] = &[
    InterventionKind::Missbruksbehandling,
    InterventionKind::Psykiatri,
    InterventionKind::IntegreratTeam,
    InterventionKind::BrottsProgram,
];

/// Intervention kinds that arrange occupation: work, work training or education all meet the
/// programme's guarantee of occupation "in some form" (domain.md §4.1 item 5, [001:1963-1971]).
pub const OCCUPATION_KINDS: &[InterventionKind] = &[InterventionKind::Sysselsattning, InterventionKind::Utbildning];

/// Organisations that answer a debt need: Kronofogden or the municipal budget and debt adviser
/// (domain.md §6 R13, [001:2015-2023]).
pub const DEBT_PROVIDER_KINDS: &[OrgKind] = &[OrgKind::Kronofogden, OrgKind::Bus];

/// Organisations that answer a protection need besides a gang-exit intervention (domain.md §6
/// R14, [002:224]).
pub const PROTECTION_PROVIDER_KINDS: &[OrgKind] = &[OrgKind::Polis];

/// Meeting kinds that show a SIP is under way (domain.md §5.1).
pub const SIP_MEETING_KINDS: &[MeetingKind] = &[MeetingKind::Sip, MeetingKind::SipUppfoljning];

// --- shared predicates -------------------------------------------------------------------------

/// Not met and not declined: someone should be working on it.
fn need_is_open(need: &Need) -> bool {
    !matches!(need.status, NeedStatus::Tillgodosedd | NeedStatus::Avbojd)
}

/// Some need in `area` is not met yet (declined included: see the module note).
fn need_unmet(file: &ClientFile, area: LifeArea) -> bool {
    file.needs.iter().any(|n| n.area == area && n.status != NeedStatus::Tillgodosedd)
}

/// Some need in `area` is open.
fn need_open(file: &ClientFile, area: LifeArea) -> bool {
    file.needs.iter().any(|n| n.area == area && need_is_open(n))
}

/// Some need in `area` is met.
fn need_met(file: &ClientFile, area: LifeArea) -> bool {
    file.needs.iter().any(|n| n.area == area && n.status == NeedStatus::Tillgodosedd)
}

/// Under way or about to be: planned, offered, applied for, granted or ongoing.
fn intervention_is_live(i: &Intervention) -> bool {
    matches!(
        i.status,
        InterventionStatus::Planerad
            | InterventionStatus::Erbjuden
            | InterventionStatus::Ansokt
            | InterventionStatus::Beviljad
            | InterventionStatus::Pagaende
    )
}

/// Actually in place: granted or ongoing. A plan or an application is not a home or a job.
fn intervention_is_arranged(i: &Intervention) -> bool {
    matches!(i.status, InterventionStatus::Beviljad | InterventionStatus::Pagaende)
}

/// The provider took part: live or finished. Aborted, declined and information-only do not
/// count: the last is exactly the gap R23/R24 warn about.
fn intervention_engaged(i: &Intervention) -> bool {
    intervention_is_live(i) || i.status == InterventionStatus::Avslutad
}

/// Some meeting not cancelled has a participant of one of `kinds`.
fn meeting_with_org_kind(file: &ClientFile, kinds: &[OrgKind]) -> bool {
    file.meetings
        .iter()
        .any(|m| m.status != MeetingStatus::Installt && m.participant_org_kinds.iter().any(|k| kinds.contains(k)))
}

fn held_joint_meetings(file: &ClientFile) -> impl Iterator<Item = &Meeting> {
    file.meetings.iter().filter(|m| m.status == MeetingStatus::Genomfort && is_joint_meeting(m))
}

// --- meetings ----------------------------------------------------------------------------------

/// Number of held joint meetings. Participation in the programme is derived from this, never
/// typed in: the pilot's participant count was overstated when it was (domain.md §6 R4,
/// [002:613]).
pub fn joint_meeting_count(file: &ClientFile) -> usize {
    held_joint_meetings(file).count()
}

/// The earliest held joint meeting with a time.
pub fn first_joint_meeting(file: &ClientFile) -> Option<&Meeting> {
    held_joint_meetings(file).filter(|m| m.starts_at.is_some()).min_by_key(|m| m.starts_at)
}

/// Days from the first held joint meeting to the VF date: the lead time indicator (domain.md
/// §7; R26). Negative when the first joint meeting came after release.
pub fn lead_time_days(file: &ClientFile) -> Option<i64> {
    let first = first_joint_meeting(file)?.date()?;
    Some(days_between(first, file.release_on()?))
}

/// Meetings not cancelled that start between `from` and `to` (inclusive), earliest first: the
/// *Today* dashboard's "today" and "this week".
pub fn meetings_in_range(file: &ClientFile, from: NaiveDate, to: NaiveDate) -> Vec<&Meeting> {
    let mut found: Vec<&Meeting> = file
        .meetings
        .iter()
        .filter(|m| m.status != MeetingStatus::Installt)
        .filter(|m| m.date().is_some_and(|day| in_window(day, (from, to))))
        .collect();
    found.sort_by_key(|m| m.starts_at);
    found
}

// --- release radar -----------------------------------------------------------------------------

/// No joint meeting held yet. The first one should come 3–6 months before release; the usual
/// one month was judged too late (domain.md §2.2 rule 6, [002:815]). Booked meetings do not
/// clear the flag: the planning points show those.
pub fn no_joint_meeting_yet(file: &ClientFile) -> bool {
    joint_meeting_count(file) == 0
}

/// A housing need is not met and no housing intervention is granted or ongoing. Housing is the
/// first thing the release day needs ([001:2199-2221]). No housing need recorded means nothing
/// to arrange.
pub fn housing_not_arranged(file: &ClientFile) -> bool {
    need_unmet(file, LifeArea::Housing)
        && !file.interventions.iter().any(|i| i.kind == InterventionKind::Boende && intervention_is_arranged(i))
}

/// A work or occupation need is not met and no occupation or education intervention is granted
/// or ongoing. The programme guarantees occupation in some form (domain.md §4.1 item 5).
pub fn occupation_not_arranged(file: &ClientFile) -> bool {
    need_unmet(file, LifeArea::Employment)
        && !file.interventions.iter().any(|i| OCCUPATION_KINDS.contains(&i.kind) && intervention_is_arranged(i))
}

/// No consent is in force today. Consent is a prerequisite of the programme and of any sharing
/// between agencies ([001:1846-1854]; domain.md §6 R6).
pub fn consent_missing(file: &ClientFile, today: NaiveDate) -> bool {
    active_consents(file, today).next().is_none()
}

/// Consent is in force but none of it is documented in the VSP: it should be, for the client's
/// legal security, and was missing for about half of the pilot's clients ([002:210, 902]).
/// False when consent is missing altogether (`consent_missing` says that).
pub fn consent_undocumented(file: &ClientFile, today: NaiveDate) -> bool {
    let mut active = active_consents(file, today).peekable();
    active.peek().is_some() && !active.any(|c| c.documented_in_vsp)
}

/// No meeting planned or held from `RELEASE_WEEK_BEFORE_DAYS` before to
/// `RELEASE_WEEK_AFTER_DAYS` after the VF date. Before release the meetings and the first
/// period's schedule must be booked ([001:2483-2495]). Any meeting kind counts: a supervision
/// talk on release day is exactly the contact needed. False without a release date.
pub fn no_meeting_in_release_week(file: &ClientFile) -> bool {
    let Some(release) = file.release_on() else {
        return false;
    };
    let window = (add_days(release, -RELEASE_WEEK_BEFORE_DAYS), add_days(release, RELEASE_WEEK_AFTER_DAYS));
    !file
        .meetings
        .iter()
        .any(|m| m.status != MeetingStatus::Installt && m.date().is_some_and(|day| in_window(day, window)))
}

/// Treatment interventions of the prison phase that are not finished, aborted, declined or
/// information only, and that no other intervention (other than an aborted or declined one)
/// continues. Treatment started in prison must go on after release without gaps
/// ([001:1353-1357, 2060-2066]; domain.md §6 R20). A referral (information only) counts as a
/// continuation (domain.md §9.1 "no continuation or referral").
pub fn treatments_without_continuation(file: &ClientFile) -> Vec<&Intervention> {
    file.interventions
        .iter()
        .filter(|i| i.phase == Some(InterventionPhase::Anstalt))
        .filter(|i| TREATMENT_KINDS.contains(&i.kind))
        .filter(|i| {
            !matches!(
                i.status,
                InterventionStatus::Avslutad
                    | InterventionStatus::Avbruten
                    | InterventionStatus::Avbojd
                    | InterventionStatus::EndastInformation
            )
        })
        .filter(|i| !is_continued(file, &i.id))
        .collect()
}

fn is_continued(file: &ClientFile, id: &str) -> bool {
    file.interventions.iter().any(|c| {
        c.continues_id.as_deref() == Some(id)
            && !matches!(c.status, InterventionStatus::Avbruten | InterventionStatus::Avbojd)
    })
}

/// Whether any treatment lacks a continuation (see `treatments_without_continuation`).
pub fn treatment_without_continuation(file: &ClientFile) -> bool {
    !treatments_without_continuation(file).is_empty()
}

/// No support-person need is met and no support-person intervention is under way. Every
/// client should have access to a civil-society support person, at least during the
/// supervision year ([001:2146-2193]; domain.md §2.2 rule 10), so this flags even without a
/// recorded need. A planned support person counts: matching with a volunteer has no grant step.
pub fn no_support_person(file: &ClientFile) -> bool {
    !need_met(file, LifeArea::SupportPerson)
        && !file.interventions.iter().any(|i| i.kind == InterventionKind::Stodperson && intervention_is_live(i))
}

/// An ID-card or bank-account need is not met: without them the first days after release
/// (registrations, benefits, rent) stall ([001:2205]).
pub fn missing_id_or_bank(file: &ClientFile) -> bool {
    need_unmet(file, LifeArea::IdDocuments) || need_unmet(file, LifeArea::BankAccount)
}

/// The release radar's flags for one client (domain.md §9.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadinessFlags {
    /// See `no_joint_meeting_yet`.
    pub no_joint_meeting_yet: bool,
    /// See `housing_not_arranged`.
    pub housing_not_arranged: bool,
    /// See `occupation_not_arranged`.
    pub occupation_not_arranged: bool,
    /// See `consent_missing`.
    pub consent_missing: bool,
    /// See `consent_undocumented`.
    pub consent_undocumented: bool,
    /// See `no_meeting_in_release_week`.
    pub no_meeting_in_release_week: bool,
    /// See `treatment_without_continuation`.
    pub treatment_without_continuation: bool,
    /// See `no_support_person`.
    pub no_support_person: bool,
    /// See `missing_id_or_bank`.
    pub missing_id_or_bank: bool,
}

impl ReadinessFlags {
    /// Number of flags raised.
    pub fn count(&self) -> usize {
        [
            self.no_joint_meeting_yet,
            self.housing_not_arranged,
            self.occupation_not_arranged,
            self.consent_missing,
            self.consent_undocumented,
            self.no_meeting_in_release_week,
            self.treatment_without_continuation,
            self.no_support_person,
            self.missing_id_or_bank,
        ]
        .iter()
        .filter(|&&raised| raised)
        .count()
    }
}

/// Whether the release is close enough (or recent enough) for its meetings to be booked.
fn release_week_is_near(file: &ClientFile, today: NaiveDate) -> bool {
    file.release_on().is_some_and(|r| days_between(today, r) <= RELEASE_WEEK_BOOKING_DAYS)
}

/// All release-radar flags for one client on `today`. The release-week meeting is only
/// flagged from [`RELEASE_WEEK_BOOKING_DAYS`] before release.
pub fn readiness(file: &ClientFile, today: NaiveDate) -> ReadinessFlags {
    ReadinessFlags {
        no_joint_meeting_yet: no_joint_meeting_yet(file),
        housing_not_arranged: housing_not_arranged(file),
        occupation_not_arranged: occupation_not_arranged(file),
        consent_missing: consent_missing(file, today),
        consent_undocumented: consent_undocumented(file, today),
        no_meeting_in_release_week: release_week_is_near(file, today) && no_meeting_in_release_week(file),
        treatment_without_continuation: treatment_without_continuation(file),
        no_support_person: no_support_person(file),
        missing_id_or_bank: missing_id_or_bank(file),
    }
}

// --- consent -----------------------------------------------------------------------------------

/// Where a client's consent stands today (dashboard *Consent*, domain.md §9.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsentState {
    /// No consent was ever given (or only one dated in the future).
    Missing,
    /// In force and documented; `expires_on` is the latest expiry, `None` when open-ended.
    Active {
        /// Last valid day, if any.
        expires_on: Option<NaiveDate>,
    },
    /// In force and documented, but expires within `CONSENT_EXPIRY_WARNING_DAYS`.
    ExpiringSoon {
        /// Last valid day.
        expires_on: NaiveDate,
    },
    /// The last consent ran out.
    Expired {
        /// Its last valid day.
        expired_on: NaiveDate,
    },
    /// The last consent was withdrawn by the client.
    Revoked {
        /// Day it was withdrawn.
        revoked_on: NaiveDate,
    },
    /// In force but not documented in the VSP. Reported before expiry because it is a
    /// legal-security defect that exists today; expiry is checked separately once fixed.
    Undocumented,
}

impl ConsentState {
    /// Whether information may be shared under this state (documentation is a record-keeping
    /// defect, not a lack of consent).
    pub fn allows_sharing(self) -> bool {
        matches!(self, ConsentState::Active { .. } | ConsentState::ExpiringSoon { .. } | ConsentState::Undocumented)
    }

    /// The label shown to the user.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ConsentState::Missing, Lang::Sv) => "Samtycke saknas",
            (ConsentState::Missing, Lang::En) => "Consent missing",
            (ConsentState::Active { .. }, Lang::Sv) => "Samtycke gäller",
            (ConsentState::Active { .. }, Lang::En) => "Consent in force",
            (ConsentState::ExpiringSoon { .. }, Lang::Sv) => "Samtycke går snart ut",
            (ConsentState::ExpiringSoon { .. }, Lang::En) => "Consent expiring soon",
            (ConsentState::Expired { .. }, Lang::Sv) => "Samtycke har gått ut",
            (ConsentState::Expired { .. }, Lang::En) => "Consent expired",
            (ConsentState::Revoked { .. }, Lang::Sv) => "Samtycke återkallat",
            (ConsentState::Revoked { .. }, Lang::En) => "Consent withdrawn",
            (ConsentState::Undocumented, Lang::Sv) => "Samtycke ej dokumenterat",
            (ConsentState::Undocumented, Lang::En) => "Consent not documented",
        }
    }
}

/// A consent is in force on every day from `given_on` up to and including `expires_on`, and
/// stops on the day it is revoked: the client's withdrawal takes effect at once (R7).
pub fn consent_in_force(consent: &Consent, today: NaiveDate) -> bool {
    consent.given_on.is_some_and(|g| g <= today)
        && consent.revoked_on.is_none_or(|r| r > today)
        && consent.expires_on.is_none_or(|e| e >= today)
}

/// Consents in force today.
pub fn active_consents(file: &ClientFile, today: NaiveDate) -> impl Iterator<Item = &Consent> {
    file.consents.iter().filter(move |c| consent_in_force(c, today))
}

/// The client's consent state today. With several consents in force the latest expiry counts;
/// with none, the consent that ended last says whether it expired or was revoked.
pub fn consent_state(file: &ClientFile, today: NaiveDate) -> ConsentState {
    let active: Vec<&Consent> = active_consents(file, today).collect();
    if active.is_empty() {
        return ended_consent_state(file, today);
    }
    if !active.iter().any(|c| c.documented_in_vsp) {
        return ConsentState::Undocumented;
    }
    // An open-ended consent outlives every dated one.
    let expires_on = if active.iter().any(|c| c.expires_on.is_none()) {
        None
    } else {
        active.iter().filter_map(|c| c.expires_on).max()
    };
    match expires_on {
        Some(e) if days_between(today, e) <= CONSENT_EXPIRY_WARNING_DAYS => {
            ConsentState::ExpiringSoon { expires_on: e }
        }
        other => ConsentState::Active { expires_on: other },
    }
}

/// State when no consent is in force: whichever given consent ended last decides.
fn ended_consent_state(file: &ClientFile, today: NaiveDate) -> ConsentState {
    file.consents
        .iter()
        .filter(|c| c.given_on.is_some_and(|g| g <= today))
        .filter_map(|c| consent_ending(c, today))
        .max_by_key(|&(ended, _)| ended)
        .map_or(ConsentState::Missing, |(_, state)| state)
}

/// When and how a consent ended, if it has: revoked on a day, or expired after its last valid
/// day. If both, the earlier is what actually ended it.
fn consent_ending(c: &Consent, today: NaiveDate) -> Option<(NaiveDate, ConsentState)> {
    let revoked = c.revoked_on.filter(|&r| r <= today).map(|r| (r, ConsentState::Revoked { revoked_on: r }));
    let expired =
        c.expires_on.filter(|&e| e < today).map(|e| (add_days(e, 1), ConsentState::Expired { expired_on: e }));
    match (revoked, expired) {
        (Some(r), Some(e)) => Some(if r.0 <= e.0 { r } else { e }),
        (r, e) => r.or(e),
    }
}

/// Whether a consent in force today names `org_id` in its scope. Consent is given per receiving
/// organisation (domain.md §6 R8); an empty scope covers nobody.
pub fn consent_covers(file: &ClientFile, org_id: &str, today: NaiveDate) -> bool {
    active_consents(file, today).any(|c| c.scope_org_ids.iter().any(|o| o == org_id))
}

/// Organisations taking part in a meeting not cancelled that no consent in force covers,
/// sorted and without repeats: adding such a participant must warn (product.md item 7, R8).
/// The caller drops its own organisation, which needs no consent to hold its own data.
pub fn orgs_outside_consent(file: &ClientFile, today: NaiveDate) -> Vec<String> {
    let mut orgs: Vec<String> = file
        .meetings
        .iter()
        .filter(|m| m.status != MeetingStatus::Installt)
        .flat_map(|m| m.participant_org_ids.iter())
        .filter(|org| !consent_covers(file, org, today))
        .cloned()
        .collect();
    orgs.sort();
    orgs.dedup();
    orgs
}

// --- need gaps ---------------------------------------------------------------------------------

/// Open needs with no live intervention from a named provider addressing them (domain.md §9.6,
/// R13). Information-only, finished, aborted and declined interventions do not count: the need
/// is still open and nobody is on it now. A history of antisocial behaviour is a static risk
/// factor with no provider (domain.md §3), so it is never a gap.
pub fn needs_without_provider(file: &ClientFile) -> Vec<&Need> {
    file.needs
        .iter()
        .filter(|n| need_is_open(n) && n.area != LifeArea::AntisocialHistory)
        .filter(|n| !has_live_provider(file, &n.id))
        .collect()
}

fn has_live_provider(file: &ClientFile, need_id: &str) -> bool {
    file.interventions
        .iter()
        .any(|i| intervention_is_live(i) && i.provider_org_id.is_some() && i.need_ids.iter().any(|id| id == need_id))
}

/// An open debt need, and neither Kronofogden nor a budget and debt adviser (BUS) is engaged
/// through an intervention or a meeting (domain.md §6 R13, [002:224]). A finished debt-advice
/// intervention counts: debts outlast the advice.
pub fn debt_without_kronofogden_or_bus(file: &ClientFile) -> bool {
    let engaged = file.interventions.iter().any(|i| {
        intervention_engaged(i)
            && (i.kind == InterventionKind::Skuldradgivning
                || i.provider_kind.is_some_and(|k| DEBT_PROVIDER_KINDS.contains(&k)))
    });
    need_open(file, LifeArea::Debt) && !engaged && !meeting_with_org_kind(file, DEBT_PROVIDER_KINDS)
}

/// Open substance-abuse and mental-health needs together, and no SIP: neither a plan of kind SIP
/// that is not closed nor a SIP meeting not cancelled. Both needs call for social services and
/// health care together, which is what a SIP is for (domain.md §6 R14, §5.1, [002:1017]).
pub fn substance_and_mental_without_sip(file: &ClientFile) -> bool {
    let sip_plan = file.plans.iter().any(|p| p.kind == PlanKind::Sip && p.status != PlanStatus::Avslutad);
    let sip_meeting =
        file.meetings.iter().any(|m| SIP_MEETING_KINDS.contains(&m.kind) && m.status != MeetingStatus::Installt);
    need_open(file, LifeArea::SubstanceAbuse) && need_open(file, LifeArea::MentalHealth) && !sip_plan && !sip_meeting
}

/// An open protection need, and neither the police nor a protection / gang-exit intervention is
/// engaged (domain.md §6 R14, [002:224]).
pub fn protection_without_police(file: &ClientFile) -> bool {
    let engaged = file.interventions.iter().any(|i| {
        intervention_engaged(i)
            && (i.kind == InterventionKind::Skydd
                || i.provider_kind.is_some_and(|k| PROTECTION_PROVIDER_KINDS.contains(&k)))
    });
    need_open(file, LifeArea::Protection) && !engaged && !meeting_with_org_kind(file, PROTECTION_PROVIDER_KINDS)
}

/// The *Need gaps* dashboard's findings for one client (domain.md §9.6).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NeedGaps {
    /// Ids of the needs from `needs_without_provider`.
    pub without_provider: Vec<String>,
    /// See `debt_without_kronofogden_or_bus`.
    pub debt_without_kronofogden_or_bus: bool,
    /// See `substance_and_mental_without_sip`.
    pub substance_and_mental_without_sip: bool,
    /// See `protection_without_police`.
    pub protection_without_police: bool,
}

impl NeedGaps {
    /// Number of gaps: each need without provider, plus each raised flag.
    pub fn count(&self) -> usize {
        let flags = [
            self.debt_without_kronofogden_or_bus,
            self.substance_and_mental_without_sip,
            self.protection_without_police,
        ];
        self.without_provider.len() + flags.iter().filter(|&&raised| raised).count()
    }
}

/// All need gaps for one client.
pub fn need_gaps(file: &ClientFile) -> NeedGaps {
    NeedGaps {
        without_provider: needs_without_provider(file).iter().map(|n| n.id.clone()).collect(),
        debt_without_kronofogden_or_bus: debt_without_kronofogden_or_bus(file),
        substance_and_mental_without_sip: substance_and_mental_without_sip(file),
        protection_without_police: protection_without_police(file),
    }
}

// --- supervision ending, first weeks -----------------------------------------------------------

/// An active programme whose prövotid ends within `SUPERVISION_ENDING_DAYS` (today up to its
/// last day) with no handover of coordination recorded. Kriminalvården's role ends with
/// supervision, so someone else must take over (domain.md §6 R18, [001:2519-2530]). Candidates
/// and closed cases have nothing to hand over.
pub fn supervision_ending_without_handover(file: &ClientFile, today: NaiveDate) -> bool {
    let Some(end) = file.probation_end_on() else {
        return false;
    };
    let active = file.enrolment.as_ref().is_some_and(|e| e.status == EnrolmentStatus::Aktiv);
    let handed_over = file.enrolment.as_ref().is_some_and(|e| e.handover_org_id.is_some());
    let left = days_between(today, end);
    active && !handed_over && (0..=SUPERVISION_ENDING_DAYS).contains(&left)
}

/// Days since release (0 on the release day) if within the first 4 weeks, when suicide risk
/// peaks ([001:1422-1426]).
pub fn first_weeks(file: &ClientFile, today: NaiveDate) -> Option<i64> {
    days_since_release_within(file, today, timeline::FIRST_WEEKS_DAYS)
}

/// Days since release (0 on the release day) if within the first 4 months, the reoffending
/// window ([001:248]).
pub fn first_months(file: &ClientFile, today: NaiveDate) -> Option<i64> {
    days_since_release_within(file, today, FIRST_MONTHS_DAYS)
}

fn days_since_release_within(file: &ClientFile, today: NaiveDate, limit: i64) -> Option<i64> {
    let since = days_between(file.release_on()?, today);
    (0..=limit).contains(&since).then_some(since)
}

// --- today: action items and follow-ups --------------------------------------------------------

/// Open action items whose due day has passed (due today is not yet overdue). Tasks stay on the
/// dashboards until done ("Vem gör vad?", domain.md §6 R22).
pub fn overdue_action_items(file: &ClientFile, today: NaiveDate) -> Vec<&ActionItem> {
    file.action_items
        .iter()
        .filter(|a| a.status == ActionStatus::Oppen && a.due_on.is_some_and(|d| d < today))
        .collect()
}

/// What a follow-up belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FollowUpSource {
    /// A plan's next follow-up (e.g. the SIP follow-up, domain.md §6 R11).
    Plan {
        /// Plan id.
        id: String,
        /// Plan kind.
        kind: PlanKind,
    },
    /// An event's follow-up (domain.md §6 R17).
    Event {
        /// Event id.
        id: String,
        /// Event kind.
        kind: EventKind,
    },
}

/// A follow-up that is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUp {
    /// What it belongs to.
    pub source: FollowUpSource,
    /// The day it was due.
    pub due_on: NaiveDate,
}

/// Follow-ups whose day has passed, earliest first: plans not closed with `next_follow_up_on`
/// before today, and events with `follow_up_on` before today that no action item takes care of.
/// An event with a linked action item is skipped either way: when the item is done the
/// follow-up happened, and while it is open `overdue_action_items` reports it already.
pub fn overdue_follow_ups(file: &ClientFile, today: NaiveDate) -> Vec<FollowUp> {
    let plans = file.plans.iter().filter(|p| p.status != PlanStatus::Avslutad).filter_map(|p| {
        let due_on = p.next_follow_up_on.filter(|&d| d < today)?;
        let source = FollowUpSource::Plan { id: p.id.clone(), kind: p.kind };
        Some(FollowUp { source, due_on })
    });
    let events = file
        .events
        .iter()
        .filter(|e| !file.action_items.iter().any(|a| a.event_id.as_deref() == Some(&e.id)))
        .filter_map(|e| {
            let due_on = e.follow_up_on.filter(|&d| d < today)?;
            let source = FollowUpSource::Event { id: e.id.clone(), kind: e.kind };
            Some(FollowUp { source, due_on })
        });
    let mut due: Vec<FollowUp> = plans.chain(events).collect();
    due.sort_by_key(|f| f.due_on);
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::model::test_support::*;
    use crate::domain::model::{Enrolment, Meeting};

    const RELEASE: &str = "2025-06-01";
    const TODAY: &str = "2025-04-01";

    fn released() -> FileBuilder {
        FileBuilder::released_on(RELEASE)
    }

    fn today() -> NaiveDate {
        d(TODAY)
    }

    fn held(id: &str, kind: MeetingKind, when: &str) -> Meeting {
        meeting(id, kind, MeetingStatus::Genomfort, when)
    }

    fn with_provider(i: Intervention, org: &str, kind: OrgKind) -> Intervention {
        Intervention { provider_org_id: Some(org.into()), provider_kind: Some(kind), ..i }
    }

    fn in_prison(i: Intervention) -> Intervention {
        Intervention { phase: Some(InterventionPhase::Anstalt), ..i }
    }

    // --- joint meetings, lead time, range ---

    #[test]
    fn joint_meeting_count_counts_only_held_joint_meetings() {
        let file = released()
            .meeting(held("m1", MeetingKind::Samverkansmote, "2025-02-01 10:00"))
            .meeting(held("m2", MeetingKind::Overvakningssamtal, "2025-02-02 10:00"))
            .meeting(meeting("m3", MeetingKind::Sip, MeetingStatus::Planerat, "2025-05-01 10:00"))
            .meeting(meeting("m4", MeetingKind::Sip, MeetingStatus::Installt, "2025-03-01 10:00"))
            .meeting(held("m5", MeetingKind::Sip, "2025-03-05 10:00"))
            .build();
        assert_eq!(joint_meeting_count(&file), 2);
    }

    #[test]
    fn first_joint_meeting_is_the_earliest_held_one() {
        let file = released()
            .meeting(held("late", MeetingKind::Sip, "2025-03-05 10:00"))
            .meeting(held("early", MeetingKind::Samverkansmote, "2025-02-01 10:00"))
            .meeting(held("talk", MeetingKind::Overvakningssamtal, "2025-01-01 10:00"))
            .build();
        assert_eq!(first_joint_meeting(&file).map(|m| m.id.as_str()), Some("early"));
    }

    #[test]
    fn lead_time_is_days_from_first_joint_meeting_to_release() {
        let file = released().meeting(held("m1", MeetingKind::Samverkansmote, "2025-03-03 14:00")).build();
        assert_eq!(lead_time_days(&file), Some(90));
    }

    #[test]
    fn lead_time_is_negative_when_first_joint_meeting_is_after_release() {
        let file = released().meeting(held("m1", MeetingKind::Samverkansmote, "2025-06-11 14:00")).build();
        assert_eq!(lead_time_days(&file), Some(-10));
    }

    #[test]
    fn lead_time_is_none_without_joint_meeting_or_release_date() {
        assert_eq!(lead_time_days(&released().build()), None);
        let file = FileBuilder::new().meeting(held("m1", MeetingKind::Samverkansmote, "2025-03-03 14:00")).build();
        assert_eq!(lead_time_days(&file), None);
    }

    #[test]
    fn meetings_in_range_includes_both_ends_sorted_and_skips_cancelled() {
        let file = released()
            .meeting(meeting("sun", MeetingKind::Sip, MeetingStatus::Planerat, "2025-04-06 23:00"))
            .meeting(meeting("mon", MeetingKind::Sip, MeetingStatus::Planerat, "2025-03-31 08:00"))
            .meeting(meeting("off", MeetingKind::Sip, MeetingStatus::Installt, "2025-04-02 08:00"))
            .meeting(meeting("next", MeetingKind::Sip, MeetingStatus::Planerat, "2025-04-07 08:00"))
            .meeting(held("done", MeetingKind::Overvakningssamtal, "2025-04-01 09:00"))
            .build();
        let ids: Vec<&str> =
            meetings_in_range(&file, d("2025-03-31"), d("2025-04-06")).iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, vec!["mon", "done", "sun"]);
    }

    // --- release radar ---

    #[test]
    fn release_radar_flags_no_joint_meeting_when_only_a_supervision_talk_was_held() {
        let file = released().meeting(held("m1", MeetingKind::Overvakningssamtal, "2025-02-01 10:00")).build();
        assert!(no_joint_meeting_yet(&file));
    }

    #[test]
    fn release_radar_clears_no_joint_meeting_after_a_held_sip_meeting() {
        let file = released().meeting(held("m1", MeetingKind::Sip, "2025-02-01 10:00")).build();
        assert!(!no_joint_meeting_yet(&file));
    }

    #[test]
    fn release_radar_flags_housing_when_housing_need_not_met() {
        let file = released().need(need("n1", LifeArea::Housing, NeedStatus::Planerad)).build();
        assert!(housing_not_arranged(&file));
    }

    #[test]
    fn release_radar_flags_housing_when_housing_help_was_declined() {
        let file = released().need(need("n1", LifeArea::Housing, NeedStatus::Avbojd)).build();
        assert!(housing_not_arranged(&file));
    }

    #[test]
    fn housing_need_met_is_not_flagged() {
        let file = released().need(need("n1", LifeArea::Housing, NeedStatus::Tillgodosedd)).build();
        assert!(!housing_not_arranged(&file));
        assert!(!housing_not_arranged(&released().build()));
    }

    #[test]
    fn housing_granted_intervention_clears_the_housing_flag_but_applied_does_not() {
        let base = released().need(need("n1", LifeArea::Housing, NeedStatus::Pagaende));
        let applied =
            base.intervention(intervention("i1", InterventionKind::Boende, InterventionStatus::Ansokt)).build();
        assert!(housing_not_arranged(&applied));
        let mut granted = applied.clone();
        granted.interventions[0].status = InterventionStatus::Beviljad;
        assert!(!housing_not_arranged(&granted));
    }

    #[test]
    fn release_radar_flags_occupation_when_employment_need_not_met() {
        let file = released().need(need("n1", LifeArea::Employment, NeedStatus::Identifierad)).build();
        assert!(occupation_not_arranged(&file));
    }

    #[test]
    fn release_radar_flags_occupation_when_work_help_was_declined() {
        let file = released().need(need("n1", LifeArea::Employment, NeedStatus::Avbojd)).build();
        assert!(occupation_not_arranged(&file));
    }

    #[test]
    fn ongoing_education_counts_as_occupation_arranged() {
        let file = released()
            .need(need("n1", LifeArea::Employment, NeedStatus::Identifierad))
            .intervention(intervention("i1", InterventionKind::Utbildning, InterventionStatus::Pagaende))
            .build();
        assert!(!occupation_not_arranged(&file));
    }

    #[test]
    fn occupation_need_met_is_not_flagged() {
        let file = released().need(need("n1", LifeArea::Employment, NeedStatus::Tillgodosedd)).build();
        assert!(!occupation_not_arranged(&file));
    }

    #[test]
    fn release_radar_flags_no_meeting_in_release_week_when_only_a_cancelled_one_exists() {
        let file = released()
            .meeting(meeting("m1", MeetingKind::Frigivningsmote, MeetingStatus::Installt, "2025-06-01 09:00"))
            .build();
        assert!(no_meeting_in_release_week(&file));
    }

    #[test]
    fn planned_meeting_seven_days_before_release_is_in_release_week() {
        let file = released()
            .meeting(meeting("m1", MeetingKind::Overvakningssamtal, MeetingStatus::Planerat, "2025-05-25 09:00"))
            .build();
        assert!(!no_meeting_in_release_week(&file));
    }

    #[test]
    fn meeting_eight_days_before_release_is_not_in_release_week() {
        let file = released()
            .meeting(meeting("m1", MeetingKind::Samverkansmote, MeetingStatus::Planerat, "2025-05-24 09:00"))
            .build();
        assert!(no_meeting_in_release_week(&file));
    }

    #[test]
    fn meeting_fourteen_days_after_release_is_in_release_week() {
        let file = released()
            .meeting(meeting("m1", MeetingKind::Samverkansmote, MeetingStatus::Planerat, "2025-06-15 16:00"))
            .build();
        assert!(!no_meeting_in_release_week(&file));
    }

    #[test]
    fn meeting_fifteen_days_after_release_is_not_in_release_week() {
        let file = released()
            .meeting(meeting("m1", MeetingKind::Samverkansmote, MeetingStatus::Planerat, "2025-06-16 08:00"))
            .build();
        assert!(no_meeting_in_release_week(&file));
    }

    #[test]
    fn no_release_date_raises_no_release_week_flag() {
        assert!(!no_meeting_in_release_week(&FileBuilder::new().build()));
    }

    #[test]
    fn release_radar_flags_prison_treatment_without_continuation() {
        let file = released()
            .intervention(in_prison(intervention(
                "t1",
                InterventionKind::Missbruksbehandling,
                InterventionStatus::Pagaende,
            )))
            .build();
        assert!(treatment_without_continuation(&file));
        assert_eq!(treatments_without_continuation(&file)[0].id, "t1");
    }

    #[test]
    fn prison_treatment_with_a_continuation_is_not_flagged() {
        let file = released()
            .intervention(in_prison(intervention("t1", InterventionKind::Psykiatri, InterventionStatus::Pagaende)))
            .intervention(Intervention {
                continues_id: Some("t1".into()),
                ..intervention("t2", InterventionKind::Psykiatri, InterventionStatus::Beviljad)
            })
            .build();
        assert!(!treatment_without_continuation(&file));
    }

    #[test]
    fn a_referral_counts_as_continuation_but_an_aborted_one_does_not() {
        let base = released().intervention(in_prison(intervention(
            "t1",
            InterventionKind::BrottsProgram,
            InterventionStatus::Pagaende,
        )));
        let referral = base
            .intervention(Intervention {
                continues_id: Some("t1".into()),
                ..intervention("t2", InterventionKind::Information, InterventionStatus::EndastInformation)
            })
            .build();
        assert!(!treatment_without_continuation(&referral));
        let mut aborted = referral.clone();
        aborted.interventions[1].status = InterventionStatus::Avbruten;
        assert!(treatment_without_continuation(&aborted));
    }

    #[test]
    fn finished_prison_treatment_needs_no_continuation() {
        let file = released()
            .intervention(in_prison(intervention("t1", InterventionKind::IntegreratTeam, InterventionStatus::Avslutad)))
            .build();
        assert!(!treatment_without_continuation(&file));
    }

    #[test]
    fn prison_education_is_not_treatment() {
        let file = released()
            .intervention(in_prison(intervention("u1", InterventionKind::Utbildning, InterventionStatus::Pagaende)))
            .build();
        assert!(!treatment_without_continuation(&file));
    }

    #[test]
    fn treatment_after_release_needs_no_continuation_link() {
        let file = released()
            .intervention(Intervention {
                phase: Some(InterventionPhase::Overvakning),
                ..intervention("t1", InterventionKind::Missbruksbehandling, InterventionStatus::Pagaende)
            })
            .build();
        assert!(!treatment_without_continuation(&file));
    }

    #[test]
    fn release_radar_flags_no_support_person_even_without_a_recorded_need() {
        assert!(no_support_person(&released().build()));
    }

    #[test]
    fn planned_support_person_intervention_clears_the_flag() {
        let file = released()
            .intervention(intervention("s1", InterventionKind::Stodperson, InterventionStatus::Planerad))
            .build();
        assert!(!no_support_person(&file));
    }

    #[test]
    fn met_support_person_need_clears_the_flag_but_aborted_intervention_does_not() {
        let met = released().need(need("n1", LifeArea::SupportPerson, NeedStatus::Tillgodosedd)).build();
        assert!(!no_support_person(&met));
        let aborted = released()
            .intervention(intervention("s1", InterventionKind::Stodperson, InterventionStatus::Avbruten))
            .build();
        assert!(no_support_person(&aborted));
    }

    #[test]
    fn release_radar_flags_missing_bank_account() {
        let file = released()
            .need(need("n1", LifeArea::IdDocuments, NeedStatus::Tillgodosedd))
            .need(need("n2", LifeArea::BankAccount, NeedStatus::Pagaende))
            .build();
        assert!(missing_id_or_bank(&file));
    }

    #[test]
    fn met_id_and_bank_needs_are_not_flagged() {
        let file = released()
            .need(need("n1", LifeArea::IdDocuments, NeedStatus::Tillgodosedd))
            .need(need("n2", LifeArea::BankAccount, NeedStatus::Tillgodosedd))
            .build();
        assert!(!missing_id_or_bank(&file));
    }

    #[test]
    fn the_release_week_meeting_is_flagged_only_within_a_month_of_release() {
        let file = released().build();
        assert!(no_meeting_in_release_week(&file));
        assert!(!readiness(&file, today()).no_meeting_in_release_week, "61 days out: too early to flag");
        let month_before = add_days(d(RELEASE), -RELEASE_WEEK_BOOKING_DAYS);
        assert!(readiness(&file, month_before).no_meeting_in_release_week, "30 days out: flagged");
        assert!(readiness(&file, d(RELEASE)).no_meeting_in_release_week, "on the day: flagged");
    }

    #[test]
    fn readiness_of_a_bare_file_raises_the_flags_that_need_no_data() {
        let flags = readiness(&released().build(), today());
        assert_eq!(
            flags,
            ReadinessFlags {
                no_joint_meeting_yet: true,
                consent_missing: true,
                no_support_person: true,
                ..ReadinessFlags::default()
            }
        );
        assert_eq!(flags.count(), 3);
    }

    #[test]
    fn readiness_of_a_prepared_file_raises_nothing() {
        let file = released()
            .consent(consent("k1", "2025-01-10"))
            .meeting(held("m1", MeetingKind::Samverkansmote, "2025-02-01 10:00"))
            .meeting(meeting("m2", MeetingKind::Frigivningsmote, MeetingStatus::Planerat, "2025-06-01 09:00"))
            .need(need("n1", LifeArea::Housing, NeedStatus::Tillgodosedd))
            .intervention(intervention("s1", InterventionKind::Stodperson, InterventionStatus::Beviljad))
            .build();
        let flags = readiness(&file, today());
        assert_eq!(flags, ReadinessFlags::default());
        assert_eq!(flags.count(), 0);
    }

    #[test]
    fn readiness_count_counts_every_flag() {
        let all = ReadinessFlags {
            no_joint_meeting_yet: true,
            housing_not_arranged: true,
            occupation_not_arranged: true,
            consent_missing: true,
            consent_undocumented: true,
            no_meeting_in_release_week: true,
            treatment_without_continuation: true,
            no_support_person: true,
            missing_id_or_bank: true,
        };
        assert_eq!(all.count(), 9);
    }

    // --- consent ---

    #[test]
    fn consent_missing_when_none_recorded() {
        let file = released().build();
        assert!(consent_missing(&file, today()));
        assert_eq!(consent_state(&file, today()), ConsentState::Missing);
    }

    #[test]
    fn consent_given_in_the_future_is_missing() {
        let file = released().consent(consent("k1", "2025-04-02")).build();
        assert!(consent_missing(&file, today()));
        assert_eq!(consent_state(&file, today()), ConsentState::Missing);
    }

    #[test]
    fn consent_without_given_date_is_missing() {
        let file = released().consent(Consent { given_on: None, ..consent("k1", "2025-01-01") }).build();
        assert!(consent_missing(&file, today()));
    }

    #[test]
    fn consent_revoked_before_its_future_start_is_missing() {
        let file =
            released().consent(Consent { revoked_on: Some(d("2025-03-01")), ..consent("k1", "2025-05-01") }).build();
        assert_eq!(consent_state(&file, today()), ConsentState::Missing);
    }

    #[test]
    fn consent_given_today_is_active() {
        let file = released().consent(consent("k1", TODAY)).build();
        assert!(!consent_missing(&file, today()));
        assert_eq!(consent_state(&file, today()), ConsentState::Active { expires_on: None });
    }

    #[test]
    fn consent_revoked_yesterday_is_revoked() {
        let file =
            released().consent(Consent { revoked_on: Some(d("2025-03-31")), ..consent("k1", "2025-01-01") }).build();
        assert!(consent_missing(&file, today()));
        assert_eq!(consent_state(&file, today()), ConsentState::Revoked { revoked_on: d("2025-03-31") });
    }

    #[test]
    fn consent_revoked_today_is_revoked_at_once() {
        let file = released().consent(Consent { revoked_on: Some(today()), ..consent("k1", "2025-01-01") }).build();
        assert_eq!(consent_state(&file, today()), ConsentState::Revoked { revoked_on: today() });
    }

    #[test]
    fn consent_expiring_today_is_still_in_force() {
        let file = released().consent(Consent { expires_on: Some(today()), ..consent("k1", "2025-01-01") }).build();
        assert!(!consent_missing(&file, today()));
        assert_eq!(consent_state(&file, today()), ConsentState::ExpiringSoon { expires_on: today() });
    }

    #[test]
    fn consent_that_expired_yesterday_is_expired() {
        let file =
            released().consent(Consent { expires_on: Some(d("2025-03-31")), ..consent("k1", "2025-01-01") }).build();
        assert!(consent_missing(&file, today()));
        assert_eq!(consent_state(&file, today()), ConsentState::Expired { expired_on: d("2025-03-31") });
    }

    #[test]
    fn consent_revoked_after_it_expired_is_expired() {
        let file = released()
            .consent(Consent {
                expires_on: Some(d("2025-02-01")),
                revoked_on: Some(d("2025-03-01")),
                ..consent("k1", "2025-01-01")
            })
            .build();
        assert_eq!(consent_state(&file, today()), ConsentState::Expired { expired_on: d("2025-02-01") });
    }

    #[test]
    fn consent_revoked_before_it_expired_is_revoked() {
        let file = released()
            .consent(Consent {
                expires_on: Some(d("2025-03-01")),
                revoked_on: Some(d("2025-02-01")),
                ..consent("k1", "2025-01-01")
            })
            .build();
        assert_eq!(consent_state(&file, today()), ConsentState::Revoked { revoked_on: d("2025-02-01") });
    }

    #[test]
    fn the_consent_that_ended_last_decides_between_revoked_and_expired() {
        let file = released()
            .consent(Consent { revoked_on: Some(d("2025-01-15")), ..consent("old", "2025-01-01") })
            .consent(Consent { expires_on: Some(d("2025-03-01")), ..consent("new", "2025-02-01") })
            .build();
        assert_eq!(consent_state(&file, today()), ConsentState::Expired { expired_on: d("2025-03-01") });
    }

    #[test]
    fn a_renewed_consent_replaces_a_revoked_one() {
        let file = released()
            .consent(Consent { revoked_on: Some(d("2025-01-15")), ..consent("old", "2025-01-01") })
            .consent(consent("new", "2025-02-01"))
            .build();
        assert_eq!(consent_state(&file, today()), ConsentState::Active { expires_on: None });
    }

    #[test]
    fn consent_expiring_in_30_days_is_expiring_soon_and_in_31_days_is_active() {
        let soon =
            released().consent(Consent { expires_on: Some(d("2025-05-01")), ..consent("k1", "2025-01-01") }).build();
        assert_eq!(consent_state(&soon, today()), ConsentState::ExpiringSoon { expires_on: d("2025-05-01") });
        let later =
            released().consent(Consent { expires_on: Some(d("2025-05-02")), ..consent("k1", "2025-01-01") }).build();
        assert_eq!(consent_state(&later, today()), ConsentState::Active { expires_on: Some(d("2025-05-02")) });
    }

    #[test]
    fn an_open_ended_consent_outlives_an_expiring_one() {
        let file = released()
            .consent(Consent { expires_on: Some(d("2025-04-10")), ..consent("k1", "2025-01-01") })
            .consent(consent("k2", "2025-02-01"))
            .build();
        assert_eq!(consent_state(&file, today()), ConsentState::Active { expires_on: None });
    }

    #[test]
    fn consent_not_documented_in_vsp_is_undocumented() {
        let file = released().consent(Consent { documented_in_vsp: false, ..consent("k1", "2025-01-01") }).build();
        assert!(consent_undocumented(&file, today()));
        assert!(!consent_missing(&file, today()));
        assert_eq!(consent_state(&file, today()), ConsentState::Undocumented);
        assert!(ConsentState::Undocumented.allows_sharing());
    }

    #[test]
    fn documented_consent_is_not_undocumented_and_missing_consent_is_not_undocumented() {
        let file = released().consent(consent("k1", "2025-01-01")).build();
        assert!(!consent_undocumented(&file, today()));
        assert!(!consent_undocumented(&released().build(), today()));
    }

    #[test]
    fn expired_and_revoked_consent_does_not_allow_sharing() {
        assert!(!ConsentState::Expired { expired_on: today() }.allows_sharing());
        assert!(!ConsentState::Revoked { revoked_on: today() }.allows_sharing());
        assert!(!ConsentState::Missing.allows_sharing());
        assert!(ConsentState::Active { expires_on: None }.allows_sharing());
    }

    #[test]
    fn consent_state_labels_in_both_languages() {
        assert_eq!(ConsentState::Missing.label(Lang::Sv), "Samtycke saknas");
        assert_eq!(ConsentState::Missing.label(Lang::En), "Consent missing");
        let revoked = ConsentState::Revoked { revoked_on: today() };
        assert_eq!(revoked.label(Lang::Sv), "Samtycke återkallat");
        assert_eq!(revoked.label(Lang::En), "Consent withdrawn");
    }

    #[test]
    fn consent_covers_only_organisations_in_scope_of_a_consent_in_force() {
        let file = released()
            .consent(Consent { scope_org_ids: vec!["soc".into(), "af".into()], ..consent("k1", "2025-01-01") })
            .consent(Consent {
                scope_org_ids: vec!["kfm".into()],
                revoked_on: Some(d("2025-03-01")),
                ..consent("k2", "2025-01-01")
            })
            .build();
        assert!(consent_covers(&file, "soc", today()));
        assert!(!consent_covers(&file, "kfm", today()));
        assert!(!consent_covers(&file, "polis", today()));
    }

    #[test]
    fn orgs_outside_consent_lists_uncovered_participants_once() {
        let file = released()
            .consent(Consent { scope_org_ids: vec!["soc".into()], ..consent("k1", "2025-01-01") })
            .meeting(Meeting {
                participant_org_ids: vec!["soc".into(), "region".into()],
                ..meeting("m1", MeetingKind::Sip, MeetingStatus::Planerat, "2025-05-01 10:00")
            })
            .meeting(Meeting {
                participant_org_ids: vec!["region".into(), "af".into()],
                ..meeting("m2", MeetingKind::Samverkansmote, MeetingStatus::Planerat, "2025-05-08 10:00")
            })
            .meeting(Meeting {
                participant_org_ids: vec!["polis".into()],
                ..meeting("m3", MeetingKind::Samverkansmote, MeetingStatus::Installt, "2025-05-09 10:00")
            })
            .build();
        assert_eq!(orgs_outside_consent(&file, today()), vec!["af".to_owned(), "region".to_owned()]);
    }

    // --- need gaps ---

    #[test]
    fn need_without_any_intervention_is_a_gap() {
        let file = released().need(need("n1", LifeArea::Income, NeedStatus::Identifierad)).build();
        assert_eq!(need_gaps(&file).without_provider, vec!["n1".to_owned()]);
    }

    #[test]
    fn need_with_a_live_provider_intervention_is_not_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::Income, NeedStatus::Planerad))
            .intervention(Intervention {
                need_ids: vec!["n1".into()],
                ..with_provider(
                    intervention("i1", InterventionKind::Forsorjning, InterventionStatus::Ansokt),
                    "soc",
                    OrgKind::Socialtjanst,
                )
            })
            .build();
        assert!(needs_without_provider(&file).is_empty());
    }

    #[test]
    fn need_with_only_information_or_no_provider_is_a_gap() {
        let info_only = Intervention {
            need_ids: vec!["n1".into()],
            ..with_provider(
                intervention("i1", InterventionKind::Boende, InterventionStatus::EndastInformation),
                "soc",
                OrgKind::Socialtjanst,
            )
        };
        let no_provider = Intervention {
            need_ids: vec!["n1".into()],
            ..intervention("i2", InterventionKind::Boende, InterventionStatus::Pagaende)
        };
        let file = released()
            .need(need("n1", LifeArea::Housing, NeedStatus::Pagaende))
            .intervention(info_only)
            .intervention(no_provider)
            .build();
        assert_eq!(needs_without_provider(&file).len(), 1);
    }

    #[test]
    fn provider_for_another_need_does_not_close_the_gap() {
        let file = released()
            .need(need("n1", LifeArea::Housing, NeedStatus::Pagaende))
            .need(need("n2", LifeArea::Income, NeedStatus::Pagaende))
            .intervention(Intervention {
                need_ids: vec!["n2".into()],
                ..with_provider(
                    intervention("i1", InterventionKind::Forsorjning, InterventionStatus::Beviljad),
                    "soc",
                    OrgKind::Socialtjanst,
                )
            })
            .build();
        assert_eq!(need_gaps(&file).without_provider, vec!["n1".to_owned()]);
    }

    #[test]
    fn met_declined_and_static_needs_are_never_gaps() {
        let file = released()
            .need(need("n1", LifeArea::Housing, NeedStatus::Tillgodosedd))
            .need(need("n2", LifeArea::Leisure, NeedStatus::Avbojd))
            .need(need("n3", LifeArea::AntisocialHistory, NeedStatus::Identifierad))
            .build();
        assert!(needs_without_provider(&file).is_empty());
    }

    #[test]
    fn debt_need_without_kronofogden_or_bus_is_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::Debt, NeedStatus::Identifierad))
            .intervention(with_provider(
                intervention("i1", InterventionKind::Forsorjning, InterventionStatus::Pagaende),
                "soc",
                OrgKind::Socialtjanst,
            ))
            .build();
        assert!(debt_without_kronofogden_or_bus(&file));
    }

    #[test]
    fn debt_need_with_kronofogden_intervention_is_not_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::Debt, NeedStatus::Identifierad))
            .intervention(with_provider(
                intervention("i1", InterventionKind::Annan, InterventionStatus::Planerad),
                "kfm",
                OrgKind::Kronofogden,
            ))
            .build();
        assert!(!debt_without_kronofogden_or_bus(&file));
    }

    #[test]
    fn debt_need_with_finished_debt_advice_is_not_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::Debt, NeedStatus::Pagaende))
            .intervention(intervention("i1", InterventionKind::Skuldradgivning, InterventionStatus::Avslutad))
            .build();
        assert!(!debt_without_kronofogden_or_bus(&file));
    }

    #[test]
    fn debt_need_with_declined_debt_advice_is_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::Debt, NeedStatus::Pagaende))
            .intervention(intervention("i1", InterventionKind::Skuldradgivning, InterventionStatus::Avbojd))
            .build();
        assert!(debt_without_kronofogden_or_bus(&file));
    }

    #[test]
    fn debt_need_with_bus_adviser_at_a_meeting_is_not_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::Debt, NeedStatus::Identifierad))
            .meeting(Meeting {
                participant_org_kinds: vec![OrgKind::Frivard, OrgKind::Bus],
                ..held("m1", MeetingKind::Samverkansmote, "2025-02-01 10:00")
            })
            .build();
        assert!(!debt_without_kronofogden_or_bus(&file));
    }

    #[test]
    fn no_debt_need_is_no_debt_gap() {
        assert!(!debt_without_kronofogden_or_bus(&released().build()));
    }

    #[test]
    fn substance_and_mental_health_needs_without_sip_are_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::SubstanceAbuse, NeedStatus::Pagaende))
            .need(need("n2", LifeArea::MentalHealth, NeedStatus::Identifierad))
            .plan(plan("p1", PlanKind::Vsp, PlanStatus::Gallande, None))
            .build();
        assert!(substance_and_mental_without_sip(&file));
    }

    #[test]
    fn substance_and_mental_health_needs_with_a_sip_plan_are_not_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::SubstanceAbuse, NeedStatus::Pagaende))
            .need(need("n2", LifeArea::MentalHealth, NeedStatus::Identifierad))
            .plan(plan("p1", PlanKind::Sip, PlanStatus::Utkast, None))
            .build();
        assert!(!substance_and_mental_without_sip(&file));
    }

    #[test]
    fn a_closed_sip_plan_does_not_count_but_a_booked_sip_meeting_does() {
        let closed = released()
            .need(need("n1", LifeArea::SubstanceAbuse, NeedStatus::Pagaende))
            .need(need("n2", LifeArea::MentalHealth, NeedStatus::Identifierad))
            .plan(plan("p1", PlanKind::Sip, PlanStatus::Avslutad, None))
            .build();
        assert!(substance_and_mental_without_sip(&closed));
        let mut booked = closed.clone();
        booked.meetings.push(meeting("m1", MeetingKind::Sip, MeetingStatus::Planerat, "2025-04-10 10:00"));
        assert!(!substance_and_mental_without_sip(&booked));
    }

    #[test]
    fn substance_need_alone_needs_no_sip() {
        let file = released()
            .need(need("n1", LifeArea::SubstanceAbuse, NeedStatus::Pagaende))
            .need(need("n2", LifeArea::MentalHealth, NeedStatus::Tillgodosedd))
            .build();
        assert!(!substance_and_mental_without_sip(&file));
    }

    #[test]
    fn protection_need_without_police_is_a_gap() {
        let file = released().need(need("n1", LifeArea::Protection, NeedStatus::Identifierad)).build();
        assert!(protection_without_police(&file));
    }

    #[test]
    fn protection_need_with_gang_exit_intervention_is_not_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::Protection, NeedStatus::Identifierad))
            .intervention(with_provider(
                intervention("i1", InterventionKind::Skydd, InterventionStatus::Pagaende),
                "passus",
                OrgKind::CivilOrg,
            ))
            .build();
        assert!(!protection_without_police(&file));
    }

    #[test]
    fn protection_need_with_police_at_a_planned_meeting_is_not_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::Protection, NeedStatus::Identifierad))
            .meeting(Meeting {
                participant_org_kinds: vec![OrgKind::Polis],
                ..meeting("m1", MeetingKind::Natverksmote, MeetingStatus::Planerat, "2025-04-10 10:00")
            })
            .build();
        assert!(!protection_without_police(&file));
    }

    #[test]
    fn protection_need_with_police_at_a_cancelled_meeting_is_a_gap() {
        let file = released()
            .need(need("n1", LifeArea::Protection, NeedStatus::Identifierad))
            .meeting(Meeting {
                participant_org_kinds: vec![OrgKind::Polis],
                ..meeting("m1", MeetingKind::Natverksmote, MeetingStatus::Installt, "2025-04-10 10:00")
            })
            .build();
        assert!(protection_without_police(&file));
    }

    #[test]
    fn need_gaps_counts_needs_and_flags() {
        let file = released()
            .need(need("n1", LifeArea::Debt, NeedStatus::Identifierad))
            .need(need("n2", LifeArea::Protection, NeedStatus::Identifierad))
            .build();
        let gaps = need_gaps(&file);
        assert_eq!(gaps.without_provider.len(), 2);
        assert!(gaps.debt_without_kronofogden_or_bus);
        assert!(gaps.protection_without_police);
        assert!(!gaps.substance_and_mental_without_sip);
        assert_eq!(gaps.count(), 4);
        assert_eq!(NeedGaps::default().count(), 0);
    }

    // --- supervision ending ---

    fn active_enrolment() -> Enrolment {
        enrolment(EnrolmentStatus::Aktiv)
    }

    #[test]
    fn supervision_ending_in_60_days_without_handover_is_flagged() {
        // prövotid ends 2026-06-01
        let file = released().enrolment(active_enrolment()).build();
        assert!(supervision_ending_without_handover(&file, d("2026-04-02")));
        assert!(supervision_ending_without_handover(&file, d("2026-06-01")));
    }

    #[test]
    fn supervision_ending_in_61_days_or_already_ended_is_not_flagged() {
        let file = released().enrolment(active_enrolment()).build();
        assert!(!supervision_ending_without_handover(&file, d("2026-04-01")));
        assert!(!supervision_ending_without_handover(&file, d("2026-06-02")));
    }

    #[test]
    fn supervision_ending_with_handover_recorded_is_not_flagged() {
        let file =
            released().enrolment(Enrolment { handover_org_id: Some("soc".into()), ..active_enrolment() }).build();
        assert!(!supervision_ending_without_handover(&file, d("2026-05-01")));
    }

    #[test]
    fn supervision_ending_of_a_candidate_or_without_end_date_is_not_flagged() {
        let candidate = released().enrolment(enrolment(EnrolmentStatus::Kandidat)).build();
        assert!(!supervision_ending_without_handover(&candidate, d("2026-05-01")));
        let no_end =
            FileBuilder::new().sentence(sentence(None, Some(RELEASE), None)).enrolment(active_enrolment()).build();
        assert!(!supervision_ending_without_handover(&no_end, d("2026-05-01")));
    }

    // --- first weeks / months ---

    #[test]
    fn first_weeks_counts_from_release_day_zero_to_day_28() {
        let file = released().build();
        assert_eq!(first_weeks(&file, d(RELEASE)), Some(0));
        assert_eq!(first_weeks(&file, d("2025-06-29")), Some(28));
        assert_eq!(first_weeks(&file, d("2025-06-30")), None);
        assert_eq!(first_weeks(&file, d("2025-05-31")), None);
    }

    #[test]
    fn first_months_ends_after_day_122() {
        let file = released().build();
        assert_eq!(first_months(&file, d("2025-10-01")), Some(122));
        assert_eq!(first_months(&file, d("2025-10-02")), None);
        assert_eq!(first_months(&FileBuilder::new().build(), d("2025-10-01")), None);
    }

    // --- action items and follow-ups ---

    #[test]
    fn open_action_item_due_yesterday_is_overdue_but_due_today_or_done_is_not() {
        let file = released()
            .action(action("late", "2025-03-31", ActionStatus::Oppen))
            .action(action("today", TODAY, ActionStatus::Oppen))
            .action(action("done", "2025-03-01", ActionStatus::Klar))
            .action(ActionItem { due_on: None, ..action("undated", TODAY, ActionStatus::Oppen) })
            .build();
        let ids: Vec<&str> = overdue_action_items(&file, today()).iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, vec!["late"]);
    }

    #[test]
    fn plan_follow_up_passed_is_overdue_unless_plan_closed() {
        let file = released()
            .plan(plan("p1", PlanKind::Sip, PlanStatus::Gallande, Some("2025-03-31")))
            .plan(plan("p2", PlanKind::Sip, PlanStatus::Avslutad, Some("2025-03-01")))
            .plan(plan("p3", PlanKind::Vsp, PlanStatus::Gallande, Some(TODAY)))
            .build();
        let due = overdue_follow_ups(&file, today());
        assert_eq!(
            due,
            vec![FollowUp {
                source: FollowUpSource::Plan { id: "p1".into(), kind: PlanKind::Sip },
                due_on: d("2025-03-31"),
            }]
        );
    }

    #[test]
    fn event_follow_up_passed_is_overdue_until_an_action_item_takes_it() {
        let bare = released().event(event("ev1", EventKind::AterfallMissbruk, "2025-03-20")).build();
        let due = overdue_follow_ups(&bare, today());
        assert_eq!(
            due.iter().map(|f| &f.source).collect::<Vec<_>>(),
            vec![&FollowUpSource::Event { id: "ev1".into(), kind: EventKind::AterfallMissbruk }]
        );
        let mut taken = bare.clone();
        taken
            .action_items
            .push(ActionItem { event_id: Some("ev1".into()), ..action("a1", "2025-04-10", ActionStatus::Oppen) });
        assert!(overdue_follow_ups(&taken, today()).is_empty());
    }

    #[test]
    fn overdue_follow_ups_are_sorted_by_due_day() {
        let file = released()
            .plan(plan("p1", PlanKind::Sip, PlanStatus::Gallande, Some("2025-03-31")))
            .event(event("ev1", EventKind::Hot, "2025-03-01"))
            .build();
        let days: Vec<NaiveDate> = overdue_follow_ups(&file, today()).iter().map(|f| f.due_on).collect();
        assert_eq!(days, vec![d("2025-03-01"), d("2025-03-31")]);
    }
}
