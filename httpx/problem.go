// Package httpx is the HTTP plumbing both of leadflow's faces share, the
// JSON API (api/) and the HTML console (console/): problem+json and the
// mapping of errors to statuses, strict JSON decoding, the caller in the
// request context, client addresses behind trusted proxies, the limits of
// a client address (registrations, failed credentials, connections),
// request body limits, security headers, paging, uploaded sheets and the
// files both faces download. It holds no route and no operation: those are
// the faces' and the service's.
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
	"github.com/leadflow/leadflow/store"
)

// Problem is an RFC 9457 problem document with leadflow's extensions:
// errors names bad fields, reasons explains a refused action.
type Problem struct {
	Type    string            `json:"type"`
	Title   string            `json:"title"`
	Status  int               `json:"status"`
	Detail  string            `json:"detail,omitempty"`
	Code    string            `json:"code"`
	Errors  []lead.FieldError `json:"errors,omitempty"`
	Reasons []string          `json:"reasons,omitempty"`
	// CompileErrors locate each error of a refused rule set.
	CompileErrors rules.CompileErrors `json:"compile_errors,omitempty"`
}

// ProblemError is an error the error handler writes as its problem P.
type ProblemError struct{ P Problem }

// Error is the problem's title.
func (e *ProblemError) Error() string { return e.P.Title }

// Reply writes a problem of status, code, title and detail.
func Reply(c *fiber.Ctx, status int, code, title, detail string) error {
	return WriteProblem(c, Problem{Status: status, Code: code, Title: title, Detail: detail})
}

// WriteProblem writes p as application/problem+json, said in the
// language of c (ProblemLanguage; see Localize); its type is
// /problems/{code} unless set.
func WriteProblem(c *fiber.Ctx, p Problem) error {
	if p.Type == "" {
		p.Type = "/problems/" + p.Code
	}
	Localize(ProblemLanguage(c), &p, prefixesOf(c.Path())...)
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.Send(b)
}

// StatusOf is the HTTP status of each domain error code.
var StatusOf = map[lead.Code]int{
	lead.CodeInvalid:      fiber.StatusUnprocessableEntity,
	lead.CodeNotFound:     fiber.StatusNotFound,
	lead.CodeConflict:     fiber.StatusConflict,
	lead.CodeForbidden:    fiber.StatusForbidden,
	lead.CodeUnauthorized: fiber.StatusUnauthorized,
	lead.CodeUnavailable:  fiber.StatusServiceUnavailable,
	lead.CodeRateLimited:  fiber.StatusTooManyRequests,
	lead.CodeInternal:     fiber.StatusInternalServerError,
}

// DomainProblem is the problem of a domain error; it sets the headers its
// status calls for.
func DomainProblem(c *fiber.Ctx, e *lead.Error) Problem {
	status, ok := StatusOf[e.Code]
	if !ok {
		status = fiber.StatusInternalServerError
	}
	switch e.Code {
	case lead.CodeUnauthorized:
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="leadflow"`)
	case lead.CodeUnavailable, lead.CodeRateLimited:
		// Nothing was accepted: the same request may be sent again.
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	return Problem{Status: status, Code: string(e.Code), Title: e.Message, Errors: e.Fields, Reasons: e.Reasons}
}

// BadRequest is a 400 problem naming what is wrong with the body.
func BadRequest(field, reason string) error {
	return &ProblemError{Problem{Status: fiber.StatusBadRequest, Code: "bad_request", Title: "the request body is not valid JSON for this endpoint",
		Errors: []lead.FieldError{{Field: field, Reason: reason, Code: lead.ReasonMalformed}}}}
}

// DecodeJSON reads the body into v strictly: malformed JSON is a 400,
// unknown fields and wrongly typed values are 422 naming the field.
func DecodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return BadRequest("body", "a JSON object is required")
	}
	if ct := string(c.Request().Header.ContentType()); !isJSON(ct) {
		if ct == "" {
			ct = "no Content-Type"
		}
		return &ProblemError{Problem{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Title: "send the body as application/json", Detail: "got " + ct}}
	}
	return DecodeStrict(body, v)
}

// DecodeStrict decodes one JSON value from body into v as DecodeJSON does,
// for JSON that comes in another way (a console form's field).
func DecodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, v)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return BadRequest("body", "has data after the JSON object")
	}
	return nil
}

// isJSON reports whether a Content-Type is application/json, parameters
// such as charset=utf-8 aside; text/plain, form encodings, a missing type
// and look-alikes such as application/json-patch+json are not.
func isJSON(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mt), fiber.MIMEApplicationJSON)
}

func jsonError(err error, v any) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return BadRequest("body", fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, syn.Error()))
	case errors.As(err, &typ):
		field := jsonPath(reflect.TypeOf(v), typ.Field)
		if field == "" {
			return BadRequest("body", "must be a JSON object")
		}
		return lead.Invalid(lead.FieldError{Field: field, Reason: "must be " + jsonKind(typ.Type.Kind().String()), Code: lead.ReasonWrongType})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("body", "malformed JSON: unexpected end")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return lead.Invalid(lead.FieldError{Field: name, Reason: "is not a known field", Code: lead.ReasonUnknownField})
	default:
		// Errors from custom unmarshalers, such as durations and times.
		return lead.Invalid(lead.FieldError{Field: "body", Reason: err.Error()})
	}
}

// jsonPath is the path of a wrongly typed value as the client wrote it. The
// decoder's path also names the embedded structs it went through (such as
// lead.Contact in lead.Input), which are flat in the JSON: they are dropped.
func jsonPath(t reflect.Type, path string) string {
	if path == "" {
		return ""
	}
	var out []string
	for _, seg := range strings.Split(path, ".") {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t != nil && t.Kind() == reflect.Struct {
			if f, ok := t.FieldByName(seg); ok && f.Anonymous && f.Tag.Get("json") == "" {
				t = f.Type
				continue
			}
			t = jsonFieldType(t, seg)
		} else if t != nil && (t.Kind() == reflect.Map || t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			t = t.Elem()
		} else {
			t = nil
		}
		out = append(out, seg)
	}
	return strings.Join(out, ".")
}

// jsonFieldType is the type of the field of struct t that JSON names name,
// or nil.
func jsonFieldType(t reflect.Type, name string) reflect.Type {
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Tag.Get("json") == "" {
			continue
		}
		n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if n == "" {
			n = f.Name
		}
		if strings.EqualFold(n, name) {
			return f.Type
		}
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of another type"
}

// CompileProblem is the 422 problem of a rule set that does not compile:
// each error located, and named as a field error too.
func CompileProblem(ce rules.CompileErrors) error {
	p := Problem{Status: fiber.StatusUnprocessableEntity, Code: "rules_invalid", Title: "the rule set does not compile", CompileErrors: ce}
	for _, e := range ce {
		reason := fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
		if e.Rule != "" {
			reason = fmt.Sprintf("rule %q, %s", e.Rule, reason)
		}
		p.Errors = append(p.Errors, lead.FieldError{Field: e.Field, Reason: reason})
	}
	return &ProblemError{p}
}

// ProblemOf is the problem an error is answered with, by either face: a
// Fiber error, a rule set that does not compile, a *ProblemError, a
// limit's refusal, a domain error, a timeout, an unavailable database; any
// other error is logged to log and answered 500.
func ProblemOf(log *slog.Logger, c *fiber.Ctx, err error) Problem {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		code := "http_error"
		switch fe.Code {
		case fiber.StatusNotFound:
			code = "not_found"
		case fiber.StatusMethodNotAllowed:
			code = "method_not_allowed"
		case fiber.StatusRequestEntityTooLarge:
			code = "too_large"
		case fiber.StatusBadRequest:
			code = "bad_request"
		case fiber.StatusRequestTimeout:
			code = "request_timeout"
		}
		return Problem{Status: fe.Code, Code: code, Title: fe.Message}
	}
	var ce rules.CompileErrors
	if errors.As(err, &ce) {
		err = CompileProblem(ce)
	}
	var pe *ProblemError
	if errors.As(err, &pe) {
		return pe.P
	}
	var rl *RateLimited
	if errors.As(err, &rl) {
		return rl.Problem(c)
	}
	var le *lead.Error
	if errors.As(err, &le) {
		return DomainProblem(c, le)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Problem{Status: fiber.StatusServiceUnavailable, Code: "unavailable", Title: "the service did not answer in time", Detail: "try again"}
	}
	if store.IsUnavailable(err) {
		// PostgreSQL went away during the request (a restart): nothing was
		// answered as done, so the same request may be sent again.
		log.Warn("database unavailable", "method", c.Method(), "path", c.Path(), "err", err)
		return DomainProblem(c, lead.Errorf(lead.CodeUnavailable, "the database is unavailable; try again in a moment"))
	}
	log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	return Problem{Status: fiber.StatusInternalServerError, Code: "internal", Title: "internal error", Detail: "the error was logged"}
}
