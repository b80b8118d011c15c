package apptest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// The contract: every exchange of the HTTP tests is checked against
// openapi.json, so the document cannot drift from the handlers.
var contract struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// contractRouter loads openapi.json once, validates it, and makes it strict
// for the tests: an object schema with properties accepts no other
// properties, so a field a handler sends must be documented.
func contractRouter() (routers.Router, error) {
	contract.once.Do(func() {
		b, err := os.ReadFile(openAPIPath())
		if err != nil {
			contract.err = err
			return
		}
		// An iCalendar file is text, read as is.
		openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder)
		openapi3filter.RegisterBodyDecoder("text/xml", openapi3filter.PlainBodyDecoder) // TwiML
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(b)
		if err != nil {
			contract.err = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contract.err = err
			return
		}
		seen := map[*openapi3.Schema]bool{}
		for _, s := range doc.Components.Schemas {
			closeObjects(s, seen)
		}
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				for _, r := range op.Responses.Map() {
					if r.Value == nil {
						continue
					}
					for _, mt := range r.Value.Content {
						closeObjects(mt.Schema, seen)
					}
				}
			}
		}
		contract.doc = doc
		contract.router, contract.err = legacy.NewRouter(doc)
	})
	return contract.router, contract.err
}

// closeObjects sets additionalProperties: false on every object schema that
// lists its properties and says nothing about others.
func closeObjects(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		no := false
		s.AdditionalProperties.Has = &no
	}
	for _, p := range s.Properties {
		closeObjects(p, seen)
	}
	closeObjects(s.Items, seen)
	closeObjects(s.AdditionalProperties.Schema, seen)
	for _, l := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, x := range l {
			closeObjects(x, seen)
		}
	}
}

// apiPath reports whether a path belongs to the documented API rather
// than to the console's HTML pages.
func apiPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz" || p == "/metrics"
}

// CheckContract checks one exchange against the document: the answer
// always (status, media type, body), the request when the answer is a
// success (tests send invalid requests on purpose to see the refusals).
func CheckContract(t testing.TB, req *http.Request, reqBody []byte, status int, header http.Header, body []byte) {
	t.Helper()
	if !apiPath(req.URL.Path) {
		return
	}
	router, err := contractRouter()
	if err != nil {
		t.Errorf("openapi.json: %v", err)
		return
	}
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	vreq.ContentLength = int64(len(reqBody))
	// The document's server is "/": match on the path whatever the host.
	vreq.URL.Scheme, vreq.URL.Host = "", ""
	route, params, err := router.FindRoute(vreq)
	if err != nil {
		// The app's own answer to a path or method it does not have.
		if (status == http.StatusNotFound || status == http.StatusMethodNotAllowed) && header.Get("Content-Type") == "application/problem+json" {
			return
		}
		t.Errorf("contract: %s %s answered %d but is not in openapi.json: %v", req.Method, req.URL.Path, status, err)
		return
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	if status >= 200 && status < 300 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("contract: request %s %s (answered %d) does not match openapi.json: %v", req.Method, req.URL, status, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("contract: answer %d to %s %s does not match openapi.json: %v\nbody: %.2000s", status, req.Method, req.URL, err, body)
	}
}

// Send runs a request through the app and checks the exchange against the
// contract; every HTTP test request goes through here.
func (s *Stack) Send(req *http.Request, body []byte) Response {
	s.T.Helper()
	resp, err := s.App.Test(req, -1)
	if err != nil {
		s.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	CheckContract(s.T, req, body, resp.StatusCode, resp.Header, b)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// openAPIPath is api/openapi.json, wherever the test runs from.
func openAPIPath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "api", "openapi.json")
}
