package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/internal/apptest"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/webhook"
)

// push posts body to source name's hook signed with secret as delivery id.
func push(s *apptest.Stack, name, secret, id, body string) apptest.Response {
	s.T.Helper()
	at := time.Now()
	sig, err := webhook.Sign([]string{secret}, id, at, []byte(body))
	if err != nil {
		s.T.Fatal(err)
	}
	return s.Do("POST", "/api/v1/hooks/"+name, "", body, "webhook-id", id,
		"webhook-timestamp", fmt.Sprint(at.Unix()), "webhook-signature", sig)
}

// leadsOfChannel are the leads of channel an admin sees.
func leadsOfChannel(s *apptest.Stack, channel string) []lead.Lead {
	s.T.Helper()
	var page struct{ Items []lead.Lead }
	s.Expect(s.Do("GET", "/api/v1/leads?limit=100&channel="+channel, s.Admin, ""), 200).JSON(s.T, &page)
	return page.Items
}

// newSource creates a source as the admin.
func newSource(s *apptest.Stack, body string) service.SourceSecret {
	s.T.Helper()
	var src service.SourceSecret
	s.Expect(s.Do("POST", "/api/v1/sources", s.Admin, body), 201).JSON(s.T, &src)
	if !strings.HasPrefix(src.Secret, webhook.SecretPrefix) {
		s.T.Fatalf("created %+v without a secret", src)
	}
	return src
}

// TestInboundSources: sources are validated field by field and kept from
// reps and managers; a signed push creates one lead with the source's
// name as its channel, through its mapping, in its pool; a retried
// delivery gets the first answer and makes nothing more; a bad, missing
// or stale signature is 401 and changes nothing; the duplicate policy and
// the lead's validation apply; a rotated secret replaces the old one.
func TestInboundSources(t *testing.T) {
	s := apptest.NewStack(t)
	var pool struct{ ID string }
	s.Expect(s.Do("POST", "/api/v1/pools", s.Admin, `{"name":"Inbound","scope":"global"}`), 201).JSON(t, &pool)

	for body, field := range map[string]string{
		`{"name":"Bad Name"}`:  "name",
		`{"field_mapping":{}}`: "name",
		`{"name":"f1","field_mapping":{"contact.company":"nope"}}`:            "field_mapping.contact.company",
		`{"name":"f1","field_mapping":{"a":"company","b":"company"}}`:         "field_mapping.b",
		`{"name":"f1","duplicate_policy":"sometimes"}`:                        "duplicate_policy",
		`{"name":"f1","pool_id":"` + uuid.NewString() + `"}`:                  "pool_id",
		`{"name":"f1","kind":"carrier-pigeon"}`:                               "kind",
		`{"name":"f1","kind":"facebook","verify_token":"v","app_secret":"a"}`: "page_token",
		`{"name":"f1","field_mapping":{"a":"custom."}}`:                       "field_mapping.a",
	} {
		apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/sources", s.Admin, body), 422), field)
	}
	_, rep := s.CreateRep("Sourcerep", 5)
	_, mgr := s.PoolStaff("Sourcemgr", lead.RoleManager)
	for _, tok := range []string{rep, mgr} {
		s.Expect(s.Do("POST", "/api/v1/sources", tok, `{"name":"sneaky"}`), 403)
		s.Expect(s.Do("GET", "/api/v1/sources", tok, ""), 403)
	}

	body := fmt.Sprintf(`{"name":"site-form","pool_id":%q,"field_mapping":{"contact.org":"company","contact.tel":"phone","utm.campaign":"notes","internal":"ignore"}}`, pool.ID)
	var src, again service.SourceSecret
	s.Expect(s.Do("POST", "/api/v1/sources", s.Admin, body, "Idempotency-Key", "src-1"), 201).JSON(t, &src)
	s.Expect(s.Do("POST", "/api/v1/sources", s.Admin, body, "Idempotency-Key", "src-1"), 201).JSON(t, &again)
	if again.ID != src.ID || again.Secret != src.Secret || !strings.HasPrefix(src.Secret, webhook.SecretPrefix) {
		t.Fatalf("a retried create answered %+v, then %+v", src, again)
	}
	apptest.FieldProblem(t, s.Expect(s.Do("POST", "/api/v1/sources", s.Admin, body), 422), "name") // taken
	if src.DuplicatePolicy != lead.DuplicateMerge || src.Kind != lead.InboundWebhook || src.FieldMapping["contact.tel"] != "phone" {
		t.Fatalf("created %+v", src)
	}
	var got lead.InboundSource
	r := s.Expect(s.Do("GET", "/api/v1/sources/"+src.ID, s.Admin, ""), 200)
	r.JSON(t, &got)
	if strings.Contains(string(r.Body), src.Secret) || got.Name != "site-form" {
		t.Fatalf("GET answered %s", r.Body)
	}

	// A signed push: one lead, channel = the source's name, mapped, in the source's pool.
	before := s.CountLeads()
	lead1 := `{"contact":{"org":"Hook Trading","tel":"+8613900139001","email":"buyer@hook.example"},"country":"CN","utm":{"campaign":"spring"},"internal":"x","extra":"dropped"}`
	first := s.Expect(push(s, "site-form", src.Secret, "msg_1", lead1), 201)
	var a service.HookAnswer
	first.JSON(t, &a)
	var l lead.Lead
	s.Expect(s.Do("GET", "/api/v1/leads/"+a.LeadID, s.Admin, ""), 200).JSON(t, &l)
	if l.Channel != "site-form" || l.Source != lead.SourceHook || l.Company != "Hook Trading" || l.Email != "buyer@hook.example" ||
		l.Notes != "spring" || l.PoolID != pool.ID || l.Country != "CN" {
		t.Fatalf("the pushed lead is %+v", l)
	}
	// The same delivery again: the same answer, no second lead.
	second := s.Expect(push(s, "site-form", src.Secret, "msg_1", lead1), 201)
	if string(second.Body) != string(first.Body) {
		t.Fatalf("a retried delivery answered %s, then %s", first.Body, second.Body)
	}
	if n := s.CountLeads(); n != before+1 {
		t.Fatalf("%d leads after a push and its retry, want %d", n, before+1)
	}

	// Bad, missing and stale signatures: 401, nothing created.
	other := webhook.NewSecret()
	lead2 := `{"contact":{"org":"Forged Ltd","tel":"+8613900139002"}}`
	s.Expect(push(s, "site-form", other, "msg_2", lead2), 401)
	s.Expect(s.Do("POST", "/api/v1/hooks/site-form", "", lead2), 401)
	old := time.Now().Add(-time.Hour)
	sig, _ := webhook.Sign([]string{src.Secret}, "msg_2", old, []byte(lead2))
	s.Expect(s.Do("POST", "/api/v1/hooks/site-form", "", lead2, "webhook-id", "msg_2", "webhook-timestamp", fmt.Sprint(old.Unix()),
		"webhook-signature", sig), 401)
	s.Expect(push(s, "no-such-source", src.Secret, "msg_2", lead2), 404)
	if n := s.CountLeads(); n != before+1 {
		t.Fatalf("%d leads after forged pushes, want %d", n, before+1)
	}

	// The lead's own validation: a refusal naming the field, kept for its retry.
	bad := s.Expect(push(s, "site-form", src.Secret, "msg_3", `{"contact":{"org":"No Phone Co"}}`), 422)
	apptest.FieldProblem(t, bad, "phone")
	if again := s.Expect(push(s, "site-form", src.Secret, "msg_3", `{"contact":{"org":"No Phone Co"}}`), 422); string(again.Body) != string(bad.Body) {
		t.Fatalf("a retried refusal answered %s, then %s", bad.Body, again.Body)
	}
	apptest.FieldProblem(t, s.Expect(push(s, "site-form", src.Secret, "msg_4", `[1,2]`), 422), "body")

	// Duplicate policies: merge (the default) merges, reject refuses, warn warns.
	dup := `{"contact":{"org":"Hook Trading","tel":"+8613900139001"},"country":"CN"}`
	var merged service.HookAnswer
	s.Expect(push(s, "site-form", src.Secret, "msg_5", dup), 200).JSON(t, &merged)
	if merged.MergedInto != a.LeadID {
		t.Fatalf("merge answered %+v, want merged into %s", merged, a.LeadID)
	}
	rej := newSource(s, `{"name":"strict","duplicate_policy":"reject","field_mapping":{"contact.org":"company","contact.tel":"phone"}}`)
	s.Expect(push(s, "strict", rej.Secret, "msg_1", dup), 409)
	warn := newSource(s, `{"name":"lenient","duplicate_policy":"warn","field_mapping":{"contact.org":"company","contact.tel":"phone"}}`)
	var warned service.HookAnswer
	s.Expect(push(s, "lenient", warn.Secret, "msg_1", dup), 201).JSON(t, &warned)
	if len(warned.Warnings) != 1 || len(leadsOfChannel(s, "lenient")) != 1 {
		t.Fatalf("warn answered %+v", warned)
	}
	for _, l := range leadsOfChannel(s, "strict") {
		if l.Status != lead.StatusRejected {
			t.Fatalf("the reject policy left %+v", l)
		}
	}

	// Edits and rotation: a patch changes the mapping; the old secret stops verifying.
	apptest.FieldProblem(t, s.Expect(s.Do("PATCH", "/api/v1/sources/"+src.ID, s.Admin, `{"field_mapping":{"x":"nope"}}`), 422), "field_mapping.x")
	apptest.FieldProblem(t, s.Expect(s.Do("PATCH", "/api/v1/sources/"+src.ID, s.Admin, `{"name":"strict"}`), 422), "name")
	s.Expect(s.Do("PATCH", "/api/v1/sources/"+src.ID, s.Admin, `{"kind":"facebook"}`), 422)
	got = lead.InboundSource{}
	s.Expect(s.Do("PATCH", "/api/v1/sources/"+src.ID, s.Admin, `{"duplicate_policy":"warn","pool_id":""}`), 200).JSON(t, &got)
	if got.DuplicatePolicy != lead.DuplicateWarn || got.PoolID != "" || got.FieldMapping["contact.org"] != "company" {
		t.Fatalf("patched %+v", got)
	}
	var rotated service.SourceSecret
	s.Expect(s.Do("POST", "/api/v1/sources/"+src.ID+"/rotate-secret", s.Admin, ""), 200).JSON(t, &rotated)
	s.Expect(push(s, "site-form", src.Secret, "msg_6", lead2), 401)
	s.Expect(push(s, "site-form", rotated.Secret, "msg_6", lead2), 201)

	var page struct{ Items []lead.InboundSource }
	s.Expect(s.Do("GET", "/api/v1/sources", s.Admin, ""), 200).JSON(t, &page)
	if len(page.Items) != 3 {
		t.Fatalf("%d sources listed, want 3", len(page.Items))
	}
	s.Expect(s.Do("DELETE", "/api/v1/sources/"+rej.ID, s.Admin, ""), 204)
	s.Expect(s.Do("GET", "/api/v1/sources/"+rej.ID, s.Admin, ""), 404)
	s.Expect(push(s, "strict", rej.Secret, "msg_9", lead2), 404)
}
