package service

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/webhook"
	"github.com/leadflow/leadflow/workflows"
)

// The deliveries of inbound sources: a signed push (Standard Webhooks)
// or a Facebook Lead Ads lead, mapped by the source's field mapping and
// taken in like a lead created through the API, exactly once per delivery
// id: the lead's id derives from (source, delivery id), and the first
// answer is kept and given again to a retried delivery.

// HookDelivery is one signed push to an inbound source.
type HookDelivery struct {
	// Source is the source's name (the hook URL's last segment).
	Source string
	// ID, Timestamp and Signature are the webhook-id, webhook-timestamp
	// and webhook-signature headers.
	ID, Timestamp, Signature string
	Body                     []byte
}

// HookAnswer is what a delivery did: the lead it created (or the one it
// was merged into), its status, and the warning about a duplicate.
type HookAnswer struct {
	LeadID     string      `json:"lead_id"`
	Status     lead.Status `json:"status"`
	MergedInto string      `json:"merged_into,omitempty"`
	Warnings   []string    `json:"warnings,omitempty"`
}

// keptAnswer is the first answer to a delivery, an answer or a refusal.
type keptAnswer struct {
	Answer *HookAnswer `json:"answer,omitempty"`
	Error  *lead.Error `json:"error,omitempty"`
}

// hookUser is who a source's leads are created as: its creator with an
// admin's reach (an admin set the source up), so its pool and duplicate
// policy apply as they said.
func hookUser(src lead.InboundSource) lead.User {
	return lead.User{ID: src.CreatedBy, Role: lead.RoleAdmin, Name: "source " + src.Name}
}

// ReceiveHook takes a signed push to a webhook source in: a bad or
// missing signature is unauthorized and changes nothing; a retried
// delivery (the same webhook-id) gets the first answer again.
func (s *Service) ReceiveHook(ctx context.Context, d HookDelivery) (HookAnswer, error) {
	src, sec, err := s.db.SourceByName(ctx, d.Source)
	if err != nil {
		return HookAnswer{}, err
	}
	if src.Kind != lead.InboundWebhook {
		return HookAnswer{}, lead.Errorf(lead.CodeUnauthorized, "this source takes Facebook Lead Ads deliveries, signed with X-Hub-Signature-256")
	}
	if err := webhook.Verify(sec.Secret, d.ID, d.Timestamp, d.Signature, d.Body); err != nil {
		return HookAnswer{}, lead.Errorf(lead.CodeUnauthorized, "the webhook signature does not verify: %v", err)
	}
	if kept, ok, err := s.db.DeliveryAnswer(ctx, src.ID, d.ID); err != nil || ok {
		return answerOf(kept, err)
	}
	record, err := sheet.FlattenJSON(d.Body)
	if err != nil {
		return s.keep(ctx, src, d.ID, "", HookAnswer{}, lead.Invalid(lead.FieldError{Field: "body", Code: lead.ReasonMalformed,
			Reason: "must be a JSON object: " + err.Error()}))
	}
	return s.intakeRecord(ctx, src, d.ID, record)
}

// IntakeSourceRecord takes in a record that an inbound source fetched
// itself (a Facebook lead's field data) and answers the lead's id, ""
// when intake refused it (the refusal is kept as the delivery's answer).
func (s *Service) IntakeSourceRecord(ctx context.Context, in workflows.SourceRecordInput) (string, error) {
	src, _, err := s.db.Source(ctx, in.SourceID)
	if err != nil {
		return "", err
	}
	kept, ok, err := s.db.DeliveryAnswer(ctx, src.ID, in.DeliveryID)
	var a HookAnswer
	switch {
	case err != nil:
		return "", err
	case ok:
		a, err = answerOf(kept, nil)
	default:
		a, err = s.intakeRecord(ctx, src, in.DeliveryID, in.Record)
	}
	if c := lead.ErrorCode(err); c == lead.CodeInvalid || c == lead.CodeConflict {
		return "", nil
	}
	return a.LeadID, err
}

// intakeRecord maps record by src's mapping and takes the lead in through
// the API's intake (createLead), then keeps the answer.
func (s *Service) intakeRecord(ctx context.Context, src lead.InboundSource, deliveryID string, record map[string]string) (HookAnswer, error) {
	in, err := sheet.RecordInput(record, src.FieldMapping)
	if err != nil {
		return s.keep(ctx, src, deliveryID, "", HookAnswer{}, err)
	}
	in.DuplicatePolicy, in.PoolID = src.DuplicatePolicy, src.PoolID
	id := LeadID(deliveryID, "source\x00"+src.ID)
	c, err := s.createLead(ctx, hookUser(src), id, in, lead.SourceHook, src.Name)
	if err != nil {
		return s.keep(ctx, src, deliveryID, "", HookAnswer{}, err)
	}
	a := HookAnswer{LeadID: c.Lead.ID, Status: c.Lead.Status, MergedInto: c.Lead.MergedInto, Warnings: c.Warnings}
	return s.keep(ctx, src, deliveryID, c.Lead.ID, a, nil)
}

// keep keeps the answer to a delivery, a refusal of its content
// (invalid, conflict) included, and returns the first one kept; any other
// failure is not kept, so the sender's retry tries again.
func (s *Service) keep(ctx context.Context, src lead.InboundSource, deliveryID, leadID string, a HookAnswer, failed error) (HookAnswer, error) {
	k := keptAnswer{Answer: &a}
	if failed != nil {
		var e *lead.Error
		if !errors.As(failed, &e) || (e.Code != lead.CodeInvalid && e.Code != lead.CodeConflict) {
			return HookAnswer{}, failed
		}
		k = keptAnswer{Error: e}
	}
	b, err := json.Marshal(k)
	if err != nil {
		return HookAnswer{}, err
	}
	return answerOf(s.db.KeepDeliveryAnswer(ctx, src.ID, deliveryID, leadID, b))
}

// answerOf reads a kept answer.
func answerOf(kept []byte, err error) (HookAnswer, error) {
	if err != nil {
		return HookAnswer{}, err
	}
	var k keptAnswer
	if err := json.Unmarshal(kept, &k); err != nil {
		return HookAnswer{}, err
	}
	if k.Error != nil {
		return HookAnswer{}, k.Error
	}
	return *k.Answer, nil
}
