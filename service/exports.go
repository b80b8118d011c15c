package service

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
)

// The exports: start one of the leads a user may see, list and read them,
// and download the file. Everyone exports (GateEveryone); an export holds
// what the lead list shows its creator, and only they (and admins) see it.

// ExportInput is an export: its format, fields and the lead list's
// filters (LeadFilterNames), as strings.
type ExportInput struct {
	Format  string            `json:"format"`
	Fields  []string          `json:"fields"`
	Filters map[string]string `json:"filters"`
}

// StartExport checks an export's format, fields and filters, stores it and
// starts its ExportWorkflow.
func (s *Service) StartExport(ctx context.Context, me lead.User, in ExportInput) (store.Export, error) {
	if err := Allowed(me, GateEveryone); err != nil {
		return store.Export{}, err
	}
	var bad lead.Fields
	format, ok := sheet.ParseFormat(in.Format)
	if !ok {
		bad.Add("format", "must be csv or xlsx")
	}
	fields, err := sheet.CheckExportFields(in.Fields)
	var fe *lead.Error
	if errors.As(err, &fe) {
		bad = append(bad, fe.Fields...)
	} else if err != nil {
		return store.Export{}, err
	}
	filters := in.Filters
	for _, k := range slices.Sorted(maps.Keys(filters)) {
		if !slices.Contains(LeadFilterNames, k) {
			bad.Add("filters."+k, "is not a filter of the lead list; the filters are "+strings.Join(LeadFilterNames, ", "))
		}
	}
	f, err := ParseLeadFilter(func(k string) string { return strings.TrimSpace(filters[k]) }, func(k string) string { return "filters." + k })
	if errors.As(err, &fe) {
		bad = append(bad, fe.Fields...)
	} else if err != nil {
		return store.Export{}, err
	}
	if err := bad.Err(); err != nil {
		return store.Export{}, err
	}
	f.Viewer = store.ViewerOf(me) // an export holds what the lead list shows me
	s.resolvePeriod(ctx, me, &f)
	if _, err := s.db.ExpireExports(ctx, s.cfg.ExportTTL); err != nil {
		return store.Export{}, err
	}
	e := store.Export{CreatedBy: me.ID, Format: string(format), Fields: fields, Filter: f}
	return s.exports().launch(ctx, s, func(ctx context.Context, id string) (store.Export, error) {
		e.ID = id
		return s.db.CreateExport(ctx, e, s.cfg.MaxRunningExports)
	})
}

// Exports are a page of the exports me may see, newest first.
func (s *Service) Exports(ctx context.Context, me lead.User, limit int, cursor string) ([]store.Export, string, error) {
	return s.exports().page(ctx, me, limit, cursor)
}

// Export is export id when me may see it: its creator or an admin (an
// export holds what its creator may see). Others get not found.
func (s *Service) Export(ctx context.Context, me lead.User, id string) (store.Export, error) {
	return s.exports().own(ctx, s, me, id)
}

// ExportFile is export id and its file, once it is ready: a conflict while
// it runs (the export is returned, so a face can say when to ask again)
// or when it failed.
func (s *Service) ExportFile(ctx context.Context, me lead.User, id string) (store.Export, []byte, error) {
	return s.exports().file(ctx, s, me, id, func(ctx context.Context, e store.Export) ([]byte, error) {
		switch e.Status {
		case store.JobRunning:
			return nil, lead.Conflict("the export is not ready yet", "status: running; GET /api/v1/exports/"+e.ID+" tells when it is")
		case store.JobFailed:
			return nil, lead.Conflict("the export failed", e.Error)
		}
		return s.db.ExportFile(ctx, e.ID)
	})
}
