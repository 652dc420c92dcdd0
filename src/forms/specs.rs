//! What each form asks, in the order a caseworker fills it in, and how a valid form
//! becomes rows. Labels follow the Swedish sources (domain.md).

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Child, Choices, FieldSpec, Form, Input, Rule};
use crate::domain::enums::*;
use crate::i18n::Lang;
use crate::store::{ChangeSet, new_id};

const SHORT: usize = 200;
const LONG: usize = 20_000;

const fn field(key: &'static str, sv: &'static str, en: &'static str, input: Input) -> FieldSpec {
    FieldSpec { key, sv, en, input, required: false, default: "" }
}
const fn text(key: &'static str, sv: &'static str, en: &'static str) -> FieldSpec {
    field(key, sv, en, Input::Text(SHORT))
}
const fn long(key: &'static str, sv: &'static str, en: &'static str) -> FieldSpec {
    field(key, sv, en, Input::Long(LONG))
}
const fn date(key: &'static str, sv: &'static str, en: &'static str) -> FieldSpec {
    field(key, sv, en, Input::Date)
}
const fn yes(key: &'static str, sv: &'static str, en: &'static str) -> FieldSpec {
    field(key, sv, en, Input::Bool)
}
const fn org(key: &'static str, sv: &'static str, en: &'static str, kinds: &'static [OrgKind]) -> FieldSpec {
    field(key, sv, en, Input::One(Choices::Orgs(kinds)))
}
const fn contact(key: &'static str, sv: &'static str, en: &'static str) -> FieldSpec {
    field(key, sv, en, Input::One(Choices::Contacts))
}
const fn req(mut f: FieldSpec) -> FieldSpec {
    f.required = true;
    f
}
const fn def(mut f: FieldSpec, default: &'static str) -> FieldSpec {
    f.default = default;
    f
}

/// A picker over one of the domain's enumerations.
macro_rules! pick {
    ($key:literal, $sv:literal, $en:literal, $enum:ident) => {
        field($key, $sv, $en, Input::One(Choices::Enum($enum::CODES, $enum::label_of)))
    };
}

/// Every form sluss has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// A client's identity and circumstances.
    Client,
    /// The reintegration case: eligibility, the decision, decline or abort reasons.
    Enrolment,
    /// Sentence dates.
    Sentence,
    /// Risk and needs assessment.
    Risk,
    /// Consent and the organisations it covers.
    Consent,
    /// A need in a life area.
    Need,
    /// A need's new status with a comment, kept in the need's history.
    NeedStatus,
    /// An intervention by an agency.
    Intervention,
    /// A plan (SIP or reintegration plan).
    Plan,
    /// A goal of a plan.
    Goal,
    /// A meeting of the reintegration group.
    Meeting,
    /// Minutes of a meeting, with action items taken from them.
    Minutes,
    /// An action item.
    ActionItem,
    /// An event that calls for follow-up.
    Event,
    /// A journal note.
    Note,
    /// An outcome at release, +3 months or the end of supervision.
    Outcome,
    /// An organisation.
    Organisation,
    /// A contact person.
    Contact,
}

static CLIENT: &[FieldSpec] = &[
    req(text("first_name", "Förnamn", "First name")),
    req(text("last_name", "Efternamn", "Last name")),
    field("id_number", "Person-/samordningsnummer", "Identity number", Input::IdNumber),
    def(pick!("gender", "Kön", "Gender", Gender), "okant"),
    yes("protected_identity", "Skyddad identitet", "Protected identity"),
    text("alias", "Alias (skyddad identitet)", "Alias (protected identity)"),
    text("home_municipality", "Hemkommun", "Home municipality"),
    text("residence_municipality", "Vistelsekommun", "Municipality of residence"),
    text("language", "Språk", "Language"),
    yes("interpreter", "Behöver tolk", "Needs an interpreter"),
    yes("expulsion", "Utvisning", "Expulsion order"),
    yes("gang_exit", "Avhopp kriminellt nätverk", "Leaving a criminal network"),
    yes("ipv_conviction", "Dom för våld i nära relation", "Partner violence conviction"),
    date("closed_on", "Ärendet avslutat", "Case closed on"),
];

static ENROLMENT: &[FieldSpec] = &[
    org("office_id", "Frivårdskontor", "Probation office", &[OrgKind::Frivard]),
    contact("coordinator_id", "Samordnare", "Coordinator"),
    def(pick!("status", "Status", "Status", EnrolmentStatus), "kandidat"),
    field(
        "criteria",
        "Uppfyllda urvalskriterier",
        "Selection criteria met",
        Input::Many(
            Choices::Enum(EligibilityCriterion::CODES, EligibilityCriterion::label_of),
            Child { table: "eligibility_check", parent: "enrolment_id", value: "criterion", flag: Some("met") },
        ),
    ),
    def(date("identified_on", "Identifierad", "Identified on"), "idag"),
    date("asked_on", "Tillfrågad", "Asked on"),
    date("decided_on", "Beslut", "Decided on"),
    date("ended_on", "Avslutad", "Ended on"),
    pick!("decline_reason", "Skäl att tacka nej", "Reason for declining", DeclineReason),
    pick!("abort_reason", "Skäl till avbrott", "Reason for aborting", AbortReason),
    long("reason_note", "Kommentar till skälet", "Note on the reason"),
];

static SENTENCE: &[FieldSpec] = &[
    text("offence", "Brott", "Offence"),
    field("length_months", "Strafftid (månader)", "Sentence length (months)", Input::Int(1, 1200)),
    org("prison_id", "Anstalt", "Prison", &[OrgKind::Anstalt, OrgKind::Hakte]),
    date("start_on", "Verkställighet start", "Sentence start"),
    req(date("release_on", "Villkorlig frigivning", "Conditional release")),
    date("probation_end_on", "Prövotid slut", "Probation ends"),
    yes("supervision_decided", "Övervakning beslutad", "Supervision decided"),
    long("special_conditions", "Särskilda föreskrifter", "Special conditions"),
    def(pick!("release_measure", "Särskild utslussningsåtgärd", "Release measure", ReleaseMeasure), "ingen"),
    date("release_measure_on", "Utslussning från", "Release measure from"),
];

static RISK: &[FieldSpec] = &[
    def(pick!("instrument", "Instrument", "Instrument", RiskInstrument), "rbm_b"),
    def(date("assessed_on", "Bedömd", "Assessed on"), "idag"),
    req(pick!("level", "Risknivå", "Risk level", RiskLevel)),
    yes("c8_history", "Kriminell historik", "Criminal history"),
    yes("c8_personality", "Antisocialt mönster", "Antisocial pattern"),
    yes("c8_attitudes", "Kriminella attityder", "Pro-criminal attitudes"),
    yes("c8_associates", "Kriminellt umgänge", "Pro-criminal associates"),
    yes("c8_substance", "Missbruk", "Substance abuse"),
    yes("c8_family", "Familj/relationer", "Family/marital"),
    yes("c8_school_work", "Skola/arbete", "School/work"),
    yes("c8_leisure", "Fritid", "Leisure"),
    long("responsivity_note", "Mottaglighet", "Responsivity"),
];

static CONSENT: &[FieldSpec] = &[
    req(def(date("given_on", "Samtycke givet", "Consent given on"), "idag")),
    def(pick!("form", "Form", "Form", ConsentForm), "skriftligt"),
    field(
        "scope",
        "Organisationer som får ta del",
        "Organisations it covers",
        Input::Many(
            Choices::Orgs(&[]),
            Child { table: "consent_scope", parent: "consent_id", value: "org_id", flag: None },
        ),
    ),
    text("obtained_by", "Inhämtat av", "Obtained by"),
    yes("documented_in_vsp", "Dokumenterat i VSP", "Documented in the sentence plan"),
    yes("programme_description_given", "Programbeskrivning lämnad", "Programme description given"),
    yes("right_to_withdraw_explained", "Rätt att återkalla förklarad", "Right to withdraw explained"),
    yes("covers_sip", "Omfattar SIP", "Covers a SIP"),
    yes("covers_relatives", "Omfattar anhöriga", "Covers relatives"),
    date("expires_on", "Gäller till", "Expires on"),
    date("revoked_on", "Återkallat", "Revoked on"),
    long("revocation_note", "Kommentar till återkallelse", "Note on revocation"),
];

static NEED: &[FieldSpec] = &[
    req(pick!("area", "Livsområde", "Life area", LifeArea)),
    pick!("severity", "Svårighetsgrad", "Severity", Severity),
    pick!("source", "Källa", "Source", NeedSource),
    pick!("identified_phase", "Identifierat i fas", "Identified in phase", NeedPhase),
    def(pick!("status", "Status", "Status", NeedStatus), "identifierad"),
    def(date("identified_on", "Identifierat", "Identified on"), "idag"),
];

static NEED_STATUS: &[FieldSpec] = &[
    req(pick!("status", "Ny status", "New status", NeedStatus)),
    req(long("comment", "Kommentar", "Comment")),
    org("org_id", "Organisation", "Organisation", &[]),
];

static INTERVENTION: &[FieldSpec] = &[
    req(text("title", "Insats", "Intervention")),
    def(pick!("kind", "Typ", "Kind", InterventionKind), "annan"),
    org("provider_org_id", "Utförare", "Provider", &[]),
    contact("contact_id", "Kontaktperson", "Contact person"),
    field(
        "needs",
        "Behov som insatsen möter",
        "Needs it meets",
        Input::Many(
            Choices::Needs,
            Child { table: "intervention_need", parent: "intervention_id", value: "need_id", flag: None },
        ),
    ),
    pick!("phase", "Fas", "Phase", InterventionPhase),
    def(pick!("status", "Status", "Status", InterventionStatus), "planerad"),
    date("applied_on", "Ansökt", "Applied on"),
    date("decided_on", "Beslutad", "Decided on"),
    date("start_on", "Start", "Starts on"),
    date("end_on", "Slut", "Ends on"),
    // Declined and aborted interventions need a why, as programmes do (domain.md R3).
    long("outcome", "Resultat eller skäl", "Outcome or reason"),
];

static PLAN: &[FieldSpec] = &[
    def(pick!("kind", "Typ av plan", "Kind of plan", PlanKind), "inslussningsplan"),
    def(pick!("status", "Status", "Status", PlanStatus), "utkast"),
    def(date("created_on", "Upprättad", "Created on"), "idag"),
    org("initiator_org_id", "Initiativtagare", "Initiated by", &[]),
    org("overall_responsible_org_id", "Huvudansvarig", "Overall responsibility", &[]),
    date("next_follow_up_on", "Nästa uppföljning", "Next follow-up"),
];

static GOAL: &[FieldSpec] = &[
    req(field("plan_id", "Plan", "Plan", Input::One(Choices::Plans))),
    req(long("text", "Mål", "Goal")),
    field("need_id", "Behov", "Need", Input::One(Choices::Needs)),
    date("target_on", "Klart senast", "Target date"),
    text("verification", "Hur det följs upp", "How it is checked"),
    def(pick!("status", "Status", "Status", GoalStatus), "ej_paborjat"),
];

static MEETING: &[FieldSpec] = &[
    req(field("starts_at", "Tid", "When", Input::DateTime)),
    def(pick!("kind", "Typ av möte", "Kind of meeting", MeetingKind), "samverkansmote"),
    field("planning_point", "Planeringspunkt (1–5)", "Planning point (1–5)", Input::Int(1, 5)),
    def(field("duration_min", "Längd (minuter)", "Length (minutes)", Input::Int(5, 600)), "60"),
    def(pick!("mode", "Form", "Mode", MeetingMode), "fysiskt"),
    text("location", "Plats", "Place"),
    yes("room_booked", "Lokal bokad", "Room booked"),
    org("convener_org_id", "Sammankallande", "Convened by", &[]),
    field(
        "participants",
        "Deltagande organisationer",
        "Participating organisations",
        Input::Many(
            Choices::Orgs(&[]),
            Child { table: "meeting_participant", parent: "meeting_id", value: "org_id", flag: None },
        ),
    ),
    def(pick!("status", "Status", "Status", MeetingStatus), "planerat"),
    long("agenda", "Dagordning", "Agenda"),
    long("decisions", "Beslut", "Decisions"),
];

static MINUTES: &[FieldSpec] = &[long("text", "Protokoll", "Minutes")];

static ACTION_ITEM: &[FieldSpec] = &[
    req(long("text", "Åtgärd", "Action")),
    org("owner_org_id", "Ansvarig organisation", "Owner organisation", &[]),
    contact("owner_contact_id", "Ansvarig person", "Owner"),
    def(date("due_on", "Klart senast", "Due on"), "+14d"),
    def(pick!("status", "Status", "Status", ActionStatus), "oppen"),
    date("done_on", "Klar", "Done on"),
];

static EVENT: &[FieldSpec] = &[
    req(pick!("kind", "Händelse", "Event", EventKind)),
    req(def(date("occurred_on", "Datum", "Date"), "idag")),
    long("description", "Beskrivning", "Description"),
    def(date("follow_up_on", "Följs upp", "Follow up on"), "+7d"),
];

static NOTE: &[FieldSpec] = &[
    def(pick!("category", "Kategori", "Category", NoteCategory), "ovrigt"),
    def(pick!("sensitivity", "Känslighet", "Sensitivity", Sensitivity), "normal"),
    req(long("text", "Anteckning", "Note")),
];

static OUTCOME: &[FieldSpec] = &[
    req(pick!("point", "Tidpunkt", "Point", OutcomePoint)),
    def(date("recorded_on", "Registrerat", "Recorded on"), "idag"),
    pick!("housing", "Boende", "Housing", HousingStatus),
    pick!("occupation", "Sysselsättning", "Occupation", OccupationStatus),
    yes("in_treatment", "I behandling", "In treatment"),
    yes("reoffended", "Återfall", "Reoffended"),
];

static ORGANISATION: &[FieldSpec] = &[
    req(text("name", "Namn", "Name")),
    def(pick!("kind", "Typ", "Kind", OrgKind), "annan"),
    text("municipality", "Kommun", "Municipality"),
    text("district", "Stadsdel/område", "District"),
    field("phone", "Telefon", "Phone", Input::Phone),
    long("note", "Anteckning", "Note"),
];

static CONTACT: &[FieldSpec] = &[
    req(org("org_id", "Organisation", "Organisation", &[])),
    req(text("name", "Namn", "Name")),
    def(pick!("role", "Roll", "Role", ContactRole), "annan"),
    text("function", "Titel", "Job title"),
    field("phone", "Telefon", "Phone", Input::Phone),
    field("email", "E-post", "Email", Input::Email),
    date("active_from", "Aktiv från", "Active from"),
    date("active_to", "Aktiv till", "Active to"),
    def(date("last_verified", "Senast kontrollerad", "Last verified"), "idag"),
];

impl FormKind {
    /// Every form, for the palette.
    pub const ALL: &'static [FormKind] = &[
        FormKind::Client,
        FormKind::Enrolment,
        FormKind::Sentence,
        FormKind::Risk,
        FormKind::Consent,
        FormKind::Need,
        FormKind::NeedStatus,
        FormKind::Intervention,
        FormKind::Plan,
        FormKind::Goal,
        FormKind::Meeting,
        FormKind::Minutes,
        FormKind::ActionItem,
        FormKind::Event,
        FormKind::Note,
        FormKind::Outcome,
        FormKind::Organisation,
        FormKind::Contact,
    ];

    /// The table the form writes.
    pub fn entity(self) -> &'static str {
        match self {
            FormKind::Client => "client",
            FormKind::Enrolment => "enrolment",
            FormKind::Sentence => "sentence",
            FormKind::Risk => "risk_assessment",
            FormKind::Consent => "consent",
            FormKind::Need => "need",
            FormKind::NeedStatus => "need_update",
            FormKind::Intervention => "intervention",
            FormKind::Plan => "plan",
            FormKind::Goal => "goal",
            FormKind::Meeting => "meeting",
            FormKind::Minutes => "minute_entry",
            FormKind::ActionItem => "action_item",
            FormKind::Event => "event",
            FormKind::Note => "note",
            FormKind::Outcome => "outcome_snapshot",
            FormKind::Organisation => "organisation",
            FormKind::Contact => "contact",
        }
    }

    /// The form's fields, in order.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            FormKind::Client => CLIENT,
            FormKind::Enrolment => ENROLMENT,
            FormKind::Sentence => SENTENCE,
            FormKind::Risk => RISK,
            FormKind::Consent => CONSENT,
            FormKind::Need => NEED,
            FormKind::NeedStatus => NEED_STATUS,
            FormKind::Intervention => INTERVENTION,
            FormKind::Plan => PLAN,
            FormKind::Goal => GOAL,
            FormKind::Meeting => MEETING,
            FormKind::Minutes => MINUTES,
            FormKind::ActionItem => ACTION_ITEM,
            FormKind::Event => EVENT,
            FormKind::Note => NOTE,
            FormKind::Outcome => OUTCOME,
            FormKind::Organisation => ORGANISATION,
            FormKind::Contact => CONTACT,
        }
    }

    /// Checks across fields.
    pub fn rules(self) -> &'static [Rule] {
        match self {
            FormKind::Client => &[Rule::RequiredIfSet("protected_identity", "alias")],
            FormKind::Enrolment => &[
                Rule::NotFuture("identified_on"),
                Rule::Order("identified_on", "asked_on"),
                Rule::Order("asked_on", "decided_on"),
                Rule::Order("decided_on", "ended_on"),
                Rule::RequiredWhen("status", "avbojd", "decline_reason"),
                Rule::RequiredWhen("status", "avbruten", "abort_reason"),
            ],
            FormKind::Sentence => &[
                Rule::Order("start_on", "release_on"),
                Rule::Order("release_on", "probation_end_on"),
                Rule::Order("start_on", "release_measure_on"),
                // Release preparation (utslussning) happens before the release.
                Rule::Order("release_measure_on", "release_on"),
            ],
            FormKind::Plan => &[Rule::Order("created_on", "next_follow_up_on")],
            FormKind::Consent => &[
                Rule::NotFuture("given_on"),
                Rule::Order("given_on", "expires_on"),
                Rule::Order("given_on", "revoked_on"),
            ],
            FormKind::Need => &[Rule::NotFuture("identified_on")],
            FormKind::Intervention => &[
                Rule::Order("applied_on", "decided_on"),
                Rule::Order("start_on", "end_on"),
                Rule::RequiredWhen("status", "avbojd", "outcome"),
                Rule::RequiredWhen("status", "avbruten", "outcome"),
            ],
            FormKind::Contact => &[Rule::NotFuture("last_verified"), Rule::Order("active_from", "active_to")],
            _ => &[],
        }
    }

    /// Whether the form's rows belong to a client (and so need one to be open).
    pub fn needs_client(self) -> bool {
        !matches!(self, FormKind::Client | FormKind::Organisation | FormKind::Contact)
    }

    /// The form's title.
    pub fn title(self, lang: Lang) -> &'static str {
        let (sv, en) = match self {
            FormKind::Client => ("Klient", "Client"),
            FormKind::Enrolment => ("Inslussning och urval", "Enrolment and eligibility"),
            FormKind::Sentence => ("Verkställighet", "Sentence"),
            FormKind::Risk => ("Risk- och behovsbedömning", "Risk and needs assessment"),
            FormKind::Consent => ("Samtycke", "Consent"),
            FormKind::Need => ("Behov", "Need"),
            FormKind::NeedStatus => ("Ändra behovets status", "Change the need's status"),
            FormKind::Intervention => ("Insats", "Intervention"),
            FormKind::Plan => ("Plan", "Plan"),
            FormKind::Goal => ("Mål", "Goal"),
            FormKind::Meeting => ("Möte", "Meeting"),
            FormKind::Minutes => ("Protokoll", "Minutes"),
            FormKind::ActionItem => ("Åtgärd", "Action item"),
            FormKind::Event => ("Händelse", "Event"),
            FormKind::Note => ("Journalanteckning", "Journal note"),
            FormKind::Outcome => ("Utfall", "Outcome"),
            FormKind::Organisation => ("Organisation", "Organisation"),
            FormKind::Contact => ("Kontaktperson", "Contact person"),
        };
        if lang == Lang::Sv { sv } else { en }
    }

    /// Whether the Swedish noun of [`FormKind::title`] is neuter (ett möte), for the
    /// adjectives that agree with it ("markerat möte", "markerad insats").
    pub fn neuter_sv(self) -> bool {
        matches!(
            self,
            FormKind::Need
                | FormKind::Goal
                | FormKind::Meeting
                | FormKind::Minutes
                | FormKind::Consent
                | FormKind::Outcome
        )
    }
}

/// Turns a valid form's parsed values into rows; returns the change set and the id of the
/// row the form is about.
pub(super) fn build(
    form: &Form,
    parsed: &[Value],
    author: &str,
    now: NaiveDateTime,
    today: NaiveDate,
) -> (ChangeSet, String) {
    let mut cs = ChangeSet::new();
    let stamp = now.format("%Y-%m-%dT%H:%M").to_string();
    let fields = form.fields();
    let value = |key: &str| fields.iter().position(|f| f.key == key).map(|i| parsed[i].clone()).unwrap_or_default();
    match form.kind {
        FormKind::NeedStatus => {
            let need_id = form.parent_id.clone().unwrap_or_default();
            let mut row = cs
                .insert("need_update")
                .set("need_id", need_id.clone())
                .set("at", stamp)
                .set("author_name", author)
                .set("status", value("status"))
                .set("comment", value("comment"));
            if !value("org_id").is_null() {
                row = row.set("org_id", value("org_id"));
            }
            let _ = row;
            cs.update("need", &need_id).set("status", value("status"));
            return (cs, need_id);
        }
        FormKind::Minutes => {
            let meeting_id = form.parent_id.clone().unwrap_or_default();
            // Lines taken out as action items leave no empty lines behind.
            let minutes = value("text");
            let text: Vec<&str> =
                minutes.as_str().unwrap_or_default().lines().filter(|l| !l.trim().is_empty()).collect();
            if !text.is_empty() {
                cs.insert("minute_entry")
                    .set("meeting_id", meeting_id.clone())
                    .set("at", stamp.clone())
                    .set("author", author)
                    .set("text", text.join("\n"));
            }
            for text in &form.actions {
                cs.insert("action_item")
                    .set_opt("client_id", form.client_id.clone())
                    .set("meeting_id", meeting_id.clone())
                    .set("text", super::clean_text(text))
                    .set("due_on", (today + chrono::Duration::days(14)).to_string())
                    .set("status", ActionStatus::Oppen.code());
            }
            return (cs, meeting_id);
        }
        _ => {}
    }
    let row_id = form.target.clone().unwrap_or_else(new_id);
    let mut columns: Vec<(&str, Value)> = Vec::new();
    for (i, spec) in fields.iter().enumerate() {
        if matches!(spec.input, Input::Many(..)) {
            continue;
        }
        let changed = form.target.is_none() || form.values[i] != form.original[i];
        if changed && !(form.target.is_none() && parsed[i].is_null()) {
            columns.push((spec.key, parsed[i].clone()));
        }
    }
    match form.kind {
        FormKind::Client => {
            if let Some(pos) = columns.iter().position(|(k, _)| *k == "id_number") {
                let kind = columns[pos]
                    .1
                    .as_str()
                    .and_then(|d| crate::domain::id_number::IdNumber::parse(d).ok())
                    .map(|id| Value::String(id.kind().code().to_owned()))
                    .unwrap_or(Value::Null);
                columns.push(("id_kind", kind));
            }
        }
        FormKind::Note if form.target.is_none() => {
            columns.push(("at", Value::String(stamp)));
            columns.push(("author", Value::String(author.to_owned())));
        }
        FormKind::ActionItem => {
            let done = value("status").as_str() == Some(ActionStatus::Klar.code()) && value("done_on").is_null();
            if done {
                columns.push(("done_on", Value::String(today.to_string())));
            }
            if form.target.is_none() && form.parent_id.is_some() {
                columns.push(("meeting_id", Value::String(form.parent_id.clone().unwrap_or_default())));
            }
        }
        _ => {}
    }
    if form.target.is_none() {
        let has_client =
            crate::store::entities::entity(form.kind.entity()).is_some_and(|e| e.field("client_id").is_some());
        if let (true, Some(client)) = (has_client, &form.client_id) {
            columns.push(("client_id", Value::String(client.clone())));
        }
        let mut row = cs.insert_with_id(form.kind.entity(), row_id.clone());
        for (k, v) in columns {
            row = row.set(k, v);
        }
    } else if !columns.is_empty() {
        let mut row = cs.update(form.kind.entity(), &row_id);
        for (k, v) in columns {
            row = row.set(k, v);
        }
    }
    for (i, spec) in fields.iter().enumerate() {
        let Input::Many(_, child) = spec.input else { continue };
        let wanted: Vec<String> =
            parsed[i].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect();
        for (child_id, v) in &form.children[i] {
            if !wanted.contains(v) {
                cs.delete(child.table, child_id);
            }
        }
        for v in wanted.iter().filter(|v| !form.children[i].iter().any(|(_, old)| old == *v)) {
            let mut row = cs.insert(child.table).set(child.parent, row_id.clone()).set(child.value, v.clone());
            if let Some(flag) = child.flag {
                row = row.set(flag, true);
            }
            let _ = row;
        }
    }
    (cs, row_id)
}
