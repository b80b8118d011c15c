package lead

import "time"

// Claim is a rep taking a pooled lead into their private pool.
type Claim struct {
	LeadID     string     `json:"lead_id"`
	RepID      string     `json:"rep_id"`
	RequestID  string     `json:"request_id"` // idempotency key: a retried claim is applied once
	Reason     string     `json:"reason,omitempty"`
	ExpectedAt *time.Time `json:"expected_follow_up_at,omitempty"`
	// Via says how the lead came to the rep other than a plain claim
	// ("invite": a duplicate registered through their invite link).
	Via string `json:"via,omitempty"`
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
	// Customer and Order are the mapped fields (the conversion rules); an
	// empty Order creates no order. The order's amount, currency and
	// product are its columns, the other keys its custom fields.
	Customer map[string]any `json:"customer,omitempty"`
	Order    map[string]any `json:"order,omitempty"`
	// CustomerOverrides and OrderOverrides are the caller's values: they
	// win over the mapping.
	CustomerOverrides map[string]any `json:"customer_overrides,omitempty"`
	OrderOverrides    map[string]any `json:"order_overrides,omitempty"`
	// Decision is the converted event's rule set kind, version and trace.
	Decision *Event `json:"decision,omitempty"`
}

// Converted is the result of a conversion.
type Converted struct {
	Lead     Lead     `json:"lead"`
	Customer Customer `json:"customer"`
}

// Move is a lifecycle transition of one lead decided by a person or a timer:
// assign, transfer, reclaim, return, close, accept, decline, an expired offer.
type Move struct {
	LeadID    string `json:"lead_id"`
	ActorID   string `json:"actor_id,omitempty"` // empty for the system (timers)
	RequestID string `json:"request_id"`
	RepID     string `json:"rep_id,omitempty"`  // assign: the new owner; accept/decline: the offered rep
	PoolID    string `json:"pool_id,omitempty"` // transfer: the new pool
	Reason    string `json:"reason,omitempty"`
	// AutoAccept: a distribution assigns instead of offering.
	AutoAccept bool `json:"auto_accept,omitempty"`
	// Outbox, when set, has the move's transaction queue the e-mails the
	// move calls for (MoveEmails) in the e-mail outbox.
	Outbox *Outbox `json:"outbox,omitempty"`
}

// Notice is a reminder or escalation a timer records (and e-mails).
type Notice struct {
	LeadID    string    `json:"lead_id"`
	RequestID string    `json:"request_id"`
	Type      EventType `json:"type"`
	Reason    string    `json:"reason"`
	Due       time.Time `json:"due"` // the deadline the notice is about
}

// Edit changes a lead's details; nil fields are left as they are. The old
// and new values go into the lead's history.
type Edit struct {
	LeadID    string `json:"lead_id"`
	ActorID   string `json:"actor_id"`
	RequestID string `json:"request_id"`
	EditFields
}

// EditFields are the details an edit of a lead sets, as PATCH /leads/{id}
// sends them and as the workflow's edit update carries them (embedded in
// Edit, they marshal flat): nil fields are left as they are.
type EditFields struct {
	Name       *string         `json:"name,omitempty"`
	Company    *string         `json:"company,omitempty"` // with Phone and Country: the dedup key is recomputed
	Phone      *string         `json:"phone,omitempty"`   // the main number
	Country    *string         `json:"country,omitempty"`
	Email      *string         `json:"email,omitempty"`
	Phones     *[]string       `json:"phones,omitempty"` // further numbers besides the main one
	Emails     *[]string       `json:"emails,omitempty"` // further addresses besides the main one
	Stage      *string         `json:"stage,omitempty"`
	Notes      *string         `json:"notes,omitempty"`
	Tags       *[]string       `json:"tags,omitempty"`
	Custom     *map[string]any `json:"custom,omitempty"`
	Channel    *string         `json:"channel,omitempty"`
	Group      *string         `json:"group,omitempty"`
	Profession *string         `json:"profession,omitempty"`
	Address    *string         `json:"address,omitempty"`
	District   *string         `json:"district,omitempty"`
	Division   *string         `json:"division,omitempty"`
}

// Email kinds: what happened that a person should hear about.
const (
	EmailOffered         = "offered"          // a lead is offered to a rep (accept or decline)
	EmailAssigned        = "assigned"         // a manager assigned a lead to a rep
	EmailNewLead         = "new_lead"         // a lead entered a pool: its designated recipients hear of it
	EmailSLAReminder     = "sla_reminder"     // first contact overdue: the owner
	EmailSLAEscalation   = "sla_escalation"   // still no first contact: the pool admins
	EmailReclaimReminder = "reclaim_reminder" // the lead will be reclaimed soon for want of a follow-up: the owner
	// EmailConversionReminder: the lead will be reclaimed soon for want of
	// a conversion (follow-ups do not stop that timer): the owner.
	EmailConversionReminder = "conversion_reminder"
	// EmailFollowUpDue: the follow-up the rep expected when claiming is due.
	EmailFollowUpDue    = "follow_up_due"
	EmailReclaimed      = "reclaimed"       // the lead was taken back: its previous owner
	EmailImportFinished = "import_finished" // a bulk import is done: the user who started it
	EmailExportFinished = "export_finished" // an export file is ready: the user who asked for it
	EmailBulkFinished   = "bulk_finished"   // a bulk action of more than 1,000 leads is over: the user who started it
	EmailDigest         = "digest"          // the daily list of a rep's due follow-ups
	// EmailWebhookDisabled: a webhook subscription's delivery failed for
	// good and leadflow turned it off: its owner.
	EmailWebhookDisabled = "webhook_disabled"
	// EmailReply: a lead wrote back (an SMS, a chat message, an e-mail):
	// its owner.
	EmailReply = "reply"
)

// ErrEmailRejected is the type of the non-retryable error of an e-mail the
// provider refused for good (a 4xx other than 429): it is recorded as
// failed and not retried.
const ErrEmailRejected = "email_rejected"

// Email asks for the notification e-mails of one lead event. The activity
// resolves the recipients (the rep, the pool's admins or its designated
// recipients), renders the message and sends each e-mail once per Key.
type Email struct {
	Key    string `json:"key"` // idempotency key: one e-mail per key and recipient
	Kind   string `json:"kind"`
	LeadID string `json:"lead_id"`
	RepID  string `json:"rep_id,omitempty"` // the rep concerned: the owner, the offered rep, the previous owner
	PoolID string `json:"pool_id,omitempty"`
	Reason string `json:"reason,omitempty"`
	// ActorID is who caused the event (the manager who assigned the lead).
	ActorID string `json:"actor_id,omitempty"`
	// Ref is the import, export or bulk action an import_finished,
	// export_finished or bulk_finished e-mail is about (the link points at it); Summary says how it went.
	Ref     string `json:"ref,omitempty"`
	Summary string `json:"summary,omitempty"`
	// Day is the digest's day (YYYY-MM-DD) in Zone (an IANA name; UTC when
	// empty): follow-ups due by its end are listed.
	Day  string `json:"day,omitempty"`
	Zone string `json:"zone,omitempty"`
}

// RepStats are a rep's numbers that capacity checks and rules see.
type RepStats struct {
	Load        int // leads assigned or offered to the rep (see store's repLoadSQL)
	ClaimsToday int // claims since midnight UTC
}
