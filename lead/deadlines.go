package lead

import (
	"fmt"
	"slices"
	"time"
)

// DeadlineKind says what happens when a deadline of a lead passes.
type DeadlineKind string

// The kinds of deadline.
const (
	DeadlineNotice      DeadlineKind = "notice"        // a reminder or an escalation is recorded (and e-mailed)
	DeadlineReclaim     DeadlineKind = "reclaim"       // the lead goes back to its pool
	DeadlineOfferExpiry DeadlineKind = "offer_expired" // the offer ends; the lead goes to the next rep
	DeadlineDistribute  DeadlineKind = "distribute"    // the pool's working hours begin: the waiting lead is distributed
)

// The timers of a pool's policy a deadline comes from (Deadline.Timer).
const (
	TimerNoFollowUp       = "no_follow_up"       // no follow-up within the policy's time
	TimerNoConversion     = "no_conversion"      // no conversion within the policy's time
	TimerAcceptTimeout    = "accept_timeout"     // an offer not accepted in time
	TimerExpectedFollowUp = "expected_follow_up" // the follow-up the rep planned at claim
	TimerFirstContactSLA  = "first_contact_sla"  // no first contact within the SLA
	TimerWorkingWindow    = "working_window"     // distribution waits for the pool's working hours
)

// Deadline is one timer of a lead's pool policy: the lead's workflow arms
// it, and the console and GET /api/v1/leads/{id} show when it passes
// (JSON: kind, timer, at, reason).
type Deadline struct {
	Key    string       `json:"-"`  // unique per deadline and anchor: "nfu-reclaim/<time>"
	Due    time.Time    `json:"at"` // when it fires
	Kind   DeadlineKind `json:"kind"`
	Timer  string       `json:"timer"`  // the policy's timer it comes from: Timer...
	Notice EventType    `json:"-"`      // the event a notice records
	Email  string       `json:"-"`      // the e-mail kind of a notice
	Reason string       `json:"reason"` // what passing it means, for people
	// CalendarID and CalendarVersion name the calendar version a
	// working-time timer was counted on.
	CalendarID      string `json:"calendar_id,omitempty"`
	CalendarVersion int    `json:"calendar_version,omitempty"`
}

// Detail is a lead as GET /api/v1/leads/{id} answers it: the lead and its
// deadlines (Deadlines), soonest first.
type Detail struct {
	Lead
	Deadlines []Deadline `json:"deadlines"`
}

// DetailOf is l with its deadlines, soonest first.
func DetailOf(l Lead) Detail {
	ds := Deadlines(l)
	slices.SortStableFunc(ds, func(a, b Deadline) int { return a.Due.Compare(b.Due) })
	if ds == nil {
		ds = []Deadline{}
	}
	return Detail{Lead: l, Deadlines: ds}
}

// Deadlines lists the timers that apply to the lead now, from its pool's
// policy and its timestamps. Anchors: an offer runs from offered_at; the
// first-contact SLA and the no-conversion timer from assigned_at; the
// no-follow-up timer from the later of assigned_at and the last follow-up,
// so each follow-up resets it.
func Deadlines(l Lead) []Deadline {
	p := l.Policy
	if p == nil {
		return nil
	}
	var out []Deadline
	at := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	cal := p.Calendar
	// add appends d, saying which calendar version set it when a
	// working-time span did; such a notice outside working hours waits for
	// the next working hour unless the policy says remind anytime.
	add := func(d Deadline, spans ...Span) {
		counted := false
		for _, s := range spans {
			if s.Working() && cal != nil {
				d.CalendarID, d.CalendarVersion, counted = cal.ID, cal.Version, true
			}
		}
		if d.Kind == DeadlineNotice && counted && !p.RemindAnytime {
			if t, err := cal.NextWorkingTime(d.Due); err == nil {
				d.Due = t
			}
		}
		out = append(out, d)
	}
	switch l.Status {
	case StatusPooled:
		since := l.UpdatedAt
		if l.WaitingSince != nil {
			since = *l.WaitingSince
		}
		due, waits := p.DistributionWait(since)
		if !waits && l.WaitingSince != nil && p.Distribution != "" && p.Distribution != DistributionClaimOnly {
			// Still waiting, but the hours it waited for have begun (a
			// calendar or policy edit): it is distributed at once.
			due, waits = since, true
		}
		if waits {
			add(Deadline{Key: "distribute/" + at(since), Due: due, Kind: DeadlineDistribute, Timer: TimerWorkingWindow,
				Reason:     "the lead arrived outside the pool's working hours; it is distributed when they begin",
				CalendarID: cal.ID, CalendarVersion: cal.Version})
		}
	case StatusOffered:
		if p.AcceptTimeout.On() && l.OfferedAt != nil {
			add(Deadline{Key: "offer-expired/" + at(*l.OfferedAt), Due: p.AcceptTimeout.After(*l.OfferedAt, cal),
				Kind: DeadlineOfferExpiry, Timer: TimerAcceptTimeout, Reason: fmt.Sprintf("not accepted within %s", p.AcceptTimeout)}, p.AcceptTimeout)
		}
	case StatusAssigned:
		if l.AssignedAt == nil {
			return nil
		}
		assigned := *l.AssignedAt
		followed := assigned
		contacted := l.LastFollowUpAt != nil && !l.LastFollowUpAt.Before(assigned)
		if contacted {
			followed = *l.LastFollowUpAt
		}
		if sla := p.FirstContactSLA; sla.On() && !contacted {
			// The escalation chain (CordysCRM #1932): the SLA missed reminds
			// the rep; escalate_after (default: the SLA again) more tells the
			// pool admins; reassign_after more reclaims the lead, which the
			// pool's distribution gives to another rep.
			remind := sla.After(assigned, cal)
			add(Deadline{Key: "sla-remind/" + at(assigned), Due: remind, Kind: DeadlineNotice, Timer: TimerFirstContactSLA, Notice: EventReminded, Email: EmailSLAReminder,
				Reason: fmt.Sprintf("first contact is overdue: no follow-up within %s", sla)}, sla)
			escalateAfter := sla
			if p.EscalateAfter.On() {
				escalateAfter = p.EscalateAfter
			}
			escalate := escalateAfter.After(remind, cal)
			add(Deadline{Key: "sla-escalate/" + at(assigned), Due: escalate, Kind: DeadlineNotice, Timer: TimerFirstContactSLA, Notice: EventEscalated, Email: EmailSLAEscalation,
				Reason: fmt.Sprintf("still no first contact %s after the reminder; the pool admins are told", escalateAfter)}, sla, escalateAfter)
			if p.ReassignAfter.On() {
				add(Deadline{Key: "sla-reassign/" + at(assigned), Due: p.ReassignAfter.After(escalate, cal), Kind: DeadlineReclaim, Timer: TimerFirstContactSLA,
					Reason: fmt.Sprintf("still no first contact %s after the escalation: reassigned by the pool's distribution", p.ReassignAfter)}, sla, p.ReassignAfter)
			}
		}
		if e := l.ExpectedFollowUpAt; e != nil && !contacted {
			add(Deadline{Key: "expected-remind/" + at(*e), Due: *e, Kind: DeadlineNotice, Timer: TimerExpectedFollowUp, Notice: EventReminded,
				Email: EmailFollowUpDue, Reason: "the follow-up planned at claim is due"})
		}
		remind := p.RemindBefore
		noFollowUp, noConversion := p.reclaimTimers(l)
		for _, t := range []struct {
			name   string
			timer  string
			after  Span
			anchor time.Time
			what   string
			email  string
		}{
			{"nfu", TimerNoFollowUp, noFollowUp, followed, "no follow-up", EmailReclaimReminder},
			{"nca", TimerNoConversion, noConversion, assigned, "no conversion", EmailConversionReminder},
		} {
			if !t.after.On() {
				continue
			}
			due := t.after.After(t.anchor, cal)
			if remind.On() && remind.Shorter(t.after) {
				add(Deadline{Key: t.name + "-remind/" + at(t.anchor), Due: remind.Before(due, cal), Kind: DeadlineNotice, Timer: t.timer,
					Notice: EventReminded, Email: t.email, Reason: fmt.Sprintf("the lead will be reclaimed in %s: %s within %s", p.RemindBefore, t.what, t.after)}, t.after, remind)
			}
			add(Deadline{Key: t.name + "-reclaim/" + at(t.anchor), Due: due, Kind: DeadlineReclaim, Timer: t.timer,
				Reason: fmt.Sprintf("%s within %s", t.what, t.after)}, t.after)
		}
	}
	return out
}

// NextReclaim is the earliest reclaim deadline of l, if it has one: when
// the lead goes back to its pool, and why.
func NextReclaim(l Lead) (Deadline, bool) {
	var best Deadline
	found := false
	for _, d := range Deadlines(l) {
		if d.Kind == DeadlineReclaim && (!found || d.Due.Before(best.Due)) {
			best, found = d, true
		}
	}
	return best, found
}

// DistributionWait says whether a lead pooled at t waits for its pool's
// working hours before it is distributed (DistributeInWorkingHours, an
// automatic distribution, t outside the calendar's working hours), and
// until when.
func (p *Policy) DistributionWait(t time.Time) (time.Time, bool) {
	if p == nil || !p.DistributeInWorkingHours || p.Calendar == nil || p.Distribution == "" || p.Distribution == DistributionClaimOnly {
		return t, false
	}
	next, err := p.Calendar.NextWorkingTime(t)
	if err != nil || !next.After(t) {
		return t, false
	}
	return next, true
}
