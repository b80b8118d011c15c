package apptest

import (
	"fmt"
	"net/url"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// SequenceTemplate makes an SMS template ("Hi {{.Lead.Name}}") as the
// admin and answers its id.
func (s *Stack) SequenceTemplate() string {
	s.T.Helper()
	var out struct{ ID string }
	s.Expect(s.Do("POST", "/api/v1/templates", s.Admin, fmt.Sprintf(`{"name":"Drip %d","channel":"sms","language":"en","body":"Hi {{.Lead.Name}}"}`,
		time.Now().UnixNano())), 201).JSON(s.T, &out)
	return out.ID
}

// CreateSequence makes a sequence as token and answers its id.
func (s *Stack) CreateSequence(token, body string) string {
	s.T.Helper()
	var out struct{ ID string }
	s.Expect(s.Do("POST", "/api/v1/sequences", token, body), 201).JSON(s.T, &out)
	return out.ID
}

// Sequence is a sequence of the pool A manager's: one SMS, a day's
// wait, another SMS.
func (w *World) Sequence() string {
	tpl := w.SequenceTemplate()
	return w.CreateSequence(w.Tokens[SubMgr], fmt.Sprintf(`{"name":"Matrix drip %d","pool_ids":[%q],
		"steps":[{"send":{"template_id":%q,"channel":"sms"}},{"wait":"1d"},{"send":{"template_id":%q,"channel":"sms"}}]}`,
		w.Seq.Add(1), w.PoolA, tpl, tpl))
}

// Enrol enrols lead leadID in sequence seqID as token and answers the enrolment.
func (s *Stack) Enrol(token, leadID, seqID string) lead.Enrolment {
	s.T.Helper()
	var e lead.Enrolment
	s.Expect(s.Do("POST", "/api/v1/leads/"+leadID+"/sequences", token, fmt.Sprintf(`{"sequence_id":%q}`, seqID)), 201).JSON(s.T, &e)
	return e
}

// WaitEnrolment polls lead leadID's enrolments as the admin until cond
// holds of enrolment id.
func (s *Stack) WaitEnrolment(leadID, id string, limit time.Duration, what string, cond func(lead.Enrolment) bool) lead.Enrolment {
	s.T.Helper()
	var e lead.Enrolment
	s.WaitFor(limit, what, func() bool {
		var page struct{ Items []lead.Enrolment }
		s.Expect(s.Do("GET", "/api/v1/leads/"+leadID+"/sequences", s.Admin, ""), 200).JSON(s.T, &page)
		for _, it := range page.Items {
			if it.ID == id {
				e = it
				return cond(e)
			}
		}
		return false
	})
	return e
}

// sequenceForm is the console's sequence form naming pool A.
func sequenceForm(w *World) string {
	return fmt.Sprintf("name=Console+drip+%d&steps=%s&pool_ids=%s", w.Seq.Add(1), url.QueryEscape("wait 1h"), w.PoolA)
}

// SequenceConsoleRows are the sequences' pages in TestAuthorizationMatrix:
// admins and the managers of a sequence's pools (a manager of another
// pool may not name pool A: the form comes back refused).
var SequenceConsoleRows = map[string]Cell{
	"GET /sequences":      {Want: [Subjects]int{200, 200, 200, 403, 403, 403, 403}},
	"POST /sequences":     {Body: sequenceForm, Want: [Subjects]int{303, 303, 422, 403, 403, 403, 403}},
	"GET /sequences/:id":  {Fixture: (*World).Sequence, Want: [Subjects]int{200, 200, 404, 403, 403, 403, 403}},
	"POST /sequences/:id": {Fixture: (*World).Sequence, Body: sequenceForm, Want: [Subjects]int{303, 303, 404, 403, 403, 403, 403}},
}
