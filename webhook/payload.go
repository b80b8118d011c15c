package webhook

import (
	"encoding/json"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// Event is the body of one webhook message: the event's type, the version
// of this shape, its id (the same for every subscription), when it
// happened, and the lead as an admin sees it (GET /api/v1/leads/{id}).
type Event struct {
	Type       string    `json:"type"`
	Version    int       `json:"version"`
	ID         string    `json:"id"`
	OccurredAt time.Time `json:"occurred_at"`
	Data       EventData `json:"data"`
}

// EventData is what an event is about.
type EventData struct {
	Lead lead.Detail `json:"lead"`
}

// Payload is the JSON body of webhook event n of type typ about l, which
// it shows as GET /api/v1/leads/{id} shows it to an admin.
func Payload(n int64, typ string, at time.Time, l lead.Lead) ([]byte, error) {
	shown := lead.DetailOf(lead.Redact(lead.User{Role: lead.RoleAdmin}, l))
	return json.Marshal(Event{Type: typ, Version: lead.WebhookPayloadVersion, ID: lead.WebhookEventID(n), OccurredAt: at.UTC(),
		Data: EventData{Lead: shown}})
}
