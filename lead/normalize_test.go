package lead

import (
	"encoding/json"
	"testing"
	"time"
)

func TestNormalizeCompany(t *testing.T) {
	cases := map[string]string{
		"Acme Trading Co., Ltd.":  "acme trading",
		"  ACME   trading LTD":    "acme trading",
		"Acme-Trading Inc":        "acme trading",
		"深圳市腾达电子有限公司":             "深圳市腾达电子",
		"Johnson & Johnson":       "johnson and johnson",
		"Ltd":                     "ltd",
		"Big Corp Holdings":       "big corp holdings",
		"Global Imports Pte. Ltd": "global imports",
		// Every trailing legal form goes, whatever the punctuation, so the
		// result normalises to itself (found by FuzzNormalizeCompany).
		"腾达集团有限公司":       "腾达",
		"腾达公司.":          "腾达",
		"Acme 有限公司 Ltd.": "acme",
		"有限公司":           "有限",
	}
	for in, want := range cases {
		if got := NormalizeCompany(in); got != want {
			t.Errorf("NormalizeCompany(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParsePhone(t *testing.T) {
	p := ParsePhone("138 0013 8000", "CN")
	if !p.Valid || p.E164 != "+8613800138000" {
		t.Fatalf("CN mobile: %+v", p)
	}
	if p := ParsePhone("123", "CN"); p.Valid {
		t.Fatalf("123 must not be valid: %+v", p)
	}
	if p := ParsePhone("+1 650 253 0000", ""); !p.Valid || p.Country != "US" {
		t.Fatalf("US number without country: %+v", p)
	}
	if p := ParsePhone("+8613800138000", "US"); p.Valid {
		t.Fatalf("a CN number is not valid for US: %+v", p)
	}
	if p := ParsePhone("", "CN"); p.Valid || p.E164 != "" {
		t.Fatalf("empty: %+v", p)
	}
}

func TestDedupKey(t *testing.T) {
	a := DedupKey("Acme Trading Co., Ltd.", "+8613800138000", "cn")
	b := DedupKey("ACME TRADING", "+8613800138000", "CN")
	if a == "" || a != b {
		t.Fatalf("keys differ: %q %q", a, b)
	}
	if DedupKey("腾达公司.", "+8613800138000", "CN") != DedupKey("腾达公司", "+8613800138000", "CN") {
		t.Fatal("a trailing full stop defeats de-duplication")
	}
	if DedupKey("Acme", "", "CN") != "" {
		t.Fatal("a lead without a parsed phone must have no key")
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"90s": 90 * time.Second, "36h": 36 * time.Hour, "7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour, "": 0} {
		d, err := ParseDuration(in)
		if err != nil || time.Duration(d) != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, time.Duration(d), err, want)
		}
	}
	for _, bad := range []string{"abc", "-5s", "xd", "7d-3h"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) should fail", bad)
		}
	}
	var p Policy
	if err := json.Unmarshal([]byte(`{"no_follow_up_after":"7d","accept_timeout":"90s"}`), &p); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(p)
	var back map[string]any
	_ = json.Unmarshal(out, &back)
	if back["no_follow_up_after"] != "7d" || back["accept_timeout"] != "1m30s" {
		t.Fatalf("round trip: %s", out)
	}
}

func TestInputClean(t *testing.T) {
	in := Input{Contact: Contact{Company: " ", Phone: "", Email: "nope", Country: "usa"}}
	err := in.Clean()
	e, ok := err.(*Error)
	if !ok || e.Code != CodeInvalid {
		t.Fatalf("want invalid, got %v", err)
	}
	got := map[string]bool{}
	for _, f := range e.Fields {
		got[f.Field] = true
	}
	for _, f := range []string{"company", "phone", "email", "country"} {
		if !got[f] {
			t.Errorf("missing field error for %s: %v", f, e.Fields)
		}
	}
	// A non-geographic number (+800) tells no country: its region is "001".
	global := Input{Contact: Contact{Company: "Acme Trading", Phone: "+800 1234 5678"}}
	if err := global.Clean(); err != nil || global.Country != "" {
		t.Fatalf("non-geographic number: %v %+v", err, global)
	}
	ok2 := Input{Contact: Contact{Company: "Acme Trading", Phone: "+86 138 0013 8000"}}
	if err := ok2.Clean(); err != nil || ok2.Country != "CN" {
		t.Fatalf("clean input: %v %+v", err, ok2)
	}
}
