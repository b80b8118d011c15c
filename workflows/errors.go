package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/leadflow/leadflow/lead"
)

// Refusal turns a domain error into the non-retryable application error
// that travels back to the update's caller: the type is the error code and
// the first detail is the *lead.Error itself. Update validators and
// activities both refuse with it; DomainError reads it back.
func Refusal(e *lead.Error) error {
	return temporal.NewApplicationErrorWithOptions(e.Message, string(e.Code), temporal.ApplicationErrorOptions{
		NonRetryable: true,
		Details:      []any{e},
	})
}

// DomainError recovers the *lead.Error carried by an update or workflow
// failure (see refused and the activities), or returns nil when err carries none.
func DomainError(err error) *lead.Error {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return nil
	}
	var e *lead.Error
	if app.HasDetails() && app.Details(&e) == nil && e != nil && e.Code != "" {
		return e
	}
	switch code := lead.Code(app.Type()); code {
	case lead.CodeInvalid, lead.CodeConflict, lead.CodeNotFound, lead.CodeForbidden:
		return &lead.Error{Code: code, Message: app.Message()}
	}
	return nil
}
