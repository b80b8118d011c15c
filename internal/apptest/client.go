package apptest

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/leadflow/leadflow/apiclient"
)

// stackDoer sends the generated client's requests through the stack, so
// they are checked against the contract like every other test request.
type stackDoer struct{ s *Stack }

// Do sends req to the stack's app.
func (d stackDoer) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	r := d.s.Send(req, body)
	return &http.Response{StatusCode: r.Status, Status: http.StatusText(r.Status), Header: r.Header,
		Body: io.NopCloser(bytes.NewReader(r.Body)), Request: req}, nil
}

// Client is the generated Go client acting with a token.
func (s *Stack) Client(token string) *apiclient.ClientWithResponses {
	s.T.Helper()
	c, err := apiclient.NewClientWithResponses("http://leadflow.test", apiclient.WithHTTPClient(stackDoer{s}),
		apiclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+token)
			return nil
		}))
	if err != nil {
		s.T.Fatal(err)
	}
	return c
}
