package service

import (
	"context"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// Location is the time zone u sees times in: their own (User.TimeZone),
// else their team's (Team.TimeZone), else the server's default
// (Config.TimeZone: LEADFLOW_TIME_ZONE, else time.Local). A zone that no
// longer loads, or a team that cannot be read, falls through to the next.
func (s *Service) Location(ctx context.Context, u lead.User) *time.Location {
	if loc, err := lead.LoadZone(u.TimeZone); u.TimeZone != "" && err == nil {
		return loc
	}
	if u.TeamID != "" {
		if t, err := s.db.Team(ctx, u.TeamID); err == nil && t.TimeZone != "" {
			if loc, err := lead.LoadZone(t.TimeZone); err == nil {
				return loc
			}
		}
	}
	return s.cfg.TimeZone
}
