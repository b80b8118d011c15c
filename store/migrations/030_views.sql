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

-- A lead's reclaim deadline, kept on the lead so that the list sorts by
-- it from an index: the SQL twin of lead.NextReclaim (the sooner of the
-- no-follow-up and the no-conversion timers of an assigned lead; NULL for
-- every other lead, and for a timer in working time, which only the
-- calendar counts). A lead's write sets it from its pool's policy; a
-- policy's change sets it on the pool's assigned leads.
ALTER TABLE leads ADD COLUMN reclaim_at timestamptz;

CREATE FUNCTION policy_interval(policy jsonb, name text) RETURNS interval LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN policy->>name LIKE '%working%' THEN NULL
        ELSE make_interval(secs => extract(epoch FROM nullif(replace(policy->>name, 'µs', 'us'), '')::interval)) END
$$;

CREATE FUNCTION lead_reclaim_at(status text, assigned_at timestamptz, last_follow_up_at timestamptz, policy jsonb)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN status = 'assigned' AND assigned_at IS NOT NULL THEN least(
        greatest(assigned_at, last_follow_up_at) + policy_interval(policy, 'no_follow_up_after'),
        assigned_at + policy_interval(policy, 'no_conversion_after')) END
$$;

CREATE FUNCTION leads_set_reclaim_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'assigned' THEN
        NEW.reclaim_at := NULL;
    ELSE
        NEW.reclaim_at := lead_reclaim_at(NEW.status, NEW.assigned_at, NEW.last_follow_up_at,
            (SELECT p.policy FROM pools p WHERE p.id = NEW.pool_id));
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER leads_reclaim_at BEFORE INSERT OR UPDATE OF status, assigned_at, last_follow_up_at, pool_id ON leads
    FOR EACH ROW EXECUTE FUNCTION leads_set_reclaim_at();

CREATE FUNCTION pools_set_reclaim_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE leads SET reclaim_at = lead_reclaim_at(status, assigned_at, last_follow_up_at, NEW.policy)
    WHERE pool_id = NEW.id AND status = 'assigned';
    RETURN NULL;
END
$$;
CREATE TRIGGER pools_reclaim_at AFTER UPDATE OF policy ON pools
    FOR EACH ROW WHEN (OLD.policy IS DISTINCT FROM NEW.policy) EXECUTE FUNCTION pools_set_reclaim_at();

UPDATE leads l SET reclaim_at = lead_reclaim_at(l.status, l.assigned_at, l.last_follow_up_at, p.policy)
FROM pools p WHERE p.id = l.pool_id AND l.status = 'assigned';
CREATE INDEX leads_reclaim_sort_idx ON leads ((coalesce(reclaim_at, '9999-12-31 00:00:00+00'::timestamptz)), id);
