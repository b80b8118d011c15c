package web

import (
	"testing"
	"text/template/parse"

	"github.com/leadflow/leadflow/i18n"
)

// TestRegisterUsesCataloguedMessages fails when the registration page
// calls {{t "id"}} with an id missing from either catalogue, and checks
// the registration endpoints' own words are in both.
func TestRegisterUsesCataloguedMessages(t *testing.T) {
	b, err := files.ReadFile("templates/register.html")
	if err != nil {
		t.Fatal(err)
	}
	trees, err := parse.Parse("register.html", string(b), "{{", "}}", map[string]any{"t": 0}, builtinNames)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tree := range trees {
		ids = append(ids, messageIDs(tree.Root)...)
	}
	if len(ids) < 10 {
		t.Fatalf("found only %d message ids in the registration page", len(ids))
	}
	for _, code := range []string{"invalid", "bad_request", "registration_refused", "rate_limited", "too_large", "not_found"} {
		ids = append(ids, "register.problem.title."+code)
	}
	for _, id := range append(ids, "register.received", "register.reason.unknown_field") {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, id) {
				t.Errorf("the %s catalogue lacks %q", lang, id)
			}
		}
	}
}
