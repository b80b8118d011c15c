package service

import (
	"context"

	"github.com/google/uuid"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// This file is what imports and exports share, decided once: who may see
// a job, the page of the jobs a user may see, and starting a stored job's
// workflow (marking the job failed when it cannot start).

// jobKind is what differs between an import and an export.
type jobKind[T any] struct {
	what string // "import" or "export", for messages
	gate Gate   // who may start one and list them
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

// file is job id, when me may see it, and its file, made by make.
func (k jobKind[T]) file(ctx context.Context, s *Service, me lead.User, id string, make func(context.Context, T) ([]byte, error)) (T, []byte, error) {
	j, err := k.own(ctx, s, me, id)
	if err != nil {
		return j, nil, err
	}
	data, err := make(ctx, j)
	return j, data, err
}

// page is one page of the jobs me may see, newest first.
func (k jobKind[T]) page(ctx context.Context, me lead.User, limit int, cursor string) ([]T, string, error) {
	if err := Allowed(me, k.gate); err != nil {
		return nil, "", err
	}
	return k.list(ctx, store.ViewerOf(me), limit, cursor)
}

// launch stores a job with create, under a new time-ordered id, and starts
// its workflow (see startJob: a job whose workflow cannot start is marked
// failed).
func (k jobKind[T]) launch(ctx context.Context, s *Service, create func(ctx context.Context, id string) (T, error)) (T, error) {
	var none T
	j, err := create(ctx, uuid.Must(uuid.NewV7()).String())
	if err != nil {
		return none, err
	}
	id := k.id(j)
	err = s.startJob(ctx, k.what, id, func(ctx context.Context) error { return k.start(ctx, j) },
		func(ctx context.Context, why string) error {
			_, err := k.fail(ctx, id, why)
			return err
		})
	if err != nil {
		return none, err
	}
	return j, nil
}

// imports is the import kind of job.
func (s *Service) imports() jobKind[store.Import] {
	return jobKind[store.Import]{what: "import", gate: GateImport, get: s.db.Import, list: s.db.Imports,
		owner: func(im store.Import) (string, string) { return im.CreatedBy, im.PoolID },
		start: func(ctx context.Context, im store.Import) error {
			return workflows.StartImport(ctx, s.tc, workflows.ImportInput{ImportID: im.ID, Total: im.Total, BatchSize: workflows.ImportBatchSize, Parallel: workflows.ImportParallel})
		},
		fail: s.db.FinishImport, id: func(im store.Import) string { return im.ID }}
}

// exports is the export kind of job.
func (s *Service) exports() jobKind[store.Export] {
	return jobKind[store.Export]{what: "export", gate: GateEveryone, get: s.db.Export, list: s.db.Exports,
		owner: func(e store.Export) (string, string) { return e.CreatedBy, "" },
		start: func(ctx context.Context, e store.Export) error { return workflows.StartExport(ctx, s.tc, e.ID) },
		fail:  s.db.FinishExport, id: func(e store.Export) string { return e.ID }}
}
