-- Intake: configurable option lists, invite links, de-duplication enforced
-- in PostgreSQL, per-source duplicate policies, and the indexes the lead
-- list filters need.

CREATE TABLE option_lists (
    name       text PRIMARY KEY,
    items      text[] NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
