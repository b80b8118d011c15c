package lead

import (
	"errors"
	"slices"
	"time"
)

// The arithmetic of working time: one pure function of a calendar, a
// start and an amount (Calendar.Add), deterministic, so the lead's
// workflow, the console and the API compute the same deadline.

// maxCalendarDays bounds a search for working time (ten years): a
// calendar whose holidays leave no working day in reach has no deadline.
const maxCalendarDays = 3660

// ErrNoWorkingTime: the calendar has no working time within ten years of
// the start.
var ErrNoWorkingTime = errors.New("the calendar has no working time within ten years")

// day is the working ranges of one date, in minutes after midnight.
type day [][2]int

// dayOf is the working ranges of the date of t (in the calendar's zone).
func (c *Calendar) dayOf(t time.Time) day {
	date := t.Format(dateLayout)
	if slices.Contains(c.Holidays, date) {
		return nil
	}
	ranges := c.WorkingHours[Weekdays[t.Weekday()]]
	if len(ranges) == 0 && slices.Contains(c.ExtraWorkingDays, date) {
		for _, wd := range []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} {
			if ranges = c.WorkingHours[wd]; len(ranges) > 0 {
				break
			}
		}
	}
	out := make(day, 0, len(ranges))
	for _, r := range ranges {
		if from, to, err := r.minutes(); err == nil {
			out = append(out, [2]int{from, to})
		}
	}
	return out
}

// location is the calendar's zone (UTC when it has none or a bad one).
func (c *Calendar) location() *time.Location {
	if loc, err := time.LoadLocation(c.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// at is the instant of minute m after midnight of the date of d, in loc:
// a clock time a DST change skips lands after the gap, one it repeats on
// its first occurrence, as time.Date does.
func at(d time.Time, m int, loc *time.Location) time.Time {
	y, mo, dd := d.Date()
	return time.Date(y, mo, dd, m/60, m%60, 0, 0, loc)
}

// IsWorkingDay says whether the date of t (in the calendar's zone) has
// working hours.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	return len(c.dayOf(t.In(c.location()))) > 0
}

// AddWorkingDays is the same clock time (in the calendar's zone) on the
// n-th working day after start's date (before it, for a negative n),
// skipping closed days.
func (c *Calendar) AddWorkingDays(start time.Time, n int) (time.Time, error) {
	loc := c.location()
	s := start.In(loc)
	h, m, sec := s.Clock()
	d := s
	step := 1
	if n < 0 {
		n, step = -n, -1
	}
	for i := 0; n > 0; i++ {
		if i > maxCalendarDays {
			return time.Time{}, ErrNoWorkingTime
		}
		y, mo, dd := d.Date()
		d = time.Date(y, mo, dd+step, 12, 0, 0, 0, loc) // noon: no DST change moves it to another date
		if len(c.dayOf(d)) > 0 {
			n--
		}
	}
	y, mo, dd := d.Date()
	return time.Date(y, mo, dd, h, m, sec, s.Nanosecond(), loc), nil
}

// AddWorkingHours is the instant when amount of working time has passed
// after start, counting only inside the calendar's working ranges. A
// start outside working hours begins counting when the next range opens.
func (c *Calendar) AddWorkingHours(start time.Time, amount time.Duration) (time.Time, error) {
	loc := c.location()
	t := start.In(loc)
	left := amount
	for i := 0; i <= maxCalendarDays; i++ {
		noon := at(t, 12*60, loc)
		if i > 0 {
			y, mo, dd := t.Date()
			noon = time.Date(y, mo, dd+i, 12, 0, 0, 0, loc)
		}
		for _, r := range c.dayOf(noon) {
			from, to := at(noon, r[0], loc), at(noon, r[1], loc)
			if i == 0 && !to.After(t) {
				continue
			}
			if i == 0 && from.Before(t) {
				from = t
			}
			if span := to.Sub(from); span >= left {
				return from.Add(left), nil
			} else {
				left -= span
			}
		}
	}
	return time.Time{}, ErrNoWorkingTime
}

// NextWorkingTime is t when it falls inside working hours, else when the
// next working range opens: when a reminder outside working hours is
// sent, or a lead that arrived at night is distributed.
func (c *Calendar) NextWorkingTime(t time.Time) (time.Time, error) {
	return c.AddWorkingHours(t, 0)
}
