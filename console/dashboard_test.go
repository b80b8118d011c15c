package console_test

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// dashboardData builds the dashboard's known data set: in pool A, claimed
// by the owner rep, a Website lead due for follow-up today, a Website lead
// overdue, a Referral lead converted and a Referral lead reclaimed by the
// manager; a Website lead of pool B assigned to the outsider rep; a lead
// rejected at intake. It returns the median first contact of the owner's
// three followed-up leads, in seconds.
func dashboardData(w *apptest.World) float64 {
	t := w.T
	t.Helper()
	admin, mgr, otherMgr, owner := w.Tokens[apptest.SubAdmin], w.Tokens[apptest.SubMgr], w.Tokens[apptest.SubOtherMgr], w.Tokens[apptest.SubOwner]
	post := func(token, path, body string, status int) {
		t.Helper()
		w.Expect(w.Do("POST", path, token, body), status)
	}
	newLead := func(channel string) lead.Lead {
		n := w.Seq.Add(1)
		return w.CreateLead(fmt.Sprintf(`{"company":"Dashboard Trading %d","phone":"1390013%04d","country":"CN","channel":%q}`, n, n, channel))
	}
	claimed := func(channel string) lead.Lead {
		l := newLead(channel)
		post(admin, "/api/v1/leads/"+l.ID+"/transfer", fmt.Sprintf(`{"pool_id":%q}`, w.PoolA), 200)
		post(owner, "/api/v1/leads/"+l.ID+"/claim", "", 200)
		return l
	}
	followUp := func(l lead.Lead, next string) {
		t.Helper()
		body := `{"type":"call","content":"reached them"}`
		if next != "" {
			body = fmt.Sprintf(`{"type":"call","content":"reached them","next_step":"call back","next_at":%q}`, next)
		}
		post(owner, "/api/v1/leads/"+l.ID+"/follow-ups", body, 201)
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	due, overdue, converted := claimed("Website"), claimed("Website"), claimed("Referral")
	followUp(due, today.Add(time.Second).Format(time.RFC3339))
	followUp(overdue, today.Add(-20*time.Hour).Format(time.RFC3339))
	followUp(converted, "")
	post(owner, "/api/v1/leads/"+converted.ID+"/convert", "", 200)
	reclaimed := claimed("Referral")
	post(mgr, "/api/v1/leads/"+reclaimed.ID+"/reclaim", "", 200)
	other := newLead("Website")
	post(admin, "/api/v1/leads/"+other.ID+"/transfer", fmt.Sprintf(`{"pool_id":%q}`, w.PoolB), 200)
	post(otherMgr, "/api/v1/leads/"+other.ID+"/assign", fmt.Sprintf(`{"rep_id":%q}`, w.IDs[apptest.SubOutsider]), 200)
	if l := w.CreateLead(`{"company":"Abc","phone":"123","country":"CN"}`); l.Status != lead.StatusRejected {
		t.Fatalf("not rejected: %+v", l)
	}
	times := []float64{w.FirstContact(due.ID), w.FirstContact(overdue.ID), w.FirstContact(converted.ID)}
	slices.Sort(times)
	return times[1]
}

// panelRows reads the table of the dashboard panel id: its rows' cells.
func panelRows(t *testing.T, page []byte, id string) [][]string {
	t.Helper()
	section := panelSection(t, page, id)
	if !strings.Contains(section, "<svg") {
		t.Errorf("panel %s has no chart", id)
	}
	var rows [][]string
	for _, tr := range regexp.MustCompile(`<tr>(<td>.*?</td>)</tr>`).FindAllStringSubmatch(section, -1) {
		var cells []string
		for _, td := range regexp.MustCompile(`<td>(.*?)</td>`).FindAllStringSubmatch(tr[1], -1) {
			cells = append(cells, html.UnescapeString(td[1]))
		}
		rows = append(rows, cells)
	}
	return rows
}

// panelSection is the HTML of the dashboard panel id.
func panelSection(t *testing.T, page []byte, id string) string {
	t.Helper()
	body := string(page)
	start := strings.Index(body, `<section class="card panel" id="`+id+`">`)
	if start < 0 {
		t.Fatalf("the dashboard has no panel %s", id)
	}
	section := body[start:]
	return section[:strings.Index(section, "</section>")]
}

// headline reads a headline figure of the dashboard.
func headline(t *testing.T, page []byte, label string) string {
	t.Helper()
	m := regexp.MustCompile(`<dt>` + regexp.QuoteMeta(label) + `</dt><dd>(.*?)</dd>`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("the dashboard has no headline %q", label)
	}
	return html.UnescapeString(string(m[1]))
}

func wantRows(t *testing.T, who, id string, got [][]string, want ...[]string) {
	t.Helper()
	if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("%s: panel %s rows %q, want %q", who, id, got, want)
	}
}

// TestDashboard checks every figure of the dashboard on a known data set,
// as an admin, as a rep (their own leads, and the reclaim that took one of
// theirs) and as the manager of another pool, and the activity report the
// dashboard shares with the API.
func TestDashboard(t *testing.T) {
	w := apptest.NewWorld(t)
	median := fmt.Sprintf("%.0f s", dashboardData(w))
	signIn := func(sub int) *apptest.Browser {
		b := w.Browser()
		b.SignIn(w.Tokens[sub], "/dashboard")
		return b
	}
	today := time.Now().UTC().Format(time.DateOnly)

	page := w.Expect(signIn(apptest.SubAdmin).Get("/dashboard"), 200).Body
	for label, want := range map[string]string{"Leads registered": "6", "Converted": "1 (16.7%)", "Reclaims in the period": "1",
		"Follow-ups due today": "1 (and 1 overdue)", "Median time to first contact": median} {
		if got := headline(t, page, label); got != want {
			t.Errorf("admin: %s is %q, want %q", label, got, want)
		}
	}
	//                                                    label, leads, assigned, converted
	wantRows(t, "admin", "by-status", panelRows(t, page, "by-status"),
		[]string{"assigned", "3", "3", "0"}, []string{"converted", "1", "1", "1"}, []string{"pooled", "1", "1", "0"}, []string{"rejected", "1", "0", "0"})
	wantRows(t, "admin", "by-pool", panelRows(t, page, "by-pool"),
		[]string{"Pool A", "4", "4", "1"}, []string{"(none)", "1", "0", "0"}, []string{"Pool B", "1", "1", "0"})
	//                                                    label, leads, converted, rate
	wantRows(t, "admin", "by-channel", panelRows(t, page, "by-channel"),
		[]string{"Website", "3", "0", "0.0%"}, []string{"Referral", "2", "1", "50.0%"}, []string{"(none)", "1", "0", "0.0%"})
	wantRows(t, "admin", "by-inviter", panelRows(t, page, "by-inviter"), []string{"(none)", "6", "1", "16.7%"})
	wantRows(t, "admin", "reclaims", panelRows(t, page, "reclaims"), []string{today, "1"})
	wantRows(t, "admin", "due", panelRows(t, page, "due"), []string{"Owen", "1", "1"})
	//                                                    owner, assigned, followed up, median
	wantRows(t, "admin", "first-contact", panelRows(t, page, "first-contact"),
		[]string{"Owen", "3", "3", median}, []string{"(none)", "1", "0", "-"}, []string{"Oscar", "1", "0", "-"})

	// The owner rep: their three leads, and the reclaim that took the fourth.
	page = w.Expect(signIn(apptest.SubOwner).Get("/dashboard"), 200).Body
	if got := headline(t, page, "Leads registered"); got != "3" {
		t.Errorf("owner rep: %s leads registered, want 3", got)
	}
	wantRows(t, "owner rep", "by-status", panelRows(t, page, "by-status"),
		[]string{"assigned", "2", "2", "0"}, []string{"converted", "1", "1", "1"})
	wantRows(t, "owner rep", "reclaims", panelRows(t, page, "reclaims"), []string{today, "1"})
	wantRows(t, "owner rep", "due", panelRows(t, page, "due"), []string{"Owen", "1", "1"})

	// The manager of pool B: its one lead, no reclaim, nothing due.
	page = w.Expect(signIn(apptest.SubOtherMgr).Get("/dashboard"), 200).Body
	wantRows(t, "other manager", "by-pool", panelRows(t, page, "by-pool"), []string{"Pool B", "1", "1", "0"})
	wantRows(t, "other manager", "reclaims", panelRows(t, page, "reclaims"))
	wantRows(t, "other manager", "due", panelRows(t, page, "due"))
	// Bug 4: a chart whose figures are all 0 draws its bars; it does not
	// say "nothing in this period" above a table that has rows.
	wantRows(t, "other manager", "by-channel", panelRows(t, page, "by-channel"), []string{"Website", "1", "0", "0.0%"})
	if section := panelSection(t, page, "by-channel"); strings.Contains(section, "nothing in this period") || !strings.Contains(section, ">Website</text>") {
		t.Errorf("a chart of zeros above a table with rows: %s", section)
	}
	if section := panelSection(t, page, "reclaims"); !strings.Contains(section, "nothing in this period") || !strings.Contains(section, "None in this period.") {
		t.Errorf("a panel without rows does not say so: %s", section)
	}

	// Bug 4: the figures download under the console's session, as JSON and
	// CSV, with the page's figures; a bad period is refused.
	admin := signIn(apptest.SubAdmin)
	page = w.Expect(admin.Get("/dashboard"), 200).Body
	link := regexp.MustCompile(`href="(/dashboard/figures\.json\?[^"]+)"`).FindSubmatch(page)
	if link == nil || strings.Contains(string(page), "/api/v1/reports") {
		t.Fatalf("the dashboard links no console download of its figures")
	}
	var figures struct {
		Funnels  map[string][]store.FunnelRow `json:"funnels"`
		Activity struct {
			Due []store.DueRow `json:"follow_ups_due"`
		} `json:"activity"`
	}
	w.Expect(admin.Get(html.UnescapeString(string(link[1]))), 200).JSON(t, &figures)
	if all := figures.Funnels[store.GroupAll]; len(all) != 1 || all[0].Registered != 6 || all[0].Converted != 1 || len(figures.Activity.Due) != 1 {
		t.Errorf("the figures as JSON: %+v", figures)
	}
	csv := w.Expect(admin.Get(strings.Replace(html.UnescapeString(string(link[1])), "figures.json", "figures.csv", 1)), 200)
	apptest.WantText(t, csv, "group,label,registered", "all,")
	if ct := csv.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("the CSV's type: %q", ct)
	}
	w.Expect(w.Browser().Get("/dashboard/figures.json"), 303) // signed out: to the sign-in page

	// A period without leads, and bad dates shown at the top.
	page = w.Expect(signIn(apptest.SubAdmin).Get("/dashboard?from=2020-01-01&to=2020-02-01"), 200).Body
	if got := headline(t, page, "Leads registered"); got != "0" {
		t.Errorf("January 2020: %s leads", got)
	}
	apptest.WantText(t, w.Expect(signIn(apptest.SubAdmin).Get("/dashboard?from=yesterday"), 422), `id="problem"`, "from: must be a date")

	// The activity report of the API: the same figures.
	var act struct {
		Today    string           `json:"today"`
		Reclaims []store.DayCount `json:"reclaims"`
		Due      []store.DueRow   `json:"follow_ups_due"`
	}
	for sub, want := range map[int][2]int{apptest.SubAdmin: {1, 1}, apptest.SubMgr: {1, 1}, apptest.SubOwner: {1, 1}, apptest.SubOtherMgr: {0, 0}, apptest.SubMember: {0, 0}} {
		act.Reclaims, act.Due = nil, nil
		w.Expect(w.Do("GET", "/api/v1/reports/activity", w.Tokens[sub], ""), 200).JSON(t, &act)
		var reclaims int64
		for _, d := range act.Reclaims {
			reclaims += d.Count
		}
		if len(act.Reclaims) != 31 || act.Reclaims[30].Day != today || act.Today != today || reclaims != int64(want[0]) ||
			len(act.Due) != want[1] || want[1] == 1 && (act.Due[0] != store.DueRow{Key: w.IDs[apptest.SubOwner], Label: "Owen", DueToday: 1, Overdue: 1}) {
			t.Errorf("activity as %s: %+v", apptest.SubjectNames[sub], act)
		}
	}
	apptest.FieldProblem(t, w.Do("GET", "/api/v1/reports/activity?from=2026-02-01&to=2026-01-01", w.Admin, ""), "to")
}

// TestDashboardBrowser opens the dashboard in a real browser: an admin
// lands on it after signing in, the charts are drawn (one bar per row of
// the tables), the period form works, and it fits a phone's width.
func TestDashboardBrowser(t *testing.T) {
	w := apptest.NewWorld(t)
	dashboardData(w)
	base := w.Served()
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "sign in as an admin", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("token")), chromedp.SendKeys(chromedp.ID("token"), w.Admin),
		chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("headlines")))
	if at, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || at != "/dashboard" {
		t.Errorf("an admin landed on %q, want /dashboard (%v)", at, err)
	}
	for id, bars := range map[string]int{"by-status": 4, "by-pool": 3, "by-channel": 1, "reclaims": 1, "due": 1, "first-contact": 1} {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('#`+id+` svg.chart rect.bar')].filter(r => r.getBBox().width > 0).length`))
		if err != nil || n != bars {
			t.Errorf("panel %s draws %d bars, want %d (%v)", id, n, bars, err)
		}
	}
	shot("01-dashboard")
	apptest.Run(t, ctx, "ask for January 2020", chromedp.SetValue(chromedp.ID("f-from"), "2020-01-01"), chromedp.SetValue(chromedp.ID("f-to"), "2020-02-01"),
		chromedp.Submit(chromedp.ID("f-from")), chromedp.WaitVisible(chromedp.ID("headlines")))
	if got := apptest.Text(t, ctx, "#period-shown"); !strings.Contains(got, "2020-01-01 00:00 +00:00 to 2020-02-01 00:00 +00:00") {
		t.Errorf("period shown: %q", got)
	}
	apptest.Run(t, ctx, "the dashboard on a phone", chromedp.EmulateViewport(375, 667, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.ID("headlines")))
	if width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || width > 375 {
		wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 375).slice(0, 5).map(e => e.tagName + '.' + e.className.baseVal + e.className)`))
		t.Errorf("the dashboard is %d px wide on a 375 px screen (%v); too wide: %v", width, err, wide)
	}
	shot("02-dashboard-phone")
}
