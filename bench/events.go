package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/history/v1"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// benchEvents registers one lead through the API, claims it and records a
// follow-up, counting the workflow's history events each step adds.
func benchEvents(ctx context.Context, st *stack, o Options) ([]Row, error) {
	var l lead.Lead
	if err := st.call(ctx, st.admin, "POST", "/api/v1/leads", leadBody(rand.Uint32(), 0), 201, &l); err != nil {
		return nil, err
	}
	if l.Status != lead.StatusPooled {
		return nil, fmt.Errorf("the lead is %s, not pooled: %v", l.Status, l.RejectReasons)
	}
	counts := make([]int, 0, 3)
	for _, step := range []func() error{
		func() error { return nil },
		func() error {
			return st.call(ctx, st.rep, "POST", "/api/v1/leads/"+l.ID+"/claim", map[string]any{}, 200, nil)
		},
		func() error {
			return st.call(ctx, st.rep, "POST", "/api/v1/leads/"+l.ID+"/follow-ups",
				map[string]any{"type": "call", "content": "Called, wants a quote"}, 201, nil)
		},
	} {
		if err := step(); err != nil {
			return nil, err
		}
		n, err := st.settledHistory(ctx, workflows.WorkflowID(l.ID))
		if err != nil {
			return nil, err
		}
		counts = append(counts, n)
	}
	cmd := o.command("events")
	return []Row{
		{"history events: intake", fmt.Sprint(counts[0]), cmd},
		{"history events: claim", fmt.Sprint(counts[1] - counts[0]), cmd},
		{"history events: follow-up", fmt.Sprint(counts[2] - counts[1]), cmd},
	}, nil
}

// settledHistory is the length of a workflow's history once it has not
// grown for half a second (the workflow task after an update may still
// be running when the update's answer arrives).
func (st *stack) settledHistory(ctx context.Context, id string) (int, error) {
	last, stable := -1, 0
	for stable < 5 {
		n, err := st.historyLength(ctx, id)
		if err != nil {
			return 0, err
		}
		if n == last {
			stable++
		} else {
			last, stable = n, 0
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return last, nil
}

// stickyTimeouts counts the workflow tasks of workflow id that waited for
// their sticky worker past the sticky timeout and were handed on (to be
// replayed by whichever worker took them).
func (st *stack) stickyTimeouts(ctx context.Context, id string) (int, error) {
	return st.countEvents(ctx, id, func(e *history.HistoryEvent) bool {
		a := e.GetWorkflowTaskTimedOutEventAttributes()
		return a != nil && a.GetTimeoutType() == enums.TIMEOUT_TYPE_SCHEDULE_TO_START
	})
}

// trailSteps name the history events of timerTrail.
var trailSteps = map[enums.EventType]string{
	enums.EVENT_TYPE_TIMER_FIRED:             "timer fired",
	enums.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: "task scheduled",
	enums.EVENT_TYPE_WORKFLOW_TASK_STARTED:   "started",
	enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: "completed",
}

// timerTrail says when, after due, workflow id's first timer to fire
// from a second before due on fired, and when the workflow task that
// followed was scheduled, started and completed: where a late timer's
// time went (the history service's timer queue, matching, or the worker).
func (st *stack) timerTrail(ctx context.Context, id string, due time.Time) (string, error) {
	var steps []string
	err := st.eachEvent(ctx, id, func(e *history.HistoryEvent) bool {
		name, at := trailSteps[e.GetEventType()], e.GetEventTime().AsTime()
		if name != "" && !at.Before(due.Add(-time.Second)) && (len(steps) > 0 || e.GetEventType() == enums.EVENT_TYPE_TIMER_FIRED) {
			steps = append(steps, fmt.Sprintf("%s +%s", name, ms(at.Sub(due))))
		}
		return len(steps) < 4
	})
	if err != nil || len(steps) == 0 {
		return "no timer fired after the due time", err
	}
	return strings.Join(steps, ", "), nil
}

// historyLength counts the events of a workflow's history.
func (st *stack) historyLength(ctx context.Context, id string) (int, error) {
	return st.countEvents(ctx, id, func(*history.HistoryEvent) bool { return true })
}

// countEvents counts the events of workflow id's history that match.
func (st *stack) countEvents(ctx context.Context, id string, match func(*history.HistoryEvent) bool) (int, error) {
	n := 0
	err := st.eachEvent(ctx, id, func(e *history.HistoryEvent) bool {
		if match(e) {
			n++
		}
		return true
	})
	return n, err
}

// eachEvent calls f on the events of workflow id's history in order, until
// f returns false.
func (st *stack) eachEvent(ctx context.Context, id string, f func(*history.HistoryEvent) bool) error {
	it := st.tc.GetWorkflowHistory(ctx, id, "", false, 0)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return err
		}
		if !f(e) {
			return nil
		}
	}
	return nil
}
