package console

import (
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/leadflow/leadflow/httpx"
	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
	"github.com/leadflow/leadflow/store"
	"github.com/leadflow/leadflow/web"
)

// This file is the console's inbound sources pages: each form calls the
// service method of its REST route (api/sources.go: service/sources.go,
// admins only).

// consoleSources registers the inbound source pages and forms (admins, as the API).
func (s *Server) consoleSources(get, post func(string, fiber.Handler)) {
	admin := s.gated(service.GateAdmin)
	get("/sources", admin(s.sourcesPage))
	post("/sources", admin(s.createSourceForm))
	get("/sources/:id", admin(s.sourcePage))
	post("/sources/:id", admin(s.saveSourceForm))
	post("/sources/:id/rotate-secret", admin(s.rotateSourceForm))
	post("/sources/:id/delete", admin(s.deleteSourceForm))
}

// sourcePolicies are the duplicate policies a source may have.
var sourcePolicies = []string{string(lead.DuplicateMerge), string(lead.DuplicateWarn), string(lead.DuplicateReject)}

// sourceFormFields are the fields of a source's form.
var sourceFormFields = []string{"name", "kind", "field_mapping", "duplicate_policy", "pool_id", "verify_token", "app_secret", "page_token"}

// sourceRow is src with its pool's name, hook URL and mapping as lines.
func (s *Server) sourceRow(src lead.InboundSource, pools []web.Choice) web.SourceRow {
	base := s.PublicURL
	if base == "" {
		base = lead.DefaultPublicURL
	}
	return web.SourceRow{InboundSource: src, PoolName: choiceLabel(pools, src.PoolID),
		HookURL: strings.TrimRight(base, "/") + "/api/v1/hooks/" + url.PathEscape(src.Name), Mapping: mappingLines(src.FieldMapping)}
}

// mappingLines writes a field mapping as the form's lines, "path = target".
func mappingLines(m map[string]string) string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+" = "+m[k])
	}
	return strings.Join(out, "\n")
}

// sourceChange reads a source's form; a mapping line without "=" is a
// refusal of field_mapping.
func sourceChange(form map[string]string) (service.SourceChange, error) {
	m := map[string]string{}
	for _, l := range lines(form["field_mapping"]) {
		k, v, ok := strings.Cut(l, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return service.SourceChange{}, lead.Invalid(lead.FieldError{Field: "field_mapping", Reason: "sources.mapping_line"})
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	policy := lead.DuplicatePolicy(form["duplicate_policy"])
	in := service.SourceChange{Name: ptr(form["name"]), FieldMapping: &m, DuplicatePolicy: &policy, PoolID: ptr(form["pool_id"]),
		VerifyToken: ptr(form["verify_token"]), AppSecret: ptr(form["app_secret"]), PageToken: ptr(form["page_token"])}
	if form["kind"] != "" {
		in.Kind = ptr(form["kind"])
	}
	return in, nil
}

// sourcePools are the pools a source may put its leads in (every pool: admins).
func (s *Server) sourcePools(c *fiber.Ctx) ([]web.Choice, error) {
	pools, _, err := s.Service.Pools(c.UserContext(), httpx.Caller(c), store.PoolFilter{Limit: 500})
	var out []web.Choice
	for _, p := range pools {
		out = append(out, web.Choice{Value: p.ID, Label: p.Name})
	}
	return out, err
}

func (s *Server) sourcesPage(c *fiber.Ctx) error {
	return s.showSources(c, nil, map[string]string{"kind": lead.InboundWebhook, "duplicate_policy": string(lead.DuplicateMerge)}, nil)
}

// showSources renders /sources with the create form as typed, a new
// source with its secret to show once, and a refusal.
func (s *Server) showSources(c *fiber.Ctx, created *service.SourceSecret, form map[string]string, refusal error) error {
	ctx, me := c.UserContext(), httpx.Caller(c)
	srcs, next, err := s.Service.Sources(ctx, me, 100, c.Query("cursor"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	pools, err := s.sourcePools(c)
	if err != nil {
		return err
	}
	d := web.SourcesPage{Pools: pools, Policies: sourcePolicies, Kinds: []string{lead.InboundWebhook, lead.InboundFacebook},
		RequestID: uuid.NewString(), Facebook: true, Form: form, Errors: map[string]string{}}
	for _, src := range srcs {
		d.Sources = append(d.Sources, s.sourceRow(src, pools))
	}
	if created != nil {
		row := s.sourceRow(created.InboundSource, pools)
		d.Created = &row
		if created.Kind == lead.InboundWebhook {
			d.Secret = &web.Secret{Label: created.ID, Value: created.Secret}
		}
	}
	if next != "" {
		d.Next = "/sources?cursor=" + url.QueryEscape(next)
	}
	return showPage(c, "sources", "sources.title", "sources", "", &d, &d.Errors, refusal)
}

// createSourceForm adds a source, as POST /api/v1/sources does, and shows
// its hook URL and secret once.
func (s *Server) createSourceForm(c *fiber.Ctx) error {
	form := formValues(c, sourceFormFields...)
	key, err := requestKey(c)
	if err == nil {
		var in service.SourceChange
		if in, err = sourceChange(form); err == nil {
			var src service.SourceSecret
			if src, err = s.Service.CreateSource(c.UserContext(), httpx.Caller(c), key, in); err == nil {
				return s.showSources(c, &src, map[string]string{"kind": lead.InboundWebhook, "duplicate_policy": string(lead.DuplicateMerge)}, nil)
			}
		}
	}
	if webProblem(err) == nil {
		return err
	}
	form["app_secret"], form["page_token"] = "", ""
	return s.showSources(c, nil, form, err)
}

func (s *Server) sourcePage(c *fiber.Ctx) error {
	notice := map[string]string{"saved": "sources.saved"}[c.Query("done")]
	return s.showSource(c, notice, nil, nil, nil)
}

// showSource renders /sources/{id}: the source, its form (as typed when
// form is not nil) and a new secret to show once.
func (s *Server) showSource(c *fiber.Ctx, notice string, secret *web.Secret, form map[string]string, refusal error) error {
	src, err := s.Service.Source(c.UserContext(), httpx.Caller(c), c.Params("id"))
	if err != nil {
		return s.consoleRefusal(c, err)
	}
	pools, err := s.sourcePools(c)
	if err != nil {
		return err
	}
	row := s.sourceRow(src, pools)
	if form == nil {
		form = map[string]string{"name": src.Name, "field_mapping": row.Mapping, "duplicate_policy": string(src.DuplicatePolicy),
			"pool_id": src.PoolID, "verify_token": src.VerifyToken}
	}
	d := web.SourcePage{SecretForms: web.SecretForms{Path: "/sources/" + url.PathEscape(src.ID), Kind: "source", Area: "sources"}, Source: row, Pools: pools, Policies: sourcePolicies, Facebook: src.Kind == lead.InboundFacebook, Secret: secret,
		Form: form, Errors: map[string]string{}}
	return showPage(c, "source", "sources.title", "sources", notice, &d, &d.Errors, refusal)
}

// saveSourceForm changes the source, as PATCH /api/v1/sources/{id} does
// (blank Facebook secrets are left as they are).
func (s *Server) saveSourceForm(c *fiber.Ctx) error {
	form := formValues(c, sourceFormFields...)
	form["kind"] = ""
	in, err := sourceChange(form)
	if err == nil {
		_, err = s.Service.UpdateSource(c.UserContext(), httpx.Caller(c), c.Params("id"), in)
	}
	if err != nil {
		if webProblem(err) == nil {
			return err
		}
		if lead.ErrorCode(err) != lead.CodeInvalid {
			return s.consoleRefusal(c, err)
		}
		form["app_secret"], form["page_token"] = "", ""
		return s.showSource(c, "", nil, form, err)
	}
	return c.Redirect("/sources/"+url.PathEscape(c.Params("id"))+"?done=saved", fiber.StatusSeeOther)
}

// rotateSourceForm gives the source a new secret, shown once (POST
// /api/v1/sources/{id}/rotate-secret).
func (s *Server) rotateSourceForm(c *fiber.Ctx) error {
	src, err := s.Service.RotateSourceSecret(c.UserContext(), httpx.Caller(c), c.Params("id"))
	return s.showSecret(c, src.ID, src.Secret, err, func(secret *web.Secret) error { return s.showSource(c, "", secret, nil, nil) })
}

// deleteSourceForm removes the source when the form confirms it.
func (s *Server) deleteSourceForm(c *fiber.Ctx) error {
	return s.confirmDelete(c, "sources.confirm_required", "/sources",
		func(refusal error) error { return s.showSource(c, "", nil, nil, refusal) },
		func() error { return s.Service.DeleteSource(c.UserContext(), httpx.Caller(c), c.Params("id")) })
}
