package api_test

import (
	"net/url"
	"regexp"
	"strings"
)

// consoleRows are the console routes whose answer depends on the role, as
// the API's routes they call: each is sent, signed in, as every subject of
// the authorization matrix. The body is a form (URL-encoded); the CSRF
// token is added.
var consoleRows = map[string]cell{
	"GET /rules":                         {want: [subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"GET /rules/:kind":                   {fixture: fixedPath("scoring"), want: [subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"POST /rules/:kind":                  {fixture: fixedPath("scoring"), body: fixedPath("body=" + url.QueryEscape(`{"rules":[]}`)), want: [subjects]int{303, 403, 403, 403, 403, 403, 403}},
	"POST /rules/:kind/test":             {fixture: fixedPath("scoring"), body: fixedPath("body=" + url.QueryEscape(`{"rules":[]}`) + "&sample=" + url.QueryEscape(`{"company":"Acme"}`)), want: [subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"POST /rules/:kind/preview":          {fixture: fixedPath("scoring"), body: fixedPath("body=" + url.QueryEscape(`{"rules":[]}`) + "&limit=10"), want: [subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"GET /rules/:kind/versions/:version": {fixture: fixedPath("scoring/versions/1"), want: [subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"POST /rules/:kind/versions/:version/activate": {fixture: fixedPath("scoring/versions/1"), body: fixedPath("confirm=yes"),
		want: [subjects]int{303, 403, 403, 403, 403, 403, 403}},
}

func fixedPath(v string) func(*world) string { return func(*world) string { return v } }

// consoleAs sends console route key as each subject, signed in to the
// console with their token, and checks the status against c.want.
func (w *world) consoleAs(key string, param *regexp.Regexp, c cell) {
	w.t.Helper()
	method, path, _ := strings.Cut(key, " ")
	if c.fixture != nil {
		path = param.ReplaceAllLiteralString(path, c.fixture(w))
	}
	for sub := range subjects {
		b := w.browser()
		home := w.expect(b.signIn(w.tokens[sub], "/settings/notifications"), 303)
		if home.header.Get("Location") != "/settings/notifications" {
			w.t.Fatalf("%s could not sign in: %d to %q", subjectNames[sub], home.status, home.header.Get("Location"))
		}
		var got response
		if method == "GET" {
			got = b.get(path)
		} else {
			form := url.Values{}
			if c.body != nil {
				form, _ = url.ParseQuery(c.body(w))
			}
			got = b.post(w.expect(b.get("/settings/notifications"), 200), path, form)
		}
		if got.status != c.want[sub] {
			w.t.Errorf("%s as %s (console): %d, want %d; %.300s", key, subjectNames[sub], got.status, c.want[sub], got.body)
		}
	}
}
