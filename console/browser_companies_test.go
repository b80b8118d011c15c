package console_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserCompanies: an admin ignores a company on the Companies page
// (its normalised name shown), a wrong entry is refused next to its field,
// the entry is removed again; the page reads in Chinese too.
func TestBrowserCompanies(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "sign in as an admin", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), s.Admin), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("headlines")))
	apptest.Run(t, ctx, "open Companies from the menu", chromedp.Click(chromedp.CSS("#nav-more summary")), chromedp.Click(chromedp.ID("nav-companies")), chromedp.WaitVisible(chromedp.ID("ignore-form")))
	apptest.Run(t, ctx, "ignore a company", chromedp.SendKeys(chromedp.ID("ignore-name"), "Acme Trading Co., Ltd."),
		chromedp.Click(chromedp.ID("ignore-add")), chromedp.WaitVisible(chromedp.ID("ignored-list")))
	if got := apptest.Text(t, ctx, "#ignored-list tbody"); !strings.Contains(got, "acme trading") || !strings.Contains(got, "Everyone (global)") {
		t.Errorf("the list: %q", got)
	}
	shot("companies-01-ignored")
	apptest.Run(t, ctx, "a name of punctuation only", chromedp.SetValue(chromedp.ID("ignore-name"), "..."),
		chromedp.Click(chromedp.ID("ignore-add")), chromedp.WaitVisible(chromedp.ID("problem")))
	if got := apptest.Text(t, ctx, "#err-name"); got != "Enter a company name with letters or digits." {
		t.Errorf("the reason next to the name: %q", got)
	}
	shot("companies-02-refused")
	apptest.Run(t, ctx, "in Chinese", chromedp.Navigate(base+"/lang/zh-CN?next=/companies"), chromedp.WaitVisible(chromedp.ID("ignored-list")))
	if got := apptest.Text(t, ctx, "main h1"); got != "公司" {
		t.Errorf("the Chinese title: %q", got)
	}
	shot("companies-03-zh")
	apptest.Run(t, ctx, "remove it", chromedp.Click(chromedp.CSS("#ignored-list button")), chromedp.WaitVisible(chromedp.ID("empty")))
	shot("companies-04-removed")
}

// TestBrowserTeamRegistration: a team's manager sees the supplier's
// registration rules read-only on the team's page, chooses to define the
// team's own and saves them (in Chinese).
func TestBrowserTeamRegistration(t *testing.T) {
	s := apptest.NewStack(t)
	var team struct{ ID string }
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, `{"name":"华东团队"}`), 201).JSON(t, &team)
	mgrID, mgr := s.PoolStaff("Huadong", lead.RoleManager)
	s.Expect(s.Do("PATCH", "/api/v1/users/"+mgrID, s.Admin, `{"team_id":"`+team.ID+`","language":"zh-CN"}`), 200)
	s.Expect(s.Do("PUT", "/api/v1/rules/registration", s.Admin, `{"groups":[["lead.country == \"CN\""]]}`), 200)
	base := s.Served()
	ctx, shot := apptest.Chromium(t)
	apptest.Run(t, ctx, "the manager signs in and opens the team", chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/lang/zh-CN?next=/login"), chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), mgr), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("headlines")),
		chromedp.Navigate(base+"/teams/"+team.ID), chromedp.WaitVisible(chromedp.ID("registration-readonly")))
	if got := apptest.Text(t, ctx, "#registration-readonly"); !strings.Contains(got, `lead.country == \"CN\"`) {
		t.Errorf("the supplier's rules shown: %q", got)
	}
	shot("team-01-supplier")
	apptest.Run(t, ctx, "choose own rules", chromedp.Click(chromedp.ID("registration-own")), chromedp.Click(chromedp.ID("save-registration-choice")),
		chromedp.WaitVisible(chromedp.ID("registration-body")))
	apptest.Run(t, ctx, "type the team's rules", chromedp.SetValue(chromedp.ID("registration-body"), `{"groups":[["\"vip\" in lead.tags"]]}`))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById('notice').remove(), true)`)); err != nil {
		t.Fatal(err)
	}
	apptest.Run(t, ctx, "save the team's rules", chromedp.Click(chromedp.ID("save-registration-rules")), chromedp.WaitVisible(chromedp.ID("notice")))
	if got := apptest.Text(t, ctx, "#team-registration label[for=registration-body]"); !strings.Contains(got, "1") {
		t.Errorf("the saved version: %q", got)
	}
	shot("team-02-own")
	apptest.Run(t, ctx, "rules that do not compile", chromedp.SetValue(chromedp.ID("registration-body"), `{"groups":[["nope("]]}`),
		chromedp.Click(chromedp.ID("save-registration-rules")), chromedp.WaitVisible(chromedp.ID("problem")))
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('registration-body').value`)); err != nil || !strings.Contains(got, "nope(") {
		t.Errorf("the refused rules are not kept as typed: %q (%v)", got, err)
	}
	shot("team-03-refused")
}
