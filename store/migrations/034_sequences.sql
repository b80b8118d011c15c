-- Placeholder: migration 034 belongs to the sequences branch (issue 29's
-- parallel work), which brings its own 034_sequences.sql. This empty one
-- only keeps the numbers of this branch without a gap so that 035 runs;
-- when merging, the sequences branch's file replaces it.
SELECT 1;
