package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/rules"
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

// problemError is an error the error handler writes as a problem.
type problemError struct{ p Problem }

func (e *problemError) Error() string { return e.p.Title }

func problem(c *fiber.Ctx, status int, code, title, detail string) error {
	return writeProblem(c, Problem{Status: status, Code: code, Title: title, Detail: detail})
}

func writeProblem(c *fiber.Ctx, p Problem) error {
	if p.Type == "" {
		p.Type = "/problems/" + p.Code
	}
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, "application/problem+json")
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.Send(b)
}

var statusOf = map[lead.Code]int{
	lead.CodeInvalid:      fiber.StatusUnprocessableEntity,
	lead.CodeNotFound:     fiber.StatusNotFound,
	lead.CodeConflict:     fiber.StatusConflict,
	lead.CodeForbidden:    fiber.StatusForbidden,
	lead.CodeUnauthorized: fiber.StatusUnauthorized,
	lead.CodeUnavailable:  fiber.StatusServiceUnavailable,
	lead.CodeRateLimited:  fiber.StatusTooManyRequests,
	lead.CodeInternal:     fiber.StatusInternalServerError,
}

// domainProblem is the problem of a domain error; it sets the headers its
// status calls for.
func domainProblem(c *fiber.Ctx, e *lead.Error) Problem {
	status, ok := statusOf[e.Code]
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

// badRequest is a 400 problem naming what is wrong with the body.
func badRequest(field, reason string) error {
	return &problemError{Problem{Status: fiber.StatusBadRequest, Code: "bad_request", Title: "the request body is not valid JSON for this endpoint",
		Errors: []lead.FieldError{{Field: field, Reason: reason, Code: lead.ReasonMalformed}}}}
}

// decodeJSON reads the body into v strictly: malformed JSON is a 400,
// unknown fields and wrongly typed values are 422 naming the field.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("body", "a JSON object is required")
	}
	if ct := string(c.Request().Header.ContentType()); !isJSON(ct) {
		if ct == "" {
			ct = "no Content-Type"
		}
		return &problemError{Problem{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Title: "send the body as application/json", Detail: "got " + ct}}
	}
	return decodeStrict(body, v)
}

// decodeStrict decodes one JSON value from body into v as decodeJSON does,
// for JSON that comes in another way (a console form's field).
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("body", "has data after the JSON object")
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

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return badRequest("body", fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, syn.Error()))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return badRequest("body", "must be a JSON object")
		}
		return lead.Invalid(lead.FieldError{Field: field, Reason: "must be " + jsonKind(typ.Type.Kind().String()), Code: lead.ReasonWrongType})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("body", "malformed JSON: unexpected end")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return lead.Invalid(lead.FieldError{Field: name, Reason: "is not a known field", Code: lead.ReasonUnknownField})
	default:
		// Errors from custom unmarshalers, such as durations and times.
		return lead.Invalid(lead.FieldError{Field: "body", Reason: err.Error()})
	}
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
