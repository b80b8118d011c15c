package console

import (
	"net/url"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's inbox: the conversations of senders who are
// no lead, as the API's routes (api/conversations.go:
// service/conversations.go) — a manager assigns one to a rep, whose
// "Create lead" form is prefilled from it.

// consoleInbox registers the inbox pages and forms.
func (s *Server) consoleInbox(get, post func(string, fiber.Handler)) {
	everyone, staff := s.gated(service.GateEveryone), s.gated(service.GateStaff)
	get("/inbox", everyone(s.inboxPage))
	get("/inbox/:id", everyone(s.conversationPage))
	post("/inbox/:id/assign", staff(s.assignConversationForm))
	post("/inbox/:id/lead", everyone(s.conversationLeadForm))
}

// leadDraftFields are the fields of the Create lead form.
var leadDraftFields = []string{"company", "name", "phone", "email", "country"}

// assigneeNames are the names of the conversations' assignees by id.
func (s *Server) assigneeNames(c *fiber.Ctx, convs ...lead.Conversation) map[string]string {
	names := map[string]string{}
	for _, cv := range convs {
		if _, ok := names[cv.AssigneeID]; !ok && cv.AssigneeID != "" {
			names[cv.AssigneeID] = s.Service.UserName(c.UserContext(), cv.AssigneeID)
		}
	}
	return names
}

func (s *Server) inboxPage(c *fiber.Ctx) error {
	state := c.Query("state")
	items, next, err := s.Service.Conversations(c.UserContext(), httpx.Caller(c), state, 50, c.Query("cursor"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	d := web.InboxPage{Conversations: items, States: store.ConversationStates, State: state, Names: s.assigneeNames(c, items...)}
	if next != "" {
		d.Next = "/inbox?state=" + url.QueryEscape(state) + "&cursor=" + url.QueryEscape(next)
	}
	errs := map[string]string{}
	return showPage(c, "inbox", "inbox.title", "inbox", "", &d, &errs, nil)
}

func (s *Server) conversationPage(c *fiber.Ctx) error {
	notice := map[string]string{"assigned": "inbox.done_assigned"}[c.Query("done")]
	return s.showConversation(c, notice, nil, nil, nil)
}

// showConversation renders /inbox/{id}: the messages, the assign form
// (staff) and the assignee's Create lead form, as typed when form is not
// nil, else prefilled from the conversation.
func (s *Server) showConversation(c *fiber.Ctx, notice string, form map[string]string, warnings []string, refusal error) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	conv, err := s.Service.Conversation(ctx, me, c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	d := web.ConversationPage{Conversation: conv, Assignee: s.assigneeNames(c, conv)[conv.AssigneeID], RequestID: uuid.NewString(),
		Warnings: warnings, Errors: map[string]string{}, Form: form, Fields: leadDraftFields}
	d.CanAssign = service.Allowed(me, service.GateStaff) == nil && conv.LeadID == ""
	if d.CanAssign {
		users, _, err := s.Service.Users(ctx, me, 500, "")
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.Role == lead.RoleRep && u.Active {
				d.Reps = append(d.Reps, web.Choice{Value: u.ID, Label: u.Name})
			}
		}
	}
	d.CanCreate = conv.AssigneeID == me.ID && conv.LeadID == ""
	if d.CanCreate && d.Form == nil {
		draft, err := s.Service.ConversationDraft(ctx, me, conv.ID)
		if err != nil {
			return s.consoleRefusal(c, err)
		}
		d.Form = map[string]string{"company": draft.Company, "name": draft.Name, "phone": draft.Phone, "email": draft.Email, "country": draft.Country}
	}
	return showPage(c, "conversation", "inbox.title", "inbox", notice, &d, &d.Errors, refusal)
}

// assignConversationForm assigns the conversation to a rep (POST
// /api/v1/conversations/{id}/assign).
func (s *Server) assignConversationForm(c *fiber.Ctx) error {
	_, err := s.Service.AssignConversation(c.UserContext(), httpx.Caller(c), c.Params("id"), c.FormValue("rep_id"))
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showConversation(c, "", nil, nil, err)
	}
	return c.Redirect("/inbox/"+url.PathEscape(c.Params("id"))+"?done=assigned", fiber.StatusSeeOther)
}

// conversationLeadForm makes a lead of the conversation (POST
// /api/v1/conversations/{id}/lead): the lead's page, or this page with the
// duplicate's notice when intake warned.
func (s *Server) conversationLeadForm(c *fiber.Ctx) error {
	form := formValues(c, leadDraftFields...)
	in := lead.Input{Contact: lead.Contact{Company: form["company"], Name: form["name"], Phone: form["phone"], Email: form["email"],
		Country: form["country"]}}
	out, err := s.Service.CreateConversationLead(c.UserContext(), httpx.Caller(c), c.Params("id"), in)
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showConversation(c, "", form, nil, err)
	}
	id := out.Lead.ID
	if out.Merged && out.Lead.MergedInto != "" {
		id = out.Lead.MergedInto
	}
	if len(out.Warnings) > 0 {
		return s.showConversation(c, "inbox.done_lead", form, out.Warnings, nil)
	}
	return c.Redirect("/leads/"+url.PathEscape(id), fiber.StatusSeeOther)
}
