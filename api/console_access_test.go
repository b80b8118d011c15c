package api_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// managementPrefixes are the paths of the console's management pages:
// each of their routes needs a row of consoleMatrix.
var managementPrefixes = []string{"/rules", "/imports", "/exports", "/pools", "/users", "/teams", "/fields", "/options", "/outbox"}

func managementPage(path string) bool {
	for _, p := range managementPrefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// consoleMatrix are the rows of the console's management pages and forms
// in TestAuthorizationMatrix: each subject, signed in, gets what the API
// route behind the page answers (a page 200, a form done 303 or its page,
// a refusal 403 or 404). A form's body is url-encoded.
func consoleMatrix(poolA func(*world) string, fixed, uniq func(string) func(*world) string,
	once func(string, func(*world) string) func(*world) string) map[string]cell {
	staff := [subjects]int{200, 200, 200, 403, 403, 403, 403}
	poolStaff := [subjects]int{200, 200, 403, 403, 403, 403, 403}
	poolForm := [subjects]int{303, 303, 403, 403, 403, 403, 403}
	admin := [subjects]int{200, 403, 403, 403, 403, 403, 403}
	adminForm := [subjects]int{303, 403, 403, 403, 403, 403, 403}
	mgr := func(w *world) string { return w.ids[subMgr] }
	member := func(w *world) string { return w.ids[subMember] }
	team := func(w *world) string { return w.teamOf(subMember) }
	field := once("console-field", func(w *world) string {
		var d lead.FieldDef
		w.expect(w.do("POST", "/api/v1/fields", w.admin, `{"entity":"lead","name":"console_field","type":"text"}`), 201).json(w.t, &d)
		return d.ID
	})
	email := once("email", func(w *world) string {
		n, err := w.db.ClaimNotification(context.Background(), lead.Notification{Key: "matrix/email", Kind: lead.EmailNewLead,
			ToEmail: "mia@example.com", Subject: "Matrix", Text: "text"})
		if err != nil {
			w.t.Fatal(err)
		}
		return n.ID
	})
	body := func(f func(*world) string, format string) func(*world) string {
		return func(w *world) string { return fmt.Sprintf(format, url.QueryEscape(f(w))) }
	}
	return map[string]cell{
		"GET /pools":             {want: staff},
		"POST /pools":            {body: uniq("name=Console+Pool+%d&scope=global"), want: adminForm},
		"GET /pools/:id":         {fixture: poolA, want: poolStaff},
		"POST /pools/:id/policy": {fixture: poolA, body: fixed("distribution=claim_only"), want: poolForm},
		"POST /pools/:id/details": {fixture: poolA, want: adminForm, body: func(w *world) string {
			return "name=Pool+A&scope=team&team_id=" + url.QueryEscape(w.teamOf(subMember))
		}},
		"POST /pools/:id/weights":    {fixture: poolA, body: body(member, "weight.%s=1"), want: poolForm},
		"POST /pools/:id/members":    {fixture: poolA, body: body(member, "op=add&user_id=%s"), want: poolForm},
		"POST /pools/:id/admins":     {fixture: poolA, body: body(mgr, "op=add&user_id=%s"), want: adminForm},
		"POST /pools/:id/recipients": {fixture: poolA, body: body(mgr, "user_ids=%s"), want: poolForm},
		"POST /pools/:id/transfer":   {fixture: poolA, body: body(mgr, "admin_id=%s"), want: poolForm},
		"GET /users":                 {want: staff},
		"POST /users":                {body: uniq("name=Console+%[1]d&email=console%[1]d%%40example.com&role=rep"), want: admin},
		"GET /users/:id":             {fixture: member, want: admin},
		"POST /users/:id": {fixture: member, want: adminForm, body: func(w *world) string {
			return "name=Mel&role=rep&capacity=50&daily_claim_limit=20&active=on&team_id=" + url.QueryEscape(w.teamOf(subMember))
		}},
		"POST /users/:id/token":        {fixture: func(w *world) string { id, _ := w.createRep(fmt.Sprintf("Fresh%d", w.seq.Add(1)), 5); return id }, want: admin},
		"POST /users/:id/sign-in-link": {fixture: member, want: admin},
		"GET /teams":                   {want: all(200)},
		"POST /teams":                  {body: uniq("name=Console+Team+%d"), want: adminForm},
		"GET /teams/:id":               {fixture: team, want: staff},
		"POST /teams/:id/recipients":   {fixture: team, body: body(member, "user_ids=%s"), want: adminForm},
		"GET /fields":                  {want: all(200)},
		"POST /fields":                 {body: uniq("entity=lead&name=console_%d&type=text"), want: adminForm},
		"GET /fields/:id":              {fixture: field, want: admin},
		"POST /fields/:id":             {fixture: field, body: fixed("entity=lead&name=console_field&type=text&label=Console"), want: adminForm},
		"POST /fields/:id/delete":      {fixture: func(w *world) string { return w.field() }, want: adminForm},
		"GET /options":                 {want: all(200)},
		"POST /options/:list":          {fixture: fixed("stages"), body: fixed("items=" + url.QueryEscape(strings.Join(lead.DefaultStages, "\n"))), want: adminForm},
		"GET /outbox":                  {want: admin},
		"GET /outbox/:id":              {fixture: email, want: admin},
	}
}

// consoleRoutes sends the console rows as each subject, signed in, and
// checks that each row is a route.
func (w *world) consoleRoutes(rows map[string]cell, seen map[string]bool, param *regexp.Regexp) {
	var browsers [subjects]*browser
	var pages [subjects]response
	for sub := range subjects {
		browsers[sub] = w.signedIn(sub)
		pages[sub] = w.expect(browsers[sub].get("/leads"), 200)
	}
	for key, c := range rows {
		if !seen[key] {
			w.t.Errorf("the matrix has a row for %s, which is not a route", key)
			continue
		}
		method, path, _ := strings.Cut(key, " ")
		for sub := range subjects {
			p := path
			if c.fixture != nil {
				p = param.ReplaceAllLiteralString(p, c.fixture(w))
			}
			var got response
			switch {
			case c.multipart:
				got = browsers[sub].upload(pages[sub], p, "m.csv", []byte("company,phone,country\nMatrix Console Co,13800000002,CN\n"), "pool_id", w.poolA)
			case method == "GET":
				got = browsers[sub].get(p)
			default:
				form := url.Values{}
				if c.body != nil {
					var err error
					if form, err = url.ParseQuery(c.body(w)); err != nil {
						w.t.Fatal(err)
					}
				}
				got = browsers[sub].post(pages[sub], p, form)
			}
			if got.status != c.want[sub] {
				w.t.Errorf("console %s as %s: %d, want %d; %.300s", key, subjectNames[sub], got.status, c.want[sub], got.body)
			}
		}
	}
}
