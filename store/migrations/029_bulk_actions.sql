-- Bulk actions (issue 28): one job applies one lead action to many leads,
-- each through the lead's own workflow as the single action does. The
-- selection is frozen into bulk_action_items once (by the job's first
-- step), and every item records its outcome once, so a job resumed after
-- a worker's crash acts on what is left and nothing twice.
CREATE TABLE bulk_actions (
    id          uuid PRIMARY KEY,
    created_by  uuid NOT NULL REFERENCES users (id),
    action      text NOT NULL,
    params      jsonb NOT NULL DEFAULT '{}',
    -- filter: the lead list's filter, its viewer included; lead_ids: the
    -- leads named instead. One of the two.
    filter      jsonb,
    lead_ids    uuid[],
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
    selected    boolean NOT NULL DEFAULT false,
    total       integer NOT NULL DEFAULT 0,
    export_id   uuid REFERENCES exports (id),
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX bulk_actions_created_by_idx ON bulk_actions (created_by, created_at DESC);

-- One lead of a job's selection, in order; outcome is NULL until acted on.
-- lead_id has no foreign key: an id given may name no lead (refused: access).
CREATE TABLE bulk_action_items (
    bulk_id uuid NOT NULL REFERENCES bulk_actions (id) ON DELETE CASCADE,
    pos     integer NOT NULL,
    lead_id uuid NOT NULL,
    outcome text CHECK (outcome IN ('succeeded', 'refused', 'failed')),
    reason  text NOT NULL DEFAULT '',
    detail  text NOT NULL DEFAULT '',
    PRIMARY KEY (bulk_id, pos)
);
