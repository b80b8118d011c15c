package notify_test

import (
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
)

// TestEveryKindInBothLanguages renders every kind of e-mail, the digest
// included, in English and in Chinese with times in the recipient's zone:
// no message id is left unsaid, the Chinese e-mail is in Chinese, and its
// times are in the recipient's zone.
func TestEveryKindInBothLanguages(t *testing.T) {
	deadline := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
	shanghai := notify.ZoneOf("Asia/Shanghai")
	if notify.ZoneOf("") != time.UTC || notify.ZoneOf("Mars/Olympus") != time.UTC || shanghai.String() != "Asia/Shanghai" {
		t.Fatalf("ZoneOf: %v", shanghai)
	}
	l := lead.Lead{ID: "l1", Contact: lead.Contact{Company: "Acme Trading", Name: "Li Lei", Phone: "138 0013 8000", Country: "CN"}, Source: "web", Stage: "New"}
	for _, k := range lead.EmailKinds {
		for _, c := range []struct {
			lang string
			zone *time.Location
			when string // the deadline as the e-mail writes it
		}{{"en", nil, "Mon 23 Nov 10:30 UTC"}, {"zh-CN", shanghai, "11月23日 周一 18:30 CST"}} {
			d := notify.Data{Kind: k.Kind, To: "Rita", Lead: l, LeadURL: "http://leadflow.test/leads/l1", Pool: "North", Rep: "Rita", Actor: "Max",
				Reason: "no follow-up within 7d", Deadline: &deadline, Summary: "3 rows", Link: "http://leadflow.test/imports/i1", Day: "2026-11-23",
				SettingsURL: "http://leadflow.test/settings/notifications", Lang: c.lang, Zone: c.zone,
				Items: []notify.DigestItem{{LeadID: "l1", Company: "Acme Trading", NextStep: "call", Due: deadline, URL: "http://leadflow.test/leads/l1"}}}
			subject, text, html, err := notify.Render(d)
			if err != nil {
				t.Fatalf("%s in %s: %v", k.Kind, c.lang, err)
			}
			for _, part := range []string{subject, text, html} {
				if strings.Contains(part, "mail.") || strings.Contains(part, "<no value>") {
					t.Errorf("%s in %s leaves an id or a value unsaid: %s", k.Kind, c.lang, part)
				}
			}
			han := strings.IndexFunc(subject+text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
			if han != (c.lang == "zh-CN") || subject == "" {
				t.Errorf("%s in %s: subject %q, text:\n%s", k.Kind, c.lang, subject, text)
			}
			if (k.Kind == lead.EmailOffered || k.Kind == lead.EmailDigest) && !strings.Contains(text, c.when) {
				t.Errorf("%s in %s lacks the time %q:\n%s", k.Kind, c.lang, c.when, text)
			}
		}
	}
	// The digest's overdue mark follows the recipient's day: 23:30 UTC on
	// the 22nd is the 23rd in Shanghai, not overdue there.
	late := time.Date(2026, 11, 22, 23, 30, 0, 0, time.UTC)
	d := notify.Data{Kind: lead.EmailDigest, Day: "2026-11-23", Items: []notify.DigestItem{{Company: "Acme", Due: late, URL: "u"}}}
	if _, text, _, _ := notify.Render(d); !strings.Contains(text, "(overdue)") {
		t.Errorf("in UTC the follow-up is overdue:\n%s", text)
	}
	d.Lang, d.Zone = "zh-CN", shanghai
	if _, text, _, _ := notify.Render(d); strings.Contains(text, "逾期") || !strings.Contains(text, "11月23日 周一 07:30 CST") {
		t.Errorf("in Shanghai the follow-up is due today:\n%s", text)
	}
}
