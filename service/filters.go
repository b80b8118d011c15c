package service

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// This file reads the filters of the lists and reports as both faces give
// them (a query string, a form, an export's filters): get returns a
// filter's value, "" when absent; field names a bad filter in errors.

// LeadFilterNames are the filters of the lead list.
var LeadFilterNames = []string{"status", "stage", "pool_id", "owner_id", "agent", "source", "channel", "group", "tag", "country", "q", "name",
	"phone", "email", "company", "profession", "address", "district", "division", "created_from", "created_to", "time_field", "period", "score_min", "score_max", "custom", "review"}

// ParseLeadFilter reads the filters of the lead list (LeadFilterNames)
// and its order (sort: created, the default, or reclaim).
func ParseLeadFilter(get func(string) string, field func(string) string) (store.LeadFilter, error) {
	f := store.LeadFilter{
		Status: get("status"), Stage: get("stage"), PoolID: get("pool_id"), OwnerID: get("owner_id"),
		Source: get("source"), Channel: get("channel"), Group: get("group"), Tag: get("tag"), Country: strings.ToUpper(get("country")),
		Q: get("q"), Name: get("name"), Phone: get("phone"), Email: get("email"), Company: get("company"),
		Profession: get("profession"), Address: get("address"), District: get("district"), Division: get("division"),
		Agent: get("agent"), TimeField: get("time_field"), Sort: get("sort"),
	}
	var bad lead.Fields
	if f.Status != "" && !lead.Status(f.Status).Valid() {
		bad.Add(field("status"), "must be one of received, rejected, merged, pooled, offered, assigned, converted, closed")
	}
	for _, id := range []struct{ name, v string }{{"pool_id", f.PoolID}, {"owner_id", f.OwnerID}} {
		if _, err := uuid.Parse(id.v); id.v != "" && err != nil {
			bad.Add(field(id.name), "is not an id")
		}
	}
	f.CreatedFrom, f.CreatedTo = createdRange(get, field, &bad)
	if !store.ValidTimeField(f.TimeField) {
		bad.Add(field("time_field"), "must be "+store.TimeFieldNames)
	}
	if !store.ValidSort(f.Sort) {
		bad.Add(field("sort"), "must be "+store.SortNames)
	}
	if v := get("period"); v != "" {
		p, ok := lead.ParsePeriod(v)
		if !ok {
			bad.Add(field("period"), lead.PeriodReason)
		} else if f.CreatedFrom != nil || f.CreatedTo != nil {
			bad.Add(field("period"), "give a period or created_from and created_to, not both")
		}
		f.Period = p
	}
	f.ScoreMin, f.ScoreMax = intFilter(get, field, "score_min", &bad), intFilter(get, field, "score_max", &bad)
	f.Custom = customFilter(get("custom"), field, &bad)
	switch get("review") {
	case "", "false":
	case "true":
		f.Review = true
	default:
		bad.Add(field("review"), "must be true or false")
	}
	return f, bad.Err()
}

// intFilter reads the integer filter name; nil when absent.
func intFilter(get, field func(string) string, name string, bad *lead.Fields) *int {
	v := get(name)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		bad.Add(field(name), "must be a whole number")
		return nil
	}
	return &n
}

// customFilter reads the custom filter: the values of custom fields, as
// name:value pairs separated by commas ("industry:retail,size:large").
func customFilter(v string, field func(string) string, bad *lead.Fields) map[string]string {
	if v == "" {
		return nil
	}
	out := map[string]string{}
	for _, pair := range strings.Split(v, ",") {
		name, value, ok := strings.Cut(pair, ":")
		if name = strings.TrimSpace(name); !ok || name == "" {
			bad.Add(field("custom"), "must be name:value pairs separated by commas")
			return nil
		}
		out[name] = strings.TrimSpace(value)
	}
	return out
}

// ParseCustomerFilter reads the filters of the customer list: q,
// owner_id, created_from and created_to.
func ParseCustomerFilter(get func(string) string) (store.CustomerFilter, error) {
	f := store.CustomerFilter{Q: get("q"), OwnerID: get("owner_id")}
	var bad lead.Fields
	f.CreatedFrom, f.CreatedTo = createdRange(get, func(k string) string { return k }, &bad)
	return f, bad.Err()
}

// createdRange reads the created_from and created_to filters of a list.
func createdRange(get func(string) string, field func(string) string, bad *lead.Fields) (from, to *time.Time) {
	for name, dst := range map[string]**time.Time{"created_from": &from, "created_to": &to} {
		if v := get(name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				bad.Add(field(name), "must be a date (2026-01-31) or an RFC 3339 time")
				continue
			}
			*dst = &t
		}
	}
	return from, to
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

// DefaultReportDays is the period of a report without from: the last 30 days.
const DefaultReportDays = 30

// ParseReportFilter reads a report's from and to (dates or RFC 3339
// times; to is excluded; by default the DefaultReportDays up to now) and,
// for the funnel (grouped), group_by (default source). On a refusal the
// filter still holds the period read so far.
func ParseReportFilter(get func(string) string, grouped bool) (store.ReportFilter, error) {
	var bad lead.Fields
	now := time.Now().UTC()
	f := store.ReportFilter{To: now}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		name, dst := p.name, p.dst
		if v := get(name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				bad.Add(name, "must be a date (2026-01-31) or an RFC 3339 time")
				continue
			}
			*dst = t
		}
	}
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, 0, -DefaultReportDays)
	}
	if len(bad) == 0 && !f.From.Before(f.To) {
		bad.Add("to", "must be after from")
	}
	if grouped {
		f.GroupBy = get("group_by")
		if f.GroupBy == "" {
			f.GroupBy = store.GroupSource
		}
		if !store.ValidGroup(f.GroupBy) {
			bad.Add("group_by", "must be one of "+strings.Join(store.FunnelGroups, ", "))
		}
	}
	return f, bad.Err()
}
