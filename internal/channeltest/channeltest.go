// Package channeltest holds local HTTP servers that speak the SMS and chat
// providers' contracts, for tests: Twilio's Messages resource (basic auth
// with the account SID and auth token, a form body) and the Meta Graph
// API's Send API for Messenger and WhatsApp (a bearer token, a JSON body).
// Each checks a request as the provider would, records it, and answers
// errors while told to.
package channeltest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/leadflow/leadflow/internal/slowtest"
)

// Request is one request a fake received, with its answer's status.
type Request struct {
	Status int
	Path   string
	Form   url.Values     // Twilio's form body
	JSON   map[string]any // the Graph API's JSON body
	// SID is the id Twilio answered for a message it accepted.
	SID string
}

// server is what the fakes share: the record of requests and the failures.
type server struct {
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	requests []Request
	down     int
	slowtest.Slow
}

func start(t testing.TB, h func(*server, *http.Request, []byte) (Request, int, string)) *server {
	s := &server{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		if !s.Wait(r) {
			s.mu.Lock()
			s.requests = append(s.requests, Request{Status: 499, Path: r.URL.Path}) // cut off: not accepted
			s.mu.Unlock()
			return
		}
		req, status, body := h(s, r, raw)
		s.mu.Lock()
		if s.down != 0 && status < 300 {
			status, body = s.down, `{"message":"outage","status":`+fmt.Sprint(s.down)+`,"error":{"message":"outage","code":2}}`
			req.SID = "" // not accepted
		}
		req.Status, req.Path = status, r.URL.Path
		s.requests = append(s.requests, req)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

// FailAll makes every valid request answer status until FailAll(0).
func (s *server) FailAll(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = status
}

// Requests returns every request received so far.
func (s *server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Delivered returns the requests answered 2xx.
func (s *server) Delivered() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Status < 300 {
			out = append(out, r)
		}
	}
	return out
}

// Twilio is the fake Twilio API of one account.
type Twilio struct {
	*server
	SID, Token string
}

// StatusCallback is the URL the message Twilio answered sid for asked
// its statuses to be posted to ("" when it named none, or sid is unknown).
func (tw *Twilio) StatusCallback(sid string) string {
	for _, r := range tw.Requests() {
		if r.SID == sid && sid != "" {
			return r.Form.Get("StatusCallback")
		}
	}
	return ""
}

// absoluteURL reports whether raw is an absolute http(s) URL, as Twilio
// wants a callback's.
func absoluteURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// NewTwilio starts a fake Twilio accepting account sid with token; it
// records each message's StatusCallback and refuses one that is not an
// absolute http(s) URL (error 21609), as Twilio does.
func NewTwilio(t testing.TB, sid, token string) *Twilio {
	tw := &Twilio{SID: sid, Token: token}
	tw.server = start(t, func(s *server, r *http.Request, raw []byte) (Request, int, string) {
		form, _ := url.ParseQuery(string(raw))
		req := Request{Form: form}
		fail := func(status, code int, msg string) (Request, int, string) {
			b, _ := json.Marshal(map[string]any{"code": code, "message": msg, "more_info": "https://www.twilio.com/docs/errors/" + fmt.Sprint(code), "status": status})
			return req, status, string(b)
		}
		user, pass, ok := r.BasicAuth()
		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/"+tw.SID+"/Messages.json":
			return fail(http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		case !ok || user != tw.SID || pass != tw.Token:
			return fail(http.StatusUnauthorized, 20003, "Authenticate")
		case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
			return fail(http.StatusBadRequest, 20001, "Content-Type must be application/x-www-form-urlencoded")
		case !strings.HasPrefix(form.Get("To"), "+"):
			return fail(http.StatusBadRequest, 21211, "Invalid 'To' Phone Number: "+form.Get("To"))
		case form.Get("From") == "" && form.Get("MessagingServiceSid") == "":
			return fail(http.StatusBadRequest, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message")
		case form.Get("Body") == "":
			return fail(http.StatusBadRequest, 21602, "Message body is required.")
		case form.Has("StatusCallback") && !absoluteURL(form.Get("StatusCallback")):
			return fail(http.StatusBadRequest, 21609, "Invalid StatusCallback: "+form.Get("StatusCallback"))
		}
		sid := fmt.Sprintf("SM%032d", len(s.Requests())+1)
		req.SID = sid
		b, _ := json.Marshal(map[string]any{"sid": sid, "account_sid": tw.SID, "to": form.Get("To"), "from": form.Get("From"),
			"body": form.Get("Body"), "status": "queued", "num_segments": "1"})
		return req, http.StatusCreated, string(b)
	})
	return tw
}

// Graph is the fake Meta Graph API: Messenger's page token and WhatsApp's
// token with its phone number id.
type Graph struct {
	*server
	PageToken, WhatsAppToken, PhoneNumberID string
}

// NewGraph starts a fake Graph API.
func NewGraph(t testing.TB, pageToken, whatsAppToken, phoneNumberID string) *Graph {
	g := &Graph{PageToken: pageToken, WhatsAppToken: whatsAppToken, PhoneNumberID: phoneNumberID}
	g.server = start(t, func(s *server, r *http.Request, raw []byte) (Request, int, string) {
		var req Request
		fail := func(status, code int, msg string) (Request, int, string) {
			b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "type": "OAuthException", "code": code}})
			return req, status, string(b)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || json.Unmarshal(raw, &req.JSON) != nil {
			return fail(http.StatusBadRequest, 100, "(#100) The request body is not JSON")
		}
		token := map[string]string{"/me/messages": g.PageToken, "/" + g.PhoneNumberID + "/messages": g.WhatsAppToken}[r.URL.Path]
		switch {
		case r.Method != http.MethodPost || token == "":
			return fail(http.StatusBadRequest, 100, "Unsupported post request: "+r.URL.Path)
		case r.Header.Get("Authorization") != "Bearer "+token:
			return fail(http.StatusUnauthorized, 190, "Invalid OAuth access token.")
		}
		n := len(s.Requests()) + 1
		if r.URL.Path == "/me/messages" {
			rcpt, _ := req.JSON["recipient"].(map[string]any)
			msg, _ := req.JSON["message"].(map[string]any)
			if rcpt["id"] == nil || rcpt["id"] == "" || msg["text"] == nil || msg["text"] == "" {
				return fail(http.StatusBadRequest, 100, "(#100) The parameter recipient and message are required")
			}
			return req, http.StatusOK, fmt.Sprintf(`{"recipient_id":%q,"message_id":"m_%d"}`, rcpt["id"], n)
		}
		text, _ := req.JSON["text"].(map[string]any)
		if req.JSON["messaging_product"] != "whatsapp" || req.JSON["to"] == nil || req.JSON["type"] != "text" || text["body"] == nil {
			return fail(http.StatusBadRequest, 131009, "(#131009) Parameter value is not valid")
		}
		return req, http.StatusOK, fmt.Sprintf(`{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":"wamid.%d"}]}`,
			req.JSON["to"], req.JSON["to"], n)
	})
	return g
}
