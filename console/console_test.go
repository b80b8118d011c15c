package console_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestConsoleSignIn covers the sessions: sign-in with a token and with a
// one-time link, the way back to the page asked for (same-site paths
// only), the cookie's attributes, CSRF, the security headers, and that
// the cookie opens no API route.
func TestConsoleSignIn(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Cora", 5)
	l := s.CreateLead(`{"company":"Console Trading Co","phone":"13800138111","country":"CN"}`)
	b := s.Browser()

	apptest.WantRedirect(t, b.Get("/leads/"+l.ID), "/login?next="+url.QueryEscape("/leads/"+l.ID))
	login := s.Expect(b.Get("/login?next=/leads/"+l.ID), 200)
	csp := login.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") ||
		login.Header.Get("X-Content-Type-Options") != "nosniff" || login.Header.Get("Referrer-Policy") == "" {
		t.Errorf("security headers: %v", login.Header)
	}
	if strings.Contains(string(login.Body), "<script>") || strings.Contains(string(login.Body), "style=") {
		t.Errorf("inline script or style on the sign-in page")
	}

	// A form without its token, and a wrong token, are refused.
	s.Expect(b.Send("POST", "/login", url.Values{"token": {rep}}), 401)
	apptest.WantText(t, s.Expect(b.Post(login, "/login", url.Values{"token": {"lf_nope"}}), 401), "not valid")

	r := b.Post(login, "/login", url.Values{"token": {rep}, "next": {"/leads/" + l.ID}})
	apptest.WantRedirect(t, r, "/leads/"+l.ID)
	cookie := r.Header.Values("Set-Cookie")
	var session string
	for _, c := range cookie {
		if strings.HasPrefix(c, "leadflow_session=") {
			session = c
		}
	}
	if !strings.Contains(session, "HttpOnly") || !strings.Contains(strings.ToLower(session), "samesite=lax") ||
		!strings.Contains(session, "expires=") || strings.Contains(session, "Secure") {
		t.Errorf("session cookie %q: want HttpOnly, SameSite=Lax, an expiry, and not Secure over http", session)
	}
	page := s.Expect(b.Get("/leads/"+l.ID), 200)
	apptest.WantText(t, page, "Console Trading Co", `id="claim"`, "Sign out")
	if strings.Contains(string(page.Body), `id="convert"`) || strings.Contains(string(page.Body), `id="follow-up"`) {
		t.Errorf("a pooled lead shows actions the rep may not do yet")
	}

	// The cookie is no API credential.
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: "leadflow_session", Value: b.Cookies["leadflow_session"]})
	s.Expect(s.Send(req, nil), 401)

	// A form needs the session's CSRF token.
	s.Expect(b.Send("POST", "/leads/"+l.ID+"/claim", url.Values{"csrf": {"forged"}}), 403)
	if got := s.GetLead(l.ID); got.Status != lead.StatusPooled {
		t.Fatalf("a forged form claimed the lead: %+v", got)
	}
	// Never from the query string (it leaks into logs and Referer headers);
	// from the form body or the X-CSRF-Token header.
	token := b.CSRF(page)
	s.Expect(b.Send("POST", "/invite/rotate?csrf="+url.QueryEscape(token), url.Values{}), 403)
	s.Expect(b.Send("POST", "/leads/"+l.ID+"/claim?csrf="+url.QueryEscape(token), nil), 403)
	if got := s.GetLead(l.ID); got.Status != lead.StatusPooled {
		t.Fatalf("a CSRF token in the query string claimed the lead: %+v", got)
	}
	apptest.WantRedirect(t, b.Send("POST", "/invite/rotate", url.Values{}, "X-CSRF-Token", token), "/invite")
	login2 := s.Browser()
	login2.Get("/login")
	s.Expect(login2.Send("POST", "/login?csrf="+url.QueryEscape(login2.Cookies["leadflow_login"]), url.Values{"token": {rep}}), 401)

	// Sign-out ends the session.
	apptest.WantRedirect(t, b.Post(page, "/logout", nil), "/login")
	apptest.WantRedirect(t, b.Get("/leads"), "/login?next=%2Fleads")

	// Only same-site paths are followed after sign-in.
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "/api/v1/me",
		"/\t/evil.example/x", "/\n/evil.example/x", "/\x0b/evil.example/x", "/\x00/x", "/\x7f/evil.example", "/\r\n/evil.example"} {
		apptest.WantRedirect(t, s.Browser().SignIn(rep, next), "/leads")
	}

	// A one-time link: created by an admin, it works once.
	var link struct {
		URL       string `json:"url"`
		ExpiresAt string `json:"expires_at"`
	}
	s.Expect(s.Do("POST", "/api/v1/users/"+repID+"/sign-in-link", s.Admin, ""), 201).JSON(t, &link)
	u, err := url.Parse(link.URL)
	if err != nil || !strings.HasPrefix(u.Path, "/login/") || link.ExpiresAt == "" {
		t.Fatalf("sign-in link %+v", link)
	}
	s.Expect(s.Do("POST", "/api/v1/users/"+repID+"/sign-in-link", rep, ""), 403)
	b2 := s.Browser()
	confirm := s.Expect(b2.Get(u.Path+"?next=/settings/notifications"), 200)
	if confirm.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the sign-in link's page leaks its code in the referrer: %q", confirm.Header.Get("Referrer-Policy"))
	}
	code := strings.TrimPrefix(u.Path, "/login/")
	apptest.WantRedirect(t, b2.Post(confirm, "/login/code", url.Values{"code": {code}, "next": {"/settings/notifications"}}), "/settings/notifications")
	apptest.WantText(t, s.Expect(b2.Get("/settings/notifications"), 200), "E-mail settings")
	b3 := s.Browser()
	again := s.Expect(b3.Get(u.Path), 200)
	apptest.WantText(t, s.Expect(b3.Post(again, "/login/code", url.Values{"code": {code}}), 401), "expired or was used")
}

// TestConsoleLeadActions drives a rep through the forms: claim, follow-up,
// edit, convert, a refusal with its reasons, and the list with its tabs
// and filters.
func TestConsoleLeadActions(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Lena", 1)
	l := s.CreateLead(`{"company":"Form Trading Co","name":"Wang Fang","phone":"13800138222","country":"CN"}`)
	other := s.CreateLead(`{"company":"Second Trading Co","phone":"13800138333","country":"CN"}`)
	b := s.Browser()
	apptest.WantRedirect(t, b.SignIn(rep, "/leads"), "/leads")

	// The pool's tab lists the pooled leads; filters stay in the URL.
	list := s.Expect(b.Get("/leads?tab="+lead.DefaultPoolID+"&company=form"), 200)
	apptest.WantText(t, list, "Form Trading Co", `value="form"`)
	if strings.Contains(string(list.Body), "Second Trading Co") {
		t.Errorf("the company filter let another lead through")
	}
	apptest.WantText(t, s.Expect(b.Get("/leads?status=bogus"), 422), "status")

	page := s.Expect(b.Get("/leads/"+l.ID), 200)
	apptest.WantRedirect(t, b.Post(page, "/leads/"+l.ID+"/claim", url.Values{"reason": {"called in"}, "expected_follow_up_at": {"2030-01-02T10:00"}}),
		"/leads/"+l.ID+"?done=claim")
	page = s.Expect(b.Get("/leads/"+l.ID+"?done=claim"), 200)
	apptest.WantText(t, page, "You claimed this lead.", `id="follow-up"`, `id="convert"`, `id="return"`, "claimed")
	if got := s.GetLead(l.ID); got.Status != lead.StatusAssigned || got.ExpectedFollowUpAt == nil {
		t.Fatalf("after the claim form: %+v", got)
	}
	apptest.WantText(t, s.Expect(b.Get("/leads"), 200), "Form Trading Co")

	// A refused action shows why: the rep's one slot is taken.
	otherPage := s.Expect(b.Get("/leads/"+other.ID), 200)
	refused := s.Expect(b.Post(otherPage, "/leads/"+other.ID+"/claim", nil), 409)
	apptest.WantText(t, refused, `id="problem"`, "<li>")

	// A form with a bad field names it next to the field.
	bad := s.Expect(b.Post(page, "/leads/"+l.ID+"/follow-ups", url.Values{"type": {"call"}, "content": {""}}), 422)
	apptest.WantText(t, bad, "content: is required")

	// The same form sent twice (a double click) records one follow-up.
	rid := regexp.MustCompile(`name="request_id" value="([^"]+)"`).FindSubmatch(page.Body)
	if rid == nil {
		t.Fatalf("no request id on the lead page")
	}
	for range 2 {
		apptest.WantRedirect(t, b.Post(page, "/leads/"+l.ID+"/follow-ups", url.Values{"type": {"call"}, "content": {"Talked about the order"},
			"next_step": {"send a quote"}, "stage": {"Started"}, "request_id": {string(rid[1])}}), "/leads/"+l.ID+"?done=follow-up")
	}
	followUps := 0
	for _, e := range s.History(l.ID) {
		if e.Type == lead.EventFollowedUp {
			followUps++
		}
	}
	if followUps != 1 {
		t.Errorf("a form sent twice recorded %d follow-ups", followUps)
	}
	apptest.WantRedirect(t, b.Post(page, "/leads/"+l.ID+"/edit", url.Values{"company": {"Form Trading Co"}, "name": {"Wang Fang"},
		"phones": {"13800138222", ""}, "phone_main": {"0"}, "emails": {"wang@form.example", ""}, "email_main": {"0"}, "country": {"CN"},
		"tags": {"expo, vip"}, "notes": {""}, "stage": {"Started"}}),
		"/leads/"+l.ID+"?done=edit")
	if got := s.GetLead(l.ID); got.Email != "wang@form.example" || len(got.Tags) != 2 || got.Stage != "Started" {
		t.Fatalf("after the edit form: %+v", got)
	}
	apptest.WantRedirect(t, b.Post(page, "/leads/"+l.ID+"/convert", nil), "/leads/"+l.ID+"?done=convert")
	done := s.Expect(b.Get("/leads/"+l.ID+"?done=convert"), 200)
	apptest.WantText(t, done, "The lead is converted.", `id="customer"`, "Talked about the order", "rule: validation v1", `<pre class="trace">`)
	if got := s.GetLead(l.ID); got.Status != lead.StatusConverted {
		t.Fatalf("after the convert form: %+v", got)
	}

	// Another rep's lead is not found, as in the API.
	_, stranger := s.CreateRep("Stan", 5)
	b2 := s.Browser()
	b2.SignIn(stranger, "/leads")
	s.Expect(b2.Get("/leads/"+l.ID), 404)
}

// TestConsolePages covers the invite page and its QR code, the e-mail
// settings form, the export page an e-mail links to and its download
// through the cookie, and the registration page's languages.
func TestConsolePages(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Ines", 5)
	b := s.Browser()
	b.SignIn(rep, "/leads")

	inv := s.Expect(b.Get("/invite"), 200)
	apptest.WantText(t, inv, "/r/", `data-copy="invite-url"`, `src="/invite/qr.png"`)
	qr := s.Expect(b.Get("/invite/qr.png"), 200)
	if qr.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(qr.Body), "\x89PNG") {
		t.Errorf("QR code: %s", qr.Header.Get("Content-Type"))
	}

	settings := s.Expect(b.Get("/settings/notifications"), 200)
	form := url.Values{"on": {lead.EmailNewLead}}
	apptest.WantText(t, s.Expect(b.Post(settings, "/settings/notifications", form), 200), "Saved.")
	var got struct {
		OptOut []string `json:"opt_out"`
	}
	s.Expect(s.Do("GET", "/api/v1/settings/notifications", rep, ""), 200).JSON(t, &got)
	if len(got.OptOut) == 0 || strings.Contains(strings.Join(got.OptOut, ","), lead.EmailNewLead) {
		t.Errorf("opt-outs after the form: %v", got.OptOut)
	}

	s.CreateLead(`{"company":"Export Trading Co","phone":"13800138444","country":"CN"}`)
	e := s.RunExport(rep, `{"format":"csv"}`)
	apptest.WantText(t, s.Expect(b.Get("/exports/"+e.ID), 200), `href="/exports/`+e.ID+`/file"`)
	file := s.Expect(b.Get("/exports/"+e.ID+"/file"), 200)
	if !strings.Contains(file.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export download: %v", file.Header)
	}
	_, other := s.CreateRep("Olaf", 5)
	b2 := s.Browser()
	b2.SignIn(other, "/leads")
	s.Expect(b2.Get("/exports/"+e.ID), 404)

	// An import's page, as its e-mail links to it, and its rows to fix.
	im := s.ImportFile("two.csv", []byte("company,phone,country\nImport Page Trading Co,13800138777,CN\nBad Phone Trading Co,123,CN\n"), time.Minute)
	admin := s.Browser()
	admin.SignIn(s.Admin, "/leads")
	apptest.WantText(t, s.Expect(admin.Get("/imports/"+im.ID), 200), "two.csv", `href="/imports/`+im.ID+`/errors.csv"`)
	rows := s.Expect(admin.Get("/imports/"+im.ID+"/errors.csv"), 200)
	apptest.WantText(t, rows, "Bad Phone Trading Co")
	s.Expect(b.Get("/imports/"+im.ID), 404)

	zh := s.Expect(s.Browser().Get("/register", "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"), 200)
	apptest.WantText(t, zh, `lang="zh-CN"`, "企业登记", `href="/register?lang=en"`)
	en := s.Expect(s.Browser().Get("/register?lang=en", "Accept-Language", "zh-CN"), 200)
	apptest.WantText(t, en, "Register your company", `src="/static/register.js"`)
	js := s.Expect(s.Browser().Get("/static/register.js"), 200)
	if ct := js.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("register.js served as %q", ct)
	}
}

// TestConsoleOffersAndReturns: the offered rep accepts or declines on the
// lead's page, the owner returns a lead with a listed reason, and the
// console refuses what the API refuses (a rep outside the pool gets 404).
func TestConsoleOffersAndReturns(t *testing.T) {
	w := apptest.NewWorld(t)
	signIn := func(sub int) *apptest.Browser {
		b := w.Browser()
		apptest.WantRedirect(t, b.SignIn(w.Tokens[sub], "/leads"), "/leads")
		return b
	}
	offered := signIn(apptest.SubOffered)
	for _, act := range []string{"accept", "decline"} {
		l := w.Offered()
		page := w.Expect(offered.Get("/leads/"+l.ID), 200)
		apptest.WantText(t, page, `id="accept"`, `id="decline"`)
		apptest.WantRedirect(t, offered.Post(page, "/leads/"+l.ID+"/"+act, nil), "/leads/"+l.ID+"?done="+act)
		got := w.GetLead(l.ID)
		if (act == "accept") != (got.Status == lead.StatusAssigned && got.OwnerID == w.IDs[apptest.SubOffered]) {
			t.Errorf("after %s: %+v", act, got)
		}
	}

	owner := signIn(apptest.SubOwner)
	l := w.Assigned()
	page := w.Expect(owner.Get("/leads/"+l.ID), 200)
	apptest.WantText(t, page, `id="return"`, `<option>unreachable</option>`)
	if strings.Contains(string(page.Body), `id="claim"`) {
		t.Errorf("the owner is offered a claim of their own lead")
	}
	apptest.WantText(t, w.Expect(owner.Post(page, "/leads/"+l.ID+"/return", url.Values{"reason": {"no idea"}}), 422), "reason: must be one of")
	apptest.WantRedirect(t, owner.Post(page, "/leads/"+l.ID+"/return", url.Values{"reason": {"unreachable"}}), "/leads/"+l.ID+"?done=return")
	if got := w.GetLead(l.ID); got.Status == lead.StatusAssigned || got.InvalidReason != "unreachable" {
		t.Errorf("after the return: %+v", got)
	}

	// The access model decides here too: outside the pool, a lead is not found.
	pooled := w.Pooled()
	outsider := signIn(apptest.SubOutsider)
	w.Expect(outsider.Get("/leads/"+pooled.ID), 404)
	list := w.Expect(outsider.Get("/leads"), 200)
	w.Expect(outsider.Post(list, "/leads/"+pooled.ID+"/claim", nil), 404)
	w.Expect(outsider.Get("/leads?tab="+w.PoolA), 404)
	if got := w.GetLead(pooled.ID); got.Status != lead.StatusPooled {
		t.Errorf("an outsider's form moved the lead: %+v", got)
	}
	member := signIn(apptest.SubMember)
	apptest.WantText(t, w.Expect(member.Get("/leads?tab="+w.PoolA), 200), pooled.Company)
	if body := string(w.Expect(member.Get("/leads/"+pooled.ID), 200).Body); strings.Contains(body, `id="assign"`) || strings.Contains(body, `id="close"`) {
		t.Errorf("a rep is offered the manager's actions")
	}

	// The pool's manager: reclaim, assign to a member, transfer, close.
	mgr := signIn(apptest.SubMgr)
	l = w.Assigned()
	page = w.Expect(mgr.Get("/leads/"+l.ID), 200)
	apptest.WantText(t, page, `id="reclaim"`, `id="close"`, `id="assign"`, `id="transfer"`, `<option value="`+w.IDs[apptest.SubMember]+`">Mel</option>`,
		`<option value="`+w.PoolA2+`">Pool A2</option>`)
	if strings.Contains(string(page.Body), `<option value="`+w.PoolB+`">`) {
		t.Errorf("the manager may transfer into a pool they do not administer")
	}
	steps := []struct {
		form   string
		values url.Values
		check  func(lead.Lead) bool
	}{
		{"reclaim", nil, func(l lead.Lead) bool { return l.Status == lead.StatusPooled }},
		{"assign", url.Values{"rep_id": {w.IDs[apptest.SubMember]}}, func(l lead.Lead) bool { return l.OwnerID == w.IDs[apptest.SubMember] }},
		{"transfer", url.Values{"pool_id": {w.PoolA2}}, func(l lead.Lead) bool { return l.PoolID == w.PoolA2 }},
		{"close", url.Values{"reason": {"duplicate by phone"}}, func(l lead.Lead) bool { return l.Status == lead.StatusClosed }},
	}
	for _, st := range steps {
		page = w.Expect(mgr.Get("/leads/"+l.ID), 200)
		apptest.WantRedirect(t, mgr.Post(page, "/leads/"+l.ID+"/"+st.form, st.values), "/leads/"+l.ID+"?done="+st.form)
		if got := w.GetLead(l.ID); !st.check(got) {
			t.Fatalf("after %s: %+v", st.form, got)
		}
	}
	w.Expect(signIn(apptest.SubOtherMgr).Get("/leads/"+l.ID), 404)
}
