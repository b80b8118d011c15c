package i18n

import "testing"

func TestPick(t *testing.T) {
	for _, c := range []struct {
		accept  string
		choices []string
		want    string
	}{
		{"", nil, EN},
		{"zh-CN,zh;q=0.9,en;q=0.8", nil, ZH},
		{"fr-FR, en-GB;q=0.8", nil, EN},
		{"fr, zh-Hans;q=0.5", nil, ZH},
		{"zh-CN", []string{"", "en"}, EN},
		{"en", []string{"zh"}, ZH},
		{"en", []string{"klingon", ""}, EN},
	} {
		if got := Pick(c.accept, c.choices...); got != c.want {
			t.Errorf("Pick(%q, %q) = %q, want %q", c.accept, c.choices, got, c.want)
		}
	}
}

func TestT(t *testing.T) {
	if got := T(ZH, "time.in_days", "D", 2, "H", 3); got != "2天3小时后" {
		t.Errorf("zh: %q", got)
	}
	if got := T(EN, "time.in_days", "D", 2, "H", 3); got != "in 2d 3h" {
		t.Errorf("en: %q", got)
	}
	if got := T("fr", "nav.leads"); got != "Leads" {
		t.Errorf("an unsupported language is English: %q", got)
	}
	if got := T(ZH, "no.such.id"); got != "no.such.id" {
		t.Errorf("a missing id comes back as itself: %q", got)
	}
}
