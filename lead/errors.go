package lead

import (
	"errors"
	"fmt"
	"strings"
)

// Code classifies an error for every layer: the API turns it into an HTTP
// status, the workflows into a non-retryable application error.
type Code string

// The error codes.
const (
	CodeInvalid      Code = "invalid"      // bad input; names the fields
	CodeNotFound     Code = "not_found"    // no such thing
	CodeConflict     Code = "conflict"     // refused in the current state; gives the reasons
	CodeForbidden    Code = "forbidden"    // the caller may not do this
	CodeUnauthorized Code = "unauthorized" // no or bad credentials
	CodeUnavailable  Code = "unavailable"  // a dependency is down; retry later
	CodeRateLimited  Code = "rate_limited" // too many at once; retry later
	CodeInternal     Code = "internal"     // a bug or an unexpected failure
)

// FieldError names one bad field and why it is bad. Code names the
// built-in check that refused it (a Reason* constant), so that a page can
// say it in its own language; a rule's message written by an admin has none.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Code   string `json:"code,omitempty"`
}

// Reason codes of FieldError.
const (
	ReasonRequired       = "required"        // the field is empty
	ReasonTooLong        = "too_long"        // the text is longer than allowed
	ReasonInvalidEmail   = "invalid_email"   // not an e-mail address
	ReasonInvalidCountry = "invalid_country" // not a two-letter country code
	ReasonUnknownField   = "unknown_field"   // the endpoint has no such field
	ReasonWrongType      = "wrong_type"      // a JSON value of the wrong type
	ReasonMalformed      = "malformed"       // the body is not valid JSON
	ReasonCompanyName    = "company_name"    // no letters or digits to match a company by
	ReasonNoTeam         = "no_team"         // no such team
	// ReasonInvalidDuration: not a duration or span (DurationError).
	ReasonInvalidDuration = "invalid_duration"
	// ReasonBelowMinimum: a policy timer shorter than the installation's minimum.
	ReasonBelowMinimum = "below_minimum"
)

// Error is a classified error with the fields or reasons a caller can act on.
type Error struct {
	Code    Code         `json:"code"`
	Message string       `json:"message"`
	Fields  []FieldError `json:"fields,omitempty"`
	Reasons []string     `json:"reasons,omitempty"`
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Reason)
	}
	if len(e.Reasons) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Reasons, "; "))
	}
	return b.String()
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a CodeInvalid error for the given field errors.
func Invalid(fields ...FieldError) *Error {
	return &Error{Code: CodeInvalid, Message: "the request has invalid fields", Fields: fields}
}

// Conflict returns a CodeConflict error carrying the reasons for the refusal.
func Conflict(message string, reasons ...string) *Error {
	return &Error{Code: CodeConflict, Message: message, Reasons: reasons}
}

// ErrorCode returns the code of err, CodeInternal when it is not an *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Fields collects field errors; its Err is nil when nothing was added.
type Fields []FieldError

// Add records a bad field.
func (f *Fields) Add(field, reason string) { *f = append(*f, FieldError{Field: field, Reason: reason}) }

// AddCode records a bad field refused by the built-in check code.
func (f *Fields) AddCode(field, code, reason string) {
	*f = append(*f, FieldError{Field: field, Reason: reason, Code: code})
}

// Err returns an invalid-input *Error, or nil when no field was added.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f...)
}

// RefusalReasons splits err into the reasons of a conflict (a refusal that
// may be combined with others) and any other error, which it returns.
func RefusalReasons(err error) ([]string, error) {
	var e *Error
	if err == nil {
		return nil, nil
	}
	if errors.As(err, &e) && e.Code == CodeConflict {
		return e.Reasons, nil
	}
	return nil, err
}

// FieldsOf returns the field errors of an invalid-input error (nil, true
// for nil) and false for any other error.
func FieldsOf(err error) (Fields, bool) {
	var e *Error
	if err == nil {
		return nil, true
	}
	if errors.As(err, &e) && e.Code == CodeInvalid {
		return Fields(e.Fields), true
	}
	return nil, false
}
