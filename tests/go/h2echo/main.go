// h2echo: an HTTPS server speaking HTTP/2 (Go's net/http picks h2 by ALPN
// on its own) for tests/integration/h2.sh.
//
//	h2echo -cert CERT.pem -key KEY.pem [-addr 127.0.0.1:0]
//
// It prints "listening on HOST:PORT" first on stdout. Endpoints:
//
//	any path   "hello\n" (6 bytes); counted
//	/big       1 MiB of zero bytes; counted
//	/slow      "hello\n" after 50 ms; counted
//	/rst       resets the stream (the handler aborts: RST_STREAM
//	           INTERNAL_ERROR); counted
//	/count     {"requests": N, "h2": H, "conns": M, "max_streams": S} without
//	           counting: requests, those over HTTP/2, the connections that
//	           carried them, and the most streams one connection had open
//	           at once, since the last /reset
//	/reset     zeroes the counters
//	/nostatus.Svc/Call  looks like a gRPC answer (content-type
//	           application/grpc, an empty message) but has no grpc-status;
//	           counted
//	/unavailable.Svc/Call  503 "down\n", no gRPC (a proxy's error); counted
//
// Standard library only; stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

type server struct {
	mu                       sync.Mutex
	requests, h2, maxStreams int64
	open                     map[string]int64 // streams open per connection
	seen                     map[string]bool
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/count":
		s.mu.Lock()
		b, _ := json.Marshal(map[string]int64{"requests": s.requests, "h2": s.h2,
			"conns": int64(len(s.seen)), "max_streams": s.maxStreams})
		s.mu.Unlock()
		w.Write(b)
		return
	case "/reset":
		s.mu.Lock()
		s.requests, s.h2, s.maxStreams = 0, 0, 0
		s.seen = map[string]bool{}
		s.mu.Unlock()
		return
	}
	s.mu.Lock()
	s.requests++
	if r.ProtoMajor == 2 {
		s.h2++
	}
	s.seen[r.RemoteAddr] = true
	s.open[r.RemoteAddr]++
	if s.open[r.RemoteAddr] > s.maxStreams {
		s.maxStreams = s.open[r.RemoteAddr]
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.open[r.RemoteAddr]--
		s.mu.Unlock()
	}()
	switch r.URL.Path {
	case "/big":
		w.Write(make([]byte, 1<<20))
	case "/rst":
		panic(http.ErrAbortHandler)
	case "/nostatus.Svc/Call":
		w.Header().Set("Content-Type", "application/grpc")
		w.Write([]byte{0, 0, 0, 0, 0})
	case "/unavailable.Svc/Call":
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "down\n")
	case "/slow":
		time.Sleep(50 * time.Millisecond) // concurrent streams overlap
		fmt.Fprint(w, "hello\n")
	default:
		fmt.Fprint(w, "hello\n")
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	cert := flag.String("cert", "", "certificate (PEM)")
	key := flag.String("key", "", "private key (PEM)")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	os.Stdout.Sync()
	s := &server{open: map[string]int64{}, seen: map[string]bool{}}
	srv := &http.Server{Handler: s, ErrorLog: log.New(os.Stderr, "", 0)}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		srv.Shutdown(context.Background())
	}()
	if err := srv.ServeTLS(ln, *cert, *key); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
