package console_test

import (
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
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
