package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// MailUser is a user as the e-mail activity needs them.
type MailUser struct {
	lead.User
	OptOut []string
	// TeamZone is the time zone of the user's team ("" for none).
	TeamZone string
}

// MailUsers returns the users with these ids (unknown ids are left out),
// in the order given.
func (db *DB) MailUsers(ctx context.Context, ids []string) ([]MailUser, error) {
	var valid []string
	for _, id := range ids {
		if isUUID(id) && !slices.Contains(valid, id) {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+userColumns+`, email_opt_out,
		coalesce((SELECT t.time_zone FROM teams t WHERE t.id = users.team_id), '')
		FROM users WHERE id = ANY($1::text[]::uuid[])`, valid)
	if err != nil {
		return nil, err
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MailUser, error) {
		var u MailUser
		err := r.Scan(append(userFields(&u.User), &u.OptOut, &u.TeamZone)...)
		return u, err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(users, func(a, b MailUser) int { return slices.Index(valid, a.ID) - slices.Index(valid, b.ID) })
	return users, nil
}

// PoolRecipients lists a pool's admins and members with their new-lead
// e-mail flag, in the order they were added.
func (db *DB) PoolRecipients(ctx context.Context, poolID string) ([]lead.Recipient, error) {
	return db.recipients(ctx, poolRecipients, poolID)
}

// TeamRecipients lists a team's members with their new-lead e-mail flag,
// in the order they were added.
func (db *DB) TeamRecipients(ctx context.Context, teamID string) ([]lead.Recipient, error) {
	return db.recipients(ctx, teamRecipients, teamID)
}

// SetPoolRecipients makes exactly userIDs (admins or members of the pool)
// the pool's new-lead recipients. With none, the next user added to the
// pool becomes the default recipient (seed 003).
func (db *DB) SetPoolRecipients(ctx context.Context, poolID string, userIDs []string) ([]lead.Recipient, error) {
	return db.setRecipients(ctx, poolRecipients, poolID, userIDs)
}

// SetTeamRecipients makes exactly userIDs (members of the team) the team's
// new-lead recipients.
func (db *DB) SetTeamRecipients(ctx context.Context, teamID string, userIDs []string) ([]lead.Recipient, error) {
	return db.setRecipients(ctx, teamRecipients, teamID, userIDs)
}

// recipientTable is where the new-lead recipients of a pool or a team are
// kept, and who may be one.
type recipientTable struct {
	table, owner string                                   // the table and its owner's column
	exists       func(context.Context, *DB, string) error // not found when the owner is missing
	list         string                                   // the people with their flag, of owner $1
	people       string                                   // the ids of the users who may be recipients, of owner $1
	of           string                                   // who they are, for the error
}

var (
	poolRecipients = recipientTable{table: "pool_recipients", owner: "pool_id",
		exists: func(ctx context.Context, db *DB, id string) error { _, err := db.Pool(ctx, id); return err },
		list: `SELECT u.id::text, u.name, u.email, coalesce(r.notify, false), coalesce(r.added_at, u.created_at)
			FROM users u LEFT JOIN pool_recipients r ON r.pool_id = $1 AND r.user_id = u.id
			WHERE u.id IN (SELECT user_id FROM pool_members WHERE pool_id = $1)
			ORDER BY 5, u.id`,
		people: `SELECT DISTINCT user_id::text FROM pool_members WHERE pool_id = $1`, of: "of the pool's admins or members"}
	teamRecipients = recipientTable{table: "team_recipients", owner: "team_id",
		exists: func(ctx context.Context, db *DB, id string) error { _, err := db.Team(ctx, id); return err },
		list: `SELECT u.id::text, u.name, u.email, coalesce(r.notify, false), coalesce(r.added_at, u.created_at)
			FROM users u LEFT JOIN team_recipients r ON r.team_id = $1 AND r.user_id = u.id
			WHERE u.team_id = $1
			ORDER BY 5, u.id`,
		people: `SELECT id::text FROM users WHERE team_id = $1`, of: "of the team's members"}
)

// recipients lists the people of ownerID with their new-lead flag.
func (db *DB) recipients(ctx context.Context, t recipientTable, ownerID string) ([]lead.Recipient, error) {
	if err := t.exists(ctx, db, ownerID); err != nil {
		return nil, err
	}
	rows, err := db.pool.Query(ctx, t.list, ownerID)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Recipient, error) {
		var x lead.Recipient
		err := r.Scan(&x.UserID, &x.Name, &x.Email, &x.Notify, &x.AddedAt)
		return x, err
	})
	if out == nil {
		out = []lead.Recipient{}
	}
	return out, err
}

// setRecipients makes exactly userIDs the new-lead recipients of ownerID
// in one transaction, under the advisory lock the trigger that flags the
// first user added takes too, and returns the new list.
func (db *DB) setRecipients(ctx context.Context, t recipientTable, ownerID string, userIDs []string) ([]lead.Recipient, error) {
	if err := t.exists(ctx, db, ownerID); err != nil {
		return nil, err
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('`+t.table+`'), hashtext($1::text))`, ownerID); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, t.people, ownerID)
		if err != nil {
			return err
		}
		people, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		ids, err := checkRecipients(userIDs, people, t.of)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO `+t.table+` (`+t.owner+`, user_id, notify)
			SELECT $1::uuid, p::uuid, p = ANY($3::text[]) FROM unnest($2::text[]) p
			ON CONFLICT (`+t.owner+`, user_id) DO UPDATE SET notify = excluded.notify`, ownerID, people, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.recipients(ctx, t, ownerID)
}

// checkRecipients normalises ids and refuses those not among people.
func checkRecipients(ids, people []string, of string) ([]string, error) {
	var bad lead.Fields
	out := []string{}
	for _, id := range ids {
		id = strings.ToLower(strings.TrimSpace(id))
		switch {
		case !isUUID(id):
			bad.Add("user_ids", fmt.Sprintf("%q is not a user id", id))
		case !slices.Contains(people, id):
			bad.Add("user_ids", fmt.Sprintf("user %s is not one %s", id, of))
		case !slices.Contains(out, id):
			out = append(out, id)
		}
	}
	return out, bad.Err()
}

// newLeadRecipientRows selects (user_id, added_at) of the active users
// flagged to hear of new leads in the pool whose id is the SQL expression
// pool: its own designated recipients and, for a team pool, the team's
// (a user may appear twice).
func newLeadRecipientRows(pool string) string {
	return `SELECT x.user_id, x.added_at FROM (
			SELECT r.user_id, r.added_at FROM pool_recipients r
			WHERE r.pool_id = ` + pool + ` AND r.notify AND EXISTS (SELECT 1 FROM pool_members m WHERE m.pool_id = r.pool_id AND m.user_id = r.user_id)
			UNION ALL
			SELECT r.user_id, r.added_at FROM pools p JOIN team_recipients r ON r.team_id = p.team_id
			JOIN users tu ON tu.id = r.user_id AND tu.team_id = r.team_id
			WHERE p.id = ` + pool + ` AND p.scope = 'team' AND r.notify
		) x JOIN users u ON u.id = x.user_id
		WHERE u.active`
}

// NewLeadRecipients returns the active users flagged to hear of new leads
// in a pool: its own designated recipients and, for a team pool, the
// team's.
func (db *DB) NewLeadRecipients(ctx context.Context, poolID string) ([]string, error) {
	if !isUUID(poolID) {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT user_id::text FROM (`+newLeadRecipientRows("$1")+`) r
		GROUP BY user_id ORDER BY min(added_at), user_id`, poolID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// EscalationRecipients returns the active admins of a pool; a pool without
// any (the default pool) escalates to the installation's active admins.
func (db *DB) EscalationRecipients(ctx context.Context, poolID string) ([]string, error) {
	var ids []string
	if isUUID(poolID) {
		rows, err := db.pool.Query(ctx, `SELECT u.id::text FROM pool_members m JOIN users u ON u.id = m.user_id
			WHERE m.pool_id = $1 AND m.role = 'admin' AND u.active ORDER BY u.created_at, u.id`, poolID)
		if err != nil {
			return nil, err
		}
		if ids, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return nil, err
		}
	}
	if len(ids) > 0 {
		return ids, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id::text FROM users WHERE role = 'admin' AND active ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
