package workflows

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// timeline records what the timer activities were asked to do, and when
// (in the test environment's clock).
type timeline struct {
	mu     sync.Mutex
	env    *testsuite.TestWorkflowEnvironment
	events []string
	at     []time.Duration
	lead   lead.Lead // what the store holds
	exempt bool      // Reclaim keeps the lead (reclaim_exempt_when)
}

func (tl *timeline) note(what string) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	tl.events = append(tl.events, what)
	tl.at = append(tl.at, tl.env.Now().Sub(t0))
}

func (tl *timeline) register(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterActivityWithOptions(func(ctx context.Context, l LeadInput) (lead.Lead, error) {
		return tl.lead, nil
	}, activity.RegisterOptions{Name: ActivityIntake})
	env.RegisterActivityWithOptions(func(ctx context.Context, n lead.Notice) (bool, error) {
		tl.note(string(n.Type) + ":" + n.Reason)
		return true, nil
	}, activity.RegisterOptions{Name: ActivityRecordNotice})
	env.RegisterActivityWithOptions(func(ctx context.Context, m lead.Move) (lead.Lead, error) {
		tl.note("reclaim:" + m.Reason)
		if tl.exempt {
			return tl.lead, nil
		}
		l := tl.lead
		l.Status, l.OwnerID, l.AssignedAt = lead.StatusPooled, "", nil
		return l, nil
	}, activity.RegisterOptions{Name: ActivityReclaim})
	env.RegisterActivityWithOptions(func(ctx context.Context, m lead.Move) (lead.Lead, error) {
		tl.note("offer-expired")
		l := tl.lead
		l.Status, l.OwnerID, l.OfferedAt = lead.StatusPooled, "", nil
		return l, nil
	}, activity.RegisterOptions{Name: ActivityDecline})
	env.RegisterActivityWithOptions(func(ctx context.Context, n lead.NewFollowUp) (lead.FollowUp, error) {
		f := n.FollowUp
		f.CreatedAt = tl.env.Now()
		return f, nil
	}, activity.RegisterOptions{Name: ActivityFollowUp})
	env.RegisterActivityWithOptions(func(ctx context.Context, m lead.Move) (lead.Lead, error) {
		l := tl.lead
		l.Status = lead.StatusClosed
		return l, nil
	}, activity.RegisterOptions{Name: ActivityClose})
}

func assignedLead(p lead.Policy) lead.Lead {
	at := t0
	return lead.Lead{ID: "l1", Status: lead.StatusAssigned, OwnerID: "rep1", PoolID: "p1", AssignedAt: &at, Policy: &p}
}

func dur(s string) lead.Span {
	d, err := lead.ParseSpan(s)
	if err != nil {
		panic(err)
	}
	return d
}

// runLead runs LeadWorkflow on l with time skipping; before is called with
// the environment to schedule updates, signals and the end of the test.
func runLead(t *testing.T, l lead.Lead, exempt bool, before func(env *testsuite.TestWorkflowEnvironment)) *timeline {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(t0)
	env.RegisterWorkflow(LeadWorkflow)
	tl := &timeline{env: env, lead: l, exempt: exempt}
	tl.register(env)
	before(env)
	env.ExecuteWorkflow(LeadWorkflow, LeadInput{Lead: lead.Lead{ID: l.ID, Contact: lead.Contact{Company: "Acme Trading", Phone: "13800138000"}}})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	return tl
}

// closeAt ends the lead at d so the test finishes.
func closeAt(env *testsuite.TestWorkflowEnvironment, d time.Duration) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(UpdateClose, "close", &testsuite.TestUpdateCallback{
			OnReject: func(error) {}, OnAccept: func() {}, OnComplete: func(any, error) {},
		}, MoveInput{ActorID: "admin"})
	}, d)
}

func expectTimeline(t *testing.T, tl *timeline, want []string, at []time.Duration) {
	t.Helper()
	if len(tl.events) != len(want) {
		t.Fatalf("events %q at %v, want %q at %v", tl.events, tl.at, want, at)
	}
	for i := range want {
		if tl.events[i] != want[i] || tl.at[i] != at[i] {
			t.Fatalf("event %d: %q at %v, want %q at %v (all: %q %v)", i, tl.events[i], tl.at[i], want[i], at[i], tl.events, tl.at)
		}
	}
}

func TestNoFollowUpReclaims(t *testing.T) {
	tl := runLead(t, assignedLead(lead.Policy{NoFollowUpAfter: dur("5s")}), false, func(env *testsuite.TestWorkflowEnvironment) {
		closeAt(env, time.Minute)
	})
	expectTimeline(t, tl, []string{"reclaim:no follow-up within 5s"}, []time.Duration{5 * time.Second})
}

func TestFollowUpResetsTheTimer(t *testing.T) {
	tl := runLead(t, assignedLead(lead.Policy{NoFollowUpAfter: dur("5s"), RemindBefore: dur("2s")}), false, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateFollowUp, "f1", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { panic(err) }, OnAccept: func() {}, OnComplete: func(any, error) {},
			}, FollowUpInput{FollowUpID: "f1", AuthorID: "rep1", Type: "call", Content: "hello"})
		}, 4*time.Second)
		closeAt(env, time.Minute)
	})
	// Reminded at 3s (5s - 2s), followed up at 4s: reminded again at 7s, reclaimed at 9s.
	expectTimeline(t, tl,
		[]string{"reminded:the lead will be reclaimed in 2s: no follow-up within 5s", "reminded:the lead will be reclaimed in 2s: no follow-up within 5s", "reclaim:no follow-up within 5s"},
		[]time.Duration{3 * time.Second, 7 * time.Second, 9 * time.Second})
}

func TestFirstContactSLAEscalates(t *testing.T) {
	tl := runLead(t, assignedLead(lead.Policy{FirstContactSLA: dur("1h"), NoConversionAfter: dur("7d")}), false, func(env *testsuite.TestWorkflowEnvironment) {
		closeAt(env, 3*time.Hour)
	})
	expectTimeline(t, tl, []string{
		"reminded:first contact is overdue: no follow-up within 1h",
		"escalated:still no first contact 1h after the reminder; the pool admins are told",
	}, []time.Duration{time.Hour, 2 * time.Hour})
}

func TestNoConversionReclaimsDespiteFollowUps(t *testing.T) {
	tl := runLead(t, assignedLead(lead.Policy{NoConversionAfter: dur("10s")}), false, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateFollowUp, "f1", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { panic(err) }, OnAccept: func() {}, OnComplete: func(any, error) {},
			}, FollowUpInput{FollowUpID: "f1", AuthorID: "rep1", Type: "call", Content: "hello"})
		}, 4*time.Second)
		closeAt(env, time.Minute)
	})
	expectTimeline(t, tl, []string{"reclaim:no conversion within 10s"}, []time.Duration{10 * time.Second})
}

func TestPolicyChangeReArmsTimers(t *testing.T) {
	tl := runLead(t, assignedLead(lead.Policy{NoFollowUpAfter: dur("7d")}), false, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			env.SignalWorkflow(SignalPolicy, lead.Policy{NoFollowUpAfter: dur("1h")})
		}, 10*time.Minute)
		closeAt(env, 30*24*time.Hour)
	})
	expectTimeline(t, tl, []string{"reclaim:no follow-up within 1h"}, []time.Duration{time.Hour})
}

func TestExemptLeadIsNotReclaimedAgainAndAgain(t *testing.T) {
	tl := runLead(t, assignedLead(lead.Policy{NoFollowUpAfter: dur("5s")}), true, func(env *testsuite.TestWorkflowEnvironment) {
		closeAt(env, time.Hour)
	})
	expectTimeline(t, tl, []string{"reclaim:no follow-up within 5s"}, []time.Duration{5 * time.Second})
}

func TestOfferExpires(t *testing.T) {
	at := t0
	l := lead.Lead{ID: "l1", Status: lead.StatusOffered, OwnerID: "rep1", PoolID: "p1", OfferedAt: &at,
		Policy: &lead.Policy{AcceptTimeout: dur("90s"), Distribution: "round_robin"}}
	tl := runLead(t, l, false, func(env *testsuite.TestWorkflowEnvironment) {
		closeAt(env, time.Hour)
	})
	expectTimeline(t, tl, []string{"offer-expired"}, []time.Duration{90 * time.Second})
}

// TestContinueAsNewKeepsTheLead: a long history continues as new with the
// lead as it is (so the next run skips intake), after the handlers finished.
func TestContinueAsNewKeepsTheLead(t *testing.T) {
	// The test environment does not count history events: force the
	// decision after the fifth follow-up instead.
	completed := 0
	defer func(f func(workflow.Context) bool) { continueAsNew = f }(continueAsNew)
	continueAsNew = func(workflow.Context) bool { return completed >= 5 }
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(t0)
	env.RegisterWorkflow(LeadWorkflow)
	tl := &timeline{env: env, lead: assignedLead(lead.Policy{NoFollowUpAfter: dur("7d")})}
	tl.register(env)
	for i := 1; i <= 20; i++ {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateFollowUp, fmt.Sprintf("f%d", i), &testsuite.TestUpdateCallback{
				OnReject: func(error) {}, OnAccept: func() {}, OnComplete: func(_ any, err error) {
					if err == nil {
						completed++
					}
				},
			}, FollowUpInput{FollowUpID: fmt.Sprintf("f%d", i), AuthorID: "rep1", Type: "call", Content: "again"})
		}, time.Duration(i)*time.Minute)
	}
	env.ExecuteWorkflow(LeadWorkflow, LeadInput{Lead: lead.Lead{ID: "l1", Contact: lead.Contact{Company: "Acme Trading", Phone: "13800138000"}}})
	var can *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); !errors.As(err, &can) {
		t.Fatalf("want continue-as-new, got %v", err)
	}
	var next lead.Lead
	if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
		t.Fatal(err)
	}
	if next.Status != lead.StatusAssigned || next.OwnerID != "rep1" || next.LastFollowUpAt == nil || next.Policy == nil {
		t.Fatalf("the next run would not resume the lead: %+v", next)
	}
	if completed != 5 {
		t.Fatalf("%d follow-ups completed before continuing as new, want 5", completed)
	}
}

// TestExpectedFollowUpReminds: the follow-up time a rep gave at claim
// reminds them then, unless they followed up before.
func TestExpectedFollowUpReminds(t *testing.T) {
	l := assignedLead(lead.Policy{NoConversionAfter: dur("7d")})
	due := t0.Add(2 * time.Hour)
	l.ExpectedFollowUpAt = &due
	tl := runLead(t, l, false, func(env *testsuite.TestWorkflowEnvironment) { closeAt(env, 3*time.Hour) })
	expectTimeline(t, tl, []string{"reminded:the follow-up planned at claim is due"}, []time.Duration{2 * time.Hour})

	followed := runLead(t, l, false, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateFollowUp, "f1", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { panic(err) }, OnAccept: func() {}, OnComplete: func(any, error) {},
			}, FollowUpInput{FollowUpID: "f1", AuthorID: "rep1", Type: "call", Content: "hello"})
		}, time.Hour)
		closeAt(env, 3*time.Hour)
	})
	expectTimeline(t, followed, nil, nil)
}

// TestReminderKindsFitTheirTimers: the reminder before a no-follow-up
// reclaim asks for a follow-up; the one before a no-conversion reclaim asks
// for a conversion.
func TestReminderKindsFitTheirTimers(t *testing.T) {
	l := assignedLead(lead.Policy{NoFollowUpAfter: dur("10h"), NoConversionAfter: dur("20h"), RemindBefore: dur("1h")})
	kinds := map[string]string{}
	for _, d := range deadlines(l) {
		if d.Email != "" {
			kinds[d.Key[:3]] = d.Email
		}
	}
	if kinds["nfu"] != lead.EmailReclaimReminder || kinds["nca"] != lead.EmailConversionReminder {
		t.Fatalf("reminder kinds %v", kinds)
	}
}

// TestWorkingTimeReclaim: "no follow-up after 2 working days" counts on
// the pool's calendar in Shanghai: claimed Monday 17:00 with Tuesday and
// Wednesday holidays, the lead is reclaimed Friday 17:00; an edit of the
// calendar that makes Thursday a holiday too, sent as a policy change,
// re-arms it to Monday 17:00.
func TestWorkingTimeReclaim(t *testing.T) {
	week := []lead.ClockRange{{"09:00", "18:00"}}
	cal := lead.Calendar{ID: "c1", Version: 1, TimeZone: "Asia/Shanghai", WorkingHours: map[string][]lead.ClockRange{
		"mon": week, "tue": week, "wed": week, "thu": week, "fri": week}, Holidays: []string{"2026-11-24", "2026-11-25"}}
	edited := cal
	edited.Version, edited.Holidays = 2, append([]string{"2026-11-26"}, cal.Holidays...)
	p := lead.Policy{NoFollowUpAfter: dur("2 working days"), Calendar: &cal}
	tl := runLead(t, assignedLead(p), false, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			q := p
			q.Calendar = &edited
			env.SignalWorkflow(SignalPolicy, PolicySignal{Policy: q, Version: 2})
		}, time.Hour)
		closeAt(env, 30*24*time.Hour)
	})
	// t0 is Monday 2026-11-23 09:00 UTC, 17:00 in Shanghai.
	expectTimeline(t, tl, []string{"reclaim:no follow-up within 2 working days"}, []time.Duration{7 * 24 * time.Hour})

	tl = runLead(t, assignedLead(p), false, func(env *testsuite.TestWorkflowEnvironment) { closeAt(env, 30*24*time.Hour) })
	expectTimeline(t, tl, []string{"reclaim:no follow-up within 2 working days"}, []time.Duration{4 * 24 * time.Hour})
}

// TestDistributionWaitsForTheWindow: a lead pooled outside its pool's
// working hours is distributed by its workflow when they begin.
func TestDistributionWaitsForTheWindow(t *testing.T) {
	cal := lead.Calendar{ID: "c1", Version: 1, TimeZone: "Asia/Shanghai", WorkingHours: map[string][]lead.ClockRange{
		"mon": {{"09:00", "12:00"}}, "tue": {{"09:00", "12:00"}}}}
	at := t0 // Monday 17:00 in Shanghai: closed
	l := lead.Lead{ID: "l1", Status: lead.StatusPooled, PoolID: "p1", UpdatedAt: at,
		Policy: &lead.Policy{Distribution: lead.DistributionRoundRobin, DistributeInWorkingHours: true, Calendar: &cal}}
	var distributed []time.Duration
	tl := runLead(t, l, false, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterActivityWithOptions(func(ctx context.Context, m lead.Move) (lead.Lead, error) {
			distributed = append(distributed, env.Now().Sub(t0))
			out := l
			out.Status, out.OwnerID = lead.StatusOffered, "rep1"
			offered := env.Now()
			out.OfferedAt = &offered
			return out, nil
		}, activity.RegisterOptions{Name: ActivityDistribute})
		closeAt(env, 3*24*time.Hour)
	})
	_ = tl
	if len(distributed) != 1 || distributed[0] != 16*time.Hour {
		t.Fatalf("distributed at %v, want once, 16h later (Tuesday 09:00 in Shanghai)", distributed)
	}
}
