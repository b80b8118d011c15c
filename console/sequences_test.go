package console_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/leadflow/leadflow/internal/apptest"
)

// TestBulkBarEnrols: the lead list's bulk bar offers the enroll action
// with the reader's sequences, and its confirmation names the sequence.
func TestBulkBarEnrols(t *testing.T) {
	s := apptest.NewStack(t)
	tpl := s.SequenceTemplate()
	seq := s.CreateSequence(s.Admin, fmt.Sprintf(`{"name":"Bar drip","steps":[{"send":{"template_id":%q,"channel":"sms"}}]}`, tpl))
	l := s.CreateLead(`{"company":"Bar Drip Trading Co","name":"Bo","phone":"13800138555","country":"CN"}`)
	b := s.Browser()
	apptest.WantRedirect(t, b.SignIn(s.Admin, "/leads"), "/leads")
	list := s.Expect(b.Get("/leads?tab=00000000-0000-0000-0000-000000000001"), 200) // the global pool's tab
	apptest.WantText(t, list, `value="enroll"`, `id="bulk-sequence"`, `value="`+seq+`">Bar drip`)
	confirm := s.Expect(b.Post(list, "/bulk-actions/confirm", url.Values{"action": {"enroll"}, "sequence_id": {seq}, "lead_ids": {l.ID}}), 200)
	apptest.WantText(t, confirm, "Enrol 1 lead in the sequence Bar drip?")
	// The enroll_when rules have their page like every kind.
	apptest.WantText(t, s.Expect(b.Get("/rules/enroll_when"), 200), "enroll_when")
	apptest.WantText(t, s.Expect(b.Get("/rules"), 200), "Enrols each new lead in the sequence of every rule that matches it")
}
