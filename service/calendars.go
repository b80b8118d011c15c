package service

import (
	"context"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// Business-hours calendars (issue 29): admins keep them, managers read
// them. Each change is a new version; the working-time arithmetic on them
// is lead.Calendar's.

// CalendarChange is the body of a calendar's create (name and
// working_hours required) or patch (absent fields are left as they are).
type CalendarChange struct {
	Name             *string                       `json:"name"`
	TimeZone         *string                       `json:"time_zone"`
	WorkingHours     *map[string][]lead.ClockRange `json:"working_hours"`
	Holidays         *[]string                     `json:"holidays"`
	ExtraWorkingDays *[]string                     `json:"extra_working_days"`
	Default          *bool                         `json:"default"`
	// Version is the version the patch was made on (optional): a patch of
	// an older version is refused rather than undoing a change it never saw.
	Version *int `json:"version"`
}

// apply copies the change onto c.
func (in CalendarChange) apply(c *lead.Calendar) {
	for _, f := range []struct {
		to   *string
		from *string
	}{{&c.Name, in.Name}, {&c.TimeZone, in.TimeZone}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if in.WorkingHours != nil {
		c.WorkingHours = *in.WorkingHours
	}
	if in.Holidays != nil {
		c.Holidays = *in.Holidays
	}
	if in.ExtraWorkingDays != nil {
		c.ExtraWorkingDays = *in.ExtraWorkingDays
	}
	if in.Default != nil {
		c.Default = *in.Default
	}
}

// CreateCalendar saves a new calendar as its version 1. key is the
// request's idempotency key: a retry answers the same calendar.
func (s *Service) CreateCalendar(ctx context.Context, me lead.User, key string, in CalendarChange) (lead.Calendar, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return lead.Calendar{}, err
	}
	c := lead.Calendar{ID: LeadID(key, "calendar\x00"+me.ID)}
	in.apply(&c)
	if err := c.Clean(); err != nil {
		return c, err
	}
	out, err := s.db.CreateCalendar(ctx, c, me.ID)
	if err != nil || !out.Default {
		return out, err
	}
	return out, s.rearmCalendar(ctx, out.ID) // the pools that counted on the old default
}

// UpdateCalendar saves a change of calendar id as its next version.
func (s *Service) UpdateCalendar(ctx context.Context, me lead.User, id string, in CalendarChange) (lead.Calendar, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return lead.Calendar{}, err
	}
	c, err := s.db.Calendar(ctx, id)
	if err != nil {
		return c, err
	}
	if in.Version != nil && *in.Version != c.Version {
		return c, lead.Errorf(lead.CodeConflict, "the calendar is at version %d, not %d; load it again", c.Version, *in.Version)
	}
	in.apply(&c)
	if err := c.Clean(); err != nil {
		return c, err
	}
	out, err := s.db.UpdateCalendar(ctx, c, me.ID)
	if err != nil {
		return out, err
	}
	return out, s.rearmCalendar(ctx, out.ID)
}

// rearmCalendar re-arms the timers of the running leads of every pool
// that counts working time on calendar id, as a policy change does
// (workflows.StartPolicyChange on a new revision of each pool).
func (s *Service) rearmCalendar(ctx context.Context, id string) error {
	pools, err := s.db.TouchPoolsOnCalendar(ctx, id)
	return s.rearm(ctx, pools, err)
}

// rearmTeamPools re-arms the running leads of team id's working-time
// pools (its calendar changed).
func (s *Service) rearmTeamPools(ctx context.Context, id string) error {
	pools, err := s.db.TouchTeamPools(ctx, id)
	return s.rearm(ctx, pools, err)
}

// rearm starts the policy fan-out of each pool revision.
func (s *Service) rearm(ctx context.Context, pools []store.PoolRevision, err error) error {
	if err != nil {
		return err
	}
	for _, p := range pools {
		if err := workflows.StartPolicyChange(ctx, s.tc, p.PoolID, p.Version); err != nil {
			return TemporalError(err)
		}
	}
	return nil
}

// ImportCalendarDays adds the holidays and worked days of an iCalendar
// file (lead.ParseICS) to calendar id, as its next version.
func (s *Service) ImportCalendarDays(ctx context.Context, me lead.User, id string, ics []byte) (lead.Calendar, error) {
	holidays, workdays, err := lead.ParseICS(ics)
	if err != nil {
		return lead.Calendar{}, lead.Invalid(lead.FieldError{Field: "file", Reason: err.Error()})
	}
	c, err := s.Calendar(ctx, me, id)
	if err != nil {
		return c, err
	}
	holidays, workdays = append(c.Holidays, holidays...), append(c.ExtraWorkingDays, workdays...)
	return s.UpdateCalendar(ctx, me, id, CalendarChange{Holidays: &holidays, ExtraWorkingDays: &workdays, Version: &c.Version})
}

// Calendar is one calendar as it is now.
func (s *Service) Calendar(ctx context.Context, me lead.User, id string) (lead.Calendar, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Calendar{}, err
	}
	return s.db.Calendar(ctx, id)
}

// Calendars lists every calendar by name.
func (s *Service) Calendars(ctx context.Context, me lead.User) ([]lead.Calendar, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, err
	}
	out, err := s.db.Calendars(ctx)
	if out == nil {
		out = []lead.Calendar{}
	}
	return out, err
}

// CalendarVersions lists calendar id's versions, the newest first.
func (s *Service) CalendarVersions(ctx context.Context, me lead.User, id string) ([]lead.CalendarVersion, error) {
	if _, err := s.Calendar(ctx, me, id); err != nil {
		return nil, err
	}
	return s.db.CalendarVersions(ctx, id)
}
