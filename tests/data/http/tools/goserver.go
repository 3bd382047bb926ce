// goserver.go: a Go net/http server used to capture raw responses for
// tests/data/http (see ../README). Listens on 127.0.0.1:$PORT.
package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

func main() {
	http.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		f := w.(http.Flusher)
		w.Header().Set("Content-Type", "text/plain")
		for i := 0; i < 5; i++ {
			fmt.Fprintf(w, "chunk %d: %s\n", i, strings.Repeat("x", 10*i))
			f.Flush()
		}
	})
	http.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("0123456789abcdef", 4096)))
	})
	http.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello from go\n"))
	})
	http.HandleFunc("/nocontent", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	http.HandleFunc("/trailer", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		w.Write([]byte("body before trailer\n"))
		w.(http.Flusher).Flush()
		w.Header().Set("X-Sum", "42")
	})
	http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil)
}
