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
)

// The timers of a pool's policy a deadline comes from (Deadline.Timer).
const (
	TimerNoFollowUp       = "no_follow_up"       // no follow-up within the policy's time
	TimerNoConversion     = "no_conversion"      // no conversion within the policy's time
	TimerAcceptTimeout    = "accept_timeout"     // an offer not accepted in time
	TimerExpectedFollowUp = "expected_follow_up" // the follow-up the rep planned at claim
	TimerFirstContactSLA  = "first_contact_sla"  // no first contact within the SLA
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
	switch l.Status {
	case StatusOffered:
		if p.AcceptTimeout > 0 && l.OfferedAt != nil {
			out = append(out, Deadline{Key: "offer-expired/" + at(*l.OfferedAt), Due: l.OfferedAt.Add(time.Duration(p.AcceptTimeout)),
				Kind: DeadlineOfferExpiry, Timer: TimerAcceptTimeout, Reason: fmt.Sprintf("not accepted within %s", p.AcceptTimeout)})
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
		if sla := time.Duration(p.FirstContactSLA); sla > 0 && !contacted {
			out = append(out,
				Deadline{Key: "sla-remind/" + at(assigned), Due: assigned.Add(sla), Kind: DeadlineNotice, Timer: TimerFirstContactSLA, Notice: EventReminded, Email: EmailSLAReminder,
					Reason: fmt.Sprintf("first contact is overdue: no follow-up within %s", p.FirstContactSLA)},
				Deadline{Key: "sla-escalate/" + at(assigned), Due: assigned.Add(2 * sla), Kind: DeadlineNotice, Timer: TimerFirstContactSLA, Notice: EventEscalated, Email: EmailSLAEscalation,
					Reason: fmt.Sprintf("still no first contact %s after the reminder; the pool admins are told", p.FirstContactSLA)})
		}
		if e := l.ExpectedFollowUpAt; e != nil && !contacted {
			out = append(out, Deadline{Key: "expected-remind/" + at(*e), Due: *e, Kind: DeadlineNotice, Timer: TimerExpectedFollowUp, Notice: EventReminded,
				Email: EmailFollowUpDue, Reason: "the follow-up planned at claim is due"})
		}
		remind := time.Duration(p.RemindBefore)
		for _, t := range []struct {
			name   string
			timer  string
			after  Duration
			anchor time.Time
			what   string
			email  string
		}{
			{"nfu", TimerNoFollowUp, p.NoFollowUpAfter, followed, "no follow-up", EmailReclaimReminder},
			{"nca", TimerNoConversion, p.NoConversionAfter, assigned, "no conversion", EmailConversionReminder},
		} {
			d := time.Duration(t.after)
			if d <= 0 {
				continue
			}
			if remind > 0 && remind < d {
				out = append(out, Deadline{Key: t.name + "-remind/" + at(t.anchor), Due: t.anchor.Add(d - remind), Kind: DeadlineNotice, Timer: t.timer,
					Notice: EventReminded, Email: t.email, Reason: fmt.Sprintf("the lead will be reclaimed in %s: %s within %s", p.RemindBefore, t.what, t.after)})
			}
			out = append(out, Deadline{Key: t.name + "-reclaim/" + at(t.anchor), Due: t.anchor.Add(d), Kind: DeadlineReclaim, Timer: t.timer,
				Reason: fmt.Sprintf("%s within %s", t.what, t.after)})
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
