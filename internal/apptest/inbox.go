package apptest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime/multipart"
	"net/url"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
)

// InboxPublicURL is the public URL of an InboxStack (Twilio signs the URL
// it calls).
const InboxPublicURL = "https://leads.example.com"

// InboxStack is a MessageStack whose providers' webhooks are configured:
// it signs deliveries as SendGrid, Twilio and Meta do.
type InboxStack struct {
	*MessageStack
	Inbox service.InboxConfig
	// sendGridKey is the Event Webhook's signing key (its public half is
	// the configured one).
	sendGridKey *ecdsa.PrivateKey
}

// NewInboxStack starts the stack with fresh webhook credentials and no
// worker (StartWorker starts one).
func NewInboxStack(t *testing.T) *InboxStack {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	cfg := service.InboxConfig{SendGridEventKey: base64.StdEncoding.EncodeToString(pub), TwilioAuthToken: "twiliotoken1",
		MetaAppSecret: "meta-app-secret", MetaVerifyToken: "meta-verify", InboundParseSecret: "parse-secret-1"}
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	m := &MessageStack{Stack: StackOn(t, db, tc, server.Config{PublicURL: InboxPublicURL, Inbox: cfg}), Providers: NewProviders(t), ns: ns}
	return &InboxStack{MessageStack: m, Inbox: cfg, sendGridKey: key}
}

// SendGridEvents posts events (a JSON array) to the Event Webhook signed
// with key (the stack's own when nil).
func (s *InboxStack) SendGridEvents(body string, key *ecdsa.PrivateKey) Response {
	s.T.Helper()
	if key == nil {
		key = s.sendGridKey
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sum := sha256.Sum256([]byte(ts + body))
	sig, err := ecdsa.SignASN1(rand.Reader, key, sum[:])
	if err != nil {
		s.T.Fatal(err)
	}
	return s.Do("POST", "/api/v1/inbound/sendgrid/events", "", body, "X-Twilio-Email-Event-Webhook-Signature",
		base64.StdEncoding.EncodeToString(sig), "X-Twilio-Email-Event-Webhook-Timestamp", ts)
}

// TwilioSignature is X-Twilio-Signature of a POST of params to the
// stack's path, under token.
func TwilioSignature(token, fullURL string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	data := fullURL
	for _, k := range keys {
		data += k + params.Get(k)
	}
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(data))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// TwilioPost posts params to path as Twilio does, signed with token (the
// stack's when "").
func (s *InboxStack) TwilioPost(path string, params url.Values, token string) Response {
	s.T.Helper()
	if token == "" {
		token = s.Inbox.TwilioAuthToken
	}
	return s.Do("POST", path, "", params.Encode(), "Content-Type", "application/x-www-form-urlencoded",
		"X-Twilio-Signature", TwilioSignature(token, InboxPublicURL+path, params))
}

// MetaPost posts a Graph API webhook delivery signed with secret (the stack's when "").
func (s *InboxStack) MetaPost(body, secret string) Response {
	s.T.Helper()
	if secret == "" {
		secret = s.Inbox.MetaAppSecret
	}
	return s.Do("POST", "/api/v1/inbound/meta", "", body, "X-Hub-Signature-256", "sha256="+hex.EncodeToString(webhook.HubSignature(secret, []byte(body))))
}

// InboundEmail posts an e-mail as SendGrid Inbound Parse does, to the URL
// of secret (the stack's when "").
func (s *InboxStack) InboundEmail(fields map[string]string, secret string) Response {
	s.T.Helper()
	if secret == "" {
		secret = s.Inbox.InboundParseSecret
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			s.T.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		s.T.Fatal(err)
	}
	return s.Do("POST", "/api/v1/inbound/sendgrid/parse/"+secret, "", b.String(), "Content-Type", w.FormDataContentType())
}

// Conversation opens a conversation with a fresh e-mail address (as an
// inbound e-mail from nobody known would) and assigns it to the subject
// assignee (none when negative); it returns its id.
func (w *World) Conversation(assignee int) string {
	w.T.Helper()
	n := w.Seq.Add(1)
	r, _, err := w.DB.ReceiveInbound(context.Background(), store.Inbound{Provider: "matrix", ProviderID: strconv.FormatInt(n, 10),
		Channel: lead.ChannelEmail, Origin: lead.OriginMessage, From: fmt.Sprintf("stranger%d@example.net", n), Body: "Hello"})
	if err != nil {
		w.T.Fatal(err)
	}
	if assignee >= 0 {
		if err := w.DB.AssignConversation(context.Background(), r.ConversationID, w.IDs[assignee]); err != nil {
			w.T.Fatal(err)
		}
	}
	return r.ConversationID
}
