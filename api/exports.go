package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
)

func (s *Server) routeExports(v1 fiber.Router) {
	v1.Post("/exports", s.createExport)
	v1.Get("/exports", s.listExports)
	v1.Get("/exports/:id", s.getExport)
	v1.Get("/exports/:id/file", httpx.ExportFile(s.svc))
}

// viewExport is an export as the API shows it (httpx.ViewExport).
func (s *Server) viewExport(e store.Export) httpx.ExportView {
	return httpx.ViewExport(e, s.cfg.ExportTTL)
}

// exportBody is the body of POST /exports. Filters are those of GET
// /leads, as strings; they (and the format) may also be given as the query
// string, so a console can export the list it shows.
type exportBody = service.ExportInput

// createExport stores an export of the leads the filters select, of
// those the caller may see, and starts its ExportWorkflow.
func (s *Server) createExport(c *fiber.Ctx) error {
	var in exportBody
	if err := actionBody(c, &in); err != nil {
		return err
	}
	if in.Format == "" {
		in.Format = c.Query("format")
	}
	filters := map[string]string{}
	for k, v := range c.Queries() {
		if k != "limit" && k != "cursor" && k != "format" {
			filters[k] = v
		}
	}
	for k, v := range in.Filters {
		filters[k] = v
	}
	in.Filters = filters
	e, err := s.svc.StartExport(c.UserContext(), httpx.Caller(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/exports/" + e.ID)
	return c.Status(fiber.StatusAccepted).JSON(s.viewExport(e))
}

// ownExport is the export of the route's :id when the caller may see it.
func (s *Server) ownExport(c *fiber.Ctx) (store.Export, error) {
	return s.svc.Export(c.UserContext(), httpx.Caller(c), c.Params("id"))
}

// listExports answers the exports the caller may see, newest first.
func (s *Server) listExports(c *fiber.Ctx) error {
	return listJobs(c, s.svc.Exports, s.viewExport)
}

func (s *Server) getExport(c *fiber.Ctx) error {
	e, err := s.ownExport(c)
	if err != nil {
		return err
	}
	return c.JSON(s.viewExport(e))
}
