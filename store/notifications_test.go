package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// flags returns "name:notify" for each recipient, in order.
func flags(t *testing.T, rs []lead.Recipient, err error, names map[string]string) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("%s:%v", names[r.UserID], r.Notify))
	}
	return strings.Join(out, " ")
}

// TestPoolDefaultRecipients follows seed 003: the first user added to a
// pool is its default new-lead recipient; later users are not flagged
// while someone is; once the flag is removed, the next user added gets it.
func TestPoolDefaultRecipients(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	mgr, r1, r2, r3, r4 := newUser(t, db, lead.RoleManager, 5, 5), newUser(t, db, lead.RoleRep, 5, 5),
		newUser(t, db, lead.RoleRep, 5, 5), newUser(t, db, lead.RoleRep, 5, 5), newUser(t, db, lead.RoleRep, 5, 5)
	names := map[string]string{mgr.ID: "mgr", r1.ID: "r1", r2.ID: "r2", r3.ID: "r3", r4.ID: "r4"}

	// Created with its manager first: the manager is the default recipient.
	p, err := db.CreatePool(ctx, lead.Pool{Name: "North", Scope: lead.ScopeGlobal, AdminIDs: []string{mgr.ID}, MemberIDs: []string{r1.ID}})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := db.PoolRecipients(ctx, p.ID)
	if got := flags(t, rs, err, names); got != "mgr:true r1:false" {
		t.Fatalf("after creation: %s", got)
	}
	// A later member is not flagged while the manager is.
	if _, err := db.UpdatePool(ctx, p.ID, lead.PoolPatch{MemberIDs: pptr([]string{r1.ID, r2.ID})}); err != nil {
		t.Fatal(err)
	}
	rs, err = db.PoolRecipients(ctx, p.ID)
	if got := flags(t, rs, err, names); got != "mgr:true r1:false r2:false" {
		t.Fatalf("after adding r2: %s", got)
	}
	// Rewriting the members (every PATCH does) keeps the flags.
	if _, err := db.UpdatePool(ctx, p.ID, lead.PoolPatch{Name: pptr("North pool")}); err != nil {
		t.Fatal(err)
	}
	// Several designated users are allowed.
	rs, err = db.SetPoolRecipients(ctx, p.ID, []string{mgr.ID, r2.ID})
	if got := flags(t, rs, err, names); got != "mgr:true r1:false r2:true" {
		t.Fatalf("two designated: %s", got)
	}
	ids, err := db.NewLeadRecipients(ctx, p.ID)
	if err != nil || len(ids) != 2 || ids[0] != mgr.ID || ids[1] != r2.ID {
		t.Fatalf("new-lead recipients %v %v", ids, err)
	}
	// The flag removed from everyone: the next user added becomes the default...
	if _, err := db.SetPoolRecipients(ctx, p.ID, []string{}); err != nil {
		t.Fatal(err)
	}
	if ids, err := db.NewLeadRecipients(ctx, p.ID); err != nil || len(ids) != 0 {
		t.Fatalf("nobody flagged, yet %v %v", ids, err)
	}
	if _, err := db.UpdatePool(ctx, p.ID, lead.PoolPatch{MemberIDs: pptr([]string{r1.ID, r2.ID, r3.ID})}); err != nil {
		t.Fatal(err)
	}
	rs, err = db.PoolRecipients(ctx, p.ID)
	if got := flags(t, rs, err, names); got != "mgr:false r1:false r2:false r3:true" {
		t.Fatalf("after adding r3 with nobody flagged: %s", got)
	}
	// ...and the one after is not.
	if _, err := db.UpdatePool(ctx, p.ID, lead.PoolPatch{MemberIDs: pptr([]string{r1.ID, r2.ID, r3.ID, r4.ID})}); err != nil {
		t.Fatal(err)
	}
	rs, err = db.PoolRecipients(ctx, p.ID)
	if got := flags(t, rs, err, names); got != "mgr:false r1:false r2:false r3:true r4:false" {
		t.Fatalf("after adding r4: %s", got)
	}
	// An inactive recipient gets nothing.
	if _, err := db.UpdateUser(ctx, r3.ID, store.UserPatch{Active: pptr(false)}); err != nil {
		t.Fatal(err)
	}
	if ids, err := db.NewLeadRecipients(ctx, p.ID); err != nil || len(ids) != 0 {
		t.Fatalf("inactive r3 still a recipient: %v %v", ids, err)
	}

	// Only the pool's people can be recipients; bad ids name the field.
	_, err = db.SetPoolRecipients(ctx, p.ID, []string{newUser(t, db, lead.RoleRep, 5, 5).ID})
	wantPoolField(t, err, "user_ids")
	_, err = db.SetPoolRecipients(ctx, p.ID, []string{"nope"})
	wantPoolField(t, err, "user_ids")
	_, err = db.SetPoolRecipients(ctx, uuid.NewString(), nil)
	wantPoolCode(t, err, lead.CodeNotFound)
}

// TestTeamDefaultRecipients: the same rule for a team's members, and a team
// pool's new leads reach the team's designated users too.
func TestTeamDefaultRecipients(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	team, err := db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := newUser(t, db, lead.RoleRep, 5, 5), newUser(t, db, lead.RoleRep, 5, 5), newUser(t, db, lead.RoleRep, 5, 5)
	names := map[string]string{a.ID: "a", b.ID: "b", c.ID: "c"}
	for _, u := range []lead.User{a, b} {
		if _, err := db.UpdateUser(ctx, u.ID, store.UserPatch{TeamID: pptr(team.ID)}); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := db.TeamRecipients(ctx, team.ID)
	if got := flags(t, rs, err, names); got != "a:true b:false" {
		t.Fatalf("team: %s", got)
	}
	// a leaves the team: nobody in it is flagged, so c, added next, is.
	if _, err := db.UpdateUser(ctx, a.ID, store.UserPatch{TeamID: pptr("")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateUser(ctx, c.ID, store.UserPatch{TeamID: pptr(team.ID)}); err != nil {
		t.Fatal(err)
	}
	rs, err = db.TeamRecipients(ctx, team.ID)
	if got := flags(t, rs, err, names); got != "b:false c:true" {
		t.Fatalf("after a left and c joined: %s", got)
	}
	// A user created straight into a team follows the same rule.
	d, err := db.CreateUser(ctx, lead.User{ID: uuid.NewString(), Name: "D", Email: "d@example.com", Role: lead.RoleRep, TeamID: team.ID,
		Capacity: 5, DailyClaimLimit: 5, Active: true}, []byte("d"))
	if err != nil {
		t.Fatal(err)
	}
	names[d.ID] = "d"
	rs, err = db.SetTeamRecipients(ctx, team.ID, []string{b.ID})
	if got := flags(t, rs, err, names); got != "b:true c:false d:false" {
		t.Fatalf("set b: %s", got)
	}
	_, err = db.SetTeamRecipients(ctx, team.ID, []string{a.ID})
	wantPoolField(t, err, "user_ids")

	// A team pool (with nobody of its own flagged) notifies the team's designated user.
	p, err := db.CreatePool(ctx, lead.Pool{Name: "Berlin pool", Scope: lead.ScopeTeam, TeamID: team.ID})
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := db.NewLeadRecipients(ctx, p.ID); err != nil || len(ids) != 1 || ids[0] != b.ID {
		t.Fatalf("team pool recipients %v %v", ids, err)
	}
}

func TestNotificationsAreClaimedOnce(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	u := newUser(t, db, lead.RoleRep, 5, 5)
	l := pooledLead(t, db, "Acme Trading", "")
	n := lead.Notification{Key: "k1", Kind: lead.EmailAssigned, ToUserID: u.ID, ToEmail: u.Email, Subject: "s1", Text: "t", HTML: "h", LeadID: l.ID}
	first, err := db.ClaimNotification(ctx, n)
	if err != nil || first.Status != lead.NotificationQueued || first.Subject != "s1" || first.LeadID != l.ID {
		t.Fatalf("claim: %+v %v", first, err)
	}
	// A second claim of the key returns the first e-mail, content included.
	n.Subject = "s2"
	again, err := db.ClaimNotification(ctx, n)
	if err != nil || again.ID != first.ID || again.Subject != "s1" {
		t.Fatalf("second claim: %+v %v", again, err)
	}
	if err := db.MarkNotificationFailed(ctx, "k1", "sendgrid", "503", false); err != nil {
		t.Fatal(err)
	}
	got, _ := db.NotificationByKey(ctx, "k1")
	if got.Status != lead.NotificationQueued || got.Attempts != 1 || got.Error != "503" {
		t.Fatalf("after a temporary failure: %+v", got)
	}
	if err := db.MarkNotificationSent(ctx, "k1", "sendgrid", "msg-1"); err != nil {
		t.Fatal(err)
	}
	got, _ = db.NotificationByKey(ctx, "k1")
	if got.Status != lead.NotificationSent || got.Attempts != 2 || got.Error != "" || got.ProviderMessageID != "msg-1" || got.SentAt == nil {
		t.Fatalf("after sending: %+v", got)
	}
	// A late failure report does not undo a delivery.
	if err := db.MarkNotificationFailed(ctx, "k1", "sendgrid", "400", true); err != nil {
		t.Fatal(err)
	}
	if got, _ = db.NotificationByKey(ctx, "k1"); got.Status != lead.NotificationSent {
		t.Fatalf("a sent e-mail became %s", got.Status)
	}

	// Listing: newest first, by recipient, kind and status, with a cursor.
	other := newUser(t, db, lead.RoleRep, 5, 5)
	for i := range 3 {
		if _, err := db.ClaimNotification(ctx, lead.Notification{Key: fmt.Sprintf("o%d", i), Kind: lead.EmailDigest, ToUserID: other.ID,
			ToEmail: other.Email, Subject: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	page1, next, err := db.Notifications(ctx, store.NotificationFilter{ToUserID: other.ID, Limit: 2})
	if err != nil || len(page1) != 2 || page1[0].Subject != "2" || next == "" {
		t.Fatalf("page 1: %+v %q %v", page1, next, err)
	}
	page2, next, err := db.Notifications(ctx, store.NotificationFilter{ToUserID: other.ID, Limit: 2, Cursor: next})
	if err != nil || len(page2) != 1 || page2[0].Subject != "0" || next != "" {
		t.Fatalf("page 2: %+v %q %v", page2, next, err)
	}
	sent, _, err := db.Notifications(ctx, store.NotificationFilter{Status: lead.NotificationSent, Kind: lead.EmailAssigned, LeadID: l.ID})
	if err != nil || len(sent) != 1 || sent[0].Key != "k1" {
		t.Fatalf("sent: %+v %v", sent, err)
	}
	_, _, err = db.Notifications(ctx, store.NotificationFilter{Status: "lost"})
	wantPoolField(t, err, "status")
	_, _, err = db.Notifications(ctx, store.NotificationFilter{Kind: "spam"})
	wantPoolField(t, err, "kind")
	_, _, err = db.Notifications(ctx, store.NotificationFilter{Cursor: "zzz"})
	wantPoolField(t, err, "cursor")
}

func TestEmailOptOut(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	u := newUser(t, db, lead.RoleRep, 5, 5)
	if kinds, err := db.EmailOptOut(ctx, u.ID); err != nil || len(kinds) != 0 {
		t.Fatalf("default opt-outs %v %v", kinds, err)
	}
	kinds, err := db.SetEmailOptOut(ctx, u.ID, []string{"digest", "new_lead", "digest"})
	if err != nil || strings.Join(kinds, ",") != "digest,new_lead" {
		t.Fatalf("set: %v %v", kinds, err)
	}
	_, err = db.SetEmailOptOut(ctx, u.ID, []string{"offered"})
	wantPoolField(t, err, "opt_out")
	_, err = db.SetEmailOptOut(ctx, u.ID, []string{"spam"})
	wantPoolField(t, err, "opt_out")
	users, err := db.MailUsers(ctx, []string{u.ID, "nope"})
	if err != nil || len(users) != 1 || strings.Join(users[0].OptOut, ",") != "digest,new_lead" {
		t.Fatalf("mail users: %+v %v", users, err)
	}
}

func TestDueFollowUps(t *testing.T) {
	db := testenv.Store(t)
	ctx := context.Background()
	rep := newUser(t, db, lead.RoleRep, 10, 10)
	day := time.Now().UTC().Truncate(24 * time.Hour)
	due := func(company string, next *time.Time) lead.Lead {
		l := pooledLead(t, db, company, "")
		if _, err := db.Claim(ctx, lead.Claim{LeadID: l.ID, RepID: rep.ID, RequestID: uuid.NewString()}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddFollowUp(ctx, lead.NewFollowUp{RequestID: uuid.NewString(), FollowUp: lead.FollowUp{ID: uuid.NewString(),
			LeadID: l.ID, AuthorID: rep.ID, Type: "call", Content: "called", NextStep: "send the quote", NextAt: next}}); err != nil {
			t.Fatal(err)
		}
		return l
	}
	today, yesterday, tomorrow := day.Add(15*time.Hour), day.Add(-10*time.Hour), day.Add(30*time.Hour)
	a := due("Alpha Trading", &today)
	b := due("Beta Trading", &yesterday)
	due("Gamma Trading", &tomorrow)
	due("Delta Trading", nil)

	reps, err := db.DigestRecipients(ctx, day.Add(24*time.Hour))
	if err != nil || len(reps) != 1 || reps[0].ID != rep.ID {
		t.Fatalf("digest reps %v %v", reps, err)
	}
	items, err := db.DueFollowUps(ctx, rep.ID, day.Add(24*time.Hour))
	if err != nil || len(items) != 2 || items[0].LeadID != b.ID || items[1].LeadID != a.ID || items[1].NextStep != "send the quote" {
		t.Fatalf("due: %+v %v", items, err)
	}
}
