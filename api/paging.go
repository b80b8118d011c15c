package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
)

// listPage is the shape of every list response.
type listPage[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

func page[T any](items []T, next string) listPage[T] {
	if items == nil {
		items = []T{}
	}
	return listPage[T]{Items: items, NextCursor: next}
}

// pageLimit reads ?limit= (default 50, at most 500).
func pageLimit(c *fiber.Ctx) (int, error) {
	if c.Query("limit") == "" {
		return 50, nil
	}
	v, err := strconv.Atoi(c.Query("limit"))
	if err != nil || v < 1 || v > 500 {
		return 0, lead.Invalid(lead.FieldError{Field: "limit", Reason: "must be a whole number from 1 to 500"})
	}
	return v, nil
}
