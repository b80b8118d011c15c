-- Campaigns (issue 27): one template to an audience, sent by one durable
-- workflow in batches. (Numbered 030 in the merged tree; 028 here so the
-- migrations run without a gap.)
--
-- The audience is fixed when the campaign starts: a lead filter's leads
-- (those the creator answers for) are copied into campaign_recipients, an
-- uploaded attendee list is stored there when the draft is made. A
-- recipient is (campaign_id, seq); its message is the notification of key
-- 'campaign/' || campaign_id || '/' || seq, unique, so a batch run again
-- after a worker was killed finds the message and makes no second one.
CREATE TABLE campaigns (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    channel      text NOT NULL CHECK (channel IN ('email', 'sms', 'messenger', 'whatsapp')),
    template_id  uuid REFERENCES message_templates (id) ON DELETE SET NULL,
    -- the template's text, kept when the campaign starts
    language     text NOT NULL DEFAULT '',
    subject      text NOT NULL DEFAULT '',
    body         text NOT NULL DEFAULT '',
    audience     jsonb NOT NULL,
    -- messages per minute at most
    rate         integer NOT NULL CHECK (rate > 0),
    scheduled_at timestamptz,
    -- the zone of the recipients without one (the creator's)
    time_zone    text NOT NULL DEFAULT '',
    status       text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'done', 'cancelled')),
    recipients   integer NOT NULL DEFAULT 0,
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_created_idx ON campaigns (created_at DESC, id DESC);

CREATE TABLE campaign_recipients (
    campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    seq         integer NOT NULL,
    lead_id     uuid REFERENCES leads (id) ON DELETE SET NULL,
    name        text NOT NULL DEFAULT '',
    email       text NOT NULL DEFAULT '',
    phone       text NOT NULL DEFAULT '',
    country     text NOT NULL DEFAULT '',
    time_zone   text NOT NULL DEFAULT '',
    -- the rep whose invite link an attendee gets
    rep_id      uuid REFERENCES users (id),
    -- deferred by quiet hours until then
    not_before  timestamptz,
    PRIMARY KEY (campaign_id, seq)
);
CREATE UNIQUE INDEX campaign_recipients_lead_idx ON campaign_recipients (campaign_id, lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX campaign_recipients_deferred_idx ON campaign_recipients (campaign_id, seq) WHERE not_before IS NOT NULL;

ALTER TABLE notifications ADD COLUMN campaign_id uuid REFERENCES campaigns (id) ON DELETE SET NULL;
CREATE INDEX notifications_campaign_idx ON notifications (campaign_id, status) WHERE campaign_id IS NOT NULL;
