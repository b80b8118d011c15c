package api

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/sheet"
)

// Reading an uploaded sheet costs memory and CPU in the request handler
// (an XLSX is unpacked and its shared strings held), within the limits of
// package sheet. At most maxParses files are read at once in the process;
// a request waits up to parseWait for its turn and is answered 503 with
// Retry-After otherwise.
const (
	maxParses  = 2
	parseWait  = 5 * time.Second
	retryAfter = 5 * time.Second
)

// parses bounds the sheets read at once by every server of the process.
var parses = &parseLimiter{slots: make(chan struct{}, maxParses), wait: parseWait}

// parseLimiter is a semaphore with a bounded wait.
type parseLimiter struct {
	slots chan struct{}
	wait  time.Duration
}

// errBusy is the problem of an upload that found every slot taken.
var errBusy = &problemError{Problem{Status: fiber.StatusServiceUnavailable, Code: string(lead.CodeUnavailable),
	Title:  "too many files are being read",
	Detail: "send the file again in a few seconds"}}

// acquire takes a slot, waiting up to l.wait; release gives it back.
func (l *parseLimiter) acquire(ctx context.Context) error {
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	timer := time.NewTimer(l.wait)
	defer timer.Stop()
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-timer.C:
		return errBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *parseLimiter) release() { <-l.slots }

// readSheet reads an uploaded file with a slot of parses, and answers a
// refused file as a problem naming the field file: 413 when it is over a
// limit, 422 when it is not a readable sheet.
func (s *Server) readSheet(c *fiber.Ctx, name string, data []byte) (*sheet.Table, error) {
	if err := parses.acquire(c.UserContext()); err != nil {
		if errors.Is(err, errBusy) {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(retryAfter.Seconds())))
		}
		return nil, err
	}
	defer parses.release()
	table, err := sheet.Read(name, data)
	return table, sheetProblem(err)
}

// sheetProblem maps an *sheet.Error to its problem; other errors pass.
func sheetProblem(err error) error {
	var se *sheet.Error
	if !errors.As(err, &se) {
		return err
	}
	fields := []lead.FieldError{{Field: "file", Reason: se.Reason}}
	if se.Kind == sheet.TooLarge {
		return &problemError{Problem{Status: fiber.StatusRequestEntityTooLarge, Code: "too_large",
			Title: "the file is too large", Errors: fields}}
	}
	return lead.Invalid(fields...)
}
