-- Sequences (drips, issue 27): ordered steps (send a template on a
-- channel, wait, branch on an expression about the lead) a lead is
-- enrolled in by hand, by a bulk action or by the enroll_when rules.
--
-- Each enrolment runs as its own workflow (workflows.SequenceWorkflow);
-- the row is what the console and the API show of it (the step it is at,
-- when the next one is due) and what a step reads under its lock: an
-- enrolment that is no longer active sends nothing more. A lead is in a
-- sequence at most once at a time (the partial unique index).
CREATE TABLE sequences (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    -- the pools whose managers may change it (none: admins only)
    pool_ids   uuid[] NOT NULL DEFAULT '{}',
    steps      jsonb NOT NULL,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sequences_created_idx ON sequences (created_at DESC, id DESC);

CREATE TABLE sequence_enrolments (
    id          uuid PRIMARY KEY,
    sequence_id uuid NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
    lead_id     uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    -- the steps as they were at enrolment: an edit applies to new enrolments
    steps       jsonb NOT NULL,
    status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'done', 'exited')),
    -- why it exited: claimed, converted, replied, unsubscribed, removed
    reason      text NOT NULL DEFAULT '',
    step        integer NOT NULL DEFAULT 0,
    next_at     timestamptz,
    -- by: the user (by hand, bulk) or nobody (a rule); via: hand, bulk, rule
    enrolled_by uuid REFERENCES users (id),
    via         text NOT NULL DEFAULT 'hand',
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- its workflow's start was recorded (else the worker's pump starts it)
    started_at  timestamptz,
    ended_at    timestamptz
);
CREATE INDEX sequence_enrolments_unstarted_idx ON sequence_enrolments (created_at) WHERE started_at IS NULL AND status = 'active';
CREATE UNIQUE INDEX sequence_enrolments_active_idx ON sequence_enrolments (sequence_id, lead_id) WHERE status = 'active';
CREATE INDEX sequence_enrolments_lead_idx ON sequence_enrolments (lead_id, created_at DESC);

ALTER TABLE notifications ADD COLUMN sequence_id uuid REFERENCES sequences (id) ON DELETE SET NULL;
CREATE INDEX notifications_sequence_idx ON notifications (sequence_id, status) WHERE sequence_id IS NOT NULL;

-- an enrolment exits when one of its lead's addresses unsubscribes
CREATE INDEX suppressions_lead_idx ON suppressions (lead_id, created_at) WHERE lead_id IS NOT NULL;

-- enroll_when (a rule kind): which new leads enter which sequences
INSERT INTO rule_sets (kind, version, body) VALUES ('enroll_when', 1, '{"rules": []}');
INSERT INTO active_rule_sets (kind, version) VALUES ('enroll_when', 1);
