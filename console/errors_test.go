package console_test

import (
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestConsoleErrorPages (bug 6): an unknown console path, a page the role
// may not open and a failure of a handler answer HTML pages in the
// reader's language, signed in or not; the API's paths keep answering
// problem+json, in English word for word, in Chinese by the problem's code.
func TestConsoleErrorPages(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Rui", 5)
	html := func(r apptest.Response, status int, texts ...string) {
		t.Helper()
		s.Expect(r, status)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("answer %d of type %q: %s", status, ct, r.Body)
		}
		if r.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("an error page without the console's security headers")
		}
		apptest.WantText(t, r, append(texts, `id="error-page"`)...)
	}

	// 404, signed out: in the browser's language.
	html(s.Browser().Get("/no-such-page"), 404, `<html lang="en">`, "Page not found", `href="/login"`)
	html(s.Browser().Get("/no-such-page/deeper", "Accept-Language", "zh-CN,zh;q=0.9"), 404, `<html lang="zh-CN">`, "页面不存在")
	// 404, signed in: the layout with the user's navigation.
	b := s.Browser()
	b.SignIn(rep, "/leads")
	html(b.Get("/no-such-page", "Accept-Language", "zh-CN"), 404, "页面不存在", `id="sign-out"`, `href="/leads"`)

	// The API's unknown paths stay problem+json: English as it always was,
	// Chinese by the problem's code.
	p := s.Expect(s.Do("GET", "/api/v1/no-such-endpoint", s.Admin, ""), 404).Problem(t)
	if p.Title != "no such endpoint" || p.Detail != "GET /api/v1/no-such-endpoint does not exist" {
		t.Errorf("the API's 404 in English: %+v", p)
	}
	p = s.Expect(s.Do("GET", "/api/v1/no-such-endpoint", s.Admin, "", "Accept-Language", "zh-CN"), 404).Problem(t)
	if p.Title != "未找到。" || p.Code != "not_found" {
		t.Errorf("the API's 404 in Chinese: %+v", p)
	}
	p = s.Expect(s.Do("GET", "/api/v1/users", rep, "", "Accept-Language", "zh-CN"), 403).Problem(t)
	if p.Title != "您无权执行此操作。" {
		t.Errorf("the API's 403 in Chinese: %+v", p)
	}

	// 403: a rep on the users page, in each language.
	html(b.Get("/users"), 403, "Not allowed", `id="error-detail"`)
	html(b.Get("/users", "Accept-Language", "zh-CN"), 403, "无权访问", "您无权执行此操作。")

	// 500: a handler's failure (the database is gone) is a page, not
	// problem+json, and says nothing of the error itself.
	s.DB.Close()
	r := b.Get("/dashboard", "Accept-Language", "zh-CN")
	html(r, 500, "出错了", "错误已记录")
	if strings.Contains(string(r.Body), "closed pool") {
		t.Errorf("the error page shows the error: %s", r.Body)
	}
	html(b.Get("/dashboard"), 500, "Something went wrong")
}
