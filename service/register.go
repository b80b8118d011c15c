package service

import (
	"context"
	"errors"

	"github.com/leadflow/leadflow/lead"
)

// The intake of the web form: a customer registers themselves on the
// public page or through a rep's invite link. Nobody is signed in; the
// answer says only that the registration was received, names bad fields
// so the customer can correct them, or refuses it without saying why.

// Registration is what the public form sends: the fields a customer fills
// in about themselves, nothing that steers the lead.
type Registration struct {
	Company    string `json:"company"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	Country    string `json:"country"`
	Address    string `json:"address"`
	Profession string `json:"profession"`
	// Custom holds custom lead fields the registration page asks for;
	// required fields are not enforced on public registrations.
	Custom map[string]any `json:"custom"`
}

// ErrRegistrationRefused is a registration a fraud check refused: the
// answer must not say which.
var ErrRegistrationRefused = errors.New("the registration was refused")

// Inviter is the active rep whose invite link tok is (not found otherwise).
func (s *Service) Inviter(ctx context.Context, tok string) (lead.User, error) {
	return s.db.Inviter(ctx, tok)
}

// RegisterInput is a registration and where it comes from.
type RegisterInput struct {
	Registration
	// IP is the client's address.
	IP string
	// Inviter resolves the rep whose invite link the registration came
	// through (Service.Inviter, counted by the face); nil for the public
	// form. It is asked once the fields are valid.
	Inviter func(context.Context) (lead.User, error)
}

// Register takes a registration. key is the request's idempotency key: a
// retry from the same address finds the lead it created.
func (s *Service) Register(ctx context.Context, key string, r RegisterInput) error {
	in, ip := r.Registration, r.IP
	li := lead.Input{Contact: lead.Contact{Company: in.Company, Name: in.Name, Phone: in.Phone, Email: in.Email, Country: in.Country,
		Address: in.Address, Profession: in.Profession}, Custom: in.Custom, Source: lead.SourceWeb, IP: ip}
	err := li.Clean()
	bad, _ := lead.FieldsOf(err)
	if err := s.CheckLead(ctx, &bad, li.Custom, nil, nil, true); err != nil {
		return err
	}
	if err := bad.Err(); err != nil {
		return err
	}
	opts := &lead.IntakeOptions{}
	if r.Inviter != nil {
		inviter, err := r.Inviter(ctx)
		if err != nil {
			return err
		}
		li.Source, li.CreatedBy, li.Channel = lead.SourceInvite, inviter.ID, "invite link"
		opts.InviterID = inviter.ID
	}
	out, _, err := s.StartLead(ctx, li.NewLead(LeadID(key, "register\x00"+ip)), opts)
	if err != nil {
		return err
	}
	if out.Status == lead.StatusRejected {
		if len(out.FieldErrors) > 0 {
			return lead.Invalid(out.FieldErrors...)
		}
		return ErrRegistrationRefused
	}
	return nil
}
