-- Rule sets of every kind, lead scores and the review flag.

ALTER TABLE leads ADD COLUMN score integer NOT NULL DEFAULT 0;
-- A lead whose rules failed at run time keeps going, flagged for an admin's review.
ALTER TABLE leads ADD COLUMN review_reasons text[] NOT NULL DEFAULT '{}';
CREATE INDEX leads_review_idx ON leads (created_at DESC) WHERE review_reasons <> '{}';

INSERT INTO rule_sets (kind, version, body) VALUES
  ('routing', 1, '{"rules": [], "default_pool_id": "00000000-0000-0000-0000-000000000001"}'),
  ('scoring', 1, '{"rules": [
     {"name": "has_email", "when": "lead.email != \"\"", "points": 10},
     {"name": "has_contact_name", "when": "lead.name != \"\"", "points": 5}
   ]}'),
  ('auto_accept', 1, '{"groups": [], "ignored_companies": []}'),
  ('conversion', 1, '{"mapping": {
     "customer.name": "lead.company",
     "customer.contact": "lead.name",
     "customer.phone": "lead.phone_e164 != \"\" ? lead.phone_e164 : lead.phone",
     "customer.email": "lead.email",
     "customer.country": "lead.country"
   }}');
INSERT INTO active_rule_sets (kind, version) VALUES ('routing', 1), ('scoring', 1), ('auto_accept', 1), ('conversion', 1);
