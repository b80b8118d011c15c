-- The funnel report's summary: one narrow row per lead holding what the
-- funnel counts (store/reports.go), so a month of a million leads is one
-- scan of this table instead of the leads joined to their events.
--
-- Triggers keep it in the transaction that writes the lead or its events:
-- every writer of lead_events (insertEvent, RecordNotice's direct insert,
-- bulk loads) and every UPDATE of leads that moves its owner, pool,
-- country, channel, group, status or intake outcome (a dozen statements
-- across store/) is covered without each having to remember the summary.
-- Inserts are summarised per statement (transition tables: a bulk load or
-- an import is one set-based statement), updates per row and only when a
-- summarised column changed.
CREATE TABLE lead_funnel (
    lead_id        uuid PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    created_at     timestamptz NOT NULL,
    -- The group-by keys and the access columns, copies of the lead's.
    source         text NOT NULL,
    channel        text NOT NULL,
    created_by     uuid,
    owner_id       uuid,
    pool_id        uuid,
    country        text NOT NULL,
    lead_group     text NOT NULL,
    status         text NOT NULL,
    intake_outcome text NOT NULL,
    -- From the events: the first assignment (assigned, claimed, accepted)
    -- and the first follow-up; whether it was ever converted, reclaimed,
    -- returned, or put back in a pool (reclaimed, returned, transferred).
    assigned_at    timestamptz,
    followed_up_at timestamptz,
    converted      boolean NOT NULL DEFAULT false,
    reclaimed      boolean NOT NULL DEFAULT false,
    returned       boolean NOT NULL DEFAULT false,
    repooled       boolean NOT NULL DEFAULT false
);
CREATE INDEX lead_funnel_created_idx ON lead_funnel (created_at);
CREATE INDEX lead_funnel_owner_idx ON lead_funnel (owner_id, created_at);
CREATE INDEX lead_funnel_pool_idx ON lead_funnel (pool_id, created_at);

CREATE FUNCTION lead_funnel_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lead_funnel (lead_id, created_at, source, channel, created_by, owner_id, pool_id, country, lead_group,
        status, intake_outcome)
    SELECT id, created_at, source, channel, created_by, owner_id, pool_id, country, lead_group, status, intake_outcome
    FROM new_leads
    ON CONFLICT (lead_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE FUNCTION lead_funnel_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lead_funnel SET created_at = NEW.created_at, source = NEW.source, channel = NEW.channel,
        created_by = NEW.created_by, owner_id = NEW.owner_id, pool_id = NEW.pool_id, country = NEW.country,
        lead_group = NEW.lead_group, status = NEW.status, intake_outcome = NEW.intake_outcome
    WHERE lead_id = NEW.id;
    RETURN NULL;
END $$;

-- The events the funnel reads: the first assignment and follow-up, and
-- the conversions, reclaims, returns and transfers.
CREATE FUNCTION lead_funnel_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE lead_funnel f SET
        assigned_at = least(f.assigned_at, n.assigned_at),
        followed_up_at = least(f.followed_up_at, n.followed_up_at),
        converted = f.converted OR n.converted,
        reclaimed = f.reclaimed OR n.reclaimed,
        returned = f.returned OR n.returned,
        repooled = f.repooled OR n.repooled
    FROM (
        SELECT lead_id,
            min(at) FILTER (WHERE type IN ('assigned', 'claimed', 'accepted')) AS assigned_at,
            min(at) FILTER (WHERE type = 'followed_up') AS followed_up_at,
            bool_or(type = 'converted') AS converted,
            bool_or(type = 'reclaimed') AS reclaimed,
            bool_or(type = 'returned') AS returned,
            bool_or(type IN ('reclaimed', 'returned', 'transferred')) AS repooled
        FROM new_events
        WHERE type IN ('assigned', 'claimed', 'accepted', 'followed_up', 'converted', 'reclaimed', 'returned', 'transferred')
        GROUP BY lead_id
    ) n
    WHERE f.lead_id = n.lead_id
      AND (least(f.assigned_at, n.assigned_at) IS DISTINCT FROM f.assigned_at
        OR least(f.followed_up_at, n.followed_up_at) IS DISTINCT FROM f.followed_up_at
        OR (n.converted AND NOT f.converted) OR (n.reclaimed AND NOT f.reclaimed)
        OR (n.returned AND NOT f.returned) OR (n.repooled AND NOT f.repooled));
    RETURN NULL;
END $$;

-- The triggers come first: they lock leads and lead_events against writes
-- until this migration commits, so the backfill below misses nothing.
CREATE TRIGGER lead_funnel_inserted AFTER INSERT ON leads
    REFERENCING NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION lead_funnel_inserted();
CREATE TRIGGER lead_funnel_updated AFTER UPDATE OF created_at, source, channel, created_by, owner_id, pool_id, country,
        lead_group, status, intake_outcome ON leads FOR EACH ROW
    WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.source IS DISTINCT FROM NEW.source
        OR OLD.channel IS DISTINCT FROM NEW.channel OR OLD.created_by IS DISTINCT FROM NEW.created_by
        OR OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.pool_id IS DISTINCT FROM NEW.pool_id
        OR OLD.country IS DISTINCT FROM NEW.country OR OLD.lead_group IS DISTINCT FROM NEW.lead_group
        OR OLD.status IS DISTINCT FROM NEW.status OR OLD.intake_outcome IS DISTINCT FROM NEW.intake_outcome)
    EXECUTE FUNCTION lead_funnel_updated();
CREATE TRIGGER lead_funnel_events AFTER INSERT ON lead_events
    REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION lead_funnel_events();

-- The backfill: every existing lead with what its events say.
INSERT INTO lead_funnel (lead_id, created_at, source, channel, created_by, owner_id, pool_id, country, lead_group,
    status, intake_outcome, assigned_at, followed_up_at, converted, reclaimed, returned, repooled)
SELECT l.id, l.created_at, l.source, l.channel, l.created_by, l.owner_id, l.pool_id, l.country, l.lead_group,
    l.status, l.intake_outcome,
    min(e.at) FILTER (WHERE e.type IN ('assigned', 'claimed', 'accepted')),
    min(e.at) FILTER (WHERE e.type = 'followed_up'),
    coalesce(bool_or(e.type = 'converted'), false),
    coalesce(bool_or(e.type = 'reclaimed'), false),
    coalesce(bool_or(e.type = 'returned'), false),
    coalesce(bool_or(e.type IN ('reclaimed', 'returned', 'transferred')), false)
FROM leads l
LEFT JOIN lead_events e ON e.lead_id = l.id
    AND e.type IN ('assigned', 'claimed', 'accepted', 'followed_up', 'converted', 'reclaimed', 'returned', 'transferred')
GROUP BY l.id;

-- Nothing reads events by funnel type any more: the summary replaced it.
DROP INDEX lead_events_funnel_idx;

-- The activity report (store/activity.go) counts the reclaims of a period.
CREATE INDEX lead_events_reclaimed_idx ON lead_events (at) WHERE type = 'reclaimed';

ANALYZE lead_funnel;
