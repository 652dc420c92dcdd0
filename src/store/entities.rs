//! The registry of synced entities and their fields. The write path accepts only what is
//! listed here and checks every value against its field kind, so no caller can write a
//! column that does not exist or a code the domain does not know. A test keeps this
//! registry and the SQL schema in step.

use crate::domain::enums::*;

/// What a field holds, and so how a value is checked before it is stored.
#[derive(Debug, Clone, Copy)]
pub enum FieldKind {
    /// Free text up to this many characters.
    Text(usize),
    /// An integer within an inclusive range.
    Int(i64, i64),
    /// Yes or no.
    Bool,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// A local date and time, `YYYY-MM-DDTHH:MM`, or an RFC 3339 timestamp.
    DateTime,
    /// One of a fixed set of codes.
    Enum(&'static [&'static str]),
    /// The id of a row of the named table.
    Ref(&'static str),
}

/// One column of a synced table.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Column name.
    pub name: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether an insert must give it.
    pub required: bool,
}

/// One synced table.
#[derive(Debug)]
pub struct Entity {
    /// Table name, also the entity name in the change log.
    pub name: &'static str,
    /// Append-only entities accept inserts only (plus a tombstone): they never conflict.
    pub append_only: bool,
    /// Every column but `id` and `deleted`.
    pub fields: &'static [Field],
}

impl Entity {
    /// The field of that name, if the entity has one.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

const SHORT: FieldKind = FieldKind::Text(200);
const LONG: FieldKind = FieldKind::Text(20_000);

const fn f(name: &'static str, kind: FieldKind) -> Field {
    Field { name, kind, required: false }
}
const fn req(name: &'static str, kind: FieldKind) -> Field {
    Field { name, kind, required: true }
}
const fn r(name: &'static str, table: &'static str) -> Field {
    Field { name, kind: FieldKind::Ref(table), required: false }
}
const fn rr(name: &'static str, table: &'static str) -> Field {
    Field { name, kind: FieldKind::Ref(table), required: true }
}
const fn e(name: &'static str, codes: &'static [&'static str]) -> Field {
    Field { name, kind: FieldKind::Enum(codes), required: false }
}
const fn b(name: &'static str) -> Field {
    Field { name, kind: FieldKind::Bool, required: false }
}
const fn d(name: &'static str) -> Field {
    Field { name, kind: FieldKind::Date, required: false }
}

const ID_KINDS: &[&str] = IdKind::CODES;
const SUPERVISOR_KINDS: &[&str] = SupervisorKind::CODES;

/// Every synced entity, in an order where a table comes after the tables it refers to.
pub static ENTITIES: &[Entity] = &[
    Entity {
        name: "organisation",
        append_only: false,
        fields: &[
            req("name", SHORT),
            e("kind", OrgKind::CODES),
            f("municipality", SHORT),
            f("district", SHORT),
            f("security_class", FieldKind::Int(1, 3)),
            f("phone", FieldKind::Text(40)),
            f("note", LONG),
        ],
    },
    Entity {
        name: "contact",
        append_only: false,
        fields: &[
            r("org_id", "organisation"),
            req("name", SHORT),
            f("function", SHORT),
            e("role", ContactRole::CODES),
            f("phone", FieldKind::Text(40)),
            f("email", SHORT),
            d("active_from"),
            d("active_to"),
            d("last_verified"),
        ],
    },
    Entity {
        name: "client",
        append_only: false,
        fields: &[
            req("first_name", SHORT),
            req("last_name", SHORT),
            f("alias", SHORT),
            f("id_number", FieldKind::Text(12)),
            e("id_kind", ID_KINDS),
            e("gender", Gender::CODES),
            b("protected_identity"),
            f("home_municipality", SHORT),
            f("district", SHORT),
            f("residence_municipality", SHORT),
            f("registration_municipality", SHORT),
            b("expulsion"),
            b("gang_exit"),
            b("ipv_conviction"),
            f("language", SHORT),
            b("interpreter"),
            d("closed_on"),
        ],
    },
    Entity {
        name: "sentence",
        append_only: false,
        fields: &[
            rr("client_id", "client"),
            f("offence", SHORT),
            f("length_months", FieldKind::Int(0, 1200)),
            r("prison_id", "organisation"),
            f("security_class", FieldKind::Int(1, 3)),
            d("start_on"),
            d("release_on"),
            d("probation_end_on"),
            b("supervision_decided"),
            d("supervision_decided_on"),
            f("special_conditions", LONG),
            e("release_measure", ReleaseMeasure::CODES),
            d("release_measure_on"),
            e("supervisor_kind", SUPERVISOR_KINDS),
            f("contact_frequency", SHORT),
            b("prison_informed"),
        ],
    },
    Entity {
        name: "risk_assessment",
        append_only: false,
        fields: &[
            rr("client_id", "client"),
            e("instrument", RiskInstrument::CODES),
            d("assessed_on"),
            e("level", RiskLevel::CODES),
            b("c8_history"),
            b("c8_personality"),
            b("c8_attitudes"),
            b("c8_associates"),
            b("c8_substance"),
            b("c8_family"),
            b("c8_school_work"),
            b("c8_leisure"),
            f("responsivity_note", LONG),
        ],
    },
    Entity {
        name: "enrolment",
        append_only: false,
        fields: &[
            rr("client_id", "client"),
            r("sentence_id", "sentence"),
            r("office_id", "organisation"),
            r("coordinator_org_id", "organisation"),
            r("coordinator_id", "contact"),
            e("status", EnrolmentStatus::CODES),
            d("identified_on"),
            d("asked_on"),
            d("decided_on"),
            d("ended_on"),
            e("decline_reason", DeclineReason::CODES),
            e("abort_reason", AbortReason::CODES),
            f("reason_note", LONG),
            r("handover_org_id", "organisation"),
            d("handover_on"),
        ],
    },
    Entity {
        name: "eligibility_check",
        append_only: false,
        fields: &[
            rr("enrolment_id", "enrolment"),
            e("criterion", EligibilityCriterion::CODES),
            b("met"),
            f("override_reason", LONG),
            f("note", LONG),
        ],
    },
    Entity {
        name: "consent",
        append_only: false,
        fields: &[
            rr("client_id", "client"),
            r("enrolment_id", "enrolment"),
            d("given_on"),
            e("form", ConsentForm::CODES),
            f("obtained_by", SHORT),
            b("documented_in_vsp"),
            b("programme_description_given"),
            b("right_to_withdraw_explained"),
            b("covers_information_exchange"),
            b("covers_sip"),
            b("covers_relatives"),
            d("expires_on"),
            d("revoked_on"),
            f("revocation_note", LONG),
        ],
    },
    Entity {
        name: "consent_scope",
        append_only: false,
        fields: &[rr("consent_id", "consent"), rr("org_id", "organisation")],
    },
    Entity {
        name: "need",
        append_only: false,
        fields: &[
            rr("client_id", "client"),
            e("area", LifeArea::CODES),
            e("identified_phase", NeedPhase::CODES),
            e("source", NeedSource::CODES),
            e("severity", Severity::CODES),
            e("status", NeedStatus::CODES),
            d("identified_on"),
        ],
    },
    Entity {
        name: "need_update",
        append_only: true,
        fields: &[
            rr("need_id", "need"),
            req("at", FieldKind::DateTime),
            e("status", NeedStatus::CODES),
            f("comment", LONG),
            r("org_id", "organisation"),
            f("author_name", SHORT),
        ],
    },
    Entity {
        name: "plan",
        append_only: false,
        fields: &[
            rr("client_id", "client"),
            e("kind", PlanKind::CODES),
            e("status", PlanStatus::CODES),
            d("created_on"),
            r("initiator_org_id", "organisation"),
            r("overall_responsible_org_id", "organisation"),
            d("next_follow_up_on"),
        ],
    },
    Entity {
        name: "intervention",
        append_only: false,
        fields: &[
            rr("client_id", "client"),
            r("plan_id", "plan"),
            e("kind", InterventionKind::CODES),
            req("title", SHORT),
            r("provider_org_id", "organisation"),
            r("contact_id", "contact"),
            e("phase", InterventionPhase::CODES),
            e("status", InterventionStatus::CODES),
            d("applied_on"),
            d("decided_on"),
            d("start_on"),
            d("end_on"),
            r("continues_id", "intervention"),
            f("outcome", LONG),
        ],
    },
    Entity {
        name: "intervention_need",
        append_only: false,
        fields: &[rr("intervention_id", "intervention"), rr("need_id", "need")],
    },
    Entity {
        name: "plan_item",
        append_only: false,
        fields: &[
            rr("plan_id", "plan"),
            e("kind", PlanItemKind::CODES),
            req("text", LONG),
            r("responsible_org_id", "organisation"),
            r("intervention_id", "intervention"),
        ],
    },
    Entity {
        name: "goal",
        append_only: false,
        fields: &[
            rr("plan_id", "plan"),
            r("need_id", "need"),
            req("text", LONG),
            d("target_on"),
            f("verification", LONG),
            e("status", GoalStatus::CODES),
        ],
    },
    Entity {
        name: "meeting",
        append_only: false,
        fields: &[
            r("client_id", "client"),
            e("kind", MeetingKind::CODES),
            f("planning_point", FieldKind::Int(1, 5)),
            f("starts_at", FieldKind::DateTime),
            f("duration_min", FieldKind::Int(1, 24 * 60)),
            e("mode", MeetingMode::CODES),
            f("location", SHORT),
            b("room_booked"),
            r("convener_org_id", "organisation"),
            b("client_present"),
            e("status", MeetingStatus::CODES),
            f("agenda", LONG),
            f("decisions", LONG),
            f("channel", SHORT),
        ],
    },
    Entity {
        name: "meeting_participant",
        append_only: false,
        fields: &[
            rr("meeting_id", "meeting"),
            r("org_id", "organisation"),
            r("contact_id", "contact"),
            f("name", SHORT),
            b("attended"),
        ],
    },
    Entity {
        name: "minute_entry",
        append_only: true,
        fields: &[rr("meeting_id", "meeting"), req("at", FieldKind::DateTime), f("author", SHORT), req("text", LONG)],
    },
    Entity {
        name: "event",
        append_only: false,
        fields: &[
            rr("client_id", "client"),
            e("kind", EventKind::CODES),
            d("occurred_on"),
            f("description", LONG),
            d("follow_up_on"),
        ],
    },
    Entity {
        name: "action_item",
        append_only: false,
        fields: &[
            r("client_id", "client"),
            r("meeting_id", "meeting"),
            r("event_id", "event"),
            req("text", LONG),
            r("owner_org_id", "organisation"),
            r("owner_contact_id", "contact"),
            d("due_on"),
            e("status", ActionStatus::CODES),
            d("done_on"),
        ],
    },
    Entity {
        name: "outcome_snapshot",
        append_only: false,
        fields: &[
            rr("client_id", "client"),
            e("point", OutcomePoint::CODES),
            d("recorded_on"),
            e("housing", HousingStatus::CODES),
            e("occupation", OccupationStatus::CODES),
            b("in_treatment"),
            b("reoffended"),
        ],
    },
    Entity {
        name: "note",
        append_only: true,
        fields: &[
            rr("client_id", "client"),
            req("at", FieldKind::DateTime),
            f("author", SHORT),
            e("category", NoteCategory::CODES),
            req("text", LONG),
            e("sensitivity", Sensitivity::CODES),
            r("corrects_id", "note"),
        ],
    },
    Entity {
        name: "org_structure",
        append_only: false,
        fields: &[
            req("name", SHORT),
            f("frequency_per_year", FieldKind::Int(0, 365)),
            f("agreement_ref", SHORT),
            d("updated_on"),
            f("note", LONG),
        ],
    },
    Entity {
        name: "org_structure_member",
        append_only: false,
        fields: &[rr("structure_id", "org_structure"), rr("org_id", "organisation")],
    },
    Entity {
        name: "audit_log",
        append_only: true,
        fields: &[
            req("at", FieldKind::DateTime),
            f("actor", SHORT),
            f("replica", SHORT),
            e("action", AuditAction::CODES),
            // No foreign key: an audit entry outlives a purged client.
            f("client_id", FieldKind::Text(36)),
            f("detail", LONG),
        ],
    },
    Entity {
        name: "purge",
        append_only: true,
        fields: &[
            // No foreign key: the client row is what the purge erases (src/store/purge.rs).
            req("client_id", FieldKind::Text(36)),
            req("purged_at", FieldKind::DateTime),
            f("by", SHORT),
        ],
    },
];

/// The entity of that name, if it is synced.
pub fn entity(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|e| e.name == name)
}
