package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
)

// TestConsoleUserSettings: an admin defines a select field and one from
// an option list, edits and deletes one, edits an option list, and reads
// an e-mail of the outbox.
func TestConsoleUserSettings(t *testing.T) {
	s := newStack(t)
	admin := s.browser()
	admin.signIn(s.admin, "/fields")
	fields := s.expect(admin.get("/fields"), 200)
	bad := s.expect(admin.post(fields, "/fields", url.Values{"entity": {"lead"}, "name": {"industry"}, "type": {"select"}}), 422)
	if got := fieldError(t, bad, "err-options"); !strings.Contains(got, "1 to 200") {
		t.Errorf("options refusal: %q", got)
	}
	wantRedirect(t, admin.post(fields, "/fields", url.Values{"entity": {"lead"}, "name": {"industry"}, "label": {"Industry"}, "type": {"select"},
		"options": {"Retail\r\nWholesale\r\n"}, "required": {"on"}}), "/fields?done=created")
	wantRedirect(t, admin.post(fields, "/fields", url.Values{"entity": {"customer"}, "name": {"segment"}, "type": {"select"},
		"option_list": {"groups"}}), "/fields?done=created")
	defs := map[string]lead.FieldDef{}
	var list struct{ Items []lead.FieldDef }
	s.expect(s.do("GET", "/api/v1/fields", s.admin, ""), 200).json(t, &list)
	for _, d := range list.Items {
		defs[d.Name] = d
	}
	if d := defs["industry"]; d.Type != "select" || !d.Required || strings.Join(d.Options, ",") != "Retail,Wholesale" {
		t.Fatalf("industry: %+v", d)
	}
	if d := defs["segment"]; d.OptionList != "groups" || d.Entity != "customer" {
		t.Fatalf("segment: %+v", d)
	}
	// The definition is used: a lead without the required field is refused.
	s.expect(s.do("POST", "/api/v1/leads", s.admin, `{"company":"Field Trading Co","phone":"13800138901","country":"CN"}`), 422)

	edit := s.expect(admin.get("/fields/"+defs["industry"].ID), 200)
	wantText(t, edit, `value="Industry"`, "Wholesale")
	wantRedirect(t, admin.post(edit, "/fields/"+defs["industry"].ID, url.Values{"entity": {"lead"}, "name": {"industry"}, "label": {"Trade"},
		"type": {"select"}, "options": {"Retail\nWholesale\nOnline"}}), "/fields?done=saved")
	wantText(t, s.expect(admin.get("/fields?done=saved"), 200), "Trade", "Retail, Wholesale, Online")
	wantRedirect(t, admin.post(edit, "/fields/"+defs["segment"].ID+"/delete", nil), "/fields?done=deleted")
	s.expect(admin.get("/fields/"+defs["segment"].ID), 404)

	// Option lists.
	options := s.expect(admin.get("/options"), 200)
	wantText(t, options, `id="options-sources"`, `id="options-follow_up_types"`)
	bad = s.expect(admin.post(options, "/options/stages", url.Values{"items": {"New\nnew"}}), 422)
	if got := fieldError(t, bad, "err-stages"); !strings.Contains(got, "appears twice") {
		t.Errorf("stages refusal: %q", got)
	}
	wantRedirect(t, admin.post(options, "/options/stages", url.Values{"items": {"New\nQualified\nWon"}}), "/options?saved=stages")
	var stages struct{ Items []string }
	s.expect(s.do("GET", "/api/v1/options/stages", s.admin, ""), 200).json(t, &stages)
	if strings.Join(stages.Items, ",") != "New,Qualified,Won" {
		t.Fatalf("stages after the form: %v", stages.Items)
	}
	s.expect(admin.post(options, "/options/colours", url.Values{"items": {"red"}}), 404)

	// The outbox keeps the e-mails; each has a page with its text.
	n, err := s.db.ClaimNotification(context.Background(), lead.Notification{Key: "console-test/1", Kind: lead.EmailNewLead,
		ToEmail: "nina@example.com", Subject: "New lead: Outbox Trading Co", Text: "A new lead is waiting.\nOpen it: http://x/leads/1"})
	if err != nil {
		t.Fatal(err)
	}
	outbox := s.expect(admin.get("/outbox"), 200)
	wantText(t, outbox, `href="/outbox/`+n.ID+`"`, "New lead: Outbox Trading Co", "nina@example.com", "queued")
	wantText(t, s.expect(admin.get("/outbox?status=sent"), 200), `id="empty"`)
	wantText(t, s.expect(admin.get("/outbox?status=bogus"), 422), "status")
	email := s.expect(admin.get("/outbox/"+n.ID), 200)
	wantText(t, email, "A new lead is waiting.\nOpen it: http://x/leads/1", "nina@example.com")
	s.expect(admin.get(fmt.Sprintf("/outbox/%s", uuid.NewString())), 404)

	// Reps read the fields and lists, without the admins' forms.
	_, rep := s.createRep("Rudi", 5)
	rb := s.browser()
	rb.signIn(rep, "/fields")
	for _, page := range []string{"/fields", "/options"} {
		body := string(s.expect(rb.get(page), 200).body)
		if strings.Contains(body, `id="field-form"`) || strings.Contains(body, `id="save-stages"`) {
			t.Errorf("%s shows a rep the admins' forms", page)
		}
	}
	s.expect(rb.post(options, "/options/stages", url.Values{"items": {"Only"}}), 403)
}
