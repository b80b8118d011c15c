package activities_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/chat"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/webhook"
)

// fakeRobot records the bodies it is posted and answers the scripted
// answers first, then {"errcode":0}.
type fakeRobot struct {
	*httptest.Server
	mu      sync.Mutex
	bodies  []map[string]any
	queries []string
	script  []string
}

func newRobot(t *testing.T, script ...string) *fakeRobot {
	r := &fakeRobot{script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var b map[string]any
		_ = json.NewDecoder(req.Body).Decode(&b)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.bodies, r.queries = append(r.bodies, b), append(r.queries, req.URL.RawQuery)
		answer := `{"errcode":0,"errmsg":"ok"}`
		if len(r.script) > 0 {
			answer, r.script = r.script[0], r.script[1:]
		}
		_, _ = w.Write([]byte(answer))
	}))
	t.Cleanup(r.Close)
	return r
}

// TestChatTargetsPostedOnce: the rep's DingTalk robot answers an error
// code once (retried, then posted once, signed) and the team's WeCom
// robot gets the same notification once; a repeat posts nothing more.
func TestChatTargetsPostedOnce(t *testing.T) {
	m := newMailEnv(t)
	ctx := context.Background()
	guard, _ := webhook.ParseAllow("127.0.0.1")
	m.acts.Hooks.Guard = guard
	team, err := m.db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "East " + uuid.NewString()[:8]})
	if err != nil {
		t.Fatal(err)
	}
	rita, err := m.db.CreateUser(ctx, lead.User{ID: uuid.NewString(), Name: "Rita", Email: "rita-" + uuid.NewString()[:8] + "@example.com",
		Role: lead.RoleRep, Capacity: 10, DailyClaimLimit: 10, Active: true, TeamID: team.ID}, []byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	ding, wecom := newRobot(t, `{"errcode":310000,"errmsg":"sign not match"}`), newRobot(t)
	mine, err := m.db.CreateChatTarget(ctx, lead.ChatTarget{UserID: rita.ID, Kind: chat.DingTalk, URL: ding.URL + "/robot/send?access_token=t",
		Secret: "SEC1", Kinds: []string{lead.EmailAssigned}, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := m.db.CreateChatTarget(ctx, lead.ChatTarget{TeamID: team.ID, Kind: chat.WeCom, URL: wecom.URL + "/cgi-bin/webhook/send?key=k", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.db.CreateChatTarget(ctx, lead.ChatTarget{UserID: rita.ID, Kind: chat.Slack, URL: wecom.URL, Kinds: []string{lead.EmailDigest}, Active: true}); err != nil {
		t.Fatal(err)
	}
	l := m.assign(m.lead("Acme Chat Co.", lead.DefaultPoolID), rita.ID, "")
	e := lead.Email{Key: "chat-" + l.ID, Kind: lead.EmailAssigned, LeadID: l.ID, RepID: rita.ID}
	if err := m.run(e); err != nil {
		t.Fatal(err)
	}
	if len(ding.bodies) != 2 || len(wecom.bodies) != 1 {
		t.Fatalf("dingtalk posted %d times, wecom %d", len(ding.bodies), len(wecom.bodies))
	}
	link := "https://leads.example.com/leads/" + l.ID
	md, _ := ding.bodies[1]["markdown"].(map[string]any)
	if text, _ := md["text"].(string); !strings.Contains(text, "Acme Chat Co.") || !strings.Contains(text, link) {
		t.Fatalf("dingtalk text %q", text)
	}
	if q := ding.queries[1]; !strings.Contains(q, "timestamp=") || !strings.Contains(q, "sign=") {
		t.Fatalf("dingtalk query %q", q)
	}
	if n := m.notification(e.Key + "/chat/" + mine.ID); n.Status != lead.NotificationSent || n.Attempts != 2 || n.Provider != chat.DingTalk {
		t.Fatalf("stored: %+v", n)
	}
	if n := m.notification(e.Key + "/chat/" + theirs.ID); n.Status != lead.NotificationSent || n.Provider != chat.WeCom || !strings.Contains(n.Text, link) {
		t.Fatalf("stored: %+v", n)
	}
	if err := m.acts.Email(ctx, e); err != nil {
		t.Fatal(err)
	}
	if len(ding.bodies) != 2 || len(wecom.bodies) != 1 {
		t.Fatalf("a repeat posted again: dingtalk %d, wecom %d", len(ding.bodies), len(wecom.bodies))
	}
	if mails := m.sg.Delivered(); len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
}

// TestChatOutbox: with ChatOutbox the post is only stored.
func TestChatOutbox(t *testing.T) {
	m := newMailEnv(t)
	ctx := context.Background()
	m.acts.ChatOutbox = true
	rita := m.user("Rita", lead.RoleRep)
	robot := newRobot(t)
	target, err := m.db.CreateChatTarget(ctx, lead.ChatTarget{UserID: rita.ID, Kind: chat.Feishu, URL: robot.URL, Secret: "s", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	l := m.assign(m.lead("Outbox Chat Co.", lead.DefaultPoolID), rita.ID, "")
	e := lead.Email{Key: "chat-outbox-" + l.ID, Kind: lead.EmailAssigned, LeadID: l.ID, RepID: rita.ID}
	if err := m.acts.Email(ctx, e); err != nil {
		t.Fatal(err)
	}
	if len(robot.bodies) != 0 {
		t.Fatal("the outbox posted")
	}
	if n := m.notification(e.Key + "/chat/" + target.ID); n.Status != lead.NotificationSent || n.Provider != "outbox" {
		t.Fatalf("stored: %+v", n)
	}
}
