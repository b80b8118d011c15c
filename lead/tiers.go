package lead

import (
	"fmt"
	"strings"
)

// ReclaimTier gives the leads of a pool it matches their own reclaim
// timers (CordysCRM #852, #884: A-grade leads get 30 days, C-grade 7): a
// lead matches when its Field ("stage", or a custom field as
// "custom.grade") equals Value. The first matching tier of the policy
// counts; a timer it leaves zero is the pool's.
type ReclaimTier struct {
	Field             string `json:"field"`
	Value             string `json:"value"`
	NoFollowUpAfter   Span   `json:"no_follow_up_after,omitzero"`
	NoConversionAfter Span   `json:"no_conversion_after,omitzero"`
}

// MaxReclaimTiers bounds the tiers of one policy.
const MaxReclaimTiers = 20

// matches reports whether lead l is in tier t.
func (t ReclaimTier) matches(l Lead) bool {
	if t.Field == "stage" {
		return l.Stage == t.Value
	}
	name, ok := strings.CutPrefix(t.Field, "custom.")
	if !ok {
		return false
	}
	v, ok := l.Custom[name]
	return ok && fmt.Sprint(v) == t.Value
}

// reclaimTimers are lead l's no-follow-up and no-conversion timers under
// the policy: those of its first matching tier, else the pool's.
func (pol *Policy) reclaimTimers(l Lead) (noFollowUp, noConversion Span) {
	noFollowUp, noConversion = pol.NoFollowUpAfter, pol.NoConversionAfter
	for _, t := range pol.ReclaimTiers {
		if t.matches(l) {
			if t.NoFollowUpAfter.On() {
				noFollowUp = t.NoFollowUpAfter
			}
			if t.NoConversionAfter.On() {
				noConversion = t.NoConversionAfter
			}
			break
		}
	}
	return noFollowUp, noConversion
}

// cleanTiers checks the policy's reclaim tiers.
func (pol *Policy) cleanTiers(f *Fields) {
	if len(pol.ReclaimTiers) > MaxReclaimTiers {
		f.Add("policy.reclaim_tiers", fmt.Sprintf("has more than %d tiers", MaxReclaimTiers))
	}
	for i := range pol.ReclaimTiers {
		t := &pol.ReclaimTiers[i]
		at := fmt.Sprintf("policy.reclaim_tiers[%d].", i)
		t.Field, t.Value = strings.TrimSpace(t.Field), strings.TrimSpace(t.Value)
		if name, ok := strings.CutPrefix(t.Field, "custom."); t.Field != "stage" && (!ok || name == "") {
			f.Add(at+"field", `must be "stage" or a custom field as "custom.<name>"`)
		}
		if t.Value == "" {
			f.Add(at+"value", "is required: the value the tier's leads have")
		}
		if !t.NoFollowUpAfter.On() && !t.NoConversionAfter.On() {
			f.Add(at+"no_follow_up_after", "a tier sets no_follow_up_after, no_conversion_after or both")
		}
	}
}

// tierTimers are the timers of the tiers, for the checks every timer gets.
func (pol *Policy) tierTimers() []timer {
	var out []timer
	for i, t := range pol.ReclaimTiers {
		out = append(out, timer{fmt.Sprintf("reclaim_tiers[%d].no_follow_up_after", i), t.NoFollowUpAfter},
			timer{fmt.Sprintf("reclaim_tiers[%d].no_conversion_after", i), t.NoConversionAfter})
	}
	return out
}
