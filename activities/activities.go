// Package activities holds every side effect the workflows need: the store
// writes, the loading of rule facts and the evaluation of rules, e-mails,
// and the batches of imports and exports. The worker registers an
// *Activities and a *Bulk; workflows call their methods by name (see the
// workflows package's Activity constants).
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/leadflow/leadflow/channel"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// Activities are the workflows' side effects over one store.
type Activities struct {
	Store *store.DB
	Log   *slog.Logger
	// Now is the clock rules see; time.Now when nil.
	Now func() time.Time
	// Mail sends the notification e-mails (see email.go); the outbox when nil.
	Mail notify.Sender
	// PublicURL is the base of the links in e-mails; lead.DefaultPublicURL when empty.
	PublicURL string
	// Metrics counts rule evaluations and e-mails; nil counts nothing.
	Metrics *metrics.Lifecycle
	// TimeZone is the zone of users who, and whose team, set none (the
	// digest's hour); time.Local when nil.
	TimeZone *time.Location
	// ChatOutbox keeps the chat-app posts in the outbox (LEADFLOW_CHAT=outbox)
	// instead of posting them to the robots (chat.go).
	ChatOutbox bool
	// Hooks are the webhook deliveries' guard and timeout (webhooks.go);
	// the chat posts go through the same guard.
	Hooks Hooks
	// SourceIntake takes in a record an inbound source delivered (a Lead
	// Ads lead's field data) through the API's intake: the worker sets it
	// to a service's IntakeSourceRecord (facebook.go).
	SourceIntake func(context.Context, workflows.SourceRecordInput) (string, error)
	// BulkRunner acts on a batch of a bulk action's leads through the
	// service's single actions: the worker sets it to a service's RunBulkBatch.
	BulkRunner BulkRunner
	// Channels send the messages to leads (messages.go); the outbox for
	// a channel without a provider.
	Channels channel.Set
	// Campaigns fix a campaign's audience and queue its batches
	// (campaigns.go); the worker sets it to a service.
	Campaigns CampaignService
	// Sequences run the sequences' steps (sequences.go); the worker sets
	// it to a service.
	Sequences SequenceService

	mu       sync.Mutex
	compiled map[string]*rules.Set // compiled once per kind and version
}

// New returns the activities over db.
func New(db *store.DB, log *slog.Logger) *Activities {
	if log == nil {
		log = slog.Default()
	}
	return &Activities{Store: db, Log: log}
}

func (a *Activities) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// decisionEvent records a rule decision with its kind, version and trace.
func decisionEvent(t lead.EventType, l lead.Lead, out rules.Outcome, data map[string]any) lead.Event {
	trace, _ := json.Marshal(out.Trace) // a trace is plain data and always marshals
	if len(out.Errors) > 0 {
		if data == nil {
			data = map[string]any{}
		}
		data["rule_errors"] = out.Errors
	}
	return lead.Event{Type: t, ActorID: l.CreatedBy, RuleKind: string(out.Kind), RuleVersion: out.Version, Trace: trace, Data: data}
}

// activeSets returns the compiled active rule set of each kind, in order,
// reading the active versions in one query.
func (a *Activities) activeSets(ctx context.Context, kinds ...rules.Kind) ([]*rules.Set, error) {
	stored, err := a.Store.ActiveRuleSets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*rules.Set, len(kinds))
	for i, k := range kinds {
		j := slices.IndexFunc(stored, func(s lead.RuleSet) bool { return s.Kind == string(k) })
		if j < 0 {
			return nil, fmt.Errorf("no active %s rule set", k)
		}
		if out[i], err = a.compiledSet(stored[j]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// compiledSet compiles a stored rule set once per kind and version.
func (a *Activities) compiledSet(set lead.RuleSet) (*rules.Set, error) {
	key := fmt.Sprintf("%s/%d", set.Kind, set.Version)
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.compiled[key]; ok {
		return v, nil
	}
	kind, _, _ := strings.Cut(set.Kind, "@") // a team's own registration rules are of kind registration
	v, err := rules.Compile(rules.Kind(kind), set.Version, set.Body)
	if err != nil {
		return nil, fmt.Errorf("active %s rules v%d do not compile: %w", set.Kind, set.Version, err)
	}
	v.Observe(func(k rules.Kind, took time.Duration, failed bool) { a.Metrics.RuleEvaluated(string(k), took, failed) })
	if a.compiled == nil {
		a.compiled = map[string]*rules.Set{}
	}
	a.compiled[key] = v
	return v, nil
}

// wrap turns a domain error into a non-retryable application error whose
// type is the error code and whose detail is the error, so the workflow and
// the API's caller see the reasons; other errors are retried.
func wrap(err error) error {
	var e *lead.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	return workflows.Refusal(e)
}
