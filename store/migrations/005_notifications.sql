-- Notifications: every e-mail leadflow sends (the SendGrid sender's log and,
-- without SendGrid, the local outbox), per-user opt-outs, and the default
-- recipients of new-lead e-mails per pool and per team (seed 003).

-- One row per e-mail and recipient. key is the idempotency key: a retried
-- activity finds its row and sends a key once.
CREATE TABLE notifications (
    id                  uuid PRIMARY KEY,
    key                 text NOT NULL UNIQUE,
    kind                text NOT NULL,
    to_user_id          uuid REFERENCES users (id),
    to_email            text NOT NULL,
    subject             text NOT NULL,
    text                text NOT NULL,
    html                text NOT NULL,
    lead_id             uuid REFERENCES leads (id) ON DELETE SET NULL,
    status              text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    error               text NOT NULL DEFAULT '',
    attempts            integer NOT NULL DEFAULT 0,
    provider            text NOT NULL DEFAULT '',
    provider_message_id text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz
);
CREATE INDEX notifications_created_idx ON notifications (created_at DESC, id DESC);
CREATE INDEX notifications_user_idx ON notifications (to_user_id, created_at DESC, id DESC);
CREATE INDEX notifications_lead_idx ON notifications (lead_id) WHERE lead_id IS NOT NULL;

-- The non-essential e-mail kinds a user does not want.
ALTER TABLE users ADD COLUMN email_opt_out text[] NOT NULL DEFAULT '{}';

-- Who of a pool's people (admins and members) and of a team's members gets
-- the new-lead e-mails. A row is made when the user is first added; removed
-- members keep their row (and their flag, should they come back) but only
-- current members are e-mailed.
CREATE TABLE pool_recipients (
    pool_id  uuid NOT NULL REFERENCES pools (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES users (id),
    notify   boolean NOT NULL,
    added_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (pool_id, user_id)
);

CREATE TABLE team_recipients (
    team_id  uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id  uuid NOT NULL REFERENCES users (id),
    notify   boolean NOT NULL,
    added_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (team_id, user_id)
);

-- Seed 003: the first user added is the default recipient; once the flag is
-- removed from everyone, the next user added gets it; while someone has it,
-- users added later do not. The advisory lock serialises the additions to
-- one pool (or team) so two concurrent ones cannot both become the default.
CREATE FUNCTION pool_recipient_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('pool_recipients'), hashtext(NEW.pool_id::text));
    INSERT INTO pool_recipients (pool_id, user_id, notify)
    VALUES (NEW.pool_id, NEW.user_id, NOT EXISTS (
        SELECT 1 FROM pool_recipients r
        WHERE r.pool_id = NEW.pool_id AND r.notify AND r.user_id <> NEW.user_id
          AND EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = r.pool_id AND m.user_id = r.user_id)))
    ON CONFLICT (pool_id, user_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER pool_members_recipient AFTER INSERT ON pool_members
    FOR EACH ROW EXECUTE FUNCTION pool_recipient_added();

CREATE FUNCTION team_recipient_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.team_id IS NULL OR (TG_OP = 'UPDATE' AND OLD.team_id IS NOT DISTINCT FROM NEW.team_id) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('team_recipients'), hashtext(NEW.team_id::text));
    INSERT INTO team_recipients (team_id, user_id, notify)
    VALUES (NEW.team_id, NEW.id, NOT EXISTS (
        SELECT 1 FROM team_recipients r JOIN users u ON u.id = r.user_id AND u.team_id = r.team_id
        WHERE r.team_id = NEW.team_id AND r.notify AND r.user_id <> NEW.id))
    ON CONFLICT (team_id, user_id) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER users_team_recipient AFTER INSERT OR UPDATE OF team_id ON users
    FOR EACH ROW EXECUTE FUNCTION team_recipient_added();

-- Existing pools and teams: their people get rows; the pool's owner (else
-- its first admin, else its first member) and each team's oldest member are
-- the default recipients.
INSERT INTO pool_recipients (pool_id, user_id, notify)
SELECT pool_id, user_id, rn = 1 FROM (
    SELECT m.pool_id, m.user_id, row_number() OVER (PARTITION BY m.pool_id
        ORDER BY (m.user_id = p.owner_id) DESC, min(CASE m.role WHEN 'admin' THEN 0 ELSE 1 END), u.created_at, m.user_id) AS rn
    FROM pool_members m JOIN pools p ON p.id = m.pool_id JOIN users u ON u.id = m.user_id
    GROUP BY m.pool_id, m.user_id, p.owner_id, u.created_at
) ranked;

INSERT INTO team_recipients (team_id, user_id, notify)
SELECT team_id, id, rn = 1 FROM (
    SELECT team_id, id, row_number() OVER (PARTITION BY team_id ORDER BY created_at, id) AS rn
    FROM users WHERE team_id IS NOT NULL
) ranked;

-- The daily digest looks for the next follow-up dates that are due.
CREATE INDEX follow_ups_next_at_idx ON follow_ups (next_at) WHERE next_at IS NOT NULL;
