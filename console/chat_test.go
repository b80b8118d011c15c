package console_test

import (
	"net/url"
	"regexp"
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
