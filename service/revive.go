package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// The actions that bring a finished lead back: an admin or a manager of
// its pool reopens a closed lead into a pool, an admin readmits a rejected
// lead through intake. Their workflow has ended, so the update starts a
// new run of it (workflows.Revive).

// ReopenInput is a reopen: the pool the lead goes into (default the pool
// it was closed in) and why.
type ReopenInput struct {
	PoolID string `json:"pool_id"`
	Reason string `json:"reason"`
}

// Reopen puts closed lead id back into a pool, pooled, its workflow
// running again; its history records who, when and why.
func (s *Service) Reopen(ctx context.Context, me lead.User, id, key string, in ReopenInput) (lead.Lead, error) {
	return s.revive(ctx, me, id, key, lead.ActReopen, workflows.UpdateReopen,
		workflows.MoveInput{ActorID: me.ID, PoolID: strings.TrimSpace(in.PoolID), Reason: strings.TrimSpace(in.Reason)})
}

// ReadmitInput is a readmission: why the rejection is overridden.
type ReadmitInput struct {
	Reason string `json:"reason"`
}

// Readmit overrides the rejection of rejected lead id (admins): it goes
// through intake again, its validation recorded but not applied; its
// history records who, when and why.
func (s *Service) Readmit(ctx context.Context, me lead.User, id, key string, in ReadmitInput) (lead.Lead, error) {
	return s.revive(ctx, me, id, key, lead.ActReadmit, workflows.UpdateReadmit,
		workflows.MoveInput{ActorID: me.ID, Reason: strings.TrimSpace(in.Reason)})
}

// revive checks and sends the update that revives a finished lead. A
// retry of a request that was applied answers with the lead as it is now.
func (s *Service) revive(ctx context.Context, me lead.User, id, key string, act lead.Action, name string, arg workflows.MoveInput) (lead.Lead, error) {
	var bad lead.Fields
	if arg.Reason == "" {
		bad.Add("reason", "is required: why the lead is "+lead.Permissions[act].Verb)
	} else if utf8.RuneCountInString(arg.Reason) > 1000 {
		bad.Add("reason", "is longer than 1000 characters")
	}
	if err := bad.Err(); err != nil {
		return lead.Lead{}, err
	}
	uid := updateID(me, key, name)
	if key != "" {
		if done, err := s.db.RequestApplied(ctx, workflows.WorkflowID(id)+"/"+uid); err != nil || done {
			if err != nil {
				return lead.Lead{}, err
			}
			return s.Lead(ctx, me, id)
		}
	}
	l, err := s.LeadFor(ctx, me, id, act)
	if err != nil {
		return l, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
	defer cancel()
	var out lead.Lead
	if err := workflows.Revive(ctx, s.tc, l, uid, name, arg, &out); err != nil {
		return out, TemporalError(err)
	}
	return lead.Redact(me, out), nil
}
