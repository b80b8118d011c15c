package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestFollowUpsAndCustomers: a lead's follow-ups are listed newest first in
// pages, with their author and stage, and the history links them; the
// conversion takes overrides and an order, maps custom fields by name,
// checks the order's custom fields and records its rule decision; the
// customer is read (alone and in the list) by whoever may read its lead.
func TestFollowUpsAndCustomers(t *testing.T) {
	s := apptest.NewStack(t)
	repID, rep := s.CreateRep("Rosa", 5)
	_, other := s.CreateRep("Olaf", 5)
	s.Expect(s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"order","name":"seats","label":"Seats","type":"number"}`), 201)
	l := s.CreateLead(`{"company":"Seed Steel Works","name":"Wang Fang","phone":"13800138111","country":"CN","custom":{"industry":"Steel"}}`)
	s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/claim", rep, ""), 200)

	for _, body := range []string{`{"type":"call","content":"first call"}`, `{"type":"visit","content":"visited","stage":"In progress"}`,
		`{"type":"email","content":"sent the quote","next_step":"call back","next_at":"2030-01-02T10:00:00Z"}`} {
		s.Expect(s.Do("POST", "/api/v1/leads/"+l.ID+"/follow-ups", rep, body), 201)
	}
	type followUps struct {
		Items      []lead.FollowUp `json:"items"`
		NextCursor string          `json:"next_cursor"`
	}
	var p1, p2 followUps
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/follow-ups?limit=2", rep, ""), 200).JSON(t, &p1)
	if len(p1.Items) != 2 || p1.NextCursor == "" || p1.Items[0].Content != "sent the quote" || p1.Items[0].NextStep != "call back" ||
		p1.Items[0].AuthorID != repID || p1.Items[0].AuthorName != "Rosa" || p1.Items[0].Stage != "In progress" || p1.Items[1].Content != "visited" {
		t.Fatalf("first page: %+v", p1)
	}
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/follow-ups?limit=2&cursor="+url.QueryEscape(p1.NextCursor), rep, ""), 200).JSON(t, &p2)
	if len(p2.Items) != 1 || p2.NextCursor != "" || p2.Items[0].Content != "first call" || p2.Items[0].Stage != "Started" {
		t.Fatalf("second page: %+v", p2)
	}
	s.Expect(s.Do("GET", "/api/v1/leads/"+l.ID+"/follow-ups", other, ""), 404)
	apptest.FieldProblem(t, s.Do("GET", "/api/v1/leads/"+l.ID+"/follow-ups?cursor=nope", rep, ""), "cursor")
	linked := 0
	for _, e := range s.History(l.ID) {
		if e.Type == lead.EventFollowedUp && e.Data["follow_up_id"] == p2.Items[0].ID && e.Data["stage"] == "Started" {
			linked++
		}
	}
	if linked != 1 {
		t.Fatalf("the history does not link the first follow-up: %+v", s.History(l.ID))
	}

	// Refused conversions leave the lead assigned.
	conv := "/api/v1/leads/" + l.ID + "/convert"
	apptest.FieldProblem(t, s.Do("POST", conv, rep, `{"order":{"amount":-1}}`), "order.amount")
	apptest.FieldProblem(t, s.Do("POST", conv, rep, `{"order":{"currency":"yuan"}}`), "order.currency")
	apptest.FieldProblem(t, s.Do("POST", conv, rep, `{"order":{"amount":5,"custom":{"seats":"many"}}}`), "order.custom.seats")
	if got := s.GetLead(l.ID); got.Status != lead.StatusAssigned {
		t.Fatalf("a refused conversion moved the lead: %+v", got)
	}
	var out lead.Converted
	s.Expect(s.Do("POST", conv, rep, `{"customer":{"name":"Seed Steel Group"},"order":{"amount":1999.5,"currency":"cny","product":"Pro plan","custom":{"seats":"5"}}}`), 200).JSON(t, &out)
	if out.Customer.Name != "Seed Steel Group" || out.Customer.Contact != "Wang Fang" || out.Customer.Data["industry"] != "Steel" {
		t.Fatalf("customer: %+v", out.Customer)
	}
	var conv1 lead.Event
	for _, e := range s.History(l.ID) {
		if e.Type == lead.EventConverted {
			conv1 = e
		}
	}
	if conv1.RuleKind != "conversion" || conv1.RuleVersion < 1 || len(conv1.Trace) == 0 || conv1.Data["customer_id"] != out.Customer.ID {
		t.Fatalf("converted event: %+v", conv1)
	}

	var d lead.CustomerDetail
	s.Expect(s.Do("GET", "/api/v1/customers/"+out.Customer.ID, rep, ""), 200).JSON(t, &d)
	if d.Lead.ID != l.ID || d.Lead.Status != lead.StatusConverted || len(d.Orders) != 1 || d.Orders[0].Amount.String() != "1999.5" ||
		d.Orders[0].Currency != "CNY" || d.Orders[0].Product != "Pro plan" || d.Orders[0].Custom["seats"] != 5.0 || d.Data["industry"] != "Steel" {
		t.Fatalf("customer detail: %+v", d)
	}
	s.Expect(s.Do("GET", "/api/v1/customers/"+out.Customer.ID, other, ""), 404)
	s.Expect(s.Do("GET", "/api/v1/customers/not-an-id", rep, ""), 404)

	count := func(token, query string) int {
		var p struct {
			Items []lead.Customer `json:"items"`
		}
		s.Expect(s.Do("GET", "/api/v1/customers?"+query, token, ""), 200).JSON(t, &p)
		return len(p.Items)
	}
	tomorrow := time.Now().UTC().Add(24 * time.Hour).Format(time.DateOnly)
	for _, c := range []struct {
		token, query string
		want         int
	}{{rep, "", 1}, {other, "", 0}, {s.Admin, "q=steel+group", 1}, {s.Admin, "q=nothing", 0},
		{s.Admin, "owner_id=" + repID, 1}, {s.Admin, "created_from=" + tomorrow, 0}, {s.Admin, "created_to=" + tomorrow, 1}} {
		if got := count(c.token, c.query); got != c.want {
			t.Errorf("customers?%s: %d, want %d", c.query, got, c.want)
		}
	}
	apptest.FieldProblem(t, s.Do("GET", "/api/v1/customers?created_from=soon", s.Admin, ""), "created_from")
}

// TestCustomFields: admins define custom fields; lead create, edit and
// import check values against them with field-named errors, and a lead's
// channel and group against their option lists.
func TestCustomFields(t *testing.T) {
	s := apptest.NewStack(t)
	_, rep := s.CreateRep("Ruth", 5)
	s.Expect(s.Do("POST", "/api/v1/fields", rep, `{"entity":"lead","name":"budget","type":"number"}`), 403)
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"lead","name":"budget","type":"money"}`), "type")
	apptest.FieldProblem(t, s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"lead","name":"tier","type":"select"}`), "options")
	var budget, intent lead.FieldDef
	s.Expect(s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"lead","name":"budget","label":"Budget","type":"number","required":true}`), 201).JSON(t, &budget)
	s.Expect(s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"lead","name":"intent","type":"select","options":["high","low"]}`), 201).JSON(t, &intent)
	s.Expect(s.Do("POST", "/api/v1/fields", s.Admin, `{"entity":"lead","name":"budget","type":"text"}`), 409)
	var list struct {
		Items []lead.FieldDef `json:"items"`
	}
	s.Expect(s.Do("GET", "/api/v1/fields?entity=lead", rep, ""), 200).JSON(t, &list)
	if len(list.Items) != 2 || list.Items[0].Name != "budget" || !list.Items[0].Required || list.Items[1].Options[0] != "high" {
		t.Fatalf("fields: %+v", list.Items)
	}

	n := 0
	create := func(extra string) apptest.Response {
		n++
		return s.Do("POST", "/api/v1/leads", s.Admin, fmt.Sprintf(`{"company":"Custom Field Co %d","phone":"1390013%04d","country":"CN"%s}`, n, n, extra))
	}
	apptest.FieldProblem(t, create(``), "custom.budget")
	apptest.FieldProblem(t, create(`,"custom":{"budget":"lots"}`), "custom.budget")
	apptest.FieldProblem(t, create(`,"custom":{"budget":10,"intent":"maybe"}`), "custom.intent")
	apptest.FieldProblem(t, create(`,"custom":{"budget":10},"channel":"Fax"`), "channel")
	apptest.FieldProblem(t, create(`,"custom":{"budget":10},"group":"Huge"`), "group")
	var l lead.Lead
	s.Expect(create(`,"custom":{"budget":"1200","intent":"high","notes_extra":"kept"},"channel":"Website","group":"SME"`), 201).JSON(t, &l)
	if l.Custom["budget"] != 1200.0 || l.Custom["notes_extra"] != "kept" || l.Group != "SME" || l.Channel != "Website" {
		t.Fatalf("created: %+v", l)
	}

	patch := func(body string) apptest.Response { return s.Do("PATCH", "/api/v1/leads/"+l.ID, s.Admin, body) }
	apptest.FieldProblem(t, patch(`{"custom":{"budget":null}}`), "custom.budget")
	apptest.FieldProblem(t, patch(`{"custom":{"intent":"maybe"}}`), "custom.intent")
	apptest.FieldProblem(t, patch(`{"group":"Huge"}`), "group")
	var edited lead.Lead
	s.Expect(patch(`{"custom":{"intent":"low"},"group":"Enterprise"}`), 200).JSON(t, &edited)
	if edited.Custom["intent"] != "low" || edited.Custom["budget"] != 1200.0 || edited.Group != "Enterprise" {
		t.Fatalf("edited: %+v", edited)
	}

	// An import rejects the row whose custom value does not fit.
	csv := "company,phone,country,custom.budget\nImport Field Co,13800138201,CN,12\nImport Bad Co,13800138202,CN,lots\n"
	im := s.ImportFile("fields.csv", []byte(csv), time.Minute)
	if im.Created != 1 || im.Rejected != 1 {
		t.Fatalf("import: %+v", im)
	}
	_, rows := s.ErrorRows(im.ID)
	if r := rows["3"]; len(r) < 3 || !strings.Contains(r[2], "custom.budget") {
		t.Fatalf("errors.csv rows: %q", rows)
	}

	// Definitions change and go; stored values stay.
	var changed lead.FieldDef
	s.Expect(s.Do("PATCH", "/api/v1/fields/"+budget.ID, s.Admin, `{"required":false,"label":"Budget (CNY)"}`), 200).JSON(t, &changed)
	if changed.Required || changed.Label != "Budget (CNY)" || changed.Type != "number" {
		t.Fatalf("patched: %+v", changed)
	}
	s.Expect(create(``), 201)
	s.Expect(s.Do("DELETE", "/api/v1/fields/"+intent.ID, rep, ""), 403)
	s.Expect(s.Do("DELETE", "/api/v1/fields/"+intent.ID, s.Admin, ""), 204)
	s.Expect(s.Do("DELETE", "/api/v1/fields/"+intent.ID, s.Admin, ""), 404)
	if got := s.GetLead(l.ID); got.Custom["intent"] != "low" {
		t.Fatalf("a deleted definition took the values: %+v", got.Custom)
	}
}
