// Package sendgridtest is a local HTTP server that speaks the SendGrid v3
// mail-send contract, for tests: POST /v3/mail/send with a bearer key and
// the v3 JSON, answered 202 with an X-Message-Id. It records every request
// and can be scripted to answer errors (503, 429, 400...) first.
package sendgridtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/slowtest"
)

// Mail is the v3 mail-send body, as the real client sends it.
type Mail struct {
	From             Address           `json:"from"`
	Subject          string            `json:"subject"`
	Personalizations []Personalization `json:"personalizations"`
	Content          []Content         `json:"content"`
	CustomArgs       map[string]string `json:"custom_args"`
	ReplyTo          *Address          `json:"reply_to,omitempty"`
	Headers          map[string]string `json:"headers,omitempty"`
}

// Personalization is one envelope of a v3 mail.
type Personalization struct {
	To         []Address         `json:"to"`
	Subject    string            `json:"subject,omitempty"`
	CustomArgs map[string]string `json:"custom_args,omitempty"`
}

// Address is a v3 e-mail address.
type Address struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// Content is one body of a v3 mail.
type Content struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// To lists the recipients of every personalization.
func (m Mail) To() []string {
	var out []string
	for _, p := range m.Personalizations {
		for _, a := range p.To {
			out = append(out, a.Email)
		}
	}
	return out
}

// Body returns the content of a type ("text/plain", "text/html").
func (m Mail) Body(typ string) string {
	for _, c := range m.Content {
		if c.Type == typ {
			return c.Value
		}
	}
	return ""
}

// Request is one request the server received.
type Request struct {
	Status int  // what the server answered
	Mail   Mail // the decoded body (zero when it did not decode)
	Raw    []byte
	At     time.Time
}

// Server is the fake SendGrid API.
type Server struct {
	URL string // base URL: set SENDGRID_BASE_URL to it
	Key string // the API key it accepts

	srv           *httptest.Server
	mu            sync.Mutex
	script        []int
	down          int // while not 0, every valid request is answered this status
	requests      []Request
	seq           int
	slowtest.Slow // how long each request waits before it is handled
}

// New starts a server accepting key; it stops when the test ends.
func New(t testing.TB, key string) *Server {
	s := &Server{Key: key}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// Script makes the next requests answer these statuses, in order; after
// them the server answers 202 again.
func (s *Server) Script(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, statuses...)
}

// FailAll makes every valid request answer status (503 for an outage)
// until FailAll(0), whatever the script says; the failed requests are
// recorded like the others.
func (s *Server) FailAll(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = status
}

// Requests returns every request received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Delivered returns the mails answered 202.
func (s *Server) Delivered() []Mail {
	var out []Mail
	for _, r := range s.Requests() {
		if r.Status == http.StatusAccepted {
			out = append(out, r.Mail)
		}
	}
	return out
}

// DeliveredTo returns the mails answered 202 to one address.
func (s *Server) DeliveredTo(addr string) []Mail {
	var out []Mail
	for _, m := range s.Delivered() {
		if slices.ContainsFunc(m.To(), func(a string) bool { return strings.EqualFold(a, addr) }) {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	accepted := s.Wait(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	req := Request{Raw: raw, At: time.Now()}
	if !accepted {
		// The client went away before the answer: the mail is not accepted.
		req.Status = 499
		s.requests = append(s.requests, req)
		return
	}
	fail := func(status int, field, msg string) {
		req.Status = status
		s.requests = append(s.requests, req)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		f := "null"
		if field != "" {
			f = fmt.Sprintf("%q", field)
		}
		fmt.Fprintf(w, `{"errors":[{"message":%q,"field":%s,"help":null}]}`, msg, f)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v3/mail/send" {
		fail(http.StatusNotFound, "", "no such endpoint: "+r.Method+" "+r.URL.Path)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Key {
		// Refused and not recorded: with each test's own key (apptest's
		// stacks draw one), a request with another key is another test's,
		// late, to a port this server reuses.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors":[{"message":"The provided authorization grant is invalid, expired, or revoked","field":null,"help":null}]}`)
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		fail(http.StatusUnsupportedMediaType, "", "Content-Type should be application/json.")
		return
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&req.Mail); err != nil {
		fail(http.StatusBadRequest, "", "Bad Request: "+err.Error())
		return
	}
	switch m := req.Mail; {
	case m.From.Email == "":
		fail(http.StatusBadRequest, "from.email", "The from email does not contain a valid address.")
		return
	case len(m.To()) == 0:
		fail(http.StatusBadRequest, "personalizations.0.to", "The to array is required for all personalization objects, and must have at least one email object with a valid email address.")
		return
	case slices.ContainsFunc(m.To(), func(a string) bool { return !strings.Contains(strings.Trim(a, "@"), "@") }):
		fail(http.StatusBadRequest, "personalizations.0.to.0.email", "Does not contain a valid address.")
		return
	case m.Subject == "" && m.Personalizations[0].Subject == "":
		fail(http.StatusBadRequest, "subject", "The subject is required.")
		return
	case len(m.Content) == 0 || m.Content[0].Type != "text/plain":
		fail(http.StatusBadRequest, "content", "The content value must be a string at least one character in length; text/plain must come first.")
		return
	}
	if s.down != 0 {
		fail(s.down, "", fmt.Sprintf("outage: answering %d", s.down))
		return
	}
	if len(s.script) > 0 {
		status := s.script[0]
		s.script = s.script[1:]
		if status != http.StatusAccepted {
			fail(status, "", fmt.Sprintf("scripted answer %d", status))
			return
		}
	}
	s.seq++
	req.Status = http.StatusAccepted
	s.requests = append(s.requests, req)
	w.Header().Set("X-Message-Id", fmt.Sprintf("fake-%d", s.seq))
	w.WriteHeader(http.StatusAccepted)
}
