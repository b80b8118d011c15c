package rules

import (
	"errors"
	"fmt"
	"time"

	"github.com/expr-lang/expr/vm"
)

// Limits on what a rule may cost. Every expression — the rules of a set,
// the conditions of auto_accept, the conversion mapping and the pools'
// claim_when / reclaim_exempt_when — is held to the same limits:
//
//   - At save (compile) time: at most MaxExpressionLength characters and
//     MaxNodes syntax nodes; a constant range (1..n) of more than
//     MemoryBudget elements is refused, and so are the builtins that copy or
//     multiply data without a useful bound in a lead rule (see refused in
//     sandbox.go).
//   - At run time, for each expression: expr's VM charges MemoryBudget units
//     for ranges, list and map literals and the results of map, filter, sort
//     and the like; every loop step (one call of a predicate of all, any,
//     map, filter, reduce...) is counted and at most MaxSteps are taken; and
//     the strings and lists built by +, repeat, replace, join, upper, lower,
//     string, split, splitAfter, keys and values are charged, before they are
//     built, against MaxBuiltBytes; one `matches` may cost at most
//     MaxMatchWork (text length times pattern length); the values that are
//     not booleans (the conversion mapping), together, may not be larger than
//     MaxBuiltBytes written out.
//   - In time: one evaluation (a whole set, or one pool expression) stops
//     within its time budget (DefaultTimeBudget). The clock is read before
//     each rule and every clockEvery loop steps, in the evaluating goroutine
//     itself, so an evaluation that is out of time stops there: nothing is
//     left running after the caller has its answer.
//
// Why this bounds an evaluation: expr has no other loops than the
// predicates of its builtins and no recursion, so an expression without
// loops does at most MaxNodes operations; with loops, at most MaxSteps
// bodies of at most MaxNodes operations each. No single operation is
// unbounded: what it builds is charged before it is built, what it reads
// was charged when it was built (or is the lead, bounded by lead.Input), and
// the builtins whose cost the meter cannot know in advance are refused. So
// memory is bounded by the budgets, and the time between two readings of
// the clock by clockEvery loop bodies.
//
// An expression that hits a run-time limit fails: it decides nothing and the
// caller flags the lead for review. A set that runs out of time decides
// nothing at all.
const (
	MaxExpressionLength = 4000    // characters in one expression
	MaxNodes            = 1000    // AST nodes in one expression
	MaxRules            = 200     // rules in one set
	MemoryBudget        = 100_000 // expr VM memory units per expression
	MaxSteps            = 100_000 // loop steps per expression
	MaxBuiltBytes       = 1 << 20 // bytes of strings and lists built by one expression
	MaxMatchWork        = 1 << 24 // bytes of text times bytes of pattern in one `matches`
)

// clockEvery is how many loop steps pass between two readings of the clock;
// the first step reads it too. Reading the clock costs 50 to 150 ns on the
// VMs this runs on, a loop step 100 to 250 ns: every 8 steps costs under 10%
// of a loop and lets an evaluation run at most 8 loop bodies past its
// deadline (each at most MaxNodes operations on bounded values).
const clockEvery = 8

// listEntryBytes is what one element of a built list is charged.
const listEntryBytes = 16

// DefaultTimeBudget bounds one evaluation of a whole set, or of one pool
// expression.
const DefaultTimeBudget = 250 * time.Millisecond

// errOutOfTime is the failure of a step taken after the deadline.
var errOutOfTime = errors.New("out of time")

// meter is the budget of one evaluation. The compiled expressions reach it
// through runEnv.Meter: the sandbox patches every loop body to call tick and
// every growing string or list operation to call grow.
type meter struct {
	steps    int           // loop steps taken by the current expression
	bytes    int           // bytes built by the current expression
	kept     int           // bytes of the non-boolean values the evaluation returned so far
	deadline time.Time     // when the evaluation must stop; zero for never
	budget   time.Duration // the time budget, for the message
	expired  bool          // the deadline has passed: the evaluation decides nothing
}

// reset gives a new expression its own step and byte budgets.
func (m *meter) reset() { m.steps, m.bytes = 0, 0 }

// tick counts one loop step, and reads the clock on the first and then
// every clockEvery steps.
func (m *meter) tick() error {
	m.steps++
	if m.steps > MaxSteps {
		return fmt.Errorf("step budget exceeded: the expression took more than %d loop steps", MaxSteps)
	}
	if m.steps%clockEvery == 1 && m.late() {
		return errOutOfTime
	}
	return nil
}

// late reads the clock and reports whether the deadline has passed.
func (m *meter) late() bool {
	if !m.expired && !m.deadline.IsZero() && !time.Now().Before(m.deadline) {
		m.expired = true
	}
	return m.expired
}

// grow charges n bytes about to be built, refusing them past MaxBuiltBytes.
func (m *meter) grow(n int) error {
	if n < 0 || n > MaxBuiltBytes-m.bytes {
		return fmt.Errorf("memory budget exceeded: the expression builds more than %d bytes of strings and lists", MaxBuiltBytes)
	}
	m.bytes += n
	return nil
}

// timeoutMessage is the error of an evaluation that ran out of time.
func (m *meter) timeoutMessage() string {
	return fmt.Sprintf("evaluation took longer than %s", m.budget)
}

// runEnv is what compiled expressions run in: the caller's Env, copied so
// that a shared Env is never written, and the meter of this evaluation. No
// expression can name the meter: "rules.meter" is not an identifier.
type runEnv struct {
	Env   `expr:"-"` // its fields are the rules' names; "Env" itself is not one
	Meter *meter     `expr:"rules.meter"`
}

// evaluation is the state of one evaluation: the environment, its meter and
// a VM reused by every expression evaluated.
type evaluation struct {
	env     runEnv
	meter   meter
	machine vm.VM
}

// newEvaluation prepares an evaluation of env that must end within budget.
func newEvaluation(env *Env, budget time.Duration) *evaluation {
	ev := &evaluation{env: runEnv{Env: *env}}
	ev.env.Meter = &ev.meter
	ev.meter.budget = budget
	ev.meter.deadline = time.Now().Add(budget)
	ev.machine.MemoryBudget = MemoryBudget
	return ev
}

// run evaluates one program under the limits, turning a panic in a function
// into an error. It refuses to start once the deadline has passed.
func (ev *evaluation) run(p *vm.Program) (val any, err error) {
	if ev.meter.late() {
		return nil, errors.New(ev.meter.timeoutMessage())
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rule failed: %v", r)
		}
		if err != nil && ev.meter.expired {
			val, err = nil, errors.New(ev.meter.timeoutMessage())
		}
	}()
	ev.meter.reset()
	val, err = ev.machine.Run(p, &ev.env)
	if _, isBool := val.(bool); err == nil && !isBool && !ev.meter.keep(val) {
		// Conversion values are kept in the outcome and written out as JSON:
		// a list that holds the same list twice, nested, would be written
		// out in full.
		return nil, fmt.Errorf("memory budget exceeded: the values of one evaluation are larger than %d bytes written out", MaxBuiltBytes)
	}
	return val, err
}
