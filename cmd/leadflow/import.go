package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/leadflow/leadflow/apiclient"
	"github.com/leadflow/leadflow/lead"
)

const importUsage = `usage: leadflow import FILE [--pool ID] [--duplicate-policy merge|warn|reject] [--mapping JSON|@FILE] [--errors PATH] [--dry-run]

Uploads a CSV or XLSX file of leads to the leadflow API, shows the progress
until the import is done, prints the counts and saves the rows that were
rejected or failed as CSV (FILE.errors.csv unless --errors says where).

Environment: LEADFLOW_URL (default ` + lead.DefaultPublicURL + `), LEADFLOW_TOKEN
(default: the token in LEADFLOW_DATA_DIR/admin.token, which leadflow dev writes).
`

// importOptions are the arguments of `leadflow import`.
type importOptions struct {
	File, Pool, Policy, Mapping, Errors string
	DryRun                              bool
	URL, Token                          string
	Poll                                time.Duration
}

func runImport(ctx context.Context, cfg config, args []string) error {
	o, err := parseImportArgs(args, os.Stderr)
	if err != nil {
		return err
	}
	o.URL = strings.TrimRight(envOr("LEADFLOW_URL", lead.DefaultPublicURL), "/")
	if o.Token = strings.TrimSpace(os.Getenv("LEADFLOW_TOKEN")); o.Token == "" {
		b, err := os.ReadFile(filepath.Join(cfg.DataDir, "admin.token"))
		if err != nil {
			return fmt.Errorf("set LEADFLOW_TOKEN to an API token (or run leadflow dev, which writes %s): %w",
				filepath.Join(cfg.DataDir, "admin.token"), err)
		}
		o.Token = strings.TrimSpace(string(b))
	}
	return importFile(ctx, o, os.Stdout, os.Stderr, isTerminal(os.Stderr))
}

// parseImportArgs reads FILE and the flags, in any order.
func parseImportArgs(args []string, stderr io.Writer) (importOptions, error) {
	var o importOptions
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, importUsage) }
	fs.StringVar(&o.Pool, "pool", "", "id of the pool the leads go to (default: the routing rules decide)")
	fs.StringVar(&o.Policy, "duplicate-policy", "", "merge, warn or reject (default: the import source's policy)")
	fs.StringVar(&o.Mapping, "mapping", "", "JSON object of column header to lead field, or @file.json (default: suggested from the headers)")
	fs.StringVar(&o.Errors, "errors", "", "where to save the CSV of rejected and failed rows (default: FILE.errors.csv)")
	fs.BoolVar(&o.DryRun, "dry-run", false, "show how the columns would be matched and the first rows as leads; import nothing")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return o, err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fmt.Fprint(stderr, importUsage)
		return o, fmt.Errorf("name exactly one file to import")
	}
	o.File = files[0]
	if strings.HasPrefix(o.Mapping, "@") {
		b, err := os.ReadFile(o.Mapping[1:])
		if err != nil {
			return o, fmt.Errorf("--mapping: %w", err)
		}
		o.Mapping = string(b)
	}
	if o.Mapping != "" {
		var m map[string]string
		if err := json.Unmarshal([]byte(o.Mapping), &m); err != nil {
			return o, fmt.Errorf(`--mapping must be a JSON object such as {"公司名称":"company","手机":"phone"}: %w`, err)
		}
	}
	return o, nil
}

// newAPIClient is the generated leadflow client, authenticated with the token.
func newAPIClient(o importOptions) (*apiclient.ClientWithResponses, error) {
	return apiclient.NewClientWithResponses(o.URL,
		apiclient.WithHTTPClient(&http.Client{Timeout: 5 * time.Minute}),
		apiclient.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+o.Token)
			return nil
		}))
}

// importFile uploads the file, follows the import to its end and reports.
func importFile(ctx context.Context, o importOptions, stdout, stderr io.Writer, tty bool) error {
	data, err := os.ReadFile(o.File)
	if err != nil {
		return err
	}
	if o.Poll == 0 {
		o.Poll = 500 * time.Millisecond
	}
	c, err := newAPIClient(o)
	if err != nil {
		return err
	}
	fields := map[string]string{"pool_id": o.Pool, "duplicate_policy": o.Policy, "mapping": o.Mapping}
	if o.DryRun {
		fields["dry_run"] = "true"
	}
	body, contentType, err := multipartFile(filepath.Base(o.File), data, fields)
	if err != nil {
		return err
	}
	up, err := c.CreateImportWithBodyWithResponse(ctx, contentType, body)
	if err != nil {
		return fmt.Errorf("leadflow API at %s: %w", o.URL, err)
	}
	if o.DryRun && up.JSON200 != nil {
		return printPreview(stdout, up.JSON200)
	}
	if up.JSON202 == nil {
		return problemErr(up.StatusCode(), up.Body)
	}
	im := *up.JSON202
	fmt.Fprintf(stderr, "uploaded %s (%d rows) as import %s\n", filepath.Base(o.File), im.Total, im.Id)

	bar := progressBar{w: stderr, tty: tty}
	for im.Status == apiclient.ImportStatusRunning {
		bar.show(im)
		select {
		case <-ctx.Done():
			bar.done()
			fmt.Fprintf(stderr, "stopped watching; the import goes on: %s%s\n", o.URL, im.Url)
			return ctx.Err()
		case <-time.After(o.Poll):
		}
		res, err := c.GetImportWithResponse(ctx, im.Id)
		if err != nil {
			bar.done()
			return fmt.Errorf("leadflow API at %s: %w", o.URL, err)
		}
		if res.JSON200 == nil {
			bar.done()
			return problemErr(res.StatusCode(), res.Body)
		}
		im = *res.JSON200
	}
	bar.show(im)
	bar.done()

	fmt.Fprintf(stdout, "import %s %s: %d rows, %d created, %d merged, %d rejected, %d failed, %d already imported",
		im.Id, im.Status, im.Total, im.Created, im.Merged, im.Rejected, im.Failed, im.AlreadyImported)
	if im.Warnings > 0 {
		fmt.Fprintf(stdout, ", %d possible duplicates", im.Warnings)
	}
	fmt.Fprintln(stdout)
	if im.Error != nil && *im.Error != "" {
		fmt.Fprintf(stdout, "error: %s\n", *im.Error)
	}
	if im.Rejected+im.Failed+im.Warnings > 0 {
		res, err := c.GetImportErrorsWithResponse(ctx, im.Id)
		if err != nil {
			return fmt.Errorf("leadflow API at %s: %w", o.URL, err)
		}
		if res.StatusCode() != http.StatusOK {
			return problemErr(res.StatusCode(), res.Body)
		}
		path := o.Errors
		if path == "" {
			path = strings.TrimSuffix(o.File, filepath.Ext(o.File)) + ".errors.csv"
		}
		if err := os.WriteFile(path, res.Body, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rows with errors: %s (also at %s%s)\n", path, o.URL, im.ErrorsUrl)
	}
	if im.Status == apiclient.ImportStatusFailed {
		return fmt.Errorf("the import failed: %s", deref(im.Error))
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// printPreview shows a dry run: how each column is matched and the first rows.
func printPreview(w io.Writer, p *apiclient.ImportPreview) error {
	m := p.SuggestedMapping
	if p.Mapping != nil {
		m = *p.Mapping
	}
	var headers []string
	if p.Headers != nil {
		headers = *p.Headers
	}
	fmt.Fprintf(w, "%s file, %d rows; columns:\n", p.Format, p.Rows)
	for _, h := range headers {
		fmt.Fprintf(w, "  %s%s -> %s\n", h, strings.Repeat(" ", max(30-displayWidth(h), 0)), m[h])
	}
	if p.MappingErrors != nil {
		for _, e := range *p.MappingErrors {
			fmt.Fprintf(w, "mapping error: %s: %s\n", e.Field, e.Reason)
		}
	}
	for _, r := range p.Sample {
		if r.Errors != nil && len(*r.Errors) > 0 {
			var reasons []string
			for _, e := range *r.Errors {
				reasons = append(reasons, e.Field+": "+e.Reason)
			}
			fmt.Fprintf(w, "row %d: rejected: %s\n", r.Row, strings.Join(reasons, "; "))
			continue
		}
		b, err := json.Marshal(r.Lead)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "row %d: %s\n", r.Row, b)
	}
	return nil
}

// progressBar draws the progress of an import: redrawn in place on a
// terminal, a line every few seconds otherwise.
type progressBar struct {
	w         io.Writer
	tty       bool
	last      time.Time
	lastCount int
	drawn     bool
}

func (p *progressBar) show(im apiclient.Import) {
	const width = 30
	frac := 1.0
	if im.Total > 0 {
		frac = float64(im.Processed) / float64(im.Total)
	}
	filled := int(frac * width)
	line := fmt.Sprintf("[%s%s] %d/%d %3.0f%%  created %d  merged %d  rejected %d  failed %d  already %d",
		strings.Repeat("#", filled), strings.Repeat("-", width-filled), im.Processed, im.Total, frac*100,
		im.Created, im.Merged, im.Rejected, im.Failed, im.AlreadyImported)
	if p.tty {
		fmt.Fprintf(p.w, "\r%s\x1b[K", line)
		p.drawn = true
		return
	}
	if time.Since(p.last) >= 5*time.Second || (im.Status != apiclient.ImportStatusRunning && im.Processed != p.lastCount) {
		fmt.Fprintln(p.w, line)
		p.last, p.lastCount = time.Now(), im.Processed
	}
}

func (p *progressBar) done() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// multipartFile is the body of an import request: the file and the form
// fields that are set.
func multipartFile(name string, data []byte, fields map[string]string) (io.Reader, string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return nil, "", err
	}
	if _, err := fw.Write(data); err != nil {
		return nil, "", err
	}
	for _, k := range []string{"pool_id", "duplicate_policy", "mapping", "dry_run"} {
		if v := fields[k]; v != "" {
			if err := mw.WriteField(k, v); err != nil {
				return nil, "", err
			}
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return &body, mw.FormDataContentType(), nil
}

// problemErr turns a problem+json answer into an error naming the fields.
func problemErr(status int, body []byte) error {
	var p struct {
		Title   string   `json:"title"`
		Detail  string   `json:"detail"`
		Reasons []string `json:"reasons"`
		Errors  []struct {
			Field, Reason string
		} `json:"errors"`
	}
	if json.Unmarshal(body, &p) != nil || p.Title == "" {
		return fmt.Errorf("HTTP %d: %s", status, strings.TrimSpace(string(body)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (HTTP %d)", p.Title, status)
	if p.Detail != "" {
		b.WriteString(": " + p.Detail)
	}
	for _, e := range p.Errors {
		fmt.Fprintf(&b, "\n  %s: %s", e.Field, e.Reason)
	}
	for _, r := range p.Reasons {
		b.WriteString("\n  " + r)
	}
	return errors.New(b.String())
}

// displayWidth is how many terminal columns s takes: East Asian wide
// characters take two.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
			r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6:
			n += 2
		default:
			n++
		}
	}
	return n
}
