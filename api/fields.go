package api

import (
	"context"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
)

// This file serves the custom field definitions: everyone signed in reads
// them (a rep fills them in), admins write them.

func (s *Server) routeFields(v1 fiber.Router) {
	v1.Get("/fields", s.listFields)
	v1.Post("/fields", s.requireRole(lead.RoleAdmin), s.createField)
	v1.Patch("/fields/:id", s.requireRole(lead.RoleAdmin), s.patchField)
	v1.Delete("/fields/:id", s.requireRole(lead.RoleAdmin), s.deleteField)
}

// listFields lists the definitions, of one entity with ?entity=.
func (s *Server) listFields(c *fiber.Ctx) error {
	entity := c.Query("entity")
	if entity != "" && !slices.Contains(lead.FieldEntities, entity) {
		return lead.Invalid(lead.FieldError{Field: "entity", Reason: "must be one of: " + strings.Join(lead.FieldEntities, ", ")})
	}
	defs, err := s.db.Fields(c.UserContext(), entity)
	if err != nil {
		return err
	}
	return c.JSON(page(defs, ""))
}

// fieldBody is the body of POST /fields and PATCH /fields/{id}: absent
// fields of a patch stay as they are.
type fieldBody struct {
	Entity     *string   `json:"entity"`
	Name       *string   `json:"name"`
	Label      *string   `json:"label"`
	Type       *string   `json:"type"`
	Options    *[]string `json:"options"`
	OptionList *string   `json:"option_list"`
	Required   *bool     `json:"required"`
}

// apply sets the fields given in the body on d.
func (b fieldBody) apply(d *lead.FieldDef) {
	for _, s := range []struct {
		dst *string
		v   *string
	}{{&d.Entity, b.Entity}, {&d.Name, b.Name}, {&d.Label, b.Label}, {&d.Type, b.Type}, {&d.OptionList, b.OptionList}} {
		if s.v != nil {
			*s.dst = *s.v
		}
	}
	if b.Options != nil {
		d.Options = *b.Options
	}
	if b.Required != nil {
		d.Required = *b.Required
	}
}

func (s *Server) createField(c *fiber.Ctx) error {
	var in fieldBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.saveField(c.UserContext(), "", in)
	if err != nil {
		return err
	}
	c.Location("/api/v1/fields/" + out.ID)
	return c.Status(fiber.StatusCreated).JSON(out)
}

// saveField creates a definition from the body (id "") or patches the
// definition id with it: absent fields stay, and options replace an
// option list and the other way round. The API and the console's forms
// save through it.
func (s *Server) saveField(ctx context.Context, id string, in fieldBody) (lead.FieldDef, error) {
	d := lead.FieldDef{ID: uuid.Must(uuid.NewV7()).String()}
	if id != "" {
		var err error
		if d, err = s.db.Field(ctx, id); err != nil {
			return d, err
		}
		if in.OptionList != nil && *in.OptionList != "" && in.Options == nil {
			d.Options = nil // the option list replaces the options
		}
		if in.Options != nil && len(*in.Options) > 0 && in.OptionList == nil {
			d.OptionList = "" // and the other way round
		}
	}
	in.apply(&d)
	if err := d.Clean(); err != nil {
		return d, err
	}
	return s.db.SaveField(ctx, d)
}

func (s *Server) patchField(c *fiber.Ctx) error {
	var in fieldBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	out, err := s.saveField(c.UserContext(), c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (s *Server) deleteField(c *fiber.Ctx) error {
	if err := s.db.DeleteField(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
