package console_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserSkills: in English and in Chinese, an admin gives a rep
// languages and skills on the rep's page (a tag that is no language is
// refused next to its field, as typed), and sets a pool's score
// half-life on its policy form.
func TestBrowserSkills(t *testing.T) {
	s := apptest.NewStack(t)
	repID, _ := s.CreateRep("Kenji", 10)
	poolID := s.CreatePool(`{"name":"Japan desk","scope":"global","policy":{"distribution":"round_robin"}}`)
	base := s.Served()
	for _, lang := range []struct {
		tag, languages, halfLife, saved string
		halfLifeValue                   string
	}{
		{"en", "Languages spoken", "Score half-life", "The policy is saved", "14d"},
		{"zh-CN", "会说的语言", "评分半衰期", "", "36h"},
	} {
		t.Run(lang.tag, func(t *testing.T) {
			ctx, shot := apptest.Chromium(t)
			apptest.Run(t, ctx, "sign in as the admin", chromedp.EmulateViewport(1280, 900),
				chromedp.Navigate(base+"/lang/"+lang.tag+"?next=/login"), chromedp.WaitVisible(chromedp.ID("token")),
				chromedp.SendKeys(chromedp.ID("token"), s.Admin), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.CSS(`header a[href="/users"]`)))
			apptest.Run(t, ctx, "open the rep", chromedp.Navigate(base+"/users/"+repID), chromedp.WaitVisible(chromedp.ID("user-form")))
			if got := apptest.Text(t, ctx, `label[for="user-languages"]`); got != lang.languages {
				t.Errorf("the languages field's label: %q, want %q", got, lang.languages)
			}
			apptest.Run(t, ctx, "refuse a tag that is no language", chromedp.SetValue(chromedp.ID("user-languages"), "ja, not a tag!"),
				chromedp.Click(chromedp.ID("save-user")), chromedp.WaitVisible(chromedp.ID("problem")))
			if got := apptest.Text(t, ctx, "#err-languages"); !strings.Contains(got, "not a tag!") {
				t.Errorf("the refusal next to the languages: %q", got)
			}
			if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('user-languages').value`)); err != nil || v != "ja, not a tag!" {
				t.Errorf("the field lost what was typed: %q (%v)", v, err)
			}
			shot("01-refused")
			apptest.Run(t, ctx, "save languages and skills", chromedp.SetValue(chromedp.ID("user-languages"), "ja, ZH-cn"),
				chromedp.SetValue(chromedp.ID("user-skills"), "ERP, mining"), chromedp.SetValue(chromedp.ID("user-regions"), "Kanto"),
				chromedp.Click(chromedp.ID("save-user")), chromedp.WaitVisible(chromedp.ID("notice")))
			shot("02-saved")
			var u lead.User
			s.Expect(s.Do("GET", "/api/v1/users/"+repID, s.Admin, ""), 200).JSON(t, &u)
			if !slices.Equal(u.Languages, []string{"ja", "zh-CN"}) || !slices.Equal(u.Skills, []string{"ERP", "mining"}) || !slices.Equal(u.Regions, []string{"Kanto"}) {
				t.Fatalf("the rep after the form: %+v", u.Expertise)
			}
			if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('user-languages').value`)); err != nil || v != "ja, zh-CN" {
				t.Errorf("the page shows the languages as %q (%v)", v, err)
			}

			apptest.Run(t, ctx, "open the pool", chromedp.Navigate(base+"/pools/"+poolID), chromedp.WaitVisible(chromedp.ID("policy-form")))
			if got := apptest.Text(t, ctx, `label[for="policy-score_half_life"]`); !strings.Contains(got, lang.halfLife) {
				t.Errorf("the half-life's label: %q, want %q", got, lang.halfLife)
			}
			apptest.Run(t, ctx, "refuse a half-life under an hour", chromedp.ScrollIntoView(chromedp.ID("field-score_half_life")),
				chromedp.SetValue(chromedp.ID("policy-score_half_life"), "5m"), chromedp.Click(chromedp.ID("save-policy")), chromedp.WaitVisible(chromedp.ID("problem")))
			if got := apptest.Text(t, ctx, "#err-score_half_life"); got == "" {
				t.Error("no refusal next to the half-life")
			}
			apptest.Run(t, ctx, "save a half-life", chromedp.SetValue(chromedp.ID("policy-score_half_life"), lang.halfLifeValue),
				chromedp.Click(chromedp.ID("save-policy")), chromedp.WaitVisible(chromedp.ID("notice")))
			if lang.saved != "" {
				if got := apptest.Text(t, ctx, "#notice"); !strings.Contains(got, lang.saved) {
					t.Errorf("notice after saving: %q", got)
				}
			}
			apptest.Run(t, ctx, "scroll to the half-life", chromedp.ScrollIntoView(chromedp.ID("field-score_half_life")))
			shot("03-half-life")
			if p := s.Pool(poolID); p.Policy.ScoreHalfLife.String() != lang.halfLifeValue {
				t.Fatalf("the pool's half-life after the form: %q", p.Policy.ScoreHalfLife)
			}
		})
	}
}
