package httpx

import (
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// TestWrongTypeNamesTheJSONField checks that a wrongly typed value is named
// by its JSON path: the fields of an embedded struct (lead.Contact in
// lead.Input and lead.Lead) are flat in the JSON, and so in the error.
func TestWrongTypeNamesTheJSONField(t *testing.T) {
	check := func(body string, v any, want string) {
		t.Helper()
		f, ok := lead.FieldsOf(DecodeStrict([]byte(body), v))
		if !ok || len(f) != 1 || f[0].Field != want || f[0].Code != lead.ReasonWrongType {
			t.Errorf("%s into %T: got %v, want one wrong_type error on %q", body, v, f, want)
		}
	}
	for body, want := range map[string]string{`{"company":1}`: "company", `{"division":true}`: "division", `{"phone":[]}`: "phone", `{"notes":1}`: "notes"} {
		check(body, &lead.Input{}, want)
		check(body, &lead.Lead{}, want)
	}
	check(`{"policy":{"auto_accept":"yes"}}`, &lead.Lead{}, "policy.auto_accept")
}
