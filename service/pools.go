package service

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// The pool operations: create (admins), list and read (everyone, each the
// pools they may see), change (admins any field, managers the policy,
// members and weights of the pools they administer), transfer the
// ownership (admins and the owner) and the new-lead recipients.

// compilePolicy compiles the policy expressions a patch sets; a refusal is
// rules.CompileErrors naming policy.claim_when or policy.reclaim_exempt_when
// with line and column.
func compilePolicy(pp lead.PolicyPatch) error {
	var all rules.CompileErrors
	for _, e := range []struct {
		field string
		src   *string
	}{{"policy.claim_when", pp.ClaimWhen}, {"policy.reclaim_exempt_when", pp.ReclaimExemptWhen}} {
		if e.src == nil || strings.TrimSpace(*e.src) == "" {
			continue
		}
		_, err := rules.CompileExpr(*e.src)
		var ce rules.CompileErrors
		if errors.As(err, &ce) {
			for _, c := range ce {
				c.Field = e.field
				all = append(all, c)
			}
		} else if err != nil {
			return err
		}
	}
	if len(all) > 0 {
		return all
	}
	return nil
}

// checkPolicy checks the policy a patch sets: its timers no shorter than
// the configured minimum, its expressions compiled, its calendar one.
func (s *Service) checkPolicy(ctx context.Context, pp lead.PoolPatch) error {
	if err := pp.Policy.CheckMinimum(lead.Duration(s.cfg.MinPolicyDuration)); err != nil {
		return err
	}
	if id := pp.Policy.CalendarID; id != nil && *id != "" {
		if _, err := s.db.Calendar(ctx, *id); lead.ErrorCode(err) == lead.CodeNotFound {
			return lead.Invalid(lead.FieldError{Field: "policy.calendar_id", Reason: "is not a calendar"})
		} else if err != nil {
			return err
		}
	}
	if ids := pp.Policy.ReturnTo; ids != nil {
		for _, id := range *ids {
			if _, err := s.db.Pool(ctx, strings.ToLower(strings.TrimSpace(id))); lead.ErrorCode(err) == lead.CodeNotFound {
				return lead.Invalid(lead.FieldError{Field: "policy.return_to", Reason: fmt.Sprintf("%s is not a pool", id)})
			} else if err != nil {
				return err
			}
		}
	}
	return compilePolicy(pp.Policy)
}

// CreatePool creates the pool b describes (admins).
func (s *Service) CreatePool(ctx context.Context, me lead.User, b PoolChange) (lead.Pool, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return lead.Pool{}, err
	}
	pp, owner, err := b.Patch()
	if err != nil {
		return lead.Pool{}, err
	}
	if err := s.checkPolicy(ctx, pp); err != nil {
		return lead.Pool{}, err
	}
	p := lead.Pool{ID: uuid.Must(uuid.NewV7()).String()}
	pp.Apply(&p)
	if owner != nil {
		p.OwnerID = *owner
	}
	return s.db.CreatePool(ctx, p)
}

// PoolVisible is the rule of who may see a pool: admins and managers see
// every pool; a rep sees the pools they may claim from (lead.PoolAccessOf).
// store.PoolFilter.VisibleTo is its SQL twin.
func PoolVisible(me lead.User, p lead.Pool) bool {
	pa := lead.PoolAccessOf(me, p)
	return Allowed(me, GateStaff) == nil || pa.Member || pa.Admin
}

// Pools lists pools oldest first as f selects; reps get the pools
// PoolVisible lets them see (f.VisibleTo is theirs whatever it says).
func (s *Service) Pools(ctx context.Context, me lead.User, f store.PoolFilter) ([]lead.Pool, string, error) {
	if Allowed(me, GateStaff) != nil {
		f.VisibleTo = me.ID
	}
	return s.db.Pools(ctx, f)
}

// Pool is pool id, when me may see it.
func (s *Service) Pool(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	p, err := s.db.Pool(ctx, id)
	if err != nil {
		return p, err
	}
	if !PoolVisible(me, p) {
		return p, lead.Errorf(lead.CodeForbidden, "reps may only read the global and country pools and the pools they belong to")
	}
	return p, nil
}

// staffPool is pool id for me, a manager or an admin whom may (the
// operation's access rule) lets through.
func (s *Service) staffPool(ctx context.Context, me lead.User, id string, may func(lead.Pool) error) (lead.Pool, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Pool{}, err
	}
	p, err := s.db.Pool(ctx, id)
	if err != nil {
		return p, err
	}
	return p, may(p)
}

// ManagedPool is pool id when me may manage it: admins any pool, managers
// the pools they administer.
func (s *Service) ManagedPool(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	return s.staffPool(ctx, me, id, func(p lead.Pool) error {
		return lead.AuthorizePool(lead.ActManagePool, me, lead.PoolAccessOf(me, p))
	})
}

// UpdatePool applies b as a merge patch of pool id for me: absent fields
// stay, null clears, policy fields are patched one by one, and
// lead.AuthorizePoolPatch decides which fields me may set. It re-arms the
// timers of the pool's running leads when the policy changed.
func (s *Service) UpdatePool(ctx context.Context, me lead.User, id string, b PoolChange) (lead.Pool, error) {
	p, err := s.ManagedPool(ctx, me, id)
	if err != nil {
		return p, err
	}
	pp, owner, err := b.Patch()
	if err != nil {
		return p, err
	}
	if err := lead.AuthorizePoolPatch(me, lead.PoolAccessOf(me, p), pp); err != nil {
		return p, err
	}
	if err := s.checkPolicy(ctx, pp); err != nil {
		return p, err
	}
	if owner != nil && !strings.EqualFold(strings.TrimSpace(*owner), p.OwnerID) {
		return p, lead.Invalid(lead.FieldError{Field: "owner_id", Reason: "change the owner with POST /api/v1/pools/" + p.ID + "/transfer-ownership"})
	}
	updated, err := s.db.UpdatePool(ctx, p.ID, pp)
	if err != nil {
		return p, err
	}
	// Running leads of the pool re-arm their timers from the new policy: a
	// workflow signals them, the answer does not wait. A patch that names
	// the policy fans it out even when nothing changed, so that retrying a
	// request whose fan-out did not start reaches the leads.
	if !reflect.DeepEqual(p.Policy, updated.Policy) || pp.Policy != (lead.PolicyPatch{}) {
		if err := workflows.StartPolicyChange(ctx, s.tc, updated.ID, updated.UpdatedAt.UnixMicro()); err != nil {
			return updated, TemporalError(err)
		}
	}
	return updated, nil
}

// OwnerErr refuses me the transfer of pool p's ownership unless they are
// an admin or its owner.
func OwnerErr(me lead.User, p lead.Pool) error {
	if Allowed(me, GateAdmin) != nil && p.OwnerID != me.ID {
		return lead.Errorf(lead.CodeForbidden, "only admins and the pool's owner may transfer its ownership")
	}
	return nil
}

// OwnedPool is pool id when me may transfer its ownership: admins, and the
// pool's current owner.
func (s *Service) OwnedPool(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	return s.staffPool(ctx, me, id, func(p lead.Pool) error { return OwnerErr(me, p) })
}

// TransferPool makes adminID the owner of pool id, for me.
func (s *Service) TransferPool(ctx context.Context, me lead.User, id, adminID string) (lead.Pool, error) {
	p, err := s.OwnedPool(ctx, me, id)
	if err != nil {
		return p, err
	}
	if strings.TrimSpace(adminID) == "" {
		return p, lead.Invalid(lead.FieldError{Field: "admin_id", Reason: "is required"})
	}
	return s.db.TransferPoolOwnership(ctx, p.ID, adminID)
}

// RecipientsPool is pool id when me may manage its recipients: admins any
// pool, managers the pools they administer.
func (s *Service) RecipientsPool(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	return s.staffPool(ctx, me, id, func(p lead.Pool) error {
		return lead.AuthorizePool(lead.ActRecipients, me, lead.PoolAccessOf(me, p))
	})
}

// PoolRecipients are the pool's admins and members with their new-lead
// e-mail flag.
func (s *Service) PoolRecipients(ctx context.Context, me lead.User, id string) ([]lead.Recipient, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, err
	}
	if err := s.PoolFor(ctx, me, lead.ActRecipients, id); err != nil {
		return nil, err
	}
	return s.db.PoolRecipients(ctx, id)
}

// SetPoolRecipients makes ids the new-lead recipients of pool id, for me.
func (s *Service) SetPoolRecipients(ctx context.Context, me lead.User, id string, ids []string) ([]lead.Recipient, error) {
	p, err := s.RecipientsPool(ctx, me, id)
	if err != nil {
		return nil, err
	}
	return s.db.SetPoolRecipients(ctx, p.ID, ids)
}
