package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file keeps the inbox's writes: the providers' delivery events on
// the messages they sent, and inbound messages (a lead's reply, or a
// message of a conversation), each once per provider's id.

// DeliveryEvent is one provider's event about a message it sent.
type DeliveryEvent struct {
	// Provider is the provider's name as the message records it
	// (notification.provider: sendgrid, twilio, meta-whatsapp).
	Provider string
	// EventID identifies the event at the provider: a retried delivery
	// of the event carries it again.
	EventID string
	// MessageIDs are the provider's ids the message may be stored under
	// (SendGrid's sg_message_id and its prefixes).
	MessageIDs []string
	// Status is the message's new status (lead.DeliveryRank orders them).
	Status string
	Reason string
	// Invalid says the address bounced for good: it is suppressed on the
	// message's channel and the lead's history records it.
	Invalid bool
}

// firstTime records (provider, id) in provider_events within tx: false
// when an earlier delivery recorded it.
func firstTime(ctx context.Context, tx pgx.Tx, provider, id string) (bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO provider_events (provider, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, provider, id)
	return tag.RowsAffected() == 1, err
}

// ApplyDeliveryEvent moves the message e names to e's status when that
// is further along (lead.DeliveryRank), and for a hard bounce suppresses
// the address and records lead.EventAddressInvalid, all once per event
// id: it answers false for an event applied before (or about no message
// leadflow knows, which is recorded too).
func (db *DB) ApplyDeliveryEvent(ctx context.Context, e DeliveryEvent) (bool, error) {
	applied := false
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		first, err := firstTime(ctx, tx, e.Provider, e.EventID)
		if err != nil || !first {
			return err
		}
		var key, leadID, channel, to, status string
		err = tx.QueryRow(ctx, `SELECT key, coalesce(lead_id::text, ''), channel, to_email, status FROM notifications
			WHERE kind = 'message' AND provider = $1 AND provider_message_id = ANY($2) AND provider_message_id <> ''
			ORDER BY created_at DESC LIMIT 1 FOR UPDATE`, e.Provider, e.MessageIDs).Scan(&key, &leadID, &channel, &to, &status)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		applied = true
		if lead.DeliveryRank(e.Status) > lead.DeliveryRank(status) {
			if _, err := tx.Exec(ctx, `UPDATE notifications SET status = $2, error = CASE WHEN $3 = '' THEN error ELSE $3 END,
				updated_at = now() WHERE key = $1`, key, e.Status, e.Reason); err != nil {
				return err
			}
		}
		if !e.Invalid || to == "" {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO suppressions (channel, address, reason, lead_id) VALUES ($1, $2, $3, nullif($4, '')::uuid)
			ON CONFLICT (channel, address) DO NOTHING`, channel, SuppressionAddress(channel, to), lead.SkipBounced, leadID); err != nil {
			return err
		}
		if leadID == "" {
			return nil
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: leadID, Type: lead.EventAddressInvalid, Reason: e.Reason,
			Data: map[string]any{"channel": channel, "address": to}}, "invalid/"+e.Provider+"/"+e.EventID)
	})
	return applied, err
}

// MessageLead is the lead of the lead message a provider's event names
// ("" when leadflow knows no such message, or it has no lead): the
// message of key (the idempotency key it was sent with, which comes back
// in the event), else the newest of the provider's ids messageIDs.
func (db *DB) MessageLead(ctx context.Context, provider, key string, messageIDs []string) (string, error) {
	var id string
	err := db.pool.QueryRow(ctx, `SELECT id FROM (
			SELECT coalesce(lead_id::text, '') AS id, 0 AS rank, created_at FROM notifications WHERE key = $1 AND kind = 'message'
			UNION ALL
			SELECT coalesce(lead_id::text, ''), 1, created_at FROM notifications
			WHERE kind = 'message' AND provider = $2 AND provider_message_id = ANY($3) AND provider_message_id <> ''
		) x ORDER BY rank, created_at DESC LIMIT 1`, key, provider, messageIDs).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// Inbound is one message a provider delivered from a lead or an unknown sender.
type Inbound struct {
	Provider, ProviderID string
	Channel              string // lead.ChannelEmail, SMS, Messenger or WhatsApp
	Origin               string // lead.OriginMessage or lead.OriginComment
	From, FromName       string // the sender's address on the channel (E.164, PSID, e-mail)
	Subject, Body        string
	// Stop says the message asks for no more messages on the channel
	// (STOP, 退订): the address is suppressed.
	Stop bool
}

// leadByAddress is the SQL condition of a lead whose address on a
// channel is $1 (see lead.Lead.ChannelAddress).
var leadByAddress = map[string]string{
	lead.ChannelEmail:     `lower(email) = lower($1)`,
	lead.ChannelSMS:       `phone_e164 = $1`,
	lead.ChannelWhatsApp:  `phone_e164 = $1`,
	lead.ChannelMessenger: `custom->>'messenger_psid' = $1`,
}

// ReceiveInbound stores an inbound message once per provider's id: a
// direct message from an address a live lead has is that lead's reply
// (the newest such lead's; its history records lead.EventReplyReceived);
// any other opens (or joins) the sender's open conversation. A Stop
// message suppresses its address. It answers the stored message, and
// false when an earlier delivery stored it (the message it stored then).
func (db *DB) ReceiveInbound(ctx context.Context, in Inbound) (lead.Reply, bool, error) {
	r := lead.Reply{ID: uuid.Must(uuid.NewV7()).String(), Channel: in.Channel, From: in.From, FromName: in.FromName,
		Subject: in.Subject, Body: in.Body}
	fresh := false
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		first, err := firstTime(ctx, tx, in.Provider, "inbound/"+in.ProviderID)
		if err != nil || !first {
			if err == nil {
				r, err = scanReply(tx.QueryRow(ctx, `SELECT `+replyColumns+` FROM inbound_messages
					WHERE provider = $1 AND provider_id = $2`, in.Provider, in.ProviderID))
			}
			return err
		}
		fresh = true
		if cond, ok := leadByAddress[in.Channel]; ok && in.Origin != lead.OriginComment && in.From != "" {
			err := tx.QueryRow(ctx, `SELECT id::text FROM leads WHERE `+cond+` AND status NOT IN ('merged', 'rejected')
				ORDER BY created_at DESC LIMIT 1`, in.From).Scan(&r.LeadID)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		if r.LeadID == "" {
			if err := tx.QueryRow(ctx, `INSERT INTO conversations (id, channel, origin, address, name) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (channel, origin, address) WHERE lead_id IS NULL DO UPDATE SET last_message_at = now(),
					name = CASE WHEN excluded.name = '' THEN conversations.name ELSE excluded.name END
				RETURNING id::text`, uuid.Must(uuid.NewV7()).String(), in.Channel, in.Origin, in.From, in.FromName).Scan(&r.ConversationID); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO inbound_messages (id, provider, provider_id, channel, from_address, from_name,
				subject, body, lead_id, conversation_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, '')::uuid, nullif($10, '')::uuid)
			RETURNING received_at`, r.ID, in.Provider, in.ProviderID, in.Channel, in.From, in.FromName, in.Subject, in.Body,
			r.LeadID, r.ConversationID).Scan(&r.ReceivedAt); err != nil {
			return err
		}
		if in.Stop {
			if _, err := tx.Exec(ctx, `INSERT INTO suppressions (channel, address, reason, lead_id) VALUES ($1, $2, $3, nullif($4, '')::uuid)
				ON CONFLICT (channel, address) DO NOTHING`, in.Channel, SuppressionAddress(in.Channel, in.From), lead.SkipStopped, r.LeadID); err != nil {
				return err
			}
		}
		if r.LeadID == "" {
			return nil
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: r.LeadID, Type: lead.EventReplyReceived,
			Data: map[string]any{"reply_id": r.ID, "channel": in.Channel, "stop": in.Stop}}, "reply/"+r.ID)
	})
	return r, fresh, err
}

const replyColumns = `id::text, channel, from_address, from_name, subject, body, coalesce(lead_id::text, ''),
	coalesce(conversation_id::text, ''), received_at`

func scanReply(row pgx.Row) (lead.Reply, error) {
	var r lead.Reply
	err := row.Scan(&r.ID, &r.Channel, &r.From, &r.FromName, &r.Subject, &r.Body, &r.LeadID, &r.ConversationID, &r.ReceivedAt)
	return r, err
}

// LeadReplies lists a lead's replies, newest first.
func (db *DB) LeadReplies(ctx context.Context, leadID string, limit int, cursor string) ([]lead.Reply, string, error) {
	if !isUUID(leadID) {
		return nil, "", lead.Errorf(lead.CodeNotFound, "lead not found")
	}
	var q listQuery
	q.and("lead_id = " + q.arg(leadID) + "::uuid")
	if err := q.keyset("received_at", "id", true, cursor); err != nil {
		return nil, "", err
	}
	if limit < 1 {
		limit = 50
	}
	return queryPage(ctx, db, replyColumns+` FROM inbound_messages`, &q, limit, scanReply,
		func(r lead.Reply) (time.Time, string) { return r.ReceivedAt, r.ID })
}
