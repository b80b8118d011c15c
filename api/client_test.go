package api_test

import (
	"context"
	"testing"

	"github.com/leadflow/leadflow/apiclient"
	"github.com/leadflow/leadflow/internal/apptest"
)

func ptr[T any](v T) *T { return &v }

// TestGeneratedClient walks a lead's first steps and the users and rules
// around it with the client generated from openapi.json: the typed answers
// decode what the server really sends.
func TestGeneratedClient(t *testing.T) {
	s := apptest.NewStack(t)
	ctx := context.Background()
	admin := s.Client(s.Admin)

	u, err := admin.CreateUserWithResponse(ctx, apiclient.CreateUserJSONRequestBody{Name: "Cleo", Email: "cleo@example.com",
		Role: apiclient.RoleRep, Capacity: ptr(5)})
	if err != nil || u.JSON201 == nil || u.JSON201.Token == "" {
		t.Fatalf("createUser: %v %d %s", err, u.StatusCode(), u.Body)
	}
	rep := s.Client(u.JSON201.Token)

	var ids []string
	for _, in := range []apiclient.LeadInput{
		{Company: "Northwind Traders", Phone: "+44 20 7946 0958", Country: ptr("GB"), Tags: ptr([]string{"expo"})},
		{Company: "Fabrikam Industries", Phone: "+1 650 253 0000"},
	} {
		r, err := admin.CreateLeadWithResponse(ctx, nil, in)
		if err != nil || r.JSON201 == nil || r.JSON201.Status != apiclient.LeadStatusPooled {
			t.Fatalf("createLead: %v %d %s", err, r.StatusCode(), r.Body)
		}
		ids = append(ids, r.JSON201.Id)
	}

	// listLeads pages through the pooled leads, newest first.
	first, err := rep.ListLeadsWithResponse(ctx, &apiclient.ListLeadsParams{Status: ptr(apiclient.LeadStatusPooled), Limit: ptr(1)})
	if err != nil || first.JSON200 == nil || len(first.JSON200.Items) != 1 || first.JSON200.NextCursor == nil {
		t.Fatalf("listLeads: %v %d %s", err, first.StatusCode(), first.Body)
	}
	second, err := rep.ListLeadsWithResponse(ctx, &apiclient.ListLeadsParams{Status: ptr(apiclient.LeadStatusPooled), Limit: ptr(1),
		Cursor: first.JSON200.NextCursor})
	if err != nil || second.JSON200 == nil || len(second.JSON200.Items) != 1 {
		t.Fatalf("listLeads, page 2: %v %d %s", err, second.StatusCode(), second.Body)
	}
	if got := []string{first.JSON200.Items[0].Id, second.JSON200.Items[0].Id}; got[0] != ids[1] || got[1] != ids[0] {
		t.Fatalf("listLeads pages: %v, want %v newest first", got, ids)
	}
	if l := second.JSON200.Items[0]; l.Company != "Northwind Traders" || l.PhoneE164 == nil || *l.PhoneE164 != "+442079460958" || l.Tags == nil || len(*l.Tags) != 1 {
		t.Fatalf("listed lead: %+v", l)
	}

	claimed, err := rep.ClaimLeadWithResponse(ctx, ids[0], nil, apiclient.Claim{Reason: ptr("met at the expo")})
	if err != nil || claimed.JSON200 == nil || claimed.JSON200.Status != apiclient.LeadStatusAssigned ||
		claimed.JSON200.OwnerId == nil || *claimed.JSON200.OwnerId != u.JSON201.Id {
		t.Fatalf("claimLead: %v %d %s", err, claimed.StatusCode(), claimed.Body)
	}
	// A refusal decodes as a problem with its reasons.
	again, err := admin.ClaimLeadWithResponse(ctx, ids[0], nil, apiclient.Claim{})
	if err != nil || again.ApplicationproblemJSON409 == nil || again.ApplicationproblemJSON409.Reasons == nil {
		t.Fatalf("second claim: %v %d %s", err, again.StatusCode(), again.Body)
	}

	history, err := rep.ListLeadHistoryWithResponse(ctx, ids[0], nil)
	if err != nil || history.JSON200 == nil {
		t.Fatalf("listLeadHistory: %v %d %s", err, history.StatusCode(), history.Body)
	}
	var types []string
	for _, e := range history.JSON200.Items {
		types = append(types, e.Type)
	}
	if len(types) < 2 || types[len(types)-1] != "claimed" {
		t.Fatalf("history: %v", types)
	}

	reclaimed, err := admin.ReclaimLeadWithResponse(ctx, ids[0], nil, apiclient.ReclaimInput{Reason: ptr("no answer for a week")})
	if err != nil || reclaimed.JSON200 == nil || reclaimed.JSON200.Status != apiclient.LeadStatusPooled {
		t.Fatalf("reclaimLead: %v %d %s", err, reclaimed.StatusCode(), reclaimed.Body)
	}

	users, err := admin.ListUsersWithResponse(ctx, &apiclient.ListUsersParams{Limit: ptr(10)})
	if err != nil || users.JSON200 == nil || len(users.JSON200.Items) != 2 {
		t.Fatalf("listUsers: %v %d %s", err, users.StatusCode(), users.Body)
	}
	self, err := rep.GetUserWithResponse(ctx, u.JSON201.Id)
	if err != nil || self.JSON200 == nil || self.JSON200.Role != apiclient.RoleRep || self.JSON200.Capacity != 5 {
		t.Fatalf("getUser: %v %d %s", err, self.StatusCode(), self.Body)
	}
	rotated, err := admin.RotateUserTokenWithResponse(ctx, u.JSON201.Id, apiclient.RotateUserTokenJSONRequestBody{})
	if err != nil || rotated.JSON200 == nil || rotated.JSON200.Token == u.JSON201.Token {
		t.Fatalf("rotateUserToken: %v %d %s", err, rotated.StatusCode(), rotated.Body)
	}
	if old, err := rep.GetMeWithResponse(ctx); err != nil || old.ApplicationproblemJSON401 == nil {
		t.Fatalf("the old token still works: %v %d %s", err, old.StatusCode(), old.Body)
	}
	rep = s.Client(rotated.JSON200.Token)

	sets, err := admin.ListRuleSetsWithResponse(ctx)
	if err != nil || sets.JSON200 == nil || len(sets.JSON200.Items) == 0 || len(sets.JSON200.Environment) == 0 {
		t.Fatalf("listRuleSets: %v %d %s", err, sets.StatusCode(), sets.Body)
	}

	invite, err := rep.GetInviteLinkWithResponse(ctx)
	if err != nil || invite.JSON200 == nil || invite.JSON200.Token == "" {
		t.Fatalf("getInviteLink: %v %d %s", err, invite.StatusCode(), invite.Body)
	}
	preview, err := admin.PreviewRulesWithResponse(ctx, apiclient.RuleKindValidation, apiclient.RulePreviewInput{Rules: apiclient.RuleSetBody{
		Rules: &[]apiclient.Rule{{Name: "no_fabrikam", When: `lead.company contains "Fabrikam"`, Message: ptr("not Fabrikam")}}}})
	if err != nil || preview.JSON200 == nil || preview.JSON200.Sample != 2 || preview.JSON200.Changed != 1 {
		t.Fatalf("previewRules: %v %d %s", err, preview.StatusCode(), preview.Body)
	}
}
