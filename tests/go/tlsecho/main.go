// tlsecho: an HTTPS server (crypto/tls, HTTP/1.1 only) that tells what the
// TLS layer saw, for tests/integration/https.sh: the server name the client
// sent (SNI), the protocol ALPN chose, and whether handshakes resumed a
// session (Go's server issues session tickets by default).
//
//	tlsecho -cert CERT.pem -key KEY.pem [-addr 127.0.0.1:0]
//
// It prints "listening on HOST:PORT" first on stdout. Endpoints:
//
//	any path   "hello\n" (6 bytes); counted
//	/big       1 MiB of zero bytes; not counted
//	/count     {"requests": N, "conns": M, "resumed": R} without counting:
//	           requests and the connections that carried them since the
//	           last /reset, R of those connections on a resumed session
//	/last      {"sni": ..., "alpn": ..., "resumed": ..., "path": ...} of
//	           the last counted request
//	/reset     zeroes the counters
//
// Standard library only; stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
)

type lastRequest struct {
	SNI     string `json:"sni"`
	ALPN    string `json:"alpn"`
	Resumed bool   `json:"resumed"`
	Path    string `json:"path"`
}

// connKey marks, in a connection's context, whether it carried a counted
// request yet.
type connKey struct{}

type server struct {
	requests, conns, resumed atomic.Int64
	lastMu                   sync.Mutex
	last                     lastRequest
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/count":
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]int64{"requests": s.requests.Load(),
			"conns": s.conns.Load(), "resumed": s.resumed.Load()})
		return
	case "/last":
		s.lastMu.Lock()
		l := s.last
		s.lastMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(l)
		return
	case "/reset":
		s.requests.Store(0)
		s.conns.Store(0)
		s.resumed.Store(0)
		fmt.Fprintln(w, "reset")
		return
	}
	if r.URL.Path == "/big" {
		// 1 MiB, more than one read of the client's buffer and many TLS records
		w.Write(make([]byte, 1<<20))
		return
	}
	s.requests.Add(1)
	if seen, ok := r.Context().Value(connKey{}).(*atomic.Bool); ok && !seen.Swap(true) {
		s.conns.Add(1)
		if r.TLS.DidResume {
			s.resumed.Add(1)
		}
	}
	s.lastMu.Lock()
	s.last = lastRequest{SNI: r.TLS.ServerName, ALPN: r.TLS.NegotiatedProtocol,
		Resumed: r.TLS.DidResume, Path: r.URL.RequestURI()}
	s.lastMu.Unlock()
	w.Write([]byte("hello\n"))
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	certFile := flag.String("cert", "", "certificate (PEM)")
	keyFile := flag.String("key", "", "private key (PEM)")
	flag.Parse()
	cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{}
	srv := &http.Server{
		Handler: http.HandlerFunc(s.serve),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert},
			NextProtos: []string{"http/1.1"}},
		// HTTP/1.1 only: no h2 behind ALPN
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, new(atomic.Bool))
		},
		ErrorLog: log.New(os.Stderr, "", 0),
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	os.Stdout.Sync()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		srv.Close()
	}()
	if err := srv.ServeTLS(ln, "", ""); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
