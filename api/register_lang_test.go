package api_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/api"
	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
)

// TestRegisterAnswersInPageLanguage: the registration endpoints say the
// built-in field reasons, the problem's title and the acceptance in the
// page's language (Accept-Language, or lang= of the switch); an admin's
// rule message stays as written.
func TestRegisterAnswersInPageLanguage(t *testing.T) {
	s := publicStack(t, 100)
	bad := `{"company":"","phone":"","email":"not-an-address","country":"CHN","name":"` + strings.Repeat("n", 201) + `"}`
	reasons := func(p api.Problem) map[string]lead.FieldError {
		out := map[string]lead.FieldError{}
		for _, e := range p.Errors {
			out[e.Field] = e
		}
		return out
	}
	zh := s.Expect(s.Do("POST", "/api/v1/register", "", bad, "Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5", "X-Forwarded-For", "198.51.100.20"), 422).Problem(t)
	en := s.Expect(s.Do("POST", "/api/v1/register", "", bad, "Accept-Language", "en-US", "X-Forwarded-For", "198.51.100.21"), 422).Problem(t)
	want := map[string]struct{ code, zh string }{
		"company": {lead.ReasonRequired, "请填写此项。"},
		"phone":   {lead.ReasonRequired, "请填写此项。"},
		"email":   {lead.ReasonInvalidEmail, "电子邮箱地址无效。"},
		"country": {lead.ReasonInvalidCountry, "请填写两个字母的国家代码，如 CN、US。"},
		"name":    {lead.ReasonTooLong, "内容过长，请缩短。"},
	}
	zr, er := reasons(zh), reasons(en)
	if len(zr) != len(want) || len(er) != len(want) || zh.Title != "请检查标出的各项。" || en.Title != "the request has invalid fields" {
		t.Fatalf("zh %+v\nen %+v", zh, en)
	}
	for field, w := range want {
		if zr[field].Code != w.code || zr[field].Reason != w.zh {
			t.Errorf("%s in Chinese: %+v, want %s %q", field, zr[field], w.code, w.zh)
		}
		if er[field].Code != w.code || er[field].Reason == w.zh || er[field].Reason == "" {
			t.Errorf("%s in English: %+v", field, er[field])
		}
	}

	// The page's switch (lang=zh) wins over the browser's Accept-Language,
	// and a field the form does not have is named in Chinese too.
	p := s.Expect(s.Do("POST", "/api/v1/register?lang=zh", "", `{"company":"Switch Widgets Ltd","phone":"13800138050","owner_id":"x"}`,
		"Accept-Language", "en", "X-Forwarded-For", "198.51.100.22"), 422).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Code != lead.ReasonUnknownField || p.Errors[0].Reason != "登记表中没有此项。" {
		t.Fatalf("unknown field in Chinese: %+v", p)
	}
	// Malformed JSON and an oversized body are answered in Chinese too.
	p = s.Expect(s.Do("POST", "/api/v1/register", "", `{"company":`, "Accept-Language", "zh", "X-Forwarded-For", "198.51.100.23"), 400).Problem(t)
	if p.Title != "提交的内容格式不正确。" || len(p.Errors) != 1 || p.Errors[0].Reason != "提交的内容格式不正确。" {
		t.Fatalf("malformed in Chinese: %+v", p)
	}
	big := `{"company":"` + strings.Repeat("x", httpx.RegisterBodyLimit) + `","phone":"1"}`
	if p = s.Expect(s.Do("POST", "/api/v1/register", "", big, "Accept-Language", "zh"), 413).Problem(t); p.Title != "提交的内容过大。" {
		t.Fatalf("too large in Chinese: %+v", p)
	}

	// An admin's rule message has no code: it is not translated.
	s.Expect(s.Do("PUT", "/api/v1/rules/validation", s.Admin, `{"rules":[{"name":"short","when":"len(trim(lead.company)) <= 6",`+
		`"message":"company name must be longer than 6 characters","field":"company"}]}`), 200)
	p = s.Expect(s.Do("POST", "/api/v1/register", "", `{"company":"Abc","phone":"13800138051","country":"CN"}`,
		"Accept-Language", "zh", "X-Forwarded-For", "198.51.100.24"), 422).Problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Code != "" || p.Errors[0].Reason != "company name must be longer than 6 characters" {
		t.Fatalf("rule message: %+v", p)
	}

	// The acceptance is in Chinese as well.
	var ok struct{ Status, Message string }
	r := s.Expect(s.Do("POST", "/api/v1/register", "", `{"company":"Chinese Widgets Ltd","phone":"13800138052","country":"CN"}`,
		"Accept-Language", "zh", "X-Forwarded-For", "198.51.100.25"), 202)
	if err := json.Unmarshal(r.Body, &ok); err != nil || ok.Status != "received" || ok.Message != "谢谢！我们已收到您的登记，会尽快与您联系。" {
		t.Fatalf("accepted: %s", r.Body)
	}
}

// TestInviteLinkSurvivesRestart: with the same invite key a restarted API
// (or another replica) shows the rep the same link, and registration through
// it reaches the rep; rotation retires it.
func TestInviteLinkSurvivesRestart(t *testing.T) {
	s := publicStack(t, 100)
	key := []byte(strings.Repeat("s", 32))
	restart := func() {
		s.App = server.New(server.Config{Store: s.DB, Temporal: s.TC, UpdateTimeout: 20 * time.Second, MinPolicyDuration: time.Second,
			TrustedProxies: []string{"0.0.0.0/0"}, RegisterRateLimit: 100, PublicURL: "https://leads.example.com", InviteKey: key})
	}
	restart()
	repID, rep := s.CreateRep("Rhea", 5)
	tok := s.InviteToken(rep)
	restart()
	if again := s.InviteToken(rep); again != tok {
		t.Fatalf("after a restart the link changed: %s, %s", tok, again)
	}
	s.Expect(s.Register("/api/v1/register/"+tok, "198.51.100.30", `{"company":"Restart Widgets Ltd","phone":"13800138060","country":"CN"}`), 202)
	if mine := s.LeadsOf("owner_id=" + repID); len(mine) != 1 || mine[0].Source != lead.SourceInvite {
		t.Fatalf("the invited lead: %+v", mine)
	}
	var rotated struct{ Token string }
	s.Expect(s.Do("POST", "/api/v1/me/invite/rotate", rep, ""), 200).JSON(t, &rotated)
	s.Expect(s.Register("/api/v1/register/"+tok, "198.51.100.31", `{"company":"Retired Widgets Ltd","phone":"13800138061","country":"CN"}`), 404)
	s.Expect(s.Do("GET", "/r/"+tok, "", ""), 404)
	s.Expect(s.Register("/api/v1/register/"+rotated.Token, "198.51.100.32", `{"company":"Rotated Widgets Ltd","phone":"13800138062","country":"CN"}`), 202)
}

// TestBrowserRegisterChineseServerMessages: on the Chinese page a reason the
// server gives (an e-mail the browser accepts but the server does not) is
// shown in Chinese next to its field.
func TestBrowserRegisterChineseServerMessages(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "open the Chinese form", chromedp.Navigate(base+"/register?lang=zh"), chromedp.WaitVisible(chromedp.ID("company")))
	apptest.Run(t, ctx, "send an e-mail the server refuses", chromedp.SendKeys(chromedp.ID("company"), "Zhongwen Trading Co"),
		chromedp.SendKeys(chromedp.ID("phone"), "13800138667"), chromedp.SendKeys(chromedp.ID("email"), "li..lei@example.com"),
		chromedp.Click(chromedp.ID("submit")), chromedp.Poll[chromedp.Void](`document.getElementById('err-email').textContent !== ''`))
	if got := apptest.Text(t, ctx, "#err-email"); got != "电子邮箱地址无效。" {
		t.Errorf("the server's e-mail message on the Chinese page: %q", got)
	}
	shot("zh-server-error")
}
