package activities

import (
	"context"
	"errors"
	"strings"

	"go.temporal.io/api/serviceerror"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// This file classifies an import row after its lead's intake, and the
// failures that let a batch be retried.

// transient reports an error that a later attempt may not meet.
func transient(err error) bool {
	var unavailable *serviceerror.Unavailable
	var exhausted *serviceerror.ResourceExhausted
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.As(err, &unavailable) || errors.As(err, &exhausted) || errors.As(err, &deadline) || errors.As(err, &canceled)
}

// rowOutcome classifies a lead after its intake. The lead a created row
// duplicates is named only when its importer may see it (lead.DuplicateAccess).
func (b *Bulk) rowOutcome(ctx context.Context, row int, l lead.Lead) (store.ImportOutcome, error) {
	o := rowOutcomeOf(row, l)
	if o.Outcome == store.RowCreated && l.DuplicateOf != "" {
		importer, err := b.Store.User(ctx, l.CreatedBy)
		if err != nil && lead.ErrorCode(err) != lead.CodeNotFound {
			return o, err
		}
		named, err := b.Store.NamesDuplicate(ctx, importer, l.DuplicateOf)
		if err != nil {
			return o, err
		}
		o.Reason = "created, but it duplicates a live lead"
		if named {
			o.Reason = "created, but it duplicates lead " + l.DuplicateOf
		}
	}
	return o, nil
}

// rowOutcomeOf classifies a lead after its intake, as far as the lead tells.
func rowOutcomeOf(row int, l lead.Lead) store.ImportOutcome {
	o := store.ImportOutcome{Row: row, LeadID: l.ID}
	switch l.Status {
	case lead.StatusRejected:
		o.Outcome, o.Reason = store.RowRejected, strings.Join(l.RejectReasons, "; ")
		if o.Reason == "" {
			o.Reason = "rejected at intake"
		}
	case lead.StatusMerged:
		o.Outcome, o.Reason = store.RowMerged, "merged into lead "+l.MergedInto
	case lead.StatusReceived:
		o.Outcome, o.Reason = store.RowFailed, "the lead's intake did not finish"
	default:
		o.Outcome = store.RowCreated
	}
	return o
}
