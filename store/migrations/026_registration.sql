-- Auto-registration (seed 003): the companies never registered nor
-- accepted automatically, matched by their normalised name (key, as
-- lead.NormalizeCompany makes it). An entry with no team is global (an
-- admin's); a team's entry is its manager's and applies to the leads of
-- that team's pools. The auto_accept rules' own "ignored_companies" list is
-- still read, as a deprecated alias of the global entries.
CREATE TABLE ignored_companies (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    key        text NOT NULL CHECK (key <> ''),
    team_id    uuid REFERENCES teams (id) ON DELETE CASCADE,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX ignored_companies_key ON ignored_companies (key, coalesce(team_id, '00000000-0000-0000-0000-000000000000'));

-- The registration rule kind: groups of conditions (AND inside a group, OR
-- across); a new or edited lead that matches is registered, once.
INSERT INTO rule_sets (kind, version, body) VALUES ('registration', 1, '{"groups": []}');
INSERT INTO active_rule_sets (kind, version) VALUES ('registration', 1);
ALTER TABLE leads ADD COLUMN registered_at timestamptz;

-- A registration emits lead.registered: the mapping of 021 (kept under
-- another name) with one type more.
ALTER FUNCTION webhook_types(text) RENAME TO webhook_types_021;
CREATE FUNCTION webhook_types(t text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE t WHEN 'registered' THEN ARRAY['lead.registered'] ELSE webhook_types_021(t) END
$$;

-- Whose registration rules apply to the leads of a team's pools: the
-- supplier's (an admin's, kind 'registration') or the team's own (kind
-- 'registration@<team id>', versioned in rule_sets like any kind).
ALTER TABLE teams ADD COLUMN registration_rules text NOT NULL DEFAULT 'supplier'
    CHECK (registration_rules IN ('supplier', 'own'));

-- CRM push: the CRM a registration rule set names ("crm_target") gets each
-- registered lead as a contact (HubSpot's contacts API), and its later
-- changes; the contact's id is kept per lead and target so an update never
-- creates a second contact. A push is a row written in the transaction of
-- the registration or the edit, handed to a per-lead workflow by the worker's
-- pump (as webhook deliveries are), tried with retries.
CREATE TABLE crm_targets (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    kind       text NOT NULL CHECK (kind IN ('hubspot')),
    base_url   text NOT NULL,
    token      text NOT NULL,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE leads ADD COLUMN crm_target_id uuid REFERENCES crm_targets (id) ON DELETE SET NULL;
CREATE TABLE lead_external_ids (
    lead_id     uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    target_id   uuid NOT NULL REFERENCES crm_targets (id) ON DELETE CASCADE,
    external_id text NOT NULL,
    PRIMARY KEY (lead_id, target_id)
);
CREATE TABLE crm_pushes (
    id         bigserial PRIMARY KEY,
    lead_id    uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    target_id  uuid NOT NULL REFERENCES crm_targets (id) ON DELETE CASCADE,
    request_id text NOT NULL UNIQUE,
    status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'pushed', 'failed')),
    kicked     boolean NOT NULL DEFAULT false,
    error      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    pushed_at  timestamptz
);
CREATE INDEX crm_pushes_unkicked_idx ON crm_pushes (id) WHERE status = 'pending' AND NOT kicked;
CREATE INDEX crm_pushes_chain_idx ON crm_pushes (target_id, lead_id, id) WHERE status = 'pending';
