-- A queued e-mail is sent by one activity attempt at a time: the attempt
-- that is sending it holds a lease until lease_until, so a retry started
-- while an earlier attempt is still talking to the provider waits instead
-- of sending the e-mail a second time.
ALTER TABLE notifications ADD COLUMN lease_until timestamptz;
