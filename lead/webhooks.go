package lead

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// WebhookEvents are the event types a webhook subscription may ask for
// ("*" asks for all). Each is emitted when the lead's history records the
// transition (see store/migrations/021_webhooks.sql for the mapping, and
// 026 and 027 for lead.registered and message.sent).
var WebhookEvents = []string{
	"lead.created", "lead.rejected", "lead.merged", "lead.pooled", "lead.offered", "lead.assigned",
	"lead.reclaimed", "lead.returned", "lead.converted", "lead.closed", "follow_up.created", "customer.created",
	"lead.registered", "message.sent",
}

// WebhookEventID is the payload id of webhook event n (the same for every
// subscription it goes to).
func WebhookEventID(n int64) string { return "evt_" + strconv.FormatInt(n, 10) }

// WebhookAll is the event list entry that asks for every event type.
const WebhookAll = "*"

// WebhookPayloadVersion is the version of the webhook payloads' shape.
const WebhookPayloadVersion = 1

// Webhook is a subscription: where leadflow posts the events it asks for.
type Webhook struct {
	ID      string   `json:"id"`
	URL     string   `json:"url"`
	Events  []string `json:"events"`
	PoolID  string   `json:"pool_id,omitempty"`
	Active  bool     `json:"active"`
	OwnerID string   `json:"owner_id"`
	// DisabledReason says why leadflow turned it off (its deliveries failed).
	DisabledReason string `json:"disabled_reason,omitempty"`
	// PreviousSecretUntil is when the secret before the last rotation stops signing.
	PreviousSecretUntil *time.Time `json:"previous_secret_until,omitempty"`
	CreatedAt           time.Time  `json:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at"`
}

// WebhookDelivery is one event posted (or to be posted) to one subscription,
// with its last attempt.
type WebhookDelivery struct {
	ID        int64  `json:"id"`
	Event     string `json:"event"`
	EventID   string `json:"event_id"`
	LeadID    string `json:"lead_id"`
	WebhookID string `json:"webhook_id"`
	// Status: pending, delivered or failed.
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	StatusCode  int        `json:"status_code"`
	LatencyMS   int        `json:"latency_ms"`
	BodyExcerpt string     `json:"body_excerpt"`
	Error       string     `json:"error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	AttemptedAt *time.Time `json:"attempted_at,omitempty"`
}

// The statuses of a webhook delivery.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// CleanWebhookEvents checks a subscription's event list under field and
// returns it without duplicates.
func CleanWebhookEvents(field string, events []string) ([]string, error) {
	var f Fields
	if len(events) == 0 {
		f.Add(field, "needs at least one event type (or \"*\")")
	}
	out := []string{}
	for _, e := range events {
		if e != WebhookAll && !slices.Contains(WebhookEvents, e) {
			f.Add(field, fmt.Sprintf("%q is not an event type", e))
		} else if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, f.Err()
}
