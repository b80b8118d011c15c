package lead

import "time"

// CRMTarget is an external CRM that registered leads are pushed to
// (seed 003: "any integrated systems, such as a CRM"). Kind hubspot speaks
// HubSpot's contacts API at BaseURL with the bearer Token.
type CRMTarget struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	BaseURL string `json:"base_url"`
	// Token is the bearer token; write-only, never answered.
	Token     string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// CRMKinds are the CRM wire formats leadflow speaks.
var CRMKinds = []string{"hubspot"}

// CRMPush is one push of a lead to a CRM target, with what it needs.
type CRMPush struct {
	ID     int64
	Due    bool // still pending
	Target CRMTarget
	Lead   Lead
	// ExternalID is the contact's id in the CRM once created ("" before).
	ExternalID string
}
