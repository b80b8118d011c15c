package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
)

func (s *Server) routeExports(v1 fiber.Router) {
	v1.Post("/exports", s.createExport)
	v1.Get("/exports", s.listExports)
	v1.Get("/exports/:id", s.getExport)
	v1.Get("/exports/:id/file", s.exportFile)
}

// exportView is an export as the API shows it; FileURL is set once the
// file is ready.
type exportView struct {
	store.Export
	Filters map[string]string `json:"filters"`
	URL     string            `json:"url"`
	FileURL string            `json:"file_url,omitempty"`
	// ExpiresAt is when the file of a completed export is deleted.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// viewExport is an export as the API shows it, with its links.
func (s *Server) viewExport(e store.Export) exportView {
	v := exportView{Export: e, Filters: filterMap(e.Filter), URL: "/api/v1/exports/" + e.ID}
	if e.Status == store.JobCompleted && e.FinishedAt != nil {
		expires := e.FinishedAt.Add(s.cfg.ExportTTL)
		v.ExpiresAt = &expires
		if time.Now().Before(expires) {
			v.FileURL = v.URL + "/file"
		}
	}
	return v
}

// exportBody is the body of POST /exports. Filters are those of GET
// /leads, as strings; they (and the format) may also be given as the query
// string, so a console can export the list it shows.
type exportBody = service.ExportInput

// filterMap shows a stored filter the way it was given.
func filterMap(f store.LeadFilter) map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{"status": f.Status, "stage": f.Stage, "pool_id": f.PoolID, "owner_id": f.OwnerID,
		"source": f.Source, "channel": f.Channel, "tag": f.Tag, "country": f.Country, "q": f.Q, "name": f.Name,
		"phone": f.Phone, "email": f.Email, "company": f.Company, "profession": f.Profession, "address": f.Address,
		"district": f.District, "division": f.Division, "agent": f.Agent, "time_field": f.TimeField} {
		if v != "" {
			m[k] = v
		}
	}
	if f.CreatedFrom != nil {
		m["created_from"] = f.CreatedFrom.UTC().Format(time.RFC3339)
	}
	if f.CreatedTo != nil {
		m["created_to"] = f.CreatedTo.UTC().Format(time.RFC3339)
	}
	if f.Review {
		m["review"] = "true"
	}
	return m
}

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
	e, err := s.svc.StartExport(c.UserContext(), caller(c), in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/exports/" + e.ID)
	return c.Status(fiber.StatusAccepted).JSON(s.viewExport(e))
}

// ownExport is the export of the route's :id when the caller may see it.
func (s *Server) ownExport(c *fiber.Ctx) (store.Export, error) {
	return s.svc.Export(c.UserContext(), caller(c), c.Params("id"))
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

// exportFile downloads the file of a completed export.
func (s *Server) exportFile(c *fiber.Ctx) error {
	e, data, err := s.svc.ExportFile(c.UserContext(), caller(c), c.Params("id"))
	if err != nil {
		if e.Status == store.JobRunning {
			c.Set(fiber.HeaderRetryAfter, "2")
		}
		return err
	}
	f, _ := sheet.ParseFormat(e.Format)
	name := "leads-" + e.CreatedAt.UTC().Format("20060102-150405")
	c.Set(fiber.HeaderContentType, f.ContentType())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+sheet.FileName(name, f)+`"`)
	return c.Send(data)
}
