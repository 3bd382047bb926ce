// heap-leak: a statement-rendering service whose replay cache is never
// evicted.
//
// POST /work {"account": "...", "months": N} renders an account statement
// (a few hundred lines of text, ~30 KB). So that a client retrying after a
// timeout gets the very same document, the rendered statement is cached
// under the request's idempotency key (the Idempotency-Key header, or a
// generated one), and GET /work?key=... replays it. Nothing ever evicts
// the cache, and with a fresh key per request nothing is ever hit twice:
// every request adds its statement to the heap for good.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"leakcheck/testsvc/internal/svc"
)

type statementRequest struct {
	Account string `json:"account"`
	Months  int    `json:"months"`
}

type service struct {
	nextKey atomic.Uint64
	mu      sync.Mutex
	replay  map[string][]byte // BUG: unbounded, never evicted
}

// render builds a plain-text statement: one line per transaction.
func render(req statementRequest, key string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Statement for account %s (request %s)\n", req.Account, key)
	fmt.Fprintf(&b, "Generated %s\n\n", time.Now().UTC().Format(time.RFC3339))
	balance := 1000.0
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < req.Months*30; i++ {
		amount := float64((i*7919)%20000-10000) / 100
		balance += amount
		fmt.Fprintf(&b, "%s  %-32s %10.2f %12.2f\n", day.Format("2006-01-02"),
			"card payment ref "+strconv.Itoa(100000+i*13), amount, balance)
		if i%3 == 2 {
			day = day.AddDate(0, 0, 1)
		}
	}
	fmt.Fprintf(&b, "\nClosing balance %12.2f\n", balance)
	return b.Bytes()
}

func (s *service) statement(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		s.mu.Lock()
		doc, ok := s.replay[r.URL.Query().Get("key")]
		s.mu.Unlock()
		if !ok {
			http.Error(w, "no such statement", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(doc)
		return
	}
	req := statementRequest{Account: "ACC-0001", Months: 12}
	if r.ContentLength != 0 {
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad JSON: "+err.Error(), http.StatusBadRequest)
			return
		}
	}
	if req.Months <= 0 || req.Months > 24 {
		req.Months = 12
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		key = "gen-" + strconv.FormatUint(s.nextKey.Add(1), 10)
	}
	s.mu.Lock()
	doc, ok := s.replay[key]
	s.mu.Unlock()
	if !ok {
		doc = render(req, key)
		s.mu.Lock()
		s.replay[key] = doc
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Idempotency-Key", key)
	// The statement itself is fetched with GET; the POST answers briefly.
	fmt.Fprintf(w, "statement %s ready, %d bytes\n", key, len(doc))
}

func main() {
	srv := svc.New("heap-leak")
	s := &service{replay: map[string][]byte{}}
	srv.Handle("/work", s.statement)
	srv.Run()
}
