-- The review of an IP burst (seed 000): the leads a refused registration put
-- under review are found by the refused lead's id (lead_events.data->>'refused_lead_id').
CREATE INDEX lead_events_flagged_by_idx ON lead_events ((data->>'refused_lead_id')) WHERE type = 'flagged_for_review';

