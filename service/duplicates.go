package service

import (
	"context"
	"strings"

	"github.com/leadflow/leadflow/lead"
)

// Duplicates as a form sees them before it is sent: the lead a new lead
// would duplicate, named as CreateLead's warnings name it, and what the
// duplicate policy would do with it.

// DuplicateWarning starts the warning about the live lead a new lead
// duplicates; duplicateName follows.
const DuplicateWarning = "a lead with the same company, phone and country exists: "

// duplicateName names the duplicated lead dup ("" when it may not be named).
func duplicateName(dup string) string {
	if dup == "" {
		return "a live lead"
	}
	return "lead " + dup
}

// DuplicateCheck is what CheckDuplicate found.
type DuplicateCheck struct {
	// Found says a live lead has the same company, phone and country.
	Found bool
	// LeadID is that lead, when me may see it ("" otherwise).
	LeadID string
	// Warning is CreateLead's warning about it.
	Warning string
	// Policy is what creating the lead would do: merge, warn or reject
	// (a merge into a lead me may not edit is refused).
	Policy lead.DuplicatePolicy
}

// CheckDuplicate looks for the live lead that a lead of company, phone and
// country created by me would duplicate, as intake's de-duplication does
// (the dedup key), naming it only when me may see it (lead.DuplicateAccess).
// policy is the lead's own duplicate policy ("" for its source's).
func (s *Service) CheckDuplicate(ctx context.Context, me lead.User, company, phone, country string, policy lead.DuplicatePolicy) (DuplicateCheck, error) {
	var out DuplicateCheck
	in := lead.Input{Contact: lead.Contact{Company: company, Phone: phone, Country: country}}
	if err := in.Clean(); err != nil || len(strings.TrimSpace(company)) < 2 {
		return out, nil // too little to compare: nothing found yet
	}
	l := in.NewLead("")
	dup, err := s.db.LiveDuplicate(ctx, l.DedupKey)
	if err != nil || dup == "" {
		return out, err
	}
	named, writable, err := s.db.DuplicateAccess(ctx, me, dup)
	if err != nil {
		return out, err
	}
	out.Found = true
	if named {
		out.LeadID = dup
	}
	out.Warning = DuplicateWarning + duplicateName(out.LeadID)
	if out.Policy = policy; out.Policy == "" {
		source := lead.SourceAPI
		if me.Role == lead.RoleRep {
			source = lead.SourceManual // as CreateLead registers a rep's lead
		}
		if out.Policy, err = s.db.DuplicatePolicy(ctx, source); err != nil {
			return out, err
		}
	}
	if out.Policy == lead.DuplicateMerge && !writable {
		out.Policy = lead.DuplicateReject // as intake refuses it
	}
	return out, nil
}

// checkCreatePool adds to bad what is wrong with the pool a new lead is
// put in: reps' leads go to their own leads, staff choose a pool they may
// import into (lead.ActImport).
func (s *Service) checkCreatePool(ctx context.Context, me lead.User, bad *lead.Fields, poolID string) error {
	if poolID == "" {
		return nil
	}
	if me.Role == lead.RoleRep {
		bad.Add("pool_id", "is for admins and managers: a rep's new lead is one of their own leads")
		return nil
	}
	err := s.PoolFor(ctx, me, lead.ActImport, poolID)
	switch code := lead.ErrorCode(err); {
	case err == nil:
	case code == lead.CodeNotFound:
		bad.Add("pool_id", "is not an existing pool")
	case code == lead.CodeForbidden:
		bad.Add("pool_id", "is not a pool you may put leads in: that is for admins and the pool's own admins")
	default:
		return err
	}
	return nil
}

// CreatePools are the pools me may put a new lead in (lead.ActImport),
// none for a rep (their lead is one of their own).
func (s *Service) CreatePools(ctx context.Context, me lead.User) ([]lead.Pool, error) {
	if me.Role == lead.RoleRep {
		return nil, nil
	}
	return s.ImportPools(ctx, me)
}
