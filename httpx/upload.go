package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/service"
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
var errBusy = &ProblemError{Problem{Status: fiber.StatusServiceUnavailable, Code: string(lead.CodeUnavailable),
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

// ReadSheet reads an uploaded file with a slot of parses, and answers a
// refused file as a problem naming the field file: 413 when it is over a
// limit, 422 when it is not a readable sheet.
func ReadSheet(c *fiber.Ctx, name string, data []byte) (*sheet.Table, error) {
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
		return &ProblemError{Problem{Status: fiber.StatusRequestEntityTooLarge, Code: "too_large",
			Title: "the file is too large", Errors: fields}}
	}
	return lead.Invalid(fields...)
}

// ReadUpload reads the multipart file and mapping of an import request.
func ReadUpload(c *fiber.Ctx) (*service.Upload, error) {
	if ct := string(c.Request().Header.ContentType()); !strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
		return nil, &ProblemError{Problem{Status: fiber.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Title:  "send the file as multipart/form-data",
			Detail: "fields: file (CSV or XLSX), mapping (JSON object, optional), pool_id, duplicate_policy; got " + ct,
			Errors: []lead.FieldError{{Field: "file", Reason: "is required"}}}}
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return nil, lead.Invalid(lead.FieldError{Field: "file", Reason: "is required: a CSV or XLSX file in the multipart field \"file\""})
	}
	if fh.Size > sheet.MaxFileBytes {
		return nil, tooLarge()
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, sheet.MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > sheet.MaxFileBytes {
		return nil, tooLarge()
	}
	name := fh.Filename
	if utf8.RuneCountInString(name) > 200 {
		name = string([]rune(name)[:200])
	}
	table, err := ReadSheet(c, name, data)
	if err != nil {
		return nil, err
	}
	u := &service.Upload{Name: name, Data: data, Sheet: table}
	if v := strings.TrimSpace(c.FormValue("mapping")); v != "" {
		if err := json.Unmarshal([]byte(v), &u.Mapping); err != nil || u.Mapping == nil {
			return nil, lead.Invalid(lead.FieldError{Field: "mapping",
				Reason: `must be a JSON object of column header to lead field, such as {"公司名称":"company","手机":"phone"}`})
		}
	}
	return u, nil
}

// tooLarge is the problem of a file over sheet.MaxFileBytes.
func tooLarge() error {
	return &ProblemError{Problem{Status: fiber.StatusRequestEntityTooLarge, Code: "too_large",
		Title:  "the file is too large",
		Errors: []lead.FieldError{{Field: "file", Reason: "is larger than 20 MB; split it into several files"}}}}
}
