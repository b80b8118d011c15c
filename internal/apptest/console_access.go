package apptest

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
var managementPrefixes = []string{"/rules", "/imports", "/exports", "/pools", "/users", "/teams", "/fields", "/options", "/outbox",
	"/reports", "/settings/duplicates", "/webhooks", "/calendars", "/sources", "/inbox", "/campaigns", "/sequences", "/templates"}

// ManagementPage reports whether path is one of the management pages.
func ManagementPage(path string) bool {
	for _, p := range managementPrefixes {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// ConsoleMatrix are the rows of the console's management pages and forms
// in TestAuthorizationMatrix: each subject, signed in, gets what the API
// route behind the page answers (a page 200, a form done 303 or its page,
// a refusal 403 or 404). A form's body is url-encoded.
func ConsoleMatrix(poolA func(*World) string, fixed, uniq func(string) func(*World) string,
	once func(string, func(*World) string) func(*World) string) map[string]Cell {
	staff := [Subjects]int{200, 200, 200, 403, 403, 403, 403}
	poolStaff := [Subjects]int{200, 200, 403, 403, 403, 403, 403}
	poolForm := [Subjects]int{303, 303, 403, 403, 403, 403, 403}
	admin := [Subjects]int{200, 403, 403, 403, 403, 403, 403}
	adminForm := [Subjects]int{303, 403, 403, 403, 403, 403, 403}
	mgr := func(w *World) string { return w.IDs[SubMgr] }
	member := func(w *World) string { return w.IDs[SubMember] }
	team := func(w *World) string { return w.TeamOf(SubMember) }
	field := once("console-field", func(w *World) string {
		var d lead.FieldDef
		w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, `{"entity":"lead","name":"console_field","type":"text"}`), 201).JSON(w.T, &d)
		return d.ID
	})
	email := once("email", func(w *World) string {
		n, err := w.DB.ClaimNotification(context.Background(), lead.Notification{Key: "matrix/email", Kind: lead.EmailNewLead,
			ToEmail: "mia@example.com", Subject: "Matrix", Text: "text"})
		if err != nil {
			w.T.Fatal(err)
		}
		return n.ID
	})
	hook := once("console-webhook", func(w *World) string { return w.Webhook(w.PoolA, "http://127.0.0.1:9/h", false) })
	hookSeen := [Subjects]int{200, 200, 404, 403, 403, 403, 403}
	calendar := once("console-calendar", func(w *World) string { return w.Calendar() })
	source := once("console-source", (*World).Source)
	hookForm := [Subjects]int{303, 303, 404, 403, 403, 403, 403}
	// A draft campaign of the manager's to pool A's leads, one for each subject.
	campaignBody := func(w *World) string {
		tpl := once("console-email-template", func(w *World) string {
			var out struct{ ID string }
			w.Expect(w.Do("POST", "/api/v1/templates", w.Admin, `{"name":"Console news","channel":"email","language":"en","subject":"News","body":"Hi"}`), 201).JSON(w.T, &out)
			return out.ID
		})(w)
		return fmt.Sprintf("name=Console+%d&channel=email&template_id=%s&filter=%s", w.Seq.Add(1), tpl, url.QueryEscape("pool_id="+w.PoolA))
	}
	campaign := func(w *World) string {
		var out struct{ ID string }
		q, _ := url.ParseQuery(campaignBody(w))
		body := fmt.Sprintf(`{"name":%q,"channel":"email","template_id":%q,"audience":{"filter":{"pool_id":%q}}}`, q.Get("name"), q.Get("template_id"), w.PoolA)
		w.Expect(w.Do("POST", "/api/v1/campaigns", w.Tokens[SubMgr], body), 201).JSON(w.T, &out)
		return out.ID
	}
	campaignRefused := [Subjects]int{409, 409, 404, 403, 403, 403, 403}
	// Message templates: everyone's to read, staff's to write (not tied to a pool).
	template := func(w *World) string {
		var out struct{ ID string }
		w.Expect(w.Do("POST", "/api/v1/templates", w.Admin, fmt.Sprintf(`{"name":"Console tpl %d","channel":"sms","language":"en","body":"Hi"}`, w.Seq.Add(1))), 201).JSON(w.T, &out)
		return out.ID
	}
	staffForm := [Subjects]int{303, 303, 303, 403, 403, 403, 403}
	body := func(f func(*World) string, format string) func(*World) string {
		return func(w *World) string { return fmt.Sprintf(format, url.QueryEscape(f(w))) }
	}
	return map[string]Cell{
		"GET /pools":             {Want: staff},
		"POST /pools":            {Body: uniq("name=Console+Pool+%d&scope=global"), Want: adminForm},
		"GET /pools/:id":         {Fixture: poolA, Want: poolStaff},
		"POST /pools/:id/policy": {Fixture: poolA, Body: fixed("distribution=claim_only"), Want: poolForm},
		"POST /pools/:id/details": {Fixture: poolA, Want: adminForm, Body: func(w *World) string {
			return "name=Pool+A&scope=team&team_id=" + url.QueryEscape(w.TeamOf(SubMember))
		}},
		"POST /pools/:id/weights":    {Fixture: poolA, Body: body(member, "weight.%s=1"), Want: poolForm},
		"POST /pools/:id/members":    {Fixture: poolA, Body: body(member, "op=add&user_id=%s"), Want: poolForm},
		"POST /pools/:id/admins":     {Fixture: poolA, Body: body(mgr, "op=add&user_id=%s"), Want: adminForm},
		"POST /pools/:id/recipients": {Fixture: poolA, Body: body(mgr, "user_ids=%s"), Want: poolForm},
		"POST /pools/:id/transfer":   {Fixture: poolA, Body: body(mgr, "admin_id=%s"), Want: poolForm},
		"GET /users":                 {Want: staff},
		"POST /users":                {Body: uniq("name=Console+%[1]d&email=console%[1]d%%40example.com&role=rep"), Want: admin},
		"GET /users/:id":             {Fixture: member, Want: admin},
		"POST /users/:id": {Fixture: member, Want: adminForm, Body: func(w *World) string {
			return "name=Mel&role=rep&capacity=50&daily_claim_limit=20&active=on&team_id=" + url.QueryEscape(w.TeamOf(SubMember))
		}},
		"POST /users/:id/token":              {Fixture: func(w *World) string { id, _ := w.CreateRep(fmt.Sprintf("Fresh%d", w.Seq.Add(1)), 5); return id }, Want: admin},
		"POST /users/:id/sign-in-link":       {Fixture: member, Want: admin},
		"GET /teams":                         {Want: All(200)},
		"POST /teams":                        {Body: uniq("name=Console+Team+%d"), Want: adminForm},
		"GET /teams/:id":                     {Fixture: team, Want: staff},
		"POST /teams/:id/recipients":         {Fixture: team, Body: body(member, "user_ids=%s"), Want: adminForm},
		"GET /fields":                        {Want: All(200)},
		"POST /fields":                       {Body: uniq("entity=lead&name=console_%d&type=text"), Want: adminForm},
		"GET /fields/:id":                    {Fixture: field, Want: admin},
		"POST /fields/:id":                   {Fixture: field, Body: fixed("entity=lead&name=console_field&type=text&label=Console"), Want: adminForm},
		"POST /fields/:id/delete":            {Fixture: func(w *World) string { return w.Field() }, Want: adminForm},
		"GET /options":                       {Want: All(200)},
		"POST /options/:list":                {Fixture: fixed("stages"), Body: fixed("items=" + url.QueryEscape(strings.Join(lead.DefaultStages, "\n"))), Want: adminForm},
		"GET /outbox":                        {Want: admin},
		"GET /outbox/:id":                    {Fixture: email, Want: admin},
		"GET /reports/rejections":            {Want: All(200)},
		"GET /settings/duplicates":           {Want: staff},
		"POST /settings/duplicates":          {Body: fixed("api=warn"), Want: adminForm},
		"GET /webhooks":                      {Want: staff},
		"GET /companies":                     {Want: staff},
		"POST /teams/:id/registration":       {Fixture: (*World).OwnRulesTeam, Body: fixed("registration_rules=supplier"), Want: adminForm},
		"POST /teams/:id/registration-rules": {Fixture: (*World).OwnRulesTeam, Body: fixed("body=" + url.QueryEscape(`{"groups":[]}`)), Want: adminForm},
		"POST /companies/ignored":            {Body: uniq("name=Ignored+Console+%d"), Want: adminForm},
		"POST /companies/ignored/:id/delete": {Fixture: func(w *World) string { return w.IgnoredCompany() }, Want: [Subjects]int{303, 403, 403, 403, 403, 403, 403}},
		"POST /teams/:id/calendar":           {Fixture: team, Body: fixed("calendar_id="), Want: adminForm},
		"POST /teams/:team/chat-targets":     {Fixture: team, Body: fixed("kind=slack&url=http%3A%2F%2F127.0.0.1%3A9%2Fh"), Want: adminForm},
		"POST /webhooks": {Want: [Subjects]int{200, 200, 403, 403, 403, 403, 403}, Body: func(w *World) string {
			return "url=http%3A%2F%2F127.0.0.1%3A9%2Fh&events=*&pool_id=" + url.QueryEscape(w.PoolA) // inactive: no active=on
		}},
		"GET /webhooks/:id":                {Fixture: hook, Want: hookSeen},
		"POST /webhooks/:id":               {Fixture: hook, Body: fixed("url=http%3A%2F%2F127.0.0.1%3A9%2Fh&events=lead.created"), Want: hookForm},
		"POST /webhooks/:id/rotate-secret": {Fixture: hook, Want: hookSeen},
		"POST /webhooks/:id/delete": {Fixture: func(w *World) string { return w.Webhook(w.PoolA, "http://127.0.0.1:9/h", false) },
			Body: fixed("confirm=yes"), Want: hookForm},
		"POST /webhooks/:id/deliveries/:delivery/redeliver": {Fixture: once("delivery", (*World).WebhookDelivery), Want: hookForm},
		"GET /calendars":      {Want: staff},
		"POST /calendars":     {Body: uniq("name=Console+Calendar+%d&time_zone=Asia%%2FShanghai&hours_mon=09%%3A00-18%%3A00"), Want: adminForm},
		"GET /calendars/:id":  {Fixture: calendar, Want: staff},
		"POST /calendars/:id": {Fixture: calendar, Body: uniq("name=Console+Calendar+%d&time_zone=UTC&hours_tue=09%%3A00-18%%3A00"), Want: adminForm},
		// A CSV is no iCalendar file: the admin's form is refused on its page.
		"POST /calendars/:id/ics":         {Fixture: calendar, Multipart: true, Want: [Subjects]int{422, 403, 403, 403, 403, 403, 403}},
		"GET /sources":                    {Want: admin},
		"POST /sources":                   {Body: uniq("name=console-%d&duplicate_policy=merge"), Want: admin},
		"GET /sources/:id":                {Fixture: source, Want: admin},
		"POST /sources/:id":               {Fixture: source, Body: uniq("name=console-edit-%d&duplicate_policy=warn"), Want: adminForm},
		"POST /sources/:id/rotate-secret": {Fixture: source, Want: admin},
		"POST /sources/:id/delete":        {Fixture: (*World).Source, Body: fixed("confirm=yes"), Want: adminForm},
		// The inbox: a conversation nobody is assigned, and the owner rep's.
		"GET /inbox":             {Want: All(200)},
		"GET /inbox/:id":         {Fixture: once("console-conversation", func(w *World) string { return w.Conversation(-1) }), Want: [Subjects]int{200, 200, 200, 404, 404, 404, 404}},
		"POST /inbox/:id/assign": {Fixture: func(w *World) string { return w.Conversation(-1) }, Body: body(member, "rep_id=%s"), Want: [Subjects]int{303, 303, 303, 403, 403, 403, 403}},
		"POST /inbox/:id/lead": {Fixture: func(w *World) string { return w.Conversation(SubOwner) }, Body: uniq("company=Inbox+Console+%d+Ltd&phone=13800138000&country=CN"),
			Want: [Subjects]int{403, 403, 403, 404, 404, 303, 404}},
		"GET /campaigns":             {Want: staff},
		"POST /campaigns":            {Body: campaignBody, Want: [Subjects]int{303, 303, 303, 403, 403, 403, 403}},
		"GET /campaigns/:id":         {Fixture: once("console-campaign", campaign), Want: hookSeen},
		"POST /campaigns/:id/start":  {Fixture: campaign, Want: hookForm},
		"POST /campaigns/:id/pause":  {Fixture: campaign, Want: campaignRefused},
		"POST /campaigns/:id/resume": {Fixture: campaign, Want: campaignRefused},
		"POST /campaigns/:id/cancel": {Fixture: campaign, Want: hookForm},
		"GET /templates":             {Want: All(200)},
		"POST /templates":            {Body: uniq("name=Console+template+%d&channel=sms&language=en&body=Hi"), Want: staffForm},
		"GET /templates/:id":         {Fixture: once("console-template", template), Want: All(200)},
		"POST /templates/:id":        {Fixture: once("console-template", template), Body: uniq("name=Console+renamed+%d&channel=sms&language=en&body=Hello"), Want: staffForm},
		"POST /templates/:id/delete": {Fixture: template, Want: staffForm},
	}
}

// ConsoleRoutes sends the console rows as each subject, signed in, and
// checks that each row is a route.
func (w *World) ConsoleRoutes(rows map[string]Cell, seen map[string]bool, param *regexp.Regexp) {
	var browsers [Subjects]*Browser
	var pages [Subjects]Response
	for sub := range Subjects {
		browsers[sub] = w.SignedIn(sub)
		pages[sub] = w.Expect(browsers[sub].Get("/leads"), 200)
	}
	for key, c := range rows {
		if !seen[key] {
			w.T.Errorf("the matrix has a row for %s, which is not a route", key)
			continue
		}
		method, path, _ := strings.Cut(key, " ")
		for sub := range Subjects {
			p := path
			if c.Fixture != nil {
				p = param.ReplaceAllLiteralString(p, c.Fixture(w))
			}
			var got Response
			switch {
			case c.Multipart:
				got = browsers[sub].Upload(pages[sub], p, "m.csv", []byte("company,phone,country\nMatrix Console Co,13800000002,CN\n"), "pool_id", w.PoolA)
			case method == "GET":
				got = browsers[sub].Get(p)
			default:
				form := url.Values{}
				if c.Body != nil {
					var err error
					if form, err = url.ParseQuery(c.Body(w)); err != nil {
						w.T.Fatal(err)
					}
				}
				got = browsers[sub].Post(pages[sub], p, form)
			}
			if got.Status != c.Want[sub] {
				w.T.Errorf("console %s as %s: %d, want %d; %.300s", key, SubjectNames[sub], got.Status, c.Want[sub], got.Body)
			}
		}
	}
}
