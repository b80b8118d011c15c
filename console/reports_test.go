package console_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestConsoleRejections: the rejection report's page lists what the API's
// report counts, for the viewer, in the reader's language.
func TestConsoleRejections(t *testing.T) {
	w := apptest.NewWorld(t)
	w.Expect(w.Do("PUT", "/api/v1/rules/validation", w.Admin, `{"rules":[{"name":"short","when":"len(trim(lead.company)) <= 6",`+
		`"message":"company name must be longer than 6 characters","field":"company"}]}`), 200)
	for _, company := range []string{"Abc", "Abcd"} {
		if l := w.CreateLead(`{"company":"` + company + `","phone":"13800138123","country":"CN"}`); l.Status != lead.StatusRejected {
			t.Fatalf("not rejected: %+v", l)
		}
	}
	admin := w.SignedIn(apptest.SubAdmin)
	page := w.Expect(admin.Get("/reports/rejections"), 200)
	apptest.WantText(t, page, "Rejected leads", `id="rejection-list"`, `<a href="/rules/validation">short</a>`,
		"company name must be longer than 6 characters</td><td>2</td>", `id="nav-rejections"`)
	zh := w.Expect(admin.Get("/reports/rejections", "Accept-Language", "zh-CN"), 200)
	apptest.WantText(t, zh, "被拒绝的线索", "校验规则", "共被拒绝 2 次")
	// A period without rejections, and a bad date shown at the top.
	apptest.WantText(t, w.Expect(admin.Get("/reports/rejections?from=2020-01-01&to=2020-02-01"), 200), `id="empty"`)
	apptest.WantText(t, w.Expect(admin.Get("/reports/rejections?from=yesterday"), 422), `id="problem"`)
	// A rep's report counts their own leads: none; the nav has no link for them.
	rep := w.Expect(w.SignedIn(apptest.SubMember).Get("/reports/rejections"), 200)
	if apptest.WantText(t, rep, `id="empty"`); strings.Contains(string(rep.Body), `id="nav-rejections"`) {
		t.Error("a rep's nav links the rejection report")
	}
}

// TestConsoleDuplicatePolicies: an admin reads and changes the duplicate
// policies through the service the API uses; a manager reads them; a rep
// may not; a refused value is shown next to its source.
func TestConsoleDuplicatePolicies(t *testing.T) {
	w := apptest.NewWorld(t)
	admin := w.SignedIn(apptest.SubAdmin)
	page := w.Expect(admin.Get("/settings/duplicates"), 200)
	apptest.WantText(t, page, `<select id="policy-api" name="api">`, `id="save-duplicates"`, "registrations always merge")
	if strings.Contains(string(page.Body), `name="web"`) {
		t.Error("the public registrations' policy is offered for change")
	}
	apptest.WantRedirect(t, admin.Post(page, "/settings/duplicates", url.Values{"api": {"reject"}, "import": {"warn"}, "web": {"reject"}}),
		"/settings/duplicates?done=saved")
	var pol map[string]string
	w.Expect(w.Do("GET", "/api/v1/settings/duplicates", w.Admin, ""), 200).JSON(t, &pol)
	if pol["api"] != "reject" || pol["import"] != "warn" || pol["web"] != "merge" {
		t.Errorf("after the form: %v", pol)
	}
	apptest.WantText(t, w.Expect(admin.Get("/settings/duplicates?done=saved", "Accept-Language", "zh-CN"), 200), "策略已保存。", "重复线索策略")
	bad := admin.Post(page, "/settings/duplicates", url.Values{"manual": {"ignore"}})
	apptest.WantText(t, w.Expect(bad, 422), `id="err-manual">must be merge, warn or reject`)

	mgr := w.Expect(w.SignedIn(apptest.SubMgr).Get("/settings/duplicates"), 200)
	if apptest.WantText(t, mgr, `id="policy-api">reject it`); strings.Contains(string(mgr.Body), "<select") {
		t.Error("a manager is offered the policies to change")
	}
	w.Expect(w.SignedIn(apptest.SubMember).Get("/settings/duplicates"), 403)
}
