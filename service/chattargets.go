package service

import (
	"context"

	"github.com/leadflow/leadflow/chat"
	"github.com/leadflow/leadflow/lead"
)

// Chat targets: a user manages their own (the notifications they get, also
// posted to a group robot); an admin manages every team's, a manager their
// team's. A target the caller may not manage is not found; an admin may
// manage a user's too.

// ChatTargetChange is the body of a target's create (kind and url
// required) or patch (absent fields are left as they are).
type ChatTargetChange struct {
	// TeamID makes a team's target on create ("" or absent: the caller's own).
	TeamID *string   `json:"team_id"`
	Kind   *string   `json:"kind"`
	URL    *string   `json:"url"`
	Secret *string   `json:"secret"`
	Kinds  *[]string `json:"kinds"`
	Active *bool     `json:"active"`
}

// mayChatTarget says whether me may manage t.
func mayChatTarget(me lead.User, t lead.ChatTarget) bool {
	switch {
	case me.Role == lead.RoleAdmin:
		return true
	case t.UserID != "":
		return t.UserID == me.ID
	default:
		return me.Role == lead.RoleManager && me.TeamID != "" && me.TeamID == t.TeamID
	}
}

// CreateChatTarget adds a target for me or, with team_id, for a team. key
// is the request's idempotency key: a retry answers the same target.
func (s *Service) CreateChatTarget(ctx context.Context, me lead.User, key string, in ChatTargetChange) (lead.ChatTarget, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return lead.ChatTarget{}, err
	}
	t := lead.ChatTarget{ID: LeadID(key, "chat\x00"+me.ID), UserID: me.ID, Active: true, CreatedBy: me.ID}
	var f lead.Fields
	if in.Kind == nil {
		f.Add("kind", "is required")
	}
	if in.URL == nil {
		f.Add("url", "is required")
	}
	if err := f.Err(); err != nil {
		return t, err
	}
	if in.TeamID != nil && *in.TeamID != "" {
		t.UserID, t.TeamID = "", *in.TeamID
		if _, err := s.db.Team(ctx, t.TeamID); err != nil {
			return t, lead.Invalid(lead.FieldError{Field: "team_id", Reason: "is not a team"})
		}
		if !mayChatTarget(me, t) {
			return t, lead.Errorf(lead.CodeForbidden, "only an admin or the team's manager manages a team's chat targets")
		}
	}
	if err := s.applyChatTarget(ctx, &t, in); err != nil {
		return t, err
	}
	return s.db.CreateChatTarget(ctx, t)
}

// applyChatTarget checks a change and applies it to t: a known kind, a
// URL chat posts may reach (the webhook guard), known notification kinds.
func (s *Service) applyChatTarget(ctx context.Context, t *lead.ChatTarget, in ChatTargetChange) error {
	var f lead.Fields
	if in.Kind != nil {
		if !chat.Known(*in.Kind) {
			f.Add("kind", "must be wecom, dingtalk, feishu or slack")
		}
		t.Kind = *in.Kind
	}
	if in.URL != nil {
		if err := s.cfg.WebhookGuard.CheckURL(ctx, *in.URL); err != nil {
			f.Add("url", err.Error())
		}
		t.URL = *in.URL
	}
	if in.Secret != nil {
		t.Secret = *in.Secret
	}
	if in.Kinds != nil {
		for _, k := range *in.Kinds {
			if !lead.KnownEmailKind(k) {
				f.Add("kinds", "has an unknown notification kind: "+k)
			}
		}
		t.Kinds = *in.Kinds
	}
	if in.Active != nil {
		t.Active = *in.Active
	}
	return f.Err()
}

// chatTargetFor is target id when me may manage it (not found otherwise).
func (s *Service) chatTargetFor(ctx context.Context, me lead.User, id string) (lead.ChatTarget, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return lead.ChatTarget{}, err
	}
	t, err := s.db.ChatTarget(ctx, id)
	if err == nil && !mayChatTarget(me, t) {
		return lead.ChatTarget{}, lead.Errorf(lead.CodeNotFound, "chat target not found")
	}
	return t, err
}

// ChatTargets are the targets me manages: their own, and their team's
// (a manager) or every team's (an admin).
func (s *Service) ChatTargets(ctx context.Context, me lead.User) ([]lead.ChatTarget, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return nil, err
	}
	var teams []string
	if me.Role == lead.RoleManager {
		teams = []string{me.TeamID}
	}
	out, err := s.db.ChatTargetsOf(ctx, me.ID, teams, me.Role == lead.RoleAdmin)
	if out == nil {
		out = []lead.ChatTarget{}
	}
	return out, err
}

// TeamChatTargets are a team's targets as me may see them on the team's
// page, and whether me may add and remove them (an admin, or the team's
// manager).
func (s *Service) TeamChatTargets(ctx context.Context, me lead.User, teamID string) ([]lead.ChatTarget, bool, error) {
	mine, err := s.ChatTargets(ctx, me)
	if err != nil {
		return nil, false, err
	}
	out := []lead.ChatTarget{}
	for _, t := range mine {
		if t.TeamID == teamID {
			out = append(out, t)
		}
	}
	return out, mayChatTarget(me, lead.ChatTarget{TeamID: teamID}), nil
}

// UpdateChatTarget changes a target (its owner, user or team, stays).
func (s *Service) UpdateChatTarget(ctx context.Context, me lead.User, id string, in ChatTargetChange) (lead.ChatTarget, error) {
	t, err := s.chatTargetFor(ctx, me, id)
	if err != nil {
		return t, err
	}
	if in.TeamID != nil {
		return t, lead.Invalid(lead.FieldError{Field: "team_id", Reason: "cannot change; delete the target and make another"})
	}
	if err := s.applyChatTarget(ctx, &t, in); err != nil {
		return t, err
	}
	return s.db.UpdateChatTarget(ctx, t)
}

// DeleteChatTarget removes a target and answers what it was; what it
// was posted stays in the outbox.
func (s *Service) DeleteChatTarget(ctx context.Context, me lead.User, id string) (lead.ChatTarget, error) {
	t, err := s.chatTargetFor(ctx, me, id)
	if err != nil {
		return t, err
	}
	return t, s.db.DeleteChatTarget(ctx, id)
}
