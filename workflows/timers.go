package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// deadlines are the lead's timers (lead.Deadlines), each run by an activity.
func deadlines(l lead.Lead) []lead.Deadline { return lead.Deadlines(l) }

// activityOf is the activity that handles a passed deadline.
var activityOf = map[lead.DeadlineKind]string{
	lead.DeadlineNotice:      ActivityRecordNotice,
	lead.DeadlineReclaim:     ActivityReclaim,
	lead.DeadlineOfferExpiry: ActivityDecline,
	lead.DeadlineDistribute:  ActivityDistribute,
}

// next is the earliest deadline not yet handled in this run.
func (s *leadState) next() (lead.Deadline, bool) {
	var best lead.Deadline
	found := false
	for _, d := range deadlines(s.lead) {
		if s.fired[d.Key] {
			continue
		}
		if !found || d.Due.Before(best.Due) {
			best, found = d, true
		}
	}
	return best, found
}

// runTimers waits for the next deadline, or for a change of the lead or its
// policy (which re-arms the timers), and handles a deadline that passes.
func (s *leadState) runTimers(ctx workflow.Context) error {
	s.dirty = false
	changed := func() bool { return s.dirty || s.lead.Status.Terminal() }
	d, ok := s.next()
	if !ok {
		return workflow.Await(ctx, changed)
	}
	if wait := d.Due.Sub(workflow.Now(ctx)); wait > 0 {
		woken, err := workflow.AwaitWithTimeout(ctx, wait, changed)
		if err != nil || woken {
			return err
		}
	}
	return s.fire(ctx, d)
}

// fire handles a passed deadline. Its request id makes the activity
// idempotent, also across continue-as-new.
func (s *leadState) fire(ctx workflow.Context, d lead.Deadline) error {
	if err := s.mu.Lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.fired[d.Key] = true
	// An update may have changed the lead while the timer fired.
	if !s.stillDue(d) {
		return nil
	}
	id := workflow.GetInfo(ctx).WorkflowExecution.ID + "/" + d.Key
	switch d.Kind {
	case lead.DeadlineNotice:
		var fresh bool
		err := s.local(ctx, ActivityRecordNotice, lead.Notice{LeadID: s.lead.ID, RequestID: id, Type: d.Notice, Reason: d.Reason, Due: d.Due}, &fresh)
		if err == nil && d.Email != "" {
			// Keyed by the deadline: a notice fired again (after continue-as-new) e-mails once.
			s.email(ctx, lead.Email{Key: id + "/" + d.Email, Kind: d.Email, RepID: s.lead.OwnerID, PoolID: s.lead.PoolID, Reason: d.Reason})
		}
		return ignoreRefusal(err)
	default:
		var r lead.Moved
		m := lead.Move{LeadID: s.lead.ID, RequestID: id, Reason: d.Reason}
		err := s.local(ctx, activityOf[d.Kind], m, &r)
		if err == nil {
			s.moved(ctx, activityOf[d.Kind], r, m)
		}
		return ignoreRefusal(err)
	}
}

// stillDue reports whether d is still one of the lead's deadlines.
func (s *leadState) stillDue(d lead.Deadline) bool {
	for _, c := range deadlines(s.lead) {
		if c.Key == d.Key {
			return true
		}
	}
	return false
}

// ignoreRefusal drops a domain refusal (the lead moved on meanwhile): a
// timer that finds nothing to do is not a workflow failure.
func ignoreRefusal(err error) error {
	if err != nil && DomainError(err) != nil {
		return nil
	}
	return err
}
