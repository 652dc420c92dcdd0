-- sluss schema v3. Frozen once released, like v1 and v2.

-- Calendar (issue 8) ------------------------------------------------------------
-- Every query by time reads live meetings only. With `deleted` outside the index, counting a
-- busy week (up to the calendar's cap of 1 000) looked up each meeting's row to check it:
-- a random page read per meeting. Only live rows in the index makes the count and the
-- visible window index-only.
DROP INDEX meeting_starts;
CREATE INDEX meeting_starts_live ON meeting(starts_at, id) WHERE deleted = 0;

-- Follow-up cache (issue 7)
-- Replica-local and derived: never synced, never in a bundle or the fingerprint, and
-- `sluss check` compares it with a fresh computation. Each row holds what the follow-up
-- indicators need about one live client (`ClientFacts`, encoded by src/report/cache.rs), so
-- opening the Follow-up screen reads 100 000 short rows instead of joining two million.
-- A client's row is rewritten when any change-log entry after the watermark touches data the
-- indicators read about them; there is no hook in the write paths.
CREATE TABLE follow_up_fact (
    client_id TEXT PRIMARY KEY,
    facts     BLOB NOT NULL
) STRICT, WITHOUT ROWID;

-- One row once the cache was built: every change-log entry with seq <= `seq` is reflected in
-- `follow_up_fact`, which holds `clients` rows (kept here: counting them reads every page).
-- `format` names the blob encoding; a build with another one rebuilds.
CREATE TABLE follow_up_state (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    seq       INTEGER NOT NULL,
    format    INTEGER NOT NULL,
    clients   INTEGER NOT NULL
) STRICT;

-- Clients whose cached facts may be stale for a reason the change log cannot show: a purge
-- erased rows (and their log entries) that another client's facts referred to.
CREATE TABLE follow_up_stale (
    client_id TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;

-- The indicators take the newest of two outcome snapshots recorded the same day by id
-- (UUIDv7: creation order, the same on every replica), so the covering index holds it.
DROP INDEX follow_up_outcome;
CREATE INDEX follow_up_outcome ON outcome_snapshot(client_id, point, housing, occupation, in_treatment, recorded_on, id)
    WHERE deleted = 0;

-- Sync: change log (issue 5)
-- Every change costs one b-tree write per index of the log, and import writes hundreds of
-- thousands of them (docs/performance.md). A change is identified by its origin and clock,
-- so one unique index on (hlc, replica) both refuses a second change at the same origin and
-- clock and gives export its merge order; the (replica, hlc) index goes. Asking for one
-- origin's changes (an export's count, the newest change of this replica) reads this index
-- in clock order instead: a scan, but only once per export or import.
DROP INDEX change_log_origin;
DROP INDEX change_log_order;
CREATE UNIQUE INDEX change_log_order ON change_log(hlc, replica);
-- Only a field change supersedes anything; an insert (NULL) needs no entry. Lookups are
-- `supersedes = ?`, which this partial index answers.
DROP INDEX change_log_supersedes;
CREATE INDEX change_log_supersedes ON change_log(supersedes) WHERE supersedes IS NOT NULL;

-- Client search (issue 6) ------------------------------------------------------
-- A protected identity is found by its alias only: its municipality is left out of the
-- index too (the list already hides it), since "Umeå" narrowed to one Skyddad client tells
-- where they live. The identity number is indexed in both its 12- and 10-digit forms, so a
-- number typed as ÅÅMMDD-NNNN is found as well.
DROP TRIGGER client_fts_ai;
DROP TRIGGER client_fts_au;
CREATE TRIGGER client_fts_ai AFTER INSERT ON client BEGIN
    INSERT INTO client_fts(rowid, first_name, last_name, alias, id_number, home_municipality)
    VALUES (new.rowid,
            iif(new.protected_identity, NULL, new.first_name), iif(new.protected_identity, NULL, new.last_name),
            new.alias,
            iif(new.protected_identity, NULL, new.id_number || ' ' || substr(new.id_number, 3)),
            iif(new.protected_identity, NULL, new.home_municipality));
END;
CREATE TRIGGER client_fts_au
AFTER UPDATE OF first_name, last_name, alias, id_number, home_municipality, protected_identity ON client BEGIN
    UPDATE client_fts SET
        first_name = iif(new.protected_identity, NULL, new.first_name),
        last_name = iif(new.protected_identity, NULL, new.last_name),
        alias = new.alias,
        id_number = iif(new.protected_identity, NULL, new.id_number || ' ' || substr(new.id_number, 3)),
        home_municipality = iif(new.protected_identity, NULL, new.home_municipality)
    WHERE rowid = new.rowid;
END;
DELETE FROM client_fts;
INSERT INTO client_fts(rowid, first_name, last_name, alias, id_number, home_municipality)
SELECT rowid,
       iif(protected_identity, NULL, first_name), iif(protected_identity, NULL, last_name),
       alias,
       iif(protected_identity, NULL, id_number || ' ' || substr(id_number, 3)),
       iif(protected_identity, NULL, home_municipality)
FROM client;
