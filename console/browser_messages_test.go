package console_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserMessages: a manager writes a template in the browser (a typo
// in a variable is shown at its line), then a rep sends it to their lead
// from the lead page and sees it sent with the lead's consent; a typo in
// a message written out is refused on the page in Chinese; the admin's
// outbox lists the message.
func TestBrowserMessages(t *testing.T) {
	m := apptest.NewMessageStack(t)
	m.StartWorker()
	s := m.Stack
	base := s.Served()
	mgrID, _ := s.PoolStaff("Mona", lead.RoleManager)
	repID, _ := s.CreateRep("Rosa", 5)
	l := s.CreateLead(`{"company":"Browser Nurture Co","name":"Zhang Wei","phone":"13800138777","email":"zhang@nurture.cn","country":"CN"}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/assign", s.Admin, fmt.Sprintf(`{"rep_id":%q}`, repID)), 200)
	signIn := func(id, next, wait string) (context.Context, func(string)) {
		var link struct{ URL string }
		s.Expect(s.Do("POST", "/api/v1/users/"+id+"/sign-in-link", s.Admin, ""), 201).JSON(t, &link)
		ctx, shot := apptest.Chromium(t)
		apptest.Run(t, ctx, "sign in", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(link.URL+"?next="+next),
			chromedp.WaitVisible(chromedp.ID("continue")), chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID(wait)))
		return ctx, shot
	}

	// The manager: a typo is refused at its line, then the template is saved.
	ctx, shot := signIn(mgrID, "/templates", "template-form")
	apptest.Run(t, ctx, "a template with a typo", chromedp.SendKeys(chromedp.ID("tpl-name"), "Fair follow-up"),
		chromedp.SetValue(chromedp.ID("tpl-channel"), "email"),
		chromedp.SendKeys(chromedp.ID("tpl-subject"), "{{.Lead.Company}}: our catalogue"),
		chromedp.SetValue(chromedp.ID("tpl-body"), "Dear {{.Lead.Name}},\nthank you for visiting {{.Lead.Compnay}}.\n{{.Rep.Name}}"),
		chromedp.Click(chromedp.ID("save-template")), chromedp.WaitVisible(chromedp.ID("bad-line")))
	errText, bad := apptest.Text(t, ctx, "#err-body"), apptest.Text(t, ctx, "#bad-line")
	if !strings.Contains(errText, "Line 2, column 26") || !strings.Contains(errText, ".Lead.Compnay") || !strings.Contains(bad, "{{.Lead.Compnay}}") {
		t.Errorf("the compile error: %q at %q", errText, bad)
	}
	shot("01-template-error")
	apptest.Run(t, ctx, "fix it", chromedp.SetValue(chromedp.ID("tpl-body"), "Dear {{.Lead.Name}},\nthank you for visiting us.\n{{.Rep.Name}}"),
		chromedp.Click(chromedp.ID("save-template")), chromedp.WaitVisible(chromedp.ID("template-list")))
	shot("02-templates")
	apptest.Run(t, ctx, "in Chinese", chromedp.Navigate(base+"/lang/zh-CN?next=/templates"), chromedp.WaitVisible(chromedp.ID("template-list")))
	if h1 := apptest.Text(t, ctx, "main h1"); h1 != "消息模板" {
		t.Errorf("the Chinese title %q", h1)
	}
	shot("03-templates-zh")

	// The rep sends it from the lead page.
	ctx, shot = signIn(repID, "/leads/"+l.ID, "message-form")
	tplID, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#msg-template option[data-channel="email"]').value`))
	if err != nil || tplID == "" {
		t.Fatalf("the template's option: %q %v", tplID, err)
	}
	// Choosing the e-mail template sets the channel to e-mail.
	apptest.Run(t, ctx, "choose the template", chromedp.SetValue(chromedp.ID("msg-channel"), "sms"),
		chromedp.SetValue(chromedp.ID("msg-template"), tplID),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('msg-template').dispatchEvent(new Event('change'))`))
	if ch, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('msg-channel').value`)); err != nil || ch != "email" {
		t.Errorf("the channel after choosing an e-mail template: %q %v", ch, err)
	}
	// The preview renders it for the lead, and sends nothing.
	apptest.Run(t, ctx, "preview", chromedp.Click(chromedp.ID("preview-message")), chromedp.WaitVisible(chromedp.ID("message-preview")))
	if got := apptest.Text(t, ctx, "#message-preview"); !strings.Contains(got, "Browser Nurture Co: our catalogue") || !strings.Contains(got, "Dear Zhang Wei,") {
		t.Errorf("the preview: %q", got)
	}
	shot("04a-preview")
	// (Only the lead's mail counts: the rep's assignment e-mail may arrive
	// at any time.)
	if n := len(m.SendGrid.DeliveredTo("zhang@nurture.cn")); n != 0 {
		t.Errorf("the preview sent %d e-mails to the lead", n)
	}
	apptest.Run(t, ctx, "send", chromedp.Click(chromedp.ID("send-message")), chromedp.WaitVisible(chromedp.ID("notice")))
	s.WaitFor(20*time.Second, "the e-mail sent", func() bool { return len(m.SendGrid.DeliveredTo("zhang@nurture.cn")) == 1 })
	apptest.Run(t, ctx, "reload", chromedp.Navigate(base+"/leads/"+l.ID), chromedp.WaitVisible(chromedp.CSS(".message-sent")))
	list := apptest.Text(t, ctx, "#messages-box")
	for _, want := range []string{"E-mail", "Browser Nurture Co: our catalogue", "Dear Zhang Wei,", "may be messaged"} {
		if !strings.Contains(list, want) {
			t.Errorf("the messages part lacks %q:\n%s", want, list)
		}
	}
	shot("04-lead-messages")
	// A typo in a message written out is refused on the page, in Chinese.
	apptest.Run(t, ctx, "a typo in Chinese", chromedp.Navigate(base+"/lang/zh-CN?next=/leads/"+l.ID), chromedp.WaitVisible(chromedp.ID("message-form")),
		chromedp.SetValue(chromedp.ID("msg-channel"), "sms"), chromedp.SendKeys(chromedp.ID("msg-body"), "您好 {{.Lead.Nam}}"),
		chromedp.Click(chromedp.ID("send-message")), chromedp.WaitVisible(chromedp.ID("problem")))
	if got := apptest.Text(t, ctx, "#err-message-body"); !strings.Contains(got, "第 1 行第 6 列") {
		t.Errorf("the Chinese compile error: %q", got)
	}
	shot("05-lead-message-error-zh")

	// The lead follows the e-mail's unsubscribe link (in Chinese), and the
	// lead page shows the consent withdrawn.
	mail := m.SendGrid.DeliveredTo("zhang@nurture.cn")[0]
	u := strings.Replace(strings.Trim(mail.Headers["List-Unsubscribe"], "<>"), "https://leads.example.com", base, 1)
	lctx, lshot := apptest.Chromium(t)
	apptest.Run(t, lctx, "open the unsubscribe link", chromedp.Navigate(u+"?lang=zh-CN"), chromedp.WaitVisible(chromedp.ID("unsubscribe")))
	if got := apptest.Text(t, lctx, "main, body"); !strings.Contains(got, "zh***@nurture.cn") || !strings.Contains(got, "邮件") {
		t.Errorf("the unsubscribe page: %q", got)
	}
	lshot("06-unsubscribe-zh")
	apptest.Run(t, lctx, "unsubscribe", chromedp.Click(chromedp.ID("unsubscribe")), chromedp.WaitVisible(chromedp.ID("unsubscribe-done")))
	if got := apptest.Text(t, lctx, "#unsubscribe-done"); !strings.Contains(got, "我们将不再向 zh***@nurture.cn 发送邮件消息") {
		t.Errorf("after unsubscribing: %q", got)
	}
	lshot("07-unsubscribed-zh")
	apptest.Run(t, ctx, "the consent withdrawn", chromedp.Navigate(base+"/lang/en?next=/leads/"+l.ID), chromedp.WaitVisible(chromedp.CSS(".consent-email.suppressed")))
	shot("08-lead-unsubscribed")

	// The admin's outbox lists the lead's message.
	var admin struct{ ID string }
	s.Expect(s.Do("GET", "/api/v1/me", s.Admin, ""), 200).JSON(t, &admin)
	ctx, shot = signIn(admin.ID, "/outbox?kind=message", "outbox-list")
	if list := apptest.Text(t, ctx, "#outbox-list"); !strings.Contains(list, "zhang@nurture.cn") || !strings.Contains(list, "message · E-mail") {
		t.Errorf("the outbox:\n%s", list)
	}
	shot("09-outbox")
}
