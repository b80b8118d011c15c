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
