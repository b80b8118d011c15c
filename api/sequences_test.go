package api_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/workflows"
)

// stepMessage is the stored message of an enrolment's step (ok false
// when there is none).
func stepMessage(t *testing.T, s *apptest.Stack, enrolment string, step int) (lead.Notification, bool) {
	t.Helper()
	n, err := s.DB.NotificationByKey(context.Background(), service.SequenceStepKey(enrolment, step))
	if lead.ErrorCode(err) == lead.CodeNotFound {
		return n, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return n, true
}

// wantSequenceEnded fails unless the enrolment's workflow id completed;
// with -record-history its history is written to
// workflows/testdata/SequenceWorkflow/name for the replay test.
func wantSequenceEnded(t *testing.T, s *apptest.Stack, id, name string) {
	t.Helper()
	s.WaitFor(20*time.Second, "the enrolment's workflow to complete", func() bool {
		d, err := s.TC.DescribeWorkflowExecution(context.Background(), id, "")
		if err != nil {
			t.Fatal(err)
		}
		return d.GetWorkflowExecutionInfo().GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_COMPLETED
	})
	apptest.RecordHistory(t, s.TC, id, strings.TrimSuffix(name, ".json"))
}

// TestSequenceStopsWhenItsLeadIsClaimed (issue 27's proof): a lead in a
// sequence gets its first step; a rep claims it; the enrolment exits
// (reason claimed) at once and no later step is sent, though its wait
// runs out. Enrolling twice answers the one enrolment; the report counts
// the message sent and the claim.
func TestSequenceStopsWhenItsLeadIsClaimed(t *testing.T) {
	s := apptest.NewCampaignStack(t)
	s.StartWorker(true)
	repID, rep := s.CreateRep("Rita", 10)
	_ = repID
	tpl := s.SequenceTemplate()
	seq := s.CreateSequence(s.Admin, fmt.Sprintf(`{"name":"Welcome drip","steps":[
		{"send":{"template_id":%q,"channel":"sms"}},{"wait":"3s"},{"send":{"template_id":%q,"channel":"sms"}}]}`, tpl, tpl))
	l := s.CreateLead(`{"company":"Drip Trading Co","name":"Dora","phone":"13800138111","country":"CN"}`)
	e := s.Enrol(s.Admin, l.ID, seq)
	if again := s.Enrol(s.Admin, l.ID, seq); again.ID != e.ID || e.Status != lead.EnrolmentActive || e.Via != lead.EnrolByHand {
		t.Fatalf("enrolment %+v, enrolled again %+v", e, again)
	}
	s.WaitFor(20*time.Second, "the first step's message", func() bool {
		n, ok := stepMessage(t, s.Stack, e.ID, 0)
		return ok && n.Status == lead.NotificationSent
	})
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, `{}`), 200)
	var page struct{ Items []lead.Enrolment }
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/sequences", s.Admin, ""), 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Status != lead.EnrolmentExited || page.Items[0].Reason != lead.ExitClaimed {
		t.Fatalf("after the claim: %+v", page.Items)
	}
	time.Sleep(5 * time.Second) // the wait runs out: nothing more goes out
	if n, ok := stepMessage(t, s.Stack, e.ID, 2); ok {
		t.Fatalf("the step after the claim was stored: %+v", n)
	}
	// The claim's exit signal ended the enrolment's workflow in its wait.
	wantSequenceEnded(t, s.Stack, workflows.SequenceWorkflowID(seq, l.ID, e.ID), "claimed.json")
	var hist struct{ Items []lead.Event }
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/history?limit=100", s.Admin, ""), 200).JSON(t, &hist)
	var types []string
	for _, ev := range hist.Items {
		types = append(types, string(ev.Type))
		if ev.Type == lead.EventSequenceExited && (ev.Data["enrolment_id"] != e.ID || ev.Data["sequence_id"] != seq || ev.Reason == "") {
			t.Errorf("the exit's event names enrolment %v of sequence %v for %q; want %s of %s, with the reason",
				ev.Data["enrolment_id"], ev.Data["sequence_id"], ev.Reason, e.ID, seq)
		}
	}
	for _, want := range []lead.EventType{lead.EventSequenceEnrolled, lead.EventMessageSent, lead.EventClaimed, lead.EventSequenceExited} {
		if !strings.Contains(" "+strings.Join(types, " ")+" ", " "+string(want)+" ") {
			t.Fatalf("history %v lacks %s", types, want)
		}
	}
	var f lead.SequenceFunnel
	s.Expect(s.Do("GET", "/api/v1/reports/sequences/"+seq, s.Admin, ""), 200).JSON(t, &f)
	if f.Sent != 1 || f.Claimed != 1 || f.Converted != 0 || f.Registered != 0 {
		t.Fatalf("report %+v", f)
	}
	// The lead registers again on the web form with the number the SMS went
	// to: registered through the message, once, on the API and the page.
	s.Expect(s.Register("/api/v1/register", "198.51.100.27", `{"company":"Drip Trading Co","name":"Dora","phone":"13800138111","country":"CN"}`), 202)
	s.WaitFor(20*time.Second, "the registration in the report", func() bool {
		s.Expect(s.Do("GET", "/api/v1/reports/sequences/"+seq, s.Admin, ""), 200).JSON(t, &f)
		return f.Registered > 0
	})
	if f.Registered != 1 || f.Sent != 1 || f.Claimed != 1 {
		t.Fatalf("report after the registration %+v", f)
	}
	b := s.Browser()
	apptest.WantRedirect(t, b.SignIn(s.Admin, "/leads"), "/leads")
	report := s.Expect(b.Get("/sequences/"+seq, "Accept-Language", "en"), 200)
	if !regexp.MustCompile(`<th>Registered through the link</th><td><meter[^>]*></meter></td><td>1</td>`).Match(report.Body) {
		t.Errorf("the sequence page lacks registered 1: %s", regexp.MustCompile(`(?s)<table id="sequence-funnel">.*?</table>`).Find(report.Body))
	}
}

// TestSequenceBranchAndValidation: a branch that holds for the lead
// skips the step it jumps over; a sequence with an unknown template, an
// expression that does not compile, a bad wait or a branch going back is
// refused with each field.
func TestSequenceBranchAndValidation(t *testing.T) {
	s := apptest.NewCampaignStack(t)
	s.StartWorker(true)
	tpl := s.SequenceTemplate()
	seq := s.CreateSequence(s.Admin, fmt.Sprintf(`{"name":"Branchy","steps":[
		{"branch":{"when":"lead.country == \"CN\"","goto":2}},{"send":{"template_id":%q,"channel":"sms"}},{"send":{"template_id":%q,"channel":"sms"}}]}`, tpl, tpl))
	l := s.CreateLead(`{"company":"Branch Trading Co","name":"Bea","phone":"13800138222","country":"CN"}`)
	e := s.Enrol(s.Admin, l.ID, seq)
	done := s.WaitEnrolment(l.ID, e.ID, 20*time.Second, "the enrolment to end", func(e lead.Enrolment) bool { return e.Status != lead.EnrolmentActive })
	if done.Status != lead.EnrolmentDone || done.Step != 3 {
		t.Fatalf("enrolment %+v, want done after 3 steps", done)
	}
	if _, ok := stepMessage(t, s.Stack, e.ID, 1); ok {
		t.Fatal("the step the branch jumps over was sent")
	}
	wantSequenceEnded(t, s.Stack, workflows.SequenceWorkflowID(seq, l.ID, e.ID), "branch.json")
	if n, ok := stepMessage(t, s.Stack, e.ID, 2); !ok || n.Status != lead.NotificationSent {
		t.Fatalf("the step the branch goes to: %+v %v", n, ok)
	}

	bad := fmt.Sprintf(`{"name":"Bad","steps":[{"send":{"template_id":"00000000-0000-0000-0000-000000000000","channel":"sms"}},
		{"branch":{"when":"lead.country ==","goto":3}},{"wait":"soon"},{"branch":{"when":"true","goto":0}},{"send":{"template_id":%q,"channel":"email"}}]}`, tpl)
	r := s.Do("POST", "/api/v1/sequences", s.Admin, bad)
	for _, field := range []string{"steps[0].send.template_id", "steps[1].branch.when", "steps[2].wait", "steps[3].branch.goto", "steps[4].send.template_id"} {
		apptest.FieldProblem(t, r, field)
	}
	// A closed lead is not enrolled; removing an enrolment by hand exits it.
	l2 := s.CreateLead(`{"company":"Removal Trading Co","name":"Rob","phone":"13800138333","country":"CN"}`)
	slow := s.CreateSequence(s.Admin, fmt.Sprintf(`{"name":"Slow","steps":[{"wait":"1h"},{"send":{"template_id":%q,"channel":"sms"}}]}`, tpl))
	e2 := s.Enrol(s.Admin, l2.ID, slow)
	var out lead.Enrolment
	s.Expect(s.Do("DELETE", "/api/v1/leads/"+l2.ID+"/sequences/"+e2.ID, s.Admin, ""), 200).JSON(t, &out)
	if out.Status != lead.EnrolmentExited || out.Reason != lead.ExitRemoved {
		t.Fatalf("removed: %+v", out)
	}
	if again := s.Enrol(s.Admin, l2.ID, slow); again.ID == e2.ID || again.Status != lead.EnrolmentActive {
		t.Fatalf("enrolled again after removal: %+v", again)
	}
}

// leadEnrolments are lead id's enrolments as the admin sees them.
func leadEnrolments(t *testing.T, s *apptest.Stack, id string) []lead.Enrolment {
	t.Helper()
	var page struct{ Items []lead.Enrolment }
	s.Expect(s.Do("GET", "/api/v1/leads/"+id+"/sequences", s.Admin, ""), 200).JSON(t, &page)
	return page.Items
}

// TestSequenceEnrolByRuleAndBulk: an enroll_when rule (a rule kind with
// its test) enrols the new leads it matches at intake, and their first
// step goes out; a lead it does not match is not enrolled. A rule naming
// no sequence is refused. A bulk action enrols each lead it selects.
func TestSequenceEnrolByRuleAndBulk(t *testing.T) {
	s := apptest.NewCampaignStack(t)
	s.StartWorker(true)
	tpl := s.SequenceTemplate()
	seq := s.CreateSequence(s.Admin, fmt.Sprintf(`{"name":"China welcome","steps":[{"send":{"template_id":%q,"channel":"sms"}}]}`, tpl))
	r := s.Do("PUT", "/api/v1/rules/enroll_when", s.Admin, `{"rules":[{"name":"china","when":"lead.country == \"CN\"","sequence_id":"00000000-0000-0000-0000-000000000000"}]}`)
	if r.Status != 422 || !strings.Contains(string(r.Body), "rules[0].sequence_id") {
		t.Fatalf("a rule naming no sequence: %d %s", r.Status, r.Body)
	}
	s.Expect(s.Do("PUT", "/api/v1/rules/enroll_when", s.Admin, fmt.Sprintf(`{"rules":[{"name":"china","when":"lead.country == \"CN\"","sequence_id":%q}]}`, seq)), 200)
	tested := s.Expect(s.Do("POST", "/api/v1/rules/enroll_when/test", s.Admin, `{"lead":{"company":"Test Co","country":"CN"}}`), 200)
	if !strings.Contains(string(tested.Body), seq) {
		t.Fatalf("the rule's test: %s", tested.Body)
	}

	cn := s.CreateLead(`{"company":"Rule Trading Co","name":"Ren","phone":"13800138444","country":"CN"}`)
	us := s.CreateLead(`{"company":"Rule Trading Inc","name":"Ray","phone":"+12025550123","country":"US"}`)
	var e lead.Enrolment
	s.WaitFor(20*time.Second, "the rule's enrolment to be done", func() bool {
		es := leadEnrolments(t, s.Stack, cn.ID)
		if len(es) == 1 {
			e = es[0]
		}
		return e.Status == lead.EnrolmentDone
	})
	if e.Via != lead.EnrolByRule || e.SequenceID != seq {
		t.Fatalf("enrolment %+v", e)
	}
	if n, ok := stepMessage(t, s.Stack, e.ID, 0); !ok || n.Status != lead.NotificationSent {
		t.Fatalf("the rule's enrolment's message: %+v %v", n, ok)
	}
	if es := leadEnrolments(t, s.Stack, us.ID); len(es) != 0 {
		t.Fatalf("a lead the rule does not match was enrolled: %+v", es)
	}
	// The preview: a draft that enrols every lead changes the US lead's outcome.
	var pv struct{ Sample, Changed int }
	s.Expect(s.Do("POST", "/api/v1/rules/enroll_when/preview", s.Admin,
		fmt.Sprintf(`{"rules":{"rules":[{"name":"all","when":"true","sequence_id":%q}]}}`, seq)), 200).JSON(t, &pv)
	if pv.Sample < 2 || pv.Changed < 1 {
		t.Fatalf("the preview: %+v", pv)
	}

	other := s.CreateSequence(s.Admin, `{"name":"Slow drip","steps":[{"wait":"1h"}]}`)
	b := s.StartBulk(s.Admin, "enrol-both", fmt.Sprintf(`{"action":"enroll","lead_ids":[%q,%q],"params":{"sequence_id":%q}}`, cn.ID, us.ID, other))
	if b = s.WaitBulk(s.Admin, b.ID, 30*time.Second); b.Succeeded != 2 {
		t.Fatalf("bulk enrol: %+v", b)
	}
	for _, id := range []string{cn.ID, us.ID} {
		es := leadEnrolments(t, s.Stack, id)
		if len(es) == 0 || es[0].SequenceID != other || es[0].Via != lead.EnrolByBulk || es[0].Status != lead.EnrolmentActive {
			t.Fatalf("lead %s after the bulk action: %+v", id, es)
		}
	}
	r = s.Do("POST", "/api/v1/bulk-actions", s.Admin, `{"action":"enroll","lead_ids":["`+us.ID+`"],"params":{"sequence_id":"nope"}}`)
	apptest.FieldProblem(t, r, "params.sequence_id")
}

// TestSequenceEndsWhenARepTakesItsLead: any move that gives the lead to a
// rep ends its sequences at once, as a claim does (lead.OwnerEvents, the
// funnel's "claimed"): an admin's assignment, and a rep's accepting an
// offer; each enrolment exits (reason claimed) and its workflow ends in
// its wait. A move that gives it to nobody (a transfer) does not.
func TestSequenceEndsWhenARepTakesItsLead(t *testing.T) {
	s := apptest.NewCampaignStack(t)
	s.StartWorker(true)
	repID, rep := s.CreateRep("Tess", 10)
	tpl := s.SequenceTemplate()
	slow := s.CreateSequence(s.Admin, fmt.Sprintf(`{"name":"Slow taker","steps":[{"wait":"1h"},{"send":{"template_id":%q,"channel":"sms"}}]}`, tpl))
	ended := func(l lead.Lead, e lead.Enrolment, what string) {
		t.Helper()
		es := leadEnrolments(t, s.Stack, l.ID)
		if len(es) == 0 || es[0].ID != e.ID || es[0].Status != lead.EnrolmentExited || es[0].Reason != lead.ExitClaimed {
			t.Fatalf("after %s: %+v", what, es)
		}
		s.WaitFor(20*time.Second, "the enrolment's workflow to complete after "+what, func() bool {
			d, err := s.TC.DescribeWorkflowExecution(context.Background(), workflows.SequenceWorkflowID(slow, l.ID, e.ID), "")
			if err != nil {
				t.Fatal(err)
			}
			return d.GetWorkflowExecutionInfo().GetStatus() == enums.WORKFLOW_EXECUTION_STATUS_COMPLETED
		})
	}

	// Assigned by the admin from the global pool.
	pooled := s.CreateLead(`{"company":"Assign Drip Co","name":"Ada","phone":"13800138661","country":"CN"}`)
	e := s.Enrol(s.Admin, pooled.ID, slow)
	other := s.CreatePool(`{"name":"Drip transfer","scope":"global"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+pooled.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, other)), 200)
	if es := leadEnrolments(t, s.Stack, pooled.ID); len(es) != 1 || es[0].Status != lead.EnrolmentActive {
		t.Fatalf("after a transfer: %+v", es)
	}
	s.Expect(s.Do("POST", "/api/v1/leads/"+pooled.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)
	ended(pooled, e, "the assignment")

	// Offered to the rep by a round-robin pool; the rep accepts.
	rr := s.CreatePool(fmt.Sprintf(`{"name":"Drip offers","scope":"global","member_ids":[%q],"policy":{"distribution":"round_robin","accept_timeout":"1h"}}`, repID))
	s.Expect(s.Do("PUT", "/api/v1/rules/routing", s.Admin, fmt.Sprintf(`{"rules":[],"default_pool_id":%q}`, rr)), 200)
	offered := s.CreateLead(`{"company":"Offer Drip Co","name":"Otto","phone":"13800138662","country":"CN"}`)
	if offered.Status != lead.StatusOffered || offered.OwnerID != repID {
		t.Fatalf("the lead was not offered to the rep: %s %s", offered.Status, offered.OwnerID)
	}
	e = s.Enrol(s.Admin, offered.ID, slow)
	s.Expect(s.Do("POST", "/api/v1/leads/"+offered.ID+"/accept", rep, ""), 200)
	ended(offered, e, "the accepted offer")
}

// TestSequenceExitsAreOneDecision: the events that end a lead's sequences
// are those lead.SequenceExit names, and every move that gives a lead an
// owner (the funnel's claimed) is among them.
func TestSequenceExitsAreOneDecision(t *testing.T) {
	want := map[lead.EventType]string{lead.EventClaimed: lead.ExitClaimed, lead.EventAssigned: lead.ExitClaimed,
		lead.EventAccepted: lead.ExitClaimed, lead.EventConverted: lead.ExitConverted, lead.EventReplyReceived: lead.ExitReplied}
	for _, typ := range lead.SequenceExitEvents() {
		if lead.SequenceExit(typ) != want[typ] || want[typ] == "" {
			t.Errorf("SequenceExit(%s) = %q, want %q", typ, lead.SequenceExit(typ), want[typ])
		}
	}
	if len(lead.SequenceExitEvents()) != len(want) {
		t.Errorf("SequenceExitEvents %v, want the events of %v", lead.SequenceExitEvents(), want)
	}
	for _, typ := range []lead.EventType{lead.EventTransferred, lead.EventOffered, lead.EventFollowedUp, lead.EventMessageSent, lead.EventReclaimed} {
		if r := lead.SequenceExit(typ); r != "" {
			t.Errorf("%s ends sequences (%s)", typ, r)
		}
	}
	for _, m := range service.Moves {
		if slices.Contains(lead.OwnerEvents, m.Event) != (m.Act == lead.ActAssign || m.Act == lead.ActAccept) {
			t.Errorf("move %s records %s", m.Path, m.Event)
		}
	}
}
