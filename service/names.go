package service

import (
	"context"

	"github.com/leadflow/leadflow/lead"
)

// This file names things for pages: users and pools by id, and the
// directory of users the console's forms choose from.

// Directory is every user (at most 1,000), for the names on pages and the
// choices of their forms: everyone signed in reads it; each page shows
// only what its role may see of it.
func (s *Service) Directory(ctx context.Context, me lead.User) ([]lead.User, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return nil, err
	}
	users, _, err := s.db.Users(ctx, 1000, "")
	return users, err
}

// UserName is the name of user id ("" for none or an unknown one).
func (s *Service) UserName(ctx context.Context, id string) string {
	return s.userName(ctx, map[string]string{}, id)
}

// PoolName is the name of pool id ("" for none or an unknown one).
func (s *Service) PoolName(ctx context.Context, id string) string {
	return s.poolName(ctx, map[string]string{}, id)
}
