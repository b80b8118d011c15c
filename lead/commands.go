package lead

import "time"

// Claim is a rep taking a pooled lead into their private pool.
type Claim struct {
	LeadID     string     `json:"lead_id"`
	RepID      string     `json:"rep_id"`
	RequestID  string     `json:"request_id"` // idempotency key: a retried claim is applied once
	Reason     string     `json:"reason,omitempty"`
	ExpectedAt *time.Time `json:"expected_follow_up_at,omitempty"`
}

// NewFollowUp is a follow-up to record, optionally moving the lead's stage.
type NewFollowUp struct {
	FollowUp  FollowUp `json:"follow_up"`
	Stage     string   `json:"stage,omitempty"`
	RequestID string   `json:"request_id"`
}

// Conversion turns an assigned lead into a customer.
type Conversion struct {
	LeadID     string `json:"lead_id"`
	ActorID    string `json:"actor_id"`
	RequestID  string `json:"request_id"`
	CustomerID string `json:"customer_id"` // chosen by the caller so that retries create one customer
}

// Converted is the result of a conversion.
type Converted struct {
	Lead     Lead     `json:"lead"`
	Customer Customer `json:"customer"`
}
