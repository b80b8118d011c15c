package console

import (
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's business-hours calendars: the list, a
// calendar's form with its iCalendar upload and versions. Each form calls
// the service method of its REST route (api/calendars.go): admins write,
// managers read.

// consoleCalendars registers the calendar pages and forms.
func (s *Server) consoleCalendars(get, post func(string, fiber.Handler)) {
	staff, admin := s.gated(service.GateStaff), s.gated(service.GateAdmin)
	get("/calendars", staff(s.calendarsPage))
	post("/calendars", admin(s.createCalendarForm))
	get("/calendars/:id", staff(s.calendarPage))
	post("/calendars/:id", admin(s.saveCalendarForm))
	post("/calendars/:id/ics", admin(s.calendarICSForm))
}

// calendarWeek is the order of a form's weekdays: Monday first.
var calendarWeek = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// calendarForm is calendar c as its form shows it.
func calendarForm(c lead.Calendar) web.CalendarForm {
	f := web.CalendarForm{Name: c.Name, TimeZone: c.TimeZone, Default: c.Default, Version: c.Version, Zones: web.CommonZones,
		Holidays: strings.Join(c.Holidays, "\n"), ExtraWorkingDays: strings.Join(c.ExtraWorkingDays, "\n")}
	for _, d := range calendarWeek {
		var ranges []string
		for _, r := range c.WorkingHours[d] {
			ranges = append(ranges, r[0]+"-"+r[1])
		}
		f.Days = append(f.Days, web.CalendarDay{Key: d, Hours: strings.Join(ranges, ", ")})
	}
	return f
}

// readCalendarForm is the change a calendar form asks for, and the form
// as typed; a weekday's line that is no list of ranges is refused by its
// field.
func readCalendarForm(c *fiber.Ctx) (service.CalendarChange, web.CalendarForm, error) {
	v := formValues(c, "name", "time_zone", "holidays", "extra_working_days", "default", "version")
	form := web.CalendarForm{Name: v["name"], TimeZone: v["time_zone"], Holidays: v["holidays"], ExtraWorkingDays: v["extra_working_days"],
		Default: v["default"] == "on", Zones: web.CommonZones}
	_, _ = fmt.Sscan(v["version"], &form.Version)
	hours := map[string][]lead.ClockRange{}
	var bad lead.Fields
	for _, d := range calendarWeek {
		line := strings.TrimSpace(c.FormValue("hours_" + d))
		form.Days = append(form.Days, web.CalendarDay{Key: d, Hours: line})
		hours[d] = []lead.ClockRange{}
		for _, part := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' || r == '，' }) {
			from, to, ok := strings.Cut(strings.TrimSpace(part), "-")
			if !ok {
				bad.Add("working_hours."+d, fmt.Sprintf("%q is not a range such as 09:00-18:00", strings.TrimSpace(part)))
				continue
			}
			hours[d] = append(hours[d], lead.ClockRange{strings.TrimSpace(from), strings.TrimSpace(to)})
		}
	}
	dates := func(s string) *[]string {
		out := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
		if out == nil {
			out = []string{}
		}
		return &out
	}
	in := service.CalendarChange{Name: &form.Name, TimeZone: &form.TimeZone, WorkingHours: &hours, Holidays: dates(form.Holidays),
		ExtraWorkingDays: dates(form.ExtraWorkingDays), Default: &form.Default}
	if form.Version > 0 {
		in.Version = &form.Version
	}
	return in, form, bad.Err()
}

func (s *Server) calendarsPage(c *fiber.Ctx) error {
	week := []lead.ClockRange{{"09:00", "12:00"}, {"13:00", "18:00"}}
	zone := localeOf(c).Zone.String()
	if zone == "Local" {
		zone = "UTC" // the server's own zone has no IANA name to offer
	}
	def := calendarForm(lead.Calendar{TimeZone: zone, WorkingHours: map[string][]lead.ClockRange{
		"mon": week, "tue": week, "wed": week, "thu": week, "fri": week}})
	return s.showCalendars(c, def, nil)
}

// showCalendars renders /calendars with the create form as typed and a refusal.
func (s *Server) showCalendars(c *fiber.Ctx, form web.CalendarForm, refusal error) error {
	me := httpx.Caller(c)
	cals, err := s.Service.Calendars(c.UserContext(), me)
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	d := web.CalendarsPage{Calendars: cals, Form: form, CanEdit: service.Allowed(me, service.GateAdmin) == nil,
		RequestID: uuid.NewString(), Errors: map[string]string{}}
	return showPage(c, "calendars", "calendars.title", "calendars", "", &d, &d.Errors, refusal)
}

// createCalendarForm creates a calendar, as POST /api/v1/calendars does.
func (s *Server) createCalendarForm(c *fiber.Ctx) error {
	in, form, err := readCalendarForm(c)
	if err == nil {
		var key string
		if key, err = requestKey(c); err == nil {
			var cal lead.Calendar
			if cal, err = s.Service.CreateCalendar(c.UserContext(), httpx.Caller(c), key, in); err == nil {
				return c.Redirect(calendarPath(cal.ID)+"?done=created", fiber.StatusSeeOther)
			}
		}
	}
	if webProblem(err) == nil {
		return err
	}
	return s.showCalendars(c, form, err)
}

func (s *Server) calendarPage(c *fiber.Ctx) error { return s.showCalendar(c, nil, nil) }

// showCalendar renders /calendars/{id}, with its form as typed (when not
// nil) and a refusal.
func (s *Server) showCalendar(c *fiber.Ctx, form *web.CalendarForm, refusal error) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	cal, err := s.Service.Calendar(ctx, me, c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	d := web.CalendarPage{Calendar: cal, Form: calendarForm(cal), CanEdit: service.Allowed(me, service.GateAdmin) == nil, Errors: map[string]string{}}
	if form != nil {
		d.Form = *form
	}
	if d.Versions, err = s.Service.CalendarVersions(ctx, me, cal.ID); err != nil {
		return err
	}
	notice := map[string]string{"created": "calendars.created", "saved": "calendars.saved", "ics": "calendars.imported"}[c.Query("done")]
	return showPage(c, "calendar", cal.Name, "calendars", notice, &d, &d.Errors, refusal)
}

// saveCalendarForm saves the form as the calendar's next version.
func (s *Server) saveCalendarForm(c *fiber.Ctx) error {
	in, form, err := readCalendarForm(c)
	if err == nil {
		if _, err = s.Service.UpdateCalendar(c.UserContext(), httpx.Caller(c), c.Params("id"), in); err == nil {
			return c.Redirect(calendarPath(c.Params("id"))+"?done=saved", fiber.StatusSeeOther)
		}
	}
	if webProblem(err) == nil {
		return err
	}
	return s.showCalendar(c, &form, err)
}

// calendarICSForm adds the holidays and worked days of an uploaded
// iCalendar file.
func (s *Server) calendarICSForm(c *fiber.Ctx) error {
	data, err := formFile(c, "file")
	if err == nil {
		if _, err = s.Service.ImportCalendarDays(c.UserContext(), httpx.Caller(c), c.Params("id"), data); err == nil {
			return c.Redirect(calendarPath(c.Params("id"))+"?done=ics", fiber.StatusSeeOther)
		}
	}
	if webProblem(err) == nil {
		return err
	}
	return s.showCalendar(c, nil, err)
}

// formFile is the content of the form's uploaded file field name; no
// file is refused by that field.
func formFile(c *fiber.Ctx, name string) ([]byte, error) {
	fh, err := c.FormFile(name)
	if err != nil {
		return nil, lead.Invalid(lead.FieldError{Field: name, Reason: "choose a file"})
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// calendarPath is the console page of calendar id.
func calendarPath(id string) string { return "/calendars/" + url.PathEscape(id) }
