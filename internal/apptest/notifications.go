package apptest

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/worker"
	"github.com/leadflow/leadflow/workflows"
)

// NewMailStack is the whole service with e-mail configured as in
// production, SENDGRID_API_KEY and SENDGRID_BASE_URL, pointing at a local
// server that speaks the SendGrid v3 mail-send contract.
func NewMailStack(t *testing.T) (*Stack, *sendgridtest.Server) {
	return mailStack(t, nil, worker.Webhooks{})
}

// NewMailStackIn is NewMailStack whose worker takes zone as the server's
// time zone (the digest's hour of users without one).
func NewMailStackIn(t *testing.T, zone *time.Location) (*Stack, *sendgridtest.Server) {
	return mailStack(t, zone, worker.Webhooks{})
}

// NewHookStack is NewMailStack with the webhook deliveries' settings h
// (short retries for tests); the tests' receivers on 127.0.0.1 are allowed.
func NewHookStack(t *testing.T, h worker.Webhooks) (*Stack, *sendgridtest.Server) {
	return mailStack(t, nil, h)
}

func mailStack(t *testing.T, zone *time.Location, h worker.Webhooks) (*Stack, *sendgridtest.Server) {
	sg := sendgridtest.New(t, "SG.integration-"+rand.Text()) // its own key: another test's late requests are not its own
	t.Setenv("SENDGRID_API_KEY", sg.Key)
	t.Setenv("SENDGRID_BASE_URL", sg.URL)
	sender, err := notify.New(notify.ConfigFromEnv(os.Getenv))
	if err != nil || sender.Name() != "sendgrid" {
		t.Fatalf("sender %v: %v", sender, err)
	}
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	h.Guard = LocalHooks
	testenv.Worker(t, worker.Config{Temporal: tc, Namespace: ns, Store: db, Mail: sender, PublicURL: "https://leadflow.example.com",
		TimeZone: zone, Webhooks: h})
	return StackOn(t, db, tc, server.Config{}), sg
}

// FinishLead closes a live lead and waits for its workflow, which waits for
// its e-mails: after it, no e-mail of the lead is still on its way.
func (s *Stack) FinishLead(id string) {
	s.T.Helper()
	if l := s.GetLead(id); !l.Status.Terminal() {
		s.Expect(s.Do("POST", "/api/v1/leads/"+id+"/close", s.Admin, `{"reason":"test over"}`), 200)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out lead.Lead
	if err := s.TC.GetWorkflow(ctx, workflows.WorkflowID(id), "").Get(ctx, &out); err != nil {
		s.T.Fatalf("workflow of %s: %v", id, err)
	}
}

// MailUser creates a user of a role through the API and returns its id and token.
func (s *Stack) MailUser(name, role string) (string, string) {
	s.T.Helper()
	return s.PoolStaff(name, lead.Role(role))
}

// MailTeam creates a team through the API and returns its id.
func (s *Stack) MailTeam(name string) string {
	s.T.Helper()
	var team lead.Team
	s.Expect(s.Do("POST", "/api/v1/teams", s.Admin, fmt.Sprintf(`{"name":%q}`, name)), 201).JSON(s.T, &team)
	return team.ID
}
