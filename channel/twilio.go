package channel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	twclient "github.com/twilio/twilio-go/client"
	twapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/leadflow/leadflow/notify"
)

// Twilio sends SMS through Twilio's official Go SDK (the Messages resource
// of the 2010-04-01 API: basic auth with the account SID and auth token, a
// form body To, From or MessagingServiceSid, Body).
type Twilio struct {
	api  *twapi.ApiService
	from string
	// callback is the StatusCallback of every message: the URL Twilio
	// posts the message's delivery statuses to ("" for none).
	callback string
}

// DefaultTwilioURL is Twilio's API; TWILIO_BASE_URL points the SDK elsewhere
// (a test's local server).
const DefaultTwilioURL = "https://api.twilio.com"

// NewTwilio is the SMS channel of account sid with its auth token, sending
// from a number (E.164) or a messaging service (its SID, "MG…"). baseURL
// "" is Twilio's; another is where the SDK's requests are sent instead.
// statusCallback is the URL each message asks Twilio to post its
// statuses to (StatusCallback; "" for none).
func NewTwilio(sid, token, from, base, statusCallback string, timeout time.Duration) (*Twilio, error) {
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("TWILIO_FROM (a number or a messaging service SID) is required with TWILIO_ACCOUNT_SID")
	}
	target, err := baseURL("TWILIO_BASE_URL", base, DefaultTwilioURL)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: timeout}
	if target != DefaultTwilioURL {
		u, _ := url.Parse(target) // checked by baseURL
		hc.Transport = redirect{to: u}
	}
	c := &twclient.Client{Credentials: twclient.NewCredentials(sid, token), HTTPClient: hc}
	c.SetAccountSid(sid)
	return &Twilio{api: twapi.NewApiServiceWithClient(c), from: from, callback: statusCallback}, nil
}

// redirect sends every request to another scheme and host (the SDK's base
// URL is fixed).
type redirect struct{ to *url.URL }

// RoundTrip implements http.RoundTripper.
func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.to.Scheme, r.to.Host, r.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

// Name implements Channel.
func (t *Twilio) Name() string { return "twilio" }

// Send implements Channel: the message's text to m.To (E.164), with the
// status callback. Twilio's refusal (its JSON error) is a *notify.Error of
// its status.
func (t *Twilio) Send(ctx context.Context, m notify.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p := &twapi.CreateMessageParams{}
	p.SetTo(m.To)
	p.SetBody(m.Text)
	if t.callback != "" {
		p.SetStatusCallback(t.callback)
	}
	if strings.HasPrefix(t.from, "MG") {
		p.SetMessagingServiceSid(t.from)
	} else {
		p.SetFrom(t.from)
	}
	msg, err := t.api.CreateMessage(p)
	var rest *twclient.TwilioRestError
	if errors.As(err, &rest) {
		return "", &notify.Error{Status: rest.Status, Detail: fmt.Sprintf("%d %s", rest.Code, rest.Message)}
	}
	if err != nil {
		return "", err
	}
	if msg.Sid == nil {
		return "", nil
	}
	return *msg.Sid, nil
}
