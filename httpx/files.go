package httpx

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
)

// This file holds what both faces show of imports and exports: an export's
// links, and the files they download (an export, an import's rows to fix,
// the sample sheet).

// ExportView is an export as the API shows it; FileURL is set once the
// file is ready.
type ExportView struct {
	store.Export
	Filters map[string]string `json:"filters"`
	URL     string            `json:"url"`
	FileURL string            `json:"file_url,omitempty"`
	// ExpiresAt is when the file of a completed export is deleted.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// ViewExport is an export as the API shows it, with its links; its file
// is kept ttl after it is finished.
func ViewExport(e store.Export, ttl time.Duration) ExportView {
	v := ExportView{Export: e, Filters: FilterMap(e.Filter), URL: "/api/v1/exports/" + e.ID}
	if e.Status == store.JobCompleted && e.FinishedAt != nil {
		expires := e.FinishedAt.Add(ttl)
		v.ExpiresAt = &expires
		if time.Now().Before(expires) {
			v.FileURL = v.URL + "/file"
		}
	}
	return v
}

// FilterMap shows a stored filter the way it was given: the lead list's
// query parameters.
func FilterMap(f store.LeadFilter) map[string]string {
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

// ExportFile downloads the file of the completed export of the route's
// :id (service.ExportFile).
func ExportFile(svc *service.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		e, data, err := svc.ExportFile(c.UserContext(), Caller(c), c.Params("id"))
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
}

// ImportErrors answers the CSV of the rows to fix of the import of the
// route's :id (service.ImportErrors).
func ImportErrors(svc *service.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		im, data, err := svc.ImportErrors(c.UserContext(), Caller(c), c.Params("id"))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, sheet.CSV.ContentType())
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="import-`+im.ID[:8]+`-errors.csv"`)
		return c.Send(data)
	}
}

// ImportTemplate answers the sample sheet (?format=csv or xlsx).
func ImportTemplate(c *fiber.Ctx) error {
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
