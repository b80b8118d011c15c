package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestChatTargets: refusals name the field (a private or metadata URL,
// an unknown kind or notification kind); the secret is never answered; a
// rep cannot make a team's target, the team's manager can, and each lists
// what they manage.
func TestChatTargets(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Chatty", 5)
	for body, field := range map[string]string{
		`{"kind":"wecom","url":"http://10.1.2.3/cgi-bin/webhook/send?key=k"}`: "url",
		`{"kind":"dingtalk","url":"http://169.254.169.254/latest/"}`:          "url",
		`{"kind":"feishu"}`: "url",
		`{"kind":"telegram","url":"http://127.0.0.1:9/h"}`:                 "kind",
		`{"kind":"slack","url":"http://127.0.0.1:9/h","kinds":["gossip"]}`: "kinds",
	} {
		apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/chat-targets", rep, body), 422), field)
	}
	var mine lead.ChatTarget
	r := s.Expect(s.Do("POST", "/api/v1/chat-targets", rep, `{"kind":"dingtalk","url":"http://127.0.0.1:9/robot/send","secret":"SEC","kinds":["offered"]}`,
		"Idempotency-Key", "chat-1"), 201)
	r.JSON(t, &mine)
	if strings.Contains(string(r.Body), "SEC") || !mine.HasSecret || mine.UserID != repID || mine.Kind != "dingtalk" {
		t.Fatalf("created: %s", r.Body)
	}
	var again lead.ChatTarget
	s.Expect(s.Do("POST", "/api/v1/chat-targets", rep, `{"kind":"dingtalk","url":"http://127.0.0.1:9/robot/send"}`, "Idempotency-Key", "chat-1"), 201).JSON(t, &again)
	if again.ID != mine.ID {
		t.Fatalf("a retry made another target: %s, %s", again.ID, mine.ID)
	}

	var team struct{ ID string }
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"Chat team"}`), 201).JSON(t, &team)
	mgrID, mgr := s.PoolStaff("Chatmanager", lead.RoleManager)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+mgrID, s.Admin, fmt.Sprintf(`{"team_id":%q}`, team.ID)), 200)
	body := fmt.Sprintf(`{"team_id":%q,"kind":"feishu","url":"http://127.0.0.1:9/hook"}`, team.ID)
	s.Expect(s.Do("POST", "/api/v1/chat-targets", rep, body), 403)
	var theirs lead.ChatTarget
	s.Expect(s.Do("POST", "/api/v1/chat-targets", mgr, body), 201).JSON(t, &theirs)
	apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/chat-targets", s.Admin, `{"team_id":"nope","kind":"slack","url":"http://127.0.0.1:9/h"}`), 422), "team_id")

	var page struct{ Items []lead.ChatTarget }
	s.Expect(s.Do("GET", "/api/v1/chat-targets", mgr, ""), 200).JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != theirs.ID {
		t.Fatalf("the manager lists %+v", page.Items)
	}
	s.Expect(s.Do("PATCH", "/api/v1/chat-targets/"+theirs.ID, rep, `{"active":false}`), 404)
	var patched lead.ChatTarget
	s.Expect(s.Do("PATCH", "/api/v1/chat-targets/"+mine.ID, rep, `{"active":false,"kinds":[]}`), 200).JSON(t, &patched)
	if patched.Active || len(patched.Kinds) != 0 || !patched.HasSecret {
		t.Fatalf("patched: %+v", patched)
	}
	apptest.FieldProblem(t, s.Expect(s.Do("PATCH", "/api/v1/chat-targets/"+mine.ID, rep, `{"url":"http://192.168.1.1/"}`), 422), "url")
	s.Expect(s.Do("DELETE", "/api/v1/chat-targets/"+theirs.ID, s.Admin, ""), 204)
	s.Expect(s.Do("DELETE", "/api/v1/chat-targets/"+theirs.ID, s.Admin, ""), 404)
}
