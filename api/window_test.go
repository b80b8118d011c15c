package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestWaitingLeadsDistributedInArrivalOrder (erpnext_china PR #51): leads
// that come into a pool outside its working hours wait pooled; when the
// hours begin (here: the calendar is edited to open now) they are
// distributed in the order they arrived, whatever order their workflows'
// timers fire in.
func TestWaitingLeadsDistributedInArrivalOrder(t *testing.T) {
	s := apptest.NewStack(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	days := []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
	later := days[(int(time.Now().In(shanghai).Weekday())+3)%7] // open on one day, three days from today
	var cal lead.Calendar
	s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, fmt.Sprintf(`{"name":"Night office","time_zone":"Asia/Shanghai","working_hours":{%q:[["09:00","18:00"]]}}`, later)), 201).JSON(t, &cal)
	var members []string
	for _, name := range []string{"Ann", "Ben", "Cai"} {
		id, _ := s.CreateRep(name, 10)
		members = append(members, id)
	}
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"Night pool","scope":"global","member_ids":["%s"],"policy":{"distribution":"round_robin","distribute_in_working_hours":true,"calendar_id":%q}}`,
		strings.Join(members, `","`), cal.ID))

	var arrived []string
	for i := range 6 {
		var l lead.Lead
		s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, fmt.Sprintf(`{"company":"Night Arrival %d Trading","phone":"1380013%04d","country":"CN","pool_id":%q}`, i, 8100+i, poolID)), 201).JSON(t, &l)
		if l.Status != lead.StatusPooled || l.WaitingSince == nil {
			t.Fatalf("lead %d arrived at night: %+v", i, l)
		}
		arrived = append(arrived, l.ID)
	}
	var d lead.Detail
	s.Expect(s.Do("GET", "/api/v1/leads/"+arrived[0], s.Admin, ""), 200).JSON(t, &d)
	if !slices.ContainsFunc(d.Deadlines, func(x lead.Deadline) bool { return x.Kind == lead.DeadlineDistribute }) {
		t.Fatalf("a waiting lead without its distribute deadline: %+v", d.Deadlines)
	}

	// The hours begin: the calendar opens every day, all day.
	var open []string
	for _, day := range days {
		open = append(open, fmt.Sprintf(`%q:[["00:00","24:00"]]`, day))
	}
	s.Expect(s.Do("PATCH", "/api/v1/calendars/"+cal.ID, s.Admin, `{"working_hours":{`+strings.Join(open, ",")+`}}`), 200)
	s.WaitFor(60*time.Second, "every waiting lead distributed", func() bool {
		return len(s.LeadsOf("pool_id="+poolID+"&status=pooled")) == 0
	})
	type offer struct {
		lead, rep string
		event     int64
	}
	var offers []offer
	for _, id := range arrived {
		l := s.GetLead(id)
		if l.WaitingSince != nil || l.Status != lead.StatusOffered {
			t.Fatalf("after the hours began: %+v", l)
		}
		for _, e := range s.History(id) {
			if e.Type == lead.EventOffered {
				offers = append(offers, offer{id, l.OwnerID, e.ID})
			}
		}
	}
	if len(offers) != len(arrived) {
		t.Fatalf("%d offers for %d leads", len(offers), len(arrived))
	}
	for i := 1; i < len(offers); i++ {
		if offers[i].event < offers[i-1].event {
			t.Fatalf("lead %d was offered before lead %d, which arrived first: %+v", i, i-1, offers)
		}
	}
	// Round robin across the members, in that order.
	for i := 3; i < len(offers); i++ {
		if offers[i].rep != offers[i-3].rep {
			t.Fatalf("round robin broken: %+v", offers)
		}
	}
}
