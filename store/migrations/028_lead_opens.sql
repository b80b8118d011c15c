-- Anti-hoarding (issue 29): the unclaimed leads each rep opened (read
-- whole) each day (UTC), for a pool's policy.daily_open_limit. Opening the
-- same lead again the same day is one open.
CREATE TABLE lead_opens (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day date NOT NULL,
    lead_id uuid NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    pool_id uuid NOT NULL,
    PRIMARY KEY (user_id, day, lead_id)
);
CREATE INDEX lead_opens_pool_day ON lead_opens (user_id, pool_id, day);

