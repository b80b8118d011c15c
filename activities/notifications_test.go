package activities_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/activities"
	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/metrics"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

const key = "SG.test-key"

// mailEnv is a store, a fake SendGrid and the activities sending through
// it, which count the e-mails on reg.
type mailEnv struct {
	t    *testing.T
	db   *store.DB
	sg   *sendgridtest.Server
	acts *activities.Activities
	reg  *prometheus.Registry
}

func newMailEnv(t *testing.T) *mailEnv {
	db := testenv.Store(t)
	sg := sendgridtest.New(t, key)
	sender, err := notify.NewSendGrid(key, sg.URL, "leadflow <leads@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	acts := activities.New(db, nil)
	reg := prometheus.NewRegistry()
	acts.Mail, acts.PublicURL, acts.Metrics = sender, "https://leads.example.com/", metrics.NewLifecycle(reg)
	return &mailEnv{t: t, db: db, sg: sg, acts: acts, reg: reg}
}

// counted is leadflow_emails_total of kind and result.
func (m *mailEnv) counted(kind, result string) float64 {
	m.t.Helper()
	mfs, err := m.reg.Gather()
	if err != nil {
		m.t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "leadflow_emails_total" {
			continue
		}
		for _, c := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range c.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == kind && labels["result"] == result {
				return c.GetCounter().GetValue()
			}
		}
	}
	return 0
}

var phones atomic.Int64

func (m *mailEnv) user(name string, role lead.Role) lead.User {
	m.t.Helper()
	id := uuid.NewString()
	u, err := m.db.CreateUser(context.Background(), lead.User{ID: id, Name: name, Email: strings.ToLower(name) + "@example.com",
		Role: role, Capacity: 10, DailyClaimLimit: 10, Active: true}, []byte(id))
	if err != nil {
		m.t.Fatal(err)
	}
	return u
}

// lead stores a lead pooled in poolID.
func (m *mailEnv) lead(company, poolID string) lead.Lead {
	m.t.Helper()
	ctx := context.Background()
	in := lead.Input{Contact: lead.Contact{Company: company, Name: "Li Lei", Phone: fmt.Sprintf("+86138%08d", phones.Add(1)), Country: "CN"}, Source: lead.SourceWeb}
	if err := in.Clean(); err != nil {
		m.t.Fatal(err)
	}
	l, err := m.db.InsertReceived(ctx, in.NewLead(uuid.NewString()))
	if err != nil {
		m.t.Fatal(err)
	}
	res, err := m.db.ApplyIntake(ctx, l.ID, lead.IntakePlan{PoolID: poolID,
		Routed: lead.Event{Type: lead.EventPooled, RuleKind: "routing", RuleVersion: 1}})
	if err != nil {
		m.t.Fatal(err)
	}
	return res.Lead
}

func (m *mailEnv) assign(l lead.Lead, rep, actor string) lead.Lead {
	m.t.Helper()
	l, err := m.db.Assign(context.Background(), lead.Move{LeadID: l.ID, RepID: rep, ActorID: actor, RequestID: uuid.NewString()})
	if err != nil {
		m.t.Fatal(err)
	}
	return l
}

func (m *mailEnv) notification(k string) lead.Notification {
	m.t.Helper()
	n, err := m.db.NotificationByKey(context.Background(), k)
	if err != nil {
		m.t.Fatalf("notification %s: %v", k, err)
	}
	return n
}

// newTestEnv is a test workflow environment whose activities (real
// PostgreSQL and HTTP calls, run on the workflow's goroutine by the test
// environment) may take longer than the default deadlock detector's second
// on a loaded machine.
func newTestEnv() *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{DeadlockDetectionTimeout: time.Minute})
	return env
}

// sendWorkflow runs the Email activity the way LeadWorkflow does: through
// workflows.SendEmail, with its retry policy.
func sendWorkflow(ctx workflow.Context, e lead.Email) error {
	return workflows.SendEmail(ctx, e).Get(ctx, nil)
}

// run executes the Email activity in Temporal's test environment (its
// retries included) and returns the workflow's error.
func (m *mailEnv) run(e lead.Email) error {
	env := newTestEnv()
	env.RegisterWorkflow(sendWorkflow)
	env.RegisterActivity(m.acts)
	env.ExecuteWorkflow(sendWorkflow, e)
	if !env.IsWorkflowCompleted() {
		m.t.Fatal("the workflow did not complete")
	}
	return env.GetWorkflowError()
}

// TestAssignedEmailOverSendGrid: one e-mail to the rep with the lead's
// company in the subject, the link, the contact, and the custom args.
func TestAssignedEmailOverSendGrid(t *testing.T) {
	m := newMailEnv(t)
	boss, rita := m.user("Max", lead.RoleAdmin), m.user("Rita", lead.RoleRep)
	l := m.assign(m.lead("Acme Trading Co.", lead.DefaultPoolID), rita.ID, boss.ID)
	e := lead.Email{Key: "lead/" + l.ID + "/u1/assigned", Kind: lead.EmailAssigned, LeadID: l.ID, RepID: rita.ID, ActorID: boss.ID, Reason: "speaks Mandarin"}
	if err := m.run(e); err != nil {
		t.Fatal(err)
	}
	mails := m.sg.Delivered()
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	got := mails[0]
	if to := got.To(); len(to) != 1 || to[0] != "rita@example.com" || got.Personalizations[0].To[0].Name != "Rita" {
		t.Fatalf("to %v", got.Personalizations)
	}
	if got.Subject != "New lead assigned to you: Acme Trading Co." {
		t.Fatalf("subject %q", got.Subject)
	}
	text, html := got.Body("text/plain"), got.Body("text/html")
	for _, want := range []string{"Hello Rita,", "Acme Trading Co. (Li Lei) has been assigned to you by Max.", "Note: speaks Mandarin",
		"Open the lead: https://leads.example.com/leads/" + l.ID, "Phone: +86138"} {
		if !strings.Contains(text, want) {
			t.Fatalf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, `href="https://leads.example.com/leads/`+l.ID+`"`) {
		t.Fatalf("html lacks the link:\n%s", html)
	}
	k := e.Key + "/" + rita.ID
	if got.CustomArgs["lead_id"] != l.ID || got.CustomArgs["kind"] != "assigned" || got.CustomArgs["idempotency_key"] != k {
		t.Fatalf("custom args %v", got.CustomArgs)
	}
	n := m.notification(k)
	if n.Status != lead.NotificationSent || n.Attempts != 1 || n.Provider != "sendgrid" || n.ProviderMessageID != "fake-1" ||
		n.ToEmail != "rita@example.com" || n.Subject != got.Subject || n.LeadID != l.ID || n.SentAt == nil {
		t.Fatalf("stored: %+v", n)
	}
	// The same event again (a retried activity, a replayed timer): nothing new.
	if err := m.acts.Email(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if n := len(m.sg.Requests()); n != 1 {
		t.Fatalf("%d requests after a repeat", n)
	}
}

// TestEmailRetriedOn503: 503 twice, then 202: the activity's retries
// deliver exactly one mail, with the same content each time.
func TestEmailRetriedOn503(t *testing.T) {
	m := newMailEnv(t)
	rita := m.user("Rita", lead.RoleRep)
	l := m.assign(m.lead("Bright Star Imports", lead.DefaultPoolID), rita.ID, "")
	m.sg.Script(503, 503)
	e := lead.Email{Key: "k-503", Kind: lead.EmailAssigned, LeadID: l.ID, RepID: rita.ID}
	if err := m.run(e); err != nil {
		t.Fatalf("after retries: %v", err)
	}
	reqs := m.sg.Requests()
	if len(reqs) != 3 || reqs[0].Status != 503 || reqs[1].Status != 503 || reqs[2].Status != 202 {
		t.Fatalf("requests: %d", len(reqs))
	}
	if string(reqs[0].Raw) != string(reqs[2].Raw) {
		t.Fatalf("the retry sent another mail:\n%s\n%s", reqs[0].Raw, reqs[2].Raw)
	}
	if mails := m.sg.DeliveredTo("rita@example.com"); len(mails) != 1 {
		t.Fatalf("%d mails delivered", len(mails))
	}
	if n := m.notification("k-503/" + rita.ID); n.Status != lead.NotificationSent || n.Attempts != 3 || n.Error != "" {
		t.Fatalf("stored: %+v", n)
	}
	if r, s := m.counted(lead.EmailAssigned, metrics.EmailRetried), m.counted(lead.EmailAssigned, metrics.EmailSent); r != 2 || s != 1 {
		t.Fatalf("counted %v retried, %v sent", r, s)
	}
}

// TestEmailNotRetriedOn400: a refusal for good is recorded as failed and
// returned as a non-retryable error; SendGrid is asked once.
func TestEmailNotRetriedOn400(t *testing.T) {
	m := newMailEnv(t)
	rita := m.user("Rita", lead.RoleRep)
	l := m.assign(m.lead("Contoso Pharmaceuticals", lead.DefaultPoolID), rita.ID, "")
	m.sg.Script(400)
	err := m.run(lead.Email{Key: "k-400", Kind: lead.EmailAssigned, LeadID: l.ID, RepID: rita.ID})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != lead.ErrEmailRejected || !app.NonRetryable() {
		t.Fatalf("want a non-retryable %s, got %v", lead.ErrEmailRejected, err)
	}
	if n := len(m.sg.Requests()); n != 1 {
		t.Fatalf("SendGrid was asked %d times", n)
	}
	n := m.notification("k-400/" + rita.ID)
	if n.Status != lead.NotificationFailed || n.Attempts != 1 || !strings.Contains(n.Error, "400") {
		t.Fatalf("stored: %+v", n)
	}
	if f, s := m.counted(lead.EmailAssigned, metrics.EmailFailed), m.counted(lead.EmailAssigned, metrics.EmailSent); f != 1 || s != 0 {
		t.Fatalf("counted %v failed, %v sent", f, s)
	}
	// A later attempt of the same e-mail sends nothing.
	if err := m.acts.Email(context.Background(), lead.Email{Key: "k-400", Kind: lead.EmailAssigned, LeadID: l.ID, RepID: rita.ID}); err != nil {
		t.Fatal(err)
	}
	if n := len(m.sg.Requests()); n != 1 {
		t.Fatalf("SendGrid was asked %d times", n)
	}
}

// TestEmailRecipients: designated recipients for new leads, pool admins
// for escalations, opt-outs of non-essential kinds, e-mails about leads
// that moved on.
func TestEmailRecipients(t *testing.T) {
	m := newMailEnv(t)
	ctx := context.Background()
	mgr, rita, otto := m.user("Mona", lead.RoleManager), m.user("Rita", lead.RoleRep), m.user("Otto", lead.RoleRep)
	p, err := m.db.CreatePool(ctx, lead.Pool{Name: "North", Scope: lead.ScopeGlobal, AdminIDs: []string{mgr.ID}, MemberIDs: []string{rita.ID, otto.ID}})
	if err != nil {
		t.Fatal(err)
	}
	// A new lead in the pool: only its default recipient (the manager, added first) hears of it.
	l := m.lead("Northwind Traders", p.ID)
	if err := m.acts.Email(ctx, lead.Email{Key: "new", Kind: lead.EmailNewLead, LeadID: l.ID}); err != nil {
		t.Fatal(err)
	}
	if mails := m.sg.Delivered(); len(mails) != 1 || mails[0].To()[0] != "mona@example.com" || mails[0].Subject != "New lead in the pool North: Northwind Traders" {
		t.Fatalf("new-lead mails: %+v", mails)
	}
	// Opted out of new-lead e-mails: nothing.
	if _, err := m.db.SetEmailOptOut(ctx, mgr.ID, []string{lead.EmailNewLead}); err != nil {
		t.Fatal(err)
	}
	l2 := m.lead("Southwind Traders", p.ID)
	if err := m.acts.Email(ctx, lead.Email{Key: "new2", Kind: lead.EmailNewLead, LeadID: l2.ID}); err != nil {
		t.Fatal(err)
	}
	if n := len(m.sg.Delivered()); n != 1 {
		t.Fatalf("%d mails after opting out", n)
	}
	if o, s := m.counted(lead.EmailNewLead, metrics.EmailOptedOut), m.counted(lead.EmailNewLead, metrics.EmailSent); o != 1 || s != 1 {
		t.Fatalf("counted %v opted out, %v sent", o, s)
	}
	// Escalation: the pool's admins, about the rep.
	l = m.assign(l, rita.ID, mgr.ID)
	if err := m.acts.Email(ctx, lead.Email{Key: "esc", Kind: lead.EmailSLAEscalation, LeadID: l.ID, RepID: rita.ID, Reason: "still no first contact"}); err != nil {
		t.Fatal(err)
	}
	if mails := m.sg.DeliveredTo("mona@example.com"); len(mails) != 2 || mails[1].Subject != "Escalation: no first contact with Northwind Traders by Rita" {
		t.Fatalf("escalation: %+v", mails)
	}
	// A rep who opted out of "reclaimed" still gets the essential reminders.
	if _, err := m.db.SetEmailOptOut(ctx, rita.ID, []string{lead.EmailReclaimed}); err != nil {
		t.Fatal(err)
	}
	if err := m.acts.Email(ctx, lead.Email{Key: "rem", Kind: lead.EmailReclaimReminder, LeadID: l.ID, RepID: rita.ID, Reason: "the lead will be reclaimed in 1d"}); err != nil {
		t.Fatal(err)
	}
	if err := m.acts.Email(ctx, lead.Email{Key: "rec", Kind: lead.EmailReclaimed, LeadID: l.ID, RepID: rita.ID}); err != nil {
		t.Fatal(err)
	}
	if mails := m.sg.DeliveredTo("rita@example.com"); len(mails) != 1 || mails[0].Subject != "Reminder: Northwind Traders goes back to the pool soon" {
		t.Fatalf("rita's mails: %+v", mails)
	}
	// An offer that is over by the time the e-mail goes out is not mailed.
	if err := m.acts.Email(ctx, lead.Email{Key: "off", Kind: lead.EmailOffered, LeadID: l.ID, RepID: otto.ID}); err != nil {
		t.Fatal(err)
	}
	if n := len(m.sg.DeliveredTo("otto@example.com")); n != 0 {
		t.Fatalf("otto got %d mails about an offer he never had", n)
	}
}

// TestImportAndExportFinished: the user who started the job hears of it,
// with its counts and the link.
func TestImportAndExportFinished(t *testing.T) {
	m := newMailEnv(t)
	ctx := context.Background()
	otto := m.user("Otto", lead.RoleManager)
	im, _, err := m.db.CreateImport(ctx, store.Import{ID: uuid.NewString(), CreatedBy: otto.ID, FileName: "leads.csv", Format: "csv",
		FileSHA256: "abc", Headers: []string{"company", "phone"}, Mapping: map[string]string{"company": "company", "phone": "phone"}},
		[]store.ImportRow{{Row: 2, Cells: []string{"Acme Trading", "+8613800138000"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.db.FinishImport(ctx, im.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := m.acts.Email(ctx, lead.Email{Key: "import/" + im.ID + "/finished", Kind: lead.EmailImportFinished, Ref: im.ID}); err != nil {
		t.Fatal(err)
	}
	mails := m.sg.DeliveredTo("otto@example.com")
	if len(mails) != 1 || mails[0].Subject != "Your import is finished: 1 row, 0 created" ||
		!strings.Contains(mails[0].Body("text/plain"), "See the import: https://leads.example.com/imports/"+im.ID) {
		t.Fatalf("import mail: %+v", mails)
	}
	if _, ok := mails[0].CustomArgs["lead_id"]; ok {
		t.Fatalf("an import mail has a lead id: %v", mails[0].CustomArgs)
	}

	ex, err := m.db.CreateExport(ctx, store.Export{ID: uuid.NewString(), CreatedBy: otto.ID, Format: "csv", Fields: []string{"company"}}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.db.FinishExport(ctx, ex.ID, "the database went away"); err != nil {
		t.Fatal(err)
	}
	if err := m.acts.Email(ctx, lead.Email{Key: "export/" + ex.ID + "/finished", Kind: lead.EmailExportFinished, Ref: ex.ID}); err != nil {
		t.Fatal(err)
	}
	mails = m.sg.DeliveredTo("otto@example.com")
	if len(mails) != 2 || mails[1].Subject != "Your export failed: the database went away" ||
		!strings.Contains(mails[1].Body("text/plain"), "See the export: https://leads.example.com/exports/"+ex.ID+"\n") {
		t.Fatalf("export mail: %+v", mails)
	}
	// No ref: refused for good.
	err = m.acts.Email(ctx, lead.Email{Key: "x", Kind: lead.EmailExportFinished})
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || !app.NonRetryable() {
		t.Fatalf("no ref: %v", err)
	}
}

// TestDigest: each rep with due follow-ups gets one digest a day.
func TestDigest(t *testing.T) {
	m := newMailEnv(t)
	m.acts.TimeZone = time.UTC
	ctx := context.Background()
	rita, otto := m.user("Rita", lead.RoleRep), m.user("Otto", lead.RoleRep)
	day := time.Now().UTC().Truncate(24 * time.Hour)
	follow := func(l lead.Lead, rep string, next time.Time, step string) {
		if _, err := m.db.AddFollowUp(ctx, lead.NewFollowUp{RequestID: uuid.NewString(), FollowUp: lead.FollowUp{ID: uuid.NewString(),
			LeadID: l.ID, AuthorID: rep, Type: "call", Content: "called", NextStep: step, NextAt: &next}}); err != nil {
			t.Fatal(err)
		}
	}
	a := m.assign(m.lead("Alpha Machines", lead.DefaultPoolID), rita.ID, "")
	b := m.assign(m.lead("Beta Machines", lead.DefaultPoolID), rita.ID, "")
	c := m.assign(m.lead("Gamma Machines", lead.DefaultPoolID), otto.ID, "")
	follow(a, rita.ID, day.Add(9*time.Hour), "send the quote")
	follow(b, rita.ID, day.Add(-20*time.Hour), "call back")
	follow(c, otto.ID, day.Add(50*time.Hour), "visit")
	if _, err := m.db.SetEmailOptOut(ctx, otto.ID, []string{lead.EmailDigest}); err != nil {
		t.Fatal(err)
	}

	env := newTestEnv()
	env.SetStartTime(day.Add(7 * time.Hour))
	env.RegisterWorkflowWithOptions(workflows.DigestWorkflow, workflow.RegisterOptions{Name: workflows.DigestWorkflowName})
	env.RegisterActivity(m.acts)
	env.ExecuteWorkflow(workflows.DigestWorkflowName)
	var reps int
	if err := env.GetWorkflowResult(&reps); err != nil || reps != 1 {
		t.Fatalf("digest: %d reps, %v", reps, err)
	}
	mails := m.sg.Delivered()
	if len(mails) != 1 || mails[0].To()[0] != "rita@example.com" || mails[0].Subject != "2 follow-ups due today" {
		t.Fatalf("digests: %+v", mails)
	}
	text := mails[0].Body("text/plain")
	if !strings.Contains(text, "- Beta Machines (Li Lei): call back") || !strings.Contains(text, "(overdue)") ||
		!strings.Contains(text, "- Alpha Machines (Li Lei): send the quote") || strings.Index(text, "Beta") > strings.Index(text, "Alpha") {
		t.Fatalf("digest text:\n%s", text)
	}
	// Run again the same day: no second digest.
	if _, err := m.acts.SendDigests(ctx, day.Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	if n := len(m.sg.Delivered()); n != 1 {
		t.Fatalf("%d digests after a second run", n)
	}
}

// TestDigestInEachZone: the digest goes out at 07:00 in each recipient's
// zone (their own, else their team's, else the server's), once per local
// day: a user in Shanghai gets theirs in the slot at 23:00 UTC the day
// before, a user in New York at 12:00 UTC (EST), a user of a Berlin team
// at 06:00 UTC (CET); other slots and repeated runs send nothing more, and
// each digest lists what is due by the end of its recipient's day.
func TestDigestInEachZone(t *testing.T) {
	m := newMailEnv(t)
	m.acts.TimeZone = time.FixedZone("server", -3*3600) // the server's: 07:00 is 10:00 UTC
	ctx := context.Background()
	team, err := m.db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "Berlin", TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	zoned := func(name, zone, teamID string) lead.User {
		u := m.user(name, lead.RoleRep)
		if u, err = m.db.UpdateUser(ctx, u.ID, store.UserPatch{TimeZone: &zone, TeamID: &teamID}); err != nil {
			t.Fatal(err)
		}
		return u
	}
	shanghai, newYork, berlin, server := zoned("Shu", "Asia/Shanghai", ""), zoned("Nia", "America/New_York", ""),
		zoned("Bea", "", team.ID), zoned("Sev", "", "")
	day := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	// One follow-up each, due 20:00 UTC on the 15th: within Shanghai's
	// 16th (04:00), New York's 15th (15:00) and Berlin's 15th (21:00).
	for _, u := range []lead.User{shanghai, newYork, berlin, server} {
		l := m.assign(m.lead(u.Name+" Trading", lead.DefaultPoolID), u.ID, "")
		next := day.Add(20 * time.Hour)
		if _, err := m.db.AddFollowUp(ctx, lead.NewFollowUp{RequestID: uuid.NewString(), FollowUp: lead.FollowUp{ID: uuid.NewString(),
			LeadID: l.ID, AuthorID: u.ID, Type: "call", Content: "called", NextStep: "call back", NextAt: &next}}); err != nil {
			t.Fatal(err)
		}
	}
	// run runs the slot: n users are due a digest, and newTo get one now.
	run := func(slot time.Time, n int, newTo ...lead.User) {
		t.Helper()
		before := len(m.sg.Delivered())
		got, err := m.acts.SendDigests(ctx, slot.Format(time.RFC3339))
		if err != nil || got != n {
			t.Fatalf("slot %s: %d users, %v; want %d", slot, got, err, n)
		}
		var to, want []string
		for _, mail := range m.sg.Delivered()[before:] {
			to = append(to, mail.To()[0])
		}
		for _, u := range newTo {
			want = append(want, u.Email)
		}
		if strings.Join(to, ",") != strings.Join(want, ",") {
			t.Fatalf("slot %s: digests to %v, want %v", slot, to, want)
		}
	}
	run(day.Add(-time.Hour), 0)                   // 07:00 on the 15th in Shanghai: nothing due by its end (the follow-up is due 04:00 on the 16th there)
	run(day.Add(6*time.Hour), 1, berlin)          // 07:00 CET
	run(day.Add(6*time.Hour+lead.DigestEvery), 0) // 07:15 CET: nobody
	run(day.Add(10*time.Hour), 1, server)         // 07:00 in the server's zone
	run(day.Add(12*time.Hour), 1, newYork)        // 07:00 EST
	run(day.Add(12*time.Hour), 1)                 // again: the same key, no second e-mail
	run(day.Add(23*time.Hour), 1, shanghai)       // 07:00 on the 16th in Shanghai
	mails := m.sg.Delivered()
	count := map[string]int{}
	for _, mail := range mails {
		count[mail.To()[0]]++
	}
	if count["nia@example.com"] != 1 || count["bea@example.com"] != 1 || count["sev@example.com"] != 1 || count["shu@example.com"] != 1 {
		t.Fatalf("digests per recipient: %v", count)
	}
	if n := m.notification("digest/2026-01-15/" + newYork.ID + "/" + newYork.ID); n.Status != lead.NotificationSent {
		t.Fatalf("New York's digest of its 15th: %+v", n)
	}
	if n := m.notification("digest/2026-01-16/" + shanghai.ID + "/" + shanghai.ID); n.Status != lead.NotificationSent {
		t.Fatalf("Shanghai's digest of its 16th: %+v", n)
	}
}

// TestOutboxByDefault: without SendGrid the e-mail is stored as sent.
func TestOutboxByDefault(t *testing.T) {
	m := newMailEnv(t)
	m.acts.Mail = nil
	rita := m.user("Rita", lead.RoleRep)
	l := m.assign(m.lead("Delta Industries", lead.DefaultPoolID), rita.ID, "")
	if err := m.acts.Email(context.Background(), lead.Email{Key: "ob", Kind: lead.EmailAssigned, LeadID: l.ID, RepID: rita.ID}); err != nil {
		t.Fatal(err)
	}
	if n := len(m.sg.Requests()); n != 0 {
		t.Fatalf("the outbox called SendGrid %d times", n)
	}
	n := m.notification("ob/" + rita.ID)
	if n.Status != lead.NotificationSent || n.Provider != "outbox" || !strings.Contains(n.Subject, "Delta Industries") || !strings.Contains(n.HTML, "<html>") {
		t.Fatalf("outbox: %+v", n)
	}
}

// movingSender fails its first send after moving the lead on (fn), as if
// the provider were down while the lead was reassigned.
type movingSender struct {
	notify.Sender
	once sync.Once
	fn   func()
}

func (s *movingSender) Send(ctx context.Context, m notify.Message) (string, error) {
	var moved bool
	s.once.Do(func() { s.fn(); moved = true })
	if moved {
		return "", errors.New("connection reset by peer")
	}
	return s.Sender.Send(ctx, m)
}

// TestEmailDroppedWhenTheLeadMovesOnDuringRetries: the provider fails the
// first attempt and, before the retry, the lead goes to another rep; the
// retry sends nothing and the claimed notification is marked failed with
// the reason instead of staying queued forever (found by the SendGrid
// outage reliability test).
func TestEmailDroppedWhenTheLeadMovesOnDuringRetries(t *testing.T) {
	m := newMailEnv(t)
	rita := m.user("Rita", lead.RoleRep)
	bob := m.user("Bob", lead.RoleRep)
	l := m.assign(m.lead("Moving Target Imports", lead.DefaultPoolID), rita.ID, "")
	m.acts.Mail = &movingSender{Sender: m.acts.Mail, fn: func() { m.assign(l, bob.ID, "") }}
	e := lead.Email{Key: "k-moved", Kind: lead.EmailAssigned, LeadID: l.ID, RepID: rita.ID}
	if err := m.run(e); err != nil {
		t.Fatalf("after the retry: %v", err)
	}
	if len(m.sg.Requests()) != 0 {
		t.Fatalf("%d mails sent for a lead that moved on", len(m.sg.Requests()))
	}
	if n := m.notification("k-moved/" + rita.ID); n.Status != lead.NotificationFailed || !strings.Contains(n.Error, "not sent: the rep no longer holds the lead") {
		t.Fatalf("stored: %+v", n)
	}
}

// TestEmailSentOnceWhileAnAttemptIsInFlight: a retry that starts while an
// earlier attempt still waits for a slow SendGrid does not send the e-mail
// again; it fails (retryable) and the next retry finds it sent.
func TestEmailSentOnceWhileAnAttemptIsInFlight(t *testing.T) {
	m := newMailEnv(t)
	rita := m.user("Rita", lead.RoleRep)
	l := m.assign(m.lead("Slow Provider Ltd", lead.DefaultPoolID), rita.ID, "")
	m.sg.Delay(time.Second)
	e := lead.Email{Key: "slow", Kind: lead.EmailAssigned, LeadID: l.ID, RepID: rita.ID}
	first := make(chan error, 1)
	go func() { first <- m.acts.Email(context.Background(), e) }()
	// The second attempt starts while the first waits for SendGrid.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := m.db.NotificationByKey(context.Background(), "slow/"+rita.ID); err == nil {
			break // claimed: the first attempt is on its way to SendGrid
		}
		if time.Now().After(deadline) {
			t.Fatal("the first attempt never claimed the e-mail")
		}
	}
	time.Sleep(200 * time.Millisecond)
	err := m.acts.Email(context.Background(), e)
	if err == nil {
		t.Errorf("the second attempt succeeded while the first was still sending")
	}
	// It is retried when the first attempt's lease runs out, not sooner
	// nor after the retry policy's backoff.
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != "in_flight" {
		t.Errorf("the second attempt's error %v is not an in-flight application error", err)
	} else if d := app.NextRetryDelay(); d < activities.EmailLease-10*time.Second || d > activities.EmailLease+2*time.Second {
		t.Errorf("retried after %v, want the lease's end (%v)", d, activities.EmailLease)
	}
	if err := <-first; err != nil {
		t.Fatalf("the first attempt: %v", err)
	}
	if err := m.acts.Email(context.Background(), e); err != nil {
		t.Fatalf("a later attempt: %v", err)
	}
	if n := len(m.sg.Requests()); n != 1 {
		t.Fatalf("SendGrid was asked %d times, want 1", n)
	}
	if n := m.notification("slow/" + rita.ID); n.Status != lead.NotificationSent || n.Attempts != 1 {
		t.Fatalf("stored: %+v", n)
	}
}

// TestEmailInTheRecipientsLanguageAndZone: a rep who set Chinese gets a
// Chinese e-mail (her team is in Asia/Shanghai; notify tests check times).
func TestEmailInTheRecipientsLanguageAndZone(t *testing.T) {
	m := newMailEnv(t)
	ctx := context.Background()
	team, err := m.db.CreateTeam(ctx, lead.Team{ID: uuid.NewString(), Name: "Shanghai team", TimeZone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.NewString()
	mei, err := m.db.CreateUser(ctx, lead.User{ID: id, Name: "Mei", Email: "mei@example.com", Role: lead.RoleRep, TeamID: team.ID,
		Capacity: 10, DailyClaimLimit: 10, Active: true, Language: "zh-CN"}, []byte(id))
	if err != nil {
		t.Fatal(err)
	}
	pool := lead.DefaultPoolID
	l := m.assign(m.lead("Zhongshan Trading", pool), mei.ID, "")
	if err := m.acts.Email(ctx, lead.Email{Key: "zh", Kind: lead.EmailReclaimReminder, LeadID: l.ID, RepID: mei.ID,
		Reason: "no follow-up within 7d"}); err != nil {
		t.Fatal(err)
	}
	mails := m.sg.DeliveredTo("mei@example.com")
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	text := mails[0].Body("text/plain")
	if !strings.Contains(mails[0].Subject, "提醒") || !strings.Contains(text, "Mei") || strings.Contains(text, "Hello") {
		t.Fatalf("not Chinese: %q\n%s", mails[0].Subject, text)
	}
}
