package httpx

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
)

// ListPage is the shape of every list response.
type ListPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Page is a list response of items, with the cursor of the next page.
func Page[T any](items []T, next string) ListPage[T] {
	if items == nil {
		items = []T{}
	}
	return ListPage[T]{Items: items, NextCursor: next}
}

// PageLimit reads ?limit= (default 50, at most 500).
func PageLimit(c *fiber.Ctx) (int, error) {
	if c.Query("limit") == "" {
		return 50, nil
	}
	v, err := strconv.Atoi(c.Query("limit"))
	if err != nil || v < 1 || v > 500 {
		return 0, lead.Invalid(lead.FieldError{Field: "limit", Reason: "must be a whole number from 1 to 500"})
	}
	return v, nil
}

// Query reads the request's query string, for the service's filter
// parsers (service.ParseLeadFilter, service.ParseReportFilter).
func Query(c *fiber.Ctx) func(string) string {
	return func(k string) string { return c.Query(k) }
}

// SameName names a filter in errors as it is given.
func SameName(k string) string { return k }
