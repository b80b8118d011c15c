package worker_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/leadflow/leadflow/activities"
	"github.com/leadflow/leadflow/internal/sendgridtest"
	"github.com/leadflow/leadflow/internal/testenv"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/notify"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/worker"
)

var phones atomic.Int64

// outboxEnv is a store, a fake SendGrid, the activities sending through it
// and a mailer of those activities.
type outboxEnv struct {
	t    *testing.T
	db   *store.DB
	sql  *pgxpool.Pool // the same database, for what the store does not say
	sg   *sendgridtest.Server
	acts *activities.Activities
	m    *worker.Mailer
}

func newOutboxEnv(t *testing.T) *outboxEnv {
	url := testenv.DatabaseURL(t)
	db, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	raw, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(raw.Close)
	sg := sendgridtest.New(t, "SG.outbox-"+uuid.NewString())
	sender, err := notify.NewSendGrid(sg.Key, sg.URL, "leadflow <leads@example.com>")
	if err != nil {
		t.Fatal(err)
	}
	acts := activities.New(db, slog.Default())
	acts.Mail, acts.PublicURL = sender, "https://leads.example.com/"
	return &outboxEnv{t: t, db: db, sql: raw, sg: sg, acts: acts, m: worker.NewMailer(db, acts, time.Second)}
}

// assigned stores a rep and a lead assigned to them; it answers both ids.
func (o *outboxEnv) assigned(company string) (repID, email string, l lead.Lead) {
	o.t.Helper()
	ctx := context.Background()
	id := uuid.NewString()
	email = "rep-" + id[:8] + "@example.com"
	if _, err := o.db.CreateUser(ctx, lead.User{ID: id, Name: "Rita " + id[:4], Email: email, Role: lead.RoleRep,
		Capacity: 10, DailyClaimLimit: 10, Active: true}, []byte(id)); err != nil {
		o.t.Fatal(err)
	}
	in := lead.Input{Contact: lead.Contact{Company: company, Name: "Li Lei", Phone: fmt.Sprintf("+86138%08d", phones.Add(1)), Country: "CN"},
		Source: lead.SourceWeb}
	if err := in.Clean(); err != nil {
		o.t.Fatal(err)
	}
	r, err := o.db.InsertReceived(ctx, in.NewLead(uuid.NewString()))
	if err != nil {
		o.t.Fatal(err)
	}
	res, err := o.db.ApplyIntake(ctx, r.ID, lead.IntakePlan{PoolID: lead.DefaultPoolID,
		Routed: lead.Event{Type: lead.EventPooled, RuleKind: "routing", RuleVersion: 1}})
	if err != nil {
		o.t.Fatal(err)
	}
	l, err = o.db.Assign(ctx, lead.Move{LeadID: res.Lead.ID, RepID: id, RequestID: uuid.NewString()})
	if err != nil {
		o.t.Fatal(err)
	}
	return id, email, l
}

// reclaim has the Reclaim activity take l back, as its timer would.
func (o *outboxEnv) reclaim(l lead.Lead) {
	o.t.Helper()
	if _, err := o.acts.Reclaim(context.Background(), lead.Move{LeadID: l.ID, RequestID: "r-" + l.ID}); err != nil {
		o.t.Fatal(err)
	}
}

func (o *outboxEnv) queued() int {
	o.t.Helper()
	n, err := o.db.OutboxQueued(context.Background())
	if err != nil {
		o.t.Fatal(err)
	}
	return n
}

// A timer's reclaim queues the former owner's e-mail in its transaction
// (once, though the activity runs again), and the mailer sends it once
// through SendGrid: the Email activity's notification is recorded sent and
// the outbox row is gone.
func TestReclaimQueuesItsEmailAndTheMailerSendsIt(t *testing.T) {
	o := newOutboxEnv(t)
	ctx := context.Background()
	_, email, l := o.assigned("Outbox Trading")
	m := lead.Move{LeadID: l.ID, RequestID: "lead-" + l.ID + "/reclaim:x", Reason: "no follow-up for 7d"}
	for range 2 { // the second run is a retried activity
		moved, err := o.acts.Reclaim(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if !moved.EmailsQueued || moved.Status != lead.StatusPooled {
			t.Fatalf("answer %+v", moved)
		}
	}
	if n := o.queued(); n != 1 {
		t.Fatalf("%d e-mails queued, want 1", n)
	}
	if n, err := o.m.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("the mailer's round sent %d: %v", n, err)
	}
	got := o.sg.DeliveredTo(email)
	if len(got) != 1 || got[0].CustomArgs["idempotency_key"] != m.RequestID+"/reclaimed/"+mustOwner(t, l) {
		t.Fatalf("delivered to the former owner: %+v", got)
	}
	if !strings.Contains(got[0].Subject+got[0].Body("text/plain"), "Outbox Trading") {
		t.Errorf("the e-mail does not name the lead: %q", got[0].Subject)
	}
	if n := o.queued(); n != 0 {
		t.Fatalf("%d e-mails still queued", n)
	}
	if n, err := o.m.SendDue(ctx); err != nil || n != 0 {
		t.Fatalf("a second round found %d: %v", n, err)
	}
	if n := len(o.sg.Requests()); n != 1 {
		t.Fatalf("SendGrid was asked %d times, want 1", n)
	}
}

func mustOwner(t *testing.T, l lead.Lead) string {
	t.Helper()
	if l.OwnerID == "" {
		t.Fatal("the lead has no owner")
	}
	return l.OwnerID
}

// A provider outage (503) leaves the e-mail queued, due after the
// activity's backoff; a refusal for good (400) gives it up; an e-mail
// leased by a sender that died is sent by another once the lease ran out,
// not before.
func TestMailerRetriesGivesUpAndTakesOverALease(t *testing.T) {
	o := newOutboxEnv(t)
	ctx := context.Background()
	_, email, l := o.assigned("Outage Trading")
	o.reclaim(l)
	o.sg.FailAll(http.StatusServiceUnavailable)
	if _, err := o.m.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	var due time.Time
	var attempts int
	var status, reason string
	row := func() {
		t.Helper()
		if err := o.sql.QueryRow(ctx, `SELECT due_at, attempts, status, error FROM email_outbox`).Scan(&due, &attempts, &status, &reason); err != nil {
			t.Fatal(err)
		}
	}
	row()
	if status != "queued" || attempts != 1 || !due.After(time.Now()) || !strings.Contains(reason, "503") {
		t.Fatalf("after a 503: %s, attempt %d, due %v, %q", status, attempts, due, reason)
	}
	if n, _ := o.m.SendDue(ctx); n != 0 {
		t.Fatalf("an e-mail not due yet was leased")
	}
	o.sg.FailAll(0)
	if _, err := o.sql.Exec(ctx, `UPDATE email_outbox SET due_at = now()`); err != nil {
		t.Fatal(err)
	}
	// A sender leases it and dies (its lease stays): nobody else sends it.
	if leased, err := o.db.LeaseOutbox(ctx, 10, activities.EmailLease); err != nil || len(leased) != 1 {
		t.Fatalf("lease: %v, %v", leased, err)
	}
	if n, _ := o.m.SendDue(ctx); n != 0 {
		t.Fatalf("an e-mail another sender holds was leased again")
	}
	if _, err := o.sql.Exec(ctx, `UPDATE email_outbox SET lease_until = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if n, err := o.m.SendDue(ctx); err != nil || n != 1 {
		t.Fatalf("after the lease ran out: %d, %v", n, err)
	}
	if got := o.sg.DeliveredTo(email); len(got) != 1 {
		t.Fatalf("delivered %d, want 1", len(got))
	}

	_, _, l2 := o.assigned("Refused Trading")
	o.reclaim(l2)
	o.sg.Script(http.StatusBadRequest)
	if _, err := o.m.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	row()
	if status != "failed" || !strings.Contains(reason, "400") {
		t.Fatalf("after a 400: %s, %q", status, reason)
	}
}
