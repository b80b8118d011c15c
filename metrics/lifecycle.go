package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Lifecycle counts what the worker does to leads. A nil *Lifecycle counts
// nothing, so code that runs without metrics (tests, tools) needs no checks.
type Lifecycle struct {
	transitions  *prometheus.CounterVec
	ruleSeconds  *prometheus.HistogramVec
	ruleFailures *prometheus.CounterVec
	emails       *prometheus.CounterVec
}

// The outcomes of a transition besides the status the lead ends in.
const (
	OutcomeRefused = "refused" // a domain refusal: the lead stays as it was
	OutcomeError   = "error"   // a failure the activity retries
)

// The results of one e-mail to one recipient.
const (
	EmailSent     = "sent"      // the provider (or the outbox) took it
	EmailRetried  = "retried"   // a temporary failure: the activity retries it
	EmailFailed   = "failed"    // refused for good
	EmailOptedOut = "opted_out" // the recipient opted out of its kind
)

// NewLifecycle registers the lifecycle metrics on reg.
func NewLifecycle(reg prometheus.Registerer) *Lifecycle {
	m := &Lifecycle{
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadflow_lead_transitions_total",
			Help: "Lifecycle transitions by kind (intake, claim, assign, transfer, accept, decline, return, reclaim, close, convert, invite) " +
				"and outcome (the status the lead ends in, refused, or error).",
		}, []string{"kind", "outcome"}),
		ruleSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "leadflow_rule_evaluation_seconds",
			Help:    "Time to evaluate a rule set or a pool expression, by kind.",
			Buckets: []float64{.00001, .000025, .00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25},
		}, []string{"kind"}),
		ruleFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadflow_rule_evaluation_failures_total",
			Help: "Rule evaluations in which an expression failed at run time (or ran out of time), by kind.",
		}, []string{"kind"}),
		emails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leadflow_emails_total",
			Help: "Notification e-mails to one recipient by kind and result (sent, retried, failed, opted_out).",
		}, []string{"kind", "result"}),
	}
	reg.MustRegister(m.transitions, m.ruleSeconds, m.ruleFailures, m.emails)
	return m
}

// Transition counts a transition of kind that ended in outcome.
func (m *Lifecycle) Transition(kind, outcome string) {
	if m != nil {
		m.transitions.WithLabelValues(kind, outcome).Inc()
	}
}

// RuleEvaluated records an evaluation of the rules of kind that took d;
// failed says an expression failed in it.
func (m *Lifecycle) RuleEvaluated(kind string, d time.Duration, failed bool) {
	if m == nil {
		return
	}
	m.ruleSeconds.WithLabelValues(kind).Observe(d.Seconds())
	if failed {
		m.ruleFailures.WithLabelValues(kind).Inc()
	}
}

// Email counts one e-mail of kind to one recipient with its result.
func (m *Lifecycle) Email(kind, result string) {
	if m != nil {
		m.emails.WithLabelValues(kind, result).Inc()
	}
}
