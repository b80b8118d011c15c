-- Inbound sources: systems that push leads to POST /api/v1/hooks/{name}
-- (web forms, ad platforms, other CRMs) signed the Standard Webhooks way
-- with secret, or Facebook / Instagram Lead Ads (kind facebook: the Graph
-- API's verify token, app secret and page token). field_mapping maps an
-- incoming field path to a lead field (sheet.Mapping's targets).
CREATE TABLE inbound_sources (
    id               uuid PRIMARY KEY,
    name             text NOT NULL UNIQUE,
    kind             text NOT NULL DEFAULT 'webhook' CHECK (kind IN ('webhook', 'facebook')),
    field_mapping    jsonb NOT NULL DEFAULT '{}',
    duplicate_policy text NOT NULL DEFAULT 'merge' CHECK (duplicate_policy IN ('merge', 'warn', 'reject')),
    pool_id          uuid REFERENCES pools (id) ON DELETE SET NULL,
    secret           text NOT NULL,
    verify_token     text NOT NULL DEFAULT '',
    app_secret       text NOT NULL DEFAULT '',
    page_token       text NOT NULL DEFAULT '',
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- The first answer to each delivery (webhook-id, or a Lead Ads lead id):
-- a retried delivery gets it again instead of a second intake.
CREATE TABLE inbound_deliveries (
    source_id   uuid NOT NULL REFERENCES inbound_sources (id) ON DELETE CASCADE,
    delivery_id text NOT NULL,
    lead_id     uuid,
    answer      jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, delivery_id)
);
