-- sluss schema v2: offline sync (docs/sync.md). Frozen once released, like v1.

-- Extra "has seen" links. change_log.supersedes holds the one change an edit replaced (the
-- field's head); a change written while a field held several concurrent values has seen all
-- of them, and the others are listed here. Synced: the bundle carries every link of a change.
CREATE TABLE change_supersedes (
    change_id  TEXT NOT NULL,
    superseded TEXT NOT NULL,
    PRIMARY KEY (change_id, superseded)
) STRICT, WITHOUT ROWID;
CREATE INDEX change_supersedes_superseded ON change_supersedes(superseded);
-- Finding the changes nobody has superseded yet (a field's current values) looks here.
CREATE INDEX change_log_supersedes ON change_log(supersedes);
-- Export streams the log in merge order (hlc, then replica) without sorting it in memory.
CREATE INDEX change_log_order ON change_log(hlc, replica);

-- Replica-local state below: never synced.

-- Up to which clock value this store holds every change of each origin replica. Raised by
-- complete imports only, so a partner bundle (a subset) never makes a store claim more.
CREATE TABLE sync_knowledge (
    replica TEXT PRIMARY KEY,
    hlc     INTEGER NOT NULL
) STRICT;
INSERT INTO sync_knowledge (replica, hlc) SELECT replica, max(hlc) FROM change_log GROUP BY replica;

-- What each peer said it held, per origin replica, in the last bundle it sent us: what an
-- export `--to PEER` can leave out.
CREATE TABLE sync_peer (
    peer    TEXT NOT NULL,
    replica TEXT NOT NULL,
    hlc     INTEGER NOT NULL,
    PRIMARY KEY (peer, replica)
) STRICT, WITHOUT ROWID;

-- Fields that hold two or more concurrent values nobody has chosen between yet. Derived
-- from the change log (kept in step by the write path and import; `sluss check` verifies).
CREATE TABLE sync_conflict (
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    field  TEXT NOT NULL,
    PRIMARY KEY (entity, row_id, field)
) STRICT, WITHOUT ROWID;

-- Secrets of this replica (the evaluators' pseudonym key): never synced, never exported.
CREATE TABLE local_secret (
    name       TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- Retention (gallring, docs/security.md). A purge record is synced and append-only: every
-- replica that imports it erases the client's rows and their change-log entries. It holds
-- ids and times only, never the erased data.
CREATE TABLE purge (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL DEFAULT '',
    purged_at   TEXT NOT NULL DEFAULT '',
    by          TEXT,
    deleted     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX purge_client ON purge(client_id);

-- Replica-local: the rows this replica erased because of a purge (ids only), so a later
-- import of old changes to them is dropped instead of bringing the data back.
CREATE TABLE purged_row (
    entity TEXT NOT NULL,
    row_id TEXT NOT NULL,
    PRIMARY KEY (entity, row_id)
) STRICT, WITHOUT ROWID;

-- The Audit screen filters by person and kind over a period (docs/security.md).
CREATE INDEX audit_actor ON audit_log(actor, at);
CREATE INDEX audit_action ON audit_log(action, at);

-- Deleting from the search indexes removes the terms at once instead of leaving them in
-- older index segments until a merge: a purge leaves no searchable trace of a name.
INSERT INTO client_fts(client_fts, rank) VALUES ('secure-delete', 1);
INSERT INTO note_fts(note_fts, rank) VALUES ('secure-delete', 1);

-- Follow-up indicators (issue 7, docs/performance.md): one covering index per table the
-- indicators read, holding exactly the columns `report/facts.rs` asks for and only live
-- rows, so reading the facts decrypts these small b-trees instead of every full row.
CREATE INDEX follow_up_client ON client(id, gender) WHERE deleted = 0;
CREATE INDEX follow_up_enrolment ON enrolment(client_id, id, status, identified_on, asked_on, decided_on,
    decline_reason, abort_reason, office_id, coordinator_id) WHERE deleted = 0;
CREATE INDEX follow_up_sentence ON sentence(client_id, release_on) WHERE deleted = 0;
CREATE INDEX follow_up_consent ON consent(client_id, given_on, documented_in_vsp, form, programme_description_given,
    right_to_withdraw_explained) WHERE deleted = 0;
CREATE INDEX follow_up_meeting ON meeting(client_id, id, starts_at, planning_point, kind, status)
    WHERE deleted = 0 AND status = 'genomfort';
CREATE INDEX follow_up_participant ON meeting_participant(meeting_id, org_id, attended) WHERE deleted = 0;
CREATE INDEX follow_up_need ON need(id, area) WHERE deleted = 0;
CREATE INDEX follow_up_intervention ON intervention(client_id, id, status, provider_org_id) WHERE deleted = 0;
CREATE INDEX follow_up_intervention_need ON intervention_need(intervention_id, need_id) WHERE deleted = 0;
CREATE INDEX follow_up_outcome ON outcome_snapshot(client_id, point, housing, occupation, in_treatment, recorded_on)
    WHERE deleted = 0;
