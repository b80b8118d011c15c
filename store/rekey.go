package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// column is one derived column an edit sets.
type column struct {
	col string
	v   any
}

// rekey recomputes what the company, main phone and country decide (the
// phone in E.164, the normalised company, the dedup key) for an edit of
// them, and refuses the edit when another live lead has the new key: a
// conflict that names that lead only when the editor may see it. A lead
// that was a tolerated duplicate (warn policy) and gets a key of its own
// is no longer one.
func rekey(ctx context.Context, tx pgx.Tx, l lead.Lead, e lead.Edit) ([]column, error) {
	company, phone, country := l.Company, l.Phone, l.Country
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&company, e.Company}, {&phone, e.Phone}, {&country, e.Country}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	p := lead.ParsePhone(phone, country)
	key := lead.DedupKey(company, p.E164, country)
	out := []column{{"phone_e164", p.E164}, {"company_key", lead.NormalizeCompany(company)}, {"dedup_key", key}}
	if key == l.DedupKey {
		return out, nil
	}
	out = append(out, column{"duplicate_of", nil})
	if key == "" {
		return out, nil
	}
	l.DedupKey = key
	dup, err := findDuplicate(ctx, tx, l)
	if err != nil || dup == "" {
		return out, err
	}
	reason := "a live lead has the same company, phone and country"
	if e.ActorID != "" {
		actor, err := userTx(ctx, tx, e.ActorID)
		if err != nil {
			return nil, err
		}
		other, err := scanLead(tx.QueryRow(ctx, `SELECT `+leadColumns+` FROM `+leadFrom+` WHERE l.id = $1`, dup))
		if err != nil {
			return nil, err
		}
		r, err := relation(ctx, tx, actor, other)
		if err != nil {
			return nil, err
		}
		if lead.Visible(r, other.Status) {
			reason += ": lead " + dup
		}
	}
	return nil, lead.Conflict("the edit would make the lead a duplicate", reason)
}
