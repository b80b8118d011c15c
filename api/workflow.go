package api

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
)

// This file is what the API's remaining handlers use of the service's
// Temporal plumbing (service/workflow.go).

// requestLeadID is the id of a lead created by this request: derived from
// the caller and the Idempotency-Key header when there is one, so a retried
// request finds the lead it created, else a new time-ordered id.
func requestLeadID(c *fiber.Ctx, callerID string) string {
	return service.LeadID(idempotencyKey(c), callerID)
}

// startLead starts the lead's workflow and waits for its intake decision.
func (s *Server) startLead(ctx context.Context, l lead.Lead, opts *lead.IntakeOptions) (lead.IntakeResult, bool, error) {
	return s.svc.StartLead(ctx, l, opts)
}

// temporalError maps a failure of a Temporal call to a domain error.
func (s *Server) temporalError(err error) error { return service.TemporalError(err) }

// startJob starts the workflow of a stored import or export (what, id);
// see service.StartJob.
func (s *Server) startJob(c *fiber.Ctx, what, id string, start func(context.Context) error, fail func(context.Context, string) error) error {
	return s.svc.StartJob(c.UserContext(), what, id, start, fail)
}
