-- Nurture (issue 27): messages to leads. A message is a row of
-- notifications (kind 'message', key 'message/' + its id), so it is
-- claimed, leased and recorded like an e-mail and the outbox lists it; it
-- adds its channel, who sent it, its template, the sender's name
-- and its unsubscribe link (the reply-to is the e-mail channel's). A message to a
-- suppressed address is 'skipped' with the reason in error.
CREATE TABLE message_templates (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    channel    text NOT NULL CHECK (channel IN ('email', 'sms', 'messenger', 'whatsapp')),
    language   text NOT NULL CHECK (language IN ('en', 'zh-CN')),
    subject    text NOT NULL DEFAULT '',
    body       text NOT NULL,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (name, channel, language)
);

ALTER TABLE notifications
    ADD COLUMN channel text NOT NULL DEFAULT 'email',
    ADD COLUMN sender_id uuid REFERENCES users (id),
    ADD COLUMN template_id uuid REFERENCES message_templates (id) ON DELETE SET NULL,
    ADD COLUMN from_name text NOT NULL DEFAULT '',
    ADD COLUMN unsubscribe_url text NOT NULL DEFAULT '',
    -- when the message's workflow was started: the worker starts the
    -- workflows of queued messages whose start was not recorded.
    ADD COLUMN started_at timestamptz;
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('queued', 'sent', 'failed', 'skipped'));
CREATE INDEX notifications_lead_messages_idx ON notifications (lead_id, created_at DESC, id DESC) WHERE kind = 'message';
CREATE INDEX notifications_unstarted_idx ON notifications (created_at) WHERE kind = 'message' AND status = 'queued' AND started_at IS NULL;

-- The suppression list: an address that unsubscribed from a channel gets
-- nothing more on it. E-mail addresses are kept lower-case.
CREATE TABLE suppressions (
    channel    text NOT NULL,
    address    text NOT NULL,
    reason     text NOT NULL,
    lead_id    uuid REFERENCES leads (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, address)
);
