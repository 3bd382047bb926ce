// demo-svc: a small orders API for trying leakcheck (see ../demo.json).
//
//	POST /orders  {"customer": "...", "items": [{"sku": "...", "qty": N}]}
//	              stores the order (the last 1000 are kept) -> 201
//	POST /quote   {"items": [...]} -> the first shipping quote any of
//	              three carriers gives -> 200
//	GET  /healthz, /metrics (Prometheus text), /debug/pprof/
//
// /quote has a real-world bug: it asks all carriers at once and takes the
// first answer, but the carriers answer on an unbuffered channel, so the
// two slower ones block on their send forever. Each quote leaks two
// goroutines. /orders is fine.
//
// Build: tests/go/build.sh (writes tests/go/bin/demo-svc).
// Run:   demo-svc -addr 127.0.0.1:8080
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type item struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

type order struct {
	ID       int64     `json:"id"`
	Customer string    `json:"customer"`
	Items    []item    `json:"items"`
	Created  time.Time `json:"created"`
}

type quote struct {
	Carrier string  `json:"carrier"`
	Price   float64 `json:"price"`
	Days    int     `json:"days"`
}

type shop struct {
	nextID   atomic.Int64
	mu       sync.Mutex
	recent   []order // ring of the last len(recent) orders
	stored   int
	carriers []string

	requests  sync.Map // "handler code" -> *atomic.Int64
	inFlight  atomic.Int64
	startTime time.Time
}

func (s *shop) createOrder(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	var o order
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&o); err != nil {
		http.Error(w, "bad order: "+err.Error(), http.StatusBadRequest)
		return
	}
	if len(o.Items) == 0 {
		http.Error(w, "an order needs items", http.StatusUnprocessableEntity)
		return
	}
	o.ID = s.nextID.Add(1)
	o.Created = time.Now().UTC()
	s.mu.Lock()
	s.recent[s.stored%len(s.recent)] = o
	s.stored++
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, o)
}

// askCarrier stands in for a call to a carrier's rating API.
func askCarrier(name string, items []item) quote {
	time.Sleep(time.Duration(1+rand.Intn(5)) * time.Millisecond)
	weight := 0
	for _, it := range items {
		weight += it.Qty
	}
	return quote{Carrier: name, Price: 4.5 + float64(weight)*0.75 + float64(len(name)), Days: 2 + len(name)%3}
}

func (s *shop) quoteShipping(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Items []item `json:"items"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 500*time.Millisecond)
	defer cancel()

	answers := make(chan quote) // BUG: unbuffered; losers block forever
	for _, c := range s.carriers {
		go func(c string) { answers <- askCarrier(c, req.Items) }(c)
	}
	select {
	case q := <-answers: // the first answer wins; nobody reads the rest
		writeJSON(w, http.StatusOK, q)
	case <-ctx.Done():
		http.Error(w, "no carrier answered", http.StatusGatewayTimeout)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// counted wraps an application handler for the request metrics.
func (s *shop) counted(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Add(1)
		rec := &codeRecorder{ResponseWriter: w, code: http.StatusOK}
		h(rec, r)
		s.inFlight.Add(-1)
		key := fmt.Sprintf("handler=%q,code=\"%d\"", name, rec.code)
		n, _ := s.requests.LoadOrStore(key, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
	}
}

type codeRecorder struct {
	http.ResponseWriter
	code int
}

func (c *codeRecorder) WriteHeader(code int) {
	c.code = code
	c.ResponseWriter.WriteHeader(code)
}

// metrics writes the Prometheus text format (0.0.4) by hand.
func (s *shop) metrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	b := bufio.NewWriter(w)
	defer b.Flush()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fds := -1
	if entries, err := os.ReadDir("/proc/self/fd"); err == nil {
		fds = len(entries) - 1 // minus the directory being read
	}
	gauges := []struct {
		name, help string
		v          float64
	}{
		{"go_goroutines", "Number of goroutines that currently exist.", float64(runtime.NumGoroutine())},
		{"go_memstats_heap_inuse_bytes", "Heap bytes in in-use spans.", float64(ms.HeapInuse)},
		{"process_open_fds", "Number of open file descriptors.", float64(fds)},
		{"process_start_time_seconds", "Start time since the epoch.", float64(s.startTime.Unix())},
		{"orders_in_flight", "Requests being served.", float64(s.inFlight.Load())},
	}
	for _, g := range gauges {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", g.name, g.help, g.name, g.name, g.v)
	}
	fmt.Fprintln(b, "# HELP http_requests_total Requests served, by handler and status code.")
	fmt.Fprintln(b, "# TYPE http_requests_total counter")
	s.requests.Range(func(k, v any) bool {
		fmt.Fprintf(b, "http_requests_total{%s} %d\n", k, v.(*atomic.Int64).Load())
		return true
	})
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	log.SetPrefix("demo-svc: ")

	s := &shop{recent: make([]order, 1000), carriers: []string{"rapid", "parcelco", "slowboat"},
		startTime: time.Now()}
	mux := http.NewServeMux()
	mux.HandleFunc("/orders", s.counted("/orders", s.createOrder))
	mux.HandleFunc("/quote", s.counted("/quote", s.quoteShipping))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/metrics", s.metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	log.Printf("listening on %s", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
