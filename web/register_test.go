package web

import (
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// TestRegisterAnswerTable: every reason code a built-in check gives has its
// Chinese wording; English, an unknown language and an unknown code keep
// the server's own text.
func TestRegisterAnswerTable(t *testing.T) {
	for _, code := range []string{lead.ReasonRequired, lead.ReasonTooLong, lead.ReasonInvalidEmail, lead.ReasonInvalidCountry,
		lead.ReasonUnknownField, lead.ReasonWrongType, lead.ReasonMalformed} {
		if got := Answer("zh", "reason."+code, "english"); got == "english" || got == "" {
			t.Errorf("zh lacks reason %q", code)
		}
		if got := Answer("en", "reason."+code, "english"); got != "english" {
			t.Errorf("en says reason %q as %q", code, got)
		}
	}
	for _, code := range []string{"invalid", "bad_request", "registration_refused", "rate_limited", "too_large", "not_found"} {
		if got := Answer("zh", "title."+code, "english"); got == "english" {
			t.Errorf("zh lacks the title of %q", code)
		}
	}
	if got := Answer("zh", "reason.no_such_code", "as written"); got != "as written" {
		t.Errorf("an unknown code became %q", got)
	}
	if got := Answer("fr", "reason.required", "is required"); got != "is required" {
		t.Errorf("an unknown language became %q", got)
	}
}
