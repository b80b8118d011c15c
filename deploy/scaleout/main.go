// Command scaleout sends leads to several leadflow API processes at once
// and checks, in PostgreSQL, that no lead was decided twice: every lead
// has exactly one created event and one validation decision (validated or
// rejected). Every dup-th lead is sent to two APIs at the same moment with
// the same Idempotency-Key, the hardest case: both must answer with the
// same lead. deploy/scaleout.sh runs it against 2 APIs and 2 workers.
//
//	go run ./deploy/scaleout -apis http://127.0.0.1:18108,http://127.0.0.1:18109 -token T -database-url URL
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

func main() {
	apis := flag.String("apis", "", "comma-separated base URLs of the API processes")
	token := flag.String("token", os.Getenv("LEADFLOW_TOKEN"), "an admin's token")
	dbURL := flag.String("database-url", os.Getenv("DATABASE_URL"), "the leadflow database")
	n := flag.Int("leads", 400, "how many leads")
	conc := flag.Int("concurrency", 32, "requests in flight")
	dup := flag.Int("dup", 4, "every dup-th lead goes to two APIs at once with one Idempotency-Key (0: none)")
	flag.Parse()
	if err := run(strings.Split(*apis, ","), *token, *dbURL, *n, *conc, *dup); err != nil {
		fmt.Fprintln(os.Stderr, "scaleout:", err)
		os.Exit(1)
	}
}

type sent struct {
	ids    []string // the lead id each API answered
	status []int
	api    []int
}

func run(apis []string, token, dbURL string, n, conc, dup int) error {
	if len(apis) < 2 || token == "" || dbURL == "" {
		return errors.New("need -apis (two or more), -token and -database-url")
	}
	run := uuid.NewString()[:8]
	hc := &http.Client{Timeout: time.Minute}
	results := make([]sent, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				key := run + "-" + fmt.Sprint(i)
				body := fmt.Sprintf(`{"company":"Scaleout %s %d","phone":"139%08d","country":"CN"}`, run, i, (i*7919+int(start.UnixNano()%1e7))%1e8)
				targets := []int{i % len(apis)}
				if dup > 0 && i%dup == 0 {
					targets = append(targets, (i+1)%len(apis))
				}
				var mu sync.Mutex
				var inner sync.WaitGroup
				for _, a := range targets {
					inner.Add(1)
					go func() {
						defer inner.Done()
						id, status := post(hc, apis[a], token, key, body)
						mu.Lock()
						results[i].ids = append(results[i].ids, id)
						results[i].status = append(results[i].status, status)
						results[i].api = append(results[i].api, a)
						mu.Unlock()
					}()
				}
				inner.Wait()
			}
		}()
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	took := time.Since(start)

	perAPI := make([]int, len(apis))
	var ids []string
	bad := 0
	for i, r := range results {
		for j, a := range r.api {
			perAPI[a]++
			if r.status[j] != http.StatusCreated && r.status[j] != http.StatusOK {
				bad++
				fmt.Printf("lead %d: API %d answered %d\n", i, a, r.status[j])
			}
		}
		if len(r.ids) > 1 && r.ids[0] != r.ids[1] {
			bad++
			fmt.Printf("lead %d: the two APIs answered different leads %v\n", i, r.ids)
		}
		if r.ids[0] != "" {
			ids = append(ids, r.ids[0])
		}
	}
	fmt.Printf("sent %d leads (%d requests: %v per API, every %dth to two APIs at once) in %s: %.1f leads/s\n",
		n, sum(perAPI), perAPI, dup, took.Round(time.Millisecond), float64(n)/took.Seconds())

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT l.id::text, l.status,
		count(e.*) FILTER (WHERE e.type = 'created'),
		count(e.*) FILTER (WHERE e.type IN ('validated', 'rejected'))
		FROM leads l LEFT JOIN lead_events e ON e.lead_id = l.id
		WHERE l.company LIKE $1 GROUP BY l.id, l.status`, "Scaleout "+run+" %")
	if err != nil {
		return err
	}
	type row struct {
		id, status         string
		created, decisions int
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.status, &x.created, &x.decisions)
	})
	if err != nil {
		return err
	}
	statuses := map[string]int{}
	twice := 0
	for _, r := range got {
		statuses[r.status]++
		if r.created != 1 || r.decisions != 1 {
			twice++
			fmt.Printf("lead %s: %d created events, %d intake decisions\n", r.id, r.created, r.decisions)
		}
	}
	slices.Sort(ids)
	fmt.Printf("database: %d leads of this run (answers named %d distinct), by status %v; leads not decided exactly once: %d\n",
		len(got), len(slices.Compact(ids)), statuses, twice)
	if bad > 0 || twice > 0 || len(got) != n {
		return fmt.Errorf("%d bad answers, %d leads decided other than once, %d leads stored for %d sent", bad, twice, len(got), n)
	}
	fmt.Println("OK: every lead has exactly one intake decision")
	return nil
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}

// post creates a lead and returns its id and the answer's status.
func post(hc *http.Client, base, token, key, body string) (string, int) {
	req, err := http.NewRequest("POST", strings.TrimRight(base, "/")+"/api/v1/leads", bytes.NewBufferString(body))
	if err != nil {
		return "", 0
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	res, err := hc.Do(req)
	if err != nil {
		fmt.Println("post:", err)
		return "", 0
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var l struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(b, &l)
	if res.StatusCode >= 300 {
		fmt.Printf("%s: %d %s\n", base, res.StatusCode, b)
	}
	return l.ID, res.StatusCode
}
