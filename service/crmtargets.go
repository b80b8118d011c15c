package service

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/leadflow/leadflow/lead"
)

// CRM targets (admins): the CRMs a registration rule set may push
// registered leads to ("crm_target"); the token is write-only.

// CRMTargetInput is the body of a CRM target's create.
type CRMTargetInput struct {
	Name    *string `json:"name"`
	Kind    *string `json:"kind"`
	BaseURL *string `json:"base_url"`
	Token   *string `json:"token"`
}

// CreateCRMTarget adds a CRM target; key is the request's idempotency
// key. The base URL must pass the webhook guard (LEADFLOW_WEBHOOK_ALLOW_HOSTS).
func (s *Service) CreateCRMTarget(ctx context.Context, me lead.User, key string, in CRMTargetInput) (lead.CRMTarget, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return lead.CRMTarget{}, err
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.TrimSpace(*p)
	}
	t := lead.CRMTarget{ID: LeadID(key, "crm\x00"+me.ID), Name: str(in.Name), Kind: str(in.Kind), BaseURL: str(in.BaseURL), Token: str(in.Token)}
	var f lead.Fields
	switch {
	case t.Name == "":
		f.Add("name", "is required")
	case utf8.RuneCountInString(t.Name) > 100:
		f.Add("name", "is longer than 100 characters")
	}
	if !slices.Contains(lead.CRMKinds, t.Kind) {
		f.Add("kind", `must be "hubspot"`)
	}
	if err := s.cfg.WebhookGuard.CheckURL(ctx, t.BaseURL); err != nil {
		f.Add("base_url", err.Error())
	}
	if t.Token == "" {
		f.Add("token", "is required")
	}
	if err := f.Err(); err != nil {
		return t, err
	}
	return s.db.CreateCRMTarget(ctx, t, me.ID)
}

// CRMTargets lists the CRM targets (admins).
func (s *Service) CRMTargets(ctx context.Context, me lead.User) ([]lead.CRMTarget, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return nil, err
	}
	items, err := s.db.CRMTargets(ctx)
	if items == nil {
		items = []lead.CRMTarget{}
	}
	return items, err
}

// DeleteCRMTarget removes a CRM target and its pending pushes (admins).
func (s *Service) DeleteCRMTarget(ctx context.Context, me lead.User, id string) error {
	if err := Allowed(me, GateAdmin); err != nil {
		return err
	}
	return s.db.DeleteCRMTarget(ctx, id)
}
