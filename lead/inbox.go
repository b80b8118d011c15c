package lead

import "time"

// Delivery statuses of a message to a lead after it was sent, from the
// providers' delivery events (NotificationSent, NotificationFailed and
// these). A status only moves forward (DeliveryRank): a late "delivered"
// does not undo "opened".
const (
	MessageDelivered = "delivered"
	MessageBounced   = "bounced"
	MessageOpened    = "opened"
	MessageClicked   = "clicked"
)

// SkipBounced is why an address that bounced for good is suppressed.
const SkipBounced = "bounced"

// SkipStopped is why a number that answered STOP (or 退订) is suppressed.
const SkipStopped = "stopped"

// SuppressionReasons are every reason an address is put on a channel's
// suppression list for (lead.Consent.Reason), each a message skipped for
// it too: the lead unsubscribed (its link, or the e-mail provider's
// unsubscribe or spam report), answered STOP, or its address bounced for
// good. The console names each in words of its own.
var SuppressionReasons = []string{SkipUnsubscribed, SkipStopped, SkipBounced}

// DeliveryRank orders a message's statuses after it was queued: a
// delivery event moves a message to a status of a higher rank only.
func DeliveryRank(status string) int {
	switch status {
	case NotificationSent:
		return 1
	case MessageDelivered:
		return 2
	case MessageOpened:
		return 3
	case MessageClicked:
		return 4
	case MessageBounced, NotificationFailed:
		return 5
	}
	return 0
}

// History events of the inbox.
const (
	// EventReplyReceived: the lead wrote back (data: channel, reply_id, stop).
	EventReplyReceived EventType = "reply_received"
	// EventAddressInvalid: a message to the lead bounced for good (data:
	// channel, address, reason); the address is suppressed.
	EventAddressInvalid EventType = "address_invalid"
)

// Reply is one inbound message: a lead's reply (LeadID) or a message of a
// conversation (ConversationID).
type Reply struct {
	ID             string    `json:"id"`
	Channel        string    `json:"channel"`
	From           string    `json:"from"`
	FromName       string    `json:"from_name,omitempty"`
	Subject        string    `json:"subject,omitempty"`
	Body           string    `json:"body"`
	LeadID         string    `json:"lead_id,omitempty"`
	ConversationID string    `json:"conversation_id,omitempty"`
	ReceivedAt     time.Time `json:"received_at"`
}

// Conversation origins: a direct message, or a comment on the page's posts.
const (
	OriginMessage = "message"
	OriginComment = "comment"
)

// Conversation is the messages of a sender who is no lead, in the inbox
// until a rep it is assigned to makes a lead of it.
type Conversation struct {
	ID            string    `json:"id"`
	Channel       string    `json:"channel"`
	Origin        string    `json:"origin"`
	Address       string    `json:"address"`
	Name          string    `json:"name,omitempty"`
	AssigneeID    string    `json:"assignee_id,omitempty"`
	LeadID        string    `json:"lead_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	LastMessageAt time.Time `json:"last_message_at"`
	// Messages are its messages, oldest first (in a single conversation's answer).
	Messages []Reply `json:"messages,omitempty"`
}
