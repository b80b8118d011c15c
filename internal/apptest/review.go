package apptest

import (
	"fmt"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/server"
)

// Flagged is a lead of pool A that an IP burst put under review (seed
// 000): two public registrations from one address of its own, the third
// refused, the first transferred into pool A.
func (w *World) Flagged() lead.Lead {
	w.T.Helper()
	if w.public == nil {
		p := *w.Stack
		p.App = server.New(server.Config{Store: w.DB, Temporal: w.TC, UpdateTimeout: 20 * time.Second, MinPolicyDuration: time.Second,
			TrustedProxies: []string{"0.0.0.0/0", "::/0"}, RegisterRateLimit: 1000, WebhookGuard: LocalHooks})
		w.public = &p
	}
	n := w.Seq.Add(1)
	ip := fmt.Sprintf("198.18.%d.%d", n/250%250, n%250+1)
	want := []int{202, 202, 422}
	for i := range 3 {
		body := fmt.Sprintf(`{"company":"Burst %d-%d Trading","phone":"1390013%04d","country":"CN"}`, n, i, (n*3+int64(i))%10000)
		w.Expect(w.public.Register("/api/v1/register", ip, body), want[i])
	}
	first := w.LeadsOf(fmt.Sprintf("company=Burst+%d-0+Trading", n))
	if len(first) != 1 || len(first[0].ReviewReasons) == 0 {
		w.T.Fatalf("the burst's first registration is not under review: %+v", first)
	}
	var out lead.Lead
	w.Expect(w.Do("POST", "/api/v1/leads/"+first[0].ID+"/transfer", w.Admin, fmt.Sprintf(`{"pool_id":%q}`, w.PoolA)), 200).JSON(w.T, &out)
	return out
}
