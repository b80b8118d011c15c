-- Hits per client and minute for the public registration endpoints, in
-- PostgreSQL so that every API replica counts against the same limit.
CREATE UNLOGGED TABLE rate_hits (
    key    text NOT NULL,
    minute timestamptz NOT NULL,
    hits   integer NOT NULL,
    PRIMARY KEY (key, minute)
);
