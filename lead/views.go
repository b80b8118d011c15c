package lead

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the saved views of the lead list (issue 28): a named set
// of list filters, an order and columns, personal or shared; the relative
// periods their filters keep ("today", "last 7 days"), resolved in the
// reader's zone when read; and who may share a view with whom.

// Whom a saved view is shared with (SavedView.SharedWith).
const (
	ShareMe       = "me"       // its owner only
	SharePools    = "pools"    // the members and admins of the pools its owner administers (managers, admins)
	ShareEveryone = "everyone" // every user (admins)
)

// SavedView is a named lead list: its filters (the list's parameters,
// LeadFilterNames), its order and its columns.
type SavedView struct {
	ID         string            `json:"id"`
	OwnerID    string            `json:"owner_id"`
	Name       string            `json:"name"`
	Filter     map[string]string `json:"filter"`
	Sort       string            `json:"sort"`
	Columns    []string          `json:"columns"`
	SharedWith string            `json:"shared_with"`
	// Builtin marks the default views every user has; they cannot be changed.
	Builtin bool `json:"builtin,omitempty"`
	// Count is how many leads the reader sees in the view, when counted.
	Count     *int      `json:"count,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ListColumns are the columns a lead list may show, in their default order.
var ListColumns = []string{"company", "name", "status", "stage", "phone", "email", "country", "owner", "pool", "source", "channel",
	"score", "created", "assigned", "last_follow_up", "next_step", "next_follow_up", "reclaim"}

// DefaultColumns are the columns of a list without a choice.
var DefaultColumns = []string{"company", "name", "status", "stage", "phone", "country", "created", "next_step", "reclaim"}

// CheckColumns adds to f each of cols that is not a list column, and a
// column named twice.
func CheckColumns(f *Fields, field string, cols []string) {
	for i, c := range cols {
		if !slices.Contains(ListColumns, c) {
			f.Add(field, c+" is not a column; the columns are "+strings.Join(ListColumns, ", "))
		} else if slices.Contains(cols[:i], c) {
			f.Add(field, c+" is named twice")
		}
	}
}

// AuthorizeShare decides whether u may share a view as shared: anyone
// keeps one for themselves; managers and admins share with their pools;
// admins with everyone.
func AuthorizeShare(u User, shared string) error {
	switch shared {
	case ShareMe:
		return nil
	case SharePools:
		if u.Role == RoleAdmin || u.Role == RoleManager {
			return nil
		}
		return Errorf(CodeForbidden, "only managers and admins share a view with their pools")
	case ShareEveryone:
		if u.Role == RoleAdmin {
			return nil
		}
		return Errorf(CodeForbidden, "only admins share a view with everyone")
	}
	return Invalid(FieldError{Field: "shared_with", Reason: "must be me, pools or everyone"})
}

// AuthorizeViewChange decides whether u may change or delete view v, which
// u sees: its owner may, and an admin may change a shared one.
func AuthorizeViewChange(u User, v SavedView) error {
	if v.Builtin {
		return Errorf(CodeForbidden, "a default view cannot be changed; save a view of your own")
	}
	if v.OwnerID == u.ID || (u.Role == RoleAdmin && v.SharedWith != ShareMe) {
		return nil
	}
	return Errorf(CodeForbidden, "only the view's owner changes it")
}

// Period is a relative time frame kept as written ("today", "last 7 days",
// "next 24 hours", "older than 3 days") and resolved when read.
type Period string

var periodRe = regexp.MustCompile(`^(last|next|older than) (\d{1,4}) (hour|day|week)s?$`)

// Periods without a number, besides the patterns "last|next N
// hours|days|weeks" and "older than N hours|days|weeks".
var namedPeriods = []string{"today", "yesterday", "tomorrow", "this week", "this month"}

// PeriodReason is why a period does not read.
const PeriodReason = `must be today, yesterday, tomorrow, this week, this month, ` +
	`"last N hours|days|weeks", "next N hours|days|weeks" or "older than N hours|days|weeks"`

// ParsePeriod reads a period (false: it is none, PeriodReason); spaces may
// be written as underscores.
func ParsePeriod(s string) (Period, bool) {
	p := Period(strings.Join(strings.Fields(strings.ToLower(strings.ReplaceAll(s, "_", " "))), " "))
	return p, slices.Contains(namedPeriods, string(p)) || periodRe.MatchString(string(p))
}

// Resolve is the period's bounds at now in zone loc: from (inclusive) and
// to (exclusive); nil for an open end.
func (p Period) Resolve(now time.Time, loc *time.Location) (from, to *time.Time) {
	now = now.In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	span := func(a, b time.Time) (*time.Time, *time.Time) { return &a, &b }
	switch p {
	case "today":
		return span(day, day.AddDate(0, 0, 1))
	case "yesterday":
		return span(day.AddDate(0, 0, -1), day)
	case "tomorrow":
		return span(day.AddDate(0, 0, 1), day.AddDate(0, 0, 2))
	case "this week":
		start := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // Monday
		return span(start, start.AddDate(0, 0, 7))
	case "this month":
		start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
		return span(start, start.AddDate(0, 1, 0))
	}
	m := periodRe.FindStringSubmatch(string(p))
	if m == nil {
		return nil, nil
	}
	n, _ := strconv.Atoi(m[2])
	var back, ahead time.Time
	switch m[3] {
	case "hour":
		back, ahead = now.Add(-time.Duration(n)*time.Hour), now.Add(time.Duration(n)*time.Hour)
	case "day":
		back, ahead = now.AddDate(0, 0, -n), now.AddDate(0, 0, n)
	default:
		back, ahead = now.AddDate(0, 0, -7*n), now.AddDate(0, 0, 7*n)
	}
	switch m[1] {
	case "last":
		return span(back, now)
	case "next":
		return span(now, ahead)
	}
	return nil, &back // older than
}
