package service

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// This file runs a batch of a bulk action (the BulkBatch activity calls
// RunBulkBatch): each lead goes through the single action's service
// method for the job's creator, as they are now, with the idempotency key
// job × lead, so a batch run again after a crash repeats nothing.

// DefaultBulkConcurrency is how many leads of a bulk action are acted on
// at once by default.
const DefaultBulkConcurrency = 8

// The reasons a lead of a bulk action is refused (refused_by_reason).
const (
	RefusedAccess     = "access"      // the creator may not see the lead or do the action on it
	RefusedCapacity   = "capacity"    // the rep holds as many leads as they may (or as many of the pool's as its max_held_per_rep)
	RefusedDailyLimit = "daily_limit" // the rep's daily claim limit is reached
	RefusedCooldown   = "cooldown"    // the lead was reclaimed from or returned by the rep lately
	RefusedStatus     = "status"      // the lead's status does not allow the action
	RefusedClaimRule  = "claim_rule"  // the pool's claim rule is not met
	RefusedInactive   = "inactive"    // the rep is not active
	RefusedInvalid    = "invalid"     // the action's input does not fit the lead
	RefusedOther      = "other"       // another refusal (see its detail)
)

// refusalPrefixes classify a conflict by its first reason's start.
var refusalPrefixes = []struct{ prefix, reason string }{
	{"capacity reached", RefusedCapacity}, {"pool limit reached", RefusedCapacity}, {"daily claim limit", RefusedDailyLimit}, {"cooldown", RefusedCooldown},
	{"wrong status", RefusedStatus}, {"claim rule", RefusedClaimRule}, {"the pool's claim rule", RefusedClaimRule},
	{"the rep is not active", RefusedInactive},
}

// bulkOutcome is the outcome of one lead's action: err nil is success, a
// domain refusal is refused with its reason; transient is a failure to
// retry later (Temporal or the database unavailable).
func bulkOutcome(err error) (it store.BulkItem, transient bool) {
	if err == nil {
		return store.BulkItem{Outcome: store.BulkSucceeded}, false
	}
	var e *lead.Error
	if !errors.As(err, &e) {
		return store.BulkItem{Outcome: store.BulkItemFail, Detail: err.Error()}, false
	}
	it = store.BulkItem{Outcome: store.BulkRefused, Detail: e.Error()}
	switch e.Code {
	case lead.CodeNotFound, lead.CodeForbidden:
		it.Reason = RefusedAccess
	case lead.CodeInvalid:
		it.Reason = RefusedInvalid
	case lead.CodeConflict:
		it.Reason = RefusedOther
		if strings.HasPrefix(e.Message, "the lead's lifecycle has ended") {
			it.Reason = RefusedStatus
		}
		if len(e.Reasons) > 0 {
			for _, p := range refusalPrefixes {
				if strings.HasPrefix(e.Reasons[0], p.prefix) {
					it.Reason = p.reason
					break
				}
			}
		}
	case lead.CodeUnavailable, lead.CodeRateLimited:
		return it, true
	default:
		it = store.BulkItem{Outcome: store.BulkItemFail, Detail: e.Error()}
	}
	return it, false
}

// bulkAct does a bulk action's single action on one lead for me with key.
type bulkAct struct {
	update string // the lead workflow's update it sends ("" for none: enroll)
	do     func(ctx context.Context, me lead.User, id, key string) error
}

// claim is the claim's input of a bulk claim's params.
func (p bulkParams) claim() (ClaimInput, error) {
	in := ClaimInput{Reason: p.Reason}
	if p.ExpectedAt != nil && *p.ExpectedAt != "" {
		t, err := time.Parse(time.RFC3339, *p.ExpectedAt)
		if err != nil {
			return in, lead.Invalid(lead.FieldError{Field: "params.expected_follow_up_at", Reason: "must be an RFC 3339 time"})
		}
		in.ExpectedAt = &t
	}
	return in, nil
}

// actOf is the single action of bulk action b.
func (s *Service) actOf(b store.BulkAction) (bulkAct, error) {
	var p bulkParams
	if err := json.Unmarshal(b.Params, &p); err != nil {
		return bulkAct{}, err
	}
	if m, ok := moveOf(b.Action); ok {
		in := MoveInput{RepID: p.RepID, PoolID: p.PoolID, Reason: p.Reason}
		return bulkAct{m.Update, func(ctx context.Context, me lead.User, id, key string) error {
			_, err := s.DoMove(ctx, me, id, key, m, in)
			return err
		}}, nil
	}
	edit := func(change func(l lead.Lead) lead.EditFields) bulkAct {
		return bulkAct{workflows.UpdateEdit, func(ctx context.Context, me lead.User, id, key string) error {
			l, err := s.LeadFor(ctx, me, id, lead.ActEdit)
			if err != nil {
				return err
			}
			_, err = s.Edit(ctx, me, id, key, change(l))
			return err
		}}
	}
	switch b.Action {
	case "claim":
		in, err := p.claim()
		return bulkAct{workflows.UpdateClaim, func(ctx context.Context, me lead.User, id, key string) error {
			_, err := s.Claim(ctx, me, id, key, in)
			return err
		}}, err
	case "add_tags":
		return edit(func(l lead.Lead) lead.EditFields {
			tags := cleanTags(append(append([]string{}, l.Tags...), p.Tags...))
			return lead.EditFields{Tags: &tags}
		}), nil
	case "remove_tags":
		return edit(func(l lead.Lead) lead.EditFields {
			tags := []string{}
			for _, t := range l.Tags {
				if !containsFold(p.Tags, t) {
					tags = append(tags, t)
				}
			}
			return lead.EditFields{Tags: &tags}
		}), nil
	case "set_stage":
		return edit(func(lead.Lead) lead.EditFields { return lead.EditFields{Stage: &p.Stage} }), nil
	case "enroll":
		// No lead update: a retry enrols again under the same key, which answers the enrolment made.
		return bulkAct{"", func(ctx context.Context, me lead.User, id, key string) error {
			_, err := s.enrolAs(ctx, me, id, key, p.SequenceID, lead.EnrolByBulk)
			return err
		}}, nil
	}
	return bulkAct{}, lead.Errorf(lead.CodeInvalid, "%s is not a bulk action that acts lead by lead", b.Action)
}

// containsFold reports whether list holds t, case aside.
func containsFold(list []string, t string) bool {
	for _, v := range list {
		if strings.EqualFold(v, t) {
			return true
		}
	}
	return false
}

// BulkKey is the idempotency key of bulk action bulkID's action on lead leadID.
func BulkKey(bulkID, leadID string) string { return "bulk:" + bulkID + ":" + leadID }

// RunBulkBatch acts on the leads of bulk action in.BulkID at positions
// [in.From, in.To) not acted on yet, DefaultBulkConcurrency (the config's
// BulkConcurrency) at a time and at most BulkRate a second, each through the single action for the job's
// creator and recorded once. retry says an earlier attempt may have acted
// on some before it could record them: those are answered from their
// update's outcome first. A cancelled job stops before its next lead. A
// failure to retry later (Temporal down) is returned once the other
// leads are recorded; beat reports how many were recorded.
func (s *Service) RunBulkBatch(ctx context.Context, in workflows.BulkBatchInput, retry bool, beat func(int)) (workflows.BulkBatchResult, error) {
	var res workflows.BulkBatchResult
	job, err := s.db.BulkAction(ctx, in.BulkID)
	if err != nil {
		return res, err
	}
	if job.Status != store.BulkRunning {
		res.Cancelled = true
		return res, nil
	}
	me, err := s.db.User(ctx, job.CreatedBy)
	if err != nil {
		return res, err
	}
	act, err := s.actOf(job)
	if err != nil {
		return res, err
	}
	items, err := s.db.BulkItems(ctx, in.BulkID, in.From, in.To)
	if err != nil {
		return res, err
	}
	var (
		mu        sync.Mutex
		transient error
		next      int
		wg        sync.WaitGroup
	)
	// take hands out the next item, none once the job is cancelled or a
	// transient failure was met.
	take := func() (store.BulkItem, bool) {
		mu.Lock()
		defer mu.Unlock()
		if next >= len(items) || transient != nil || res.Cancelled {
			return store.BulkItem{}, false
		}
		if next > 0 && next%25 == 0 {
			if st, err := s.db.BulkStatus(ctx, in.BulkID); err == nil && st != store.BulkRunning {
				res.Cancelled = true
				return store.BulkItem{}, false
			}
		}
		next++
		return items[next-1], true
	}
	for range min(s.cfg.BulkConcurrency, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it, ok := take(); ok; it, ok = take() {
				var bad error
				out := store.BulkItem{}
				if s.bulkPace != nil {
					bad = s.bulkPace.Wait(ctx)
				}
				if bad == nil {
					out, bad = s.bulkOne(ctx, me, job.ID, it.LeadID, act, retry)
				}
				if err := ctx.Err(); err != nil {
					bad = err
				}
				if bad == nil {
					out.Pos = it.Pos
					bad = s.db.RecordBulkItem(ctx, job.ID, out)
				}
				mu.Lock()
				if bad != nil && transient == nil {
					transient = bad
				} else if bad == nil {
					res.Processed++
					beat(res.Processed)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return res, transient
}

// bulkOne acts on one lead: its outcome, or an error to retry later.
func (s *Service) bulkOne(ctx context.Context, me lead.User, bulkID, leadID string, act bulkAct, retry bool) (store.BulkItem, error) {
	key := BulkKey(bulkID, leadID)
	var err error
	done := false
	if retry && act.update != "" {
		done, err = s.updateOutcome(ctx, me, key, leadID, act.update)
	}
	if !done {
		if !me.Active {
			err = lead.Errorf(lead.CodeForbidden, "the user who started the bulk action is no longer active")
		} else {
			err = act.do(ctx, me, leadID, key)
		}
	}
	out, transient := bulkOutcome(err)
	if transient {
		return out, err
	}
	return out, nil
}

// updateOutcome asks the lead's workflow for the outcome of me's update
// name with key, sent before: done is false when it has none (never
// sent, or refused by its validator, which records nothing).
func (s *Service) updateOutcome(ctx context.Context, me lead.User, key, leadID, name string) (done bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	h := s.tc.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{
		WorkflowID: workflows.WorkflowID(leadID), UpdateID: updateID(me, key, name)})
	err = h.Get(ctx, nil)
	var nf *serviceerror.NotFound
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &nf):
		return false, nil
	case workflows.DomainError(err) != nil:
		return true, workflows.DomainError(err)
	}
	return false, nil
}
