package console_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// TestConsoleUserSettings: an admin defines a select field and one from
// an option list, edits and deletes one, edits an option list, and reads
// an e-mail of the outbox.
func TestConsoleUserSettings(t *testing.T) {
	s := apptest.NewStack(t)
	admin := s.Browser()
	admin.SignIn(s.Admin, "/fields")
	fields := s.Expect(admin.Get("/fields"), 200)
	bad := s.Expect(admin.Post(fields, "/fields", url.Values{"entity": {"lead"}, "name": {"industry"}, "type": {"select"}}), 422)
	if got := fieldError(t, bad, "err-options"); !strings.Contains(got, "1 to 200") {
		t.Errorf("options refusal: %q", got)
	}
	apptest.WantRedirect(t, admin.Post(fields, "/fields", url.Values{"entity": {"lead"}, "name": {"industry"}, "label": {"Industry"}, "type": {"select"},
		"options": {"Retail\r\nWholesale\r\n"}, "required": {"on"}}), "/fields?done=created")
	apptest.WantRedirect(t, admin.Post(fields, "/fields", url.Values{"entity": {"customer"}, "name": {"segment"}, "type": {"select"},
		"option_list": {"groups"}}), "/fields?done=created")
	defs := map[string]lead.FieldDef{}
	var list struct{ Items []lead.FieldDef }
	s.Expect(s.Do("GET", "/api/v1/fields", s.Admin, ""), 200).JSON(t, &list)
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
	s.Expect(s.Do("POST", "/api/v1/leads", s.Admin, `{"company":"Field Trading Co","phone":"13800138901","country":"CN"}`), 422)

	edit := s.Expect(admin.Get("/fields/"+defs["industry"].ID), 200)
	apptest.WantText(t, edit, `value="Industry"`, "Wholesale")
	apptest.WantRedirect(t, admin.Post(edit, "/fields/"+defs["industry"].ID, url.Values{"entity": {"lead"}, "name": {"industry"}, "label": {"Trade"},
		"type": {"select"}, "options": {"Retail\nWholesale\nOnline"}}), "/fields?done=saved")
	apptest.WantText(t, s.Expect(admin.Get("/fields?done=saved"), 200), "Trade", "Retail, Wholesale, Online")
	apptest.WantRedirect(t, admin.Post(edit, "/fields/"+defs["segment"].ID+"/delete", nil), "/fields?done=deleted")
	s.Expect(admin.Get("/fields/"+defs["segment"].ID), 404)

	// Option lists.
	options := s.Expect(admin.Get("/options"), 200)
	apptest.WantText(t, options, `id="options-sources"`, `id="options-follow_up_types"`)
	bad = s.Expect(admin.Post(options, "/options/stages", url.Values{"items": {"New\nnew"}}), 422)
	if got := fieldError(t, bad, "err-stages"); !strings.Contains(got, "appears twice") {
		t.Errorf("stages refusal: %q", got)
	}
	apptest.WantRedirect(t, admin.Post(options, "/options/stages", url.Values{"items": {"New\nQualified\nWon"}}), "/options?saved=stages")
	var stages struct{ Items []string }
	s.Expect(s.Do("GET", "/api/v1/options/stages", s.Admin, ""), 200).JSON(t, &stages)
	if strings.Join(stages.Items, ",") != "New,Qualified,Won" {
		t.Fatalf("stages after the form: %v", stages.Items)
	}
	s.Expect(admin.Post(options, "/options/colours", url.Values{"items": {"red"}}), 404)

	// The outbox keeps the e-mails; each has a page with its text.
	n, err := s.DB.ClaimNotification(context.Background(), lead.Notification{Key: "console-test/1", Kind: lead.EmailNewLead,
		ToEmail: "nina@example.com", Subject: "New lead: Outbox Trading Co", Text: "A new lead is waiting.\nOpen it: http://x/leads/1"})
	if err != nil {
		t.Fatal(err)
	}
	outbox := s.Expect(admin.Get("/outbox"), 200)
	apptest.WantText(t, outbox, `href="/outbox/`+n.ID+`"`, "New lead: Outbox Trading Co", "nina@example.com", "queued")
	apptest.WantText(t, s.Expect(admin.Get("/outbox?status=sent"), 200), `id="empty"`)
	apptest.WantText(t, s.Expect(admin.Get("/outbox?status=bogus"), 422), "status")
	email := s.Expect(admin.Get("/outbox/"+n.ID), 200)
	apptest.WantText(t, email, "A new lead is waiting.\nOpen it: http://x/leads/1", "nina@example.com")
	s.Expect(admin.Get(fmt.Sprintf("/outbox/%s", uuid.NewString())), 404)

	// Reps read the fields and lists, without the admins' forms.
	_, rep := s.CreateRep("Rudi", 5)
	rb := s.Browser()
	rb.SignIn(rep, "/fields")
	for _, page := range []string{"/fields", "/options"} {
		body := string(s.Expect(rb.Get(page), 200).Body)
		if strings.Contains(body, `id="field-form"`) || strings.Contains(body, `id="save-stages"`) {
			t.Errorf("%s shows a rep the admins' forms", page)
		}
	}
	s.Expect(rb.Post(options, "/options/stages", url.Values{"items": {"Only"}}), 403)
}
