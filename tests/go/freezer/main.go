// freezer: an HTTP server that stops answering, all at once, for a while at
// regular intervals (by default 500 ms every 2 s), like a service in a long
// GC pause or behind a global lock. A ticker goroutine takes a global mutex
// and holds it; every request handler takes the same mutex before it
// answers. Used by tests/integration/load.sh to check that `leakcheck load`
// reports such stalls truthfully.
//
//	freezer [-addr 127.0.0.1:0] [-freeze 500ms] [-every 2s]
//
// It prints "listening on HOST:PORT" first on stdout. Endpoints:
//
//	any path   "ok\n" once the freeze (if any) is over; counted
//	/count     {"requests": N, "conns": M} without waiting: requests
//	           answered since the last /reset, and the connections that
//	           carried them
//	/last      the last counted request as JSON (method, path, headers,
//	           body, basic auth, whether it asked to close), without waiting
//	/reset     zeroes the counters
//
// Standard library only; stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type lastRequest struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
	User    string              `json:"user"`
	Pass    string              `json:"pass"`
	Auth    bool                `json:"auth"`
	Close   bool                `json:"close"`
}

// connKey marks, in a connection's context, whether it carried a counted
// request yet.
type connKey struct{}

type server struct {
	freeze   sync.Mutex // held by the ticker during a freeze
	requests atomic.Int64
	conns    atomic.Int64
	lastMu   sync.Mutex
	last     lastRequest
}

func (s *server) freezer(ctx context.Context, every, length time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.freeze.Lock()
			time.Sleep(length)
			s.freeze.Unlock()
		}
	}
}

func (s *server) work(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.freeze.Lock()
	s.freeze.Unlock() // only waits out a freeze
	user, pass, ok := r.BasicAuth()
	s.lastMu.Lock()
	s.last = lastRequest{Method: r.Method, Path: r.URL.RequestURI(), Headers: r.Header,
		Body: string(body), User: user, Pass: pass, Auth: ok, Close: r.Close}
	s.lastMu.Unlock()
	if seen, ok := r.Context().Value(connKey{}).(*atomic.Bool); ok && seen.CompareAndSwap(false, true) {
		s.conns.Add(1)
	}
	s.requests.Add(1)
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok\n")
}

func (s *server) count(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"requests\": %d, \"conns\": %d}\n", s.requests.Load(), s.conns.Load())
}

func (s *server) lastReq(w http.ResponseWriter, r *http.Request) {
	s.lastMu.Lock()
	b, err := json.Marshal(s.last)
	s.lastMu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

func (s *server) reset(w http.ResponseWriter, r *http.Request) {
	s.requests.Store(0)
	s.conns.Store(0)
	io.WriteString(w, "reset\n")
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	length := flag.Duration("freeze", 500*time.Millisecond, "how long each freeze lasts (0: never freeze)")
	every := flag.Duration("every", 2*time.Second, "time between the starts of two freezes")
	flag.Parse()
	if *length >= *every {
		log.Fatalf("-freeze %v must be shorter than -every %v", *length, *every)
	}

	s := &server{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.work)
	mux.HandleFunc("/count", s.count)
	mux.HandleFunc("/last", s.lastReq)
	mux.HandleFunc("/reset", s.reset)
	srv := &http.Server{Handler: mux, ConnContext: func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, new(atomic.Bool))
	}}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	os.Stdout.Sync()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if *length > 0 {
		go s.freezer(ctx, *every, *length)
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
