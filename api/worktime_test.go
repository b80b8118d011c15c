package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// TestWorkingTimePolicy: a pool's policy counts "2 working days" on its
// calendar; the lead's deadlines say when, on which calendar version; an
// edit of the calendar moves them and starts the re-arming of the pool's
// running leads; bad spans and unknown calendars are refused by field.
func TestWorkingTimePolicy(t *testing.T) {
	s := apptest.NewStack(t)
	var cal lead.Calendar
	s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, `{"name":"Shanghai office",`+apptest.OfficeHours+`}`), 201).JSON(t, &cal)
	repID, rep := s.CreateRep("Wendy", 5)
	for body, field := range map[string]string{
		`{"policy":{"no_follow_up_after":"3 working weeks"}}`:                                 "policy.no_follow_up_after",
		`{"policy":{"calendar_id":"` + uuidZero + `"}}`:                                       "policy.calendar_id",
		`{"policy":{"remind_before":"3 working days","no_follow_up_after":"2 working days"}}`: "policy.remind_before",
	} {
		apptest.FieldProblem(t, s.Expect(s.Do("PATCH", "/api/v1/pools/"+lead.DefaultPoolID, s.Admin, body), 422), field)
	}
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Working pool","scope":"global","member_ids":[%q],"policy":{"distribution":"claim_only",`+
		`"no_follow_up_after":"2 working days","remind_before":"4 working hours","calendar_id":%q}}`, repID, cal.ID))
	l := s.CreateLead(`{"company":"Working Time Trading","phone":"13800137000","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)

	reclaim := func() (lead.Deadline, lead.Lead) {
		var d lead.Detail
		s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID, s.Admin, ""), 200).JSON(t, &d)
		for _, x := range d.Deadlines {
			if x.Kind == lead.DeadlineReclaim {
				return x, d.Lead
			}
		}
		t.Fatalf("no reclaim deadline: %+v", d.Deadlines)
		return lead.Deadline{}, d.Lead
	}
	d, got := reclaim()
	want, _ := cal.AddWorkingDays(*got.AssignedAt, 2)
	if !d.Due.Equal(want) || d.CalendarID != cal.ID || d.CalendarVersion != 1 || d.Reason != "no follow-up within 2 working days" {
		t.Fatalf("deadline %+v, want %v on version 1", d, want)
	}
	if got.Policy == nil || got.Policy.Calendar == nil || got.Policy.Calendar.ID != cal.ID {
		t.Fatalf("the lead's policy carries no calendar: %+v", got.Policy)
	}

	// The next working day becomes a holiday: the deadline moves a day on
	// version 2, and the pool's running leads are re-armed.
	next, _ := cal.AddWorkingDays(*got.AssignedAt, 1)
	holiday := next.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	var v2 lead.Calendar
	s.Expect(s.Do("PATCH", "/api/v1/calendars/"+cal.ID, s.Admin, fmt.Sprintf(`{"holidays":[%q]}`, holiday)), 200).JSON(t, &v2)
	d, _ = reclaim()
	want, _ = v2.AddWorkingDays(*got.AssignedAt, 2)
	if !d.Due.Equal(want) || d.CalendarVersion != 2 || !strings.Contains(d.Reason, "working days") {
		t.Fatalf("after the edit %+v, want %v on version 2", d, want)
	}
	pool := s.Pool(poolID)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run := s.TC.GetWorkflow(ctx, workflows.PolicyChangeWorkflowID(poolID, pool.UpdatedAt.UnixMicro()), "")
	if err := run.Get(ctx, nil); err != nil {
		t.Fatalf("the pool's leads were not re-armed: %v", err)
	}
}
