package worker

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/leadflow/leadflow/activities"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// Mailer sends the e-mails of the outbox: those a lead's transition queued
// in its own transaction (lead.Outbox; a timer's reclaim queues the former
// owner's). Each is sent by the Email activity's code (activities.Email),
// so it goes out once per key and recipient as the activity's would, and
// retried by the activity's policy (workflows.EmailRetryAfter). A mailer
// leases what it sends (store.LeaseOutbox): one killed mid-send leaves the
// e-mail to another, or to itself restarted, once the lease runs out;
// every worker runs one.
type Mailer struct {
	db    *store.DB
	email func(context.Context, lead.Email) error
	log   *slog.Logger
	every time.Duration
}

// mailerBatch is how many e-mails one round leases, and mailerConcurrency
// how many it sends at once.
const (
	mailerBatch       = 50
	mailerConcurrency = 4
)

// NewMailer is the mailer of a worker's activities, which looks for due
// e-mails every every.
func NewMailer(db *store.DB, acts *activities.Activities, every time.Duration) *Mailer {
	return &Mailer{db: db, email: acts.Email, log: acts.Log, every: every}
}

// Run sends until ctx ends: a full round is followed by another at once,
// else the next waits for the tick.
func (m *Mailer) Run(ctx context.Context) {
	ticking(ctx, m.every, func(ctx context.Context) bool {
		n, err := m.SendDue(ctx)
		if err != nil && ctx.Err() == nil {
			m.log.Warn("e-mail outbox", "err", err)
		}
		return n == mailerBatch && err == nil
	})
}

// SendDue sends one batch of due e-mails and returns its size.
func (m *Mailer) SendDue(ctx context.Context) (int, error) {
	due, err := m.db.LeaseOutbox(ctx, mailerBatch, activities.EmailLease)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	var mu sync.Mutex
	var sent []string
	// One e-mail's failure to be recorded does not cut the others short.
	var g errgroup.Group
	g.SetLimit(mailerConcurrency)
	for _, o := range due {
		g.Go(func() error {
			err := m.email(ctx, o.Email)
			if err == nil {
				mu.Lock()
				sent = append(sent, o.Email.Key)
				mu.Unlock()
				return nil
			}
			// Recorded even when ctx is ending: the attempt is over.
			wctx := context.WithoutCancel(ctx)
			wait, again := workflows.EmailRetryAfter(err, o.Attempts, time.Since(o.Queued))
			if !again {
				m.log.Warn("e-mail given up", "kind", o.Email.Kind, "key", o.Email.Key, "attempts", o.Attempts, "err", err)
				return m.db.OutboxFailed(wctx, o.Email.Key, err.Error())
			}
			return m.db.OutboxRetry(wctx, o.Email.Key, time.Now().Add(wait), err.Error())
		})
	}
	err = g.Wait()
	if len(sent) > 0 {
		err = errors.Join(err, m.db.OutboxSent(context.WithoutCancel(ctx), sent))
	}
	return len(due), err
}
