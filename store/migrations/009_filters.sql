-- Filters of the lead list (seed 004): the phone and e-mail filters search
-- every number and address of a lead, tags and channels match in any case,
-- and the time frame may be on when a lead was assigned or last followed
-- up. A trigger keeps the search columns current.
ALTER TABLE leads ADD COLUMN search_phones text NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN search_emails text NOT NULL DEFAULT '';
ALTER TABLE leads ADD COLUMN tags_lower text[] NOT NULL DEFAULT '{}';

CREATE FUNCTION leads_search_columns() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_phones := concat_ws(' ', NEW.phone, NEW.phone_e164, array_to_string(NEW.phones, ' '));
    NEW.search_emails := concat_ws(' ', NEW.email, array_to_string(NEW.emails, ' '));
    NEW.tags_lower := coalesce((SELECT array_agg(lower(t)) FROM unnest(NEW.tags) t), '{}');
    RETURN NEW;
END $$;

CREATE TRIGGER leads_search_columns BEFORE INSERT OR UPDATE OF phone, phone_e164, phones, email, emails, tags ON leads
    FOR EACH ROW EXECUTE FUNCTION leads_search_columns();

UPDATE leads SET phones = phones;

CREATE INDEX leads_search_phones_trgm ON leads USING gin (search_phones gin_trgm_ops);
CREATE INDEX leads_search_emails_trgm ON leads USING gin (search_emails gin_trgm_ops);
CREATE INDEX leads_tags_lower_idx ON leads USING gin (tags_lower);
DROP INDEX leads_tags_idx;
CREATE INDEX leads_channel_lower_idx ON leads (lower(channel), created_at DESC);
DROP INDEX leads_channel_idx;
CREATE INDEX leads_assigned_at_idx ON leads (assigned_at DESC) WHERE assigned_at IS NOT NULL;
CREATE INDEX leads_last_follow_up_at_idx ON leads (last_follow_up_at DESC) WHERE last_follow_up_at IS NOT NULL;

-- When the rep who claimed a lead said they would follow it up (seed 001:
-- "the expected follow-up time"): the lead's workflow reminds them then.
ALTER TABLE leads ADD COLUMN expected_follow_up_at timestamptz;
UPDATE leads l SET expected_follow_up_at = (e.data->>'expected_follow_up_at')::timestamptz
FROM lead_events e
WHERE e.lead_id = l.id AND e.type = 'claimed' AND e.data ? 'expected_follow_up_at'
  AND l.status = 'assigned' AND l.owner_id = e.actor_id;
