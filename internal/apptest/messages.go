package apptest

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/leadflow/leadflow/channel"
	"github.com/leadflow/leadflow/internal/channeltest"
	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/worker"
)

// Providers are local fakes of every message channel's provider.
type Providers struct {
	SendGrid *sendgridtest.Server
	Twilio   *channeltest.Twilio
	Graph    *channeltest.Graph
	// Channels are the channels configured as in production, pointing at the fakes.
	Channels channel.Set
}

// NewProviders starts the fakes and the channels that use them (lead
// e-mails from reps@mail.example.com, replies to replies@example.com; SMS
// statuses posted back to InboxPublicURL, the stacks' public URL).
func NewProviders(t testing.TB) Providers {
	p := Providers{SendGrid: sendgridtest.New(t, "SG.lead-"+rand.Text()), Twilio: channeltest.NewTwilio(t, "AC00112233445566778899", "twiliotoken1"),
		Graph: channeltest.NewGraph(t, "PAGE-TOKEN", "WA-TOKEN", "10550")}
	var err error
	p.Channels, err = channel.New(channel.Config{SendGridKey: p.SendGrid.Key, SendGridBaseURL: p.SendGrid.URL,
		MailFrom: "reps@mail.example.com", ReplyTo: "replies@example.com",
		TwilioSID: p.Twilio.SID, TwilioToken: p.Twilio.Token, TwilioFrom: "+15005550006", TwilioBaseURL: p.Twilio.URL, PublicURL: InboxPublicURL,
		GraphURL: p.Graph.URL, MessengerToken: p.Graph.PageToken, WhatsAppToken: p.Graph.WhatsAppToken,
		WhatsAppPhoneNumberID: p.Graph.PhoneNumberID, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// MessageStack is a stack whose messages to leads go to the providers'
// fakes, with its worker under the test's control.
type MessageStack struct {
	*Stack
	Providers
	ns string
}

// NewMessageStack starts the stack and one worker (StartWorker starts
// another after StopWorker).
func NewMessageStack(t *testing.T) *MessageStack {
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	m := &MessageStack{Stack: StackOn(t, db, tc, server.Config{PublicURL: "https://leads.example.com"}), Providers: NewProviders(t), ns: ns}
	return m
}

// StartWorker starts a worker sending through the fakes and returns its stop.
func (m *MessageStack) StartWorker() (stop func()) {
	m.T.Helper()
	return startWorker(m.T, worker.Config{Temporal: m.TC, Namespace: m.ns, Store: m.DB, Channels: m.Channels,
		PublicURL: "https://leads.example.com", NoDigestSchedule: true, Webhooks: worker.Webhooks{Guard: LocalHooks}})
}

// startWorker starts a worker of cfg and returns its stop (also called
// when the test ends).
func startWorker(t testing.TB, cfg worker.Config) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := worker.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("worker: %v", err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			w.Stop()
		}
	}
	t.Cleanup(stop)
	return stop
}
