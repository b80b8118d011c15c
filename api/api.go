// Package api is leadflow's JSON face (Fiber v2): the routes under
// /api/v1, bearer-token auth, decoding, RFC 9457 problem+json answers and
// the OpenAPI document. Each handler decodes the request, calls the
// service (service/), which decides, and encodes its answer. It holds no
// operation, no HTML page and no server setting: those are the service's,
// the console's (console/) and the server's (server/).
package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/service"
)

// Problem is the problem document the API answers errors with.
type Problem = httpx.Problem

// Server holds the API's dependencies; its handlers are methods.
type Server struct {
	cfg   httpx.Deps
	svc   *service.Service
	guard *httpx.Guard
}

// Routes registers the API's routes on app: the public registration
// endpoints and, behind a bearer token, everything under /api/v1.
func Routes(app *fiber.App, d httpx.Deps) {
	s := &Server{cfg: d, svc: d.Service, guard: d.Guard}
	s.publicRoutes(app)
	s.hookRoutes(app)
	s.inboxHookRoutes(app)

	v1 := app.Group("/api/v1", s.authenticate)
	v1.Get("/me", s.me)
	v1.Patch("/me", s.patchMe)
	v1.Get("/me/invite", s.invite)
	v1.Post("/me/invite/rotate", s.rotateInvite)
	v1.Post("/me/token", s.rotateMyToken)
	v1.Get("/settings/duplicates", s.gate(service.GateStaff), s.duplicatePolicies)
	v1.Put("/settings/duplicates", s.gate(service.GateAdmin), s.putDuplicatePolicies)
	v1.Post("/users", s.gate(service.GateAdmin), s.createUser)
	v1.Get("/users", s.gate(service.GateStaff), s.listUsers)
	v1.Get("/users/:id", s.getUser)
	v1.Post("/users/:id/token", s.gate(service.GateAdmin), s.rotateToken)
	v1.Post("/users/:id/sign-in-link", s.gate(service.GateAdmin), s.signInLink)

	v1.Post("/leads", s.createLead)
	v1.Get("/leads", s.listLeads)
	v1.Get("/leads/:id", s.getLead)
	v1.Get("/leads/:id/history", s.leadHistory)
	s.optionRoutes(v1)
	s.routeRules(v1)
	s.routePools(v1)
	s.routeActions(v1)
	s.routeFollowUps(v1)
	s.routeCustomers(v1)
	s.routeFields(v1)
	s.routeNotifications(v1)
	s.routeImports(v1)
	s.routeExports(v1)
	s.routeBulk(v1)
	s.routeReports(v1)
	s.routeWebhooks(v1)
	s.routeChatTargets(v1)
	s.routeCalendars(v1)
	s.routeSources(v1)
	s.routeMessages(v1)
	s.routeConversations(v1)
	s.routeCampaigns(v1)
	s.routeSequences(v1)
	s.routeCompanies(v1)
	s.routeViews(v1)
}
