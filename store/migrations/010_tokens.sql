-- API tokens may expire, and each user's token records when it was last
-- used (at most once a minute, so a busy token does not write per request).
ALTER TABLE users ADD COLUMN token_expires_at timestamptz;
ALTER TABLE users ADD COLUMN token_used_at timestamptz;
