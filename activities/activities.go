// Package activities holds every side effect LeadWorkflow needs: the store
// writes, the loading of rule facts and the evaluation of rules, and (later)
// e-mails. The worker registers an *Activities; workflows call its methods
// by name (see the workflows package's Activity constants).
package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/store"
)

// Activities are the workflows' side effects over one store.
type Activities struct {
	Store *store.DB
	Log   *slog.Logger
	// Now is the clock rules see; time.Now when nil.
	Now func() time.Time

	mu         sync.Mutex
	validation map[int]*rules.Validation // compiled once per version
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

// Intake stores a new lead, validates it with the active validation rule
// set and puts it in the default pool, or rejects it with the reasons. It
// is idempotent: a retry returns the decision already recorded.
func (a *Activities) Intake(ctx context.Context, in lead.Lead) (lead.Lead, error) {
	l, err := a.Store.InsertReceived(ctx, in)
	if err != nil {
		return l, wrap(err)
	}
	if l.Status != lead.StatusReceived {
		return l, nil
	}
	set, err := a.Store.ActiveRuleSet(ctx, string(rules.KindValidation))
	if err != nil {
		return l, wrap(err)
	}
	v, err := a.compiledValidation(set)
	if err != nil {
		return l, wrap(err)
	}
	facts, err := a.loadFacts(ctx, l, v.Facts())
	if err != nil {
		return l, wrap(err)
	}
	out := v.Evaluate(rules.NewEnv(rules.NewLeadEnv(l), facts, a.now()))
	trace, err := json.Marshal(out.Trace)
	if err != nil {
		return l, err
	}
	ev := lead.Event{Type: lead.EventPooled, ActorID: l.CreatedBy, RuleKind: string(out.Kind), RuleVersion: out.Version, Trace: trace}
	d := store.Decision{Status: lead.StatusPooled, PoolID: lead.DefaultPoolID, Event: ev}
	if len(out.Errors) > 0 {
		d.Event.Data = map[string]any{"rule_errors": out.Errors}
		a.Log.Warn("validation rules failed at run time", "lead", l.ID, "version", out.Version, "errors", out.Errors)
	}
	if out.Rejected {
		d = store.Decision{Status: lead.StatusRejected, Reasons: out.Reasons, Event: ev}
		d.Event.Type = lead.EventRejected
		d.Event.Reason = joinReasons(out.Reasons)
	} else {
		d.Event.Data = mergeData(d.Event.Data, map[string]any{"pool_id": lead.DefaultPoolID})
	}
	l, err = a.Store.ApplyIntake(ctx, l.ID, d)
	return l, wrap(err)
}

// Claim assigns a pooled lead to a rep under the rep's capacity and daily limit.
func (a *Activities) Claim(ctx context.Context, c lead.Claim) (lead.Lead, error) {
	l, err := a.Store.Claim(ctx, c)
	return l, wrap(err)
}

// RecordFollowUp stores a follow-up record.
func (a *Activities) RecordFollowUp(ctx context.Context, n lead.NewFollowUp) (lead.FollowUp, error) {
	f, err := a.Store.AddFollowUp(ctx, n)
	return f, wrap(err)
}

// Convert turns an assigned lead into a customer.
func (a *Activities) Convert(ctx context.Context, c lead.Conversion) (lead.Converted, error) {
	cust, err := a.Store.Convert(ctx, c)
	if err != nil {
		return lead.Converted{}, wrap(err)
	}
	l, err := a.Store.Lead(ctx, c.LeadID)
	return lead.Converted{Lead: l, Customer: cust}, wrap(err)
}

// compiledValidation compiles a validation rule set once per version.
func (a *Activities) compiledValidation(set lead.RuleSet) (*rules.Validation, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.validation[set.Version]; ok {
		return v, nil
	}
	v, err := rules.CompileValidation(set.Version, set.Body)
	if err != nil {
		return nil, fmt.Errorf("active validation rules v%d do not compile: %w", set.Version, err)
	}
	if a.validation == nil {
		a.validation = map[int]*rules.Validation{}
	}
	a.validation[set.Version] = v
	return v, nil
}

// loadFacts loads, in one batch per fact kind, what the compiled rules need.
func (a *Activities) loadFacts(ctx context.Context, l lead.Lead, needs []rules.FactNeed) (rules.Facts, error) {
	windows := map[string]time.Duration{}
	for _, n := range needs {
		if n.Name == "ipCompanies" {
			windows[n.Window] = n.Span
		}
	}
	var f rules.Facts
	if len(windows) == 0 {
		return f, nil
	}
	counts, err := a.Store.IPCompanies(ctx, l.ID, l.IP, l.Company, windows)
	f.IPCompanies = counts
	return f, err
}

// wrap turns a domain error into a non-retryable application error whose
// type is the error code and whose detail is the error, so the workflow and
// the API's caller see the reasons; other errors are retried.
func wrap(err error) error {
	var e *lead.Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	return temporal.NewNonRetryableApplicationError(e.Message, string(e.Code), nil, e)
}

func joinReasons(r []string) string { return strings.Join(r, "; ") }

func mergeData(a, b map[string]any) map[string]any {
	if a == nil {
		return b
	}
	for k, v := range b {
		a[k] = v
	}
	return a
}
