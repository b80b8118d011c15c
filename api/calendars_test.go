package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestCalendars: an admin creates a calendar (refusals name the field),
// changes it as new versions (a stale version is refused), adds holidays
// from an iCalendar file, makes it the default (one default at a time);
// a manager reads, a rep does not.
func TestCalendars(t *testing.T) {
	s := apptest.NewStack(t)
	for body, field := range map[string]string{
		`{"time_zone":"Asia/Shanghai","working_hours":{"mon":[["09:00","18:00"]]}}`:          "name",
		`{"name":"x","time_zone":"Mars/Base","working_hours":{"mon":[["09:00","18:00"]]}}`:   "time_zone",
		`{"name":"x","working_hours":{"mon":[["18:00","09:00"]]}}`:                           "working_hours.mon[0]",
		`{"name":"x","working_hours":{"funday":[["09:00","18:00"]]}}`:                        "working_hours.funday",
		`{"name":"x","working_hours":{"mon":[]}}`:                                            "working_hours",
		`{"name":"x","working_hours":{"mon":[["09:00","18:00"]]},"holidays":["10/01/2026"]}`: "holidays[0]",
		`{"name":"x","working_hours":{"mon":[["09:00","12:00"],["11:00","18:00"]]}}`:         "working_hours.mon[1]",
		`{"name":"x","working_hours":{"mon":[["9:00","18:00"]]}}`:                            "working_hours.mon[0]",
		`{"name":"x","working_hours":{"mon":[["09:00","18:00"]]},"holidays":"2026-10-01"}`:   "holidays",
	} {
		apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, body), 422), field)
	}
	var c lead.Calendar
	s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, `{"name":"Shanghai office",`+apptest.OfficeHours+`}`, "Idempotency-Key", "cal-1"), 201).JSON(t, &c)
	if c.Version != 1 || c.TimeZone != "Asia/Shanghai" || len(c.WorkingHours["mon"]) != 2 || c.Default {
		t.Fatalf("created %+v", c)
	}
	var again lead.Calendar
	s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, `{"name":"Shanghai office",`+apptest.OfficeHours+`}`, "Idempotency-Key", "cal-1"), 201).JSON(t, &again)
	if again.ID != c.ID {
		t.Fatalf("a retried create made another calendar")
	}
	apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, `{"name":"shanghai OFFICE",`+apptest.OfficeHours+`}`), 422), "name")

	// Versions: each change is one; a change made on an old version is refused.
	var v2 lead.Calendar
	s.Expect(s.Do("PATCH", "/api/v1/calendars/"+c.ID, s.Admin, `{"holidays":["2026-12-25","2026-10-01"],"version":1}`), 200).JSON(t, &v2)
	if v2.Version != 2 || strings.Join(v2.Holidays, ",") != "2026-10-01,2026-12-25" || len(v2.ExtraWorkingDays) != 1 {
		t.Fatalf("patched %+v", v2)
	}
	s.Expect(s.Do("PATCH", "/api/v1/calendars/"+c.ID, s.Admin, `{"holidays":[],"version":1}`), 409)
	ics := "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270103\r\nSUMMARY:元旦\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270104\r\nSUMMARY:元旦补班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	var v3 lead.Calendar
	s.Expect(s.Do("POST", "/api/v1/calendars/"+c.ID+"/ics", s.Admin, ics, "Content-Type", "text/calendar"), 200).JSON(t, &v3)
	if v3.Version != 3 || strings.Join(v3.Holidays, ",") != "2026-10-01,2026-12-25,2027-01-01,2027-01-02" ||
		strings.Join(v3.ExtraWorkingDays, ",") != "2026-10-10,2027-01-04" {
		t.Fatalf("after the ICS import %+v", v3)
	}
	apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/calendars/"+c.ID+"/ics", s.Admin, "not a calendar", "Content-Type", "text/calendar"), 422), "file")
	var versions struct{ Items []lead.CalendarVersion }
	s.Expect(s.Do("GET", "/api/v1/calendars/"+c.ID+"/versions", s.Admin, ""), 200).JSON(t, &versions)
	if len(versions.Items) != 3 || versions.Items[0].Version != 3 || versions.Items[2].Version != 1 ||
		len(versions.Items[2].Holidays) != 5 || versions.Items[0].CreatedBy == "" {
		t.Fatalf("versions %+v", versions.Items)
	}

	// One default at a time.
	var other lead.Calendar
	s.Expect(s.Do("PATCH", "/api/v1/calendars/"+c.ID, s.Admin, `{"default":true}`), 200)
	s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, `{"name":"Berlin office","default":true,"time_zone":"Europe/Berlin","working_hours":{"mon":[["08:00","16:00"]]}}`), 201).JSON(t, &other)
	var list struct{ Items []lead.Calendar }
	_, mgr := s.PoolStaff("Calmanager", lead.RoleManager)
	s.Expect(s.Do("GET", "/api/v1/calendars", mgr, ""), 200).JSON(t, &list)
	defaults := 0
	for _, x := range list.Items {
		if x.Default {
			defaults++
			if x.ID != other.ID {
				t.Fatalf("the default is %s, want the last one made default", x.Name)
			}
		}
	}
	if len(list.Items) != 2 || defaults != 1 {
		t.Fatalf("%d calendars, %d defaults", len(list.Items), defaults)
	}
	s.Expect(s.Do("PATCH", "/api/v1/calendars/"+c.ID, mgr, `{"default":true}`), 403)
	_, rep := s.CreateRep("Calrep", 5)
	s.Expect(s.Do("GET", "/api/v1/calendars", rep, ""), 403)
	s.Expect(s.Do("GET", "/api/v1/calendars/"+uuidZero, s.Admin, ""), 404)
	s.Expect(s.Do("GET", fmt.Sprintf("/api/v1/calendars/%s", "not-a-uuid"), s.Admin, ""), 404)
}
