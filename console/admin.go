package console

import (
	"log/slog"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/web"
)

// This file routes the console's management pages (pools, users, teams,
// custom fields, option lists, the outbox) and holds what they share:
// the role gates, the navigation, and how a refusal is shown. The roles
// of each page are those of its API routes: one table, service.Gates,
// decides both.

// menu are the rules and management pages the layout links, each for the
// roles of its gate.
var menu = []struct {
	link web.NavLink
	gate service.Gate
}{
	{web.NavLink{Key: "customers", URL: "/customers", Label: "customers.nav"}, service.GateEveryone},
	{web.NavLink{Key: "imports", URL: "/imports", Label: "nav.imports"}, service.GateImport},
	{web.NavLink{Key: "exports", URL: "/exports", Label: "nav.exports"}, service.GateEveryone},
	{web.NavLink{Key: "rules", URL: "/rules", Label: "nav.rules"}, service.GateRulesRead},
	{web.NavLink{Key: "pools", URL: "/pools", Label: "nav.pools"}, service.GateStaff},
	{web.NavLink{Key: "users", URL: "/users", Label: "nav.users"}, service.GateStaff},
	{web.NavLink{Key: "teams", URL: "/teams", Label: "nav.teams"}, service.GateStaff},
	{web.NavLink{Key: "fields", URL: "/fields", Label: "nav.fields", More: true}, service.GateAdmin},
	{web.NavLink{Key: "options", URL: "/options", Label: "nav.options", More: true}, service.GateAdmin},
	{web.NavLink{Key: "outbox", URL: "/outbox", Label: "nav.outbox", More: true}, service.GateAdmin},
	{web.NavLink{Key: "rejections", URL: "/reports/rejections", Label: "nav.rejections", More: true}, service.GateStaff},
	{web.NavLink{Key: "duplicates", URL: "/settings/duplicates", Label: "nav.duplicates", More: true}, service.GateStaff},
	{web.NavLink{Key: "webhooks", URL: "/webhooks", Label: "webhooks.nav", More: true}, service.GateStaff},
	{web.NavLink{Key: "calendars", URL: "/calendars", Label: "calendars.nav", More: true}, service.GateStaff},
	{web.NavLink{Key: "sources", URL: "/sources", Label: "sources.nav", More: true}, service.GateAdmin},
	{web.NavLink{Key: "templates", URL: "/templates", Label: "nurture.nav"}, service.GateEveryone},
	{web.NavLink{Key: "inbox", URL: "/inbox", Label: "inbox.nav"}, service.GateEveryone},
	{web.NavLink{Key: "campaigns", URL: "/campaigns", Label: "campaigns.nav", More: true}, service.GateStaff},
	{web.NavLink{Key: "sequences", URL: "/sequences", Label: "nav.sequences", More: true}, service.GateStaff},
	{web.NavLink{Key: "companies", URL: "/companies", Label: "registration.companies_nav", More: true}, service.GateStaff},
}

// menuFor is the management links user u may use.
func menuFor(u lead.User) []web.NavLink {
	var out []web.NavLink
	for _, m := range menu {
		if service.Allowed(u, m.gate) == nil {
			out = append(out, m.link)
		}
	}
	return out
}

// adminRoutes registers the management pages. Reading follows the API:
// pools and users for staff, teams, fields and option lists for everyone
// signed in, the outbox for admins; each form has its API route's roles.
func (s *Server) adminRoutes(get, post func(path string, h fiber.Handler)) {
	staff, admin := s.gated(service.GateStaff), s.gated(service.GateAdmin)
	get("/pools", staff(s.poolsPage))
	post("/pools", admin(s.createPoolForm))
	get("/pools/:id", staff(s.poolPage))
	post("/pools/:id/policy", staff(s.policyFormSave))
	post("/pools/:id/details", staff(s.poolDetailsForm))
	post("/pools/:id/weights", staff(s.poolWeightsForm))
	post("/pools/:id/members", staff(s.poolPeopleForm("member_ids", "members")))
	post("/pools/:id/admins", staff(s.poolPeopleForm("admin_ids", "admins")))
	post("/pools/:id/recipients", staff(s.poolRecipientsForm))
	post("/pools/:id/transfer", staff(s.poolTransferForm))
	post("/pools/:id/archive", staff(s.poolArchiveForm(s.Service.ArchivePool, "archived")))
	post("/pools/:id/restore", staff(s.poolArchiveForm(s.Service.RestorePool, "restored")))

	get("/users", staff(s.usersPage))
	post("/users", admin(s.createUserForm))
	get("/users/:id", admin(s.userPage))
	post("/users/:id", admin(s.saveUserForm))
	post("/users/:id/token", admin(s.tokenForm))
	post("/users/:id/sign-in-link", admin(s.signInLinkForm))
	get("/teams", s.teamsPage)
	post("/teams", admin(s.createTeamForm))
	get("/teams/:id", staff(s.teamPage))
	post("/teams/:id/recipients", admin(s.teamRecipientsForm))
	post("/teams/:id/calendar", admin(s.teamCalendarForm))
	post("/teams/:id/registration", staff(s.teamRegistrationChoiceForm))
	post("/teams/:id/registration-rules", staff(s.teamRegistrationRulesForm))

	get("/fields", s.fieldsPage)
	post("/fields", admin(s.createFieldForm))
	get("/fields/:id", admin(s.fieldPage))
	post("/fields/:id", admin(s.saveFieldForm))
	post("/fields/:id/delete", admin(s.deleteFieldForm))
	get("/options", s.optionsPage)
	post("/options/:list", admin(s.optionsForm))
	get("/outbox", admin(s.outboxPage))
	get("/outbox/:id", admin(s.emailPage))
}

// only lets the roles of gate g through to h (service.Gates); others get
// the API's refusal as a page.
func (s *Server) only(g service.Gate, h fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if err := service.Allowed(httpx.Caller(c), g); err != nil {
			return s.consoleRefusal(c, err)
		}
		return h(c)
	}
}

// gated wraps handlers in only(g, …): a file's routes read
// staff := s.gated(service.GateStaff).
func (s *Server) gated(g service.Gate) func(fiber.Handler) fiber.Handler {
	return func(h fiber.Handler) fiber.Handler { return s.only(g, h) }
}

// consoleRefusal answers a page that cannot be shown with the console's
// error page of the refusal: its status, title and reasons (a failure
// goes to the error handler).
func (s *Server) consoleRefusal(c *fiber.Ctx, err error) error {
	if webProblem(err) == nil {
		return err
	}
	p := httpx.ProblemOf(slog.Default(), c, err)
	for _, f := range p.Errors {
		p.Reasons = append(p.Reasons, f.Field+": "+reasonText(c, f))
	}
	return s.errorPage(c, p)
}

// refuse shows a refusal on page p, at the API's status, and returns its
// field reasons by field name, for the page to show next to each field.
func refuse(c *fiber.Ctx, p *web.Page, err error) map[string]string {
	p.Problem = pageProblem(c, err)
	c.Status(refusalStatus(err))
	errs := map[string]string{}
	if p.Problem != nil {
		for f, r := range p.Problem.Fields {
			errs[f] = r
		}
	}
	return errs
}

// showPage renders the management page name with data and a notice; a
// refusal goes at the top, at the API's status, and its field reasons into
// *errs, for the page to show next to each field.
func showPage(c *fiber.Ctx, name, title, nav, notice string, data any, errs *map[string]string, refusal error) error {
	p := consolePage(c, title, nav)
	p.Notice, p.Data = notice, data
	if refusal != nil {
		*errs = refuse(c, &p, refusal)
	}
	return render(c, name, p)
}

// formValues are the named fields of a form, trimmed.
func formValues(c *fiber.Ctx, names ...string) map[string]string {
	out := make(map[string]string, len(names))
	for _, n := range names {
		out[n] = strings.TrimSpace(c.FormValue(n))
	}
	return out
}

// formList is every value of a repeated form field (checkboxes).
func formList(c *fiber.Ctx, name string) []string {
	out := []string{}
	for _, v := range c.Request().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// lines splits a textarea into its non-empty lines, trimmed.
func lines(v string) []string {
	out := []string{}
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// people are the users by id, for names and choices.
func (s *Server) people(c *fiber.Ctx) (map[string]lead.User, error) {
	users, err := s.Service.Directory(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return nil, err
	}
	out := make(map[string]lead.User, len(users))
	for _, u := range users {
		out[u.ID] = u
	}
	return out, nil
}

// directory is the users by id and the teams, for the pool pages.
func (s *Server) directory(c *fiber.Ctx) (map[string]lead.User, []web.Choice, error) {
	people, err := s.people(c)
	if err != nil {
		return nil, nil, err
	}
	teams, err := s.teamChoices(c)
	return people, teams, err
}

// sortedPeople are the users by name.
func sortedPeople(people map[string]lead.User) []lead.User {
	out := make([]lead.User, 0, len(people))
	for _, u := range people {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return compareFold(out[i].Name, out[j].Name) < 0 })
	return out
}

func compareFold(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }

// teamChoices are the teams for a select.
func (s *Server) teamChoices(c *fiber.Ctx) ([]web.Choice, error) {
	teams, _, err := s.Service.Teams(c.UserContext(), httpx.Caller(c), 500, "")
	if err != nil {
		return nil, err
	}
	out := make([]web.Choice, 0, len(teams))
	for _, t := range teams {
		out = append(out, web.Choice{Value: t.ID, Label: t.Name})
	}
	return out, nil
}

// choiceLabel is the label of value among choices ("" when absent).
func choiceLabel(choices []web.Choice, value string) string {
	for _, ch := range choices {
		if ch.Value == value {
			return ch.Label
		}
	}
	return ""
}
