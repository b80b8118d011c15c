package lead

import (
	"slices"
	"time"
	// The zone database is built in, so a zone name is valid wherever the
	// binary runs (a container without /usr/share/zoneinfo too).
	_ "time/tzdata"
)

// The languages of pages and e-mails (User.Language; empty: the browser's).
const (
	LanguageEnglish = "en"
	LanguageChinese = "zh-CN"
)

// Languages are the languages a user may choose.
var Languages = []string{LanguageEnglish, LanguageChinese}

// checkLanguage adds to f that field is not one of Languages ("" is the default).
func checkLanguage(f *Fields, field, lang string) {
	if lang != "" && !slices.Contains(Languages, lang) {
		f.Add(field, "must be en or zh-CN")
	}
}

// LoadZone is the IANA time zone name ("Asia/Shanghai"), or an error for
// anything else: "Local" (the server's own, which differs by machine) included.
func LoadZone(name string) (*time.Location, error) {
	if name == "Local" {
		return nil, Invalid(FieldError{Field: "time_zone", Reason: "must be an IANA time zone, not Local"})
	}
	return time.LoadLocation(name)
}

// checkTimeZone adds to f that field is not an IANA time zone ("" is the default).
func checkTimeZone(f *Fields, field, name string) {
	if name == "" {
		return
	}
	if _, err := LoadZone(name); err != nil {
		f.Add(field, "is not an IANA time zone such as Asia/Shanghai or Europe/Berlin")
	}
}

// UserZone is the zone a user sees times in: their own (own), else their
// team's (team), else def (the server's; time.Local when nil). A name that
// no longer loads falls through to the next.
func UserZone(own, team string, def *time.Location) *time.Location {
	for _, name := range []string{own, team} {
		if name == "" {
			continue
		}
		if loc, err := LoadZone(name); err == nil {
			return loc
		}
	}
	if def == nil {
		return time.Local
	}
	return def
}

// The daily digest goes out at DigestHour in each recipient's zone: its
// schedule runs every DigestEvery, and a recipient's digest goes out in the
// run whose slot [at, at+DigestEvery) holds their DigestHour (every zone's
// offset from UTC is a multiple of 15 minutes).
const (
	DigestHour  = 7
	DigestEvery = 15 * time.Minute
)

// DigestDay reports whether the digest slot starting at at holds
// DigestHour in loc, and the local day (YYYY-MM-DD) it is the digest of.
func DigestDay(at time.Time, loc *time.Location) (string, bool) {
	y, m, d := at.In(loc).Date()
	send := time.Date(y, m, d, DigestHour, 0, 0, 0, loc)
	if send.Before(at) || !send.Before(at.Add(DigestEvery)) {
		return "", false
	}
	return send.Format(time.DateOnly), true
}

// DayEnd is the end of day (YYYY-MM-DD) in loc: the next local midnight.
func DayEnd(day string, loc *time.Location) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return t, err
	}
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc), nil
}
