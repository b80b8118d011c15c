package service

import (
	"context"
	"slices"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// Creating a lead and reading leads: one lead, its history and follow-ups,
// the list. Whoever is signed in may create a lead; what they read is what
// the access model lets them see (lead.Visible, store.Viewer for lists),
// redacted (lead.Redact).

// Created is the intake decision on a lead as its creator may see it.
type Created struct {
	// Lead is the lead, redacted; its MergedInto is kept only when me may
	// read that lead.
	Lead lead.Lead
	// New says this request created the lead (a retry finds it created).
	New bool
	// Merged says the lead was merged into Lead.MergedInto.
	Merged bool
	// Warnings are about the live lead it duplicates (duplicate policy warn).
	Warnings []string
}

// CreateLead checks in and starts the lead's workflow, which decides its
// intake (validation, duplicates, routing). A duplicate refused by the
// reject policy is a conflict; a duplicate is named only to a user who may
// see it (store.NamesDuplicate). key is the request's idempotency key: a
// retry with the same key finds the lead it created.
func (s *Service) CreateLead(ctx context.Context, me lead.User, key string, in lead.Input) (Created, error) {
	return s.createLead(ctx, me, LeadID(key, me.ID), in, lead.SourceAPI, "")
}

// createLead takes in lead id for me from source: the intake of the API,
// the console and the inbound sources. A non-empty channel is the lead's
// channel without the check against the sources option list (an inbound
// source's name, which an admin chose).
func (s *Service) createLead(ctx context.Context, me lead.User, id string, in lead.Input, source, channel string) (Created, error) {
	err := in.Clean()
	bad, _ := lead.FieldsOf(err)
	checkChannel := &in.Channel
	if channel != "" {
		in.Channel, checkChannel = channel, nil
	}
	if err := s.CheckLead(ctx, &bad, in.Custom, checkChannel, &in.Group, false); err != nil {
		return Created{}, err
	}
	if err := s.checkCreatePool(ctx, me, &bad, in.PoolID); err != nil {
		return Created{}, err
	}
	if err := bad.Err(); err != nil {
		return Created{}, err
	}
	in.Source, in.CreatedBy = source, me.ID
	opts := in.Options()
	if me.Role == lead.RoleRep {
		// A rep's own lead goes to their own leads while they have room (seed 002).
		in.Source, opts.CreatorID = lead.SourceManual, me.ID
	}
	out, created, err := s.StartLead(ctx, in.NewLead(id), &opts)
	if err != nil {
		return Created{}, err
	}
	return s.created(ctx, me, out, created)
}

// created is intake result out as me may see it.
func (s *Service) created(ctx context.Context, me lead.User, out lead.IntakeResult, isNew bool) (Created, error) {
	hasDup, dup := out.DuplicateOf != "", out.DuplicateOf
	if named, err := s.db.NamesDuplicate(ctx, me, dup); err != nil {
		return Created{}, err
	} else if !named {
		dup, out.DuplicateOf = "", ""
	}
	which := duplicateName(dup)
	if out.Outcome == lead.OutcomeDuplicate {
		why := "the duplicate policy of this source is reject"
		if slices.Contains(out.RejectReasons, lead.DuplicateNotMerged) {
			why = "the policy would merge it, but you may not edit that lead"
		}
		return Created{}, lead.Conflict("the lead duplicates "+which, DuplicateWarning+which, why)
	}
	c := Created{Lead: lead.Redact(me, out.Lead), New: isNew}
	switch {
	case out.Outcome == lead.OutcomeMerged:
		c.Merged = true
		if _, err := s.db.LeadFor(ctx, out.MergedInto, me, lead.ActRead); err != nil {
			c.Lead.MergedInto = ""
		}
	case hasDup && out.Outcome != lead.OutcomeRejected:
		c.Warnings = []string{DuplicateWarning + which}
	}
	return c, nil
}

// Lead is lead id, redacted, when me may read it (not found otherwise).
func (s *Service) Lead(ctx context.Context, me lead.User, id string) (lead.Lead, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err != nil {
		return l, err
	}
	return lead.Redact(me, l), nil
}

// LeadDetail is lead id with its deadlines (lead.DetailOf), redacted, when
// me may read it: the answer of GET /api/v1/leads/{id}.
func (s *Service) LeadDetail(ctx context.Context, me lead.User, id string) (lead.Detail, error) {
	l, err := s.open(ctx, me, id)
	if err != nil {
		return lead.Detail{}, err
	}
	return lead.DetailOf(lead.Redact(me, l)), nil
}

// open reads lead id whole for me (GET /api/v1/leads/{id}, the lead's
// page), when me may read it: a rep's open of an unclaimed lead counts
// against its pool's daily open limit (lead.User.CountsOpen), past which
// it is refused.
func (s *Service) open(ctx context.Context, me lead.User, id string) (lead.Lead, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err == nil && me.CountsOpen(l) {
		err = s.db.OpenLead(ctx, me.ID, l.ID, l.PoolID, l.Policy.DailyOpenLimit)
	}
	return l, err
}

// LeadsInput is a page of the lead list: its filters (ParseLeadFilter),
// and the console's tabs: Mine narrows the list to me's own leads, Pool to
// one pool's, and for a rep to the leads they may claim from it.
type LeadsInput struct {
	Filter store.LeadFilter
	Limit  int
	Cursor string
	Mine   bool
	Pool   string
}

// Leads are a page of the leads me may see (lead.Visible, through its SQL
// twin), newest first, redacted.
func (s *Service) Leads(ctx context.Context, me lead.User, in LeadsInput) ([]lead.Lead, string, error) {
	f := ListFilter(me, in)
	f.Limit, f.Cursor, f.Viewer = in.Limit, in.Cursor, store.ViewerOf(me)
	s.resolvePeriod(ctx, me, &f)
	leads, next, err := s.db.Leads(ctx, f)
	for i := range leads {
		leads[i] = lead.Redact(me, leads[i])
	}
	return leads, next, err
}

// ListFilter is the filter of the list in shows me (Mine and Pool made
// filters), without its viewer and page: what a bulk action on the whole
// list selects.
func ListFilter(me lead.User, in LeadsInput) store.LeadFilter {
	f := in.Filter
	if in.Mine {
		f.OwnerID = me.ID
	} else if in.Pool != "" {
		if f.PoolID = in.Pool; f.Status == "" && !isStaff(me) {
			f.Status = string(lead.StatusPooled) // a rep's pool tab: what they may claim
		}
	}
	return f
}

// resolvePeriod bounds f's time frame by its relative period, resolved
// now in me's zone.
func (s *Service) resolvePeriod(ctx context.Context, me lead.User, f *store.LeadFilter) {
	if f.Period != "" {
		f.CreatedFrom, f.CreatedTo = f.Period.Resolve(time.Now(), s.Location(ctx, me))
	}
}

// isStaff reports whether u manages leads beyond their own.
func isStaff(u lead.User) bool { return u.Role == lead.RoleAdmin || u.Role == lead.RoleManager }

// LeadHistory is a page of lead id's events, oldest first, when me may read it.
func (s *Service) LeadHistory(ctx context.Context, me lead.User, id string, limit int, cursor string) ([]lead.Event, string, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err != nil {
		return nil, "", err
	}
	return s.events(ctx, me, l, limit, cursor)
}

// events is a page of lead l's events as me sees them (lead.RedactEvent).
func (s *Service) events(ctx context.Context, me lead.User, l lead.Lead, limit int, cursor string) ([]lead.Event, string, error) {
	events, next, err := s.db.Events(ctx, l.ID, limit, cursor)
	for i := range events {
		events[i] = lead.RedactEvent(me, l, events[i])
	}
	return events, next, err
}

// FollowUps is a page of lead id's follow-ups, newest first, when me may read it.
func (s *Service) FollowUps(ctx context.Context, me lead.User, id string, limit int, cursor string) ([]lead.FollowUp, string, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err != nil {
		return nil, "", err
	}
	return s.db.FollowUps(ctx, l.ID, limit, cursor)
}

// ClaimPools are the pools me may claim from or administers (the lead
// list's tabs), at most 100; for an admin, who administers every pool,
// every pool.
func (s *Service) ClaimPools(ctx context.Context, me lead.User) ([]lead.Pool, error) {
	filter := store.PoolFilter{VisibleTo: me.ID, Limit: 100}
	if me.Role == lead.RoleAdmin {
		filter.VisibleTo = ""
	}
	pools, _, err := s.db.Pools(ctx, filter)
	if err != nil {
		return nil, err
	}
	out := pools[:0]
	for _, p := range pools {
		if pa := lead.PoolAccessOf(me, p); pa.Member || pa.Admin || me.Role == lead.RoleAdmin {
			out = append(out, p)
		}
	}
	return out, nil
}
