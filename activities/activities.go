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
	"slices"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/store"
)

// Activities are the workflows' side effects over one store.
type Activities struct {
	Store *store.DB
	Log   *slog.Logger
	// Now is the clock rules see; time.Now when nil.
	Now func() time.Time
	// Mail sends the notification e-mails (see email.go); the outbox when nil.
	Mail notify.Sender
	// PublicURL is the base of the links in e-mails; DefaultPublicURL when empty.
	PublicURL string

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

// Intake stores a new lead, validates it with the active validation rule
// set, scores it, and routes it to a pool; or rejects it with the reasons.
// Each decision is recorded with its rule set's version and trace. Rules
// that fail at run time decide nothing and flag the lead for review. It is
// idempotent: a retry returns the decision already recorded.
func (a *Activities) Intake(ctx context.Context, in lead.Lead) (lead.Lead, error) {
	l, err := a.Store.InsertReceived(ctx, in)
	if err != nil {
		return l, wrap(err)
	}
	if l.Status != lead.StatusReceived {
		return l, nil
	}
	sets, err := a.activeSets(ctx, rules.KindValidation, rules.KindScoring, rules.KindRouting)
	if err != nil {
		return l, wrap(err)
	}
	validation, scoring, routing := sets[0], sets[1], sets[2]
	var needs []rules.FactNeed
	for _, s := range sets {
		needs = append(needs, s.Facts()...)
	}
	counts, err := a.Store.IPCompanies(ctx, []string{l.ID}, rules.Windows(needs))
	if err != nil {
		return l, wrap(err)
	}
	env := rules.NewEnv(rules.NewLeadEnv(l), rules.Facts{IPCompanies: counts[l.ID]}, a.now())

	val := validation.Evaluate(env)
	if val.Rejected {
		d := store.Decision{Status: lead.StatusRejected, Reasons: val.Reasons, Review: val.Errors,
			Events: []lead.Event{decisionEvent(lead.EventRejected, l, val, nil)}}
		d.Events[0].Reason = strings.Join(val.Reasons, "; ")
		l, err = a.Store.ApplyIntake(ctx, l.ID, d)
		l.FieldErrors = val.Fields
		return l, wrap(err)
	}
	opts := lead.IntakeOptions{}
	if in.Intake != nil {
		opts = *in.Intake
	}
	policy := opts.DuplicatePolicy
	switch {
	case l.Source == lead.SourceWeb || l.Source == lead.SourceInvite:
		// Public channels always merge: a customer cannot choose a policy.
		policy = lead.DuplicateMerge
	case policy == "":
		if policy, err = a.Store.DuplicatePolicy(ctx, l.Source); err != nil {
			return l, wrap(err)
		}
	}
	score := scoring.Evaluate(env)
	route := routing.Evaluate(env)
	poolID := route.PoolID
	if route.ToInviter || poolID == "" {
		// The inviter is tried first in any case (ApplyIntake); their pool
		// is the routing set's default pool.
		poolID = routing.Body().DefaultPoolID
	}
	if opts.PoolID != "" {
		poolID = opts.PoolID // an import's target pool
	}
	review := append(append(append([]string{}, val.Errors...), score.Errors...), route.Errors...)
	if len(review) > 0 {
		a.Log.Warn("rules failed at run time; lead flagged for review", "lead", l.ID, "errors", review)
	}
	d := store.Decision{Status: lead.StatusPooled, PoolID: poolID, Score: score.Score, Review: review, Events: []lead.Event{
		decisionEvent(lead.EventValidated, l, val, nil),
		decisionEvent(lead.EventScored, l, score, map[string]any{"score": score.Score}),
		decisionEvent(lead.EventPooled, l, route, map[string]any{"pool_id": poolID, "rule": route.Rule}),
	}, DuplicatePolicy: policy, InviterID: opts.InviterID}
	if l, err = a.Store.ApplyIntake(ctx, l.ID, d); err != nil {
		return l, wrap(err)
	}
	return a.Distribute(ctx, lead.Move{LeadID: l.ID, RequestID: l.ID + "/intake/distribute"})
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

// RecordFollowUp stores a follow-up record.
func (a *Activities) RecordFollowUp(ctx context.Context, n lead.NewFollowUp) (lead.FollowUp, error) {
	f, err := a.Store.AddFollowUp(ctx, n)
	return f, wrap(err)
}

// Convert turns an assigned lead into a customer.
func (a *Activities) Convert(ctx context.Context, c lead.Conversion) (lead.Converted, error) {
	l, err := a.Store.Lead(ctx, c.LeadID)
	if err != nil {
		return lead.Converted{}, wrap(err)
	}
	if l.Status == lead.StatusAssigned {
		if c.Customer, c.Order, err = a.conversion(ctx, l); err != nil {
			return lead.Converted{}, wrap(err)
		}
	}
	cust, err := a.Store.Convert(ctx, c)
	if err != nil {
		return lead.Converted{}, wrap(err)
	}
	l, err = a.Store.Lead(ctx, c.LeadID)
	return lead.Converted{Lead: l, Customer: cust}, wrap(err)
}

// compiledSet compiles a stored rule set once per kind and version.
func (a *Activities) compiledSet(set lead.RuleSet) (*rules.Set, error) {
	key := fmt.Sprintf("%s/%d", set.Kind, set.Version)
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.compiled[key]; ok {
		return v, nil
	}
	v, err := rules.Compile(rules.Kind(set.Kind), set.Version, set.Body)
	if err != nil {
		return nil, fmt.Errorf("active %s rules v%d do not compile: %w", set.Kind, set.Version, err)
	}
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
	return temporal.NewNonRetryableApplicationError(e.Message, string(e.Code), nil, e)
}
