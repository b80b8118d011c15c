package service

import (
	"context"
	"time"

	"github.com/leadflow/leadflow/lead"
)

// This file holds the console's sessions and the invite links: what a
// face needs to sign a user in and to show them their link. The cookie,
// the CSRF check and the pages are the console's.

// Session is an open console session: its id (the cookie's value, kept by
// the store only as a hash), its CSRF token and when it ends.
type Session struct {
	ID, CSRF string
	Expires  time.Time
}

// OpenSession opens a session for user userID with the API token whose
// hash is tokenHash, for ttl at most: never longer than the token, and
// it ends when the token is rotated or the user deactivated or changed
// (store.CreateSession). A user or token that no longer matches is not
// found.
func (s *Service) OpenSession(ctx context.Context, userID string, tokenHash []byte, ttl time.Duration) (Session, error) {
	ses := Session{ID: RandomToken(32), CSRF: RandomToken(32)}
	var err error
	ses.Expires, err = s.db.CreateSession(ctx, HashToken(ses.ID), userID, tokenHash, ses.CSRF, time.Now().Add(ttl))
	return ses, err
}

// SessionUser is the active user of the live session id, and the
// session's CSRF token; not found for an unknown or ended session.
func (s *Service) SessionUser(ctx context.Context, id string) (lead.User, string, error) {
	if id == "" {
		return lead.User{}, "", lead.Errorf(lead.CodeNotFound, "no session")
	}
	return s.db.Session(ctx, HashToken(id))
}

// EndSession ends session id (sign-out, or a new sign-in in the same
// browser); ending an unknown session does nothing.
func (s *Service) EndSession(ctx context.Context, id string) error {
	return s.db.DeleteSession(ctx, HashToken(id))
}

// SpendSignInCode spends a one-time sign-in link's code: the user it
// signs in and the hash of the token the session will belong to. A code
// that is unknown, spent or expired is not found.
func (s *Service) SpendSignInCode(ctx context.Context, code string) (userID string, tokenHash []byte, err error) {
	return s.db.UseSignInCode(ctx, HashToken(code))
}

// Landing is where user id goes after signing in without a destination:
// managers and admins to the dashboard, reps to their leads.
func (s *Service) Landing(ctx context.Context, id string) (string, error) {
	u, err := s.db.User(ctx, id)
	if err != nil {
		return "", err
	}
	if u.Role == lead.RoleRep {
		return "/leads", nil
	}
	return "/dashboard", nil
}

// InviteLink is a rep's invite link: the token and the registration URL.
type InviteLink struct {
	Token string `json:"token"`
	URL   string `json:"url"`
}

// MyInviteLink is the caller's invite link.
func (s *Service) MyInviteLink(ctx context.Context, me lead.User) (InviteLink, error) {
	tok, err := s.db.InviteToken(ctx, me.ID, s.cfg.InviteKey)
	return InviteLink{Token: tok, URL: InviteURL(s.cfg.PublicURL, tok)}, err
}

// RotateInviteLink replaces the caller's invite link; the old one stops
// working.
func (s *Service) RotateInviteLink(ctx context.Context, me lead.User) (InviteLink, error) {
	tok, err := s.db.RotateInviteToken(ctx, me.ID, s.cfg.InviteKey)
	return InviteLink{Token: tok, URL: InviteURL(s.cfg.PublicURL, tok)}, err
}
