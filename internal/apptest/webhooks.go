package apptest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/leadflow/leadflow/webhook"
)

// LocalHooks is the webhook guard of the tests' stacks: it lets deliveries
// reach the tests' receivers on 127.0.0.1 (and nothing else private).
var LocalHooks = func() webhook.Guard {
	g, err := webhook.ParseAllow("127.0.0.1")
	if err != nil {
		panic(err)
	}
	return g
}()

// Received is one request a Receiver took.
type Received struct {
	ID, Timestamp, Signature string
	Body                     []byte
	Status                   int // what the receiver answered
}

// Receiver is a local webhook endpoint: it records every request and
// answers what Answer says (200 when nil).
type Receiver struct {
	URL string
	// Answer decides the status of a request: its webhook-id and how many
	// requests with that id came before it.
	Answer func(id string, before int) int

	mu    sync.Mutex
	got   []Received
	count map[string]int
}

// NewReceiver starts a receiver for the test.
func NewReceiver(t testing.TB) *Receiver {
	r := &Receiver{count: map[string]int{}}
	// The path is the receiver's own: the tests' packages run side by side,
	// and a request another package's test sends to a port it closed may
	// reach this one when the port is reused; it is not one of ours.
	path := "/hooks/" + rand.Text()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != path {
			http.NotFound(w, req)
			return
		}
		body, _ := io.ReadAll(req.Body)
		id := req.Header.Get("webhook-id")
		r.mu.Lock()
		before := r.count[id]
		r.count[id]++
		status := 200
		if r.Answer != nil {
			status = r.Answer(id, before)
		}
		r.got = append(r.got, Received{ID: id, Timestamp: req.Header.Get("webhook-timestamp"),
			Signature: req.Header.Get("webhook-signature"), Body: body, Status: status})
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL + path
	return r
}

// Got is every request so far, in arrival order.
func (r *Receiver) Got() []Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Received(nil), r.got...)
}

// Verify checks a request's signature with the Standard Webhooks
// library's verifier and secret.
func (g Received) Verify(secret string) error {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return err
	}
	h := http.Header{}
	h.Set("webhook-id", g.ID)
	h.Set("webhook-timestamp", g.Timestamp)
	h.Set("webhook-signature", g.Signature)
	return wh.Verify(g.Body, h)
}

// CheckWebhookEvent checks a delivery's body against the document's
// WebhookEvent schema (closed objects, as the answers are checked).
func CheckWebhookEvent(t testing.TB, body []byte) {
	t.Helper()
	if _, err := contractRouter(); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("webhook body: %v", err)
	}
	schema := contract.doc.Components.Schemas["WebhookEvent"]
	if schema == nil {
		t.Fatal("openapi.json has no WebhookEvent schema")
	}
	if err := schema.Value.VisitJSON(v); err != nil {
		t.Errorf("webhook body does not match WebhookEvent: %v\n%.1000s", err, body)
	}
}

// Webhook is a new subscription of the admin to pool's events; an inactive
// one points nowhere.
func (w *World) Webhook(pool, url string, active bool) string {
	var out struct{ ID string }
	w.Expect(w.Do("POST", "/api/v1/webhooks", w.Admin, fmt.Sprintf(`{"url":%q,"events":["lead.pooled"],"pool_id":%q,"active":%v}`,
		url, pool, active)), 201).JSON(w.T, &out)
	return out.ID
}

// WebhookDelivery is "<subscription>/deliveries/<delivery>": a delivery of
// a lead transferred into pool A2 to a local receiver.
func (w *World) WebhookDelivery() string {
	sub := w.Webhook(w.PoolA2, NewReceiver(w.T).URL, true)
	l := w.NewLead()
	w.Expect(w.Do("POST", "/api/v1/leads/"+l.ID+"/transfer", w.Admin, fmt.Sprintf(`{"pool_id":%q}`, w.PoolA2)), 200)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ds, _, err := w.DB.WebhookDeliveries(context.Background(), sub, 1, "")
		if err != nil {
			w.T.Fatal(err)
		}
		if len(ds) > 0 {
			return fmt.Sprintf("%s/deliveries/%d", sub, ds[0].ID)
		}
	}
	w.T.Fatal("no webhook delivery")
	return ""
}
