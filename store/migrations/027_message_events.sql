-- A message sent to a lead emits message.sent to webhooks (issue 26's
-- "message.*"): the mapping before (kept under another name) with one type
-- more.
ALTER FUNCTION webhook_types(text) RENAME TO webhook_types_026;
CREATE FUNCTION webhook_types(t text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE t WHEN 'message_sent' THEN ARRAY['message.sent'] ELSE webhook_types_026(t) END
$$;
