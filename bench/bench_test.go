package bench

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestSmoke runs every scenario at tiny sizes on its own stack and checks
// that the table has each line with its command. It asserts no timing.
func TestSmoke(t *testing.T) {
	o := Defaults()
	o.Leads, o.Concurrency, o.ListLeads, o.ListRequests, o.ImportRows, o.Reclaims, o.PolicyLeads = 4, 2, 500, 3, 5, 3, 3
	o.BulkLeads = 4
	o.CampaignRecipients = 50
	o.CapacityOps = 3
	o.Log = slog.New(slog.DiscardHandler)
	var out bytes.Buffer
	if err := Run(context.Background(), o, &out); err != nil {
		t.Fatal(err)
	}
	table := out.String()
	for _, want := range []string{
		"rules: 50-rule validation set", "leadflow bench -only rules",
		"history events: intake", "history events: claim", "history events: follow-up",
		"intake: POST /api/v1/leads x4", "floor: update-with-start x4", "floor: empty workflow x4",
		"leadflow bench -only intake -leads 4 -concurrency 2",
		"3 reclaims due in the same second", "tasks past the sticky timeout", "the last reclaim's workflow, after the due time", "timer fired +", "floor: 3 timers due in the same second", "policy change, pool of 3 live leads: PATCH answered",
		"all re-armed", "import of 5 rows", "5 created", "GET /api/v1/leads?status=assigned&source=web&channel=Event over 500 leads",
		"GET /api/v1/leads?q=13800012345 over 500 leads", "leadflow bench -only list -list-leads 500 -list-requests 3",
		"webhooks: intake x4, one subscription to *", "webhooks: events per intake", "2.00 (8 deliveries)", "leadflow bench -only webhooks -leads 4",
		"bulk floor: POST /leads/{id}/assign x4", "bulk job: assign x4", "4 done, 0 refused, 0 failed, done", "bulk: intake p99", "beside 4 single assigns (8 clients)", "the assigns ran at",
		"leadflow bench -only bulk -bulk-leads 4 -bulk-concurrency 8",
		"campaign: 50 e-mails to the outbox", "campaign floor: 50 outbox rows", "leadflow bench -only campaign -campaign-recipients 50",
		"capacity: idle CPU-ms per second", "capacity: intake (POST /leads x3, 16 clients)", "capacity: claim", "capacity: follow-up",
		"capacity: reclaim (x3", "CPU-ms per op: bench (api, worker, temporal)", "capacity: model check, 9 intakes",
		"capacity: peak resident set", "leadflow bench -only capacity -capacity-ops 3",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("the table lacks %q:\n%s", want, table)
		}
	}
}

// TestUnknownScenario checks that -only refuses a name it does not know.
func TestUnknownScenario(t *testing.T) {
	o := Defaults()
	o.Only = []string{"intake", "nope"}
	err := Run(context.Background(), o, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), `unknown scenario "nope"`) {
		t.Fatalf("Run with -only nope: %v", err)
	}
}
