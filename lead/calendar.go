package lead

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Calendar is a business-hours calendar: when a team or a pool works, in
// its time zone, with its holidays and the weekend days worked instead
// (China's 调休). Working-time durations ("3 working days", "4 working
// hours") are counted on it (Calendar.Add). JSON:
//
//	{"name": "Shanghai office", "time_zone": "Asia/Shanghai",
//	 "working_hours": {"mon": [["09:00","12:00"],["13:00","18:00"]], …, "sun": []},
//	 "holidays": ["2026-10-01"], "extra_working_days": ["2026-10-10"]}
type Calendar struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
	// WorkingHours are each weekday's working ranges (mon … sun), in order.
	WorkingHours map[string][]ClockRange `json:"working_hours"`
	// Holidays are dates (YYYY-MM-DD) with no working hours.
	Holidays []string `json:"holidays"`
	// ExtraWorkingDays are dates worked although their weekday is not;
	// they take the working hours of the first weekday that has some.
	ExtraWorkingDays []string `json:"extra_working_days"`
	// Default: the calendar of the teams and pools that name none.
	Default bool `json:"default"`
	// Version counts the calendar's changes (1 when created).
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Weekdays are the keys of Calendar.WorkingHours, Sunday first as
// time.Weekday counts.
var Weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ClockRange is a working range of a day: ["09:00", "18:00"]. End "24:00"
// is midnight at the end of the day.
type ClockRange [2]string

// minutes is the range as minutes after midnight.
func (r ClockRange) minutes() (from, to int, err error) {
	if from, err = clockMinutes(r[0]); err == nil {
		to, err = clockMinutes(r[1])
	}
	return from, to, err
}

func clockMinutes(s string) (int, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	return h*60 + m, nil
}

// dateLayout is how Holidays and ExtraWorkingDays are written.
const dateLayout = "2006-01-02"

// Clean checks the calendar, naming each bad field, and puts its lists in
// order without repeats. A calendar must have working hours on at least
// one weekday.
func (c *Calendar) Clean() error {
	var f Fields
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		f.Add("name", "is required")
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || strings.EqualFold(c.TimeZone, "local") {
		f.Add("time_zone", fmt.Sprintf("%q is not an IANA time zone such as Asia/Shanghai", c.TimeZone))
	}
	worked := false
	for day, ranges := range c.WorkingHours {
		if !slices.Contains(Weekdays, day) {
			f.Add("working_hours."+day, "is not a weekday: use mon, tue, wed, thu, fri, sat, sun")
			continue
		}
		end := -1
		for i, r := range ranges {
			from, to, err := r.minutes()
			switch {
			case err != nil:
				f.Add(fmt.Sprintf("working_hours.%s[%d]", day, i), err.Error())
			case from >= to:
				f.Add(fmt.Sprintf("working_hours.%s[%d]", day, i), "must end after it starts")
			case from < end:
				f.Add(fmt.Sprintf("working_hours.%s[%d]", day, i), "overlaps or comes before the range before it")
			default:
				end, worked = to, true
			}
		}
	}
	if !worked {
		f.Add("working_hours", "needs working hours on at least one weekday")
	}
	for _, list := range []struct {
		name  string
		dates *[]string
	}{{"holidays", &c.Holidays}, {"extra_working_days", &c.ExtraWorkingDays}} {
		for i, d := range *list.dates {
			if _, err := time.Parse(dateLayout, d); err != nil {
				f.Add(fmt.Sprintf("%s[%d]", list.name, i), fmt.Sprintf("%q is not a date YYYY-MM-DD", d))
			}
		}
		*list.dates = slices.Compact(slices.Sorted(slices.Values(*list.dates)))
		if *list.dates == nil {
			*list.dates = []string{}
		}
	}
	for _, d := range c.Holidays {
		if slices.Contains(c.ExtraWorkingDays, d) {
			f.Add("extra_working_days", fmt.Sprintf("%s is a holiday too", d))
		}
	}
	return f.Err()
}

// CalendarVersion is one version of a calendar as it was saved, and who saved it.
type CalendarVersion struct {
	Calendar
	CreatedBy string `json:"created_by,omitempty"`
}
