package api

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// This file creates leads and reads them: one lead, its history, the list.

func (s *Server) createLead(c *fiber.Ctx) error {
	me := caller(c)
	var in lead.Input
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	err := in.Clean()
	bad, _ := lead.FieldsOf(err)
	if err := s.svc.CheckLead(c.UserContext(), &bad, in.Custom, &in.Channel, &in.Group, false); err != nil {
		return err
	}
	if err := bad.Err(); err != nil {
		return err
	}
	in.Source, in.CreatedBy = lead.SourceAPI, me.ID
	opts := in.Options()
	if me.Role == lead.RoleRep {
		// A rep's own lead goes to their own leads while they have room (seed 002).
		in.Source, opts.CreatorID = lead.SourceManual, me.ID
	}
	l := in.NewLead(requestLeadID(c, me.ID))

	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.UpdateTimeout)
	defer cancel()
	out, created, err := s.startLead(ctx, l, &opts)
	if err != nil {
		return err
	}
	return s.answerCreated(c, out, created)
}

// createdLead is the answer to a create: the lead, with a warning when it
// duplicates a live lead (duplicate policy warn).
type createdLead struct {
	lead.Lead
	Warnings []string `json:"warnings,omitempty"`
}

// answerCreated answers a create by its intake outcome: 201 for a new lead
// (with a warning about the lead it duplicates under the warn policy),
// 200 for a registration merged into an existing lead, 409 for a duplicate
// refused by the reject policy. A duplicate is named only to a caller who
// may see it.
func (s *Server) answerCreated(c *fiber.Ctx, out lead.IntakeResult, created bool) error {
	me := caller(c)
	hasDup, dup := out.DuplicateOf != "", out.DuplicateOf
	if named, err := s.db.NamesDuplicate(c.UserContext(), me, dup); err != nil {
		return err
	} else if !named {
		dup, out.DuplicateOf = "", ""
	}
	which := "a live lead"
	if dup != "" {
		which = "lead " + dup
	}
	if out.Outcome == lead.OutcomeDuplicate {
		why := "the duplicate policy of this source is reject"
		if slices.Contains(out.RejectReasons, lead.DuplicateNotMerged) {
			why = "the policy would merge it, but you may not edit that lead"
		}
		return lead.Conflict("the lead duplicates "+which, "a lead with the same company, phone and country exists: "+which, why)
	}
	c.Location("/api/v1/leads/" + out.ID)
	body := createdLead{Lead: redact(me, out.Lead)}
	switch {
	case out.Outcome == lead.OutcomeMerged:
		if _, err := s.db.LeadFor(c.UserContext(), out.MergedInto, me, lead.ActRead); err == nil {
			c.Location("/api/v1/leads/" + out.MergedInto)
		} else {
			body.MergedInto = ""
		}
		return c.Status(fiber.StatusOK).JSON(body)
	case hasDup && out.Outcome != lead.OutcomeRejected:
		body.Warnings = []string{"a lead with the same company, phone and country exists: " + which}
	}
	if created {
		c.Status(fiber.StatusCreated)
	}
	return c.JSON(body)
}

// leadFilterNames are the filters of GET /api/v1/leads.
var leadFilterNames = []string{"status", "stage", "pool_id", "owner_id", "agent", "source", "channel", "group", "tag", "country", "q", "name",
	"phone", "email", "company", "profession", "address", "district", "division", "created_from", "created_to", "time_field", "review"}

// leadFilter reads the filters of the lead list (GET /api/v1/leads, exports): get returns a
// filter's value, "" when absent; field names a bad filter in errors.
func leadFilter(get func(string) string, field func(string) string) (store.LeadFilter, error) {
	f := store.LeadFilter{
		Status: get("status"), Stage: get("stage"), PoolID: get("pool_id"), OwnerID: get("owner_id"),
		Source: get("source"), Channel: get("channel"), Group: get("group"), Tag: get("tag"), Country: strings.ToUpper(get("country")),
		Q: get("q"), Name: get("name"), Phone: get("phone"), Email: get("email"), Company: get("company"),
		Profession: get("profession"), Address: get("address"), District: get("district"), Division: get("division"),
		Agent: get("agent"), TimeField: get("time_field"),
	}
	var bad lead.Fields
	if f.Status != "" && !lead.Status(f.Status).Valid() {
		bad.Add(field("status"), "must be one of received, rejected, merged, pooled, offered, assigned, converted, closed")
	}
	for _, id := range []struct{ name, v string }{{"pool_id", f.PoolID}, {"owner_id", f.OwnerID}} {
		if _, err := uuid.Parse(id.v); id.v != "" && err != nil {
			bad.Add(field(id.name), "is not an id")
		}
	}
	f.CreatedFrom, f.CreatedTo = createdRange(get, field, &bad)
	if !store.ValidTimeField(f.TimeField) {
		bad.Add(field("time_field"), "must be created, assigned or last_follow_up")
	}
	switch get("review") {
	case "", "false":
	case "true":
		f.Review = true
	default:
		bad.Add(field("review"), "must be true or false")
	}
	return f, bad.Err()
}

// createdRange reads the created_from and created_to filters of a list.
func createdRange(get func(string) string, field func(string) string, bad *lead.Fields) (from, to *time.Time) {
	for name, dst := range map[string]**time.Time{"created_from": &from, "created_to": &to} {
		if v := get(name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				bad.Add(field(name), "must be a date (2026-01-31) or an RFC 3339 time")
				continue
			}
			*dst = &t
		}
	}
	return from, to
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, v)
}

func (s *Server) getLead(c *fiber.Ctx) error {
	l, err := s.leadFor(c, lead.ActRead)
	if err != nil {
		return err
	}
	return c.JSON(redact(caller(c), l))
}

func (s *Server) leadHistory(c *fiber.Ctx) error { return leadPage(s, c, s.db.Events) }

// listLeads lists the leads the caller may see (lead.Visible, through its
// SQL twin), newest first.
func (s *Server) listLeads(c *fiber.Ctx) error {
	limit, err := pageLimit(c)
	if err != nil {
		return err
	}
	f, err := leadFilter(func(k string) string { return c.Query(k) }, func(k string) string { return k })
	if err != nil {
		return err
	}
	me := caller(c)
	f.Limit, f.Cursor, f.Viewer = limit, c.Query("cursor"), store.ViewerOf(me)
	leads, next, err := s.db.Leads(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(page(redactAll(me, leads), next))
}
