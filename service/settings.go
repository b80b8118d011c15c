package service

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// The settings: duplicate policies (admins and managers read, admins
// change), option lists and custom field definitions (everyone reads,
// admins change) and each user's own e-mail settings.

// sources are the sources a lead can come from.
var sources = []string{lead.SourceAPI, lead.SourceManual, lead.SourceWeb, lead.SourceInvite, lead.SourceImport}

// DuplicatePolicies are the duplicate policy of every source.
func (s *Service) DuplicatePolicies(ctx context.Context, me lead.User) (map[string]lead.DuplicatePolicy, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, err
	}
	return s.db.DuplicatePolicies(ctx)
}

// SetDuplicatePolicies sets the policies of the sources in (admins): only
// the sources whose creator is a user have one; the public channels
// (lead.PublicSource) always merge. It answers every source's policy.
func (s *Service) SetDuplicatePolicies(ctx context.Context, me lead.User, in map[string]lead.DuplicatePolicy) (map[string]lead.DuplicatePolicy, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return nil, err
	}
	var bad lead.Fields
	for src, p := range in {
		switch {
		case !slices.Contains(sources, src) || lead.PublicSource(src):
			bad.Add(src, "only the api, manual and import sources have a policy; web and invite registrations always merge")
		case p == "" || !p.Valid():
			bad.Add(src, "must be merge, warn or reject")
		}
	}
	if err := bad.Err(); err != nil {
		return nil, err
	}
	for src, p := range in {
		if err := s.db.SetDuplicatePolicy(ctx, src, p); err != nil {
			return nil, err
		}
	}
	return s.db.DuplicatePolicies(ctx)
}

// AllOptions are every option list's items (everyone signed in).
func (s *Service) AllOptions(ctx context.Context, me lead.User) (map[string][]string, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return nil, err
	}
	return s.db.AllOptions(ctx)
}

// Options are the items of option list list (everyone signed in).
func (s *Service) Options(ctx context.Context, me lead.User, list string) ([]string, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return nil, err
	}
	return s.db.Options(ctx, list)
}

// KnownOptionList refuses a name that is no option list (not found).
func KnownOptionList(name string) error {
	if !lead.KnownOptionList(name) {
		return lead.Errorf(lead.CodeNotFound, "no option list %q; the lists are %s", name, strings.Join(lead.OptionLists, ", "))
	}
	return nil
}

// SetOptions replaces the items of option list list, cleaned (admins), and
// answers them.
func (s *Service) SetOptions(ctx context.Context, me lead.User, list string, items []string) ([]string, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return nil, err
	}
	if err := KnownOptionList(list); err != nil {
		return nil, err
	}
	items, err := lead.CleanOptions(items)
	if err != nil {
		return nil, err
	}
	return items, s.db.SetOptions(ctx, list, items)
}

// Fields are the custom field definitions, of one entity when entity is
// not "" (everyone signed in).
func (s *Service) Fields(ctx context.Context, me lead.User, entity string) ([]lead.FieldDef, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return nil, err
	}
	if entity != "" && !slices.Contains(lead.FieldEntities, entity) {
		return nil, lead.Invalid(lead.FieldError{Field: "entity", Reason: "must be one of: " + strings.Join(lead.FieldEntities, ", ")})
	}
	return s.db.Fields(ctx, entity)
}

// Field is the definition id (admins, who edit it).
func (s *Service) Field(ctx context.Context, me lead.User, id string) (lead.FieldDef, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return lead.FieldDef{}, err
	}
	return s.db.Field(ctx, id)
}

// FieldInput is a custom field definition, or a patch of one: absent
// fields of a patch stay as they are.
type FieldInput struct {
	Entity     *string   `json:"entity"`
	Name       *string   `json:"name"`
	Label      *string   `json:"label"`
	Type       *string   `json:"type"`
	Options    *[]string `json:"options"`
	OptionList *string   `json:"option_list"`
	Required   *bool     `json:"required"`
}

// apply sets the fields given in the input on d.
func (in FieldInput) apply(d *lead.FieldDef) {
	for _, s := range []struct {
		dst *string
		v   *string
	}{{&d.Entity, in.Entity}, {&d.Name, in.Name}, {&d.Label, in.Label}, {&d.Type, in.Type}, {&d.OptionList, in.OptionList}} {
		if s.v != nil {
			*s.dst = *s.v
		}
	}
	if in.Options != nil {
		d.Options = *in.Options
	}
	if in.Required != nil {
		d.Required = *in.Required
	}
}

// SaveField creates a definition from in (id "") or patches the definition
// id with it (admins): absent fields stay, and options replace an option
// list and the other way round.
func (s *Service) SaveField(ctx context.Context, me lead.User, id string, in FieldInput) (lead.FieldDef, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return lead.FieldDef{}, err
	}
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

// DeleteField deletes the definition id (admins).
func (s *Service) DeleteField(ctx context.Context, me lead.User, id string) error {
	if err := Allowed(me, GateAdmin); err != nil {
		return err
	}
	return s.db.DeleteField(ctx, id)
}

// outboxFilter limits a filter of the e-mails to what me may read: an
// admin everyone's, others their own.
func outboxFilter(me lead.User, f store.NotificationFilter) (store.NotificationFilter, error) {
	if Allowed(me, GateAdmin) != nil {
		if f.ToUserID != "" && f.ToUserID != me.ID {
			return f, lead.Errorf(lead.CodeForbidden, "only admins may read other users' e-mails")
		}
		f.ToUserID = me.ID
	}
	return f, nil
}

// Notifications lists e-mails newest first, filtered by f: admins
// everyone's, others their own.
func (s *Service) Notifications(ctx context.Context, me lead.User, f store.NotificationFilter) ([]lead.Notification, string, error) {
	f, err := outboxFilter(me, f)
	if err != nil {
		return nil, "", err
	}
	return s.db.Notifications(ctx, f)
}

// Notification is one e-mail of the outbox with its text (admins).
func (s *Service) Notification(ctx context.Context, me lead.User, id string) (lead.Notification, error) {
	if err := Allowed(me, GateAdmin); err != nil {
		return lead.Notification{}, err
	}
	return s.db.Notification(ctx, id)
}

// NotificationSettings are a user's e-mail settings.
type NotificationSettings struct {
	// OptOut lists the non-essential kinds the user does not want.
	OptOut []string `json:"opt_out"`
	// Kinds documents every kind and whether it can be turned off.
	Kinds []lead.EmailKind `json:"kinds"`
}

// MyNotificationSettings are me's e-mail settings.
func (s *Service) MyNotificationSettings(ctx context.Context, me lead.User) (NotificationSettings, error) {
	kinds, err := s.db.EmailOptOut(ctx, me.ID)
	if err != nil {
		return NotificationSettings{}, err
	}
	return NotificationSettings{OptOut: kinds, Kinds: lead.EmailKinds}, nil
}

// SetMyNotificationSettings replaces me's opt-outs; optOut is required
// (empty for none).
func (s *Service) SetMyNotificationSettings(ctx context.Context, me lead.User, optOut *[]string) (NotificationSettings, error) {
	if optOut == nil {
		return NotificationSettings{}, lead.Invalid(lead.FieldError{Field: "opt_out", Reason: "is required: the kinds of e-mail to turn off ([] for none)"})
	}
	kinds, err := s.db.SetEmailOptOut(ctx, me.ID, *optOut)
	if err != nil {
		return NotificationSettings{}, err
	}
	return NotificationSettings{OptOut: kinds, Kinds: lead.EmailKinds}, nil
}
