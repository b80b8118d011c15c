package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/leadflow/leadflow/lead"
)

// This file is the business-hours calendars of migration 026: the
// current version of each in calendars, every version in
// calendar_versions.

// calendarBody is what calendars.body holds.
type calendarBody struct {
	TimeZone         string                       `json:"time_zone"`
	WorkingHours     map[string][]lead.ClockRange `json:"working_hours"`
	Holidays         []string                     `json:"holidays"`
	ExtraWorkingDays []string                     `json:"extra_working_days"`
}

func bodyOf(c lead.Calendar) calendarBody {
	return calendarBody{TimeZone: c.TimeZone, WorkingHours: c.WorkingHours, Holidays: c.Holidays, ExtraWorkingDays: c.ExtraWorkingDays}
}

const calendarColumns = `id::text, name, is_default, version, body, created_at, updated_at`

func scanCalendar(r pgx.Row) (lead.Calendar, error) {
	var c lead.Calendar
	var b calendarBody
	err := r.Scan(&c.ID, &c.Name, &c.Default, &c.Version, &b, &c.CreatedAt, &c.UpdatedAt)
	c.TimeZone, c.WorkingHours, c.Holidays, c.ExtraWorkingDays = b.TimeZone, b.WorkingHours, b.Holidays, b.ExtraWorkingDays
	return c, err
}

// errCalendarName is the refusal of a name another calendar has.
var errCalendarName = lead.Invalid(lead.FieldError{Field: "name", Reason: "another calendar has this name"})

// CreateCalendar stores calendar c as its version 1, by user by, once per
// id: a second call with the id (a retried request) answers the first.
// Made the default, it takes the place of the one before.
func (db *DB) CreateCalendar(ctx context.Context, c lead.Calendar, by string) (lead.Calendar, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if c.Default {
			if _, err := tx.Exec(ctx, `UPDATE calendars SET is_default = false WHERE is_default AND id <> $1`, c.ID); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `INSERT INTO calendars (id, name, is_default, body) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO NOTHING`, c.ID, c.Name, c.Default, bodyOf(c))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return saveCalendarVersion(ctx, tx, c.ID, by)
	})
	if err != nil {
		return c, calendarErr(err)
	}
	return db.Calendar(ctx, c.ID)
}

// UpdateCalendar saves c as the next version of its calendar when that
// calendar is still at version c.Version (else a conflict: someone saved
// in between), and answers it.
func (db *DB) UpdateCalendar(ctx context.Context, c lead.Calendar, by string) (lead.Calendar, error) {
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if c.Default {
			if _, err := tx.Exec(ctx, `UPDATE calendars SET is_default = false WHERE is_default AND id <> $1`, c.ID); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE calendars SET name = $3, is_default = $4, body = $5, version = version + 1, updated_at = now()
			WHERE id = $1 AND version = $2`, c.ID, c.Version, c.Name, c.Default, bodyOf(c))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return lead.Errorf(lead.CodeConflict, "the calendar changed since version %d; load it again", c.Version)
		}
		return saveCalendarVersion(ctx, tx, c.ID, by)
	})
	if err != nil {
		return c, calendarErr(err)
	}
	return db.Calendar(ctx, c.ID)
}

// saveCalendarVersion copies calendar id as it is now into calendar_versions.
func saveCalendarVersion(ctx context.Context, tx pgx.Tx, id, by string) error {
	_, err := tx.Exec(ctx, `INSERT INTO calendar_versions (calendar_id, version, body, created_by)
		SELECT id, version, jsonb_build_object('id', id, 'name', name, 'default', is_default, 'version', version,
			'created_at', created_at, 'updated_at', updated_at) || body, nullif($2, '')::uuid
		FROM calendars WHERE id = $1`, id, by)
	return err
}

func calendarErr(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.ConstraintName == "calendars_name_idx" {
		return errCalendarName
	}
	return err
}

// Calendar returns a calendar as it is now.
func (db *DB) Calendar(ctx context.Context, id string) (lead.Calendar, error) {
	if !isUUID(id) {
		return lead.Calendar{}, lead.Errorf(lead.CodeNotFound, "calendar not found")
	}
	c, err := scanCalendar(db.pool.QueryRow(ctx, `SELECT `+calendarColumns+` FROM calendars WHERE id = $1`, id))
	return c, notFound(err, "calendar")
}

// Calendars lists every calendar by name.
func (db *DB) Calendars(ctx context.Context) ([]lead.Calendar, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+calendarColumns+` FROM calendars ORDER BY lower(name), id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Calendar, error) { return scanCalendar(r) })
}

// CalendarVersions lists a calendar's versions, the newest first.
func (db *DB) CalendarVersions(ctx context.Context, id string) ([]lead.CalendarVersion, error) {
	rows, err := db.pool.Query(ctx, `SELECT body, coalesce(created_by::text, '') FROM calendar_versions
		WHERE calendar_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.CalendarVersion, error) {
		var v lead.CalendarVersion
		var body []byte
		if err := r.Scan(&body, &v.CreatedBy); err != nil {
			return v, err
		}
		return v, json.Unmarshal(body, &v.Calendar)
	})
}

// calendarJSON is calendar row c as lead.Calendar's JSON.
const calendarJSON = `jsonb_build_object('id', c.id, 'name', c.name, 'default', c.is_default, 'version', c.version,
	'created_at', c.created_at, 'updated_at', c.updated_at) || c.body`

// poolPolicy is the policy of pool p as a lead carries it: with, when a
// timer counts working time, the calendar it counts on as its "calendar"
// (the pool's, else its team's, else the default; none when there is
// none). Only such a policy pays for the calendar's lookup: its text says
// "working" (a span such as "3 working days", or
// distribute_in_working_hours).
const poolPolicy = `CASE WHEN p.policy::text LIKE '%working%' THEN p.policy || jsonb_build_object('calendar', (SELECT ` + calendarJSON + ` ` + poolCalendar + `))
	ELSE p.policy END`

// poolCalendar is the FROM … LIMIT 1 of the calendar pool p counts on:
// its own (policy.calendar_id), else its team's, else the default.
const poolCalendar = `FROM calendars c WHERE c.id = coalesce(nullif(p.policy->>'calendar_id', '')::uuid,
	(SELECT t.calendar_id FROM teams t WHERE t.id = p.team_id)) OR c.is_default ORDER BY c.is_default LIMIT 1`

// TouchTeamPools makes a new policy revision of every pool of team id
// that counts working time (its calendar may have changed), and answers them.
func (db *DB) TouchTeamPools(ctx context.Context, teamID string) ([]PoolRevision, error) {
	return db.touchPools(ctx, `p.team_id = $1::uuid`, teamID)
}

// PoolRevision is a pool's policy revision (its updated_at), as
// LiveLeadsPage reads it.
type PoolRevision struct {
	PoolID  string
	Version int64
}

// TouchPoolsOnCalendar makes a new policy revision of every pool whose
// working-time timers count on calendar id (their own, their team's or
// the default), so that their running leads re-arm on the calendar as it
// is now, and answers them.
func (db *DB) TouchPoolsOnCalendar(ctx context.Context, id string) ([]PoolRevision, error) {
	return db.touchPools(ctx, `$1::uuid = (SELECT c.id `+poolCalendar+`)`, id)
}

// touchPools makes a new policy revision of the working-time pools that
// where (over pools p, with $1 = arg) selects.
func (db *DB) touchPools(ctx context.Context, where string, arg string) ([]PoolRevision, error) {
	rows, err := db.pool.Query(ctx, `UPDATE pools p SET updated_at = clock_timestamp()
		WHERE p.policy::text LIKE '%working%' AND `+where+` RETURNING p.id::text, p.updated_at`, arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (PoolRevision, error) {
		var p PoolRevision
		var at time.Time
		err := r.Scan(&p.PoolID, &at)
		p.Version = at.UnixMicro()
		return p, err
	})
}
