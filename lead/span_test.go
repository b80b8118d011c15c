package lead

import (
	"encoding/json"
	"testing"
	"time"
)

// TestParseSpan: wall-clock and working-time forms, in English and Chinese,
// read and written back the same.
func TestParseSpan(t *testing.T) {
	for in, want := range map[string]string{
		"36h": "36h", "7d": "7d", "1 working day": "1 working day", "3 working days": "3 working days",
		"4 working hours": "4 working hours", "90 working minutes": "90 working minutes", "3个工作日": "3 working days",
		"2 工作日": "2 working days", "4个工作小时": "4 working hours", " 2 Working Days ": "2 working days", "": "",
	} {
		s, err := ParseSpan(in)
		if err != nil || s.String() != want {
			t.Errorf("%q: %q (%v), want %q", in, s, err, want)
		}
	}
	for _, bad := range []string{"3 working weeks", "x working days", "-1 working days", "soon"} {
		if _, err := ParseSpan(bad); err == nil {
			t.Errorf("%q was read", bad)
		}
	}
	var p Policy
	if err := json.Unmarshal([]byte(`{"no_follow_up_after":"2 working days","cooldown":"7d","accept_timeout":3600}`), &p); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(p)
	if string(b) != `{"distribution":"","auto_accept":false,"accept_timeout":"1h","no_follow_up_after":"2 working days","cooldown":"7d"}` {
		t.Fatalf("policy JSON %s", b)
	}
	if !p.WorkingTime() || (&Policy{Cooldown: Wall(time.Hour)}).WorkingTime() {
		t.Fatal("WorkingTime")
	}
}

// TestWorkingTimeDeadlines: a lead claimed Friday 18:00 in Shanghai with
// "no follow-up after 2 working days" is reclaimed Tuesday 18:00, not
// Sunday, and the deadline names the calendar version; a holiday moves
// it one more day; without a calendar the words read as wall-clock time.
func TestWorkingTimeDeadlines(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	cal := officeCalendar("Asia/Shanghai")
	cal.ID, cal.Version = "cal-1", 4
	friday := time.Date(2026, 9, 11, 18, 0, 0, 0, sh)
	l := Lead{Status: StatusAssigned, AssignedAt: &friday, Policy: &Policy{NoFollowUpAfter: Span{WorkingDays: 2},
		RemindBefore: Span{WorkingHours: Duration(4 * time.Hour)}, Calendar: cal}}
	d, ok := NextReclaim(l)
	if !ok || !d.Due.Equal(time.Date(2026, 9, 15, 18, 0, 0, 0, sh)) || d.CalendarID != "cal-1" || d.CalendarVersion != 4 ||
		d.Reason != "no follow-up within 2 working days" {
		t.Fatalf("reclaim %+v", d)
	}
	var remind Deadline
	for _, x := range Deadlines(l) {
		if x.Kind == DeadlineNotice {
			remind = x
		}
	}
	if !remind.Due.Equal(time.Date(2026, 9, 15, 14, 0, 0, 0, sh)) {
		t.Fatalf("reminder %v, want 4 hours before Tuesday 18:00", remind.Due)
	}
	cal.Holidays = append(cal.Holidays, "2026-09-14")
	if d, _ = NextReclaim(l); !d.Due.Equal(time.Date(2026, 9, 16, 18, 0, 0, 0, sh)) {
		t.Fatalf("with Monday a holiday: %v", d.Due)
	}
	l.Policy.Calendar = nil
	if d, _ = NextReclaim(l); !d.Due.Equal(friday.Add(48*time.Hour)) || d.CalendarID != "" {
		t.Fatalf("without a calendar: %+v", d)
	}
}

// TestRemindersWaitForWorkingHours: a working-time reminder that falls at
// night waits for the morning, unless the policy says remind anytime; the
// reclaim itself is not moved.
func TestRemindersWaitForWorkingHours(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	cal := officeCalendar("Asia/Shanghai")
	claimed := time.Date(2026, 9, 14, 20, 0, 0, 0, sh) // Monday evening
	l := Lead{Status: StatusAssigned, AssignedAt: &claimed, Policy: &Policy{NoFollowUpAfter: Span{WorkingDays: 2},
		RemindBefore: Wall(2 * time.Hour), Calendar: cal}}
	due := func() (remind, reclaim time.Time) {
		for _, d := range Deadlines(l) {
			if d.Kind == DeadlineNotice {
				remind = d.Due
			} else {
				reclaim = d.Due
			}
		}
		return
	}
	remind, reclaim := due()
	if !reclaim.Equal(time.Date(2026, 9, 16, 20, 0, 0, 0, sh)) || !remind.Equal(time.Date(2026, 9, 17, 9, 0, 0, 0, sh)) {
		t.Fatalf("reminder %v, reclaim %v", remind, reclaim)
	}
	l.Policy.RemindAnytime = true
	if remind, _ = due(); !remind.Equal(time.Date(2026, 9, 16, 18, 0, 0, 0, sh)) {
		t.Fatalf("remind anytime: %v", remind)
	}
}

// TestDistributionWaitsForWorkingHours: in a pool that distributes only in
// working hours, a lead pooled at night has a distribute deadline at the
// next working hour; by day, in a claim-only pool or without the setting
// it has none.
func TestDistributionWaitsForWorkingHours(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	cal := officeCalendar("Asia/Shanghai")
	cal.ID, cal.Version = "c9", 2
	night := time.Date(2026, 9, 11, 23, 30, 0, 0, sh) // Friday night
	l := Lead{Status: StatusPooled, UpdatedAt: night, Policy: &Policy{Distribution: DistributionRoundRobin, DistributeInWorkingHours: true, Calendar: cal}}
	ds := Deadlines(l)
	if len(ds) != 1 || ds[0].Kind != DeadlineDistribute || !ds[0].Due.Equal(time.Date(2026, 9, 14, 9, 0, 0, 0, sh)) || ds[0].CalendarVersion != 2 {
		t.Fatalf("deadlines %+v", ds)
	}
	for name, change := range map[string]func(*Lead){
		"by day":      func(l *Lead) { l.UpdatedAt = time.Date(2026, 9, 14, 10, 0, 0, 0, sh) },
		"claim only":  func(l *Lead) { l.Policy.Distribution = DistributionClaimOnly },
		"not asked":   func(l *Lead) { l.Policy.DistributeInWorkingHours = false },
		"no calendar": func(l *Lead) { l.Policy.Calendar = nil },
		"not pooled":  func(l *Lead) { l.Status = StatusOffered },
	} {
		c := l
		p := *l.Policy
		c.Policy = &p
		change(&c)
		if ds := Deadlines(c); len(ds) != 0 {
			t.Errorf("%s: %+v", name, ds)
		}
	}
}
