-- sluss schema v4. Frozen once released, like v1 to v3.

-- Purge (gallring): erasing a client's row makes SQLite look, for every foreign key that
-- refers to the row's table, for rows still referring to it. These six referring columns had
-- no index, so each erased row meant a full scan of the referring table: at 100 000 clients
-- a purge took 0.29 s a client, nine tenths of it in such scans, against 0.023 s with them.
-- Only rows that refer count (the columns are often empty), so the indexes are partial.
CREATE INDEX enrolment_sentence ON enrolment(sentence_id) WHERE sentence_id IS NOT NULL;
CREATE INDEX consent_enrolment ON consent(enrolment_id) WHERE enrolment_id IS NOT NULL;
CREATE INDEX intervention_plan ON intervention(plan_id) WHERE plan_id IS NOT NULL;
CREATE INDEX plan_item_intervention ON plan_item(intervention_id) WHERE intervention_id IS NOT NULL;
CREATE INDEX goal_need ON goal(need_id) WHERE need_id IS NOT NULL;
CREATE INDEX note_corrects ON note(corrects_id) WHERE corrects_id IS NOT NULL;
