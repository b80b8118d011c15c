package apptest

import (
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// The subjects of the authorization matrix, relative to the lead's pool A.
const (
	SubAdmin    = iota // an admin
	SubMgr             // the manager who administers pool A
	SubOtherMgr        // a manager of pool B only
	SubMember          // a rep of team A (pool A is team A's pool)
	SubOutsider        // a rep of team B: not a member of pool A
	SubOwner           // a rep of team A who owns the assigned lead
	SubOffered         // a rep of team A the offered lead is offered to
	Subjects
)

// SubjectNames name the matrix's subjects in failures.
var SubjectNames = [Subjects]string{"admin", "manager of the lead's pool", "manager of another pool", "member rep",
	"non-member rep", "owner rep", "offered rep"}

// World is the cast of the matrix: two teams, a pool each, a manager each.
type World struct {
	*Stack
	IDs, Tokens      [Subjects]string
	PoolA, PoolA2    string // team A's pools (A2: a transfer target mgr administers too)
	poolOffer, PoolB string // poolOffer: round robin to the offered rep only
	Seq              atomic.Int64
	public           *Stack // an app that believes X-Forwarded-For (Flagged)
}

// NewWorld builds the matrix's cast on a new stack: two teams, their
// pools and managers, and the reps of each subject.
func NewWorld(t *testing.T) *World {
	s := NewStack(t)
	w := &World{Stack: s}
	var teamA, teamB struct{ ID string }
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"Team A"}`), 201).JSON(t, &teamA)
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"Team B"}`), 201).JSON(t, &teamB)
	var me struct{ ID string }
	s.Expect(s.Do("GET", "/api/v1/me", s.Admin, ""), 200).JSON(t, &me)
	w.IDs[SubAdmin], w.Tokens[SubAdmin] = me.ID, s.Admin
	w.IDs[SubMgr], w.Tokens[SubMgr] = s.PoolStaff("Mia", lead.RoleManager)
	w.IDs[SubOtherMgr], w.Tokens[SubOtherMgr] = s.PoolStaff("Bo", lead.RoleManager)
	for _, r := range []struct {
		sub        int
		name, team string
	}{{SubMember, "Mel", teamA.ID}, {SubOutsider, "Oscar", teamB.ID}, {SubOwner, "Owen", teamA.ID}, {SubOffered, "Ophelia", teamA.ID}} {
		w.IDs[r.sub], w.Tokens[r.sub] = s.CreateRep(r.name, 50)
		s.Expect(s.Do("PATCH", "/api/v1/users/"+w.IDs[r.sub], s.Admin, fmt.Sprintf(`{"team_id":%q}`, r.team)), 200)
	}
	pool := func(name, team, admin, distribution string, members ...string) string {
		return s.CreatePool(fmt.Sprintf(`{"name":%q,"scope":"team","team_id":%q,"admin_ids":[%q],"member_ids":[%s],"policy":{"distribution":%q}}`,
			name, team, admin, quoteAll(members), distribution))
	}
	w.PoolA = pool("Pool A", teamA.ID, w.IDs[SubMgr], "claim_only", w.IDs[SubMember], w.IDs[SubOwner], w.IDs[SubOffered])
	w.PoolA2 = pool("Pool A2", teamA.ID, w.IDs[SubMgr], "claim_only")
	w.poolOffer = pool("Pool A offers", teamA.ID, w.IDs[SubMgr], "round_robin", w.IDs[SubOffered])
	w.PoolB = pool("Pool B", teamB.ID, w.IDs[SubOtherMgr], "claim_only", w.IDs[SubOutsider])
	return w
}

func quoteAll(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = fmt.Sprintf("%q", id)
	}
	return strings.Join(q, ",")
}

// NewLead creates a lead pooled in the global pool.
func (w *World) NewLead() lead.Lead {
	n := w.Seq.Add(1)
	return w.CreateLead(fmt.Sprintf(`{"company":"Matrix Trading %d","phone":"1380013%04d","country":"CN"}`, n, n))
}

// Pooled is a lead pooled in pool A; assigned one owned by the owner rep;
// offered one offered to the offered rep.
func (w *World) Pooled() lead.Lead {
	l := w.NewLead()
	w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", w.Admin, fmt.Sprintf(`{"pool_id":%q}`, w.PoolA)), 200)
	return l
}

// Assigned is a new lead of pool A, assigned to the owner rep.
func (w *World) Assigned() lead.Lead {
	l := w.Pooled()
	w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/assign", w.Admin, fmt.Sprintf(`{"rep_id":%q}`, w.IDs[SubOwner])), 200)
	return l
}

// Closed is a new lead of pool A, assigned to the owner rep, then closed.
func (w *World) Closed() lead.Lead {
	l := w.Assigned()
	w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/close", w.Admin, ""), 200)
	return l
}

// Rejected is a new lead the validation rules rejected (its phone is not
// valid for its country): in no pool.
func (w *World) Rejected() lead.Lead {
	l := w.CreateLead(fmt.Sprintf(`{"company":"Rejected Trading %d","phone":"123","country":"CN"}`, w.Seq.Add(1)))
	if l.Status != lead.StatusRejected {
		w.T.Fatalf("the lead was not rejected: %+v", l)
	}
	return l
}

// Offered is a new lead of the offering pool, offered to the offered rep.
func (w *World) Offered() lead.Lead {
	l := w.NewLead()
	var out lead.Lead
	w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", w.Admin, fmt.Sprintf(`{"pool_id":%q}`, w.poolOffer)), 200).JSON(w.T, &out)
	if out.Status != lead.StatusOffered || out.OwnerID != w.IDs[SubOffered] {
		w.T.Fatalf("the lead was not offered to the offered rep: %+v", out)
	}
	return l
}

// Cell is one route of the matrix: how to make its target, its body, and
// the status each subject gets, in subject order.
type Cell struct {
	Fixture   func(w *World) string // the :id of the route ("" for none)
	Body      func(w *World) string
	Multipart bool // an upload of a one-row CSV into pool A
	// ContentType is the body's type when it is not JSON.
	ContentType string
	Refresh     bool // the answer carries the subject's new token
	Want        [Subjects]int
}

// All is the same status for every subject.
func All(status int) [Subjects]int {
	var a [Subjects]int
	for i := range a {
		a[i] = status
	}
	return a
}

// ConsoleNeedsSession checks a console route: it takes the session cookie
// only (a bearer token is no session), so without one a page goes to the
// sign-in page and back after, and a form is refused.
func (w *World) ConsoleNeedsSession(method, path string) {
	w.T.Helper()
	for _, token := range []string{"", w.Tokens[SubAdmin]} {
		got := w.Do(method, path, token, "")
		switch {
		case method == "GET" && (got.Status != 303 || got.Header.Get("Location") != "/login?next="+url.QueryEscape(path)):
			w.T.Errorf("%s %s without a session: %d to %q, want 303 to the sign-in page", method, path, got.Status, got.Header.Get("Location"))
		case method != "GET" && got.Status != 401:
			w.T.Errorf("%s %s without a session: %d, want 401", method, path, got.Status)
		}
	}
}

// Export runs an export as subject sub and returns its id once it is done.
func (w *World) Export(sub int) string {
	return w.RunExport(w.Tokens[sub], `{"format":"csv"}`).ID
}

// ImportInto imports a one-row file into pool A as subject sub and returns the import's id.
func (w *World) ImportInto(sub int) string {
	var im struct{ ID string }
	w.Expect(w.Upload("/api/v1/imports", w.Tokens[sub], "one.csv", []byte("company,phone,country\nImported Matrix Co,13800000001,CN\n"),
		"pool_id", w.PoolA), 202).JSON(w.T, &im)
	w.WaitImport(im.ID, 30*time.Second)
	return im.ID
}

// TeamOf is the team of subject sub.
func (w *World) TeamOf(sub int) string {
	var u lead.User
	w.Expect(w.Do("GET", "/api/v1/users/"+w.IDs[sub], w.Admin, ""), 200).JSON(w.T, &u)
	return u.TeamID
}

// Customer converts a lead owned by the owner rep (in pool A) and returns its customer's id.
func (w *World) Customer() string {
	l := w.Assigned()
	var out lead.Converted
	w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/convert", w.Tokens[SubOwner], ""), 200).JSON(w.T, &out)
	return out.Customer.ID
}

// Field defines a custom lead field and returns its id.
func (w *World) Field() string {
	var d lead.FieldDef
	w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, fmt.Sprintf(`{"entity":"lead","name":"field_%d","type":"text"}`, w.Seq.Add(1))), 201).JSON(w.T, &d)
	return d.ID
}

// IgnoredCompany adds a company to the global ignore list and returns the entry's id.
func (w *World) IgnoredCompany() string {
	var out struct{ ID string }
	w.Expect(w.Do("POST", "/api/v1/companies/ignored", w.Admin, fmt.Sprintf(`{"name":"Ignored Fixture %d"}`, w.Seq.Add(1))), 201).JSON(w.T, &out)
	return out.ID
}

// OwnRulesTeam is a new team that defines its own registration rules.
func (w *World) OwnRulesTeam() string {
	var t struct{ ID string }
	w.Expect(w.Do("POST", "/api/v1/teams", w.Admin, fmt.Sprintf(`{"name":"Own rules %d"}`, w.Seq.Add(1))), 201).JSON(w.T, &t)
	w.Expect(w.Do("PATCH", "/api/v1/teams/"+t.ID, w.Admin, `{"registration_rules":"own"}`), 200)
	return t.ID
}

// CRMTarget is a new CRM target pointing nowhere; it returns its id.
func (w *World) CRMTarget() string {
	var out struct{ ID string }
	w.Expect(w.Do("POST", "/api/v1/crm-targets", w.Admin, fmt.Sprintf(`{"name":"Fixture CRM %d","kind":"hubspot","base_url":"http://127.0.0.1:9","token":"t"}`, w.Seq.Add(1))), 201).JSON(w.T, &out)
	return out.ID
}
