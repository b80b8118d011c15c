package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// TestTimerReclaimEmailsThroughTheOutbox: a lead whose rep does not follow
// it up is reclaimed by its timer, and the former owner gets exactly one
// "reclaimed" e-mail, sent by the worker's mailer from the outbox the
// reclaim's transaction wrote: the lead's workflow schedules no activity
// for it (its history has none).
func TestTimerReclaimEmailsThroughTheOutbox(t *testing.T) {
	s, sg := apptest.NewMailStack(t)
	repID, rep := s.CreateRep("Otto", 5)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Outbox pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only","no_follow_up_after":"2s"}}`, repID))
	l := s.CreateLead(`{"company":"Outbox Machines","phone":"13800138123","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)
	s.WaitFor(20*time.Second, "the reclaim", func() bool { return s.GetLead(l.ID).Status == lead.StatusPooled })
	reclaimed := func() []sendgridtest.Mail {
		var out []sendgridtest.Mail
		for _, m := range sg.DeliveredTo("otto@example.com") {
			if m.CustomArgs["kind"] == lead.EmailReclaimed {
				out = append(out, m)
			}
		}
		return out
	}
	s.WaitFor(20*time.Second, "the former owner's e-mail", func() bool { return len(reclaimed()) > 0 })
	s.FinishLead(l.ID)
	// The outbox is the e-mail's only way out: once it is empty, no
	// second one is on its way.
	s.WaitFor(20*time.Second, "the outbox to be empty", func() bool {
		n, err := s.DB.OutboxQueued(context.Background())
		return err == nil && n == 0
	})

	if mails := reclaimed(); len(mails) != 1 || mails[0].CustomArgs["lead_id"] != l.ID {
		t.Fatalf("reclaimed e-mails to the former owner: %+v", mails)
	}
	for _, e := range settledHistory(t, s.TC, workflows.WorkflowID(l.ID)) {
		if e.GetEventType() != enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			continue
		}
		for _, p := range e.GetActivityTaskScheduledEventAttributes().GetInput().GetPayloads() {
			if strings.Contains(string(p.GetData()), lead.EmailReclaimed) {
				t.Fatalf("the lead's workflow scheduled the reclaim's e-mail itself: %s", p.GetData())
			}
		}
	}
	// This history (the reclaim's e-mail queued) is a recorded history of the replay test.
	apptest.RecordHistory(t, s.TC, workflows.WorkflowID(l.ID), "lead_reclaim_outbox")
}
