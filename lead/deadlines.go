package lead

import (
	"fmt"
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

// Deadline is one timer of a lead's pool policy: the lead's workflow arms
// it, and the console shows reps when their leads will be reclaimed.
type Deadline struct {
	Key    string    // unique per deadline and anchor: "nfu-reclaim/<time>"
	Due    time.Time // when it fires
	Kind   DeadlineKind
	Notice EventType // the event a notice records
	Email  string    // the e-mail kind of a notice
	Reason string
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
				Kind: DeadlineOfferExpiry, Reason: fmt.Sprintf("not accepted within %s", p.AcceptTimeout)})
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
				Deadline{Key: "sla-remind/" + at(assigned), Due: assigned.Add(sla), Kind: DeadlineNotice, Notice: EventReminded, Email: EmailSLAReminder,
					Reason: fmt.Sprintf("first contact is overdue: no follow-up within %s", p.FirstContactSLA)},
				Deadline{Key: "sla-escalate/" + at(assigned), Due: assigned.Add(2 * sla), Kind: DeadlineNotice, Notice: EventEscalated, Email: EmailSLAEscalation,
					Reason: fmt.Sprintf("still no first contact %s after the reminder; the pool admins are told", p.FirstContactSLA)})
		}
		if e := l.ExpectedFollowUpAt; e != nil && !contacted {
			out = append(out, Deadline{Key: "expected-remind/" + at(*e), Due: *e, Kind: DeadlineNotice, Notice: EventReminded,
				Email: EmailFollowUpDue, Reason: "the follow-up planned at claim is due"})
		}
		remind := time.Duration(p.RemindBefore)
		for _, t := range []struct {
			name   string
			after  Duration
			anchor time.Time
			what   string
			email  string
		}{
			{"nfu", p.NoFollowUpAfter, followed, "no follow-up", EmailReclaimReminder},
			{"nca", p.NoConversionAfter, assigned, "no conversion", EmailConversionReminder},
		} {
			d := time.Duration(t.after)
			if d <= 0 {
				continue
			}
			if remind > 0 && remind < d {
				out = append(out, Deadline{Key: t.name + "-remind/" + at(t.anchor), Due: t.anchor.Add(d - remind), Kind: DeadlineNotice,
					Notice: EventReminded, Email: t.email, Reason: fmt.Sprintf("the lead will be reclaimed in %s: %s within %s", p.RemindBefore, t.what, t.after)})
			}
			out = append(out, Deadline{Key: t.name + "-reclaim/" + at(t.anchor), Due: t.anchor.Add(d), Kind: DeadlineReclaim,
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
