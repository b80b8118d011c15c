package api

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
)

// This file is the imports' JSON face: it reads the uploaded file and
// calls the service (service/imports.go), which decides.

func (s *Server) routeImports(v1 fiber.Router) {
	staff := s.gate(service.GateImport)
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

// readUpload reads the multipart file and mapping of an import request.
func (s *Server) readUpload(c *fiber.Ctx) (*service.Upload, error) {
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
	u := &service.Upload{Name: name, Data: data, Sheet: table}
	if v := strings.TrimSpace(c.FormValue("mapping")); v != "" {
		if err := json.Unmarshal([]byte(v), &u.Mapping); err != nil || u.Mapping == nil {
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

// previewImport reads a file and answers its headers, the suggested
// mapping and the first rows as leads, without importing anything.
func (s *Server) previewImport(c *fiber.Ctx) error {
	u, err := s.readUpload(c)
	if err != nil {
		return err
	}
	return s.answerPreview(c, u)
}

// answerPreview answers the preview of upload u.
func (s *Server) answerPreview(c *fiber.Ctx, u *service.Upload) error {
	p, err := s.svc.PreviewImport(c.UserContext(), caller(c), *u)
	if err != nil {
		return err
	}
	return c.JSON(p)
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
		return s.answerPreview(c, u)
	default:
		return lead.Invalid(lead.FieldError{Field: "dry_run", Reason: "must be true or false"})
	}
	stored, err := s.svc.StartImport(c.UserContext(), caller(c), *u,
		service.ImportChoices{PoolID: c.FormValue("pool_id"), DuplicatePolicy: c.FormValue("duplicate_policy")})
	if err != nil {
		return err
	}
	c.Location("/api/v1/imports/" + stored.ID)
	return c.Status(fiber.StatusAccepted).JSON(viewImport(stored))
}

// listImports answers the imports the caller may see, newest first.
func (s *Server) listImports(c *fiber.Ctx) error { return listJobs(c, s.svc.Imports, viewImport) }

// listJobs answers one page of the imports or exports the caller may
// see (list is the service's), each shown by view.
func listJobs[T, V any](c *fiber.Ctx, list func(context.Context, lead.User, int, string) ([]T, string, error), view func(T) V) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := list(c.UserContext(), caller(c), limit, c.Query("cursor"))
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

// ownImport is the import of the route's :id when the caller may see it.
func (s *Server) ownImport(c *fiber.Ctx) (store.Import, error) {
	return s.svc.Import(c.UserContext(), caller(c), c.Params("id"))
}

// importErrors answers the CSV of the rows to fix (service.ImportErrors).
func (s *Server) importErrors(c *fiber.Ctx) error {
	im, data, err := s.svc.ImportErrors(c.UserContext(), caller(c), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, sheet.CSV.ContentType())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="import-`+im.ID[:8]+`-errors.csv"`)
	return c.Send(data)
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
