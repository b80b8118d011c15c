-- Outbound webhooks: subscriptions, the events they are told of and one
-- delivery per event and subscription.
--
-- The events are written by a trigger on lead_events, in the transaction
-- that records the lead's history event: a webhook event exists if and
-- only if its transition happened, and a transition writes no webhook row
-- when no active subscription wants it.
CREATE TABLE webhook_subscriptions (
    id              uuid PRIMARY KEY,
    owner_id        uuid NOT NULL REFERENCES users (id),
    url             text NOT NULL,
    events          text[] NOT NULL,
    pool_id         uuid REFERENCES pools (id),
    active          boolean NOT NULL DEFAULT true,
    secret          text NOT NULL,
    -- The secret before the last rotation signs too until previous_until.
    previous_secret text NOT NULL DEFAULT '',
    previous_until  timestamptz,
    disabled_reason text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_active_idx ON webhook_subscriptions (id) WHERE active;

CREATE TABLE webhook_events (
    id            bigserial PRIMARY KEY,
    lead_event_id bigint NOT NULL REFERENCES lead_events (id) ON DELETE CASCADE,
    lead_id       uuid NOT NULL,
    type          text NOT NULL,
    occurred_at   timestamptz NOT NULL,
    -- The JSON body, built once (text: its bytes are what is signed).
    payload       text,
    UNIQUE (lead_event_id, type)
);

CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    event_id        bigint NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    lead_id         uuid NOT NULL,
    -- The webhook-id header, the same on every attempt.
    webhook_id      text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    -- kicked: the lead's delivery workflow was told of it.
    kicked          boolean NOT NULL DEFAULT false,
    attempts        integer NOT NULL DEFAULT 0,
    status_code     integer NOT NULL DEFAULT 0,
    latency_ms      integer NOT NULL DEFAULT 0,
    body_excerpt    text NOT NULL DEFAULT '',
    error           text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempted_at    timestamptz,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_deliveries_unkicked_idx ON webhook_deliveries (id) WHERE status = 'pending' AND NOT kicked;
CREATE INDEX webhook_deliveries_chain_idx ON webhook_deliveries (subscription_id, lead_id, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (subscription_id, id);

-- webhook_types maps a history event type to the webhook event types it emits.
CREATE FUNCTION webhook_types(t text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE t
        WHEN 'created' THEN ARRAY['lead.created']
        WHEN 'rejected' THEN ARRAY['lead.rejected']
        WHEN 'merged' THEN ARRAY['lead.merged']
        WHEN 'pooled' THEN ARRAY['lead.pooled']
        WHEN 'transferred' THEN ARRAY['lead.pooled']
        WHEN 'declined' THEN ARRAY['lead.pooled']
        WHEN 'offer_expired' THEN ARRAY['lead.pooled']
        WHEN 'offered' THEN ARRAY['lead.offered']
        WHEN 'assigned' THEN ARRAY['lead.assigned']
        WHEN 'claimed' THEN ARRAY['lead.assigned']
        WHEN 'accepted' THEN ARRAY['lead.assigned']
        WHEN 'reclaimed' THEN ARRAY['lead.reclaimed']
        WHEN 'returned' THEN ARRAY['lead.returned']
        WHEN 'converted' THEN ARRAY['lead.converted', 'customer.created']
        WHEN 'closed' THEN ARRAY['lead.closed']
        WHEN 'followed_up' THEN ARRAY['follow_up.created']
    END
$$;

-- webhook_wants says whether subscription s wants event type t of a lead in pool.
CREATE FUNCTION webhook_wants(s webhook_subscriptions, t text, pool uuid) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT s.active AND (t = ANY (s.events) OR '*' = ANY (s.events)) AND (s.pool_id IS NULL OR s.pool_id = pool)
$$;

CREATE FUNCTION webhook_fanout() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    t    text;
    ev   bigint;
    pool uuid;
BEGIN
    IF webhook_types(NEW.type) IS NULL OR NOT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE active) THEN
        RETURN NULL;
    END IF;
    SELECT pool_id INTO pool FROM leads WHERE id = NEW.lead_id;
    FOREACH t IN ARRAY webhook_types(NEW.type) LOOP
        IF EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE webhook_wants(s, t, pool)) THEN
            INSERT INTO webhook_events (lead_event_id, lead_id, type, occurred_at)
                VALUES (NEW.id, NEW.lead_id, t, NEW.at) RETURNING id INTO ev;
            INSERT INTO webhook_deliveries (event_id, subscription_id, lead_id, webhook_id)
                SELECT ev, s.id, NEW.lead_id, 'msg_' || replace(gen_random_uuid()::text, '-', '')
                FROM webhook_subscriptions s
                WHERE webhook_wants(s, t, pool);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER lead_events_webhooks AFTER INSERT ON lead_events FOR EACH ROW EXECUTE FUNCTION webhook_fanout();
