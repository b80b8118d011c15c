package activities

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"go.temporal.io/sdk/activity"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/workflows"
)

// MaxExportRows is the most leads one export may hold.
const MaxExportRows = 200_000

// exportPage is how many leads the export reads at a time.
const exportPage = 1000

// Export makes the file of a stored export: the leads its filter selects
// (the filter includes what its creator may see), newest first, with the
// chosen fields as columns, and stores it. An export that is no longer
// running is left as it is.
func (b *Bulk) Export(ctx context.Context, exportID string) error {
	e, err := b.Store.Export(ctx, exportID)
	if err != nil {
		return wrap(err)
	}
	if e.Status != store.JobRunning {
		return nil
	}
	format, ok := sheet.ParseFormat(e.Format)
	if !ok {
		return wrap(lead.Invalid(lead.FieldError{Field: "format", Reason: "must be csv or xlsx"}))
	}
	var buf bytes.Buffer
	w, err := sheet.NewWriter(format, &buf, "Leads", e.Fields)
	if err != nil {
		return err
	}
	f := e.Filter
	f.Limit, f.Cursor = exportPage, ""
	reader := lead.User{ID: f.Viewer.ID, Role: f.Viewer.Role} // its creator, who sees the leads as lead.Redact shows them
	n := 0
	for {
		leads, next, err := b.Store.Leads(ctx, f)
		if err != nil {
			return wrap(err)
		}
		n += len(leads)
		if n > MaxExportRows {
			return wrap(lead.Invalid(lead.FieldError{Field: "filters",
				Reason: fmt.Sprintf("select more than %d leads; narrow them (for example by created_from and created_to) and export in parts", MaxExportRows)}))
		}
		consents, err := b.consents(ctx, leads, e.Fields)
		if err != nil {
			return wrap(err)
		}
		for _, l := range leads {
			row := sheet.ExportRow(lead.Redact(reader, l), e.Fields)
			if i := slices.Index(e.Fields, sheet.ConsentField); i >= 0 && !reader.MasksContacts(l) {
				row[i] = sheet.ConsentText(consents[l.ID])
			}
			if err := w.Write(row); err != nil {
				return err
			}
		}
		activity.RecordHeartbeat(ctx, n)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if err := w.Close(); err != nil {
		return err
	}
	return b.Store.SaveExportFile(ctx, e.ID, buf.Bytes(), n)
}

// ExportFinished marks an export completed, or failed with in.Error, and
// returns its summary. It is the export's last step before the e-mail with
// the download link (the Email activity, which the workflow starts next).
func (b *Bulk) ExportFinished(ctx context.Context, in workflows.FinishedInput) (workflows.ExportSummary, error) {
	e, err := b.Store.FinishExport(ctx, in.ID, in.Error)
	if err != nil {
		return workflows.ExportSummary{}, wrap(err)
	}
	b.Log.Info("export finished", "export", e.ID, "status", e.Status, "rows", e.Rows, "bytes", e.FileSize)
	return workflows.ExportSummary{ExportID: e.ID, Status: e.Status, Rows: e.Rows, FileSize: e.FileSize, Error: e.Error}, nil
}

// consents is the consent of each of leads when the export has the
// consent column (sheet.ConsentField); nil otherwise.
func (b *Bulk) consents(ctx context.Context, leads []lead.Lead, fields []string) (map[string][]lead.Consent, error) {
	if !slices.Contains(fields, sheet.ConsentField) {
		return nil, nil
	}
	return b.Store.LeadConsents(ctx, leads)
}
