package console_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// TestBrowserInbox: in English and in Chinese, a WhatsApp message from
// nobody known is a conversation in the inbox; the manager opens it and
// assigns it to a rep; the rep, who saw no Create lead form before, finds
// it prefilled with the sender's name and number, adds the company and
// creates the lead, whose page shows the message among its replies.
func TestBrowserInbox(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	mgrID, _ := s.PoolStaff("Mona", lead.RoleManager)
	repID, _ := s.CreateRep("Rosa", 5)
	signIn := func(id, lang, next, wait string) (context.Context, func(string)) {
		var link struct{ URL string }
		s.Expect(s.Do("POST", "/api/v1/users/"+id+"/sign-in-link", s.Admin, ""), 201).JSON(t, &link)
		ctx, shot := apptest.Chromium(t)
		apptest.Run(t, ctx, "sign in", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(link.URL+"?next="+next),
			chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID(wait)),
			chromedp.Navigate(base+"/lang/"+lang+"?next="+next), chromedp.WaitVisible(chromedp.ID(wait)))
		return ctx, shot
	}
	for i, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			words := map[string][3]string{"en": {"Inbox", "The conversation was assigned.", "Replies"}, "zh-CN": {"收件箱", "会话已分配。", "回复"}}[lang]
			phone := fmt.Sprintf("+86139001390%02d", i)
			r, _, err := s.DB.ReceiveInbound(context.Background(), store.Inbound{Provider: "meta-whatsapp", ProviderID: "wamid.browser." + lang,
				Channel: lead.ChannelWhatsApp, Origin: lead.OriginMessage, From: phone, FromName: "Wang Wu " + lang, Body: "Do you ship to Shenzhen? " + lang})
			if err != nil || r.ConversationID == "" {
				t.Fatalf("the conversation: %+v %v", r, err)
			}

			ctx, shot := signIn(mgrID, lang, "/inbox", "conversation-list")
			if got := apptest.Text(t, ctx, "main h1"); got != words[0] {
				t.Errorf("the inbox's title: %q", got)
			}
			apptest.Run(t, ctx, "open the conversation", chromedp.Click(chromedp.CSS(`#conversation-`+r.ConversationID+` a`)),
				chromedp.WaitVisible(chromedp.ID("assign-form")))
			if got := apptest.Text(t, ctx, "#conversation-messages"); !strings.Contains(got, "Do you ship to Shenzhen? "+lang) {
				t.Errorf("the messages: %q", got)
			}
			shot("01-manager")
			apptest.Run(t, ctx, "assign it to the rep", chromedp.SetValue(chromedp.ID("assign-rep"), repID), chromedp.Click(chromedp.ID("assign")),
				chromedp.WaitVisible(chromedp.ID("notice")))
			if got := apptest.Text(t, ctx, "#notice"); got != words[1] {
				t.Errorf("the notice: %q", got)
			}
			if got := apptest.Text(t, ctx, "#conversation-assignee"); got != "Rosa" {
				t.Errorf("the assignee: %q", got)
			}
			if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#create-lead-form').length`)); n != 0 {
				t.Errorf("the manager sees the Create lead form")
			}

			rctx, rshot := signIn(repID, lang, "/inbox/"+r.ConversationID, "create-lead-form")
			form, err := chromedp.Run(rctx, chromedp.Evaluate[[2]string](`[document.getElementById('lead-name').value, document.getElementById('lead-phone').value]`))
			if err != nil || form[0] != "Wang Wu "+lang || form[1] != phone {
				t.Errorf("the prefilled form: %q (%v)", form, err)
			}
			rshot("02-rep")
			apptest.Run(t, rctx, "create the lead", chromedp.SendKeys(chromedp.ID("lead-company"), "Wang Trading "+lang+" Co"),
				chromedp.SendKeys(chromedp.ID("lead-country"), "CN"), chromedp.Click(chromedp.ID("create-lead")), chromedp.WaitVisible(chromedp.ID("replies")))
			if got := apptest.Text(t, rctx, "#replies"); !strings.Contains(got, "Do you ship to Shenzhen? "+lang) {
				t.Errorf("the lead's replies: %q", got)
			}
			if got := apptest.Text(t, rctx, "#messages-box"); !strings.Contains(got, words[2]) {
				t.Errorf("the replies' heading is not in %s", lang)
			}
			rshot("03-lead")
		})
	}
}
