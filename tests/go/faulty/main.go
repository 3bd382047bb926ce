// faulty: a service that goes wrong in the ways leakcheck must report
// rather than crash on or hang over. -mode picks the fault:
//
//	panic          serves normally, then a request handler's goroutine panics
//	               after -after (a Go panic with its trace on stderr, exit 2)
//	never-ready    /healthz answers 503 forever, logging why on stderr
//	pprof-hang     /debug/pprof/goroutine never answers
//	pprof-garbage  /debug/pprof/goroutine answers 200 with an HTML page
//	pprof-404      no /debug/pprof at all
//	stubborn       ignores SIGTERM (must be killed after the grace period)
//	ok             nothing goes wrong
//
// -tls serves https with a self-signed certificate made at start-up.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func selfSigned() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, &tmpl, &key.PublicKey, key)
	if err != nil {
		log.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

type order struct{ items []string }

func (o *order) first() string { return o.items[0] }

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	mode := flag.String("mode", "ok", "which fault")
	after := flag.Duration("after", 1500*time.Millisecond, "panic: how long to serve first")
	useTLS := flag.Bool("tls", false, "serve https with a self-signed certificate")
	flag.Parse()
	log.SetPrefix("faulty: ")

	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		if *mode == "never-ready" {
			log.Printf("not ready: waiting for the database at 127.0.0.1:5432")
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "done")
	})
	if *mode != "pprof-404" {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
	}
	switch *mode {
	case "pprof-hang":
		mux.HandleFunc("/debug/pprof/goroutine", func(w http.ResponseWriter, r *http.Request) {
			select {}
		})
	case "pprof-garbage":
		mux.HandleFunc("/debug/pprof/goroutine", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "<html><body><h1>Welcome to nginx!</h1></body></html>\n")
		})
	case "stubborn":
		signal.Ignore(syscall.SIGTERM)
	case "panic":
		go func() {
			time.Sleep(*after)
			var o order
			log.Printf("reconciling orders")
			fmt.Println(o.first()) // index out of range: a real panic
		}()
	}
	log.Printf("listening on %s (mode %s)", *addr, *mode)
	srv := &http.Server{Addr: *addr, Handler: mux}
	var err error
	if *useTLS {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned()}}
		err = srv.ListenAndServeTLS("", "")
	} else {
		err = srv.ListenAndServe()
	}
	if err != nil {
		log.Print(err)
		os.Exit(1)
	}
}
