package service

import (
	"context"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// This file is what imports and exports share, decided once: who may see
// a job, the page of the jobs a user may see, and starting a stored job's
// workflow (marking the job failed when it cannot start).

// jobKind is what differs between an import and an export.
type jobKind[T any] struct {
	what string // "import" or "export", for messages
	// get reads a stored job; list a page of those a viewer may see.
	get  func(context.Context, string) (T, error)
	list func(context.Context, store.Viewer, int, string) ([]T, string, error)
	// owner is who started the job and the pool it imports into ("" for none).
	owner func(T) (createdBy, poolID string)
	// start starts the job's workflow; fail marks the job failed with why.
	start func(context.Context, T) error
	fail  func(ctx context.Context, id, why string) (T, error)
	id    func(T) string
}

// own is job id when me may see it: an admin, the user who started it, or
// an admin of the pool it imports into. Others get not found.
func (k jobKind[T]) own(ctx context.Context, s *Service, me lead.User, id string) (T, error) {
	j, err := k.get(ctx, id)
	if err != nil {
		return j, err
	}
	createdBy, poolID := k.owner(j)
	if me.Role == lead.RoleAdmin || createdBy == me.ID {
		return j, nil
	}
	if poolID != "" {
		if pa, err := s.db.PoolAccess(ctx, me, poolID); err == nil && pa.Admin {
			return j, nil
		}
	}
	var none T
	return none, lead.Errorf(lead.CodeNotFound, "%s not found", k.what)
}

// page is one page of the jobs me may see, newest first.
func (k jobKind[T]) page(ctx context.Context, me lead.User, limit int, cursor string) ([]T, string, error) {
	return k.list(ctx, store.ViewerOf(me), limit, cursor)
}

// launch starts the workflow of stored job j (see StartJob).
func (k jobKind[T]) launch(ctx context.Context, s *Service, j T) error {
	id := k.id(j)
	return s.StartJob(ctx, k.what, id, func(ctx context.Context) error { return k.start(ctx, j) },
		func(ctx context.Context, why string) error {
			_, err := k.fail(ctx, id, why)
			return err
		})
}
