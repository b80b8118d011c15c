package service

import (
	"context"

	"github.com/leadflow/leadflow/lead"
)

// checkOption adds to bad when v is not an item of option list list.
func (s *Service) checkOption(ctx context.Context, bad *lead.Fields, field, list, v string) error {
	items, err := s.db.Options(ctx, list)
	if err != nil {
		return err
	}
	if r := lead.OptionReason(items, v); r != "" {
		bad.Add(field, r)
	}
	return nil
}

// CheckLead adds to bad what is wrong with a lead's custom values, channel
// and group against the configuration (custom fields, option lists);
// partial: an edit, which need not name the required fields.
func (s *Service) CheckLead(ctx context.Context, bad *lead.Fields, custom map[string]any, channel, group *string, partial bool) error {
	schema, err := s.db.CustomSchema(ctx, lead.EntityLead)
	if err != nil {
		return err
	}
	*bad = append(*bad, schema.CheckLead(custom, channel, group, partial)...)
	return nil
}
