package httpx

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
)

// BulkView is a bulk action as both faces show it: the job with its
// counts and the links to itself and its refused leads' CSV.
type BulkView struct {
	store.BulkAction
	URL        string `json:"url"`
	RefusedURL string `json:"refused_url"`
}

// ViewBulk is the view of bulk action b, under the API's URLs.
func ViewBulk(b store.BulkAction) BulkView {
	if b.RefusedByReason == nil {
		b.RefusedByReason = map[string]int{}
	}
	if len(b.Params) == 0 {
		b.Params = []byte("{}")
	}
	return BulkView{BulkAction: b, URL: "/api/v1/bulk-actions/" + b.ID, RefusedURL: "/api/v1/bulk-actions/" + b.ID + "/refused.csv"}
}

// BulkRefused answers the CSV of the refused leads of the bulk action of
// the route's :id (service.BulkRefusedCSV).
func BulkRefused(svc *service.Service) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, data, err := svc.BulkRefusedCSV(c.UserContext(), Caller(c), c.Params("id"))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, sheet.CSV.ContentType())
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="bulk-`+b.ID[:8]+`-refused.csv"`)
		return c.Send(data)
	}
}
