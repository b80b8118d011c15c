package console_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
)

// brokenValidation is validationV2 indented as the editor shows it, with
// an unknown field on line 5 of the document (rules[1].when).
const brokenValidation = `{
  "rules": [
    {"name": "phone_invalid", "when": "!phoneValid(lead.phone, lead.country)", "message": "phone number is not valid for its country"},
    {"name": "company_too_short",
     "when": "len(trim(lead.company)) <= lead.minimum", "message": "company name must be longer than 6 characters"}
  ]
}`

// gutterBad finds the line numbers the editor marks as bad.
var gutterBad = regexp.MustCompile(`<span class="bad">(\d+)</span>`)

// TestConsoleRules goes through the rules pages as an admin, a manager and
// a rep: the list, a kind's editor, a refused save with its error at its
// line, a rule the sandbox refuses, a test, a preview, a save, the diff of
// a version and its rollback.
func TestConsoleRules(t *testing.T) {
	s := apptest.NewStack(t)
	_, mgr := s.PoolStaff("Mia", lead.RoleManager)
	_, rep := s.CreateRep("Ravi", 5)
	for _, company := range []string{"Acmes", "Globex", "Initech Labs"} {
		s.CreateLead(fmt.Sprintf(`{"company":%q,"phone":"13800138000","country":"CN"}`, company))
	}
	admin := s.Browser()
	list := s.Expect(admin.SignIn(s.Admin, "/rules"), 303)
	apptest.WantRedirect(t, list, "/rules")
	page := s.Expect(admin.Get("/rules"), 200)
	apptest.WantText(t, page, `href="/rules" id="nav-rules"`, `href="/rules/validation"`, `href="/rules/conversion"`, "v1")

	editor := s.Expect(admin.Get("/rules/validation"), 200)
	apptest.WantText(t, editor, `id="rule-source"`, "&#34;phone_invalid&#34;", `id="save-rules"`)
	if strings.Contains(string(editor.Body), `id="version-1"`) {
		t.Errorf("the active version offers a rollback to itself")
	}

	// A draft that does not compile: the error at its line and column of the editor, nothing saved.
	bad := s.Expect(admin.Post(editor, "/rules/validation", url.Values{"body": {brokenValidation}}), 422)
	col := strings.Index(strings.Split(brokenValidation, "\n")[4], "minimum") + 1
	apptest.WantText(t, bad, fmt.Sprintf("line 5, column %d", col), "rules[1].when", `data-error-line="5"`, "lead.minimum")
	if m := gutterBad.FindAllSubmatch(bad.Body, -1); len(m) != 1 || string(m[0][1]) != "5" {
		t.Errorf("marked lines %q, want line 5", m)
	}
	// JSON that does not parse: the error where the parser stopped.
	syntax := s.Expect(admin.Post(editor, "/rules/validation", url.Values{"body": {"{\n  \"rules\": [\n    {\"name\": \"a\", \"when\": \"true\", \"message\": \"m\"},\n  ]\n}"}}), 422)
	apptest.WantText(t, syntax, "line 4, column 3", "invalid character", `data-error-line="4"`)
	// The sandbox's refusal, as the API words it.
	sandboxed := strings.Replace(brokenValidation, "lead.minimum", `len(toJSON(lead.tags)) + 6`, 1)
	refused := s.Expect(admin.Post(editor, "/rules/validation", url.Values{"body": {sandboxed}}), 422)
	apptest.WantText(t, refused, "toJSON is not available in rules: its result has no size limit", "line 5, column")

	// Test the draft on a sample lead: decision and trace.
	good := strings.Replace(brokenValidation, "lead.minimum", "6", 1)
	tested := s.Expect(admin.Post(editor, "/rules/validation/test", url.Values{"body": {good},
		"sample": {`{"company":"Hooli","phone":"13800138000","country":"CN"}`}}), 200)
	apptest.WantText(t, tested, `<span id="test-decision">rejected: company name must be longer than 6 characters</span>`,
		`<tr class="matched"><td>company_too_short</td>`)
	// A sample that is not a lead is refused next to the field.
	badSample := s.Expect(admin.Post(editor, "/rules/validation/test", url.Values{"body": {good}, "sample": {`{"compnay":"x"}`}}), 422)
	apptest.WantText(t, badSample, `id="sample-error"`, "compnay")

	// Preview over the recent leads: the two short names change, highlighted.
	preview := s.Expect(admin.Post(editor, "/rules/validation/preview", url.Values{"body": {good}, "limit": {"100"}}), 200)
	apptest.WantText(t, preview, "2 of 3 leads would be decided differently than by version 1", "rejected: 0 now, 2 with the draft")
	if n := strings.Count(string(preview.Body), `<tr class="changed">`); n != 2 {
		t.Errorf("%d changed rows, want 2", n)
	}
	apptest.WantText(t, preview, ">Initech Labs</a>")

	// Save; the page says so and lists version 2 as active.
	apptest.WantRedirect(t, admin.Post(editor, "/rules/validation", url.Values{"body": {good}}), "/rules/validation?saved=2")
	saved := s.Expect(admin.Get("/rules/validation?saved=2"), 200)
	apptest.WantText(t, saved, "Saved as version 2; it is active now.", "active: v2", `id="version-1"`)

	// Version 1 against the active one: the changed rule, removed and added.
	v1 := s.Expect(admin.Get("/rules/validation/versions/1"), 200)
	apptest.WantText(t, v1, `<span class="removed">`, `<span class="added">`, "longer than 4 characters", "longer than 6 characters", `id="activate-form"`)
	// Without the confirmation nothing changes.
	unconfirmed := s.Expect(admin.Post(v1, "/rules/validation/versions/1/activate", nil), 422)
	apptest.WantText(t, unconfirmed, "tick the box to confirm the rollback")
	apptest.WantRedirect(t, admin.Post(v1, "/rules/validation/versions/1/activate", url.Values{"confirm": {"yes"}}), "/rules/validation?activated=1")
	var active lead.RuleSet
	s.Expect(s.Do("GET", "/api/v1/rules/validation", s.Admin, ""), 200).JSON(t, &active)
	if active.Version != 1 {
		t.Fatalf("after the rollback version %d is active", active.Version)
	}
	s.Expect(admin.Get("/rules/validation/versions/9"), 404)
	s.Expect(admin.Get("/rules/nonsense"), 404)

	// A manager reads, tests and previews, and may not save.
	m := s.Browser()
	s.Expect(m.SignIn(mgr, "/rules/validation"), 303)
	mp := s.Expect(m.Get("/rules/validation"), 200)
	if strings.Contains(string(mp.Body), `id="save-rules"`) {
		t.Errorf("a manager is offered to save")
	}
	s.Expect(m.Post(mp, "/rules/validation/test", url.Values{"body": {good}, "sample": {`{"company":"Hooli"}`}}), 200)
	s.Expect(m.Post(mp, "/rules/validation", url.Values{"body": {good}}), 403)
	s.Expect(m.Post(mp, "/rules/validation/versions/2/activate", url.Values{"confirm": {"yes"}}), 403)

	// A rep sees no rules at all.
	r := s.Browser()
	s.Expect(r.SignIn(rep, "/leads"), 303)
	leads := s.Expect(r.Get("/leads"), 200)
	if strings.Contains(string(leads.Body), `id="nav-rules"`) {
		t.Errorf("a rep's menu links to the rules")
	}
	s.Expect(r.Get("/rules"), 403)
	s.Expect(r.Get("/rules/validation"), 403)
}
