package channel_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leadflow/leadflow/channel"
	"github.com/leadflow/leadflow/internal/channeltest"
	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
)

func msg(to string) notify.Message {
	return notify.Message{Key: "message/m1", To: to, ToName: "Li Lei", FromName: "Rita Rep",
		Subject: "Hello", Text: "Hello Li, see you at the fair", UnsubscribeURL: "https://leads.example.com/u/tok"}
}

// TestTwilioThroughTheSDK: the official SDK's request, as Twilio checks it:
// basic auth with the account SID and token, the form body; a refusal is
// permanent, an outage is not.
func TestTwilioThroughTheSDK(t *testing.T) {
	fake := channeltest.NewTwilio(t, "AC0123456789abcdef", "authtoken42")
	set, err := channel.New(channel.Config{TwilioSID: fake.SID, TwilioToken: fake.Token, TwilioFrom: "+15005550006", TwilioBaseURL: fake.URL})
	if err != nil {
		t.Fatal(err)
	}
	sms := set.For(channel.SMS)
	id, err := sms.Send(context.Background(), msg("+8613800138000"))
	if err != nil || !strings.HasPrefix(id, "SM") || sms.Name() != "twilio" {
		t.Fatalf("send: %q %v", id, err)
	}
	got := fake.Delivered()
	if len(got) != 1 || got[0].Form.Get("To") != "+8613800138000" || got[0].Form.Get("From") != "+15005550006" ||
		got[0].Form.Get("Body") != "Hello Li, see you at the fair" || got[0].Form.Has("StatusCallback") {
		t.Fatalf("requests: %+v", got)
	}
	if _, err := sms.Send(context.Background(), msg("13800138000")); !notify.Permanent(err) || !strings.Contains(err.Error(), "21211") {
		t.Fatalf("a bad number: %v", err)
	}
	fake.FailAll(503)
	if _, err := sms.Send(context.Background(), msg("+8613800138000")); err == nil || notify.Permanent(err) {
		t.Fatalf("an outage: %v", err)
	}
	wrong, _ := channel.New(channel.Config{TwilioSID: fake.SID, TwilioToken: "wrong", TwilioFrom: "MG123", TwilioBaseURL: fake.URL})
	fake.FailAll(0)
	if _, err := wrong.For(channel.SMS).Send(context.Background(), msg("+8613800138000")); !notify.Permanent(err) {
		t.Fatalf("a wrong token: %v", err)
	}
	if last := fake.Requests()[len(fake.Requests())-1]; last.Status != 401 || last.Form.Get("MessagingServiceSid") != "MG123" {
		t.Fatalf("last request: %+v", last)
	}
}

// TestTwilioStatusCallback: with a public URL every SMS names
// PublicURL + /api/v1/inbound/twilio/status as its StatusCallback (the
// route the status callbacks are verified and applied on), so Twilio
// posts the message's statuses back; a public URL that is not http(s) is
// refused when the channels are made.
func TestTwilioStatusCallback(t *testing.T) {
	fake := channeltest.NewTwilio(t, "AC0123456789abcdef", "authtoken42")
	set, err := channel.New(channel.Config{TwilioSID: fake.SID, TwilioToken: fake.Token, TwilioFrom: "+15005550006", TwilioBaseURL: fake.URL,
		PublicURL: "https://leads.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := set.For(channel.SMS).Send(context.Background(), msg("+8613800138000"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fake.StatusCallback(id); got != "https://leads.example.com/api/v1/inbound/twilio/status" || lead.TwilioStatusPath != "/api/v1/inbound/twilio/status" {
		t.Fatalf("StatusCallback %q", got)
	}
	if _, err := channel.New(channel.Config{TwilioSID: fake.SID, TwilioToken: fake.Token, TwilioFrom: "+15005550006", PublicURL: "leads.example.com"}); err == nil ||
		!strings.Contains(err.Error(), "LEADFLOW_PUBLIC_URL") {
		t.Fatalf("a public URL without a scheme: %v", err)
	}
}

// TestGraphSendAPI: Messenger to a PSID at /me/messages and WhatsApp to a
// number at /{phone_number_id}/messages, each with its bearer token.
func TestGraphSendAPI(t *testing.T) {
	fake := channeltest.NewGraph(t, "PAGE-TOKEN", "WA-TOKEN", "1055")
	set, err := channel.New(channel.Config{GraphURL: fake.URL, MessengerToken: "PAGE-TOKEN", WhatsAppToken: "WA-TOKEN", WhatsAppPhoneNumberID: "1055"})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := set.For(channel.Messenger).Send(context.Background(), msg("6543210")); err != nil || id != "m_1" {
		t.Fatalf("messenger: %q %v", id, err)
	}
	if id, err := set.For(channel.WhatsApp).Send(context.Background(), msg("+8613800138000")); err != nil || id != "wamid.2" {
		t.Fatalf("whatsapp: %q %v", id, err)
	}
	got := fake.Delivered()
	if len(got) != 2 || got[0].Path != "/me/messages" || got[0].JSON["recipient"].(map[string]any)["id"] != "6543210" ||
		got[1].Path != "/1055/messages" || got[1].JSON["to"] != "8613800138000" ||
		got[1].JSON["text"].(map[string]any)["body"] != "Hello Li, see you at the fair" {
		t.Fatalf("requests: %+v", got)
	}
	bad, _ := channel.New(channel.Config{GraphURL: fake.URL, MessengerToken: "stale"})
	if _, err := bad.For(channel.Messenger).Send(context.Background(), msg("6543210")); !notify.Permanent(err) || !strings.Contains(err.Error(), "190") {
		t.Fatalf("a stale token: %v", err)
	}
}

// TestLeadEmailFromTheRep: a lead's e-mail carries the rep's name on the
// lead address, the reply-to and the one-click unsubscribe headers.
func TestLeadEmailFromTheRep(t *testing.T) {
	sg := sendgridtest.New(t, "SG.k")
	set, err := channel.New(channel.Config{SendGridKey: "SG.k", SendGridBaseURL: sg.URL, MailFrom: "reps@mail.example.com", ReplyTo: "replies@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.For(channel.Email).Send(context.Background(), msg("li@acme.cn")); err != nil {
		t.Fatal(err)
	}
	m := sg.Delivered()[0]
	if m.From != (sendgridtest.Address{Email: "reps@mail.example.com", Name: "Rita Rep"}) || m.ReplyTo == nil || m.ReplyTo.Email != "replies@example.com" {
		t.Fatalf("from %+v reply-to %+v", m.From, m.ReplyTo)
	}
	if m.Headers["List-Unsubscribe"] != "<https://leads.example.com/u/tok>" || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Fatalf("headers %v", m.Headers)
	}
}

// TestOutboxByDefault: a channel without keys is the outbox; bad settings
// are refused.
func TestOutboxByDefault(t *testing.T) {
	set, err := channel.New(channel.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range lead.Channels {
		if set.For(k).Name() != "outbox" {
			t.Errorf("%s: %s", k, set.For(k).Name())
		}
	}
	if _, err := channel.New(channel.Config{TwilioSID: "AC1", TwilioToken: "t"}); err == nil {
		t.Error("Twilio without a From was accepted")
	}
	if _, err := channel.New(channel.Config{GraphURL: "ftp://x", MessengerToken: "t"}); err == nil {
		t.Error("an ftp Graph URL was accepted")
	}
}
