-- Placeholder: number 015 belongs to another branch (015_lead_funnel.sql).
-- It exists only so that this branch's 016 migrates on its own; drop this
-- file when merging that branch's 015.
SELECT 1;
