package console_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestConsoleCalendars: an admin creates a calendar with the form (a bad
// range refused next to its weekday), saves a change as a new version and
// imports holidays from an iCalendar file; a manager reads it without a
// form; a rep does not get the pages.
func TestConsoleCalendars(t *testing.T) {
	s := apptest.NewStack(t)
	b := s.Browser()
	b.SignIn(s.Admin, "/calendars")
	page := s.Expect(b.Get("/calendars"), 200)
	apptest.WantText(t, page, `id="empty"`, `id="create-calendar-form"`, `value="09:00-12:00, 13:00-18:00"`)
	form := url.Values{"name": {"Shanghai office"}, "time_zone": {"Asia/Shanghai"}, "hours_mon": {"9-18"}, "hours_tue": {"09:00-12:00, 13:00-18:00"},
		"holidays": {"2026-10-01\n2026-10-02"}, "extra_working_days": {"2026-10-10"}, "default": {"on"}, "request_id": {"cal-form-1"}}
	refused := s.Expect(b.Post(page, "/calendars", form), 422)
	apptest.WantText(t, refused, `id="err-working_hours-mon"`, "is not a time of day", `value="9-18"`)
	form.Set("hours_mon", "09:00-18:00")
	done := b.Post(page, "/calendars", form)
	loc := done.Header.Get("Location")
	if done.Status != 303 || !regexp.MustCompile(`^/calendars/[0-9a-f-]+\?done=created$`).MatchString(loc) {
		t.Fatalf("create: %d to %q", done.Status, loc)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/calendars/"), "?done=created")
	if again := b.Post(page, "/calendars", form); again.Header.Get("Location") != loc {
		t.Fatalf("the form sent twice made another calendar: %q", again.Header.Get("Location"))
	}
	page = s.Expect(b.Get(loc), 200)
	apptest.WantText(t, page, "The calendar is created.", `value="09:00-18:00"`, "2026-10-01\n2026-10-02", `id="save-calendar"`, `id="ics-form"`)

	edit := url.Values{"name": {"Shanghai office"}, "time_zone": {"Asia/Shanghai"}, "hours_mon": {"09:00-18:00"}, "hours_sat": {"10:00-14:00"},
		"holidays": {"2026-10-01, 2026-12-25"}, "version": {"1"}, "default": {"on"}}
	apptest.WantRedirect(t, b.Post(page, "/calendars/"+id, edit), "/calendars/"+id+"?done=saved")
	s.Expect(b.Post(page, "/calendars/"+id, edit), 409) // made on version 1, which is gone
	ics := []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:元旦\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	apptest.WantRedirect(t, b.Upload(page, "/calendars/"+id+"/ics", "holidays.ics", ics), "/calendars/"+id+"?done=ics")
	apptest.WantText(t, s.Expect(b.Upload(page, "/calendars/"+id+"/ics", "x.ics", []byte("nope")), 422), `id="err-file"`)
	var cal lead.Calendar
	s.Expect(s.Do("GET", "/api/v1/calendars/"+id, s.Admin, ""), 200).JSON(t, &cal)
	if cal.Version != 3 || strings.Join(cal.Holidays, ",") != "2026-10-01,2026-12-25,2027-01-01" || len(cal.WorkingHours["sat"]) != 1 || !cal.Default {
		t.Fatalf("after the forms: %+v", cal)
	}

	_, mgr := s.PoolStaff("Calmgr", lead.RoleManager)
	m := s.Browser()
	m.SignIn(mgr, "/calendars")
	page = s.Expect(m.Get("/calendars/"+id), 200)
	apptest.WantText(t, page, "Shanghai office", `id="calendar-versions"`)
	if body := string(page.Body); strings.Contains(body, `id="save-calendar"`) || strings.Contains(body, `id="ics-form"`) {
		t.Fatal("a manager sees the calendar's forms")
	}
	s.Expect(m.Post(page, "/calendars/"+id, edit), 403)
	_, rep := s.CreateRep("Calrep", 5)
	r := s.Browser()
	r.SignIn(rep, "/leads")
	s.Expect(r.Get("/calendars"), 403)
}

// TestConsoleTeamCalendar: the admin picks a team's calendar on its page;
// a manager sees it without the form.
func TestConsoleTeamCalendar(t *testing.T) {
	s := apptest.NewStack(t)
	var cal lead.Calendar
	s.Expect(s.Do("POST", "/api/v1/calendars", s.Admin, `{"name":"Shanghai office",`+apptest.OfficeHours+`}`), 201).JSON(t, &cal)
	team := "/teams/" + s.MailTeam("East")
	b := s.Browser()
	b.SignIn(s.Admin, team)
	page := s.Expect(b.Get(team), 200)
	apptest.WantText(t, page, `id="team-calendar-form"`, "Shanghai office", `id="save-team-calendar"`)
	apptest.WantText(t, s.Expect(b.Post(page, team+"/calendar", url.Values{"calendar_id": {"00000000-0000-0000-0000-000000000000"}}), 422), "is not a calendar")
	apptest.WantRedirect(t, b.Post(page, team+"/calendar", url.Values{"calendar_id": {cal.ID}}), team+"?done=calendar")
	apptest.WantText(t, s.Expect(b.Get(team+"?done=calendar"), 200), "calendar is saved", `value="`+cal.ID+`" selected`)
	_, mgr := s.PoolStaff("Tcmgr", lead.RoleManager)
	m := s.Browser()
	m.SignIn(mgr, team)
	page = s.Expect(m.Get(team), 200)
	if strings.Contains(string(page.Body), `id="save-team-calendar"`) {
		t.Fatal("a manager gets the calendar's form")
	}
	s.Expect(m.Post(page, team+"/calendar", url.Values{"calendar_id": {""}}), 403)
}
