package apptest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Browser is a cookie jar over the app: what a browser keeps between the
// console's pages. It follows no redirects, so tests see them.
type Browser struct {
	s       *Stack
	Cookies map[string]string
}

// Browser is a new browser on the stack, without cookies.
func (s *Stack) Browser() *Browser { return &Browser{s: s, Cookies: map[string]string{}} }

// Send sends a form (when not nil) with the browser's cookies, and keeps the
// cookies the answer sets.
func (b *Browser) Send(method, path string, form url.Values, headers ...string) Response {
	b.s.T.Helper()
	var body string
	if form != nil {
		body = form.Encode()
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for name, v := range b.Cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	r := b.s.Send(req, []byte(body))
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.Cookies, c.Name)
		} else {
			b.Cookies[c.Name] = c.Value
		}
	}
	return r
}

// Get gets a page.
func (b *Browser) Get(path string, headers ...string) Response {
	return b.Send("GET", path, nil, headers...)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRF is the CSRF token of the forms of a page.
func (b *Browser) CSRF(page Response) string {
	b.s.T.Helper()
	m := csrfField.FindSubmatch(page.Body)
	if m == nil {
		b.s.T.Fatalf("no CSRF token on the page: %.500s", page.Body)
	}
	return string(m[1])
}

// Post sends a form of page (with its CSRF token) to path.
func (b *Browser) Post(page Response, path string, form url.Values) Response {
	b.s.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.CSRF(page))
	return b.Send("POST", path, form)
}

// SignIn signs in with a token and returns the page it leads to.
func (b *Browser) SignIn(token, next string) Response {
	b.s.T.Helper()
	login := b.s.Expect(b.Get("/login?next="+url.QueryEscape(next)), 200)
	return b.Post(login, "/login", url.Values{"token": {token}, "next": {next}})
}

// WantRedirect fails the test unless r is a 303 to to.
func WantRedirect(t testing.TB, r Response, to string) {
	t.Helper()
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != to {
		t.Fatalf("answer %d to %q, want 303 to %q; %.300s", r.Status, r.Header.Get("Location"), to, r.Body)
	}
}

// WantText checks that the page holds each of texts.
func WantText(t testing.TB, r Response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(string(r.Body), s) {
			t.Errorf("the page lacks %q: %.3000s", s, r.Body)
		}
	}
}
