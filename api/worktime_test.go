package api_test

import (
	"context"
	"fmt"
	"net/url"
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
	// The list's reclaim time (time frame and sort) is the working-time deadline.
	reclaimsAround := func(at time.Time) int {
		q := url.Values{"time_field": {"reclaim"}, "created_from": {at.Add(-time.Minute).Format(time.RFC3339)},
			"created_to": {at.Add(time.Minute).Format(time.RFC3339)}, "sort": {"reclaim"}, "company": {"Working Time Trading"}}
		return len(s.LeadsOf(q.Encode()))
	}
	if n := reclaimsAround(want); n != 1 {
		t.Fatalf("%d leads are reclaimed around %v in the list, want the working-time lead", n, want)
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
	if n := reclaimsAround(want); n != 1 {
		t.Fatalf("after the calendar edit the list has %d leads reclaimed around %v, want the re-armed lead", n, want)
	}
	// A rep claiming says when they expect to follow up in working time:
	// counted from now on the pool's calendar; a bad span, or both forms, are refused by field.
	l2 := s.CreateLead(`{"company":"Expected Follow Up Trading","phone":"13800137001","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l2.ID+"/transfer", s.Admin, fmt.Sprintf(`{"pool_id":%q}`, poolID)), 200)
	apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/leads/"+l2.ID+"/claim", rep, `{"expected_follow_up_in":"3 working weeks"}`), 422), "expected_follow_up_in")
	apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/leads/"+l2.ID+"/claim", rep,
		`{"expected_follow_up_in":"1 working day","expected_follow_up_at":"2030-01-01T00:00:00Z"}`), 422), "expected_follow_up_in")
	before := time.Now()
	var claimed lead.Lead
	s.Expect(s.Do("POST", "/api/v1/leads/"+l2.ID+"/claim", rep, `{"expected_follow_up_in":"1 working day"}`), 200).JSON(t, &claimed)
	lo, _ := v2.AddWorkingDays(before, 1)
	hi, _ := v2.AddWorkingDays(time.Now(), 1)
	if claimed.ExpectedFollowUpAt == nil || claimed.ExpectedFollowUpAt.Before(lo) || claimed.ExpectedFollowUpAt.After(hi) {
		t.Fatalf("expected follow-up %v, want one working day from the claim (%v to %v)", claimed.ExpectedFollowUpAt, lo, hi)
	}

	// A follow-up moves it two working days on from now.
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, `{"type":"call","content":"reached them"}`), 201)
	d, _ = reclaim()
	if n := reclaimsAround(d.Due); n != 1 || d.Due.Equal(want) {
		t.Fatalf("after a follow-up the deadline is %v (was %v) and the list has %d leads around it", d.Due, want, n)
	}
}

// TestTeamCalendar: a team names its calendar; its pools without one of
// their own count working time on it, and the change re-arms them; an
// unknown calendar is refused by field, a manager may not set it.
func TestTeamCalendar(t *testing.T) {
	s := apptest.NewStack(t)
	var office, berlin lead.Calendar
	s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, `{"name":"Shanghai office","default":true,`+apptest.OfficeHours+`}`), 201).JSON(t, &office)
	s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, `{"name":"Berlin office","time_zone":"Europe/Berlin","working_hours":{"mon":[["08:00","16:00"]],"tue":[["08:00","16:00"]]}}`), 201).JSON(t, &berlin)
	team := s.MailTeam("Europe")
	apptest.FieldProblem(t, s.Expect(s.Do("PATCH", "/api/v1/teams/"+team, s.Admin, `{"calendar_id":"`+uuidZero+`"}`), 422), "calendar_id")
	mgrID, mgr := s.MailUser("Mona", "manager")
	s.Expect(s.Do("PATCH", "/api/v1/users/"+mgrID, s.Admin, `{"team_id":"`+team+`"}`), 200)
	s.Expect(s.Do("PATCH", "/api/v1/teams/"+team, mgr, `{"calendar_id":"`+berlin.ID+`"}`), 403)

	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Europe pool","scope":"team","team_id":%q,"policy":{"distribution":"claim_only","no_follow_up_after":"1 working day"}}`, team))
	calendarOf := func() string {
		var l lead.Lead
		body := fmt.Sprintf(`{"company":"Team Calendar %s GmbH","phone":"+49301234%04d","country":"DE","pool_id":%q}`, uuidZero[:4], time.Now().Nanosecond()%10000, poolID)
		s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, body), 201).JSON(t, &l)
		if l.Policy == nil || l.Policy.Calendar == nil {
			t.Fatalf("the lead's policy has no calendar: %+v", l.Policy)
		}
		return l.Policy.Calendar.ID
	}
	if got := calendarOf(); got != office.ID {
		t.Fatalf("without a team calendar the default counts; got %s", got)
	}
	var got lead.Team
	s.Expect(s.Do("PATCH", "/api/v1/teams/"+team, s.Admin, `{"calendar_id":"`+berlin.ID+`"}`), 200).JSON(t, &got)
	if got.CalendarID != berlin.ID {
		t.Fatalf("team %+v", got)
	}
	if c := calendarOf(); c != berlin.ID {
		t.Fatalf("the team's pool counts on %s, want the team's calendar", c)
	}
	pool := s.Pool(poolID)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.TC.GetWorkflow(ctx, workflows.PolicyChangeWorkflowID(poolID, pool.UpdatedAt.UnixMicro()), "").Get(ctx, nil); err != nil {
		t.Fatalf("the team's pool was not re-armed: %v", err)
	}
}
