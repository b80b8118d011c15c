package service

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/mail"
	"strings"

	"github.com/leadflow/leadflow/facebook"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/workflows"
)

// Replies: inbound SMS (Twilio), Messenger and WhatsApp messages and the
// comments on the page's posts (the Graph API's webhook), and e-mail
// replies (SendGrid Inbound Parse). A message from a lead's address is
// its reply (ReceiveInbound); any other opens a conversation in the inbox.

// receive stores one inbound message and tells the lead's owner of a
// reply; it answers whether the message was new.
func (s *Service) receive(ctx context.Context, in store.Inbound) (bool, error) {
	r, fresh, err := s.db.ReceiveInbound(ctx, in)
	if err != nil {
		return false, err
	}
	if r.LeadID != "" {
		s.eventExits(ctx, r.LeadID, lead.EventReplyReceived, "")
		if err := s.noticeReply(ctx, r); err != nil {
			return fresh, err
		}
	}
	return fresh, nil
}

// TwilioInbound takes an SMS a person sent to leadflow's number (Twilio's
// messaging webhook: MessageSid, From, Body), once per MessageSid; a STOP
// (or 退订, UNSUBSCRIBE) suppresses the number for SMS.
func (s *Service) TwilioInbound(ctx context.Context, cb TwilioCallback) (Applied, error) {
	sid, err := s.verifyTwilio(cb)
	if err != nil {
		return Applied{}, err
	}
	p := cb.Params
	if sid == "" || p["From"] == "" {
		return Applied{}, lead.Invalid(lead.FieldError{Field: "MessageSid", Reason: "an inbound SMS has a MessageSid and a From"})
	}
	fresh, err := s.receive(ctx, store.Inbound{Provider: "twilio", ProviderID: sid, Channel: lead.ChannelSMS,
		Origin: lead.OriginMessage, From: p["From"], Body: p["Body"], Stop: IsStop(p["Body"])})
	return appliedOne(fresh), err
}

func appliedOne(fresh bool) Applied {
	if fresh {
		return Applied{Received: 1, Applied: 1}
	}
	return Applied{Received: 1}
}

// MetaChallenge answers the Graph API's subscription check of the inbox's
// webhook with META_VERIFY_TOKEN.
func (s *Service) MetaChallenge(mode, token, challenge string) (string, error) {
	want := s.cfg.Inbox.MetaVerifyToken
	if mode != "subscribe" || want == "" || subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
		return "", lead.Errorf(lead.CodeForbidden, "the verify token is not the inbox's")
	}
	return challenge, nil
}

// whatsAppStatus maps a WhatsApp status to a message status.
var whatsAppStatus = map[string]string{"sent": lead.NotificationSent, "delivered": lead.MessageDelivered,
	"read": lead.MessageOpened, "failed": lead.NotificationFailed}

// MetaInbox takes a Graph API webhook delivery signed with the app secret
// (X-Hub-Signature-256): Messenger and WhatsApp messages (replies or
// conversations), comments on the page's posts (conversations) and
// WhatsApp's delivery statuses, each once.
func (s *Service) MetaInbox(ctx context.Context, signature string, body []byte) (Applied, error) {
	if err := webhook.VerifyHub(s.cfg.Inbox.MetaAppSecret, signature, body); err != nil {
		return Applied{}, unauthorized("X-Hub-Signature-256")
	}
	msgs, statuses, err := facebook.InboxDelivery(body)
	if err != nil {
		return Applied{}, malformed(err)
	}
	out := Applied{Received: len(msgs) + len(statuses)}
	for _, m := range msgs {
		in := store.Inbound{Provider: "meta-" + m.Channel, ProviderID: m.ID, Channel: m.Channel, Origin: lead.OriginMessage,
			From: m.From, FromName: m.FromName, Body: m.Text, Stop: m.Channel == lead.ChannelWhatsApp && IsStop(m.Text)}
		if m.Comment {
			in.Origin, in.Provider = lead.OriginComment, "meta-feed"
		}
		fresh, err := s.receive(ctx, in)
		if err != nil {
			return out, err
		}
		if fresh {
			out.Applied++
		}
	}
	for _, st := range statuses {
		status := whatsAppStatus[st.Status]
		if status == "" || st.MessageID == "" {
			continue
		}
		ev := store.DeliveryEvent{Provider: "meta-whatsapp", EventID: st.MessageID + "/" + st.Status,
			MessageIDs: []string{st.MessageID}, Status: status}
		if st.ErrorCode != 0 {
			ev.Reason = st.ErrorTitle
		}
		if err := s.applyEvent(ctx, ev, &out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// InboundEmail is one e-mail SendGrid Inbound Parse posts (its form
// fields), with the secret of the URL it was posted to.
type InboundEmail struct {
	Secret                        string
	From, To, Subject, Text, HTML string
	Headers                       string
	Envelope                      string // JSON {"from", "to"}
}

// ReceiveEmail takes an e-mail reply from SendGrid Inbound Parse, which
// does not sign: the secret in its URL is its credential. It is stored
// once per Message-ID (the hash of its content when it has none).
func (s *Service) ReceiveEmail(ctx context.Context, e InboundEmail) (Applied, error) {
	want := s.cfg.Inbox.InboundParseSecret
	if want == "" || subtle.ConstantTimeCompare([]byte(e.Secret), []byte(want)) != 1 {
		return Applied{}, lead.Errorf(lead.CodeUnauthorized, "this Inbound Parse URL's secret is not leadflow's")
	}
	var env struct {
		From string `json:"from"`
	}
	_ = json.Unmarshal([]byte(e.Envelope), &env) // an envelope that is not JSON leaves the From header
	from, name := strings.TrimSpace(env.From), ""
	if a, err := mail.ParseAddress(e.From); err == nil {
		name = a.Name
		if from == "" {
			from = a.Address
		}
	}
	if from == "" {
		return Applied{}, lead.Invalid(lead.FieldError{Field: "from", Reason: "is not an e-mail address"})
	}
	body := e.Text
	if strings.TrimSpace(body) == "" {
		body = e.HTML
	}
	id := headerValue(e.Headers, "Message-ID")
	if id == "" {
		sum := sha256.Sum256([]byte(from + "\x00" + e.Subject + "\x00" + body))
		id = "sha256:" + hex.EncodeToString(sum[:])
	}
	fresh, err := s.receive(ctx, store.Inbound{Provider: "sendgrid-inbound", ProviderID: id, Channel: lead.ChannelEmail,
		Origin: lead.OriginMessage, From: strings.ToLower(from), FromName: name, Subject: e.Subject, Body: body})
	return appliedOne(fresh), err
}

// excerpt is the first n characters of text, "…" when it was cut.
func excerpt(text string, n int) string {
	if rs := []rune(text); len(rs) > n {
		return string(rs[:n]) + "…"
	}
	return text
}

// headerValue is the value of header name in raw headers ("" when absent).
func headerValue(raw, name string) string {
	for _, line := range strings.Split(raw, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// LeadReplies lists lead id's replies, newest first, to whoever may read it.
func (s *Service) LeadReplies(ctx context.Context, me lead.User, id string, limit int, cursor string) ([]lead.Reply, string, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err != nil {
		return nil, "", err
	}
	return s.db.LeadReplies(ctx, l.ID, limit, cursor)
}

// noticeReply starts the workflow telling the owner of r's lead of it
// (once per reply: a provider's retry starts nothing more). It fails when
// Temporal is out of reach, so the provider retries the delivery.
func (s *Service) noticeReply(ctx context.Context, r lead.Reply) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
	defer cancel()
	text := r.Body
	if r.Subject != "" {
		text = r.Subject + " — " + text
	}
	if err := workflows.StartReplyNotice(ctx, s.tc, workflows.ReplyNoticeInput{ReplyID: r.ID, LeadID: r.LeadID, Excerpt: excerpt(text, 280)}); err != nil {
		return TemporalError(err)
	}
	return nil
}
