package web

import "github.com/leadflow/leadflow/lead"

// WebhookEvent is one event type of a subscription form's checkboxes ("*"
// for every event).
type WebhookEvent struct {
	Value   string
	Checked bool
}

// WebhookRow is one subscription of /webhooks, with its pool's name.
type WebhookRow struct {
	lead.Webhook
	PoolName string
}

// WebhooksPage is the data of /webhooks: the subscriptions the reader
// may manage and the form that creates one.
type WebhooksPage struct {
	Webhooks []WebhookRow
	Next     string
	Events   []WebhookEvent
	// Pools are those the reader may subscribe to; AnyPool offers every lead (admins).
	Pools     []Choice
	AnyPool   bool
	RequestID string
	// Secret is the new subscription's signing secret, shown once.
	Secret *Secret
	Form   map[string]string
	Errors map[string]string
}

// SecretForms are the rotate and delete forms of a signed thing's page:
// they post to Path/rotate-secret and Path/delete, their ids are named
// for Kind ("rotate-webhook-form") and their words are Area's messages
// ("webhooks.rotate").
type SecretForms struct{ Path, Kind, Area string }

// WebhookPage is the data of /webhooks/{id}: the subscription, its form,
// and its deliveries.
type WebhookPage struct {
	SecretForms SecretForms
	Webhook     WebhookRow
	Events      []WebhookEvent
	Secret      *Secret
	Deliveries  []lead.WebhookDelivery
	Next        string
	Form        map[string]string
	Errors      map[string]string
}
