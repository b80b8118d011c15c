package apptest

import (
	"net/url"
)

// RuleConsoleRows are the console routes whose answer depends on the role, as
// the API's routes they call: each is sent, signed in, as every subject of
// the authorization matrix. The body is a form (URL-encoded); the CSRF
// token is added.
var RuleConsoleRows = map[string]Cell{
	"GET /rules":                         {Want: [Subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"GET /rules/:kind":                   {Fixture: fixedPath("scoring"), Want: [Subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"POST /rules/:kind":                  {Fixture: fixedPath("scoring"), Body: fixedPath("body=" + url.QueryEscape(`{"rules":[]}`)), Want: [Subjects]int{303, 403, 403, 403, 403, 403, 403}},
	"POST /rules/:kind/test":             {Fixture: fixedPath("scoring"), Body: fixedPath("body=" + url.QueryEscape(`{"rules":[]}`) + "&sample=" + url.QueryEscape(`{"company":"Acme"}`)), Want: [Subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"POST /rules/:kind/preview":          {Fixture: fixedPath("scoring"), Body: fixedPath("body=" + url.QueryEscape(`{"rules":[]}`) + "&limit=10"), Want: [Subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"GET /rules/:kind/versions/:version": {Fixture: fixedPath("scoring/versions/1"), Want: [Subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"POST /rules/:kind/versions/:version/activate": {Fixture: fixedPath("scoring/versions/1"), Body: fixedPath("confirm=yes"),
		Want: [Subjects]int{303, 403, 403, 403, 403, 403, 403}},
}

func fixedPath(v string) func(*World) string { return func(*World) string { return v } }
