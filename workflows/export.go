package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// ExportInput starts an ExportWorkflow for a stored export.
type ExportInput struct {
	ExportID string `json:"export_id"`
}

// ExportSummary is what an export ended with.
type ExportSummary struct {
	ExportID string `json:"export_id"`
	Status   string `json:"status"`
	Rows     int    `json:"rows"`
	FileSize int64  `json:"file_size"`
	Error    string `json:"error,omitempty"`
}

// ExportWorkflow makes the file of a stored export in one heartbeating
// Export activity (it reads the leads the export's filter selects, page by
// page, and stores the file), then marks the export completed or failed.
func ExportWorkflow(ctx workflow.Context, in ExportInput) (ExportSummary, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy:         bulkRetry,
	})
	var failure string
	if err := workflow.ExecuteActivity(actx, ActivityExport, in.ExportID).Get(ctx, nil); err != nil {
		failure = err.Error()
		if e := DomainError(err); e != nil {
			failure = e.Error()
		}
	}
	// The final step marks the export completed (or failed); the e-mail
	// with the download link follows as its own activity.
	fctx := workflow.WithActivityOptions(ctx, finishOptions)
	var sum ExportSummary
	if err := workflow.ExecuteActivity(fctx, ActivityExportFinished, FinishedInput{ID: in.ExportID, Error: failure}).Get(ctx, &sum); err != nil {
		return sum, err
	}
	// The user who asked for it gets the link (a failed e-mail does not fail the export).
	if err := SendEmail(ctx, lead.Email{Key: ExportWorkflowID(in.ExportID) + "/finished", Kind: lead.EmailExportFinished, Ref: in.ExportID}).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("export e-mail failed", "export", in.ExportID, "error", err)
	}
	return sum, nil
}
