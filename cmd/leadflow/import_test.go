package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeImportAPI plays the import endpoints: it records the upload and
// reports progress in three steps.
type fakeImportAPI struct {
	mu     sync.Mutex
	polls  int
	fields map[string]string
	file   []byte
	auth   string
}

func (f *fakeImportAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer lf_test" {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(401)
		io.WriteString(w, `{"title":"the token is not valid or its user is inactive","status":401,"code":"unauthorized"}`)
		return
	}
	status := func(st string, processed int) map[string]any {
		return map[string]any{"id": "imp1", "status": st, "total": 3, "processed": processed, "created": min(processed, 2),
			"rejected": max(processed-2, 0), "url": "/api/v1/imports/imp1", "errors_url": "/api/v1/imports/imp1/errors.csv"}
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == "POST" && r.URL.Path == "/api/v1/imports":
		fh, hdr, err := r.FormFile("file")
		if err != nil {
			w.WriteHeader(422)
			return
		}
		f.file, _ = io.ReadAll(fh)
		f.fields = map[string]string{"name": hdr.Filename}
		for k, v := range r.MultipartForm.Value {
			f.fields[k] = v[0]
		}
		if f.fields["dry_run"] == "true" {
			io.WriteString(w, `{"format":"csv","headers":["公司","phone"],"rows":3,"mapping":{"公司":"company","phone":"phone"},`+
				`"sample":[{"row":2,"lead":{"company":"Acme Trading","phone":"13800138000"}},{"row":4,"errors":[{"field":"company","reason":"is required"}]}]}`)
			return
		}
		if f.fields["mapping"] == `{"Firma":"company"}` {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(422)
			io.WriteString(w, `{"title":"the request has invalid fields","status":422,"errors":[{"field":"mapping.Firma","reason":"is not a column of the file"}]}`)
			return
		}
		w.WriteHeader(202)
		json.NewEncoder(w).Encode(status("running", 0))
	case r.URL.Path == "/api/v1/imports/imp1":
		f.polls++
		st := status("running", min(f.polls, 3))
		if f.polls >= 3 {
			st["status"] = "completed"
		}
		json.NewEncoder(w).Encode(st)
	case r.URL.Path == "/api/v1/imports/imp1/errors.csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		io.WriteString(w, "row,outcome,reason,lead_id,company,phone\n4,rejected,company: is required,,,13800138000\n")
	default:
		w.WriteHeader(404)
	}
}

func TestImportCommand(t *testing.T) {
	api := &fakeImportAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "leads.csv")
	content := "company,phone\nAcme Trading,13800138000\nBeta Trading,13900139000\n,13800138000\n"
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}

	// Flags may come before or after the file.
	o, err := parseImportArgs([]string{"--pool", "p1", file, "--duplicate-policy", "reject", "--mapping", `{"company":"company"}`}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o.URL, o.Token, o.Poll = srv.URL, "lf_test", time.Millisecond
	var stdout, stderr bytes.Buffer
	if err := importFile(context.Background(), o, &stdout, &stderr, true); err != nil {
		t.Fatal(err)
	}
	if string(api.file) != content || api.fields["name"] != "leads.csv" || api.fields["pool_id"] != "p1" ||
		api.fields["duplicate_policy"] != "reject" || api.fields["mapping"] != `{"company":"company"}` {
		t.Fatalf("upload: %v %q", api.fields, api.file)
	}
	progress := stderr.String()
	if !strings.Contains(progress, "\r[##########--------------------] 1/3  33%") ||
		!strings.Contains(progress, "[##############################] 3/3 100%  created 2  merged 0  rejected 1") {
		t.Fatalf("progress bar: %q", progress)
	}
	errorsFile := filepath.Join(dir, "leads.errors.csv")
	out := stdout.String()
	if !strings.Contains(out, "import imp1 completed: 3 rows, 2 created, 0 merged, 1 rejected, 0 failed, 0 already imported") ||
		!strings.Contains(out, "rows with errors: "+errorsFile+" (also at "+srv.URL+"/api/v1/imports/imp1/errors.csv)") {
		t.Fatalf("summary: %s", out)
	}
	if b, err := os.ReadFile(errorsFile); err != nil || !strings.Contains(string(b), "4,rejected,company: is required") {
		t.Fatalf("errors file: %q %v", b, err)
	}

	// A dry run shows the matching and the first rows.
	o.DryRun = true
	stdout.Reset()
	if err := importFile(context.Background(), o, &stdout, io.Discard, false); err != nil {
		t.Fatal(err)
	}
	if want := "csv file, 3 rows; columns:\n  公司" + strings.Repeat(" ", 26) + " -> company\n  phone" + strings.Repeat(" ", 25) + " -> phone\n" +
		"row 2: {\"company\":\"Acme Trading\",\"phone\":\"13800138000\"}\nrow 4: rejected: company: is required\n"; stdout.String() != want {
		t.Fatalf("dry run:\n%s\nwant\n%s", stdout.String(), want)
	}
	o.DryRun = false

	// A refusal prints the problem with its fields; a bad token too.
	o.Mapping = `{"Firma":"company"}`
	err = importFile(context.Background(), o, io.Discard, io.Discard, false)
	if err == nil || !strings.Contains(err.Error(), "mapping.Firma: is not a column of the file") {
		t.Fatalf("refusal: %v", err)
	}
	o.Token = "lf_wrong"
	if err := importFile(context.Background(), o, io.Discard, io.Discard, false); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("bad token: %v", err)
	}

	for _, args := range [][]string{{}, {"a.csv", "b.csv"}, {"a.csv", "--mapping", "not json"}} {
		if _, err := parseImportArgs(args, io.Discard); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
