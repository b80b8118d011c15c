package web

import (
	"strings"
	"time"

	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/lead"
)

// This file holds what a lead's page shows besides its forms: the
// details, the timers with their reasons in the reader's words, and the
// follow-ups.

// LeadDetails are the parts of a lead's page that show it.
type LeadDetails struct {
	// Details are the lead's fields and custom fields, in order, as label
	// and value; Phones and Emails its numbers and addresses, the main first.
	Details        []Detail
	Phones, Emails []Contact
	// Deadlines are the lead's timers, soonest first.
	Deadlines []Deadline
	// FollowUps are its follow-ups, newest first.
	FollowUps []lead.FollowUp
	// ConvertURL opens the conversion form ("" when the user may not convert).
	ConvertURL string
	// EditPhones and EditEmails are the edit form's rows: each value, the
	// main one marked, and an empty row to add one.
	EditPhones, EditEmails []Contact
}

// Detail is one labelled value; URL links it when set, ID names its
// element when set.
type Detail struct{ Label, Value, URL, ID string }

// Contact is one phone number or e-mail address of a lead.
type Contact struct {
	Value string
	Main  bool
}

// Deadline is one timer of a lead as its page shows it.
type Deadline struct {
	Kind   string    // lead.DeadlineKind
	Label  string    // what happens, in the reader's words
	Reason string    // why, in the reader's words
	Due    time.Time // when
	In     string    // "in 2d 3h", "overdue"
	Soon   bool      // less than a day left
}

// DeadlineOf is deadline d of a lead with policy p, in lang.
func DeadlineOf(lang string, d lead.Deadline, p *lead.Policy) Deadline {
	return Deadline{Kind: string(d.Kind), Label: i18n.T(lang, "lead.kind."+string(d.Kind)), Reason: DeadlineReason(lang, d, p),
		Due: d.Due, In: Left(lang, d.Due), Soon: time.Until(d.Due) < 24*time.Hour}
}

// DeadlineReason says why deadline d of a lead with policy p fires, in
// lang, built from the policy's durations; d's own (English) reason for a
// timer this page does not know.
func DeadlineReason(lang string, d lead.Deadline, p *lead.Policy) string {
	timer, _, _ := strings.Cut(d.Key, "/")
	if p == nil {
		return d.Reason
	}
	dur := func(x lead.Span) string { return SpanText(lang, x) }
	switch timer {
	case "distribute":
		return i18n.T(lang, "calendars.timer.distribute")
	case "offer-expired":
		return i18n.T(lang, "lead.timer.offer_expired", "After", dur(p.AcceptTimeout))
	case "sla-remind":
		return i18n.T(lang, "lead.timer.sla_remind", "After", dur(p.FirstContactSLA))
	case "sla-escalate":
		return i18n.T(lang, "lead.timer.sla_escalate", "After", dur(p.FirstContactSLA))
	case "expected-remind":
		return i18n.T(lang, "lead.timer.expected_remind")
	case "nfu-remind":
		return i18n.T(lang, "lead.timer.nfu_remind", "Before", dur(p.RemindBefore), "After", dur(p.NoFollowUpAfter))
	case "nfu-reclaim":
		return i18n.T(lang, "lead.timer.nfu_reclaim", "After", dur(p.NoFollowUpAfter))
	case "nca-remind":
		return i18n.T(lang, "lead.timer.nca_remind", "Before", dur(p.RemindBefore), "After", dur(p.NoConversionAfter))
	case "nca-reclaim":
		return i18n.T(lang, "lead.timer.nca_reclaim", "After", dur(p.NoConversionAfter))
	}
	return d.Reason
}

// DurationText writes a policy duration in lang: "7d", "1d 12h", "7天".
func DurationText(lang string, d lead.Duration) string {
	td := time.Duration(d)
	days, hours, minutes := int(td/(24*time.Hour)), int(td%(24*time.Hour)/time.Hour), int(td%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, i18n.T(lang, "lead.dur.days", "N", days))
	}
	if hours > 0 {
		parts = append(parts, i18n.T(lang, "lead.dur.hours", "N", hours))
	}
	if minutes > 0 || len(parts) == 0 {
		parts = append(parts, i18n.T(lang, "lead.dur.minutes", "N", minutes))
	}
	sep := " "
	if lang == i18n.ZH {
		sep = ""
	}
	return strings.Join(parts, sep)
}

// SpanText writes a policy timer in lang: a wall-clock one as
// DurationText, working time as "3 working days" / "3 个工作日".
func SpanText(lang string, s lead.Span) string {
	switch {
	case s.WorkingDays == 1:
		return i18n.T(lang, "calendars.span.day")
	case s.WorkingDays > 0:
		return i18n.T(lang, "calendars.span.days", "N", s.WorkingDays)
	case s.WorkingHours > 0:
		h := time.Duration(s.WorkingHours)
		if h%time.Hour == 0 {
			return i18n.T(lang, "calendars.span.hours", "N", int(h/time.Hour))
		}
		return i18n.T(lang, "calendars.span.minutes", "N", int(h/time.Minute))
	}
	return DurationText(lang, s.Wall)
}
