package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// deadline is one timer of a lead's pool policy.
type deadline struct {
	key    string    // unique per deadline and anchor: "nfu-reclaim/<time>"
	due    time.Time // when it fires
	action string    // ActivityRecordNotice, ActivityReclaim or ActivityDecline
	notice lead.EventType
	email  string // the e-mail kind of a notice
	reason string
}

// deadlines lists the timers that apply to the lead now, from its pool's
// policy and its timestamps. Anchors: an offer runs from offered_at; the
// first-contact SLA and the no-conversion timer from assigned_at; the
// no-follow-up timer from the later of assigned_at and the last follow-up,
// so each follow-up resets it.
func deadlines(l lead.Lead) []deadline {
	p := l.Policy
	if p == nil {
		return nil
	}
	var out []deadline
	at := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	switch l.Status {
	case lead.StatusOffered:
		if p.AcceptTimeout > 0 && l.OfferedAt != nil {
			out = append(out, deadline{key: "offer-expired/" + at(*l.OfferedAt), due: l.OfferedAt.Add(time.Duration(p.AcceptTimeout)),
				action: ActivityDecline, reason: fmt.Sprintf("not accepted within %s", p.AcceptTimeout)})
		}
	case lead.StatusAssigned:
		if l.AssignedAt == nil {
			return nil
		}
		assigned := *l.AssignedAt
		followed := assigned
		contacted := l.LastFollowUpAt != nil && !l.LastFollowUpAt.Before(assigned)
		if contacted {
			followed = *l.LastFollowUpAt
		}
		if sla := time.Duration(p.FirstContactSLA); sla > 0 && !contacted {
			out = append(out,
				deadline{key: "sla-remind/" + at(assigned), due: assigned.Add(sla), action: ActivityRecordNotice, notice: lead.EventReminded, email: lead.EmailSLAReminder,
					reason: fmt.Sprintf("first contact is overdue: no follow-up within %s", p.FirstContactSLA)},
				deadline{key: "sla-escalate/" + at(assigned), due: assigned.Add(2 * sla), action: ActivityRecordNotice, notice: lead.EventEscalated, email: lead.EmailSLAEscalation,
					reason: fmt.Sprintf("still no first contact %s after the reminder; the pool admins are told", p.FirstContactSLA)})
		}
		if e := l.ExpectedFollowUpAt; e != nil && !contacted {
			out = append(out, deadline{key: "expected-remind/" + at(*e), due: *e, action: ActivityRecordNotice, notice: lead.EventReminded,
				email: lead.EmailFollowUpDue, reason: "the follow-up planned at claim is due"})
		}
		remind := time.Duration(p.RemindBefore)
		for _, t := range []struct {
			name   string
			after  lead.Duration
			anchor time.Time
			what   string
			email  string
		}{
			{"nfu", p.NoFollowUpAfter, followed, "no follow-up", lead.EmailReclaimReminder},
			{"nca", p.NoConversionAfter, assigned, "no conversion", lead.EmailConversionReminder},
		} {
			d := time.Duration(t.after)
			if d <= 0 {
				continue
			}
			if remind > 0 && remind < d {
				out = append(out, deadline{key: t.name + "-remind/" + at(t.anchor), due: t.anchor.Add(d - remind), action: ActivityRecordNotice,
					notice: lead.EventReminded, email: t.email, reason: fmt.Sprintf("the lead will be reclaimed in %s: %s within %s", p.RemindBefore, t.what, t.after)})
			}
			out = append(out, deadline{key: t.name + "-reclaim/" + at(t.anchor), due: t.anchor.Add(d), action: ActivityReclaim,
				reason: fmt.Sprintf("%s within %s", t.what, t.after)})
		}
	}
	return out
}

// next is the earliest deadline not yet handled in this run.
func (s *leadState) next() (deadline, bool) {
	var best deadline
	found := false
	for _, d := range deadlines(s.lead) {
		if s.fired[d.key] {
			continue
		}
		if !found || d.due.Before(best.due) {
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
	if wait := d.due.Sub(workflow.Now(ctx)); wait > 0 {
		woken, err := workflow.AwaitWithTimeout(ctx, wait, changed)
		if err != nil || woken {
			return err
		}
	}
	return s.fire(ctx, d)
}

// fire handles a passed deadline. Its request id makes the activity
// idempotent, also across continue-as-new.
func (s *leadState) fire(ctx workflow.Context, d deadline) error {
	if err := s.mu.Lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.fired[d.key] = true
	// An update may have changed the lead while the timer fired.
	if !s.stillDue(d) {
		return nil
	}
	id := workflow.GetInfo(ctx).WorkflowExecution.ID + "/" + d.key
	switch d.action {
	case ActivityRecordNotice:
		var fresh bool
		err := s.local(ctx, ActivityRecordNotice, lead.Notice{LeadID: s.lead.ID, RequestID: id, Type: d.notice, Reason: d.reason, Due: d.due}, &fresh)
		if err == nil && d.email != "" {
			// Keyed by the deadline: a notice fired again (after continue-as-new) e-mails once.
			s.email(ctx, lead.Email{Key: id + "/" + d.email, Kind: d.email, RepID: s.lead.OwnerID, PoolID: s.lead.PoolID, Reason: d.reason})
		}
		return ignoreRefusal(err)
	default:
		var l lead.Lead
		m := lead.Move{LeadID: s.lead.ID, RequestID: id, Reason: d.reason}
		err := s.local(ctx, d.action, m, &l)
		if err == nil {
			before := s.lead
			s.set(ctx, l)
			s.notifyMove(ctx, d.action, before, l, m)
		}
		return ignoreRefusal(err)
	}
}

// stillDue reports whether d is still one of the lead's deadlines.
func (s *leadState) stillDue(d deadline) bool {
	for _, c := range deadlines(s.lead) {
		if c.key == d.key {
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
