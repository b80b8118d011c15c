package lead

import (
	"slices"
	"strings"
	"time"
)

// The channels a message to a lead goes out on (see package channel for
// their providers).
const (
	ChannelEmail     = "email"
	ChannelSMS       = "sms"
	ChannelMessenger = "messenger"
	ChannelWhatsApp  = "whatsapp"
)

// Channels lists every channel, in the order the console offers them.
var Channels = []string{ChannelEmail, ChannelSMS, ChannelMessenger, ChannelWhatsApp}

// KnownChannel reports whether ch is a channel.
func KnownChannel(ch string) bool { return slices.Contains(Channels, ch) }

// MessageKind is the notification kind of a message to a lead (its key is
// "message/" + the message's id).
const MessageKind = "message"

// NotificationSkipped is a message not sent: its address is suppressed.
const NotificationSkipped = "skipped"

// SkipUnsubscribed is why a message to an address that unsubscribed from
// its channel was skipped.
const SkipUnsubscribed = "unsubscribed"

// EventMessageSent records a message sent to the lead (data: message_id,
// channel, status).
const EventMessageSent EventType = "message_sent"

// Message is one message to a lead with its delivery status: queued,
// sent, failed, or skipped (Reason says why: unsubscribed).
type Message struct {
	ID                string     `json:"id"`
	LeadID            string     `json:"lead_id"`
	Channel           string     `json:"channel"`
	To                string     `json:"to"`
	Subject           string     `json:"subject,omitempty"`
	Body              string     `json:"body"`
	TemplateID        string     `json:"template_id,omitempty"`
	SenderID          string     `json:"sender_id,omitempty"`
	Status            string     `json:"status"`
	Reason            string     `json:"reason,omitempty"`
	Provider          string     `json:"provider,omitempty"`
	ProviderMessageID string     `json:"provider_message_id,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	SentAt            *time.Time `json:"sent_at,omitempty"`
}

// MessageOf is the message a notification of kind MessageKind holds.
func MessageOf(n Notification) Message {
	return Message{ID: n.ID, LeadID: n.LeadID, Channel: n.Channel, To: n.ToEmail, Subject: n.Subject, Body: n.Text,
		TemplateID: n.TemplateID, SenderID: n.SenderID, Status: n.Status, Reason: n.Error, Provider: n.Provider,
		ProviderMessageID: n.ProviderMessageID, CreatedAt: n.CreatedAt, SentAt: n.SentAt}
}

// Consent is whether a lead may be messaged on one channel: its address
// there ("" when it has none) and, when the address is suppressed, why and
// since when.
type Consent struct {
	Channel      string     `json:"channel"`
	Address      string     `json:"address,omitempty"`
	Suppressed   bool       `json:"suppressed"`
	Reason       string     `json:"reason,omitempty"`
	SuppressedAt *time.Time `json:"suppressed_at,omitempty"`
}

// ChannelAddress is l's address on a channel: its e-mail, its phone (E.164) for
// SMS and WhatsApp, its Messenger page-scoped id (the custom field
// MessengerIDField); "" when it has none.
func (l Lead) ChannelAddress(ch string) string {
	switch ch {
	case ChannelEmail:
		return strings.TrimSpace(l.Email)
	case ChannelSMS, ChannelWhatsApp:
		return l.PhoneE164
	case ChannelMessenger:
		if v, ok := l.Custom[MessengerIDField].(string); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// MessengerIDField is the lead's custom field holding its Messenger
// page-scoped id.
const MessengerIDField = "messenger_psid"
