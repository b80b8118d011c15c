package console_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestConsoleChatTargets: the settings page adds a chat app (a private
// URL refused, naming the field), lists it in both languages and removes it.
func TestConsoleChatTargets(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Chloe", 5)
	b := s.Browser()
	b.SignIn(rep, "/settings/notifications")

	page := s.Expect(b.Get("/settings/notifications"), 200)
	apptest.WantText(t, page, "Chat apps", `id="chat-none"`, "DingTalk")
	refused := s.Expect(b.Post(page, "/settings/chat-targets", url.Values{"kind": {"wecom"}, "url": {"http://10.1.2.3/send?key=k"}}), 422)
	apptest.WantText(t, refused, "private address")
	apptest.WantRedirect(t, b.Post(page, "/settings/chat-targets", url.Values{"kind": {"dingtalk"}, "url": {"http://127.0.0.1:9/robot/send"}, "secret": {"S"}}),
		"/settings/notifications?saved=chat")
	page = s.Expect(b.Get("/settings/notifications?saved=chat"), 200)
	apptest.WantText(t, page, "The chat app is added.", "http://127.0.0.1:9/robot/send")
	apptest.WantText(t, s.Expect(b.Get("/lang/zh-CN?next=%2Fsettings%2Fnotifications"), 303), "")
	apptest.WantText(t, s.Expect(b.Get("/settings/notifications"), 200), "聊天应用", "钉钉")
	del := regexp.MustCompile(`/settings/chat-targets/[0-9a-f-]+/delete`).FindString(string(page.Body))
	if del == "" {
		t.Fatal("no remove form")
	}
	apptest.WantRedirect(t, b.Post(page, del, url.Values{}), "/settings/notifications?saved=chat-deleted")
	apptest.WantText(t, s.Expect(b.Get("/settings/notifications"), 200), `id="chat-none"`)
}

// TestConsoleTeamChatTargets: a team's page lists its chat apps; the
// admin and the team's manager add and remove them, the manager of
// another team sees no form and is refused, a rep does not get the page.
func TestConsoleTeamChatTargets(t *testing.T) {
	s := apptest.NewStack(t)
	north, south := s.MailTeam("North"), s.MailTeam("South")
	mgrID, mgr := s.MailUser("Nora", "manager")
	otherID, other := s.MailUser("Sven", "manager")
	s.Expect(s.Do("PATCH", "/api/v1/users/"+mgrID, s.Admin, `{"team_id":"`+north+`"}`), 200)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+otherID, s.Admin, `{"team_id":"`+south+`"}`), 200)
	_, rep := s.CreateRep("Rita", 5)
	team := "/teams/" + north

	admin := s.Browser()
	admin.SignIn(s.Admin, team)
	page := s.Expect(admin.Get(team), 200)
	apptest.WantText(t, page, `id="chat-none"`, `id="chat-form"`)
	apptest.WantRedirect(t, admin.Post(page, team+"/chat-targets", url.Values{"kind": {"feishu"}, "url": {"http://127.0.0.1:9/open-apis/bot/v2/hook/x"}}),
		team+"?done=chat")
	apptest.WantText(t, s.Expect(admin.Get(team+"?done=chat"), 200), "The chat app is added.", "http://127.0.0.1:9/open-apis/bot/v2/hook/x")

	b := s.Browser()
	b.SignIn(mgr, team)
	page = s.Expect(b.Get(team), 200)
	apptest.WantText(t, page, "http://127.0.0.1:9/open-apis/bot/v2/hook/x", `id="chat-form"`)
	refused := s.Expect(b.Post(page, team+"/chat-targets", url.Values{"kind": {"wecom"}, "url": {"http://10.1.2.3/send?key=k"}}), 422)
	apptest.WantText(t, refused, "private address", `id="chat-form"`)
	del := regexp.MustCompile(`/settings/chat-targets/[0-9a-f-]+/delete`).FindString(string(page.Body))
	if del == "" {
		t.Fatal("no remove form for the team's manager")
	}
	apptest.WantRedirect(t, b.Post(page, del, url.Values{"from": {"team"}}), team+"?done=chat-deleted")
	apptest.WantText(t, s.Expect(b.Get(team), 200), `id="chat-none"`)
	apptest.WantRedirect(t, b.Post(page, team+"/chat-targets", url.Values{"kind": {"slack"}, "url": {"http://127.0.0.1:9/services/T/B/X"}}),
		team+"?done=chat")
	var targets struct {
		Items []struct {
			TeamID string `json:"team_id"`
		} `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/chat-targets", s.Admin, ""), 200).JSON(t, &targets)
	if len(targets.Items) != 1 || targets.Items[0].TeamID != north {
		t.Fatalf("the admin sees %+v, want one target of team North", targets)
	}

	// The manager of another team: no list, no form, refused.
	o := s.Browser()
	o.SignIn(other, team)
	page = s.Expect(o.Get(team), 200)
	if strings.Contains(string(page.Body), `id="chat-form"`) || strings.Contains(string(page.Body), "/services/T/B/X") {
		t.Fatal("another team's manager sees the team's chat apps or their form")
	}
	s.Expect(o.Post(page, team+"/chat-targets", url.Values{"kind": {"slack"}, "url": {"http://127.0.0.1:9/services/T/B/Y"}}), 403)
	r := s.Browser()
	r.SignIn(rep, "/leads")
	s.Expect(r.Get(team), 403)
}
