package apptest

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/leadflow/leadflow/lead"
	"github.com/leadflow/leadflow/store"
)

// Upload posts a multipart import request: the file and the form fields.
func (s *Stack) Upload(path, token, fileName string, data []byte, fields ...string) Response {
	s.T.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if fileName != "" {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			s.T.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			s.T.Fatal(err)
		}
	}
	for i := 0; i+1 < len(fields); i += 2 {
		if err := mw.WriteField(fields[i], fields[i+1]); err != nil {
			s.T.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		s.T.Fatal(err)
	}
	raw := body.Bytes()
	req := httptest.NewRequest("POST", path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return s.Send(req, raw)
}

// ImportFile uploads a file as the admin and waits until its import is done.
func (s *Stack) ImportFile(fileName string, data []byte, limit time.Duration, fields ...string) store.Import {
	s.T.Helper()
	var im store.Import
	r := s.Expect(s.Upload("/api/v1/imports", s.Admin, fileName, data, fields...), 202)
	r.JSON(s.T, &im)
	if im.ID == "" || im.Status != store.JobRunning || r.Header.Get("Location") != "/api/v1/imports/"+im.ID {
		s.T.Fatalf("import: %s", r.Body)
	}
	return s.WaitImport(im.ID, limit)
}

// WaitImport polls an import's progress until it is no longer running.
func (s *Stack) WaitImport(id string, limit time.Duration) store.Import {
	s.T.Helper()
	var im store.Import
	s.WaitFor(limit, "the import "+id, func() bool {
		s.Expect(s.Do("GET", "/api/v1/imports/"+id, s.Admin, ""), 200).JSON(s.T, &im)
		if im.Processed > im.Total {
			s.T.Fatalf("progress %d of %d", im.Processed, im.Total)
		}
		return im.Status != store.JobRunning
	})
	return im
}

// CountLeads counts every stored lead.
func (s *Stack) CountLeads() int {
	s.T.Helper()
	n, cursor := 0, ""
	for {
		var p struct {
			Items      []lead.Lead `json:"items"`
			NextCursor string      `json:"next_cursor"`
		}
		s.Expect(s.Do("GET", "/api/v1/leads?limit=500&cursor="+cursor, s.Admin, ""), 200).JSON(s.T, &p)
		n += len(p.Items)
		if p.NextCursor == "" {
			return n
		}
		cursor = p.NextCursor
	}
}

// ErrorRows reads an import's errors.csv: row number -> outcome and reason.
func (s *Stack) ErrorRows(id string) (header []string, rows map[string][]string) {
	s.T.Helper()
	r := s.Expect(s.Do("GET", "/api/v1/imports/"+id+"/errors.csv", s.Admin, ""), 200)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		s.T.Fatalf("errors.csv content type %q", ct)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.Body, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		s.T.Fatalf("errors.csv: %v", err)
	}
	rows = map[string][]string{}
	for _, rec := range recs[1:] {
		rows[rec[0]] = rec
	}
	return recs[0], rows
}

// ExportResult is a finished export as the API answers it.
type ExportResult struct {
	store.Export
	Filters map[string]string `json:"filters"`
	FileURL string            `json:"file_url"`
}

// RunExport creates an export and waits until it is done.
func (s *Stack) RunExport(token, body string) ExportResult {
	s.T.Helper()
	var e ExportResult
	r := s.Expect(s.Do("POST", "/api/v1/exports", token, body), 202)
	r.JSON(s.T, &e)
	if e.ID == "" || r.Header.Get("Location") != "/api/v1/exports/"+e.ID {
		s.T.Fatalf("export: %s", r.Body)
	}
	e = s.WaitExport(token, e.ID)
	if e.Status != store.JobCompleted || e.FileURL == "" {
		s.T.Fatalf("export %+v", e)
	}
	return e
}

// WaitExport waits until export id has finished, and answers it.
func (s *Stack) WaitExport(token, id string) ExportResult {
	s.T.Helper()
	var e ExportResult
	s.WaitFor(time.Minute, "the export "+id, func() bool {
		s.Expect(s.Do("GET", "/api/v1/exports/"+id, token, ""), 200).JSON(s.T, &e)
		return e.Status != store.JobRunning
	})
	return e
}
