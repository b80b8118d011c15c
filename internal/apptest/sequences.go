package apptest

import (
	"fmt"
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
