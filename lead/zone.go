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
