package console_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestConsoleConvertAndCustomers: the convert form prefilled by the
// conversion rules, its refusals next to their fields, a conversion with
// an order that lands on the customer's page; who may open the form; and
// the customer pages of a rep (their own customers only), a manager and
// an admin.
func TestConsoleConvertAndCustomers(t *testing.T) {
	w := apptest.NewWorld(t)
	w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, `{"entity":"customer","name":"tier","label":"Tier","type":"select","options":["Gold","Silver"],"required":true}`), 201)
	w.Expect(w.Do("POST", "/api/v1/fields", w.Admin, `{"entity":"order","name":"po_number","label":"PO number","type":"text"}`), 201)
	l := w.Assigned()

	// Only who may convert the lead opens its form: not another rep.
	for _, sub := range []int{apptest.SubMember, apptest.SubOutsider, apptest.SubOtherMgr} {
		b := w.SignedIn(sub)
		got := b.Get("/leads/" + l.ID + "/convert")
		if got.Status != 404 && got.Status != 403 {
			t.Errorf("%s opens the convert form of a lead not theirs: %d", apptest.SubjectNames[sub], got.Status)
		}
		page := w.Expect(b.Get("/leads/new"), 200) // any page, for the CSRF token
		if r := b.Post(page, "/leads/"+l.ID+"/convert", url.Values{"form": {"convert-form"}, "customer.name": {"Stolen"}}); r.Status != 404 && r.Status != 403 {
			t.Errorf("%s converts a lead not theirs: %d", apptest.SubjectNames[sub], r.Status)
		}
	}
	if got := w.GetLead(l.ID); got.Status != lead.StatusAssigned {
		t.Fatalf("a refused conversion converted the lead: %+v", got)
	}

	owner := w.SignedIn(apptest.SubOwner)
	page := w.Expect(owner.Get("/leads/"+l.ID+"/convert"), 200)
	apptest.WantText(t, page, `name="customer.name" value="`+l.Company+`"`, `name="customer.phone" value="&#43;86`,
		`name="customer.custom.tier"`, `name="order.product"`, `name="order.custom.date"`, `name="order.custom.po_number"`)
	form := url.Values{"form": {"convert-form"}, "request_id": {requestID(page)}, "customer.name": {l.Company + " (customer)"},
		"customer.contact": {"Li Lei"}, "customer.phone": {"+8613800138000"}, "customer.country": {"CN"},
		"order.product": {"Silk curtains"}, "order.amount": {"1200.50"}, "order.currency": {"cny"}, "order.custom.date": {"2026-12-01"},
		"order.custom.po_number": {"PO-77"}}
	// A required custom field and a bad currency: refused on the form, what was typed kept.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("order.currency", "yuan")
	refused := w.Expect(owner.Post(page, "/leads/"+l.ID+"/convert", bad), 422)
	apptest.WantText(t, refused, `id="err-order-currency"`, "three-letter", `value="Silk curtains"`)
	refused = w.Expect(owner.Post(page, "/leads/"+l.ID+"/convert", form), 422)
	apptest.WantText(t, refused, `id="err-customer-custom-tier"`, "is required")

	// The refused form has a new request id: the refusal is not replayed.
	form.Set("customer.custom.tier", "Gold")
	form.Set("request_id", requestID(refused))
	done := owner.Post(page, "/leads/"+l.ID+"/convert", form)
	if done.Status != 303 || !strings.HasPrefix(done.Header.Get("Location"), "/customers/") {
		t.Fatalf("convert: %d to %q; %s", done.Status, done.Header.Get("Location"), done.Body)
	}
	customerPath := strings.TrimSuffix(done.Header.Get("Location"), "?done=converted")
	cp := w.Expect(owner.Get(done.Header.Get("Location")), 200)
	apptest.WantText(t, cp, l.Company+" (customer)", "Silk curtains", "1200.5", "CNY", "Gold", "PO-77", "2026-12-01",
		`href="/leads/`+l.ID+`"`, `id="notice"`)
	if got := w.GetLead(l.ID); got.Status != lead.StatusConverted || got.CustomerID == "" {
		t.Fatalf("after the convert form: %+v", got)
	}
	// A second send of the form: the same customer, no second order.
	again := owner.Post(page, "/leads/"+l.ID+"/convert", form)
	if again.Status != 303 || !strings.HasPrefix(again.Header.Get("Location"), customerPath) {
		t.Errorf("the form sent again: %d to %q", again.Status, again.Header.Get("Location"))
	}
	if strings.Count(string(w.Expect(owner.Get(customerPath), 200).Body), "Silk curtains") != 1 {
		t.Errorf("a second order after the form was sent again")
	}
	// A converted lead has no convert form any more.
	if r := owner.Get("/leads/" + l.ID + "/convert"); r.Status != 409 {
		t.Errorf("the convert form of a converted lead: %d", r.Status)
	}

	// The pool's manager converts another lead, with no order.
	l2 := w.Assigned()
	mgr := w.SignedIn(apptest.SubMgr)
	page = w.Expect(mgr.Get("/leads/"+l2.ID+"/convert"), 200)
	r := mgr.Post(page, "/leads/"+l2.ID+"/convert", url.Values{"form": {"convert-form"}, "request_id": {requestID(page)},
		"customer.name": {l2.Company}, "customer.custom.tier": {"Silver"}})
	if r.Status != 303 {
		t.Fatalf("the manager's conversion: %d; %s", r.Status, r.Body)
	}
	apptest.WantText(t, w.Expect(mgr.Get(r.Header.Get("Location")), 200), "Silver", `id="no-orders"`)

	// The customers: the owner sees theirs, another rep none of them.
	list := w.Expect(owner.Get("/customers"), 200)
	apptest.WantText(t, list, `id="customer-list"`, l.Company+" (customer)", `id="nav-customers"`)
	if strings.Contains(string(list.Body), `name="owner_id"`) {
		t.Errorf("a rep's customer list offers the owner filter")
	}
	member := w.SignedIn(apptest.SubMember)
	apptest.WantText(t, w.Expect(member.Get("/customers"), 200), `id="empty"`)
	w.Expect(member.Get(customerPath), 404)
	// Managers and admins: the owner filter, the search.
	apptest.WantText(t, w.Expect(mgr.Get("/customers"), 200), l.Company+" (customer)", l2.Company, `name="owner_id"`)
	admin := w.SignedIn(apptest.SubAdmin)
	found := w.Expect(admin.Get("/customers?q="+url.QueryEscape("(customer)")), 200)
	apptest.WantText(t, found, l.Company+" (customer)")
	if strings.Contains(string(found.Body), ">"+l2.Company+"<") {
		t.Errorf("the search does not filter")
	}
	apptest.WantText(t, w.Expect(admin.Get("/customers?created_from=nonsense"), 422), `id="problem"`)
	w.Expect(admin.Get("/customers/"+l.ID), 404) // not a customer's id
}
