-- Reports: the funnel reads, per lead, the first assignment and follow-up
-- and whether it was ever converted, reclaimed, returned or transferred.
-- This partial index holds just those events (store/reports.go,
-- funnelEventTypes), so the funnel reads them by lead without the rest of
-- the history, and can read them from the index alone.
CREATE INDEX lead_events_funnel_idx ON lead_events (lead_id, type, at)
    WHERE type IN ('assigned', 'claimed', 'accepted', 'followed_up', 'converted', 'reclaimed', 'returned', 'transferred');
