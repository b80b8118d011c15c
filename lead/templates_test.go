package lead_test

import (
	"strings"
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// TestTemplateVariables: the known variables render, an unknown one is
// refused with its line and column.
func TestTemplateVariables(t *testing.T) {
	l := lead.Lead{Contact: lead.Contact{Name: "Li Lei", Company: "Acme"}, Custom: map[string]any{"booth": "B12"}}
	d := lead.NewTemplateData(l, []string{"booth", "hall"}, lead.TemplateRep{Name: "Rita"}, "https://x/r/inv", "https://x/u/tok")
	out, err := lead.RenderTemplate("body", "Hi {{.Lead.Name}} of {{.Lead.Company}}, booth {{.Lead.Custom.booth}}{{.Lead.Custom.hall}}.\n"+
		"{{if .Lead.Custom.booth}}See you!{{end}} {{.Rep.Name}} {{.InviteURL}} {{$.UnsubscribeURL}}", []string{"booth", "hall"}, d)
	if err != nil || out != "Hi Li Lei of Acme, booth B12.\nSee you! Rita https://x/r/inv https://x/u/tok" {
		t.Fatalf("%q %v", out, err)
	}
	for _, c := range []struct{ text, reason string }{
		{"Hello\n  {{.Lead.Nmae}}", "line 2, column 5: unknown variable .Lead.Nmae"},
		{"{{.Lead.Custom.nope}}", "line 1, column 3: unknown variable .Lead.Custom.nope"},
		{"{{.Rep.Phone}}", "unknown variable .Rep.Phone"},
		{"{{range .Lead.Custom}}x{{end}}", "is not allowed"},
		{"{{.}}", "the dot alone"},
		{"a\n{{.Lead.Name", "line 2: unclosed action"},
		{"{{nofunc .Lead.Name}}", `line 1: function "nofunc" not defined`},
	} {
		_, err := lead.CompileTemplate("body", c.text, []string{"booth"})
		if lead.ErrorCode(err) != lead.CodeInvalid || !strings.Contains(err.Error(), c.reason) || !strings.Contains(err.Error(), "body") {
			t.Errorf("%q: %v, want %q", c.text, err, c.reason)
		}
	}
}
