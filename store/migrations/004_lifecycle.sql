-- The full lifecycle: offers, returns, cooldowns, fair distribution, orders.

ALTER TABLE leads ADD COLUMN offered_at timestamptz;
ALTER TABLE leads ADD COLUMN invalid_reason text NOT NULL DEFAULT '';

-- A rep may not re-claim a lead reclaimed from or returned by them until `until`.
CREATE TABLE lead_cooldowns (
    lead_id uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id),
    until   timestamptz NOT NULL,
    PRIMARY KEY (lead_id, user_id)
);

-- Reps who declined (or let expire) an offer of a lead are not offered it again.
CREATE TABLE lead_offer_refusals (
    lead_id uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id),
    at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (lead_id, user_id)
);

-- Distribution state per pool member: round robin serves the member served
-- longest ago; weighted keeps distributed/weight even.
CREATE TABLE pool_member_state (
    pool_id          uuid NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    user_id          uuid NOT NULL REFERENCES users (id),
    last_assigned_at timestamptz,
    distributed      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, user_id)
);

CREATE TABLE orders (
    id          uuid PRIMARY KEY,
    customer_id uuid NOT NULL REFERENCES customers (id),
    lead_id     uuid NOT NULL UNIQUE REFERENCES leads (id),
    data        jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Further phone numbers and e-mail addresses of a lead, besides the main ones.
ALTER TABLE leads ADD COLUMN phones text[] NOT NULL DEFAULT '{}';
ALTER TABLE leads ADD COLUMN emails text[] NOT NULL DEFAULT '{}';
