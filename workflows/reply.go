package workflows

import (
	"context"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/leadflow/leadflow/lead"
)

// ReplyNoticeInput names a lead's stored reply whose owner hears of it.
type ReplyNoticeInput struct {
	ReplyID string `json:"reply_id"`
	LeadID  string `json:"lead_id"`
	// Excerpt is the start of the reply, shown in the e-mail.
	Excerpt string `json:"excerpt"`
}

// ReplyNoticeWorkflowID is the id of the workflow telling of reply id.
func ReplyNoticeWorkflowID(replyID string) string { return "reply/" + replyID }

// StartReplyNotice starts the workflow that tells the lead's owner of a
// reply, once per reply: starting it again (the provider's retry) is not
// an error.
func StartReplyNotice(ctx context.Context, c client.Client, in ReplyNoticeInput) error {
	return startOnce(ctx, c, ReplyNoticeWorkflowID(in.ReplyID), ReplyNoticeWorkflowName, in, temporal.SearchAttributes{})
}

// ReplyNoticeWorkflow e-mails the lead's owner (lead.EmailReply) through
// the Email activity, whose key (the workflow's id) makes it one e-mail
// however often the activity is retried or the worker dies.
func ReplyNoticeWorkflow(ctx workflow.Context, in ReplyNoticeInput) error {
	return SendEmail(ctx, lead.Email{Key: ReplyNoticeWorkflowID(in.ReplyID), Kind: lead.EmailReply, LeadID: in.LeadID,
		Summary: in.Excerpt}).Get(ctx, nil)
}
