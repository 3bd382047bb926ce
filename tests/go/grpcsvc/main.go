// grpcsvc: a gRPC server for tests/integration/grpc.sh, built in GOPATH mode
// with Debian's Go gRPC library (golang-google-grpc-dev), no downloads and no
// generated code: the service is described by hand (grpc.ServiceDesc) and its
// messages travel as raw bytes (a codec that passes them through), so any
// serialized protobuf message is accepted.
//
//	grpcsvc -addr 127.0.0.1:PORT -grpc-addr 127.0.0.1:PORT2 [-cert CERT.pem -key KEY.pem]
//
// gRPC over h2c (plain text) on -grpc-addr, over TLS with -cert and -key
// (grpc-go insists on ALPN h2); on -addr, HTTP/1.1 with
// /healthz, /metrics (go_goroutines) and net/http/pprof under /debug/pprof.
// It prints "listening on GRPC-ADDR", then "http on HTTP-ADDR", on stdout. Methods of leak.Svc:
//
//	/leak.Svc/Echo   answers the request message unchanged
//	/leak.Svc/Leak   answers the same, but parks one goroutine per call in
//	                 awaitAuditAck (an audit hand-off nobody ever acknowledges)
//	/leak.Svc/Fail   answers status UNAVAILABLE, message "backend down"
//
// Any other method is UNIMPLEMENTED (grpc-go's own answer). Stops on
// SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

// rawCodec passes messages through as bytes: the wire message is whatever
// the client serialized.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: cannot marshal %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: cannot unmarshal into %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string   { return "proto" }
func (rawCodec) String() string { return "proto" }

type svcServer interface{}

type server struct {
	audit chan []byte // never read: the leak
}

// awaitAuditAck hands the call's message to an auditor that was never
// started, and waits for its acknowledgement: forever.
func (s *server) awaitAuditAck(msg []byte) {
	s.audit <- msg
}


func handler(fn func(s *server, ctx context.Context, in []byte) ([]byte, error)) func(
	interface{}, context.Context, func(interface{}) error, grpc.UnaryServerInterceptor) (interface{}, error) {
	return func(srv interface{}, ctx context.Context, dec func(interface{}) error,
		_ grpc.UnaryServerInterceptor) (interface{}, error) {
		in := new([]byte)
		if err := dec(in); err != nil {
			return nil, err
		}
		out, err := fn(srv.(*server), ctx, *in)
		if err != nil {
			return nil, err
		}
		return &out, nil
	}
}

func echo(s *server, ctx context.Context, in []byte) ([]byte, error) { return in, nil }

func leak(s *server, ctx context.Context, in []byte) ([]byte, error) {
	go s.awaitAuditAck(in)
	return in, nil
}

func fail(s *server, ctx context.Context, in []byte) ([]byte, error) {
	return nil, status.Error(codes.Unavailable, "backend down")
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: "leak.Svc",
	HandlerType: (*svcServer)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Echo", Handler: handler(echo)},
		{MethodName: "Leak", Handler: handler(leak)},
		{MethodName: "Fail", Handler: handler(fail)},
	},
	Streams:  []grpc.StreamDesc{},
	Metadata: "leak.proto",
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "HTTP address (health, metrics, pprof)")
	grpcAddr := flag.String("grpc-addr", "127.0.0.1:0", "gRPC address (h2c)")
	cert := flag.String("cert", "", "certificate (PEM): gRPC over TLS instead of h2c")
	key := flag.String("key", "", "private key (PEM) of -cert")
	flag.Parse()

	gl, err := net.Listen("tcp", *grpcAddr)
	if err != nil {
		log.Fatalf("grpcsvc: %v", err)
	}
	hl, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("grpcsvc: %v", err)
	}
	opts := []grpc.ServerOption{grpc.CustomCodec(rawCodec{})}
	if *cert != "" {
		creds, err := credentials.NewServerTLSFromFile(*cert, *key)
		if err != nil {
			log.Fatalf("grpcsvc: %v", err)
		}
		opts = append(opts, grpc.Creds(creds))
	}
	gs := grpc.NewServer(opts...)
	gs.RegisterService(&serviceDesc, &server{audit: make(chan []byte)})

	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	http.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# HELP go_goroutines Number of goroutines that currently exist.\n"+
			"# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	})
	fmt.Printf("listening on %s\nhttp on %s\n", gl.Addr(), hl.Addr())
	os.Stdout.Sync()

	go gs.Serve(gl)
	hs := &http.Server{}
	go hs.Serve(hl)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	hs.Close()
	gs.Stop()
}
