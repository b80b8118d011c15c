package lead

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ParseICS reads the all-day events of an iCalendar file (RFC 5545) as
// dates: holidays, and extra working days for the events whose summary
// says the day is worked (补班, 上班, "working day"), as the Chinese
// public-holiday calendars publish 调休. An event spans DTSTART up to,
// not including, DTEND (one day without DTEND). Events with a time of day
// count for their start's date.
func ParseICS(data []byte) (holidays, workdays []string, err error) {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(lines) > 0 {
			lines[len(lines)-1] += line[1:] // an unfolded continuation
			continue
		}
		lines = append(lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if len(lines) == 0 || !strings.EqualFold(strings.TrimSpace(lines[0]), "BEGIN:VCALENDAR") {
		return nil, nil, fmt.Errorf("not an iCalendar file: it must begin with BEGIN:VCALENDAR")
	}
	var start, end time.Time
	var summary string
	inEvent := false
	for n, line := range lines {
		name, value, _ := strings.Cut(line, ":")
		prop, _, _ := strings.Cut(name, ";")
		switch strings.ToUpper(prop) {
		case "BEGIN":
			if strings.EqualFold(value, "VEVENT") {
				inEvent, start, end, summary = true, time.Time{}, time.Time{}, ""
			}
		case "DTSTART", "DTEND":
			if !inEvent {
				continue
			}
			d, err := icsDate(value)
			if err != nil {
				return nil, nil, fmt.Errorf("line %d: %w", n+1, err)
			}
			if strings.EqualFold(prop, "DTSTART") {
				start = d
			} else {
				end = d
			}
		case "SUMMARY":
			summary = value
		case "END":
			if !strings.EqualFold(value, "VEVENT") || !inEvent {
				continue
			}
			inEvent = false
			if start.IsZero() {
				return nil, nil, fmt.Errorf("line %d: an event without DTSTART", n+1)
			}
			if !end.After(start) {
				end = start.AddDate(0, 0, 1)
			}
			if end.Sub(start) > 366*24*time.Hour {
				return nil, nil, fmt.Errorf("line %d: an event longer than a year", n+1)
			}
			worked := strings.Contains(summary, "补班") || strings.Contains(summary, "上班") ||
				strings.Contains(strings.ToLower(summary), "working day")
			for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
				if worked {
					workdays = append(workdays, d.Format(dateLayout))
				} else {
					holidays = append(holidays, d.Format(dateLayout))
				}
			}
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(holidays))), slices.Compact(slices.Sorted(slices.Values(workdays))), nil
}

// icsDate is the date of an iCalendar DATE (20261001) or DATE-TIME
// (20261001T090000Z) value.
func icsDate(v string) (time.Time, error) {
	if len(v) < 8 {
		return time.Time{}, fmt.Errorf("%q is not an iCalendar date", v)
	}
	d, err := time.Parse("20060102", v[:8])
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an iCalendar date", v)
	}
	return d, nil
}
