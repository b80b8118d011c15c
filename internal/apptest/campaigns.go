package apptest

import (
	"testing"
	"time"

	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
	"github.com/leadflow/leadflow/worker"
)

// CampaignInviteKey is the invite key the API and the worker of a
// campaign stack share: the worker signs the links of campaigns' messages.
var CampaignInviteKey = []byte("campaign-stack-invite-key-0123456789")

// CampaignStack is a stack whose messages go to the providers' fakes and
// whose API and worker share their invite key and public URL, as a
// campaign needs; StartWorker starts its worker.
type CampaignStack struct {
	*Stack
	Providers
	ns string
}

// NewCampaignStack starts a campaign stack without its worker.
func NewCampaignStack(t *testing.T) *CampaignStack {
	db := testenv.Store(t)
	tc, ns := testenv.Temporal(t)
	return &CampaignStack{Stack: StackOn(t, db, tc, server.Config{PublicURL: "https://leads.example.com", InviteKey: CampaignInviteKey}),
		Providers: NewProviders(t), ns: ns}
}

// StartWorker starts a worker sending through the fakes (the outbox when
// outbox) and returns its stop.
func (m *CampaignStack) StartWorker(outbox bool) (stop func()) {
	m.T.Helper()
	chs := m.Channels
	if outbox {
		chs = nil
	}
	return startWorker(m.T, worker.Config{Temporal: m.TC, Namespace: m.ns, Store: m.DB, Channels: chs, InviteKey: CampaignInviteKey,
		PublicURL: "https://leads.example.com", NoDigestSchedule: true, Webhooks: worker.Webhooks{Guard: LocalHooks}})
}

// WaitCampaign polls campaign id as the admin until cond holds of it.
func (s *Stack) WaitCampaign(id string, limit time.Duration, what string, cond func(lead.Campaign) bool) lead.Campaign {
	s.T.Helper()
	var c lead.Campaign
	s.WaitFor(limit, what, func() bool {
		s.Expect(s.Do("GET", "/api/v1/campaigns/"+id, s.Admin, ""), 200).JSON(s.T, &c)
		return cond(c)
	})
	return c
}
