package api_test

import (
	"net/url"
)

// ruleConsoleRows are the console routes whose answer depends on the role, as
// the API's routes they call: each is sent, signed in, as every subject of
// the authorization matrix. The body is a form (URL-encoded); the CSRF
// token is added.
var ruleConsoleRows = map[string]cell{
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
