package console

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's settings pages: custom field definitions,
// the option lists, and the outbox of e-mails. Pages and forms call the
// service's methods as the API does (Fields, SaveField, DeleteField,
// SetOptions, Notifications).

// fieldsDone are the notices (message ids) after a field form succeeded.
var fieldsDone = map[string]string{"created": "fields.done.created", "saved": "fields.done.saved", "deleted": "fields.done.deleted"}

func (s *Server) fieldsPage(c *fiber.Ctx) error { return s.showFields(c, nil, nil, nil) }

// showFields renders /fields (field nil) or the edit page of one field,
// with a refusal and what was typed.
func (s *Server) showFields(c *fiber.Ctx, field *lead.FieldDef, refusal error, form map[string]string) error {
	d := web.FieldsPage{Field: field, CanEdit: service.Allowed(httpx.Caller(c), service.GateAdmin) == nil, Entities: lead.FieldEntities,
		Types: lead.FieldTypes, OptionLists: lead.OptionLists, Form: form, Errors: map[string]string{}}
	title, nav := "nav.fields", "fields"
	if field == nil {
		defs, err := s.Service.Fields(c.UserContext(), httpx.Caller(c), "")
		if err != nil {
			return err
		}
		d.Fields = defs
	} else {
		title = tr(c, "fields.field", "Name", field.Name)
		if form == nil {
			d.Form = map[string]string{"entity": field.Entity, "name": field.Name, "label": field.Label, "type": field.Type,
				"options": strings.Join(field.Options, "\n"), "option_list": field.OptionList}
			if field.Required {
				d.Form["required"] = "on"
			}
		}
	}
	return showPage(c, "fields", title, nav, fieldsDone[c.Query("done")], &d, &d.Errors, refusal)
}

// fieldForm reads a field form into the service's input: every field
// given, options one a line.
func fieldForm(c *fiber.Ctx) (service.FieldInput, map[string]string) {
	form := formValues(c, "entity", "name", "label", "type", "options", "option_list", "required")
	options := lines(form["options"])
	required := form["required"] == "on"
	return service.FieldInput{Entity: ptr(form["entity"]), Name: ptr(form["name"]), Label: ptr(form["label"]), Type: ptr(form["type"]),
		Options: &options, OptionList: ptr(form["option_list"]), Required: &required}, form
}

func ptr[T any](v T) *T { return &v }

func (s *Server) createFieldForm(c *fiber.Ctx) error {
	in, form := fieldForm(c)
	if _, err := s.Service.SaveField(c.UserContext(), httpx.Caller(c), "", in); err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.showFields(c, nil, err, form)
	}
	return c.Redirect("/fields?done=created", fiber.StatusSeeOther)
}

func (s *Server) fieldPage(c *fiber.Ctx) error {
	d, err := s.Service.Field(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	return s.showFields(c, &d, nil, nil)
}

func (s *Server) saveFieldForm(c *fiber.Ctx) error {
	in, form := fieldForm(c)
	if _, err := s.Service.SaveField(c.UserContext(), httpx.Caller(c), c.Params("id"), in); err != nil {
		d, ferr := s.Service.Field(c.UserContext(), httpx.Caller(c), c.Params("id"))
		if webProblem(err) == nil || ferr != nil {
			return s.consoleRefusal(c, err)
		}
		return s.showFields(c, &d, err, form)
	}
	return c.Redirect("/fields?done=saved", fiber.StatusSeeOther)
}

func (s *Server) deleteFieldForm(c *fiber.Ctx) error {
	if err := s.Service.DeleteField(c.UserContext(), httpx.Caller(c), c.Params("id")); err != nil {
		return s.consoleRefusal(c, err)
	}
	return c.Redirect("/fields?done=deleted", fiber.StatusSeeOther)
}

func (s *Server) optionsPage(c *fiber.Ctx) error { return s.showOptions(c, "", nil, "") }

// showOptions renders every option list, one item a line; list is the one
// just saved (notice) or refused (with what was typed).
func (s *Server) showOptions(c *fiber.Ctx, list string, refusal error, typed string) error {
	all, err := s.Service.AllOptions(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	d := web.OptionsPage{CanEdit: service.Allowed(httpx.Caller(c), service.GateAdmin) == nil}
	p := consolePage(c, "nav.options", "options")
	p.Data = &d
	var errs map[string]string
	if refusal != nil {
		errs = refuse(c, &p, refusal)
	}
	for _, name := range lead.OptionLists {
		l := web.OptionList{Name: name, Items: strings.Join(all[name], "\n")}
		if name == list && refusal != nil {
			l.Items, l.Error = typed, errs["items"]
		}
		d.Lists = append(d.Lists, l)
	}
	if saved := c.Query("saved"); saved != "" && lead.KnownOptionList(saved) {
		p.Notice = tr(c, "options.saved", "List", saved)
	}
	return render(c, "options", p)
}

func (s *Server) optionsForm(c *fiber.Ctx) error {
	list, typed := c.Params("list"), c.FormValue("items")
	if _, err := s.Service.SetOptions(c.UserContext(), httpx.Caller(c), list, lines(typed)); err != nil {
		if webProblem(err) == nil || lead.ErrorCode(err) == lead.CodeNotFound {
			return s.consoleRefusal(c, err)
		}
		return s.showOptions(c, list, err, typed)
	}
	return c.Redirect("/options?saved="+url.QueryEscape(list), fiber.StatusSeeOther)
}

// outboxPage lists the e-mails kept, newest first, filtered by kind and
// status as GET /api/v1/notifications is (service.Notifications).
func (s *Server) outboxPage(c *fiber.Ctx) error {
	d := web.OutboxPage{Kinds: []string{}, Statuses: []string{lead.NotificationQueued, lead.NotificationSent, lead.NotificationFailed, lead.NotificationSkipped},
		Kind: c.Query("kind"), Status: c.Query("status"), RecipientNames: map[string]string{}}
	for _, k := range lead.EmailKinds {
		d.Kinds = append(d.Kinds, k.Kind)
	}
	d.Kinds = append(d.Kinds, lead.MessageKind) // the messages to leads
	p := consolePage(c, "nav.outbox", "outbox")
	p.Data = &d
	f := store.NotificationFilter{Kind: d.Kind, Status: d.Status, Limit: 50, Cursor: c.Query("cursor")}
	items, next, err := s.Service.Notifications(c.UserContext(), httpx.Caller(c), f)
	d.Items = items
	if err == nil && next != "" {
		q := url.Values{"kind": {d.Kind}, "status": {d.Status}, "cursor": {next}}
		d.Next = "/outbox?" + q.Encode()
	}
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		refuse(c, &p, err)
		return render(c, "outbox", p)
	}
	people, err := s.people(c)
	if err != nil {
		return err
	}
	for _, n := range d.Items {
		d.RecipientNames[n.ToUserID] = people[n.ToUserID].Name
	}
	return render(c, "outbox", p)
}

// emailPage shows one e-mail of the outbox with its text.
func (s *Server) emailPage(c *fiber.Ctx) error {
	n, err := s.Service.Notification(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	p := consolePage(c, n.Subject, "outbox")
	p.Data = &n
	return render(c, "email", p)
}
