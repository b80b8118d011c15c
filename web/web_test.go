package web

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/leadflow/leadflow/lead"
)

func TestLanguage(t *testing.T) {
	for _, c := range []struct{ query, accept, want string }{
		{"", "", "en"},
		{"", "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"},
		{"", "en-US,en;q=0.9,zh;q=0.8", "en"},
		{"", "fr-FR,zh-TW;q=0.5", "zh-CN"},
		{"en", "zh-CN", "en"},
		{"zh", "", "zh-CN"},
		{"xx", "de", "en"},
	} {
		if got := Language(c.query, c.accept); got != c.want {
			t.Errorf("Language(%q, %q) = %q, want %q", c.query, c.accept, got, c.want)
		}
	}
	var b bytes.Buffer
	if err := RenderRegister(&b, Register{Lang: "zh", Path: "/register"}); err != nil || !strings.Contains(b.String(), `<html lang="zh-CN">`) ||
		!strings.Contains(b.String(), "企业登记") || !strings.Contains(b.String(), `href="/register?lang=en"`) {
		t.Errorf("the Chinese registration page: %v\n%s", err, b.String())
	}
}

// TestRenderPages renders every console page signed out and signed in
// (with a notice and a problem), and checks that no page has an inline script or style (the CSP
// allows neither).
func TestRenderPages(t *testing.T) {
	u := lead.User{ID: "u1", Name: "Rita", Role: lead.RoleRep}
	data := map[string]any{
		"login":   struct{ Next, Code string }{"/leads", ""},
		"message": "text",
		"leads": &LeadList{Tabs: []Tab{{Label: "My leads", URL: "/leads", Active: true}}, Fields: []Field{{Name: "status", Options: []string{"pooled"}}}, Leads: []lead.Lead{{ID: "l1", Contact: lead.Contact{Company: "Acme"}}}, Next: "/leads?cursor=x",
			Bulk: &BulkBar{CSRF: "tok", Filter: []Field{{Name: "pool_id", Value: "p1"}}, Actions: []string{"assign", "export"}, Reps: []Choice{{"u1", "Rita"}},
				Pools: []Choice{{"p1", "P"}}, Stages: []string{"New"}, Reasons: []string{"Spam"}}},
		"bulkconfirm": &BulkConfirm{Sentence: "bulk.confirm.assign", Count: 2, Target: "Rita", Hidden: []Field{{Name: "action", Value: "assign"}}, Key: "k", Back: "/leads"},
		"bulkactions": &BulkList{Jobs: []JobItem{{URL: "/bulk-actions/b1", Title: "Assign", Status: "done", Summary: "2 leads"}}, Next: "/bulk-actions?cursor=x"},
		"lead":        &LeadPage{Lead: lead.Lead{ID: "l1", Contact: lead.Contact{Company: "Acme"}, Tags: []string{"a"}}, Can: map[string]bool{"claim": true, "follow up": true, "edit": true, "return": true, "accept": true, "decline": true, "convert": true, "assign": true, "transfer": true, "reclaim": true, "close": true}, Reps: []Choice{{"r1", "Rita"}}, Pools: []Choice{{"p1", "Pool"}}, EditFields: []Field{{Name: "stage", Options: []string{"New"}}}, Events: []HistoryItem{{Event: lead.Event{Type: "claimed"}, Trace: "{}", FollowUp: &lead.FollowUp{Content: "c"}}}},
		"invite":      struct{ URL string }{"http://x/r/t"},
		"settings":    Settings{Kinds: []EmailSetting{{Kind: "k", Label: "l", On: true}}, Profile: Profile{Zone: "Asia/Shanghai", Languages: []Choice{{"", "browser"}, {"zh-CN", "中文"}}, Zones: CommonZones}},
		"job": &Job{Status: "running", Processed: 1, Total: 2, Poll: "/imports/i1/progress", Rows: []JobRow{{"a", "b"}}, Download: &Link{"/x", "y"},
			DoneLabel: "bulk.leads_done", Cancel: "/bulk-actions/b1/cancel", CSRF: "tok"},
		"imports": &ImportList{Imports: []JobItem{{URL: "/imports/i1", Title: "a.csv", Status: "running"}}, Pools: []Choice{{"p1", "Pool"}},
			AnyPool: true, Policies: []Choice{{"merge", "Merge"}}, Next: "/imports?cursor=x"},
		"exports": &ExportList{Filters: []Field{{Name: "status", Options: []string{"pooled"}}, {Name: "company"}}, Fields: []ExportField{{"id", true}}, Format: "csv"},
		"pools": &PoolsPage{Pools: []PoolRow{{Pool: lead.Pool{ID: "p1", Name: "P"}}}, CanCreate: true, Teams: []Choice{{"t1", "T"}},
			Staff: []Choice{{"u1", "Rita"}}, Distributions: []string{"claim_only"}, Errors: map[string]string{"name": "bad"}},
		"pool": &PoolPage{Pool: lead.Pool{ID: "p1", Name: "P", Scope: lead.ScopeTeam, Policy: lead.Policy{Distribution: "weighted"}}, Teams: []Choice{{"t1", "T"}}, Members: []Person{{ID: "u1", Name: "Rita"}}, Admins: []Person{{ID: "u2", Owner: true}, {ID: "u3"}},
			AddMembers: []Choice{{"u4", "Ann"}}, AddAdmins: []Choice{{"u5", "Bo"}}, CanTransfer: true, Recipients: []lead.Recipient{{UserID: "u1", Notify: true}},
			Policy: []PolicyField{{Name: "distribution", Type: "select", Options: []string{"claim_only"}}, {Name: "auto_accept", Type: "checkbox", Checked: true},
				{Name: "cooldown", Type: "duration", Value: "7d", Help: "h"}, {Name: "claim_when", Type: "expr"}}, Errors: map[string]string{"policy.cooldown": "bad"}},
		"users": &UsersPage{Users: []UserRow{{User: lead.User{ID: "u1", Active: true}}}, CanEdit: true, Roles: []string{"rep"}, Secret: &Secret{"l", "v"},
			Form: map[string]string{"role": "rep"}, Errors: map[string]string{}},
		"user": &UsersPage{Users: []UserRow{{User: lead.User{ID: "u1"}}}, Roles: []string{"rep"}, Teams: []Choice{{"t1", "T"}},
			Form: map[string]string{"active": "on"}, Errors: map[string]string{"capacity": "bad"}},
		"teams":      &TeamsPage{Teams: []lead.Team{{ID: "t1", Name: "T"}}, CanEdit: true},
		"team":       &TeamPage{Team: lead.Team{ID: "t1"}, Recipients: []lead.Recipient{{UserID: "u1"}}, CanEdit: true},
		"fields":     &FieldsPage{Fields: []lead.FieldDef{{ID: "f1", Options: []string{"a"}}}, CanEdit: true, Entities: []string{"lead"}, Types: []string{"text"}},
		"options":    &OptionsPage{Lists: []OptionList{{Name: "stages", Items: "New", Error: "bad"}}, CanEdit: true},
		"outbox":     &OutboxPage{Items: []lead.Notification{{ID: "n1", ToUserID: "u1"}}, Kinds: []string{"k"}, RecipientNames: map[string]string{"u1": "Rita"}},
		"email":      &lead.Notification{ID: "n1", Text: "hello", LeadID: "l1"},
		"rejections": &RejectionsPage{PeriodFrom: "p", PeriodTo: "q", Total: 2, Rows: []RejectionRow{{Kind: "rejections.kind.validation", RuleURL: "/rules/validation"}}},
		"duplicates": &DuplicatesPage{Sources: []DuplicateSource{{Source: "api", Policy: "warn"}, {Source: "web", Policy: "merge", Public: true}},
			Policies: []string{"merge"}, CanEdit: true, Errors: map[string]string{"api": "bad"}},
		"webhooks": &WebhooksPage{Webhooks: []WebhookRow{{Webhook: lead.Webhook{ID: "w1", URL: "https://x", Events: []string{"*"}, PoolID: "p1"}, PoolName: "P"}},
			Events: []WebhookEvent{{Value: "*", Checked: true}, {Value: "lead.created"}}, Pools: []Choice{{"p1", "P"}}, AnyPool: true, Secret: &Secret{"w1", "whsec_x"},
			Form: map[string]string{"url": "https://x"}, Errors: map[string]string{"url": "bad"}, Next: "/webhooks?cursor=x"},
		"webhook": &WebhookPage{Webhook: WebhookRow{Webhook: lead.Webhook{ID: "w1", URL: "https://x", DisabledReason: "failing"}}, Events: []WebhookEvent{{Value: "lead.created", Checked: true}},
			Secret: &Secret{"w1", "whsec_x"}, Deliveries: []lead.WebhookDelivery{{ID: 1, Event: "lead.created", WebhookID: "msg_1", Attempts: 2, StatusCode: 500, Error: "e"}},
			Form: map[string]string{"active": "on"}, Errors: map[string]string{}},
		"calendars": &CalendarsPage{Calendars: []lead.Calendar{{ID: "c1", Name: "Office", Default: true}}, CanEdit: true,
			Form: CalendarForm{Days: []CalendarDay{{"mon", "09:00-18:00"}}}, Errors: map[string]string{"working_hours.mon": "bad"}},
		"calendar": &CalendarPage{Calendar: lead.Calendar{ID: "c1", Name: "Office", Version: 2}, Form: CalendarForm{Days: []CalendarDay{{"sun", ""}}},
			Versions: []lead.CalendarVersion{{Calendar: lead.Calendar{Version: 1, Holidays: []string{"2026-10-01"}}}}, Errors: map[string]string{}},
		"sources": &SourcesPage{Sources: []SourceRow{{InboundSource: lead.InboundSource{ID: "s1", Name: "form", Kind: "webhook", DuplicatePolicy: "merge", PoolID: "p1"}, PoolName: "P", HookURL: "http://x/api/v1/hooks/form"}},
			Pools: []Choice{{"p1", "P"}}, Policies: []string{"merge"}, Kinds: []string{"webhook", "facebook"}, Facebook: true, Secret: &Secret{"s1", "whsec_x"},
			Created: &SourceRow{HookURL: "http://x/api/v1/hooks/form"}, Form: map[string]string{"name": "form"}, Errors: map[string]string{"name": "bad"}, Next: "/sources?cursor=x"},
		"source": &SourcePage{Source: SourceRow{InboundSource: lead.InboundSource{ID: "s1", Name: "fb", Kind: "facebook", DuplicatePolicy: "warn", PageTokenSet: true}},
			Pools: []Choice{{"p1", "P"}}, Policies: []string{"merge", "warn"}, Facebook: true, Secret: &Secret{"s1", "whsec_x"}, Form: map[string]string{"name": "fb"}, Errors: map[string]string{}},
		"inbox": &InboxPage{Conversations: []lead.Conversation{{ID: "c1", Channel: "sms", Origin: "message", Address: "+86", AssigneeID: "u1"},
			{ID: "c2", Channel: "messenger", Origin: "comment", Name: "Chen", LeadID: "l1"}}, States: []string{"unassigned"}, State: "unassigned",
			Names: map[string]string{"u1": "Rita"}, Next: "/inbox?cursor=x"},
		"conversation": &ConversationPage{Conversation: lead.Conversation{ID: "c1", Channel: "sms", Address: "+86", AssigneeID: "u1",
			Messages: []lead.Reply{{ID: "r1", Body: "hi", Subject: "s"}}}, Assignee: "Rita", CanAssign: true, Reps: []Choice{{"u1", "Rita"}},
			CanCreate: true, Fields: []string{"company", "name"}, Form: map[string]string{"name": "W"}, Warnings: []string{"dup"}, Errors: map[string]string{"company": "bad"}},
		"campaigns": &CampaignsPage{Campaigns: []CampaignRow{{Campaign: lead.Campaign{ID: "c1", Name: "News", Channel: "email", Status: "running", Recipients: 4}, Done: 2, Percent: 50}},
			Templates: []lead.Template{{ID: "t1", Name: "T", Channel: "email"}}, Channels: []string{"email"}, Form: map[string]string{"name": "x"}, Errors: map[string]string{"name": "bad"}},
		"campaign": &CampaignsPage{Campaign: &CampaignRow{Campaign: lead.Campaign{ID: "c1", Name: "News", Channel: "sms", Status: "paused", Recipients: 4,
			Skipped: map[string]int{"unsubscribed": 1}, Deferred: 1}, Done: 2, Percent: 50},
			Funnel: []FunnelStep{{Label: "campaigns.funnel_sent", Count: 2, Percent: 100}}, Actions: []string{"resume", "cancel"}},
		"sequences": &SequencesPage{Sequences: []lead.Sequence{{ID: "q1", Name: "Drip", Steps: []lead.Step{{Wait: "3d"}}}}, Pools: []Choice{{"p1", "P"}},
			PoolIDs: map[string]bool{"p1": true}, Form: map[string]string{"name": "x"}, Errors: map[string]string{"name": "bad", "steps[0].wait": "bad"}},
		"sequence": &SequencesPage{Sequence: &lead.Sequence{ID: "q1", Name: "Drip"}, Steps: []string{"Wait 3d"},
			Funnel: []FunnelStep{{Label: "sequences.report.sent", Count: 2, Percent: 100}}, Form: map[string]string{"steps": "wait 3d"}, Errors: map[string]string{}},
		"error": ErrorPage{Status: 403, Text: "error.text.403", Detail: "d", Reasons: []string{"r"}},
		"dashboard": &Dashboard{PeriodFrom: "p", PeriodTo: "q", Headlines: []JobRow{{"a", "b"}}, Panels: []Panel{{ID: "x", Title: "X", Chart: BarChart("X", "none", []Bar{{Label: "a", Value: 1, Text: "1"}}),
			Columns: []string{"a"}, Rows: [][]string{{"1"}}, Note: "n"}, {ID: "y", Title: "Y", Chart: ColumnChart("Y", "none", nil)}}},
	}
	names, _ := fs.Glob(consoleFiles, "templates/console/*.html")
	partials, _ := fs.Glob(consoleFiles, "templates/console/_*.html")
	if len(consolePages()) != len(names)-1-len(partials) {
		t.Fatalf("%d pages for %d files", len(consolePages()), len(names))
	}
	for name := range consolePages() {
		for _, p := range []Page{{Title: name, Data: data[name]}, {Title: name, User: u, CSRF: "tok", Notice: "n", Problem: &Problem{Title: "no", Reasons: []string{"r"}, Fields: map[string]string{"f": "bad"}}, Data: data[name]}} {
			var b bytes.Buffer
			if err := Render(&b, name, p); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if s := b.String(); strings.Contains(s, "<script>") || strings.Contains(s, "style=") || strings.Contains(s, "<style") {
				t.Errorf("%s has an inline script or style", name)
			}
		}
	}
	var b bytes.Buffer
	m := &ImportMatch{FileName: "a.csv", Rows: 2, Columns: []MatchColumn{{Header: "Firma", Field: "company", Choices: []Choice{{"company", "Company"}}, Values: []string{"Acme"}}},
		Errors: []string{"row 2: phone: is required"}}
	if err := RenderPart(&b, Locale{}, "imports", "match", m); err != nil || !strings.Contains(b.String(), `<option value="company" selected>`) {
		t.Errorf("the matching step: %v\n%s", err, b.String())
	}
	b.Reset()
	if err := RenderPart(&b, Locale{}, "job", "job", data["job"]); err != nil || !strings.Contains(b.String(), `data-poll="/imports/i1/progress"`) ||
		!strings.Contains(b.String(), `<progress id="job-progress" max="2" value="1">`) {
		t.Errorf("the progress fragment: %v\n%s", err, b.String())
	}
	for _, r := range []Register{{Lang: "en"}, {Lang: "zh", RepName: "Rita"}, {NotFound: true}, {Lang: "zh", RetryMinutes: 15}} {
		var b bytes.Buffer
		if err := RenderRegister(&b, r); err != nil {
			t.Fatal(err)
		}
		if s := b.String(); strings.Contains(s, "<script>") || strings.Contains(s, "<style") {
			t.Errorf("the registration page has an inline script or style")
		}
	}
}

func TestReclaimOf(t *testing.T) {
	assigned := time.Now().Add(-time.Hour)
	l := lead.Lead{Status: lead.StatusAssigned, AssignedAt: &assigned, Policy: &lead.Policy{NoFollowUpAfter: lead.Wall(3 * 24 * time.Hour)}}
	r := ReclaimOf("en", l)
	if r == nil || r.Soon || !strings.HasPrefix(r.In, "in 2d 2") || r.Why != "Back to the pool: no follow-up within 3d" {
		t.Fatalf("reclaim %+v", r)
	}
	if zh := ReclaimOf("zh-CN", l); zh.Why != "收回公海：3天内未跟进" || !strings.HasPrefix(zh.In, "2天") {
		t.Fatalf("reclaim in Chinese %+v", zh)
	}
	l.Policy.NoFollowUpAfter = lead.Wall(3 * time.Hour)
	if r = ReclaimOf("en", l); r == nil || !r.Soon || !strings.HasPrefix(r.In, "in 1h") {
		t.Fatalf("soon: %+v", r)
	}
	l.Policy.NoFollowUpAfter = lead.Wall(30 * time.Minute)
	if r = ReclaimOf("en", l); r == nil || r.In != "overdue" {
		t.Fatalf("overdue: %+v", r)
	}
	if ReclaimOf("en", lead.Lead{Status: lead.StatusPooled}) != nil {
		t.Fatal("a pooled lead shows a reclaim")
	}
}

// TestDeadlineReasons: every timer of lead.Deadlines is said in both
// languages from the policy's durations, none in the engine's English.
func TestDeadlineReasons(t *testing.T) {
	day := 24 * time.Hour
	p := &lead.Policy{AcceptTimeout: lead.Wall(2 * time.Hour), FirstContactSLA: lead.Wall(4 * time.Hour), NoFollowUpAfter: lead.Wall(7 * day),
		NoConversionAfter: lead.Wall(30 * day), RemindBefore: lead.Wall(day + 12*time.Hour)}
	now := time.Now()
	later := now.Add(48 * time.Hour)
	offered := lead.Lead{Status: lead.StatusOffered, OfferedAt: &now, Policy: p}
	assigned := lead.Lead{Status: lead.StatusAssigned, AssignedAt: &now, ExpectedFollowUpAt: &later, Policy: p}
	ds := append(lead.Deadlines(offered), lead.Deadlines(assigned)...)
	if len(ds) != 8 {
		t.Fatalf("%d deadlines, want every timer once: %+v", len(ds), ds)
	}
	for _, d := range ds {
		en, zh := DeadlineReason("en", d, p), DeadlineReason("zh-CN", d, p)
		if en == d.Reason || zh == d.Reason || en == zh || strings.Contains(zh, "within") {
			t.Errorf("%s: en %q, zh %q (engine: %q)", d.Key, en, zh, d.Reason)
		}
	}
	if got := DeadlineReason("zh-CN", ds[len(ds)-2], p); got != "回收预警：1天12小时后将因30天内未成交收回公海" {
		t.Errorf("the conversion reminder in Chinese: %q", got)
	}
	if got := DeadlineOf("en", ds[0], p); got.Label != "Offer ends" || !got.Soon || got.Reason != "The offer ends: not accepted within 2h" {
		t.Errorf("the offer's deadline: %+v", got)
	}
}
