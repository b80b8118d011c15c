package service

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// Consent: every message to a lead carries a signed unsubscribe link
// (/u/{token}) for its channel and address; following it puts the address
// on the channel's suppression list, which every send consults.

// Unsubscription is what an unsubscribe link stands for.
type Unsubscription struct {
	LeadID  string
	Channel string
	Address string
	// Done says the address is already suppressed on the channel.
	Done bool
}

// unsubscribeToken is the signed token of the unsubscribe link of a
// lead's address on a channel.
func (s *Service) unsubscribeToken(leadID, ch, address string) string {
	payload := leadID + "\n" + ch + "\n" + address
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + s.unsubscribeMAC(payload)
}

func (s *Service) unsubscribeMAC(payload string) string {
	m := hmac.New(sha256.New, s.cfg.InviteKey)
	m.Write([]byte("unsubscribe\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// UnsubscribeLink reads a token: a token that is not one leadflow signed
// is not found.
func (s *Service) UnsubscribeLink(ctx context.Context, token string) (Unsubscription, error) {
	notFound := lead.Errorf(lead.CodeNotFound, "this unsubscribe link is not valid")
	enc, mac, ok := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || !hmac.Equal([]byte(mac), []byte(s.unsubscribeMAC(string(raw)))) {
		return Unsubscription{}, notFound
	}
	parts := strings.SplitN(string(raw), "\n", 3)
	if len(parts) != 3 || !lead.KnownChannel(parts[1]) {
		return Unsubscription{}, notFound
	}
	u := Unsubscription{LeadID: parts[0], Channel: parts[1], Address: parts[2]}
	reason, err := s.db.Suppressed(ctx, u.Channel, u.Address)
	u.Done = reason != ""
	return u, err
}

// Unsubscribe puts the address of an unsubscribe link on its channel's
// suppression list (reason lead.SkipUnsubscribed); following it again
// changes nothing.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Unsubscription, error) {
	u, err := s.UnsubscribeLink(ctx, token)
	if err != nil || u.Done {
		return u, err
	}
	if err := s.db.Suppress(ctx, u.Channel, u.Address, lead.SkipUnsubscribed, u.LeadID); err != nil {
		return u, err
	}
	if u.LeadID != "" {
		s.exitSequences(ctx, u.LeadID, "", lead.ExitUnsubscribed, "")
	}
	u.Done = true
	return u, nil
}

// Consents is lead id's consent on every channel, to whoever may read it.
func (s *Service) Consents(ctx context.Context, me lead.User, id string) ([]lead.Consent, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err != nil {
		return nil, err
	}
	cs := make([]lead.Consent, len(lead.Channels))
	for i, k := range lead.Channels {
		cs[i] = lead.Consent{Channel: k, Address: l.ChannelAddress(k)}
	}
	if err := s.db.Consents(ctx, cs); err != nil || !me.MasksContacts(l) {
		return cs, err
	}
	for i := range cs {
		cs[i].Address = lead.MaskContact(cs[i].Address)
	}
	return cs, nil
}
