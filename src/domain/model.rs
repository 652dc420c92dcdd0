//! Plain mirrors of the stored rows the rules need, and the `ClientFile` aggregate every rule
//! works on. Callers load one client's rows (tombstones already filtered out) into a
//! `ClientFile`; the rules never see the store.
//!
//! Dates the schema allows to be empty are `Option`s here too: a missing date is data the
//! caseworker has not entered yet, and the rules must say so rather than guess.

use chrono::{NaiveDate, NaiveDateTime};

use crate::domain::enums::{
    ActionStatus, ConsentForm, EnrolmentStatus, EventKind, Gender, InterventionKind, InterventionPhase,
    InterventionStatus, LifeArea, MeetingKind, MeetingStatus, NeedStatus, OrgKind, PlanKind, PlanStatus,
    ReleaseMeasure, RiskLevel,
};

/// A client (row of `client`).
#[derive(Clone, Debug, PartialEq)]
pub struct Client {
    /// Row id (UUIDv7 text).
    pub id: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Alias shown instead of the name when the identity is protected.
    pub alias: Option<String>,
    /// Personnummer or samordningsnummer, 12 digits.
    pub id_number: Option<String>,
    /// Legal gender as recorded.
    pub gender: Gender,
    /// Skyddad identitet: the person is masked everywhere.
    pub protected_identity: bool,
    /// Home municipality.
    pub home_municipality: Option<String>,
    /// Day the client's case was closed, if it was.
    pub closed_on: Option<NaiveDate>,
}

/// The sentence being served (row of `sentence`).
#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    /// Row id.
    pub id: String,
    /// Client the sentence belongs to.
    pub client_id: String,
    /// Start of the prison term.
    pub start_on: Option<NaiveDate>,
    /// Conditional release (villkorlig frigivning), the VF date.
    pub release_on: Option<NaiveDate>,
    /// Last day of the probation period (prövotid).
    pub probation_end_on: Option<NaiveDate>,
    /// Special release-preparation measure during the term.
    pub release_measure: ReleaseMeasure,
}

/// The reintegration case (row of `enrolment`).
#[derive(Clone, Debug, PartialEq)]
pub struct Enrolment {
    /// Row id.
    pub id: String,
    /// Where the case is in the funnel.
    pub status: EnrolmentStatus,
    /// Day the client was asked to join.
    pub asked_on: Option<NaiveDate>,
    /// Day the client accepted or declined.
    pub decided_on: Option<NaiveDate>,
    /// Day the programme ended (completed or aborted).
    pub ended_on: Option<NaiveDate>,
    /// Organisation coordination was handed to before supervision ended.
    pub handover_org_id: Option<String>,
    /// Day of that handover.
    pub handover_on: Option<NaiveDate>,
}

/// The latest risk assessment (row of `risk_assessment`).
#[derive(Clone, Debug, PartialEq)]
pub struct RiskAssessment {
    /// Row id.
    pub id: String,
    /// Assessed risk level.
    pub level: RiskLevel,
    /// Day of the assessment.
    pub assessed_on: Option<NaiveDate>,
}

/// A consent to share information (row of `consent` with its `consent_scope` rows).
#[derive(Clone, Debug, PartialEq)]
pub struct Consent {
    /// Row id.
    pub id: String,
    /// Day the consent was given; `None` while it is only being prepared.
    pub given_on: Option<NaiveDate>,
    /// Written or oral.
    pub form: ConsentForm,
    /// Recorded in the sentence plan (VSP), for the client's legal security.
    pub documented_in_vsp: bool,
    /// The client was given a description of the programme.
    pub programme_description_given: bool,
    /// The client was told they may withdraw consent.
    pub right_to_withdraw_explained: bool,
    /// Last day the consent is valid.
    pub expires_on: Option<NaiveDate>,
    /// Day the client withdrew consent; sharing stops from this day.
    pub revoked_on: Option<NaiveDate>,
    /// Receiving organisations the consent covers, one id per `consent_scope` row.
    pub scope_org_ids: Vec<String>,
}

/// A need in one life area (row of `need`).
#[derive(Clone, Debug, PartialEq)]
pub struct Need {
    /// Row id.
    pub id: String,
    /// Life area.
    pub area: LifeArea,
    /// Current status (the latest need update).
    pub status: NeedStatus,
}

/// An intervention (row of `intervention` with its `intervention_need` rows and the provider's
/// organisation kind joined in).
#[derive(Clone, Debug, PartialEq)]
pub struct Intervention {
    /// Row id.
    pub id: String,
    /// Kind from the catalogue.
    pub kind: InterventionKind,
    /// Short title.
    pub title: String,
    /// Providing organisation.
    pub provider_org_id: Option<String>,
    /// Kind of the providing organisation.
    pub provider_kind: Option<OrgKind>,
    /// Phase the intervention belongs to.
    pub phase: Option<InterventionPhase>,
    /// Current status.
    pub status: InterventionStatus,
    /// Start day.
    pub start_on: Option<NaiveDate>,
    /// End day.
    pub end_on: Option<NaiveDate>,
    /// The intervention (usually started in prison) that this one continues.
    pub continues_id: Option<String>,
    /// Needs this intervention addresses.
    pub need_ids: Vec<String>,
}

/// A plan (row of `plan`).
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// Row id.
    pub id: String,
    /// Kind of plan.
    pub kind: PlanKind,
    /// Draft, in force or closed.
    pub status: PlanStatus,
    /// Next follow-up day.
    pub next_follow_up_on: Option<NaiveDate>,
}

/// A meeting about the client (row of `meeting` with its participants' organisations joined in).
#[derive(Clone, Debug, PartialEq)]
pub struct Meeting {
    /// Row id.
    pub id: String,
    /// Kind of meeting.
    pub kind: MeetingKind,
    /// Critical planning point 1–5 the meeting was held for, if tagged.
    pub planning_point: Option<u8>,
    /// Local start time.
    pub starts_at: Option<NaiveDateTime>,
    /// Planned, held or cancelled.
    pub status: MeetingStatus,
    /// Kinds of the participating organisations.
    pub participant_org_kinds: Vec<OrgKind>,
    /// Ids of the participating organisations (for consent scope checks).
    pub participant_org_ids: Vec<String>,
}

impl Meeting {
    /// Day the meeting starts, if it has a time.
    pub fn date(&self) -> Option<NaiveDate> {
        self.starts_at.map(|t| t.date())
    }
}

/// A task from a meeting or an event (row of `action_item`).
#[derive(Clone, Debug, PartialEq)]
pub struct ActionItem {
    /// Row id.
    pub id: String,
    /// What is to be done.
    pub text: String,
    /// Due day.
    pub due_on: Option<NaiveDate>,
    /// Open or done.
    pub status: ActionStatus,
    /// Contact person who owns the task.
    pub owner_contact_id: Option<String>,
    /// Event whose follow-up this task is, if any.
    pub event_id: Option<String>,
}

/// Something that happened and calls for a follow-up (row of `event`).
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Row id.
    pub id: String,
    /// Kind of event.
    pub kind: EventKind,
    /// Day it happened.
    pub occurred_on: Option<NaiveDate>,
    /// Day it must be followed up by.
    pub follow_up_on: Option<NaiveDate>,
}

/// One client with everything the rules look at: the unit every rule works on.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientFile {
    /// The client.
    pub client: Client,
    /// The current sentence.
    pub sentence: Option<Sentence>,
    /// The reintegration case.
    pub enrolment: Option<Enrolment>,
    /// The latest risk assessment.
    pub risk: Option<RiskAssessment>,
    /// All consents, current and past.
    pub consents: Vec<Consent>,
    /// All needs.
    pub needs: Vec<Need>,
    /// All interventions.
    pub interventions: Vec<Intervention>,
    /// All plans.
    pub plans: Vec<Plan>,
    /// All meetings about the client.
    pub meetings: Vec<Meeting>,
    /// All action items about the client.
    pub action_items: Vec<ActionItem>,
    /// All events.
    pub events: Vec<Event>,
}

impl ClientFile {
    /// The VF date, if recorded.
    pub fn release_on(&self) -> Option<NaiveDate> {
        self.sentence.as_ref().and_then(|s| s.release_on)
    }

    /// Last day of the prövotid, if recorded.
    pub fn probation_end_on(&self) -> Option<NaiveDate> {
        self.sentence.as_ref().and_then(|s| s.probation_end_on)
    }

    /// The day the case closed: the earlier of the client's closing and the programme's end,
    /// because either one ends the coordination.
    pub fn closing_date(&self) -> Option<NaiveDate> {
        let ended = self.enrolment.as_ref().and_then(|e| e.ended_on);
        match (self.client.closed_on, ended) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Compact constructors for tests: a `FileBuilder` for the aggregate and one function per row
/// with neutral defaults, so each test states only what its case is about.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// Parses `YYYY-MM-DD`.
    pub fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Parses `YYYY-MM-DD HH:MM`.
    pub fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    pub fn need(id: &str, area: LifeArea, status: NeedStatus) -> Need {
        Need { id: id.into(), area, status }
    }

    pub fn intervention(id: &str, kind: InterventionKind, status: InterventionStatus) -> Intervention {
        Intervention {
            id: id.into(),
            kind,
            title: String::new(),
            provider_org_id: None,
            provider_kind: None,
            phase: None,
            status,
            start_on: None,
            end_on: None,
            continues_id: None,
            need_ids: Vec::new(),
        }
    }

    pub fn meeting(id: &str, kind: MeetingKind, status: MeetingStatus, when: &str) -> Meeting {
        Meeting {
            id: id.into(),
            kind,
            planning_point: None,
            starts_at: Some(at(when)),
            status,
            participant_org_kinds: Vec::new(),
            participant_org_ids: Vec::new(),
        }
    }

    /// A documented consent given on `given`, without expiry or scope.
    pub fn consent(id: &str, given: &str) -> Consent {
        Consent {
            id: id.into(),
            given_on: Some(d(given)),
            form: ConsentForm::Skriftligt,
            documented_in_vsp: true,
            programme_description_given: true,
            right_to_withdraw_explained: true,
            expires_on: None,
            revoked_on: None,
            scope_org_ids: Vec::new(),
        }
    }

    pub fn action(id: &str, due: &str, status: ActionStatus) -> ActionItem {
        ActionItem {
            id: id.into(),
            text: String::new(),
            due_on: Some(d(due)),
            status,
            owner_contact_id: None,
            event_id: None,
        }
    }

    pub fn plan(id: &str, kind: PlanKind, status: PlanStatus, follow_up: Option<&str>) -> Plan {
        Plan { id: id.into(), kind, status, next_follow_up_on: follow_up.map(d) }
    }

    pub fn event(id: &str, kind: EventKind, follow_up: &str) -> Event {
        Event { id: id.into(), kind, occurred_on: None, follow_up_on: Some(d(follow_up)) }
    }

    pub fn enrolment(status: EnrolmentStatus) -> Enrolment {
        Enrolment {
            id: "e1".into(),
            status,
            asked_on: None,
            decided_on: None,
            ended_on: None,
            handover_org_id: None,
            handover_on: None,
        }
    }

    pub fn sentence(start: Option<&str>, release: Option<&str>, end: Option<&str>) -> Sentence {
        Sentence {
            id: "s1".into(),
            client_id: "c1".into(),
            start_on: start.map(d),
            release_on: release.map(d),
            probation_end_on: end.map(d),
            release_measure: ReleaseMeasure::Ingen,
        }
    }

    /// Builds a `ClientFile` step by step.
    pub struct FileBuilder {
        file: ClientFile,
    }

    impl FileBuilder {
        /// A client with no sentence and nothing recorded.
        pub fn new() -> Self {
            let client = Client {
                id: "c1".into(),
                first_name: "Test".into(),
                last_name: "Testsson".into(),
                alias: None,
                id_number: None,
                gender: Gender::Okant,
                protected_identity: false,
                home_municipality: None,
                closed_on: None,
            };
            let file = ClientFile {
                client,
                sentence: None,
                enrolment: None,
                risk: None,
                consents: Vec::new(),
                needs: Vec::new(),
                interventions: Vec::new(),
                plans: Vec::new(),
                meetings: Vec::new(),
                action_items: Vec::new(),
                events: Vec::new(),
            };
            FileBuilder { file }
        }

        /// A client released on `release` after two years in prison, with a one-year prövotid.
        pub fn released_on(release: &str) -> Self {
            let r = d(release);
            let start = r - chrono::Months::new(24);
            let end = r + chrono::Months::new(12);
            Self::new().sentence(Sentence {
                start_on: Some(start),
                probation_end_on: Some(end),
                ..sentence(None, Some(release), None)
            })
        }

        pub fn sentence(mut self, s: Sentence) -> Self {
            self.file.sentence = Some(s);
            self
        }

        pub fn enrolment(mut self, e: Enrolment) -> Self {
            self.file.enrolment = Some(e);
            self
        }

        pub fn closed_on(mut self, day: &str) -> Self {
            self.file.client.closed_on = Some(d(day));
            self
        }

        pub fn consent(mut self, c: Consent) -> Self {
            self.file.consents.push(c);
            self
        }

        pub fn need(mut self, n: Need) -> Self {
            self.file.needs.push(n);
            self
        }

        pub fn intervention(mut self, i: Intervention) -> Self {
            self.file.interventions.push(i);
            self
        }

        pub fn plan(mut self, p: Plan) -> Self {
            self.file.plans.push(p);
            self
        }

        pub fn meeting(mut self, m: Meeting) -> Self {
            self.file.meetings.push(m);
            self
        }

        pub fn action(mut self, a: ActionItem) -> Self {
            self.file.action_items.push(a);
            self
        }

        pub fn event(mut self, e: Event) -> Self {
            self.file.events.push(e);
            self
        }

        pub fn build(self) -> ClientFile {
            self.file
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn closing_date_is_the_earlier_of_client_closed_and_enrolment_ended() {
        let file = FileBuilder::new()
            .closed_on("2025-05-10")
            .enrolment(Enrolment { ended_on: Some(d("2025-03-01")), ..enrolment(EnrolmentStatus::Avbruten) })
            .build();
        assert_eq!(file.closing_date(), Some(d("2025-03-01")));
    }

    #[test]
    fn closing_date_uses_whichever_is_recorded() {
        let file = FileBuilder::new().closed_on("2025-05-10").build();
        assert_eq!(file.closing_date(), Some(d("2025-05-10")));
        assert_eq!(FileBuilder::new().build().closing_date(), None);
    }

    #[test]
    fn release_and_probation_end_come_from_the_sentence() {
        let file = FileBuilder::released_on("2025-06-01").build();
        assert_eq!(file.release_on(), Some(d("2025-06-01")));
        assert_eq!(file.probation_end_on(), Some(d("2026-06-01")));
        assert_eq!(FileBuilder::new().build().release_on(), None);
    }

    #[test]
    fn meeting_date_is_the_day_it_starts() {
        let m = meeting("m1", MeetingKind::Sip, MeetingStatus::Planerat, "2025-06-01 23:30");
        assert_eq!(m.date(), Some(d("2025-06-01")));
    }
}
