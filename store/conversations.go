package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/leadflow/leadflow/lead"
)

// This file keeps the inbox's conversations: the messages of senders who
// are no lead, assigned by a manager to a rep who may make a lead of them.

const conversationColumns = `id::text, channel, origin, address, name, coalesce(assignee_id::text, ''), coalesce(lead_id::text, ''),
	created_at, last_message_at`

func scanConversation(row pgx.Row) (lead.Conversation, error) {
	var c lead.Conversation
	err := row.Scan(&c.ID, &c.Channel, &c.Origin, &c.Address, &c.Name, &c.AssigneeID, &c.LeadID, &c.CreatedAt, &c.LastMessageAt)
	return c, err
}

// ConversationFilter selects conversations to list.
type ConversationFilter struct {
	// AssigneeID keeps those assigned to one user ("" for all).
	AssigneeID string
	// State keeps the open ones without an assignee (unassigned), those
	// assigned without a lead yet (assigned), those made a lead (lead); ""
	// for all.
	State  string
	Limit  int
	Cursor string
}

// ConversationStates are ConversationFilter's states.
var ConversationStates = []string{"unassigned", "assigned", "lead"}

// Conversations lists conversations, the latest message first.
func (db *DB) Conversations(ctx context.Context, f ConversationFilter) ([]lead.Conversation, string, error) {
	var q listQuery
	if f.AssigneeID != "" {
		q.and("assignee_id = " + q.arg(f.AssigneeID) + "::uuid")
	}
	switch f.State {
	case "unassigned":
		q.and("assignee_id IS NULL AND lead_id IS NULL")
	case "assigned":
		q.and("assignee_id IS NOT NULL AND lead_id IS NULL")
	case "lead":
		q.and("lead_id IS NOT NULL")
	case "":
	default:
		return nil, "", lead.Invalid(lead.FieldError{Field: "state", Reason: "must be unassigned, assigned or lead"})
	}
	if err := q.keyset("last_message_at", "id", true, f.Cursor); err != nil {
		return nil, "", err
	}
	if f.Limit < 1 {
		f.Limit = 50
	}
	return queryPage(ctx, db, conversationColumns+` FROM conversations`, &q, f.Limit, scanConversation,
		func(c lead.Conversation) (time.Time, string) { return c.LastMessageAt, c.ID })
}

// Conversation returns one conversation with its messages, oldest first.
func (db *DB) Conversation(ctx context.Context, id string) (lead.Conversation, error) {
	if !isUUID(id) {
		return lead.Conversation{}, lead.Errorf(lead.CodeNotFound, "conversation not found")
	}
	c, err := scanConversation(db.pool.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE id = $1`, id))
	if err != nil {
		return c, notFound(err, "conversation")
	}
	rows, err := db.pool.Query(ctx, `SELECT `+replyColumns+` FROM inbound_messages WHERE conversation_id = $1
		ORDER BY received_at, id`, id)
	if err != nil {
		return c, err
	}
	c.Messages, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (lead.Reply, error) { return scanReply(r) })
	return c, err
}

// AssignConversation gives conversation id to a user (again: no change).
func (db *DB) AssignConversation(ctx context.Context, id, userID string) error {
	_, err := db.pool.Exec(ctx, `UPDATE conversations SET assignee_id = $2 WHERE id = $1`, id, userID)
	return err
}

// ConversationLead records the lead made of conversation id: the
// conversation closes and its messages become the lead's replies. Again
// with the same lead it changes nothing.
func (db *DB) ConversationLead(ctx context.Context, id, leadID string) error {
	return db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE conversations SET lead_id = $2 WHERE id = $1 AND lead_id IS NULL`, id, leadID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE inbound_messages SET lead_id = $2 WHERE conversation_id = $1 AND lead_id IS NULL`, id, leadID)
		return err
	})
}
