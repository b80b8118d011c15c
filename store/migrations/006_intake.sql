-- Intake: configurable option lists, invite links, de-duplication enforced
-- in PostgreSQL, per-source duplicate policies, and the indexes the lead
-- list filters need.

CREATE TABLE option_lists (
    name       text PRIMARY KEY,
    items      text[] NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A lead created although it duplicates a live lead (duplicate policy warn)
-- names that lead; every other live lead is unique by its dedup key, so two
-- registrations of the same company at the same moment give one lead.
ALTER TABLE leads ADD COLUMN duplicate_of uuid REFERENCES leads (id);
-- Live duplicates stored before this migration point at the oldest of theirs.
UPDATE leads l SET duplicate_of = f.first_id
FROM (SELECT dedup_key, (array_agg(id ORDER BY created_at, id))[1] AS first_id
      FROM leads
      WHERE dedup_key <> '' AND status IN ('pooled', 'offered', 'assigned', 'converted')
      GROUP BY dedup_key HAVING count(*) > 1) f
WHERE l.dedup_key = f.dedup_key AND l.id <> f.first_id
  AND l.status IN ('pooled', 'offered', 'assigned', 'converted');
CREATE UNIQUE INDEX leads_live_dedup_key ON leads (dedup_key)
    WHERE dedup_key <> '' AND duplicate_of IS NULL
      AND status IN ('pooled', 'offered', 'assigned', 'converted');

-- The duplicate policy of each source (seed 004: a push of an existing lead
-- creates another row with a warning; public channels merge).
CREATE TABLE duplicate_policies (
    source     text PRIMARY KEY,
    policy     text NOT NULL CHECK (policy IN ('merge', 'warn', 'reject')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO duplicate_policies (source, policy) VALUES
    ('api', 'warn'), ('manual', 'warn'), ('import', 'merge'), ('web', 'merge'), ('invite', 'merge');

-- The form field each seeded validation rule names on the public
-- registration page; the rules decide exactly as before. Only an untouched
-- seed is annotated.
UPDATE rule_sets SET body = '{"rules": [
  {"name": "phone_invalid", "when": "!phoneValid(lead.phone, lead.country)", "message": "phone number is not valid for its country", "field": "phone"},
  {"name": "company_too_short", "when": "len(trim(lead.company)) <= 4", "message": "company name must be longer than 4 characters", "field": "company"},
  {"name": "ip_many_companies", "when": "ipCompanies(\"10m\") >= 2", "message": "3 or more registrations from one IP with different company info within 10 minutes"}
]}'
WHERE kind = 'validation' AND version = 1 AND body = '{"rules": [
  {"name": "phone_invalid", "when": "!phoneValid(lead.phone, lead.country)", "message": "phone number is not valid for its country"},
  {"name": "company_too_short", "when": "len(trim(lead.company)) <= 4", "message": "company name must be longer than 4 characters"},
  {"name": "ip_many_companies", "when": "ipCompanies(\"10m\") >= 2", "message": "3 or more registrations from one IP with different company info within 10 minutes"}
]}'::jsonb;

-- Indexes for the lead list filters: trigram indexes answer the substring
-- searches (q, name, company, phone, email, address), b-trees the equality ones.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX leads_company_trgm ON leads USING gin (company gin_trgm_ops);
CREATE INDEX leads_name_trgm ON leads USING gin (name gin_trgm_ops);
CREATE INDEX leads_phone_trgm ON leads USING gin (phone gin_trgm_ops);
CREATE INDEX leads_phone_e164_trgm ON leads USING gin (phone_e164 gin_trgm_ops);
CREATE INDEX leads_email_trgm ON leads USING gin (email gin_trgm_ops);
CREATE INDEX leads_address_trgm ON leads USING gin (address gin_trgm_ops);
CREATE INDEX leads_tags_idx ON leads USING gin (tags);
CREATE INDEX leads_owner_created_idx ON leads (owner_id, created_at DESC) WHERE owner_id IS NOT NULL;
CREATE INDEX leads_stage_idx ON leads (stage, created_at DESC);
CREATE INDEX leads_source_idx ON leads (source, created_at DESC);
CREATE INDEX leads_channel_idx ON leads (channel, created_at DESC);
CREATE INDEX leads_merged_into_idx ON leads (merged_into) WHERE merged_into IS NOT NULL;
