package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"
)

// SendGrid sends through the SendGrid v3 mail-send API with sendgrid-go.
type SendGrid struct {
	key      string
	baseURL  string
	from     string
	fromName string
	// Timeout bounds one API call (the activity's own timeout bounds the
	// attempt as well).
	Timeout time.Duration
}

// NewSendGrid returns a SendGrid sender with the API key, the API's base
// URL ("" for DefaultSendGridURL; a test points it at a local server) and
// the From address ("" for DefaultFrom).
func NewSendGrid(key, baseURL, from string) (*SendGrid, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	name, addr, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = "leadflow"
	}
	return &SendGrid{key: strings.TrimSpace(key), baseURL: base, from: addr, fromName: name, Timeout: 30 * time.Second}, nil
}

// Name implements Sender.
func (s *SendGrid) Name() string { return "sendgrid" }

// Body is the v3 mail-send JSON of m: one personalization with the
// recipient, the subject, a text/plain then a text/html content, and m's
// Args plus the idempotency key as custom args; m's sender name, reply-to
// and one-click unsubscribe headers when it has them.
func (s *SendGrid) Body(m Message) []byte {
	v3 := mail.NewV3Mail()
	fromName := s.fromName
	if m.FromName != "" {
		fromName = m.FromName
	}
	v3.SetFrom(mail.NewEmail(fromName, s.from))
	if m.ReplyTo != "" {
		v3.SetReplyTo(mail.NewEmail("", m.ReplyTo))
	}
	if m.UnsubscribeURL != "" {
		v3.SetHeader("List-Unsubscribe", "<"+m.UnsubscribeURL+">")
		v3.SetHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	v3.Subject = m.Subject
	p := mail.NewPersonalization()
	p.AddTos(mail.NewEmail(m.ToName, m.To))
	v3.AddPersonalizations(p)
	v3.AddContent(mail.NewContent("text/plain", m.Text))
	if m.HTML != "" {
		v3.AddContent(mail.NewContent("text/html", m.HTML))
	}
	for k, v := range m.Args {
		v3.SetCustomArg(k, v)
	}
	if m.Key != "" {
		v3.SetCustomArg("idempotency_key", m.Key)
	}
	return mail.GetRequestBody(v3)
}

// Send implements Sender: POST /v3/mail/send. 2xx is delivered and returns
// the X-Message-Id; any other answer is an *Error (Temporary for 429 and
// 5xx); a transport failure is returned as it is (retryable).
func (s *SendGrid) Send(ctx context.Context, m Message) (string, error) {
	if s.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.Timeout)
		defer cancel()
	}
	req := sendgrid.GetRequest(s.key, "/v3/mail/send", s.baseURL)
	req.Method = "POST"
	req.Body = s.Body(m)
	resp, err := sendgrid.MakeRequestWithContext(ctx, req)
	if err != nil {
		return "", err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return http.Header(resp.Headers).Get("X-Message-Id"), nil
	}
	return "", &Error{Status: resp.StatusCode, Detail: sendGridDetail(resp.Body)}
}

// sendGridDetail extracts the messages of a v3 error body
// ({"errors":[{"message","field"}]}), or returns the body shortened.
func sendGridDetail(body string) string {
	var e struct {
		Errors []struct {
			Message string  `json:"message"`
			Field   *string `json:"field"`
		} `json:"errors"`
	}
	if json.Unmarshal([]byte(body), &e) == nil && len(e.Errors) > 0 {
		msgs := make([]string, 0, len(e.Errors))
		for _, x := range e.Errors {
			if x.Field != nil && *x.Field != "" {
				msgs = append(msgs, *x.Field+": "+x.Message)
			} else {
				msgs = append(msgs, x.Message)
			}
		}
		return strings.Join(msgs, "; ")
	}
	body = strings.TrimSpace(body)
	if len(body) > 500 {
		body = body[:500] + "..."
	}
	return body
}
