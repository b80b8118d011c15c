package lead

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNormalizeCompany: never panics, and a normalised name is its own
// normal form, so that names stored normalised (ignore lists, dedup keys)
// compare equal to the names they came from.
func FuzzNormalizeCompany(f *testing.F) {
	for _, s := range []string{
		"Acme Trading Co., Ltd.", "  ACME   trading LTD", "Johnson & Johnson", "深圳市腾达电子有限公司",
		"腾达集团有限公司", "腾达公司.", "Acme 有限公司 Ltd", "İstanbul Ltd", "Ltd", "公司", "", " & ", "ǅemal Co",
		"Global Imports Pte. Ltd", "ẞ GmbH", "\xff\xfe", "a\u0307b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		n := NormalizeCompany(name)
		if again := NormalizeCompany(n); again != n {
			t.Fatalf("NormalizeCompany(%q) = %q, but NormalizeCompany(%q) = %q", name, n, n, again)
		}
		if n != strings.TrimSpace(n) || strings.Contains(n, "  ") {
			t.Fatalf("NormalizeCompany(%q) = %q has stray spaces", name, n)
		}
		if (CompanyLength(name) == 0) != (n == "") && !strings.Contains(name, "&") {
			t.Fatalf("NormalizeCompany(%q) = %q, but the name has %d letters and digits", name, n, CompanyLength(name))
		}
	})
}

// FuzzPhone: never panics; a valid number parses back, from its E.164 form,
// to itself, valid for the same country.
func FuzzPhone(f *testing.F) {
	for _, s := range [][2]string{
		{"138 0013 8000", "CN"}, {"+8613800138000", "US"}, {"+1 650 253 0000", ""}, {"123", "CN"}, {"", "CN"},
		{"+800 1234 5678", ""}, {"00 86 138 0013 8000", "cn"}, {"tel:+44-20-7946-0958", "GB"}, {"+", ""}, {"0", "ZZ"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, raw, country string) {
		p := ParsePhone(raw, country)
		if p.E164 == "" && p.Valid {
			t.Fatalf("ParsePhone(%q, %q) is valid without an E.164 form: %+v", raw, country, p)
		}
		if !p.Valid {
			return
		}
		back := ParsePhone(p.E164, p.Country)
		if back.E164 != p.E164 || !back.Valid || back.Country != p.Country {
			t.Fatalf("ParsePhone(%q, %q) = %+v, but its E.164 form parses as %+v", raw, country, p, back)
		}
		if DedupKey("Acme", p.E164, p.Country) == "" {
			t.Fatalf("no dedup key for %+v", p)
		}
	})
}

// FuzzInputClean decodes a registration payload and cleans it: never
// panics, and what Clean accepts satisfies its own limits and cleans to
// itself.
func FuzzInputClean(f *testing.F) {
	for _, s := range []string{
		`{"company":"Acme Trading","phone":"+86 138 0013 8000"}`,
		`{"company":" Acme ","phone":"13800138000","country":"cn","email":"li@acme.example","tags":[" a ","b"]}`,
		`{"company":"x","phone":"+800 1234 5678"}`,
		`{"company":"","phone":"","email":"nope","country":"usa","duplicate_policy":"ignore"}`,
		`{"company":"Acme","phone":"1","tags":[""],"custom":{"size":120,"a":{"b":[1,2]}}}`,
		`{"company":"Acme","phone":"1","notes":"` + strings.Repeat("n", 10001) + `"}`,
		`{"company":"Acme","phone":"1","duplicate_policy":"merge","source":"x","ip":"1.2.3.4"}`,
		`{"CompAnY":"0","phone":"00000000000","tAgs":[]}`,
		`null`, `[]`, `{"company":1}`,
	} {
		f.Add([]byte(s))
	}
	text := func(name, v string) string {
		if utf8.RuneCountInString(v) > maxText {
			return name + " is too long"
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		var in Input
		if json.Unmarshal(payload, &in) != nil {
			return
		}
		if in.Clean() != nil {
			return
		}
		problems := []string{
			text("company", in.Company), text("name", in.Name), text("phone", in.Phone), text("email", in.Email),
			text("channel", in.Channel), text("profession", in.Profession), text("address", in.Address),
			text("district", in.District), text("division", in.Division),
		}
		if in.Company == "" || in.Phone == "" {
			problems = append(problems, "company and phone are required")
		}
		if utf8.RuneCountInString(in.Notes) > maxNotes {
			problems = append(problems, "notes too long")
		}
		if in.Country != "" && !isAlpha2(in.Country) {
			problems = append(problems, "country "+in.Country)
		}
		if len(in.Tags) > maxTags {
			problems = append(problems, "too many tags")
		}
		for _, tag := range in.Tags {
			if tag == "" || tag != strings.TrimSpace(tag) || utf8.RuneCountInString(tag) > 50 {
				problems = append(problems, "tag "+tag)
			}
		}
		if !in.DuplicatePolicy.Valid() || in.Source != "" || in.IP != "" || in.CreatedBy != "" {
			problems = append(problems, "policy or server fields")
		}
		for _, p := range problems {
			if p != "" {
				t.Fatalf("Clean accepted %s: %s", payload, p)
			}
		}
		again := in
		again.Tags = slices.Clone(in.Tags)
		if err := again.Clean(); err != nil || !reflect.DeepEqual(again, in) {
			t.Fatalf("a cleaned input cleans differently: %v\n%+v\n%+v", err, in, again)
		}
		l := in.NewLead("lead-1")
		if l.Company != in.Company || l.Phone != in.Phone {
			t.Fatalf("NewLead: %+v", l)
		}
	})
}
