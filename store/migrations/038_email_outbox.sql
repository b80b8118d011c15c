-- The e-mail outbox: e-mails a lead's transition calls for, queued in the
-- transition's own transaction (lead.Move.Outbox) and sent by the worker's
-- mailer (worker/mailer.go) through the same code as the Email activity,
-- instead of an activity of the lead's workflow. One row per e-mail key;
-- a sender leases a row while it sends, so a sender killed mid-send leaves
-- it to another once the lease runs out. A sent e-mail's row is deleted
-- (the notifications table keeps what was sent); one given up stays, failed.
CREATE TABLE email_outbox (
    key         text PRIMARY KEY,
    request     jsonb NOT NULL,
    status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'failed')),
    attempts    int NOT NULL DEFAULT 0,
    due_at      timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    error       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_outbox_due_idx ON email_outbox (due_at) WHERE status = 'queued';
