package service

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/leadflow/leadflow/lead"
)

// These tests need no database: each refusal comes before the store.

func TestPoolChangeNamesEachBadField(t *testing.T) {
	b := PoolChange{Name: json.RawMessage(`null`), Weights: json.RawMessage(`{"u1": "x", "u2": null}`),
		Policy: json.RawMessage(`{"cooldown": 5, "color": "red"}`)}
	_, _, err := b.Patch()
	bad, ok := lead.FieldsOf(err)
	if !ok {
		t.Fatalf("err = %v, want field errors", err)
	}
	got := map[string]string{}
	for _, f := range bad {
		got[f.Field] = f.Reason
	}
	if got["name"] != "must not be null" || got["weights"] != "must be a whole number" || got["policy.color"] != "is not a known field" {
		t.Errorf("reasons = %v", got)
	}

	pp, _, err := PoolChange{Weights: json.RawMessage(`{"u2": null}`), Policy: json.RawMessage(`{"auto_accept": true}`)}.Patch()
	if err != nil || pp.Weights["u2"] != lead.DefaultWeight || pp.Policy.AutoAccept == nil || !*pp.Policy.AutoAccept {
		t.Errorf("patch = %+v, %v", pp, err)
	}
}

func TestRefusalsBeforeTheStore(t *testing.T) {
	s := &Service{}
	ctx := context.Background()
	rep := lead.User{ID: "r", Role: lead.RoleRep}
	manager := lead.User{ID: "m", Role: lead.RoleManager}
	admin := lead.User{ID: "a", Role: lead.RoleAdmin}

	for name, err := range map[string]error{
		"rep creates a pool":     func() error { _, err := s.CreatePool(ctx, rep, PoolChange{}); return err }(),
		"manager creates a user": func() error { _, err := s.CreateUser(ctx, manager, UserInput{}); return err }(),
		"rep lists users":        func() error { _, _, err := s.Users(ctx, rep, 10, ""); return err }(),
		"rep reads another user": func() error { _, err := s.User(ctx, rep, "x"); return err }(),
		"rep sets their role": func() error {
			_, err := s.UpdateUser(ctx, rep, "r", UserChange{Role: json.RawMessage(`"admin"`)})
			return err
		}(),
		"rep changes another user":  func() error { _, err := s.UpdateUser(ctx, rep, "x", UserChange{}); return err }(),
		"manager rotates a token":   func() error { _, err := s.RotateToken(ctx, manager, "x", nil); return err }(),
		"manager sets a policy":     func() error { _, err := s.SetDuplicatePolicies(ctx, manager, nil); return err }(),
		"manager saves options":     func() error { _, err := s.SetOptions(ctx, manager, lead.OptionLists[0], nil); return err }(),
		"manager deletes a field":   s.DeleteField(ctx, manager, "x"),
		"rep manages a pool":        func() error { _, err := s.ManagedPool(ctx, rep, "x"); return err }(),
		"rep reads the outbox mail": func() error { _, err := s.Notification(ctx, rep, "x"); return err }(),
		"manager team recipients":   func() error { _, err := s.SetTeamRecipients(ctx, manager, "x", nil); return err }(),
	} {
		if lead.ErrorCode(err) != lead.CodeForbidden {
			t.Errorf("%s: err = %v, want forbidden", name, err)
		}
	}

	_, err := s.SetDuplicatePolicies(ctx, admin, map[string]lead.DuplicatePolicy{
		lead.SourceWeb: "merge", lead.SourceInvite: "merge", "fax": "merge", lead.SourceAPI: "sometimes"})
	bad, _ := lead.FieldsOf(err)
	if len(bad) != 4 {
		t.Errorf("duplicate policies: %v, want web, invite and fax refused and api's policy", err)
	}
}
