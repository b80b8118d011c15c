-- The first schema: users and teams, pools, leads with their history,
-- follow-ups, customers and versioned rule sets.

CREATE TABLE teams (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                uuid PRIMARY KEY,
    name              text NOT NULL,
    email             text NOT NULL,
    role              text NOT NULL CHECK (role IN ('admin', 'manager', 'rep')),
    team_id           uuid REFERENCES teams (id),
    capacity          integer NOT NULL DEFAULT 50 CHECK (capacity >= 0),
    daily_claim_limit integer NOT NULL DEFAULT 20 CHECK (daily_claim_limit >= 0),
    active            boolean NOT NULL DEFAULT true,
    token_hash        bytea UNIQUE,
    invite_token      text UNIQUE,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE pools (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    scope      text NOT NULL CHECK (scope IN ('global', 'country', 'team')),
    country    text,
    team_id    uuid REFERENCES teams (id),
    policy     jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pool_members (
    pool_id uuid NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id),
    role    text NOT NULL CHECK (role IN ('admin', 'member')),
    PRIMARY KEY (pool_id, user_id, role)
);

INSERT INTO pools (id, name, scope, policy)
VALUES ('00000000-0000-0000-0000-000000000001', 'Global public pool', 'global', '{"distribution": "claim_only", "auto_accept": true}');

CREATE TABLE leads (
    id                uuid PRIMARY KEY,
    status            text NOT NULL CHECK (status IN ('received', 'rejected', 'merged', 'pooled', 'offered', 'assigned', 'converted', 'closed')),
    stage             text NOT NULL DEFAULT 'New',
    company           text NOT NULL,
    name              text NOT NULL DEFAULT '',
    phone             text NOT NULL,
    phone_e164        text NOT NULL DEFAULT '',
    email             text NOT NULL DEFAULT '',
    country           text NOT NULL DEFAULT '',
    source            text NOT NULL,
    channel           text NOT NULL DEFAULT '',
    profession        text NOT NULL DEFAULT '',
    address           text NOT NULL DEFAULT '',
    district          text NOT NULL DEFAULT '',
    division          text NOT NULL DEFAULT '',
    notes             text NOT NULL DEFAULT '',
    tags              text[] NOT NULL DEFAULT '{}',
    custom            jsonb NOT NULL DEFAULT '{}',
    pool_id           uuid REFERENCES pools (id),
    owner_id          uuid REFERENCES users (id),
    merged_into       uuid REFERENCES leads (id),
    reject_reasons    text[] NOT NULL DEFAULT '{}',
    customer_id       uuid,
    ip                inet,
    company_key       text NOT NULL DEFAULT '',
    dedup_key         text NOT NULL DEFAULT '',
    created_by        uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    assigned_at       timestamptz,
    last_follow_up_at timestamptz
);
CREATE INDEX leads_created_at_idx ON leads (created_at DESC, id DESC);
CREATE INDEX leads_status_idx ON leads (status, created_at DESC);
CREATE INDEX leads_pool_idx ON leads (pool_id, created_at DESC);
CREATE INDEX leads_owner_idx ON leads (owner_id, status);
CREATE INDEX leads_ip_idx ON leads (ip, created_at) WHERE ip IS NOT NULL;
CREATE INDEX leads_dedup_idx ON leads (dedup_key) WHERE dedup_key <> '';

CREATE TABLE lead_events (
    id           bigserial PRIMARY KEY,
    lead_id      uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    type         text NOT NULL,
    actor_id     uuid,
    at           timestamptz NOT NULL DEFAULT now(),
    reason       text NOT NULL DEFAULT '',
    rule_kind    text NOT NULL DEFAULT '',
    rule_version integer NOT NULL DEFAULT 0,
    trace        jsonb,
    data         jsonb,
    request_id   text NOT NULL UNIQUE
);
CREATE INDEX lead_events_lead_idx ON lead_events (lead_id, id);
CREATE INDEX lead_events_actor_idx ON lead_events (actor_id, type, at) WHERE actor_id IS NOT NULL;

CREATE TABLE follow_ups (
    id         uuid PRIMARY KEY,
    lead_id    uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    author_id  uuid NOT NULL REFERENCES users (id),
    type       text NOT NULL,
    content    text NOT NULL,
    next_step  text NOT NULL DEFAULT '',
    next_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_ups_lead_idx ON follow_ups (lead_id, created_at);

CREATE TABLE customers (
    id         uuid PRIMARY KEY,
    lead_id    uuid NOT NULL UNIQUE REFERENCES leads (id),
    name       text NOT NULL,
    contact    text NOT NULL DEFAULT '',
    phone      text NOT NULL DEFAULT '',
    email      text NOT NULL DEFAULT '',
    country    text NOT NULL DEFAULT '',
    owner_id   uuid REFERENCES users (id),
    data       jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE rule_sets (
    kind       text NOT NULL,
    version    integer NOT NULL CHECK (version > 0),
    body       jsonb NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, version)
);

CREATE TABLE active_rule_sets (
    kind    text PRIMARY KEY,
    version integer NOT NULL,
    FOREIGN KEY (kind, version) REFERENCES rule_sets (kind, version)
);

-- The default validation rules (DESIGN.md, "Intake and de-duplication").
-- ipCompanies(window) counts registrations from the lead's IP whose company
-- differs from the lead's: two others plus this one make three.
INSERT INTO rule_sets (kind, version, body) VALUES ('validation', 1, '{"rules": [
  {"name": "phone_invalid", "when": "!phoneValid(lead.phone, lead.country)", "message": "phone number is not valid for its country"},
  {"name": "company_too_short", "when": "len(trim(lead.company)) <= 4", "message": "company name must be longer than 4 characters"},
  {"name": "ip_many_companies", "when": "ipCompanies(\"10m\") >= 2", "message": "3 or more registrations from one IP with different company info within 10 minutes"}
]}');
INSERT INTO active_rule_sets (kind, version) VALUES ('validation', 1);
