-- Saved views of the lead list (issue 28): a user's named filters, order
-- and columns, kept for themselves or shared with the members of the pools
-- they administer (managers) or with everyone (admins). filter holds the
-- list's parameters as written: a relative period ("last 7 days") is
-- resolved in the reader's zone when the view is read.
CREATE TABLE saved_views (
    id          uuid PRIMARY KEY,
    owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        text NOT NULL,
    filter      jsonb NOT NULL DEFAULT '{}',
    sort        text NOT NULL DEFAULT '',
    columns     text[] NOT NULL DEFAULT '{}',
    shared_with text NOT NULL DEFAULT 'me' CHECK (shared_with IN ('me', 'pools', 'everyone')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX saved_views_owner_idx ON saved_views (owner_id, lower(name));
CREATE INDEX saved_views_shared_idx ON saved_views (shared_with) WHERE shared_with <> 'me';

-- A user's own choice of the lead list's columns (empty: the default).
ALTER TABLE users ADD COLUMN list_columns text[] NOT NULL DEFAULT '{}';

-- The lead list's orders over the whole result, each with its keyset
-- (key, id): the first page of any order reads the index's first rows.
-- A lead never assigned or never followed up sorts as of the epoch (last
-- when newest first); lists read the same expressions (store/leadsort.go).
CREATE INDEX leads_assigned_sort_idx ON leads ((coalesce(assigned_at, 'epoch'::timestamptz)), id);
CREATE INDEX leads_follow_up_sort_idx ON leads ((coalesce(last_follow_up_at, 'epoch'::timestamptz)), id);
CREATE INDEX leads_score_sort_idx ON leads (score, id);
CREATE INDEX leads_company_sort_idx ON leads (company, id);

-- An archived pool (issue 28) is hidden from distribution, tabs and
-- pickers and kept for history; only an empty pool is archived.
ALTER TABLE pools ADD COLUMN archived_at timestamptz;
