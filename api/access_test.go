package api_test

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
)

// The subjects of the authorization matrix, relative to the lead's pool A.
const (
	subAdmin    = iota // an admin
	subMgr             // the manager who administers pool A
	subOtherMgr        // a manager of pool B only
	subMember          // a rep of team A (pool A is team A's pool)
	subOutsider        // a rep of team B: not a member of pool A
	subOwner           // a rep of team A who owns the assigned lead
	subOffered         // a rep of team A the offered lead is offered to
	subjects
)

var subjectNames = [subjects]string{"admin", "manager of the lead's pool", "manager of another pool", "member rep",
	"non-member rep", "owner rep", "offered rep"}

// world is the cast of the matrix: two teams, a pool each, a manager each.
type world struct {
	*stack
	ids, tokens      [subjects]string
	poolA, poolA2    string // team A's pools (A2: a transfer target mgr administers too)
	poolOffer, poolB string // poolOffer: round robin to the offered rep only
	seq              atomic.Int64
}

func newWorld(t *testing.T) *world {
	s := newStack(t)
	w := &world{stack: s}
	var teamA, teamB struct{ ID string }
	s.expect(s.do("POST", "/api/v1/teams", s.admin, `{"name":"Team A"}`), 201).json(t, &teamA)
	s.expect(s.do("POST", "/api/v1/teams", s.admin, `{"name":"Team B"}`), 201).json(t, &teamB)
	var me struct{ ID string }
	s.expect(s.do("GET", "/api/v1/me", s.admin, ""), 200).json(t, &me)
	w.ids[subAdmin], w.tokens[subAdmin] = me.ID, s.admin
	w.ids[subMgr], w.tokens[subMgr] = s.poolStaff("Mia", lead.RoleManager)
	w.ids[subOtherMgr], w.tokens[subOtherMgr] = s.poolStaff("Bo", lead.RoleManager)
	for _, r := range []struct {
		sub        int
		name, team string
	}{{subMember, "Mel", teamA.ID}, {subOutsider, "Oscar", teamB.ID}, {subOwner, "Owen", teamA.ID}, {subOffered, "Ophelia", teamA.ID}} {
		w.ids[r.sub], w.tokens[r.sub] = s.createRep(r.name, 50)
		s.expect(s.do("PATCH", "/api/v1/users/"+w.ids[r.sub], s.admin, fmt.Sprintf(`{"team_id":%q}`, r.team)), 200)
	}
	pool := func(name, team, admin, distribution string, members ...string) string {
		return s.createPool(fmt.Sprintf(`{"name":%q,"scope":"team","team_id":%q,"admin_ids":[%q],"member_ids":[%s],"policy":{"distribution":%q}}`,
			name, team, admin, quoteAll(members), distribution))
	}
	w.poolA = pool("Pool A", teamA.ID, w.ids[subMgr], "claim_only", w.ids[subMember], w.ids[subOwner], w.ids[subOffered])
	w.poolA2 = pool("Pool A2", teamA.ID, w.ids[subMgr], "claim_only")
	w.poolOffer = pool("Pool A offers", teamA.ID, w.ids[subMgr], "round_robin", w.ids[subOffered])
	w.poolB = pool("Pool B", teamB.ID, w.ids[subOtherMgr], "claim_only", w.ids[subOutsider])
	return w
}

func quoteAll(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, ",")
}

// newLead creates a lead pooled in the global pool.
func (w *world) newLead() lead.Lead {
	n := w.seq.Add(1)
	return w.createLead(fmt.Sprintf(`{"company":"Matrix Trading %d","phone":"1380013%04d","country":"CN"}`, n, n))
}

// pooled is a lead pooled in pool A; assigned one owned by the owner rep;
// offered one offered to the offered rep.
func (w *world) pooled() lead.Lead {
	l := w.newLead()
	w.expect(w.do("POST", "/api/v1/leads/"+l.ID+"/transfer", w.admin, fmt.Sprintf(`{"pool_id":%q}`, w.poolA)), 200)
	return l
}

func (w *world) assigned() lead.Lead {
	l := w.pooled()
	w.expect(w.do("POST", "/api/v1/leads/"+l.ID+"/assign", w.admin, fmt.Sprintf(`{"rep_id":%q}`, w.ids[subOwner])), 200)
	return l
}

func (w *world) offered() lead.Lead {
	l := w.newLead()
	var out lead.Lead
	w.expect(w.do("POST", "/api/v1/leads/"+l.ID+"/transfer", w.admin, fmt.Sprintf(`{"pool_id":%q}`, w.poolOffer)), 200).json(w.t, &out)
	if out.Status != lead.StatusOffered || out.OwnerID != w.ids[subOffered] {
		w.t.Fatalf("the lead was not offered to the offered rep: %+v", out)
	}
	return l
}

// cell is one route of the matrix: how to make its target, its body, and
// the status each subject gets, in subject order.
type cell struct {
	fixture   func(w *world) string // the :id of the route ("" for none)
	body      func(w *world) string
	multipart bool // an upload of a one-row CSV into pool A
	refresh   bool // the answer carries the subject's new token
	want      [subjects]int
}

func all(status int) [subjects]int {
	var a [subjects]int
	for i := range a {
		a[i] = status
	}
	return a
}

// TestAuthorizationMatrix sends every route of the API as each subject and
// checks the status against the access model (README, "Access model"). A
// route without a row fails the test. The fields of PATCH /pools/{id}
// have their own matrix, TestPoolFieldMatrix.
func TestAuthorizationMatrix(t *testing.T) {
	w := newWorld(t)
	id := func(f func(*world) lead.Lead) func(*world) string { return func(w *world) string { return f(w).ID } }
	pooledLead, assignedLead, offeredLead := id((*world).pooled), id((*world).assigned), id((*world).offered)
	shared := map[string]string{}
	once := func(key string, f func(*world) string) func(*world) string {
		return func(w *world) string {
			if _, ok := shared[key]; !ok {
				shared[key] = f(w)
			}
			return shared[key]
		}
	}
	readLead := once("assigned", assignedLead)
	fixed := func(v string) func(*world) string { return func(*world) string { return v } }
	self := func(w *world) string { return w.ids[subMember] }
	poolA := func(w *world) string { return w.poolA }
	staffOnly := [subjects]int{200, 200, 200, 403, 403, 403, 403}
	adminOnly := [subjects]int{200, 403, 403, 403, 403, 403, 403}
	uniq := func(f string) func(*world) string {
		return func(w *world) string { return fmt.Sprintf(f, w.seq.Add(1)) }
	}
	rows := map[string]cell{
		"GET /api/v1/me":                                      {want: all(200)},
		"GET /api/v1/me/invite":                               {want: all(200)},
		"POST /api/v1/me/invite/rotate":                       {want: all(200)},
		"POST /api/v1/me/token":                               {refresh: true, want: all(200)},
		"GET /api/v1/settings/duplicates":                     {want: staffOnly},
		"PUT /api/v1/settings/duplicates":                     {body: fixed(`{"api":"warn"}`), want: adminOnly},
		"POST /api/v1/users":                                  {body: uniq(`{"name":"New %[1]d","email":"new%[1]d@example.com","role":"rep"}`), want: [subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/users":                                   {want: staffOnly},
		"GET /api/v1/users/:id":                               {fixture: self, want: [subjects]int{200, 200, 200, 200, 403, 403, 403}},
		"PATCH /api/v1/users/:id":                             {fixture: self, body: fixed(`{"capacity":50}`), want: adminOnly},
		"POST /api/v1/users/:id/token":                        {fixture: func(w *world) string { id, _ := w.createRep(fmt.Sprintf("Fresh%d", w.seq.Add(1)), 5); return id }, want: adminOnly},
		"POST /api/v1/users/:id/sign-in-link":                 {fixture: self, want: [subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"POST /api/v1/leads":                                  {body: uniq(`{"company":"Created Trading %[1]d","phone":"1390013%04[1]d","country":"CN"}`), want: all(201)},
		"GET /api/v1/leads":                                   {want: all(200)},
		"GET /api/v1/leads/:id":                               {fixture: readLead, want: [subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"GET /api/v1/leads/:id/history":                       {fixture: readLead, want: [subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"PATCH /api/v1/leads/:id":                             {fixture: readLead, body: fixed(`{"notes":"seen"}`), want: [subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"POST /api/v1/leads/:id/follow-ups":                   {fixture: readLead, body: fixed(`{"type":"call","content":"called"}`), want: [subjects]int{201, 201, 404, 404, 404, 201, 404}},
		"POST /api/v1/leads/:id/claim":                        {fixture: pooledLead, want: [subjects]int{200, 200, 404, 200, 404, 200, 200}},
		"POST /api/v1/leads/:id/assign":                       {fixture: pooledLead, body: func(w *world) string { return fmt.Sprintf(`{"rep_id":%q}`, w.ids[subMember]) }, want: [subjects]int{200, 200, 404, 403, 404, 403, 403}},
		"POST /api/v1/leads/:id/transfer":                     {fixture: pooledLead, body: func(w *world) string { return fmt.Sprintf(`{"pool_id":%q}`, w.poolA2) }, want: [subjects]int{200, 200, 404, 403, 404, 403, 403}},
		"POST /api/v1/leads/:id/accept":                       {fixture: offeredLead, want: [subjects]int{200, 200, 404, 404, 404, 404, 200}},
		"POST /api/v1/leads/:id/decline":                      {fixture: offeredLead, want: [subjects]int{200, 200, 404, 404, 404, 404, 200}},
		"POST /api/v1/leads/:id/return":                       {fixture: assignedLead, body: fixed(`{"reason":"unreachable"}`), want: [subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"POST /api/v1/leads/:id/reclaim":                      {fixture: assignedLead, want: [subjects]int{200, 200, 404, 404, 404, 403, 404}},
		"POST /api/v1/leads/:id/close":                        {fixture: assignedLead, want: [subjects]int{200, 200, 404, 404, 404, 403, 404}},
		"POST /api/v1/leads/:id/convert":                      {fixture: assignedLead, want: [subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"GET /api/v1/leads/:id/follow-ups":                    {fixture: readLead, want: [subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"GET /api/v1/customers":                               {want: all(200)},
		"GET /api/v1/customers/:id":                           {fixture: once("customer", (*world).customer), want: [subjects]int{200, 200, 404, 404, 404, 200, 404}},
		"GET /api/v1/fields":                                  {want: all(200)},
		"POST /api/v1/fields":                                 {body: uniq(`{"entity":"lead","name":"matrix_%d","type":"text"}`), want: [subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"PATCH /api/v1/fields/:id":                            {fixture: once("field", (*world).field), body: fixed(`{"label":"Matrix"}`), want: adminOnly},
		"DELETE /api/v1/fields/:id":                           {fixture: (*world).field, want: [subjects]int{204, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/options":                                 {want: all(200)},
		"GET /api/v1/options/:list":                           {fixture: fixed("stages"), want: all(200)},
		"PUT /api/v1/options/:list":                           {fixture: fixed("stages"), body: fixed(`{"items":["New","Started","Follow-up","In progress","Completed"]}`), want: adminOnly},
		"GET /api/v1/rules":                                   {want: staffOnly},
		"GET /api/v1/rules/:kind":                             {fixture: fixed("scoring"), want: staffOnly},
		"PUT /api/v1/rules/:kind":                             {fixture: fixed("scoring"), body: fixed(`{"rules":[]}`), want: adminOnly},
		"POST /api/v1/rules/:kind/test":                       {fixture: fixed("scoring"), body: fixed(`{"lead":{"company":"Acme Trading","phone":"13800138000","country":"CN"}}`), want: staffOnly},
		"POST /api/v1/rules/:kind/preview":                    {fixture: fixed("scoring"), body: fixed(`{"rules":{"rules":[]}}`), want: staffOnly},
		"GET /api/v1/rules/:kind/versions":                    {fixture: fixed("scoring"), want: staffOnly},
		"POST /api/v1/rules/:kind/versions/:version/activate": {fixture: fixed("scoring/versions/1"), want: adminOnly},
		"POST /api/v1/teams":                                  {body: uniq(`{"name":"Team %d"}`), want: [subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/teams":                                   {want: all(200)},
		"POST /api/v1/pools":                                  {body: uniq(`{"name":"Pool %d","scope":"global"}`), want: [subjects]int{201, 403, 403, 403, 403, 403, 403}},
		"GET /api/v1/pools":                                   {want: all(200)},
		"GET /api/v1/pools/:id":                               {fixture: poolA, want: [subjects]int{200, 200, 200, 200, 403, 200, 200}},
		"PATCH /api/v1/pools/:id":                             {fixture: poolA, body: fixed(`{"policy":{"distribution":"claim_only"}}`), want: [subjects]int{200, 200, 403, 403, 403, 403, 403}},
		"POST /api/v1/pools/:id/transfer-ownership":           {fixture: poolA, body: func(w *world) string { return fmt.Sprintf(`{"admin_id":%q}`, w.ids[subMgr]) }, want: [subjects]int{200, 200, 403, 403, 403, 403, 403}},
		"GET /api/v1/pools/:id/recipients":                    {fixture: poolA, want: [subjects]int{200, 200, 403, 403, 403, 403, 403}},
		"PUT /api/v1/pools/:id/recipients":                    {fixture: poolA, body: func(w *world) string { return fmt.Sprintf(`{"user_ids":[%q]}`, w.ids[subMgr]) }, want: [subjects]int{200, 200, 403, 403, 403, 403, 403}},
		"GET /api/v1/notifications":                           {want: all(200)},
		"GET /api/v1/settings/notifications":                  {want: all(200)},
		"PUT /api/v1/settings/notifications":                  {body: fixed(`{"opt_out":[]}`), want: all(200)},
		"GET /api/v1/imports/template":                        {want: all(200)},
		"GET /api/v1/exports/:id":                             {fixture: once("export", func(w *world) string { return w.export(subMember) }), want: [subjects]int{200, 404, 404, 200, 404, 404, 404}},
		"POST /api/v1/exports":                                {body: fixed(`{"format":"csv"}`), want: all(202)},
		"GET /api/v1/imports/:id":                             {fixture: once("import", func(w *world) string { return w.importInto(subMgr) }), want: [subjects]int{200, 200, 404, 404, 404, 404, 404}},
		"GET /api/v1/imports/:id/errors.csv":                  {fixture: once("import", func(w *world) string { return w.importInto(subMgr) }), want: [subjects]int{200, 200, 404, 404, 404, 404, 404}},
		"GET /api/v1/teams/:id/recipients":                    {fixture: func(w *world) string { return w.teamOf(subMember) }, want: staffOnly},
		"PUT /api/v1/teams/:id/recipients":                    {fixture: func(w *world) string { return w.teamOf(subMember) }, body: func(w *world) string { return fmt.Sprintf(`{"user_ids":[%q]}`, w.ids[subMember]) }, want: adminOnly},
		"GET /api/v1/exports/:id/file":                        {fixture: once("export", func(w *world) string { return w.export(subMember) }), want: [subjects]int{200, 404, 404, 200, 404, 404, 404}},
		"POST /api/v1/imports/preview":                        {multipart: true, want: staffOnly},
		"POST /api/v1/imports":                                {multipart: true, want: [subjects]int{202, 202, 403, 403, 403, 403, 403}},
		"GET /api/v1/imports":                                 {want: staffOnly},
		"GET /api/v1/exports":                                 {want: all(200)},
		"GET /api/v1/reports/funnel":                          {want: all(200)},
		"GET /api/v1/reports/rejections":                      {want: all(200)},
		"GET /api/v1/reports/activity":                        {want: all(200)},
	}
	// Console routes with a row are sent by each subject signed in (the
	// others are checked for their sign-in redirect only).
	mgrImport := once("import", func(w *world) string { return w.importInto(subMgr) })
	memberExport := once("export", func(w *world) string { return w.export(subMember) })
	importSeen := [subjects]int{200, 200, 404, 404, 404, 404, 404}
	exportSeen := [subjects]int{200, 404, 404, 200, 404, 404, 404}
	jobConsoleRows := map[string]cell{
		"GET /imports":                {want: staffOnly},
		"GET /imports/template":       {want: all(200)},
		"POST /imports/preview":       {multipart: true, want: staffOnly},
		"POST /imports":               {multipart: true, want: [subjects]int{303, 303, 403, 403, 403, 403, 403}},
		"GET /imports/:id":            {fixture: mgrImport, want: importSeen},
		"GET /imports/:id/progress":   {fixture: mgrImport, want: importSeen},
		"GET /imports/:id/errors.csv": {fixture: mgrImport, want: importSeen},
		"GET /exports":                {want: all(200)},
		"POST /exports":               {body: fixed("format=csv&fields=id"), want: all(303)},
		"GET /exports/:id":            {fixture: memberExport, want: exportSeen},
		"GET /exports/:id/progress":   {fixture: memberExport, want: exportSeen},
		"GET /exports/:id/file":       {fixture: memberExport, want: exportSeen},
	}
	public := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /metrics": true, "GET /api/v1/openapi.json": true,
		"POST /api/v1/register": true, "POST /api/v1/register/:invite": true, "GET /r/:invite": true, "GET /register": true, "GET /": true,
		"GET /static/:name": true, "GET /login": true, "POST /login": true, "POST /login/code": true, "GET /login/:code": true}

	consoleRows := consoleMatrix(poolA, fixed, uniq, once)
	maps.Copy(consoleRows, ruleConsoleRows)
	maps.Copy(consoleRows, jobConsoleRows)

	param := regexp.MustCompile(`:[a-z_]+(/versions/:version)?`)
	eachParam := regexp.MustCompile(`:[a-z_]+`)
	seen := map[string]bool{}
	for _, r := range w.app.GetRoutes(true) {
		key := r.Method + " " + r.Path
		if r.Method == "HEAD" || seen[key] || public[key] {
			continue
		}
		seen[key] = true
		if !strings.HasPrefix(r.Path, "/api/") {
			w.consoleNeedsSession(r.Method, eachParam.ReplaceAllLiteralString(r.Path, uuid.NewString()))
			if _, ok := consoleRows[key]; !ok && managementPage(r.Path) {
				t.Errorf("%s has no row in the authorization matrix", key)
			}
			continue
		}
		c, ok := rows[key]
		if !ok {
			t.Errorf("%s has no row in the authorization matrix", key)
			continue
		}
		for sub := range subjects {
			path := r.Path
			if c.fixture != nil {
				path = param.ReplaceAllLiteralString(path, c.fixture(w))
			}
			var got response
			if c.multipart {
				got = w.upload(path, w.tokens[sub], "m.csv", []byte("company,phone,country\nMatrix Upload Co,13800000000,CN\n"),
					"pool_id", w.poolA)
			} else {
				body := ""
				if c.body != nil {
					body = c.body(w)
				}
				got = w.do(r.Method, path, w.tokens[sub], body)
			}
			if c.refresh && got.status == 200 {
				var u struct{ Token string }
				got.json(t, &u)
				w.tokens[sub] = u.Token
				if sub == subAdmin {
					w.admin = u.Token
				}
			}
			if got.status != c.want[sub] {
				t.Errorf("%s as %s: %d, want %d; %s", key, subjectNames[sub], got.status, c.want[sub], got.body)
			}
		}
	}
	for key := range consoleRows {
		if !seen[key] {
			t.Errorf("the matrix has a console row for %s, which is not a route", key)
		}
	}
	for key := range rows {
		if !seen[key] {
			t.Errorf("the matrix has a row for %s, which is not a route", key)
		}
	}
	w.consoleRoutes(consoleRows, seen, param)
	// The console's dashboard, signed in: everyone has one (of the leads
	// they answer for); managers and admins land on it after signing in.
	for sub := range subjects {
		b := w.browser()
		land := "/leads"
		if sub == subAdmin || sub == subMgr || sub == subOtherMgr {
			land = "/dashboard"
		}
		wantRedirect(t, b.signIn(w.tokens[sub], ""), land)
		wantText(t, w.expect(b.get("/dashboard"), 200), `id="headlines"`)
	}
}

// consoleNeedsSession checks a console route: it takes the session cookie
// only (a bearer token is no session), so without one a page goes to the
// sign-in page and back after, and a form is refused.
func (w *world) consoleNeedsSession(method, path string) {
	w.t.Helper()
	for _, token := range []string{"", w.tokens[subAdmin]} {
		got := w.do(method, path, token, "")
		switch {
		case method == "GET" && (got.status != 303 || got.header.Get("Location") != "/login?next="+url.QueryEscape(path)):
			w.t.Errorf("%s %s without a session: %d to %q, want 303 to the sign-in page", method, path, got.status, got.header.Get("Location"))
		case method != "GET" && got.status != 401:
			w.t.Errorf("%s %s without a session: %d, want 401", method, path, got.status)
		}
	}
}

// export runs an export as subject sub and returns its id once it is done.
func (w *world) export(sub int) string {
	return w.runExport(w.tokens[sub], `{"format":"csv"}`).ID
}

// importInto imports a one-row file into pool A as subject sub and returns the import's id.
func (w *world) importInto(sub int) string {
	var im struct{ ID string }
	w.expect(w.upload("/api/v1/imports", w.tokens[sub], "one.csv", []byte("company,phone,country\nImported Matrix Co,13800000001,CN\n"),
		"pool_id", w.poolA), 202).json(w.t, &im)
	w.waitImport(im.ID, 30*time.Second)
	return im.ID
}

// teamOf is the team of subject sub.
func (w *world) teamOf(sub int) string {
	var u lead.User
	w.expect(w.do("GET", "/api/v1/users/"+w.ids[sub], w.admin, ""), 200).json(w.t, &u)
	return u.TeamID
}

// customer converts a lead owned by the owner rep (in pool A) and returns its customer's id.
func (w *world) customer() string {
	l := w.assigned()
	var out lead.Converted
	w.expect(w.do("POST", "/api/v1/leads/"+l.ID+"/convert", w.tokens[subOwner], ""), 200).json(w.t, &out)
	return out.Customer.ID
}

// field defines a custom lead field and returns its id.
func (w *world) field() string {
	var d lead.FieldDef
	w.expect(w.do("POST", "/api/v1/fields", w.admin, fmt.Sprintf(`{"entity":"lead","name":"field_%d","type":"text"}`, w.seq.Add(1))), 201).json(w.t, &d)
	return d.ID
}
