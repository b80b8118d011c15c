package lead

import (
	"regexp"
	"time"
)

// SourceHook is the source of a lead pushed by an inbound source (a
// signed hook or Facebook Lead Ads); its channel is the source's name.
const SourceHook = "hook"

// Kinds of inbound source.
const (
	InboundWebhook  = "webhook"  // POST /api/v1/hooks/{name}, signed the Standard Webhooks way
	InboundFacebook = "facebook" // Facebook / Instagram Lead Ads through the Graph API
)

// InboundSource is a system that pushes leads to /api/v1/hooks/{Name}.
// Its secrets (the signing secret, Facebook's app secret and page token)
// are never part of it.
type InboundSource struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// FieldMapping maps an incoming field path ("contact.email") to a lead
	// field, custom.<name> or ignore.
	FieldMapping    map[string]string `json:"field_mapping"`
	DuplicatePolicy DuplicatePolicy   `json:"duplicate_policy"`
	PoolID          string            `json:"pool_id,omitempty"`
	// VerifyToken is the token Facebook's subscription challenge must
	// carry (kind facebook).
	VerifyToken string `json:"verify_token,omitempty"`
	// AppSecretSet and PageTokenSet say whether Facebook's app secret and
	// page token are set; they are never answered.
	AppSecretSet bool      `json:"app_secret_set,omitempty"`
	PageTokenSet bool      `json:"page_token_set,omitempty"`
	CreatedBy    string    `json:"created_by,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// sourceName is what an inbound source's name may be: a slug usable in a URL.
var sourceName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Clean checks a source's name, kind and duplicate policy.
func (s *InboundSource) Clean() error {
	var f Fields
	if !sourceName.MatchString(s.Name) {
		f.Add("name", "must be 1 to 63 lower-case letters, digits, - or _, starting with a letter or digit")
	}
	if s.Kind != InboundWebhook && s.Kind != InboundFacebook {
		f.Add("kind", "must be webhook or facebook")
	}
	if s.DuplicatePolicy == "" || !s.DuplicatePolicy.Valid() {
		f.Add("duplicate_policy", "must be merge, warn or reject")
	}
	return f.Err()
}
