package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file stores custom field definitions (lead.FieldDef).

const fieldColumns = `id::text, entity, name, label, type, options, option_list, required, created_at, updated_at`

func scanField(row pgx.Row) (lead.FieldDef, error) {
	var d lead.FieldDef
	err := row.Scan(&d.ID, &d.Entity, &d.Name, &d.Label, &d.Type, &d.Options, &d.OptionList, &d.Required, &d.CreatedAt, &d.UpdatedAt)
	return d, err
}

// Fields returns the custom field definitions of entity ("" for every
// entity), by entity and name.
func (db *DB) Fields(ctx context.Context, entity string) ([]lead.FieldDef, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+fieldColumns+` FROM field_defs WHERE $1 = '' OR entity = $1 ORDER BY entity, name`, entity)
	if err != nil {
		return nil, err
	}
	defs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.FieldDef, error) { return scanField(r) })
	if defs == nil {
		defs = []lead.FieldDef{}
	}
	return defs, err
}

// Field returns one definition.
func (db *DB) Field(ctx context.Context, id string) (lead.FieldDef, error) {
	if !isUUID(id) {
		return lead.FieldDef{}, lead.Errorf(lead.CodeNotFound, "field not found")
	}
	d, err := scanField(db.pool.QueryRow(ctx, `SELECT `+fieldColumns+` FROM field_defs WHERE id = $1`, id))
	return d, notFound(err, "field")
}

// SaveField creates or replaces a definition (call Clean first); a second
// field of the same name on one entity is a conflict.
func (db *DB) SaveField(ctx context.Context, d lead.FieldDef) (lead.FieldDef, error) {
	out, err := scanField(db.pool.QueryRow(ctx, `INSERT INTO field_defs (id, entity, name, label, type, options, option_list, required)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET entity = excluded.entity, name = excluded.name, label = excluded.label, type = excluded.type,
			options = excluded.options, option_list = excluded.option_list, required = excluded.required, updated_at = now()
		RETURNING `+fieldColumns, d.ID, d.Entity, d.Name, d.Label, d.Type, d.Options, d.OptionList, d.Required))
	if isUniqueViolation(err, "field_defs_entity_name_key") {
		return out, lead.Conflict("the field exists", "the "+d.Entity+" already has a field named "+d.Name)
	}
	return out, err
}

// DeleteField deletes a definition; the values already stored stay.
func (db *DB) DeleteField(ctx context.Context, id string) error {
	if !isUUID(id) {
		return lead.Errorf(lead.CodeNotFound, "field not found")
	}
	tag, err := db.pool.Exec(ctx, `DELETE FROM field_defs WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		return lead.Errorf(lead.CodeNotFound, "field not found")
	}
	return err
}

// CustomSchema loads what the custom values of entity are checked against:
// its definitions and the option lists they name (and, for leads, the
// sources and groups lists a lead's channel and group come from).
func (db *DB) CustomSchema(ctx context.Context, entity string) (lead.CustomSchema, error) {
	// One round trip (it is on every create and edit): the definitions and
	// the stored option lists.
	b := &pgx.Batch{}
	var defs []lead.FieldDef
	b.Queue(`SELECT `+fieldColumns+` FROM field_defs WHERE entity = $1 ORDER BY entity, name`, entity).Query(func(rows pgx.Rows) error {
		var err error
		defs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.FieldDef, error) { return scanField(r) })
		return err
	})
	all := queueAllOptions(b)
	if err := db.pool.SendBatch(ctx, b).Close(); err != nil {
		return lead.CustomSchema{}, err
	}
	if defs == nil {
		defs = []lead.FieldDef{}
	}
	s := lead.CustomSchema{Fields: defs, Lists: map[string][]string{}}
	var lists []string
	if entity == lead.EntityLead {
		lists = []string{lead.OptionSources, lead.OptionGroups} // a lead's channel and group
	}
	for _, d := range defs {
		lists = append(lists, d.OptionList)
	}
	for _, name := range lists {
		if name == "" || s.Lists[name] != nil {
			continue
		}
		if err := knownList(name); err != nil {
			return s, err
		}
		s.Lists[name] = all[name]
	}
	return s, nil
}
