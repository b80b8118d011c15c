-- A console session stands for the API token it was opened with, and for
-- the user's standing when it was opened. It ends, in the transaction
-- that makes the change, when the user's token is rotated (token_hash or
-- token_expires_at changes: the API's rotations, the console's form, the
-- dev stack's), when the user is deactivated, and when their role or team
-- changes; so do their unused one-time sign-in codes, which were issued
-- for the token they then had. The trigger covers every UPDATE of users,
-- whichever code runs it; token_used_at (written as the token is used) and
-- the other columns do not end anything.
--
-- A session also never lasts longer than its token: CreateSession caps
-- its expiry at the token's (store/sessions.go), and below the sessions
-- opened before this migration are capped alike.
ALTER TABLE sign_in_codes ADD COLUMN token_hash bytea;
UPDATE sign_in_codes c SET token_hash = u.token_hash FROM users u WHERE u.id = c.user_id;

CREATE FUNCTION end_user_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM sessions WHERE user_id = NEW.id;
    DELETE FROM sign_in_codes WHERE user_id = NEW.id AND used_at IS NULL;
    RETURN NULL;
END $$;

CREATE TRIGGER users_end_sessions AFTER UPDATE OF token_hash, token_expires_at, active, role, team_id ON users
    FOR EACH ROW WHEN (OLD.token_hash IS DISTINCT FROM NEW.token_hash
        OR OLD.token_expires_at IS DISTINCT FROM NEW.token_expires_at
        OR OLD.active IS DISTINCT FROM NEW.active
        OR OLD.role IS DISTINCT FROM NEW.role
        OR OLD.team_id IS DISTINCT FROM NEW.team_id)
    EXECUTE FUNCTION end_user_sessions();

UPDATE sessions s SET expires_at = u.token_expires_at FROM users u
WHERE u.id = s.user_id AND u.token_expires_at < s.expires_at;
DELETE FROM sessions s USING users u WHERE u.id = s.user_id AND NOT u.active;
