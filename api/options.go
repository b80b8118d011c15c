package api

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
)

func (s *Server) optionRoutes(v1 fiber.Router) {
	v1.Get("/options", s.listOptions)
	v1.Get("/options/:list", s.getOptions)
	v1.Put("/options/:list", s.requireRole(lead.RoleAdmin), s.putOptions)
}

func (s *Server) listOptions(c *fiber.Ctx) error {
	all, err := s.db.AllOptions(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(all)
}

func (s *Server) getOptions(c *fiber.Ctx) error {
	items, err := s.db.Options(c.UserContext(), c.Params("list"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"name": c.Params("list"), "items": items})
}

func (s *Server) putOptions(c *fiber.Ctx) error {
	var in struct {
		Items []string `json:"items"`
	}
	if err := knownOptionList(c.Params("list")); err != nil {
		return err
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	items, err := s.setOptionList(c.UserContext(), c.Params("list"), in.Items)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"name": c.Params("list"), "items": items})
}

// knownOptionList refuses a name that is no option list (not found).
func knownOptionList(name string) error {
	if !lead.KnownOptionList(name) {
		return lead.Errorf(lead.CodeNotFound, "no option list %q; the lists are %s", name, strings.Join(lead.OptionLists, ", "))
	}
	return nil
}

// setOptionList replaces the items of an option list, cleaned (the API's
// PUT and the console's form), and answers them.
func (s *Server) setOptionList(ctx context.Context, list string, items []string) ([]string, error) {
	if err := knownOptionList(list); err != nil {
		return nil, err
	}
	items, err := lead.CleanOptions(items)
	if err != nil {
		return nil, err
	}
	return items, s.db.SetOptions(ctx, list, items)
}
