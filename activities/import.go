package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// Bulk are the activities of imports and exports. Importing starts lead
// workflows, so Bulk needs a Temporal client besides the store.
type Bulk struct {
	Store    *store.DB
	Temporal client.Client
	Log      *slog.Logger
	// Concurrency is how many rows of a batch are taken in at once
	// (DefaultImportConcurrency when 0).
	Concurrency int
	// RowTimeout bounds the intake of one row (a minute when 0).
	RowTimeout time.Duration
	// Intake, when set, takes a row's lead in right here (the code of the
	// intake activity) and then starts its LeadWorkflow past its intake
	// (workflows.StartTakenIn): a plain start instead of an update-with-start
	// and a local activity in the lead's workflow. Without it each row goes
	// through its workflow's intake, as a lead created through the API does.
	Intake func(context.Context, workflows.LeadInput) (lead.IntakeResult, error)
	// Act acts on a batch of a bulk action's leads (bulk.go); Activities.Bulk's.
	Act BulkRunner
}

// DefaultImportConcurrency is how many leads of a batch are taken in at once.
const DefaultImportConcurrency = 32

// NewBulk returns the import and export activities; with acts, imported
// rows are taken in by its Intake (see Bulk.Intake).
func NewBulk(db *store.DB, tc client.Client, log *slog.Logger, acts *Activities) *Bulk {
	if log == nil {
		log = slog.Default()
	}
	b := &Bulk{Store: db, Temporal: tc, Log: log}
	if acts != nil {
		b.Intake, b.Act = acts.Intake, acts.BulkRunner
	}
	return b
}

// importNamespace scopes the ids of imported leads.
var importNamespace = uuid.MustParse("3a0f3c1e-8a3b-4f7e-b2d4-5c9e1f6a7b80")

// ImportLeadID is the id of the lead that row number row of import im
// creates. It depends on the file's content (its SHA-256), the row and the
// column matching only, so a retried batch and a second import of the same
// file with the same matching find the lead the first one made, while a
// second import with another matching takes the row in anew (the rows an
// earlier import made a lead of that is not rejected are skipped first:
// store.ImportedBefore).
func ImportLeadID(im store.Import, row int) string {
	keys := make([]string, 0, len(im.Mapping))
	for h, target := range im.Mapping {
		keys = append(keys, h+"\x00"+target)
	}
	sort.Strings(keys)
	return uuid.NewSHA1(importNamespace, []byte(im.FileSHA256+"/"+strconv.Itoa(row)+"/"+strings.Join(keys, "\x01"))).String()
}

// importJob is a valid row whose lead is to be taken in.
type importJob struct {
	row  store.ImportRow
	lead lead.Lead
	opts *lead.IntakeOptions
}

// ImportBatch processes the rows of an import at positions [From, To):
// each valid row becomes a lead through its LeadWorkflow (update-with-start
// of the intake update, as the API does), each bad row is rejected with the
// reason, and every outcome is recorded once. Rows already recorded by an
// earlier attempt are skipped; a row whose lead an earlier import of the
// same file created counts as already imported.
func (b *Bulk) ImportBatch(ctx context.Context, in workflows.ImportBatchInput) (workflows.ImportBatchResult, error) {
	var res workflows.ImportBatchResult
	im, err := b.Store.Import(ctx, in.ImportID)
	if err != nil {
		return res, wrap(err)
	}
	plan, err := sheet.NewPlan(im.Headers, sheet.Mapping(im.Mapping))
	if err != nil {
		return res, wrap(err)
	}
	rows, err := b.Store.ImportRows(ctx, im.ID, in.From, in.To)
	if err != nil {
		return res, err
	}
	schema, err := b.Store.CustomSchema(ctx, lead.EntityLead)
	if err != nil {
		return res, err
	}
	var outs []store.ImportOutcome
	var jobs []importJob
	for _, r := range rows {
		if r.Outcome != "" {
			continue
		}
		input, err := plan.Input(r.Cells)
		if err == nil {
			// The custom values, channel and group against the configuration.
			err = schema.CheckLead(input.Custom, &input.Channel, &input.Group, false).Err()
		}
		if err != nil {
			outs = append(outs, store.ImportOutcome{Row: r.Row, Outcome: store.RowRejected, Reason: sheet.Reason(err)})
			continue
		}
		input.Source, input.CreatedBy = lead.SourceImport, im.CreatedBy
		l := input.NewLead(ImportLeadID(im, r.Row))
		opts := &lead.IntakeOptions{DuplicatePolicy: lead.DuplicatePolicy(im.DuplicatePolicy), PoolID: im.PoolID,
			ImportID: im.ID, Row: r.Row}
		jobs = append(jobs, importJob{row: r, lead: l, opts: opts})
	}

	ids := make([]string, len(jobs))
	var fresh []int // rows this import has not started yet
	for i, j := range jobs {
		ids[i] = j.lead.ID
		if j.row.LeadID == "" {
			fresh = append(fresh, j.row.Row)
		}
	}
	existing, err := b.Store.LeadsByID(ctx, ids)
	if err != nil {
		return res, err
	}
	before, err := b.Store.ImportedBefore(ctx, im, fresh)
	if err != nil {
		return res, err
	}
	var start []importJob
	mine := map[int]string{}
	for _, j := range jobs {
		l, ok := existing[j.lead.ID]
		if earlier, done := before[j.row.Row]; done && !ok {
			l, ok = earlier, true // an earlier import of the file, with another matching, made a lead of the row
		}
		switch {
		case ok && j.row.LeadID == "":
			// An earlier import of the same file created this lead (with this
			// matching, or a lead that is not rejected with another).
			outs = append(outs, store.ImportOutcome{Row: j.row.Row, LeadID: l.ID, Outcome: store.RowAlreadyImported,
				Reason: fmt.Sprintf("already imported: lead %s is %s", l.ID, l.Status)})
		case ok && l.Status != lead.StatusReceived && (b.Intake == nil || l.Status.Terminal()):
			// This import took it in in an earlier attempt. (A live lead taken in
			// here is started again below: its workflow may not have started.)
			o, err := b.rowOutcome(ctx, j.row.Row, l)
			if err != nil {
				return res, err
			}
			outs = append(outs, o)
		default:
			start = append(start, j)
			if j.row.LeadID == "" {
				mine[j.row.Row] = j.lead.ID
			}
		}
	}
	if err := b.Store.StartImportRows(ctx, im.ID, mine); err != nil {
		return res, err
	}
	if err := b.Store.RecordImportOutcomes(ctx, im.ID, outs); err != nil {
		return res, err
	}
	res.Processed = len(outs)
	activity.RecordHeartbeat(ctx, res.Processed)

	n, err := b.startLeads(ctx, im.ID, start)
	res.Processed += n
	return res, err
}

// startLeads takes in the leads of jobs, Concurrency at a time, recording
// outcomes as they come. It stops at the first error that a retry of the
// batch may not meet (Temporal or PostgreSQL unavailable, a timeout) and
// returns it; every other failure is the row's outcome.
func (b *Bulk) startLeads(ctx context.Context, importID string, jobs []importJob) (int, error) {
	if len(jobs) == 0 {
		return 0, nil
	}
	conc := b.Concurrency
	if conc <= 0 {
		conc = DefaultImportConcurrency
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		out store.ImportOutcome
		err error
	}
	results := make(chan result)
	queue := make(chan importJob)
	for range min(conc, len(jobs)) {
		go func() {
			for j := range queue {
				out, err := b.startLead(ctx, j)
				select {
				case results <- result{out, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(queue)
		for _, j := range jobs {
			select {
			case queue <- j:
			case <-ctx.Done():
				return
			}
		}
	}()

	var pending []store.ImportOutcome
	recorded := 0
	flush := func() error {
		if err := b.Store.RecordImportOutcomes(ctx, importID, pending); err != nil {
			return err
		}
		recorded += len(pending)
		pending = pending[:0]
		activity.RecordHeartbeat(ctx, recorded)
		return nil
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var firstErr error
	for done := 0; done < len(jobs); {
		select {
		case r := <-results:
			done++
			if r.err != nil {
				if firstErr == nil {
					firstErr = r.err
					cancel()
				}
				continue
			}
			pending = append(pending, r.out)
			if len(pending) >= 50 {
				if err := flush(); err != nil {
					return recorded, err
				}
			}
		case <-tick.C:
			if err := flush(); err != nil {
				return recorded, err
			}
		case <-ctx.Done():
			// Record what finished, then let the batch be retried.
			if firstErr == nil {
				firstErr = ctx.Err()
			}
			done = len(jobs)
		}
	}
	if len(pending) > 0 {
		// Outcomes that were reached are kept even when the batch stops.
		if err := b.Store.RecordImportOutcomes(context.WithoutCancel(ctx), importID, pending); err != nil && firstErr == nil {
			return recorded, err
		}
		recorded += len(pending)
	}
	return recorded, firstErr
}

// startLead starts the row's LeadWorkflow with its intake update and
// returns the row's outcome. An error means the batch should be retried.
func (b *Bulk) startLead(ctx context.Context, j importJob) (store.ImportOutcome, error) {
	timeout := b.RowTimeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if b.Intake != nil {
		return b.takeIn(rctx, ctx, j)
	}
	l := j.lead
	out, err := workflows.StartLead(rctx, b.Temporal, l, j.opts)
	if errors.Is(err, workflows.ErrLeadFinished) {
		// The lead's workflow ran and finished (rejected or merged at intake,
		// in an earlier attempt): the stored lead tells the outcome.
		stored, serr := b.Store.LeadsByID(ctx, []string{l.ID})
		if serr != nil {
			return store.ImportOutcome{}, serr
		}
		if s, ok := stored[l.ID]; ok {
			return b.rowOutcome(ctx, j.row.Row, s)
		}
	}
	switch {
	case err == nil:
		return b.rowOutcome(ctx, j.row.Row, out.Lead)
	case ctx.Err() != nil:
		return store.ImportOutcome{}, ctx.Err()
	case transient(err):
		return store.ImportOutcome{}, fmt.Errorf("row %d: %w", j.row.Row, err)
	}
	reason := err.Error()
	if e := workflows.DomainError(err); e != nil {
		reason = e.Error()
	}
	b.Log.Warn("import row failed", "row", j.row.Row, "lead", l.ID, "err", err)
	return store.ImportOutcome{Row: j.row.Row, LeadID: l.ID, Outcome: store.RowFailed, Reason: reason}, nil
}

// takeIn takes the row's lead in with b.Intake and starts the workflow of
// a live lead; rctx bounds the row, ctx is the batch's. Both steps are
// idempotent: a retried batch finishes what an attempt began.
func (b *Bulk) takeIn(rctx, ctx context.Context, j importJob) (store.ImportOutcome, error) {
	res, err := b.Intake(rctx, workflows.LeadInput{Lead: j.lead, Intake: j.opts})
	if err == nil && !res.Status.Terminal() {
		err = workflows.StartTakenIn(rctx, b.Temporal, res.Lead)
	}
	if err == nil {
		return b.rowOutcome(ctx, j.row.Row, res.Lead)
	}
	e := workflows.DomainError(err)
	if ctx.Err() != nil {
		return store.ImportOutcome{}, ctx.Err()
	}
	if e == nil || e.Code == lead.CodeUnavailable {
		// The database or Temporal failed, or a race to retry: the batch is retried.
		return store.ImportOutcome{}, fmt.Errorf("row %d: %w", j.row.Row, err)
	}
	b.Log.Warn("import row failed", "row", j.row.Row, "lead", j.lead.ID, "err", err)
	return store.ImportOutcome{Row: j.row.Row, LeadID: j.lead.ID, Outcome: store.RowFailed, Reason: e.Error()}, nil
}

// ImportFinished marks an import completed, or failed with in.Error, and
// returns its counts. It is the import's last step before the e-mail that
// tells the importer (the Email activity, which the workflow starts next).
func (b *Bulk) ImportFinished(ctx context.Context, in workflows.FinishedInput) (workflows.ImportSummary, error) {
	im, err := b.Store.FinishImport(ctx, in.ID, in.Error)
	if err != nil {
		return workflows.ImportSummary{}, wrap(err)
	}
	b.Log.Info("import finished", "import", im.ID, "status", im.Status, "total", im.Total, "created", im.Created,
		"merged", im.Merged, "rejected", im.Rejected, "failed", im.Failed, "already_imported", im.AlreadyImported)
	return workflows.ImportSummary{ImportID: im.ID, Status: im.Status, ImportCounts: im.ImportCounts, Error: im.Error}, nil
}
