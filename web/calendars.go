package web

import "github.com/leadflow/leadflow/lead"

// CalendarsPage is the data of /calendars: every calendar, and the form
// that creates one (admins).
type CalendarsPage struct {
	Calendars []lead.Calendar
	Form      CalendarForm
	CanEdit   bool
	RequestID string
	Errors    map[string]string
}

// CalendarPage is the data of /calendars/{id}: the calendar's form
// (read-only unless CanEdit), the iCalendar upload, and its versions.
type CalendarPage struct {
	Calendar lead.Calendar
	Form     CalendarForm
	Versions []lead.CalendarVersion
	CanEdit  bool
	Errors   map[string]string
}

// CalendarForm is a calendar as its form shows it: each weekday's ranges
// as "09:00-12:00, 13:00-18:00", the dates one a line.
type CalendarForm struct {
	Name, TimeZone, Holidays, ExtraWorkingDays string
	Default                                    bool
	Version                                    int
	Days                                       []CalendarDay
	// Zones are suggestions for the time zone.
	Zones []string
}

// CalendarDay is one weekday's line of a calendar form.
type CalendarDay struct {
	Key, Hours string
}
