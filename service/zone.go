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
	team := ""
	if u.TimeZone == "" && u.TeamID != "" {
		if t, err := s.db.Team(ctx, u.TeamID); err == nil {
			team = t.TimeZone
		}
	}
	return lead.UserZone(u.TimeZone, team, s.cfg.TimeZone)
}
