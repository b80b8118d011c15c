-- Leads that came into a pool outside its working hours wait for them
-- (policy.distribute_in_working_hours) and are distributed in the order they
-- began to wait (store.DistributeWaiting).
ALTER TABLE leads ADD COLUMN window_since timestamptz;
CREATE INDEX leads_window_wait_idx ON leads (pool_id, window_since, id) WHERE window_since IS NOT NULL AND status = 'pooled';
