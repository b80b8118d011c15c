package worker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/leadflow/leadflow/activities"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/store"
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
	w := New(cfg.Temporal, acts, cfg.Tuning)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	acts.Log.Info("worker running", "task_queue", workflows.TaskQueue, "namespace", cfg.Namespace)
	return w, nil
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
