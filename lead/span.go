package lead

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Span is the length of a pool policy's timer: wall-clock time as a
// Duration ("36h", "7d"), or working time counted on the pool's calendar
// (Calendar): "3 working days" (the same clock time three working days
// later, skipping closed days) or "4 working hours" (counted inside
// working hours only). The zero Span is off.
type Span struct {
	Wall         Duration
	WorkingDays  int
	WorkingHours Duration
}

// Wall is a wall-clock span of d.
func Wall(d time.Duration) Span { return Span{Wall: Duration(d)} }

// ParseSpan reads "36h", "7d", "1 working day", "3 working days",
// "4 working hours", "90 working minutes" (and 工作日 / 个工作日 /
// 工作小时 for the Chinese-speaking admin).
func ParseSpan(s string) (Span, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	t = strings.NewReplacer("个工作日", " working days", "工作日", " working days", "个工作小时", " working hours", "工作小时", " working hours").Replace(t)
	if n, unit, ok := strings.Cut(t, " working "); ok {
		v, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil || v < 0 {
			return Span{}, durationError(s, "want forms like 36h, 7d, 3 working days, 4 working hours")
		}
		switch strings.TrimSpace(unit) {
		case "day", "days":
			return Span{WorkingDays: v}, nil
		case "hour", "hours":
			return Span{WorkingHours: Duration(time.Duration(v) * time.Hour)}, nil
		case "minute", "minutes":
			return Span{WorkingHours: Duration(time.Duration(v) * time.Minute)}, nil
		}
		return Span{}, durationError(s, "working time is counted in days, hours or minutes")
	}
	d, err := ParseDuration(s)
	return Span{Wall: d}, err
}

// Working reports whether the span counts working time.
func (s Span) Working() bool { return s.WorkingDays > 0 || s.WorkingHours > 0 }

// On reports whether the timer is set.
func (s Span) On() bool { return s.Wall > 0 || s.Working() }

// String writes s as ParseSpan reads it ("" when off).
func (s Span) String() string {
	switch {
	case s.WorkingDays == 1:
		return "1 working day"
	case s.WorkingDays > 0:
		return fmt.Sprintf("%d working days", s.WorkingDays)
	case s.WorkingHours > 0:
		h := time.Duration(s.WorkingHours)
		if h%time.Hour == 0 {
			if h == time.Hour {
				return "1 working hour"
			}
			return fmt.Sprintf("%d working hours", h/time.Hour)
		}
		return fmt.Sprintf("%d working minutes", h/time.Minute)
	}
	return s.Wall.String()
}

// After is when the span has passed after start: wall-clock time as is,
// working time on cal (with no calendar, a working day is 24 hours and a
// working hour an hour: the wall-clock reading of the same words).
func (s Span) After(start time.Time, cal *Calendar) time.Time {
	if !s.Working() || cal == nil {
		return start.Add(s.wall())
	}
	var t time.Time
	var err error
	if s.WorkingDays > 0 {
		t, err = cal.AddWorkingDays(start, s.WorkingDays)
	} else {
		t, err = cal.AddWorkingHours(start, time.Duration(s.WorkingHours))
	}
	if err != nil {
		return start.Add(s.wall())
	}
	return t
}

// Before is when the span ends before end: for a reminder "remind_before"
// of a deadline. Working time is counted back on cal as After counts
// forward (working days: the same clock time that many working days
// before; working hours: wall-clock hours, which a reminder may spend
// outside working hours).
func (s Span) Before(end time.Time, cal *Calendar) time.Time {
	if s.WorkingDays > 0 && cal != nil {
		if t, err := cal.AddWorkingDays(end, -s.WorkingDays); err == nil {
			return t
		}
	}
	return end.Add(-s.wall())
}

// MarshalJSON writes s as a string such as "7d" or "3 working days".
func (s Span) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads a string ParseSpan reads, or a number of seconds.
func (s *Span) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		var d Duration
		if err := d.UnmarshalJSON(b); err != nil {
			return err
		}
		*s = Span{Wall: d}
		return nil
	}
	v, err := ParseSpan(str)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// IsZero lets encoding/json's omitzero leave an unset span out.
func (s Span) IsZero() bool { return !s.On() }

// Shorter reports whether s is shorter than t: compared in their own
// unit when both count the same way, else by their wall-clock reading (a
// working day as 24 hours), which is what a reminder before a deadline needs.
func (s Span) Shorter(t Span) bool {
	switch {
	case s.WorkingDays > 0 && t.WorkingDays > 0:
		return s.WorkingDays < t.WorkingDays
	case s.WorkingHours > 0 && t.WorkingHours > 0:
		return s.WorkingHours < t.WorkingHours
	}
	return s.wall() < t.wall()
}

// wall is the wall-clock reading of s: a working day as 24 hours.
func (s Span) wall() time.Duration {
	return time.Duration(s.Wall) + time.Duration(s.WorkingDays)*24*time.Hour + time.Duration(s.WorkingHours)
}
