package lead

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Policy is how a pool distributes leads and which timers run on them.
type Policy struct {
	Distribution string `json:"distribution"`
	AutoAccept   bool   `json:"auto_accept"`
	// The timers: wall-clock ("36h", "7d") or working time ("3 working
	// days", "4 working hours") on Calendar (Span).
	AcceptTimeout     Span   `json:"accept_timeout,omitzero"`
	FirstContactSLA   Span   `json:"first_contact_sla,omitzero"`
	NoFollowUpAfter   Span   `json:"no_follow_up_after,omitzero"`
	NoConversionAfter Span   `json:"no_conversion_after,omitzero"`
	RemindBefore      Span   `json:"remind_before,omitzero"`
	Cooldown          Span   `json:"cooldown,omitzero"`
	ClaimWhen         string `json:"claim_when,omitempty"`
	ReclaimExemptWhen string `json:"reclaim_exempt_when,omitempty"`
	// CalendarID names the pool's own calendar; without one its team's
	// counts, else the default calendar.
	CalendarID string `json:"calendar_id,omitempty"`
	// RemindAnytime sends the reminders and escalations of working-time
	// timers when they fall due; by default one that falls outside working
	// hours waits for the next working hour.
	RemindAnytime bool `json:"remind_anytime,omitempty"`
	// DistributeInWorkingHours keeps a lead pooled outside the calendar's
	// working hours: it is distributed when the next working hour begins.
	DistributeInWorkingHours bool `json:"distribute_in_working_hours,omitempty"`
	// MaskContacts masks the phones and e-mails of the pool's unclaimed
	// leads for reps (lists, pages, history, exports and the API) until
	// they claim one (User.MasksContacts).
	MaskContacts bool `json:"mask_contacts,omitempty"`
	// ReturnTo are the pools besides its own that a return or a reclaim
	// of the pool's leads may name (ReturnTarget).
	ReturnTo []string `json:"return_to,omitempty"`
	// ReclaimTo, one of ReturnTo, is where the timers' reclaims send the
	// pool's leads ("": back to the pool).
	ReclaimTo string `json:"reclaim_to,omitempty"`
	// MaxHeldPerRep caps the pool's leads one rep may hold (assigned or
	// offered) at once, besides the rep's capacity (0: no cap).
	MaxHeldPerRep int `json:"max_held_per_rep,omitempty"`
	// DailyOpenLimit caps how many of the pool's unclaimed leads one rep
	// may open (read whole) a day, besides the claim limit (0: no cap).
	DailyOpenLimit int `json:"daily_open_limit,omitempty"`
	// EscalateAfter and ReassignAfter: the SLA escalation chain (Deadlines).
	EscalateAfter Span `json:"escalate_after,omitzero"`
	ReassignAfter Span `json:"reassign_after,omitzero"`
	// ReclaimTiers give the leads they match their own reclaim timers (tiers.go).
	ReclaimTiers []ReclaimTier `json:"reclaim_tiers,omitempty"`
	// MessageIsFollowUp makes a message sent to an assigned lead count as
	// a follow-up for the reclaim timer (default: it does not).
	MessageIsFollowUp bool `json:"message_counts_as_follow_up,omitempty"`
	// Calendar is the calendar the working-time timers count on (the
	// pool's, else its team's, else the default), read with the policy when
	// it has working-time timers; never stored in the pool's policy.
	Calendar *Calendar `json:"calendar,omitempty"`
}

// clean checks a policy; field names are prefixed with "policy.".
func (pol *Policy) clean(f *Fields) {
	pol.Distribution = strings.TrimSpace(pol.Distribution)
	if pol.Distribution == "" {
		pol.Distribution = DistributionClaimOnly
	}
	if !slices.Contains(Distributions, pol.Distribution) {
		f.Add("policy.distribution", "must be claim_only, round_robin, least_loaded or weighted")
	}
	pol.Calendar = nil // read with the policy, never stored in it
	for _, d := range pol.timers() {
		if d.v.Wall < 0 || d.v.WorkingDays < 0 || d.v.WorkingHours < 0 {
			f.Add("policy."+d.name, "must not be negative")
		}
	}
	pol.cleanTiers(f)
	if (pol.EscalateAfter.On() || pol.ReassignAfter.On()) && !pol.FirstContactSLA.On() {
		f.Add("policy.escalate_after", "the escalation chain follows first_contact_sla: set it too")
	}
	if pol.RemindBefore.On() {
		reclaims := append([]timer{{"no_follow_up_after", pol.NoFollowUpAfter}, {"no_conversion_after", pol.NoConversionAfter}}, pol.tierTimers()...)
		for _, d := range reclaims {
			if d.v.On() && !pol.RemindBefore.Shorter(d.v) {
				f.Add("policy.remind_before", fmt.Sprintf("must be shorter than %s (%s)", d.name, d.v))
			}
		}
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"max_held_per_rep", pol.MaxHeldPerRep}, {"daily_open_limit", pol.DailyOpenLimit}} {
		if n.v < 0 || n.v > 100000 {
			f.Add("policy."+n.name, "must be from 0 (no limit) to 100000")
		}
	}
	pol.ReturnTo = cleanIDs(f, "policy.return_to", pol.ReturnTo)
	if len(pol.ReturnTo) == 0 {
		pol.ReturnTo = nil
	}
	pol.ReclaimTo = strings.ToLower(strings.TrimSpace(pol.ReclaimTo))
	if pol.ReclaimTo != "" && !slices.Contains(pol.ReturnTo, pol.ReclaimTo) {
		f.Add("policy.reclaim_to", "must be one of return_to")
	}
	pol.ClaimWhen = strings.TrimSpace(pol.ClaimWhen)
	pol.ReclaimExemptWhen = strings.TrimSpace(pol.ReclaimExemptWhen)
	for _, e := range [][2]string{{"claim_when", pol.ClaimWhen}, {"reclaim_exempt_when", pol.ReclaimExemptWhen}} {
		if utf8.RuneCountInString(e[1]) > MaxPolicyExpression {
			f.Add("policy."+e[0], fmt.Sprintf("is longer than %d characters", MaxPolicyExpression))
		}
	}
}

// ReturnTarget is the pool a return or a reclaim of a lead of pool own
// sends it to under policy pol (nil: the pool has none): want when the
// policy allows it (own, or one of ReturnTo); own when want is empty,
// but ReclaimTo for a timer's reclaim (byTimer) when the policy sets it.
func (pol *Policy) ReturnTarget(own, want string, byTimer bool) (string, error) {
	want = strings.ToLower(strings.TrimSpace(want))
	switch {
	case want == "" && byTimer && pol != nil && pol.ReclaimTo != "":
		return pol.ReclaimTo, nil
	case want == "" || want == own:
		return own, nil
	case pol != nil && slices.Contains(pol.ReturnTo, want):
		return want, nil
	}
	return "", Invalid(FieldError{Field: "pool_id", Reason: "is not a pool this lead's pool lets it go back to (its policy's return_to)"})
}

// PolicyPatch patches the fields of a policy one by one.
type PolicyPatch struct {
	Distribution      *string
	AutoAccept        *bool
	AcceptTimeout     *Span
	FirstContactSLA   *Span
	NoFollowUpAfter   *Span
	NoConversionAfter *Span
	RemindBefore      *Span
	Cooldown          *Span
	ClaimWhen         *string
	ReclaimExemptWhen *string
	CalendarID        *string
	RemindAnytime     *bool
	MaskContacts      *bool
	ReturnTo          *[]string
	ReclaimTo         *string
	MaxHeldPerRep     *int
	DailyOpenLimit    *int
	EscalateAfter     *Span
	ReassignAfter     *Span
	ReclaimTiers      *[]ReclaimTier
	// DistributeInWorkingHours: see Policy.
	DistributeInWorkingHours *bool
	MessageIsFollowUp        *bool
}

// DefaultMinPolicyDuration is the shortest timer a pool policy may set
// unless the operator lowers it (LEADFLOW_MIN_POLICY_DURATION): a
// reclaim every millisecond helps nobody and loads the workers.
const DefaultMinPolicyDuration = Duration(time.Minute)

// CheckMinimum refuses the timers a patch sets shorter than min (zero
// turns a timer off and is always allowed).
func (q PolicyPatch) CheckMinimum(min Duration) error {
	var f Fields
	for _, d := range []struct {
		name string
		v    *Span
	}{
		{"accept_timeout", q.AcceptTimeout}, {"first_contact_sla", q.FirstContactSLA},
		{"no_follow_up_after", q.NoFollowUpAfter}, {"no_conversion_after", q.NoConversionAfter},
		{"remind_before", q.RemindBefore}, {"cooldown", q.Cooldown},
		{"escalate_after", q.EscalateAfter}, {"reassign_after", q.ReassignAfter},
	} {
		// Working time is counted in whole minutes at least: only a wall-clock timer can be too short.
		if d.v != nil && d.v.Wall > 0 && d.v.Wall < min {
			f.AddCode("policy."+d.name, ReasonBelowMinimum, fmt.Sprintf("must be 0 (off) or at least %s", min))
		}
	}
	if q.ReclaimTiers != nil {
		for _, t := range (&Policy{ReclaimTiers: *q.ReclaimTiers}).tierTimers() {
			if t.v.Wall > 0 && t.v.Wall < min {
				f.AddCode("policy."+t.name, ReasonBelowMinimum, fmt.Sprintf("must be 0 (off) or at least %s", min))
			}
		}
	}
	return f.Err()
}

// timer is one timer of a policy, named as its JSON field.
type timer struct {
	name string
	v    Span
}

// timers are the policy's timers.
func (pol *Policy) timers() []timer {
	return append([]timer{
		{"accept_timeout", pol.AcceptTimeout}, {"first_contact_sla", pol.FirstContactSLA},
		{"no_follow_up_after", pol.NoFollowUpAfter}, {"no_conversion_after", pol.NoConversionAfter},
		{"remind_before", pol.RemindBefore}, {"cooldown", pol.Cooldown},
		{"escalate_after", pol.EscalateAfter}, {"reassign_after", pol.ReassignAfter},
	}, pol.tierTimers()...)
}

// WorkingTime reports whether any timer of the policy counts working time
// (and so needs its calendar).
func (pol *Policy) WorkingTime() bool {
	for _, t := range pol.timers() {
		if t.v.Working() {
			return true
		}
	}
	return false
}
