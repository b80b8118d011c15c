package service

import (
	"context"
	"crypto/subtle"

	"github.com/leadflow/leadflow/facebook"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/workflows"
)

// Facebook / Instagram Lead Ads: the Graph API webhook of a source of
// kind facebook. Its subscription is checked with the source's verify
// token; each delivery, signed with the app secret, names leads by id,
// which a FacebookLeadWorkflow per lead fetches with the page token and
// takes in (service.IntakeSourceRecord) exactly once.

// FacebookChallenge answers the Graph API's subscription check: the
// challenge, when the mode is subscribe and the verify token the source's.
func (s *Service) FacebookChallenge(ctx context.Context, name, mode, token, challenge string) (string, error) {
	src, _, err := s.db.SourceByName(ctx, name)
	if err != nil {
		return "", err
	}
	if src.Kind != lead.InboundFacebook || mode != "subscribe" || src.VerifyToken == "" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(src.VerifyToken)) != 1 {
		return "", lead.Errorf(lead.CodeForbidden, "the verify token is not this source's")
	}
	return challenge, nil
}

// ReceiveFacebook takes a Graph API webhook delivery to source name in:
// its X-Hub-Signature-256 must verify with the source's app secret; each
// leadgen change starts its lead's workflow (once per lead, however often
// the delivery is retried). It answers how many leads it named.
func (s *Service) ReceiveFacebook(ctx context.Context, name, signature string, body []byte) (int, error) {
	src, sec, err := s.db.SourceByName(ctx, name)
	if err != nil {
		return 0, err
	}
	if src.Kind != lead.InboundFacebook {
		return 0, lead.Errorf(lead.CodeUnauthorized, "this source takes deliveries signed the Standard Webhooks way")
	}
	if err := webhook.VerifyHub(sec.AppSecret, signature, body); err != nil {
		return 0, lead.Errorf(lead.CodeUnauthorized, "%v", err)
	}
	ids, err := facebook.LeadgenIDs(body)
	if err != nil {
		return 0, lead.Invalid(lead.FieldError{Field: "body", Code: lead.ReasonMalformed, Reason: "must be a Graph API webhook delivery: " + err.Error()})
	}
	for _, id := range ids {
		if err := workflows.StartFacebookLead(ctx, s.tc, workflows.FacebookLeadInput{SourceID: src.ID, LeadgenID: id}); err != nil {
			return 0, TemporalError(err)
		}
	}
	return len(ids), nil
}
