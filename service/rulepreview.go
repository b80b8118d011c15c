package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/store"
)

// Preview limits.
const (
	DefaultPreviewLeads = 1000
	maxPreviewLeads     = 10000
	previewExamples     = 20
	// DefaultPreviewLeads is how many leads a preview judges when not told.
	// DefaultPreviewBudget bounds the time (and so the CPU) of one whole
	// preview; Config.PreviewBudget overrides it.
	DefaultPreviewBudget = 10 * time.Second
)

// PreviewInput is a preview: the draft, and how many recent leads to judge.
type PreviewInput struct {
	Rules json.RawMessage `json:"rules"`
	Limit int             `json:"limit"`
}

// PreviewExample is one lead whose outcome the draft would change.
type PreviewExample struct {
	LeadID    string    `json:"lead_id"`
	Company   string    `json:"company"`
	CreatedAt time.Time `json:"created_at"`
	Before    any       `json:"before"`
	After     any       `json:"after"`
}

// PreviewResult says what a draft would have decided on recent leads,
// compared with the active version on the same leads and facts.
type PreviewResult struct {
	Kind          rules.Kind       `json:"kind"`
	ActiveVersion int              `json:"active_version"`
	Sample        int              `json:"sample"`
	Changed       int              `json:"changed"`
	Examples      []PreviewExample `json:"examples"`
	// validation: how many of the sample each version rejects
	RejectedBefore int `json:"rejected_before,omitempty"`
	RejectedAfter  int `json:"rejected_after,omitempty"`
	// Errors counts leads on which the draft failed at run time.
	Errors       int      `json:"errors"`
	ErrorSamples []string `json:"error_samples,omitempty"`
	// Partial: the preview stopped before judging every lead it read (its
	// time budget ran out, or the request was cancelled); PartialReason
	// says why and after how many. The figures are of the leads judged.
	Partial       bool   `json:"partial,omitempty"`
	PartialReason string `json:"partial_reason,omitempty"`
}

// previewGate lets each user run one preview at a time in this process.
type previewGate struct {
	mu      sync.Mutex
	running map[string]bool
}

// enter marks a preview of user id running; false when one already is.
func (g *previewGate) enter(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running == nil {
		g.running = map[string]bool{}
	}
	if g.running[id] {
		return false
	}
	g.running[id] = true
	return true
}

func (g *previewGate) leave(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.running, id)
}

// PreviewRules judges the in.Limit most recent leads that me may read
// (the lead list's view), each as me sees it (lead.Redact), by in's draft
// and by the active version of k. The whole preview has one time budget
// (Config.PreviewBudget) and stops early when ctx ends; either way it
// answers what it judged, marked Partial. A user runs one preview at a
// time: a second one meanwhile is refused (429). each, when not nil, sees
// every lead judged, in order, with whether the draft changes its outcome.
func (s *Service) PreviewRules(ctx context.Context, me lead.User, k rules.Kind, in PreviewInput, each func(e PreviewExample, changed bool)) (PreviewResult, error) {
	if err := Allowed(me, GateRulesRead); err != nil {
		return PreviewResult{}, err
	}
	if len(bytes.TrimSpace(in.Rules)) == 0 {
		return PreviewResult{}, lead.Invalid(lead.FieldError{Field: "rules", Reason: "the draft rule set to preview is required"})
	}
	if in.Limit == 0 {
		in.Limit = DefaultPreviewLeads
	}
	if in.Limit < 1 || in.Limit > maxPreviewLeads {
		return PreviewResult{}, lead.Invalid(lead.FieldError{Field: "limit", Reason: fmt.Sprintf("must be from 1 to %d", maxPreviewLeads)})
	}
	if !s.previews.enter(me.ID) {
		return PreviewResult{}, lead.Errorf(lead.CodeRateLimited, "a preview of yours is still running: wait for its answer, then retry")
	}
	defer s.previews.leave(me.ID)
	budget := s.cfg.PreviewBudget
	deadline := time.Now().Add(budget)
	draft, err := s.checkRules(ctx, k, in.Rules)
	if err != nil {
		return PreviewResult{}, err
	}
	active, version, err := s.draftOrActive(ctx, k, nil)
	if err != nil {
		return PreviewResult{}, err
	}
	leads, err := s.db.RecentLeads(ctx, store.ViewerOf(me), in.Limit)
	if err != nil {
		return PreviewResult{}, err
	}
	ids := make([]string, len(leads))
	for i, l := range leads {
		ids[i] = l.ID
	}
	counts, err := s.db.IPCompanies(ctx, ids, rules.Windows(append(draft.Facts(), active.Facts()...)))
	if err != nil {
		return PreviewResult{}, err
	}
	res := PreviewResult{Kind: k, ActiveVersion: version, Examples: []PreviewExample{}}
	stop := func(why string) {
		res.Partial = true
		res.PartialReason = fmt.Sprintf("%s after %d of %d leads: the figures are of those", why, res.Sample, len(leads))
	}
	for _, l := range leads {
		if ctx.Err() != nil {
			stop("the request was cancelled")
			break
		}
		// Judge each lead as me sees it, as of its registration, with the facts of that moment.
		l = lead.Redact(me, l)
		env := rules.NewEnv(rules.NewLeadEnv(l), rules.Facts{IPCompanies: counts[l.ID]}, l.CreatedAt)
		before := active.EvaluateWithin(env, min(rules.DefaultTimeBudget, time.Until(deadline)))
		after := draft.EvaluateWithin(env, min(rules.DefaultTimeBudget, time.Until(deadline)))
		if time.Now().After(deadline) {
			stop(fmt.Sprintf("the preview's time budget (%s) ran out", budget))
			break
		}
		res.Sample++
		if len(after.Errors) > 0 {
			res.Errors++
			if len(res.ErrorSamples) < previewExamples {
				res.ErrorSamples = append(res.ErrorSamples, l.ID+": "+after.Errors[0])
			}
		}
		if before.Rejected {
			res.RejectedBefore++
		}
		if after.Rejected {
			res.RejectedAfter++
		}
		b, a := Decided(before), Decided(after)
		e := PreviewExample{LeadID: l.ID, Company: l.Company, CreatedAt: l.CreatedAt, Before: b, After: a}
		changed := !reflect.DeepEqual(b, a)
		if each != nil {
			each(e, changed)
		}
		if !changed {
			continue
		}
		res.Changed++
		if len(res.Examples) < previewExamples {
			res.Examples = append(res.Examples, e)
		}
	}
	return res, nil
}
