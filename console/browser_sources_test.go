package console_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/webhook"
)

// TestBrowserSources: an admin, in English and in Chinese, adds an
// inbound source from its page and sees its hook URL and secret once;
// a push signed with that secret lands as a lead of the source's channel;
// a malformed mapping line is refused next to the field; the secret is
// rotated (shown once); a rep finds no such page.
func TestBrowserSources(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	_, rep := s.CreateRep("Srcrep", 5)
	for _, lang := range []string{"en", "zh-CN"} {
		t.Run(lang, func(t *testing.T) {
			name := "form-" + strings.ToLower(strings.ReplaceAll(lang, "-", ""))
			words := map[string][2]string{"en": {"Inbound sources", "each line must read"}, "zh-CN": {"线索接入源", "每行的格式应为"}}[lang]
			ctx, shot := apptest.Chromium(t)
			apptest.Run(t, ctx, "sign in as the admin", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/lang/"+lang+"?next=/login"),
				chromedp.WaitVisible(chromedp.ID("token")), chromedp.SendKeys(chromedp.ID("token"), s.Admin), chromedp.Click(chromedp.ID("sign-in")),
				chromedp.WaitVisible(chromedp.ID("headlines")))
			apptest.Run(t, ctx, "open the sources from the menu", chromedp.Click(chromedp.CSS("#nav-more summary")), chromedp.Click(chromedp.ID("nav-sources")), chromedp.WaitVisible(chromedp.ID("create-source-form")))
			if got := apptest.Text(t, ctx, "main h1"); got != words[0] {
				t.Errorf("the page's title: %q", got)
			}
			apptest.Run(t, ctx, "add a source", chromedp.SendKeys(chromedp.ID("source-name"), name),
				chromedp.SendKeys(chromedp.ID("source-mapping"), "contact.org = company\ncontact.tel = phone"),
				chromedp.SetValue(chromedp.ID("source-policy"), "warn"), chromedp.Click(chromedp.ID("create-source")),
				chromedp.WaitVisible(chromedp.ID("source-secret")))
			hookURL, secret := apptest.Text(t, ctx, "#hook-url"), apptest.Text(t, ctx, "#secret-value")
			if !strings.HasSuffix(hookURL, "/api/v1/hooks/"+name) || !strings.HasPrefix(secret, webhook.SecretPrefix) {
				t.Fatalf("the new source shows %q and %q", hookURL, secret)
			}
			shot("01-created")

			// A push signed with the secret shown: a lead of the source's channel.
			body := fmt.Sprintf(`{"contact":{"org":"Browser Push %s","tel":"+8613900139%03d"},"country":"CN"}`, lang, len(lang))
			at := time.Now()
			sig, _ := webhook.Sign([]string{secret}, "msg_1", at, []byte(body))
			s.Expect(s.Do("POST", "/api/v1/hooks/"+name, "", body, "webhook-id", "msg_1", "webhook-timestamp", fmt.Sprint(at.Unix()), "webhook-signature", sig), 201)

			apptest.Run(t, ctx, "open the sources", chromedp.Navigate(base+"/sources"), chromedp.WaitVisible(chromedp.ID("source-list")))
			link, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelectorAll('#source-list a')].find(a => a.textContent === %q).getAttribute('href')`, name)))
			if err != nil {
				t.Fatalf("no link to the source: %v", err)
			}
			apptest.Run(t, ctx, "open the source", chromedp.Click(chromedp.CSS(`a[href="`+link+`"]`)), chromedp.WaitVisible(chromedp.ID("save-source-form")))
			page, err := chromedp.Run(ctx, chromedp.Evaluate[[2]string](`[document.body.innerHTML, document.getElementById('source-mapping').value]`))
			if err != nil || strings.Contains(page[0], secret) || page[1] != "contact.org = company\ncontact.tel = phone" {
				t.Errorf("the source's page shows the secret again or not its mapping: %q (%v)", page[1], err)
			}
			shot("02-source")
			apptest.Run(t, ctx, "save a malformed mapping", chromedp.SetValue(chromedp.ID("source-mapping"), "contact.org company"),
				chromedp.Click(chromedp.ID("save-source")), chromedp.WaitVisible(chromedp.ID("problem")))
			if got := apptest.Text(t, ctx, "#err-field_mapping"); !strings.Contains(got, words[1]) {
				t.Errorf("the refusal next to the mapping: %q", got)
			}
			shot("03-refused")
			apptest.Run(t, ctx, "rotate the secret", chromedp.Navigate(base+link), chromedp.WaitVisible(chromedp.ID("rotate-source")),
				chromedp.Click(chromedp.ID("rotate-source")), chromedp.WaitVisible(chromedp.ID("secret-value")))
			if got := apptest.Text(t, ctx, "#secret-value"); got == secret || !strings.HasPrefix(got, webhook.SecretPrefix) {
				t.Errorf("the rotated secret: %q", got)
			}
			shot("04-rotated")
		})
	}
	var leads struct{ Items []struct{ Channel string } }
	s.Expect(s.Do("GET", "/api/v1/leads?source=hook", s.Admin, ""), 200).JSON(t, &leads)
	if len(leads.Items) != 2 {
		t.Errorf("%d leads pushed through the sources, want 2", len(leads.Items))
	}
	b := s.Browser()
	apptest.WantRedirect(t, b.SignIn(rep, ""), "/leads")
	s.Expect(b.Get("/sources"), 403)
}
