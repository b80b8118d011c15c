package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// importRoles may preview and start imports and list them.
var importRoles = []lead.Role{lead.RoleAdmin, lead.RoleManager}

func (s *Server) routeImports(v1 fiber.Router) {
	staff := s.requireRole(importRoles...)
	v1.Get("/imports/template", s.importTemplate)
	v1.Post("/imports/preview", staff, s.previewImport)
	v1.Post("/imports", staff, s.createImport)
	v1.Get("/imports", staff, s.listImports)
	v1.Get("/imports/:id", s.getImport)
	v1.Get("/imports/:id/errors.csv", s.importErrors)
}

// importView is an import as the API shows it.
type importView struct {
	store.Import
	URL       string `json:"url"`
	ErrorsURL string `json:"errors_url"`
}

func viewImport(im store.Import) importView {
	return importView{Import: im, URL: "/api/v1/imports/" + im.ID, ErrorsURL: "/api/v1/imports/" + im.ID + "/errors.csv"}
}

// upload is a read import file with the caller's choices.
type upload struct {
	name  string
	data  []byte
	sheet *sheet.Table
	user  sheet.Mapping // the caller's mapping, nil when none was sent
}

// readUpload reads the multipart file and mapping of an import request.
func (s *Server) readUpload(c *fiber.Ctx) (*upload, error) {
	if ct := string(c.Request().Header.ContentType()); !strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
		return nil, &problemError{Problem{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Title:  "send the file as multipart/form-data",
			Detail: "fields: file (CSV or XLSX), mapping (JSON object, optional), pool_id, duplicate_policy; got " + ct,
			Errors: []lead.FieldError{{Field: "file", Reason: "is required"}}}}
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, lead.Invalid(lead.FieldError{Field: "file", Reason: "is required: a CSV or XLSX file in the multipart field \"file\""})
	}
	if fh.Size > sheet.MaxFileBytes {
		return nil, tooLarge()
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, sheet.MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > sheet.MaxFileBytes {
		return nil, tooLarge()
	}
	name := fh.Filename
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	table, err := s.readSheet(c, name, data)
	if err != nil {
		return nil, err
	}
	u := &upload{name: name, data: data, sheet: table}
	if v := strings.TrimSpace(c.FormValue("mapping")); v != "" {
		if err := json.Unmarshal([]byte(v), &u.user); err != nil || u.user == nil {
			return nil, lead.Invalid(lead.FieldError{Field: "mapping",
				Reason: `must be a JSON object of column header to lead field, such as {"公司名称":"company","手机":"phone"}`})
		}
	}
	return u, nil
}

func tooLarge() error {
	return &problemError{Problem{Status: fiber.StatusRequestEntityTooLarge, Code: "too_large",
		Title:  "the file is too large",
		Errors: []lead.FieldError{{Field: "file", Reason: "is larger than 20 MB; split it into several files"}}}}
}

// importPreview is what the field-matching step of a console shows.
type importPreview struct {
	FileName         string            `json:"file_name"`
	Format           sheet.Format      `json:"format"`
	Headers          []string          `json:"headers"`
	Rows             int               `json:"rows"`
	SuggestedMapping sheet.Mapping     `json:"suggested_mapping"`
	Mapping          sheet.Mapping     `json:"mapping,omitempty"`
	MappingErrors    []lead.FieldError `json:"mapping_errors,omitempty"`
	Fields           []sheet.Field     `json:"fields"`
	Sample           []previewRow      `json:"sample"`
}

type previewRow struct {
	Row    int               `json:"row"`
	Lead   *lead.Input       `json:"lead,omitempty"`
	Errors []lead.FieldError `json:"errors,omitempty"`
}

// previewSample is how many rows a preview maps.
const previewSample = 10

func preview(u *upload) importPreview {
	p := importPreview{FileName: u.name, Format: u.sheet.Format, Headers: u.sheet.Headers, Rows: len(u.sheet.Rows),
		SuggestedMapping: sheet.Suggest(u.sheet.Headers), Fields: sheet.Fields, Sample: []previewRow{}}
	m, err := sheet.Resolve(u.sheet.Headers, u.user)
	if err != nil {
		var e *lead.Error
		if errors.As(err, &e) {
			p.MappingErrors = e.Fields
		}
		return p
	}
	p.Mapping = m
	plan, err := sheet.NewPlan(u.sheet.Headers, m)
	if err != nil {
		return p
	}
	for _, r := range u.sheet.Rows[:min(len(u.sheet.Rows), previewSample)] {
		in, err := plan.Input(r.Cells)
		pr := previewRow{Row: r.Num}
		var e *lead.Error
		if errors.As(err, &e) {
			pr.Errors = e.Fields
		} else {
			pr.Lead = &in
		}
		p.Sample = append(p.Sample, pr)
	}
	return p
}

// previewImport reads a file and answers its headers, the suggested
// mapping and the first rows as leads, without importing anything.
func (s *Server) previewImport(c *fiber.Ctx) error {
	u, err := s.readUpload(c)
	if err != nil {
		return err
	}
	return c.JSON(preview(u))
}

// createImport stores the file's rows and starts the ImportWorkflow.
func (s *Server) createImport(c *fiber.Ctx) error {
	u, err := s.readUpload(c)
	if err != nil {
		return err
	}
	switch c.FormValue("dry_run") {
	case "", "false":
	case "true":
		return c.JSON(preview(u))
	default:
		return lead.Invalid(lead.FieldError{Field: "dry_run", Reason: "must be true or false"})
	}
	stored, err := s.startImport(c, u, c.FormValue("pool_id"), c.FormValue("duplicate_policy"))
	if err != nil {
		return err
	}
	c.Location("/api/v1/imports/" + stored.ID)
	return c.Status(fiber.StatusAccepted).JSON(viewImport(stored))
}

// startImport checks the caller's choices for upload u (the pool to
// import into, the duplicate policy, the column mapping), stores the
// file's rows and starts the ImportWorkflow. POST /api/v1/imports and the
// console's import form both start imports through it.
func (s *Server) startImport(c *fiber.Ctx, u *upload, poolID, duplicatePolicy string) (store.Import, error) {
	var bad lead.Fields
	policy := lead.DuplicatePolicy(strings.TrimSpace(duplicatePolicy))
	if !policy.Valid() {
		bad.Add("duplicate_policy", "must be merge, warn or reject")
	}
	poolID = strings.TrimSpace(poolID)
	switch err := s.poolFor(c, lead.ActImport, poolID); {
	case poolID == "" && caller(c).Role != lead.RoleAdmin:
		bad.Add("pool_id", "is required: managers import into a pool they administer")
	case poolID == "":
	case lead.ErrorCode(err) == lead.CodeNotFound:
		bad.Add("pool_id", "is not an existing pool")
	case err != nil:
		return store.Import{}, err
	}
	mapping, err := sheet.Resolve(u.sheet.Headers, u.user)
	if err != nil {
		var e *lead.Error
		if !errors.As(err, &e) {
			return store.Import{}, err
		}
		bad = append(bad, e.Fields...)
	}
	if len(u.sheet.Rows) == 0 {
		bad.Add("file", "has no data rows below the header row")
	}
	if err := bad.Err(); err != nil {
		return store.Import{}, err
	}

	sum := sha256.Sum256(u.data)
	im := store.Import{ID: uuid.Must(uuid.NewV7()).String(), CreatedBy: caller(c).ID, FileName: u.name,
		Format: string(u.sheet.Format), FileSHA256: hex.EncodeToString(sum[:]), FileSize: int64(len(u.data)),
		Headers: u.sheet.Headers, Mapping: mapping, PoolID: poolID, DuplicatePolicy: string(policy)}
	rows := make([]store.ImportRow, len(u.sheet.Rows))
	for i, r := range u.sheet.Rows {
		rows[i] = store.ImportRow{Row: r.Num, Seq: i, Cells: r.Cells}
	}
	stored, _, err := s.db.CreateImport(c.UserContext(), im, rows)
	if err != nil {
		return store.Import{}, err
	}
	start := func(ctx context.Context) error {
		return workflows.StartImport(ctx, s.tc, workflows.ImportInput{ImportID: stored.ID, Total: stored.Total, BatchSize: workflows.ImportBatchSize})
	}
	if err := s.startJob(c, "import", stored.ID, start,
		func(ctx context.Context, why string) error {
			_, err := s.db.FinishImport(ctx, stored.ID, why)
			return err
		}); err != nil {
		return store.Import{}, err
	}
	return stored, nil
}

// ownImport returns the import when the caller may see it: an admin, the
// user who started it, or an admin of the pool it imported into. Others get 404.
func (s *Server) ownImport(c *fiber.Ctx) (store.Import, error) {
	im, err := s.db.Import(c.UserContext(), c.Params("id"))
	if err != nil {
		return im, err
	}
	me := caller(c)
	if me.Role == lead.RoleAdmin || im.CreatedBy == me.ID {
		return im, nil
	}
	if im.PoolID != "" {
		if pa, err := s.db.PoolAccess(c.UserContext(), me, im.PoolID); err == nil && pa.Admin {
			return im, nil
		}
	}
	return im, lead.Errorf(lead.CodeNotFound, "import not found")
}

// listImports answers the imports the caller may see, newest first.
func (s *Server) listImports(c *fiber.Ctx) error {
	return listJobs(c, s.db.Imports, viewImport)
}

// listJobs answers one page of the imports or exports the caller may
// see (list is the store's list), each shown by view.
func listJobs[T, V any](c *fiber.Ctx, list func(context.Context, store.Viewer, int, string) ([]T, string, error), view func(T) V) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := list(c.UserContext(), store.ViewerOf(caller(c)), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	views := make([]V, len(items))
	for i, it := range items {
		views[i] = view(it)
	}
	return c.JSON(page(views, next))
}

func (s *Server) getImport(c *fiber.Ctx) error {
	im, err := s.ownImport(c)
	if err != nil {
		return err
	}
	return c.JSON(viewImport(im))
}

// importErrors answers a CSV of the rows that were rejected, failed, or
// created with a warning: row number, outcome, reason, lead id, then the
// row's own columns, so the rows can be fixed and imported again.
func (s *Server) importErrors(c *fiber.Ctx) error {
	im, err := s.ownImport(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	header := append([]string{"row", "outcome", "reason", "lead_id"}, im.Headers...)
	w, err := sheet.NewWriter(sheet.CSV, &buf, "", header)
	if err != nil {
		return err
	}
	err = s.db.ImportProblems(c.UserContext(), im.ID, func(r store.ImportRow) error {
		outcome := r.Outcome
		if outcome == store.RowCreated {
			outcome = "warning"
		}
		cells := make([]string, 0, len(header))
		cells = append(cells, strconv.Itoa(r.Row), outcome, r.Reason, r.LeadID)
		return w.Write(append(cells, r.Cells...))
	})
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, sheet.CSV.ContentType())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="import-`+im.ID[:8]+`-errors.csv"`)
	return c.Send(buf.Bytes())
}

// importTemplate answers the sample sheet.
func (s *Server) importTemplate(c *fiber.Ctx) error {
	f, ok := sheet.ParseFormat(c.Query("format"))
	if !ok {
		return lead.Invalid(lead.FieldError{Field: "format", Reason: "must be csv or xlsx"})
	}
	data, err := sheet.Template(f)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, f.ContentType())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+sheet.FileName("leads-sample", f)+`"`)
	return c.Send(data)
}
