package service

import (
	"context"

	"github.com/leadflow/leadflow/lead"
)

// This file is the service's side of the access model (lead/access.go): a
// lead outside the user's view is not found, an action the user may not
// do is forbidden, one from the wrong status a conflict. The workflow and
// the store check again, atomically.

// LeadFor returns lead id when user me may do act on it.
func (s *Service) LeadFor(ctx context.Context, me lead.User, id string, act lead.Action) (lead.Lead, error) {
	return s.db.LeadFor(ctx, id, me, act)
}

// PoolFor checks that user me may do the pool action act on pool poolID.
func (s *Service) PoolFor(ctx context.Context, me lead.User, act lead.Action, poolID string) error {
	pa, err := s.db.PoolAccess(ctx, me, poolID)
	if err != nil {
		return err
	}
	return lead.AuthorizePool(act, me, pa)
}
