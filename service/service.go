// Package service is every operation leadflow offers — claim, assign,
// create a lead, save a rule set, change a pool... — for its two faces:
// the JSON API (api/) and the HTML console. Each operation is one method
// of Service taking (ctx, the acting user, a typed input, an idempotency
// key where a retry must not act twice) and returning domain values and
// domain errors (lead.Error), which each face renders its own way.
//
// Access is checked here, once, through the access model of lead/ (the
// permission table and the role gates); nothing in a handler decides a
// rule. The package knows no web framework and no net/http: it speaks to
// PostgreSQL through store/ and to the lead workflows through Temporal.
package service

import (
	"golang.org/x/time/rate"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
)

// Config is what the service needs besides its store and Temporal client.
type Config struct {
	// UpdateTimeout bounds how long an operation waits for a lead's
	// workflow (default 30 s).
	UpdateTimeout time.Duration
	// PreviewBudget bounds one whole rules preview (default
	// DefaultPreviewBudget).
	PreviewBudget time.Duration
	// MinPolicyDuration is the shortest timer a pool policy may set
	// (default lead.DefaultMinPolicyDuration).
	MinPolicyDuration time.Duration
	// PublicURL is the base URL users reach the service at, for links.
	PublicURL string
	// ExportTTL is how long an export's file is kept (default 7 days);
	// MaxRunningExports how many exports one user may have running
	// (default 2).
	ExportTTL         time.Duration
	MaxRunningExports int
	// InviteKey is the secret invite links are derived from
	// (store.InviteToken).
	InviteKey []byte
	// TimeZone is the zone of users who, and whose team, set none
	// (LEADFLOW_TIME_ZONE; default time.Local). See Location.
	TimeZone *time.Location
	// WebhookGuard says which addresses a webhook URL may resolve to
	// (LEADFLOW_WEBHOOK_ALLOW_HOSTS).
	WebhookGuard webhook.Guard
	// BulkConcurrency is how many leads of a bulk action are acted on at
	// once, bounding the load a job puts beside live traffic (default
	// DefaultBulkConcurrency).
	BulkConcurrency int
	// BulkRate bounds the leads per second all bulk actions of this
	// process act on together (LEADFLOW_BULK_RATE); 0 for no bound but
	// BulkConcurrency.
	BulkRate float64
	// Inbox is the providers' webhook credentials (inbox.go).
	Inbox InboxConfig
}

// Service holds the dependencies of the operations; they are its methods.
type Service struct {
	db  *store.DB
	tc  client.Client
	log *slog.Logger
	cfg Config
	// previews are the rules previews running, one a user at a time.
	previews previewGate
	// bulkPace is the bound of Config.BulkRate (nil for none).
	bulkPace *rate.Limiter
}

// New is the service over db and tc; log may be nil (slog's default).
func New(db *store.DB, tc client.Client, log *slog.Logger, cfg Config) *Service {
	if log == nil {
		log = slog.Default()
	}
	if cfg.UpdateTimeout == 0 {
		cfg.UpdateTimeout = 30 * time.Second
	}
	if cfg.PreviewBudget == 0 {
		cfg.PreviewBudget = DefaultPreviewBudget
	}
	if cfg.MinPolicyDuration == 0 {
		cfg.MinPolicyDuration = time.Duration(lead.DefaultMinPolicyDuration)
	}
	if cfg.ExportTTL == 0 {
		cfg.ExportTTL = 7 * 24 * time.Hour
	}
	if cfg.MaxRunningExports == 0 {
		cfg.MaxRunningExports = 2
	}
	if cfg.TimeZone == nil {
		cfg.TimeZone = time.Local
	}
	if cfg.BulkConcurrency <= 0 {
		cfg.BulkConcurrency = DefaultBulkConcurrency
	}
	s := &Service{db: db, tc: tc, log: log, cfg: cfg}
	if cfg.BulkRate > 0 {
		s.bulkPace = rate.NewLimiter(rate.Limit(cfg.BulkRate), 1)
	}
	return s
}
