package console_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/leadflow/leadflow/i18n"
	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestConsoleSpeaksTheReadersLanguage: the browser's Accept-Language picks
// the pages' language, the switch on every page overrides it (and comes
// back to the page it was used on), and <html lang> follows.
func TestConsoleSpeaksTheReadersLanguage(t *testing.T) {
	s := apptest.NewStack(t)
	_, token := s.CreateRep("Lilei", 5)
	b := s.Browser()
	b.SignIn(token, "/leads")

	zh := s.Expect(b.Get("/leads", "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5"), 200)
	apptest.WantText(t, zh, `<html lang="zh-CN">`)
	apptest.WantText(t, zh, "退出登录")
	apptest.WantText(t, zh, `href="/lang/en?next=%2Fleads"`)
	en := s.Expect(b.Get("/leads", "Accept-Language", "en-GB"), 200)
	apptest.WantText(t, en, `<html lang="en">`)
	apptest.WantText(t, en, "Sign out")

	// The switch keeps English for a browser that asks for Chinese.
	sw := b.Get("/lang/en?next=%2Fleads", "Accept-Language", "zh-CN")
	apptest.WantRedirect(t, sw, "/leads")
	apptest.WantText(t, s.Expect(b.Get("/leads", "Accept-Language", "zh-CN"), 200), "Sign out")
	// The switch goes back only to this site's pages.
	apptest.WantRedirect(t, b.Get("/lang/zh-CN?next=https%3A%2F%2Fevil.example"), "/")
	s.Expect(b.Get("/lang/klingon"), 404)
	apptest.WantText(t, s.Expect(b.Get("/leads", "Accept-Language", "en"), 200), "退出登录")

	// The sign-in page, before any session, follows the browser too.
	anon := s.Browser()
	apptest.WantText(t, s.Expect(anon.Get("/login", "Accept-Language", "zh-CN"), 200), "登录 leadflow")
}

// TestConsoleLanguageAndZoneSettings: a user's saved language wins over
// the browser's (and over an earlier switch in this browser), every time
// is shown in their zone with its offset, and a zone that does not exist
// is refused on the form, naming the field.
func TestConsoleLanguageAndZoneSettings(t *testing.T) {
	s := apptest.NewStack(t)
	_, token := s.CreateRep("Wang", 5)
	b := s.Browser()
	b.SignIn(token, "/leads")
	apptest.WantRedirect(t, b.Get("/lang/en?next=%2Fsettings%2Fnotifications"), "/settings/notifications")
	page := s.Expect(b.Get("/settings/notifications", "Accept-Language", "en"), 200)
	apptest.WantText(t, page, `id="profile-form"`)

	bad := b.Post(page, "/settings/profile", url.Values{"language": {"zh-CN"}, "time_zone": {"Mars/Olympus"}})
	if bad.Status != 422 {
		t.Fatalf("a zone that does not exist: %d", bad.Status)
	}
	apptest.WantText(t, bad, "time_zone")
	apptest.WantText(t, bad, `value="Mars/Olympus"`)

	apptest.WantRedirect(t, b.Post(page, "/settings/profile", url.Values{"language": {"zh-CN"}, "time_zone": {"Asia/Shanghai"}}),
		"/settings/notifications?saved=profile")
	saved := s.Expect(b.Get("/settings/notifications?saved=profile", "Accept-Language", "en"), 200)
	apptest.WantText(t, saved, `<html lang="zh-CN">`)
	apptest.WantText(t, saved, "您的语言和时区已保存。")
	apptest.WantText(t, saved, `<span id="zone" title="时间按此时区显示">Asia/Shanghai</span>`)
	var me lead.User
	s.Expect(s.Do("GET", "/api/v1/me", token, ""), 200).JSON(t, &me)
	if me.Language != "zh-CN" || me.TimeZone != "Asia/Shanghai" {
		t.Fatalf("GET /api/v1/me: %+v", me)
	}
	// Times on pages are in her zone, with its offset.
	l := s.CreateLead(`{"company":"Zone Test Trading","phone":"+8613900139001","country":"CN"}`)
	lp := s.Expect(b.Get("/leads/"+l.ID), 200)
	want := l.CreatedAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04") + " &#43;08:00" // html/template escapes the +
	apptest.WantText(t, lp, want)
}

// TestEveryEmailKindHasItsWords: the settings page names each e-mail kind
// by the id settings.kind.<kind>, built at run time: each must be in both
// catalogues, including kinds added later.
func TestEveryEmailKindHasItsWords(t *testing.T) {
	for _, k := range lead.EmailKinds {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, "settings.kind."+k.Kind) {
				t.Errorf("the %s catalogue lacks settings.kind.%s", lang, k.Kind)
			}
		}
	}
}
