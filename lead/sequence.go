package lead

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sequences (drips): ordered steps a lead goes through one by one, each
// enrolment on its own.

// Step is one step of a sequence: exactly one of Send, Wait and Branch.
type Step struct {
	Send *SendStep `json:"send,omitempty"`
	// Wait is how long to wait before the next step ("3d", "72h").
	Wait string `json:"wait,omitempty"`
	// Branch jumps ahead when its condition about the lead holds.
	Branch *BranchStep `json:"branch,omitempty"`
}

// SendStep sends template TemplateID on Channel, as one message is sent.
type SendStep struct {
	TemplateID string `json:"template_id"`
	Channel    string `json:"channel"`
}

// BranchStep goes to step Goto (a later step; len(steps) ends the
// sequence) when When, an expression about the lead, holds; else on to
// the next step.
type BranchStep struct {
	When string `json:"when"`
	Goto int    `json:"goto"`
}

// Sequence is a named list of steps. Managers may change the sequences
// whose pools (PoolIDs) they all administer; admins any.
type Sequence struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	PoolIDs   []string  `json:"pool_ids"`
	Steps     []Step    `json:"steps"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// MaxSequenceSteps is the most steps a sequence has.
const MaxSequenceSteps = 50

// MinSequenceWait is the shortest wait of a step.
const MinSequenceWait = time.Second

// The statuses of an enrolment.
const (
	EnrolmentActive = "active"
	EnrolmentDone   = "done"
	EnrolmentExited = "exited"
)

// Why an enrolment exited.
const (
	ExitClaimed      = "claimed" // a rep took the lead: OwnerEvents
	ExitConverted    = "converted"
	ExitReplied      = "replied"
	ExitUnsubscribed = "unsubscribed"
	ExitRemoved      = "removed"
)

// OwnerEvents are the events of a move that gives a lead to a rep: a
// claim, an assignment (by hand or by the distribution) and an accepted
// offer. The campaign and sequence funnels count them as claimed, and
// each ends the lead's sequences (ExitClaimed).
var OwnerEvents = []EventType{EventClaimed, EventAssigned, EventAccepted}

// SequenceExit is why an event in a lead's history ends the lead's
// active enrolments, "" when it does not: a rep took the lead
// (OwnerEvents), it was converted, or it replied. It is the one decision:
// the service ends the enrolments when it records such an event, and each
// step reads the events again (store.ExitReason: SequenceExitEvents) in
// case the event came from elsewhere (the distribution) or the exit was
// missed. An unsubscription (not an event: the suppression list) ends
// them too (ExitUnsubscribed).
func SequenceExit(t EventType) string {
	switch {
	case slices.Contains(OwnerEvents, t):
		return ExitClaimed
	case t == EventConverted:
		return ExitConverted
	case t == EventReplyReceived:
		return ExitReplied
	}
	return ""
}

// SequenceExitEvents are the event types SequenceExit ends enrolments for.
func SequenceExitEvents() []EventType {
	return append(slices.Clone(OwnerEvents), EventConverted, EventReplyReceived)
}

// How a lead was enrolled.
const (
	EnrolByHand = "hand"
	EnrolByBulk = "bulk"
	EnrolByRule = "rule"
)

// Events of a lead's sequences (data: sequence_id, enrolment_id; reason).
const (
	EventSequenceEnrolled EventType = "sequence_enrolled"
	EventSequenceExited   EventType = "sequence_exited"
)

// Enrolment is one lead's way through one sequence: the step it is at
// (Step; len(Steps) when it is over), when the next step is due (a wait's
// end), its status and why it exited.
type Enrolment struct {
	ID           string     `json:"id"`
	SequenceID   string     `json:"sequence_id"`
	SequenceName string     `json:"sequence_name"`
	LeadID       string     `json:"lead_id"`
	Status       string     `json:"status"`
	Reason       string     `json:"reason,omitempty"`
	Step         int        `json:"step"`
	Steps        int        `json:"steps"`
	NextAt       *time.Time `json:"next_at,omitempty"`
	EnrolledBy   string     `json:"enrolled_by,omitempty"`
	Via          string     `json:"via"`
	CreatedAt    time.Time  `json:"created_at"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
}

// CheckSteps checks the shape of a sequence's steps (what needs no
// store or rule compiler: one action a step, a known channel, a wait's
// duration, a branch going forward), adding each problem to f.
func CheckSteps(steps []Step, f *Fields) {
	if len(steps) == 0 || len(steps) > MaxSequenceSteps {
		f.Add("steps", "give 1 to "+strconv.Itoa(MaxSequenceSteps)+" steps")
	}
	for i, s := range steps {
		at := "steps[" + strconv.Itoa(i) + "]"
		n := 0
		if s.Send != nil {
			n++
			if !KnownChannel(strings.TrimSpace(s.Send.Channel)) {
				f.Add(at+".send.channel", "must be email, sms, messenger or whatsapp")
			}
			if strings.TrimSpace(s.Send.TemplateID) == "" {
				f.Add(at+".send.template_id", "is required")
			}
		}
		if s.Wait != "" {
			n++
			if _, err := StepWait(s.Wait); err != nil {
				f.Add(at+".wait", err.Error())
			}
		}
		if s.Branch != nil {
			n++
			if strings.TrimSpace(s.Branch.When) == "" {
				f.Add(at+".branch.when", "is required")
			}
			if s.Branch.Goto <= i || s.Branch.Goto > len(steps) {
				f.Add(at+".branch.goto", "must be a later step ("+strconv.Itoa(i+1)+" to "+strconv.Itoa(len(steps))+", the last ending the sequence)")
			}
		}
		if n != 1 {
			f.Add(at, "a step is one of send, wait and branch")
		}
	}
}

// StepWait reads a wait step's duration ("90s", "72h", "3d").
func StepWait(s string) (time.Duration, error) {
	d, err := ParseDuration(s)
	if err != nil {
		return 0, err
	}
	if time.Duration(d) < MinSequenceWait || time.Duration(d) > 366*24*time.Hour {
		return 0, errors.New("must be a duration from 1s to 366d, like 72h or 3d")
	}
	return time.Duration(d), nil
}

// SequenceFunnel is how far a sequence's leads got: its steps' messages
// sent, delivered, opened and clicked; addresses unsubscribed after a
// message; leads registered through a message (made since with its
// address, as a campaign's Registered); leads claimed and converted after
// their enrolment.
type SequenceFunnel struct {
	SequenceID   string `json:"sequence_id"`
	Sent         int    `json:"sent"`
	Delivered    int    `json:"delivered"`
	Opened       int    `json:"opened"`
	Clicked      int    `json:"clicked"`
	Unsubscribed int    `json:"unsubscribed"`
	Registered   int    `json:"registered"`
	Claimed      int    `json:"claimed"`
	Converted    int    `json:"converted"`
}
