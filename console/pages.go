package console

import (
	"io/fs"
	"mime"
	"path"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/skip2/go-qrcode"

	"github.com/leadflow/leadflow/chat"
	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/web"
)

// This file routes the console and holds its smaller pages: the invite
// link with its QR code and the e-mail settings. The import and export
// pages are in imports.go and exports.go.

// consoleRoutes registers the console: HTML pages signed in with the
// session cookie, never under /api/v1.
func (s *Server) consoleRoutes(app *fiber.App) {
	app.Get("/static/:name", serveStatic)
	app.Get("/lang/:lang", httpx.SecurityHeaders, switchLanguage)
	app.Get("/login", httpx.SecurityHeaders, s.loginPage)
	app.Post("/login", httpx.SecurityHeaders, s.login)
	app.Post("/login/code", httpx.SecurityHeaders, s.loginCode)
	app.Get("/login/:code", httpx.SecurityHeaders, s.codePage)

	// Each route names its middleware: a Group("/") would run it for every path, the API's too.
	sec := []fiber.Handler{httpx.SecurityHeaders, s.session}
	get := func(p string, h fiber.Handler) { app.Get(p, append(slices.Clone(sec), h)...) }
	post := func(p string, h fiber.Handler) { app.Post(p, append(slices.Clone(sec), h)...) }
	post("/logout", s.logout)
	get("/dashboard", s.dashboardPage)
	get("/dashboard/figures.json", s.dashboardJSON)
	get("/dashboard/figures.csv", s.dashboardCSV)
	get("/leads", s.leadsPage)
	s.createRoutes(get, post) // before /leads/:id, which would take /leads/new
	get("/leads/:id", s.leadPage)
	s.consoleActions(post)
	s.consoleViews(post)
	get("/invite", s.invitePage)
	get("/invite/qr.png", s.inviteQR)
	post("/invite/rotate", s.rotateInvitePage)
	get("/settings/notifications", s.settingsPage)
	post("/settings/notifications", s.saveSettings)
	post("/settings/profile", s.saveProfile)
	post("/settings/chat-targets", s.addChatTarget)
	post("/settings/chat-targets/:id/delete", s.deleteChatTargetForm)
	post("/teams/:team/chat-targets", s.addTeamChatTarget)
	s.consoleJobs(get, post)
	s.consoleBulk(get, post)
	s.consoleRules(get, post)
	s.consoleReports(get, post)
	s.consoleWebhooks(get, post)
	s.consoleCalendars(get, post)
	s.consoleSources(get, post)
	s.consoleMessages(get, post)
	s.consoleInbox(get, post)
	s.consoleCampaigns(get, post)
	s.consoleSequences(get, post)
	s.consoleCompanies(get, post)
	s.adminRoutes(get, post)
}

// row is one line of a job's page.
func row(label, value string) web.JobRow { return web.JobRow{Label: label, Value: value} }

// serveStatic serves the console's embedded CSS and JS.
func serveStatic(c *fiber.Ctx) error {
	name := path.Base(c.Params("name"))
	b, err := fs.ReadFile(web.Static(), name)
	if err != nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, mime.TypeByExtension(path.Ext(name)))
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(b)
}

func (s *Server) invitePage(c *fiber.Ctx) error {
	link, err := s.Service.MyInviteLink(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	p := consolePage(c, "nav.invite", "invite")
	p.Data = struct{ URL string }{link.URL}
	return render(c, "invite", p)
}

// inviteQR draws the caller's invite link as a QR code (PNG).
func (s *Server) inviteQR(c *fiber.Ctx) error {
	link, err := s.Service.MyInviteLink(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(link.URL, qrcode.Medium, 440)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}

func (s *Server) rotateInvitePage(c *fiber.Ctx) error {
	if _, err := s.Service.RotateInviteLink(c.UserContext(), httpx.Caller(c)); err != nil {
		return err
	}
	return c.Redirect("/invite", fiber.StatusSeeOther)
}

func (s *Server) settingsPage(c *fiber.Ctx) error {
	set, err := s.Service.MyNotificationSettings(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	notice := ""
	switch c.Query("saved") {
	case "profile":
		notice = "profile.saved"
	case "chat":
		notice = "chat.added"
	case "chat-deleted":
		notice = "chat.deleted"
	}
	return s.renderSettings(c, set.OptOut, notice, nil)
}

func (s *Server) renderSettings(c *fiber.Ctx, optOut []string, notice string, refusal error) error {
	return s.renderSettingsWith(c, optOut, profileOf(c), notice, refusal)
}

// renderSettingsWith renders the settings page with the e-mail kinds of
// optOut off and prof in the language and time zone form.
func (s *Server) renderSettingsWith(c *fiber.Ctx, optOut []string, prof web.Profile, notice string, refusal error) error {
	var kinds []web.EmailSetting
	for _, k := range lead.EmailKinds {
		kinds = append(kinds, web.EmailSetting{Kind: k.Kind, Label: "settings.kind." + k.Kind, Required: k.Essential,
			On: k.Essential || !slices.Contains(optOut, k.Kind)})
	}
	p := consolePage(c, "settings.title", "settings")
	chats, err := s.Service.ChatTargets(c.UserContext(), httpx.Caller(c))
	if err != nil {
		return err
	}
	p.Data, p.Notice = web.Settings{Kinds: kinds, Profile: prof, Chat: web.ChatSection{Targets: chats, Kinds: chat.Kinds,
		Action: "/settings/chat-targets", CSRF: p.CSRF, CanEdit: true}}, notice
	if refusal != nil {
		p.Problem = pageProblem(c, refusal)
		c.Status(refusalStatus(refusal))
	}
	return render(c, "settings", p)
}

// saveSettings turns off the kinds the form left unchecked (as PUT
// /api/v1/settings/notifications does with opt_out).
func (s *Server) saveSettings(c *fiber.Ctx) error {
	on := map[string]bool{}
	for _, v := range c.Request().PostArgs().PeekMulti("on") {
		on[string(v)] = true
	}
	optOut := []string{}
	for _, k := range lead.EmailKinds {
		if !k.Essential && !on[k.Kind] {
			optOut = append(optOut, k.Kind)
		}
	}
	set, err := s.Service.SetMyNotificationSettings(c.UserContext(), httpx.Caller(c), &optOut)
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		return s.renderSettings(c, optOut, "", err)
	}
	return s.renderSettings(c, set.OptOut, "settings.saved", nil)
}
