package web

import "github.com/leadflow/leadflow/lead"

// InboxPage is the data of /inbox: the conversations the reader sees, in
// one state ("" for all).
type InboxPage struct {
	Conversations []lead.Conversation
	States        []string
	State         string
	// Names are the assignees' names by id.
	Names map[string]string
	Next  string
}

// ConversationPage is the data of /inbox/{id}: the conversation, the
// manager's assign form (Reps, when CanAssign) and the assignee's Create
// lead form, prefilled (Draft, when CanCreate).
type ConversationPage struct {
	Conversation lead.Conversation
	Assignee     string
	CanAssign    bool
	Reps         []Choice
	CanCreate    bool
	// Fields are the Create lead form's fields, in order.
	Fields    []string
	Form      map[string]string
	RequestID string
	// Warnings are the intake's notices about the lead made (a duplicate).
	Warnings []string
	Errors   map[string]string
}
