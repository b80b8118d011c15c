package service

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// Sequences (drips): ordered steps — send a template on a channel, wait,
// branch on an expression about the lead — that a lead is enrolled in by
// hand, by a bulk action or by the enroll_when rules. Admins and the
// managers of the pools a sequence names make and change it. Each
// enrolment runs as its own workflow (workflows.SequenceWorkflow), whose
// steps send through the code of one message (sequencerun.go); a lead
// leaves its sequences when a rep takes it (a claim, an assignment, an
// accepted offer), it is converted, replies or unsubscribes
// (lead.SequenceExit; exitSequences, called where each is decided).

// SequenceInput is a sequence to make, or (PATCH) the fields to change:
// a nil field is left as it is.
type SequenceInput struct {
	Name    *string      `json:"name"`
	PoolIDs *[]string    `json:"pool_ids"`
	Steps   *[]lead.Step `json:"steps"`
}

// CreateSequence makes a sequence; key is the request's idempotency key
// (a retry answers the same sequence).
func (s *Service) CreateSequence(ctx context.Context, me lead.User, key string, in SequenceInput) (lead.Sequence, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Sequence{}, err
	}
	q := lead.Sequence{ID: LeadID(key, "sequence\x00"+me.ID), CreatedBy: me.ID}
	if in.Name == nil || in.Steps == nil {
		var f lead.Fields
		if in.Name == nil {
			f.Add("name", "is required")
		}
		if in.Steps == nil {
			f.Add("steps", "is required")
		}
		return q, f.Err()
	}
	if err := s.applySequence(ctx, me, &q, in); err != nil {
		return q, err
	}
	return s.db.SaveSequence(ctx, q, true)
}

// UpdateSequence changes sequence id's name, pools or steps; enrolments
// already running keep the steps they started with.
func (s *Service) UpdateSequence(ctx context.Context, me lead.User, id string, in SequenceInput) (lead.Sequence, error) {
	q, err := s.Sequence(ctx, me, id)
	if err != nil {
		return q, err
	}
	if err := s.applySequence(ctx, me, &q, in); err != nil {
		return q, err
	}
	return s.db.SaveSequence(ctx, q, false)
}

// applySequence sets the fields in gives on q and checks the result: a
// name, the steps' shape (lead.CheckSteps), each send's template of its
// channel, each branch's expression compiled with the rules' sandbox,
// and pools me manages (a manager names at least one).
func (s *Service) applySequence(ctx context.Context, me lead.User, q *lead.Sequence, in SequenceInput) error {
	if in.Name != nil {
		q.Name = strings.TrimSpace(*in.Name)
	}
	if in.PoolIDs != nil {
		q.PoolIDs = *in.PoolIDs
	}
	if in.Steps != nil {
		q.Steps = *in.Steps
	}
	var f lead.Fields
	if q.Name == "" || utf8.RuneCountInString(q.Name) > 200 {
		f.Add("name", "is required, at most 200 characters")
	}
	lead.CheckSteps(q.Steps, &f)
	for i, st := range q.Steps {
		at := "steps[" + strconv.Itoa(i) + "]"
		if st.Send != nil && st.Send.TemplateID != "" && lead.KnownChannel(st.Send.Channel) {
			if t, err := s.db.Template(ctx, st.Send.TemplateID); err != nil || t.Channel != st.Send.Channel {
				f.Add(at+".send.template_id", "is not a template of this channel")
			}
		}
		if st.Branch != nil && strings.TrimSpace(st.Branch.When) != "" {
			if _, err := rules.CompileExpr(st.Branch.When); err != nil {
				f.Add(at+".branch.when", err.Error())
			}
		}
	}
	if me.Role != lead.RoleAdmin && len(q.PoolIDs) == 0 {
		f.Add("pool_ids", "name the pools you manage that the sequence is for")
	}
	for i, id := range q.PoolIDs {
		if err := s.PoolFor(ctx, me, lead.ActManagePool, id); err != nil {
			f.Add("pool_ids["+strconv.Itoa(i)+"]", "is not a pool you manage")
		}
	}
	return f.Err()
}

// Sequence is sequence id, to admins and the managers of all its pools.
func (s *Service) Sequence(ctx context.Context, me lead.User, id string) (lead.Sequence, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return lead.Sequence{}, err
	}
	q, err := s.db.Sequence(ctx, id)
	if err != nil {
		return q, err
	}
	if !s.managesSequence(ctx, me, q) {
		return lead.Sequence{}, lead.Errorf(lead.CodeNotFound, "sequence not found")
	}
	return q, nil
}

// managesSequence reports whether me may see and change q: an admin, or
// a manager of each of its pools.
func (s *Service) managesSequence(ctx context.Context, me lead.User, q lead.Sequence) bool {
	if me.Role == lead.RoleAdmin {
		return true
	}
	for _, id := range q.PoolIDs {
		if s.PoolFor(ctx, me, lead.ActManagePool, id) != nil {
			return false
		}
	}
	return len(q.PoolIDs) > 0
}

// Sequences lists the sequences me may see, newest first.
func (s *Service) Sequences(ctx context.Context, me lead.User, limit int, cursor string) ([]lead.Sequence, string, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, "", err
	}
	qs, next, err := s.db.Sequences(ctx, limit, cursor)
	out := qs[:0]
	for _, q := range qs {
		if s.managesSequence(ctx, me, q) {
			out = append(out, q)
		}
	}
	return out, next, err
}

// EnrolInput names the sequence to enrol a lead in.
type EnrolInput struct {
	SequenceID string `json:"sequence_id"`
}

// Enrol enrols lead id in a sequence, by whoever may act on the lead
// (edit it: admins, its pool's managers, its owner); a lead already in it answers its enrolment as it is.
func (s *Service) Enrol(ctx context.Context, me lead.User, id, key string, in EnrolInput) (lead.Enrolment, error) {
	return s.enrolAs(ctx, me, id, key, in.SequenceID, lead.EnrolByHand)
}

// enrolAs enrols lead id in sequence seqID for me, by hand or by a bulk
// action (via), under the enrolment id key derives.
func (s *Service) enrolAs(ctx context.Context, me lead.User, id, key, seqID, via string) (lead.Enrolment, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActEdit)
	if err != nil {
		return lead.Enrolment{}, err
	}
	return s.enrol(ctx, l, seqID, LeadID(key, "enrol\x00"+me.ID+"\x00"+l.ID), me.ID, via)
}

// enrol enrols lead l in sequence seqID under enrolment id (by user by,
// "" for a rule; via hand, bulk or rule) and starts its workflow. A lead
// in the sequence already answers its active enrolment.
func (s *Service) enrol(ctx context.Context, l lead.Lead, seqID, id, by, via string) (lead.Enrolment, error) {
	if _, err := s.db.Sequence(ctx, seqID); err != nil {
		return lead.Enrolment{}, lead.Invalid(lead.FieldError{Field: "sequence_id", Reason: "is not a sequence"})
	}
	if l.Status.Terminal() {
		return lead.Enrolment{}, lead.Conflict("the lead cannot be enrolled", "wrong status: the lead is "+string(l.Status))
	}
	e, _, err := s.db.Enrol(ctx, lead.Enrolment{ID: id, SequenceID: seqID, LeadID: l.ID, EnrolledBy: by, Via: via})
	if err != nil || e.Status != lead.EnrolmentActive {
		return e, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
	defer cancel()
	// Started again on a retry (and by the worker's pump if not recorded): once per enrolment.
	if err := workflows.StartSequence(ctx, s.tc, workflows.SequenceInput{EnrolmentID: e.ID, SequenceID: e.SequenceID, LeadID: e.LeadID}); err != nil {
		return e, TemporalError(err)
	}
	return e, s.db.EnrolmentStarted(ctx, e.ID)
}

// Unenrol takes lead id out of its enrolment enrolmentID (exited,
// removed), by whoever may act on the lead; one that is over is
// answered as it is.
func (s *Service) Unenrol(ctx context.Context, me lead.User, id, enrolmentID string) (lead.Enrolment, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActEdit)
	if err != nil {
		return lead.Enrolment{}, err
	}
	e, _, err := s.db.Enrolment(ctx, enrolmentID)
	if err != nil || e.LeadID != l.ID {
		return lead.Enrolment{}, lead.Errorf(lead.CodeNotFound, "enrolment not found")
	}
	s.exitSequences(ctx, l.ID, e.ID, lead.ExitRemoved, me.ID)
	e, _, err = s.db.Enrolment(ctx, enrolmentID)
	return e, err
}

// LeadSequences are lead id's enrolments (where it is in each), newest
// first, to whoever may read the lead.
func (s *Service) LeadSequences(ctx context.Context, me lead.User, id string) ([]lead.Enrolment, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActRead)
	if err != nil {
		return nil, err
	}
	return s.db.Enrolments(ctx, l.ID)
}

// eventExits ends lead leadID's sequences when the event of type t just
// recorded in its history ends them (lead.SequenceExit: a claim, an
// assignment, an accepted offer, a conversion, a reply).
func (s *Service) eventExits(ctx context.Context, leadID string, t lead.EventType, actorID string) {
	if reason := lead.SequenceExit(t); reason != "" {
		s.exitSequences(ctx, leadID, "", reason, actorID)
	}
}

// exitSequences ends lead leadID's active enrolments (only onlyID when
// given) for reason and tells their workflows. It is called where each
// reason is decided (eventExits: Claim, DoMove, Convert, a reply; an
// unsubscription; Unenrol);
// a failure is logged, not returned: the event that decided it is
// recorded, and each step reads it again (store.ExitReason).
func (s *Service) exitSequences(ctx context.Context, leadID, onlyID, reason, actorID string) {
	es, err := s.db.ExitEnrolments(ctx, leadID, onlyID, reason, actorID)
	if err != nil {
		s.log.Warn("exit a lead's sequences", "lead", leadID, "reason", reason, "err", err)
		return
	}
	for _, e := range es {
		if err := workflows.ExitSequence(ctx, s.tc, e.SequenceID, e.LeadID, e.ID); err != nil {
			s.log.Warn("tell a sequence's workflow of its exit", "enrolment", e.ID, "err", err)
		}
	}
}

// SequenceFunnel is sequence id's funnel (sent, delivered, opened,
// clicked, unsubscribed, registered, claimed, converted), to whoever may
// see it.
func (s *Service) SequenceFunnel(ctx context.Context, me lead.User, id string) (lead.SequenceFunnel, error) {
	if _, err := s.Sequence(ctx, me, id); err != nil {
		return lead.SequenceFunnel{}, err
	}
	f, err := s.db.SequenceFunnel(ctx, id)
	return lead.SequenceFunnel{SequenceID: id, Sent: f.Sent, Delivered: f.Delivered, Opened: f.Opened, Clicked: f.Clicked,
		Unsubscribed: f.Unsubscribed, Registered: f.Registered, Claimed: f.Claimed, Converted: f.Converted}, err
}

// EnrolableSequences are the sequences me may enrol lead id in from its
// page: none unless me may act on it (edit it); those naming its pool or
// no pool.
func (s *Service) EnrolableSequences(ctx context.Context, me lead.User, id string) ([]lead.Sequence, error) {
	l, err := s.LeadFor(ctx, me, id, lead.ActEdit)
	if err != nil {
		return nil, nil
	}
	qs, _, err := s.db.Sequences(ctx, 200, "")
	out := qs[:0]
	for _, q := range qs {
		if len(q.PoolIDs) == 0 || slices.Contains(q.PoolIDs, l.PoolID) {
			out = append(out, q)
		}
	}
	return out, err
}

// SequencePools are the pools me may name in a sequence: every live pool
// for an admin, those me administers for a manager.
func (s *Service) SequencePools(ctx context.Context, me lead.User) ([]lead.Pool, error) {
	if err := Allowed(me, GateStaff); err != nil {
		return nil, err
	}
	ps, _, err := s.db.Pools(ctx, store.PoolFilter{Limit: 500})
	out := ps[:0]
	for _, p := range ps {
		if me.Role == lead.RoleAdmin || slices.Contains(p.AdminIDs, me.ID) {
			out = append(out, p)
		}
	}
	return out, err
}
