package service

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// This file is the service's Temporal plumbing: every change to a lead goes
// through the lead's workflow (an update), and every Temporal failure is
// turned into a domain error here.

// idNamespace scopes the ids derived from idempotency keys.
var idNamespace = uuid.MustParse("6f2d7f5e-6d8a-4c1e-9a57-3c1b2f0e9d10")

// LeadID is the id of a lead created by one request: derived from the
// creator and the request's idempotency key when there is one, so a retried
// request finds the lead it created, else a new time-ordered id.
func LeadID(key, creator string) string {
	if key != "" {
		return uuid.NewSHA1(idNamespace, []byte(creator+"\x00"+key)).String()
	}
	return uuid.Must(uuid.NewV7()).String()
}

// StartLead starts the lead's workflow and waits for its intake decision
// (update-with-start). created is false when the same request had already
// created the lead.
func (s *Service) StartLead(ctx context.Context, l lead.Lead, opts *lead.IntakeOptions) (out lead.IntakeResult, created bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
	defer cancel()
	out, err = workflows.StartLead(ctx, s.tc, l, opts)
	if errors.Is(err, workflows.ErrLeadFinished) {
		// A retry of a request that created the lead: answer with what was stored.
		out, err = s.db.IntakeResult(ctx, l.ID)
		return out, false, err
	}
	if err != nil {
		return out, false, TemporalError(err)
	}
	return out, true, nil
}

// update sends update name of the lead's workflow for user me and decodes
// its result. Its id derives from the request's idempotency key, so a
// retried request is applied once.
func (s *Service) update(ctx context.Context, me lead.User, key, leadID, name string, arg, result any) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
	defer cancel()
	h, err := s.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.WorkflowID(leadID), UpdateID: updateID(me, key, name), UpdateName: name,
		Args: []any{arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, result)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		// The workflow has finished (or never ran): say why from the read model.
		l, lerr := s.db.Lead(ctx, leadID)
		if lerr != nil {
			return lerr
		}
		return lead.Conflict("the lead's lifecycle has ended", "wrong status: the lead is "+string(l.Status))
	}
	if err != nil {
		return TemporalError(err)
	}
	return nil
}

// updateID is the id of update name for me's request: derived from its
// idempotency key, so a retried request is applied once, else new.
func updateID(me lead.User, key, name string) string {
	if key == "" {
		return uuid.Must(uuid.NewV7()).String()
	}
	return name + ":" + me.ID + ":" + key
}

// TemporalError maps a failure of a Temporal call to a domain error.
func TemporalError(err error) error {
	if e := workflows.DomainError(err); e != nil {
		return e
	}
	// The SDK reports an update that outlived its context as
	// WorkflowUpdateServiceTimeoutOrCanceledError wrapping a gRPC status, not
	// a context error (seen while the Temporal server was down: a 500).
	var updateTimeout *client.WorkflowUpdateServiceTimeoutOrCanceledError
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &updateTimeout) || errors.As(err, &deadline) || errors.As(err, &canceled) {
		return lead.Errorf(lead.CodeUnavailable, "the lead's workflow did not answer in time; the action may still complete, retry with the same Idempotency-Key")
	}
	var unavailable *serviceerror.Unavailable
	if errors.As(err, &unavailable) {
		return lead.Errorf(lead.CodeUnavailable, "Temporal is unavailable: %s", unavailable.Message)
	}
	// Temporal refuses updates while the workflow's last task failed, e.g.
	// when the worker running it was killed: it passes once a worker has
	// run the task again (seen as a 500 in TestWorkerKilledDuringBurst).
	var notReady *serviceerror.WorkflowNotReady
	if errors.As(err, &notReady) {
		return lead.Errorf(lead.CodeUnavailable, "the lead's workflow is recovering from a failed step; retry with the same Idempotency-Key")
	}
	return err
}

// startJob starts the workflow of a stored import or export (what, id).
// When it cannot start, nothing was done: the job is marked failed with
// fail, so it does not look running forever (sending it again is safe),
// and the caller gets the Temporal error.
func (s *Service) startJob(ctx context.Context, what, id string, start func(context.Context) error, fail func(context.Context, string) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpdateTimeout)
	defer cancel()
	err := start(ctx)
	if err == nil {
		return nil
	}
	if ferr := fail(context.WithoutCancel(ctx), "the "+what+" could not be started: "+err.Error()); ferr != nil {
		s.log.Error("mark the job failed", what, id, "err", ferr)
	}
	return TemporalError(err)
}
