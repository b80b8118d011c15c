package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// EditLead changes a lead's details and records the old and new values.
// A new company, main phone or country gives the lead a new dedup key
// (see rekey).
func (db *DB) EditLead(ctx context.Context, e lead.Edit) (lead.Lead, error) {
	m := lead.Move{LeadID: e.LeadID, ActorID: e.ActorID, RequestID: e.RequestID}
	return db.transition(ctx, lead.ActEdit, m, func(tx pgx.Tx, l lead.Lead) error {
		changes := map[string]any{}
		var sets []string
		var args []any
		set := func(col string, from, to any) {
			if fmt.Sprint(from) == fmt.Sprint(to) {
				return
			}
			args = append(args, to)
			sets = append(sets, col+" = $"+strconv.Itoa(len(args)+1))
			changes[col] = map[string]any{"from": from, "to": to}
		}
		list := func(col string, from []string, to *[]string) {
			if to != nil {
				set(col, nonNilStrings(from), nonNilStrings(*to))
			}
		}
		// The text fields by their JSON names, each in the column of that
		// name but the group (lead_group).
		from := map[string]string{"stage": l.Stage, "notes": l.Notes}
		for _, t := range l.Texts() {
			from[t.Name] = *t.V
		}
		for _, t := range append(e.Texts(), lead.Text{Name: "notes", V: e.Notes}) {
			if t.V == nil {
				continue
			}
			col := t.Name
			if col == "group" {
				col = "lead_group"
			}
			set(col, from[t.Name], *t.V)
		}
		if _, ok := changes["company"]; ok || changes["phone"] != nil || changes["country"] != nil {
			derived, err := rekey(ctx, tx, l, e)
			if err != nil {
				return err
			}
			for _, d := range derived {
				args = append(args, d.v)
				sets = append(sets, d.col+" = $"+strconv.Itoa(len(args)+1))
			}
		}
		list("phones", l.Phones, e.Phones)
		list("emails", l.Emails, e.Emails)
		list("tags", l.Tags, e.Tags)
		if e.Custom != nil {
			merged := map[string]any{}
			for k, v := range l.Custom {
				merged[k] = v
			}
			for k, v := range *e.Custom {
				if v == nil {
					delete(merged, k) // null removes a custom field
				} else {
					merged[k] = v
				}
			}
			b, err := json.Marshal(merged)
			if err != nil {
				return err
			}
			if fmt.Sprint(merged) != fmt.Sprint(nonNilMap(l.Custom)) {
				args = append(args, b)
				sets = append(sets, "custom = $"+strconv.Itoa(len(args)+1))
				changes["custom"] = map[string]any{"from": nonNilMap(l.Custom), "to": merged}
			}
		}
		if len(sets) == 0 {
			return nil
		}
		q := `UPDATE leads SET ` + strings.Join(sets, ", ") + `, updated_at = now() WHERE id = $1`
		if _, err := tx.Exec(ctx, q, append([]any{l.ID}, args...)...); err != nil {
			if isUniqueViolation(err, "leads_live_dedup_key") {
				return lead.Conflict("the edit would make the lead a duplicate", "a live lead has the same company, phone and country")
			}
			return err
		}
		return insertEvent(ctx, tx, lead.Event{LeadID: l.ID, Type: lead.EventEdited, ActorID: e.ActorID, Data: changes}, e.RequestID)
	})
}
