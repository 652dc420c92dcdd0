-- sluss schema v3. Frozen once released, like v1 and v2.

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
