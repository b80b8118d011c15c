package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// OpenLead records that rep userID opens lead leadID of pool poolID today
// (UTC), whose policy lets one rep open limit of its unclaimed leads a day
// (policy.daily_open_limit): a lead opened already today is free; past
// the limit the open is refused (a conflict with the reason) and not
// recorded. The rep's opens are serialised, so two at once cannot both
// take the last one.
func (db *DB) OpenLead(ctx context.Context, userID, leadID, poolID string, limit int) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 29))`, userID); err != nil {
			return err
		}
		var seen bool
		var opened int
		if err := tx.QueryRow(ctx, `SELECT
				EXISTS (SELECT 1 FROM lead_opens WHERE user_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date AND lead_id = $2),
				(SELECT count(*) FROM lead_opens WHERE user_id = $1 AND pool_id = $3 AND day = (now() AT TIME ZONE 'UTC')::date)`,
			userID, leadID, poolID).Scan(&seen, &opened); err != nil {
			return err
		}
		if seen {
			return nil
		}
		if opened >= limit {
			return lead.Conflict("the lead cannot be opened",
				fmt.Sprintf("daily open limit reached: %d of the %d unclaimed leads of this pool one rep may open a day (daily_open_limit); claim one or come back tomorrow", opened, limit))
		}
		_, err := tx.Exec(ctx, `INSERT INTO lead_opens (user_id, day, lead_id, pool_id) VALUES ($1, (now() AT TIME ZONE 'UTC')::date, $2, $3)
			ON CONFLICT DO NOTHING`, userID, leadID, poolID)
		return err
	})
}
