package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"

	"github.com/leadflow/leadflow/lead"
)

// hookQueue stands in for the store: a lead's pending deliveries, oldest first.
type hookQueue struct {
	mu        sync.Mutex
	pending   []int64
	delivered []int64
	attempts  map[int64]int
	failing   int64 // a delivery that never succeeds
	gaveUp    []WebhookFailure
	emails    []lead.Email
}

func (q *hookQueue) register(env *testsuite.TestWorkflowEnvironment) {
	env.RegisterActivityWithOptions(func(ctx context.Context, in WebhookChainInput) (int64, error) {
		q.mu.Lock()
		defer q.mu.Unlock()
		if len(q.pending) == 0 {
			return 0, nil
		}
		return q.pending[0], nil
	}, activity.RegisterOptions{Name: ActivityNextWebhook})
	env.RegisterActivityWithOptions(func(ctx context.Context, id int64) error {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.attempts[id]++
		if id == q.failing || q.attempts[id] < 3 {
			return errors.New("the receiver answered 503")
		}
		q.pending, q.delivered = q.pending[1:], append(q.delivered, id)
		return nil
	}, activity.RegisterOptions{Name: ActivityDeliverWebhook})
	env.RegisterActivityWithOptions(func(ctx context.Context, f WebhookFailure) (lead.Email, error) {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.gaveUp = append(q.gaveUp, f)
		return lead.Email{Key: "k", Kind: lead.EmailWebhookDisabled, RepID: "owner"}, nil
	}, activity.RegisterOptions{Name: ActivityWebhookFailed})
	env.RegisterActivityWithOptions(func(ctx context.Context, e lead.Email) error {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.emails = append(q.emails, e)
		return nil
	}, activity.RegisterOptions{Name: ActivityEmail})
}

var testRetry = WebhookRetry{Initial: time.Second, Max: 4 * time.Second, For: time.Minute, Timeout: time.Second}

// TestWebhookWorkflowInOrder: a lead's deliveries go out one after the
// other, oldest first, each retried until it succeeds; a delivery that
// comes while the workflow runs is made by the same run.
func TestWebhookWorkflowInOrder(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	q := &hookQueue{pending: []int64{1, 2, 3}, attempts: map[int64]int{}}
	q.register(env)
	env.RegisterDelayedCallback(func() {
		q.mu.Lock()
		q.pending = append(q.pending, 4)
		q.mu.Unlock()
		env.SignalWorkflow(SignalWebhookDue, nil)
	}, 2*time.Second)
	env.ExecuteWorkflow(WebhookWorkflow, WebhookChainInput{SubscriptionID: "s", LeadID: "l", Retry: testRetry})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if got := q.delivered; len(got) != 4 || got[0] != 1 || got[1] != 2 || got[2] != 3 || got[3] != 4 {
		t.Fatalf("delivered %v, want 1 2 3 4", got)
	}
	if len(q.gaveUp) != 0 {
		t.Fatalf("gave up %v", q.gaveUp)
	}
}

// TestWebhookWorkflowGivesUp: after the retry period the delivery is given
// up, its owner e-mailed, and the deliveries after it wait.
func TestWebhookWorkflowGivesUp(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	q := &hookQueue{pending: []int64{7, 8}, attempts: map[int64]int{}, failing: 7}
	q.register(env)
	env.ExecuteWorkflow(WebhookWorkflow, WebhookChainInput{SubscriptionID: "s", LeadID: "l", Retry: testRetry})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if len(q.gaveUp) != 1 || q.gaveUp[0].DeliveryID != 7 || len(q.emails) != 1 || q.emails[0].Kind != lead.EmailWebhookDisabled {
		t.Fatalf("gave up %+v, e-mails %+v", q.gaveUp, q.emails)
	}
	if q.attempts[7] < 5 || q.attempts[8] != 0 {
		t.Fatalf("attempts %v: the failing delivery is retried with backoff for the period, the next waits", q.attempts)
	}
}
