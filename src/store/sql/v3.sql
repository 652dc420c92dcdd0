-- sluss schema v3. Frozen once released, like v1 and v2.

-- Calendar (issue 8) ------------------------------------------------------------
-- Every query by time reads live meetings only. With `deleted` outside the index, counting a
-- busy week (up to the calendar's cap of 1 000) looked up each meeting's row to check it:
-- a random page read per meeting. Only live rows in the index makes the count and the
-- visible window index-only.
DROP INDEX meeting_starts;
CREATE INDEX meeting_starts_live ON meeting(starts_at, id) WHERE deleted = 0;
