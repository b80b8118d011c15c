-- Placeholder: migration 010 is being added on another branch. This file only
-- keeps the sequence whole on the console branch; drop it when that branch merges.
SELECT 1;
