package service

import (
	"context"
	"fmt"
	"net/url"

	"github.com/leadflow/leadflow/lead"
)

// Archiving pools (issue 28): admins archive an empty pool (hidden from
// distribution, tabs and pickers, kept for history) and restore it. A
// pool that still holds leads is refused with their number and the lead
// list of that pool, where they are moved out (ArchiveLink).

// ArchiveLink is the console's list of the leads pool id still holds.
func ArchiveLink(id string) string {
	return "/leads?pool_id=" + url.QueryEscape(id)
}

// definedPool is pool id when me may define it (admins).
func (s *Service) definedPool(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	return s.staffPool(ctx, me, id, func(p lead.Pool) error {
		return lead.AuthorizePool(lead.ActDefinePool, me, lead.PoolAccessOf(me, p))
	})
}

// ArchivePool archives pool id for me when it holds no live lead.
func (s *Service) ArchivePool(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	p, err := s.definedPool(ctx, me, id)
	if err != nil {
		return p, err
	}
	if p.ID == lead.DefaultPoolID {
		return p, lead.Conflict("the pool cannot be archived", "it is the default pool, where leads go when no rule routes them")
	}
	out, held, err := s.db.ArchivePool(ctx, p.ID)
	if err != nil {
		return out, err
	}
	if held > 0 {
		return out, lead.Conflict("the pool still holds leads",
			fmt.Sprintf("%d leads are still in the pool", held),
			"transfer them to another pool first: "+ArchiveLink(p.ID))
	}
	return out, nil
}

// RestorePool makes archived pool id live again, for me.
func (s *Service) RestorePool(ctx context.Context, me lead.User, id string) (lead.Pool, error) {
	p, err := s.definedPool(ctx, me, id)
	if err != nil {
		return p, err
	}
	return s.db.RestorePool(ctx, p.ID)
}
