// Package svc is the plumbing every test service shares: the -addr flag,
// /healthz, net/http/pprof under /debug/pprof/, a hand-written Prometheus
// /metrics, request accounting and a graceful stop on SIGTERM/SIGINT.
// The services themselves hold only their business logic (and its bugs).
package svc

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// Server is one service process.
type Server struct {
	Name    string
	Addr    string
	mux     *http.ServeMux
	metrics *registry
	onStop  []func()
	logReqs bool
}

// New parses the command line (the flags a service registered before are
// parsed too) and sets up the standard endpoints.
func New(name string) *Server {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	logReqs := flag.Bool("log-requests", false, "log the start and end of every request to stderr")
	flag.Parse()
	log.SetPrefix(name + ": ")
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)

	s := &Server{Name: name, Addr: *addr, mux: http.NewServeMux(), metrics: newRegistry(),
		logReqs: *logReqs}
	s.mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	s.mux.HandleFunc("/debug/pprof/", pprof.Index)
	s.mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	s.mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	s.mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	s.mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	s.mux.HandleFunc("/metrics", s.metrics.serve)
	return s
}

// Handle registers an application handler; its requests are counted in
// http_requests_total and http_requests_in_flight under the pattern.
func (s *Server) Handle(pattern string, h http.HandlerFunc) {
	s.mux.Handle(pattern, s.metrics.instrument(pattern, h))
}

// OnStop adds a function run after the server has stopped accepting.
func (s *Server) OnStop(f func()) { s.onStop = append(s.onStop, f) }

// Run serves until SIGTERM or SIGINT, then shuts down within two seconds.
func (s *Server) Run() {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		log.Fatalf("listen %s: %v", s.Addr, err)
	}
	var handler http.Handler = s.mux
	if s.logReqs {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log.Printf("request start %s %s from %s", r.Method, r.RequestURI, r.RemoteAddr)
			s.mux.ServeHTTP(w, r)
			log.Printf("request end %s %s from %s", r.Method, r.RequestURI, r.RemoteAddr)
		})
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          log.Default(),
	}
	done := make(chan struct{})
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		got := <-sig
		log.Printf("%v: shutting down", got)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			log.Printf("shutdown: %v", err)
		}
		close(done)
	}()
	log.Printf("listening on %s (pid %d)", ln.Addr(), os.Getpid())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatalf("serve: %v", err)
	}
	<-done
	for _, f := range s.onStop {
		f()
	}
}

// statusWriter remembers the status code a handler sent. It passes Hijack
// and Flush through so handlers can still use them.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("hijacking not supported")
	}
	return h.Hijack()
}

// Tiny mutex-guarded counter map keyed by label text; enough for a handful
// of handlers and status codes.
type counterVec struct {
	mu sync.Mutex
	v  map[string]float64
}

func (c *counterVec) add(key string, d float64) {
	c.mu.Lock()
	c.v[key] += d
	c.mu.Unlock()
}

func (c *counterVec) snapshot() map[string]float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]float64, len(c.v))
	for k, v := range c.v {
		out[k] = v
	}
	return out
}
