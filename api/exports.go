package api

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
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
type exportBody struct {
	Format  string            `json:"format"`
	Fields  []string          `json:"fields"`
	Filters map[string]string `json:"filters"`
}

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
	e, err := s.startExport(c, in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/exports/" + e.ID)
	return c.Status(fiber.StatusAccepted).JSON(s.viewExport(e))
}

// startExport checks an export's format, fields and filters, stores it
// and starts its ExportWorkflow. POST /api/v1/exports and the console's
// export form both start exports through it.
func (s *Server) startExport(c *fiber.Ctx, in exportBody) (store.Export, error) {
	var bad lead.Fields
	format, ok := sheet.ParseFormat(in.Format)
	if !ok {
		bad.Add("format", "must be csv or xlsx")
	}
	fields, err := sheet.CheckExportFields(in.Fields)
	var fe *lead.Error
	if errors.As(err, &fe) {
		bad = append(bad, fe.Fields...)
	} else if err != nil {
		return store.Export{}, err
	}
	known := map[string]bool{}
	for _, n := range leadFilterNames {
		known[n] = true
	}
	filters := in.Filters
	var unknown []string
	for k := range filters {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		bad.Add("filters."+k, "is not a filter of the lead list; the filters are "+strings.Join(leadFilterNames, ", "))
	}
	f, err := leadFilter(func(k string) string { return strings.TrimSpace(filters[k]) }, func(k string) string { return "filters." + k })
	if errors.As(err, &fe) {
		bad = append(bad, fe.Fields...)
	} else if err != nil {
		return store.Export{}, err
	}
	if err := bad.Err(); err != nil {
		return store.Export{}, err
	}
	me := caller(c)
	f.Viewer = store.ViewerOf(me) // an export holds what GET /leads shows the caller
	if _, err := s.db.ExpireExports(c.UserContext(), s.cfg.ExportTTL); err != nil {
		return store.Export{}, err
	}
	e, err := s.db.CreateExport(c.UserContext(), store.Export{ID: uuid.Must(uuid.NewV7()).String(), CreatedBy: me.ID,
		Format: string(format), Fields: fields, Filter: f}, s.cfg.MaxRunningExports)
	if err != nil {
		return store.Export{}, err
	}
	if err := s.startJob(c, "export", e.ID, func(ctx context.Context) error { return workflows.StartExport(ctx, s.tc, e.ID) },
		func(ctx context.Context, why string) error { _, err := s.db.FinishExport(ctx, e.ID, why); return err }); err != nil {
		return store.Export{}, err
	}
	return e, nil
}

// ownExport returns the export when the caller may see it: its creator or
// an admin (an export holds what its creator may see). Others get 404.
func (s *Server) ownExport(c *fiber.Ctx) (store.Export, error) {
	e, err := s.db.Export(c.UserContext(), c.Params("id"))
	if err != nil {
		return e, err
	}
	if me := caller(c); me.Role != lead.RoleAdmin && e.CreatedBy != me.ID {
		return e, lead.Errorf(lead.CodeNotFound, "export not found")
	}
	return e, nil
}

// listExports answers the exports the caller may see, newest first.
func (s *Server) listExports(c *fiber.Ctx) error {
	return listJobs(c, s.db.Exports, s.viewExport)
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
	e, err := s.ownExport(c)
	if err != nil {
		return err
	}
	switch e.Status {
	case store.JobRunning:
		c.Set(fiber.HeaderRetryAfter, "2")
		return lead.Conflict("the export is not ready yet", "status: running; GET "+s.viewExport(e).URL+" tells when it is")
	case store.JobFailed:
		return lead.Conflict("the export failed", e.Error)
	}
	data, err := s.db.ExportFile(c.UserContext(), e.ID)
	if err != nil {
		return err
	}
	f, _ := sheet.ParseFormat(e.Format)
	name := "leads-" + e.CreatedAt.UTC().Format("20060102-150405")
	c.Set(fiber.HeaderContentType, f.ContentType())
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+sheet.FileName(name, f)+`"`)
	return c.Send(data)
}
