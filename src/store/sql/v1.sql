-- sluss schema v1. Every synced table: UUIDv7 TEXT key, STRICT, a `deleted` tombstone flag.
-- Rows are written only by the write path (src/store/write.rs), which also appends to change_log.
-- Columns have defaults so a row can be materialised from any subset of its fields (import).

-- Replica-local state (never synced).
CREATE TABLE replica (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    replica_id TEXT NOT NULL,
    hlc        INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE change_log (
    seq        INTEGER PRIMARY KEY,          -- local arrival order
    change_id  TEXT NOT NULL UNIQUE,         -- UUIDv7
    entity     TEXT NOT NULL,
    row_id     TEXT NOT NULL,
    field      TEXT NOT NULL,                -- column name, '*' for a row insert (value = JSON object)
    value      TEXT NOT NULL,                -- JSON
    hlc        INTEGER NOT NULL,             -- hybrid logical clock: ms << 16 | counter
    replica    TEXT NOT NULL,                -- origin replica id
    author     TEXT NOT NULL,
    supersedes TEXT                          -- change_id this one replaced (NULL for inserts)
) STRICT;
CREATE INDEX change_log_field ON change_log(entity, row_id, field, hlc);
CREATE UNIQUE INDEX change_log_origin ON change_log(replica, hlc);

CREATE TABLE draft (
    id         TEXT PRIMARY KEY,
    form       TEXT NOT NULL,
    target_id  TEXT,
    payload    TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- Organisations and contacts -------------------------------------------------
CREATE TABLE organisation (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL DEFAULT 'annan',
    municipality   TEXT,
    district       TEXT,
    security_class INTEGER,
    phone          TEXT,
    note           TEXT,
    deleted        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX organisation_kind ON organisation(kind);

CREATE TABLE contact (
    id            TEXT PRIMARY KEY,
    org_id        TEXT REFERENCES organisation(id),
    name          TEXT NOT NULL DEFAULT '',
    function      TEXT,
    role          TEXT NOT NULL DEFAULT 'annan',
    phone         TEXT,
    email         TEXT,
    active_from   TEXT,
    active_to     TEXT,
    last_verified TEXT,
    deleted       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX contact_org ON contact(org_id);

-- Clients ----------------------------------------------------------------------
CREATE TABLE client (
    id                        TEXT PRIMARY KEY,
    first_name                TEXT NOT NULL DEFAULT '',
    last_name                 TEXT NOT NULL DEFAULT '',
    alias                     TEXT,
    id_number                 TEXT,          -- 12 digits, personnummer or samordningsnummer
    id_kind                   TEXT,          -- personnummer | samordningsnummer
    gender                    TEXT NOT NULL DEFAULT 'okant',
    protected_identity        INTEGER NOT NULL DEFAULT 0,
    home_municipality         TEXT,
    district                  TEXT,
    residence_municipality    TEXT,
    registration_municipality TEXT,
    expulsion                 INTEGER NOT NULL DEFAULT 0,
    gang_exit                 INTEGER NOT NULL DEFAULT 0,
    ipv_conviction            INTEGER NOT NULL DEFAULT 0,
    language                  TEXT,
    interpreter               INTEGER NOT NULL DEFAULT 0,
    closed_on                 TEXT,
    deleted                   INTEGER NOT NULL DEFAULT 0,
    -- Lists sort by this, so a protected identity sits under its alias, not its real name.
    sort_name                 TEXT GENERATED ALWAYS AS (
        iif(protected_identity, ifnull(alias, ''), last_name || ' ' || first_name)) STORED
) STRICT;
CREATE INDEX client_sort ON client(sort_name, id);
CREATE INDEX client_municipality ON client(home_municipality);
CREATE INDEX client_id_number ON client(id_number);

-- The search index keeps its own copy of the searchable columns. A client with protected
-- identity is findable by alias only, never by name or number.
CREATE VIRTUAL TABLE client_fts USING fts5(
    first_name, last_name, alias, id_number, home_municipality,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);
CREATE TRIGGER client_fts_ai AFTER INSERT ON client BEGIN
    INSERT INTO client_fts(rowid, first_name, last_name, alias, id_number, home_municipality)
    VALUES (new.rowid,
            iif(new.protected_identity, NULL, new.first_name), iif(new.protected_identity, NULL, new.last_name),
            new.alias, iif(new.protected_identity, NULL, new.id_number), new.home_municipality);
END;
CREATE TRIGGER client_fts_ad AFTER DELETE ON client BEGIN
    DELETE FROM client_fts WHERE rowid = old.rowid;
END;
CREATE TRIGGER client_fts_au
AFTER UPDATE OF first_name, last_name, alias, id_number, home_municipality, protected_identity ON client BEGIN
    UPDATE client_fts SET
        first_name = iif(new.protected_identity, NULL, new.first_name),
        last_name = iif(new.protected_identity, NULL, new.last_name),
        alias = new.alias,
        id_number = iif(new.protected_identity, NULL, new.id_number),
        home_municipality = new.home_municipality
    WHERE rowid = new.rowid;
END;

CREATE TABLE sentence (
    id                        TEXT PRIMARY KEY,
    client_id                 TEXT REFERENCES client(id),
    offence                   TEXT,
    length_months             INTEGER,
    prison_id                 TEXT REFERENCES organisation(id),
    security_class            INTEGER,
    start_on                  TEXT,
    release_on                TEXT,          -- villkorlig frigivning (the VF date)
    probation_end_on          TEXT,          -- end of prövotid
    supervision_decided       INTEGER NOT NULL DEFAULT 0,
    supervision_decided_on    TEXT,
    special_conditions        TEXT,
    release_measure           TEXT NOT NULL DEFAULT 'ingen',
    release_measure_on        TEXT,
    supervisor_kind           TEXT,
    contact_frequency         TEXT,
    prison_informed           INTEGER NOT NULL DEFAULT 0,
    deleted                   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sentence_client ON sentence(client_id, release_on);
CREATE INDEX sentence_release ON sentence(release_on, client_id);
CREATE INDEX sentence_probation_end ON sentence(probation_end_on, client_id);

CREATE TABLE risk_assessment (
    id                TEXT PRIMARY KEY,
    client_id         TEXT REFERENCES client(id),
    instrument        TEXT NOT NULL DEFAULT 'rbm_b',
    assessed_on       TEXT,
    level             TEXT NOT NULL DEFAULT 'medel',
    c8_history        INTEGER NOT NULL DEFAULT 0,
    c8_personality    INTEGER NOT NULL DEFAULT 0,
    c8_attitudes      INTEGER NOT NULL DEFAULT 0,
    c8_associates     INTEGER NOT NULL DEFAULT 0,
    c8_substance      INTEGER NOT NULL DEFAULT 0,
    c8_family         INTEGER NOT NULL DEFAULT 0,
    c8_school_work    INTEGER NOT NULL DEFAULT 0,
    c8_leisure        INTEGER NOT NULL DEFAULT 0,
    responsivity_note TEXT,
    deleted           INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX risk_client ON risk_assessment(client_id, assessed_on);
CREATE INDEX risk_level ON risk_assessment(level);

CREATE TABLE enrolment (
    id                 TEXT PRIMARY KEY,
    client_id          TEXT REFERENCES client(id),
    sentence_id        TEXT REFERENCES sentence(id),
    office_id          TEXT REFERENCES organisation(id),
    coordinator_org_id TEXT REFERENCES organisation(id),
    coordinator_id     TEXT REFERENCES contact(id),
    status             TEXT NOT NULL DEFAULT 'kandidat',
    identified_on      TEXT,
    asked_on           TEXT,
    decided_on         TEXT,
    ended_on           TEXT,
    decline_reason     TEXT,
    abort_reason       TEXT,
    reason_note        TEXT,
    handover_org_id    TEXT REFERENCES organisation(id),
    handover_on        TEXT,
    deleted            INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX enrolment_client ON enrolment(client_id, id);
CREATE INDEX enrolment_status ON enrolment(status, client_id);
CREATE INDEX enrolment_office ON enrolment(office_id);
CREATE INDEX enrolment_coordinator ON enrolment(coordinator_id);

CREATE TABLE eligibility_check (
    id              TEXT PRIMARY KEY,
    enrolment_id    TEXT REFERENCES enrolment(id),
    criterion       TEXT NOT NULL DEFAULT 'motiverad',
    met             INTEGER,
    override_reason TEXT,
    note            TEXT,
    deleted         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX eligibility_enrolment ON eligibility_check(enrolment_id);

-- Consent ----------------------------------------------------------------------
CREATE TABLE consent (
    id                          TEXT PRIMARY KEY,
    client_id                   TEXT REFERENCES client(id),
    enrolment_id                TEXT REFERENCES enrolment(id),
    given_on                    TEXT,
    form                        TEXT NOT NULL DEFAULT 'skriftligt',
    obtained_by                 TEXT,
    documented_in_vsp           INTEGER NOT NULL DEFAULT 0,
    programme_description_given INTEGER NOT NULL DEFAULT 0,
    right_to_withdraw_explained INTEGER NOT NULL DEFAULT 0,
    covers_information_exchange INTEGER NOT NULL DEFAULT 1,
    covers_sip                  INTEGER NOT NULL DEFAULT 0,
    covers_relatives            INTEGER NOT NULL DEFAULT 0,
    expires_on                  TEXT,
    revoked_on                  TEXT,
    revocation_note             TEXT,
    deleted                     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX consent_client ON consent(client_id);
CREATE INDEX consent_expires ON consent(expires_on);

CREATE TABLE consent_scope (
    id         TEXT PRIMARY KEY,
    consent_id TEXT REFERENCES consent(id),
    org_id     TEXT REFERENCES organisation(id),
    deleted    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX consent_scope_consent ON consent_scope(consent_id);
CREATE INDEX consent_scope_org ON consent_scope(org_id);

-- Needs, interventions, plans --------------------------------------------------
CREATE TABLE need (
    id               TEXT PRIMARY KEY,
    client_id        TEXT REFERENCES client(id),
    area             TEXT NOT NULL DEFAULT 'housing',
    identified_phase TEXT,
    source           TEXT,
    severity         TEXT,
    status           TEXT NOT NULL DEFAULT 'identifierad',
    identified_on    TEXT,
    deleted          INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX need_client ON need(client_id, area);
CREATE INDEX need_area_status ON need(area, status);

CREATE TABLE need_update (
    id          TEXT PRIMARY KEY,
    need_id     TEXT REFERENCES need(id),
    at          TEXT NOT NULL DEFAULT '',
    status      TEXT,
    comment     TEXT,
    org_id      TEXT REFERENCES organisation(id),
    author_name TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX need_update_need ON need_update(need_id, at);

CREATE TABLE plan (
    id                         TEXT PRIMARY KEY,
    client_id                  TEXT REFERENCES client(id),
    kind                       TEXT NOT NULL DEFAULT 'inslussningsplan',
    status                     TEXT NOT NULL DEFAULT 'utkast',
    created_on                 TEXT,
    initiator_org_id           TEXT REFERENCES organisation(id),
    overall_responsible_org_id TEXT REFERENCES organisation(id),
    next_follow_up_on          TEXT,
    deleted                    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX plan_client ON plan(client_id);
CREATE INDEX plan_follow_up ON plan(next_follow_up_on);

CREATE TABLE intervention (
    id              TEXT PRIMARY KEY,
    client_id       TEXT REFERENCES client(id),
    plan_id         TEXT REFERENCES plan(id),
    kind            TEXT NOT NULL DEFAULT 'annan',
    title           TEXT NOT NULL DEFAULT '',
    provider_org_id TEXT REFERENCES organisation(id),
    contact_id      TEXT REFERENCES contact(id),
    phase           TEXT,
    status          TEXT NOT NULL DEFAULT 'planerad',
    applied_on      TEXT,
    decided_on      TEXT,
    start_on        TEXT,
    end_on          TEXT,
    continues_id    TEXT REFERENCES intervention(id),
    outcome         TEXT,
    deleted         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX intervention_client ON intervention(client_id);
CREATE INDEX intervention_provider ON intervention(provider_org_id);
CREATE INDEX intervention_continues ON intervention(continues_id);

CREATE TABLE intervention_need (
    id              TEXT PRIMARY KEY,
    intervention_id TEXT REFERENCES intervention(id),
    need_id         TEXT REFERENCES need(id),
    deleted         INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX intervention_need_need ON intervention_need(need_id);
CREATE INDEX intervention_need_intervention ON intervention_need(intervention_id);

-- The four fields a SIP must hold, one row per item: `kind` says which.
CREATE TABLE plan_item (
    id                 TEXT PRIMARY KEY,
    plan_id            TEXT REFERENCES plan(id),
    kind               TEXT NOT NULL DEFAULT 'behovd_insats',
    text               TEXT NOT NULL DEFAULT '',
    responsible_org_id TEXT REFERENCES organisation(id),
    intervention_id    TEXT REFERENCES intervention(id),
    deleted            INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX plan_item_plan ON plan_item(plan_id);

CREATE TABLE goal (
    id           TEXT PRIMARY KEY,
    plan_id      TEXT REFERENCES plan(id),
    need_id      TEXT REFERENCES need(id),
    text         TEXT NOT NULL DEFAULT '',
    target_on    TEXT,
    verification TEXT,
    status       TEXT NOT NULL DEFAULT 'ej_paborjat',
    deleted      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX goal_plan ON goal(plan_id);

-- Meetings -------------------------------------------------------------------
CREATE TABLE meeting (
    id               TEXT PRIMARY KEY,
    client_id        TEXT REFERENCES client(id),
    kind             TEXT NOT NULL DEFAULT 'samverkansmote',
    planning_point   INTEGER,
    starts_at        TEXT,                  -- local time, YYYY-MM-DDTHH:MM
    duration_min     INTEGER,
    mode             TEXT NOT NULL DEFAULT 'fysiskt',
    location         TEXT,
    room_booked      INTEGER NOT NULL DEFAULT 0,
    convener_org_id  TEXT REFERENCES organisation(id),
    client_present   INTEGER,
    status           TEXT NOT NULL DEFAULT 'planerat',
    agenda           TEXT,
    decisions        TEXT,
    channel          TEXT,
    deleted          INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX meeting_starts ON meeting(starts_at, id);
CREATE INDEX meeting_client ON meeting(client_id, starts_at);

CREATE TABLE meeting_participant (
    id         TEXT PRIMARY KEY,
    meeting_id TEXT REFERENCES meeting(id),
    org_id     TEXT REFERENCES organisation(id),
    contact_id TEXT REFERENCES contact(id),
    name       TEXT,
    attended   INTEGER,
    deleted    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX participant_meeting ON meeting_participant(meeting_id);
CREATE INDEX participant_org ON meeting_participant(org_id);

CREATE TABLE minute_entry (
    id         TEXT PRIMARY KEY,
    meeting_id TEXT REFERENCES meeting(id),
    at         TEXT NOT NULL DEFAULT '',
    author     TEXT,
    text       TEXT NOT NULL DEFAULT '',
    deleted    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX minute_meeting ON minute_entry(meeting_id, at);

CREATE TABLE event (
    id           TEXT PRIMARY KEY,
    client_id    TEXT REFERENCES client(id),
    kind         TEXT NOT NULL DEFAULT 'annat',
    occurred_on  TEXT,
    description  TEXT,
    follow_up_on TEXT,
    deleted      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX event_client ON event(client_id, occurred_on);
CREATE INDEX event_follow_up ON event(follow_up_on);

CREATE TABLE action_item (
    id               TEXT PRIMARY KEY,
    client_id        TEXT REFERENCES client(id),
    meeting_id       TEXT REFERENCES meeting(id),
    event_id         TEXT REFERENCES event(id),
    text             TEXT NOT NULL DEFAULT '',
    owner_org_id     TEXT REFERENCES organisation(id),
    owner_contact_id TEXT REFERENCES contact(id),
    due_on           TEXT,
    status           TEXT NOT NULL DEFAULT 'oppen',
    done_on          TEXT,
    deleted          INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX action_open_due ON action_item(status, due_on, id);
CREATE INDEX action_event ON action_item(event_id);
CREATE INDEX action_owner ON action_item(owner_contact_id, status);
CREATE INDEX action_client ON action_item(client_id);
CREATE INDEX action_meeting ON action_item(meeting_id);

CREATE TABLE outcome_snapshot (
    id          TEXT PRIMARY KEY,
    client_id   TEXT REFERENCES client(id),
    point       TEXT NOT NULL DEFAULT 'vid_vf',
    recorded_on TEXT,
    housing     TEXT,
    occupation  TEXT,
    in_treatment INTEGER,
    reoffended  INTEGER,
    deleted     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX outcome_client ON outcome_snapshot(client_id, point);

-- Journal notes are append-only: a correction is a new note pointing at the old one.
CREATE TABLE note (
    id          TEXT PRIMARY KEY,
    client_id   TEXT REFERENCES client(id),
    at          TEXT NOT NULL DEFAULT '',
    author      TEXT,
    category    TEXT NOT NULL DEFAULT 'ovrigt',
    text        TEXT NOT NULL DEFAULT '',
    sensitivity TEXT NOT NULL DEFAULT 'normal',
    corrects_id TEXT REFERENCES note(id),
    deleted     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX note_client ON note(client_id, at);

CREATE VIRTUAL TABLE note_fts USING fts5(
    text, content = 'note', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER note_fts_ai AFTER INSERT ON note BEGIN
    INSERT INTO note_fts(rowid, text) VALUES (new.rowid, new.text);
END;
CREATE TRIGGER note_fts_ad AFTER DELETE ON note BEGIN
    INSERT INTO note_fts(note_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
CREATE TRIGGER note_fts_au AFTER UPDATE OF text ON note BEGIN
    INSERT INTO note_fts(note_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    INSERT INTO note_fts(rowid, text) VALUES (new.rowid, new.text);
END;

-- Meeting structure agreed between organisations (how often they meet), one member row per org.
CREATE TABLE org_structure (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL DEFAULT '',
    frequency_per_year INTEGER,
    agreement_ref      TEXT,
    updated_on         TEXT,
    note               TEXT,
    deleted            INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE org_structure_member (
    id           TEXT PRIMARY KEY,
    structure_id TEXT REFERENCES org_structure(id),
    org_id       TEXT REFERENCES organisation(id),
    deleted      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX org_structure_member_structure ON org_structure_member(structure_id);

-- Audit entries are append-only and synced; client_id has no foreign key so a purge keeps them.
CREATE TABLE audit_log (
    id        TEXT PRIMARY KEY,
    at        TEXT NOT NULL DEFAULT '',
    actor     TEXT,
    replica   TEXT,
    action    TEXT NOT NULL DEFAULT '',
    client_id TEXT,
    detail    TEXT,
    deleted   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_client ON audit_log(client_id, at);
