package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/leadflow/leadflow/activities"
	"github.com/leadflow/leadflow/channel"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/workflows"
)

// Config is what a running worker needs: the Temporal namespace it polls,
// the store, and the activities' dependencies.
type Config struct {
	// Temporal is a client of Namespace.
	Temporal client.Client
	// Namespace is where the search attributes are registered.
	Namespace string
	// Store is the database the activities read and write.
	Store *store.DB
	// Log gets the activities' logs; slog.Default when nil.
	Log *slog.Logger
	// Mail sends the notification e-mails; the outbox when nil.
	Mail notify.Sender
	// PublicURL is the base of the links in e-mails; lead.DefaultPublicURL when empty.
	PublicURL string
	// InviteKey is the API's secret the invite and unsubscribe links of
	// campaigns' messages are signed with (LEADFLOW_INVITE_KEY, or the data
	// directory's key); a worker without it sends no campaigns.
	InviteKey []byte
	// Now is the clock rules see; time.Now when nil.
	Now func() time.Time
	// TimeZone is the zone of users who, and whose team, set none (the
	// digest's hour: LEADFLOW_TIME_ZONE); time.Local when nil.
	TimeZone *time.Location
	// Metrics counts the transitions, rule evaluations and e-mails; nil
	// counts nothing. (The SDK's own metrics go where the client's
	// MetricsHandler sends them.)
	Metrics *metrics.Lifecycle
	// NoDigestSchedule leaves the daily digest schedule out (tests that
	// do not want it).
	NoDigestSchedule bool
	// Tuning sets the pollers and the concurrency; zero fields take DefaultTuning.
	Tuning Tuning
	// Versioning makes the worker a version of a Worker Deployment
	// (docs/upgrading.md); the zero value is an unversioned worker.
	Versioning Versioning
	// BulkConcurrency is how many leads of a bulk action are acted on at
	// once (LEADFLOW_BULK_CONCURRENCY; service.DefaultBulkConcurrency when 0).
	BulkConcurrency int
	// BulkRate bounds the leads per second the bulk actions act on
	// (LEADFLOW_BULK_RATE); 0 for no bound but BulkConcurrency.
	BulkRate float64
	// Webhooks are the outbound webhooks' settings.
	Webhooks Webhooks
	// Channels send the messages to leads; the outbox for a channel
	// without a provider (channel.New from the environment).
	Channels channel.Set
}

// Webhooks are the settings of the outbound webhooks' deliveries.
type Webhooks struct {
	// Guard says which addresses deliveries may reach (LEADFLOW_WEBHOOK_ALLOW_HOSTS).
	Guard webhook.Guard
	// Retry is how deliveries are retried; zero fields take
	// workflows.DefaultWebhookRetry's.
	Retry workflows.WebhookRetry
	// PollEvery is how often new deliveries are looked for (default 500 ms).
	PollEvery time.Duration
	// ChatOutbox keeps the chat-app posts in the outbox instead of posting
	// them to the robots (LEADFLOW_CHAT=outbox); they go through Guard.
	ChatOutbox bool
}

// Start readies the namespace (the search attributes, the daily digest
// schedule) and starts a worker on workflows.TaskQueue with every workflow
// and activity registered. The caller stops it.
func Start(ctx context.Context, cfg Config) (sdkworker.Worker, error) {
	if err := EnsureSearchAttributes(ctx, cfg.Temporal, cfg.Namespace); err != nil {
		return nil, err
	}
	acts := activities.New(cfg.Store, cfg.Log)
	acts.Mail, acts.PublicURL, acts.Now, acts.Metrics, acts.TimeZone = cfg.Mail, cfg.PublicURL, cfg.Now, cfg.Metrics, cfg.TimeZone
	if !cfg.NoDigestSchedule {
		if err := EnsureDigestSchedule(ctx, cfg.Temporal); err != nil {
			return nil, err
		}
	}
	acts.Hooks.Guard, acts.ChatOutbox, acts.Channels = cfg.Webhooks.Guard, cfg.Webhooks.ChatOutbox, cfg.Channels
	retry := cfg.Webhooks.withDefaults()
	acts.Hooks.Timeout = retry.Timeout
	// Lead Ads leads are taken in through the API's intake, and bulk
	// actions act through the single actions. Campaigns' messages are
	// rendered as the API renders one message: with its public URL and
	// invite key.
	svc := service.New(cfg.Store, cfg.Temporal, cfg.Log, service.Config{TimeZone: cfg.TimeZone, PublicURL: cfg.PublicURL, InviteKey: cfg.InviteKey,
		BulkConcurrency: cfg.BulkConcurrency, BulkRate: cfg.BulkRate})
	acts.SourceIntake, acts.BulkRunner = svc.IntakeSourceRecord, svc.RunBulkBatch
	if len(cfg.InviteKey) > 0 {
		acts.Campaigns, acts.Sequences = svc, svc
	}
	v, err := cfg.Versioning.withDefaults()
	if err != nil {
		return nil, err
	}
	w := New(cfg.Temporal, acts, cfg.Tuning, v)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	if v.SetCurrent {
		prev, err := SetCurrentVersion(ctx, cfg.Temporal, v.Deployment, v.BuildID, time.Minute)
		if err != nil {
			w.Stop()
			return nil, err
		}
		acts.Log.Info("worker version set current", "deployment", v.Deployment, "build_id", v.BuildID, "previous_build_id", prev)
	}
	p := &pump{db: cfg.Store, tc: cfg.Temporal, log: acts.Log, retry: retry, every: cfg.Webhooks.PollEvery}
	if p.every <= 0 {
		p.every = 500 * time.Millisecond
	}
	pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); p.run(pctx) }()
	mailed := make(chan struct{})
	go func() { defer close(mailed); NewMailer(cfg.Store, acts, p.every).Run(pctx) }()
	acts.Log.Info("worker running", "task_queue", workflows.TaskQueue, "namespace", cfg.Namespace,
		"versioning", v.On, "deployment", v.Deployment, "build_id", v.BuildID)
	return &pumping{Worker: w, stop: func() { stop(); <-done; <-mailed }}, nil
}

// withDefaults is the retry policy with the defaults of its zero fields.
func (h Webhooks) withDefaults() workflows.WebhookRetry {
	r, d := h.Retry, workflows.DefaultWebhookRetry
	for _, f := range []struct{ v, def *time.Duration }{{&r.Initial, &d.Initial}, {&r.Max, &d.Max}, {&r.For, &d.For}, {&r.Timeout, &d.Timeout}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return r
}

// pumping is a worker with its webhook pump and its e-mail outbox's
// mailer: stopping it stops all three.
type pumping struct {
	sdkworker.Worker
	stop func()
}

// Stop stops the pump and the mailer, then the worker.
func (p *pumping) Stop() {
	p.stop()
	p.Worker.Stop()
}

// Run starts the worker as Start does and stops it when ctx ends.
func Run(ctx context.Context, cfg Config) error {
	w, err := Start(ctx, cfg)
	if err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop()
	return nil
}
