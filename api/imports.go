package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
)

// This file is the imports' JSON face: it reads the uploaded file and
// calls the service (service/imports.go), which decides.

func (s *Server) routeImports(v1 fiber.Router) {
	staff := s.gate(service.GateImport)
	v1.Get("/imports/template", httpx.ImportTemplate)
	v1.Post("/imports/preview", staff, s.previewImport)
	v1.Post("/imports", staff, s.createImport)
	v1.Get("/imports", staff, s.listImports)
	v1.Get("/imports/:id", s.getImport)
	v1.Get("/imports/:id/errors.csv", httpx.ImportErrors(s.svc))
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

// previewImport reads a file and answers its headers, the suggested
// mapping and the first rows as leads, without importing anything.
func (s *Server) previewImport(c *fiber.Ctx) error {
	u, err := httpx.ReadUpload(c)
	if err != nil {
		return err
	}
	return s.answerPreview(c, u)
}

// answerPreview answers the preview of upload u.
func (s *Server) answerPreview(c *fiber.Ctx, u *service.Upload) error {
	p, err := s.svc.PreviewImport(c.UserContext(), httpx.Caller(c), *u)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// createImport stores the file's rows and starts the ImportWorkflow.
func (s *Server) createImport(c *fiber.Ctx) error {
	u, err := httpx.ReadUpload(c)
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
	stored, err := s.svc.StartImport(c.UserContext(), httpx.Caller(c), *u,
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
	limit, err := httpx.PageLimit(c)
	if err != nil {
		return err
	}
	items, next, err := list(c.UserContext(), httpx.Caller(c), limit, c.Query("cursor"))
	if err != nil {
		return err
	}
	views := make([]V, len(items))
	for i, it := range items {
		views[i] = view(it)
	}
	return c.JSON(httpx.Page(views, next))
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
	return s.svc.Import(c.UserContext(), httpx.Caller(c), c.Params("id"))
}
