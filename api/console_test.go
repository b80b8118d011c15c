package api_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// browser is a cookie jar over the app: what a browser keeps between the
// console's pages. It follows no redirects, so tests see them.
type browser struct {
	s       *stack
	cookies map[string]string
}

func (s *stack) browser() *browser { return &browser{s: s, cookies: map[string]string{}} }

func (b *browser) send(method, path string, form url.Values, headers ...string) response {
	b.s.t.Helper()
	var body string
	if form != nil {
		body = form.Encode()
	}
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for name, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: v})
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	r := b.s.send(req, []byte(body))
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return r
}

func (b *browser) get(path string, headers ...string) response {
	return b.send("GET", path, nil, headers...)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of the forms of a page.
func (b *browser) csrf(page response) string {
	b.s.t.Helper()
	m := csrfField.FindSubmatch(page.body)
	if m == nil {
		b.s.t.Fatalf("no CSRF token on the page: %.500s", page.body)
	}
	return string(m[1])
}

// post sends a form of page (with its CSRF token) to path.
func (b *browser) post(page response, path string, form url.Values) response {
	b.s.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf(page))
	return b.send("POST", path, form)
}

// signIn signs in with a token and returns the page it leads to.
func (b *browser) signIn(token, next string) response {
	b.s.t.Helper()
	login := b.s.expect(b.get("/login?next="+url.QueryEscape(next)), 200)
	return b.post(login, "/login", url.Values{"token": {token}, "next": {next}})
}

func wantRedirect(t testing.TB, r response, to string) {
	t.Helper()
	if r.status != http.StatusSeeOther || r.header.Get("Location") != to {
		t.Fatalf("answer %d to %q, want 303 to %q; %.300s", r.status, r.header.Get("Location"), to, r.body)
	}
}

func wantText(t testing.TB, r response, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if !strings.Contains(string(r.body), s) {
			t.Errorf("the page lacks %q: %.3000s", s, r.body)
		}
	}
}

// TestConsoleSignIn covers the sessions: sign-in with a token and with a
// one-time link, the way back to the page asked for (same-site paths
// only), the cookie's attributes, CSRF, the security headers, and that
// the cookie opens no API route.
func TestConsoleSignIn(t *testing.T) {
	s := newStack(t)
	repID, rep := s.createRep("Cora", 5)
	l := s.createLead(`{"company":"Console Trading Co","phone":"13800138111","country":"CN"}`)
	b := s.browser()

	wantRedirect(t, b.get("/leads/"+l.ID), "/login?next="+url.QueryEscape("/leads/"+l.ID))
	login := s.expect(b.get("/login?next=/leads/"+l.ID), 200)
	csp := login.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") ||
		login.header.Get("X-Content-Type-Options") != "nosniff" || login.header.Get("Referrer-Policy") == "" {
		t.Errorf("security headers: %v", login.header)
	}
	if strings.Contains(string(login.body), "<script>") || strings.Contains(string(login.body), "style=") {
		t.Errorf("inline script or style on the sign-in page")
	}

	// A form without its token, and a wrong token, are refused.
	s.expect(b.send("POST", "/login", url.Values{"token": {rep}}), 401)
	wantText(t, s.expect(b.post(login, "/login", url.Values{"token": {"lf_nope"}}), 401), "not valid")

	r := b.post(login, "/login", url.Values{"token": {rep}, "next": {"/leads/" + l.ID}})
	wantRedirect(t, r, "/leads/"+l.ID)
	cookie := r.header.Values("Set-Cookie")
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
	page := s.expect(b.get("/leads/"+l.ID), 200)
	wantText(t, page, "Console Trading Co", `id="claim"`, "Sign out")
	if strings.Contains(string(page.body), `id="convert"`) || strings.Contains(string(page.body), `id="follow-up"`) {
		t.Errorf("a pooled lead shows actions the rep may not do yet")
	}

	// The cookie is no API credential.
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: "leadflow_session", Value: b.cookies["leadflow_session"]})
	s.expect(s.send(req, nil), 401)

	// A form needs the session's CSRF token.
	s.expect(b.send("POST", "/leads/"+l.ID+"/claim", url.Values{"csrf": {"forged"}}), 403)
	if got := s.getLead(l.ID); got.Status != lead.StatusPooled {
		t.Fatalf("a forged form claimed the lead: %+v", got)
	}
	// Never from the query string (it leaks into logs and Referer headers);
	// from the form body or the X-CSRF-Token header.
	token := b.csrf(page)
	s.expect(b.send("POST", "/invite/rotate?csrf="+url.QueryEscape(token), url.Values{}), 403)
	s.expect(b.send("POST", "/leads/"+l.ID+"/claim?csrf="+url.QueryEscape(token), nil), 403)
	if got := s.getLead(l.ID); got.Status != lead.StatusPooled {
		t.Fatalf("a CSRF token in the query string claimed the lead: %+v", got)
	}
	wantRedirect(t, b.send("POST", "/invite/rotate", url.Values{}, "X-CSRF-Token", token), "/invite")
	login2 := s.browser()
	login2.get("/login")
	s.expect(login2.send("POST", "/login?csrf="+url.QueryEscape(login2.cookies["leadflow_login"]), url.Values{"token": {rep}}), 401)

	// Sign-out ends the session.
	wantRedirect(t, b.post(page, "/logout", nil), "/login")
	wantRedirect(t, b.get("/leads"), "/login?next=%2Fleads")

	// Only same-site paths are followed after sign-in.
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "/api/v1/me",
		"/\t/evil.example/x", "/\n/evil.example/x", "/\x0b/evil.example/x", "/\x00/x", "/\x7f/evil.example", "/\r\n/evil.example"} {
		wantRedirect(t, s.browser().signIn(rep, next), "/leads")
	}

	// A one-time link: created by an admin, it works once.
	var link struct {
		URL       string `json:"url"`
		ExpiresAt string `json:"expires_at"`
	}
	s.expect(s.do("POST", "/api/v1/users/"+repID+"/sign-in-link", s.admin, ""), 201).json(t, &link)
	u, err := url.Parse(link.URL)
	if err != nil || !strings.HasPrefix(u.Path, "/login/") || link.ExpiresAt == "" {
		t.Fatalf("sign-in link %+v", link)
	}
	s.expect(s.do("POST", "/api/v1/users/"+repID+"/sign-in-link", rep, ""), 403)
	b2 := s.browser()
	confirm := s.expect(b2.get(u.Path+"?next=/settings/notifications"), 200)
	if confirm.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the sign-in link's page leaks its code in the referrer: %q", confirm.header.Get("Referrer-Policy"))
	}
	code := strings.TrimPrefix(u.Path, "/login/")
	wantRedirect(t, b2.post(confirm, "/login/code", url.Values{"code": {code}, "next": {"/settings/notifications"}}), "/settings/notifications")
	wantText(t, s.expect(b2.get("/settings/notifications"), 200), "E-mail settings")
	b3 := s.browser()
	again := s.expect(b3.get(u.Path), 200)
	wantText(t, s.expect(b3.post(again, "/login/code", url.Values{"code": {code}}), 401), "expired or was used")
}

// TestConsoleLeadActions drives a rep through the forms: claim, follow-up,
// edit, convert, a refusal with its reasons, and the list with its tabs
// and filters.
func TestConsoleLeadActions(t *testing.T) {
	s := newStack(t)
	_, rep := s.createRep("Lena", 1)
	l := s.createLead(`{"company":"Form Trading Co","name":"Wang Fang","phone":"13800138222","country":"CN"}`)
	other := s.createLead(`{"company":"Second Trading Co","phone":"13800138333","country":"CN"}`)
	b := s.browser()
	wantRedirect(t, b.signIn(rep, "/leads"), "/leads")

	// The pool's tab lists the pooled leads; filters stay in the URL.
	list := s.expect(b.get("/leads?tab="+lead.DefaultPoolID+"&company=form"), 200)
	wantText(t, list, "Form Trading Co", `value="form"`)
	if strings.Contains(string(list.body), "Second Trading Co") {
		t.Errorf("the company filter let another lead through")
	}
	wantText(t, s.expect(b.get("/leads?status=bogus"), 422), "status")

	page := s.expect(b.get("/leads/"+l.ID), 200)
	wantRedirect(t, b.post(page, "/leads/"+l.ID+"/claim", url.Values{"reason": {"called in"}, "expected_follow_up_at": {"2030-01-02T10:00"}}),
		"/leads/"+l.ID+"?done=claim")
	page = s.expect(b.get("/leads/"+l.ID+"?done=claim"), 200)
	wantText(t, page, "You claimed this lead.", `id="follow-up"`, `id="convert"`, `id="return"`, "claimed")
	if got := s.getLead(l.ID); got.Status != lead.StatusAssigned || got.ExpectedFollowUpAt == nil {
		t.Fatalf("after the claim form: %+v", got)
	}
	wantText(t, s.expect(b.get("/leads"), 200), "Form Trading Co")

	// A refused action shows why: the rep's one slot is taken.
	otherPage := s.expect(b.get("/leads/"+other.ID), 200)
	refused := s.expect(b.post(otherPage, "/leads/"+other.ID+"/claim", nil), 409)
	wantText(t, refused, `id="problem"`, "<li>")

	// A form with a bad field names it next to the field.
	bad := s.expect(b.post(page, "/leads/"+l.ID+"/follow-ups", url.Values{"type": {"call"}, "content": {""}}), 422)
	wantText(t, bad, "content: is required")

	// The same form sent twice (a double click) records one follow-up.
	rid := regexp.MustCompile(`name="request_id" value="([^"]+)"`).FindSubmatch(page.body)
	if rid == nil {
		t.Fatalf("no request id on the lead page")
	}
	for range 2 {
		wantRedirect(t, b.post(page, "/leads/"+l.ID+"/follow-ups", url.Values{"type": {"call"}, "content": {"Talked about the order"},
			"next_step": {"send a quote"}, "stage": {"Started"}, "request_id": {string(rid[1])}}), "/leads/"+l.ID+"?done=follow-up")
	}
	followUps := 0
	for _, e := range s.history(l.ID) {
		if e.Type == lead.EventFollowedUp {
			followUps++
		}
	}
	if followUps != 1 {
		t.Errorf("a form sent twice recorded %d follow-ups", followUps)
	}
	wantRedirect(t, b.post(page, "/leads/"+l.ID+"/edit", url.Values{"company": {"Form Trading Co"}, "name": {"Wang Fang"},
		"phone": {"13800138222"}, "email": {"wang@form.example"}, "country": {"CN"}, "tags": {"expo, vip"}, "notes": {""}, "stage": {"Started"}}),
		"/leads/"+l.ID+"?done=edit")
	if got := s.getLead(l.ID); got.Email != "wang@form.example" || len(got.Tags) != 2 || got.Stage != "Started" {
		t.Fatalf("after the edit form: %+v", got)
	}
	wantRedirect(t, b.post(page, "/leads/"+l.ID+"/convert", nil), "/leads/"+l.ID+"?done=convert")
	done := s.expect(b.get("/leads/"+l.ID+"?done=convert"), 200)
	wantText(t, done, "The lead is converted.", `id="customer"`, "Talked about the order", "rule: validation v1", `<pre class="trace">`)
	if got := s.getLead(l.ID); got.Status != lead.StatusConverted {
		t.Fatalf("after the convert form: %+v", got)
	}

	// Another rep's lead is not found, as in the API.
	_, stranger := s.createRep("Stan", 5)
	b2 := s.browser()
	b2.signIn(stranger, "/leads")
	s.expect(b2.get("/leads/"+l.ID), 404)
}

// TestConsolePages covers the invite page and its QR code, the e-mail
// settings form, the export page an e-mail links to and its download
// through the cookie, and the registration page's languages.
func TestConsolePages(t *testing.T) {
	s := newStack(t)
	_, rep := s.createRep("Ines", 5)
	b := s.browser()
	b.signIn(rep, "/leads")

	inv := s.expect(b.get("/invite"), 200)
	wantText(t, inv, "/r/", `data-copy="invite-url"`, `src="/invite/qr.png"`)
	qr := s.expect(b.get("/invite/qr.png"), 200)
	if qr.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(string(qr.body), "\x89PNG") {
		t.Errorf("QR code: %s", qr.header.Get("Content-Type"))
	}

	settings := s.expect(b.get("/settings/notifications"), 200)
	form := url.Values{"on": {lead.EmailNewLead}}
	wantText(t, s.expect(b.post(settings, "/settings/notifications", form), 200), "Saved.")
	var got struct {
		OptOut []string `json:"opt_out"`
	}
	s.expect(s.do("GET", "/api/v1/settings/notifications", rep, ""), 200).json(t, &got)
	if len(got.OptOut) == 0 || strings.Contains(strings.Join(got.OptOut, ","), lead.EmailNewLead) {
		t.Errorf("opt-outs after the form: %v", got.OptOut)
	}

	s.createLead(`{"company":"Export Trading Co","phone":"13800138444","country":"CN"}`)
	e := s.runExport(rep, `{"format":"csv"}`)
	wantText(t, s.expect(b.get("/exports/"+e.ID), 200), `href="/exports/`+e.ID+`/file"`)
	file := s.expect(b.get("/exports/"+e.ID+"/file"), 200)
	if !strings.Contains(file.header.Get("Content-Disposition"), "attachment") {
		t.Errorf("export download: %v", file.header)
	}
	_, other := s.createRep("Olaf", 5)
	b2 := s.browser()
	b2.signIn(other, "/leads")
	s.expect(b2.get("/exports/"+e.ID), 404)

	// An import's page, as its e-mail links to it, and its rows to fix.
	im := s.importFile("two.csv", []byte("company,phone,country\nImport Page Trading Co,13800138777,CN\nBad Phone Trading Co,123,CN\n"), time.Minute)
	admin := s.browser()
	admin.signIn(s.admin, "/leads")
	wantText(t, s.expect(admin.get("/imports/"+im.ID), 200), "two.csv", `href="/imports/`+im.ID+`/errors.csv"`)
	rows := s.expect(admin.get("/imports/"+im.ID+"/errors.csv"), 200)
	wantText(t, rows, "Bad Phone Trading Co")
	s.expect(b.get("/imports/"+im.ID), 404)

	zh := s.expect(s.browser().get("/register", "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"), 200)
	wantText(t, zh, `lang="zh"`, "企业登记", `href="/register?lang=en"`)
	en := s.expect(s.browser().get("/register?lang=en", "Accept-Language", "zh-CN"), 200)
	wantText(t, en, "Register your company", `src="/static/register.js"`)
	js := s.expect(s.browser().get("/static/register.js"), 200)
	if ct := js.header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("register.js served as %q", ct)
	}
}

// TestConsoleOffersAndReturns: the offered rep accepts or declines on the
// lead's page, the owner returns a lead with a listed reason, and the
// console refuses what the API refuses (a rep outside the pool gets 404).
func TestConsoleOffersAndReturns(t *testing.T) {
	w := newWorld(t)
	signIn := func(sub int) *browser {
		b := w.browser()
		wantRedirect(t, b.signIn(w.tokens[sub], "/leads"), "/leads")
		return b
	}
	offered := signIn(subOffered)
	for _, act := range []string{"accept", "decline"} {
		l := w.offered()
		page := w.expect(offered.get("/leads/"+l.ID), 200)
		wantText(t, page, `id="accept"`, `id="decline"`)
		wantRedirect(t, offered.post(page, "/leads/"+l.ID+"/"+act, nil), "/leads/"+l.ID+"?done="+act)
		got := w.getLead(l.ID)
		if (act == "accept") != (got.Status == lead.StatusAssigned && got.OwnerID == w.ids[subOffered]) {
			t.Errorf("after %s: %+v", act, got)
		}
	}

	owner := signIn(subOwner)
	l := w.assigned()
	page := w.expect(owner.get("/leads/"+l.ID), 200)
	wantText(t, page, `id="return"`, `<option>unreachable</option>`)
	if strings.Contains(string(page.body), `id="claim"`) {
		t.Errorf("the owner is offered a claim of their own lead")
	}
	wantText(t, w.expect(owner.post(page, "/leads/"+l.ID+"/return", url.Values{"reason": {"no idea"}}), 422), "reason: must be one of")
	wantRedirect(t, owner.post(page, "/leads/"+l.ID+"/return", url.Values{"reason": {"unreachable"}}), "/leads/"+l.ID+"?done=return")
	if got := w.getLead(l.ID); got.Status == lead.StatusAssigned || got.InvalidReason != "unreachable" {
		t.Errorf("after the return: %+v", got)
	}

	// The access model decides here too: outside the pool, a lead is not found.
	pooled := w.pooled()
	outsider := signIn(subOutsider)
	w.expect(outsider.get("/leads/"+pooled.ID), 404)
	list := w.expect(outsider.get("/leads"), 200)
	w.expect(outsider.post(list, "/leads/"+pooled.ID+"/claim", nil), 404)
	w.expect(outsider.get("/leads?tab="+w.poolA), 404)
	if got := w.getLead(pooled.ID); got.Status != lead.StatusPooled {
		t.Errorf("an outsider's form moved the lead: %+v", got)
	}
	member := signIn(subMember)
	wantText(t, w.expect(member.get("/leads?tab="+w.poolA), 200), pooled.Company)
	if body := string(w.expect(member.get("/leads/"+pooled.ID), 200).body); strings.Contains(body, `id="assign"`) || strings.Contains(body, `id="close"`) {
		t.Errorf("a rep is offered the manager's actions")
	}

	// The pool's manager: reclaim, assign to a member, transfer, close.
	mgr := signIn(subMgr)
	l = w.assigned()
	page = w.expect(mgr.get("/leads/"+l.ID), 200)
	wantText(t, page, `id="reclaim"`, `id="close"`, `id="assign"`, `id="transfer"`, `<option value="`+w.ids[subMember]+`">Mel</option>`,
		`<option value="`+w.poolA2+`">Pool A2</option>`)
	if strings.Contains(string(page.body), `<option value="`+w.poolB+`">`) {
		t.Errorf("the manager may transfer into a pool they do not administer")
	}
	steps := []struct {
		form   string
		values url.Values
		check  func(lead.Lead) bool
	}{
		{"reclaim", nil, func(l lead.Lead) bool { return l.Status == lead.StatusPooled }},
		{"assign", url.Values{"rep_id": {w.ids[subMember]}}, func(l lead.Lead) bool { return l.OwnerID == w.ids[subMember] }},
		{"transfer", url.Values{"pool_id": {w.poolA2}}, func(l lead.Lead) bool { return l.PoolID == w.poolA2 }},
		{"close", url.Values{"reason": {"duplicate by phone"}}, func(l lead.Lead) bool { return l.Status == lead.StatusClosed }},
	}
	for _, st := range steps {
		page = w.expect(mgr.get("/leads/"+l.ID), 200)
		wantRedirect(t, mgr.post(page, "/leads/"+l.ID+"/"+st.form, st.values), "/leads/"+l.ID+"?done="+st.form)
		if got := w.getLead(l.ID); !st.check(got) {
			t.Fatalf("after %s: %+v", st.form, got)
		}
	}
	w.expect(signIn(subOtherMgr).get("/leads/"+l.ID), 404)
}
