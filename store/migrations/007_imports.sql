-- Bulk import and export. An import keeps the parsed rows of its file in
-- import_rows, so any worker can process them in batches; each row's
-- outcome is recorded once, keyed by (import_id, row). An export keeps its
-- file until it is downloaded (or cleaned up).

CREATE TABLE imports (
    id               uuid PRIMARY KEY,
    created_by       uuid NOT NULL REFERENCES users (id),
    file_name        text NOT NULL DEFAULT '',
    format           text NOT NULL CHECK (format IN ('csv', 'xlsx')),
    file_sha256      text NOT NULL,
    file_size        bigint NOT NULL DEFAULT 0,
    headers          text[] NOT NULL,
    mapping          jsonb NOT NULL,
    pool_id          uuid REFERENCES pools (id),
    duplicate_policy text NOT NULL DEFAULT '' CHECK (duplicate_policy IN ('', 'merge', 'warn', 'reject')),
    status           text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
    total            integer NOT NULL,
    processed        integer NOT NULL DEFAULT 0,
    created          integer NOT NULL DEFAULT 0,
    merged           integer NOT NULL DEFAULT 0,
    rejected         integer NOT NULL DEFAULT 0,
    failed           integer NOT NULL DEFAULT 0,
    already_imported integer NOT NULL DEFAULT 0,
    warnings         integer NOT NULL DEFAULT 0,
    error            text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX imports_created_by_idx ON imports (created_by, created_at DESC);

CREATE TABLE import_rows (
    import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    row       integer NOT NULL,  -- the row number a spreadsheet shows
    seq       integer NOT NULL,  -- 0-based position among the file's data rows: batches are seq ranges
    cells     text[] NOT NULL,
    lead_id   uuid,              -- set before the lead's workflow is started
    outcome   text CHECK (outcome IN ('created', 'merged', 'rejected', 'failed', 'already_imported')),
    reason    text NOT NULL DEFAULT '',
    PRIMARY KEY (import_id, row)
);
CREATE UNIQUE INDEX import_rows_seq_idx ON import_rows (import_id, seq);

CREATE TABLE exports (
    id          uuid PRIMARY KEY,
    created_by  uuid NOT NULL REFERENCES users (id),
    format      text NOT NULL CHECK (format IN ('csv', 'xlsx')),
    fields      text[] NOT NULL,
    filter      jsonb NOT NULL,
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
    rows        integer NOT NULL DEFAULT 0,
    file        bytea,
    file_size   bigint NOT NULL DEFAULT 0,
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX exports_created_by_idx ON exports (created_by, created_at DESC);
