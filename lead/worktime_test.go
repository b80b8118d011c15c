package lead

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func officeCalendar(zone string) *Calendar {
	week := []ClockRange{{"09:00", "12:00"}, {"13:00", "18:00"}}
	return &Calendar{Name: "office", TimeZone: zone, WorkingHours: map[string][]ClockRange{
		"mon": week, "tue": week, "wed": week, "thu": week, "fri": week, "sat": {}, "sun": {}},
		// 2026's National Day week, and the Saturday worked for it (调休).
		Holidays:         []string{"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"},
		ExtraWorkingDays: []string{"2026-10-10"},
	}
}

// TestCalendarAdd: the working-time arithmetic, in the calendar's zone,
// across week-ends, holidays, a worked Saturday and DST changes.
func TestCalendarAdd(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	ny, _ := time.LoadLocation("America/New_York")
	shanghai, newYork := officeCalendar("Asia/Shanghai"), officeCalendar("America/New_York")
	for _, c := range []struct {
		name  string
		cal   *Calendar
		start time.Time
		days  int
		hours time.Duration
		want  time.Time
	}{
		{"Friday 18:00 + 2 working days is Tuesday 18:00, not Sunday", shanghai,
			time.Date(2026, 9, 11, 18, 0, 0, 0, sh), 2, 0, time.Date(2026, 9, 15, 18, 0, 0, 0, sh)},
		{"a start given in UTC is counted in the calendar's zone", shanghai,
			time.Date(2026, 9, 11, 10, 0, 0, 0, time.UTC), 2, 0, time.Date(2026, 9, 15, 18, 0, 0, 0, sh)},
		{"a holiday moves it one more day", shanghai,
			time.Date(2026, 9, 30, 18, 0, 0, 0, sh), 1, 0, time.Date(2026, 10, 8, 18, 0, 0, 0, sh)},
		{"the worked Saturday counts", shanghai,
			time.Date(2026, 10, 9, 18, 0, 0, 0, sh), 1, 0, time.Date(2026, 10, 10, 18, 0, 0, 0, sh)},
		{"from a Saturday, the first working day is Monday", shanghai,
			time.Date(2026, 9, 12, 10, 30, 0, 0, sh), 1, 0, time.Date(2026, 9, 14, 10, 30, 0, 0, sh)},
		{"4 working hours from 16:00 Friday end Monday 11:00", shanghai,
			time.Date(2026, 9, 11, 16, 0, 0, 0, sh), 0, 4 * time.Hour, time.Date(2026, 9, 14, 11, 0, 0, 0, sh)},
		{"the lunch break does not count", shanghai,
			time.Date(2026, 9, 14, 11, 0, 0, 0, sh), 0, 2 * time.Hour, time.Date(2026, 9, 14, 14, 0, 0, 0, sh)},
		{"a start at night counts from the morning", shanghai,
			time.Date(2026, 9, 14, 23, 0, 0, 0, sh), 0, 30 * time.Minute, time.Date(2026, 9, 15, 9, 30, 0, 0, sh)},
		{"hours that end with the day end at its close", shanghai,
			time.Date(2026, 9, 14, 13, 0, 0, 0, sh), 0, 5 * time.Hour, time.Date(2026, 9, 14, 18, 0, 0, 0, sh)},
		{"hours across the holiday week", shanghai,
			time.Date(2026, 9, 30, 17, 0, 0, 0, sh), 0, 2 * time.Hour, time.Date(2026, 10, 8, 10, 0, 0, 0, sh)},
		{"working days keep the clock time across spring forward", newYork,
			time.Date(2026, 3, 6, 10, 0, 0, 0, ny), 1, 0, time.Date(2026, 3, 9, 10, 0, 0, 0, ny)},
		{"working hours across spring forward count 8 working hours a day", newYork,
			time.Date(2026, 3, 6, 17, 0, 0, 0, ny), 0, 2 * time.Hour, time.Date(2026, 3, 9, 10, 0, 0, 0, ny)},
		{"working days keep the clock time across fall back", newYork,
			time.Date(2026, 10, 30, 9, 15, 0, 0, ny), 1, 0, time.Date(2026, 11, 2, 9, 15, 0, 0, ny)},
	} {
		var got time.Time
		var err error
		if c.days > 0 {
			got, err = c.cal.AddWorkingDays(c.start, c.days)
		} else {
			got, err = c.cal.AddWorkingHours(c.start, c.hours)
		}
		if err != nil || !got.Equal(c.want) {
			t.Errorf("%s: got %v (%v), want %v", c.name, got.In(c.want.Location()), err, c.want)
		}
	}
}

// TestCalendarEditedWhileWaiting: the same start on the calendar before and
// after a holiday is added gives the later deadline, so re-arming the
// timers of waiting leads moves them.
func TestCalendarEditedWhileWaiting(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	cal := officeCalendar("Asia/Shanghai")
	start := time.Date(2026, 9, 10, 18, 0, 0, 0, sh) // Thursday
	before, _ := cal.AddWorkingDays(start, 2)
	cal.Holidays = append(cal.Holidays, "2026-09-14")
	after, _ := cal.AddWorkingDays(start, 2)
	if !before.Equal(time.Date(2026, 9, 14, 18, 0, 0, 0, sh)) || !after.Equal(time.Date(2026, 9, 15, 18, 0, 0, 0, sh)) {
		t.Fatalf("before the edit %v, after %v", before, after)
	}
}

// TestNextWorkingTime: inside hours it is the time itself, outside it is
// when the next range opens.
func TestNextWorkingTime(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	cal := officeCalendar("Asia/Shanghai")
	for start, want := range map[time.Time]time.Time{
		time.Date(2026, 9, 14, 10, 0, 0, 0, sh):  time.Date(2026, 9, 14, 10, 0, 0, 0, sh),
		time.Date(2026, 9, 14, 12, 30, 0, 0, sh): time.Date(2026, 9, 14, 13, 0, 0, 0, sh),
		time.Date(2026, 9, 11, 20, 0, 0, 0, sh):  time.Date(2026, 9, 14, 9, 0, 0, 0, sh),
		time.Date(2026, 9, 30, 18, 0, 0, 0, sh):  time.Date(2026, 10, 8, 9, 0, 0, 0, sh),
	} {
		if got, err := cal.NextWorkingTime(start); err != nil || !got.Equal(want) {
			t.Errorf("after %v: %v (%v), want %v", start, got, err, want)
		}
		if cal.IsWorkingDay(start) == (start.Weekday() == time.Saturday) && start.Month() == 9 {
			t.Errorf("IsWorkingDay(%v) = %v", start, cal.IsWorkingDay(start))
		}
	}
}

// TestCalendarNoWorkingTime: a calendar with no working day in reach
// says so rather than looping.
func TestCalendarNoWorkingTime(t *testing.T) {
	cal := &Calendar{TimeZone: "UTC", WorkingHours: map[string][]ClockRange{"mon": {{"09:00", "17:00"}}}}
	for d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2037; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday {
			cal.Holidays = append(cal.Holidays, d.Format(dateLayout))
		}
	}
	if _, err := cal.AddWorkingDays(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 1); !errors.Is(err, ErrNoWorkingTime) {
		t.Fatalf("working days: %v", err)
	}
	if _, err := cal.AddWorkingHours(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Hour); !errors.Is(err, ErrNoWorkingTime) {
		t.Fatalf("working hours: %v", err)
	}
}

// TestCalendarClean: each bad field is named.
func TestCalendarClean(t *testing.T) {
	good := officeCalendar("Asia/Shanghai")
	if err := good.Clean(); err != nil {
		t.Fatal(err)
	}
	bad := &Calendar{Name: " ", TimeZone: "Mars/Olympus", WorkingHours: map[string][]ClockRange{
		"mon": {{"09:00", "08:00"}}, "tue": {{"9am", "18:00"}}, "wed": {{"09:00", "12:00"}, {"11:00", "13:00"}}, "xyz": {{"09:00", "10:00"}}},
		Holidays: []string{"2026-13-01", "2026-10-01"}, ExtraWorkingDays: []string{"2026-10-01"}}
	err := bad.Clean()
	fields, _ := FieldsOf(err)
	var named []string
	for _, f := range fields {
		named = append(named, f.Field)
	}
	for _, want := range []string{"name", "time_zone", "working_hours.mon[0]", "working_hours.tue[0]", "working_hours.wed[1]",
		"working_hours.xyz", "holidays[0]", "extra_working_days"} {
		if !strings.Contains(strings.Join(named, " "), want) {
			t.Errorf("%s is not named in %v", want, named)
		}
	}
}

// TestParseICS: all-day events are holidays (DTEND exclusive), the
// events that say the day is worked are extra working days, folded lines
// are read.
func TestParseICS(t *testing.T) {
	ics := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261004\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261010\r\nSUMMARY:国庆节补\r\n 班\r\nEND:VEVENT\r\n" +
		"BEGIN:VEVENT\r\nDTSTART:20261225T000000Z\r\nSUMMARY:Christmas\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	holidays, workdays, err := ParseICS([]byte(ics))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(holidays, ",") != "2026-10-01,2026-10-02,2026-10-03,2026-12-25" || strings.Join(workdays, ",") != "2026-10-10" {
		t.Fatalf("holidays %v, working days %v", holidays, workdays)
	}
	for _, bad := range []string{"hello", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026\nEND:VEVENT\n", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\n"} {
		if _, _, err := ParseICS([]byte(bad)); err == nil {
			t.Errorf("%q was read", bad)
		}
	}
}
