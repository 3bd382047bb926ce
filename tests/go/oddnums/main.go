// oddnums: a service whose answers are wrong in number, for the checks of
// how leakcheck counts (tests/integration/numbers.sh). -mode picks:
//
//	double  /work answers every request twice (two complete responses in
//	        one write on a kept-alive connection)
//	nan     /metrics serves the gauge odd_ratio as NaN, and odd_ok as 1
//	ok      nothing odd
//
// /healthz answers 200 in every mode.
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
)

const reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\ndone\n"

// double writes two responses for the request just read, then serves the
// next requests of the connection the same way.
func double(w http.ResponseWriter, r *http.Request) {
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer conn.Close()
	for {
		if _, err := rw.WriteString(reply + reply); err != nil {
			return
		}
		if rw.Flush() != nil {
			return
		}
		req, err := http.ReadRequest(rw.Reader)
		if err != nil {
			return
		}
		req.Body.Close()
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	mode := flag.String("mode", "ok", "double, nan or ok")
	flag.Parse()
	log.SetPrefix("oddnums: ")
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		if *mode == "double" {
			double(w, r)
			return
		}
		fmt.Fprintln(w, "done")
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintln(w, "# TYPE odd_ok gauge\nodd_ok 1")
		if *mode == "nan" {
			fmt.Fprintln(w, "# TYPE odd_ratio gauge\nodd_ratio NaN")
		} else {
			fmt.Fprintln(w, "# TYPE odd_ratio gauge\nodd_ratio 0.5")
		}
	})
	log.Printf("listening on %s (mode %s)", *addr, *mode)
	if err := http.ListenAndServe(*addr, mux); err != nil {
		log.Print(err)
		os.Exit(1)
	}
}
