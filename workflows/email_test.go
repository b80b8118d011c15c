package workflows

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/leadflow/leadflow/lead"
)

// mailbox stands in for the store and the Email activity: it records the
// e-mails the workflow asks for.
type mailbox struct {
	mu       sync.Mutex
	intake   lead.Lead   // what the intake decides
	after    []lead.Lead // what the following moves return, in order
	emails   []lead.Email
	attempts int
	emailErr func(attempt int) error
	// queued: the Reclaim activity answers that its transaction queued
	// the move's e-mails (lead.Moved.EmailsQueued), as it does today;
	// otherwise it answers the lead alone, as before the outbox.
	queued bool
}

func (m *mailbox) next(l lead.Lead) lead.Lead {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.after) == 0 {
		return l
	}
	out := m.after[0]
	m.after = m.after[1:]
	return out
}

func (m *mailbox) register(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterActivityWithOptions(func(ctx context.Context, l LeadInput) (lead.Lead, error) { return m.intake, nil },
		activity.RegisterOptions{Name: ActivityIntake})
	for _, name := range []string{ActivityAssign, ActivityDecline, ActivityTransfer, ActivityClose} {
		env.RegisterActivityWithOptions(func(ctx context.Context, mv lead.Move) (lead.Lead, error) {
			l := m.next(lead.Lead{ID: mv.LeadID, Status: lead.StatusClosed})
			if name == ActivityClose {
				l.Status = lead.StatusClosed
			}
			return l, nil
		}, activity.RegisterOptions{Name: name})
	}
	env.RegisterActivityWithOptions(func(ctx context.Context, mv lead.Move) (any, error) {
		l := m.next(lead.Lead{ID: mv.LeadID, Status: lead.StatusClosed})
		if m.queued {
			return lead.Moved{Lead: l, EmailsQueued: true}, nil
		}
		return l, nil
	}, activity.RegisterOptions{Name: ActivityReclaim})
	env.RegisterActivityWithOptions(func(ctx context.Context, c lead.Claim) (lead.Lead, error) {
		return lead.Lead{ID: c.LeadID, Status: lead.StatusAssigned, OwnerID: c.RepID, PoolID: "p1"}, nil
	}, activity.RegisterOptions{Name: ActivityClaim})
	env.RegisterActivityWithOptions(func(ctx context.Context, n lead.Notice) (bool, error) { return true, nil },
		activity.RegisterOptions{Name: ActivityRecordNotice})
	env.RegisterActivityWithOptions(func(ctx context.Context, e lead.Email) error {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.attempts++
		if m.emailErr != nil {
			if err := m.emailErr(m.attempts); err != nil {
				return err
			}
		}
		m.emails = append(m.emails, e)
		return nil
	}, activity.RegisterOptions{Name: ActivityEmail})
}

// kinds lists the e-mails as "kind:rep".
func (m *mailbox) kinds() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, e := range m.emails {
		out = append(out, e.Kind+":"+e.RepID)
	}
	return out
}

func runMail(t *testing.T, m *mailbox, before func(env *testsuite.TestWorkflowEnvironment)) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetStartTime(t0)
	env.RegisterWorkflow(LeadWorkflow)
	m.register(env)
	before(env)
	env.ExecuteWorkflow(LeadWorkflow, LeadInput{Lead: lead.Lead{ID: "l1", Contact: lead.Contact{Company: "Acme Trading", Phone: "13800138000"}, Source: m.intake.Source}})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	return env
}

// move sends an update at the given time; one refused because intake is
// still running (the test environment may reach the time first) is sent
// again a moment later.
func move(env *testsuite.TestWorkflowEnvironment, update, id string, in MoveInput, at time.Duration) {
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(update, id, &testsuite.TestUpdateCallback{
			OnReject: func(err error) {
				if e := DomainError(err); e == nil || !strings.Contains(e.Error(), "the lead is received") {
					panic(err)
				}
				move(env, update, id+"'", in, time.Millisecond)
			}, OnAccept: func() {}, OnComplete: func(any, error) {},
		}, in)
	}, at)
}

func expectKinds(t *testing.T, m *mailbox, want ...string) {
	t.Helper()
	if got := m.kinds(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("e-mails %q, want %q", got, want)
	}
}

func offered(rep string) lead.Lead {
	at := t0
	return lead.Lead{ID: "l1", Status: lead.StatusOffered, OwnerID: rep, PoolID: "p1", OfferedAt: &at,
		Policy: &lead.Policy{Distribution: "round_robin", AcceptTimeout: dur("90s")}}
}

// An offer e-mails the rep; when it expires, the next rep's offer e-mails
// them; the lead back in the pool e-mails nobody.
func TestOffersEmailEachRep(t *testing.T) {
	second := offered("rep2")
	later := t0.Add(90 * time.Second)
	second.OfferedAt = &later
	m := &mailbox{intake: offered("rep1"), after: []lead.Lead{second, {ID: "l1", Status: lead.StatusPooled, PoolID: "p1"}}}
	runMail(t, m, func(env *testsuite.TestWorkflowEnvironment) {
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, time.Hour)
	})
	expectKinds(t, m, "offered:rep1", "offered:rep2")
	if k := m.emails[0].Key; k != "default-test-workflow-id/intake/offered" || m.emails[0].LeadID != "l1" {
		t.Fatalf("first key %q lead %q", k, m.emails[0].LeadID)
	}
	if k := m.emails[1].Key; !strings.HasPrefix(k, "default-test-workflow-id/offer-expired/") || !strings.HasSuffix(k, "/offered") {
		t.Fatalf("second key %q", k)
	}
}

// Seed 003: a distribution that auto-accepts sends nothing; a manager's
// assignment e-mails the rep, unless they assign the lead to themselves.
func TestAutoAcceptedLeadSendsNoEmailButAnAssignmentDoes(t *testing.T) {
	at := t0
	auto := lead.Lead{ID: "l1", Status: lead.StatusAssigned, OwnerID: "rep1", PoolID: "p1", AssignedAt: &at}
	toRep2 := auto
	toRep2.OwnerID = "rep2"
	toBoss := auto
	toBoss.OwnerID = "boss"
	m := &mailbox{intake: auto, after: []lead.Lead{toRep2, toBoss}}
	runMail(t, m, func(env *testsuite.TestWorkflowEnvironment) {
		move(env, UpdateAssign, "a1", MoveInput{ActorID: "boss", RepID: "rep2", Reason: "knows the client"}, time.Minute)
		move(env, UpdateAssign, "a2", MoveInput{ActorID: "boss", RepID: "boss"}, 2*time.Minute)
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, time.Hour)
	})
	expectKinds(t, m, "assigned:rep2")
	if e := m.emails[0]; e.ActorID != "boss" || e.Reason != "knows the client" || e.Key != "default-test-workflow-id/a1/assigned" {
		t.Fatalf("assigned e-mail: %+v", e)
	}
}

// A rep's own claim sends nothing; a pooled new lead tells the pool's
// designated recipients (not for a bulk import).
func TestNewLeadEmailAndClaim(t *testing.T) {
	m := &mailbox{intake: lead.Lead{ID: "l1", Status: lead.StatusPooled, PoolID: "p1", Source: lead.SourceWeb}}
	runMail(t, m, func(env *testsuite.TestWorkflowEnvironment) {
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(UpdateClaim, "c1", &testsuite.TestUpdateCallback{
				OnReject: func(err error) { panic(err) }, OnAccept: func() {}, OnComplete: func(any, error) {},
			}, ClaimInput{RepID: "rep1"})
		}, time.Minute)
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, time.Hour)
	})
	expectKinds(t, m, "new_lead:")
	if m.emails[0].PoolID != "p1" {
		t.Fatalf("new-lead e-mail: %+v", m.emails[0])
	}

	imported := &mailbox{intake: lead.Lead{ID: "l1", Status: lead.StatusPooled, PoolID: "p1", Source: lead.SourceImport}}
	runMail(t, imported, func(env *testsuite.TestWorkflowEnvironment) {
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, time.Hour)
	})
	expectKinds(t, imported)
}

// The timers e-mail the owner (SLA reminder, reclaim reminder), the pool's
// admins (escalation) and the former owner (reclaimed).
func TestTimerEmails(t *testing.T) {
	l := assignedLead(lead.Policy{FirstContactSLA: dur("1h"), NoFollowUpAfter: dur("5h"), RemindBefore: dur("1h")})
	m := &mailbox{intake: l, after: []lead.Lead{{ID: "l1", Status: lead.StatusPooled, PoolID: "p1"}}}
	runMail(t, m, func(env *testsuite.TestWorkflowEnvironment) {
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, 24*time.Hour)
	})
	expectKinds(t, m, "sla_reminder:rep1", "sla_escalation:rep1", "reclaim_reminder:rep1", "reclaimed:rep1")
	for _, e := range m.emails {
		if e.PoolID != "p1" || e.Reason == "" || e.LeadID != "l1" {
			t.Fatalf("timer e-mail lacks its pool, reason or lead: %+v", e)
		}
	}
}

// A manager's reclaim e-mails the former owner.
func TestReclaimUpdateEmailsFormerOwner(t *testing.T) {
	m := &mailbox{intake: assignedLead(lead.Policy{}), after: []lead.Lead{{ID: "l1", Status: lead.StatusPooled, PoolID: "p1"}}}
	runMail(t, m, func(env *testsuite.TestWorkflowEnvironment) {
		move(env, UpdateReclaim, "r1", MoveInput{ActorID: "boss", Reason: "on leave"}, time.Minute)
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, time.Hour)
	})
	expectKinds(t, m, "reclaimed:rep1")
}

// A reclaim whose transaction queued its e-mails in the outbox (the
// Reclaim activity's answer says so) starts no Email activity, by a timer
// or by a manager; the reminders before it still go out as activities.
func TestQueuedReclaimEmailsAreNotSentAgain(t *testing.T) {
	l := assignedLead(lead.Policy{NoFollowUpAfter: dur("5h"), RemindBefore: dur("1h")})
	m := &mailbox{intake: l, queued: true, after: []lead.Lead{{ID: "l1", Status: lead.StatusPooled, PoolID: "p1"}}}
	runMail(t, m, func(env *testsuite.TestWorkflowEnvironment) {
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, 24*time.Hour)
	})
	expectKinds(t, m, "reclaim_reminder:rep1")

	byHand := &mailbox{intake: assignedLead(lead.Policy{}), queued: true, after: []lead.Lead{{ID: "l1", Status: lead.StatusPooled, PoolID: "p1"}}}
	runMail(t, byHand, func(env *testsuite.TestWorkflowEnvironment) {
		move(env, UpdateReclaim, "r1", MoveInput{ActorID: "boss", Reason: "on leave"}, time.Minute)
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, time.Hour)
	})
	expectKinds(t, byHand)
}

// The workflow does not end before its e-mails are done: retried ones
// (503) go out first; one refused for good (400) does not fail the lead.
func TestWorkflowWaitsForEmails(t *testing.T) {
	m := &mailbox{intake: offered("rep1"), emailErr: func(attempt int) error {
		if attempt <= 2 {
			return errors.New("the mail provider answered 503")
		}
		return nil
	}}
	m.intake.Policy.AcceptTimeout = lead.Span{}
	runMail(t, m, func(env *testsuite.TestWorkflowEnvironment) {
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, time.Millisecond)
	})
	if m.attempts != 3 {
		t.Fatalf("%d attempts, want 3", m.attempts)
	}
	expectKinds(t, m, "offered:rep1")

	refused := &mailbox{intake: offered("rep1"), emailErr: func(int) error {
		return temporal.NewNonRetryableApplicationError("the mail provider answered 400", lead.ErrEmailRejected, nil)
	}}
	refused.intake.Policy.AcceptTimeout = lead.Span{}
	runMail(t, refused, func(env *testsuite.TestWorkflowEnvironment) {
		move(env, UpdateClose, "close", MoveInput{ActorID: "admin"}, time.Millisecond)
	})
	if refused.attempts != 1 {
		t.Fatalf("a refused e-mail was tried %d times", refused.attempts)
	}
}
