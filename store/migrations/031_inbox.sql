-- Nurture's inbox (issue 27): the providers' delivery events, the leads'
-- replies and the conversations of unknown senders. (Numbered 031 in the
-- plan; 028 here so that the numbers stay contiguous on this branch.)

-- A message's status follows its delivery events: sent, then delivered,
-- opened, clicked; or bounced, failed.
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('queued', 'sent', 'failed', 'skipped', 'delivered', 'bounced', 'opened', 'clicked'));
CREATE INDEX notifications_provider_message_idx ON notifications (provider, provider_message_id)
    WHERE kind = 'message' AND provider_message_id <> '';

-- Each event or inbound message a provider delivers, once: a retried
-- delivery with the same id finds its row and changes nothing again.
CREATE TABLE provider_events (
    provider   text NOT NULL,
    event_id   text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

-- A conversation: messages from a sender who is no lead (an unknown
-- number, PSID or e-mail address, or a comment on the page's posts). A
-- manager assigns it to a rep, who may create a lead from it; lead_id is
-- that lead.
CREATE TABLE conversations (
    id              uuid PRIMARY KEY,
    channel         text NOT NULL CHECK (channel IN ('email', 'sms', 'messenger', 'whatsapp')),
    origin          text NOT NULL DEFAULT 'message' CHECK (origin IN ('message', 'comment')),
    address         text NOT NULL,
    name            text NOT NULL DEFAULT '',
    assignee_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    lead_id         uuid REFERENCES leads (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_message_at timestamptz NOT NULL DEFAULT now()
);
-- One open conversation per sender and channel.
CREATE UNIQUE INDEX conversations_open_idx ON conversations (channel, origin, address) WHERE lead_id IS NULL;
CREATE INDEX conversations_list_idx ON conversations (last_message_at DESC, id DESC);

-- Inbound messages: replies of leads (lead_id) and messages of
-- conversations (conversation_id).
CREATE TABLE inbound_messages (
    id              uuid PRIMARY KEY,
    provider        text NOT NULL,
    provider_id     text NOT NULL,
    channel         text NOT NULL,
    from_address    text NOT NULL,
    from_name       text NOT NULL DEFAULT '',
    subject         text NOT NULL DEFAULT '',
    body            text NOT NULL DEFAULT '',
    lead_id         uuid REFERENCES leads (id) ON DELETE CASCADE,
    conversation_id uuid REFERENCES conversations (id) ON DELETE CASCADE,
    received_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider, provider_id)
);
CREATE INDEX inbound_messages_lead_idx ON inbound_messages (lead_id, received_at DESC) WHERE lead_id IS NOT NULL;
CREATE INDEX inbound_messages_conversation_idx ON inbound_messages (conversation_id, received_at) WHERE conversation_id IS NOT NULL;
