package activities

import (
	"context"
	"errors"

	"github.com/leadflow/leadflow/facebook"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/workflows"
)

// FetchFacebookLead fetches a Lead Ads lead from the Graph API
// (facebook.GraphURL) with its source's page token and answers its field
// data by name. A source that is gone ends the workflow; a failing Graph
// API is retried.
func (a *Activities) FetchFacebookLead(ctx context.Context, in workflows.FacebookLeadInput) (map[string]string, error) {
	_, sec, err := a.Store.Source(ctx, in.SourceID)
	if err != nil {
		return nil, wrap(err)
	}
	l, err := facebook.FetchLead(ctx, facebook.GraphURL(), in.LeadgenID, sec.PageToken)
	if err != nil {
		return nil, err
	}
	return l.Record(), nil
}

// IntakeSourceRecord takes a record in through SourceIntake and answers
// the lead's id ("" when intake refused it).
func (a *Activities) IntakeSourceRecord(ctx context.Context, in workflows.SourceRecordInput) (string, error) {
	if a.SourceIntake == nil {
		return "", errors.New("the worker has no source intake")
	}
	id, err := a.SourceIntake(ctx, in)
	if c := lead.ErrorCode(err); c == lead.CodeUnavailable || c == lead.CodeInternal {
		return "", err // Temporal or PostgreSQL is busy: retried
	}
	return id, wrap(err)
}
