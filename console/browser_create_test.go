package console_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestBrowserCreateConvert: in English and in Chinese, a rep opens the
// new-lead form, sees the likely duplicate while typing company and phone,
// saves a new lead, converts it with an order on the convert form and
// lands on the customer's page; a manager puts a lead in a pool they
// administer and reads the customers.
func TestBrowserCreateConvert(t *testing.T) {
	s := apptest.NewStack(t)
	base := s.Served()
	_, rep := s.CreateRep("Rita", 10)
	mgrID, mgr := s.PoolStaff("Max", lead.RoleManager)
	poolID := s.CreatePool(fmt.Sprintf(`{"name":"South China","scope":"global","admin_ids":[%q],"policy":{"distribution":"claim_only"}}`, mgrID))
	s.Expect(s.Do("PUT", "/api/v1/options/sources", s.Admin, `{"items":["Website","Trade Fair","Referral"]}`), 200)
	s.Expect(s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"lead","name":"budget","label":"Budget (CNY)","type":"number","required":true}`), 201)
	s.Expect(s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"customer","name":"tier","label":"Tier","type":"select","options":["Gold","Silver"]}`), 201)
	s.Expect(s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"order","name":"po_number","label":"PO number","type":"text"}`), 201)

	for i, c := range []struct {
		lang, company, phone, dupHint, created, customers string
	}{
		{"en", "Canton Silk Trading", "138001387%d1", "Likely duplicate", "The lead is created.", "Customers"},
		{"zh-CN", "广州丝绸贸易有限公司", "139001397%d1", "可能重复", "线索已创建。", "客户"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			existing := s.Expect(s.Do("POST", "/api/v1/leads", rep, fmt.Sprintf(`{"company":%q,"phone":%q,"country":"CN","custom":{"budget":10}}`,
				c.company, fmt.Sprintf(c.phone, 0))), 201)
			var dup lead.Lead
			existing.JSON(t, &dup)
			ctx, shot := apptest.Chromium(t)
			apptest.Run(t, ctx, "a desktop window", chromedp.EmulateViewport(1280, 900))
			apptest.Run(t, ctx, "sign in as the rep", chromedp.Navigate(base+"/lang/"+c.lang+"?next=/leads/new"),
				chromedp.WaitVisible(chromedp.ID("token")), chromedp.SendKeys(chromedp.ID("token"), rep), chromedp.Click(chromedp.ID("sign-in")),
				chromedp.WaitVisible(chromedp.ID("lead-form")))
			if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); got != c.lang {
				t.Errorf("html lang %q", got)
			}

			// The likely duplicate, while typing.
			apptest.Run(t, ctx, "type a known company and phone", chromedp.SendKeys(chromedp.ID("in-country"), "CN"),
				chromedp.SendKeys(chromedp.ID("in-company"), c.company), chromedp.SendKeys(chromedp.ID("in-phone"), fmt.Sprintf(c.phone, 0)),
				chromedp.WaitVisible(chromedp.ID("dup-warning")))
			if got := apptest.Text(t, ctx, "#dup-warning"); !strings.Contains(got, c.dupHint) || !strings.Contains(got, c.company) {
				t.Errorf("the duplicate hint: %q", got)
			}
			if href, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('dup-lead').getAttribute('href')`)); href != "/leads/"+dup.ID {
				t.Errorf("the hint links %q", href)
			}
			shot("01-duplicate-hint")

			// Another number: no duplicate; the rest of the form, a second phone.
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.getElementById('in-phone').value = '') === ''`)); err != nil {
				t.Fatal(err)
			}
			apptest.Run(t, ctx, "type a new number",
				chromedp.SendKeys(chromedp.ID("in-phone"), fmt.Sprintf(c.phone, i+2)),
				chromedp.Poll[chromedp.Void](`document.getElementById('duplicate-hint').childElementCount === 0`),
				chromedp.SendKeys(chromedp.ID("in-name"), "Zhou Min"), chromedp.SendKeys(chromedp.ID("in-email"), "zhou@silk.example"),
				chromedp.SetValue(chromedp.ID("in-channel"), "Trade Fair"), chromedp.SendKeys(chromedp.ID("in-tags"), "expo, curtains"),
				chromedp.SendKeys(chromedp.CSS(`#phones input`), "+86 20 8888 0000"),
				chromedp.Click(chromedp.CSS(`[data-add-row="phones"]`)), chromedp.SendKeys(chromedp.CSS(`#phones input:last-child`), "+86 20 8888 0001"),
				chromedp.SendKeys(chromedp.ID("in-custom-budget"), "50000"))
			shot("02-new-lead")
			apptest.Run(t, ctx, "save the lead", chromedp.Click(chromedp.ID("save-lead")), chromedp.WaitVisible(chromedp.ID("outcome")))
			if got := apptest.Text(t, ctx, "#outcome strong"); got != c.created {
				t.Errorf("the outcome: %q", got)
			}
			shot("03-created")
			leads := s.LeadsOf("phone=" + fmt.Sprintf(c.phone, i+2))
			if len(leads) != 1 || leads[0].Status != lead.StatusAssigned || len(leads[0].Phones) != 2 || leads[0].Custom["budget"] != 50000.0 {
				t.Fatalf("the lead the form created: %+v", leads)
			}
			l := leads[0]

			// Convert it with an order, on the form the rules prefilled.
			apptest.Run(t, ctx, "open the convert form", chromedp.Navigate(base+"/leads/"+l.ID+"/convert"), chromedp.WaitVisible(chromedp.ID("convert-page-form")))
			if got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('in-customer-name').value`)); got != c.company {
				t.Errorf("the customer's name is not prefilled: %q", got)
			}
			apptest.Run(t, ctx, "fill the order", chromedp.SetValue(chromedp.ID("in-customer-custom-tier"), "Gold"),
				chromedp.SendKeys(chromedp.ID("in-order-product"), "Silk curtains, 200 sets"), chromedp.SendKeys(chromedp.ID("in-order-amount"), "86000"),
				chromedp.SendKeys(chromedp.ID("in-order-currency"), "CNY"), chromedp.SetValue(chromedp.ID("in-order-custom-date"), "2026-12-05"),
				chromedp.SendKeys(chromedp.ID("in-order-custom-po_number"), "PO-2026-118"))
			shot("04-convert-form")
			apptest.Run(t, ctx, "convert", chromedp.Click(chromedp.ID("convert-submit")), chromedp.WaitVisible(chromedp.ID("customer-page")))
			if got := apptest.Text(t, ctx, "#customer-name"); got != c.company {
				t.Errorf("the customer page: %q", got)
			}
			if got := apptest.Text(t, ctx, "#order-list"); !strings.Contains(got, "Silk curtains, 200 sets") || !strings.Contains(got, "86000") || !strings.Contains(got, "PO-2026-118") {
				t.Errorf("the order on the customer page: %q", got)
			}
			if got := apptest.Text(t, ctx, "#nav-customers"); got != c.customers {
				t.Errorf("the nav entry: %q", got)
			}
			shot("05-customer")
			if got := s.GetLead(l.ID); got.Status != lead.StatusConverted {
				t.Fatalf("after the convert form: %+v", got)
			}

			// A manager puts a lead in their pool, then reads the customers.
			ctx2, shot2 := apptest.Chromium(t)
			apptest.Run(t, ctx2, "sign in as the manager", chromedp.EmulateViewport(1280, 900),
				chromedp.Navigate(base+"/lang/"+c.lang+"?next=/leads/new"), chromedp.WaitVisible(chromedp.ID("token")),
				chromedp.SendKeys(chromedp.ID("token"), mgr), chromedp.Click(chromedp.ID("sign-in")), chromedp.WaitVisible(chromedp.ID("in-pool_id")),
				chromedp.SendKeys(chromedp.ID("in-company"), c.company+" Annex"), chromedp.SendKeys(chromedp.ID("in-phone"), fmt.Sprintf(c.phone, i+5)),
				chromedp.SendKeys(chromedp.ID("in-country"), "CN"), chromedp.SendKeys(chromedp.ID("in-custom-budget"), "100"),
				chromedp.SetValue(chromedp.ID("in-pool_id"), poolID), chromedp.Click(chromedp.ID("save-lead")), chromedp.WaitVisible(chromedp.ID("outcome")))
			shot2("06-manager-created")
			if got := s.LeadsOf("phone=" + fmt.Sprintf(c.phone, i+5)); len(got) != 1 || got[0].PoolID != poolID {
				t.Errorf("the manager's lead: %+v", got)
			}
			apptest.Run(t, ctx2, "the customers", chromedp.Click(chromedp.ID("nav-customers")), chromedp.WaitVisible(chromedp.ID("customer-filters")))
			shot2("07-manager-customers")
		})
	}
}
