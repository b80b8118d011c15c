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
