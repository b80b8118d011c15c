-- Invite links stored hashed: a row per working link with the SHA-256 of
-- its token, never the token. nonce is what the server derives the token
-- from with its invite key (HMAC), so a rep can be shown their link again;
-- a link from before this migration has no nonce: it keeps working, but
-- cannot be shown, and the rep is shown a new link beside it.
CREATE TABLE invite_links (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nonce      bytea,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invite_links_user_id ON invite_links (user_id);

INSERT INTO invite_links (token_hash, user_id)
SELECT sha256(convert_to(invite_token, 'UTF8')), id FROM users WHERE invite_token IS NOT NULL;

ALTER TABLE users DROP COLUMN invite_token;
