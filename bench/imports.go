package bench

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"mime/multipart"
	"os"
	"slices"
	"time"

	"github.com/leadflow/leadflow/store"
)

// benchImport uploads a CSV of o.ImportRows new leads through POST
// /api/v1/imports and waits for the import to complete: rows a second
// from the upload to the end, and the peak RSS of this process (API,
// worker and embedded Temporal server) while it ran.
func benchImport(ctx context.Context, st *stack, o Options) ([]Row, error) {
	run := rand.Uint32()
	var csv bytes.Buffer
	csv.WriteString("company,name,phone,country\n")
	for i := range o.ImportRows {
		fmt.Fprintf(&csv, "Import %d-%d Trading Co.,Contact %d,136%02d%06d,CN\n", run, i, i, 10+run%90, i%1_000_000)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "bench.csv")
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(csv.Bytes()); err != nil {
		return nil, err
	}
	if err := mw.WriteField("duplicate_policy", "warn"); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	base, err := resetPeakRSS()
	if err != nil {
		return nil, err
	}
	if err := resetPeaks(o.Processes); err != nil {
		return nil, err
	}
	begin := time.Now()
	var im store.Import
	if err := st.call(ctx, st.admin, "POST", "/api/v1/imports", rawBody{body.Bytes(), mw.FormDataContentType()}, 202, &im); err != nil {
		return nil, err
	}
	ended := func() (bool, error) {
		switch im.Status {
		case store.JobCompleted:
			return true, nil
		case store.JobRunning, "":
			return false, nil
		}
		return false, fmt.Errorf("the import ended %s: %s", im.Status, im.Error)
	}
	if err := waitUntil(ctx, 250*time.Millisecond, func() (bool, error) {
		if ok, err := ended(); ok || err != nil {
			return ok, err
		}
		if err := st.call(ctx, st.admin, "GET", "/api/v1/imports/"+im.ID, nil, 200, &im); err != nil {
			return false, err
		}
		return ended()
	}); err != nil {
		return nil, err
	}
	took := time.Since(begin)
	peak, err := procStatus("VmHWM")
	if err != nil {
		return nil, err
	}
	cmd := o.command("import", fmt.Sprintf("-import-rows %d", o.ImportRows))
	rows := []Row{{fmt.Sprintf("import of %d rows (CSV, POST /api/v1/imports)", o.ImportRows),
		fmt.Sprintf("%s (%s, %d created, %d rejected, %d failed); peak RSS %d MB (%d MB before)", rate(o.ImportRows, took),
			took.Round(time.Second), im.Created, im.Rejected, im.Failed, peak>>20, base>>20), cmd}}
	if len(o.Processes) > 0 {
		names := slices.Sorted(maps.Keys(o.Processes))
		rows = append(rows, Row{"import: peak resident set (VmHWM) of each process of the installation", peakMemory(names, o.Processes), cmd})
	}
	return rows, nil
}

// resetPeakRSS resets this process's peak RSS (VmHWM) to its current RSS
// and returns that.
func resetPeakRSS() (int64, error) {
	if err := resetPeaks(map[string]int{"this process": os.Getpid()}); err != nil {
		return 0, err
	}
	return procStatus("VmRSS")
}

// procStatus reads a size field (kB) of /proc/self/status, in bytes.
func procStatus(field string) (int64, error) {
	if v := procMemory(os.Getpid(), field); v > 0 {
		return v, nil
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}
