package service

import (
	"context"
	"strings"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/webhook"
)

// Inbound sources (admins): systems that push leads to
// /api/v1/hooks/{name}, each with its field mapping, duplicate policy and
// pool (hooks.go takes their deliveries in).

// SourceChange is the body of a source's create (name required) or patch
// (absent fields are left as they are). Kind is chosen at creation.
type SourceChange struct {
	Name            *string               `json:"name"`
	Kind            *string               `json:"kind"`
	FieldMapping    *map[string]string    `json:"field_mapping"`
	DuplicatePolicy *lead.DuplicatePolicy `json:"duplicate_policy"`
	PoolID          *string               `json:"pool_id"`
	// VerifyToken, AppSecret and PageToken are Facebook's (kind facebook);
	// the app secret and page token are written, never answered.
	VerifyToken *string `json:"verify_token"`
	AppSecret   *string `json:"app_secret"`
	PageToken   *string `json:"page_token"`
}

// SourceSecret is a source with its signing secret, answered once: when
// it is created and when the secret is rotated.
type SourceSecret struct {
	lead.InboundSource
	Secret string `json:"secret"`
}

// CreateSource adds an inbound source. key is the request's idempotency
// key: a retry answers the same source and secret.
func (s *Service) CreateSource(ctx context.Context, me lead.User, key string, in SourceChange) (SourceSecret, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return SourceSecret{}, err
	}
	src := lead.InboundSource{ID: LeadID(key, "source\x00"+me.ID), Kind: lead.InboundWebhook,
		DuplicatePolicy: lead.DuplicateMerge, FieldMapping: map[string]string{}, CreatedBy: me.ID}
	if in.Name == nil {
		return SourceSecret{}, lead.Invalid(lead.FieldError{Field: "name", Reason: "is required"})
	}
	if in.Kind != nil {
		src.Kind = *in.Kind
	}
	var sec store.SourceSecrets
	if err := s.applySource(ctx, me, &src, &sec, in, true); err != nil {
		return SourceSecret{}, err
	}
	sec.Secret = webhook.NewSecret()
	out, secret, err := s.db.CreateSource(ctx, src, sec)
	return SourceSecret{InboundSource: out, Secret: secret}, err
}

// applySource checks a change and applies it to src and its secrets: a
// URL-safe unique name, a mapping whose targets are lead fields, a known
// policy and pool, and Facebook's three settings for kind facebook.
func (s *Service) applySource(ctx context.Context, me lead.User, src *lead.InboundSource, sec *store.SourceSecrets, in SourceChange, creating bool) error {
	var f lead.Fields
	if in.Kind != nil && !creating && *in.Kind != src.Kind {
		f.Add("kind", "cannot change: create another source")
	}
	setString(&src.Name, in.Name)
	setString(&src.PoolID, in.PoolID)
	setString(&src.VerifyToken, in.VerifyToken)
	setString(&sec.AppSecret, in.AppSecret)
	setString(&sec.PageToken, in.PageToken)
	if in.DuplicatePolicy != nil {
		src.DuplicatePolicy = *in.DuplicatePolicy
	}
	if err := src.Clean(); err != nil {
		bad, _ := lead.FieldsOf(err)
		f = append(f, bad...)
	}
	if in.FieldMapping != nil {
		m, err := sheet.CheckTargets(*in.FieldMapping)
		bad, _ := lead.FieldsOf(err)
		for _, b := range bad {
			f.Add("field_mapping"+strings.TrimPrefix(b.Field, "mapping"), b.Reason)
		}
		src.FieldMapping = m
	}
	if src.Kind == lead.InboundFacebook && creating {
		for name, v := range map[string]string{"verify_token": src.VerifyToken, "app_secret": sec.AppSecret, "page_token": sec.PageToken} {
			if strings.TrimSpace(v) == "" {
				f.Add(name, "is required for a facebook source")
			}
		}
	}
	if err := s.checkCreatePool(ctx, me, &f, src.PoolID); err != nil {
		return err
	}
	return f.Err()
}

// setString sets *dst to *v when v is not nil.
func setString(dst, v *string) {
	if v != nil {
		*dst = strings.TrimSpace(*v)
	}
}

// sourceFor is source id when me may manage sources (admins).
func (s *Service) sourceFor(ctx context.Context, me lead.User, id string) (lead.InboundSource, store.SourceSecrets, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return lead.InboundSource{}, store.SourceSecrets{}, err
	}
	return s.db.Source(ctx, id)
}

// Source is inbound source id.
func (s *Service) Source(ctx context.Context, me lead.User, id string) (lead.InboundSource, error) {
	src, _, err := s.sourceFor(ctx, me, id)
	return src, err
}

// Sources are a page of the inbound sources, oldest first.
func (s *Service) Sources(ctx context.Context, me lead.User, limit int, cursor string) ([]lead.InboundSource, string, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return nil, "", err
	}
	return s.db.Sources(ctx, limit, cursor)
}

// UpdateSource changes a source's name, mapping, policy, pool or
// Facebook settings (an empty app secret or page token is left as it is).
func (s *Service) UpdateSource(ctx context.Context, me lead.User, id string, in SourceChange) (lead.InboundSource, error) {
	src, sec, err := s.sourceFor(ctx, me, id)
	if err != nil {
		return src, err
	}
	if err := s.applySource(ctx, me, &src, &sec, in, false); err != nil {
		return src, err
	}
	return s.db.UpdateSource(ctx, src, nonEmpty(in.AppSecret), nonEmpty(in.PageToken))
}

// nonEmpty is v unless it is nil or blank.
func nonEmpty(v *string) *string {
	if v == nil || strings.TrimSpace(*v) == "" {
		return nil
	}
	t := strings.TrimSpace(*v)
	return &t
}

// DeleteSource removes a source; its hook URL stops answering.
func (s *Service) DeleteSource(ctx context.Context, me lead.User, id string) error {
	if _, _, err := s.sourceFor(ctx, me, id); err != nil {
		return err
	}
	return s.db.DeleteSource(ctx, id)
}

// RotateSourceSecret gives a source a new signing secret, answered once;
// the old one stops verifying at once.
func (s *Service) RotateSourceSecret(ctx context.Context, me lead.User, id string) (SourceSecret, error) {
	if _, _, err := s.sourceFor(ctx, me, id); err != nil {
		return SourceSecret{}, err
	}
	secret := webhook.NewSecret()
	src, err := s.db.RotateSourceSecret(ctx, id, secret)
	return SourceSecret{InboundSource: src, Secret: secret}, err
}
