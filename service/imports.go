package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
)

// The imports: preview a file, start an import, list and read them, and
// the file of the rows to fix. Admins and managers import (GateImport),
// a manager into a pool they administer.

// Upload is a read import file with the user's choices.
type Upload struct {
	Name  string
	Data  []byte
	Sheet *sheet.Table
	// Mapping is the user's column mapping, nil when none was given.
	Mapping sheet.Mapping
}

// ImportPreview is what the field-matching step of a console shows.
type ImportPreview struct {
	FileName         string            `json:"file_name"`
	Format           sheet.Format      `json:"format"`
	Headers          []string          `json:"headers"`
	Rows             int               `json:"rows"`
	SuggestedMapping sheet.Mapping     `json:"suggested_mapping"`
	Mapping          sheet.Mapping     `json:"mapping,omitempty"`
	MappingErrors    []lead.FieldError `json:"mapping_errors,omitempty"`
	Fields           []sheet.Field     `json:"fields"`
	Sample           []PreviewRow      `json:"sample"`
}

// PreviewRow is one row of a preview: the lead it makes, or what is wrong.
type PreviewRow struct {
	Row    int               `json:"row"`
	Lead   *lead.Input       `json:"lead,omitempty"`
	Errors []lead.FieldError `json:"errors,omitempty"`
}

// previewSample is how many rows a preview maps.
const previewSample = 10

// PreviewImport answers u's headers, the suggested mapping and the first
// rows as leads, without importing anything.
func (s *Service) PreviewImport(ctx context.Context, me lead.User, u Upload) (ImportPreview, error) {
	if err := Allowed(me, GateImport); err != nil {
		return ImportPreview{}, err
	}
	p := ImportPreview{FileName: u.Name, Format: u.Sheet.Format, Headers: u.Sheet.Headers, Rows: len(u.Sheet.Rows),
		SuggestedMapping: sheet.Suggest(u.Sheet.Headers), Fields: sheet.Fields, Sample: []PreviewRow{}}
	m, err := sheet.Resolve(u.Sheet.Headers, u.Mapping)
	if err != nil {
		var e *lead.Error
		if errors.As(err, &e) {
			p.MappingErrors = e.Fields
		}
		return p, nil
	}
	p.Mapping = m
	plan, err := sheet.NewPlan(u.Sheet.Headers, m)
	if err != nil {
		return p, nil
	}
	for _, r := range u.Sheet.Rows[:min(len(u.Sheet.Rows), previewSample)] {
		in, err := plan.Input(r.Cells)
		pr := PreviewRow{Row: r.Num}
		var e *lead.Error
		if errors.As(err, &e) {
			pr.Errors = e.Fields
		} else {
			pr.Lead = &in
		}
		p.Sample = append(p.Sample, pr)
	}
	return p, nil
}

// ImportChoices are the choices of an import besides its file: the pool
// to import into ("" for routing; admins only) and the duplicate policy
// ("" for the import source's).
type ImportChoices struct {
	PoolID          string
	DuplicatePolicy string
}

// StartImport checks me's choices for upload u (the pool, the duplicate
// policy, the column mapping), stores the file's rows and starts the
// ImportWorkflow.
func (s *Service) StartImport(ctx context.Context, me lead.User, u Upload, in ImportChoices) (store.Import, error) {
	if err := Allowed(me, GateImport); err != nil {
		return store.Import{}, err
	}
	var bad lead.Fields
	policy := lead.DuplicatePolicy(strings.TrimSpace(in.DuplicatePolicy))
	if !policy.Valid() {
		bad.Add("duplicate_policy", "must be merge, warn or reject")
	}
	poolID := strings.TrimSpace(in.PoolID)
	switch err := s.PoolFor(ctx, me, lead.ActImport, poolID); {
	case poolID == "" && me.Role != lead.RoleAdmin:
		bad.Add("pool_id", "is required: managers import into a pool they administer")
	case poolID == "":
	case lead.ErrorCode(err) == lead.CodeNotFound:
		bad.Add("pool_id", "is not an existing pool")
	case err != nil:
		return store.Import{}, err
	default:
		if live, err := s.db.LivePoolID(ctx, poolID); err != nil {
			return store.Import{}, err
		} else if live != poolID {
			bad.Add("pool_id", "is an archived pool: restore it first")
		}
	}
	mapping, err := sheet.Resolve(u.Sheet.Headers, u.Mapping)
	if err != nil {
		var e *lead.Error
		if !errors.As(err, &e) {
			return store.Import{}, err
		}
		bad = append(bad, e.Fields...)
	}
	if len(u.Sheet.Rows) == 0 {
		bad.Add("file", "has no data rows below the header row")
	}
	if err := bad.Err(); err != nil {
		return store.Import{}, err
	}

	sum := sha256.Sum256(u.Data)
	im := store.Import{CreatedBy: me.ID, FileName: u.Name,
		Format: string(u.Sheet.Format), FileSHA256: hex.EncodeToString(sum[:]), FileSize: int64(len(u.Data)),
		Headers: u.Sheet.Headers, Mapping: mapping, PoolID: poolID, DuplicatePolicy: string(policy)}
	rows := make([]store.ImportRow, len(u.Sheet.Rows))
	for i, r := range u.Sheet.Rows {
		rows[i] = store.ImportRow{Row: r.Num, Seq: i, Cells: r.Cells}
	}
	return s.imports().launch(ctx, s, func(ctx context.Context, id string) (store.Import, error) {
		im.ID = id
		stored, _, err := s.db.CreateImport(ctx, im, rows)
		return stored, err
	})
}

// Imports are a page of the imports me may see, newest first.
func (s *Service) Imports(ctx context.Context, me lead.User, limit int, cursor string) ([]store.Import, string, error) {
	return s.imports().page(ctx, me, limit, cursor)
}

// Import is import id when me may see it (not found otherwise).
func (s *Service) Import(ctx context.Context, me lead.User, id string) (store.Import, error) {
	return s.imports().own(ctx, s, me, id)
}

// ImportErrors is import id and a CSV of its rows that were rejected,
// failed, or created with a warning: row number, outcome, reason, lead id,
// then the row's own columns, so the rows can be fixed and imported again.
func (s *Service) ImportErrors(ctx context.Context, me lead.User, id string) (store.Import, []byte, error) {
	return s.imports().file(ctx, s, me, id, s.importErrors)
}

// importErrors is the CSV of ImportErrors.
func (s *Service) importErrors(ctx context.Context, im store.Import) ([]byte, error) {
	var buf bytes.Buffer
	header := append([]string{"row", "outcome", "reason", "lead_id"}, im.Headers...)
	w, err := sheet.NewWriter(sheet.CSV, &buf, "", header)
	if err != nil {
		return nil, err
	}
	err = s.db.ImportProblems(ctx, im.ID, func(r store.ImportRow) error {
		outcome := r.Outcome
		if outcome == store.RowCreated {
			outcome = "warning"
		}
		cells := make([]string, 0, len(header))
		cells = append(cells, strconv.Itoa(r.Row), outcome, r.Reason, r.LeadID)
		return w.Write(append(cells, r.Cells...))
	})
	if err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ImportPools are the pools me may import into (lead.ActImport), of the
// first 200 me may see.
func (s *Service) ImportPools(ctx context.Context, me lead.User) ([]lead.Pool, error) {
	if err := Allowed(me, GateImport); err != nil {
		return nil, err
	}
	visibleTo := me.ID
	if me.Role == lead.RoleAdmin {
		visibleTo = "" // every pool
	}
	pools, _, err := s.db.Pools(ctx, store.PoolFilter{VisibleTo: visibleTo, Limit: 200})
	if err != nil {
		return nil, err
	}
	out := pools[:0]
	for _, p := range pools {
		if lead.AuthorizePool(lead.ActImport, me, lead.PoolAccessOf(me, p)) == nil {
			out = append(out, p)
		}
	}
	return out, nil
}
