-- Room on each page of leads and lead_funnel for a row's new version, so an
-- update that changes no indexed column (the intake outcome, a follow-up's
-- time, the funnel's counters) is a HOT update: no new entry in any of the
-- 25 indexes of leads, 9 of them trigram GIN indexes. Pages written before
-- this migration keep their layout until they are rewritten.
ALTER TABLE leads SET (fillfactor = 85);
ALTER TABLE lead_funnel SET (fillfactor = 85);

